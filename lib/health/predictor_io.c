/* The binary form of a RUL predictor: little-endian, field by field.
 *
 *   offset  field
 *   0       "TWRL"
 *   4       u16 format version (TWIN_HEALTH_PREDICTOR_FORMAT), u16 zero
 *   8       u32 length of the whole form, CRC included
 *   12      u32 nsensors, nsettings, nregimes, depth, trees, baseline
 *   36      f64 alpha_fast, alpha_slow, horizon, censor_level, bias, index_bias
 *   84      f64 setting_scale[nsettings], centre[nregimes][nsettings],
 *               mean[nregimes][nsensors], scale[nregimes][nsensors],
 *               weight[nsensors]
 *   ...     per tree: u8 feature[depth], f32 threshold[depth], f32 leaf[2^depth]
 *   end-4   u32 CRC-32 of every byte before it
 *
 * Reading checks every field before the model is built. Its limits are
 * the counts' (health.h: at most TWIN_HEALTH_PREDICTOR_SENSORS sensors,
 * TWIN_HEALTH_FUSION_SETTINGS settings, TWIN_HEALTH_FUSION_REGIMES
 * regimes, depth 8, 65535 trees: TWIN_E_RANGE past one), which bound the
 * form to about 70 MB and the model to its size; they are checked once the
 * CRC-32 matched. */
#include "health/predictor_int.h"
#include "util/crc32.h"

#include <string.h>

#define MAGIC "TWRL"
#define HEAD 84u

typedef struct wr {
    unsigned char *p;
} wr;

static void put32(wr *w, uint32_t v)
{
    for (int i = 0; i < 4; i++) *w->p++ = (unsigned char)(v >> (8 * i));
}

static void put64(wr *w, uint64_t v)
{
    for (int i = 0; i < 8; i++) *w->p++ = (unsigned char)(v >> (8 * i));
}

static void putf64(wr *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put64(w, v);
}

static void putf32(wr *w, float f)
{
    uint32_t v;
    memcpy(&v, &f, sizeof v);
    put32(w, v);
}

static size_t tree_bytes(uint32_t depth)
{
    return (size_t)depth * 5 + ((size_t)4 << depth);
}

static uint64_t form_size(uint32_t ns, uint32_t nq, uint32_t nr, uint32_t depth, uint32_t trees)
{
    uint64_t doubles = (uint64_t)nq + (uint64_t)nr * nq + 2ull * nr * ns + ns;
    return HEAD + 8 * doubles + (uint64_t)trees * tree_bytes(depth) + 4;
}

size_t twin__predictor_size(const twin_health_predictor *m)
{
    return (size_t)form_size(m->nsensors, m->nsettings, m->nregimes, m->depth, m->ntrees);
}

void twin__predictor_write(const twin_health_predictor *m, unsigned char *buf)
{
    wr w = {buf};
    size_t n = twin__predictor_size(m);
    memcpy(w.p, MAGIC, 4);
    w.p += 4;
    put32(&w, TWIN_HEALTH_PREDICTOR_FORMAT);
    put32(&w, (uint32_t)n);
    put32(&w, m->nsensors);
    put32(&w, m->nsettings);
    put32(&w, m->nregimes);
    put32(&w, m->depth);
    put32(&w, m->ntrees);
    put32(&w, m->baseline);
    putf64(&w, m->alpha_fast);
    putf64(&w, m->alpha_slow);
    putf64(&w, m->horizon);
    putf64(&w, m->censor_level);
    putf64(&w, m->bias);
    putf64(&w, m->hi_bias);
    for (uint32_t j = 0; j < m->nsettings; j++) putf64(&w, m->setting_scale[j]);
    for (uint32_t r = 0; r < m->nregimes; r++)
        for (uint32_t j = 0; j < m->nsettings; j++) putf64(&w, m->centre[r][j]);
    for (uint32_t r = 0; r < m->nregimes; r++)
        for (uint32_t j = 0; j < m->nsensors; j++) putf64(&w, m->mean[r][j]);
    for (uint32_t r = 0; r < m->nregimes; r++)
        for (uint32_t j = 0; j < m->nsensors; j++) putf64(&w, m->scale[r][j]);
    for (uint32_t j = 0; j < m->nsensors; j++) putf64(&w, m->weight[j]);
    for (uint32_t t = 0; t < m->ntrees; t++) {
        size_t at = (size_t)t * m->depth;
        for (uint32_t l = 0; l < m->depth; l++) *w.p++ = m->feat[at + l];
        for (uint32_t l = 0; l < m->depth; l++) putf32(&w, m->thr[at + l]);
        for (uint32_t j = 0; j < (1u << m->depth); j++)
            putf32(&w, m->leaf[((size_t)t << m->depth) + j]);
    }
    put32(&w, twin__crc32(0, buf, n - 4));
}

