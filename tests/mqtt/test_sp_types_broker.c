/* libtwin-mqtt: a payload with every Sparkplug B data type through a real
 * broker (a private Debian mosquitto, broker.h). A plain libmosquitto
 * client plays an Edge Node: NBIRTH, then a DBIRTH and a DDATA (by alias)
 * with one metric of each of the 32 metric data types; a Host Application
 * bound to a graph and an ingest handle receives them over libmosquitto.
 * Every type arrives with its value, except DataSet and Template, which
 * the host refuses with a reason: counted as unsupported (their values are
 * handed out raw by the codec, not decoded, see sparkplug.h). Without
 * mosquitto the test is skipped (77), or fails when CI=true. */
#include <twin/sparkplug_mosq.h>

#include <check.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker.h"
#include "support/run.h"

#define NTYPES 34
#define ROW_MAX 40

static broker B;
static twin_graph *hg;
static twin_ingest *hi;
static twin_sp_host *h;
static twin_sp_mosq *hm;

/* The metric of each type (index: the type), its value. */
static twin_sp_metric want[NTYPES + 1];
static uint8_t ds_raw[] = {0x08, 0x01, 0x12, 0x01, 'c'};  /* DataSet: 1 column "c" */
static uint8_t tp_raw[] = {0x0a, 0x01, 'v'};               /* Template: version "v" */

/* What reached the host's event callback, per message kind and type. */
static int got[2][NTYPES + 1];  /* [0] DBIRTH, [1] DDATA: times seen with the right value */
static int seen_bad;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int same_value(const twin_sp_metric *a, const twin_sp_metric *b)
{
    uint32_t t = b->datatype;
    if (a->datatype != t)
        return 0;
    if (b->data)
        return a->len == b->len && memcmp(a->data, b->data, b->len) == 0;
    if (t == TWIN_SP_FLOAT)
        return a->value.f == b->value.f;
    if (t == TWIN_SP_DOUBLE)
        return a->value.d == b->value.d;
    if (t <= TWIN_SP_INT64)
        return a->value.i == b->value.i;
    return a->value.u == b->value.u;
}

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    (void)ud;
    if (ev->kind != TWIN_SP_EVENT_METRIC || !ev->device)
        return;
    const twin_sp_metric *m = ev->metric;
    int k = ev->msg == TWIN_SP_DBIRTH ? 0 : 1;
    if (m->datatype < 1 || m->datatype > NTYPES || !same_value(m, &want[m->datatype])) {
        seen_bad++;
        return;
    }
    got[k][m->datatype]++;
}

