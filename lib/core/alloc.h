/* Internal allocation helpers over a handle's copy of twin_allocator. */
#ifndef TWIN_CORE_ALLOC_H
#define TWIN_CORE_ALLOC_H

#include "twin/core.h"

/* Copy a caller's allocator table into *dst, or the default when src is
 * NULL. TWIN_E_ABI for an unknown size, TWIN_E_INVAL for a short or
 * incomplete table. */
twin_status twin__allocator_copy(twin_allocator *dst, const twin_allocator *src);

static inline void *twin__alloc(const twin_allocator *a, size_t n)
{
    return a->alloc(a->ud, n);
}

static inline void *twin__realloc(const twin_allocator *a, void *p, size_t old_n,
                                  size_t new_n)
{
    if (!p) return a->alloc(a->ud, new_n);
    return a->realloc(a->ud, p, old_n, new_n);
}

static inline void twin__free(const twin_allocator *a, void *p, size_t n)
{
    if (p) a->free(a->ud, p, n);
}

#endif
