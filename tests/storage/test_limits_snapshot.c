/* Limits of twin_snapshot_restore() (issue 21, docs/limits.md): for each,
 * a snapshot exactly at the limit is restored and reads back right, and
 * one just past it is refused with the stated status and message, the
 * target (graph and ingest handle with content of their own) untouched.
 *
 * A snapshot past a limit cannot be made by the library (the graph and the
 * ingest handle refuse such content), so each is a saved snapshot edited
 * here: a byte string replaced by another, then the header's total length
 * and the CRC-32 trailer set again, as a writer would have. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/graphsnap.h"
#include "support/ingest_fixture.h"
#include "support/run.h"

#define T0 1700000000000000LL
#define SEC 1000000LL

/* ---- editing saved snapshots ----------------------------------------------------- */

static uint32_t crc32_bits(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The header's total length and the trailer, for the bytes as they are. */
static void reseal(bytes *b)
{
    put_le(b->p + 16, b->n, 8);
    put_le(b->p + b->n - 4, crc32_bits(b->p, b->n - 4), 4);
}

/* The offset of the one occurrence of old in b (the test fails unless
 * there is exactly one). */
static size_t find_once(const bytes *b, const void *old, size_t oldn)
{
    size_t at = SIZE_MAX, hits = 0;
    for (size_t i = 0; i + oldn <= b->n; i++)
        if (memcmp(b->p + i, old, oldn) == 0) {
            at = i;
            hits++;
        }
    ck_assert_msg(hits == 1, "pattern of %zu bytes found %zu times", oldn, hits);
    return at;
}

/* Replace n bytes at offset at with newn bytes of rep, then reseal. */
static void splice(bytes *b, size_t at, size_t n, const void *rep, size_t newn)
{
    size_t tail = b->n - at - n;
    unsigned char *p = malloc(b->n - n + newn);
    ck_assert_ptr_nonnull(p);
    memcpy(p, b->p, at);
    memcpy(p + at, rep, newn);
    memcpy(p + at + newn, b->p + at + n, tail);
    free(b->p);
    b->p = p;
    b->n = b->cap = b->n - n + newn;
    reseal(b);
}

/* A snapshot string (u32 length, bytes) as it is written. */
static unsigned char *snap_str(const char *s, size_t *n)
{
    size_t len = strlen(s);
    unsigned char *p = malloc(len + 4);
    ck_assert_ptr_nonnull(p);
    put_le(p, len, 4);
    memcpy(p + 4, s, len);
    *n = len + 4;
    return p;
}

/* Replace the string old by new in b (both as snapshot strings). */
static void replace_str(bytes *b, const char *old, const char *new)
{
    size_t on, nn;
    unsigned char *o = snap_str(old, &on), *w = snap_str(new, &nn);
    splice(b, find_once(b, o, on), on, w, nn);
    free(o);
    free(w);
}

/* ---- the target ------------------------------------------------------------------ */

typedef struct target {
    twin_graph *g;
    twin_ingest *ing;
} target;

/* A graph and ingest handle with a twin and a signal of their own. */
static target new_target(void)
{
    target t;
    twin_ingest_options io;
    t.g = graph_new(&fa.alloc);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    ck_assert_int_eq(twin_ingest_create(&t.ing, t.g, &io), TWIN_OK);
    ASSERT_OK(t.g, twin_graph_add_twin(t.g, "mine", PUMP, NULL, 0));
    ck_assert_int_eq(twin_ingest_add_signal(t.ing, "mine", "x", NULL, NULL), TWIN_OK);
    return t;
}

static void free_target(target *t)
{
    twin_ingest_destroy(t->ing);
    twin_graph_destroy(t->g);
}

static twin_status restore(target *t, const bytes *b)
{
    reader r = {b->p, b->n, 0, 0, SIZE_MAX};
    return twin_snapshot_restore(t->g, t->ing, reader_read, &r);
}

/* Restoring b is refused with want, the graph's last error names why (a
 * piece of its message), and the target is as it was. */
static void assert_refused(target *t, const bytes *b, twin_status want, const char *why)
{
    bytes before, after;
    twin_status s;
    state_of(t->g, t->ing, &before);
    s = restore(t, b);
    ck_assert_msg(s == want, "restore returned %d (%s), not %d: %s", s, twin_strerror(s), want,
                  twin_graph_last_error(t->g)->message);
    ck_assert_int_eq(twin_graph_last_error(t->g)->status, want);
    ck_assert_msg(strstr(twin_graph_last_error(t->g)->message, why) != NULL,
                  "message '%s' does not say '%s'", twin_graph_last_error(t->g)->message, why);
    state_of(t->g, t->ing, &after);
    ck_assert_msg(bytes_equal(&before, &after), "the refused restore changed the target");
    bytes_free(&before);
    bytes_free(&after);
}

/* Restoring b succeeds and saving the target again gives b. */
static void assert_restored(target *t, const bytes *b)
{
    bytes again;
    twin_status s = restore(t, b);
    ck_assert_msg(s == TWIN_OK, "restore returned %d (%s): %s", s, twin_strerror(s),
                  twin_graph_last_error(t->g)->message);
    state_of(t->g, t->ing, &again);
    ck_assert_msg(bytes_equal(b, &again), "saved again: %zu bytes, restored %zu", again.n, b->n);
    bytes_free(&again);
}

/* A string of n bytes: c repeated, then the marker tail (unique in the
 * snapshot), exactly n bytes in all. */
static char *sized(char c, size_t n, const char *tail)
{
    size_t k = strlen(tail);
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_ge(n, k);
    memset(s, c, n - k);
    memcpy(s + n - k, tail, k + 1);
    return s;
}

/* That string with one more byte in front. */
static char *one_more(const char *s)
{
    size_t n = strlen(s);
    char *t = malloc(n + 2);
    ck_assert_ptr_nonnull(t);
    t[0] = s[0];
    memcpy(t + 1, s, n + 1);
    return t;
}

/* ---- identifiers ----------------------------------------------------------------- */

START_TEST(test_twin_id_at_limit_and_past)
{
    char *id = sized('t', TWIN_ID_MAX, "#ID"), *longer = one_more(id);
    target t = new_target();
    bytes a;
    const char *model = NULL;
    ASSERT_OK(g, twin_graph_add_twin(g, id, PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, id, "r", "feeds", "pump1", NULL, 0));
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_graph_find_twin(t.g, id, &model), TWIN_OK);
    ck_assert_str_eq(model, PUMP);
    ck_assert_int_eq(rel_iter_count(t.g, id, TWIN_DIRECTION_OUTGOING, "feeds"), 1);
    replace_str(&a, id, longer);
    assert_refused(&t, &a, TWIN_E_RANGE, "twin id is longer than 1024 bytes (TWIN_ID_MAX)");
    bytes_free(&a);
    free_target(&t);
    free(id);
    free(longer);
}
END_TEST

