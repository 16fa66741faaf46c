/* twinctl forward: the store's samples to InfluxDB (libtwin-influx), with a
   progress line. Built without libtwin-influx (no libcurl), the command
   says so. */
#include "cli.h"

#include <string.h>

#ifdef TWINCTL_HAVE_INFLUX
#include <twin/influx.h>

#include <signal.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Usage: twinctl forward --influx URL --db NAME [OPTIONS]\n"
    "\n"
    "Forward the store's samples to InfluxDB (line protocol over HTTP, gzip),\n"
    "from where this upstream last confirmed: the cursors are kept in the\n"
    "store (table twin_influx_cursors), so a forward interrupted at any point\n"
    "resumes there, and InfluxDB overwrites what is sent twice. Without\n"
    "--follow, stops when everything is sent. A progress line on stderr every\n"
    "second: the backlog, the rate, the lag of the most behind signal. Lines\n"
    "InfluxDB rejects (e.g. a field type conflict) are found by splitting the\n"
    "batch, reported on stderr and passed over. See twin/influx.h for the\n"
    "schema (measurement twin, tags model, twin, signal, unit; field value).\n"
    "\n"
    "Options:\n"
    "  --influx URL        InfluxDB's base URL, e.g. http://127.0.0.1:8086\n"
    "  --db NAME           the database (1.x) or bucket (--v2)\n"
    "  -d, --store DB      the store (default: ./twin.db)\n"
    "  --v2                the 2.x-compatible path /api/v2/write\n"
    "  --org ORG           the organisation (--v2)\n"
    "  --token TOKEN       sent as 'Authorization: Token TOKEN'\n"
    "  --ca-file FILE      https: the CA certificates (PEM) that verify the server\n"
    "  --measurement-per-signal   the signal's name as the measurement\n"
    "  --precision P       us (default), ns, ms or s\n"
    "  --batch N           lines a request (default 5000)\n"
    "  --follow            keep forwarding new samples until interrupted\n"
    "  -q, --quiet         no progress line\n"
    "  -h, --help          show this help\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_reject(void *ud, const twin_influx_reject *r)
{
    (void)ud;
    fprintf(stderr, "\ntwinctl forward: rejected (HTTP %d) %s/%s at %lld us: %s\n", r->http_status,
            r->twin_id, r->name, (long long)r->t_us, r->message);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void progress(twin_influx *fw, const twin_influx_progress *p, double rate, int tty)
{
    twin_influx_backlog_info b;
    twin_influx_stats st;
    b.size = sizeof b;
    st.size = sizeof st;
    if (twin_influx_backlog(fw, &b) != TWIN_OK || twin_influx_get_stats(fw, &st) != TWIN_OK)
        return;
    fprintf(stderr, "%sforward: backlog %llu samples (%llu signals), %.0f samples/s, lag %.1f s,"
                    " sent %llu, rejected %llu%s%s%s",
            tty ? "\r" : "", (unsigned long long)b.samples, (unsigned long long)b.signals, rate,
            (double)b.lag_us / 1e6, (unsigned long long)st.confirmed,
            (unsigned long long)st.rejected, p->state == TWIN_INFLUX_BACKOFF ? ", retrying: " : "",
            p->state == TWIN_INFLUX_BACKOFF ? p->last_message : "", tty ? "\033[K" : "\n");
}

int cmd_forward(int argc, char **argv)
{
    const char *url = NULL, *name = NULL, *store = "twin.db", *org = NULL, *token = NULL;
    const char *prec = "us", *v, *ca = NULL;
    unsigned long batch = 5000;
    int follow = 0, quiet = 0, i, r, tty, rc = 0;
    uint32_t flags = 0;
    twin_sqlite_options so;
    twin_sqlite *db;
    twin_influx_options o;
    twin_influx *fw;
    twin_influx_progress p;
    twin_influx_stats st;
    twin_status s;
    double t0, last, last_n = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if (strcmp(a, "--v2") == 0) {
            flags |= TWIN_INFLUX_API_V2;
        } else if (strcmp(a, "--measurement-per-signal") == 0) {
            flags |= TWIN_INFLUX_MEASUREMENT_PER_SIGNAL;
        } else if (strcmp(a, "--follow") == 0) {
            follow = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--influx", NULL, &url)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--db", NULL, &name)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--store", "-d", &store)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--org", NULL, &org)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--token", NULL, &token)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--ca-file", NULL, &ca)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--precision", NULL, &prec)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--batch", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 1, 1000000, &batch) != 0)
                return cli_usage(argv[0], "--batch: a number of lines from 1 to 1000000");
        } else {
            return cli_usage(argv[0], "unknown argument '%s'", a);
        }
    }
    if (!url || !name) return cli_usage(argv[0], "--influx URL and --db NAME are needed");
    twin_influx_options_init(&o);
    if (strcmp(prec, "us") == 0)
        o.precision = TWIN_INFLUX_PRECISION_US;
    else if (strcmp(prec, "ns") == 0)
        o.precision = TWIN_INFLUX_PRECISION_NS;
    else if (strcmp(prec, "ms") == 0)
        o.precision = TWIN_INFLUX_PRECISION_MS;
    else if (strcmp(prec, "s") == 0)
        o.precision = TWIN_INFLUX_PRECISION_S;
    else
        return cli_usage(argv[0], "--precision: us, ns, ms or s");

    twin_sqlite_options_init(&so);
    so.flags = TWIN_SQLITE_NO_CREATE;
    if ((s = twin_sqlite_open(&db, store, &so)) != TWIN_OK) {
        rc = cli_error("cannot open the store %s: %s", store, twin_sqlite_last_error(db)->message);
        twin_sqlite_close(db);
        return rc;
    }
    o.url = url;
    o.db = name;
    o.org = org;
    o.token = token;
    o.ca_file = ca;
    o.flags = flags;
    o.batch_lines = (uint32_t)batch;
    o.on_reject = on_reject;
    if ((s = twin_influx_create(&fw, db, &o)) != TWIN_OK) {
        twin_sqlite_close(db);
        return cli_error("cannot start the forwarder: %s", twin_strerror(s));
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    tty = isatty(2);
    t0 = last = cli_now();
    st.size = sizeof st;
    while (!stop_flag) {
        double now;
        p.size = sizeof p;
        if ((s = twin_influx_step(fw, 4, &p)) != TWIN_OK) {
            if (s != TWIN_E_BUSY && s != TWIN_E_IO) {
                rc = cli_error("%s", twin_influx_last_error(fw)->message);
                break;
            }
            p.state = TWIN_INFLUX_BACKOFF;  /* the store busy: try again */
            p.wait_ms = 200;
        }
        now = cli_now();
        if (!quiet && now - last >= 1.0) {
            twin_influx_get_stats(fw, &st);
            progress(fw, &p, ((double)st.confirmed - last_n) / (now - last), tty);
            last_n = (double)st.confirmed;
            last = now;
        }
        if (p.state == TWIN_INFLUX_IDLE && !follow) break;
        if (p.state != TWIN_INFLUX_SENDING) sleep_ms(p.wait_ms > 1000 ? 1000 : p.wait_ms);
    }
    twin_influx_get_stats(fw, &st);
    if (!quiet && tty) fputc('\n', stderr);
    printf("forwarded %llu samples in %.1f s (%llu requests, %llu retries, %llu rejected)\n",
           (unsigned long long)st.confirmed, cli_now() - t0, (unsigned long long)st.requests,
           (unsigned long long)st.retries, (unsigned long long)st.rejected);
    twin_influx_destroy(fw);
    twin_sqlite_close(db);
    return rc;
}

#else

int cmd_forward(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("forward: this twinctl was built without libtwin-influx (libcurl, zlib)");
}

#endif
