/* Ingest correcting timestamps by the source's clock (issue 18): a source
 * with an offset and a skew corrects to the truth within the model's
 * uncertainty; a source out of tolerance is flagged and counted; a clock
 * step; samples of signals without a source unchanged bit for bit; bad
 * input. */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/clock_sim.h"
#include "support/ingest_fixture.h"
#include "support/run.h"

#define T0 1700000000000000LL
#define N 180

#define ASSERT_OK(x) ck_assert_msg((x) == TWIN_OK, "%s: %s", #x, twin_ingest_last_error(ing)->message)

typedef struct src_sim {
    sim_source c;
    int64_t prev_receive;
} src_sim;

/* A pair of a simulated source as sim_pair() makes it, with the true host
 * time at which the source stamped it. */
static void pair(src_sim *s, sim_rng *r, int k, int64_t *sent, int64_t *source_us,
                 int64_t *receive_us)
{
    double delay;
    *sent = s->c.t0 + (int64_t)k * 1000000 + (int64_t)(sim_unif(r) * 10000);
    delay = sim_exp(r, s->c.delay_mean_us);
    if (sim_unif(r) < 0.05) delay += sim_exp(r, 300000);
    *source_us = (int64_t)llround(sim_source_time(&s->c, *sent));
    *receive_us = *sent + (int64_t)llround(delay);
    /* the host takes a source's samples in order (one connection) */
    if (*receive_us <= s->prev_receive) *receive_us = s->prev_receive + 1;
    s->prev_receive = *receive_us;
}

static twin_ingest_source_info info_of(twin_source src)
{
    twin_ingest_source_info i;
    memset(&i, 0, sizeof i);
    i.size = sizeof i;
    ck_assert_int_eq(twin_ingest_get_source(ing, src, &i, NULL), TWIN_OK);
    return i;
}

static twin_ingest_correction corr_of(twin_signal sig)
{
    twin_ingest_correction c;
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    ck_assert_int_eq(twin_ingest_signal_source(ing, sig, &c), TWIN_OK);
    return c;
}

static twin_source source_add(const char *name, int64_t tol_offset_us, double tol_skew_ppm)
{
    twin_clock_options co;
    twin_source src = 0;
    twin_clock_options_init(&co);
    co.tolerance_offset_us = tol_offset_us;
    co.tolerance_skew_ppm = tol_skew_ppm;
    ASSERT_OK(twin_ingest_add_source(ing, name, &co, &src));
    ck_assert(src != 0);
    return src;
}