START_TEST(test_model_id_at_limit_and_past)
{
    char *model = sized('m', TWIN_MODEL_ID_MAX, ";1"), *longer;
    const char *got = NULL;
    target t = new_target();
    bytes a;
    memcpy(model, "dtmi:x:", 7);
    longer = one_more(model);
    ASSERT_OK(g, twin_graph_add_twin(g, "big", model, NULL, 0));
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_graph_find_twin(t.g, "big", &got), TWIN_OK);
    ck_assert_str_eq(got, model);
    replace_str(&a, model, longer);
    assert_refused(&t, &a, TWIN_E_RANGE, "model id is longer than 4096 bytes (TWIN_MODEL_ID_MAX)");
    bytes_free(&a);
    free_target(&t);
    free(model);
    free(longer);
}
END_TEST

START_TEST(test_property_and_member_names_at_limit_and_past)
{
    char *pname = sized('p', TWIN_ID_MAX, "#P"), *mname = sized('q', TWIN_ID_MAX, "#M");
    char *plonger = one_more(pname), *mlonger = one_more(mname);
    twin_member inner = {mname, twin_value_int(7)};
    twin_member prop = {pname, twin_value_object(&inner, 1)};
    const twin_value *v = NULL;
    target t = new_target();
    bytes a, b;
    ASSERT_OK(g, twin_graph_add_twin(g, "named", PUMP, &prop, 1));
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_graph_get_property(t.g, "named", pname, &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_OBJECT);
    ck_assert_str_eq(v->as.members[0].name, mname);
    ck_assert_int_eq(v->as.members[0].value.as.i, 7);
    b = a;
    b.p = malloc(a.n);
    memcpy(b.p, a.p, a.n);
    replace_str(&a, pname, plonger);
    assert_refused(&t, &a, TWIN_E_RANGE, "property name is longer than 1024 bytes");
    replace_str(&b, mname, mlonger);
    assert_refused(&t, &b, TWIN_E_RANGE, "member name is longer than 1024 bytes");
    bytes_free(&a);
    bytes_free(&b);
    free_target(&t);
    free(pname);
    free(mname);
    free(plonger);
    free(mlonger);
}
END_TEST

