/*
 * report/report_html.c: the readiness report as one offline HTML page. It
 * writes what the caller's content model holds, in a fixed order, with the
 * map and the as-is graph inline as SVG and the style inline as CSS; there
 * is no script and no URL, and the Content-Security-Policy forbids loading
 * anything, so the page shows the same thing on an air-gapped laptop, in a
 * mail attachment and printed to PDF. Every string goes through
 * ab_report_escape().
 */
#include "report/report_int.h"

#include <math.h>
#include <stdio.h>

#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)
#define S(lit)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_append(b, ctx, (lit), sizeof(lit) - 1);                                    \
        }                                                                                          \
    } while (0)
#define T(s)                                                                                       \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab__report_text(b, ctx, (s), 0);                                                  \
        }                                                                                          \
    } while (0)

#define MAX_ID 48 /* Longest section anchor kept, bytes. */

/*
 * The style. Screen: a readable column, the two pictures side by side when
 * there is room. Print: A4, the pictures one under the other, each kept on
 * one page, colours kept (the headline's tone and the map's scale are data).
 */
static const char *const css[] = {
    ":root{--ink:#1f2933;--muted:#5f6b76;--rule:#d9dee3;--bg:#f6f7f9;--red:#c62828;"
    "--amber:#b26a00;--green:#2e7d32;--blue:#1d4f91}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;color:var(--ink);background:#fff;font:15px/1.5 system-ui,-apple-system,"
    "\"Segoe UI\",Helvetica,Arial,sans-serif}\n"
    "header.ab-head{background:var(--bg);border-bottom:1px solid var(--rule);"
    "padding:24px 32px 16px}\n"
    "h1{font-size:26px;line-height:1.2;margin:0 0 4px}\n"
    "h2{font-size:20px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid "
    "var(--rule)}\n"
    "h3{font-size:16px;margin:22px 0 8px}\n"
    ".ab-sub{margin:0 0 12px;color:var(--muted)}\n"
    "dl.ab-inputs{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));"
    "gap:4px 24px;margin:0;font-size:13px}\n"
    "dl.ab-inputs div{display:flex;gap:8px;min-width:0}\n"
    "dl.ab-inputs dt{color:var(--muted);flex:0 1 auto;max-width:45%}\n"
    "dl.ab-inputs dd{margin:0;min-width:0;overflow-wrap:anywhere}\n"
    ".mono{font-family:ui-monospace,\"SFMono-Regular\",Menlo,Consolas,monospace;font-size:12px}\n"
    "main{padding:8px 32px 32px;max-width:1800px}\n"
    ".ab-headline{display:flex;flex-wrap:wrap;align-items:center;gap:8px 28px;margin:20px 0;"
    "padding:18px 24px;border-radius:10px;border:1px solid var(--rule);border-left:10px solid "
    "var(--blue);background:#fff}\n"
    ".ab-headline.tone-good{border-left-color:var(--green)}\n"
    ".ab-headline.tone-warn{border-left-color:var(--amber)}\n"
    ".ab-headline.tone-bad{border-left-color:var(--red)}\n"
    ".ab-big{font-size:48px;font-weight:700;line-height:1;font-variant-numeric:tabular-nums}\n"
    ".tone-good .ab-big{color:var(--green)}.tone-warn .ab-big{color:var(--amber)}"
    ".tone-bad .ab-big{color:var(--red)}\n"
    ".ab-what{flex:1 1 320px;min-width:0}\n"
    ".ab-what p{margin:0}.ab-what .ab-text{font-size:18px;font-weight:600}\n"
    ".ab-what .ab-detail{color:var(--muted)}\n"
    ".ab-what .ab-warning{border-left:4px solid #b45309;background:#fff7ed;padding:.4em .7em;"
    "margin:0 0 .6em}\n"
    "dl.ab-figures{display:flex;flex-wrap:wrap;gap:8px 24px;margin:0}\n"
    "dl.ab-figures div{min-width:120px;max-width:220px}\n"
    "dl.ab-figures dt{font-size:12px;line-height:1.3;color:var(--muted)}\n"
    ".ab-mid{font-size:10.5px;font-weight:400;color:var(--muted);white-space:nowrap}\n"
    "dl.ab-figures dd{margin:0;font-size:18px;font-weight:600;font-variant-numeric:"
    "tabular-nums}\n"
    "nav.ab-toc{font-size:13px;margin:0 0 8px;color:var(--muted)}\n"
    "nav.ab-toc a{color:var(--blue);text-decoration:none;margin-right:14px}\n"
    ".ab-pictures{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}\n"
    "figure{margin:0;border:1px solid var(--rule);border-radius:8px;padding:10px;"
    "background:#fff;min-width:0;max-width:100%;flex:1 1 auto}\n"
    "figcaption{font-weight:600;margin:0 0 8px}\n"
    "figcaption span{display:block;font-weight:400;font-size:13px;color:var(--muted)}\n"
    ".ab-svg{overflow:auto}\n"
    ".ab-svg svg{display:block;max-width:100%;height:auto;margin:0 auto}\n"
    "p{margin:8px 0}\n"
    ".ab-note{background:#fff8e1;border-left:4px solid var(--amber);padding:8px 12px;"
    "border-radius:4px}\n"
    "pre{background:var(--bg);border:1px solid var(--rule);border-radius:6px;padding:10px 12px;"
    "overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}\n"
    ".ab-table-wrap{overflow-x:auto;max-width:100%}\n"
    "table.ab-table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px;"
    "font-variant-numeric:tabular-nums}\n"
    "table.ab-table caption{text-align:left;font-weight:600;padding:4px 0}\n"
    "table.ab-table th,table.ab-table td{padding:5px 8px;border-bottom:1px solid var(--rule);"
    "vertical-align:top;text-align:left;overflow-wrap:break-word;hyphens:auto}\n"
    "table.ab-table th{background:var(--bg);font-weight:600}\n"
    "table.ab-table .r{text-align:right}table.ab-table .c{text-align:center}\n",
    "table.ab-table tbody tr:nth-child(even){background:#fbfcfd}\n"
    "section.ab-appendix{margin-top:40px}\n"
    "footer{padding:16px 32px;border-top:1px solid var(--rule);color:var(--muted);"
    "font-size:12px}\n"
    "@media (max-width:700px){header.ab-head{padding:16px}main{padding:8px 16px 24px}"
    "footer{padding:12px 16px}.ab-headline{padding:14px 16px}}\n"
    "@page{size:A4;margin:14mm}\n"
    "@media print{\n"
    "body{font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "header.ab-head,main,footer{padding-left:0;padding-right:0}\n"
    ".ab-table-wrap{overflow:visible}\n"
    "nav.ab-toc{display:none}\n"
    ".ab-pictures{display:block}\n"
    "figure{break-inside:avoid;page-break-inside:avoid;margin:0 0 12px;border:none;"
    "padding:0}\n"
    ".ab-svg{overflow:visible}\n"
    ".ab-svg-in{min-width:0!important}\n"
    ".ab-svg svg{max-height:240mm;width:auto;max-width:100%}\n"
    ".ab-headline,pre,tr{break-inside:avoid;page-break-inside:avoid}\n"
    "h2,h3{break-after:avoid;page-break-after:avoid}\n"
    "thead{display:table-header-group}\n"
    "table.ab-table{font-size:8.5pt}table.ab-table th,table.ab-table td{padding:3px 5px}\n"
    "section.ab-appendix{break-before:page;page-break-before:always}\n"
    "}\n",
};

