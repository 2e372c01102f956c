/*
 * tools/cmd_model.c: `asbuilt model MAP.bpmn`: what asbuilt understood of a
 * documented map: elements by kind, pools and lanes, the compiled net's size,
 * the soundness verdict, every approximation and warning, and with --log the
 * label mapping between the map's tasks and the log's activities. Text by
 * default, --json for scripts; output is deterministic.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/bpmn.h"
#include "asbuilt/net.h"
#include "cli.h"

static const char help[] =
    "usage: asbuilt model [options] MAP.bpmn\n"
    "\n"
    "Shows what asbuilt understood of a documented BPMN map: elements by kind, pools\n"
    "and lanes, the size of the Petri net it compiles to, whether that net is sound,\n"
    "every construct it had to approximate and every warning (dangling flows,\n"
    "unreachable nodes, nodes that cannot reach an end, duplicate ids). With --log,\n"
    "also how the map's task names map to the log's activities.\n"
    "\n"
    "Options:\n"
    "  --json                  machine-readable output\n"
    "  --log LOG               an event log to map the tasks to (repeatable: several\n"
    "                          files form one log)\n"
    "  --map FILE              CSV of task,activity[,lane] lines (a task may map to\n"
    "                          several activities and several tasks to one; a lane\n"
    "                          limits a line to the task in that lane)\n"
    "  --model OTHER.bpmn      another map whose processes call activities may call\n"
    "                          (repeatable)\n"
    "  --process ID            compile only this process (default: every pool)\n"
    "  --model-memory SIZE     memory the soundness check may use for the reachable\n"
    "                          markings, in bytes with an optional K, M or G suffix\n"
    "                          (default 256M); past it the verdict is \"not decided\n"
    "                          within the budget\"\n"
    "  --max-states N          also stop after N reachable markings, which bounds the\n"
    "                          time (default 200000; 0 = no limit)\n"
    "  -o, --output FILE       write to FILE (atomically) instead of stdout\n"
    "  -q, --quiet             no progress display\n"
    "  -h, --help              this help\n"
    "\n"
    "%s"
    "\n"
    "Exit codes: 0 ok, 2 usage, 3 bad data (a map or log that cannot be read),\n"
    "4 I/O or internal error.\n"
    "\n"
    "Example:\n"
    "  asbuilt model datasets/models/pm4py_running-example.bpmn\n"
    "  asbuilt model --json --log log.xes.gz --map tasks.csv declaration.bpmn\n";

/* Output with a sticky error, so that rendering is one line per item. */
typedef struct writer {
    ab_buf *buf;
    ab_ctx *ctx;
    int rc;
} writer;

static void w_printf(writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void w_printf(writer *w, const char *fmt, ...)
{
    if (w->rc != AB_OK) {
        return;
    }
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->rc = AB_ERROR;
        return;
    }
    if ((size_t)n >= sizeof(tmp)) {
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            w->rc = AB_ENOMEM;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        w->rc = ab_buf_append(w->buf, w->ctx, big, (size_t)n);
        free(big);
        return;
    }
    w->rc = ab_buf_append(w->buf, w->ctx, tmp, (size_t)n);
}

/* A JSON string literal, quotes included; NULL becomes null. */
static void w_str(writer *w, const char *s)
{
    if (w->rc == AB_OK) {
        w->rc = ab_buf_append_json_string(w->buf, w->ctx, s);
    }
}

static const char *tri_json(int v)
{
    return v == AB_NET_YES ? "true" : v == AB_NET_NO ? "false" : "null";
}

static const char *tri_text(int v)
{
    return v == AB_NET_YES ? "yes" : v == AB_NET_NO ? "no" : "unknown";
}

/* Everything the report shows. */
typedef struct model_view {
    const char *file;
    const ab_bpmn *m;
    const ab_net *net;
    const ab_net_verdict *v;
    const ab_bpmn_mapping *map; /* NULL without --log. */
    const ab_net *notes;        /* The net whose warnings are shown (relabelled with --log). */
    uint32_t visible;
} model_view;

