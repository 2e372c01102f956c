/*
 * tools/mpi_align.c: the alignments of `asbuilt-mpi diff`, spread over the
 * ranks.
 *
 * Rank 0 holds the merged log and runs the command; the other ranks, their
 * part of the load done, wait for its control messages (mpi_control: a
 * non-blocking broadcast they sleep on, so that they leave the cores to
 * rank 0). For diff they get the log's activity names and build a log of
 * those names only: with it and the map named on the command line each
 * compiles and relabels the same net as rank 0, with the same activity ids.
 * When rank 0's conformance run has built the variants, it asks whether all
 * are ready, gives each rank a share of the distinct traces (greedily, the
 * longest first to the least loaded, by trace length, in variant order: the
 * same shares for the same log), aligns its own share meanwhile, and takes
 * the others' alignments back. ab_conform_align gives a trace the same
 * alignment wherever it is aligned (asbuilt/conform.h), so the report does
 * not depend on the ranks. A share that does not come back (a rank out of
 * memory, a damaged message) is aligned on rank 0: slower, never different.
 *
 * Messages are in the byte order of the machines, which must agree (one
 * binary on one kind of node, as mpirun starts it).
 */
#include "mpi_align.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mpi_comm.h"
#include "mpi_load.h"
#include "mpi_variants.h"

int mpi_align_spread = 0;

int mpi_control(int v)
{
    MPI_Request req;
    MPI_Ibcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
    /* Waiting ranks sleep rather than spin: rank 0 may want every core. */
    for (int done = 0;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) {
            return v;
        }
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
}

int mpi_wait_exit(void)
{
    for (;;) {
        int v = mpi_control(0);
        if (v >= 0) {
            return v;
        }
        if (v == MPI_CTL_ALIGN) {
            int ready = 0;
            MPI_Gather(&ready, 1, MPI_INT, NULL, 1, MPI_INT, 0, MPI_COMM_WORLD);
        }
    }
}

/* ---- The activity names ---- */

int mpi_names_send(const ab_log *log)
{
    mpi_wbuf b = {NULL, 0, 0, 0};
    uint32_t n = ab_log_activity_count(log);
    mpi_put_u32(&b, n);
    for (uint32_t a = 0; a < n; a++) {
        const char *s = ab_log_activity_name(log, a);
        uint32_t len = (uint32_t)strlen(s);
        mpi_put_u32(&b, len);
        mpi_put(&b, s, len);
    }
    if (b.bad) {
        free(b.p);
        return cli_report_status(AB_ENOMEM, NULL);
    }
    mpi_control(MPI_CTL_NAMES);
    mpi_bcast_send(b.p, b.len);
    free(b.p);
    return EXIT_OK;
}

static int sink_nothing(const ab_case_out *c, void *payload, ab_error *err)
{
    (void)c;
    (void)payload;
    (void)err;
    return AB_OK;
}

int mpi_names_recv(ab_ctx *ctx, ab_log **out, ab_error *err)
{
    *out = NULL;
    unsigned char *p = NULL;
    uint64_t len = 0;
    if (mpi_bcast_recv(&p, &len) != 0) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return AB_ENOMEM;
    }
    int st = mpi_names_log(ctx, p, len, out, err);
    free(p);
    return st;
}

int mpi_names_log(ab_ctx *ctx, const unsigned char *p, uint64_t len, ab_log **out, ab_error *err)
{
    *out = NULL;
    /* A log of these names only: one case, one event per name. A builder
     * with a case sink keeps no events and numbers the activities in byte
     * order, as the merge on rank 0 does. */
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.keep_attributes = 0;
    lo.case_sink = sink_nothing;
    ab_log_builder *bld = NULL;
    int st = ab_log_builder_create(&bld, ctx, &lo);
    ab__rbytes r = {p, (size_t)len, 0, 0};
    uint32_t n = ab__get_u32(&r);
    for (uint32_t a = 0; st == AB_OK && a < n && !r.bad; a++) {
        uint32_t l = ab__get_u32(&r);
        if (r.bad || l > r.len - r.off) {
            r.bad = 1;
            break;
        }
        ab_event_in ev;
        memset(&ev, 0, sizeof(ev));
        ev.case_id = "names";
        ev.case_id_len = 5;
        ev.activity = (const char *)r.p + r.off;
        ev.activity_len = l;
        ev.ts = 0;
        ev.start_ts = AB_TIME_NONE;
        st = ab_log_builder_add_event(bld, &ev, err);
        r.off += l;
    }
    if (st == AB_OK && !r.bad) {
        st = ab_log_builder_finish(bld, out, err);
        bld = NULL;
    }
    ab_log_builder_destroy(bld);
    int same = st == AB_OK && !r.bad && ab_log_activity_count(*out) == n;
    /* The names came in id order: the log must number them alike. */
    r.off = 4;
    for (uint32_t a = 0; same && a < n; a++) {
        uint32_t l = ab__get_u32(&r);
        const char *s = ab_log_activity_name(*out, a);
        same = strlen(s) == l && memcmp(s, r.p + r.off, l) == 0;
        r.off += l;
    }
    if (st == AB_OK && !same) {
        ab_log_destroy(*out);
        *out = NULL;
        snprintf(err->msg, sizeof(err->msg), "internal error: the activity names do not agree");
        err->code = AB_ERROR;
        return AB_ERROR;
    }
    return st;
}

/* ---- The alignments ---- */

/* Encodes jobs[idx[0..n)]'s alignments (after their status) for rank 0. */
static void put_results(mpi_wbuf *b, int status, const ab_conform_job *jobs, const uint32_t *idx,
                        uint32_t n)
{
    mpi_put_u32(b, (uint32_t)status);
    mpi_put_u32(b, status == AB_OK ? n : 0);
    for (uint32_t k = 0; status == AB_OK && k < n; k++) {
        const ab_conform_job *j = &jobs[k];
        uint32_t head[6] = {idx[k],
                            j->move_count,
                            j->cost,
                            (uint32_t)j->approximate,
                            (uint32_t)j->fast_path,
                            (uint32_t)j->ambiguous};
        mpi_put(b, head, sizeof(head));
        mpi_put(b, &j->states, sizeof(j->states));
        mpi_put(b, &j->check_states, sizeof(j->check_states));
        for (uint32_t m = 0; m < j->move_count; m++) {
            const ab_move *x = &j->moves[m];
            uint32_t f[4] = {(uint32_t)x->kind, x->transition, x->activity, x->position};
            mpi_put(b, f, sizeof(f));
        }
    }
}

/* Decodes a rank's alignments into jobs (the moves into *moves_out, one
 * block the caller frees). 0 when the message does not hold exactly the
 * share `expect` (its variant indices in order). */
static int get_results(const mpi_bytes *msg, ab_conform_job *jobs, uint32_t count,
                       const uint32_t *expect, uint32_t n, ab_move **moves_out)
{
    *moves_out = NULL;
    ab__rbytes r = {msg->ptr, (size_t)msg->len, 0, 0};
    uint32_t status = ab__get_u32(&r), got = ab__get_u32(&r);
    if (r.bad || status != AB_OK || got != n) {
        return 0;
    }
    /* Every move takes 16 bytes of the message: that bounds the block. */
    ab_move *block = malloc(msg->len / 16 * sizeof(ab_move) + sizeof(ab_move));
    if (block == NULL) {
        return 0;
    }
    size_t used = 0;
    for (uint32_t k = 0; k < n && !r.bad; k++) {
        uint32_t head[6];
        ab__get(&r, head, sizeof(head));
        if (r.bad || head[0] != expect[k] || head[0] >= count || head[1] > (r.len - r.off) / 16) {
            r.bad = 1;
            break;
        }
        ab_conform_job *j = &jobs[head[0]];
        j->move_count = head[1];
        j->cost = head[2];
        j->approximate = (int)head[3];
        j->fast_path = (int)head[4];
        j->ambiguous = (int)(int32_t)head[5];
        ab__get(&r, &j->states, sizeof(j->states));
        ab__get(&r, &j->check_states, sizeof(j->check_states));
        j->moves = block + used;
        for (uint32_t m = 0; m < j->move_count && !r.bad; m++) {
            uint32_t f[4];
            ab__get(&r, f, sizeof(f));
            ab_move *x = &block[used++];
            x->kind = (ab_move_kind)f[0];
            x->transition = f[1];
            x->activity = f[2];
            x->position = f[3];
        }
    }
    if (r.bad || r.off != r.len) {
        free(block);
        return 0;
    }
    *moves_out = block;
    return 1;
}

/* The shares: owner[v] for each variant, the longest traces first to the
 * least loaded rank (the lowest on ties). */
static int plan_shares(const ab_conform_job *jobs, uint32_t count, int ranks, uint32_t *owner)
{
    uint64_t *load = calloc((size_t)ranks, sizeof(uint64_t));
    uint32_t *order = malloc(sizeof(uint32_t) * ((size_t)count + 1));
    if (load == NULL || order == NULL) {
        free(load);
        free(order);
        return 0;
    }
    /* Counting sort by length, longest first, stable in variant order. */
    uint32_t maxlen = 0;
    for (uint32_t v = 0; v < count; v++) {
        maxlen = jobs[v].length > maxlen ? jobs[v].length : maxlen;
    }
    uint32_t *start = calloc((size_t)maxlen + 2, sizeof(uint32_t));
    if (start == NULL) {
        free(load);
        free(order);
        return 0;
    }
    for (uint32_t v = 0; v < count; v++) {
        start[maxlen - jobs[v].length + 1]++;
    }
    for (uint32_t l = 1; l <= maxlen + 1; l++) {
        start[l] += start[l - 1];
    }
    for (uint32_t v = 0; v < count; v++) {
        order[start[maxlen - jobs[v].length]++] = v;
    }
    free(start);
    for (uint32_t k = 0; k < count; k++) {
        uint32_t v = order[k];
        int best = 0;
        for (int d = 1; d < ranks; d++) {
            best = load[d] < load[best] ? d : best;
        }
        owner[v] = (uint32_t)best;
        load[best] += (uint64_t)jobs[v].length + 1;
    }
    free(load);
    free(order);
    return 1;
}

/* What rank 0's hook keeps until the run has copied the alignments. */
typedef struct spread {
    ab_ctx *ctx;
    const ab_log *log;
    const ab_net *net;
    ab_conform_options opts;
    ab_conform_job *local; /* Aligned here: their moves are ctx's. */
    uint32_t local_count;
    ab_move **blocks; /* The other ranks' moves, one block each. */
    int block_count;
} spread;

/* Aligns jobs[v] for the v with pick[v] (all when pick is NULL) here. */
static int align_here(spread *s, ab_conform_job *jobs, uint32_t count, const uint8_t *pick,
                      ab_error *err)
{
    uint32_t n = 0;
    for (uint32_t v = 0; v < count; v++) {
        n += pick == NULL || pick[v];
    }
    if (n == 0) {
        return AB_OK;
    }
    ab_conform_job *mine = calloc(n, sizeof(*mine));
    uint32_t *idx = malloc(sizeof(uint32_t) * n);
    if (mine == NULL || idx == NULL) {
        free(mine);
        free(idx);
        return AB_ENOMEM;
    }
    n = 0;
    for (uint32_t v = 0; v < count; v++) {
        if (pick == NULL || pick[v]) {
            mine[n].activities = jobs[v].activities;
            mine[n].length = jobs[v].length;
            idx[n++] = v;
        }
    }
    ab_conform_options o = s->opts;
    o.align = NULL;
    int st = ab_conform_align(mine, n, s->ctx, s->log, s->net, &o, err);
    if (st != AB_OK) {
        free(mine);
        free(idx);
        return st;
    }
    for (uint32_t k = 0; k < n; k++) {
        jobs[idx[k]] = mine[k];
    }
    free(idx);
    /* Kept for release after the run; there is one batch at most per call
     * but a fallback may add a second. */
    ab_conform_job *all = realloc(s->local, sizeof(*all) * ((size_t)s->local_count + n));
    if (all == NULL) {
        ab_conform_jobs_release(mine, n, s->ctx);
        free(mine);
        return AB_ENOMEM;
    }
    memcpy(all + s->local_count, mine, sizeof(*all) * n);
    s->local = all;
    s->local_count += n;
    free(mine);
    return AB_OK;
}

/* The variants of rank d's share, in variant order, into idx; their number. */
static uint32_t share_of(const uint32_t *owner, uint32_t count, int d, uint32_t *idx)
{
    uint32_t n = 0;
    for (uint32_t v = 0; v < count; v++) {
        if (owner[v] == (uint32_t)d) {
            idx[n++] = v;
        }
    }
    return n;
}

