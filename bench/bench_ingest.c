/* Ingest benchmark: synthetic samples through the whole ingest path, beside
 * a plain C floor and numpy (issue 7).
 *
 * S signals (default 10,000; also 1,000,000), one twin each with one signal
 * "vibration", fed round-robin: each step is one batch of S samples, one
 * per signal, an hour after the previous step. The values follow a noisy
 * exponential degradation (v = 0.1 exp(1e-6 t + 5% noise), as in
 * bench_health); one signal in a hundred steps up by 60% half way, so that
 * it diverges and recalibrates. Every signal runs the exponential health model with EMA
 * recalibration while diverged (relative error above 20% for 3 samples),
 * and the ingest handle has a store whose write callback only counts.
 *
 * What is timed (each figure the median of RUNS runs over every step; the
 * setup of each run, untimed, builds a fresh handle):
 *   floor   a plain C loop doing only the same health arithmetic over a
 *           flat array of compact states, reading the same sample batches:
 *           log, prediction, error, Welford, divergence, the Kalman update
 *           or the EMA recalibration;
 *   handle  twin_ingest_write_signals(): checks, latest value, health model,
 *           store queue, the counting callback;
 *   name    twin_ingest_write() with twin and signal names;
 *   kalman  handle path, Kalman recalibration instead of EMA;
 *   numpy   the floor's arithmetic vectorised with numpy over each batch
 *           (bench/ingest_numpy.py, Debian's python3 with python3-numpy),
 *           run in its own process.
 * Self-checks: the health states after the handle, name and floor runs
 * agree bit for bit, and the store counted every sample.
 *
 * Usage: bench_ingest [SIGNALS [STEPS [BIG_SIGNALS [BIG_STEPS]]]]
 *        defaults 10000 200 1000000 10; BIG_SIGNALS 0 skips the big run. */
#include <twin/twin.h>

#include "bench_py.h"
#include "bench_util.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef INGEST_NUMPY_PY
#define INGEST_NUMPY_PY "bench/ingest_numpy.py"
#endif

enum { RUNS = 7, NUMPY_RUNS = 7 };

static const int64_t HOUR = 3600000000LL;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bench_ingest: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* ---- the workload ------------------------------------------------------------- */

typedef struct workload {
    size_t ns, steps;
    double *v;          /* steps x ns values */
    char **ids;         /* twin ids */
    twin_health_options o;
} workload;

static void workload_make(workload *w, size_t ns, size_t steps, int kalman)
{
    uint64_t seed = 12345;
    char buf[32];
    w->ns = ns;
    w->steps = steps;
    w->v = malloc(ns * steps * sizeof *w->v);
    w->ids = malloc(ns * sizeof *w->ids);
    if (!w->v || !w->ids) fail("out of memory");
    for (size_t k = 0; k < steps; k++)
        for (size_t i = 0; i < ns; i++) {
            double u1 = ((double)(rng(&seed) >> 11) + 0.5) / 9007199254740992.0;
            double u2 = ((double)(rng(&seed) >> 11) + 0.5) / 9007199254740992.0;
            double n = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            w->v[k * ns + i] = 0.1 * exp(1e-6 * 3600.0 * (double)(k + 1) + 0.05 * n);
            /* one signal in a hundred drifts from its model half way: it
               diverges, and the EMA (or Kalman) recalibration follows it */
            if (i % 100 == 7 && k >= steps / 2) w->v[k * ns + i] *= 1.6;
        }
    for (size_t i = 0; i < ns; i++) {
        snprintf(buf, sizeof buf, "motor-%07lu", (unsigned long)i);
        if (!(w->ids[i] = strdup(buf))) fail("out of memory");
    }
    twin_health_options_init(&w->o);
    w->o.prior_mean[0] = log(0.1);
    w->o.prior_mean[1] = 1e-6;
    w->o.prior_cov[0] = 0.1;
    w->o.prior_cov[3] = 1e-12;
    w->o.noise = 0.0025;
    w->o.divergence_threshold = 0.2;
    w->o.recalibration = kalman ? TWIN_HEALTH_RECAL_KALMAN : TWIN_HEALTH_RECAL_EMA;
    w->o.recal_noise[0] = 1e-6;
    w->o.recal_noise[1] = 1e-16;
}

