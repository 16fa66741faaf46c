/* libtwin-sqlite: compressed series (schema 3). Every double read back has
 * the bits written (adversarial values in both value modes, irregular
 * times); reads of a range, at an instant and in buckets; late samples
 * merged; a corrupted block, or one of a newer format, loses only itself
 * and is named; a corrupted open block is set aside and writing goes on. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sq_fixture.h"
#include "support/run.h"

#define NMAX 9000

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* Values no encoder should get wrong: signed zeros, subnormals, extremes,
   values a digit away from decimals, decimals with many digits. */
static double adversarial(uint64_t i)
{
    static const double fixed[] = {
        -0.0, 0.0, 4.9406564584124654e-324, -4.9406564584124654e-324, 2.2250738585072009e-308,
        2.2250738585072014e-308, DBL_MAX, -DBL_MAX, 1e300, -1e-300, 9007199254740993.0,
        4503599627370497.5, 0.30000000000000004, 0.1, 1.0 / 3.0, 123456789.123456789, 1e-7,
        -273.15, 4503599627370496.0, 1e15 + 0.3};
    size_t nf = sizeof fixed / sizeof *fixed;
    switch (next_rand() % 4) {
    case 0: return fixed[i % nf];
    case 1: { /* a decimal, one ulp off */
        double d = (double)(int64_t)(next_rand() % 100000) / 100.0;
        return nextafter(d, (next_rand() & 1) ? INFINITY : -INFINITY);
    }
    case 2: { /* any finite double */
        double d;
        do d = from_bits(next_rand()); while (!isfinite(d));
        return d;
    }
    default: return (double)(int64_t)(next_rand() % 200000 - 100000) / 1000.0;
    }
}

typedef struct got {
    int64_t t[NMAX];
    double v[NMAX];
    size_t n;
} got;

static twin_status got_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    got *g = ud;
    ck_assert(g->n + n <= NMAX);
    memcpy(g->t + g->n, t, n * sizeof *t);
    memcpy(g->v + g->n, v, n * sizeof *v);
    g->n += n;
    return TWIN_OK;
}

