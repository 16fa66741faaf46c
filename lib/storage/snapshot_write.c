/* Snapshots of the whole state: a versioned binary format with a CRC-32.
 *
 * Layout (little-endian; str = u32 length + bytes; f64 = IEEE bits as u64):
 *   header   "LTWNSNAP", u32 version, u32 flags (1: ingest section),
 *            u64 total length (header to checksum included)
 *   models   u32 n, n x str                  the DTMIs in use, first use first
 *   twins    u32 n, n x (str id, u32 model, props)
 *   rels     u32 n, then per twin in order: u32 k, k x (str id, str name,
 *            u32 target twin, props), its outgoing relationships newest first
 *   ingest   (flag 1) profiles, signals, totals (see put_ingest()); health
 *            options and states as str of their encoded forms (health.h)
 *   u32      CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of all bytes before
 * props = u32 n, n x (str name, value); value = u8 type and its payload.
 *
 * Format versions: 2 (libtwin 1.5) as above; 1 (1.3, 1.4) the same but for
 * each health profile's fields written one by one (u32 model, 14 f64 to
 * divergence_clear, u32 count, u32 recalibration, 3 f64) and each health
 * state as the raw 192 bytes of the struct; snapshot_read.c reads both.
 *
 * Saving writes twice: once into a counter for the total length, which the
 * header carries so that a reader can bound every count and length by what
 * is left, then for real. Restoring builds the state aside (build.c) while
 * it reads and checksums, and swaps it in only after the checksum matched.
 * Relationships are re-added oldest first per twin, so that each twin's
 * lists come back in the same order and saving again gives the same bytes. */
#include "storage/build.h"

#include "core/alloc.h"
#include "graph/adjacency.h"
#include "graph/rebuild.h"
#include "storage/snapshot.h"

#include <math.h>
#include <string.h>

/* ---- writing ---------------------------------------------------------------------- */

typedef struct wr {
    twin_snapshot_write_fn w;  /* NULL: only count */
    void *ud;
    unsigned char buf[1024];
    size_t n;
    uint64_t total;
    uint32_t crc;
    twin_status s;
} wr;

static void w_flush(wr *o)
{
    if (o->n && o->s == TWIN_OK && o->w) {
        twin_status s = o->w(o->ud, o->buf, o->n);
        if (s < 0) o->s = s;
    }
    o->n = 0;
}

static void w_bytes(wr *o, const void *p, size_t n)
{
    const unsigned char *b = p;
    o->crc = twin__crc32(o->crc, b, n);
    o->total += n;
    if (!o->w) return;
    while (n) {
        size_t k = sizeof o->buf - o->n < n ? sizeof o->buf - o->n : n;
        memcpy(o->buf + o->n, b, k);
        o->n += k;
        b += k;
        n -= k;
        if (o->n == sizeof o->buf) w_flush(o);
    }
}

static void w_u64(wr *o, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    w_bytes(o, b, 8);
}

static void w_u32(wr *o, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
    w_bytes(o, b, 4);
}

static void w_u8(wr *o, unsigned v)
{
    unsigned char b = (unsigned char)v;
    w_bytes(o, &b, 1);
}

static void w_f64(wr *o, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    w_u64(o, v);
}

static void w_strn(wr *o, const char *s, size_t n)
{
    w_u32(o, (uint32_t)n);
    w_bytes(o, s, n);
}

static void w_str(wr *o, const char *s)
{
    w_strn(o, s ? s : "", s ? strlen(s) : 0);
}

static void w_value(wr *o, const twin_value *v)
{
    w_u8(o, (unsigned)v->type);
    switch (v->type) {
    case TWIN_VALUE_BOOL: w_u8(o, v->as.b ? 1 : 0); break;
    case TWIN_VALUE_INT: w_u64(o, (uint64_t)v->as.i); break;
    case TWIN_VALUE_DOUBLE: w_f64(o, v->as.d); break;
    case TWIN_VALUE_STRING: w_strn(o, v->as.s, v->len); break;
    case TWIN_VALUE_ARRAY:
        w_u32(o, v->len);
        for (uint32_t i = 0; i < v->len; i++) w_value(o, &v->as.items[i]);
        break;
    case TWIN_VALUE_OBJECT:
        w_u32(o, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            w_str(o, v->as.members[i].name);
            w_value(o, &v->as.members[i].value);
        }
        break;
    default: break;
    }
}

