/*
 * asbuilt/report.h: the readiness report's pictures and its offline HTML
 * page. ab_report_map_svg() draws a documented map from its diagram geometry
 * (BPMN DI), or lays it out when the file has none, and draws reality onto
 * it from an overlay the caller fills: how often each documented step was
 * bypassed, the undocumented transitions and activities, and the flows
 * nobody followed. ab_report_html() assembles one self-contained page (inline
 * CSS and SVG, nothing fetched, prints cleanly to PDF) from a content model
 * the caller fills: header facts, the headline number, the map, the as-is
 * graph (asbuilt/discover.h) and sections of paragraphs and tables.
 *
 * The report never computes a metric: every number it shows is given to it,
 * already counted (by engine/gap), and it only formats and draws.
 *
 * Every string that comes from a log or a map (names, ids, case ids,
 * documentation) and every string of the content model is escaped for HTML
 * and SVG text and attributes, so that an activity named
 * "<script>alert(1)</script>" is shown as those characters. Bytes that are
 * not UTF-8 and characters XML forbids are replaced. The page also carries
 * the Content-Security-Policy "default-src 'none'; style-src 'unsafe-inline';
 * img-src data:", so that even a string that escaped escaping could neither
 * run a script nor fetch anything.
 *
 * Output is deterministic: the same inputs give the same bytes (no clock, no
 * randomness, numbers printed with fixed precision).
 *
 * Thread-safety: the functions only read their inputs (a finished ab_bpmn
 * and ab_dfg are immutable) and may run concurrently on different buffers
 * and contexts. A map without diagram geometry is laid out with igraph,
 * whose error handler ab_ctx_create() sets process-wide; igraph's own
 * allocations do not go through the context's allocator.
 */
#ifndef ASBUILT_REPORT_H
#define ASBUILT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "bpmn.h"
#include "core.h"
#include "discover.h"
#include "gap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The overlay: reality drawn onto the documented map. ---- */

/**
 * A documented step and how often it was bypassed (gap-metrics M9), or that
 * it never happened as documented (M11). The step is drawn filled with a
 * colour that grows from pale to dark red with the rate, with the text
 * "n/m cases" above it.
 */
typedef struct ab_report_task_mark {
    const char *element_id; /**< Id of the flow node in the map (a task, call activity ...). */
    double rate;            /**< Bypass rate in [0, 1]; a negative value (or NaN) draws no rate. */
    uint64_t cases;         /**< n: cases that bypassed it. */
    uint64_t of;            /**< m: cases whose documented path required it (0 = no text). */
    int dead;               /**< Non-zero: never done as documented; drawn greyed. */
} ab_report_task_mark;

/**
 * An undocumented transition (M5): b directly followed a although the map
 * never does that. Drawn as a red dashed arc from a to b with its case count.
 * Each end is a flow node of the map (from_id / to_id) or, when
 * from_activity / to_activity is non-NULL, one of the overlay's undocumented
 * activities, by name (the id is then ignored). An arc whose ends cannot be
 * found is not drawn and is counted in ab_report_map_info.overlay_missing.
 * A case that starts or ends where the map does not let it (the artificial
 * START and END of a trace) is an ab_report_case_end, not an arc: an arc into
 * one of the map's end events would say that the case reached it.
 */
typedef struct ab_report_arc {
    const char *from_id;       /**< Source flow node id, or NULL. */
    const char *to_id;         /**< Target flow node id, or NULL. */
    const char *from_activity; /**< Or: the name of an ab_report_extra, or NULL. */
    const char *to_activity;   /**< Or: the name of an ab_report_extra, or NULL. */
    uint64_t cases;            /**< Cases in which the transition occurred. */
} ab_report_arc;

/**
 * An undocumented activity (M4): a red box with its name and case count,
 * placed near its usual context (between the flow nodes before_id and
 * after_id; above one of them when only one is known; in a row under the map
 * when neither is), with thin connectors from and to the context.
 */
typedef struct ab_report_extra {
    const char *name;      /**< The activity name as it appears in the log. */
    uint64_t cases;        /**< Cases in which it occurred. */
    const char *before_id; /**< Flow node id of the usual predecessor, or NULL / "". */
    const char *after_id;  /**< Flow node id of the usual successor, or NULL / "". */
} ab_report_extra;

/**
 * Cases that ended right after a step although the map does not end there
 * (the undocumented transition "step -> END"), or that started with a step
 * the map does not start with ("START -> step"). Drawn as a short red arrow
 * from the step to a small "case ended" stop marker beside it (or from a
 * "case started" marker into it) with the case count, never into one of the
 * map's own start or end events. The step is a flow node (element_id) or,
 * when activity is non-NULL, one of the overlay's undocumented activities.
 */
