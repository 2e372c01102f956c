/*
 * core/input.c: byte streams for the readers. A file, stdin or memory is
 * read in 1 MiB blocks; gzip is recognised by its magic bytes (1f 8b), not
 * by the name, and inflated into the caller's buffer: by ISA-L's
 * isal_inflate() when the build has it (2.5 times zlib's speed on logs), by
 * zlib's inflate() otherwise or when the context asks for zlib.
 * Concatenated gzip members are read as one stream. A stream that ends
 * before the gzip trailer is a truncated file (AB_EPARSE), not a short log.
 * On request, inflate runs on a background thread that fills a ring of
 * 1 MiB buffers ahead of the reader, so that parsing and inflating overlap
 * on two cores; the bytes and the errors the reader sees are the same.
 */
#include "core/core_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#ifdef AB_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "asbuilt/input.h"

#define RAW_BLOCK (1u << 20)
#define PEEK_MAX (64u * 1024u)
#define BG_SLOTS 4            /* Buffers in the background ring. */
#define BG_SLOT (1u << 20)    /* Bytes per buffer: large enough to amortise the hand-over. */

/* One buffer of the background ring. */
typedef struct bg_slot {
    unsigned char *data;  /* BG_SLOT bytes. */
    size_t len;           /* Valid bytes. */
    uint64_t raw_offset;  /* Compressed bytes consumed once it was filled. */
    uint64_t raw_read;    /* Compressed bytes read from the file by then (for progress). */
} bg_slot;

/*
 * The producer (the background thread) owns everything about the source:
 * raw, z, raw_* and produced. The consumer owns peek, offset and the slot
 * it is reading. The mutex guards the ring indices and the end state only.
 */
typedef struct bg_ring {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;        /* Signalled on any change of filled, done or stop. */
    bg_slot slots[BG_SLOTS];
    unsigned filled;          /* Slots ready or being read by the consumer. */
    unsigned head;            /* The slot the consumer reads. */
    unsigned tail;            /* The slot the producer fills next. */
    size_t pos;               /* Consumer position in slots[head]. */
    int done;                 /* The producer has stopped (end of input or error). */
    int status;               /* Then: AB_OK, or the failing status. */
    ab_error err;             /* The producer's error. */
    int stop;                 /* The consumer is closing: the producer must stop. */
    uint64_t raw_offset;      /* Consumer's view of ab_input_raw_offset. */
} bg_ring;

struct ab_input {
    ab_ctx *ctx;
    char name[256];          /* For messages. */
    int fd;                  /* -1 for memory input. */
    int own_fd;              /* Close fd at destroy. */
    const unsigned char *mem;/* Memory input, or NULL. */
    size_t mem_len;
    size_t mem_pos;
    unsigned char *raw;      /* Raw (compressed or plain) block buffer. */
    size_t raw_len;          /* Valid bytes in raw. */
    size_t raw_pos;          /* Consumed bytes in raw. */
    int raw_eof;             /* The source has no more bytes. */
    uint64_t raw_offset;     /* Raw bytes consumed from the source. */
    uint64_t raw_size;       /* File size, 0 if unknown. */
    int gzip;                /* The stream is gzip. */
    int z_live;              /* inflateInit2 done. */
    int z_member_done;       /* The last member ended with Z_STREAM_END. */
    z_stream z;
#ifdef AB_HAVE_ISAL
    struct inflate_state *isal; /* ISA-L's inflater; NULL when zlib's is used. */
    int hdr_pending;            /* ISA-L: the member's gzip header is still to be read. */
#endif
    unsigned char *peek;     /* Peeked uncompressed bytes not yet handed out. */
    size_t peek_len;
    size_t peek_pos;
    uint64_t offset;         /* Uncompressed bytes handed out. */
    uint64_t produced;       /* Uncompressed bytes produced by the source (peeked ones too). */
    void (*progress)(const char *, uint64_t, uint64_t, void *); /* Progress hook, or NULL. */
    void *progress_payload;
    uint64_t raw_read;       /* Raw bytes read from the source (for progress). */
    int quiet_progress;      /* The producer thread reads: progress is reported by the reader. */
    bg_ring *bg;             /* Background inflate, or NULL. */
};

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    ab_ctx *ctx = opaque;
    return ab__calloc(ctx, items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    ab__free((ab_ctx *)opaque, p);
}

