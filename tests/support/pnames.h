/* Checks of a graph's shared property-name table (graph internals: only for
 * tests linked against the static library built from this tree). */
#ifndef TWIN_TESTS_PNAMES_H
#define TWIN_TESTS_PNAMES_H

#include <stddef.h>
#include <stdint.h>

#include "twin/twin.h"

/* Live names in the table (0 when the graph has none yet). */
size_t pnames_count(const twin_graph *g);

/* The sum of the names' reference counts. */
uint64_t pnames_refs(const twin_graph *g);

/* 1 when the table is exactly what the live property sets of twins and
 * relationships hold: each top-level name is the table's copy, each name's
 * count equals the number of sets holding it, and no other name is in the
 * table. Else 0 with the first problem described in @p why. */
int pnames_consistent(const twin_graph *g, char *why, size_t cap);

/* ck_assert that pnames_consistent(g) holds. */
void pnames_assert(const twin_graph *g);

#endif
