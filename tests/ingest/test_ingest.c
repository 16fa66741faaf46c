/* Ingest: every check and its outcome, counters, unit conversion against
 * hand-computed values, order policies, duplicates, latest values, health
 * models and events, signals from DTDL models, both paths agreeing. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/ingest_fixture.h"
#include "support/graphsnap.h"
#include "support/run.h"

#define T0 1700000000000000LL /* 2023-11-14, microseconds */
#define SEC 1000000LL

/* ---- options and lifetime --------------------------------------------------------- */

START_TEST(test_ingest_options_init_defaults)
{
    twin_ingest_options o;
    twin_signal_options so;
    memset(&o, 0xff, sizeof o);
    ck_assert_int_eq(twin_ingest_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_ptr_null(o.alloc);
    ck_assert_ptr_null(o.store);
    ck_assert_ptr_null(o.resolver);
    ck_assert_int_eq(twin_signal_options_init(&so), TWIN_OK);
    ck_assert_int_eq(so.order, TWIN_INGEST_ORDER_REJECT);
    ck_assert(isnan(so.alarm_low) && isnan(so.alarm_high));
    ck_assert_uint_eq(so.history, 0);
    ck_assert_int_eq(twin_ingest_options_init_(&o, sizeof o + 8), TWIN_E_ABI);
    ck_assert_int_eq(twin_ingest_options_init_(NULL, sizeof o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_signal_options_init_(&so, sizeof so + 8), TWIN_E_ABI);
}
END_TEST

START_TEST(test_ingest_create_bad_arguments_return_inval)
{
    twin_ingest *x = (twin_ingest *)1;
    twin_ingest_options o;
    ck_assert_int_eq(twin_ingest_create(&x, NULL, NULL), TWIN_E_INVAL);
    ck_assert_ptr_null(x);
    ck_assert_int_eq(twin_ingest_create(NULL, g, NULL), TWIN_E_INVAL);
    twin_ingest_options_init(&o);
    o.size = sizeof o + 4;
    ck_assert_int_eq(twin_ingest_create(&x, g, &o), TWIN_E_ABI);
    /* the store already serves the fixture's handle */
    twin_ingest_options_init(&o);
    o.store = st;
    ck_assert_int_eq(twin_ingest_create(&x, g, &o), TWIN_E_INVAL);
    ck_assert_ptr_null(x);
    twin_ingest_destroy(NULL);
    ck_assert_int_eq(twin_ingest_last_error(NULL)->status, TWIN_E_INVAL);
}
END_TEST

/* ---- signals ---------------------------------------------------------------------- */

START_TEST(test_add_signal_errors_leave_handle_unchanged)
{
    twin_signal_options o;
    twin_signal h = 7;
    sig_add("pump1", "flow", "litrePerSecond", TWIN_INGEST_ORDER_REJECT, 0, 0);
    twin_signal_options_init(&o);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "nope", "flow", NULL, &h), TWIN_E_NOTFOUND);
    ck_assert(h == 0);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "flow", NULL, &h), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "", NULL, &h), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", NULL, NULL, &h), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "a\xff", NULL, &h), TWIN_E_INVAL);
    o.unit = "furlongPerFortnight";
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "speed", &o, &h), TWIN_E_NOTFOUND);
    twin_signal_options_init(&o);
    o.order = 9;
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "speed", &o, &h), TWIN_E_INVAL);
    twin_signal_options_init(&o);
    o.reorder_window_us = -1;
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "speed", &o, &h), TWIN_E_INVAL);
    twin_signal_options_init(&o);
    o.history = TWIN_INGEST_HISTORY_MAX + 1;
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "speed", &o, &h), TWIN_E_INVAL);
    twin_signal_options_init(&o);
    o.alarm_low = 10;
    o.alarm_high = 5;
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "speed", &o, &h), TWIN_E_INVAL);
    twin_signal_options_init(&o);
    o.health_step = 1.5;
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump1", "speed", &o, &h), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_last_error(ing)->status, TWIN_E_INVAL);
    ck_assert_str_ne(twin_ingest_last_error(ing)->message, "");
    ck_assert_uint_eq(twin_ingest_signal_count(ing), 1);
}
END_TEST

