#include "util/segvec.h"

#include "core/alloc.h"

#include <string.h>

#define FIRST_CAP 8u

void twin__segvec_init(twin__segvec *v, uint32_t esize, uint32_t shift)
{
    memset(v, 0, sizeof *v);
    v->esize = esize;
    v->shift = shift;
}

static uint32_t full_cap(const twin__segvec *v)
{
    return 1u << v->shift;
}

void twin__segvec_fini(twin__segvec *v, const twin_allocator *a)
{
    if (v->nseg == 1) {
        twin__free(a, v->seg[0], (size_t)v->cap * v->esize);
    } else {
        for (uint32_t i = 0; i < v->nseg; i++)
            twin__free(a, v->seg[i], (size_t)full_cap(v) * v->esize);
    }
    twin__free(a, v->seg, (size_t)v->segcap * sizeof *v->seg);
    v->seg = NULL;
    v->nseg = v->segcap = v->len = v->cap = 0;
}

/* Grow the first segment (the only one) towards a full segment: to twice
 * its size, or to exactly what is needed when that is more (a reservation
 * made up front, e.g. from capacity hints, gets what it asked for). */
static twin_status grow_first(twin__segvec *v, const twin_allocator *a, uint64_t need)
{
    uint64_t ncap = v->cap ? (uint64_t)v->cap * 2 : FIRST_CAP;
    void *p;
    if (ncap < need) ncap = need;
    if (ncap > full_cap(v)) ncap = full_cap(v);
    p = twin__realloc(a, v->seg[0], (size_t)v->cap * v->esize, (size_t)ncap * v->esize);
    if (!p) return TWIN_E_NOMEM;
    v->seg[0] = p;
    v->cap = (uint32_t)ncap;
    return TWIN_OK;
}

static twin_status ensure_seg_slots(twin__segvec *v, const twin_allocator *a, uint32_t n)
{
    uint32_t ncap;
    void *p;
    if (n <= v->segcap) return TWIN_OK;
    ncap = v->segcap ? v->segcap * 2 : 4;
    while (ncap < n) ncap *= 2;
    p = twin__realloc(a, v->seg, (size_t)v->segcap * sizeof *v->seg, (size_t)ncap * sizeof *v->seg);
    if (!p) return TWIN_E_NOMEM;
    v->seg = p;
    v->segcap = ncap;
    return TWIN_OK;
}

twin_status twin__segvec_reserve(twin__segvec *v, const twin_allocator *a, uint32_t n)
{
    uint64_t need = (uint64_t)v->len + n;
    twin_status s;

    if (need <= v->cap) return TWIN_OK;
    if (need > UINT32_MAX - full_cap(v)) return TWIN_E_RANGE;
    if ((s = ensure_seg_slots(v, a, 1)) != TWIN_OK) return s;
    if (v->nseg == 0) {
        v->seg[0] = NULL;
        v->nseg = 1;
    }
    if (v->nseg == 1 && v->cap < full_cap(v)) {
        if ((s = grow_first(v, a, need)) != TWIN_OK) return s;
    }
    while (v->cap < need) {
        void *p;
        if ((s = ensure_seg_slots(v, a, v->nseg + 1)) != TWIN_OK) return s;
        p = twin__alloc(a, (size_t)full_cap(v) * v->esize);
        if (!p) return TWIN_E_NOMEM;
        v->seg[v->nseg++] = p;
        v->cap += full_cap(v);
    }
    return TWIN_OK;
}

size_t twin__segvec_bytes(const twin__segvec *v)
{
    return (size_t)v->cap * v->esize + (size_t)v->segcap * sizeof *v->seg;
}
