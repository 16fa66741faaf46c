/* Recording runs and a breadth-first oracle for the impact tests; see
 * impact_check.h. */
#include "impact_check.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCORE_TOL 1e-12

static char *dup_str(const char *s)
{
    char *d;
    if (!s) return NULL;
    d = malloc(strlen(s) + 1);
    if (!d) ck_abort_msg("impact_check: out of memory");
    return strcpy(d, s);
}

static void hit_copy(ihit *d, const twin_impact_hit *s)
{
    d->depth = s->depth;
    d->twin = dup_str(s->twin_id);
    d->model = dup_str(s->model_id);
    d->parent = dup_str(s->parent_id);
    d->via = dup_str(s->via_id);
    d->via_name = dup_str(s->via_name);
    d->via_source = dup_str(s->via_source_id);
    d->score = s->score;
    d->parent_index = s->parent_index;
}

static void hit_free(ihit *h)
{
    free(h->twin);
    free(h->model);
    free(h->parent);
    free(h->via);
    free(h->via_name);
    free(h->via_source);
}

void iresult_free(iresult *r)
{
    size_t i;
    for (i = 0; i < r->n; i++) hit_free(&r->h[i]);
    free(r->h);
    memset(r, 0, sizeof *r);
}

static int str_same(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

static int hit_equal(const ihit *a, const ihit *b, char *why, size_t cap)
{
    const char *f = NULL;
    if (a->depth != b->depth) f = "depth";
    else if (!str_same(a->twin, b->twin)) f = "twin_id";
    else if (!str_same(a->model, b->model)) f = "model_id";
    else if (!str_same(a->parent, b->parent)) f = "parent_id";
    else if (!str_same(a->via, b->via)) f = "via_id";
    else if (!str_same(a->via_name, b->via_name)) f = "via_name";
    else if (!str_same(a->via_source, b->via_source)) f = "via_source_id";
    else if (memcmp(&a->score, &b->score, sizeof a->score) != 0) f = "score";
    else if (a->parent_index != b->parent_index) f = "parent_index";
    if (!f) return 1;
    snprintf(why, cap, "%s differs: %s:%u<%s via %s/%s score %.17g pi %llu vs "
             "%s:%u<%s via %s/%s score %.17g pi %llu", f, show(a->twin), a->depth,
             show(a->parent), show(a->via_source), show(a->via), a->score,
             (unsigned long long)a->parent_index, show(b->twin), b->depth, show(b->parent),
             show(b->via_source), show(b->via), b->score,
             (unsigned long long)b->parent_index);
    return 0;
}

int iresult_equal(const iresult *a, const iresult *b, char *why, size_t cap)
{
    size_t i;
    char sub[600];
    if (a->st != b->st) {
        snprintf(why, cap, "status %d vs %d", a->st, b->st);
        return 0;
    }
    if (a->n != b->n) {
        snprintf(why, cap, "%zu hits vs %zu", a->n, b->n);
        return 0;
    }
    for (i = 0; i < a->n; i++) {
        if (!hit_equal(&a->h[i], &b->h[i], sub, sizeof sub)) {
            snprintf(why, cap, "hit %zu: %s", i, sub);
            return 0;
        }
    }
    return 1;
}

/* ---- recording run -------------------------------------------------------- */

typedef struct recorder {
    ihit *h;
    size_t n, cap, stop_after;
} recorder;

static int record_visit(void *ud, const twin_impact_hit *hit)
{
    recorder *r = ud;
    if (!hit) ck_abort_msg("visitor called with NULL");
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->h = realloc(r->h, r->cap * sizeof *r->h);
        if (!r->h) ck_abort_msg("impact_check: out of memory");
    }
    hit_copy(&r->h[r->n++], hit);
    return r->stop_after && r->n == r->stop_after;
}

