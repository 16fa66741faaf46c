/* libtwin-pg: the store's samples to PostgreSQL with libpq: a batch is one
   simple-protocol query string "BEGIN; COPY sigs; COPY rows; INSERT ...
   SELECT ... ON CONFLICT DO NOTHING; COMMIT" (one round trip), from
   per-upstream cursors kept in the store's own database (the spool, shared
   with libtwin-influx). Every wait on the socket has a deadline. See
   include/twin/pg.h for the contract. */
#include "twin/pg.h"

#include "spool/drive.h"

#include <libpq-fe.h>

#include <math.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 512

typedef struct row {
    uint32_t sig;
    int64_t t_us;
    double value;
} row;

/* The session's staging tables. */
#define STAGE_SQL                                                                      \
    "CREATE TEMP TABLE IF NOT EXISTS twin_pg_sig(k int4, twin text, signal text,"      \
    " unit text, model text, rels jsonb) ON COMMIT DELETE ROWS;"                       \
    " CREATE TEMP TABLE IF NOT EXISTS twin_pg_stage(k int4, t timestamptz, v float8)" \
    " ON COMMIT DELETE ROWS"

/* Outcomes of a round trip. */
enum { RT_OK = 0, RT_SERVER = 1, RT_CONN = 2, RT_NOMEM = 3 };

struct twin_pg {
    twin_spool sp;
    int sp_open;
    twin_spool_drive drv;
    char *conninfo, *table, *source, *upstream;
    uint32_t flags;
    int32_t connect_timeout_ms, request_timeout_ms;
    twin_pg_reject_fn on_reject;
    void *reject_ud;

    PGconn *conn;
    char *insert_sql;   /* the batch's query string, for this connection */
    char *idem_sql;     /* the same, ON CONFLICT DO NOTHING */
    char *direct_sql;   /* TWIN_PG_DIRECT: COPY straight into the table */
    int direct_now;     /* the query running is direct_sql */
    int stage_ready;    /* DIRECT: the staging tables made on this connection */

    /* the batch */
    row *rows;
    size_t nrows, rows_cap;
    unsigned char *buf;
    size_t blen, bcap;
    int oom;

    char last_state[8];
    char last_msg[MSG_MAX];
    char msg[MSG_MAX + 64];
    twin_error err;
    twin_pg_stats st;
};

static twin_status fail(twin_pg *fw, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fw->msg, sizeof fw->msg, fmt, ap);
    va_end(ap);
    fw->err.status = s;
    fw->err.message = fw->msg;
    return s;
}

/* The server's last answer, on one line: libpq's messages span several
   ("ERROR:  ...\nHINT:  ...\n"), which would break a progress line. */
static void set_last(twin_pg *fw, const char *state, const char *msg)
{
    size_t n = 0;
    snprintf(fw->last_state, sizeof fw->last_state, "%s", state ? state : "");
    for (const char *c = msg ? msg : ""; *c && n + 1 < sizeof fw->last_msg; c++) {
        char ch = (*c == '\n' || *c == '\r' || *c == '\t') ? ' ' : *c;
        if (ch == ' ' && (n == 0 || fw->last_msg[n - 1] == ' ')) continue;
        fw->last_msg[n++] = ch;
    }
    while (n && fw->last_msg[n - 1] == ' ') n--;
    fw->last_msg[n] = '\0';
}

twin_status twin_pg_options_init_(twin_pg_options *o, size_t size)
{
    if (!o || size < 8) return TWIN_E_INVAL;
    if (size > sizeof *o) return TWIN_E_ABI;
    memset(o, 0, size);
    o->size = (uint32_t)size;
    if (size >= offsetof(twin_pg_options, retry_max_ms) + sizeof(int32_t)) {
        o->batch_rows = 20000;
        o->connect_timeout_ms = 2000;
        o->request_timeout_ms = 30000;
        o->retry_initial_ms = 100;
        o->retry_max_ms = 30000;
    }
    return TWIN_OK;
}

/* ---- the COPY data ---- */

static int put(twin_pg *fw, const void *p, size_t n)
{
    if (fw->blen + n > fw->bcap &&
        twin__spool_grow((void **)&fw->buf, &fw->bcap, fw->blen + n, 1) != 0) {
        fw->oom = 1;
        return -1;
    }
    memcpy(fw->buf + fw->blen, p, n);
    fw->blen += n;
    return 0;
}

static void put_u16(twin_pg *fw, uint16_t v)
{
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    put(fw, b, 2);
}

