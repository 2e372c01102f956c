/*
 * tests/test_who.c: who did the work, on tiny hand-made logs and one map
 * with two lanes (Clerk: Request, Pay; Manager: Approve). Each definition
 * of docs/metrics.md ("Who did the work") is checked on cases built for it:
 * role violations (with events without a resource or role, and a resource
 * with two roles), segregation of duties (with '*'), documented and
 * undocumented hand-offs, system accounts, the summary rates, and the
 * errors of bad files. Also the handover network and four-eyes counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/asbuilt.h"
#include "test_util.h"

static const char map_bpmn[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
    "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" "
    "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" id=\"d\" targetNamespace=\"t\">\n"
    "  <process id=\"p\" isExecutable=\"false\">\n"
    "    <laneSet id=\"ls\">\n"
    "      <lane id=\"l1\" "
    "name=\"Clerk\"><flowNodeRef>s</flowNodeRef><flowNodeRef>req</flowNodeRef>"
    "<flowNodeRef>pay</flowNodeRef><flowNodeRef>e</flowNodeRef></lane>\n"
    "      <lane id=\"l2\" name=\"Manager\"><flowNodeRef>app</flowNodeRef></lane>\n"
    "    </laneSet>\n"
    "    <startEvent id=\"s\"/>\n"
    "    <task id=\"req\" name=\"Request\"/>\n"
    "    <task id=\"app\" name=\"Approve\"/>\n"
    "    <task id=\"pay\" name=\"Pay\"/>\n"
    "    <endEvent id=\"e\"/>\n"
    "    <sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"req\"/>\n"
    "    <sequenceFlow id=\"f2\" sourceRef=\"req\" targetRef=\"app\"/>\n"
    "    <sequenceFlow id=\"f3\" sourceRef=\"app\" targetRef=\"pay\"/>\n"
    "    <sequenceFlow id=\"f4\" sourceRef=\"pay\" targetRef=\"e\"/>\n"
    "  </process>\n"
    "  <bpmndi:BPMNDiagram id=\"dg\"><bpmndi:BPMNPlane id=\"pl\" bpmnElement=\"p\">\n"
    "    <bpmndi:BPMNShape id=\"sl1\" bpmnElement=\"l1\"><dc:Bounds x=\"0\" y=\"0\" "
    "width=\"600\" height=\"120\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"sl2\" bpmnElement=\"l2\"><dc:Bounds x=\"0\" y=\"120\" "
    "width=\"600\" height=\"120\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"ss\" bpmnElement=\"s\"><dc:Bounds x=\"50\" y=\"40\" "
    "width=\"36\" height=\"36\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"sreq\" bpmnElement=\"req\"><dc:Bounds x=\"120\" y=\"20\" "
    "width=\"100\" height=\"80\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"sapp\" bpmnElement=\"app\"><dc:Bounds x=\"260\" y=\"140\" "
    "width=\"100\" height=\"80\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"spay\" bpmnElement=\"pay\"><dc:Bounds x=\"400\" y=\"20\" "
    "width=\"100\" height=\"80\"/></bpmndi:BPMNShape>\n"
    "    <bpmndi:BPMNShape id=\"se\" bpmnElement=\"e\"><dc:Bounds x=\"540\" y=\"40\" "
    "width=\"36\" height=\"36\"/></bpmndi:BPMNShape>\n"
    "  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
    "</definitions>\n";

/*
 * Case 1: all in their lanes; hand-offs Clerk -> Manager -> Clerk, both
 *         documented; alice did Request and Pay (a '*,Pay' pair).
 * Case 2: alice (Clerk) approves: a role violation of a control; she did
 *         Request, Approve and Pay.
 * Case 3: carol holds both roles: no violation; her effective role follows
 *         the lane, so the hand-offs are the documented ones.
 * Case 4: Request without a resource (unknown, never a violation); Pay by
 *         the system account sys (role System): a violation and the
 *         undocumented hand-off Manager -> System.
 * Case 5: a log move (Check, not in the map) by dave, who has no role: the
 *         chain of effective roles breaks there, no hand-off is counted.
 */