START_TEST(test_relationship_id_and_name_at_limit_and_past)
{
    char *rid = sized('r', TWIN_ID_MAX, "#R"), *rname = sized('n', TWIN_ID_MAX, "#N");
    char *ridl = one_more(rid), *rnamel = one_more(rname);
    target t = new_target();
    bytes a, b;
    ASSERT_OK(g, twin_graph_add_relationship(g, "pump1", rid, rname, "pump2", NULL, 0));
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(rel_iter_count(t.g, "pump1", TWIN_DIRECTION_OUTGOING, rname), 1);
    b = a;
    b.p = malloc(a.n);
    memcpy(b.p, a.p, a.n);
    replace_str(&a, rid, ridl);
    assert_refused(&t, &a, TWIN_E_RANGE, "relationship id is longer than 1024 bytes");
    replace_str(&b, rname, rnamel);
    assert_refused(&t, &b, TWIN_E_RANGE, "relationship name is longer than 1024 bytes");
    bytes_free(&a);
    bytes_free(&b);
    free_target(&t);
    free(rid);
    free(rname);
    free(ridl);
    free(rnamel);
}
END_TEST

/* ---- values ---------------------------------------------------------------------- */

/* An integer nested in `levels` arrays of one item each; the graph takes
 * TWIN_VALUE_DEPTH_MAX levels, and a snapshot of it restores. */
START_TEST(test_value_depth_at_limit_and_past)
{
    static const unsigned char marker[9] = {2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    unsigned char deeper[14] = {5, 1, 0, 0, 0};
    twin_value lv[TWIN_VALUE_DEPTH_MAX + 1];
    twin_member prop = {"deep", {0}};
    const twin_value *v = NULL;
    target t = new_target();
    bytes a;
    int levels = 0;
    lv[0] = twin_value_int(0x1122334455667788LL);
    for (int i = 1; i <= TWIN_VALUE_DEPTH_MAX; i++) lv[i] = twin_value_array(&lv[i - 1], 1);
    prop.value = lv[TWIN_VALUE_DEPTH_MAX];
    ASSERT_OK(g, twin_graph_add_twin(g, "deep", PUMP, &prop, 1));
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_graph_get_property(t.g, "deep", "deep", &v), TWIN_OK);
    while (v->type == TWIN_VALUE_ARRAY) {
        ck_assert_uint_eq(v->len, 1);
        v = &v->as.items[0];
        levels++;
    }
    ck_assert_int_eq(levels, TWIN_VALUE_DEPTH_MAX);
    ck_assert(v->type == TWIN_VALUE_INT && v->as.i == 0x1122334455667788LL);
    /* one array more around the integer */
    memcpy(deeper + 5, marker, sizeof marker);
    splice(&a, find_once(&a, marker, sizeof marker), sizeof marker, deeper, sizeof deeper);
    assert_refused(&t, &a, TWIN_E_RANGE,
                   "value nests deeper than 32 levels (TWIN_VALUE_DEPTH_MAX)");
    bytes_free(&a);
    free_target(&t);
}
END_TEST

