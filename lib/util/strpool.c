#include "util/strpool.h"

#include <string.h>

void twin__strpool_init(twin__strpool *p)
{
    twin__segvec_init(&p->bytes, 1, TWIN__STRPOOL_SHIFT);
    p->dead = 0;
}

void twin__strpool_fini(twin__strpool *p, const twin_allocator *a)
{
    twin__segvec_fini(&p->bytes, a);
    p->dead = 0;
}

/* Where a string of n bytes + NUL would start: at len, or at the next
 * segment boundary when it would straddle one. */
static uint64_t start_at(uint64_t len, size_t n)
{
    uint64_t last = len + n;
    if ((len >> TWIN__STRPOOL_SHIFT) != (last >> TWIN__STRPOOL_SHIFT))
        return (last >> TWIN__STRPOOL_SHIFT) << TWIN__STRPOOL_SHIFT;
    return len;
}

static uint32_t start_of(const twin__strpool *p, size_t n)
{
    return (uint32_t)start_at(p->bytes.len, n);
}

uint64_t twin__strpool_span(uint64_t len, size_t n)
{
    return start_at(len, n) + n + 1;
}

twin_status twin__strpool_reserve(twin__strpool *p, const twin_allocator *a, size_t n)
{
    uint64_t end;
    if (n >= TWIN__STRPOOL_MAX) return TWIN_E_RANGE;
    if ((uint64_t)p->bytes.len + n + 1 + TWIN__STRPOOL_MAX > UINT32_MAX) return TWIN_E_RANGE;
    end = (uint64_t)start_of(p, n) + n + 1;
    return twin__segvec_reserve(&p->bytes, a, (uint32_t)(end - p->bytes.len));
}

uint32_t twin__strpool_add(twin__strpool *p, const char *s, size_t n)
{
    uint32_t at = start_of(p, n);
    char *dst;
    p->dead += at - p->bytes.len;  /* padding counts as dead */
    p->bytes.len = at + (uint32_t)n + 1;
    dst = twin__segvec_at(&p->bytes, at);
    memcpy(dst, s, n);
    dst[n] = '\0';
    return at;
}
