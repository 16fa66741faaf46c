/* The path of issue 18 to a multi-signal health model: samples stamped by
 * sources whose clocks are off (1.5 s ahead; 0.8 s behind and 50 ppm
 * fast) are corrected by their clock models (twin_clock_to_host(), what
 * ingest does for a signal with a source), aligned onto a 1 s grid
 * (twin_align, linear, tolerance 3 s), and each complete row feeds a fused
 * health index (twin_health_fusion_apply()). Rows with a value not covered
 * are not applied (no fake state). The index of every row matches the
 * index of the true state at its instant; without the correction it does
 * not. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"
#include "twin/twin.h"

#define T0 INT64_C(1751328000000000)
#define SEC INT64_C(1000000)
#define NS 3
#define RUN_S 200

/* Sensor j of an asset h (1 healthy .. 0 failed) from healthy: linear. */
static double sensor(int j, double wear)
{
    static const double base[NS] = {10, 100, 3}, gain[NS] = {5, -20, 2};
    return base[j] + gain[j] * wear;
}

/* A fleet of 5 runs (1 s rows), sensors following their wear with a
 * little deterministic noise; the fusion fitted on it. */
static twin_health_fusion fit(void)
{
    enum { RUNS = 5, MAXROWS = 5 * 200 };
    static uint32_t run[MAXROWS];
    static int64_t t[MAXROWS];
    static double x[MAXROWS * NS];
    twin_health_fleet fl;
    twin_health_fusion f;
    size_t n = 0;
    for (uint32_t r = 0; r < RUNS; r++) {
        int len = 120 + 20 * (int)r;
        for (int k = 0; k < len; k++, n++) {
            double wear = (double)k / (len - 1);
            run[n] = r;
            t[n] = T0 + k * SEC;
            for (int j = 0; j < NS; j++)
                x[n * NS + (size_t)j] = sensor(j, wear) + 0.01 * sin((double)(n * 7 + (size_t)j));
        }
    }
    memset(&fl, 0, sizeof fl);
    fl.size = sizeof fl;
    fl.nsensors = NS;
    fl.nrows = n;
    fl.run = run;
    fl.t_us = t;
    fl.sensors = x;
    ck_assert_int_eq(twin_health_fusion_fit(&f, &fl, 1, 0, NULL), TWIN_OK);
    return f;
}

/* The asset streamed: wear from 0 to 1 over RUN_S seconds of host time. */
static double truth(int j, int64_t host)
{
    return sensor(j, (double)(host - T0) / (double)(RUN_S * SEC));
}

/* Source clocks: sensors 0 and 1 stamped by gateway A (1.5 s ahead),
 * sensor 2 by PLC B (0.8 s behind, 50 ppm fast). */
static int64_t stamp(int src, int64_t host)
{
    if (src == 0) return host + 1500000;
    return host - 800000 + (int64_t)(50e-6 * (double)(host - T0));
}

typedef struct sample {
    int j;
    int64_t host;
} sample;

static int by_host(const void *a, const void *b)
{
    const sample *x = a, *y = b;
    return (x->host > y->host) - (x->host < y->host);
}

/* Stream the asset through the clocks (or not) and the alignment; the
 * worst difference between a row's index and the true state's, and how
 * many rows were applied and refused as not covered. */
static double stream(const twin_health_fusion *f, int correct, int *applied, int *refused)
{
    static const int64_t period[NS] = {SEC, SEC, 2 * SEC}, phase[NS] = {300000, 550000, 100000};
    static sample s[3 * RUN_S];
    twin_clock clk[2];
    twin_align_options o;
    twin_align *a;
    size_t n = 0;
    double worst = 0;
    for (int j = 0; j < NS; j++)
        for (int64_t t = T0 + phase[j]; t < T0 + RUN_S * SEC; t += period[j])
            s[n++] = (sample){j, t};
    qsort(s, n, sizeof *s, by_host);
    for (int c = 0; c < 2; c++) {
        ck_assert_int_eq(twin_clock_init(&clk[c], NULL, NULL), TWIN_OK);
        /* heartbeats before the data: an estimate from the first sample */
        for (int k = 0; k < 10; k++) {
            int64_t h = T0 - (10 - k) * SEC;
            ck_assert_int_eq(twin_clock_observe(&clk[c], stamp(c, h), h + 1000 + 97 * k, NULL),
                             TWIN_OK);
        }
    }
    twin_align_options_init(&o);
    o.nsignals = NS;
    o.policy = TWIN_SERIES_LINEAR;
    o.start_us = T0;
    o.step_us = SEC;
    o.tolerance_us = 3 * SEC;
    o.lateness_us = 0;
    ck_assert_int_eq(twin_align_create(&a, &o, NULL), TWIN_OK);
    *applied = *refused = 0;
    for (size_t k = 0; k <= n; k++) {
        twin_series_value row[NS];
        int64_t at;
        if (k < n) {
            int c = s[k].j == 2;
            int64_t src_t = stamp(c, s[k].host), recv = s[k].host + 1000 + (int64_t)(k % 7) * 300;
            twin_align_sample x = {(uint32_t)s[k].j, 0, src_t, truth(s[k].j, s[k].host)};
            /* the pair first, then the sample corrected by the model */
            ck_assert_int_eq(twin_clock_observe(&clk[c], src_t, recv, NULL), TWIN_OK);
            if (correct) ck_assert_int_eq(twin_clock_to_host(&clk[c], src_t, &x.t_us, NULL), TWIN_OK);
            ck_assert_int_eq(twin_align_push(a, &x, 1, NULL), TWIN_OK);
        } else {
            ck_assert_int_eq(twin_align_flush(a), TWIN_OK);
        }
        while (twin_align_next(a, &at, row) == TWIN_OK) {
            double xs[NS], want[NS], idx, ref;
            int covered = 1;
            for (int j = 0; j < NS; j++) {
                covered &= !(row[j].flags & TWIN_SERIES_UNCOVERED);
                xs[j] = row[j].value;
                want[j] = truth(j, at);
            }
            if (!covered) {
                (*refused)++;
                continue;
            }
            ck_assert_int_eq(twin_health_fusion_apply(f, xs, NULL, &idx, NULL, NULL), TWIN_OK);
            ck_assert_int_eq(twin_health_fusion_apply(f, want, NULL, &ref, NULL, NULL), TWIN_OK);
            if (fabs(idx - ref) > worst) worst = fabs(idx - ref);
            (*applied)++;
        }
    }
    twin_align_destroy(a);
    return worst;
}

START_TEST(test_align_fusion_corrected_rows_give_the_true_index)
{
    twin_health_fusion f = fit();
    int applied, refused, applied2, refused2;
    double good = stream(&f, 1, &applied, &refused);
    double bad = stream(&f, 0, &applied2, &refused2);
    /* every grid instant inside the data, but the first ones (no sample of
       a sensor before them within the tolerance), is applied */
    ck_assert_int_ge(applied, RUN_S - 4);
    ck_assert_int_ge(refused, 1);
    /* about 1 ms of timing error after correction: an index error of a
       few 1e-5; uncorrected, 1.5 s against 0.8 s apart: visible */
    ck_assert_msg(good < 1e-3, "corrected: worst index error %g", good);
    ck_assert_msg(bad > 20 * good && bad > 3e-3, "uncorrected: worst index error %g", bad);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("align_fusion");
    TCase *tc = tcase_create("path");
    tcase_add_test(tc, test_align_fusion_corrected_rows_give_the_true_index);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
