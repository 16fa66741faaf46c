/* libtwin-mqtt against a real broker: an Edge Node and a Host Application
 * (bound to a graph and an ingest handle) over libmosquitto, through a
 * private Debian mosquitto 2.0 on 127.0.0.1 (broker.h). Without mosquitto
 * the test is skipped (77), or fails when CI=true. */
#include <twin/sparkplug_mosq.h>

#include <check.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker.h"
#include "sp_fixture.h"
#include "support/run.h"

#define MODEL "dtmi:test:Motor;1"

static broker B;
static twin_graph *eg;           /* the edge's graph */
static twin_ingest *ei;
static twin_sp_edge *e;
static spf_site S;               /* the host and its mirror */
static twin_sp_mosq *em;
static twin_signal *temp_sig;    /* the edge's signals, one "temp" per device */
static size_t ndev;
static twin_health_options ho;

static void twin_name(char *buf, size_t cap, size_t i)
{
    snprintf(buf, cap, "motor/%zu", i);  /* '/' in twin ids: escaped as device ids */
}

static void edge_up(size_t devices, uint32_t bdseq)
{
    char id[64];
    twin_signal sp;
    ndev = devices;
    ck_assert_int_eq(twin_graph_create(&eg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ei, eg, NULL), TWIN_OK);
    temp_sig = calloc(devices, sizeof *temp_sig);
    for (size_t i = 0; i < devices; i++) {
        twin_signal_options so;
        twin_name(id, sizeof id, i);
        ck_assert_int_eq(twin_graph_add_twin(eg, id, MODEL, NULL, 0), TWIN_OK);
        twin_signal_options_init(&so);
        so.unit = "degreeCelsius";
        ck_assert_int_eq(twin_ingest_add_signal(ei, id, "temp", &so, &temp_sig[i]), TWIN_OK);
        if (i == 0)
            ck_assert_int_eq(twin_ingest_add_signal(ei, id, "speed", NULL, &sp), TWIN_OK);
    }
    twin_sp_edge_options o;
    twin_sp_edge_options_init(&o);
    o.group_id = "plant";
    o.node_id = "gw1";
    o.bdseq = bdseq;
    ck_assert_int_eq(twin_sp_edge_create(&e, eg, ei, &o), TWIN_OK);
    twin_sp_mosq_options mo = spf_mosq_options(B.port);
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_OK);
}

/* The bdSeq of the last NBIRTH the host accepted. */
static int64_t last_bdseq = -1;
static void on_event(void *ud, const twin_sp_host_event *ev)
{
    (void)ud;
    if (ev->kind == TWIN_SP_EVENT_METRIC && ev->msg == TWIN_SP_NBIRTH &&
        ev->metric->name_len == 5 && memcmp(ev->metric->name, "bdSeq", 5) == 0)
        last_bdseq = ev->metric->value.i;
}

static void host_up(void)
{
    twin_sp_host_options o;
    twin_sp_bind_options bo;
    twin_sp_host_options_init(&o);
    o.on_event = on_event;
    o.reorder_timeout_us = 200000;
    twin_sp_bind_options_init(&bo);
    twin_health_options_init(&ho);
    bo.health = &ho;
    bo.health_t0_us = spf_now_us();
    twin_sp_mosq_options mo = spf_mosq_options(B.port);
    mo.group_id = "plant";
    spf_site_up(&S, &o, &bo, &mo);
}

/* Run both connections until cond() or ms milliseconds. */
static int spin(int ms, int (*cond)(void))
{
    return spf_spin(em, S.m, ms, cond);
}

static void setup(void)
{
    ck_assert_int_eq(broker_start(&B), 0);
}

static void teardown(void)
{
    if (em)
        twin_sp_mosq_stop(em);
    twin_sp_mosq_destroy(em);
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ei);
    twin_graph_destroy(eg);
    free(temp_sig);
    em = NULL;
    e = NULL;
    ei = NULL;
    eg = NULL;
    temp_sig = NULL;
    spf_site_down(&S);
    broker_stop(&B, SIGTERM);
    B.port = 0;  /* each test its own broker and port */
}

