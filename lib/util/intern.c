#include "util/intern.h"

#include "util/hash.h"

#include <string.h>

typedef struct key {
    const twin__strpool *pool;
    const char *s;
    size_t n;
} key;

static int name_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin__intern *t = ctx;
    const key *kk = k;
    const twin__name *e = twin__intern_at(t, i);
    return e->len == kk->n && memcmp(twin__strpool_get(kk->pool, e->off), kk->s, kk->n) == 0;
}

void twin__intern_init(twin__intern *t, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    twin__segvec_init(&t->ent, sizeof(twin__name), 10);
    t->free = TWIN__NONE;
    t->seed = seed;
}

void twin__intern_fini(twin__intern *t, const twin_allocator *a)
{
    twin__segvec_fini(&t->ent, a);
    twin__index_fini(&t->idx, a);
}

static uint32_t find_pos(const twin__intern *t, const twin__strpool *p, const char *s,
                         size_t n, uint32_t h)
{
    key k;
    k.pool = p;
    k.s = s;
    k.n = n;
    return twin__index_find(&t->idx, h, name_eq, t, &k);
}

uint32_t twin__intern_find(const twin__intern *t, const twin__strpool *p, const char *s,
                           size_t n)
{
    uint32_t pos = find_pos(t, p, s, n, twin__hash32(twin__hash(t->seed, s, n)));
    return pos == TWIN__NONE ? TWIN__NONE : twin__index_at(&t->idx, pos);
}

twin_status twin__intern_acquire(twin__intern *t, twin__strpool *p, const twin_allocator *a,
                                 const char *s, size_t n, uint32_t *out)
{
    uint32_t h = twin__hash32(twin__hash(t->seed, s, n));
    uint32_t pos = find_pos(t, p, s, n, h), i;
    twin__name *e;
    twin_status st;

    if (pos != TWIN__NONE) {
        i = twin__index_at(&t->idx, pos);
        twin__intern_at(t, i)->refs++;
        *out = i;
        return TWIN_OK;
    }
    if ((st = twin__index_reserve(&t->idx, a, 1)) != TWIN_OK ||
        (st = twin__strpool_reserve(p, a, n)) != TWIN_OK ||
        (t->free == TWIN__NONE && (st = twin__segvec_reserve(&t->ent, a, 1)) != TWIN_OK))
        return st;
    if (t->free != TWIN__NONE) {
        i = t->free;
        t->free = twin__intern_at(t, i)->off;
    } else {
        i = twin__segvec_push(&t->ent);
    }
    e = twin__intern_at(t, i);
    e->off = twin__strpool_add(p, s, n);
    e->len = (uint32_t)n;
    e->refs = 1;
    twin__index_insert(&t->idx, h, i);
    *out = i;
    return TWIN_OK;
}

void twin__intern_release(twin__intern *t, twin__strpool *p, uint32_t i)
{
    twin__name *e = twin__intern_at(t, i);
    const char *s;
    uint32_t pos;

    if (--e->refs) return;
    s = twin__strpool_get(p, e->off);
    pos = find_pos(t, p, s, e->len, twin__hash32(twin__hash(t->seed, s, e->len)));
    twin__index_remove_at(&t->idx, pos);
    twin__strpool_kill(p, e->len);
    e->off = t->free;
    t->free = i;
}
