/*
 * asbuilt/who.h: who did the work, and who was allowed to. The inputs of the
 * resource perspective of the gap (roles of resources, lanes to roles,
 * segregation-of-duties pairs, system accounts), the four-eyes counts of a
 * log over segregation-of-duties pairs, and the handover-of-work network.
 * The definitions are in docs/metrics.md ("Who did the work").
 *
 * Thread-safety: the read-only objects (ab_sod_rules, ab_handover) may be
 * read from many threads once built.
 */
#ifndef ASBUILT_WHO_H
#define ASBUILT_WHO_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "log.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where the roles of the resource perspective come from, and what it checks. */
typedef struct ab_who_options {
    unsigned version;             /**< AB_WHO_OPTIONS_VERSION. */
    const char *roles_file;       /**< CSV `resource,role` lines (several lines = several
                                       roles), or NULL: roles come from the events. */
    const char *role_attr;        /**< The event attribute (CSV column) holding the role;
                                       NULL = `org:role`, else `role`, else `org:group`. */
    const char *role_map_file;    /**< CSV `lane,role` lines, or NULL. */
    const char *sod_file;         /**< Segregation-of-duties pairs `A,B`, or NULL. */
    const char *system_resources; /**< Comma-separated names or globs of system accounts,
                                       or NULL. */
} ab_who_options;

#define AB_WHO_OPTIONS_VERSION 1
#define AB_WHO_OPTIONS_INIT                                                                        \
    {                                                                                              \
        AB_WHO_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL                                       \
    }

/* ---- Segregation of duties ---- */

/** Pairs of steps one person must not both do, read from a file. */
typedef struct ab_sod_rules ab_sod_rules;

/**
 * Reads a segregation-of-duties file: one pair `A,B` per line (activity
 * names as in the log; `*` and other fnmatch globs match names; fields may
 * be double-quoted; ';' or TAB may replace ','; `#` starts a comment).
 * AB_EIO (unreadable), AB_EPARSE (a line
 * without two names, with the file and line in err), AB_ENOMEM.
 */
AB_API int ab_sod_read(ab_sod_rules **out, ab_ctx *ctx, const char *path, ab_error *err);
AB_API void ab_sod_destroy(ab_sod_rules *rules);
AB_API uint32_t ab_sod_rule_count(const ab_sod_rules *rules);
/** The rule's text as written, "A,B". */
AB_API const char *ab_sod_rule_text(const ab_sod_rules *rules, uint32_t index);

/** One concrete pair of distinct activities over a log, with its four-eyes counts. */
typedef struct ab_sod_pair {
    const char *a, *b;      /**< Activity names: a matched the rule's first pattern. */
    uint32_t a_id, b_id;    /**< Their ids in the log. */
    uint32_t rule;          /**< The first rule that named the pair. */
    uint64_t with_both;     /**< Cases with an event of a and an event of b (events
                                 with a resource). */
    uint64_t same_resource; /**< Cases where one resource did an event of a and one of b. */
} ab_sod_pair;

/** The concrete pairs of a log and their counts. */
typedef struct ab_sod_counts ab_sod_counts;

/**
 * Expands the rules over the log's activities and counts, per concrete
 * pair, the cases with both steps and the cases where one resource did both
 * (events without a resource are left out of both, as PM4Py leaves them out
 * before its four-eyes filter). Every event of the
 * log counts (the lifecycle filter of the read applies). A pair of distinct
 * activities is listed once, in the orientation of the first rule that
 * names it (rules in file order; a rule that names both orientations, such
 * as `*,*`, gives the one whose first name is smaller in byte order).
 */
AB_API int ab_sod_count(ab_sod_counts **out, ab_ctx *ctx, const ab_sod_rules *rules,
                        const ab_log *log, ab_error *err);
AB_API void ab_sod_counts_destroy(ab_sod_counts *counts);
/** Pairs in expansion order. */
AB_API uint32_t ab_sod_pair_count(const ab_sod_counts *counts);
AB_API const ab_sod_pair *ab_sod_pair_at(const ab_sod_counts *counts, uint32_t index);

/* ---- Handover of work ---- */

/** One directed pair of resources. */
typedef struct ab_handover_pair {
    const char *from, *to;
    uint64_t count; /**< Directly consecutive events of a case: from, then to. */
} ab_handover_pair;

typedef struct ab_handover ab_handover;

/**
 * The handover-of-work network: for every case, its events without a
 * resource are left out, and each pair of directly consecutive events
 * (in the log's event order) counts for (resource of the first, resource of
 * the second), self-pairs included. Pairs are sorted by count (descending),
 * then by names (byte order).
 */
AB_API int ab_handover_compute(ab_handover **out, ab_ctx *ctx, const ab_log *log, ab_error *err);
AB_API void ab_handover_destroy(ab_handover *h);
/** Consecutive pairs in all: the denominator of the normalised values. */
AB_API uint64_t ab_handover_total(const ab_handover *h);
AB_API uint32_t ab_handover_pair_count(const ab_handover *h);
AB_API const ab_handover_pair *ab_handover_pair_at(const ab_handover *h, uint32_t index);
/** The network as JSON, CSV (from,to,count,value) or Graphviz dot. */
AB_API int ab_handover_write_json(const ab_handover *h, ab_buf *buf, ab_ctx *ctx);
AB_API int ab_handover_write_csv(const ab_handover *h, ab_buf *buf, ab_ctx *ctx);
AB_API int ab_handover_write_dot(const ab_handover *h, ab_buf *buf, ab_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
