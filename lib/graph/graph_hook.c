/* Change hooks: every committed change to a twin or relationship is told
 * to each hook, in the order they were added, before (any may refuse it)
 * and after it is made. When one refuses, those that had accepted hear
 * that the change is cancelled. */
#include "graph/graph_int.h"

#include "core/alloc.h"

#include <string.h>

static twin_status add_change_hook(twin_graph *g, twin_graph_change_fn fn, void *ud)
{
    TWIN__WRITER(g);
    if (!fn) return twin__fail(g, TWIN_E_INVAL, "the change hook is NULL");
    for (uint32_t i = 0; i < g->nhooks; i++)
        if (g->hooks[i].fn == fn && g->hooks[i].ud == ud)
            return twin__fail(g, TWIN_E_EXISTS, "this change hook is already added");
    if (g->nhooks == g->caphooks) {
        uint32_t cap = g->caphooks ? g->caphooks * 2 : 2;
        twin__hook *p = twin__realloc(&g->alloc, g->hooks, g->caphooks * sizeof *p,
                                      cap * sizeof *p);
        if (!p) return twin__fail(g, TWIN_E_NOMEM, "out of memory adding a change hook");
        g->hooks = p;
        g->caphooks = cap;
    }
    g->hooks[g->nhooks].fn = fn;
    g->hooks[g->nhooks].ud = ud;
    g->nhooks++;
    return TWIN_OK;
}

twin_status twin_graph_add_change_hook(twin_graph *g, twin_graph_change_fn fn, void *ud)
{
    TWIN__GUARDED(g, add_change_hook(g, fn, ud));
}

static twin_status remove_change_hook(twin_graph *g, twin_graph_change_fn fn, void *ud)
{
    TWIN__WRITER(g);
    for (uint32_t i = 0; i < g->nhooks; i++) {
        if (g->hooks[i].fn != fn || g->hooks[i].ud != ud) continue;
        memmove(&g->hooks[i], &g->hooks[i + 1], (g->nhooks - i - 1) * sizeof *g->hooks);
        g->nhooks--;
        return TWIN_OK;
    }
    return twin__fail(g, TWIN_E_NOTFOUND, "no such change hook");
}

twin_status twin_graph_remove_change_hook(twin_graph *g, twin_graph_change_fn fn, void *ud)
{
    TWIN__GUARDED(g, remove_change_hook(g, fn, ud));
}

void twin__hooks_free(twin_graph *g)
{
    twin__free(&g->alloc, g->hooks, g->caphooks * sizeof *g->hooks);
    g->hooks = NULL;
    g->nhooks = g->caphooks = 0;
}

/* Call hooks [0, n) with phase; in BEFORE, stop at the first refusal and
 * return its index in *refused (n when none). */
static twin_status call(twin_graph *g, uint32_t n, uint32_t phase, const twin_change *c0,
                        uint32_t *refused)
{
    twin_change c = *c0;
    twin_status s = TWIN_OK;
    uint32_t i;
    c.phase = phase;
    g->in_hook = 1;
    for (i = 0; i < n; i++) {
        s = g->hooks[i].fn(g->hooks[i].ud, g, &c);
        if (phase == TWIN_CHANGE_BEFORE && s < 0) break;
        s = TWIN_OK;
    }
    g->in_hook = 0;
    if (refused) *refused = i;
    return s;
}

static void describe(twin_change *c, uint32_t kind, const char *twin_id, const char *rel_id)
{
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->kind = kind;
    c->twin_id = twin_id;
    c->rel_id = rel_id;
}

twin_status twin__hook_before(twin_graph *g, uint32_t kind, const char *twin_id,
                              const char *rel_id)
{
    twin_change c;
    twin_status s;
    uint32_t k;
    if (!g->nhooks) return TWIN_OK;
    describe(&c, kind, twin_id, rel_id);
    s = call(g, g->nhooks, TWIN_CHANGE_BEFORE, &c, &k);
    if (s >= 0) return TWIN_OK;
    call(g, k, TWIN_CHANGE_CANCELLED, &c, NULL);
    return twin__fail(g, s, "a change hook refused the change to '%.128s': %s", twin_id,
                      twin_strerror(s));
}

void twin__hook_after(twin_graph *g, uint32_t kind, const char *twin_id, const char *rel_id)
{
    twin_change c;
    if (!g->nhooks) return;
    describe(&c, kind, twin_id, rel_id);
    call(g, g->nhooks, TWIN_CHANGE_AFTER, &c, NULL);
}