/* Refills raw when empty. Returns bytes available, 0 at end, or AB_EIO. */
static ptrdiff_t raw_fill(ab_input *in, ab_error *err)
{
    if (in->raw_pos < in->raw_len) {
        return (ptrdiff_t)(in->raw_len - in->raw_pos);
    }
    if (in->raw_eof) {
        return 0;
    }
    in->raw_pos = in->raw_len = 0;
    if (in->mem != NULL || in->fd < 0) {
        size_t n = in->mem_len - in->mem_pos;
        if (n > RAW_BLOCK) {
            n = RAW_BLOCK;
        }
        memcpy(in->raw, in->mem + in->mem_pos, n);
        in->mem_pos += n;
        in->raw_len = n;
        if (n == 0) {
            in->raw_eof = 1;
        }
        return (ptrdiff_t)n;
    }
    for (;;) {
        ssize_t n = read(in->fd, in->raw, RAW_BLOCK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return ab__error(err, AB_EIO, in->name, 0, 0, "read failed: %s", strerror(errno));
        }
        if (n == 0) {
            in->raw_eof = 1;
        }
        in->raw_len = (size_t)n;
        in->raw_read += (uint64_t)n;
        if (in->progress != NULL && n > 0 && !in->quiet_progress) {
            in->progress(in->name, in->raw_read, in->raw_size, in->progress_payload);
        }
        return n;
    }
}

static int detect(ab_input *in, ab_error *err)
{
    /* Gather at least two bytes (a pipe may deliver one at a time). */
    while (in->raw_len - in->raw_pos < 2 && !in->raw_eof) {
        if (in->raw_pos == in->raw_len) {
            ptrdiff_t n = raw_fill(in, err);
            if (n < 0) {
                return (int)n;
            }
            continue;
        }
        /* One byte buffered: move it to the front and read more after it. */
        in->raw[0] = in->raw[in->raw_pos];
        in->raw_len = 1;
        in->raw_pos = 0;
        ssize_t n;
        if (in->fd >= 0) {
            do {
                n = read(in->fd, in->raw + 1, RAW_BLOCK - 1);
            } while (n < 0 && errno == EINTR);
            if (n < 0) {
                return ab__error(err, AB_EIO, in->name, 0, 0, "read failed: %s", strerror(errno));
            }
        } else {
            n = (ssize_t)(in->mem_len - in->mem_pos);
            if (n > (ssize_t)RAW_BLOCK - 1) {
                n = RAW_BLOCK - 1;
            }
            memcpy(in->raw + 1, in->mem + in->mem_pos, (size_t)n);
            in->mem_pos += (size_t)n;
        }
        if (n == 0) {
            in->raw_eof = 1;
        }
        in->raw_len += (size_t)n;
    }
    if (in->raw_len - in->raw_pos >= 2 && in->raw[in->raw_pos] == 0x1f &&
        in->raw[in->raw_pos + 1] == 0x8b) {
        in->gzip = 1;
#ifdef AB_HAVE_ISAL
        if (!in->ctx->zlib_inflate) {
            in->isal = ab__malloc(in->ctx, sizeof(*in->isal));
            if (in->isal == NULL) {
                return ab__error(err, AB_ENOMEM, in->name, 0, 0, "out of memory");
            }
            isal_inflate_init(in->isal);
            in->isal->crc_flag = ISAL_GZIP_NO_HDR_VER; /* member_header reads the header. */
            in->hdr_pending = 1;
            return AB_OK;
        }
#endif
        memset(&in->z, 0, sizeof(in->z));
        in->z.zalloc = z_alloc;
        in->z.zfree = z_free;
        in->z.opaque = in->ctx;
        if (inflateInit2(&in->z, 15 + 16) != Z_OK) {
            return ab__error(err, AB_ENOMEM, in->name, 0, 0, "cannot initialise zlib");
        }
        in->z_live = 1;
    }
    return AB_OK;
}

