/* Relationships. Each lives in two singly linked lists (its source's
 * outgoing, its target's incoming). Removal marks it dead in O(1); a later
 * sweep (graph_gc.c) unlinks the dead ones. Identifiers are unique per
 * source: checked by walking the source's list while it is short, through
 * rel_idx once the source has TWIN__BIG_DEGREE outgoing relationships. */
#include "graph/graph_int.h"

#include "core/sized.h"

#include "util/hash.h"

#include <string.h>

typedef struct rkey {
    uint32_t src;
    const char *s;
    size_t n;
} rkey;

static int rel_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin_graph *g = ctx;
    const rkey *key = k;
    const twin__rel *r = twin__R(g, i);
    const char *s;
    if (r->src != key->src) return 0;
    s = twin__str(g, r->id);
    return strncmp(s, key->s, key->n) == 0 && s[key->n] == '\0';
}

static uint32_t rel_hash(const twin_graph *g, uint32_t src, const char *id, size_t n)
{
    return twin__hash32(twin__hash(g->seed ^ twin__mix64((uint64_t)src + 1), id, n));
}

static uint32_t find_rel_pos(const twin_graph *g, uint32_t src, const char *id, size_t n)
{
    rkey k;
    k.src = src;
    k.s = id;
    k.n = n;
    return twin__index_find(&g->rel_idx, rel_hash(g, src, id, n), rel_eq, g, &k);
}

/* Find relationship id of src; *degree (if not NULL) receives the source's
 * live out-degree when the source is not indexed. */
static uint32_t find_rel(const twin_graph *g, uint32_t src, const char *id, size_t n,
                         uint32_t *degree)
{
    const twin__twin *t = twin__T(g, src);
    uint32_t deg = 0;
    if (t->model & TWIN__BIG) {
        uint32_t pos = find_rel_pos(g, src, id, n);
        return pos == TWIN__NONE ? TWIN__NONE : twin__index_at(&g->rel_idx, pos);
    }
    for (uint32_t r = t->out; r != TWIN__NONE; r = twin__R(g, r)->next_out) {
        const twin__rel *rel = twin__R(g, r);
        const char *s;
        if (rel->name == TWIN__DEAD) continue;
        deg++;
        s = twin__str(g, rel->id);
        if (strncmp(s, id, n) == 0 && s[n] == '\0') return r;
    }
    if (degree) *degree = deg;
    return TWIN__NONE;
}

uint32_t twin__find_rel(const twin_graph *g, uint32_t src, const char *id, size_t n)
{
    return find_rel(g, src, id, n, NULL);
}

int twin__has_rels(const twin_graph *g, uint32_t t)
{
    for (uint32_t r = twin__T(g, t)->out; r != TWIN__NONE; r = twin__R(g, r)->next_out)
        if (twin__R(g, r)->name != TWIN__DEAD) return 1;
    for (uint32_t r = twin__T(g, t)->in; r != TWIN__NONE; r = twin__R(g, r)->next_in)
        if (twin__R(g, r)->name != TWIN__DEAD) return 1;
    return 0;
}

void twin__kill_rel(twin_graph *g, uint32_t r)
{
    twin__rel *rel = twin__R(g, r);
    const char *id = twin__str(g, rel->id);
    size_t n = strlen(id);
    if (twin__T(g, rel->src)->model & TWIN__BIG)
        twin__index_remove_at(&g->rel_idx, find_rel_pos(g, rel->src, id, n));
    twin__strpool_kill(&g->pool, n);
    twin__intern_release(&g->names, &g->pool, rel->name);
    twin__props_drop(g, rel->props);
    rel->name = TWIN__DEAD;
    rel->props = 0;
    g->rel_count--;
    g->rel_dead++;
}

static twin_status validate_rel(twin_graph *g, const char *name, uint32_t src, uint32_t dst,
                                const twin__props *p)
{
    char msg[TWIN_ERROR_MESSAGE_MAX];
    twin_status s;
    if (!g->validator.check_relationship) return TWIN_OK;
    msg[0] = '\0';
    s = g->validator.check_relationship(g->validator.ud, name, twin__model_str(g, src),
                                        twin__model_str(g, dst), p ? p->m : NULL,
                                        p ? p->count : 0, msg, sizeof msg);
    return twin__validated(g, s, msg, "relationship", name);
}

/* Reserve everything adding one relationship may need. */
static twin_status reserve_rel(twin_graph *g, size_t idn, int has_props, uint32_t index_n)
{
    twin_status s;
    if ((g->rel_free == TWIN__NONE && (s = twin__segvec_reserve(&g->rels, &g->alloc, 1)) != TWIN_OK) ||
        (s = twin__strpool_reserve(&g->pool, &g->alloc, idn)) != TWIN_OK ||
        (has_props && (s = twin__props_reserve(g)) != TWIN_OK) ||
        (index_n && (s = twin__index_reserve(&g->rel_idx, &g->alloc, index_n)) != TWIN_OK))
        return s;
    return TWIN_OK;
}

