/* What-if scenarios (issue 17).
 *
 * 1. Fork: twin_scenario_fork() on the synthetic factory of N twins
 *    (default 1,000,000; bench/factory.h) with an ingest handle of no
 *    signals. The time of the fork alone (each fork is destroyed, untimed)
 *    and the bytes it leaves outstanding in the graph's allocator (a
 *    counting allocator: the scenario allocates from the graph's).
 * 2. Runs: the demo plant of examples/factory/plant.ndjson (261 twins, its
 *    twins and relationships read from the bulk-import file), an
 *    exponential health model on the vibration of its 40 conveyor motors
 *    (the options of `twinctl ingest --health vibration:0.12:0.003`), 60
 *    days of hourly synthetic vibration per motor (deterministic, each
 *    motor degrading at its own rate, 5% noise). Forked, then run with a
 *    365-day horizon, daily steps, depends {"partOf:in"} (the plant depends
 *    on its lines, a line on its parts, a conveyor on its motor), RUNS runs
 *    (default 10,000) on this thread. Runs per second: the median of REPS
 *    runs; the model build alone: the median of runs of one run.
 * 3. numpy: the same simulation vectorised over runs and motors
 *    (bench/scenario_numpy.py, Debian's python3-numpy), from the motors'
 *    posteriors and the structure this program writes to a temporary file;
 *    its runs per second, the ratio, and a statistical check that every
 *    twin with inputs fails within the horizon as often in both (within
 *    five standard errors of the difference).
 *
 * Usage: bench_scenario [TWINS [RUNS [REPS]]]; TWINS 0 skips the fork part.
 * A small run (tests/run's smoke step): bench_scenario 20000 500 1. */
#include <twin/twin.h>

#include "bench_py.h"
#include "bench_util.h"
#include "factory.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#ifndef PLANT_NDJSON
#define PLANT_NDJSON "examples/factory/plant.ndjson"
#endif
#ifndef SCENARIO_NUMPY_PY
#define SCENARIO_NUMPY_PY "bench/scenario_numpy.py"
#endif

#define DAY 86400.0
#define HOUR_US INT64_C(3600000000)
#define T0_US INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */
#define HISTORY_DAYS 60
#define MAX_REPS 32

static void fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "bench_scenario: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* ---- counting allocator ------------------------------------------------------ */

typedef struct counter {
    size_t live;
    unsigned long calls;
} counter;

static void *c_alloc(void *ud, size_t n)
{
    counter *c = ud;
    void *p = malloc(n);
    if (p) c->live += n;
    c->calls++;
    return p;
}

static void *c_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    counter *c = ud;
    void *q = realloc(p, new_n);
    if (q) c->live = c->live - old_n + new_n;
    c->calls++;
    return q;
}

static void c_free(void *ud, void *p, size_t n)
{
    counter *c = ud;
    if (p) c->live -= n;
    free(p);
}

/* ---- 1. fork on the big graph ------------------------------------------------ */

typedef struct fork_figures {
    double us;          /* median */
    double us_min, us_max;
    long bytes;         /* outstanding after a fork, minus before */
    long bytes_left;    /* outstanding after fork + destroy, minus before (the
                           graph keeps its array of change hooks) */
    long bytes_after;   /* the same after all the forks: no more */
    int forks;
    double build_s;
} fork_figures;