START_TEST(test_signal_info_and_iteration)
{
    twin_signal a = sig_add("pump1", "flow", "litrePerSecond", 1, 0, 0);
    twin_signal b = sig_add("pump2", "pressure", NULL, 1, 0, 0);
    const char *t, *n, *u;
    uint64_t cur = 0;
    twin_signal h;
    ck_assert_int_eq(twin_ingest_signal_info(ing, a, &t, &n, &u), TWIN_OK);
    ck_assert_str_eq(t, "pump1");
    ck_assert_str_eq(n, "flow");
    ck_assert_str_eq(u, "litrePerSecond");
    ck_assert_int_eq(twin_ingest_signal_info(ing, b, NULL, NULL, &u), TWIN_OK);
    ck_assert_str_eq(u, "");
    ck_assert_int_eq(twin_ingest_signals_next(ing, &cur, &h), TWIN_OK);
    ck_assert(h == a);
    ck_assert_int_eq(twin_ingest_signals_next(ing, &cur, &h), TWIN_OK);
    ck_assert(h == b);
    ck_assert_int_eq(twin_ingest_signals_next(ing, &cur, &h), TWIN_DONE);
    ck_assert_int_eq(twin_ingest_signal_info(ing, a ^ (1ull << 40), &t, &n, &u), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_remove_twin_makes_handles_stale)
{
    twin_signal a = sig_add("pump1", "flow", NULL, 1, 0, 0), b;
    ck_assert_uint_eq(put_sig(a, T0, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_int_eq(twin_ingest_remove_twin(ing, "pump1"), TWIN_OK);
    ck_assert_int_eq(twin_ingest_remove_twin(ing, "pump1"), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(put_sig(a, T0 + SEC, 1.0), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_name("pump1", "flow", T0 + SEC, 1.0, NULL),
                      TWIN_INGEST_UNKNOWN_SIGNAL);
    /* the slot comes back with another generation: the old handle stays refused */
    b = sig_add("pump1", "flow", NULL, 1, 0, 0);
    ck_assert(b != a);
    ck_assert_uint_eq(put_sig(a, T0 + 2 * SEC, 1.0), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_sig(b, T0 + 2 * SEC, 1.0), TWIN_INGEST_ACCEPTED);
}
END_TEST

START_TEST(test_twin_removed_from_graph_drops_its_signals)
{
    twin_signal a = sig_add("pump1", "flow", NULL, 1, 0, 0);
    twin_signal b = sig_add("pump2", "flow", NULL, 1, 0, 0);
    ASSERT_OK(g, twin_graph_remove_twin(g, "pump1", 0));
    ck_assert_uint_eq(put_sig(a, T0, 1.0), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_sig(b, T0, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(twin_ingest_signal_count(ing), 1);
    ck_assert_uint_eq(put_name("pump1", "flow", T0, 1.0, NULL), TWIN_INGEST_UNKNOWN_TWIN);
}
END_TEST

/* ---- each check, by name and by handle ------------------------------------------- */

START_TEST(test_unknown_twin_and_signal)
{
    twin_ingest_stats s;
    sig_add("pump1", "flow", NULL, 1, 0, 0);
    ck_assert_uint_eq(put_name("ghost", "flow", T0, 1, NULL), TWIN_INGEST_UNKNOWN_TWIN);
    ck_assert_uint_eq(put_name(NULL, "flow", T0, 1, NULL), TWIN_INGEST_UNKNOWN_TWIN);
    ck_assert_uint_eq(put_name("pump1", "speed", T0, 1, NULL), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_name("pump1", NULL, T0, 1, NULL), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_name("pump2", "flow", T0, 1, NULL), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_sig(0, T0, 1), TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(put_sig(0xdeadbeef12345678ull, T0, 1), TWIN_INGEST_UNKNOWN_SIGNAL);
    s = stats_of(0);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_UNKNOWN_TWIN], 2);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_UNKNOWN_SIGNAL], 5);
    ck_assert_uint_eq(s.signals, 1);
}
END_TEST

START_TEST(test_non_finite_values_rejected_and_counted)
{
    twin_signal h = sig_add("pump1", "pressure", "kilopascal", 1, 0, 0);
    twin_signal hk;
    twin_ingest_stats s;
    ck_assert_uint_eq(put_sig(h, T0, NAN), TWIN_INGEST_NOT_FINITE);
    ck_assert_uint_eq(put_sig(h, T0, INFINITY), TWIN_INGEST_NOT_FINITE);
    ck_assert_uint_eq(put_name("pump1", "pressure", T0, -INFINITY, NULL),
                      TWIN_INGEST_NOT_FINITE);
    /* finite in, not finite after conversion: 1e306 bar is 1e308 kilopascal... x 100 */
    ck_assert_uint_eq(put_name("pump1", "pressure", T0, 1e307, "bar"), TWIN_INGEST_NOT_FINITE);
    ASSERT_ING_OK(twin_ingest_resolve(ing, "pump1", "pressure", "bar", &hk));
    ck_assert_uint_eq(put_sig(hk, T0, 1e307), TWIN_INGEST_NOT_FINITE);
    s = stats_of(h);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_NOT_FINITE], 5);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_ACCEPTED], 0);
    ck_assert_int_eq(twin_ingest_get_latest(ing, h, NULL, NULL), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(memstore_count(&ms, MS_SAMPLE), 0);
}
END_TEST

