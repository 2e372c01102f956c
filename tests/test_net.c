/*
 * tests/test_net.c: the compiled workflow nets. A data-driven runner walks
 * tests/data/net/<case>.bpmn with <case>.expect (soundness, number of
 * approximations, traces the net must accept or reject); the shared maps are
 * compiled and checked for soundness and back-pointers; the logs generated
 * from their maps replay with every case accepted; relabelling, mandatory
 * steps, limits, determinism and allocation failures are covered too.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "asbuilt/bpmn.h"
#include "asbuilt/ingest.h"
#include "asbuilt/net.h"
#include "asbuilt/xes.h"
#include "net/net_int.h"

static ab_bpmn *load(ab_ctx *ctx, const char *path)
{
    ab_bpmn *m = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_bpmn_read(&m, ctx, path, NULL, &err);
    if (rc != AB_OK) {
        fail_msg("%s: %s (line %llu)", path, err.msg, (unsigned long long)err.line);
    }
    return m;
}

static ab_net *compile(ab_ctx *ctx, const ab_bpmn *m)
{
    ab_net *n = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_net_compile(&n, ctx, m, NULL, &err);
    if (rc != AB_OK) {
        fail_msg("compile %s: %s", ab_bpmn_source(m), err.msg);
    }
    return n;
}

/* Splits "A, B, C" into labels (in place); returns the count. */
static size_t split_trace(char *s, const char **labels, size_t cap)
{
    size_t n = 0;
    while (*s == ' ') {
        s++;
    }
    if (*s == '\0') {
        return 0;
    }
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        size_t len = strlen(s);
        while (len > 0 && s[len - 1] == ' ') {
            s[--len] = '\0';
        }
        assert_true(n < cap);
        labels[n++] = s;
        if (comma == NULL) {
            return n;
        }
        s = comma + 1;
        while (*s == ' ') {
            s++;
        }
    }
}

static int accepts(const ab_net *n, const char *const *labels, size_t count)
{
    int acc = -1;
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab_net_accepts(n, labels, count, NULL, &acc, &err), AB_OK);
    return acc;
}

/* Runs one case: every line of the .expect file is checked. */
static void run_case(ab_ctx *ctx, const char *bpmn_path, const char *expect_path)
{
    ab_bpmn *m = load(ctx, bpmn_path);
    ab_net *n = compile(ctx, m);
    ab_net_verdict v;
    assert_int_equal(ab_net_check(n, NULL, &v, NULL), AB_OK);
    FILE *f = fopen(expect_path, "r");
    assert_non_null(f);
    char line[1024];
    int checks = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        const char *labels[64];
        if (strncmp(line, "sound ", 6) == 0) {
            int want = strcmp(line + 6, "yes") == 0 ? AB_NET_YES : AB_NET_NO;
            if (v.sound != want) {
                fail_msg("%s: sound is %d, expected %s (%s)", bpmn_path, v.sound, line + 6,
                         v.reason);
            }
        } else if (strncmp(line, "approximations ", 15) == 0) {
            uint32_t want = (uint32_t)atoi(line + 15);
            if (ab_net_approximation_count(n) != want) {
                for (uint32_t i = 0; i < ab_net_approximation_count(n); i++) {
                    print_message("  %s: %s\n", ab_net_approximation_at(n, i)->element_id,
                                  ab_net_approximation_at(n, i)->what);
                }
                fail_msg("%s: %u approximations, expected %u", bpmn_path,
                         ab_net_approximation_count(n), want);
            }
        } else if (strncmp(line, "accept:", 7) == 0 || strncmp(line, "reject:", 7) == 0) {
            int want = line[0] == 'a';
            char copy[1024];
            snprintf(copy, sizeof(copy), "%s", line);
            size_t k = split_trace(copy + 7, labels, 64);
            if (accepts(n, labels, k) != want) {
                fail_msg("%s: the net should %s '%s'", bpmn_path, want ? "accept" : "reject",
                         line + 7);
            }
        } else {
            fail_msg("%s: unknown line '%s'", expect_path, line);
        }
        checks++;
    }
    fclose(f);
    assert_true(checks >= 3);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_cases(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_testdata("net"));
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".bpmn") == 0) {
            names[count++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, count, sizeof(*names), cmp_name);
    assert_true(count >= 15);
    for (size_t i = 0; i < count; i++) {
        char bpmn[4200], expect[4200];
        snprintf(bpmn, sizeof(bpmn), "%s/%s", dir, names[i]);
        snprintf(expect, sizeof(expect), "%s/%.*s.expect", dir, (int)(strlen(names[i]) - 5),
                 names[i]);
        if (!tu_exists(expect)) {
            free(names[i]);
            continue; /* A callee map used by another test. */
        }
        run_case(ctx, bpmn, expect);
        free(names[i]);
    }
    ab_ctx_destroy(ctx);
}

/* ---- Shared maps ---- */

typedef struct shared_map {
    const char *file;
    int sound; /* Expected verdict. */
} shared_map;

/*
 * The MIWG reference B.2.0 and the bpmn.io kitchen sink are interchange test
 * files (every symbol of the palette, partly unconnected), not processes
 * anyone runs: their nets have dead transitions and cannot always complete.
 */
