/*
 * tools/mpi_diff.c: `asbuilt-mpi diff` with every rank on its own cases.
 * No rank gathers the log: each keeps the cases it owns after the shuffle
 * (mpi_load_owned), numbered as one process numbers them (mpi_case_order)
 * and widened to the whole input's activities (mpi_global_activities),
 * and runs the command on them (tools/cmd_diff.c) through four hooks:
 * - the log: its own cases (a rank without any gets the activity names);
 * - the mapping's coverage: each activity's events summed over the ranks;
 * - the conformance: its own cases, their variants made global
 *   (mpi_global_variants: every rank holds the same list, one process's);
 * - the gap: the engine's computation (ab__gap_compute_view) over the
 *   global variants, with a header of the whole input (counts summed,
 *   data quality summed, the distinct activity sequences counted where
 *   they hash to) and parts whose calls are collectives (mpi_gap.c; each
 *   rank replays every P-th variant on the map, ab__gap_replay_spread).
 *   Every rank then holds the same gap; the ids of the cases the reports name
 *   are sent to rank 0, which writes the reports.
 * Memory per rank: its cases, the global variants and their alignments,
 * and a finding's samples (8 bytes a value).
 */
#include "mpi_diff.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gap/gap_int.h"
#include "mpi_comm.h"
#include "mpi_gap.h"
#include "mpi_load.h"
#include "mpi_order.h"
#include "mpi_variants.h"

/* What the hooks share, from the load to the exit. */
static struct {
    ab_ctx *ctx;
    const ab_log *log; /* This rank's cases (the command owns it). */
    int empty;         /* None: the log holds the activity names alone. */
    uint32_t *global;  /* Per case of log: its index in the whole log. */
    uint64_t *events;  /* Per activity: its events in the whole input. */
    const char **names;
    uint32_t *sorted;
    mpi_gvariants gv;
    const ab_conform_variant **vars;
    mpi_parts parts;
    int have_parts;
    /* The ids of the cases the reports name (rank 0), by index. */
    uint32_t *id_case;
    char **ids;
    size_t id_count;
} S;

int mpi_diff_load(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                  ab_log **out)
{
    ab_log *owned = NULL;
    *out = NULL;
    int rc = mpi_load_owned(ctx, ro, paths, count, &owned);
    if (rc == EXIT_OK) {
        rc = mpi_case_order(owned, &S.global);
    }
    if (rc == EXIT_OK) {
        S.empty = owned == NULL;
        rc = mpi_global_activities(&owned, ctx);
        mpi_phase("numbered: the cases in the whole log, the activities the whole input's");
    }
    if (rc != EXIT_OK) {
        ab_log_destroy(owned);
        return rc;
    }
    S.log = owned;
    *out = owned;
    if (mpi_rank != 0) {
        mpi_stderr_quiet(); /* What the command prints is rank 0's. */
    }
    return EXIT_OK;
}

/* Each activity's events over the ranks (once). */
static int activity_events(void)
{
    if (S.events != NULL) {
        return AB_OK;
    }
    uint32_t K = ab_log_activity_count(S.log);
    S.events = calloc((size_t)K + 1, sizeof(uint64_t));
    int st = mpi_agree(S.events == NULL ? 4 : 0) != 0 ? AB_ENOMEM : AB_OK;
    if (st == AB_OK) {
        for (uint32_t a = 0; a < K && !S.empty; a++) {
            S.events[a] = ab_log_activity_events(S.log, a);
        }
        mpi_reduce_pieces(S.events, K, sizeof(uint64_t), MPI_UINT64_T, MPI_SUM);
    }
    return st;
}

int mpi_diff_coverage(const ab_log *log, const ab_net *net, const ab_bpmn_mapping *mapping,
                      ab_gap_rate *events, ab_gap_rate *tasks, char *warning, size_t cap)
{
    int st = activity_events();
    return st != AB_OK ? st
                       : ab__gap_mapping_coverage_of(log, S.events, net, mapping, events, tasks,
                                                     warning, cap);
}

/* An ab_status agreed over the ranks: the first failure in rank order. */
static int agree_status(int st, ab_error *err)
{
    int who = -1;
    int failed = mpi_agree_who(st != AB_OK ? 1 : 0, &who);
    if (failed == 0) {
        return AB_OK;
    }
    int first = st;
    MPI_Bcast(&first, 1, MPI_INT, who, MPI_COMM_WORLD);
    if (st == AB_OK && err != NULL) {
        snprintf(err->msg, sizeof(err->msg), "rank %d: %s", who, ab_status_str(first));
        err->code = first;
    }
    return first;
}

