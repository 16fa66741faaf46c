/* The default allocator (the C library's) and allocator table checks. */
#include "core/alloc.h"

#include <stdlib.h>

static void *heap_alloc(void *ud, size_t n)
{
    (void)ud;
    return malloc(n);
}

static void *heap_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    (void)ud;
    (void)old_n;
    return realloc(p, new_n);
}

static void heap_free(void *ud, void *p, size_t n)
{
    (void)ud;
    (void)n;
    free(p);
}

static const twin_allocator heap_allocator = {
    sizeof(twin_allocator), 0, heap_alloc, heap_realloc, heap_free, NULL,
};

const twin_allocator *twin_allocator_default(void)
{
    return &heap_allocator;
}

twin_status twin__allocator_copy(twin_allocator *dst, const twin_allocator *src)
{
    if (!src) src = &heap_allocator;
    if (src->size > sizeof *src) return TWIN_E_ABI;
    if (src->size < sizeof *src || !src->alloc || !src->realloc || !src->free)
        return TWIN_E_INVAL;
    *dst = *src;
    return TWIN_OK;
}
