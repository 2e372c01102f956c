/*
 * tools/mpi_variants.c: the conformance variants of the whole input, from
 * each rank's own, without gathering the cases.
 *
 * Each rank runs the conformance of its whole cases (its log has the whole
 * input's activities, mpi_global_activities, so its activity ids and the
 * map relabelled against them are one process's) and aligns its distinct
 * variants: a variant common to many ranks is aligned on each (such
 * variants are few), a rare one where its cases are. ab_conform_align
 * gives a trace the same alignment wherever it is aligned, so every copy
 * of a variant carries the same moves. The ranks send one another their
 * variants (activity sequence, cases, smallest case id, alignment); each
 * adds them up by sequence and orders them as one process does (cases,
 * descending, then smallest id in byte order: ids are unique, so there is
 * no tie), so every rank holds the same list, with where each of its own
 * variants stands in it.
 */
#include "mpi_variants.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_comm.h"
#include "mpi_gap.h"
#include "mpi_load.h"

/* One variant as a rank sent it, pointing into its message. */
typedef struct rec {
    const unsigned char *acts;  /* length u32s, unaligned */
    const unsigned char *moves; /* move_count x 4 u32s */
    const char *min_id;
    uint32_t min_len, length, move_count, cost, worst_cost, approximate;
    int32_t ambiguous;
    uint64_t states, cases;
    uint32_t next; /* A distinct one's first copy: its place in the order. */
} rec;

uint64_t mpi_seq_hash(const void *acts, uint32_t length)
{
    const unsigned char *p = acts;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < (size_t)length * 4; i++) {
        h = (h ^ p[i]) * 0x100000001B3ull;
    }
    return h ^ length;
}

static int same_seq(const rec *a, const rec *b)
{
    return a->length == b->length && memcmp(a->acts, b->acts, (size_t)a->length * 4) == 0;
}

static int cmp_rec(const void *pa, const void *pb)
{
    const rec *a = *(const rec *const *)pa, *b = *(const rec *const *)pb;
    if (a->cases != b->cases) {
        return a->cases > b->cases ? -1 : 1;
    }
    return mpi_bytes_cmp(a->min_id, a->min_len, b->min_id, b->min_len);
}

static void put_u64(mpi_wbuf *b, uint64_t v)
{
    mpi_put(b, &v, sizeof(v));
}

/* This rank's variants: sequence, cases, smallest id, alignment. */
static void put_variants(mpi_wbuf *b, const ab_conform *local, const ab_log *owned)
{
    uint32_t n = local != NULL ? ab_conform_variant_count(local) : 0;
    mpi_put_u32(b, n);
    for (uint32_t v = 0; v < n; v++) {
        const ab_conform_variant *x = ab_conform_variant_at(local, v);
        const char *min = NULL;
        for (uint32_t i = 0; i < x->case_count; i++) {
            const char *id = ab_log_case_id(owned, x->cases[i]);
            if (min == NULL || strcmp(id, min) < 0) {
                min = id;
            }
        }
        mpi_put_u32(b, x->length);
        mpi_put(b, x->activities, sizeof(uint32_t) * (size_t)x->length);
        put_u64(b, x->case_count);
        mpi_put_str(b, min != NULL ? min : "", min != NULL ? strlen(min) : 0);
        mpi_put_u32(b, x->move_count);
        for (uint32_t m = 0; m < x->move_count; m++) {
            uint32_t f[4] = {(uint32_t)x->moves[m].kind, x->moves[m].transition,
                             x->moves[m].activity, x->moves[m].position};
            mpi_put(b, f, sizeof(f));
        }
        mpi_put_u32(b, x->cost);
        mpi_put_u32(b, x->worst_cost);
        mpi_put_u32(b, (uint32_t)x->approximate);
        put_u64(b, x->states);
        mpi_put_u32(b, (uint32_t)x->ambiguous);
    }
}

/* Reads the records of one message onto recs; 0, or -1 when it is damaged
 * or memory runs out. */
