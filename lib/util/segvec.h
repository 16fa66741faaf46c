/* Segmented vector: elements addressed by uint32 index, stored in segments
 * of 2^shift elements that never move once full. The first segment grows by
 * doubling until it is full, so small vectors stay small (firmware) and big
 * ones never copy or over-allocate by more than one segment. */
#ifndef TWIN_UTIL_SEGVEC_H
#define TWIN_UTIL_SEGVEC_H

#include "twin/core.h"

typedef struct twin__segvec {
    unsigned char **seg;  /* segment pointers */
    uint32_t nseg;        /* segments allocated */
    uint32_t segcap;      /* capacity of seg[] */
    uint32_t len;         /* elements in use */
    uint32_t cap;         /* elements allocated */
    uint32_t esize;       /* element size in bytes */
    uint32_t shift;       /* log2 of a full segment's element count */
} twin__segvec;

void twin__segvec_init(twin__segvec *v, uint32_t esize, uint32_t shift);
void twin__segvec_fini(twin__segvec *v, const twin_allocator *a);

/* Ensure room for n more elements past len. TWIN_E_NOMEM or TWIN_E_RANGE
 * leave the contents untouched (capacity may have grown). */
twin_status twin__segvec_reserve(twin__segvec *v, const twin_allocator *a, uint32_t n);

/* Bytes allocated, for accounting. */
size_t twin__segvec_bytes(const twin__segvec *v);

static inline void *twin__segvec_at(const twin__segvec *v, uint32_t i)
{
    return v->seg[i >> v->shift] + (size_t)(i & ((1u << v->shift) - 1u)) * v->esize;
}

/* Append one element (room must have been reserved); returns its index. */
static inline uint32_t twin__segvec_push(twin__segvec *v)
{
    return v->len++;
}

#endif
