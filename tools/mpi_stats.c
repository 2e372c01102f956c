/*
 * tools/mpi_stats.c: `asbuilt-mpi stats` without gathering the log.
 *
 * Once every rank holds its cases whole (mpi_load_owned), the report needs
 * no event on rank 0:
 * - the cases, the events, the duplicate events and the cases with tied
 *   timestamps (facts of whole cases) are summed over the ranks, and the
 *   time span is the earliest first and the latest last timestamp;
 * - the reading facts of each rank's span (records, drops with their first
 *   lines, coerced timestamps, the format) are merged on rank 0 in rank
 *   order, which is input order, from partials without cases;
 * - the events per activity are summed by name on rank 0 (the report lists
 *   every activity);
 * - the distinct resources are counted on the rank each name hashes to;
 * - each rank sends the variants of its cases (their count and first case)
 *   to the rank their activity sequence hashes to, which adds them up; the
 *   distinct variants are summed, and rank 0 takes the most frequent among
 *   the most frequent of each rank (a sequence lives on one rank only, so
 *   that is the whole log's most frequent).
 * So rank 0 holds what the report shows, and no rank more than its share.
 * The numbers are integers added in any order; the orders are the
 * engine's (ab_stats_view_sort), so the report is that of `asbuilt stats`
 * byte for byte. A share whose log has no timestamps falls back on
 * gathering the log: whether events keep file order is decided on the
 * whole input.
 */
#include "mpi_stats.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/partial.h"
#include "cli.h"
#include "mpi_comm.h"
#include "mpi_load.h"
#include "mpi_part.h"

/* What rank 0 keeps while the view lives. */
static struct {
    ab_log *log;        /* The gathered log (fallback), or NULL. */
    ab_log *facts;      /* The merged reading facts. */
    ab_data_quality dq; /* Theirs, with the facts of whole cases added. */
    mpi_bytes *msgs;    /* Messages the names point into. */
    int nmsgs;
    const char **names; /* Activities. */
    uint64_t *events;
    ab_stats_variant *top;
    const char **pool; /* The top variants' names. */
} keep;

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ s[i]) * 0x100000001B3ull;
    }
    return h;
}

/* A string with its NUL (so that names read in place are C strings). */
static void put_cstr(mpi_wbuf *b, const char *s)
{
    mpi_put_str(b, s, strlen(s) + 1);
}

static const char *get_cstr(ab__rbytes *r)
{
    uint32_t n;
    const char *s = ab__get_str(r, &n);
    if (s == NULL || n == 0 || s[n - 1] != '\0') {
        r->bad = 1;
        return NULL;
    }
    return s;
}

/* Moves a message into an mpi_bytes slot. */
static void give(mpi_bytes *to, mpi_wbuf *b)
{
    to->ptr = b->p;
    to->len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- Variants ---- */

/* A variant as the ranks send it: its sequence, its cases, and its first
 * case (by the time of its first event, then its id, as the log orders
 * cases). */
typedef struct svar {
    uint64_t hash;
    ab_stats_variant v; /* cases, length, activities, example_case. */
    ab_time first;
} svar;

static uint64_t seq_hash(const char *const *names, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < n; i++) {
        h = fnv(names[i], strlen(names[i]) + 1, h);
    }
    return h;
}

/* The log's order of cases: first event's time, then id in byte order. */
static int case_before(const svar *a, const svar *b)
{
    if (a->first != b->first) {
        return a->first < b->first;
    }
    const char *x = a->v.example_case, *y = b->v.example_case;
    size_t lx = strlen(x), ly = strlen(y);
    int c = memcmp(x, y, lx < ly ? lx : ly);
    return c != 0 ? c < 0 : lx < ly;
}