static void workload_free(workload *w)
{
    for (size_t i = 0; i < w->ns; i++) free(w->ids[i]);
    free(w->ids);
    free(w->v);
}

/* ---- the floor: the health arithmetic over a flat array ------------------------- */

typedef struct fstate {
    double m0, m1, L0, L1, L2;
    double mean, m2;
    int64_t last_us;
    uint64_t n;
    uint32_t above, diverged;
} fstate;

static int inv2(const double A[3], double B[3])
{
    double det = A[0] * A[2] - A[1] * A[1];
    if (!(det > 0) || !isfinite(det) || !(A[0] > 0)) return 0;
    B[0] = A[2] / det;
    B[1] = -A[1] / det;
    B[2] = A[0] / det;
    return isfinite(B[0]) && isfinite(B[1]) && isfinite(B[2]);
}

static void floor_init(fstate *s, size_t ns, const twin_health_options *o)
{
    double L[3] = {0, 0, 0}, P[3] = {o->prior_cov[0], o->prior_cov[1], o->prior_cov[3]};
    if (!inv2(P, L)) fail("floor: the prior covariance is singular");
    for (size_t i = 0; i < ns; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].m0 = o->prior_mean[0];
        s[i].m1 = o->prior_mean[1];
        s[i].L0 = L[0];
        s[i].L1 = L[1];
        s[i].L2 = L[2];
    }
}

/* One sample, exponential model, time zero 0: what twin_health_update()
 * computes (the same operations in the same order), with nothing else. */
static inline void floor_step(fstate *s, const twin_health_options *o, int64_t t_us, double v)
{
    double y = log(v - o->phi);
    double t = (double)t_us * 1e-6, tp = (double)s->last_us * 1e-6;
    double pred = o->phi + exp(s->m0 + s->m1 * t);
    double e = (v - pred) / fmax(fabs(pred), DBL_MIN), d, a = fabs(e);
    d = e - s->mean;
    s->n++;
    s->mean += d / (double)s->n;
    s->m2 += d * (e - s->mean);
    if (!s->diverged) {
        if (a > o->divergence_threshold) {
            if (++s->above >= o->divergence_count) s->diverged = 1;
        } else {
            s->above = 0;
        }
    } else if (a <= o->divergence_clear) {
        s->diverged = 0;
        s->above = 0;
    }
    if (s->diverged && o->recalibration == TWIN_HEALTH_RECAL_EMA) {
        double al = o->ema_alpha, lp = s->m0 + s->m1 * tp;
        double level = al * y + (1 - al) * (s->m0 + s->m1 * t), rate = s->m1;
        if (t > tp) rate = al * (level - lp) / (t - tp) + (1 - al) * s->m1;
        s->m0 = level - rate * t;
        s->m1 = rate;
    } else {
        double N0, N1, N2, det, res, g0, g1, r = o->noise;
        if (s->diverged && t > tp) { /* Kalman recalibration: add covariance */
            double L[3] = {s->L0, s->L1, s->L2}, P[3], Nn[3];
            if (inv2(L, P)) {
                P[0] += o->recal_noise[0] * (t - tp);
                P[2] += o->recal_noise[1] * (t - tp);
                if (inv2(P, Nn)) {
                    s->L0 = Nn[0];
                    s->L1 = Nn[1];
                    s->L2 = Nn[2];
                }
            }
        }
        N0 = s->L0 + 1.0 / r;
        N1 = s->L1 + t / r;
        N2 = s->L2 + t * t / r;
        det = N0 * N2 - N1 * N1;
        res = (y - (s->m0 + s->m1 * t)) / r;
        g0 = (N2 - N1 * t) / det * res;
        g1 = (N0 * t - N1) / det * res;
        s->m0 += g0;
        s->m1 += g1;
        s->L0 = N0;
        s->L1 = N1;
        s->L2 = N2;
    }
    s->last_us = t_us;
}

