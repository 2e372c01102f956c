/*
 * tools/mpi_load.c: the log that stats, discover and diff see under
 * asbuilt-mpi, built in three steps over all ranks:
 *
 * 1. read: each rank parses its share of the input (mpi_input.c) into a
 *    log of its own; a case may have events on several ranks.
 * 2. shuffle: each rank cuts its log by case owner (the case-id hash of
 *    partial.h, modulo the ranks) into partials, one per rank, and the
 *    ranks exchange them in bounded rounds (mpi_exchange). Each rank merges
 *    what it received in source-rank order, which is input order, into
 *    complete cases: the cases it owns, each whole.
 * 3. gather (where a command needs the whole log on one rank): each rank
 *    sends the partial of its complete cases to rank 0, which merges them
 *    (no case is split any more) into the log the command goes on with.
 *    The other ranks wait for rank 0's exit code.
 *    The merge numbers cases, activities and resources in a canonical order
 *    (asbuilt/partial.h), so neither the split nor the ranks reach the outputs.
 *
 * Every failure is agreed: the rank that failed first (in rank order, so in
 * input order) prints its error and every rank exits with its code.
 */
#include "mpi_load.h"

#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mpi_ctl.h"
#include "mpi_comm.h"
#include "mpi_input.h"
#include "mpi_order.h"
#include "mpi_part.h"

static int saved_stderr = -1;
static int check_ranks; /* ASBUILT_MPI_CHECK=1: see mpi_load_log. */

void mpi_stderr_quiet(void)
{
    int null = open("/dev/null", O_WRONLY);
    if (null < 0) {
        return;
    }
    fflush(stdout);
    dup2(null, 1); /* Nothing of the other ranks is for stdout. */
    saved_stderr = dup(2);
    dup2(null, 2);
    close(null);
}

void mpi_stderr_restore(void)
{
    if (saved_stderr >= 0) {
        fflush(stderr);
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
}

/* Agrees on a step's outcome; the first rank that failed prints why. */
int mpi_settle(int status, const ab_error *err)
{
    int rc = status == AB_OK ? EXIT_OK : cli_exit_for(status);
    int who;
    int first = mpi_agree_who(rc, &who);
    if (rc != EXIT_OK && (who == mpi_rank || who == -2)) {
        cli_report_status(status, err);
    }
    return first;
}

void mpi_free_all(mpi_bytes *b, int n)
{
    for (int i = 0; b != NULL && i < n; i++) {
        free(b[i].ptr);
        b[i].ptr = NULL;
        b[i].len = 0;
    }
}

void mpi_drop_all(mpi_bytes *b, int n)
{
    mpi_free_all(b, n);
    free(b);
}

int mpi_load_owned(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                   ab_log **owned_out)
{
    const int P = mpi_size, me = mpi_rank;
    mpi_stderr_restore();
    *owned_out = NULL;
    ab_error err;
    ab_error_clear(&err);
    ab_log *local = NULL, *owned = NULL;
    mpi_bytes *send = calloc((size_t)P, sizeof(*send));
    mpi_bytes *recv = calloc((size_t)P, sizeof(*recv));
    int rc = mpi_settle(send == NULL || recv == NULL ? AB_ENOMEM : AB_OK, NULL);
    if (rc != EXIT_OK) {
        goto done;
    }
    /* 1. read */
    uint64_t bytes = 0;
    int st = mpi_input_read(ctx, ro, paths, count, &local, &bytes, &err);
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto done;
    }
    uint64_t events = local != NULL ? ab_log_event_count(local) : 0;
    mpi_phase("read: %llu bytes, %llu events over %d ranks (at most %llu bytes on one)",
              (unsigned long long)mpi_sum_u64(bytes), (unsigned long long)mpi_sum_u64(events), P,
              (unsigned long long)mpi_max_u64(bytes));
    /* 2. shuffle */
    for (int d = 0; d < P && st == AB_OK && local != NULL; d++) {
        st = mpi_part_write(&send[d], ctx, local, ro, d, P, me, &err);
    }
    ab_log_destroy(local);
    local = NULL;
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto done;
    }
    uint64_t remote = 0;
    for (int d = 0; d < P; d++) {
        remote += d != me ? send[d].len : 0;
    }
    uint64_t sent_all = mpi_sum_u64(remote);
    if ((rc = mpi_exchange(send, recv, NULL)) != EXIT_OK) {
        goto done;
    }
    mpi_free_all(send, P);
    mpi_phase("shuffle: %llu bytes between ranks in rounds of at most %llu bytes per rank",
              (unsigned long long)sent_all, (unsigned long long)mpi_round_bytes);
    st = mpi_part_merge(&owned, ctx, recv, P, ro, &err);
    mpi_free_all(recv, P);
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto done;
    }
    uint64_t owned_cases = owned != NULL ? ab_log_case_count(owned) : 0;
    mpi_phase("cases completed: %llu (at most %llu on one rank)",
              (unsigned long long)mpi_sum_u64(owned_cases),
              (unsigned long long)mpi_max_u64(owned_cases));
    *owned_out = owned;
    owned = NULL;