/* ---- signals --------------------------------------------------------------------- */

START_TEST(test_signal_name_and_unit_at_limit_and_past)
{
    char *name = sized('s', TWIN_ID_MAX, "#S"), *longer = one_more(name);
    char *unit = sized('u', TWIN_ID_MAX, "#U"), *ulonger = one_more(unit);
    twin_signal h = 0;
    target t = new_target();
    bytes a, b;
    h = sig_add("pump1", name, "degreeCelsius", TWIN_INGEST_ORDER_REJECT, 0, 0);
    put_sig(h, T0, 21.5);
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_ingest_resolve(t.ing, "pump1", name, NULL, &h), TWIN_OK);
    {
        int64_t at;
        double v;
        ck_assert_int_eq(twin_ingest_get_latest(t.ing, h, &at, &v), TWIN_OK);
        ck_assert(at == T0 && v == 21.5);
    }
    b = a;
    b.p = malloc(a.n);
    memcpy(b.p, a.p, a.n);
    replace_str(&a, name, longer);
    assert_refused(&t, &a, TWIN_E_RANGE, "signal name is longer than 1024 bytes");
    /* A unit is checked for its length as it is read; one at the limit
       passes the reader and is then refused by the ingest handle as a unit
       it does not know (no unit name is that long); one past it is refused
       by the reader. */
    replace_str(&b, "degreeCelsius", unit);
    assert_refused(&t, &b, TWIN_E_NOTFOUND, "unknown unit");
    replace_str(&b, unit, ulonger);
    assert_refused(&t, &b, TWIN_E_RANGE, "unit is longer than 1024 bytes");
    bytes_free(&a);
    bytes_free(&b);
    free_target(&t);
    free(name);
    free(longer);
    free(unit);
    free(ulonger);
}
END_TEST

/* A signal record after its name and unit: u32 order, i64 window, f64 low,
 * f64 high, then u32 history. */
#define HISTORY_AFTER_UNIT (4 + 8 + 8 + 8)

START_TEST(test_history_at_limit_and_past)
{
    static int64_t tt[TWIN_INGEST_HISTORY_MAX + 1];
    static double vv[TWIN_INGEST_HISTORY_MAX + 1];
    twin_signal h;
    target t = new_target();
    size_t n = 0, un, at;
    unsigned char *u;
    bytes a;
    h = sig_add("pump1", "hist", "kelvin", TWIN_INGEST_ORDER_REJECT, 0, TWIN_INGEST_HISTORY_MAX);
    for (int i = 0; i < TWIN_INGEST_HISTORY_MAX + 10; i++) put_sig(h, T0 + i * SEC, i);
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_ingest_resolve(t.ing, "pump1", "hist", NULL, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_history(t.ing, h, tt, vv, TWIN_INGEST_HISTORY_MAX + 1, &n,
                                             NULL),
                     TWIN_OK);
    ck_assert_uint_eq(n, TWIN_INGEST_HISTORY_MAX);
    ck_assert(tt[0] == T0 + 10 * SEC && vv[n - 1] == TWIN_INGEST_HISTORY_MAX + 9);
    /* the signal's history option, one more */
    u = snap_str("kelvin", &un);
    at = find_once(&a, u, un) + un + HISTORY_AFTER_UNIT;
    ck_assert_uint_eq(a.p[at] | a.p[at + 1] << 8, TWIN_INGEST_HISTORY_MAX);
    put_le(a.p + at, TWIN_INGEST_HISTORY_MAX + 1, 4);
    reseal(&a);
    assert_refused(&t, &a, TWIN_E_RANGE, "history is longer than 256 samples");
    free(u);
    bytes_free(&a);
    free_target(&t);
}
END_TEST

/* ---- health ---------------------------------------------------------------------- */

/* The encoded health state and options in a snapshot are at most their
 * encoded sizes: the encoder's forms restore; one byte more is refused
 * (the u32 length raised by one and a byte added after the form). */
