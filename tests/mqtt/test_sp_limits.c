/* libtwin-mqtt's limits on what arrives (issue 21, sparkplug.h,
 * docs/limits.md): for each, an input exactly at the limit is accepted and
 * reads back right, one just past it is refused with TWIN_E_RANGE and the
 * session is as it was. Payloads are made with twin_sp_encode(). */
#include <twin/sparkplug.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"

static twin_sp_host *h;
static uint64_t events, last_name_len;

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    (void)ud;
    if (ev->kind == TWIN_SP_EVENT_METRIC) {
        events++;
        last_name_len = ev->metric->name_len;
    }
}

static void setup(void)
{
    twin_sp_host_options o;
    twin_sp_host_options_init(&o);
    o.host_id = "H";
    o.on_event = on_event;
    ck_assert_int_eq(twin_sp_host_create(&h, &o), TWIN_OK);
    events = 0;
}

static void teardown(void)
{
    twin_sp_host_destroy(h);
    h = NULL;
}

static twin_sp_host_stats stats(void)
{
    twin_sp_host_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_sp_host_get_stats(h, &s), TWIN_OK);
    return s;
}

/* ---- payloads ---------------------------------------------------------------------- */

typedef struct payload {
    uint8_t *p;
    size_t n;
} payload;

/* A payload of n metrics (seq given): with bdseq, the first is the NBIRTH's
 * "bdSeq"; the others are Doubles named prefix<i> (or name, for a single
 * one), with aliases alias0, alias0 + 1, ... */
static payload make(size_t n, int bdseq, uint64_t seq, const char *prefix, uint64_t alias0,
                    const char *name)
{
    twin_sp_payload p;
    twin_sp_metric *m = calloc(n ? n : 1, sizeof *m);
    char *names = calloc(n ? n : 1, 32);
    payload out;
    ck_assert(m && names);
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ;
    p.seq = seq;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 && bdseq) {
            m[i].name = "bdSeq";
            m[i].name_len = 5;
            m[i].datatype = TWIN_SP_INT64;
            m[i].flags = TWIN_SP_HAS_DATATYPE;
            continue;
        }
        if (name) {
            m[i].name = name;
        } else {
            snprintf(names + 32 * i, 32, "%s%zu", prefix, i);
            m[i].name = names + 32 * i;
        }
        m[i].name_len = (uint32_t)strlen(m[i].name);
        m[i].datatype = TWIN_SP_DOUBLE;
        m[i].alias = alias0 + i;
        m[i].flags = TWIN_SP_HAS_DATATYPE | TWIN_SP_HAS_ALIAS;
        m[i].value.d = 1.5;
    }
    ck_assert_int_eq(twin_sp_encode(&p, m, n, NULL, 0, &out.n), TWIN_E_RANGE);
    out.p = malloc(out.n);
    ck_assert_ptr_nonnull(out.p);
    ck_assert_int_eq(twin_sp_encode(&p, m, n, out.p, out.n, &out.n), TWIN_OK);
    free(m);
    free(names);
    return out;
}

/* One DATA metric by alias (n: 1) or none (n: 0). */
static payload data_by_alias(uint64_t seq, uint64_t alias)
{
    twin_sp_payload p;
    twin_sp_metric m;
    payload out;
    memset(&p, 0, sizeof p);
    memset(&m, 0, sizeof m);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ;
    p.seq = seq;
    m.alias = alias;
    m.flags = TWIN_SP_HAS_ALIAS;
    m.field = TWIN_SP_FIELD_DOUBLE;
    m.value.d = 2.5;
    out.p = malloc(64);
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, out.p, 64, &out.n), TWIN_OK);
    return out;
}

static twin_status feed(const char *topic, payload pl)
{
    twin_status s = twin_sp_host_receive(h, topic, strlen(topic), pl.p, pl.n, 0);
    free(pl.p);
    return s;
}

/* ---- topics -------------------------------------------------------------------------- */

/* A topic of exactly n bytes: spBv1.0/G/NDATA/ and a node id filling it. */
static char *topic_of(size_t n)
{
    static const char head[] = "spBv1.0/G/NDATA/";
    char *t = malloc(n + 1);
    ck_assert_ptr_nonnull(t);
    memcpy(t, head, sizeof head - 1);
    memset(t + sizeof head - 1, 'n', n - (sizeof head - 1));
    t[n] = '\0';
    return t;
}

