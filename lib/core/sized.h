/* Size-first structs (see core.h, "Structs that grow"): one set of rules
 * for every public struct whose first field is `uint32_t size`.
 *
 * Inputs (options, callback tables, allocator, validator, resolver,
 * loader, fleet, fusion...): the library copies the caller's `size` bytes
 * over a copy of the struct filled with its defaults, so an older caller's
 * missing fields take their defaults. Accepted sizes run from
 * TWIN__SIZED_MIN to this library's sizeof; larger is TWIN_E_ABI, smaller
 * TWIN_E_INVAL.
 *
 * Outputs (stats, info, hit, event, rul, relationship views...): the
 * library writes exactly the caller's `size` bytes (same bounds), and
 * `size` keeps the caller's value, which is the number of bytes written.
 *
 * Fillers (twin_arena_init(), twin_sqlite_callbacks(),
 * twin_ingest_resolver_from_models(), twin_health_fusion_fit(): they fill
 * a struct the caller did not have to size) write the struct as it was when
 * the function was published, and later fields only within the caller's
 * `size`; `size` is set to the bytes written.
 *
 * Header-only (static inline), so that the adapters built on libtwin's
 * public API (libtwin-sqlite, libtwin-mqtt) follow the same rules with the
 * same code without linking a hidden symbol of libtwin. */
#ifndef TWIN_CORE_SIZED_H
#define TWIN_CORE_SIZED_H

#include "twin/core.h"

#include <string.h>

/* Smallest size accepted: the `size` field and the 32-bit field after it
 * (every size-first struct has one: flags, a count or reserved_). */
#define TWIN__SIZED_MIN 8u

/* The `size` field of a size-first struct. */
static inline uint32_t twin__sized_size(const void *p)
{
    uint32_t n;
    memcpy(&n, p, sizeof n);
    return n;
}






/* Whether a caller's struct at p has a size this library can read or
 * write: TWIN_OK, TWIN_E_ABI (larger than lib_size) or TWIN_E_INVAL
 * (below TWIN__SIZED_MIN). p must not be NULL. */
static inline twin_status twin__sized_check(const void *p, size_t lib_size)
{
    uint32_t n = twin__sized_size(p);
    if (n > lib_size) return TWIN_E_ABI;
    if (n < TWIN__SIZED_MIN) return TWIN_E_INVAL;
    return TWIN_OK;
}

/* Input: dst holds lib_size bytes of defaults; copy the caller's struct src
 * over them (a NULL src keeps the defaults) and set dst's size to
 * lib_size. On failure dst is unchanged. */
static inline twin_status twin__sized_in(void *dst, size_t lib_size, const void *src)
{
    uint32_t n = (uint32_t)lib_size;
    if (src) {
        twin_status s = twin__sized_check(src, lib_size);
        if (s != TWIN_OK) return s;
        memcpy(dst, src, twin__sized_size(src));
    }
    memcpy(dst, &n, sizeof n);
    return TWIN_OK;
}

/* Output: copy the library's struct src (lib_size bytes) into the caller's
 * dst, writing dst's own size bytes, which size keeps. On failure nothing
 * is written. */
static inline twin_status twin__sized_out(void *dst, const void *src, size_t lib_size)
{
    uint32_t n = twin__sized_size(dst);
    twin_status s = twin__sized_check(dst, lib_size);
    if (s != TWIN_OK) return s;
    memcpy(dst, src, n);
    memcpy(dst, &n, sizeof n);
    return TWIN_OK;
}

/* An options_init_(): write the first `size` bytes (the caller's sizeof)
 * of the defaults at src (lib_size bytes) to dst, size set to `size`. */
static inline twin_status twin__sized_init(void *dst, size_t size, const void *src, size_t lib_size)
{
    uint32_t n = (uint32_t)size;
    if (!dst) return TWIN_E_INVAL;
    if (size > lib_size) return TWIN_E_ABI;
    if (size < TWIN__SIZED_MIN) return TWIN_E_INVAL;
    memcpy(dst, src, size);
    memcpy(dst, &n, sizeof n);
    return TWIN_OK;
}

/* A filler: write base_size bytes of src (the struct as first published)
 * and, when the caller's size says it has them, the later fields up to
 * lib_size; size is set to the bytes written. The caller's size is read
 * only once the struct has outgrown base_size. */
static inline void twin__sized_fill(void *dst, const void *src, size_t lib_size, size_t base_size)
{
    uint32_t n = (uint32_t)base_size;
    if (lib_size > base_size) {
        uint32_t want = twin__sized_size(dst);
        if (want > base_size) n = (uint32_t)(want < lib_size ? want : lib_size);
    }
    memcpy(dst, src, n);
    memcpy(dst, &n, sizeof n);
}

#endif
