/* Scenarios: layers of twin records, reads that fall through to the live
 * graph, and the changes a scenario makes to its own layer. */
#include "scenario/scenario_int.h"

#include "core/alloc.h"
#include "util/hash.h"
#include "util/utf8.h"

#include <math.h>
#include <string.h>

/* ---- layers -------------------------------------------------------------- */

typedef struct layer_key {
    const sc_layer *l;
    const char *id;
} layer_key;

static int rec_eq(const void *ctx, uint32_t idx, const void *key)
{
    const sc_layer *l = ctx;
    return strcmp(l->recs[idx]->id, key) == 0;
}

static uint32_t id_hash(const sc_family *f, const char *id)
{
    return twin__hash32(twin__hash(f->hseed, id, strlen(id)));
}

const sc_rec *twin__sc_layer_find(const sc_family *f, const sc_layer *l, const char *id)
{
    uint32_t pos;
    if (!l->n) return NULL;
    pos = twin__index_find(&l->idx, id_hash(f, id), rec_eq, l, id);
    return pos == TWIN__NONE ? NULL : l->recs[twin__index_at(&l->idx, pos)];
}

twin_status twin__sc_layer_put(sc_family *f, sc_layer *l, const sc_rec *r)
{
    uint32_t h = id_hash(f, r->id), pos;
    pos = l->n ? twin__index_find(&l->idx, h, rec_eq, l, r->id) : TWIN__NONE;
    if (pos != TWIN__NONE) {
        l->recs[twin__index_at(&l->idx, pos)] = r;
        return TWIN_OK;
    }
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 8;
        const sc_rec **p = twin__realloc(&f->alloc, (void *)l->recs, l->cap * sizeof *p,
                                         nc * sizeof *p);
        if (!p) return TWIN_E_NOMEM;
        l->recs = p;
        l->cap = nc;
    }
    if (twin__index_reserve(&l->idx, &f->alloc, 1) != TWIN_OK) return TWIN_E_NOMEM;
    l->recs[l->n] = r;
    twin__index_insert(&l->idx, h, l->n);
    l->n++;
    return TWIN_OK;
}

void twin__sc_layer_fini(sc_family *f, sc_layer *l)
{
    twin__free(&f->alloc, (void *)l->recs, l->cap * sizeof *l->recs);
    twin__index_fini(&l->idx, &f->alloc);
    memset(l, 0, sizeof *l);
}

/* ---- values -------------------------------------------------------------- */

static char *rdup(sc_family *f, twin__region *r, const char *s)
{
    return twin__region_strdup(r, &f->alloc, s, strlen(s));
}

twin_status twin__sc_value_copy(sc_family *f, twin__region *r, const twin_value *v,
                                twin_value *out, int check)
{
    *out = *v;
    switch (v->type) {
    case TWIN_VALUE_NULL:
    case TWIN_VALUE_BOOL:
    case TWIN_VALUE_INT:
        return TWIN_OK;
    case TWIN_VALUE_DOUBLE:
        return check && !isfinite(v->as.d) ? TWIN_E_INVAL : TWIN_OK;
    case TWIN_VALUE_STRING: {
        char *s;
        if (!v->as.s && v->len) return TWIN_E_INVAL;
        if (check && (memchr(v->as.s, 0, v->len) || twin__utf8_check(v->as.s, v->len) != v->len))
            return TWIN_E_INVAL;
        if (!(s = twin__region_strdup(r, &f->alloc, v->len ? v->as.s : "", v->len)))
            return TWIN_E_NOMEM;
        out->as.s = s;
        return TWIN_OK;
    }
    case TWIN_VALUE_ARRAY: {
        twin_value *items;
        if (!v->len) return TWIN_OK;
        if (!v->as.items) return TWIN_E_INVAL;
        if (!(items = twin__region_alloc(r, &f->alloc, v->len * sizeof *items)))
            return TWIN_E_NOMEM;
        for (uint32_t i = 0; i < v->len; i++) {
            twin_status s = twin__sc_value_copy(f, r, &v->as.items[i], &items[i], check);
            if (s != TWIN_OK) return s;
        }
        out->as.items = items;
        return TWIN_OK;
    }
    case TWIN_VALUE_OBJECT: {
        twin_member *m;
        if (!v->len) return TWIN_OK;
        if (!v->as.members) return TWIN_E_INVAL;
        if (!(m = twin__region_alloc(r, &f->alloc, v->len * sizeof *m))) return TWIN_E_NOMEM;
        for (uint32_t i = 0; i < v->len; i++) {
            const char *nm = v->as.members[i].name;
            twin_status s;
            if (!nm || !*nm) return TWIN_E_INVAL;
            if (check) {
                size_t n = strlen(nm);
                if (twin__utf8_check(nm, n) != n) return TWIN_E_INVAL;
                for (uint32_t j = 0; j < i; j++)
                    if (strcmp(v->as.members[j].name, nm) == 0) return TWIN_E_INVAL;
            }
            if (!(m[i].name = rdup(f, r, nm))) return TWIN_E_NOMEM;
            if ((s = twin__sc_value_copy(f, r, &v->as.members[i].value, &m[i].value, check)) !=
                TWIN_OK)
                return s;
        }
        out->as.members = m;
        return TWIN_OK;
    }
    default:
        return TWIN_E_INVAL;
    }
}

