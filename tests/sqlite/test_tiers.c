/* libtwin-sqlite: tiers (schema 4). Policies: parsing, formatting and
 * every rule (status and message); per signal, model or default. Folding:
 * random data with gaps and samples on bucket edges folded a block at a
 * time over many flushes, every bucket of every tier compared with a
 * brute-force pass over the raw samples (count, min, max, first, last and
 * the mean bit for bit); the work per flush bounded by the budget. Reads:
 * the finest covering tier answers and says so. Late samples after their
 * span was folded (schema 5): random ones against the brute force, first
 * and last included, no span twice. A tier a changed policy drops: deleted
 * in bounded work per flush, gone from the tier info. Migration of a
 * schema 3 and of a schema 4 database. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sq_fixture.h"
#include "support/run.h"

#define MIN (60 * SEC)
#define NS 60000

static uint64_t rng = 0x5DEECE66Dull;

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int64_t T[NS];
static double V[NS];
static size_t N;

/* From a minute's start: 1 s steps (many samples on bucket edges), some
   jitter, and gaps of minutes (empty buckets); values quantised with
   drift and noise, some any double in a range. */
static void make_data(size_t n)
{
    int64_t t = (T0 / (3600 * SEC)) * 3600 * SEC;
    double x = 20.0;
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t r = next_rand();
        if (r % 997 == 0) t += (int64_t)(2 + r % 7) * MIN; /* a gap */
        T[i] = t + ((r >> 8) % 4 == 0 ? (int64_t)((r >> 12) % 900000) : 0);
        t += SEC;
        x += ((double)((r >> 20) % 2001) - 1000.0) / 10000.0;
        V[i] = (r >> 40) % 5 == 0 ? x + (double)((r >> 44) % 100000) / 7777.0
                                  : round(x * 100.0) / 100.0;
    }
    N = n;
}

static twin_signal add_signal(sq *x, const char *twin, const char *model, const char *name)
{
    twin_signal_options o;
    twin_signal h;
    twin_signal_options_init(&o);
    o.unit = "gForce";
    if (twin_graph_find_twin(x->g, twin, NULL) != TWIN_OK)
        ck_assert_int_eq(twin_store_add_twin(x->st, twin, model, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x->ing, twin, name, &o, &h), TWIN_OK);
    return h;
}

/* Write samples [a, b) in batches of 1 to 400, each flushed. */
static void write_range(sq *x, twin_signal h, size_t a, size_t b)
{
    twin_signal_sample s[400];
    while (a < b) {
        size_t m = 1 + (size_t)(next_rand() % 400), k, done;
        if (m > b - a) m = b - a;
        for (k = 0; k < m; k++) {
            s[k].signal = h;
            s[k].t_us = T[a + k];
            s[k].value = V[a + k];
        }
        ck_assert_int_eq(twin_ingest_write_signals(x->ing, s, m, NULL, &done), TWIN_OK);
        ck_assert_uint_eq(done, m);
        ck_assert_int_eq(twin_store_flush(x->st), TWIN_OK);
        a += m;
    }
}

static twin_sqlite_policy parse(const char *text)
{
    twin_sqlite_policy p;
    twin_error e;
    twin_sqlite_policy_init(&p);
    ck_assert_msg(twin_sqlite_policy_parse(text, &p, &e) == TWIN_OK, "%s: %s", text, e.message);
    return p;
}

static int64_t floor_to(int64_t t, int64_t w)
{
    int64_t q = t / w;
    if (t % w < 0) q--;
    return q * w;
}

/* The bucket of width w at b over samples [a, z) of T/V, brute force. */
typedef struct brute {
    uint64_t n;
    double sum, min, max, first, last;
} brute;

static brute brute_bucket(int64_t b, int64_t w, int64_t lo, int64_t hi)
{
    brute r;
    size_t i;
    memset(&r, 0, sizeof r);
    for (i = 0; i < N; i++) {
        if (T[i] < b || T[i] >= b + w || T[i] < lo || T[i] >= hi) continue;
        if (!r.n) r.min = r.max = r.first = V[i];
        r.n++;
        r.sum += V[i];
        if (V[i] < r.min) r.min = V[i];
        if (V[i] > r.max) r.max = V[i];
        r.last = V[i];
    }
    return r;
}


/* ---- policies --------------------------------------------------------------- */

