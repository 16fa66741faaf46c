/* libtwin-mqtt: the Edge Node's primary host awareness and store and
 * forward, with no socket (the test hands messages around itself), over a
 * store in memory (the test's callbacks) and over the file store. */
#include <twin/sparkplug.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/failalloc.h"
#include "support/run.h"

#define MODEL "dtmi:test:Motor;1"
#define T0 1700000000000000LL /* microseconds, whole milliseconds */
#define STATE_TOPIC "spBv1.0/STATE/site"

static twin_graph *g;
static twin_ingest *ing;
static twin_sp_edge *e;
static twin_signal s_temp, s_speed;
static uint8_t buf[8192];
static twin_sp_message msg;

/* ---- a store in memory: records in an array, a bound on their count ------ */

typedef struct mem_store {
    uint8_t *rec[64];
    size_t len[64];
    size_t first, n, max;  /* records first..first+n-1; cursor = index + 1 */
    size_t confirms;
} mem_store;
static mem_store M;

static twin_status m_append(void *ud, const void *rec, size_t len)
{
    mem_store *m = (mem_store *)ud;
    if (m->n >= m->max || m->first + m->n >= 64)
        return TWIN_E_BUSY;
    m->rec[m->first + m->n] = malloc(len);
    memcpy(m->rec[m->first + m->n], rec, len);
    m->len[m->first + m->n] = len;
    m->n++;
    return TWIN_OK;
}
static twin_status m_read(void *ud, uint64_t cursor, void *b, size_t cap, size_t *len,
                          uint64_t *next)
{
    mem_store *m = (mem_store *)ud;
    size_t i = cursor ? (size_t)cursor - 1 : m->first;
    if (i < m->first)
        i = m->first;
    if (i >= m->first + m->n)
        return TWIN_DONE;
    *len = m->len[i];
    if (m->len[i] > cap)
        return TWIN_E_RANGE;
    memcpy(b, m->rec[i], m->len[i]);
    *next = i + 2;
    return TWIN_OK;
}
static twin_status m_confirm(void *ud, uint64_t cursor)
{
    mem_store *m = (mem_store *)ud;
    m->confirms++;
    while (m->n && m->first + 1 < cursor) {
        free(m->rec[m->first]);
        m->first++;
        m->n--;
    }
    return TWIN_OK;
}
static void mem_fini(void)
{
    for (size_t i = M.first; i < M.first + M.n; i++)
        free(M.rec[i]);
    memset(&M, 0, sizeof M);
}
static twin_sp_store mem_callbacks(size_t max)
{
    twin_sp_store s;
    mem_fini();
    M.max = max;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    s.append = m_append;
    s.read = m_read;
    s.confirm = m_confirm;
    s.ud = &M;
    return s;
}

/* ---- fixture ---------------------------------------------------------------- */

static void make_edge(void)
{
    twin_sp_edge_options o;
    twin_sp_edge_options_init(&o);
    o.group_id = "G";
    o.node_id = "N";
    ck_assert_int_eq(twin_sp_edge_create(&e, g, ing, &o), TWIN_OK);
}

static void setup(void)
{
    twin_signal_options so;
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "motor/1", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    twin_signal_options_init(&so);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "motor/1", "temp", &so, &s_temp), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "motor/1", "speed", &so, &s_speed), TWIN_OK);
    make_edge();
}

static void teardown(void)
{
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    e = NULL;
    mem_fini();
}

static void write1(twin_signal s, int64_t t, double v)
{
    twin_signal_sample x = {s, t, v};
    ck_assert_int_eq(twin_ingest_write_signals(ing, &x, 1, NULL, NULL), TWIN_OK);
}

static twin_status next(void)
{
    return twin_sp_edge_next(e, T0 + 5000000, &msg, buf, sizeof buf, NULL);
}

