/* The Host Application session (specification chapter 5): per Edge Node,
 * its bdSeq, its seq with a reorder timer, its alias table (from NBIRTH and
 * DBIRTHs) and its devices; rebirth requests as NCMD messages to publish;
 * the host's STATE message.
 *
 * What a session keeps grows with what arrives, so each count has a limit
 * (sparkplug.h, docs/limits.md), checked before anything changes and
 * refused with TWIN_E_RANGE: metrics per payload (they size the scratch
 * array), nodes, devices per node, BIRTH metrics kept in all, and the
 * length of a BIRTH metric's name. */
#include "sp_int.h"

#include <stdlib.h>
#include <string.h>

#define REBIRTH_NAME "Node Control/Rebirth"
#define BDSEQ_NAME "bdSeq"

typedef struct host_entry {
    char *name;
    uint32_t name_len;
    uint32_t datatype;
    uint64_t alias;
    int32_t device;      /* index in the node's devices; -1: the node's own */
    uint32_t has_alias;
    uint64_t handle;     /* the sink's handle for this metric (0: none) */
} host_entry;

typedef struct host_device {
    char *id;
    size_t len;
    int online;
} host_device;

typedef struct host_node {
    char *group, *node;
    size_t glen, nlen;
    int online;          /* born and not dead */
    int rebirth;         /* a rebirth request is due (twin_sp_host_next()) */
    int gap;             /* a seq gap is open since gap_since */
    int64_t gap_since;
    uint64_t bdseq;
    uint8_t expected;    /* the next seq in order */
    uint32_t ahead[8];   /* seqs received past a gap */
    host_entry *e;
    size_t ne, cape;
    uint32_t *aidx;      /* open addressing by alias: entry index + 1 */
    size_t acap;
    host_device *dev;
    size_t ndev, capdev;
} host_node;

struct twin_sp_host {
    twin_allocator a;
    char *host_id;
    int64_t timeout_us;
    twin_sp_host_event_fn on_event;
    void *event_ud;
    host_node *nodes;
    size_t nnodes, capnodes;
    twin_sp_metric *scratch;
    size_t capscratch;
    twin_sp_host_stats st;
    sp_host_sink sink;            /* bind is NULL: no sink */
    twin_signal_sample *batch;    /* DATA samples for the sink, by handle */
    size_t capbatch;
};

TWIN_SP_API twin_status twin_sp_host_options_init_(twin_sp_host_options *o, size_t size)
{
    twin_sp_host_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.reorder_timeout_us = 2000000;
    return twin__sized_init(o, size, &d, sizeof d);
}

TWIN_SP_API twin_status twin_sp_host_create(twin_sp_host **out, const twin_sp_host_options *o)
{
    twin_sp_host_options opt;
    twin_allocator al = *twin_allocator_default();
    twin_status st;
    if (!out)
        return TWIN_E_INVAL;
    *out = NULL;
    if (!o)
        return TWIN_E_INVAL;
    twin_sp_host_options_init(&opt);
    if ((st = twin__sized_in(&opt, sizeof opt, o)) != TWIN_OK ||
        (st = twin__sized_in(&al, sizeof al, opt.alloc)) != TWIN_OK)
        return st;
    if (!opt.host_id || !twin__sp_id_ok(opt.host_id, strlen(opt.host_id)) ||
        opt.reorder_timeout_us <= 0 || !al.alloc || !al.free)
        return TWIN_E_INVAL;
    const twin_allocator *a = &al;
    twin_sp_host *h = (twin_sp_host *)sp_alloc(a, sizeof *h);
    if (!h)
        return TWIN_E_NOMEM;
    memset(h, 0, sizeof *h);
    h->a = *a;
    h->timeout_us = opt.reorder_timeout_us;
    h->on_event = opt.on_event;
    h->event_ud = opt.event_ud;
    if (!(h->host_id = twin__sp_strndup(a, opt.host_id, strlen(opt.host_id)))) {
        sp_free(a, h, sizeof *h);
        return TWIN_E_NOMEM;
    }
    *out = h;
    return TWIN_OK;
}

