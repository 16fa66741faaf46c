/* libtwin-sqlite: the block codec (see codec.h for the format). */
#include "codec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double pow10d[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
static const uint64_t pow10u[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};

#define DEC_MAX 12   /* decimals tried */
#define FIT_LIMIT 4503599627370496.0 /* 2^52 */

static uint64_t dbits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double bitsd(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v = v << 8 | p[k];
    return v;
}

/* The block checksum: a 64-bit multiply-xorshift hash of its bytes (with
   the checksum field taken as zero), folded to 32 bits. */
static uint32_t block_sum(const unsigned char *b, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)len;
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t w = le64(b + k);
        if (k == 8) w &= 0x00000000ffffffffull; /* bytes 12..15: the checksum */
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 29;
    }
    for (; k < len; k++) {
        h = (h ^ b[k]) * 0x94d049bb133111ebull;
        h ^= h >> 31;
    }
    h ^= h >> 32;
    return (uint32_t)h;
}

/* ---- encoder ------------------------------------------------------------ */

/* Append nb (1..32) bits. */
static inline void put(tsq_enc *e, uint64_t v, unsigned nb)
{
    e->acc = (e->acc << nb) | (v & ((1ull << nb) - 1));
    e->nacc += nb;
    while (e->nacc >= 8) {
        e->nacc -= 8;
        e->buf[e->len++] = (unsigned char)(e->acc >> e->nacc);
    }
}

static inline void put64(tsq_enc *e, uint64_t v)
{
    put(e, v >> 32, 32);
    put(e, v & 0xffffffffu, 32);
}

/* v in nb bits (1..64) */
static inline void putn(tsq_enc *e, uint64_t v, unsigned nb)
{
    if (nb > 32) {
        put(e, v >> 32, nb - 32);
        put(e, v & 0xffffffffu, 32);
    } else {
        put(e, v, nb);
    }
}

static int dec_fit(double v, double scale, int64_t *m)
{
    double x = v * scale, back;
    int64_t mm;
    if (!(x > -FIT_LIMIT && x < FIT_LIMIT)) return 0; /* NaN too */
    mm = (int64_t)nearbyint(x);
    back = (double)mm / scale;
    if (dbits(back) != dbits(v)) return 0;
    *m = mm;
    return 1;
}

void tsq_enc_choose(const int64_t *t, const double *v, size_t count, int prev_qexp,
                    int prev_mode, int prev_dec, int *qexp, int *mode, int *dec)
{
    int k = 6, d;
    size_t i;
    if (count >= 2) {
        for (i = 1; i < count; i++) {
            uint64_t step = (uint64_t)t[i] - (uint64_t)t[i - 1];
            while (k > 0 && step % pow10u[k]) k--;
        }
    } else {
        k = prev_qexp >= 0 ? prev_qexp : 0;
    }
    *qexp = k;
    if (count < 4 && prev_mode >= 0) {
        *mode = prev_mode;
        *dec = prev_dec;
        return;
    }
    *mode = TSQ_MODE_XOR;
    *dec = 0;
    for (d = 0; d <= DEC_MAX; d++) {
        size_t fit = 0;
        int64_t m;
        for (i = 0; i < count; i++) fit += (size_t)dec_fit(v[i], pow10d[d], &m);
        if (fit * 8 >= count * 7) {
            *mode = TSQ_MODE_DECIMAL;
            *dec = d;
            return;
        }
    }
}

static int reserve(tsq_enc *e, size_t more)
{
    size_t need = e->len + more;
    unsigned char *n;
    size_t cap;
    if (need <= e->cap) return 0;
    cap = e->cap ? e->cap : 256;
    while (cap < need) cap *= 2;
    n = realloc(e->buf, cap);
    if (!n) return -1;
    e->buf = n;
    e->cap = cap;
    return 0;
}

