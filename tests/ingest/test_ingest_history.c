/* State at an instant and resampling (issue 18): twin_series_at() and the
 * ingest history reads against a brute-force reference on random data
 * (every policy, tolerances, late, duplicate and conflicting samples,
 * bounded histories), and their bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/clock_sim.h" /* sim_rng */
#include "support/ingest_fixture.h"
#include "support/run.h"

#define T0 1700000000000000LL
#define MAXS 2048

typedef struct smp {
    int64_t t;
    double v;
} smp;

static int64_t rnd(sim_rng *r, int64_t n)
{
    return (int64_t)(sim_next(r) % (uint64_t)n);
}

/* ---- the reference: the rules of series.h, by brute force ---------------------- */

static uint64_t udist(int64_t a, int64_t b)
{
    return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

/* prev/next over all samples at or after cf; returns 1 when covered. */
static int ref_at(const smp *s, size_t n, int64_t cf, int64_t at, int32_t policy, int64_t tol,
                  twin_series_value *out)
{
    int hp = 0, hn = 0, ok = 0;
    smp p = {0, 0}, q = {0, 0};
    uint64_t ut = (uint64_t)tol;
    for (size_t i = 0; i < n; i++) {
        if (s[i].t < cf) continue;
        if (s[i].t <= at && (!hp || s[i].t > p.t)) hp = 1, p = s[i];
        if (s[i].t >= at && (!hn || s[i].t < q.t)) hn = 1, q = s[i];
    }
    memset(out, 0, sizeof *out);
    if (at >= cf) {
        smp u = {0, 0};
        int have = 0;
        if (policy == TWIN_SERIES_PREVIOUS && hp) u = p, have = 1;
        if (policy == TWIN_SERIES_NEXT && hn) u = q, have = 1;
        if (policy == TWIN_SERIES_NEAREST) {
            if (hp && hn) u = udist(at, p.t) <= udist(q.t, at) ? p : q, have = 1;
            else if (hp) u = p, have = 1;
            else if (hn && (cf == INT64_MIN || udist(q.t, at) <= udist(at, cf))) u = q, have = 1;
        }
        if (policy == TWIN_SERIES_LINEAR) {
            if (hp && p.t == at) {
                u = p, have = 1;
            } else if (hp && hn && udist(at, p.t) <= ut && udist(q.t, at) <= ut) {
                out->value = p.v + (q.v - p.v) * ((double)(at - p.t) / (double)(q.t - p.t));
                out->t_us = p.t;
                out->age_us = at - p.t;
                out->flags = TWIN_SERIES_INTERPOLATED;
                ok = 1;
            }
        }
        if (have && udist(at, u.t) <= ut) {
            out->value = u.v;
            out->t_us = u.t;
            out->age_us = at - u.t;
            ok = 1;
        }
    }
    if (!ok) {
        memset(out, 0, sizeof *out);
        out->value = NAN;
        out->flags = TWIN_SERIES_UNCOVERED;
    }
    return ok;
}

static void assert_same(const twin_series_value *a, const twin_series_value *b, const char *what)
{
    ck_assert_msg(a->flags == b->flags && a->t_us == b->t_us && a->age_us == b->age_us &&
                      ((isnan(a->value) && isnan(b->value)) || a->value == b->value),
                  "%s: flags %u/%u t %lld/%lld age %lld/%lld value %.17g/%.17g", what, a->flags,
                  b->flags, (long long)a->t_us, (long long)b->t_us, (long long)a->age_us,
                  (long long)b->age_us, a->value, b->value);
}

static int64_t random_tolerance(sim_rng *r)
{
    switch (rnd(r, 4)) {
    case 0: return 0;
    case 1: return INT64_MAX;
    default: return rnd(r, 40);
    }
}

/* ---- twin_series_at ------------------------------------------------------------ */

START_TEST(test_series_at_matches_reference_on_random_data)
{
    sim_rng r = {1};
    int64_t t[64];
    double v[64];
    smp s[64];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)rnd(&r, 20), k = 0;
        int64_t x = T0 + rnd(&r, 10), cf, at;
        twin_series_options o;
        twin_series_value got, want;
        twin_status st;
        int covered;
        for (size_t i = 0; i < n; i++) {
            x += 1 + rnd(&r, 12);
            t[k] = x;
            v[k] = (double)rnd(&r, 1000) / 7;
            s[k].t = t[k];
            s[k].v = v[k];
            k++;
        }
        cf = rnd(&r, 3) == 0 ? INT64_MIN : T0 + rnd(&r, 120);
        at = T0 + rnd(&r, 150);
        twin_series_options_init(&o);
        o.policy = (int32_t)(1 + rnd(&r, 4));
        o.tolerance_us = random_tolerance(&r);
        o.flags = rnd(&r, 2) ? TWIN_SERIES_MARK_UNCOVERED : 0;
        st = twin_series_at(t, v, n, cf, at, &o, &got, NULL);
        covered = ref_at(s, n, cf, at, o.policy, o.tolerance_us, &want);
        ck_assert_int_eq(st, covered || o.flags ? TWIN_OK : TWIN_E_RANGE);
        assert_same(&got, &want, "series_at");
    }
}
END_TEST