static void le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* One metric of each type 1-34 (but 20 and 21, property types only). */
static size_t make_metrics(twin_sp_metric *m, int by_alias)
{
    static uint8_t arr[13][16];
    static const char *strs[] = {"h\xc3\xa9llo", "", "text", "123e4567-e89b-12d3-a456-426614174000"};
    size_t n = 0;
    for (uint32_t t = 1; t <= NTYPES; t++) {
        if (t == TWIN_SP_PROPERTYSET || t == TWIN_SP_PROPERTYSETLIST)
            continue;
        twin_sp_metric x;
        memset(&x, 0, sizeof x);
        x.datatype = t;
        switch (t) {
        case TWIN_SP_INT8: x.value.i = -5; break;
        case TWIN_SP_INT16: x.value.i = -300; break;
        case TWIN_SP_INT32: x.value.i = -70000; break;
        case TWIN_SP_INT64: x.value.i = -5000000000000LL; break;
        case TWIN_SP_UINT8: x.value.u = 200; break;
        case TWIN_SP_UINT16: x.value.u = 60000; break;
        case TWIN_SP_UINT32: x.value.u = 4000000000u; break;
        case TWIN_SP_UINT64: x.value.u = (1ull << 63) + 5; break;
        case TWIN_SP_FLOAT: x.value.f = 1.5f; break;
        case TWIN_SP_DOUBLE: x.value.d = 2.25; break;
        case TWIN_SP_BOOLEAN: x.value.u = 1; break;
        case TWIN_SP_DATETIME: x.value.u = 1700000000123ull; break;
        case TWIN_SP_STRING: case TWIN_SP_TEXT: case TWIN_SP_UUID: {
            const char *s = strs[t == TWIN_SP_STRING ? 0 : t == TWIN_SP_TEXT ? 2 : 3];
            x.data = (const uint8_t *)s;
            x.len = (uint32_t)strlen(s);
            break;
        }
        case TWIN_SP_DATASET: x.data = ds_raw; x.len = sizeof ds_raw; break;
        case TWIN_SP_TEMPLATE: x.data = tp_raw; x.len = sizeof tp_raw; break;
        case TWIN_SP_BYTES: x.data = (const uint8_t *)"\x01\x02\x03"; x.len = 3; break;
        case TWIN_SP_FILE: x.data = (const uint8_t *)"\x09\x00"; x.len = 2; break;
        default: {  /* the arrays, 22-34: two elements each */
            uint8_t *a = arr[t - TWIN_SP_INT8_ARRAY];
            static const int size[13] = {1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 0, 0, 8};
            int es = size[t - TWIN_SP_INT8_ARRAY];
            if (t == TWIN_SP_BOOLEAN_ARRAY) {
                le(a, 3, 4);  /* three Booleans: 1, 0, 1 */
                a[4] = 0xa0;
                x.len = 5;
            } else if (t == TWIN_SP_STRING_ARRAY) {
                memcpy(a, "ab\0c\0", 5);
                x.len = 5;
            } else {
                le(a, 0x8182838485868788ull, es);
                le(a + es, 0x0102030405060708ull, es);
                x.len = (uint32_t)(2 * es);
            }
            x.data = a;
        }
        }
        char name[16];
        snprintf(name, sizeof name, "type%02u", (unsigned)t);
        x.name = by_alias ? NULL : strdup(name);
        x.name_len = by_alias ? 0 : (uint32_t)strlen(name);
        x.alias = 100 + t;
        x.timestamp = 1700000000000ull;
        x.flags = TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP | TWIN_SP_HAS_DATATYPE;
        want[t] = x;
        m[n++] = x;
    }
    return n;
}

static void free_names(twin_sp_metric *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((void *)m[i].name);
}