static twin_status state(int online, uint64_t ts)
{
    char p[96];
    int n = snprintf(p, sizeof p, "{\"online\" : %s, \"timestamp\":%llu}",
                     online ? "true" : "false", (unsigned long long)ts);
    return twin_sp_edge_receive(e, STATE_TOPIC, strlen(STATE_TOPIC), p, (size_t)n);
}

static void connect_edge(void)
{
    uint8_t w[512];
    twin_sp_message will;
    ck_assert_int_eq(twin_sp_edge_connect(e, &will, w, sizeof w, NULL), TWIN_OK);
}

static twin_sp_edge_sf_stats sfstats(void)
{
    twin_sp_edge_sf_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_sp_edge_get_sf_stats(e, &s), TWIN_OK);
    return s;
}

/* Decode msg's metrics into m (cap 16); returns the count. */
static size_t decode(twin_sp_metric *m)
{
    twin_sp_payload p;
    ck_assert_int_eq(twin_sp_decode(msg.payload, msg.payload_len, &p, m, 16, NULL), TWIN_OK);
    return (size_t)p.metric_count;
}

/* Births until the first DDATA or TWIN_DONE: returns the status of that call. */
static twin_status through_births(void)
{
    twin_status s;
    while ((s = next()) == TWIN_OK && (msg.type == TWIN_SP_NBIRTH || msg.type == TWIN_SP_DBIRTH))
        ;
    return s;
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(test_edge_no_birth_before_primary_host_online)
{
    ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "site"), TWIN_OK);
    connect_edge();
    write1(s_temp, T0, 20.0);
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_int_eq(state(0, 100), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_uint_eq(sfstats().host_online, 0);
    ck_assert_int_eq(state(1, 200), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_NBIRTH);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_uint_eq(sfstats().host_online, 1);
}
END_TEST

START_TEST(test_edge_state_older_timestamp_ignored)
{
    ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "site"), TWIN_OK);
    connect_edge();
    ck_assert_int_eq(state(1, 500), TWIN_OK);
    ck_assert_int_eq(state(0, 400), TWIN_OK);  /* a stale will of an older session */
    twin_sp_edge_sf_stats s = sfstats();
    ck_assert_uint_eq(s.host_online, 1);
    ck_assert_uint_eq(s.stale_states, 1);
    ck_assert_uint_eq(s.states, 1);
    ck_assert_uint_eq(s.host_timestamp, 500);
}
END_TEST

START_TEST(test_edge_state_malformed_or_other_host)
{
    ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "site"), TWIN_OK);
    connect_edge();
    static const char *bad[] = {"", "online", "{\"online\":1,\"timestamp\":5}",
                                "{\"online\":true}", "{\"online\":true,\"timestamp\":-1}",
                                "{\"timestamp\":5}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_int_eq(twin_sp_edge_receive(e, STATE_TOPIC, strlen(STATE_TOPIC), bad[i],
                                              strlen(bad[i])),
                         TWIN_E_PARSE);
    const char *other = "spBv1.0/STATE/other", *ok = "{\"online\":true,\"timestamp\":5}";
    ck_assert_int_eq(twin_sp_edge_receive(e, other, strlen(other), ok, strlen(ok)),
                     TWIN_E_NOTFOUND);
    ck_assert_int_eq(next(), TWIN_DONE);  /* still waiting */
    ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "a/b"), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_edge_rebirths_when_host_back_online)
{
    ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "site"), TWIN_OK);
    connect_edge();
    ck_assert_int_eq(state(1, 100), TWIN_OK);
    ck_assert_int_eq(through_births(), TWIN_DONE);
    ck_assert_int_eq(state(0, 200), TWIN_OK);
    write1(s_temp, T0, 20.0);
    ck_assert_int_eq(next(), TWIN_DONE);  /* no store: nothing goes out */
    ck_assert_int_eq(state(1, 300), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_NBIRTH);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);  /* with the latest value */
    twin_sp_metric m[16];
    ck_assert_uint_eq(decode(m), 2);
    ck_assert(m[0].value.d == 20.0);
}
END_TEST

