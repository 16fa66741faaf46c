/* libtwin-influx against a real InfluxDB 1.6 (Debian's influxd, started by
 * tests/support/influxd.h on free ports in a temporary directory and stopped
 * by its PID): a store forwarded and counted upstream by query; the server
 * killed and started again mid-stream; the forwarder's process killed and
 * started again; the server paused (SIGSTOP) and resumed; a rejected line
 * found by bisection. After each, every sample is upstream exactly once (a
 * count and a sum of values per series). `test_influx disk_full` runs the
 * full-disk case alone (a tmpfs: skipped, 77, when it cannot mount, failed
 * then when CI=true). Skipped (77) without influxd, failed then when
 * CI=true. */
#include <twin/influx.h>

#include "../sqlite/sq_fixture.h"
#include "../support/influxd.h"

#include <check.h>
#include <curl/curl.h>
#include <sqlite3.h>
#include <sys/statvfs.h>

#define DB "fwd"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A store of nsig signals ("pump-<i>"/"s<i>", model dtmi:t:Pump;1) with n
   samples each at 1 Hz from T0, value i * 1e6 + k (k the sample's index). */
static void make_store(const char *path, int nsig, long n)
{
    sq x;
    int i;
    sq_open(&x, path, 0, 1000);
    for (i = 0; i < nsig; i++) {
        char twin[32], name[32];
        twin_signal_options o;
        twin_signal h;
        twin_signal_sample b[500];
        long k = 0;
        snprintf(twin, sizeof twin, "pump-%d", i);
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_int_eq(twin_store_add_twin(x.st, twin, "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
        twin_signal_options_init(&o);
        o.unit = "gForce";
        ck_assert_int_eq(twin_ingest_add_signal(x.ing, twin, name, &o, &h), TWIN_OK);
        while (k < n) {
            size_t m = 0, done;
            for (; m < 500 && k < n; m++, k++) {
                b[m].signal = h;
                b[m].t_us = T0 + k * SEC;
                b[m].value = (double)i * 1e6 + (double)k;
            }
            ck_assert_int_eq(twin_ingest_write_signals(x.ing, b, m, NULL, &done), TWIN_OK);
            ck_assert_uint_eq(done, m);
            ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
        }
    }
    sq_close(&x, 1);
}

/* Samples [from, to) of signals s0.. of make_store()'s store, added later. */
static void append_store(const char *path, int nsig, long from, long to)
{
    sq x;
    sq_open(&x, path, 0, 1000);
    for (int i = 0; i < nsig; i++) {
        char twin[32], name[32];
        snprintf(twin, sizeof twin, "pump-%d", i);
        snprintf(name, sizeof name, "s%d", i);
        for (long k = from; k < to; k++) {
            twin_sample s = {twin, name, T0 + k * SEC, (double)i * 1e6 + (double)k, NULL};
            size_t done;
            ck_assert_int_eq(twin_ingest_write(x.ing, &s, 1, NULL, &done), TWIN_OK);
            ck_assert_uint_eq(done, 1);
        }
    }
    sq_close(&x, 1);
}

typedef struct body {
    char *p;
    size_t n;
} body;

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    body *b = ud;
    char *q = realloc(b->p, b->n + sz * n + 1);
    ck_assert_ptr_nonnull(q);
    memcpy(q + b->n, p, sz * n);
    b->p = q;
    b->n += sz * n;
    b->p[b->n] = '\0';
    return sz * n;
}

static size_t on_data_sink(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

/* A query's JSON answer (malloc'ed); params: more of the URL's parameters
   (e.g. "&epoch=u"). */
static char *query_p(const influx *ix, const char *params, const char *q)
{
    CURL *c = curl_easy_init();
    char url[1024];
    char *e = curl_easy_escape(c, q, 0);
    body b = {NULL, 0};
    long code = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/query?db=" DB "%s&q=%s", ix->port, params, e);
    curl_free(e);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    ck_assert_int_eq(code, 200);
    curl_easy_cleanup(c);
    return b.p;
}

static char *query(const influx *ix, const char *q)
{
    return query_p(ix, "", q);
}

/* The counts and sums of value per series of measurement m, grouped by
   twin: series found. */
static int per_series(const influx *ix, const char *m, long *count, double *sum, int cap)
{
    char q[256], *r, *p;
    int n = 0;
    snprintf(q, sizeof q, "SELECT count(value), sum(value) FROM \"%s\" GROUP BY twin", m);
    r = query(ix, q);
    for (p = r; (p = strstr(p, "\"twin\":\"pump-")); ) {
        int i = atoi(p + 13);
        char *v = strstr(p, "\"values\":[[");
        ck_assert_ptr_nonnull(v);
        v = strchr(v + 11, ',');
        ck_assert(i >= 0 && i < cap);
        count[i] = strtol(v + 1, &v, 10);
        sum[i] = strtod(v + 1, NULL);
        n++;
        p = v;
    }
    free(r);
    return n;
}

static void check_exact(const influx *ix, const char *m, int nsig, long n)
{
    long count[64];
    double sum[64];
    int i;
    memset(count, 0, sizeof count);
    ck_assert_int_eq(per_series(ix, m, count, sum, 64), nsig);
    for (i = 0; i < nsig; i++) {
        double want = (double)i * 1e6 * (double)n + (double)n * (double)(n - 1) / 2;
        ck_assert_msg(count[i] == n, "series %d: %ld points, want %ld", i, count[i], n);
        ck_assert_msg(sum[i] == want, "series %d: sum %.17g, want %.17g", i, sum[i], want);
    }
}

static void opts(twin_influx_options *o, const influx *ix, char *url, size_t cap)
{
    snprintf(url, cap, "http://127.0.0.1:%d", ix->port);
    twin_influx_options_init(o);
    o->url = url;
    o->db = DB;
    o->retry_initial_ms = 20;
    o->retry_max_ms = 300;
    o->connect_timeout_ms = 500;
    o->request_timeout_ms = 2000;
}

static twin_sqlite *open_db(const char *path)
{
    twin_sqlite *db;
    ck_assert_int_eq(twin_sqlite_open(&db, path, NULL), TWIN_OK);
    return db;
}

/* Step until idle (at most secs seconds); the steps made. */
static long drain(twin_influx *fw, double secs)
{
    twin_influx_progress p;
    long steps = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        twin_status s;
        p.size = sizeof p;
        s = twin_influx_step(fw, 4, &p);
        ck_assert_msg(s == TWIN_OK, "step: %s", twin_influx_last_error(fw)->message);
        steps++;
        if (p.state == TWIN_INFLUX_IDLE) return steps;
        if (p.state == TWIN_INFLUX_BACKOFF) influx_sleep_ms(p.wait_ms > 50 ? 50 : p.wait_ms);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_msg((double)(t1.tv_sec - t0.tv_sec) < secs, "not drained: %s", p.last_message);
    }
}

static influx server;
static const char *dir;

static void setup(void)
{
    ck_assert_msg(influx_start(&server) == 0, "influxd did not start (log in %s)", server.dir);
    ck_assert_int_eq(influx_create_db(&server, DB), 0);
    dir = sq_tmpdir();
}

static void teardown(void)
{
    influx_kill(&server, SIGCONT);
    influx_stop(&server);
    sq_rmdir(dir);
}

START_TEST(forward_and_count)
{
    const char *path = sq_path(dir, "a.db");
    char url[64];
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_stats st;
    twin_influx_backlog_info bl;
    twin_influx_progress p;
    twin_sqlite *db;
    make_store(path, 5, 2000);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.batch_lines = 3000;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    bl.size = sizeof bl;
    ck_assert_int_eq(twin_influx_backlog(fw, &bl), TWIN_OK);
    ck_assert_uint_eq(bl.samples, 10000);
    ck_assert_uint_eq(bl.signals, 5);
    ck_assert_int_eq(bl.lag_us, 1999 * SEC);
    drain(fw, 30);
    st.size = sizeof st;
    ck_assert_int_eq(twin_influx_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 10000);
    ck_assert_uint_eq(st.rejected, 0);
    ck_assert_uint_ge(st.requests, 4);  /* 10000 lines in batches of 3000 */
    ck_assert_uint_lt(st.bytes_sent, st.bytes_raw / 4);  /* gzip */
    ck_assert_int_eq(twin_influx_backlog(fw, &bl), TWIN_OK);
    ck_assert_uint_eq(bl.samples, 0);
    ck_assert_int_eq(bl.lag_us, 0);
    twin_influx_destroy(fw);
    check_exact(&server, "twin", 5, 2000);
    {   /* the tags of the documented schema */
        char *r = query(&server, "SELECT count(value) FROM twin WHERE model = 'dtmi:t:Pump;1'"
                                 " AND signal = 's3' AND unit = 'gForce' AND twin = 'pump-3'");
        ck_assert_msg(strstr(r, "2000"), "%s", r);
        free(r);
    }
    /* a new forwarder of the same upstream resumes from the cursors: nothing to send */
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    p.size = sizeof p;
    ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_INFLUX_IDLE);
    ck_assert_uint_eq(p.requests, 0);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    /* more samples later: only they are sent */
    {
        sq x;
        twin_sample s = {"pump-0", "s0", T0 + 2000 * SEC, 2000.0, NULL};
        size_t done;
        sq_open(&x, path, 0, 1000);
        ck_assert_int_eq(twin_ingest_write(x.ing, &s, 1, NULL, &done), TWIN_OK);
        sq_close(&x, 1);
    }
    db = open_db(path);
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    ck_assert_int_eq(twin_influx_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.lines_sent, 1);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    {
        long count[8];
        double sum[8];
        ck_assert_int_eq(per_series(&server, "twin", count, sum, 8), 5);
        ck_assert_int_eq(count[0], 2001);
    }
}
END_TEST

/* A forwarder that keeps running sends what the store takes after it went
 * idle, whichever signal its last batch ended in (before 1.7 it re-read the
 * signals' newest times only when a round started at the first signal:
 * after a batch that ended elsewhere, it never saw new samples). */
START_TEST(follows_new_samples)
{
    const char *path = sq_path(dir, "f.db");
    char url[64];
    twin_influx_options o;
    twin_influx *fw;
    twin_sqlite *db;
    make_store(path, 5, 2000);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.batch_lines = 3000;  /* batches end inside signals 1, 3 and 4 */
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    check_exact(&server, "twin", 5, 2000);
    for (long round = 0; round < 3; round++) {
        append_store(path, 5, 2000 + round * 700, 2000 + (round + 1) * 700);
        drain(fw, 30);
        check_exact(&server, "twin", 5, 2000 + (round + 1) * 700);
    }
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
}
END_TEST

START_TEST(bad_options)
{
    const char *path = sq_path(dir, "b.db");
    twin_influx_options o;
    twin_influx *fw = (twin_influx *)1;
    twin_sqlite *db;
    make_store(path, 1, 10);
    db = open_db(path);
    twin_influx_options_init(&o);
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_E_INVAL);  /* no url */
    ck_assert_ptr_null(fw);
    o.url = "http://127.0.0.1:1";
    o.db = DB;
    o.batch_lines = 0;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_E_INVAL);
    o.batch_lines = 10;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_E_ABI);
    o.size = sizeof o;
    ck_assert_int_eq(twin_influx_create(NULL, db, &o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_influx_create(&fw, NULL, &o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    ck_assert_int_eq(twin_influx_step(fw, 0, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_influx_step(NULL, 1, NULL), TWIN_E_INVAL);
    {   /* nothing listens on port 1: a connection error, then backoff */
        twin_influx_progress p;
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
        ck_assert_int_eq(p.state, TWIN_INFLUX_BACKOFF);
        ck_assert_int_eq(p.last_http, 0);
        ck_assert_int_gt(p.wait_ms, 0);
        ck_assert(p.last_message[0] != '\0');
        ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
        ck_assert_int_eq(p.state, TWIN_INFLUX_BACKOFF);
        ck_assert_uint_eq(p.requests, 0);  /* still waiting */
    }
    twin_influx_destroy(fw);
    twin_influx_destroy(NULL);
    twin_sqlite_close(db);
}
END_TEST

START_TEST(server_killed)
{
    const char *path = sq_path(dir, "c.db");
    char url[64];
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_stats st;
    twin_sqlite *db;
    int kills = 0;
    make_store(path, 20, 6000);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.batch_lines = 500;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    while (kills < 6) {
        /* a process of its own kills the server at a random moment while
           the forwarder steps: mostly in the middle of a request */
        pid_t killer = fork(), spid = server.pid;
        twin_influx_progress p;
        int ws, k;
        ck_assert_int_ge(killer, 0);
        if (killer == 0) {
            influx_sleep_ms(5 + (long)(next_rand() % 120));
            kill(spid, SIGKILL);
            _exit(0);
        }
        next_rand();
        while (waitpid(killer, &ws, WNOHANG) == 0) {
            p.size = sizeof p;
            ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
            if (p.state != TWIN_INFLUX_SENDING) influx_sleep_ms(5);
        }
        ck_assert_int_eq(waitpid(spid, &ws, 0), spid);
        server.pid = 0;
        if (server.fd >= 0) close(server.fd);
        server.fd = -1;
        kills++;
        for (k = 0; k < 3; k++) {  /* the forwarder meets the dead server */
            p.size = sizeof p;
            ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
            influx_sleep_ms(20);
        }
        ck_assert_msg(influx_spawn(&server) == 0, "influxd did not start again");
    }
    drain(fw, 60);
    st.size = sizeof st;
    ck_assert_int_eq(twin_influx_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 120000);
    ck_assert_uint_gt(st.retries, 0);
    ck_assert_uint_gt(st.lines_sent, 120000);  /* the failed attempts count */
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    {   /* Every sample was confirmed. A CI run once found a series short by
           two batches at once after the last restart (InfluxDB 1.x has
           undercounted after a crash: influxdata/influxdb#9052): ask again
           for up to 10 s, saying so, before the exact check fails. */
        long count[32];
        double sum[32];
        int waited = 0, i, short_by = 1;
        while (waited < 10000) {
            memset(count, 0, sizeof count);
            short_by = per_series(&server, "twin", count, sum, 32) != 20;
            for (i = 0; i < 20 && !short_by; i++) short_by = count[i] != 6000;
            if (!short_by) break;
            influx_sleep_ms(500);
            waited += 500;
        }
        if (waited)
            fprintf(stderr, "server_killed: upstream %s after %d ms more\n",
                    short_by ? "still short" : "complete", waited);
    }
    check_exact(&server, "twin", 20, 6000);
}
END_TEST

START_TEST(forwarder_killed)
{
    const char *path = sq_path(dir, "d.db");
    char url[64];
    int rounds = 0, done = 0;
    make_store(path, 10, 4000);
    while (!done) {
        pid_t pid = fork();
        int st;
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {  /* the gateway: forwards until idle */
            twin_influx_options o;
            twin_influx *fw;
            twin_sqlite *db;
            twin_influx_progress p;
            if (twin_sqlite_open(&db, path, NULL) != TWIN_OK) _exit(2);
            opts(&o, &server, url, sizeof url);
            o.batch_lines = 333;
            if (twin_influx_create(&fw, db, &o) != TWIN_OK) _exit(3);
            do {
                p.size = sizeof p;
                if (twin_influx_step(fw, 1, &p) != TWIN_OK) _exit(4);
            } while (p.state != TWIN_INFLUX_IDLE);
            twin_influx_destroy(fw);
            twin_sqlite_close(db);
            _exit(0);
        }
        influx_sleep_ms(20 + (long)(next_rand() % 150));
        if (rounds < 8) kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        if (WIFEXITED(st)) {
            ck_assert_int_eq(WEXITSTATUS(st), 0);
            done = 1;
        }
        rounds++;
    }
    ck_assert_int_ge(rounds, 2);
    check_exact(&server, "twin", 10, 4000);
}
END_TEST

/* A forwarder's process: forwards until idle, then exits 0 (or, when
   `die`, is killed by SIGKILL). */
static pid_t forwarder(const char *path, int die)
{
    char url[64];
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        twin_influx_options o;
        twin_influx *fw;
        twin_sqlite *db;
        twin_influx_progress p;
        if (twin_sqlite_open(&db, path, NULL) != TWIN_OK) _exit(2);
        opts(&o, &server, url, sizeof url);
        o.batch_lines = 100;
        if (twin_influx_create(&fw, db, &o) != TWIN_OK) _exit(3);
        do {
            p.size = sizeof p;
            if (twin_influx_step(fw, 1, &p) != TWIN_OK) _exit(4);
            if (p.state == TWIN_INFLUX_BACKOFF) influx_sleep_ms(p.wait_ms);
        } while (p.state != TWIN_INFLUX_IDLE);
        if (die) raise(SIGKILL);
        twin_influx_destroy(fw);
        twin_sqlite_close(db);
        _exit(0);
    }
    return pid;
}

/* Late samples (issue 20): after a first forward by a process killed once
   idle, the store gets samples older than the cursors (between stored
   ones), between the cursors and the newest, and one at a time it holds,
   over four signals; then forwarders killed at random moments and a last
   one that finishes. Every sample is upstream once (InfluxDB overwrites a
   point sent again), the held time with its first value. Then the log
   sent again whole (another upstream's row kept it; the place put back):
   still once upstream, and the log empty once every upstream passed it. */
/* The four series of the late-sample tests hold what count[] and sum[]
   say (sq_write_forward_late()). */
static void check_late_series(const long *count, const double *sum)
{
    long got[8];
    double gsum[8];
    memset(got, 0, sizeof got);
    ck_assert_int_eq(per_series(&server, "twin", got, gsum, 8), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(got[i] == count[i], "series %d: %ld points, want %ld", i, got[i], count[i]);
        ck_assert_msg(gsum[i] == sum[i], "series %d: sum %.17g, want %.17g", i, gsum[i], sum[i]);
    }
}

START_TEST(late_samples)
{
    const char *path = sq_path(dir, "l.db");
    long count[8];
    double sum[8];
    long late;
    int rounds = 0, done = 0, st;
    pid_t pid;
    make_store(path, 4, 1000);
    pid = forwarder(path, 1);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %d", st);
    check_exact(&server, "twin", 4, 1000);
    late = sq_write_forward_late(path, 4, 1000, 400, 0, count, sum);
    ck_assert_int_eq(late, 4 * 120 + 50 * 6);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), late);
    {   /* another upstream, which keeps the log */
        sqlite3 *c;
        ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(c, "INSERT INTO upstreams VALUES('other', 'o', 0)", NULL,
                                      NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(c);
    }
    while (!done) {
        pid = forwarder(path, 0);
        influx_sleep_ms(10 + (long)(next_rand() % 120));
        if (rounds < 6) kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        if (WIFEXITED(st)) {
            ck_assert_int_eq(WEXITSTATUS(st), 0);
            done = 1;
        }
        rounds++;
    }
    check_late_series(count, sum);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), late);
    {   /* the whole log again: every logged sample is at or before its
           cursor now */
        char url[64];
        twin_influx_options o;
        twin_influx *fw;
        twin_influx_stats fs;
        twin_sqlite *db = open_db(path);
        ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(db),
                                      "DELETE FROM upstreams WHERE cursors = 'other';"
                                      " UPDATE upstreams SET late_seq = 0",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        opts(&o, &server, url, sizeof url);
        ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
        drain(fw, 30);
        fs.size = sizeof fs;
        ck_assert_int_eq(twin_influx_get_stats(fw, &fs), TWIN_OK);
        ck_assert_uint_eq(fs.lines_sent, (uint64_t)late);
        ck_assert_uint_eq(fs.confirmed, (uint64_t)late);
        twin_influx_destroy(fw);
        twin_sqlite_close(db);
    }
    check_late_series(count, sum);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 0);
}
END_TEST