START_TEST(test_bad_units_rejected_and_counted)
{
    twin_signal h = sig_add("pump1", "temperature", "degreeCelsius", 1, 0, 0);
    twin_signal u = sig_add("pump1", "count", NULL, 1, 0, 0), x;
    ck_assert_uint_eq(put_name("pump1", "temperature", T0, 1, "metre"), TWIN_INGEST_BAD_UNIT);
    ck_assert_uint_eq(put_name("pump1", "temperature", T0, 1, "parsec?"), TWIN_INGEST_BAD_UNIT);
    ck_assert_uint_eq(put_name("pump1", "count", T0, 1, "kelvin"), TWIN_INGEST_BAD_UNIT);
    /* an unknown unit on a signal without unit (found by the soak, issue
       21: it was accepted, its "unit" and the signal's both NULL) */
    ck_assert_uint_eq(put_name("pump1", "count", T0, 1, "furlong"), TWIN_INGEST_BAD_UNIT);
    ck_assert_uint_eq(stats_of(h).outcomes[TWIN_INGEST_BAD_UNIT], 2);
    ck_assert_uint_eq(stats_of(u).outcomes[TWIN_INGEST_BAD_UNIT], 2);
    ck_assert_int_eq(twin_ingest_get_latest(ing, u, NULL, NULL), TWIN_E_NOTFOUND);
    /* a handle cannot be made for a unit that does not convert */
    ck_assert_int_eq(twin_ingest_resolve(ing, "pump1", "temperature", "metre", &x),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_ingest_resolve(ing, "pump1", "temperature", "nope", &x),
                     TWIN_E_NOTFOUND);
    /* the same unit, stated or not, is no conversion */
    ck_assert_uint_eq(put_name("pump1", "temperature", T0, 21.5, "degreeCelsius"),
                      TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_name("pump1", "temperature", T0 + 1, 22.5, ""), TWIN_INGEST_ACCEPTED);
    ck_assert(latest(h, NULL) == 22.5);
}
END_TEST

/* Hand-computed conversions, by name and by handle, exact where the
 * arithmetic is. */
static void conv_case(const char *signal_unit, const char *from, double in, double want,
                      double ulps)
{
    static int k;
    char name[32];
    twin_signal h, hc;
    double by_name, by_handle;
    snprintf(name, sizeof name, "s%d", k++);
    h = sig_add("motor1", name, signal_unit, 1, 0, 0);
    ck_assert_uint_eq(put_name("motor1", name, T0, in, from), TWIN_INGEST_ACCEPTED);
    by_name = latest(h, NULL);
    ASSERT_ING_OK(twin_ingest_resolve(ing, "motor1", name, from, &hc));
    ck_assert(hc != h);
    ck_assert_uint_eq(put_sig(hc, T0 + 1, in), TWIN_INGEST_ACCEPTED);
    by_handle = latest(h, NULL);
    ck_assert_msg(memcmp(&by_name, &by_handle, sizeof by_name) == 0,
                  "%s -> %s: by name %.17g, by handle %.17g", from, signal_unit, by_name,
                  by_handle);
    if (ulps == 0)
        ck_assert_msg(by_name == want, "%g %s -> %.17g %s, expected %.17g", in, from, by_name,
                      signal_unit, want);
    else
        ck_assert_msg(fabs(by_name - want) <= ulps * (nextafter(fabs(want), INFINITY) - fabs(want)),
                      "%g %s -> %.17g %s, expected %.17g within %g ulp", in, from, by_name,
                      signal_unit, want, ulps);
}

START_TEST(test_unit_conversion_hand_computed)
{
    /* Fahrenheit to Celsius: (F - 32) * 5 / 9 */
    conv_case("degreeCelsius", "degreeFahrenheit", 212.0, 100.0, 0);
    conv_case("degreeCelsius", "degreeFahrenheit", 32.0, 0.0, 0);
    conv_case("degreeCelsius", "degreeFahrenheit", -40.0, -40.0, 0);
    conv_case("degreeCelsius", "degreeFahrenheit", 98.6, 37.0, 0);
    conv_case("degreeCelsius", "degreeFahrenheit", 50.0, 10.0, 0);
    /* Celsius to Fahrenheit: C * 9 / 5 + 32 */
    conv_case("degreeFahrenheit", "degreeCelsius", 100.0, 212.0, 0);
    conv_case("degreeFahrenheit", "degreeCelsius", -40.0, -40.0, 0);
    conv_case("degreeFahrenheit", "degreeCelsius", 37.0, 98.6, 1);
    /* kelvin */
    conv_case("kelvin", "degreeCelsius", 0.0, 273.15, 0);
    conv_case("degreeCelsius", "kelvin", 273.15, 0.0, 0);
    conv_case("degreeCelsius", "kelvin", 373.15, 100.0, 1);
    conv_case("degreeFahrenheit", "kelvin", 0.0, -459.67, 0);
    conv_case("kelvin", "degreeFahrenheit", -459.67, 0.0, 0);
    conv_case("kelvin", "degreeFahrenheit", 32.0, 273.15, 1);
    /* kilopascal to pascal: x 1000 (101.325 kPa, one atmosphere) */
    conv_case("pascal", "kilopascal", 101.325, 101325.0, 0);
    conv_case("pascal", "kilopascal", 2.5, 2500.0, 0);
    conv_case("kilopascal", "pascal", 101325.0, 101.325, 0);
    /* revolutions per minute to radians per second: x 2 pi / 60 */
    conv_case("radianPerSecond", "revolutionPerMinute", 60.0, 6.283185307179586, 1);
    conv_case("radianPerSecond", "revolutionPerMinute", 30.0, 3.141592653589793, 1);
    conv_case("radianPerSecond", "revolutionPerMinute", 1500.0, 157.07963267948966, 1);
    conv_case("revolutionPerMinute", "radianPerSecond", 6.283185307179586, 60.0, 1);
}
END_TEST

