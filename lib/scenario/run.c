/* Scenarios: running forward (Monte Carlo over the health models'
 * posteriors, constant failure rates and failures set by hand, propagated
 * through the system structure), the results and their comparison. */
#include "scenario/detmath.h"
#include "scenario/scenario_int.h"

#include "core/alloc.h"
#include "core/sized.h"
#include "util/hash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0

struct twin_scenario_result {
    twin_allocator alloc;
    uint32_t n, runs;
    uint64_t seed, hseed;
    double horizon, step, q_lower, q_upper;
    const char **ids;           /* n */
    double *ft;                 /* n * runs: failure times, twin-major */
    twin_scenario_outcome *out; /* n */
    twin__index idx;            /* hash(id) -> twin */
    twin__region region;
};

twin_status twin_scenario_run_options_init_(twin_scenario_run_options *o, size_t size)
{
    twin_scenario_run_options d;
    memset(&d, 0, sizeof d);
    d.size = (uint32_t)sizeof d;
    d.runs = 1000;
    d.seed = 1;
    d.horizon_s = 365 * DAY;
    d.step_s = DAY;
    d.q_lower = 0.05;
    d.q_upper = 0.95;
    return twin__sized_init(o, size, &d, sizeof d);
}

/* ---- the model of a run --------------------------------------------------- */

typedef struct sim_sig {
    uint32_t node;
    int32_t sign;        /* +1: fails rising to c; -1: falling to c */
    uint64_t key;
    double c;            /* threshold in model space */
    double ml, mb;       /* mean level now and rate (factor applied) */
    double l11, l21, l22; /* Cholesky factor of (level, rate) */
    double factor;       /* on the drawn rate */
    double sq0, sq1;     /* sqrt(process noise * step) */
    int never;           /* the level cannot be reached */
} sim_sig;

typedef struct sim_node {
    const char *id;      /* in the result's region */
    const sc_rec *rec;   /* NULL: a live twin without a record */
    uint64_t key;
    double fail_at, rate;
    uint32_t in0, nin;   /* inputs: in[in0 .. in0 + nin) */
    uint32_t k;          /* inputs needed up */
} sim_node;

typedef struct sim {
    twin_scenario *sc;
    twin_scenario_result *res;
    const twin_scenario_run_options *o;
    sim_node *nodes;
    uint32_t n, cap;
    uint32_t *edges;     /* pairs (dependent, input) while building */
    uint32_t nedges, capedges;
    uint32_t *in;        /* inputs by dependent */
    uint32_t *order;     /* dependency order */
    sim_sig *sigs;
    uint32_t nsigs;
} sim;

static void *grow(const twin_allocator *a, void *p, uint32_t *cap, uint32_t need, size_t elem)
{
    uint32_t nc;
    void *q;
    if (need <= *cap) return p;
    nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    q = twin__realloc(a, p, (size_t)*cap * elem, (size_t)nc * elem);
    if (q) *cap = nc;
    return q;
}

static int node_eq(const void *ctx, uint32_t idx, const void *key)
{
    const twin_scenario_result *r = ctx;
    return strcmp(r->ids[idx], key) == 0;
}

static uint32_t node_find(const twin_scenario_result *r, const char *id)
{
    uint32_t pos = twin__index_find(&r->idx, twin__hash32(twin__hash(r->hseed, id, strlen(id))),
                                    node_eq, r, id);
    return pos == TWIN__NONE ? TWIN__NONE : twin__index_at(&r->idx, pos);
}

static twin_status add_node(void *ud, const char *id, const sc_rec *rec)
{
    sim *m = ud;
    twin_scenario_result *r = m->res;
    sim_node *nd;
    const char **ids;
    if (m->n == UINT32_MAX - 1) return TWIN_E_RANGE;
    if (!(nd = grow(&r->alloc, m->nodes, &m->cap, m->n + 1, sizeof *nd))) return TWIN_E_NOMEM;
    m->nodes = nd;
    if (twin__index_reserve(&r->idx, &r->alloc, 1) != TWIN_OK) return TWIN_E_NOMEM;
    nd = &m->nodes[m->n];
    memset(nd, 0, sizeof *nd);
    if (!(nd->id = twin__region_strdup(&r->region, &r->alloc, id, strlen(id)))) return TWIN_E_NOMEM;
    /* Last: r->ids holds exactly r->n entries once the walk ends, even when
       it ends here (the result is freed with that size). */
    ids = twin__realloc(&r->alloc, (void *)r->ids, (size_t)m->n * sizeof *ids,
                        (size_t)(m->n + 1) * sizeof *ids);
    if (!ids) return TWIN_E_NOMEM;
    r->ids = ids;
    nd->rec = rec;
    nd->key = twin__det_key(id, NULL);
    nd->fail_at = rec ? rec->fail_at : INFINITY;
    nd->rate = rec ? rec->rate : 0;
    r->ids[m->n] = nd->id;
    twin__index_insert(&r->idx, twin__hash32(twin__hash(r->hseed, id, strlen(id))), m->n);
    m->n++;
    return TWIN_OK;
}