static twin_signal add_signal(sq *x, const char *twin, const char *name, int late)
{
    twin_signal_options o;
    twin_signal h;
    twin_signal_options_init(&o);
    o.unit = "gForce";
    if (late) {
        o.order = TWIN_INGEST_ORDER_WINDOW;
        o.reorder_window_us = 3600 * SEC;
        o.history = 64;
    }
    if (twin_graph_find_twin(x->g, twin, NULL) != TWIN_OK)
        ck_assert_int_eq(twin_store_add_twin(x->st, twin, "dtmi:t:Machine;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x->ing, twin, name, &o, &h), TWIN_OK);
    return h;
}

/* Write n samples in batches of random sizes, each batch flushed. */
static void write_all(sq *x, twin_signal h, const int64_t *t, const double *v, size_t n)
{
    twin_signal_sample b[600];
    size_t at = 0;
    while (at < n) {
        size_t m = 1 + (size_t)(next_rand() % 600), k, done;
        if (m > n - at) m = n - at;
        for (k = 0; k < m; k++) {
            b[k].signal = h;
            b[k].t_us = t[at + k];
            b[k].value = v[at + k];
        }
        ck_assert_int_eq(twin_ingest_write_signals(x->ing, b, m, NULL, &done), TWIN_OK);
        ck_assert_uint_eq(done, m);
        ck_assert_int_eq(twin_store_flush(x->st), TWIN_OK);
        at += m;
    }
}

static got G;
static int64_t T[NMAX];
static double V[NMAX];

static void read_all(twin_sqlite *db, const char *twin, const char *name, twin_status want)
{
    twin_status s;
    memset(&G, 0, sizeof G);
    s = twin_sqlite_read(db, twin, name, INT64_MIN, INT64_MAX, got_fn, &G);
    ck_assert_msg(s == want, "read: %d %s", s, twin_sqlite_last_error(db)->message);
}

/* Times with jitter, gaps longer than a block's span, steps that are not
   multiples of the quantum chosen so far; values from mode. */
static void make(size_t n, int mode)
{
    size_t i;
    int64_t t = T0;
    for (i = 0; i < n; i++) {
        uint64_t r = next_rand() % 1000;
        t += r < 2 ? 2 * 86400 * SEC : r < 5 ? 1 : r < 300 ? SEC : SEC + (int64_t)(r % 7) * 1000 - 3000;
        T[i] = t;
        if (mode == 0) V[i] = adversarial(i);
        else V[i] = (i % 10 == 3) ? adversarial(i) : (double)(int64_t)(next_rand() % 4000) / 100.0;
    }
}

START_TEST(test_read_lossless_adversarial_values_bit_identical)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    int mode;
    snprintf(p, sizeof p, "%s", sq_path(dir, "lossless.db"));
    for (mode = 0; mode < 2; mode++) {
        const char *name = mode ? "decimal" : "xor";
        twin_signal h;
        size_t i;
        sq_open(&x, p, 0, 1000);
        h = add_signal(&x, "M1", name, 0);
        make(NMAX, mode);
        write_all(&x, h, T, V, NMAX);
        sq_close(&x, 1);
        sq_open(&x, p, 0, 1000); /* read back after a restart */
        read_all(x.db, "M1", name, TWIN_OK);
        ck_assert_uint_eq(G.n, NMAX);
        for (i = 0; i < NMAX; i++) {
            ck_assert_msg(G.t[i] == T[i], "%s: time %zu", name, i);
            ck_assert_msg(bits_of(G.v[i]) == bits_of(V[i]), "%s: value %zu: %.17g for %.17g", name,
                          i, G.v[i], V[i]);
        }
        sq_close(&x, 1);
    }
    ck_assert_int_gt(sq_query(p, "SELECT count(*) FROM blocks"), 4);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM samples"), 0);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_read_ranges_instants_and_buckets)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_sqlite_bucket b[8];
    size_t i, nb;
    int64_t t;
    double v;
    snprintf(p, sizeof p, "%s", sq_path(dir, "reads.db"));
    sq_open(&x, p, 0, 1000);
    h = add_signal(&x, "M1", "v", 0);
    for (i = 0; i < 5000; i++) T[i] = T0 + (int64_t)i * SEC, V[i] = (double)(i % 60);
    write_all(&x, h, T, V, 5000);
    /* a range across blocks: [T0 + 2000 s, T0 + 4100 s) */
    memset(&G, 0, sizeof G);
    ck_assert_int_eq(twin_sqlite_read(x.db, "M1", "v", T0 + 2000 * SEC, T0 + 4100 * SEC, got_fn, &G),
                     TWIN_OK);
    ck_assert_uint_eq(G.n, 2100);
    ck_assert(G.t[0] == T0 + 2000 * SEC && G.t[2099] == T0 + 4099 * SEC);
    /* an inverted range, an unknown signal */
    ck_assert_int_eq(twin_sqlite_read(x.db, "M1", "v", T0 + 1, T0, got_fn, &G), TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "inverted"));
    ck_assert_int_eq(twin_sqlite_read(x.db, "M1", "nope", T0, T0 + 1, got_fn, &G),
                     TWIN_E_NOTFOUND);
    /* instants: exact, between samples, before the first, after the last */
    ck_assert_int_eq(twin_sqlite_value_at(x.db, "M1", "v", T0 + 2048 * SEC, &t, &v), TWIN_OK);
    ck_assert(t == T0 + 2048 * SEC && v == 2048 % 60);
    ck_assert_int_eq(twin_sqlite_value_at(x.db, "M1", "v", T0 + 2047 * SEC + 1, &t, &v), TWIN_OK);
    ck_assert(t == T0 + 2047 * SEC && v == 2047 % 60);
    ck_assert_int_eq(twin_sqlite_value_at(x.db, "M1", "v", T0 - 1, &t, &v), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_sqlite_value_at(x.db, "M1", "v", INT64_MAX, &t, &v), TWIN_OK);
    ck_assert(t == T0 + 4999 * SEC && v == 4999 % 60);
    /* buckets of a minute (T0 is a multiple of 60 s plus 20 s) */
    b[0].size = sizeof b[0];
    ck_assert_int_eq(twin_sqlite_read_buckets(x.db, "M1", "v", T0 + 40 * SEC, T0 + 420 * SEC,
                                              60 * SEC, b, 8, &nb),
                     TWIN_OK);
    ck_assert_uint_eq(nb, 7);
    ck_assert(b[0].t_us == T0 + 40 * SEC && b[0].count == 60 && b[0].first == 40 &&
              b[0].last == 39 && b[0].min == 0 && b[0].max == 59 && b[0].mean == 29.5);
    ck_assert(b[6].t_us == T0 + 400 * SEC && b[6].count == 20 && b[6].first == 400 % 60);
    ck_assert_int_eq(twin_sqlite_read_buckets(x.db, "M1", "v", T0, T0 + 5000 * SEC, 60 * SEC, b, 8,
                                              &nb),
                     TWIN_E_RANGE);
    ck_assert_uint_eq(nb, 84); /* from T0 - 20 s to T0 + 4999 s */
    ck_assert_int_eq(twin_sqlite_read_buckets(x.db, "M1", "v", T0, T0, 0, b, 8, &nb),
                     TWIN_E_INVAL);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_read_late_samples_merged_in_order)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_signal_sample s[3];
    uint8_t oc[3];
    size_t i, done;
    snprintf(p, sizeof p, "%s", sq_path(dir, "late.db"));
    sq_open(&x, p, 0, 1000);
    h = add_signal(&x, "M1", "v", 1);
    for (i = 0; i < 100; i++) T[i] = T0 + (int64_t)i * 10 * SEC, V[i] = (double)i;
    write_all(&x, h, T, V, 100);
    for (i = 0; i < 3; i++) {  /* between stored ones */
        s[i].signal = h;
        s[i].t_us = T0 + (int64_t)(10 * (90 + 3 * i) + 5) * SEC;
        s[i].value = -1.0 - (double)i;
    }
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 3, oc, &done), TWIN_OK);
    for (i = 0; i < 3; i++) ck_assert_int_eq(oc[i], TWIN_INGEST_ACCEPTED_LATE);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM samples"), 3);
    ck_assert_int_eq(sq_samples(p, "M1", "v"), 103);
    sq_rmdir(dir);
}
END_TEST

