/*
 * tests/test_bpmn.c: the BPMN reader and the label mapping. Every shared map
 * loads and holds exactly the elements its file has (counted here by a plain
 * text scan, independent of libxml2); names, lanes, pools and diagram
 * geometry come through; hostile XML (external entities, entity expansion,
 * deep nesting, truncation, garbage) fails cleanly with a position; the
 * structure checks find what is wrong; allocation failures leak nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "test_util.h"

#include "asbuilt/bpmn.h"
#include "asbuilt/net.h"

#define NS "http://www.omg.org/spec/BPMN/20100524/MODEL"

static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len_out != NULL) {
        *len_out = (size_t)n;
    }
    return buf;
}

/* The prefix bound to the BPMN namespace ("" for the default namespace). */
static void bpmn_prefix(const char *text, char *prefix, size_t cap)
{
    const char *p = strstr(text, "=\"" NS "\"");
    assert_non_null(p);
    const char *q = p;
    while (q > text && q[-1] != ' ' && q[-1] != '\n' && q[-1] != '\t') {
        q--;
    }
    /* q points at "xmlns" or "xmlns:prefix". */
    assert_true(strncmp(q, "xmlns", 5) == 0);
    if (q[5] == ':') {
        size_t n = (size_t)(p - (q + 6));
        assert_true(n + 2 < cap);
        memcpy(prefix, q + 6, n);
        prefix[n] = ':';
        prefix[n + 1] = '\0';
    } else {
        prefix[0] = '\0';
    }
}

/* Occurrences of <prefix:name followed by space, '>' or '/'. */
static uint32_t count_elements(const char *text, const char *prefix, const char *name)
{
    char pat[128];
    snprintf(pat, sizeof(pat), "<%s%s", prefix, name);
    size_t n = strlen(pat);
    uint32_t c = 0;
    for (const char *p = strstr(text, pat); p != NULL; p = strstr(p + 1, pat)) {
        char next = p[n];
        if (next == ' ' || next == '>' || next == '/' || next == '\n' || next == '\t' ||
            next == '\r') {
            c++;
        }
    }
    return c;
}

static ab_bpmn *read_ok(ab_ctx *ctx, const char *path)
{
    ab_bpmn *m = NULL;
    ab_error err;
    ab_error_clear(&err);
    if (ab_bpmn_read(&m, ctx, path, NULL, &err) != AB_OK) {
        fail_msg("%s: %s (%llu:%llu)", path, err.msg, (unsigned long long)err.line,
                 (unsigned long long)err.col);
    }
    return m;
}

static int read_mem(ab_ctx *ctx, const char *xml, ab_bpmn **out, ab_error *err)
{
    ab_error_clear(err);
    return ab_bpmn_read_memory(out, ctx, xml, strlen(xml), "test.bpmn", NULL, err);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct element_count {
    const char *name;
    ab_bpmn_kind kind;
    int type;
} element_count;

static const element_count counted[] = {
    {"task", AB_BPMN_TASK, AB_BPMN_TASK_PLAIN},
    {"userTask", AB_BPMN_TASK, AB_BPMN_TASK_USER},
    {"serviceTask", AB_BPMN_TASK, AB_BPMN_TASK_SERVICE},
    {"sendTask", AB_BPMN_TASK, AB_BPMN_TASK_SEND},
    {"receiveTask", AB_BPMN_TASK, AB_BPMN_TASK_RECEIVE},
    {"manualTask", AB_BPMN_TASK, AB_BPMN_TASK_MANUAL},
    {"scriptTask", AB_BPMN_TASK, AB_BPMN_TASK_SCRIPT},
    {"businessRuleTask", AB_BPMN_TASK, AB_BPMN_TASK_BUSINESS_RULE},
    {"callActivity", AB_BPMN_CALL_ACTIVITY, -1},
    {"transaction", AB_BPMN_SUBPROCESS, AB_BPMN_SUB_TRANSACTION},
    {"adHocSubProcess", AB_BPMN_SUBPROCESS, AB_BPMN_SUB_ADHOC},
    {"startEvent", AB_BPMN_START_EVENT, -1},
    {"endEvent", AB_BPMN_END_EVENT, -1},
    {"intermediateCatchEvent", AB_BPMN_CATCH_EVENT, -1},
    {"intermediateThrowEvent", AB_BPMN_THROW_EVENT, -1},
    {"boundaryEvent", AB_BPMN_BOUNDARY_EVENT, -1},
    {"exclusiveGateway", AB_BPMN_GATEWAY, AB_BPMN_GW_EXCLUSIVE},
    {"parallelGateway", AB_BPMN_GATEWAY, AB_BPMN_GW_PARALLEL},
    {"inclusiveGateway", AB_BPMN_GATEWAY, AB_BPMN_GW_INCLUSIVE},
    {"eventBasedGateway", AB_BPMN_GATEWAY, AB_BPMN_GW_EVENT_BASED},
    {"complexGateway", AB_BPMN_GATEWAY, AB_BPMN_GW_COMPLEX},
};

/* Every shared map loads, with the element counts of its text. */
static void test_shared_models(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_shared("models"));
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[64];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 64) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".bpmn") == 0) {
            names[count++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, count, sizeof(*names), cmp_name);
    assert_true(count >= 15);
    uint32_t total_tasks = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        char *text = slurp(path, NULL);
        char prefix[64];
        bpmn_prefix(text, prefix, sizeof(prefix));
        ab_bpmn *m = read_ok(ctx, path);
        for (size_t k = 0; k < sizeof(counted) / sizeof(counted[0]); k++) {
            uint32_t want = count_elements(text, prefix, counted[k].name);
            uint32_t got = ab_bpmn_count(m, counted[k].kind, counted[k].type);
            if (want != got) {
                fail_msg("%s: %u <%s> in the file, %u read", names[i], want, counted[k].name,
                         got);
            }
        }
        /* subProcess elements are embedded or event sub-processes. */
        uint32_t subs = count_elements(text, prefix, "subProcess");
        assert_int_equal(subs, ab_bpmn_count(m, AB_BPMN_SUBPROCESS, AB_BPMN_SUB_EMBEDDED) +
                                   ab_bpmn_count(m, AB_BPMN_SUBPROCESS, AB_BPMN_SUB_EVENT));
        assert_int_equal(count_elements(text, prefix, "sequenceFlow"), ab_bpmn_flow_count(m));
        assert_int_equal(count_elements(text, prefix, "messageFlow"),
                         ab_bpmn_message_flow_count(m));
        assert_int_equal(count_elements(text, prefix, "process"), ab_bpmn_process_count(m));
        assert_int_equal(count_elements(text, prefix, "lane"), ab_bpmn_lane_count(m));
        total_tasks += ab_bpmn_count(m, AB_BPMN_TASK, -1);
        /* Every node's flows point back at it. */
        for (uint32_t n = 0; n < ab_bpmn_node_count(m); n++) {
            uint32_t k;
            const uint32_t *in = ab_bpmn_node_incoming(m, n, &k);
            for (uint32_t j = 0; j < k; j++) {
                assert_int_equal(ab_bpmn_flow_at(m, in[j])->target, n);
            }
            const uint32_t *out = ab_bpmn_node_outgoing(m, n, &k);
            for (uint32_t j = 0; j < k; j++) {
                assert_int_equal(ab_bpmn_flow_at(m, out[j])->source, n);
            }
            uint32_t found;
            assert_int_equal(ab_bpmn_node_find(m, ab_bpmn_node_at(m, n)->id, &found), AB_OK);
        }
        ab_bpmn_destroy(m);
        free(text);
        free(names[i]);
    }
    assert_true(total_tasks > 150);
    ab_ctx_destroy(ctx);
}

