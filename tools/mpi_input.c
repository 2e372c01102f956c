/*
 * tools/mpi_input.c: each rank's share of the input (see mpi_input.h).
 *
 * Rank 0 looks at the head of every file (gzip? XES? a CSV whose dialect
 * and timestamp layout the head settles?) and broadcasts what it found. A
 * plain CSV file is then cut without any rank reading more than its span:
 *
 * 1. Each rank runs the CSV grammar (that of engine/csv/csv_scan.c: a quote
 *    opens a quoted field only at a field's start, a doubled quote inside
 *    quotes is one quote, elsewhere a quote is text) over its span from each
 *    of the four states a byte can be read in, noting the state at the end
 *    and the first record start (a byte after a terminator read outside
 *    quotes) for each.
 * 2. The ranks gather these; composing them in rank order from the state
 *    after the header gives the true state at each span's start, so every
 *    rank knows where each record really starts. A rank's chunk runs from
 *    the first record start in its span to the next rank's.
 * 3. The rank parses the file's header followed by its chunk, with the
 *    delimiter and timestamp layout found in the file's head, telling the
 *    reader the chunk's first line and byte offset in the file
 *    (ab_csv_options.first_line, first_offset): line numbers and offsets in
 *    messages and data-quality reports are those of the file.
 */
#include "mpi_input.h"

#include <fcntl.h>
#include <stdio.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/partial.h"
#include "cli.h"
#include "mpi_comm.h"

/* The head of a CSV file that settles its layout (see settle_layout). */
#define HEAD_BYTES ((size_t)256 << 10)

/* What rank 0 found at the head of a file. */
typedef struct file_info {
    uint64_t size;
    uint64_t hdr_end;   /* Byte after the header record. */
    uint64_t hdr_lines; /* Terminators in [0, hdr_end). */
    int split;          /* A plain CSV file cut at record boundaries. */
    char delim, nl, crlf;
    ab_ts_format ts;
} file_info;

/* One rank's scan of its span of a file. */
typedef struct span_scan {
    uint64_t first[4]; /* First record start after a byte of the span, per entry state; 0 = none. */
    uint64_t lines_before[4]; /* Terminators in [a, first[s]). */
    uint64_t lines;           /* Terminators in the span. */
    unsigned char end[4];
    unsigned char nonempty;
} span_scan;

