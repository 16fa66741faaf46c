/* Graph lifetime, errors, twins and their properties. */
#include "graph/graph_int.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/sized.h"
#include "util/hash.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <string.h>

#define TWIN_SHIFT 12u   /* 4096 twins per segment */
#define REL_SHIFT 12u
#define PROPS_SHIFT 10u

typedef union props_slot {
    twin__props *p;
    uint32_t next_free;
} props_slot;

twin_status twin__fail(twin_graph *g, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&g->err, g->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

twin_status twin__check_str(twin_graph *g, const char *what, const char *s, size_t max,
                            size_t *len)
{
    size_t n, bad;
    if (!s) return twin__fail(g, TWIN_E_INVAL, "%s is NULL", what);
    n = strnlen(s, max + 1);
    if (n == 0) return twin__fail(g, TWIN_E_INVAL, "%s is empty", what);
    if (n > max)
        return twin__fail(g, TWIN_E_RANGE, "%s is longer than %lu bytes", what,
                          (unsigned long)max);
    if ((bad = twin__utf8_check(s, n)) != n)
        return twin__fail(g, TWIN_E_INVAL, "%s is not valid UTF-8 (byte %lu)", what,
                          (unsigned long)bad);
    *len = n;
    return TWIN_OK;
}

twin_status twin__validated(twin_graph *g, twin_status s, char *msg, const char *what,
                            const char *name)
{
    if (s >= 0) return TWIN_OK;
    msg[TWIN_ERROR_MESSAGE_MAX - 1] = '\0';
    if (msg[0]) return twin__fail(g, s, "%s", msg);
    return twin__fail(g, s, "%s '%.64s' rejected by validator: %s", what, name,
                      twin_strerror(s));
}

/* ---- lifetime ---------------------------------------------------------- */

twin_status twin_graph_options_init_(twin_graph_options *o, size_t size)
{
    twin_graph_options d;
    memset(&d, 0, sizeof d);
    return twin__sized_init(o, size, &d, sizeof d);
}

static twin_status read_options(const twin_graph_options *opts, twin_graph_options *out,
                                twin_allocator *a, twin_graph_validator *v)
{
    twin_graph_options o;
    twin_status s;

    memset(&o, 0, sizeof o);
    memset(v, 0, sizeof *v);
    if ((s = twin__sized_in(&o, sizeof o, opts)) != TWIN_OK) return s;
    if (o.flags || o.reserved_) return TWIN_E_INVAL;
    if ((s = twin__allocator_copy(a, o.alloc)) != TWIN_OK) return s;
    if (o.validator && (s = twin__sized_in(v, sizeof *v, o.validator)) != TWIN_OK) return s;
    *out = o;
    return TWIN_OK;
}

/* Reserve the room the capacity hints ask for. */
static twin_status reserve_hints(twin_graph *g, const twin_graph_options *o)
{
    twin_status s;
    if ((o->twin_capacity &&
         ((s = twin__segvec_reserve(&g->twins, &g->alloc, o->twin_capacity)) != TWIN_OK ||
          (s = twin__index_reserve(&g->twin_idx, &g->alloc, o->twin_capacity)) != TWIN_OK)) ||
        (o->relationship_capacity &&
         (s = twin__segvec_reserve(&g->rels, &g->alloc, o->relationship_capacity)) != TWIN_OK) ||
        (o->string_capacity &&
         (s = twin__segvec_reserve(&g->pool.bytes, &g->alloc, o->string_capacity)) != TWIN_OK))
        return s;
    return TWIN_OK;
}

twin_status twin_graph_create(twin_graph **out, const twin_graph_options *opts)
{
    twin_allocator a;
    twin_graph_validator v;
    twin_graph_options o;
    twin_graph *g;
    twin_status s;

    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    if ((s = read_options(opts, &o, &a, &v)) != TWIN_OK) return s;
    g = twin__alloc(&a, sizeof *g);
    if (!g) return TWIN_E_NOMEM;
    memset(g, 0, sizeof *g);
    g->alloc = a;
    g->validator = v;
    g->seed = twin__mix64((uint64_t)(uintptr_t)g ^ 0x6c69627477696eull);
    twin__strpool_init(&g->pool);
    twin__intern_init(&g->models, g->seed ^ 1);
    twin__intern_init(&g->names, g->seed ^ 2);
    twin__segvec_init(&g->twins, sizeof(twin__twin), TWIN_SHIFT);
    twin__segvec_init(&g->rels, sizeof(twin__rel), REL_SHIFT);
    twin__segvec_init(&g->props, sizeof(props_slot), PROPS_SHIFT);
    g->twin_free = g->rel_free = g->props_free = TWIN__NONE;
    g->err.message = g->errbuf;
    if ((s = reserve_hints(g, &o)) != TWIN_OK) {
        twin_graph_destroy(g);
        return s == TWIN_E_RANGE ? TWIN_E_RANGE : TWIN_E_NOMEM;
    }
    *out = g;
    return TWIN_OK;
}

void twin_graph_destroy(twin_graph *g)
{
    twin_allocator a;
    if (!g) return;
    a = g->alloc;
    for (twin__guard *gd = g->guards, *next; gd; gd = next) {
        next = gd->next;
        gd->lock(gd);
        gd->gone(gd, 1);
        gd->unlock(gd);
    }
    twin__hooks_free(g);
    /* Mark free property slots, then free the live sets. */
    for (uint32_t f = g->props_free; f != TWIN__NONE;) {
        props_slot *ps = twin__segvec_at(&g->props, f);
        f = ps->next_free;
        ps->p = NULL;
    }
    for (uint32_t i = 1; i < g->props.len; i++)
        twin__props_free(g, ((props_slot *)twin__segvec_at(&g->props, i))->p);
    twin__csr_drop(g);
    twin__segvec_fini(&g->props, &a);
    if (g->pnames) {
        twin__strtab_fini(g->pnames, &a);  /* empty by now: the sets held the names */
        twin__free(&a, g->pnames, sizeof *g->pnames);
    }
    twin__segvec_fini(&g->rels, &a);
    twin__segvec_fini(&g->twins, &a);
    twin__index_fini(&g->rel_idx, &a);
    twin__index_fini(&g->twin_idx, &a);
    twin__intern_fini(&g->names, &a);
    twin__intern_fini(&g->models, &a);
    twin__strpool_fini(&g->pool, &a);
    twin__free(&a, g, sizeof *g);
}

void twin__graph_swap(twin_graph *a, twin_graph *b)
{
    twin_graph t;
    twin_error ea = a->err, eb = b->err;
    twin__guards_lock(a);
    twin__guards_lock(b);
    t = *a;
    *a = *b;
    *b = t;
    /* Error records (and their message buffers) stay with their handle;
     * the change counters move on so that stale cursors are refused. */
    memcpy(b->errbuf, a->errbuf, sizeof a->errbuf);
    memcpy(a->errbuf, t.errbuf, sizeof t.errbuf);
    a->err = ea;
    b->err = eb;
    a->err.message = a->errbuf;
    b->err.message = b->errbuf;
    a->gen = (a->gen > b->gen ? a->gen : b->gen) + 1;
    b->gen = a->gen + 1;
    a->removals = (a->removals > b->removals ? a->removals : b->removals) + 1;
    b->removals = a->removals + 1;
    /* so do the change hooks (t holds a's own, *a now b's) */
    b->hooks = a->hooks;
    b->nhooks = a->nhooks;
    b->caphooks = a->caphooks;
    a->hooks = t.hooks;
    a->nhooks = t.nhooks;
    a->caphooks = t.caphooks;
    /* and the guards, who hear that the contents were replaced */
    b->guards = a->guards;
    a->guards = t.guards;
    for (twin__guard *gd = a->guards; gd; gd = gd->next) gd->gone(gd, 0);
    for (twin__guard *gd = b->guards; gd; gd = gd->next) gd->gone(gd, 0);
    twin__guards_unlock(b);
    twin__guards_unlock(a);
}

/* The list is only touched on the writer's thread: no lock needed. */
void twin__graph_guard_add(twin_graph *g, twin__guard *gd)
{
    gd->next = g->guards;
    g->guards = gd;
}

void twin__graph_guard_remove(twin_graph *g, twin__guard *gd)
{
    twin__guard **pp;
    for (pp = &g->guards; *pp && *pp != gd; pp = &(*pp)->next) {}
    if (*pp) *pp = gd->next;
}

const twin_error *twin_graph_last_error(const twin_graph *g)
{
    static const twin_error null_graph = {TWIN_E_INVAL, 0, "graph is NULL"};
    return g ? &g->err : &null_graph;
}

size_t twin_graph_twin_count(const twin_graph *g)
{
    return g ? g->twin_count : 0;
}

size_t twin_graph_relationship_count(const twin_graph *g)
{
    return g ? g->rel_count : 0;
}

/* ---- property set slots ------------------------------------------------ */

twin_status twin__props_reserve(twin_graph *g)
{
    if (g->props_free != TWIN__NONE) return TWIN_OK;
    return twin__segvec_reserve(&g->props, &g->alloc, g->props.len ? 1 : 2);
}

uint32_t twin__props_put(twin_graph *g, twin__props *p)
{
    uint32_t i;
    props_slot *ps;
    if (!p) return 0;
    if (g->props_free != TWIN__NONE) {
        i = g->props_free;
        g->props_free = ((props_slot *)twin__segvec_at(&g->props, i))->next_free;
    } else {
        if (g->props.len == 0) twin__segvec_push(&g->props);  /* slot 0: "none" */
        i = twin__segvec_push(&g->props);
    }
    ps = twin__segvec_at(&g->props, i);
    ps->p = p;
    return i;
}

void twin__props_drop(twin_graph *g, uint32_t i)
{
    props_slot *ps;
    if (!i) return;
    ps = twin__segvec_at(&g->props, i);
    twin__props_free(g, ps->p);
    ps->next_free = g->props_free;
    g->props_free = i;
}

twin_status twin__props_commit(twin_graph *g, uint32_t *slot, twin__props *p, uint32_t kind,
                               const char *twin_id, const char *rel_id)
{
    twin_status s;
    if (p && !*slot && (s = twin__props_reserve(g)) != TWIN_OK) {
        twin__props_free(g, p);
        return twin__fail(g, s, "out of memory storing properties");
    }
    if ((s = twin__hook_before(g, kind, twin_id, rel_id)) != TWIN_OK) {
        twin__props_free(g, p);
        return s;
    }
    if (*slot && p) {
        props_slot *ps = twin__segvec_at(&g->props, *slot);
        twin__props_free(g, ps->p);
        ps->p = p;
    } else {
        twin__props_drop(g, *slot);
        *slot = twin__props_put(g, p);
    }
    twin__changed(g, 0);
    twin__hook_after(g, kind, twin_id, rel_id);
    return TWIN_OK;
}

/* ---- twin lookup ------------------------------------------------------- */

typedef struct tkey {
    const char *s;
    size_t n;
} tkey;

static int twin_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin_graph *g = ctx;
    const tkey *key = k;
    const char *s = twin__str(g, twin__T(g, i)->id);
    return strncmp(s, key->s, key->n) == 0 && s[key->n] == '\0';
}