typedef struct edge_walk {
    sim *m;
    uint32_t node;
} edge_walk;

static twin_status add_edge(sim *m, uint32_t dependent, uint32_t input)
{
    uint32_t *e = grow(&m->res->alloc, m->edges, &m->capedges, m->nedges * 2 + 2, sizeof *e);
    if (!e) return TWIN_E_NOMEM;
    m->edges = e;
    e[m->nedges * 2] = dependent;
    e[m->nedges * 2 + 1] = input;
    m->nedges++;
    return TWIN_OK;
}

static twin_status visit_dep(void *ud, const char *src, const sc_rel *rel)
{
    edge_walk *w = ud;
    sim *m = w->m;
    uint32_t t;
    (void)src;
    for (const char *const *d = m->o->depends; *d; d++) {
        size_t n = strlen(*d);
        int in = n > 3 && strcmp(*d + n - 3, ":in") == 0;
        if (in) n -= 3;
        if (strlen(rel->name) != n || memcmp(rel->name, *d, n) != 0) continue;
        if ((t = node_find(m->res, rel->target)) == TWIN__NONE) continue;
        /* outgoing: the source depends on the target; ":in": the reverse */
        return in ? add_edge(m, t, w->node) : add_edge(m, w->node, t);
    }
    return TWIN_OK;
}

