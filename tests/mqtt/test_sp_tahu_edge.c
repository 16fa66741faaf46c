/* Eclipse Tahu's JavaScript Edge Node client (npm sparkplug-client 3.2.4)
 * as a live edge node against libtwin-mqtt's host, bound to a graph and an
 * ingest handle, through a private mosquitto (broker.h). The Tahu side is
 * tests/mqtt/tahu_edge.mjs, driven a step at a time over a pipe; after
 * each step the host's mirror is checked: the twins, metrics, values and
 * types it built, and the stale marking on DDEATH and NDEATH (Tahu's own
 * on a clean stop, and its MQTT will when the process is killed).
 * Usage: test_sp_tahu_edge JS_DIR (tests/mqtt/tahu_edge.sh installs the
 * package there). Skipped (77) without mosquitto or node; failed then if
 * CI=true. */
#define _POSIX_C_SOURCE 200809L
#include <twin/sparkplug_mosq.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "sp_fixture.h"
#include "support/run.h"

static broker B;
static const char *js_dir;

static spf_site site;  /* the host and its mirror */

/* ---- what the host's events said, by device and metric ------------------- */

#define MAX_SEEN 32
typedef struct seen {
    char device[32];   /* "" for node metrics */
    char name[64];
    uint32_t datatype;
    int msg;           /* the last message that carried it */
    double num;        /* numeric value (twin_sp_metric_to_double) */
    int has_num;
    char text[64];     /* string value */
    int events;
} seen;
static seen S[MAX_SEEN];
static int nS;
static int stale_devices, stale_nodes;

static seen *find(const char *device, const char *name)
{
    for (int i = 0; i < nS; i++)
        if (!strcmp(S[i].device, device) && !strcmp(S[i].name, name))
            return &S[i];
    return NULL;
}

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    (void)ud;
    if (ev->kind == TWIN_SP_EVENT_DEVICE_STALE)
        stale_devices++;
    if (ev->kind == TWIN_SP_EVENT_NODE_STALE)
        stale_nodes++;
    if (ev->kind != TWIN_SP_EVENT_METRIC || !ev->metric->name)
        return;
    const twin_sp_metric *m = ev->metric;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)m->name_len, m->name);
    const char *dev = ev->device ? ev->device : "";
    seen *s = find(dev, name);
    if (!s) {
        if (nS == MAX_SEEN)
            return;
        s = &S[nS++];
        memset(s, 0, sizeof *s);
        snprintf(s->device, sizeof s->device, "%s", dev);
        snprintf(s->name, sizeof s->name, "%s", name);
    }
    s->datatype = m->datatype;
    s->msg = ev->msg;
    s->events++;
    s->has_num = twin_sp_metric_to_double(m, &s->num) == TWIN_OK;
    s->text[0] = 0;
    if (m->datatype == TWIN_SP_STRING && m->data)
        snprintf(s->text, sizeof s->text, "%.*s", (int)m->len, (const char *)m->data);
}

/* ---- the Tahu process ------------------------------------------------------- */

static pid_t node_pid;
static int to_node = -1, from_node = -1;
static char line_buf[4096];
static size_t line_len;

static void spin(int ms)
{
    spf_spin(NULL, site.m, ms, NULL);
}