void irun(twin_impact *q, const char *const *roots, size_t nroots,
          const twin_impact_options *o, size_t stop_after, iresult *out)
{
    recorder rec;
    twin_impact_hit hit;
    char why[700];
    size_t i;
    memset(&rec, 0, sizeof rec);
    memset(out, 0, sizeof *out);
    rec.stop_after = stop_after;
    out->st = twin_impact_run(q, roots, nroots, o, record_visit, &rec);
    out->visits = rec.n;
    if (out->st != TWIN_E_MODIFIED) {
        out->n = twin_impact_count(q);
        out->h = out->n ? calloc(out->n, sizeof *out->h) : NULL;
        for (i = 0; i < out->n; i++) {
            twin_status st;
            memset(&hit, 0, sizeof hit);
            hit.size = sizeof hit;
            st = twin_impact_get(q, i, &hit);
            if (st != TWIN_OK) ck_abort_msg("twin_impact_get(%zu) of %zu = %d", i, out->n, st);
            hit_copy(&out->h[i], &hit);
        }
    }
    if (out->st == TWIN_OK) {
        hit.size = sizeof hit;
        ck_assert_int_eq(twin_impact_get(q, out->n, &hit), TWIN_E_RANGE);
        ck_assert_msg(rec.n == out->n, "visitor saw %zu hits, twin_impact_count() is %zu",
                      rec.n, out->n);
        for (i = 0; i < rec.n; i++)
            if (!hit_equal(&rec.h[i], &out->h[i], why, sizeof why))
                ck_abort_msg("visitor and twin_impact_get() differ at %zu: %s", i, why);
    }
    if (out->st == TWIN_E_INVAL || out->st == TWIN_E_ABI || out->st == TWIN_E_NOTFOUND)
        ck_assert_msg(rec.n == 0, "status %d but %zu twins visited", out->st, rec.n);
    if (out->st == TWIN_E_NOTFOUND || out->st == TWIN_E_NOMEM)
        ck_assert_msg(out->n == 0, "status %d but %zu results kept", out->st, out->n);
    for (i = 0; i < rec.n; i++) hit_free(&rec.h[i]);
    free(rec.h);
}

const ihit *ihit_find(const iresult *r, const char *twin)
{
    size_t i;
    for (i = 0; i < r->n; i++)
        if (str_same(r->h[i].twin, twin)) return &r->h[i];
    return NULL;
}

char *iresult_str(const iresult *r)
{
    size_t i, cap = 64, len = 0;
    char *s = malloc(cap);
    if (!s) ck_abort_msg("impact_check: out of memory");
    s[0] = '\0';
    for (i = 0; i < r->n; i++) {
        size_t need = strlen(show(r->h[i].twin)) + strlen(show(r->h[i].parent)) + 32;
        while (len + need >= cap) {
            cap *= 2;
            s = realloc(s, cap);
            if (!s) ck_abort_msg("impact_check: out of memory");
        }
        len += (size_t)sprintf(s + len, i ? " %s:%u" : "%s:%u", show(r->h[i].twin),
                               r->h[i].depth);
        if (r->h[i].parent) len += (size_t)sprintf(s + len, "<%s", r->h[i].parent);
    }
    return s;
}

/* ---- oracle ------------------------------------------------------------------ */

typedef struct onode {
    char *id, *model;
    long dist;     /* -1: not reached */
    int rejected;  /* pruned by the filter */
    int seen;      /* reported by the run */
} onode;

typedef struct oracle {
    onode *v;
    size_t n, cap;   /* nodes; table capacity (power of two) */
    size_t *tab;     /* index + 1; 0: empty */
} oracle;

static size_t str_hash(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    while (*s) h = (h ^ (unsigned char)*s++) * UINT64_C(1099511628211);
    return (size_t)h;
}

static long oracle_find(const oracle *o, const char *id)
{
    size_t i = str_hash(id) & (o->cap - 1);
    while (o->tab[i]) {
        if (strcmp(o->v[o->tab[i] - 1].id, id) == 0) return (long)(o->tab[i] - 1);
        i = (i + 1) & (o->cap - 1);
    }
    return -1;
}

static void oracle_build(oracle *o, const twin_graph *g)
{
    twin_cursor c;
    const char *id, *model;
    size_t n = twin_graph_twin_count(g);
    memset(o, 0, sizeof *o);
    o->v = calloc(n + 1, sizeof *o->v);
    for (o->cap = 16; o->cap < 2 * n + 2; o->cap *= 2) continue;
    o->tab = calloc(o->cap, sizeof *o->tab);
    if (!o->v || !o->tab) ck_abort_msg("impact_check: out of memory");
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    while (twin_graph_twins_next(g, &c, &id, &model) == TWIN_OK) {
        size_t i = str_hash(id) & (o->cap - 1);
        if (o->n >= n) ck_abort_msg("oracle: more twins than twin_graph_twin_count()");
        o->v[o->n].id = dup_str(id);
        o->v[o->n].model = dup_str(model);
        o->v[o->n].dist = -1;
        while (o->tab[i]) i = (i + 1) & (o->cap - 1);
        o->tab[i] = ++o->n;
    }
    ck_assert_uint_eq(o->n, n);
}

static void oracle_free(oracle *o)
{
    size_t i;
    for (i = 0; i < o->n; i++) {
        free(o->v[i].id);
        free(o->v[i].model);
    }
    free(o->v);
    free(o->tab);
}

static int dir_of(const twin_impact_options *o, size_t k)
{
    return o->follow[k].direction ? o->follow[k].direction : o->direction;
}