static void test_names_lanes_pools(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = read_ok(ctx, tu_shared("models/bpic2020_declaration_documents.bpmn"));
    assert_int_equal(ab_bpmn_lane_count(m), 5);
    assert_string_equal(ab_bpmn_lane_at(m, 0)->name, "Employee");
    assert_int_equal(ab_bpmn_process_count(m), 1);
    assert_string_equal(ab_bpmn_process_at(m, 0)->participant_name, "TU/e");
    assert_string_equal(ab_bpmn_exporter(m), "bpmn-js (https://demo.bpmn.io)");
    uint32_t i;
    assert_int_equal(ab_bpmn_node_find(m, "Activity_1eekpab", &i), AB_OK);
    const ab_bpmn_node *n = ab_bpmn_node_at(m, i);
    assert_string_equal(n->name, "submit travel request");
    assert_int_equal(n->kind, AB_BPMN_TASK);
    assert_string_equal(ab_bpmn_lane_at(m, n->lane)->name, "Employee");
    /* The three "approve" tasks sit in three lanes (roles). */
    int seen[5] = {0};
    for (uint32_t k = 0; k < ab_bpmn_node_count(m); k++) {
        const ab_bpmn_node *x = ab_bpmn_node_at(m, k);
        if (strcmp(x->name, "approve") == 0) {
            assert_true(x->lane != AB_BPMN_NONE);
            seen[x->lane]++;
        }
    }
    assert_int_equal(seen[2] + seen[3] + seen[4], 3);
    assert_int_equal(ab_bpmn_node_find(m, "Gateway_11oqfk8", &i), AB_OK);
    n = ab_bpmn_node_at(m, i);
    assert_int_equal(n->type, AB_BPMN_GW_EXCLUSIVE);
    assert_string_equal(ab_bpmn_flow_at(m, n->default_flow)->id, "Flow_0c2n6wx");
    assert_true(ab_bpmn_flow_at(m, n->default_flow)->is_default);
    assert_int_equal(ab_bpmn_issue_count(m), 0);
    ab_bpmn_destroy(m);

    /* Names with line breaks, documentation, call activities, ISO-8859-1. */
    m = read_ok(ctx, tu_shared("models/miwg_Reference_A.3.0.bpmn"));
    assert_int_equal(ab_bpmn_node_find(m, "_1ae31d1b-2559-4f78-a3ec-47986a49db48", &i), AB_OK);
    assert_string_equal(ab_bpmn_node_at(m, i)->name, "Collapsed\nSub-Process");
    assert_string_equal(ab_bpmn_node_at(m, i)->label, "Collapsed Sub-Process");
    ab_bpmn_destroy(m);
    m = read_ok(ctx, tu_shared("models/camunda_invoice.v2.bpmn"));
    assert_int_equal(ab_bpmn_count(m, AB_BPMN_CALL_ACTIVITY, -1), 1);
    int documented = 0, called = 0;
    for (uint32_t k = 0; k < ab_bpmn_node_count(m); k++) {
        const ab_bpmn_node *x = ab_bpmn_node_at(m, k);
        documented += x->documentation[0] != '\0';
        called += x->kind == AB_BPMN_CALL_ACTIVITY && strcmp(x->called_element, "ReviewInvoice") == 0;
    }
    assert_int_equal(documented, 2);
    assert_int_equal(called, 1);
    ab_bpmn_destroy(m);

    /* Boundary events, loop markers, collaborations with message flows. */
    char *btext = slurp(tu_shared("models/miwg_Reference_B.2.0.bpmn"), NULL);
    uint32_t nonint_text = 0;
    for (const char *p = strstr(btext, "cancelActivity=\"false\""); p != NULL;
         p = strstr(p + 1, "cancelActivity=\"false\"")) {
        nonint_text++;
    }
    free(btext);
    m = read_ok(ctx, tu_shared("models/miwg_Reference_B.2.0.bpmn"));
    assert_int_equal(ab_bpmn_message_flow_count(m), 2);
    assert_int_equal(ab_bpmn_global_task_count(m), 1);
    uint32_t interrupting = 0, loops = 0, mi = 0;
    for (uint32_t k = 0; k < ab_bpmn_node_count(m); k++) {
        const ab_bpmn_node *x = ab_bpmn_node_at(m, k);
        if (x->kind == AB_BPMN_BOUNDARY_EVENT) {
            assert_true(x->attached_to != AB_BPMN_NONE);
            uint32_t nb;
            const uint32_t *b = ab_bpmn_node_boundary(m, x->attached_to, &nb);
            int listed = 0;
            for (uint32_t j = 0; j < nb; j++) {
                listed |= b[j] == k;
            }
            assert_true(listed);
            interrupting += x->interrupting;
        }
        loops += x->loop == AB_BPMN_LOOP_STANDARD;
        mi += x->loop == AB_BPMN_LOOP_MI_PARALLEL || x->loop == AB_BPMN_LOOP_MI_SEQUENTIAL;
    }
    assert_int_equal(interrupting, ab_bpmn_count(m, AB_BPMN_BOUNDARY_EVENT, -1) - nonint_text);
    assert_true(nonint_text > 0 && interrupting > 0);
    assert_int_equal(loops, 1);
    assert_int_equal(mi, 3);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

static void test_diagram(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *path = tu_shared("models/pm4py_running-example.bpmn");
    char *text = slurp(path, NULL);
    ab_bpmn *m = read_ok(ctx, path);
    assert_int_equal(ab_bpmn_shape_count(m), count_elements(text, "bpmndi:", "BPMNShape"));
    assert_int_equal(ab_bpmn_edge_count(m), count_elements(text, "bpmndi:", "BPMNEdge"));
    uint32_t points = 0;
    for (uint32_t i = 0; i < ab_bpmn_edge_count(m); i++) {
        const ab_bpmn_edge *e = ab_bpmn_edge_at(m, i);
        assert_true(e->flow != AB_BPMN_NONE);
        assert_string_equal(ab_bpmn_flow_at(m, e->flow)->id, e->element_id);
        points += e->point_count;
    }
    assert_int_equal(points, count_elements(text, "omgdi:", "waypoint"));
    for (uint32_t i = 0; i < ab_bpmn_shape_count(m); i++) {
        const ab_bpmn_shape *s = ab_bpmn_shape_at(m, i);
        if (s->node != AB_BPMN_NONE) {
            assert_true(s->width > 0 && s->height > 0);
        }
    }
    ab_bpmn_destroy(m);
    /* The same map without its geometry. */
    ab_bpmn_options o = AB_BPMN_OPTIONS_INIT;
    o.keep_di = 0;
    assert_int_equal(ab_bpmn_read(&m, ctx, path, &o, NULL), AB_OK);
    assert_int_equal(ab_bpmn_shape_count(m), 0);
    assert_int_equal(ab_bpmn_count(m, AB_BPMN_TASK, -1), 8);
    ab_bpmn_destroy(m);
    free(text);
    ab_ctx_destroy(ctx);
}

/* Prefixes, the default namespace, vendor extensions, gzip, no DI. */
static void test_namespaces(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = NULL;
    ab_error err;
    const char *bpmn2 =
        "<?xml version=\"1.0\"?>\n"
        "<bpmn2:definitions xmlns:bpmn2=\"" NS "\" xmlns:x=\"urn:vendor\" id=\"d\">\n"
        "  <x:whatever><bpmn2:task id=\"hidden\"/></x:whatever>\n"
        "  <bpmn2:process id=\"p\">\n"
        "    <bpmn2:extensionElements><x:y><bpmn2:task id=\"alsoHidden\"/></x:y>"
        "</bpmn2:extensionElements>\n"
        "    <bpmn2:startEvent id=\"s\"/>\n"
        "    <bpmn2:userTask id=\"t\" name=\" Check\n  claim \" x:color=\"red\">\n"
        "      <bpmn2:documentation>Look at it.</bpmn2:documentation>\n"
        "      <x:extra/>\n"
        "    </bpmn2:userTask>\n"
        "    <x:task id=\"vendorTask\"/>\n"
        "    <bpmn2:sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"t\"/>\n"
        "  </bpmn2:process>\n"
        "</bpmn2:definitions>\n";
    assert_int_equal(read_mem(ctx, bpmn2, &m, &err), AB_OK);
    assert_int_equal(ab_bpmn_count(m, AB_BPMN_TASK, -1), 1);
    assert_int_equal(ab_bpmn_node_find(m, "hidden", NULL), AB_ENOTFOUND);
    uint32_t i;
    assert_int_equal(ab_bpmn_node_find(m, "t", &i), AB_OK);
    assert_string_equal(ab_bpmn_node_at(m, i)->label, "Check claim");
    assert_string_equal(ab_bpmn_node_at(m, i)->documentation, "Look at it.");
    assert_int_equal(ab_bpmn_node_at(m, i)->type, AB_BPMN_TASK_USER);
    assert_int_equal(ab_bpmn_shape_count(m), 0);
    ab_bpmn_destroy(m);

    /* A root in another namespace is not a BPMN map. */
    const char *wrong = "<?xml version=\"1.0\"?>\n<definitions xmlns=\"urn:not-bpmn\" id=\"d\"/>\n";
    assert_int_equal(read_mem(ctx, wrong, &m, &err), AB_EPARSE);
    assert_null(m);
    assert_non_null(strstr(err.msg, "expected a BPMN 2.0 <definitions>"));
    assert_int_equal(err.line, 2);
    assert_string_equal(err.source, "test.bpmn");
    const char *xes = "<?xml version=\"1.0\"?>\n<log xes.version=\"1.0\"><trace/></log>\n";
    assert_int_equal(read_mem(ctx, xes, &m, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "<log>"));

    /* gzip, read through ab_input. */
    size_t len;
    char *text = slurp(tu_shared("models/pm4py_running-example.bpmn"), &len);
    uLongf zcap = compressBound((uLong)len) + 32;
    unsigned char *gz = malloc(zcap);
    assert_non_null(gz);
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)text;
    zs.avail_in = (uInt)len;
    zs.next_out = gz;
    zs.avail_out = (uInt)zcap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t gzlen = zs.total_out;
    deflateEnd(&zs);
    const char *gzpath = tu_tmpfile(gz, gzlen, ".bpmn.gz");
    m = read_ok(ctx, gzpath);
    assert_int_equal(ab_bpmn_count(m, AB_BPMN_TASK, -1), 8);
    ab_bpmn_destroy(m);
    remove(gzpath);
    free(gz);
    free(text);
    ab_ctx_destroy(ctx);
}

