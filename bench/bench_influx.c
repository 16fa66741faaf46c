/* libtwin-influx: points per second forwarded from a SQLite store into a
 * real InfluxDB 1.6, beside a bare libcurl client writing the same batches.
 *
 *     bench_influx [SIGNALS [SECONDS [BATCH]]]   default 1000 signals, 1200 s, 5000
 *
 * A store of SIGNALS signals (one per twin) at 1 Hz for SECONDS seconds
 * (telemetry quantised to 0.01, as an ADC reading in engineering units) is
 * written first (not timed). Then, against one influxd started on
 * 127.0.0.1 in a temporary directory (tests/support/influxd.h):
 * - forward: twin_influx_step() until idle, into database `fwd`: reading
 *   the store, formatting the lines, gzip (level 1), the POSTs, the cursor
 *   commits; influx_forward_points_per_s.
 * - bare: one libcurl easy handle posting, into database `bare`, the same
 *   lines (the same measurement, tags, field and times, from the samples in
 *   memory, in the same batches: a signal's samples in order, BATCH lines a
 *   request), gzip level 1 too; influx_forward_vs_bare is forward over bare
 *   (points per second), target >= 0.8.
 * Both wait for each answer before the next request (one connection). The
 * forwarder runs first; BENCH_INFLUX_BARE_FIRST=1 runs the bare client first
 * (the second writer meets a server with more data and compactions running).
 * forward_catchup_s: the 24-hour backlog of a 1,000-signal gateway at 1 Hz
 * (86.4 million samples) at the measured forwarding rate, extrapolated from
 * the fraction measured (SIGNALS x SECONDS of it; printed). Checks the
 * counts upstream by query. */
#include <twin/twin.h>
#include <twin/sqlite.h>
#include <twin/influx.h>
#include <curl/curl.h>
#include <zlib.h>

#include "bench_util.h"
#include "../tests/support/influxd.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000000000LL

static double value_of(long sig, long k)
{
    double v = 20.0 + 5.0 * sin((double)k / 600.0 + (double)sig) +
               0.03 * (double)((sig * 7919 + k * 104729) % 7 - 3);
    return round(v * 100.0) / 100.0;
}

static influx *live;  /* the server, stopped by die() */

static void die(const char *what)
{
    fprintf(stderr, "bench_influx: %s\n", what);
    if (live) influx_stop(live);
    exit(1);
}

