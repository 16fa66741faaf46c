/* libtwin-mqtt's primary host awareness and store and forward against a
 * real broker (a private Debian mosquitto, broker.h): an Edge Node with a
 * file store that waits for its Primary Host Application "site", and that
 * host, bound to a graph and an ingest handle. The host goes away, the
 * broker is killed, the gateway process is killed, the store fills up:
 * each sample the store accepted reaches the host exactly once, in order,
 * flagged historical. Without mosquitto the test is skipped (77), or fails
 * when CI=true. */
#include <twin/sparkplug_mosq.h>

#include <check.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "sp_fixture.h"
#include "support/run.h"

#define MODEL "dtmi:test:Motor;1"
#define TWIN "motor/0"
#define DEVICE "motor%2F0"
#define MAX_EV 4096

static broker B;
static char sf_path[128];
static twin_graph *eg;
static twin_ingest *ei;
static twin_sp_edge *e;
static spf_site S;  /* the host and its mirror */
static twin_sp_mosq *em;
static twin_sp_file_store *fs;
static twin_signal temp;

/* DDATA metrics of the device that reached the host, in arrival order. */
typedef struct ev {
    int64_t t_ms;
    double v;
    int historical;
} ev;
static ev evs[MAX_EV];
static size_t nev;

/* An edge with one twin and signal, its primary host "site", a file store
   of max_bytes; returns 0 or -1 (no check: a child process calls it too). */
static int edge_open(uint32_t bdseq, uint64_t max_bytes)
{
    twin_sp_edge_options o;
    twin_sp_file_store_options fo;
    twin_sp_store st;
    twin_sp_mosq_options mo = spf_mosq_options(B.port);
    twin_signal_options so;
    twin_signal_options_init(&so);
    so.history = 16;  /* samples written between two loop calls are all kept */
    twin_sp_edge_options_init(&o);
    o.group_id = "plant";
    o.node_id = "gw1";
    o.bdseq = bdseq;
    twin_sp_file_store_options_init(&fo);
    fo.max_bytes = max_bytes;
    if (twin_graph_create(&eg, NULL) < 0 || twin_ingest_create(&ei, eg, NULL) < 0 ||
        twin_graph_add_twin(eg, TWIN, MODEL, NULL, 0) < 0 ||
        twin_ingest_add_signal(ei, TWIN, "temp", &so, &temp) < 0 ||
        twin_sp_edge_create(&e, eg, ei, &o) < 0 || twin_sp_edge_set_primary_host(e, "site") < 0 ||
        twin_sp_file_store_open(&fs, sf_path, &fo) < 0 || twin_sp_file_store_callbacks(fs, &st) < 0 ||
        twin_sp_edge_set_store(e, &st) < 0 || twin_sp_mosq_edge_create(&em, e, &mo) < 0)
        return -1;
    return 0;
}

static void edge_close(void)
{
    twin_sp_mosq_destroy(em);  /* no clean stop: the broker sends the NDEATH */
    twin_sp_edge_destroy(e);
    twin_sp_file_store_close(fs);
    twin_ingest_destroy(ei);
    twin_graph_destroy(eg);
    em = NULL;
    e = NULL;
    fs = NULL;
    ei = NULL;
    eg = NULL;
}

static void on_event(void *ud, const twin_sp_host_event *x)
{
    (void)ud;
    if (x->kind != TWIN_SP_EVENT_METRIC || x->msg != TWIN_SP_DDATA || !x->device ||
        strcmp(x->device, DEVICE) != 0 || nev >= MAX_EV)
        return;
    evs[nev].t_ms = (int64_t)x->metric->timestamp;
    evs[nev].v = x->metric->value.d;
    evs[nev].historical = (x->metric->flags & TWIN_SP_HISTORICAL) != 0;
    nev++;
}

static void host_up(void)
{
    twin_sp_host_options o;
    twin_sp_host_options_init(&o);
    o.on_event = on_event;
    twin_sp_mosq_options mo = spf_mosq_options(B.port);
    mo.group_id = "plant";
    spf_site_up(&S, &o, NULL, &mo);
    nev = 0;
}

static void setup(void)
{
    snprintf(sf_path, sizeof sf_path, "%s/edge.sf", B.dir);
    unlink(sf_path);
    nev = 0;
    ck_assert_int_eq(broker_start(&B), 0);
}

static void teardown(void)
{
    edge_close();
    spf_site_down(&S);
    broker_stop(&B, SIGTERM);
    B.port = 0;
    unlink(sf_path);
}

static int spin(int ms, int (*cond)(void))
{
    return spf_spin(em, S.m, ms, cond);
}

