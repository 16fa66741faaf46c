/* The Edge Node session (specification chapter 5): the twins of a graph
 * that have signals in an ingest handle are its Devices, their signals
 * Double metrics. A pull state machine: twin_sp_edge_next() syncs with the
 * graph and the ingest handle at the start of a round, then hands out one
 * message per call (NBIRTH, DDEATHs, DBIRTHs, DDATAs) until TWIN_DONE.
 * State changes only when a message was built, so a buffer too small
 * loses nothing. */
#include "edge_int.h"

#include <string.h>

#define REBIRTH_NAME "Node Control/Rebirth"
#define BDSEQ_NAME "bdSeq"

TWIN_SP_API twin_status twin_sp_edge_options_init_(twin_sp_edge_options *o, size_t size)
{
    twin_sp_edge_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    return twin__sized_init(o, size, &d, sizeof d);
}

static void device_free(twin_sp_edge *e, edge_device *d)
{
    sp_free(&e->a, d->twin_id, d->id_len + 1);
    sp_free(&e->a, d->dev_id, d->dev_len + 1);
    sp_free(&e->a, d->m, d->cap * sizeof *d->m);
}

TWIN_SP_API void twin_sp_edge_destroy(twin_sp_edge *e)
{
    if (!e)
        return;
    twin_allocator a = e->a;
    for (size_t i = 0; i < e->ndev; i++)
        device_free(e, &e->dev[i]);
    sp_free(&a, e->dev, e->capdev * sizeof *e->dev);
    sp_free(&a, e->index, e->index_cap * sizeof *e->index);
    sp_free(&a, e->group, strlen(e->group) + 1);
    sp_free(&a, e->node, strlen(e->node) + 1);
    sp_free(&a, e->host_id, e->host_id ? strlen(e->host_id) + 1 : 0);
    sp_free(&a, e->state_topic, e->state_topic ? strlen(e->state_topic) + 1 : 0);
    sp_free(&a, e->rec, e->rec_cap);
    sp_free(&a, e->ht, e->hcap * sizeof *e->ht);
    sp_free(&a, e->hv, e->hcap * sizeof *e->hv);
    sp_free(&a, e, sizeof *e);
}

TWIN_SP_API twin_status twin_sp_edge_create(twin_sp_edge **out, const twin_graph *g,
                                            const twin_ingest *ing,
                                            const twin_sp_edge_options *o)
{
    twin_sp_edge_options opt;
    twin_allocator al = *twin_allocator_default();
    twin_status st;
    if (!out)
        return TWIN_E_INVAL;
    *out = NULL;
    if (!g || !ing || !o)
        return TWIN_E_INVAL;
    twin_sp_edge_options_init(&opt);
    if ((st = twin__sized_in(&opt, sizeof opt, o)) != TWIN_OK ||
        (st = twin__sized_in(&al, sizeof al, opt.alloc)) != TWIN_OK)
        return st;
    if (!opt.group_id || !opt.node_id || !twin__sp_id_ok(opt.group_id, strlen(opt.group_id)) ||
        !twin__sp_id_ok(opt.node_id, strlen(opt.node_id)) || opt.bdseq > 255 ||
        !al.alloc || !al.free)
        return TWIN_E_INVAL;
    const twin_allocator *a = &al;
    twin_sp_edge *e = (twin_sp_edge *)sp_alloc(a, sizeof *e);
    if (!e)
        return TWIN_E_NOMEM;
    memset(e, 0, sizeof *e);
    e->a = *a;
    e->g = g;
    e->ing = ing;
    e->bdseq = opt.bdseq;
    e->next_alias = 1;
    e->group = twin__sp_strndup(a, opt.group_id, strlen(opt.group_id));
    e->node = twin__sp_strndup(a, opt.node_id, strlen(opt.node_id));
    if (!e->group || !e->node) {
        sp_free(a, e->group, e->group ? strlen(e->group) + 1 : 0);
        sp_free(a, e->node, e->node ? strlen(e->node) + 1 : 0);
        sp_free(a, e, sizeof *e);
        return TWIN_E_NOMEM;
    }
    *out = e;
    return TWIN_OK;
}

/* ---- the device index ----------------------------------------------------- */

