/* Sparkplug B payloads: a hand-written Protocol Buffers (proto2) codec for
 * the messages Payload, Metric, PropertySet and PropertyValue. Field
 * numbers and wire types are the specification's (chapter 6, "Google
 * Protocol Buffer Schema"); tests/mqtt/sparkplug_b.proto restates them.
 *
 * Decoding never allocates and never reads past the end: every varint and
 * every length is checked against the end of its enclosing message. */
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

typedef struct rd {
    const uint8_t *p, *end, *base;
    twin_sp_diag *diag;
} rd;

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static twin_status fail(rd *r, const uint8_t *at, const char *why)
{
    if (r->diag) {
        r->diag->message = why;
        r->diag->offset = (uint64_t)(at - r->base);
    }
    return TWIN_E_PARSE;
}

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
            return fail(r, r->p, p[9] & 0x80 ? "varint longer than 10 bytes"
                                             : "varint does not fit 64 bits");
        *v = x | (uint64_t)p[9] << 63;
        r->p = p + 10;
        return TWIN_OK;
    }
    for (unsigned i = 0; i < 10; i++) {
        if (p + i >= r->end)
            return fail(r, r->p, "varint runs past the end");
        uint8_t b = p[i];
        if (i == 9 && b > 1)
            return fail(r, r->p, "varint does not fit 64 bits");
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = x;
            r->p = p + i + 1;
            return TWIN_OK;
        }
    }
    return fail(r, r->p, "varint longer than 10 bytes");
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
        return fail(r, at, "bad field number");
    *field = (uint32_t)(t >> 3);
    *wt = (uint32_t)(t & 7);
    if (*wt == 3 || *wt == 4)
        return fail(r, at, "groups are not supported");
    if (*wt != SP_WT_VARINT && *wt != SP_WT_I64 && *wt != SP_WT_LEN && *wt != SP_WT_I32)
        return fail(r, at, "bad wire type");
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
        return fail(r, at, "length runs past the end");
    *data = r->p;
    *n = (uint32_t)l;
    r->p += l;
    return TWIN_OK;
}

static inline twin_status get_fixed(rd *r, unsigned n, uint64_t *v)
{
    if ((size_t)(r->end - r->p) < n)
        return fail(r, r->p, "fixed-width value runs past the end");
    *v = le(r->p, n);
    r->p += n;
    return TWIN_OK;
}

/* Skip a field of wire type wt. */
static twin_status skip(rd *r, uint32_t wt)
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

static twin_status want(rd *r, const uint8_t *at, uint32_t wt, uint32_t expected)
{
    return wt == expected ? TWIN_OK : fail(r, at, "wrong wire type for the field");
}

/* ---- data types ---------------------------------------------------------- */

/* The value field a data type is read from and written to (metrics and
 * properties); 0 for an unknown type. Integers are listed as INT or LONG
 * for writing; reading accepts either. */
static uint32_t type_field(uint32_t t)
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

static int is_int_type(uint32_t t)
{
    return (t >= TWIN_SP_INT8 && t <= TWIN_SP_UINT64) || t == TWIN_SP_DATETIME;
}

/* Signed range of an integer type (bits), 0 for unsigned ones. */
static unsigned signed_bits(uint32_t t)
{
    return t == TWIN_SP_INT8 ? 8 : t == TWIN_SP_INT16 ? 16 : t == TWIN_SP_INT32 ? 32
         : t == TWIN_SP_INT64 ? 64 : 0;
}

static uint64_t unsigned_max(uint32_t t)
{
    return t == TWIN_SP_UINT8 ? 0xffu : t == TWIN_SP_UINT16 ? 0xffffu
         : t == TWIN_SP_UINT32 ? 0xffffffffu : UINT64_MAX;
}

/* Whether an array type's bytes are well formed. */
static const char *array_check(uint32_t t, const uint8_t *d, uint32_t n)
{
    static const uint8_t width[] = {1, 2, 4, 8, 1, 2, 4, 8, 4, 8};  /* 22..31 */
    if (t >= TWIN_SP_INT8_ARRAY && t <= TWIN_SP_DOUBLE_ARRAY)
        return n % width[t - TWIN_SP_INT8_ARRAY] ? "array length is not a multiple of its element"
                                                 : NULL;
    if (t == TWIN_SP_DATETIME_ARRAY)
        return n % 8 ? "array length is not a multiple of its element" : NULL;
    if (t == TWIN_SP_BOOLEAN_ARRAY) {
        if (n < 4)
            return "boolean array without its count";
        uint64_t count = le(d, 4);
        return (count + 7) / 8 > n - 4 ? "boolean array shorter than its count" : NULL;
    }
    if (t == TWIN_SP_STRING_ARRAY)
        return n && d[n - 1] ? "string array not NUL-terminated" : NULL;
    return NULL;
}

