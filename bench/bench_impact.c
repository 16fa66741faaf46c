/* Impact analysis benchmark: downstream closures and a whole-graph traversal
 * on the synthetic factory graph (bench/factory.h: N twins, default
 * 1,000,000, about 3 relationships per twin), by libtwin and, on the same
 * edges, by a plain C CSR traversal (the floor), igraph (when meson found
 * it) and networkx (bench/impact_networkx.py, run with Debian's
 * /usr/bin/python3 and its python3-networkx, else python3 from PATH, or
 * $TWIN_BENCH_PYTHON).
 *
 * Queries, all warm, following every relationship name outgoing:
 *   closure  from each of 100 fixed machines; one sample is the 100
 *            closures in a row, reported per closure;
 *   full     from the site (twin 0), reaching every twin.
 * Every engine must reach the same number of twins as the floor from every
 * root (libtwin: the same twins, each at its breadth-first depth), or the
 * benchmark fails.
 *
 * The C engines are timed round-robin, one sample of each in turn (each
 * after an untimed warm-up run of its own), so that a slow spell of the
 * machine falls on all of them alike; the figures are medians. networkx
 * runs in its own process (before, not interleaved), as does the timing of
 * libtwin before twin_graph_optimize().
 *
 * Usage: bench_impact [TWINS]   (default 1000000; e.g. 20000 for a smoke run) */
#include <twin/twin.h>

#include "bench_py.h"
#include "bench_util.h"
#include "factory.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_IGRAPH
#include <igraph.h>
#endif

#ifndef IMPACT_NETWORKX_PY
#define IMPACT_NETWORKX_PY "bench/impact_networkx.py"
#endif

enum {
    CLOSURE_RUNS = 15,  /* samples of 100 closures (C engines) */
    FULL_RUNS = 9,      /* samples of the full traversal (C engines) */
    RAW_FULL_RUNS = 5,  /* libtwin before twin_graph_optimize() */
    NX_CLOSURE_RUNS = 5,
    NX_FULL_RUNS = 3,
    MAX_SAMPLES = 16,
    MAX_ENGINES = 8
};

#define NR FACTORY_NROOTS

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bench_impact: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Median and fastest of n samples, in milliseconds. */
typedef struct timing {
    double med, min;
} timing;

static timing summarize(double *v, int n)
{
    timing t;
    t.med = bench_median(v, n);
    t.min = v[0];
    return t;
}

/* An engine answers run(ctx, r): the number of twins reached (the root
 * included) from root r < NR, or from the site when r == NR. */
typedef struct engine {
    const char *name;
    uint32_t (*run)(void *ctx, int r);
    void *ctx;
    timing closure, full;
} engine;

static engine engines[MAX_ENGINES];
static int nengines;

static engine *add_engine(const char *name, uint32_t (*run)(void *, int), void *ctx)
{
    engine *e = &engines[nengines++];
    memset(e, 0, sizeof *e);
    e->name = name;
    e->run = run;
    e->ctx = ctx;
    return e;
}

/* Warm-up and check: every closure and the full traversal reach as many
 * twins as the floor's (want[NR] is the full count). */
static void check_engine(const char *name, uint32_t (*run)(void *, int), void *ctx,
                         const uint32_t *want)
{
    for (int r = 0; r <= NR; r++) {
        uint32_t got = run(ctx, r);
        if (got != want[r]) {
            if (r < NR)
                fail("%s: the closure from root %d reaches %u twins, the floor %u", name, r, got,
                     want[r]);
            fail("%s: the full traversal reaches %u twins, the floor %u", name, got, want[r]);
        }
    }
}

/* Time all engines round-robin: closure samples, then full samples. Each
 * sample follows an untimed run of the same queries by the same engine, so
 * that it finds the caches warm (the floor's arrays for the full traversal,
 * 24 MB with 1,000,000 twins, fit in this machine's L3) whatever engine ran
 * before. */
