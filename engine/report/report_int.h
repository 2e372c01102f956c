/*
 * report/report_int.h: what the files of engine/report share: the one
 * escaping function and the text helpers (UTF-8 stepping, width estimates,
 * label wrapping), and the scene, the geometry of a map (taken from its DI
 * or computed by report_layout.c) that report_map.c draws.
 */
#ifndef AB_REPORT_INT_H
#define AB_REPORT_INT_H

#include "asbuilt/report.h"
#include "core/core_int.h"

/* ---- Text (report_text.c). ---- */

/*
 * Decodes one character of s[0..len) (len > 0) into *cp and returns the bytes
 * it takes. A byte that does not start a valid UTF-8 sequence (overlong,
 * surrogate, past U+10FFFF, truncated) gives U+FFFD and takes one byte.
 */
size_t ab__report_utf8_next(const char *s, size_t len, uint32_t *cp);

/*
 * ab_report_escape() for a NUL-terminated string, cut after max_cp
 * characters with "…" (0 = no cut). NULL appends nothing.
 */
int ab__report_text(ab_buf *b, ab_ctx *ctx, const char *s, uint32_t max_cp);

/* Estimated width in px of s[0..len) in a sans-serif font of font_px. */
double ab__report_text_width(const char *s, size_t len, double font_px);

/* One line of a wrapped label: a byte range of the label, "…" appended when cut. */
typedef struct ab__report_line {
    size_t off;   /* First byte. */
    size_t len;   /* Bytes. */
    int ellipsis; /* The label goes on: append "…". */
    double width; /* Estimated width, px. */
    int lead;     /* The line starts with "…" (the middle of the label was left out). */
} ab__report_line;

/*
 * Wraps s into at most max_lines lines (max_lines <= 16) of at most max_w px
 * at font_px: greedy on spaces, a word wider than a line is cut between
 * characters, and the last line ends with "…" when text is left over.
 * Returns the number of lines (0 for an empty label).
 */
uint32_t ab__report_wrap(const char *s, double max_w, double font_px, uint32_t max_lines,
                         ab__report_line *lines);

/*
 * As ab__report_wrap, but a label too long for max_lines (>= 2) loses its
 * middle rather than its end: the first max_lines - 1 lines from the start,
 * then a last line "…" and the label's end, which is where names that share
 * a prefix ("Declaration REJECTED by ...") differ. When even the last word
 * does not fit after "…", the end is cut as ab__report_wrap cuts it.
 */
uint32_t ab__report_wrap_ends(const char *s, double max_w, double font_px, uint32_t max_lines,
                              ab__report_line *lines);

/* Appends a wrapped line, escaped, with its "…" when cut. */
int ab__report_line_put(ab_buf *b, ab_ctx *ctx, const char *s, const ab__report_line *line);

/* The bypass colour scale: t in [0, 1] from pale yellow to dark red, as "#rrggbb". */
void ab__report_rate_color(double t, char buf[8]);
/* A readable ink (black or white) on that colour. */
const char *ab__report_rate_ink(double t);

/* ---- Reading JSON (report_json.c): the gap's report, to draw the page from. ---- */

typedef enum ab__jkind {
    AB__J_NULL = 0,
    AB__J_BOOL,
    AB__J_NUMBER,
    AB__J_STRING,
    AB__J_ARRAY,
    AB__J_OBJECT,
} ab__jkind;

typedef struct ab__jval ab__jval;
struct ab__jval {
    ab__jkind kind;
    double num;        /* Numbers. */
    int b;             /* Booleans. */
    const char *str;   /* Strings (decoded, NUL-terminated) and numbers (as written). */
    size_t len;        /* Bytes of str. */
    ab__jval *items;   /* Arrays and objects: the values. */
    const char **keys; /* Objects: the member names. */
    uint32_t count;    /* Arrays and objects: members. */
};

/* Parses one JSON document into *out, everything allocated in arena. AB_EPARSE, AB_ENOMEM. */
int ab__json_parse(ab__arena *arena, const char *s, size_t len, ab__jval *out, ab_error *err);
/* A member (the first with that name) or a null value; never NULL. Safe on any value. */
const ab__jval *ab__json_get(const ab__jval *v, const char *key);
/* The i-th element of an array or a null value; never NULL. */
const ab__jval *ab__json_at(const ab__jval *v, uint32_t i);
/* Elements of an array (0 for anything else). */
uint32_t ab__json_len(const ab__jval *v);
/* A string's text, or NULL when v is no string. */
const char *ab__json_str(const ab__jval *v);
/* A number, or dflt when v is no number. */
double ab__json_num(const ab__jval *v, double dflt);

/* ---- The scene: what a map drawing is made of (report_map.c, report_layout.c). ---- */

typedef enum ab__rshape_kind {
    AB__RS_POOL = 0, /* A participant's band. */
    AB__RS_LANE,     /* A lane's band. */
    AB__RS_NODE,     /* A flow node. */
    AB__RS_ARTIFACT, /* Anything else with a shape (data, annotation, group, black-box pool). */
} ab__rshape_kind;

typedef struct ab__rshape {
    ab__rshape_kind kind;
    uint32_t node;          /* Flow node index for AB__RS_NODE, else AB_BPMN_NONE. */
    const char *element_id; /* The bpmnElement (owned by the model). */
    const char *name;       /* Pool or lane name; a node's label. */
    double x, y, w, h;      /* Bounds, px. */
    int container;          /* A sub-process drawn expanded, with its content inside. */
    int has_label;          /* The DI gives label bounds. */
    double lx, ly, lw, lh;  /* Those bounds. */
} ab__rshape;

typedef enum ab__redge_kind {
    AB__RE_SEQUENCE = 0, /* A sequence flow. */
    AB__RE_MESSAGE,      /* A message flow. */
    AB__RE_OTHER,        /* An association, drawn faint. */
    AB__RE_ATTACH,       /* Computed layouts: a boundary event or a sub-process's content
                            tied to its activity, drawn dotted. */
} ab__redge_kind;

typedef struct ab__redge {
    ab__redge_kind kind;
    uint32_t index;         /* Sequence or message flow index, else AB_BPMN_NONE. */
    const char *element_id; /* The flow's id. */
    const double *pts;      /* x0, y0, x1, y1 ...; owned by the model or the scene's arena. */
    uint32_t n;             /* Points (>= 2). */
} ab__redge;

typedef struct ab__scene {
    ab_ctx *ctx;
    const ab_bpmn *model;
    ab__arena arena;    /* Computed points and the arrays below. */
    ab__rshape *shapes; /* In drawing order of their kind (see report_map.c). */
    uint32_t shape_count;
    ab__redge *edges;
    uint32_t edge_count;
    uint32_t *node_shape; /* Flow node -> its shape, or AB_BPMN_NONE. */
    uint32_t *flow_edge;  /* Sequence flow -> its edge, or AB_BPMN_NONE. */
    int computed;         /* Laid out by report_layout.c. */
} ab__scene;

/*
 * Fills the scene with a layered layout of every flow node: shapes and
 * edges (allocated in its arena), and node_shape and flow_edge, which the
 * caller has allocated and filled with AB_BPMN_NONE. AB_ENOMEM, or AB_ERROR
 * when igraph fails.
 */
int ab__report_layout(ab__scene *sc, ab_error *err);

/* Default sizes of computed shapes, px (those of BPMN modelers). */
#define AB__RL_TASK_W 110.0
#define AB__RL_TASK_H 64.0
#define AB__RL_EVENT 36.0
#define AB__RL_GATEWAY 50.0

#endif
