/*
 * tests/test_report.c: the report's pictures and page. Every shared map
 * draws as well-formed SVG (parsed here with libxml2) with one task shape per
 * task the DI places; a map stripped of its DI is laid out with every node
 * drawn, none overlapping, from left to right, and exactly as the same map
 * with DI forced through the layout; an overlay lands where it says;
 * hostile names from a map, a log or the caller come out as text in every
 * place they can appear; the same inputs give the same bytes; allocation
 * failures leak nothing. Run as "test_report --demo DIR", it writes the
 * example pages that tests/html_check.py renders in Chromium.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "test_util.h"

#include "asbuilt/bpmn.h"
#include "asbuilt/conform.h"
#include "asbuilt/discover.h"
#include "asbuilt/gap.h"
#include "asbuilt/ingest.h"
#include "asbuilt/net.h"
#include "asbuilt/report.h"
#include "report/report_int.h"

/* ---- Hostile strings: each must come out as the same characters, never as markup. ---- */

static const char *const hostile[] = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)' x='",
    "</title><script>alert('doc')</script>",
    "&lt;b&gt;escaped twice&amp;",
    "]]><!-- --><svg onload=alert(1)>",
    "</svg></div><iframe src=\"http://127.0.0.1:8/\"></iframe>",
};
#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* Bytes that are not UTF-8 and a control character, and what they must become. */
static const char bad_bytes[] = "bad\xff\xfe"
                                "bytes\x01"
                                "ctl";
static const char bad_bytes_shown[] = "bad\xef\xbf\xbd\xef\xbf\xbd"
                                      "bytes\xef\xbf\xbd"
                                      "ctl";

/* ---- Helpers. ---- */

static ab_bpmn *read_model(ab_ctx *ctx, const char *path)
{
    ab_bpmn *m = NULL;
    ab_error err;
    ab_error_clear(&err);
    if (ab_bpmn_read(&m, ctx, path, NULL, &err) != AB_OK) {
        fail_msg("%s: %s", path, err.msg);
    }
    return m;
}

static ab_log *read_log(ab_ctx *ctx, const char *path)
{
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    if (ab_ingest_files(&log, ctx, &path, 1, &ro, &err) != AB_OK) {
        char msg[1024];
        ab_error_format(&err, msg, sizeof(msg));
        fail_msg("reading %s: %s", path, msg);
    }
    return log;
}

static ab_dfg *discover(ab_ctx *ctx, const ab_log *log)
{
    ab_dfg *d = NULL;
    assert_int_equal(ab_dfg_discover(&d, ctx, log, NULL, NULL), AB_OK);
    return d;
}

static void draw(ab_buf *b, ab_ctx *ctx, const ab_bpmn *m, const ab_report_overlay *ov,
                 ab_report_layout layout, ab_report_map_info *info)
{
    ab_report_map_options o = AB_REPORT_MAP_OPTIONS_INIT;
    o.layout = layout;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_report_map_svg(b, ctx, m, ov, &o, info, &err);
    if (rc != AB_OK) {
        fail_msg("%s: drawing failed: %s", ab_bpmn_source(m), err.msg);
    }
}

/* Parses an SVG document strictly (no network, no entities) or fails the test. */
static xmlDocPtr parse_svg(const ab_buf *b, const char *what)
{
    xmlDocPtr doc = xmlReadMemory(b->ptr, (int)b->len, what, "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        fail_msg("%s: the SVG is not well-formed XML", what);
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_non_null(root);
    assert_string_equal((const char *)root->name, "svg");
    return doc;
}

static xmlDocPtr parse_html(const ab_buf *b)
{
    htmlDocPtr doc = htmlReadMemory(b->ptr, (int)b->len, "page.html", "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    assert_non_null(doc);
    return doc;
}

static char *attr(xmlNodePtr n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static int has_class(xmlNodePtr n, const char *token)
{
    char *cls = attr(n, "class");
    int found = 0;
    if (cls != NULL) {
        size_t tl = strlen(token);
        for (char *p = cls; *p != '\0' && !found;) {
            while (*p == ' ') {
                p++;
            }
            size_t len = strcspn(p, " ");
            found = len == tl && strncmp(p, token, tl) == 0;
            p += len;
        }
        xmlFree(cls);
    }
    return found;
}

static int is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Elements named `name` (NULL: any) having the class token `token` (NULL: any). */
static uint32_t count_class(xmlNodePtr n, const char *name, const char *token)
{
    uint32_t c = 0;
    for (; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            if ((name == NULL || is_elem(n, name)) && (token == NULL || has_class(n, token))) {
                c++;
            }
            c += count_class(n->children, name, token);
        }
    }
    return c;
}

/* The first element with the class token and data-element == id. */
static xmlNodePtr find_element(xmlNodePtr n, const char *token, const char *id)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (has_class(n, token)) {
            char *v = attr(n, "data-element");
            int eq = v != NULL && strcmp(v, id) == 0;
            xmlFree(v);
            if (eq) {
                return n;
            }
        }
        xmlNodePtr f = find_element(n->children, token, id);
        if (f != NULL) {
            return f;
        }
    }
    return NULL;
}

/*
 * Nothing in the tree can run or fetch: no element that loads or runs
 * anything, no event-handler attribute, no reference outside the document.
 */
static void assert_inert(xmlNodePtr n)
{
    static const char *const banned[] = {
        "script", "img", "iframe",        "object", "embed", "link",   "base",  "form",
        "image",  "use", "foreignObject", "audio",  "video", "source", "frame", "frameset"};
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        for (size_t k = 0; k < sizeof(banned) / sizeof(banned[0]); k++) {
            if (strcmp((const char *)n->name, banned[k]) == 0) {
                fail_msg("a <%s> element came out", banned[k]);
            }
        }
        for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
            const char *an = (const char *)a->name;
            if ((an[0] == 'o' || an[0] == 'O') && (an[1] == 'n' || an[1] == 'N')) {
                fail_msg("an event handler attribute %s came out on <%s>", an, n->name);
            }
            if (strcmp(an, "src") == 0 || strcmp(an, "srcset") == 0 || strcmp(an, "action") == 0 ||
                strcmp(an, "formaction") == 0 || strcmp(an, "data") == 0 ||
                strcmp(an, "poster") == 0) {
                fail_msg("a %s attribute came out on <%s>", an, n->name);
            }
            if (strcmp(an, "href") == 0) {
                char *v = attr(n, "href");
                int local = v != NULL && v[0] == '#';
                xmlFree(v);
                if (!local) {
                    fail_msg("an href outside the page came out on <%s>", n->name);
                }
            }
        }
        if (strcmp((const char *)n->name, "meta") == 0) {
            char *he = attr(n, "http-equiv");
            int refresh = he != NULL && strcasecmp(he, "refresh") == 0;
            xmlFree(he);
            if (refresh) {
                fail_msg("a meta refresh came out");
            }
        }
        assert_inert(n->children);
    }
}

/* The bytes themselves: markup from a hostile string would show here before any parser. */
static void assert_no_raw_markup(const ab_buf *b)
{
    static const char *const pats[] = {"<script", "<img", "<iframe", "onerror=alert(1)>",
                                       "<svg onload"};
    for (size_t k = 0; k < sizeof(pats) / sizeof(pats[0]); k++) {
        for (size_t i = 0; i + strlen(pats[k]) <= b->len; i++) {
            if (strncasecmp(b->ptr + i, pats[k], strlen(pats[k])) == 0) {
                fail_msg("raw \"%s\" in the output at byte %zu", pats[k], i);
            }
        }
    }
}

/* All the text and attribute values of a tree, concatenated with newlines. */
static void gather_text(xmlNodePtr n, ab_buf *out, ab_ctx *ctx)
{
    for (; n != NULL; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            assert_int_equal(ab_buf_append(out, ctx, n->content, strlen((char *)n->content)), 0);
        } else if (n->type == XML_ELEMENT_NODE) {
            for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
                char *v = attr(n, (const char *)a->name);
                if (v != NULL) {
                    assert_int_equal(ab_buf_printf(out, ctx, "\n%s\n", v), 0);
                    xmlFree(v);
                }
            }
            gather_text(n->children, out, ctx);
            assert_int_equal(ab_buf_append(out, ctx, "\n", 1), 0);
        }
    }
}

static int text_has(const ab_buf *text, const char *s)
{
    return text->ptr != NULL && strstr(text->ptr, s) != NULL;
}

/* Plane-0 shapes of flow nodes, and of tasks among them: what the DI places. */
static void di_counts(const ab_bpmn *m, uint32_t *nodes, uint32_t *tasks)
{
    *nodes = *tasks = 0;
    for (uint32_t i = 0; i < ab_bpmn_shape_count(m); i++) {
        const ab_bpmn_shape *s = ab_bpmn_shape_at(m, i);
        if (s->plane == 0 && s->node != AB_BPMN_NONE) {
            (*nodes)++;
            *tasks += ab_bpmn_node_at(m, s->node)->kind == AB_BPMN_TASK;
        }
    }
}

typedef struct box {
    double x0, y0, x1, y1;
} box;

/* Bounds of a node group: its first rect, circle or polygon. */
static int node_box(xmlNodePtr g, box *out)
{
    for (xmlNodePtr c = g->children; c != NULL; c = c->next) {
        if (is_elem(c, "rect")) {
            char *x = attr(c, "x"), *y = attr(c, "y"), *w = attr(c, "width"),
                 *h = attr(c, "height");
            *out = (box){atof(x), atof(y), atof(x) + atof(w), atof(y) + atof(h)};
            xmlFree(x);
            xmlFree(y);
            xmlFree(w);
            xmlFree(h);
            return 1;
        }
        if (is_elem(c, "circle")) {
            char *x = attr(c, "cx"), *y = attr(c, "cy"), *r = attr(c, "r");
            *out =
                (box){atof(x) - atof(r), atof(y) - atof(r), atof(x) + atof(r), atof(y) + atof(r)};
            xmlFree(x);
            xmlFree(y);
            xmlFree(r);
            return 1;
        }
        if (is_elem(c, "polygon")) {
            char *pts = attr(c, "points");
            box bb = {INFINITY, INFINITY, -INFINITY, -INFINITY};
            char *p = pts;
            while (p != NULL && *p != '\0') {
                char *end;
                double px = strtod(p, &end);
                if (end == p || *end != ',') {
                    break;
                }
                double py = strtod(end + 1, &p);
                bb.x0 = fmin(bb.x0, px);
                bb.y0 = fmin(bb.y0, py);
                bb.x1 = fmax(bb.x1, px);
                bb.y1 = fmax(bb.y1, py);
            }
            xmlFree(pts);
            *out = bb;
            return isfinite(bb.x0);
        }
    }
    return 0;
}

typedef struct node_list {
    xmlNodePtr g[4096];
    uint32_t n;
} node_list;

static void collect(xmlNodePtr n, const char *token, node_list *out)
{
    for (; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            if (has_class(n, token) && out->n < 4096) {
                out->g[out->n++] = n;
            }
            collect(n->children, token, out);
        }
    }
}

/* ---- The small pieces. ---- */

static void test_escape(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_buf b = AB_BUF_INIT;
    static const char in[] = "<a href='x'>&\"\n\t\x01\x7f\xc2\x80\xff ok \xc3\xa9\xe2\x82\xac";
    assert_int_equal(ab_report_escape(&b, ctx, in, sizeof(in) - 1), AB_OK);
    assert_string_equal(b.ptr, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&#10;&#9;"
                               "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ok "
                               "\xc3\xa9\xe2\x82\xac");
    ab_buf_dispose(&b);
    /* Overlong forms, surrogates and truncated sequences are not characters. */
    static const char odd[] = "\xc0\xbc\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82";
    assert_int_equal(ab_report_escape(&b, ctx, odd, sizeof(odd) - 1), AB_OK);
    assert_null(strchr(b.ptr, '<'));
    for (size_t i = 0; i < b.len; i += 3) {
        assert_memory_equal(b.ptr + i, "\xef\xbf\xbd", 3);
    }
    ab_buf_dispose(&b);
    assert_int_equal(ab__report_text(&b, ctx, "abcdef", 4), AB_OK);
    assert_string_equal(b.ptr, "abc\xe2\x80\xa6");
    ab_buf_dispose(&b);
    assert_int_equal(ab__report_text(&b, ctx, "abcd", 4), AB_OK);
    assert_string_equal(b.ptr, "abcd");
    ab_buf_dispose(&b);
    ab_ctx_destroy(ctx);
}