static void fill_floor_batch(const workload *w, size_t k, twin_signal_sample *batch)
{
    for (size_t i = 0; i < w->ns; i++) {
        batch[i].signal = i;
        batch[i].t_us = (int64_t)(k + 1) * HOUR;
        batch[i].value = w->v[k * w->ns + i];
    }
}

static double step_floor(const workload *w, fstate *s, const twin_signal_sample *batch)
{
    double t0 = bench_now_s();
    for (size_t i = 0; i < w->ns; i++)
        floor_step(&s[(uint32_t)batch[i].signal], &w->o, batch[i].t_us, batch[i].value);
    return bench_now_s() - t0;
}

/* ---- libtwin -------------------------------------------------------------------- */

typedef struct counter {
    uint64_t samples, calls;
} counter;

static twin_status count_samples(void *ud, const twin_signal_sample *s, size_t n)
{
    counter *c = ud;
    (void)s;
    c->samples += n;
    c->calls++;
    return TWIN_OK;
}

static void count_events(void *ud, const twin_ingest_event *ev)
{
    (*(uint64_t *)ud) += ev->flags != 0;
}

typedef struct lt {
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    twin_signal *h;
    counter c;
    uint64_t events;
} lt;

static void lt_build_graph(lt *x, const workload *w)
{
    twin_graph_options go;
    twin_graph_options_init(&go);
    go.twin_capacity = (uint32_t)w->ns;
    if (twin_graph_create(&x->g, &go) != TWIN_OK) fail("graph_create");
    for (size_t i = 0; i < w->ns; i++)
        if (twin_graph_add_twin(x->g, w->ids[i], "dtmi:bench:Motor;1", NULL, 0) != TWIN_OK)
            fail("add_twin: %s", twin_graph_last_error(x->g)->message);
    x->h = malloc(w->ns * sizeof *x->h);
    if (!x->h) fail("out of memory");
}

/* A fresh store and ingest handle with every signal declared and its
 * health model attached. */
static void lt_setup(lt *x, const workload *w)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest_options io;
    twin_signal_options sig;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.ud = &x->c;
    cb.write_samples = count_samples;
    twin_store_options_init(&so);
    so.callbacks = &cb;
    if (twin_store_create(&x->st, x->g, &so) != TWIN_OK) fail("store_create");
    twin_ingest_options_init(&io);
    io.store = x->st;
    io.on_event = count_events;
    io.event_ud = &x->events;
    io.signal_capacity = (uint32_t)w->ns;
    io.twin_capacity = (uint32_t)w->ns;
    if (twin_ingest_create(&x->ing, x->g, &io) != TWIN_OK) fail("ingest_create");
    twin_signal_options_init(&sig);
    sig.unit = "gForce";
    for (size_t i = 0; i < w->ns; i++) {
        if (twin_ingest_add_signal(x->ing, w->ids[i], "vibration", &sig, &x->h[i]) != TWIN_OK ||
            twin_ingest_attach_health(x->ing, x->h[i], &w->o, 0) != TWIN_OK)
            fail("signal: %s", twin_ingest_last_error(x->ing)->message);
        /* the signal and health records go to the store now, untimed */
        if (i % 1000 == 999 && twin_store_flush(x->st) != TWIN_OK) fail("flush");
    }
    if (twin_store_flush(x->st) != TWIN_OK) fail("flush");
    x->c.samples = x->c.calls = 0;
    x->events = 0;
}

static void lt_teardown(lt *x)
{
    twin_ingest_destroy(x->ing);
    twin_store_destroy(x->st);
    x->ing = NULL;
    x->st = NULL;
}

static double step_handle(lt *x, const workload *w, size_t k, twin_signal_sample *batch)
{
    double t0;
    size_t done;
    for (size_t i = 0; i < w->ns; i++) {
        batch[i].signal = x->h[i];
        batch[i].t_us = (int64_t)(k + 1) * HOUR;
        batch[i].value = w->v[k * w->ns + i];
    }
    t0 = bench_now_s();
    if (twin_ingest_write_signals(x->ing, batch, w->ns, NULL, &done) != TWIN_OK || done != w->ns)
        fail("write_signals: %s", twin_ingest_last_error(x->ing)->message);
    return bench_now_s() - t0;
}