/* ---- records --------------------------------------------------------------- */

static sc_rec *rec_new(sc_family *f, twin__region *r, const char *id)
{
    sc_rec *rec = twin__region_alloc(r, &f->alloc, sizeof *rec);
    if (!rec) return NULL;
    memset(rec, 0, sizeof *rec);
    rec->fail_at = INFINITY;
    if (!(rec->id = rdup(f, r, id))) return NULL;
    return rec;
}

twin_status twin__sc_read_live(sc_family *f, twin__region *r, const char *id,
                               const sc_rec **out)
{
    const twin_graph *g = f->g;
    const char *model;
    const twin_member *m;
    size_t nm, nout = 0, i;
    twin_cursor cur;
    twin_relationship rel = TWIN_RELATIONSHIP_INIT;
    sc_rec *rec = rec_new(f, r, id);
    twin_status s;
    if (!rec) return TWIN_E_NOMEM;
    *out = rec;
    if (twin_graph_find_twin(g, id, &model) != TWIN_OK) return TWIN_OK; /* tombstone */
    if (!(rec->model = rdup(f, r, model))) return TWIN_E_NOMEM;
    if ((s = twin_graph_get_properties(g, id, &m, &nm)) != TWIN_OK) return s;
    if (nm) {
        twin_member *pm = twin__region_alloc(r, &f->alloc, nm * sizeof *pm);
        if (!pm) return TWIN_E_NOMEM;
        for (i = 0; i < nm; i++) {
            if (!(pm[i].name = rdup(f, r, m[i].name))) return TWIN_E_NOMEM;
            if ((s = twin__sc_value_copy(f, r, &m[i].value, &pm[i].value, 0)) != TWIN_OK) return s;
        }
        rec->props = pm;
        rec->nprops = (uint32_t)nm;
    }
    if ((s = twin_graph_relationships_begin(g, &cur, id, TWIN_DIRECTION_OUTGOING, NULL)) != TWIN_OK)
        return s;
    while (twin_graph_relationships_next(g, &cur, &rel) == TWIN_OK) nout++;
    if (nout) {
        sc_rel *o = twin__region_alloc(r, &f->alloc, nout * sizeof *o);
        if (!o) return TWIN_E_NOMEM;
        twin_graph_relationships_begin(g, &cur, id, TWIN_DIRECTION_OUTGOING, NULL);
        for (i = 0; i < nout && twin_graph_relationships_next(g, &cur, &rel) == TWIN_OK; i++) {
            if (!(o[i].id = rdup(f, r, rel.id)) || !(o[i].name = rdup(f, r, rel.name)) ||
                !(o[i].target = rdup(f, r, rel.target_id)))
                return TWIN_E_NOMEM;
        }
        rec->out = o;
        rec->nout = (uint32_t)nout;
    }
    return TWIN_OK;
}

/* The record of id in sc's layers (own layers up the chain, then the
 * root's frozen layer); base: the frozen layer only. NULL: none. */