static int input_new(ab_input **out, ab_ctx *ctx, const char *name, ab_error *err)
{
    ab_input *in = ab__calloc(ctx, 1, sizeof(*in));
    if (in == NULL) {
        return ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
    }
    in->ctx = ctx;
    in->fd = -1;
    snprintf(in->name, sizeof(in->name), "%s", name);
    in->raw = ab__malloc(ctx, RAW_BLOCK);
    if (in->raw == NULL) {
        ab__free(ctx, in);
        return ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
    }
    *out = in;
    return AB_OK;
}

int ab_input_open(ab_input **out, ab_ctx *ctx, const char *path, ab_error *err)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    int fd = 0;
    if (!is_stdin) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return ab__error(err, AB_EIO, name, 0, 0, "cannot open: %s", strerror(errno));
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(fd);
            return ab__error(err, AB_EIO, name, 0, 0, "is a directory, expected a log file");
        }
    }
    ab_input *in = NULL; /* Set by input_new on success; -O3 cannot see that through ab__error. */
    int rc = input_new(&in, ctx, name, err);
    if (rc != AB_OK) {
        if (!is_stdin) {
            close(fd);
        }
        return rc;
    }
    in->fd = fd;
    in->own_fd = !is_stdin;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in->raw_size = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    rc = detect(in, err);
    if (rc != AB_OK) {
        ab_input_destroy(in);
        return rc;
    }
    *out = in;
    return AB_OK;
}

int ab_input_open_memory(ab_input **out, ab_ctx *ctx, const void *data, size_t len,
                         const char *name, ab_error *err)
{
    *out = NULL;
    ab_input *in = NULL;
    int rc = input_new(&in, ctx, name != NULL ? name : "<memory>", err);
    if (rc != AB_OK) {
        return rc;
    }
    in->mem = data != NULL ? data : (const unsigned char *)"";
    in->mem_len = len;
    in->raw_size = len;
    rc = detect(in, err);
    if (rc != AB_OK) {
        ab_input_destroy(in);
        return rc;
    }
    *out = in;
    return AB_OK;
}

static void bg_stop(ab_input *in);

void ab_input_destroy(ab_input *in)
{
    if (in == NULL) {
        return;
    }
    bg_stop(in);
    if (in->z_live) {
        inflateEnd(&in->z);
    }
#ifdef AB_HAVE_ISAL
    ab__free(in->ctx, in->isal);
#endif
    if (in->own_fd && in->fd >= 0) {
        close(in->fd);
    }
    ab__free(in->ctx, in->raw);
    ab__free(in->ctx, in->peek);
    ab__free(in->ctx, in);
}

#ifdef AB_HAVE_ISAL
static const char *isal_why(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: return "incorrect data check (CRC-32 or length)";
    default: return "inflate failed";
    }
}
#endif

/*
 * Runs the inflater once on the avail raw bytes at raw_pos, writing at most
 * cap bytes to out. Sets *got to the bytes written and z_member_done at the
 * end of a gzip member. On corrupt data returns AB_EPARSE with *why set.
 */
static int inflate_once(ab_input *in, size_t avail, unsigned char *out, size_t cap, size_t *got,
                        const char **why)
{
    size_t left_in, left_out;
    int rc = AB_OK;
#ifdef AB_HAVE_ISAL
    if (in->isal != NULL) {
        struct inflate_state *s = in->isal;
        s->next_in = in->raw + in->raw_pos;
        s->avail_in = (uint32_t)avail;
        s->next_out = out;
        s->avail_out = (uint32_t)cap;
        int r = isal_inflate(s);
        left_in = s->avail_in;
        left_out = s->avail_out;
        if (r < 0) {
            *why = isal_why(r);
            rc = AB_EPARSE;
        } else if (s->block_state == ISAL_BLOCK_FINISH) {
            in->z_member_done = 1;
        }
        goto consumed;
    }
#endif
    in->z.next_in = in->raw + in->raw_pos;
    in->z.avail_in = (uInt)avail;
    in->z.next_out = out;
    in->z.avail_out = (uInt)cap;
    int zr = inflate(&in->z, Z_NO_FLUSH);
    left_in = in->z.avail_in;
    left_out = in->z.avail_out;
    if (zr == Z_STREAM_END) {
        in->z_member_done = 1;
    } else if (zr == Z_MEM_ERROR) {
        rc = AB_ENOMEM;
    } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
        *why = in->z.msg != NULL ? in->z.msg : "inflate failed";
        rc = AB_EPARSE;
    }