static int cmp_sequence(const void *pa, const void *pb)
{
    const svar *a = pa, *b = pb;
    if (a->hash != b->hash) {
        return a->hash < b->hash ? -1 : 1;
    }
    uint32_t n = a->v.length < b->v.length ? a->v.length : b->v.length;
    for (uint32_t i = 0; i < n; i++) {
        int c = strcmp(a->v.activities[i], b->v.activities[i]);
        if (c != 0) {
            return c;
        }
    }
    return a->v.length < b->v.length ? -1 : (a->v.length > b->v.length);
}

static int cmp_report(const void *a, const void *b)
{
    return ab_stats_variant_cmp(a, b);
}

static void swap_rows(ab_stats_variant *a, ab_stats_variant *b)
{
    ab_stats_variant t = *a;
    *a = *b;
    *b = t;
}

/* Restores the heap of rows[0..n) below i: every row before (in report
 * order) its parent, the last of the kept ones at the top. */
static void sift_down(ab_stats_variant *rows, uint32_t n, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, w = i;
        w = l < n && ab_stats_variant_cmp(&rows[l], &rows[w]) > 0 ? l : w;
        w = r < n && ab_stats_variant_cmp(&rows[r], &rows[w]) > 0 ? r : w;
        if (w == i) {
            return;
        }
        swap_rows(&rows[i], &rows[w]);
        i = w;
    }
}

/* Puts the first n of rows[0..count) in report order into rows[0..n), in
 * that order: a heap of the n best kept so far, when n is small against
 * count (the usual --top of a log of many variants), else a sort. */
static void select_top(ab_stats_variant *rows, uint32_t count, uint32_t n)
{
    if (n == 0) {
        return;
    }
    if (n > count / 8) {
        qsort(rows, count, sizeof(*rows), cmp_report);
        return;
    }
    for (uint32_t i = n / 2; i-- > 0;) {
        sift_down(rows, n, i);
    }
    for (uint32_t i = n; i < count; i++) {
        if (ab_stats_variant_cmp(&rows[i], &rows[0]) < 0) {
            swap_rows(&rows[i], &rows[0]);
            sift_down(rows, n, 0);
        }
    }
    qsort(rows, n, sizeof(*rows), cmp_report);
}

static void put_variant(mpi_wbuf *b, const ab_stats_variant *v, ab_time first)
{
    mpi_put_u32(b, v->cases);
    mpi_put_u32(b, v->length);
    for (uint32_t i = 0; i < v->length; i++) {
        put_cstr(b, v->activities[i]);
    }
    mpi_put(b, &first, sizeof(first));
    put_cstr(b, v->example_case);
}

/* Reads the variants of msgs[0..n) into *out (count in *count_out), names
 * into *pool_out; 0 when a message is damaged or memory runs out. */
static int get_variants(const mpi_bytes *msgs, int n, svar **out, uint32_t *count_out,
                        const char ***pool_out)
{
    *out = NULL;
    *pool_out = NULL;
    *count_out = 0;
    /* Counted first: every variant and name takes at least 4 bytes. */
    uint64_t vars = 0, bytes = 0;
    for (int i = 0; i < n; i++) {
        ab__rbytes r = {msgs[i].ptr, (size_t)msgs[i].len, 0, 0};
        vars += msgs[i].len > 0 ? ab__get_u32(&r) : 0;
        bytes += msgs[i].len;
    }
    if (vars > bytes / 4) {
        return 0;
    }
    svar *v = malloc(sizeof(*v) * (vars + 1));
    const char **pool = malloc(sizeof(*pool) * (bytes / 4 + 1));
    if (v == NULL || pool == NULL) {
        free(v);
        free(pool);
        return 0;
    }
    uint64_t k = 0, used = 0;
    int ok = 1;
    for (int i = 0; ok && i < n; i++) {
        if (msgs[i].len == 0) {
            continue;
        }
        ab__rbytes r = {msgs[i].ptr, (size_t)msgs[i].len, 0, 0};
        uint32_t m = ab__get_u32(&r);
        for (uint32_t j = 0; ok && j < m; j++) {
            svar *x = &v[k];
            x->v.cases = ab__get_u32(&r);
            x->v.length = ab__get_u32(&r);
            if (r.bad || x->v.length > (r.len - r.off) / 4) {
                ok = 0;
                break;
            }
            x->v.activities = pool + used;
            for (uint32_t a = 0; a < x->v.length; a++) {
                pool[used++] = get_cstr(&r);
            }
            ab__get(&r, &x->first, sizeof(x->first));
            x->v.example_case = get_cstr(&r);
            ok = !r.bad;
            if (ok) {
                x->hash = seq_hash(x->v.activities, x->v.length);
                k++;
            }
        }
        ok = ok && r.off == r.len;
    }
    if (!ok) {
        free(v);
        free(pool);
        return 0;
    }
    *out = v;
    *count_out = (uint32_t)k;
    *pool_out = pool;
    return 1;
}

