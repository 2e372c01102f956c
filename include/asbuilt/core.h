/*
 * asbuilt/core.h: status codes, the error value, the context and caller-owned
 * buffers. Every other module takes an ab_ctx; nothing in asbuilt keeps global
 * state, except igraph's process-wide error handler (see ab_ctx_create).
 *
 * Thread-safety: a context is used by one thread at a time. Several contexts
 * may be used concurrently.
 */
#ifndef ASBUILT_CORE_H
#define ASBUILT_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. Functions that can fail return 0 (AB_OK) or one of these. */
typedef enum ab_status {
    AB_OK = 0,
    AB_ERROR = -1,     /**< An internal error: a bug, or a library that failed. */
    AB_ENOMEM = -2,    /**< The allocator returned NULL. */
    AB_EPARSE = -3,    /**< Bad input data; the error carries the position. */
    AB_EIO = -4,       /**< A file could not be opened, read or written. */
    AB_ELIMIT = -5,    /**< Input passed a limit set in ab_limits. */
    AB_ENOTFOUND = -6, /**< A named thing (column, classifier, key) is absent. */
    AB_EINVAL = -7,    /**< The caller passed an invalid argument. */
} ab_status;

/** The version of the headers a program is compiled with. */
#define AB_VERSION_MAJOR 0
#define AB_VERSION_MINOR 1
#define AB_VERSION_PATCH 0
#define AB_VERSION_STRING "0.1.0"
/** AB_VERSION_NUMBER is MAJOR * 10000 + MINOR * 100 + PATCH. */
#define AB_VERSION_NUMBER (AB_VERSION_MAJOR * 10000 + AB_VERSION_MINOR * 100 + AB_VERSION_PATCH)

/**
 * The version of the library that runs, "MAJOR.MINOR.PATCH": with a shared
 * library it may be newer than the headers the program was built with
 * (AB_VERSION_STRING). Never NULL.
 */
AB_API const char *ab_version(void);
/** The same as a number, MAJOR * 10000 + MINOR * 100 + PATCH. */
AB_API unsigned ab_version_number(void);

/** A short name for a status code ("parse error"). Never NULL. */
AB_API const char *ab_status_str(int code);

/**
 * Error detail, owned by the caller and passed last to functions that can fail
 * (NULL means the caller wants only the code). A function that fails fills it:
 * `code` is the status it returned and `msg` says why, out of memory included.
 * Positions are 1-based; 0 means unknown. `offset` is a byte offset in the
 * uncompressed input.
 */
typedef struct ab_error {
    int code;          /**< The ab_status of the failure. */
    char msg[512];     /**< What went wrong and what was expected. */
    char source[256];  /**< The file name, "<stdin>" or a module name. */
    uint64_t line;     /**< 1-based line in the uncompressed input, or 0. */
    uint64_t col;      /**< 1-based column (bytes), or 0. */
    uint64_t offset;   /**< 0-based byte offset in the uncompressed input. */
    int has_offset;    /**< Non-zero when `offset` is meaningful. */
} ab_error;

/** Resets an error to "no error". */
AB_API void ab_error_clear(ab_error *err);

/**
 * Formats an error as "source:line:col: msg" (fields that are unknown are left
 * out) into buf. Returns the length that the full text needs, like snprintf.
 */
AB_API size_t ab_error_format(const ab_error *err, char *buf, size_t cap);

/** Allocator hooks. All three are set, or all three are NULL for libc's. */
typedef struct ab_allocator {
    void *(*malloc_fn)(size_t size, void *payload);
    void *(*realloc_fn)(void *ptr, size_t size, void *payload);
    void (*free_fn)(void *ptr, void *payload);
    void *payload;
} ab_allocator;

/**
 * Ceilings on what input may ask of us. Passing one is AB_ELIMIT with the
 * position, never one more realloc. Zero means the default shown.
 */
typedef struct ab_limits {
    size_t max_field_len;    /**< Longest value or CSV field, bytes (16 MiB). */
    size_t max_attrs;        /**< Most attributes on one event or trace (4096). */
    size_t max_depth;        /**< Deepest XML nesting (256). */
    uint64_t max_events;     /**< Most events in one log (4,000,000,000). */
} ab_limits;

enum { AB_DIAG_DEBUG = 0, AB_DIAG_INFO = 1, AB_DIAG_WARN = 2 };

/** Receives warnings and progress notes; payload is the one given in options. */
typedef void (*ab_diag_fn)(int level, const char *msg, void *payload);

typedef struct ab_ctx_options {
    unsigned version;        /**< AB_CTX_OPTIONS_VERSION. */
    ab_allocator alloc;      /**< NULL hooks mean malloc/realloc/free. */
    ab_limits limits;        /**< Zero fields take the defaults. */
    ab_diag_fn diag;         /**< NULL drops diagnostics. */
    void *diag_payload;      /**< Passed to diag. */
} ab_ctx_options;

#define AB_CTX_OPTIONS_VERSION 1
#define AB_CTX_OPTIONS_INIT {AB_CTX_OPTIONS_VERSION, {0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0}

