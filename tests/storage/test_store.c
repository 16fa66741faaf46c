/* Storage: what the store's callbacks receive and in which order, the
 * outbox under failures (retries, roll-backs, back-pressure), the proof
 * that a store failing at random points ends with exactly the accepted
 * samples, changes to the graph through the store, checkpoints, loading. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/ingest_fixture.h"
#include "support/graphsnap.h"
#include "support/run.h"

#define T0 1700000000000000LL
#define SEC 1000000LL

START_TEST(test_store_options_and_create)
{
    twin_store_options o;
    twin_store *x = (twin_store *)1;
    ck_assert_int_eq(twin_store_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.outbox_bytes, 1u << 20);
    o.outbox_bytes = 100;
    ck_assert_int_eq(twin_store_create(&x, g, &o), TWIN_E_RANGE);
    ck_assert_ptr_null(x);
    ck_assert_int_eq(twin_store_create(&x, NULL, NULL), TWIN_E_INVAL);
    o.outbox_bytes = 4096;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_store_create(&x, g, &o), TWIN_E_ABI);
    ck_assert_int_eq(twin_store_create(&x, g, NULL), TWIN_OK);
    twin_store_destroy(x);
    twin_store_destroy(NULL);
    ck_assert_int_eq(twin_store_last_error(NULL)->status, TWIN_E_INVAL);
}
END_TEST

START_TEST(test_signal_record_precedes_its_samples)
{
    twin_signal h = sig_add("pump1", "flow", "litrePerSecond", 1, 0, 0);
    ck_assert_uint_eq(put_sig(h, T0, 1.5), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(ms.committed, 2);
    ck_assert_int_eq(ms.log[0].kind, MS_SIGNAL);
    ck_assert(ms.log[0].signal == h);
    ck_assert_str_eq(ms.log[0].a, "pump1");
    ck_assert_str_eq(ms.log[0].b, "flow");
    ck_assert_str_eq(ms.log[0].c, "litrePerSecond");
    ck_assert_int_eq(ms.log[1].kind, MS_SAMPLE);
    ck_assert(ms.log[1].signal == h && ms.log[1].t_us == T0 && ms.log[1].value == 1.5);
}
END_TEST

START_TEST(test_samples_reach_store_converted_by_canonical_handle)
{
    twin_signal h = sig_add("pump1", "temperature", "degreeCelsius", 1, 0, 0), hf;
    twin_signal_sample got[4];
    ASSERT_ING_OK(twin_ingest_resolve(ing, "pump1", "temperature", "degreeFahrenheit", &hf));
    ck_assert_uint_eq(put_sig(hf, T0, 212), TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(put_name("pump1", "temperature", T0 + 1, 32, "degreeFahrenheit"),
                      TWIN_INGEST_ACCEPTED);
    ck_assert_uint_eq(memstore_samples(&ms, got, 4), 2);
    ck_assert(got[0].signal == h && got[0].value == 100.0);
    ck_assert(got[1].signal == h && got[1].value == 0.0);
}
END_TEST

START_TEST(test_graph_changes_through_store_are_recorded_in_order)
{
    twin_value v = twin_value_double(2.5);
    twin_member p = {"rated", twin_value_int(7)};
    ck_assert_int_eq(twin_store_add_twin(st, "valve1", PUMP, &p, 1), TWIN_OK);
    ck_assert_int_eq(twin_store_set_property(st, "valve1", "size", &v), TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(st, "pump1", "r1", "feeds", "valve1", NULL, 0),
                     TWIN_OK);
    ck_assert_int_eq(twin_store_set_relationship_property(st, "pump1", "r1", "w", &v), TWIN_OK);
    ck_assert_int_eq(twin_store_set_model(st, "valve1", MOTOR), TWIN_OK);
    ck_assert_int_eq(twin_store_remove_property(st, "valve1", "size"), TWIN_OK);
    ck_assert_int_eq(twin_store_remove_relationship_property(st, "pump1", "r1", "w"), TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(st, "valve1", "r2", "feeds", "motor1", NULL, 0),
                     TWIN_OK);
    ck_assert_int_eq(twin_store_remove_relationship(st, "valve1", "r2"), TWIN_OK);
    ck_assert_int_eq(twin_store_remove_twin(st, "valve1", TWIN_REMOVE_RELATIONSHIPS), TWIN_OK);
    /* errors: as the graph's, nothing queued */
    ck_assert_int_eq(twin_store_add_twin(st, "pump1", PUMP, NULL, 0), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_store_remove_twin(st, "ghost", 0), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_store_add_twin(st, NULL, PUMP, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_store_add_relationship(st, "pump1", "r1", "feeds", "ghost", NULL, 0),
                     TWIN_E_NOTFOUND);
    ck_assert_uint_eq(ms.committed, 11);
    ck_assert_int_eq(ms.log[0].kind, MS_TWIN_PUT);
    ck_assert_str_eq(ms.log[0].a, "valve1");
    ck_assert_uint_eq(ms.log[0].nprops, 1);
    ck_assert_int_eq(ms.log[1].kind, MS_TWIN_PUT);
    ck_assert_uint_eq(ms.log[1].nprops, 2);
    ck_assert_int_eq(ms.log[2].kind, MS_REL_PUT);
    ck_assert_str_eq(ms.log[2].c, "valve1");
    ck_assert_int_eq(ms.log[3].kind, MS_REL_PUT);
    ck_assert_uint_eq(ms.log[3].nprops, 1);
    ck_assert_int_eq(ms.log[4].kind, MS_TWIN_PUT);
    ck_assert_str_eq(ms.log[4].b, MOTOR);
    ck_assert_int_eq(ms.log[7].kind, MS_REL_PUT);
    ck_assert_int_eq(ms.log[8].kind, MS_REL_DEL);
    ck_assert_str_eq(ms.log[8].b, "r2");
    /* the removal: its relationships first, then the twin */
    ck_assert_int_eq(ms.log[9].kind, MS_REL_DEL);
    ck_assert_str_eq(ms.log[9].b, "r1");
    ck_assert_int_eq(ms.log[10].kind, MS_TWIN_DEL);
    ck_assert_str_eq(ms.log[10].a, "valve1");
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
}
END_TEST