static void put_u32(twin_pg *fw, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(fw, b, 4);
}

static void put_bin_text(twin_pg *fw, const char *s, int jsonb)
{
    size_t n = strlen(s);
    put_u32(fw, (uint32_t)(n + (jsonb ? 1 : 0)));
    if (jsonb) put(fw, "\1", 1);  /* jsonb's binary version */
    put(fw, s, n);
}

/* A text field of COPY's text format: backslash, tab, newline, CR escaped. */
static void put_text_field(twin_pg *fw, const char *s)
{
    for (; *s; s++) {
        char e[2] = {'\\', 0};
        switch (*s) {
        case '\\': e[1] = '\\'; break;
        case '\t': e[1] = 't'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        default: break;
        }
        if (e[1])
            put(fw, e, 2);
        else
            put(fw, s, 1);
    }
}

static const char bin_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 in Unix microseconds */

/* COPY data of the signals of rows [lo, hi) (k, twin, signal, unit, model,
   rels): only theirs, so that a signal the server refuses (e.g. a name not
   in its encoding) fails only its own rows when the batch is split. A
   batch holds each signal's rows together. */
static void encode_sigs(twin_pg *fw, size_t lo, size_t hi)
{
    size_t i;
    fw->blen = 0;
    if (!(fw->flags & TWIN_PG_COPY_TEXT)) put(fw, bin_header, sizeof bin_header);
    for (i = lo; i < hi; i++) {
        size_t k = fw->rows[i].sig;
        const twin_spool_sig *g = &fw->sp.sigs[k];
        if (i > lo && fw->rows[i - 1].sig == k) continue;
        if (fw->flags & TWIN_PG_COPY_TEXT) {
            char num[16];
            snprintf(num, sizeof num, "%zu\t", k);
            put(fw, num, strlen(num));
            put_text_field(fw, g->twin);
            put(fw, "\t", 1);
            put_text_field(fw, g->name);
            put(fw, "\t", 1);
            put_text_field(fw, g->unit);
            put(fw, "\t", 1);
            put_text_field(fw, g->model);
            put(fw, "\t", 1);
            put_text_field(fw, g->rels);
            put(fw, "\n", 1);
        } else {
            put_u16(fw, 6);
            put_u32(fw, 4);
            put_u32(fw, (uint32_t)k);
            put_bin_text(fw, g->twin, 0);
            put_bin_text(fw, g->name, 0);
            put_bin_text(fw, g->unit, 0);
            put_bin_text(fw, g->model, 0);
            put_bin_text(fw, g->rels, 1);
        }
    }
    if (!(fw->flags & TWIN_PG_COPY_TEXT)) put_u16(fw, 0xFFFF);
}

/* COPY data of rows [lo, hi) (k, t, v). */
static void encode_rows(twin_pg *fw, size_t lo, size_t hi)
{
    size_t i;
    fw->blen = 0;
    if (fw->flags & TWIN_PG_COPY_TEXT) {
        if (twin__spool_grow((void **)&fw->buf, &fw->bcap, (hi - lo) * 72 + 64, 1) != 0) {
            fw->oom = 1;
            return;
        }
        for (i = lo; i < hi; i++) {
            const row *r = &fw->rows[i];
            char *o = (char *)fw->buf + fw->blen;
            time_t secs = (time_t)(r->t_us >= 0 ? r->t_us / 1000000 : -((-r->t_us + 999999) / 1000000));
            long us = (long)(r->t_us - (int64_t)secs * 1000000);
            struct tm tm;
            int w;
            gmtime_r(&secs, &tm);
            w = snprintf(o, 72, "%u\t%04d-%02d-%02d %02d:%02d:%02d.%06ld+00\t", r->sig,
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, us);
            if (isnan(r->value))
                w += snprintf(o + w, 72 - (size_t)w, "NaN\n");
            else if (isinf(r->value))
                w += snprintf(o + w, 72 - (size_t)w, r->value > 0 ? "Infinity\n" : "-Infinity\n");
            else
                w += snprintf(o + w, 72 - (size_t)w, "%.17g\n", r->value);
            fw->blen += (size_t)w;
        }
        return;
    }
    if (twin__spool_grow((void **)&fw->buf, &fw->bcap, (hi - lo) * 34 + 64, 1) != 0) {
        fw->oom = 1;
        return;
    }
    memcpy(fw->buf, bin_header, sizeof bin_header);
    fw->blen = sizeof bin_header;
    for (i = lo; i < hi; i++) {
        const row *r = &fw->rows[i];
        unsigned char *o = fw->buf + fw->blen;
        uint64_t t = (uint64_t)(r->t_us - PG_EPOCH_US), v;
        int k;
        memcpy(&v, &r->value, 8);
        o[0] = 0;
        o[1] = 3;
        o[2] = o[3] = o[4] = 0;
        o[5] = 4;
        o[6] = (unsigned char)(r->sig >> 24);
        o[7] = (unsigned char)(r->sig >> 16);
        o[8] = (unsigned char)(r->sig >> 8);
        o[9] = (unsigned char)r->sig;
        o[10] = o[11] = o[12] = 0;
        o[13] = 8;
        for (k = 0; k < 8; k++) o[14 + k] = (unsigned char)(t >> (56 - 8 * k));
        o[22] = o[23] = o[24] = 0;
        o[25] = 8;
        for (k = 0; k < 8; k++) o[26 + k] = (unsigned char)(v >> (56 - 8 * k));
        fw->blen += 34;
    }
    fw->buf[fw->blen++] = 0xFF;
    fw->buf[fw->blen++] = 0xFF;
}