static void bench_fork(uint32_t n, fork_figures *ff)
{
    factory f;
    counter cnt;
    twin_allocator alloc;
    twin_graph_options o;
    twin_graph *g;
    twin_ingest *ing;
    char a[24], b[24], rid[24];
    double *t;
    size_t before;
    int forks = 401;
    double t0;

    memset(ff, 0, sizeof *ff);
    if (factory_build(&f, n) != 0) fail("factory_build(%u) failed", (unsigned)n);
    memset(&cnt, 0, sizeof cnt);
    memset(&alloc, 0, sizeof alloc);
    alloc.size = sizeof alloc;
    alloc.alloc = c_alloc;
    alloc.realloc = c_realloc;
    alloc.free = c_free;
    alloc.ud = &cnt;
    twin_graph_options_init(&o);
    o.alloc = &alloc;
    if (twin_graph_create(&g, &o) != TWIN_OK) fail("twin_graph_create failed");
    t0 = bench_now_s();
    for (uint32_t i = 0; i < f.n; i++) {
        factory_twin_id(a, i);
        if (twin_graph_add_twin(g, a, factory_model(&f, i), NULL, 0) != TWIN_OK)
            fail("add_twin: %s", twin_graph_last_error(g)->message);
    }
    for (uint64_t e = 0; e < f.m; e++) {
        factory_twin_id(a, f.src[e]);
        factory_twin_id(b, f.dst[e]);
        snprintf(rid, sizeof rid, "r%llu", (unsigned long long)e);
        if (twin_graph_add_relationship(g, a, rid, factory_names[f.name[e]], b, NULL, 0) != TWIN_OK)
            fail("add_relationship: %s", twin_graph_last_error(g)->message);
    }
    ff->build_s = bench_now_s() - t0;
    if (twin_graph_twin_count(g) != f.n) fail("the graph has %zu twins", twin_graph_twin_count(g));
    if (twin_ingest_create(&ing, g, NULL) != TWIN_OK) fail("twin_ingest_create failed");

    /* Memory: the first fork, before any change. */
    {
        twin_scenario *sc;
        before = cnt.live;
        if (twin_scenario_fork(&sc, g, ing, 0) != TWIN_OK) fail("twin_scenario_fork failed");
        ff->bytes = (long)(cnt.live - before);
        if (twin_scenario_twin_count(sc) != f.n)
            fail("the fork sees %zu twins, the graph has %u", twin_scenario_twin_count(sc),
                 (unsigned)f.n);
        twin_scenario_destroy(sc);
        ff->bytes_left = (long)(cnt.live - before);
    }
    /* Time: fork alone, many times. */
    t = malloc((size_t)forks * sizeof *t);
    if (!t) fail("out of memory");
    for (int k = 0; k < forks; k++) {
        twin_scenario *sc;
        double s0 = bench_now_s();
        twin_status s = twin_scenario_fork(&sc, g, ing, 0);
        t[k] = (bench_now_s() - s0) * 1e6;
        if (s != TWIN_OK) fail("twin_scenario_fork failed");
        twin_scenario_destroy(sc);
    }
    ff->bytes_after = (long)(cnt.live - before);
    ff->forks = forks;
    ff->us = bench_median(t, forks);
    ff->us_min = t[0];
    ff->us_max = t[forks - 1];
    free(t);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    factory_free(&f);
    if (cnt.live != 0) fail("%zu bytes still allocated after destroying the graph", cnt.live);
}

/* ---- 2. the demo plant --------------------------------------------------------- */

typedef struct plant {
    uint32_t n, nrel;
    char **id, **model;          /* n */
    char **rsrc, **rid, **rname, **rdst;  /* nrel */
} plant;

/* The string value of "key":"..." in a line of the bulk-import file (its
 * strings have no escapes; checked), malloc'ed; NULL when absent. */
static char *json_str(const char *line, const char *key)
{
    char pat[64];
    const char *p, *q;
    char *s;
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    if (!(p = strstr(line, pat))) return NULL;
    p += strlen(pat);
    if (!(q = strchr(p, '"'))) return NULL;
    if (!(s = malloc((size_t)(q - p) + 1))) fail("out of memory");
    memcpy(s, p, (size_t)(q - p));
    s[q - p] = '\0';
    return s;
}

static void grow(void *pp, uint32_t need)
{
    void **p = pp;
    void *q = realloc(*p, (size_t)need * sizeof(char *));
    if (!q) fail("out of memory");
    *p = q;
}

