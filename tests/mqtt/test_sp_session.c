/* libtwin-mqtt: the Edge Node and Host Application state machines, with no
 * socket: the edge's messages are handed to the host (or dropped, held back
 * and reordered) by the test itself. Twin ids hold '/', '+' and '#'. */
#include <twin/sparkplug.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/failalloc.h"
#include "support/run.h"

#define MODEL "dtmi:test:Motor;1"
#define T0 1700000000000000LL  /* microseconds */

static twin_graph *g;
static twin_ingest *ing;
static twin_sp_edge *e;
static twin_signal s_temp, s_speed, s_flow;
static uint8_t buf[8192];
static twin_sp_message msg;

static void add_signal(const char *twin, const char *name, const char *unit, twin_signal *out)
{
    twin_signal_options o;
    twin_signal_options_init(&o);
    o.unit = unit;
    ck_assert_int_eq(twin_ingest_add_signal(ing, twin, name, &o, out), TWIN_OK);
}

static void edge_with(uint32_t bdseq)
{
    twin_sp_edge_options o;
    twin_sp_edge_options_init(&o);
    o.group_id = "G";
    o.node_id = "N";
    o.bdseq = bdseq;
    ck_assert_int_eq(twin_sp_edge_create(&e, g, ing, &o), TWIN_OK);
}

static void setup(void)
{
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "motor/1", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "pump#2", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "fan+3", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    add_signal("motor/1", "temp", "degreeCelsius", &s_temp);
    add_signal("motor/1", "speed", NULL, &s_speed);
    add_signal("pump#2", "flow", NULL, &s_flow);
    edge_with(0);
}

static void teardown(void)
{
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    e = NULL;
}

static void write(twin_signal s, int64_t t_us, double v)
{
    twin_signal_sample x = {s, t_us, v};
    uint8_t outcome;
    ck_assert_int_eq(twin_ingest_write_signals(ing, &x, 1, &outcome, NULL), TWIN_OK);
    ck_assert_int_eq(outcome, TWIN_INGEST_ACCEPTED);
}

static twin_status next(int64_t now)
{
    return twin_sp_edge_next(e, now, &msg, buf, sizeof buf, NULL);
}

static twin_sp_metric met[16];
static twin_sp_payload pay;

/* Decode the last message's payload into pay and met. */
static size_t decode_msg(void)
{
    ck_assert_int_eq(twin_sp_decode(msg.payload, msg.payload_len, &pay, met, 16, NULL), TWIN_OK);
    return (size_t)pay.metric_count;
}

static int is_name(const twin_sp_metric *m, const char *name)
{
    return m->name && m->name_len == strlen(name) && memcmp(m->name, name, m->name_len) == 0;
}

static void connect(void)
{
    ck_assert_int_eq(twin_sp_edge_connect(e, &msg, buf, sizeof buf, NULL), TWIN_OK);
}

/* Connect and take the whole birth sequence (NBIRTH, DBIRTHs). */
static void born(void)
{
    connect();
    while (next(T0) == TWIN_OK)
        ;
}

/* ---- the edge --------------------------------------------------------------- */

START_TEST(test_edge_connect_gives_will_ndeath_with_bdseq)
{
    connect();
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NDEATH/N");
    ck_assert_int_eq(msg.type, TWIN_SP_NDEATH);
    ck_assert_uint_eq(msg.qos, 1);
    ck_assert_uint_eq(msg.retain, 0);
    ck_assert_uint_eq(decode_msg(), 1);
    ck_assert(is_name(&met[0], "bdSeq"));
    ck_assert_uint_eq(met[0].datatype, TWIN_SP_INT64);
    ck_assert_int_eq(met[0].value.i, 0);
    ck_assert_uint_eq(pay.flags & TWIN_SP_PAYLOAD_HAS_SEQ, 0);  /* NDEATH: no seq */
}
END_TEST

START_TEST(test_edge_next_before_connect_returns_state)
{
    ck_assert_int_eq(next(T0), TWIN_E_STATE);
}
END_TEST