static void edge_write(size_t dev, int64_t t, double v)
{
    twin_signal_sample x = {temp_sig[dev], t, v};
    uint8_t out;
    ck_assert_int_eq(twin_ingest_write_signals(ei, &x, 1, &out, NULL), TWIN_OK);
    ck_assert_int_eq(out, TWIN_INGEST_ACCEPTED);
}

/* The host's latest value of device dev's temp (0 if none). */
static int host_latest(size_t dev, int64_t *t, double *v)
{
    char id[64];
    twin_signal s;
    twin_name(id, sizeof id, dev);
    if (twin_ingest_resolve(S.i, id, "temp", NULL, &s) != TWIN_OK)
        return 0;
    return twin_ingest_get_latest(S.i, s, t, v) == TWIN_OK;
}

static uint64_t host_accepted(size_t dev)
{
    char id[64];
    twin_signal s;
    twin_ingest_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    twin_name(id, sizeof id, dev);
    if (twin_ingest_resolve(S.i, id, "temp", NULL, &s) != TWIN_OK ||
        twin_ingest_get_stats(S.i, s, &st) != TWIN_OK)
        return 0;
    return st.outcomes[TWIN_INGEST_ACCEPTED];
}

static int64_t want_t;
static size_t want_dev;
static int got_value(void)
{
    int64_t t;
    double v;
    return host_latest(want_dev, &t, &v) && t == want_t;
}
static int both_connected(void)
{
    return spf_mosq_stats(em).connected && spf_mosq_stats(S.m).connected;
}

/* Start both, wait for the births, then one value through. */
static void bring_up(size_t devices)
{
    host_up();
    ck_assert(spin(5000, NULL) || 1);
    edge_up(devices, 0);
    int64_t t = spf_now_ms_us();
    edge_write(0, t, 21.5);
    want_dev = 0;
    want_t = t;
    ck_assert_msg(spin(10000, got_value), "the first value did not reach the host");
}