static const shared_map shared_maps[] = {
    {"models/bpic2020_declaration_documents.bpmn", AB_NET_YES},
    {"models/bpmnjs_kitchen-sink.bpmn", AB_NET_NO},
    {"models/camunda_invoice.v2.bpmn", AB_NET_YES},
    {"models/ebi_Dispatch-of-goods.bpmn", AB_NET_YES},
    {"models/miwg_ARIS_A.2.0-export.bpmn", AB_NET_YES},
    {"models/miwg_Bizagi_A.2.0-roundtrip.bpmn", AB_NET_YES},
    {"models/miwg_Reference_A.3.0.bpmn", AB_NET_YES},
    {"models/miwg_Reference_B.2.0.bpmn", AB_NET_NO},
    {"models/miwg_Reference_C.9.2.bpmn", AB_NET_YES},
    {"models/pm4py_a32f0n00.bpmn", AB_NET_YES},
    {"models/pm4py_receipt.bpmn", AB_NET_YES},
    {"models/pm4py_running-example.bpmn", AB_NET_YES},
    {"models/simod_LoanApp_simplified.bpmn", AB_NET_YES},
    {"models/simod_PurchasingExample.bpmn", AB_NET_YES},
    {"models/simod_branch_rules_or.bpmn", AB_NET_YES},
};

/* Whether some note (approximation or warning) names the element. */
static int noted(const ab_bpmn *m, const ab_net *n, const char *id)
{
    for (uint32_t i = 0; i < ab_net_approximation_count(n); i++) {
        if (strcmp(ab_net_approximation_at(n, i)->element_id, id) == 0) {
            return 1;
        }
    }
    for (uint32_t i = 0; i < ab_net_warning_count(n); i++) {
        if (strcmp(ab_net_warning_at(n, i)->element_id, id) == 0) {
            return 1;
        }
    }
    for (uint32_t i = 0; i < ab_bpmn_issue_count(m); i++) {
        if (strcmp(ab_bpmn_issue_at(m, i)->element_id, id) == 0) {
            return 1;
        }
    }
    return 0;
}

static void test_shared_maps(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    for (size_t k = 0; k < sizeof(shared_maps) / sizeof(shared_maps[0]); k++) {
        const char *path = tu_shared(shared_maps[k].file);
        if (!tu_exists(path)) {
            fail_msg("missing shared map %s", path);
        }
        ab_bpmn *m = load(ctx, path);
        ab_net *n = compile(ctx, m);
        ab_net_verdict v;
        assert_int_equal(ab_net_check(n, NULL, &v, NULL), AB_OK);
        if (v.sound != shared_maps[k].sound) {
            fail_msg("%s: sound %d, expected %d: %s", path, v.sound, shared_maps[k].sound,
                     v.reason);
        }
        if (v.sound == AB_NET_YES) {
            assert_int_equal(v.option_to_complete, AB_NET_YES);
            assert_int_equal(v.proper_completion, AB_NET_YES);
            assert_int_equal(v.no_dead_transitions, AB_NET_YES);
            assert_string_equal(v.reason, "");
        } else {
            assert_true(v.reason[0] != '\0');
        }
        /* Back-pointers: flow places name flows of the map, transitions
         * name elements of the map (or a process, or the definitions). */
        for (uint32_t p = 0; p < ab_net_place_count(n); p++) {
            const ab_net_place *pl = ab_net_place_at(n, p);
            if (pl->role == AB_NET_P_FLOW) {
                assert_int_equal(ab_bpmn_flow_find(m, pl->flow_id, NULL), AB_OK);
            } else {
                assert_null(pl->flow_id);
            }
        }
        uint32_t last = 0;
        for (uint32_t t = 0; t < ab_net_transition_count(n); t++) {
            const ab_net_transition *tr = ab_net_transition_at(n, t);
            int known = ab_bpmn_node_find(m, tr->element_id, NULL) == AB_OK ||
                        ab_bpmn_process_find(m, tr->element_id, NULL) == AB_OK ||
                        strcmp(tr->element_id, ab_bpmn_definitions_id(m)) == 0;
            if (!known) {
                fail_msg("%s: transition %s names no element", path, tr->name);
            }
            if (tr->element != AB_BPMN_NONE) {
                assert_string_equal(ab_bpmn_node_at(m, tr->element)->id, tr->element_id);
                /* Document order (spec R1). */
                assert_true(tr->element + 1 >= last);
                last = tr->element + 1;
            }
            assert_true(tr->in_count > 0);
            if (tr->label != NULL) {
                assert_int_equal(tr->kind, AB_NET_T_TASK);
                assert_string_equal(ab_net_label(n, tr->label_id), tr->label);
            } else {
                assert_int_equal(tr->label_id, AB_NET_SILENT);
            }
        }
        /* Nothing is dropped silently: every flow node is compiled into some
         * transition, or a note says why not. */
        for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
            const ab_bpmn_node *nd = ab_bpmn_node_at(m, i);
            int compiled = 0;
            for (uint32_t t = 0; t < ab_net_transition_count(n) && !compiled; t++) {
                compiled = ab_net_transition_at(n, t)->element == i;
            }
            if (!compiled && !noted(m, n, nd->id)) {
                fail_msg("%s: element %s (%s) is neither compiled nor noted", path, nd->id,
                         ab_bpmn_kind_name(nd->kind));
            }
        }
        ab_net_destroy(n);
        ab_bpmn_destroy(m);
    }
    ab_ctx_destroy(ctx);
}

/* Reads a CSV written by pandas (the running example) with a minimal parser:
 * no quoted commas in this file. Returns the number of cases filled. */