START_TEST(test_edge_birth_sequence)
{
    connect();
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NBIRTH/N");
    ck_assert_uint_eq(msg.qos, 0);
    ck_assert_uint_eq(msg.retain, 0);
    ck_assert_uint_eq(decode_msg(), 2);
    ck_assert_uint_eq(pay.seq, 0);
    ck_assert_uint_eq(pay.timestamp, T0 / 1000);
    ck_assert(is_name(&met[0], "bdSeq"));
    ck_assert(is_name(&met[1], "Node Control/Rebirth"));
    ck_assert_uint_eq(met[1].datatype, TWIN_SP_BOOLEAN);
    ck_assert_uint_eq(met[1].value.u, 0);
    ck_assert_uint_eq(met[1].flags & TWIN_SP_HAS_ALIAS, 0);  /* never an alias */

    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DBIRTH/N/motor%2F1");
    ck_assert_uint_eq(decode_msg(), 2);
    ck_assert_uint_eq(pay.seq, 1);
    ck_assert(is_name(&met[0], "temp"));
    ck_assert(is_name(&met[1], "speed"));
    ck_assert_uint_eq(met[0].datatype, TWIN_SP_DOUBLE);
    ck_assert(met[0].flags & TWIN_SP_HAS_ALIAS);
    ck_assert(met[0].flags & TWIN_SP_NULL);  /* no sample yet */
    ck_assert(met[0].alias != met[1].alias);
    twin_sp_property p[2];
    size_t np;
    ck_assert_int_eq(twin_sp_properties_decode(met[0].properties, met[0].properties_len, p, 2,
                                               &np, NULL), TWIN_OK);
    ck_assert_uint_eq(np, 1);
    ck_assert_mem_eq(p[0].key, "engUnit", 7);
    ck_assert_mem_eq(p[0].data, "degreeCelsius", 13);
    ck_assert_uint_eq(met[1].flags & TWIN_SP_HAS_PROPERTIES, 0);

    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DBIRTH/N/pump%232");
    decode_msg();
    ck_assert_uint_eq(pay.seq, 2);
    ck_assert_int_eq(next(T0), TWIN_DONE);  /* fan+3 has no signals: no device */
    ck_assert_int_eq(next(T0), TWIN_DONE);
}
END_TEST

START_TEST(test_edge_ddata_by_alias_on_change)
{
    uint64_t alias_temp;
    connect();
    write(s_temp, T0 - 5000000, 20.5);
    ck_assert_int_eq(next(T0), TWIN_OK);  /* NBIRTH */
    ck_assert_int_eq(next(T0), TWIN_OK);  /* DBIRTH motor: the current value */
    decode_msg();
    ck_assert(met[0].value.d == 20.5);
    ck_assert_uint_eq(met[0].timestamp, (T0 - 5000000) / 1000);
    alias_temp = met[0].alias;
    while (next(T0) == TWIN_OK)
        ;
    write(s_temp, T0 + 1000000, 21.25);
    ck_assert_int_eq(next(T0 + 2000000), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DDATA/N/motor%2F1");
    ck_assert_uint_eq(decode_msg(), 1);  /* only the changed metric */
    ck_assert_uint_eq(pay.seq, 3);
    ck_assert_ptr_null(met[0].name);
    ck_assert_uint_eq(met[0].flags & TWIN_SP_HAS_DATATYPE, 0);
    ck_assert_uint_eq(met[0].alias, alias_temp);
    ck_assert_uint_eq(met[0].timestamp, (T0 + 1000000) / 1000);
    ck_assert(met[0].value.d == 21.25);
    /* the edge writes DATA metrics directly: the bytes of twin_sp_encode() */
    uint8_t again[256];
    size_t alen = 0;
    ck_assert_int_eq(twin_sp_encode(&pay, met, 1, again, sizeof again, &alen), TWIN_OK);
    ck_assert_uint_eq(alen, msg.payload_len);
    ck_assert_mem_eq(again, msg.payload, alen);
    ck_assert_int_eq(next(T0 + 2000000), TWIN_DONE);
    ck_assert_int_eq(next(T0 + 3000000), TWIN_DONE);  /* nothing new */
}
END_TEST

START_TEST(test_edge_seq_wraps_after_255)
{
    born();  /* NBIRTH 0, DBIRTH 1, 2 */
    uint64_t want = 3;
    for (int i = 0; i < 300; i++) {
        write(s_speed, T0 + (i + 1) * 1000LL, i);
        ck_assert_int_eq(next(T0), TWIN_OK);
        decode_msg();
        ck_assert_uint_eq(pay.seq, want);
        want = (want + 1) % 256;
        ck_assert_int_eq(next(T0), TWIN_DONE);
    }
    ck_assert_uint_eq(want, (3 + 300) % 256);
}
END_TEST

static size_t command(uint8_t *out, size_t cap, const char *name, uint32_t type, uint64_t v)
{
    twin_sp_payload p = {0};
    twin_sp_metric m;
    size_t len;
    memset(&m, 0, sizeof m);
    m.name = name;
    m.name_len = (uint32_t)strlen(name);
    m.datatype = type;
    m.flags = TWIN_SP_HAS_DATATYPE;
    if (type == TWIN_SP_DOUBLE)
        m.value.d = (double)v;
    else
        m.value.u = v;
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, out, cap, &len), TWIN_OK);
    return len;
}