static void test_wrap(void **state)
{
    (void)state;
    static const char *const labels[] = {
        "Check application form completeness",
        "Supercalifragilisticexpialidocious-and-then-some",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        ("\xe7\x94\xb3\xe8\xab\x8b\xe6\x9b\xb8\xe3\x81\xae\xe7\xa2\xba\xe8\xaa\x8d\xe3\x82\x92\xe8"
         "\xa1\x8c\xe3\x81\x86"),
        "   spaces   around   ",
        "",
    };
    for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
        for (double w = 20; w <= 200; w += 30) {
            for (uint32_t max = 1; max <= 4; max++) {
                ab__report_line lines[16];
                uint32_t n = ab__report_wrap(labels[k], w, 12, max, lines);
                assert_true(n <= max);
                size_t prev_end = 0;
                int cut = 0;
                for (uint32_t i = 0; i < n; i++) {
                    assert_true(lines[i].off >= prev_end);
                    prev_end = lines[i].off + lines[i].len;
                    double lw = lines[i].width + (lines[i].ellipsis ? 12 : 0);
                    /* Over the width only when a single character does not fit. */
                    if (lw > w + 1e-9) {
                        assert_true(lines[i].len <= 4);
                    }
                    cut |= lines[i].ellipsis;
                }
                if (!cut) {
                    /* Nothing dropped: what follows the last line is only white space. */
                    const char *rest = labels[k] + prev_end;
                    assert_int_equal(strspn(rest, " "), strlen(rest));
                } else {
                    assert_true(lines[n - 1].ellipsis);
                }
            }
        }
    }
}

/* ---- Maps. ---- */

static int is_bpmn(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".bpmn") == 0;
}

/* Every shared map, with its DI and laid out: well-formed, one shape per node placed. */
static void test_every_model(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_shared("models"));
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    struct dirent *de;
    uint32_t maps = 0;
    while ((de = readdir(dh)) != NULL) {
        if (!is_bpmn(de->d_name)) {
            continue;
        }
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        ab_bpmn *m = read_model(ctx, path);
        uint32_t di_nodes, di_tasks;
        di_counts(m, &di_nodes, &di_tasks);
        assert_true(di_nodes > 0); /* Every shared map has DI; the test below strips it. */

        ab_buf b = AB_BUF_INIT;
        ab_report_map_info info;
        draw(&b, ctx, m, NULL, AB_REPORT_LAYOUT_AUTO, &info);
        xmlDocPtr doc = parse_svg(&b, path);
        xmlNodePtr root = xmlDocGetRootElement(doc);
        assert_int_equal(info.computed_layout, 0);
        if (count_class(root, "g", "task") != di_tasks || info.tasks_drawn != di_tasks) {
            fail_msg("%s: %u task shapes drawn, %u tasks placed by the DI", de->d_name,
                     count_class(root, "g", "task"), di_tasks);
        }
        assert_int_equal(count_class(root, "g", "node"), di_nodes);
        assert_int_equal(info.nodes_drawn, di_nodes);
        /* Each drawn node names a node of the map, and a drawn flow a flow. */
        node_list *nl = calloc(1, sizeof(*nl));
        assert_non_null(nl);
        collect(root, "node", nl);
        for (uint32_t i = 0; i < nl->n; i++) {
            char *id = attr(nl->g[i], "data-element");
            assert_non_null(id);
            assert_int_equal(ab_bpmn_node_find(m, id, NULL), AB_OK);
            xmlFree(id);
        }
        uint32_t flows = count_class(root, "g", "flow");
        assert_int_equal(flows, info.flows_drawn);
        assert_true(flows <= ab_bpmn_flow_count(m));
        assert_inert(root);
        xmlFreeDoc(doc);
        ab_buf_dispose(&b);

        /* The same map laid out: every node, no two overlapping. */
        draw(&b, ctx, m, NULL, AB_REPORT_LAYOUT_COMPUTED, &info);
        doc = parse_svg(&b, path);
        root = xmlDocGetRootElement(doc);
        assert_int_equal(info.computed_layout, 1);
        assert_int_equal(count_class(root, "g", "node"), ab_bpmn_node_count(m));
        assert_int_equal(count_class(root, "g", "task"), ab_bpmn_count(m, AB_BPMN_TASK, -1));
        assert_int_equal(info.nodes_not_drawn, 0);
        nl->n = 0;
        collect(root, "node", nl);
        for (uint32_t i = 0; i < nl->n; i++) {
            box a;
            assert_true(node_box(nl->g[i], &a));
            for (uint32_t j = 0; j < i; j++) {
                box c;
                assert_true(node_box(nl->g[j], &c));
                if (a.x0 < c.x1 - 0.5 && c.x0 < a.x1 - 0.5 && a.y0 < c.y1 - 0.5 &&
                    c.y0 < a.y1 - 0.5) {
                    fail_msg("%s: laid-out nodes %u and %u overlap", de->d_name, i, j);
                }
            }
        }
        free(nl);
        xmlFreeDoc(doc);
        ab_buf_dispose(&b);
        ab_bpmn_destroy(m);
        maps++;
    }
    closedir(dh);
    assert_true(maps >= 10);
    ab_ctx_destroy(ctx);
}

/* What follows the <title> of a map: the picture without the file name. */
static const char *after_title(const ab_buf *b)
{
    const char *p = strstr(b->ptr, "</title>");
    assert_non_null(p);
    return p;
}

/* A map without DI gets a layout: every node, every flow, left to right. */
static void test_without_di(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    static const char *const pairs[][2] = {
        {"report/invoice_nodi.bpmn", "models/camunda_invoice.v2.bpmn"},
        {"report/running-example_nodi.bpmn", "models/pm4py_running-example.bpmn"},
    };
    for (size_t k = 0; k < 2; k++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s", tu_testdata(pairs[k][0]));
        ab_bpmn *m = read_model(ctx, path);
        assert_int_equal(ab_bpmn_shape_count(m), 0);
        ab_buf b = AB_BUF_INIT;
        ab_report_map_info info;
        draw(&b, ctx, m, NULL, AB_REPORT_LAYOUT_AUTO, &info);
        assert_int_equal(info.computed_layout, 1);
        xmlDocPtr doc = parse_svg(&b, path);
        xmlNodePtr root = xmlDocGetRootElement(doc);
        /* Every node exactly once. */
        for (uint32_t v = 0; v < ab_bpmn_node_count(m); v++) {
            const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
            xmlNodePtr g = find_element(root, "node", nd->id);
            if (g == NULL) {
                fail_msg("%s: node %s not drawn", path, nd->id);
            }
        }
        assert_int_equal(count_class(root, "g", "node"), ab_bpmn_node_count(m));
        uint32_t flows = 0;
        for (uint32_t f = 0; f < ab_bpmn_flow_count(m); f++) {
            const ab_bpmn_flow *fl = ab_bpmn_flow_at(m, f);
            flows += fl->source != AB_BPMN_NONE && fl->target != AB_BPMN_NONE;
            assert_non_null(find_element(root, "flow", fl->id));
        }
        assert_int_equal(count_class(root, "g", "flow"), flows);
        /* Left to right: every start event left of every end event. */
        for (uint32_t v = 0; v < ab_bpmn_node_count(m); v++) {
            const ab_bpmn_node *a = ab_bpmn_node_at(m, v);
            if (a->kind != AB_BPMN_START_EVENT) {
                continue;
            }
            box ba;
            assert_true(node_box(find_element(root, "node", a->id), &ba));
            for (uint32_t w = 0; w < ab_bpmn_node_count(m); w++) {
                const ab_bpmn_node *z = ab_bpmn_node_at(m, w);
                box bz;
                if (z->kind == AB_BPMN_END_EVENT) {
                    assert_true(node_box(find_element(root, "node", z->id), &bz));
                    assert_true(ba.x1 < bz.x0);
                }
            }
        }
        xmlFreeDoc(doc);

        /* The map with its DI, forced through the layout, gives the same picture. */
        snprintf(path, sizeof(path), "%s", tu_shared(pairs[k][1]));
        ab_bpmn *with_di = read_model(ctx, path);
        ab_buf b2 = AB_BUF_INIT;
        draw(&b2, ctx, with_di, NULL, AB_REPORT_LAYOUT_COMPUTED, &info);
        assert_string_equal(after_title(&b), after_title(&b2));
        /* And DI-only on a map without DI draws nothing, but well-formed. */
        ab_buf_dispose(&b2);
        draw(&b2, ctx, m, NULL, AB_REPORT_LAYOUT_DI, &info);
        assert_int_equal(info.nodes_drawn, 0);
        assert_int_equal(info.nodes_not_drawn, ab_bpmn_node_count(m));
        xmlFreeDoc(parse_svg(&b2, "empty"));
        ab_buf_dispose(&b2);
        ab_bpmn_destroy(with_di);
        ab_buf_dispose(&b);
        ab_bpmn_destroy(m);
    }
    ab_ctx_destroy(ctx);
}

/* ---- The LoanApp example: the map, the log with one approval removed, an overlay. ---- */

typedef struct loan {
    ab_bpmn *model;
    ab_log *log;
    ab_dfg *dfg;
    ab_report_task_mark marks[4];
    ab_report_arc arcs[8];
    ab_report_extra extras[2];
    const char *dead[8];
    ab_report_overlay ov;
    uint32_t n_marks, n_arcs, n_dead;
    uint32_t n_log_arcs; /* Arcs read from the graph (the first ones). */
    uint64_t bypassed, required, cases;
    char sentences[8][256];
    const char *sentence_ptrs[8];
    uint32_t n_sentences;
    char cells[8][4][128];
    const char *cell_ptrs[32];
    ab_report_table table;
    char pairs[16][2][96];
    const char *pair_ptrs[32];
    uint32_t n_pairs;
    ab_report_table mapping;
    ab_report_block blocks[4];
    ab_report_block appendix_blocks[3];
    ab_report_section sections[2];
    char headline[32], detail[128], s_cases[32], s_events[32], s_rate[32];
    ab_report_fact inputs[4];
    ab_report_fact figures[3];
    ab_report_page page;
} loan;

static const char *task_id(const ab_bpmn *m, const char *name)
{
    for (uint32_t v = 0; v < ab_bpmn_node_count(m); v++) {
        const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
        if (nd->kind == AB_BPMN_TASK && strcmp(nd->label, name) == 0) {
            return nd->id;
        }
    }
    fail_msg("no task named %s", name);
    return NULL;
}

static uint64_t activity_cases(const ab_dfg *d, const char *name)
{
    uint32_t i;
    return ab_dfg_activity_find(d, name, &i) == AB_OK ? ab_dfg_activities(d)[i].cases : 0;
}

/*
 * The overlay a gap analysis would give for this pair, filled by hand from
 * the directly-follows graph: "Approve loan offer" never happens although
 * every case through "Design loan offer" requires it, so the cases go from
 * "Design loan offer" straight to what follows the approval, and the flows
 * into and out of the approval are never traversed. `extra` adds an
 * undocumented activity and arcs to it, for the tests (the log has none).
 */