int mpi_diff_conform(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                     const ab_conform_options *opts, ab_error *err)
{
    ab_conform_options o = *opts;
    if (mpi_rank != 0) {
        o.progress = NULL;
    }
    int st = ab_conform_run(out, ctx, log, net, &o, err);
    if (st == AB_OK && mpi_fails_at("conform")) {
        st = AB_ENOMEM;
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        err->code = st;
    }
    if ((st = agree_status(st, err)) != AB_OK) {
        ab_conform_destroy(*out);
        *out = NULL;
        return st;
    }
    mpi_phase("conformance: each rank's cases aligned");
    int rc = mpi_global_variants(S.empty ? NULL : *out, S.empty ? NULL : log, &S.gv);
    if (rc != EXIT_OK) {
        ab_conform_destroy(*out);
        *out = NULL;
        snprintf(err->msg, sizeof(err->msg), "the variants over the ranks failed");
        err->code = AB_ERROR;
        return AB_ERROR;
    }
    mpi_phase("variants made global: %u (%llu bytes of variants from rank 0 to each rank)",
              S.gv.count, (unsigned long long)S.gv.sent);
    return AB_OK;
}

/* ---- The header ---- */

static int cmp_name(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return strcmp(S.names[a], S.names[b]);
}

typedef struct seq {
    const unsigned char *acts;
    uint32_t n;
    uint64_t hash;
} seq;

static int cmp_seq(const void *pa, const void *pb)
{
    const seq *a = pa, *b = pb;
    if (a->hash != b->hash) {
        return a->hash < b->hash ? -1 : 1;
    }
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    return memcmp(a->acts, b->acts, (size_t)a->n * 4);
}

/* The distinct activity sequences of the whole input, as stats counts
 * them: each rank's sent to the rank their hash names, counted there once
 * each. An ab_status, the same on every rank. */
static int count_sequences(uint64_t *out)
{
    const int P = mpi_size;
    mpi_wbuf *b = calloc((size_t)P, sizeof(*b));
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    seq *v = NULL;
    uint64_t mine = 0;
    int st = b != NULL && send != NULL && recv != NULL ? AB_OK : AB_ENOMEM;
    uint32_t V = S.empty ? 0 : ab_log_variant_count(S.log);
    for (uint32_t x = 0; st == AB_OK && x < V; x++) {
        const uint32_t *a = ab_log_variant_activities(S.log, x);
        uint32_t n = ab_log_variant_length(S.log, x);
        int d = (int)(mpi_seq_hash(a, n) % (uint64_t)P);
        mpi_put_u32(&b[d], n);
        mpi_put(&b[d], a, sizeof(uint32_t) * (size_t)n);
    }
    for (int d = 0; st == AB_OK && d < P; d++) {
        st = b[d].bad ? AB_ENOMEM : AB_OK;
        send[d].ptr = b[d].p;
        send[d].len = b[d].len;
    }
    if (mpi_agree(st != AB_OK ? 4 : 0) != 0 || mpi_exchange(send, recv, NULL) != 0) {
        st = AB_ENOMEM;
        goto done;
    }
    size_t total = 0, cap = 0;
    for (int s = 0; s < P && st == AB_OK; s++) {
        ab__rbytes r = {recv[s].ptr, (size_t)recv[s].len, 0, 0};
        while (r.off < r.len && !r.bad) {
            uint32_t n = ab__get_u32(&r);
            if (r.bad || n > (r.len - r.off) / 4) {
                st = AB_ERROR;
                break;
            }
            if (total == cap) {
                cap = cap < 64 ? 64 : cap * 2;
                seq *g = realloc(v, sizeof(*v) * cap);
                if (g == NULL) {
                    st = AB_ENOMEM;
                    break;
                }
                v = g;
            }
            v[total].acts = r.p + r.off;
            v[total].n = n;
            v[total].hash = mpi_seq_hash(r.p + r.off, n);
            total++;
            r.off += (size_t)n * 4;
        }
    }
    if (st == AB_OK && total > 1) {
        qsort(v, total, sizeof(*v), cmp_seq);
    }
    if (st == AB_OK) {
        for (size_t i = 0; i < total; i++) {
            mine += i == 0 || cmp_seq(&v[i - 1], &v[i]) != 0;
        }
    }
    st = agree_status(st, NULL);
    *out = st == AB_OK ? mpi_sum_u64(mine) : 0;
done:
    for (int d = 0; b != NULL && d < P; d++) {
        free(b[d].p);
    }
    free(b);
    free(send);
    mpi_drop_all(recv, P);
    free(v);
    return st;
}

