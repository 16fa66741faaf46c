/* twinctl forward: the store's samples to InfluxDB (libtwin-influx) or
   PostgreSQL (libtwin-pg), with a progress line. Built without one of the
   libraries (no libcurl, no libpq), the command says so for that upstream. */
#include "cli.h"

#include <string.h>

#if defined(TWINCTL_HAVE_INFLUX) || defined(TWINCTL_HAVE_PG)
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <twin/sqlite.h>

#define FWD_IDLE 0    /* the states of both libraries' progress */
#define FWD_SENDING 1
#define FWD_BACKOFF 2

/* The options of both upstreams (each reads its own). */
typedef struct fwd_cfg {
    const char *url, *db, *org, *token, *ca, *prec;  /* InfluxDB */
    uint32_t flags;
    const char *conninfo, *table, *source;           /* PostgreSQL */
    int direct;
    unsigned long batch;
} fwd_cfg;

typedef struct fwd_step {
    int state;            /* FWD_ */
    int32_t wait_ms;
    const char *message;  /* the last failure */
} fwd_step;

typedef struct fwd_stats {
    uint64_t confirmed, sends, retries, rejected, duplicates;
} fwd_stats;

/* A forwarder library behind the command's one loop. */
typedef struct fwd_kind {
    unsigned long batch;      /* default --batch */
    const char *batch_usage;  /* --batch's message */
    const char *unknown;      /* appended to "unknown argument" */
    const char *create_hint;  /* appended when create says TWIN_E_INVAL */
    /* An option of its own at argv[*i]: 1 taken, 0 not its, -1 a usage error
       (said). */
    int (*option)(fwd_cfg *c, int argc, char **argv, int *i);
    /* The options complete: 0, or the usage exit (said). */
    int (*check)(fwd_cfg *c, const char *cmd);
    twin_status (*create)(void **fw, twin_sqlite *db, const fwd_cfg *c);
    twin_status (*step)(void *fw, fwd_step *p);
    twin_status (*backlog)(void *fw, uint64_t *samples, uint64_t *signals, int64_t *lag_us);
    void (*stats)(void *fw, fwd_stats *st);
    const char *(*error)(void *fw);
    void (*destroy)(void *fw);
    const char *summary;      /* printf: confirmed, seconds, sends, retries, rejected, duplicates */
} fwd_kind;

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

static void on_influx_reject(void *ud, const twin_influx_reject *r)
{
    (void)ud;
    fprintf(stderr, "\ntwinctl forward: rejected (HTTP %d) %s/%s at %lld us: %s\n", r->http_status,
            r->twin_id, r->name, (long long)r->t_us, r->message);
}

static int influx_option(fwd_cfg *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    int r;
    if (strcmp(a, "--v2") == 0) {
        c->flags |= TWIN_INFLUX_API_V2;
        return 1;
    }
    if (strcmp(a, "--measurement-per-signal") == 0) {
        c->flags |= TWIN_INFLUX_MEASUREMENT_PER_SIGNAL;
        return 1;
    }
    if ((r = cli_value(argv[0], argc, argv, i, "--influx", NULL, &c->url)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--db", NULL, &c->db)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--org", NULL, &c->org)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--token", NULL, &c->token)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--ca-file", NULL, &c->ca)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--precision", NULL, &c->prec)) != 0)
        return r;
    return 0;
}

static int influx_precision(const char *p)
{
    static const char *const names[] = {"us", "ns", "ms", "s"};
    static const int values[] = {TWIN_INFLUX_PRECISION_US, TWIN_INFLUX_PRECISION_NS,
                                 TWIN_INFLUX_PRECISION_MS, TWIN_INFLUX_PRECISION_S};
    for (size_t k = 0; k < 4; k++)
        if (strcmp(p, names[k]) == 0) return values[k];
    return -1;
}

static int influx_check(fwd_cfg *c, const char *cmd)
{
    if (!c->url || !c->db) return cli_usage(cmd, "--influx URL and --db NAME are needed");
    if (influx_precision(c->prec ? c->prec : "us") < 0)
        return cli_usage(cmd, "--precision: us, ns, ms or s");
    return 0;
}

static twin_status influx_create(void **fw, twin_sqlite *db, const fwd_cfg *c)
{
    twin_influx_options o;
    twin_influx_options_init(&o);
    o.precision = influx_precision(c->prec ? c->prec : "us");
    o.url = c->url;
    o.db = c->db;
    o.org = c->org;
    o.token = c->token;
    o.ca_file = c->ca;
    o.flags = c->flags;
    o.batch_lines = (uint32_t)c->batch;
    o.on_reject = on_influx_reject;
    return twin_influx_create((twin_influx **)fw, db, &o);
}