/* Host offline: samples stored; back online: births, then every sample as
   historical DDATA in order, then live DDATA without the flag. */
START_TEST(test_edge_forwards_stored_in_order_historical)
{
    twin_sp_store st = mem_callbacks(64);
    ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "site"), TWIN_OK);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &st), TWIN_OK);
    connect_edge();
    ck_assert_int_eq(state(1, 100), TWIN_OK);
    ck_assert_int_eq(through_births(), TWIN_DONE);
    write1(s_temp, T0 - 1000, 5.0);  /* live */
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_int_eq(state(0, 200), TWIN_OK);
    for (int i = 0; i < 5; i++) {
        write1(s_temp, T0 + i * 1000, 10.0 + i);
        if (i == 2)
            write1(s_speed, T0 + i * 1000, 99.0);
        ck_assert_int_eq(next(), TWIN_DONE);
    }
    write1(s_temp, T0 + 5000, 15.0);  /* no round after it: stored before the births */
    ck_assert_uint_eq(M.n, 5);
    ck_assert_int_eq(state(1, 300), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_NBIRTH);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);
    /* the birth carries what the host last had: temp's live 5.0, speed null */
    twin_sp_metric m[16];
    ck_assert_uint_eq(decode(m), 2);
    for (int k = 0; k < 2; k++) {
        if (m[k].name_len == 4 && memcmp(m[k].name, "temp", 4) == 0) {
            ck_assert(m[k].value.d == 5.0);
            ck_assert_uint_eq(m[k].timestamp, (uint64_t)(T0 / 1000 - 1));
        } else {
            ck_assert(m[k].flags & TWIN_SP_NULL);
        }
    }
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(next(), TWIN_OK);
        ck_assert_int_eq(msg.type, TWIN_SP_DDATA);
        size_t n = decode(m);
        ck_assert_uint_eq(n, i == 2 ? 2 : 1);
        for (size_t k = 0; k < n; k++) {
            ck_assert(m[k].flags & TWIN_SP_HISTORICAL);
            ck_assert(m[k].flags & TWIN_SP_HAS_ALIAS);
        }
        ck_assert_uint_eq(m[0].timestamp, (uint64_t)(T0 / 1000 + i));
        ck_assert(m[0].value.d == 10.0 + i);
    }
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_uint_eq(M.n, 0);  /* all confirmed */
    write1(s_temp, T0 + 6000, 16.0);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_uint_eq(decode(m), 1);
    ck_assert(!(m[0].flags & TWIN_SP_HISTORICAL));
    /* forwarded: a rebirth carries the latest values again */
    const char *ncmd = "spBv1.0/G/NCMD/N";
    twin_sp_metric rb;
    uint8_t p[128];
    size_t pl;
    twin_sp_payload pp;
    memset(&pp, 0, sizeof pp);
    memset(&rb, 0, sizeof rb);
    rb.name = "Node Control/Rebirth";
    rb.name_len = 20;
    rb.datatype = TWIN_SP_BOOLEAN;
    rb.flags = TWIN_SP_HAS_DATATYPE;
    rb.value.u = 1;
    ck_assert_int_eq(twin_sp_encode(&pp, &rb, 1, p, sizeof p, &pl), TWIN_OK);
    ck_assert_int_eq(twin_sp_edge_receive(e, ncmd, strlen(ncmd), p, pl), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);
    ck_assert_uint_eq(decode(m), 2);
    for (int k = 0; k < 2; k++)
        ck_assert(m[k].value.d == (m[k].name_len == 4 && memcmp(m[k].name, "temp", 4) == 0
                                       ? 16.0 : 99.0));
    twin_sp_edge_sf_stats s = sfstats();
    ck_assert_uint_eq(s.stored_records, 6);
    ck_assert_uint_eq(s.stored_samples, 7);
    ck_assert_uint_eq(s.forwarded_records, 6);
    ck_assert_uint_eq(s.forwarded_samples, 7);
    ck_assert_uint_eq(s.refused_samples, 0);
}
END_TEST

