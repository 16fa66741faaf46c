/* The packed form of a health state (twin_health_pack()): the fields of a
 * twin__health without its size, layout and padding, with the kind and the
 * flags folded into one tag word, and the model part cut to the 40 bytes a
 * built-in model uses. Lossless: unpack(pack(h)) is h byte for byte. */
#include "health/health_int.h"

#include <string.h>

#define PACK_MAGIC 0x4850u  /* "HP": bits 31..16 of the tag */
#define PACK_VERSION 1u     /* bits 15..12 */
#define PACK_MODEL 40u      /* bytes of the model part kept */

typedef struct TWIN__MAY_ALIAS twin__packed {
    uint32_t tag;       /* magic | version | kind (bits 11..4) | flags (bits 3..0) */
    uint32_t above;
    int64_t t0_us, last_us;
    uint64_t n, recal;
    double err_mean, err_m2, baseline, failure;
    unsigned char model[PACK_MODEL];
} twin__packed;

_Static_assert(sizeof(twin__packed) == sizeof(twin_health_packed), "packed layout");
_Static_assert(sizeof(((twin__health *)0)->u.g) == PACK_MODEL, "a built-in model fits");

static uint32_t tag_of(int32_t kind, uint32_t flags)
{
    return PACK_MAGIC << 16 | PACK_VERSION << 12 | (uint32_t)kind << 4 | flags;
}

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

twin_status twin_health_pack(const twin_health *h, twin_health_packed *out, twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    twin__packed p;
    if (!h || !out) return twin__hfail(err, TWIN_E_INVAL, "state or packed state is NULL");
    if (s->size != sizeof(twin_health))
        return twin__hfail(err, TWIN_E_INVAL, "the state is not initialised");
    if (s->layout != TWIN__HEALTH_LAYOUT)
        return twin__hfail(err, TWIN_E_ABI, "the state was made by another library layout");
    if (s->kind < TWIN_HEALTH_EXPONENTIAL || s->kind > TWIN_HEALTH_USER || s->flags > 15u ||
        s->reserved)
        return twin__hfail(err, TWIN_E_INVAL, "the state is corrupt");
    if (!all_zero(s->u.user + PACK_MODEL, sizeof s->u.user - PACK_MODEL))
        return twin__hfail(err, TWIN_E_RANGE,
                           "the user model's state is larger than a packed state holds");
    memset(&p, 0, sizeof p);
    p.tag = tag_of(s->kind, s->flags);
    p.above = s->above;
    p.t0_us = s->t0_us;
    p.last_us = s->last_us;
    p.n = s->n;
    p.recal = s->recal;
    p.err_mean = s->err_mean;
    p.err_m2 = s->err_m2;
    p.baseline = s->baseline;
    p.failure = s->failure;
    memcpy(p.model, s->u.user, PACK_MODEL);
    memcpy(out, &p, sizeof p);
    return TWIN_OK;
}

twin_status twin_health_unpack(const twin_health_packed *in, twin_health *h, twin_error *err)
{
    twin__packed p;
    twin__health s;
    int32_t kind;
    if (!in || !h) return twin__hfail(err, TWIN_E_INVAL, "packed state or state is NULL");
    memcpy(&p, in, sizeof p);
    if (p.tag >> 16 != PACK_MAGIC)
        return twin__hfail(err, TWIN_E_INVAL, "not a packed health state");
    if ((p.tag >> 12 & 15u) != PACK_VERSION)
        return twin__hfail(err, TWIN_E_ABI, "the packed state has another layout version");
    kind = (int32_t)(p.tag >> 4 & 0xffu);
    if (kind < TWIN_HEALTH_EXPONENTIAL || kind > TWIN_HEALTH_USER)
        return twin__hfail(err, TWIN_E_INVAL, "the packed state is corrupt");
    memset(&s, 0, sizeof s);
    s.size = sizeof(twin_health);
    s.layout = TWIN__HEALTH_LAYOUT;
    s.kind = kind;
    s.flags = p.tag & 15u;
    s.t0_us = p.t0_us;
    s.last_us = p.last_us;
    s.n = p.n;
    s.recal = p.recal;
    s.above = p.above;
    s.err_mean = p.err_mean;
    s.err_m2 = p.err_m2;
    s.baseline = p.baseline;
    s.failure = p.failure;
    memcpy(s.u.user, p.model, PACK_MODEL);
    memset(h, 0, sizeof *h);
    memcpy(h, &s, sizeof s);
    return TWIN_OK;
}
