#include "util/region.h"
#include "core/alloc.h"

#include <string.h>

struct twin__rblock {
    twin__rblock *prev;
    size_t cap;  /* payload bytes after the header */
};

#define HDR ((sizeof(twin__rblock) + 7u) & ~(size_t)7u)

void twin__region_init(twin__region *r, size_t block_size)
{
    memset(r, 0, sizeof *r);
    r->block_size = block_size;
}

static void free_block(twin__region *r, const twin_allocator *a, twin__rblock *b)
{
    r->bytes -= HDR + b->cap;
    twin__free(a, b, HDR + b->cap);
}

void twin__region_fini(twin__region *r, const twin_allocator *a)
{
    while (r->head) {
        twin__rblock *b = r->head;
        r->head = b->prev;
        free_block(r, a, b);
    }
    r->used = 0;
}

void *twin__region_alloc(twin__region *r, const twin_allocator *a, size_t n)
{
    twin__rblock *b;
    size_t cap;
    n = (n + 7u) & ~(size_t)7u;
    if (n == 0) n = 8;
    if (r->head && r->head->cap - r->used >= n) {
        void *p = (char *)r->head + HDR + r->used;
        r->used += n;
        return p;
    }
    cap = n > r->block_size ? n : r->block_size;
    if (cap > SIZE_MAX - HDR) return NULL;
    b = twin__alloc(a, HDR + cap);
    if (!b) return NULL;
    b->cap = cap;
    b->prev = r->head;
    r->head = b;
    r->used = n;
    r->bytes += HDR + cap;
    return (char *)b + HDR;
}

char *twin__region_strdup(twin__region *r, const twin_allocator *a, const char *s, size_t n)
{
    char *p;
    if (n == SIZE_MAX) return NULL;
    p = twin__region_alloc(r, a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void twin__region_rollback(twin__region *r, const twin_allocator *a, twin__rmark m)
{
    while (r->head && r->head != m.head) {
        twin__rblock *b = r->head;
        r->head = b->prev;
        free_block(r, a, b);
    }
    r->used = r->head ? m.used : 0;
}