START_TEST(test_edge_store_full_refused_and_counted)
{
    twin_sp_store st = mem_callbacks(3);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &st), TWIN_OK);
    for (int i = 0; i < 5; i++) {
        write1(s_temp, T0 + i * 1000, i);
        ck_assert_int_eq(twin_sp_edge_hold(e, T0), i < 3 ? TWIN_OK : TWIN_E_BUSY);
    }
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_DONE);
    twin_sp_edge_sf_stats s = sfstats();
    ck_assert_uint_eq(s.stored_samples, 3);
    ck_assert_uint_eq(s.refused_records, 2);
    ck_assert_uint_eq(s.refused_samples, 2);
    connect_edge();
    ck_assert_int_eq(through_births(), TWIN_OK);
    twin_sp_metric m[16];
    for (int i = 0; i < 3; i++) {  /* what was accepted comes, nothing else */
        if (i)
            ck_assert_int_eq(next(), TWIN_OK);
        ck_assert_int_eq(msg.type, TWIN_SP_DDATA);
        ck_assert_uint_eq(decode(m), 1);
        ck_assert(m[0].value.d == i);
        ck_assert(m[0].flags & TWIN_SP_HISTORICAL);
    }
    ck_assert_int_eq(next(), TWIN_DONE);
}
END_TEST

START_TEST(test_edge_hold_without_store_returns_state)
{
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_edge_hold(NULL, T0), TWIN_E_INVAL);
    twin_sp_store bad;
    memset(&bad, 0, sizeof bad);
    bad.size = sizeof bad;
    ck_assert_int_eq(twin_sp_edge_set_store(e, &bad), TWIN_E_INVAL);
}
END_TEST

/* A historical message handed out just before the link broke is sent again
   in the next session (it was not confirmed). */
START_TEST(test_edge_unconfirmed_record_resent_after_reconnect)
{
    twin_sp_store st = mem_callbacks(64);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &st), TWIN_OK);
    write1(s_temp, T0, 1.0);
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_OK);
    write1(s_temp, T0 + 1000, 2.0);
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_OK);
    connect_edge();
    ck_assert_int_eq(through_births(), TWIN_OK);  /* the first record's DDATA */
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_DONE);  /* the link broke */
    ck_assert_uint_eq(M.n, 2);
    connect_edge();
    ck_assert_int_eq(through_births(), TWIN_OK);
    twin_sp_metric m[16];
    ck_assert_uint_eq(decode(m), 1);
    ck_assert(m[0].value.d == 1.0);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_uint_eq(decode(m), 1);
    ck_assert(m[0].value.d == 2.0);
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_uint_eq(M.n, 0);
}
END_TEST

/* With a history (twin_signal_options), every sample written between two
   rounds is stored, not only the latest, and forwarded in order. */
START_TEST(test_edge_stores_every_sample_of_the_history)
{
    twin_signal vib;
    twin_signal_options so;
    twin_signal_options_init(&so);
    so.history = 16;
    ck_assert_int_eq(twin_ingest_add_signal(ing, "motor/1", "vib", &so, &vib), TWIN_OK);
    twin_sp_store st = mem_callbacks(64);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &st), TWIN_OK);
    write1(vib, T0, 0.0);
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_OK);
    for (int i = 1; i < 6; i++)
        write1(vib, T0 + i * 1000, i);
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_OK);
    twin_sp_edge_sf_stats s = sfstats();
    ck_assert_uint_eq(s.stored_records, 2);
    ck_assert_uint_eq(s.stored_samples, 6);
    connect_edge();
    ck_assert_int_eq(through_births(), TWIN_OK);
    twin_sp_metric m[16];
    ck_assert_uint_eq(decode(m), 1);
    ck_assert(m[0].value.d == 0.0);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_uint_eq(decode(m), 5);
    for (int k = 0; k < 5; k++) {
        ck_assert_uint_eq(m[k].alias, m[0].alias);
        ck_assert(m[k].value.d == k + 1);
        ck_assert_uint_eq(m[k].timestamp, (uint64_t)(T0 / 1000 + k + 1));
        ck_assert(m[k].flags & TWIN_SP_HISTORICAL);
    }
    ck_assert_int_eq(next(), TWIN_DONE);
}
END_TEST