static void time_engines(void)
{
    static double cs[MAX_ENGINES][MAX_SAMPLES], fs[MAX_ENGINES][MAX_SAMPLES];
    volatile uint32_t sink = 0;
    double t;
    for (int k = 0; k < CLOSURE_RUNS; k++)
        for (int i = 0; i < nengines; i++) {
            for (int r = 0; r < NR; r++) sink += engines[i].run(engines[i].ctx, r);
            t = bench_now_s();
            for (int r = 0; r < NR; r++) sink += engines[i].run(engines[i].ctx, r);
            cs[i][k] = (bench_now_s() - t) * 1e3 / NR;
        }
    for (int k = 0; k < FULL_RUNS; k++)
        for (int i = 0; i < nengines; i++) {
            sink += engines[i].run(engines[i].ctx, NR);
            t = bench_now_s();
            sink += engines[i].run(engines[i].ctx, NR);
            fs[i][k] = (bench_now_s() - t) * 1e3;
        }
    for (int i = 0; i < nengines; i++) {
        engines[i].closure = summarize(cs[i], CLOSURE_RUNS);
        engines[i].full = summarize(fs[i], FULL_RUNS);
    }
    (void)sink;
}

/* ---- the floor: CSR over flat arrays, epoch-stamped visited marks ---- */

typedef struct csr {
    const factory *f;
    uint32_t n;
    uint32_t *off;   /* n + 1 */
    uint32_t *tgt;   /* m */
    uint32_t *stamp; /* n: epoch of the last query that reached the twin */
    uint32_t *queue; /* n */
    uint32_t epoch;
} csr;

static void csr_build(csr *c, const factory *f)
{
    c->f = f;
    c->n = f->n;
    c->off = calloc((size_t)f->n + 1, sizeof *c->off);
    c->tgt = malloc(f->m * sizeof *c->tgt);
    c->stamp = calloc(f->n, sizeof *c->stamp);
    c->queue = malloc((size_t)f->n * sizeof *c->queue);
    c->epoch = 0;
    if (!c->off || !c->tgt || !c->stamp || !c->queue) fail("out of memory");
    /* The edges are grouped by source in twin order: count, prefix, copy. */
    for (uint64_t e = 0; e < f->m; e++) {
        if (e && f->src[e] < f->src[e - 1]) fail("factory: edges not grouped by source");
        c->off[f->src[e] + 1]++;
    }
    for (uint32_t i = 0; i < f->n; i++) c->off[i + 1] += c->off[i];
    memcpy(c->tgt, f->dst, f->m * sizeof *c->tgt);
}

static void csr_free(csr *c)
{
    free(c->off);
    free(c->tgt);
    free(c->stamp);
    free(c->queue);
}

/* Breadth-first from root; returns the number of twins reached (root
 * included), in c->queue in breadth-first order, marked with c->epoch. */
static uint32_t csr_bfs(csr *c, uint32_t root)
{
    const uint32_t *off = c->off, *tgt = c->tgt;
    uint32_t *stamp = c->stamp, *queue = c->queue;
    uint32_t head = 0, tail = 0, epoch;

    if (++c->epoch == 0) { /* wrapped: the only time the marks are cleared */
        memset(c->stamp, 0, (size_t)c->n * sizeof *c->stamp);
        c->epoch = 1;
    }
    epoch = c->epoch;
    stamp[root] = epoch;
    queue[tail++] = root;
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t e = off[v], end = off[v + 1]; e < end; e++) {
            uint32_t w = tgt[e];
            if (stamp[w] != epoch) {
                stamp[w] = epoch;
                queue[tail++] = w;
            }
        }
    }
    return tail;
}

static uint32_t floor_run(void *ctx, int r)
{
    csr *c = ctx;
    return csr_bfs(c, r < NR ? c->f->roots[r] : 0);
}

/* Breadth-first depths from root into dist (UINT32_MAX: unreached); for
 * checking, not timed. */