/* Flip a byte of a stored block (rowid id of table). */
/* A late sample sent again after a restart, at a time the series holds
   (in a closed block, the open block, or the late rows): ingest, whose
   history was not restored, accepts it late; the store keeps the value it
   had (the first, as ingest's conflict rule), counts it, and the flush
   goes on: before, the insert into `samples` failed on its unique key
   and every later flush with it (the outbox stuck), and a time held by a
   block came back twice from reads. */
START_TEST(test_late_sample_at_a_held_time_after_restart_dropped)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_signal_sample s[4];
    twin_signal_options lo;
    twin_sqlite_counts c;
    uint8_t oc[4];
    size_t i, done;
    snprintf(p, sizeof p, "%s", sq_path(dir, "again.db"));
    sq_open(&x, p, 0, 1000);
    h = add_signal(&x, "M1", "v", 1);
    for (i = 0; i < 5000; i++) T[i] = T0 + (int64_t)i * 2 * SEC, V[i] = (double)i;
    write_all(&x, h, T, V, 10);
    s[0].signal = h, s[0].t_us = T0 + 5 * SEC, s[0].value = 0.5;  /* late, between */
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 1, oc, &done), TWIN_OK);
    ck_assert_int_eq(oc[0], TWIN_INGEST_ACCEPTED_LATE);
    write_all(&x, h, T + 10, V + 10, 4990);
    sq_close(&x, 1);
    {   /* where the times sent again are held */
        char q[160];
        snprintf(q, sizeof q, "SELECT count(*) FROM blocks WHERE t0_us <= %lld AND t1_us >= %lld",
                 (long long)T[3], (long long)T[3]);
        ck_assert_int_eq(sq_query(p, q), 1);
        snprintf(q, sizeof q, "SELECT count(*) FROM open_blocks WHERE t0_us <= %lld AND t1_us >= %lld",
                 (long long)T[4990], (long long)T[4990]);
        ck_assert_int_eq(sq_query(p, q), 1);
    }
    twin_signal_options_init(&lo);
    lo.order = TWIN_INGEST_ORDER_WINDOW;
    lo.reorder_window_us = 3600 * 24 * SEC;
    lo.history = 8;
    sq_load_options = &lo;
    sq_open(&x, p, 0, 1000);
    sq_load_options = NULL;
    ck_assert_int_eq(twin_ingest_resolve(x.ing, "M1", "v", NULL, &h), TWIN_OK);
    s[0].t_us = T0 + 5 * SEC, s[0].value = -1;            /* the late row's time */
    s[1].t_us = T[3], s[1].value = -2;                    /* in a closed block */
    s[2].t_us = T[4990], s[2].value = -3;                 /* in the open block */
    s[3].t_us = T0 + 7 * SEC, s[3].value = 1.5;           /* a new time: kept */
    for (i = 0; i < 4; i++) s[i].signal = h;
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 3, oc, &done), TWIN_OK);
    for (i = 0; i < 3; i++) ck_assert_int_eq(oc[i], TWIN_INGEST_ACCEPTED_LATE);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s + 3, 1, oc, &done), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    ck_assert_int_eq(twin_sqlite_get_counts(x.db, &c), TWIN_OK);
    ck_assert_uint_eq(c.late_duplicates, 3);
    read_all(x.db, "M1", "v", TWIN_OK);
    ck_assert_uint_eq(G.n, 5002);
    for (i = 1; i < G.n; i++) ck_assert(G.t[i] > G.t[i - 1]);
    ck_assert(G.v[2] == 2.0 && G.v[3] == 0.5 && G.v[4] == 3.0 && G.v[5] == 1.5);
    for (i = 0; i < G.n; i++) ck_assert(G.v[i] >= 0);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static void damage(const char *path, const char *table, long long id, int at, int format)
{
    sqlite3 *c;
    sqlite3_stmt *s;
    unsigned char *b;
    int n;
    char sql[128];
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    snprintf(sql, sizeof sql, "SELECT data FROM %s WHERE rowid = %lld", table, id);
    ck_assert_int_eq(sqlite3_prepare_v2(c, sql, -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    n = sqlite3_column_bytes(s, 0);
    b = malloc((size_t)n);
    memcpy(b, sqlite3_column_blob(s, 0), (size_t)n);
    sqlite3_finalize(s);
    if (format) b[2] = (unsigned char)format;
    else b[at < 0 ? n + at : at] ^= 0x10;
    snprintf(sql, sizeof sql, "UPDATE %s SET data = ?1 WHERE rowid = %lld", table, id);
    ck_assert_int_eq(sqlite3_prepare_v2(c, sql, -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_blob(s, 1, b, n, free);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    sqlite3_close(c);
}

static char bad_twin[32];

static twin_status bad_fn(void *ud, const twin_sqlite_bad_block *b)
{
    twin_sqlite_bad_block *out = ud;
    *out = *b;
    snprintf(bad_twin, sizeof bad_twin, "%s", b->twin_id);
    out->twin_id = bad_twin;
    out->name = NULL;
    return TWIN_OK;
}

START_TEST(test_read_corrupted_block_loses_only_itself)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_sqlite_bad_block bb;
    uint64_t nbad;
    long long id, n, t0;
    size_t i;
    snprintf(p, sizeof p, "%s", sq_path(dir, "bad.db"));
    sq_open(&x, p, 0, 1000);
    h = add_signal(&x, "M1", "v", 0);
    for (i = 0; i < 7000; i++) T[i] = T0 + (int64_t)i * SEC, V[i] = 20.0 + (double)(i % 17) * 0.05;
    write_all(&x, h, T, V, 7000);
    sq_close(&x, 1);
    id = sq_query(p, "SELECT id FROM blocks ORDER BY t0_us LIMIT 1 OFFSET 1");
    n = sq_query(p, "SELECT n FROM blocks ORDER BY t0_us LIMIT 1 OFFSET 1");
    t0 = sq_query(p, "SELECT t0_us FROM blocks ORDER BY t0_us LIMIT 1 OFFSET 1");
    damage(p, "blocks", id, -3, 0);
    sq_open(&x, p, 0, 1000);
    read_all(x.db, "M1", "v", TWIN_E_PARSE);
    ck_assert_uint_eq(G.n, 7000 - (size_t)n);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "checksum"));
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "'v' of 'M1'"));
    memset(&bb, 0, sizeof bb);
    ck_assert_int_eq(twin_sqlite_check_blocks(x.db, bad_fn, &bb, &nbad), TWIN_OK);
    ck_assert_uint_eq(nbad, 1);
    ck_assert_int_eq(bb.status, TWIN_E_PARSE);
    ck_assert_str_eq(bb.twin_id, "M1");
    ck_assert(bb.t0_us == t0 && bb.samples == (uint64_t)n && !bb.open);
    sq_close(&x, 1);
    /* a block of a newer format: refused with its own status */
    damage(p, "blocks", id, 0, 2);
    sq_open(&x, p, 0, 1000);
    read_all(x.db, "M1", "v", TWIN_E_STATE);
    ck_assert_uint_eq(G.n, 7000 - (size_t)n);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "newer"));
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_write_after_corrupted_open_block_goes_on)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_sqlite_bad_block bb;
    uint64_t nbad;
    size_t i;
    long long n, t1;
    snprintf(p, sizeof p, "%s", sq_path(dir, "badopen.db"));
    sq_open(&x, p, 0, 1000);
    h = add_signal(&x, "M1", "v", 0);
    for (i = 0; i < 300; i++) T[i] = T0 + (int64_t)i * SEC, V[i] = (double)i * 0.5;
    write_all(&x, h, T, V, 300);
    sq_close(&x, 1);
    /* the first chunk of the open block's log (all of it when one flush
       wrote the 300): only its samples are lost */
    n = sq_query(p, "SELECT n FROM open_blocks WHERE seq = 0");
    t1 = sq_query(p, "SELECT t1_us FROM open_blocks WHERE seq = 0");
    damage(p, "open_blocks", sq_query(p, "SELECT rowid FROM open_blocks WHERE seq = 0"), 40, 0);
    sq_open(&x, p, 0, 1000);
    ck_assert_int_eq(twin_ingest_resolve(x.ing, "M1", "v", NULL, &h), TWIN_OK);
    for (i = 0; i < 100; i++) T[i] = T0 + (int64_t)(300 + i) * SEC, V[i] = 1.0;
    write_all(&x, h, T, V, 100);
    read_all(x.db, "M1", "v", TWIN_E_PARSE);
    ck_assert_uint_eq(G.n, 100 + 300 - (size_t)n);
    ck_assert_int_eq(twin_sqlite_check_blocks(x.db, bad_fn, &bb, &nbad), TWIN_OK);
    ck_assert_uint_eq(nbad, 1);
    ck_assert(bb.samples == (uint64_t)n && bb.t1_us == t1);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* The open block is a log of chunks, one a flush (schema 5): a corrupted
   chunk in the middle loses only its own samples; the writer moves the
   log's chunks to closed blocks and goes on; the reads and
   twin_sqlite_check_blocks() name the bad one. */