static void w_props(wr *o, const twin_member *m, size_t n)
{
    w_u32(o, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        w_str(o, m[i].name);
        w_value(o, &m[i].value);
    }
}

/* The ordinal of every live twin slot (its position in iteration order). */
static uint32_t twin_ordinal(const twin__adjacency *a, uint32_t slot)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < slot; i++)
        if (twin__adj_twin(a, i)->id != TWIN__DEAD) k++;
    return k;
}

static void put_graph(wr *o, const twin__adjacency *a, uint32_t *ord)
{
    uint32_t nmodels = 0;
    /* models in use, in order of first use: an interned model is counted
       at the first twin that names it */
    for (uint32_t pass = 0; pass < 2; pass++) {
        uint32_t seen = 0;
        if (pass == 1) w_u32(o, nmodels);
        for (uint32_t i = 0; i < twin__adj_twin_slots(a); i++) {
            const twin__twin *t = twin__adj_twin(a, i);
            uint32_t m = t->model & TWIN__MODEL_MASK, first = 1;
            if (t->id == TWIN__DEAD) continue;
            for (uint32_t j = 0; j < i && first; j++) {
                const twin__twin *u = twin__adj_twin(a, j);
                if (u->id != TWIN__DEAD && (u->model & TWIN__MODEL_MASK) == m) first = 0;
            }
            if (!first) continue;
            if (pass == 0) nmodels++;
            else w_str(o, twin__adj_model(a, i));
            ord[seen++] = m;  /* model intern index by model ordinal */
        }
    }
    w_u32(o, *a->twin_count);
    for (uint32_t i = 0; i < twin__adj_twin_slots(a); i++) {
        const twin__twin *t = twin__adj_twin(a, i);
        const twin_member *pm;
        size_t pn;
        uint32_t m = t->model & TWIN__MODEL_MASK, k = 0;
        if (t->id == TWIN__DEAD) continue;
        while (ord[k] != m) k++;
        w_str(o, twin__adj_str(a, t->id));
        w_u32(o, k);
        pm = twin__graph_props_of(a, t->props, &pn);
        w_props(o, pm, pn);
    }
    w_u32(o, *a->rel_count);
    for (uint32_t i = 0; i < twin__adj_twin_slots(a); i++) {
        const twin__twin *t = twin__adj_twin(a, i);
        uint32_t k = 0;
        if (t->id == TWIN__DEAD) continue;
        for (uint32_t r = t->out; r != TWIN__NONE; r = twin__adj_rel(a, r)->next_out)
            if (twin__adj_rel(a, r)->name != TWIN__DEAD) k++;
        w_u32(o, k);
        for (uint32_t r = t->out; r != TWIN__NONE; r = twin__adj_rel(a, r)->next_out) {
            const twin__rel *e = twin__adj_rel(a, r);
            const twin_member *pm;
            size_t pn;
            if (e->name == TWIN__DEAD) continue;
            w_str(o, twin__adj_str(a, e->id));
            w_str(o, twin__adj_name(a, e->name));
            w_u32(o, twin_ordinal(a, e->dst));
            pm = twin__graph_props_of(a, e->props, &pn);
            w_props(o, pm, pn);
        }
    }
}

/* Health options and states: u32 length and their encoded forms
 * (twin_health_options_encode(), twin_health_encode()). */
