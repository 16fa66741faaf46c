/* Snapshots: save, restore, save gives the same bytes; the restored state
 * behaves as the original; every truncation and every flipped bit of a
 * snapshot is refused with TWIN_E_PARSE and leaves the target untouched. */
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

static twin_signal hs[6];

/* A state with a bit of everything: removed and reused twin slots, nested
 * properties, a hub, relationship properties, signals with every option,
 * history, counters, events, health models of two kinds (one detached). */
static void populate(void)
{
    twin_value items[3] = {twin_value_int(-5), twin_value_double(-0.0), twin_value_null()};
    twin_member inner[2] = {{"on", twin_value_bool(1)}, {"list", twin_value_array(items, 3)}};
    twin_member props[3] = {{"name", twin_value_string("Pump \xc3\xa9")},
                            {"cfg", twin_value_object(inner, 2)},
                            {"rated", twin_value_double(1.5e-300)}};
    twin_value w = twin_value_double(0.25);
    twin_health_options ho, hl;
    twin_signal_options so;
    char id[16];

    for (int i = 0; i < 24; i++) {
        snprintf(id, sizeof id, "t%02d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, i % 3 ? PUMP : MOTOR, i % 4 ? NULL : props,
                                         i % 4 ? 0 : 3));
    }
    ASSERT_OK(g, twin_graph_remove_twin(g, "t05", 0));
    ASSERT_OK(g, twin_graph_remove_twin(g, "t11", 0));
    ASSERT_OK(g, twin_graph_add_twin(g, "late", "dtmi:example:Valve;2", NULL, 0));
    for (int i = 0; i < 20; i++) {
        char src[16], rel[16];
        snprintf(src, sizeof src, "t%02d", i == 5 || i == 11 ? 0 : i);
        snprintf(rel, sizeof rel, "r%d", i);
        snprintf(id, sizeof id, "t%02d", (i * 7 + 3) % 24 == 5 ? 6 : (i * 7 + 3) % 24 == 11 ? 12
                                                                : (i * 7 + 3) % 24);
        ASSERT_OK(g, twin_graph_add_relationship(g, src, rel, i % 2 ? "feeds" : "drives", id,
                                                 NULL, 0));
    }
    for (int i = 0; i < 18; i++) { /* a hub: indexed relationships */
        snprintf(id, sizeof id, "h%d", i);
        ASSERT_OK(g, twin_graph_add_relationship(g, "late", id, "powers", "t01", NULL, 0));
    }
    ASSERT_OK(g, twin_graph_set_relationship_property(g, "late", "h3", "weight", &w));
    ASSERT_OK(g, twin_graph_remove_relationship(g, "late", "h7"));

    twin_health_options_init(&ho);
    ho.prior_mean[0] = log(0.1);
    ho.prior_mean[1] = 1e-7;
    ho.prior_cov[3] = 1e-14;
    ho.recalibration = TWIN_HEALTH_RECAL_EMA;
    twin_health_options_init(&hl);
    hl.model = TWIN_HEALTH_LINEAR;
    hl.prior_cov[3] = 1e-10;
    hl.failure_level = 50;

    hs[0] = sig_add("t00", "temperature", "degreeCelsius", TWIN_INGEST_ORDER_WINDOW, 10 * SEC, 8);
    hs[1] = sig_add("t00", "pressure", "kilopascal", TWIN_INGEST_ORDER_REJECT, 0, 3);
    hs[2] = sig_add("late", "speed", "radianPerSecond", TWIN_INGEST_ORDER_REJECT, 0, 0);
    twin_signal_options_init(&so);
    so.alarm_low = -1;
    so.alarm_high = 3;
    so.health_step = 0.1;
    ASSERT_ING_OK(twin_ingest_add_signal(ing, "t13", "vibration", &so, &hs[3]));
    hs[4] = sig_add("t13", "level", NULL, 1, 0, 0);
    hs[5] = sig_add("t02", "gone", NULL, 1, 0, 0);
    ASSERT_ING_OK(twin_ingest_attach_health(ing, hs[3], &ho, T0));
    ASSERT_ING_OK(twin_ingest_attach_health(ing, hs[4], &hl, T0));
    ASSERT_ING_OK(twin_ingest_attach_health(ing, hs[5], &hl, T0));
    ASSERT_ING_OK(twin_ingest_detach_health(ing, hs[4]));
    for (int i = 1; i <= 40; i++) {
        int64_t t = T0 + i * SEC;
        put_sig(hs[0], t, 20 + 0.1 * i);
        if (i % 5 == 0) put_sig(hs[0], t - 3 * SEC, 1);     /* late */
        if (i % 7 == 0) put_sig(hs[0], t, 20 + 0.1 * i);    /* duplicate */
        put_name("t00", "pressure", t, 101.0 + i, i % 2 ? "pascal" : NULL);
        put_sig(hs[3], T0 + (int64_t)i * 3600 * SEC, 0.1 * exp(1e-6 * i * 3600) * (i > 30 ? 2.5 : 1));
        put_sig(hs[4], t, i);
        put_sig(hs[5], t, NAN);
    }
    put_name("ghost", "x", T0, 1, NULL);
    ASSERT_ING_OK(twin_ingest_remove_twin(ing, "t02"));
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
}