const sc_rec *twin__sc_layered(const twin_scenario *sc, const char *id, int base)
{
    const sc_family *f = sc->fam;
    const sc_rec *r;
    if (!base)
        for (const twin_scenario *p = sc; p; p = p->parent)
            if ((r = twin__sc_layer_find(f, &p->own, id))) return r;
    return twin__sc_layer_find(f, &f->root->frozen, id);
}

int twin__sc_shadowed(const twin_scenario *sc, const char *id)
{
    return twin__sc_layered(sc, id, 0) != NULL;
}

twin_status twin__sc_record(twin_scenario *sc, const char *id, int base, const sc_rec **out)
{
    const sc_rec *r = twin__sc_layered(sc, id, base);
    if (r) {
        *out = r;
        return TWIN_OK;
    }
    return twin__sc_read_live(sc->fam, &sc->region, id, out);
}

twin_status twin__sc_each_twin(twin_scenario *sc, sc_twin_fn fn, void *ud)
{
    sc_family *f = sc->fam;
    twin_cursor cur;
    const char *id;
    twin_status s;
    twin_graph_twins_begin(f->g, &cur);
    while (twin_graph_twins_next(f->g, &cur, &id, NULL) == TWIN_OK)
        if (!twin__sc_shadowed(sc, id) && (s = fn(ud, id, NULL)) != TWIN_OK) return s;
    for (const twin_scenario *p = sc;; p = p->parent) {
        const sc_layer *l = p ? &p->own : &f->root->frozen;
        for (uint32_t i = 0; i < l->n; i++) {
            const sc_rec *r = l->recs[i];
            if (r->model && twin__sc_layered(sc, r->id, 0) == r && (s = fn(ud, r->id, r)) != TWIN_OK)
                return s;
        }
        if (!p) break;
    }
    return TWIN_OK;
}

twin_status twin__sc_each_out(twin_scenario *sc, const char *id, const sc_rec *rec,
                              sc_rel_fn fn, void *ud)
{
    twin_status s;
    if (rec) {
        for (uint32_t i = 0; i < rec->nout; i++)
            if ((s = fn(ud, id, &rec->out[i])) != TWIN_OK) return s;
    } else {
        twin_cursor cur;
        twin_relationship rel = TWIN_RELATIONSHIP_INIT;
        if ((s = twin_graph_relationships_begin(sc->fam->g, &cur, id, TWIN_DIRECTION_OUTGOING,
                                                NULL)) != TWIN_OK)
            return s;
        while (twin_graph_relationships_next(sc->fam->g, &cur, &rel) == TWIN_OK) {
            sc_rel r;
            r.id = rel.id;
            r.name = rel.name;
            r.target = rel.target_id;
            if ((s = fn(ud, id, &r)) != TWIN_OK) return s;
        }
    }
    return TWIN_OK;
}

/* ---- reads ------------------------------------------------------------------ */

static int scenario_ok(twin_scenario *sc, const char *what, const void *p)
{
    if (p) return 1;
    twin__sc_fail(sc, TWIN_E_INVAL, "%s is NULL", what);
    return 0;
}

twin_status twin_scenario_find_twin(twin_scenario *sc, const char *twin_id, const char **model_id)
{
    const sc_rec *r;
    twin_status s;
    if (!sc) return TWIN_E_INVAL;
    if (!scenario_ok(sc, "twin", twin_id)) return TWIN_E_INVAL;
    if ((s = twin__sc_enter(sc, 0)) != TWIN_OK) return s;
    if ((r = twin__sc_layered(sc, twin_id, 0))) {
        s = r->model ? TWIN_OK : TWIN_E_NOTFOUND;
        if (s == TWIN_OK && model_id) *model_id = r->model;
    } else {
        const char *m;
        s = twin_graph_find_twin(sc->fam->g, twin_id, &m);
        if (s == TWIN_OK && model_id) {
            *model_id = rdup(sc->fam, &sc->region, m);
            if (!*model_id) s = TWIN_E_NOMEM;
        }
    }
    twin__sc_leave(sc);
    if (s == TWIN_E_NOTFOUND)
        return twin__sc_fail(sc, s, "no twin '%.128s' in the scenario", twin_id);
    if (s != TWIN_OK) return twin__sc_fail(sc, s, "out of memory reading twin '%.128s'", twin_id);
    return TWIN_OK;
}