/* Forget a node's metrics (entries and alias index); devices stay. */
static void node_clear_entries(twin_sp_host *h, host_node *n)
{
    for (size_t i = 0; i < n->ne; i++)
        sp_free(&h->a, n->e[i].name, n->e[i].name_len + 1);
    n->ne = 0;
    if (n->acap)
        memset(n->aidx, 0, n->acap * sizeof *n->aidx);
}

static void node_free(twin_sp_host *h, host_node *n)
{
    node_clear_entries(h, n);
    sp_free(&h->a, n->e, n->cape * sizeof *n->e);
    sp_free(&h->a, n->aidx, n->acap * sizeof *n->aidx);
    for (size_t i = 0; i < n->ndev; i++)
        sp_free(&h->a, n->dev[i].id, n->dev[i].len + 1);
    sp_free(&h->a, n->dev, n->capdev * sizeof *n->dev);
    sp_free(&h->a, n->group, n->glen + 1);
    sp_free(&h->a, n->node, n->nlen + 1);
}

TWIN_SP_API void twin_sp_host_destroy(twin_sp_host *h)
{
    if (!h)
        return;
    twin_allocator a = h->a;
    for (size_t i = 0; i < h->nnodes; i++)
        node_free(h, &h->nodes[i]);
    sp_free(&a, h->nodes, h->capnodes * sizeof *h->nodes);
    sp_free(&a, h->scratch, h->capscratch * sizeof *h->scratch);
    sp_free(&a, h->batch, h->capbatch * sizeof *h->batch);
    if (h->sink.fini)
        h->sink.fini(h->sink.ud);
    sp_free(&a, h->host_id, strlen(h->host_id) + 1);
    sp_free(&a, h, sizeof *h);
}

/* ---- lookups -------------------------------------------------------------- */

static host_node *node_find(twin_sp_host *h, const char *g, size_t gl, const char *n, size_t nl)
{
    for (size_t i = 0; i < h->nnodes; i++) {
        host_node *x = &h->nodes[i];
        if (x->glen == gl && x->nlen == nl && memcmp(x->group, g, gl) == 0 &&
            memcmp(x->node, n, nl) == 0)
            return x;
    }
    return NULL;
}

static int device_find(const host_node *n, const char *id, size_t len)
{
    for (size_t i = 0; i < n->ndev; i++)
        if (n->dev[i].len == len && memcmp(n->dev[i].id, id, len) == 0)
            return (int)i;
    return -1;
}

static uint32_t alias_hash(uint64_t a)
{
    a ^= a >> 33;
    a *= 0xff51afd7ed558ccdull;
    a ^= a >> 33;
    return (uint32_t)a;
}

static host_entry *alias_find(host_node *n, uint64_t alias)
{
    if (!n->acap)
        return NULL;
    for (size_t s = alias_hash(alias) & (n->acap - 1); n->aidx[s]; s = (s + 1) & (n->acap - 1))
        if (n->e[n->aidx[s] - 1].alias == alias)
            return &n->e[n->aidx[s] - 1];
    return NULL;
}

static host_entry *name_find(host_node *n, int device, const char *name, size_t len)
{
    for (size_t i = 0; i < n->ne; i++)
        if (n->e[i].device == device && n->e[i].name_len == len &&
            memcmp(n->e[i].name, name, len) == 0)
            return &n->e[i];
    return NULL;
}

/* Rebuild the alias index for ne entries (room for twice as many). */
static twin_status alias_rebuild(twin_sp_host *h, host_node *n)
{
    size_t want = 16;
    while (want < n->ne * 2)
        want *= 2;
    if (want > n->acap) {
        uint32_t *ix = (uint32_t *)sp_alloc(&h->a, want * sizeof *ix);
        if (!ix)
            return TWIN_E_NOMEM;
        sp_free(&h->a, n->aidx, n->acap * sizeof *n->aidx);
        n->aidx = ix;
        n->acap = want;
    }
    memset(n->aidx, 0, n->acap * sizeof *n->aidx);
    for (size_t i = 0; i < n->ne; i++) {
        if (!n->e[i].has_alias)
            continue;
        size_t s = alias_hash(n->e[i].alias) & (n->acap - 1);
        while (n->aidx[s])
            s = (s + 1) & (n->acap - 1);
        n->aidx[s] = (uint32_t)(i + 1);
    }
    return TWIN_OK;
}

