/* libtwin-mqtt internals: the Sparkplug B codec's shared part (codec_*.c):
 * the specification's field numbers (chapter 6, "Google Protocol Buffer
 * Schema"; tests/mqtt/sparkplug_b.proto restates them), the protobuf wire
 * reader (bounds-checked varints, tags, lengths, fixed fields) and the
 * data types' value fields. The writer primitives are in sp_int.h. */
#ifndef TWIN_SP_CODEC_INT_H
#define TWIN_SP_CODEC_INT_H

#include "sp_int.h"

#include <string.h>

/* Field numbers. */
enum { PAYLOAD_TIMESTAMP = 1, PAYLOAD_METRICS = 2, PAYLOAD_SEQ = 3, PAYLOAD_UUID = 4,
       PAYLOAD_BODY = 5 };
enum { M_NAME = 1, M_ALIAS = 2, M_TIMESTAMP = 3, M_DATATYPE = 4, M_HISTORICAL = 5,
       M_TRANSIENT = 6, M_NULL = 7, M_METADATA = 8, M_PROPERTIES = 9, M_INT = 10,
       M_LONG = 11, M_FLOAT = 12, M_DOUBLE = 13, M_BOOLEAN = 14, M_STRING = 15,
       M_BYTES = 16, M_DATASET = 17, M_TEMPLATE = 18, M_EXTENSION = 19 };
enum { PS_KEYS = 1, PS_VALUES = 2 };
enum { PV_TYPE = 1, PV_NULL = 2, PV_INT = 3, PV_LONG = 4, PV_FLOAT = 5, PV_DOUBLE = 6,
       PV_BOOLEAN = 7, PV_STRING = 8, PV_PROPERTYSET = 9, PV_PROPERTYSETS = 10,
       PV_EXTENSION = 11 };

#define SP_MAX_TYPE 34u

#define TAG(f, wt) (((uint32_t)(f) << 3) | (wt))

typedef struct rd {
    const uint8_t *p, *end, *base;
    twin_sp_diag *diag;
} rd;

/* Record why and where decoding failed in r's diagnostics (when asked
 * for): TWIN_E_PARSE (codec_types.c). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
twin_status twin__sp_fail(rd *r, const uint8_t *at, const char *why);

/* A varint of at most 10 bytes whose value fits 64 bits. */
static inline twin_status get_varint(rd *r, uint64_t *v)
{
    const uint8_t *p = r->p;
    if (p < r->end && *p < 0x80) {
        *v = *p;
        r->p = p + 1;
        return TWIN_OK;
    }
    uint64_t x = 0;
    if (r->end - p >= 10) {  /* room for the longest: no bounds check per byte */
        for (unsigned i = 0; i < 9; i++) {
            uint8_t b = p[i];
            x |= (uint64_t)(b & 0x7f) << (7 * i);
            if (b < 0x80) {
                *v = x;
                r->p = p + i + 1;
                return TWIN_OK;
            }
        }
        if (p[9] > 1)
            return twin__sp_fail(r, r->p, p[9] & 0x80 ? "varint longer than 10 bytes"
                                                      : "varint does not fit 64 bits");
        *v = x | (uint64_t)p[9] << 63;
        r->p = p + 10;
        return TWIN_OK;
    }
    for (unsigned i = 0; i < 10; i++) {
        if (p + i >= r->end)
            return twin__sp_fail(r, r->p, "varint runs past the end");
        uint8_t b = p[i];
        if (i == 9 && b > 1)
            return twin__sp_fail(r, r->p, "varint does not fit 64 bits");
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = x;
            r->p = p + i + 1;
            return TWIN_OK;
        }
    }
    return twin__sp_fail(r, r->p, "varint longer than 10 bytes");
}

static inline twin_status get_tag(rd *r, uint32_t *field, uint32_t *wt)
{
    const uint8_t *at = r->p;
    uint64_t t = 0;
    if (at < r->end && *at < 0x80 && *at >= 8) {  /* one byte, field 1-15 */
        uint32_t b = *at;
        if ((b & 7) == SP_WT_VARINT || (b & 7) == SP_WT_LEN || (b & 7) == SP_WT_I64 ||
            (b & 7) == SP_WT_I32) {
            *field = b >> 3;
            *wt = b & 7;
            r->p = at + 1;
            return TWIN_OK;
        }
    }
    twin_status s = get_varint(r, &t);
    if (s < 0)
        return s;
    if (t > UINT32_MAX || (t >> 3) == 0)
        return twin__sp_fail(r, at, "bad field number");
    *field = (uint32_t)(t >> 3);
    *wt = (uint32_t)(t & 7);
    if (*wt == 3 || *wt == 4)
        return twin__sp_fail(r, at, "groups are not supported");
    if (*wt != SP_WT_VARINT && *wt != SP_WT_I64 && *wt != SP_WT_LEN && *wt != SP_WT_I32)
        return twin__sp_fail(r, at, "bad wire type");
    return TWIN_OK;
}

