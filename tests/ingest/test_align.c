/* Streaming alignment (issue 18): rows against the brute-force rules of
 * series.h on random streams (every policy, tolerances, lateness,
 * duplicates, interleaved pushes and reads), the watermark, flush, bad
 * input, allocation failures. */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/clock_sim.h" /* sim_rng */
#include "support/failalloc.h"
#include "support/run.h"
#include "twin/twin.h"

#define T0 1700000000000000LL
#define NSIG 5
#define MAXN 4000

typedef struct smp {
    int64_t t;
    double v;
} smp;

static int64_t rnd(sim_rng *r, int64_t n)
{
    return (int64_t)(sim_next(r) % (uint64_t)n);
}

static uint64_t udist(int64_t a, int64_t b)
{
    return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

/* The value at T over all samples (complete data), by the rules of series.h. */
static int ref_at(const smp *s, size_t n, int64_t at, int32_t policy, int64_t tol, double *v)
{
    int hp = 0, hn = 0;
    smp p = {0, 0}, q = {0, 0};
    uint64_t ut = (uint64_t)tol;
    for (size_t i = 0; i < n; i++) {
        if (s[i].t <= at && (!hp || s[i].t > p.t)) hp = 1, p = s[i];
        if (s[i].t >= at && (!hn || s[i].t < q.t)) hn = 1, q = s[i];
    }
    switch (policy) {
    case TWIN_SERIES_PREVIOUS:
        if (hp && udist(at, p.t) <= ut) return *v = p.v, 1;
        return 0;
    case TWIN_SERIES_NEXT:
        if (hn && udist(q.t, at) <= ut) return *v = q.v, 1;
        return 0;
    case TWIN_SERIES_NEAREST:
        if (hp && (!hn || udist(at, p.t) <= udist(q.t, at))) return udist(at, p.t) <= ut ? (*v = p.v, 1) : 0;
        if (hn) return udist(q.t, at) <= ut ? (*v = q.v, 1) : 0;
        return 0;
    default:
        if (hp && p.t == at) return *v = p.v, 1;
        if (hp && hn && udist(at, p.t) <= ut && udist(q.t, at) <= ut)
            return *v = p.v + (q.v - p.v) * ((double)(at - p.t) / (double)(q.t - p.t)), 1;
        return 0;
    }
}

START_TEST(test_align_rows_match_reference_on_random_streams)
{
    sim_rng r = {77};
    static smp acc[NSIG][MAXN];
    for (int iter = 0; iter < 300; iter++) {
        twin_align *a;
        twin_align_options o;
        size_t na[NSIG] = {0};
        int64_t newest[NSIG], x[NSIG];
        int flushed = 0, rows = 0;
        twin_series_value row[NSIG];
        int64_t at;
        int len = 50 + (int)rnd(&r, 400);
        twin_align_options_init(&o);
        o.nsignals = NSIG;
        o.policy = (int32_t)(1 + rnd(&r, 4));
        o.start_us = T0 + rnd(&r, 30);
        o.step_us = 1 + rnd(&r, 15);
        o.tolerance_us = rnd(&r, 3) ? rnd(&r, 30) : INT64_MAX;
        o.lateness_us = rnd(&r, 2) ? 0 : rnd(&r, 20);
        ck_assert_int_eq(twin_align_create(&a, &o, NULL), TWIN_OK);
        for (int i = 0; i < NSIG; i++) newest[i] = INT64_MIN, x[i] = T0;
        for (int k = 0; k < len;) {
            twin_align_sample batch[16];
            int nb = 1 + (int)rnd(&r, 16);
            size_t refused, exp_refused = 0;
            for (int b = 0; b < nb; b++, k++) {
                int i = (int)rnd(&r, NSIG);
                int64_t t;
                if (rnd(&r, 8) == 0) t = x[i] - rnd(&r, 25);  /* late, or a duplicate */
                else t = x[i] += 1 + rnd(&r, 12);
                batch[b].signal = (uint32_t)i;
                batch[b].reserved_ = 0;
                batch[b].t_us = t;
                batch[b].value = (double)rnd(&r, 1000) / 4;
                /* the rule: newer than newest - lateness, not a second sample at t */
                {
                    int ok = newest[i] == INT64_MIN || t > newest[i] - o.lateness_us;
                    for (size_t j = 0; ok && j < na[i]; j++)
                        if (acc[i][j].t == t) ok = 0;
                    if (ok) {
                        acc[i][na[i]].t = t;
                        acc[i][na[i]].v = batch[b].value;
                        na[i]++;
                        if (t > newest[i]) newest[i] = t;
                    } else {
                        exp_refused++;
                    }
                }
            }
            ck_assert_int_eq(twin_align_push(a, batch, (size_t)nb, &refused), TWIN_OK);
            /* in order (no lateness): exactly the rule; with lateness, a second
               sample at the instant of one no row needs any more is taken
               and forgotten (it changes no row) */
            if (o.lateness_us == 0) ck_assert_uint_eq(refused, exp_refused);
            else ck_assert_uint_le(refused, exp_refused);
            for (int reads = (int)rnd(&r, 4); reads > 0; reads--) {
                if (twin_align_next(a, &at, row) != TWIN_OK) break;
                for (int i = 0; i < NSIG; i++) {
                    double v;
                    int c = ref_at(acc[i], na[i], at, o.policy, o.tolerance_us, &v);
                    /* final rows: exactly the reference */
                    ck_assert_msg(c == !(row[i].flags & TWIN_SERIES_UNCOVERED),
                                  "iter %d row %lld signal %d: covered %d", iter, (long long)at, i, c);
                    if (c) ck_assert_msg(row[i].value == v, "%.17g %.17g", row[i].value, v);
                }
                ck_assert_int_eq(at, o.start_us + rows * o.step_us);
                rows++;
            }
        }
        /* every sample in: flush; forced rows may mark, never fake */
        ck_assert_int_eq(twin_align_flush(a), TWIN_OK);
        flushed = 1;
        while (twin_align_next(a, &at, row) == TWIN_OK) {
            for (int i = 0; i < NSIG; i++) {
                double v;
                int c = ref_at(acc[i], na[i], at, o.policy, o.tolerance_us, &v);
                if (!(row[i].flags & TWIN_SERIES_UNCOVERED)) {
                    ck_assert(c);
                    ck_assert(row[i].value == v);
                }
            }
            rows++;
        }
        ck_assert(flushed);
        twin_align_destroy(a);
    }
}
END_TEST

START_TEST(test_align_watermark_forces_rows_and_marks_laggards)
{
    twin_align *a;
    twin_align_options o;
    twin_series_value row[2];
    int64_t at;
    twin_align_sample s[4] = {{0, 0, T0, 1.0}, {1, 0, T0, 5.0}, {0, 0, T0 + 10, 2.0},
                              {0, 0, T0 + 40, 3.0}};
    twin_align_options_init(&o);
    o.nsignals = 2;
    o.start_us = T0 + 5;
    o.step_us = 10;
    o.watermark_us = 20;
    ck_assert_int_eq(twin_align_create(&a, &o, NULL), TWIN_OK);
    ck_assert_int_eq(twin_align_push(a, s, 3, NULL), TWIN_OK);
    /* row T0+5: signal 1's newest is T0, not settled; no watermark yet */
    ck_assert_int_eq(twin_align_next(a, &at, row), TWIN_DONE);
    ck_assert_int_eq(twin_align_push(a, s + 3, 1, NULL), TWIN_OK);
    /* the data is at T0+40: rows up to T0+20 are forced */
    ck_assert_int_eq(twin_align_next(a, &at, row), TWIN_OK);
    ck_assert_int_eq(at, T0 + 5);
    ck_assert(row[0].value == 1.0 && row[0].age_us == 5);
    ck_assert(row[1].flags == TWIN_SERIES_UNCOVERED && isnan(row[1].value));
    ck_assert_int_eq(twin_align_next(a, &at, row), TWIN_OK);
    ck_assert_int_eq(at, T0 + 15);
    ck_assert_int_eq(twin_align_next(a, &at, row), TWIN_DONE);
    twin_align_destroy(a);
}
END_TEST

START_TEST(test_align_bad_input_returns_status)
{
    twin_align *a = (twin_align *)1;
    twin_align_options o;
    twin_error e = {0, 0, ""};
    twin_series_value row[1];
    int64_t at;
    size_t refused;
    twin_align_sample s[3] = {{5, 0, T0, 1.0}, {0, 0, T0, NAN}, {0, 0, T0, 1.0}};
    twin_align_options_init(&o);
    o.nsignals = 0;
    ck_assert_int_eq(twin_align_create(&a, &o, &e), TWIN_E_INVAL);
    ck_assert_ptr_null(a);
    ck_assert(e.message[0]);
    twin_align_options_init(&o);
    o.step_us = 0;
    ck_assert_int_eq(twin_align_create(&a, &o, &e), TWIN_E_INVAL);
    twin_align_options_init(&o);
    o.tolerance_us = -1;
    ck_assert_int_eq(twin_align_create(&a, &o, &e), TWIN_E_INVAL);
    twin_align_options_init(&o);
    o.policy = 5;
    ck_assert_int_eq(twin_align_create(&a, &o, &e), TWIN_E_INVAL);
    twin_align_options_init(&o);
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_align_create(&a, &o, &e), TWIN_E_ABI);
    ck_assert_int_eq(twin_align_create(NULL, NULL, &e), TWIN_E_INVAL);
    ck_assert_int_eq(twin_align_create(&a, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_align_push(a, s, 3, &refused), TWIN_OK);
    ck_assert_uint_eq(refused, 2);
    ck_assert_int_eq(twin_align_push(a, s + 2, 1, &refused), TWIN_OK);
    ck_assert_uint_eq(refused, 1);  /* a second sample at T0 */
    ck_assert_int_eq(twin_align_push(a, NULL, 1, &refused), TWIN_E_INVAL);
    ck_assert(twin_align_last_error(a)->message[0]);
    ck_assert_int_eq(twin_align_next(a, NULL, row), TWIN_E_INVAL);
    ck_assert_int_eq(twin_align_next(NULL, &at, row), TWIN_E_INVAL);
    ck_assert_int_eq(twin_align_flush(NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_align_last_error(NULL)->status, TWIN_E_INVAL);
    twin_align_destroy(a);
    twin_align_destroy(NULL);
}
END_TEST

START_TEST(test_align_allocation_failures_leak_nothing)
{
    for (unsigned n = 0;; n++) {
        failalloc fa;
        twin_align *a;
        twin_align_options o;
        twin_status s;
        size_t refused;
        twin_align_sample smp[40];
        failalloc_init(&fa);
        twin_align_options_init(&o);
        o.alloc = &fa.alloc;
        o.nsignals = 3;
        failalloc_arm(&fa, n);
        s = twin_align_create(&a, &o, NULL);
        if (s == TWIN_OK) {
            for (int i = 0; i < 40; i++) {
                smp[i].signal = (uint32_t)(i % 3);
                smp[i].reserved_ = 0;
                smp[i].t_us = T0 + i;
                smp[i].value = i;
            }
            s = twin_align_push(a, smp, 40, &refused);
            twin_align_destroy(a);
        }
        ck_assert(s == TWIN_OK || s == TWIN_E_NOMEM);
        ck_assert_uint_eq(fa.live_bytes, 0);
        failalloc_fini(&fa);
        if (s == TWIN_OK && fa.failures == 0) break;
        ck_assert(n < 100);
    }
}
END_TEST

START_TEST(test_align_and_series_options_older_size_take_defaults)
{
    twin_align *a;
    twin_align_options o;
    twin_series_options so;
    twin_series_value row[2], v;
    int64_t at, t[2] = {T0, T0 + 10};
    double x[2] = {1, 3};
    twin_align_sample s[2] = {{0, 0, T0, 1.0}, {0, 0, T0 + 2000000, 2.0}};
    memset(&o, 0, sizeof o);
    o.size = offsetof(twin_align_options, policy);  /* up to alloc */
    o.nsignals = 1;
    ck_assert_int_eq(twin_align_create(&a, &o, NULL), TWIN_OK);
    ck_assert_int_eq(twin_align_push(a, s, 2, NULL), TWIN_OK);
    /* defaults: previous, start 0, step 1 s; row 0 is long before the data */
    ck_assert_int_eq(twin_align_next(a, &at, row), TWIN_OK);
    ck_assert_int_eq(at, 0);
    ck_assert(row[0].flags == TWIN_SERIES_UNCOVERED);
    twin_align_destroy(a);
    memset(&so, 0, sizeof so);
    so.size = 8;
    ck_assert_int_eq(twin_series_at(t, x, 2, INT64_MIN, T0 + 5, &so, &v, NULL), TWIN_OK);
    ck_assert(v.value == 1 && v.age_us == 5);
}
END_TEST

static Suite *align_suite(void)
{
    Suite *s = suite_create("align");
    TCase *tc = tcase_create("align");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_align_rows_match_reference_on_random_streams);
    tcase_add_test(tc, test_align_watermark_forces_rows_and_marks_laggards);
    tcase_add_test(tc, test_align_bad_input_returns_status);
    tcase_add_test(tc, test_align_allocation_failures_leak_nothing);
    tcase_add_test(tc, test_align_and_series_options_older_size_take_defaults);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(align_suite());
}