/* ---- Hostile XML ---- */

static void expect_fail(ab_ctx *ctx, const void *data, size_t len, int code, const char *needle)
{
    ab_bpmn *m = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_bpmn_read_memory(&m, ctx, data, len, "hostile.bpmn", NULL, &err);
    if (rc != code) {
        fail_msg("expected %s, got %s: %s", ab_status_str(code), ab_status_str(rc), err.msg);
    }
    assert_null(m);
    assert_int_equal(err.code, code);
    assert_string_equal(err.source, "hostile.bpmn");
    if (needle != NULL && strstr(err.msg, needle) == NULL) {
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
    }
}

static void test_hostile(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = NULL;
    ab_error err;

    /* An external entity naming a local file: refused, the file never read. */
    const char *xxe = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE definitions [\n"
                      "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
                      "]>\n"
                      "<definitions xmlns=\"" NS "\" id=\"d\"><process id=\"p\">"
                      "<task id=\"t\" name=\"&xxe;\"/></process></definitions>\n";
    ab_error_clear(&err);
    assert_int_equal(read_mem(ctx, xxe, &m, &err), AB_EPARSE);
    assert_null(m);
    assert_non_null(strstr(err.msg, "entity"));
    assert_null(strstr(err.msg, "root:"));
    assert_int_equal(err.line, 3);
    assert_true(err.col > 0);

    /* A parameter entity pulling a local file into the DTD. */
    const char *pe = "<?xml version=\"1.0\"?>\n"
                     "<!DOCTYPE definitions [<!ENTITY % ext SYSTEM \"file:///etc/passwd\"> %ext;]>\n"
                     "<definitions xmlns=\"" NS "\"/>\n";
    expect_fail(ctx, pe, strlen(pe), AB_EPARSE, "entity");

    /* An external DTD is never loaded: only the root matters here. */
    const char *dtd = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE definitions SYSTEM \"file:///etc/passwd\">\n"
                      "<definitions xmlns=\"" NS "\" id=\"d\"><process id=\"p\">"
                      "<task id=\"t\" name=\"T\"/></process></definitions>\n";
    assert_int_equal(read_mem(ctx, dtd, &m, &err), AB_OK);
    assert_int_equal(ab_bpmn_count(m, AB_BPMN_TASK, -1), 1);
    ab_bpmn_destroy(m);

    /* Billion laughs: refused at the first declaration, fast. */
    char laughs[4096];
    size_t o = (size_t)snprintf(laughs, sizeof(laughs),
                                "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                                " <!ENTITY lol \"lol\">\n");
    for (int k = 1; k <= 9; k++) {
        o += (size_t)snprintf(laughs + o, sizeof(laughs) - o, " <!ENTITY lol%d \"", k);
        for (int j = 0; j < 10; j++) {
            o += (size_t)snprintf(laughs + o, sizeof(laughs) - o, "&lol%.0d;", k - 1);
        }
        o += (size_t)snprintf(laughs + o, sizeof(laughs) - o, "\">\n");
    }
    o += (size_t)snprintf(laughs + o, sizeof(laughs) - o,
                          "]>\n<definitions xmlns=\"" NS "\">&lol9;</definitions>\n");
    clock_t t0 = clock();
    expect_fail(ctx, laughs, o, AB_EPARSE, "entity");
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);

    /* 200,000 levels of nesting: a limit, with the position. */
    size_t depth = 200000;
    size_t cap = depth * 7 + 256;
    char *deep = malloc(cap);
    assert_non_null(deep);
    size_t n = (size_t)snprintf(deep, cap, "<definitions xmlns=\"" NS "\">\n");
    for (size_t k = 0; k < depth; k++) {
        memcpy(deep + n, "<a>", 3);
        n += 3;
    }
    for (size_t k = 0; k < depth; k++) {
        memcpy(deep + n, "</a>", 4);
        n += 4;
    }
    n += (size_t)snprintf(deep + n, cap - n, "</definitions>\n");
    ab_error_clear(&err);
    assert_int_equal(ab_bpmn_read_memory(&m, ctx, deep, n, "deep.bpmn", NULL, &err), AB_ELIMIT);
    assert_null(m);
    assert_int_equal(err.line, 2);
    assert_true(err.col > 700);
    assert_non_null(strstr(err.msg, "max_depth"));
    free(deep);

    /* An xml:id error raised while libxml2 is still inside the start tag: the
     * reader must not stop the parser there (it freed the input that the rest
     * of the tag is read from). Under valgrind or ASan a regression shows as an
     * invalid read; here the message and the position are checked. */
    const char *xmlid_bad = "<?xml version=\"1.0\"?>\n<definitions xmlns=\"" NS "\" id=\"d\">"
                            "<process id=\"p\"><task xml:id=\"1bad\" id=\"t\" name=\"Approve\"/>"
                            "</process></definitions>";
    ab_error_clear(&err);
    assert_int_equal(read_mem(ctx, xmlid_bad, &m, &err), AB_EPARSE);
    assert_null(m);
    assert_non_null(strstr(err.msg, "NCName"));
    assert_int_equal(err.line, 2);
    const char *xmlid_twice = "<?xml version=\"1.0\"?>\n<definitions xmlns=\"" NS "\" id=\"d\">"
                              "<process id=\"p\"><task xml:id=\"a1\" id=\"t\" name=\"A\"/>"
                              "<task xml:id=\"a1\" id=\"u\" name=\"B\"/></process></definitions>";
    expect_fail(ctx, xmlid_twice, strlen(xmlid_twice), AB_EPARSE, "already defined");

    /* A truncated map: the parser says where it ran out. */
    size_t len;
    char *text = slurp(tu_shared("models/pm4py_running-example.bpmn"), &len);
    ab_error_clear(&err);
    assert_int_equal(ab_bpmn_read_memory(&m, ctx, text, len / 2, "half.bpmn", NULL, &err),
                     AB_EPARSE);
    assert_null(m);
    assert_true(err.line > 10);
    assert_string_equal(err.source, "half.bpmn");
    free(text);

    /* Binary garbage, an empty file, text that is not XML. */
    unsigned char garbage[512];
    uint32_t x = 2463534242u;
    for (size_t k = 0; k < sizeof(garbage); k++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage[k] = (unsigned char)x;
    }
    expect_fail(ctx, garbage, sizeof(garbage), AB_EPARSE, "malformed XML");
    expect_fail(ctx, "", 0, AB_EPARSE, NULL);
    expect_fail(ctx, "not xml at all\n", 15, AB_EPARSE, "malformed XML");
    const char *unclosed = "<definitions xmlns=\"" NS "\"><process id=\"p\">\n<task id=\"t\">\n";
    ab_error_clear(&err);
    assert_int_equal(read_mem(ctx, unclosed, &m, &err), AB_EPARSE);
    assert_true(err.line >= 2);
    /* A missing file is I/O, not data. */
    ab_error_clear(&err);
    assert_int_equal(ab_bpmn_read(&m, ctx, "/nonexistent/map.bpmn", NULL, &err), AB_EIO);
    assert_null(m);
    ab_ctx_destroy(ctx);
}