static void loan_build(loan *L, ab_ctx *ctx, int extra)
{
    memset(L, 0, sizeof(*L));
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_shared("models/simod_LoanApp_simplified.bpmn"));
    L->model = read_model(ctx, path);
    snprintf(path, sizeof(path), "%s",
             tu_shared("logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"));
    if (!tu_exists(path)) {
        snprintf(path, sizeof(path), "%s",
                 tu_datasets("logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"));
    }
    L->log = read_log(ctx, path);
    L->dfg = discover(ctx, L->log);
    const ab_bpmn *m = L->model;
    const ab_dfg *d = L->dfg;
    const char *approve = task_id(m, "Approve loan offer");
    const char *design = task_id(m, "Design loan offer");
    L->required = activity_cases(d, "Design loan offer");
    L->bypassed = L->required - activity_cases(d, "Approve loan offer");
    L->cases = ab_dfg_get_info(d)->cases;
    L->marks[L->n_marks++] = (ab_report_task_mark){
        approve, L->required > 0 ? (double)L->bypassed / (double)L->required : 0.0, L->bypassed,
        L->required, 0};
    uint32_t di;
    assert_int_equal(ab_dfg_activity_find(d, "Design loan offer", &di), AB_OK);
    for (uint32_t e = 0; e < ab_dfg_edge_count(d); e++) {
        const ab_dfg_edge *ed = &ab_dfg_edges(d)[e];
        const char *to = ab_dfg_activities(d)[ed->to].name;
        if (ed->from == di && strcmp(to, "Approve loan offer") != 0 && L->n_arcs < 4) {
            L->arcs[L->n_arcs++] = (ab_report_arc){design, task_id(m, to), NULL, NULL, ed->cases};
        }
    }
    L->n_log_arcs = L->n_arcs;
    uint32_t av;
    assert_int_equal(ab_bpmn_node_find(m, approve, &av), AB_OK);
    for (uint32_t f = 0; f < ab_bpmn_flow_count(m); f++) {
        const ab_bpmn_flow *fl = ab_bpmn_flow_at(m, f);
        if ((fl->source == av || fl->target == av) && L->n_dead < 8) {
            L->dead[L->n_dead++] = fl->id;
        }
    }
    L->ov = (ab_report_overlay)AB_REPORT_OVERLAY_INIT;
    L->ov.tasks = L->marks;
    L->ov.task_count = L->n_marks;
    L->ov.arcs = L->arcs;
    L->ov.arc_count = L->n_arcs;
    L->ov.dead_flows = L->dead;
    L->ov.dead_flow_count = L->n_dead;
    L->ov.cases = L->cases;
    if (extra) {
        const char *check = task_id(m, "Check credit history");
        L->marks[L->n_marks++] = (ab_report_task_mark){check, 0.0, 0, L->cases, 0};
        L->marks[L->n_marks++] = (ab_report_task_mark){"no-such-task", 0.5, 1, 2, 0};
        L->marks[L->n_marks++] =
            (ab_report_task_mark){task_id(m, "Reject application"), -1.0, 0, 0, 1};
        L->extras[0] =
            (ab_report_extra){"Call applicant", 42, design, task_id(m, "Approve application")};
        L->extras[1] = (ab_report_extra){"Archive scan", 7, NULL, NULL};
        L->arcs[L->n_arcs++] = (ab_report_arc){design, NULL, NULL, "Call applicant", 42};
        L->arcs[L->n_arcs++] = (ab_report_arc){"no-such-task", design, NULL, NULL, 3};
        L->arcs[L->n_arcs++] = (ab_report_arc){NULL, NULL, "Archive scan", "Call applicant", 2};
        L->dead[L->n_dead++] = "no-such-flow";
        L->ov.task_count = L->n_marks;
        L->ov.arc_count = L->n_arcs;
        L->ov.extras = L->extras;
        L->ov.extra_count = 2;
        L->ov.dead_flow_count = L->n_dead;
    }
}

static void loan_page(loan *L)
{
    const ab_bpmn *m = L->model;
    const ab_dfg *d = L->dfg;
    const ab_dfg_info *info = ab_dfg_get_info(d);
    double rate = L->cases > 0 ? (double)L->bypassed / (double)L->cases : 0.0;
    snprintf(L->headline, sizeof(L->headline), "%.1f%%", rate * 100.0);
    snprintf(L->detail, sizeof(L->detail), "%llu of %llu cases", (unsigned long long)L->bypassed,
             (unsigned long long)L->cases);
    snprintf(L->s_cases, sizeof(L->s_cases), "%llu", (unsigned long long)info->cases);
    snprintf(L->s_events, sizeof(L->s_events), "%llu", (unsigned long long)info->events);
    snprintf(L->s_rate, sizeof(L->s_rate), "%llu/%llu", (unsigned long long)L->bypassed,
             (unsigned long long)L->required);
    L->inputs[0] =
        (ab_report_fact){"Log", "simod_LoanApp_simplified_without_approve_loan_offer.csv", 1};
    L->inputs[1] = (ab_report_fact){"Map", "simod_LoanApp_simplified.bpmn", 1};
    L->inputs[2] = (ab_report_fact){"Cases, events", L->s_cases, 0};
    L->inputs[3] = (ab_report_fact){"Overlay", "filled by hand from the directly-follows graph", 0};
    L->figures[0] = (ab_report_fact){"Cases", L->s_cases, 0};
    L->figures[1] = (ab_report_fact){"Events", L->s_events, 0};
    L->figures[2] = (ab_report_fact){"Approve loan offer bypassed", L->s_rate, 0};
    snprintf(L->sentences[L->n_sentences++], 256,
             "In %llu of %llu cases (%.1f%%) whose documented path requires Approve loan offer, "
             "Approve loan offer was not performed.",
             (unsigned long long)L->bypassed, (unsigned long long)L->required,
             L->required > 0 ? 100.0 * (double)L->bypassed / (double)L->required : 0.0);
    for (uint32_t i = 0; i < L->n_log_arcs; i++) {
        uint32_t a, z;
        assert_int_equal(ab_bpmn_node_find(m, L->arcs[i].from_id, &a), AB_OK);
        assert_int_equal(ab_bpmn_node_find(m, L->arcs[i].to_id, &z), AB_OK);
        const char *an = ab_bpmn_node_at(m, a)->label, *zn = ab_bpmn_node_at(m, z)->label;
        snprintf(L->sentences[L->n_sentences++], 256,
                 "In %llu cases %s directly followed %s; the documented process never does that.",
                 (unsigned long long)L->arcs[i].cases, zn, an);
        snprintf(L->cells[i][0], 128, "%s", an);
        snprintf(L->cells[i][1], 128, "%s", zn);
        snprintf(L->cells[i][2], 128, "%llu", (unsigned long long)L->arcs[i].cases);
        for (int c = 0; c < 3; c++) {
            L->cell_ptrs[i * 3 + c] = L->cells[i][c];
        }
    }
    for (uint32_t i = 0; i < L->n_sentences; i++) {
        L->sentence_ptrs[i] = L->sentences[i];
    }
    static const char *const headers[] = {"From", "To", "Cases"};
    L->table = (ab_report_table){
        "Undocumented transitions", 3, headers, "llr", L->n_log_arcs, L->cell_ptrs};
    /* The label mapping: map tasks whose name is an activity of the log. */
    for (uint32_t v = 0; v < ab_bpmn_node_count(m) && L->n_pairs < 16; v++) {
        const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
        if (nd->kind != AB_BPMN_TASK) {
            continue;
        }
        uint32_t ai;
        int found = ab_dfg_activity_find(d, nd->label, &ai) == AB_OK;
        snprintf(L->pairs[L->n_pairs][0], 96, "%s", nd->label);
        snprintf(L->pairs[L->n_pairs][1], 96, "%s", found ? "exact" : "not in the log");
        L->pair_ptrs[2 * L->n_pairs] = L->pairs[L->n_pairs][0];
        L->pair_ptrs[2 * L->n_pairs + 1] = L->pairs[L->n_pairs][1];
        L->n_pairs++;
    }
    static const char *const mh[] = {"Documented task", "Matched to the log"};
    L->mapping = (ab_report_table){NULL, 2, mh, "ll", L->n_pairs, L->pair_ptrs};
    L->blocks[0] = (ab_report_block){AB_REPORT_LIST, NULL, L->sentence_ptrs, L->n_sentences, NULL};
    L->blocks[1] = (ab_report_block){AB_REPORT_TABLE, NULL, NULL, 0, &L->table};
    L->blocks[2] = (ab_report_block){
        AB_REPORT_NOTE,
        "Example page: the overlay was filled by hand from the directly-follows graph of the "
        "log, to show the report's drawing; asbuilt diff computes it from the alignments.",
        NULL, 0, NULL};
    L->sections[0] =
        (ab_report_section){"findings", "What happened that the map does not say", L->blocks, 3, 0};
    L->appendix_blocks[0] = (ab_report_block){AB_REPORT_TABLE, NULL, NULL, 0, &L->mapping};
    L->appendix_blocks[1] = (ab_report_block){
        AB_REPORT_PRE,
        "log  simod_LoanApp_simplified_without_approve_loan_offer.csv (Simod test assets)\n"
        "map  simod_LoanApp_simplified.bpmn (Simod test assets)",
        NULL, 0, NULL};
    L->sections[1] =
        (ab_report_section){"mapping", "Label mapping and inputs", L->appendix_blocks, 2, 1};
    L->page = (ab_report_page)AB_REPORT_PAGE_INIT;
    L->page.title = "Readiness report: loan application";
    L->page.subtitle = "The documented loan process against 500 recorded applications";
    L->page.inputs = L->inputs;
    L->page.input_count = 4;
    L->page.headline = L->headline;
    L->page.headline_text = "of cases did not follow the documented process";
    L->page.headline_detail = L->detail;
    L->page.tone = AB_REPORT_TONE_BAD;
    L->page.figures = L->figures;
    L->page.figure_count = 3;
    L->page.model = m;
    L->page.overlay = &L->ov;
    L->page.map_caption = "Colour: how often a documented step was bypassed. Red dashed: what "
                          "happened that the map does not allow. Grey: flows nobody followed.";
    L->page.dfg = d;
    L->page.dfg_caption = "Every directly-follows relation of the log, with counts.";
    L->page.sections = L->sections;
    L->page.section_count = 2;
    L->page.footer = "asbuilt example report";
}

static void loan_free(loan *L)
{
    ab_dfg_destroy(L->dfg);
    ab_log_destroy(L->log);
    ab_bpmn_destroy(L->model);
}

/* The overlay lands where it says, and what it cannot place is counted. */
static void test_overlay(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    loan *L = malloc(sizeof(*L));
    assert_non_null(L);
    loan_build(L, ctx, 1);
    /* The example's own numbers, as the dataset documents them. */
    assert_int_equal(L->required, 310);
    assert_int_equal(L->bypassed, 310);
    assert_int_equal(L->cases, 500);
    assert_true(L->n_arcs >= 5);
    ab_buf b = AB_BUF_INIT;
    ab_report_map_info info;
    draw(&b, ctx, L->model, &L->ov, AB_REPORT_LAYOUT_AUTO, &info);
    xmlDocPtr doc = parse_svg(&b, "loan");
    xmlNodePtr root = xmlDocGetRootElement(doc);
    /* Badges: the two marks with a rate on a drawn task; the dead one has its own tag. */
    assert_int_equal(count_class(root, "g", "ab-bypass"), 2);
    assert_int_equal(count_class(root, "g", "ab-dead-tag"), 1);
    ab_buf text = AB_BUF_INIT;
    gather_text(root, &text, ctx);
    assert_true(text_has(&text, "310/310 cases"));
    assert_true(text_has(&text, "0/500 cases"));
    /* The bypassed task is filled with the top of the scale, the measured-but-kept one with the
     * bottom. */
    char top[8], bottom[8];
    ab__report_rate_color(1.0, top);
    ab__report_rate_color(0.0, bottom);
    xmlNodePtr g = find_element(root, "node", L->marks[0].element_id);
    assert_non_null(g);
    assert_true(has_class(g, "ab-bypass-fill"));
    xmlNodePtr rect = g->children;
    while (rect != NULL && !is_elem(rect, "rect")) {
        rect = rect->next;
    }
    assert_non_null(rect);
    char *fill = attr(rect, "fill");
    assert_string_equal(fill, top);
    xmlFree(fill);
    g = find_element(root, "node", L->marks[1].element_id);
    rect = g->children;
    while (rect != NULL && !is_elem(rect, "rect")) {
        rect = rect->next;
    }
    fill = attr(rect, "fill");
    assert_string_equal(fill, bottom);
    xmlFree(fill);
    assert_true(has_class(find_element(root, "node", L->marks[3].element_id), "ab-dead"));
    /* Arcs: all but the one from an unknown task. */
    assert_int_equal(count_class(root, "g", "ab-arc"), L->n_arcs - 1);
    char want[64];
    snprintf(want, sizeof(want), "%llu cases", (unsigned long long)L->arcs[0].cases);
    assert_true(text_has(&text, want));
    /* Undocumented activities: both, one beside its context and one in the row below. */
    assert_int_equal(count_class(root, "g", "ab-extra"), 2);
    assert_true(text_has(&text, "Call applicant"));
    assert_true(text_has(&text, "42 cases"));
    /* Dead flows, greyed. */
    uint32_t dead_flows = 0;
    for (uint32_t i = 0; i < L->n_dead; i++) {
        xmlNodePtr f = find_element(root, "flow", L->dead[i]);
        if (f != NULL) {
            assert_true(has_class(f, "ab-dead"));
            dead_flows++;
        }
    }
    assert_int_equal(dead_flows, L->n_dead - 1);
    assert_int_equal(count_class(root, "g", "ab-dead"), dead_flows + 1);
    /* Unknown task, arc end and flow: counted, not drawn. */
    assert_int_equal(info.overlay_missing, 3);
    assert_int_equal(info.overlay_drawn, (L->n_marks - 1) + (L->n_arcs - 1) + 2 + dead_flows);
    assert_int_equal(count_class(root, "g", "ab-legend"), 1);
    /* The red boxes stay clear of the documented nodes. */
    node_list *nl = calloc(1, sizeof(*nl));
    node_list *xl = calloc(1, sizeof(*xl));
    assert_non_null(nl);
    assert_non_null(xl);
    collect(root, "node", nl);
    collect(root, "ab-extra", xl);
    for (uint32_t i = 0; i < xl->n; i++) {
        box a;
        assert_true(node_box(xl->g[i], &a));
        for (uint32_t j = 0; j < nl->n; j++) {
            box c;
            assert_true(node_box(nl->g[j], &c));
            assert_false(a.x0 < c.x1 && c.x0 < a.x1 && a.y0 < c.y1 && c.y0 < a.y1);
        }
    }
    free(nl);
    free(xl);
    ab_buf_dispose(&text);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);

    /* No legend when asked, and a bare map has no overlay marks at all. */
    ab_report_map_options o = AB_REPORT_MAP_OPTIONS_INIT;
    o.legend = 0;
    assert_int_equal(ab_report_map_svg(&b, ctx, L->model, &L->ov, &o, NULL, NULL), AB_OK);
    doc = parse_svg(&b, "loan");
    assert_int_equal(count_class(xmlDocGetRootElement(doc), "g", "ab-legend"), 0);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);
    assert_int_equal(ab_report_map_svg(&b, ctx, L->model, NULL, NULL, NULL, NULL), AB_OK);
    doc = parse_svg(&b, "bare");
    root = xmlDocGetRootElement(doc);
    assert_int_equal(count_class(root, NULL, "ab-bypass") + count_class(root, NULL, "ab-arc") +
                         count_class(root, NULL, "ab-extra") + count_class(root, NULL, "ab-dead") +
                         count_class(root, NULL, "ab-legend"),
                     0);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);
    loan_free(L);
    free(L);
    ab_ctx_destroy(ctx);
}