START_TEST(test_encoded_health_at_limit_and_past)
{
    twin_health_options ho;
    twin_health x, y;
    twin_signal h, r;
    target t = new_target();
    bytes a, b;
    twin_health_options_init(&ho);
    ho.model = TWIN_HEALTH_LINEAR;
    ho.failure_level = 50;
    h = sig_add("pump1", "wear", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &ho, T0));
    for (int i = 1; i <= 10; i++) put_sig(h, T0 + i * SEC, i);
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    ck_assert_int_eq(twin_ingest_resolve(t.ing, "pump1", "wear", NULL, &r), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_health(ing, h, &x, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_health(t.ing, r, &y, NULL), TWIN_OK);
    ck_assert(memcmp(&x, &y, sizeof x) == 0);
    b = a;
    b.p = malloc(a.n);
    memcpy(b.p, a.p, a.n);
    {
        unsigned char head[7] = {TWIN_HEALTH_ENCODED_MAX, 0, 0, 0, 'H', 'S', 1};
        unsigned char rep[4 + TWIN_HEALTH_ENCODED_MAX + 1];
        size_t at = find_once(&a, head, sizeof head);
        put_le(rep, TWIN_HEALTH_ENCODED_MAX + 1, 4);
        memcpy(rep + 4, a.p + at + 4, TWIN_HEALTH_ENCODED_MAX);
        rep[sizeof rep - 1] = 0;
        splice(&a, at, 4 + TWIN_HEALTH_ENCODED_MAX, rep, sizeof rep);
        assert_refused(&t, &a, TWIN_E_RANGE,
                       "encoded health state is longer than 144 bytes (TWIN_HEALTH_ENCODED_MAX)");
    }
    {
        unsigned char head[7] = {TWIN_HEALTH_OPTIONS_ENCODED_MAX, 0, 0, 0, 'H', 'O', 1};
        unsigned char rep[4 + TWIN_HEALTH_OPTIONS_ENCODED_MAX + 1];
        size_t at = find_once(&b, head, sizeof head);
        put_le(rep, TWIN_HEALTH_OPTIONS_ENCODED_MAX + 1, 4);
        memcpy(rep + 4, b.p + at + 4, TWIN_HEALTH_OPTIONS_ENCODED_MAX);
        rep[sizeof rep - 1] = 0;
        splice(&b, at, 4 + TWIN_HEALTH_OPTIONS_ENCODED_MAX, rep, sizeof rep);
        assert_refused(&t, &b, TWIN_E_RANGE, "encoded health options are longer than 152 bytes");
    }
    bytes_free(&a);
    bytes_free(&b);
    free_target(&t);
}
END_TEST

/* 65535 health profiles (the ingest handle's limit) restore; a count of
 * 65536 is refused as it is read. The profiles are spliced into a saved
 * snapshot that has one: the ingest API would need as many signals. */
#define PROFILES_MAX 65535u

