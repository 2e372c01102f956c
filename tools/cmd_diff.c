/*
 * tools/cmd_diff.c: `asbuilt diff LOG... --model MAP.bpmn`: the Work Reality
 * Gap. Reads the log and the map, maps the map's task names to the log's
 * activities, compiles and relabels the net, aligns every case, and writes
 * the gap reports (JSON, Markdown, HTML, one JSON line per case) as one
 * set, all replaced or none, with a short summary on stdout (on stderr when
 * a report goes to stdout). Progress names each phase on a terminal. With
 * --fail-above it is a gate: exit 1 when a named rate passes its threshold.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "asbuilt/gap.h"
#include "asbuilt/report.h"
#include "cli.h"

/* The help: plain text, then help_more as a format for the log options. */
static const char help[] =
    "usage: asbuilt diff [options] LOG... --model MAP.bpmn\n"
    "\n"
    "Measures the Work Reality Gap between what the log shows and what the documented\n"
    "map says: the share of cases that did not follow the documented process (M1) with\n"
    "its 95% interval, documented steps bypassed (controls first), undocumented\n"
    "activities and transitions, rework, steps out of order, steps never done as\n"
    "documented, and the time impact of each deviation against comparable conforming\n"
    "cases. Every number is a count over a named denominator; the same inputs give\n"
    "byte-identical reports. Where a case has a second optimal alignment with other\n"
    "deviations, it is counted as ambiguous and the report gives their share.\n"
    "\n"
    "Options:\n"
    "  --model MAP.bpmn        the documented map (required); given again, a map whose\n"
    "                          processes the first one's call activities call\n"
    "  --map FILE              CSV of task,activity[,lane] lines mapping the map's task\n"
    "                          names to the log's activities (default: exact, then\n"
    "                          normalised names)\n"
    "  --json FILE             the report as JSON (schema asbuilt.gap/1)\n"
    "  --md FILE               the report as Markdown\n"
    "  --html FILE             the report as one HTML page, with the map\n"
    "  --cases FILE            one JSON line per case with its deviations\n"
    "                          (FILE '-' is stdout, for one report: the summary and the\n"
    "                          notes then go to stderr. The reports are replaced together:\n"
    "                          all new, or all as they were when the run fails)\n"
    "  --accept FILE           accepted deviations, one per line: 'bypass,A',\n"
    "                          'undocumented_activity,X', 'extra_step,A', 'rework,A',\n"
    "                          'out_of_order,A', 'substitution,A,X', 'transition,A,B'\n"
    "                          (START/END name the case's ends; '*' matches any name;\n"
    "                          '#' starts a comment). They stay in the report, marked,\n"
    "                          and a case counts in M1 only with a deviation not accepted;\n"
    "                          'role,TASK,ROLE', 'sod,A,B', 'handoff,FROM_ROLE,TO_ROLE'\n"
    "                          do the same for ROLE/ROLEc, SOD and HANDOFF\n"
    "  --open-cases MODE       closed (default): every case is analysed as finished;\n"
    "                          exclude: a possibly open case is unfinished, not deviating\n"
    "                          at its end, and stays out of the bypass and time metrics\n"
    "  --fail-above LIST       gate, e.g. M1=0.25,M9c=10%: exit 1 when a rate passes its\n"
    "                          threshold. Rates: M1 M2 M3 M7 M7b M8 M10, M9 and M9c (the\n"
    "                          step, or control step, with the highest bypass rate),\n"
    "                          M9cp (controls pooled), ROLE ROLEc SOD HANDOFF (cases with\n"
    "                          a role violation, a control outside its lane, a\n"
    "                          segregation-of-duties violation, an undocumented hand-off)\n"
    "  --strict-mapping        fail (exit 3, no report) when the mapping joins less than\n"
    "                          half of the log's events or of the map's tasks; without it\n"
    "                          that is a warning on stderr and in the report's headline;\n"
    "                          either comes before the alignments start\n"
    "  --no-ambiguity-check    skip the search for second optimal alignments (R1); the\n"
    "                          report then says the share of ambiguous cases was not\n"
    "                          computed\n";