static void put_raw_u32(unsigned char *o, uint32_t v)
{
    o[0] = (unsigned char)(v >> 24);
    o[1] = (unsigned char)(v >> 16);
    o[2] = (unsigned char)(v >> 8);
    o[3] = (unsigned char)v;
}

/* TWIN_PG_DIRECT: COPY data of rows [lo, hi), whole (source, twin, signal,
   t, value, unit, model, rels), binary. */
static void encode_full_rows(twin_pg *fw, size_t lo, size_t hi)
{
    size_t i, src = strlen(fw->source);
    fw->blen = 0;
    put(fw, bin_header, sizeof bin_header);
    for (i = lo; i < hi && !fw->oom; i++) {
        const row *r = &fw->rows[i];
        const twin_spool_sig *g = &fw->sp.sigs[r->sig];
        size_t nt = strlen(g->twin), nn = strlen(g->name), nu = strlen(g->unit),
               nm = strlen(g->model), nr = strlen(g->rels);
        size_t need = 2 + 8 * 4 + src + nt + nn + 8 + 8 + nu + nm + 1 + nr;
        unsigned char *o;
        uint64_t t = (uint64_t)(r->t_us - PG_EPOCH_US), v;
        int k;
        if (fw->blen + need + 2 > fw->bcap &&
            twin__spool_grow((void **)&fw->buf, &fw->bcap, fw->blen + need + 2, 1) != 0) {
            fw->oom = 1;
            return;
        }
        o = fw->buf + fw->blen;
        o[0] = 0;
        o[1] = 8;
        o += 2;
        put_raw_u32(o, (uint32_t)src);
        memcpy(o + 4, fw->source, src);
        o += 4 + src;
        put_raw_u32(o, (uint32_t)nt);
        memcpy(o + 4, g->twin, nt);
        o += 4 + nt;
        put_raw_u32(o, (uint32_t)nn);
        memcpy(o + 4, g->name, nn);
        o += 4 + nn;
        put_raw_u32(o, 8);
        for (k = 0; k < 8; k++) o[4 + k] = (unsigned char)(t >> (56 - 8 * k));
        o += 12;
        memcpy(&v, &r->value, 8);
        put_raw_u32(o, 8);
        for (k = 0; k < 8; k++) o[4 + k] = (unsigned char)(v >> (56 - 8 * k));
        o += 12;
        put_raw_u32(o, (uint32_t)nu);
        memcpy(o + 4, g->unit, nu);
        o += 4 + nu;
        put_raw_u32(o, (uint32_t)nm);
        memcpy(o + 4, g->model, nm);
        o += 4 + nm;
        put_raw_u32(o, (uint32_t)(nr + 1));
        o[4] = 1;  /* jsonb's binary version */
        memcpy(o + 5, g->rels, nr);
        o += 5 + nr;
        fw->blen = (size_t)(o - fw->buf);
    }
    put_u16(fw, 0xFFFF);
}

/* ---- the connection ---- */

static int64_t now_us(void)
{
    return twin__spool_mono_us(NULL);
}

static void drop_conn(twin_pg *fw)
{
    if (fw->conn) PQfinish(fw->conn);
    fw->conn = NULL;
    free(fw->insert_sql);
    free(fw->idem_sql);
    free(fw->direct_sql);
    fw->insert_sql = fw->idem_sql = fw->direct_sql = NULL;
    fw->stage_ready = 0;
}