START_TEST(test_series_at_bad_input_returns_status)
{
    int64_t t[3] = {T0, T0 + 5, T0 + 3};
    double v[3] = {1, 2, 3};
    twin_series_options o;
    twin_series_value out = {42, 1, 2, 3, 0};
    twin_error e = {0, 0, ""};
    twin_series_options_init(&o);
    o.tolerance_us = -1;
    ck_assert_int_eq(twin_series_at(t, v, 2, INT64_MIN, T0, &o, &out, &e), TWIN_E_INVAL);
    ck_assert(e.message[0]);
    ck_assert(out.value == 42);
    twin_series_options_init(&o);
    o.policy = 7;
    ck_assert_int_eq(twin_series_at(t, v, 2, INT64_MIN, T0, &o, &out, &e), TWIN_E_INVAL);
    ck_assert_int_eq(twin_series_at(t, v, 3, INT64_MIN, T0 + 4, NULL, &out, &e), TWIN_E_INVAL);
    ck_assert_int_eq(twin_series_at(NULL, v, 3, INT64_MIN, T0, NULL, &out, &e), TWIN_E_INVAL);
    o.policy = TWIN_SERIES_PREVIOUS;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_series_at(t, v, 2, INT64_MIN, T0, &o, &out, &e), TWIN_E_ABI);
    /* an instant before all data, and after a complete_from past the data */
    ck_assert_int_eq(twin_series_at(t, v, 2, INT64_MIN, T0 - 1, NULL, &out, &e), TWIN_E_RANGE);
    ck_assert(isnan(out.value) && out.flags == TWIN_SERIES_UNCOVERED);
    ck_assert_int_eq(twin_series_at(t, v, 2, T0 + 1, T0 + 2, NULL, &out, &e), TWIN_E_RANGE);
    ck_assert_int_eq(twin_series_at(t, v, 0, INT64_MIN, T0, NULL, &out, &e), TWIN_E_RANGE);
}
END_TEST

/* ---- resampling ------------------------------------------------------------------- */

static void ref_buckets(const smp *s, size_t n, int64_t cf, int64_t start, int64_t w, size_t nb,
                        twin_series_bucket *out)
{
    for (size_t k = 0; k < nb; k++) {
        double sum = 0;
        memset(&out[k], 0, sizeof out[k]);
        out[k].min = out[k].max = out[k].last = out[k].mean = NAN;
        for (size_t i = 0; i < n; i++) {
            if (s[i].t < cf || s[i].t < start + (int64_t)k * w || s[i].t >= start + (int64_t)(k + 1) * w)
                continue;
            if (!out[k].count || s[i].v < out[k].min) out[k].min = s[i].v;
            if (!out[k].count || s[i].v > out[k].max) out[k].max = s[i].v;
            if (!out[k].count || s[i].t > out[k].last_t_us) out[k].last = s[i].v, out[k].last_t_us = s[i].t;
            sum += s[i].v;
            out[k].count++;
        }
        if (out[k].count) out[k].mean = sum / (double)out[k].count;
    }
}

static void assert_buckets(const twin_series_bucket *a, const twin_series_bucket *b, size_t nb)
{
    for (size_t k = 0; k < nb; k++) {
        ck_assert_uint_eq(a[k].count, b[k].count);
        if (!a[k].count) {
            ck_assert(isnan(a[k].mean) && isnan(a[k].min) && isnan(a[k].max) && isnan(a[k].last));
            continue;
        }
        ck_assert(fabs(a[k].mean - b[k].mean) <= 1e-9 * (1 + fabs(b[k].mean)));
        ck_assert(a[k].min == b[k].min && a[k].max == b[k].max && a[k].last == b[k].last);
        ck_assert_int_eq(a[k].last_t_us, b[k].last_t_us);
    }
}