int tsq_enc_start(tsq_enc *e, int qexp, int mode, int dec, int64_t t, double v)
{
    int64_t m = 0;
    e->len = 0;
    if (reserve(e, TSQ_BLOCK_HEADER + 64) != 0) return -1;
    memset(e->buf, 0, TSQ_BLOCK_HEADER);
    e->len = TSQ_BLOCK_HEADER;
    e->acc = 0;
    e->nacc = 0;
    e->n = 1;
    e->qexp = qexp < 0 ? 0 : qexp > 6 ? 6 : qexp;
    e->q = pow10u[e->qexp];
    e->mode = mode;
    e->dec = dec < 0 ? 0 : dec > DEC_MAX ? DEC_MAX : dec;
    e->scale = pow10d[e->dec];
    e->t0 = e->tlast = t;
    e->span = TSQ_BLOCK_SPAN_US;
    e->dlast = 0;
    e->v0 = e->vlast = dbits(v);
    e->wlead = -1;
    e->wtrail = 0;
    e->mprev = (mode == TSQ_MODE_DECIMAL && dec_fit(v, e->scale, &m)) ? m : 0;
    return 0;
}

static void put_time(tsq_enc *e, uint64_t dd)
{
    int64_t dod = (int64_t)(dd - e->dlast);
    e->dlast = dd;
    if (dod == 0) {
        put(e, 0, 1);
    } else if (dod >= -8 && dod < 8) {
        put(e, 2u << 4 | (uint64_t)(dod + 8), 6);
    } else if (dod >= -64 && dod < 64) {
        put(e, 6u << 7 | (uint64_t)(dod + 64), 10);
    } else if (dod >= -2048 && dod < 2048) {
        put(e, 14u << 12 | (uint64_t)(dod + 2048), 16);
    } else if (dod >= INT32_MIN && dod <= INT32_MAX) {
        put(e, 30, 5);
        put(e, (uint64_t)(dod + 2147483648LL), 32);
    } else {
        put(e, 31, 5);
        put64(e, (uint64_t)dod);
    }
}

static void put_xor(tsq_enc *e, uint64_t bits)
{
    uint64_t x = bits ^ e->vlast;
    int lead, trail;
    e->vlast = bits;
    if (!x) {
        put(e, 0, 1);
        return;
    }
    lead = __builtin_clzll(x);
    trail = __builtin_ctzll(x);
    if (lead > 31) lead = 31;
    if (e->wlead >= 0 && lead >= e->wlead && trail >= e->wtrail) {
        unsigned len = (unsigned)(64 - e->wlead - e->wtrail);
        put(e, 2, 2);
        putn(e, x >> e->wtrail, len);
    } else {
        unsigned len = (unsigned)(64 - lead - trail);
        put(e, 3u << 11 | (uint64_t)lead << 6 | (len - 1), 13);
        putn(e, x >> trail, len);
        e->wlead = lead;
        e->wtrail = trail;
    }
}

static void put_dec(tsq_enc *e, double v)
{
    int64_t m, d;
    if (!dec_fit(v, e->scale, &m)) {
        put(e, 63, 6);
        put64(e, dbits(v));
        return;
    }
    d = m - e->mprev;
    e->mprev = m;
    if (d == 0) put(e, 0, 1);
    else if (d >= -4 && d < 4) put(e, 2u << 3 | (uint64_t)(d + 4), 5);
    else if (d >= -64 && d < 64) put(e, 6u << 7 | (uint64_t)(d + 64), 10);
    else if (d >= -2048 && d < 2048) put(e, 14u << 12 | (uint64_t)(d + 2048), 16);
    else if (d >= -(1 << 23) && d < (1 << 23)) {
        put(e, 30, 5);
        put(e, (uint64_t)(d + (1 << 23)), 24);
    } else {
        put(e, 62, 6);
        putn(e, (uint64_t)(d + (1LL << 53)), 54);
    }
}