/* Interpret a raw value (field, value, data) as type t: NULL, or why not. */
static const char *apply_type(uint32_t t, uint32_t field, twin_sp_number *v, const uint8_t *data,
                              uint32_t len)
{
    if (t == 0 || t > SP_MAX_TYPE)
        return "unknown data type";
    if (field == TWIN_SP_FIELD_NONE || field == TWIN_SP_FIELD_EXTENSION)
        return NULL;
    if (is_int_type(t)) {
        if (field != TWIN_SP_FIELD_INT && field != TWIN_SP_FIELD_LONG)
            return "value field does not match the data type";
        unsigned bits = signed_bits(t);
        if (bits) {
            int64_t x = field == TWIN_SP_FIELD_INT ? (int64_t)(int32_t)(uint32_t)v->u
                                                   : (int64_t)v->u;
            if (bits < 64 && (x < -((int64_t)1 << (bits - 1)) ||
                              x >= ((int64_t)1 << (bits - 1))))
                return "value out of range for its data type";
            v->i = x;
        } else if (v->u > unsigned_max(t)) {
            return "value out of range for its data type";
        }
        return NULL;
    }
    uint32_t f = type_field(t);
    if (f != field)
        return "value field does not match the data type";
    if (t == TWIN_SP_BOOLEAN)
        v->u = v->u != 0;
    if (f == TWIN_SP_FIELD_BYTES)
        return array_check(t, data, len);
    return NULL;
}

/* ---- metrics -------------------------------------------------------------- */

#define TAG(f, wt) (((uint32_t)(f) << 3) | (wt))

static twin_status read_metric(rd *rp, twin_sp_metric *m)
{
    static const twin_sp_metric zero;
    rd lr = *rp, *r = &lr;  /* a local copy the compiler keeps in registers */
    const uint8_t *at;
    uint32_t field = 0, wt = 0, n = 0;
    uint64_t v = 0;
    const uint8_t *d = NULL, *start = r->p;
    twin_status s;
    *m = zero;
    while (r->p < r->end) {
        at = r->p;
        if ((s = get_tag(r, &field, &wt)) < 0)
            return s;
        /* One switch on field and wire type together: a known field with
           another wire type falls to the default and is refused there. */
        switch (TAG(field, wt)) {
        case TAG(M_ALIAS, SP_WT_VARINT):
            if ((s = get_varint(r, &m->alias)) < 0)
                return s;
            m->flags |= TWIN_SP_HAS_ALIAS;
            break;
        case TAG(M_TIMESTAMP, SP_WT_VARINT):
            if ((s = get_varint(r, &m->timestamp)) < 0)
                return s;
            m->flags |= TWIN_SP_HAS_TIMESTAMP;
            break;
        case TAG(M_DOUBLE, SP_WT_I64):
            if ((s = get_fixed(r, 8, &v)) < 0)
                return s;
            memcpy(&m->value.d, &v, 8);
            m->field = TWIN_SP_FIELD_DOUBLE;
            break;
        case TAG(M_DATATYPE, SP_WT_VARINT):
            if ((s = get_varint(r, &v)) < 0)
                return s;
            m->datatype = (uint32_t)v;  /* uint32: the low 32 bits, as protobuf */
            m->flags |= TWIN_SP_HAS_DATATYPE;
            break;
        case TAG(M_HISTORICAL, SP_WT_VARINT):
        case TAG(M_TRANSIENT, SP_WT_VARINT):
        case TAG(M_NULL, SP_WT_VARINT): {
            uint32_t f = field == M_HISTORICAL ? TWIN_SP_HISTORICAL
                       : field == M_TRANSIENT ? TWIN_SP_TRANSIENT : TWIN_SP_NULL;
            if ((s = get_varint(r, &v)) < 0)
                return s;
            m->flags = v ? m->flags | f : m->flags & ~f;
            break;
        }
        case TAG(M_INT, SP_WT_VARINT):
        case TAG(M_LONG, SP_WT_VARINT):
        case TAG(M_BOOLEAN, SP_WT_VARINT):
            if ((s = get_varint(r, &v)) < 0)
                return s;
            m->value.u = field == M_INT ? (uint32_t)v : v;
            m->field = field == M_INT ? TWIN_SP_FIELD_INT
                     : field == M_LONG ? TWIN_SP_FIELD_LONG : TWIN_SP_FIELD_BOOLEAN;
            break;
        case TAG(M_FLOAT, SP_WT_I32): {
            if ((s = get_fixed(r, 4, &v)) < 0)
                return s;
            uint32_t bits = (uint32_t)v;
            m->value.u = 0;
            memcpy(&m->value.f, &bits, 4);
            m->field = TWIN_SP_FIELD_FLOAT;
            break;
        }
        case TAG(M_NAME, SP_WT_LEN):
        case TAG(M_METADATA, SP_WT_LEN):
        case TAG(M_PROPERTIES, SP_WT_LEN):
        case TAG(M_STRING, SP_WT_LEN):
        case TAG(M_BYTES, SP_WT_LEN):
        case TAG(M_DATASET, SP_WT_LEN):
        case TAG(M_TEMPLATE, SP_WT_LEN):
        case TAG(M_EXTENSION, SP_WT_LEN):
            if ((s = get_len(r, &d, &n)) < 0)
                return s;
            switch (field) {
            case M_NAME: m->name = (const char *)d; m->name_len = n; break;
            case M_METADATA:
                m->metadata = d; m->metadata_len = n; m->flags |= TWIN_SP_HAS_METADATA;
                break;
            case M_PROPERTIES:
                m->properties = d; m->properties_len = n; m->flags |= TWIN_SP_HAS_PROPERTIES;
                break;
            default:
                m->data = d;
                m->len = n;
                m->value.u = 0;
                m->field = field == M_STRING ? TWIN_SP_FIELD_STRING
                         : field == M_BYTES ? TWIN_SP_FIELD_BYTES
                         : field == M_DATASET ? TWIN_SP_FIELD_DATASET
                         : field == M_TEMPLATE ? TWIN_SP_FIELD_TEMPLATE
                                               : TWIN_SP_FIELD_EXTENSION;
                break;
            }
            break;
        default:
            if (field <= M_EXTENSION)
                return fail(r, at, "wrong wire type for the field");
            if ((s = skip(r, wt)) < 0)
                return s;
        }
    }
    if (m->field < TWIN_SP_FIELD_STRING) {
        m->data = NULL;  /* a later number replaced an earlier string */
        m->len = 0;
    }
    if (m->flags & TWIN_SP_HAS_DATATYPE) {
        if (m->datatype == TWIN_SP_PROPERTYSET || m->datatype == TWIN_SP_PROPERTYSETLIST)
            return fail(r, start, "property-only data type on a metric");
        const char *why = apply_type(m->datatype, m->field, &m->value, m->data, m->len);
        if (why)
            return fail(r, start, why);
    }
    return TWIN_OK;
}

