/* libtwin-influx: the store's samples to InfluxDB in line protocol over
   HTTP (libcurl), gzip (zlib), from per-upstream cursors kept in the store's
   own database. See include/twin/influx.h for the contract. */
#include "twin/influx.h"

#include <curl/curl.h>
#include <sqlite3.h>
#include <zlib.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESP_MAX 1024
#define STOP_FULL 1 /* a status the read callback returns to stop: the batch is full */

typedef struct sig {
    char *twin, *name;
    char *prefix;    /* "measurement,tags " */
    size_t prefix_len;
    int64_t cursor;  /* newest confirmed time; INT64_MIN: none */
    int64_t latest;  /* newest stored time; INT64_MIN: none */
} sig;

typedef struct line_ref {
    size_t off;      /* in text */
    uint32_t len;    /* without the newline */
    uint32_t sig;
    int64_t t_us;
    double value;
} line_ref;

typedef struct range {
    size_t lo, hi;
} range;

typedef struct mark {
    size_t sig;
    int64_t t_us;    /* newest time of the signal in the batch */
} mark;

struct twin_influx {
    twin_sqlite *db;
    sqlite3 *conn;
    char *upstream, *measurement;
    uint32_t flags, batch_lines;
    int32_t precision, retry_initial_ms, retry_max_ms;
    twin_influx_clock_fn clock;
    void *clock_ud;
    twin_influx_reject_fn on_reject;
    void *reject_ud;
    uint64_t rng;

    CURL *curl;
    struct curl_slist *headers;
    char *write_url;
    char resp[RESP_MAX];
    size_t resp_len;
    z_stream zs;
    int zs_ready;
    unsigned char *gz;
    size_t gz_cap;

    sig *sigs;
    size_t nsig, next_sig;

    /* the batch in flight */
    int have_batch, commit_pending;
    char *text;
    size_t tlen, tcap;
    line_ref *lines;
    size_t nlines, lines_cap;
    range *stack;
    size_t nstack, stack_cap;
    mark *marks;
    size_t nmarks, marks_cap;
    uint64_t batch_ok;
    size_t cur_sig;  /* the signal being read into the batch */
    int full;

    int attempt;
    int64_t retry_at_us;
    int last_http;
    char last_msg[RESP_MAX + 64];
    char msg[RESP_MAX + 128];
    twin_error err;
    twin_influx_stats st;
};

static twin_status fail(twin_influx *fw, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fw->msg, sizeof fw->msg, fmt, ap);
    va_end(ap);
    fw->err.status = s;
    fw->err.message = fw->msg;
    return s;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int64_t mono_us(void *ud)
{
    struct timespec ts;
    (void)ud;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t next_rand(twin_influx *fw)
{
    /* xorshift64* */
    uint64_t x = fw->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    fw->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

twin_status twin_influx_options_init_(twin_influx_options *o, size_t size)
{
    if (!o || size < 8) return TWIN_E_INVAL;
    if (size > sizeof *o) return TWIN_E_ABI;
    memset(o, 0, size);
    o->size = (uint32_t)size;
    if (size >= offsetof(twin_influx_options, retry_max_ms) + sizeof(int32_t)) {
        o->precision = TWIN_INFLUX_PRECISION_US;
        o->batch_lines = 5000;
        o->connect_timeout_ms = 2000;
        o->request_timeout_ms = 30000;
        o->retry_initial_ms = 100;
        o->retry_max_ms = 30000;
    }
    return TWIN_OK;
}

/* ---- line protocol ---- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap ? *cap : 64;
    void *n;
    if (need <= *cap) return 0;
    while (c < need) c *= 2;
    n = realloc(*p, c * elem);
    if (!n) return -1;
    *p = n;
    *cap = c;
    return 0;
}

/* Append s escaped: a backslash before each character of special; control
   characters (which line protocol cannot carry) become '_'. */
static size_t esc(char *out, const char *s, const char *special)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20) c = '_';
        if (strchr(special, c)) {
            if (out) out[n] = '\\';
            n++;
        }
        if (out) out[n] = (char)c;
        n++;
    }
    return n;
}