START_TEST(test_edge_rebirth_on_ncmd)
{
    uint8_t cmd[128];
    twin_sp_edge_stats st = {0}; st.size = sizeof st;
    born();
    write(s_temp, T0 + 1000, 1);
    size_t n = command(cmd, sizeof cmd, "Node Control/Rebirth", TWIN_SP_BOOLEAN, 1);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NCMD/N", 16, cmd, n), TWIN_OK);
    ck_assert_int_eq(next(T0), TWIN_OK);  /* no DATA first: a new NBIRTH */
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NBIRTH/N");
    decode_msg();
    ck_assert_uint_eq(pay.seq, 0);
    ck_assert_int_eq(met[0].value.i, 0);  /* same bdSeq */
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);
    ck_assert_int_eq(next(T0), TWIN_DONE);  /* the sample went out in the DBIRTH */
    ck_assert_int_eq(twin_sp_edge_get_stats(e, &st), TWIN_OK);
    ck_assert_uint_eq(st.rebirths, 1);
    ck_assert_uint_eq(st.published[TWIN_SP_NBIRTH], 2);
    ck_assert_uint_eq(st.devices, 2);
}
END_TEST

START_TEST(test_edge_refuses_writes_and_counts)
{
    uint8_t cmd[128];
    twin_sp_edge_stats st = {0}; st.size = sizeof st;
    born();
    size_t n = command(cmd, sizeof cmd, "temp", TWIN_SP_DOUBLE, 5);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/DCMD/N/motor%2F1", 26, cmd, n),
                     TWIN_E_CONSTRAINT);
    n = command(cmd, sizeof cmd, "Node Control/Reboot", TWIN_SP_BOOLEAN, 1);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NCMD/N", 16, cmd, n), TWIN_E_CONSTRAINT);
    n = command(cmd, sizeof cmd, "Node Control/Rebirth", TWIN_SP_BOOLEAN, 0);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NCMD/N", 16, cmd, n), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NCMD/N", 16, "\x0b", 1), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NCMD/other", 20, cmd, n),
                     TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NDATA/N", 17, cmd, n), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_sp_edge_get_stats(e, &st), TWIN_OK);
    ck_assert_uint_eq(st.refused, 3);
    ck_assert_uint_eq(st.malformed, 1);
    ck_assert_uint_eq(st.rebirths, 0);
    ck_assert_int_eq(next(T0), TWIN_DONE);  /* nothing to publish */
}
END_TEST

START_TEST(test_edge_ddeath_on_twin_removal)
{
    born();
    ck_assert_int_eq(twin_graph_remove_twin(g, "pump#2", 0), TWIN_OK);
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DDEATH/N/pump%232");
    ck_assert_uint_eq(decode_msg(), 0);
    ck_assert_uint_eq(pay.seq, 3);
    ck_assert_int_eq(next(T0), TWIN_DONE);
    /* its signals went too: no DBIRTH for it after a rebirth */
    ck_assert_int_eq(twin_ingest_remove_twin(ing, "motor/1"), TWIN_OK);
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DDEATH/N/motor%2F1");
    ck_assert_int_eq(next(T0), TWIN_DONE);
}
END_TEST

