/*
 * tools/mpi_discover.c: `asbuilt-mpi discover` without gathering the log.
 *
 * Once every rank holds its cases whole (mpi_load_owned), each summarises
 * them in an accumulator of its own (ab_dfg_discover_acc) and lets the
 * log go. Then:
 * - each rank sends its variants to the rank their activity names hash to,
 *   which adds them up and sends rank 0 its most frequent (--variants of
 *   them, all for 0); the distinct variants are summed;
 * - each rank sends rank 0 its counters: totals, activities, edges, the
 *   count, extremes and exact sum of every duration series;
 * - rank 0 loads it all and finishes the graph; the medians and p90 it
 *   needs are asked of every rank at once: rank 0 broadcasts the order
 *   statistics (series and rank k), and all ranks narrow each down by
 *   bisection, summing with MPI_Allreduce how many values of their own
 *   lie at or below the middle (ab_dfg_order_select). At most 64 rounds;
 *   each moves 8 bytes per order still open.
 * So rank 0 holds the graph and the listed variants' candidates, and every
 * rank its own durations (8 bytes each); the figures are those of one
 * process, exact (or the same sketch buckets), and the output is that of
 * `asbuilt discover` byte for byte.
 *
 * The case and activity filters (--top-variants, --activities) choose on
 * the whole log too: the variants are counted on their owners and rank 0
 * picks the most frequent from each owner's first; the events per activity
 * of the selected cases are summed on rank 0, which chooses; every rank
 * then applies the choice to its own cases. A log whose ranks hold timed
 * and untimed cases is gathered on rank 0: whether untimed events are kept
 * is decided on the whole log.
 */
#include "mpi_discover.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_ctl.h"
#include "mpi_comm.h"
#include "mpi_load.h"
#include "mpi_part.h"

static const char *no_names(uint32_t id, size_t *len_out, void *payload)
{
    (void)id;
    (void)len_out;
    (void)payload;
    return NULL;
}

/* ---- The order statistics, asked of every rank ---- */

typedef struct selection {
    ab_ctx *ctx;
    ab_dfg_acc *part;           /* This rank's cases. */
    const ab_dfg_order *orders; /* While selecting. */
    uint64_t *refs;
    int rc; /* An exit code already reported, or EXIT_OK. */
    uint64_t rounds;
} selection;

