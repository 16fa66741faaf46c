/* Size-first structs: the rules are in sized.h and twin/core.h. */
#include "core/sized.h"

twin_status twin__sized_check(const void *p, size_t lib_size)
{
    uint32_t n = twin__sized_size(p);
    if (n > lib_size) return TWIN_E_ABI;
    if (n < TWIN__SIZED_MIN) return TWIN_E_INVAL;
    return TWIN_OK;
}

twin_status twin__sized_in(void *dst, size_t lib_size, const void *src)
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

twin_status twin__sized_out(void *dst, const void *src, size_t lib_size)
{
    uint32_t n = twin__sized_size(dst);
    twin_status s = twin__sized_check(dst, lib_size);
    if (s != TWIN_OK) return s;
    memcpy(dst, src, n);
    memcpy(dst, &n, sizeof n);
    return TWIN_OK;
}

twin_status twin__sized_init(void *dst, size_t size, const void *src, size_t lib_size)
{
    uint32_t n = (uint32_t)size;
    if (!dst) return TWIN_E_INVAL;
    if (size > lib_size) return TWIN_E_ABI;
    if (size < TWIN__SIZED_MIN) return TWIN_E_INVAL;
    memcpy(dst, src, size);
    memcpy(dst, &n, sizeof n);
    return TWIN_OK;
}

void twin__sized_fill(void *dst, const void *src, size_t lib_size, size_t base_size)
{
    uint32_t n = (uint32_t)base_size;
    if (lib_size > base_size) {
        uint32_t want = twin__sized_size(dst);
        if (want > base_size) n = (uint32_t)(want < lib_size ? want : lib_size);
    }
    memcpy(dst, src, n);
    memcpy(dst, &n, sizeof n);
}