static void csr_depths(csr *c, uint32_t root, uint32_t *dist)
{
    uint32_t head = 0, tail = 0;
    memset(dist, 0xff, (size_t)c->n * sizeof *dist);
    dist[root] = 0;
    c->queue[tail++] = root;
    while (head < tail) {
        uint32_t v = c->queue[head++];
        for (uint32_t e = c->off[v]; e < c->off[v + 1]; e++) {
            uint32_t w = c->tgt[e];
            if (dist[w] == UINT32_MAX) {
                dist[w] = dist[v] + 1;
                c->queue[tail++] = w;
            }
        }
    }
}

/* ---- igraph ---- */

/* Two ways, the faster of which is reported for each query. igraph_bfs()
 * (order only) is not among them: it fills and returns vectors of n entries
 * per call, and measured 3.6 ms per closure and 350 ms per full traversal
 * here, against 0.11 and 105 ms for igraph_subcomponent(). */
#ifdef HAVE_IGRAPH
typedef enum { IG_SUBCOMPONENT, IG_BFS_SIMPLE, IG_NMETHODS } ig_method;
static const char *const ig_names[IG_NMETHODS] = {
    "igraph: igraph_subcomponent", "igraph: igraph_bfs_simple",
};

typedef struct ig_ctx {
    const factory *f;
    const igraph_t *g;
    igraph_vector_int_t res;
    ig_method how;
} ig_ctx;

static uint32_t ig_run(void *ctx, int r)
{
    ig_ctx *x = ctx;
    igraph_integer_t root = r < NR ? x->f->roots[r] : 0;
    igraph_error_t e;
    if (x->how == IG_SUBCOMPONENT)
        e = igraph_subcomponent(x->g, &x->res, root, IGRAPH_OUT);
    else
        e = igraph_bfs_simple(x->g, root, IGRAPH_OUT, &x->res, NULL, NULL);
    if (e != IGRAPH_SUCCESS) fail("%s failed (%d)", ig_names[x->how], (int)e);
    return (uint32_t)igraph_vector_int_size(&x->res);
}

static double ig_build(igraph_t *g, const factory *f)
{
    igraph_vector_int_t edges;
    double t = bench_now_s();
    if (igraph_vector_int_init(&edges, (igraph_integer_t)(2 * f->m)) != IGRAPH_SUCCESS)
        fail("igraph: out of memory");
    for (uint64_t e = 0; e < f->m; e++) {
        VECTOR(edges)[2 * e] = f->src[e];
        VECTOR(edges)[2 * e + 1] = f->dst[e];
    }
    if (igraph_create(g, &edges, f->n, IGRAPH_DIRECTED) != IGRAPH_SUCCESS)
        fail("igraph_create failed");
    t = bench_now_s() - t;
    igraph_vector_int_destroy(&edges);
    if (igraph_vcount(g) != f->n || (uint64_t)igraph_ecount(g) != f->m)
        fail("igraph: %lld twins, %lld edges", (long long)igraph_vcount(g),
             (long long)igraph_ecount(g));
    return t;
}
#endif

/* ---- networkx, in a child python process ---- */

typedef struct nx_figures {
    timing closure, full;
    double build_s;
    char version[64], python[256];
} nx_figures;

