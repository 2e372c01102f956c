/*
 * tools/mpi_order.c: the index each rank's cases have in the log of the
 * whole input, without gathering the cases.
 *
 * One process numbers the cases by the time of their first event, then by
 * id in byte order (the canonical order of log/log_builder.c); each rank's
 * own log of its whole cases is in that order already, so a case's index
 * in the whole log is the number of cases on all ranks whose key is
 * smaller. A sample sort finds it:
 * 1. every rank sends every rank P - 1 evenly spaced keys of its own, and
 *    each takes the same P - 1 splitters, evenly spaced among all samples;
 * 2. every rank sends each key (its first time and id) to the rank of the
 *    splitters' range it falls in (the bucket), in its own order;
 * 3. each bucket sorts the keys it received; the sizes of the buckets
 *    before it (MPI_Exscan) plus a key's place among them is its index,
 *    which goes back to the key's rank in the order the rank sent it.
 * A rank holds its keys and its bucket's; the exchanges are mpi_exchange's
 * bounded rounds. The indices are those of one process whatever the
 * ranks, since they depend on the keys alone (ids are unique: a case lives
 * on one rank).
 */
#include "mpi_order.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_ctl.h"
#include "mpi_comm.h"
#include "log/log_int.h"
#include "mpi_load.h"

typedef struct key {
    int64_t first;
    const char *id;
    uint32_t len;
    uint32_t src, pos; /* In a bucket: the rank it came from, its place there. */
} key;

static int cmp_key(const key *a, const key *b)
{
    return ab__case_key_cmp(a->first, a->id, a->len, b->first, b->id, b->len);
}

static int cmp_key_q(const void *pa, const void *pb)
{
    return cmp_key(pa, pb);
}

/* The key of case k of log: its first event's time, as the log's builder
 * ordered it (the events of a case lie in time order), and its id. */
static key case_key(const ab_log *log, uint32_t k)
{
    const ab_time *ts = ab_log_col_time(log);
    key r;
    r.first = ts != NULL ? ts[ab_log_case_first(log, k)] : 0;
    r.id = ab_log_case_id(log, k);
    r.len = (uint32_t)strlen(r.id);
    r.src = r.pos = 0;
    return r;
}

static void put_key(mpi_wbuf *b, const key *k)
{
    mpi_put(b, &k->first, sizeof(k->first));
    mpi_put_str(b, k->id, k->len);
}

/* Reads the keys of msg (a count, then the keys) onto *arr; 0 or -1. */
static int get_keys(const mpi_bytes *msg, uint32_t src, key **arr, size_t *n, size_t *cap)
{
    if (msg->len == 0) {
        return 0;
    }
    ab__rbytes r = {msg->ptr, msg->len, 0, 0};
    uint32_t count = ab__get_u32(&r);
    for (uint32_t i = 0; i < count && !r.bad; i++) {
        if (*n == *cap) {
            size_t nc = *cap < 64 ? 64 : *cap * 2;
            key *na = realloc(*arr, nc * sizeof(key));
            if (na == NULL) {
                return -1;
            }
            *arr = na;
            *cap = nc;
        }
        key *k = &(*arr)[*n];
        ab__get(&r, &k->first, sizeof(k->first));
        k->id = ab__get_str(&r, &k->len);
        k->src = src;
        k->pos = i;
        if (k->id == NULL) {
            return -1;
        }
        (*n)++;
    }
    return r.bad ? -1 : 0;
}

/* The first of the cases [0, hi) of log (in key order) whose key is above
 * s, or hi. */
