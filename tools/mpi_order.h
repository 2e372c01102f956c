/*
 * tools/mpi_order.h: where each rank's cases stand in the whole log (see
 * mpi_order.c).
 */
#ifndef AB_MPI_ORDER_H
#define AB_MPI_ORDER_H

#include "asbuilt/asbuilt.h"

/*
 * Collective: (*global_out)[k] (malloc'ed; NULL when the rank has no case)
 * gets the index that the k-th case of owned (this rank's whole cases;
 * NULL: none) has in the log of the whole input, numbered as one process
 * numbers it: by the time of its first event, then by id in byte order.
 * No rank holds more than its share of the keys and a bucket of them.
 * Returns an exit code, the same on every rank (the failure printed).
 */
int mpi_case_order(const ab_log *owned, uint32_t **global_out);

/*
 * Collective: widens *owned (this rank's whole cases; NULL: none) to the
 * activities of the whole input, in byte order of the names, so that its
 * activity ids are those of one process over the whole input (every rank
 * sends rank 0 its names with their events, rank 0 broadcasts the union).
 * With ctx, a rank without cases gets a log of the names alone there.
 * Returns an exit code, the same on every rank (the failure printed).
 */
int mpi_global_activities(ab_log **owned, ab_ctx *ctx);

/*
 * A check of mpi_case_order, run when ASBUILT_MPI_CHECK=1 (the
 * tests). mpi_case_order_send, collective: every rank sends rank 0 its
 * cases' ids with their indices, and its activity names, which rank 0
 * keeps. Returns an exit code,
 * the same on every rank. mpi_case_order_verify, on rank 0 alone once it
 * has merged the whole log: compares them with it (each rank's activities
 * must be its activities, id for id) and frees them; returns
 * 0, or 4 with a message on the first difference.
 */
int mpi_case_order_send(const ab_log *owned, const uint32_t *global);
int mpi_case_order_verify(const ab_log *merged);

#endif