static int get_variants(const mpi_bytes *msg, rec **recs, size_t *n, size_t *cap)
{
    ab__rbytes r = {msg->ptr, (size_t)msg->len, 0, 0};
    uint32_t count = msg->len > 0 ? ab__get_u32(&r) : 0;
    for (uint32_t i = 0; i < count; i++) {
        if (*n == *cap) {
            size_t nc = *cap < 64 ? 64 : *cap * 2;
            rec *nr = realloc(*recs, nc * sizeof(rec));
            if (nr == NULL) {
                return -1;
            }
            *recs = nr;
            *cap = nc;
        }
        rec *x = &(*recs)[*n];
        memset(x, 0, sizeof(*x));
        x->length = ab__get_u32(&r);
        if (r.bad || x->length > (r.len - r.off) / 4) {
            return -1;
        }
        x->acts = r.p + r.off;
        r.off += (size_t)x->length * 4;
        ab__get(&r, &x->cases, sizeof(x->cases));
        x->min_id = ab__get_str(&r, &x->min_len);
        x->move_count = ab__get_u32(&r);
        if (r.bad || x->min_id == NULL || x->move_count > (r.len - r.off) / 16) {
            return -1;
        }
        x->moves = r.p + r.off;
        r.off += (size_t)x->move_count * 16;
        x->cost = ab__get_u32(&r);
        x->worst_cost = ab__get_u32(&r);
        x->approximate = ab__get_u32(&r);
        ab__get(&r, &x->states, sizeof(x->states));
        x->ambiguous = (int32_t)ab__get_u32(&r);
        if (r.bad) {
            return -1;
        }
        (*n)++;
    }
    return 0;
}

void mpi_gvariants_free(mpi_gvariants *g)
{
    free(g->v);
    free(g->min_id);
    free(g->local_to_global);
    free(g->store);
    memset(g, 0, sizeof(*g));
}

/* Adds the records up by sequence: each distinct one's first copy gets the
 * sum of the cases and the smallest id; *uniq lists them. */
static int add_up(rec *recs, size_t n, rec ***uniq_out, size_t *nu_out, uint32_t **slots_out,
                  uint32_t *mask_out)
{
    uint32_t size = 16;
    while (size < n * 2 + 2) {
        size *= 2;
    }
    uint32_t *slots = calloc(size, sizeof(uint32_t));
    rec **uniq = malloc(sizeof(rec *) * (n + 1));
    if (slots == NULL || uniq == NULL) {
        free(slots);
        free(uniq);
        return -1;
    }
    size_t nu = 0;
    for (size_t i = 0; i < n; i++) {
        rec *x = &recs[i];
        uint32_t j = (uint32_t)mpi_seq_hash(x->acts, x->length) & (size - 1);
        for (;;) {
            if (slots[j] == 0) {
                slots[j] = (uint32_t)i + 1;
                uniq[nu++] = x;
                break;
            }
            rec *y = &recs[slots[j] - 1];
            if (same_seq(x, y)) {
                y->cases += x->cases;
                if (mpi_bytes_cmp(x->min_id, x->min_len, y->min_id, y->min_len) < 0) {
                    y->min_id = x->min_id;
                    y->min_len = x->min_len;
                }
                break;
            }
            j = (j + 1) & (size - 1);
        }
    }
    *uniq_out = uniq;
    *nu_out = nu;
    *slots_out = slots;
    *mask_out = size - 1;
    return 0;
}