static void plant_read(plant *pl, const char *path)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int section = 0;  /* 1 twins, 2 relationships */
    memset(pl, 0, sizeof *pl);
    if (!fp) fail("%s: %s", path, strerror(errno));
    while (getline(&line, &cap, fp) > 0) {
        if (strstr(line, "\"Section\"")) {
            section = strstr(line, "\"Twins\"") ? 1 : strstr(line, "\"Relationships\"") ? 2 : 0;
            continue;
        }
        if (strchr(line, '\\')) fail("%s: escapes in strings are not read by this benchmark", path);
        if (section == 1) {
            grow(&pl->id, pl->n + 1);
            grow(&pl->model, pl->n + 1);
            pl->id[pl->n] = json_str(line, "$dtId");
            pl->model[pl->n] = json_str(line, "$model");
            if (!pl->id[pl->n] || !pl->model[pl->n])
                fail("%s: a twin without $dtId or $model", path);
            pl->n++;
        } else if (section == 2) {
            uint32_t k = pl->nrel;
            grow(&pl->rsrc, k + 1);
            grow(&pl->rid, k + 1);
            grow(&pl->rname, k + 1);
            grow(&pl->rdst, k + 1);
            pl->rsrc[k] = json_str(line, "$dtId");
            pl->rid[k] = json_str(line, "$relationshipId");
            pl->rname[k] = json_str(line, "$relationshipName");
            pl->rdst[k] = json_str(line, "$targetId");
            if (!pl->rsrc[k] || !pl->rid[k] || !pl->rname[k] || !pl->rdst[k])
                fail("%s: a relationship without $dtId, $relationshipId, $relationshipName or "
                     "$targetId", path);
            pl->nrel++;
        }
    }
    free(line);
    fclose(fp);
}

static void plant_free(plant *pl)
{
    for (uint32_t i = 0; i < pl->n; i++) {
        free(pl->id[i]);
        free(pl->model[i]);
    }
    for (uint32_t i = 0; i < pl->nrel; i++) {
        free(pl->rsrc[i]);
        free(pl->rid[i]);
        free(pl->rname[i]);
        free(pl->rdst[i]);
    }
    free(pl->id);
    free(pl->model);
    free(pl->rsrc);
    free(pl->rid);
    free(pl->rname);
    free(pl->rdst);
}

static uint32_t plant_find(const plant *pl, const char *id)
{
    for (uint32_t i = 0; i < pl->n; i++)
        if (strcmp(pl->id[i], id) == 0) return i;
    return UINT32_MAX;
}

/* The health options of `twinctl ingest --health vibration:0.12:0.003`
 * (tools/twinctl/cmd_ingest.c). */
static void motor_options(twin_health_options *o)
{
    const double baseline = 0.12, rate = 0.003;
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_EXPONENTIAL;
    o->prior_mean[0] = log(baseline);
    o->prior_mean[1] = rate / DAY;
    o->prior_cov[0] = 0.04;
    o->prior_cov[3] = pow(fmax(rate, 1e-4) / DAY, 2);
    o->noise = 0.0025;
    o->failure_level = 10 * baseline;
    o->recalibration = TWIN_HEALTH_RECAL_KALMAN;
    o->recal_noise[0] = 5e-6;
    o->recal_noise[1] = 1e-17;
}