static twin_status index_rebuild(twin_sp_edge *e, size_t want_cap)
{
    if (want_cap > e->index_cap) {
        uint32_t *ix = (uint32_t *)sp_alloc(&e->a, want_cap * sizeof *ix);
        if (!ix)
            return TWIN_E_NOMEM;
        sp_free(&e->a, e->index, e->index_cap * sizeof *e->index);
        e->index = ix;
        e->index_cap = want_cap;
    }
    if (!e->index_cap)
        return TWIN_OK;
    memset(e->index, 0, e->index_cap * sizeof *e->index);
    for (size_t i = 0; i < e->ndev; i++) {
        size_t h = twin__sp_hash(e->dev[i].twin_id, e->dev[i].id_len) & (e->index_cap - 1);
        while (e->index[h])
            h = (h + 1) & (e->index_cap - 1);
        e->index[h] = (uint32_t)(i + 1);
    }
    return TWIN_OK;
}

edge_device *twin__sp_edge_device_find(twin_sp_edge *e, const char *id, size_t n)
{
    if (!e->index_cap)
        return NULL;
    size_t h = twin__sp_hash(id, n) & (e->index_cap - 1);
    for (; e->index[h]; h = (h + 1) & (e->index_cap - 1)) {
        edge_device *d = &e->dev[e->index[h] - 1];
        if (d->id_len == n && memcmp(d->twin_id, id, n) == 0)
            return d;
    }
    return NULL;
}

static twin_status device_add(twin_sp_edge *e, const char *id, size_t n, edge_device **out)
{
    size_t elen = 0;
    twin_sp_id_escape(NULL, 0, &elen, id, n);
    edge_device d;
    memset(&d, 0, sizeof d);
    d.id_len = n;
    d.dev_len = elen;
    d.twin_id = twin__sp_strndup(&e->a, id, n);
    d.dev_id = (char *)sp_alloc(&e->a, elen + 1);
    twin_status s = d.twin_id && d.dev_id ? TWIN_OK : TWIN_E_NOMEM;
    if (s == TWIN_OK)
        s = twin__sp_grow(&e->a, (void **)&e->dev, &e->capdev, e->ndev + 1, sizeof *e->dev);
    if (s == TWIN_OK && (e->ndev + 1) * 2 > e->index_cap) {
        size_t c = e->index_cap ? e->index_cap * 2 : 16;
        e->ndev++;  /* rebuild with the room the new device needs */
        e->dev[e->ndev - 1] = d;
        s = index_rebuild(e, c);
        e->ndev--;
    }
    if (s < 0) {
        sp_free(&e->a, d.twin_id, n + 1);
        sp_free(&e->a, d.dev_id, elen + 1);
        return s;
    }
    twin_sp_id_escape(d.dev_id, elen + 1, NULL, id, n);
    d.need_birth = 1;
    e->dev[e->ndev++] = d;
    index_rebuild(e, 0);
    *out = &e->dev[e->ndev - 1];
    return TWIN_OK;
}

/* ---- sync: what the graph and the ingest handle hold now ------------------ */

/* The metric of sig in d. The ingest handle lists a device's signals in
 * the same order round after round: the one after the last found is tried
 * first, so a round costs one comparison per signal, not a scan. */
static edge_metric *metric_find(edge_device *d, twin_signal sig)
{
    size_t i = d->hint < d->n ? d->hint : 0;
    for (size_t k = 0; k < d->n; k++) {
        if (d->m[i].sig == sig) {
            d->hint = i + 1;
            return &d->m[i];
        }
        i = i + 1 < d->n ? i + 1 : 0;
    }
    return NULL;
}