/* Compare two graphs as graphsnap sees them, but for the order of incoming
 * relationships (see storage.h). */
static void assert_same_graph(const twin_graph *a, const twin_graph *b)
{
    snap sa, sb;
    size_t j = 0;
    snap_take(&sa, a);
    snap_take(&sb, b);
    ck_assert_uint_eq(sa.n, sb.n);
    for (size_t i = 0; i < sa.n; i++) {
        if (sa.lines[i][0] == 'I') continue;
        while (sb.lines[j][0] == 'I') j++;
        ck_assert_msg(strcmp(sa.lines[i], sb.lines[j]) == 0, "graphs differ:\n%s\n%s",
                      sa.lines[i], sb.lines[j]);
        j++;
    }
    snap_free(&sa);
    snap_free(&sb);
}

typedef struct target {
    twin_graph *g;
    twin_ingest *ing;
} target;

static target new_target(void)
{
    target t;
    twin_ingest_options io;
    t.g = graph_new(&fa.alloc);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    ck_assert_int_eq(twin_ingest_create(&t.ing, t.g, &io), TWIN_OK);
    return t;
}

static void free_target(target *t)
{
    twin_ingest_destroy(t->ing);
    twin_graph_destroy(t->g);
}

static twin_status restore_bytes(target *t, const bytes *b, size_t chunk)
{
    reader r = {b->p, b->n, 0, chunk, SIZE_MAX};
    return twin_snapshot_restore(t->g, t->ing, reader_read, &r);
}

START_TEST(test_save_restore_save_gives_identical_bytes)
{
    bytes a, b, c;
    target t = new_target();
    populate();
    state_of(g, ing, &a);
    ck_assert_int_eq(restore_bytes(&t, &a, 0), TWIN_OK);
    state_of(t.g, t.ing, &b);
    ck_assert_msg(bytes_equal(&a, &b), "saved again: %zu bytes, first %zu", b.n, a.n);
    assert_same_graph(g, t.g);
    /* any chunking of the reads */
    ck_assert_int_eq(restore_bytes(&t, &a, 1), TWIN_OK);
    ck_assert_int_eq(restore_bytes(&t, &a, 777), TWIN_OK);
    state_of(t.g, t.ing, &c);
    ck_assert(bytes_equal(&a, &c));
    bytes_free(&a);
    bytes_free(&b);
    bytes_free(&c);
    free_target(&t);
}
END_TEST

/* The trailer is the CRC-32 of zlib (reflected 0xEDB88320), computed here
 * bit by bit; the header carries the magic, version and total length. */