static uint32_t event_count(const ab_bpmn *m)
{
    return ab_bpmn_count(m, AB_BPMN_START_EVENT, -1) + ab_bpmn_count(m, AB_BPMN_END_EVENT, -1) +
           ab_bpmn_count(m, AB_BPMN_CATCH_EVENT, -1) + ab_bpmn_count(m, AB_BPMN_THROW_EVENT, -1) +
           ab_bpmn_count(m, AB_BPMN_BOUNDARY_EVENT, -1);
}

static uint32_t events_with_def(const ab_bpmn *m, ab_bpmn_event_def d)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
        const ab_bpmn_node *n = ab_bpmn_node_at(m, i);
        if (n->kind >= AB_BPMN_START_EVENT && n->kind <= AB_BPMN_BOUNDARY_EVENT &&
            n->event == d) {
            c++;
        }
    }
    return c;
}

static void render_json(writer *w, const model_view *mv)
{
    const ab_bpmn *m = mv->m;
    w_printf(w, "{\n  \"schema\": \"asbuilt.model/1\",\n  \"file\": ");
    w_str(w, mv->file);
    w_printf(w, ",\n  \"exporter\": ");
    w_str(w, ab_bpmn_exporter(m));
    w_printf(w, ",\n  \"processes\": [");
    for (uint32_t i = 0; i < ab_bpmn_process_count(m); i++) {
        const ab_bpmn_process *p = ab_bpmn_process_at(m, i);
        w_printf(w, "%s\n    {\"id\": ", i ? "," : "");
        w_str(w, p->id);
        w_printf(w, ", \"name\": ");
        w_str(w, p->name);
        w_printf(w, ", \"pool\": ");
        w_str(w, *p->participant_name ? p->participant_name : NULL);
        w_printf(w, ", \"nodes\": %u}", p->node_count);
    }
    w_printf(w, "%s],\n", ab_bpmn_process_count(m) ? "\n  " : "");
    uint32_t tasks = ab_bpmn_count(m, AB_BPMN_TASK, -1);
    uint32_t calls = ab_bpmn_count(m, AB_BPMN_CALL_ACTIVITY, -1);
    w_printf(w, "  \"tasks\": {\"total\": %u", tasks + calls);
    for (int t = 0; t < AB_BPMN_TASK__COUNT; t++) {
        w_printf(w, ", \"%s\": %u", ab_bpmn_task_type_name((ab_bpmn_task_type)t),
                 ab_bpmn_count(m, AB_BPMN_TASK, t));
    }
    w_printf(w, ", \"callActivity\": %u},\n", calls);
    w_printf(w, "  \"subprocesses\": {\"total\": %u", ab_bpmn_count(m, AB_BPMN_SUBPROCESS, -1));
    for (int t = 0; t < AB_BPMN_SUB__COUNT; t++) {
        w_printf(w, ", \"%s\": %u", ab_bpmn_sub_type_name((ab_bpmn_sub_type)t),
                 ab_bpmn_count(m, AB_BPMN_SUBPROCESS, t));
    }
    w_printf(w, "},\n  \"gateways\": {\"total\": %u", ab_bpmn_count(m, AB_BPMN_GATEWAY, -1));
    for (int t = 0; t < AB_BPMN_GW__COUNT; t++) {
        w_printf(w, ", \"%s\": %u", ab_bpmn_gateway_type_name((ab_bpmn_gateway_type)t),
                 ab_bpmn_count(m, AB_BPMN_GATEWAY, t));
    }
    w_printf(w,
             "},\n  \"events\": {\"total\": %u, \"start\": %u, \"end\": %u, "
             "\"intermediateCatch\": %u, \"intermediateThrow\": %u, \"boundary\": %u, "
             "\"definitions\": {",
             event_count(m), ab_bpmn_count(m, AB_BPMN_START_EVENT, -1),
             ab_bpmn_count(m, AB_BPMN_END_EVENT, -1), ab_bpmn_count(m, AB_BPMN_CATCH_EVENT, -1),
             ab_bpmn_count(m, AB_BPMN_THROW_EVENT, -1),
             ab_bpmn_count(m, AB_BPMN_BOUNDARY_EVENT, -1));
    for (int d = 0; d < AB_BPMN_EV__COUNT; d++) {
        w_printf(w, "%s\"%s\": %u", d ? ", " : "", ab_bpmn_event_def_name((ab_bpmn_event_def)d),
                 events_with_def(m, (ab_bpmn_event_def)d));
    }
    w_printf(w, "}},\n  \"flows\": {\"sequence\": %u, \"message\": %u},\n",
             ab_bpmn_flow_count(m), ab_bpmn_message_flow_count(m));
    w_printf(w, "  \"lanes\": [");
    for (uint32_t i = 0; i < ab_bpmn_lane_count(m); i++) {
        const ab_bpmn_lane *l = ab_bpmn_lane_at(m, i);
        w_printf(w, "%s\n    {\"id\": ", i ? "," : "");
        w_str(w, l->id);
        w_printf(w, ", \"name\": ");
        w_str(w, l->name);
        w_printf(w, ", \"parent\": ");
        w_str(w, l->parent != AB_BPMN_NONE ? ab_bpmn_lane_at(m, l->parent)->id : NULL);
        w_printf(w, ", \"nodes\": %u}", l->node_count);
    }
    w_printf(w, "%s],\n", ab_bpmn_lane_count(m) ? "\n  " : "");
    w_printf(w, "  \"ignored\": {");
    for (uint32_t i = 0; i < ab_bpmn_ignored_count(m); i++) {
        w_printf(w, "%s", i ? ", " : "");
        w_str(w, ab_bpmn_ignored_name(m, i));
        w_printf(w, ": %u", ab_bpmn_ignored_elements(m, i));
    }
    w_printf(w, "},\n  \"diagram\": {\"shapes\": %u, \"edges\": %u},\n", ab_bpmn_shape_count(m),
             ab_bpmn_edge_count(m));
    const ab_net *net = mv->net;
    w_printf(w,
             "  \"net\": {\"places\": %u, \"transitions\": %u, \"visible\": %u, \"silent\": %u, "
             "\"arcs\": %llu, \"labels\": %u},\n",
             ab_net_place_count(net), ab_net_transition_count(net), mv->visible,
             ab_net_transition_count(net) - mv->visible,
             (unsigned long long)ab_net_arc_count(net), ab_net_label_count(net));
    const ab_net_verdict *v = mv->v;
    w_printf(w, "  \"sound\": %s,\n", tri_json(v->sound));
    w_printf(w,
             "  \"soundness\": {\"bounded\": %s, \"safe\": %s, \"option_to_complete\": %s, "
             "\"proper_completion\": %s, \"no_dead_transitions\": %s, \"states\": %llu, "
             "\"reason\": ",
             tri_json(v->bounded), tri_json(v->safe), tri_json(v->option_to_complete),
             tri_json(v->proper_completion), tri_json(v->no_dead_transitions),
             (unsigned long long)v->states);
    w_str(w, v->reason[0] ? v->reason : NULL);
    w_printf(w, "},\n  \"approximations\": [");
    for (uint32_t i = 0; i < ab_net_approximation_count(net); i++) {
        const ab_net_note *a = ab_net_approximation_at(net, i);
        w_printf(w, "%s\n    {\"element_id\": ", i ? "," : "");
        w_str(w, a->element_id);
        w_printf(w, ", \"what\": ");
        w_str(w, a->what);
        w_printf(w, "}");
    }
    w_printf(w, "%s],\n  \"warnings\": [", ab_net_approximation_count(net) ? "\n  " : "");
    uint32_t nw = 0;
    for (uint32_t i = 0; i < ab_bpmn_issue_count(m); i++, nw++) {
        const ab_bpmn_issue *is = ab_bpmn_issue_at(m, i);
        w_printf(w, "%s\n    {\"element_id\": ", nw ? "," : "");
        w_str(w, is->element_id);
        w_printf(w, ", \"kind\": ");
        w_str(w, ab_bpmn_issue_kind_name(is->kind));
        w_printf(w, ", \"line\": %llu, \"what\": ", (unsigned long long)is->line);
        w_str(w, is->what);
        w_printf(w, "}");
    }
    for (uint32_t i = 0; i < ab_net_warning_count(mv->notes); i++, nw++) {
        const ab_net_note *a = ab_net_warning_at(mv->notes, i);
        w_printf(w, "%s\n    {\"element_id\": ", nw ? "," : "");
        w_str(w, a->element_id);
        w_printf(w, ", \"kind\": \"compile\", \"line\": 0, \"what\": ");
        w_str(w, a->what);
        w_printf(w, "}");
    }
    w_printf(w, "%s]", nw ? "\n  " : "");
    if (mv->map != NULL) {
        const ab_bpmn_mapping *map = mv->map;
        w_printf(w, ",\n  \"mapping\": {\n    \"pairs\": [");
        for (uint32_t i = 0; i < ab_bpmn_map_pair_count(map); i++) {
            const ab_bpmn_map_pair *p = ab_bpmn_map_pair_at(map, i);
            w_printf(w, "%s\n      {\"task\": ", i ? "," : "");
            w_str(w, p->task);
            w_printf(w, ", \"activity\": ");
            w_str(w, p->activity);
            w_printf(w, ", \"lane\": ");
            w_str(w, p->lane);
            w_printf(w, ", \"how\": \"%s\"}", ab_bpmn_map_how_name(p->how));
        }
        w_printf(w, "%s],\n    \"unmapped_tasks\": [",
                 ab_bpmn_map_pair_count(map) ? "\n    " : "");
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_task_count(map); i++) {
            w_printf(w, "%s", i ? ", " : "");
            w_str(w, ab_bpmn_map_unmapped_task(map, i));
        }
        w_printf(w, "],\n    \"unmapped_activities\": [");
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_activity_count(map); i++) {
            w_printf(w, "%s", i ? ", " : "");
            w_str(w, ab_bpmn_map_unmapped_activity(map, i));
        }
        w_printf(w, "],\n    \"suggestions\": [");
        for (uint32_t i = 0; i < ab_bpmn_map_suggestion_count(map); i++) {
            const ab_bpmn_map_suggestion *s = ab_bpmn_map_suggestion_at(map, i);
            w_printf(w, "%s\n      {\"task\": ", i ? "," : "");
            w_str(w, s->task);
            w_printf(w, ", \"activity\": ");
            w_str(w, s->activity);
            w_printf(w, ", \"score\": %.3f}", s->score);
        }
        w_printf(w, "%s],\n    \"warnings\": [", ab_bpmn_map_suggestion_count(map) ? "\n    " : "");
        for (uint32_t i = 0; i < ab_bpmn_map_warning_count(map); i++) {
            w_printf(w, "%s", i ? ", " : "");
            w_str(w, ab_bpmn_map_warning(map, i));
        }
        w_printf(w, "]\n  }");
    }
    w_printf(w, "\n}\n");
}