static twin_status sync(twin_sp_edge *e)
{
    uint64_t cursor = 0;
    twin_signal sig;
    twin_status s;
    /* The ingest handle keeps one copy of a twin's identifier: a signal
       with the same pointer as the one before is of the same device. */
    const char *last_id = NULL;
    size_t last_dev = 0;
    e->gen++;
    while ((s = twin_ingest_signals_next(e->ing, &cursor, &sig)) == TWIN_OK) {
        const char *twin_id;
        edge_device *d;
        if (twin_ingest_signal_info(e->ing, sig, &twin_id, NULL, NULL) < 0)
            continue;
        if (twin_id == last_id && last_dev < e->ndev) {
            d = &e->dev[last_dev];
        } else {
            size_t n = strlen(twin_id);
            d = twin__sp_edge_device_find(e, twin_id, n);
            if (!d && (s = device_add(e, twin_id, n, &d)) < 0)
                return s;
            last_id = twin_id;
            last_dev = (size_t)(d - e->dev);
        }
        edge_metric *m = metric_find(d, sig);
        if (!m) {
            if ((s = twin__sp_grow(&e->a, (void **)&d->m, &d->cap, d->n + 1, sizeof *d->m)) < 0)
                return s;
            m = &d->m[d->n++];
            memset(m, 0, sizeof *m);
            m->sig = sig;
            m->alias = e->next_alias++;
            m->sent_t = NO_SAMPLE;
            m->live_t = NO_SAMPLE;
            d->need_birth = 1;
        }
        m->seen = e->gen;
        d->seen = e->gen;
        int64_t t;
        if (twin_ingest_get_latest(e->ing, sig, &t, NULL) == TWIN_OK && t != m->sent_t)
            d->dirty = 1;
    }
    if (s < 0)
        return s;
    for (size_t i = 0; i < e->ndev; i++) {
        edge_device *d = &e->dev[i];
        size_t k = 0;
        for (size_t j = 0; j < d->n; j++)
            if (d->m[j].seen == e->gen)
                d->m[k++] = d->m[j];
        if (k != d->n)
            d->need_birth = 1;  /* a signal went: the metric set changed */
        d->n = k;
        if (d->seen != e->gen || twin_graph_find_twin(e->g, d->twin_id, NULL) != TWIN_OK)
            d->gone = 1;
    }
    /* Devices never born that went need no DDEATH: drop them now. */
    size_t k = 0;
    for (size_t i = 0; i < e->ndev; i++) {
        if (e->dev[i].gone && !e->dev[i].born)
            device_free(e, &e->dev[i]);
        else
            e->dev[k++] = e->dev[i];
    }
    if (k != e->ndev) {
        e->ndev = k;
        index_rebuild(e, 0);
    }
    return TWIN_OK;
}

/* ---- payloads ------------------------------------------------------------- */

typedef struct build {
    twin_sp_edge *e;
    edge_device *d;
    uint64_t now_ms;
    uint32_t bdseq;
    int type;
    size_t metrics;  /* metrics written */
} build;

static uint64_t ms(int64_t t_us)
{
    return t_us < 0 ? 0 : (uint64_t)(t_us / 1000);
}

void twin__sp_edge_header(sp_w *w, uint64_t now_ms)
{
    sp_put_tag(w, 1, SP_WT_VARINT);
    sp_put_varint(w, now_ms);
}

void twin__sp_edge_seq_tail(sp_w *w, uint8_t seq)
{
    twin_sp_payload p;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ;
    p.seq = seq;
    twin__sp_put_header_tail(w, &p);
}

static twin_status bdseq_metric(sp_w *w, uint32_t bdseq, uint64_t now_ms, int with_time)
{
    twin_sp_metric m;
    memset(&m, 0, sizeof m);
    m.name = BDSEQ_NAME;
    m.name_len = (uint32_t)strlen(BDSEQ_NAME);
    m.datatype = TWIN_SP_INT64;
    m.flags = TWIN_SP_HAS_DATATYPE | (with_time ? TWIN_SP_HAS_TIMESTAMP : 0);
    m.timestamp = now_ms;
    m.value.i = bdseq;
    return twin__sp_put_metric(w, &m);
}

static twin_status ndeath_payload(sp_w *w, void *ctx)
{
    build *b = (build *)ctx;
    return bdseq_metric(w, b->bdseq, 0, 0);
}

static twin_status nbirth_payload(sp_w *w, void *ctx)
{
    build *b = (build *)ctx;
    twin_sp_metric m;
    twin_status s;
    twin__sp_edge_header(w, b->now_ms);
    if ((s = bdseq_metric(w, b->bdseq, b->now_ms, 1)) < 0)
        return s;
    memset(&m, 0, sizeof m);
    m.name = REBIRTH_NAME;  /* never an alias (chapter 5, Rebirth) */
    m.name_len = (uint32_t)strlen(REBIRTH_NAME);
    m.datatype = TWIN_SP_BOOLEAN;
    m.flags = TWIN_SP_HAS_DATATYPE | TWIN_SP_HAS_TIMESTAMP;
    m.timestamp = b->now_ms;
    m.value.u = 0;
    if ((s = twin__sp_put_metric(w, &m)) < 0)
        return s;
    twin__sp_edge_seq_tail(w, 0);
    return TWIN_OK;
}