static void node_start(void)
{
    int in[2], out[2];
    char port[16];
    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(out), 0);
    snprintf(port, sizeof port, "%d", B.port);
    node_pid = fork();
    ck_assert_int_ge(node_pid, 0);
    if (node_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        if (chdir(js_dir) != 0)
            _exit(126);
        execlp("node", "node", "tahu_edge.mjs", port, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_node = in[1];
    from_node = out[0];
    fcntl(from_node, F_SETFL, fcntl(from_node, F_GETFL) | O_NONBLOCK);
    line_len = 0;
}

/* Wait for a line from the Tahu process equal to WANT, running the host
 * meanwhile. */
static int node_wait(const char *want, int ms)
{
    int64_t end = spf_now_us() + (int64_t)ms * 1000;
    while (spf_now_us() < end) {
        ssize_t n = read(from_node, line_buf + line_len, sizeof line_buf - 1 - line_len);
        if (n > 0)
            line_len += (size_t)n;
        else if (n == 0)
            return 0;  /* it ended */
        char *nl;
        while ((nl = memchr(line_buf, '\n', line_len))) {
            *nl = 0;
            int match = strcmp(line_buf, want) == 0;
            size_t used = (size_t)(nl - line_buf) + 1;
            memmove(line_buf, nl + 1, line_len - used);
            line_len -= used;
            if (match)
                return 1;
        }
        spin(2);
    }
    return 0;
}

static void node_send(const char *cmd)
{
    char ack[64];
    size_t n = strlen(cmd);
    ck_assert_int_eq(write(to_node, cmd, n), (ssize_t)n);
    ck_assert_int_eq(write(to_node, "\n", 1), 1);
    snprintf(ack, sizeof ack, "ok %.*s", (int)strcspn(cmd, " "), cmd);
    ck_assert_msg(node_wait(ack, 10000), "Tahu did not answer %s", cmd);
}

static void node_stop(void)
{
    if (to_node >= 0)
        close(to_node);  /* its stdin ends: it exits */
    if (from_node >= 0)
        close(from_node);
    to_node = from_node = -1;
    if (node_pid > 0) {
        int st;
        for (int i = 0; i < 200 && waitpid(node_pid, &st, WNOHANG) == 0; i++)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
        if (waitpid(node_pid, &st, WNOHANG) == 0) {
            kill(node_pid, SIGKILL);  /* our own child, by its PID */
            waitpid(node_pid, &st, 0);
        }
    }
    node_pid = 0;
}

/* ---- the host ---------------------------------------------------------------- */

static void setup(void)
{
    /* counters of the event callback start at zero in each test (with
       CK_FORK=no the tests share one process) */
    stale_devices = stale_nodes = 0;
    nS = 0;
    ck_assert_int_eq(broker_start(&B), 0);
    twin_sp_host_options o;
    twin_sp_host_options_init(&o);
    o.on_event = on_event;
    twin_sp_mosq_options mo = spf_mosq_options(B.port);
    mo.group_id = "plant";
    spf_site_up(&site, &o, NULL, &mo);
}

static void teardown(void)
{
    node_stop();
    spf_site_down(&site);
    broker_stop(&B, SIGTERM);
}

/* The mirror's latest value of TWIN's signal NAME, at time T (us). */
static double latest(const char *twin, const char *name, int64_t *t)
{
    twin_signal s;
    double v = 0;
    int64_t tt = 0;
    ck_assert_msg(twin_ingest_resolve(site.i, twin, name, NULL, &s) == TWIN_OK, "no signal %s/%s",
                  twin, name);
    ck_assert_int_eq(twin_ingest_get_latest(site.i, s, &tt, &v), TWIN_OK);
    if (t)
        *t = tt;
    return v;
}

static int online(const char *twin)
{
    const twin_value *v;
    ck_assert_int_eq(twin_graph_get_property(site.g, twin, TWIN_SP_ONLINE_PROPERTY, &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_BOOL);
    return v->as.b;
}

static void check_metric(const char *device, const char *name, uint32_t type, double num)
{
    const seen *s = find(device, name);
    ck_assert_msg(s != NULL, "no event for %s/%s", device, name);
    ck_assert_msg(s->datatype == type, "%s/%s: type %u, Tahu sent %u", device, name, s->datatype,
                  type);
    ck_assert_msg(s->has_num && s->num == num, "%s/%s: %g, Tahu sent %g", device, name, s->num,
                  num);
}

static void check_text(const char *device, const char *name, const char *text)
{
    const seen *s = find(device, name);
    ck_assert_msg(s != NULL, "no event for %s/%s", device, name);
    ck_assert_uint_eq(s->datatype, TWIN_SP_STRING);
    ck_assert_str_eq(s->text, text);
}

static int births_done(void)
{
    twin_sp_host_stats s = spf_host_stats(site.h);
    return s.received[TWIN_SP_NBIRTH] == 1 && s.received[TWIN_SP_DBIRTH] == 2;
}

START_TEST(test_tahu_edge_mirrored_by_our_host)
{
    spin(300);  /* the host connects, subscribes, says online */
    node_start();
    ck_assert_msg(node_wait("ready", 15000), "the Tahu edge did not connect");

    /* births: NBIRTH with bdSeq (Tahu: UInt64 0) and two devices */
    node_send("birth");
    for (int i = 0; i < 2500 && !births_done(); i++)
        spin(2);
    ck_assert(births_done());
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", "pump1"), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", "tank2"), TWIN_OK);
    check_metric("", "bdSeq", TWIN_SP_UINT64, 0);
    check_metric("", "Node Control/Rebirth", TWIN_SP_BOOLEAN, 0);
    check_text("", "Properties/Firmware", "tahu-3.2.4");
    check_metric("pump1", "temp", TWIN_SP_DOUBLE, 21.5);
    check_metric("pump1", "speed", TWIN_SP_FLOAT, 1450.5);
    check_metric("pump1", "count", TWIN_SP_INT32, -7);
    check_metric("pump1", "total", TWIN_SP_UINT64, 123456789012.0);
    check_metric("pump1", "level", TWIN_SP_INT16, 300);
    check_metric("pump1", "running", TWIN_SP_BOOLEAN, 1);
    check_metric("pump1", "started", TWIN_SP_DATETIME, 1700000000000.0);
    check_text("pump1", "mode", "auto");
    check_metric("tank2", "fill", TWIN_SP_UINT8, 42);
    /* the mirror: two twins, a signal per numeric metric with its BIRTH
       value, the unit from engUnit; the String is not a signal */
    ck_assert_int_eq(twin_graph_find_twin(site.g, "pump1", NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_find_twin(site.g, "tank2", NULL), TWIN_OK);
    twin_sp_bind_stats bs = spf_bind_stats(site.h);
    ck_assert_uint_eq(bs.twins_created, 2);
    ck_assert_uint_eq(bs.signals_bound, 8);
    ck_assert_uint_eq(bs.not_bound, 1);
    ck_assert(latest("pump1", "temp", NULL) == 21.5);
    ck_assert(latest("pump1", "speed", NULL) == 1450.5);
    ck_assert(latest("pump1", "count", NULL) == -7.0);
    ck_assert(latest("pump1", "total", NULL) == 123456789012.0);
    ck_assert(latest("pump1", "level", NULL) == 300.0);
    ck_assert(latest("pump1", "running", NULL) == 1.0);
    ck_assert(latest("pump1", "started", NULL) == 1700000000000.0);
    ck_assert(latest("tank2", "fill", NULL) == 42.0);
    twin_signal sig;
    const char *unit = NULL;
    ck_assert_int_eq(twin_ingest_resolve(site.i, "pump1", "temp", NULL, &sig), TWIN_OK);
    ck_assert_int_eq(twin_ingest_signal_info(site.i, sig, NULL, NULL, &unit), TWIN_OK);
    ck_assert_str_eq(unit, "degreeCelsius");
    ck_assert_int_eq(twin_ingest_resolve(site.i, "pump1", "mode", NULL, &sig), TWIN_E_NOTFOUND);
    ck_assert(online("pump1"));
    ck_assert(online("tank2"));

    /* DATA: by alias and by name, each value at Tahu's timestamp */
    int64_t t_ms = spf_now_us() / 1000 + 1000;
    char cmd[64];
    snprintf(cmd, sizeof cmd, "data %lld", (long long)t_ms);
    node_send(cmd);
    int64_t t = 0;
    for (int i = 0; i < 2500 && spf_host_stats(site.h).received[TWIN_SP_DDATA] < 2; i++)
        spin(2);
    ck_assert_uint_eq(spf_host_stats(site.h).received[TWIN_SP_DDATA], 2);
    ck_assert(latest("pump1", "temp", &t) == 22.75);
    ck_assert_int_eq(t, t_ms * 1000);
    ck_assert(latest("pump1", "speed", NULL) == 1500.25);
    ck_assert(latest("pump1", "count", NULL) == 8.0);
    ck_assert(latest("pump1", "running", NULL) == 0.0);
    ck_assert(latest("tank2", "fill", &t) == 200.0);
    ck_assert_int_eq(t, t_ms * 1000);
    check_metric("pump1", "temp", TWIN_SP_DOUBLE, 22.75);  /* named from the alias */
    ck_assert_int_eq(find("pump1", "temp")->msg, TWIN_SP_DDATA);
    check_metric("pump1", "running", TWIN_SP_BOOLEAN, 0);
    check_text("pump1", "mode", "manual");
    twin_sp_host_stats hs = spf_host_stats(site.h);
    ck_assert_uint_eq(hs.malformed + hs.seq_gaps + hs.unknown_alias + hs.before_birth +
                          hs.wrong_type + hs.unsupported,
                      0);
    ck_assert_uint_eq(spf_bind_stats(site.h).samples, 8 + 5);  /* births 8, DATA 4 + 1 (mode is no signal) */

    /* DDEATH of pump1: pump1 stale, tank2 and the node still online */
    node_send("ddeath pump1");
    for (int i = 0; i < 2500 && stale_devices < 1; i++)
        spin(2);
    ck_assert_int_eq(stale_devices, 1);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", "pump1"), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", "tank2"), TWIN_OK);
    ck_assert(!online("pump1"));
    ck_assert(online("tank2"));
    ck_assert(latest("pump1", "temp", NULL) == 22.75);  /* its last value stays */

    /* NDEATH (Tahu's stop: bdSeq 0, as its NBIRTH): all of it stale */
    node_send("stop");
    for (int i = 0; i < 2500 && stale_nodes < 1; i++)
        spin(2);
    ck_assert_int_eq(stale_nodes, 1);
    ck_assert_uint_eq(spf_host_stats(site.h).stale_deaths, 0);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", NULL), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", "tank2"), TWIN_E_STATE);
    ck_assert(!online("tank2"));
    ck_assert(!online("pump1"));
}
END_TEST

