/* Snapshots of the whole state: a versioned binary format with a CRC-32.
 *
 * Layout (little-endian; str = u32 length + bytes; f64 = IEEE bits as u64):
 *   header   "LTWNSNAP", u32 version, u32 flags (1: ingest section),
 *            u64 total length (header to checksum included)
 *   models   u32 n, n x str                  the DTMIs in use, first use first
 *   twins    u32 n, n x (str id, u32 model, props)
 *   rels     u32 n, then per twin in order: u32 k, k x (str id, str name,
 *            u32 target twin, props), its outgoing relationships newest first
 *   ingest   (flag 1) profiles, signals, totals (see put_ingest())
 *   u32      CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of all bytes before
 * props = u32 n, n x (str name, value); value = u8 type and its payload.
 *
 * Saving writes twice: once into a counter for the total length, which the
 * header carries so that a reader can bound every count and length by what
 * is left, then for real. Restoring builds the state aside (build.c) while
 * it reads and checksums, and swaps it in only after the checksum matched.
 * Relationships are re-added oldest first per twin, so that each twin's
 * lists come back in the same order and saving again gives the same bytes. */
#include "storage/build.h"

#include "core/alloc.h"
#include "graph/graph_int.h"
#include "health/health_int.h"
#include "ingest/ingest_int.h"
#include "storage/store_int.h"

#include <math.h>
#include <string.h>

#define MAGIC "LTWNSNAP"
#define HEADER_BYTES 24u
#define FLAG_INGEST 1u

/* ---- CRC-32 ----------------------------------------------------------------------- */

static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
    0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
    }
    return ~crc;
}

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
    o->crc = crc_update(o->crc, b, n);
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
static uint32_t twin_ordinal(const twin_graph *g, uint32_t slot)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < slot; i++)
        if (twin__T(g, i)->id != TWIN__DEAD) k++;
    return k;
}

static void put_graph(wr *o, const twin_graph *g, uint32_t *ord)
{
    uint32_t nmodels = 0;
    /* models in use, in order of first use: an interned model is counted
       at the first twin that names it */
    for (uint32_t pass = 0; pass < 2; pass++) {
        uint32_t seen = 0;
        if (pass == 1) w_u32(o, nmodels);
        for (uint32_t i = 0; i < g->twins.len; i++) {
            const twin__twin *t = twin__T(g, i);
            uint32_t m = t->model & TWIN__MODEL_MASK, first = 1;
            if (t->id == TWIN__DEAD) continue;
            for (uint32_t j = 0; j < i && first; j++) {
                const twin__twin *u = twin__T(g, j);
                if (u->id != TWIN__DEAD && (u->model & TWIN__MODEL_MASK) == m) first = 0;
            }
            if (!first) continue;
            if (pass == 0) nmodels++;
            else w_str(o, twin__model_str(g, i));
            ord[seen++] = m;  /* model intern index by model ordinal */
        }
    }
    w_u32(o, g->twin_count);
    for (uint32_t i = 0; i < g->twins.len; i++) {
        const twin__twin *t = twin__T(g, i);
        const twin__props *p;
        uint32_t m = t->model & TWIN__MODEL_MASK, k = 0;
        if (t->id == TWIN__DEAD) continue;
        while (ord[k] != m) k++;
        w_str(o, twin__str(g, t->id));
        w_u32(o, k);
        p = twin__props_at(g, t->props);
        w_props(o, p ? p->m : NULL, p ? p->count : 0);
    }
    w_u32(o, g->rel_count);
    for (uint32_t i = 0; i < g->twins.len; i++) {
        const twin__twin *t = twin__T(g, i);
        uint32_t k = 0;
        if (t->id == TWIN__DEAD) continue;
        for (uint32_t r = t->out; r != TWIN__NONE; r = twin__R(g, r)->next_out)
            if (twin__R(g, r)->name != TWIN__DEAD) k++;
        w_u32(o, k);
        for (uint32_t r = t->out; r != TWIN__NONE; r = twin__R(g, r)->next_out) {
            const twin__rel *e = twin__R(g, r);
            const twin__props *p;
            if (e->name == TWIN__DEAD) continue;
            w_str(o, twin__str(g, e->id));
            w_str(o, twin__intern_str(&g->names, &g->pool, e->name));
            w_u32(o, twin_ordinal(g, e->dst));
            p = twin__props_at(g, e->props);
            w_props(o, p ? p->m : NULL, p ? p->count : 0);
        }
    }
}

