/*
 * tools/mpi_gap.c: the per-case steps of the gap over the ranks. Each rank
 * holds one share of the cases, its own whole cases, as an engine share
 * (ab__gap_share_*: what a process holding a share runs, adding its
 * findings into the caller's sums), and the calls of ab__gap_parts add the
 * shares up with collectives:
 * - times, count_ct, open, valid: sums and maxima (MPI_Allreduce; a time
 *   absent is AB_TIME_NONE, the smallest int64, so a maximum takes any
 *   rank's);
 * - smallest: each rank keeps the smallest ids of each group among its
 *   cases, every rank sends every rank those (index in the whole log and
 *   id), and each merges them by id: the smallest of a union are among the
 *   parts' smallest;
 * - case_times: the rank holding a case answers for it (its cases'
 *   indices in the whole log are ascending: a binary search), the others
 *   give AB_TIME_NONE, and a maximum over the ranks takes the answer;
 * - values, cts: each rank's values, gathered to every rank in rank order
 *   (the engine wants them in any order: it sorts or selects).
 * Cases are named by their index in the whole log (mpi_case_order), the
 * number one process gives them, so the rules of the report that rest on
 * case order hold across ranks.
 */
#include "mpi_gap.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_comm.h"
#include "mpi_load.h"

const uint64_t *mpi_conf_events(const void *src, uint32_t c, uint32_t *n)
{
    return ab_conform_case_events(src, c, n);
}

const ab_time *mpi_conf_starts(const void *src, uint32_t c)
{
    return ab_conform_case_starts(src, c);
}