static int step(int s, unsigned char c, char delim, char nl, int *boundary)
{
    *boundary = 0;
    switch (s) {
    case 0:
        if (c == '"') {
            return 2;
        }
        if (c == (unsigned char)nl) {
            *boundary = 1;
            return 0;
        }
        return c == (unsigned char)delim ? 0 : 1;
    case 1:
    case 3:
        if (s == 3 && c == '"') {
            return 2; /* A doubled quote. */
        }
        if (c == (unsigned char)nl) {
            *boundary = 1;
            return 0;
        }
        return c == (unsigned char)delim ? 0 : 1;
    default:
        return c == '"' ? 3 : 2;
    }
}

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (k <= 0) {
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

/*
 * Rank 0: the delimiter and timestamp layout that `asbuilt` settles on for
 * the whole file, found by reading its head as `asbuilt` does: the reader
 * fixes a layout that is not open between day-first and month-first after
 * at most 64 KiB or 1,000 rows, so a head of 256 KiB cut at a record
 * boundary settles the same (a head that leaves it open, or fails, keeps
 * the file whole). The chunks are then read with these fixed.
 */
static int settle_layout(ab_ctx *ctx, int fd, const char *path, const ab_read_options *ro,
                         file_info *fi)
{
    size_t n = fi->size < HEAD_BYTES ? (size_t)fi->size : HEAD_BYTES;
    char *buf = malloc(n > 0 ? n : 1);
    if (buf == NULL || read_at(fd, buf, n, 0) != 0) {
        free(buf);
        return 0;
    }
    if (n < fi->size) {
        /* Cut after the last record that ends in the head. */
        int s = 0, b;
        size_t last = 0;
        for (size_t i = 0; i < n; i++) {
            s = step(s, (unsigned char)buf[i], fi->delim, fi->nl, &b);
            last = b ? i + 1 : last;
        }
        n = last;
    }
    ab_log_builder *b = NULL;
    ab_input *in = NULL;
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    int ok = ab_log_builder_create(&b, ctx, &ro->log) == AB_OK &&
             ab_input_open_memory(&in, ctx, buf, n, path, &err) == AB_OK &&
             ab_ingest_input(b, in, ro, &err) == AB_OK &&
             ab_log_builder_finish(b, &log, &err) == AB_OK;
    if (ok) {
        b = NULL;
        const char *delim = ab_log_meta(log, "delimiter");
        const char *ts = ab_log_meta(log, "timestamp_format");
        const char *st = ab_log_meta(log, "start_timestamp_format");
        ok = delim != NULL && ab_log_meta(log, "timestamp_ambiguous") == NULL &&
             ab_log_meta(log, "start_timestamp_ambiguous") == NULL &&
             (ts == NULL || st == NULL || strcmp(ts, st) == 0);
        if (ok) {
            fi->delim = strcmp(delim, "tab") == 0 ? '\t' : delim[0];
            const char *name = ts != NULL ? ts : st;
            ab_ts_format_parse(&fi->ts, "auto", &err);
            ok = name == NULL || ab_ts_format_parse(&fi->ts, name, &err) == AB_OK;
        }
    }
    ab_log_destroy(log);
    ab_input_destroy(in);
    ab_log_builder_destroy(b);
    free(buf);
    return ok;
}

/* Rank 0: what the head of path says. Never fails: doubt means "read it whole". */
static void look(ab_ctx *ctx, const char *path, const ab_read_options *ro, file_info *fi)
{
    memset(fi, 0, sizeof(*fi));
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return;
    }
    fi->size = (uint64_t)st.st_size;
    ab_input *in = NULL;
    ab_error err;
    ab_error_clear(&err);
    if (ab_input_open(&in, ctx, path, &err) != AB_OK) {
        return;
    }
    const void *head;
    size_t len;
    ab_csv_dialect d;
    if (ab_input_is_gzip(in) || ab_input_peek(in, &head, &len, &err) != AB_OK || len == 0 ||
        ab_ingest_detect(head, len) != AB_FORMAT_CSV ||
        ab_csv_sniff(&d, in, &ro->csv, &err) != AB_OK) {
        ab_input_destroy(in);
        return;
    }
    ab_input_destroy(in);
    fi->nl = d.newline[0] == '\r' && d.newline[1] == '\n' ? '\n' : d.newline[0];
    fi->crlf = d.newline[0] == '\r' && d.newline[1] == '\n';
    fi->delim = d.delimiter;
    /* The header record's end: the first record start, past blank lines. */
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return;
    }
    char buf[1 << 16];
    /* A BOM is not part of the first record: BOM and line end are a blank line. */
    uint64_t off = 0, lines = 0, rec_start = d.bom ? 3 : 0;
    int s = 0, b;
    while (off < fi->size) {
        size_t n = fi->size - off < sizeof(buf) ? (size_t)(fi->size - off) : sizeof(buf);
        if (read_at(fd, buf, n, off) != 0) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            s = step(s, (unsigned char)buf[i], fi->delim, fi->nl, &b);
            lines += (unsigned char)buf[i] == (unsigned char)fi->nl;
            if (b) {
                uint64_t end = off + i + 1, reclen = end - rec_start;
                if (reclen > 1 + (uint64_t)(fi->crlf != 0)) { /* Not a blank line. */
                    fi->hdr_end = end;
                    fi->hdr_lines = lines;
                    /* A chunk finds the line terminator in its own head: the same as the
                     * file's when the header ends with LF; not so surely with CR alone. */
                    fi->split = fi->nl == '\n' && settle_layout(ctx, fd, path, ro, fi);
                    close(fd);
                    return;
                }
                rec_start = end;
            }
        }
        off += n;
    }
    close(fd);
}

/* Byte classes of the grammar. */
enum { C_OTHER = 0, C_QUOTE, C_DELIM, C_NL };

/*
 * Runs the grammar (that of step()) over p[*at..n) from state *s until a
 * record ends: returns 1 with *at just past its terminator (and *s 0), or
 * 0 with *at = n and *s the state at the end. Inside quotes only a quote
 * matters, inside an unquoted field only a delimiter or a terminator does,
 * so the run jumps from one to the next instead of stepping every byte.
 */