START_TEST(test_policy_parse_format_and_rules)
{
    static const struct {
        const char *text;
        twin_status s;
        const char *msg;
    } bad[] = {
        {"raw:0s", TWIN_E_INVAL, "raw span must be positive"},
        {"raw:7d,1m:90d,90s:1y", TWIN_E_INVAL, "multiple of the previous"},
        {"raw:7d,1h:90d,1m:1y", TWIN_E_INVAL, "larger than the previous"},
        {"raw:7d,1m:3d", TWIN_E_INVAL, "spans must increase"},
        {"raw:7d,1m:90d,1h:60d", TWIN_E_INVAL, "spans must increase"},
        {"raw:7d,1m:forever,1h:5y", TWIN_E_INVAL, "forever"},
        {"raw:7d,0s:90d", TWIN_E_INVAL, "width must be positive"},
        {"raw:1s,1m:1d,1h:2d,1d:3d,1w:4w,4w:8w", TWIN_E_INVAL, "too many tiers"},
        {"raw:forever", TWIN_E_PARSE, "raw:SPAN"},
        {"raw:7x", TWIN_E_PARSE, "raw:SPAN"},
        {"7d,1m:90d", TWIN_E_PARSE, "starts with raw"},
        {"raw:7d,1m", TWIN_E_PARSE, "WIDTH:SPAN"},
        {"raw:7d;1m:90d", TWIN_E_PARSE, "unexpected text"},
        {"raw:99999999999999999999d", TWIN_E_PARSE, "raw:SPAN"},
    };
    twin_sqlite_policy p;
    twin_error e;
    char buf[160];
    size_t k, need = 0;
    p = parse(" raw:7d, 1m:90d , 1h:5y");
    ck_assert_int_eq(p.raw_keep_us, 7 * 86400 * SEC);
    ck_assert_uint_eq(p.ntiers, 2);
    ck_assert(p.tier[0].res_us == MIN && p.tier[0].keep_us == 90 * 86400 * SEC);
    ck_assert(p.tier[1].res_us == 60 * MIN && p.tier[1].keep_us == 5 * 365 * 86400 * SEC);
    ck_assert_int_eq(twin_sqlite_policy_format(&p, buf, sizeof buf, &need), TWIN_OK);
    ck_assert_str_eq(buf, "raw:1w,1m:90d,1h:5y");
    ck_assert_uint_eq(need, strlen(buf));
    p = parse("raw:1500ms,3s:forever");
    ck_assert_int_eq(twin_sqlite_policy_format(&p, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_str_eq(buf, "raw:1500ms,3s:forever");
    ck_assert_int_eq(twin_sqlite_policy_format(&p, buf, 8, &need), TWIN_E_RANGE);
    ck_assert_str_eq(buf, "raw:150");
    ck_assert_uint_eq(need, 21);
    ck_assert_int_eq(twin_sqlite_policy_format(&p, NULL, 0, &need), TWIN_E_RANGE);
    ck_assert_uint_eq(need, 21);
    ck_assert_int_eq(twin_sqlite_policy_check(&p, &e), TWIN_OK);
    for (k = 0; k < sizeof bad / sizeof *bad; k++) {
        twin_sqlite_policy_init(&p);
        ck_assert_msg(twin_sqlite_policy_parse(bad[k].text, &p, &e) == bad[k].s, "%s", bad[k].text);
        ck_assert_int_eq(e.status, bad[k].s);
        ck_assert_msg(strstr(e.message, bad[k].msg), "%s: %s", bad[k].text, e.message);
    }
    /* the struct as a caller fills it */
    twin_sqlite_policy_init(&p);
    ck_assert_int_eq(twin_sqlite_policy_check(&p, &e), TWIN_E_INVAL);
    p.raw_keep_us = 10 * SEC;
    p.ntiers = 1;
    p.tier[0].res_us = -5;
    p.tier[0].keep_us = 100 * SEC;
    ck_assert_int_eq(twin_sqlite_policy_check(&p, &e), TWIN_E_INVAL);
    ck_assert(strstr(e.message, "positive"));
    p.size = 4;
    ck_assert_int_eq(twin_sqlite_policy_check(&p, &e), TWIN_E_INVAL);
    p.size = sizeof p + 8;
    ck_assert_int_eq(twin_sqlite_policy_check(&p, &e), TWIN_E_ABI);
    ck_assert_int_eq(twin_sqlite_policy_check(NULL, &e), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_policy_parse(NULL, &p, NULL), TWIN_E_INVAL);
}
END_TEST

static twin_status count_fn(void *ud, twin_sqlite_policy_scope scope, const char *key,
                            const char *name, const twin_sqlite_policy *p, const char *text)
{
    char *out = ud;
    char line[200];
    (void)p;
    snprintf(line, sizeof line, "%d %s %s %s;", (int)scope, key ? key : "-", name ? name : "-",
             text);
    strcat(out, line);
    return TWIN_OK;
}

START_TEST(test_set_policy_scopes_and_bad_input)
{
    const char *dir = sq_tmpdir();
    twin_sqlite_policy p = parse("raw:1h,1m:1d"), bad = p;
    char list[1024] = "";
    sq x;
    sq_open(&x, sq_path(dir, "t.db"), 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_MODEL, "dtmi:t:B;1", NULL,
                                            &p), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_SIGNAL, "m1", "v", &p),
                     TWIN_OK);
    /* keys where none belong, or missing */
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, "x", NULL, &p),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_MODEL, NULL, NULL, &p),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_SIGNAL, "m1", NULL, &p),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, (twin_sqlite_policy_scope)7, NULL, NULL, &p),
                     TWIN_E_INVAL);
    /* a rule broken: the message names the tier */
    bad.ntiers = 2;
    bad.tier[1].res_us = 90 * SEC;
    bad.tier[1].keep_us = 30 * 86400 * SEC;
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &bad),
                     TWIN_E_INVAL);
    ck_assert_msg(strstr(twin_sqlite_last_error(x.db)->message, "tier 2") &&
                      strstr(twin_sqlite_last_error(x.db)->message, "multiple"),
                  "%s", twin_sqlite_last_error(x.db)->message);
    bad = p;
    bad.size = sizeof bad + 16;
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &bad),
                     TWIN_E_ABI);
    ck_assert_int_eq(twin_sqlite_policies(x.db, count_fn, list), TWIN_OK);
    ck_assert_str_eq(list, "0 - - raw:1h,1m:1d;1 dtmi:t:B;1 - raw:1h,1m:1d;2 m1 v raw:1h,1m:1d;");
    /* removed */
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_MODEL, "dtmi:t:B;1", NULL,
                                            NULL), TWIN_OK);
    list[0] = '\0';
    ck_assert_int_eq(twin_sqlite_policies(x.db, count_fn, list), TWIN_OK);
    ck_assert_str_eq(list, "0 - - raw:1h,1m:1d;2 m1 v raw:1h,1m:1d;");
    ck_assert_int_eq(twin_sqlite_set_policy(NULL, 0, NULL, NULL, &p), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_fold(NULL, 0, NULL), TWIN_E_INVAL);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* A signal follows its own policy, else its model's, else the default. */