static void make_store(const char *path, long nsig, long secs)
{
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_signal *h = malloc((size_t)nsig * sizeof *h);
    twin_signal_sample *b = malloc((size_t)nsig * 10 * sizeof *b);
    long i, k;
    if (!h || !b) die("out of memory");
    if (twin_sqlite_open(&db, path, NULL) != TWIN_OK || twin_graph_create(&g, NULL) != TWIN_OK ||
        twin_sqlite_callbacks(db, &cb) != TWIN_OK)
        die("cannot open the store");
    twin_store_options_init(&so);
    so.callbacks = &cb;
    if (twin_store_create(&st, g, &so) != TWIN_OK) die("store");
    twin_ingest_options_init(&io);
    io.store = st;
    if (twin_ingest_create(&ing, g, &io) != TWIN_OK) die("ingest");
    for (i = 0; i < nsig; i++) {
        char twin[32];
        twin_signal_options o;
        snprintf(twin, sizeof twin, "pump-%05ld", i);
        twin_signal_options_init(&o);
        o.unit = "degreeCelsius";
        if (twin_store_add_twin(st, twin, "dtmi:bench:Pump;1", NULL, 0) != TWIN_OK ||
            twin_ingest_add_signal(ing, twin, "temperature", &o, &h[i]) != TWIN_OK)
            die("signal");
        if (i % 1000 == 999 && twin_store_flush(st) != TWIN_OK) die("flush");
    }
    for (k = 0; k < secs; k += 10) {
        size_t m = 0, done;
        long j;
        for (j = k; j < k + 10 && j < secs; j++)
            for (i = 0; i < nsig; i++) {
                b[m].signal = h[i];
                b[m].t_us = T0 + j * 1000000LL;
                b[m].value = value_of(i, j);
                m++;
            }
        if (twin_ingest_write_signals(ing, b, m, NULL, &done) != TWIN_OK || done != m ||
            twin_store_flush(st) != TWIN_OK)
            die("write");
    }
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    free(h);
    free(b);
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

/* The bare client: the same lines, batches and compression; seconds. */
static double bare(const influx *ix, long nsig, long secs, long batch)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hd = NULL;
    char url[128];
    char *text = malloc((size_t)batch * 160);
    unsigned char *gz;
    size_t len = 0, gzcap;
    long lines = 0, i, k;
    z_stream zs;
    double t0;
    if (!c || !text) die("bare: out of memory");
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) die("zlib");
    gzcap = deflateBound(&zs, (uLong)batch * 160) + 64;
    if (!(gz = malloc(gzcap))) die("bare: out of memory");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/write?db=bare&precision=u", ix->port);
    hd = curl_slist_append(hd, "Content-Type: text/plain; charset=utf-8");
    hd = curl_slist_append(hd, "Content-Encoding: gzip");
    hd = curl_slist_append(hd, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    t0 = bench_now_s();
    for (i = 0; i < nsig; i++) {
        char prefix[160];
        int pl = snprintf(prefix, sizeof prefix,
                          "twin,model=dtmi:bench:Pump;1,twin=pump-%05ld,signal=temperature,"
                          "unit=degreeCelsius ",
                          i);
        for (k = 0; k < secs; k++) {
            memcpy(text + len, prefix, (size_t)pl);
            len += (size_t)pl;
            len += (size_t)snprintf(text + len, 64, "value=%.17g %lld\n", value_of(i, k),
                                    (long long)(T0 + k * 1000000LL));
            if (++lines == batch || (i == nsig - 1 && k == secs - 1)) {
                long code = 0;
                deflateReset(&zs);
                zs.next_in = (Bytef *)text;
                zs.avail_in = (uInt)len;
                zs.next_out = gz;
                zs.avail_out = (uInt)gzcap;
                if (deflate(&zs, Z_FINISH) != Z_STREAM_END) die("gzip");
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, gz);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(gzcap - zs.avail_out));
                if (curl_easy_perform(c) != CURLE_OK) die("bare: request failed");
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
                if (code != 204) {
                    fprintf(stderr, "bench_influx: bare: HTTP %ld\n", code);
                    die("bare: write refused");
                }
                lines = 0;
                len = 0;
            }
        }
    }
    t0 = bench_now_s() - t0;
    deflateEnd(&zs);
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
    free(text);
    free(gz);
    return t0;
}

static size_t grab(char *p, size_t sz, size_t n, void *ud)
{
    char *b = ud;
    size_t have = strlen(b), k = sz * n;
    if (have + k < 4095) {
        memcpy(b + have, p, k);
        b[have + k] = '\0';
    }
    return k;
}

/* SELECT count(value) FROM twin in database name. */
static long long count_upstream(const influx *ix, const char *name)
{
    CURL *c = curl_easy_init();
    char url[256], body[4096] = "", *v;
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/query?db=%s&q=SELECT%%20count(value)%%20FROM%%20twin", ix->port,
             name);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grab);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    if (curl_easy_perform(c) != CURLE_OK) die("query failed");
    curl_easy_cleanup(c);
    v = strstr(body, "\"values\":[[");
    if (!v || !(v = strchr(v + 11, ','))) return -1;
    return atoll(v + 1);
}