static int all_devices(void)
{
    twin_sp_bind_stats bs = spf_bind_stats(S.h);
    return bs.twins_created == ndev && twin_ingest_signal_count(S.i) == ndev + 1;
}
START_TEST(test_e2e_births_and_data_reach_ingest_with_units)
{
    host_up();
    ck_assert(spin(300, NULL));
    edge_up(3, 7);
    int64_t t = spf_now_ms_us();
    edge_write(1, t, 42.25);
    want_dev = 1;
    want_t = t;
    ck_assert(spin(10000, got_value));
    ndev = 3;
    ck_assert(spin(10000, all_devices));
    /* births: the mirror has the twins (unescaped ids), signals with units, health */
    ck_assert_int_eq(twin_graph_find_twin(S.g, "motor/2", NULL), TWIN_OK);
    twin_signal s;
    const char *unit;
    ck_assert_int_eq(twin_ingest_resolve(S.i, "motor/1", "temp", NULL, &s), TWIN_OK);
    ck_assert_int_eq(twin_ingest_signal_info(S.i, s, NULL, NULL, &unit), TWIN_OK);
    ck_assert_str_eq(unit, "degreeCelsius");
    ck_assert_int_eq(twin_ingest_get_health(S.i, s, NULL, NULL), TWIN_OK);
    const twin_value *v;
    ck_assert_int_eq(twin_graph_get_property(S.g, "motor/1", TWIN_SP_ONLINE_PROPERTY, &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_BOOL);
    ck_assert_int_eq(v->as.b, 1);
    /* data: 50 values in a row, each arrives with its value */
    for (int i = 0; i < 50; i++) {
        int64_t ti = t + 1000 * (i + 1);
        double val = 20.0 + i * 0.5, got;
        edge_write(1, ti, val);
        want_t = ti;
        ck_assert(spin(5000, got_value));
        int64_t tt;
        ck_assert(host_latest(1, &tt, &got));
        ck_assert(got == val);
    }
    ck_assert_uint_eq(host_accepted(1), 51);
    twin_sp_host_stats hs = spf_host_stats(S.h);
    ck_assert_uint_eq(hs.received[TWIN_SP_NBIRTH], 1);
    ck_assert_uint_eq(hs.received[TWIN_SP_DBIRTH], 3);
    ck_assert_uint_eq(hs.malformed + hs.seq_gaps + hs.unknown_alias + hs.before_birth, 0);
    twin_sp_bind_stats bs = spf_bind_stats(S.h);
    ck_assert_uint_eq(bs.twins_created, 3);
    ck_assert_uint_eq(bs.signals_bound, 4);
    /* a clean stop of the edge: NDEATH, the mirror's twins are stale */
    ck_assert_int_eq(twin_sp_mosq_stop(em), TWIN_OK);
    twin_sp_mosq_destroy(em);
    em = NULL;
    ck_assert(spin(200, NULL));
    int64_t end = spf_now_us() + 5000000;
    while (twin_sp_host_status(S.h, "plant", "gw1", NULL) == TWIN_OK && spf_now_us() < end)
        spin(10, NULL);
    ck_assert_int_eq(twin_sp_host_status(S.h, "plant", "gw1", "motor%2F1"), TWIN_E_STATE);
    ck_assert_int_eq(twin_graph_get_property(S.g, "motor/1", TWIN_SP_ONLINE_PROPERTY, &v), TWIN_OK);
    ck_assert_int_eq(v->as.b, 0);
}
END_TEST

static int device0_online(void)
{
    return twin_sp_host_status(S.h, "plant", "gw1", "motor%2F0") == TWIN_OK;
}

START_TEST(test_broker_killed_edge_reconnects_new_bdseq_host_sees_rebirth)
{
    bring_up(2);
    ck_assert_uint_eq(spf_mosq_stats(em).connects, 1);
    ck_assert_int_eq(last_bdseq, 0);
    broker_stop(&B, SIGKILL);  /* a crash: no wills */
    ck_assert(spin(300, NULL));
    ck_assert_int_eq(spf_mosq_stats(em).connected, 0);
    ck_assert_int_eq(broker_start(&B), 0);  /* same port */
    ck_assert_msg(spin(10000, both_connected), "no reconnection");
    /* a new session: NBIRTH again with the next bdSeq, the host accepts it */
    int64_t end = spf_now_us() + 10000000;
    while (spf_host_stats(S.h).received[TWIN_SP_NBIRTH] < 2 && spf_now_us() < end)
        spin(10, NULL);
    /* (a third NBIRTH when the host came back after the edge and asked) */
    ck_assert_uint_ge(spf_host_stats(S.h).received[TWIN_SP_NBIRTH], 2);
    ck_assert_uint_eq(spf_mosq_stats(em).connects, 2);
    ck_assert_int_eq(last_bdseq, 1);  /* the second session's bdSeq */
    ck_assert(spin(10000, device0_online));
    /* everything published after the reconnect arrives (QoS 0, live
       connections, a local broker): 200 values, each one accepted */
    uint64_t before = host_accepted(0);
    int64_t t = spf_now_ms_us();
    for (int i = 0; i < 200; i++) {
        want_dev = 0;
        want_t = t + 1000 * (i + 1);
        edge_write(0, want_t, 30.0 + i);
        ck_assert(spin(5000, got_value));
    }
    ck_assert_uint_eq(host_accepted(0), before + 200);
}
END_TEST

/* A raw libmosquitto client, to inject what a broken edge could send. */
static struct mosquitto *raw;
static char state_seen[256];
static void raw_on_msg(struct mosquitto *mq, void *ud, const struct mosquitto_message *m)
{
    (void)mq;
    (void)ud;
    int n = m->payloadlen < (int)sizeof state_seen - 1 ? m->payloadlen : (int)sizeof state_seen - 1;
    memcpy(state_seen, m->payload, (size_t)n);
    state_seen[n] = 0;
}

/* The retained STATE of host "site", as a new subscriber gets it. */
static const char *retained_state(void)
{
    struct mosquitto *q = mosquitto_new(NULL, 1, NULL);
    ck_assert_ptr_nonnull(q);
    state_seen[0] = 0;
    mosquitto_message_callback_set(q, raw_on_msg);
    ck_assert_int_eq(mosquitto_connect(q, "127.0.0.1", B.port, 30), MOSQ_ERR_SUCCESS);
    mosquitto_subscribe(q, NULL, "spBv1.0/STATE/site", 1);
    for (int i = 0; i < 200 && !state_seen[0]; i++) {
        mosquitto_loop(q, 10, 1);
        spin(1, NULL);
    }
    mosquitto_disconnect(q);
    mosquitto_destroy(q);
    return state_seen;
}

static void raw_up(void)
{
    raw = mosquitto_new(NULL, 1, NULL);
    ck_assert_ptr_nonnull(raw);
    ck_assert_int_eq(mosquitto_connect(raw, "127.0.0.1", B.port, 30), MOSQ_ERR_SUCCESS);
}
static void raw_publish(const char *topic, const void *p, size_t n)
{
    ck_assert_int_eq(mosquitto_publish(raw, NULL, topic, (int)n, p, 0, 0), MOSQ_ERR_SUCCESS);
    for (int i = 0; i < 5; i++)
        mosquitto_loop(raw, 1, 1);
}
static void raw_down(void)
{
    mosquitto_disconnect(raw);
    mosquitto_loop(raw, 10, 1);
    mosquitto_destroy(raw);
    raw = NULL;
}

static int edge_rebirthed(void)
{
    return spf_edge_stats(e).rebirths >= 1;
}

START_TEST(test_host_restart_requests_rebirth)
{
    bring_up(2);
    spf_site_down(&S);  /* the host dies (its will: STATE offline) and comes back empty */
    host_up();
    ck_assert(spin(2000, NULL));
    /* DATA from a node it never saw born: a rebirth request, then births */
    int64_t t = spf_now_ms_us();
    edge_write(1, t, 55.0);
    ck_assert_msg(spin(10000, edge_rebirthed), "no rebirth");
    want_dev = 1;
    want_t = t;
    ck_assert(spin(10000, got_value));  /* the DBIRTH carries the latest value */
    ck_assert_uint_ge(spf_host_stats(S.h).before_birth, 1);
    ck_assert_uint_ge(spf_host_stats(S.h).rebirths, 1);
    ck_assert_int_eq(twin_graph_find_twin(S.g, "motor/1", NULL), TWIN_OK);
    t += 1000;
    want_t = t;
    edge_write(1, t, 56.0);
    ck_assert(spin(5000, got_value));
    /* a stale STATE offline on the host's topic (as an old connection's
       will) is answered: the retained STATE says online again */
    static const char off[] = "{\"online\":false,\"timestamp\":1}";
    raw = mosquitto_new(NULL, 1, NULL);
    ck_assert_int_eq(mosquitto_connect(raw, "127.0.0.1", B.port, 30), MOSQ_ERR_SUCCESS);
    ck_assert_int_eq(mosquitto_publish(raw, NULL, "spBv1.0/STATE/site", (int)strlen(off), off, 1, 1),
                     MOSQ_ERR_SUCCESS);
    for (int i = 0; i < 20; i++)
        mosquitto_loop(raw, 5, 1);
    raw_down();
    ck_assert(spin(500, NULL));
    ck_assert_msg(strstr(retained_state(), "\"online\":true") != NULL, "%s", state_seen);
}
END_TEST


/* Every STATE of host "site" a watcher saw: how many said offline. */
static int offline_seen;
static void watch_on_msg(struct mosquitto *mq, void *ud, const struct mosquitto_message *m)
{
    static const char off[] = "\"online\":false";
    const char *p = (const char *)m->payload;
    (void)mq;
    (void)ud;
    for (int i = 0; !m->retain && i + (int)sizeof off - 1 <= m->payloadlen; i++)
        if (memcmp(p + i, off, sizeof off - 1) == 0) {
            offline_seen++;
            break;
        }
}

/* A host's clean stop: one STATE offline (its own, acknowledged before the
   DISCONNECT), not its will as well; it does not answer its own offline
   STATE with an online one on the way out; the retained STATE says
   offline. (Disconnecting before the PUBACK made mosquitto 2.0.11 drop
   the connection as failed and publish the will: two offline STATEs.) */
START_TEST(test_host_clean_stop_one_offline_state)
{
    host_up();
    ck_assert(spin(2000, NULL));
    struct mosquitto *w = mosquitto_new(NULL, 1, NULL);
    ck_assert_ptr_nonnull(w);
    offline_seen = 0;
    mosquitto_message_callback_set(w, watch_on_msg);
    ck_assert_int_eq(mosquitto_connect(w, "127.0.0.1", B.port, 30), MOSQ_ERR_SUCCESS);
    ck_assert_int_eq(mosquitto_subscribe(w, NULL, "spBv1.0/STATE/site", 1), MOSQ_ERR_SUCCESS);
    for (int i = 0; i < 20; i++)
        mosquitto_loop(w, 5, 1);
    ck_assert_int_eq(twin_sp_mosq_stop(S.m), TWIN_OK);
    spf_site_down(&S);
    for (int i = 0; i < 60; i++)  /* a will would follow at once */
        mosquitto_loop(w, 10, 1);
    mosquitto_disconnect(w);
    mosquitto_destroy(w);
    ck_assert_int_eq(offline_seen, 1);
    ck_assert_msg(strstr(retained_state(), "\"online\":false") != NULL, "%s", state_seen);
}
END_TEST

/* A DDATA payload with a seq and one Double metric by alias. */
static size_t ddata(uint8_t *buf, size_t cap, uint64_t seq, uint64_t alias, double v)
{
    twin_sp_payload p;
    twin_sp_metric m;
    size_t len;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ | TWIN_SP_PAYLOAD_HAS_TIMESTAMP;
    p.seq = seq;
    p.timestamp = (uint64_t)(spf_now_us() / 1000);
    memset(&m, 0, sizeof m);
    m.flags = TWIN_SP_HAS_ALIAS;
    m.alias = alias;
    m.field = TWIN_SP_FIELD_DOUBLE;
    m.value.d = v;
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, cap, &len), TWIN_OK);
    return len;
}

