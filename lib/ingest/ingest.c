/* Ingest handle: lifetime, options, signals and their lookup. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/error.h"
#include "graph/adjacency.h"
#include "outbox/outbox.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "core/sized.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

twin_status twin__ing_fail(twin_ingest *ing, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&ing->err, ing->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- options -------------------------------------------------------------------- */

twin_status twin_ingest_options_init_(twin_ingest_options *o, size_t size)
{
    twin_ingest_options d;
    memset(&d, 0, sizeof d);
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin_signal_options_init_(twin_signal_options *o, size_t size)
{
    twin_signal_options d;
    memset(&d, 0, sizeof d);
    d.order = TWIN_INGEST_ORDER_REJECT;
    d.alarm_low = NAN;
    d.alarm_high = NAN;
    return twin__sized_init(o, size, &d, sizeof d);
}

/* Read caller options (any known size) into a full struct and check them. */
twin_status twin__ing_check_options(const twin_signal_options *o, twin_signal_options *out)
{
    twin_signal_options d;
    twin_status s;
    twin_signal_options_init(&d);
    if ((s = twin__sized_in(&d, sizeof d, o)) != TWIN_OK) return s;
    if (d.order != TWIN_INGEST_ORDER_REJECT && d.order != TWIN_INGEST_ORDER_WINDOW)
        return TWIN_E_INVAL;
    if (d.reorder_window_us < 0 || d.history > TWIN_INGEST_HISTORY_MAX || d.reserved_)
        return TWIN_E_INVAL;
    if (!(d.health_step == 0 || (d.health_step > 0 && d.health_step <= 1)))
        return TWIN_E_INVAL;
    if (isinf(d.alarm_low) || isinf(d.alarm_high) ||
        (!isnan(d.alarm_low) && !isnan(d.alarm_high) && d.alarm_low > d.alarm_high))
        return TWIN_E_INVAL;
    *out = d;
    return TWIN_OK;
}

static twin_status read_options(const twin_ingest_options *opts, twin_ingest_options *o,
                                twin_allocator *a, twin_ingest_resolver *r,
                                twin_signal_options *ro)
{
    twin_status s;
    memset(o, 0, sizeof *o);
    memset(r, 0, sizeof *r);
    if ((s = twin__sized_in(o, sizeof *o, opts)) != TWIN_OK) return s;
    if (o->flags) return TWIN_E_INVAL;
    if ((s = twin__allocator_copy(a, o->alloc)) != TWIN_OK) return s;
    if (o->resolver) {
        if ((s = twin__sized_in(r, sizeof *r, o->resolver)) != TWIN_OK) return s;
        if (!r->resolve) return TWIN_E_INVAL;
    }
    if ((s = twin__ing_check_options(o->resolved_options, ro)) != TWIN_OK) return s;
    ro->unit = NULL;
    return TWIN_OK;
}

/* ---- growth --------------------------------------------------------------------- */

twin_status twin__ing_grow(const twin_allocator *a, void *p, uint32_t *cap, uint32_t need,
                           size_t esize, void **out)
{
    uint64_t ncap = *cap ? *cap : 16;
    void *q;
    *out = p;
    if (need <= *cap) return TWIN_OK;
    while (ncap < need) ncap *= 2;
    if (ncap > UINT32_MAX / 2 || ncap > SIZE_MAX / esize) return TWIN_E_RANGE;
    q = twin__realloc(a, p, (size_t)*cap * esize, (size_t)ncap * esize);
    if (!q) return TWIN_E_NOMEM;
    *out = q;
    *cap = (uint32_t)ncap;
    return TWIN_OK;
}

/* Room for n more signal slots in both arrays (each keeps its own
 * capacity, so a failure half way leaves only unused room behind). */
static twin_status reserve_sig(twin_ingest *ing, uint32_t n)
{
    uint64_t need = (uint64_t)ing->nsig + n;
    twin_status s;
    if (need > TWIN__GEN_FREE - 1) return TWIN_E_RANGE;
    if ((s = TWIN__GROW(ing, sig, capsig, (uint32_t)need)) != TWIN_OK ||
        (s = TWIN__GROW(ing, key, capkey, (uint32_t)need)) != TWIN_OK)
        return s;
    return TWIN__GROW(ing, sigx, capsigx, (uint32_t)need);
}

/* ---- lifetime ------------------------------------------------------------------- */

/* ---- what the store below sees of the handle ----------------------------------- */

static int up_in_callback(void *ud)
{
    return ((const twin_ingest *)ud)->in_cb;
}

/* Queue every health state changed since it was last queued. */
static twin_status up_checkpoint(void *ud, twin_store *st)
{
    twin_ingest *ing = ud;
    for (uint32_t i = 0; i < ing->nsig; i++) {
        twin__sig *S = &ing->sig[i];
        if ((S->gen & TWIN__GEN_FREE) || S->health == TWIN__SIG_NONE ||
            !(S->flags & TWIN__SF_DIRTY))
            continue;
        if (!twin__store_room(st, TWIN__HEALTH_REC_BYTES)) return TWIN_E_BUSY;
        twin__store_put_health(st, twin__sig_handle(i, S->gen, 0), &ing->hs[S->health]);
        S->flags &= (uint8_t)~TWIN__SF_DIRTY;
    }
    return TWIN_OK;
}

/* A twin left the graph: its signals go now (not at the next sweep). */
static void up_twin_removed(void *ud, const char *twin_id)
{
    twin_ingest *ing = ud;
    uint32_t t = twin__ing_find_twin(ing, twin_id, strlen(twin_id));
    if (t != TWIN__SIG_NONE) twin__ing_remove_twin_at(ing, t);
}

static void up_detach(void *ud)
{
    twin_ingest *ing = ud;
    ing->store = NULL;
    ing->ob = NULL;
}

twin_status twin_ingest_create(twin_ingest **out, const twin_graph *g,
                               const twin_ingest_options *opts)
{
    twin_ingest_options o;
    twin_allocator a;
    twin_ingest_resolver r;
    twin_signal_options ro;
    twin_ingest *ing;
    twin_status s;

    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    if (!g) return TWIN_E_INVAL;
    if ((s = read_options(opts, &o, &a, &r, &ro)) != TWIN_OK) return s;
    ing = twin__alloc(&a, sizeof *ing);
    if (!ing) return TWIN_E_NOMEM;
    memset(ing, 0, sizeof *ing);
    ing->alloc = a;
    ing->g = g;
    ing->on_event = o.on_event;
    ing->event_ud = o.event_ud;
    ing->resolver = r;
    ing->resolved_opts = ro;
    ing->user_model = o.user_model;
    ing->seed = twin__mix64((uint64_t)(uintptr_t)ing ^ 0x696e67657374ull);
    ing->src_seed = twin__mix64(ing->seed ^ 0x736f75726365ull);
    ing->sig_free = ing->tw_free = ing->h_free = TWIN__SIG_NONE;
    twin__graph_adjacency(g, &ing->gv);
    ing->graph_removals = *ing->gv.removals;
    ing->err.message = ing->errbuf;
    twin__strpool_init(&ing->pool);
    if ((o.signal_capacity &&
         ((s = reserve_sig(ing, o.signal_capacity)) != TWIN_OK ||
          (s = twin__index_reserve(&ing->sig_idx, &ing->alloc, o.signal_capacity)) != TWIN_OK)) ||
        (o.twin_capacity &&
         ((s = TWIN__GROW(ing, tw, captw, o.twin_capacity)) != TWIN_OK ||
          (s = twin__index_reserve(&ing->tw_idx, &ing->alloc, o.twin_capacity)) != TWIN_OK))) {
        twin_ingest_destroy(ing);
        return s;
    }
    if (o.store) {
        twin__store_upper up;
        memset(&up, 0, sizeof up);
        up.ud = ing;
        up.in_callback = up_in_callback;
        up.checkpoint = up_checkpoint;
        up.twin_removed = up_twin_removed;
        up.detach = up_detach;
        if ((s = twin__store_bind(o.store, g, &up)) != TWIN_OK) {
            twin_ingest_destroy(ing);
            return s;
        }
        ing->store = o.store;
        ing->ob = twin__store_outbox(o.store);
    }
    *out = ing;
    return TWIN_OK;
}

void twin_ingest_destroy(twin_ingest *ing)
{
    twin_allocator a;
    if (!ing) return;
    a = ing->alloc;
    if (ing->store) twin__store_unbind(ing->store, ing);
    for (uint32_t i = 0; i < ing->nsig; i++) {
        twin__ring *r = ing->sigx[i].ring;
        if (r && !(ing->sig[i].gen & TWIN__GEN_FREE))
            twin__free(&a, r, sizeof *r + (size_t)r->cap * sizeof r->e[0]);
    }
    twin__free(&a, ing->sig, (size_t)ing->capsig * sizeof *ing->sig);
    twin__free(&a, ing->sigx, (size_t)ing->capsigx * sizeof *ing->sigx);
    twin__free(&a, ing->key, (size_t)ing->capkey * sizeof *ing->key);
    twin__free(&a, ing->tw, (size_t)ing->captw * sizeof *ing->tw);
    twin__free(&a, ing->hs, (size_t)ing->caph * sizeof *ing->hs);
    twin__free(&a, ing->prof, (size_t)ing->capprof * sizeof *ing->prof);
    twin__free(&a, ing->conv, (size_t)ing->capconv * sizeof *ing->conv);
    twin__ing_sources_fini(ing);
    twin__index_fini(&ing->sig_idx, &a);
    twin__index_fini(&ing->tw_idx, &a);
    twin__strpool_fini(&ing->pool, &a);
    twin__free(&a, ing, sizeof *ing);
}

const twin_error *twin_ingest_last_error(const twin_ingest *ing)
{
    static const twin_error null_ingest = {TWIN_E_INVAL, 0, "ingest handle is NULL"};
    return ing ? &ing->err : &null_ingest;
}

/* ---- lookup --------------------------------------------------------------------- */

typedef struct pkey {
    const char *t, *n;
    size_t tn, nn;
} pkey;

static uint32_t twin_hash(const twin_ingest *ing, const char *id, size_t n)
{
    return twin__hash32(twin__hash(ing->seed, id, n));
}

/* Up to 7 tail bytes as one word, with overlapping reads (never past p + n). */
static inline uint64_t tail_word(const unsigned char *p, size_t n)
{
    uint32_t a, b;
    if (n >= 4) {
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return (uint64_t)a | (uint64_t)b << 32;
    }
    if (!n) return 0;
    return (uint64_t)p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
}

/* One string into a running hash (word at a time; the length goes in). */
static inline uint64_t hash_more(uint64_t h, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    h ^= (uint64_t)n * 0x9e3779b97f4a7c15ull;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ k) * 0xc2b2ae3d27d4eb4full;
        h ^= h >> 29;
    }
    h = (h ^ tail_word(p, n)) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 32);
}