/* ---- events --------------------------------------------------------------- */

static void emit(twin_sp_host *h, host_node *n, int kind, int msg, int device,
                 const twin_sp_metric *m)
{
    if (kind == TWIN_SP_EVENT_METRIC)
        h->st.metrics++;
    else if (h->sink.status && device >= 0 && kind == TWIN_SP_EVENT_DEVICE_STALE)
        h->sink.status(h->sink.ud, n->group, n->node, n->dev[device].id, 0);
    if (!h->on_event)
        return;
    twin_sp_host_event ev;
    ev.kind = kind;
    ev.msg = msg;
    ev.group = n->group;
    ev.node = n->node;
    ev.device = device >= 0 ? n->dev[device].id : NULL;
    ev.metric = m;
    h->on_event(h->event_ud, &ev);
}

static int unsupported(const twin_sp_metric *m)
{
    return m->datatype == TWIN_SP_DATASET || m->datatype == TWIN_SP_TEMPLATE ||
           m->field == TWIN_SP_FIELD_DATASET || m->field == TWIN_SP_FIELD_TEMPLATE;
}

/* ---- seq and the reorder timer -------------------------------------------- */

static int bit(const host_node *n, uint8_t s)
{
    return (n->ahead[s >> 5] >> (s & 31)) & 1;
}

static void seq_seen(twin_sp_host *h, host_node *n, uint8_t s, int64_t now)
{
    uint8_t d = (uint8_t)(s - n->expected);
    if (d == 0) {
        n->expected++;
        while (bit(n, n->expected)) {
            n->ahead[n->expected >> 5] &= ~(1u << (n->expected & 31));
            n->expected++;
        }
        int open = 0;
        for (int i = 0; i < 8; i++)
            open |= n->ahead[i] != 0;
        if (!open)
            n->gap = 0;
        return;
    }
    h->st.seq_gaps++;
    if (d < 128) {  /* ahead of a missing one: wait for it, up to the timeout */
        n->ahead[s >> 5] |= 1u << (s & 31);
        if (!n->gap) {
            n->gap = 1;
            n->gap_since = now;
        }
    }
    /* behind: a duplicate or a message given up on; delivered, not counted in order */
}

static void check_timer(twin_sp_host *h, host_node *n, int64_t now)
{
    if (n->gap && now - n->gap_since >= h->timeout_us) {
        n->gap = 0;
        memset(n->ahead, 0, sizeof n->ahead);
        n->rebirth = 1;
    }
}

/* ---- births ----------------------------------------------------------------- */

static int alias_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* BIRTH metrics the session keeps, all nodes together. */
static size_t entries_kept(const twin_sp_host *h)
{
    size_t k = 0;
    for (size_t i = 0; i < h->nnodes; i++)
        k += h->nodes[i].ne;
    return k;
}

/* Check a BIRTH's metrics before anything changes: each has a name of at
 * most TWIN_ID_MAX bytes and a data type, aliases are unique in the message
 * (sorted: O(n log n)) and, for a DBIRTH, not used by another device or the
 * node; the metrics kept, with those of the BIRTH in place of the `replaced`
 * ones it supersedes, stay within TWIN_SP_HOST_METRICS_MAX. */
static twin_status birth_check(twin_sp_host *h, host_node *n, int device,
                               const twin_sp_metric *m, size_t count, size_t replaced)
{
    size_t na = 0;
    uint64_t *al;
    twin_status s = TWIN_OK;
    for (size_t i = 0; i < count; i++) {
        if (!m[i].name || !(m[i].flags & TWIN_SP_HAS_DATATYPE))
            return TWIN_E_PARSE;
        if (m[i].name_len > TWIN_ID_MAX)
            return TWIN_E_RANGE;
        na += (m[i].flags & TWIN_SP_HAS_ALIAS) != 0;
        if (n && (m[i].flags & TWIN_SP_HAS_ALIAS)) {
            host_entry *e = alias_find(n, m[i].alias);
            if (e && e->device != device)
                return TWIN_E_PARSE;
        }
    }
    if (entries_kept(h) - replaced + count > TWIN_SP_HOST_METRICS_MAX)
        return TWIN_E_RANGE;
    if (na < 2)
        return TWIN_OK;
    if (!(al = (uint64_t *)sp_alloc(&h->a, na * sizeof *al)))
        return TWIN_E_NOMEM;
    na = 0;
    for (size_t i = 0; i < count; i++)
        if (m[i].flags & TWIN_SP_HAS_ALIAS)
            al[na++] = m[i].alias;
    qsort(al, na, sizeof *al, alias_cmp);
    for (size_t i = 1; i < na && s == TWIN_OK; i++)
        if (al[i] == al[i - 1])
            s = TWIN_E_PARSE;
    sp_free(&h->a, al, na * sizeof *al);
    return s;
}