/* ---- Structure checks ---- */

static uint32_t issues_of(const ab_bpmn *m, ab_bpmn_issue_kind kind, const char *element)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < ab_bpmn_issue_count(m); i++) {
        const ab_bpmn_issue *is = ab_bpmn_issue_at(m, i);
        if (is->kind == kind && (element == NULL || strcmp(is->element_id, element) == 0)) {
            c++;
        }
    }
    return c;
}

static void test_checks(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = NULL;
    ab_error err;
    const char *bad =
        "<definitions xmlns=\"" NS "\" id=\"d\"><process id=\"p\">\n"
        "<startEvent id=\"s\"/>\n"
        "<task id=\"a\" name=\"A\"/>\n"
        "<task id=\"orphan\" name=\"Orphan\"/>\n"
        "<task id=\"x\" name=\"X\"/>\n"
        "<task id=\"y\" name=\"Y\"/>\n"
        "<exclusiveGateway id=\"g\"/>\n"
        "<endEvent id=\"e\"/>\n"
        "<task id=\"a\" name=\"Again\"/>\n"
        "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"a\"/>\n"
        "<sequenceFlow id=\"f2\" sourceRef=\"a\" targetRef=\"g\"/>\n"
        "<sequenceFlow id=\"f3\" sourceRef=\"g\" targetRef=\"e\"/>\n"
        "<sequenceFlow id=\"f4\" sourceRef=\"g\" targetRef=\"x\"/>\n"
        "<sequenceFlow id=\"f5\" sourceRef=\"x\" targetRef=\"y\"/>\n"
        "<sequenceFlow id=\"f6\" sourceRef=\"y\" targetRef=\"x\"/>\n"
        "<sequenceFlow id=\"f7\" sourceRef=\"a\" targetRef=\"nowhere\"/>\n"
        "<foo id=\"unknown\"/>\n"
        "<dataObject id=\"do\"/><textAnnotation id=\"ta\"/>\n"
        "</process></definitions>\n";
    assert_int_equal(read_mem(ctx, bad, &m, &err), AB_OK);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_DUPLICATE_ID, "a"), 1);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_DANGLING_FLOW, "f7"), 1);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_UNREACHABLE, "orphan"), 1);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_NO_END, "x"), 1);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_NO_END, "y"), 1);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_NO_END, "a"), 0);
    assert_int_equal(issues_of(m, AB_BPMN_ISSUE_UNSUPPORTED, "unknown"), 1);
    assert_int_equal(ab_bpmn_ignored_count(m), 2);
    assert_string_equal(ab_bpmn_ignored_name(m, 0), "dataObject");
    assert_int_equal(ab_bpmn_ignored_elements(m, 1), 1);
    /* The dangling flow is kept but connects nothing. */
    uint32_t f;
    assert_int_equal(ab_bpmn_flow_find(m, "f7", &f), AB_OK);
    assert_int_equal(ab_bpmn_flow_at(m, f)->target, AB_BPMN_NONE);
    /* Issues come in document order, with lines. */
    uint64_t last = 0;
    for (uint32_t i = 0; i < ab_bpmn_issue_count(m); i++) {
        assert_true(ab_bpmn_issue_at(m, i)->line >= last);
        last = ab_bpmn_issue_at(m, i)->line;
    }
    ab_bpmn_destroy(m);
    /* The shared maps that model a real process have no such problems. */
    const char *clean[] = {"models/pm4py_running-example.bpmn", "models/pm4py_receipt.bpmn",
                           "models/simod_LoanApp_simplified.bpmn",
                           "models/simod_branch_rules_or.bpmn", "models/camunda_invoice.v2.bpmn"};
    for (size_t k = 0; k < 5; k++) {
        m = read_ok(ctx, tu_shared(clean[k]));
        if (ab_bpmn_issue_count(m) != 0) {
            fail_msg("%s: %s", clean[k], ab_bpmn_issue_at(m, 0)->what);
        }
        ab_bpmn_destroy(m);
    }
    ab_ctx_destroy(ctx);
}

