/* twinctl forward: the store's samples to InfluxDB (libtwin-influx) or
   PostgreSQL (libtwin-pg), with a progress line. Built without one of the
   libraries (no libcurl, no libpq), the command says so for that upstream. */
#include "cli.h"

#include <string.h>

#if defined(TWINCTL_HAVE_INFLUX) || defined(TWINCTL_HAVE_PG)
#include <signal.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

static const char help[] =
    "Usage: twinctl forward --influx URL --db NAME [OPTIONS]\n"
    "       twinctl forward --postgres CONNINFO [OPTIONS]\n"
    "\n"
    "Forward the store's samples to InfluxDB (line protocol over HTTP, gzip)\n"
    "or to PostgreSQL (COPY into a staging table, then INSERT ... ON CONFLICT\n"
    "DO NOTHING), from where this upstream last confirmed: the cursors are kept\n"
    "in the store (tables twin_influx_cursors, twin_pg_cursors), so a forward\n"
    "interrupted at any point resumes there, and what is sent twice is stored\n"
    "once upstream. Without --follow, stops when everything is sent. A progress\n"
    "line on stderr every second: the backlog, the rate, the lag of the most\n"
    "behind signal. Lines or rows the upstream rejects (a field type conflict,\n"
    "a CHECK constraint) are found by splitting the batch, reported on stderr\n"
    "and passed over. See twin/influx.h and twin/pg.h for the schemas.\n"
    "\n"
    "Options:\n"
    "  --influx URL        InfluxDB's base URL, e.g. http://127.0.0.1:8086\n"
    "  --db NAME           the database (1.x) or bucket (--v2)\n"
    "  --postgres CONNINFO PostgreSQL: a libpq connection string or URI\n"
    "                      (TLS with sslmode=verify-full sslrootcert=FILE)\n"
    "  --table NAME        PostgreSQL: the table (default twin_samples)\n"
    "  --source NAME       PostgreSQL: the gateway's name (default: the host name)\n"
    "  --direct            PostgreSQL: COPY each batch straight into the table\n"
    "                      (faster; the staging path only for batches it refuses)\n"
    "  -d, --store DB      the store (default: ./twin.db)\n"
    "  --v2                the 2.x-compatible path /api/v2/write\n"
    "  --org ORG           the organisation (--v2)\n"
    "  --token TOKEN       sent as 'Authorization: Token TOKEN'\n"
    "  --ca-file FILE      https: the CA certificates (PEM) that verify the server\n"
    "  --measurement-per-signal   the signal's name as the measurement\n"
    "  --precision P       us (default), ns, ms or s\n"
    "  --batch N           lines or rows a request (default 5000; PostgreSQL 20000)\n"
    "  --follow            keep forwarding new samples until interrupted\n"
    "  -q, --quiet         no progress line\n"
    "  -h, --help          show this help\n";

#ifdef TWINCTL_HAVE_INFLUX
#include <twin/influx.h>

