/* Restoring a snapshot (the format is described in snapshot_write.c):
 * format versions 1 (libtwin 1.3, 1.4) and 2.
 *
 * Limits (storage.h, docs/limits.md): every count and length is bounded by
 * the bytes the header says are left (TWIN_E_PARSE past them); identifiers
 * by TWIN_ID_MAX (model ids TWIN_MODEL_ID_MAX), values by
 * TWIN_VALUE_DEPTH_MAX levels, histories by TWIN_INGEST_HISTORY_MAX,
 * encoded health states and options by their encoded sizes and health
 * profiles by TWIN__SNAP_PROFILES_MAX, each checked as it is read
 * (TWIN_E_RANGE), before anything of that size is allocated. */
#include "storage/build.h"

#include "core/alloc.h"
#include "graph/rebuild.h"
#include "storage/snapshot.h"

#include <math.h>
#include <string.h>

/* ---- reading ---------------------------------------------------------------------- */

#define STR_(x) #x
#define STR(x) STR_(x)
/* The reason for a string longer than its limit. */
#define TOO_LONG(what, max) what " is longer than " STR(max) " bytes (" #max ")"

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
    uint32_t version; /* the snapshot's format version */
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
        in->crc = twin__crc32(in->crc, in->buf + in->pos, k);
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
    if (!r_bytes(in, b, 8)) return 0;  /* not a half-read value */
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static uint32_t r_u32(rd *in)
{
    unsigned char b[4] = {0};
    if (!r_bytes(in, b, 4)) return 0;  /* not a half-read value */
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
    if (in->s != TWIN_OK) return NULL;  /* sizes read after a failure mean nothing */
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

/* Room for item i of an array of esize-byte items that grows as its items
 * are read (doubling, the old copy left in scratch): a count read from the
 * snapshot only costs memory once that many items really came, so a lying
 * header or count cannot make the reader allocate more than about twice
 * what the input holds. NULL on failure (recorded). */
static void *r_grow(rd *in, void *arr, uint32_t *cap, uint32_t i, size_t esize)
{
    uint32_t nc;
    void *p;
    if (i < *cap) return arr;
    nc = *cap ? *cap : 16;
    while (nc <= i) nc = nc > UINT32_MAX / 2 ? UINT32_MAX : nc * 2;
    if (nc <= i) {
        r_fail(in, TWIN_E_PARSE, "an array or string is too long");
        return NULL;
    }
    if (!(p = r_alloc(in, (size_t)nc * esize))) return NULL;
    if (*cap) memcpy(p, arr, (size_t)*cap * esize);
    *cap = nc;
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

/* A string of at most max bytes (past it: TWIN_E_RANGE, reason too_long)
 * into scratch memory, NUL-terminated; NULL on error. A long one is read in
 * pieces into a buffer that grows as they come (see r_grow()). */
static char *r_str(rd *in, uint32_t *len, uint32_t max, const char *too_long)
{
    uint32_t n = r_u32(in), got = 0, cap = 0;
    char *s = NULL;
    if (in->s == TWIN_OK && n > max) r_fail(in, TWIN_E_RANGE, too_long);
    if (in->s == TWIN_OK && n > in->total - in->off)
        r_fail(in, TWIN_E_PARSE, "a count runs past the end of the snapshot");
    if (in->s != TWIN_OK) return NULL;
    if (n < 65536) {
        if (!(s = r_alloc(in, (size_t)n + 1)) || !r_bytes(in, s, n)) return NULL;
        got = n;
    }
    while (got < n) {
        uint32_t k = n - got < 65536 ? n - got : 65536;
        if (!(s = r_grow(in, s, &cap, got + k, 1)) || !r_bytes(in, s + got, k)) return NULL;
        got += k;
    }
    if (n >= 65536 && !(s = r_grow(in, s, &cap, n, 1))) return NULL;
    s[n] = '\0';
    if (len) *len = n;
    return s;
}

/* A value whose arrays and objects nest depth levels above it already (a
 * property's value is at depth 0). */
static int r_value(rd *in, twin_value *v, int depth)
{
    memset(v, 0, sizeof *v);
    v->type = (int32_t)r_u8(in);
    switch (v->type) {
    case TWIN_VALUE_NULL: break;
    case TWIN_VALUE_BOOL: v->as.b = (int32_t)r_u8(in); break;
    case TWIN_VALUE_INT: v->as.i = (int64_t)r_u64(in); break;
    case TWIN_VALUE_DOUBLE: v->as.d = r_f64(in); break;
    case TWIN_VALUE_STRING: v->as.s = r_str(in, &v->len, UINT32_MAX, NULL); break;
    case TWIN_VALUE_ARRAY:
    case TWIN_VALUE_OBJECT: {
        uint32_t n = r_count(in, 1);
        if (depth >= TWIN_VALUE_DEPTH_MAX) {  /* this array or object is level depth + 1 */
            r_fail(in, TWIN_E_RANGE, "a value nests deeper than " STR(TWIN_VALUE_DEPTH_MAX)
                                     " levels (TWIN_VALUE_DEPTH_MAX)");
            return 0;
        }
        v->len = n;
        if (v->type == TWIN_VALUE_ARRAY) {
            twin_value *items = NULL;
            uint32_t cap = 0;
            for (uint32_t i = 0; i < n && in->s == TWIN_OK; i++) {
                if (!(items = r_grow(in, items, &cap, i, sizeof *items))) break;
                r_value(in, &items[i], depth + 1);
            }
            v->as.items = items;
        } else {
            twin_member *m = NULL;
            uint32_t cap = 0;
            for (uint32_t i = 0; i < n && in->s == TWIN_OK; i++) {
                if (!(m = r_grow(in, m, &cap, i, sizeof *m))) break;
                m[i].name = r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a member name", TWIN_ID_MAX));
                r_value(in, &m[i].value, depth + 1);
            }
            v->as.members = m;
        }
        break;
    }
    default: r_fail(in, TWIN_E_PARSE, "an unknown value type");
    }
    return in->s == TWIN_OK;
}

static twin_member *r_props(rd *in, size_t *n)
{
    uint32_t k = r_count(in, 5), cap = 0;
    twin_member *m = NULL;
    *n = 0;
    if (in->s != TWIN_OK || !k) return NULL;
    for (uint32_t i = 0; i < k && in->s == TWIN_OK; i++) {
        if (!(m = r_grow(in, m, &cap, i, sizeof *m))) return NULL;
        m[i].name = r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a property name", TWIN_ID_MAX));
        r_value(in, &m[i].value, 0);
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
    uint32_t nm = r_count(in, 4), n, capm = 0, capi = 0;
    char **models = NULL, **ids = NULL;
    twin_status s;
    if (in->s != TWIN_OK) return in->s;
    /* model and twin ids stay in scratch blocks before each twin's mark,
       for the whole read */
    for (uint32_t i = 0; i < nm && in->s == TWIN_OK; i++)
        if ((models = r_grow(in, models, &capm, i, sizeof *models)) != NULL)
            models[i] = r_str(in, NULL, TWIN_MODEL_ID_MAX,
                                  TOO_LONG("a model id", TWIN_MODEL_ID_MAX));
    n = r_count(in, 12);
    if (in->s != TWIN_OK) return in->s;
    for (uint32_t i = 0; i < n; i++) {
        twin_member *p;
        size_t np;
        uint32_t mi;
        if (!(ids = r_grow(in, ids, &capi, i, sizeof *ids))) return in->s;
        ids[i] = r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a twin id", TWIN_ID_MAX));
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
    }
    {
        uint32_t nr = r_count(in, 4), seen = 0;
        for (uint32_t i = 0; i < n && in->s == TWIN_OK; i++) {
            uint32_t k = r_count(in, 13), cap = 0;
            blk *mark = in->scratch;  /* this twin's relationships: freed after it */
            relrec *recs = NULL;
            if (in->s != TWIN_OK) break;
            for (uint32_t j = 0; j < k && in->s == TWIN_OK; j++) {
                if (!(recs = r_grow(in, recs, &cap, j, sizeof *recs))) break;
                recs[j].id =
                    r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a relationship id", TWIN_ID_MAX));
                recs[j].name =
                    r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a relationship name", TWIN_ID_MAX));
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

/* An encoded health state or options (format 2): u32 length (at most max,
 * which b holds) and bytes. */
static size_t r_encoded(rd *in, unsigned char *b, uint32_t max, const char *too_long)
{
    uint32_t n = r_u32(in);
    if (in->s == TWIN_OK && n > max) r_fail(in, TWIN_E_RANGE, too_long);
    return in->s == TWIN_OK && r_bytes(in, b, n) ? n : 0;
}

static void get_options_v1(rd *in, twin_health_options *h)
{
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
}

static void get_options(rd *in, twin_health_options *h, const twin_health_model *user)
{
    twin_health_options_init(h);
    if (in->version == 1) {
        get_options_v1(in, h);
    } else {
        static const char too_long[] =
            "encoded health options are longer than " STR(TWIN_HEALTH_OPTIONS_ENCODED_MAX)
            " bytes (TWIN_HEALTH_OPTIONS_ENCODED_MAX)";
        unsigned char b[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
        size_t n = r_encoded(in, b, sizeof b, too_long);
        if (in->s == TWIN_OK && twin_health_options_decode(h, b, n, NULL) != TWIN_OK)
            r_fail(in, TWIN_E_PARSE, "encoded health options do not decode");
    }
    h->user = h->model == TWIN_HEALTH_USER ? user : NULL;
}

/* A health state: raw bytes of the 1.3/1.4 struct (format 1) or the
 * encoded form (2); the decoder reads both. */
static void get_health(rd *in, twin_health *h)
{
    unsigned char b[sizeof(twin_health) > TWIN_HEALTH_ENCODED_MAX ? sizeof(twin_health)
                                                                   : TWIN_HEALTH_ENCODED_MAX];
    size_t n;
    if (in->version == 1) {
        n = sizeof(twin_health);
        r_bytes(in, b, n);
    } else {
        n = r_encoded(in, b, TWIN_HEALTH_ENCODED_MAX,
                      TOO_LONG("an encoded health state", TWIN_HEALTH_ENCODED_MAX));
    }
    if (in->s == TWIN_OK && twin_health_decode(h, b, n, NULL) != TWIN_OK)
        r_fail(in, TWIN_E_PARSE, "a health state does not decode");
}

static twin_status get_ingest(rd *in, twin__build *b, char **ids, uint32_t ntw,
                              const twin_health_model *user)
{
    twin_health_options *prof = NULL;
    uint32_t np = r_u32(in), ns, capp = 0;
    uint64_t tot[TWIN_INGEST_OUTCOMES], he, ev;
    twin_status s;
    if (in->s == TWIN_OK && np > TWIN__SNAP_PROFILES_MAX)
        r_fail(in, TWIN_E_RANGE, "more than " STR(TWIN__SNAP_PROFILES_MAX) " health profiles");
    if (in->s == TWIN_OK && (uint64_t)np * 100 > in->total - in->off)
        r_fail(in, TWIN_E_PARSE, "a count runs past the end of the snapshot");
    if (in->s != TWIN_OK) return in->s;
    for (uint32_t i = 0; i < np; i++) {
        if (!(prof = r_grow(in, prof, &capp, i, sizeof *prof))) return in->s;
        get_options(in, &prof[i], user);
        if (in->s != TWIN_OK) return in->s;
        if (prof[i].model == TWIN_HEALTH_USER && !user)
            return twin__build_fail(b, TWIN_E_STATE,
                                    "the snapshot has user-model health states and the ingest "
                                    "handle has no user_model");
    }
    if ((s = twin__build_profiles(b, prof, np)) != TWIN_OK) return s;
    ns = r_count(in, 60);
    for (uint32_t i = 0; i < ns && in->s == TWIN_OK; i++) {
        twin_signal_options so;
        twin__sigstate st;
        uint64_t counts[TWIN_INGEST_OUTCOMES];
        twin_health h;
        blk *mark = in->scratch;
        uint32_t tw = r_u32(in);
        const char *name = r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a signal name", TWIN_ID_MAX));
        const char *unit = r_str(in, NULL, TWIN_ID_MAX, TOO_LONG("a unit", TWIN_ID_MAX));
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
                r_fail(in, TWIN_E_RANGE, "a history is longer than " STR(TWIN_INGEST_HISTORY_MAX)
                                         " samples (TWIN_INGEST_HISTORY_MAX)");
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
            get_health(in, &h);
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

    if (!g || !r || (ing && twin__ing_graph(ing) != g)) return TWIN_E_INVAL;
    memset(&in, 0, sizeof in);
    in.r = r;
    in.ud = ud;
    in.a = twin__graph_allocator(g);
    in.total = TWIN__SNAP_HEADER_BYTES;
    r_bytes(&in, magic, 8);
    version = r_u32(&in);
    flags = r_u32(&in);
    in.total = r_u64(&in);
    if (in.s != TWIN_OK || memcmp(magic, TWIN__SNAP_MAGIC, 8) != 0)
        return twin__fail(g, in.s == TWIN_OK || in.s == TWIN_E_PARSE ? TWIN_E_PARSE : in.s,
                          "not a libtwin snapshot (%s)",
                          in.s == TWIN_OK ? "bad magic" : in.why);
    if (version < 1 || version > TWIN_SNAPSHOT_VERSION || (flags & ~TWIN__SNAP_FLAG_INGEST))
        return twin__fail(g, TWIN_E_PARSE, "snapshot version %lu is not 1 to %d",
                          (unsigned long)version, TWIN_SNAPSHOT_VERSION);
    in.version = version;
    if (in.total < TWIN__SNAP_HEADER_BYTES + 4)
        return twin__fail(g, TWIN_E_PARSE, "the snapshot's length is impossible");
    if ((s = twin__build_begin(&b, g, ing, 0, 0, 0)) != TWIN_OK) return s;
    s = get_graph(&in, &b, &ids, &ntw);
    if (s == TWIN_OK && (flags & TWIN__SNAP_FLAG_INGEST))
        s = get_ingest(&in, &b, ids, ntw, ing ? twin__ing_user_model(ing) : NULL);
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