twin_status twin__sp_read_begin(sp_reader *sr, const void *buf, size_t len, twin_sp_payload *out,
                                twin_sp_diag *diag)
{
    rd r = {(const uint8_t *)buf, (const uint8_t *)buf + len, (const uint8_t *)buf, diag};
    uint32_t field = 0, wt = 0, n = 0;
    uint64_t v = 0;
    const uint8_t *d = NULL, *at;
    twin_status s;
    memset(out, 0, sizeof *out);
    if (diag) {
        diag->message = "";
        diag->offset = 0;
    }
    while (r.p < r.end) {
        at = r.p;
        if ((s = get_tag(&r, &field, &wt)) < 0)
            return s;
        switch (field) {
        case PAYLOAD_TIMESTAMP:
        case PAYLOAD_SEQ:
            if ((s = want(&r, at, wt, SP_WT_VARINT)) < 0 || (s = get_varint(&r, &v)) < 0)
                return s;
            if (field == PAYLOAD_SEQ) {
                out->seq = v;
                out->flags |= TWIN_SP_PAYLOAD_HAS_SEQ;
            } else {
                out->timestamp = v;
                out->flags |= TWIN_SP_PAYLOAD_HAS_TIMESTAMP;
            }
            break;
        case PAYLOAD_METRICS:
        case PAYLOAD_UUID:
        case PAYLOAD_BODY:
            if ((s = want(&r, at, wt, SP_WT_LEN)) < 0 || (s = get_len(&r, &d, &n)) < 0)
                return s;
            if (field == PAYLOAD_METRICS) {
                out->metric_count++;
            } else if (field == PAYLOAD_UUID) {
                out->uuid = (const char *)d;
                out->uuid_len = n;
                out->flags |= TWIN_SP_PAYLOAD_HAS_UUID;
            } else {
                out->body = d;
                out->body_len = n;
                out->flags |= TWIN_SP_PAYLOAD_HAS_BODY;
            }
            break;
        default:
            if ((s = skip(&r, wt)) < 0)
                return s;
        }
    }
    sr->buf = (const uint8_t *)buf;
    sr->len = len;
    sr->pos = 0;
    return TWIN_OK;
}

