/* The compact adjacency (CSR) that traversals read instead of the linked
 * relationship lists: built on the writer's side by twin_graph_optimize(),
 * dropped by the next structural change. Each twin's entries are in the
 * order its relationships were added (oldest first), the order traversals
 * follow on the lists too, so the answers are the same either way; in a
 * graph loaded in hierarchy order it also keeps a breadth-first walk
 * moving forward through memory. */
#include "graph/graph_int.h"

#include "core/alloc.h"

#include <string.h>

static size_t off_bytes(uint32_t n)
{
    return ((size_t)n + 1) * sizeof(uint32_t);
}

static size_t arr_bytes(uint32_t m)
{
    return (m ? (size_t)m : 1) * sizeof(uint32_t);
}

static void csr_free(const twin_allocator *a, twin__csr *c)
{
    for (int d = 0; d < 2; d++) {
        twin__free(a, c->off[d], off_bytes(c->n));
        twin__free(a, c->to[d], arr_bytes(c->m));
        twin__free(a, c->name[d], arr_bytes(c->m));
        twin__free(a, c->rel[d], arr_bytes(c->m));
    }
    twin__free(a, c, sizeof *c);
}

void twin__csr_drop(twin_graph *g)
{
    if (!g->csr) return;
    csr_free(&g->alloc, g->csr);
    g->csr = NULL;
}

/* Reverse entries [a, b) of direction d. */
static void reverse(twin__csr *c, int d, uint32_t a, uint32_t b)
{
    while (b > a + 1) {
        uint32_t t;
        b--;
        t = c->to[d][a], c->to[d][a] = c->to[d][b], c->to[d][b] = t;
        t = c->name[d][a], c->name[d][a] = c->name[d][b], c->name[d][b] = t;
        t = c->rel[d][a], c->rel[d][a] = c->rel[d][b], c->rel[d][b] = t;
        a++;
    }
}

/* Pack direction d (0 outgoing, 1 incoming) of every live twin: walk its
 * list (newest first) and turn the run around. */
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
                c->to[d][k] = d ? rel->src : rel->dst;
                c->name[d][k] = rel->name;
                c->rel[d][k++] = r;
            }
            r = d ? rel->next_in : rel->next_out;
        }
        reverse(c, d, c->off[d][i], k);
    }
    c->off[d][c->n] = k;
}

static twin_status optimize(twin_graph *g)
{
    const twin_allocator *a;
    twin__csr *c;

    TWIN__WRITER(g);
    if (g->csr) return TWIN_OK;
    a = &g->alloc;
    c = twin__alloc(a, sizeof *c);
    if (!c) return twin__fail(g, TWIN_E_NOMEM, "out of memory optimising the graph");
    memset(c, 0, sizeof *c);
    c->n = g->twins.len;
    c->m = g->rel_count;
    for (int d = 0; d < 2; d++) {
        c->off[d] = twin__alloc(a, off_bytes(c->n));
        c->to[d] = twin__alloc(a, arr_bytes(c->m));
        c->name[d] = twin__alloc(a, arr_bytes(c->m));
        c->rel[d] = twin__alloc(a, arr_bytes(c->m));
        if (!c->off[d] || !c->to[d] || !c->name[d] || !c->rel[d]) {
            csr_free(a, c);
            return twin__fail(g, TWIN_E_NOMEM, "out of memory optimising the graph");
        }
    }
    pack(g, c, 0);
    pack(g, c, 1);
    g->csr = c;  /* no data changed: readers on the lists may go on */
    return TWIN_OK;
}

twin_status twin_graph_optimize(twin_graph *g)
{
    TWIN__GUARDED(g, optimize(g));
}