/* ---- Geometry of a drawn map, read back from its SVG. ---- */

/* A box on the picture: a label, a shape, or something the overlay placed. */
typedef struct gbox {
    box b;
    int overlay; /* Placed by the overlay (badge, tag, red box, marker). */
    char what[200];
} gbox;

typedef struct gbox_list {
    gbox *v;
    uint32_t n, cap;
} gbox_list;

static void gbox_add(gbox_list *l, box b, int overlay, const char *what, const char *detail)
{
    if (l->n == l->cap) {
        l->cap = l->cap != 0 ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        assert_non_null(l->v);
    }
    gbox *g = &l->v[l->n++];
    g->b = b;
    g->overlay = overlay;
    /* A description for failure messages, cut to fit. */
    snprintf(g->what, sizeof(g->what), "%.60s %.120s", what, detail != NULL ? detail : "");
}

static double num_attr(xmlNodePtr n, const char *name, double dflt)
{
    char *v = attr(n, name);
    double x = v != NULL ? atof(v) : dflt;
    xmlFree(v);
    return x;
}

static box rect_box(xmlNodePtr r)
{
    double x = num_attr(r, "x", 0), y = num_attr(r, "y", 0);
    return (box){x, y, x + num_attr(r, "width", 0), y + num_attr(r, "height", 0)};
}

/*
 * The box of one line of text, with the width the drawer estimates for it
 * (ab__report_text_width, which errs on the wide side) and the glyphs'
 * height above and below the baseline.
 */
static box text_box(xmlNodePtr t, char *content, size_t cap)
{
    xmlChar *c = xmlNodeGetContent(t);
    snprintf(content, cap, "%s", c != NULL ? (const char *)c : "");
    xmlFree(c);
    double fs = num_attr(t, "font-size", 12), x = num_attr(t, "x", 0), y = num_attr(t, "y", 0);
    double w = ab__report_text_width(content, strlen(content), fs);
    char *anchor = attr(t, "text-anchor");
    double x0 = anchor != NULL && strcmp(anchor, "middle") == 0 ? x - w / 2 : x;
    xmlFree(anchor);
    return (box){x0, y - 0.8 * fs, x0 + w, y + 0.2 * fs};
}

static xmlNodePtr first_child(xmlNodePtr g, const char *name)
{
    for (xmlNodePtr c = g->children; c != NULL; c = c->next) {
        if (is_elem(c, name)) {
            return c;
        }
    }
    return NULL;
}

/* Every label, shape and overlay box of the map(s) under n. */
static void map_boxes(xmlNodePtr n, gbox_list *out)
{
    static const char *const tags[] = {"ab-bypass", "ab-dead-tag", "ab-arc-label",
                                       "ab-case-end-label", "ab-extra"};
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        int done = 0;
        if (is_elem(n, "g")) {
            char content[512];
            for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]) && !done; k++) {
                if (has_class(n, tags[k])) {
                    xmlNodePtr r = first_child(n, "rect");
                    assert_non_null(r);
                    xmlChar *c = xmlNodeGetContent(n);
                    gbox_add(out, rect_box(r), 1, tags[k], (const char *)c);
                    xmlFree(c);
                    done = 1;
                }
            }
            if (!done && has_class(n, "ab-case-end")) {
                for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
                    if (is_elem(c, "rect") && has_class(c, "ab-stop")) {
                        gbox_add(out, rect_box(c), 1, "stop marker", NULL);
                    } else if (is_elem(c, "circle")) {
                        box b;
                        xmlNodePtr tmp = xmlNewNode(NULL, (const xmlChar *)"g");
                        xmlAddChild(tmp, xmlCopyNode(c, 1));
                        assert_true(node_box(tmp, &b));
                        xmlFreeNode(tmp);
                        gbox_add(out, b, 1, "start marker", NULL);
                    }
                }
                map_boxes(n->children, out);
                done = 1;
            }
            if (!done && has_class(n, "node")) {
                box b;
                xmlNodePtr r = first_child(n, "rect");
                char *op = r != NULL ? attr(r, "fill-opacity") : NULL;
                int container = op != NULL && strcmp(op, "1") != 0;
                xmlFree(op);
                int boxed =
                    has_class(n, "task") || has_class(n, "call") || has_class(n, "subprocess");
                if (!container && node_box(n, &b)) {
                    char *id = attr(n, "data-element");
                    gbox_add(out, b, 0, "shape", id);
                    xmlFree(id);
                }
                for (xmlNodePtr c = n->children; c != NULL && !boxed; c = c->next) {
                    if (is_elem(c, "text")) {
                        box tb = text_box(c, content, sizeof(content));
                        gbox_add(out, tb, 0, "label", content);
                    }
                }
                done = 1;
            }
            if (!done && (has_class(n, "flow") || has_class(n, "message"))) {
                for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
                    if (is_elem(c, "text")) {
                        box tb = text_box(c, content, sizeof(content));
                        gbox_add(out, tb, 0, "flow name", content);
                    }
                }
                done = 1;
            }
        }
        if (!done) {
            map_boxes(n->children, out);
        }
    }
}

/* Nothing the overlay placed covers a label, a shape or another overlay box. */
static void assert_nothing_covered(xmlNodePtr root, const char *what)
{
    gbox_list l = {NULL, 0, 0};
    map_boxes(root, &l);
    uint32_t overlays = 0, bad = 0;
    for (uint32_t i = 0; i < l.n; i++) {
        overlays += (uint32_t)l.v[i].overlay;
        for (uint32_t j = i + 1; j < l.n; j++) {
            const box *a = &l.v[i].b, *c = &l.v[j].b;
            if (!(l.v[i].overlay || l.v[j].overlay)) {
                continue;
            }
            if (a->x0 < c->x1 - 0.5 && c->x0 < a->x1 - 0.5 && a->y0 < c->y1 - 0.5 &&
                c->y0 < a->y1 - 0.5) {
                print_message("%s: \"%s\" covers \"%s\"\n", what, l.v[i].what, l.v[j].what);
                bad++;
            }
        }
    }
    free(l.v);
    assert_true(overlays > 0);
    assert_int_equal(bad, 0);
}

/* Red boxes lie inside a pool or lane or outside it, never across its border. */
static void assert_boxes_off_borders(xmlNodePtr root, const char *what)
{
    node_list *bands = calloc(1, sizeof(*bands));
    node_list *lanes = calloc(1, sizeof(*lanes));
    node_list *xl = calloc(1, sizeof(*xl));
    assert_non_null(bands);
    assert_non_null(lanes);
    assert_non_null(xl);
    collect(root, "pool", bands);
    collect(root, "lane", lanes);
    for (uint32_t i = 0; i < lanes->n && bands->n < 4096; i++) {
        bands->g[bands->n++] = lanes->g[i];
    }
    collect(root, "ab-extra", xl);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < xl->n; i++) {
        box a = rect_box(first_child(xl->g[i], "rect"));
        for (uint32_t k = 0; k < bands->n; k++) {
            box c = rect_box(first_child(bands->g[k], "rect"));
            int meets = a.x0 < c.x1 && c.x0 < a.x1 && a.y0 < c.y1 && c.y0 < a.y1;
            int inside = a.x0 >= c.x0 && a.y0 >= c.y0 && a.x1 <= c.x1 && a.y1 <= c.y1;
            if (meets && !inside) {
                char *act = attr(xl->g[i], "data-activity"),
                     *band = attr(bands->g[k], "data-element");
                print_message("%s: the box of %s crosses the border of %s\n", what, act, band);
                xmlFree(act);
                xmlFree(band);
                bad++;
            }
        }
    }
    free(bands);
    free(lanes);
    free(xl);
    assert_int_equal(bad, 0);
}

/*
 * Cases that end after a step or start with one where the map does not:
 * a marker beside the step with its count, never an arc into one of the
 * map's own start or end events; an overlay of version 1 has no such field
 * and draws none.
 */
static void test_case_ends(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    loan *L = malloc(sizeof(*L));
    assert_non_null(L);
    loan_build(L, ctx, 1);
    const char *design = L->arcs[0].from_id; /* Design loan offer. */
    assert_non_null(design);
    ab_report_case_end ends[4] = {
        {design, NULL, 120, 0},            /* Ended right after a task. */
        {NULL, "Call applicant", 42, 1},   /* Started with an undocumented activity. */
        {NULL, "Archive scan", 7, 0},      /* Ended after one, in the row under the map. */
        {"no-such-task", NULL, 3, 0},      /* Not drawn: counted as missing. */
    };
    L->ov.ends = ends;
    L->ov.end_count = 4;
    ab_buf b = AB_BUF_INIT;
    ab_report_map_info info;
    draw(&b, ctx, L->model, &L->ov, AB_REPORT_LAYOUT_AUTO, &info);
    xmlDocPtr doc = parse_svg(&b, "loan");
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_int_equal(count_class(root, "g", "ab-case-end"), 3);
    assert_int_equal(count_class(root, "rect", "ab-stop"), 2);
    ab_buf text = AB_BUF_INIT;
    gather_text(root, &text, ctx);
    assert_true(text_has(&text, "case ended \xc2\xb7 120 cases"));
    assert_true(text_has(&text, "case started \xc2\xb7 42 cases"));
    assert_true(text_has(&text, "case ended \xc2\xb7 7 cases"));
    ab_buf_dispose(&text);
    assert_nothing_covered(root, "loan with case ends");
    xmlFreeDoc(doc);
    ab_report_map_info with = info;
    ab_buf_dispose(&b);

    /* Version 1: the fields after cases are not read, whatever they hold. */
    L->ov.version = 1;
    draw(&b, ctx, L->model, &L->ov, AB_REPORT_LAYOUT_AUTO, &info);
    doc = parse_svg(&b, "loan v1");
    assert_int_equal(count_class(xmlDocGetRootElement(doc), "g", "ab-case-end"), 0);
    assert_int_equal(info.overlay_drawn + 3, with.overlay_drawn);
    assert_int_equal(info.overlay_missing + 1, with.overlay_missing);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);
    L->ov.version = AB_REPORT_OVERLAY_VERSION;
    L->ov.ends = NULL;
    assert_int_equal(ab_report_map_svg(&b, ctx, L->model, &L->ov, NULL, NULL, NULL), AB_EINVAL);
    ab_buf_dispose(&b);
    loan_free(L);
    free(L);
    ab_ctx_destroy(ctx);
}

/* ---- Hostile strings in every place. ---- */

typedef struct hostile_kit {
    ab_bpmn *model;
    ab_log *log;
    ab_dfg *dfg;
    ab_report_task_mark marks[2];
    ab_report_arc arcs[4];
    ab_report_extra extras[4];
    ab_report_case_end ends[2];
    const char *dead[1];
    ab_report_overlay ov;
    const char *cells[N_HOSTILE * 2];
    const char *headers[2];
    ab_report_table table;
    ab_report_block blocks[5];
    ab_report_section sections[3];
    ab_report_fact facts[N_HOSTILE];
    ab_report_page page;
} hostile_kit;