/**
 * Creates a context. opts may be NULL for the defaults. Also installs igraph's
 * "ignore" error handler (process-wide and idempotent: our single exception to
 * "no global state"), so that igraph returns codes instead of aborting.
 * Returns AB_OK, AB_EINVAL (bad version or partial allocator) or AB_ENOMEM.
 */
AB_API int ab_ctx_create(ab_ctx **out, const ab_ctx_options *opts);

/** Destroys a context; NULL is accepted. Objects made with it must be gone. */
AB_API void ab_ctx_destroy(ab_ctx *ctx);

/** The limits in force (defaults filled in). */
AB_API const ab_limits *ab_ctx_limits(const ab_ctx *ctx);

/** Sends a diagnostic through the context's callback, printf-style. */
AB_API void ab_ctx_diag(ab_ctx *ctx, int level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * A growable byte buffer that asbuilt fills and the caller releases with
 * ab_buf_dispose(). Zero-initialise it (AB_BUF_INIT) before first use.
 */
typedef struct ab_buf {
    char *ptr;     /**< NUL-terminated contents, or NULL when empty. */
    size_t len;    /**< Bytes used, excluding the terminating NUL. */
    size_t cap;    /**< Bytes allocated. */
    ab_ctx *ctx;   /**< The context that allocated ptr. */
} ab_buf;

#define AB_BUF_INIT {0, 0, 0, 0}

AB_API int ab_buf_append(ab_buf *buf, ab_ctx *ctx, const void *data, size_t len);
AB_API int ab_buf_printf(ab_buf *buf, ab_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/** Appends s[0..len) escaped for the inside of a JSON string (no quotes added). */
AB_API int ab_buf_append_json(ab_buf *buf, ab_ctx *ctx, const char *s, size_t len);
/** Appends the NUL-terminated s as a quoted JSON string, or `null` when s is NULL. */
AB_API int ab_buf_append_json_string(ab_buf *buf, ab_ctx *ctx, const char *s);
AB_API void ab_buf_dispose(ab_buf *buf);

/**
 * Writes data to path atomically: a temporary file beside the destination,
 * fsync, then rename over it. "-" (and "/dev/stdout", "/dev/stderr",
 * "/dev/fd/N" of an open descriptor) writes to that descriptor; a device or
 * a pipe is written in place. A symbolic link is written through, as cp
 * does: the file it names is replaced (created when the link dangles) and
 * the link stays. A replaced file keeps its permission bits. On failure
 * nothing is left at path (a previous file there is untouched). AB_EIO on
 * failure. The same as a set (below) of one file.
 */
AB_API int ab_write_file_atomic(const char *path, const void *data, size_t len, ab_error *err);

/**
 * A set of output files replaced together. ab_output_set_add writes each
 * regular file's data to a temporary file beside its destination (named
 * ".NAME.asbuilt-tmp.PID.XXXXXX") and flushes it; ab_output_set_commit then
 * writes the in-place outputs (stdout, devices, pipes) and renames every
 * temporary file over its destination, one right after the other, with
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT held back meanwhile. A failure before
 * the renames leaves every destination as it was; only a kill that cannot be
 * caught, landing within the renames, leaves some replaced and some not.
 * Destroying a set removes its temporary files that were not renamed.
 * Adding a destination also removes the temporary files that an earlier
 * process, now gone, left for it. Data handed to add must stay valid until
 * the set is committed or destroyed (in-place outputs are written at
 * commit). A set is used from one thread.
 */
typedef struct ab_output_set ab_output_set;

/** AB_OK or AB_ENOMEM. */
AB_API int ab_output_set_create(ab_output_set **out, ab_error *err);
/** Stages one output ("-" or NULL = stdout). AB_OK, AB_EIO (naming path), AB_ENOMEM. */
AB_API int ab_output_set_add(ab_output_set *set, const char *path, const void *data, size_t len,
                             ab_error *err);
/**
 * Makes an output's data piece by piece, so that a long one is never held
 * whole: appends the next piece to out (empty on each call) and sets *done
 * with the last. Returns AB_OK, or a status with err set, which stops the
 * output (the destination stays as it was).
 */
typedef int (*ab_output_writer)(void *payload, ab_buf *out, int *done, ab_error *err);

/**
 * Stages one output as ab_output_set_add does, its data from writer: a
 * regular file's temporary file is written now, piece after piece; an
 * in-place output (stdout, a device, a pipe) calls writer at commit, so
 * payload must stay valid until then. AB_OK, AB_EIO (naming path),
 * AB_ENOMEM, or the writer's status.
 */
AB_API int ab_output_set_add_writer(ab_output_set *set, const char *path, ab_output_writer writer,
                                    void *payload, ab_error *err);
/** Writes the set out; once per set. AB_OK or AB_EIO naming the output that failed. */
AB_API int ab_output_set_commit(ab_output_set *set, ab_error *err);
/** Removes the temporary files not yet renamed and frees the set; NULL is accepted. */
AB_API void ab_output_set_destroy(ab_output_set *set);

/**
 * Unlinks the temporary files of every set of the process not yet renamed.
 * Async-signal-safe: a SIGINT or SIGTERM handler calls it, then re-raises
 * the signal with its default action.
 */
AB_API void ab_output_signal_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif
