/*
 * tools/mpi_ctl.c: the control messages rank 0 sends the ranks that wait
 * for it (a non-blocking broadcast they sleep on, so that they leave the
 * cores to rank 0), and the log of activity names alone that a rank without
 * cases takes the whole input's activities from.
 *
 * Messages are in the byte order of the machines, which must agree (one
 * binary on one kind of node, as mpirun starts it).
 */
#include "mpi_ctl.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi_comm.h"

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
    }
}

/* ---- The activity names ---- */

static int sink_nothing(const ab_case_out *c, void *payload, ab_error *err)
{
    (void)c;
    (void)payload;
    (void)err;
    return AB_OK;
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