/* Who did the work. */
static const char help_who[] =
    "  --roles FILE            CSV of resource,role lines (a resource may have several\n"
    "                          roles); default: each event's org:role, else org:group\n"
    "  --role-map FILE         CSV of lane,role lines mapping the map's lanes to roles\n"
    "                          (default: equal, then normalised names)\n"
    "  --sod FILE              segregation-of-duties pairs 'A,B' (activity names, '*'\n"
    "                          globs): a case violates a pair when one resource did both\n"
    "  --system-resources LIST system accounts: comma-separated names or globs\n";

/* The help's second half (one string would pass the 4,095 bytes C99 promises). */
static const char help_more[] =
    "  --controls LIST         name fragments that tag control steps (default\n"
    "                          \"approv,check,review,sign\")\n"
    "  --threads N             threads for the alignments and time impacts (default: one\n"
    "                          per core); the report does not depend on it\n"
    "  --max-states N          search nodes per variant before an alignment is\n"
    "                          approximate (default 2000000); the same budget bounds\n"
    "                          each search of the ambiguity check\n"
    "  --model-states N        markings the model analyses explore (default 200000)\n"
    "  --model-memory SIZE     memory the model analyses may use, with an optional K, M\n"
    "                          or G suffix (default 256M); past it or --model-states a\n"
    "                          result is \"not decided within the budget\"\n"
    "  --process ID            compile only this process of the map\n"
    "  -q, --quiet             no progress display, no notes of the files written\n"
    "  -h, --help              this help\n"
    "\n"
    "%s"
    "\n"
    "Exit codes: 0 ok, 1 a --fail-above gate was exceeded, 2 usage, 3 bad data (a log,\n"
    "map, mapping or accept file that cannot be used), 4 I/O or internal error.\n"
    "\n"
    "Examples:\n"
    "  asbuilt diff log.csv --model process.bpmn --md gap.md --json gap.json\n"
    "  asbuilt diff declarations.xes.gz --model declaration.bpmn --map tasks.csv \\\n"
    "      --fail-above M1=0.25,M9c=0.05\n";

static const char *const gate_ids[] = {"M1",  "M2",   "M3",  "M7",   "M7b",   "M8",  "M9",
                                       "M9c", "M9cp", "M10", "ROLE", "ROLEc", "SOD", "HANDOFF"};

typedef struct gate {
    char id[8];
    double threshold;
} gate;

/* Parses "M1=0.25,M9c=10%" into gates; returns the count, or 0 after failing a. */
static int parse_gates(cli_args *a, const char *spec, gate *out, int cap)
{
    int n = 0;
    const char *p = spec;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq == NULL || eq == p || (size_t)(eq - p) >= sizeof(out[0].id) || n >= cap) {
            cli_fail(a, "--fail-above takes ID=THRESHOLD pairs, not '%.*s'", (int)len, p);
            return 0;
        }
        gate *g = &out[n];
        memcpy(g->id, p, (size_t)(eq - p));
        g->id[eq - p] = '\0';
        int known = 0;
        /* Exact names first: ROLE and ROLEc differ in case only. */
        for (size_t k = 0; k < sizeof(gate_ids) / sizeof(gate_ids[0]) && !known; k++) {
            known = strcmp(g->id, gate_ids[k]) == 0;
        }
        for (size_t k = 0; k < sizeof(gate_ids) / sizeof(gate_ids[0]) && !known; k++) {
            if (strcasecmp(g->id, gate_ids[k]) == 0) {
                known = 1;
                strcpy(g->id, gate_ids[k]);
            }
        }
        if (!known) {
            cli_fail(a,
                     "--fail-above: unknown rate '%s' (M1 M2 M3 M7 M7b M8 M9 M9c M9cp "
                     "M10 ROLE ROLEc SOD HANDOFF)",
                     g->id);
            return 0;
        }
        char num[64];
        size_t nl = len - (size_t)(eq - p) - 1;
        if (nl == 0 || nl >= sizeof(num)) {
            cli_fail(a, "--fail-above: %s needs a threshold", g->id);
            return 0;
        }
        memcpy(num, eq + 1, nl);
        num[nl] = '\0';
        char *e;
        double v = strtod(num, &e);
        if (*e == '%' && e[1] == '\0') {
            v /= 100;
            e++;
        }
        if (e == num || *e != '\0' || !(v >= 0 && v <= 1)) {
            cli_fail(a,
                     "--fail-above: %s takes a rate from 0 to 1 (or 0%% to 100%%), not "
                     "'%s'",
                     g->id, num);
            return 0;
        }
        g->threshold = v;
        n++;
        p = end != NULL ? end + 1 : p + len;
    }
    if (n == 0) {
        cli_fail(a, "--fail-above needs at least one ID=THRESHOLD");
        return 0;
    }
    return n;
}

