/*
 * tools/mpi_comm.h: what the ranks of asbuilt-mpi exchange and how: byte
 * buffers from every rank to every rank in bounded rounds (Open MPI counts
 * are int: no round moves more than mpi_round_bytes per rank), agreement on
 * a failure, and the phase log (ASBUILT_MPI_VERBOSE=1).
 */
#ifndef AB_MPI_COMM_H
#define AB_MPI_COMM_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

#include "core/core_int.h"

/* A message being written: bytes appended, bad set when memory ran out
 * (later appends do nothing). */
typedef struct mpi_wbuf {
    unsigned char *p;
    size_t len, cap;
    int bad;
} mpi_wbuf;

void mpi_put(mpi_wbuf *b, const void *data, size_t n);
void mpi_put_u32(mpi_wbuf *b, uint32_t v);
/* A string as its length (u32) and bytes. */
void mpi_put_str(mpi_wbuf *b, const char *s, size_t n);

/* A message is read with ab__rbytes and ab__get* (core/core_int.h). */

/* A byte buffer owned by whoever holds it (free(ptr)). */
typedef struct mpi_bytes {
    unsigned char *ptr;
    uint64_t len;
} mpi_bytes;

/* This process's rank and the number of ranks (set by mpi_comm_init). */
extern int mpi_rank, mpi_size;

/*
 * At most this many bytes leave (and arrive at) one rank in one round of
 * mpi_exchange: 64 MiB unless ASBUILT_MPI_ROUND_BYTES says otherwise
 * (at least 1 byte per destination, at most INT_MAX).
 */
extern uint64_t mpi_round_bytes;

/* Reads the rank, the size and the environment. */
void mpi_comm_init(void);

/*
 * Collective: every rank sends send[d] (d < mpi_size; len 0 for nothing) to
 * rank d and receives into recv[s] what rank s sent it (malloc'ed; NULL
 * when empty), in rounds of at most mpi_round_bytes per rank. Frees nothing
 * of send. Returns 0, or 4 when a rank ran out of memory (all ranks return
 * 4 then, recv freed); *bytes_out (may be NULL) gets the bytes this rank sent.
 */
int mpi_exchange(const mpi_bytes *send, mpi_bytes *recv, uint64_t *bytes_out);

/*
 * Collective: each rank's exit code (0 = fine); returns the first non-zero
 * one in rank order, or 0. A rank that failed has printed why.
 */
int mpi_agree(int rc);

/* The same, with the rank that failed first in *who (-1 when none). */
int mpi_agree_who(int rc, int *who);

/* Collective: every rank sends p[0..len) to every rank (mpi_exchange):
 * recv[s] gets rank s's bytes. Returns as mpi_exchange. */
int mpi_exchange_all(const void *p, uint64_t len, mpi_bytes *recv);

/* Two strings with their lengths in byte order (a prefix first), as memcmp. */
int mpi_bytes_cmp(const char *a, uint32_t la, const char *b, uint32_t lb);

/* Rank 0: broadcasts p[0..len) (its length first) in pieces that int
 * counts carry. Collective with mpi_bcast_recv on the other ranks. */
void mpi_bcast_send(const void *p, uint64_t len);
/* The other ranks: *out gets the bytes (malloc'ed) and *len_out their
 * length; returns 0, or 4 when memory ran out (the broadcast is followed
 * all the same, *out NULL). */
int mpi_bcast_recv(unsigned char **out, uint64_t *len_out);

/* Appends one (name, count) of a message that mpi_sum_by_name reads: the
 * message starts with the number of them (mpi_put_u32). */
void mpi_put_count(mpi_wbuf *b, const char *name, uint64_t count);
/*
 * The (name, count) pairs of msgs[0..n) (each a count of pairs, then the
 * pairs), summed by name: *names_out (pointing into msgs) in byte order
 * and *counts_out, both malloc'ed. Returns their number, or -1 when a
 * message is damaged or memory runs out.
 */
int64_t mpi_sum_by_name(const mpi_bytes *msgs, int n, const char ***names_out,
                        uint64_t **counts_out);

/* Sum over ranks (collective). */
uint64_t mpi_sum_u64(uint64_t v);
/* Maximum over ranks (collective). */
uint64_t mpi_max_u64(uint64_t v);

/* With ASBUILT_MPI_VERBOSE=1, rank 0 prints "asbuilt-mpi: <what>" with the
 * seconds since start to stderr, then its resident memory and its peak so
 * far. */
void mpi_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int mpi_verbose;

/* Peak resident set of this process in KiB (getrusage), 0 if unknown. */
uint64_t mpi_peak_rss_kib(void);

/* Collective: reduces n values of es bytes over the ranks in place, in
 * pieces that int counts carry. */
void mpi_reduce_pieces(void *v, size_t n, size_t es, MPI_Datatype type, MPI_Op op);

/* ASBUILT_MPI_FAIL=R:STEP, for the tests: whether rank R is to run out of
 * memory at STEP (discover: filters, summarise, owners, load, orders, bind;
 * diff: conform, header, parts, values, ids), so that every failure path is
 * seen to end all ranks with one message and no rank waiting. */
int mpi_fails_at(const char *step);

#endif
