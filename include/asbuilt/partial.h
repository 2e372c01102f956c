/*
 * asbuilt/partial.h: mergeable partials. A partial is a versioned, checksummed
 * binary file (or buffer) holding the cases of a log as the engine keeps them
 * after reading: the activity table, the variants with their cases, per event
 * the times, resource, lifecycle transition and every other attribute, the
 * case and log attributes, the data-quality counts and the reading facts.
 * Reading several partials (and logs) into one builder gives the log that one
 * read of all their inputs gives; a case whose events are spread over several
 * partials is completed by the merge.
 *
 * Layout (all integers little-endian; "varint" is unsigned LEB128):
 *   bytes 0-7    magic AB_PARTIAL_MAGIC: 0x89 'A' 'B' 'P' 'A' 'R' 'T' '\n'
 *   bytes 8-11   format version (AB_PARTIAL_VERSION)
 *   bytes 12-15  flags (0)
 *   bytes 16-23  options fingerprint (ab_partial_options_fingerprint)
 *   bytes 24-31  body length N
 *   bytes 32-39  cases; 40-47 events (for the reader's checks and sizing)
 *   bytes 48..48+N-1  the body: sections (see engine/partial/partial_int.h)
 *   last 4 bytes CRC-32 (ISO-HDLC, as gzip) of every byte before it
 *
 * The hash that routes cases to ranks is ab_partial_case_hash: FNV-1a,
 * 64-bit, over the bytes of the case id. It is part of the format's contract
 * and never changes within a major version.
 *
 * Thread-safety: functions that take a ctx use it only; an ab_partial is
 * immutable after it is opened and may be read from several threads.
 */
#ifndef ASBUILT_PARTIAL_H
#define ASBUILT_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "ingest.h"
#include "log.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The first bytes of every partial. */
#define AB_PARTIAL_MAGIC                                                                           \
    "\x89"                                                                                         \
    "ABPART\n"
#define AB_PARTIAL_MAGIC_LEN 8
/** The format version this library writes and reads. */
#define AB_PARTIAL_VERSION 1

/** A partial read into memory and validated. */
typedef struct ab_partial ab_partial;

/** The 64-bit FNV-1a hash of a case id (offset basis 14695981039346656037, prime 1099511628211). */
AB_API uint64_t ab_partial_case_hash(const char *case_id, size_t len);

/** The rank that owns a case among ranks (> 0): ab_partial_case_hash(...) % ranks. */
AB_API uint32_t ab_partial_case_rank(const char *case_id, size_t len, uint32_t ranks);

/** Non-zero when data starts with AB_PARTIAL_MAGIC (len may be shorter than a header). */
AB_API int ab_partial_detect(const void *data, size_t len);

/**
 * Appends to out the text of the reading options that change what is read
 * (lifecycle filter, attributes kept, XES classifier, CSV delimiter and column
 * choices, timestamp format, zone), e.g. "lifecycle=all attributes=1
 * classifier=concept:name delimiter=auto case=auto ... tz=UTC": words
 * key=value, a chosen CSV column as "col:NAME", with space, '%' and '='
 * escaped as %XX. Options that only change speed,
 * progress or strictness are left out. AB_OK or AB_ENOMEM.
 */
AB_API int ab_partial_options_text(ab_buf *out, ab_ctx *ctx, const ab_read_options *ro);

/** FNV-1a 64 of ab_partial_options_text; ro NULL = AB_READ_OPTIONS_INIT. AB_OK or AB_ENOMEM. */
AB_API int ab_partial_options_fingerprint(ab_ctx *ctx, const ab_read_options *ro, uint64_t *out);

/** Chooses the cases to write: non-zero keeps case_index of log. */
typedef int (*ab_partial_case_filter)(const ab_log *log, uint32_t case_index, void *payload);