START_TEST(test_corrupted_chunk_of_open_log_loses_only_itself)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_sqlite_bad_block bb;
    uint64_t nbad;
    size_t i, k;
    snprintf(p, sizeof p, "%s", sq_path(dir, "badchunk.db"));
    sq_open(&x, p, 0, 1000);
    h = add_signal(&x, "M1", "v", 0);
    for (i = 0; i < 300; i++) T[i] = T0 + (int64_t)i * SEC, V[i] = 20.0 + (double)(i % 13) * 0.25;
    for (k = 0; k < 3; k++) { /* three flushes, three chunks */
        twin_signal_sample b[100];
        size_t done;
        for (i = 0; i < 100; i++) {
            b[i].signal = h;
            b[i].t_us = T[100 * k + i];
            b[i].value = V[100 * k + i];
        }
        ck_assert_int_eq(twin_ingest_write_signals(x.ing, b, 100, NULL, &done), TWIN_OK);
        ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    }
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM open_blocks"), 3);
    ck_assert_int_eq(sq_query(p, "SELECT n FROM open_blocks WHERE seq = 100"), 100);
    /* every chunk alone, the samples whole: 300 read back */
    sq_open(&x, p, 0, 1000);
    read_all(x.db, "M1", "v", TWIN_OK);
    ck_assert_uint_eq(G.n, 300);
    sq_close(&x, 1);
    damage(p, "open_blocks", sq_query(p, "SELECT rowid FROM open_blocks WHERE seq = 100"), 40, 0);
    sq_open(&x, p, 0, 1000);
    ck_assert_int_eq(twin_ingest_resolve(x.ing, "M1", "v", NULL, &h), TWIN_OK);
    for (i = 0; i < 100; i++) T[i] = T0 + (int64_t)(300 + i) * SEC, V[i] = 1.0;
    write_all(&x, h, T, V, 100);
    read_all(x.db, "M1", "v", TWIN_E_PARSE);
    ck_assert_uint_eq(G.n, 300);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "checksum"));
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "from t_us 1700000100000000"));
    memset(&bb, 0, sizeof bb);
    ck_assert_int_eq(twin_sqlite_check_blocks(x.db, bad_fn, &bb, &nbad), TWIN_OK);
    ck_assert_uint_eq(nbad, 1);
    ck_assert(bb.samples == 100 && bb.t0_us == T0 + 100 * SEC && bb.t1_us == T0 + 199 * SEC);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM blocks"), 3);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_read_with_unflushed_records_is_refused)
{
    ck_assert_int_eq(twin_sqlite_read(NULL, "a", "b", 0, 1, got_fn, &G), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_value_at(NULL, "a", "b", 0, NULL, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_check_blocks(NULL, NULL, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

static Suite *series_suite(void)
{
    Suite *s = suite_create("sqlite_series");
    TCase *tc = tcase_create("series");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_read_lossless_adversarial_values_bit_identical);
    tcase_add_test(tc, test_read_ranges_instants_and_buckets);
    tcase_add_test(tc, test_read_late_samples_merged_in_order);
    tcase_add_test(tc, test_late_sample_at_a_held_time_after_restart_dropped);
    tcase_add_test(tc, test_read_corrupted_block_loses_only_itself);
    tcase_add_test(tc, test_write_after_corrupted_open_block_goes_on);
    tcase_add_test(tc, test_corrupted_chunk_of_open_log_loses_only_itself);
    tcase_add_test(tc, test_read_with_unflushed_records_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(series_suite());
}
