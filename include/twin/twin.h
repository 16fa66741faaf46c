/**
 * @file twin.h
 * @brief The umbrella header of libtwin: includes every module header.
 *
 * `#include <twin/twin.h>` gives the whole library: the core (status
 * codes, errors, allocators, arena, version: `twin/core.h`), the asset
 * graph, impact analysis, DTDL model sets, health models, ingest and
 * storage. A translation unit that needs one module may include that
 * module's header alone; each includes what it depends on.
 */
#ifndef TWIN_TWIN_H
#define TWIN_TWIN_H

#include "twin/core.h"
#include "twin/clock.h"
#include "twin/series.h"
#include "twin/graph.h"
#include "twin/impact.h"
#include "twin/dtdl.h"
#include "twin/health.h"
#include "twin/ingest.h"
#include "twin/storage.h"
#include "twin/scenario.h"

#endif /* TWIN_TWIN_H */