/* The prefix of a signal's lines: measurement and tags, then a space. */
static char *make_prefix(const twin_influx *fw, const char *twin, const char *name,
                         const char *unit, const char *model, size_t *len)
{
    const char *meas = (fw->flags & TWIN_INFLUX_MEASUREMENT_PER_SIGNAL) ? name : fw->measurement;
    const char *keys[4] = {"model", "twin", "signal", "unit"};
    const char *vals[4] = {model, twin, name, unit};
    size_t n = 0, k;
    char *p = NULL;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        char *o = pass ? p : NULL;
        n = esc(o, meas[0] ? meas : "_", ", ");
        for (k = 0; k < 4; k++) {
            if (k == 2 && (fw->flags & TWIN_INFLUX_MEASUREMENT_PER_SIGNAL)) continue;
            if (!vals[k] || !vals[k][0]) continue;
            if (o) o[n] = ',';
            n++;
            n += esc(o ? o + n : NULL, keys[k], ",= ");
            if (o) o[n] = '=';
            n++;
            n += esc(o ? o + n : NULL, vals[k], ",= ");
        }
        if (o) {
            o[n++] = ' ';
            o[n] = '\0';
        } else {
            n++;
            if (!(p = malloc(n + 1))) return NULL;
        }
    }
    *len = n;
    return p;
}

static int64_t scale_time(const twin_influx *fw, int64_t t)
{
    switch (fw->precision) {
    case TWIN_INFLUX_PRECISION_NS: return t * 1000;
    case TWIN_INFLUX_PRECISION_MS: return t >= 0 ? t / 1000 : -((-t + 999) / 1000);
    case TWIN_INFLUX_PRECISION_S: return t >= 0 ? t / 1000000 : -((-t + 999999) / 1000000);
    default: return t;
    }
}

/* ---- the cursor table and the signals ---- */

static twin_status sql_fail(twin_influx *fw, const char *what)
{
    int rc = sqlite3_errcode(fw->conn);
    twin_status s = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? TWIN_E_BUSY
                    : rc == SQLITE_NOMEM                     ? TWIN_E_NOMEM
                                                             : TWIN_E_IO;
    return fail(fw, s, "influx: %s: %s", what, sqlite3_errmsg(fw->conn));
}