static double step_name(lt *x, const workload *w, size_t k, twin_sample *batch)
{
    double t0;
    size_t done;
    for (size_t i = 0; i < w->ns; i++) {
        batch[i].twin_id = w->ids[i];
        batch[i].signal = "vibration";
        batch[i].t_us = (int64_t)(k + 1) * HOUR;
        batch[i].value = w->v[k * w->ns + i];
        batch[i].unit = NULL;
    }
    t0 = bench_now_s();
    if (twin_ingest_write(x->ing, batch, w->ns, NULL, &done) != TWIN_OK || done != w->ns)
        fail("write: %s", twin_ingest_last_error(x->ing)->message);
    return bench_now_s() - t0;
}

/* The libtwin states agree with the floor's: same arithmetic, same bits. */
static void check_states(const lt *x, const workload *w, const fstate *s, const char *what)
{
    for (size_t i = 0; i < w->ns; i += 1 + w->ns / 97) {
        twin_health h;
        double m[2];
        if (twin_ingest_get_health(x->ing, x->h[i], &h, NULL) != TWIN_OK ||
            twin_health_get_posterior(&h, m, NULL, NULL) != TWIN_OK)
            fail("%s: no health state", what);
        if (memcmp(&m[0], &s[i].m0, sizeof m[0]) || memcmp(&m[1], &s[i].m1, sizeof m[1]))
            fail("%s: signal %lu: state (%.17g, %.17g), floor (%.17g, %.17g)", what,
                 (unsigned long)i, m[0], m[1], s[i].m0, s[i].m1);
    }
    if (x->c.samples != (uint64_t)w->ns * w->steps)
        fail("%s: the store counted %llu samples, expected %llu", what,
             (unsigned long long)x->c.samples, (unsigned long long)w->ns * w->steps);
}

/* ---- numpy, in a child python process ------------------------------------------- */

/* Samples per second of the numpy version, or -1 (skipped; why is printed). */
static double run_numpy(const workload *w, char *version, size_t vcap, const fstate *s)
{
    const char *py, *script;
    char path[4096], cmd[8192 + 64], *line = NULL;
    double rate = -1, hdr[16], m0 = NAN, m1 = NAN;
    uint64_t dims[2] = {w->ns, w->steps};
    size_t cap = 0;
    int status;
    FILE *fp;

    fp = bench_py_open("numpy", "TWIN_BENCH_NUMPY_PY", INGEST_NUMPY_PY, "bench_ingest", &py,
                       &script, path, sizeof path);
    if (!fp) return -1;
    /* "TWI1", ns, steps (u64), 16 doubles of options, the values */
    memset(hdr, 0, sizeof hdr);
    hdr[0] = w->o.phi;
    hdr[1] = w->o.prior_mean[0];
    hdr[2] = w->o.prior_mean[1];
    hdr[3] = w->o.prior_cov[0];
    hdr[4] = w->o.prior_cov[1];
    hdr[5] = w->o.prior_cov[3];
    hdr[6] = w->o.noise;
    hdr[7] = w->o.divergence_threshold;
    hdr[8] = w->o.divergence_clear;
    hdr[9] = (double)w->o.divergence_count;
    hdr[10] = w->o.ema_alpha;
    hdr[11] = (double)(HOUR / 1000000);
    if (fwrite("TWI1", 4, 1, fp) != 1 || fwrite(dims, sizeof dims, 1, fp) != 1 ||
        fwrite(hdr, sizeof hdr, 1, fp) != 1 ||
        fwrite(w->v, sizeof *w->v, w->ns * w->steps, fp) != w->ns * w->steps || fclose(fp)) {
        printf("numpy: skipped (writing %s: %s)\n", path, strerror(errno));
        unlink(path);
        return -1;
    }
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' %d", py, script, path, NUMPY_RUNS);
    fflush(stdout);
    if (!(fp = popen(cmd, "r"))) {
        printf("numpy: skipped (cannot run %s)\n", py);
        unlink(path);
        return -1;
    }
    while (getline(&line, &cap, fp) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "numpy ", 6) == 0) snprintf(version, vcap, "%s", line + 6);
        else if (sscanf(line, "rate %lf", &rate) == 1) continue;
        else if (sscanf(line, "state0 %lf %lf", &m0, &m1) == 2) continue;
        else if (strncmp(line, "skipped", 7) == 0) printf("numpy: %s\n", line);
    }
    free(line);
    status = pclose(fp);
    unlink(path);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code != 3) printf("numpy: skipped (%s exited with status %d)\n", py, code);
        return -1;
    }
    if (!(rate > 0)) fail("numpy: incomplete output from %s", script);
    /* vectorised libm differs from glibc's in the last bits: near, not equal */
    if (!(fabs(m0 - s[0].m0) <= 1e-9 * fabs(s[0].m0) && fabs(m1 - s[0].m1) <= 1e-6 * fabs(s[0].m1)))
        fail("numpy: signal 0 ends at (%.17g, %.17g), the floor at (%.17g, %.17g)", m0, m1,
             s[0].m0, s[0].m1);
    return rate;
}