typedef struct ab_report_case_end {
    const char *element_id; /**< The flow node, or NULL. */
    const char *activity;   /**< Or: the name of an ab_report_extra, or NULL. */
    uint64_t cases;         /**< Cases that ended after it (started with it). */
    int start;              /**< Non-zero: cases that started with the step. */
} ab_report_case_end;

/**
 * Who did the work in a lane: its steps' instances done by someone none of
 * whose roles the lane allows. The lane's band is tinted by outside / of
 * (the bypass scale's colours), with the share in its tooltip.
 */
typedef struct ab_report_lane_mark {
    const char *lane; /**< The lane's name, as in the map. */
    uint64_t outside; /**< Instances of its steps done by someone outside it. */
    uint64_t of;      /**< Instances with a resource and a role (0 = not tinted). */
} ab_report_lane_mark;

/**
 * What to draw onto the map. Arrays are read during the call only; a count of
 * 0 allows a NULL array. Entries are drawn in the order given, so give them
 * in a deterministic order (engine/gap's lists are).
 */
typedef struct ab_report_overlay {
    unsigned version;                 /**< AB_REPORT_OVERLAY_VERSION. */
    const ab_report_task_mark *tasks; /**< Bypass rates and dead steps. */
    uint32_t task_count;
    const ab_report_arc *arcs; /**< Undocumented transitions. */
    uint32_t arc_count;
    const ab_report_extra *extras; /**< Undocumented activities. */
    uint32_t extra_count;
    const char *const *dead_flows; /**< Sequence flow ids never traversed (M12): greyed. */
    uint32_t dead_flow_count;
    uint64_t cases; /**< Cases analysed, shown in the legend (0 = not shown). */
    /* Version 2: */
    const ab_report_case_end *ends; /**< Cases that started or ended off the map's path. */
    uint32_t end_count;
    /* Version 3: */
    const ab_report_lane_mark *lanes; /**< Lanes tinted by who did their steps. */
    uint32_t lane_count;
} ab_report_overlay;

/** 2 adds ends, 3 lanes; overlays of versions 1 and 2 are still accepted. */
#define AB_REPORT_OVERLAY_VERSION 3
#define AB_REPORT_OVERLAY_INIT {AB_REPORT_OVERLAY_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** Where the geometry of the map comes from. */
typedef enum ab_report_layout {
    AB_REPORT_LAYOUT_AUTO = 0, /**< The file's DI when its first diagram places a flow node,
                                    else a computed layout. */
    AB_REPORT_LAYOUT_DI,       /**< The file's DI only (nodes without a shape are not drawn). */
    AB_REPORT_LAYOUT_COMPUTED, /**< Always a computed layout, ignoring the DI. */
} ab_report_layout;

typedef struct ab_report_map_options {
    unsigned version;        /**< AB_REPORT_MAP_OPTIONS_VERSION. */
    ab_report_layout layout; /**< AB_REPORT_LAYOUT_AUTO by default. */
    int legend;              /**< Draw a legend under the map when there is an overlay (1). */
    int xml_declaration;     /**< Start with "<?xml ...?>" for a stand-alone .svg file (1);
                                  0 for an SVG element to embed in HTML. */
} ab_report_map_options;

#define AB_REPORT_MAP_OPTIONS_VERSION 1
#define AB_REPORT_MAP_OPTIONS_INIT {AB_REPORT_MAP_OPTIONS_VERSION, AB_REPORT_LAYOUT_AUTO, 1, 1}

/** What was drawn, for callers that want to say so (and for tests). */
typedef struct ab_report_map_info {
    int computed_layout;      /**< 1 when the map was laid out rather than taken from DI. */
    uint32_t nodes_drawn;     /**< Flow node shapes drawn (every kind). */
    uint32_t tasks_drawn;     /**< Of which tasks (AB_BPMN_TASK). */
    uint32_t flows_drawn;     /**< Sequence flows drawn. */
    uint32_t nodes_not_drawn; /**< Flow nodes without a shape on the first diagram. */
    uint32_t overlay_drawn;   /**< Overlay entries drawn. */
    uint32_t overlay_missing; /**< Overlay entries naming something not drawn (left out). */
    double width, height;     /**< Size of the picture, px. */
} ab_report_map_info;

