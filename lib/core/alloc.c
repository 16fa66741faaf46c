/* The default allocator (the C library's) and allocator table checks. */
#include "core/alloc.h"

#include "core/sized.h"

#include <stdlib.h>
#include <string.h>

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
    twin_allocator a;
    twin_status s;
    memset(&a, 0, sizeof a);
    if ((s = twin__sized_in(&a, sizeof a, src ? src : &heap_allocator)) != TWIN_OK) return s;
    if (!a.alloc || !a.realloc || !a.free) return TWIN_E_INVAL;
    *dst = a;
    return TWIN_OK;
}
