/* The change hook: every committed change to a twin or relationship is
 * told to the hook before (which may refuse it) and after it is made. */
#include "graph/graph_int.h"

#include <string.h>

twin_status twin_graph_set_change_hook(twin_graph *g, twin_graph_change_fn fn, void *ud)
{
    if (!g) return TWIN_E_INVAL;
    if (g->in_hook) return twin__fail(g, TWIN_E_STATE, "called from a change hook");
    g->hook = fn;
    g->hook_ud = fn ? ud : NULL;
    return TWIN_OK;
}

twin_status twin_graph_get_change_hook(const twin_graph *g, twin_graph_change_fn *fn, void **ud)
{
    if (!g || !fn) return TWIN_E_INVAL;
    *fn = g->hook;
    if (ud) *ud = g->hook_ud;
    return TWIN_OK;
}

static twin_status call(twin_graph *g, uint32_t phase, uint32_t kind, const char *twin_id,
                        const char *rel_id)
{
    twin_change c;
    twin_status s;
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    c.kind = kind;
    c.phase = phase;
    c.twin_id = twin_id;
    c.rel_id = rel_id;
    g->in_hook = 1;
    s = g->hook(g->hook_ud, g, &c);
    g->in_hook = 0;
    return s;
}

twin_status twin__hook_before(twin_graph *g, uint32_t kind, const char *twin_id,
                              const char *rel_id)
{
    twin_status s;
    if (!g->hook) return TWIN_OK;
    s = call(g, TWIN_CHANGE_BEFORE, kind, twin_id, rel_id);
    if (s >= 0) return TWIN_OK;
    return twin__fail(g, s, "the change hook refused the change to '%.128s': %s", twin_id,
                      twin_strerror(s));
}

void twin__hook_after(twin_graph *g, uint32_t kind, const char *twin_id, const char *rel_id)
{
    if (g->hook) call(g, TWIN_CHANGE_AFTER, kind, twin_id, rel_id);
}