/* Rank 0: the id of case c of the whole log, among those fetched. */
static const char *fetched_id(const void *src, uint32_t c)
{
    (void)src;
    size_t lo = 0, hi = S.id_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (S.id_case[mid] < c) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < S.id_count && S.id_case[lo] == c ? S.ids[lo] : "?";
}

/* The header of the whole input: the activities (the widened table, each
 * with its events summed), the counts summed, the data quality's counts
 * summed (each span was read by one rank), the distinct sequences. */
static int make_header(ab__gap_header *h)
{
    memset(h, 0, sizeof(*h));
    int st = activity_events();
    uint32_t K = ab_log_activity_count(S.log);
    S.names = malloc(sizeof(char *) * ((size_t)K + 1));
    S.sorted = malloc(sizeof(uint32_t) * ((size_t)K + 1));
    int bad = S.names == NULL || S.sorted == NULL || mpi_fails_at("header");
    if (st == AB_OK && mpi_agree(bad ? 4 : 0) != 0) {
        st = AB_ENOMEM;
    }
    if (st != AB_OK) {
        return st;
    }
    for (uint32_t a = 0; a < K; a++) {
        S.names[a] = ab_log_activity_name(S.log, a);
        S.sorted[a] = a;
    }
    qsort(S.sorted, K, sizeof(uint32_t), cmp_name);
    uint64_t variants = 0;
    if ((st = count_sequences(&variants)) != AB_OK) {
        return st;
    }
    uint64_t sums[4 + AB_DROP__COUNT] = {0};
    const ab_data_quality *q = ab_log_data_quality(S.log);
    if (!S.empty) {
        sums[0] = ab_log_case_count(S.log);
        sums[1] = ab_log_event_count(S.log);
        sums[2] = (uint64_t)(ab_log_has_timestamps(S.log) != 0);
        sums[3] = q->records;
        for (int r = 0; r < AB_DROP__COUNT; r++) {
            sums[4 + r] = q->dropped[r].count;
        }
    }
    uint64_t more[3] = {S.empty ? 0 : q->timestamps_coerced, S.empty ? 0 : q->duplicate_events,
                        S.empty ? 0 : q->cases_with_equal_timestamps};
    MPI_Allreduce(MPI_IN_PLACE, sums, 4 + AB_DROP__COUNT, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, more, 3, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    h->activity_count = K;
    h->activity_names = S.names;
    h->activity_events = S.events;
    h->activity_sorted = S.sorted;
    h->case_count = (uint32_t)sums[0];
    h->event_count = sums[1];
    h->variant_count = (uint32_t)variants;
    h->has_timestamps = sums[2] > 0;
    h->data_quality.records = sums[3];
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        h->data_quality.dropped[r].count = sums[4 + r];
    }
    h->data_quality.timestamps_coerced = more[0];
    h->data_quality.duplicate_events = more[1];
    h->data_quality.cases_with_equal_timestamps = more[2];
    h->case_id = fetched_id;
    h->case_src = NULL;
    return AB_OK;
}

/* The conformance counts of the whole input: the per-case ones summed,
 * the per-variant ones from the global variants. */
