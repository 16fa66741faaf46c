/* Shared strings: reference-counted, each distinct string stored once in an
 * allocation of its own, found through a hash index. A string's address
 * never changes while a reference to it is held (unlike a string pool's
 * contents, which move when its first segment grows), so holders keep a
 * plain `const char *` and hand it to callers. Only the owner's mutating
 * calls may take or drop references: readers just read the characters. */
#ifndef TWIN_UTIL_STRTAB_H
#define TWIN_UTIL_STRTAB_H

#include "util/index.h"
#include "util/segvec.h"

#include <stddef.h>

/* One string: the header and the characters (with a NUL) in one block. */
typedef struct twin__sstr {
    uint32_t refs;
    uint32_t ent;   /* entry index in the table */
    uint32_t len;   /* bytes, without the NUL */
    char s[];
} twin__sstr;

#define TWIN__STRTAB_HINTS 4u

typedef struct twin__strtab {
    twin__segvec ent;  /* per entry: twin__sstr *, or the next free entry */
    twin__index idx;   /* hash(string) -> entry */
    uint32_t free;     /* first free entry or TWIN__NONE */
    uint32_t count;    /* live strings */
    uint64_t seed;
    /* Strings last acquired through twin__strtab_acquire_hint(), by the
     * caller's slot (NULL once freed): callers that acquire the same few
     * strings in the same order skip the hashing. */
    const char *hint[TWIN__STRTAB_HINTS];
} twin__strtab;

void twin__strtab_init(twin__strtab *t, uint64_t seed);

/* Free the table and any string still in it (its holders must be gone). */
void twin__strtab_fini(twin__strtab *t, const twin_allocator *a);

/* The table's copy of s[0..n), or NULL. */
const char *twin__strtab_find(const twin__strtab *t, const char *s, size_t n);

/* Take a reference to s[0..n) (n < 2^31), adding it when new; *out is the
 * table's copy. All or nothing: TWIN_E_NOMEM or TWIN_E_RANGE change no
 * string (the index may have grown). */
twin_status twin__strtab_acquire(twin__strtab *t, const twin_allocator *a, const char *s,
                                 size_t n, const char **out);

/* twin__strtab_acquire() of the NUL-terminated s, first trying the string
 * last acquired for `slot` (any number; taken modulo TWIN__STRTAB_HINTS). */
twin_status twin__strtab_acquire_hint(twin__strtab *t, const twin_allocator *a, const char *s,
                                      size_t slot, const char **out);

static inline twin__sstr *twin__strtab_hdr(const char *s)
{
    return (twin__sstr *)(void *)((unsigned char *)(uintptr_t)s - offsetof(twin__sstr, s));
}

/* Take one more reference to s, a string of the table. TWIN_E_RANGE when
 * its count is at its maximum. */
static inline twin_status twin__strtab_ref(const char *s)
{
    twin__sstr *e = twin__strtab_hdr(s);
    if (e->refs == UINT32_MAX) return TWIN_E_RANGE;
    e->refs++;
    return TWIN_OK;
}

static inline uint32_t twin__strtab_refs(const char *s)
{
    return twin__strtab_hdr(s)->refs;
}

/* Drop a reference to s, a string of the table; the string is freed with
 * its last one. */
void twin__strtab_release(twin__strtab *t, const twin_allocator *a, const char *s);

/* Bytes allocated by the table and its strings, for accounting. */
size_t twin__strtab_bytes(const twin__strtab *t);

#endif
