/* What the graph offers to traversals and serialisers above it (impact,
 * snapshots): a read-only view of its records by slot, its strings and its
 * compact adjacency, without the rest of its private layout.
 *
 * The view holds pointers to the graph's own fields, valid for the graph's
 * lifetime (a restore swaps contents, not addresses), so that a view taken
 * once keeps reading the live graph. Readers compare *gen before and after
 * anything that may run host code. */
#ifndef TWIN_GRAPH_ADJACENCY_H
#define TWIN_GRAPH_ADJACENCY_H

#include "twin/graph.h"

#include "util/intern.h"
#include "util/segvec.h"
#include "util/strpool.h"

#define TWIN__DEAD UINT32_MAX      /* id of a free twin, name of a removed relationship */
#define TWIN__BIG 0x80000000u      /* twin.model flag: outgoing relationships indexed */
#define TWIN__MODEL_MASK 0x7fffffffu

typedef struct twin__twin {
    uint32_t id;     /* pool offset; TWIN__DEAD for a free slot */
    uint32_t model;  /* model intern index | TWIN__BIG */
    uint32_t props;  /* property set index; 0 = none */
    uint32_t out;    /* first outgoing relationship (newest), or TWIN__NONE; next free twin when dead */
    uint32_t in;     /* first incoming relationship (newest), or TWIN__NONE */
} twin__twin;

typedef struct twin__rel {
    uint32_t src, dst;
    uint32_t next_out;  /* next in the source's outgoing list; next free when freed */
    uint32_t next_in;   /* next in the target's incoming list */
    uint32_t id;        /* pool offset */
    uint32_t name;      /* name intern index; TWIN__DEAD once removed */
    uint32_t props;     /* property set index; 0 = none */
} twin__rel;

/* The compact adjacency built by twin_graph_optimize(). Each twin's
 * outgoing ([0]) and incoming ([1]) relationships, in list order, as
 * parallel arrays, so that a scan reads only the other ends. */
typedef struct twin__csr {
    uint32_t n;          /* twin slots covered */
    uint32_t m;          /* relationships */
    uint32_t *off[2];    /* n + 1 offsets each */
    uint32_t *to[2];     /* m other ends each */
    uint32_t *name[2];   /* m relationship names each */
    uint32_t *rel[2];    /* m relationships each */
} twin__csr;

typedef struct twin__adjacency {
    const twin__segvec *twins;     /* twin__twin by slot */
    const twin__segvec *rels;      /* twin__rel by slot */
    const twin__strpool *pool;     /* ids and interned strings */
    const twin__intern *models;    /* model identifiers */
    const twin__intern *names;     /* relationship names */
    twin__csr *const *csr;         /* *csr: the compact adjacency, or NULL */
    const uint64_t *gen;           /* bumped by every change */
    const uint32_t *twin_count;    /* live twins */
    const uint32_t *rel_count;     /* live relationships */
    const twin__segvec *props;     /* property sets (twin__graph_props_of()) */
    const uint64_t *removals;      /* twins removed so far (ingest drops their signals) */
} twin__adjacency;

/* The view of g. */
void twin__graph_adjacency(const twin_graph *g, twin__adjacency *out);

/* The members of property set idx (a twin's or relationship's props; 0:
 * none), *n of them. */
const twin_member *twin__graph_props_of(const twin__adjacency *a, uint32_t idx, size_t *n);

/* The slot of twin id (n bytes), or TWIN__NONE. */
uint32_t twin__find_twin(const twin_graph *g, const char *id, size_t n);

static inline const twin__twin *twin__adj_twin(const twin__adjacency *a, uint32_t i)
{
    return (const twin__twin *)twin__segvec_at(a->twins, i);
}

static inline const twin__rel *twin__adj_rel(const twin__adjacency *a, uint32_t i)
{
    return (const twin__rel *)twin__segvec_at(a->rels, i);
}

static inline const char *twin__adj_str(const twin__adjacency *a, uint32_t off)
{
    return twin__strpool_get(a->pool, off);
}

/* Identifier and model identifier of twin slot t. */
static inline const char *twin__adj_id(const twin__adjacency *a, uint32_t t)
{
    return twin__adj_str(a, twin__adj_twin(a, t)->id);
}

static inline const char *twin__adj_model(const twin__adjacency *a, uint32_t t)
{
    return twin__intern_str(a->models, a->pool, twin__adj_twin(a, t)->model & TWIN__MODEL_MASK);
}

/* A relationship name by intern index. */
static inline const char *twin__adj_name(const twin__adjacency *a, uint32_t name)
{
    return twin__intern_str(a->names, a->pool, name);
}

/* Twin slots (live or free) and relationship-name slots. */
static inline uint32_t twin__adj_twin_slots(const twin__adjacency *a)
{
    return a->twins->len;
}

static inline uint32_t twin__adj_name_slots(const twin__adjacency *a)
{
    return a->names->ent.len;
}

#endif
