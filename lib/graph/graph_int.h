/* Internal layout of twin_graph. Records are small fixed-size structs in
 * segmented vectors, named by uint32 index; strings live in one pool. */
#ifndef TWIN_GRAPH_INT_H
#define TWIN_GRAPH_INT_H

#include "graph/adjacency.h"
#include "graph/guard.h"
#include "graph/rebuild.h"

#include "util/index.h"
#include "util/strtab.h"

#define TWIN__BIG_DEGREE 16u       /* out-degree from which a source's relationships are indexed */

/* A property set: one allocation holding the members, nested values and
 * their strings, read-only once built. The top-level member names are not
 * in it: each is a reference to the graph's shared copy (*g->pnames), taken
 * when the set is built and dropped when it is freed. */
typedef struct twin__props {
    size_t bytes;    /* size of this allocation */
    uint32_t count;  /* members */
    uint32_t reserved;
    twin_member m[];
} twin__props;

struct twin_graph {
    twin_allocator alloc;
    twin_graph_validator validator;
    uint64_t seed;

    twin__strpool pool;     /* twin and relationship ids, interned strings */
    twin__intern models;
    twin__intern names;     /* relationship names */

    twin__segvec twins;     /* twin__twin */
    twin__index twin_idx;   /* hash(id) -> twin */
    uint32_t twin_free;     /* first free twin slot or TWIN__NONE */
    uint32_t twin_count;

    twin__segvec rels;      /* twin__rel */
    twin__index rel_idx;    /* hash(source, id) -> relationship, for TWIN__BIG sources */
    uint32_t rel_free;      /* first free relationship slot or TWIN__NONE */
    uint32_t rel_count;     /* live */
    uint32_t rel_dead;      /* removed but still linked (until the next sweep) */

    twin__segvec props;     /* twin__props *; entry 0 unused */
    uint32_t props_free;
    twin__strtab *pnames;   /* top-level property names of all sets, shared;
                               allocated with the first one (keeps graphs
                               without properties as small as they were) */

    uint64_t gen;           /* bumped by every change */
    uint64_t removals;      /* twins removed (ingest handles drop their signals) */
    struct twin__csr *csr;  /* compact adjacency, or NULL; dropped by structural changes */

    struct twin__hook *hooks;   /* change hooks, in order (stay with the handle on swap) */
    uint32_t nhooks, caphooks;
    int32_t in_hook;            /* nonzero while a hook runs: writes refused */
    uint32_t reserved_;
    twin__guard *guards;        /* held by every change (guard.h); stay with the handle */

    twin_error err;
    char errbuf[TWIN_ERROR_MESSAGE_MAX];
};

/* Guards (guard.h): every public call that changes the graph runs inside
 * them, so that scenario readers on other threads never see a change half
 * made. */
static inline void twin__guards_lock(twin_graph *g)
{
    for (twin__guard *gd = g ? g->guards : NULL; gd; gd = gd->next) gd->lock(gd);
}

static inline void twin__guards_unlock(twin_graph *g)
{
    for (twin__guard *gd = g ? g->guards : NULL; gd; gd = gd->next) gd->unlock(gd);
}

#define TWIN__GUARDED(g, call)                                                   \
    do {                                                                         \
        twin_status guarded_s_;                                                  \
        twin__guards_lock(g);                                                    \
        guarded_s_ = (call);                                                     \
        twin__guards_unlock(g);                                                  \
        return guarded_s_;                                                       \
    } while (0)

/* graph_csr.c */
void twin__csr_drop(twin_graph *g);

/* Record a change: every change invalidates readers' cursors and results;
 * a structural one (twins, relationships) also drops the compact adjacency. */
static inline void twin__changed(twin_graph *g, int structural)
{
    g->gen++;
    if (structural && g->csr) twin__csr_drop(g);
}

static inline twin__twin *twin__T(const twin_graph *g, uint32_t i)
{
    return (twin__twin *)twin__segvec_at(&g->twins, i);
}

