/* Impact analysis: breadth-first traversal from root twins over the graph's
 * compact adjacency (when current) or its relationship lists.
 *
 * Visited twins are marked in a stamp array indexed by twin slot with a
 * per-query epoch, so a query never clears an array the size of the graph;
 * the queue of reached twins is also the result list. */
#include "twin/impact.h"

#include "graph/adjacency.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/sized.h"

#include <stdarg.h>
#include <string.h>

typedef struct hit_rec {
    uint32_t twin;
    uint32_t via;     /* relationship followed; TWIN__NONE for a root */
    uint32_t parent;  /* index of the parent's record; TWIN__NONE for a root */
    uint32_t depth;
    double score;
} hit_rec;

struct twin_impact {
    twin_allocator alloc;
    const twin_graph *g;
    twin__adjacency adj; /* the graph as traversals read it */
    uint32_t *stamp;     /* per twin slot: epoch of the last query that reached it */
    uint32_t nstamp;
    uint32_t epoch;
    hit_rec *res;        /* queue and results */
    size_t nres, capres;
    uint8_t *mask;       /* per relationship name: directions to follow */
    uint32_t nmask;
    uint32_t *list;      /* one twin's relationship list, gathered to walk it oldest first */
    uint32_t nlist;
    uint64_t gen;        /* graph generation the results belong to */
    twin_error err;
    char errbuf[TWIN_ERROR_MESSAGE_MAX];
};

/* One traversal's settings, resolved from the options. */
typedef struct run {
    twin_impact *q;
    const twin_graph *g;
    const twin__adjacency *a;
    twin_impact_options o;
    uint8_t all;          /* direction mask for every name when no follow list */
    uint8_t simple;       /* no callback, limit or custom rule: the tight loop applies */
    uint64_t gen;         /* graph generation at the start */
    twin_impact_visitor visit;
    void *ud;
} run;