/* Index every live outgoing relationship of src. Room reserved. */
static void index_source(twin_graph *g, uint32_t src)
{
    twin__twin *t = twin__T(g, src);
    for (uint32_t r = t->out; r != TWIN__NONE; r = twin__R(g, r)->next_out) {
        const twin__rel *rel = twin__R(g, r);
        const char *id;
        if (rel->name == TWIN__DEAD) continue;
        id = twin__str(g, rel->id);
        twin__index_insert(&g->rel_idx, rel_hash(g, src, id, strlen(id)), r);
    }
    t->model |= TWIN__BIG;
}

static twin_status add_relationship(twin_graph *g, const char *source_id, const char *rel_id,
                                        const char *name, const char *target_id,
                                        const twin_member *props, size_t nprops)
{
    size_t n, nn;
    uint32_t src, dst, deg = 0, name_i, r, index_n;
    twin__props *p = NULL;
    twin__rel *rel;
    twin_status s;
    int big;

    TWIN__WRITER(g);
    if ((s = twin__check_str(g, "relationship id", rel_id, TWIN_ID_MAX, &n)) != TWIN_OK ||
        (s = twin__check_str(g, "relationship name", name, TWIN_ID_MAX, &nn)) != TWIN_OK ||
        (s = twin__lookup_twin(g, "source twin", source_id, &src)) != TWIN_OK ||
        (s = twin__lookup_twin(g, "target twin", target_id, &dst)) != TWIN_OK)
        return s;
    if (find_rel(g, src, rel_id, n, &deg) != TWIN__NONE)
        return twin__fail(g, TWIN_E_EXISTS, "twin '%.64s' already has relationship '%.64s'",
                          source_id, rel_id);
    if ((s = twin__props_build(g, NULL, props, nprops, NULL, &p)) != TWIN_OK) return s;
    if ((s = validate_rel(g, name, src, dst, p)) != TWIN_OK) goto fail;
    big = (twin__T(g, src)->model & TWIN__BIG) != 0;
    index_n = big ? 1 : (deg + 1 >= TWIN__BIG_DEGREE ? deg + 1 : 0);
    if ((s = twin__intern_acquire(&g->names, &g->pool, &g->alloc, name, nn, &name_i)) != TWIN_OK)
        goto nomem;
    if (name_i == TWIN__DEAD || (s = reserve_rel(g, n, p != NULL, index_n)) != TWIN_OK) {
        twin__intern_release(&g->names, &g->pool, name_i);
        goto nomem;
    }
    if ((s = twin__hook_before(g, TWIN_CHANGE_REL_PUT, source_id, rel_id)) != TWIN_OK) {
        twin__intern_release(&g->names, &g->pool, name_i);
        goto fail;
    }
    if (g->rel_free != TWIN__NONE) {
        r = g->rel_free;
        g->rel_free = twin__R(g, r)->next_out;
    } else {
        r = twin__segvec_push(&g->rels);
    }
    rel = twin__R(g, r);
    rel->src = src;
    rel->dst = dst;
    rel->id = twin__strpool_add(&g->pool, rel_id, n);
    rel->name = name_i;
    rel->props = twin__props_put(g, p);
    rel->next_out = twin__T(g, src)->out;
    twin__T(g, src)->out = r;
    rel->next_in = twin__T(g, dst)->in;
    twin__T(g, dst)->in = r;
    if (big)
        twin__index_insert(&g->rel_idx, rel_hash(g, src, rel_id, n), r);
    else if (index_n)
        index_source(g, src);
    g->rel_count++;
    twin__changed(g, 1);
    twin__hook_after(g, TWIN_CHANGE_REL_PUT, source_id, rel_id);
    return TWIN_OK;
nomem:
    s = s == TWIN_OK ? TWIN_E_RANGE : s;
    twin__fail(g, s, s == TWIN_E_NOMEM ? "out of memory adding relationship '%.64s'"
                                       : "graph is full, cannot add relationship '%.64s'", rel_id);
fail:
    twin__props_free(g, p);
    return s;
}

twin_status twin_graph_add_relationship(twin_graph *g, const char *source_id, const char *rel_id,
                                        const char *name, const char *target_id,
                                        const twin_member *props, size_t nprops)
{
    TWIN__GUARDED(g, add_relationship(g, source_id, rel_id, name, target_id, props, nprops));
}