/* The hash of a (twin id, signal name) pair: both strings in one pass. */
static uint32_t pair_hash(const twin_ingest *ing, const char *id, size_t tn, const char *name,
                          size_t nn)
{
    return twin__hash32(twin__mix64(hash_more(hash_more(ing->seed, id, tn), name, nn)));
}

static int twin_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin_ingest *ing = ctx;
    const pkey *key = k;
    const twin__itwin *t = &ing->tw[i];
    return t->len == key->tn && memcmp(twin__ing_str(ing, t->id), key->t, key->tn) == 0;
}

static int pair_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin_ingest *ing = ctx;
    const pkey *key = k;
    const twin__key *e = &ing->key[i];
    const char *s;
    if (e->tn != key->tn || e->nn != key->nn) return 0;
    s = twin__ing_str(ing, e->off);
    return memcmp(s, key->t, key->tn) == 0 && memcmp(s + key->tn + 1, key->n, key->nn) == 0;
}

uint32_t twin__ing_find_twin(const twin_ingest *ing, const char *twin_id, size_t tn)
{
    pkey k = {twin_id, NULL, tn, 0};
    uint32_t pos = twin__index_find(&ing->tw_idx, twin_hash(ing, twin_id, tn), twin_eq, ing, &k);
    return pos == TWIN__NONE ? TWIN__SIG_NONE : twin__index_at(&ing->tw_idx, pos);
}