/* ---- The view on rank 0 ---- */

void mpi_stats_release(ab_ctx *ctx, ab_stats_view *v)
{
    if (keep.log != NULL) {
        ab_stats_view_dispose(v, ctx);
    }
    ab_log_destroy(keep.log);
    ab_log_destroy(keep.facts);
    mpi_free_all(keep.msgs, keep.nmsgs);
    free(keep.msgs);
    free(keep.names);
    free(keep.events);
    free(keep.top);
    free(keep.pool);
    memset(&keep, 0, sizeof(keep));
    memset(v, 0, sizeof(*v));
}

static int cmp_name(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static void damaged(ab_error *err)
{
    snprintf(err->msg, sizeof(err->msg), "internal error: a damaged message between ranks");
    err->code = AB_ERROR;
}

/* ---- The whole ---- */

/* The other ranks end here: a failure was agreed (rc), or their part is done. */
static int finish(int rc)
{
    if (mpi_rank != 0) {
        mpi_finish(rc);
    }
    return rc;
}

int mpi_stats_view(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                   uint32_t top, ab_stats_view *out)
{
    const int P = mpi_size, me = mpi_rank;
    memset(out, 0, sizeof(*out));
    memset(&keep, 0, sizeof(keep));
    ab_log *owned = NULL;
    int rc = mpi_load_owned(ctx, ro, paths, count, &owned);
    if (rc != EXIT_OK) {
        return finish(rc);
    }
    int untimed = owned != NULL && ab_log_event_count(owned) > 0 && !ab_log_has_timestamps(owned);
    if (mpi_max_u64((uint64_t)untimed) != 0) {
        rc = mpi_gather_log(ctx, ro, EXIT_OK, owned, &keep.log);
        if (rc == EXIT_OK && ab_stats_view_of(out, ctx, keep.log, top) != AB_OK) {
            rc = cli_report_status(AB_ENOMEM, NULL);
        }
        return rc;
    }
    ab_error err;
    ab_error_clear(&err);
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    svar *vars = NULL;
    const char **pool = NULL, **local_names = NULL;
    uint32_t nvars = 0;
    int st = send == NULL || recv == NULL ? AB_ENOMEM : AB_OK;

    /* The reading facts, to rank 0. */
    ab_buf fb = AB_BUF_INIT;
    if (st == AB_OK && owned != NULL) {
        st = ab_partial_write_cases(&fb, ctx, owned, ro, NULL, 0, 1, &err);
        st = st == AB_OK ? mpi_take_buf(&send[0], &fb) : st;
    }
    ab_buf_dispose(&fb);
    if ((rc = mpi_settle(st, &err)) != EXIT_OK || (rc = mpi_exchange(send, recv, NULL)) != 0) {
        goto done;
    }
    mpi_free_all(send, P);
    if (me == 0) {
        st = mpi_part_merge(&keep.facts, ctx, recv, P, ro, &err);
        if (st == AB_OK && keep.facts == NULL) {
            st = AB_ERROR; /* Some rank always sends its facts. */
            snprintf(err.msg, sizeof(err.msg), "internal error: no partial reached rank 0");
            err.code = AB_ERROR;
        }
    }
    mpi_free_all(recv, P);
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto done;
    }

    /* Counts and the time span. */
    uint64_t sums[5] = {0, 0, 0, 0, 0}, all[5];
    int64_t span[2] = {INT64_MAX, INT64_MAX}; /* min first, min -last */
    uint32_t nv = owned != NULL ? ab_log_variant_count(owned) : 0;
    if (owned != NULL) {
        const ab_data_quality *q = ab_log_data_quality(owned);
        sums[0] = ab_log_case_count(owned);
        sums[1] = ab_log_event_count(owned);
        sums[2] = q->duplicate_events;
        sums[3] = q->cases_with_equal_timestamps;
        sums[4] = q->events_without_timestamp;
        ab_time first, last;
        ab_log_time_span(owned, &first, &last);
        if (first != AB_TIME_NONE) {
            span[0] = first;
            span[1] = -last;
        }
    }
    MPI_Allreduce(sums, all, 5, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    int64_t gspan[2];
    MPI_Allreduce(span, gspan, 2, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);

    /* Activities to rank 0; resource names and variants to their owners. */
    mpi_wbuf acts = {NULL, 0, 0, 0};
    mpi_wbuf *res = calloc((size_t)P, sizeof(*res));
    mpi_wbuf *vb = calloc((size_t)P, sizeof(*vb));
    uint32_t *res_n = calloc((size_t)P, sizeof(uint32_t)),
             *var_n = calloc((size_t)P, sizeof(uint32_t));
    uint32_t vmax = 0;
    for (uint32_t v = 0; v < nv; v++) {
        uint32_t l = ab_log_variant_length(owned, v);
        vmax = l > vmax ? l : vmax;
    }
    local_names = malloc(sizeof(*local_names) * ((size_t)vmax + 1));
    st = res == NULL || vb == NULL || res_n == NULL || var_n == NULL || local_names == NULL
             ? AB_ENOMEM
             : AB_OK;
    if (st == AB_OK && owned != NULL) {
        uint32_t na = ab_log_activity_count(owned), k = 0;
        for (uint32_t a = 0; a < na; a++) {
            k += ab_log_activity_events(owned, a) > 0;
        }
        mpi_put_u32(&acts, k);
        for (uint32_t a = 0; a < na; a++) {
            uint64_t e = ab_log_activity_events(owned, a);
            if (e > 0) {
                mpi_put_count(&acts, ab_log_activity_name(owned, a), e);
            }
        }
        /* Room for the counts written first. */
        for (int d = 0; d < P; d++) {
            mpi_put_u32(&res[d], 0);
            mpi_put_u32(&vb[d], 0);
        }
        for (uint32_t r = 0; r < ab_log_resource_count(owned); r++) {
            const char *name = ab_log_resource_name(owned, r);
            int d = (int)(fnv(name, strlen(name), 0xcbf29ce484222325ull) % (uint64_t)P);
            put_cstr(&res[d], name);
            res_n[d]++;
        }
        const ab_time *ts = ab_log_col_time(owned);
        for (uint32_t v = 0; v < nv; v++) {
            ab_stats_variant x;
            x.cases = ab_log_variant_cases(owned, v);
            x.length = ab_log_variant_length(owned, v);
            const uint32_t *seq = ab_log_variant_activities(owned, v);
            for (uint32_t i = 0; i < x.length; i++) {
                local_names[i] = ab_log_activity_name(owned, seq[i]);
            }
            x.activities = local_names;
            uint32_t c0 = ab_log_variant_case_list(owned, v)[0];
            x.example_case = ab_log_case_id(owned, c0);
            int d = (int)(seq_hash(local_names, x.length) % (uint64_t)P);
            put_variant(&vb[d], &x, ts[ab_log_case_first(owned, c0)]);
            var_n[d]++;
        }
        for (int d = 0; d < P; d++) {
            if (res[d].p != NULL) {
                memcpy(res[d].p, &res_n[d], 4);
            }
            if (vb[d].p != NULL) {
                memcpy(vb[d].p, &var_n[d], 4);
            }
        }
    }
    for (int d = 0; st == AB_OK && d < P; d++) {
        st = res[d].bad || vb[d].bad ? AB_ENOMEM : AB_OK;
    }
    st = st == AB_OK && acts.bad ? AB_ENOMEM : st;
    ab_log_destroy(owned);
    owned = NULL;
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto variants_done;
    }
    /* Resources: the distinct names of each owner, summed. */
    for (int d = 0; d < P; d++) {
        give(&send[d], &res[d]);
    }
    if ((rc = mpi_exchange(send, recv, NULL)) != 0) {
        goto variants_done;
    }
    mpi_free_all(send, P);
    uint64_t distinct = 0;
    {
        uint64_t bytes = 0;
        for (int i = 0; i < P; i++) {
            bytes += recv[i].len;
        }
        const char **names = malloc(sizeof(*names) * (bytes / 5 + 1));
        uint64_t k = 0;
        st = names == NULL ? AB_ENOMEM : AB_OK;
        for (int i = 0; st == AB_OK && i < P; i++) {
            if (recv[i].len == 0) {
                continue;
            }
            ab__rbytes r = {recv[i].ptr, (size_t)recv[i].len, 0, 0};
            uint32_t m = ab__get_u32(&r);
            for (uint32_t j = 0; j < m && !r.bad && k < bytes / 5 + 1; j++) {
                names[k++] = get_cstr(&r);
            }
            st = r.bad || r.off != r.len ? AB_EPARSE : AB_OK;
        }
        if (st == AB_OK) {
            qsort(names, k, sizeof(*names), cmp_name);
            for (uint64_t i = 0; i < k; i++) {
                distinct += i == 0 || strcmp(names[i - 1], names[i]) != 0;
            }
        }
        free(names);
        mpi_free_all(recv, P);
    }
    if (st == AB_EPARSE) {
        damaged(&err);
        st = AB_ERROR;
    }
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto variants_done;
    }
    uint64_t resources = mpi_sum_u64(distinct);

    /* Variants: added up on their owners. */
    for (int d = 0; d < P; d++) {
        give(&send[d], &vb[d]);
    }
    if ((rc = mpi_exchange(send, recv, NULL)) != 0) {
        goto variants_done;
    }
    mpi_free_all(send, P);
    st = get_variants(recv, P, &vars, &nvars, &pool) ? AB_OK : AB_ERROR;
    uint32_t groups = 0;
    mpi_wbuf tb = {NULL, 0, 0, 0};
    if (st == AB_OK) {
        qsort(vars, nvars, sizeof(*vars), cmp_sequence);
        for (uint32_t i = 0; i < nvars; i++) {
            if (groups > 0 && cmp_sequence(&vars[groups - 1], &vars[i]) == 0) {
                svar *g = &vars[groups - 1];
                g->v.cases += vars[i].v.cases;
                if (case_before(&vars[i], g)) {
                    g->first = vars[i].first;
                    g->v.example_case = vars[i].v.example_case;
                }
            } else {
                vars[groups++] = vars[i];
            }
        }
        /* This rank's most frequent, in the report's order, to rank 0. */
        ab_stats_variant *rows = malloc(sizeof(*rows) * ((size_t)groups + 1));
        st = rows == NULL ? AB_ENOMEM : AB_OK;
        if (st == AB_OK) {
            for (uint32_t i = 0; i < groups; i++) {
                rows[i] = vars[i].v;
            }
            uint32_t n = groups < top ? groups : top;
            select_top(rows, groups, n);
            mpi_put_u32(&tb, n);
            for (uint32_t i = 0; i < n; i++) {
                put_variant(&tb, &rows[i], 0);
            }
            st = tb.bad ? AB_ENOMEM : AB_OK;
            free(rows);
        }
    } else {
        damaged(&err);
    }
    if (me == 0 && st == AB_OK) {
        keep.msgs = calloc((size_t)P * 2, sizeof(*keep.msgs));
        st = keep.msgs == NULL ? AB_ENOMEM : AB_OK;
    }
    mpi_free_all(recv, P); /* The names are in tb now. */
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        free(tb.p);
        goto variants_done;
    }
    uint64_t variants = mpi_sum_u64(groups);
    /* To rank 0: each rank's most frequent variants, then its activities. */
    give(&send[0], &tb);
    if ((rc = mpi_exchange(send, recv, NULL)) != 0) {
        goto variants_done;
    }
    mpi_free_all(send, P);
    if (me == 0) {
        memcpy(keep.msgs, recv, sizeof(*recv) * (size_t)P);
        memset(recv, 0, sizeof(*recv) * (size_t)P);
        keep.nmsgs = P;
    }
    give(&send[0], &acts);
    if ((rc = mpi_exchange(send, recv, NULL)) != 0) {
        goto variants_done;
    }
    mpi_free_all(send, P);
    if (me == 0) {
        memcpy(keep.msgs + P, recv, sizeof(*recv) * (size_t)P);
        memset(recv, 0, sizeof(*recv) * (size_t)P);
        keep.nmsgs = 2 * P;
        /* The view: the report's lines, from the ranks' messages. */
        svar *cand = NULL;
        uint32_t ncand = 0;
        int64_t na = mpi_sum_by_name(keep.msgs + P, P, &keep.names, &keep.events);
        st = na >= 0 && get_variants(keep.msgs, P, &cand, &ncand, &keep.pool) ? AB_OK : AB_ERROR;
        if (st == AB_OK) {
            keep.top = malloc(sizeof(*keep.top) * ((size_t)ncand + 1));
            st = keep.top == NULL ? AB_ENOMEM : AB_OK;
        } else {
            damaged(&err);
        }
        if (st == AB_OK) {
            for (uint32_t i = 0; i < ncand; i++) {
                keep.top[i] = cand[i].v;
            }
            keep.dq = *ab_log_data_quality(keep.facts);
            keep.dq.duplicate_events = all[2];
            keep.dq.cases_with_equal_timestamps = all[3];
            keep.dq.events_without_timestamp = all[4];
            out->format = ab_log_meta(keep.facts, "format");
            out->cases = (uint32_t)all[0];
            out->events = all[1];
            out->activities = (uint32_t)na;
            out->variants = (uint32_t)variants;
            out->resources = (uint32_t)resources;
            out->activity_names = keep.names;
            out->activity_events = keep.events;
            out->first = gspan[0] == INT64_MAX ? AB_TIME_NONE : gspan[0];
            out->last = gspan[0] == INT64_MAX ? AB_TIME_NONE : -gspan[1];
            out->dq = &keep.dq;
            out->top = keep.top;
            out->top_count = ncand;
            st = ab_stats_view_sort(out, ctx);
            out->top_count = ncand < top ? ncand : top;
        }
        free(cand);
        if (st != AB_OK) {
            rc = cli_report_status(st, &err);
        } else {
            mpi_phase("stats on rank 0: %llu variants (%u candidates for the top), %u activities",
                      (unsigned long long)variants, ncand, out->activities);
        }
    }
variants_done:
    for (int d = 0; res != NULL && d < P; d++) {
        free(res[d].p);
    }
    for (int d = 0; vb != NULL && d < P; d++) {
        free(vb[d].p);
    }
    free(res);
    free(vb);
    free(res_n);
    free(var_n);
    free(acts.p);
done:
    mpi_free_all(send, P);
    mpi_free_all(recv, P);
    free(send);
    free(recv);
    free(vars);
    free(pool);
    free(local_names);
    ab_log_destroy(owned);
    if (rc != EXIT_OK && me == 0) {
        mpi_stats_release(ctx, out);
    }
    return finish(rc);
}
