/*
 * asbuilt/xes.h: the streaming XES reader (IEEE 1849-2016). A libxml2 SAX2
 * push parser fed in large chunks turns each <event> into one ab_event_in for
 * a log builder; memory grows with one trace, not with the file. Every
 * attribute type (string, date, int, float, boolean, id, list, container) on
 * log, trace and event is kept; globals, classifiers and extensions are
 * understood. No DTD is loaded, no external entity resolved, no network
 * used, and a DOCTYPE that declares entities is refused.
 *
 * Thread-safety: one call reads one input on the calling thread.
 */
#ifndef ASBUILT_XES_H
#define ASBUILT_XES_H

#include "input.h"
#include "log.h"
#include "time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ab_xes_options {
    unsigned version;        /**< AB_XES_OPTIONS_VERSION. */
    const char *classifier;  /**< Classifier name from the log header, or a space-separated
                                  list of keys; NULL = concept:name. AB_ENOTFOUND if unknown. */
} ab_xes_options;

#define AB_XES_OPTIONS_VERSION 1
#define AB_XES_OPTIONS_INIT {AB_XES_OPTIONS_VERSION, 0}

/**
 * Reads one XES document from in and feeds its events to b. A trace without
 * concept:name gets the case id "#N", N = its 1-based number among all the
 * traces read into the builder (several files of one log never share one).
 * Returns AB_OK, AB_EPARSE (malformed XML, invalid UTF-8, refused DOCTYPE,
 * bad typed value; err has file, line, column and byte offset), AB_ELIMIT
 * (nesting or size past ab_limits), AB_EIO, AB_ENOMEM, or AB_ENOTFOUND for
 * an unknown classifier. On failure the builder keeps what was fed; the
 * caller destroys it.
 */
AB_API int ab_xes_read(ab_log_builder *b, ab_input *in, const ab_xes_options *opts,
                       ab_error *err);

/** Non-zero when the first bytes look like an XML document (BOM, <?xml or <log). */
AB_API int ab_xes_detect(const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