START_TEST(test_policy_resolution_signal_model_default)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_signal h[3];
    twin_sqlite_policy a = parse("raw:10m,1m:forever"), b = parse("raw:10m,5m:forever"),
                       c = parse("raw:10m,10m:forever");
    sq x;
    int k;
    make_data(6000);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &a),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_MODEL, "dtmi:t:B;1", NULL, &b),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_SIGNAL, "b1", "w", &c),
                     TWIN_OK);
    h[0] = add_signal(&x, "a1", "dtmi:t:A;1", "v");
    h[1] = add_signal(&x, "b1", "dtmi:t:B;1", "v");
    h[2] = add_signal(&x, "b1", "dtmi:t:B;1", "w");
    for (k = 0; k < 3; k++) write_range(&x, h[k], 0, N);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tiers WHERE signal = (SELECT id FROM"
                                     " signals WHERE twin = 'a1') AND res_us = 60000000"),
                     sq_query(path, "SELECT count(*) FROM tiers"
                                    " WHERE signal = (SELECT id FROM signals WHERE twin = 'a1')"));
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tiers WHERE res_us = 60000000"), 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(DISTINCT res_us) FROM tiers WHERE signal ="
                                    " (SELECT id FROM signals WHERE twin = 'b1' AND name = 'v')"),
                     1);
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tiers WHERE res_us = 300000000 AND"
                                    " signal = (SELECT id FROM signals WHERE twin = 'b1' AND"
                                    " name = 'v')"),
                     0);
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tiers WHERE res_us = 600000000 AND"
                                    " signal = (SELECT id FROM signals WHERE twin = 'b1' AND"
                                    " name = 'w')"),
                     0);
    ck_assert_int_eq(sq_query(path, "SELECT count(DISTINCT res_us) FROM tiers"), 3);
    sq_rmdir(dir);
}
END_TEST

/* ---- folding ----------------------------------------------------------------- */

static twin_sqlite_bucket B[4096];

/* Compare every bucket of tier res (single rows and tier blocks, read
   through twin_sqlite_read_tier() up to the raw mark) with the brute force
   over the raw samples before the raw mark; every nonempty bucket from the
   tier's mark on is there, no empty one. */
static void check_tier(twin_sqlite *db, const char *path, int64_t res, int64_t raw_mark)
{
    char sql[128];
    int64_t from, lastb = INT64_MIN;
    size_t n = 0, k, i, expect = 0;
    twin_sqlite_tier_answer a;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tier_marks WHERE res_us = %lld", (long long)res);
    ck_assert_int_eq(sq_query(path, sql), 1);
    snprintf(sql, sizeof sql, "SELECT t_us FROM tier_marks WHERE res_us = %lld", (long long)res);
    from = sq_query(path, sql);
    B[0].size = sizeof B[0];
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    ck_assert_int_eq(twin_sqlite_read_tier(db, "m1", "v", from, raw_mark, res, B, 4096, &n, &a),
                     TWIN_OK);
    ck_assert_int_eq(a.res_us, res);
    ck_assert_int_eq(a.complete, 1);
    for (k = 0; k < n; k++) {
        brute r = brute_bucket(B[k].t_us, res, INT64_MIN, raw_mark);
        ck_assert_int_eq(B[k].t_us % res, 0);
        ck_assert_int_ge(B[k].t_us, from);
        ck_assert_uint_eq(B[k].count, r.n);
        ck_assert(B[k].mean == r.sum / (double)r.n); /* bit for bit: same order */
        ck_assert(B[k].min == r.min && B[k].max == r.max);
        ck_assert(B[k].first == r.first && B[k].last == r.last);
        ck_assert(!isnan(B[k].mean));
    }
    for (i = 0; i < N && T[i] < raw_mark; i++) {
        int64_t b = floor_to(T[i], res);
        if (b < from || b == lastb) continue;
        lastb = b;
        expect++;
    }
    ck_assert_uint_eq(n, expect);
    ck_assert_uint_gt(n, 5);
}

START_TEST(test_fold_exact_against_brute_force)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:12h,10m:forever");
    twin_sqlite_fold_stats fs;
    twin_signal h;
    int64_t raw_mark;
    long long raw_left;
    sq x;
    make_data(NS);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_fold_budget(x.db, 1, 7), TWIN_OK);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    memset(&fs, 0, sizeof fs);
    fs.size = sizeof fs;
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, &fs), TWIN_OK);
    ck_assert_uint_eq(fs.more, 0);
    ck_assert_uint_eq(fs.bad_blocks, 0);
    raw_mark = sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 0");
    /* the raw span is kept: every block past it folded, none within */
    ck_assert_int_lt(raw_mark, T[N - 1] - 20 * MIN + 1);
    ck_assert_int_gt(raw_mark, T[0]);
    {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM blocks WHERE t1_us < %lld",
                 (long long)(T[N - 1] - 20 * MIN));
        ck_assert_int_eq(sq_query(path, sql), 0);
    }
    ck_assert_int_ge(sq_query(path, "SELECT min(t0_us) FROM blocks"), raw_mark);
    raw_left = sq_query(path, SQ_ALL_SAMPLES);
    /* the forever tier plus raw hold every sample once */
    ck_assert_int_eq(sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers WHERE res_us ="
                                    " 600000000) + (SELECT coalesce(sum(samples), 0) FROM"
                                    " tier_blocks WHERE res_us = 600000000)") + raw_left,
                     (long long)N);
    /* the 1-minute tier went into tier blocks (of up to 512 buckets) */
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tier_blocks WHERE res_us = 60000000"), 0);
    check_tier(x.db, path, MIN, raw_mark);
    check_tier(x.db, path, 10 * MIN, raw_mark);
    /* the 1-minute tier lost its buckets older than 12 h behind the newest */
    ck_assert_int_eq(sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 60000000"),
                     floor_to(T[N - 1] - 720 * MIN, MIN));
    ck_assert_int_ge(sq_query(path, "SELECT min(t1_us) FROM tier_blocks WHERE res_us = 60000000"),
                     floor_to(T[N - 1] - 720 * MIN, MIN));
    ck_assert_int_ge(sq_query(path, "SELECT min(t_us) FROM tiers WHERE res_us = 60000000"),
                     floor_to(T[N - 1] - 720 * MIN, MIN));
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* Late samples (older than their signal's newest when they came) are
   folded in time order with the blocks: the buckets are still exact. */
START_TEST(test_fold_late_samples_exact)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:12h,10m:forever");
    twin_signal_options o;
    twin_signal h;
    int64_t raw_mark;
    long long late_rows;
    size_t a, i, nlate = 0;
    sq x;
    make_data(NS);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_fold_budget(x.db, 0, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(x.st, "m1", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    twin_signal_options_init(&o);
    o.unit = "gForce";
    o.order = TWIN_INGEST_ORDER_WINDOW;
    o.reorder_window_us = 3600 * SEC;
    o.history = 64;
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "m1", "v", &o, &h), TWIN_OK);
    /* in chunks of 1500; every 7th of a chunk's last 60 samples comes after
       the chunk (within the signal's history of 64: accepted late) */
    for (a = 0; a < N; a += 1500) {
        size_t z = a + 1500 < N ? a + 1500 : N, done;
        twin_signal_sample s[1500], late[64];
        size_t n = 0, m = 0;
        for (i = a; i < z; i++) {
            twin_signal_sample *d = (i % 7 == 5 && z - i < 60 && i + 1 < z) ? &late[m++] : &s[n++];
            d->signal = h;
            d->t_us = T[i];
            d->value = V[i];
        }
        ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, n, NULL, &done), TWIN_OK);
        ck_assert_uint_eq(done, n);
        ck_assert_int_eq(twin_ingest_write_signals(x.ing, late, m, NULL, &done), TWIN_OK);
        ck_assert_uint_eq(done, m);
        ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
        nlate += m;
    }
    /* every sample stored; the late ones as raw rows of `samples` */
    late_rows = sq_query(path, "SELECT count(*) FROM samples");
    ck_assert_int_eq(sq_query(path, SQ_ALL_SAMPLES), (long long)N);
    ck_assert_int_eq(late_rows, (long long)nlate);
    ck_assert_int_gt(late_rows, 100);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    raw_mark = sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 0");
    /* the late rows before the fold point are folded and gone */
    {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM samples WHERE t_us < %lld",
                 (long long)raw_mark);
        ck_assert_int_eq(sq_query(path, sql), 0);
    }
    ck_assert_int_lt(sq_query(path, "SELECT count(*) FROM samples"), late_rows);
    check_tier(x.db, path, MIN, raw_mark);
    check_tier(x.db, path, 10 * MIN, raw_mark);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* Samples straight to the store's callbacks (past the ingest's checks:
   a late sample of any age), one transaction. */