static void put_options(wr *o, const twin_health_options *h)
{
    unsigned char b[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
    size_t n = 0;
    twin_status s = twin_health_options_encode(h, b, sizeof b, &n, NULL);
    if (s < 0 && o->s == TWIN_OK) o->s = s;
    w_strn(o, (const char *)b, s < 0 ? 0 : n);
}

static void put_health(wr *o, const twin_health *h)
{
    unsigned char b[TWIN_HEALTH_ENCODED_MAX];
    size_t n = 0;
    twin_status s = twin_health_encode(h, b, sizeof b, &n, NULL);
    if (s < 0 && o->s == TWIN_OK) o->s = s;
    w_strn(o, (const char *)b, s < 0 ? 0 : n);
}

/* Profiles; signals (twin ordinal, name, unit, options, latest, zone,
 * counters, history, health); totals. */
static void put_ingest(wr *o, const twin_graph *g, const twin__adjacency *a,
                       const twin_ingest *ing)
{
    uint64_t counts[TWIN_INGEST_OUTCOMES], he, ev;
    const twin_health_options *prof;
    uint32_t nprof, nslots = twin__ing_slots(ing);
    prof = twin__ing_profiles(ing, &nprof);
    w_u32(o, nprof);
    for (uint32_t i = 0; i < nprof; i++) put_options(o, &prof[i]);
    w_u32(o, twin__ing_live(ing));
    for (uint32_t i = 0; i < nslots; i++) {
        twin__sigstate st;
        if (!twin__ing_save_signal(ing, i, &st, counts)) continue;
        w_u32(o, twin_ordinal(a, twin__find_twin(g, st.twin_id, st.twin_len)));
        w_strn(o, st.name, st.name_len);
        w_str(o, st.unit);
        w_u32(o, (uint32_t)st.opts.order);
        w_u64(o, (uint64_t)st.opts.reorder_window_us);
        w_f64(o, st.opts.alarm_low);
        w_f64(o, st.opts.alarm_high);
        w_u32(o, st.opts.history);
        w_f64(o, st.opts.health_step);
        w_u8(o, st.has_latest ? 1 : 0);
        w_u64(o, (uint64_t)st.last_t);
        w_f64(o, st.last_v);
        w_u8(o, (unsigned)(uint8_t)st.zone);
        for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) w_u64(o, counts[k]);
        w_u64(o, st.health_errors);
        w_u64(o, st.events);
        if (st.opts.history) {
            w_u32(o, st.ring_n);
            w_u32(o, st.ring_next);
            w_u64(o, (uint64_t)st.ring_evicted_max);
            for (uint32_t k = 0; k < st.ring_n; k++) {
                int64_t t;
                double v;
                twin__ing_ring_at(ing, i, k, &t, &v);
                w_u64(o, (uint64_t)t);
                w_f64(o, v);
            }
        }
        if (!st.hopt) {
            w_u8(o, 0);
        } else {
            w_u8(o, 1);
            w_u32(o, st.profile);
            w_u32(o, (uint32_t)st.band);
            put_health(o, st.health);
        }
    }
    twin__ing_get_totals(ing, counts, &he, &ev);
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) w_u64(o, counts[k]);
    w_u64(o, he);
    w_u64(o, ev);
}

static void put_all(wr *o, const twin_graph *g, const twin_ingest *ing, uint32_t *ord,
                    uint64_t total)
{
    twin__adjacency a;
    twin__graph_adjacency(g, &a);
    w_bytes(o, TWIN__SNAP_MAGIC, 8);
    w_u32(o, TWIN_SNAPSHOT_VERSION);
    w_u32(o, ing ? TWIN__SNAP_FLAG_INGEST : 0);
    w_u64(o, total);
    put_graph(o, &a, ord);
    if (ing) put_ingest(o, g, &a, ing);
}

twin_status twin_snapshot_save(const twin_graph *g, const twin_ingest *ing,
                               twin_snapshot_write_fn w, void *ud)
{
    uint32_t *ord;
    size_t nm;
    wr o;
    if (!g || !w || (ing && twin__ing_graph(ing) != g)) return TWIN_E_INVAL;
    /* model intern indexes by ordinal: at most one per twin */
    nm = twin_graph_twin_count(g) ? twin_graph_twin_count(g) : 1;
    ord = twin__alloc(twin__graph_allocator(g), nm * sizeof *ord);
    if (!ord) return TWIN_E_NOMEM;
    memset(&o, 0, sizeof o);
    put_all(&o, g, ing, ord, 0);  /* count */
    {
        uint64_t total = o.total + 4;
        memset(&o, 0, sizeof o);
        o.w = w;
        o.ud = ud;
        put_all(&o, g, ing, ord, total);
        {
            uint32_t crc = o.crc;
            w_u32(&o, crc);
        }
        w_flush(&o);
    }
    twin__free(twin__graph_allocator(g), ord, nm * sizeof *ord);
    return o.s;
}