/* Every allocation of a read may fail; each failure is AB_ENOMEM, no leak. */
static void test_alloc_failures(void **state)
{
    (void)state;
    const char *files[] = {"models/pm4py_running-example.bpmn", "models/miwg_Reference_B.2.0.bpmn"};
    for (size_t k = 0; k < 2; k++) {
        const char *path = tu_shared(files[k]);
        char copy[4096];
        snprintf(copy, sizeof(copy), "%s", path);
        uint64_t step = k == 0 ? 1 : 7;
        for (uint64_t fail = 1;; fail += step) {
            tu_alloc a = {0, fail, 0, 0};
            ab_ctx *ctx = tu_ctx_counting(&a);
            ab_bpmn *m = NULL;
            int rc = ab_bpmn_read(&m, ctx, copy, NULL, NULL);
            ab_bpmn_destroy(m);
            ab_ctx_destroy(ctx);
            assert_int_equal(a.live, 0);
            if (a.failed == 0) {
                assert_int_equal(rc, AB_OK);
                break;
            }
            assert_int_equal(rc, AB_ENOMEM);
        }
    }
}

/* ---- Label mapping ---- */

static void test_normalise(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(ab_bpmn_label_normalise("  Check\n\tCredit_History  ", buf, sizeof(buf)),
                     strlen("check credit history"));
    assert_string_equal(buf, "check credit history");
    assert_int_equal(ab_bpmn_label_normalise("A\xC2\xA0" "B", buf, sizeof(buf)), 3);
    assert_string_equal(buf, "a b");
    /* Truncation reports the full length. */
    assert_int_equal(ab_bpmn_label_normalise("abcdef", buf, 4), 6);
    assert_string_equal(buf, "abc");
    assert_true(ab_bpmn_label_similarity("Check credit", "check  CREDIT") == 1.0);
    assert_true(ab_bpmn_label_similarity("prepare payment", "Request Payment") >= 0.5);
    assert_true(ab_bpmn_label_similarity("approve", "Pay Invoice") < 0.5);
}