/* Room for one node more. */
static int node_room(const twin_sp_host *h)
{
    return h->nnodes < TWIN_SP_HOST_NODES_MAX;
}

static twin_status add_entries(twin_sp_host *h, host_node *n, int device,
                               const twin_sp_metric *m, size_t count)
{
    twin_status s = twin__sp_grow(&h->a, (void **)&n->e, &n->cape, n->ne + count, sizeof *n->e);
    if (s < 0)
        return s;
    for (size_t i = 0; i < count; i++) {
        host_entry *e = &n->e[n->ne];
        if (!(e->name = twin__sp_strndup(&h->a, m[i].name, m[i].name_len)))
            return TWIN_E_NOMEM;
        e->name_len = m[i].name_len;
        e->datatype = m[i].datatype;
        e->alias = m[i].alias;
        e->has_alias = (m[i].flags & TWIN_SP_HAS_ALIAS) != 0;
        e->device = device;
        e->handle = 0;
        n->ne++;
    }
    return alias_rebuild(h, n);
}

/* Room for count samples in the sink's batch (0: none, or no sink). */
static int batch_room(twin_sp_host *h, size_t count)
{
    if (!h->sink.write)
        return 0;
    if (count > h->capbatch)  /* on failure the callback still sees the metrics */
        (void)twin__sp_grow(&h->a, (void **)&h->batch, &h->capbatch, count, sizeof *h->batch);
    return count <= h->capbatch;
}

/* Add a metric bound to handle to the batch (if numeric, not null). */
static size_t batch_add(twin_sp_host *h, size_t nb, uint64_t handle, const twin_sp_metric *m,
                        int64_t t_us)
{
    twin_signal_sample *b = &h->batch[nb];
    if (!handle || twin_sp_metric_to_double(m, &b->value) != TWIN_OK)
        return nb;
    b->signal = handle;
    b->t_us = (m->flags & TWIN_SP_HAS_TIMESTAMP) ? (int64_t)(m->timestamp * 1000u) : t_us;
    return nb + 1;
}

/* The BIRTH's metrics are the last count entries of the node: bound by the
 * sink (device births), their values written as a DATA message's. */
static void deliver_birth(twin_sp_host *h, host_node *n, int msg, int device,
                          twin_sp_metric *m, size_t count, int64_t t_us)
{
    host_entry *e = n->e + (n->ne - count);
    int batch = device >= 0 && batch_room(h, count);
    size_t nb = 0;
    for (size_t i = 0; i < count; i++) {
        if (unsupported(&m[i])) {
            h->st.unsupported++;
            continue;
        }
        if (h->sink.bind)
            e[i].handle = h->sink.bind(h->sink.ud, n->group, n->node,
                                       device >= 0 ? n->dev[device].id : NULL, &m[i]);
        if (batch)
            nb = batch_add(h, nb, e[i].handle, &m[i], t_us);
        emit(h, n, TWIN_SP_EVENT_METRIC, msg, device, &m[i]);
    }
    if (nb)
        h->sink.write(h->sink.ud, h->batch, nb);
}