/* Records of a twin or signal that is gone are counted, not sent. */
START_TEST(test_edge_orphaned_records_counted)
{
    twin_signal s_flow;
    twin_signal_options so;
    twin_signal_options_init(&so);
    ck_assert_int_eq(twin_graph_add_twin(g, "pump", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "pump", "flow", &so, &s_flow), TWIN_OK);
    twin_sp_store st = mem_callbacks(64);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &st), TWIN_OK);
    write1(s_temp, T0, 1.0);
    write1(s_speed, T0, 2.0);
    write1(s_flow, T0, 3.0);
    ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_OK);
    ck_assert_uint_eq(M.n, 2);
    ck_assert_int_eq(twin_ingest_remove_twin(ing, "motor/1"), TWIN_OK);
    connect_edge();
    ck_assert_int_eq(through_births(), TWIN_OK);
    twin_sp_metric m[16];
    ck_assert_uint_eq(decode(m), 1);
    ck_assert(m[0].value.d == 3.0);
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_uint_eq(sfstats().orphaned, 2);
    ck_assert_uint_eq(M.n, 0);
}
END_TEST

/* Allocation failures anywhere in a host-away-and-back run: each call gives
   TWIN_E_NOMEM or succeeds; retried, nothing is lost or sent twice, nothing
   leaks. */
START_TEST(test_edge_sf_allocation_failures_lose_nothing)
{
    twin_sp_edge_destroy(e);
    e = NULL;
    for (size_t n = 0;; n++) {
        failalloc fa;
        twin_sp_edge_options o;
        twin_status s;
        failalloc_init(&fa);
        failalloc_arm(&fa, n);
        twin_sp_edge_options_init(&o);
        o.group_id = "G";
        o.node_id = "N";
        o.alloc = &fa.alloc;
        if (twin_sp_edge_create(&e, g, ing, &o) == TWIN_E_NOMEM)
            ck_assert_int_eq(twin_sp_edge_create(&e, g, ing, &o), TWIN_OK);
        if (twin_sp_edge_set_primary_host(e, "site") == TWIN_E_NOMEM)
            ck_assert_int_eq(twin_sp_edge_set_primary_host(e, "site"), TWIN_OK);
        twin_sp_store st = mem_callbacks(64);
        ck_assert_int_eq(twin_sp_edge_set_store(e, &st), TWIN_OK);
        connect_edge();
        ck_assert_int_eq(state(1, 100), TWIN_OK);
        while ((s = next()) == TWIN_OK || s == TWIN_E_NOMEM)
            ;
        ck_assert_int_eq(s, TWIN_DONE);
        ck_assert_int_eq(state(0, 200), TWIN_OK);
        for (int i = 0; i < 3; i++) {
            write1(s_temp, T0 + (int64_t)n * 10000 + i * 1000, 1.0 + i);
            while ((s = next()) == TWIN_E_NOMEM)
                ;
            ck_assert_int_eq(s, TWIN_DONE);
        }
        ck_assert_int_eq(state(1, 300), TWIN_OK);
        double got[8];
        size_t ng = 0;
        twin_sp_metric m[16];
        while ((s = next()) == TWIN_OK || s == TWIN_E_NOMEM)
            if (s == TWIN_OK && msg.type == TWIN_SP_DDATA && decode(m) == 1 &&
                (m[0].flags & TWIN_SP_HISTORICAL) && ng < 8)
                got[ng++] = m[0].value.d;
        ck_assert_int_eq(s, TWIN_DONE);
        ck_assert_uint_eq(ng, 3);
        for (size_t k = 0; k < 3; k++)
            ck_assert(got[k] == 1.0 + (double)k);
        twin_sp_edge_destroy(e);
        e = NULL;
        ck_assert_uint_eq(fa.live_bytes, 0);
        size_t failures = fa.failures;
        failalloc_fini(&fa);
        if (!failures)
            break;
    }
}
END_TEST