/* The case lines, made range after range while they are written: on a
 * large log they would be the largest thing held. */
typedef struct case_lines {
    const ab_gap *gap;
    uint32_t next, count;
} case_lines;

#define CASE_LINES_PIECE 65536u

static int next_case_lines(void *payload, ab_buf *out, int *done, ab_error *err)
{
    case_lines *cl = payload;
    int st = ab_gap_write_cases_range(cl->gap, out, cl->next, CASE_LINES_PIECE, err);
    cl->next = cl->count - cl->next > CASE_LINES_PIECE ? cl->next + CASE_LINES_PIECE : cl->count;
    *done = cl->next == cl->count;
    return st;
}

/* A report to write: its path (NULL: not asked for), and its bytes, or
 * the writer that makes them piece by piece. */
typedef struct report_out {
    const char *path;
    const ab_buf *buf;
    ab_output_writer writer;
    void *payload;
} report_out;

/*
 * Writes the reports asked for as one set (all replaced, or none: see
 * ab_output_set), showing the progress. Returns an exit code.
 */
static int write_reports(const report_out *outs, int n)
{
    ab_error err;
    ab_error_clear(&err);
    ab_output_set *set = NULL;
    int st = ab_output_set_create(&set, &err);
    for (int k = 0; k < n && st == AB_OK; k++) {
        const report_out *o = &outs[k];
        if (o->path != NULL && o->writer != NULL) {
            st = ab_output_set_add_writer(set, o->path, o->writer, o->payload, &err);
        } else if (o->path != NULL) {
            st = ab_output_set_add(set, o->path, o->buf->ptr, o->buf->len, &err);
        }
        cli_progress_update("writing reports", (uint64_t)n + k + 1, (uint64_t)n * 2 + 1);
    }
    if (st == AB_OK) {
        st = ab_output_set_commit(set, &err);
    }
    ab_output_set_destroy(set);
    return st == AB_OK ? EXIT_OK : cli_report(&err);
}