START_TEST(test_edge_new_signal_births_device_again)
{
    twin_signal s;
    born();
    add_signal("fan+3", "rpm", NULL, &s);
    add_signal("motor/1", "current", "ampere", &s);
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DBIRTH/N/motor%2F1");
    ck_assert_uint_eq(decode_msg(), 3);
    ck_assert_int_eq(next(T0), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/DBIRTH/N/fan%2B3");
    ck_assert_int_eq(next(T0), TWIN_DONE);
}
END_TEST

START_TEST(test_edge_bdseq_increments_per_connect_and_wraps)
{
    twin_sp_edge_destroy(e);
    edge_with(254);
    connect();
    decode_msg();
    ck_assert_int_eq(met[0].value.i, 254);
    connect();
    decode_msg();
    ck_assert_int_eq(met[0].value.i, 255);
    connect();
    decode_msg();
    ck_assert_int_eq(met[0].value.i, 0);
    ck_assert_int_eq(next(T0), TWIN_OK);  /* NBIRTH with the will's bdSeq */
    decode_msg();
    ck_assert_int_eq(met[0].value.i, 0);
    ck_assert_int_eq(twin_sp_edge_death(e, &msg, buf, sizeof buf, NULL), TWIN_OK);
    decode_msg();
    ck_assert_int_eq(met[0].value.i, 0);
    ck_assert_int_eq(next(T0), TWIN_E_STATE);
}
END_TEST

START_TEST(test_edge_small_buffer_returns_range_nothing_changes)
{
    size_t need = 0;
    connect();
    ck_assert_int_eq(twin_sp_edge_next(e, T0, &msg, buf, 10, &need), TWIN_E_RANGE);
    ck_assert_uint_gt(need, 10);
    ck_assert_int_eq(twin_sp_edge_next(e, T0, &msg, buf, need, &need), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NBIRTH/N");
    ck_assert_int_eq(twin_sp_edge_next(e, T0, &msg, buf, 20, &need), TWIN_E_RANGE);
    ck_assert_int_eq(next(T0), TWIN_OK);
    decode_msg();
    ck_assert_uint_eq(pay.seq, 1);
}
END_TEST

START_TEST(test_edge_create_refuses_bad_options)
{
    twin_sp_edge *x;
    twin_sp_edge_options o;
    twin_sp_edge_options_init(&o);
    o.group_id = "G/1";
    o.node_id = "N";
    ck_assert_int_eq(twin_sp_edge_create(&x, g, ing, &o), TWIN_E_INVAL);
    ck_assert_ptr_null(x);
    o.group_id = "G";
    o.node_id = "";
    ck_assert_int_eq(twin_sp_edge_create(&x, g, ing, &o), TWIN_E_INVAL);
    o.node_id = "N";
    o.bdseq = 256;
    ck_assert_int_eq(twin_sp_edge_create(&x, g, ing, &o), TWIN_E_INVAL);
    o.bdseq = 0;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_sp_edge_create(&x, g, ing, &o), TWIN_E_ABI);
}
END_TEST

START_TEST(test_edge_allocation_failures_leak_nothing)
{
    for (unsigned n = 0;; n++) {
        failalloc fa;
        twin_sp_edge *x = NULL;
        twin_sp_edge_options o;
        twin_status s;
        failalloc_init(&fa);
        twin_sp_edge_options_init(&o);
        o.group_id = "G";
        o.node_id = "N";
        o.alloc = &fa.alloc;
        failalloc_arm(&fa, n);
        s = twin_sp_edge_create(&x, g, ing, &o);
        if (s == TWIN_OK) {
            s = twin_sp_edge_connect(x, &msg, buf, sizeof buf, NULL);
            while (s == TWIN_OK)
                s = twin_sp_edge_next(x, T0, &msg, buf, sizeof buf, NULL);
        }
        ck_assert(s == TWIN_DONE || s == TWIN_E_NOMEM);
        twin_sp_edge_destroy(x);
        ck_assert_uint_eq(fa.live_bytes, 0);
        int done = fa.failures == 0;
        failalloc_fini(&fa);
        if (done)
            break;
    }
}
END_TEST

/* ---- the host ---------------------------------------------------------------- */

typedef struct seen {
    int metrics, node_online, node_stale, dev_online, dev_stale;
    char last_name[64], last_device[64];
    double last_value;
} seen;

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    seen *s = (seen *)ud;
    switch (ev->kind) {
    case TWIN_SP_EVENT_METRIC:
        s->metrics++;
        snprintf(s->last_name, sizeof s->last_name, "%.*s", (int)ev->metric->name_len,
                 ev->metric->name);
        snprintf(s->last_device, sizeof s->last_device, "%s", ev->device ? ev->device : "");
        if (twin_sp_metric_to_double(ev->metric, &s->last_value) < 0)
            s->last_value = -1;
        break;
    case TWIN_SP_EVENT_NODE_ONLINE: s->node_online++; break;
    case TWIN_SP_EVENT_NODE_STALE: s->node_stale++; break;
    case TWIN_SP_EVENT_DEVICE_ONLINE: s->dev_online++; break;
    case TWIN_SP_EVENT_DEVICE_STALE: s->dev_stale++; break;
    }
}