/* A deterministic standard normal (xorshift64* and Box-Muller). */
static double synth_normal(uint64_t *s)
{
    double u, v;
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    u = ((double)((*s * 0x2545f4914f6cdd1dull) >> 11) + 0.5) / 9007199254740992.0;
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    v = ((double)((*s * 0x2545f4914f6cdd1dull) >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

typedef struct motor {
    uint32_t node;
    twin_signal sig;
    double rate_per_day;  /* what the synthetic data grows at */
} motor;

typedef struct live_plant {
    plant pl;
    twin_graph *g;
    twin_ingest *ing;
    motor *m;
    uint32_t nm;
    size_t samples;
} live_plant;

static void plant_build(live_plant *lp, const char *path)
{
    plant *pl = &lp->pl;
    twin_signal_sample *batch;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    int hours = HISTORY_DAYS * 24;
    memset(lp, 0, sizeof *lp);
    plant_read(pl, path);
    if (twin_graph_create(&lp->g, NULL) != TWIN_OK) fail("twin_graph_create failed");
    for (uint32_t i = 0; i < pl->n; i++)
        if (twin_graph_add_twin(lp->g, pl->id[i], pl->model[i], NULL, 0) != TWIN_OK)
            fail("plant twin %s: %s", pl->id[i], twin_graph_last_error(lp->g)->message);
    for (uint32_t i = 0; i < pl->nrel; i++)
        if (twin_graph_add_relationship(lp->g, pl->rsrc[i], pl->rid[i], pl->rname[i],
                                        pl->rdst[i], NULL, 0) != TWIN_OK)
            fail("plant relationship %s: %s", pl->rid[i], twin_graph_last_error(lp->g)->message);
    if (twin_ingest_create(&lp->ing, lp->g, NULL) != TWIN_OK) fail("twin_ingest_create failed");
    lp->m = calloc(pl->n, sizeof *lp->m);
    if (!lp->m) fail("out of memory");
    for (uint32_t i = 0; i < pl->n; i++) {
        twin_health_options o;
        motor *mo;
        uint64_t h;
        if (strcmp(pl->model[i], "dtmi:libtwin:factory:Motor;1") != 0) continue;
        mo = &lp->m[lp->nm];
        mo->node = i;
        /* 0.002 to 0.012 per day, scrambled over the motors: some reach
           the failure level (10 x) within the horizon, some do not */
        h = factory_mix(i + 1);
        mo->rate_per_day = 0.002 + 0.010 * (double)(h % 1000) / 999.0;
        motor_options(&o);
        if (twin_ingest_add_signal(lp->ing, pl->id[i], "vibration", NULL, &mo->sig) != TWIN_OK ||
            twin_ingest_attach_health(lp->ing, mo->sig, &o, T0_US) != TWIN_OK)
            fail("health of %s: %s", pl->id[i], twin_ingest_last_error(lp->ing)->message);
        lp->nm++;
    }
    batch = malloc((lp->nm ? lp->nm : 1) * sizeof *batch);
    if (!batch) fail("out of memory");
    for (int k = 1; k <= hours; k++) {
        double days = k / 24.0;
        for (uint32_t j = 0; j < lp->nm; j++) {
            batch[j].signal = lp->m[j].sig;
            batch[j].t_us = T0_US + k * HOUR_US;
            /* 5% noise: the model's (0.0025 in log space) */
            batch[j].value = 0.12 * exp(lp->m[j].rate_per_day * days + 0.05 * synth_normal(&rng));
        }
        if (twin_ingest_write_signals(lp->ing, batch, lp->nm, NULL, NULL) != TWIN_OK)
            fail("ingest: %s", twin_ingest_last_error(lp->ing)->message);
        lp->samples += lp->nm;
    }
    free(batch);
}

static void plant_destroy(live_plant *lp)
{
    twin_ingest_destroy(lp->ing);
    twin_graph_destroy(lp->g);
    free(lp->m);
    plant_free(&lp->pl);
}

static const char *const depends[] = {"partOf:in", NULL};

static void run_options(twin_scenario_run_options *o, uint32_t runs)
{
    twin_scenario_run_options_init(o);
    o->runs = runs;
    o->seed = 17;
    o->horizon_s = 365 * DAY;
    o->step_s = DAY;
    o->depends = depends;
}

/* ---- 3. numpy ----------------------------------------------------------------- */

/* A motor's posterior as twin_scenario_run() uses it: level now and rate
 * in model space (log(v - phi)), the Cholesky factor of their covariance,
 * the threshold in model space and the side it is crossed from. */
typedef struct post {
    uint32_t node;
    int sign;
    double ml, mb, l11, l21, l22, c;
} post;

static void motor_posterior(const live_plant *lp, const motor *mo, int64_t now_us, post *p)
{
    twin_health h;
    twin_health_options o;
    twin_health_stats st;
    double mean[2], cov[4], t, vl, cl;
    twin_health_options_init(&o);
    st.size = sizeof st;
    if (twin_ingest_get_health(lp->ing, mo->sig, &h, &o) != TWIN_OK ||
        twin_health_get_posterior(&h, mean, cov, NULL) != TWIN_OK ||
        twin_health_get_stats(&h, &st, NULL) != TWIN_OK)
        fail("posterior of %s", lp->pl.id[mo->node]);
    t = (double)(now_us - st.t0_us) / 1e6;
    vl = cov[0] + 2 * t * cov[1] + t * t * cov[3];
    cl = cov[1] + t * cov[3];
    p->node = mo->node;
    p->sign = st.failure_level >= st.baseline ? 1 : -1;
    p->ml = mean[0] + mean[1] * t;
    p->mb = mean[1];
    p->l11 = vl > 0 ? sqrt(vl) : 0;
    p->l21 = p->l11 > 0 ? cl / p->l11 : 0;
    p->l22 = cov[3] - p->l21 * p->l21 > 0 ? sqrt(cov[3] - p->l21 * p->l21) : 0;
    p->c = log(st.failure_level - o.phi);
    if (o.process_noise[0] != 0 || o.process_noise[1] != 0)
        fail("%s has process noise: the numpy side draws no paths", lp->pl.id[mo->node]);
}

typedef struct numpy_out {
    double rate;        /* runs per second; -1: skipped */
    char version[64];
    double *p_fail;     /* per twin, NaN where not reported */
    double *up, *up_sd; /* per twin: mean and standard deviation of min(t, horizon) */
} numpy_out;

static void run_numpy(const live_plant *lp, int64_t now_us, uint32_t runs, int reps,
                      numpy_out *no)
{
    const plant *pl = &lp->pl;
    const char *py, *script;
    char path[4096], cmd[8192 + 64], *line = NULL;
    size_t cap = 0;
    int status;
    FILE *fp;

    no->rate = -1;
    no->version[0] = '\0';
    no->p_fail = malloc(pl->n * sizeof *no->p_fail);
    no->up = malloc(pl->n * sizeof *no->up);
    no->up_sd = malloc(pl->n * sizeof *no->up_sd);
    if (!no->p_fail || !no->up || !no->up_sd) fail("out of memory");
    for (uint32_t i = 0; i < pl->n; i++) no->p_fail[i] = no->up[i] = no->up_sd[i] = NAN;
    fp = bench_py_open("numpy", "TWIN_BENCH_NUMPY_PY", SCENARIO_NUMPY_PY, "bench_scenario", &py,
                       &script, path, sizeof path);
    if (!fp) return;
    /* Text: the run, the motors' posteriors, then each twin and the twins
       it depends on (the sources of its incoming partOf). */
    fprintf(fp, "run %u %.17g %.17g\n", (unsigned)runs, 365 * DAY, DAY);
    for (uint32_t j = 0; j < lp->nm; j++) {
        post p;
        motor_posterior(lp, &lp->m[j], now_us, &p);
        fprintf(fp, "sig %u %d %.17g %.17g %.17g %.17g %.17g %.17g\n", (unsigned)p.node, p.sign,
                p.ml, p.mb, p.l11, p.l21, p.l22, p.c);
    }
    for (uint32_t i = 0; i < pl->n; i++) {
        fprintf(fp, "twin %s", pl->id[i]);
        for (uint32_t r = 0; r < pl->nrel; r++)
            if (strcmp(pl->rname[r], "partOf") == 0 && strcmp(pl->rdst[r], pl->id[i]) == 0)
                fprintf(fp, " %u", (unsigned)plant_find(pl, pl->rsrc[r]));
        fputc('\n', fp);
    }
    if (ferror(fp) | fclose(fp)) {
        printf("numpy: skipped (writing %s: %s)\n", path, strerror(errno));
        unlink(path);
        return;
    }
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' %d", py, script, path, reps);
    fflush(stdout);
    if (!(fp = popen(cmd, "r"))) {
        printf("numpy: skipped (cannot run %s)\n", py);
        unlink(path);
        return;
    }
    while (getline(&line, &cap, fp) > 0) {
        unsigned idx;
        double p, u, sd;
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "numpy ", 6) == 0)
            snprintf(no->version, sizeof no->version, "%s", line + 6);
        else if (sscanf(line, "rate %lf", &no->rate) == 1) continue;
        else if (sscanf(line, "twin %u %lf %lf %lf", &idx, &p, &u, &sd) == 4 && idx < pl->n) {
            no->p_fail[idx] = p;
            no->up[idx] = u;
            no->up_sd[idx] = sd;
        }
        else if (strncmp(line, "skipped", 7) == 0) printf("numpy: %s\n", line);
    }
    free(line);
    status = pclose(fp);
    unlink(path);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code != 3) printf("numpy: skipped (%s exited with status %d)\n", py, code);
        no->rate = -1;
        return;
    }
    if (!(no->rate > 0)) fail("numpy: incomplete output from %s", script);
}