static void put_options(wr *o, const twin_health_options *h)
{
    w_u32(o, (uint32_t)h->model);
    w_f64(o, h->phi);
    w_f64(o, h->prior_mean[0]);
    w_f64(o, h->prior_mean[1]);
    for (int i = 0; i < 4; i++) w_f64(o, h->prior_cov[i]);
    w_f64(o, h->noise);
    w_f64(o, h->process_noise[0]);
    w_f64(o, h->process_noise[1]);
    w_f64(o, h->failure_level);
    w_f64(o, h->failure_factor);
    w_f64(o, h->divergence_threshold);
    w_f64(o, h->divergence_clear);
    w_u32(o, h->divergence_count);
    w_u32(o, (uint32_t)h->recalibration);
    w_f64(o, h->ema_alpha);
    w_f64(o, h->recal_noise[0]);
    w_f64(o, h->recal_noise[1]);
}

/* Profiles; signals (twin ordinal, name, unit, options, latest, zone,
 * counters, history, health); totals. */
static void put_ingest(wr *o, const twin_graph *g, const twin_ingest *ing)
{
    w_u32(o, ing->nprof);
    for (uint32_t i = 0; i < ing->nprof; i++) put_options(o, &ing->prof[i]);
    w_u32(o, ing->live);
    for (uint32_t i = 0; i < ing->nsig; i++) {
        const twin__sig *S = &ing->sig[i];
        const twin__sigx *x = &ing->sigx[i];
        const twin__itwin *tw;
        if (S->gen & TWIN__GEN_FREE) continue;
        tw = &ing->tw[x->twin];
        w_u32(o, twin_ordinal(g, twin__find_twin(g, twin__ing_str(ing, tw->id), tw->len)));
        w_strn(o, twin__ing_str(ing, x->name), x->name_len);
        w_str(o, x->unit ? x->unit->name : "");
        w_u32(o, S->order);
        w_u64(o, (uint64_t)S->window);
        w_f64(o, (S->flags & TWIN__SF_ALARM) && S->alarm_lo != -INFINITY ? S->alarm_lo : NAN);
        w_f64(o, (S->flags & TWIN__SF_ALARM) && S->alarm_hi != INFINITY ? S->alarm_hi : NAN);
        w_u32(o, x->history);
        w_f64(o, x->health_step);
        w_u8(o, (S->flags & TWIN__SF_LATEST) ? 1 : 0);
        w_u64(o, (uint64_t)S->last_t);
        w_f64(o, S->last_v);
        w_u8(o, (unsigned)(uint8_t)S->zone);
        for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++)
            w_u64(o, k == TWIN_INGEST_ACCEPTED ? S->accepted : x->counts[k]);
        w_u64(o, x->health_errors);
        w_u64(o, x->events);
        if (x->ring) {
            w_u32(o, x->ring->n);
            w_u32(o, x->ring->next);
            w_u64(o, (uint64_t)x->ring->evicted_max);
            for (uint32_t k = 0; k < x->ring->n; k++) {
                w_u64(o, (uint64_t)x->ring->e[k].t);
                w_f64(o, x->ring->e[k].v);
            }
        }
        if (S->health == TWIN__SIG_NONE) {
            w_u8(o, 0);
        } else {
            w_u8(o, 1);
            w_u32(o, S->profile);
            w_u32(o, (uint32_t)x->band);
            w_bytes(o, &ing->hs[S->health], sizeof(twin_health));
        }
    }
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) w_u64(o, ing->tot[k]);
    w_u64(o, ing->tot_health_errors);
    w_u64(o, ing->tot_events);
}

