/* Interned, reference-counted strings (model identifiers, relationship
 * names): each distinct string is stored once and named by a small index. */
#ifndef TWIN_UTIL_INTERN_H
#define TWIN_UTIL_INTERN_H

#include "util/index.h"
#include "util/segvec.h"
#include "util/strpool.h"

typedef struct twin__name {
    uint32_t off;   /* string offset in the pool; next free entry when refs == 0 */
    uint32_t len;
    uint32_t refs;
} twin__name;

typedef struct twin__intern {
    twin__segvec ent;  /* twin__name */
    twin__index idx;
    uint32_t free;     /* first free entry or TWIN__NONE */
    uint64_t seed;
} twin__intern;

void twin__intern_init(twin__intern *t, uint64_t seed);
void twin__intern_fini(twin__intern *t, const twin_allocator *a);

/* Index of s[0..n), or TWIN__NONE. */
uint32_t twin__intern_find(const twin__intern *t, const twin__strpool *p,
                           const char *s, size_t n);

/* Take a reference to s[0..n), adding it when new. All or nothing. */
twin_status twin__intern_acquire(twin__intern *t, twin__strpool *p,
                                 const twin_allocator *a, const char *s,
                                 size_t n, uint32_t *out);

/* Drop a reference; the string is removed with its last one. */
void twin__intern_release(twin__intern *t, twin__strpool *p, uint32_t i);

static inline twin__name *twin__intern_at(const twin__intern *t, uint32_t i)
{
    return (twin__name *)twin__segvec_at(&t->ent, i);
}

static inline const char *twin__intern_str(const twin__intern *t,
                                           const twin__strpool *p, uint32_t i)
{
    return twin__strpool_get(p, twin__intern_at(t, i)->off);
}

#endif