static uint32_t twin_hash(const twin_graph *g, const char *id, size_t n)
{
    return twin__hash32(twin__hash(g->seed, id, n));
}

static uint32_t find_twin_pos(const twin_graph *g, const char *id, size_t n, uint32_t h)
{
    tkey k;
    k.s = id;
    k.n = n;
    return twin__index_find(&g->twin_idx, h, twin_eq, g, &k);
}

uint32_t twin__find_twin(const twin_graph *g, const char *id, size_t n)
{
    uint32_t pos = find_twin_pos(g, id, n, twin_hash(g, id, n));
    return pos == TWIN__NONE ? TWIN__NONE : twin__index_at(&g->twin_idx, pos);
}

twin_status twin__lookup_twin(twin_graph *g, const char *what, const char *id, uint32_t *out)
{
    size_t n;
    if (!id) return twin__fail(g, TWIN_E_INVAL, "%s is NULL", what);
    n = strlen(id);
    *out = twin__find_twin(g, id, n);
    if (*out == TWIN__NONE)
        return twin__fail(g, TWIN_E_NOTFOUND, "%s '%.128s' not found", what, id);
    return TWIN_OK;
}

/* Ask the validator about a twin as it would become. */
static twin_status validate_twin(twin_graph *g, const char *id, const char *model,
                                 const twin__props *p)
{
    char msg[TWIN_ERROR_MESSAGE_MAX];
    twin_status s;
    if (!g->validator.check_twin) return TWIN_OK;
    msg[0] = '\0';
    s = g->validator.check_twin(g->validator.ud, id, model, p ? p->m : NULL,
                                p ? p->count : 0, msg, sizeof msg);
    return twin__validated(g, s, msg, "twin", id);
}