static void free_sigs(twin_influx *fw)
{
    size_t i;
    for (i = 0; i < fw->nsig; i++) {
        free(fw->sigs[i].twin);
        free(fw->sigs[i].name);
        free(fw->sigs[i].prefix);
    }
    free(fw->sigs);
    fw->sigs = NULL;
    fw->nsig = 0;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

/* Read the signals, their newest times and this upstream's cursors. */
static twin_status load_sigs(twin_influx *fw)
{
    static const char sql[] =
        "SELECT s.twin, s.name, s.unit, t.model, s.latest_t_us, c.t_us FROM signals s"
        " LEFT JOIN twins t ON t.id = s.twin"
        " LEFT JOIN twin_influx_cursors c ON c.upstream = ?1 AND c.twin = s.twin"
        " AND c.signal = s.name ORDER BY s.id";
    sqlite3_stmt *q = NULL;
    sig *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    if (sqlite3_prepare_v2(fw->conn, sql, -1, &q, NULL) != SQLITE_OK)
        return sql_fail(fw, "reading the signals");
    sqlite3_bind_text(q, 1, fw->upstream, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        sig *s;
        if (grow((void **)&v, &cap, n + 1, sizeof *v) != 0) goto nomem;
        s = &v[n];
        memset(s, 0, sizeof *s);
        n++;
        s->twin = dup_str(col_text(q, 0));
        s->name = dup_str(col_text(q, 1));
        s->prefix = make_prefix(fw, col_text(q, 0), col_text(q, 1), col_text(q, 2), col_text(q, 3),
                                &s->prefix_len);
        if (!s->twin || !s->name || !s->prefix) goto nomem;
        s->latest = sqlite3_column_type(q, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(q, 4);
        s->cursor = sqlite3_column_type(q, 5) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(q, 5);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free_sigs(fw);
        fw->sigs = v;
        fw->nsig = n;
        free_sigs(fw);
        return sql_fail(fw, "reading the signals");
    }
    free_sigs(fw);
    fw->sigs = v;
    fw->nsig = n;
    if (fw->next_sig >= n) fw->next_sig = 0;
    return TWIN_OK;
nomem:
    sqlite3_finalize(q);
    free_sigs(fw);
    fw->sigs = v;
    fw->nsig = n;
    free_sigs(fw);
    return fail(fw, TWIN_E_NOMEM, "influx: out of memory");
}

static twin_status commit_marks(twin_influx *fw)
{
    sqlite3_stmt *q = NULL;
    size_t i;
    if (sqlite3_exec(fw->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(fw, "saving the cursors");
    if (sqlite3_prepare_v2(fw->conn,
                           "INSERT OR REPLACE INTO twin_influx_cursors(upstream, twin, signal, t_us)"
                           " VALUES(?1, ?2, ?3, ?4)",
                           -1, &q, NULL) != SQLITE_OK)
        goto bad;
    for (i = 0; i < fw->nmarks; i++) {
        const sig *s = &fw->sigs[fw->marks[i].sig];
        sqlite3_bind_text(q, 1, fw->upstream, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, s->twin, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, fw->marks[i].t_us);
        if (sqlite3_step(q) != SQLITE_DONE) goto bad;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_exec(fw->conn, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto bad;
    for (i = 0; i < fw->nmarks; i++) fw->sigs[fw->marks[i].sig].cursor = fw->marks[i].t_us;
    fw->st.confirmed += fw->batch_ok;
    fw->commit_pending = 0;
    fw->have_batch = 0;
    return TWIN_OK;
bad: {
    twin_status s = sql_fail(fw, "saving the cursors");
    sqlite3_finalize(q);
    sqlite3_exec(fw->conn, "ROLLBACK", NULL, NULL, NULL);
    return s;
}
}

/* ---- building a batch ---- */

static twin_status on_samples(void *ud, const int64_t *t, const double *v, size_t n)
{
    twin_influx *fw = ud;
    sig *s = &fw->sigs[fw->cur_sig];
    mark *m;
    size_t i;
    if (!fw->nmarks || fw->marks[fw->nmarks - 1].sig != fw->cur_sig) {
        if (grow((void **)&fw->marks, &fw->marks_cap, fw->nmarks + 1, sizeof *fw->marks) != 0)
            return TWIN_E_NOMEM;
        fw->marks[fw->nmarks].sig = fw->cur_sig;
        fw->marks[fw->nmarks].t_us = s->cursor;
        fw->nmarks++;
    }
    m = &fw->marks[fw->nmarks - 1];
    if (grow((void **)&fw->text, &fw->tcap, fw->tlen + n * (s->prefix_len + 64), 1) != 0 ||
        grow((void **)&fw->lines, &fw->lines_cap, fw->nlines + n, sizeof *fw->lines) != 0)
        return TWIN_E_NOMEM;
    for (i = 0; i < n; i++) {
        line_ref *l;
        char *o;
        int w;
        if (fw->nlines >= fw->batch_lines) {
            fw->full = 1;
            return (twin_status)STOP_FULL;
        }
        m->t_us = t[i];
        if (!isfinite(v[i])) {
            fw->st.skipped++;
            continue;
        }
        o = fw->text + fw->tlen;
        memcpy(o, s->prefix, s->prefix_len);
        w = snprintf(o + s->prefix_len, 64, "value=%.17g %lld\n", v[i],
                     (long long)scale_time(fw, t[i]));
        l = &fw->lines[fw->nlines++];
        l->off = fw->tlen;
        l->len = (uint32_t)(s->prefix_len + (size_t)w - 1);
        l->sig = (uint32_t)fw->cur_sig;
        l->t_us = t[i];
        l->value = v[i];
        fw->tlen += s->prefix_len + (size_t)w;
    }
    return TWIN_OK;
}

static twin_status build_batch(twin_influx *fw)
{
    size_t visited;
    twin_status s;
    fw->tlen = fw->nlines = fw->nstack = fw->nmarks = 0;
    fw->batch_ok = 0;
    fw->full = 0;
    if (fw->next_sig == 0 && (s = load_sigs(fw)) != TWIN_OK) return s;
    for (visited = 0; visited < fw->nsig && !fw->full; visited++) {
        sig *g = &fw->sigs[fw->next_sig];
        if (g->latest != INT64_MIN && g->latest > g->cursor) {
            fw->cur_sig = fw->next_sig;
            s = twin_sqlite_read(fw->db, g->twin, g->name,
                                 g->cursor == INT64_MIN ? INT64_MIN : g->cursor + 1, INT64_MAX,
                                 on_samples, fw);
            if (s == TWIN_E_NOMEM) return fail(fw, s, "influx: out of memory");
            if (s != TWIN_OK && s != (twin_status)STOP_FULL && s != TWIN_E_NOTFOUND) {
                const twin_error *e = twin_sqlite_last_error(fw->db);
                return fail(fw, s == TWIN_E_BUSY ? s : TWIN_E_IO, "influx: reading %s/%s: %s",
                            g->twin, g->name, e ? e->message : "");
            }
        }
        if (!fw->full) fw->next_sig = (fw->next_sig + 1) % (fw->nsig ? fw->nsig : 1);
    }
    if (fw->nlines) {
        if (grow((void **)&fw->stack, &fw->stack_cap, 1, sizeof *fw->stack) != 0)
            return fail(fw, TWIN_E_NOMEM, "influx: out of memory");
        fw->stack[0].lo = 0;
        fw->stack[0].hi = fw->nlines;
        fw->nstack = 1;
    }
    fw->have_batch = fw->nlines || fw->nmarks;
    fw->commit_pending = fw->nmarks && !fw->nlines;  /* only skipped samples */
    return TWIN_OK;
}

/* ---- HTTP ---- */

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    twin_influx *fw = ud;
    size_t k = sz * n, room = RESP_MAX - 1 - fw->resp_len;
    memcpy(fw->resp + fw->resp_len, p, k < room ? k : room);
    fw->resp_len += k < room ? k : room;
    fw->resp[fw->resp_len] = '\0';
    return k;
}

static twin_status gzip_body(twin_influx *fw, const char *p, size_t n, size_t *out_len)
{
    size_t bound;
    if (!fw->zs_ready) {
        memset(&fw->zs, 0, sizeof fw->zs);
        if (deflateInit2(&fw->zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return fail(fw, TWIN_E_NOMEM, "influx: zlib failed to start");
        fw->zs_ready = 1;
    } else {
        deflateReset(&fw->zs);
    }
    bound = deflateBound(&fw->zs, (uLong)n) + 64;
    if (grow((void **)&fw->gz, &fw->gz_cap, bound, 1) != 0)
        return fail(fw, TWIN_E_NOMEM, "influx: out of memory");
    fw->zs.next_in = (Bytef *)(uintptr_t)p;
    fw->zs.avail_in = (uInt)n;
    fw->zs.next_out = fw->gz;
    fw->zs.avail_out = (uInt)fw->gz_cap;
    if (deflate(&fw->zs, Z_FINISH) != Z_STREAM_END)
        return fail(fw, TWIN_E_NOMEM, "influx: gzip failed");
    *out_len = fw->gz_cap - fw->zs.avail_out;
    return TWIN_OK;
}

/* Send lines [lo, hi); the HTTP status, 0 on a connection error (message
   in last_msg). */
static int send_range(twin_influx *fw, size_t lo, size_t hi, twin_status *st)
{
    const char *p = fw->text + fw->lines[lo].off;
    size_t n = fw->lines[hi - 1].off + fw->lines[hi - 1].len + 1 - fw->lines[lo].off;
    const void *body = p;
    size_t blen = n;
    long code = 0;
    CURLcode rc;
    *st = TWIN_OK;
    if (!(fw->flags & TWIN_INFLUX_NO_GZIP)) {
        if ((*st = gzip_body(fw, p, n, &blen)) != TWIN_OK) return 0;
        body = fw->gz;
    }
    fw->resp_len = 0;
    fw->resp[0] = '\0';
    curl_easy_setopt(fw->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(fw->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    rc = curl_easy_perform(fw->curl);
    fw->st.requests++;
    fw->st.lines_sent += hi - lo;
    fw->st.bytes_raw += n;
    fw->st.bytes_sent += blen;
    if (rc != CURLE_OK) {
        snprintf(fw->last_msg, sizeof fw->last_msg, "%s", curl_easy_strerror(rc));
        return 0;
    }
    curl_easy_getinfo(fw->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 300)
        snprintf(fw->last_msg, sizeof fw->last_msg, "HTTP %ld: %s", code, fw->resp);
    return (int)code;
}

static void report(twin_influx *fw, size_t i, int code)
{
    const line_ref *l = &fw->lines[i];
    char *line;
    twin_influx_reject r;
    fw->st.rejected++;
    if (!fw->on_reject) return;
    line = malloc(l->len + 1);
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.http_status = code;
    r.twin_id = fw->sigs[l->sig].twin;
    r.name = fw->sigs[l->sig].name;
    r.t_us = l->t_us;
    r.value = l->value;
    if (line) {
        memcpy(line, fw->text + l->off, l->len);
        line[l->len] = '\0';
    }
    r.line = line ? line : "";
    r.message = fw->resp;
    fw->on_reject(fw->reject_ud, &r);
    free(line);
}

static void backoff(twin_influx *fw, int64_t now)
{
    int64_t d = fw->retry_initial_ms, half;
    int k;
    for (k = 0; k < fw->attempt && d < fw->retry_max_ms; k++) d *= 2;
    if (d > fw->retry_max_ms) d = fw->retry_max_ms;
    if (fw->attempt < 62) fw->attempt++;
    half = d / 2;
    d = half + (int64_t)(next_rand(fw) % (uint64_t)(d - half + 1));
    fw->retry_at_us = now + d * 1000;
    fw->st.retries++;
}

/* ---- the API ---- */

twin_status twin_influx_create(twin_influx **out, twin_sqlite *db, const twin_influx_options *o)
{
    twin_influx_options d;
    twin_influx *fw;
    const char *prec;
    char *edb = NULL, *eorg = NULL, hdr[1024];
    size_t n;
    twin_status s;
    if (out) *out = NULL;
    if (!out || !db || !o || o->size < 8) return TWIN_E_INVAL;
    if (o->size > sizeof d) return TWIN_E_ABI;
    twin_influx_options_init(&d);
    memcpy(&d, o, o->size);
    d.size = sizeof d;
    if (!d.url || !d.db || !d.url[0] || !d.db[0] || d.batch_lines < 1 ||
        d.batch_lines > 1000000 || d.precision < 0 || d.precision > 3 ||
        d.connect_timeout_ms < 0 || d.request_timeout_ms < 0 || d.retry_initial_ms < 1 ||
        d.retry_max_ms < d.retry_initial_ms || (d.flags & ~7u))
        return TWIN_E_INVAL;
    if (!twin_sqlite_connection(db)) return TWIN_E_INVAL;
    if (!(fw = calloc(1, sizeof *fw))) return TWIN_E_NOMEM;
    fw->err.message = "";
    fw->last_msg[0] = '\0';
    fw->db = db;
    fw->conn = twin_sqlite_connection(db);
    fw->flags = d.flags;
    fw->batch_lines = d.batch_lines;
    fw->precision = d.precision;
    fw->retry_initial_ms = d.retry_initial_ms;
    fw->retry_max_ms = d.retry_max_ms;
    fw->clock = d.clock ? d.clock : mono_us;
    fw->clock_ud = d.clock_ud;
    fw->on_reject = d.on_reject;
    fw->reject_ud = d.reject_ud;
    fw->rng = d.seed ? d.seed : (uint64_t)mono_us(NULL) * 2654435761u + 1;
    fw->retry_at_us = INT64_MIN;
    fw->measurement = dup_str(d.measurement && d.measurement[0] ? d.measurement : "twin");
    if (d.upstream && d.upstream[0]) {
        fw->upstream = dup_str(d.upstream);
    } else if ((fw->upstream = malloc(strlen(d.url) + strlen(d.db) + 2))) {
        sprintf(fw->upstream, "%s %s", d.url, d.db);
    }
    if (!fw->measurement || !fw->upstream) goto nomem;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(fw->curl = curl_easy_init()))
        goto nomem;
    edb = curl_easy_escape(fw->curl, d.db, 0);
    eorg = curl_easy_escape(fw->curl, d.org ? d.org : "", 0);
    if (!edb || !eorg) goto nomem;
    prec = d.precision == TWIN_INFLUX_PRECISION_NS   ? "ns"
           : d.precision == TWIN_INFLUX_PRECISION_MS ? "ms"
           : d.precision == TWIN_INFLUX_PRECISION_S  ? "s"
           : (d.flags & TWIN_INFLUX_API_V2)          ? "us"
                                                     : "u";
    n = strlen(d.url) + strlen(edb) + strlen(eorg) + 64;
    if (!(fw->write_url = malloc(n))) goto nomem;
    n = strlen(d.url);
    while (n && d.url[n - 1] == '/') n--;
    if (d.flags & TWIN_INFLUX_API_V2)
        sprintf(fw->write_url, "%.*s/api/v2/write?bucket=%s%s%s&precision=%s", (int)n, d.url, edb,
                d.org ? "&org=" : "", d.org ? eorg : "", prec);
    else
        sprintf(fw->write_url, "%.*s/write?db=%s&precision=%s", (int)n, d.url, edb, prec);
    curl_free(edb);
    curl_free(eorg);
    edb = eorg = NULL;
    fw->headers = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    if (fw->headers) fw->headers = curl_slist_append(fw->headers, "Expect:");
    if (fw->headers && !(d.flags & TWIN_INFLUX_NO_GZIP))
        fw->headers = curl_slist_append(fw->headers, "Content-Encoding: gzip");
    if (fw->headers && d.token) {
        snprintf(hdr, sizeof hdr, "Authorization: Token %s", d.token);
        fw->headers = curl_slist_append(fw->headers, hdr);
    }
    if (!fw->headers) goto nomem;
    curl_easy_setopt(fw->curl, CURLOPT_URL, fw->write_url);
    curl_easy_setopt(fw->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(fw->curl, CURLOPT_HTTPHEADER, fw->headers);
    curl_easy_setopt(fw->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(fw->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)d.connect_timeout_ms);
    curl_easy_setopt(fw->curl, CURLOPT_TIMEOUT_MS, (long)d.request_timeout_ms);
    curl_easy_setopt(fw->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(fw->curl, CURLOPT_WRITEDATA, fw);
    if ((d.ca_file && curl_easy_setopt(fw->curl, CURLOPT_CAINFO, d.ca_file) != CURLE_OK) ||
        (d.cert_file && curl_easy_setopt(fw->curl, CURLOPT_SSLCERT, d.cert_file) != CURLE_OK) ||
        (d.key_file && curl_easy_setopt(fw->curl, CURLOPT_SSLKEY, d.key_file) != CURLE_OK)) {
        twin_influx_destroy(fw);
        return TWIN_E_INVAL;
    }
    if (sqlite3_exec(fw->conn,
                     "CREATE TABLE IF NOT EXISTS twin_influx_cursors(upstream TEXT NOT NULL,"
                     " twin TEXT NOT NULL, signal TEXT NOT NULL, t_us INTEGER NOT NULL,"
                     " PRIMARY KEY(upstream, twin, signal)) WITHOUT ROWID",
                     NULL, NULL, NULL) != SQLITE_OK) {
        s = sql_fail(fw, "creating the cursor table");
        twin_influx_destroy(fw);
        return s == TWIN_E_NOMEM ? s : TWIN_E_IO;
    }
    if ((s = load_sigs(fw)) != TWIN_OK) {
        twin_influx_destroy(fw);
        return s;
    }
    *out = fw;
    return TWIN_OK;
nomem:
    if (fw->curl) {
        curl_free(edb);
        curl_free(eorg);
    }
    twin_influx_destroy(fw);
    return TWIN_E_NOMEM;
}

void twin_influx_destroy(twin_influx *fw)
{
    if (!fw) return;
    if (fw->curl) curl_easy_cleanup(fw->curl);
    curl_slist_free_all(fw->headers);
    if (fw->zs_ready) deflateEnd(&fw->zs);
    free_sigs(fw);
    free(fw->write_url);
    free(fw->upstream);
    free(fw->measurement);
    free(fw->gz);
    free(fw->text);
    free(fw->lines);
    free(fw->stack);
    free(fw->marks);
    free(fw);
}

twin_status twin_influx_step(twin_influx *fw, uint32_t budget, twin_influx_progress *out)
{
    twin_influx_progress p;
    uint64_t before;
    twin_status s = TWIN_OK;
    int64_t now;
    if (!fw || budget == 0) return fw ? fail(fw, TWIN_E_INVAL, "influx: budget 0") : TWIN_E_INVAL;
    if (out && out->size < 8) return fail(fw, TWIN_E_INVAL, "influx: progress size below 8");
    if (out && out->size > sizeof p) return fail(fw, TWIN_E_ABI, "influx: progress size too large");
    memset(&p, 0, sizeof p);
    p.size = sizeof p;
    p.state = TWIN_INFLUX_SENDING;
    before = fw->st.confirmed;
    now = fw->clock(fw->clock_ud);
    if (fw->retry_at_us != INT64_MIN && now < fw->retry_at_us) {
        p.state = TWIN_INFLUX_BACKOFF;
        p.wait_ms = (int32_t)((fw->retry_at_us - now + 999) / 1000);
        goto done;
    }
    fw->retry_at_us = INT64_MIN;
    for (;;) {
        if (fw->commit_pending && (s = commit_marks(fw)) != TWIN_OK) goto done;
        if (!fw->have_batch) {
            if ((s = build_batch(fw)) != TWIN_OK) goto done;
            if (!fw->have_batch) {
                p.state = TWIN_INFLUX_IDLE;
                p.wait_ms = 200;
                goto done;
            }
            continue;
        }
        if (p.requests >= budget) break;
        {
            range r = fw->stack[fw->nstack - 1];
            int code = send_range(fw, r.lo, r.hi, &s);
            p.requests++;
            p.last_http = code;
            if (s != TWIN_OK) goto done;
            if (code >= 200 && code < 300) {
                fw->nstack--;
                fw->batch_ok += r.hi - r.lo;
                fw->attempt = 0;
            } else if (code == 400 || code == 413 || code == 422) {
                fw->nstack--;
                fw->attempt = 0;
                if (r.hi - r.lo == 1) {
                    report(fw, r.lo, code);
                } else {
                    size_t mid = r.lo + (r.hi - r.lo) / 2;
                    if (grow((void **)&fw->stack, &fw->stack_cap, fw->nstack + 2,
                             sizeof *fw->stack) != 0) {
                        fw->nstack++;  /* keep the range */
                        s = fail(fw, TWIN_E_NOMEM, "influx: out of memory");
                        goto done;
                    }
                    fw->stack[fw->nstack].lo = mid;
                    fw->stack[fw->nstack].hi = r.hi;
                    fw->stack[fw->nstack + 1].lo = r.lo;
                    fw->stack[fw->nstack + 1].hi = mid;
                    fw->nstack += 2;
                    fw->st.splits++;
                }
            } else {
                backoff(fw, fw->clock(fw->clock_ud));
                p.state = TWIN_INFLUX_BACKOFF;
                p.wait_ms = (int32_t)((fw->retry_at_us - fw->clock(fw->clock_ud) + 999) / 1000);
                if (p.wait_ms < 0) p.wait_ms = 0;
                goto done;
            }
            if (fw->nstack == 0) fw->commit_pending = 1;
        }
    }
done:
    p.lines_confirmed = fw->st.confirmed - before;
    fw->last_http = p.last_http ? p.last_http : fw->last_http;
    p.last_message = fw->last_msg;
    if (out) {
        uint32_t sz = out->size;
        memcpy(out, &p, sz);
        out->size = sz;
    }
    return s;
}

twin_status twin_influx_backlog(twin_influx *fw, twin_influx_backlog_info *out)
{
    static const char sql[] =
        "WITH c AS (SELECT s.id AS id, s.latest_t_us AS latest,"
        " COALESCE(k.t_us, -9223372036854775807 - 1) AS cur FROM signals s"
        " LEFT JOIN twin_influx_cursors k ON k.upstream = ?1 AND k.twin = s.twin"
        " AND k.signal = s.name WHERE s.latest_t_us IS NOT NULL AND s.latest_t_us > "
        " COALESCE(k.t_us, -9223372036854775807 - 1))"
        " SELECT COUNT(*), MAX(CASE WHEN cur = -9223372036854775807 - 1 THEN 0 ELSE latest - cur END),"
        " (SELECT COALESCE(SUM(b.n), 0) FROM c JOIN blocks b ON b.signal = c.id AND b.t1_us > c.cur)"
        " + (SELECT COALESCE(SUM(o.n), 0) FROM c JOIN open_blocks o ON o.signal = c.id"
        " AND o.t1_us > c.cur)"
        " + (SELECT COUNT(*) FROM c JOIN samples x ON x.signal = c.id AND x.t_us > c.cur),"
        " MIN(cur) FROM c";
    twin_influx_backlog_info b;
    sqlite3_stmt *q = NULL;
    if (!fw || !out || out->size < 8) return fw ? fail(fw, TWIN_E_INVAL, "influx: bad out") : TWIN_E_INVAL;
    if (out->size > sizeof b) return fail(fw, TWIN_E_ABI, "influx: backlog size too large");
    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    if (sqlite3_prepare_v2(fw->conn, sql, -1, &q, NULL) != SQLITE_OK)
        return sql_fail(fw, "counting the backlog");
    sqlite3_bind_text(q, 1, fw->upstream, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        twin_status s = sql_fail(fw, "counting the backlog");
        sqlite3_finalize(q);
        return s;
    }
    b.signals = (uint64_t)sqlite3_column_int64(q, 0);
    b.lag_us = sqlite3_column_int64(q, 1);
    b.samples = (uint64_t)sqlite3_column_int64(q, 2);
    if (b.signals && sqlite3_column_int64(q, 3) == INT64_MIN) {
        /* a signal never forwarded: lag from its oldest sample */
        sqlite3_finalize(q);
        if (sqlite3_prepare_v2(fw->conn,
                               "SELECT MAX(s.latest_t_us - COALESCE((SELECT MIN(t0_us) FROM blocks"
                               " WHERE signal = s.id), (SELECT MIN(t0_us) FROM open_blocks WHERE"
                               " signal = s.id), s.latest_t_us)) FROM signals s",
                               -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > b.lag_us)
            b.lag_us = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    {
        uint32_t sz = out->size;
        memcpy(out, &b, sz);
        out->size = sz;
    }
    return TWIN_OK;
}

twin_status twin_influx_get_stats(const twin_influx *fw, twin_influx_stats *out)
{
    twin_influx_stats s;
    uint32_t sz;
    if (!fw || !out || out->size < 8) return TWIN_E_INVAL;
    if (out->size > sizeof s) return TWIN_E_ABI;
    s = fw->st;
    s.size = sizeof s;
    sz = out->size;
    memcpy(out, &s, sz);
    out->size = sz;
    return TWIN_OK;
}

const twin_error *twin_influx_last_error(const twin_influx *fw)
{
    return fw ? &fw->err : NULL;
}