/* An ab_status agreed over the ranks: the first failure, else AB_OK. */
static int agree(int st)
{
    int worst = st;
    MPI_Allreduce(&st, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return worst;
}

int mpi_parts_create(mpi_parts *p, ab_ctx *ctx, const ab_log *log, const ab_conform *conf,
                     const uint32_t *global, uint32_t *variant_of, uint32_t variant_count)
{
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->log = log;
    p->global = global;
    p->n = log != NULL ? ab_log_case_count(log) : 0;
    p->variant_count = variant_count;
    if (variant_of == NULL) {
        variant_of = malloc(sizeof(uint32_t));
    }
    ab__gap_share_input in = {log, conf, mpi_conf_events, mpi_conf_starts, p->n, NULL, variant_of};
    int st = variant_of == NULL ? AB_ENOMEM : ab__gap_share_create(&p->st, ctx, &in);
    st = agree(st);
    if (st != AB_OK) {
        mpi_parts_destroy(p);
    }
    return st;
}

void mpi_parts_destroy(mpi_parts *p)
{
    ab__gap_share_destroy(p->st);
    free(p->group_len);
    memset(p, 0, sizeof(*p));
}

int mpi_parts_times(mpi_parts *p, ab_time *log_last, uint64_t *with_ct, int64_t *max_ct)
{
    ab_time last = AB_TIME_NONE;
    uint64_t with = 0;
    int64_t mx = 0;
    int st = p->n > 0 ? ab__gap_share_times(p->st, &last, &with, &mx) : AB_OK;
    if ((st = agree(st)) != AB_OK) {
        return st;
    }
    MPI_Allreduce(&last, log_last, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(&with, with_ct, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&mx, max_ct, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    return AB_OK;
}

static void sum_u64(uint64_t *v, size_t n)
{
    mpi_reduce_pieces(v, n, sizeof(uint64_t), MPI_UINT64_T, MPI_SUM);
}

int mpi_parts_count_ct(mpi_parts *p, const int64_t *at, size_t n, uint64_t *counts)
{
    uint64_t *mine = calloc(n + 1, sizeof(uint64_t));
    int st = agree(mine == NULL ? AB_ENOMEM : AB_OK);
    if (st == AB_OK) {
        if (p->n > 0) {
            ab__gap_share_count_ct(p->st, at, n, mine);
        }
        sum_u64(mine, n);
        for (size_t j = 0; j < n; j++) {
            counts[j] = mine[j];
        }
    }
    free(mine);
    return st;
}

int mpi_parts_open(mpi_parts *p, ab_time log_last, double horizon, const uint8_t *never_open,
                   uint64_t *open_per_variant)
{
    if (p->n > 0) {
        ab__gap_share_open(p->st, log_last, horizon, never_open, open_per_variant);
    }
    sum_u64(open_per_variant, p->variant_count);
    return AB_OK;
}

int mpi_parts_smallest(mpi_parts *p, const uint32_t *group_of, int exclude, uint32_t group_count,
                       uint32_t *out)
{
    const int P = mpi_size;
    const size_t cells = (size_t)group_count * AB__GAP_SMALLEST;
    uint32_t *mine = malloc(sizeof(uint32_t) * (cells + 1));
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    ab__rbytes *rd = calloc((size_t)P, sizeof(*rd));
    mpi_wbuf b = {NULL, 0, 0, 0};
    int st = mine == NULL || send == NULL || recv == NULL || rd == NULL ? AB_ENOMEM : AB_OK;
    for (size_t i = 0; st == AB_OK && i < cells; i++) {
        mine[i] = UINT32_MAX;
    }
    if (st == AB_OK && p->n > 0) {
        ab__gap_share_smallest(p->st, group_of, exclude, mine);
    }
    /* Per group: how many, then each as (index in the whole log, id). */
    for (size_t gi = 0; st == AB_OK && gi < group_count; gi++) {
        const uint32_t *m = mine + gi * AB__GAP_SMALLEST;
        uint32_t k = 0;
        while (k < AB__GAP_SMALLEST && m[k] != UINT32_MAX) {
            k++;
        }
        mpi_put_u32(&b, k);
        for (uint32_t j = 0; j < k; j++) {
            const char *id = ab_log_case_id(p->log, m[j]);
            mpi_put_u32(&b, p->global[m[j]]);
            mpi_put_str(&b, id, strlen(id));
        }
    }
    st = agree(st == AB_OK && b.bad ? AB_ENOMEM : st);
    if (st == AB_OK) {
        st = mpi_exchange_all(b.p, b.len, recv) == 0 ? AB_OK : AB_ENOMEM;
    }
    /* Merged group by group, reading every rank's message along. */
    for (int s = 0; st == AB_OK && s < P; s++) {
        rd[s] = (ab__rbytes){recv[s].ptr, (size_t)recv[s].len, 0, 0};
    }
    int bad = 0;
    for (size_t gi = 0; st == AB_OK && gi < group_count; gi++) {
        uint32_t *best = out + gi * AB__GAP_SMALLEST;
        const char *bid[AB__GAP_SMALLEST];
        uint32_t blen[AB__GAP_SMALLEST], nb = 0;
        for (int s = 0; s < P; s++) {
            uint32_t k = ab__get_u32(&rd[s]);
            for (uint32_t j = 0; j < k && !rd[s].bad; j++) {
                uint32_t c = ab__get_u32(&rd[s]), len = 0;
                const char *id = ab__get_str(&rd[s], &len);
                if (id == NULL) {
                    break;
                }
                uint32_t at = nb;
                while (at > 0 && mpi_bytes_cmp(id, len, bid[at - 1], blen[at - 1]) < 0) {
                    at--;
                }
                if (at == AB__GAP_SMALLEST) {
                    continue;
                }
                uint32_t keep = nb < AB__GAP_SMALLEST ? nb : AB__GAP_SMALLEST - 1;
                for (uint32_t q = keep; q > at; q--) {
                    best[q] = best[q - 1];
                    bid[q] = bid[q - 1];
                    blen[q] = blen[q - 1];
                }
                best[at] = c;
                bid[at] = id;
                blen[at] = len;
                nb += nb < AB__GAP_SMALLEST;
            }
            bad |= rd[s].bad;
        }
        for (uint32_t q = nb; q < AB__GAP_SMALLEST; q++) {
            best[q] = UINT32_MAX;
        }
    }
    st = agree(st == AB_OK && bad ? AB_ERROR : st);
    free(b.p);
    free(send); /* Its buffers are not its own. */
    mpi_drop_all(recv, P);
    free(rd);
    free(mine);
    return st;
}

/* This rank's position of case c of the whole log, or UINT32_MAX. */
static uint32_t local_pos(const mpi_parts *p, uint32_t c)
{
    uint32_t lo = 0, hi = p->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->global[mid] < c) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < p->n && p->global[lo] == c ? lo : UINT32_MAX;
}

int mpi_parts_case_times(mpi_parts *p, size_t n, const uint32_t *cases, const uint32_t *pos,
                         ab_time *start, ab_time *end, ab_time *at)
{
    ab_time *t = malloc(sizeof(ab_time) * (3 * n + 1));
    int st = agree(t == NULL ? AB_ENOMEM : AB_OK);
    if (st != AB_OK) {
        free(t);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t q = local_pos(p, cases[i]);
        t[3 * i] = t[3 * i + 1] = t[3 * i + 2] = AB_TIME_NONE;
        if (q != UINT32_MAX) {
            ab__gap_share_case_times(p->st, q, pos[i], &t[3 * i], &t[3 * i + 1], &t[3 * i + 2]);
        }
    }
    mpi_reduce_pieces(t, 3 * n, sizeof(ab_time), MPI_INT64_T, MPI_MAX);
    for (size_t i = 0; i < n; i++) {
        start[i] = t[3 * i];
        end[i] = t[3 * i + 1];
        at[i] = t[3 * i + 2];
    }
    free(t);
    return AB_OK;
}

int mpi_parts_valid(mpi_parts *p, const uint8_t *group_open, uint32_t group_count, uint32_t *valid)
{
    memset(valid, 0, sizeof(uint32_t) * group_count);
    if (p->n > 0) {
        ab__gap_share_valid(p->st, group_open, valid);
    }
    mpi_reduce_pieces(valid, group_count, sizeof(uint32_t), MPI_UINT32_T, MPI_SUM);
    return AB_OK;
}

void mpi_parts_unlay(mpi_parts *p)
{
    if (p->st != NULL) {
        ab__gap_share_unlay(p->st);
    }
    free(p->group_len);
    p->group_len = NULL;
    p->group_count = 0;
}

int mpi_parts_lay_out(mpi_parts *p, const uint32_t *valid, const uint32_t *group_len,
                      uint32_t group_count)
{
    mpi_parts_unlay(p);
    p->group_len = malloc(sizeof(uint32_t) * ((size_t)group_count + 1));
    int st = p->group_len == NULL ? AB_ENOMEM : AB_OK;
    if (st == AB_OK) {
        memcpy(p->group_len, group_len, sizeof(uint32_t) * group_count);
        p->group_count = group_count;
        if (p->n > 0) {
            st = ab__gap_share_lay_out(p->st, valid, group_len, group_count);
        }
    }
    st = agree(st);
    if (st != AB_OK) {
        mpi_parts_unlay(p);
    }
    return st;
}

int mpi_parts_values_to(mpi_parts *p, const ab__gap_span *spans, size_t count, uint32_t root,
                        int64_t *v, uint32_t *n)
{
    uint64_t most = 0;
    for (size_t q = 0; q < count && p->n > 0; q++) {
        most += ab__gap_share_laid(p->st, spans[q].group);
    }
    int64_t *mine = malloc(sizeof(int64_t) * (most + 1));
    uint32_t k = 0;
    const int P = mpi_size;
    int *counts = calloc((size_t)P, sizeof(int)), *displs = calloc((size_t)P, sizeof(int));
    int st = agree(mine == NULL || counts == NULL || displs == NULL ? AB_ENOMEM : AB_OK);
    if (st == AB_OK && p->n > 0) {
        ab__gap_share_values(p->st, spans, count, p->group_len, mine, &k);
    }
    int mk = (int)k, me_root = mpi_rank == (int)root;
    if (st == AB_OK) {
        st = agree(k > INT32_MAX ? AB_ELIMIT : AB_OK);
    }
    if (st == AB_OK) {
        MPI_Gather(&mk, 1, MPI_INT, counts, 1, MPI_INT, (int)root, MPI_COMM_WORLD);
        uint64_t total = 0;
        for (int s = 0; me_root && s < P; s++) {
            displs[s] = (int)total;
            total += (uint64_t)counts[s];
        }
        st = agree(total > INT32_MAX ? AB_ELIMIT : AB_OK);
        if (st == AB_OK) {
            MPI_Gatherv(mine, mk, MPI_INT64_T, me_root ? v + *n : NULL, counts, displs, MPI_INT64_T,
                        (int)root, MPI_COMM_WORLD);
            if (me_root) {
                *n += (uint32_t)total;
            }
        }
    }
    free(counts);
    free(displs);
    free(mine);
    return st;
}