twin_status twin_health_predictor_save(const twin_health_predictor *m, void *buf, size_t cap,
                                       size_t *needed, twin_error *err)
{
    size_t n;
    if (!m || (!buf && cap)) return twin__hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    n = twin__predictor_size(m);
    if (needed) *needed = n;
    if (cap < n) return twin__hfail(err, TWIN_E_RANGE, "the buffer is too small");
    twin__predictor_write(m, buf);
    return TWIN_OK;
}

/* ---- reading ---------------------------------------------------------------------- */

typedef struct rd {
    const unsigned char *p;
    int bad; /* a value out of range was read */
} rd;

static uint32_t get32(rd *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)*r->p++ << (8 * i);
    return v;
}

static double getf64(rd *r)
{
    uint64_t v = 0;
    double d;
    for (int i = 0; i < 8; i++) v |= (uint64_t)*r->p++ << (8 * i);
    memcpy(&d, &v, sizeof d);
    if (!twin__finite(d)) r->bad = 1;
    return d;
}

static float getf32(rd *r)
{
    uint32_t v = get32(r);
    float f;
    memcpy(&f, &v, sizeof f);
    return f;
}

/* The header of an n-byte form into h (nsensors, nsettings, nregimes,
 * depth, trees, baseline): its integrity first (magic, version, length
 * field, CRC-32: TWIN_E_PARSE), then the limits of the counts
 * (TWIN_E_RANGE), then the counts against the length (TWIN_E_PARSE). */
static twin_status header_check(const unsigned char *b, size_t n, uint32_t h[6], twin_error *err)
{
    rd r = {b + 8, 0};
    if (n < HEAD + 4 || memcmp(b, MAGIC, 4) != 0 || b[4] != TWIN_HEALTH_PREDICTOR_FORMAT || b[5] ||
        b[6] || b[7])
        return twin__hfail(err, TWIN_E_PARSE, "not a predictor of this format version");
    if (get32(&r) != n)
        return twin__hfail(err, TWIN_E_PARSE, "the predictor's length field is not its length");
    if (twin__crc32(0, b, n - 4) != ((uint32_t)b[n - 4] | (uint32_t)b[n - 3] << 8 |
                                     (uint32_t)b[n - 2] << 16 | (uint32_t)b[n - 1] << 24))
        return twin__hfail(err, TWIN_E_PARSE, "the predictor's CRC-32 does not match");
    for (int i = 0; i < 6; i++) h[i] = get32(&r);
    if (h[0] > TWIN__PS)
        return twin__hfail(err, TWIN_E_RANGE,
                           "a predictor of more than TWIN_HEALTH_PREDICTOR_SENSORS sensors");
    if (h[1] > TWIN__PQ)
        return twin__hfail(err, TWIN_E_RANGE,
                           "a predictor of more than TWIN_HEALTH_FUSION_SETTINGS settings");
    if (h[2] > TWIN__PR)
        return twin__hfail(err, TWIN_E_RANGE,
                           "a predictor of more than TWIN_HEALTH_FUSION_REGIMES regimes");
    if (h[3] > TWIN__PDEPTH)
        return twin__hfail(err, TWIN_E_RANGE, "a predictor's trees are deeper than 8 levels");
    if (h[4] > TWIN__PTREES)
        return twin__hfail(err, TWIN_E_RANGE, "a predictor of more than 65535 trees");
    if (h[0] < 1 || h[2] < 1 || (h[1] == 0 && h[2] != 1) || h[3] < 1 || h[4] < 1 || h[5] < 1)
        return twin__hfail(err, TWIN_E_PARSE, "a predictor's count is zero or inconsistent");
    if (form_size(h[0], h[1], h[2], h[3], h[4]) != n)
        return twin__hfail(err, TWIN_E_PARSE, "a predictor's length does not match its counts");
    return TWIN_OK;
}