/* The counts of every rank, summed (in chunks that int counts carry). */
static int count_all(const uint32_t *which, size_t n, const int64_t *at, uint64_t *counts,
                     void *payload)
{
    selection *s = payload;
    ab_dfg_acc_order_count(s->part, s->orders, s->refs, which, n, at, counts);
    for (size_t off = 0; off < n;) {
        size_t m = n - off < (1u << 26) ? n - off : (1u << 26);
        MPI_Allreduce(MPI_IN_PLACE, counts + off, (int)m, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        off += m;
    }
    s->rounds++;
    return AB_OK;
}

/* Every rank: binds the orders to its series and selects. An exit code,
 * the same on every rank (reported). */
static int select_all(selection *s, ab_dfg_order *orders, size_t n)
{
    ab_error err;
    ab_error_clear(&err);
    s->refs = malloc(sizeof(*s->refs) * (n + 1));
    void *scratch = malloc(ab_dfg_order_scratch_bytes(n));
    int st = s->refs == NULL || scratch == NULL || mpi_fails_at("bind")
                 ? AB_ENOMEM
                 : ab_dfg_acc_order_bind(s->part, orders, n, s->refs);
    int rc = mpi_settle(st, &err);
    if (rc == EXIT_OK) {
        s->orders = orders;
        /* The counts are local and the sums collective: every rank takes the
         * same steps, and nothing in them can fail (the memory is agreed). */
        ab_dfg_order_select(orders, n, scratch, count_all, s);
    }
    free(scratch);
    free(s->refs);
    s->refs = NULL;
    return rc;
}

/*
 * The orders as broadcast: the names once (each with its NUL), then per
 * order its flags (1 buckets, 2 the series of the order before), unless
 * the same series its kind and name indices, then k, lo and hi.
 */
typedef struct name_slot {
    const char *p;
    uint32_t index;
} name_slot;

static int cmp_slot(const void *a, const void *b)
{
    const char *x = ((const name_slot *)a)->p, *y = ((const name_slot *)b)->p;
    return (x > y) - (x < y);
}

static int put_orders(mpi_wbuf *b, const ab_dfg_order *orders, size_t n)
{
    /* The distinct name pointers (the graph's, shared by its series). */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += i > 0 && orders[i].names == orders[i - 1].names ? 0 : orders[i].n_names;
    }
    name_slot *slots = malloc(sizeof(*slots) * (total + 1));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && orders[i].names == orders[i - 1].names) {
            continue;
        }
        for (uint32_t j = 0; j < orders[i].n_names; j++) {
            slots[k++] = (name_slot){orders[i].names[j], 0};
        }
    }
    qsort(slots, k, sizeof(*slots), cmp_slot);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u == 0 || slots[u - 1].p != slots[i].p) {
            slots[u] = slots[i];
            slots[u].index = (uint32_t)u;
            u++;
        }
    }
    mpi_put_u32(b, (uint32_t)u);
    for (size_t i = 0; i < u; i++) {
        mpi_put_str(b, slots[i].p, strlen(slots[i].p) + 1);
    }
    uint64_t n64 = n;
    mpi_put(b, &n64, sizeof(n64));
    for (size_t i = 0; i < n; i++) {
        const ab_dfg_order *o = &orders[i];
        int same = i > 0 && o->names == orders[i - 1].names && o->kind == orders[i - 1].kind;
        mpi_put_u32(b, (uint32_t)(o->buckets != 0) | (same ? 2u : 0u));
        if (!same) {
            mpi_put_u32(b, (uint32_t)o->kind);
            mpi_put_u32(b, o->n_names);
            for (uint32_t j = 0; j < o->n_names; j++) {
                name_slot key = {o->names[j], 0};
                const name_slot *hit = bsearch(&key, slots, u, sizeof(*slots), cmp_slot);
                mpi_put_u32(b, hit->index);
            }
        }
        mpi_put(b, &o->k, sizeof(o->k));
        mpi_put(b, &o->lo, sizeof(o->lo));
        mpi_put(b, &o->hi, sizeof(o->hi));
    }
    free(slots);
    return b->bad ? AB_ENOMEM : AB_OK;
}

/* The orders of a message into *out (names pointing into it, index arrays
 * in *pool); 0 when the message is damaged or memory runs out. */
static int get_orders(ab__rbytes *r, ab_dfg_order **out, size_t *n_out, const char ***pool)
{
    *out = NULL;
    *pool = NULL;
    uint32_t nn = ab__get_u32(r);
    if (r->bad || nn > r->len / 5) {
        return 0;
    }
    const char **names = malloc(sizeof(*names) * ((size_t)nn + 1));
    if (names == NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < nn; i++) {
        uint32_t l;
        names[i] = ab__get_str(r, &l);
        if (names[i] == NULL || l == 0 || names[i][l - 1] != '\0') {
            free(names);
            return 0;
        }
    }
    uint64_t n;
    ab__get(r, &n, sizeof(n));
    /* Each order takes 28 bytes at least; each name index 4. */
    size_t rest = r->len - r->off;
    ab_dfg_order *orders = n <= rest / 28 ? calloc((size_t)n + 1, sizeof(*orders)) : NULL;
    const char **idx = malloc(sizeof(*idx) * (rest / 4 + 1));
    size_t used = 0;
    int ok = !r->bad && orders != NULL && idx != NULL;
    for (uint64_t i = 0; ok && i < n; i++) {
        ab_dfg_order *o = &orders[i];
        uint32_t flags = ab__get_u32(r);
        o->buckets = (int)(flags & 1u);
        if ((flags & 2u) != 0 && i > 0) {
            o->kind = orders[i - 1].kind;
            o->n_names = orders[i - 1].n_names;
            o->names = orders[i - 1].names;
        } else {
            o->kind = (ab_dfg_series_kind)ab__get_u32(r);
            o->n_names = ab__get_u32(r);
            if (r->bad || o->n_names > (r->len - r->off) / 4) {
                ok = 0;
                break;
            }
            const char **seq = idx + used;
            for (uint32_t j = 0; j < o->n_names; j++) {
                uint32_t x = ab__get_u32(r);
                ok = ok && x < nn;
                seq[j] = ok ? names[x] : NULL;
            }
            used += o->n_names;
            o->names = seq;
        }
        ab__get(r, &o->k, sizeof(o->k));
        ab__get(r, &o->lo, sizeof(o->lo));
        ab__get(r, &o->hi, sizeof(o->hi));
        ok = ok && !r->bad && o->lo <= o->hi;
    }
    free(names);
    if (!ok || r->off != r->len) {
        free(orders);
        free(idx);
        return 0;
    }
    *out = orders;
    *n_out = (size_t)n;
    *pool = idx;
    return 1;
}