static const char hostile_csv[] =
    "case:concept:name,concept:name,time:timestamp\n"
    "\"c<1>\",\"<script>alert(1)</script>\",2024-01-01T10:00:00\n"
    "\"c<1>\",\"\"\"><img src=x onerror=alert(1)>\",2024-01-01T11:00:00\n"
    "\"c<1>\",\"</svg></div><iframe src=\"\"http://127.0.0.1:8/\"\"></iframe>\","
    "2024-01-01T12:00:00\n"
    "\"c2'\",\"' onmouseover='alert(1)' x='\",2024-01-01T10:00:00\n"
    "\"c2'\",\"<script>alert(1)</script>\",2024-01-01T12:00:00\n";

static void hostile_build(hostile_kit *H, ab_ctx *ctx)
{
    memset(H, 0, sizeof(*H));
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_testdata("report/hostile.bpmn"));
    H->model = read_model(ctx, path);
    const char *csv = tu_tmpfile(hostile_csv, sizeof(hostile_csv) - 1, ".csv");
    H->log = read_log(ctx, csv);
    remove(csv);
    H->dfg = discover(ctx, H->log);
    H->marks[0] = (ab_report_task_mark){"T1", 0.5, 1, 2, 0};
    H->marks[1] = (ab_report_task_mark){"t\"4>", -1, 0, 0, 1};
    H->extras[0] = (ab_report_extra){hostile[0], 3, "T1", "T2"};
    H->extras[1] = (ab_report_extra){hostile[1], 2, "t\"4>", NULL};
    H->extras[2] = (ab_report_extra){bad_bytes, 1, NULL, NULL};
    H->extras[3] = (ab_report_extra){hostile[5], 1, "Gw", "End"};
    H->arcs[0] = (ab_report_arc){"T1", "T3", NULL, NULL, 5};
    H->arcs[1] = (ab_report_arc){"t\"4>", NULL, NULL, hostile[0], 4};
    H->arcs[2] = (ab_report_arc){NULL, "End", bad_bytes, NULL, 1};
    H->arcs[3] = (ab_report_arc){"T3", "T3", NULL, NULL, 2};
    H->dead[0] = "F5";
    H->ov = (ab_report_overlay)AB_REPORT_OVERLAY_INIT;
    H->ov.tasks = H->marks;
    H->ov.task_count = 2;
    H->ov.arcs = H->arcs;
    H->ov.arc_count = 4;
    H->ov.extras = H->extras;
    H->ov.extra_count = 4;
    H->ov.dead_flows = H->dead;
    H->ov.dead_flow_count = 1;
    H->ov.cases = 2;
    H->ends[0] = (ab_report_case_end){NULL, hostile[0], 2, 0};
    H->ends[1] = (ab_report_case_end){"t\"4>", NULL, 1, 1};
    H->ov.ends = H->ends;
    H->ov.end_count = 2;
    for (size_t i = 0; i < N_HOSTILE; i++) {
        H->cells[2 * i] = hostile[i];
        H->cells[2 * i + 1] = hostile[(i + 1) % N_HOSTILE];
        H->facts[i] = (ab_report_fact){hostile[i], hostile[(i + 2) % N_HOSTILE], (int)(i & 1)};
    }
    H->headers[0] = hostile[3];
    H->headers[1] = hostile[6];
    H->table = (ab_report_table){hostile[2], 2, H->headers, "lr", N_HOSTILE, H->cells};
    H->blocks[0] = (ab_report_block){AB_REPORT_PARAGRAPH, hostile[0], NULL, 0, NULL};
    H->blocks[1] = (ab_report_block){AB_REPORT_NOTE, hostile[1], NULL, 0, NULL};
    H->blocks[2] = (ab_report_block){AB_REPORT_PRE, hostile[5], NULL, 0, NULL};
    H->blocks[3] = (ab_report_block){AB_REPORT_LIST, NULL, hostile, N_HOSTILE, NULL};
    H->blocks[4] = (ab_report_block){AB_REPORT_TABLE, NULL, NULL, 0, &H->table};
    H->sections[0] = (ab_report_section){hostile[1], hostile[0], H->blocks, 5, 0};
    H->sections[1] = (ab_report_section){hostile[1], bad_bytes, H->blocks, 2, 0};
    H->sections[2] = (ab_report_section){"\"><script>", hostile[6], H->blocks + 2, 3, 1};
    H->page = (ab_report_page)AB_REPORT_PAGE_INIT;
    H->page.title = hostile[3];
    H->page.subtitle = hostile[6];
    H->page.inputs = H->facts;
    H->page.input_count = N_HOSTILE;
    H->page.headline = hostile[0];
    H->page.headline_text = hostile[1];
    H->page.headline_detail = bad_bytes;
    H->page.tone = AB_REPORT_TONE_WARN;
    H->page.figures = H->facts;
    H->page.figure_count = 3;
    H->page.model = H->model;
    H->page.overlay = &H->ov;
    H->page.map_caption = hostile[4];
    H->page.dfg = H->dfg;
    H->page.dfg_caption = hostile[5];
    H->page.sections = H->sections;
    H->page.section_count = 3;
    H->page.footer = hostile[2];
}

static void hostile_free(hostile_kit *H)
{
    ab_dfg_destroy(H->dfg);
    ab_log_destroy(H->log);
    ab_bpmn_destroy(H->model);
}

/* The hostile names of the map (tests/data/report/hostile.bpmn). */
static const char *const map_hostile[] = {
    "<script>alert('pool')</script>",        /* pool */
    "\"><img src=x onerror=alert('lane')>",  /* lane */
    "<script>alert(1)</script>",             /* task */
    "\"><img src=x onerror=alert(1)>",       /* task */
    "</title><script>alert('doc')</script>", /* documentation */
    "' onmouseover='alert(1)' x='",          /* task */
    "&lt;b&gt;escaped twice&amp;",           /* task */
    "<style>*{display:none}</style>",        /* flow name */
    "t\"4>",                                 /* an id */
};

static void test_hostile_svg(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    hostile_kit *H = malloc(sizeof(*H));
    assert_non_null(H);
    hostile_build(H, ctx);
    for (int layout = AB_REPORT_LAYOUT_DI; layout <= AB_REPORT_LAYOUT_COMPUTED; layout++) {
        ab_buf b = AB_BUF_INIT;
        ab_report_map_info info;
        draw(&b, ctx, H->model, &H->ov, (ab_report_layout)layout, &info);
        assert_no_raw_markup(&b);
        xmlDocPtr doc = parse_svg(&b, "hostile");
        xmlNodePtr root = xmlDocGetRootElement(doc);
        assert_inert(root);
        ab_buf text = AB_BUF_INIT;
        gather_text(root, &text, ctx);
        for (size_t i = 0; i < sizeof(map_hostile) / sizeof(map_hostile[0]); i++) {
            /* Pools and lanes exist only in the DI. */
            if (layout == AB_REPORT_LAYOUT_COMPUTED && i < 2) {
                continue;
            }
            if (!text_has(&text, map_hostile[i])) {
                fail_msg("layout %d: \"%s\" does not come out as text", layout, map_hostile[i]);
            }
        }
        assert_true(text_has(&text, hostile[0]));
        assert_true(text_has(&text, hostile[5]));
        assert_true(text_has(&text, bad_bytes_shown));
        /* The id with a quote is an attribute value, whole. */
        assert_non_null(find_element(root, "node", "t\"4>"));
        assert_int_equal(count_class(root, "g", "ab-extra"), 4);
        assert_int_equal(count_class(root, "g", "ab-arc"), 4);
        assert_int_equal(count_class(root, "g", "ab-case-end"), 2);
        assert_int_equal(info.overlay_missing, 0);
        ab_buf_dispose(&text);
        xmlFreeDoc(doc);
        ab_buf_dispose(&b);
    }
    hostile_free(H);
    free(H);
    ab_ctx_destroy(ctx);
}

static void test_hostile_page(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    hostile_kit *H = malloc(sizeof(*H));
    assert_non_null(H);
    hostile_build(H, ctx);
    ab_buf b = AB_BUF_INIT;
    ab_error err;
    assert_int_equal(ab_report_html(&b, ctx, &H->page, &err), AB_OK);
    assert_no_raw_markup(&b);
    xmlDocPtr doc = parse_html(&b);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_inert(root);
    assert_int_equal(count_class(root, "style", NULL), 1);
    ab_buf text = AB_BUF_INIT;
    gather_text(root, &text, ctx);
    for (size_t i = 0; i < N_HOSTILE; i++) {
        if (!text_has(&text, hostile[i])) {
            fail_msg("\"%s\" does not come out as text in the page", hostile[i]);
        }
    }
    for (size_t i = 2; i < sizeof(map_hostile) / sizeof(map_hostile[0]); i++) {
        assert_true(text_has(&text, map_hostile[i]));
    }
    assert_true(text_has(&text, bad_bytes_shown));
    /* The activity names of the log reach the as-is graph, as text too. */
    assert_true(count_class(root, "g", "activity") >= 4);
    /* Anchors: hostile ids reduced to safe ones, unique, and the contents links match. */
    ab_buf_dispose(&text);
    xmlFreeDoc(doc);
    const char *a1 = strstr(b.ptr, "<section class=\"ab-section\" id=\"");
    assert_non_null(a1);
    assert_non_null(strstr(b.ptr, "id=\"s-imgsrcxonerroralert1\""));
    assert_non_null(strstr(b.ptr, "id=\"s-imgsrcxonerroralert1-2.1\""));
    assert_non_null(strstr(b.ptr, "id=\"s-script\""));
    assert_non_null(strstr(b.ptr, "href=\"#s-imgsrcxonerroralert1-2.1\""));
    ab_buf_dispose(&b);
    hostile_free(H);
    free(H);
    ab_ctx_destroy(ctx);
}

/* ---- The page. ---- */

