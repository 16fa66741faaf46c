/* Reclaiming space after removals: the relationship sweep and the string
 * pool compaction. Both run from removal calls once enough is dead that the
 * O(n) pass is amortised, and neither can fail in a way the caller sees. */
#include "graph/graph_int.h"

#include <string.h>

#define SWEEP_MIN 64u
#define COMPACT_MIN (64u * 1024u)

/* Drop dead relationships from a list threaded through `next`. */
#define UNLINK_DEAD(g, head, next)                                   \
    do {                                                             \
        uint32_t *link_ = (head);                                    \
        while (*link_ != TWIN__NONE) {                               \
            twin__rel *r_ = twin__R((g), *link_);                    \
            if (r_->name == TWIN__DEAD) *link_ = r_->next;           \
            else link_ = &r_->next;                                  \
        }                                                            \
    } while (0)

static void sweep(twin_graph *g)
{
    for (uint32_t i = 0; i < g->twins.len; i++) {
        twin__twin *t = twin__T(g, i);
        if (t->id == TWIN__DEAD) continue;
        UNLINK_DEAD(g, &t->out, next_out);
        UNLINK_DEAD(g, &t->in, next_in);
    }
    /* Removed relationships still carry their source; freed ones do not. */
    for (uint32_t i = 0; i < g->rels.len; i++) {
        twin__rel *r = twin__R(g, i);
        if (r->name != TWIN__DEAD || r->src == TWIN__NONE) continue;
        r->src = r->dst = TWIN__NONE;
        r->next_in = TWIN__NONE;
        r->next_out = g->rel_free;
        g->rel_free = i;
    }
    g->rel_dead = 0;
}

void twin__maybe_sweep(twin_graph *g)
{
    if (g->rel_dead >= SWEEP_MIN && g->rel_dead >= g->rel_count / 2) sweep(g);
}

/* Visit every live string offset in a fixed order. */
typedef void (*visit_fn)(void *ctx, const twin_graph *g, uint32_t *off);

static void each_string(twin_graph *g, visit_fn visit, void *ctx)
{
    twin__intern *tabs[2];
    for (uint32_t i = 0; i < g->twins.len; i++) {
        twin__twin *t = twin__T(g, i);
        if (t->id != TWIN__DEAD) visit(ctx, g, &t->id);
    }
    for (uint32_t i = 0; i < g->rels.len; i++) {
        twin__rel *r = twin__R(g, i);
        if (r->name != TWIN__DEAD) visit(ctx, g, &r->id);
    }
    tabs[0] = &g->models;
    tabs[1] = &g->names;
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < tabs[k]->ent.len; i++) {
            twin__name *e = twin__intern_at(tabs[k], i);
            if (e->refs) visit(ctx, g, &e->off);
        }
}

typedef struct compactor {
    twin__strpool pool;
    uint64_t end;  /* bytes the new pool needs */
} compactor;

static void measure_one(void *ctx, const twin_graph *g, uint32_t *off)
{
    compactor *c = ctx;
    c->end = twin__strpool_span(c->end, strlen(twin__str(g, *off)));
}

static void copy_one(void *ctx, const twin_graph *g, uint32_t *off)
{
    compactor *c = ctx;
    const char *s = twin__str(g, *off);
    *off = twin__strpool_add(&c->pool, s, strlen(s));
}

void twin__maybe_compact(twin_graph *g)
{
    compactor c;
    if (g->pool.dead < COMPACT_MIN || g->pool.dead * 2 < g->pool.bytes.len) return;
    twin__strpool_init(&c.pool);
    c.end = 0;
    each_string(g, measure_one, &c);
    if (c.end > UINT32_MAX ||
        twin__segvec_reserve(&c.pool.bytes, &g->alloc, (uint32_t)c.end) != TWIN_OK) {
        twin__strpool_fini(&c.pool, &g->alloc);  /* keep the old pool */
        return;
    }
    each_string(g, copy_one, &c);
    twin__strpool_fini(&g->pool, &g->alloc);
    g->pool = c.pool;
}