START_TEST(test_topic_at_limit_and_past)
{
    twin_sp_topic t;
    char *at = topic_of(TWIN_SP_TOPIC_MAX), *past = topic_of(TWIN_SP_TOPIC_MAX + 1);
    ck_assert_int_eq(twin_sp_topic_parse(at, TWIN_SP_TOPIC_MAX, &t), TWIN_OK);
    ck_assert_int_eq(t.type, TWIN_SP_NDATA);
    ck_assert_uint_eq(t.node_len, TWIN_SP_TOPIC_MAX - 16);
    ck_assert_int_eq(twin_sp_topic_parse(past, TWIN_SP_TOPIC_MAX + 1, &t), TWIN_E_RANGE);
    /* a host counts it as malformed and changes nothing */
    ck_assert_int_eq(feed(past, make(1, 1, 0, "m", 1, NULL)), TWIN_E_RANGE);
    ck_assert_uint_eq(stats().malformed, 1);
    ck_assert_uint_eq(stats().nodes, 0);
    free(at);
    free(past);
}
END_TEST

/* ---- the codec: the caller's capacity ----------------------------------------------------- */

/* twin_sp_decode() and twin_sp_properties_decode() fill at most cap items:
 * exactly cap decode; one more is TWIN_E_RANGE with the count, the first
 * cap filled. */
START_TEST(test_decode_metrics_and_properties_at_cap_and_past)
{
    payload pl = make(5, 0, 9, "m", 100, NULL);
    twin_sp_payload p;
    twin_sp_metric m[5];
    twin_sp_property props[3], out[3];
    uint8_t buf[256];
    size_t len, count;
    ck_assert_int_eq(twin_sp_decode(pl.p, pl.n, &p, m, 5, NULL), TWIN_OK);
    ck_assert_uint_eq(p.metric_count, 5);
    ck_assert_uint_eq(m[4].alias, 104);
    ck_assert(m[4].value.d == 1.5);
    ck_assert_int_eq(twin_sp_decode(pl.p, pl.n, &p, m, 4, NULL), TWIN_E_RANGE);
    ck_assert_uint_eq(p.metric_count, 5);
    ck_assert_uint_eq(m[3].alias, 103);
    free(pl.p);
    memset(props, 0, sizeof props);
    for (int i = 0; i < 3; i++) {
        props[i].key = i == 0 ? "a" : i == 1 ? "b" : "c";
        props[i].key_len = 1;
        props[i].datatype = TWIN_SP_INT32;
        props[i].flags = TWIN_SP_HAS_DATATYPE;
        props[i].value.i = i;
    }
    ck_assert_int_eq(twin_sp_properties_encode(props, 3, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_int_eq(twin_sp_properties_decode(buf, len, out, 3, &count, NULL), TWIN_OK);
    ck_assert_uint_eq(count, 3);
    ck_assert(out[2].key[0] == 'c' && out[2].value.i == 2);
    ck_assert_int_eq(twin_sp_properties_decode(buf, len, out, 2, &count, NULL), TWIN_E_RANGE);
    ck_assert_uint_eq(count, 3);
}
END_TEST

/* ---- one payload ---------------------------------------------------------------------- */

START_TEST(test_host_payload_metrics_at_limit_and_past)
{
    const char *topic = "spBv1.0/G/NBIRTH/N";
    const uint64_t lastalias = TWIN_SP_HOST_PAYLOAD_METRICS_MAX - 1;
    ck_assert_int_eq(feed(topic, make(TWIN_SP_HOST_PAYLOAD_METRICS_MAX, 1, 0, "m", 0, NULL)),
                     TWIN_OK);
    ck_assert_uint_eq(events, TWIN_SP_HOST_PAYLOAD_METRICS_MAX);
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/N", data_by_alias(1, lastalias)), TWIN_OK);
    ck_assert_uint_eq(events, TWIN_SP_HOST_PAYLOAD_METRICS_MAX + 1);
    /* one more: refused before anything changes (the node keeps its table) */
    ck_assert_int_eq(feed(topic, make(TWIN_SP_HOST_PAYLOAD_METRICS_MAX + 1, 1, 0, "x", 0, NULL)),
                     TWIN_E_RANGE);
    ck_assert_uint_eq(stats().malformed, 1);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", NULL), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/N", data_by_alias(2, lastalias)), TWIN_OK);
    ck_assert_uint_eq(events, TWIN_SP_HOST_PAYLOAD_METRICS_MAX + 2);
    ck_assert_uint_eq(stats().unknown_alias, 0);
}
END_TEST