/* ---- twins ------------------------------------------------------------- */

static twin_status add_twin(twin_graph *g, const char *twin_id, const char *model_id,
                                const twin_member *props, size_t nprops)
{
    size_t n, mn;
    uint32_t h, model, i;
    twin__props *p = NULL;
    twin__twin *t;
    twin_status s;

    TWIN__WRITER(g);
    if ((s = twin__check_str(g, "twin id", twin_id, TWIN_ID_MAX, &n)) != TWIN_OK ||
        (s = twin__check_str(g, "model id", model_id, TWIN_MODEL_ID_MAX, &mn)) != TWIN_OK)
        return s;
    h = twin_hash(g, twin_id, n);
    if (find_twin_pos(g, twin_id, n, h) != TWIN__NONE)
        return twin__fail(g, TWIN_E_EXISTS, "twin '%.128s' already exists", twin_id);
    if ((s = twin__props_build(g, NULL, props, nprops, NULL, &p)) != TWIN_OK) return s;
    if ((s = validate_twin(g, twin_id, model_id, p)) != TWIN_OK) goto fail;
    if ((s = twin__intern_acquire(&g->models, &g->pool, &g->alloc, model_id, mn, &model)) != TWIN_OK)
        goto nomem;
    if (model > TWIN__MODEL_MASK ||
        (s = twin__segvec_reserve(&g->twins, &g->alloc, g->twin_free == TWIN__NONE)) != TWIN_OK ||
        (s = twin__index_reserve(&g->twin_idx, &g->alloc, 1)) != TWIN_OK ||
        (s = twin__strpool_reserve(&g->pool, &g->alloc, n)) != TWIN_OK ||
        (p && (s = twin__props_reserve(g)) != TWIN_OK)) {
        twin__intern_release(&g->models, &g->pool, model);
        goto nomem;
    }
    if ((s = twin__hook_before(g, TWIN_CHANGE_TWIN_PUT, twin_id, NULL)) != TWIN_OK) {
        twin__intern_release(&g->models, &g->pool, model);
        goto fail;
    }
    if (g->twin_free != TWIN__NONE) {
        i = g->twin_free;
        g->twin_free = twin__T(g, i)->out;
    } else {
        i = twin__segvec_push(&g->twins);
    }
    t = twin__T(g, i);
    t->id = twin__strpool_add(&g->pool, twin_id, n);
    t->model = model;
    t->props = twin__props_put(g, p);
    t->out = t->in = TWIN__NONE;
    twin__index_insert(&g->twin_idx, h, i);
    g->twin_count++;
    twin__changed(g, 1);
    twin__hook_after(g, TWIN_CHANGE_TWIN_PUT, twin_id, NULL);
    return TWIN_OK;
nomem:
    s = s == TWIN_OK ? TWIN_E_RANGE : s;
    twin__fail(g, s, s == TWIN_E_NOMEM ? "out of memory adding twin '%.128s'"
                                       : "graph is full, cannot add twin '%.128s'", twin_id);
fail:
    twin__props_free(g, p);
    return s;
}

