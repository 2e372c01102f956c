/*
 * tools/mpi_variants.h: the conformance variants of the whole input, made
 * from each rank's own (see mpi_variants.c).
 */
#ifndef AB_MPI_VARIANTS_H
#define AB_MPI_VARIANTS_H

#include "asbuilt/asbuilt.h"

/* FNV-1a of an activity sequence (length u32 ids, read as bytes: they
 * may be unaligned in a message), with its length. */
uint64_t mpi_seq_hash(const void *acts, uint32_t length);

typedef struct mpi_gvariants {
    uint32_t count;
    /* In one process's order (cases, descending, then smallest id); cases
     * NULL (a variant's cases are on their ranks), case_count the whole
     * input's. */
    ab_conform_variant *v;
    char **min_id;             /* Per variant: the smallest id of its cases. */
    uint32_t local_count;      /* This rank's variants ... */
    uint32_t *local_to_global; /* ... and where each is in v. */
    unsigned char *store;      /* What v points into. */
    uint64_t sent;             /* The bytes of this rank's variants sent to each rank. */
} mpi_gvariants;

/*
 * Collective: *out gets the variants of the whole input from local (this
 * rank's conformance run over owned, its whole cases with the whole
 * input's activities; both NULL when it has none). Every rank sends every
 * rank its variants with their alignments; each adds them up by activity
 * sequence (cases summed, smallest id kept) and orders them as one process
 * does. A variant's alignment is the same on any rank (ab_conform_align).
 * Returns an exit code, the same on every rank (the failure printed).
 */
int mpi_global_variants(const ab_conform *local, const ab_log *owned, mpi_gvariants *out);
void mpi_gvariants_free(mpi_gvariants *g);

#endif