static void raw_publish(struct mosquitto *q, const char *topic, const twin_sp_metric *m,
                        size_t n, uint64_t seq)
{
    uint8_t buf[4096];
    size_t len;
    twin_sp_payload p;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ | TWIN_SP_PAYLOAD_HAS_TIMESTAMP;
    p.seq = seq;
    p.timestamp = 1700000000000ull;
    ck_assert_int_eq(twin_sp_encode(&p, m, n, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_int_eq(mosquitto_publish(q, NULL, topic, (int)len, buf, 0, 0), MOSQ_ERR_SUCCESS);
}

static void spin(int ms, struct mosquitto *q)
{
    int64_t end = now_us() + (int64_t)ms * 1000;
    do {
        ck_assert_int_eq(twin_sp_mosq_loop(hm, 2), TWIN_OK);
        if (q)
            mosquitto_loop(q, 1, 1);
    } while (now_us() < end);
}

static void setup(void)
{
    ck_assert_int_eq(broker_start(&B), 0);
}

static void teardown(void)
{
    twin_sp_mosq_destroy(hm);
    twin_sp_host_destroy(h);
    twin_ingest_destroy(hi);
    twin_graph_destroy(hg);
    hm = NULL;
    h = NULL;
    hi = NULL;
    hg = NULL;
    broker_stop(&B, SIGTERM);
    B.port = 0;
}

START_TEST(test_every_data_type_through_the_broker)
{
    twin_sp_host_options o;
    twin_sp_host_options_init(&o);
    o.host_id = "site";
    o.on_event = on_event;
    ck_assert_int_eq(twin_graph_create(&hg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&hi, hg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_create(&h, &o), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_bind(h, hg, hi, NULL), TWIN_OK);
    twin_sp_mosq_options mo;
    twin_sp_mosq_options_init(&mo);
    mo.port = (uint32_t)B.port;
    mo.host_id = "site";
    ck_assert_int_eq(twin_sp_mosq_host_create(&hm, h, &mo), TWIN_OK);
    spin(300, NULL);  /* connected and subscribed */

    struct mosquitto *q = mosquitto_new(NULL, 1, NULL);
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(mosquitto_connect(q, "127.0.0.1", B.port, 30), MOSQ_ERR_SUCCESS);
    twin_sp_metric nb[2], birth[ROW_MAX], data[ROW_MAX];
    memset(nb, 0, sizeof nb);
    nb[0].name = "bdSeq";
    nb[0].name_len = 5;
    nb[0].datatype = TWIN_SP_INT64;
    nb[0].flags = TWIN_SP_HAS_DATATYPE;
    raw_publish(q, "spBv1.0/plant/NBIRTH/raw", nb, 1, 0);
    size_t n = make_metrics(birth, 0);
    ck_assert_uint_eq(n, 32);
    raw_publish(q, "spBv1.0/plant/DBIRTH/raw/all%2Ftypes", birth, n, 1);
    ck_assert_uint_eq(make_metrics(data, 1), n);
    raw_publish(q, "spBv1.0/plant/DDATA/raw/all%2Ftypes", data, n, 2);
    for (int i = 0; i < 200; i++) {
        spin(10, q);
        twin_sp_host_stats hs;
        memset(&hs, 0, sizeof hs);
        hs.size = sizeof hs;
        twin_sp_host_get_stats(h, &hs);
        if (hs.received[TWIN_SP_DDATA] == 1)
            break;
    }
    mosquitto_disconnect(q);
    mosquitto_loop(q, 10, 1);
    mosquitto_destroy(q);

    ck_assert_int_eq(seen_bad, 0);
    for (uint32_t t = 1; t <= NTYPES; t++) {
        int expect = t == TWIN_SP_DATASET || t == TWIN_SP_TEMPLATE || t == TWIN_SP_PROPERTYSET ||
                             t == TWIN_SP_PROPERTYSETLIST ? 0 : 1;
        ck_assert_msg(got[0][t] == expect && got[1][t] == expect,
                      "type %u: %d in DBIRTH, %d in DDATA, want %d", (unsigned)t, got[0][t],
                      got[1][t], expect);
    }
    twin_sp_host_stats hs;
    memset(&hs, 0, sizeof hs);
    hs.size = sizeof hs;
    ck_assert_int_eq(twin_sp_host_get_stats(h, &hs), TWIN_OK);
    ck_assert_uint_eq(hs.unsupported, 4);  /* DataSet and Template, in each message */
    ck_assert_uint_eq(hs.wrong_type + hs.malformed + hs.unknown_alias, 0);
    /* the numeric types became signals of the twin "all/types"; the others not */
    twin_sp_bind_stats bs;
    memset(&bs, 0, sizeof bs);
    bs.size = sizeof bs;
    ck_assert_int_eq(twin_sp_host_bind_stats(h, &bs), TWIN_OK);
    ck_assert_uint_eq(bs.signals_bound, 12);  /* Int8-UInt64, Float, Double, Boolean, DateTime */
    ck_assert_uint_eq(bs.not_bound, 18);      /* 3 strings, Bytes, File, 13 arrays */
    twin_signal s;
    int64_t t;
    double v;
    ck_assert_int_eq(twin_ingest_resolve(hi, "all/types", "type08", NULL, &s), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(hi, s, &t, &v), TWIN_OK);
    ck_assert(v == (double)((1ull << 63) + 5));
    free_names(birth, n);
}
END_TEST

static Suite *types_suite(void)
{
    Suite *s = suite_create("sparkplug_types_broker");
    TCase *tc = tcase_create("mosquitto");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_data_type_through_the_broker);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!broker_available(&B))
        return broker_missing_status();
    if (broker_dir(&B) < 0)
        return 1;
    mosquitto_lib_init();
    int rc = run_suite(types_suite());
    broker_fini(&B);
    mosquitto_lib_cleanup();
    return rc;
}