static int cmp_edge(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* A property as a double, in the scenario (base 0) or as of the fork. */
static int prop_double(twin_scenario *sc, const char *id, const char *name, int base, double *out)
{
    const twin_value *v = NULL;
    const sc_rec *r = NULL;
    if (base) {
        twin__sc_record(sc, id, 1, &r);  /* frozen record or a live copy */
    } else {
        r = twin__sc_layered(sc, id, 0);  /* else live */
        if (!r && twin_graph_get_property(sc->fam->g, id, name, &v) != TWIN_OK) return 0;
    }
    if (r) {
        for (uint32_t i = 0; r->model && i < r->nprops; i++)
            if (strcmp(r->props[i].name, name) == 0) v = &r->props[i].value;
    }
    if (!v) return 0;
    if (v->type == TWIN_VALUE_DOUBLE) *out = v->as.d;
    else if (v->type == TWIN_VALUE_INT) *out = (double)v->as.i;
    else return 0;
    return 1;
}

typedef struct via_walk {
    const char *via;
    const char *target;
} via_walk;

static twin_status find_via(void *ud, const char *src, const sc_rel *rel)
{
    via_walk *w = ud;
    (void)src;
    if (strcmp(rel->name, w->via) != 0) return TWIN_OK;
    w->target = rel->target;
    return TWIN_DONE;
}

/* The stress law's variable on twin id (or the twin it is related to by
 * via), in the scenario or at the fork; the rated value when missing. */
static double stress_var(twin_scenario *sc, const twin_scenario_stress *st, const char *id,
                         int base)
{
    double x;
    if (prop_double(sc, id, st->property, base, &x)) return x;
    if (st->via) {
        const sc_rec *r = NULL;
        via_walk w;
        w.via = st->via;
        w.target = NULL;
        if (base) {
            twin__sc_record(sc, id, 1, &r);
            if (r && r->model) twin__sc_each_out(sc, id, r, find_via, &w);
        } else {
            r = twin__sc_layered(sc, id, 0);
            if (!r || r->model) twin__sc_each_out(sc, id, r, find_via, &w);
        }
        if (w.target && prop_double(sc, w.target, st->property, base, &x)) return x;
    }
    return st->rated;
}

static double stress_law(const twin_scenario_stress *st, double x)
{
    if (st->law == TWIN_STRESS_POWER) {
        /* (x / rated)^k as exp(k log(x / rated)), reproducibly */
        if (!(x > 0)) return 0;
        return twin__det_exp(st->exponent * twin__det_log(x / st->rated));
    }
    /* Arrhenius: exp(-Ea/kB / T), relative to the reference temperature */
    if (!(x > 0)) return 0;
    return twin__det_exp(st->exponent * (1.0 / st->rated - 1.0 / x));
}

/* The health setting param of family signal sig in sc's chain, or NaN. */
static double hset_of(const twin_scenario *sc, uint32_t sig, int32_t param)
{
    for (const twin_scenario *p = sc; p; p = p->parent)
        for (uint32_t i = 0; i < p->nhset; i++)
            if (p->hset[i].sig == sig && p->hset[i].param == param) return p->hset[i].value;
    return NAN;
}

static twin_status build_signals(sim *m)
{
    twin_scenario *sc = m->sc;
    sc_family *f = sc->fam;
    const twin_scenario_run_options *o = m->o;
    m->sigs = twin__alloc(&m->res->alloc, (f->nsigs ? f->nsigs : 1) * sizeof *m->sigs);
    if (!m->sigs) return TWIN_E_NOMEM;
    for (uint32_t i = 0; i < f->nsigs; i++) {
        const sc_sig *s = &f->sigs[i];
        twin_health_stats st;
        double mean[2], cov[4], t, vl, cl, vb, level, fl, rate;
        sim_sig *q;
        uint32_t node = node_find(m->res, s->twin);
        if (node == TWIN__NONE) continue;           /* the twin is not in the scenario */
        if (twin_health_get_posterior(&s->h, mean, cov, NULL) != TWIN_OK) continue; /* user model */
        st.size = sizeof st;
        if (twin_health_get_stats(&s->h, &st, NULL) != TWIN_OK) continue;
        q = &m->sigs[m->nsigs];
        memset(q, 0, sizeof *q);
        q->node = node;
        q->key = twin__det_key(s->twin, s->name);
        t = (double)(f->now_us - st.t0_us) / 1e6;
        level = mean[0] + mean[1] * t;
        vl = cov[0] + 2 * t * cov[1] + t * t * cov[3];
        cl = cov[1] + t * cov[3];
        vb = cov[3];
        fl = hset_of(sc, i, TWIN_SCENARIO_FAILURE_LEVEL);
        if (fl != fl) fl = st.failure_level;
        q->sign = fl >= st.baseline ? 1 : -1;
        if (s->o.model == TWIN_HEALTH_EXPONENTIAL) {
            if (fl - s->o.phi > 0)
                q->c = twin__det_log(fl - s->o.phi);
            else
                q->never = 1;
        } else {
            q->c = fl - s->o.phi;
        }
        rate = hset_of(sc, i, TWIN_SCENARIO_RATE);
        q->ml = level;
        q->mb = rate == rate ? rate : mean[1];
        q->l11 = vl > 0 ? sqrt(vl) : 0;
        q->l21 = q->l11 > 0 ? cl / q->l11 : 0;
        q->l22 = vb - q->l21 * q->l21 > 0 ? sqrt(vb - q->l21 * q->l21) : 0;
        q->factor = 1.0;
        {
            double rf = hset_of(sc, i, TWIN_SCENARIO_RATE_FACTOR);
            if (rf == rf) q->factor = rf;
        }
        for (uint32_t k = 0; k < o->nstress; k++) {
            const twin_scenario_stress *law = &o->stress[k];
            double x1, x0, l0;
            if (strcmp(law->signal, s->name) != 0) continue;
            x1 = stress_var(sc, law, s->twin, 0);
            x0 = stress_var(sc, law, s->twin, 1);
            l0 = stress_law(law, x0);
            q->factor *= l0 > 0 ? stress_law(law, x1) / l0 : 1.0;
        }
        q->sq0 = sqrt(s->o.process_noise[0] * o->step_s);
        q->sq1 = sqrt(s->o.process_noise[1] * o->step_s);
        m->nsigs++;
    }
    return TWIN_OK;
}

static twin_status check_options(twin_scenario *sc, const twin_scenario_run_options *o)
{
    if (!(o->runs >= 1)) return twin__sc_fail(sc, TWIN_E_INVAL, "runs must be >= 1");
    if (!(o->horizon_s > 0) || !isfinite(o->horizon_s))
        return twin__sc_fail(sc, TWIN_E_INVAL, "the horizon must be finite and > 0");
    if (!(o->step_s > 0) || !(o->step_s <= o->horizon_s))
        return twin__sc_fail(sc, TWIN_E_INVAL, "the step must be in (0, horizon]");
    if (o->horizon_s / o->step_s > 1e8)
        return twin__sc_fail(sc, TWIN_E_RANGE, "more than 1e8 steps in the horizon");
    if (!(o->q_lower > 0 && o->q_lower <= 0.5) || !(o->q_upper >= 0.5 && o->q_upper < 1))
        return twin__sc_fail(sc, TWIN_E_INVAL, "quantiles must be in (0, 0.5] and [0.5, 1)");
    if (o->nstress && !o->stress)
        return twin__sc_fail(sc, TWIN_E_INVAL, "stress is NULL with nstress > 0");
    for (uint32_t i = 0; i < o->nstress; i++) {
        const twin_scenario_stress *st = &o->stress[i];
        if (!st->signal || !st->property)
            return twin__sc_fail(sc, TWIN_E_INVAL, "stress law %u: signal or property is NULL",
                                 (unsigned)i);
        if (st->law != TWIN_STRESS_POWER && st->law != TWIN_STRESS_ARRHENIUS)
            return twin__sc_fail(sc, TWIN_E_INVAL, "stress law %u: unknown law %d", (unsigned)i,
                                 (int)st->law);
        if (!(st->rated > 0) || !isfinite(st->rated))
            return twin__sc_fail(sc, TWIN_E_INVAL,
                                 "stress law %u: the rated value must be finite and > 0",
                                 (unsigned)i);
        if (!(st->exponent > 0) || !isfinite(st->exponent))
            return twin__sc_fail(sc, TWIN_E_INVAL,
                                 "stress law %u: the exponent must be finite and > 0",
                                 (unsigned)i);
    }
    return TWIN_OK;
}

/* Inputs by dependent (sorted, without repeats), k per twin, and an order
 * in which inputs come before what depends on them. */
static twin_status build_structure(sim *m)
{
    twin_scenario_result *r = m->res;
    uint32_t *deg, *queue, head = 0, tail = 0, w = 0;
    if (m->nedges) qsort(m->edges, m->nedges, 2 * sizeof *m->edges, cmp_edge);
    for (uint32_t i = 0; i < m->nedges; i++) {
        uint32_t *e = &m->edges[2 * i];
        if (w && e[0] == m->edges[2 * (w - 1)] && e[1] == m->edges[2 * (w - 1) + 1]) continue;
        m->edges[2 * w] = e[0];
        m->edges[2 * w + 1] = e[1];
        w++;
    }
    m->nedges = w;
    m->in = twin__alloc(&r->alloc, (w ? w : 1) * sizeof *m->in);
    m->order = twin__alloc(&r->alloc, (m->n ? m->n : 1) * sizeof *m->order);
    deg = twin__alloc(&r->alloc, (m->n ? m->n : 1) * sizeof *deg);
    if (!m->in || !m->order || !deg) {
        twin__free(&r->alloc, deg, (m->n ? m->n : 1) * sizeof *deg);
        return TWIN_E_NOMEM;
    }
    for (uint32_t i = 0; i < w; i++) {
        sim_node *nd = &m->nodes[m->edges[2 * i]];
        if (!nd->nin) nd->in0 = i;
        nd->nin++;
        m->in[i] = m->edges[2 * i + 1];
    }
    /* Kahn's algorithm over input -> dependent; deg counts unresolved inputs */
    for (uint32_t i = 0; i < m->n; i++) {
        deg[i] = m->nodes[i].nin;
        if (!deg[i]) m->order[tail++] = i;
    }
    queue = m->order;
    /* dependents of each input: scan the edge list by input (small graphs
       of a plant; O(E) per pass through a reverse index) */
    {
        uint32_t *rstart = twin__alloc(&r->alloc, ((size_t)m->n + 1) * sizeof *rstart);
        uint32_t *rdep = twin__alloc(&r->alloc, (w ? w : 1) * sizeof *rdep);
        if (!rstart || !rdep) {
            twin__free(&r->alloc, rstart, ((size_t)m->n + 1) * sizeof *rstart);
            twin__free(&r->alloc, rdep, (w ? w : 1) * sizeof *rdep);
            twin__free(&r->alloc, deg, (m->n ? m->n : 1) * sizeof *deg);
            return TWIN_E_NOMEM;
        }
        memset(rstart, 0, ((size_t)m->n + 1) * sizeof *rstart);
        for (uint32_t i = 0; i < w; i++) rstart[m->edges[2 * i + 1] + 1]++;
        for (uint32_t i = 0; i < m->n; i++) rstart[i + 1] += rstart[i];
        for (uint32_t i = 0; i < w; i++) {
            uint32_t in = m->edges[2 * i + 1];
            rdep[rstart[in]++] = m->edges[2 * i];
        }
        for (uint32_t i = m->n; i > 0; i--) rstart[i] = rstart[i - 1];
        rstart[0] = 0;
        while (head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t j = rstart[u]; j < rstart[u + 1]; j++)
                if (--deg[rdep[j]] == 0) queue[tail++] = rdep[j];
        }
        twin__free(&r->alloc, rstart, ((size_t)m->n + 1) * sizeof *rstart);
        twin__free(&r->alloc, rdep, (w ? w : 1) * sizeof *rdep);
    }
    if (tail < m->n) {
        uint32_t i;
        for (i = 0; i < m->n && !deg[i]; i++) {}
        /* i waits on a cycle or on what waits on one: every twin left has
           an input left, so walking back n inputs lands on the cycle */
        for (uint32_t step = 0; step < m->n; step++) {
            const sim_node *nd = &m->nodes[i];
            for (uint32_t j = 0; j < nd->nin; j++)
                if (deg[m->in[nd->in0 + j]]) {
                    i = m->in[nd->in0 + j];
                    break;
                }
        }
        twin__free(&r->alloc, deg, (m->n ? m->n : 1) * sizeof *deg);
        return twin__sc_fail(m->sc, TWIN_E_CONSTRAINT,
                             "the dependencies have a cycle through twin '%.128s'",
                             m->nodes[i].id);
    }
    twin__free(&r->alloc, deg, (m->n ? m->n : 1) * sizeof *deg);
    /* k per twin */
    for (uint32_t i = 0; i < m->n; i++) {
        sim_node *nd = &m->nodes[i];
        double k;
        nd->k = nd->nin;
        if (!m->o->k_property || !nd->nin) continue;
        if (!prop_double(m->sc, nd->id, m->o->k_property, 0, &k)) continue;
        if (!(k >= 1 && k <= nd->nin) || k != (double)(uint32_t)k) {
            /* the message formatter has no %g: whole numbers as integers */
            if (k == floor(k) && fabs(k) < 9e18)
                return twin__sc_fail(m->sc, TWIN_E_RANGE,
                                     "twin '%.128s': %s = %lld is not in 1..%u (its inputs)",
                                     nd->id, m->o->k_property, (long long)k,
                                     (unsigned)nd->nin);
            return twin__sc_fail(m->sc, TWIN_E_RANGE,
                                 "twin '%.128s': %s is not an integer in 1..%u (its inputs)",
                                 nd->id, m->o->k_property, (unsigned)nd->nin);
        }
        nd->k = (uint32_t)k;
    }
    return TWIN_OK;
}