uint32_t twin__ing_find(const twin_ingest *ing, const char *twin_id, size_t tn, const char *name,
                        size_t nn)
{
    pkey k = {twin_id, name, tn, nn};
    uint32_t pos = twin__index_find(&ing->sig_idx, pair_hash(ing, twin_id, tn, name, nn),
                                    pair_eq, ing, &k);
    return pos == TWIN__NONE ? TWIN__SIG_NONE : twin__index_at(&ing->sig_idx, pos);
}

/* ---- adding and removing signals ------------------------------------------------ */

static twin__ring *ring_new(const twin_allocator *a, uint32_t cap)
{
    twin__ring *r = twin__alloc(a, sizeof *r + (size_t)cap * sizeof r->e[0]);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    r->cap = cap;
    r->evicted_max = INT64_MIN;
    return r;
}

static void ring_free(const twin_allocator *a, twin__ring *r)
{
    if (r) twin__free(a, r, sizeof *r + (size_t)r->cap * sizeof r->e[0]);
}

static void apply_options(twin__sig *S, twin__sigx *x, const twin_signal_options *o)
{
    S->order = (uint8_t)o->order;
    S->window = o->reorder_window_us;
    S->alarm_lo = isnan(o->alarm_low) ? -INFINITY : o->alarm_low;
    S->alarm_hi = isnan(o->alarm_high) ? INFINITY : o->alarm_high;
    S->flags &= (uint8_t) ~(TWIN__SF_ALARM | TWIN__SF_HISTORY | TWIN__SF_BAND);
    if (!isnan(o->alarm_low) || !isnan(o->alarm_high)) S->flags |= TWIN__SF_ALARM;
    if (x->ring) S->flags |= TWIN__SF_HISTORY;
    x->history = o->history;
    x->health_step = o->health_step;
    if (o->health_step > 0) S->flags |= TWIN__SF_BAND;
}