static twin_sp_host *h;
static seen ev;

static void host_setup(void)
{
    setup();
    twin_sp_host_options o;
    twin_sp_host_options_init(&o);
    o.host_id = "site";
    o.reorder_timeout_us = 2000000;
    o.on_event = on_event;
    o.event_ud = &ev;
    memset(&ev, 0, sizeof ev);
    ck_assert_int_eq(twin_sp_host_create(&h, &o), TWIN_OK);
}

static void host_teardown(void)
{
    twin_sp_host_destroy(h);
    teardown();
}

static twin_status feed(int64_t now)
{
    return twin_sp_host_receive(h, msg.topic, strlen(msg.topic), msg.payload, msg.payload_len,
                                now);
}

/* Every message the edge has now, to the host. */
static void pump(int64_t now)
{
    twin_status s;
    while ((s = next(now)) == TWIN_OK)
        ck_assert_int_eq(feed(now), TWIN_OK);
    ck_assert_int_eq(s, TWIN_DONE);
}

START_TEST(test_host_follows_edge_maps_aliases_to_names)
{
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    connect();
    write(s_temp, T0, 20);
    pump(T0);
    ck_assert_int_eq(ev.node_online, 1);
    ck_assert_int_eq(ev.dev_online, 2);
    ck_assert_int_eq(ev.metrics, 2 + 3);  /* NBIRTH: bdSeq, Rebirth; DBIRTHs: 3 */
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "motor%2F1"), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "nope"), TWIN_E_NOTFOUND);
    write(s_temp, T0 + 1000, 21.5);
    pump(T0 + 1000);
    ck_assert_int_eq(ev.metrics, 6);
    ck_assert_str_eq(ev.last_name, "temp");  /* the DDATA came by alias */
    ck_assert_str_eq(ev.last_device, "motor%2F1");
    ck_assert(ev.last_value == 21.5);
    char id[32];
    ck_assert_int_eq(twin_sp_id_unescape(id, sizeof id, NULL, ev.last_device,
                                         strlen(ev.last_device)), TWIN_OK);
    ck_assert_str_eq(id, "motor/1");  /* the twin id, exactly */
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.nodes, 1);
    ck_assert_uint_eq(st.received[TWIN_SP_DDATA], 1);
    ck_assert_uint_eq(st.seq_gaps, 0);
    ck_assert_int_eq(twin_sp_host_next(h, T0 + 10000000, &msg, buf, sizeof buf, NULL),
                     TWIN_DONE);
}
END_TEST