/* The fields after the counts into m (counts set); 0 when one is invalid. */
static int read_body(twin_health_predictor *m, const unsigned char *b)
{
    rd r = {b + 36, 0};
    m->alpha_fast = getf64(&r);
    m->alpha_slow = getf64(&r);
    m->horizon = getf64(&r);
    m->censor_level = getf64(&r);
    m->bias = getf64(&r);
    m->hi_bias = getf64(&r);
    if (!(m->alpha_fast > 0 && m->alpha_fast <= 1 && m->alpha_slow > 0 && m->alpha_slow <= 1 &&
          m->horizon > 0 && m->censor_level > 0 && m->censor_level <= m->horizon))
        return 0;
    for (uint32_t j = 0; j < m->nsettings; j++)
        if (!((m->setting_scale[j] = getf64(&r)) > 0)) return 0;
    for (uint32_t k = 0; k < m->nregimes; k++)
        for (uint32_t j = 0; j < m->nsettings; j++) m->centre[k][j] = getf64(&r);
    for (uint32_t k = 0; k < m->nregimes; k++)
        for (uint32_t j = 0; j < m->nsensors; j++) m->mean[k][j] = getf64(&r);
    for (uint32_t k = 0; k < m->nregimes; k++)
        for (uint32_t j = 0; j < m->nsensors; j++)
            if (!((m->scale[k][j] = getf64(&r)) >= 0)) return 0;
    for (uint32_t j = 0; j < m->nsensors; j++) m->weight[j] = getf64(&r);
    for (uint32_t t = 0; t < m->ntrees; t++) {
        size_t at = (size_t)t * m->depth;
        for (uint32_t l = 0; l < m->depth; l++)
            if ((m->feat[at + l] = *r.p++) >= m->nfeat) return 0;
        for (uint32_t l = 0; l < m->depth; l++)
            if (isnan(m->thr[at + l] = getf32(&r))) return 0;
        for (uint32_t j = 0; j < (1u << m->depth); j++) {
            float v = getf32(&r);
            if (!twin__finite((double)v)) return 0;
            m->leaf[((size_t)t << m->depth) + j] = v;
        }
    }
    return !r.bad;
}

twin_status twin_health_predictor_load(twin_health_predictor **out, const void *data, size_t n,
                                       const twin_allocator *alloc, twin_error *err)
{
    const unsigned char *b = data;
    twin_health_predictor *m;
    twin_allocator a;
    uint32_t h[6];
    twin_status st;
    if (!out) return twin__hfail(err, TWIN_E_INVAL, "out is NULL");
    *out = NULL;
    if (!data && n) return twin__hfail(err, TWIN_E_INVAL, "data is NULL");
    if ((st = twin__allocator_copy(&a, alloc)) < 0)
        return twin__hfail(err, st, "allocator is invalid or of an unknown size");
    if (!data) return twin__hfail(err, TWIN_E_PARSE, "not a predictor of this format version");
    if ((st = header_check(b, n, h, err)) != TWIN_OK) return st;
    if (!(m = twin__alloc(&a, sizeof *m))) return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    memset(m, 0, sizeof *m);
    m->alloc = a;
    m->nsensors = h[0];
    m->nsettings = h[1];
    m->nregimes = h[2];
    m->depth = h[3];
    m->ntrees = h[4];
    m->baseline = h[5];
    m->nfeat = TWIN__PF_PER * (m->nsensors + 1) + 1;
    if (!twin__predictor_alloc_trees(m)) {
        twin_health_predictor_destroy(m);
        return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    }
    if (!read_body(m, b)) {
        twin_health_predictor_destroy(m);
        return twin__hfail(err, TWIN_E_PARSE, "a field of the predictor is out of range");
    }
    m->tag = (uint32_t)b[n - 4] | (uint32_t)b[n - 3] << 8 | (uint32_t)b[n - 2] << 16 |
             (uint32_t)b[n - 1] << 24;
    *out = m;
    return TWIN_OK;
}