static int gap_seen(void)
{
    return spf_host_stats(S.h).seq_gaps >= 1 && spf_edge_stats(e).rebirths >= 1 &&
           spf_host_stats(S.h).received[TWIN_SP_NBIRTH] >= 2;
}

START_TEST(test_seq_gap_leads_to_rebirth)
{
    uint8_t buf[256];
    bring_up(1);
    raw_up();
    /* a DDATA far ahead of the node's seq: a gap that never closes */
    size_t n = ddata(buf, sizeof buf, (spf_edge_stats(e).published[TWIN_SP_DDATA] + 100) & 255, 1, 1.0);
    raw_publish("spBv1.0/plant/DDATA/gw1/motor%2F0", buf, n);
    raw_down();
    ck_assert_msg(spin(10000, gap_seen), "no rebirth after the gap");
    twin_sp_host_stats hs = spf_host_stats(S.h);
    ck_assert_uint_ge(hs.rebirths, 1);
    ck_assert_uint_ge(hs.received[TWIN_SP_NBIRTH], 2);
    /* and the data flows on in order */
    want_t = spf_now_ms_us();
    edge_write(0, want_t, 77.0);
    ck_assert(spin(5000, got_value));
}
END_TEST

static int64_t wave_t;
static int wave_done(void)
{
    for (size_t i = ndev; i-- > 0;) {
        int64_t t;
        double v;
        if (!host_latest(i, &t, &v) || t != wave_t)
            return 0;
    }
    return 1;
}

