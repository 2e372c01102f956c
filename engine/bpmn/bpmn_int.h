/*
 * bpmn/bpmn_int.h: the in-memory form of a documented map, shared by the
 * reader (bpmn_read.c), the structure checks (bpmn_check.c) and the getters
 * (bpmn_model.c). Everything a model owns lives in its arena, so destroying
 * it is one call.
 */
#ifndef AB_BPMN_INT_H
#define AB_BPMN_INT_H

#include <stdlib.h>

#include <libxml/tree.h>

#include "asbuilt/bpmn.h"
#include "asbuilt/input.h"
#include "core/core_int.h"

/* The BPMN 2.0 namespaces (OMG formal/2011-01-03). */
#define AB__BPMN_NS "http://www.omg.org/spec/BPMN/20100524/MODEL"
#define AB__BPMNDI_NS "http://www.omg.org/spec/BPMN/20100524/DI"

/* What an interned id names. */
typedef enum ab__bpmn_idtype {
    AB__ID_OTHER = 0,
    AB__ID_NODE,
    AB__ID_FLOW,
    AB__ID_PROCESS,
    AB__ID_LANE,
    AB__ID_PARTICIPANT,
    AB__ID_MESSAGE_FLOW,
    AB__ID_GLOBAL_TASK,
} ab__bpmn_idtype;

typedef struct ab__bpmn_idref {
    uint8_t type;   /* ab__bpmn_idtype of the first element with this id. */
    uint32_t index; /* Its index in the array of that type. */
} ab__bpmn_idref;

/* Where a node's incoming, outgoing and boundary lists start in links[]. */
typedef struct ab__bpmn_links {
    uint32_t in_off, in_count;
    uint32_t out_off, out_count;
    uint32_t bnd_off, bnd_count;
} ab__bpmn_links;

typedef struct ab__bpmn_ignored {
    const char *name; /* Element local name. */
    uint32_t count;
} ab__bpmn_ignored;

struct ab_bpmn {
    ab_ctx *ctx;
    ab__arena arena;           /* Strings, point arrays and link arrays. */
    const char *source;        /* Name given at read. */
    const char *defs_id;       /* id of <definitions>. */
    const char *exporter;      /* exporter attribute. */

    ab_bpmn_node *nodes;       /* Flow nodes, document order. */
    size_t node_cap;
    uint32_t node_count;
    ab__bpmn_links *links_of;  /* node -> its lists, node_count entries. */
    uint32_t *links;           /* Flow and boundary indices. */

    ab_bpmn_flow *flows;
    size_t flow_cap;
    uint32_t flow_count;

    ab_bpmn_process *procs;
    size_t proc_cap;
    uint32_t proc_count;

    ab_bpmn_lane *lanes;
    size_t lane_cap;
    uint32_t lane_count;

    ab_bpmn_message_flow *mflows;
    size_t mflow_cap;
    uint32_t mflow_count;

    ab_bpmn_global_task *gtasks;
    size_t gtask_cap;
    uint32_t gtask_count;

    ab_bpmn_shape *shapes;
    size_t shape_cap;
    uint32_t shape_count;

    ab_bpmn_edge *edges;
    size_t edge_cap;
    uint32_t edge_count;

    ab__bpmn_ignored *ignored; /* Sorted by name at the end of the read. */
    size_t ignored_cap;
    uint32_t ignored_count;

    ab_bpmn_issue *issues;
    size_t issue_cap;
    uint32_t issue_count;

    ab__strtab ids;            /* Every id seen. */
    ab__bpmn_idref *idrefs;    /* strtab id -> what it names. */
    size_t idref_cap;
};

/* Parses XML from in with the security rules of bpmn_xml.c; *out is a DOM
 * the caller frees with xmlFreeDoc. AB_EPARSE / AB_ELIMIT / AB_EIO / AB_ENOMEM. */
int ab__bpmn_parse_xml(xmlDocPtr *out, ab_ctx *ctx, ab_input *in, ab_error *err);

/* Adds a warning; what is copied. AB_ENOMEM only. */
int ab__bpmn_issue(ab_bpmn *m, ab_bpmn_issue_kind kind, const char *element_id, uint64_t line,
                   const char *fmt, ...) AB__PRINTF(5, 6);

/* Reachability checks: unreachable nodes and nodes that cannot reach an end. */
int ab__bpmn_check(ab_bpmn *m);

/* qsort that accepts an empty (NULL) array, which qsort itself does not. */
static inline void ab__bpmn_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1) {
        qsort(base, n, size, cmp);
    }
}

/* Looks an id up: AB_OK and *out, or AB_ENOTFOUND. */
int ab__bpmn_id_find(const ab_bpmn *m, const char *id, ab__bpmn_idref *out);

/* Whitespace-normalised copy of a name (line breaks and runs of space become
 * one space, trimmed) in the model's arena; NULL on out of memory. */
char *ab__bpmn_label_dup(ab__arena *a, const char *name);

#endif
