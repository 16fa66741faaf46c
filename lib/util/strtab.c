#include "util/strtab.h"

#include "core/alloc.h"
#include "util/hash.h"

#include <string.h>

#define ENT_SHIFT 10u

typedef union ent {
    twin__sstr *p;
    uint32_t next_free;
} ent;

typedef struct key {
    const char *s;
    size_t n;
} key;

static ent *ent_at(const twin__strtab *t, uint32_t i)
{
    return (ent *)twin__segvec_at(&t->ent, i);
}

static size_t block_bytes(uint32_t len)
{
    return offsetof(twin__sstr, s) + (size_t)len + 1;
}

static uint32_t hash_of(const twin__strtab *t, const char *s, size_t n)
{
    return twin__hash32(twin__hash(t->seed, s, n));
}

static int str_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin__sstr *e = ent_at(ctx, i)->p;
    const key *kk = k;
    return e->len == kk->n && memcmp(e->s, kk->s, kk->n) == 0;
}

static int ent_eq(const void *ctx, uint32_t i, const void *k)
{
    (void)ctx;
    return i == *(const uint32_t *)k;
}

void twin__strtab_init(twin__strtab *t, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    twin__segvec_init(&t->ent, sizeof(ent), ENT_SHIFT);
    t->free = TWIN__NONE;
    t->seed = seed;
}

void twin__strtab_fini(twin__strtab *t, const twin_allocator *a)
{
    if (t->count) {
        /* Mark the free entries, then free the strings of the others. */
        for (uint32_t f = t->free; f != TWIN__NONE;) {
            ent *e = ent_at(t, f);
            f = e->next_free;
            e->p = NULL;
        }
        for (uint32_t i = 0; i < t->ent.len; i++) {
            twin__sstr *e = ent_at(t, i)->p;
            if (e) twin__free(a, e, block_bytes(e->len));
        }
    }
    twin__segvec_fini(&t->ent, a);
    twin__index_fini(&t->idx, a);
    t->free = TWIN__NONE;
    t->count = 0;
    memset(t->hint, 0, sizeof t->hint);
}

static uint32_t find_pos(const twin__strtab *t, const char *s, size_t n, uint32_t h)
{
    key k;
    k.s = s;
    k.n = n;
    return twin__index_find(&t->idx, h, str_eq, t, &k);
}

const char *twin__strtab_find(const twin__strtab *t, const char *s, size_t n)
{
    uint32_t pos = find_pos(t, s, n, hash_of(t, s, n));
    return pos == TWIN__NONE ? NULL : ent_at(t, twin__index_at(&t->idx, pos))->p->s;
}

twin_status twin__strtab_acquire(twin__strtab *t, const twin_allocator *a, const char *s,
                                 size_t n, const char **out)
{
    uint32_t h = hash_of(t, s, n), pos = find_pos(t, s, n, h), i;
    twin__sstr *e;
    twin_status st;

    if (pos != TWIN__NONE) {
        e = ent_at(t, twin__index_at(&t->idx, pos))->p;
        if ((st = twin__strtab_ref(e->s)) != TWIN_OK) return st;
        *out = e->s;
        return TWIN_OK;
    }
    if (n >= ((size_t)1 << 31)) return TWIN_E_RANGE;
    if ((st = twin__index_reserve(&t->idx, a, 1)) != TWIN_OK ||
        (t->free == TWIN__NONE && (st = twin__segvec_reserve(&t->ent, a, 1)) != TWIN_OK))
        return st;
    e = twin__alloc(a, block_bytes((uint32_t)n));
    if (!e) return TWIN_E_NOMEM;
    if (t->free != TWIN__NONE) {
        i = t->free;
        t->free = ent_at(t, i)->next_free;
    } else {
        i = twin__segvec_push(&t->ent);
    }
    e->refs = 1;
    e->ent = i;
    e->len = (uint32_t)n;
    if (n) memcpy(e->s, s, n);
    e->s[n] = '\0';
    ent_at(t, i)->p = e;
    twin__index_insert(&t->idx, h, i);
    t->count++;
    *out = e->s;
    return TWIN_OK;
}

twin_status twin__strtab_acquire_hint(twin__strtab *t, const twin_allocator *a, const char *s,
                                      size_t slot, const char **out)
{
    const char **h = &t->hint[slot % TWIN__STRTAB_HINTS];
    twin_status st;
    if (*h && strcmp(*h, s) == 0) {
        if ((st = twin__strtab_ref(*h)) != TWIN_OK) return st;
        *out = *h;
        return TWIN_OK;
    }
    if ((st = twin__strtab_acquire(t, a, s, strlen(s), out)) != TWIN_OK) return st;
    *h = *out;
    return TWIN_OK;
}

void twin__strtab_release(twin__strtab *t, const twin_allocator *a, const char *s)
{
    twin__sstr *e = twin__strtab_hdr(s);
    uint32_t i = e->ent;

    if (--e->refs) return;
    for (uint32_t k = 0; k < TWIN__STRTAB_HINTS; k++)
        if (t->hint[k] == e->s) t->hint[k] = NULL;
    twin__index_remove_at(&t->idx,
                          twin__index_find(&t->idx, hash_of(t, e->s, e->len), ent_eq, t, &i));
    ent_at(t, i)->next_free = t->free;
    t->free = i;
    t->count--;
    twin__free(a, e, block_bytes(e->len));
}

size_t twin__strtab_bytes(const twin__strtab *t)
{
    size_t n = twin__segvec_bytes(&t->ent) + twin__index_bytes(&t->idx);
    for (uint32_t pos = 0; t->idx.slot && pos <= t->idx.mask; pos++)
        if (t->idx.slot[pos].idx1)
            n += block_bytes(ent_at(t, twin__index_at(&t->idx, pos))->p->len);
    return n;
}