static twin_status influx_step(void *fw, fwd_step *out)
{
    twin_influx_progress p;
    twin_status s;
    p.size = sizeof p;
    s = twin_influx_step(fw, 4, &p);
    out->state = p.state;
    out->wait_ms = p.wait_ms;
    out->message = p.last_message;
    return s;
}

static twin_status influx_backlog(void *fw, uint64_t *samples, uint64_t *signals, int64_t *lag)
{
    twin_influx_backlog_info b;
    twin_status s;
    b.size = sizeof b;
    if ((s = twin_influx_backlog(fw, &b)) == TWIN_OK)
        *samples = b.samples, *signals = b.signals, *lag = b.lag_us;
    return s;
}

static void influx_stats(void *fw, fwd_stats *out)
{
    twin_influx_stats st;
    st.size = sizeof st;
    memset(out, 0, sizeof *out);
    if (twin_influx_get_stats(fw, &st) != TWIN_OK) return;
    out->confirmed = st.confirmed;
    out->sends = st.requests;
    out->retries = st.retries;
    out->rejected = st.rejected;
}

static const char *influx_error(void *fw)
{
    return twin_influx_last_error(fw)->message;
}

static void influx_destroy(void *fw)
{
    twin_influx_destroy(fw);
}

static const fwd_kind influx_kind = {
    5000, "--batch: a number of lines from 1 to 1000000", "", "", influx_option, influx_check,
    influx_create, influx_step, influx_backlog, influx_stats, influx_error, influx_destroy,
    "forwarded %llu samples in %.1f s (%llu requests, %llu retries, %llu rejected)\n"};
#endif

#ifdef TWINCTL_HAVE_PG
#include <twin/pg.h>

static void on_pg_reject(void *ud, const twin_pg_reject *r)
{
    (void)ud;
    fprintf(stderr, "\ntwinctl forward: rejected (SQLSTATE %s) %s/%s at %lld us: %s\n", r->sqlstate,
            r->twin_id, r->name, (long long)r->t_us, r->message);
}