static size_t read_running_example(const char *path, char traces[][16][64], size_t *lens,
                                   size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    char case_ids[16][32];
    size_t ncases = 0;
    assert_non_null(fgets(line, sizeof(line), f));
    /* Columns: index, concept:name, org:resource, time:timestamp, Activity,
     * Resource, Costs, case:concept:name, case:creator. Rows are in time
     * order within each case. */
    while (fgets(line, sizeof(line), f) != NULL) {
        char *fields[16] = {NULL};
        size_t nf = 0;
        char *s = line;
        line[strcspn(line, "\r\n")] = '\0';
        while (nf < 16) {
            fields[nf++] = s;
            char *c = strchr(s, ',');
            if (c == NULL) {
                break;
            }
            *c = '\0';
            s = c + 1;
        }
        assert_true(nf >= 8);
        size_t k = 0;
        while (k < ncases && strcmp(case_ids[k], fields[7]) != 0) {
            k++;
        }
        if (k == ncases) {
            assert_true(ncases < cap);
            snprintf(case_ids[ncases], sizeof(case_ids[0]), "%s", fields[7]);
            lens[ncases] = 0;
            ncases++;
        }
        assert_true(lens[k] < 16);
        snprintf(traces[k][lens[k]++], 64, "%s", fields[1]);
    }
    fclose(f);
    return ncases;
}

static void test_replay_running_example(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_shared("models/pm4py_running-example.bpmn"));
    ab_net *n = compile(ctx, m);
    static char traces[16][16][64];
    size_t lens[16];
    size_t ncases = read_running_example(tu_shared("logs/pm4py_running-example.csv"), traces,
                                         lens, 16);
    assert_int_equal(ncases, 6);
    for (size_t c = 0; c < ncases; c++) {
        const char *labels[16];
        for (size_t i = 0; i < lens[c]; i++) {
            labels[i] = traces[c][i];
        }
        assert_int_equal(accepts(n, labels, lens[c]), 1);
        /* Without its last event (a decision's outcome) no case completes. */
        assert_int_equal(accepts(n, labels, lens[c] - 1), 0);
        /* Swapping the first two events breaks every case (register first). */
        const char *tmp = labels[0];
        labels[0] = labels[1];
        labels[1] = tmp;
        assert_int_equal(accepts(n, labels, lens[c]), 0);
    }
    const char *unknown[] = {"register request", "no such activity"};
    assert_int_equal(accepts(n, unknown, 2), 0);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

/* Every variant of a log generated from its map is accepted. */
static void replay_log(const char *model, const char *logfile, const char *ts_col,
                       uint32_t want_cases)
{
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_shared(model));
    ab_net *n = compile(ctx, m);
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    if (ts_col != NULL) {
        ro.csv.timestamp_col = ts_col;
    }
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    const char *paths[1] = {tu_shared(logfile)};
    if (ab_ingest_files(&log, ctx, paths, 1, &ro, &err) != AB_OK) {
        fail_msg("%s: %s", logfile, err.msg);
    }
    assert_int_equal(ab_log_case_count(log), want_cases);
    uint32_t accepted = 0;
    for (uint32_t v = 0; v < ab_log_variant_count(log); v++) {
        uint32_t len = ab_log_variant_length(log, v);
        const uint32_t *acts = ab_log_variant_activities(log, v);
        const char **labels = calloc((size_t)len + 1, sizeof(*labels));
        assert_non_null(labels);
        for (uint32_t i = 0; i < len; i++) {
            labels[i] = ab_log_activity_name(log, acts[i]);
        }
        if (accepts(n, labels, len)) {
            accepted += ab_log_variant_cases(log, v);
        } else {
            fail_msg("%s: variant %u (%u events) rejected", logfile, v, len);
        }
        free(labels);
    }
    assert_int_equal(accepted, want_cases);
    ab_log_destroy(log);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

static void test_replay_logs(void **state)
{
    (void)state;
    /* Case counts as PM4Py reports them (expected/). */
    replay_log("models/pm4py_running-example.bpmn", "logs/pm4py_running-example.xes", NULL, 6);
    replay_log("models/simod_LoanApp_simplified.bpmn", "logs/simod_LoanApp_simplified.csv.gz",
               NULL, 500);
    replay_log("models/simod_branch_rules_or.bpmn", "logs/simod_branch_rules_or_1.csv.gz",
               "end_time", 501);
    replay_log("models/pm4py_a32f0n00.bpmn", "logs/pm4py_09_a32f0n00.xes.gz", NULL, 1000);
    replay_log("models/pm4py_receipt.bpmn", "logs/pm4py_08_receipt.xes.gz", NULL, 1434);
}

/* The log where one approval was removed: 310 cases lack it, and those are
 * exactly the cases the net rejects. */
static void test_replay_bypass(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_shared("models/simod_LoanApp_simplified.bpmn"));
    ab_net *n = compile(ctx, m);
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ab_log *log = NULL;
    const char *paths[1] = {
        tu_shared("logs/simod_LoanApp_simplified_without_approve_loan_offer.csv")};
    assert_int_equal(ab_ingest_files(&log, ctx, paths, 1, &ro, NULL), AB_OK);
    uint32_t rejected = 0;
    for (uint32_t v = 0; v < ab_log_variant_count(log); v++) {
        uint32_t len = ab_log_variant_length(log, v);
        const uint32_t *acts = ab_log_variant_activities(log, v);
        const char *labels[64];
        assert_true(len < 64);
        for (uint32_t i = 0; i < len; i++) {
            labels[i] = ab_log_activity_name(log, acts[i]);
        }
        if (!accepts(n, labels, len)) {
            rejected += ab_log_variant_cases(log, v);
        }
    }
    assert_int_equal(rejected, 310);
    ab_log_destroy(log);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

