/* The store: lifetime, delivery of the outbox, and the graph's change hook
 * that queues every committed twin and relationship change. */
#include "outbox/store_int.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/sized.h"

#include <stdarg.h>
#include <string.h>

#define DEFAULT_OUTBOX (1u << 20)

static twin_status store_fail(twin_store *st, twin_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static twin_status store_fail(twin_store *st, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&st->err, st->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

static twin_status on_change(void *ud, const twin_graph *g, const twin_change *c);

twin_status twin_store_options_init_(twin_store_options *o, size_t size)
{
    twin_store_options d;
    memset(&d, 0, sizeof d);
    d.outbox_bytes = DEFAULT_OUTBOX;
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin_store_create(twin_store **out, twin_graph *g, const twin_store_options *opts)
{
    twin_store_options o;
    twin_store_callbacks cb;
    twin_allocator a;
    twin_store *st;
    twin_status s;

    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    if (!g) return TWIN_E_INVAL;
    twin_store_options_init(&o);
    if ((s = twin__sized_in(&o, sizeof o, opts)) != TWIN_OK) return s;
    if (o.flags) return TWIN_E_INVAL;
    if ((s = twin__allocator_copy(&a, o.alloc)) != TWIN_OK) return s;
    memset(&cb, 0, sizeof cb);
    if ((s = twin__sized_in(&cb, sizeof cb, o.callbacks)) != TWIN_OK) return s;
    o.outbox_bytes &= ~(size_t)7;
    if (o.outbox_bytes < TWIN_STORE_OUTBOX_MIN || o.outbox_bytes > SIZE_MAX / 2)
        return TWIN_E_RANGE;
    st = twin__alloc(&a, sizeof *st);
    if (!st) return TWIN_E_NOMEM;
    memset(st, 0, sizeof *st);
    st->alloc = a;
    st->g = g;
    if (o.callbacks) st->cb = cb;
    st->ob.buf = twin__alloc(&a, o.outbox_bytes);
    if (!st->ob.buf) {
        twin__free(&a, st, sizeof *st);
        return TWIN_E_NOMEM;
    }
    st->ob.cap = o.outbox_bytes;
    st->ob.run = TWIN__OB_NONE;
    st->err.message = st->errbuf;
    if ((s = twin_graph_add_change_hook(g, on_change, st)) != TWIN_OK) {
        twin__free(&a, st->ob.buf, st->ob.cap);
        twin__free(&a, st, sizeof *st);
        return s;
    }
    *out = st;
    return TWIN_OK;
}

void twin_store_destroy(twin_store *st)
{
    twin_allocator a;
    if (!st) return;
    a = st->alloc;
    if (st->up.detach) st->up.detach(st->up.ud);
    twin_graph_remove_change_hook(st->g, on_change, st);
    twin__free(&a, st->ob.buf, st->ob.cap);
    twin__free(&a, st, sizeof *st);
}

const twin_error *twin_store_last_error(const twin_store *st)
{
    static const twin_error null_store = {TWIN_E_INVAL, 0, "store is NULL"};
    return st ? &st->err : &null_store;
}

twin_status twin__store_bind(twin_store *st, const twin_graph *g, const twin__store_upper *up)
{
    if (st->g != g || (st->up.ud && st->up.ud != up->ud)) return TWIN_E_INVAL;
    st->up = *up;
    return TWIN_OK;
}

void twin__store_unbind(twin_store *st, void *ud)
{
    if (st->up.ud == ud) memset(&st->up, 0, sizeof st->up);
}

twin__outbox *twin__store_outbox(twin_store *st)
{
    return &st->ob;
}

int twin__store_in_callback(const twin_store *st)
{
    return st->in_cb;
}

/* A callback of the store or of the module above it is running. */
static int in_callback(const twin_store *st)
{
    return st->in_cb || (st->up.in_callback && st->up.in_callback(st->up.ud));
}

/* ---- delivery ------------------------------------------------------------------- */

static const char *next_str(const char *s)
{
    return s + strlen(s) + 1;
}

static twin_status deliver(twin_store *st, const twin__rec *r)
{
    const twin_store_callbacks *cb = &st->cb;
    const unsigned char *p = (const unsigned char *)(r + 1);
    switch (r->kind) {
    case TWIN__REC_SAMPLES:
        if (!cb->write_samples) return TWIN_OK;
        return cb->write_samples(cb->ud, (const twin_signal_sample *)(const void *)p,
                                 r->len / sizeof(twin_signal_sample));
    case TWIN__REC_SIGNAL: {
        twin_store_signal sig;
        if (!cb->put_signal) return TWIN_OK;
        memset(&sig, 0, sizeof sig);
        sig.size = sizeof sig;
        memcpy(&sig.signal, p, sizeof sig.signal);
        sig.twin_id = (const char *)p + 8;
        sig.name = next_str(sig.twin_id);
        sig.unit = next_str(sig.name);
        return cb->put_signal(cb->ud, &sig);
    }
    case TWIN__REC_TWIN_PUT: {
        const char *id = (const char *)p, *model;
        const twin_member *m;
        size_t n;
        if (!cb->put_twin) return TWIN_OK;
        if (twin_graph_find_twin(st->g, id, &model) != TWIN_OK) return TWIN_OK;  /* superseded */
        twin_graph_get_properties(st->g, id, &m, &n);
        return cb->put_twin(cb->ud, id, model, m, n);
    }
    case TWIN__REC_TWIN_DEL:
        return cb->delete_twin ? cb->delete_twin(cb->ud, (const char *)p) : TWIN_OK;
    case TWIN__REC_REL_PUT: {
        twin_relationship rel = TWIN_RELATIONSHIP_INIT;
        const char *src = (const char *)p;
        if (!cb->put_relationship) return TWIN_OK;
        if (twin_graph_find_relationship(st->g, src, next_str(src), &rel) != TWIN_OK)
            return TWIN_OK;  /* superseded */
        return cb->put_relationship(cb->ud, &rel);
    }
    case TWIN__REC_REL_DEL:
        return cb->delete_relationship
                   ? cb->delete_relationship(cb->ud, (const char *)p, next_str((const char *)p))
                   : TWIN_OK;
    case TWIN__REC_HEALTH: {
        twin_signal sig;
        if (!cb->put_health) return TWIN_OK;
        memcpy(&sig, p, sizeof sig);
        return cb->put_health(cb->ud, sig, (const twin_health *)(const void *)(p + 8));
    }
    }
    return TWIN_OK;
}

typedef struct sent_count {
    uint64_t records, samples;
} sent_count;

/* Everything delivered is confirmed. */
static void confirm(twin_store *st, sent_count *c)
{
    twin__outbox *ob = &st->ob;
    ob->head = ob->send;
    ob->used -= ob->sent;
    ob->sent = 0;
    ob->records -= c->records;
    ob->samples -= c->samples;
    st->confirmed_samples += c->samples;
    c->records = c->samples = 0;
    if (ob->used == 0) {
        ob->head = ob->send = ob->tail = 0;
        ob->run = TWIN__OB_NONE;
        ob->run_room = 0;
    }
}

static twin_status failed(twin_store *st, twin_status s, sent_count *c)
{
    twin__outbox *ob = &st->ob;
    st->failures++;
    st->last_status = s;
    if (st->cb.flush) {  /* deliver again all that was not flushed */
        ob->send = ob->head;
        ob->sent = 0;
        c->records = c->samples = 0;
    }
    return s;
}

twin_status twin__store_pump(twin_store *st)
{
    twin__outbox *ob = &st->ob;
    sent_count c = {0, 0};
    twin_status s;
    if (st->holding) return TWIN_OK;  /* a change's records wait for the change */
    while (ob->sent < ob->used) {
        size_t at = ob->send == ob->cap ? 0 : ob->send, sz;
        const twin__rec *r = (const twin__rec *)(const void *)(ob->buf + at);
        if (at != ob->send || r->kind == TWIN__REC_WRAP) {
            if (at == ob->send) {  /* an explicit wrap record: skip the gap */
                ob->sent += ob->cap - at;
                at = 0;
            }
            ob->send = 0;
            continue;
        }
        if (at == ob->run) {  /* delivered runs do not grow any more */
            ob->run = TWIN__OB_NONE;
            ob->run_room = 0;
        }
        st->in_cb = 1;
        s = deliver(st, r);
        st->in_cb = 0;
        if (s < 0) return failed(st, s, &c);
        sz = TWIN__REC_HDR + twin__pad8(r->len);
        c.records++;
        if (r->kind == TWIN__REC_SAMPLES) c.samples += r->len / sizeof(twin_signal_sample);
        ob->send = at + sz;
        if (ob->send == ob->cap) ob->send = 0;
        ob->sent += sz;
        if (!st->cb.flush) confirm(st, &c);
    }
    if (st->cb.flush && ob->sent) {
        st->in_cb = 1;
        s = st->cb.flush(st->cb.ud);
        st->in_cb = 0;
        if (s < 0) return failed(st, s, &c);
        confirm(st, &c);
    }
    if (ob->used == 0) st->busy = 0;
    return TWIN_OK;
}

int twin__store_ready(twin_store *st)
{
    if (st->holding) return 0;  /* only the held change's records until it is made */
    if (!st->busy) return 1;
    twin__store_pump(st);
    return !st->busy;
}

int twin__store_room(twin_store *st, size_t payload)
{
    if (twin__outbox_fits(&st->ob, payload)) return 1;
    twin__store_pump(st);
    if (twin__outbox_fits(&st->ob, payload)) return 1;
    st->busy = 1;
    return 0;
}

size_t twin__store_signal_bytes(size_t twin_len, size_t name_len, const char *unit)
{
    return 8 + twin_len + 1 + name_len + 1 + (unit ? strlen(unit) : 0) + 1;
}

void twin__store_put_signal(twin_store *st, twin_signal sig, const char *twin_id,
                            size_t twin_len, const char *name, size_t name_len,
                            const char *unit)
{
    size_t ul = unit ? strlen(unit) : 0;
    unsigned char *p = twin__outbox_put(&st->ob, TWIN__REC_SIGNAL,
                                        twin__store_signal_bytes(twin_len, name_len, unit));
    memcpy(p, &sig, 8);
    p += 8;
    memcpy(p, twin_id, twin_len);
    p[twin_len] = '\0';
    p += twin_len + 1;
    memcpy(p, name, name_len);
    p[name_len] = '\0';
    p += name_len + 1;
    if (ul) memcpy(p, unit, ul);
    p[ul] = '\0';
}

void twin__store_put_health(twin_store *st, twin_signal sig, const twin_health *h)
{
    unsigned char *p = twin__outbox_put(&st->ob, TWIN__REC_HEALTH, TWIN__HEALTH_REC_BYTES);
    memcpy(p, &sig, 8);
    memcpy(p + 8, h, sizeof *h);
}

twin_status twin_store_flush(twin_store *st)
{
    twin_status s;
    if (!st) return TWIN_E_INVAL;
    if (in_callback(st)) return store_fail(st, TWIN_E_STATE, "called from a callback");
    if ((s = twin__store_pump(st)) != TWIN_OK)
        return store_fail(st, s, "the store's callback failed: %s", twin_strerror(s));
    return TWIN_OK;
}

twin_status twin_store_get_stats(const twin_store *st, twin_store_stats *out)
{
    twin_store_stats r;
    twin_status s;
    if (!st || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof r)) != TWIN_OK) return s;
    memset(&r, 0, sizeof r);
    r.last_status = st->last_status;
    r.pending_records = st->ob.records;
    r.pending_samples = st->ob.samples;
    r.pending_bytes = st->ob.used;
    r.capacity_bytes = st->ob.cap;
    r.confirmed_samples = st->confirmed_samples;
    r.failures = st->failures;
    r.busy = st->busy;
    return twin__sized_out(out, &r, sizeof r);
}

twin_status twin_store_checkpoint(twin_store *st)
{
    twin_status s;
    if (!st) return TWIN_E_INVAL;
    if (in_callback(st)) return store_fail(st, TWIN_E_STATE, "called from a callback");
    if (st->up.checkpoint) {
        if (!twin__store_ready(st))
            return store_fail(st, TWIN_E_BUSY, "the store's outbox is full");
        if ((s = st->up.checkpoint(st->up.ud, st)) != TWIN_OK)
            return store_fail(st, s, "the store's outbox is full");
    }
    twin__store_pump(st);
    return TWIN_OK;
}

/* ---- graph changes: the change hook ------------------------------------------------- */

/* Bytes of a record naming one or two strings. */
static size_t ids_bytes(const char *a, const char *b)
{
    return TWIN__REC_HDR + twin__pad8(strlen(a) + 1 + (b ? strlen(b) + 1 : 0));
}

/* Queue a record naming one or two strings (room checked). */
static void put_ids(twin_store *st, uint32_t kind, const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *p = twin__outbox_put(&st->ob, kind, la + 1 + (b ? lb + 1 : 0));
    memcpy(p, a, la + 1);
    if (b) memcpy(p + la + 1, b, lb + 1);
}

/* Make room for records of `total` bytes (headers and padding included),
 * the largest `largest` bytes: one wrap gap, shorter than the record that
 * wraps, may be lost on the way. */
static twin_status reserve(twin_store *st, size_t total, size_t largest)
{
    twin__outbox *ob = &st->ob;
    if (twin__store_ready(st)) {
        if (ob->cap - ob->used >= total + largest) return TWIN_OK;
        twin__store_pump(st);
        if (ob->cap - ob->used >= total + largest) return TWIN_OK;
        st->busy = 1;
    }
    return store_fail(st, TWIN_E_BUSY, "the store's outbox is full");
}

/* The records a change makes, with the graph as it still is: a twin's
 * removal deletes its relationships first. `put` 0 sizes them (*total,
 * *largest), 1 queues them. */
static void change_records(twin_store *st, const twin_graph *g, const twin_change *c, int put,
                           size_t *total, size_t *largest)
{
    static const uint32_t kinds[] = {0, TWIN__REC_TWIN_PUT, TWIN__REC_TWIN_DEL,
                                     TWIN__REC_REL_PUT, TWIN__REC_REL_DEL};
    size_t b;
    *total = *largest = 0;
    if (c->kind == TWIN_CHANGE_TWIN_DELETE) {
        twin_relationship r = TWIN_RELATIONSHIP_INIT;
        twin_cursor cur;
        twin_graph_relationships_begin(g, &cur, c->twin_id, TWIN_DIRECTION_BOTH, NULL);
        while (twin_graph_relationships_next(g, &cur, &r) == TWIN_OK) {
            if (put) put_ids(st, TWIN__REC_REL_DEL, r.source_id, r.id);
            b = ids_bytes(r.source_id, r.id);
            *total += b;
            if (b > *largest) *largest = b;
        }
    }
    if (put) put_ids(st, kinds[c->kind], c->twin_id, c->rel_id);
    b = ids_bytes(c->twin_id, c->rel_id);
    *total += b;
    if (b > *largest) *largest = b;
}

static twin_status on_change(void *ud, const twin_graph *g, const twin_change *c)
{
    twin_store *st = ud;
    size_t total, largest;
    twin_status s;
    if (c->kind < TWIN_CHANGE_TWIN_PUT || c->kind > TWIN_CHANGE_REL_DELETE) return TWIN_OK;
    switch (c->phase) {
    case TWIN_CHANGE_BEFORE:
        if (in_callback(st))
            return store_fail(st, TWIN_E_STATE, "called from a store or ingest callback");
        change_records(st, g, c, 0, &total, &largest);
        if ((s = reserve(st, total, largest)) != TWIN_OK) return s;
        /* queued, but held back until the change is made: a later hook may
           still refuse it, and then the outbox goes back to this point */
        st->held = st->ob;
        st->holding = 1;
        change_records(st, g, c, 1, &total, &largest);
        return TWIN_OK;
    case TWIN_CHANGE_CANCELLED:
        if (st->holding) st->ob = st->held;
        st->holding = 0;
        return TWIN_OK;
    case TWIN_CHANGE_AFTER:
        st->holding = 0;
        if (c->kind == TWIN_CHANGE_TWIN_DELETE && st->up.twin_removed)
            st->up.twin_removed(st->up.ud, c->twin_id);
        twin__store_pump(st);
        return TWIN_OK;
    }
    return TWIN_OK;
}

/* ---- graph changes through the store (1.3 API: the graph's functions) ---------------- */

twin_status twin_store_add_twin(twin_store *st, const char *twin_id, const char *model_id,
                                const twin_member *props, size_t nprops)
{
    return st ? twin_graph_add_twin(st->g, twin_id, model_id, props, nprops) : TWIN_E_INVAL;
}

twin_status twin_store_set_model(twin_store *st, const char *twin_id, const char *model_id)
{
    return st ? twin_graph_set_model(st->g, twin_id, model_id) : TWIN_E_INVAL;
}

twin_status twin_store_set_property(twin_store *st, const char *twin_id, const char *name,
                                    const twin_value *value)
{
    return st ? twin_graph_set_property(st->g, twin_id, name, value) : TWIN_E_INVAL;
}

twin_status twin_store_remove_property(twin_store *st, const char *twin_id, const char *name)
{
    return st ? twin_graph_remove_property(st->g, twin_id, name) : TWIN_E_INVAL;
}

twin_status twin_store_add_relationship(twin_store *st, const char *source_id,
                                        const char *rel_id, const char *name,
                                        const char *target_id, const twin_member *props,
                                        size_t nprops)
{
    return st ? twin_graph_add_relationship(st->g, source_id, rel_id, name, target_id, props,
                                            nprops)
              : TWIN_E_INVAL;
}

twin_status twin_store_remove_relationship(twin_store *st, const char *source_id,
                                           const char *rel_id)
{
    return st ? twin_graph_remove_relationship(st->g, source_id, rel_id) : TWIN_E_INVAL;
}

twin_status twin_store_set_relationship_property(twin_store *st, const char *source_id,
                                                 const char *rel_id, const char *name,
                                                 const twin_value *value)
{
    return st ? twin_graph_set_relationship_property(st->g, source_id, rel_id, name, value)
              : TWIN_E_INVAL;
}

twin_status twin_store_remove_relationship_property(twin_store *st, const char *source_id,
                                                    const char *rel_id, const char *name)
{
    return st ? twin_graph_remove_relationship_property(st->g, source_id, rel_id, name)
              : TWIN_E_INVAL;
}

twin_status twin_store_remove_twin(twin_store *st, const char *twin_id, uint32_t flags)
{
    return st ? twin_graph_remove_twin(st->g, twin_id, flags) : TWIN_E_INVAL;
}