/* "name 3, other 1" for the non-zero counts of a kind. */
static void type_list(writer *w, const ab_bpmn *m, ab_bpmn_kind kind, int ntypes,
                      const char *(*name)(int))
{
    int first = 1;
    for (int t = 0; t < ntypes; t++) {
        uint32_t c = ab_bpmn_count(m, kind, t);
        if (c > 0) {
            w_printf(w, "%s%s %u", first ? " (" : ", ", name(t), c);
            first = 0;
        }
    }
    w_printf(w, "%s\n", first ? "" : ")");
}

static const char *task_name(int t)
{
    return ab_bpmn_task_type_name((ab_bpmn_task_type)t);
}

static const char *sub_name(int t)
{
    return ab_bpmn_sub_type_name((ab_bpmn_sub_type)t);
}

static const char *gw_name(int t)
{
    return ab_bpmn_gateway_type_name((ab_bpmn_gateway_type)t);
}

static void render_text(writer *w, const model_view *mv)
{
    const ab_bpmn *m = mv->m;
    const ab_net *net = mv->net;
    w_printf(w, "map: %s", mv->file);
    if (*ab_bpmn_exporter(m)) {
        w_printf(w, " (exported by %s)", ab_bpmn_exporter(m));
    }
    w_printf(w, "\nprocesses: %u\n", ab_bpmn_process_count(m));
    for (uint32_t i = 0; i < ab_bpmn_process_count(m); i++) {
        const ab_bpmn_process *p = ab_bpmn_process_at(m, i);
        w_printf(w, "  %s%s%s%s%s: %u nodes\n", p->id, *p->name ? " \"" : "", p->name,
                 *p->name ? "\"" : "", *p->participant_name ? " (pool)" : "", p->node_count);
    }
    w_printf(w, "tasks: %u", ab_bpmn_count(m, AB_BPMN_TASK, -1));
    type_list(w, m, AB_BPMN_TASK, AB_BPMN_TASK__COUNT, task_name);
    w_printf(w, "call activities: %u\n", ab_bpmn_count(m, AB_BPMN_CALL_ACTIVITY, -1));
    w_printf(w, "sub-processes: %u", ab_bpmn_count(m, AB_BPMN_SUBPROCESS, -1));
    type_list(w, m, AB_BPMN_SUBPROCESS, AB_BPMN_SUB__COUNT, sub_name);
    w_printf(w, "gateways: %u", ab_bpmn_count(m, AB_BPMN_GATEWAY, -1));
    type_list(w, m, AB_BPMN_GATEWAY, AB_BPMN_GW__COUNT, gw_name);
    w_printf(w, "events: %u (start %u, end %u, intermediate %u, boundary %u)\n", event_count(m),
             ab_bpmn_count(m, AB_BPMN_START_EVENT, -1), ab_bpmn_count(m, AB_BPMN_END_EVENT, -1),
             ab_bpmn_count(m, AB_BPMN_CATCH_EVENT, -1) + ab_bpmn_count(m, AB_BPMN_THROW_EVENT, -1),
             ab_bpmn_count(m, AB_BPMN_BOUNDARY_EVENT, -1));
    w_printf(w, "flows: %u sequence, %u message\n", ab_bpmn_flow_count(m),
             ab_bpmn_message_flow_count(m));
    w_printf(w, "lanes: %u", ab_bpmn_lane_count(m));
    for (uint32_t i = 0; i < ab_bpmn_lane_count(m); i++) {
        const ab_bpmn_lane *l = ab_bpmn_lane_at(m, i);
        w_printf(w, "%s%s", i ? ", " : " (", *l->name ? l->name : l->id);
    }
    w_printf(w, "%s\n", ab_bpmn_lane_count(m) ? ")" : "");
    if (ab_bpmn_ignored_count(m) > 0) {
        w_printf(w, "without control flow (not compiled):");
        for (uint32_t i = 0; i < ab_bpmn_ignored_count(m); i++) {
            w_printf(w, "%s %s %u", i ? "," : "", ab_bpmn_ignored_name(m, i),
                     ab_bpmn_ignored_elements(m, i));
        }
        w_printf(w, "\n");
    }
    w_printf(w, "net: %u places, %u transitions (%u visible, %u silent), %llu arcs\n",
             ab_net_place_count(net), ab_net_transition_count(net), mv->visible,
             ab_net_transition_count(net) - mv->visible,
             (unsigned long long)ab_net_arc_count(net));
    const ab_net_verdict *v = mv->v;
    w_printf(w, "sound: %s (%llu reachable markings", tri_text(v->sound),
             (unsigned long long)v->states);
    if (v->safe != AB_NET_UNKNOWN) {
        w_printf(w, ", %s", v->safe == AB_NET_YES ? "safe" : "not safe");
    }
    w_printf(w, ")%s%s\n", v->reason[0] ? ": " : "", v->reason);
    uint32_t na = ab_net_approximation_count(net);
    w_printf(w, "approximations: %u\n", na);
    for (uint32_t i = 0; i < na; i++) {
        const ab_net_note *a = ab_net_approximation_at(net, i);
        w_printf(w, "  %s: %s\n", a->element_id, a->what);
    }
    uint32_t nw = ab_bpmn_issue_count(m) + ab_net_warning_count(mv->notes);
    w_printf(w, "warnings: %u\n", nw);
    for (uint32_t i = 0; i < ab_bpmn_issue_count(m); i++) {
        const ab_bpmn_issue *is = ab_bpmn_issue_at(m, i);
        w_printf(w, "  line %llu: %s\n", (unsigned long long)is->line, is->what);
    }
    for (uint32_t i = 0; i < ab_net_warning_count(mv->notes); i++) {
        const ab_net_note *a = ab_net_warning_at(mv->notes, i);
        w_printf(w, "  %s: %s\n", a->element_id, a->what);
    }
    if (mv->map != NULL) {
        const ab_bpmn_mapping *map = mv->map;
        w_printf(w, "label mapping: %u pairs\n", ab_bpmn_map_pair_count(map));
        for (uint32_t i = 0; i < ab_bpmn_map_pair_count(map); i++) {
            const ab_bpmn_map_pair *p = ab_bpmn_map_pair_at(map, i);
            w_printf(w, "  %s%s%s%s -> %s (%s)\n", p->task, p->lane != NULL ? " [" : "",
                     p->lane != NULL ? p->lane : "", p->lane != NULL ? "]" : "", p->activity,
                     ab_bpmn_map_how_name(p->how));
        }
        w_printf(w, "unmapped tasks: %u\n", ab_bpmn_map_unmapped_task_count(map));
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_task_count(map); i++) {
            w_printf(w, "  %s\n", ab_bpmn_map_unmapped_task(map, i));
        }
        w_printf(w, "unmapped activities (undocumented): %u\n",
                 ab_bpmn_map_unmapped_activity_count(map));
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_activity_count(map); i++) {
            w_printf(w, "  %s\n", ab_bpmn_map_unmapped_activity(map, i));
        }
        if (ab_bpmn_map_suggestion_count(map) > 0) {
            w_printf(w, "near matches (for a --map file):\n");
            for (uint32_t i = 0; i < ab_bpmn_map_suggestion_count(map); i++) {
                const ab_bpmn_map_suggestion *s = ab_bpmn_map_suggestion_at(map, i);
                w_printf(w, "  %s ~ %s (%.2f)\n", s->task, s->activity, s->score);
            }
        }
        for (uint32_t i = 0; i < ab_bpmn_map_warning_count(map); i++) {
            w_printf(w, "mapping warning: %s\n", ab_bpmn_map_warning(map, i));
        }
    }
}