static const char log_csv[] = "case,activity,timestamp,resource,role\n"
                              "1,Request,2024-01-01T09:00:00Z,alice,Clerk\n"
                              "1,Approve,2024-01-01T10:00:00Z,bob,Manager\n"
                              "1,Pay,2024-01-01T11:00:00Z,alice,Clerk\n"
                              "2,Request,2024-01-02T09:00:00Z,alice,Clerk\n"
                              "2,Approve,2024-01-02T10:00:00Z,alice,Clerk\n"
                              "2,Pay,2024-01-02T11:00:00Z,alice,Clerk\n"
                              "3,Request,2024-01-03T09:00:00Z,carol,Clerk\n"
                              "3,Approve,2024-01-03T10:00:00Z,carol,Manager\n"
                              "3,Pay,2024-01-03T11:00:00Z,carol,Clerk\n"
                              "4,Request,2024-01-04T09:00:00Z,,\n"
                              "4,Approve,2024-01-04T10:00:00Z,bob,Manager\n"
                              "4,Pay,2024-01-04T11:00:00Z,sys,System\n"
                              "5,Request,2024-01-05T09:00:00Z,alice,Clerk\n"
                              "5,Check,2024-01-05T09:30:00Z,dave,\n"
                              "5,Approve,2024-01-05T10:00:00Z,bob,Manager\n"
                              "5,Pay,2024-01-05T11:00:00Z,erin,Clerk\n";

static const char roles_csv[] = "resource,role\n"
                                "# carol stands in for the manager\n"
                                "alice,Clerk\n"
                                "bob,Manager\n"
                                "carol,Clerk\n"
                                "carol,Manager\n"
                                "erin,Clerk\n"
                                "sys,System\n";

typedef struct run {
    ab_ctx *ctx;
    ab_log *log;
    ab_bpmn *model;
    ab_net *net, *relabelled;
    ab_bpmn_mapping *map;
    ab_conform *conf;
    ab_gap *gap;
    const char *log_path;
} run;

static void prepare(run *r, const char *csv)
{
    memset(r, 0, sizeof(*r));
    r->ctx = tu_ctx();
    ab_error err;
    ab_error_clear(&err);
    static char path[4200];
    snprintf(path, sizeof(path), "%s", tu_tmpfile(csv, strlen(csv), ".csv"));
    r->log_path = path;
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    if (ab_ingest_files(&r->log, r->ctx, &r->log_path, 1, &ro, &err) != AB_OK) {
        fail_msg("log: %s", err.msg);
    }
    assert_int_equal(
        ab_bpmn_read_memory(&r->model, r->ctx, map_bpmn, strlen(map_bpmn), "who.bpmn", NULL, &err),
        AB_OK);
    assert_int_equal(ab_net_compile(&r->net, r->ctx, r->model, NULL, &err), AB_OK);
    uint32_t na = ab_log_activity_count(r->log);
    const char **acts = calloc(na + 1, sizeof(*acts));
    assert_non_null(acts);
    for (uint32_t a = 0; a < na; a++) {
        acts[a] = ab_log_activity_name(r->log, a);
    }
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    assert_int_equal(ab_bpmn_map_create(&r->map, r->ctx, ab_net_labels(r->net),
                                        ab_net_label_count(r->net), acts, na, &mo, &err),
                     AB_OK);
    free(acts);
    assert_int_equal(ab_net_relabel(&r->relabelled, r->net, r->map, &err), AB_OK);
    ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
    co.threads = 1;
    assert_int_equal(ab_conform_run(&r->conf, r->ctx, r->log, r->relabelled, &co, &err), AB_OK);
}

static int compute(run *r, const ab_who_options *who, ab_error *err)
{
    ab_gap_options o = AB_GAP_OPTIONS_INIT;
    o.threads = 1;
    o.model = r->model;
    o.mapping = r->map;
    o.who = who;
    ab_gap_destroy(r->gap);
    r->gap = NULL;
    return ab_gap_compute(&r->gap, r->ctx, r->log, r->relabelled, r->conf, &o, err);
}

