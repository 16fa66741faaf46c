/* libtwin-influx: the store's samples to InfluxDB in line protocol over
   HTTP (libcurl), gzip (zlib), from per-upstream cursors kept in the store's
   own database. See include/twin/influx.h for the contract. */
#include "twin/influx.h"

#include "spool/drive.h"

#include <curl/curl.h>
#include <zlib.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESP_MAX 1024

typedef struct line_ref {
    size_t off;      /* in text */
    uint32_t len;    /* without the newline */
    uint32_t sig;
    int64_t t_us;
    double value;
} line_ref;

struct twin_influx {
    twin_spool sp;
    int sp_open;
    twin_spool_drive drv;
    char *upstream, *measurement;
    uint32_t flags;
    int32_t precision;
    twin_influx_reject_fn on_reject;
    void *reject_ud;

    CURL *curl;
    struct curl_slist *headers;
    char *write_url;
    char resp[RESP_MAX];
    size_t resp_len;
    z_stream zs;
    int zs_ready;
    unsigned char *gz;
    size_t gz_cap;

    /* the batch in flight */
    char *text;
    size_t tlen, tcap;
    line_ref *lines;
    size_t nlines, lines_cap;

    int step_http;  /* the last answer's status in this step */
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

#define dup_str twin__spool_strdup
#define grow twin__spool_grow

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

/* A failure of the spool, with its message. */
static twin_status sp_fail(twin_influx *fw, twin_status s)
{
    return fail(fw, s, "influx: %s", fw->sp.msg);
}

/* The prefix of a signal's lines, when the spool loads the signals. */
static int on_sig(void *ud, twin_spool_sig *s)
{
    twin_influx *fw = ud;
    s->aux = make_prefix(fw, s->twin, s->name, s->unit, s->model, &s->aux_len);
    return s->aux ? 0 : -1;
}

/* ---- building a batch ---- */

static int on_samples(void *ud, size_t sig, const int64_t *t, const double *v, size_t n)
{
    twin_influx *fw = ud;
    const twin_spool_sig *s = &fw->sp.sigs[sig];
    size_t i;
    if (grow((void **)&fw->text, &fw->tcap, fw->tlen + n * (s->aux_len + 64), 1) != 0 ||
        grow((void **)&fw->lines, &fw->lines_cap, fw->nlines + n, sizeof *fw->lines) != 0)
        return TWIN_E_NOMEM;
    for (i = 0; i < n; i++) {
        line_ref *l;
        char *o;
        int w;
        if (!isfinite(v[i])) {
            fw->st.skipped++;
            continue;
        }
        o = fw->text + fw->tlen;
        memcpy(o, s->aux, s->aux_len);
        w = snprintf(o + s->aux_len, 64, "value=%.17g %lld\n", v[i],
                     (long long)scale_time(fw, t[i]));
        l = &fw->lines[fw->nlines++];
        l->off = fw->tlen;
        l->len = (uint32_t)(s->aux_len + (size_t)w - 1);
        l->sig = (uint32_t)sig;
        l->t_us = t[i];
        l->value = v[i];
        fw->tlen += s->aux_len + (size_t)w;
    }
    return TWIN_OK;
}

static void clear_batch(void *ud)
{
    twin_influx *fw = ud;
    fw->tlen = fw->nlines = 0;
}

static size_t batch_count(void *ud)
{
    return ((twin_influx *)ud)->nlines;
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

/* An HTTP failure in last_msg, on one line: "HTTP code: " and InfluxDB's
   reason, the "error" member of its JSON answer when it has one (else the
   body as it came), with a hint where the reason asks more of the user
   than waiting. */
static void set_reason(twin_influx *fw, long code)
{
    const char *r = strstr(fw->resp, "\"error\":\"");
    size_t n = (size_t)snprintf(fw->last_msg, sizeof fw->last_msg, "HTTP %ld: ", code);
    const char *c = r ? r + 9 : fw->resp;
    for (; *c && n + 1 < sizeof fw->last_msg; c++) {
        char ch = *c;
        if (r && ch == '"') break;
        if (r && ch == '\\' && c[1]) ch = *++c;
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
        fw->last_msg[n++] = ch;
    }
    while (n && fw->last_msg[n - 1] == ' ') n--;
    fw->last_msg[n] = '\0';
    if (strstr(fw->last_msg, "no space left on device"))
        snprintf(fw->last_msg + n, sizeof fw->last_msg - n, "%s",
                 " (InfluxDB 1.x goes on refusing writes after its disk was full, even once"
                 " space is freed, until it is restarted)");
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
    if (code >= 300) set_reason(fw, code);
    return (int)code;
}

/* The driver's classes of an answer: 2xx sent; 400, 413, 422 (the body or
   a line refused) split; anything else, no answer included, retried. */
static int send_lines(void *ud, size_t lo, size_t hi, twin_status *st)
{
    twin_influx *fw = ud;
    int code = send_range(fw, lo, hi, st);
    fw->step_http = code;
    if (*st != TWIN_OK) return TWIN_SPOOL_LOCAL;
    if (code >= 200 && code < 300) return TWIN_SPOOL_SENT;
    if (code == 400 || code == 413 || code == 422) return TWIN_SPOOL_SPLIT;
    return TWIN_SPOOL_RETRY;
}

static void report(void *ud, size_t i)
{
    twin_influx *fw = ud;
    const line_ref *l = &fw->lines[i];
    int code = fw->step_http;
    char *line;
    twin_influx_reject r;
    fw->st.rejected++;
    if (!fw->on_reject) return;
    line = malloc(l->len + 1);
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.http_status = code;
    r.twin_id = fw->sp.sigs[l->sig].twin;
    r.name = fw->sp.sigs[l->sig].name;
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

static twin_status drive_fail(void *ud, twin_status s, const char *msg)
{
    return fail(ud, s, "influx: %s", msg);
}

static const twin_spool_ops ops = {clear_batch, on_samples, batch_count, send_lines, report,
                                   drive_fail};

_Static_assert((int)TWIN_INFLUX_IDLE == TWIN_SPOOL_IDLE &&
                   (int)TWIN_INFLUX_SENDING == TWIN_SPOOL_SENDING &&
                   (int)TWIN_INFLUX_BACKOFF == TWIN_SPOOL_BACKOFF,
               "the driver's states are the progress's");

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
    fw->flags = d.flags;
    fw->precision = d.precision;
    fw->on_reject = d.on_reject;
    fw->reject_ud = d.reject_ud;
    twin__spool_drive_init(&fw->drv, &fw->sp, &ops, fw, d.batch_lines, d.retry_initial_ms,
                           d.retry_max_ms, d.clock, d.clock_ud, d.seed);
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
    if ((s = twin__spool_open(&fw->sp, db, "twin_influx_cursors", fw->upstream, 0, on_sig, fw)) !=
        TWIN_OK) {
        twin_influx_destroy(fw);
        return s;
    }
    fw->sp_open = 1;
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
    if (fw->sp_open) twin__spool_close(&fw->sp);
    free(fw->write_url);
    free(fw->upstream);
    free(fw->measurement);
    free(fw->gz);
    free(fw->text);
    free(fw->lines);
    twin__spool_drive_free(&fw->drv);
    free(fw);
}

twin_status twin_influx_step(twin_influx *fw, uint32_t budget, twin_influx_progress *out)
{
    twin_influx_progress p;
    twin_spool_step k;
    twin_status s;
    if (!fw || budget == 0) return fw ? fail(fw, TWIN_E_INVAL, "influx: budget 0") : TWIN_E_INVAL;
    if (out && out->size < 8) return fail(fw, TWIN_E_INVAL, "influx: progress size below 8");
    if (out && out->size > sizeof p) return fail(fw, TWIN_E_ABI, "influx: progress size too large");
    fw->step_http = 0;
    s = twin__spool_drive_step(&fw->drv, budget, &k);
    memset(&p, 0, sizeof p);
    p.size = sizeof p;
    p.state = k.state;
    p.wait_ms = k.wait_ms;
    p.requests = k.sends;
    p.lines_confirmed = k.confirmed;
    p.last_http = fw->step_http;
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
    twin_influx_backlog_info b;
    twin_status s;
    if (!fw || !out || out->size < 8) return fw ? fail(fw, TWIN_E_INVAL, "influx: bad out") : TWIN_E_INVAL;
    if (out->size > sizeof b) return fail(fw, TWIN_E_ABI, "influx: backlog size too large");
    memset(&b, 0, sizeof b);
    b.size = sizeof b;
    if ((s = twin__spool_backlog(&fw->sp, &b.samples, &b.signals, &b.lag_us)) != TWIN_OK)
        return sp_fail(fw, s);
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
    s.confirmed = fw->drv.confirmed;
    s.retries = fw->drv.retries;
    s.splits = fw->drv.splits;
    sz = out->size;
    memcpy(out, &s, sz);
    out->size = sz;
    return TWIN_OK;
}

const twin_error *twin_influx_last_error(const twin_influx *fw)
{
    return fw ? &fw->err : NULL;
}