START_TEST(test_remove_twin_through_store_queues_rels_then_twin)
{
    ck_assert_int_eq(twin_store_add_relationship(st, "pump1", "a", "feeds", "pump2", NULL, 0),
                     TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(st, "motor1", "b", "drives", "pump1", NULL, 0),
                     TWIN_OK);
    ck_assert_int_eq(twin_store_remove_twin(st, "pump1", 0), TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(ms.committed, 2);
    ck_assert_int_eq(twin_store_remove_twin(st, "pump1", TWIN_REMOVE_RELATIONSHIPS), TWIN_OK);
    ck_assert_uint_eq(ms.committed, 5);
    ck_assert_int_eq(ms.log[2].kind, MS_REL_DEL);
    ck_assert_int_eq(ms.log[3].kind, MS_REL_DEL);
    ck_assert_int_eq(ms.log[4].kind, MS_TWIN_DEL);
    ck_assert_str_eq(ms.log[4].a, "pump1");
}
END_TEST

START_TEST(test_put_superseded_by_delete_is_skipped)
{
    ms.fail_next = 1;  /* the first delivery fails: both records wait */
    ck_assert_int_eq(twin_store_add_twin(st, "tmp", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_remove_twin(st, "tmp", 0), TWIN_OK);
    ck_assert_uint_eq(ms.committed, 1);
    ck_assert_int_eq(ms.log[0].kind, MS_TWIN_DEL);
}
END_TEST

START_TEST(test_failed_delivery_retried_on_next_call)
{
    twin_signal h = sig_add("pump1", "flow", NULL, 1, 0, 0);
    twin_store_stats s;
    ms.fail_next = 1;
    ck_assert_uint_eq(put_sig(h, T0, 1), TWIN_INGEST_ACCEPTED);  /* accepted, not stored */
    ck_assert_uint_eq(memstore_count(&ms, MS_SAMPLE), 0);
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_store_get_stats(st, &s), TWIN_OK);
    ck_assert_uint_eq(s.pending_samples, 1);
    ck_assert_int_eq(s.last_status, TWIN_E_IO);
    ck_assert_uint_eq(s.failures, 1);
    ck_assert_uint_eq(put_sig(h, T0 + 1, 2), TWIN_INGEST_ACCEPTED);  /* both delivered now */
    ck_assert_uint_eq(memstore_count(&ms, MS_SAMPLE), 2);
    ck_assert_int_eq(twin_store_get_stats(st, &s), TWIN_OK);
    ck_assert_uint_eq(s.pending_samples, 0);
    ck_assert_uint_eq(s.pending_bytes, 0);
    ck_assert_uint_eq(s.confirmed_samples, 2);
}
END_TEST

START_TEST(test_flush_returns_store_status_then_ok)
{
    twin_signal h = sig_add("pump1", "flow", NULL, 1, 0, 0);
    ms.fail_next = 2;
    ck_assert_uint_eq(put_sig(h, T0, 1), TWIN_INGEST_ACCEPTED);
    ck_assert_int_eq(twin_store_flush(st), TWIN_E_IO);
    ck_assert_int_eq(twin_store_last_error(st)->status, TWIN_E_IO);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_uint_eq(memstore_count(&ms, MS_SAMPLE), 1);
    ck_assert_uint_eq(memstore_count(&ms, MS_SIGNAL), 1);
}
END_TEST

START_TEST(test_transactional_store_gets_everything_since_flush_again)
{
    twin_signal h = sig_add("pump1", "flow", NULL, 1, 0, 0);
    twin_signal_sample got[8];
    twin_signal_sample b[5] = {{h, T0, 1}, {h, T0 + 1, 2}, {h, T0 + 2, 3}, {h, T0 + 3, 4},
                               {h, T0 + 4, 5}};
    ck_assert_uint_eq(ms.committed, 1);  /* the signal, flushed */
    ASSERT_ING_OK(twin_ingest_write_signals(ing, b, 3, NULL, NULL));
    ck_assert_uint_eq(memstore_samples(&ms, got, 8), 3);
    /* the write callback takes the 4th sample, the flush fails: the store
       drops it, and it comes again with the 5th */
    ms.fail_on_call = ms.calls + 2;
    ASSERT_ING_OK(twin_ingest_write_signals(ing, b + 3, 1, NULL, NULL));
    ck_assert_uint_eq(ms.failures, 1);
    ck_assert_uint_eq(memstore_samples(&ms, got, 8), 3);
    ASSERT_ING_OK(twin_ingest_write_signals(ing, b + 4, 1, NULL, NULL));
    ck_assert_uint_eq(memstore_samples(&ms, got, 8), 5);
    for (int i = 0; i < 5; i++) ck_assert(got[i].t_us == T0 + i && got[i].value == i + 1);
    /* a failing write callback in the middle: the same */
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
}
END_TEST

/* Back-pressure: a store that is down, an outbox of 4 KiB. */
START_TEST(test_back_pressure_busy_until_drained)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest_options io;
    twin_store *small;
    twin_ingest *x;
    twin_signal h;
    twin_signal_sample b[400];
    uint8_t out[400];
    size_t done, first;
    twin_store_stats s;
    memstore down;
    twin_signal_sample got[400];

    memstore_init(&down, 0);
    memstore_callbacks(&down, &cb);
    twin_store_options_init(&so);
    so.alloc = &fa.alloc;
    so.callbacks = &cb;
    so.outbox_bytes = 4096;
    ck_assert_int_eq(twin_store_create(&small, g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.store = small;
    ck_assert_int_eq(twin_ingest_create(&x, g, &io), TWIN_OK);
    down.fail_rate = 1.0;  /* down */
    ck_assert_int_eq(twin_ingest_add_signal(x, "pump1", "flow", NULL, &h), TWIN_OK);
    for (int i = 0; i < 400; i++) b[i] = (twin_signal_sample){h, T0 + i, (double)i};
    ck_assert_int_eq(twin_ingest_write_signals(x, b, 400, out, &done), TWIN_E_BUSY);
    ck_assert_int_eq(twin_ingest_last_error(x)->status, TWIN_E_BUSY);
    ck_assert_uint_gt(done, 100);
    ck_assert_uint_lt(done, 170);  /* 4096 bytes: the signal record, then 24 per sample */
    for (size_t i = 0; i < 400; i++)
        ck_assert_uint_eq(out[i], i < done ? TWIN_INGEST_ACCEPTED : TWIN_INGEST_NOT_PROCESSED);
    first = done;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_store_get_stats(small, &s), TWIN_OK);
    ck_assert_int_eq(s.busy, 1);
    ck_assert_uint_eq(s.pending_samples, first);
    /* refused whole while it has not drained, even a sample that would fit */
    ck_assert_int_eq(twin_ingest_write_signals(x, b + first, 1, out, &done), TWIN_E_BUSY);
    ck_assert_uint_eq(done, 0);
    ck_assert_uint_eq(out[0], TWIN_INGEST_NOT_PROCESSED);
    ck_assert_uint_eq(stats_of(0).outcomes[TWIN_INGEST_ACCEPTED], 0);  /* fixture's handle */
    ck_assert_int_eq(twin_ingest_add_signal(x, "pump2", "flow", NULL, NULL), TWIN_E_BUSY);
    ck_assert_int_eq(twin_store_add_twin(small, "new", PUMP, NULL, 0), TWIN_E_BUSY);
    ck_assert_int_eq(twin_graph_find_twin(g, "new", NULL), TWIN_E_NOTFOUND);
    /* the store comes back: the next call drains, then accepts */
    down.fail_rate = 0;
    ck_assert_int_eq(twin_ingest_write_signals(x, b + first, 400 - first, out, &done), TWIN_OK);
    ck_assert_uint_eq(done, 400 - first);
    ck_assert_int_eq(twin_store_flush(small), TWIN_OK);
    ck_assert_uint_eq(memstore_samples(&down, got, 400), 400);
    for (int i = 0; i < 400; i++) ck_assert(got[i].t_us == T0 + i && got[i].value == i);
    twin_ingest_destroy(x);
    twin_store_destroy(small);
    memstore_fini(&down);
}
END_TEST

/* The proof: a store failing at random points (a deterministic PRNG), with
 * transactions or without, a small outbox so that back-pressure happens,
 * random samples with duplicates, conflicts, late and out-of-order ones,
 * two units; the writer resubmits what was not processed. At the end the
 * store holds exactly the accepted samples, in acceptance order, each
 * once. */
static void failure_injection(int transactional, double rate, unsigned burst, uint64_t seed)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest_options io;
    twin_store *sx;
    twin_ingest *x;
    twin_signal h[4], hf;
    memstore m;
    twin_signal_sample *acc, *got;
    size_t nacc = 0, cap = 20000, busy = 0;
    uint64_t r = seed;

    memstore_init(&m, transactional);
    m.fail_rate = rate;
    m.burst = burst;
    m.prng = seed ^ 0x5555;
    memstore_callbacks(&m, &cb);
    twin_store_options_init(&so);
    so.alloc = &fa.alloc;
    so.callbacks = &cb;
    so.outbox_bytes = 8192;
    ck_assert_int_eq(twin_store_create(&sx, g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.store = sx;
    ck_assert_int_eq(twin_ingest_create(&x, g, &io), TWIN_OK);
    acc = malloc(cap * sizeof *acc);
    got = malloc(cap * sizeof *got);
    ck_assert(acc && got);
    for (int i = 0; i < 4; i++) {
        twin_signal_options o;
        char name[8];
        twin_status s;
        snprintf(name, sizeof name, "s%d", i);
        twin_signal_options_init(&o);
        o.unit = "degreeCelsius";
        o.order = i % 2 ? TWIN_INGEST_ORDER_WINDOW : TWIN_INGEST_ORDER_REJECT;
        o.reorder_window_us = 50;
        o.history = 16;
        while ((s = twin_ingest_add_signal(x, i < 2 ? "pump1" : "pump2", name, &o, &h[i])) ==
               TWIN_E_BUSY)
            twin_store_flush(sx);
        ck_assert_int_eq(s, TWIN_OK);
    }
    ck_assert_int_eq(twin_ingest_resolve(x, "pump1", "s1", "degreeFahrenheit", &hf), TWIN_OK);
    for (int round = 0; round < 300; round++) {
        twin_signal_sample b[40];
        uint8_t out[40];
        size_t n = 1 + (size_t)(r >> 59) % 40, at = 0, done;
        for (size_t i = 0; i < n; i++) {
            int k;
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            k = (int)(r >> 62);
            b[i].signal = (k == 1 && (r >> 20) % 3 == 0) ? hf : h[k];
            b[i].t_us = T0 + round * 20 + (int64_t)((r >> 30) % 64) - 20;
            b[i].value = (double)((r >> 10) % 5);
        }
        while (at < n) {
            twin_status s = twin_ingest_write_signals(x, b + at, n - at, out + at, &done);
            ck_assert(s == TWIN_OK || s == TWIN_E_BUSY);
            for (size_t i = at; i < at + done; i++) {
                if (out[i] != TWIN_INGEST_ACCEPTED && out[i] != TWIN_INGEST_ACCEPTED_LATE)
                    continue;
                ck_assert_uint_lt(nacc, cap);
                acc[nacc].signal = b[i].signal == hf ? h[1] : b[i].signal;
                acc[nacc].t_us = b[i].t_us;
                acc[nacc].value = b[i].signal == hf ? (b[i].value - 32) * 5 / 9 : b[i].value;
                nacc++;
            }
            at += done;
            if (s == TWIN_E_BUSY) {
                busy++;
                twin_store_flush(sx);  /* may fail too; the loop tries again */
            }
        }
    }
    {
        int tries = 0;
        while (twin_store_flush(sx) != TWIN_OK) ck_assert_int_lt(++tries, 10000);
    }
    ck_assert_uint_eq(memstore_samples(&m, got, cap), nacc);
    for (size_t i = 0; i < nacc; i++)
        ck_assert_msg(got[i].signal == acc[i].signal && got[i].t_us == acc[i].t_us &&
                          got[i].value == acc[i].value,
                      "sample %zu differs", i);
    /* no duplicate (signal, time) in the store */
    for (size_t i = 0; i < nacc; i++)
        for (size_t j = i + 1; j < nacc && j < i + 200; j++)
            ck_assert(!(got[i].signal == got[j].signal && got[i].t_us == got[j].t_us));
    ck_assert_uint_eq(memstore_count(&m, MS_SIGNAL), 4);
    ck_assert_uint_gt(m.failures, 10);
    if (burst > 1) ck_assert_uint_gt(busy, 0); /* the outbox filled up */
    twin_ingest_destroy(x);
    twin_store_destroy(sx);
    memstore_fini(&m);
    free(acc);
    free(got);
}

START_TEST(test_failure_injection_store_holds_exactly_accepted)
{
    failure_injection(0, 0.3, 1, 1);
    failure_injection(0, 0.05, 1, 2);
    failure_injection(0, 0.7, 1, 3);
    failure_injection(0, 0.1, 60, 7);  /* outages: back-pressure */
}
END_TEST

START_TEST(test_failure_injection_transactional_store_holds_exactly_accepted)
{
    failure_injection(1, 0.3, 1, 4);
    failure_injection(1, 0.05, 1, 5);
    failure_injection(1, 0.6, 1, 6);
    failure_injection(1, 0.1, 60, 8);
}
END_TEST

/* ---- callbacks may not write ------------------------------------------------------- */

static twin_status reentry_status;
static twin_ingest *reentry_ing;

static void event_writes(void *ud, const twin_ingest_event *ev)
{
    twin_signal_sample s = {ev->signal, ev->t_us + 1, 1};
    (void)ud;
    reentry_status = twin_ingest_write_signals(reentry_ing, &s, 1, NULL, NULL);
}

START_TEST(test_event_callback_writing_gets_state)
{
    twin_ingest_options io;
    twin_signal_options so;
    twin_signal h;
    twin_signal_sample s;
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.on_event = event_writes;
    ck_assert_int_eq(twin_ingest_create(&reentry_ing, g, &io), TWIN_OK);
    twin_signal_options_init(&so);
    so.alarm_high = 0.5;
    ck_assert_int_eq(twin_ingest_add_signal(reentry_ing, "pump1", "p", &so, &h), TWIN_OK);
    reentry_status = TWIN_OK;
    s = (twin_signal_sample){h, T0, 1};
    ck_assert_int_eq(twin_ingest_write_signals(reentry_ing, &s, 1, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(reentry_status, TWIN_E_STATE);
    ck_assert_int_eq(twin_ingest_get_latest(reentry_ing, h, NULL, NULL), TWIN_OK);
    twin_ingest_destroy(reentry_ing);
}
END_TEST

static twin_store *reentry_store;

static twin_status write_flushes(void *ud, const twin_signal_sample *s, size_t n)
{
    (void)ud;
    (void)s;
    (void)n;
    reentry_status = twin_store_flush(reentry_store);
    return TWIN_OK;
}

START_TEST(test_store_callback_calling_store_gets_state)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest_options io;
    twin_ingest *x;
    twin_signal h;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.write_samples = write_flushes;
    twin_store_options_init(&so);
    so.alloc = &fa.alloc;
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&reentry_store, g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.store = reentry_store;
    ck_assert_int_eq(twin_ingest_create(&x, g, &io), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x, "pump1", "p", NULL, &h), TWIN_OK);
    reentry_status = TWIN_OK;
    {
        twin_signal_sample s = {h, T0, 1};
        ck_assert_int_eq(twin_ingest_write_signals(x, &s, 1, NULL, NULL), TWIN_OK);
    }
    ck_assert_int_eq(reentry_status, TWIN_E_STATE);
    twin_ingest_destroy(x);
    twin_store_destroy(reentry_store);
}
END_TEST

/* ---- checkpoints ------------------------------------------------------------------- */

START_TEST(test_checkpoint_queues_changed_health_states)
{
    twin_health_options o;
    twin_signal a = sig_add("motor1", "v1", NULL, 1, 0, 0), b = sig_add("motor1", "v2", NULL, 1, 0, 0);
    twin_health_options_init(&o);
    o.prior_mean[0] = log(0.1);
    ASSERT_ING_OK(twin_ingest_attach_health(ing, a, &o, T0));
    ASSERT_ING_OK(twin_ingest_attach_health(ing, b, &o, T0));
    ck_assert_uint_eq(memstore_count(&ms, MS_HEALTH), 2);  /* at attach */
    ck_assert_int_eq(twin_store_checkpoint(st), TWIN_OK);
    ck_assert_uint_eq(memstore_count(&ms, MS_HEALTH), 2);  /* nothing changed */
    ck_assert_uint_eq(put_sig(a, T0 + SEC, 0.1), TWIN_INGEST_ACCEPTED);
    ck_assert_int_eq(twin_store_checkpoint(st), TWIN_OK);
    ck_assert_uint_eq(memstore_count(&ms, MS_HEALTH), 3);
    ck_assert(ms.log[ms.committed - 1].signal == a);
    ck_assert_int_eq(twin_store_checkpoint(st), TWIN_OK);
    ck_assert_uint_eq(memstore_count(&ms, MS_HEALTH), 3);
}
END_TEST

/* ---- loading ---------------------------------------------------------------------- */

typedef struct feed {
    int twins, rels, sigs;
    int fail_at;  /* fail the n-th call of next_signal (1-based), 0 never */
    twin_health_options ho;
    twin_health hs;
} feed;

static twin_status next_twin(void *ud, twin_store_twin *out)
{
    feed *f = ud;
    static twin_member p[1];
    static const char *ids[] = {"a", "b", "c"};
    if (f->twins == 3) return TWIN_DONE;
    p[0].name = "serial";
    p[0].value = twin_value_string("X-1");
    out->id = ids[f->twins++];
    out->model_id = PUMP;
    out->props = p;
    out->nprops = 1;
    return TWIN_OK;
}

static twin_status next_rel(void *ud, twin_relationship *out)
{
    feed *f = ud;
    if (f->rels == 2) return TWIN_DONE;
    out->source_id = f->rels ? "b" : "a";
    out->target_id = f->rels ? "c" : "b";
    out->id = f->rels ? "r2" : "r1";
    out->name = "feeds";
    f->rels++;
    return TWIN_OK;
}

static twin_status next_sig(void *ud, twin_store_loaded_signal *out)
{
    feed *f = ud;
    static twin_signal_options o;
    if (++f->sigs == f->fail_at) return TWIN_E_IO;
    if (f->sigs > 2) return TWIN_DONE;
    twin_signal_options_init(&o);
    o.unit = "degreeCelsius";
    out->twin_id = f->sigs == 1 ? "a" : "c";
    out->name = "temperature";
    out->options = &o;
    out->has_latest = 1;
    out->latest_t_us = T0 + f->sigs;
    out->latest_value = 20.0 + f->sigs;
    if (f->sigs == 2) {
        out->health_options = &f->ho;
        out->health = &f->hs;
    }
    return TWIN_OK;
}

START_TEST(test_load_rebuilds_graph_and_signals)
{
    feed f;
    twin_store_loader ld;
    twin_signal h;
    double v;
    twin_health got;
    bytes before, after;
    memset(&f, 0, sizeof f);
    twin_health_options_init(&f.ho);
    f.ho.prior_mean[0] = log(0.1);
    ck_assert_int_eq(twin_health_init(&f.hs, &f.ho, T0, NULL), TWIN_OK);
    ld.size = sizeof ld;
    ld.reserved_ = 0;
    ld.ud = &f;
    ld.next_twin = next_twin;
    ld.next_relationship = next_rel;
    ld.next_signal = next_sig;
    /* a loader failing half way leaves everything as it was */
    f.fail_at = 2;
    sig_add("pump1", "flow", NULL, 1, 0, 0);
    state_of(g, ing, &before);
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_E_IO);
    state_of(g, ing, &after);
    ck_assert(bytes_equal(&before, &after));
    bytes_free(&after);
    memset(&f, 0, sizeof f);
    twin_health_options_init(&f.ho);
    f.ho.prior_mean[0] = log(0.1);
    ck_assert_int_eq(twin_health_init(&f.hs, &f.ho, T0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_OK);
    ck_assert_uint_eq(twin_graph_twin_count(g), 3);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 2);
    ck_assert_int_eq(twin_graph_find_twin(g, "pump1", NULL), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(twin_ingest_signal_count(ing), 2);
    ASSERT_ING_OK(twin_ingest_resolve(ing, "c", "temperature", "degreeFahrenheit", &h));
    ck_assert_uint_eq(put_sig(h, T0 + 3, 212), TWIN_INGEST_ACCEPTED);
    ck_assert_int_eq(twin_ingest_get_latest(ing, h, NULL, &v), TWIN_OK);
    ck_assert(v == 100.0);
    ck_assert_int_eq(twin_ingest_get_health(ing, h, &got, NULL), TWIN_OK);
    ck_assert_uint_eq(put_name("a", "temperature", T0 + 1, 21.0, NULL), TWIN_INGEST_DUPLICATE);
    bytes_free(&before);
}
END_TEST

/* A user model keeping one level: it predicts the level, and a sample sets it. */
static twin_status level_update(void *ud, void *state, double t, double v, int32_t diverged)
{
    (void)ud;
    (void)t;
    (void)diverged;
    memcpy(state, &v, sizeof v);
    return TWIN_OK;
}

static twin_status level_init(void *ud, void *state)
{
    double one = 1.0;
    (void)ud;
    memcpy(state, &one, sizeof one);
    return TWIN_OK;
}

static double level_predict(void *ud, const void *state, double t)
{
    double v;
    (void)ud;
    (void)t;
    memcpy(&v, state, sizeof v);
    return v;
}

/* A store keeps no functions: a loaded user-model state without its table
 * runs with the ingest handle's user_model, and without one the load is
 * refused. */
START_TEST(test_load_user_model_state_runs_with_ingest_user_model)
{
    twin_health_model m = {sizeof m, sizeof(double), NULL, level_init, level_predict,
                          level_update};
    twin_ingest_options io;
    twin_ingest *ing2;
    twin_store_loader ld;
    twin_signal h;
    twin_health got;
    twin_health_options gho;
    double p;
    feed f;
    memset(&f, 0, sizeof f);
    twin_health_options_init(&f.ho);
    f.ho.model = TWIN_HEALTH_USER;
    f.ho.user = &m;
    f.ho.failure_level = 100.0;
    ck_assert_int_eq(twin_health_init(&f.hs, &f.ho, T0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&f.hs, &f.ho, T0 + 1, 5.0, NULL, NULL), TWIN_OK);
    f.ho.user = NULL;  /* as a store gives it back */
    ld.size = sizeof ld;
    ld.reserved_ = 0;
    ld.ud = &f;
    ld.next_twin = next_twin;
    ld.next_relationship = next_rel;
    ld.next_signal = next_sig;

    /* no user_model: refused, nothing changed, the graph says why */
    sig_add("pump1", "flow", NULL, 1, 0, 0);
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_E_STATE);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(g)->message, "user_model"));
    ck_assert_int_eq(twin_graph_find_twin(g, "pump1", NULL), TWIN_OK);
    /* a loader that hands the table over needs no user_model */
    f.ho.user = &m;
    f.twins = f.rels = f.sigs = 0;
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolve(ing, "c", "temperature", NULL, &h), TWIN_OK);
    twin_health_options_init(&gho);
    ck_assert_int_eq(twin_ingest_get_health(ing, h, &got, &gho), TWIN_OK);
    ck_assert_ptr_eq(gho.user, &m);
    f.ho.user = NULL;

    /* with one: loaded, and the state runs with it */
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.user_model = &m;
    ck_assert_int_eq(twin_ingest_create(&ing2, g, &io), TWIN_OK);
    f.twins = f.rels = f.sigs = 0;
    ck_assert_int_eq(twin_store_load(g, ing2, &ld), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolve(ing2, "c", "temperature", NULL, &h), TWIN_OK);
    twin_health_options_init(&gho);
    ck_assert_int_eq(twin_ingest_get_health(ing2, h, &got, &gho), TWIN_OK);
    ck_assert_ptr_eq(gho.user, &m);
    ck_assert_int_eq(twin_health_predict(&got, &gho, T0 + 2, &p, NULL), TWIN_OK);
    ck_assert(p == 5.0);  /* the state as it was stored */
    {
        twin_signal_sample smp = {h, T0 + 10, 7.5};
        uint8_t out;
        size_t done = 0;
        ck_assert_int_eq(twin_ingest_write_signals(ing2, &smp, 1, &out, &done), TWIN_OK);
        ck_assert_uint_eq(out, TWIN_INGEST_ACCEPTED);
    }
    ck_assert_int_eq(twin_ingest_get_health(ing2, h, &got, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_predict(&got, &gho, T0 + 11, &p, NULL), TWIN_OK);
    ck_assert(p == 7.5);
    twin_ingest_destroy(ing2);
}
END_TEST