/* Returns 0 with the figures, or -1 (skipped; why is printed). */
static int run_networkx(const factory *f, const uint32_t *want, nx_figures *nx)
{
    const char *py, *script;
    char path[4096], cmd[8192 + 64], *line = NULL;
    size_t cap = 0;
    uint32_t hdr[4], *buf, counts[NR + 1];
    int have_counts = 0, have_full = 0, status;
    FILE *fp;

    fp = bench_py_open("networkx", "TWIN_BENCH_NETWORKX_PY", IMPACT_NETWORKX_PY, "bench_impact",
                       &py, &script, path, sizeof path);
    if (!fp) return -1;
    /* Format (native byte order): "TWE1", n, m, roots, root numbers, pairs. */
    memcpy(hdr, "TWE1", 4);
    hdr[1] = f->n;
    hdr[2] = (uint32_t)f->m;
    hdr[3] = NR;
    buf = malloc(2 * f->m * sizeof *buf);
    if (!buf) fail("out of memory");
    for (uint64_t e = 0; e < f->m; e++) {
        buf[2 * e] = f->src[e];
        buf[2 * e + 1] = f->dst[e];
    }
    if (fwrite(hdr, sizeof hdr, 1, fp) != 1 || fwrite(f->roots, sizeof f->roots, 1, fp) != 1 ||
        fwrite(buf, sizeof *buf, 2 * f->m, fp) != 2 * f->m || fclose(fp) != 0) {
        printf("networkx: skipped (writing %s: %s)\n", path, strerror(errno));
        free(buf);
        unlink(path);
        return -1;
    }
    free(buf);
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' %d %d", py, script, path, NX_CLOSURE_RUNS,
             NX_FULL_RUNS);
    fflush(stdout);
    fp = popen(cmd, "r");
    if (!fp) {
        printf("networkx: skipped (cannot run %s: %s)\n", py, strerror(errno));
        unlink(path);
        return -1;
    }
    memset(nx, 0, sizeof *nx);
    nx->closure.min = nx->full.min = -1;
    while (getline(&line, &cap, fp) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "networkx ", 9) == 0) {
            snprintf(nx->version, sizeof nx->version, "%s", line + 9);
        } else if (strncmp(line, "python ", 7) == 0) {
            snprintf(nx->python, sizeof nx->python, "%s", line + 7);
        } else if (sscanf(line, "build_s %lf", &nx->build_s) == 1 ||
                   sscanf(line, "closure_ms %lf %lf", &nx->closure.med, &nx->closure.min) == 2 ||
                   sscanf(line, "full_ms %lf %lf", &nx->full.med, &nx->full.min) == 2) {
            continue;
        } else if (sscanf(line, "full_count %u", &counts[NR]) == 1) {
            have_full = 1;
        } else if (strncmp(line, "closure_counts ", 15) == 0) {
            char *p = line + 15, *end;
            for (have_counts = 0; have_counts < NR; have_counts++) {
                unsigned long v = strtoul(p, &end, 10);
                if (end == p) break;
                counts[have_counts] = (uint32_t)v;
                p = end;
            }
        } else if (strncmp(line, "skipped", 7) == 0) {
            printf("networkx: %s\n", line);
        }
    }
    free(line);
    status = pclose(fp);
    unlink(path);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code == 127)
            printf("networkx: skipped (%s not found)\n", py);
        else if (code != 3) /* 3: the script said why */
            printf("networkx: skipped (%s exited with status %d)\n", py, code);
        return -1;
    }
    if (nx->closure.min < 0 || nx->full.min < 0 || have_counts != NR || !have_full)
        fail("networkx: incomplete output from %s", script);
    for (int r = 0; r <= NR; r++)
        if (counts[r] != want[r])
            fail("networkx: %s %d reaches %u twins, the floor %u",
                 r < NR ? "the closure from root" : "the full traversal", r, counts[r], want[r]);
    return 0;
}

/* ---- libtwin ---- */

static void tdie(twin_graph *g, const char *what)
{
    fail("libtwin: %s: %s", what, twin_graph_last_error(g)->message);
}

static void qdie(twin_impact *q, const char *what)
{
    fail("libtwin: %s: %s", what, twin_impact_last_error(q)->message);
}

/* "r" and the decimal index of the relationship among its source's. */
static void rel_name(char *buf, uint32_t k)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + k % 10);
        k /= 10;
    } while (k);
    *buf++ = 'r';
    while (n) *buf++ = tmp[--n];
    *buf = '\0';
}

static void lt_build(twin_graph *g, const factory *f, double *t_twins, double *t_rels)
{
    char a[24], b[24], rid[16];
    uint32_t k = 0;
    double t0 = bench_now_s(), t1;
    for (uint32_t i = 0; i < f->n; i++) {
        factory_twin_id(a, i);
        if (twin_graph_add_twin(g, a, factory_model(f, i), NULL, 0) != TWIN_OK)
            tdie(g, "add_twin");
    }
    t1 = bench_now_s();
    for (uint64_t e = 0; e < f->m; e++) {
        k = e && f->src[e] == f->src[e - 1] ? k + 1 : 0;
        factory_twin_id(a, f->src[e]);
        factory_twin_id(b, f->dst[e]);
        rel_name(rid, k);
        if (twin_graph_add_relationship(g, a, rid, factory_names[f->name[e]], b, NULL, 0) !=
            TWIN_OK)
            tdie(g, "add_relationship");
    }
    *t_twins = t1 - t0;
    *t_rels = bench_now_s() - t1;
}