START_TEST(test_series_resample_matches_reference_in_any_order)
{
    sim_rng r = {2};
    int64_t t[200];
    double v[200];
    smp s[200];
    twin_series_bucket got[16], want[16];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = (size_t)rnd(&r, 200), nb = (size_t)(1 + rnd(&r, 16));
        int64_t start = T0 + rnd(&r, 100), w = 1 + rnd(&r, 40);
        for (size_t i = 0; i < n; i++) {
            t[i] = T0 + rnd(&r, 500);  /* any order, repeats too */
            v[i] = (double)rnd(&r, 100) - 50;
            s[i].t = t[i];
            s[i].v = v[i];
        }
        ck_assert_int_eq(twin_series_resample(t, v, n, start, w, nb, got, NULL), TWIN_OK);
        ref_buckets(s, n, INT64_MIN, start, w, nb, want);
        /* "last" among equal timestamps: the later in the array; the
           reference keeps the first, so compare only where unambiguous */
        for (size_t k = 0; k < nb; k++) {
            int dup = 0;
            for (size_t i = 0; i < n; i++)
                if (t[i] == want[k].last_t_us && v[i] != want[k].last) dup = 1;
            if (dup) got[k].last = want[k].last;
        }
        assert_buckets(got, want, nb);
    }
}
END_TEST

