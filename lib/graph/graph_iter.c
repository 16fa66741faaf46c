/* Cursors over twins and over a twin's relationships. */
#include "graph/graph_int.h"

#include "core/sized.h"

#include <string.h>

enum {
    CUR_TWINS = 0x74770000u,  /* cursor kinds, checked to catch misuse */
    CUR_RELS = 0x72650000u,
    PHASE_IN = 0x100u         /* rel cursor: walking the incoming list */
};

/* Layout of twin_cursor.opaque_: [0] kind | phase | direction,
 * [1] next index, [2] twin, [3] name filter: FILTER_ANY, FILTER_NOTHING
 * (a name no relationship has) or the name's intern index + 1. */
#define FILTER_ANY 0u
#define FILTER_NOTHING UINT64_MAX

twin_status twin_graph_twins_begin(const twin_graph *g, twin_cursor *c)
{
    if (!g || !c) return TWIN_E_INVAL;
    memset(c, 0, sizeof *c);
    c->opaque_[0] = CUR_TWINS;
    return TWIN_OK;
}

twin_status twin_graph_twins_next(const twin_graph *g, twin_cursor *c, const char **twin_id,
                                  const char **model_id)
{
    if (twin_id) *twin_id = NULL;
    if (model_id) *model_id = NULL;
    if (!g || !c || !twin_id || c->opaque_[0] != CUR_TWINS) return TWIN_E_INVAL;
    while (c->opaque_[1] < g->twins.len) {
        const twin__twin *t = twin__T(g, (uint32_t)c->opaque_[1]++);
        if (t->id == TWIN__DEAD) continue;
        *twin_id = twin__str(g, t->id);
        if (model_id)
            *model_id = twin__model_str(g, (uint32_t)c->opaque_[1] - 1);
        return TWIN_OK;
    }
    return TWIN_DONE;
}

twin_status twin_graph_relationships_begin(const twin_graph *g, twin_cursor *c,
                                           const char *twin_id, twin_direction dir,
                                           const char *name)
{
    uint32_t t;
    uint64_t filter = FILTER_ANY;
    if (!g || !c || !twin_id) return TWIN_E_INVAL;
    if (dir != TWIN_DIRECTION_OUTGOING && dir != TWIN_DIRECTION_INCOMING &&
        dir != TWIN_DIRECTION_BOTH)
        return TWIN_E_INVAL;
    t = twin__find_twin(g, twin_id, strlen(twin_id));
    if (t == TWIN__NONE) return TWIN_E_NOTFOUND;
    if (name) {
        uint32_t i = twin__intern_find(&g->names, &g->pool, name, strlen(name));
        filter = i == TWIN__NONE ? FILTER_NOTHING : (uint64_t)i + 1;
    }
    memset(c, 0, sizeof *c);
    c->opaque_[0] = CUR_RELS | (uint32_t)dir;
    c->opaque_[2] = t;
    c->opaque_[3] = filter;
    if (dir & TWIN_DIRECTION_OUTGOING) {
        c->opaque_[1] = twin__T(g, t)->out;
    } else {
        c->opaque_[0] |= PHASE_IN;
        c->opaque_[1] = twin__T(g, t)->in;
    }
    return TWIN_OK;
}

twin_status twin_graph_relationships_next(const twin_graph *g, twin_cursor *c,
                                          twin_relationship *out)
{
    uint32_t kind, dir, t;
    uint64_t filter;
    twin_status s;
    if (!g || !c || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    kind = (uint32_t)c->opaque_[0];
    if ((kind & 0xffff0000u) != CUR_RELS) return TWIN_E_INVAL;
    dir = kind & 0xffu;
    t = (uint32_t)c->opaque_[2];
    filter = c->opaque_[3];
    if (filter == FILTER_NOTHING) return TWIN_DONE;
    for (;;) {
        uint32_t r = (uint32_t)c->opaque_[1];
        const twin__rel *rel;
        int in = (kind & PHASE_IN) != 0;
        if (r == TWIN__NONE) {
            if (in || !(dir & TWIN_DIRECTION_INCOMING)) return TWIN_DONE;
            kind |= PHASE_IN;
            c->opaque_[0] = kind;
            c->opaque_[1] = twin__T(g, t)->in;
            continue;
        }
        rel = twin__R(g, r);
        c->opaque_[1] = in ? rel->next_in : rel->next_out;
        if (rel->name == TWIN__DEAD) continue;
        if (filter != FILTER_ANY && (uint64_t)rel->name + 1 != filter) continue;
        if (in && dir == TWIN_DIRECTION_BOTH && rel->src == rel->dst) continue;
        twin__fill_rel(g, r, out);
        return TWIN_OK;
    }
}