static const char csp[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

typedef char anchor_t[MAX_ID + 24];

/*
 * Anchors of the sections, from the caller's ids: a-z, 0-9, '-' and '_'
 * kept (letters lowered), "s-" in front so they never meet the page's own
 * ids, numbered when empty or already taken.
 */
static int section_anchors(ab_ctx *ctx, const ab_report_section *secs, uint32_t count,
                           anchor_t **out)
{
    anchor_t *a = ab__malloc(ctx, ((size_t)count + 1) * sizeof(anchor_t));
    if (a == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < count; i++) {
        char base[MAX_ID + 1];
        size_t n = 0;
        const char *id = secs[i].id;
        for (size_t k = 0; id != NULL && id[k] != '\0' && n < MAX_ID; k++) {
            char c = id[k];
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
            }
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                base[n++] = c;
            }
        }
        base[n] = '\0';
        if (n == 0) {
            snprintf(a[i], sizeof(a[i]), "s-%u", i + 1);
        } else {
            snprintf(a[i], sizeof(a[i]), "s-%s", base);
        }
        for (uint32_t attempt = 1;; attempt++) {
            uint32_t j = 0;
            while (j < i && strcmp(a[j], a[i]) != 0) {
                j++;
            }
            if (j == i) {
                break;
            }
            snprintf(a[i], sizeof(a[i]), "s-%s-%u.%u", base, i + 1, attempt);
        }
    }
    *out = a;
    return AB_OK;
}