static void put_all(wr *o, const twin_graph *g, const twin_ingest *ing, uint32_t *ord,
                    uint64_t total)
{
    w_bytes(o, MAGIC, 8);
    w_u32(o, TWIN_SNAPSHOT_VERSION);
    w_u32(o, ing ? FLAG_INGEST : 0);
    w_u64(o, total);
    put_graph(o, g, ord);
    if (ing) put_ingest(o, g, ing);
}

twin_status twin_snapshot_save(const twin_graph *g, const twin_ingest *ing,
                               twin_snapshot_write_fn w, void *ud)
{
    uint32_t *ord;
    size_t nm;
    wr o;
    if (!g || !w || (ing && ing->g != g)) return TWIN_E_INVAL;
    /* model intern indexes by ordinal: at most one per twin */
    nm = g->twin_count ? g->twin_count : 1;
    ord = twin__alloc(&g->alloc, nm * sizeof *ord);
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
    twin__free(&g->alloc, ord, nm * sizeof *ord);
    return o.s;
}

/* ---- reading ---------------------------------------------------------------------- */

/* Scratch memory for one item's strings and values: blocks that never move. */
typedef struct blk {
    struct blk *next;
    size_t cap, used;
    unsigned char data[];
} blk;

typedef struct rd {
    twin_snapshot_read_fn r;
    void *ud;
    unsigned char buf[1024];
    size_t pos, len;
    int eof;
    uint64_t off;     /* bytes consumed */
    uint64_t total;   /* from the header */
    uint32_t crc;
    twin_status s;    /* first error */
    const char *why;  /* its reason, for PARSE */
    int cb_failed;    /* the read callback failed (s is its status) */
    const twin_allocator *a;
    blk *scratch;
} rd;

static void r_fail(rd *in, twin_status s, const char *why)
{
    if (in->s == TWIN_OK) {
        in->s = s;
        in->why = why;
    }
}

static int r_fill(rd *in)
{
    size_t got = 0;
    twin_status s;
    if (in->eof) return 0;
    s = in->r(in->ud, in->buf, sizeof in->buf, &got);
    if (s < 0) {
        r_fail(in, s, "the read callback failed");
        in->cb_failed = 1;
        in->eof = 1;
        return 0;
    }
    if (got > sizeof in->buf) got = sizeof in->buf;
    if (got == 0) in->eof = 1;
    in->pos = 0;
    in->len = got;
    return got > 0;
}

/* n bytes into p (p NULL: skip them); 0 at a premature end. */
static int r_bytes(rd *in, void *p, size_t n)
{
    unsigned char *d = p;
    if (in->s != TWIN_OK) return 0;
    if (n > in->total - in->off) {
        r_fail(in, TWIN_E_PARSE, "a length runs past the end of the snapshot");
        return 0;
    }
    while (n) {
        size_t k;
        if (in->pos == in->len && !r_fill(in)) {
            r_fail(in, TWIN_E_PARSE, "truncated");
            return 0;
        }
        k = in->len - in->pos < n ? in->len - in->pos : n;
        in->crc = crc_update(in->crc, in->buf + in->pos, k);
        if (d) {
            memcpy(d, in->buf + in->pos, k);
            d += k;
        }
        in->pos += k;
        in->off += k;
        n -= k;
    }
    return 1;
}