static twin_status nbirth(twin_sp_host *h, const twin_sp_topic *t, const twin_sp_payload *p,
                          twin_sp_metric *m, size_t count)
{
    uint64_t bdseq = 0;
    int has_bdseq = 0;
    host_node *n = node_find(h, t->group, t->group_len, t->node, t->node_len);
    twin_status s;
    if (!(p->flags & TWIN_SP_PAYLOAD_HAS_SEQ) || p->seq > 255)
        return TWIN_E_PARSE;
    if ((s = birth_check(h, NULL, -1, m, count, n ? n->ne : 0)) != TWIN_OK)
        return s;
    for (size_t i = 0; i < count; i++)
        if (m[i].name_len == 5 && memcmp(m[i].name, BDSEQ_NAME, 5) == 0 &&
            (m[i].field == TWIN_SP_FIELD_LONG || m[i].field == TWIN_SP_FIELD_INT)) {
            bdseq = m[i].value.u;
            has_bdseq = 1;
        }
    if (!has_bdseq)
        return TWIN_E_PARSE;
    if (!n && !node_room(h))
        return TWIN_E_RANGE;
    if (!n) {
        s = twin__sp_grow(&h->a, (void **)&h->nodes, &h->capnodes, h->nnodes + 1,
                          sizeof *h->nodes);
        if (s < 0)
            return s;
        n = &h->nodes[h->nnodes];
        memset(n, 0, sizeof *n);
        n->group = twin__sp_strndup(&h->a, t->group, t->group_len);
        n->node = twin__sp_strndup(&h->a, t->node, t->node_len);
        n->glen = t->group_len;
        n->nlen = t->node_len;
        if (!n->group || !n->node) {
            node_free(h, n);
            return TWIN_E_NOMEM;
        }
        h->nnodes++;
    }
    node_clear_entries(h, n);
    for (size_t i = 0; i < n->ndev; i++)
        n->dev[i].online = 0;
    memset(n->ahead, 0, sizeof n->ahead);
    n->gap = 0;
    n->rebirth = 0;
    n->expected = (uint8_t)(p->seq + 1);
    n->bdseq = bdseq;
    s = add_entries(h, n, -1, m, count);
    if (s < 0) {
        node_clear_entries(h, n);
        n->online = 0;
        n->rebirth = 1;
        return s;
    }
    n->online = 1;
    emit(h, n, TWIN_SP_EVENT_NODE_ONLINE, TWIN_SP_NBIRTH, -1, NULL);
    deliver_birth(h, n, TWIN_SP_NBIRTH, -1, m, count, 0);
    return TWIN_OK;
}

static twin_status dbirth(twin_sp_host *h, host_node *n, const twin_sp_topic *t,
                          twin_sp_metric *m, size_t count, int64_t t_us)
{
    int d = device_find(n, t->device, t->device_len);
    size_t replaced = 0;
    twin_status cs;
    for (size_t i = 0; d >= 0 && i < n->ne; i++)
        replaced += n->e[i].device == d;
    if ((cs = birth_check(h, n, d, m, count, replaced)) != TWIN_OK)
        return cs;
    if (d < 0 && n->ndev >= TWIN_SP_HOST_DEVICES_MAX)
        return TWIN_E_RANGE;
    if (d < 0) {
        twin_status s = twin__sp_grow(&h->a, (void **)&n->dev, &n->capdev, n->ndev + 1,
                                      sizeof *n->dev);
        if (s < 0)
            return s;
        host_device *x = &n->dev[n->ndev];
        if (!(x->id = twin__sp_strndup(&h->a, t->device, t->device_len)))
            return TWIN_E_NOMEM;
        x->len = t->device_len;
        x->online = 0;
        d = (int)n->ndev++;
    }
    /* The device's earlier metrics go: keep the others in order. */
    size_t k = 0;
    for (size_t i = 0; i < n->ne; i++) {
        if (n->e[i].device == d)
            sp_free(&h->a, n->e[i].name, n->e[i].name_len + 1);
        else
            n->e[k++] = n->e[i];
    }
    n->ne = k;
    twin_status s = add_entries(h, n, d, m, count);
    if (s < 0) {
        n->online = 0;
        n->rebirth = 1;
        node_clear_entries(h, n);
        return s;
    }
    n->dev[d].online = 1;
    emit(h, n, TWIN_SP_EVENT_DEVICE_ONLINE, TWIN_SP_DBIRTH, d, NULL);
    deliver_birth(h, n, TWIN_SP_DBIRTH, d, m, count, t_us);
    if (h->sink.status)  /* after the births made the twin */
        h->sink.status(h->sink.ud, n->group, n->node, n->dev[d].id, 1);
    return TWIN_OK;
}