START_TEST(test_source_corrects_to_truth_within_uncertainty)
{
    /* three sources: offsets of -2 s, 0.7 s, 1.9 s, skews of 100, -60, 35 ppm */
    static const double ahead[3] = {2e6, -0.7e6, -1.9e6}, skew[3] = {100, -60, 35};
    src_sim s[3];
    twin_source src[3];
    twin_signal sig[3];
    sim_rng r = {0x5eed};
    int64_t sent[3][N];
    int within = 0, counted = 0;
    double worst_after_60 = 0;
    char name[16];

    for (int j = 0; j < 3; j++) {
        s[j].c.ahead_us = ahead[j];
        s[j].c.skew_ppm = skew[j];
        s[j].c.delay_mean_us = 2000 + 1000 * j;
        s[j].c.t0 = T0;
        s[j].c.step_at = 0;
        s[j].c.step_us = 0;
        s[j].prev_receive = 0;
        snprintf(name, sizeof name, "plc%d", j);
        src[j] = source_add(name, INT64_MAX, INFINITY);
        sig[j] = sig_add(j == 2 ? "motor1" : j ? "pump2" : "pump1", "temperature", NULL,
                         TWIN_INGEST_ORDER_REJECT, 0, TWIN_INGEST_HISTORY_MAX);
        ASSERT_OK(twin_ingest_set_signal_source(ing, sig[j], src[j]));
    }
    for (int k = 0; k < N; k++)
        for (int j = 0; j < 3; j++) {
            int64_t st, rt, t;
            twin_ingest_source_info in;
            double unc, err;
            pair(&s[j], &r, k, &sent[j][k], &st, &rt);
            ASSERT_OK(twin_ingest_observe_source(ing, src[j], st, rt));
            if (k < 3) continue;  /* samples wait for an estimate (min_pairs 4) */
            /* by handle for two of them, by name for the third */
            if (j == 2)
                ck_assert_uint_eq(put_name("motor1", "temperature", st, k, NULL),
                                  TWIN_INGEST_ACCEPTED);
            else
                ck_assert_uint_eq(put_sig(sig[j], st, k), TWIN_INGEST_ACCEPTED);
            in = info_of(src[j]);
            (void)latest(sig[j], &t);
            {
                twin_ingest_correction cr = corr_of(sig[j]);
                ck_assert_int_eq(cr.t_us, t);
                ck_assert_int_eq(cr.source_t_us, st);
                ck_assert_uint_eq(cr.flags, 0);
                ck_assert(cr.source == src[j]);
                unc = cr.uncertainty_us;
            }
            ck_assert_int_eq(in.estimated, 1);
            ck_assert(unc == in.offset_uncertainty_us +
                                 in.skew_uncertainty_ppm * 1e-6 * fabs((double)(t - in.t_us)));
            err = fabs((double)(t - sent[j][k]));
            if (k >= 20) {
                counted++;
                within += err <= unc + 1;  /* +1: the timestamp is rounded */
            }
            if (k >= 60 && err > worst_after_60) worst_after_60 = err;
        }
    /* about 95% within the uncertainty (the model's calibration), and the
     * issue's accuracy: within 1 ms of truth after 60 s */
    ck_assert_msg(within >= counted * 9 / 10, "%d of %d within the uncertainty", within,
                  counted);
    ck_assert_msg(worst_after_60 < 1000, "worst error after 60 s %.0f us", worst_after_60);
    for (int j = 0; j < 3; j++) {
        twin_ingest_source_info in = info_of(src[j]);
        int64_t ts[N];
        double vs[N];
        size_t n = 0;
        ck_assert_str_eq(in.name, j == 0 ? "plc0" : j == 1 ? "plc1" : "plc2");
        ck_assert_uint_eq(in.signals, 1);
        ck_assert_uint_eq(in.pairs, N);
        ck_assert_uint_eq(in.pairs_refused, 0);
        ck_assert_uint_eq(in.uncorrected, 0);
        ck_assert_uint_eq(in.corrected, N - 3);
        ck_assert_uint_eq(in.out_of_tolerance, 0);
        ck_assert(fabs((double)in.offset_us + ahead[j] + skew[j] * 1e-6 * (double)(in.t_us - T0)) <
                  1000);
        ck_assert(fabs(in.skew_ppm - skew[j]) < 5);
        /* the history and the store hold host time */
        ck_assert_int_eq(twin_ingest_get_history(ing, sig[j], ts, vs, N, &n, NULL), TWIN_OK);
        ck_assert_uint_eq(n, N - 3);
        ck_assert(fabs((double)(ts[n - 1] - sent[j][N - 1])) < 1000);
        ck_assert(vs[n - 1] == N - 1);
    }
    {
        static twin_signal_sample got[4 * N];
        size_t n;
        ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
        n = memstore_samples(&ms, got, 4 * N);
        ck_assert_uint_eq(n, 3 * (N - 3));
        ck_assert(fabs((double)(got[n - 1].t_us - sent[2][N - 1])) < 1000);
    }
    /* within tolerance, corrected: no flags, no events */
    ck_assert_uint_eq(nevents, 0);
}
END_TEST