/* Wait until the socket is readable (or writable); 0, or -1 past the
   deadline or on a poll failure. */
static int wait_sock(twin_pg *fw, int for_write, int64_t deadline)
{
    struct pollfd p;
    int64_t left;
    int r;
    p.fd = PQsocket(fw->conn);
    p.events = for_write ? POLLOUT : POLLIN;
    if (p.fd < 0) return -1;
    for (;;) {
        left = deadline - now_us();
        if (left <= 0) return -1;
        p.revents = 0;
        r = poll(&p, 1, (int)(left / 1000 + 1));
        if (r > 0) return 0;
        if (r == 0) continue;
        if (errno != EINTR) return -1;
    }
}

static void ignore_notice(void *ud, const char *m)
{
    (void)ud;
    (void)m;
}

/* The whole result set of one query string, COPY data included. Records the
   first error; *inserted gets the INSERT's row count. */
static int run(twin_pg *fw, const char *sql, size_t lo, size_t hi, uint64_t *inserted)
{
    int64_t deadline = now_us() + (int64_t)fw->request_timeout_ms * 1000;
    int copies = 0, err = RT_OK, r;
    PGresult *res;
    if (!PQsendQuery(fw->conn, sql)) goto conn;
    for (;;) {
        while ((r = PQflush(fw->conn)) == 1)
            if (wait_sock(fw, 1, deadline) != 0) goto timeout;
        if (r < 0) goto conn;
        while (PQisBusy(fw->conn)) {
            if (wait_sock(fw, 0, deadline) != 0) goto timeout;
            if (!PQconsumeInput(fw->conn)) goto conn;
        }
        res = PQgetResult(fw->conn);
        if (!res) break;
        switch (PQresultStatus(res)) {
        case PGRES_COPY_IN: {
            size_t off = 0;
            if (fw->direct_now)
                encode_full_rows(fw, lo, hi);
            else if (copies++ == 0)
                encode_sigs(fw, lo, hi);
            else
                encode_rows(fw, lo, hi);
            PQclear(res);
            if (fw->oom) {
                PQputCopyEnd(fw->conn, "out of memory");
                err = RT_NOMEM;
                continue;
            }
            while (off < fw->blen) {
                size_t n = fw->blen - off > 65536 ? 65536 : fw->blen - off;
                int w = PQputCopyData(fw->conn, (const char *)fw->buf + off, (int)n);
                if (w < 0) goto conn;
                if (w == 0) {
                    if (wait_sock(fw, 1, deadline) != 0) goto timeout;
                    if (PQflush(fw->conn) < 0) goto conn;
                    continue;
                }
                off += n;
                if (PQflush(fw->conn) < 0) goto conn;
            }
            fw->st.bytes_sent += fw->blen;
            while ((r = PQputCopyEnd(fw->conn, NULL)) == 0)
                if (wait_sock(fw, 1, deadline) != 0) goto timeout;
            if (r < 0) goto conn;
            continue;
        }
        case PGRES_COMMAND_OK:
            if (inserted && strncmp(PQcmdStatus(res), "INSERT", 6) == 0)
                *inserted = strtoull(PQcmdTuples(res), NULL, 10);
            break;
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
            break;
        default:
            if (err == RT_OK) {
                err = RT_SERVER;
                set_last(fw, PQresultErrorField(res, PG_DIAG_SQLSTATE),
                         PQresultErrorMessage(res));
            }
            break;
        }
        PQclear(res);
    }
    if (PQstatus(fw->conn) != CONNECTION_OK) goto conn;
    return err;
timeout:
    set_last(fw, "", "timed out waiting for the server");
    drop_conn(fw);
    return RT_CONN;
conn:
    set_last(fw, "", PQerrorMessage(fw->conn));
    if (!fw->last_msg[0]) set_last(fw, "", "connection lost");
    drop_conn(fw);
    return RT_CONN;
}