/* Breadth-first distances from the roots; returns the distinct roots. */
static void oracle_bfs(oracle *or, const twin_graph *g, const char *const *roots,
                       size_t nroots, const twin_impact_options *o, size_t *qu, size_t *m)
{
    size_t head = 0, tail = 0, i, k, npairs = o->follow ? o->nfollow : 1;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    for (i = 0; i < nroots; i++) {
        long v = oracle_find(or, roots[i]);
        if (v < 0) ck_abort_msg("oracle: root %s is not a twin", roots[i]);
        if (or->v[v].dist < 0) {
            or->v[v].dist = 0;
            qu[tail++] = (size_t)v;
        }
    }
    *m = tail;
    while (head < tail) {
        onode *u = &or->v[qu[head++]];
        if ((uint64_t)u->dist >= o->max_depth) continue;
        for (k = 0; k < npairs; k++) {
            int dir = o->follow ? dir_of(o, k) : o->direction;
            twin_cursor c;
            if (twin_graph_relationships_begin(g, &c, u->id, (twin_direction)dir,
                                               o->follow ? o->follow[k].name : NULL) != TWIN_OK)
                ck_abort_msg("oracle: relationships_begin(%s) failed", u->id);
            while (twin_graph_relationships_next(g, &c, &r) == TWIN_OK) {
                const char *other = strcmp(r.source_id, u->id) == 0 ? r.target_id : r.source_id;
                long v = oracle_find(or, other);
                onode *w;
                if (v < 0) ck_abort_msg("oracle: %s is not a twin", other);
                w = &or->v[v];
                if (w->dist >= 0 || w->rejected) continue;
                if (o->filter && !o->filter(o->filter_ud, g, w->id, w->model,
                                            (uint32_t)(u->dist + 1))) {
                    w->rejected = 1;
                    continue;
                }
                w->dist = u->dist + 1;
                qu[tail++] = (size_t)v;
            }
        }
    }
}

static int follows(const twin_impact_options *o, const char *name, int dirbit)
{
    size_t k;
    if (!o->follow) return (o->direction & dirbit) != 0;
    for (k = 0; k < o->nfollow; k++)
        if (strcmp(o->follow[k].name, name) == 0 && (dir_of(o, k) & dirbit)) return 1;
    return 0;
}

static double own_health(const twin_impact_options *o, const char *id)
{
    double h;
    if (!o->health) return 1.0;
    h = o->health(o->health_ud, id);
    return (h >= 0.0 && h <= 1.0) ? h : 1.0;
}

/* The score the rule gives; NAN when any value in [0, 1] is right. */
static double expected_score(const twin_impact_options *o, double parent, const ihit *h)
{
    double own = own_health(o, h->twin), s;
    switch (o->rule) {
    case TWIN_IMPACT_WEAKEST_LINK: return parent < own ? parent : own;
    case TWIN_IMPACT_ATTENUATE:
        s = 1.0 - o->attenuation * (1.0 - parent);
        return s < own ? s : own;
    default:
        s = o->rule_fn(o->rule_ud, parent, own, h->via_name, h->depth);
        return isnan(s) ? NAN : s < 0.0 ? 0.0 : s > 1.0 ? 1.0 : s;
    }
}

#define FAIL(...) do { snprintf(why, cap, __VA_ARGS__); return 0; } while (0)

static int check_root(const ihit *h, const char *root, const twin_impact_options *o,
                      size_t i, char *why, size_t cap)
{
    if (!str_same(h->twin, root)) FAIL("hit %zu is %s, expected root %s", i, show(h->twin), root);
    if (h->depth != 0 || h->parent || h->via || h->via_name || h->via_source ||
        h->parent_index != UINT64_MAX)
        FAIL("root %s: depth %u, parent %s, via %s/%s/%s, parent_index %llu", root, h->depth,
             show(h->parent), show(h->via_source), show(h->via), show(h->via_name),
             (unsigned long long)h->parent_index);
    if (h->score != o->root_health)
        FAIL("root %s scores %.17g, root_health is %.17g", root, h->score, o->root_health);
    return 1;
}