START_TEST(test_thousand_devices_on_one_node)
{
    host_up();
    ck_assert(spin(300, NULL));
    edge_up(1000, 0);
    ck_assert_msg(spin(20000, all_devices), "not every device was born");
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_DBIRTH], 1000);
    wave_t = spf_now_ms_us();
    for (size_t i = 0; i < ndev; i++)
        edge_write(i, wave_t, 10.0 + (double)i);
    ck_assert_msg(spin(20000, wave_done), "a device's value did not arrive");
    int64_t t;
    double v;
    ck_assert(host_latest(999, &t, &v));
    ck_assert(v == 1009.0);
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_DDATA], 1000);
}
END_TEST

static uint64_t bad_before;
static int bad_counted(void)
{
    twin_sp_host_stats s = spf_host_stats(S.h);
    return s.malformed + s.unknown_alias + s.before_birth >= bad_before + 4;
}

START_TEST(test_bad_input_counted_not_crashing)
{
    uint8_t buf[256];
    bring_up(1);
    twin_sp_host_stats s0 = spf_host_stats(S.h);
    bad_before = s0.malformed + s0.unknown_alias + s0.before_birth;
    raw_up();
    /* malformed protobuf: a length past the end */
    raw_publish("spBv1.0/plant/DDATA/gw1/motor%2F0", "\x12\x7f\x01", 3);
    /* an unknown alias (a seq that is the next one: no gap) */
    size_t n = ddata(buf, sizeof buf, (spf_edge_stats(e).published[TWIN_SP_DDATA] + 1) & 255, 9999, 1.0);
    raw_publish("spBv1.0/plant/DDATA/gw1/motor%2F0", buf, n);
    /* DATA before BIRTH: a node and a device never born */
    n = ddata(buf, sizeof buf, 0, 1, 1.0);
    raw_publish("spBv1.0/plant/DDATA/ghost/dev", buf, n);
    raw_publish("spBv1.0/plant/DDATA/gw1/never-born", buf, n);
    raw_down();
    ck_assert_msg(spin(10000, bad_counted), "bad input not counted");
    twin_sp_host_stats s = spf_host_stats(S.h);
    ck_assert_uint_ge(s.malformed, s0.malformed + 1);
    ck_assert_uint_ge(s.unknown_alias, s0.unknown_alias + 1);
    ck_assert_uint_ge(s.before_birth, s0.before_birth + 2);
    ck_assert_int_eq(twin_graph_find_twin(S.g, "never-born", NULL), TWIN_E_NOTFOUND);
    /* the host goes on: the real edge's data still arrives */
    want_dev = 0;
    want_t = spf_now_ms_us();
    edge_write(0, want_t, 12.5);
    ck_assert(spin(10000, got_value));
}
END_TEST

static Suite *broker_suite(void)
{
    Suite *s = suite_create("sparkplug_broker");
    TCase *tc = tcase_create("mosquitto");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_e2e_births_and_data_reach_ingest_with_units);
    tcase_add_test(tc, test_broker_killed_edge_reconnects_new_bdseq_host_sees_rebirth);
    tcase_add_test(tc, test_host_restart_requests_rebirth);
    tcase_add_test(tc, test_host_clean_stop_one_offline_state);
    tcase_add_test(tc, test_seq_gap_leads_to_rebirth);
    tcase_add_test(tc, test_thousand_devices_on_one_node);
    tcase_add_test(tc, test_bad_input_counted_not_crashing);
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
    int rc = run_suite(broker_suite());
    broker_fini(&B);
    mosquitto_lib_cleanup();
    return rc;
}
