/* CRC-32 of the binary formats (snapshots, DTDL model sets). */
#ifndef TWIN_UTIL_CRC32_H
#define TWIN_UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of p[0..n) continued
 * from crc (0 to start). */
uint32_t twin__crc32(uint32_t crc, const unsigned char *p, size_t n);

#endif
