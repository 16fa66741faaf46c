/* The durability proof of libtwin-sqlite.
 *
 * A child process ingests a fixed sequence of samples (NSIG signals of
 * NTWIN twins, sample i on signal i % NSIG at second i / NSIG) through
 * libtwin into a WAL database, in batches of random sizes; after each
 * batch that the store confirmed (twin_store_flush() returned TWIN_OK) it
 * writes the number of samples confirmed so far to a pipe. The parent kills
 * it with SIGKILL at a random point (a fixed seed: a random delay of 0 to
 * 3 ms after the child reported a random progress); a child that gets a
 * random number of samples past that progress before the kill waits there
 * to be killed, so that every round kills its child whatever the machine's
 * speed (the test counts kills, not time). Then the parent checks the
 * database:
 *   - PRAGMA integrity_check says "ok", and every compressed block its
 *     checksum (twin_sqlite_check_blocks());
 *   - the samples stored are exactly the first M of the sequence, each once
 *     and with its value, read back with twin_sqlite_read() (closed blocks,
 *     open blocks as the last flush wrote them), with M >= the last count the child confirmed
 *     (a batch committed but not yet reported may be there too: M may be
 *     larger, never smaller, and never a partial batch out of order).
 * The next child restarts from the last confirmed count: it loads the graph,
 * signals and latest values from the database, and sends again what may
 * already be stored; the ingest path refuses those as duplicates or out of
 * order, so nothing is stored twice. After the killed rounds a last child
 * runs to the end, and the database must then hold the whole sequence.
 *
 * The open blocks are append-only logs (schema 5): every flush appends
 * the samples it added to a signal's open block as one chunk; the rounds
 * count the kills that found an open block logged in several chunks (and
 * require some), whose samples must all be read back.
 *
 * The same with tiers (test_sigkill_folding): hourly samples, a policy
 * (raw 2 days, hourly buckets 30 days, daily ones forever) and a budget of
 * 12 blocks and 8 bucket rows a flush, so that the children fold at every
 * flush and are killed while folding too. Then every sample of the prefix is either raw (after
 * its signal's raw mark) or summarised by the daily tier, once; and every
 * bucket of both tiers, single rows or in tier blocks (read through
 * twin_sqlite_read_tier()), equals a brute-force pass over the samples it
 * covers (count, min, max, first, last and the mean bit for bit). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sq_fixture.h"
#include "support/run.h"

#define NTWIN 4
#define NSIG (NTWIN * 2)
#define NSAMPLES 24000
#define ROUNDS 12

static uint64_t rng = 0x2545F4914F6CDD1Dull;

/* Time between two samples of a signal, and whether a tier policy is set
   (test_sigkill_folding). */
static int64_t step_us = SEC;
static int fold_mode;
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

static uint64_t next_rand(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double value_of(long i)
{
    return (double)(i % 1000) * 0.25 + (double)(i / 1000);
}

static void sig_name(int k, char *twin, char *name)
{
    sprintf(twin, "T%d", k / 2);
    sprintf(name, "%s", k % 2 ? "temperature" : "vibration");
}

/* The child: ingest from `start`, report confirmed counts on fd; exit 0 at
 * the end, 3 on any failure. With hold >= 0, once it has confirmed `hold`
 * samples (or all of them) it waits to be killed. */
static void child(const char *path, long start, int fd, uint64_t seed, long hold)
{
    sq x;
    twin_signal h[NSIG];
    twin_signal_sample batch[512];
    long i = start;
    int k;
    sq_open(&x, path, 0, 5000);
    if (twin_graph_twin_count(x.g) == 0) {
        for (k = 0; k < NTWIN; k++) {
            char id[16];
            sprintf(id, "T%d", k);
            if (twin_store_add_twin(x.st, id, "dtmi:t:Machine;1", NULL, 0) != TWIN_OK) _exit(3);
        }
    }
    for (k = 0; k < NSIG; k++) {
        char twin[16], name[16];
        twin_signal_options o;
        sig_name(k, twin, name);
        twin_signal_options_init(&o);
        o.unit = k % 2 ? "degreeCelsius" : "gForce";
        if (twin_ingest_resolve(x.ing, twin, name, NULL, &h[k]) != TWIN_OK &&
            twin_ingest_add_signal(x.ing, twin, name, &o, &h[k]) != TWIN_OK)
            _exit(3);
    }
    if (twin_store_flush(x.st) != TWIN_OK) _exit(3);
    if (fold_mode) {
        twin_sqlite_policy p;
        twin_sqlite_policy_init(&p);
        if (twin_sqlite_policy_parse("raw:2d,1h:30d,1d:forever", &p, NULL) != TWIN_OK ||
            twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p) != TWIN_OK ||
            twin_sqlite_set_fold_budget(x.db, 12, 8) != TWIN_OK)
            _exit(3);
    }
    rng = seed;
    while (i < NSAMPLES) {
        long n = 1 + (long)(next_rand() % 500), j;
        size_t done;
        if (n > NSAMPLES - i) n = NSAMPLES - i;
        for (j = 0; j < n; j++) {
            long s = i + j;
            batch[j].signal = h[s % NSIG];
            batch[j].t_us = T0 + (int64_t)(s / NSIG) * step_us;
            batch[j].value = value_of(s);
        }
        if (twin_ingest_write_signals(x.ing, batch, (size_t)n, NULL, &done) != TWIN_OK ||
            done != (size_t)n)
            _exit(3);
        if (twin_store_flush(x.st) != TWIN_OK) _exit(3);
        i += n;
        if (write(fd, &i, sizeof i) != (ssize_t)sizeof i) _exit(3);
        if (hold >= 0 && i >= hold) break;
    }
    if (hold >= 0) {
        close(fd);
        for (;;) pause();
    }
    sq_close(&x, 1);
    _exit(0);
}