/* ---- the file store -------------------------------------------------------- */

static char path[128];

static void file_setup(void)
{
    snprintf(path, sizeof path, "/tmp/test_sp_sf_%d.sf", (int)getpid());
    unlink(path);
}
static void file_teardown(void)
{
    unlink(path);
    char t[160];
    snprintf(t, sizeof t, "%s.tmp", path);
    unlink(t);
}

static twin_sp_file_store *fopen_store(uint64_t max)
{
    twin_sp_file_store *fs;
    twin_sp_file_store_options o;
    twin_sp_file_store_options_init(&o);
    o.max_bytes = max;
    ck_assert_int_eq(twin_sp_file_store_open(&fs, path, &o), TWIN_OK);
    return fs;
}

static twin_sp_file_store_stats fstats(twin_sp_file_store *fs)
{
    twin_sp_file_store_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_sp_file_store_get_stats(fs, &s), TWIN_OK);
    return s;
}

START_TEST(test_file_store_persists_until_confirmed)
{
    twin_sp_file_store *fs = fopen_store(1000);
    twin_sp_store c;
    char r[64];
    size_t len;
    uint64_t nx;
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    for (int i = 0; i < 5; i++) {
        int n = snprintf(r, sizeof r, "record %d", i);
        ck_assert_int_eq(c.append(c.ud, r, (size_t)n), TWIN_OK);
    }
    ck_assert_int_eq(c.read(c.ud, TWIN_SP_STORE_FIRST, r, sizeof r, &len, &nx), TWIN_OK);
    ck_assert_int_eq(c.confirm(c.ud, nx), TWIN_OK);  /* record 0 forwarded */
    twin_sp_file_store_close(fs);
    fs = fopen_store(1000);  /* a restart */
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    ck_assert_uint_eq(fstats(fs).records, 4);
    uint64_t cur = TWIN_SP_STORE_FIRST;
    for (int i = 1; i < 5; i++) {
        ck_assert_int_eq(c.read(c.ud, cur, r, sizeof r, &len, &cur), TWIN_OK);
        r[len] = 0;
        char want[32];
        snprintf(want, sizeof want, "record %d", i);
        ck_assert_str_eq(r, want);
    }
    ck_assert_int_eq(c.read(c.ud, cur, r, sizeof r, &len, &nx), TWIN_DONE);
    ck_assert_int_eq(c.read(c.ud, TWIN_SP_STORE_FIRST, r, 2, &len, &nx), TWIN_E_RANGE);
    ck_assert_uint_eq(len, 8);
    ck_assert_int_eq(c.confirm(c.ud, cur), TWIN_OK);
    ck_assert_uint_eq(fstats(fs).records, 0);
    twin_sp_file_store_close(fs);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    ck_assert_int_eq(ftell(f), 16);  /* all confirmed: cut back to its header */
    fclose(f);
}
END_TEST

START_TEST(test_file_store_full_refuses)
{
    twin_sp_file_store *fs = fopen_store(100);
    twin_sp_store c;
    char r[40] = {0};
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    ck_assert_int_eq(c.append(c.ud, r, 40), TWIN_OK);  /* 48 */
    ck_assert_int_eq(c.append(c.ud, r, 40), TWIN_OK);  /* 96 */
    ck_assert_int_eq(c.append(c.ud, r, 1), TWIN_E_BUSY);
    twin_sp_file_store_stats s = fstats(fs);
    ck_assert_uint_eq(s.records, 2);
    ck_assert_uint_eq(s.refused, 1);
    twin_sp_file_store_close(fs);
}
END_TEST

