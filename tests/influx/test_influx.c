/* libtwin-influx against a real InfluxDB 1.6 (Debian's influxd, started by
 * tests/support/influxd.h on free ports in a temporary directory and stopped
 * by its PID): a store forwarded and counted upstream by query; the server
 * killed and started again mid-stream; the forwarder's process killed and
 * started again; the server paused (SIGSTOP) and resumed; a rejected line
 * found by bisection. After each, every sample is upstream exactly once (a
 * count and a sum of values per series). Skipped (77) without influxd,
 * failed then when CI=true. */
#include <twin/influx.h>

#include "../sqlite/sq_fixture.h"
#include "../support/influxd.h"

#include <check.h>
#include <curl/curl.h>
#include <sqlite3.h>

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

/* A query's JSON answer (malloc'ed). */
static char *query(const influx *ix, const char *q)
{
    CURL *c = curl_easy_init();
    char url[1024];
    char *e = curl_easy_escape(c, q, 0);
    body b = {NULL, 0};
    long code = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/query?db=" DB "&q=%s", ix->port, e);
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
    char cmd[160];
    snprintf(cmd, sizeof cmd, "mountpoint -q '%s/disk' 2>/dev/null && umount '%s/disk'", dir, dir);
    influx_kill(&server, SIGCONT);
    influx_kill(&server, SIGTERM);
    if (system(cmd) != 0) { /* not mounted: nothing to do */ }
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
START_TEST(late_samples)
{
    const char *path = sq_path(dir, "l.db");
    long count[8], got[8];
    double sum[8], gsum[8];
    long late;
    int rounds = 0, done = 0, st, i;
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
    memset(got, 0, sizeof got);
    ck_assert_int_eq(per_series(&server, "twin", got, gsum, 8), 4);
    for (i = 0; i < 4; i++) {
        ck_assert_msg(got[i] == count[i], "series %d: %ld points, want %ld", i, got[i], count[i]);
        ck_assert_msg(gsum[i] == sum[i], "series %d: sum %.17g, want %.17g", i, gsum[i], sum[i]);
    }
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
    memset(got, 0, sizeof got);
    ck_assert_int_eq(per_series(&server, "twin", got, gsum, 8), 4);
    for (i = 0; i < 4; i++) {
        ck_assert_msg(got[i] == count[i], "series %d: %ld points, want %ld", i, got[i], count[i]);
        ck_assert_msg(gsum[i] == sum[i], "series %d: sum %.17g, want %.17g", i, gsum[i], sum[i]);
    }
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

/* A full disk on the server's side: influxd's data and WAL moved onto a
   small tmpfs (needs the right to mount: skipped without it), filled up
   but for a few KiB. The forwarder keeps its batch and backs off (influxd
   may even die of it: then it is started again) until space is freed; then
   every sample is upstream exactly once. */
START_TEST(server_disk_full)
{
    const char *path = sq_path(dir, "h.db");
    char mnt[128], cmd[1024], url[64];
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_progress p;
    twin_influx_stats st;
    twin_sqlite *db;
    struct timespec t0, t1;
    int k, status;
    snprintf(mnt, sizeof mnt, "%s/disk", dir);
    ck_assert_int_eq(mkdir(mnt, 0755), 0);
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=24m tmpfs '%s' 2>/dev/null", mnt);
    if (system(cmd) != 0) {
        fprintf(stderr, "test_influx: cannot mount a tmpfs: server_disk_full skipped\n");
        return;
    }
    influx_kill(&server, SIGTERM);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mkdir -p data wal && mv data wal '%s'/ && ln -s '%s'/data data && ln -s '%s'/wal wal &&"
             " { dd if=/dev/zero of='%s'/fill bs=64k 2>/dev/null; true; } &&"
             " truncate -s -16k '%s'/fill",
             server.dir, mnt, mnt, mnt, mnt, mnt);
    status = system(cmd);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "moving influxd onto the tmpfs");
    if (influx_spawn(&server) != 0) {  /* it may not even start: free a little */
        snprintf(cmd, sizeof cmd, "truncate -s -1m '%s'/fill", mnt);
        ck_assert_int_eq(system(cmd), 0);
        ck_assert_msg(influx_spawn(&server) == 0, "influxd did not start on the tmpfs");
    }
    make_store(path, 20, 6000);
    db = open_db(path);
    opts(&o, &server, url, sizeof url);
    o.batch_lines = 5000;
    o.retry_max_ms = 100;
    o.request_timeout_ms = 1000;
    ck_assert_int_eq(twin_influx_create(&fw, db, &o), TWIN_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (k = 0;; k++) {  /* 3 s against a full disk */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec >= 3) break;
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
        ck_assert_int_ne(p.state, TWIN_INFLUX_IDLE);
        if (server.pid > 0 && waitpid(server.pid, &status, WNOHANG) == server.pid) server.pid = 0;
        influx_sleep_ms(50);
    }
    st.size = sizeof st;
    ck_assert_int_eq(twin_influx_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_lt(st.confirmed, 120000);
    ck_assert_uint_gt(st.retries, 0);
    ck_assert_uint_eq(st.rejected, 0);
    fprintf(stderr, "test_influx: disk full: %llu of 120000 confirmed, %llu retries, last: %s\n",
            (unsigned long long)st.confirmed, (unsigned long long)st.retries, p.last_message);
    snprintf(cmd, sizeof cmd, "rm -f '%s'/fill", mnt);
    ck_assert_int_eq(system(cmd), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (k = 0; server.pid > 0; k++) {  /* up to 8 s for influxd to recover */
        uint64_t before = st.confirmed;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec >= 8) {
            k = -1;
            break;
        }
        p.size = sizeof p;
        ck_assert_int_eq(twin_influx_step(fw, 1, &p), TWIN_OK);
        ck_assert_int_eq(twin_influx_get_stats(fw, &st), TWIN_OK);
        if (st.confirmed > before || p.state == TWIN_INFLUX_IDLE) break;
        influx_sleep_ms(100);
    }
    if (k < 0 || server.pid == 0) {
        /* influxd 1.6 stays stuck (or died) after ENOSPC: started again */
        fprintf(stderr, "test_influx: disk full: influxd %s, started again\n",
                server.pid ? "did not recover" : "died");
        influx_kill(&server, SIGKILL);
        ck_assert_msg(influx_spawn(&server) == 0, "influxd did not start again");
    }
    drain(fw, 60);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    check_exact(&server, "twin", 20, 6000);
    influx_kill(&server, SIGTERM);
    snprintf(cmd, sizeof cmd, "umount '%s'", mnt);
    ck_assert_int_eq(system(cmd), 0);
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

int main(void)
{
    Suite *s = suite_create("influx");
    TCase *tc = tcase_create("influxd");
    SRunner *sr;
    int failed;
    if (system("command -v influxd >/dev/null 2>&1") != 0) {
        const char *ci = getenv("CI");
        fprintf(stderr, "test_influx: no influxd on the PATH (Debian's influxdb)\n");
        return ci && !strcmp(ci, "true") ? 1 : 77;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, forward_and_count);
    tcase_add_test(tc, bad_options);
    tcase_add_test(tc, server_killed);
    tcase_add_test(tc, forwarder_killed);
    tcase_add_test(tc, server_stalled);
    tcase_add_test(tc, late_samples);
    tcase_add_test(tc, rejected_line);
    tcase_add_test(tc, twinctl_forward);
    tcase_add_test(tc, server_disk_full);
    suite_add_tcase(s, tc);
    tc = tcase_create("tls");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tls);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