static int run_to_boundary(const unsigned char *p, size_t n, size_t *at, int *s,
                           const unsigned char *cls)
{
    size_t i = *at;
    int st = *s;
    while (i < n) {
        if (st == 2) {
            const unsigned char *q = memchr(p + i, '"', n - i);
            if (q == NULL) {
                i = n;
                break;
            }
            i = (size_t)(q - p) + 1;
            st = 3;
            continue;
        }
        if (st == 1) {
            while (i < n && cls[p[i]] < C_DELIM) {
                i++;
            }
            if (i == n) {
                break;
            }
        }
        /* A field's start (0), just after a quote inside quotes (3), or the
         * delimiter or terminator that ends an unquoted field (1). */
        unsigned char c = cls[p[i++]];
        if (c == C_QUOTE && st != 1) {
            st = 2; /* Opens a quoted field, or is the second of a doubled quote. */
        } else if (c == C_OTHER || c == C_QUOTE) {
            st = 1;
        } else {
            st = 0;
            if (c == C_NL) {
                *s = 0;
                *at = i;
                return 1;
            }
        }
    }
    *s = st;
    *at = n;
    return 0;
}

/* Terminators in p[0..n), in a loop the compiler vectorises. */
static uint64_t count_nl(const unsigned char *p, size_t n, unsigned char nl)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += p[i] == nl;
    }
    return k;
}

/* Scans [a, b) of fd from each entry state: where each path's first record
 * starts, and its state at the end. */
static int scan_span(int fd, uint64_t a, uint64_t b, const file_info *fi, span_scan *sc)
{
    memset(sc, 0, sizeof(*sc));
    int st[4] = {0, 1, 2, 3};
    int found[4] = {0, 0, 0, 0};
    unsigned char cls[256];
    memset(cls, C_OTHER, sizeof(cls));
    cls['"'] = C_QUOTE;
    cls[(unsigned char)fi->delim] = C_DELIM;
    cls[(unsigned char)fi->nl] = C_NL;
    const unsigned char nl = (unsigned char)fi->nl;
    static char buf[1 << 20];
    for (uint64_t off = a; off < b;) {
        size_t n = b - off < sizeof(buf) ? (size_t)(b - off) : sizeof(buf);
        if (read_at(fd, buf, n, off) != 0) {
            return -1;
        }
        const unsigned char *p = (const unsigned char *)buf;
        int start[4], whole[4];
        for (int e = 0; e < 4; e++) {
            /* A path past its first record start before this buffer runs
             * through it from its state: two in one state go on together. */
            start[e] = st[e];
            whole[e] = found[e];
            int k = 0;
            while (whole[e] && k < e && !(whole[k] && start[k] == start[e])) {
                k++;
            }
            if (whole[e] && k < e) {
                st[e] = st[k];
                continue;
            }
            size_t at = 0;
            if (!found[e] && run_to_boundary(p, n, &at, &st[e], cls)) {
                found[e] = 1;
                sc->first[e] = off + at;
                sc->lines_before[e] = sc->lines + count_nl(p, at, nl); /* Through it. */
            }
            /* Past the first record start only the state at the end counts. */
            while (at < n) {
                run_to_boundary(p, n, &at, &st[e], cls);
            }
        }
        sc->lines += count_nl(p, n, nl);
        off += n;
    }
    for (int e = 0; e < 4; e++) {
        sc->end[e] = (unsigned char)st[e];
    }
    sc->nonempty = b > a;
    return 0;
}

static int io_error(ab_error *err, const char *path, const char *what)
{
    ab_error_clear(err);
    err->code = AB_EIO;
    snprintf(err->source, sizeof(err->source), "%s", path);
    snprintf(err->msg, sizeof(err->msg), "%s", what);
    return AB_EIO;
}

