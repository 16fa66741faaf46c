/* Fixed-buffer bump allocator: no heap. The last block can be freed or
 * resized in place; everything else is reclaimed by twin_arena_reset(). */
#include "core/alloc.h"
#include "core/sized.h"

#include <string.h>

#define ARENA_ALIGN 16u

static size_t align_up(size_t n)
{
    return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Offset of the first aligned byte of the buffer. */
static size_t arena_start(const twin_arena *a)
{
    uintptr_t p = (uintptr_t)a->base_;
    return (size_t)(((p + (ARENA_ALIGN - 1)) & ~(uintptr_t)(ARENA_ALIGN - 1)) - p);
}

static void *arena_alloc(void *ud, size_t n)
{
    twin_arena *a = ud;
    size_t at = a->used_, need;
    if (n == 0 || n > a->cap_) return NULL;
    need = align_up(n);
    if (need < n || need > a->cap_ - at) return NULL;
    a->last_ = at;
    a->used_ = at + need;
    if (a->used_ > a->peak_) a->peak_ = a->used_;
    return a->base_ + at;
}

static int is_last(const twin_arena *a, const void *p)
{
    return (const unsigned char *)p == a->base_ + a->last_ && a->last_ < a->used_;
}

static void arena_free(void *ud, void *p, size_t n)
{
    twin_arena *a = ud;
    (void)n;
    if (is_last(a, p)) a->used_ = a->last_;
}

static void *arena_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    twin_arena *a = ud;
    void *q;
    if (is_last(a, p)) {
        size_t need = align_up(new_n);
        if (new_n == 0 || need < new_n || need > a->cap_ - a->last_) return NULL;
        a->used_ = a->last_ + need;
        if (a->used_ > a->peak_) a->peak_ = a->used_;
        return p;
    }
    q = arena_alloc(a, new_n);
    if (!q) return NULL;
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    return q;
}

twin_status twin_arena_init(twin_arena *a, void *buf, size_t cap, twin_allocator *out)
{
    twin_allocator t;
    if (!a || !buf || !out) return TWIN_E_INVAL;
    memset(a, 0, sizeof *a);
    a->base_ = buf;
    a->cap_ = cap;
    a->used_ = arena_start(a);
    if (a->used_ > cap) a->used_ = cap;
    a->last_ = a->used_;
    a->peak_ = a->used_;
    memset(&t, 0, sizeof t);
    t.alloc = arena_alloc;
    t.realloc = arena_realloc;
    t.free = arena_free;
    t.ud = a;
    /* A filler: twin_allocator as published in 1.0 is its whole size today. */
    twin__sized_fill(out, &t, sizeof t, sizeof t);
    return TWIN_OK;
}

void twin_arena_reset(twin_arena *a)
{
    if (!a) return;
    a->used_ = arena_start(a);
    if (a->used_ > a->cap_) a->used_ = a->cap_;
    a->last_ = a->used_;
}

size_t twin_arena_used(const twin_arena *a)
{
    return a ? a->used_ : 0;
}

size_t twin_arena_peak(const twin_arena *a)
{
    return a ? a->peak_ : 0;
}