/* An upstream whose cursors come from before it registered (a forwarder of
 * libtwin 1.6, before schema 7): the late samples the store kept meanwhile
 * were logged for no one; they are logged as it registers and sent. */
START_TEST(late_samples_before_registration)
{
    const char *path = sq_path(dir, "r.db");
    long count[8];
    double sum[8];
    long late;
    int st;
    pid_t pid = 0;
    char url[64];
    twin_influx_options o;
    twin_influx *fw;
    twin_sqlite *db;
    make_store(path, 4, 1000);
    pid = forwarder(path, 1);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    check_exact(&server, "twin", 4, 1000);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM upstreams"), 1);
    {   /* as a 1.6 forwarder left it: cursors, no registration */
        sqlite3 *c;
        ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(c, "DELETE FROM upstreams", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(c);
    }
    late = sq_write_forward_late(path, 4, 1000, 400, 0, count, sum);
    ck_assert_int_gt(late, 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 0);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    check_late_series(count, sum);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 0);
}
END_TEST

START_TEST(server_stalled)
{
    const char *path = sq_path(dir, "e.db");
    char url[64];
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_progress p;
    twin_sqlite *db;
    int k;
    make_store(path, 4, 3000);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.batch_lines = 1000;
    o.request_timeout_ms = 300;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    p.size = sizeof p;
    ck_assert_int_eq(twin_influx_step(fw, 2, &p), TWIN_OK);
    influx_kill(&server, SIGSTOP);
    for (k = 0; k < 4; k++) {  /* each request times out; the step returns */
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
        if (p.requests) {
            ck_assert_int_eq(p.state, TWIN_INFLUX_BACKOFF);
            ck_assert_int_eq(p.last_http, 0);
        }
        influx_sleep_ms(p.wait_ms);
    }
    influx_kill(&server, SIGCONT);
    drain(fw, 60);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    check_exact(&server, "twin", 4, 3000);
}
END_TEST

