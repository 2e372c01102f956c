/*
 * tools/mpi_diff.h: `asbuilt-mpi diff` with every rank on its own cases
 * (see mpi_diff.c): the hooks of tools/cmd_diff.c.
 */
#ifndef AB_MPI_DIFF_H
#define AB_MPI_DIFF_H

#include "asbuilt/asbuilt.h"

/* cli_load_log_hook: this rank's whole cases (collective; an exit code,
 * the same on every rank). */
int mpi_diff_load(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                  ab_log **out);
/* cli_mapping_coverage_hook: each activity's events over the ranks. */
int mpi_diff_coverage(const ab_log *log, const ab_net *net, const ab_bpmn_mapping *mapping,
                      ab_gap_rate *events, ab_gap_rate *tasks, char *warning, size_t cap);
/* cli_conform_run_hook: this rank's cases, their variants made global. */
int mpi_diff_conform(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                     const ab_conform_options *opts, ab_error *err);
/* cli_gap_compute_hook: the gap over the ranks; every rank gets the same. */
int mpi_diff_gap(ab_gap **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                 const ab_conform *conf, const ab_gap_options *opts, ab_error *err);
/* Under --cases: rank 0's cli_case_lines and cli_case_lines_end, the other
 * ranks' cli_case_lines_serve (every case's line, merged on rank 0 in the
 * whole log's order, a batch a rank at a time). */
int mpi_diff_case_lines(void *gap, ab_buf *out, int *done, ab_error *err);
void mpi_diff_case_lines_end(void);
int mpi_diff_case_lines_serve(const ab_gap *gap);
/* Frees what the hooks kept (after the command). */
void mpi_diff_release(void);

#endif