int cmd_model(int argc, char **argv)
{
    const char *cmd = "model";
    cli_log_opts o;
    cli_log_opts_init(&o);
    int json = 0;
    const char *output = NULL, *map_file = NULL, *process_id = NULL, *map_path = NULL;
    uint64_t max_states = 200000, model_memory = 0;
    const char **logs = calloc((size_t)argc + 1, sizeof(*logs));
    const char **others = calloc((size_t)argc + 1, sizeof(*others));
    ab_bpmn **libs = calloc((size_t)argc + 1, sizeof(*libs));
    int nlogs = 0, nothers = 0, nlibs = 0;
    int rc = EXIT_OK;
    ab_ctx *ctx = NULL;
    ab_bpmn *model = NULL;
    ab_net *net = NULL;
    ab_log *log = NULL;
    ab_bpmn_mapping *map = NULL;
    ab_net *relabelled = NULL;
    ab_buf out = AB_BUF_INIT;
    if (logs == NULL || others == NULL || libs == NULL) {
        rc = cli_report_status(AB_ENOMEM, NULL);
        goto done;
    }
    cli_args opt;
    cli_args_start(&opt, cmd, argc, argv);
    while (cli_next(&opt)) {
        if (cli_flag(&opt, "-h", "--help")) {
            printf(help, cli_log_opts_help);
            goto done;
        }
        if (cli_flag(&opt, "--json", NULL)) {
            json = 1;
        } else if (cli_flag(&opt, "-q", "--quiet")) {
            cli_quiet = 1;
        } else if (cli_value(&opt, "--log", NULL)) {
            logs[nlogs++] = opt.v;
        } else if (cli_value(&opt, "--map", NULL)) {
            map_file = opt.v;
        } else if (cli_value(&opt, "--model", NULL)) {
            others[nothers++] = opt.v;
        } else if (cli_value(&opt, "--process", NULL)) {
            process_id = opt.v;
        } else if (cli_value(&opt, "--max-states", NULL)) {
            unsigned long long n;
            if (cli_number(&opt, 0, UINT64_MAX, &n)) {
                max_states = n;
            }
        } else if (cli_value(&opt, "--model-memory", NULL)) {
            cli_size(&opt, "--model-memory", &model_memory);
        } else if (cli_value(&opt, "--output", "-o")) {
            output = opt.v;
        } else if (cli_log_opt(&opt, &o) || cli_unknown(&opt)) {
            continue;
        } else if (map_path == NULL) {
            map_path = argv[opt.i];
        } else {
            cli_fail(&opt, "one map at a time ('%s' and '%s'); other maps go with --model", map_path,
                     argv[opt.i]);
        }
    }
    if (opt.bad) {
        rc = EXIT_USAGE;
        goto done;
    }
    if (map_path == NULL) {
        rc = cli_usage_error(cmd, "no BPMN map given");
        goto done;
    }
    if (map_file != NULL && nlogs == 0) {
        rc = cli_usage_error(cmd, "--map needs --log (the activities to map to)");
        goto done;
    }
    ctx = cli_ctx();
    if (ctx == NULL) {
        rc = EXIT_IO;
        goto done;
    }
    ab_error err;
    ab_error_clear(&err);
    int st = ab_bpmn_read(&model, ctx, map_path, NULL, &err);
    if (st != AB_OK) {
        rc = cli_report(&err);
        goto done;
    }
    for (int i = 0; i < nothers; i++) {
        st = ab_bpmn_read(&libs[nlibs], ctx, others[i], NULL, &err);
        if (st != AB_OK) {
            rc = cli_report(&err);
            goto done;
        }
        nlibs++;
    }
    ab_net_options no = AB_NET_OPTIONS_INIT;
    no.library = (const ab_bpmn *const *)libs;
    no.library_count = (size_t)nlibs;
    no.process_id = process_id;
    st = ab_net_compile(&net, ctx, model, &no, &err);
    if (st != AB_OK) {
        rc = cli_report(&err);
        goto done;
    }
    ab_net_check_options co = AB_NET_CHECK_OPTIONS_INIT;
    co.max_states = max_states;
    co.max_memory = model_memory;
    ab_net_verdict verdict;
    st = ab_net_check(net, &co, &verdict, &err);
    if (st != AB_OK) {
        rc = cli_report(&err);
        goto done;
    }
    if (nlogs > 0) {
        rc = cli_load_log(ctx, &o, logs, nlogs, &log);
        if (rc != EXIT_OK) {
            goto done;
        }
        rc = cli_relabel(ctx, log, net, map_file, &map, &relabelled);
        if (rc != EXIT_OK) {
            goto done;
        }
    }
    model_view mv;
    memset(&mv, 0, sizeof(mv));
    mv.file = map_path;
    mv.m = model;
    mv.net = net;
    mv.v = &verdict;
    mv.map = map;
    mv.notes = relabelled != NULL ? relabelled : net;
    for (uint32_t t = 0; t < ab_net_transition_count(net); t++) {
        mv.visible += ab_net_transition_at(net, t)->label != NULL;
    }
    writer w = {&out, ctx, AB_OK};
    if (json) {
        render_json(&w, &mv);
    } else {
        render_text(&w, &mv);
    }
    if (w.rc != AB_OK) {
        fprintf(stderr, "asbuilt: out of memory\n");
        rc = EXIT_IO;
        goto done;
    }
    rc = cli_write_output(output, &out);
done:
    ab_buf_dispose(&out);
    ab_net_destroy(relabelled);
    ab_bpmn_map_destroy(map);
    ab_log_destroy(log);
    ab_net_destroy(net);
    ab_bpmn_destroy(model);
    for (int i = 0; i < nlibs; i++) {
        ab_bpmn_destroy(libs[i]);
    }
    free(libs);
    free(logs);
    free(others);
    cli_log_opts_dispose(&o);
    ab_ctx_destroy(ctx);
    return rc;
}