#ifdef AB_HAVE_ISAL
consumed:
#endif
    in->raw_pos += avail - left_in;
    in->raw_offset += avail - left_in;
    *got = cap - left_out;
    return rc;
}

/* Starts the next member of a concatenated gzip stream. */
static void inflate_restart(ab_input *in)
{
#ifdef AB_HAVE_ISAL
    if (in->isal != NULL) {
        isal_inflate_reset(in->isal);
        in->isal->crc_flag = ISAL_GZIP_NO_HDR_VER;
        in->hdr_pending = 1;
        in->z_member_done = 0;
        return;
    }
#endif
    inflateReset(&in->z);
    in->z_member_done = 0;
}

static int gz_truncated(ab_input *in, ab_error *err)
{
    int rc = ab__error(err, AB_EPARSE, in->name, 0, 0,
                       "truncated gzip stream: the file ends before the gzip trailer "
                       "(compressed byte %llu)",
                       (unsigned long long)in->raw_offset);
    ab__error_offset(err, in->produced);
    return rc;
}

static int gz_corrupt(ab_input *in, size_t got, const char *why, ab_error *err)
{
    int rc = ab__error(err, AB_EPARSE, in->name, 0, 0,
                       "corrupt gzip data at compressed byte %llu: %s",
                       (unsigned long long)in->raw_offset, why);
    ab__error_offset(err, in->produced + got);
    return rc;
}

#ifdef AB_HAVE_ISAL
/*
 * Consumes up to n raw bytes (n = SIZE_MAX with until_nul: through the first
 * NUL) into the running header CRC; the bytes may span raw blocks. AB_OK, a
 * truncation error, or AB_EIO. With copy, the first bytes also go there.
 */
static int hdr_take(ab_input *in, size_t n, int until_nul, uLong *crc, unsigned char *copy,
                    ab_error *err)
{
    size_t done = 0;
    while (done < n) {
        ptrdiff_t avail = raw_fill(in, err);
        if (avail < 0) {
            return (int)avail;
        }
        if (avail == 0) {
            return gz_truncated(in, err);
        }
        const unsigned char *p = in->raw + in->raw_pos;
        size_t k = (size_t)avail < n - done ? (size_t)avail : n - done;
        int found = 0;
        if (until_nul) {
            const unsigned char *z = memchr(p, 0, k);
            if (z != NULL) {
                k = (size_t)(z - p) + 1;
                found = 1;
            }
        }
        if (copy != NULL) {
            memcpy(copy + done, p, k);
        }
        *crc = crc32(*crc, p, (uInt)k);
        in->raw_pos += k;
        in->raw_offset += k;
        done += k;
        if (found) {
            break;
        }
    }
    return AB_OK;
}

/*
 * The gzip header (RFC 1952) of a member, read here rather than by ISA-L so
 * that it may arrive in any number of reads and is checked as zlib checks it;
 * ISA-L then inflates the deflate data and checks the trailer.
 */
