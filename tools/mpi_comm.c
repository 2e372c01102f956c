/*
 * tools/mpi_comm.c: the exchanges of asbuilt-mpi. mpi_exchange is an
 * all-to-all of byte buffers of any size cut into rounds: in round k each
 * rank sends every other rank its bytes [k*q, (k+1)*q) where
 * q = mpi_round_bytes / ranks, staged in one buffer, so every count and
 * displacement passed to MPI_Alltoallv stays below mpi_round_bytes
 * (<= INT_MAX). The number of rounds is agreed (a maximum over ranks). A
 * rank's bytes to itself do not go through the rounds: they are copied
 * once.
 */
#include "mpi_comm.h"

#include <limits.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int mpi_rank = 0, mpi_size = 1;
uint64_t mpi_round_bytes = 64u << 20;
int mpi_verbose = 0;
static double started;

void mpi_comm_init(void)
{
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    const char *v = getenv("ASBUILT_MPI_ROUND_BYTES");
    if (v != NULL && v[0] != '\0') {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        if (*end == '\0' && n > 0) {
            mpi_round_bytes = n;
        }
    }
    if (mpi_round_bytes > INT_MAX) {
        mpi_round_bytes = INT_MAX;
    }
    if (mpi_round_bytes < (uint64_t)mpi_size) {
        mpi_round_bytes = (uint64_t)mpi_size;
    }
    v = getenv("ASBUILT_MPI_VERBOSE");
    mpi_verbose = v != NULL && v[0] == '1';
    started = MPI_Wtime();
}

/* The resident set of this process now, in KiB (0 if unknown). */
static uint64_t rss_kib(void)
{
    unsigned long long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) {
        return 0;
    }
    int n = fscanf(f, "%llu %llu", &pages, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? (uint64_t)resident * (uint64_t)page / 1024u : 0;
}

void mpi_phase(const char *fmt, ...)
{
    if (!mpi_verbose || mpi_rank != 0) {
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    uint64_t now = rss_kib(), peak = mpi_peak_rss_kib();
    fprintf(stderr, "asbuilt-mpi: %7.3f s  %s  [rank 0: %.0f MiB, peak %.0f MiB]\n",
            MPI_Wtime() - started, msg, (double)now / 1024.0, (double)peak / 1024.0);
}

uint64_t mpi_peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return 0;
    }
    return (uint64_t)ru.ru_maxrss;
}

int mpi_agree(int rc)
{
    return mpi_agree_who(rc, NULL);
}