static inline twin__rel *twin__R(const twin_graph *g, uint32_t i)
{
    return (twin__rel *)twin__segvec_at(&g->rels, i);
}

static inline const char *twin__str(const twin_graph *g, uint32_t off)
{
    return twin__strpool_get(&g->pool, off);
}

static inline const char *twin__model_str(const twin_graph *g, uint32_t t)
{
    return twin__intern_str(&g->models, &g->pool, twin__T(g, t)->model & TWIN__MODEL_MASK);
}

static inline const twin__props *twin__props_at(const twin_graph *g, uint32_t i)
{
    return i ? *(twin__props *const *)twin__segvec_at(&g->props, i) : NULL;
}

/* graph.c (and rebuild.h: swap, fail) */
/* Turn a validator's answer s (and the message it wrote) into the call's
 * status, recording the error when it rejected. */
twin_status twin__validated(twin_graph *g, twin_status s, char *msg, const char *what,
                            const char *name);
twin_status twin__check_str(twin_graph *g, const char *what, const char *s,
                            size_t max, size_t *len);
twin_status twin__lookup_twin(twin_graph *g, const char *what, const char *id,
                              uint32_t *out);
uint32_t twin__props_put(twin_graph *g, twin__props *p);  /* room reserved */
void twin__props_drop(twin_graph *g, uint32_t i);
/* Install property set p (may be NULL: none) in a twin's or relationship's
 * *slot, freeing the old one, and tell the change hook (kind, twin_id,
 * rel_id). On failure (out of memory, the hook refused) p is freed and
 * *slot is untouched. */
twin_status twin__props_commit(twin_graph *g, uint32_t *slot, twin__props *p, uint32_t kind,
                               const char *twin_id, const char *rel_id);
twin_status twin__props_reserve(twin_graph *g);

typedef struct twin__hook {
    twin_graph_change_fn fn;
    void *ud;
} twin__hook;

void twin__hooks_free(twin_graph *g);
/* graph_hook.c: tell the hooks of a change (twin_change_kind). Before: once
 * nothing but the hook can fail; a refusal is recorded on g and returned.
 * After: once the change is made. */
twin_status twin__hook_before(twin_graph *g, uint32_t kind, const char *twin_id,
                              const char *rel_id);
void twin__hook_after(twin_graph *g, uint32_t kind, const char *twin_id, const char *rel_id);

/* Writers start here: NULL graph, or a write from the change hook. */
#define TWIN__WRITER(g)                                                          \
    do {                                                                         \
        if (!(g)) return TWIN_E_INVAL;                                           \
        if ((g)->in_hook) return twin__fail((g), TWIN_E_STATE, "called from a change hook"); \
    } while (0)

/* graph_rel.c */
uint32_t twin__find_rel(const twin_graph *g, uint32_t src, const char *id, size_t n);
void twin__kill_rel(twin_graph *g, uint32_t r);
int twin__has_rels(const twin_graph *g, uint32_t t);
void twin__fill_rel(const twin_graph *g, uint32_t r, twin_relationship *out);

/* graph_gc.c */
void twin__maybe_sweep(twin_graph *g);
void twin__maybe_compact(twin_graph *g);

/* value.c: property sets */
typedef struct twin__change {
    const char *name;         /* member to set or remove; NULL: none */
    const twin_value *value;  /* new value; NULL: remove name */
} twin__change;

/* Build a new property set from base (may be NULL) with one change applied,
 * or from a caller's array (base NULL, change.name NULL, m/n given).
 * *out is NULL for an empty set. Messages go to g's error. */
twin_status twin__props_build(twin_graph *g, const twin__props *base,
                              const twin_member *m, size_t n,
                              const twin__change *chg, twin__props **out);
void twin__props_free(twin_graph *g, twin__props *p);
const twin_member *twin__props_find(const twin__props *p, const char *name);

#endif