static int connect_pg(twin_pg *fw)
{
    int64_t deadline = now_us() + (int64_t)fw->connect_timeout_ms * 1000;
    PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
    char *src = NULL, *sql, *idem;
    const char *tmpl;
    size_t n;
    int r;
    drop_conn(fw);
    fw->conn = PQconnectStart(fw->conninfo);
    if (!fw->conn) return RT_NOMEM;
    fw->st.connects++;
    if (PQstatus(fw->conn) == CONNECTION_BAD) goto bad;
    for (;;) {
        if (ps == PGRES_POLLING_OK) break;
        if (ps == PGRES_POLLING_FAILED) goto bad;
        if (wait_sock(fw, ps == PGRES_POLLING_WRITING, deadline) != 0) {
            set_last(fw, "", "timed out connecting");
            drop_conn(fw);
            return RT_CONN;
        }
        ps = PQconnectPoll(fw->conn);
    }
    PQsetNoticeProcessor(fw->conn, ignore_notice, NULL);
    if (PQsetnonblocking(fw->conn, 1) != 0) goto bad;
    /* the session's staging tables, the target table, the batch's query */
    if (!(src = PQescapeLiteral(fw->conn, fw->source, strlen(fw->source)))) goto bad;
    tmpl = "BEGIN; COPY pg_temp.twin_pg_sig FROM STDIN (FORMAT %s);"
           " COPY pg_temp.twin_pg_stage FROM STDIN (FORMAT %s);"
           " INSERT INTO %s(source, twin, signal, t, value, unit, model, rels)"
           " SELECT %s, g.twin, g.signal, s.t, s.v, g.unit, g.model, g.rels"
           " FROM pg_temp.twin_pg_stage s JOIN pg_temp.twin_pg_sig g ON g.k = s.k"
           "%s; COMMIT";
    n = strlen(tmpl) + strlen(fw->table) + strlen(src) + 64;
    sql = malloc(n);
    idem = malloc(n);
    if (!sql || !idem) {
        free(sql);
        free(idem);
        PQfreemem(src);
        drop_conn(fw);
        return RT_NOMEM;
    }
    {
        const char *fmt = (fw->flags & TWIN_PG_COPY_TEXT) ? "text" : "binary";
        sprintf(sql, tmpl, fmt, fmt, fw->table, src, "");
        sprintf(idem, tmpl, fmt, fmt, fw->table, src, " ON CONFLICT DO NOTHING");
    }
    PQfreemem(src);
    fw->insert_sql = sql;
    fw->idem_sql = idem;
    if (fw->flags & TWIN_PG_DIRECT) {
        static const char dt[] = "BEGIN; COPY %s (source, twin, signal, t, value, unit, model,"
                                 " rels) FROM STDIN (FORMAT binary); COMMIT";
        if (!(fw->direct_sql = malloc(sizeof dt + strlen(fw->table)))) {
            drop_conn(fw);
            return RT_NOMEM;
        }
        sprintf(fw->direct_sql, dt, fw->table);
    }
    {
        char *setup;
        const char *create =
            "CREATE TABLE IF NOT EXISTS %s (source text NOT NULL, twin text NOT NULL,"
            " signal text NOT NULL, t timestamptz NOT NULL, value double precision NOT NULL,"
            " unit text NOT NULL, model text NOT NULL, rels jsonb NOT NULL,"
            " PRIMARY KEY (source, twin, signal, t));";
        const char *temp = STAGE_SQL;
        if (!(setup = malloc(strlen(create) + strlen(temp) + strlen(fw->table) + 8))) {
            drop_conn(fw);
            return RT_NOMEM;
        }
        setup[0] = '\0';
        if (!(fw->flags & TWIN_PG_NO_CREATE)) sprintf(setup, create, fw->table);
        if (!(fw->flags & TWIN_PG_DIRECT)) strcat(setup, temp);  /* DIRECT: when first needed */
        r = setup[0] ? run(fw, setup, 0, 0, NULL) : RT_OK;
        free(setup);
        if (r != RT_OK) {
            if (r == RT_SERVER) drop_conn(fw);
            return r == RT_NOMEM ? RT_NOMEM : RT_CONN;
        }
    }
    return RT_OK;
bad:
    set_last(fw, "", PQerrorMessage(fw->conn));
    drop_conn(fw);
    return RT_CONN;
}

/* ---- batches ---- */

static int on_samples(void *ud, size_t sig, const int64_t *t, const double *v, size_t n)
{
    twin_pg *fw = ud;
    size_t i;
    if (twin__spool_grow((void **)&fw->rows, &fw->rows_cap, fw->nrows + n, sizeof *fw->rows) != 0)
        return TWIN_E_NOMEM;
    for (i = 0; i < n; i++) {
        row *r = &fw->rows[fw->nrows++];
        r->sig = (uint32_t)sig;
        r->t_us = t[i];
        r->value = v[i];
    }
    return TWIN_OK;
}