/* ---- time order, duplicates, conflicts ------------------------------------------- */

START_TEST(test_duplicate_and_conflict_at_latest)
{
    twin_signal h = sig_add("pump1", "flow", NULL, 1, 0, 0);
    twin_ingest_stats s;
    ck_assert_uint_eq(put_sig(h, T0, 5.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0, 5.0), TWIN_INGEST_DUPLICATE);
    ck_assert_uint_eq(put_name("pump1", "flow", T0, 5.0, NULL), TWIN_INGEST_DUPLICATE);
    ck_assert_uint_eq(put_sig(h, T0, 6.0), TWIN_INGEST_CONFLICT);
    ck_assert(latest(h, NULL) == 5.0);
    s = stats_of(h);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_ACCEPTED], 1);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_DUPLICATE], 2);
    ck_assert_uint_eq(s.outcomes[TWIN_INGEST_CONFLICT], 1);
    twin_store_flush(st);
    ck_assert_uint_eq(memstore_count(&ms, MS_SAMPLE), 1);
}
END_TEST

START_TEST(test_out_of_order_rejected_by_default)
{
    twin_signal h = sig_add("pump1", "flow", NULL, 1, 0, 0);
    int64_t t;
    ck_assert_uint_eq(put_sig(h, T0 + 10 * SEC, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 9 * SEC, 2.0), TWIN_INGEST_OUT_OF_ORDER);
    ck_assert_uint_eq(put_name("pump1", "flow", T0, 2.0, NULL), TWIN_INGEST_OUT_OF_ORDER);
    ck_assert(latest(h, &t) == 1.0);
    ck_assert(t == T0 + 10 * SEC);
    ck_assert_uint_eq(stats_of(h).outcomes[TWIN_INGEST_OUT_OF_ORDER], 2);
}
END_TEST