START_TEST(test_health_profiles_at_limit_and_past)
{
    unsigned char head[8] = {1, 0, 0, 0, TWIN_HEALTH_OPTIONS_ENCODED_MAX, 0, 0, 0};
    const size_t rec = 4 + TWIN_HEALTH_OPTIONS_ENCODED_MAX;
    twin_health_options ho;
    twin_signal h;
    target t = new_target();
    unsigned char *many;
    size_t at;
    bytes a, b;
    twin_health_options_init(&ho);
    h = sig_add("pump1", "wear", NULL, TWIN_INGEST_ORDER_REJECT, 0, 0);
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &ho, T0));
    state_of(g, ing, &a);
    at = find_once(&a, head, sizeof head);
    /* the count, the first profile (the signal's), then PROFILES_MAX - 1 others */
    many = malloc(4 + PROFILES_MAX * rec);
    ck_assert_ptr_nonnull(many);
    put_le(many, PROFILES_MAX, 4);
    memcpy(many + 4, a.p + at + 4, rec);
    for (uint32_t i = 1; i < PROFILES_MAX; i++) {
        twin_health_options o = ho;
        size_t len = 0;
        o.noise = ho.noise * (1.0 + i * 1e-6);
        put_le(many + 4 + i * rec, TWIN_HEALTH_OPTIONS_ENCODED_MAX, 4);
        ck_assert_int_eq(twin_health_options_encode(&o, many + 8 + i * rec,
                                                    TWIN_HEALTH_OPTIONS_ENCODED_MAX, &len, NULL),
                         TWIN_OK);
    }
    splice(&a, at, 4 + rec, many, 4 + PROFILES_MAX * rec);
    b = a;
    b.p = malloc(a.n);
    memcpy(b.p, a.p, a.n);
    ck_assert_int_eq(restore(&t, &a), TWIN_OK);
    {
        twin_health_options got;
        twin_health state;
        twin_health_options_init(&got);
        ck_assert_int_eq(twin_ingest_resolve(t.ing, "pump1", "wear", NULL, &h), TWIN_OK);
        ck_assert_int_eq(twin_ingest_get_health(t.ing, h, &state, &got), TWIN_OK);
        ck_assert(got.noise == ho.noise);
    }
    /* two alike among them are refused (found by sorting, not pairwise) */
    memcpy(b.p + at + 4 + 40000 * rec, b.p + at + 4 + 7 * rec, rec);
    reseal(&b);
    free_target(&t);
    t = new_target();
    assert_refused(&t, &b, TWIN_E_INVAL, "health options given twice");
    /* one more in the count (the bytes need not follow: the count is
       refused before the profiles are read) */
    put_le(b.p + at, PROFILES_MAX + 1, 4);
    reseal(&b);
    free_target(&t);
    t = new_target();
    assert_refused(&t, &b, TWIN_E_RANGE, "more than 65535 health profiles");
    free(many);
    bytes_free(&a);
    bytes_free(&b);
    free_target(&t);
}
END_TEST

/* ---- counts and lengths against what is left --------------------------------------- */

/* Every count and length is bounded by the bytes the header says are left
 * (strings as long as the input holds restore: test_snapshot's
 * test_lying_lengths_cost_what_the_input_holds round-trips one of 200000
 * bytes): a string value's length raised to one byte past the rest of the
 * snapshot is refused. */
START_TEST(test_string_value_against_bytes_left)
{
    twin_member prop = {"note", twin_value_string("#VALUE#")};
    unsigned char len7[11] = {4, 7, 0, 0, 0, '#', 'V', 'A', 'L', 'U', 'E'};
    target t = new_target();
    size_t at, left;
    bytes a;
    ASSERT_OK(g, twin_graph_add_twin(g, "noted", PUMP, &prop, 1));
    state_of(g, ing, &a);
    assert_restored(&t, &a);
    at = find_once(&a, len7, sizeof len7) + 1;
    left = a.n - (at + 4);
    /* the length raised to what is left (the rest of the snapshot, read as
       the string), and one more */
    put_le(a.p + at, left + 1, 4);
    reseal(&a);
    assert_refused(&t, &a, TWIN_E_PARSE, "runs past the end of the snapshot");
    bytes_free(&a);
    free_target(&t);
}
END_TEST

Suite *limits_snapshot_suite(void)
{
    Suite *s = suite_create("limits_snapshot");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_twin_id_at_limit_and_past);
    tcase_add_test(tc, test_model_id_at_limit_and_past);
    tcase_add_test(tc, test_property_and_member_names_at_limit_and_past);
    tcase_add_test(tc, test_relationship_id_and_name_at_limit_and_past);
    tcase_add_test(tc, test_value_depth_at_limit_and_past);
    tcase_add_test(tc, test_signal_name_and_unit_at_limit_and_past);
    tcase_add_test(tc, test_history_at_limit_and_past);
    tcase_add_test(tc, test_encoded_health_at_limit_and_past);
    tcase_add_test(tc, test_health_profiles_at_limit_and_past);
    tcase_add_test(tc, test_string_value_against_bytes_left);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(limits_snapshot_suite());
}