static void clear_batch(void *ud)
{
    ((twin_pg *)ud)->nrows = 0;
}

static size_t batch_count(void *ud)
{
    return ((twin_pg *)ud)->nrows;
}

static void report(void *ud, size_t i)
{
    twin_pg *fw = ud;
    const row *r = &fw->rows[i];
    twin_pg_reject x;
    fw->st.rejected++;
    if (!fw->on_reject) return;
    memset(&x, 0, sizeof x);
    x.size = sizeof x;
    x.twin_id = fw->sp.sigs[r->sig].twin;
    x.name = fw->sp.sigs[r->sig].name;
    x.t_us = r->t_us;
    x.value = r->value;
    x.sqlstate = fw->last_state;
    x.message = fw->last_msg;
    fw->on_reject(fw->reject_ud, &x);
}

/* Rows [lo, hi) in one transaction, a plain INSERT ... SELECT first (COPY's
   speed: no speculative insertion), then, when the table has rows of the
   batch already (unique violation), INSERT ... SELECT ... ON CONFLICT DO
   NOTHING: RT_OK, RT_SERVER with a data error
   (class 22 or 23: split), RT_CONN (retry), RT_NOMEM. */
static int send_range(twin_pg *fw, size_t lo, size_t hi, uint64_t *inserted)
{
    int r, idem = 0;
    if (!fw->conn && (r = connect_pg(fw)) != RT_OK) return r;
    if (fw->direct_sql) {
        /* COPY straight into the table; any refusal (rows already there,
           a data error) rolls it back and the staging path below decides */
        fw->st.transactions++;
        fw->st.rows_sent += hi - lo;
        fw->oom = 0;
        fw->direct_now = 1;
        r = run(fw, fw->direct_sql, lo, hi, NULL);
        fw->direct_now = 0;
        if (r == RT_OK && PQtransactionStatus(fw->conn) == PQTRANS_IDLE) {
            *inserted = hi - lo;
            return RT_OK;
        }
        if (r == RT_CONN) return r;
        if (fw->conn && PQtransactionStatus(fw->conn) != PQTRANS_IDLE &&
            run(fw, "ROLLBACK", 0, 0, NULL) != RT_OK)
            drop_conn(fw);
        if (r == RT_NOMEM) return r;
        if (!fw->conn) return RT_CONN;
        if (!fw->stage_ready) {
            r = run(fw, STAGE_SQL, 0, 0, NULL);
            if (r != RT_OK) {
                if (r == RT_SERVER) drop_conn(fw);
                return r == RT_NOMEM ? RT_NOMEM : RT_CONN;
            }
            fw->stage_ready = 1;
        }
    }
again:
    fw->st.transactions++;
    fw->st.rows_sent += hi - lo;
    fw->oom = 0;
    *inserted = 0;
    r = run(fw, idem ? fw->idem_sql : fw->insert_sql, lo, hi, inserted);
    if (r == RT_OK && PQtransactionStatus(fw->conn) != PQTRANS_IDLE) {
        set_last(fw, "", "the transaction did not commit");
        r = RT_SERVER;
        fw->last_state[0] = '\0';
    }
    if (r == RT_SERVER || r == RT_NOMEM) {
        /* leave the failed transaction */
        char st[8];
        char m[MSG_MAX];
        memcpy(st, fw->last_state, sizeof st);
        memcpy(m, fw->last_msg, sizeof m);
        if (fw->conn && PQtransactionStatus(fw->conn) != PQTRANS_IDLE &&
            run(fw, "ROLLBACK", 0, 0, NULL) != RT_OK)
            drop_conn(fw);
        memcpy(fw->last_state, st, sizeof st);
        memcpy(fw->last_msg, m, sizeof m);
    }
    if (r == RT_SERVER && !idem && strcmp(fw->last_state, "23505") == 0) {
        /* rows of the batch are there already (a batch sent again after
           its answer was lost): the idempotent insert, at once */
        if (!fw->conn) return RT_CONN;
        fw->st.redeliveries++;
        idem = 1;
        goto again;
    }
    if (r == RT_SERVER &&
        !(fw->last_state[0] == '2' && (fw->last_state[1] == '2' || fw->last_state[1] == '3')))
        r = RT_CONN;  /* not the rows' fault: retried */
    return r;
}

/* The driver's classes: a data error splits, any other failure retries;
   rows the table had already are counted. */