typedef struct seen_ctx {
    unsigned char *seen;
    int k;
    long n;
} seen_ctx;

/* Mark the samples of signal k read back, each once and with its value. */
static twin_status seen_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    seen_ctx *c = ud;
    size_t j;
    for (j = 0; j < n; j++) {
        long i = (long)((t[j] - T0) / step_us) * NSIG + c->k;
        ck_assert(i >= 0 && i < NSAMPLES);
        ck_assert_msg(!c->seen[i], "sample %ld stored twice", i);
        ck_assert(v[j] == value_of(i));
        c->seen[i] = 1;
        c->n++;
    }
    return TWIN_OK;
}

static int64_t floor_to(int64_t t, int64_t w)
{
    int64_t q = t / w;
    if (t % w < 0) q--;
    return q * w;
}

/* fold_mode: the buckets of signal `k` (row `row`) against a brute force
   over the sequence; the daily tier's samples marked seen. Returns them. */
static long check_tiers(sqlite3 *c, int k, long long row, unsigned char *seen)
{
    sqlite3_stmt *s;
    int64_t mark = INT64_MIN;
    long folded = 0;
    ck_assert_int_eq(sqlite3_prepare_v2(c, "SELECT t_us FROM tier_marks WHERE signal = ?1"
                                           " AND res_us = 0", -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_int64(s, 1, row);
    if (sqlite3_step(s) == SQLITE_ROW) mark = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    ck_assert_int_eq(sqlite3_prepare_v2(c, "SELECT res_us, t_us, n, sum, min, max, first, last"
                                           " FROM tiers WHERE signal = ?1 ORDER BY res_us, t_us",
                                        -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_int64(s, 1, row);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int64_t res = sqlite3_column_int64(s, 0), b = sqlite3_column_int64(s, 1), t;
        long n = 0, i;
        double sum = 0, mn = 0, mx = 0, first = 0, last = 0;
        ck_assert(res == HOUR || res == DAY);
        ck_assert_int_eq(b, floor_to(b, res));
        for (t = b < T0 ? T0 : floor_to(b - T0 + step_us - 1, step_us) + T0; t < b + res && t < mark;
             t += step_us) {
            double v;
            i = (long)((t - T0) / step_us) * NSIG + k;
            if (i >= NSAMPLES) break;
            v = value_of(i);
            if (!n) mn = mx = first = v;
            n++;
            sum += v;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
            last = v;
            if (res == DAY) {
                ck_assert_msg(!seen[i], "sample %ld folded and kept raw", i);
                seen[i] = 1;
            }
        }
        ck_assert_int_eq(sqlite3_column_int64(s, 2), n);
        ck_assert(sqlite3_column_double(s, 3) == sum);
        ck_assert(sqlite3_column_double(s, 4) == mn && sqlite3_column_double(s, 5) == mx);
        ck_assert(sqlite3_column_double(s, 6) == first && sqlite3_column_double(s, 7) == last);
        if (res == DAY) folded += n;
    }
    sqlite3_finalize(s);
    return folded;
}

/* fold_mode: the hourly tier of signal k, tier blocks and single rows,
   through the tier read, against a brute force. */
static void check_hourly(twin_sqlite *db, const char *path, int k)
{
    static twin_sqlite_bucket b[2048];
    twin_sqlite_tier_answer a;
    char twin[16], name[16], sql[256];
    int64_t raw_mark, from;
    size_t n = 0, j, want;
    sig_name(k, twin, name);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tier_marks WHERE res_us = %lld AND signal ="
             " (SELECT id FROM signals WHERE twin = '%s' AND name = '%s')", (long long)HOUR, twin,
             name);
    if (!sq_query(path, sql)) return; /* not folded yet */
    snprintf(sql, sizeof sql, "SELECT t_us FROM tier_marks WHERE res_us = %lld AND signal ="
             " (SELECT id FROM signals WHERE twin = '%s' AND name = '%s')", (long long)HOUR, twin,
             name);
    from = sq_query(path, sql);
    snprintf(sql, sizeof sql, "SELECT t_us FROM tier_marks WHERE res_us = 0 AND signal ="
             " (SELECT id FROM signals WHERE twin = '%s' AND name = '%s')", twin, name);
    raw_mark = sq_query(path, sql);
    if (from >= raw_mark) return;
    b[0].size = sizeof b[0];
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    ck_assert_int_eq(twin_sqlite_read_tier(db, twin, name, from, raw_mark, HOUR, b, 2048, &n, &a),
                     TWIN_OK);
    ck_assert_int_eq(a.res_us, HOUR);
    for (j = 0; j < n; j++) { /* hourly samples: one per bucket */
        int64_t t = b[j].t_us + (T0 - floor_to(T0, HOUR));
        long i = (long)((t - T0) / step_us) * NSIG + k;
        ck_assert(i >= 0 && i < NSAMPLES);
        ck_assert_uint_eq(b[j].count, 1);
        ck_assert(b[j].mean == value_of(i) && b[j].min == value_of(i));
        ck_assert(b[j].first == value_of(i) && b[j].last == value_of(i));
    }
    for (j = 0, want = 0; (long)j * NSIG + k < NSAMPLES; j++) {
        int64_t t = T0 + (int64_t)j * step_us, bt = floor_to(t, HOUR);
        if (bt >= from && bt < raw_mark && t < raw_mark) want++;
    }
    ck_assert_uint_eq(n, want);
}

/* Check the database: integrity, and exactly a prefix of the sequence, of
 * length >= confirmed. Returns the prefix length. */
static long check_db(const char *path, long confirmed)
{
    sqlite3 *c;
    sqlite3_stmt *s;
    static unsigned char seen[NSAMPLES];
    long n = 0, m = 0;
    twin_sqlite *db;
    twin_sqlite_options o;
    twin_status r;
    uint64_t bad;
    int k;
    ck_assert_int_eq(sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    memset(seen, 0, sizeof seen);
    if (fold_mode) /* the samples folded, with their buckets checked */
        for (k = 0; k < NSIG; k++) {
            char twin[16], name[16], sql[160];
            sig_name(k, twin, name);
            snprintf(sql, sizeof sql, "SELECT id FROM signals WHERE twin = '%s' AND name = '%s'",
                     twin, name);
            ck_assert_int_eq(sqlite3_prepare_v2(c, sql, -1, &s, NULL), SQLITE_OK);
            if (sqlite3_step(s) == SQLITE_ROW)
                n += check_tiers(c, k, sqlite3_column_int64(s, 0), seen);
            sqlite3_finalize(s);
        }
    sqlite3_close(c);
    /* the samples, read back through the store's reads: closed blocks,
       the open blocks as the last flush left them, late rows */
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_READONLY;
    ck_assert_int_eq(twin_sqlite_open(&db, path, &o), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_check_blocks(db, NULL, NULL, &bad), TWIN_OK);
    ck_assert_uint_eq(bad, 0);
    for (k = 0; k < NSIG; k++) {
        char twin[16], name[16];
        seen_ctx sc = {seen, k, 0};
        sig_name(k, twin, name);
        r = twin_sqlite_read(db, twin, name, INT64_MIN, INT64_MAX, seen_fn, &sc);
        ck_assert_msg(r == TWIN_OK || (r == TWIN_E_NOTFOUND && confirmed == 0), "read: %s",
                      twin_sqlite_last_error(db)->message);
        n += sc.n;
        if (fold_mode && r == TWIN_OK) check_hourly(db, path, k);
    }
    twin_sqlite_close(db);
    while (m < NSAMPLES && seen[m]) m++;
    ck_assert_msg(m == n, "the stored samples are not a prefix (%ld stored, prefix %ld)", n, m);
    ck_assert_msg(m >= confirmed, "confirmed %ld samples, only %ld stored", confirmed, m);
    return m;
}

/* Run a child from `start`; unless target is 0, kill it delay_us after it
 * reported `target` samples confirmed (it holds at `hold` samples until
 * then). Returns the last count it confirmed (start if none). */
static long run_child(const char *path, long start, long target, long hold, long delay_us,
                      int *exited_ok)
{
    int fds[2], st;
    long last = start, v;
    pid_t pid;
    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        child(path, start, fds[1], next_rand(), target > 0 ? hold : -1);
    }
    close(fds[1]);
    if (target > 0) {
        struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
        while (last < target && read(fds[0], &v, sizeof v) == (ssize_t)sizeof v) last = v;
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    while (read(fds[0], &v, sizeof v) == (ssize_t)sizeof v) last = v;
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    *exited_ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (WIFEXITED(st)) ck_assert_msg(WEXITSTATUS(st) == 0, "child failed (%d)", WEXITSTATUS(st));
    return last;
}

static void sigkill_rounds(void)
{
    const char *dir = sq_tmpdir();
    char p[256];
    long confirmed = 0, stored = 0;
    int r, ok, killed = 0, mid = 0, working = 0, partial = 0;
    snprintf(p, sizeof p, "%s", sq_path(dir, "durable.db"));
    for (r = 0; r < ROUNDS; r++) {
        /* Kill at a random point: a random delay (0 to 3 ms: mid-batch,
           mid-commit) after a random progress (at the child's speed). */
        long target = confirmed + 1 + (long)(next_rand() % (NSAMPLES / ROUNDS));
        long hold = target + 2000 + (long)(next_rand() % 4000);
        long delay = (long)(next_rand() % 3000);
        long c = run_child(p, confirmed, target, hold, delay, &ok);
        ck_assert_msg(!ok, "round %d: the child ended before it was killed", r);
        killed++;
        if (c < hold) working++;  /* killed while it still wrote */
        stored = check_db(p, c);
        if (stored > c) mid++;  /* killed between a commit and its report */
        /* an open block left in several chunks of its log */
        if (sq_query(p, "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM open_blocks"
                        " GROUP BY signal)") > 1)
            partial++;
        confirmed = c;
    }
    confirmed = run_child(p, confirmed, 0, 0, 0, &ok);
    ck_assert(ok);
    ck_assert_int_eq(confirmed, NSAMPLES);
    ck_assert_int_eq(check_db(p, confirmed), NSAMPLES);
    printf("durability%s: %d children killed (%d while writing, %d after a commit they had not "
           "reported, %d with an open block logged in several chunks); %d samples, each stored"
           " once\n",
           fold_mode ? " with tiers" : "", killed, working, mid, partial, NSAMPLES);
    ck_assert_int_eq(killed, ROUNDS);
    /* hourly samples close a block every day (24 samples): only the
       secondly ones keep one open long enough to count on it */
    if (!fold_mode) ck_assert_int_gt(partial, 0);
    if (fold_mode) { /* it did fold: most samples are summarised by now */
        ck_assert_int_gt(sq_query(p, "SELECT sum(n) FROM tiers WHERE res_us = 86400000000"),
                         NSAMPLES / 2);
        ck_assert_int_gt(sq_query(p, "SELECT count(*) FROM tier_marks WHERE res_us = 3600000000"
                                     " AND t_us > 0"), 0);
        ck_assert_int_gt(sq_query(p, "SELECT count(*) FROM tier_blocks WHERE res_us = 3600000000"),
                         0);
    }
    sq_rmdir(dir);
}

START_TEST(test_sigkill)
{
    sigkill_rounds();
}
END_TEST

START_TEST(test_sigkill_folding)
{
    fold_mode = 1;
    step_us = HOUR;
    sigkill_rounds();
}
END_TEST

static Suite *durability_suite(void)
{
    Suite *s = suite_create("sqlite_durability");
    TCase *tc = tcase_create("sigkill");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sigkill);
    tcase_add_test(tc, test_sigkill_folding);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(durability_suite());
}