START_TEST(test_snapshot_header_and_checksum_format)
{
    bytes a;
    uint32_t crc = 0xffffffffu, want;
    uint64_t total = 0;
    populate();
    state_of(g, ing, &a);
    ck_assert(memcmp(a.p, "LTWNSNAP", 8) == 0);
    ck_assert_uint_eq(a.p[8], TWIN_SNAPSHOT_VERSION);
    for (int i = 7; i >= 0; i--) total = total << 8 | a.p[16 + i];
    ck_assert_uint_eq(total, a.n);
    for (size_t i = 0; i + 4 < a.n; i++) {
        crc ^= a.p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    crc = ~crc;
    want = (uint32_t)a.p[a.n - 4] | (uint32_t)a.p[a.n - 3] << 8 | (uint32_t)a.p[a.n - 2] << 16 |
           (uint32_t)a.p[a.n - 1] << 24;
    ck_assert_uint_eq(crc, want);
    bytes_free(&a);
}
END_TEST

START_TEST(test_restored_state_behaves_as_original)
{
    bytes a;
    target t = new_target();
    twin_signal h;
    twin_health x, y;
    uint8_t o1, o2;
    populate();
    state_of(g, ing, &a);
    ck_assert_int_eq(restore_bytes(&t, &a, 0), TWIN_OK);
    /* same outcomes for the same samples: latest, history and policies */
    ck_assert_int_eq(twin_ingest_resolve(t.ing, "t00", "temperature", NULL, &h), TWIN_OK);
    {
        twin_signal_sample s[4] = {{hs[0], T0 + 40 * SEC, 24.0}, {hs[0], T0 + 37 * SEC, 1},
                                   {hs[0], T0 + 35 * SEC, 1}, {hs[0], T0 + 41 * SEC, 9}};
        for (int i = 0; i < 4; i++) {
            twin_signal_sample u = s[i];
            ck_assert_int_eq(twin_ingest_write_signals(ing, &s[i], 1, &o1, NULL), TWIN_OK);
            u.signal = h;
            ck_assert_int_eq(twin_ingest_write_signals(t.ing, &u, 1, &o2, NULL), TWIN_OK);
            ck_assert_uint_eq(o1, o2);
        }
    }
    ck_assert_int_eq(twin_ingest_resolve(t.ing, "t13", "vibration", NULL, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_health(ing, hs[3], &x, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_health(t.ing, h, &y, NULL), TWIN_OK);
    ck_assert(memcmp(&x, &y, sizeof x) == 0);
    ck_assert_uint_eq(stats_of(0).outcomes[TWIN_INGEST_UNKNOWN_TWIN], 1);
    ck_assert_int_eq(twin_ingest_resolve(t.ing, "t02", "gone", NULL, &h), TWIN_E_NOTFOUND);
    bytes_free(&a);
    free_target(&t);
}
END_TEST

START_TEST(test_restore_graph_only_and_save_graph_only)
{
    bytes a, b, c;
    twin_graph *g2 = graph_new(&fa.alloc);
    reader r;
    populate();
    state_of(g, NULL, &a);
    state_of(g, ing, &b);
    r = (reader){b.p, b.n, 0, 0, SIZE_MAX};
    ck_assert_int_eq(twin_snapshot_restore(g2, NULL, reader_read, &r), TWIN_OK);
    state_of(g2, NULL, &c);
    ck_assert(bytes_equal(&a, &c));
    bytes_free(&a);
    bytes_free(&b);
    bytes_free(&c);
    twin_graph_destroy(g2);
}
END_TEST

START_TEST(test_truncated_snapshot_refused_target_untouched)
{
    bytes a, before, after;
    target t = new_target();
    populate();
    state_of(g, ing, &a);
    /* a target with content of its own */
    ASSERT_OK(t.g, twin_graph_add_twin(t.g, "mine", PUMP, NULL, 0));
    ck_assert_int_eq(twin_ingest_add_signal(t.ing, "mine", "x", NULL, NULL), TWIN_OK);
    state_of(t.g, t.ing, &before);
    for (size_t n = 0; n < a.n; n++) {
        bytes cut = {a.p, n, n};
        twin_status s = restore_bytes(&t, &cut, 0);
        ck_assert_msg(s == TWIN_E_PARSE, "truncated at %zu of %zu: %d", n, a.n, s);
    }
    ck_assert_int_eq(twin_graph_last_error(t.g)->status, TWIN_E_PARSE);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(t.g)->message, "truncated"));
    state_of(t.g, t.ing, &after);
    ck_assert(bytes_equal(&before, &after));
    /* and one byte too many */
    {
        bytes more = {NULL, 0, 0};
        bytes_write(&more, a.p, a.n);
        bytes_write(&more, "x", 1);
        ck_assert_int_eq(restore_bytes(&t, &more, 0), TWIN_E_PARSE);
        bytes_free(&more);
    }
    bytes_free(&after);
    state_of(t.g, t.ing, &after);
    ck_assert(bytes_equal(&before, &after));
    bytes_free(&a);
    bytes_free(&before);
    bytes_free(&after);
    free_target(&t);
}
END_TEST

/* A header and counts that claim more than the input holds (found by
 * fuzz_snapshot): the reader allocates only as items really come, so a
 * 60-byte input claiming gigabytes costs kilobytes, and a long string (read
 * in pieces) still round-trips. */
START_TEST(test_lying_lengths_cost_what_the_input_holds)
{
    bytes a, lie = {NULL, 0, 0}, b;
    target t = new_target();
    size_t peak0;
    unsigned char *big = malloc(200001);
    twin_value v;
    for (size_t i = 0; i < 200000; i++) big[i] = (unsigned char)('a' + i % 26);
    big[200000] = '\0';
    v = twin_value_string((const char *)big);
    populate();
    ASSERT_OK(g, twin_graph_set_property(g, "pump1", "notes", &v));
    state_of(g, ing, &a);
    ck_assert_int_eq(restore_bytes(&t, &a, 1000), TWIN_OK);
    state_of(t.g, t.ing, &b);
    ck_assert(bytes_equal(&a, &b));
    bytes_free(&b);
    /* the same header, its total length set to 3 GB, then a model count
       and one string length of about 3 GB, and nothing else */
    bytes_write(&lie, a.p, 16);
    {
        unsigned char tail[] = {0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0,  /* total 3 GiB */
                                0xff, 0xff, 0xff, 0x0f,              /* 268M models */
                                0x00, 0x00, 0x00, 0xb0};             /* a 2.9 GB string */
        bytes_write(&lie, tail, sizeof tail);
    }
    peak0 = fa.live_bytes;
    fa.peak_bytes = fa.live_bytes;
    ck_assert_int_eq(restore_bytes(&t, &lie, 0), TWIN_E_PARSE);
    ck_assert_msg(fa.peak_bytes - peak0 < (size_t)1 << 20, "a 32-byte input cost %zu bytes",
                  fa.peak_bytes - peak0);
    bytes_free(&lie);
    bytes_free(&a);
    free(big);
    free_target(&t);
}
END_TEST

START_TEST(test_corrupted_snapshot_refused_target_untouched)
{
    bytes a, before, after;
    target t = new_target();
    size_t step;
    populate();
    state_of(g, ing, &a);
    ASSERT_OK(t.g, twin_graph_add_twin(t.g, "mine", PUMP, NULL, 0));
    state_of(t.g, t.ing, &before);
    ck_assert_uint_gt(a.n, 3000);  /* the state is not trivially small */
    /* every byte under ASan would be slow: every byte of the first 4 KiB,
       then a stride */
    for (size_t i = 0; i < a.n; i += step) {
        step = i < 4096 ? 1 : 61;
        for (int bit = 0; bit < 8; bit += (i < 4096 ? 3 : 1)) {
            twin_status s;
            a.p[i] ^= (unsigned char)(1u << bit);
            s = restore_bytes(&t, &a, 0);
            a.p[i] ^= (unsigned char)(1u << bit);
            ck_assert_msg(s == TWIN_E_PARSE, "bit %d of byte %zu flipped: %d (%s)", bit, i, s,
                          twin_graph_last_error(t.g)->message);
        }
    }
    state_of(t.g, t.ing, &after);
    ck_assert(bytes_equal(&before, &after));
    /* a flip in the body is found by the checksum */
    a.p[a.n / 2] ^= 0x10;
    ck_assert_int_eq(restore_bytes(&t, &a, 0), TWIN_E_PARSE);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(t.g)->message, "snapshot"));
    bytes_free(&a);
    bytes_free(&before);
    bytes_free(&after);
    free_target(&t);
}
END_TEST

