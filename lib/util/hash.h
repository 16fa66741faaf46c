/* 64-bit hash of byte strings (not cryptographic; seeded per handle). */
#ifndef TWIN_UTIL_HASH_H
#define TWIN_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t twin__hash(uint64_t seed, const void *p, size_t n);

/* A 64-bit integer mixer, also used to derive seeds. */
static inline uint64_t twin__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

#endif