START_TEST(test_host_metric_name_at_limit_and_past)
{
    char *name = malloc(TWIN_ID_MAX + 2);
    ck_assert_ptr_nonnull(name);
    memset(name, 'a', TWIN_ID_MAX + 1);
    name[TWIN_ID_MAX] = '\0';
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/N", make(2, 1, 0, NULL, 7, name)), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/N", data_by_alias(1, 8)), TWIN_OK);
    ck_assert_uint_eq(last_name_len, TWIN_ID_MAX); /* the name came from the BIRTH */
    name[TWIN_ID_MAX] = 'a';
    name[TWIN_ID_MAX + 1] = '\0';
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/M", make(2, 1, 0, NULL, 7, name)), TWIN_E_RANGE);
    ck_assert_uint_eq(stats().malformed, 1);
    ck_assert_uint_eq(stats().nodes, 1);
    free(name);
}
END_TEST

START_TEST(test_host_seq_at_limit_and_past)
{
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/N", make(1, 1, 255, "m", 0, NULL)), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/N", make(0, 0, 0, "m", 0, NULL)), TWIN_OK);
    ck_assert_uint_eq(stats().seq_gaps, 0); /* 255 then 0: in order */
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/N", make(0, 0, 256, "m", 0, NULL)), TWIN_E_PARSE);
    ck_assert_uint_eq(stats().malformed, 1);
}
END_TEST

/* ---- what a session keeps ------------------------------------------------------------- */

START_TEST(test_host_nodes_at_limit_and_past)
{
    char topic[64];
    for (int i = 0; i < TWIN_SP_HOST_NODES_MAX; i++) {
        snprintf(topic, sizeof topic, "spBv1.0/G/NBIRTH/n%d", i);
        ck_assert_int_eq(feed(topic, make(1, 1, 0, "m", 0, NULL)), TWIN_OK);
    }
    ck_assert_uint_eq(stats().nodes, TWIN_SP_HOST_NODES_MAX);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "n4095", NULL), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/more", make(1, 1, 0, "m", 0, NULL)), TWIN_E_RANGE);
    ck_assert_uint_eq(stats().malformed, 1);
    /* DATA before any BIRTH from one more node: not remembered, so no
       rebirth is asked of it */
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/more", make(0, 0, 1, "m", 0, NULL)), TWIN_E_RANGE);
    ck_assert_uint_eq(stats().nodes, TWIN_SP_HOST_NODES_MAX);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "more", NULL), TWIN_E_NOTFOUND);
    {
        twin_sp_message msg;
        uint8_t buf[256];
        ck_assert_int_eq(twin_sp_host_next(h, 0, &msg, buf, sizeof buf, NULL), TWIN_DONE);
    }
    /* a known node is born again as before */
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/n7", make(1, 1, 0, "m", 0, NULL)), TWIN_OK);
}
END_TEST

START_TEST(test_host_devices_at_limit_and_past)
{
    char topic[64];
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/N", make(1, 1, 0, "m", 0, NULL)), TWIN_OK);
    for (int d = 0; d < TWIN_SP_HOST_DEVICES_MAX; d++) {
        snprintf(topic, sizeof topic, "spBv1.0/G/DBIRTH/N/d%d", d);
        ck_assert_int_eq(feed(topic, make(1, 0, (uint64_t)(d + 1) % 256, "v", (uint64_t)d, NULL)),
                         TWIN_OK);
    }
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "d4095"), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/DBIRTH/N/more", make(1, 0, 1, "v", 9999, NULL)),
                     TWIN_E_RANGE);
    ck_assert_uint_eq(stats().malformed, 1);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "more"), TWIN_E_NOTFOUND);
    /* a known device is born again */
    ck_assert_int_eq(feed("spBv1.0/G/DBIRTH/N/d7", make(1, 0, 2, "v", 7, NULL)), TWIN_OK);
}
END_TEST

/* TWIN_SP_HOST_METRICS_MAX BIRTH metrics kept, over 17 nodes: 16 of the
 * largest payload and one of the rest. */