/* ---- main ------------------------------------------------------------------------ */

/* The nearest-rank quantile q of sorted x[0..n). */
static double rank_quantile(const double *x, size_t n, double q)
{
    double k = ceil(q * (double)n);
    size_t i = k < 1 ? 0 : (size_t)k - 1;
    return x[i < n ? i : n - 1];
}

/* Check the summary of every twin against its times, sorted here. */
static void check_summary(const twin_scenario_result *res, const plant *pl,
                          const twin_scenario_run_options *o)
{
    double *x = malloc((size_t)o->runs * sizeof *x);
    if (!x) fail("out of memory");
    for (uint32_t i = 0; i < pl->n; i++) {
        twin_scenario_outcome oc;
        const double *t;
        size_t n, fails = 0;
        double q[3];
        oc.size = sizeof oc;
        if (twin_scenario_result_get(res, 0, pl->id[i], &oc) != TWIN_OK ||
            twin_scenario_result_times(res, pl->id[i], &t, &n) != TWIN_OK || n != o->runs)
            fail("no outcome or times for %s", pl->id[i]);
        memcpy(x, t, n * sizeof *x);
        qsort(x, n, sizeof *x, bench_cmp_double);
        for (size_t k = 0; k < n; k++) fails += x[k] < INFINITY;
        q[0] = rank_quantile(x, n, o->q_lower);
        q[1] = rank_quantile(x, n, 0.5);
        q[2] = rank_quantile(x, n, o->q_upper);
        if (oc.p_fail != (double)fails / (double)n || oc.ttf_lower != q[0] ||
            oc.ttf_median != q[1] || oc.ttf_upper != q[2])
            fail("%s: summary P %g, ttf %g %g %g; its times give P %g, ttf %g %g %g", pl->id[i],
                 oc.p_fail, oc.ttf_lower, oc.ttf_median, oc.ttf_upper, (double)fails / (double)n,
                 q[0], q[1], q[2]);
    }
    free(x);
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000u;
    uint32_t runs = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 10000u;
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    const char *ndjson = getenv("TWIN_BENCH_PLANT");
    fork_figures ff;
    live_plant lp;
    twin_scenario *sc;
    twin_scenario_run_options o;
    twin_scenario_result *res = NULL;
    double t_run[MAX_REPS], t_build[MAX_REPS], run_s, build_ms, c_rate;
    numpy_out no;
    int64_t now_us;
    int build_reps = 21, bad = 0, checked = 0;
    double worst_z = 0;

    if ((n && n < 1u + FACTORY_LINE_TWINS + FACTORY_MIN_ZONES) || runs < 1 || reps < 1 ||
        reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_scenario [TWINS (0, or >= %u) [RUNS >= 1 [REPS 1..%d]]]\n",
                1u + FACTORY_LINE_TWINS + FACTORY_MIN_ZONES, MAX_REPS);
        return 2;
    }
    if (!ndjson || !*ndjson) ndjson = PLANT_NDJSON;

    /* 1. fork */
    if (n) {
        bench_fork(n, &ff);
        printf("fork: factory of %u twins built in %.2f s; %d forks (fork + destroy, the fork "
               "timed): min %.3f us, max %.3f us\n",
               (unsigned)n, ff.build_s, ff.forks, ff.us_min, ff.us_max);
        printf("fork: %ld bytes outstanding after the first fork, %ld after its destroy (the "
               "graph's array of change hooks), %ld after all the forks\n",
               ff.bytes, ff.bytes_left, ff.bytes_after);
        if (ff.bytes_after != ff.bytes_left)
            fail("%d forks and destroys leave %ld bytes more than one", ff.forks,
                 ff.bytes_after - ff.bytes_left);
    }

    /* 2. the plant */
    plant_build(&lp, ndjson);
    if (twin_scenario_fork(&sc, lp.g, lp.ing, 0) != TWIN_OK) fail("fork of the plant failed");
    now_us = T0_US + (int64_t)HISTORY_DAYS * 24 * HOUR_US;
    printf("plant: %u twins, %u relationships, %u motors with health, %zu samples ingested "
           "(%d days hourly)\n",
           (unsigned)lp.pl.n, (unsigned)lp.pl.nrel, (unsigned)lp.nm, lp.samples, HISTORY_DAYS);
    if (twin_scenario_twin_count(sc) != lp.pl.n) fail("the fork of the plant sees other twins");
    for (int k = 0; k < build_reps; k++) {
        twin_scenario_result *r1;
        double s0;
        run_options(&o, 1);
        s0 = bench_now_s();
        if (twin_scenario_run(sc, &o, &r1) != TWIN_OK)
            fail("run: %s", twin_scenario_last_error(sc)->message);
        t_build[k] = (bench_now_s() - s0) * 1e3;
        twin_scenario_result_destroy(r1);
    }
    build_ms = bench_median(t_build, build_reps);
    for (int k = 0; k < reps; k++) {
        double s0;
        run_options(&o, runs);
        twin_scenario_result_destroy(res);
        s0 = bench_now_s();
        if (twin_scenario_run(sc, &o, &res) != TWIN_OK)
            fail("run: %s", twin_scenario_last_error(sc)->message);
        t_run[k] = bench_now_s() - s0;
    }
    run_s = bench_median(t_run, reps);
    c_rate = runs / run_s;
    if (twin_scenario_result_count(res) != lp.pl.n) fail("the results have other twins");
    check_summary(res, &lp.pl, &o);

    /* 3. numpy, and the check */
    run_numpy(&lp, now_us, runs, reps, &no);

    printf("\n%-12s %6s %8s %8s %6s %8s %8s %6s\n", "twin", "inputs", "P(fail)", "numpy P",
           "z", "uptime", "numpy", "z");
    for (uint32_t i = 0; i < lp.pl.n; i++) {
        twin_scenario_outcome oc;
        const double *t;
        size_t nt;
        double p2, se, zp = NAN, zu = NAN, up = 0, up2 = 0, sd;
        int motor = 0;
        oc.size = sizeof oc;
        if (twin_scenario_result_get(res, 0, lp.pl.id[i], &oc) != TWIN_OK ||
            twin_scenario_result_times(res, lp.pl.id[i], &t, &nt) != TWIN_OK)
            fail("no outcome for %s", lp.pl.id[i]);
        for (uint32_t j = 0; j < lp.nm; j++) motor |= lp.m[j].node == i;
        if (!oc.inputs && !motor) continue;  /* never fails, in both */
        /* uptime: min(t, horizon), its mean and standard deviation */
        for (size_t k = 0; k < nt; k++) {
            double u = t[k] < o.horizon_s ? t[k] : o.horizon_s;
            up += u;
            up2 += u * u;
        }
        up /= (double)nt;
        sd = nt > 1 ? sqrt(fmax(up2 - (double)nt * up * up, 0) / (double)(nt - 1)) : 0;
        p2 = no.p_fail[i];
        if (no.rate > 0) {
            if (p2 != p2 || no.up[i] != no.up[i]) fail("numpy: nothing for %s", lp.pl.id[i]);
            /* independent draws: the standard errors of the differences
               (P: at least that of one failure in either; uptime: at least
               a millionth of the horizon) */
            se = sqrt(oc.p_fail * (1 - oc.p_fail) / runs + p2 * (1 - p2) / runs);
            if (se < 1.0 / runs) se = 1.0 / runs;
            zp = (oc.p_fail - p2) / se;
            se = sqrt((sd * sd + no.up_sd[i] * no.up_sd[i]) / runs);
            if (se < 1e-6 * o.horizon_s) se = 1e-6 * o.horizon_s;
            zu = (up - no.up[i]) / se;
            checked++;
            if (fabs(zp) > worst_z) worst_z = fabs(zp);
            if (fabs(zu) > worst_z) worst_z = fabs(zu);
            if (fabs(zp) > 5 || fabs(zu) > 5) {
                bad++;
                printf("DISAGREE: %s: P(fail) %.4f vs numpy %.4f, mean uptime %.2f d vs numpy "
                       "%.2f d\n", lp.pl.id[i], oc.p_fail, p2, up / DAY, no.up[i] / DAY);
            }
        }
        /* the plant, the lines, and the conveyors and motors of one line */
        if (strchr(lp.pl.id[i], '-') == NULL || strncmp(lp.pl.id[i], "L2-CV0", 6) == 0)
            printf("%-12s %6u %8.4f %8.4f %6.2f %8.2f %8.2f %6.2f\n", lp.pl.id[i],
                   (unsigned)oc.inputs, oc.p_fail, p2, zp, up / DAY, no.up[i] / DAY, zu);
    }
    printf("(uptime: mean of min(time to failure, horizon), days; z: the difference over "
           "its standard error)\n");
    if (no.rate > 0)
        printf("check: %d twins (motors, conveyors, lines, plant), P(fail within 365 days) and "
               "mean uptime, libtwin vs numpy: %s (largest |z| %.2f, limit 5)\n",
               checked, bad ? "DISAGREE" : "agree", worst_z);

    printf("\n%-44s %14s\n", "scenario benchmark", "value");
    if (n) {
        printf("%-44s %14.3f  (median of %d, target <= 1000)\n", "fork, factory graph [us]", ff.us,
               ff.forks);
        printf("%-44s %14ld  (target <= 1048576)\n", "fork before any change [bytes]", ff.bytes);
    }
    printf("%-44s %14.3f  (median of %d, runs = 1)\n", "run: model build [ms]", build_ms,
           build_reps);
    printf("%-44s %14.1f  (median of %d, runs = %u)\n", "run: plant, 365 d, daily [ms]",
           run_s * 1e3, reps, (unsigned)runs);
    printf("%-44s %14.0f  (target >= 10000)\n", "run: libtwin [runs/s]", c_rate);
    if (no.rate > 0) {
        printf("%-44s %14.0f  (numpy %s)\n", "run: numpy [runs/s]", no.rate, no.version);
        printf("%-44s %14.2f  (target >= 1)\n", "libtwin / numpy", c_rate / no.rate);
    }
    printf("\n");
    if (n) {
        printf("bench: scenario_fork_us %.3f us\n", ff.us);
        printf("bench: scenario_fork_bytes %ld bytes\n", ff.bytes);
    }
    printf("bench: scenario_run_build_ms %.3f ms\n", build_ms);
    printf("bench: scenario_runs_per_s %.0f runs/s\n", c_rate);
    if (no.rate > 0) printf("bench: scenario_vs_numpy %.2f x\n", c_rate / no.rate);

    twin_scenario_result_destroy(res);
    twin_scenario_destroy(sc);
    plant_destroy(&lp);
    free(no.p_fail);
    free(no.up);
    free(no.up_sd);
    if (bad) fail("numpy and libtwin disagree on %d twins", bad);
    return 0;
}
