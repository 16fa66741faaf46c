/* libtwin-mqtt: the Sparkplug B payload codec and topics.
 *
 * Golden vectors, derived by hand from the Protocol Buffers wire format
 * (https://protobuf.dev/programming-guides/encoding/) and the field numbers
 * of the specification's schema (tests/mqtt/sparkplug_b.proto):
 *   tag byte      = field_number << 3 | wire_type (0 varint, 1 fixed64,
 *                   2 length-delimited, 5 fixed32); fields >= 16 take a
 *                   two-byte tag varint.
 *   varint        = 7 bits at a time, least significant group first, high
 *                   bit set on every byte but the last.
 * Payload.timestamp (1, varint)  -> 0x08;  Payload.metrics (2, len) -> 0x12;
 * Payload.seq (3, varint) -> 0x18;  Payload.uuid (4, len) -> 0x22.
 * Metric.name (1, len) 0x0a, alias (2) 0x10, timestamp (3) 0x18,
 * datatype (4) 0x20, is_null (7) 0x38, properties (9, len) 0x4a,
 * int_value (10) 0x50, long_value (11) 0x58, float_value (12, fixed32) 0x65,
 * double_value (13, fixed64) 0x69, boolean_value (14) 0x70,
 * string_value (15, len) 0x7a, bytes_value (16, len) 0x82 0x01.
 * Each vector below spells out its bytes. */
#include <twin/sparkplug.h>

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"

#define N(a) (sizeof(a) / sizeof *(a))

static twin_sp_metric mk(uint32_t type)
{
    twin_sp_metric m;
    memset(&m, 0, sizeof m);
    m.datatype = type;
    m.flags = TWIN_SP_HAS_DATATYPE;
    return m;
}

static size_t enc(const twin_sp_payload *p, const twin_sp_metric *m, size_t n, uint8_t *buf,
                  size_t cap)
{
    size_t len = 0;
    ck_assert_int_eq(twin_sp_encode(p, m, n, buf, cap, &len), TWIN_OK);
    return len;
}

static twin_status dec(const uint8_t *b, size_t n, twin_sp_metric *m, size_t cap, twin_sp_diag *d)
{
    twin_sp_payload p;
    return twin_sp_decode(b, n, &p, m, cap, d);
}

/* ---- golden vectors ---------------------------------------------------- */