static twin_status device_payload(sp_w *w, void *ctx)
{
    build *b = (build *)ctx;
    edge_device *d = b->d;
    twin_status s;
    twin__sp_edge_header(w, b->now_ms);
    b->metrics = 0;
    for (size_t i = 0; b->type != TWIN_SP_DDEATH && i < d->n; i++) {
        edge_metric *em = &d->m[i];
        twin_sp_metric m;
        int64_t t;
        double v;
        int has = twin_ingest_get_latest(b->e->ing, em->sig, &t, &v) == TWIN_OK;
        if (b->type == TWIN_SP_DBIRTH && em->stored) {
            /* Samples wait in the store: the birth carries the value the host
               last had from us (null when none), so that the historical DATA
               that follows comes after it, in time order, and never behind a
               newer value. */
            has = em->live_t != NO_SAMPLE;
            t = em->live_t;
            v = em->live_v;
        }
        if (b->type == TWIN_SP_DDATA && (!has || t == em->sent_t))
            continue;
        if (b->type == TWIN_SP_DDATA) {  /* the usual case: alias, timestamp, value */
            twin__sp_put_double_metric(w, em->alias, ms(t), v);
            b->metrics++;
            continue;
        }
        memset(&m, 0, sizeof m);
        m.alias = em->alias;
        m.flags = TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP;
        m.timestamp = has ? ms(t) : b->now_ms;
        m.datatype = TWIN_SP_DOUBLE;
        if (has)
            m.value.d = v;
        else
            m.flags |= TWIN_SP_NULL;
        uint8_t props[160];
        if (b->type == TWIN_SP_DBIRTH) {
            const char *name, *unit;
            twin_ingest_signal_info(b->e->ing, em->sig, NULL, &name, &unit);
            m.name = name;
            m.name_len = (uint32_t)strlen(name);
            m.flags |= TWIN_SP_HAS_DATATYPE;
            if (unit && *unit) {
                twin_sp_property p;
                size_t plen;
                memset(&p, 0, sizeof p);
                p.key = "engUnit";
                p.key_len = 7;
                p.datatype = TWIN_SP_STRING;
                p.data = (const uint8_t *)unit;
                p.len = (uint32_t)strlen(unit);
                if (twin_sp_properties_encode(&p, 1, props, sizeof props, &plen) == TWIN_OK) {
                    m.properties = props;
                    m.properties_len = (uint32_t)plen;
                    m.flags |= TWIN_SP_HAS_PROPERTIES;
                }
            }
        }
        if ((s = twin__sp_put_metric(w, &m)) < 0)
            return s;
        b->metrics++;
    }
    twin__sp_edge_seq_tail(w, b->e->seq);
    return TWIN_OK;
}

/* ---- the session ---------------------------------------------------------- */