/* Builds out's variants from the distinct records, in order. */
static int fill(mpi_gvariants *out, rec **uniq, size_t nu)
{
    size_t bytes = 0;
    for (size_t k = 0; k < nu; k++) {
        bytes += (size_t)uniq[k]->length * 4 + (size_t)uniq[k]->move_count * sizeof(ab_move) +
                 uniq[k]->min_len + 1 + 8;
    }
    out->v = calloc(nu + 1, sizeof(ab_conform_variant));
    out->min_id = calloc(nu + 1, sizeof(char *));
    out->store = malloc(bytes + 1);
    if (out->v == NULL || out->min_id == NULL || out->store == NULL) {
        return -1;
    }
    unsigned char *p = out->store;
    for (size_t k = 0; k < nu; k++) {
        const rec *x = uniq[k];
        ab_conform_variant *v = &out->v[k];
        p = (unsigned char *)(((uintptr_t)p + 7) & ~(uintptr_t)7);
        ab_move *moves = (ab_move *)(void *)p;
        for (uint32_t m = 0; m < x->move_count; m++) {
            uint32_t f[4];
            memcpy(f, x->moves + (size_t)m * 16, sizeof(f));
            moves[m] = (ab_move){(ab_move_kind)f[0], f[1], f[2], f[3]};
        }
        p += (size_t)x->move_count * sizeof(ab_move);
        uint32_t *acts = (uint32_t *)(void *)p;
        memcpy(acts, x->acts, (size_t)x->length * 4);
        p += (size_t)x->length * 4;
        out->min_id[k] = (char *)p;
        memcpy(p, x->min_id, x->min_len);
        p[x->min_len] = '\0';
        p += x->min_len + 1;
        v->activities = acts;
        v->length = x->length;
        v->case_count = (uint32_t)x->cases;
        v->cases = NULL;
        v->moves = moves;
        v->move_count = x->move_count;
        v->cost = x->cost;
        v->worst_cost = x->worst_cost;
        v->approximate = (int)x->approximate;
        v->states = x->states;
        v->ambiguous = x->ambiguous;
    }
    out->count = (uint32_t)nu;
    return 0;
}

int mpi_global_variants(const ab_conform *local, const ab_log *owned, mpi_gvariants *out)
{
    const int P = mpi_size;
    memset(out, 0, sizeof(*out));
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    rec *recs = NULL, **uniq = NULL;
    size_t n = 0, cap = 0, nu = 0, mine = 0;
    uint32_t *slots = NULL, mask = 0;
    mpi_wbuf b = {NULL, 0, 0, 0};
    put_variants(&b, local, owned);
    int rc = mpi_settle(send == NULL || recv == NULL || b.bad ? AB_ENOMEM : AB_OK, NULL);
    if (rc != EXIT_OK) {
        goto done;
    }
    rc = mpi_exchange_all(b.p, b.len, recv);
    out->sent = b.len;
    free(b.p); /* Every rank's copy, this one's too, is in recv now. */
    b.p = NULL;
    if (rc != EXIT_OK) {
        goto done;
    }
    int st = AB_OK;
    for (int s = 0; s < P && st == AB_OK; s++) {
        if (s == mpi_rank) {
            mine = n;
        }
        st = get_variants(&recv[s], &recs, &n, &cap) == 0 ? AB_OK : AB_EPARSE;
    }
    uint32_t local_count = local != NULL ? ab_conform_variant_count(local) : 0;
    if (st == AB_OK && add_up(recs, n, &uniq, &nu, &slots, &mask) != 0) {
        st = AB_ENOMEM;
    }
    if (st == AB_OK) {
        qsort(uniq, nu, sizeof(rec *), cmp_rec);
        /* A distinct record's place in the order, through its first copy. */
        for (size_t k = 0; k < nu; k++) {
            uniq[k]->next = (uint32_t)k;
        }
        if (fill(out, uniq, nu) != 0) {
            st = AB_ENOMEM;
        }
    }
    out->local_to_global =
        st == AB_OK ? malloc(sizeof(uint32_t) * ((size_t)local_count + 1)) : NULL;
    if (st == AB_OK && out->local_to_global == NULL) {
        st = AB_ENOMEM;
    }
    /* This rank's own records are its variants, in order. */
    for (uint32_t v = 0; st == AB_OK && v < local_count; v++) {
        const rec *x = &recs[mine + v];
        uint32_t j = (uint32_t)mpi_seq_hash(x->acts, x->length) & mask;
        while (!same_seq(&recs[slots[j] - 1], x)) {
            j = (j + 1) & mask;
        }
        out->local_to_global[v] = recs[slots[j] - 1].next;
    }
    out->local_count = local_count;
    ab_error err;
    ab_error_clear(&err);
    if (st == AB_EPARSE) {
        snprintf(err.msg, sizeof(err.msg), "internal error: a message of variants is damaged");
        err.code = AB_ERROR;
        st = AB_ERROR;
    }
    rc = mpi_settle(st, &err);
done:
    free(b.p);
    free(send); /* Its buffers are not its own. */
    mpi_drop_all(recv, P);
    free(recs);
    free(uniq);
    free(slots);
    if (rc != EXIT_OK) {
        mpi_gvariants_free(out);
    }
    return rc;
}