static int send_rows(void *ud, size_t lo, size_t hi, twin_status *st)
{
    twin_pg *fw = ud;
    uint64_t inserted = 0;
    int r = send_range(fw, lo, hi, &inserted);
    switch (r) {
    case RT_OK:
        if (inserted < hi - lo) fw->st.duplicates += hi - lo - inserted;
        return TWIN_SPOOL_SENT;
    case RT_SERVER: return TWIN_SPOOL_SPLIT;
    case RT_NOMEM: *st = fail(fw, TWIN_E_NOMEM, "pg: out of memory"); return TWIN_SPOOL_LOCAL;
    default: return TWIN_SPOOL_RETRY;
    }
}

static twin_status drive_fail(void *ud, twin_status s, const char *msg)
{
    return fail(ud, s, "pg: %s", msg);
}

static const twin_spool_ops ops = {clear_batch, on_samples, batch_count, send_rows, report,
                                   drive_fail};

_Static_assert((int)TWIN_PG_IDLE == TWIN_SPOOL_IDLE && (int)TWIN_PG_SENDING == TWIN_SPOOL_SENDING &&
                   (int)TWIN_PG_BACKOFF == TWIN_SPOOL_BACKOFF,
               "the driver's states are the progress's");

/* ---- the API ---- */

/* "schema.table" or "table", each part quoted as an identifier. */
static char *quote_table(const char *t)
{
    size_t n = strlen(t), i, o = 0;
    char *q = malloc(2 * n + 8);
    int open = 0;
    if (!q) return NULL;
    for (i = 0; i <= n; i++) {
        if (t[i] == '.' || t[i] == '\0') {
            if (!open) {
                free(q);
                return NULL;  /* an empty part */
            }
            q[o++] = '"';
            open = 0;
            if (t[i] == '.') q[o++] = '.';
            continue;
        }
        if (!open) {
            q[o++] = '"';
            open = 1;
        }
        if (t[i] == '"') q[o++] = '"';
        q[o++] = t[i];
    }
    q[o] = '\0';
    return q;
}

static char *default_upstream(const char *conninfo, const char *table)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *p;
    const char *host = "", *port = "", *dbname = "";
    char *u;
    size_t n;
    if (!opts) return NULL;
    for (p = opts; p->keyword; p++) {
        if (!p->val) continue;
        if (!strcmp(p->keyword, "host") || (!strcmp(p->keyword, "hostaddr") && !host[0]))
            host = p->val;
        else if (!strcmp(p->keyword, "port"))
            port = p->val;
        else if (!strcmp(p->keyword, "dbname"))
            dbname = p->val;
    }
    n = strlen(host) + strlen(port) + strlen(dbname) + strlen(table) + 16;
    if ((u = malloc(n))) snprintf(u, n, "pg %s:%s/%s/%s", host, port, dbname, table);
    PQconninfoFree(opts);
    return u;
}

twin_status twin_pg_create(twin_pg **out, twin_sqlite *db, const twin_pg_options *o)
{
    twin_pg_options d;
    twin_pg *fw;
    PQconninfoOption *parsed;
    char host[256];
    twin_status s;
    if (out) *out = NULL;
    if (!out || !db || !o || o->size < 8) return TWIN_E_INVAL;
    if (o->size > sizeof d) return TWIN_E_ABI;
    twin_pg_options_init(&d);
    memcpy(&d, o, o->size);
    d.size = sizeof d;
    if (!d.conninfo || d.batch_rows < 1 || d.batch_rows > 1000000 || d.connect_timeout_ms < 1 ||
        d.request_timeout_ms < 1 || d.retry_initial_ms < 1 ||
        d.retry_max_ms < d.retry_initial_ms || (d.flags & ~7u) || (d.table && !d.table[0]) ||
        ((d.flags & TWIN_PG_DIRECT) && (d.flags & TWIN_PG_COPY_TEXT)))
        return TWIN_E_INVAL;
    if (!twin_sqlite_connection(db)) return TWIN_E_INVAL;
    if (!(parsed = PQconninfoParse(d.conninfo, NULL))) return TWIN_E_INVAL;
    PQconninfoFree(parsed);
    if (!(fw = calloc(1, sizeof *fw))) return TWIN_E_NOMEM;
    fw->err.message = "";
    fw->flags = d.flags;
    fw->connect_timeout_ms = d.connect_timeout_ms;
    fw->request_timeout_ms = d.request_timeout_ms;
    fw->on_reject = d.on_reject;
    fw->reject_ud = d.reject_ud;
    twin__spool_drive_init(&fw->drv, &fw->sp, &ops, fw, d.batch_rows, d.retry_initial_ms,
                           d.retry_max_ms, d.clock, d.clock_ud, d.seed);
    if (!d.source || !d.source[0]) {
        if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "gateway");
        host[sizeof host - 1] = '\0';
        d.source = host;
    }
    fw->conninfo = twin__spool_strdup(d.conninfo);
    fw->source = twin__spool_strdup(d.source);
    if (!fw->conninfo || !fw->source) goto nomem;
    if (!(fw->table = quote_table(d.table ? d.table : "twin_samples"))) {
        twin_pg_destroy(fw);
        return TWIN_E_INVAL;  /* an empty part, or out of memory */
    }
    fw->upstream = d.upstream && d.upstream[0]
                       ? twin__spool_strdup(d.upstream)
                       : default_upstream(d.conninfo, d.table ? d.table : "twin_samples");
    if (!fw->upstream) goto nomem;
    if ((s = twin__spool_open(&fw->sp, db, "twin_pg_cursors", fw->upstream, TWIN_SPOOL_RELS, NULL,
                              NULL)) != TWIN_OK) {
        twin_pg_destroy(fw);
        return s;
    }
    fw->sp_open = 1;
    *out = fw;
    return TWIN_OK;