/* Rank 0, from the merged finish: broadcasts the orders and selects. */
static int rank0_orders(ab_dfg_order *orders, size_t n, void *payload, ab_error *err)
{
    selection *s = payload;
    mpi_wbuf b = {NULL, 0, 0, 0};
    int st = mpi_fails_at("orders") ? AB_ENOMEM : put_orders(&b, orders, n);
    mpi_control(MPI_CTL_ORDERS);
    /* An empty message tells the others that rank 0 ran out of memory. */
    mpi_bcast_send(b.p, st == AB_OK ? b.len : 0);
    free(b.p);
    if (st != AB_OK) {
        s->rc = mpi_settle(AB_ENOMEM, NULL);
        return AB_ERROR;
    }
    mpi_phase("asked: %zu order statistics of every rank", n);
    s->rc = select_all(s, orders, n);
    if (s->rc != EXIT_OK) {
        snprintf(err->msg, sizeof(err->msg), "the selection failed");
        err->code = AB_ERROR;
        return AB_ERROR;
    }
    mpi_phase("selected: the order statistics found in %llu rounds", (unsigned long long)s->rounds);
    return AB_OK;
}

/* The other ranks: answer the orders if rank 0 asks, then wait to exit. */
static void serve_orders(selection *s)
{
    int v = mpi_control(0);
    if (v >= 0) {
        mpi_exit(v);
    }
    if (v == MPI_CTL_ORDERS) {
        unsigned char *p = NULL;
        uint64_t len = 0;
        int st = mpi_bcast_recv(&p, &len) == 0 ? AB_OK : AB_ENOMEM;
        ab_dfg_order *orders = NULL;
        const char **pool = NULL;
        size_t n = 0;
        ab_error err;
        ab_error_clear(&err);
        if (st == AB_OK && len == 0) {
            st = AB_ENOMEM; /* Rank 0's; it reports. */
        } else if (st == AB_OK) {
            ab__rbytes r = {p, (size_t)len, 0, 0};
            if (!get_orders(&r, &orders, &n, &pool)) {
                st = AB_ERROR;
                snprintf(err.msg, sizeof(err.msg),
                         "internal error: a damaged message between ranks");
                err.code = AB_ERROR;
            }
        }
        if (st != AB_OK) {
            mpi_settle(st, len == 0 ? NULL : &err);
        } else {
            select_all(s, orders, n);
        }
        free(orders);
        free(pool);
        free(p);
    }
    ab_dfg_acc_destroy(s->part);
    s->part = NULL;
    mpi_exit(mpi_wait_exit());
}

/* ---- Steps every rank takes together ---- */

/*
 * The variants of part go to the ranks their names hash to, which add them
 * up: *top gets the first k of this rank's (all for 0), *distinct their
 * number. An exit code, the same on every rank (reported).
 */