int mpi_agree_who(int rc, int *who)
{
    if (who != NULL) {
        *who = -1;
    }
    int *all = malloc(sizeof(int) * (size_t)mpi_size);
    if (all == NULL) {
        /* Cannot gather: a maximum still gives every rank the same answer. */
        int m = 0;
        MPI_Allreduce(&rc, &m, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (who != NULL && m != 0) {
            *who = rc == m ? mpi_rank : -2; /* Not known which; all that failed print. */
        }
        return m;
    }
    MPI_Allgather(&rc, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    int first = 0;
    for (int r = 0; r < mpi_size && first == 0; r++) {
        first = all[r];
        if (first != 0 && who != NULL) {
            *who = r;
        }
    }
    free(all);
    return first;
}

uint64_t mpi_sum_u64(uint64_t v)
{
    uint64_t s = 0;
    MPI_Allreduce(&v, &s, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    return s;
}

uint64_t mpi_max_u64(uint64_t v)
{
    uint64_t s = 0;
    MPI_Allreduce(&v, &s, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return s;
}

int mpi_exchange(const mpi_bytes *send, mpi_bytes *recv, uint64_t *bytes_out)
{
    const int P = mpi_size;
    uint64_t *slen = calloc((size_t)P, sizeof(uint64_t));
    uint64_t *rlen = calloc((size_t)P, sizeof(uint64_t));
    int *scount = calloc((size_t)P, sizeof(int)), *sdispl = calloc((size_t)P, sizeof(int));
    int *rcount = calloc((size_t)P, sizeof(int)), *rdispl = calloc((size_t)P, sizeof(int));
    const uint64_t q = mpi_round_bytes / (uint64_t)P; /* Per destination and round, >= 1. */
    unsigned char *sbuf = NULL, *rbuf = NULL;
    int bad = slen == NULL || rlen == NULL || scount == NULL || sdispl == NULL || rcount == NULL ||
              rdispl == NULL;
    uint64_t sent = 0;
    int rc = 4;
    for (int d = 0; d < P; d++) {
        recv[d].ptr = NULL;
        recv[d].len = 0;
        if (!bad) {
            slen[d] = send[d].len;
            sent += send[d].len;
        }
    }
    if (mpi_agree(bad ? 4 : 0) != 0) {
        goto fail;
    }
    MPI_Alltoall(slen, 1, MPI_UINT64_T, rlen, 1, MPI_UINT64_T, MPI_COMM_WORLD);
    uint64_t rounds = 0;
    for (int d = 0; d < P; d++) {
        uint64_t k = d != mpi_rank ? (slen[d] + q - 1) / q : 0;
        rounds = k > rounds ? k : rounds;
        if (rlen[d] > 0 && (recv[d].ptr = malloc(rlen[d])) == NULL) {
            bad = 1;
        }
        recv[d].len = rlen[d];
    }
    rounds = mpi_max_u64(rounds);
    /* A round's bytes: at most q to (and from) each other rank, no more
     * than it has; a rank's bytes to itself are copied once, below. */
    uint64_t scap = 0, rcap = 0;
    for (int d = 0; d < P; d++) {
        if (d != mpi_rank) {
            scap += slen[d] < q ? slen[d] : q;
            rcap += rlen[d] < q ? rlen[d] : q;
        }
    }
    sbuf = malloc((size_t)scap + 1);
    rbuf = malloc((size_t)rcap + 1);
    bad |= sbuf == NULL || rbuf == NULL;
    if (mpi_agree(bad ? 4 : 0) != 0) {
        goto fail;
    }
    if (slen[mpi_rank] > 0) {
        memcpy(recv[mpi_rank].ptr, send[mpi_rank].ptr, (size_t)slen[mpi_rank]);
    }
    for (uint64_t k = 0; k < rounds; k++) {
        const uint64_t from = k * q;
        int so = 0, ro = 0;
        for (int d = 0; d < P; d++) {
            uint64_t n = slen[d] > from && d != mpi_rank ? slen[d] - from : 0;
            n = n < q ? n : q;
            if (n > 0) {
                memcpy(sbuf + so, send[d].ptr + from, (size_t)n);
            }
            scount[d] = (int)n;
            sdispl[d] = so;
            so += (int)n;
            uint64_t m = rlen[d] > from && d != mpi_rank ? rlen[d] - from : 0;
            m = m < q ? m : q;
            rcount[d] = (int)m;
            rdispl[d] = ro;
            ro += (int)m;
        }
        MPI_Alltoallv(sbuf, scount, sdispl, MPI_BYTE, rbuf, rcount, rdispl, MPI_BYTE,
                      MPI_COMM_WORLD);
        for (int d = 0; d < P; d++) {
            if (rcount[d] > 0) {
                memcpy(recv[d].ptr + from, rbuf + rdispl[d], (size_t)rcount[d]);
            }
        }
    }
    if (bytes_out != NULL) {
        *bytes_out = sent;
    }
    rc = 0;
    goto done;
fail:
    if (mpi_rank == 0 || bad) {
        fprintf(stderr, "asbuilt-mpi: rank %d: out of memory in the exchange\n", mpi_rank);
    }
    for (int d = 0; d < P; d++) {
        free(recv[d].ptr);
        recv[d].ptr = NULL;
        recv[d].len = 0;
    }
done:
    free(sbuf);
    free(rbuf);
    free(slen);
    free(rlen);
    free(scount);
    free(sdispl);
    free(rcount);
    free(rdispl);
    return rc;
}

void mpi_put(mpi_wbuf *b, const void *data, size_t n)
{
    if (b->bad || n == 0) {
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 256;
        unsigned char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->bad = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

void mpi_put_u32(mpi_wbuf *b, uint32_t v)
{
    mpi_put(b, &v, sizeof(v));
}

void mpi_put_str(mpi_wbuf *b, const char *s, size_t n)
{
    if (n > UINT32_MAX) {
        b->bad = 1;
        return;
    }
    mpi_put_u32(b, (uint32_t)n);
    mpi_put(b, s, n);
}

int mpi_exchange_all(const void *p, uint64_t len, mpi_bytes *recv)
{
    mpi_bytes *send = calloc((size_t)mpi_size, sizeof(*send));
    int failed = mpi_agree(send == NULL ? 4 : 0);
    if (failed != 0) {
        free(send);
        return failed;
    }
    for (int d = 0; d < mpi_size; d++) {
        send[d].ptr = (unsigned char *)(uintptr_t)p;
        send[d].len = len;
    }
    int rc = mpi_exchange(send, recv, NULL);
    free(send); /* Its buffers are the caller's. */
    return rc;
}

int mpi_bytes_cmp(const char *a, uint32_t la, const char *b, uint32_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c != 0 ? c : (la < lb ? -1 : la > lb);
}

void mpi_bcast_send(const void *p, uint64_t len)
{
    MPI_Bcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    for (uint64_t off = 0; off < len;) {
        uint64_t n = len - off < mpi_round_bytes ? len - off : mpi_round_bytes;
        MPI_Bcast((unsigned char *)p + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
        off += n;
    }
}

int mpi_bcast_recv(unsigned char **out, uint64_t *len_out)
{
    uint64_t len = 0;
    MPI_Bcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    unsigned char *p = malloc(len > 0 ? (size_t)len : 1);
    int failed = p == NULL;
    /* The broadcast goes on without this rank's buffer: take it somewhere. */
    unsigned char *sink = failed ? malloc(mpi_round_bytes) : NULL;
    for (uint64_t off = 0; off < len;) {
        uint64_t n = len - off < mpi_round_bytes ? len - off : mpi_round_bytes;
        MPI_Bcast(failed ? sink : p + off, failed && sink == NULL ? 0 : (int)n, MPI_BYTE, 0,
                  MPI_COMM_WORLD);
        off += n;
    }
    free(sink);
    *out = p;
    *len_out = failed ? 0 : len;
    return failed ? 4 : 0;
}

typedef struct name_count {
    const char *name;
    uint64_t count;
} name_count;

static int cmp_name_count(const void *pa, const void *pb)
{
    return strcmp(((const name_count *)pa)->name, ((const name_count *)pb)->name);
}

void mpi_put_count(mpi_wbuf *b, const char *name, uint64_t count)
{
    mpi_put_str(b, name, strlen(name) + 1);
    mpi_put(b, &count, sizeof(count));
}

int64_t mpi_sum_by_name(const mpi_bytes *msgs, int n, const char ***names_out,
                        uint64_t **counts_out)
{
    *names_out = NULL;
    *counts_out = NULL;
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        total += msgs[i].len / 13; /* A name (4 + 1 bytes at least) and a count. */
    }
    name_count *rows = malloc(sizeof(*rows) * (total + 1));
    const char **names = malloc(sizeof(*names) * (total + 1));
    uint64_t *counts = malloc(sizeof(*counts) * (total + 1));
    int64_t na = rows == NULL || names == NULL || counts == NULL ? -1 : 0;
    uint64_t k = 0;
    for (int i = 0; na == 0 && i < n; i++) {
        if (msgs[i].len == 0) {
            continue;
        }
        ab__rbytes r = {msgs[i].ptr, (size_t)msgs[i].len, 0, 0};
        uint32_t m = ab__get_u32(&r);
        for (uint32_t j = 0; j < m && !r.bad && k < total; j++) {
            uint32_t l;
            rows[k].name = ab__get_str(&r, &l);
            ab__get(&r, &rows[k].count, sizeof(uint64_t));
            r.bad |= rows[k].name == NULL || l == 0 || rows[k].name[l - 1] != '\0';
            k++;
        }
        na = r.bad || r.off != r.len ? -1 : 0;
    }
    if (na == 0) {
        qsort(rows, k, sizeof(*rows), cmp_name_count);
        for (uint64_t i = 0; i < k; i++) {
            if (na > 0 && strcmp(names[na - 1], rows[i].name) == 0) {
                counts[na - 1] += rows[i].count;
            } else {
                names[na] = rows[i].name;
                counts[na++] = rows[i].count;
            }
        }
    }
    free(rows);
    if (na < 0) {
        free(names);
        free(counts);
        return -1;
    }
    *names_out = names;
    *counts_out = counts;
    return na;
}

int mpi_fails_at(const char *step)
{
    const char *f = getenv("ASBUILT_MPI_FAIL");
    if (f == NULL) {
        return 0;
    }
    char *end;
    long r = strtol(f, &end, 10);
    return end != f && *end == ':' && r == mpi_rank && strcmp(end + 1, step) == 0;
}

void mpi_reduce_pieces(void *v, size_t n, size_t es, MPI_Datatype type, MPI_Op op)
{
    for (size_t off = 0; off < n;) {
        size_t k = n - off < ((size_t)1 << 24) ? n - off : ((size_t)1 << 24);
        MPI_Allreduce(MPI_IN_PLACE, (char *)v + off * es, (int)k, type, op, MPI_COMM_WORLD);
        off += k;
    }
}