static int pg_option(fwd_cfg *c, int argc, char **argv, int *i)
{
    int r;
    if (strcmp(argv[*i], "--direct") == 0) {
        c->direct = 1;
        return 1;
    }
    if ((r = cli_value(argv[0], argc, argv, i, "--postgres", NULL, &c->conninfo)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--table", NULL, &c->table)) != 0 ||
        (r = cli_value(argv[0], argc, argv, i, "--source", NULL, &c->source)) != 0)
        return r;
    return 0;
}

static int pg_check(fwd_cfg *c, const char *cmd)
{
    return c->conninfo ? 0 : cli_usage(cmd, "--postgres CONNINFO is needed");
}

static twin_status pg_create(void **fw, twin_sqlite *db, const fwd_cfg *c)
{
    twin_pg_options o;
    twin_pg_options_init(&o);
    o.conninfo = c->conninfo;
    o.table = c->table;
    o.source = c->source;
    o.batch_rows = (uint32_t)c->batch;
    o.flags = c->direct ? TWIN_PG_DIRECT : 0;
    o.on_reject = on_pg_reject;
    return twin_pg_create((twin_pg **)fw, db, &o);
}

static twin_status pg_step(void *fw, fwd_step *out)
{
    twin_pg_progress p;
    twin_status s;
    p.size = sizeof p;
    s = twin_pg_step(fw, 4, &p);
    out->state = p.state;
    out->wait_ms = p.wait_ms;
    out->message = p.last_message;
    return s;
}

static twin_status pg_backlog(void *fw, uint64_t *samples, uint64_t *signals, int64_t *lag)
{
    twin_pg_backlog_info b;
    twin_status s;
    b.size = sizeof b;
    if ((s = twin_pg_backlog(fw, &b)) == TWIN_OK)
        *samples = b.samples, *signals = b.signals, *lag = b.lag_us;
    return s;
}

static void pg_stats(void *fw, fwd_stats *out)
{
    twin_pg_stats st;
    st.size = sizeof st;
    memset(out, 0, sizeof *out);
    if (twin_pg_get_stats(fw, &st) != TWIN_OK) return;
    out->confirmed = st.confirmed;
    out->sends = st.transactions;
    out->retries = st.retries;
    out->rejected = st.rejected;
    out->duplicates = st.duplicates;
}

static const char *pg_error(void *fw)
{
    return twin_pg_last_error(fw)->message;
}

static void pg_destroy(void *fw)
{
    twin_pg_destroy(fw);
}

static const fwd_kind pg_kind = {
    20000, "--batch: a number of rows from 1 to 1000000", " (with --postgres)",
    " (check the conninfo and --table)", pg_option, pg_check, pg_create, pg_step, pg_backlog,
    pg_stats, pg_error, pg_destroy,
    "forwarded %llu samples in %.1f s (%llu transactions, %llu retries, %llu rejected,"
    " %llu already there)\n"};
#endif

#if defined(TWINCTL_HAVE_INFLUX) || defined(TWINCTL_HAVE_PG)
static void progress(const fwd_kind *k, void *fw, const fwd_step *p, double rate, int tty)
{
    uint64_t samples, signals;
    int64_t lag;
    fwd_stats st;
    if (k->backlog(fw, &samples, &signals, &lag) != TWIN_OK) return;
    k->stats(fw, &st);
    fprintf(stderr, "%sforward: backlog %llu samples (%llu signals), %.0f samples/s, lag %.1f s,"
                    " sent %llu, rejected %llu%s%s%s",
            tty ? "\r" : "", (unsigned long long)samples, (unsigned long long)signals, rate,
            (double)lag / 1e6, (unsigned long long)st.confirmed, (unsigned long long)st.rejected,
            p->state == FWD_BACKOFF ? ", retrying: " : "",
            p->state == FWD_BACKOFF ? p->message : "", tty ? "\033[K" : "\n");
}

/* The options, the store, then steps until everything is sent (or, with
   --follow, until interrupted), with a progress line. */
static int forward(const fwd_kind *k, int argc, char **argv)
{
    const char *store = "twin.db", *v;
    int follow = 0, quiet = 0, i, r, tty, rc = 0;
    fwd_cfg c;
    twin_sqlite_options so;
    twin_sqlite *db;
    void *fw;
    fwd_step p;
    fwd_stats st;
    twin_status s;
    double t0, last, last_n = 0;

    memset(&c, 0, sizeof c);
    c.batch = k->batch;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--follow") == 0) {
            follow = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--store", "-d", &store)) != 0 ||
                   (r = k->option(&c, argc, argv, &i)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--batch", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 1, 1000000, &c.batch) != 0) return cli_usage(argv[0], "%s", k->batch_usage);
        } else {
            return cli_usage(argv[0], "unknown argument '%s'%s", a, k->unknown);
        }
    }
    if ((r = k->check(&c, argv[0])) != 0) return r;
    twin_sqlite_options_init(&so);
    so.flags = TWIN_SQLITE_NO_CREATE;
    if ((s = twin_sqlite_open(&db, store, &so)) != TWIN_OK) {
        rc = cli_error("cannot open the store %s: %s", store, twin_sqlite_last_error(db)->message);
        twin_sqlite_close(db);
        return rc;
    }
    if ((s = k->create(&fw, db, &c)) != TWIN_OK) {
        twin_sqlite_close(db);
        return cli_error("cannot start the forwarder: %s%s", twin_strerror(s),
                         s == TWIN_E_INVAL ? k->create_hint : "");
    }
    cli_on_stop(on_signal);
    tty = isatty(2);
    t0 = last = cli_now();
    while (!stop_flag) {
        double now;
        if ((s = k->step(fw, &p)) != TWIN_OK) {
            if (s != TWIN_E_BUSY && s != TWIN_E_IO) {
                rc = cli_error("%s", k->error(fw));
                break;
            }
            p.state = FWD_BACKOFF;  /* the store busy: try again */
            p.wait_ms = 200;
        }
        now = cli_now();
        if (!quiet && now - last >= 1.0) {
            k->stats(fw, &st);
            progress(k, fw, &p, ((double)st.confirmed - last_n) / (now - last), tty);
            last_n = (double)st.confirmed;
            last = now;
        }
        if (p.state == FWD_IDLE && !follow) break;
        if (p.state != FWD_SENDING) sleep_ms(p.wait_ms > 1000 ? 1000 : p.wait_ms);
    }
    k->stats(fw, &st);
    if (!quiet && tty) fputc('\n', stderr);
    printf(k->summary, (unsigned long long)st.confirmed, cli_now() - t0,
           (unsigned long long)st.sends, (unsigned long long)st.retries,
           (unsigned long long)st.rejected, (unsigned long long)st.duplicates);
    k->destroy(fw);
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
        return forward(&pg_kind, argc, argv);
#else
        return cli_error("forward: this twinctl was built without libtwin-pg (libpq)");
#endif
    }
#ifdef TWINCTL_HAVE_INFLUX
    return forward(&influx_kind, argc, argv);
#else
    if (!influx) return cli_usage(argv[0], "--influx URL --db NAME or --postgres CONNINFO is needed");
    return cli_error("forward: this twinctl was built without libtwin-influx (libcurl, zlib)");
#endif
}