/* ---- main ----------------------------------------------------------------------- */

typedef struct figures {
    double floor, handle, name, kalman, floor_kalman;
    double events_per_run;
} figures;

enum { E_FLOOR, E_HANDLE, E_NAME, E_FLOOR_K, E_KALMAN, NENGINES };

/* Each run times every engine in turn over all the steps, so that a slow
 * spell of the machine (this one has two shared cores) falls on all of
 * them alike; each figure is the median over the runs. An engine runs its
 * steps alone: interleaving engines step by step would make each find its
 * state evicted from the caches by the others'. */
static void measure(size_t ns, size_t steps, int full, figures *f, fstate **floor_states,
                    workload *wout)
{
    workload w, wk;
    lt x[3];  /* handle, name, kalman */
    fstate *s = malloc(ns * sizeof *s), *sk = full ? malloc(ns * sizeof *sk) : NULL;
    twin_signal_sample *hb = malloc(ns * sizeof *hb);
    twin_sample *nb = full ? malloc(ns * sizeof *nb) : NULL;
    double t[NENGINES][RUNS];
    double n = (double)ns * (double)steps;

    if (!s || !hb || (full && (!nb || !sk))) fail("out of memory");
    memset(x, 0, sizeof x);
    memset(t, 0, sizeof t);
    workload_make(&w, ns, steps, 0);
    if (full) workload_make(&wk, ns, steps, 1);
    lt_build_graph(&x[0], &w);
    x[1].g = x[2].g = x[0].g;
    x[1].h = malloc(ns * sizeof *x[1].h);
    x[2].h = malloc(ns * sizeof *x[2].h);
    if (!x[1].h || !x[2].h) fail("out of memory");
    for (int r = 0; r < RUNS; r++) {
        floor_init(s, ns, &w.o);
        for (size_t k = 0; k < steps; k++) {
            fill_floor_batch(&w, k, hb);
            t[E_FLOOR][r] += step_floor(&w, s, hb);
        }
        lt_setup(&x[0], &w);
        for (size_t k = 0; k < steps; k++) t[E_HANDLE][r] += step_handle(&x[0], &w, k, hb);
        check_states(&x[0], &w, s, "handle");
        f->events_per_run = (double)x[0].events;
        lt_teardown(&x[0]);
        if (!full) continue;
        lt_setup(&x[1], &w);
        for (size_t k = 0; k < steps; k++) t[E_NAME][r] += step_name(&x[1], &w, k, nb);
        check_states(&x[1], &w, s, "name");
        lt_teardown(&x[1]);
        floor_init(sk, ns, &wk.o);
        for (size_t k = 0; k < steps; k++) {
            fill_floor_batch(&wk, k, hb);
            t[E_FLOOR_K][r] += step_floor(&wk, sk, hb);
        }
        lt_setup(&x[2], &wk);
        for (size_t k = 0; k < steps; k++) t[E_KALMAN][r] += step_handle(&x[2], &wk, k, hb);
        check_states(&x[2], &wk, sk, "kalman");
        lt_teardown(&x[2]);
    }
    f->floor = n / bench_median(t[E_FLOOR], RUNS);
    f->handle = n / bench_median(t[E_HANDLE], RUNS);
    f->name = full ? n / bench_median(t[E_NAME], RUNS) : 0;
    f->floor_kalman = full ? n / bench_median(t[E_FLOOR_K], RUNS) : 0;
    f->kalman = full ? n / bench_median(t[E_KALMAN], RUNS) : 0;
    twin_graph_destroy(x[0].g);
    for (int i = 0; i < 3; i++) free(x[i].h);
    free(hb);
    free(nb);
    free(sk);
    if (full) workload_free(&wk);
    if (floor_states && wout) {
        *floor_states = s;
        *wout = w;
    } else {
        free(s);
        workload_free(&w);
    }
}