static void finish(run *r)
{
    ab_gap_destroy(r->gap);
    ab_conform_destroy(r->conf);
    ab_net_destroy(r->relabelled);
    ab_bpmn_map_destroy(r->map);
    ab_net_destroy(r->net);
    ab_bpmn_destroy(r->model);
    ab_log_destroy(r->log);
    ab_ctx_destroy(r->ctx);
}

/* The case line of case id (the caller frees it). */
static char *case_line(const ab_gap *g, const char *id)
{
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_cases(g, &b, NULL), AB_OK);
    char key[64];
    snprintf(key, sizeof(key), "{\"case\": \"%s\"", id);
    const char *p = strstr(b.ptr, key);
    assert_non_null(p);
    const char *e = strchr(p, '\n');
    char *s = strndup(p, (size_t)(e - p));
    ab_buf_dispose(&b);
    return s;
}

static char *json_of(const ab_gap *g)
{
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_json(g, &b, NULL), AB_OK);
    char *s = strdup(b.ptr);
    ab_buf_dispose(&b);
    return s;
}

static void assert_has(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL) {
        fail_msg("missing %s\nin %s", needle, hay);
    }
}

static void assert_rate(const ab_gap *g, const char *id, uint64_t count, uint64_t of)
{
    ab_gap_rate r;
    assert_int_equal(ab_gap_metric(g, id, &r), AB_OK);
    if (r.count != count || r.of != of) {
        fail_msg("%s: %llu of %llu, expected %llu of %llu", id, (unsigned long long)r.count,
                 (unsigned long long)r.of, (unsigned long long)count, (unsigned long long)of);
    }
}

/* Roles from a file: a resource with two roles, no resource, a log move. */
static void test_roles_file(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.roles_file = tu_tmpfile(roles_csv, strlen(roles_csv), ".csv");
    w.system_resources = "sys,robot*";
    ab_error err;
    assert_int_equal(compute(&r, &w, &err), AB_OK);
    assert_rate(r.gap, "ROLE", 2, 5);
    assert_rate(r.gap, "ROLEc", 1, 5);
    assert_rate(r.gap, "HANDOFF", 1, 5);
    ab_gap_rate sod;
    assert_int_equal(ab_gap_metric(r.gap, "SOD", &sod), AB_OK);
    assert_int_equal(sod.of, 0); /* No --sod: not computed. */
    char *c = case_line(r.gap, "2");
    assert_has(c, "\"role_violations\": [{\"position\": 1, \"activity\": \"Approve\", \"task\": "
                  "\"Approve\", \"lane\": \"Manager\", \"resource\": \"alice\", \"roles\": "
                  "[\"Clerk\"]}]");
    assert_has(c, "\"undocumented_handoffs\": []");
    free(c);
    c = case_line(r.gap, "3"); /* Two roles: the lane's one is taken. */
    assert_has(c, "\"role_violations\": [], \"sod_violations\": [], "
                  "\"undocumented_handoffs\": []");
    free(c);
    c = case_line(r.gap, "4");
    assert_has(c, "\"role_violations\": [{\"position\": 2, \"activity\": \"Pay\", \"task\": "
                  "\"Pay\", \"lane\": \"Clerk\", \"resource\": \"sys\", \"roles\": [\"System\"]}]");
    assert_has(c, "\"undocumented_handoffs\": [{\"position\": 1, \"from_role\": \"Manager\", "
                  "\"to_role\": \"System\", \"from\": \"Approve\", \"to\": \"Pay\"}]");
    free(c);
    c = case_line(r.gap, "5"); /* dave has no role: no hand-off across him. */
    assert_has(c, "\"role_violations\": [], \"sod_violations\": [], "
                  "\"undocumented_handoffs\": []");
    free(c);
    char *j = json_of(r.gap);
    assert_has(j, "\"role_source\": \"file\"");
    assert_has(j, "\"events\": {\"with_resource\": 15, \"without_resource\": 1, "
                  "\"without_role\": 2}");
    assert_has(j, "{\"resource\": \"carol\", \"roles\": [\"Clerk\", \"Manager\"]}");
    assert_has(j, "{\"lane\": \"Clerk\", \"roles\": [\"Clerk\"], \"how\": \"exact\"}");
    /* Controls first; Approve: 1 case of the 5 with an instance, 1 event. */
    assert_has(j, "\"role_conformance\": [\n      {\"task\": \"Approve\", \"element_id\": "
                  "\"app\", \"lane\": \"Manager\", \"control\": true, \"cases\": {\"count\": 1, "
                  "\"of\": 5,");
    assert_has(j, "\"events\": 1, \"instances\": 5, \"unknown\": 0, \"roles_seen\": "
                  "[{\"role\": \"Manager\", \"events\": 4}, {\"role\": \"Clerk\", \"events\": 1}], "
                  "\"examples\": [\"2\"]}");
    /* Request in case 4 has no resource: unknown. */
    assert_has(j, "\"events\": 0, \"instances\": 5, \"unknown\": 1,");
    assert_has(j, "\"documented\": [[\"Clerk\", \"Manager\"], [\"Manager\", \"Clerk\"]]");
    assert_has(j, "{\"from_role\": \"Manager\", \"to_role\": \"System\", \"cases\": "
                  "{\"count\": 1, \"of\": 5,");
    /* Matrix rows and columns in name order: Clerk, Manager, System. */
    assert_has(j, "\"matrix\": {\"roles\": [\"Clerk\", \"Manager\", \"System\"], \"counts\": "
                  "[[0, 2, 0], [3, 0, 1], [0, 0, 0]]}");
    assert_has(j, "{\"task\": \"Pay\", \"element_id\": \"pay\", \"lane\": \"Clerk\", "
                  "\"instances\": 5, \"by_system\": 1, \"share\": 0.200}");
    /* Controls' performers: alice approved in case 2 and also requested and paid. */
    assert_has(j, "{\"control\": \"Approve\", \"element_id\": \"app\", \"lane\": \"Manager\", "
                  "\"also_did\": \"Pay\", \"cases\": 2}");
    assert_has(j, "{\"control\": \"Approve\", \"element_id\": \"app\", \"lane\": \"Manager\", "
                  "\"also_did\": \"Request\", \"cases\": 2}");
    free(j);
    finish(&r);
}