static void whole_stats(const ab_conform *conf, ab_conform_stats *out)
{
    const ab_conform_stats *c = ab_conform_get_stats(conf);
    uint64_t v[5] = {S.empty ? 0 : c->cases, S.empty ? 0 : c->instances,
                     S.empty ? 0 : c->paired_starts, S.empty ? 0 : c->unpaired_starts,
                     S.empty ? 0 : c->other_lifecycle};
    MPI_Allreduce(MPI_IN_PLACE, v, 5, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    *out = *c;
    out->cases = (uint32_t)v[0];
    out->instances = v[1];
    out->paired_starts = v[2];
    out->unpaired_starts = v[3];
    out->other_lifecycle = v[4];
    out->variants = S.gv.count;
    out->fitting_variants = out->fast_path_variants = out->approximate_variants = 0;
    out->states = 0;
    for (uint32_t i = 0; i < S.gv.count; i++) {
        const ab_conform_variant *x = &S.gv.v[i];
        out->fitting_variants += x->cost == 0;
        out->fast_path_variants += x->states == 0;
        out->approximate_variants += x->approximate != 0;
        out->states += x->states;
    }
}

/* ---- The parts: the calls of ab__gap_parts as collectives ---- */

static int p_times(void *p, ab_time *log_last, uint64_t *with_ct, int64_t *max_ct)
{
    return mpi_parts_times(p, log_last, with_ct, max_ct);
}

static int p_count_ct(void *p, const int64_t *at, size_t n, uint64_t *counts)
{
    return mpi_parts_count_ct(p, at, n, counts);
}

static int p_open(void *p, ab_time log_last, double horizon, const uint8_t *never_open,
                  uint64_t *open_per_variant)
{
    return mpi_parts_open(p, log_last, horizon, never_open, open_per_variant);
}

static int p_smallest(void *p, const uint32_t *group_of, int exclude, uint32_t group_count,
                      uint32_t *out)
{
    return mpi_parts_smallest(p, group_of, exclude, group_count, out);
}

static int p_case_times(void *p, size_t n, const uint32_t *cases, const uint32_t *pos,
                        ab_time *start, ab_time *end, ab_time *at)
{
    return mpi_parts_case_times(p, n, cases, pos, start, end, at);
}

static int p_valid(void *p, const uint8_t *group_open, uint32_t group_count, uint32_t *valid)
{
    return mpi_parts_valid(p, group_open, group_count, valid);
}

static int p_lay_out(void *p, const uint32_t *valid, const uint32_t *group_len,
                     uint32_t group_count)
{
    return mpi_parts_lay_out(p, valid, group_len, group_count);
}

static void p_unlay(void *p)
{
    mpi_parts_unlay(p);
}

static int p_values_to(void *p, const ab__gap_span *spans, size_t count, uint32_t root, int64_t *v,
                       uint32_t *n)
{
    if (mpi_agree(mpi_fails_at("values") ? 4 : 0) != 0) {
        return AB_ENOMEM;
    }
    return mpi_parts_values_to(p, spans, count, root, v, n);
}

/* ASBUILT_MPI_GATHER_MAX: the most values of a time impact's two samples
 * gathered to one rank (0: every time impact is measured by all ranks
 * together); unset, the engine's default (a rank's share of the cases). */
static int64_t gather_max(void)
{
    const char *v = getenv("ASBUILT_MPI_GATHER_MAX");
    if (v == NULL || *v == '\0') {
        return -1;
    }
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end == '\0' && n >= 0 ? (int64_t)n : -1;
}

/* This rank's values alone (a time impact measured by all ranks together). */
static int p_values_here(void *p, const ab__gap_span *spans, size_t count, int64_t *v, uint32_t *n)
{
    const mpi_parts *mp = p;
    if (mp->n > 0) {
        ab__gap_share_values(mp->st, spans, count, mp->group_len, v, n);
    }
    return AB_OK;
}

static int p_alltoall(void *p, void *const *send, const size_t *lens, void ***recv,
                      size_t **recv_lens)
{
    (void)p;
    const int P = mpi_size;
    mpi_bytes *out = calloc((size_t)P, sizeof(*out)), *in = calloc((size_t)P, sizeof(*in));
    *recv = calloc((size_t)P, sizeof(void *));
    *recv_lens = calloc((size_t)P, sizeof(size_t));
    int bad =
        out == NULL || in == NULL || *recv == NULL || *recv_lens == NULL || mpi_fails_at("select");
    for (int q = 0; !bad && send != NULL && q < P; q++) {
        out[q].ptr = send[q];
        out[q].len = lens[q];
    }
    if (mpi_agree(bad ? 4 : 0) != 0 || mpi_exchange(out, in, NULL) != 0) {
        free(out);
        free(in);
        free(*recv);
        free(*recv_lens);
        *recv = NULL;
        *recv_lens = NULL;
        return AB_ENOMEM;
    }
    for (int q = 0; q < P; q++) {
        (*recv)[q] = in[q].ptr;
        (*recv_lens)[q] = (size_t)in[q].len;
    }
    free(out);
    free(in);
    return AB_OK;
}

/* This rank's case c (a position of its share). */
static uint32_t p_case_group(const void *p, uint32_t c)
{
    return ab__gap_share_group_at(((const mpi_parts *)p)->st, c);
}

static int64_t p_case_ct(const void *p, uint32_t c)
{
    return ab__gap_share_ct_at(((const mpi_parts *)p)->st, c);
}

static int p_case_open(const void *p, uint32_t c)
{
    return ab__gap_share_open_at(((const mpi_parts *)p)->st, c);
}

static int p_exchange(void *p, const void *mine, size_t len, void ***all, size_t **lens,
                      uint32_t *count)
{
    (void)p;
    const int P = mpi_size;
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    *all = calloc((size_t)P, sizeof(void *));
    *lens = calloc((size_t)P, sizeof(size_t));
    *count = 0;
    int bad = recv == NULL || *all == NULL || *lens == NULL;
    if (mpi_agree(bad ? 4 : 0) != 0 || mpi_exchange_all(mine, len, recv) != 0) {
        free(recv);
        free(*all);
        free(*lens);
        *all = NULL;
        *lens = NULL;
        return AB_ENOMEM;
    }
    for (int s = 0; s < P; s++) {
        (*all)[s] = recv[s].ptr;
        (*lens)[s] = (size_t)recv[s].len;
    }
    *count = (uint32_t)P;
    free(recv);
    return AB_OK;
}

/* With the gap (its context alive). */
static void p_destroy(void *p)
{
    mpi_parts_destroy(p);
    S.have_parts = 0;
}

/* Per case of this rank: its global variant. */
static uint32_t *variants_of_cases(const ab_conform *conf)
{
    uint32_t n = S.empty ? 0 : ab_log_case_count(S.log);
    uint32_t *of = malloc(sizeof(uint32_t) * ((size_t)n + 1));
    for (uint32_t v = 0; of != NULL && !S.empty && v < ab_conform_variant_count(conf); v++) {
        const ab_conform_variant *x = ab_conform_variant_at(conf, v);
        for (uint32_t i = 0; i < x->case_count; i++) {
            of[x->cases[i]] = S.gv.local_to_global[v];
        }
    }
    return of;
}

/* ---- The ids the reports name ---- */

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

typedef struct named_id {
    uint32_t c;
    char *id;
} named_id;

static int cmp_named(const void *pa, const void *pb)
{
    uint32_t a = ((const named_id *)pa)->c, b = ((const named_id *)pb)->c;
    return a < b ? -1 : a > b;
}

/* The ids of the cases the gap's reports name, from the ranks that hold
 * them to rank 0. An ab_status, the same on every rank. */
static int fetch_ids(const ab_gap *gap)
{
    uint32_t *named = NULL;
    size_t n = 0;
    int st = ab__gap_named_cases(gap, &named, &n);
    const int P = mpi_size;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    mpi_wbuf b = {NULL, 0, 0, 0};
    uint32_t here = S.empty ? 0 : ab_log_case_count(S.log);
    for (size_t i = 0; st == AB_OK && i < n; i++) {
        uint32_t *at = bsearch(&named[i], S.global, here, sizeof(uint32_t), cmp_u32);
        if (at != NULL) {
            const char *id = ab_log_case_id(S.log, (uint32_t)(at - S.global));
            mpi_put_u32(&b, named[i]);
            mpi_put_str(&b, id, strlen(id));
        }
    }
    int bad = b.bad || send == NULL || recv == NULL || mpi_fails_at("ids");
    st = st == AB_OK && !bad ? AB_OK : AB_ENOMEM;
    if (mpi_agree(st != AB_OK ? 4 : 0) != 0) {
        st = AB_ENOMEM;
        goto done;
    }
    send[0].ptr = b.p;
    send[0].len = b.len;
    if (mpi_exchange(send, recv, NULL) != 0) {
        st = AB_ENOMEM;
        goto done;
    }
    if (mpi_rank == 0) {
        S.id_case = malloc(sizeof(uint32_t) * (n + 1));
        S.ids = calloc(n + 1, sizeof(char *));
        st = S.id_case != NULL && S.ids != NULL ? AB_OK : AB_ENOMEM;
        for (int s = 0; s < P && st == AB_OK; s++) {
            ab__rbytes r = {recv[s].ptr, (size_t)recv[s].len, 0, 0};
            while (r.off < r.len && st == AB_OK) {
                uint32_t c = ab__get_u32(&r), len = 0;
                const char *id = ab__get_str(&r, &len);
                if (id == NULL || S.id_count >= n) {
                    st = AB_ERROR;
                    break;
                }
                S.id_case[S.id_count] = c;
                S.ids[S.id_count] = strndup(id, len);
                st = S.ids[S.id_count++] != NULL ? AB_OK : AB_ENOMEM;
            }
        }
        /* Each rank's ascending: put the ranks' lists in one order. */
        if (st == AB_OK && S.id_count != n) {
            st = AB_ERROR;
        }
        named_id *pairs = st == AB_OK ? malloc(sizeof(*pairs) * (S.id_count + 1)) : NULL;
        if (st == AB_OK && pairs == NULL) {
            st = AB_ENOMEM;
        }
        if (st == AB_OK) {
            for (size_t i = 0; i < S.id_count; i++) {
                pairs[i].c = S.id_case[i];
                pairs[i].id = S.ids[i];
            }
            qsort(pairs, S.id_count, sizeof(*pairs), cmp_named);
            for (size_t i = 0; i < S.id_count; i++) {
                S.id_case[i] = pairs[i].c;
                S.ids[i] = pairs[i].id;
            }
        }
        free(pairs);
    }
    st = agree_status(st, NULL);
done:
    free(b.p);
    free(send);
    mpi_drop_all(recv, P);
    free(named);
    return st;
}

/* Under ASBUILT_MPI_VERBOSE, rank 0 names each step of the gap as it
 * starts (for bench/mpi_bench.sh). */
static void step_progress(const char *phase, uint64_t done, uint64_t total, void *payload)
{
    (void)done;
    const char **last = payload;
    if (*last == NULL || strcmp(*last, phase) != 0) {
        mpi_phase("step: %s (%llu)", phase, (unsigned long long)total);
        *last = phase;
    }
}

int mpi_diff_gap(ab_gap **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                 const ab_conform *conf, const ab_gap_options *opts, ab_error *err)
{
    S.ctx = ctx;
    *out = NULL;
    ab__gap_view view;
    memset(&view, 0, sizeof(view));
    int st = make_header(&view.header);
    S.vars = malloc(sizeof(*S.vars) * ((size_t)S.gv.count + 1));
    uint32_t *variant_of = S.vars != NULL ? variants_of_cases(conf) : NULL;
    if (st == AB_OK && mpi_agree(variant_of == NULL || mpi_fails_at("parts") ? 4 : 0) != 0) {
        st = AB_ENOMEM;
    }
    if (st == AB_OK) {
        st = mpi_parts_create(&S.parts, ctx, S.empty ? NULL : log, conf, S.global, variant_of,
                              S.gv.count);
        variant_of = NULL;
        S.have_parts = st == AB_OK;
    }
    free(variant_of);
    if (st != AB_OK) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        err->code = st;
        return st;
    }
    for (uint32_t v = 0; v < S.gv.count; v++) {
        S.vars[v] = &S.gv.v[v];
    }
    ab__gap_parts parts;
    memset(&parts, 0, sizeof(parts));
    parts.payload = &S.parts;
    parts.times = p_times;
    parts.count_ct = p_count_ct;
    parts.open = p_open;
    parts.smallest = p_smallest;
    parts.case_times = p_case_times;
    parts.valid = p_valid;
    parts.lay_out = p_lay_out;
    parts.unlay = p_unlay;
    parts.values_to = p_values_to;
    parts.case_group = p_case_group;
    parts.case_ct = p_case_ct;
    parts.case_open = p_case_open;
    parts.exchange = p_exchange;
    parts.alltoall = p_alltoall;
    parts.values_here = p_values_here;
    parts.gather_max = gather_max();
    parts.destroy = p_destroy;
    parts.process = (uint32_t)mpi_rank;
    parts.processes = (uint32_t)mpi_size;
    view.log = log;
    view.net = net;
    view.variant_count = S.gv.count;
    view.variants = S.vars;
    view.src = conf;
    view.case_events = mpi_conf_events;
    view.case_starts = mpi_conf_starts;
    whole_stats(conf, &view.stats);
    view.parts = &parts;
    view.case_global = S.global;
    ab_gap_options o = *opts;
    const char *last_step = NULL;
    if (mpi_verbose && mpi_rank == 0 && o.progress == NULL) {
        o.progress = step_progress;
        o.progress_payload = &last_step;
    }
    if (mpi_rank != 0) {
        /* Rank 0 writes the header: the others need not hash the input. */
        o.log_sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
        o.progress = NULL;
    }
    st = ab__gap_compute_view(out, ctx, &view, &o, err);
    if ((st = agree_status(st, err)) == AB_OK) {
        mpi_phase("gap: computed over the ranks, the same on every rank");
        st = fetch_ids(*out);
    }
    if (st != AB_OK) {
        ab_gap_destroy(*out);
        *out = NULL;
    }
    if (*out == NULL && S.have_parts) {
        p_destroy(&S.parts); /* No gap took them. */
    }
    return st;
}