static void test_mandatory(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_shared("models/pm4py_running-example.bpmn"));
    ab_net *n = compile(ctx, m);
    uint32_t id;
    int out;
    assert_int_equal(ab_net_label_find(n, "register request", &id), AB_OK);
    assert_int_equal(ab_net_label_is_mandatory(n, id, 0, &out, NULL), AB_OK);
    assert_int_equal(out, AB_NET_YES);
    assert_int_equal(ab_net_label_find(n, "decide", &id), AB_OK);
    assert_int_equal(ab_net_label_is_mandatory(n, id, 0, &out, NULL), AB_OK);
    assert_int_equal(out, AB_NET_YES);
    assert_int_equal(ab_net_label_find(n, "reject request", &id), AB_OK);
    assert_int_equal(ab_net_label_is_mandatory(n, id, 0, &out, NULL), AB_OK);
    assert_int_equal(out, AB_NET_NO);
    assert_int_equal(ab_net_label_find(n, "no such step", &id), AB_ENOTFOUND);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

static void test_relabel(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_shared("models/bpic2020_declaration_documents.bpmn"));
    ab_net *n = compile(ctx, m);
    /* The map's three "approve" tasks share one label. */
    assert_int_equal(ab_net_label_count(n), 6);
    const char *acts[] = {
        "Declaration SUBMITTED by EMPLOYEE",        "Declaration APPROVED by ADMINISTRATION",
        "Declaration APPROVED by BUDGET OWNER",     "Declaration FINAL_APPROVED by SUPERVISOR",
        "Declaration APPROVED by PRE_APPROVER",     "Request Payment",
        "Declaration REJECTED by EMPLOYEE",         "Payment Handled",
    };
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = tu_datasets("maps/bpic2020_declaration_documents.map.csv");
    ab_bpmn_mapping *map = NULL;
    ab_error err;
    ab_error_clear(&err);
    if (ab_bpmn_map_create(&map, ctx, ab_net_labels(n), ab_net_label_count(n), acts, 8, &mo,
                           &err) != AB_OK) {
        fail_msg("map: %s", err.msg);
    }
    ab_net *r = NULL;
    assert_int_equal(ab_net_relabel(&r, n, map, NULL), AB_OK);
    /* Each lane's "approve" got its own activity; the director's none. */
    uint32_t approve_tasks = 0, bo = 0, sup = 0, unmapped = 0;
    for (uint32_t t = 0; t < ab_net_transition_count(n); t++) {
        const ab_net_transition *x = ab_net_transition_at(n, t);
        approve_tasks += x->label != NULL && strcmp(x->label, "approve") == 0;
    }
    for (uint32_t t = 0; t < ab_net_transition_count(r); t++) {
        const ab_net_transition *x = ab_net_transition_at(r, t);
        if (x->task == NULL || strcmp(x->task, "approve") != 0) {
            continue;
        }
        assert_non_null(x->lane);
        if (strcmp(x->label, "Declaration APPROVED by BUDGET OWNER") == 0) {
            assert_string_equal(x->lane, "Budget Owner");
            bo++;
        } else if (strcmp(x->label, "Declaration FINAL_APPROVED by SUPERVISOR") == 0) {
            assert_string_equal(x->lane, "Supervisor");
            sup++;
        } else {
            assert_string_equal(x->label, "approve");
            assert_string_equal(x->lane, "Director");
            unmapped++;
        }
    }
    assert_int_equal(approve_tasks, 3);
    assert_int_equal(bo + sup + unmapped, 3);
    assert_int_equal(bo * sup * unmapped, 1);
    int noted_director = 0;
    for (uint32_t i = 0; i < ab_net_warning_count(r); i++) {
        noted_director |= strstr(ab_net_warning_at(r, i)->what, "lane Director") != NULL;
    }
    assert_true(noted_director);
    /* A declaration approved by the budget owner and the supervisor fits;
     * one where the supervisor approves without the budget owner does not
     * (the map asks for the budget owner first). */
    const char *trace[] = {"Declaration SUBMITTED by EMPLOYEE",
                           "Declaration APPROVED by ADMINISTRATION",
                           "Declaration APPROVED by BUDGET OWNER",
                           "Declaration FINAL_APPROVED by SUPERVISOR", "Request Payment"};
    assert_int_equal(accepts(r, trace, 5), 1);
    assert_int_equal(accepts(n, trace, 5), 0);
    const char *bypass[] = {"Declaration SUBMITTED by EMPLOYEE",
                            "Declaration APPROVED by ADMINISTRATION",
                            "Declaration FINAL_APPROVED by SUPERVISOR", "Request Payment"};
    assert_int_equal(accepts(r, bypass, 4), 0);
    ab_net_verdict v;
    assert_int_equal(ab_net_check(r, NULL, &v, NULL), AB_OK);
    assert_int_equal(v.sound, AB_NET_YES);
    ab_net_destroy(r);
    ab_bpmn_map_destroy(map);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