static int member_header(ab_input *in, ab_error *err)
{
    unsigned char h[10], x[2];
    uLong crc = crc32(0L, Z_NULL, 0);
    int rc = AB_OK;
    /* The fixed part byte by byte, so that a bad byte is named where it is. */
    for (int i = 0; i < 4; i++) {
        AB_TRY(hdr_take(in, 1, 0, &crc, h + i, err));
        if ((i == 0 && h[0] != 0x1f) || (i == 1 && h[1] != 0x8b)) {
            return gz_corrupt(in, 0, "incorrect header check", err);
        }
        if (i == 2 && h[2] != 8) {
            return gz_corrupt(in, 0, "unknown compression method", err);
        }
        if (i == 3 && (h[3] & 0xe0)) {
            return gz_corrupt(in, 0, "unknown header flags set", err);
        }
    }
    AB_TRY(hdr_take(in, 6, 0, &crc, h + 4, err)); /* MTIME, XFL, OS. */
    if (h[3] & 4) { /* FEXTRA */
        AB_TRY(hdr_take(in, 2, 0, &crc, x, err));
        AB_TRY(hdr_take(in, (size_t)x[0] | (size_t)x[1] << 8, 0, &crc, NULL, err));
    }
    if (h[3] & 8) { /* FNAME */
        AB_TRY(hdr_take(in, SIZE_MAX, 1, &crc, NULL, err));
    }
    if (h[3] & 16) { /* FCOMMENT */
        AB_TRY(hdr_take(in, SIZE_MAX, 1, &crc, NULL, err));
    }
    if (h[3] & 2) { /* FHCRC: the low 16 bits of the CRC-32 of the header so far. */
        uLong before = crc;
        AB_TRY(hdr_take(in, 2, 0, &crc, x, err));
        if (((unsigned)x[0] | (unsigned)x[1] << 8) != (before & 0xffff)) {
            return gz_corrupt(in, 0, "header crc mismatch", err);
        }
    }
done:
    return rc;
}
#endif

static ptrdiff_t gz_read(ab_input *in, unsigned char *buf, size_t cap, ab_error *err)
{
    if (cap > UINT32_MAX) {
        cap = UINT32_MAX;
    }
    size_t got = 0;
    while (got == 0) {
        ptrdiff_t avail = raw_fill(in, err);
        if (avail < 0) {
            return avail;
        }
        if (avail == 0) {
            if (in->z_member_done) {
                return 0;
            }
#ifdef AB_HAVE_ISAL
            if (in->isal != NULL && !in->hdr_pending) {
                /* ISA-L may hold decoded bytes after taking the last input:
                 * they are handed out before the truncation is reported. */
                const char *why = NULL;
                int rc = inflate_once(in, 0, buf, cap, &got, &why);
                if (rc != AB_OK) {
                    return gz_corrupt(in, got, why, err);
                }
                if (got > 0) {
                    break;
                }
            }
#endif
            return gz_truncated(in, err);
        }
        if (in->z_member_done) {
            /* Another member follows (concatenated gzip). Trailing zero bytes
             * (tape padding) are tolerated; anything else must be gzip. */
            unsigned char c = in->raw[in->raw_pos];
            if (c == 0) {
                in->raw_pos++;
                in->raw_offset++;
                continue;
            }
            if (c != 0x1f) {
                int rc = ab__error(err, AB_EPARSE, in->name, 0, 0,
                                   "unexpected bytes after the end of the gzip stream "
                                   "(compressed byte %llu): expected another gzip member",
                                   (unsigned long long)in->raw_offset);
                ab__error_offset(err, in->produced);
                return rc;
            }
            inflate_restart(in);
        }
#ifdef AB_HAVE_ISAL
        if (in->isal != NULL && in->hdr_pending) {
            int rc = member_header(in, err);
            if (rc != AB_OK) {
                return rc;
            }
            in->hdr_pending = 0;
            continue;
        }
#endif
        const char *why = NULL;
        int rc = inflate_once(in, (size_t)avail, buf, cap, &got, &why);
        if (rc == AB_ENOMEM) {
            return ab__error(err, AB_ENOMEM, in->name, 0, 0, "out of memory in zlib");
        }
        if (rc != AB_OK) {
            return gz_corrupt(in, got, why, err);
        }
    }
    return (ptrdiff_t)got;
}

static ptrdiff_t plain_read(ab_input *in, unsigned char *buf, size_t cap, ab_error *err)
{
    ptrdiff_t avail = raw_fill(in, err);
    if (avail <= 0) {
        return avail;
    }
    size_t n = (size_t)avail < cap ? (size_t)avail : cap;
    memcpy(buf, in->raw + in->raw_pos, n);
    in->raw_pos += n;
    in->raw_offset += n;
    return (ptrdiff_t)n;
}

/* Reads from the file or memory (inflating gzip); the producer side. */
static ptrdiff_t direct_read(ab_input *in, void *buf, size_t cap, ab_error *err)
{
    ptrdiff_t n = in->gzip ? gz_read(in, buf, cap, err) : plain_read(in, buf, cap, err);
    if (n > 0) {
        in->produced += (uint64_t)n;
    } else if (n < 0 && err != NULL && !err->has_offset) {
        ab__error_offset(err, in->produced);
    }
    return n;
}