/**
 * Draws the map as one SVG document appended to out. With DI, the first
 * diagram (BPMNPlane) is drawn, which is the collaboration or main process in
 * the files modelers write: pools and lanes as bands with their names; tasks
 * as rounded boxes with wrapped labels, a type marker and loop markers; call
 * activities with a thick border; sub-processes expanded (as containers) or
 * collapsed (with a "+" marker); events as circles (end events thick,
 * intermediate ones double, non-interrupting boundary events dashed) with
 * their trigger; gateways as diamonds with X, +, O or their marker; sequence
 * flows as polylines with arrowheads (default flows slashed); message flows
 * dashed; other shapes (data, annotations, groups) as faint outlines.
 * Without DI, every flow node is placed by a layered layout (longest path
 * from the start events, crossings reduced by igraph's Sugiyama layout), left
 * to right, and sequence flows are drawn through the layout's bend points.
 *
 * ov may be NULL (the bare map); opts may be NULL for the defaults; info_out
 * may be NULL. Every element drawn for a flow node carries
 * data-element="<its id>" and the class "node" plus its kind ("task",
 * "event", "gateway", "subprocess", "call"); overlay elements carry the
 * classes "ab-bypass", "ab-dead", "ab-arc", "ab-case-end", "ab-extra" and "ab-legend".
 *
 * Returns AB_OK; AB_EINVAL for a bad options or overlay version or a NULL
 * model; AB_ENOMEM; AB_ERROR when igraph fails (err says why). On failure out
 * may hold a partial picture: discard it.
 */
AB_API int ab_report_map_svg(ab_buf *out, ab_ctx *ctx, const ab_bpmn *model,
                             const ab_report_overlay *ov, const ab_report_map_options *opts,
                             ab_report_map_info *info_out, ab_error *err);

/* ---- The page: a content model the caller fills. ---- */

/** A label and a value: the header's inputs and hashes, or secondary figures. */
typedef struct ab_report_fact {
    const char *label; /**< "Log", "Model sha256" ...; a metric's id in parentheses at the
                            end ("Required steps not done (M3)") is set in small print. */
    const char *value; /**< Shown as given (NULL = empty). */
    int mono;          /**< Non-zero: a hash, path or id, shown in a monospace font. */
} ab_report_fact;

/**
 * A table. cells holds row_count * column_count strings, row after row; a
 * NULL cell is empty. align has one character per column: 'l' (default),
 * 'r' (numbers) or 'c'; a NULL align leaves every column left-aligned.
 */
typedef struct ab_report_table {
    const char *caption; /**< Shown above the table, or NULL. */
    uint32_t column_count;
    const char *const *headers; /**< column_count headers, or NULL for none. */
    const char *align;          /**< One of l, r, c per column, or NULL. */
    uint32_t row_count;
    const char *const *cells; /**< Row-major cells. */
} ab_report_table;

/** What a block of a section holds. */
typedef enum ab_report_block_kind {
    AB_REPORT_PARAGRAPH = 0, /**< text as a paragraph. */
    AB_REPORT_NOTE,          /**< text as a highlighted remark (a caveat, a flag). */
    AB_REPORT_PRE,           /**< text in a monospace block, line breaks kept
                                  (alignment excerpts, file lists). */
    AB_REPORT_LIST,          /**< items as a bulleted list. */
    AB_REPORT_TABLE,         /**< table. */
} ab_report_block_kind;

typedef struct ab_report_block {
    ab_report_block_kind kind;
    const char *text;         /**< PARAGRAPH, NOTE and PRE. */
    const char *const *items; /**< LIST: item_count strings. */
    uint32_t item_count;
    const ab_report_table *table; /**< TABLE. */
} ab_report_block;

/** A section of the page (or of its appendix). */
typedef struct ab_report_section {
    const char *id;                /**< Anchor name; characters other than a-z, 0-9, '-' and
                                        '_' are dropped (NULL or empty: numbered). */
    const char *title;             /**< Heading. */
    const ab_report_block *blocks; /**< Its contents, in order. */
    uint32_t block_count;
    int appendix; /**< Non-zero: placed in the appendix, after the others. */
} ab_report_section;

/** The colour of the headline box: how the caller judges the number. */
typedef enum ab_report_tone {
    AB_REPORT_TONE_NEUTRAL = 0,
    AB_REPORT_TONE_GOOD,
    AB_REPORT_TONE_WARN,
    AB_REPORT_TONE_BAD,
} ab_report_tone;

/**
 * Everything the page shows, in the order shown: header (title, subtitle,
 * inputs), the headline box (number, sentence, detail, figures), the map and
 * the as-is graph side by side (one above the other in print), the sections,
 * then the appendix sections and the footer. Strings may be NULL (left out).
 * Every pointer is only read during the call.
 */
