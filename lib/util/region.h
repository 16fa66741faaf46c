/* Region: a bump allocator over blocks from a handle's allocator, with
 * marks to roll back to. Pointers stay valid until rolled back or freed;
 * nothing is freed one at a time. */
#ifndef TWIN_UTIL_REGION_H
#define TWIN_UTIL_REGION_H

#include "twin/core.h"

typedef struct twin__rblock twin__rblock;

typedef struct twin__region {
    twin__rblock *head;   /* newest block */
    size_t used;          /* bytes used in head */
    size_t bytes;         /* bytes of every block, for statistics */
    size_t block_size;    /* default payload of a block */
} twin__region;

typedef struct twin__rmark {
    twin__rblock *head;
    size_t used;
} twin__rmark;

void twin__region_init(twin__region *r, size_t block_size);
void twin__region_fini(twin__region *r, const twin_allocator *a);
/* n bytes aligned to 8; NULL when the allocator fails. */
void *twin__region_alloc(twin__region *r, const twin_allocator *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *twin__region_strdup(twin__region *r, const twin_allocator *a, const char *s, size_t n);
static inline twin__rmark twin__region_mark(const twin__region *r)
{
    twin__rmark m;
    m.head = r->head;
    m.used = r->used;
    return m;
}
/* Free everything allocated after mark m. */
void twin__region_rollback(twin__region *r, const twin_allocator *a, twin__rmark m);

#endif