static void test_mapping(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *tasks[] = {"Check credit", "Approve", "Archive", "Approve", "Notify customer"};
    const char *acts[] = {"Check credit", "approve", "APPROVE", "Send letter", "notify customers"};
    ab_bpmn_mapping *map = NULL;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 5, acts, 5, NULL, NULL), AB_OK);
    /* Exact first; "Approve" matches two activities once normalised. */
    assert_int_equal(ab_bpmn_map_pair_count(map), 3);
    assert_string_equal(ab_bpmn_map_pair_at(map, 0)->task, "Approve");
    assert_string_equal(ab_bpmn_map_pair_at(map, 0)->activity, "APPROVE");
    assert_int_equal(ab_bpmn_map_pair_at(map, 0)->how, AB_BPMN_MAP_NORMALISED);
    assert_string_equal(ab_bpmn_map_pair_at(map, 2)->task, "Check credit");
    assert_int_equal(ab_bpmn_map_pair_at(map, 2)->how, AB_BPMN_MAP_EXACT);
    uint32_t first;
    assert_int_equal(ab_bpmn_map_task_pairs(map, "Approve", &first), 2);
    assert_int_equal(first, 0);
    assert_int_equal(ab_bpmn_map_task_pairs(map, "Archive", &first), 0);
    assert_int_equal(ab_bpmn_map_unmapped_task_count(map), 2);
    assert_string_equal(ab_bpmn_map_unmapped_task(map, 0), "Archive");
    assert_string_equal(ab_bpmn_map_unmapped_task(map, 1), "Notify customer");
    assert_int_equal(ab_bpmn_map_unmapped_activity_count(map), 2);
    assert_string_equal(ab_bpmn_map_unmapped_activity(map, 0), "Send letter");
    /* A near match is offered. */
    int offered = 0;
    for (uint32_t i = 0; i < ab_bpmn_map_suggestion_count(map); i++) {
        const ab_bpmn_map_suggestion *s = ab_bpmn_map_suggestion_at(map, i);
        if (strcmp(s->task, "Notify customer") == 0 &&
            strcmp(s->activity, "notify customers") == 0) {
            assert_true(s->score > 0.9 && s->score < 1.0);
            offered = 1;
        }
    }
    assert_true(offered);
    ab_bpmn_map_destroy(map);

    /* A mapping file: many-to-many, header, quotes, comments. */
    const char *csv = "\xEF\xBB\xBFtask,activity\n"
                      "# comment\n"
                      "\n"
                      "archive,Send letter\r\n"
                      "Archive,\"Check credit\"\n"
                      "\"Notify customer\",\"notify customers\"\n"
                      "Approve,approve\n"
                      "Ghost task,Send letter\n"
                      "Archive,Ghost activity\n";
    const char *path = tu_tmpfile(csv, strlen(csv), ".csv");
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = path;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 5, acts, 5, &mo, NULL), AB_OK);
    assert_int_equal(ab_bpmn_map_task_pairs(map, "Archive", &first), 2);
    assert_int_equal(ab_bpmn_map_pair_at(map, first)->how, AB_BPMN_MAP_FILE);
    /* The file decides for Approve: only the activity it names. */
    assert_int_equal(ab_bpmn_map_task_pairs(map, "Approve", &first), 1);
    assert_string_equal(ab_bpmn_map_pair_at(map, first)->activity, "approve");
    assert_int_equal(ab_bpmn_map_unmapped_task_count(map), 0);
    assert_int_equal(ab_bpmn_map_unmapped_activity_count(map), 1);
    assert_string_equal(ab_bpmn_map_unmapped_activity(map, 0), "APPROVE");
    assert_int_equal(ab_bpmn_map_warning_count(map), 2);
    assert_non_null(strstr(ab_bpmn_map_warning(map, 0), "Ghost task"));
    assert_non_null(strstr(ab_bpmn_map_warning(map, 1), "Ghost activity"));
    assert_non_null(strstr(ab_bpmn_map_warning(map, 1), ":9:"));
    ab_bpmn_map_destroy(map);
    remove(path);

    /* A malformed line is an error with its line number. */
    const char *broken = "task,activity\nA,B\nno comma here\n";
    path = tu_tmpfile(broken, strlen(broken), ".csv");
    mo.map_file = path;
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 5, acts, 5, &mo, &err), AB_EPARSE);
    assert_null(map);
    assert_int_equal(err.line, 3);
    remove(path);
    const char *quote = "\"unterminated,B\n";
    path = tu_tmpfile(quote, strlen(quote), ".csv");
    mo.map_file = path;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 5, acts, 5, &mo, &err), AB_EPARSE);
    assert_int_equal(err.line, 1);
    remove(path);
    mo.map_file = "/nonexistent/map.csv";
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 5, acts, 5, &mo, &err), AB_EIO);
    ab_ctx_destroy(ctx);
}