static twin_status fail(twin_impact *q, twin_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static twin_status fail(twin_impact *q, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&q->err, q->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

twin_status twin_impact_options_init_(twin_impact_options *o, size_t size)
{
    twin_impact_options d;
    memset(&d, 0, sizeof d);
    d.direction = TWIN_DIRECTION_OUTGOING;
    d.max_depth = UINT32_MAX;
    d.rule = TWIN_IMPACT_WEAKEST_LINK;
    d.attenuation = 0.5;
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin_impact_create(twin_impact **out, const twin_graph *g, const twin_allocator *alloc)
{
    twin_allocator a;
    twin_impact *q;
    twin_status s;
    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    if (!g) return TWIN_E_INVAL;
    if ((s = twin__allocator_copy(&a, alloc)) != TWIN_OK) return s;
    q = twin__alloc(&a, sizeof *q);
    if (!q) return TWIN_E_NOMEM;
    memset(q, 0, sizeof *q);
    q->alloc = a;
    q->g = g;
    twin__graph_adjacency(g, &q->adj);
    q->err.message = q->errbuf;
    *out = q;
    return TWIN_OK;
}

void twin_impact_destroy(twin_impact *q)
{
    twin_allocator a;
    if (!q) return;
    a = q->alloc;
    twin__free(&a, q->stamp, (size_t)q->nstamp * sizeof *q->stamp);
    twin__free(&a, q->res, q->capres * sizeof *q->res);
    twin__free(&a, q->mask, q->nmask);
    twin__free(&a, q->list, (size_t)q->nlist * sizeof *q->list);
    twin__free(&a, q, sizeof *q);
}

const twin_error *twin_impact_last_error(const twin_impact *q)
{
    static const twin_error null_ctx = {TWIN_E_INVAL, 0, "impact context is NULL"};
    return q ? &q->err : &null_ctx;
}

size_t twin_impact_count(const twin_impact *q)
{
    return q ? q->nres : 0;
}

/* ---- scratch space ----------------------------------------------------- */

/* Stamps cover every twin slot; a new epoch per query. */
static twin_status prepare_stamps(twin_impact *q)
{
    uint32_t n = twin__adj_twin_slots(&q->adj);
    if (n > q->nstamp) {
        uint32_t cap = q->nstamp ? q->nstamp : 64;
        uint32_t *p;
        while (cap < n) cap = cap > UINT32_MAX / 2 ? n : cap * 2;
        p = twin__realloc(&q->alloc, q->stamp, (size_t)q->nstamp * sizeof *p, (size_t)cap * sizeof *p);
        if (!p) return TWIN_E_NOMEM;
        memset(p + q->nstamp, 0, (size_t)(cap - q->nstamp) * sizeof *p);
        q->stamp = p;
        q->nstamp = cap;
    }
    if (++q->epoch == 0) {  /* wrapped: old stamps could collide */
        memset(q->stamp, 0, (size_t)q->nstamp * sizeof *q->stamp);
        q->epoch = 1;
    }
    return TWIN_OK;
}

static twin_status grow_results(twin_impact *q)
{
    size_t cap = q->capres ? q->capres * 2 : 64;
    hit_rec *p;
    if (cap > SIZE_MAX / sizeof *p) return TWIN_E_NOMEM;
    p = twin__realloc(&q->alloc, q->res, q->capres * sizeof *p, cap * sizeof *p);
    if (!p) return TWIN_E_NOMEM;
    q->res = p;
    q->capres = cap;
    return TWIN_OK;
}

/* ---- options ----------------------------------------------------------- */

static int valid_dir(int32_t d)
{
    return d >= TWIN_DIRECTION_OUTGOING && d <= TWIN_DIRECTION_BOTH;
}

static int unit(double x)
{
    return x >= 0.0 && x <= 1.0;  /* false for NaN */
}

static twin_status read_options(run *rn, const twin_impact_options *opts)
{
    twin_impact *q = rn->q;
    twin_impact_options *o = &rn->o;
    twin_impact_options_init(o);
    if (opts && twin__sized_in(o, sizeof *o, opts) != TWIN_OK)
        return fail(q, twin__sized_check(opts, sizeof *o), "options size %u unknown",
                    (unsigned)opts->size);
    if (!valid_dir(o->direction))
        return fail(q, TWIN_E_INVAL, "direction %d unknown", (int)o->direction);
    if (o->nfollow && !o->follow) return fail(q, TWIN_E_INVAL, "follow is NULL");
    if (o->nfollow == 0) o->follow = NULL;  /* every name */
    for (size_t i = 0; i < o->nfollow; i++) {
        if (!o->follow[i].name)
            return fail(q, TWIN_E_INVAL, "follow[%lu].name is NULL", (unsigned long)i);
        if (o->follow[i].direction && !valid_dir(o->follow[i].direction))
            return fail(q, TWIN_E_INVAL, "follow[%lu].direction %d unknown",
                        (unsigned long)i, (int)o->follow[i].direction);
    }
    if (o->rule < TWIN_IMPACT_WEAKEST_LINK || o->rule > TWIN_IMPACT_CUSTOM)
        return fail(q, TWIN_E_INVAL, "rule %d unknown", (int)o->rule);
    if (o->rule == TWIN_IMPACT_CUSTOM && !o->rule_fn)
        return fail(q, TWIN_E_INVAL, "custom rule without rule_fn");
    if (!unit(o->root_health)) return fail(q, TWIN_E_INVAL, "root_health is not in [0, 1]");
    if (!unit(o->attenuation)) return fail(q, TWIN_E_INVAL, "attenuation is not in [0, 1]");
    return TWIN_OK;
}

/* Per-name direction masks from the follow list. */
static twin_status prepare_masks(run *rn)
{
    twin_impact *q = rn->q;
    const twin__adjacency *a = rn->a;
    uint32_t n = twin__adj_name_slots(a);
    if (!rn->o.follow) {
        rn->all = (uint8_t)rn->o.direction;
        return TWIN_OK;
    }
    rn->all = 0;
    if (n > q->nmask) {
        uint8_t *p = twin__realloc(&q->alloc, q->mask, q->nmask, n);
        if (!p) return TWIN_E_NOMEM;
        q->mask = p;
        q->nmask = n;
    }
    memset(q->mask, 0, q->nmask);
    for (size_t i = 0; i < rn->o.nfollow; i++) {
        const twin_impact_follow *f = &rn->o.follow[i];
        uint32_t k = twin__intern_find(a->names, a->pool, f->name, strlen(f->name));
        if (k != TWIN__NONE)
            q->mask[k] |= (uint8_t)(f->direction ? f->direction : rn->o.direction);
    }
    return TWIN_OK;
}

/* ---- traversal --------------------------------------------------------- */

static void fill_hit(const twin_impact *q, size_t i, twin_impact_hit *h)
{
    const twin__adjacency *a = &q->adj;
    const hit_rec *r = &q->res[i];
    h->depth = r->depth;
    h->twin_id = twin__adj_id(a, r->twin);
    h->model_id = twin__adj_model(a, r->twin);
    h->score = r->score;
    if (r->via == TWIN__NONE) {
        h->parent_id = h->via_id = h->via_name = h->via_source_id = NULL;
        h->parent_index = UINT64_MAX;
        return;
    }
    {
        const twin__rel *rel = twin__adj_rel(a, r->via);
        h->parent_id = twin__adj_id(a, q->res[r->parent].twin);
        h->via_id = twin__adj_str(a, rel->id);
        h->via_name = twin__adj_name(a, rel->name);
        h->via_source_id = twin__adj_id(a, rel->src);
        h->parent_index = r->parent;
    }
}

enum { GO_ON = 0, STOP = 1 };

/* Report record i (records are reported in index order, so i + 1 twins
 * have been reported with it); GO_ON, STOP, or a negative status. */
static int report(run *rn, size_t i)
{
    twin_impact_hit h;
    int stop = rn->o.max_results && i + 1 >= rn->o.max_results ? STOP : GO_ON;
    if (!rn->visit) return stop;
    memset(&h, 0, sizeof h);
    h.size = sizeof h;
    fill_hit(rn->q, i, &h);
    if (rn->visit(rn->ud, &h)) stop = STOP;
    if (*rn->a->gen != rn->gen) return TWIN_E_MODIFIED;
    return stop;
}

static double own_health(run *rn, uint32_t t)
{
    double h;
    if (!rn->o.health) return 1.0;
    h = rn->o.health(rn->o.health_ud, twin__adj_id(rn->a, t));
    return unit(h) ? h : 1.0;
}

/* The score of a twin of health `own` reached from a parent scoring `parent`. */
static double propagate(run *rn, double parent, double own, uint32_t name, uint32_t depth)
{
    double s;
    switch (rn->o.rule) {
    case TWIN_IMPACT_ATTENUATE:
        s = 1.0 - rn->o.attenuation * (1.0 - parent);
        return s < own ? s : own;
    case TWIN_IMPACT_CUSTOM:
        s = rn->o.rule_fn(rn->o.rule_ud, parent, own,
                          twin__adj_name(rn->a, name), depth);
        if (!(s >= 0.0)) return 0.0;  /* NaN and negatives */
        return s > 1.0 ? 1.0 : s;
    default:
        return parent < own ? parent : own;
    }
}

/* Reach twin t, not yet stamped, from record `from` through relationship
 * rel; GO_ON, STOP or a negative status. */
static int reach(run *rn, uint32_t from, uint32_t t, uint32_t rel, uint32_t name)
{
    twin_impact *q = rn->q;
    const twin_graph *g = rn->g;
    const twin__adjacency *a = rn->a;
    hit_rec *r;
    uint32_t depth = q->res[from].depth + 1;
    double score;

    q->stamp[t] = q->epoch;
    if (rn->o.filter) {
        int keep = rn->o.filter(rn->o.filter_ud, g, twin__adj_id(a, t),
                                twin__adj_model(a, t), depth);
        if (*a->gen != rn->gen) return TWIN_E_MODIFIED;
        if (!keep) return GO_ON;
    }
    /* Each callback may write to the graph: check before going on. */
    score = own_health(rn, t);
    if (*a->gen != rn->gen) return TWIN_E_MODIFIED;
    score = propagate(rn, q->res[from].score, score, name, depth);
    if (*a->gen != rn->gen) return TWIN_E_MODIFIED;
    if (q->nres == q->capres && grow_results(q) != TWIN_OK) return TWIN_E_NOMEM;
    r = &q->res[q->nres++];
    r->twin = t;
    r->via = rel;
    r->parent = from;
    r->depth = depth;
    r->score = score;
    return report(rn, q->nres - 1);
}

static int wanted(const run *rn, uint32_t name, int dir)
{
    uint8_t m = rn->o.follow ? rn->q->mask[name] : rn->all;
    return (m & dir) != 0;
}

/* Expand record i over direction d of the compact adjacency when nothing
 * but the score needs computing: the loop every large traversal spends its
 * time in. */
static int expand_csr_simple(run *rn, const twin__csr *c, uint32_t i, int d)
{
    twin_impact *q = rn->q;
    const uint32_t *to = c->to[d], *rels = c->rel[d];
    uint32_t *stamp = q->stamp, epoch = q->epoch, u = q->res[i].twin;
    uint32_t e = c->off[d][u], end = c->off[d][u + 1], depth = q->res[i].depth + 1;
    double score = q->res[i].score;
    if (rn->o.rule == TWIN_IMPACT_ATTENUATE) score = 1.0 - rn->o.attenuation * (1.0 - score);
    for (; e < end; e++) {
        uint32_t v = to[e];
        hit_rec *r;
        if (stamp[v] == epoch) continue;
        stamp[v] = epoch;
        if (q->nres == q->capres && grow_results(q) != TWIN_OK) return TWIN_E_NOMEM;
        r = &q->res[q->nres++];
        r->twin = v;
        r->via = rels[e];
        r->parent = i;
        r->depth = depth;
        r->score = score;
    }
    return GO_ON;
}

/* Expand record i over the compact adjacency. */
static int expand_csr(run *rn, const twin__csr *c, uint32_t i)
{
    uint32_t u = rn->q->res[i].twin;
    for (int d = 0; d < 2; d++) {
        int dir = d ? TWIN_DIRECTION_INCOMING : TWIN_DIRECTION_OUTGOING;
        const uint32_t *to = c->to[d], *names = c->name[d];
        if (!(rn->all & dir) && !rn->o.follow) continue;
        if (rn->simple) {
            int st = expand_csr_simple(rn, c, i, d);
            if (st != GO_ON) return st;
            continue;
        }
        for (uint32_t e = c->off[d][u]; e < c->off[d][u + 1]; e++) {
            int st;
            if (rn->q->stamp[to[e]] == rn->q->epoch || !wanted(rn, names[e], dir)) continue;
            if ((st = reach(rn, i, to[e], c->rel[d][e], names[e])) != GO_ON) return st;
        }
    }
    return GO_ON;
}

/* Gather the live relationships of a list (newest first) into q->list;
 * returns how many, or UINT32_MAX when the scratch space cannot grow. */
static uint32_t gather(twin_impact *q, uint32_t r, int d)
{
    const twin__adjacency *a = &q->adj;
    uint32_t n = 0;
    for (; r != TWIN__NONE; r = d ? twin__adj_rel(a, r)->next_in : twin__adj_rel(a, r)->next_out) {
        if (twin__adj_rel(a, r)->name == TWIN__DEAD) continue;
        if (n == q->nlist) {
            uint32_t cap = q->nlist ? q->nlist * 2 : 64;
            uint32_t *p = twin__realloc(&q->alloc, q->list, (size_t)q->nlist * sizeof *p,
                                        (size_t)cap * sizeof *p);
            if (!p) return UINT32_MAX;
            q->list = p;
            q->nlist = cap;
        }
        q->list[n++] = r;
    }
    return n;
}

/* Expand record i over the relationship lists, oldest first like the
 * compact adjacency. */
static int expand_lists(run *rn, uint32_t i)
{
    const twin__adjacency *a = rn->a;
    twin_impact *q = rn->q;
    uint32_t u = q->res[i].twin;
    for (int d = 0; d < 2; d++) {
        int dir = d ? TWIN_DIRECTION_INCOMING : TWIN_DIRECTION_OUTGOING;
        uint32_t n;
        if (!(rn->all & dir) && !rn->o.follow) continue;
        n = gather(q, d ? twin__adj_twin(a, u)->in : twin__adj_twin(a, u)->out, d);
        if (n == UINT32_MAX) return TWIN_E_NOMEM;
        while (n--) {
            uint32_t r = q->list[n];
            const twin__rel *rel = twin__adj_rel(a, r);
            uint32_t t = d ? rel->src : rel->dst;
            int st;
            if (q->stamp[t] != q->epoch && wanted(rn, rel->name, dir) &&
                (st = reach(rn, i, t, r, rel->name)) != GO_ON)
                return st;
        }
    }
    return GO_ON;
}

/* Resolve, de-duplicate and record the roots; nothing is reported yet. */
static twin_status add_roots(run *rn, const char *const *roots, size_t nroots)
{
    twin_impact *q = rn->q;
    for (size_t k = 0; k < nroots; k++) {
        uint32_t t;
        hit_rec *r;
        if (!roots[k]) return fail(q, TWIN_E_INVAL, "root %lu is NULL", (unsigned long)k);
        t = twin__find_twin(rn->g, roots[k], strlen(roots[k]));
        if (t == TWIN__NONE) return fail(q, TWIN_E_NOTFOUND, "root twin '%.128s' not found", roots[k]);
        if (q->stamp[t] == q->epoch) continue;
        q->stamp[t] = q->epoch;
        if (q->nres == q->capres && grow_results(q) != TWIN_OK)
            return fail(q, TWIN_E_NOMEM, "out of memory for results");
        r = &q->res[q->nres++];
        r->twin = t;
        r->via = r->parent = TWIN__NONE;
        r->depth = 0;
        r->score = rn->o.root_health;
    }
    return TWIN_OK;
}

static int traverse(run *rn, size_t nroots)
{
    twin_impact *q = rn->q;
    const twin__csr *c = *rn->a->csr;
    int st = GO_ON;
    /* Roots first: a stop among them keeps only those reported. */
    for (size_t i = 0; i < nroots; i++) {
        if ((st = report(rn, i)) != GO_ON) {
            q->nres = i + 1;
            return st;
        }
    }
    for (size_t i = 0; i < q->nres && st == GO_ON; i++) {
        if (q->res[i].depth >= rn->o.max_depth) continue;
        st = c ? expand_csr(rn, c, (uint32_t)i) : expand_lists(rn, (uint32_t)i);
    }
    return st;
}

twin_status twin_impact_run(twin_impact *q, const char *const *roots, size_t nroots,
                            const twin_impact_options *opts, twin_impact_visitor visit,
                            void *ud)
{
    run rn;
    twin_status s;
    int st;

    if (!q) return TWIN_E_INVAL;
    q->nres = 0;
    q->gen = *q->adj.gen;
    if (!roots || nroots == 0) return fail(q, TWIN_E_INVAL, "no roots");
    memset(&rn, 0, sizeof rn);
    rn.q = q;
    rn.g = q->g;
    rn.a = &q->adj;
    rn.gen = *q->adj.gen;
    rn.visit = visit;
    rn.ud = ud;
    if ((s = read_options(&rn, opts)) != TWIN_OK) return s;
    rn.simple = !rn.o.follow && !rn.o.filter && !rn.o.health && !visit && !rn.o.max_results &&
                rn.o.rule != TWIN_IMPACT_CUSTOM;
    if (prepare_stamps(q) != TWIN_OK || prepare_masks(&rn) != TWIN_OK)
        return fail(q, TWIN_E_NOMEM, "out of memory for traversal state");
    if ((s = add_roots(&rn, roots, nroots)) != TWIN_OK) {
        q->nres = 0;
        return s;
    }
    st = traverse(&rn, q->nres);
    if (st == TWIN_E_MODIFIED)
        return fail(q, TWIN_E_MODIFIED, "graph modified by a callback during the traversal");
    if (st == TWIN_E_NOMEM) {
        q->nres = 0;
        return fail(q, TWIN_E_NOMEM, "out of memory for results");
    }
    return TWIN_OK;
}

twin_status twin_impact_get(const twin_impact *q, size_t i, twin_impact_hit *out)
{
    twin_impact_hit h;
    twin_status s;
    if (!q || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    if (i >= q->nres) return TWIN_E_RANGE;
    if (*q->adj.gen != q->gen) return TWIN_E_MODIFIED;
    memset(&h, 0, sizeof h);
    h.size = sizeof h;
    fill_hit(q, i, &h);
    return twin__sized_out(out, &h, sizeof h);
}