/*
 * A label or sentence whose metric id closes it in parentheses, "Required
 * steps not done (M3)": the words as they are, the id in small print. Ids
 * are a capital letter, a digit, then letters or digits (M3, M9c, R0).
 */
static int put_with_id(ab_buf *b, ab_ctx *ctx, const char *s)
{
    int rc = AB_OK;
    size_t n = s != NULL ? strlen(s) : 0;
    size_t open = n;
    if (n >= 5 && s[n - 1] == ')') {
        open = n - 1;
        while (open > 0 && s[open - 1] != '(') {
            open--;
        }
    }
    size_t id_len = open > 0 && open < n ? n - 1 - open : 0;
    int ok = open >= 2 && s[open - 2] == ' ' && id_len >= 2 && id_len <= 6 && s[open] >= 'A' &&
             s[open] <= 'Z' && s[open + 1] >= '0' && s[open + 1] <= '9';
    for (size_t k = open; ok && k < n - 1; k++) {
        char c = s[k];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
    if (!ok) {
        T(s);
        return rc;
    }
    if (rc == AB_OK) {
        rc = ab_report_escape(b, ctx, s, open - 2);
    }
    S(" <span class=\"ab-mid\">");
    if (rc == AB_OK) {
        rc = ab_report_escape(b, ctx, s + open, id_len);
    }
    S("</span>");
    return rc;
}

static int put_facts(ab_buf *b, ab_ctx *ctx, const char *cls, const ab_report_fact *facts,
                     uint32_t count)
{
    int rc = AB_OK;
    if (count == 0) {
        return AB_OK;
    }
    P("<dl class=\"%s\">\n", cls);
    for (uint32_t i = 0; i < count; i++) {
        S("<div><dt>");
        if (rc == AB_OK) {
            rc = put_with_id(b, ctx, facts[i].label);
        }
        P("</dt><dd%s>", facts[i].mono ? " class=\"mono\"" : "");
        T(facts[i].value);
        S("</dd></div>\n");
    }
    S("</dl>\n");
    return rc;
}

static int put_table(ab_buf *b, ab_ctx *ctx, const ab_report_table *t)
{
    int rc = AB_OK;
    /* A table wider than the page scrolls in its own box; the page does not. */
    S("<div class=\"ab-table-wrap\"><table class=\"ab-table\">");
    if (t->caption != NULL) {
        S("<caption>");
        T(t->caption);
        S("</caption>");
    }
    if (t->headers != NULL) {
        S("<thead><tr>");
        for (uint32_t c = 0; c < t->column_count; c++) {
            char al = t->align != NULL ? t->align[c] : 'l';
            P("<th scope=\"col\"%s>",
              al == 'r' ? " class=\"r\"" : (al == 'c' ? " class=\"c\"" : ""));
            T(t->headers[c]);
            S("</th>");
        }
        S("</tr></thead>");
    }
    S("\n<tbody>\n");
    for (uint32_t r = 0; r < t->row_count; r++) {
        S("<tr>");
        for (uint32_t c = 0; c < t->column_count; c++) {
            char al = t->align != NULL ? t->align[c] : 'l';
            P("<td%s>", al == 'r' ? " class=\"r\"" : (al == 'c' ? " class=\"c\"" : ""));
            T(t->cells[(size_t)r * t->column_count + c]);
            S("</td>");
        }
        S("</tr>\n");
    }
    S("</tbody></table></div>\n");
    return rc;
}

static int put_block(ab_buf *b, ab_ctx *ctx, const ab_report_block *bl)
{
    int rc = AB_OK;
    switch (bl->kind) {
    case AB_REPORT_PARAGRAPH:
        S("<p>");
        T(bl->text);
        S("</p>\n");
        break;
    case AB_REPORT_NOTE:
        S("<p class=\"ab-note\">");
        T(bl->text);
        S("</p>\n");
        break;
    case AB_REPORT_PRE:
        /* A newline right after <pre> is dropped by HTML parsers: start with our own. */
        S("<pre>\n");
        T(bl->text);
        S("</pre>\n");
        break;
    case AB_REPORT_LIST:
        S("<ul>\n");
        for (uint32_t i = 0; i < bl->item_count; i++) {
            S("<li>");
            T(bl->items[i]);
            S("</li>\n");
        }
        S("</ul>\n");
        break;
    case AB_REPORT_TABLE:
        rc = put_table(b, ctx, bl->table);
        break;
    }
    return rc;
}

static int check_page(const ab_report_page *page, ab_error *err)
{
    if (page->version < 1 || page->version > AB_REPORT_PAGE_VERSION) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "page version %u, expected 1 to %u",
                         page->version, AB_REPORT_PAGE_VERSION);
    }
    if (page->map_options != NULL && page->map_options->version != AB_REPORT_MAP_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "map options version %u, expected %u",
                         page->map_options->version, AB_REPORT_MAP_OPTIONS_VERSION);
    }
    if (page->overlay != NULL &&
        (page->overlay->version < 1 || page->overlay->version > AB_REPORT_OVERLAY_VERSION)) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "overlay version %u, expected 1 to %u",
                         page->overlay->version, AB_REPORT_OVERLAY_VERSION);
    }
    if ((page->input_count > 0 && page->inputs == NULL) ||
        (page->figure_count > 0 && page->figures == NULL) ||
        (page->section_count > 0 && page->sections == NULL)) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "page count without its array");
    }
    for (uint32_t s = 0; s < page->section_count; s++) {
        const ab_report_section *sec = &page->sections[s];
        if (sec->block_count > 0 && sec->blocks == NULL) {
            return ab__error(err, AB_EINVAL, "report", 0, 0, "section %u: blocks missing", s + 1);
        }
        for (uint32_t k = 0; k < sec->block_count; k++) {
            const ab_report_block *bl = &sec->blocks[k];
            const ab_report_table *t = bl->table;
            int ok = 1;
            if (bl->kind == AB_REPORT_TABLE) {
                ok = t != NULL && (t->row_count == 0 || t->column_count == 0 || t->cells != NULL);
                if (ok && t->align != NULL) {
                    ok = strlen(t->align) >= t->column_count;
                }
            } else if (bl->kind == AB_REPORT_LIST) {
                ok = bl->item_count == 0 || bl->items != NULL;
            } else if (bl->kind != AB_REPORT_PARAGRAPH && bl->kind != AB_REPORT_NOTE &&
                       bl->kind != AB_REPORT_PRE) {
                ok = 0;
            }
            if (!ok) {
                return ab__error(err, AB_EINVAL, "report", 0, 0,
                                 "section %u, block %u: bad kind, or a table or list without "
                                 "its cells",
                                 s + 1, k + 1);
            }
        }
    }
    return AB_OK;
}