int cmd_diff(int argc, char **argv)
{
    const char *cmd = "diff";
    cli_log_opts o;
    cli_log_opts_init(&o);
    const char *json_path = NULL, *md_path = NULL, *cases_path = NULL, *accept = NULL;
    const char *html_path = NULL;
    const char *map_file = NULL, *process_id = NULL, *controls = NULL, *gate_text = NULL;
    ab_who_options who = AB_WHO_OPTIONS_INIT;
    int open_mode = AB_GAP_OPEN_CLOSED, strict_mapping = 0, check_ambiguity = 1;
    unsigned long long threads = 0, max_states = 0, model_states = 0;
    uint64_t model_memory = 0;
    gate gates[16];
    int ngates = 0;
    const char **logs = calloc((size_t)argc + 1, sizeof(*logs));
    const char **models = calloc((size_t)argc + 1, sizeof(*models));
    ab_bpmn **libs = calloc((size_t)argc + 1, sizeof(*libs));
    int nlogs = 0, nmodels = 0, nlibs = 0;
    int rc = EXIT_OK;
    ab_ctx *ctx = NULL;
    ab_log *log = NULL;
    ab_bpmn *model = NULL;
    ab_net *net = NULL, *relabelled = NULL;
    ab_bpmn_mapping *map = NULL;
    ab_conform *conf = NULL;
    ab_gap *gap = NULL;
    ab_buf jbuf = AB_BUF_INIT, mbuf = AB_BUF_INIT, tbuf = AB_BUF_INIT;
    ab_buf hbuf = AB_BUF_INIT;
    cli_hash log_hash = {0};
    if (logs == NULL || models == NULL || libs == NULL) {
        rc = cli_report_status(AB_ENOMEM, NULL);
        goto done;
    }
    cli_args opt;
    cli_args_start(&opt, cmd, argc, argv);
    while (cli_next(&opt)) {
        if (cli_flag(&opt, "-h", "--help")) {
            fputs(help, stdout);
            fputs(help_who, stdout);
            printf(help_more, cli_log_opts_help);
            goto done;
        }
        if (cli_flag(&opt, "--strict-mapping", NULL)) {
            strict_mapping = 1;
            continue;
        }
        if (cli_flag(&opt, "--no-ambiguity-check", NULL)) {
            check_ambiguity = 0;
            continue;
        }
        static const struct {
            const char *name;
            unsigned long long min, max;
        } nums[] = {{"--threads", 1, 1024},
                    {"--max-states", 1, UINT64_MAX},
                    {"--model-states", 1, UINT64_MAX}};
        unsigned long long *num_dst[] = {&threads, &max_states, &model_states};
        struct {
            const char *name;
            const char **dst;
        } paths[] = {{"--map", &map_file},         {"--json", &json_path},
                     {"--md", &md_path},           {"--cases", &cases_path},
                     {"--accept", &accept},        {"--process", &process_id},
                     {"--controls", &controls},    {"--html", &html_path},
                     {"--roles", &who.roles_file}, {"--role-map", &who.role_map_file},
                     {"--sod", &who.sod_file},     {"--system-resources", &who.system_resources}};
        int matched = 0;
        for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]) && !matched; k++) {
            if ((matched = cli_value(&opt, paths[k].name, NULL)) != 0) {
                *paths[k].dst = opt.v;
            }
        }
        for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]) && !matched; k++) {
            if ((matched = cli_value(&opt, nums[k].name, NULL)) != 0) {
                cli_number(&opt, nums[k].min, nums[k].max, num_dst[k]);
            }
        }
        if (matched) {
            continue;
        }
        if (cli_value(&opt, "--model", NULL)) {
            models[nmodels++] = opt.v;
        } else if (cli_value(&opt, "--model-memory", NULL)) {
            cli_size(&opt, "--model-memory", &model_memory);
        } else if (cli_value(&opt, "--open-cases", NULL)) {
            if (strcmp(opt.v, "closed") == 0) {
                open_mode = AB_GAP_OPEN_CLOSED;
            } else if (strcmp(opt.v, "exclude") == 0) {
                open_mode = AB_GAP_OPEN_EXCLUDE;
            } else {
                cli_fail(&opt, "--open-cases takes 'closed' or 'exclude', not '%s'", opt.v);
            }
        } else if (cli_value(&opt, "--fail-above", NULL)) {
            int k = opt.bad ? 0 : parse_gates(&opt, opt.v, gates + ngates, (int)(16 - ngates));
            ngates += k;
            gate_text = opt.v;
        } else {
            cli_log_arg(&opt, &o, logs, &nlogs);
        }
    }
    if (opt.bad) {
        rc = EXIT_USAGE;
        goto done;
    }
    if (nlogs == 0) {
        rc = cli_usage_error(cmd, "no log file given");
        goto done;
    }
    if (nmodels == 0) {
        rc = cli_usage_error(cmd, "no documented map given (--model MAP.bpmn)");
        goto done;
    }
    /* A report on stdout makes stdout that report's alone: the summary and
     * the notes go to stderr. Two reports there could not be told apart. */
    const char *const report_opts[] = {"--json", "--md", "--html", "--cases"};
    const char *const report_paths[] = {json_path, md_path, html_path, cases_path};
    const char *on_stdout = NULL;
    for (int k = 0; k < 4; k++) {
        if (report_paths[k] != NULL && cli_is_stdout(report_paths[k])) {
            if (on_stdout != NULL) {
                rc = cli_usage_error(cmd, "%s and %s both write to stdout; give one a file",
                                     on_stdout, report_opts[k]);
                goto done;
            }
            on_stdout = report_opts[k];
        }
    }
    FILE *info = on_stdout != NULL ? stderr : stdout;

    /* The report's hash of the log is made while the log is read. */
    cli_hash_start(&log_hash, logs, nlogs);
    ctx = cli_ctx();
    if (ctx == NULL) {
        rc = EXIT_IO;
        goto done;
    }
    ab_error err;
    ab_error_clear(&err);
    rc = cli_load_log(ctx, &o, logs, nlogs, &log);
    if (rc != EXIT_OK) {
        goto done;
    }
    cli_progress_update("compiling the map", 0, 0);
    int st = ab_bpmn_read(&model, ctx, models[0], NULL, &err);
    for (int i = 1; st == AB_OK && i < nmodels; i++) {
        st = ab_bpmn_read(&libs[nlibs], ctx, models[i], NULL, &err);
        nlibs += st == AB_OK;
    }
    if (st != AB_OK) {
        rc = cli_report_status(st, &err);
        goto done;
    }
    ab_net_options no = AB_NET_OPTIONS_INIT;
    no.library = (const ab_bpmn *const *)libs;
    no.library_count = (size_t)nlibs;
    no.process_id = process_id;
    st = ab_net_compile(&net, ctx, model, &no, &err);
    if (st != AB_OK) {
        rc = cli_report_status(st, &err);
        goto done;
    }
    rc = cli_relabel(ctx, log, net, map_file, &map, &relabelled);
    if (rc != EXIT_OK) {
        goto done;
    }
    cli_progress_clear();
    for (uint32_t i = 0; i < ab_bpmn_map_warning_count(map) && !cli_quiet; i++) {
        fprintf(stderr, "asbuilt: warning: %s\n", ab_bpmn_map_warning(map, i));
    }
    /* A map of another process, or a --map forgotten, shows before the
     * alignments: on a large log the user need not wait for the run to
     * learn it, and --strict-mapping stops here. */
    char mapping_warning[512];
    ab_gap_rate cov_events, cov_tasks;
    st = (cli_mapping_coverage_hook != NULL ? cli_mapping_coverage_hook : ab_gap_mapping_coverage)(
        log, relabelled, map, &cov_events, &cov_tasks, mapping_warning, sizeof(mapping_warning));
    if (st != AB_OK) {
        rc = cli_report_status(st, NULL);
        goto done;
    }
    if (mapping_warning[0] != '\0') {
        fprintf(stderr, "asbuilt diff: warning: %s\n", mapping_warning);
        if (strict_mapping) {
            fprintf(stderr, "asbuilt diff: --strict-mapping: no report written\n");
            rc = EXIT_DATA;
            goto done;
        }
    }
    ab_net_set_model_memory(relabelled, model_memory);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = threads > 0 ? (unsigned)threads : cores > 0 ? (unsigned)cores : 1;
    ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
    co.threads = nthreads;
    co.max_states = max_states;
    co.check_ambiguity = check_ambiguity; /* The report states the share of ambiguous cases (R1). */
    co.progress = cli_progress ? cli_progress_cb : NULL;
    st = cli_conform_run_hook != NULL ? cli_conform_run_hook(&conf, ctx, log, relabelled, &co, &err)
                                      : ab_conform_run(&conf, ctx, log, relabelled, &co, &err);
    if (st == AB_EINVAL) {
        cli_progress_clear();
        fprintf(stderr, "asbuilt: %s: %s\n", models[0],
                err.msg[0] ? err.msg : "the map has no complete run");
        rc = EXIT_DATA;
        goto done;
    }
    if (st != AB_OK) {
        rc = cli_report_status(st, &err);
        goto done;
    }
    ab_gap_options go = AB_GAP_OPTIONS_INIT;
    go.open_cases = (ab_gap_open_mode)open_mode;
    go.controls = controls;
    go.max_states = model_states;
    go.threads = nthreads;
    go.accept_file = accept;
    go.log_files = logs;
    go.log_file_count = (size_t)nlogs;
    go.model_file = models[0];
    go.library_files = models + 1;
    go.library_file_count = (size_t)(nmodels - 1);
    go.map_file = map_file;
    go.model = model;
    go.mapping = map;
    go.conform_max_states = max_states != 0 ? max_states : 2000000;
    go.gate = gate_text;
    go.progress = cli_progress ? cli_progress_cb : NULL;
    who.role_attr = o.role_col;
    go.who = &who;
    go.log_sha256 = cli_hash_finish(&log_hash);
    st = (cli_gap_compute_hook != NULL ? cli_gap_compute_hook : ab_gap_compute)(
        &gap, ctx, log, relabelled, conf, &go, &err);
    if (st != AB_OK) {
        /* EINVAL here is an inconsistency between our own results. */
        rc = cli_report_status(st, &err);
        rc = st == AB_EINVAL ? EXIT_IO : rc;
        goto done;
    }
    if (!cli_write_reports) {
        /* Another process writes them; this one's case lines go to it. */
        if (cases_path != NULL && cli_case_lines_serve != NULL) {
            rc = cli_case_lines_serve(gap);
        }
        goto gates;
    }
    /* The other processes serve their case lines until this one is done. */
    int serving = cases_path != NULL && cli_case_lines_end != NULL;
    /* Writing: each report rendered, then staged, then the set renamed. */
    st = AB_OK;
    cli_progress_update("writing reports", 0, 9);
    if (json_path != NULL) {
        st = ab_gap_write_json(gap, &jbuf, &err);
    }
    cli_progress_update("writing reports", 1, 9);
    if (st == AB_OK && md_path != NULL) {
        st = ab_gap_write_markdown(gap, &mbuf, &err);
    }
    cli_progress_update("writing reports", 2, 9);
    /* The case lines are made as they are written (write_reports). */
    case_lines lines = {gap, 0, ab_gap_get_summary(gap)->cases};
    cli_progress_update("writing reports", 3, 9);
    if (st == AB_OK && html_path != NULL) {
        st = ab_report_gap_html(&hbuf, ctx, gap, model, NULL, &err);
    }
    cli_progress_update("writing reports", 4, 9);
    if (st == AB_OK) {
        st = ab_gap_write_text(gap, &tbuf, &err);
    }
    if (st != AB_OK) {
        rc = cli_report_status(st, &err);
        if (serving) {
            cli_case_lines_end();
        }
        goto done;
    }
    const report_out outs[] = {{json_path, &jbuf, NULL, NULL},
                               {md_path, &mbuf, NULL, NULL},
                               {html_path, &hbuf, NULL, NULL},
                               {cases_path, NULL,
                                cli_case_lines != NULL ? cli_case_lines : next_case_lines,
                                cli_case_lines != NULL ? (void *)gap : (void *)&lines}};
    rc = write_reports(outs, 4);
    if (serving) {
        cli_case_lines_end();
    }
    cli_progress_clear();
    if (rc != EXIT_OK) {
        goto done;
    }
    fwrite(tbuf.ptr != NULL ? tbuf.ptr : "", 1, tbuf.len, info);
    const char *const notes[] = {"JSON report", "Markdown report", "HTML report", "case lines"};
    for (int k = 0; k < 4 && !cli_quiet; k++) {
        if (report_paths[k] != NULL) {
            fprintf(info, "%s: %s\n", notes[k],
                    cli_is_stdout(report_paths[k]) ? "stdout" : report_paths[k]);
        }
    }