typedef struct ab_report_page {
    unsigned version;  /**< AB_REPORT_PAGE_VERSION. */
    const char *title; /**< Page and <title> text. */
    const char *subtitle;
    const ab_report_fact *inputs; /**< Files, hashes, counts, options. */
    uint32_t input_count;
    const char *headline;          /**< The headline number as text ("62.0%"). */
    const char *headline_text;     /**< What it means ("of cases did not follow ..."). */
    const char *headline_detail;   /**< "310 of 500 cases (95% CI ...)". */
    ab_report_tone tone;           /**< Colour of the headline box. */
    const ab_report_fact *figures; /**< Secondary numbers beside the headline. */
    uint32_t figure_count;
    const ab_bpmn *model;                     /**< The documented map, or NULL for no map. */
    const ab_report_overlay *overlay;         /**< Reality drawn onto it, or NULL. */
    const ab_report_map_options *map_options; /**< NULL for the defaults. */
    const char *map_caption;
    const ab_dfg *dfg; /**< The as-is graph, or NULL. */
    const char *dfg_caption;
    const ab_report_section *sections;
    uint32_t section_count;
    const char *footer; /**< Closing line ("asbuilt 0.1.0 ..."). */
    /* Version 2: */
    const char *headline_warning; /**< Shown first in the headline box, marked as a warning
                                       ("The map and the log barely match ..."), or NULL. */
} ab_report_page;

/** 2 adds headline_warning; pages of version 1 are still accepted. */
#define AB_REPORT_PAGE_VERSION 2
#define AB_REPORT_PAGE_INIT                                                                        \
    {AB_REPORT_PAGE_VERSION, 0, 0, 0, 0, 0, 0, 0, AB_REPORT_TONE_NEUTRAL, 0, 0, 0, 0, 0, 0, 0, 0,  \
     0, 0, 0, 0}

/**
 * Appends the complete HTML page to out (UTF-8, one file, nothing fetched:
 * the pictures are inline SVG, the style is inline CSS, there is no script).
 * Write it out with ab_write_file_atomic(). Returns AB_OK; AB_EINVAL for a
 * bad version, a table without cells or a block of an unknown kind; AB_ENOMEM;
 * AB_ERROR when laying out the map fails. On failure out may hold a partial
 * page: discard it.
 */
AB_API int ab_report_html(ab_buf *out, ab_ctx *ctx, const ab_report_page *page, ab_error *err);

/* ---- The readiness report of a gap. ---- */

typedef struct ab_report_gap_options {
    unsigned version;                         /**< AB_REPORT_GAP_OPTIONS_VERSION. */
    const char *title;                        /**< NULL = "Work Reality Gap". */
    ab_report_tone tone;                      /**< Colour of the headline: the caller's verdict
                                                   (for instance a --fail-above gate exceeded). */
    const ab_dfg *dfg;                        /**< The as-is graph to show beside the map, or
                                                   NULL. */
    const ab_report_map_options *map_options; /**< NULL for the defaults. */
    uint32_t max_arcs;     /**< Undocumented transitions drawn on the map, most cases first
                                (0 = 12), and as many case starts and ends; the tables list
                                them all. */
    uint32_t max_extras;   /**< Undocumented activities drawn on the map (0 = 12). */
    uint32_t max_examples; /**< Findings whose example cases are shown (0 = 30). */
    const char *footer;    /**< NULL for the default closing line. */
} ab_report_gap_options;

#define AB_REPORT_GAP_OPTIONS_VERSION 1
#define AB_REPORT_GAP_OPTIONS_INIT                                                                 \
    {AB_REPORT_GAP_OPTIONS_VERSION, 0, AB_REPORT_TONE_NEUTRAL, 0, 0, 0, 0, 0, 0}

/**
 * Appends the readiness report of a gap as one HTML page (see
 * ab_report_html): the headline (M1 with its interval) and the other summary
 * figures, the inputs and their SHA-256, the map with the gap drawn on it
 * (bypass rates and dead steps by element, undocumented transitions and
 * activities placed through the label mapping, dead flows), the as-is graph
 * when opts->dfg is set, the sentences, one table per kind of finding with
 * time impacts, what the map allows but nobody did, example cases with their
 * alignment excerpts, and an appendix (files and hashes, label mapping,
 * approximations, data quality, options, notes).
 *
 * The page is drawn from the gap's own JSON report (ab_gap_write_json), so
 * it shows exactly its numbers, names and sentences. model is the map the
 * gap was computed against (NULL: no map is drawn); opts may be NULL.
 * Returns AB_OK; AB_EINVAL (NULL gap, bad options version); AB_ENOMEM;
 * AB_ERROR when laying out the map fails. On failure out may hold a partial
 * page: discard it.
 */
AB_API int ab_report_gap_html(ab_buf *out, ab_ctx *ctx, const ab_gap *gap, const ab_bpmn *model,
                              const ab_report_gap_options *opts, ab_error *err);

/**
 * Appends s[0..len) escaped for HTML and XML text and for double- or
 * single-quoted attribute values: & < > " ' become entities, line breaks
 * become "&#10;", other control characters and bytes that are not UTF-8
 * become U+FFFD. This is the one escape every string of the report goes
 * through. AB_ENOMEM.
 */
AB_API int ab_report_escape(ab_buf *out, ab_ctx *ctx, const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