typedef struct rejects {
    int n;
    int64_t t[8];
    char name[8][16];
    int http;
} rejects;

static void on_reject(void *ud, const twin_influx_reject *r)
{
    rejects *x = ud;
    ck_assert_int_lt(x->n, 8);
    x->t[x->n] = r->t_us;
    snprintf(x->name[x->n], sizeof x->name[0], "%s", r->name);
    ck_assert_ptr_nonnull(strstr(r->line, "value="));
    ck_assert(r->message[0] != '\0');
    x->http = r->http_status;
    x->n++;
}

START_TEST(rejected_line)
{
    const char *path = sq_path(dir, "f.db");
    char url[64], line[256];
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_stats st;
    twin_sqlite *db;
    rejects rj;
    sq x;
    int k;
    /* signals s0..s2 of 1500 samples, and s3 of 3 samples whose
       measurement ("s3", one per signal) already has value as a string */
    make_store(path, 3, 1500);
    sq_open(&x, path, 0, 1000);
    {
        twin_signal_options so;
        twin_signal h;
        ck_assert_int_eq(twin_store_add_twin(x.st, "pump-3", "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
        twin_signal_options_init(&so);
        so.unit = "gForce";
        ck_assert_int_eq(twin_ingest_add_signal(x.ing, "pump-3", "s3", &so, &h), TWIN_OK);
        for (k = 0; k < 3; k++) {
            twin_signal_sample s = {h, T0 + (100 + k * 400) * SEC, 1.0};
            size_t done;
            ck_assert_int_eq(twin_ingest_write_signals(x.ing, &s, 1, NULL, &done), TWIN_OK);
        }
    }
    sq_close(&x, 1);
    snprintf(line, sizeof line, "s3,twin=pump-3 value=\"text\" %lld", (long long)(T0 / SEC));
    ck_assert_int_eq(influx_request(&server, "POST", "/write?db=" DB "&precision=s", line,
                                    strlen(line)),
                     204);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.flags = TWIN_INFLUX_MEASUREMENT_PER_SIGNAL;
    o.batch_lines = 5000;
    memset(&rj, 0, sizeof rj);
    o.on_reject = on_reject;
    o.reject_ud = &rj;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    drain(fw, 60);
    st.size = sizeof st;
    ck_assert_int_eq(twin_influx_get_stats(fw, &st), TWIN_OK);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    ck_assert_int_eq(rj.n, 3);
    ck_assert_int_eq(rj.http, 400);
    for (k = 0; k < 3; k++) {
        ck_assert_str_eq(rj.name[k], "s3");
        ck_assert_int_eq(rj.t[k], T0 + (100 + k * 400) * SEC);
    }
    ck_assert_uint_eq(st.rejected, 3);
    ck_assert_uint_eq(st.confirmed, 4500);
    ck_assert_uint_gt(st.splits, 2);
    for (k = 0; k < 3; k++) {
        char m[8];
        long count[8];
        double sum[8];
        snprintf(m, sizeof m, "s%d", k);
        memset(count, 0, sizeof count);
        ck_assert_int_eq(per_series(&server, m, count, sum, 8), 1);
        ck_assert_int_eq(count[k], 1500);
    }
}
END_TEST

/* A full disk on the server's side (run alone: `test_influx disk_full`,
   meson test influx_disk_full): influxd's data and WAL on a small tmpfs
   (mounted by main(): skipped, 77, when it cannot mount, failed then when
   CI=true), its cache never snapshotted for being cold, so that every batch
   grows the WAL. A gateway of 20 signals forwards its first 500 samples of
   each (all its series upstream); a filler file then leaves room for 5.5
   times their WAL; the gateway stores the rest (5500 samples a signal) and
   a forwarder takes that backlog: the disk fills mid-stream.

   What influxd 1.6 does then (the test checks each point):
   - it answers the write of the batch that did not fit, and every write
     after it, HTTP 500 {"error":"engine: error writing WAL entry: write
     .../wal/fwd/autogen/1/_0000N.wal: no space left on device"}: the
     forwarder keeps its batch, backs off (never longer than retry_max_ms)
     with that answer in its progress (and in twinctl forward's progress
     line), and confirms nothing;
   - its cache took the refused batch before the WAL failed: a query counts
     those points (not durable; the forwarder sends them again, and they
     overwrite themselves), so upstream holds every confirmed sample once
     and at most the refused batches' samples, each series a prefix of its
     samples in time;
   - space freed, it goes on answering the same 500: its WAL writer keeps
     the error (influxdata/influxdb#9923); it has to be restarted. Started
     again, it holds exactly what was confirmed (the torn end of its WAL
     cut at replay), and the forwarder catches up: every sample upstream
     once, at its time with its value. */
static char disk_mnt[64];

/* The tmpfs of the full disk (main()): 16 MiB at /tmp/twin-influxdisk-*. */
static int disk_mount(void)
{
    char cmd[160];
    snprintf(disk_mnt, sizeof disk_mnt, "/tmp/twin-influxdisk-XXXXXX");
    if (!mkdtemp(disk_mnt)) return -1;
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=16m,mode=0700 tmpfs '%s' 2>/dev/null",
             disk_mnt);
    if (system(cmd) != 0) {
        rmdir(disk_mnt);
        disk_mnt[0] = '\0';
        return -1;
    }
    return 0;
}

/* Unmounted once the test's influxd is gone (a failed test's is ended by
   its parent's death: it may take a moment). */
static void disk_umount(void)
{
    char cmd[160];
    int k;
    if (!disk_mnt[0]) return;
    snprintf(cmd, sizeof cmd, "umount '%s' 2>/dev/null", disk_mnt);
    for (k = 0; k < 100 && system(cmd) != 0; k++) influx_sleep_ms(100);
    if (k == 100) fprintf(stderr, "test_influx: cannot unmount %s\n", disk_mnt);
    else rmdir(disk_mnt);
    disk_mnt[0] = '\0';
}

#define DISK_SIGS 20
#define DISK_CHUNK 500   /* samples of each signal the gateway stores at a time */
#define DISK_CHUNKS 12
#define DISK_BATCH 2000  /* lines a request */

/* The gateway: its store, written a chunk at a time. */
typedef struct disk_gw {
    sq x;
    twin_signal h[DISK_SIGS];
    int chunks;
} disk_gw;

static void disk_gw_open(disk_gw *g, const char *path)
{
    int i;
    sq_open(&g->x, path, 0, 1000);
    for (i = 0; i < DISK_SIGS; i++) {
        char twin[32], name[32];
        twin_signal_options o;
        snprintf(twin, sizeof twin, "pump-%d", i);
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_int_eq(twin_store_add_twin(g->x.st, twin, "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
        twin_signal_options_init(&o);
        o.unit = "gForce";
        ck_assert_int_eq(twin_ingest_add_signal(g->x.ing, twin, name, &o, &g->h[i]), TWIN_OK);
    }
    g->chunks = 0;
}

/* The next 500 samples of each signal (k-th: at T0 + k s, value i * 1e6 + k). */
static void disk_gw_store(disk_gw *g)
{
    twin_signal_sample b[DISK_CHUNK];
    int i, k;
    ck_assert_int_lt(g->chunks, DISK_CHUNKS);
    for (i = 0; i < DISK_SIGS; i++) {
        size_t done;
        for (k = 0; k < DISK_CHUNK; k++) {
            long j = (long)g->chunks * DISK_CHUNK + k;
            b[k].signal = g->h[i];
            b[k].t_us = T0 + j * SEC;
            b[k].value = (double)i * 1e6 + (double)j;
        }
        ck_assert_int_eq(twin_ingest_write_signals(g->x.ing, b, DISK_CHUNK, NULL, &done), TWIN_OK);
        ck_assert_uint_eq(done, DISK_CHUNK);
    }
    ck_assert_int_eq(twin_store_flush(g->x.st), TWIN_OK);
    g->chunks++;
}

/* The forwarder of the test, its store, and the samples that earlier
   forwarders of the same upstream confirmed. */
typedef struct disk_fw {
    twin_influx *fw;
    const char *path;
    uint64_t earlier;
} disk_fw;

/* Upstream against the cursors the forwarders keep in the store (this test
   has one upstream): each series pump-i holds a prefix of its samples (c
   points, values i * 1e6 + 0 .. c - 1 once each: count, min, max and sum
   agree), no shorter than the prefix its cursor says was confirmed; the
   cursors add up to what the forwarders confirmed. Returns the points
   upstream beyond the confirmed ones. */
static long disk_upstream(const disk_fw *f)
{
    long conf[DISK_SIGS], count[DISK_SIGS], extra = 0, confirmed = 0;
    double sum[DISK_SIGS], lo[DISK_SIGS], hi[DISK_SIGS];
    twin_influx_stats st;
    sqlite3 *c;
    sqlite3_stmt *q;
    char *r, *p;
    int i;
    memset(conf, 0, sizeof conf);
    memset(count, 0, sizeof count);
    ck_assert_int_eq(sqlite3_open_v2(f->path, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(c, 2000);
    ck_assert_int_eq(sqlite3_prepare_v2(c, "SELECT twin, t_us FROM twin_influx_cursors", -1, &q,
                                        NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        i = atoi((const char *)sqlite3_column_text(q, 0) + 5);
        ck_assert(i >= 0 && i < DISK_SIGS);
        conf[i] = (long)((sqlite3_column_int64(q, 1) - T0) / SEC) + 1;
    }
    sqlite3_finalize(q);
    sqlite3_close(c);
    r = query(&server, "SELECT count(value), sum(value), min(value), max(value) FROM twin"
                       " GROUP BY twin");
    for (p = r; (p = strstr(p, "\"twin\":\"pump-")); ) {
        i = atoi(p + 13);
        ck_assert(i >= 0 && i < DISK_SIGS);
        ck_assert_ptr_nonnull(p = strstr(p, "\"values\":[["));
        ck_assert_ptr_nonnull(p = strchr(p + 11, ','));  /* past the time */
        count[i] = strtol(p + 1, &p, 10);
        sum[i] = strtod(p + 1, &p);
        lo[i] = strtod(p + 1, &p);
        hi[i] = strtod(p + 1, &p);
    }
    free(r);
    for (i = 0; i < DISK_SIGS; i++) {
        double n = (double)count[i], base = (double)i * 1e6;
        ck_assert_msg(count[i] >= conf[i], "pump-%d: %ld points upstream, %ld confirmed", i,
                      count[i], conf[i]);
        ck_assert_msg(!count[i] || (lo[i] == base && hi[i] == base + n - 1 &&
                                    sum[i] == n * base + n * (n - 1) / 2),
                      "pump-%d: %ld points upstream, not its first %ld samples once each", i,
                      count[i], count[i]);
        extra += count[i] - conf[i];
        confirmed += conf[i];
    }
    st.size = sizeof st;
    ck_assert_int_eq(twin_influx_get_stats(f->fw, &st), TWIN_OK);
    ck_assert_int_eq(confirmed, (long)(f->earlier + st.confirmed));
    return extra;
}

/* Every sample upstream once, at its time with its value, series by series. */
static void disk_check_points(void)
{
    int i;
    for (i = 0; i < DISK_SIGS; i++) {
        char q[96], *r, *p;
        long k = 0;
        snprintf(q, sizeof q, "SELECT value FROM twin WHERE twin = 'pump-%d'", i);
        r = query_p(&server, "&epoch=u", q);
        p = strstr(r, "\"values\":[");
        ck_assert_msg(p != NULL, "pump-%d: %.200s", i, r);
        for (p += 10; *p == '['; k++) {
            long long t = strtoll(p + 1, &p, 10);
            double v = strtod(p + 1, &p);
            ck_assert_msg(t == T0 + k * SEC && v == (double)i * 1e6 + (double)k,
                          "pump-%d: point %ld at %lld is %.17g", i, k, t, v);
            p += 1 + (p[1] == ',');  /* "]," or "]" */
        }
        ck_assert_msg(k == (long)DISK_CHUNKS * DISK_CHUNK, "pump-%d: %ld points", i, k);
        free(r);
    }
}

/* One step (one request at most) against the full disk: backing off, the
   disk given as the reason, nothing confirmed; upstream holds no more than
   the confirmed samples and the refused batches of `tried` forwarders. */
static void disk_step_full(const disk_fw *f, int32_t retry_max, int tried, int *requests)
{
    twin_influx_progress p;
    long extra;
    p.size = sizeof p;
    ck_assert_int_eq(twin_influx_step(f->fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_INFLUX_BACKOFF);
    ck_assert_uint_eq(p.lines_confirmed, 0);
    ck_assert_int_le(p.wait_ms, retry_max);
    ck_assert_msg(strstr(p.last_message, "no space left on device"), "%s", p.last_message);
    /* InfluxDB's reason out of its JSON, on one line, with what to do */
    ck_assert_msg(!strncmp(p.last_message, "HTTP 500: engine: error writing WAL entry", 41) &&
                      !strpbrk(p.last_message, "{\n") && strstr(p.last_message, "restarted"),
                  "%s", p.last_message);
    if (p.requests) {
        ck_assert_int_eq(p.last_http, 500);
        (*requests)++;
    }
    extra = disk_upstream(f);
    ck_assert_msg(extra > 0 && extra <= (long)tried * DISK_BATCH, "%ld points unconfirmed", extra);
    influx_sleep_ms(p.wait_ms > 50 ? 50 : p.wait_ms);
}

/* twinctl forward (the TWINCTL environment variable names it) against the
   full disk for 3 s, then SIGTERM: it stops cleanly, its progress lines
   give the reason, and it forwarded nothing. Returns 1 when it ran. (One
   SIGTERM, to twinctl alone: without --foreground, timeout sends a second
   one to its process group, and twinctl's handler, installed by signal(),
   is one-shot in this build: the second kills it.) */
static int disk_twinctl(const char *path)
{
    const char *tw = getenv("TWINCTL");
    char cmd[1024], log[160], line[1024], out[256] = "";
    FILE *f;
    int reason = 0, done = 0, st;
    if (!tw) return 0;  /* run by hand, without meson's environment */
    snprintf(log, sizeof log, "%s/forward.err", dir);
    snprintf(cmd, sizeof cmd,
             "timeout --foreground --preserve-status -s TERM 3 '%s' forward"
             " --influx http://127.0.0.1:%d --db " DB " -d '%s' --batch %d 2>'%s'",
             tw, server.port, path, DISK_BATCH, log);
    ck_assert_ptr_nonnull(f = popen(cmd, "r"));
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "forwarded 0 samples", 19)) done = 1;
        snprintf(out, sizeof out, "%.200s", line);
    }
    st = pclose(f);  /* twinctl's own */
    ck_assert_ptr_nonnull(f = fopen(log, "r"));
    if (!done || st != 0) {
        while (fgets(line, sizeof line, f)) fprintf(stderr, "twinctl: %s", line);
        ck_abort_msg("twinctl forward did not stop cleanly with nothing forwarded (status %d): %s",
                     st, out);
    }
    while (fgets(line, sizeof line, f))
        if (!reason && strstr(line, ", retrying: HTTP 500") &&
            strstr(line, "no space left on device")) {
            fprintf(stderr, "test_influx: twinctl: %s", line);
            reason = 1;
        }
    fclose(f);
    ck_assert_msg(reason, "no progress line of twinctl gives the full disk as the reason");
    return 1;
}

static double disk_secs(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(server_disk_full)
{
    const long total = (long)DISK_SIGS * DISK_CHUNK * DISK_CHUNKS;
    char path[256], cmd[1024], url[64], filler[96], wal[96];
    twin_influx_options o;
    disk_fw f;
    twin_influx_progress p;
    twin_influx_stats st;
    twin_sqlite *db;
    struct timespec t0;
    struct statvfs vfs;
    disk_gw g;
    uint64_t before, room, avail;
    long extra;
    int requests = 0, freed = 0, tried = 1, fd;
    snprintf(path, sizeof path, "%s", sq_path(dir, "h.db"));
    f.path = path;
    f.earlier = 0;
    snprintf(filler, sizeof filler, "%s/filler", disk_mnt);
    snprintf(wal, sizeof wal, "%s/wal", disk_mnt);
    /* influxd's data and WAL onto the tmpfs, its cache kept however cold */
    influx_kill(&server, SIGTERM);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mkdir -p data wal && mv data wal '%s'/ && ln -s '%s'/data data &&"
             " ln -s '%s'/wal wal &&"
             " sed -i 's/-cold-duration = \"1s\"/-cold-duration = \"1h\"/' influxdb.conf",
             server.dir, disk_mnt, disk_mnt, disk_mnt);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_msg(influx_spawn(&server) == 0, "influxd did not start on the tmpfs");
    /* the gateway forwards its first 500 samples of each signal: all its
       series upstream, the size of their WAL measured */
    disk_gw_open(&g, path);
    disk_gw_store(&g);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.batch_lines = DISK_BATCH;
    o.retry_max_ms = 200;
    o.request_timeout_ms = 5000;
    ck_assert_int_eq(twin_influx_create(&f.fw, db, &o), TWIN_OK);
    do {
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(f.fw, 1, &p), TWIN_OK);
        ck_assert_int_ne(p.state, TWIN_INFLUX_BACKOFF);
        ck_assert_int_eq(disk_upstream(&f), 0);
    } while (p.state != TWIN_INFLUX_IDLE);
    st.size = sizeof st;
    ck_assert_int_eq(twin_influx_get_stats(f.fw, &st), TWIN_OK);
    f.earlier = st.confirmed;
    twin_influx_destroy(f.fw);
    /* the filler leaves room for 5.5 times that WAL; the gateway stores the
       rest of its stream (11 chunks) */
    room = influx_du(wal) * 11 / 2;
    ck_assert_int_eq(statvfs(disk_mnt, &vfs), 0);
    avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    ck_assert_msg(avail > room + (1 << 20), "the tmpfs is too small: %llu bytes free",
                  (unsigned long long)avail);
    ck_assert_int_ge(fd = open(filler, O_WRONLY | O_CREAT | O_EXCL, 0600), 0);
    ck_assert_int_eq(posix_fallocate(fd, 0, (off_t)(avail - room)), 0);
    close(fd);
    while (g.chunks < DISK_CHUNKS) disk_gw_store(&g);
    sq_close(&g.x, 1);
    /* a forwarder takes the backlog (the gateway started again), upstream
       checked after every request, until the disk is full (a minute at most) */
    ck_assert_int_eq(twin_influx_create(&f.fw, db, &o), TWIN_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(f.fw, 1, &p), TWIN_OK);
        extra = disk_upstream(&f);
        if (p.state == TWIN_INFLUX_BACKOFF) break;
        ck_assert_int_eq(extra, 0);
        ck_assert_msg(p.state != TWIN_INFLUX_IDLE, "everything fitted: the filler is too small");
        ck_assert_msg(disk_secs(&t0) < 60, "the disk did not fill up");
    }
    /* full mid-stream */
    ck_assert_int_eq(p.last_http, 500);
    ck_assert_msg(strstr(p.last_message, "no space left on device"), "%s", p.last_message);
    ck_assert_int_eq(twin_influx_get_stats(f.fw, &st), TWIN_OK);
    before = f.earlier + st.confirmed;
    fprintf(stderr, "test_influx: disk full after %llu of %ld samples: %s",
            (unsigned long long)before, total, p.last_message);
    ck_assert_uint_ge(before, (uint64_t)total / 4);
    ck_assert_uint_le(before, (uint64_t)total * 3 / 4);
    ck_assert_msg(extra > 0 && extra <= DISK_BATCH, "%ld points unconfirmed", extra);
    /* 2 s more: the forwarder backs off, confirms nothing */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (disk_secs(&t0) < 2) disk_step_full(&f, o.retry_max_ms, tried, &requests);
    ck_assert_int_ge(requests, 2);
    if (disk_twinctl(path)) tried++;
    /* space freed: influxd 1.6 still refuses every write */
    ck_assert_int_eq(unlink(filler), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (disk_secs(&t0) < 2) disk_step_full(&f, o.retry_max_ms, tried, &freed);
    ck_assert_int_ge(freed, 2);
    ck_assert_int_eq(twin_influx_get_stats(f.fw, &st), TWIN_OK);
    ck_assert_uint_eq(f.earlier + st.confirmed, before);
    ck_assert_uint_ge(st.retries, (uint64_t)(1 + requests + freed));
    ck_assert_uint_eq(st.rejected, 0);
    /* influxd restarted: exactly what was confirmed */
    influx_kill(&server, SIGTERM);
    ck_assert_msg(influx_spawn(&server) == 0, "influxd did not start again");
    ck_assert_int_eq(disk_upstream(&f), 0);
    /* the forwarder catches up, upstream checked after every request */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(f.fw, 1, &p), TWIN_OK);
        ck_assert_int_eq(disk_upstream(&f), 0);
        if (p.state == TWIN_INFLUX_BACKOFF) influx_sleep_ms(p.wait_ms > 50 ? 50 : p.wait_ms);
        ck_assert_msg(disk_secs(&t0) < 60, "not caught up: %s", p.last_message);
    } while (p.state != TWIN_INFLUX_IDLE);
    ck_assert_int_eq(twin_influx_get_stats(f.fw, &st), TWIN_OK);
    ck_assert_uint_eq(f.earlier + st.confirmed, (uint64_t)total);
    ck_assert_uint_eq(st.rejected, 0);
    twin_influx_destroy(f.fw);
    twin_sqlite_close(db);
    disk_check_points();
}
END_TEST

/* twinctl forward (the TWINCTL environment variable names it): everything
   sent, then nothing the second time. */
START_TEST(twinctl_forward)
{
    const char *tw = getenv("TWINCTL");
    const char *path;
    char cmd[1024], out[256];
    FILE *f;
    int k;
    if (!tw) return;  /* run by hand, without meson's environment */
    path = sq_path(dir, "g.db");
    make_store(path, 3, 500);
    for (k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "'%s' forward --influx http://127.0.0.1:%d --db " DB
                 " -d '%s' --batch 400 -q",
                 tw, server.port, path);
        ck_assert_ptr_nonnull(f = popen(cmd, "r"));
        ck_assert_ptr_nonnull(fgets(out, sizeof out, f));
        ck_assert_int_eq(pclose(f), 0);
        ck_assert_msg(!strncmp(out, k ? "forwarded 0 samples" : "forwarded 1500 samples",
                               k ? 19 : 22), "%s", out);
    }
    check_exact(&server, "twin", 3, 500);
}
END_TEST