static uint64_t host_outcome(int outcome)
{
    twin_signal s;
    twin_ingest_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    if (twin_ingest_resolve(S.i, TWIN, "temp", NULL, &s) != TWIN_OK ||
        twin_ingest_get_stats(S.i, s, &st) != TWIN_OK)
        return 0;
    return st.outcomes[outcome];
}

/* Sample i of a run: at t0 + i ms, value 1000 + i. */
static int64_t T0;
static void edge_write(int i)
{
    twin_signal_sample x = {temp, T0 + (int64_t)i * 1000, 1000.0 + i};
    ck_assert_int_eq(twin_ingest_write_signals(ei, &x, 1, NULL, NULL), TWIN_OK);
}

static size_t want_ev;
static int got_events(void)
{
    return nev >= want_ev;
}
static int host_offline_seen(void)
{
    return spf_sf_stats(e).host_online == 0;
}
static int host_online_seen(void)
{
    return spf_sf_stats(e).host_online == 1;
}

/* Events first..first+n-1 are samples from..from+n-1, in order, flagged as said. */
static void check_events(size_t first, int from, size_t n, int historical)
{
    for (size_t k = 0; k < n; k++) {
        const ev *x = &evs[first + k];
        int i = from + (int)k;
        ck_assert_msg(x->t_ms == (T0 + (int64_t)i * 1000) / 1000 && x->v == 1000.0 + i,
                      "event %zu: t %lld v %g, want sample %d", first + k, (long long)x->t_ms,
                      x->v, i);
        ck_assert_int_eq(x->historical, historical);
    }
}

/* Live samples from..to-1, each waited for at the host. */
static void stream_live(int from, int to)
{
    for (int i = from; i < to; i++) {
        edge_write(i);
        want_ev = nev + 1;
        ck_assert_msg(spin(5000, got_events), "live sample %d did not arrive", i);
    }
}

/* Samples from..to-1 while the edge cannot publish, an edge loop (a round:
   a record) after every per_loop of them and after the last. */
static void stream_held(int from, int to, int per_loop)
{
    for (int i = from; i < to; i++) {
        edge_write(i);
        if ((i - from) % per_loop != per_loop - 1 && i != to - 1)
            continue;
        ck_assert_int_eq(twin_sp_mosq_loop(em, 0), TWIN_OK);
        if (S.m)
            ck_assert_int_eq(twin_sp_mosq_loop(S.m, 0), TWIN_OK);
    }
}

static void start_both(void)
{
    T0 = spf_now_us() / 1000 * 1000 - 3600000000LL;  /* an hour ago, whole ms */
    host_up();
    ck_assert(spin(200, NULL));
    ck_assert_int_eq(edge_open(0, 1 << 20), 0);
    ck_assert_msg(spin(10000, host_online_seen), "the edge did not see the host online");
}

START_TEST(test_host_offline_edge_stores_then_historical_in_order)
{
    start_both();
    stream_live(0, 5);
    check_events(0, 0, 5, 0);
    spf_site_down(&S);
    ck_assert_msg(spin(5000, host_offline_seen), "the host's will did not reach the edge");
    stream_held(5, 105, 3);
    twin_sp_edge_sf_stats s = spf_sf_stats(e);
    ck_assert_uint_eq(s.stored_samples, 100);
    ck_assert_uint_eq(s.stored_records, 34);  /* three samples a round */
    ck_assert_uint_eq(s.refused_samples, 0);
    host_up();  /* a new host process: an empty mirror */
    want_ev = 100;
    ck_assert_msg(spin(10000, got_events), "%zu of 100 historical samples arrived", nev);
    ck_assert(spin(300, NULL));  /* nothing more comes */
    ck_assert_uint_eq(nev, 100);
    check_events(0, 5, 100, 1);
    stream_live(105, 115);
    check_events(100, 105, 10, 0);
    /* the mirror: the birth's value (sample 4, the last the host had), then
       every historical sample and the live ones, accepted in order */
    ck_assert_uint_eq(host_outcome(TWIN_INGEST_ACCEPTED), 1 + 100 + 10);
    ck_assert_uint_eq(host_outcome(TWIN_INGEST_OUT_OF_ORDER), 0);
    twin_sp_file_store_stats fst;
    memset(&fst, 0, sizeof fst);
    fst.size = sizeof fst;
    ck_assert_int_eq(twin_sp_file_store_get_stats(fs, &fst), TWIN_OK);
    ck_assert_uint_eq(fst.records, 0);
    ck_assert_uint_eq(spf_sf_stats(e).forwarded_samples, 100);
}
END_TEST

static int edge_connected(void)
{
    twin_sp_mosq_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    twin_sp_mosq_get_stats(em, &s);
    return (int)s.connected;
}