static void store_write(twin_sqlite *db, twin_signal h, const int64_t *t, const double *v,
                        size_t n)
{
    twin_store_callbacks c;
    twin_signal_sample s[64];
    size_t k;
    ck_assert_uint_le(n, 64);
    ck_assert_int_eq(twin_sqlite_callbacks(db, &c), TWIN_OK);
    for (k = 0; k < n; k++) {
        s[k].signal = h;
        s[k].t_us = t[k];
        s[k].value = v[k];
    }
    ck_assert_int_eq(c.write_samples(c.ud, s, n), TWIN_OK);
    ck_assert_int_eq(c.flush(c.ud), TWIN_OK);
}

/* Insert (t, v) into T/V in time order (t not there yet). */
static int insert_sample(int64_t t, double v)
{
    size_t lo = 0, hi = N;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (T[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    if (lo < N && T[lo] == t) return 0;
    ck_assert_uint_lt(N, NS);
    memmove(T + lo + 1, T + lo, (N - lo) * sizeof *T);
    memmove(V + lo + 1, V + lo, (N - lo) * sizeof *V);
    T[lo] = t;
    V[lo] = v;
    N++;
    return 1;
}

/* As check_tier, late samples among them: buckets strictly increasing (no
   span twice), count, min, max, first and last exact, the mean within
   rounding (the sum of a late sample is added out of order). */
static void check_tier_late(twin_sqlite *db, const char *path, int64_t res, int64_t raw_mark)
{
    char sql[128];
    int64_t from, lastb = INT64_MIN;
    size_t n = 0, k, i, expect = 0;
    twin_sqlite_tier_answer a;
    snprintf(sql, sizeof sql, "SELECT t_us FROM tier_marks WHERE res_us = %lld", (long long)res);
    from = sq_query(path, sql);
    B[0].size = sizeof B[0];
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    ck_assert_int_eq(twin_sqlite_read_tier(db, "m1", "v", from, raw_mark, res, B, 4096, &n, &a),
                     TWIN_OK);
    ck_assert_int_eq(a.res_us, res);
    ck_assert_int_ge(a.tier, 1);
    ck_assert_int_eq(a.complete, 1);
    for (k = 0; k < n; k++) {
        brute r = brute_bucket(B[k].t_us, res, INT64_MIN, raw_mark);
        double mean = r.sum / (double)r.n;
        if (k) ck_assert_int_gt(B[k].t_us, B[k - 1].t_us);
        ck_assert_uint_eq(B[k].count, r.n);
        ck_assert_msg(fabs(B[k].mean - mean) <= 1e-9 * (1 + fabs(mean)), "mean %.17g, %.17g",
                      B[k].mean, mean);
        ck_assert(B[k].min == r.min && B[k].max == r.max);
        ck_assert_msg(B[k].first == r.first && B[k].last == r.last,
                      "bucket %lld: first %.17g last %.17g, brute force %.17g %.17g",
                      (long long)B[k].t_us, B[k].first, B[k].last, r.first, r.last);
    }
    for (i = 0; i < N && T[i] < raw_mark; i++) {
        int64_t b = floor_to(T[i], res);
        if (b < from || b == lastb) continue;
        lastb = b;
        expect++;
    }
    ck_assert_uint_eq(n, expect);
}

/* A late sample whose span was folded already (its time before the fold
   point) goes into its buckets in the same transaction: into a single
   bucket row, a bucket inside a tier block (written again), or a bucket
   of its own (an empty minute); first and last follow the samples' times.
   Random late samples, many of them first or last of their bucket, against
   the brute force over all samples: every bucket exact, none twice, and
   nothing left raw before the fold point. */
START_TEST(test_late_sample_after_fold_refolds)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:12h,10m:forever");
    twin_signal h;
    int64_t raw_mark, lt[64];
    double lv[64];
    size_t nlate = 0, base;
    long long before;
    sq x;
    make_data(NS - 600);
    base = N;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    raw_mark = sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 0");
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tier_blocks WHERE res_us = 60000000"), 0);
    before = sq_query(path, "SELECT count(*) FROM tier_blocks");
    while (nlate < 500) {
        size_t m = 1 + (size_t)(next_rand() % 20), j = 0;
        while (j < m) {
            uint64_t r = next_rand();
            int64_t t = T[0] + (int64_t)(r % (uint64_t)(raw_mark - T[0])), b = floor_to(t, MIN);
            double v = round((15.0 + (double)((r >> 33) % 20000) / 1000.0) * 100.0) / 100.0;
            if (r % 5 == 0) t = b;                    /* a bucket's first */
            else if (r % 5 == 1) t = b + MIN - 1;     /* its last */
            if (t >= raw_mark || !insert_sample(t, v)) continue;
            lt[j] = t, lv[j++] = v;
        }
        /* in any order within the batch */
        store_write(x.db, h, lt, lv, m);
        nlate += m;
    }
    ck_assert_uint_eq(N, base + nlate);
    /* folded as they came: none left raw before the fold point */
    {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM samples WHERE t_us < %lld",
                 (long long)raw_mark);
        ck_assert_int_eq(sq_query(path, sql), 0);
    }
    ck_assert_int_eq(sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 0"), raw_mark);
    ck_assert_int_ge(sq_query(path, "SELECT count(*) FROM tier_blocks"), before);
    check_tier_late(x.db, path, MIN, raw_mark);
    check_tier_late(x.db, path, 10 * MIN, raw_mark);
    /* the forever tier and raw hold every sample once */
    ck_assert_int_eq(sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers WHERE res_us ="
                                    " 600000000) + (SELECT coalesce(sum(samples), 0) FROM"
                                    " tier_blocks WHERE res_us = 600000000)") +
                         sq_query(path, SQ_ALL_SAMPLES),
                     (long long)N);
    /* tier blocks never overlap */
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tier_blocks a JOIN tier_blocks b ON"
                                    " a.signal = b.signal AND a.res_us = b.res_us AND a.id < b.id"
                                    " AND a.t0_us <= b.t1_us AND b.t0_us <= a.t1_us"),
                     0);
    /* a fold later changes none of it */
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    check_tier_late(x.db, path, MIN, raw_mark);
    check_tier_late(x.db, path, 10 * MIN, raw_mark);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static twin_status info_fn(void *ud, const twin_sqlite_tier_info *t);