done:
    mpi_free_all(send, P);
    mpi_free_all(recv, P);
    free(send);
    free(recv);
    ab_log_destroy(local);
    ab_log_destroy(owned);
    return rc;
}

int mpi_load_log(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                 ab_log **out)
{
    ab_log *owned = NULL;
    const char *check = getenv("ASBUILT_MPI_CHECK");
    check_ranks = check != NULL && strcmp(check, "1") == 0;
    int rc = mpi_load_owned(ctx, ro, paths, count, &owned);
    check_ranks = check_ranks && rc == EXIT_OK;
    if (check_ranks) {
        /* The tests: each case's index found without gathering, which rank 0
         * checks against the log it merges. */
        uint32_t *global = NULL;
        rc = mpi_case_order(owned, &global);
        if (rc == EXIT_OK) {
            mpi_phase("case order: every case's index in the whole log");
            rc = mpi_global_activities(&owned, NULL);
        }
        if (rc == EXIT_OK) {
            mpi_phase("activities: every rank's log has the whole input's");
            rc = mpi_case_order_send(owned, global);
        }
        free(global);
    }
    return mpi_gather_log(ctx, ro, rc, owned, out);
}

int mpi_gather_log(ab_ctx *ctx, const ab_read_options *ro, int rc, ab_log *owned, ab_log **out)
{
    const int P = mpi_size, me = mpi_rank;
    *out = NULL;
    ab_error err;
    ab_error_clear(&err);
    mpi_bytes *send = NULL, *recv = NULL;
    int st = AB_OK;
    if (rc != EXIT_OK) {
        goto done;
    }
    send = calloc((size_t)P, sizeof(*send));
    recv = calloc((size_t)P, sizeof(*recv));
    if ((rc = mpi_settle(send == NULL || recv == NULL ? AB_ENOMEM : AB_OK, NULL)) != EXIT_OK) {
        goto done;
    }
    /* 3. gather */
    if (owned != NULL) {
        st = mpi_part_write(&send[0], ctx, owned, ro, -1, P, -1, &err);
    }
    ab_log_destroy(owned);
    owned = NULL;
    if ((rc = mpi_settle(st, &err)) != EXIT_OK) {
        goto done;
    }
    uint64_t gathered = mpi_sum_u64(me != 0 ? send[0].len : 0);
    if ((rc = mpi_exchange(send, recv, NULL)) != EXIT_OK) {
        goto done;
    }
    mpi_free_all(send, P);
    mpi_phase("gather: %llu bytes to rank 0", (unsigned long long)gathered);
    /* The other ranks do not wait in a collective for the merge: they would
     * spin on the cores it needs. Rank 0 alone reports how it went. */
    if (me == 0) {
        st = mpi_part_merge(out, ctx, recv, P, ro, &err);
        if (st == AB_OK && *out == NULL) {
            st = AB_ERROR; /* Some rank always sends its facts. */
            snprintf(err.msg, sizeof(err.msg), "internal error: no partial reached rank 0");
            err.code = AB_ERROR;
        }
        mpi_free_all(recv, P);
        if (st != AB_OK) {
            rc = cli_report_status(st, &err);
            goto done;
        }
        mpi_phase("merged on rank 0: %u cases, %llu events", ab_log_case_count(*out),
                  (unsigned long long)ab_log_event_count(*out));
        if (check_ranks && (rc = mpi_case_order_verify(*out)) != EXIT_OK) {
            goto done;
        }
    }
done:
    mpi_free_all(send, P);
    mpi_free_all(recv, P);
    free(send);
    free(recv);
    ab_log_destroy(owned);
    if (rc != EXIT_OK) {
        ab_log_destroy(*out);
        *out = NULL;
    }
    if (me != 0) {
        mpi_finish(rc);
    }
    return rc;
}

void mpi_finish(int rc)
{
    if (mpi_rank == 0) {
        mpi_control(rc);
    } else {
        rc = mpi_wait_exit();
    }
    mpi_exit(rc);
}

void mpi_exit(int rc)
{
    mpi_phase("done: exit %d", rc);
    if (mpi_verbose) {
        uint64_t peak = mpi_peak_rss_kib(), *all = NULL;
        if (mpi_rank == 0) {
            all = calloc((size_t)mpi_size, sizeof(*all));
        }
        MPI_Gather(&peak, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (mpi_rank == 0 && all != NULL) {
            fprintf(stderr, "asbuilt-mpi: peak RSS per rank (MiB):");
            for (int r = 0; r < mpi_size; r++) {
                fprintf(stderr, " %.1f", (double)all[r] / 1024.0);
            }
            fprintf(stderr, "\n");
        }
        free(all);
    }
    fflush(stdout);
    fflush(stderr);
    MPI_Finalize();
    exit(rc);
}