/* Roles from the log's role column; SoD with '*'. */
static void test_roles_column_and_sod(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    static const char sod_csv[] = "# four eyes\nRequest,Approve\n*,Pay\n";
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.sod_file = tu_tmpfile(sod_csv, strlen(sod_csv), ".csv");
    ab_error err;
    assert_int_equal(compute(&r, &w, &err), AB_OK);
    char *j = json_of(r.gap);
    assert_has(j, "\"role_source\": \"column\"");
    free(j);
    /* Column roles: carol's Approve has role Manager in the log. */
    assert_rate(r.gap, "ROLE", 2, 5);
    /* SoD: cases 1 (alice: Request, Pay), 2 (alice: all), 3 (carol: all). */
    assert_rate(r.gap, "SOD", 3, 5);
    char *c = case_line(r.gap, "2");
    assert_has(c, "\"sod_violations\": [{\"a\": \"Approve\", \"b\": \"Pay\", \"resource\": "
                  "\"alice\"}, {\"a\": \"Request\", \"b\": \"Approve\", \"resource\": \"alice\"}, "
                  "{\"a\": \"Request\", \"b\": \"Pay\", \"resource\": \"alice\"}]");
    free(c);
    c = case_line(r.gap, "1");
    assert_has(c, "\"sod_violations\": [{\"a\": \"Request\", \"b\": \"Pay\", \"resource\": "
                  "\"alice\"}]");
    free(c);
    c = case_line(r.gap, "5"); /* alice requested, erin paid. */
    assert_has(c, "\"sod_violations\": []");
    free(c);
    finish(&r);
}

