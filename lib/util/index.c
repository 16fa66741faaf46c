#include "util/index.h"

#include "core/alloc.h"

#include <string.h>

#define MIN_CAP 8u

static size_t slots_bytes(uint32_t cap)
{
    return (size_t)cap * sizeof(twin__slot);
}

void twin__index_fini(twin__index *x, const twin_allocator *a)
{
    if (x->slot) twin__free(a, x->slot, slots_bytes(x->mask + 1));
    x->slot = NULL;
    x->mask = 0;
    x->count = 0;
}

static void place(twin__slot *s, uint32_t mask, twin__slot e)
{
    uint32_t pos = e.hash & mask;
    while (s[pos].idx1) pos = (pos + 1) & mask;
    s[pos] = e;
}

twin_status twin__index_reserve(twin__index *x, const twin_allocator *a, uint32_t n)
{
    uint64_t need = (uint64_t)x->count + n;
    uint64_t cap = x->slot ? (uint64_t)x->mask + 1 : 0;
    uint64_t ncap;
    twin__slot *s;

    if (need * 4 <= cap * 3) return TWIN_OK;
    ncap = cap ? cap : MIN_CAP;
    while (need * 4 > ncap * 3) ncap *= 2;
    if (ncap > ((uint64_t)1 << 31) || ncap > SIZE_MAX / sizeof(twin__slot))
        return TWIN_E_RANGE;
    s = twin__alloc(a, slots_bytes((uint32_t)ncap));
    if (!s) return TWIN_E_NOMEM;
    memset(s, 0, slots_bytes((uint32_t)ncap));
    for (uint64_t i = 0; i < cap; i++)
        if (x->slot[i].idx1) place(s, (uint32_t)ncap - 1, x->slot[i]);
    if (x->slot) twin__free(a, x->slot, slots_bytes((uint32_t)cap));
    x->slot = s;
    x->mask = (uint32_t)ncap - 1;
    return TWIN_OK;
}

void twin__index_insert(twin__index *x, uint32_t hash, uint32_t idx)
{
    twin__slot e;
    e.idx1 = idx + 1;
    e.hash = hash;
    place(x->slot, x->mask, e);
    x->count++;
}

void twin__index_remove_at(twin__index *x, uint32_t pos)
{
    uint32_t mask = x->mask, hole = pos, i = pos;
    for (;;) {
        uint32_t home;
        i = (i + 1) & mask;
        if (!x->slot[i].idx1) break;
        home = x->slot[i].hash & mask;
        /* Move slot i into the hole unless its home lies cyclically in
         * (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            x->slot[hole] = x->slot[i];
            hole = i;
        }
    }
    x->slot[hole].idx1 = 0;
    x->slot[hole].hash = 0;
    x->count--;
}

size_t twin__index_bytes(const twin__index *x)
{
    return x->slot ? slots_bytes(x->mask + 1) : 0;
}