static void test_page_structure(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    loan *L = malloc(sizeof(*L));
    assert_non_null(L);
    loan_build(L, ctx, 0);
    loan_page(L);
    ab_buf b = AB_BUF_INIT;
    ab_error err;
    assert_int_equal(ab_report_html(&b, ctx, &L->page, &err), AB_OK);
    assert_true(strncmp(b.ptr, "<!DOCTYPE html>\n", 16) == 0);
    assert_non_null(strstr(b.ptr, "<meta http-equiv=\"Content-Security-Policy\" content=\""
                                  "default-src 'none'; style-src 'unsafe-inline'; "
                                  "img-src data:\">"));
    /* Inline SVG takes no XML declaration; both pictures are there. */
    assert_null(strstr(b.ptr, "<?xml"));
    assert_non_null(strstr(b.ptr, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ab-map\""));
    assert_non_null(strstr(b.ptr, "<figure class=\"ab-fig-dfg\""));
    assert_non_null(strstr(b.ptr, "@media print"));
    xmlDocPtr doc = parse_html(&b);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_inert(root);
    ab_buf text = AB_BUF_INIT;
    gather_text(root, &text, ctx);
    assert_true(text_has(&text, L->headline));
    assert_true(text_has(&text, "of cases did not follow the documented process"));
    assert_true(text_has(&text, L->sentences[0]));
    assert_int_equal(count_class(root, "table", "ab-table"), 2);
    assert_int_equal(count_class(root, "td", NULL), 3 * L->n_log_arcs + 2 * L->n_pairs);
    assert_int_equal(count_class(root, "td", "r"), L->n_log_arcs);
    assert_int_equal(count_class(root, "section", "ab-appendix"), 1);
    /* The appendix comes after the findings, the pictures before both. */
    const char *pics = strstr(b.ptr, "id=\"pictures\"");
    const char *findings = strstr(b.ptr, "id=\"s-findings\"");
    const char *appendix = strstr(b.ptr, "id=\"appendix\"");
    const char *mapping = strstr(b.ptr, "id=\"s-mapping\"");
    assert_non_null(pics);
    assert_non_null(findings);
    assert_non_null(appendix);
    assert_non_null(mapping);
    assert_true(pics < findings && findings < appendix && appendix < mapping);
    assert_non_null(strstr(b.ptr, "href=\"#s-findings\""));
    assert_null(strstr(b.ptr, "href=\"#s-mapping\"")); /* Reached through the appendix link. */
    ab_buf_dispose(&text);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);

    /* A page with nothing but a title is still a page. */
    ab_report_page bare = AB_REPORT_PAGE_INIT;
    assert_int_equal(ab_report_html(&b, ctx, &bare, &err), AB_OK);
    doc = parse_html(&b);
    assert_int_equal(count_class(xmlDocGetRootElement(doc), "figure", NULL), 0);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);
    loan_free(L);
    free(L);
    ab_ctx_destroy(ctx);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_shared("models/miwg_Reference_A.3.0.bpmn"));
    ab_bpmn *m = read_model(ctx, path);
    ab_buf b = AB_BUF_INIT;
    ab_error err;
    ab_report_map_options o = AB_REPORT_MAP_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(ab_report_map_svg(&b, ctx, m, NULL, &o, NULL, &err), AB_EINVAL);
    assert_int_equal(ab_report_map_svg(&b, ctx, NULL, NULL, NULL, NULL, &err), AB_EINVAL);
    ab_report_overlay ov = AB_REPORT_OVERLAY_INIT;
    ov.version = 7;
    assert_int_equal(ab_report_map_svg(&b, ctx, m, &ov, NULL, NULL, &err), AB_EINVAL);
    ov.version = AB_REPORT_OVERLAY_VERSION;
    ov.task_count = 3;
    assert_int_equal(ab_report_map_svg(&b, ctx, m, &ov, NULL, NULL, &err), AB_EINVAL);
    ab_report_page p = AB_REPORT_PAGE_INIT;
    p.version = 0;
    assert_int_equal(ab_report_html(&b, ctx, &p, &err), AB_EINVAL);
    p.version = AB_REPORT_PAGE_VERSION;
    ab_report_table t = {NULL, 2, NULL, NULL, 3, NULL};
    ab_report_block bl = {AB_REPORT_TABLE, NULL, NULL, 0, &t};
    ab_report_section sec = {"x", "x", &bl, 1, 0};
    p.sections = &sec;
    p.section_count = 1;
    assert_int_equal(ab_report_html(&b, ctx, &p, &err), AB_EINVAL);
    t.align = "l";
    static const char *const cells[6] = {"a", "b", "c", "d", "e", "f"};
    t.cells = cells;
    assert_int_equal(ab_report_html(&b, ctx, &p, &err), AB_EINVAL); /* align too short */
    t.align = "lr";
    bl.kind = (ab_report_block_kind)42;
    assert_int_equal(ab_report_html(&b, ctx, &p, &err), AB_EINVAL);
    bl.kind = AB_REPORT_TABLE;
    assert_int_equal(ab_report_html(&b, ctx, &p, &err), AB_OK);
    ab_buf_dispose(&b);
    ab_bpmn_destroy(m);
    ab_ctx_destroy(ctx);
}

/* Same inputs, same bytes: twice, and with another context. */
static void test_deterministic(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    loan *L = malloc(sizeof(*L));
    assert_non_null(L);
    loan_build(L, ctx, 1);
    loan_page(L);
    ab_buf out[3] = {AB_BUF_INIT, AB_BUF_INIT, AB_BUF_INIT};
    ab_buf maps[3] = {AB_BUF_INIT, AB_BUF_INIT, AB_BUF_INIT};
    for (int k = 0; k < 3; k++) {
        ab_ctx *c = k == 2 ? tu_ctx() : ctx;
        assert_int_equal(ab_report_html(&out[k], c, &L->page, NULL), AB_OK);
        ab_report_map_options o = AB_REPORT_MAP_OPTIONS_INIT;
        o.layout = AB_REPORT_LAYOUT_COMPUTED;
        assert_int_equal(ab_report_map_svg(&maps[k], c, L->model, &L->ov, &o, NULL, NULL), AB_OK);
        if (k > 0) {
            assert_int_equal(out[k].len, out[0].len);
            assert_memory_equal(out[k].ptr, out[0].ptr, out[0].len);
            assert_int_equal(maps[k].len, maps[0].len);
            assert_memory_equal(maps[k].ptr, maps[0].ptr, maps[0].len);
        }
        if (k == 2) {
            ab_buf_dispose(&out[k]);
            ab_buf_dispose(&maps[k]);
            ab_ctx_destroy(c);
        }
    }
    ab_buf_dispose(&out[0]);
    ab_buf_dispose(&out[1]);
    ab_buf_dispose(&maps[0]);
    ab_buf_dispose(&maps[1]);
    loan_free(L);
    free(L);
    ab_ctx_destroy(ctx);
}

/* Every allocation the report makes can fail: AB_ENOMEM, and nothing leaks. */
static void test_enomem(void **state)
{
    (void)state;
    ab_ctx *mctx = tu_ctx();
    loan *L = malloc(sizeof(*L));
    assert_non_null(L);
    loan_build(L, mctx, 1);
    loan_page(L);
    for (int what = 0; what < 3; what++) {
        uint64_t n;
        for (n = 1;; n++) {
            tu_alloc al = {0};
            al.fail_at = n;
            ab_ctx *ctx = tu_ctx_counting(&al);
            ab_buf b = AB_BUF_INIT;
            int rc;
            if (what == 2) {
                rc = ab_report_html(&b, ctx, &L->page, NULL);
            } else {
                ab_report_map_options o = AB_REPORT_MAP_OPTIONS_INIT;
                o.layout = what == 0 ? AB_REPORT_LAYOUT_DI : AB_REPORT_LAYOUT_COMPUTED;
                rc = ab_report_map_svg(&b, ctx, L->model, &L->ov, &o, NULL, NULL);
            }
            ab_buf_dispose(&b);
            ab_ctx_destroy(ctx);
            assert_int_equal(al.live, 0);
            if (al.failed == 0) {
                assert_int_equal(rc, AB_OK);
                break;
            }
            assert_int_equal(rc, AB_ENOMEM);
        }
        assert_true(n > 5);
    }
    loan_free(L);
    free(L);
    ab_ctx_destroy(mctx);
}

/* ---- From a gap: the whole pipeline, then the page drawn from the gap's JSON. ---- */

typedef struct gap_run {
    ab_log *log;
    ab_bpmn *model;
    ab_net *net, *relabelled;
    ab_bpmn_mapping *map;
    ab_conform *conf;
    ab_gap *gap;
    ab_dfg *dfg;
    const char **acts;
    char log_path[4096], model_path[4096];
} gap_run;

static void gap_run_make_mapped(gap_run *r, ab_ctx *ctx, const char *log_path,
                                const char *model_path, const char *map_file)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->log_path, sizeof(r->log_path), "%s", log_path);
    snprintf(r->model_path, sizeof(r->model_path), "%s", model_path);
    ab_error err;
    ab_error_clear(&err);
    r->log = read_log(ctx, r->log_path);
    r->model = read_model(ctx, r->model_path);
    r->dfg = discover(ctx, r->log);
    assert_int_equal(ab_net_compile(&r->net, ctx, r->model, NULL, &err), AB_OK);
    uint32_t na = ab_log_activity_count(r->log);
    r->acts = calloc((size_t)na + 1, sizeof(char *));
    assert_non_null(r->acts);
    for (uint32_t a = 0; a < na; a++) {
        r->acts[a] = ab_log_activity_name(r->log, a);
    }
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = map_file;
    assert_int_equal(ab_bpmn_map_create(&r->map, ctx, ab_net_labels(r->net),
                                        ab_net_label_count(r->net), r->acts, na, &mo, &err),
                     AB_OK);
    assert_int_equal(ab_net_relabel(&r->relabelled, r->net, r->map, &err), AB_OK);
    ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
    co.threads = 1;
    co.check_ambiguity = 1; /* As asbuilt diff runs it: the demo page is the command's page. */
    assert_int_equal(ab_conform_run(&r->conf, ctx, r->log, r->relabelled, &co, &err), AB_OK);
    ab_gap_options go = AB_GAP_OPTIONS_INIT;
    const char *files[1] = {r->log_path};
    go.log_files = files;
    go.log_file_count = 1;
    go.model_file = r->model_path;
    go.model = r->model;
    go.mapping = r->map;
    go.map_file = map_file;
    if (ab_gap_compute(&r->gap, ctx, r->log, r->relabelled, r->conf, &go, &err) != AB_OK) {
        fail_msg("gap: %s", err.msg);
    }
}

static void gap_run_make(gap_run *r, ab_ctx *ctx, const char *log_path, const char *model_path)
{
    gap_run_make_mapped(r, ctx, log_path, model_path, NULL);
}

static void gap_run_free(gap_run *r)
{
    ab_gap_destroy(r->gap);
    ab_conform_destroy(r->conf);
    ab_net_destroy(r->relabelled);
    ab_bpmn_map_destroy(r->map);
    ab_net_destroy(r->net);
    ab_dfg_destroy(r->dfg);
    ab_bpmn_destroy(r->model);
    ab_log_destroy(r->log);
    free(r->acts);
}

static void loan_paths(char *log_path, char *model_path)
{
    snprintf(model_path, 4096, "%s", tu_shared("models/simod_LoanApp_simplified.bpmn"));
    snprintf(log_path, 4096, "%s",
             tu_shared("logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"));
    if (!tu_exists(log_path)) {
        snprintf(log_path, 4096, "%s",
                 tu_datasets("logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"));
    }
}

/* A percentage as the gap writes it: one decimal, ".0" dropped. */
static void pct_text(double rate, char *buf, size_t cap)
{
    char t[64];
    snprintf(t, sizeof(t), "%.1f", rate * 100.0);
    size_t n = strlen(t);
    if (n >= 2 && strcmp(t + n - 2, ".0") == 0) {
        t[n - 2] = '\0';
    }
    snprintf(buf, cap, "%s%%", t);
}

static void gap_page(ab_buf *b, ab_ctx *ctx, const gap_run *r)
{
    ab_report_gap_options o = AB_REPORT_GAP_OPTIONS_INIT;
    o.dfg = r->dfg;
    o.tone = AB_REPORT_TONE_BAD;
    ab_error err;
    ab_error_clear(&err);
    if (ab_report_gap_html(b, ctx, r->gap, r->model, &o, &err) != AB_OK) {
        fail_msg("gap page: %s", err.msg);
    }
}

/* The first element with this class token under n (depth first), or NULL. */
static xmlNodePtr find_class(xmlNodePtr n, const char *name, const char *token)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (is_elem(n, name) && has_class(n, token)) {
            return n;
        }
        xmlNodePtr f = find_class(n->children, name, token);
        if (f != NULL) {
            return f;
        }
    }
    return NULL;
}

