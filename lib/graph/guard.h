/* What the graph offers to views that read it from other threads (what-if
 * scenarios): guards, each a lock that every call changing the graph holds
 * for the whole call, and a notice when the graph is destroyed or its
 * contents are replaced under them. */
#ifndef TWIN_GRAPH_GUARD_H
#define TWIN_GRAPH_GUARD_H

#include "twin/graph.h"

typedef struct twin__guard twin__guard;
struct twin__guard {
    void (*lock)(twin__guard *gd);     /* exclusive; may block */
    void (*unlock)(twin__guard *gd);
    /* The graph is being destroyed (destroyed = 1) or its contents were
     * replaced by a load or restore (0); called with the lock held. The
     * guard is dropped by the graph after a destroy. */
    void (*gone)(twin__guard *gd, int destroyed);
    twin__guard *next;                 /* the graph's list */
};

/* Add or remove a guard; on the graph's writer thread, outside any call
 * that changes it (the list is only read there). */
void twin__graph_guard_add(twin_graph *g, twin__guard *gd);
void twin__graph_guard_remove(twin_graph *g, twin__guard *gd);

#endif