twin_status twin_scenario_get_property(twin_scenario *sc, const char *twin_id, const char *name,
                                       const twin_value **out)
{
    const sc_rec *r;
    twin_status s = TWIN_E_NOTFOUND;
    if (!sc) return TWIN_E_INVAL;
    if (!scenario_ok(sc, "twin", twin_id) || !scenario_ok(sc, "property name", name) ||
        !scenario_ok(sc, "out", out))
        return TWIN_E_INVAL;
    if ((s = twin__sc_enter(sc, 0)) != TWIN_OK) return s;
    s = TWIN_E_NOTFOUND;
    if ((r = twin__sc_layered(sc, twin_id, 0))) {
        for (uint32_t i = 0; r->model && i < r->nprops; i++)
            if (strcmp(r->props[i].name, name) == 0) {
                *out = &r->props[i].value;
                s = TWIN_OK;
                break;
            }
    } else {
        const twin_value *v;
        if (twin_graph_get_property(sc->fam->g, twin_id, name, &v) == TWIN_OK) {
            twin_value *c = twin__region_alloc(&sc->region, &sc->fam->alloc, sizeof *c);
            s = c ? twin__sc_value_copy(sc->fam, &sc->region, v, c, 0) : TWIN_E_NOMEM;
            if (s == TWIN_OK) *out = c;
        }
    }
    twin__sc_leave(sc);
    if (s == TWIN_E_NOTFOUND)
        return twin__sc_fail(sc, s, "twin '%.128s' has no property '%.128s' in the scenario",
                             twin_id, name);
    if (s != TWIN_OK) return twin__sc_fail(sc, s, "out of memory reading a property");
    return TWIN_OK;
}

typedef struct in_walk {
    const char *target, *name;
    twin_scenario_rel_fn fn;
    void *ud;
} in_walk;

static twin_status visit_in(void *ud, const char *src, const sc_rel *rel)
{
    in_walk *w = ud;
    twin_scenario_rel r;
    if (strcmp(rel->target, w->target) != 0) return TWIN_OK;
    if (w->name && strcmp(rel->name, w->name) != 0) return TWIN_OK;
    r.id = rel->id;
    r.name = rel->name;
    r.source_id = src;
    r.target_id = rel->target;
    return w->fn(w->ud, &r);
}

static twin_status visit_out(void *ud, const char *src, const sc_rel *rel)
{
    in_walk *w = ud;
    twin_scenario_rel r;
    if (w->name && strcmp(rel->name, w->name) != 0) return TWIN_OK;
    r.id = rel->id;
    r.name = rel->name;
    r.source_id = src;
    r.target_id = rel->target;
    return w->fn(w->ud, &r);
}

/* Incoming relationships of target: from live sources that have no record,
 * and from every record's list. */
static twin_status each_in(twin_scenario *sc, in_walk *w)
{
    sc_family *f = sc->fam;
    twin_cursor cur;
    twin_relationship rel = TWIN_RELATIONSHIP_INIT;
    twin_status s;
    if (twin_graph_relationships_begin(f->g, &cur, w->target, TWIN_DIRECTION_INCOMING, w->name) ==
        TWIN_OK) {
        while (twin_graph_relationships_next(f->g, &cur, &rel) == TWIN_OK) {
            twin_scenario_rel r;
            if (twin__sc_shadowed(sc, rel.source_id)) continue;
            r.id = rel.id;
            r.name = rel.name;
            r.source_id = rel.source_id;
            r.target_id = rel.target_id;
            if ((s = w->fn(w->ud, &r)) != TWIN_OK) return s;
        }
    }
    for (const twin_scenario *p = sc;; p = p->parent) {
        const sc_layer *l = p ? &p->own : &f->root->frozen;
        for (uint32_t i = 0; i < l->n; i++) {
            const sc_rec *r = l->recs[i];
            if (!r->model || twin__sc_layered(sc, r->id, 0) != r) continue;
            if ((s = twin__sc_each_out(sc, r->id, r, visit_in, w)) != TWIN_OK) return s;
        }
        if (!p) break;
    }
    return TWIN_OK;
}