/* Discovered maps draw tasks "Start" and "End" that no log carries: the
 * mapping says so and suggests the line that declares them silent, and a
 * `task,` line does (issue: every case "bypassed" both on BPI 2012). */
static void test_mapping_silent(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *tasks[] = {"Start", "Review", "END event", "Startup"};
    const char *acts[] = {"Review", "Pay"};
    ab_bpmn_mapping *map = NULL;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 4, acts, 2, NULL, NULL), AB_OK);
    assert_int_equal(ab_bpmn_map_unmapped_task_count(map), 3);
    /* "Startup" is a real name, not an artificial start. */
    assert_int_equal(ab_bpmn_map_warning_count(map), 2);
    assert_non_null(strstr(ab_bpmn_map_warning(map, 0), "'END event,'"));
    assert_non_null(strstr(ab_bpmn_map_warning(map, 1), "'Start,'"));
    ab_bpmn_map_destroy(map);

    const char *csv = "start,\n\"END event\",\n";
    const char *path = tu_tmpfile(csv, strlen(csv), ".csv");
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = path;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 4, acts, 2, &mo, NULL), AB_OK);
    uint32_t first;
    assert_int_equal(ab_bpmn_map_task_pairs(map, "Start", &first), 1);
    assert_int_equal(ab_bpmn_map_pair_at(map, first)->how, AB_BPMN_MAP_SILENT);
    assert_string_equal(ab_bpmn_map_pair_at(map, first)->activity, "");
    assert_string_equal(ab_bpmn_map_how_name(AB_BPMN_MAP_SILENT), "silent");
    assert_int_equal(ab_bpmn_map_unmapped_task_count(map), 1);
    assert_string_equal(ab_bpmn_map_unmapped_task(map, 0), "Startup");
    assert_int_equal(ab_bpmn_map_warning_count(map), 0);
    ab_bpmn_map_destroy(map);
    remove(path);

    /* Through the net: the declared task is silent, so a trace without it fits. */
    const char *xml = "<definitions xmlns=\"" NS "\" id=\"d\"><process id=\"p\">"
                      "<startEvent id=\"s\"/><task id=\"a\" name=\"Start\"/>"
                      "<task id=\"b\" name=\"Review\"/><endEvent id=\"e\"/>"
                      "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"a\"/>"
                      "<sequenceFlow id=\"f2\" sourceRef=\"a\" targetRef=\"b\"/>"
                      "<sequenceFlow id=\"f3\" sourceRef=\"b\" targetRef=\"e\"/>"
                      "</process></definitions>";
    ab_bpmn *m = NULL;
    ab_error err;
    assert_int_equal(read_mem(ctx, xml, &m, &err), AB_OK);
    ab_net *n = NULL, *r = NULL;
    assert_int_equal(ab_net_compile(&n, ctx, m, NULL, NULL), AB_OK);
    const char *csv2 = "Start,\n";
    path = tu_tmpfile(csv2, strlen(csv2), ".csv");
    mo.map_file = path;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, ab_net_labels(n), ab_net_label_count(n), acts,
                                        2, &mo, NULL),
                     AB_OK);
    assert_int_equal(ab_net_relabel(&r, n, map, NULL), AB_OK);
    assert_int_equal(ab_net_label_count(r), 1);
    assert_string_equal(ab_net_label(r, 0), "Review");
    const char *trace[] = {"Review"};
    int acc = 0;
    assert_int_equal(ab_net_accepts(r, trace, 1, NULL, &acc, NULL), AB_OK);
    assert_true(acc);
    ab_net_destroy(r);
    ab_net_destroy(n);
    ab_bpmn_map_destroy(map);
    ab_bpmn_destroy(m);
    remove(path);
    ab_ctx_destroy(ctx);
}

/* Many names on both sides: exact and normalised matches are found by
 * lookup, and near matches are not searched past 4,000,000 comparisons (a
 * warning says so) instead of growing with tasks times activities. */