twin_status twin__ing_add(twin_ingest *ing, const char *twin_id, size_t tn, const char *name,
                          size_t nn, const twin__unit *unit, const twin_signal_options *o,
                          uint32_t *slot)
{
    uint32_t t = twin__ing_find_twin(ing, twin_id, tn), i, gen;
    twin__ring *ring = NULL;
    twin__sig *S;
    twin__sigx *x;
    twin_status s;

    /* reserve everything, then change nothing that can fail */
    if (t == TWIN__SIG_NONE &&
        ((ing->tw_free == TWIN__SIG_NONE &&
          (s = TWIN__GROW(ing, tw, captw, ing->ntw + 1)) !=
              TWIN_OK) ||
         (s = twin__index_reserve(&ing->tw_idx, &ing->alloc, 1)) != TWIN_OK))
        return s;
    if ((ing->sig_free == TWIN__SIG_NONE && (s = reserve_sig(ing, 1)) != TWIN_OK) ||
        (s = twin__index_reserve(&ing->sig_idx, &ing->alloc, 1)) != TWIN_OK ||
        (s = twin__strpool_reserve(&ing->pool, &ing->alloc, 2 * tn + nn + 2)) != TWIN_OK)
        return s;
    if (o->history && !(ring = ring_new(&ing->alloc, o->history))) return TWIN_E_NOMEM;

    if (t == TWIN__SIG_NONE) {
        if (ing->tw_free != TWIN__SIG_NONE) {
            t = ing->tw_free;
            ing->tw_free = ing->tw[t].first;
        } else {
            t = ing->ntw++;
        }
        ing->tw[t].id = twin__strpool_add(&ing->pool, twin_id, tn);
        ing->tw[t].len = (uint32_t)tn;
        ing->tw[t].first = TWIN__SIG_NONE;
        ing->tw[t].nsig = 0;
        twin__index_insert(&ing->tw_idx, twin_hash(ing, twin_id, tn), t);
    }
    if (ing->sig_free != TWIN__SIG_NONE) {
        i = ing->sig_free;
        ing->sig_free = ing->sigx[i].next;
        gen = ((ing->sig[i].gen & TWIN__GEN_MASK) + 1) & TWIN__GEN_MASK;
        if (!gen) gen = 1;
    } else {
        i = ing->nsig++;
        gen = 1;
    }
    S = &ing->sig[i];
    x = &ing->sigx[i];
    memset(S, 0, sizeof *S);
    memset(x, 0, sizeof *x);
    S->gen = gen;
    S->health = TWIN__SIG_NONE;
    S->last_t = INT64_MIN;
    x->twin = t;
    x->clk_src_t = x->clk_t = INT64_MIN;
    x->clk_unc = NAN;
    {
        /* the key "twin id\0name", one string in the pool */
        char kb[2 * TWIN_ID_MAX + 2];
        uint32_t off;
        memcpy(kb, twin_id, tn);
        kb[tn] = '\0';
        memcpy(kb + tn + 1, name, nn);
        off = twin__strpool_add(&ing->pool, kb, tn + 1 + nn);
        ing->key[i].off = off;
        ing->key[i].tn = (uint16_t)tn;
        ing->key[i].nn = (uint16_t)nn;
        x->name = off + (uint32_t)tn + 1;
    }
    x->name_len = (uint32_t)nn;
    x->unit = unit;
    x->ring = ring;
    apply_options(S, x, o);
    x->next = ing->tw[t].first;
    ing->tw[t].first = i;
    ing->tw[t].nsig++;
    twin__index_insert(&ing->sig_idx, pair_hash(ing, twin_id, tn, name, nn), i);
    ing->live++;
    *slot = i;
    return TWIN_OK;
}