int main(int argc, char **argv)
{
    size_t ns = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    size_t steps = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
    size_t big = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000000;
    size_t big_steps = argc > 4 ? strtoul(argv[4], NULL, 10) : 10;
    figures f, fb;
    fstate *s;
    workload w;
    char npver[64] = "?";
    double np;

    if (ns < 1 || steps < 1 || (big && big_steps < 1)) {
        fprintf(stderr, "usage: bench_ingest [SIGNALS [STEPS [BIG_SIGNALS [BIG_STEPS]]]]\n");
        return 2;
    }
    measure(ns, steps, 1, &f, &s, &w);
    printf("numpy: measuring\n");
    np = run_numpy(&w, npver, sizeof npver, s);
    memset(&fb, 0, sizeof fb);
    if (big) measure(big, big_steps, 0, &fb, NULL, NULL);

    printf("\ningest benchmark: exponential health model, EMA recalibration above 20%% "
           "divergence, counting store; batches of one sample per signal; medians of %d "
           "runs\n",
           RUNS);
    printf("%-52s %12s %10s %10s\n", "samples/s", "signals", "M/s", "ns/sample");
#define ROW(name, sig, rate)                                                          \
    printf("%-52s %12lu %10.2f %10.1f\n", name, (unsigned long)(sig), (rate) / 1e6, \
           1e9 / (rate))
    ROW("floor: plain C, health arithmetic only", ns, f.floor);
    ROW("libtwin: by handle (twin_ingest_write_signals)", ns, f.handle);
    ROW("libtwin: by name (twin_ingest_write)", ns, f.name);
    ROW("floor: plain C, Kalman recalibration", ns, f.floor_kalman);
    ROW("libtwin: by handle, Kalman recalibration", ns, f.kalman);
    if (np > 0) ROW("numpy: vectorised over each batch", ns, np);
    if (big) {
        ROW("floor: plain C, health arithmetic only", big, fb.floor);
        ROW("libtwin: by handle", big, fb.handle);
    }
    printf("(%lu steps of %lu signals%s; %.0f events per run at %lu signals; numpy %s)\n",
           (unsigned long)steps, (unsigned long)ns,
           big ? "; big run: fewer steps" : "", f.events_per_run, (unsigned long)ns, npver);
    printf("\ntargets: by handle at %lu signals %.1f M/s (>= 20); by name %.1f M/s (>= 5); "
           "floor / handle %.2f (<= 2.5); handle / numpy ",
           (unsigned long)ns, f.handle / 1e6, f.name / 1e6, f.floor / f.handle);
    if (np > 0) printf("%.2f (> 1)\n", f.handle / np);
    else printf("n/a (numpy skipped)\n");

    printf("\nbench: ingest_handle_10k_per_s %.0f samples/s\n", f.handle);
    if (big) printf("bench: ingest_handle_1m_per_s %.0f samples/s\n", fb.handle);
    printf("bench: ingest_name_10k_per_s %.0f samples/s\n", f.name);
    printf("bench: ingest_handle_10k_kalman_per_s %.0f samples/s\n", f.kalman);
    printf("bench: ingest_floor_10k_per_s %.0f samples/s\n", f.floor);
    printf("bench: ingest_floor_ratio %.2f x\n", f.floor / f.handle);
    if (np > 0) {
        printf("bench: ingest_numpy_10k_per_s %.0f samples/s\n", np);
        printf("bench: ingest_vs_numpy %.2f x\n", f.handle / np);
    }
    free(s);
    workload_free(&w);
    return 0;
}