static int exists(twin_scenario *sc, const char *id, const sc_rec **rec)
{
    const sc_rec *r = twin__sc_layered(sc, id, 0);
    if (rec) *rec = r;
    if (r) return r->model != NULL;
    return twin_graph_find_twin(sc->fam->g, id, NULL) == TWIN_OK;
}

twin_status twin_scenario_relationships(twin_scenario *sc, const char *twin_id,
                                        twin_direction dir, const char *name,
                                        twin_scenario_rel_fn fn, void *ud)
{
    const sc_rec *rec;
    in_walk w;
    twin_status s = TWIN_OK;
    if (!sc) return TWIN_E_INVAL;
    if (!scenario_ok(sc, "twin", twin_id) || !scenario_ok(sc, "visitor", (void *)(uintptr_t)fn))
        return TWIN_E_INVAL;
    if (dir < TWIN_DIRECTION_OUTGOING || dir > TWIN_DIRECTION_BOTH)
        return twin__sc_fail(sc, TWIN_E_INVAL, "unknown direction %d", (int)dir);
    if ((s = twin__sc_enter(sc, 0)) != TWIN_OK) return s;
    if (!exists(sc, twin_id, &rec)) {
        twin__sc_leave(sc);
        return twin__sc_fail(sc, TWIN_E_NOTFOUND, "no twin '%.128s' in the scenario", twin_id);
    }
    w.target = twin_id;
    w.name = name;
    w.fn = fn;
    w.ud = ud;
    if (dir & TWIN_DIRECTION_OUTGOING) s = twin__sc_each_out(sc, twin_id, rec, visit_out, &w);
    if (s == TWIN_OK && (dir & TWIN_DIRECTION_INCOMING)) s = each_in(sc, &w);
    twin__sc_leave(sc);
    return s;
}

static twin_status count_one(void *ud, const char *id, const sc_rec *rec)
{
    (void)id;
    (void)rec;
    ++*(size_t *)ud;
    return TWIN_OK;
}

size_t twin_scenario_twin_count(twin_scenario *sc)
{
    size_t n = 0;
    if (!sc || twin__sc_enter(sc, 0) != TWIN_OK) return 0;
    twin__sc_each_twin(sc, count_one, &n);
    twin__sc_leave(sc);
    return n;
}

/* ---- changes ----------------------------------------------------------------- */

/* Start a change: exclusive lock, no children. */
static twin_status begin_change(twin_scenario *sc)
{
    twin_status s = twin__sc_enter(sc, 1);
    if (s != TWIN_OK) return s;
    if (sc->children) {
        twin__sc_leave(sc);
        return twin__sc_fail(sc, TWIN_E_STATE,
                             "the scenario has children: it is frozen until they are destroyed");
    }
    return TWIN_OK;
}

/* A copy of twin id's record in sc's region, to change and put in its own
 * layer; with room for one more property and relationship. */
static twin_status cow(twin_scenario *sc, const char *id, sc_rec **out)
{
    sc_family *f = sc->fam;
    const sc_rec *cur;
    sc_rec *r;
    twin_status s = twin__sc_record(sc, id, 0, &cur);
    if (s != TWIN_OK) return s;
    if (!cur->model) return TWIN_E_NOTFOUND;
    if (!(r = twin__region_alloc(&sc->region, &f->alloc, sizeof *r))) return TWIN_E_NOMEM;
    *r = *cur;
    {
        twin_member *m = twin__region_alloc(&sc->region, &f->alloc, (cur->nprops + 1) * sizeof *m);
        sc_rel *o = twin__region_alloc(&sc->region, &f->alloc, (cur->nout + 1) * sizeof *o);
        if (!m || !o) return TWIN_E_NOMEM;
        if (cur->nprops) memcpy(m, cur->props, cur->nprops * sizeof *m);
        if (cur->nout) memcpy(o, cur->out, cur->nout * sizeof *o);
        r->props = m;
        r->out = o;
    }
    *out = r;
    return TWIN_OK;
}

