/* Scenarios: the family (lock, guard on the live graph, change hook that
 * keeps the fork as it was, health states copied at the fork), forking and
 * destroying. */
#include "scenario/scenario_int.h"

#include "core/alloc.h"
#include "core/error.h"
#include "graph/rebuild.h"
#include "util/hash.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#define SC_REGION_BLOCK 4096u

twin_status twin__sc_fail(twin_scenario *sc, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&sc->err, sc->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

twin_status twin__sc_enter(twin_scenario *sc, int exclusive)
{
    sc_family *f = sc->fam;
    if (exclusive)
        pthread_rwlock_wrlock(&f->lock);
    else
        pthread_rwlock_rdlock(&f->lock);
    if (f->gone == TWIN_OK) return TWIN_OK;
    pthread_rwlock_unlock(&f->lock);
    return twin__sc_fail(sc, f->gone, "%s", f->gone_why);
}

void twin__sc_leave(twin_scenario *sc)
{
    pthread_rwlock_unlock(&sc->fam->lock);
}

/* ---- the guard and the change hook ------------------------------------ */

#define FAMILY_OF(gd) ((sc_family *)((char *)(gd) - offsetof(sc_family, guard)))

static void guard_lock(twin__guard *gd)
{
    pthread_rwlock_wrlock(&FAMILY_OF(gd)->lock);
}

static void guard_unlock(twin__guard *gd)
{
    pthread_rwlock_unlock(&FAMILY_OF(gd)->lock);
}

static void guard_gone(twin__guard *gd, int destroyed)
{
    sc_family *f = FAMILY_OF(gd);
    /* A destroyed graph is forgotten; a replaced one keeps the guard and
       the hook, which the root removes when it is destroyed. */
    if (destroyed) f->g = NULL;
    f->gone = TWIN_E_STATE;
    f->gone_why = destroyed ? "the scenario's live graph was destroyed"
                            : "the scenario's live graph was replaced by a load or restore";
}

/* Keep the root's view of twin id as it is now (called before the live
 * graph changes it; the family's lock is held by the writer). */
static void keep(sc_family *f, const char *id)
{
    twin_scenario *root = f->root;
    const sc_rec *r;
    if (f->gone != TWIN_OK) return;
    if (twin__sc_layer_find(f, &root->own, id) || twin__sc_layer_find(f, &root->frozen, id))
        return;
    if (twin__sc_read_live(f, &root->region, id, &r) != TWIN_OK ||
        twin__sc_layer_put(f, &root->frozen, r) != TWIN_OK) {
        /* The live graph must not wait for a fork: the fork gives up. */
        f->gone = TWIN_E_NOMEM;
        f->gone_why = "out of memory keeping the scenario's view of a twin the live graph changed";
    }
}

static twin_status on_change(void *ud, const twin_graph *g, const twin_change *c)
{
    sc_family *f = ud;
    if (c->phase != TWIN_CHANGE_BEFORE) return TWIN_OK;
    keep(f, c->twin_id);
    if (c->kind == TWIN_CHANGE_TWIN_DELETE) {
        /* its incoming relationships go with it: their sources change */
        twin_cursor cur;
        twin_relationship rel = TWIN_RELATIONSHIP_INIT;
        if (twin_graph_relationships_begin(g, &cur, c->twin_id, TWIN_DIRECTION_INCOMING, NULL) ==
            TWIN_OK)
            while (twin_graph_relationships_next(g, &cur, &rel) == TWIN_OK) keep(f, rel.source_id);
    }
    return TWIN_OK;
}

/* ---- health states ------------------------------------------------------ */

static int sig_eq(const void *ctx, uint32_t idx, const void *key)
{
    const sc_family *f = ctx;
    const char *const *k = key;
    return strcmp(f->sigs[idx].twin, k[0]) == 0 && strcmp(f->sigs[idx].name, k[1]) == 0;
}

static uint32_t sig_hash(const sc_family *f, const char *twin, const char *name)
{
    uint64_t h = twin__hash(f->hseed, twin, strlen(twin));
    return twin__hash32(twin__hash(h, name, strlen(name)));
}

uint32_t twin__sc_sig_find(const sc_family *f, const char *twin, const char *name)
{
    const char *k[2];
    uint32_t pos;
    k[0] = twin;
    k[1] = name;
    pos = twin__index_find(&f->sig_idx, sig_hash(f, twin, name), sig_eq, f, k);
    return pos == TWIN__NONE ? TWIN__NONE : twin__index_at(&f->sig_idx, pos);
}

static twin_status copy_signals(sc_family *f, const twin_ingest *ing)
{
    uint64_t cur = 0;
    twin_signal sig;
    int64_t latest = 0;
    while (twin_ingest_signals_next(ing, &cur, &sig) == TWIN_OK) {
        twin_health h;
        twin_health_options o;
        twin_health_stats st;
        const char *tw, *nm;
        sc_sig *s;
        twin_health_options_init(&o);
        if (twin_ingest_get_health(ing, sig, &h, &o) != TWIN_OK) continue;
        if (twin_ingest_signal_info(ing, sig, &tw, &nm, NULL) != TWIN_OK) continue;
        if (f->nsigs == f->sigcap) {
            uint32_t nc = f->sigcap ? f->sigcap * 2 : 16;
            sc_sig *p = twin__realloc(&f->alloc, f->sigs, f->sigcap * sizeof *p, nc * sizeof *p);
            if (!p) return TWIN_E_NOMEM;
            f->sigs = p;
            f->sigcap = nc;
        }
        if (twin__index_reserve(&f->sig_idx, &f->alloc, 1) != TWIN_OK) return TWIN_E_NOMEM;
        s = &f->sigs[f->nsigs];
        s->twin = twin__region_strdup(&f->region, &f->alloc, tw, strlen(tw));
        s->name = twin__region_strdup(&f->region, &f->alloc, nm, strlen(nm));
        if (!s->twin || !s->name) return TWIN_E_NOMEM;
        s->h = h;
        s->o = o;
        twin__index_insert(&f->sig_idx, sig_hash(f, s->twin, s->name), f->nsigs);
        f->nsigs++;
        st.size = sizeof st;
        if (twin_health_get_stats(&h, &st, NULL) == TWIN_OK && st.last_us > latest) latest = st.last_us;
    }
    if (!f->now_us) f->now_us = latest;
    return TWIN_OK;
}

/* ---- fork and destroy --------------------------------------------------- */

static void family_free(sc_family *f)
{
    twin_allocator a = f->alloc;
    twin__free(&a, f->sigs, f->sigcap * sizeof *f->sigs);
    twin__index_fini(&f->sig_idx, &a);
    twin__region_fini(&f->region, &a);
    pthread_rwlock_destroy(&f->lock);
    twin__free(&a, f, sizeof *f);
}

static twin_scenario *scenario_new(sc_family *f)
{
    twin_scenario *sc = twin__alloc(&f->alloc, sizeof *sc);
    if (!sc) return NULL;
    memset(sc, 0, sizeof *sc);
    sc->fam = f;
    twin__region_init(&sc->region, SC_REGION_BLOCK);
    sc->err.message = sc->errbuf;
    return sc;
}

twin_status twin_scenario_fork(twin_scenario **out, twin_graph *g, const twin_ingest *ing,
                               int64_t now_us)
{
    sc_family *f;
    twin_scenario *sc;
    twin_status s;
    const twin_allocator *ga;
    if (!out || !g) return TWIN_E_INVAL;
    *out = NULL;
    ga = twin__graph_allocator(g);
    f = twin__alloc(ga, sizeof *f);
    if (!f) return TWIN_E_NOMEM;
    memset(f, 0, sizeof *f);
    f->alloc = *ga;
    if (pthread_rwlock_init(&f->lock, NULL) != 0) {
        twin__free(ga, f, sizeof *f);
        return TWIN_E_NOMEM;
    }
    f->g = g;
    f->hseed = twin__mix64((uint64_t)(uintptr_t)f ^ 0x5ce4a210u);
    f->now_us = now_us;
    f->gone_why = "";
    twin__region_init(&f->region, SC_REGION_BLOCK);
    f->guard.lock = guard_lock;
    f->guard.unlock = guard_unlock;
    f->guard.gone = guard_gone;
    if (ing && (s = copy_signals(f, ing)) != TWIN_OK) {
        family_free(f);
        return s;
    }
    if (!(sc = scenario_new(f))) {
        family_free(f);
        return TWIN_E_NOMEM;
    }
    f->root = sc;
    f->refs = 1;
    if ((s = twin_graph_add_change_hook(g, on_change, f)) != TWIN_OK) {
        twin__free(&f->alloc, sc, sizeof *sc);
        family_free(f);
        return s;
    }
    twin__graph_guard_add(g, &f->guard);
    *out = sc;
    return TWIN_OK;
}

twin_status twin_scenario_fork_scenario(twin_scenario **out, twin_scenario *parent)
{
    twin_scenario *sc;
    twin_status s;
    if (!out || !parent) return TWIN_E_INVAL;
    *out = NULL;
    if ((s = twin__sc_enter(parent, 1)) != TWIN_OK) return s;
    if (!(sc = scenario_new(parent->fam))) {
        twin__sc_leave(parent);
        return twin__sc_fail(parent, TWIN_E_NOMEM, "out of memory forking a scenario");
    }
    sc->parent = parent;
    parent->children++;
    parent->fam->refs++;
    twin__sc_leave(parent);
    *out = sc;
    return TWIN_OK;
}

void twin_scenario_destroy(twin_scenario *sc)
{
    sc_family *f;
    twin_allocator a;
    int last;
    if (!sc) return;
    f = sc->fam;
    a = f->alloc;
    if (!sc->parent && f->g) {
        /* the root: unhook from the live graph (on its writer's thread) */
        twin__graph_guard_remove(f->g, &f->guard);
        twin_graph_remove_change_hook(f->g, on_change, f);
    }
    pthread_rwlock_wrlock(&f->lock);
    if (sc->parent) sc->parent->children--;
    last = --f->refs == 0;
    pthread_rwlock_unlock(&f->lock);
    twin__sc_layer_fini(f, &sc->own);
    twin__sc_layer_fini(f, &sc->frozen);
    twin__free(&a, sc->hset, sc->caphset * sizeof *sc->hset);
    twin__region_fini(&sc->region, &a);
    twin__free(&a, sc, sizeof *sc);
    if (last) family_free(f);
}

const twin_error *twin_scenario_last_error(const twin_scenario *sc)
{
    static const twin_error null_sc = {TWIN_E_INVAL, 0, "scenario is NULL"};
    return sc ? &sc->err : &null_sc;
}