/* ---- diff --cases: every case's line, in the whole log's order ----
 *
 * Rank 0 writes the lines as the writer asks for them, merging the ranks'
 * lines by case index: a rank's cases ascend in the whole log's order, so
 * the next line is at the head of one rank's batch. When it is at none,
 * rank 0 asks the ranks whose batches ran out for their next one (a
 * broadcast of who, then a gather of the batches). A batch holds whole
 * lines, about LINE_BATCH bytes of them, each after its case index and
 * length; rank 0 holds one batch a rank at most. */

#define LINE_BATCH ((size_t)1 << 20)
#define LINES_FAILED 0xFFFFFFFFu /* In place of a batch: this rank ran out of memory. */

static struct {
    uint32_t next;     /* This rank: its next case to put in a batch. */
    int ended;         /* Rank 0: the others were let go. */
    uint64_t emitted;  /* Rank 0: lines written, the next case index. */
    unsigned char **b; /* Rank 0: each rank's batch ... */
    size_t *len, *off; /* ... its length and what is read of it; */
    uint8_t *last;     /* its batch was its last. */
} L;

/* This rank's next batch: u32 1 when it is its last, then per line its case
 * index, its length (u32 each) and its bytes. */
static int line_batch(const ab_gap *gap, ab_buf *b)
{
    ab__wbytes w = {b, S.ctx, mpi_fails_at("lines") ? AB_ENOMEM : AB_OK};
    uint32_t n = S.empty ? 0 : S.parts.n, flag = 0;
    ab__put_u32(&w, 0);
    while (w.rc == AB_OK && L.next < n && b->len < LINE_BATCH) {
        uint32_t c = L.next++;
        size_t at = b->len;
        ab__put_u32(&w, S.global[c]);
        ab__put_u32(&w, 0);
        if (w.rc == AB_OK) {
            w.rc = ab__gap_write_case_line(gap, b, c, ab_log_case_id(S.log, c));
        }
        if (w.rc == AB_OK) {
            uint32_t len = (uint32_t)(b->len - at - 8);
            memcpy(b->ptr + at + 4, &len, sizeof(len));
        }
    }
    flag = L.next == n;
    if (w.rc == AB_OK) {
        memcpy(b->ptr, &flag, sizeof(flag));
    }
    return w.rc;
}

