/* Sparkplug B payloads encoded: Payload, Metric, PropertySet and
 * PropertyValue written to a caller buffer through the counting writer of
 * sp_int.h (one pass gives the bytes written or the size needed). */
#include "codec_int.h"

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
        if (type_field(t) == TWIN_SP_FIELD_BYTES && twin__sp_array_check(t, data, len))
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