/* A policy that no longer names a tier: its buckets and blocks go, a
   bounded number per flush, then its mark; `twinctl tiers`
   (twin_sqlite_tier_info_each()) no longer shows it. The other tiers stay
   whole. */
START_TEST(test_dropped_tier_deleted)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:12h,10m:forever"), p2 = parse("raw:20m,10m:forever");
    twin_sqlite_tier_info all[8];
    twin_sqlite_fold_stats fs;
    twin_signal h;
    long long rows0, rows1, ten;
    int flushes = 0;
    sq x;
    make_data(NS);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N - 100);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    memset(all, 0, sizeof all);
    ck_assert_int_eq(twin_sqlite_tier_info_each(x.db, info_fn, all), TWIN_OK);
    ck_assert_int_eq(all[1].res_us, MIN);
    ck_assert_int_eq(all[2].res_us, 10 * MIN);
    rows0 = sq_query(path, "SELECT (SELECT count(*) FROM tiers WHERE res_us = 60000000) +"
                           " (SELECT count(*) FROM tier_blocks WHERE res_us = 60000000)");
    ck_assert_int_gt(rows0, 20);
    ten = sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers WHERE res_us = 600000000)"
                         " + (SELECT coalesce(sum(samples), 0) FROM tier_blocks WHERE"
                         " res_us = 600000000)");
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p2),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_fold_budget(x.db, 0, 7), TWIN_OK);
    /* one flush: at most 7 rows go */
    write_range(&x, h, N - 100, N - 99);
    rows1 = sq_query(path, "SELECT (SELECT count(*) FROM tiers WHERE res_us = 60000000) +"
                           " (SELECT count(*) FROM tier_blocks WHERE res_us = 60000000)");
    ck_assert_int_lt(rows1, rows0);
    ck_assert_int_ge(rows1, rows0 - 7);
    /* flushes go on until it is gone */
    while (sq_query(path, "SELECT count(*) FROM tier_marks WHERE res_us = 60000000") &&
           flushes < 99) {
        write_range(&x, h, N - 99 + (size_t)flushes, N - 98 + (size_t)flushes);
        flushes++;
    }
    memset(&fs, 0, sizeof fs);
    fs.size = sizeof fs;
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, &fs), TWIN_OK);
    ck_assert_uint_eq(fs.more, 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tiers WHERE res_us = 60000000"), 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tier_blocks WHERE res_us = 60000000"), 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tier_marks WHERE res_us = 60000000"), 0);
    memset(all, 0, sizeof all);
    ck_assert_int_eq(twin_sqlite_tier_info_each(x.db, info_fn, all), TWIN_OK);
    ck_assert_int_eq(all[0].res_us, 0);
    ck_assert_int_eq(all[1].res_us, 10 * MIN);
    ck_assert_uint_eq(all[2].size, 0);
    /* the 10-minute tier kept everything it had, and raw the rest */
    ck_assert_int_ge(sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers WHERE res_us ="
                                    " 600000000) + (SELECT coalesce(sum(samples), 0) FROM"
                                    " tier_blocks WHERE res_us = 600000000)"),
                     ten);
    ck_assert_int_eq(sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers WHERE res_us ="
                                    " 600000000) + (SELECT coalesce(sum(samples), 0) FROM"
                                    " tier_blocks WHERE res_us = 600000000)") +
                         sq_query(path, SQ_ALL_SAMPLES),
                     (long long)(N - 99 + flushes));
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* The budget bounds the work of each flush. */
START_TEST(test_fold_budget_per_flush)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:10m,1m:forever");
    twin_sqlite_fold_stats fs;
    twin_signal h;
    long long before, after;
    sq x;
    make_data(NS);
    sq_open(&x, path, 0, 1000);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N - 10); /* no policy yet: nothing folds */
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tiers"), 0);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_fold_budget(x.db, 2, 100), TWIN_OK);
    before = sq_query(path, "SELECT count(*) FROM blocks");
    ck_assert_int_gt(before, 8);
    write_range(&x, h, N - 10, N - 9); /* one flush */
    after = sq_query(path, "SELECT count(*) FROM blocks");
    ck_assert_int_eq(after, before - 2);
    /* an explicit fold, bounded too */
    memset(&fs, 0, sizeof fs);
    fs.size = sizeof fs;
    ck_assert_int_eq(twin_sqlite_fold(x.db, 3, &fs), TWIN_OK);
    ck_assert_uint_eq(fs.blocks_folded, 3);
    ck_assert_uint_eq(fs.more, 1);
    ck_assert_uint_eq(sq_query(path, "SELECT count(*) FROM blocks"), after - 3);
    /* budget 0: flushes do not fold */
    ck_assert_int_eq(twin_sqlite_set_fold_budget(x.db, 0, 0), TWIN_OK);
    before = sq_query(path, "SELECT count(*) FROM blocks");
    write_range(&x, h, N - 9, N - 8);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM blocks"), before);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, &fs), TWIN_OK);
    ck_assert_uint_eq(fs.more, 0);
    ck_assert_int_gt(fs.blocks_folded, 0);
    ck_assert_int_eq(sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers) + (SELECT"
                                    " coalesce(sum(samples), 0) FROM tier_blocks)") +
                         sq_query(path, SQ_ALL_SAMPLES),
                     (long long)(N - 8));
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* A policy stored through another connection reaches a running writer. */
START_TEST(test_policy_from_another_connection_applies)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:10m,1m:forever");
    twin_sqlite *other;
    twin_signal h;
    size_t k;
    sq x;
    make_data(NS);
    sq_open(&x, path, 0, 1000);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N - 100);
    ck_assert_int_eq(twin_sqlite_open(&other, path, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(other, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    twin_sqlite_close(other);
    for (k = N - 100; k < N - 30; k++) write_range(&x, h, k, k + 1); /* 70 flushes */
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tiers"), 0);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* ---- reads -------------------------------------------------------------------- */

static size_t read_tier(twin_sqlite *db, int64_t from, int64_t to, int64_t w,
                        twin_sqlite_tier_answer *a)
{
    size_t n = 0;
    B[0].size = sizeof B[0];
    memset(a, 0, sizeof *a);
    a->size = sizeof *a;
    ck_assert_int_eq(twin_sqlite_read_tier(db, "m1", "v", from, to, w, B, 4096, &n, a), TWIN_OK);
    return n;
}

START_TEST(test_read_finest_covering_tier)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:12h,10m:forever");
    twin_sqlite_tier_answer a;
    twin_signal h;
    int64_t raw_mark, m1_mark, end, start;
    size_t n, k;
    sq x;
    make_data(NS);
    start = floor_to(T[0], 60 * MIN);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    raw_mark = sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 0");
    m1_mark = sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 60000000");
    end = T[N - 1] + 1;
    ck_assert_int_lt(m1_mark, raw_mark);
    /* within the raw span: raw answers */
    n = read_tier(x.db, raw_mark, end, MIN, &a);
    ck_assert_int_eq(a.tier, 0);
    ck_assert_int_eq(a.res_us, 0);
    ck_assert_int_eq(a.complete, 1);
    ck_assert_uint_gt(n, 0);
    /* from within the 1-minute tier's span: it answers, and every bucket
       (the one across the raw mark too) equals the brute force */
    n = read_tier(x.db, floor_to(m1_mark, MIN), end, MIN, &a);
    ck_assert_int_eq(a.tier, 1);
    ck_assert_int_eq(a.res_us, MIN);
    ck_assert_int_eq(a.covered_from_us, m1_mark);
    ck_assert_int_eq(a.complete, 1);
    for (k = 0; k < n; k++) {
        brute r = brute_bucket(B[k].t_us, MIN, m1_mark, end);
        ck_assert_uint_eq(B[k].count, r.n);
        ck_assert(B[k].mean == r.sum / (double)r.n);
        ck_assert(B[k].min == r.min && B[k].max == r.max);
        ck_assert(B[k].first == r.first && B[k].last == r.last);
    }
    /* 30-minute buckets: the 1-minute tier still the finest that divides */
    n = read_tier(x.db, floor_to(m1_mark, 30 * MIN) + 30 * MIN, end, 30 * MIN, &a);
    ck_assert_int_eq(a.tier, 1);
    for (k = 0; k < n; k++) {
        brute r = brute_bucket(B[k].t_us, 30 * MIN, INT64_MIN, end);
        ck_assert_uint_eq(B[k].count, r.n);
        ck_assert(fabs(B[k].mean - r.sum / (double)r.n) <= 1e-12 * fabs(r.sum / (double)r.n));
        ck_assert(B[k].min == r.min && B[k].max == r.max);
        ck_assert(B[k].first == r.first && B[k].last == r.last);
    }
    /* from the start: only the forever tier covers it */
    n = read_tier(x.db, start, end, 60 * MIN, &a);
    ck_assert_int_eq(a.tier, 2);
    ck_assert_int_eq(a.res_us, 10 * MIN);
    ck_assert_int_eq(a.complete, 1);
    {
        uint64_t total = 0;
        for (k = 0; k < n; k++) {
            brute r = brute_bucket(B[k].t_us, 60 * MIN, INT64_MIN, end);
            ck_assert_uint_eq(B[k].count, r.n);
            ck_assert(B[k].first == r.first && B[k].last == r.last);
            total += B[k].count;
        }
        ck_assert_uint_eq(total, N);
    }
    /* 90 s buckets: no tier divides them; raw answers what it has */
    n = read_tier(x.db, start, end, 90 * SEC, &a);
    ck_assert_int_eq(a.tier, 0);
    ck_assert_int_eq(a.complete, 0);
    ck_assert_int_eq(a.covered_from_us, raw_mark);
    /* bad input */
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "v", end, T[0], MIN, B, 4096, &n, &a),
                     TWIN_E_RANGE);
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "v", T[0], end, 0, B, 4096, &n, &a),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "nope", T[0], end, MIN, B, 4096, &n, &a),
                     TWIN_E_NOTFOUND);
    a.size = sizeof a + 8;
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "v", T[0], end, MIN, B, 4096, &n, &a),
                     TWIN_E_ABI);
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "v", T[0], end, MIN, B, 2, &n, NULL),
                     TWIN_E_RANGE);
    ck_assert_uint_gt(n, 2);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static twin_status info_fn(void *ud, const twin_sqlite_tier_info *t)
{
    twin_sqlite_tier_info *all = ud;
    size_t k = 0;
    while (all[k].size) k++;
    ck_assert_uint_lt(k, 7);
    all[k] = *t;
    return TWIN_OK;
}