int main(int argc, char **argv)
{
    long nsig = argc > 1 ? atol(argv[1]) : 1000, secs = argc > 2 ? atol(argv[2]) : 1200;
    long batch = argc > 3 ? atol(argv[3]) : 5000;
    char dir[64] = "/tmp/bench-influx-XXXXXX", path[128], url[64], cmd[160];
    twin_sqlite *db;
    twin_influx *fw;
    twin_influx_options o;
    twin_influx_progress p;
    twin_influx_stats st;
    influx ix;
    double tf, tb = 0, n, pps, bare_pps, t;
    int bare_first = getenv("BENCH_INFLUX_BARE_FIRST") != NULL;
    if (nsig < 1 || secs < 1 || batch < 1) die("usage: bench_influx [SIGNALS [SECONDS [BATCH]]]");
    if (system("command -v influxd >/dev/null 2>&1") != 0) {
        printf("bench_influx: no influxd on the PATH (Debian's influxdb): skipped\n");
        return 0;
    }
    n = (double)nsig * (double)secs;
    if (!mkdtemp(dir)) die("mkdtemp");
    snprintf(path, sizeof path, "%s/store.db", dir);
    t = bench_now_s();
    make_store(path, nsig, secs);
    printf("store: %ld signals x %ld s = %.0f samples, written in %.1f s\n", nsig, secs, n,
           bench_now_s() - t);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    live = &ix;
    if (influx_start(&ix) != 0 || influx_create_db(&ix, "fwd") != 0 ||
        influx_create_db(&ix, "bare") != 0)
        die("influxd did not start");

    if (bare_first) tb = bare(&ix, nsig, secs, batch);
    if (twin_sqlite_open(&db, path, NULL) != TWIN_OK) die("open");
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ix.port);
    twin_influx_options_init(&o);
    o.url = url;
    o.db = "fwd";
    o.batch_lines = (uint32_t)batch;
    if (twin_influx_create(&fw, db, &o) != TWIN_OK) die("twin_influx_create");
    t = bench_now_s();
    do {
        p.size = sizeof p;
        if (twin_influx_step(fw, 16, &p) != TWIN_OK) die(twin_influx_last_error(fw)->message);
        if (p.state == TWIN_INFLUX_BACKOFF) die(p.last_message);
    } while (p.state != TWIN_INFLUX_IDLE);
    tf = bench_now_s() - t;
    st.size = sizeof st;
    twin_influx_get_stats(fw, &st);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);

    if (!bare_first) tb = bare(&ix, nsig, secs, batch);
    if (count_upstream(&ix, "fwd") != (long long)n || count_upstream(&ix, "bare") != (long long)n)
        die("the counts upstream differ from the samples");
    influx_stop(&ix);
    live = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_influx: cannot remove %s\n", dir);
    curl_global_cleanup();

    pps = n / tf;
    bare_pps = n / tb;
    printf("\n%-34s %14s %14s\n", "into InfluxDB 1.6 (one connection)", "seconds", "points/s");
    printf("%-34s %14.2f %14.0f\n", "twin_influx (store -> upstream)", tf, pps);
    printf("%-34s %14.2f %14.0f\n", "bare libcurl, same batches", tb, bare_pps);
    printf("requests %llu, %.1f bytes a line, gzip to %.1f%%\n", (unsigned long long)st.requests,
           (double)st.bytes_raw / (double)st.lines_sent,
           100.0 * (double)st.bytes_sent / (double)st.bytes_raw);
    printf("catch-up of 24 h x 1000 signals at 1 Hz (86.4 M samples), extrapolated from %.2f%% of "
           "it: %.0f s\n\n",
           100.0 * n / 86.4e6, 86.4e6 / pps);
    printf("bench: influx_forward_points_per_s %.0f points/s\n", pps);
    printf("bench: influx_bare_points_per_s %.0f points/s\n", bare_pps);
    printf("bench: influx_forward_vs_bare %.3f ratio\n", pps / bare_pps);
    printf("bench: forward_catchup_s %.0f s\n", 86.4e6 / pps);
    return 0;
}
