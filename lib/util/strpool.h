/* String pool: NUL-terminated strings appended to a segmented byte vector,
 * addressed by uint32 offset. A string never straddles a segment, so a
 * pointer to it is contiguous. Removal only counts dead bytes; the owner
 * compacts (it alone knows which offsets are live). */
#ifndef TWIN_UTIL_STRPOOL_H
#define TWIN_UTIL_STRPOOL_H

#include "util/segvec.h"

#define TWIN__STRPOOL_SHIFT 16u  /* 64 KiB segments */
#define TWIN__STRPOOL_MAX ((1u << TWIN__STRPOOL_SHIFT) - 1u)  /* longest string + NUL */

typedef struct twin__strpool {
    twin__segvec bytes;
    size_t dead;  /* bytes of removed strings */
} twin__strpool;

void twin__strpool_init(twin__strpool *p);
void twin__strpool_fini(twin__strpool *p, const twin_allocator *a);

/* Ensure that a string of n bytes (plus NUL) can be added. n < TWIN__STRPOOL_MAX. */
twin_status twin__strpool_reserve(twin__strpool *p, const twin_allocator *a, size_t n);

/* Add s[0..n) and a NUL; room must have been reserved. Returns the offset. */
uint32_t twin__strpool_add(twin__strpool *p, const char *s, size_t n);

/* Pool length after adding a string of n bytes to a pool of length len. */
uint64_t twin__strpool_span(uint64_t len, size_t n);

/* Mark the string at off (of n bytes) as removed. */
static inline void twin__strpool_kill(twin__strpool *p, size_t n)
{
    p->dead += n + 1;
}

static inline const char *twin__strpool_get(const twin__strpool *p, uint32_t off)
{
    return (const char *)twin__segvec_at(&p->bytes, off);
}

#endif