/* Rank 0's ab_conform_options.align. */
static int spread_align(void *payload, ab_conform_job *jobs, uint32_t count, ab_error *err)
{
    spread *s = payload;
    const int P = mpi_size;
    mpi_control(MPI_CTL_ALIGN);
    int *ready = calloc((size_t)P, sizeof(int));
    int me_ready = 1;
    MPI_Gather(&me_ready, 1, MPI_INT, ready, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int ok = ready != NULL;
    for (int d = 1; ok && d < P; d++) {
        ok = ready[d] == 1;
    }
    free(ready);
    /* The shares, each trace with its variant index, made before the ranks
     * are told to go, so that a failure here only means aligning alone. */
    uint32_t *owner = malloc(sizeof(uint32_t) * ((size_t)count + 1));
    uint32_t *idx = malloc(sizeof(uint32_t) * ((size_t)count + 1));
    uint8_t *pick = calloc((size_t)count + 1, 1);
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    ok = ok && owner != NULL && idx != NULL && pick != NULL && send != NULL && recv != NULL &&
         plan_shares(jobs, count, P, owner);
    for (int d = 1; ok && d < P; d++) {
        mpi_wbuf b = {NULL, 0, 0, 0};
        uint32_t n = share_of(owner, count, d, idx);
        mpi_put_u32(&b, n);
        for (uint32_t k = 0; k < n; k++) {
            mpi_put_u32(&b, idx[k]);
            mpi_put_u32(&b, jobs[idx[k]].length);
            mpi_put(&b, jobs[idx[k]].activities, sizeof(uint32_t) * jobs[idx[k]].length);
        }
        ok = !b.bad;
        send[d].ptr = b.p;
        send[d].len = b.len;
    }
    int st = AB_OK;
    if (!ok) {
        mpi_control(MPI_CTL_SKIP);
        mpi_phase("aligning %u variants on rank 0 alone", count);
        st = align_here(s, jobs, count, NULL, err);
        goto done;
    }
    mpi_control(MPI_CTL_GO);
    if (mpi_exchange(send, recv, NULL) != 0) {
        /* Agreed: no rank got its share. */
        st = align_here(s, jobs, count, NULL, err);
        goto done;
    }
    for (int d = 1; d < P; d++) {
        free(send[d].ptr);
        send[d].ptr = NULL;
        send[d].len = 0;
    }
    uint64_t here = 0, all = 0;
    for (uint32_t v = 0; v < count; v++) {
        pick[v] = owner[v] == 0;
        all += (uint64_t)jobs[v].length + 1;
        here += pick[v] ? (uint64_t)jobs[v].length + 1 : 0;
    }
    mpi_phase("aligning %u variants over %d ranks (rank 0: %.1f%% of the trace length)", count, P,
              all > 0 ? 100.0 * (double)here / (double)all : 0.0);
    st = align_here(s, jobs, count, pick, err);
    /* The others' alignments back (every rank sends, whatever happened). */
    int back = mpi_exchange(send, recv, NULL) == 0;
    memset(pick, 0, (size_t)count);
    uint32_t again = 0;
    s->blocks = calloc((size_t)P, sizeof(ab_move *));
    for (int d = 1; d < P; d++) {
        uint32_t n = share_of(owner, count, d, idx);
        ab_move *block = NULL;
        if (!back || s->blocks == NULL || !get_results(&recv[d], jobs, count, idx, n, &block)) {
            for (uint32_t k = 0; k < n; k++) {
                pick[idx[k]] = 1;
            }
            again += n;
        } else {
            s->blocks[s->block_count++] = block;
        }
        free(recv[d].ptr);
        recv[d].ptr = NULL;
    }
    if (st == AB_OK && again > 0) {
        mpi_phase("aligning again on rank 0 the %u variants whose alignments did not come back",
                  again);
        st = align_here(s, jobs, count, pick, err);
    }
    mpi_phase("aligned");
done:
    for (int d = 0; send != NULL && d < P; d++) {
        free(send[d].ptr);
    }
    for (int d = 0; recv != NULL && d < P; d++) {
        free(recv[d].ptr);
    }
    free(send);
    free(recv);
    free(owner);
    free(idx);
    free(pick);
    return st;
}

/* A rank other than 0: aligns the share rank 0 sent and sends the
 * alignments back (a status alone when it cannot). */
static void align_share(ab_ctx *ctx, const ab_log *log, const ab_net *net,
                        const ab_conform_options *opts)
{
    const int P = mpi_size;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    if (send == NULL || recv == NULL) {
        /* mpi_exchange reads P entries: without them this rank cannot take
         * part, and the exchange would hang. Give up cleanly instead. */
        fprintf(stderr, "asbuilt-mpi: rank %d: out of memory\n", mpi_rank);
        MPI_Abort(MPI_COMM_WORLD, 4);
    }
    if (mpi_exchange(send, recv, NULL) != 0) {
        free(send);
        free(recv);
        return;
    }
    ab__rbytes r = {recv[0].ptr, (size_t)recv[0].len, 0, 0};
    uint32_t n = ab__get_u32(&r);
    int st = r.bad ? AB_EPARSE : AB_OK;
    ab_conform_job *jobs = st == AB_OK ? calloc((size_t)n + 1, sizeof(*jobs)) : NULL;
    uint32_t *idx = st == AB_OK ? malloc(sizeof(uint32_t) * ((size_t)n + 1)) : NULL;
    st = st == AB_OK && (jobs == NULL || idx == NULL) ? AB_ENOMEM : st;
    for (uint32_t k = 0; st == AB_OK && k < n; k++) {
        idx[k] = ab__get_u32(&r);
        jobs[k].length = ab__get_u32(&r);
        if (r.bad || jobs[k].length > (r.len - r.off) / 4) {
            st = AB_EPARSE;
            break;
        }
        jobs[k].activities = (const uint32_t *)(const void *)(r.p + r.off);
        r.off += (size_t)jobs[k].length * 4;
    }
    ab_error err;
    ab_error_clear(&err);
    ab_conform_options o = *opts;
    o.align = NULL;
    o.progress = NULL;
    if (st == AB_OK) {
        st = ab_conform_align(jobs, n, ctx, log, net, &o, &err);
    }
    /* ASBUILT_MPI_DROP_SHARE=R: rank R answers that it could not align
     * (the tests check that rank 0 then aligns the share itself). */
    const char *drop = getenv("ASBUILT_MPI_DROP_SHARE");
    if (st == AB_OK && drop != NULL && atoi(drop) == mpi_rank) {
        ab_conform_jobs_release(jobs, n, ctx);
        st = AB_ENOMEM;
    }
    mpi_wbuf b = {NULL, 0, 0, 0};
    put_results(&b, st, jobs, idx, n);
    if (st == AB_OK) {
        ab_conform_jobs_release(jobs, n, ctx);
    }
    static uint32_t failed[2] = {(uint32_t)AB_ENOMEM, 0};
    if (b.bad) {
        free(b.p);
        b.p = NULL;
        send[0].ptr = (unsigned char *)failed;
        send[0].len = sizeof(failed);
    } else {
        send[0].ptr = b.p;
        send[0].len = b.len;
    }
    free(recv[0].ptr);
    recv[0].ptr = NULL;
    mpi_exchange(send, recv, NULL);
    for (int d = 0; d < P; d++) {
        free(recv[d].ptr);
    }
    free(b.p);
    free(jobs);
    free(idx);
    free(send);
    free(recv);
}

int mpi_conform_run(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                    const ab_conform_options *opts, ab_error *err)
{
    if (mpi_rank != 0) {
        for (;;) {
            int v = mpi_control(0);
            if (v >= 0) {
                mpi_exit(v);
            } else if (v == MPI_CTL_ALIGN) {
                int ready = 1;
                MPI_Gather(&ready, 1, MPI_INT, NULL, 1, MPI_INT, 0, MPI_COMM_WORLD);
            } else if (v == MPI_CTL_GO) {
                align_share(ctx, log, net, opts);
            } else if (v == MPI_CTL_VARIANTS) {
                mpi_variants_check(ctx, net, opts, NULL, NULL);
            }
        }
    }
    spread s;
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.log = log;
    s.net = net;
    s.opts = *opts;
    ab_conform_options o = *opts;
    o.align = spread_align;
    o.align_payload = &s;
    int st = ab_conform_run(out, ctx, log, net, &o, err);
    if (st == AB_OK && mpi_kept_global != NULL) {
        /* The tests: the variants each rank finds on its own cases, made
         * global, must be these. */
        mpi_control(MPI_CTL_VARIANTS);
        if (mpi_variants_check(ctx, net, opts, log, *out) != EXIT_OK) {
            ab_conform_destroy(*out);
            *out = NULL;
            snprintf(err->msg, sizeof(err->msg),
                     "internal error: the variants over the ranks are not rank 0's");
            err->code = AB_ERROR;
            st = AB_ERROR;
        }
    }
    ab_conform_jobs_release(s.local, s.local_count, ctx);
    free(s.local);
    for (int d = 0; d < s.block_count; d++) {
        free(s.blocks[d]);
    }
    free(s.blocks);
    return st;
}