/* Parses a whole file into the builder. */
static int read_whole(ab_log_builder *b, ab_ctx *ctx, const char *path, const ab_read_options *ro,
                      ab_error *err)
{
    ab_input *in;
    int rc = ab_input_open(&in, ctx, path, err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab_ingest_input(b, in, ro, err);
    ab_input_destroy(in);
    return rc;
}

/* The most bytes of a chunk parsed at once (ASBUILT_MPI_PIECE_BYTES; at least 1). */
static uint64_t piece_bytes(void)
{
    const char *v = getenv("ASBUILT_MPI_PIECE_BYTES");
    if (v != NULL && v[0] != '\0') {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        if (*end == '\0' && n > 0) {
            return n;
        }
    }
    return (uint64_t)1 << 30;
}

/*
 * The last record start in p[0..n), read from a field's start, and the
 * terminators before it (0 when no record ends in p). Bytes that are not a
 * quote, a terminator or the delimiter only move a field's start into the
 * field, so they take the short path.
 */
static size_t last_record_start(const char *p, size_t n, const file_info *fi, uint64_t *lines)
{
    int st = 0, bd;
    uint64_t nls = 0;
    size_t last = 0;
    const unsigned char q = '"', nl = (unsigned char)fi->nl, dl = (unsigned char)fi->delim;
    *lines = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c != q && c != nl && c != dl) {
            st = st == 2 ? 2 : 1;
            continue;
        }
        nls += c == nl;
        st = step(st, c, fi->delim, fi->nl, &bd);
        if (bd) {
            last = i + 1;
            *lines = nls;
        }
    }
    return last;
}

/*
 * Parses [from, to) of a CSV file, whose first byte is on line `line` of
 * the file, in pieces of about piece_bytes() cut at record boundaries (the
 * chunk starts at one, so the grammar starts at a field's start): the rank
 * never holds more of the raw chunk than a piece (1 GiB by default). Each
 * piece is read once, after the file's header, with its line and offset in
 * the file given to the reader; the bytes past its last record start are
 * read again with the next piece. A record longer than a piece makes that
 * piece grow to hold it.
 */
static int read_chunk(ab_log_builder *b, ab_ctx *ctx, const char *path, const file_info *fi,
                      uint64_t from, uint64_t to, uint64_t line, const ab_read_options *ro,
                      ab_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return io_error(err, path, "cannot open the file");
    }
    const size_t head = (size_t)fi->hdr_end;
    uint64_t cap = piece_bytes(), pos = from;
    ab_read_options o = *ro;
    o.csv.delimiter = fi->delim;
    o.csv.ts_format = fi->ts;
    /* One buffer for every piece: the header, read once, then the piece. */
    size_t room = 0;
    char *buf = NULL;
    int rc = AB_OK;
    while (pos < to && rc == AB_OK) {
        uint64_t n = to - pos < cap ? to - pos : cap;
        if (head + (size_t)n > room) {
            char *nb = realloc(buf, head + (size_t)n);
            if (nb == NULL) {
                rc = AB_ENOMEM;
                break;
            }
            if (buf == NULL && read_at(fd, nb, head, 0) != 0) {
                free(nb);
                buf = NULL;
                rc = io_error(err, path, "cannot read the file");
                break;
            }
            buf = nb;
            room = head + (size_t)n;
        }
        if (read_at(fd, buf + head, (size_t)n, pos) != 0) {
            rc = io_error(err, path, "cannot read the file");
            break;
        }
        uint64_t used = n, used_lines = 0;
        if (pos + n < to) {
            used = last_record_start(buf + head, (size_t)n, fi, &used_lines);
            if (used == 0) {
                cap *= 2; /* One record fills the piece. */
                continue;
            }
        }
        o.csv.first_line = line;
        o.csv.first_offset = pos;
        ab_input *in;
        rc = ab_input_open_memory(&in, ctx, buf, head + (size_t)used, path, err);
        if (rc == AB_OK) {
            rc = ab_ingest_input(b, in, &o, err);
            ab_input_destroy(in);
        }
        line += used_lines;
        pos += used;
    }
    free(buf);
    close(fd);
    return rc;
}

/*
 * The logs a rank reads. A builder ties what it reads to the options it was
 * read with, and a chunk is read with the delimiter and layout fixed: each
 * run of inputs read with the same options gets a builder of its own, and
 * the logs are fed, in input order, into one at the end.
 */