START_TEST(test_broker_killed_mid_stream_nothing_lost)
{
    start_both();
    stream_live(0, 50);
    broker_stop(&B, SIGKILL);  /* a crash: no wills, no retained STATE left */
    ck_assert(spin(300, NULL));
    ck_assert_int_eq(edge_connected(), 0);
    stream_held(50, 100, 4);  /* the link is down: to the store */
    ck_assert_uint_eq(spf_sf_stats(e).stored_samples, 50);
    ck_assert_int_eq(broker_start(&B), 0);  /* same port */
    want_ev = 100;
    ck_assert_msg(spin(15000, got_events), "%zu of 100 samples arrived", nev);
    stream_live(100, 110);
    ck_assert(spin(300, NULL));
    ck_assert_uint_eq(nev, 110);
    check_events(0, 0, 50, 0);
    check_events(50, 50, 50, 1);
    check_events(100, 100, 10, 0);
    ck_assert_uint_eq(host_outcome(TWIN_INGEST_ACCEPTED), 110);
}
END_TEST

/* The gateway process: samples 0..n-1 while the host is away, each
   followed by a loop (to its store), then it reports how many the store
   took and waits to be killed. */
static void gateway_child(int fd, int n)
{
    if (edge_open(0, 1 << 20) < 0)
        _exit(2);
    for (int i = 0; i < n; i++) {
        twin_signal_sample x = {temp, T0 + (int64_t)i * 1000, 1000.0 + i};
        if (twin_ingest_write_signals(ei, &x, 1, NULL, NULL) < 0 ||
            twin_sp_mosq_loop(em, 0) < 0)
            _exit(3);
    }
    twin_sp_edge_sf_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    twin_sp_edge_get_sf_stats(e, &s);
    if (write(fd, &s.stored_samples, sizeof s.stored_samples) < 0)
        _exit(4);
    for (;;)
        twin_sp_mosq_loop(em, 50);
}

START_TEST(test_gateway_killed_restarts_from_its_store)
{
    int p[2];
    T0 = spf_now_us() / 1000 * 1000 - 3600000000LL;
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        gateway_child(p[1], 30);
    }
    close(p[1]);
    uint64_t stored = 0;
    ck_assert_int_eq(read(p[0], &stored, sizeof stored), (int)sizeof stored);
    close(p[0]);
    ck_assert_uint_eq(stored, 30);
    kill(pid, SIGKILL);  /* the gateway crashes */
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    /* it restarts (the next bdSeq), gets 10 more samples, and the host comes */
    ck_assert_int_eq(edge_open(1, 1 << 20), 0);
    stream_held(30, 40, 1);
    host_up();
    want_ev = 40;
    ck_assert_msg(spin(10000, got_events), "%zu of 40 samples arrived", nev);
    ck_assert(spin(300, NULL));
    ck_assert_uint_eq(nev, 40);
    check_events(0, 0, 40, 1);
    ck_assert_uint_eq(host_outcome(TWIN_INGEST_ACCEPTED), 40);
}
END_TEST

START_TEST(test_store_full_refused_counted_accepted_all_arrive)
{
    /* each record: 8 + 6 + 7 (twin id) + 18 + 4 (name) = 43 bytes: 10 fit */
    T0 = spf_now_us() / 1000 * 1000 - 3600000000LL;
    ck_assert_int_eq(edge_open(0, 430), 0);
    ck_assert(spin(300, NULL));  /* connected; no host: holding */
    stream_held(0, 25, 1);
    twin_sp_edge_sf_stats s = spf_sf_stats(e);
    ck_assert_uint_eq(s.stored_samples, 10);
    ck_assert_uint_eq(s.refused_samples, 15);
    ck_assert_uint_eq(s.refused_records, 15);
    host_up();
    want_ev = 10;
    ck_assert_msg(spin(10000, got_events), "%zu of 10 samples arrived", nev);
    ck_assert(spin(300, NULL));
    ck_assert_uint_eq(nev, 10);
    check_events(0, 0, 10, 1);  /* what the store took, nothing refused */
    /* drained: the store takes records again */
    stream_live(25, 30);
    check_events(10, 25, 5, 0);
}
END_TEST

static Suite *sf_suite(void)
{
    Suite *s = suite_create("sparkplug_sf_broker");
    TCase *tc = tcase_create("mosquitto");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_host_offline_edge_stores_then_historical_in_order);
    tcase_add_test(tc, test_broker_killed_mid_stream_nothing_lost);
    tcase_add_test(tc, test_gateway_killed_restarts_from_its_store);
    tcase_add_test(tc, test_store_full_refused_counted_accepted_all_arrive);
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
    int rc = run_suite(sf_suite());
    broker_fini(&B);
    mosquitto_lib_cleanup();
    return rc;
}