twin_status twin_graph_add_twin(twin_graph *g, const char *twin_id, const char *model_id,
                                const twin_member *props, size_t nprops)
{
    TWIN__GUARDED(g, add_twin(g, twin_id, model_id, props, nprops));
}

static twin_status remove_twin(twin_graph *g, const char *twin_id, uint32_t flags)
{
    uint32_t i, pos;
    twin__twin *t;
    twin_status s;
    size_t n;

    TWIN__WRITER(g);
    if (flags & ~TWIN_REMOVE_RELATIONSHIPS)
        return twin__fail(g, TWIN_E_INVAL, "unknown flags 0x%x", (unsigned)flags);
    if (!twin_id) return twin__fail(g, TWIN_E_INVAL, "twin is NULL");
    n = strlen(twin_id);
    pos = find_twin_pos(g, twin_id, n, twin_hash(g, twin_id, n));  /* kept for the removal */
    if (pos == TWIN__NONE)
        return twin__fail(g, TWIN_E_NOTFOUND, "twin '%.128s' not found", twin_id);
    i = twin__index_at(&g->twin_idx, pos);
    if (twin__has_rels(g, i) && !flags)
        return twin__fail(g, TWIN_E_CONSTRAINT, "twin '%.128s' still has relationships", twin_id);
    if ((s = twin__hook_before(g, TWIN_CHANGE_TWIN_DELETE, twin_id, NULL)) != TWIN_OK) return s;
    if (twin__has_rels(g, i)) {
        for (uint32_t r = twin__T(g, i)->out; r != TWIN__NONE; r = twin__R(g, r)->next_out)
            if (twin__R(g, r)->name != TWIN__DEAD) twin__kill_rel(g, r);
        for (uint32_t r = twin__T(g, i)->in; r != TWIN__NONE; r = twin__R(g, r)->next_in)
            if (twin__R(g, r)->name != TWIN__DEAD) twin__kill_rel(g, r);
    }
    t = twin__T(g, i);
    twin__index_remove_at(&g->twin_idx, pos);  /* relationship removal left twin_idx alone */
    twin__strpool_kill(&g->pool, n);
    twin__intern_release(&g->models, &g->pool, t->model & TWIN__MODEL_MASK);
    twin__props_drop(g, t->props);
    t->id = TWIN__DEAD;
    t->model = 0;
    t->props = 0;
    t->in = TWIN__NONE;
    t->out = g->twin_free;
    g->twin_free = i;
    g->twin_count--;
    g->removals++;
    twin__changed(g, 1);
    twin__maybe_sweep(g);
    twin__maybe_compact(g);
    twin__hook_after(g, TWIN_CHANGE_TWIN_DELETE, twin_id, NULL);
    return TWIN_OK;
}