static int owners_top(ab_ctx *ctx, const ab_dfg_options *o, const ab_dfg_acc *part, uint32_t k,
                      ab_buf *top, uint64_t *distinct, ab_error *err)
{
    const int P = mpi_size;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    ab_buf *vb = calloc((size_t)P, sizeof(*vb));
    ab_dfg_acc *own = NULL;
    *distinct = 0;
    int st = send == NULL || recv == NULL || vb == NULL ? AB_ENOMEM : AB_OK;
    if (st == AB_OK) {
        st = ab_dfg_acc_save(part, NULL, vb, (uint32_t)P);
    }
    for (int d = 0; st == AB_OK && d < P; d++) {
        st = mpi_take_buf(&send[d], &vb[d]);
    }
    int rc = mpi_settle(st, err);
    if (rc == EXIT_OK) {
        rc = mpi_exchange(send, recv, NULL);
    }
    if (rc == EXIT_OK) {
        st = ab_dfg_acc_create(&own, ctx, o, no_names, NULL);
        for (int s = 0; st == AB_OK && s < P; s++) {
            st = recv[s].len > 0 ? ab_dfg_acc_load(own, recv[s].ptr, (size_t)recv[s].len, err) : st;
        }
        if (st == AB_OK) {
            *distinct = ab_dfg_acc_variant_count(own);
            st = mpi_fails_at("owners") ? AB_ENOMEM : ab_dfg_acc_save_top(own, k, top);
        }
        rc = mpi_settle(st, err);
    }
    ab_dfg_acc_destroy(own);
    for (int d = 0; vb != NULL && d < P; d++) {
        ab_buf_dispose(&vb[d]);
    }
    mpi_free_all(send, P);
    mpi_free_all(recv, P);
    free(send);
    free(recv);
    free(vb);
    return rc;
}

/* p[0..len) of every rank to rank 0, where *recv_out gets the mpi_size
 * messages (NULL on the other ranks). An exit code, the same everywhere. */
static int to_rank0(const void *p, uint64_t len, mpi_bytes **recv_out)
{
    const int P = mpi_size;
    *recv_out = NULL;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    int rc = mpi_settle(send == NULL || recv == NULL ? AB_ENOMEM : AB_OK, NULL);
    if (rc == EXIT_OK) {
        send[0].ptr = (unsigned char *)p; /* Only read. */
        send[0].len = len;
        rc = mpi_exchange(send, recv, NULL);
    }
    free(send);
    if (rc == EXIT_OK && mpi_rank == 0) {
        *recv_out = recv;
    } else {
        mpi_free_all(recv, P);
        free(recv);
    }
    return rc;
}

/* Rank 0 broadcasts b[0..len) (nothing when it failed, st); the others
 * receive it into *p (malloc'ed). An exit code, the same everywhere. */
static int from_rank0(int st, const void *b, uint64_t len, unsigned char **p, uint64_t *len_out,
                      ab_error *err)
{
    *p = NULL;
    *len_out = 0;
    if (mpi_rank == 0) {
        mpi_bcast_send(b, st == AB_OK ? len : 0);
    } else {
        st = mpi_bcast_recv(p, len_out) == 0 ? AB_OK : AB_ENOMEM;
    }
    return mpi_settle(st, err);
}

static void damaged(ab_error *err)
{
    snprintf(err->msg, sizeof(err->msg), "internal error: a damaged message between ranks");
    err->code = AB_ERROR;
}

/*
 * --top-variants k: *keep_out gets, per case of owned, whether its variant
 * is among the k most frequent of the whole log (cases, then names, the
 * log's order): each rank counts its variants, the owners add them up, and
 * rank 0 picks from the owners' first k and tells every rank. An exit code.
 */