int tsq_enc_push(tsq_enc *e, int64_t t, double v)
{
    uint64_t step = (uint64_t)t - (uint64_t)e->tlast;
    if (e->n >= TSQ_BLOCK_MAX || e->len + 19 > TSQ_BLOCK_BYTES ||
        (uint64_t)t - (uint64_t)e->t0 > (uint64_t)e->span || step % e->q)
        return 1;
    if (reserve(e, 24) != 0) return -1;
    put_time(e, step / e->q);
    if (e->mode == TSQ_MODE_DECIMAL) {
        put_dec(e, v);
        e->vlast = dbits(v);
    } else {
        put_xor(e, dbits(v));
    }
    e->tlast = t;
    e->n++;
    return 0;
}

const unsigned char *tsq_enc_bytes(tsq_enc *e, size_t *len)
{
    unsigned char *b = e->buf;
    size_t n = e->len;
    /* reserve() kept room for the pending bits */
    if (e->nacc) b[n++] = (unsigned char)(e->acc << (8 - e->nacc));
    b[0] = 'T';
    b[1] = 'B';
    b[2] = TSQ_BLOCK_FORMAT;
    b[3] = (unsigned char)e->mode;
    b[4] = (unsigned char)e->dec;
    b[5] = (unsigned char)e->qexp;
    b[6] = b[7] = 0;
    put_le32(b + 8, e->n);
    put_le32(b + 12, 0);
    put_le64(b + 16, (uint64_t)e->t0);
    put_le64(b + 24, e->v0);
    put_le32(b + 12, block_sum(b, n));
    *len = n;
    return b;
}

void tsq_enc_fini(tsq_enc *e)
{
    free(e->buf);
    memset(e, 0, sizeof *e);
}

/* ---- decoder ------------------------------------------------------------ */

typedef struct brd {
    const unsigned char *p, *end;
    uint64_t buf;     /* nb valid bits at the top */
    unsigned nb;
    size_t extra;     /* zero bytes read past the end */
} brd;

static inline void refill(brd *r)
{
    if (r->end - r->p >= 8) {
        r->buf |= be64(r->p) >> r->nb;
        r->p += (63 - r->nb) >> 3;
        r->nb |= 56;
        return;
    }
    while (r->nb <= 56) {
        uint64_t byte = 0;
        if (r->p < r->end) byte = *r->p++;
        else r->extra++;
        r->buf |= byte << (56 - r->nb);
        r->nb += 8;
    }
}

/* nb bits, 1..56 */
static inline uint64_t get(brd *r, unsigned nb)
{
    uint64_t v;
    if (r->nb < nb) refill(r);
    v = r->buf >> (64 - nb);
    r->buf <<= nb;
    r->nb -= nb;
    return v;
}

static inline uint64_t getn(brd *r, unsigned nb)
{
    if (nb > 32) {
        uint64_t hi = get(r, nb - 32);
        return hi << 32 | get(r, 32);
    }
    return get(r, nb);
}

/* Leading ones, at most max (<= 8), consumed with their terminating zero. */
static inline unsigned ones(brd *r, unsigned max)
{
    unsigned k;
    if (r->nb < 8) refill(r);
    k = (unsigned)__builtin_clzll(~r->buf | (1ull << (63 - max)));
    r->buf <<= k + (k < max);
    r->nb -= k + (k < max);
    return k;
}

int tsq_block_check(const unsigned char *b, size_t len, tsq_block_head *h)
{
    if (len < TSQ_BLOCK_HEADER || b[0] != 'T' || b[1] != 'B') return TSQ_BLOCK_BAD;
    h->format = b[2];
    if (h->format > TSQ_BLOCK_FORMAT) return TSQ_BLOCK_NEWER;
    if (block_sum(b, len) != le32(b + 12)) return TSQ_BLOCK_SUM;
    h->mode = b[3];
    h->dec = b[4];
    h->qexp = b[5];
    h->n = le32(b + 8);
    h->t0 = (int64_t)le64(b + 16);
    if (h->format < 1 || h->mode > TSQ_MODE_DECIMAL || h->dec > DEC_MAX || h->qexp > 6 ||
        h->n < 1 || h->n > TSQ_BLOCK_MAX)
        return TSQ_BLOCK_BAD;
    return TSQ_BLOCK_OK;
}