/**
 * Appends the partial of log to out: all its cases when keep is NULL, else
 * those for which keep answers non-zero (e.g. the cases whose
 * ab_partial_case_rank is r). ro is the options the log was read with (NULL =
 * defaults); they are stored as text and fingerprint. The log's data quality,
 * facts and log attributes are written only when keep is NULL (the whole
 * log): with a filter, give them to one partial of the log with
 * ab_partial_write_cases, so that merged counts are not summed twice.
 * AB_OK, AB_ENOMEM, AB_ELIMIT (a count past the format's 32-bit fields).
 */
AB_API int ab_partial_write(ab_buf *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                            ab_partial_case_filter keep, void *payload, ab_error *err);

/**
 * Appends the partial of the listed cases (indices of log, any order, each at
 * most once; written in the order given). quality non-zero also writes the
 * log's data quality, facts and log attributes: give it to exactly one of the
 * partials of a log that are merged later, so that counts are not summed
 * twice. AB_OK, AB_EINVAL (an index out of range), AB_ENOMEM, AB_ELIMIT.
 */
AB_API int ab_partial_write_cases(ab_buf *out, ab_ctx *ctx, const ab_log *log,
                                  const ab_read_options *ro, const uint32_t *cases, size_t count,
                                  int quality, ab_error *err);

/**
 * Writes the partial of log (keep as in ab_partial_write) to the file
 * descriptor fd, retrying short writes. AB_EIO with errno's text in err.
 */
AB_API int ab_partial_write_fd(int fd, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                               ab_partial_case_filter keep, void *payload, ab_error *err);

/**
 * Validates and opens a partial in memory (the bytes are copied). Checks, in
 * this order: the magic, the version, the length (a truncated buffer is named
 * with the byte offset where data ends and how many bytes were expected), the
 * CRC-32, then every section's bounds and counts. name is used in messages.
 * AB_EPARSE with err naming name, the byte offset and what was expected;
 * AB_ENOMEM.
 */
AB_API int ab_partial_open_memory(ab_partial **out, ab_ctx *ctx, const void *data, size_t len,
                                  const char *name, ab_error *err);

/** ab_partial_open_memory on the whole content of a file (gzip is inflated). AB_EIO as well. */
AB_API int ab_partial_open_file(ab_partial **out, ab_ctx *ctx, const char *path, ab_error *err);

/** Frees a partial; NULL is accepted. */
AB_API void ab_partial_destroy(ab_partial *p);

/** What a partial holds. */
AB_API uint32_t ab_partial_case_count(const ab_partial *p);
AB_API uint64_t ab_partial_event_count(const ab_partial *p);
AB_API uint64_t ab_partial_fingerprint(const ab_partial *p);
/** The options text it was written with (NUL-terminated). */
AB_API const char *ab_partial_options(const ab_partial *p);

/**
 * Feeds every event, case attribute, log attribute, data-quality count and
 * fact of p into b, as a reader feeds a file: after the last feed,
 * ab_log_builder_finish gives the merged log. Events of one case keep their
 * order within p; a case met in several partials gets the events of each in
 * feed order (so equal timestamps keep the order of a time split fed in time
 * order). The first partial fed fixes the options fingerprint of b: a partial
 * with another fingerprint fails with AB_EPARSE, naming both option texts.
 */
AB_API int ab_partial_feed(ab_log_builder *b, const ab_partial *p, ab_error *err);

/**
 * Feeds the cases of a finished log (those keep accepts, all when NULL) into
 * b, as ab_partial_feed would feed their partial; with keep NULL the data
 * quality and facts as well. For merging a log read in this process with
 * partials received from elsewhere.
 */
AB_API int ab_partial_feed_log(ab_log_builder *b, const ab_log *log, ab_partial_case_filter keep,
                               void *payload, ab_error *err);

/**
 * Merges partials into one log: a builder with opts (NULL = defaults; the
 * lifecycle filter is not applied again), each partial fed in order, then
 * finished. AB_OK, AB_EPARSE (different fingerprints), AB_ENOMEM, AB_ELIMIT.
 */
AB_API int ab_partial_merge(ab_log **out, ab_ctx *ctx, const ab_partial *const *parts, size_t count,
                            const ab_log_options *opts, ab_error *err);

#ifdef __cplusplus
}
#endif

#endif
