/* The compact adjacency (CSR) that traversals read instead of the linked
 * relationship lists: built on the writer's side by twin_graph_optimize(),
 * dropped by the next structural change. Entries keep list order (newest
 * first), so traversals give the same answers either way. */
#include "graph/graph_int.h"

#include "core/alloc.h"

#include <string.h>

static size_t off_bytes(uint32_t n)
{
    return ((size_t)n + 1) * sizeof(uint32_t);
}

static size_t adj_bytes(uint32_t m)
{
    return (m ? (size_t)m : 1) * sizeof(twin__adj);
}

static void csr_free(const twin_allocator *a, twin__csr *c)
{
    for (int d = 0; d < 2; d++) {
        twin__free(a, c->off[d], off_bytes(c->n));
        twin__free(a, c->adj[d], adj_bytes(c->m));
    }
    twin__free(a, c, sizeof *c);
}

void twin__csr_drop(twin_graph *g)
{
    if (!g->csr) return;
    csr_free(&g->alloc, g->csr);
    g->csr = NULL;
}

/* Pack direction d (0 outgoing, 1 incoming) of every live twin. */
static void pack(const twin_graph *g, twin__csr *c, int d)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const twin__twin *t = twin__T(g, i);
        c->off[d][i] = k;
        if (t->id == TWIN__DEAD) continue;
        for (uint32_t r = d ? t->in : t->out; r != TWIN__NONE;) {
            const twin__rel *rel = twin__R(g, r);
            if (rel->name != TWIN__DEAD) {
                twin__adj *e = &c->adj[d][k++];
                e->twin = d ? rel->src : rel->dst;
                e->name = rel->name;
                e->rel = r;
            }
            r = d ? rel->next_in : rel->next_out;
        }
    }
    c->off[d][c->n] = k;
}

twin_status twin_graph_optimize(twin_graph *g)
{
    const twin_allocator *a;
    twin__csr *c;

    if (!g) return TWIN_E_INVAL;
    if (g->csr) return TWIN_OK;
    a = &g->alloc;
    c = twin__alloc(a, sizeof *c);
    if (!c) return twin__fail(g, TWIN_E_NOMEM, "out of memory optimising the graph");
    memset(c, 0, sizeof *c);
    c->n = g->twins.len;
    c->m = g->rel_count;
    for (int d = 0; d < 2; d++) {
        c->off[d] = twin__alloc(a, off_bytes(c->n));
        c->adj[d] = twin__alloc(a, adj_bytes(c->m));
        if (!c->off[d] || !c->adj[d]) {
            csr_free(a, c);
            return twin__fail(g, TWIN_E_NOMEM, "out of memory optimising the graph");
        }
    }
    pack(g, c, 0);
    pack(g, c, 1);
    g->csr = c;  /* no data changed: readers on the lists may go on */
    return TWIN_OK;
}