static void test_library_call(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_testdata("net/library/caller.bpmn"));
    ab_bpmn *lib = load(ctx, tu_testdata("net/library/callee.bpmn"));
    ab_net *alone = compile(ctx, m);
    assert_int_equal(ab_net_approximation_count(alone), 1);
    assert_non_null(strstr(ab_net_approximation_at(alone, 0)->what, "not in this file"));
    const char *as_step[] = {"Check order", "Ship"};
    assert_int_equal(accepts(alone, as_step, 2), 1);
    ab_net_options o = AB_NET_OPTIONS_INIT;
    const ab_bpmn *libs[1] = {lib};
    o.library = libs;
    o.library_count = 1;
    ab_net *n = NULL;
    assert_int_equal(ab_net_compile(&n, ctx, m, &o, NULL), AB_OK);
    assert_int_equal(ab_net_approximation_count(n), 0);
    const char *inlined[] = {"Check stock", "Check payment", "Ship"};
    assert_int_equal(accepts(n, inlined, 3), 1);
    assert_int_equal(accepts(n, as_step, 2), 0);
    /* Elements of the called map carry its ids, with no index in the caller. */
    int seen = 0;
    for (uint32_t t = 0; t < ab_net_transition_count(n); t++) {
        const ab_net_transition *x = ab_net_transition_at(n, t);
        if (x->label != NULL && strcmp(x->label, "Check stock") == 0) {
            assert_string_equal(x->element_id, "stock");
            assert_int_equal(x->element, AB_BPMN_NONE);
            seen = 1;
        }
    }
    assert_true(seen);
    ab_net_destroy(n);
    ab_net_destroy(alone);
    ab_bpmn_destroy(lib);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