/* A DATA message's metrics: named and typed from the alias table, each to
 * the event callback; those bound to a handle go to the sink in one batch
 * (timestamp: the metric's, else the payload's, else now). */
static void data(twin_sp_host *h, host_node *n, int msg, int device, twin_sp_metric *m,
                 size_t count, int64_t t_us)
{
    size_t nb = 0;
    int batch = batch_room(h, count);
    for (size_t i = 0; i < count; i++) {
        host_entry *e = NULL;
        if (m[i].flags & TWIN_SP_HAS_ALIAS)
            e = alias_find(n, m[i].alias);
        else if (m[i].name)
            e = name_find(n, device, m[i].name, m[i].name_len);
        if (!e || e->device != device) {
            h->st.unknown_alias++;
            n->rebirth = 1;
            continue;
        }
        if (unsupported(&m[i]) || e->datatype == TWIN_SP_DATASET ||
            e->datatype == TWIN_SP_TEMPLATE) {
            h->st.unsupported++;
            continue;
        }
        if (((m[i].flags & TWIN_SP_HAS_DATATYPE) && m[i].datatype != e->datatype) ||
            twin_sp_metric_apply_type(&m[i], e->datatype) < 0) {
            h->st.wrong_type++;
            continue;
        }
        m[i].name = e->name;
        m[i].name_len = e->name_len;
        if (batch)
            nb = batch_add(h, nb, e->handle, &m[i], t_us);
        emit(h, n, TWIN_SP_EVENT_METRIC, msg, device, &m[i]);
    }
    if (nb)
        h->sink.write(h->sink.ud, h->batch, nb);
}

static int64_t payload_time(const twin_sp_payload *p, int64_t now_us)
{
    return (p->flags & TWIN_SP_PAYLOAD_HAS_TIMESTAMP) ? (int64_t)(p->timestamp * 1000u) : now_us;
}

static void node_stale(twin_sp_host *h, host_node *n, int msg)
{
    n->online = 0;
    n->gap = 0;
    memset(n->ahead, 0, sizeof n->ahead);
    emit(h, n, TWIN_SP_EVENT_NODE_STALE, msg, -1, NULL);
    for (size_t i = 0; i < n->ndev; i++)
        if (n->dev[i].online) {
            n->dev[i].online = 0;
            emit(h, n, TWIN_SP_EVENT_DEVICE_STALE, msg, (int)i, NULL);
        }
}