/* Accepted findings stay listed but no longer make a case count. */
static void test_accept(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    static const char accept_csv[] = "role,approve,*\nhandoff,Manager,System\nsod,pay,request\n";
    static const char sod_csv[] = "Request,Approve\n*,Pay\n";
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.roles_file = tu_tmpfile(roles_csv, strlen(roles_csv), ".csv");
    w.sod_file = tu_tmpfile(sod_csv, strlen(sod_csv), ".csv");
    ab_gap_options o = AB_GAP_OPTIONS_INIT;
    o.threads = 1;
    o.model = r.model;
    o.mapping = r.map;
    o.who = &w;
    o.accept_file = tu_tmpfile(accept_csv, strlen(accept_csv), ".csv");
    ab_error err;
    assert_int_equal(ab_gap_compute(&r.gap, r.ctx, r.log, r.relabelled, r.conf, &o, &err), AB_OK);
    assert_rate(r.gap, "ROLE", 1, 5); /* Case 4's Pay by sys only. */
    assert_rate(r.gap, "ROLEc", 0, 5);
    assert_rate(r.gap, "HANDOFF", 0, 5);
    /* Case 1 broke only (Request, Pay), accepted in either order. */
    assert_rate(r.gap, "SOD", 2, 5);
    char *c = case_line(r.gap, "2");
    assert_has(c, "\"role_violations\": [{\"position\": 1,");
    free(c);
    char *j = json_of(r.gap);
    assert_has(j, "{\"rule\": \"role,approve,*\", \"line\": 1, \"cases\": 1}");
    assert_has(j, "{\"rule\": \"handoff,Manager,System\", \"line\": 2, \"cases\": 1}");
    assert_has(j, "{\"rule\": \"sod,pay,request\", \"line\": 3, \"cases\": 3}");
    free(j);
    finish(&r);
}

/* The HTML report: the who section and the lanes tinted on the map. */
static void test_html(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.roles_file = tu_tmpfile(roles_csv, strlen(roles_csv), ".csv");
    w.system_resources = "sys";
    ab_error err;
    assert_int_equal(compute(&r, &w, &err), AB_OK);
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab_report_gap_html(&b, r.ctx, r.gap, r.model, NULL, &err), AB_OK);
    assert_has(b.ptr, "id=\"s-who\"");
    assert_has(b.ptr, "Who did the work per lane");
    /* Manager: Approve's 5 instances, 1 by a clerk; Clerk: Request and Pay,
     * 10 instances, 1 without a resource, 1 by the system account. */
    assert_has(b.ptr, "Lane: Manager (1 of 5 step instances done by someone outside the lane, "
                      "20.0%)");
    assert_has(b.ptr, "Lane: Clerk (1 of 9 step instances done by someone outside the lane, "
                      "11.1%)");
    assert_has(b.ptr, "class=\"ab-lane-share\"");
    assert_has(b.ptr, "System accounts (sys)");
    ab_buf_dispose(&b);
    finish(&r);
}

/* Every allocation of the who checks and writers may fail: AB_ENOMEM,
 * nothing leaked, and the run that fails nothing succeeds. */