static uint64_t r_u64(rd *in)
{
    unsigned char b[8] = {0};
    uint64_t v = 0;
    r_bytes(in, b, 8);
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static uint32_t r_u32(rd *in)
{
    unsigned char b[4] = {0};
    r_bytes(in, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static unsigned r_u8(rd *in)
{
    unsigned char b = 0;
    r_bytes(in, &b, 1);
    return b;
}

static double r_f64(rd *in)
{
    uint64_t v = r_u64(in);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* A count of items of at least `each` bytes: bounded by what is left. */
static uint32_t r_count(rd *in, size_t each)
{
    uint32_t n = r_u32(in);
    if (in->s == TWIN_OK && (uint64_t)n * each > in->total - in->off) {
        r_fail(in, TWIN_E_PARSE, "a count runs past the end of the snapshot");
        return 0;
    }
    return in->s == TWIN_OK ? n : 0;
}

static void *r_alloc(rd *in, size_t n)
{
    blk *b = in->scratch;
    void *p;
    n = (n + 15u) & ~(size_t)15u;
    if (!n) n = 16;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        b = twin__alloc(in->a, sizeof *b + cap);
        if (!b) {
            r_fail(in, TWIN_E_NOMEM, "out of memory");
            return NULL;
        }
        b->next = in->scratch;
        b->cap = cap;
        b->used = 0;
        in->scratch = b;
    }
    p = b->data + b->used;
    b->used += n;
    return p;
}

static void r_scratch_free(rd *in)
{
    while (in->scratch) {
        blk *b = in->scratch;
        in->scratch = b->next;
        twin__free(in->a, b, sizeof *b + b->cap);
    }
}

/* A string into scratch memory, NUL-terminated; NULL on error. */
static char *r_str(rd *in, uint32_t *len)
{
    uint32_t n = r_count(in, 1);
    char *s;
    if (in->s != TWIN_OK || !(s = r_alloc(in, (size_t)n + 1))) return NULL;
    if (!r_bytes(in, s, n)) return NULL;
    s[n] = '\0';
    if (len) *len = n;
    return s;
}

static int r_value(rd *in, twin_value *v, int depth)
{
    memset(v, 0, sizeof *v);
    v->type = (int32_t)r_u8(in);
    switch (v->type) {
    case TWIN_VALUE_NULL: break;
    case TWIN_VALUE_BOOL: v->as.b = (int32_t)r_u8(in); break;
    case TWIN_VALUE_INT: v->as.i = (int64_t)r_u64(in); break;
    case TWIN_VALUE_DOUBLE: v->as.d = r_f64(in); break;
    case TWIN_VALUE_STRING: v->as.s = r_str(in, &v->len); break;
    case TWIN_VALUE_ARRAY:
    case TWIN_VALUE_OBJECT: {
        uint32_t n = r_count(in, 1);
        if (depth >= TWIN_VALUE_DEPTH_MAX) {
            r_fail(in, TWIN_E_PARSE, "a value nests too deep");
            return 0;
        }
        v->len = n;
        if (v->type == TWIN_VALUE_ARRAY) {
            twin_value *items = r_alloc(in, (size_t)n * sizeof *items);
            v->as.items = items;
            for (uint32_t i = 0; items && i < n && in->s == TWIN_OK; i++)
                r_value(in, &items[i], depth + 1);
        } else {
            twin_member *m = r_alloc(in, (size_t)n * sizeof *m);
            v->as.members = m;
            for (uint32_t i = 0; m && i < n && in->s == TWIN_OK; i++) {
                m[i].name = r_str(in, NULL);
                r_value(in, &m[i].value, depth + 1);
            }
        }
        break;
    }
    default: r_fail(in, TWIN_E_PARSE, "an unknown value type");
    }
    return in->s == TWIN_OK;
}

static twin_member *r_props(rd *in, size_t *n)
{
    uint32_t k = r_count(in, 5);
    twin_member *m = NULL;
    *n = 0;
    if (in->s != TWIN_OK || !k) return NULL;
    if (!(m = r_alloc(in, (size_t)k * sizeof *m))) return NULL;
    for (uint32_t i = 0; i < k && in->s == TWIN_OK; i++) {
        m[i].name = r_str(in, NULL);
        r_value(in, &m[i].value, 1);
    }
    *n = k;
    return m;
}

typedef struct relrec {
    const char *id, *name;
    uint32_t dst;
    const twin_member *props;
    size_t n;
} relrec;

/* Twins and relationships into the aside graph. */
static twin_status get_graph(rd *in, twin__build *b, char ***ids_out, uint32_t *ntw)
{
    uint32_t nm = r_count(in, 4), n;
    char **models, **ids;
    twin_status s;
    blk *keep;
    if (in->s != TWIN_OK) return in->s;
    /* model and twin ids stay in the first scratch blocks for the whole read */
    models = r_alloc(in, (size_t)nm * sizeof *models);
    for (uint32_t i = 0; models && i < nm; i++) models[i] = r_str(in, NULL);
    n = r_count(in, 12);
    ids = r_alloc(in, (size_t)n * sizeof *ids);
    if (in->s != TWIN_OK) return in->s;
    for (uint32_t i = 0; i < n; i++) {
        twin_member *p;
        size_t np;
        uint32_t mi;
        keep = in->scratch;
        ids[i] = r_str(in, NULL);
        mi = r_u32(in);
        if (in->s == TWIN_OK && mi >= nm) r_fail(in, TWIN_E_PARSE, "a model index is out of range");
        {
            /* properties go into fresh blocks, freed after the twin */
            blk *mark = in->scratch;
            p = r_props(in, &np);
            if (in->s != TWIN_OK) return in->s;
            if ((s = twin__build_twin(b, ids[i], models[mi], p, np)) != TWIN_OK) return s;
            while (in->scratch != mark) {
                blk *x = in->scratch;
                in->scratch = x->next;
                twin__free(in->a, x, sizeof *x + x->cap);
            }
        }
        (void)keep;
    }
    {
        uint32_t nr = r_count(in, 4), seen = 0;
        relrec *recs = NULL;
        uint32_t cap = 0;
        for (uint32_t i = 0; i < n && in->s == TWIN_OK; i++) {
            uint32_t k = r_count(in, 13);
            blk *mark = in->scratch;
            if (in->s != TWIN_OK) break;
            if (k > cap) {
                recs = r_alloc(in, (size_t)k * sizeof *recs);
                cap = recs ? k : 0;
                mark = in->scratch;
                if (!recs) break;
            }
            for (uint32_t j = 0; j < k && in->s == TWIN_OK; j++) {
                recs[j].id = r_str(in, NULL);
                recs[j].name = r_str(in, NULL);
                recs[j].dst = r_u32(in);
                recs[j].props = r_props(in, &recs[j].n);
                if (in->s == TWIN_OK && recs[j].dst >= n)
                    r_fail(in, TWIN_E_PARSE, "a relationship target is out of range");
            }
            if (in->s != TWIN_OK) break;
            seen += k;
            for (uint32_t j = k; j-- > 0;)  /* oldest first */
                if ((s = twin__build_rel(b, ids[i], recs[j].id, recs[j].name, ids[recs[j].dst],
                                         recs[j].props, recs[j].n)) != TWIN_OK)
                    return s;
            while (in->scratch != mark) {
                blk *x = in->scratch;
                in->scratch = x->next;
                twin__free(in->a, x, sizeof *x + x->cap);
            }
        }
        if (in->s == TWIN_OK && seen != nr) r_fail(in, TWIN_E_PARSE, "relationship counts disagree");
    }
    *ids_out = ids;
    *ntw = n;
    return in->s;
}

static void get_options(rd *in, twin_health_options *h, const twin_health_model *user)
{
    twin_health_options_init(h);
    h->model = (int32_t)r_u32(in);
    h->phi = r_f64(in);
    h->prior_mean[0] = r_f64(in);
    h->prior_mean[1] = r_f64(in);
    for (int i = 0; i < 4; i++) h->prior_cov[i] = r_f64(in);
    h->noise = r_f64(in);
    h->process_noise[0] = r_f64(in);
    h->process_noise[1] = r_f64(in);
    h->failure_level = r_f64(in);
    h->failure_factor = r_f64(in);
    h->divergence_threshold = r_f64(in);
    h->divergence_clear = r_f64(in);
    h->divergence_count = r_u32(in);
    h->recalibration = (int32_t)r_u32(in);
    h->ema_alpha = r_f64(in);
    h->recal_noise[0] = r_f64(in);
    h->recal_noise[1] = r_f64(in);
    h->user = h->model == TWIN_HEALTH_USER ? user : NULL;
}

static twin_status get_ingest(rd *in, twin__build *b, char **ids, uint32_t ntw,
                              const twin_health_model *user)
{
    twin_health_options *prof;
    uint32_t np = r_count(in, 100), ns;
    uint64_t tot[TWIN_INGEST_OUTCOMES], he, ev;
    twin_status s;
    prof = r_alloc(in, (size_t)np * sizeof *prof);
    if (in->s != TWIN_OK) return in->s;
    for (uint32_t i = 0; i < np; i++) {
        get_options(in, &prof[i], user);
        if (in->s != TWIN_OK) return in->s;
        if (prof[i].model == TWIN_HEALTH_USER && !user)
            return twin__build_fail(b, TWIN_E_STATE,
                                    "the snapshot has user-model health states and the ingest "
                                    "handle has no user_model");
        if ((s = twin__build_profile(b, &prof[i])) != TWIN_OK) return s;
    }
    ns = r_count(in, 60);
    for (uint32_t i = 0; i < ns && in->s == TWIN_OK; i++) {
        twin_signal_options so;
        twin__sigstate st;
        uint64_t counts[TWIN_INGEST_OUTCOMES];
        twin_health h;
        blk *mark = in->scratch;
        uint32_t tw = r_u32(in);
        const char *name = r_str(in, NULL), *unit = r_str(in, NULL);
        memset(&st, 0, sizeof st);
        twin_signal_options_init(&so);
        so.order = (int32_t)r_u32(in);
        so.reorder_window_us = (int64_t)r_u64(in);
        so.alarm_low = r_f64(in);
        so.alarm_high = r_f64(in);
        so.history = r_u32(in);
        so.health_step = r_f64(in);
        so.unit = unit;
        st.has_latest = (int32_t)r_u8(in);
        st.last_t = (int64_t)r_u64(in);
        st.last_v = r_f64(in);
        st.zone = (int8_t)r_u8(in);
        for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) counts[k] = r_u64(in);
        st.counts = counts;
        st.health_errors = r_u64(in);
        st.events = r_u64(in);
        if (in->s == TWIN_OK && tw >= ntw) r_fail(in, TWIN_E_PARSE, "a signal's twin is out of range");
        if (in->s == TWIN_OK && so.history) {
            int64_t *rt;
            double *rv;
            if (so.history > TWIN_INGEST_HISTORY_MAX) {
                r_fail(in, TWIN_E_PARSE, "a history is too long");
                break;
            }
            st.ring_n = r_u32(in);
            st.ring_next = r_u32(in);
            st.ring_evicted_max = (int64_t)r_u64(in);
            if (in->s == TWIN_OK && st.ring_n > so.history) {
                r_fail(in, TWIN_E_PARSE, "a history holds too many samples");
                break;
            }
            rt = r_alloc(in, (size_t)st.ring_n * sizeof *rt + 1);
            rv = r_alloc(in, (size_t)st.ring_n * sizeof *rv + 1);
            for (uint32_t k = 0; rt && rv && k < st.ring_n; k++) {
                rt[k] = (int64_t)r_u64(in);
                rv[k] = r_f64(in);
            }
            st.ring_t = rt;
            st.ring_v = rv;
        }
        if (r_u8(in)) {
            uint32_t p = r_u32(in);
            st.band = (int32_t)r_u32(in);
            st.has_band = 1;
            r_bytes(in, &h, sizeof h);
            if (in->s == TWIN_OK && p >= np) r_fail(in, TWIN_E_PARSE, "a health profile is out of range");
            st.hopt = in->s == TWIN_OK ? &prof[p] : NULL;
            st.health = &h;
        }
        if (in->s != TWIN_OK) break;
        if ((s = twin__build_signal(b, ids[tw], name, &so, &st)) != TWIN_OK) return s;
        while (in->scratch != mark) {
            blk *x = in->scratch;
            in->scratch = x->next;
            twin__free(in->a, x, sizeof *x + x->cap);
        }
    }
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) tot[k] = r_u64(in);
    he = r_u64(in);
    ev = r_u64(in);
    if (in->s == TWIN_OK) twin__build_totals(b, tot, he, ev);
    return in->s;
}

/* Read what is left up to the checksum and compare it. */
static int checksum_ok(rd *in)
{
    uint32_t crc, want;
    unsigned char extra;
    size_t got;
    while (in->off + 4 < in->total && in->s == TWIN_OK) {
        uint64_t k = in->total - 4 - in->off;
        unsigned char tmp[256];
        r_bytes(in, tmp, k < sizeof tmp ? (size_t)k : sizeof tmp);
    }
    if (in->s != TWIN_OK || in->off + 4 != in->total) return 0;
    crc = in->crc;
    want = r_u32(in);
    if (in->s != TWIN_OK) return 0;
    if (crc != want) {
        r_fail(in, TWIN_E_PARSE, "the checksum does not match");
        return 0;
    }
    /* nothing may follow */
    if (in->pos < in->len) {
        r_fail(in, TWIN_E_PARSE, "bytes follow the end of the snapshot");
        return 0;
    }
    if (!in->eof && in->r(in->ud, &extra, 1, &got) == TWIN_OK && got) {
        r_fail(in, TWIN_E_PARSE, "bytes follow the end of the snapshot");
        return 0;
    }
    return 1;
}

twin_status twin_snapshot_restore(twin_graph *g, twin_ingest *ing, twin_snapshot_read_fn r,
                                  void *ud)
{
    unsigned char magic[8];
    uint32_t version, flags, ntw = 0;
    char **ids = NULL;
    twin__build b;
    twin_status s;
    rd in;

    if (!g || !r || (ing && ing->g != g)) return TWIN_E_INVAL;
    memset(&in, 0, sizeof in);
    in.r = r;
    in.ud = ud;
    in.a = &g->alloc;
    in.total = HEADER_BYTES;
    r_bytes(&in, magic, 8);
    version = r_u32(&in);
    flags = r_u32(&in);
    in.total = r_u64(&in);
    if (in.s != TWIN_OK || memcmp(magic, MAGIC, 8) != 0)
        return twin__fail(g, in.s == TWIN_OK || in.s == TWIN_E_PARSE ? TWIN_E_PARSE : in.s,
                          "not a libtwin snapshot (%s)",
                          in.s == TWIN_OK ? "bad magic" : in.why);
    if (version != TWIN_SNAPSHOT_VERSION || (flags & ~FLAG_INGEST))
        return twin__fail(g, TWIN_E_PARSE, "snapshot version %lu is not %d",
                          (unsigned long)version, TWIN_SNAPSHOT_VERSION);
    if (in.total < HEADER_BYTES + 4)
        return twin__fail(g, TWIN_E_PARSE, "the snapshot's length is impossible");
    if ((s = twin__build_begin(&b, g, ing, 0, 0, 0)) != TWIN_OK) return s;
    s = get_graph(&in, &b, &ids, &ntw);
    if (s == TWIN_OK && (flags & FLAG_INGEST))
        s = get_ingest(&in, &b, ids, ntw, ing ? ing->user_model : NULL);
    /* Whatever failed first, a snapshot that does not check out is
       reported as corrupted: read on to the checksum. */
    if (!in.cb_failed) {
        twin_status parse = in.s;
        const char *why = in.why;
        in.s = TWIN_OK;
        in.why = NULL;
        if (!checksum_ok(&in)) {
            if (!in.cb_failed) s = TWIN_E_PARSE;
        } else if (parse != TWIN_OK) {
            in.s = parse;
            in.why = why;
            s = parse;
        }
    }
    r_scratch_free(&in);
    if (in.cb_failed) s = in.s;
    if (s != TWIN_OK) {
        twin__build_abort(&b);
        if (in.s == s && in.why)
            return twin__build_fail(&b, s, "snapshot %s at byte %lu", in.why,
                                    (unsigned long)in.off);
        return s;  /* the graph or ingest handle recorded why */
    }
    twin__build_commit(&b);
    return TWIN_OK;
}
