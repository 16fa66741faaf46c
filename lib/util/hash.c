/* Word-at-a-time multiplicative hash with a strong final mix. */
#include "util/hash.h"

#include <string.h>

#define K1 0x9e3779b97f4a7c15ull
#define K2 0xc2b2ae3d27d4eb4full

uint64_t twin__hash(uint64_t seed, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ ((uint64_t)n * K1);
    uint64_t k;

    while (n >= 8) {
        memcpy(&k, s, 8);
        h = (h ^ (k * K2)) * K1;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* the bytes as memcpy() would put them, without a call */
        k = 0;
        while (n--) k = (k << 8) | s[n];
#else
        k = 0;
        memcpy(&k, s, n);
#endif
        h = (h ^ (k * K2)) * K1;
    }
    return twin__mix64(h);
}