typedef struct lt_ctx {
    twin_impact *q;
    const char *const *roots; /* NR machines, then the site */
    int counting;             /* 1: with a counting visitor */
} lt_ctx;

static int count_visit(void *ud, const twin_impact_hit *hit)
{
    (void)hit;
    ++*(size_t *)ud;
    return 0;
}

static uint32_t lt_run(void *ctx, int r)
{
    lt_ctx *x = ctx;
    size_t seen = 0;
    if (twin_impact_run(x->q, &x->roots[r], 1, NULL, x->counting ? count_visit : NULL, &seen) !=
        TWIN_OK)
        qdie(x->q, "twin_impact_run");
    if (x->counting && seen != twin_impact_count(x->q))
        fail("libtwin: the visitor saw %zu twins, twin_impact_count() says %zu", seen,
             twin_impact_count(x->q));
    return (uint32_t)twin_impact_count(x->q);
}

/* Check that the last run reached exactly the twins the floor reaches from
 * root, each once and at its breadth-first depth, roots first. */
static void lt_check(twin_impact *q, csr *c, uint32_t root, uint32_t *dist, const char *what)
{
    size_t n = twin_impact_count(q);
    uint32_t want, prev = 0;
    twin_impact_hit h;

    csr_depths(c, root, dist);
    want = csr_bfs(c, root); /* marks the twins it reaches with c->epoch */
    if (n != want) fail("libtwin %s: reaches %zu twins, the floor %u", what, n, want);
    for (size_t i = 0; i < n; i++) {
        uint32_t t;
        memset(&h, 0, sizeof h);
        h.size = sizeof h;
        if (twin_impact_get(q, i, &h) != TWIN_OK) qdie(q, "twin_impact_get");
        t = (uint32_t)strtoul(h.twin_id + 5, NULL, 10);
        if (t >= c->n || c->stamp[t] != c->epoch)
            fail("libtwin %s: reached %s, which the floor does not (or twice)", what, h.twin_id);
        c->stamp[t] = 0; /* a second report of t fails above */
        if (h.depth != dist[t])
            fail("libtwin %s: %s at depth %u, the floor %u", what, h.twin_id, h.depth, dist[t]);
        if (h.depth < prev) fail("libtwin %s: depth %u after %u", what, h.depth, prev);
        if ((i == 0) != (h.parent_id == NULL))
            fail("libtwin %s: hit %zu %s a parent", what, i, h.parent_id ? "has" : "lacks");
        prev = h.depth;
    }
}

/* The last run's hits as (twin number, parent index) pairs into out (2 per
 * hit), or, with cmp set, check that they equal out's. */
static void lt_order(twin_impact *q, uint32_t *out, int cmp, const char *what)
{
    size_t n = twin_impact_count(q);
    twin_impact_hit h;
    for (size_t i = 0; i < n; i++) {
        uint32_t t, p;
        memset(&h, 0, sizeof h);
        h.size = sizeof h;
        if (twin_impact_get(q, i, &h) != TWIN_OK) qdie(q, "twin_impact_get");
        t = (uint32_t)strtoul(h.twin_id + 5, NULL, 10);
        p = h.parent_index == UINT64_MAX ? UINT32_MAX : (uint32_t)h.parent_index;
        if (!cmp) {
            out[2 * i] = t;
            out[2 * i + 1] = p;
        } else if (out[2 * i] != t || out[2 * i + 1] != p) {
            fail("libtwin %s: hit %zu is twin %u (parent hit %u) after twin_graph_optimize(), "
                 "twin %u (parent hit %u) before",
                 what, i, t, p, out[2 * i], out[2 * i + 1]);
        }
    }
}

/* ---- main ---- */