static void test_mapping_large(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    enum { NT = 2000, NA = 3000 };
    char (*tn)[32] = malloc(sizeof(*tn) * NT), (*an)[32] = malloc(sizeof(*an) * NA);
    const char **tasks = malloc(sizeof(char *) * NT), **acts = malloc(sizeof(char *) * NA);
    assert_true(tn != NULL && an != NULL && tasks != NULL && acts != NULL);
    for (int i = 0; i < NT; i++) {
        /* Every tenth task is an activity exactly, every tenth + 1 once normalised. */
        snprintf(tn[i], sizeof(tn[i]), i % 10 == 0 ? "step %d" : i % 10 == 1 ? "Step-%d" : "task %d",
                 i);
        tasks[i] = tn[i];
    }
    for (int i = 0; i < NA; i++) {
        snprintf(an[i], sizeof(an[i]), "step %d", i);
        acts[i] = an[i];
    }
    ab_bpmn_mapping *map = NULL;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, NT, acts, NA, NULL, NULL), AB_OK);
    assert_int_equal(ab_bpmn_map_pair_count(map), 400);
    uint32_t first;
    assert_int_equal(ab_bpmn_map_task_pairs(map, "Step-1991", &first), 1);
    assert_string_equal(ab_bpmn_map_pair_at(map, first)->activity, "step 1991");
    assert_int_equal(ab_bpmn_map_pair_at(map, first)->how, AB_BPMN_MAP_NORMALISED);
    assert_int_equal(ab_bpmn_map_task_pairs(map, "step 1990", &first), 1);
    assert_int_equal(ab_bpmn_map_pair_at(map, first)->how, AB_BPMN_MAP_EXACT);
    assert_int_equal(ab_bpmn_map_unmapped_task_count(map), 1600);
    assert_int_equal(ab_bpmn_map_unmapped_activity_count(map), 2600);
    /* 1,600 x 2,600 = 4,160,000 comparisons: more than the budget. */
    assert_int_equal(ab_bpmn_map_suggestion_count(map), 0);
    assert_int_equal(ab_bpmn_map_warning_count(map), 1);
    assert_non_null(strstr(ab_bpmn_map_warning(map, 0), "no near matches were searched"));
    ab_bpmn_map_destroy(map);
    /* Under the budget the near matches are searched. */
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, 100, acts, NA, NULL, NULL), AB_OK);
    assert_true(ab_bpmn_map_suggestion_count(map) > 0);
    assert_int_equal(ab_bpmn_map_warning_count(map), 0);
    ab_bpmn_map_destroy(map);
    free(tn);
    free(an);
    free(tasks);
    free(acts);
    ab_ctx_destroy(ctx);
}

/* The shipped mapping for the BPI Challenge 2020 map covers its tasks. */
static void test_bpic2020_mapping(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_bpmn *m = read_ok(ctx, tu_shared("models/bpic2020_declaration_documents.bpmn"));
    const char *tasks[16];
    uint32_t nt = 0;
    for (uint32_t i = 0; i < ab_bpmn_node_count(m) && nt < 16; i++) {
        if (ab_bpmn_node_at(m, i)->kind == AB_BPMN_TASK) {
            tasks[nt++] = ab_bpmn_node_at(m, i)->label;
        }
    }
    /* The activities of the Domestic Declarations log. */
    const char *acts[] = {
        "Declaration APPROVED by ADMINISTRATION", "Declaration APPROVED by BUDGET OWNER",
        "Declaration APPROVED by PRE_APPROVER",   "Declaration FINAL_APPROVED by SUPERVISOR",
        "Declaration REJECTED by ADMINISTRATION", "Declaration REJECTED by BUDGET OWNER",
        "Declaration REJECTED by EMPLOYEE",       "Declaration REJECTED by MISSING",
        "Declaration REJECTED by PRE_APPROVER",   "Declaration REJECTED by SUPERVISOR",
        "Declaration SAVED by EMPLOYEE",          "Declaration SUBMITTED by EMPLOYEE",
        "Payment Handled",                        "Request Payment",
    };
    ab_bpmn_mapping *map = NULL;
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, nt, acts, 14, NULL, NULL), AB_OK);
    /* Without a mapping file nothing matches: the map is abstract. */
    assert_int_equal(ab_bpmn_map_pair_count(map), 0);
    ab_bpmn_map_destroy(map);
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = tu_datasets("maps/bpic2020_declaration_documents.map.csv");
    assert_int_equal(ab_bpmn_map_create(&map, ctx, tasks, nt, acts, 14, &mo, NULL), AB_OK);
    assert_int_equal(ab_bpmn_map_pair_count(map), 6);
    assert_int_equal(ab_bpmn_map_warning_count(map), 0);
    assert_int_equal(ab_bpmn_map_unmapped_task_count(map), 1);
    assert_string_equal(ab_bpmn_map_unmapped_task(map, 0), "prepare resubmission");
    assert_int_equal(ab_bpmn_map_unmapped_activity_count(map), 8);
    /* Lane-qualified lines keep their lane. */
    uint32_t first;
    assert_int_equal(ab_bpmn_map_task_pairs(map, "approve", &first), 2);
    assert_string_equal(ab_bpmn_map_pair_at(map, first)->lane, "Budget Owner");
    assert_string_equal(ab_bpmn_map_pair_at(map, first + 1)->lane, "Supervisor");
    assert_int_equal(ab_bpmn_map_task_pairs(map, "prove request", &first), 1);
    assert_null(ab_bpmn_map_pair_at(map, first)->lane);
    ab_bpmn_map_destroy(map);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

/* A mapping with a file, under allocation failures. */
static void test_mapping_alloc_failures(void **state)
{
    (void)state;
    const char *tasks[] = {"approve", "prove request", "submit travel request"};
    const char *acts[] = {"Declaration APPROVED by BUDGET OWNER", "Declaration SUBMITTED by EMPLOYEE",
                          "Declaration APPROVED by ADMINISTRATION", "Payment Handled"};
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_datasets("maps/bpic2020_declaration_documents.map.csv"));
    for (uint64_t fail = 1;; fail++) {
        tu_alloc a = {0, fail, 0, 0};
        ab_ctx *ctx = tu_ctx_counting(&a);
        ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
        mo.map_file = path;
        ab_bpmn_mapping *map = NULL;
        int rc = ab_bpmn_map_create(&map, ctx, tasks, 3, acts, 4, &mo, NULL);
        if (rc == AB_OK) {
            assert_int_equal(ab_bpmn_map_pair_count(map), 3);
            assert_int_equal(ab_bpmn_map_unmapped_activity_count(map), 1);
        }
        ab_bpmn_map_destroy(map);
        ab_ctx_destroy(ctx);
        assert_int_equal(a.live, 0);
        if (a.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_models),
        cmocka_unit_test(test_names_lanes_pools),
        cmocka_unit_test(test_diagram),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_mapping_silent),
        cmocka_unit_test(test_mapping_large),
        cmocka_unit_test(test_bpic2020_mapping),
        cmocka_unit_test(test_mapping_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