twin_status twin_graph_remove_twin(twin_graph *g, const char *twin_id, uint32_t flags)
{
    TWIN__GUARDED(g, remove_twin(g, twin_id, flags));
}

twin_status twin_graph_find_twin(const twin_graph *g, const char *twin_id, const char **model_id)
{
    uint32_t i;
    if (model_id) *model_id = NULL;
    if (!g || !twin_id) return TWIN_E_INVAL;
    i = twin__find_twin(g, twin_id, strlen(twin_id));
    if (i == TWIN__NONE) return TWIN_E_NOTFOUND;
    if (model_id) *model_id = twin__model_str(g, i);
    return TWIN_OK;
}

static twin_status set_model(twin_graph *g, const char *twin_id, const char *model_id)
{
    size_t mn;
    uint32_t i, model;
    twin__twin *t;
    twin_status s;

    TWIN__WRITER(g);
    if ((s = twin__lookup_twin(g, "twin", twin_id, &i)) != TWIN_OK ||
        (s = twin__check_str(g, "model id", model_id, TWIN_MODEL_ID_MAX, &mn)) != TWIN_OK)
        return s;
    t = twin__T(g, i);
    if ((s = validate_twin(g, twin_id, model_id, twin__props_at(g, t->props))) != TWIN_OK)
        return s;
    if ((s = twin__intern_acquire(&g->models, &g->pool, &g->alloc, model_id, mn, &model)) != TWIN_OK)
        return twin__fail(g, s, "out of memory setting model of '%.128s'", twin_id);
    if (model > TWIN__MODEL_MASK) {
        twin__intern_release(&g->models, &g->pool, model);
        return twin__fail(g, TWIN_E_RANGE, "too many distinct models");
    }
    if ((s = twin__hook_before(g, TWIN_CHANGE_TWIN_PUT, twin_id, NULL)) != TWIN_OK) {
        twin__intern_release(&g->models, &g->pool, model);
        return s;
    }
    t = twin__T(g, i);
    twin__intern_release(&g->models, &g->pool, t->model & TWIN__MODEL_MASK);
    t->model = model | (t->model & TWIN__BIG);
    twin__changed(g, 0);
    twin__hook_after(g, TWIN_CHANGE_TWIN_PUT, twin_id, NULL);
    return TWIN_OK;
}

twin_status twin_graph_set_model(twin_graph *g, const char *twin_id, const char *model_id)
{
    TWIN__GUARDED(g, set_model(g, twin_id, model_id));
}

/* ---- twin properties --------------------------------------------------- */