int tsq_block_decode(const unsigned char *b, size_t len, int64_t *t, double *v,
                     tsq_block_head *h)
{
    brd r;
    uint64_t q, dlast = 0, vlast, tl;
    double scale;
    int64_t mprev = 0, m;
    int wlead = -1, wtrail = 0, rc;
    uint32_t i;
    if ((rc = tsq_block_check(b, len, h)) != TSQ_BLOCK_OK) return rc;
    q = pow10u[h->qexp];
    scale = pow10d[h->dec];
    t[0] = h->t0;
    vlast = le64(b + 24);
    v[0] = bitsd(vlast);
    if (h->mode == TSQ_MODE_DECIMAL && dec_fit(v[0], scale, &m)) mprev = m;
    tl = (uint64_t)h->t0;
    r.p = b + TSQ_BLOCK_HEADER;
    r.end = b + len;
    r.buf = 0;
    r.nb = 0;
    r.extra = 0;
    for (i = 1; i < h->n; i++) {
        uint64_t dod;
        switch (ones(&r, 5)) {
        case 0: dod = 0; break;
        case 1: dod = get(&r, 4) - 8; break;
        case 2: dod = get(&r, 7) - 64; break;
        case 3: dod = get(&r, 12) - 2048; break;
        case 4: dod = get(&r, 32) - 2147483648ull; break;
        default: dod = getn(&r, 64); break;
        }
        dlast += dod;
        tl += dlast * q;
        t[i] = (int64_t)tl;
        if (h->mode == TSQ_MODE_DECIMAL) {
            int64_t d;
            switch (ones(&r, 6)) {
            case 0: d = 0; break;
            case 1: d = (int64_t)get(&r, 3) - 4; break;
            case 2: d = (int64_t)get(&r, 7) - 64; break;
            case 3: d = (int64_t)get(&r, 12) - 2048; break;
            case 4: d = (int64_t)get(&r, 24) - (1 << 23); break;
            case 5: d = (int64_t)get(&r, 54) - (1LL << 53); break;
            default: v[i] = bitsd(getn(&r, 64)); continue;
            }
            mprev += d;
            v[i] = (double)mprev / scale;
        } else {
            if (get(&r, 1)) {
                unsigned ln;
                if (get(&r, 1)) {
                    wlead = (int)get(&r, 5);
                    ln = (unsigned)get(&r, 6) + 1;
                    wtrail = 64 - wlead - (int)ln;
                    if (wtrail < 0) return TSQ_BLOCK_BAD;
                } else {
                    if (wlead < 0) return TSQ_BLOCK_BAD;
                    ln = (unsigned)(64 - wlead - wtrail);
                }
                vlast ^= getn(&r, ln) << wtrail;
            }
            v[i] = bitsd(vlast);
        }
    }
    if (r.extra * 8 > r.nb) return TSQ_BLOCK_BAD; /* read past the end */
    return TSQ_BLOCK_OK;
}

int tsq_enc_resume(tsq_enc *e, const unsigned char *b, size_t len, int64_t *tbuf, double *vbuf)
{
    tsq_block_head h;
    uint32_t i;
    int rc = tsq_block_decode(b, len, tbuf, vbuf, &h);
    if (rc != TSQ_BLOCK_OK) return rc;
    if (tsq_enc_start(e, h.qexp, h.mode, h.dec, tbuf[0], vbuf[0]) != 0) return 1;
    for (i = 1; i < h.n; i++)
        if (tsq_enc_push(e, tbuf[i], vbuf[i]) != 0) return TSQ_BLOCK_BAD;
    return TSQ_BLOCK_OK;
}
