/*
 * asbuilt/ingest.h: reading one log from one or more files whatever their
 * format. The format is told by content (an XML document is XES, anything
 * else is CSV; gzip by its magic bytes), so names and extensions never
 * mislead. Several files form one log: a case may span files.
 *
 * Thread-safety: one call reads on the calling thread (plus, for gzip
 * input, one inflate thread of its own that never calls back into the
 * caller's allocator or hooks).
 */
#ifndef ASBUILT_INGEST_H
#define ASBUILT_INGEST_H

#include "csv.h"
#include "log.h"
#include "xes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ab_read_options {
    unsigned version;     /**< AB_READ_OPTIONS_VERSION. */
    ab_log_options log;   /**< Lifecycle filter, strictness, attributes. */
    ab_xes_options xes;   /**< For XES inputs. */
    ab_csv_options csv;   /**< For CSV inputs. */
    /** Called after each MiB of input with bytes read and file size (0 if unknown); may be NULL. */
    void (*progress)(const char *name, uint64_t done, uint64_t total, void *payload);
    void *progress_payload;
    /**
     * Non-zero (the default): gzip input is inflated on a background thread
     * while the calling thread parses, when more than one core is online.
     * The log, the errors and the progress calls are the same either way.
     */
    int inflate_thread;
} ab_read_options;

/*
 * Version 2 holds ab_csv_options version 2. Version 1 callers (built with
 * ab_csv_options version 1 inside, a shorter structure) are still accepted.
 */
#define AB_READ_OPTIONS_VERSION 2
#define AB_READ_OPTIONS_INIT                                                                       \
    {AB_READ_OPTIONS_VERSION, AB_LOG_OPTIONS_INIT, AB_XES_OPTIONS_INIT, AB_CSV_OPTIONS_INIT, 0, 0, \
     1}

/** The formats ab_ingest_detect can tell. */
typedef enum ab_format { AB_FORMAT_CSV = 0, AB_FORMAT_XES = 1 } ab_format;

/** Tells XES from CSV by the first bytes of the uncompressed input. */
AB_API ab_format ab_ingest_detect(const void *data, size_t len);

/**
 * Reads one opened input into the builder, dispatching on its content.
 * Error codes as for ab_xes_read and ab_csv_read.
 */
AB_API int ab_ingest_input(ab_log_builder *b, ab_input *in, const ab_read_options *opts,
                           ab_error *err);

/**
 * Reads paths[0..count) ("-" = stdin) as one log. On success *out is a
 * finished log; on failure nothing is returned and err says which file,
 * where, and what was expected: AB_EIO (missing or unreadable file),
 * AB_EPARSE (bad data), AB_ELIMIT, AB_ENOTFOUND (a column or classifier),
 * AB_ENOMEM.
 */
AB_API int ab_ingest_files(ab_log **out, ab_ctx *ctx, const char *const *paths, size_t count,
                           const ab_read_options *opts, ab_error *err);

#ifdef __cplusplus
}
#endif

#endif