typedef struct share {
    ab_log_builder *b;
    int fixed; /* The builder reads chunks with delim and ts fixed. */
    char delim;
    ab_ts_format ts;
    ab_log **logs;
    int nlogs;
} share;

static int share_finish(share *sh, ab_error *err)
{
    if (sh->b == NULL) {
        return AB_OK;
    }
    ab_log **nl = realloc(sh->logs, sizeof(*nl) * ((size_t)sh->nlogs + 1));
    if (nl == NULL) {
        return AB_ENOMEM;
    }
    sh->logs = nl;
    int rc = ab_log_builder_finish(sh->b, &sh->logs[sh->nlogs], err);
    sh->b = NULL;
    sh->nlogs += rc == AB_OK;
    return rc;
}

/* The builder for the next input: the current one when it reads with the same options. */
static int share_use(share *sh, ab_ctx *ctx, const ab_read_options *ro, const file_info *chunk,
                     ab_error *err)
{
    if (sh->b != NULL && (chunk != NULL) == sh->fixed &&
        (chunk == NULL ||
         (chunk->delim == sh->delim && memcmp(&chunk->ts, &sh->ts, sizeof(sh->ts)) == 0))) {
        return AB_OK;
    }
    int rc = share_finish(sh, err);
    if (rc == AB_OK) {
        rc = ab_log_builder_create(&sh->b, ctx, &ro->log);
    }
    if (rc == AB_OK) {
        sh->fixed = chunk != NULL;
        if (chunk != NULL) {
            sh->delim = chunk->delim;
            sh->ts = chunk->ts;
        }
    }
    return rc;
}

/* The rank's one log: its logs fed in order into one builder (when more than one). */
static int share_end(share *sh, ab_ctx *ctx, const ab_read_options *ro, ab_log **out, ab_error *err)
{
    int rc = share_finish(sh, err);
    if (rc == AB_OK && sh->nlogs == 1) {
        *out = sh->logs[0];
        sh->logs[0] = NULL;
    } else if (rc == AB_OK && sh->nlogs > 1) {
        ab_log_options lo = ro->log;
        lo.lifecycle = AB_LCF_ALL; /* Applied already. */
        lo.case_sink = NULL;
        ab_log_builder *b;
        rc = ab_log_builder_create(&b, ctx, &lo);
        for (int i = 0; i < sh->nlogs && rc == AB_OK; i++) {
            rc = ab_partial_feed_log(b, sh->logs[i], NULL, NULL, err);
            ab_log_destroy(sh->logs[i]);
            sh->logs[i] = NULL;
        }
        if (rc == AB_OK) {
            rc = ab_log_builder_finish(b, out, err);
        } else {
            ab_log_builder_destroy(b);
        }
    }
    for (int i = 0; i < sh->nlogs; i++) {
        ab_log_destroy(sh->logs[i]);
    }
    free(sh->logs);
    ab_log_builder_destroy(sh->b);
    memset(sh, 0, sizeof(*sh));
    return rc;
}

/* floor(t * r / p) without overflow. */
static uint64_t cut(uint64_t t, int r, int p)
{
    return (t / (uint64_t)p) * (uint64_t)r + (t % (uint64_t)p) * (uint64_t)r / (uint64_t)p;
}