/* A run of 64 hexadecimal digits: a SHA-256. */
static int has_hash(const char *s)
{
    size_t run = 0;
    for (; *s != '\0'; s++) {
        int hex = (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f');
        run = hex ? run + 1 : 0;
        if (run == 64) {
            return 1;
        }
    }
    return 0;
}

/*
 * The page reads like a review: the header names the files by their base
 * names and the cases (paths and hashes are in the appendix), every headline
 * figure says in words what it counts with its metric id in small print, the
 * bypass table's column says what "mandatory" meant, and wide tables and
 * the map scroll in their own boxes.
 */
static void assert_reads_like_a_review(const ab_buf *page, xmlNodePtr root, ab_ctx *ctx,
                                       const char *model_base, const char *log_base)
{
    /* The header's bytes (HTML 4 parsers do not know <header>). */
    const char *h0 = strstr(page->ptr, "<header class=\"ab-head\">");
    const char *h1 = h0 != NULL ? strstr(h0, "</header>") : NULL;
    assert_non_null(h1);
    ab_buf t = AB_BUF_INIT;
    int in_tag = 0;
    for (const char *c = h0; c < h1; c++) {
        in_tag = *c == '<' ? 1 : (*c == '>' ? 0 : in_tag);
        if (!in_tag && *c != '>') {
            assert_int_equal(ab_buf_append(&t, ctx, c, 1), AB_OK);
        }
    }
    assert_int_equal(ab_buf_append(&t, ctx, "", 1), AB_OK);
    assert_true(text_has(&t, model_base));
    assert_true(text_has(&t, log_base));
    if (strchr(t.ptr, '/') != NULL || has_hash(t.ptr)) {
        fail_msg("the header shows a path or a hash: %s", t.ptr);
    }
    ab_buf_dispose(&t);
    xmlNodePtr app = find_class(root, "section", "ab-appendix");
    assert_non_null(app);
    gather_text(app, &t, ctx);
    assert_true(has_hash(t.ptr));
    ab_buf_dispose(&t);

    xmlNodePtr figs = find_class(root, "dl", "ab-figures");
    assert_non_null(figs);
    uint32_t dts = 0;
    for (xmlNodePtr div = figs->children; div != NULL; div = div->next) {
        xmlNodePtr dt = is_elem(div, "div") ? first_child(div, "dt") : NULL;
        if (dt == NULL) {
            continue;
        }
        dts++;
        xmlNodePtr words = dt->children, id = words != NULL ? words->next : NULL;
        assert_non_null(id);
        assert_true(is_elem(id, "span") && has_class(id, "ab-mid"));
        xmlChar *w = xmlNodeGetContent(words), *m = xmlNodeGetContent(id);
        assert_true(strlen((const char *)w) > 12); /* Words, not an id. */
        assert_true(m[0] == 'M' && strlen((const char *)m) <= 4);
        xmlFree(w);
        xmlFree(m);
    }
    assert_true(dts >= 3);
    xmlNodePtr big = find_class(root, "p", "ab-text");
    assert_non_null(big);
    assert_non_null(find_class(big->children, "span", "ab-mid"));

    assert_non_null(strstr(page->ptr, "<th scope=\"col\" class=\"c\">On every documented path"));
    assert_null(strstr(page->ptr, ">Mandatory<"));
    node_list *tl = calloc(1, sizeof(*tl));
    assert_non_null(tl);
    collect(root, "ab-table", tl);
    assert_true(tl->n >= 3);
    for (uint32_t i = 0; i < tl->n; i++) {
        assert_true(has_class(tl->g[i]->parent, "ab-table-wrap"));
    }
    free(tl);
    assert_non_null(find_class(root, "div", "ab-svg-in"));
}

/* The page agrees with the gap's API: headline, statements, findings, overlay. */
static void test_gap_page(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char lp[4096], mp[4096];
    loan_paths(lp, mp);
    gap_run *r = malloc(sizeof(*r));
    assert_non_null(r);
    gap_run_make(r, ctx, lp, mp);
    ab_buf b = AB_BUF_INIT;
    gap_page(&b, ctx, r);
    assert_no_raw_markup(&b);
    xmlDocPtr doc = parse_html(&b);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_inert(root);
    ab_buf text = AB_BUF_INIT;
    gather_text(root, &text, ctx);
    const ab_gap_summary *sum = ab_gap_get_summary(r->gap);
    char want[128];
    pct_text(sum->case_deviation.rate, want, sizeof(want));
    assert_true(text_has(&text, want));
    snprintf(want, sizeof(want), "%llu of %llu cases",
             (unsigned long long)sum->case_deviation.count,
             (unsigned long long)sum->case_deviation.of);
    assert_true(text_has(&text, want));
    for (uint32_t i = 0; i < ab_gap_statement_count(r->gap); i++) {
        if (!text_has(&text, ab_gap_statement_at(r->gap, i))) {
            fail_msg("statement %u is not on the page", i);
        }
    }
    /* One bypass badge per bypassed step the map places, on the element the gap names. */
    uint32_t badges = 0;
    for (uint32_t i = 0; i < ab_gap_item_count(r->gap, AB_GAP_K_BYPASS); i++) {
        const ab_gap_item *it = ab_gap_item_at(r->gap, AB_GAP_K_BYPASS, i);
        if (!it->supported) {
            continue;
        }
        xmlNodePtr g = find_element(root, "node", it->element_id);
        assert_non_null(g);
        assert_true(has_class(g, "ab-bypass-fill"));
        snprintf(want, sizeof(want), "%llu/%llu cases", (unsigned long long)it->cases.count,
                 (unsigned long long)it->cases.of);
        assert_true(text_has(&text, want));
        badges++;
    }
    assert_int_equal(badges, 1); /* Approve loan offer, as the dataset documents. */
    assert_int_equal(count_class(root, "g", "ab-bypass"), badges);
    uint32_t arcs = 0;
    for (uint32_t i = 0; i < ab_gap_item_count(r->gap, AB_GAP_K_TRANSITION); i++) {
        arcs += ab_gap_item_at(r->gap, AB_GAP_K_TRANSITION, i)->supported;
    }
    assert_int_equal(arcs, 2);
    assert_int_equal(count_class(root, "g", "ab-arc"), arcs);
    /* The hashes of the inputs, from the same JSON the page is drawn from. */
    ab_buf json = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_json(r->gap, &json, NULL), AB_OK);
    const char *sha = strstr(json.ptr, "\"sha256\": \"");
    assert_non_null(sha);
    char hash[65];
    memcpy(hash, sha + 11, 64);
    hash[64] = '\0';
    assert_true(text_has(&text, hash));
    ab_buf_dispose(&json);
    /* The tables: one row per finding, the examples with their case ids. */
    assert_int_equal(count_class(root, "table", "ab-table") >= 4, 1);
    assert_non_null(strstr(b.ptr, "id=\"s-bypasses\""));
    assert_non_null(strstr(b.ptr, "id=\"s-undocumented-transitions\""));
    assert_non_null(strstr(b.ptr, "id=\"s-examples\""));
    assert_true(text_has(&text, "\xe2\x9c\x97[Approve loan offer]"));
    assert_nothing_covered(root, "loan gap page");
    assert_reads_like_a_review(&b, root, ctx, "simod_LoanApp_simplified.bpmn",
                               "simod_LoanApp_simplified_without_approve_loan_offer.csv");
    ab_buf_dispose(&text);
    xmlFreeDoc(doc);

    /* Without the map: the same page, no map figure. */
    ab_buf nomap = AB_BUF_INIT;
    assert_int_equal(ab_report_gap_html(&nomap, ctx, r->gap, NULL, NULL, NULL), AB_OK);
    assert_null(strstr(nomap.ptr, "ab-fig-map"));
    assert_non_null(strstr(nomap.ptr, "id=\"s-bypasses\""));
    ab_buf_dispose(&nomap);
    ab_report_gap_options bad = AB_REPORT_GAP_OPTIONS_INIT;
    bad.version = 0;
    assert_int_equal(ab_report_gap_html(&nomap, ctx, r->gap, r->model, &bad, NULL), AB_EINVAL);
    assert_int_equal(ab_report_gap_html(&nomap, ctx, NULL, r->model, NULL, NULL), AB_EINVAL);

    /* Deterministic, and every allocation may fail without a leak. */
    ab_buf again = AB_BUF_INIT;
    gap_page(&again, ctx, r);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.ptr, b.ptr, b.len);
    ab_buf_dispose(&again);
    ab_buf_dispose(&b);
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *fctx = tu_ctx_counting(&al);
        ab_report_gap_options o = AB_REPORT_GAP_OPTIONS_INIT;
        o.dfg = r->dfg;
        int rc = ab_report_gap_html(&b, fctx, r->gap, r->model, &o, NULL);
        ab_buf_dispose(&b);
        ab_ctx_destroy(fctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    gap_run_free(r);
    free(r);
    ab_ctx_destroy(ctx);
}

/*
 * A log of the invoice map with hostile activity names and case ids: the
 * whole chain (reader, discovery, conformance, gap, JSON, page) carries them
 * as text, and the undocumented ones become red boxes linked by arcs.
 */
static const char *hostile_gap_log(ab_ctx *ctx, ab_buf *csv)
{
    static const struct {
        int cases;
        const char *steps[6];
    } kinds[] = {
        {10,
         {"Assign Approver Group", "Approve Invoice", "Prepare Bank Transfer", "Archive Invoice",
          NULL}},
        {6,
         {"Assign Approver Group", "Approve Invoice", "<script>alert(1)</script>",
          "Prepare Bank Transfer", "Archive Invoice", NULL}},
        {6, {"Assign Approver Group", "Prepare Bank Transfer", "Archive Invoice", NULL}},
        {5,
         {"Assign Approver Group", "Approve Invoice", "\"><img src=x onerror=alert(1)>",
          "Prepare Bank Transfer", "Archive Invoice", NULL}},
    };
    assert_int_equal(ab_buf_printf(csv, ctx, "case:concept:name,concept:name,time:timestamp\n"),
                     AB_OK);
    int c = 0;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int i = 0; i < kinds[k].cases; i++, c++) {
            for (int s = 0; kinds[k].steps[s] != NULL; s++) {
                /* CSV quoting: a quote is doubled inside a quoted field. */
                assert_int_equal(ab_buf_printf(csv, ctx, "\"<b>c%02d</b>'\",\"", c), AB_OK);
                for (const char *p = kinds[k].steps[s]; *p != '\0'; p++) {
                    assert_int_equal(ab_buf_append(csv, ctx, p, 1), AB_OK);
                    if (*p == '"') {
                        assert_int_equal(ab_buf_append(csv, ctx, p, 1), AB_OK);
                    }
                }
                assert_int_equal(ab_buf_printf(csv, ctx, "\",2024-03-%02d %02d:%02d:00\n",
                                               1 + c % 28, 8 + s, c % 60),
                                 AB_OK);
            }
        }
    }
    return tu_tmpfile(csv->ptr, csv->len, ".csv");
}

static void test_gap_page_hostile(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_buf csv = AB_BUF_INIT;
    char lp[4096], mp[4096];
    snprintf(lp, sizeof(lp), "%s", hostile_gap_log(ctx, &csv));
    snprintf(mp, sizeof(mp), "%s", tu_shared("models/camunda_invoice.v2.bpmn"));
    gap_run *r = malloc(sizeof(*r));
    assert_non_null(r);
    gap_run_make(r, ctx, lp, mp);
    remove(lp);
    assert_int_equal(ab_gap_item_count(r->gap, AB_GAP_K_UNDOCUMENTED), 2);
    ab_buf b = AB_BUF_INIT;
    gap_page(&b, ctx, r);
    assert_no_raw_markup(&b);
    xmlDocPtr doc = parse_html(&b);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_inert(root);
    ab_buf text = AB_BUF_INIT;
    gather_text(root, &text, ctx);
    assert_true(text_has(&text, hostile[0]));
    assert_true(text_has(&text, hostile[1]));
    assert_true(text_has(&text, "<b>c10</b>'")); /* A case id in the examples. */
    assert_int_equal(count_class(root, "g", "ab-extra"), 2);
    /* Every undocumented transition is drawn: between tasks, or to and from the red boxes. */
    uint32_t arcs = 0;
    for (uint32_t i = 0; i < ab_gap_item_count(r->gap, AB_GAP_K_TRANSITION); i++) {
        arcs += ab_gap_item_at(r->gap, AB_GAP_K_TRANSITION, i)->supported;
    }
    assert_true(arcs >= 5);
    assert_int_equal(count_class(root, "g", "ab-arc"), arcs);
    assert_true(count_class(root, "g", "ab-bypass") >= 1);
    assert_nothing_covered(root, "hostile gap page");
    assert_boxes_off_borders(root, "hostile gap page");
    ab_buf_dispose(&text);
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);
    ab_buf_dispose(&csv);
    gap_run_free(r);
    free(r);
    ab_ctx_destroy(ctx);
}

/* The text a red box shows for its name (every line but the case count). */
static void extra_shown(xmlNodePtr g, char *out, size_t cap)
{
    out[0] = '\0';
    xmlNodePtr last = NULL;
    for (xmlNodePtr c = g->children; c != NULL; c = c->next) {
        if (is_elem(c, "text")) {
            last = c;
        }
    }
    for (xmlNodePtr c = g->children; c != NULL; c = c->next) {
        if (is_elem(c, "text") && c != last) {
            xmlChar *t = xmlNodeGetContent(c);
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s%s", n > 0 ? " " : "", (const char *)t);
            xmlFree(t);
        }
    }
}

/*
 * The BPI Challenge 2020 Domestic Declarations pair with its label mapping:
 * a map with lanes, five undocumented activities that share the prefix
 * "Declaration REJECTED by", and 9911 cases that end right after the
 * undocumented "Payment Handled".
 */
