/*
 * asbuilt/input.h: a byte stream over a plain file, a gzip file (detected by
 * its magic bytes, inflated with zlib in large buffers, concatenated members
 * included), stdin ("-") or memory. Readers pull uncompressed bytes from it.
 *
 * Thread-safety: an ab_input is used by one thread at a time.
 */
#ifndef ASBUILT_INPUT_H
#define ASBUILT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opens path ("-" = stdin). Reads the first bytes to detect gzip. On failure
 * returns AB_EIO (missing or unreadable file, named in err) or AB_ENOMEM.
 */
AB_API int ab_input_open(ab_input **out, ab_ctx *ctx, const char *path, ab_error *err);

/**
 * Wraps memory the caller keeps alive until ab_input_destroy; gzip data is
 * inflated as for a file. name appears in error messages.
 */
AB_API int ab_input_open_memory(ab_input **out, ab_ctx *ctx, const void *data, size_t len,
                                const char *name, ab_error *err);

/** Closes the stream; NULL is accepted. */
AB_API void ab_input_destroy(ab_input *in);

/**
 * Reads up to cap uncompressed bytes into buf. Returns the number read,
 * 0 at the end, or a negative ab_status: AB_EPARSE for a corrupt or truncated
 * gzip stream (err names the compressed byte offset), AB_EIO for a read error.
 */
AB_API ptrdiff_t ab_input_read(ab_input *in, void *buf, size_t cap, ab_error *err);

/**
 * Makes the first uncompressed bytes (up to 64 KiB, fewer if the input is
 * shorter) visible without consuming them: *data_out stays valid until the
 * next read. Used to tell XES from CSV and to sniff CSV dialects.
 */
AB_API int ab_input_peek(ab_input *in, const void **data_out, size_t *len_out, ab_error *err);

/**
 * Calls fn(name, raw bytes read, raw size or 0, payload) after each raw block
 * (1 MiB) is read, for progress displays. fn may be NULL to stop.
 */
AB_API void ab_input_set_progress(ab_input *in,
                                  void (*fn)(const char *name, uint64_t done, uint64_t total,
                                             void *payload),
                                  void *payload);

/** The name given at open ("<stdin>" for "-"). */
AB_API const char *ab_input_name(const ab_input *in);
/** Non-zero when the stream is gzip-compressed. */
AB_API int ab_input_is_gzip(const ab_input *in);
/** Uncompressed bytes handed out so far. */
AB_API uint64_t ab_input_offset(const ab_input *in);
/** Compressed (raw) bytes read from the file so far. */
AB_API uint64_t ab_input_raw_offset(const ab_input *in);
/** Size of the underlying file in bytes, or 0 when unknown (stdin, pipes). */
AB_API uint64_t ab_input_raw_size(const ab_input *in);

#ifdef __cplusplus
}
#endif

#endif