static int put_sections(ab_buf *b, ab_ctx *ctx, const ab_report_page *page, anchor_t *anchors,
                        int appendix)
{
    int rc = AB_OK;
    for (uint32_t s = 0; s < page->section_count && rc == AB_OK; s++) {
        const ab_report_section *sec = &page->sections[s];
        if ((sec->appendix != 0) != appendix) {
            continue;
        }
        P("<section class=\"ab-section\" id=\"%s\">\n<h%d>", anchors[s], appendix ? 3 : 2);
        T(sec->title);
        P("</h%d>\n", appendix ? 3 : 2);
        for (uint32_t k = 0; k < sec->block_count && rc == AB_OK; k++) {
            rc = put_block(b, ctx, &sec->blocks[k]);
        }
        S("</section>\n");
    }
    return rc;
}

static int put_pictures(ab_buf *b, ab_ctx *ctx, const ab_report_page *page, ab_error *err)
{
    int rc = AB_OK;
    if (page->model == NULL && page->dfg == NULL) {
        return AB_OK;
    }
    /*
     * The figures sit side by side when their natural widths fit the page
     * and wrap one under the other when they do not (a wide map takes the
     * whole width rather than shrinking to unreadable text).
     */
    S("<section class=\"ab-pictures\" id=\"pictures\">\n");
    if (page->model != NULL) {
        ab_report_map_options mo = AB_REPORT_MAP_OPTIONS_INIT;
        if (page->map_options != NULL) {
            mo = *page->map_options;
        }
        mo.xml_declaration = 0;
        S("<figure class=\"ab-fig-map\" id=\"map\"><figcaption>The documented map, with what "
          "happened drawn on it");
        if (page->map_caption != NULL) {
            S("<span>");
            T(page->map_caption);
            S("</span>");
        }
        S("</figcaption>\n<div class=\"ab-svg\">\n");
        /*
         * The map shrinks with the page down to three quarters of its size,
         * where its labels are still legible; on a narrower page it scrolls
         * in its figure rather than the page scrolling.
         */
        ab_buf svg = AB_BUF_INIT;
        ab_report_map_info info;
        memset(&info, 0, sizeof(info));
        if (rc == AB_OK) {
            rc = ab_report_map_svg(&svg, ctx, page->model, page->overlay, &mo, &info, err);
        }
        P("<div class=\"ab-svg-in\" style=\"min-width:%.0fpx\">\n", floor(info.width * 0.75));
        if (rc == AB_OK && svg.len > 0) {
            rc = ab_buf_append(b, ctx, svg.ptr, svg.len);
        }
        ab_buf_dispose(&svg);
        S("</div></div></figure>\n");
    }
    if (page->dfg != NULL) {
        S("<figure class=\"ab-fig-dfg\" id=\"as-is\"><figcaption>The process as it ran "
          "(directly-follows graph)");
        if (page->dfg_caption != NULL) {
            S("<span>");
            T(page->dfg_caption);
            S("</span>");
        }
        S("</figcaption>\n<div class=\"ab-svg\">\n");
        ab_buf svg = AB_BUF_INIT;
        if (rc == AB_OK) {
            rc = ab_dfg_write_svg(&svg, page->dfg);
        }
        if (rc == AB_OK && svg.len > 0) {
            /* Inline SVG in HTML takes no XML declaration: start at the element. */
            const char *start = strstr(svg.ptr, "<svg");
            start = start != NULL ? start : svg.ptr;
            rc = ab_buf_append(b, ctx, start, svg.len - (size_t)(start - svg.ptr));
        }
        ab_buf_dispose(&svg);
        S("</div></figure>\n");
    }
    S("</section>\n");
    return rc;
}

