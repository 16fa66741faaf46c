/* Internal layout of scenarios.
 *
 * A scenario keeps records of whole twins (model, properties, outgoing
 * relationships, and the scenario's own failure settings) in layers: its
 * own layer (twins it changed), and for a root scenario a frozen layer
 * (twins as they were at the fork, copied by the change hook before the
 * live graph changed them). A twin's record in a scenario is the first
 * found in: its own layer, its ancestors' own layers, the root's frozen
 * layer; failing those, the live graph. A record with a NULL model is a
 * tombstone: the twin does not exist there. Records are immutable once
 * made and live in their scenario's region; a change makes a new record.
 * A scenario with children refuses changes (its children read through it).
 */
#ifndef TWIN_SCENARIO_INT_H
#define TWIN_SCENARIO_INT_H

#include "twin/scenario.h"

#include "graph/guard.h"
#include "util/index.h"
#include "util/region.h"

#include <pthread.h>

typedef struct sc_rel {
    const char *id, *name, *target;
} sc_rel;

typedef struct sc_rec {
    const char *id;
    const char *model;          /* NULL: tombstone */
    const twin_member *props;
    uint32_t nprops, nout;
    const sc_rel *out;
    double fail_at;             /* seconds from the start; INFINITY: none */
    double rate;                /* constant failure rate per second; 0: none */
} sc_rec;

typedef struct sc_layer {
    twin__index idx;            /* hash(id) -> recs[] */
    const sc_rec **recs;
    uint32_t n, cap;
} sc_layer;

/* A health signal copied at the root's fork. */
typedef struct sc_sig {
    const char *twin, *name;
    twin_health h;
    twin_health_options o;
} sc_sig;

/* A health setting changed in a scenario (twin_scenario_set_health). */
typedef struct sc_hset {
    uint32_t sig;               /* index in the family's signals */
    int32_t param;
    double value;
} sc_hset;

typedef struct sc_family {
    pthread_rwlock_t lock;
    twin__guard guard;
    twin_graph *g;              /* the live graph; NULL once destroyed */
    twin_status gone;           /* TWIN_OK, or why the family is unusable */
    const char *gone_why;
    twin_allocator alloc;
    uint64_t hseed;             /* hash seed of the indexes */
    int64_t now_us;
    sc_sig *sigs;
    uint32_t nsigs, sigcap;
    uint32_t refs;              /* scenarios of the family */
    twin__index sig_idx;        /* hash(twin, name) -> sigs[] */
    twin__region region;        /* the signals' names */
    struct twin_scenario *root;
} sc_family;

struct twin_scenario {
    sc_family *fam;
    struct twin_scenario *parent;
    uint32_t children;
    uint32_t nhset, caphset;
    sc_hset *hset;
    sc_layer own;
    sc_layer frozen;            /* root only */
    twin__region region;
    twin_error err;
    char errbuf[TWIN_ERROR_MESSAGE_MAX];
};

/* fork.c */
twin_status twin__sc_fail(twin_scenario *sc, twin_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Take the family's lock, shared or exclusive, and check that the live
 * graph is there; on failure nothing is held. */
twin_status twin__sc_enter(twin_scenario *sc, int exclusive);
void twin__sc_leave(twin_scenario *sc);

/* The family's signal (twin, name), or TWIN__NONE. */
uint32_t twin__sc_sig_find(const sc_family *f, const char *twin, const char *name);

/* view.c */
const sc_rec *twin__sc_layer_find(const sc_family *f, const sc_layer *l, const char *id);
twin_status twin__sc_layer_put(sc_family *f, sc_layer *l, const sc_rec *r);
void twin__sc_layer_fini(sc_family *f, sc_layer *l);
/* The twin's record as the scenario sees it: *out is a record of a layer,
 * or, when below is 1, a record read from the live graph into sc's region
 * (NULL with TWIN_OK when the live graph has no such twin). base = 1 reads
 * as of the root's fork (the root's frozen layer, then the live graph). */
twin_status twin__sc_record(twin_scenario *sc, const char *id, int base, const sc_rec **out);
/* Copy the live record of id into region r (tombstone when absent). */
twin_status twin__sc_read_live(sc_family *f, twin__region *r, const char *id,
                               const sc_rec **out);
/* Deep copy of a value into a region; checks it (finite, UTF-8, unique
 * member names) when check is set. */
twin_status twin__sc_value_copy(sc_family *f, twin__region *r, const twin_value *v,
                                twin_value *out, int check);
/* The record of id in sc's layers (own layers up the chain, then the
 * root's frozen layer; base: the frozen layer only), or NULL. */
const sc_rec *twin__sc_layered(const twin_scenario *sc, const char *id, int base);
/* Whether the live twin id is shadowed by a record in sc's chain. */
int twin__sc_shadowed(const twin_scenario *sc, const char *id);
/* Visit every twin of the scenario (effective, not tombstones). Live twins
 * that have no record are passed with rec NULL and their live id. */
typedef twin_status (*sc_twin_fn)(void *ud, const char *id, const sc_rec *rec);
twin_status twin__sc_each_twin(twin_scenario *sc, sc_twin_fn fn, void *ud);
/* Outgoing relationships of a twin: its record's list, or the live ones. */
typedef twin_status (*sc_rel_fn)(void *ud, const char *src, const sc_rel *rel);
twin_status twin__sc_each_out(twin_scenario *sc, const char *id, const sc_rec *rec,
                              sc_rel_fn fn, void *ud);

#endif