START_TEST(test_source_out_of_tolerance_is_flagged_and_counted)
{
    src_sim far = {{1.5e6, 20, 2000, T0, 0, 0}, 0}, near = {{-3000, 5, 2000, T0, 0, 0}, 0};
    src_sim fast = {{0, 90, 2000, T0, 0, 0}, 0};
    twin_source a = source_add("far", 100000, INFINITY);   /* 100 ms */
    twin_source b = source_add("near", 100000, INFINITY);
    twin_source c = source_add("fast", INT64_MAX, 50);     /* 50 ppm */
    twin_signal sa = sig_add("pump1", "flow", NULL, TWIN_INGEST_ORDER_WINDOW, 60000000, 16);
    twin_signal sb = sig_add("pump2", "flow", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    twin_signal sc = sig_add("motor1", "flow", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    sim_rng r = {7};
    size_t flagged_a = 0, flagged_b = 0, flagged_c = 0;
    ASSERT_OK(twin_ingest_set_signal_source(ing, sa, a));
    ASSERT_OK(twin_ingest_set_signal_source(ing, sb, b));
    ASSERT_OK(twin_ingest_set_signal_source(ing, sc, c));
    for (int k = 0; k < 90; k++) {
        int64_t sent, st, rt;
        size_t before = nevents;
        pair(&far, &r, k, &sent, &st, &rt);
        ASSERT_OK(twin_ingest_observe_source(ing, a, st, rt));
        if (k >= 3) {
            ck_assert_uint_eq(put_sig(sa, st, k), TWIN_INGEST_ACCEPTED);
            const twin_ingest_event *ev = &events[nevents - 1];
            twin_ingest_correction cr = corr_of(sa);
            ck_assert_uint_eq(nevents, before + 1);
            ck_assert_uint_eq(ev->flags, TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE);
            ck_assert(ev->signal == sa && cr.source == a && cr.source_t_us == st);
            ck_assert_uint_eq(cr.flags, TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE);
            ck_assert_int_eq(cr.t_us, ev->t_us);
            ck_assert(fabs((double)(ev->t_us - sent)) < 20000);  /* corrected all the same */
            ck_assert(isfinite(cr.uncertainty_us) && cr.uncertainty_us >= 0);
            flagged_a++;
        }
        pair(&near, &r, k, &sent, &st, &rt);
        ASSERT_OK(twin_ingest_observe_source(ing, b, st, rt));
        before = nevents;
        if (k >= 3) ck_assert_uint_eq(put_sig(sb, st, k), TWIN_INGEST_ACCEPTED);
        ck_assert_uint_eq(nevents, before);
        pair(&fast, &r, k, &sent, &st, &rt);
        ASSERT_OK(twin_ingest_observe_source(ing, c, st, rt));
        before = nevents;
        if (k < 3) continue;
        ck_assert_uint_eq(put_sig(sc, st, k), TWIN_INGEST_ACCEPTED);
        if (nevents > before && (events[nevents - 1].flags & TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE))
            flagged_c++;
    }
    for (size_t i = 0; i < nevents; i++)
        if (events[i].signal == sb) flagged_b++;
    ck_assert_uint_eq(flagged_a, 87);
    ck_assert_uint_eq(flagged_b, 0);
    ck_assert_uint_eq(info_of(a).out_of_tolerance, 87);
    ck_assert_uint_eq(info_of(a).corrected, 87);
    ck_assert(info_of(a).clock_flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
    ck_assert_uint_eq(info_of(b).out_of_tolerance, 0);
    ck_assert(!(info_of(b).clock_flags & TWIN_CLOCK_OUT_OF_TOLERANCE));
    /* the skew's tolerance: flagged once the skew is known beyond 50 ppm */
    ck_assert(flagged_c > 40);
    ck_assert_uint_eq(info_of(c).out_of_tolerance, flagged_c);
    ck_assert(info_of(c).clock_flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
    /* late samples are flagged too */
    {
        ck_assert_uint_eq(put_sig(sa, T0 - (int64_t)1.5e6 + 80000000, 1), TWIN_INGEST_ACCEPTED_LATE);
        ck_assert_uint_eq(events[nevents - 1].flags, TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE);
        ck_assert_uint_eq(info_of(a).out_of_tolerance, 88);
    }
}
END_TEST

START_TEST(test_source_clock_step)
{
    /* 0.5 s ahead, 40 ppm; at 100 s the clock is set forward by 30 s */
    src_sim s = {{0.5e6, 40, 2000, T0, T0 + 100000000, 30e6}, 0};
    twin_source src = source_add("gateway", INT64_MAX, INFINITY);
    twin_signal sig = sig_add("pump1", "pressure", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    sim_rng r = {99};
    int last_bad = -1;
    ASSERT_OK(twin_ingest_set_signal_source(ing, sig, src));
    for (int k = 0; k < 200; k++) {
        int64_t sent, st, rt, t;
        pair(&s, &r, k, &sent, &st, &rt);
        ASSERT_OK(twin_ingest_observe_source(ing, src, st, rt));
        ck_assert_uint_eq(put_sig(sig, st, k), TWIN_INGEST_ACCEPTED);
        (void)latest(sig, &t);
        if (k >= 60 && llabs(t - sent) >= 1000) last_bad = k;
    }
    /* the samples after the step are back within 1 ms of the truth within
     * 30 samples (the envelope restarts from the step) */
    ck_assert_msg(last_bad < 130, "last sample off by 1 ms or more: %d", last_bad);
    {
        twin_clock clock;
        twin_clock_estimate e;
        e.size = sizeof e;
        ck_assert_int_eq(twin_ingest_get_source(ing, src, NULL, &clock), TWIN_OK);
        ck_assert_int_eq(twin_clock_get_estimate(&clock, &e, NULL), TWIN_OK);
        ck_assert_uint_eq(e.steps, 1);
        ck_assert(fabs((double)e.offset_us - sim_true_offset(&s.c, e.t_us)) < 1000);
    }
}
END_TEST

/* The same random stream of samples into signal "pump1/x" of two handles:
 * one without sources, one where other signals have sources fed with
 * pairs between its samples. */
static void stream(twin_ingest *h, twin_signal sig, twin_signal other, twin_source src,
                   uint8_t *out, size_t n)
{
    sim_rng r = {1234};
    int64_t t = T0;
    double last = 0;
    for (size_t i = 0; i < n; i++) {
        twin_signal_sample s;
        int64_t step = (int64_t)(sim_next(&r) % 3000000) - 1000000;  /* late now and then */
        uint64_t dup = sim_next(&r) % 10;
        s.signal = sig;
        if (dup) t += step;
        s.t_us = t;
        s.value = last = dup ? sim_unif(&r) * 100 : last;
        ck_assert_int_eq(twin_ingest_write_signals(h, &s, 1, &out[i], NULL), TWIN_OK);
        if (src) {
            twin_signal_sample o = {other, T0 + (int64_t)i * 1000000 + 777, (double)i};
            uint8_t oo;
            ck_assert_int_eq(twin_ingest_observe_source(h, src, o.t_us, o.t_us + 2500),
                             TWIN_OK);
            ck_assert_int_eq(twin_ingest_write_signals(h, &o, 1, &oo, NULL), TWIN_OK);
        }
    }
}

static twin_ingest_event plain_ev[512], clocked_ev[512];
static size_t nplain, nclocked;
static void rec_plain(void *ud, const twin_ingest_event *ev)
{
    (void)ud;
    if (nplain < 512) plain_ev[nplain++] = *ev;
}
static void rec_clocked(void *ud, const twin_ingest_event *ev)
{
    (void)ud;
    if (nclocked < 512) clocked_ev[nclocked++] = *ev;
}

START_TEST(test_signals_without_source_unchanged_bit_for_bit)
{
    enum { M = 400 };
    twin_ingest *h[2];
    twin_signal sig[2], other = 0;
    twin_source src;
    uint8_t out[2][M];
    int64_t ts[2][64];
    double vs[2][64];
    size_t n[2];
    int64_t cf[2];
    twin_ingest_stats s0, s1;
    nplain = nclocked = 0;
    for (int j = 0; j < 2; j++) {
        twin_ingest_options io;
        twin_signal_options so;
        twin_ingest_options_init(&io);
        io.on_event = j ? rec_clocked : rec_plain;
        ck_assert_int_eq(twin_ingest_create(&h[j], g, &io), TWIN_OK);
        twin_signal_options_init(&so);
        so.order = TWIN_INGEST_ORDER_WINDOW;
        so.reorder_window_us = 1500000;
        so.history = 64;
        so.alarm_high = 60;  /* events */
        ck_assert_int_eq(twin_ingest_add_signal(h[j], "pump1", "x", &so, &sig[j]), TWIN_OK);
    }
    ck_assert_int_eq(twin_ingest_add_signal(h[1], "pump2", "y", NULL, &other), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_source(h[1], "plc", NULL, &src), TWIN_OK);
    ck_assert_int_eq(twin_ingest_set_signal_source(h[1], other, src), TWIN_OK);
    stream(h[0], sig[0], 0, 0, out[0], M);
    stream(h[1], sig[1], other, src, out[1], M);
    ck_assert(memcmp(out[0], out[1], M) == 0);
    for (int j = 0; j < 2; j++)
        ck_assert_int_eq(twin_ingest_get_history(h[j], sig[j], ts[j], vs[j], 64, &n[j], &cf[j]),
                         TWIN_OK);
    ck_assert_uint_eq(n[0], n[1]);
    ck_assert_int_eq(cf[0], cf[1]);
    ck_assert(memcmp(ts[0], ts[1], n[0] * sizeof ts[0][0]) == 0);
    ck_assert(memcmp(vs[0], vs[1], n[0] * sizeof vs[0][0]) == 0);
    s0.size = s1.size = sizeof s0;
    ck_assert_int_eq(twin_ingest_get_stats(h[0], sig[0], &s0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_stats(h[1], sig[1], &s1), TWIN_OK);
    ck_assert(memcmp(&s0, &s1, sizeof s0) == 0);
    ck_assert(s0.outcomes[TWIN_INGEST_ACCEPTED_LATE] > 0 && s0.outcomes[TWIN_INGEST_DUPLICATE] > 0);
    /* the events of x are the same, with no source; y had its own */
    {
        size_t k = 0;
        ck_assert_uint_gt(nplain, 10);
        for (size_t i = 0; i < nclocked; i++) {
            if (clocked_ev[i].signal != sig[1]) continue;
            ck_assert_uint_lt(k, nplain);
            ck_assert(memcmp(&clocked_ev[i], &plain_ev[k], sizeof plain_ev[k]) == 0);
            k++;
        }
        ck_assert_uint_eq(k, nplain);
    }
    twin_ingest_destroy(h[0]);
    twin_ingest_destroy(h[1]);
}
END_TEST

/* A snapshot restore replaces the signals: the sources stay (snapshots do
 * not hold them, ingest.h), given to none of the restored signals, and
 * their counts say so; a source given again counts one signal. Before the
 * fix the source went on counting the signals the restore had freed. */
START_TEST(test_source_counts_after_snapshot_restore)
{
    twin_signal a, b, ra = 0;
    twin_source src;
    bytes snap = {0};
    reader rd;
    twin_ingest_correction c;
    a = sig_add("pump1", "x", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    b = sig_add("pump2", "x", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    src = source_add("plc", 0, 0);
    ASSERT_OK(twin_ingest_set_signal_source(ing, a, src));
    ASSERT_OK(twin_ingest_set_signal_source(ing, b, src));
    ck_assert_uint_eq(info_of(src).signals, 2);
    ASSERT_OK(twin_snapshot_save(g, ing, bytes_write, &snap));
    memset(&rd, 0, sizeof rd);
    rd.p = snap.p;
    rd.n = snap.n;
    rd.fail_after = SIZE_MAX;
    ASSERT_OK(twin_snapshot_restore(g, ing, reader_read, &rd));
    ck_assert_uint_eq(info_of(src).signals, 0);
    /* the sources stayed with the handle, found by name as before */
    {
        twin_source found = 0, other = 0;
        ASSERT_OK(twin_ingest_find_source(ing, "plc", &found));
        ck_assert_uint_eq(found, src);
        ck_assert_int_eq(twin_ingest_add_source(ing, "plc", NULL, NULL), TWIN_E_EXISTS);
        ASSERT_OK(twin_ingest_add_source(ing, "plc2", NULL, &other));
        ASSERT_OK(twin_ingest_find_source(ing, "plc2", &found));
        ck_assert_uint_eq(found, other);
    }
    {
        uint64_t cur = 0;
        twin_signal h;
        int n = 0;
        while (twin_ingest_signals_next(ing, &cur, &h) == TWIN_OK) {
            memset(&c, 0, sizeof c);
            c.size = sizeof c;
            ck_assert_int_eq(twin_ingest_signal_source(ing, h, &c), TWIN_OK);
            ck_assert_uint_eq(c.source, 0);
            ra = h;
            n++;
        }
        ck_assert_int_eq(n, 2);
    }
    ASSERT_OK(twin_ingest_set_signal_source(ing, ra, src));
    ck_assert_uint_eq(info_of(src).signals, 1);
    bytes_free(&snap);
}
END_TEST

START_TEST(test_source_declared_offset_and_host_clock)
{
    twin_clock_options co;
    twin_source known, mine;
    twin_signal a = sig_add("pump1", "a", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    twin_signal b = sig_add("pump2", "b", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    twin_clock clock;
    twin_ingest_source_info in;
    int64_t t;
    twin_clock_options_init(&co);
    co.kind = TWIN_CLOCK_KNOWN_OFFSET;
    co.offset_us = 3600000000LL;  /* stamps an hour behind */
    ASSERT_OK(twin_ingest_add_source(ing, "local-plc", &co, &known));
    ASSERT_OK(twin_ingest_set_signal_source(ing, a, known));
    /* a declared offset corrects from the first sample, exactly */
    ck_assert_uint_eq(put_sig(a, T0, 1), TWIN_INGEST_ACCEPTED);
    (void)latest(a, &t);
    ck_assert_int_eq(t, T0 + 3600000000LL);
    ck_assert_uint_eq(nevents, 0);
    /* a model the host made and fed itself, handed in */
    ck_assert_int_eq(twin_clock_init(&clock, NULL, NULL), TWIN_OK);
    for (int k = 0; k < 10; k++)
        ck_assert_int_eq(twin_clock_observe(&clock, T0 + k * 1000000LL,
                                            T0 + k * 1000000LL + 250000 + 100, NULL),
                         TWIN_OK);
    ASSERT_OK(twin_ingest_add_source(ing, "mine", NULL, &mine));
    ASSERT_OK(twin_ingest_set_signal_source(ing, b, mine));
    ASSERT_OK(twin_ingest_set_source_clock(ing, mine, &clock));
    in = info_of(mine);
    ck_assert_int_eq(in.estimated, 1);
    ck_assert_uint_eq(in.pairs, 0);  /* pairs handed in through the handle */
    ck_assert(llabs(in.offset_us - 250000) < 200);
    ck_assert_uint_eq(put_name("pump2", "b", T0 + 20000000, 2, NULL), TWIN_INGEST_ACCEPTED);
    (void)latest(b, &t);
    ck_assert(llabs(t - (T0 + 20000000 + 250000)) < 200);
    /* taken away: timestamps as they come */
    ASSERT_OK(twin_ingest_set_signal_source(ing, b, 0));
    ck_assert_uint_eq(put_sig(b, T0 + 30000000, 3), TWIN_INGEST_ACCEPTED);
    (void)latest(b, &t);
    ck_assert_int_eq(t, T0 + 30000000);
    ck_assert_uint_eq(info_of(mine).signals, 0);
    /* removing the twin's signals leaves the source */
    ck_assert_uint_eq(info_of(known).signals, 1);
    ck_assert_int_eq(twin_ingest_remove_twin(ing, "pump1"), TWIN_OK);
    ck_assert_uint_eq(info_of(known).signals, 0);
}
END_TEST

START_TEST(test_source_bad_input_returns_status)
{
    twin_clock_options co;
    twin_source src, found;
    twin_signal sig = sig_add("pump1", "x", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    twin_clock junk;
    twin_ingest_source_info in;
    twin_ingest_correction cr;
    uint64_t cursor = 0;
    char longname[TWIN_ID_MAX + 2];
    twin_clock_options_init(&co);
    co.tolerance_offset_us = -1;
    ck_assert_int_eq(twin_ingest_add_source(ing, "bad", &co, &src), TWIN_E_INVAL);
    ck_assert(src == 0 && twin_ingest_last_error(ing)->message[0]);
    ck_assert_int_eq(twin_ingest_add_source(ing, "", NULL, &src), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_add_source(ing, NULL, NULL, &src), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_add_source(ing, "\xff", NULL, &src), TWIN_E_INVAL);
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ck_assert_int_eq(twin_ingest_add_source(ing, longname, NULL, &src), TWIN_E_RANGE);
    ck_assert_int_eq(twin_ingest_add_source(NULL, "x", NULL, &src), TWIN_E_INVAL);
    co.tolerance_offset_us = 0;
    co.size = sizeof co + 8;
    ck_assert_int_eq(twin_ingest_add_source(ing, "x", &co, &src), TWIN_E_ABI);
    ASSERT_OK(twin_ingest_add_source(ing, "plc", NULL, &src));
    ck_assert_int_eq(twin_ingest_add_source(ing, "plc", NULL, NULL), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_ingest_find_source(ing, "plc", &found), TWIN_OK);
    ck_assert_uint_eq(found, src);
    ck_assert_int_eq(twin_ingest_find_source(ing, "nope", &found), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_ingest_sources_next(ing, &cursor, &found), TWIN_OK);
    ck_assert_uint_eq(found, src);
    ck_assert_int_eq(twin_ingest_sources_next(ing, &cursor, &found), TWIN_DONE);
    ck_assert_int_eq(twin_ingest_set_signal_source(ing, sig, src + 1), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_ingest_set_signal_source(ing, sig + (1ull << 32), src),
                     TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_ingest_observe_source(ing, 0, T0, T0), TWIN_E_NOTFOUND);
    /* bad pairs: refused, counted, the model as it was */
    ASSERT_OK(twin_ingest_observe_source(ing, src, T0, T0 + 1000));
    ck_assert_int_eq(twin_ingest_observe_source(ing, src, T0, T0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_observe_source(ing, src, -5, T0 + 2000), TWIN_E_RANGE);
    ck_assert_int_eq(twin_ingest_observe_source(ing, src, T0, T0 + 86400000000LL * 2),
                     TWIN_E_RANGE);
    ck_assert(strstr(twin_ingest_last_error(ing)->message, "plc") != NULL);
    in = info_of(src);
    ck_assert_uint_eq(in.pairs, 1);
    ck_assert_uint_eq(in.pairs_refused, 3);
    ck_assert_int_eq(in.estimated, 0);
    memset(&junk, 0, sizeof junk);
    ck_assert_int_eq(twin_ingest_set_source_clock(ing, src, &junk), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_set_source_clock(ing, src, NULL), TWIN_E_INVAL);
    ck_assert_uint_eq(info_of(src).pairs_refused, 3);
    in.size = sizeof in + 8;
    ck_assert_int_eq(twin_ingest_get_source(ing, src, &in, NULL), TWIN_E_ABI);
    in.size = 4;
    ck_assert_int_eq(twin_ingest_get_source(ing, src, &in, NULL), TWIN_E_INVAL);
    in.size = sizeof in;
    ck_assert_int_eq(twin_ingest_get_source(ing, 77, &in, NULL), TWIN_E_NOTFOUND);
    cr = corr_of(sig);
    ck_assert(cr.source == 0 && cr.source_t_us == INT64_MIN && isnan(cr.uncertainty_us));
    cr.size = sizeof cr + 8;
    ck_assert_int_eq(twin_ingest_signal_source(ing, sig, &cr), TWIN_E_ABI);
    ck_assert_int_eq(twin_ingest_signal_source(ing, sig, NULL), TWIN_E_INVAL);
    /* a sample whose source has no estimate yet: let through, flagged */
    ASSERT_OK(twin_ingest_set_signal_source(ing, sig, src));
    ck_assert(corr_of(sig).source == src);
    ck_assert_uint_eq(put_sig(sig, T0, 1), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(events[nevents - 1].flags, TWIN_INGEST_EVENT_CLOCK_UNCORRECTED);
    cr = corr_of(sig);
    ck_assert(cr.flags == TWIN_INGEST_EVENT_CLOCK_UNCORRECTED && cr.t_us == T0 &&
              isinf(cr.uncertainty_us));
    ck_assert_uint_eq(info_of(src).uncorrected, 1);
}
END_TEST

/* ---- 65535 sources: the handle's most ---------------------------------------- */

#define SRC_MAX 65535u
#define NAME_W 12   /* bytes of a name's place in the buffer */

/* Names "s0" .. "s<n - 1>" in one buffer. */
typedef struct src_names {
    char *buf;
    const char **p;
} src_names;

static void names_make(src_names *nm, uint32_t n)
{
    nm->buf = malloc((size_t)n * NAME_W);
    nm->p = malloc((size_t)n * sizeof *nm->p);
    ck_assert(nm->buf && nm->p);
    for (uint32_t k = 0; k < n; k++) {
        snprintf(nm->buf + (size_t)k * NAME_W, NAME_W, "s%u", (unsigned)k);
        nm->p[k] = nm->buf + (size_t)k * NAME_W;
    }
}

static void names_free(src_names *nm)
{
    free(nm->buf);
    free(nm->p);
}

/* n copies of a clock with a declared offset (an estimate from the start). */
static twin_clock *known_clocks(uint32_t n, int64_t offset_us)
{
    twin_clock_options co;
    twin_clock *k = malloc((size_t)n * sizeof *k);
    ck_assert(k != NULL);
    twin_clock_options_init(&co);
    co.kind = TWIN_CLOCK_KNOWN_OFFSET;
    co.offset_us = offset_us;
    ck_assert_int_eq(twin_clock_init(&k[0], &co, NULL), TWIN_OK);
    for (uint32_t i = 1; i < n; i++) k[i] = k[0];
    return k;
}

static uint32_t source_count(void)
{
    uint64_t cur = 0;
    twin_source src;
    uint32_t n = 0;
    while (twin_ingest_sources_next(ing, &cur, &src) == TWIN_OK) n++;
    return n;
}

/* Sources s0..s<n - 1> are handles 1..n, found by name; how many have an
 * estimate with this offset (0: how many have none). */
static uint32_t sources_check(const src_names *nm, uint32_t n, int64_t offset_us)
{
    uint32_t with = 0;
    for (uint32_t k = 0; k < n; k++) {
        twin_source found = 0;
        twin_ingest_source_info in;
        ASSERT_OK(twin_ingest_find_source(ing, nm->p[k], &found));
        ck_assert_uint_eq(found, k + 1);
        in = info_of(found);
        ck_assert_str_eq(in.name, nm->p[k]);
        if (offset_us ? in.estimated && in.offset_us == offset_us : !in.estimated) with++;
    }
    return with;
}

START_TEST(test_sources_add_up_to_the_limit)
{
    src_names nm;
    twin_source src;
    twin_clock *k;
    names_make(&nm, SRC_MAX + 1);
    for (uint32_t i = 0; i < SRC_MAX; i++) {
        ASSERT_OK(twin_ingest_add_source(ing, nm.p[i], NULL, &src));
        ck_assert_uint_eq(src, i + 1);
    }
    /* at the limit: a name taken is still EXISTS; a new one is past it */
    ck_assert_int_eq(twin_ingest_add_source(ing, nm.p[SRC_MAX - 1], NULL, &src), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_ingest_add_source(ing, nm.p[SRC_MAX], NULL, &src), TWIN_E_RANGE);
    ck_assert_uint_eq(src, 0);
    ck_assert(strstr(twin_ingest_last_error(ing)->message, "too many sources (65535)") != NULL);
    ck_assert_int_eq(twin_ingest_find_source(ing, nm.p[SRC_MAX], &src), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(source_count(), SRC_MAX);
    ck_assert_uint_eq(sources_check(&nm, SRC_MAX, 0), SRC_MAX);
    /* all of them put back, the first name again at the end: refused,
       nothing changed */
    k = known_clocks(SRC_MAX, 1500);
    nm.p[SRC_MAX - 1] = nm.p[0];
    ck_assert_int_eq(twin_ingest_put_sources(ing, nm.p, k, SRC_MAX), TWIN_E_INVAL);
    ck_assert_str_eq(twin_ingest_last_error(ing)->message, "source 's0' is given twice");
    nm.p[SRC_MAX - 1] = nm.buf + (size_t)(SRC_MAX - 1) * NAME_W;
    ck_assert_uint_eq(source_count(), SRC_MAX);
    ck_assert_uint_eq(sources_check(&nm, SRC_MAX, 0), SRC_MAX);
    /* the same without the duplicate: every source replaced, none added */
    ASSERT_OK(twin_ingest_put_sources(ing, nm.p, k, SRC_MAX));
    ck_assert_uint_eq(source_count(), SRC_MAX);
    ck_assert_uint_eq(sources_check(&nm, SRC_MAX, 1500), SRC_MAX);
    free(k);
    names_free(&nm);
}
END_TEST

START_TEST(test_sources_put_up_to_the_limit)
{
    src_names nm;
    twin_source src;
    twin_clock *k;
    names_make(&nm, SRC_MAX + 1);
    k = known_clocks(SRC_MAX, -700);
    /* a duplicate at the end of 65535 new names: refused, no source */
    nm.p[SRC_MAX - 1] = nm.p[SRC_MAX - 2];
    ck_assert_int_eq(twin_ingest_put_sources(ing, nm.p, k, SRC_MAX), TWIN_E_INVAL);
    ck_assert_str_eq(twin_ingest_last_error(ing)->message, "source 's65533' is given twice");
    ck_assert_uint_eq(source_count(), 0);
    ck_assert_int_eq(twin_ingest_find_source(ing, nm.p[0], &src), TWIN_E_NOTFOUND);
    /* distinct: all declared, in array order */
    nm.p[SRC_MAX - 1] = nm.buf + (size_t)(SRC_MAX - 1) * NAME_W;
    ASSERT_OK(twin_ingest_put_sources(ing, nm.p, k, SRC_MAX));
    ck_assert_uint_eq(source_count(), SRC_MAX);
    ck_assert_uint_eq(sources_check(&nm, SRC_MAX, -700), SRC_MAX);
    /* one more, alone or with names the handle has: past the limit */
    ck_assert_int_eq(twin_ingest_put_sources(ing, &nm.p[SRC_MAX], k, 1), TWIN_E_RANGE);
    ck_assert_int_eq(twin_ingest_put_sources(ing, &nm.p[SRC_MAX - 2], k, 3), TWIN_E_RANGE);
    ck_assert(strstr(twin_ingest_last_error(ing)->message, "too many sources (65535)") != NULL);
    ck_assert_uint_eq(source_count(), SRC_MAX);
    ck_assert_int_eq(twin_ingest_find_source(ing, nm.p[SRC_MAX], &src), TWIN_E_NOTFOUND);
    free(k);
    names_free(&nm);
}
END_TEST

static Suite *clock_suite(void)
{
    Suite *s = suite_create("ingest_clock");
    TCase *tc = tcase_create("sources");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_source_corrects_to_truth_within_uncertainty);
    tcase_add_test(tc, test_source_out_of_tolerance_is_flagged_and_counted);
    tcase_add_test(tc, test_source_clock_step);
    tcase_add_test(tc, test_signals_without_source_unchanged_bit_for_bit);
    tcase_add_test(tc, test_source_declared_offset_and_host_clock);
    tcase_add_test(tc, test_source_bad_input_returns_status);
    tcase_add_test(tc, test_source_counts_after_snapshot_restore);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_sources_add_up_to_the_limit);
    tcase_add_test(tc, test_sources_put_up_to_the_limit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(clock_suite());
}