nomem:
    twin_pg_destroy(fw);
    return TWIN_E_NOMEM;
}

void twin_pg_destroy(twin_pg *fw)
{
    if (!fw) return;
    drop_conn(fw);
    if (fw->sp_open) twin__spool_close(&fw->sp);
    free(fw->conninfo);
    free(fw->table);
    free(fw->source);
    free(fw->upstream);
    free(fw->rows);
    twin__spool_drive_free(&fw->drv);
    free(fw->buf);
    free(fw);
}

twin_status twin_pg_step(twin_pg *fw, uint32_t budget, twin_pg_progress *out)
{
    twin_pg_progress p;
    twin_spool_step k;
    twin_status s;
    if (!fw || budget == 0) return fw ? fail(fw, TWIN_E_INVAL, "pg: budget 0") : TWIN_E_INVAL;
    if (out && out->size < 8) return fail(fw, TWIN_E_INVAL, "pg: progress size below 8");
    if (out && out->size > sizeof p) return fail(fw, TWIN_E_ABI, "pg: progress size too large");
    s = twin__spool_drive_step(&fw->drv, budget, &k);
    memset(&p, 0, sizeof p);
    p.size = sizeof p;
    p.state = k.state;
    p.wait_ms = k.wait_ms;
    p.transactions = k.sends;
    p.rows_confirmed = k.confirmed;
    p.last_sqlstate = fw->last_state;
    p.last_message = fw->last_msg;
    if (out) {
        uint32_t sz = out->size;
        memcpy(out, &p, sz);
        out->size = sz;
    }
    return s;
}

twin_status twin_pg_backlog(twin_pg *fw, twin_pg_backlog_info *out)
{
    twin_pg_backlog_info b;
    twin_status s;
    if (!fw || !out || out->size < 8) return fw ? fail(fw, TWIN_E_INVAL, "pg: bad out") : TWIN_E_INVAL;
    if (out->size > sizeof b) return fail(fw, TWIN_E_ABI, "pg: backlog size too large");
    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    if ((s = twin__spool_backlog(&fw->sp, &b.samples, &b.signals, &b.lag_us)) != TWIN_OK)
        return fail(fw, s, "pg: %s", fw->sp.msg);
    {
        uint32_t sz = out->size;
        memcpy(out, &b, sz);
        out->size = sz;
    }
    return TWIN_OK;
}

twin_status twin_pg_get_stats(const twin_pg *fw, twin_pg_stats *out)
{
    twin_pg_stats s;
    uint32_t sz;
    if (!fw || !out || out->size < 8) return TWIN_E_INVAL;
    if (out->size > sizeof s) return TWIN_E_ABI;
    s = fw->st;
    s.size = sizeof s;
    s.confirmed = fw->drv.confirmed;
    s.retries = fw->drv.retries;
    s.splits = fw->drv.splits;
    sz = out->size;
    memcpy(out, &s, sz);
    out->size = sz;
    return TWIN_OK;
}

const twin_error *twin_pg_last_error(const twin_pg *fw)
{
    return fw ? &fw->err : NULL;
}
