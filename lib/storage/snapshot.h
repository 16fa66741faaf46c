/* The snapshot format (see snapshot_write.c): constants. */
#ifndef TWIN_STORAGE_SNAPSHOT_H
#define TWIN_STORAGE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "util/crc32.h"

#define TWIN__SNAP_MAGIC "LTWNSNAP"
#define TWIN__SNAP_HEADER_BYTES 24u
#define TWIN__SNAP_FLAG_INGEST 1u
/* Most health profiles a snapshot may hold: the ingest handle's limit of
 * distinct health options (ingest.h), which keeps a profile's index in 16
 * bits. */
#define TWIN__SNAP_PROFILES_MAX 65535


#endif
