#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

size_t twin__utf8_check(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xbf;

        if (c >= 0x01 && c < 0x80) {
            /* ASCII fast path: 8 bytes at a time when none has the top bit
             * set and none is zero. */
            while (i + 8 <= n) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                if ((w & 0x8080808080808080ull) ||
                    ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull))
                    break;
                i += 8;
            }
            if (i < n && s[i] >= 0x01 && s[i] < 0x80) i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;       /* no overlongs */
            if (c == 0xed) hi = 0x9f;       /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90;       /* no overlongs */
            if (c == 0xf4) hi = 0x8f;       /* <= U+10FFFF */
        } else {
            return i;                       /* NUL, continuation, C0/C1, F5+ */
        }
        if (n - i < len) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) return i;
        i += len;
    }
    return n;
}
