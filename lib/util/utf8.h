/* Strict UTF-8 validation (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
#ifndef TWIN_UTIL_UTF8_H
#define TWIN_UTIL_UTF8_H

#include <stddef.h>

/* Offset of the first invalid byte of s[0..n), or n when all is valid.
 * A NUL byte inside the range counts as invalid. */
size_t twin__utf8_check(const char *s, size_t n);

#endif