START_TEST(test_restore_read_error_and_bad_arguments)
{
    bytes a, before, after;
    target t = new_target();
    reader r;
    populate();
    state_of(g, ing, &a);
    state_of(t.g, t.ing, &before);
    r = (reader){a.p, a.n, 0, 0, a.n / 2};
    ck_assert_int_eq(twin_snapshot_restore(t.g, t.ing, reader_read, &r), TWIN_E_IO);
    state_of(t.g, t.ing, &after);
    ck_assert(bytes_equal(&before, &after));
    ck_assert_int_eq(twin_snapshot_restore(NULL, NULL, reader_read, &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_snapshot_restore(t.g, ing, reader_read, &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_snapshot_save(t.g, ing, bytes_write, &a), TWIN_E_INVAL);
    ck_assert_int_eq(twin_snapshot_save(t.g, NULL, NULL, NULL), TWIN_E_INVAL);
    bytes_free(&a);
    bytes_free(&before);
    bytes_free(&after);
    free_target(&t);
}
END_TEST

static twin_status write_fails_after(void *ud, const void *buf, size_t n)
{
    size_t *left = ud;
    (void)buf;
    if (*left < n) return TWIN_E_IO;
    *left -= n;
    return TWIN_OK;
}

START_TEST(test_save_write_error_returned)
{
    size_t left = 1500;
    populate();
    ck_assert_int_eq(twin_snapshot_save(g, ing, write_fails_after, &left), TWIN_E_IO);
}
END_TEST

START_TEST(test_restore_refused_while_store_has_pending_records)
{
    bytes a;
    reader r;
    twin_signal h;
    populate();
    state_of(g, ing, &a);
    h = sig_add("t01", "x", NULL, 1, 0, 0);
    ms.fail_next = 1;
    put_sig(h, T0, 1);  /* accepted, the delivery failed: pending */
    r = (reader){a.p, a.n, 0, 0, SIZE_MAX};
    ck_assert_int_eq(twin_snapshot_restore(g, ing, reader_read, &r), TWIN_E_BUSY);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    r = (reader){a.p, a.n, 0, 0, SIZE_MAX};
    ck_assert_int_eq(twin_snapshot_restore(g, ing, reader_read, &r), TWIN_OK);
    bytes_free(&a);
}
END_TEST

/* A user model: the restore needs the table. */
static twin_status u_init(void *ud, void *state)
{
    (void)ud;
    *(double *)state = 1.0;
    return TWIN_OK;
}

static double u_predict(void *ud, const void *state, double t)
{
    (void)ud;
    return *(const double *)state + 0 * t;
}

static twin_status u_update(void *ud, void *state, double t, double v, int32_t diverged)
{
    (void)ud;
    (void)t;
    (void)diverged;
    *(double *)state = 0.5 * (*(double *)state + v);
    return TWIN_OK;
}

START_TEST(test_user_model_states_need_the_table)
{
    twin_health_model um = {sizeof um, sizeof(double), NULL, u_init, u_predict, u_update};
    twin_health_options o;
    twin_ingest_options io;
    target t = new_target(), u;
    bytes a, b;
    twin_signal h = sig_add("pump1", "x", NULL, 1, 0, 0);
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_USER;
    o.user = &um;
    o.failure_level = 10;
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    put_sig(h, T0 + 1, 3);
    state_of(g, ing, &a);
    ck_assert_int_eq(restore_bytes(&t, &a, 0), TWIN_E_STATE);
    u.g = graph_new(&fa.alloc);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.user_model = &um;
    ck_assert_int_eq(twin_ingest_create(&u.ing, u.g, &io), TWIN_OK);
    ck_assert_int_eq(restore_bytes(&u, &a, 0), TWIN_OK);
    state_of(u.g, u.ing, &b);
    ck_assert(bytes_equal(&a, &b));
    ck_assert_int_eq(twin_ingest_resolve(u.ing, "pump1", "x", NULL, &h), TWIN_OK);
    {
        twin_signal_sample s = {h, T0 + 2, 5};
        twin_health st2;
        double v;
        ck_assert_int_eq(twin_ingest_write_signals(u.ing, &s, 1, NULL, NULL), TWIN_OK);
        ck_assert_int_eq(twin_ingest_get_health(u.ing, h, &st2, NULL), TWIN_OK);
        ck_assert_int_eq(twin_health_predict(&st2, &o, T0 + 2, &v, NULL), TWIN_OK);
        ck_assert(v == 0.5 * (0.5 * (1.0 + 3) + 5));
    }
    bytes_free(&a);
    bytes_free(&b);
    free_target(&t);
    free_target(&u);
}
END_TEST

Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tcase_create("round trip");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_save_restore_save_gives_identical_bytes);
    tcase_add_test(tc, test_lying_lengths_cost_what_the_input_holds);
    tcase_add_test(tc, test_snapshot_header_and_checksum_format);
    tcase_add_test(tc, test_restored_state_behaves_as_original);
    tcase_add_test(tc, test_restore_graph_only_and_save_graph_only);
    tcase_add_test(tc, test_user_model_states_need_the_table);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad input");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_truncated_snapshot_refused_target_untouched);
    tcase_add_test(tc, test_corrupted_snapshot_refused_target_untouched);
    tcase_add_test(tc, test_restore_read_error_and_bad_arguments);
    tcase_add_test(tc, test_save_write_error_returned);
    tcase_add_test(tc, test_restore_refused_while_store_has_pending_records);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(snapshot_suite());
}