START_TEST(test_tahu_edge_killed_its_will_marks_stale)
{
    spin(300);
    node_start();
    ck_assert_msg(node_wait("ready", 15000), "the Tahu edge did not connect");
    node_send("birth");
    for (int i = 0; i < 2500 && !births_done(); i++)
        spin(2);
    ck_assert(births_done());
    ck_assert(online("pump1"));
    /* the process dies: the broker publishes Tahu's will, its NDEATH
       (bdSeq 0, as the NBIRTH's) */
    kill(node_pid, SIGKILL);  /* our own child, by its PID */
    for (int i = 0; i < 2500 && stale_nodes < 1; i++)
        spin(2);
    ck_assert_int_eq(stale_nodes, 1);
    ck_assert_int_eq(stale_devices, 2);
    ck_assert_uint_eq(spf_host_stats(site.h).received[TWIN_SP_NDEATH], 1);
    ck_assert_uint_eq(spf_host_stats(site.h).stale_deaths, 0);
    ck_assert_int_eq(twin_sp_host_status(site.h, "plant", "tahu1", "pump1"), TWIN_E_STATE);
    ck_assert(!online("pump1"));
    ck_assert(!online("tank2"));
}
END_TEST

static Suite *tahu_suite(void)
{
    Suite *s = suite_create("sparkplug_tahu_edge");
    TCase *tc = tcase_create("tahu_client");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_tahu_edge_mirrored_by_our_host);
    tcase_add_test(tc, test_tahu_edge_killed_its_will_marks_stale);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s JS_DIR (see tests/mqtt/tahu_edge.sh)\n", argv[0]);
        return 2;
    }
    js_dir = argv[1];
    if (!broker_available(&B))
        return broker_missing_status();
    if (broker_dir(&B) < 0)
        return 1;
    mosquitto_lib_init();
    int rc = run_suite(tahu_suite());
    broker_fini(&B);
    mosquitto_lib_cleanup();
    return rc;
}