static int choose_cases(ab_ctx *ctx, const ab_log *owned, uint32_t k, uint8_t **keep_out,
                        ab_error *err)
{
    *keep_out = NULL;
    ab_dfg_options vo = AB_DFG_OPTIONS_INIT;
    vo.examples = 0;
    vo.max_variants = k;
    ab_dfg_acc *pre = NULL, *best = NULL;
    ab_buf top = AB_BUF_INIT, pick = AB_BUF_INIT;
    mpi_bytes *recv = NULL;
    unsigned char *msg = NULL;
    uint64_t msg_len = 0, distinct = 0;
    const char **names = NULL;
    int st = ab_dfg_acc_create(&pre, ctx, &vo, owned != NULL ? ab_dfg_log_name : no_names,
                               (void *)owned);
    uint32_t nc = owned != NULL ? ab_log_case_count(owned) : 0;
    const uint32_t *act = owned != NULL ? ab_log_col_activity(owned) : NULL;
    for (uint32_t c = 0; st == AB_OK && c < nc; c++) {
        const char *id = ab_log_case_id(owned, c);
        ab_dfg_case v = {
            id,   strlen(id), ab_log_case_length(owned, c), act + ab_log_case_first(owned, c), NULL,
            NULL, NULL};
        st = ab_dfg_acc_add_case(pre, &v, err);
    }
    st = st == AB_OK && mpi_fails_at("filters") ? AB_ENOMEM : st;
    int rc = mpi_settle(st, err);
    if (rc == EXIT_OK) {
        rc = owners_top(ctx, &vo, pre, k, &top, &distinct, err);
    }
    if (rc == EXIT_OK) {
        rc = to_rank0(top.ptr, top.len, &recv);
    }
    if (rc == EXIT_OK) {
        st = AB_OK;
        if (mpi_rank == 0) {
            st = ab_dfg_acc_create(&best, ctx, &vo, no_names, NULL);
            for (int s = 0; st == AB_OK && s < mpi_size; s++) {
                st = recv[s].len > 0 ? ab_dfg_acc_load(best, recv[s].ptr, (size_t)recv[s].len, err)
                                     : st;
            }
            st = st == AB_OK ? ab_dfg_acc_save_top(best, k, &pick) : st;
            ab_dfg_acc_destroy(best);
            best = NULL;
        }
        rc = from_rank0(st, pick.ptr, pick.len, &msg, &msg_len, err);
    }
    /* The k variants, and which of this rank's log variants they are. */
    if (rc == EXIT_OK) {
        st = ab_dfg_acc_create(&best, ctx, &vo, no_names, NULL);
        if (st == AB_OK) {
            st = mpi_rank == 0 ? ab_dfg_acc_load(best, pick.ptr, pick.len, err)
                               : ab_dfg_acc_load(best, msg, (size_t)msg_len, err);
        }
        uint32_t nv = owned != NULL ? ab_log_variant_count(owned) : 0, longest = 0;
        for (uint32_t v = 0; v < nv; v++) {
            uint32_t l = ab_log_variant_length(owned, v);
            longest = l > longest ? l : longest;
        }
        uint8_t *var_keep = malloc((size_t)nv + 1);
        names = malloc(sizeof(*names) * ((size_t)longest + 1));
        *keep_out = malloc((size_t)nc + 1);
        if (st == AB_OK && (var_keep == NULL || names == NULL || *keep_out == NULL)) {
            st = AB_ENOMEM;
        }
        for (uint32_t v = 0; st == AB_OK && v < nv; v++) {
            const uint32_t *seq = ab_log_variant_activities(owned, v);
            uint32_t l = ab_log_variant_length(owned, v);
            for (uint32_t i = 0; i < l; i++) {
                names[i] = ab_log_activity_name(owned, seq[i]);
            }
            var_keep[v] = (uint8_t)ab_dfg_acc_has_variant(best, names, l);
        }
        for (uint32_t c = 0; st == AB_OK && c < nc; c++) {
            (*keep_out)[c] = var_keep[ab_log_case_variant(owned, c)];
        }
        free(var_keep);
        rc = mpi_settle(st, err);
    }
    if (rc != EXIT_OK) {
        free(*keep_out);
        *keep_out = NULL;
    }
    ab_dfg_acc_destroy(pre);
    ab_dfg_acc_destroy(best);
    ab_buf_dispose(&top);
    ab_buf_dispose(&pick);
    mpi_free_all(recv, recv != NULL ? mpi_size : 0);
    free(recv);
    free(msg);
    free(names);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rank 0: the events per name of every rank summed, the activities kept
 * chosen, and their names written to *out. An ab_status. */
static int rank0_activities(ab_ctx *ctx, const mpi_bytes *msgs, double percent, mpi_wbuf *out,
                            ab_error *err)
{
    const char **names = NULL;
    uint64_t *events = NULL;
    int64_t n = mpi_sum_by_name(msgs, mpi_size, &names, &events);
    uint32_t na = n > 0 ? (uint32_t)n : 0;
    uint8_t *keep = malloc((size_t)na + 1);
    int st = keep == NULL ? AB_ENOMEM : AB_OK;
    if (st == AB_OK && n < 0) {
        damaged(err);
        st = AB_ERROR;
    }
    if (st == AB_OK) {
        st = ab_dfg_choose_activities(ctx, events, na, percent, keep);
    }
    if (st == AB_OK) {
        uint32_t kept = 0;
        for (uint32_t a = 0; a < na; a++) {
            kept += keep[a];
        }
        mpi_put_u32(out, kept);
        for (uint32_t a = 0; a < na; a++) {
            if (keep[a]) {
                mpi_put_str(out, names[a], strlen(names[a]) + 1);
            }
        }
        st = out->bad ? AB_ENOMEM : AB_OK;
    }
    free(names);
    free(events);
    free(keep);
    return st;
}

/*
 * --activities percent: *keep_out gets, per activity of owned, whether it is
 * among those the whole log keeps: each rank counts the events of its
 * selected cases per name, rank 0 adds them up and chooses, and tells every
 * rank the names. An exit code.
 */
static int choose_acts(ab_ctx *ctx, const ab_log *owned, const uint8_t *case_keep, double percent,
                       uint8_t **keep_out, ab_error *err)
{
    *keep_out = NULL;
    uint32_t na = owned != NULL ? ab_log_activity_count(owned) : 0;
    uint64_t *events = calloc((size_t)na + 1, sizeof(*events));
    mpi_wbuf b = {NULL, 0, 0, 0}, kept = {NULL, 0, 0, 0};
    mpi_bytes *recv = NULL;
    unsigned char *msg = NULL;
    uint64_t msg_len = 0;
    const char **names = NULL;
    int st = events == NULL ? AB_ENOMEM : AB_OK;
    if (st == AB_OK && owned != NULL) {
        const uint32_t *act = ab_log_col_activity(owned);
        for (uint32_t c = 0; c < ab_log_case_count(owned); c++) {
            if (case_keep != NULL && !case_keep[c]) {
                continue;
            }
            uint64_t first = ab_log_case_first(owned, c);
            for (uint32_t k = 0; k < ab_log_case_length(owned, c); k++) {
                events[act[first + k]]++;
            }
        }
        uint32_t m = 0;
        for (uint32_t a = 0; a < na; a++) {
            m += events[a] > 0;
        }
        mpi_put_u32(&b, m);
        for (uint32_t a = 0; a < na; a++) {
            if (events[a] > 0) {
                mpi_put_count(&b, ab_log_activity_name(owned, a), events[a]);
            }
        }
        st = b.bad ? AB_ENOMEM : AB_OK;
    }
    int rc = mpi_settle(st, err);
    if (rc == EXIT_OK) {
        rc = to_rank0(b.p, b.len, &recv);
    }
    if (rc == EXIT_OK) {
        st = mpi_rank == 0 ? rank0_activities(ctx, recv, percent, &kept, err) : AB_OK;
        rc = from_rank0(st, kept.p, kept.len, &msg, &msg_len, err);
    }
    if (rc == EXIT_OK) {
        ab__rbytes r = {mpi_rank == 0 ? kept.p : msg, mpi_rank == 0 ? kept.len : (size_t)msg_len, 0,
                        0};
        uint32_t m = ab__get_u32(&r);
        names = m <= r.len / 5 ? malloc(sizeof(*names) * ((size_t)m + 1)) : NULL;
        *keep_out = malloc((size_t)na + 1);
        st = names == NULL || *keep_out == NULL ? AB_ENOMEM : AB_OK;
        for (uint32_t i = 0; st == AB_OK && i < m; i++) {
            uint32_t l;
            names[i] = ab__get_str(&r, &l);
            if (names[i] == NULL || l == 0 || names[i][l - 1] != '\0') {
                damaged(err);
                st = AB_ERROR;
            }
        }
        for (uint32_t a = 0; st == AB_OK && a < na; a++) {
            const char *s = ab_log_activity_name(owned, a);
            (*keep_out)[a] = bsearch(&s, names, m, sizeof(*names), cmp_str) != NULL;
        }
        rc = mpi_settle(st, err);
    }
    if (rc != EXIT_OK) {
        free(*keep_out);
        *keep_out = NULL;
    }
    free(events);
    free(b.p);
    free(kept.p);
    mpi_free_all(recv, recv != NULL ? mpi_size : 0);
    free(recv);
    free(msg);
    free(names);
    return rc;
}

/* ---- The whole ---- */

static int finish(int rc)
{
    if (mpi_rank != 0) {
        mpi_finish(rc);
    }
    return rc;
}

int mpi_discover(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                 const ab_dfg_options *dopts, ab_dfg **out)
{
    const int P = mpi_size, me = mpi_rank;
    *out = NULL;
    ab_log *owned = NULL;
    int rc = mpi_load_owned(ctx, ro, paths, count, &owned);
    if (rc != EXIT_OK) {
        return finish(rc);
    }
    ab_error err;
    ab_error_clear(&err);
    /* Timed and untimed cases on different ranks: whether the untimed
     * events are kept is decided on the whole log, so it is gathered. A log
     * untimed throughout keeps file order on every rank (a case's events
     * arrive in input order), as in one process. */
    int events = owned != NULL && ab_log_event_count(owned) > 0;
    int timed = events && ab_log_has_timestamps(owned), untimed = events && !timed;
    uint64_t mixed[2] = {(uint64_t)timed, (uint64_t)untimed}, any[2];
    MPI_Allreduce(mixed, any, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (any[0] != 0 && any[1] != 0) {
        ab_log *log = NULL;
        rc = mpi_gather_log(ctx, ro, EXIT_OK, owned, &log);
        if (rc == EXIT_OK) {
            int st = ab_dfg_discover(out, ctx, log, dopts, &err);
            rc = st == AB_OK ? EXIT_OK : cli_report(&err);
        }
        ab_log_destroy(log);
        return rc;
    }
    selection sel = {ctx, NULL, NULL, NULL, EXIT_OK, 0};
    ab_buf graph = AB_BUF_INIT, top = AB_BUF_INIT;
    ab_dfg_acc *all = NULL;
    mpi_bytes *recv = NULL;
    uint8_t *case_keep = NULL, *act_keep = NULL;
    unsigned char *both = NULL;

    /* The filters choose on the whole log; each rank applies the choice. */
    if (dopts->top_variants > 0) {
        rc = choose_cases(ctx, owned, dopts->top_variants, &case_keep, &err);
    }
    if (rc == EXIT_OK && dopts->activities_percent < 100.0) {
        rc = choose_acts(ctx, owned, case_keep, dopts->activities_percent, &act_keep, &err);
    }
    if (rc != EXIT_OK) {
        goto done;
    }
    /* This rank's cases, summarised; the log goes. */
    int st = owned != NULL
                 ? ab_dfg_discover_acc(&sel.part, ctx, owned, dopts, case_keep, act_keep, &err)
                 : ab_dfg_acc_create(&sel.part, ctx, dopts, no_names, NULL);
    ab_log_destroy(owned);
    owned = NULL;
    st = st == AB_OK ? ab_dfg_acc_save(sel.part, &graph, NULL, 0) : st;
    st = st == AB_OK && mpi_fails_at("summarise") ? AB_ENOMEM : st;
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto done;
    }
    mpi_phase("summarised: every rank's cases in its accumulator (%llu bytes on rank 0)",
              (unsigned long long)ab_dfg_acc_memory(sel.part));
    /* The variants meet on their owners; to rank 0 the counters and the
     * owners' most frequent variants, in one message. */
    uint64_t distinct = 0;
    if ((rc = owners_top(ctx, dopts, sel.part, dopts->max_variants, &top, &distinct, &err)) !=
        EXIT_OK) {
        goto done;
    }
    uint64_t variants = mpi_sum_u64(distinct);
    uint64_t glen = graph.len, blen = sizeof(glen) + graph.len + top.len;
    both = malloc((size_t)blen);
    if ((rc = mpi_settle(both == NULL ? AB_ENOMEM : AB_OK, NULL)) != EXIT_OK) {
        goto done;
    }
    memcpy(both, &glen, sizeof(glen));
    memcpy(both + sizeof(glen), graph.ptr, graph.len);
    memcpy(both + sizeof(glen) + graph.len, top.ptr, top.len);
    ab_buf_dispose(&graph);
    ab_buf_dispose(&top);
    rc = to_rank0(both, blen, &recv);
    free(both);
    both = NULL;
    if (rc != EXIT_OK) {
        goto done;
    }
    if (me != 0) {
        free(case_keep);
        free(act_keep);
        serve_orders(&sel); /* Never returns. */
    }

    /* Rank 0: the graph, with every rank's help for its percentiles. */
    st = ab_dfg_acc_create(&all, ctx, dopts, no_names, NULL);
    for (int s = 0; st == AB_OK && s < P; s++) {
        uint64_t g = 0;
        if (recv[s].len < sizeof(g)) {
            st = AB_EPARSE;
            break;
        }
        memcpy(&g, recv[s].ptr, sizeof(g));
        if (g > recv[s].len - sizeof(g)) {
            st = AB_EPARSE;
            break;
        }
        const unsigned char *p = recv[s].ptr + sizeof(g);
        st = ab_dfg_acc_load(all, p, (size_t)g, &err);
        if (st == AB_OK && recv[s].len - sizeof(g) - g > 0) {
            st = ab_dfg_acc_load(all, p + g, (size_t)(recv[s].len - sizeof(g) - g), &err);
        }
    }
    mpi_free_all(recv, P);
    st = st == AB_OK && mpi_fails_at("load") ? AB_ENOMEM : st;
    if (st != AB_OK) {
        if (st == AB_EPARSE) {
            damaged(&err);
            st = AB_ERROR;
        }
        rc = cli_report_status(st, &err);
        goto done;
    }
    mpi_phase("loaded: the counters of %d ranks on rank 0, %llu variants", P,
              (unsigned long long)variants);
    st = ab_dfg_acc_finish_merged(all, variants, rank0_orders, &sel, out, &err);
    all = NULL;
    if (st != AB_OK) {
        rc = sel.rc != EXIT_OK ? sel.rc : cli_report(&err);
    }
done:
    if (rc != EXIT_OK) {
        ab_dfg_destroy(*out);
        *out = NULL;
    }
    ab_log_destroy(owned);
    ab_dfg_acc_destroy(sel.part);
    ab_dfg_acc_destroy(all);
    ab_buf_dispose(&graph);
    ab_buf_dispose(&top);
    mpi_free_all(recv, recv != NULL ? P : 0);
    free(recv);
    free(both);
    free(case_keep);
    free(act_keep);
    return finish(rc);
}
