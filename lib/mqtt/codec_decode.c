/* Sparkplug B payloads decoded: Payload, Metric, PropertySet and
 * PropertyValue read in place from the caller's buffer (a hand-written
 * Protocol Buffers (proto2) reader). Decoding never allocates and never
 * reads past the end: every varint and every length is checked against
 * the end of its enclosing message (codec_int.h). */
#include "codec_int.h"

/* ---- metrics -------------------------------------------------------------- */

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
                return twin__sp_fail(r, at, "wrong wire type for the field");
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
            return twin__sp_fail(r, start, "property-only data type on a metric");
        const char *why =
            twin__sp_apply_type(m->datatype, m->field, &m->value, m->data, m->len);
        if (why)
            return twin__sp_fail(r, start, why);
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
                return twin__sp_fail(&r, at, "wrong wire type for the field");
            if ((s = skip(&r, wt)) < 0)
                return s;
        }
    }
    return out->metric_count > cap ? TWIN_E_RANGE : TWIN_OK;
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
            return twin__sp_fail(r, start, "data type not allowed for a property");
        const char *why = twin__sp_apply_type(t, p->field, &p->value, p->data, p->len);
        if (why)
            return twin__sp_fail(r, start, why);
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
        return twin__sp_fail(&r, r.p, "property set keys and values differ in number");
    *count = nk;
    return nk > cap ? TWIN_E_RANGE : TWIN_OK;
}

/* Two passes over the set: the index of the last key equal to key, then the
 * value of that index; keys and values must pair up, as for
 * twin_sp_properties_decode(). No array: any number of properties. */
twin_status twin__sp_property_find(const void *buf, size_t len, const char *key, size_t klen,
                                   twin_sp_property *out)
{
    const uint8_t *b = buf ? (const uint8_t *)buf : (const uint8_t *)"";
    size_t nk = 0, nv = 0, idx = SIZE_MAX;
    uint32_t field = 0, wt = 0, n = 0;
    const uint8_t *d = NULL, *at;
    twin_status s;
    for (int pass = 0; pass < 2; pass++) {
        rd r = {b, b + len, b, NULL};
        nk = nv = 0;
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
            if (field == PS_KEYS) {
                if (pass == 0 && n == klen && memcmp(d, key, klen) == 0)
                    idx = nk;
                nk++;
            } else {
                if (pass == 1 && nv == idx) {
                    rd vr = {d, d + n, b, NULL};
                    memset(out, 0, sizeof *out);
                    out->key = key;
                    out->key_len = (uint32_t)klen;
                    if ((s = read_property_value(&vr, out)) < 0)
                        return s;
                }
                nv++;
            }
        }
        if (nk != nv)
            return TWIN_E_PARSE;
        if (idx == SIZE_MAX)
            return TWIN_E_NOTFOUND;
    }
    return TWIN_OK;
}
