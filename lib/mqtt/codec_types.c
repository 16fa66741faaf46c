/* Sparkplug B data types (chapter 6): a raw value read as a metric's or a
 * property's data type, range checks, conversion to double; decoding
 * failures recorded for the caller. */
#include "codec_int.h"

twin_status twin__sp_fail(rd *r, const uint8_t *at, const char *why)
{
    if (r->diag) {
        r->diag->message = why;
        r->diag->offset = (uint64_t)(at - r->base);
    }
    return TWIN_E_PARSE;
}

/* Whether an array type's bytes are well formed. */
const char *twin__sp_array_check(uint32_t t, const uint8_t *d, uint32_t n)
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
const char *twin__sp_apply_type(uint32_t t, uint32_t field, twin_sp_number *v,
                                const uint8_t *data, uint32_t len)
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
        return twin__sp_array_check(t, data, len);
    return NULL;
}

TWIN_SP_API twin_status twin_sp_metric_apply_type(twin_sp_metric *m, uint32_t datatype)
{
    if (!m || datatype == 0 || datatype > SP_MAX_TYPE || datatype == TWIN_SP_PROPERTYSET ||
        datatype == TWIN_SP_PROPERTYSETLIST)
        return TWIN_E_INVAL;
    twin_sp_number v = m->value;
    if (twin__sp_apply_type(datatype, m->field, &v, m->data, m->len))
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
