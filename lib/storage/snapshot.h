/* The snapshot format (see snapshot_write.c): constants. */
#ifndef TWIN_STORAGE_SNAPSHOT_H
#define TWIN_STORAGE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "util/crc32.h"

#define TWIN__SNAP_MAGIC "LTWNSNAP"
#define TWIN__SNAP_HEADER_BYTES 24u
#define TWIN__SNAP_FLAG_INGEST 1u


#endif