/* ---- Background inflate. ---- */

static void *bg_main(void *arg)
{
    ab_input *in = arg;
    bg_ring *g = in->bg;
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (g->filled == BG_SLOTS && !g->stop) {
            pthread_cond_wait(&g->cv, &g->mu);
        }
        int stop = g->stop;
        bg_slot *slot = &g->slots[g->tail];
        pthread_mutex_unlock(&g->mu);
        if (stop) {
            break;
        }
        /* The slot is the producer's until `filled` counts it. */
        ab_error e;
        ab_error_clear(&e);
        ptrdiff_t n = direct_read(in, slot->data, BG_SLOT, &e);
        pthread_mutex_lock(&g->mu);
        if (n > 0) {
            slot->len = (size_t)n;
            slot->raw_offset = in->raw_offset;
            slot->raw_read = in->raw_read;
            g->tail = (g->tail + 1) % BG_SLOTS;
            g->filled++;
        } else {
            g->status = (int)n;
            g->err = e;
            g->done = 1;
        }
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        if (n <= 0) {
            break;
        }
    }
    return NULL;
}

/* Gives slots[head], read to its end, back to the producer. Called with the mutex held. */
static void bg_release(ab_input *in, bg_ring *g)
{
    bg_slot *slot = &g->slots[g->head];
    g->raw_offset = slot->raw_offset;
    g->pos = 0;
    g->head = (g->head + 1) % BG_SLOTS;
    g->filled--;
    pthread_cond_broadcast(&g->cv);
    if (in->progress != NULL) {
        /* Called under the mutex: the producer waits at most for this call. */
        in->progress(in->name, slot->raw_read, in->raw_size, in->progress_payload);
    }
}

/* Reads from the ring; the consumer side of direct_read. */
static ptrdiff_t bg_read(ab_input *in, void *buf, size_t cap, ab_error *err)
{
    bg_ring *g = in->bg;
    pthread_mutex_lock(&g->mu);
    if (g->pos != 0 && g->pos == g->slots[g->head].len) {
        bg_release(in, g);
    }
    while (g->filled == 0 && !g->done) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    if (g->filled == 0) {
        int st = g->status;
        if (st < 0 && err != NULL) {
            *err = g->err;
        }
        pthread_mutex_unlock(&g->mu);
        return st;
    }
    bg_slot *slot = &g->slots[g->head];
    pthread_mutex_unlock(&g->mu);
    size_t n = slot->len - g->pos;
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, slot->data + g->pos, n);
    g->pos += n;
    return (ptrdiff_t)n;
}

static void bg_free(ab_input *in)
{
    bg_ring *g = in->bg;
    for (int i = 0; i < BG_SLOTS; i++) {
        ab__free(in->ctx, g->slots[i].data);
    }
    ab__free(in->ctx, g);
    in->bg = NULL;
}

static void bg_stop(ab_input *in)
{
    bg_ring *g = in->bg;
    if (g == NULL) {
        return;
    }
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    in->quiet_progress = 0;
    bg_free(in);
}

int ab__input_background(ab_input *in)
{
    /* Only inflate is worth a thread, and only with a second core to run it;
     * zlib must have produced output already, so that its window exists and
     * the thread never allocates (allocators need not be thread-safe). */
    if (in->bg != NULL || !in->gzip || in->produced == 0 ||
        (in->raw_eof && in->raw_pos == in->raw_len) || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        return AB_OK;
    }
    bg_ring *g = ab__calloc(in->ctx, 1, sizeof(*g));
    if (g == NULL) {
        return AB_ENOMEM;
    }
    in->bg = g;
    for (int i = 0; i < BG_SLOTS; i++) {
        g->slots[i].data = ab__malloc(in->ctx, BG_SLOT);
        if (g->slots[i].data == NULL) {
            bg_free(in);
            return AB_ENOMEM;
        }
    }
    g->raw_offset = in->raw_offset;
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        bg_free(in);
        return AB_OK; /* Inflate stays on the reader's thread. */
    }
    if (pthread_cond_init(&g->cv, NULL) != 0) {
        pthread_mutex_destroy(&g->mu);
        bg_free(in);
        return AB_OK;
    }
    in->quiet_progress = 1;
    if (pthread_create(&g->thread, NULL, bg_main, in) != 0) {
        in->quiet_progress = 0;
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        bg_free(in);
        return AB_OK;
    }
    return AB_OK;
}

