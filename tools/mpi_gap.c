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

/* Appends every rank's mine[0..k) to v (*n values there), in rank order. */
static int gather_values(const int64_t *mine, uint32_t k, int64_t *v, uint32_t *n)
{
    const int P = mpi_size;
    int *counts = calloc((size_t)P, sizeof(int)), *displs = calloc((size_t)P, sizeof(int));
    int st = agree(counts == NULL || displs == NULL || k > INT32_MAX ? AB_ENOMEM : AB_OK);
    if (st == AB_OK) {
        int mk = (int)k;
        MPI_Allgather(&mk, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
        uint64_t total = 0;
        for (int s = 0; s < P; s++) {
            displs[s] = (int)total;
            total += (uint64_t)counts[s];
        }
        if (total > INT32_MAX) {
            st = AB_ELIMIT;
        } else {
            MPI_Allgatherv(mine, mk, MPI_INT64_T, v + *n, counts, displs, MPI_INT64_T,
                           MPI_COMM_WORLD);
            *n += (uint32_t)total;
        }
    }
    free(counts);
    free(displs);
    return st;
}

int mpi_parts_values(mpi_parts *p, const ab__gap_span *spans, size_t count, int64_t *v, uint32_t *n)
{
    /* A span yields at most one value per case of its group laid out here. */
    uint64_t most = 0;
    for (size_t q = 0; q < count && p->n > 0; q++) {
        most += ab__gap_share_laid(p->st, spans[q].group);
    }
    int64_t *mine = malloc(sizeof(int64_t) * (most + 1));
    uint32_t k = 0;
    int st = agree(mine == NULL ? AB_ENOMEM : AB_OK);
    if (st == AB_OK && p->n > 0) {
        ab__gap_share_values(p->st, spans, count, p->group_len, mine, &k);
    }
    if (st == AB_OK) {
        st = gather_values(mine, k, v, n);
    }
    free(mine);
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

int mpi_parts_cts(mpi_parts *p, const uint8_t *in_group, int64_t *v, uint32_t *n)
{
    int64_t *mine = malloc(sizeof(int64_t) * ((size_t)p->n + 1));
    uint32_t k = 0;
    int st = agree(mine == NULL ? AB_ENOMEM : AB_OK);
    if (st == AB_OK && p->n > 0) {
        ab__gap_share_cts(p->st, in_group, mine, &k);
    }
    if (st == AB_OK) {
        st = gather_values(mine, k, v, n);
    }
    free(mine);
    return st;
}

int mpi_parts_list_cts(mpi_parts *p, const uint32_t *cases, uint64_t count, const uint8_t *in_group,
                       int64_t *v, uint32_t *n)
{
    int64_t *mine = malloc(sizeof(int64_t) * ((size_t)p->n + 1));
    uint32_t k = 0;
    int st = agree(mine == NULL ? AB_ENOMEM : AB_OK);
    /* The listed cases held here: both lists ascending, one merge. */
    for (uint64_t q = 0, i = 0; st == AB_OK && q < count && i < p->n;) {
        if (p->global[i] < cases[q]) {
            i++;
        } else if (p->global[i] > cases[q]) {
            q++;
        } else {
            int64_t ct = ab__gap_share_ct_at(p->st, (uint32_t)i);
            if (in_group[ab__gap_share_group_at(p->st, (uint32_t)i)] && ct != INT64_MIN) {
                mine[k++] = ct;
            }
            i++;
            q++;
        }
    }
    if (st == AB_OK) {
        st = gather_values(mine, k, v, n);
    }
    free(mine);
    return st;
}

/* ---- The check ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Rank 0: whether two lists of values are the same multiset (sorts both). */
static int same_values(int64_t *a, uint32_t na, int64_t *b, uint32_t nb)
{
    qsort(a, na, sizeof(int64_t), cmp_i64);
    qsort(b, nb, sizeof(int64_t), cmp_i64);
    return na == nb && memcmp(a, b, sizeof(int64_t) * na) == 0;
}

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (mpi_rank == 0 && same && !(cond)) {                                                    \
            fprintf(stderr, "asbuilt-mpi: internal error: %s over the ranks differs\n", what);     \
            same = 0;                                                                              \
        }                                                                                          \
    } while (0)

int mpi_parts_check(ab_ctx *ctx, const ab_conform *local, uint32_t *variant_of,
                    uint32_t variant_count, const ab_log *merged, const ab_conform *merged_run)
{
    const uint32_t V = variant_count, G = 2 * variant_count;
    mpi_parts p;
    int st = mpi_parts_create(&p, ctx, mpi_kept_owned, local, mpi_kept_global, variant_of, V);
    if (st != AB_OK) {
        return mpi_agree(cli_exit_for(st));
    }
    /* Rank 0: one share of the merged log, the reference. */
    ab__gap_share_state *ref = NULL;
    uint32_t N = mpi_rank == 0 ? ab_log_case_count(merged) : 0;
    if (mpi_rank == 0) {
        uint32_t *vo = malloc(sizeof(uint32_t) * ((size_t)N + 1));
        for (uint32_t c = 0; vo != NULL && c < N; c++) {
            vo[c] = ab_conform_case_variant(merged_run, c);
        }
        ab__gap_share_input in = {merged, merged_run, mpi_conf_events, mpi_conf_starts, N,
                                  NULL,   vo};
        st = vo == NULL ? AB_ENOMEM : ab__gap_share_create(&ref, ctx, &in);
    }
    uint64_t *o1 = calloc((size_t)V + 1, sizeof(uint64_t)), *o2 = calloc((size_t)V + 1, 8);
    uint8_t *never = calloc((size_t)V + 1, 1), *gopen = calloc((size_t)G + 1, 1);
    uint32_t *group_of = malloc(sizeof(uint32_t) * ((size_t)G + 1));
    uint32_t *s1 = malloc(sizeof(uint32_t) * ((size_t)G * AB__GAP_SMALLEST + 1));
    uint32_t *s2 = malloc(sizeof(uint32_t) * ((size_t)G * AB__GAP_SMALLEST + 1));
    uint32_t *len = malloc(sizeof(uint32_t) * ((size_t)G + 1));
    uint32_t *val1 = calloc((size_t)G + 1, sizeof(uint32_t)), *val2 = calloc((size_t)G + 1, 4);
    uint64_t total = mpi_sum_u64(p.n);
    int64_t *x1 = malloc(sizeof(int64_t) * (total + 1)),
            *x2 = malloc(sizeof(int64_t) * (total + 1));
    if (o1 == NULL || o2 == NULL || never == NULL || gopen == NULL || group_of == NULL ||
        s1 == NULL || s2 == NULL || len == NULL || val1 == NULL || val2 == NULL || x1 == NULL ||
        x2 == NULL) {
        st = AB_ENOMEM;
    }
    /* ok: every collective so far went well (the same on every rank);
     * same: rank 0 found no difference. */
    int ok = (st = agree(st)) == AB_OK, same = 1;
    /* times and count_ct */
    ab_time last1 = AB_TIME_NONE, last2 = AB_TIME_NONE;
    uint64_t w1 = 0, w2 = 0;
    int64_t m1 = 0, m2 = 0;
    if (ok && (st = mpi_parts_times(&p, &last1, &w1, &m1)) == AB_OK && ref != NULL) {
        st = ab__gap_share_times(ref, &last2, &w2, &m2);
    }
    ok = ok && (st = agree(st)) == AB_OK;
    CHECK(last1 == last2 && w1 == w2 && m1 == m2, "times");
    int64_t at[] = {-1, 0, m1 / 7, m1 / 3, m1 / 2, m1 - 1, m1};
    uint64_t c1[7] = {0}, c2[7] = {0};
    if (ok && (st = mpi_parts_count_ct(&p, at, 7, c1)) == AB_OK && ref != NULL) {
        ab__gap_share_count_ct(ref, at, 7, c2);
    }
    CHECK(memcmp(c1, c2, sizeof(c1)) == 0, "count_ct");
    /* open, smallest, case_times */
    for (uint32_t v = 0; ok && v < V; v++) {
        never[v] = v % 3 == 1;
        group_of[2 * v] = v;
        group_of[2 * v + 1] = V + v;
    }
    if (ok && (st = mpi_parts_open(&p, last1, (double)m1 / 4, never, o1)) == AB_OK && ref != NULL) {
        ab__gap_share_open(ref, last1, (double)m1 / 4, never, o2);
    }
    CHECK(memcmp(o1, o2, sizeof(uint64_t) * V) == 0, "open");
    for (size_t i = 0; ok && i < (size_t)G * AB__GAP_SMALLEST; i++) {
        s2[i] = UINT32_MAX;
    }
    if (ok && (st = mpi_parts_smallest(&p, group_of, 1, G, s1)) == AB_OK && ref != NULL) {
        ab__gap_share_smallest(ref, group_of, 1, s2);
    }
    CHECK(memcmp(s1, s2, sizeof(uint32_t) * G * AB__GAP_SMALLEST) == 0, "smallest");
    uint32_t nc = 0;
    for (size_t i = 0; ok && i < (size_t)G * AB__GAP_SMALLEST; i++) {
        if (s1[i] != UINT32_MAX) {
            s1[nc++] = s1[i];
        }
    }
    ab_time *t = malloc(sizeof(ab_time) * (3 * (size_t)nc + 1));
    uint32_t *pos = malloc(sizeof(uint32_t) * ((size_t)nc + 1));
    ok = ok && agree(t == NULL || pos == NULL ? AB_ENOMEM : AB_OK) == AB_OK;
    for (uint32_t i = 0; ok && i < nc; i++) {
        pos[i] = i % 3;
    }
    if (ok &&
        (st = mpi_parts_case_times(&p, nc, s1, pos, t, t + nc, t + 2 * (size_t)nc)) == AB_OK &&
        ref != NULL) {
        for (uint32_t i = 0; ok && i < nc; i++) {
            ab_time a, b, c;
            ab__gap_share_case_times(ref, s1[i], pos[i], &a, &b, &c);
            CHECK(a == t[i] && b == t[nc + i] && c == t[2 * (size_t)nc + i], "case_times");
        }
    }
    free(t);
    free(pos);
    /* valid, lay_out, values, cts: the open groups are the second half. */
    for (uint32_t gi = V; ok && gi < G; gi++) {
        gopen[gi] = 1;
    }
    memset(val1, 0, sizeof(uint32_t) * G);
    if (ok && (st = mpi_parts_valid(&p, gopen, G, val1)) == AB_OK && ref != NULL) {
        ab__gap_share_valid(ref, gopen, val2);
    }
    CHECK(memcmp(val1, val2, sizeof(uint32_t) * G) == 0, "valid");
    /* Each group's length, its variant's: from rank 0's run, broadcast. */
    for (uint32_t gi = 0; ok && gi < G; gi++) {
        len[gi] = 0;
    }
    if (ok && mpi_rank == 0) {
        for (uint32_t c = 0; c < N; c++) {
            uint32_t k = 0;
            ab_conform_case_events(merged_run, c, &k);
            uint32_t v = ab_conform_case_variant(merged_run, c);
            len[v] = len[V + v] = k;
        }
    }
    if (ok) {
        MPI_Bcast(len, (int)G, MPI_UINT32_T, 0, MPI_COMM_WORLD);
    }
    if (ok && (st = mpi_parts_lay_out(&p, val1, len, G)) == AB_OK && ref != NULL) {
        st = ab__gap_share_lay_out(ref, val1, len, G);
    }
    ok = ok && (st = agree(st)) == AB_OK;
    for (uint32_t gi = 0; ok && gi < G && gi < 400; gi++) {
        if (val1[gi] == 0) {
            continue;
        }
        ab__gap_span sp[2] = {{gi, AB__GAP_CODE_START, 0, AB__GAP_CODE_END, 0},
                              {gi, 0, 0, 0, len[gi] > 0 ? len[gi] - 1 : 0}};
        for (int k = 0; k < 2 && ok; k++) {
            uint32_t n1 = 0, n2 = 0;
            if ((st = mpi_parts_values(&p, &sp[k], 1, x1, &n1)) == AB_OK && ref != NULL) {
                ab__gap_share_values(ref, &sp[k], 1, len, x2, &n2);
                CHECK(same_values(x1, n1, x2, n2), "values");
            }
            ok = ok && (st = agree(st)) == AB_OK;
        }
    }
    uint8_t *in = calloc((size_t)G + 1, 1);
    ok = ok && agree(in == NULL ? AB_ENOMEM : AB_OK) == AB_OK;
    for (uint32_t gi = 0; ok && gi < G; gi += 2) {
        in[gi] = 1;
    }
    uint32_t n1 = 0, n2 = 0;
    if (ok && (st = mpi_parts_cts(&p, in, x1, &n1)) == AB_OK && ref != NULL) {
        ab__gap_share_cts(ref, in, x2, &n2);
        CHECK(same_values(x1, n1, x2, n2), "cts");
    }
    free(in);
    int rc = st != AB_OK ? cli_exit_for(st) : ok && same ? EXIT_OK : EXIT_IO;
    rc = mpi_agree(rc);
    if (rc == EXIT_OK) {
        mpi_phase("gap parts: every call over the ranks, as on rank 0");
    }
    mpi_parts_destroy(&p);
    ab__gap_share_destroy(ref);
    free(o1);
    free(o2);
    free(never);
    free(gopen);
    free(group_of);
    free(s1);
    free(s2);
    free(len);
    free(val1);
    free(val2);
    free(x1);
    free(x2);
    return rc;
}