START_TEST(test_series_resample_bad_input_returns_status)
{
    int64_t t[1] = {T0};
    double v[1] = {1};
    twin_series_bucket b[2];
    ck_assert_int_eq(twin_series_resample(t, v, 1, T0, 0, 2, b, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_series_resample(t, v, 1, T0, -5, 2, b, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_series_resample(t, v, 1, T0, 1, 2, NULL, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_series_resample(t, v, 1, INT64_MAX - 5, 4, 2, b, NULL), TWIN_E_RANGE);
    ck_assert_int_eq(twin_series_resample(t, v, 1, T0, INT64_MAX / 2, 3, b, NULL), TWIN_E_RANGE);
}
END_TEST

/* ---- ingest's history -------------------------------------------------------------- */

/* A random stream into one signal: increasing timestamps with late,
 * duplicate and conflicting samples; accepted samples recorded in acc. */
static size_t stream(twin_signal h, sim_rng *r, int len, smp *acc)
{
    size_t na = 0;
    int64_t x = T0;
    smp sent[4096];
    int ns = 0;
    for (int i = 0; i < len; i++) {
        int64_t t;
        double v = (double)rnd(r, 1000) / 8;
        int kind = (int)rnd(r, 10);
        unsigned o;
        if (kind == 0 && ns) { /* an exact duplicate */
            smp d = sent[rnd(r, ns)];
            t = d.t;
            v = d.v;
        } else if (kind == 1 && ns) { /* a conflict or a late sample */
            t = sent[rnd(r, ns)].t - rnd(r, 3);
        } else if (kind == 2) {
            t = x - rnd(r, 40);  /* late */
        } else {
            x += 1 + rnd(r, 10);
            t = x;
        }
        o = put_sig(h, t, v);
        if (o == TWIN_INGEST_ACCEPTED || o == TWIN_INGEST_ACCEPTED_LATE) {
            acc[na].t = t;
            acc[na].v = v;
            na++;
        }
        if (ns < 4096) {
            sent[ns].t = t;
            sent[ns].v = v;
            ns++;
        }
    }
    return na;
}

START_TEST(test_ingest_state_at_matches_reference_on_random_streams)
{
    static const uint32_t hist[] = {0, 1, 4, 16, 256};
    sim_rng r = {3};
    static smp acc[MAXS];
    char name[32];
    for (int sgn = 0; sgn < 40; sgn++) {
        uint32_t history = hist[sgn % 5];
        int len = 20 + (int)rnd(&r, sgn % 2 ? 400 : 150);
        twin_signal h;
        size_t na, nh;
        int64_t cf, ht[TWIN_INGEST_HISTORY_MAX + 1];
        double hv[TWIN_INGEST_HISTORY_MAX + 1];
        smp known[TWIN_INGEST_HISTORY_MAX + 1];
        size_t nk = 0;
        snprintf(name, sizeof name, "s%d", sgn);
        h = sig_add("pump1", name, NULL, TWIN_INGEST_ORDER_WINDOW, rnd(&r, 60), history);
        na = stream(h, &r, len, acc);
        /* the known samples are exactly the accepted ones from complete_from on */
        ck_assert_int_eq(twin_ingest_get_history(ing, h, ht, hv, TWIN_INGEST_HISTORY_MAX + 1, &nh,
                                                 &cf),
                         TWIN_OK);
        for (size_t i = 0; i < na; i++)
            if (acc[i].t >= cf) known[nk++] = acc[i];
        ck_assert_uint_eq(nh, nk);
        for (size_t i = 0; i < nh; i++) {
            int found = 0;
            if (i) ck_assert(ht[i] > ht[i - 1]);
            for (size_t j = 0; j < nk; j++)
                if (known[j].t == ht[i] && known[j].v == hv[i]) found = 1;
            ck_assert(found);
        }
        if (history == 256 && na <= 256) ck_assert_int_eq(cf, INT64_MIN);
        for (int q = 0; q < 300; q++) {
            int64_t at = T0 - 20 + rnd(&r, (int64_t)(len * 6 + 60));
            twin_series_options o;
            twin_series_value got, viaseries, truth;
            twin_status st;
            int tc;
            twin_series_options_init(&o);
            o.policy = (int32_t)(1 + rnd(&r, 4));
            o.tolerance_us = random_tolerance(&r);
            st = twin_ingest_state_at(ing, &h, 1, at, &o, &got, NULL);
            /* the same read over the copied history, through twin_series_at() */
            twin_series_at(ht, hv, nh, cf, at, &o, &viaseries, NULL);
            assert_same(&got, &viaseries, "ingest vs series");
            tc = ref_at(acc, na, INT64_MIN, at, o.policy, o.tolerance_us, &truth);
            if (st == TWIN_OK) {
                assert_same(&got, &truth, "ingest vs truth");
            } else {
                /* refused: the truth is not covered either, or it needs a
                   sample older than what the history still knows */
                int forgotten_prev = 0;
                ck_assert_int_eq(st, TWIN_E_RANGE);
                for (size_t i = 0; i < na; i++)
                    if (acc[i].t <= at && acc[i].t < cf) forgotten_prev = 1;
                ck_assert_msg(!tc || at < cf ||
                                  (o.policy != TWIN_SERIES_NEXT && forgotten_prev),
                              "refused a covered read: policy %d at %lld cf %lld", o.policy,
                              (long long)at, (long long)cf);
            }
            if (cf == INT64_MIN) ck_assert_int_eq(st == TWIN_OK, tc);
        }
        /* buckets: those of the known samples */
        {
            twin_series_bucket got[12], want[12];
            int64_t w = 1 + rnd(&r, 30), start = T0 + rnd(&r, 200);
            ck_assert_int_eq(twin_ingest_resample(ing, h, start, w, 12, got, NULL), TWIN_OK);
            ref_buckets(acc, na, cf, start, w, 12, want);
            assert_buckets(got, want, 12);
        }
    }
}
END_TEST

START_TEST(test_ingest_state_at_refuses_or_marks_uncovered)
{
    twin_signal h[2];
    twin_series_value out[2];
    twin_series_options o;
    twin_error e = {0, 0, ""};
    h[0] = sig_add("pump1", "a", NULL, TWIN_INGEST_ORDER_REJECT, 0, 16);
    h[1] = sig_add("pump2", "b", NULL, TWIN_INGEST_ORDER_REJECT, 0, 16);
    put_sig(h[0], T0, 1.0);
    put_sig(h[0], T0 + 10, 2.0);
    put_sig(h[1], T0 + 8, 5.0);
    twin_series_options_init(&o);
    o.policy = TWIN_SERIES_LINEAR;
    /* at T0 + 5: a is interpolated, b has nothing before */
    ck_assert_int_eq(twin_ingest_state_at(ing, h, 2, T0 + 5, &o, out, &e), TWIN_E_RANGE);
    ck_assert(e.message[0]);
    ck_assert(out[0].value == 1.5 && out[0].flags == TWIN_SERIES_INTERPOLATED);
    ck_assert_int_eq(out[0].age_us, 5);
    ck_assert(out[1].flags == TWIN_SERIES_UNCOVERED && isnan(out[1].value));
    o.flags = TWIN_SERIES_MARK_UNCOVERED;
    ck_assert_int_eq(twin_ingest_state_at(ing, h, 2, T0 + 5, &o, out, &e), TWIN_OK);
    ck_assert(out[1].flags == TWIN_SERIES_UNCOVERED);
    /* previous, tolerance 3: at T0 + 9, a's previous is 9 old, refused */
    twin_series_options_init(&o);
    o.tolerance_us = 3;
    ck_assert_int_eq(twin_ingest_state_at(ing, h, 2, T0 + 9, &o, out, &e), TWIN_E_RANGE);
    ck_assert_int_eq(twin_ingest_state_at(ing, h, 2, T0 + 10, &o, out, &e), TWIN_OK);
    ck_assert(out[0].value == 2.0 && out[0].age_us == 0);
    ck_assert(out[1].value == 5.0 && out[1].age_us == 2);
    /* next: nothing after the latest yet (the future) */
    o.policy = TWIN_SERIES_NEXT;
    ck_assert_int_eq(twin_ingest_state_at(ing, h, 1, T0 + 11, &o, out, &e), TWIN_E_RANGE);
}
END_TEST

START_TEST(test_ingest_history_without_ring_knows_only_latest)
{
    twin_signal h = sig_add("pump1", "x", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    int64_t t[4], cf;
    double v[4];
    size_t n;
    twin_series_value out;
    ck_assert_int_eq(twin_ingest_get_history(ing, h, t, v, 4, &n, &cf), TWIN_OK);
    ck_assert_uint_eq(n, 0);
    put_sig(h, T0, 1.0);
    put_sig(h, T0 + 5, 3.0);
    ck_assert_int_eq(twin_ingest_get_history(ing, h, t, v, 4, &n, &cf), TWIN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(cf, T0 + 5);
    ck_assert(t[0] == T0 + 5 && v[0] == 3.0);
    ck_assert_int_eq(twin_ingest_state_at(ing, &h, 1, T0 + 7, NULL, &out, NULL), TWIN_OK);
    ck_assert(out.value == 3.0 && out.age_us == 2);
    ck_assert_int_eq(twin_ingest_state_at(ing, &h, 1, T0 + 4, NULL, &out, NULL), TWIN_E_RANGE);
}
END_TEST

START_TEST(test_ingest_history_bad_input_returns_status)
{
    twin_signal h = sig_add("pump1", "y", NULL, TWIN_INGEST_ORDER_REJECT, 0, 4), stale;
    int64_t t[4];
    double v[4];
    size_t n = 9;
    twin_series_value out = {42, 0, 0, 0, 0};
    twin_series_bucket b[2];
    twin_series_options o;
    twin_error e = {0, 0, ""};
    put_sig(h, T0, 1.0);
    put_sig(h, T0 + 1, 2.0);
    ck_assert_int_eq(twin_ingest_get_history(ing, h, t, v, 1, &n, NULL), TWIN_E_RANGE);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(twin_ingest_get_history(ing, h, NULL, NULL, 0, &n, NULL), TWIN_E_RANGE);
    ck_assert_int_eq(twin_ingest_get_history(NULL, h, t, v, 4, &n, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_get_history(ing, h, t, v, 4, NULL, NULL), TWIN_E_INVAL);
    twin_series_options_init(&o);
    o.tolerance_us = -1;
    ck_assert_int_eq(twin_ingest_state_at(ing, &h, 1, T0, &o, &out, &e), TWIN_E_INVAL);
    ck_assert(e.message[0] && out.value == 42);
    twin_series_options_init(&o);
    o.policy = 0;
    ck_assert_int_eq(twin_ingest_state_at(ing, &h, 1, T0, &o, &out, &e), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_resample(ing, h, T0, 0, 2, b, &e), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_remove_twin(ing, "pump1"), TWIN_OK);
    stale = h;
    ck_assert_int_eq(twin_ingest_state_at(ing, &stale, 1, T0, NULL, &out, &e), TWIN_E_NOTFOUND);
    ck_assert(out.value == 42);
    ck_assert_int_eq(twin_ingest_get_history(ing, stale, t, v, 4, &n, NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_ingest_resample(ing, stale, T0, 1, 2, b, &e), TWIN_E_NOTFOUND);
}
END_TEST

static Suite *history_suite(void)
{
    Suite *s = suite_create("ingest_history");
    TCase *tc = tcase_create("series");
    tcase_add_test(tc, test_series_at_matches_reference_on_random_data);
    tcase_add_test(tc, test_series_at_bad_input_returns_status);
    tcase_add_test(tc, test_series_resample_matches_reference_in_any_order);
    tcase_add_test(tc, test_series_resample_bad_input_returns_status);
    suite_add_tcase(s, tc);
    tc = tcase_create("ingest");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ingest_state_at_matches_reference_on_random_streams);
    tcase_add_test(tc, test_ingest_state_at_refuses_or_marks_uncovered);
    tcase_add_test(tc, test_ingest_history_without_ring_knows_only_latest);
    tcase_add_test(tc, test_ingest_history_bad_input_returns_status);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(history_suite());
}