static ptrdiff_t source_read(ab_input *in, void *buf, size_t cap, ab_error *err)
{
    return in->bg != NULL ? bg_read(in, buf, cap, err) : direct_read(in, buf, cap, err);
}

ptrdiff_t ab_input_read(ab_input *in, void *buf, size_t cap, ab_error *err)
{
    if (cap == 0) {
        return 0;
    }
    if (in->peek_pos < in->peek_len) {
        size_t n = in->peek_len - in->peek_pos;
        if (n > cap) {
            n = cap;
        }
        memcpy(buf, in->peek + in->peek_pos, n);
        in->peek_pos += n;
        in->offset += n;
        return (ptrdiff_t)n;
    }
    ptrdiff_t n = source_read(in, buf, cap, err);
    if (n > 0) {
        in->offset += (uint64_t)n;
    }
    return n;
}

ptrdiff_t ab__input_borrow(ab_input *in, void *buf, size_t cap, const void **data_out,
                           ab_error *err)
{
    bg_ring *g = in->bg;
    if (g == NULL || in->peek_pos < in->peek_len || cap == 0) {
        *data_out = buf;
        return ab_input_read(in, buf, cap, err);
    }
    /* Hand out the slot itself; it is released at the next call. */
    pthread_mutex_lock(&g->mu);
    if (g->pos != 0 && g->pos == g->slots[g->head].len) {
        bg_release(in, g);
    }
    while (g->filled == 0 && !g->done) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    if (g->filled == 0) {
        int st = g->status;
        if (st < 0 && err != NULL) {
            *err = g->err;
        }
        pthread_mutex_unlock(&g->mu);
        return st;
    }
    bg_slot *slot = &g->slots[g->head];
    pthread_mutex_unlock(&g->mu);
    size_t n = slot->len - g->pos;
    if (n > cap) {
        n = cap;
    }
    *data_out = slot->data + g->pos;
    g->pos += n;
    in->offset += n;
    return (ptrdiff_t)n;
}

int ab_input_peek(ab_input *in, const void **data_out, size_t *len_out, ab_error *err)
{
    if (in->peek == NULL) {
        in->peek = ab__malloc(in->ctx, PEEK_MAX);
        if (in->peek == NULL) {
            return ab__error(err, AB_ENOMEM, in->name, 0, 0, "out of memory");
        }
    }
    if (in->peek_pos > 0) {
        memmove(in->peek, in->peek + in->peek_pos, in->peek_len - in->peek_pos);
        in->peek_len -= in->peek_pos;
        in->peek_pos = 0;
    }
    while (in->peek_len < PEEK_MAX) {
        ptrdiff_t n = source_read(in, in->peek + in->peek_len, PEEK_MAX - in->peek_len, err);
        if (n < 0) {
            return (int)n;
        }
        if (n == 0) {
            break;
        }
        in->peek_len += (size_t)n;
    }
    *data_out = in->peek;
    *len_out = in->peek_len;
    return AB_OK;
}

void ab_input_set_progress(ab_input *in,
                           void (*fn)(const char *name, uint64_t done, uint64_t total,
                                      void *payload),
                           void *payload)
{
    in->progress = fn;
    in->progress_payload = payload;
}

const char *ab_input_name(const ab_input *in)
{
    return in->name;
}

int ab_input_is_gzip(const ab_input *in)
{
    return in->gzip;
}

uint64_t ab_input_offset(const ab_input *in)
{
    return in->offset;
}

uint64_t ab_input_raw_offset(const ab_input *in)
{
    /* With a background thread, what the reader has been handed so far. */
    return in->bg != NULL ? in->bg->raw_offset : in->raw_offset;
}

uint64_t ab_input_raw_size(const ab_input *in)
{
    return in->raw_size;
}