gates:
    for (int k = 0; k < ngates; k++) {
        ab_gap_rate r;
        if (ab_gap_metric(gap, gates[k].id, &r) != AB_OK) {
            continue;
        }
        if (r.of == 0) {
            if (strcmp(gates[k].id, "SOD") == 0 || strncmp(gates[k].id, "ROLE", 4) == 0 ||
                strcmp(gates[k].id, "HANDOFF") == 0) {
                fprintf(stderr, "asbuilt diff: warning: gate %s not checked: %s\n", gates[k].id,
                        strcmp(gates[k].id, "SOD") == 0
                            ? "no --sod file"
                            : "no roles, or no lane of the map matches one");
            }
            continue;
        }
        if (r.rate > gates[k].threshold) {
            fprintf(stderr, "asbuilt diff: gate exceeded: %s = %.3f (%llu of %llu) > %g\n",
                    gates[k].id, r.rate, (unsigned long long)r.count, (unsigned long long)r.of,
                    gates[k].threshold);
            rc = EXIT_GATE;
        }
    }
done:
    cli_hash_finish(&log_hash);
    ab_buf_dispose(&jbuf);
    ab_buf_dispose(&mbuf);
    ab_buf_dispose(&tbuf);
    ab_buf_dispose(&hbuf);
    ab_gap_destroy(gap);
    ab_conform_destroy(conf);
    ab_net_destroy(relabelled);
    ab_bpmn_map_destroy(map);
    ab_net_destroy(net);
    ab_bpmn_destroy(model);
    for (int i = 0; i < nlibs; i++) {
        ab_bpmn_destroy(libs[i]);
    }
    free(libs);
    free(logs);
    free(models);
    ab_log_destroy(log);
    cli_log_opts_dispose(&o);
    ab_ctx_destroy(ctx);
    return rc;
}
