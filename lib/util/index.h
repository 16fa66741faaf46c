/* Open-addressing hash index (linear probing, backward-shift deletion) from
 * a 32-bit hash to a uint32 element index. The elements and their keys live
 * with the owner; the index stores each element's hash, so it grows and
 * deletes without calling back. */
#ifndef TWIN_UTIL_INDEX_H
#define TWIN_UTIL_INDEX_H

#include "twin/core.h"

#define TWIN__NONE UINT32_MAX

typedef struct twin__slot {
    uint32_t idx1;  /* element index + 1; 0 = empty */
    uint32_t hash;
} twin__slot;

typedef struct twin__index {
    twin__slot *slot;
    uint32_t mask;   /* capacity - 1 (capacity is 0 while slot is NULL) */
    uint32_t count;
} twin__index;

void twin__index_fini(twin__index *x, const twin_allocator *a);

/* Ensure n more entries fit under the load limit (3/4). */
twin_status twin__index_reserve(twin__index *x, const twin_allocator *a, uint32_t n);

/* Insert (hash, idx); room must have been reserved; no duplicate check. */
void twin__index_insert(twin__index *x, uint32_t hash, uint32_t idx);

/* Remove the entry at slot position pos. */
void twin__index_remove_at(twin__index *x, uint32_t pos);

size_t twin__index_bytes(const twin__index *x);

/* Find the slot position of the element with this hash for which
 * eq(ctx, idx, key) holds; TWIN__NONE when absent. */
static inline uint32_t twin__index_find(const twin__index *x, uint32_t hash,
                                        int (*eq)(const void *ctx, uint32_t idx,
                                                  const void *key),
                                        const void *ctx, const void *key)
{
    uint32_t pos;
    if (!x->slot) return TWIN__NONE;
    for (pos = hash & x->mask; x->slot[pos].idx1; pos = (pos + 1) & x->mask) {
        if (x->slot[pos].hash == hash && eq(ctx, x->slot[pos].idx1 - 1, key))
            return pos;
    }
    return TWIN__NONE;
}

static inline uint32_t twin__index_at(const twin__index *x, uint32_t pos)
{
    return x->slot[pos].idx1 - 1;
}

static inline uint32_t twin__hash32(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}

#endif