START_TEST(test_encode_header_only_golden)
{
    /* timestamp 1: 08 01; seq 0: 18 00 */
    static const uint8_t want[] = {0x08, 0x01, 0x18, 0x00};
    twin_sp_payload p = {0};
    uint8_t buf[16];
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP | TWIN_SP_PAYLOAD_HAS_SEQ;
    p.timestamp = 1;
    ck_assert_uint_eq(enc(&p, NULL, 0, buf, sizeof buf), sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(test_encode_int8_minus_one_golden)
{
    /* Metric name "a" (0a 01 61), alias 5 (10 05), datatype Int8 (20 01),
       int_value -1 as uint32 0xffffffff: 7-bit groups 7f 7f 7f 7f 0f ->
       50 ff ff ff ff 0f. Body 3 + 2 + 2 + 6 = 13 bytes: 12 0d ... */
    static const uint8_t want[] = {0x12, 0x0d, 0x0a, 0x01, 0x61, 0x10, 0x05, 0x20, 0x01,
                                   0x50, 0xff, 0xff, 0xff, 0xff, 0x0f};
    twin_sp_payload p = {0};
    twin_sp_metric m = mk(TWIN_SP_INT8), out[1];
    uint8_t buf[32];
    m.name = "a";
    m.name_len = 1;
    m.alias = 5;
    m.flags |= TWIN_SP_HAS_ALIAS;
    m.value.i = -1;
    ck_assert_uint_eq(enc(&p, &m, 1, buf, sizeof buf), sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
    ck_assert_int_eq(dec(want, sizeof want, out, 1, NULL), TWIN_OK);
    ck_assert_int_eq(out[0].value.i, -1);
    ck_assert_uint_eq(out[0].alias, 5);
    ck_assert_uint_eq(out[0].name_len, 1);
    ck_assert(out[0].name == (const char *)want + 4);  /* by reference */
}
END_TEST

START_TEST(test_encode_ddata_double_golden)
{
    /* DDATA: timestamp 1000 (1000 = 0b111_1101000: e8 07) -> 08 e8 07;
       metric alias 1 (10 01), timestamp 1000 (18 e8 07), double 1.5
       (0x3ff8000000000000, little-endian: 69 00 00 00 00 00 00 f8 3f):
       body 2 + 3 + 9 = 14 -> 12 0e ...; seq 255 (ff 01) -> 18 ff 01. */
    static const uint8_t want[] = {0x08, 0xe8, 0x07, 0x12, 0x0e, 0x10, 0x01, 0x18, 0xe8, 0x07,
                                   0x69, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x18, 0xff, 0x01};
    twin_sp_payload p = {0}, q;
    twin_sp_metric m = mk(TWIN_SP_DOUBLE), out[2];
    uint8_t buf[64];
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP | TWIN_SP_PAYLOAD_HAS_SEQ;
    p.timestamp = 1000;
    p.seq = 255;
    m.flags = TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP;  /* DATA: no datatype */
    m.alias = 1;
    m.timestamp = 1000;
    m.value.d = 1.5;
    ck_assert_uint_eq(enc(&p, &m, 1, buf, sizeof buf), sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
    ck_assert_int_eq(twin_sp_decode(want, sizeof want, &q, out, 2, NULL), TWIN_OK);
    ck_assert_uint_eq(q.metric_count, 1);
    ck_assert_uint_eq(q.seq, 255);
    ck_assert_uint_eq(q.timestamp, 1000);
    ck_assert_uint_eq(out[0].field, TWIN_SP_FIELD_DOUBLE);
    ck_assert(out[0].value.d == 1.5);
    ck_assert_uint_eq(out[0].datatype, 0);
}
END_TEST

START_TEST(test_encode_scalar_fields_golden)
{
    /* One metric each: Float 1.5 (0x3fc00000: 65 00 00 c0 3f), Boolean true
       (70 01), String "hi" (7a 02 68 69), UInt64 300 (300 = 0b10_0101100:
       ac 02 -> 58 ac 02), Bytes {1, 2} (82 01 02 01 02), null Double
       (20 0a 38 01). Each with its datatype (20 tt) first. */
    static const uint8_t want[] = {
        0x12, 0x07, 0x20, 0x09, 0x65, 0x00, 0x00, 0xc0, 0x3f,
        0x12, 0x04, 0x20, 0x0b, 0x70, 0x01,
        0x12, 0x06, 0x20, 0x0c, 0x7a, 0x02, 0x68, 0x69,
        0x12, 0x05, 0x20, 0x08, 0x58, 0xac, 0x02,
        0x12, 0x07, 0x20, 0x11, 0x82, 0x01, 0x02, 0x01, 0x02,
        0x12, 0x04, 0x20, 0x0a, 0x38, 0x01};
    static const uint8_t two[] = {1, 2};
    twin_sp_payload p = {0};
    twin_sp_metric m[6] = {mk(TWIN_SP_FLOAT), mk(TWIN_SP_BOOLEAN), mk(TWIN_SP_STRING),
                           mk(TWIN_SP_UINT64), mk(TWIN_SP_BYTES), mk(TWIN_SP_DOUBLE)};
    uint8_t buf[128];
    m[0].value.f = 1.5f;
    m[1].value.u = 1;
    m[2].data = (const uint8_t *)"hi";
    m[2].len = 2;
    m[3].value.u = 300;
    m[4].data = two;
    m[4].len = 2;
    m[5].flags |= TWIN_SP_NULL;
    ck_assert_uint_eq(enc(&p, m, 6, buf, sizeof buf), sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(test_encode_uint32_goes_to_long_value_as_tahu)
{
    /* UInt32 7 -> long_value (58 07), as Eclipse Tahu writes it. */
    static const uint8_t want[] = {0x12, 0x04, 0x20, 0x07, 0x58, 0x07};
    twin_sp_payload p = {0};
    twin_sp_metric m = mk(TWIN_SP_UINT32);
    uint8_t buf[16];
    m.value.u = 7;
    ck_assert_uint_eq(enc(&p, &m, 1, buf, sizeof buf), sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(test_decode_uint32_from_int_value_as_the_spec)
{
    /* The specification's table puts UInt32 in int_value (50 ..): read too. */
    static const uint8_t in[] = {0x12, 0x08, 0x20, 0x07, 0x50, 0xff, 0xff, 0xff, 0xff, 0x0f};
    twin_sp_metric m[1];
    ck_assert_int_eq(dec(in, sizeof in, m, 1, NULL), TWIN_OK);
    ck_assert_uint_eq(m[0].value.u, 0xffffffffu);
}
END_TEST

/* ---- round trips of every scalar type ---------------------------------- */

START_TEST(test_round_trip_every_scalar_type)
{
    static const struct {
        uint32_t type;
        int64_t i;
        uint64_t u;
    } ints[] = {
        {TWIN_SP_INT8, -128, 0}, {TWIN_SP_INT8, 127, 0}, {TWIN_SP_INT16, -32768, 0},
        {TWIN_SP_INT16, 32767, 0}, {TWIN_SP_INT32, INT32_MIN, 0}, {TWIN_SP_INT32, INT32_MAX, 0},
        {TWIN_SP_INT64, INT64_MIN, 0}, {TWIN_SP_INT64, INT64_MAX, 0}, {TWIN_SP_INT64, -1, 0},
        {TWIN_SP_UINT8, 0, 255}, {TWIN_SP_UINT16, 0, 65535}, {TWIN_SP_UINT32, 0, UINT32_MAX},
        {TWIN_SP_UINT64, 0, UINT64_MAX}, {TWIN_SP_DATETIME, 0, 1486144502122ull},
        {TWIN_SP_BOOLEAN, 0, 1}, {TWIN_SP_BOOLEAN, 0, 0}};
    static const uint32_t strings[] = {TWIN_SP_STRING, TWIN_SP_TEXT, TWIN_SP_UUID,
                                       TWIN_SP_BYTES, TWIN_SP_FILE};
    twin_sp_metric m[32], out[32];
    twin_sp_payload p = {0}, q;
    uint8_t buf[1024];
    size_t n = 0;
    for (size_t k = 0; k < N(ints); k++) {
        m[n] = mk(ints[k].type);
        if (ints[k].type <= TWIN_SP_INT64)
            m[n].value.i = ints[k].i;
        else
            m[n].value.u = ints[k].u;
        n++;
    }
    m[n] = mk(TWIN_SP_FLOAT);
    m[n++].value.f = -3.25e-3f;
    m[n] = mk(TWIN_SP_DOUBLE);
    m[n++].value.d = -1.0 / 3.0;
    m[n] = mk(TWIN_SP_DOUBLE);
    m[n++].value.d = INFINITY;
    for (size_t k = 0; k < N(strings); k++) {
        m[n] = mk(strings[k]);
        m[n].data = (const uint8_t *)"\xc3\xa9t\xc3\xa9\0x";
        m[n++].len = 7;
    }
    for (size_t k = 0; k < n; k++) {
        char name[32];
        snprintf(name, sizeof name, "m%zu", k);
        m[k].name = strdup(name);
        m[k].name_len = (uint32_t)strlen(name);
        m[k].alias = k * 1000003u;
        m[k].timestamp = 1486144502122ull + k;
        m[k].flags |= TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP |
                      (k % 2 ? TWIN_SP_HISTORICAL : 0) | (k % 3 ? 0 : TWIN_SP_TRANSIENT);
    }
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ | TWIN_SP_PAYLOAD_HAS_UUID;
    p.seq = 7;
    p.uuid = "u-1";
    p.uuid_len = 3;
    size_t len = enc(&p, m, n, buf, sizeof buf);
    ck_assert_int_eq(twin_sp_decode(buf, len, &q, out, N(out), NULL), TWIN_OK);
    ck_assert_uint_eq(q.metric_count, n);
    ck_assert_uint_eq(q.uuid_len, 3);
    ck_assert_mem_eq(q.uuid, "u-1", 3);
    for (size_t k = 0; k < n; k++) {
        ck_assert_uint_eq(out[k].datatype, m[k].datatype);
        ck_assert_uint_eq(out[k].flags, m[k].flags);
        ck_assert_uint_eq(out[k].alias, m[k].alias);
        ck_assert_uint_eq(out[k].timestamp, m[k].timestamp);
        ck_assert_uint_eq(out[k].name_len, m[k].name_len);
        ck_assert_mem_eq(out[k].name, m[k].name, m[k].name_len);
        if (m[k].data) {
            ck_assert_uint_eq(out[k].len, m[k].len);
            ck_assert_mem_eq(out[k].data, m[k].data, m[k].len);
        } else if (m[k].datatype == TWIN_SP_FLOAT) {
            ck_assert(out[k].value.f == m[k].value.f);
        } else if (m[k].datatype == TWIN_SP_DOUBLE) {
            ck_assert(out[k].value.d == m[k].value.d);
        } else if (m[k].datatype <= TWIN_SP_INT64) {
            ck_assert_int_eq(out[k].value.i, m[k].value.i);
        } else {
            ck_assert_uint_eq(out[k].value.u, m[k].value.u);
        }
        free((void *)m[k].name);
    }
    /* Re-encoding the decoded metrics gives the same bytes. */
    uint8_t again[1024];
    ck_assert_uint_eq(enc(&q, out, n, again, sizeof again), len);
    ck_assert_mem_eq(again, buf, len);
}
END_TEST

START_TEST(test_round_trip_arrays_and_checks)
{
    /* The specification's example: Int16Array [-30000, 30000] -> d0 8a 30 75. */
    static const uint8_t i16[] = {0xd0, 0x8a, 0x30, 0x75};
    static const uint8_t bools[] = {0x0c, 0, 0, 0, 0x34, 0xd0};  /* 12 booleans */
    twin_sp_payload p = {0};
    twin_sp_metric m[3] = {mk(TWIN_SP_INT16_ARRAY), mk(TWIN_SP_BOOLEAN_ARRAY),
                           mk(TWIN_SP_STRING_ARRAY)}, out[3];
    uint8_t buf[64];
    size_t len;
    m[0].data = i16;
    m[0].len = 4;
    m[1].data = bools;
    m[1].len = 6;
    m[2].data = (const uint8_t *)"ABC\0hello";
    m[2].len = 10;
    len = enc(&p, m, 3, buf, sizeof buf);
    ck_assert_int_eq(dec(buf, len, out, 3, NULL), TWIN_OK);
    ck_assert_mem_eq(out[0].data, i16, 4);
    /* Malformed arrays are refused on both sides. */
    m[0].len = 3;
    ck_assert_int_eq(twin_sp_encode(&p, m, 1, buf, sizeof buf, &len), TWIN_E_INVAL);
    m[1].len = 5;  /* 12 booleans need 2 bytes after the count */
    ck_assert_int_eq(twin_sp_encode(&p, &m[1], 1, buf, sizeof buf, &len), TWIN_E_INVAL);
    static const uint8_t odd[] = {0x12, 0x06, 0x20, 0x17, 0x82, 0x01, 0x01, 0x00};
    ck_assert_int_eq(dec(odd, sizeof odd, out, 1, NULL), TWIN_E_PARSE);
}
END_TEST

START_TEST(test_encode_small_buffer_returns_range_and_needed)
{
    twin_sp_payload p = {0};
    twin_sp_metric m = mk(TWIN_SP_DOUBLE);
    uint8_t buf[64];
    size_t len = 0, need;
    m.value.d = 2;
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, sizeof buf, &need), TWIN_OK);
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, need - 1, &len), TWIN_E_RANGE);
    ck_assert_uint_eq(len, need);
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, NULL, 0, &len), TWIN_E_RANGE);
    ck_assert_uint_eq(len, need);
}
END_TEST

START_TEST(test_encode_out_of_range_value_returns_inval)
{
    twin_sp_payload p = {0};
    twin_sp_metric m = mk(TWIN_SP_INT8);
    uint8_t buf[64];
    size_t len;
    m.value.i = 128;
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, sizeof buf, &len), TWIN_E_INVAL);
    m = mk(TWIN_SP_UINT16);
    m.value.u = 65536;
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, sizeof buf, &len), TWIN_E_INVAL);
    m = mk(35);
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, sizeof buf, &len), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_decode_more_metrics_than_cap_returns_range_with_count)
{
    static const uint8_t in[] = {0x12, 0x02, 0x10, 0x01, 0x12, 0x02, 0x10, 0x02,
                                 0x12, 0x02, 0x10, 0x03};
    twin_sp_payload p;
    twin_sp_metric m[2];
    ck_assert_int_eq(twin_sp_decode(in, sizeof in, &p, m, 2, NULL), TWIN_E_RANGE);
    ck_assert_uint_eq(p.metric_count, 3);
    ck_assert_uint_eq(m[1].alias, 2);
}
END_TEST