static void on_reject(void *ud, const twin_influx_reject *r)
{
    (void)ud;
    fprintf(stderr, "\ntwinctl forward: rejected (HTTP %d) %s/%s at %lld us: %s\n", r->http_status,
            r->twin_id, r->name, (long long)r->t_us, r->message);
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

static int forward_influx(int argc, char **argv)
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

#endif

#ifdef TWINCTL_HAVE_PG
#include <twin/pg.h>

static void on_pg_reject(void *ud, const twin_pg_reject *r)
{
    (void)ud;
    fprintf(stderr, "\ntwinctl forward: rejected (SQLSTATE %s) %s/%s at %lld us: %s\n", r->sqlstate,
            r->twin_id, r->name, (long long)r->t_us, r->message);
}

static void pg_progress(twin_pg *fw, const twin_pg_progress *p, double rate, int tty)
{
    twin_pg_backlog_info b;
    twin_pg_stats st;
    b.size = sizeof b;
    st.size = sizeof st;
    if (twin_pg_backlog(fw, &b) != TWIN_OK || twin_pg_get_stats(fw, &st) != TWIN_OK) return;
    fprintf(stderr, "%sforward: backlog %llu samples (%llu signals), %.0f samples/s, lag %.1f s,"
                    " sent %llu, rejected %llu%s%s%s",
            tty ? "\r" : "", (unsigned long long)b.samples, (unsigned long long)b.signals, rate,
            (double)b.lag_us / 1e6, (unsigned long long)st.confirmed,
            (unsigned long long)st.rejected, p->state == TWIN_PG_BACKOFF ? ", retrying: " : "",
            p->state == TWIN_PG_BACKOFF ? p->last_message : "", tty ? "\033[K" : "\n");
}

static int forward_pg(int argc, char **argv)
{
    const char *conninfo = NULL, *store = "twin.db", *table = NULL, *source = NULL, *v;
    unsigned long batch = 20000;
    int follow = 0, quiet = 0, direct = 0, i, r, tty, rc = 0;
    twin_sqlite_options so;
    twin_sqlite *db;
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_progress p;
    twin_pg_stats st;
    twin_status s;
    double t0, last, last_n = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--follow") == 0) {
            follow = 1;
        } else if (strcmp(a, "--direct") == 0) {
            direct = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--postgres", NULL, &conninfo)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--store", "-d", &store)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--table", NULL, &table)) != 0 ||
                   (r = cli_value(argv[0], argc, argv, &i, "--source", NULL, &source)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--batch", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 1, 1000000, &batch) != 0)
                return cli_usage(argv[0], "--batch: a number of rows from 1 to 1000000");
        } else {
            return cli_usage(argv[0], "unknown argument '%s' (with --postgres)", a);
        }
    }
    if (!conninfo) return cli_usage(argv[0], "--postgres CONNINFO is needed");
    twin_sqlite_options_init(&so);
    so.flags = TWIN_SQLITE_NO_CREATE;
    if ((s = twin_sqlite_open(&db, store, &so)) != TWIN_OK) {
        rc = cli_error("cannot open the store %s: %s", store, twin_sqlite_last_error(db)->message);
        twin_sqlite_close(db);
        return rc;
    }
    twin_pg_options_init(&o);
    o.conninfo = conninfo;
    o.table = table;
    o.source = source;
    o.batch_rows = (uint32_t)batch;
    o.flags = direct ? TWIN_PG_DIRECT : 0;
    o.on_reject = on_pg_reject;
    if ((s = twin_pg_create(&fw, db, &o)) != TWIN_OK) {
        twin_sqlite_close(db);
        return cli_error("cannot start the forwarder: %s%s", twin_strerror(s),
                         s == TWIN_E_INVAL ? " (check the conninfo and --table)" : "");
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    tty = isatty(2);
    t0 = last = cli_now();
    st.size = sizeof st;
    while (!stop_flag) {
        double now;
        p.size = sizeof p;
        if ((s = twin_pg_step(fw, 4, &p)) != TWIN_OK) {
            if (s != TWIN_E_BUSY && s != TWIN_E_IO) {
                rc = cli_error("%s", twin_pg_last_error(fw)->message);
                break;
            }
            p.state = TWIN_PG_BACKOFF;  /* the store busy: try again */
            p.wait_ms = 200;
        }
        now = cli_now();
        if (!quiet && now - last >= 1.0) {
            twin_pg_get_stats(fw, &st);
            pg_progress(fw, &p, ((double)st.confirmed - last_n) / (now - last), tty);
            last_n = (double)st.confirmed;
            last = now;
        }
        if (p.state == TWIN_PG_IDLE && !follow) break;
        if (p.state != TWIN_PG_SENDING) sleep_ms(p.wait_ms > 1000 ? 1000 : p.wait_ms);
    }
    twin_pg_get_stats(fw, &st);
    if (!quiet && tty) fputc('\n', stderr);
    printf("forwarded %llu samples in %.1f s (%llu transactions, %llu retries, %llu rejected,"
           " %llu already there)\n",
           (unsigned long long)st.confirmed, cli_now() - t0, (unsigned long long)st.transactions,
           (unsigned long long)st.retries, (unsigned long long)st.rejected,
           (unsigned long long)st.duplicates);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    return rc;
}
#endif

int cmd_forward(int argc, char **argv)
{
    int i, pg = 0, influx = 0;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--postgres") == 0) pg = 1;
        if (strcmp(argv[i], "--influx") == 0) influx = 1;
    }
    if (pg && influx) return cli_usage(argv[0], "--influx or --postgres, not both");
    if (pg) {
#ifdef TWINCTL_HAVE_PG
        return forward_pg(argc, argv);
#else
        return cli_error("forward: this twinctl was built without libtwin-pg (libpq)");
#endif
    }
#ifdef TWINCTL_HAVE_INFLUX
    return forward_influx(argc, argv);
#else
    if (!influx) return cli_usage(argv[0], "--influx URL --db NAME or --postgres CONNINFO is needed");
    return cli_error("forward: this twinctl was built without libtwin-influx (libcurl, zlib)");
#endif
}