int ab_report_html(ab_buf *b, ab_ctx *ctx, const ab_report_page *page, ab_error *err)
{
    if (b == NULL || ctx == NULL || page == NULL) {
        return ab__error(err, AB_EINVAL, "report", 0, 0,
                         "a buffer, a context and a page are needed");
    }
    ab_error_clear(err);
    int rc = check_page(page, err);
    anchor_t *anchors = NULL;
    if (rc == AB_OK) {
        rc = section_anchors(ctx, page->sections, page->section_count, &anchors);
    }
    if (rc != AB_OK) {
        return ab__error_settle(err, rc, "report", "cannot write the HTML report");
    }
    const char *title = page->title != NULL ? page->title : "Process readiness report";
    P("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"asbuilt\">\n<title>",
      csp);
    T(title);
    S("</title>\n<style>\n");
    for (size_t k = 0; k < sizeof(css) / sizeof(css[0]) && rc == AB_OK; k++) {
        rc = ab_buf_append(b, ctx, css[k], strlen(css[k]));
    }
    S("</style>\n</head>\n<body>\n<header class=\"ab-head\">\n<h1>");
    T(title);
    S("</h1>\n");
    if (page->subtitle != NULL) {
        S("<p class=\"ab-sub\">");
        T(page->subtitle);
        S("</p>\n");
    }
    if (rc == AB_OK) {
        rc = put_facts(b, ctx, "ab-inputs", page->inputs, page->input_count);
    }
    S("</header>\n<main>\n");
    if (page->headline != NULL || page->headline_text != NULL || page->figure_count > 0) {
        static const char *const tones[] = {"tone-neutral", "tone-good", "tone-warn", "tone-bad"};
        unsigned tone = (unsigned)page->tone < 4 ? (unsigned)page->tone : 0;
        P("<section class=\"ab-headline %s\" id=\"headline\">\n", tones[tone]);
        if (page->headline != NULL) {
            S("<div class=\"ab-big\">");
            T(page->headline);
            S("</div>\n");
        }
        S("<div class=\"ab-what\">");
        /* headline_warning exists from version 2 of the page on. */
        if (page->version >= 2 && page->headline_warning != NULL) {
            S("<p class=\"ab-warning\" role=\"alert\"><strong>Warning:</strong> ");
            T(page->headline_warning);
            S("</p>");
        }
        if (page->headline_text != NULL) {
            S("<p class=\"ab-text\">");
            if (rc == AB_OK) {
                rc = put_with_id(b, ctx, page->headline_text);
            }
            S("</p>");
        }
        if (page->headline_detail != NULL) {
            S("<p class=\"ab-detail\">");
            T(page->headline_detail);
            S("</p>");
        }
        S("</div>\n");
        if (rc == AB_OK) {
            rc = put_facts(b, ctx, "ab-figures", page->figures, page->figure_count);
        }
        S("</section>\n");
    }
    /* The table of contents: pictures, then each section, then the appendix. */
    S("<nav class=\"ab-toc\">");
    if (page->model != NULL) {
        S("<a href=\"#map\">Documented map</a>");
    }
    if (page->dfg != NULL) {
        S("<a href=\"#as-is\">As-is process</a>");
    }
    int has_appendix = 0;
    for (uint32_t s = 0; s < page->section_count; s++) {
        if (page->sections[s].appendix) {
            has_appendix = 1;
            continue;
        }
        P("<a href=\"#%s\">", anchors[s]);
        T(page->sections[s].title);
        S("</a>");
    }
    if (has_appendix) {
        S("<a href=\"#appendix\">Appendix</a>");
    }
    S("</nav>\n");
    if (rc == AB_OK) {
        rc = put_pictures(b, ctx, page, err);
    }
    if (rc == AB_OK) {
        rc = put_sections(b, ctx, page, anchors, 0);
    }
    if (has_appendix) {
        S("<section class=\"ab-appendix\" id=\"appendix\">\n<h2>Appendix</h2>\n");
        if (rc == AB_OK) {
            rc = put_sections(b, ctx, page, anchors, 1);
        }
        S("</section>\n");
    }
    S("</main>\n<footer>");
    if (page->footer != NULL) {
        T(page->footer);
    } else {
        S("Written by asbuilt. This page is self-contained: it loads nothing.");
    }
    S("</footer>\n</body>\n</html>\n");
    ab__free(ctx, anchors);
    return ab__error_settle(err, rc, "report", "cannot write the HTML report");
}
