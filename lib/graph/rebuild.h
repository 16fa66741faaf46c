/* What the graph offers to storage above it for replacing a whole graph:
 * one built aside with the same allocator and validator, swapped in when
 * complete; and the graph's error record. */
#ifndef TWIN_GRAPH_REBUILD_H
#define TWIN_GRAPH_REBUILD_H

#include "twin/graph.h"

/* An empty graph with g's allocator and validator and the capacity hints. */
twin_status twin__graph_create_like(const twin_graph *g, uint32_t twin_hint, uint32_t rel_hint,
                                    twin_graph **out);

/* Exchange the contents of two graphs made with the same allocator; each
 * keeps its own error record and change hook. */
void twin__graph_swap(twin_graph *a, twin_graph *b);

/* The graph's allocator. */
const twin_allocator *twin__graph_allocator(const twin_graph *g);

/* Record an error on g; returns s. */
twin_status twin__fail(twin_graph *g, twin_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