START_TEST(test_file_store_torn_tail_cut)
{
    twin_sp_file_store *fs = fopen_store(1000);
    twin_sp_store c;
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    ck_assert_int_eq(c.append(c.ud, "abc", 3), TWIN_OK);
    ck_assert_int_eq(c.append(c.ud, "defgh", 5), TWIN_OK);
    twin_sp_file_store_close(fs);
    ck_assert_int_eq(truncate(path, 16 + 11 + 10), 0);  /* a crash inside the second */
    fs = fopen_store(1000);
    twin_sp_file_store_stats s = fstats(fs);
    ck_assert_uint_eq(s.records, 1);
    ck_assert_uint_eq(s.truncated, 10);
    twin_sp_file_store_close(fs);
    FILE *f = fopen(path, "r+b");  /* not a store file */
    fwrite("garbage!", 1, 8, f);
    fclose(f);
    twin_sp_file_store *x = (twin_sp_file_store *)&x;
    ck_assert_int_eq(twin_sp_file_store_open(&x, path, NULL), TWIN_E_PARSE);
    ck_assert_ptr_null(x);
}
END_TEST

/* A record whose header claims most of a large file, its bytes damaged:
 * the open cuts it and what follows, and checks it a piece at a time
 * (before 1.7 it allocated what the header claimed: up to the file's size). */
START_TEST(test_file_store_long_corrupt_record_costs_no_memory)
{
    enum { BIG = 4 << 20 };
    twin_sp_file_store *fs = fopen_store((uint64_t)BIG * 2);
    twin_sp_file_store_options o;
    twin_sp_store c;
    char *big = calloc(1, BIG);
    failalloc fa;
    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    ck_assert_int_eq(c.append(c.ud, "abc", 3), TWIN_OK);
    ck_assert_int_eq(c.append(c.ud, big, BIG), TWIN_OK);
    ck_assert_int_eq(c.append(c.ud, "xyz", 3), TWIN_OK);
    twin_sp_file_store_close(fs);
    free(big);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 16 + 11 + 8 + BIG / 2, SEEK_SET), 0);  /* mid-record */
    fputc(1, f);
    fclose(f);
    failalloc_init(&fa);
    twin_sp_file_store_options_init(&o);
    o.max_bytes = (uint64_t)BIG * 2;
    o.alloc = &fa.alloc;
    ck_assert_int_eq(twin_sp_file_store_open(&fs, path, &o), TWIN_OK);
    twin_sp_file_store_stats s = fstats(fs);
    ck_assert_uint_eq(s.records, 1);
    ck_assert_uint_eq(s.truncated, 8 + BIG + 8 + 3);
    ck_assert_uint_lt(fa.peak_bytes, 64 * 1024);
    twin_sp_file_store_close(fs);
    ck_assert_uint_eq(fa.live_bytes, 0);
    failalloc_fini(&fa);
}
END_TEST

/* Compaction (a dead front as large as the bound) keeps order and cursors. */
START_TEST(test_file_store_compacts_in_order)
{
    twin_sp_file_store *fs = fopen_store(64);
    twin_sp_store c;
    uint32_t v, got;
    size_t len;
    uint64_t cur = TWIN_SP_STORE_FIRST, nx;
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    uint32_t w = 0, r = 0;
    for (int round = 0; round < 50; round++) {
        while (c.append(c.ud, (v = w, &v), 4) == TWIN_OK)
            w++;
        /* forward two, confirm them */
        for (int k = 0; k < 2; k++) {
            ck_assert_int_eq(c.read(c.ud, cur, &got, sizeof got, &len, &nx), TWIN_OK);
            ck_assert_uint_eq(got, r++);
            cur = nx;
        }
        ck_assert_int_eq(c.confirm(c.ud, cur), TWIN_OK);
    }
    twin_sp_file_store_close(fs);
    fs = fopen_store(64);
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    cur = TWIN_SP_STORE_FIRST;
    while (c.read(c.ud, cur, &got, sizeof got, &len, &cur) == TWIN_OK)
        ck_assert_uint_eq(got, r++);
    ck_assert_uint_eq(r, w);
    twin_sp_file_store_close(fs);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    ck_assert_int_le(ftell(f), 16 + 2 * 64 + 12);  /* bounded on disk too */
    fclose(f);
}
END_TEST