static twin_status change_twin_props(twin_graph *g, const char *twin_id, const char *name,
                                     const twin_value *value)
{
    twin__change chg;
    twin__props *p;
    twin__twin *t;
    uint32_t i;
    twin_status s;
    size_t n;

    TWIN__WRITER(g);
    if ((s = twin__lookup_twin(g, "twin", twin_id, &i)) != TWIN_OK ||
        (s = twin__check_str(g, "property name", name, TWIN_ID_MAX, &n)) != TWIN_OK)
        return s;
    chg.name = name;
    chg.value = value;
    t = twin__T(g, i);
    if ((s = twin__props_build(g, twin__props_at(g, t->props), NULL, 0, &chg, &p)) != TWIN_OK)
        return s;
    if ((s = validate_twin(g, twin_id, twin__model_str(g, i), p)) != TWIN_OK) {
        twin__props_free(g, p);
        return s;
    }
    return twin__props_commit(g, &twin__T(g, i)->props, p, TWIN_CHANGE_TWIN_PUT, twin_id, NULL);
}

static twin_status set_property(twin_graph *g, const char *twin_id, const char *name,
                                    const twin_value *value)
{
    if (g && !value) return twin__fail(g, TWIN_E_INVAL, "value is NULL");
    return change_twin_props(g, twin_id, name, value);
}

twin_status twin_graph_set_property(twin_graph *g, const char *twin_id, const char *name,
                                    const twin_value *value)
{
    TWIN__GUARDED(g, set_property(g, twin_id, name, value));
}

static twin_status remove_property(twin_graph *g, const char *twin_id, const char *name)
{
    return change_twin_props(g, twin_id, name, NULL);
}

twin_status twin_graph_remove_property(twin_graph *g, const char *twin_id, const char *name)
{
    TWIN__GUARDED(g, remove_property(g, twin_id, name));
}

twin_status twin_graph_get_property(const twin_graph *g, const char *twin_id, const char *name,
                                    const twin_value **out)
{
    const twin_member *m;
    uint32_t i;
    if (out) *out = NULL;
    if (!g || !twin_id || !name || !out) return TWIN_E_INVAL;
    if ((i = twin__find_twin(g, twin_id, strlen(twin_id))) == TWIN__NONE) return TWIN_E_NOTFOUND;
    m = twin__props_find(twin__props_at(g, twin__T(g, i)->props), name);
    if (!m) return TWIN_E_NOTFOUND;
    *out = &m->value;
    return TWIN_OK;
}

twin_status twin_graph_get_properties(const twin_graph *g, const char *twin_id,
                                      const twin_member **members, size_t *count)
{
    const twin__props *p;
    uint32_t i;
    if (members) *members = NULL;
    if (count) *count = 0;
    if (!g || !twin_id || !members || !count) return TWIN_E_INVAL;
    if ((i = twin__find_twin(g, twin_id, strlen(twin_id))) == TWIN__NONE) return TWIN_E_NOTFOUND;
    p = twin__props_at(g, twin__T(g, i)->props);
    if (p) {
        *members = p->m;
        *count = p->count;
    }
    return TWIN_OK;
}

void twin__graph_adjacency(const twin_graph *g, twin__adjacency *out)
{
    out->twins = &g->twins;
    out->rels = &g->rels;
    out->pool = &g->pool;
    out->models = &g->models;
    out->names = &g->names;
    out->csr = &g->csr;
    out->gen = &g->gen;
    out->twin_count = &g->twin_count;
    out->rel_count = &g->rel_count;
    out->props = &g->props;
    out->removals = &g->removals;
}

const twin_member *twin__graph_props_of(const twin__adjacency *a, uint32_t idx, size_t *n)
{
    const twin__props *p = idx ? *(twin__props *const *)twin__segvec_at(a->props, idx) : NULL;
    *n = p ? p->count : 0;
    return p ? p->m : NULL;
}

const twin_allocator *twin__graph_allocator(const twin_graph *g)
{
    return &g->alloc;
}

twin_status twin__graph_create_like(const twin_graph *g, uint32_t twin_hint, uint32_t rel_hint,
                                    twin_graph **out)
{
    twin_graph_options o;
    twin_graph_options_init(&o);
    o.alloc = &g->alloc;
    o.validator = g->validator.size ? &g->validator : NULL;
    o.twin_capacity = twin_hint;
    o.relationship_capacity = rel_hint;
    return twin_graph_create(out, &o);
}