static twin_status check_id(twin_scenario *sc, const char *what, const char *s)
{
    size_t n;
    if (!s) return twin__sc_fail(sc, TWIN_E_INVAL, "%s is NULL", what);
    n = strlen(s);
    if (!n) return twin__sc_fail(sc, TWIN_E_INVAL, "%s is empty", what);
    if (twin__utf8_check(s, n) != n)
        return twin__sc_fail(sc, TWIN_E_INVAL, "%s is not valid UTF-8", what);
    return TWIN_OK;
}

/* Finish a change: on failure, give back what it allocated. */
static twin_status end_change(twin_scenario *sc, twin__rmark mark, twin_status s,
                              const char *twin_id, const char *what)
{
    if (s != TWIN_OK) twin__region_rollback(&sc->region, &sc->fam->alloc, mark);
    twin__sc_leave(sc);
    switch (s) {
    case TWIN_OK:
        return TWIN_OK;
    case TWIN_E_NOTFOUND:
        return twin__sc_fail(sc, s, "%s: no twin '%.128s' in the scenario", what, twin_id);
    case TWIN_E_NOMEM:
        return twin__sc_fail(sc, s, "%s: out of memory", what);
    default:
        return twin__sc_fail(sc, s, "%s of twin '%.128s': %s", what, twin_id, twin_strerror(s));
    }
}

#define CHANGE_BEGIN()                                                           \
    twin__rmark mark;                                                            \
    twin_status s;                                                               \
    if (!sc) return TWIN_E_INVAL;                                                \
    if ((s = begin_change(sc)) != TWIN_OK) return s;                             \
    mark = twin__region_mark(&sc->region)

twin_status twin_scenario_set_property(twin_scenario *sc, const char *twin_id, const char *name,
                                       const twin_value *value)
{
    sc_rec *r;
    twin_value v;
    uint32_t i;
    if (sc && (check_id(sc, "twin", twin_id) || check_id(sc, "property name", name)))
        return TWIN_E_INVAL;
    if (sc && !value) return twin__sc_fail(sc, TWIN_E_INVAL, "value is NULL");
    CHANGE_BEGIN();
    if ((s = cow(sc, twin_id, &r)) == TWIN_OK &&
        (s = twin__sc_value_copy(sc->fam, &sc->region, value, &v, 1)) == TWIN_OK) {
        twin_member *m = (twin_member *)r->props;
        for (i = 0; i < r->nprops && strcmp(m[i].name, name) != 0; i++) {}
        if (i == r->nprops) {
            if (!(m[i].name = rdup(sc->fam, &sc->region, name))) s = TWIN_E_NOMEM;
            r->nprops++;
        }
        m[i].value = v;
        if (s == TWIN_OK) s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    return end_change(sc, mark, s, twin_id, "setting a property");
}

twin_status twin_scenario_add_twin(twin_scenario *sc, const char *twin_id, const char *model_id)
{
    sc_rec *r;
    if (sc && (check_id(sc, "twin", twin_id) || check_id(sc, "model id", model_id)))
        return TWIN_E_INVAL;
    CHANGE_BEGIN();
    if (exists(sc, twin_id, NULL)) {
        twin__sc_leave(sc);
        return twin__sc_fail(sc, TWIN_E_EXISTS, "twin '%.128s' exists in the scenario", twin_id);
    }
    if (!(r = rec_new(sc->fam, &sc->region, twin_id)) ||
        !(r->model = rdup(sc->fam, &sc->region, model_id)))
        s = TWIN_E_NOMEM;
    else
        s = twin__sc_layer_put(sc->fam, &sc->own, r);
    return end_change(sc, mark, s, twin_id, "adding a twin");
}

typedef struct src_list {
    twin_scenario *sc;
    const char **ids;
    uint32_t n, cap;
    twin_status s;
} src_list;

static twin_status collect_source(void *ud, const twin_scenario_rel *r)
{
    src_list *l = ud;
    for (uint32_t i = 0; i < l->n; i++)
        if (strcmp(l->ids[i], r->source_id) == 0) return TWIN_OK;
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 8;
        const char **p = twin__region_alloc(&l->sc->region, &l->sc->fam->alloc, nc * sizeof *p);
        if (!p) return TWIN_E_NOMEM;
        if (l->n) memcpy(p, l->ids, l->n * sizeof *p);
        l->ids = p;
        l->cap = nc;
    }
    if (!(l->ids[l->n] = rdup(l->sc->fam, &l->sc->region, r->source_id))) return TWIN_E_NOMEM;
    l->n++;
    return TWIN_OK;
}