START_TEST(test_tier_info)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:2h,10m:forever");
    twin_sqlite_tier_info all[8];
    twin_signal h;
    sq x;
    make_data(NS);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    memset(all, 0, sizeof all);
    ck_assert_int_eq(twin_sqlite_tier_info_each(x.db, info_fn, all), TWIN_OK);
    ck_assert_int_eq(all[0].res_us, 0);
    ck_assert_int_eq(all[1].res_us, MIN);
    ck_assert_int_eq(all[2].res_us, 10 * MIN);
    ck_assert_uint_eq(all[3].size, 0);
    ck_assert_uint_eq(all[0].samples + all[2].samples, N);
    ck_assert_uint_eq(all[1].rows, sq_query(path, "SELECT count(*) FROM tiers WHERE res_us = 60000000"));
    ck_assert_uint_eq(all[1].buckets, all[1].rows);
    ck_assert_uint_eq(all[0].buckets, 0);
    ck_assert_uint_gt(all[0].bytes, 0);
    ck_assert_uint_gt(all[1].bytes, 0);
    ck_assert_uint_eq(all[0].signals, 1);
    ck_assert_int_eq(all[0].t_max_us, T[N - 1]);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* ---- migration ------------------------------------------------------------------ */

START_TEST(test_schema_3_migrates_to_4)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_tier_answer a;
    twin_sqlite_options o;
    twin_signal h;
    sqlite3 *c;
    size_t n;
    sq x;
    make_data(3000);
    sq_open(&x, path, 0, 1000);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N);
    sq_close(&x, 1);
    /* back to schema 3: as the 1.5 tree wrote it */
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(c, "DROP TABLE tiers; DROP TABLE tier_marks; DROP TABLE policies; DROP TABLE tier_blocks;"
                                     " CREATE TABLE ob3(signal INTEGER PRIMARY KEY, t0_us INTEGER"
                                     " NOT NULL, t1_us INTEGER NOT NULL, n INTEGER NOT NULL,"
                                     " data BLOB NOT NULL); INSERT INTO ob3 SELECT signal, t0_us,"
                                     " t1_us, n, data FROM open_blocks WHERE seq = 0;"
                                     " DROP TABLE open_blocks; ALTER TABLE ob3 RENAME TO open_blocks;"
                                     " DROP TABLE sources; DROP TABLE signal_sources;"
                                     " DROP TABLE upstreams; DROP TABLE late_log;"
                                     " PRAGMA user_version = 3;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(c);
    /* (one open block row: the samples of its later chunks left out) */
    N = (size_t)sq_query(path, SQ_ALL_SAMPLES);
    /* read-only: left as it is, raw answers */
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_READONLY;
    ck_assert_int_eq(twin_sqlite_open(&x.db, path, &o), TWIN_OK);
    B[0].size = sizeof B[0];
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "v", T[0], T[N - 1] + 1, MIN, B, 4096, &n,
                                           &a), TWIN_OK);
    ck_assert_int_eq(a.tier, 0);
    ck_assert_int_eq(a.complete, 1);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, NULL),
                     TWIN_E_STATE);
    twin_sqlite_close(x.db);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), 3);
    /* read-write: migrated, samples intact, policies work */
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), TWIN_SQLITE_SCHEMA_VERSION);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tiers"), 0);
    ck_assert_int_eq(sq_query(path, SQ_ALL_SAMPLES), (long long)N);
    {
        twin_sqlite_policy p = parse("raw:10m,1m:20m,10m:forever");
        ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                         TWIN_OK);
        ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    }
    ck_assert_int_eq(sq_query(path, "SELECT sum(n) FROM tiers WHERE res_us = 600000000") +
                         sq_query(path, SQ_ALL_SAMPLES),
                     (long long)N);
    /* one fold of old data: the 1-minute tier already trimmed to its span */
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tiers WHERE res_us = 60000000"), 0);
    ck_assert_int_ge(sq_query(path, "SELECT min(t_us) FROM tiers WHERE res_us = 60000000"),
                     floor_to(T[N - 1] - 20 * MIN, MIN));
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