static void free_health(twin_ingest *ing, twin__sig *S)
{
    if (S->health == TWIN__SIG_NONE) return;
    memcpy(&ing->hs[S->health].opaque_[0], &ing->h_free, sizeof ing->h_free);
    ing->hs[S->health].size = 0;
    ing->h_free = S->health;
    S->health = TWIN__SIG_NONE;
}

static void remove_sig(twin_ingest *ing, uint32_t i)
{
    twin__sig *S = &ing->sig[i];
    twin__sigx *x = &ing->sigx[i];
    const twin__key *e = &ing->key[i];
    uint32_t pos;
    pkey k = {twin__ing_str(ing, e->off), twin__ing_str(ing, x->name), e->tn, e->nn};
    pos = twin__index_find(&ing->sig_idx, pair_hash(ing, k.t, k.tn, k.n, k.nn), pair_eq, ing, &k);
    if (pos != TWIN__NONE) twin__index_remove_at(&ing->sig_idx, pos);
    twin__strpool_kill(&ing->pool, (size_t)e->tn + 1 + e->nn);
    ring_free(&ing->alloc, x->ring);
    x->ring = NULL;
    free_health(ing, S);
    twin__ing_source_leave(ing, i);
    S->gen |= TWIN__GEN_FREE;
    x->next = ing->sig_free;
    ing->sig_free = i;
    ing->live--;
}

void twin__ing_remove_twin_at(twin_ingest *ing, uint32_t t)
{
    twin__itwin *tw = &ing->tw[t];
    pkey k = {twin__ing_str(ing, tw->id), NULL, tw->len, 0};
    uint32_t pos, i = tw->first;
    while (i != TWIN__SIG_NONE) {
        uint32_t next = ing->sigx[i].next;
        remove_sig(ing, i);
        i = next;
    }
    pos = twin__index_find(&ing->tw_idx, twin_hash(ing, k.t, k.tn), twin_eq, ing, &k);
    if (pos != TWIN__NONE) twin__index_remove_at(&ing->tw_idx, pos);
    twin__strpool_kill(&ing->pool, tw->len);
    tw->id = TWIN__SIG_NONE;
    tw->nsig = 0;
    tw->first = ing->tw_free;
    ing->tw_free = t;
}

/* Drop the signals of twins the graph no longer has. */
void twin__ing_sweep(twin_ingest *ing)
{
    const twin_graph *g = ing->g;
    for (uint32_t t = 0; t < ing->ntw; t++) {
        const twin__itwin *tw = &ing->tw[t];
        if (tw->id == TWIN__SIG_NONE) continue;
        if (twin__find_twin(g, twin__ing_str(ing, tw->id), tw->len) == TWIN__NONE)
            twin__ing_remove_twin_at(ing, t);
    }
    ing->graph_removals = *ing->gv.removals;
}

twin_status twin_ingest_remove_twin(twin_ingest *ing, const char *twin_id)
{
    uint32_t t;
    if (!ing) return TWIN_E_INVAL;
    if (ing->in_cb || (ing->store && twin__store_in_callback(ing->store)))
        return twin__ing_fail(ing, TWIN_E_STATE, "called from a callback");
    if (!twin_id) return twin__ing_fail(ing, TWIN_E_INVAL, "twin id is NULL");
    t = twin__ing_find_twin(ing, twin_id, strlen(twin_id));
    if (t == TWIN__SIG_NONE)
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "twin '%.128s' has no signals", twin_id);
    twin__ing_remove_twin_at(ing, t);
    return TWIN_OK;
}