/* Drop from r's list every relationship to twin key, or, when by_id is
 * set, the one whose identifier is key. Returns how many went. */
static uint32_t drop_rels(sc_rec *r, const char *key, int by_id)
{
    sc_rel *o = (sc_rel *)r->out;
    uint32_t k = 0, gone;
    for (uint32_t i = 0; i < r->nout; i++) {
        if (strcmp(by_id ? o[i].id : o[i].target, key) != 0) o[k++] = o[i];
    }
    gone = r->nout - k;
    r->nout = k;
    return gone;
}

twin_status twin_scenario_remove_twin(twin_scenario *sc, const char *twin_id)
{
    src_list l;
    in_walk w;
    sc_rec *r;
    if (sc && check_id(sc, "twin", twin_id)) return TWIN_E_INVAL;
    CHANGE_BEGIN();
    if (!exists(sc, twin_id, NULL)) return end_change(sc, mark, TWIN_E_NOTFOUND, twin_id,
                                                       "removing a twin");
    memset(&l, 0, sizeof l);
    l.sc = sc;
    w.target = twin_id;
    w.name = NULL;
    w.fn = collect_source;
    w.ud = &l;
    s = each_in(sc, &w);
    for (uint32_t i = 0; s == TWIN_OK && i < l.n; i++) {
        if (strcmp(l.ids[i], twin_id) == 0) continue;
        if ((s = cow(sc, l.ids[i], &r)) != TWIN_OK) break;
        drop_rels(r, twin_id, 0);
        s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    if (s == TWIN_OK) {
        if (!(r = rec_new(sc->fam, &sc->region, twin_id)))
            s = TWIN_E_NOMEM;
        else
            s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    return end_change(sc, mark, s, twin_id, "removing a twin");
}

twin_status twin_scenario_add_relationship(twin_scenario *sc, const char *source_id,
                                           const char *rel_id, const char *name,
                                           const char *target_id)
{
    sc_rec *r;
    if (sc && (check_id(sc, "source", source_id) || check_id(sc, "relationship id", rel_id) ||
               check_id(sc, "relationship name", name) || check_id(sc, "target", target_id)))
        return TWIN_E_INVAL;
    CHANGE_BEGIN();
    if (!exists(sc, target_id, NULL))
        return end_change(sc, mark, TWIN_E_NOTFOUND, target_id, "adding a relationship");
    if ((s = cow(sc, source_id, &r)) == TWIN_OK) {
        sc_rel *o = (sc_rel *)r->out;
        for (uint32_t i = 0; i < r->nout; i++)
            if (strcmp(o[i].id, rel_id) == 0) {
                twin__region_rollback(&sc->region, &sc->fam->alloc, mark);
                twin__sc_leave(sc);
                return twin__sc_fail(sc, TWIN_E_EXISTS,
                                     "twin '%.128s' has a relationship '%.128s' in the scenario",
                                     source_id, rel_id);
            }
        if (!(o[r->nout].id = rdup(sc->fam, &sc->region, rel_id)) ||
            !(o[r->nout].name = rdup(sc->fam, &sc->region, name)) ||
            !(o[r->nout].target = rdup(sc->fam, &sc->region, target_id)))
            s = TWIN_E_NOMEM;
        r->nout++;
        if (s == TWIN_OK) s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    return end_change(sc, mark, s, source_id, "adding a relationship");
}

twin_status twin_scenario_remove_relationship(twin_scenario *sc, const char *source_id,
                                              const char *rel_id)
{
    sc_rec *r;
    if (sc && (check_id(sc, "source", source_id) || check_id(sc, "relationship id", rel_id)))
        return TWIN_E_INVAL;
    CHANGE_BEGIN();
    if ((s = cow(sc, source_id, &r)) == TWIN_OK) {
        if (!drop_rels(r, rel_id, 1)) {
            twin__region_rollback(&sc->region, &sc->fam->alloc, mark);
            twin__sc_leave(sc);
            return twin__sc_fail(sc, TWIN_E_NOTFOUND,
                                 "twin '%.128s' has no relationship '%.128s' in the scenario",
                                 source_id, rel_id);
        }
        s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    return end_change(sc, mark, s, source_id, "removing a relationship");
}

twin_status twin_scenario_fail_twin(twin_scenario *sc, const char *twin_id, double at_s)
{
    sc_rec *r;
    if (sc && check_id(sc, "twin", twin_id)) return TWIN_E_INVAL;
    if (sc && !(at_s >= 0))
        return twin__sc_fail(sc, TWIN_E_INVAL, "a failure time must be >= 0 (got %s)",
                             at_s != at_s ? "NaN" : "a negative time");
    CHANGE_BEGIN();
    if ((s = cow(sc, twin_id, &r)) == TWIN_OK) {
        r->fail_at = at_s;
        s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    return end_change(sc, mark, s, twin_id, "failing a twin");
}

twin_status twin_scenario_set_failure_rate(twin_scenario *sc, const char *twin_id, double per_s)
{
    sc_rec *r;
    if (sc && check_id(sc, "twin", twin_id)) return TWIN_E_INVAL;
    if (sc && !(per_s >= 0 && isfinite(per_s)))
        return twin__sc_fail(sc, TWIN_E_INVAL, "a failure rate must be finite and >= 0");
    CHANGE_BEGIN();
    if ((s = cow(sc, twin_id, &r)) == TWIN_OK) {
        r->rate = per_s;
        s = twin__sc_layer_put(sc->fam, &sc->own, r);
    }
    return end_change(sc, mark, s, twin_id, "setting a failure rate");
}

twin_status twin_scenario_set_health(twin_scenario *sc, const char *twin_id, const char *signal,
                                     int32_t param, double value)
{
    uint32_t sig, i;
    if (sc && (check_id(sc, "twin", twin_id) || check_id(sc, "signal", signal)))
        return TWIN_E_INVAL;
    if (sc && (param < TWIN_SCENARIO_FAILURE_LEVEL || param > TWIN_SCENARIO_RATE))
        return twin__sc_fail(sc, TWIN_E_INVAL, "unknown health parameter %d", (int)param);
    if (sc && (!isfinite(value) || (param == TWIN_SCENARIO_RATE_FACTOR && !(value > 0))))
        return twin__sc_fail(sc, TWIN_E_INVAL,
                             param == TWIN_SCENARIO_RATE_FACTOR
                                 ? "a rate factor must be finite and > 0"
                                 : "a health parameter must be finite");
    CHANGE_BEGIN();
    sig = twin__sc_sig_find(sc->fam, twin_id, signal);
    if (sig == TWIN__NONE || !exists(sc, twin_id, NULL)) {
        twin__sc_leave(sc);
        return twin__sc_fail(sc, TWIN_E_NOTFOUND,
                             "no signal '%.128s' with a health model on twin '%.128s' in the "
                             "scenario", signal, twin_id);
    }
    for (i = 0; i < sc->nhset; i++)
        if (sc->hset[i].sig == sig && sc->hset[i].param == param) break;
    if (i == sc->caphset) {
        uint32_t nc = sc->caphset ? sc->caphset * 2 : 4;
        sc_hset *p = twin__realloc(&sc->fam->alloc, sc->hset, sc->caphset * sizeof *p,
                                   nc * sizeof *p);
        if (!p) return end_change(sc, mark, TWIN_E_NOMEM, twin_id, "setting a health parameter");
        sc->hset = p;
        sc->caphset = nc;
    }
    sc->hset[i].sig = sig;
    sc->hset[i].param = param;
    sc->hset[i].value = value;
    if (i == sc->nhset) sc->nhset++;
    return end_change(sc, mark, TWIN_OK, twin_id, "setting a health parameter");
}
