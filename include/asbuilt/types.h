/*
 * asbuilt/types.h: every opaque handle of the public API, declared once, plus
 * the few scalar types that several modules share.
 *
 * Thread-safety: types only; see each module's header for its objects.
 */
#ifndef ASBUILT_TYPES_H
#define ASBUILT_TYPES_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define AB_API __attribute__((visibility("default")))
#else
#define AB_API
#endif

/** The context: allocator, limits and diagnostics. See core.h. */
typedef struct ab_ctx ab_ctx;
/** A byte stream over a plain file, a gzip file or stdin. See input.h. */
typedef struct ab_input ab_input;
/** A finished, immutable event log. See log.h. */
typedef struct ab_log ab_log;
/** The builder that readers feed, event by event. See log.h. */
typedef struct ab_log_builder ab_log_builder;
/** A loaded timezone (fixed offset or IANA rules). See time.h. */
typedef struct ab_tz ab_tz;
/** A directly-follows graph, and its one-pass accumulator. See discover.h. */
typedef struct ab_dfg ab_dfg;
typedef struct ab_dfg_acc ab_dfg_acc;
/** A documented map read from BPMN, and a task-to-activity mapping. See bpmn.h. */
typedef struct ab_bpmn ab_bpmn;
typedef struct ab_bpmn_mapping ab_bpmn_mapping;
/** A map compiled to a labelled workflow net. See net.h. */
typedef struct ab_net ab_net;
/** The alignments of a log against a net. See conform.h. */
typedef struct ab_conform ab_conform;
/** The Work Reality Gap of a log against a map. See gap.h. */
typedef struct ab_gap ab_gap;

/**
 * A point in time: microseconds since 1970-01-01T00:00:00Z, always UTC.
 * AB_TIME_NONE marks a missing value.
 */
typedef int64_t ab_time;
#define AB_TIME_NONE INT64_MIN

#endif
