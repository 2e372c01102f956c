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

/**
 * A point in time: microseconds since 1970-01-01T00:00:00Z, always UTC.
 * AB_TIME_NONE marks a missing value.
 */
typedef int64_t ab_time;
#define AB_TIME_NONE INT64_MIN

#endif
