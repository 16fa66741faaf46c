/* The snapshot format (see snapshot_write.c): constants and the CRC-32. */
#ifndef TWIN_STORAGE_SNAPSHOT_H
#define TWIN_STORAGE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#define TWIN__SNAP_MAGIC "LTWNSNAP"
#define TWIN__SNAP_HEADER_BYTES 24u
#define TWIN__SNAP_FLAG_INGEST 1u

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of p[0..n) continued
 * from crc (0 to start). */
uint32_t twin__crc32(uint32_t crc, const unsigned char *p, size_t n);

#endif