/* A gateway restart: the records of the first process reach the host from
   the second (new aliases, by name). */
START_TEST(test_edge_restart_forwards_file_records)
{
    twin_sp_file_store *fs = fopen_store(4096);
    twin_sp_store c;
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &c), TWIN_OK);
    for (int i = 0; i < 4; i++) {
        write1(s_temp, T0 + i * 1000, 100.0 + i);
        ck_assert_int_eq(twin_sp_edge_hold(e, T0), TWIN_OK);
    }
    twin_sp_edge_destroy(e);  /* the gateway stops */
    twin_sp_file_store_close(fs);
    twin_ingest_destroy(ing);
    /* a new process: a new ingest handle, signals declared in another order */
    twin_signal_options so;
    twin_signal_options_init(&so);
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "motor/1", "speed", &so, &s_speed), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "motor/1", "temp", &so, &s_temp), TWIN_OK);
    make_edge();
    fs = fopen_store(4096);
    ck_assert_int_eq(twin_sp_file_store_callbacks(fs, &c), TWIN_OK);
    ck_assert_int_eq(twin_sp_edge_set_store(e, &c), TWIN_OK);
    connect_edge();
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_NBIRTH);
    ck_assert_int_eq(next(), TWIN_OK);
    ck_assert_int_eq(msg.type, TWIN_SP_DBIRTH);
    twin_sp_metric m[16];
    ck_assert_uint_eq(decode(m), 2);
    uint64_t temp_alias = 0;
    for (int k = 0; k < 2; k++)
        if (m[k].name_len == 4 && memcmp(m[k].name, "temp", 4) == 0)
            temp_alias = m[k].alias;
    ck_assert_uint_ne(temp_alias, 0);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(next(), TWIN_OK);
        ck_assert_uint_eq(decode(m), 1);
        ck_assert_uint_eq(m[0].alias, temp_alias);
        ck_assert(m[0].value.d == 100.0 + i);
        ck_assert(m[0].flags & TWIN_SP_HISTORICAL);
    }
    ck_assert_int_eq(next(), TWIN_DONE);
    ck_assert_uint_eq(fstats(fs).records, 0);
    twin_sp_edge_destroy(e);
    e = NULL;
    twin_sp_file_store_close(fs);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sp_sf");
    TCase *tc = tcase_create("edge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_edge_no_birth_before_primary_host_online);
    tcase_add_test(tc, test_edge_state_older_timestamp_ignored);
    tcase_add_test(tc, test_edge_state_malformed_or_other_host);
    tcase_add_test(tc, test_edge_rebirths_when_host_back_online);
    tcase_add_test(tc, test_edge_forwards_stored_in_order_historical);
    tcase_add_test(tc, test_edge_store_full_refused_and_counted);
    tcase_add_test(tc, test_edge_hold_without_store_returns_state);
    tcase_add_test(tc, test_edge_unconfirmed_record_resent_after_reconnect);
    tcase_add_test(tc, test_edge_orphaned_records_counted);
    tcase_add_test(tc, test_edge_stores_every_sample_of_the_history);
    tcase_add_test(tc, test_edge_sf_allocation_failures_lose_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_checked_fixture(tc, file_setup, file_teardown);
    tcase_add_test(tc, test_file_store_persists_until_confirmed);
    tcase_add_test(tc, test_file_store_full_refuses);
    tcase_add_test(tc, test_file_store_torn_tail_cut);
    tcase_add_test(tc, test_file_store_long_corrupt_record_costs_no_memory);
    tcase_add_test(tc, test_file_store_compacts_in_order);
    tcase_add_test(tc, test_edge_restart_forwards_file_records);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