TWIN_SP_API twin_status twin_sp_host_receive(twin_sp_host *h, const char *topic, size_t tlen,
                                             const void *payload, size_t plen, int64_t now_us)
{
    twin_sp_topic t;
    twin_sp_payload p;
    twin_status s;
    if (!h || !topic || (!payload && plen))
        return TWIN_E_INVAL;
    if ((s = twin_sp_topic_parse(topic, tlen, &t)) < 0) {
        h->st.malformed++;
        return s;
    }
    if (t.type == TWIN_SP_STATE || t.type == TWIN_SP_NCMD || t.type == TWIN_SP_DCMD)
        return TWIN_E_NOTFOUND;
    for (;;) {
        s = twin_sp_decode(payload ? payload : "", plen, &p, h->scratch, h->capscratch, NULL);
        if (s != TWIN_E_RANGE)
            break;
        if (p.metric_count > TWIN_SP_HOST_PAYLOAD_METRICS_MAX) {
            h->st.malformed++;
            return TWIN_E_RANGE;
        }
        size_t want = (size_t)p.metric_count;
        twin_sp_metric *x = (twin_sp_metric *)sp_alloc(&h->a, want * sizeof *x);
        if (!x)
            return TWIN_E_NOMEM;
        sp_free(&h->a, h->scratch, h->capscratch * sizeof *h->scratch);
        h->scratch = x;
        h->capscratch = want;
    }
    if (s < 0) {
        h->st.malformed++;
        return s;
    }
    size_t count = (size_t)p.metric_count;
    twin_sp_metric *m = h->scratch;
    host_node *n = node_find(h, t.group, t.group_len, t.node, t.node_len);
    if (t.type == TWIN_SP_NBIRTH) {
        if ((s = nbirth(h, &t, &p, m, count)) < 0) {
            if (s == TWIN_E_PARSE || s == TWIN_E_RANGE)
                h->st.malformed++;
            return s;
        }
        h->st.received[t.type]++;
        return TWIN_OK;
    }
    if (t.type == TWIN_SP_NDEATH) {
        uint64_t bdseq = UINT64_MAX;
        for (size_t i = 0; i < count; i++)
            if (m[i].name_len == 5 && memcmp(m[i].name, BDSEQ_NAME, 5) == 0)
                bdseq = m[i].value.u;
        if (!n || !n->online || bdseq != n->bdseq) {
            h->st.stale_deaths++;  /* an old session's will, or a node never born */
            return TWIN_OK;
        }
        h->st.received[t.type]++;
        node_stale(h, n, TWIN_SP_NDEATH);
        return TWIN_OK;
    }
    /* DBIRTH, DDEATH, NDATA, DDATA: in a born node's session, with a seq. */
    if (!(p.flags & TWIN_SP_PAYLOAD_HAS_SEQ) || p.seq > 255) {
        h->st.malformed++;
        return TWIN_E_PARSE;
    }
    if (!n || !n->online) {
        h->st.before_birth++;
        if (n)
            n->rebirth = 1;
        else if (!node_room(h))
            return TWIN_E_RANGE; /* not remembered: no rebirth is asked of it */
        else if (twin__sp_grow(&h->a, (void **)&h->nodes, &h->capnodes, h->nnodes + 1,
                               sizeof *h->nodes) == TWIN_OK) {
            /* remember the node so that twin_sp_host_next() asks it to rebirth */
            n = &h->nodes[h->nnodes];
            memset(n, 0, sizeof *n);
            n->group = twin__sp_strndup(&h->a, t.group, t.group_len);
            n->node = twin__sp_strndup(&h->a, t.node, t.node_len);
            n->glen = t.group_len;
            n->nlen = t.node_len;
            if (n->group && n->node) {
                n->rebirth = 1;
                h->nnodes++;
            } else {
                node_free(h, n);
            }
        }
        return TWIN_E_STATE;
    }
    int d = t.device ? device_find(n, t.device, t.device_len) : -1;
    if (t.type == TWIN_SP_DBIRTH) {
        if ((s = dbirth(h, n, &t, m, count, payload_time(&p, now_us))) < 0) {
            if (s == TWIN_E_PARSE || s == TWIN_E_RANGE)
                h->st.malformed++;
            return s;  /* its seq is not taken: the gap leads to a rebirth */
        }
        seq_seen(h, n, (uint8_t)p.seq, now_us);
    } else if (t.device && (d < 0 || !n->dev[d].online)) {
        h->st.before_birth++;
        n->rebirth = 1;
        return TWIN_E_STATE;
    } else {
        seq_seen(h, n, (uint8_t)p.seq, now_us);
        if (t.type == TWIN_SP_DDEATH) {
            n->dev[d].online = 0;
            emit(h, n, TWIN_SP_EVENT_DEVICE_STALE, TWIN_SP_DDEATH, d, NULL);
        } else {
            data(h, n, t.type, d, m, count, payload_time(&p, now_us));
        }
    }
    h->st.received[t.type]++;
    check_timer(h, n, now_us);
    return TWIN_OK;
}

/* ---- what the host publishes ------------------------------------------------ */

typedef struct ncmd_ctx {
    uint64_t now_ms;
} ncmd_ctx;

static twin_status ncmd_payload(sp_w *w, void *ctx)
{
    ncmd_ctx *c = (ncmd_ctx *)ctx;
    twin_sp_metric m;
    sp_put_tag(w, 1, SP_WT_VARINT);
    sp_put_varint(w, c->now_ms);
    memset(&m, 0, sizeof m);
    m.name = REBIRTH_NAME;
    m.name_len = (uint32_t)strlen(REBIRTH_NAME);
    m.datatype = TWIN_SP_BOOLEAN;
    m.flags = TWIN_SP_HAS_DATATYPE | TWIN_SP_HAS_TIMESTAMP;
    m.timestamp = c->now_ms;
    m.value.u = 1;
    return twin__sp_put_metric(w, &m);
}