START_TEST(test_decode_skips_unknown_fields_and_extensions)
{
    /* Payload field 6 varint (30 05), field 9 fixed32 (4d ...), metric field
       30 (two-byte tag f0 01) varint, field 20 len (a2 01 01 00). */
    static const uint8_t in[] = {0x30, 0x05, 0x4d, 1, 2, 3, 4,
                                 0x12, 0x09, 0x10, 0x04, 0xf0, 0x01, 0x07, 0xa2, 0x01, 0x01, 0x00,
                                 0x18, 0x02};
    twin_sp_payload p;
    twin_sp_metric m[1];
    ck_assert_int_eq(twin_sp_decode(in, sizeof in, &p, m, 1, NULL), TWIN_OK);
    ck_assert_uint_eq(p.seq, 2);
    ck_assert_uint_eq(m[0].alias, 4);
}
END_TEST

START_TEST(test_decode_dataset_and_template_given_raw)
{
    /* datatype DataSet (20 10), dataset_value field 17 (8a 01 02 08 01);
       datatype Template (20 13), template_value field 18 (92 01 00). */
    static const uint8_t in[] = {0x12, 0x07, 0x20, 0x10, 0x8a, 0x01, 0x02, 0x08, 0x01,
                                 0x12, 0x05, 0x20, 0x13, 0x92, 0x01, 0x00};
    twin_sp_metric m[2];
    uint8_t buf[32];
    size_t len;
    twin_sp_payload p;
    ck_assert_int_eq(twin_sp_decode(in, sizeof in, &p, m, 2, NULL), TWIN_OK);
    ck_assert_uint_eq(m[0].field, TWIN_SP_FIELD_DATASET);
    ck_assert_uint_eq(m[0].len, 2);
    ck_assert_uint_eq(m[1].field, TWIN_SP_FIELD_TEMPLATE);
    ck_assert_int_eq(twin_sp_encode(&p, m, 2, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_uint_eq(len, sizeof in);
    ck_assert_mem_eq(buf, in, sizeof in);
}
END_TEST

START_TEST(test_metric_apply_type_and_to_double)
{
    /* A DATA metric: alias only, int_value 0xfffffffe; its BIRTH said Int16. */
    static const uint8_t in[] = {0x12, 0x08, 0x10, 0x01, 0x50, 0xfe, 0xff, 0xff, 0xff, 0x0f};
    twin_sp_metric m[1];
    double d;
    ck_assert_int_eq(dec(in, sizeof in, m, 1, NULL), TWIN_OK);
    ck_assert_uint_eq(m[0].value.u, 0xfffffffeu);
    ck_assert_int_eq(twin_sp_metric_apply_type(&m[0], TWIN_SP_DOUBLE), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_sp_metric_apply_type(&m[0], TWIN_SP_UINT8), TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(m[0].value.u, 0xfffffffeu);  /* unchanged */
    ck_assert_int_eq(twin_sp_metric_apply_type(&m[0], TWIN_SP_INT16), TWIN_OK);
    ck_assert_int_eq(m[0].value.i, -2);
    ck_assert_int_eq(twin_sp_metric_to_double(&m[0], &d), TWIN_OK);
    ck_assert(d == -2.0);
    m[0].flags |= TWIN_SP_NULL;
    ck_assert_int_eq(twin_sp_metric_to_double(&m[0], &d), TWIN_E_NOTFOUND);
}
END_TEST

/* ---- malformed input: TWIN_E_PARSE, never a crash ---------------------- */

static const struct bad {
    const char *what;
    uint8_t n;
    uint8_t b[24];
} BAD[] = {
    {"truncated varint", 2, {0x08, 0x80}},
    {"truncated tag", 1, {0x80}},
    {"varint of 11 bytes", 12, {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0x01}},
    {"varint past 64 bits", 11, {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0x02}},
    {"length past the end", 4, {0x12, 0x05, 0x0a, 0x01}},
    {"huge length", 11, {0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
    {"length of 2^32", 6, {0x22, 0x80, 0x80, 0x80, 0x80, 0x10}},
    {"wrong wire type, payload", 5, {0x0d, 0, 0, 0, 0}},
    {"wrong wire type, metrics", 2, {0x10, 0x01}},
    {"wrong wire type, double", 4, {0x12, 0x02, 0x68, 0x00}},
    {"wrong wire type, name", 4, {0x12, 0x02, 0x08, 0x01}},
    {"group start", 1, {0x0b}},
    {"group end", 1, {0x0c}},
    {"wire type 6", 2, {0x0e, 0x00}},
    {"field number 0", 2, {0x00, 0x00}},
    {"tag above 32 bits", 7, {0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00}},
    {"truncated fixed64", 5, {0x12, 0x03, 0x69, 0x00, 0x00}},
    {"truncated fixed32", 4, {0x12, 0x02, 0x65, 0x00}},
    {"truncated skipped fixed64", 3, {0x09, 0x00, 0x00}},
    {"length past the metric", 6, {0x12, 0x04, 0x0a, 0x05, 0x61, 0x62}},
    {"data type 35", 4, {0x12, 0x02, 0x20, 0x23}},
    {"Int8 of 300", 7, {0x12, 0x05, 0x20, 0x01, 0x50, 0xac, 0x02}},
    {"UInt16 of 65536", 8, {0x12, 0x06, 0x20, 0x06, 0x50, 0x80, 0x80, 0x04}},
    {"Double as a string", 7, {0x12, 0x05, 0x20, 0x0a, 0x7a, 0x01, 0x61}},
    {"PropertySet type on a metric", 4, {0x12, 0x02, 0x20, 0x14}},
};

START_TEST(test_decode_malformed_returns_parse)
{
    const struct bad *b = &BAD[_i];
    twin_sp_metric m[4];
    twin_sp_diag d = {NULL, 0};
    twin_status s = dec(b->b, b->n, m, 4, &d);
    if (s != TWIN_E_PARSE)
        ck_abort_msg("%s: status %d", b->what, (int)s);
    ck_assert_ptr_nonnull(d.message);
    ck_assert(d.message[0] != '\0');
    ck_assert_uint_lt(d.offset, b->n);
    /* every prefix too: never a crash, never OK with garbage past the end */
    for (size_t n = 0; n < b->n; n++)
        (void)dec(b->b, n, m, 4, NULL);
}
END_TEST

START_TEST(test_decode_diag_names_offset)
{
    /* The bad tag of the second metric is at offset 6. */
    static const uint8_t in[] = {0x12, 0x02, 0x10, 0x01, 0x12, 0x02, 0x0b, 0x00};
    twin_sp_metric m[2];
    twin_sp_diag d;
    ck_assert_int_eq(dec(in, sizeof in, m, 2, &d), TWIN_E_PARSE);
    ck_assert_uint_eq(d.offset, 6);
    ck_assert_str_eq(d.message, "groups are not supported");
}
END_TEST

START_TEST(test_decode_empty_payload_is_ok)
{
    twin_sp_payload p;
    ck_assert_int_eq(twin_sp_decode(NULL, 0, &p, NULL, 0, NULL), TWIN_OK);
    ck_assert_uint_eq(p.metric_count, 0);
    ck_assert_int_eq(twin_sp_decode(NULL, 1, &p, NULL, 0, NULL), TWIN_E_INVAL);
}
END_TEST

/* ---- properties ---------------------------------------------------------- */

START_TEST(test_properties_round_trip_and_golden)
{
    /* {"engUnit": String "C"}: keys 0a 07 "engUnit"; values 12 05 (type 12:
       08 0c, string_value field 8: 42 01 43). */
    static const uint8_t want[] = {0x0a, 0x07, 'e', 'n', 'g', 'U', 'n', 'i', 't',
                                   0x12, 0x05, 0x08, 0x0c, 0x42, 0x01, 'C'};
    twin_sp_property p[3], out[3];
    uint8_t buf[128];
    size_t len, n;
    memset(p, 0, sizeof p);
    p[0].key = "engUnit";
    p[0].key_len = 7;
    p[0].datatype = TWIN_SP_STRING;
    p[0].data = (const uint8_t *)"C";
    p[0].len = 1;
    ck_assert_int_eq(twin_sp_properties_encode(p, 1, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_uint_eq(len, sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
    p[1].key = "Quality";
    p[1].key_len = 7;
    p[1].datatype = TWIN_SP_INT32;
    p[1].value.i = 500;
    p[2].key = "gone";
    p[2].key_len = 4;
    p[2].datatype = TWIN_SP_DOUBLE;
    p[2].flags = TWIN_SP_NULL;
    ck_assert_int_eq(twin_sp_properties_encode(p, 3, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_int_eq(twin_sp_properties_decode(buf, len, out, 3, &n, NULL), TWIN_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(out[0].key, "engUnit", 7);
    ck_assert_mem_eq(out[0].data, "C", 1);
    ck_assert_int_eq(out[1].value.i, 500);
    ck_assert_uint_eq(out[2].flags & TWIN_SP_NULL, TWIN_SP_NULL);
    ck_assert_int_eq(twin_sp_properties_decode(buf, len, out, 2, &n, NULL), TWIN_E_RANGE);
    ck_assert_uint_eq(n, 3);
    /* A metric carries them as raw bytes. */
    twin_sp_metric m = mk(TWIN_SP_DOUBLE), dm[1];
    uint8_t pay[256];
    size_t plen;
    twin_sp_payload pp = {0};
    m.properties = buf;
    m.properties_len = (uint32_t)len;
    m.flags |= TWIN_SP_HAS_PROPERTIES;
    ck_assert_int_eq(twin_sp_encode(&pp, &m, 1, pay, sizeof pay, &plen), TWIN_OK);
    ck_assert_int_eq(dec(pay, plen, dm, 1, NULL), TWIN_OK);
    ck_assert_uint_eq(dm[0].properties_len, len);
    ck_assert_mem_eq(dm[0].properties, buf, len);
}
END_TEST

START_TEST(test_properties_malformed_returns_parse)
{
    static const uint8_t two_keys_one_value[] = {0x0a, 0x01, 'a', 0x0a, 0x01, 'b',
                                                 0x12, 0x02, 0x08, 0x0b};
    static const uint8_t value_type_mismatch[] = {0x0a, 0x01, 'a', 0x12, 0x04, 0x08, 0x0a,
                                                  0x38, 0x01};
    static const uint8_t truncated[] = {0x0a, 0x05, 'a'};
    twin_sp_property out[4];
    size_t n;
    ck_assert_int_eq(twin_sp_properties_decode(two_keys_one_value, sizeof two_keys_one_value,
                                               out, 4, &n, NULL), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_properties_decode(value_type_mismatch, sizeof value_type_mismatch,
                                               out, 4, &n, NULL), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_properties_decode(truncated, sizeof truncated, out, 4, &n, NULL),
                     TWIN_E_PARSE);
}
END_TEST

/* ---- topics -------------------------------------------------------------- */

START_TEST(test_topic_parse_every_type)
{
    static const struct {
        const char *t;
        int type;
        const char *dev;
    } ok[] = {
        {"spBv1.0/G/NBIRTH/N", TWIN_SP_NBIRTH, NULL}, {"spBv1.0/G/NDEATH/N", TWIN_SP_NDEATH, NULL},
        {"spBv1.0/G/NDATA/N", TWIN_SP_NDATA, NULL}, {"spBv1.0/G/NCMD/N", TWIN_SP_NCMD, NULL},
        {"spBv1.0/G/DBIRTH/N/D", TWIN_SP_DBIRTH, "D"}, {"spBv1.0/G/DDEATH/N/D", TWIN_SP_DDEATH, "D"},
        {"spBv1.0/G/DDATA/N/D", TWIN_SP_DDATA, "D"}, {"spBv1.0/G/DCMD/N/D", TWIN_SP_DCMD, "D"},
        {"spBv1.0/STATE/host1", TWIN_SP_STATE, NULL}};
    twin_sp_topic t;
    for (size_t i = 0; i < N(ok); i++) {
        ck_assert_int_eq(twin_sp_topic_parse(ok[i].t, strlen(ok[i].t), &t), TWIN_OK);
        ck_assert_int_eq(t.type, ok[i].type);
        if (ok[i].dev) {
            ck_assert_uint_eq(t.device_len, 1);
            ck_assert_mem_eq(t.device, "D", 1);
        } else {
            ck_assert_ptr_null(t.device);
        }
        char buf[64];
        size_t need;
        ck_assert_int_eq(twin_sp_topic_build(buf, sizeof buf, &need, (twin_sp_msg)ok[i].type,
                                             "G", ok[i].type == TWIN_SP_STATE ? "host1" : "N",
                                             ok[i].dev), TWIN_OK);
        ck_assert_str_eq(buf, ok[i].t);
        ck_assert_uint_eq(need, strlen(ok[i].t));
    }
}
END_TEST

START_TEST(test_topic_parse_bad_returns_parse)
{
    static const char *bad[] = {
        "spAv1.0/G/NDATA/N", "spBv1.0/G/NDATA", "spBv1.0/G/NDATA/N/D", "spBv1.0/G/DDATA/N",
        "spBv1.0/G/DDATA/N/D/E", "spBv1.0/G/NFOO/N", "spBv1.0//NDATA/N", "spBv1.0/G/NDATA/",
        "spBv1.0/G+/NDATA/N", "spBv1.0/G/NDATA/N#", "spBv1.0/STATE/a/b", "spBv1.0/STATE/",
        "spBv1.0/G/DDATA/N/\xff", "", "spBv1.0"};
    twin_sp_topic t;
    for (size_t i = 0; i < N(bad); i++)
        if (twin_sp_topic_parse(bad[i], strlen(bad[i]), &t) != TWIN_E_PARSE)
            ck_abort_msg("accepted %s", bad[i]);
}
END_TEST

START_TEST(test_topic_build_refuses_reserved_characters)
{
    char buf[64];
    ck_assert_int_eq(twin_sp_topic_build(buf, sizeof buf, NULL, TWIN_SP_DDATA, "G", "N", "a/b"),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sp_topic_build(buf, sizeof buf, NULL, TWIN_SP_NDATA, "G+", "N", NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sp_topic_build(buf, sizeof buf, NULL, TWIN_SP_NDATA, "G", "#", NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sp_topic_build(buf, sizeof buf, NULL, TWIN_SP_NDATA, "G", "N", "D"),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sp_topic_build(buf, sizeof buf, NULL, TWIN_SP_DDATA, "G", "N", NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_sp_topic_build(buf, 5, NULL, TWIN_SP_NDATA, "G", "N", NULL),
                     TWIN_E_RANGE);
}
END_TEST

START_TEST(test_id_escape_round_trip_reserved_characters)
{
    static const char *ids[] = {"line/1+a#b%c", "plain", "%", "//", "%2F", "m\xc3\xa9/x"};
    static const char *esc[] = {"line%2F1%2Ba%23b%25c", "plain", "%25", "%2F%2F", "%252F",
                                "m\xc3\xa9%2Fx"};
    char e[64], u[64];
    size_t n;
    for (size_t i = 0; i < N(ids); i++) {
        ck_assert_int_eq(twin_sp_id_escape(e, sizeof e, &n, ids[i], strlen(ids[i])), TWIN_OK);
        ck_assert_str_eq(e, esc[i]);
        ck_assert_uint_eq(n, strlen(esc[i]));
        ck_assert_int_eq(twin_sp_id_unescape(u, sizeof u, &n, e, strlen(e)), TWIN_OK);
        ck_assert_str_eq(u, ids[i]);
        char topic[128];
        ck_assert_int_eq(twin_sp_topic_build(topic, sizeof topic, NULL, TWIN_SP_DDATA, "G", "N",
                                             e), TWIN_OK);
    }
    ck_assert_int_eq(twin_sp_id_unescape(u, sizeof u, NULL, "a%2G", 4), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_id_unescape(u, sizeof u, NULL, "a%2", 3), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_id_unescape(u, sizeof u, NULL, "%41", 3), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_id_escape(e, 4, &n, "a/b", 3), TWIN_E_RANGE);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(twin_sp_id_escape(e, sizeof e, &n, "", 0), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_typed_metric_without_value_encodes_back)
{
    /* Found by fuzz_sparkplug: a BooleanArray (20 20) with no value, and one
       whose value is an empty extension (field 19: 9a 01 00). Both decode,
       and encode back without a value. */
    static const uint8_t a[] = {0x12, 0x02, 0x20, 0x20};
    static const uint8_t b[] = {0x08, 0x01, 0x12, 0x05, 0x20, 0x20, 0x9a, 0x01, 0x00};
    const uint8_t *in[2] = {a, b};
    const size_t n[2] = {sizeof a, sizeof b};
    for (int k = 0; k < 2; k++) {
        twin_sp_payload p, q;
        twin_sp_metric m[1], again[1];
        uint8_t buf[32];
        size_t len;
        ck_assert_int_eq(twin_sp_decode(in[k], n[k], &p, m, 1, NULL), TWIN_OK);
        ck_assert_int_eq(twin_sp_encode(&p, m, 1, buf, sizeof buf, &len), TWIN_OK);
        ck_assert_int_eq(twin_sp_decode(buf, len, &q, again, 1, NULL), TWIN_OK);
        ck_assert_uint_eq(again[0].datatype, TWIN_SP_BOOLEAN_ARRAY);
        ck_assert_uint_eq(again[0].field, TWIN_SP_FIELD_NONE);
    }
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *s = suite_create("sparkplug_codec");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, test_encode_header_only_golden);
    tcase_add_test(tc, test_encode_int8_minus_one_golden);
    tcase_add_test(tc, test_encode_ddata_double_golden);
    tcase_add_test(tc, test_encode_scalar_fields_golden);
    tcase_add_test(tc, test_encode_uint32_goes_to_long_value_as_tahu);
    tcase_add_test(tc, test_decode_uint32_from_int_value_as_the_spec);
    suite_add_tcase(s, tc);
    tc = tcase_create("round_trip");
    tcase_add_test(tc, test_round_trip_every_scalar_type);
    tcase_add_test(tc, test_round_trip_arrays_and_checks);
    tcase_add_test(tc, test_encode_small_buffer_returns_range_and_needed);
    tcase_add_test(tc, test_encode_out_of_range_value_returns_inval);
    tcase_add_test(tc, test_decode_more_metrics_than_cap_returns_range_with_count);
    tcase_add_test(tc, test_decode_skips_unknown_fields_and_extensions);
    tcase_add_test(tc, test_decode_dataset_and_template_given_raw);
    tcase_add_test(tc, test_metric_apply_type_and_to_double);
    tcase_add_test(tc, test_typed_metric_without_value_encodes_back);
    suite_add_tcase(s, tc);
    tc = tcase_create("malformed");
    tcase_add_loop_test(tc, test_decode_malformed_returns_parse, 0, (int)N(BAD));
    tcase_add_test(tc, test_decode_diag_names_offset);
    tcase_add_test(tc, test_decode_empty_payload_is_ok);
    suite_add_tcase(s, tc);
    tc = tcase_create("properties");
    tcase_add_test(tc, test_properties_round_trip_and_golden);
    tcase_add_test(tc, test_properties_malformed_returns_parse);
    suite_add_tcase(s, tc);
    tc = tcase_create("topics");
    tcase_add_test(tc, test_topic_parse_every_type);
    tcase_add_test(tc, test_topic_parse_bad_returns_parse);
    tcase_add_test(tc, test_topic_build_refuses_reserved_characters);
    tcase_add_test(tc, test_id_escape_round_trip_reserved_characters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(codec_suite());
}