/* https: an influxd with a certificate of a CA the test makes (openssl);
   refused against the system's CAs, forwarded with the CA given. */
START_TEST(tls)
{
    const char *d = sq_tmpdir(), *path;
    char cmd[2048], ca[128], cert[128], key[128], url[64], q[256];
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_progress p;
    twin_sqlite *db;
    influx x;
    int k, ok = 0;
    snprintf(ca, sizeof ca, "%s/ca.pem", d);
    snprintf(cert, sizeof cert, "%s/server.pem", d);
    snprintf(key, sizeof key, "%s/server.key", d);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext &&"
             " openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1"
             " -subj /CN=test-ca 2>/dev/null &&"
             " openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
             " -subj /CN=127.0.0.1 2>/dev/null &&"
             " openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
             " -out server.pem -days 1 -extfile san.ext 2>/dev/null",
             d);
    if (system("command -v openssl >/dev/null 2>&1") != 0) {
        ck_assert_msg(!getenv("CI") || strcmp(getenv("CI"), "true"), "no openssl");
        sq_rmdir(d);
        return;
    }
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_msg(influx_start_tls(&x, cert, key) == 0, "influxd (https) did not start");
    snprintf(url, sizeof url, "https://127.0.0.1:%d", x.port);
    for (k = 0; k < 50 && !ok; k++) {  /* CREATE DATABASE over https */
        CURL *c = curl_easy_init();
        long code = 0;
        snprintf(q, sizeof q, "%s/query?q=CREATE%%20DATABASE%%20" DB, url);
        curl_easy_setopt(c, CURLOPT_URL, q);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data_sink);
        if (curl_easy_perform(c) == CURLE_OK) {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
            ok = code == 200;
        }
        curl_easy_cleanup(c);
        if (!ok) influx_sleep_ms(100);
    }
    ck_assert(ok);
    path = sq_path(d, "t.db");
    make_store(path, 2, 1000);
    db = open_db(path);
    twin_influx_options_init(&o);
    o.url = url;
    o.db = DB;
    o.retry_initial_ms = 20;
    o.retry_max_ms = 100;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    p.size = sizeof p;
    ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_INFLUX_BACKOFF);  /* not a CA of the system */
    ck_assert_int_eq(p.last_http, 0);
    ck_assert_msg(strstr(p.last_message, "certificate") || strstr(p.last_message, "SSL"), "%s",
                  p.last_message);
    twin_influx_destroy(fw);
    o.ca_file = ca;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    {
        CURL *c = curl_easy_init();
        body b = {NULL, 0};
        char *e = curl_easy_escape(c, "SELECT count(value) FROM twin", 0);
        snprintf(q, sizeof q, "%s/query?db=" DB "&q=%s", url, e);
        curl_free(e);
        curl_easy_setopt(c, CURLOPT_URL, q);
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
        curl_easy_cleanup(c);
        ck_assert_msg(b.p && strstr(b.p, ",2000]"), "%s", b.p ? b.p : "");
        free(b.p);
    }
    influx_stop(&x);
    sq_rmdir(d);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s = suite_create("influx");
    TCase *tc = tcase_create("influxd");
    SRunner *sr;
    const char *ci = getenv("CI");
    int failed, in_ci = ci && !strcmp(ci, "true"), disk = argc > 1 && !strcmp(argv[1], "disk_full");
    if (system("command -v influxd >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_influx: no influxd on the PATH (Debian's influxdb)\n");
        return in_ci ? 1 : 77;
    }
    if (disk && disk_mount() != 0) {
        fprintf(stderr, "test_influx: cannot mount a tmpfs (needs root): disk_full %s\n",
                in_ci ? "failed (CI=true)" : "skipped");
        return in_ci ? 1 : 77;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    if (disk) {
        tcase_add_test(tc, server_disk_full);
    } else {
        tcase_add_test(tc, forward_and_count);
        tcase_add_test(tc, follows_new_samples);
        tcase_add_test(tc, bad_options);
        tcase_add_test(tc, server_killed);
        tcase_add_test(tc, forwarder_killed);
        tcase_add_test(tc, server_stalled);
        tcase_add_test(tc, late_samples);
        tcase_add_test(tc, late_samples_before_registration);
        tcase_add_test(tc, rejected_line);
        tcase_add_test(tc, twinctl_forward);
    }
    suite_add_tcase(s, tc);
    if (!disk) {
        tc = tcase_create("tls");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, tls);
        suite_add_tcase(s, tc);
    }
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    disk_umount();
    return failed ? 1 : 0;
}