#define TEN_SAMPLES                                                                       \
    sq_query(path, "SELECT (SELECT coalesce(sum(n), 0) FROM tiers WHERE res_us = 600000000) +" \
                   " (SELECT coalesce(sum(samples), 0) FROM tier_blocks WHERE"                \
                   " res_us = 600000000)")

/* A tier block of format 2 (eight columns) as schema 4 wrote it: format
   1, the first six columns. */
static void tier_blocks_to_format_1(sqlite3 *c)
{
    sqlite3_stmt *q, *u;
    ck_assert_int_eq(sqlite3_prepare_v2(c, "SELECT id, data FROM tier_blocks", -1, &q, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(c, "UPDATE tier_blocks SET data = ?2 WHERE id = ?1", -1,
                                        &u, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 1), at = 36, o = 28, k, l;
        unsigned char *nb = malloc(len);
        ck_assert(b[2] == 2 && b[3] == 8);
        memcpy(nb, b, 28);
        nb[2] = 1, nb[3] = 6;
        for (k = 0; k < 6; k++) {
            l = (size_t)b[4 + 4 * k] | (size_t)b[5 + 4 * k] << 8 | (size_t)b[6 + 4 * k] << 16;
            memcpy(nb + o, b + at, l);
            o += l, at += l;
        }
        sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
        sqlite3_bind_blob(u, 2, nb, (int)o, free);
        ck_assert_int_eq(sqlite3_step(u), SQLITE_DONE);
        sqlite3_reset(u);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(u);
}

/* A schema 4 database (one open block row per signal, buckets without
   their first and last times, tier blocks of format 1) migrates to 5: the
   open block goes on as the first chunk of its log, the tiers read as they
   were, a late sample goes into a format 1 block's bucket (written again
   as format 2), and new samples follow the open block. */
START_TEST(test_schema_4_migrates)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "t.db");
    twin_sqlite_policy p = parse("raw:20m,1m:12h,10m:forever");
    twin_signal h;
    sqlite3 *c;
    int64_t raw_mark, lt;
    double lv = 1234.5;
    long long all, in_tiers, open_n, ten;
    size_t n = 0;
    sq x;
    make_data(NS);
    N = NS - 2000;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    h = add_signal(&x, "m1", "dtmi:t:A;1", "v");
    write_range(&x, h, 0, N);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM tier_blocks WHERE res_us = 60000000"), 0);
    /* back to schema 4: one open block row (its first chunk: the later
       chunks' samples are left out of what the database holds) */
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(c,
                     "CREATE TABLE ob4(signal INTEGER PRIMARY KEY, t0_us INTEGER NOT NULL,"
                     " t1_us INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);"
                     "INSERT INTO ob4 SELECT signal, t0_us, t1_us, n, data FROM open_blocks"
                     " WHERE seq = 0; DROP TABLE open_blocks; ALTER TABLE ob4 RENAME TO open_blocks;"
                     "ALTER TABLE tiers DROP COLUMN first_t_us; ALTER TABLE tiers DROP COLUMN"
                     " last_t_us; DROP TABLE sources; DROP TABLE signal_sources;"
                     " DROP TABLE upstreams; DROP TABLE late_log;"
                     " PRAGMA user_version = 4;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    tier_blocks_to_format_1(c);
    sqlite3_close(c);
    open_n = sq_query(path, "SELECT n FROM open_blocks");
    ck_assert_int_gt(open_n, 0);
    all = sq_query(path, SQ_ALL_SAMPLES);
    raw_mark = sq_query(path, "SELECT t_us FROM tier_marks WHERE res_us = 0");
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), TWIN_SQLITE_SCHEMA_VERSION);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM open_blocks WHERE seq = 0"), 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tiers WHERE first_t_us != t_us OR"
                                    " last_t_us != t_us + res_us - 1"),
                     0);
    ck_assert_int_eq(sq_query(path, SQ_ALL_SAMPLES), all);
    /* the format 1 blocks read as they were */
    check_tier(x.db, path, MIN, raw_mark);
    check_tier(x.db, path, 10 * MIN, raw_mark);
    /* a late sample into a bucket of a format 1 block */
    /* (within the tier's span: from its mark on) */
    lt = sq_query(path, "SELECT max((SELECT max(t0_us) FROM tier_blocks WHERE res_us = 60000000),"
                        " (SELECT t_us FROM tier_marks WHERE res_us = 60000000))") + 7;
    ck_assert_int_le(lt, sq_query(path, "SELECT max(t1_us) FROM tier_blocks WHERE"
                                        " res_us = 60000000"));
    in_tiers = sq_query(path, "SELECT sum(samples) FROM tier_blocks WHERE res_us = 60000000");
    ck_assert(insert_sample(lt, lv));
    store_write(x.db, h, &lt, &lv, 1);
    ck_assert_int_eq(sq_query(path, "SELECT sum(samples) FROM tier_blocks WHERE res_us = 60000000"),
                     in_tiers + 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM samples"), 0);
    B[0].size = sizeof B[0];
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "m1", "v", floor_to(lt, MIN), floor_to(lt, MIN) + MIN,
                                           MIN, B, 4096, &n, NULL),
                     TWIN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(B[0].count, brute_bucket(floor_to(lt, MIN), MIN, INT64_MIN, raw_mark).n);
    ck_assert(B[0].max == 1234.5);
    /* new samples follow the resumed open block */
    ten = TEN_SAMPLES;
    write_range(&x, h, N + 1, N + 501); /* (T[N] made room for the late one) */
    ck_assert_int_eq(sq_query(path, SQ_ALL_SAMPLES) + TEN_SAMPLES, all + ten + 500);
    ck_assert_int_gt(sq_query(path, "SELECT count(*) FROM open_blocks"), 0);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static Suite *tiers_suite(void)
{
    Suite *s = suite_create("sqlite_tiers");
    TCase *tc = tcase_create("tiers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_policy_parse_format_and_rules);
    tcase_add_test(tc, test_set_policy_scopes_and_bad_input);
    tcase_add_test(tc, test_policy_resolution_signal_model_default);
    tcase_add_test(tc, test_fold_exact_against_brute_force);
    tcase_add_test(tc, test_fold_late_samples_exact);
    tcase_add_test(tc, test_fold_budget_per_flush);
    tcase_add_test(tc, test_late_sample_after_fold_refolds);
    tcase_add_test(tc, test_dropped_tier_deleted);
    tcase_add_test(tc, test_policy_from_another_connection_applies);
    tcase_add_test(tc, test_read_finest_covering_tier);
    tcase_add_test(tc, test_tier_info);
    tcase_add_test(tc, test_schema_3_migrates_to_4);
    tcase_add_test(tc, test_schema_4_migrates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(tiers_suite());
}