int mpi_input_read(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                   ab_log **out, uint64_t *bytes_out, ab_error *err)
{
    *out = NULL;
    *bytes_out = 0;
    ab_error_clear(err);
    const int P = mpi_size, me = mpi_rank;
    file_info *fi = calloc((size_t)count, sizeof(*fi));
    span_scan *all = calloc((size_t)P, sizeof(*all));
    int oom = fi == NULL || all == NULL;
    if (mpi_agree(oom ? EXIT_IO : 0) != 0) {
        free(fi);
        free(all);
        return oom ? AB_ENOMEM : AB_ERROR;
    }
    if (me == 0) {
        for (int i = 0; i < count; i++) {
            look(ctx, paths[i], ro, &fi[i]);
        }
    }
    MPI_Bcast(fi, (int)(sizeof(*fi) * (size_t)count), MPI_BYTE, 0, MPI_COMM_WORLD);
    uint64_t total = 0;
    for (int i = 0; i < count; i++) {
        total += fi[i].size;
    }
    const uint64_t lo = cut(total, me, P), hi = cut(total, me + 1, P);
    share sh;
    memset(&sh, 0, sizeof(sh));
    int rc = AB_OK;
    uint64_t g = 0;
    for (int i = 0; i < count; i++, g += fi[i - 1].size) {
        if (!fi[i].split) {
            /* The rank whose span holds the file's first byte (rank 0 for empty input). */
            int owner = 0;
            while (owner + 1 < P && cut(total, owner + 1, P) <= g && g < total) {
                owner++;
            }
            if (owner == me && rc == AB_OK && (rc = share_use(&sh, ctx, ro, NULL, err)) == AB_OK) {
                rc = read_whole(sh.b, ctx, paths[i], ro, err);
                *bytes_out += fi[i].size;
            }
            continue;
        }
        /* This rank's span of the file's records. */
        uint64_t a = lo > g ? lo - g : 0, e = hi - g < fi[i].size ? hi - g : fi[i].size;
        if (hi <= g) {
            e = 0;
        }
        a = a < fi[i].hdr_end ? fi[i].hdr_end : a;
        e = e < a ? a : e;
        span_scan sc;
        memset(&sc, 0, sizeof(sc));
        int fd = e > a ? open(paths[i], O_RDONLY) : -1;
        int bad = rc != AB_OK || (e > a && (fd < 0 || scan_span(fd, a, e, &fi[i], &sc) != 0));
        if (fd >= 0) {
            close(fd);
        }
        MPI_Allgather(&sc, (int)sizeof(sc), MPI_BYTE, all, (int)sizeof(sc), MPI_BYTE,
                      MPI_COMM_WORLD);
        if (mpi_agree(bad ? 1 : 0) != 0) {
            if (bad && rc == AB_OK) {
                rc = io_error(err, paths[i], "cannot read the file");
            }
            rc = rc == AB_OK ? AB_ERROR : rc;
            break;
        }
        /* Each rank's chunk start, and the file's lines before it. */
        uint64_t start[2] = {0, 0}, lines_at[2] = {0, 0};
        int state = 0, first_seen = 0;
        uint64_t lines = 0;
        uint64_t *starts = calloc((size_t)P + 1, sizeof(uint64_t));
        uint64_t *slines = calloc((size_t)P + 1, sizeof(uint64_t));
        if (starts == NULL || slines == NULL) {
            free(starts);
            free(slines);
            rc = AB_ENOMEM; /* Reported at the next file's agreement, or after the loop. */
            continue;
        }
        for (int r = 0; r < P; r++) {
            starts[r] = UINT64_MAX;
            if (!all[r].nonempty) {
                continue;
            }
            if (!first_seen) {
                first_seen = 1; /* The span right after the header starts a record. */
                starts[r] = fi[i].hdr_end;
                slines[r] = 0;
            } else if (all[r].first[state] != 0) {
                starts[r] = all[r].first[state];
                slines[r] = lines + all[r].lines_before[state];
            }
            lines += all[r].lines;
            state = all[r].end[state];
        }
        starts[P] = fi[i].size;
        slines[P] = lines;
        for (int r = P - 1; r >= 0; r--) {
            if (starts[r] > starts[r + 1]) {
                starts[r] = starts[r + 1];
                slines[r] = slines[r + 1];
            }
        }
        start[0] = starts[me];
        start[1] = starts[me + 1];
        lines_at[0] = slines[me];
        (void)lines_at[1];
        free(starts);
        free(slines);
        if (start[1] > start[0] && rc == AB_OK &&
            (rc = share_use(&sh, ctx, ro, &fi[i], err)) == AB_OK) {
            rc = read_chunk(sh.b, ctx, paths[i], &fi[i], start[0], start[1],
                            fi[i].hdr_lines + lines_at[0] + 1, ro, err);
            *bytes_out += start[1] - start[0];
        }
    }
    free(fi);
    free(all);
    if (rc == AB_OK) {
        rc = share_end(&sh, ctx, ro, out, err);
    } else {
        ab_error keep = *err;
        share_end(&sh, ctx, ro, out, err); /* Frees what was read. */
        ab_log_destroy(*out);
        *out = NULL;
        *err = keep;
    }
    return rc;
}