static const char *verdict(int ok)
{
    return ok ? "met" : "MISSED";
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000ul;
    factory f;
    csr c;
    uint32_t want[NR + 1], cmin = UINT32_MAX, cmax = 0, *dist, *order[NR + 1];
    uint64_t ctotal = 0, per_name[FACTORY_NNAMES] = {0};
    static char ids[NR + 1][24];
    const char *roots[NR + 1];
    twin_graph *g;
    twin_impact *q;
    lt_ctx lt_kept, lt_counting;
    nx_figures nx;
    timing raw_closure, raw_full;
    double t, lt_twins_s, lt_rels_s, optimize_ms, optimize_again_ms;
    int have_nx;
    engine *e_floor, *e_lt;
#ifdef HAVE_IGRAPH
    igraph_t ig;
    ig_ctx igc[IG_NMETHODS];
    engine *e_ig_closure = NULL, *e_ig_full = NULL;
    double ig_build_s;
#endif

    if (argc > 2 || n < 1u + FACTORY_LINE_TWINS + FACTORY_MIN_ZONES || n > 100000000ul) {
        fprintf(stderr, "usage: bench_impact [TWINS >= %d, default 1000000]\n",
                1 + FACTORY_LINE_TWINS + FACTORY_MIN_ZONES);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    t = bench_now_s();
    if (factory_build(&f, (uint32_t)n) != 0) fail("factory_build failed");
    for (uint64_t e = 0; e < f.m; e++) per_name[f.name[e]]++;
    printf("factory: %u twins (1 site, %u lines, %u cells, %u machines, %u parts, %u zones), "
           "generated in %.3f s\n",
           f.n, f.lines, f.lines * FACTORY_CELLS, f.lines * FACTORY_LINE_MACHINES,
           f.lines * FACTORY_LINE_MACHINES * FACTORY_PARTS, f.zones, bench_now_s() - t);
    printf("factory: %llu relationships:", (unsigned long long)f.m);
    for (int k = 0; k < FACTORY_NNAMES; k++)
        printf(" %s %llu%s", factory_names[k], (unsigned long long)per_name[k],
               k + 1 < FACTORY_NNAMES ? "," : "\n");

    /* The floor: its counts are the reference. */
    csr_build(&c, &f);
    for (int r = 0; r <= NR; r++) want[r] = floor_run(&c, r);
    for (int r = 0; r < NR; r++) {
        ctotal += want[r];
        if (want[r] < cmin) cmin = want[r];
        if (want[r] > cmax) cmax = want[r];
    }
    printf("closures: %d roots (machines), reaching %u..%u twins, %.1f on average; "
           "the full traversal reaches %u\n",
           NR, cmin, cmax, (double)ctotal / NR, want[NR]);
    if (want[NR] != f.n) fail("floor: the full traversal reaches %u of %u twins", want[NR], f.n);
    e_floor = add_engine("floor: C CSR BFS", floor_run, &c);

#ifdef HAVE_IGRAPH
    igraph_set_error_handler(igraph_error_handler_printignore);
    ig_build_s = ig_build(&ig, &f);
    printf("igraph %s: graph built in %.3f s\n", IGRAPH_VERSION, ig_build_s);
    for (int how = 0; how < IG_NMETHODS; how++) {
        igc[how].f = &f;
        igc[how].g = &ig;
        igc[how].how = (ig_method)how;
        if (igraph_vector_int_init(&igc[how].res, 0) != IGRAPH_SUCCESS)
            fail("igraph: out of memory");
        check_engine(ig_names[how], ig_run, &igc[how], want);
        add_engine(ig_names[how], ig_run, &igc[how]);
    }
#else
    printf("igraph: skipped (libigraph-dev not found when configuring)\n");
#endif

    printf("networkx: measuring (about 30 s with 1,000,000 twins)\n");
    have_nx = run_networkx(&f, want, &nx) == 0;
    if (have_nx)
        printf("networkx %s (python %s): graph built in %.3f s\n", nx.version, nx.python,
               nx.build_s);

    /* libtwin: build through the public API, time before and after optimize. */
    for (int r = 0; r <= NR; r++) {
        factory_twin_id(ids[r], r < NR ? f.roots[r] : 0);
        roots[r] = ids[r];
    }
    if (twin_graph_create(&g, NULL) != TWIN_OK) fail("twin_graph_create failed");
    lt_build(g, &f, &lt_twins_s, &lt_rels_s);
    if (twin_graph_twin_count(g) != f.n || twin_graph_relationship_count(g) != f.m)
        fail("libtwin: %zu twins and %zu relationships", twin_graph_twin_count(g),
             twin_graph_relationship_count(g));
    if (twin_impact_create(&q, g, NULL) != TWIN_OK) tdie(g, "twin_impact_create");
    lt_kept.q = lt_counting.q = q;
    lt_kept.roots = lt_counting.roots = roots;
    lt_kept.counting = 0;
    lt_counting.counting = 1;
    {
        /* Before twin_graph_optimize(): the relationship lists. */
        double cs[MAX_SAMPLES], fs[MAX_SAMPLES];
        check_engine("libtwin (before optimize)", lt_run, &lt_kept, want);
        for (int k = 0; k < CLOSURE_RUNS; k++) {
            t = bench_now_s();
            for (int r = 0; r < NR; r++) lt_run(&lt_kept, r);
            cs[k] = (bench_now_s() - t) * 1e3 / NR;
        }
        for (int k = 0; k < RAW_FULL_RUNS; k++) {
            t = bench_now_s();
            lt_run(&lt_kept, NR);
            fs[k] = (bench_now_s() - t) * 1e3;
        }
        raw_closure = summarize(cs, CLOSURE_RUNS);
        raw_full = summarize(fs, RAW_FULL_RUNS);
    }
    /* The hits in order, to compare with the optimized traversals'. */
    for (int r = 0; r <= NR; r++) {
        lt_run(&lt_kept, r);
        order[r] = malloc(2 * twin_impact_count(q) * sizeof *order[r]);
        if (!order[r]) fail("out of memory");
        lt_order(q, order[r], 0, "");
    }
    t = bench_now_s();
    if (twin_graph_optimize(g) != TWIN_OK) tdie(g, "twin_graph_optimize");
    optimize_ms = (bench_now_s() - t) * 1e3;
    t = bench_now_s();
    if (twin_graph_optimize(g) != TWIN_OK) tdie(g, "twin_graph_optimize (again)");
    optimize_again_ms = (bench_now_s() - t) * 1e3;
    printf("libtwin: graph built in %.3f s (twins %.3f s, relationships %.3f s); "
           "twin_graph_optimize %.1f ms, again %.3f ms\n",
           lt_twins_s + lt_rels_s, lt_twins_s, lt_rels_s, optimize_ms, optimize_again_ms);

    /* Correctness, once, untimed: the same twins as the floor at the same
       depths, and the same hits in the same order as before optimizing. */
    dist = malloc((size_t)f.n * sizeof *dist);
    if (!dist) fail("out of memory");
    for (int r = 0; r <= NR; r++) {
        const char *what = r < NR ? "closure" : "full traversal";
        lt_run(&lt_kept, r);
        lt_check(q, &c, r < NR ? f.roots[r] : 0, dist, what);
        lt_order(q, order[r], 1, what);
        free(order[r]);
    }
    free(dist);
    check_engine("libtwin", lt_run, &lt_kept, want);
    check_engine("libtwin (counting visitor)", lt_run, &lt_counting, want);
    e_lt = add_engine("libtwin: optimized, results kept", lt_run, &lt_kept);
    add_engine("libtwin: optimized, counting visitor", lt_run, &lt_counting);

    printf("timing the C engines round-robin\n");
    time_engines();

#ifdef HAVE_IGRAPH
    /* igraph's fastest way, for closures and for the full traversal apart. */
    for (int i = 0; i < nengines; i++) {
        if (strncmp(engines[i].name, "igraph", 6) != 0) continue;
        if (!e_ig_closure || engines[i].closure.med < e_ig_closure->closure.med)
            e_ig_closure = &engines[i];
        if (!e_ig_full || engines[i].full.med < e_ig_full->full.med) e_ig_full = &engines[i];
    }
#endif

    printf("\nimpact benchmark: %u twins, %llu relationships, every name, outgoing\n", f.n,
           (unsigned long long)f.m);
    printf("warm; closure: 100 closures in a row / 100 (%d samples, networkx %d); "
           "full: from the site (%d samples, networkx %d)\n\n",
           CLOSURE_RUNS, NX_CLOSURE_RUNS, FULL_RUNS, NX_FULL_RUNS);
    printf("%-40s %24s %22s\n", "", "closure [ms]", "full [ms]");
    printf("%-40s %12s %11s %11s %10s\n", "engine", "median", "fastest", "median", "fastest");
    for (int i = 0; i < nengines; i++)
        printf("%-40s %12.4f %11.4f %11.2f %10.2f\n", engines[i].name, engines[i].closure.med,
               engines[i].closure.min, engines[i].full.med, engines[i].full.min);
    printf("%-40s %12.4f %11.4f %11.2f %10.2f\n", "libtwin: before optimize, results kept",
           raw_closure.med, raw_closure.min, raw_full.med, raw_full.min);
    if (have_nx)
        printf("%-40s %12.4f %11.4f %11.2f %10.2f\n", "networkx: nx.descendants",
               nx.closure.med, nx.closure.min, nx.full.med, nx.full.min);
    printf("%-40s %12s %11s %11.1f\n", "libtwin: twin_graph_optimize, once", "", "",
           optimize_ms);
    if (have_nx) printf("(networkx %s, python %s)\n", nx.version, nx.python);

    /* Ratios of medians; libtwin: optimized, results kept. */
    {
        double lc = e_lt->closure.med, lfull = e_lt->full.med;
        double fc = e_floor->closure.med, ffull = e_floor->full.med;
        printf("\n%-40s %12s %11s %11s  %s\n", "ratio of medians", "closure", "", "full",
               "target");
#ifdef HAVE_IGRAPH
        printf("%-40s %12.2f %11s %11.2f  <= 0.5: closure %s, full %s\n", "libtwin / igraph",
               lc / e_ig_closure->closure.med, "", lfull / e_ig_full->full.med,
               verdict(lc / e_ig_closure->closure.med <= 0.5),
               verdict(lfull / e_ig_full->full.med <= 0.5));
        printf("%-40s (igraph's fastest: %s for closures, %s for the full traversal)\n", "",
               e_ig_closure->name + 8, e_ig_full->name + 8);
#endif
        printf("%-40s %12.2f %11s %11.2f  full <= 3: %s\n", "libtwin / floor", lc / fc, "",
               lfull / ffull, verdict(lfull / ffull <= 3));
        if (have_nx)
            printf("%-40s %12.1f %11s %11.1f  full >= 100: %s\n", "networkx / libtwin (speedup)",
                   nx.closure.med / lc, "", nx.full.med / lfull,
                   verdict(nx.full.med / lfull >= 100));
        printf("\n");
#ifdef HAVE_IGRAPH
        printf("bench: impact_closure_vs_igraph %.2f ratio\n", lc / e_ig_closure->closure.med);
        printf("bench: impact_full_vs_igraph %.2f ratio\n", lfull / e_ig_full->full.med);
#endif
        printf("bench: impact_full_vs_floor %.2f ratio\n", lfull / ffull);
        if (have_nx) printf("bench: impact_speedup_vs_networkx %.2f x\n", nx.full.med / lfull);
        printf("bench: impact_optimize_ms %.2f ms\n", optimize_ms);
        printf("bench: impact_closure_ms %.4f ms\n", lc);
        printf("bench: impact_full_ms %.2f ms\n", lfull);
    }

    twin_impact_destroy(q);
    twin_graph_destroy(g);
#ifdef HAVE_IGRAPH
    for (int how = 0; how < IG_NMETHODS; how++) igraph_vector_int_destroy(&igc[how].res);
    igraph_destroy(&ig);
#endif
    csr_free(&c);
    factory_free(&f);
    return 0;
}