/* One round, on every rank: rank 0 says who sends (want, P bytes) or that
 * it is over (end; *over set on every rank); those ranks send their next
 * batch to rank 0, into L.b. Returns AB_OK, or AB_ENOMEM when a rank ran
 * out of memory (rank 0 learns it; the others, their own). */
static int line_round(const ab_gap *gap, const uint8_t *want, int end, int *over)
{
    const int P = mpi_size;
    unsigned char head = (unsigned char)end, piece[64], send_mine = 0;
    MPI_Bcast(&head, 1, MPI_BYTE, 0, MPI_COMM_WORLD);
    *over = head != 0;
    if (*over) {
        return AB_OK;
    }
    /* Who sends: a byte a rank, in pieces that need no memory. */
    for (int at = 0; at < P; at += (int)sizeof(piece)) {
        int n = P - at < (int)sizeof(piece) ? P - at : (int)sizeof(piece);
        if (mpi_rank == 0) {
            memcpy(piece, want + at, (size_t)n);
        }
        MPI_Bcast(piece, n, MPI_BYTE, 0, MPI_COMM_WORLD);
        if (mpi_rank >= at && mpi_rank < at + n) {
            send_mine = piece[mpi_rank - at];
        }
    }
    ab_buf b = AB_BUF_INIT;
    int st = AB_OK;
    if (send_mine) {
        st = line_batch(gap, &b);
        if (st != AB_OK) {
            uint32_t failed = LINES_FAILED;
            b.len = 0;
            st = ab_buf_append(&b, S.ctx, &failed, sizeof(failed));
        }
    }
    int mine = b.len > INT32_MAX ? 0 : (int)b.len;
    int *counts = mpi_rank == 0 ? calloc((size_t)P, sizeof(int)) : NULL;
    int *displs = mpi_rank == 0 ? calloc((size_t)P, sizeof(int)) : NULL;
    MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    unsigned char *all = NULL;
    int64_t total = 0;
    for (int r = 0; mpi_rank == 0 && counts != NULL && displs != NULL && r < P; r++) {
        displs[r] = (int)total;
        total += counts[r];
    }
    if (mpi_rank == 0 && counts != NULL && displs != NULL && total <= INT32_MAX) {
        all = malloc((size_t)total + 1);
    }
    MPI_Gatherv(b.ptr, mine, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    ab_buf_dispose(&b);
    if (mpi_rank == 0) {
        st = all == NULL ? AB_ENOMEM : st;
        for (int r = 0; st == AB_OK && r < P; r++) {
            if (!want[r]) {
                continue;
            }
            uint32_t flag = LINES_FAILED;
            if (counts[r] >= 4) {
                memcpy(&flag, all + displs[r], sizeof(flag));
            }
            if (flag == LINES_FAILED) {
                st = AB_ENOMEM;
                break;
            }
            free(L.b[r]);
            L.b[r] = malloc((size_t)counts[r]);
            if (L.b[r] == NULL) {
                st = AB_ENOMEM;
                break;
            }
            memcpy(L.b[r], all + displs[r], (size_t)counts[r]);
            L.len[r] = (size_t)counts[r];
            L.off[r] = 4;
            L.last[r] = flag == 1;
        }
    }
    free(all);
    free(counts);
    free(displs);
    return st;
}

/* cli_case_lines (rank 0): the next lines, up to LINE_BATCH bytes. */
int mpi_diff_case_lines(void *payload, ab_buf *out, int *done, ab_error *err)
{
    const ab_gap *gap = payload;
    const int P = mpi_size;
    uint64_t total = ab_gap_get_summary(gap)->cases;
    int st = AB_OK;
    if (L.b == NULL) {
        L.b = calloc((size_t)P, sizeof(*L.b));
        L.len = calloc((size_t)P, sizeof(size_t));
        L.off = calloc((size_t)P, sizeof(size_t));
        L.last = calloc((size_t)P, 1);
        st = L.b == NULL || L.len == NULL || L.off == NULL || L.last == NULL ? AB_ENOMEM : AB_OK;
    }
    uint8_t *want = calloc((size_t)P, 1);
    st = st == AB_OK && want == NULL ? AB_ENOMEM : st;
    while (st == AB_OK && L.emitted < total && out->len < LINE_BATCH) {
        int at = -1, ask = 0;
        for (int r = 0; r < P && at < 0; r++) {
            uint32_t c;
            if (L.off[r] + 8 <= L.len[r]) {
                memcpy(&c, L.b[r] + L.off[r], sizeof(c));
                at = c == L.emitted ? r : -1;
            }
        }
        if (at >= 0) {
            uint32_t len;
            memcpy(&len, L.b[at] + L.off[at] + 4, sizeof(len));
            if (len > L.len[at] - L.off[at] - 8) {
                st = AB_ERROR;
                break;
            }
            st = ab_buf_append(out, S.ctx, L.b[at] + L.off[at] + 8, len);
            L.off[at] += 8 + (size_t)len;
            L.emitted++;
            continue;
        }
        /* The next line is with a rank whose batch ran out. */
        for (int r = 0; r < P; r++) {
            want[r] = L.off[r] >= L.len[r] && !(L.b[r] != NULL && L.last[r]);
            ask |= want[r];
        }
        int over = 0;
        st = ask ? line_round(gap, want, 0, &over) : AB_ERROR;
        L.ended |= over;
    }
    free(want);
    *done = L.emitted >= total;
    if (st != AB_OK) {
        return ab__error(err, st, "asbuilt-mpi", 0, 0,
                         st == AB_ENOMEM ? "out of memory gathering the case lines"
                                         : "internal error: the ranks' case lines do not fit "
                                           "together");
    }
    return AB_OK;
}

/* cli_case_lines_end (rank 0): lets the other ranks go. */
void mpi_diff_case_lines_end(void)
{
    if (!L.ended) {
        int over;
        L.ended = 1;
        line_round(NULL, NULL, 1, &over);
    }
    for (int r = 0; L.b != NULL && r < mpi_size; r++) {
        free(L.b[r]);
    }
    free(L.b);
    free(L.len);
    free(L.off);
    free(L.last);
    L.b = NULL;
}

/* cli_case_lines_serve (the other ranks): their batches, until rank 0 is done. */
int mpi_diff_case_lines_serve(const ab_gap *gap)
{
    int failed = 0, over = 0;
    while (!over) {
        failed |= line_round(gap, NULL, 0, &over) != AB_OK;
    }
    return failed ? EXIT_IO : EXIT_OK;
}

void mpi_diff_release(void)
{
    mpi_gvariants_free(&S.gv);
    free(S.global);
    free(S.events);
    free(S.names);
    free(S.sorted);
    free(S.vars);
    for (size_t i = 0; i < S.id_count; i++) {
        free(S.ids[i]);
    }
    free(S.ids);
    free(S.id_case);
    memset(&S, 0, sizeof(S));
}
