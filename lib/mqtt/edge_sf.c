/* The Edge Node's primary host awareness and store and forward
 * (specification 3.0, chapter 5 "Primary Host Application STATE" and the
 * metric's is_historical flag). No socket, no clock, no file: the store is
 * the host's, behind twin_sp_store's callbacks (a file one is in
 * sf_file.c, host builds only).
 *
 * A record is what one DDATA of a device would have carried, by name so
 * that it outlives the session's aliases and the process:
 *   u8 version (1), u8 zero, u16 metrics, u16 twin id length, the twin id,
 *   then per metric: u16 name length, the name, i64 t_us, f64 value
 * (integers little-endian, the double's bits as a u64). */
#include "edge_int.h"

#include <string.h>

#define REC_VERSION 1
#define REC_HEAD 6
#define REC_METRIC 18 /* without its name */

/* ---- options -------------------------------------------------------------- */

TWIN_SP_API twin_status twin_sp_edge_set_primary_host(twin_sp_edge *e, const char *host_id)
{
    char topic[300];
    if (!e)
        return TWIN_E_INVAL;
    char *id = NULL, *tp = NULL;
    if (host_id) {
        size_t n = strlen(host_id);
        if (!twin__sp_id_ok(host_id, n) ||
            twin_sp_topic_build(topic, sizeof topic, NULL, TWIN_SP_STATE, NULL, host_id, NULL) < 0)
            return TWIN_E_INVAL;
        id = twin__sp_strndup(&e->a, host_id, n);
        tp = twin__sp_strndup(&e->a, topic, strlen(topic));
        if (!id || !tp) {
            sp_free(&e->a, id, id ? n + 1 : 0);
            sp_free(&e->a, tp, tp ? strlen(tp) + 1 : 0);
            return TWIN_E_NOMEM;
        }
    }
    sp_free(&e->a, e->host_id, e->host_id ? strlen(e->host_id) + 1 : 0);
    sp_free(&e->a, e->state_topic, e->state_topic ? strlen(e->state_topic) + 1 : 0);
    e->host_id = id;
    e->state_topic = tp;
    e->host_online = 0;  /* until its STATE says otherwise */
    e->sf.host_timestamp = 0;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_edge_set_store(twin_sp_edge *e, const twin_sp_store *store)
{
    twin_sp_store st;
    twin_status s;
    if (!e)
        return TWIN_E_INVAL;
    if (!store) {
        e->has_store = 0;
        e->sf_pending = 0;
        e->inflight = 0;
        return TWIN_OK;
    }
    memset(&st, 0, sizeof st);
    if ((s = twin__sized_in(&st, sizeof st, store)) != TWIN_OK)
        return s;
    if (!st.append || !st.read || !st.confirm)
        return TWIN_E_INVAL;
    e->store = st;
    e->has_store = 1;
    e->sf_pending = 1;  /* it may hold records of an earlier process: */
    e->held = 1;        /* the samples of this one go after them */
    e->inflight = 0;
    e->cursor = TWIN_SP_STORE_FIRST;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_edge_get_sf_stats(const twin_sp_edge *e,
                                                  twin_sp_edge_sf_stats *out)
{
    twin_sp_edge_sf_stats r;
    twin_status st;
    if (!e || !out)
        return TWIN_E_INVAL;
    if ((st = twin__sized_check(out, sizeof r)) != TWIN_OK)
        return st;
    r = e->sf;
    r.size = sizeof r;
    r.host_online = !e->host_id || e->host_online;
    return twin__sized_out(out, &r, sizeof r);
}

const char *twin__sp_edge_state_topic(const twin_sp_edge *e)
{
    return e->state_topic;
}

int twin__sp_edge_holding(const twin_sp_edge *e)
{
    return e->host_id && !e->host_online;
}

/* ---- STATE ---------------------------------------------------------------- */

static size_t skip_ws(const char *p, size_t i, size_t n)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

/* The position of the value of top-level key (quoted) in the JSON object,
 * or 0 when absent. A flat scan: Sparkplug's STATE object has two members,
 * a Boolean and a number, and no nesting. */
static size_t json_value(const char *p, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= n; i++) {
        if (p[i] != '"' || memcmp(p + i + 1, key, kl) != 0 || p[i + 1 + kl] != '"')
            continue;
        size_t j = skip_ws(p, i + kl + 2, n);
        if (j < n && p[j] == ':')
            return skip_ws(p, j + 1, n);
    }
    return 0;
}

/* {"online":BOOL,"timestamp":MS} (chapter 3, STATE payload). */
static twin_status state_parse(const char *p, size_t n, int *online, uint64_t *ts)
{
    size_t i = skip_ws(p, 0, n);
    if (i >= n || p[i] != '{')
        return TWIN_E_PARSE;
    size_t v = json_value(p, n, "online");
    if (!v)
        return TWIN_E_PARSE;
    if (v + 4 <= n && memcmp(p + v, "true", 4) == 0)
        *online = 1;
    else if (v + 5 <= n && memcmp(p + v, "false", 5) == 0)
        *online = 0;
    else
        return TWIN_E_PARSE;
    v = json_value(p, n, "timestamp");
    if (!v || v >= n || p[v] < '0' || p[v] > '9')
        return TWIN_E_PARSE;
    uint64_t t = 0;
    for (; v < n && p[v] >= '0' && p[v] <= '9'; v++) {
        if (t > (UINT64_MAX - 9) / 10)
            return TWIN_E_PARSE;
        t = t * 10 + (uint64_t)(p[v] - '0');
    }
    *ts = t;
    return TWIN_OK;
}

twin_status twin__sp_edge_state(twin_sp_edge *e, const void *payload, size_t plen)
{
    int online;
    uint64_t ts;
    if (state_parse((const char *)payload, plen, &online, &ts) < 0)
        return TWIN_E_PARSE;
    /* An older STATE than the last one seen is a stale retained message or a
       late will of an earlier session of the host: ignored. */
    if (e->sf.states && ts < e->sf.host_timestamp) {
        e->sf.stale_states++;
        return TWIN_OK;
    }
    e->sf.states++;
    e->sf.host_timestamp = ts;
    if (online && !e->host_online) {
        /* The host is (back) online: be born again for it (same bdSeq), then
           forward what was stored meanwhile. */
        e->need_nbirth = 1;
        e->round = 0;
    }
    if (!online && e->host_online)
        e->round = 0;
    e->host_online = (uint8_t)online;
    return TWIN_OK;
}

/* ---- records -------------------------------------------------------------- */

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static size_t get16(const uint8_t *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8;
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static const char *signal_name(const twin_sp_edge *e, twin_signal sig)
{
    const char *name = NULL;
    if (twin_ingest_signal_info(e->ing, sig, NULL, &name, NULL) < 0)
        return NULL;
    return name;
}

/* The samples of metric em newer than what was published or stored: its
 * known samples (twin_ingest_get_history(): with a history, every sample
 * since the last round still in the ring; without, the latest) into
 * e->ht / e->hv, from *first to *n. */
static twin_status newer_samples(twin_sp_edge *e, const edge_metric *em, size_t *first,
                                 size_t *n)
{
    twin_status s;
    *first = *n = 0;
    for (;;) {
        s = twin_ingest_get_history(e->ing, em->sig, e->ht, e->hv, e->hcap, n, NULL);
        if (s != TWIN_E_RANGE)
            break;
        size_t c = e->hcap ? e->hcap : 16;
        while (c < *n)
            c *= 2;
        int64_t *t = (int64_t *)sp_alloc(&e->a, c * sizeof *t);
        double *v = (double *)sp_alloc(&e->a, c * sizeof *v);
        if (!t || !v) {
            sp_free(&e->a, t, t ? c * sizeof *t : 0);
            sp_free(&e->a, v, v ? c * sizeof *v : 0);
            return TWIN_E_NOMEM;
        }
        sp_free(&e->a, e->ht, e->hcap * sizeof *e->ht);
        sp_free(&e->a, e->hv, e->hcap * sizeof *e->hv);
        e->ht = t;
        e->hv = v;
        e->hcap = c;
    }
    if (s < 0) {
        *n = 0;
        return TWIN_OK;  /* a signal gone meanwhile: nothing */
    }
    while (*first < *n && em->sent_t != NO_SAMPLE && e->ht[*first] <= em->sent_t)
        (*first)++;
    return TWIN_OK;
}

/* Build device d's record in e->rec: the samples of its metrics newer than
 * published (in time order per metric). *len: 0 when none. */
static twin_status record_build(twin_sp_edge *e, edge_device *d, size_t *len, size_t *count)
{
    size_t need = REC_HEAD + d->id_len, total = 0, first, n;
    twin_status s;
    for (size_t i = 0; i < d->n; i++) {
        const char *name = signal_name(e, d->m[i].sig);
        if (!name)
            continue;
        if ((s = newer_samples(e, &d->m[i], &first, &n)) < 0)
            return s;
        need += (n - first) * (REC_METRIC + strlen(name));
        total += n - first;
    }
    *len = 0;
    *count = 0;
    if (!total)
        return TWIN_OK;
    if (total > 0xffff || d->id_len > 0xffff)
        return TWIN_E_RANGE;
    if (need > e->rec_cap) {
        uint8_t *b = (uint8_t *)sp_alloc(&e->a, need);
        if (!b)
            return TWIN_E_NOMEM;
        sp_free(&e->a, e->rec, e->rec_cap);
        e->rec = b;
        e->rec_cap = need;
    }
    uint8_t *p = e->rec;
    p[0] = REC_VERSION;
    p[1] = 0;
    put16(p + 2, total);
    put16(p + 4, d->id_len);
    memcpy(p + REC_HEAD, d->twin_id, d->id_len);
    p += REC_HEAD + d->id_len;
    for (size_t i = 0; i < d->n; i++) {
        const char *name = signal_name(e, d->m[i].sig);
        if (!name || newer_samples(e, &d->m[i], &first, &n) < 0)
            continue;  /* the buffers are large enough already: no failure */
        size_t nl = strlen(name);
        for (size_t k = first; k < n; k++) {
            uint64_t bits;
            memcpy(&bits, &e->hv[k], sizeof bits);
            put16(p, nl);
            memcpy(p + 2, name, nl);
            put64(p + 2 + nl, (uint64_t)e->ht[k]);
            put64(p + 10 + nl, bits);
            p += REC_METRIC + nl;
        }
    }
    *len = need;
    *count = total;
    return TWIN_OK;
}

/* What was recorded (stored, or refused and dropped) counts as published;
 * stored: it was stored (it waits to be forwarded). */
static void mark_sent(twin_sp_edge *e, edge_device *d, int stored)
{
    for (size_t i = 0; i < d->n; i++) {
        int64_t t;
        if (twin_ingest_get_latest(e->ing, d->m[i].sig, &t, NULL) != TWIN_OK ||
            t == d->m[i].sent_t)
            continue;
        d->m[i].sent_t = t;
        if (stored)
            d->m[i].stored = 1;
    }
    d->dirty = 0;
}

/* Everything stored was forwarded: births carry the latest values again. */
static void forwarded_all(twin_sp_edge *e)
{
    e->sf_pending = 0;
    for (size_t i = 0; i < e->ndev; i++)
        for (size_t j = 0; j < e->dev[i].n; j++)
            e->dev[i].m[j].stored = 0;
}

twin_status twin__sp_edge_record(twin_sp_edge *e)
{
    twin_status res = TWIN_DONE;
    for (size_t i = 0; i < e->ndev; i++) {
        edge_device *d = &e->dev[i];
        size_t len, count;
        if (d->gone || !d->dirty)
            continue;
        twin_status s = record_build(e, d, &len, &count);
        if (s < 0)
            return s;  /* NOMEM: nothing lost, tried again next round */
        if (!len) {
            d->dirty = 0;
            continue;
        }
        s = e->store.append(e->store.ud, e->rec, len);
        if (s == TWIN_OK) {
            e->sf.stored_records++;
            e->sf.stored_samples += count;
            e->sf_pending = 1;
            e->cursor = TWIN_SP_STORE_FIRST;  /* forward from the oldest again */
            mark_sent(e, d, 1);
            if (res == TWIN_DONE)
                res = TWIN_OK;
        } else if (s == TWIN_E_BUSY) {
            /* Full: refused, counted, never sent (the store's policy). */
            e->sf.refused_records++;
            e->sf.refused_samples += count;
            mark_sent(e, d, 0);
            res = TWIN_E_BUSY;
        } else {
            e->sf.store_errors++;  /* kept dirty: tried again */
            if (res != TWIN_E_BUSY)
                res = s < 0 ? s : TWIN_E_IO;
        }
    }
    return res;
}

/* ---- forwarding ----------------------------------------------------------- */

typedef struct fwd {
    twin_sp_edge *e;
    edge_device *d;
    const uint8_t *rec;
    size_t count, body;  /* metrics, offset of the first (record_walk()) */
    uint64_t now_ms;
    size_t sent;
} fwd;

/* Check a record: 0 when well formed, with its metric count, twin id and
 * the offset of its first metric. */
static int record_walk(const uint8_t *r, size_t len, size_t *count, const char **id,
                       size_t *idl, size_t *body)
{
    if (len < REC_HEAD || r[0] != REC_VERSION)
        return -1;
    *count = get16(r + 2);
    *idl = get16(r + 4);
    if (REC_HEAD + *idl > len)
        return -1;
    *id = (const char *)r + REC_HEAD;
    size_t p = REC_HEAD + *idl;
    *body = p;
    for (size_t i = 0; i < *count; i++) {
        if (p + 2 > len)
            return -1;
        size_t nl = get16(r + p);
        if (p + REC_METRIC + nl > len)
            return -1;
        p += REC_METRIC + nl;
    }
    return p == len ? 0 : -1;
}

static edge_metric *metric_by_name(twin_sp_edge *e, edge_device *d, const char *name, size_t nl)
{
    for (size_t i = 0; i < d->n; i++) {
        const char *s = signal_name(e, d->m[i].sig);
        if (s && strlen(s) == nl && memcmp(s, name, nl) == 0)
            return &d->m[i];
    }
    return NULL;
}

/* The historical DDATA's payload: every metric of the record that is still
 * the device's, by the session's alias, is_historical set. */
static twin_status fwd_payload(sp_w *w, void *ctx)
{
    fwd *f = (fwd *)ctx;
    size_t q = f->body;
    twin__sp_edge_header(w, f->now_ms);
    f->sent = 0;
    for (size_t i = 0; i < f->count; i++) {
        size_t nl = get16(f->rec + q);
        const char *name = (const char *)f->rec + q + 2;
        int64_t t = (int64_t)get64(f->rec + q + 2 + nl);
        uint64_t bits = get64(f->rec + q + 10 + nl);
        q += REC_METRIC + nl;
        edge_metric *em = metric_by_name(f->e, f->d, name, nl);
        if (!em)
            continue;
        twin_sp_metric m;
        twin_status s;
        memset(&m, 0, sizeof m);
        m.alias = em->alias;
        m.flags = TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP | TWIN_SP_HISTORICAL;
        m.timestamp = t < 0 ? 0 : (uint64_t)(t / 1000);
        m.datatype = TWIN_SP_DOUBLE;
        memcpy(&m.value.d, &bits, sizeof bits);
        if ((s = twin__sp_put_metric(w, &m)) < 0)
            return s;
        f->sent++;
    }
    twin__sp_edge_seq_tail(w, f->e->seq);
    return TWIN_OK;
}

void twin__sp_edge_confirm(twin_sp_edge *e)
{
    if (!e->inflight)
        return;
    e->inflight = 0;
    if (e->store.confirm(e->store.ud, e->inflight_next) < 0)
        e->sf.store_errors++;  /* it will be sent again: the host drops duplicates */
}

/* Skip a record that cannot be sent (counted): confirm it at once. */
static void skip_record(twin_sp_edge *e, uint64_t next, size_t samples)
{
    e->sf.orphaned += samples ? samples : 1;
    if (e->store.confirm(e->store.ud, next) < 0)
        e->sf.store_errors++;
    e->cursor = next;
}

twin_status twin__sp_edge_forward(twin_sp_edge *e, uint64_t now_ms, twin_sp_message *msg,
                                  void *buf, size_t cap, size_t *needed)
{
    for (;;) {
        size_t len = 0;
        uint64_t next = 0;
        twin_status s = e->store.read(e->store.ud, e->cursor, e->rec, e->rec_cap, &len, &next);
        if (s == TWIN_E_RANGE) {
            uint8_t *b = (uint8_t *)sp_alloc(&e->a, len);
            if (!b)
                return TWIN_E_NOMEM;
            sp_free(&e->a, e->rec, e->rec_cap);
            e->rec = b;
            e->rec_cap = len;
            continue;
        }
        if (s == TWIN_DONE) {
            forwarded_all(e);
            return TWIN_DONE;
        }
        if (s < 0) {
            e->sf.store_errors++;  /* tried again next round */
            return TWIN_DONE;
        }
        const char *id;
        size_t idl, count, body;
        if (record_walk(e->rec, len, &count, &id, &idl, &body) < 0) {
            skip_record(e, next, 0);
            continue;
        }
        edge_device *d = twin__sp_edge_device_find(e, id, idl);
        if (!d || d->gone || !d->born) {
            skip_record(e, next, count);
            continue;
        }
        fwd f;
        memset(&f, 0, sizeof f);
        f.e = e;
        f.d = d;
        f.rec = e->rec;
        f.count = count;
        f.body = body;
        f.now_ms = now_ms;
        /* a first pass without a buffer counts what is still the device's */
        twin_sp_message probe;
        size_t pn = 0;
        (void)twin__sp_message(&probe, NULL, 0, &pn, TWIN_SP_DDATA, e->group, e->node,
                               d->dev_id, fwd_payload, &f);
        if (!f.sent) {
            skip_record(e, next, count);
            continue;
        }
        if ((s = twin__sp_message(msg, buf, cap, needed, TWIN_SP_DDATA, e->group, e->node,
                                  d->dev_id, fwd_payload, &f)) < 0)
            return s;
        e->sf.orphaned += count - f.sent;
        e->sf.forwarded_records++;
        e->sf.forwarded_samples += f.sent;
        e->st.published[TWIN_SP_DDATA]++;
        e->st.metrics += f.sent;
        e->seq++;
        e->cursor = next;
        e->inflight = 1;
        e->inflight_next = next;
        return TWIN_OK;
    }
}