twin_status twin__sp_read_metric(sp_reader *sr, twin_sp_metric *m, twin_sp_diag *diag)
{
    /* The payload was checked by twin__sp_read_begin(): tags, lengths and
       varints at this level are well formed. */
    rd r = {sr->buf + sr->pos, sr->buf + sr->len, sr->buf, diag};
    uint32_t field = 0, wt = 0, n = 0;
    const uint8_t *d = NULL;
    twin_status s;
    while (r.p < r.end) {
        if ((s = get_tag(&r, &field, &wt)) < 0)
            return s;
        if (field == PAYLOAD_METRICS && wt == SP_WT_LEN) {
            if ((s = get_len(&r, &d, &n)) < 0)
                return s;
            sr->pos = (size_t)(r.p - sr->buf);
            rd mr = {d, d + n, sr->buf, diag};
            return read_metric(&mr, m);
        }
        if ((s = skip(&r, wt)) < 0)
            return s;
    }
    sr->pos = sr->len;
    return TWIN_DONE;
}

TWIN_SP_API twin_status twin_sp_decode(const void *buf, size_t len, twin_sp_payload *out,
                                       twin_sp_metric *metrics, size_t cap, twin_sp_diag *diag)
{
    if ((!buf && len) || !out || (!metrics && cap))
        return TWIN_E_INVAL;
    const uint8_t *b = buf ? (const uint8_t *)buf : (const uint8_t *)"";
    rd r = {b, b + len, b, diag};
    twin_sp_metric scratch;
    uint32_t field = 0, wt = 0, n = 0;
    uint64_t v = 0;
    const uint8_t *d = NULL, *at;
    twin_status s;
    memset(out, 0, sizeof *out);
    if (diag) {
        diag->message = "";
        diag->offset = 0;
    }
    /* One pass: the metrics are decoded where they stand. */
    while (r.p < r.end) {
        at = r.p;
        if ((s = get_tag(&r, &field, &wt)) < 0)
            return s;
        switch (TAG(field, wt)) {
        case TAG(PAYLOAD_METRICS, SP_WT_LEN): {
            if ((s = get_len(&r, &d, &n)) < 0)
                return s;
            rd mr = {d, d + n, b, diag};
            size_t i = (size_t)out->metric_count++;
            if ((s = read_metric(&mr, i < cap ? &metrics[i] : &scratch)) < 0)
                return s;
            break;
        }
        case TAG(PAYLOAD_TIMESTAMP, SP_WT_VARINT):
        case TAG(PAYLOAD_SEQ, SP_WT_VARINT):
            if ((s = get_varint(&r, &v)) < 0)
                return s;
            if (field == PAYLOAD_SEQ) {
                out->seq = v;
                out->flags |= TWIN_SP_PAYLOAD_HAS_SEQ;
            } else {
                out->timestamp = v;
                out->flags |= TWIN_SP_PAYLOAD_HAS_TIMESTAMP;
            }
            break;
        case TAG(PAYLOAD_UUID, SP_WT_LEN):
        case TAG(PAYLOAD_BODY, SP_WT_LEN):
            if ((s = get_len(&r, &d, &n)) < 0)
                return s;
            if (field == PAYLOAD_UUID) {
                out->uuid = (const char *)d;
                out->uuid_len = n;
                out->flags |= TWIN_SP_PAYLOAD_HAS_UUID;
            } else {
                out->body = d;
                out->body_len = n;
                out->flags |= TWIN_SP_PAYLOAD_HAS_BODY;
            }
            break;
        default:
            if (field <= PAYLOAD_BODY)
                return fail(&r, at, "wrong wire type for the field");
            if ((s = skip(&r, wt)) < 0)
                return s;
        }
    }
    return out->metric_count > cap ? TWIN_E_RANGE : TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_metric_apply_type(twin_sp_metric *m, uint32_t datatype)
{
    if (!m || datatype == 0 || datatype > SP_MAX_TYPE || datatype == TWIN_SP_PROPERTYSET ||
        datatype == TWIN_SP_PROPERTYSETLIST)
        return TWIN_E_INVAL;
    twin_sp_number v = m->value;
    if (apply_type(datatype, m->field, &v, m->data, m->len))
        return TWIN_E_CONSTRAINT;
    m->value = v;
    m->datatype = datatype;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_metric_to_double(const twin_sp_metric *m, double *out)
{
    if (!m || !out)
        return TWIN_E_INVAL;
    if ((m->flags & TWIN_SP_NULL) || m->field == TWIN_SP_FIELD_NONE)
        return TWIN_E_NOTFOUND;
    uint32_t t = m->datatype;
    if (signed_bits(t))
        *out = (double)m->value.i;
    else if (is_int_type(t) || t == TWIN_SP_BOOLEAN)
        *out = (double)m->value.u;
    else if (t == TWIN_SP_FLOAT)
        *out = (double)m->value.f;
    else if (t == TWIN_SP_DOUBLE)
        *out = m->value.d;
    else
        return TWIN_E_CONSTRAINT;
    return TWIN_OK;
}

/* ---- properties ----------------------------------------------------------- */

static twin_status read_property_value(rd *r, twin_sp_property *p)
{
    const uint8_t *at;
    uint32_t field = 0, wt = 0, n = 0;
    uint64_t v = 0;
    const uint8_t *d = NULL, *start = r->p;
    twin_status s;
    while (r->p < r->end) {
        at = r->p;
        if ((s = get_tag(r, &field, &wt)) < 0)
            return s;
        switch (field) {
        case PV_TYPE:
        case PV_NULL:
        case PV_INT:
        case PV_LONG:
        case PV_BOOLEAN:
            if ((s = want(r, at, wt, SP_WT_VARINT)) < 0 || (s = get_varint(r, &v)) < 0)
                return s;
            if (field == PV_TYPE) {
                p->datatype = (uint32_t)v;
                p->flags |= TWIN_SP_HAS_DATATYPE;
            } else if (field == PV_NULL) {
                p->flags = v ? p->flags | TWIN_SP_NULL : p->flags & ~TWIN_SP_NULL;
            } else {
                p->value.u = field == PV_INT ? (uint32_t)v : v;
                p->field = field == PV_INT ? TWIN_SP_FIELD_INT
                         : field == PV_LONG ? TWIN_SP_FIELD_LONG : TWIN_SP_FIELD_BOOLEAN;
                p->data = NULL;
                p->len = 0;
            }
            break;
        case PV_FLOAT:
        case PV_DOUBLE:
            if ((s = want(r, at, wt, field == PV_FLOAT ? SP_WT_I32 : SP_WT_I64)) < 0 ||
                (s = get_fixed(r, field == PV_FLOAT ? 4 : 8, &v)) < 0)
                return s;
            p->value.u = 0;
            if (field == PV_FLOAT) {
                uint32_t bits = (uint32_t)v;
                memcpy(&p->value.f, &bits, 4);
            } else {
                memcpy(&p->value.d, &v, 8);
            }
            p->field = field == PV_FLOAT ? TWIN_SP_FIELD_FLOAT : TWIN_SP_FIELD_DOUBLE;
            p->data = NULL;
            p->len = 0;
            break;
        case PV_STRING:
        case PV_PROPERTYSET:
        case PV_PROPERTYSETS:
        case PV_EXTENSION:
            if ((s = want(r, at, wt, SP_WT_LEN)) < 0 || (s = get_len(r, &d, &n)) < 0)
                return s;
            p->data = d;
            p->len = n;
            p->value.u = 0;
            p->field = field == PV_STRING ? TWIN_SP_FIELD_STRING
                     : field == PV_PROPERTYSET ? TWIN_SP_FIELD_PROPERTYSET
                     : field == PV_PROPERTYSETS ? TWIN_SP_FIELD_PROPERTYSETLIST
                                                : TWIN_SP_FIELD_EXTENSION;
            break;
        default:
            if ((s = skip(r, wt)) < 0)
                return s;
        }
    }
    if (p->flags & TWIN_SP_HAS_DATATYPE) {
        uint32_t t = p->datatype;
        if (t == TWIN_SP_DATASET || t == TWIN_SP_TEMPLATE || type_field(t) == TWIN_SP_FIELD_BYTES)
            return fail(r, start, "data type not allowed for a property");
        const char *why = apply_type(t, p->field, &p->value, p->data, p->len);
        if (why)
            return fail(r, start, why);
    }
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_properties_decode(const void *buf, size_t len,
                                                  twin_sp_property *out, size_t cap,
                                                  size_t *count, twin_sp_diag *diag)
{
    if ((!buf && len) || !count || (!out && cap))
        return TWIN_E_INVAL;
    const uint8_t *b = buf ? (const uint8_t *)buf : (const uint8_t *)"";
    rd r = {b, b + len, b, diag};
    twin_sp_property scratch;
    size_t nk = 0, nv = 0, zeroed = 0;
    uint32_t field = 0, wt = 0, n = 0;
    const uint8_t *d = NULL, *at;
    twin_status s;
    if (diag) {
        diag->message = "";
        diag->offset = 0;
    }
    *count = 0;
    while (r.p < r.end) {
        at = r.p;
        if ((s = get_tag(&r, &field, &wt)) < 0)
            return s;
        if (field != PS_KEYS && field != PS_VALUES) {
            if ((s = skip(&r, wt)) < 0)
                return s;
            continue;
        }
        if ((s = want(&r, at, wt, SP_WT_LEN)) < 0 || (s = get_len(&r, &d, &n)) < 0)
            return s;
        size_t i = field == PS_KEYS ? nk++ : nv++;
        twin_sp_property *p = &scratch;
        if (i < cap) {
            p = &out[i];
            for (; zeroed <= i; zeroed++)
                memset(&out[zeroed], 0, sizeof *out);
        } else {
            memset(&scratch, 0, sizeof scratch);
        }
        if (field == PS_KEYS) {
            p->key = (const char *)d;
            p->key_len = n;
        } else {
            rd vr = {d, d + n, b, diag};
            const char *key = p->key;
            uint32_t key_len = p->key_len;
            memset(p, 0, sizeof *p);
            p->key = key;
            p->key_len = key_len;
            if ((s = read_property_value(&vr, p)) < 0)
                return s;
        }
    }
    if (nk != nv)
        return fail(&r, r.p, "property set keys and values differ in number");
    *count = nk;
    return nk > cap ? TWIN_E_RANGE : TWIN_OK;
}

/* ---- encoding ------------------------------------------------------------- */

/* Write a value of type t (or, for t 0, of field f) to the field numbers
 * of a metric (base 0) or a property value. Returns TWIN_E_INVAL when the
 * value does not fit. */
typedef struct value_fields {
    uint32_t i, l, f, d, b, s, bytes, dataset, tmpl, pset, psets;
} value_fields;
static const value_fields METRIC_FIELDS = {M_INT, M_LONG, M_FLOAT, M_DOUBLE, M_BOOLEAN, M_STRING,
                                           M_BYTES, M_DATASET, M_TEMPLATE, 0, 0};
static const value_fields PROPERTY_FIELDS = {PV_INT, PV_LONG, PV_FLOAT, PV_DOUBLE, PV_BOOLEAN,
                                             PV_STRING, 0, 0, 0, PV_PROPERTYSET,
                                             PV_PROPERTYSETS};

static twin_status put_value(sp_w *w, const value_fields *vf, uint32_t t, uint32_t f,
                             twin_sp_number v, const uint8_t *data, uint32_t len)
{
    if (t) {
        if (t > SP_MAX_TYPE)
            return TWIN_E_INVAL;
        unsigned bits = signed_bits(t);
        if (bits && bits < 64 && (v.i < -((int64_t)1 << (bits - 1)) ||
                                  v.i >= ((int64_t)1 << (bits - 1))))
            return TWIN_E_INVAL;
        if (is_int_type(t) && !bits && v.u > unsigned_max(t))
            return TWIN_E_INVAL;
        if (type_field(t) == TWIN_SP_FIELD_BYTES && array_check(t, data, len))
            return TWIN_E_INVAL;
        f = type_field(t);
        if (f == TWIN_SP_FIELD_INT && bits)
            v.u = (uint32_t)(int32_t)v.i;
    }
    uint32_t num;
    switch (f) {
    case TWIN_SP_FIELD_INT:
        sp_put_tag(w, vf->i, SP_WT_VARINT);
        sp_put_varint(w, (uint32_t)v.u);
        return TWIN_OK;
    case TWIN_SP_FIELD_LONG:
        sp_put_tag(w, vf->l, SP_WT_VARINT);
        sp_put_varint(w, v.u);
        return TWIN_OK;
    case TWIN_SP_FIELD_BOOLEAN:
        sp_put_tag(w, vf->b, SP_WT_VARINT);
        sp_put_varint(w, v.u != 0);
        return TWIN_OK;
    case TWIN_SP_FIELD_FLOAT: {
        uint32_t bits;
        memcpy(&bits, &v.f, 4);
        sp_put_tag(w, vf->f, SP_WT_I32);
        sp_put_fixed(w, bits, 4);
        return TWIN_OK;
    }
    case TWIN_SP_FIELD_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v.d, 8);
        sp_put_tag(w, vf->d, SP_WT_I64);
        sp_put_fixed(w, bits, 8);
        return TWIN_OK;
    }
    case TWIN_SP_FIELD_STRING: num = vf->s; break;
    case TWIN_SP_FIELD_BYTES: num = vf->bytes; break;
    case TWIN_SP_FIELD_DATASET: num = vf->dataset; break;
    case TWIN_SP_FIELD_TEMPLATE: num = vf->tmpl; break;
    case TWIN_SP_FIELD_PROPERTYSET: num = vf->pset; break;
    case TWIN_SP_FIELD_PROPERTYSETLIST: num = vf->psets; break;
    case TWIN_SP_FIELD_NONE:
    case TWIN_SP_FIELD_EXTENSION:
        return TWIN_OK;  /* nothing to write (extensions are not written back) */
    default:
        return TWIN_E_INVAL;
    }
    if (!num || (!data && len))
        return TWIN_E_INVAL;
    sp_put_bytes(w, num, data, len);
    return TWIN_OK;
}

static twin_status put_metric_body(sp_w *w, const twin_sp_metric *m)
{
    if ((!m->name && m->name_len) || (!m->properties && m->properties_len) ||
        (!m->metadata && m->metadata_len) || m->datatype == TWIN_SP_PROPERTYSET ||
        m->datatype == TWIN_SP_PROPERTYSETLIST ||
        m->field == TWIN_SP_FIELD_PROPERTYSET || m->field == TWIN_SP_FIELD_PROPERTYSETLIST)
        return TWIN_E_INVAL;
    if (m->name)
        sp_put_bytes(w, M_NAME, m->name, m->name_len);
    if (m->flags & TWIN_SP_HAS_ALIAS) {
        sp_put_tag(w, M_ALIAS, SP_WT_VARINT);
        sp_put_varint(w, m->alias);
    }
    if (m->flags & TWIN_SP_HAS_TIMESTAMP) {
        sp_put_tag(w, M_TIMESTAMP, SP_WT_VARINT);
        sp_put_varint(w, m->timestamp);
    }
    if (m->flags & TWIN_SP_HAS_DATATYPE) {
        if (m->datatype == 0 || m->datatype > SP_MAX_TYPE)
            return TWIN_E_INVAL;
        sp_put_tag(w, M_DATATYPE, SP_WT_VARINT);
        sp_put_varint(w, m->datatype);
    }
    static const uint32_t bools[3][2] = {{TWIN_SP_HISTORICAL, M_HISTORICAL},
                                         {TWIN_SP_TRANSIENT, M_TRANSIENT},
                                         {TWIN_SP_NULL, M_NULL}};
    for (unsigned i = 0; i < 3; i++)
        if (m->flags & bools[i][0]) {
            sp_put_tag(w, bools[i][1], SP_WT_VARINT);
            sp_put_varint(w, 1);
        }
    if (m->flags & TWIN_SP_HAS_METADATA)
        sp_put_bytes(w, M_METADATA, m->metadata, m->metadata_len);
    if (m->flags & TWIN_SP_HAS_PROPERTIES)
        sp_put_bytes(w, M_PROPERTIES, m->properties, m->properties_len);
    if (m->flags & TWIN_SP_NULL)
        return TWIN_OK;
    /* An extension value is not written back. No value given: no field,
       and for types held as bytes no data. */
    if (m->field == TWIN_SP_FIELD_EXTENSION)
        return TWIN_OK;
    if (m->field == TWIN_SP_FIELD_NONE &&
        (!m->datatype || (type_field(m->datatype) >= TWIN_SP_FIELD_STRING && !m->data)))
        return TWIN_OK;
    return put_value(w, &METRIC_FIELDS, m->datatype, m->field, m->value, m->data, m->len);
}

twin_status twin__sp_put_metric(sp_w *w, const twin_sp_metric *m)
{
    /* One pass for the usual metric: its body into a scratch buffer, then
       the length and a copy; a bigger one is written twice (counted, then
       written in place). */
    uint8_t tmp[256];
    sp_w body = {tmp, sizeof tmp, 0};
    twin_status s = put_metric_body(&body, m);
    if (s < 0)
        return s;
    sp_put_tag(w, PAYLOAD_METRICS, SP_WT_LEN);
    sp_put_varint(w, body.pos);
    if (body.pos <= sizeof tmp) {
        sp_put(w, tmp, body.pos);
        return TWIN_OK;
    }
    return put_metric_body(w, m);
}

void twin__sp_put_double_metric(sp_w *w, uint64_t alias, uint64_t timestamp, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    size_t body = sp_varint_len((uint64_t)M_ALIAS << 3) + sp_varint_len(alias) +
                  sp_varint_len((uint64_t)M_TIMESTAMP << 3) + sp_varint_len(timestamp) +
                  sp_varint_len((uint64_t)M_DOUBLE << 3 | SP_WT_I64) + 8;
    sp_put_tag(w, PAYLOAD_METRICS, SP_WT_LEN);
    sp_put_varint(w, body);
    sp_put_tag(w, M_ALIAS, SP_WT_VARINT);
    sp_put_varint(w, alias);
    sp_put_tag(w, M_TIMESTAMP, SP_WT_VARINT);
    sp_put_varint(w, timestamp);
    sp_put_tag(w, M_DOUBLE, SP_WT_I64);
    sp_put_fixed(w, bits, 8);
}

void twin__sp_put_header_tail(sp_w *w, const twin_sp_payload *p)
{
    if (p->flags & TWIN_SP_PAYLOAD_HAS_SEQ) {
        sp_put_tag(w, PAYLOAD_SEQ, SP_WT_VARINT);
        sp_put_varint(w, p->seq);
    }
    if (p->flags & TWIN_SP_PAYLOAD_HAS_UUID)
        sp_put_bytes(w, PAYLOAD_UUID, p->uuid, p->uuid_len);
    if (p->flags & TWIN_SP_PAYLOAD_HAS_BODY)
        sp_put_bytes(w, PAYLOAD_BODY, p->body, (size_t)p->body_len);
}

TWIN_SP_API twin_status twin_sp_encode(const twin_sp_payload *p, const twin_sp_metric *m,
                                       size_t n, void *buf, size_t cap, size_t *len)
{
    if (!p || (!m && n) || (!buf && cap) || !len ||
        ((p->flags & TWIN_SP_PAYLOAD_HAS_UUID) && !p->uuid && p->uuid_len) ||
        ((p->flags & TWIN_SP_PAYLOAD_HAS_BODY) && !p->body && p->body_len))
        return TWIN_E_INVAL;
    sp_w w = {(uint8_t *)buf, cap, 0};
    if (p->flags & TWIN_SP_PAYLOAD_HAS_TIMESTAMP) {
        sp_put_tag(&w, PAYLOAD_TIMESTAMP, SP_WT_VARINT);
        sp_put_varint(&w, p->timestamp);
    }
    for (size_t i = 0; i < n; i++) {
        twin_status s = twin__sp_put_metric(&w, &m[i]);
        if (s < 0)
            return s;
    }
    twin__sp_put_header_tail(&w, p);
    *len = w.pos;
    return w.pos > cap ? TWIN_E_RANGE : TWIN_OK;
}

static twin_status put_property_value(sp_w *w, const twin_sp_property *p)
{
    if (p->datatype == 0 || p->datatype > SP_MAX_TYPE || p->datatype == TWIN_SP_DATASET ||
        p->datatype == TWIN_SP_TEMPLATE || type_field(p->datatype) == TWIN_SP_FIELD_BYTES)
        return TWIN_E_INVAL;
    sp_put_tag(w, PV_TYPE, SP_WT_VARINT);
    sp_put_varint(w, p->datatype);
    if (p->flags & TWIN_SP_NULL) {
        sp_put_tag(w, PV_NULL, SP_WT_VARINT);
        sp_put_varint(w, 1);
        return TWIN_OK;
    }
    return put_value(w, &PROPERTY_FIELDS, p->datatype, 0, p->value, p->data, p->len);
}

TWIN_SP_API twin_status twin_sp_properties_encode(const twin_sp_property *p, size_t n,
                                                  void *buf, size_t cap, size_t *len)
{
    if ((!p && n) || (!buf && cap) || !len)
        return TWIN_E_INVAL;
    sp_w w = {(uint8_t *)buf, cap, 0};
    for (size_t i = 0; i < n; i++) {
        if (!p[i].key && p[i].key_len)
            return TWIN_E_INVAL;
        sp_put_bytes(&w, PS_KEYS, p[i].key ? p[i].key : "", p[i].key_len);
    }
    for (size_t i = 0; i < n; i++) {
        sp_w count = {NULL, 0, 0};
        twin_status s = put_property_value(&count, &p[i]);
        if (s < 0)
            return s;
        sp_put_tag(&w, PS_VALUES, SP_WT_LEN);
        sp_put_varint(&w, count.pos);
        put_property_value(&w, &p[i]);
    }
    *len = w.pos;
    return w.pos > cap ? TWIN_E_RANGE : TWIN_OK;
}