static uint32_t first_above(const ab_log *log, const key *s, uint32_t hi)
{
    uint32_t lo = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        key k = case_key(log, mid);
        if (cmp_key(s, &k) < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

int mpi_case_order(const ab_log *owned, uint32_t **global_out)
{
    const int P = mpi_size;
    uint32_t n = owned != NULL ? ab_log_case_count(owned) : 0;
    *global_out = NULL;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    key *samples = NULL, *split = NULL, *bucket = NULL;
    size_t ns = 0, cap_s = 0, nb = 0, cap_b = 0;
    uint32_t *global = malloc(sizeof(uint32_t) * ((size_t)n + 1));
    uint32_t *starts = calloc((size_t)P + 1, sizeof(uint32_t));
    int st = send == NULL || recv == NULL || global == NULL || starts == NULL ? AB_ENOMEM : AB_OK;
    int rc = mpi_settle(st, NULL);
    if (rc != EXIT_OK) {
        goto done;
    }
    /* 1. Samples, to every rank; the same splitters everywhere. */
    mpi_wbuf w = {NULL, 0, 0, 0};
    uint32_t own = n == 0 ? 0 : (uint32_t)(P - 1);
    mpi_put_u32(&w, own);
    for (uint32_t i = 0; i < own; i++) {
        key k = case_key(owned, (uint32_t)(((uint64_t)i + 1) * n / (uint64_t)P));
        put_key(&w, &k);
    }
    rc = mpi_settle(w.bad ? AB_ENOMEM : AB_OK, NULL);
    if (rc == EXIT_OK) {
        rc = mpi_exchange_all(w.p, w.len, recv);
    }
    free(w.p);
    if (rc != EXIT_OK) {
        goto done;
    }
    st = AB_OK;
    for (int s = 0; s < P && st == AB_OK; s++) {
        st = get_keys(&recv[s], (uint32_t)s, &samples, &ns, &cap_s) == 0 ? AB_OK : AB_ENOMEM;
    }
    int nsplit = ns == 0 ? 0 : P - 1;
    split = malloc(sizeof(key) * ((size_t)nsplit + 1));
    if (st == AB_OK && split == NULL) {
        st = AB_ENOMEM;
    }
    if (st == AB_OK && ns > 0) {
        qsort(samples, ns, sizeof(key), cmp_key_q);
        for (int j = 0; j < nsplit; j++) {
            split[j] = samples[((size_t)j + 1) * ns / (size_t)P];
        }
    }
    if ((rc = mpi_settle(st, NULL)) != EXIT_OK) {
        goto done;
    }
    /* 2. Each key to its bucket, in this rank's order: the keys are sorted,
     * so bucket d is the run from the first key above splitter d - 1. */
    starts[P] = n;
    for (int d = P - 1; d > 0; d--) {
        starts[d] = d - 1 < nsplit ? first_above(owned, &split[d - 1], starts[d + 1]) : n;
    }
    st = AB_OK;
    for (int d = 0; d < P && st == AB_OK; d++) {
        mpi_wbuf b = {NULL, 0, 0, 0};
        uint32_t end = starts[d + 1];
        mpi_put_u32(&b, end - starts[d]);
        for (uint32_t k = starts[d]; k < end; k++) {
            key ck = case_key(owned, k);
            put_key(&b, &ck);
        }
        send[d].ptr = b.p;
        send[d].len = b.len;
        st = b.bad ? AB_ENOMEM : AB_OK;
    }
    /* The splitters point into the samples' messages: done with both. */
    mpi_free_all(recv, P);
    free(samples);
    samples = NULL;
    if ((rc = mpi_settle(st, NULL)) != EXIT_OK ||
        (rc = mpi_exchange(send, recv, NULL)) != EXIT_OK) {
        goto done;
    }
    mpi_free_all(send, P);
    /* 3. The bucket sorted; its offset; the indices back. */
    st = AB_OK;
    for (int s = 0; s < P && st == AB_OK; s++) {
        st = get_keys(&recv[s], (uint32_t)s, &bucket, &nb, &cap_b) == 0 ? AB_OK : AB_ENOMEM;
    }
    if (nb > 0) {
        qsort(bucket, nb, sizeof(key), cmp_key_q);
    }
    uint64_t size = nb, offset = 0;
    MPI_Exscan(&size, &offset, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (mpi_rank == 0) {
        offset = 0; /* MPI_Exscan leaves rank 0's undefined. */
    }
    if (offset + size > UINT32_MAX) {
        st = AB_ELIMIT;
    }
    /* Per source, its keys' indices in the order it sent them. */
    uint32_t *counts = calloc((size_t)P, sizeof(uint32_t));
    if (counts == NULL) {
        st = AB_ENOMEM;
    }
    for (size_t i = 0; st == AB_OK && i < nb; i++) {
        counts[bucket[i].src]++;
    }
    for (int s = 0; s < P && st == AB_OK; s++) {
        send[s].len = (uint64_t)counts[s] * sizeof(uint32_t);
        send[s].ptr = malloc(send[s].len + 1);
        if (send[s].ptr == NULL) {
            st = AB_ENOMEM;
        }
    }
    for (size_t i = 0; st == AB_OK && i < nb; i++) {
        uint32_t g = (uint32_t)(offset + i);
        memcpy(send[bucket[i].src].ptr + (size_t)bucket[i].pos * sizeof(uint32_t), &g, sizeof(g));
    }
    free(counts);
    mpi_free_all(recv, P);
    free(bucket);
    bucket = NULL;
    if ((rc = mpi_settle(st, NULL)) != EXIT_OK ||
        (rc = mpi_exchange(send, recv, NULL)) != EXIT_OK) {
        goto done;
    }
    /* This rank's keys went to the buckets in order: the replies, bucket by
     * bucket, are its cases' indices in order. */
    st = AB_OK;
    for (int d = 0; d < P && st == AB_OK; d++) {
        uint64_t want = (uint64_t)(starts[d + 1] - starts[d]) * sizeof(uint32_t);
        if (recv[d].len != want) {
            st = AB_ERROR;
            break;
        }
        if (want > 0) {
            memcpy(global + starts[d], recv[d].ptr, (size_t)want);
        }
    }
    ab_error err;
    ab_error_clear(&err);
    if (st == AB_ERROR) {
        snprintf(err.msg, sizeof(err.msg), "internal error: a reply of the case order is damaged");
        err.code = AB_ERROR;
    }
    if ((rc = mpi_settle(st, &err)) == EXIT_OK && n > 0) {
        *global_out = global;
        global = NULL;
    }
done:
    mpi_drop_all(send, P);
    mpi_drop_all(recv, P);
    free(samples);
    free(split);
    free(bucket);
    free(global);
    free(starts);
    return rc;
}

/* ---- The activities ---- */

int mpi_global_activities(ab_log **owned_io, ab_ctx *ctx)
{
    ab_log *owned = *owned_io;
    const int P = mpi_size;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    const char **names = NULL;
    uint64_t *events = NULL;
    unsigned char *all = NULL;
    uint64_t all_len = 0;
    mpi_wbuf b = {NULL, 0, 0, 0};
    uint32_t n = owned != NULL ? ab_log_activity_count(owned) : 0;
    mpi_put_u32(&b, n);
    for (uint32_t a = 0; a < n; a++) {
        mpi_put_count(&b, ab_log_activity_name(owned, a), ab_log_activity_events(owned, a));
    }
    int rc = mpi_settle(send == NULL || recv == NULL || b.bad ? AB_ENOMEM : AB_OK, NULL);
    if (rc != EXIT_OK) {
        goto done;
    }
    send[0].ptr = b.p;
    send[0].len = b.len;
    b.p = NULL;
    if ((rc = mpi_exchange(send, recv, NULL)) != EXIT_OK) {
        goto done;
    }
    int st = AB_OK;
    if (mpi_rank == 0) {
        int64_t k = mpi_sum_by_name(recv, P, &names, &events);
        mpi_wbuf u = {NULL, 0, 0, 0};
        mpi_put_u32(&u, k < 0 ? 0 : (uint32_t)k);
        for (int64_t i = 0; i < k; i++) {
            mpi_put_str(&u, names[i], strlen(names[i]));
        }
        st = k < 0 || u.bad ? AB_ENOMEM : AB_OK;
        mpi_bcast_send(u.p, st == AB_OK ? u.len : 0);
        all = u.p;
        all_len = u.len;
    } else {
        st = mpi_bcast_recv(&all, &all_len) == 0 ? AB_OK : AB_ENOMEM;
    }
    /* The union's names, NUL-terminated in place of the next length. */
    ab__rbytes r = {all, all_len, 0, 0};
    uint32_t k = st == AB_OK && all_len > 0 ? ab__get_u32(&r) : 0;
    char **list = calloc((size_t)k + 1, sizeof(char *));
    if (list == NULL) {
        st = AB_ENOMEM;
    }
    for (uint32_t i = 0; st == AB_OK && i < k; i++) {
        uint32_t len = 0;
        const char *s = ab__get_str(&r, &len);
        list[i] = s != NULL ? strndup(s, len) : NULL;
        if (list[i] == NULL) {
            st = AB_ENOMEM;
        }
    }
    if (st == AB_OK && owned != NULL) {
        st = ab__log_add_activities(owned, (const char *const *)list, k);
    } else if (st == AB_OK && ctx != NULL) {
        /* No case here: a log of the names alone. */
        ab_error err;
        ab_error_clear(&err);
        st = mpi_names_log(ctx, all, all_len, owned_io, &err);
    }
    for (uint32_t i = 0; list != NULL && i < k; i++) {
        free(list[i]);
    }
    free(list);
    rc = mpi_settle(st, NULL);
done:
    free(b.p);
    mpi_drop_all(send, P);
    mpi_drop_all(recv, P);
    free(names);
    free(events);
    free(all);
    return rc;
}

/* ---- The check ---- */

static mpi_bytes *check_recv; /* Rank 0: what every rank sent. */

int mpi_case_order_send(const ab_log *owned, const uint32_t *global)
{
    const int P = mpi_size;
    uint32_t n = owned != NULL ? ab_log_case_count(owned) : 0;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    check_recv = calloc((size_t)P, sizeof(*check_recv));
    mpi_wbuf b = {NULL, 0, 0, 0};
    mpi_put_u32(&b, n);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = ab_log_case_id(owned, k);
        mpi_put_u32(&b, global[k]);
        mpi_put_str(&b, id, strlen(id));
    }
    uint32_t acts = owned != NULL ? ab_log_activity_count(owned) : 0;
    mpi_put_u32(&b, acts);
    for (uint32_t a = 0; a < acts; a++) {
        const char *s = ab_log_activity_name(owned, a);
        mpi_put_str(&b, s, strlen(s));
    }
    int bad = send == NULL || check_recv == NULL || b.bad;
    int rc = mpi_settle(bad ? AB_ENOMEM : AB_OK, NULL);
    if (rc == EXIT_OK) {
        send[0].ptr = b.p;
        send[0].len = b.len;
        rc = mpi_exchange(send, check_recv, NULL);
        send[0].ptr = NULL;
    }
    free(b.p);
    free(send);
    if (rc != EXIT_OK && check_recv != NULL) {
        mpi_free_all(check_recv, P);
        free(check_recv);
        check_recv = NULL;
    }
    return rc;
}

int mpi_case_order_verify(const ab_log *merged)
{
    int rc = EXIT_OK;
    uint64_t seen = 0;
    for (int s = 0; s < mpi_size && rc == EXIT_OK; s++) {
        ab__rbytes r = {check_recv[s].ptr, check_recv[s].len, 0, 0};
        uint32_t n = check_recv[s].len > 0 ? ab__get_u32(&r) : 0;
        for (uint32_t i = 0; i < n && rc == EXIT_OK; i++) {
            uint32_t g = ab__get_u32(&r), len = 0;
            const char *id = ab__get_str(&r, &len);
            const char *want = g < ab_log_case_count(merged) ? ab_log_case_id(merged, g) : NULL;
            if (r.bad || id == NULL || want == NULL || strlen(want) != len ||
                memcmp(want, id, len) != 0) {
                fprintf(stderr,
                        "asbuilt-mpi: internal error: rank %d puts case '%.*s' at index %u, "
                        "the merged log has '%s' there\n",
                        s, (int)len, id != NULL ? id : "", g, want != NULL ? want : "(none)");
                rc = EXIT_IO;
            }
            seen++;
        }
        uint32_t acts = n > 0 ? ab__get_u32(&r) : 0;
        if (n > 0 && (r.bad || acts != ab_log_activity_count(merged))) {
            fprintf(stderr,
                    "asbuilt-mpi: internal error: rank %d has %u activities, the merged log %u\n",
                    s, acts, ab_log_activity_count(merged));
            rc = EXIT_IO;
        }
        for (uint32_t a = 0; a < acts && rc == EXIT_OK; a++) {
            uint32_t len = 0;
            const char *name = ab__get_str(&r, &len);
            const char *want = ab_log_activity_name(merged, a);
            if (name == NULL || strlen(want) != len || memcmp(want, name, len) != 0) {
                fprintf(stderr,
                        "asbuilt-mpi: internal error: rank %d names activity %u '%.*s', the merged "
                        "log '%s'\n",
                        s, a, (int)len, name != NULL ? name : "", want);
                rc = EXIT_IO;
            }
        }
    }
    if (rc == EXIT_OK && seen != ab_log_case_count(merged)) {
        fprintf(stderr, "asbuilt-mpi: internal error: the ranks placed %llu cases of %u\n",
                (unsigned long long)seen, ab_log_case_count(merged));
        rc = EXIT_IO;
    }
    mpi_free_all(check_recv, mpi_size);
    free(check_recv);
    check_recv = NULL;
    return rc;
}