TWIN_SP_API twin_status twin_sp_host_next(twin_sp_host *h, int64_t now_us, twin_sp_message *msg,
                                          void *buf, size_t cap, size_t *needed)
{
    if (!h || !msg || (!buf && cap))
        return TWIN_E_INVAL;
    for (size_t i = 0; i < h->nnodes; i++) {
        host_node *n = &h->nodes[i];
        check_timer(h, n, now_us);
        if (!n->rebirth)
            continue;
        ncmd_ctx c = {now_us < 0 ? 0 : (uint64_t)(now_us / 1000)};
        twin_status s = twin__sp_message(msg, buf, cap, needed, TWIN_SP_NCMD, n->group, n->node,
                                         NULL, ncmd_payload, &c);
        if (s < 0)
            return s;
        n->rebirth = 0;
        h->st.rebirths++;
        return TWIN_OK;
    }
    return TWIN_DONE;
}

typedef struct state_ctx {
    int online;
    uint64_t ts;
} state_ctx;

static twin_status state_payload(sp_w *w, void *ctx)
{
    state_ctx *c = (state_ctx *)ctx;
    char digits[20];
    int n = 0;
    uint64_t v = c->ts;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    const char *head = c->online ? "{\"online\":true,\"timestamp\":" : "{\"online\":false,\"timestamp\":";
    sp_put(w, head, strlen(head));
    while (n)
        sp_put(w, &digits[--n], 1);
    sp_put(w, "}", 1);
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_host_state(const twin_sp_host *h, int online,
                                           uint64_t timestamp_ms, twin_sp_message *msg,
                                           void *buf, size_t cap, size_t *needed)
{
    if (!h || !msg || (!buf && cap))
        return TWIN_E_INVAL;
    state_ctx c = {online != 0, timestamp_ms};
    twin_status s = twin__sp_message(msg, buf, cap, needed, TWIN_SP_STATE, NULL, h->host_id, NULL,
                                     state_payload, &c);
    if (s < 0)
        return s;
    msg->qos = 1;  /* STATE: QoS 1, retained (chapter 4) */
    msg->retain = 1;
    return TWIN_OK;
}

twin_status twin__sp_host_set_sink(twin_sp_host *h, const sp_host_sink *sink)
{
    if (h->sink.bind)
        return TWIN_E_STATE;
    h->sink = *sink;
    return TWIN_OK;
}

const sp_host_sink *twin__sp_host_sink(const twin_sp_host *h)
{
    return &h->sink;
}

void twin__sp_host_rebirth_all(twin_sp_host *h)
{
    for (size_t i = 0; i < h->nnodes; i++)
        h->nodes[i].rebirth = 1;
}

const twin_allocator *twin__sp_host_alloc(const twin_sp_host *h)
{
    return &h->a;
}

TWIN_SP_API twin_status twin_sp_host_get_stats(const twin_sp_host *h, twin_sp_host_stats *out)
{
    twin_sp_host_stats r;
    twin_status st;
    if (!h || !out)
        return TWIN_E_INVAL;
    if ((st = twin__sized_check(out, sizeof r)) != TWIN_OK)
        return st;
    r = h->st;
    r.size = sizeof r;
    r.nodes = (uint32_t)h->nnodes;
    return twin__sized_out(out, &r, sizeof r);
}

TWIN_SP_API twin_status twin_sp_host_status(const twin_sp_host *h, const char *group,
                                            const char *node, const char *device)
{
    if (!h || !group || !node)
        return TWIN_E_INVAL;
    host_node *n = node_find((twin_sp_host *)h, group, strlen(group), node, strlen(node));
    if (!n)
        return TWIN_E_NOTFOUND;
    if (!device)
        return n->online && !n->rebirth ? TWIN_OK : TWIN_E_STATE;
    int d = device_find(n, device, strlen(device));
    if (d < 0)
        return TWIN_E_NOTFOUND;
    return n->online && n->dev[d].online ? TWIN_OK : TWIN_E_STATE;
}