static void test_out_of_memory(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    static const char sod_csv[] = "Request,Approve\n*,Pay\n";
    static const char accept_csv[] = "role,approve,*\nsod,pay,request\n";
    static const char map_csv[] = "manager,Manager\n";
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.roles_file = tu_tmpfile(roles_csv, strlen(roles_csv), ".csv");
    w.sod_file = tu_tmpfile(sod_csv, strlen(sod_csv), ".csv");
    w.role_map_file = tu_tmpfile(map_csv, strlen(map_csv), ".csv");
    w.system_resources = "sys";
    const char *accept = tu_tmpfile(accept_csv, strlen(accept_csv), ".csv");
    for (uint64_t fail = 1;; fail++) {
        tu_alloc a = {0, fail, 0, 0};
        ab_ctx *ctx = tu_ctx_counting(&a);
        ab_gap_options o = AB_GAP_OPTIONS_INIT;
        o.threads = 2;
        o.model = r.model;
        o.mapping = r.map;
        o.who = &w;
        o.accept_file = accept;
        ab_gap *g = NULL;
        ab_buf b = AB_BUF_INIT;
        int rc = ab_gap_compute(&g, ctx, r.log, r.relabelled, r.conf, &o, NULL);
        if (rc == AB_OK) {
            rc = ab_gap_write_json(g, &b, NULL);
        }
        if (rc == AB_OK) {
            rc = ab_gap_write_markdown(g, &b, NULL);
        }
        if (rc == AB_OK) {
            rc = ab_gap_write_cases(g, &b, NULL);
        }
        ab_buf_dispose(&b);
        ab_gap_destroy(g);
        ab_ctx_destroy(ctx);
        assert_int_equal(a.live, 0);
        if (a.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    finish(&r);
}

/* A role map overrides name matching for the lanes it names. */
static void test_role_map(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    static const char map_csv[] = "lane,role\nmanager,Manager\nmanager,Clerk\n";
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.role_map_file = tu_tmpfile(map_csv, strlen(map_csv), ".csv");
    ab_error err;
    assert_int_equal(compute(&r, &w, &err), AB_OK);
    /* A clerk may approve now: only case 4's system Pay is a violation. */
    assert_rate(r.gap, "ROLE", 1, 5);
    char *j = json_of(r.gap);
    assert_has(j, "{\"lane\": \"Manager\", \"roles\": [\"Manager\", \"Clerk\"], \"how\": "
                  "\"file\"}");
    free(j);
    finish(&r);
}

/* No roles anywhere: the role rates are null, never zero. */
static void test_no_roles(void **state)
{
    (void)state;
    static const char bare[] = "case,activity,timestamp,resource\n"
                               "1,Request,2024-01-01T09:00:00Z,alice\n"
                               "1,Approve,2024-01-01T10:00:00Z,alice\n"
                               "1,Pay,2024-01-01T11:00:00Z,bob\n";
    run r;
    prepare(&r, bare);
    ab_error err;
    assert_int_equal(compute(&r, NULL, &err), AB_OK);
    ab_gap_rate x;
    assert_int_equal(ab_gap_metric(r.gap, "ROLE", &x), AB_OK);
    assert_int_equal(x.of, 0);
    char *j = json_of(r.gap);
    assert_has(j, "\"role_violation_rate\": null");
    assert_has(j, "\"undocumented_handoff_rate\": null");
    assert_has(j, "\"sod\": null");
    assert_has(j, "\"role_source\": \"none\"");
    /* The controls' performers need no roles. */
    assert_has(j, "{\"control\": \"Approve\", \"element_id\": \"app\", \"lane\": \"Manager\", "
                  "\"also_did\": \"Request\", \"cases\": 1}");
    free(j);
    finish(&r);
}

/* Roles that no lane allows: nothing can be judged, the rates are null. */
static void test_no_lane_matches(void **state)
{
    (void)state;
    static const char other[] = "case,activity,timestamp,resource,role\n"
                                "1,Request,2024-01-01T09:00:00Z,alice,Desk\n"
                                "1,Approve,2024-01-01T10:00:00Z,bob,Boss\n"
                                "1,Pay,2024-01-01T11:00:00Z,alice,Desk\n";
    run r;
    prepare(&r, other);
    ab_error err;
    assert_int_equal(compute(&r, NULL, &err), AB_OK);
    ab_gap_rate x;
    assert_int_equal(ab_gap_metric(r.gap, "HANDOFF", &x), AB_OK);
    assert_int_equal(x.of, 0);
    char *j = json_of(r.gap);
    assert_has(j, "\"role_violation_rate\": null");
    assert_has(j, "\"undocumented_handoff_rate\": null");
    assert_has(j, "{\"lane\": \"Clerk\", \"roles\": [], \"how\": \"none\"}");
    free(j);
    /* The case line keeps the definition: Desk -> Boss is no documented pair. */
    char *c = case_line(r.gap, "1");
    assert_has(c, "\"undocumented_handoffs\": [{\"position\": 0, \"from_role\": \"Desk\"");
    free(c);
    finish(&r);
}

/* Bad files: parse errors name the file and the line. */
static void test_bad_files(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    ab_error err;
    static const char bad_roles[] = "alice,Clerk\nbob\n";
    ab_who_options w = AB_WHO_OPTIONS_INIT;
    w.roles_file = tu_tmpfile(bad_roles, strlen(bad_roles), ".csv");
    ab_error_clear(&err);
    assert_int_equal(compute(&r, &w, &err), AB_EPARSE);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.source, ".csv"));
    static const char bad_sod[] = "# pairs\nRequest,Approve\nRequest,,\n";
    w = (ab_who_options)AB_WHO_OPTIONS_INIT;
    w.sod_file = tu_tmpfile(bad_sod, strlen(bad_sod), ".csv");
    ab_error_clear(&err);
    assert_int_equal(compute(&r, &w, &err), AB_EPARSE);
    assert_int_equal(err.line, 3);
    static const char bad_map[] = "Manager,\"Clerk\n";
    w = (ab_who_options)AB_WHO_OPTIONS_INIT;
    w.role_map_file = tu_tmpfile(bad_map, strlen(bad_map), ".csv");
    ab_error_clear(&err);
    assert_int_equal(compute(&r, &w, &err), AB_EPARSE);
    assert_int_equal(err.line, 1);
    w = (ab_who_options)AB_WHO_OPTIONS_INIT;
    w.roles_file = "/nonexistent/roles.csv";
    ab_error_clear(&err);
    assert_int_equal(compute(&r, &w, &err), AB_EIO);
    finish(&r);
}