START_TEST(test_host_seq_gap_past_timeout_requests_rebirth)
{
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    connect();
    pump(T0);
    write(s_temp, T0 + 1000, 1);
    ck_assert_int_eq(next(T0), TWIN_OK);  /* DDATA seq 3: lost */
    ck_assert_int_eq(next(T0), TWIN_DONE);
    write(s_temp, T0 + 2000, 2);
    pump(T0 + 100000);                    /* DDATA seq 4: a gap opens */
    ck_assert_int_eq(twin_sp_host_next(h, T0 + 1000000, &msg, buf, sizeof buf, NULL),
                     TWIN_DONE);          /* within the reorder timeout */
    ck_assert_int_eq(twin_sp_host_next(h, T0 + 2100000, &msg, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NCMD/N");
    ck_assert_uint_eq(msg.qos, 0);
    ck_assert_uint_eq(decode_msg(), 1);
    ck_assert(is_name(&met[0], "Node Control/Rebirth"));
    ck_assert_uint_eq(met[0].value.u, 1);
    ck_assert_int_eq(twin_sp_host_next(h, T0 + 2200000, &msg, buf, sizeof buf, NULL),
                     TWIN_DONE);  /* asked once */
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.seq_gaps, 1);
    ck_assert_uint_eq(st.rebirths, 1);
    /* The edge obeys; the host takes the new births and the seq is whole again. */
    twin_sp_host_next(h, T0 + 2100000, &msg, buf, sizeof buf, NULL);
    ck_assert_int_eq(twin_sp_host_receive(h, "x", 1, NULL, 0, T0), TWIN_E_PARSE);
    uint8_t cmd[128];
    size_t n = command(cmd, sizeof cmd, "Node Control/Rebirth", TWIN_SP_BOOLEAN, 1);
    ck_assert_int_eq(twin_sp_edge_receive(e, "spBv1.0/G/NCMD/N", 16, cmd, n), TWIN_OK);
    int before = ev.node_online;
    pump(T0 + 2300000);
    ck_assert_int_eq(ev.node_online, before + 1);
    write(s_temp, T0 + 3000, 3);
    pump(T0 + 2400000);
    ck_assert_int_eq(twin_sp_host_next(h, T0 + 9000000, &msg, buf, sizeof buf, NULL),
                     TWIN_DONE);
}
END_TEST

START_TEST(test_host_reorder_within_timeout_no_rebirth)
{
    static uint8_t held[8192];
    char held_topic[128];
    size_t held_len;
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    connect();
    pump(T0);
    write(s_temp, T0 + 1000, 1);
    ck_assert_int_eq(next(T0), TWIN_OK);  /* seq 3: held back */
    snprintf(held_topic, sizeof held_topic, "%s", msg.topic);
    memcpy(held, msg.payload, msg.payload_len);
    held_len = msg.payload_len;
    ck_assert_int_eq(next(T0), TWIN_DONE);
    write(s_temp, T0 + 2000, 2);
    pump(T0 + 10000);                     /* seq 4 first */
    ck_assert_int_eq(twin_sp_host_receive(h, held_topic, strlen(held_topic), held, held_len,
                                          T0 + 20000), TWIN_OK);  /* then seq 3 */
    ck_assert_int_eq(twin_sp_host_next(h, T0 + 10000000, &msg, buf, sizeof buf, NULL),
                     TWIN_DONE);
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.seq_gaps, 1);
    ck_assert_uint_eq(st.rebirths, 0);
    ck_assert_uint_eq(st.received[TWIN_SP_DDATA], 2);
}
END_TEST

START_TEST(test_host_ndeath_marks_stale_old_will_ignored)
{
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    static uint8_t will[256];
    size_t will_len;
    connect();  /* bdSeq 0 */
    memcpy(will, msg.payload, msg.payload_len);
    will_len = msg.payload_len;
    pump(T0);
    connect();  /* a new connection: bdSeq 1 */
    pump(T0 + 1000);
    /* The first connection's will arrives late: its bdSeq is old. */
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/G/NDEATH/N", 18, will, will_len, T0),
                     TWIN_OK);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_edge_death(e, &msg, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_int_eq(feed(T0 + 2000), TWIN_OK);
    ck_assert_int_eq(ev.node_stale, 1);
    ck_assert_int_eq(ev.dev_stale, 2);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", NULL), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "pump%232"), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.stale_deaths, 1);
}
END_TEST

START_TEST(test_host_ddeath_marks_device_stale)
{
    connect();
    pump(T0);
    ck_assert_int_eq(twin_graph_remove_twin(g, "pump#2", 0), TWIN_OK);
    pump(T0 + 1000);
    ck_assert_int_eq(ev.dev_stale, 1);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "pump%232"), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "motor%2F1"), TWIN_OK);
}
END_TEST