/* Resolve (source, id) for a writer, recording errors. */
static twin_status lookup_rel(twin_graph *g, const char *source_id, const char *rel_id,
                              uint32_t *out)
{
    uint32_t src;
    twin_status s;
    if ((s = twin__lookup_twin(g, "source twin", source_id, &src)) != TWIN_OK) return s;
    if (!rel_id) return twin__fail(g, TWIN_E_INVAL, "relationship id is NULL");
    *out = twin__find_rel(g, src, rel_id, strlen(rel_id));
    if (*out == TWIN__NONE)
        return twin__fail(g, TWIN_E_NOTFOUND, "twin '%.64s' has no relationship '%.64s'",
                          source_id, rel_id);
    return TWIN_OK;
}

static twin_status remove_relationship(twin_graph *g, const char *source_id, const char *rel_id)
{
    uint32_t r;
    twin_status s;
    TWIN__WRITER(g);
    if ((s = lookup_rel(g, source_id, rel_id, &r)) != TWIN_OK ||
        (s = twin__hook_before(g, TWIN_CHANGE_REL_DELETE, source_id, rel_id)) != TWIN_OK)
        return s;
    twin__kill_rel(g, r);
    twin__changed(g, 1);
    twin__maybe_sweep(g);
    twin__maybe_compact(g);
    twin__hook_after(g, TWIN_CHANGE_REL_DELETE, source_id, rel_id);
    return TWIN_OK;
}

twin_status twin_graph_remove_relationship(twin_graph *g, const char *source_id, const char *rel_id)
{
    TWIN__GUARDED(g, remove_relationship(g, source_id, rel_id));
}

void twin__fill_rel(const twin_graph *g, uint32_t r, twin_relationship *out)
{
    const twin__rel *rel = twin__R(g, r);
    const twin__props *p = twin__props_at(g, rel->props);
    twin_relationship v;
    v.size = sizeof v;
    v.id = twin__str(g, rel->id);
    v.name = twin__intern_str(&g->names, &g->pool, rel->name);
    v.source_id = twin__str(g, twin__T(g, rel->src)->id);
    v.target_id = twin__str(g, twin__T(g, rel->dst)->id);
    v.properties = p ? p->m : NULL;
    v.property_count = p ? p->count : 0;
    twin__sized_out(out, &v, sizeof v);  /* out's size was checked */
}

twin_status twin_graph_find_relationship(const twin_graph *g, const char *source_id,
                                         const char *rel_id, twin_relationship *out)
{
    uint32_t src, r;
    twin_status s;
    if (!g || !source_id || !rel_id || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    src = twin__find_twin(g, source_id, strlen(source_id));
    if (src == TWIN__NONE) return TWIN_E_NOTFOUND;
    r = twin__find_rel(g, src, rel_id, strlen(rel_id));
    if (r == TWIN__NONE) return TWIN_E_NOTFOUND;
    twin__fill_rel(g, r, out);
    return TWIN_OK;
}

static twin_status change_rel_props(twin_graph *g, const char *source_id, const char *rel_id,
                                    const char *name, const twin_value *value)
{
    twin__change chg;
    twin__props *p;
    uint32_t r;
    size_t n;
    twin_status s;
    const twin__rel *rel;

    if ((s = lookup_rel(g, source_id, rel_id, &r)) != TWIN_OK ||
        (s = twin__check_str(g, "property name", name, TWIN_ID_MAX, &n)) != TWIN_OK)
        return s;
    chg.name = name;
    chg.value = value;
    rel = twin__R(g, r);
    if ((s = twin__props_build(g, twin__props_at(g, rel->props), NULL, 0, &chg, &p)) != TWIN_OK)
        return s;
    if ((s = validate_rel(g, twin__intern_str(&g->names, &g->pool, rel->name), rel->src,
                          rel->dst, p)) != TWIN_OK) {
        twin__props_free(g, p);
        return s;
    }
    return twin__props_commit(g, &twin__R(g, r)->props, p, TWIN_CHANGE_REL_PUT, source_id,
                              rel_id);
}

static twin_status set_rel_property(twin_graph *g, const char *source_id,
                                                 const char *rel_id, const char *name,
                                                 const twin_value *value)
{
    TWIN__WRITER(g);
    if (!value) return twin__fail(g, TWIN_E_INVAL, "value is NULL");
    return change_rel_props(g, source_id, rel_id, name, value);
}

twin_status twin_graph_set_relationship_property(twin_graph *g, const char *source_id,
                                                 const char *rel_id, const char *name,
                                                 const twin_value *value)
{
    TWIN__GUARDED(g, set_rel_property(g, source_id, rel_id, name, value));
}

static twin_status remove_rel_property(twin_graph *g, const char *source_id,
                                                    const char *rel_id, const char *name)
{
    TWIN__WRITER(g);
    return change_rel_props(g, source_id, rel_id, name, NULL);
}

twin_status twin_graph_remove_relationship_property(twin_graph *g, const char *source_id,
                                                    const char *rel_id, const char *name)
{
    TWIN__GUARDED(g, remove_rel_property(g, source_id, rel_id, name));
}