/* ---- the runs ------------------------------------------------------------ */

static double sig_time(const sim_sig *q, const twin_scenario_run_options *o, uint64_t run,
                       uint32_t nsteps)
{
    twin__rng g;
    double z1, z2, l, b, d;
    if (q->never) return INFINITY;
    twin__rng_init(&g, o->seed, run, q->key);
    twin__rng_normal2(&g, &z1, &z2);
    l = q->ml + q->l11 * z1;
    b = (q->mb + q->l21 * z1 + q->l22 * z2) * q->factor;
    d = q->sign * (q->c - l);
    if (d <= 0) return 0;
    if (q->sq0 == 0 && q->sq1 == 0) {
        double sb = q->sign * b;
        return sb > 0 ? d / sb : INFINITY;
    }
    for (uint32_t k = 1; k <= nsteps; k++) {
        twin__rng_normal2(&g, &z1, &z2);
        l += b * o->step_s + q->sq0 * z1;
        b += q->sq1 * z2 * q->factor;
        if (q->sign * (l - q->c) >= 0) return k * o->step_s;
    }
    return INFINITY;
}

/* Onto the step grid: the end of the step it falls in; INFINITY beyond
 * the horizon. */
static double on_grid(double t, double step, double horizon)
{
    double q;
    if (!(t <= horizon)) return INFINITY;
    if (t <= 0) return 0;
    q = ceil(t / step) * step;
    return q < horizon ? q : horizon;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct cb_item {
    double t;
    uint32_t i;
} cb_item;

static int cmp_item(const void *a, const void *b)
{
    const cb_item *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static twin_status simulate(sim *m)
{
    twin_scenario_result *r = m->res;
    const twin_scenario_run_options *o = m->o;
    uint32_t nsteps = (uint32_t)ceil(o->horizon_s / o->step_s), maxin = 1;
    double *cur = twin__alloc(&r->alloc, (m->n ? m->n : 1) * sizeof *cur);
    double *own = twin__alloc(&r->alloc, (m->n ? m->n : 1) * sizeof *own);
    double *scratch;
    cb_item *items;
    uint8_t *up;
    const char **names;
    for (uint32_t i = 0; i < m->n; i++)
        if (m->nodes[i].nin > maxin) maxin = m->nodes[i].nin;
    scratch = twin__alloc(&r->alloc, maxin * sizeof *scratch);
    items = twin__alloc(&r->alloc, maxin * sizeof *items);
    up = twin__alloc(&r->alloc, maxin);
    names = twin__alloc(&r->alloc, maxin * sizeof *names);
    if (!cur || !own || !scratch || !items || !up || !names) {
        twin__free(&r->alloc, (void *)names, maxin * sizeof *names);
        twin__free(&r->alloc, cur, (m->n ? m->n : 1) * sizeof *cur);
        twin__free(&r->alloc, own, (m->n ? m->n : 1) * sizeof *own);
        twin__free(&r->alloc, scratch, maxin * sizeof *scratch);
        twin__free(&r->alloc, items, maxin * sizeof *items);
        twin__free(&r->alloc, up, maxin);
        return TWIN_E_NOMEM;
    }
    for (uint32_t run = 0; run < o->runs; run++) {
        for (uint32_t i = 0; i < m->n; i++) {
            const sim_node *nd = &m->nodes[i];
            double t = nd->fail_at;
            if (nd->rate > 0) {
                twin__rng g;
                double e;
                twin__rng_init(&g, o->seed, run, nd->key ^ 0x72617465u);
                e = -twin__det_log(twin__rng_uniform(&g)) / nd->rate;
                if (e < t) t = e;
            }
            own[i] = t;
        }
        for (uint32_t j = 0; j < m->nsigs; j++) {
            double t = sig_time(&m->sigs[j], o, run, nsteps);
            if (t < own[m->sigs[j].node]) own[m->sigs[j].node] = t;
        }
        for (uint32_t oi = 0; oi < m->n; oi++) {
            uint32_t i = m->order[oi];
            const sim_node *nd = &m->nodes[i];
            double t = on_grid(own[i], o->step_s, o->horizon_s);
            if (nd->nin) {
                double st = INFINITY;
                const uint32_t *in = &m->in[nd->in0];
                if (o->structure) {
                    for (uint32_t j = 0; j < nd->nin; j++) {
                        items[j].t = cur[in[j]];
                        items[j].i = j;
                        up[j] = 1;
                        names[j] = m->nodes[in[j]].id;
                    }
                    qsort(items, nd->nin, sizeof *items, cmp_item);
                    if (!o->structure(o->structure_ud, nd->id, names, up, nd->nin)) {
                        st = 0;
                    } else {
                        for (uint32_t j = 0; j < nd->nin && items[j].t < INFINITY; j++) {
                            up[items[j].i] = 0;
                            if (!o->structure(o->structure_ud, nd->id, names, up, nd->nin)) {
                                st = items[j].t;
                                break;
                            }
                        }
                    }
                } else {
                    /* down once n - k + 1 inputs are down */
                    uint32_t need = nd->nin - nd->k + 1;
                    if (need == 1) {
                        for (uint32_t j = 0; j < nd->nin; j++)
                            if (cur[in[j]] < st) st = cur[in[j]];
                    } else {
                        for (uint32_t j = 0; j < nd->nin; j++) scratch[j] = cur[in[j]];
                        qsort(scratch, nd->nin, sizeof *scratch, cmp_double);
                        st = scratch[need - 1];
                    }
                }
                if (st < t) t = st;
            }
            cur[i] = t;
            r->ft[(size_t)i * o->runs + run] = t;
        }
    }
    twin__free(&r->alloc, cur, (m->n ? m->n : 1) * sizeof *cur);
    twin__free(&r->alloc, own, (m->n ? m->n : 1) * sizeof *own);
    twin__free(&r->alloc, scratch, maxin * sizeof *scratch);
    twin__free(&r->alloc, items, maxin * sizeof *items);
    twin__free(&r->alloc, up, maxin);
    twin__free(&r->alloc, (void *)names, maxin * sizeof *names);
    return TWIN_OK;
}

/* Index of the nearest-rank quantile q of n values. */
static uint32_t rank_of(uint32_t n, double q)
{
    double k = ceil(q * n);
    uint32_t i = k < 1 ? 0 : (uint32_t)k - 1;
    return i < n ? i : n - 1;
}

/* Reorder x[lo..hi] so that x[k] is the value it would have sorted, with
 * none larger before it and none smaller after it (Hoare's selection,
 * median-of-three pivots): O(n) on average, where sorting is O(n log n). */
static void select_kth(double *x, int64_t lo, int64_t hi, int64_t k)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        double p, t;
#define SC_SWAP(a, b) (t = x[a], x[a] = x[b], x[b] = t)
        if (x[mid] < x[lo]) SC_SWAP(mid, lo);
        if (x[hi] < x[lo]) SC_SWAP(hi, lo);
        if (x[hi] < x[mid]) SC_SWAP(hi, mid);
        p = x[mid];
        /* x[lo] <= p <= x[hi]: the scans stop inside [lo, hi] */
        while (i <= j) {
            while (x[i] < p) i++;
            while (x[j] > p) j--;
            if (i <= j) {
                SC_SWAP(i, j);
                i++;
                j--;
            }
        }
#undef SC_SWAP
        /* x[lo..j] <= p, x[j+1..i-1] == p, x[i..hi] >= p */
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

/* The nearest-rank quantiles of a twin's times: every time is on the step
 * grid or INFINITY (on_grid), so only the nf finite ones, in x[0..nf), are
 * ordered, and by selection rather than sorting (most twins of a plant
 * never fail, and a few order statistics are all that is asked). */
static void quantiles(twin_scenario_outcome *out, double *x, uint32_t nf, uint32_t runs,
                      double q_lower, double q_upper)
{
    uint32_t im = rank_of(runs, 0.5), il = rank_of(runs, q_lower), iu = rank_of(runs, q_upper);
    /* il <= im <= iu; after selecting im, the others are on its sides */
    if (im < nf) {
        select_kth(x, 0, (int64_t)nf - 1, im);
        if (il < im) select_kth(x, 0, (int64_t)im - 1, il);
        if (iu < nf && iu > im) select_kth(x, (int64_t)im + 1, (int64_t)nf - 1, iu);
    } else if (il < nf) {
        select_kth(x, 0, (int64_t)nf - 1, il);
    }
    out->ttf_median = im < nf ? x[im] : INFINITY;
    out->ttf_lower = il < nf ? x[il] : INFINITY;
    out->ttf_upper = iu < nf ? x[iu] : INFINITY;
}

static twin_status summarise(sim *m)
{
    twin_scenario_result *r = m->res;
    double *tmp = twin__alloc(&r->alloc, (size_t)r->runs * sizeof *tmp);
    if (!tmp) return TWIN_E_NOMEM;
    for (uint32_t i = 0; i < r->n; i++) {
        twin_scenario_outcome *out = &r->out[i];
        const double *ft = &r->ft[(size_t)i * r->runs];
        uint32_t fails = 0;
        double up = 0;
        for (uint32_t k = 0; k < r->runs; k++) {
            if (ft[k] < INFINITY) tmp[fails++] = ft[k];
            up += ft[k] < r->horizon ? ft[k] : r->horizon;
        }
        memset(out, 0, sizeof *out);
        out->size = sizeof *out;
        out->runs = r->runs;
        out->twin_id = r->ids[i];
        out->p_fail = (double)fails / r->runs;
        quantiles(out, tmp, fails, r->runs, r->q_lower, r->q_upper);
        out->availability = up / r->runs / r->horizon;
        out->downtime_s = r->horizon - up / r->runs;
        out->inputs = m->nodes[i].nin;
        out->k = m->o->structure ? 0 : m->nodes[i].k;
    }
    twin__free(&r->alloc, tmp, (size_t)r->runs * sizeof *tmp);
    return TWIN_OK;
}

static size_t ft_bytes(const twin_scenario_result *r)
{
    size_t n = (size_t)r->n * r->runs;
    return (n ? n : 1) * sizeof *r->ft;
}

static void sim_free(sim *m)
{
    const twin_allocator *a = &m->res->alloc;
    twin__free(a, m->nodes, (size_t)m->cap * sizeof *m->nodes);
    twin__free(a, m->edges, (size_t)m->capedges * sizeof *m->edges);
    twin__free(a, m->in, (m->nedges ? m->nedges : 1) * sizeof *m->in);
    twin__free(a, m->order, (m->n ? m->n : 1) * sizeof *m->order);
    twin__free(a, m->sigs, (m->sc->fam->nsigs ? m->sc->fam->nsigs : 1) * sizeof *m->sigs);
}

twin_status twin_scenario_run(twin_scenario *sc, const twin_scenario_run_options *opts,
                              twin_scenario_result **out)
{
    twin_scenario_run_options o;
    twin_scenario_result *r;
    sim m;
    twin_status s;
    static const char *const no_depends[] = {NULL};
    if (!sc) return TWIN_E_INVAL;
    if (!out) return twin__sc_fail(sc, TWIN_E_INVAL, "out is NULL");
    *out = NULL;
    twin_scenario_run_options_init(&o);
    if ((s = twin__sized_in(&o, sizeof o, opts)) != TWIN_OK)
        return twin__sc_fail(sc, s, s == TWIN_E_ABI ? "options are larger than this library knows"
                                                    : "options size is too small");
    if (!o.depends) o.depends = no_depends;
    if ((s = check_options(sc, &o)) != TWIN_OK) return s;
    if (!(r = twin__alloc(&sc->fam->alloc, sizeof *r)))
        return twin__sc_fail(sc, TWIN_E_NOMEM, "out of memory running a scenario");
    memset(r, 0, sizeof *r);
    r->alloc = sc->fam->alloc;
    r->runs = o.runs;
    r->seed = o.seed;
    r->hseed = twin__mix64((uint64_t)(uintptr_t)r);
    r->horizon = o.horizon_s;
    r->step = o.step_s;
    r->q_lower = o.q_lower;
    r->q_upper = o.q_upper;
    twin__region_init(&r->region, 16384);
    memset(&m, 0, sizeof m);
    m.sc = sc;
    m.res = r;
    m.o = &o;
    /* Build the run's model under the family's lock, then run without it. */
    if ((s = twin__sc_enter(sc, 0)) != TWIN_OK) {
        twin_scenario_result_destroy(r);
        return s;
    }
    s = twin__sc_each_twin(sc, add_node, &m);
    for (uint32_t i = 0; s == TWIN_OK && o.depends[0] && i < m.n; i++) {
        edge_walk w;
        w.m = &m;
        w.node = i;
        s = twin__sc_each_out(sc, m.nodes[i].id, m.nodes[i].rec, visit_dep, &w);
    }
    if (s == TWIN_OK) s = build_signals(&m);
    r->n = m.n;
    if (s == TWIN_OK) s = build_structure(&m);
    twin__sc_leave(sc);
    if (s == TWIN_OK && r->n && (size_t)r->n > SIZE_MAX / sizeof(double) / r->runs)
        s = TWIN_E_RANGE;
    if (s == TWIN_OK) {
        r->ft = twin__alloc(&r->alloc, ft_bytes(r));
        r->out = twin__alloc(&r->alloc, (r->n ? r->n : 1) * sizeof *r->out);
        if (!r->ft || !r->out) s = TWIN_E_NOMEM;
    }
    if (s == TWIN_OK) s = simulate(&m);
    if (s == TWIN_OK) s = summarise(&m);
    sim_free(&m);
    if (s != TWIN_OK) {
        twin_scenario_result_destroy(r);
        if (s == TWIN_E_CONSTRAINT || sc->err.status == s) return s;
        return twin__sc_fail(sc, s, s == TWIN_E_NOMEM ? "out of memory running a scenario"
                                                      : "running a scenario: %s",
                             twin_strerror(s));
    }
    *out = r;
    return TWIN_OK;
}

void twin_scenario_result_destroy(twin_scenario_result *r)
{
    twin_allocator a;
    if (!r) return;
    a = r->alloc;
    twin__free(&a, r->ft, ft_bytes(r));
    twin__free(&a, r->out, (r->n ? r->n : 1) * sizeof *r->out);
    twin__free(&a, (void *)r->ids, (size_t)r->n * sizeof *r->ids);
    twin__index_fini(&r->idx, &a);
    twin__region_fini(&r->region, &a);
    twin__free(&a, r, sizeof *r);
}

size_t twin_scenario_result_count(const twin_scenario_result *r)
{
    return r ? r->n : 0;
}

twin_status twin_scenario_result_get(const twin_scenario_result *r, size_t i, const char *twin_id,
                                     twin_scenario_outcome *out)
{
    twin_status s;
    if (!r) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    if (twin_id) i = node_find(r, twin_id);
    if (i >= r->n) return TWIN_E_NOTFOUND;
    return twin__sized_out(out, &r->out[i], sizeof r->out[i]);
}

twin_status twin_scenario_result_times(const twin_scenario_result *r, const char *twin_id,
                                       const double **times, size_t *n)
{
    uint32_t i;
    if (!r || !twin_id || !times || !n) return TWIN_E_INVAL;
    if ((i = node_find(r, twin_id)) == TWIN__NONE) return TWIN_E_NOTFOUND;
    *times = &r->ft[(size_t)i * r->runs];
    *n = r->runs;
    return TWIN_OK;
}

twin_status twin_scenario_compare(const twin_scenario_result *a, const twin_scenario_result *b,
                                  const char *twin_id, twin_scenario_diff *out)
{
    twin_scenario_diff d;
    twin_status s;
    uint32_t ia, ib, n;
    double sp = 0, sp2 = 0, sd = 0, sd2 = 0, h, tmp;
    const double *fa, *fb;
    if (!a || !b || !twin_id) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    if (a->seed != b->seed || a->runs != b->runs || a->horizon != b->horizon ||
        a->step != b->step)
        return TWIN_E_INVAL;
    if ((ia = node_find(a, twin_id)) == TWIN__NONE || (ib = node_find(b, twin_id)) == TWIN__NONE)
        return TWIN_E_NOTFOUND;
    n = a->runs;
    h = a->horizon;
    fa = &a->ft[(size_t)ia * n];
    fb = &b->ft[(size_t)ib * n];
    for (uint32_t k = 0; k < n; k++) {
        double p = (double)(fb[k] < INFINITY) - (double)(fa[k] < INFINITY);
        double dd = ((fb[k] < h ? h - fb[k] : 0)) - ((fa[k] < h ? h - fa[k] : 0));
        sp += p;
        sp2 += p * p;
        sd += dd;
        sd2 += dd * dd;
    }
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.runs = n;
    d.p_fail = sp / n;
    d.downtime_s = sd / n;
    tmp = n > 1 ? 1.96 * sqrt(fmax(sp2 / n - d.p_fail * d.p_fail, 0) * n / (n - 1) / n) : 0;
    d.p_fail_lo = d.p_fail - tmp;
    d.p_fail_hi = d.p_fail + tmp;
    tmp = n > 1 ? 1.96 * sqrt(fmax(sd2 / n - d.downtime_s * d.downtime_s, 0) * n / (n - 1) / n)
                : 0;
    d.downtime_lo = d.downtime_s - tmp;
    d.downtime_hi = d.downtime_s + tmp;
    d.ttf_median_a = a->out[ia].ttf_median;
    d.ttf_median_b = b->out[ib].ttf_median;
    return twin__sized_out(out, &d, sizeof d);
}