START_TEST(test_host_data_before_birth_requests_rebirth)
{
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    connect();
    ck_assert_int_eq(next(T0), TWIN_OK);  /* NBIRTH: not seen by the host */
    while (next(T0) == TWIN_OK)
        ck_assert_int_eq(feed(T0), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_next(h, T0, &msg, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NCMD/N");
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.before_birth, 2);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", NULL), TWIN_E_STATE);
}
END_TEST

START_TEST(test_host_unknown_alias_and_wrong_type_counted)
{
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    twin_sp_payload p = {0};
    twin_sp_metric m[2];
    size_t len;
    connect();
    pump(T0);
    memset(m, 0, sizeof m);
    m[0].flags = TWIN_SP_HAS_ALIAS;
    m[0].alias = 999;
    m[0].field = TWIN_SP_FIELD_DOUBLE;
    m[1].flags = TWIN_SP_HAS_ALIAS;
    m[1].alias = 1;  /* temp, a Double: sent as a string */
    m[1].field = TWIN_SP_FIELD_STRING;
    m[1].data = (const uint8_t *)"x";
    m[1].len = 1;
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ;
    p.seq = 3;
    ck_assert_int_eq(twin_sp_encode(&p, m, 2, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/G/DDATA/N/motor%2F1", 27, buf, len, T0),
                     TWIN_OK);
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.unknown_alias, 1);
    ck_assert_uint_eq(st.wrong_type, 1);
    ck_assert_int_eq(twin_sp_host_next(h, T0, &msg, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/G/NCMD/N");
}
END_TEST

START_TEST(test_host_malformed_counted_nothing_changes)
{
    twin_sp_host_stats st = {0}; st.size = sizeof st;
    connect();
    pump(T0);
    int metrics = ev.metrics;
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/G/DDATA/N/motor%2F1", 27,
                                          "\x12\x05\x10", 3, T0), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/G/DDATA/N", 17, "", 0, T0), TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/G/DDATA/N/a/b", 21, "", 0, T0),
                     TWIN_E_PARSE);
    /* a DATA without seq */
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/G/DDATA/N/motor%2F1", 27, "", 0, T0),
                     TWIN_E_PARSE);
    ck_assert_int_eq(twin_sp_host_receive(h, "spBv1.0/STATE/other", 19, "{}", 2, T0),
                     TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_sp_host_get_stats(h, &st), TWIN_OK);
    ck_assert_uint_eq(st.malformed, 4);
    ck_assert_int_eq(ev.metrics, metrics);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", NULL), TWIN_OK);
}
END_TEST

START_TEST(test_host_state_message)
{
    ck_assert_int_eq(twin_sp_host_state(h, 1, 1486144502122ull, &msg, buf, sizeof buf, NULL),
                     TWIN_OK);
    ck_assert_str_eq(msg.topic, "spBv1.0/STATE/site");
    ck_assert_uint_eq(msg.qos, 1);
    ck_assert_uint_eq(msg.retain, 1);
    ck_assert_uint_eq(msg.payload_len, strlen("{\"online\":true,\"timestamp\":1486144502122}"));
    ck_assert_mem_eq(msg.payload, "{\"online\":true,\"timestamp\":1486144502122}",
                     msg.payload_len);
    ck_assert_int_eq(twin_sp_host_state(h, 0, 0, &msg, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_mem_eq(msg.payload, "{\"online\":false,\"timestamp\":0}", msg.payload_len);
}
END_TEST

static Suite *session_suite(void)
{
    Suite *s = suite_create("sparkplug_session");
    TCase *tc = tcase_create("edge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_edge_connect_gives_will_ndeath_with_bdseq);
    tcase_add_test(tc, test_edge_next_before_connect_returns_state);
    tcase_add_test(tc, test_edge_birth_sequence);
    tcase_add_test(tc, test_edge_ddata_by_alias_on_change);
    tcase_add_test(tc, test_edge_seq_wraps_after_255);
    tcase_add_test(tc, test_edge_rebirth_on_ncmd);
    tcase_add_test(tc, test_edge_refuses_writes_and_counts);
    tcase_add_test(tc, test_edge_ddeath_on_twin_removal);
    tcase_add_test(tc, test_edge_new_signal_births_device_again);
    tcase_add_test(tc, test_edge_bdseq_increments_per_connect_and_wraps);
    tcase_add_test(tc, test_edge_small_buffer_returns_range_nothing_changes);
    tcase_add_test(tc, test_edge_create_refuses_bad_options);
    tcase_add_test(tc, test_edge_allocation_failures_leak_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("host");
    tcase_add_checked_fixture(tc, host_setup, host_teardown);
    tcase_add_test(tc, test_host_follows_edge_maps_aliases_to_names);
    tcase_add_test(tc, test_host_seq_gap_past_timeout_requests_rebirth);
    tcase_add_test(tc, test_host_reorder_within_timeout_no_rebirth);
    tcase_add_test(tc, test_host_ndeath_marks_stale_old_will_ignored);
    tcase_add_test(tc, test_host_ddeath_marks_device_stale);
    tcase_add_test(tc, test_host_data_before_birth_requests_rebirth);
    tcase_add_test(tc, test_host_unknown_alias_and_wrong_type_counted);
    tcase_add_test(tc, test_host_malformed_counted_nothing_changes);
    tcase_add_test(tc, test_host_state_message);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(session_suite());
}