START_TEST(test_load_refusals_leave_a_message)
{
    twin_store_loader ld;
    memset(&ld, 0, sizeof ld);
    ld.size = sizeof ld + 8;
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_E_ABI);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(g)->message, "loader size"));
    ld.size = 4;
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_INVAL);
    ck_assert_int_eq(twin_store_load(g, ing, NULL), TWIN_E_INVAL);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(g)->message, "NULL"));
    ck_assert_int_eq(twin_store_load(NULL, ing, &ld), TWIN_E_INVAL);
}
END_TEST

Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("records");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_store_options_and_create);
    tcase_add_test(tc, test_signal_record_precedes_its_samples);
    tcase_add_test(tc, test_samples_reach_store_converted_by_canonical_handle);
    tcase_add_test(tc, test_graph_changes_through_store_are_recorded_in_order);
    tcase_add_test(tc, test_remove_twin_through_store_queues_rels_then_twin);
    tcase_add_test(tc, test_put_superseded_by_delete_is_skipped);
    tcase_add_test(tc, test_checkpoint_queues_changed_health_states);
    tcase_add_test(tc, test_load_rebuilds_graph_and_signals);
    tcase_add_test(tc, test_load_user_model_state_runs_with_ingest_user_model);
    tcase_add_test(tc, test_load_refusals_leave_a_message);
    suite_add_tcase(s, tc);

    /* The failure-injection loops take a few seconds (more under ASan or a
       loaded machine): a generous limit, so that only a hang fails. */
    tc = tcase_create("failures");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_failed_delivery_retried_on_next_call);
    tcase_add_test(tc, test_flush_returns_store_status_then_ok);
    tcase_add_test(tc, test_back_pressure_busy_until_drained);
    tcase_add_test(tc, test_failure_injection_store_holds_exactly_accepted);
    tcase_add_test(tc, test_store_callback_calling_store_gets_state);
    tcase_add_test(tc, test_event_callback_writing_gets_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("transactions");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, ingest_setup_tx, ingest_teardown);
    tcase_add_test(tc, test_transactional_store_gets_everything_since_flush_again);
    tcase_add_test(tc, test_failure_injection_transactional_store_holds_exactly_accepted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(store_suite());
}