/* The handover network and the four-eyes counts of a whole log. */
static void test_handover_and_four_eyes(void **state)
{
    (void)state;
    run r;
    prepare(&r, log_csv);
    ab_handover *h = NULL;
    ab_error err;
    assert_int_equal(ab_handover_compute(&h, r.ctx, r.log, &err), AB_OK);
    /* 16 events, 1 without a resource, 5 cases: 15 - 5 consecutive pairs. */
    assert_int_equal(ab_handover_total(h), 10);
    const ab_handover_pair *p = ab_handover_pair_at(h, 0);
    /* alice -> bob: cases 1 and 5; bob -> alice: case 1; ... the first by count. */
    assert_string_equal(p->from, "alice");
    assert_string_equal(p->to, "alice");
    assert_int_equal(p->count, 2);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < ab_handover_pair_count(h); i++) {
        sum += ab_handover_pair_at(h, i)->count;
    }
    assert_int_equal(sum, 10);
    ab_handover_destroy(h);
    static const char sod_csv[] = "Request,Approve\nApprove,Request\n*,*\n";
    ab_sod_rules *rules = NULL;
    assert_int_equal(ab_sod_read(&rules, r.ctx, tu_tmpfile(sod_csv, strlen(sod_csv), ".csv"), &err),
                     AB_OK);
    assert_int_equal(ab_sod_rule_count(rules), 3);
    ab_sod_counts *c = NULL;
    assert_int_equal(ab_sod_count(&c, r.ctx, rules, r.log, &err), AB_OK);
    /* Each unordered pair once: 4 activities, 6 pairs; the first as written. */
    assert_int_equal(ab_sod_pair_count(c), 6);
    const ab_sod_pair *q = ab_sod_pair_at(c, 0);
    assert_string_equal(q->a, "Request");
    assert_string_equal(q->b, "Approve");
    /* Case 4's Request has no resource: it does not count. */
    assert_int_equal(q->with_both, 4);
    assert_int_equal(q->same_resource, 2);
    ab_sod_counts_destroy(c);
    ab_sod_destroy(rules);
    finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_file),    cmocka_unit_test(test_roles_column_and_sod),
        cmocka_unit_test(test_accept),        cmocka_unit_test(test_html),
        cmocka_unit_test(test_out_of_memory), cmocka_unit_test(test_role_map),
        cmocka_unit_test(test_no_roles),      cmocka_unit_test(test_no_lane_matches),
        cmocka_unit_test(test_bad_files),     cmocka_unit_test(test_handover_and_four_eyes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
