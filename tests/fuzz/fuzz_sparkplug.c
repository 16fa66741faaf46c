/* libFuzzer target for libtwin-mqtt's Sparkplug B payload decoder: any
 * bytes in, no crash, no leak, no hang, no read outside the input.
 *
 * Each input is decoded as a payload (into 16 metrics: more gives
 * TWIN_E_RANGE, still checked whole); every decoded metric's PropertySet is
 * decoded, and each metric is read as every data type. A payload that
 * decodes is encoded again and decoded again, and must give the same
 * metrics (extension values aside, which are not written back): a
 * difference aborts. The same bytes are also a topic, an escaped id and a
 * message to a Host Application session under the BIRTH and DATA topics. */
#include <twin/sparkplug.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 16

static void differs(const char *what, size_t i)
{
    fprintf(stderr, "fuzz_sparkplug: re-encoded payload differs: %s (metric %zu)\n", what, i);
    abort();
}

static void same_metric(const twin_sp_metric *a, const twin_sp_metric *b, size_t i)
{
    uint32_t fa = a->field == TWIN_SP_FIELD_EXTENSION ? TWIN_SP_FIELD_NONE : a->field;
    if (a->name_len != b->name_len || (a->name_len && memcmp(a->name, b->name, a->name_len)))
        differs("name", i);
    if (a->alias != b->alias || a->timestamp != b->timestamp || a->datatype != b->datatype)
        differs("alias, timestamp or datatype", i);
    if (a->flags != b->flags)
        differs("flags", i);
    int is_int = (a->datatype >= 1 && a->datatype <= 8) || a->datatype == 13;
    if (a->flags & TWIN_SP_NULL)
        fa = TWIN_SP_FIELD_NONE;  /* a null metric's value is not written */
    else if (fa == TWIN_SP_FIELD_NONE && a->datatype)
        fa = b->field;  /* a numeric metric without value is written with its type's zero */
    else if (is_int && (fa == TWIN_SP_FIELD_INT || fa == TWIN_SP_FIELD_LONG))
        fa = b->field;  /* integers go to the field their type names; the value is the same */
    if (fa != b->field && !(a->flags & TWIN_SP_NULL))
        differs("value field", i);
    if (a->field == TWIN_SP_FIELD_NONE || a->field == TWIN_SP_FIELD_EXTENSION) {
        /* nothing to compare: the type's zero was written */
    } else if (fa >= TWIN_SP_FIELD_STRING) {
        if (a->len != b->len || (a->len && memcmp(a->data, b->data, a->len)))
            differs("bytes", i);
    } else if (fa == TWIN_SP_FIELD_BOOLEAN) {
        if ((a->value.u != 0) != (b->value.u != 0))
            differs("boolean", i);
    } else if (fa == TWIN_SP_FIELD_FLOAT) {
        if (memcmp(&a->value.f, &b->value.f, sizeof a->value.f))
            differs("float", i);
    } else if (fa != TWIN_SP_FIELD_NONE && a->field != TWIN_SP_FIELD_NONE &&
               a->field != TWIN_SP_FIELD_EXTENSION && a->value.u != b->value.u) {
        differs("number", i);
    }
    if (a->properties_len != b->properties_len ||
        (a->properties_len && memcmp(a->properties, b->properties, a->properties_len)))
        differs("properties", i);
    if (a->metadata_len != b->metadata_len ||
        (a->metadata_len && memcmp(a->metadata, b->metadata, a->metadata_len)))
        differs("metadata", i);
}

static void host_feed(const uint8_t *data, size_t size)
{
    static const char *topics[] = {"spBv1.0/G/NBIRTH/N", "spBv1.0/G/DBIRTH/N/D",
                                   "spBv1.0/G/DDATA/N/D", "spBv1.0/G/NDATA/N",
                                   "spBv1.0/G/NDEATH/N", "spBv1.0/G/DDEATH/N/D"};
    twin_sp_host_options o;
    twin_sp_host *h;
    twin_sp_message msg;
    uint8_t buf[512];
    twin_sp_host_options_init(&o);
    o.host_id = "fuzz";
    if (twin_sp_host_create(&h, &o) != TWIN_OK)
        abort();
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++) {
        (void)twin_sp_host_receive(h, topics[i], strlen(topics[i]), data, size, (int64_t)i);
        while (twin_sp_host_next(h, 10000000, &msg, buf, sizeof buf, NULL) == TWIN_OK)
            ;
    }
    twin_sp_host_destroy(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static twin_sp_metric m[CAP], again[CAP];
    static uint8_t out[65536 + 1024];
    twin_sp_payload p, q;
    twin_sp_property props[8];
    twin_sp_diag d;
    size_t n, len;
    twin_status s = twin_sp_decode(data, size, &p, m, CAP, &d);
    if (s == TWIN_E_PARSE && (!d.message || !*d.message || d.offset > size))
        abort();
    if (s == TWIN_OK || s == TWIN_E_RANGE) {
        size_t count = p.metric_count < CAP ? (size_t)p.metric_count : CAP;
        for (size_t i = 0; i < count; i++) {
            twin_sp_metric x;
            double v;
            if (m[i].properties)
                (void)twin_sp_properties_decode(m[i].properties, m[i].properties_len, props, 8,
                                                &n, NULL);
            for (uint32_t t = 1; t <= 34; t++) {
                x = m[i];
                if (twin_sp_metric_apply_type(&x, t) == TWIN_OK)
                    (void)twin_sp_metric_to_double(&x, &v);
            }
        }
        if (s == TWIN_OK) {
            if (twin_sp_encode(&p, m, count, out, sizeof out, &len) != TWIN_OK)
                abort();  /* what decodes must encode */
            if (twin_sp_decode(out, len, &q, again, CAP, NULL) != TWIN_OK ||
                q.metric_count != p.metric_count)
                differs("decode or count", 0);
            if (q.flags != p.flags || q.timestamp != p.timestamp || q.seq != p.seq)
                differs("payload fields", 0);
            for (size_t i = 0; i < count; i++)
                same_metric(&m[i], &again[i], i);
        }
    }
    /* The same bytes as a PropertySet, a topic and an escaped identifier. */
    (void)twin_sp_properties_decode(data, size, props, 8, &n, NULL);
    twin_sp_topic t;
    (void)twin_sp_topic_parse((const char *)data, size, &t);
    char id[256];
    (void)twin_sp_id_unescape(id, sizeof id, NULL, (const char *)data, size < 200 ? size : 200);
    host_feed(data, size);
    return 0;
}