START_TEST(test_reorder_window_accepts_late_without_moving_latest)
{
    twin_signal h = sig_add("pump1", "flow", NULL, TWIN_INGEST_ORDER_WINDOW, 5 * SEC, 8);
    twin_signal_sample got[8];
    int64_t t;
    ck_assert_uint_eq(put_sig(h, T0 + 10 * SEC, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 7 * SEC, 2.0), TWIN_INGEST_ACCEPTED_LATE);
    ck_assert_uint_eq(put_sig(h, T0 + 5 * SEC, 3.0), TWIN_INGEST_ACCEPTED_LATE); /* edge */
    ck_assert_uint_eq(put_sig(h, T0 + 5 * SEC - 1, 4.0), TWIN_INGEST_OUT_OF_ORDER);
    /* late duplicates and conflicts are recognised in the history */
    ck_assert_uint_eq(put_sig(h, T0 + 7 * SEC, 2.0), TWIN_INGEST_DUPLICATE);
    ck_assert_uint_eq(put_name("pump1", "flow", T0 + 7 * SEC, 2.5, NULL),
                      TWIN_INGEST_CONFLICT);
    ck_assert(latest(h, &t) == 1.0);
    ck_assert(t == T0 + 10 * SEC);
    ck_assert_uint_eq(put_sig(h, T0 + 11 * SEC, 5.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(stats_of(h).outcomes[TWIN_INGEST_ACCEPTED_LATE], 2);
    /* the store holds the late ones too, in acceptance order */
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_uint_eq(memstore_samples(&ms, got, 8), 4);
    ck_assert(got[1].t_us == T0 + 7 * SEC && got[1].value == 2.0);
    ck_assert(got[2].t_us == T0 + 5 * SEC && got[2].value == 3.0);
    ck_assert(got[3].t_us == T0 + 11 * SEC);
}
END_TEST

START_TEST(test_reorder_window_refuses_what_history_forgot)
{
    /* history of 2: once a sample is dropped from it, older ones could be
       duplicates of it, so they are refused rather than stored twice */
    twin_signal h = sig_add("pump1", "flow", NULL, TWIN_INGEST_ORDER_WINDOW, 100 * SEC, 2);
    ck_assert_uint_eq(put_sig(h, T0 + 1 * SEC, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 2 * SEC, 2.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 3 * SEC, 3.0), TWIN_INGEST_ACCEPTED); /* drops 1 s */
    ck_assert_uint_eq(put_sig(h, T0 + 1 * SEC, 1.0), TWIN_INGEST_OUT_OF_ORDER);
    ck_assert_uint_eq(put_sig(h, T0 + 1 * SEC - 1, 1.0), TWIN_INGEST_OUT_OF_ORDER);
    ck_assert_uint_eq(put_sig(h, T0 + 2 * SEC, 2.0), TWIN_INGEST_DUPLICATE);
    ck_assert_uint_eq(put_sig(h, T0 + 1 * SEC + 1, 9.0), TWIN_INGEST_ACCEPTED_LATE);
}
END_TEST

START_TEST(test_history_classifies_redelivery_under_reject_policy)
{
    twin_signal h = sig_add("pump1", "flow", NULL, TWIN_INGEST_ORDER_REJECT, 0, 4);
    ck_assert_uint_eq(put_sig(h, T0 + 1, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 2, 2.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 1, 1.0), TWIN_INGEST_DUPLICATE);
    ck_assert_uint_eq(put_sig(h, T0 + 1, 7.0), TWIN_INGEST_CONFLICT);
    ck_assert_uint_eq(put_sig(h, T0 + 0, 7.0), TWIN_INGEST_OUT_OF_ORDER);
}
END_TEST

START_TEST(test_set_signal_options_changes_policy)
{
    twin_signal h = sig_add("pump1", "flow", "litrePerSecond", 1, 0, 0);
    twin_signal_options o;
    ck_assert_uint_eq(put_sig(h, T0 + 10 * SEC, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 9 * SEC, 1.0), TWIN_INGEST_OUT_OF_ORDER);
    twin_signal_options_init(&o);
    o.order = TWIN_INGEST_ORDER_WINDOW;
    o.reorder_window_us = 5 * SEC;
    o.history = 4;
    ASSERT_ING_OK(twin_ingest_set_signal_options(ing, h, &o));
    /* what came before the history existed is not remembered: only newer
       than the latest so far can be told apart... */
    ck_assert_uint_eq(put_sig(h, T0 + 9 * SEC, 1.0), TWIN_INGEST_OUT_OF_ORDER);
    ck_assert_uint_eq(put_sig(h, T0 + 12 * SEC, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 11 * SEC, 1.0), TWIN_INGEST_ACCEPTED_LATE);
    o.unit = "metre";
    ck_assert_int_eq(twin_ingest_set_signal_options(ing, h, &o), TWIN_E_INVAL);
    o.unit = "litrePerSecond";  /* its own unit: no change */
    ASSERT_ING_OK(twin_ingest_set_signal_options(ing, h, &o));
    o.unit = NULL;
    ck_assert_int_eq(twin_ingest_set_signal_options(ing, h + 1, &o), TWIN_E_NOTFOUND);
    /* an unknown unit on a signal without one (found by the soak's review:
       both looked up as NULL, "the same unit") */
    twin_signal u = sig_add("pump1", "count", NULL, 1, 0, 0);
    o.unit = "furlong";
    ck_assert_int_eq(twin_ingest_set_signal_options(ing, u, &o), TWIN_E_INVAL);
    o.unit = "";
    ASSERT_ING_OK(twin_ingest_set_signal_options(ing, u, &o));
}
END_TEST

START_TEST(test_batch_outcomes_and_totals)
{
    twin_signal h = sig_add("pump1", "flow", NULL, 1, 0, 0);
    twin_sample s[6] = {
        {"pump1", "flow", T0, 1.0, NULL},  {"pump1", "flow", T0, 1.0, NULL},
        {"pump1", "flow", T0, 2.0, NULL},  {"pump1", "flow", T0 - 1, 1.0, NULL},
        {"ghost", "flow", T0, 1.0, NULL},  {"pump1", "flow", T0 + 1, NAN, NULL},
    };
    uint8_t out[6];
    size_t done;
    twin_ingest_stats tot;
    ASSERT_ING_OK(twin_ingest_write(ing, s, 6, out, &done));
    ck_assert_uint_eq(done, 6);
    ck_assert_uint_eq(out[0], TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(out[1], TWIN_INGEST_DUPLICATE);
    ck_assert_uint_eq(out[2], TWIN_INGEST_CONFLICT);
    ck_assert_uint_eq(out[3], TWIN_INGEST_OUT_OF_ORDER);
    ck_assert_uint_eq(out[4], TWIN_INGEST_UNKNOWN_TWIN);
    ck_assert_uint_eq(out[5], TWIN_INGEST_NOT_FINITE);
    tot = stats_of(0);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_ACCEPTED], 1);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_ACCEPTED_LATE], 0);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_DUPLICATE], 1);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_CONFLICT], 1);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_OUT_OF_ORDER], 1);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_UNKNOWN_TWIN], 1);
    ck_assert_uint_eq(tot.outcomes[TWIN_INGEST_NOT_FINITE], 1);
    (void)h;
    /* a NULL outcomes array and an empty batch are fine */
    ASSERT_ING_OK(twin_ingest_write(ing, s, 6, NULL, NULL));
    ASSERT_ING_OK(twin_ingest_write(ing, s, 0, NULL, &done));
    ck_assert_uint_eq(done, 0);
    ck_assert_int_eq(twin_ingest_write_(ing, s, 1, sizeof s[0] - 8, NULL, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_ingest_write_(ing, s, 1, sizeof s[0] + 8, NULL, NULL), TWIN_E_ABI);
    ck_assert_int_eq(twin_ingest_write(ing, (twin_sample *)NULL, 1, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

/* The same random stream by name and by handle into two signals gives the
 * same outcomes and the same latest values. */
START_TEST(test_name_and_handle_paths_agree)
{
    twin_signal a = sig_add("pump1", "x", "degreeCelsius", TWIN_INGEST_ORDER_WINDOW, 3, 4);
    twin_signal b = sig_add("pump2", "x", "degreeCelsius", TWIN_INGEST_ORDER_WINDOW, 3, 4);
    twin_signal bf;
    uint64_t r = 42;
    ASSERT_ING_OK(twin_ingest_resolve(ing, "pump2", "x", "degreeFahrenheit", &bf));
    for (int i = 0; i < 2000; i++) {
        int64_t t;
        double v;
        int fahr;
        unsigned oa, ob;
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        t = T0 + (int64_t)(r >> 60) + i / 3;
        v = (double)((r >> 40) & 7) - 2.0;
        fahr = (int)((r >> 20) & 1);
        if (((r >> 30) & 31) == 0) v = NAN;
        oa = put_name("pump1", "x", t, v, fahr ? "degreeFahrenheit" : NULL);
        ob = put_sig(fahr ? bf : b, t, v);
        ck_assert_uint_eq(oa, ob);
    }
    ck_assert(latest(a, NULL) == latest(b, NULL));
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++)
        ck_assert_uint_eq(stats_of(a).outcomes[k], stats_of(b).outcomes[k]);
}
END_TEST

/* ---- health models and events ----------------------------------------------------- */

static twin_health_options exp_options(int32_t recal)
{
    twin_health_options o;
    twin_health_options_init(&o);
    o.prior_mean[0] = log(0.1);
    o.prior_mean[1] = 1e-8;
    o.prior_cov[0] = 0.01;
    o.prior_cov[3] = 1e-16;
    o.noise = 0.0025;
    o.recalibration = recal;
    o.recal_noise[0] = 1e-4;
    return o;
}

START_TEST(test_health_runs_as_twin_health_update)
{
    twin_health_options o = exp_options(TWIN_HEALTH_RECAL_EMA), got_o;
    twin_signal h = sig_add("motor1", "vibration", "gForce", 1, 0, 0);
    twin_health ref, got;
    twin_health_event ev;
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    ck_assert_int_eq(twin_health_init(&ref, &o, T0, NULL), TWIN_OK);
    ev.size = sizeof ev;
    for (int i = 1; i <= 200; i++) {
        double v = 0.1 * exp(1e-7 * i * 3600) * (i > 120 ? 1.6 : 1.0) * (1 + 0.01 * (i % 5));
        int64_t t = T0 + (int64_t)i * 3600 * SEC;
        ck_assert_uint_eq(put_sig(h, t, v), TWIN_INGEST_ACCEPTED);
        ck_assert_int_eq(twin_health_update(&ref, &o, t, v, &ev, NULL), TWIN_OK);
    }
    ASSERT_ING_OK(twin_ingest_get_health(ing, h, &got, &got_o));
    ck_assert(memcmp(&got, &ref, sizeof got) == 0);
    ck_assert(memcmp(&got_o, &o, sizeof o) == 0);
    /* the step at sample 121 diverged and recalibrated (events) */
    {
        int diverged = 0, recal = 0;
        for (size_t i = 0; i < nevents; i++) {
            ck_assert(events[i].signal == h);
            if (events[i].flags & TWIN_INGEST_EVENT_DIVERGED) diverged++;
            if (events[i].flags & TWIN_INGEST_EVENT_RECALIBRATED) recal++;
        }
        ck_assert_int_ge(diverged, 1);
        ck_assert_int_ge(recal, 1);
    }
    ck_assert_uint_eq(stats_of(h).events, nevents);
    /* the store heard of the divergence with the state */
    twin_store_flush(st);
    ck_assert_uint_ge(memstore_count(&ms, MS_HEALTH), 2);
}
END_TEST

START_TEST(test_health_not_run_on_late_samples)
{
    twin_health_options o = exp_options(TWIN_HEALTH_RECAL_NONE);
    twin_signal h = sig_add("motor1", "vibration", NULL, TWIN_INGEST_ORDER_WINDOW, 3600 * SEC, 8);
    twin_health before, after;
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    ck_assert_uint_eq(put_sig(h, T0 + 100 * SEC, 0.11), TWIN_INGEST_ACCEPTED);
    ASSERT_ING_OK(twin_ingest_get_health(ing, h, &before, NULL));
    ck_assert_uint_eq(put_sig(h, T0 + 50 * SEC, 0.12), TWIN_INGEST_ACCEPTED_LATE);
    ASSERT_ING_OK(twin_ingest_get_health(ing, h, &after, NULL));
    ck_assert(memcmp(&before, &after, sizeof before) == 0);
}
END_TEST

START_TEST(test_health_error_accepts_sample_and_reports)
{
    twin_health_options o = exp_options(TWIN_HEALTH_RECAL_NONE);
    twin_signal h = sig_add("motor1", "vibration", NULL, 1, 0, 0);
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    /* the exponential model takes log(v - phi): -1 is outside it */
    ck_assert_uint_eq(put_sig(h, T0 + SEC, -1.0), TWIN_INGEST_ACCEPTED);
    ck_assert(latest(h, NULL) == -1.0);
    ck_assert_uint_eq(nevents, 1);
    ck_assert_uint_eq(events[0].flags, TWIN_INGEST_EVENT_HEALTH_ERROR);
    ck_assert_uint_eq(stats_of(h).health_errors, 1);
    ck_assert_uint_eq(stats_of(0).health_errors, 1);
    ASSERT_ING_OK(twin_ingest_detach_health(ing, h));
    ck_assert_int_eq(twin_ingest_get_health(ing, h, NULL, NULL), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(put_sig(h, T0 + 2 * SEC, -1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(nevents, 1);
}
END_TEST

START_TEST(test_attach_health_bad_options_refused)
{
    twin_health_options o = exp_options(TWIN_HEALTH_RECAL_NONE);
    twin_signal h = sig_add("motor1", "vibration", NULL, 1, 0, 0);
    o.noise = -1;
    ck_assert_int_eq(twin_ingest_attach_health(ing, h, &o, T0), TWIN_E_INVAL);
    ck_assert_str_ne(twin_ingest_last_error(ing)->message, "");
    ck_assert_int_eq(twin_ingest_get_health(ing, h, NULL, NULL), TWIN_E_NOTFOUND);
    o = exp_options(TWIN_HEALTH_RECAL_NONE);
    ck_assert_int_eq(twin_ingest_attach_health(ing, h + 1, &o, T0), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_ingest_attach_health(ing, h, NULL, T0), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_threshold_events_on_zone_changes)
{
    twin_signal_options so;
    twin_signal h;
    twin_signal_options_init(&so);
    so.alarm_low = 10;
    so.alarm_high = 90;
    ASSERT_ING_OK(twin_ingest_add_signal(ing, "pump1", "level", &so, &h));
    ck_assert_uint_eq(put_sig(h, T0 + 1, 50), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(nevents, 0);
    ck_assert_uint_eq(put_sig(h, T0 + 2, 95), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 3, 99), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 4, 5), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 5, 90), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(nevents, 3);
    ck_assert_uint_eq(events[0].flags, TWIN_INGEST_EVENT_THRESHOLD);
    ck_assert_int_eq(events[0].zone, 1);
    ck_assert(events[0].value == 95);
    ck_assert(isnan(events[0].predicted));
    ck_assert_int_eq(events[1].zone, -1);
    ck_assert_int_eq(events[2].zone, 0);
}
END_TEST

START_TEST(test_health_changed_events_by_band)
{
    twin_health_options o = exp_options(TWIN_HEALTH_RECAL_NONE);
    twin_signal_options so;
    twin_signal h;
    int changes = 0;
    double last = 1;
    twin_signal_options_init(&so);
    so.health_step = 0.25;
    o.prior_mean[1] = 1e-5; /* fast degradation: health falls within hours */
    o.prior_cov[3] = 1e-18;
    ASSERT_ING_OK(twin_ingest_add_signal(ing, "motor1", "vibration", &so, &h));
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    for (int i = 1; i <= 100; i++) {
        int64_t t = T0 + (int64_t)i * 3600 * SEC;
        put_sig(h, t, 0.1 * exp(1e-5 * i * 3600.0));
    }
    for (size_t i = 0; i < nevents; i++) {
        if (!(events[i].flags & TWIN_INGEST_EVENT_HEALTH_CHANGED)) continue;
        ck_assert(events[i].health < last);
        last = events[i].health;
        changes++;
    }
    ck_assert_int_ge(changes, 3);
}
END_TEST

/* A subnormal band width (found by fuzz_snapshot): bands that do not fit
 * an int32 saturate instead of overflowing the conversion (UBSan). */
START_TEST(test_health_band_of_a_tiny_step_saturates)
{
    twin_health_options o = exp_options(TWIN_HEALTH_RECAL_NONE);
    twin_signal_options so;
    twin_signal h;
    twin_signal_options_init(&so);
    so.health_step = 4.9e-324;
    ASSERT_ING_OK(twin_ingest_add_signal(ing, "motor1", "vibration", &so, &h));
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    ck_assert_uint_eq(put_sig(h, T0 + 3600 * SEC, 0.1), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_sig(h, T0 + 7200 * SEC, 0.2), TWIN_INGEST_ACCEPTED);
}
END_TEST

/* ---- signals from DTDL models ----------------------------------------------------- */

static const char *MODEL =
    "{\"@context\": \"dtmi:dtdl:context;2\", \"@id\": \"dtmi:example:Motor;1\","
    " \"@type\": \"Interface\", \"contents\": ["
    " {\"@type\": [\"Telemetry\", \"Temperature\"], \"name\": \"temperature\","
    "  \"schema\": \"double\", \"unit\": \"degreeCelsius\"},"
    " {\"@type\": [\"Telemetry\", \"AngularVelocity\"], \"name\": \"speed\","
    "  \"schema\": \"float\", \"unit\": \"radianPerSecond\"},"
    " {\"@type\": \"Property\", \"name\": \"serial\", \"schema\": \"string\"},"
    " {\"@type\": \"Property\", \"name\": \"count\", \"schema\": \"integer\"}"
    "]}";

START_TEST(test_signals_resolved_from_dtdl_models)
{
    twin_models *m;
    twin_models_options mo;
    twin_ingest_resolver r;
    twin_ingest_options io;
    twin_ingest *x;
    twin_signal h;
    uint8_t out[5];
    twin_sample s[5] = {
        {"motor1", "temperature", T0, 212.0, "degreeFahrenheit"},
        {"motor1", "speed", T0, 60.0, "revolutionPerMinute"},
        {"motor1", "serial", T0, 1.0, NULL},
        {"motor1", "count", T0, 3.0, NULL},
        {"pump1", "temperature", T0, 1.0, NULL},  /* a Pump model: not in the set */
    };
    const char *u;
    double v;
    twin_models_options_init(&mo);
    ck_assert_int_eq(twin_models_create(&m, &mo), TWIN_OK);
    ck_assert_int_eq(twin_models_add(m, MODEL, strlen(MODEL), "motor.json"), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolver_from_models(m, &r), TWIN_E_STATE);
    ck_assert_int_eq(twin_models_resolve(m), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolver_from_models(m, &r), TWIN_OK);
    twin_ingest_options_init(&io);
    io.resolver = &r;
    ck_assert_int_eq(twin_ingest_create(&x, g, &io), TWIN_OK);
    ck_assert_int_eq(twin_ingest_write(x, s, 5, out, NULL), TWIN_OK);
    ck_assert_uint_eq(out[0], TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(out[1], TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(out[2], TWIN_INGEST_UNKNOWN_SIGNAL);  /* a string */
    ck_assert_uint_eq(out[3], TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(out[4], TWIN_INGEST_UNKNOWN_SIGNAL);
    ck_assert_uint_eq(twin_ingest_signal_count(x), 3);
    ck_assert_int_eq(twin_ingest_resolve(x, "motor1", "temperature", NULL, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_signal_info(x, h, NULL, NULL, &u), TWIN_OK);
    ck_assert_str_eq(u, "degreeCelsius");
    ck_assert_int_eq(twin_ingest_get_latest(x, h, NULL, &v), TWIN_OK);
    ck_assert(v == 100.0);
    ck_assert_int_eq(twin_ingest_resolve(x, "motor1", "speed", NULL, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(x, h, NULL, &v), TWIN_OK);
    ck_assert(fabs(v - 6.283185307179586) <= 1e-15);
    ck_assert_int_eq(twin_ingest_resolve(x, "motor1", "serial", NULL, &h), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_ingest_resolve(x, "motor1", "temperature", "metre", &h),
                     TWIN_E_CONSTRAINT);
    twin_ingest_destroy(x);
    twin_models_destroy(m);
}
END_TEST

Suite *ingest_suite(void)
{
    Suite *s = suite_create("ingest");
    TCase *tc = tcase_create("lifetime");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_ingest_options_init_defaults);
    tcase_add_test(tc, test_ingest_create_bad_arguments_return_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("signals");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_add_signal_errors_leave_handle_unchanged);
    tcase_add_test(tc, test_signal_info_and_iteration);
    tcase_add_test(tc, test_remove_twin_makes_handles_stale);
    tcase_add_test(tc, test_twin_removed_from_graph_drops_its_signals);
    tcase_add_test(tc, test_signals_resolved_from_dtdl_models);
    suite_add_tcase(s, tc);

    tc = tcase_create("checks");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_unknown_twin_and_signal);
    tcase_add_test(tc, test_non_finite_values_rejected_and_counted);
    tcase_add_test(tc, test_bad_units_rejected_and_counted);
    tcase_add_test(tc, test_unit_conversion_hand_computed);
    tcase_add_test(tc, test_duplicate_and_conflict_at_latest);
    tcase_add_test(tc, test_out_of_order_rejected_by_default);
    tcase_add_test(tc, test_reorder_window_accepts_late_without_moving_latest);
    tcase_add_test(tc, test_reorder_window_refuses_what_history_forgot);
    tcase_add_test(tc, test_history_classifies_redelivery_under_reject_policy);
    tcase_add_test(tc, test_set_signal_options_changes_policy);
    tcase_add_test(tc, test_batch_outcomes_and_totals);
    tcase_add_test(tc, test_name_and_handle_paths_agree);
    suite_add_tcase(s, tc);

    tc = tcase_create("health");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_health_runs_as_twin_health_update);
    tcase_add_test(tc, test_health_not_run_on_late_samples);
    tcase_add_test(tc, test_health_error_accepts_sample_and_reports);
    tcase_add_test(tc, test_attach_health_bad_options_refused);
    tcase_add_test(tc, test_threshold_events_on_zone_changes);
    tcase_add_test(tc, test_health_changed_events_by_band);
    tcase_add_test(tc, test_health_band_of_a_tiny_step_saturates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(ingest_suite());
}