TWIN_SP_API twin_status twin_sp_edge_connect(twin_sp_edge *e, twin_sp_message *msg, void *buf,
                                             size_t cap, size_t *needed)
{
    if (!e || !msg || (!buf && cap))
        return TWIN_E_INVAL;
    build b;
    memset(&b, 0, sizeof b);
    b.e = e;
    b.bdseq = e->connected_once ? (e->bdseq + 1) & 255 : e->bdseq;
    twin_status s = twin__sp_message(msg, buf, cap, needed, TWIN_SP_NDEATH, e->group, e->node,
                                     NULL, ndeath_payload, &b);
    if (s < 0)
        return s;
    msg->qos = 1;  /* the will: QoS 1, not retained (chapter 5) */
    e->bdseq = b.bdseq;
    if (e->connected_once && e->has_store)
        e->held = 1;  /* the link was down: what came meanwhile goes to the store */
    e->connected_once = 1;
    e->session = 1;
    e->need_nbirth = 1;
    e->round = 0;
    /* The primary host is offline until its (retained) STATE says otherwise;
       a record handed out in the last session is sent again (not confirmed). */
    e->host_online = 0;
    e->inflight = 0;
    e->cursor = TWIN_SP_STORE_FIRST;
    e->sf_pending = (uint8_t)e->has_store;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_edge_death(twin_sp_edge *e, twin_sp_message *msg, void *buf,
                                           size_t cap, size_t *needed)
{
    if (!e || !msg || (!buf && cap))
        return TWIN_E_INVAL;
    if (!e->session)
        return TWIN_E_STATE;
    build b;
    memset(&b, 0, sizeof b);
    b.e = e;
    b.bdseq = e->bdseq;
    twin_status s = twin__sp_message(msg, buf, cap, needed, TWIN_SP_NDEATH, e->group, e->node,
                                     NULL, ndeath_payload, &b);
    if (s < 0)
        return s;
    msg->qos = 1;
    e->session = 0;
    e->st.published[TWIN_SP_NDEATH]++;
    return TWIN_OK;
}

static void drop_device(twin_sp_edge *e, size_t i)
{
    device_free(e, &e->dev[i]);
    memmove(&e->dev[i], &e->dev[i + 1], (e->ndev - i - 1) * sizeof *e->dev);
    e->ndev--;
    index_rebuild(e, 0);
}

TWIN_SP_API twin_status twin_sp_edge_next(twin_sp_edge *e, int64_t now_us, twin_sp_message *msg,
                                          void *buf, size_t cap, size_t *needed)
{
    if (!e || !msg || (!buf && cap))
        return TWIN_E_INVAL;
    if (!e->session)
        return TWIN_E_STATE;
    twin_status s;
    twin__sp_edge_confirm(e);  /* the last message was taken */
    if (!e->round) {
        if ((s = sync(e)) < 0)
            return s;
        e->round = 1;
    }
    if (twin__sp_edge_holding(e)) {
        /* No births before the primary host is online (chapter 5,
           [tck-id-message-flow-edge-node-birth-publish-phid-wait]); its DATA
           goes to the store meanwhile (counted there when refused). */
        e->round = 0;
        if (e->has_store && (s = twin__sp_edge_record(e)) != TWIN_DONE) {
            if (s == TWIN_E_NOMEM)
                return s;  /* nothing lost: the samples wait for the next call */
            e->held = 1;
        }
        return TWIN_DONE;
    }
    build b;
    memset(&b, 0, sizeof b);
    b.e = e;
    b.now_ms = ms(now_us);
    b.bdseq = e->bdseq;
    if (e->need_nbirth) {
        /* Samples since the last hold round go to the store too, so that
           every one of them reaches the host as historical DATA. */
        if (e->has_store && e->held) {
            if ((s = twin__sp_edge_record(e)) == TWIN_E_NOMEM)
                return s;
            if (s == TWIN_OK || s == TWIN_DONE || s == TWIN_E_BUSY)
                e->held = 0;
        }
        if ((s = twin__sp_message(msg, buf, cap, needed, TWIN_SP_NBIRTH, e->group, e->node,
                                  NULL, nbirth_payload, &b)) < 0)
            return s;
        e->need_nbirth = 0;
        e->seq = 1;
        size_t k = 0;
        for (size_t i = 0; i < e->ndev; i++) {
            if (e->dev[i].gone) {  /* dead before this session's births */
                device_free(e, &e->dev[i]);
                continue;
            }
            e->dev[i].born = 0;
            e->dev[i].need_birth = 1;
            e->dev[k++] = e->dev[i];
        }
        if (k != e->ndev) {
            e->ndev = k;
            index_rebuild(e, 0);
        }
        e->st.published[TWIN_SP_NBIRTH]++;
        return TWIN_OK;
    }
    /* A DDEATH for a born device that went, a DBIRTH for each device whose
       metric set is new, the stored records as historical DDATA, then a
       DDATA for each device with newer samples. */
    static const int order[3] = {TWIN_SP_DDEATH, TWIN_SP_DBIRTH, TWIN_SP_DDATA};
    for (int k = 0; k < 3; k++) {
        if (order[k] == TWIN_SP_DDATA && e->has_store && e->sf_pending &&
            (s = twin__sp_edge_forward(e, b.now_ms, msg, buf, cap, needed)) != TWIN_DONE)
            return s;
        for (size_t i = 0; i < e->ndev; i++) {
            edge_device *d = &e->dev[i];
            int due = order[k] == TWIN_SP_DDEATH ? d->gone
                    : order[k] == TWIN_SP_DBIRTH ? !d->gone && d->need_birth
                                                 : !d->gone && d->born && d->dirty;
            if (!due)
                continue;
            b.d = d;
            b.type = order[k];
            if ((s = twin__sp_message(msg, buf, cap, needed, (twin_sp_msg)order[k], e->group,
                                      e->node, d->dev_id, device_payload, &b)) < 0)
                return s;
            e->seq++;  /* uint8_t: 255 wraps to 0 */
            e->st.published[order[k]]++;
            e->st.metrics += b.metrics;
            if (order[k] == TWIN_SP_DDEATH) {
                drop_device(e, i);
                return TWIN_OK;
            }
            for (size_t j = 0; j < d->n; j++) {
                edge_metric *em = &d->m[j];
                int64_t t;
                double v;
                if (twin_ingest_get_latest(e->ing, em->sig, &t, &v) != TWIN_OK)
                    continue;
                em->sent_t = t;
                if (!em->stored) {  /* published live: the host has it */
                    em->live_t = t;
                    em->live_v = v;
                }
            }
            d->born = 1;
            d->need_birth = 0;
            d->dirty = 0;
            return TWIN_OK;
        }
    }
    e->round = 0;
    return TWIN_DONE;
}

TWIN_SP_API twin_status twin_sp_edge_receive(twin_sp_edge *e, const char *topic, size_t tlen,
                                             const void *payload, size_t plen)
{
    twin_sp_topic t;
    if (!e || !topic || (!payload && plen))
        return TWIN_E_INVAL;
    if (twin_sp_topic_parse(topic, tlen, &t) == TWIN_OK && t.type == TWIN_SP_STATE) {
        if (!e->host_id || t.node_len != strlen(e->host_id) ||
            memcmp(t.node, e->host_id, t.node_len) != 0)
            return TWIN_E_NOTFOUND;
        if (twin__sp_edge_state(e, payload ? payload : "", plen) < 0) {
            e->st.malformed++;
            return TWIN_E_PARSE;
        }
        return TWIN_OK;
    }
    if (twin_sp_topic_parse(topic, tlen, &t) < 0 ||
        (t.type != TWIN_SP_NCMD && t.type != TWIN_SP_DCMD) ||
        t.group_len != strlen(e->group) || memcmp(t.group, e->group, t.group_len) != 0 ||
        t.node_len != strlen(e->node) || memcmp(t.node, e->node, t.node_len) != 0)
        return TWIN_E_NOTFOUND;
    sp_reader r;
    twin_sp_payload p;
    twin_sp_metric m;
    twin_status s;
    int rebirth = 0;
    if ((s = twin__sp_read_begin(&r, payload ? payload : "", plen, &p, NULL)) == TWIN_OK)
        while ((s = twin__sp_read_metric(&r, &m, NULL)) == TWIN_OK)
            if (t.type == TWIN_SP_NCMD && m.name && m.name_len == strlen(REBIRTH_NAME) &&
                memcmp(m.name, REBIRTH_NAME, m.name_len) == 0 &&
                m.field == TWIN_SP_FIELD_BOOLEAN && m.value.u)
                rebirth = 1;
    if (s < 0) {
        e->st.malformed++;
        return TWIN_E_PARSE;
    }
    if (!rebirth) {
        e->st.refused++;  /* read-only: writes are refused */
        return TWIN_E_CONSTRAINT;
    }
    e->st.rebirths++;
    e->need_nbirth = 1;
    e->round = 0;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_edge_get_stats(const twin_sp_edge *e, twin_sp_edge_stats *out)
{
    twin_sp_edge_stats r;
    twin_status st;
    if (!e || !out)
        return TWIN_E_INVAL;
    if ((st = twin__sized_check(out, sizeof r)) != TWIN_OK)
        return st;
    r = e->st;
    r.size = sizeof r;
    uint32_t born = 0;
    for (size_t i = 0; i < e->ndev; i++)
        born += e->dev[i].born && !e->dev[i].gone;
    r.devices = born;
    return twin__sized_out(out, &r, sizeof r);
}

TWIN_SP_API twin_status twin_sp_edge_hold(twin_sp_edge *e, int64_t now_us)
{
    twin_status s;
    (void)now_us;
    if (!e)
        return TWIN_E_INVAL;
    if (!e->has_store)
        return TWIN_E_STATE;
    /* A record handed out just before the link went may not have reached
       the broker: not confirmed, sent again after the next births. */
    e->inflight = 0;
    e->cursor = TWIN_SP_STORE_FIRST;
    if ((s = sync(e)) < 0)
        return s;
    e->round = 0;
    s = twin__sp_edge_record(e);
    if (s == TWIN_OK || s == TWIN_E_BUSY)
        e->held = 1;
    return s;
}