static int check_link(const twin_graph *g, const iresult *r, size_t i,
                      const twin_impact_options *o, char *why, size_t cap)
{
    const ihit *h = &r->h[i], *p;
    twin_relationship rel = TWIN_RELATIONSHIP_INIT;
    double want;
    if (h->parent_index >= i) FAIL("%s: parent_index %llu not below its index %zu",
                                   h->twin, (unsigned long long)h->parent_index, i);
    p = &r->h[h->parent_index];
    if (!str_same(p->twin, h->parent))
        FAIL("%s: parent_id %s but parent_index points at %s", h->twin, show(h->parent),
             p->twin);
    if (h->depth != p->depth + 1) FAIL("%s: depth %u, parent %s at %u", h->twin, h->depth,
                                       p->twin, p->depth);
    if (!h->via || !h->via_name || !h->via_source ||
        twin_graph_find_relationship(g, h->via_source, h->via, &rel) != TWIN_OK)
        FAIL("%s: via %s/%s is not a relationship", h->twin, show(h->via_source), show(h->via));
    if (strcmp(rel.name, h->via_name) != 0)
        FAIL("%s: via %s/%s is named %s, via_name %s", h->twin, h->via_source, h->via,
             rel.name, h->via_name);
    if (!((strcmp(rel.source_id, p->twin) == 0 && strcmp(rel.target_id, h->twin) == 0 &&
           follows(o, rel.name, TWIN_DIRECTION_OUTGOING)) ||
          (strcmp(rel.source_id, h->twin) == 0 && strcmp(rel.target_id, p->twin) == 0 &&
           follows(o, rel.name, TWIN_DIRECTION_INCOMING))))
        FAIL("%s: via %s/%s (%s -%s-> %s) does not lead from parent %s as followed",
             h->twin, h->via_source, h->via, rel.source_id, rel.name, rel.target_id, p->twin);
    if (!(h->score >= 0.0 && h->score <= 1.0)) FAIL("%s: score %.17g", h->twin, h->score);
    want = expected_score(o, p->score, h);
    if (!isnan(want) && fabs(h->score - want) > SCORE_TOL)
        FAIL("%s: score %.17g, expected %.17g from parent %s (%.17g)", h->twin, h->score, want,
             p->twin, p->score);
    return 1;
}

static int check_hits(const twin_graph *g, const char *const *roots, size_t nroots,
                      const twin_impact_options *o, const iresult *r, int partial,
                      oracle *or, char *why, size_t cap)
{
    size_t i, m, total = 0, limit, *qu = malloc((or->n + 1) * sizeof *qu);
    uint32_t last;
    if (!qu) ck_abort_msg("impact_check: out of memory");
    oracle_bfs(or, g, roots, nroots, o, qu, &m);
    for (i = 0; i < m && i < r->n; i++)
        if (!check_root(&r->h[i], or->v[qu[i]].id, o, i, why, cap)) return free(qu), 0;
    free(qu);
    for (i = 0; i < r->n; i++) {
        const ihit *h = &r->h[i];
        long v = h->twin ? oracle_find(or, h->twin) : -1;
        if (v < 0) FAIL("hit %zu: %s is not a twin", i, show(h->twin));
        if (or->v[v].seen) FAIL("%s reported twice", h->twin);
        or->v[v].seen = 1;
        if (or->v[v].dist < 0) FAIL("%s reported but not reachable within the limits", h->twin);
        if ((long)h->depth != or->v[v].dist)
            FAIL("%s at depth %u, shortest distance %ld", h->twin, h->depth, or->v[v].dist);
        if (!str_same(h->model, or->v[v].model))
            FAIL("%s: model %s, graph says %s", h->twin, show(h->model), or->v[v].model);
        if (i && h->depth < r->h[i - 1].depth) FAIL("%s at depth %u after depth %u", h->twin,
                                                     h->depth, r->h[i - 1].depth);
        if (i >= m && !check_link(g, r, i, o, why, cap)) return 0;
    }
    for (i = 0; i < or->n; i++) total += or->v[i].dist >= 0;
    limit = (o->max_results && o->max_results < total) ? o->max_results : total;
    if (partial ? r->n > limit : r->n != limit)
        FAIL("%zu twins reported, %zu reachable, max_results %u", r->n, total, o->max_results);
    last = r->n ? r->h[r->n - 1].depth : 0;
    for (i = 0; i < or->n; i++)
        if (or->v[i].dist >= 0 && (or->v[i].dist < (long)last || r->n == total) &&
            !or->v[i].seen)
            FAIL("%s (distance %ld) not reported", or->v[i].id, or->v[i].dist);
    return 1;
}

int ioracle_check(const twin_graph *g, const char *const *roots, size_t nroots,
                  const twin_impact_options *o, const iresult *r, int partial, char *why,
                  size_t cap)
{
    twin_impact_options d;
    oracle or;
    int ok;
    if (!o) {
        ck_assert_int_eq(twin_impact_options_init(&d), TWIN_OK);
        o = &d;
    }
    if (r->st != TWIN_OK) FAIL("run returned %d, expected TWIN_OK", r->st);
    oracle_build(&or, g);
    ok = check_hits(g, roots, nroots, o, r, partial, &or, why, cap);
    oracle_free(&or);
    return ok;
}