static void test_gap_page_bpic(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char lp[4096], mp[4096], map[4096];
    snprintf(lp, sizeof(lp), "%s", tu_datasets("logs/bpic2020_DomesticDeclarations.xes.gz"));
    snprintf(mp, sizeof(mp), "%s", tu_datasets("models/bpic2020_declaration_documents.bpmn"));
    snprintf(map, sizeof(map), "%s", tu_datasets("maps/bpic2020_declaration_documents.map.csv"));
    gap_run *r = malloc(sizeof(*r));
    assert_non_null(r);
    gap_run_make_mapped(r, ctx, lp, mp, map);
    ab_buf b = AB_BUF_INIT;
    gap_page(&b, ctx, r);
    xmlDocPtr doc = parse_html(&b);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_inert(root);

    /*
     * A case that ends after a step the map does not end with did not reach
     * one of its end events: no arc goes into (or out of) an event; the end
     * is a stop marker beside the step, with its count.
     */
    node_list *nl = calloc(1, sizeof(*nl));
    assert_non_null(nl);
    collect(root, "ab-arc", nl);
    assert_true(nl->n >= 8);
    for (uint32_t i = 0; i < nl->n; i++) {
        char *from = attr(nl->g[i], "data-from"), *to = attr(nl->g[i], "data-to");
        for (uint32_t v = 0; v < ab_bpmn_node_count(r->model); v++) {
            const ab_bpmn_node *nd = ab_bpmn_node_at(r->model, v);
            if (nd->kind == AB_BPMN_START_EVENT || nd->kind == AB_BPMN_END_EVENT) {
                if (strcmp(from, nd->label) == 0 || strcmp(to, nd->label) == 0) {
                    fail_msg("an arc %s -> %s is drawn into an event", from, to);
                }
            }
        }
        xmlFree(from);
        xmlFree(to);
    }
    nl->n = 0;
    collect(root, "ab-case-end", nl);
    int payment = 0;
    for (uint32_t i = 0; i < nl->n; i++) {
        char *step = attr(nl->g[i], "data-step"), *kind = attr(nl->g[i], "data-kind");
        xmlChar *t = xmlNodeGetContent(nl->g[i]);
        if (strcmp(step, "Payment Handled") == 0 && strcmp(kind, "end") == 0) {
            assert_non_null(strstr((const char *)t, "case ended \xc2\xb7 9911 cases"));
            payment++;
        }
        xmlFree(t);
        xmlFree(step);
        xmlFree(kind);
    }
    assert_int_equal(payment, 1);

    /* Every red box shows a name no other shows, and its tooltip the whole name. */
    nl->n = 0;
    collect(root, "ab-extra", nl);
    assert_int_equal(nl->n, 8);
    char shown[8][512];
    for (uint32_t i = 0; i < nl->n; i++) {
        extra_shown(nl->g[i], shown[i], sizeof(shown[i]));
        for (uint32_t k = 0; k < i; k++) {
            if (strcmp(shown[i], shown[k]) == 0) {
                fail_msg("two undocumented activities both show \"%s\"", shown[i]);
            }
        }
        char *act = attr(nl->g[i], "data-activity");
        xmlNodePtr title = first_child(nl->g[i], "title");
        assert_non_null(title);
        xmlChar *tt = xmlNodeGetContent(title);
        assert_non_null(strstr((const char *)tt, act));
        xmlFree(tt);
        xmlFree(act);
    }
    free(nl);

    assert_boxes_off_borders(root, "bpic2020");
    assert_nothing_covered(root, "bpic2020");
    assert_reads_like_a_review(&b, root, ctx, "bpic2020_declaration_documents.bpmn",
                               "bpic2020_DomesticDeclarations.xes.gz");
    xmlFreeDoc(doc);
    ab_buf_dispose(&b);

    /* The Markdown's header too: files by name, the cases; paths and hashes further down. */
    assert_int_equal(ab_gap_write_markdown(r->gap, &b, NULL), AB_OK);
    const char *md = b.ptr;
    const char *headline = strstr(md, "## Headline");
    assert_non_null(headline);
    char top[1024];
    snprintf(top, sizeof(top), "%.*s", (int)(headline - md), md);
    assert_non_null(strstr(top, "# Work Reality Gap: bpic2020\\_declaration\\_documents.bpmn\n"));
    assert_non_null(strstr(top, "bpic2020\\_DomesticDeclarations.xes.gz"));
    assert_non_null(strstr(top, "10357 cases"));
    assert_null(strchr(top, '/'));
    assert_false(has_hash(top));
    assert_non_null(strstr(md, "| On every documented path |"));
    assert_null(strstr(md, "| Mandatory |"));
    ab_buf_dispose(&b);
    gap_run_free(r);
    free(r);
    ab_ctx_destroy(ctx);
}

/* ---- The example pages (test_report --demo DIR). ---- */

static void write_file(const char *dir, const char *name, const ab_buf *b)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ab_error err;
    if (ab_write_file_atomic(path, b->ptr, b->len, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        exit(1);
    }
}

/* The expectations html_check.py verifies in the rendered page. */
static void write_expect(ab_ctx *ctx, const char *dir, const char *name, const char *page,
                         const char *model, const char *const *texts, size_t n_texts,
                         const char *classes)
{
    ab_buf b = AB_BUF_INIT;
    ab_buf_printf(&b, ctx, "{\"page\": \"");
    ab_buf_append_json(&b, ctx, page, strlen(page));
    ab_buf_printf(&b, ctx, "\", \"model\": \"");
    ab_buf_append_json(&b, ctx, model, strlen(model));
    ab_buf_printf(&b, ctx, "\", \"classes\": {%s}, \"texts\": [", classes);
    for (size_t i = 0; i < n_texts; i++) {
        ab_buf_printf(&b, ctx, "%s\"", i > 0 ? ", " : "");
        ab_buf_append_json(&b, ctx, texts[i], strlen(texts[i]));
        ab_buf_printf(&b, ctx, "\"");
    }
    ab_buf_printf(&b, ctx, "]}\n");
    write_file(dir, name, &b);
    ab_buf_dispose(&b);
}

static int demo(const char *dir)
{
    ab_ctx *ctx = tu_ctx();
    ab_buf b = AB_BUF_INIT;
    char model_path[4096];

    loan *L = malloc(sizeof(*L));
    loan_build(L, ctx, 0);
    loan_page(L);
    if (ab_report_html(&b, ctx, &L->page, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "report-example.html", &b);
    ab_buf_dispose(&b);
    ab_report_map_options mo = AB_REPORT_MAP_OPTIONS_INIT;
    if (ab_report_map_svg(&b, ctx, L->model, &L->ov, &mo, NULL, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "map-example.svg", &b);
    ab_buf_dispose(&b);
    snprintf(model_path, sizeof(model_path), "%s",
             tu_shared("models/simod_LoanApp_simplified.bpmn"));
    const char *texts[] = {L->headline, L->detail, L->sentences[0], L->sentences[1],
                           "310/310 cases"};
    char classes[160];
    snprintf(classes, sizeof(classes),
             "\"ab-bypass\": 1, \"ab-arc\": %u, \"ab-dead\": %u, \"ab-legend\": 1", L->n_arcs,
             L->n_dead);
    write_expect(ctx, dir, "report-example.json", "report-example.html", model_path, texts, 5,
                 classes);
    loan_free(L);

    /* The same with undocumented activities, on the map laid out without its DI. */
    loan_build(L, ctx, 1);
    loan_page(L);
    ab_report_map_options lo = AB_REPORT_MAP_OPTIONS_INIT;
    lo.layout = AB_REPORT_LAYOUT_COMPUTED;
    L->page.map_options = &lo;
    L->page.title = "Readiness report: loan application (computed layout)";
    if (ab_report_html(&b, ctx, &L->page, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "report-layout.html", &b);
    ab_buf_dispose(&b);
    const char *ltexts[] = {L->headline, "Call applicant", "Archive scan", "42 cases"};
    snprintf(classes, sizeof(classes),
             "\"ab-bypass\": 2, \"ab-arc\": %u, \"ab-extra\": 2, \"ab-legend\": 1", L->n_arcs - 1);
    write_expect(ctx, dir, "report-layout.json", "report-layout.html", model_path, ltexts, 4,
                 classes);
    loan_free(L);
    free(L);

    hostile_kit *H = malloc(sizeof(*H));
    hostile_build(H, ctx);
    if (ab_report_html(&b, ctx, &H->page, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "report-hostile.html", &b);
    ab_buf_dispose(&b);
    snprintf(model_path, sizeof(model_path), "%s", tu_testdata("report/hostile.bpmn"));
    const char *htexts[N_HOSTILE + 1];
    for (size_t i = 0; i < N_HOSTILE; i++) {
        htexts[i] = hostile[i];
    }
    htexts[N_HOSTILE] = bad_bytes_shown;
    write_expect(ctx, dir, "report-hostile.json", "report-hostile.html", model_path, htexts,
                 N_HOSTILE + 1, "\"ab-bypass\": 1, \"ab-arc\": 4, \"ab-extra\": 4");
    hostile_free(H);
    free(H);

    /*
     * From a computed gap: the LoanApp pair, and the invoice map with hostile
     * names. The pair is read from the shipped datasets/ by relative paths, so
     * the page names logs/... and models/... rather than this machine's paths.
     */
    gap_run *r = malloc(sizeof(*r));
    char lp[4096], mp[4096], cwd[4096];
    loan_paths(lp, mp);
    if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(tu_datasets("")) != 0) {
        return 1;
    }
    gap_run_make(r, ctx, "logs/simod_LoanApp_simplified_without_approve_loan_offer.csv",
                 "models/simod_LoanApp_simplified.bpmn");
    if (chdir(cwd) != 0) {
        return 1;
    }
    ab_report_gap_options go = AB_REPORT_GAP_OPTIONS_INIT;
    go.dfg = r->dfg;
    go.tone = AB_REPORT_TONE_BAD;
    go.title = "Work Reality Gap: loan application";
    if (ab_report_gap_html(&b, ctx, r->gap, r->model, &go, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "report-gap.html", &b);
    ab_buf_dispose(&b);
    const char *gtexts[4];
    size_t ng = 0;
    for (uint32_t i = 0; i < ab_gap_statement_count(r->gap) && ng < 4; i++) {
        gtexts[ng++] = ab_gap_statement_at(r->gap, i);
    }
    write_expect(ctx, dir, "report-gap.json", "report-gap.html", mp, gtexts, ng,
                 "\"ab-bypass\": 1, \"ab-arc\": 2, \"ab-legend\": 1");
    gap_run_free(r);

    /* BPI Challenge 2020 with its label mapping: lanes, red boxes, a case end. */
    if (chdir(tu_datasets("")) != 0) {
        return 1;
    }
    gap_run_make_mapped(r, ctx, "logs/bpic2020_DomesticDeclarations.xes.gz",
                        "models/bpic2020_declaration_documents.bpmn",
                        "maps/bpic2020_declaration_documents.map.csv");
    if (chdir(cwd) != 0) {
        return 1;
    }
    go.dfg = r->dfg;
    go.title = "Work Reality Gap: BPI Challenge 2020, domestic declarations";
    if (ab_report_gap_html(&b, ctx, r->gap, r->model, &go, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "report-gap-bpic.html", &b);
    ab_buf_dispose(&b);
    snprintf(mp, sizeof(mp), "%s", tu_datasets("models/bpic2020_declaration_documents.bpmn"));
    const char *btexts[] = {"case ended \xc2\xb7 9911 cases", "Payment Handled",
                            "On every documented path"};
    write_expect(ctx, dir, "report-gap-bpic.json", "report-gap-bpic.html", mp, btexts, 3,
                 "\"ab-extra\": 8, \"ab-case-end\": 3, \"ab-legend\": 1");
    gap_run_free(r);

    ab_buf csv = AB_BUF_INIT;
    snprintf(lp, sizeof(lp), "%s", hostile_gap_log(ctx, &csv));
    snprintf(mp, sizeof(mp), "%s", tu_shared("models/camunda_invoice.v2.bpmn"));
    gap_run_make(r, ctx, lp, mp);
    remove(lp);
    ab_buf_dispose(&csv);
    go.title = hostile[3];
    go.dfg = r->dfg;
    if (ab_report_gap_html(&b, ctx, r->gap, r->model, &go, NULL) != AB_OK) {
        return 1;
    }
    write_file(dir, "report-gap-hostile.html", &b);
    ab_buf_dispose(&b);
    const char *ghtexts[] = {hostile[0], hostile[1], hostile[3], "<b>c10</b>'"};
    write_expect(ctx, dir, "report-gap-hostile.json", "report-gap-hostile.html", mp, ghtexts, 4,
                 "\"ab-extra\": 2, \"ab-legend\": 1");
    gap_run_free(r);
    free(r);
    ab_ctx_destroy(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--demo") == 0) {
        return demo(argv[2]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),           cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_every_model),      cmocka_unit_test(test_without_di),
        cmocka_unit_test(test_overlay),          cmocka_unit_test(test_case_ends),
        cmocka_unit_test(test_hostile_svg),
        cmocka_unit_test(test_hostile_page),     cmocka_unit_test(test_page_structure),
        cmocka_unit_test(test_bad_arguments),    cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_enomem),           cmocka_unit_test(test_gap_page),
        cmocka_unit_test(test_gap_page_hostile), cmocka_unit_test(test_gap_page_bpic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