static void test_state_limit(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = load(ctx, tu_shared("models/pm4py_a32f0n00.bpmn"));
    ab_net *n = compile(ctx, m);
    ab_net_check_options co = AB_NET_CHECK_OPTIONS_INIT;
    co.max_states = 50;
    ab_net_verdict v;
    assert_int_equal(ab_net_check(n, &co, &v, NULL), AB_OK);
    assert_int_equal(v.sound, AB_NET_UNKNOWN);
    assert_int_equal(v.bounded, AB_NET_UNKNOWN);
    assert_non_null(strstr(v.reason, "state limit"));
    /* The replay too has a limit, and says so. */
    ab_net_replay_options ro = AB_NET_REPLAY_OPTIONS_INIT;
    ro.max_states = 2;
    uint32_t id;
    assert_int_equal(ab_net_label_find(n, ab_net_label(n, 0), &id), AB_OK);
    int acc = 0;
    ab_error err;
    ab_error_clear(&err);
    const ab_net_transition *first = NULL;
    for (uint32_t t = 0; t < ab_net_transition_count(n) && first == NULL; t++) {
        if (ab_net_transition_at(n, t)->label != NULL) {
            first = ab_net_transition_at(n, t);
        }
    }
    assert_non_null(first);
    const char *one[] = {first->label};
    int rc = ab_net_accepts(n, one, 1, &ro, &acc, &err);
    assert_true(rc == AB_ELIMIT || rc == AB_OK);
    if (rc == AB_ELIMIT) {
        assert_non_null(strstr(err.msg, "max_states"));
    }
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

/* Same input, same net: names, order and arcs. */
static void dump(const ab_net *n, char *buf, size_t cap)
{
    size_t o = 0;
    for (uint32_t t = 0; t < ab_net_transition_count(n) && o + 256 < cap; t++) {
        const ab_net_transition *x = ab_net_transition_at(n, t);
        o += (size_t)snprintf(buf + o, cap - o, "%s|%s|", x->name, x->label ? x->label : "");
        for (uint32_t i = 0; i < x->in_count; i++) {
            o += (size_t)snprintf(buf + o, cap - o, "%u*%u,", x->in[i].place, x->in[i].weight);
        }
        for (uint32_t i = 0; i < x->out_count; i++) {
            o += (size_t)snprintf(buf + o, cap - o, ">%u*%u,", x->out[i].place,
                                  x->out[i].weight);
        }
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    static char a[1 << 20], b[1 << 20];
    const char *files[] = {"models/miwg_Reference_B.2.0.bpmn", "models/simod_branch_rules_or.bpmn",
                           "models/bpmnjs_kitchen-sink.bpmn"};
    for (size_t k = 0; k < 3; k++) {
        ab_bpmn *m1 = load(ctx, tu_shared(files[k]));
        ab_bpmn *m2 = load(ctx, tu_shared(files[k]));
        ab_net *n1 = compile(ctx, m1), *n2 = compile(ctx, m2);
        dump(n1, a, sizeof(a));
        dump(n2, b, sizeof(b));
        assert_string_equal(a, b);
        ab_net_destroy(n1);
        ab_net_destroy(n2);
        ab_bpmn_destroy(m1);
        ab_bpmn_destroy(m2);
    }
    ab_ctx_destroy(ctx);
}

/* Every allocation of a compile, a check and a replay may fail cleanly. */
static void test_alloc_failures(void **state)
{
    (void)state;
    const char *files[] = {"subprocess_cancel.bpmn", "terminate.bpmn", "or_block.bpmn",
                           "event_subprocess.bpmn"};
    for (size_t k = 0; k < 4; k++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s", tu_testdata("net"));
        size_t len = strlen(path);
        snprintf(path + len, sizeof(path) - len, "/%s", files[k]);
        ab_ctx *plain = tu_ctx();
        ab_bpmn *m = load(plain, path);
        for (uint64_t fail = 1;; fail++) {
            tu_alloc a = {0, fail, 0, 0};
            ab_ctx *ctx = tu_ctx_counting(&a);
            ab_net *n = NULL;
            int rc = ab_net_compile(&n, ctx, m, NULL, NULL);
            ab_net_verdict v;
            int acc = 0;
            const char *tr[] = {"A"};
            if (rc == AB_OK) {
                rc = ab_net_check(n, NULL, &v, NULL);
            }
            if (rc == AB_OK) {
                rc = ab_net_accepts(n, tr, 1, NULL, &acc, NULL);
            }
            for (uint32_t l = 0; rc == AB_OK && l < ab_net_label_count(n); l++) {
                int mand = 0;
                rc = ab_net_label_is_mandatory(n, l, 0, &mand, NULL);
            }
            ab_net_destroy(n);
            ab_ctx_destroy(ctx);
            assert_int_equal(a.live, 0);
            if (a.failed == 0) {
                assert_int_equal(rc, AB_OK);
                break;
            }
            assert_int_equal(rc, AB_ENOMEM);
        }
        ab_bpmn_destroy(m);
        ab_ctx_destroy(plain);
    }
}

/* Reading, compiling and relabelling under allocation failures (the copy is
 * allocated through the source net's context). */
static void test_relabel_alloc_failures(void **state)
{
    (void)state;
    ab_ctx *plain = tu_ctx();
    ab_bpmn *m = load(plain, tu_shared("models/pm4py_running-example.bpmn"));
    ab_net *n = compile(plain, m);
    const char *acts[] = {"register request", "decide", "Decide again"};
    ab_bpmn_mapping *map = NULL;
    assert_int_equal(ab_bpmn_map_create(&map, plain, ab_net_labels(n), ab_net_label_count(n), acts,
                                        3, NULL, NULL),
                     AB_OK);
    for (uint64_t fail = 1;; fail++) {
        tu_alloc a = {0, fail, 0, 0};
        ab_ctx *ctx = tu_ctx_counting(&a);
        ab_net *c = NULL;
        ab_bpmn *m2 = NULL;
        int rc = ab_bpmn_read(&m2, ctx, tu_shared("models/pm4py_running-example.bpmn"), NULL,
                              NULL);
        ab_net *src = NULL;
        if (rc == AB_OK) {
            rc = ab_net_compile(&src, ctx, m2, NULL, NULL);
        }
        if (rc == AB_OK) {
            rc = ab_net_relabel(&c, src, map, NULL);
        }
        if (rc == AB_OK) {
            assert_int_equal(ab_net_transition_count(c), ab_net_transition_count(src));
        }
        ab_net_destroy(c);
        ab_net_destroy(src);
        ab_bpmn_destroy(m2);
        ab_ctx_destroy(ctx);
        assert_int_equal(a.live, 0);
        if (a.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    ab_bpmn_map_destroy(map);
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(plain);
}

/* Named intermediate events can be made visible steps. */
static void test_visible_events(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *xml =
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">"
        "<process id=\"p\"><startEvent id=\"s\"/><task id=\"a\" name=\"A\"/>"
        "<intermediateCatchEvent id=\"m\" name=\"Payment\n received\">"
        "<messageEventDefinition/></intermediateCatchEvent>"
        "<task id=\"b\" name=\"B\"/><endEvent id=\"e\"/>"
        "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"a\"/>"
        "<sequenceFlow id=\"f2\" sourceRef=\"a\" targetRef=\"m\"/>"
        "<sequenceFlow id=\"f3\" sourceRef=\"m\" targetRef=\"b\"/>"
        "<sequenceFlow id=\"f4\" sourceRef=\"b\" targetRef=\"e\"/></process></definitions>";
    ab_bpmn *m = NULL;
    assert_int_equal(ab_bpmn_read_memory(&m, ctx, xml, strlen(xml), "events.bpmn", NULL, NULL),
                     AB_OK);
    ab_net *n = compile(ctx, m);
    const char *silent[] = {"A", "B"};
    const char *visible[] = {"A", "Payment received", "B"};
    assert_int_equal(accepts(n, silent, 2), 1);
    assert_int_equal(accepts(n, visible, 3), 0);
    ab_net_destroy(n);
    ab_net_options o = AB_NET_OPTIONS_INIT;
    o.visible_events = 1;
    assert_int_equal(ab_net_compile(&n, ctx, m, &o, NULL), AB_OK);
    assert_int_equal(accepts(n, silent, 2), 0);
    assert_int_equal(accepts(n, visible, 3), 1);
    assert_int_equal(ab_net_label_count(n), 3);
    ab_net_destroy(n);
    /* A process that is not there. */
    o.process_id = "nope";
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab_net_compile(&n, ctx, m, &o, &err), AB_ENOTFOUND);
    assert_null(n);
    assert_non_null(strstr(err.msg, "nope"));
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

/* ---- Wide maps ---- */

/* start -> AND split -> n one-task branches -> AND join -> end. */
static ab_net *parallel_net(ab_ctx *ctx, unsigned branches)
{
    size_t cap = 512 + (size_t)branches * 200, o = 0;
    char *x = malloc(cap);
    assert_non_null(x);
    o += (size_t)snprintf(x + o, cap - o,
                          "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
                          "id=\"d\"><process id=\"p\"><startEvent id=\"s\"/>"
                          "<parallelGateway id=\"g1\"/><parallelGateway id=\"g2\"/>"
                          "<endEvent id=\"e\"/>"
                          "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"g1\"/>"
                          "<sequenceFlow id=\"f2\" sourceRef=\"g2\" targetRef=\"e\"/>");
    for (unsigned k = 0; k < branches; k++) {
        o += (size_t)snprintf(x + o, cap - o,
                              "<task id=\"t%u\" name=\"T%u\"/>"
                              "<sequenceFlow id=\"a%u\" sourceRef=\"g1\" targetRef=\"t%u\"/>"
                              "<sequenceFlow id=\"b%u\" sourceRef=\"t%u\" targetRef=\"g2\"/>",
                              k, k, k, k, k, k);
    }
    snprintf(x + o, cap - o, "</process></definitions>");
    ab_bpmn *m = NULL;
    assert_int_equal(ab_bpmn_read_memory(&m, ctx, x, strlen(x), "wide.bpmn", NULL, NULL), AB_OK);
    ab_net *n = compile(ctx, m);
    ab_bpmn_destroy(m);
    free(x);
    return n;
}

/* More tokens than any fixed buffer held: never "unbounded" from a count,
 * and the budget is what stops the check. */
static void test_wide_not_unbounded(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_net *n = parallel_net(ctx, 10000);
    ab_net_check_options co = AB_NET_CHECK_OPTIONS_INIT;
    co.max_memory = (uint64_t)16 << 20;
    ab_net_verdict v;
    assert_int_equal(ab_net_check(n, &co, &v, NULL), AB_OK);
    assert_int_equal(v.bounded, AB_NET_UNKNOWN);
    assert_int_equal(v.sound, AB_NET_UNKNOWN);
    assert_int_equal(v.option_to_complete, AB_NET_UNKNOWN);
    assert_non_null(strstr(v.reason, "not decided within the budget"));
    assert_non_null(strstr(v.reason, "16 MiB"));
    /* 10,000 tokens of 1-safe markings are stored as bitsets: thousands of
     * markings fit in 16 MiB (as sorted arrays of 40 KB, about 400). */
    assert_true(v.states > 4000);
    ab_net_destroy(n);
    /* The replay follows markings of any size (it stopped at 8,160 tokens). */
    n = parallel_net(ctx, 8300);
    const char **labels = malloc(sizeof(char *) * 8300);
    char(*names)[16] = malloc(16 * 8300);
    assert_true(labels != NULL && names != NULL);
    for (unsigned k = 0; k < 8300; k++) {
        snprintf(names[k], 16, "T%u", (k * 7919u) % 8300u);
        labels[k] = names[k];
    }
    int acc = 0;
    assert_int_equal(ab_net_accepts(n, labels, 8300, NULL, &acc, NULL), AB_OK);
    assert_int_equal(acc, 1);
    assert_int_equal(ab_net_accepts(n, labels, 8299, NULL, &acc, NULL), AB_OK);
    assert_int_equal(acc, 0);
    free(labels);
    free(names);
    ab_net_destroy(n);
    /* A small parallel map is decided, and sound. */
    n = parallel_net(ctx, 8);
    assert_int_equal(ab_net_check(n, NULL, &v, NULL), AB_OK);
    assert_int_equal(v.sound, AB_NET_YES);
    assert_int_equal(v.states, 256 + 4);
    ab_net_destroy(n);
    ab_ctx_destroy(ctx);
}

/* A net that really is unbounded is said to be so, by a covering marking. */
static void test_unbounded_by_covering(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* A loop whose body forks a token that nothing joins. */
    const char *xml =
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">"
        "<process id=\"p\"><startEvent id=\"s\"/><exclusiveGateway id=\"m\"/>"
        "<parallelGateway id=\"fork\"/><task id=\"a\" name=\"A\"/>"
        "<exclusiveGateway id=\"x\"/><task id=\"b\" name=\"B\"/><endEvent id=\"e1\"/>"
        "<endEvent id=\"e2\"/>"
        "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"m\"/>"
        "<sequenceFlow id=\"f2\" sourceRef=\"m\" targetRef=\"fork\"/>"
        "<sequenceFlow id=\"f3\" sourceRef=\"fork\" targetRef=\"a\"/>"
        "<sequenceFlow id=\"f4\" sourceRef=\"fork\" targetRef=\"b\"/>"
        "<sequenceFlow id=\"f5\" sourceRef=\"a\" targetRef=\"x\"/>"
        "<sequenceFlow id=\"f6\" sourceRef=\"x\" targetRef=\"m\"/>"
        "<sequenceFlow id=\"f7\" sourceRef=\"x\" targetRef=\"e1\"/>"
        "<sequenceFlow id=\"f8\" sourceRef=\"b\" targetRef=\"e2\"/></process></definitions>";
    ab_bpmn *m = NULL;
    assert_int_equal(ab_bpmn_read_memory(&m, ctx, xml, strlen(xml), "grow.bpmn", NULL, NULL),
                     AB_OK);
    ab_net *n = compile(ctx, m);
    ab_net_verdict v;
    assert_int_equal(ab_net_check(n, NULL, &v, NULL), AB_OK);
    assert_int_equal(v.bounded, AB_NET_NO);
    assert_int_equal(v.sound, AB_NET_NO);
    assert_non_null(strstr(v.reason, "covers"));
    ab_net_destroy(n);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

/* The cheap proofs of ab_net_label_is_mandatory agree with the exploration
 * of every marking, for every label of every shared map; on a wide map they
 * answer where the exploration cannot. */
static void test_mandatory_proofs(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    uint32_t compared = 0, yes = 0, no = 0;
    for (size_t k = 0; k < sizeof(shared_maps) / sizeof(shared_maps[0]); k++) {
        const char *path = tu_shared(shared_maps[k].file);
        if (!tu_exists(path)) {
            continue;
        }
        ab_bpmn *m = load(ctx, path);
        ab_net *n = compile(ctx, m);
        uint8_t *allow = malloc((size_t)ab_net_transition_count(n) + 1);
        assert_non_null(allow);
        for (uint32_t l = 0; l < ab_net_label_count(n); l++) {
            for (uint32_t t = 0; t < ab_net_transition_count(n); t++) {
                allow[t] = ab_net_transition_at(n, t)->label_id != l;
            }
            ab__mstore st;
            assert_int_equal(ab__mstore_init(&st, ctx), AB_OK);
            int complete = 0, reached = 0;
            uint32_t src = ab_net_source(n);
            assert_int_equal(
                ab__net_explore(n, allow, NULL, &src, 1, 1000000, &st, NULL, &complete, NULL),
                AB_OK);
            for (uint32_t s = 0; s < st.count && !reached; s++) {
                uint32_t len;
                const uint32_t *mk = ab__mstore_get(&st, s, &len);
                reached = len == 1 && mk[0] == ab_net_sink(n);
            }
            ab__mstore_finish(&st);
            int want = reached ? AB_NET_NO : complete ? AB_NET_YES : AB_NET_UNKNOWN;
            /* With a limit of one marking, only the proofs can answer. */
            int proof = AB_NET_UNKNOWN, got = AB_NET_UNKNOWN;
            assert_int_equal(ab_net_label_is_mandatory(n, l, 1, &proof, NULL), AB_OK);
            assert_int_equal(ab_net_label_is_mandatory(n, l, 1000000, &got, NULL), AB_OK);
            if (want != AB_NET_UNKNOWN) {
                if (got != want || (proof != want && proof != AB_NET_UNKNOWN)) {
                    fail_msg("%s: label '%s': %d (proofs alone %d), the exploration says %d", path,
                             ab_net_label(n, l), got, proof, want);
                }
                compared++;
                yes += proof == AB_NET_YES;
                no += proof == AB_NET_NO;
            }
        }
        free(allow);
        ab_net_destroy(n);
        ab_bpmn_destroy(m);
    }
    print_message("  mandatory: %u labels compared, proved without exploring: %u mandatory, "
                  "%u not\n",
                  compared, yes, no);
    assert_true(compared > 100 && yes > 10 && no > 10);
    /* 5,000 branches: each task is mandatory, and a proof says so at once. */
    ab_net *w = parallel_net(ctx, 5000);
    uint32_t id;
    assert_int_equal(ab_net_label_find(w, "T4321", &id), AB_OK);
    int got = AB_NET_UNKNOWN;
    assert_int_equal(ab_net_label_is_mandatory(w, id, 1, &got, NULL), AB_OK);
    assert_int_equal(got, AB_NET_YES);
    ab_net_destroy(w);
    ab_ctx_destroy(ctx);
}

/* ---- Values past libxml2's size limits: the limit and where ---- */

static void test_huge_values(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t big = (size_t)11 * 1000 * 1000;
    char *x = malloc(big + 1024);
    assert_non_null(x);
    /* BPMN: an 11 MB name attribute on line 3. */
    size_t o = (size_t)sprintf(x, "<?xml version=\"1.0\"?>\n<definitions "
                                  "xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
                                  "id=\"d\"><process id=\"p\">\n  <task id=\"t\" name=\"");
    size_t task_at = (size_t)(strstr(x, "<task") - x);
    memset(x + o, 'x', big);
    o += big;
    o += (size_t)sprintf(x + o, "\"/></process></definitions>\n");
    ab_bpmn *m = NULL;
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab_bpmn_read_memory(&m, ctx, x, o, "huge.bpmn", NULL, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "limit of 10000000 bytes"));
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 3);
    assert_true(err.has_offset);
    assert_int_equal(err.offset, task_at);
    /* XES: an 11 MB attribute value on line 4. */
    o = (size_t)sprintf(x, "<?xml version=\"1.0\"?>\n<log xes.version=\"1.0\">\n<trace>\n"
                           "<string key=\"concept:name\" value=\"");
    size_t string_at = (size_t)(strstr(x, "<string") - x);
    memset(x + o, 'x', big);
    o += big;
    o += (size_t)sprintf(x + o, "\"/></trace></log>\n");
    ab_input *in = NULL;
    assert_int_equal(ab_input_open_memory(&in, ctx, x, o, "huge.xes", NULL), AB_OK);
    ab_log_builder *b = NULL;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    ab_error_clear(&err);
    assert_int_equal(ab_xes_read(b, in, NULL, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "limit of 10000000 bytes"));
    assert_int_equal(err.line, 4);
    assert_true(err.has_offset);
    assert_int_equal(err.offset, string_at);
    ab_log_builder_destroy(b);
    ab_input_destroy(in);
    free(x);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_shared_maps),
        cmocka_unit_test(test_replay_running_example),
        cmocka_unit_test(test_replay_logs),
        cmocka_unit_test(test_replay_bypass),
        cmocka_unit_test(test_mandatory),
        cmocka_unit_test(test_relabel),
        cmocka_unit_test(test_library_call),
        cmocka_unit_test(test_state_limit),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_relabel_alloc_failures),
        cmocka_unit_test(test_visible_events),
        cmocka_unit_test(test_wide_not_unbounded),
        cmocka_unit_test(test_unbounded_by_covering),
        cmocka_unit_test(test_mandatory_proofs),
        cmocka_unit_test(test_huge_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