START_TEST(test_host_metrics_kept_at_limit_and_past)
{
    const size_t per = TWIN_SP_HOST_PAYLOAD_METRICS_MAX, full = TWIN_SP_HOST_METRICS_MAX / per;
    const size_t rest = TWIN_SP_HOST_METRICS_MAX - full * per;
    char topic[64];
    ck_assert_uint_gt(rest, 0);
    for (size_t i = 0; i < full; i++) {
        snprintf(topic, sizeof topic, "spBv1.0/G/NBIRTH/n%zu", i);
        ck_assert_int_eq(feed(topic, make(per, 1, 0, "m", 0, NULL)), TWIN_OK);
    }
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/last", make(rest, 1, 0, "m", 0, NULL)), TWIN_OK);
    ck_assert_uint_eq(events, TWIN_SP_HOST_METRICS_MAX);
    /* one more: a device's */
    ck_assert_int_eq(feed("spBv1.0/G/DBIRTH/last/d", make(1, 0, 1, "v", 1u << 20, NULL)),
                     TWIN_E_RANGE);
    ck_assert_uint_eq(stats().malformed, 1);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "last", "d"), TWIN_E_NOTFOUND);
    /* a node born again replaces its metrics: still at the limit */
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/n3", make(per, 1, 0, "k", 0, NULL)), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/NDATA/n3", data_by_alias(1, per - 1)), TWIN_OK);
    ck_assert_uint_eq(stats().unknown_alias, 0);
}
END_TEST

/* ---- PropertySets -------------------------------------------------------------------------- */

/* A metric's engUnit is found among any number of properties (before 1.7
 * twin_sp_host_bind() looked at the first 16 only): a DBIRTH metric with
 * 40 properties, engUnit the last, makes a signal with that unit. */
START_TEST(test_bind_finds_eng_unit_past_16_properties)
{
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_property props[40];
    char keys[40][8];
    uint8_t pbuf[1024];
    size_t plen;
    twin_sp_payload p;
    twin_sp_metric m;
    payload out;
    twin_signal sig;
    const char *unit;
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_bind(h, g, ing, NULL), TWIN_OK);
    memset(props, 0, sizeof props);
    for (int i = 0; i < 40; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        props[i].key = i == 39 ? "engUnit" : keys[i];
        props[i].key_len = (uint32_t)strlen(props[i].key);
        props[i].datatype = TWIN_SP_STRING;
        props[i].flags = TWIN_SP_HAS_DATATYPE;
        props[i].data = (const uint8_t *)(i == 39 ? "degreeCelsius" : "x");
        props[i].len = (uint32_t)strlen((const char *)props[i].data);
    }
    ck_assert_int_eq(twin_sp_properties_encode(props, 40, pbuf, sizeof pbuf, &plen), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/NBIRTH/N", make(1, 1, 0, "m", 0, NULL)), TWIN_OK);
    memset(&p, 0, sizeof p);
    memset(&m, 0, sizeof m);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ;
    p.seq = 1;
    m.name = "temp";
    m.name_len = 4;
    m.datatype = TWIN_SP_DOUBLE;
    m.flags = TWIN_SP_HAS_DATATYPE | TWIN_SP_HAS_PROPERTIES;
    m.value.d = 21.0;
    m.properties = pbuf;
    m.properties_len = (uint32_t)plen;
    out.p = malloc(2048);
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, out.p, 2048, &out.n), TWIN_OK);
    ck_assert_int_eq(feed("spBv1.0/G/DBIRTH/N/pump", out), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolve(ing, "pump", "temp", NULL, &sig), TWIN_OK);
    ck_assert_int_eq(twin_ingest_signal_info(ing, sig, NULL, NULL, &unit), TWIN_OK);
    ck_assert_str_eq(unit, "degreeCelsius");
    twin_sp_host_destroy(h); /* before the graph and ingest handle it is bound to */
    h = NULL;
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("sp_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_topic_at_limit_and_past);
    tcase_add_test(tc, test_decode_metrics_and_properties_at_cap_and_past);
    tcase_add_test(tc, test_host_payload_metrics_at_limit_and_past);
    tcase_add_test(tc, test_host_metric_name_at_limit_and_past);
    tcase_add_test(tc, test_host_seq_at_limit_and_past);
    tcase_add_test(tc, test_host_nodes_at_limit_and_past);
    tcase_add_test(tc, test_host_devices_at_limit_and_past);
    tcase_add_test(tc, test_host_metrics_kept_at_limit_and_past);
    tcase_add_test(tc, test_bind_finds_eng_unit_past_16_properties);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(limits_suite());
}