static inline uint64_t le(const uint8_t *p, unsigned n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n == 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    if (n == 4) {
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
#endif
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* A length-delimited field's bytes. */
static inline twin_status get_len(rd *r, const uint8_t **data, uint32_t *n)
{
    const uint8_t *at = r->p;
    uint64_t l = 0;
    twin_status s = get_varint(r, &l);
    if (s < 0)
        return s;
    if (l > (uint64_t)(r->end - r->p) || l > UINT32_MAX)
        return twin__sp_fail(r, at, "length runs past the end");
    *data = r->p;
    *n = (uint32_t)l;
    r->p += l;
    return TWIN_OK;
}

static inline twin_status get_fixed(rd *r, unsigned n, uint64_t *v)
{
    if ((size_t)(r->end - r->p) < n)
        return twin__sp_fail(r, r->p, "fixed-width value runs past the end");
    *v = le(r->p, n);
    r->p += n;
    return TWIN_OK;
}

/* Skip a field of wire type wt. */
static inline twin_status skip(rd *r, uint32_t wt)
{
    uint64_t v = 0;
    const uint8_t *d = NULL;
    uint32_t n = 0;
    switch (wt) {
    case SP_WT_VARINT: return get_varint(r, &v);
    case SP_WT_I64: return get_fixed(r, 8, &v);
    case SP_WT_I32: return get_fixed(r, 4, &v);
    default: return get_len(r, &d, &n);
    }
}

static inline twin_status want(rd *r, const uint8_t *at, uint32_t wt, uint32_t expected)
{
    return wt == expected ? TWIN_OK : twin__sp_fail(r, at, "wrong wire type for the field");
}

/* ---- data types ---------------------------------------------------------- */

/* The value field a data type is read from and written to (metrics and
 * properties); 0 for an unknown type. Integers are listed as INT or LONG
 * for writing; reading accepts either. */
static inline uint32_t type_field(uint32_t t)
{
    switch (t) {
    case TWIN_SP_INT8: case TWIN_SP_INT16: case TWIN_SP_INT32:
    case TWIN_SP_UINT8: case TWIN_SP_UINT16:
        return TWIN_SP_FIELD_INT;
    case TWIN_SP_INT64: case TWIN_SP_UINT32: case TWIN_SP_UINT64: case TWIN_SP_DATETIME:
        return TWIN_SP_FIELD_LONG;
    case TWIN_SP_FLOAT: return TWIN_SP_FIELD_FLOAT;
    case TWIN_SP_DOUBLE: return TWIN_SP_FIELD_DOUBLE;
    case TWIN_SP_BOOLEAN: return TWIN_SP_FIELD_BOOLEAN;
    case TWIN_SP_STRING: case TWIN_SP_TEXT: case TWIN_SP_UUID: return TWIN_SP_FIELD_STRING;
    case TWIN_SP_DATASET: return TWIN_SP_FIELD_DATASET;
    case TWIN_SP_TEMPLATE: return TWIN_SP_FIELD_TEMPLATE;
    case TWIN_SP_PROPERTYSET: return TWIN_SP_FIELD_PROPERTYSET;
    case TWIN_SP_PROPERTYSETLIST: return TWIN_SP_FIELD_PROPERTYSETLIST;
    default:
        return t >= TWIN_SP_BYTES && t <= SP_MAX_TYPE && t != TWIN_SP_TEMPLATE &&
               t != TWIN_SP_PROPERTYSET && t != TWIN_SP_PROPERTYSETLIST
                   ? TWIN_SP_FIELD_BYTES : 0;
    }
}

static inline int is_int_type(uint32_t t)
{
    return (t >= TWIN_SP_INT8 && t <= TWIN_SP_UINT64) || t == TWIN_SP_DATETIME;
}

/* Signed range of an integer type (bits), 0 for unsigned ones. */
static inline unsigned signed_bits(uint32_t t)
{
    return t == TWIN_SP_INT8 ? 8 : t == TWIN_SP_INT16 ? 16 : t == TWIN_SP_INT32 ? 32
         : t == TWIN_SP_INT64 ? 64 : 0;
}

static inline uint64_t unsigned_max(uint32_t t)
{
    return t == TWIN_SP_UINT8 ? 0xffu : t == TWIN_SP_UINT16 ? 0xffffu
         : t == TWIN_SP_UINT32 ? 0xffffffffu : UINT64_MAX;
}

/* Whether an array type's bytes are well formed: NULL, or why not. */
const char *twin__sp_array_check(uint32_t t, const uint8_t *d, uint32_t n);
/* Interpret a raw value (field, value, data) as type t: NULL, or why not. */
const char *twin__sp_apply_type(uint32_t t, uint32_t field, twin_sp_number *v,
                                const uint8_t *data, uint32_t len);

#endif
