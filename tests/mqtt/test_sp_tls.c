/* libtwin-mqtt over mutual TLS: a private mosquitto 2.0 (broker.h) with a
 * TLS listener on 127.0.0.1 that requires client certificates, takes their
 * CN as the user name and applies per-client ACLs; certificates made by
 * the openssl command line into a temporary directory. Shown here: edge
 * and host work over it; a client without a certificate (or with one from
 * another CA, or without TLS) does not connect; an edge node cannot
 * publish outside its own topics; a write command is refused and counted
 * by the edge; a payload with a metric of every Sparkplug data type goes
 * through to the host (DataSet and Template refused as unsupported).
 * Skipped (77) without mosquitto or openssl, failed then if CI=true. */
#define _POSIX_C_SOURCE 200809L
#include <twin/sparkplug_mosq.h>

#include <check.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "sp_fixture.h"
#include "support/run.h"

static broker B;
static char certs[64];   /* the certificates' temporary directory */
static char conf[2048];  /* the TLS listener's configuration */

static twin_graph *eg;
static twin_ingest *ei;
static twin_sp_edge *e;
static spf_site S;  /* the host and its mirror */
static twin_sp_mosq *em;
static twin_signal temp_sig;

/* ---- certificates ---------------------------------------------------------- */

/* A CA, the broker's certificate (subjectAltName IP:127.0.0.1), client
 * certificates whose CN is the MQTT user name (site: the host; gw1, gw2:
 * edge nodes) and a rogue CA with a "gw1" of its own. */
static int make_certs(void)
{
    char cmd[4096];
    snprintf(certs, sizeof certs, "/tmp/twin-tls-XXXXXX");
    if (!mkdtemp(certs))
        return -1;
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; exec >openssl.log 2>&1\n"
             "key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 "
             "-out \"$1.key\"; }\n"
             "ca() { key \"$1\"; openssl req -x509 -new -key \"$1.key\" -out \"$1.crt\" "
             "-days 2 -subj \"/CN=$1\"; }\n"
             "issue() { key \"$1\"; openssl req -new -key \"$1.key\" -out \"$1.csr\" "
             "-subj \"/CN=$3\"; openssl x509 -req -in \"$1.csr\" -CA \"$2.crt\" "
             "-CAkey \"$2.key\" -CAcreateserial -days 2 -out \"$1.crt\" $4; }\n"
             "printf 'subjectAltName=IP:127.0.0.1\\n' >server.ext\n"
             "ca ca; ca rogue\n"
             "issue server ca 127.0.0.1 '-extfile server.ext'\n"
             "issue site ca site; issue gw1 ca gw1; issue gw2 ca gw2\n"
             "issue rogue-gw1 rogue gw1\n"
             "mkdir cadir; cp ca.crt cadir/; openssl rehash cadir\n"
             /* mosquitto run by root reads them as user mosquitto */
             "chmod 0644 *.key *.crt; chmod 0755 cadir\n",
             certs);
    FILE *p = popen("sh", "w");
    if (!p)
        return -1;
    fputs(cmd, p);
    int rc = pclose(p);
    chmod(certs, 0755);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s/openssl.log' >&2", certs);
        if (system(cmd) != 0)
            fprintf(stderr, "no openssl.log\n");
    }
    return rc == 0 ? 0 : -1;
}

static void remove_certs(void)
{
    char cmd[128];
    if (!certs[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", certs);  /* our own mkdtemp directory */
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", certs);
    certs[0] = 0;
}

static const char *cert(const char *name, const char *ext)
{
    static char buf[8][128];
    static int i;
    char *b = buf[i++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s.%s", certs, name, ext);
    return b;
}

/* The listener's TLS and the ACLs: the host "site" reads everything and
 * writes commands and its STATE; an edge node (its certificate's CN)
 * writes only under spBv1.0/plant/+/NODE/# and reads its commands. */
static int write_conf(void)
{
    char acl[128];
    snprintf(acl, sizeof acl, "%s/acl", certs);
    FILE *f = fopen(acl, "w");
    if (!f)
        return -1;
    fputs("user site\n"
          "topic read spBv1.0/#\n"
          "topic write spBv1.0/+/NCMD/#\n"
          "topic write spBv1.0/+/DCMD/#\n"
          "topic write spBv1.0/STATE/site\n"
          "\n"
          "pattern write spBv1.0/plant/+/%u/#\n"
          "pattern read spBv1.0/plant/NCMD/%u\n"
          "pattern read spBv1.0/plant/DCMD/%u/#\n"
          "pattern read spBv1.0/STATE/#\n",
          f);
    fclose(f);
    chmod(acl, 0644);
    snprintf(conf, sizeof conf,
             "cafile %s\ncertfile %s\nkeyfile %s\n"
             "require_certificate true\nuse_identity_as_username true\n"
             "acl_file %s\n",
             cert("ca", "crt"), cert("server", "crt"), cert("server", "key"), acl);
    B.extra_conf = conf;
    return 0;
}

/* ---- clock, loops ---------------------------------------------------------- */

static int spin(int ms, int (*cond)(void))
{
    return spf_spin(em, S.m, ms, cond);
}

/* ---- our sessions ------------------------------------------------------------ */

/* TLS options with the client certificate NAME (NULL: none, CA only). */
static twin_sp_mosq_options tls_opts(const char *name)
{
    twin_sp_mosq_options o;
    twin_sp_mosq_options_init(&o);
    o.port = (uint32_t)B.port;
    o.reconnect_delay_us = 100000;
    o.tls_ca_file = cert("ca", "crt");
    if (name) {
        o.tls_cert_file = cert(name, "crt");
        o.tls_key_file = cert(name, "key");
    }
    return o;
}

/* An edge node NODE with one twin "motor/0" (signal temp), connecting
 * with certificate CERT. */
static void edge_up(const char *node, const char *cert_name)
{
    ck_assert_int_eq(twin_graph_create(&eg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ei, eg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(eg, "motor/0", "dtmi:test:Motor;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ei, "motor/0", "temp", NULL, &temp_sig), TWIN_OK);
    twin_sp_edge_options o;
    twin_sp_edge_options_init(&o);
    o.group_id = "plant";
    o.node_id = node;
    ck_assert_int_eq(twin_sp_edge_create(&e, eg, ei, &o), TWIN_OK);
    twin_sp_mosq_options mo = tls_opts(cert_name);
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_OK);
}

static void edge_down(void)
{
    twin_sp_mosq_destroy(em);
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ei);
    twin_graph_destroy(eg);
    em = NULL;
    e = NULL;
    ei = NULL;
    eg = NULL;
}

static void on_event(void *ud, const twin_sp_host_event *ev);

static void host_up(void)
{
    twin_sp_host_options o;
    twin_sp_host_options_init(&o);
    o.on_event = on_event;
    twin_sp_mosq_options mo = tls_opts("site");
    mo.group_id = "plant";
    spf_site_up(&S, &o, NULL, &mo);
}

static void edge_write(int64_t t, double v)
{
    twin_signal_sample x = {temp_sig, t, v};
    uint8_t out;
    ck_assert_int_eq(twin_ingest_write_signals(ei, &x, 1, &out, NULL), TWIN_OK);
    ck_assert_int_eq(out, TWIN_INGEST_ACCEPTED);
}

static int64_t want_t;
static int host_has_value(void)
{
    twin_signal s;
    int64_t t;
    double v;
    return twin_ingest_resolve(S.i, "motor/0", "temp", NULL, &s) == TWIN_OK &&
           twin_ingest_get_latest(S.i, s, &t, &v) == TWIN_OK && t == want_t;
}

static int edge_connected(void)
{
    return spf_mosq_stats(em).connected;
}

/* Connected, and subscribed: its own STATE came back (the SUBSCRIBEs went
   before it), so births from now on reach it. */
static int host_connected(void)
{
    twin_sp_mosq_stats s = spf_mosq_stats(S.m);
    return s.connected && s.received >= 1;
}

/* ---- raw libmosquitto clients ------------------------------------------------ */

#define MAX_SEEN 32
typedef struct raw {
    struct mosquitto *mq;
    int connack;                 /* 0: none yet; 1: accepted; -1: refused */
    int nseen;
    char seen[MAX_SEEN][128];    /* topics received */
} raw;

static void raw_on_connect(struct mosquitto *mq, void *ud, int rc)
{
    (void)mq;
    ((raw *)ud)->connack = rc == 0 ? 1 : -1;
}

static void raw_on_message(struct mosquitto *mq, void *ud, const struct mosquitto_message *m)
{
    raw *r = (raw *)ud;
    (void)mq;
    if (r->nseen < MAX_SEEN)
        snprintf(r->seen[r->nseen++], sizeof r->seen[0], "%s", m->topic);
}

/* tls: 0 plain MQTT; 1 TLS with client certificate NAME (NULL: none). */
static void raw_new(raw *r, int tls, const char *name)
{
    memset(r, 0, sizeof *r);
    r->mq = mosquitto_new(NULL, 1, r);
    ck_assert_ptr_nonnull(r->mq);
    mosquitto_connect_callback_set(r->mq, raw_on_connect);
    mosquitto_message_callback_set(r->mq, raw_on_message);
    if (tls)
        ck_assert_int_eq(mosquitto_tls_set(r->mq, cert("ca", "crt"), NULL,
                                           name ? cert(name, "crt") : NULL,
                                           name ? cert(name, "key") : NULL, NULL),
                         MOSQ_ERR_SUCCESS);
}

/* Connect and wait up to 3 s for the CONNACK: 1 accepted, 0 not. */
static int raw_connect(raw *r)
{
    if (mosquitto_connect(r->mq, "127.0.0.1", B.port, 30) != MOSQ_ERR_SUCCESS)
        return 0;
    for (int i = 0; i < 300 && r->connack == 0; i++)
        if (mosquitto_loop(r->mq, 10, 1) != MOSQ_ERR_SUCCESS)
            break;
    return r->connack == 1;
}

static void raw_loop(raw *r, int ms)
{
    int64_t end = spf_now_us() + (int64_t)ms * 1000;
    while (spf_now_us() < end) {
        mosquitto_loop(r->mq, 5, 1);
        spin(1, NULL);
    }
}

static int raw_saw(const raw *r, const char *topic)
{
    for (int i = 0; i < r->nseen; i++)
        if (strcmp(r->seen[i], topic) == 0)
            return 1;
    return 0;
}

static void raw_free(raw *r)
{
    if (r->connack == 1) {
        mosquitto_disconnect(r->mq);
        mosquitto_loop(r->mq, 10, 1);
    }
    mosquitto_destroy(r->mq);
    r->mq = NULL;
}

/* ---- fixture ----------------------------------------------------------------- */

static void setup(void)
{
    ck_assert_int_eq(broker_start(&B), 0);
}

static void teardown(void)
{
    if (em)
        twin_sp_mosq_stop(em);
    edge_down();
    spf_site_down(&S);
    broker_stop(&B, SIGTERM);
    B.port = 0;
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(test_tls_options_checked)
{
    twin_sp_edge_options o;
    twin_sp_mosq_options mo;
    ck_assert_int_eq(twin_graph_create(&eg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ei, eg, NULL), TWIN_OK);
    twin_sp_edge_options_init(&o);
    o.group_id = "plant";
    o.node_id = "gw1";
    ck_assert_int_eq(twin_sp_edge_create(&e, eg, ei, &o), TWIN_OK);
    /* a certificate without its key, a key without a CA, a bad version */
    mo = tls_opts("gw1");
    mo.tls_key_file = NULL;
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_E_INVAL);
    ck_assert_ptr_null(em);
    mo = tls_opts("gw1");
    mo.tls_ca_file = NULL;
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_E_INVAL);
    mo = tls_opts(NULL);
    mo.tls_version = "sslv3";
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_E_INVAL);
    mo = tls_opts(NULL);
    mo.tls_ca_file = NULL;
    mo.tls_version = "tlsv1.3";  /* a version without TLS */
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_E_INVAL);
    /* files that cannot be read */
    mo = tls_opts("gw1");
    mo.tls_key_file = cert("nobody", "key");
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_E_IO);
    mo = tls_opts(NULL);
    mo.tls_ca_file = cert("nobody", "crt");
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_E_IO);
    ck_assert_ptr_null(em);
    /* and good ones */
    mo = tls_opts("gw1");
    mo.tls_version = "tlsv1.2";
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_OK);
    ck_assert_ptr_nonnull(em);
}
END_TEST

START_TEST(test_mutual_tls_edge_to_host)
{
    host_up();
    ck_assert_msg(spin(5000, host_connected), "the host did not connect over TLS");
    edge_up("gw1", "gw1");
    want_t = spf_now_ms_us();
    edge_write(want_t, 21.5);
    ck_assert_msg(spin(10000, host_has_value), "the first value did not reach the host");
    for (int i = 1; i <= 20; i++) {
        want_t += 1000;
        edge_write(want_t, 21.5 + i);
        ck_assert(spin(5000, host_has_value));
    }
    ck_assert_uint_eq(spf_mosq_stats(em).connects, 1);
    ck_assert_uint_eq(spf_mosq_stats(S.m).connects, 1);
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_NBIRTH], 1);
    /* the first value went in the DBIRTH or in a DDATA */
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_DBIRTH], 1);
    ck_assert_uint_ge(spf_host_stats(S.h).received[TWIN_SP_DDATA], 20);
    ck_assert_int_eq(twin_sp_host_status(S.h, "plant", "gw1", "motor%2F0"), TWIN_OK);
    /* the edge stops cleanly: its NDEATH (allowed by its ACL) arrives */
    ck_assert_int_eq(twin_sp_mosq_stop(em), TWIN_OK);
    edge_down();
    int64_t end = spf_now_us() + 5000000;
    while (twin_sp_host_status(S.h, "plant", "gw1", NULL) == TWIN_OK && spf_now_us() < end)
        spin(10, NULL);
    ck_assert_int_eq(twin_sp_host_status(S.h, "plant", "gw1", NULL), TWIN_E_STATE);
}
END_TEST

static int both_reconnected(void)
{
    return spf_mosq_stats(em).connects == 2 && spf_mosq_stats(em).connected && spf_mosq_stats(S.m).connects == 2 &&
           host_connected();
}

/* (if the edge came back before the host, the host asks it to rebirth) */
static int reborn(void)
{
    return spf_host_stats(S.h).received[TWIN_SP_NBIRTH] >= 2;
}

START_TEST(test_tls_reconnects_after_broker_restart)
{
    host_up();
    ck_assert(spin(5000, host_connected));
    edge_up("gw1", "gw1");
    want_t = spf_now_ms_us();
    edge_write(want_t, 1.0);
    ck_assert(spin(10000, host_has_value));
    broker_stop(&B, SIGKILL);  /* a crash, then the same port again */
    ck_assert(spin(300, NULL));
    ck_assert_int_eq(spf_mosq_stats(em).connected, 0);
    ck_assert_int_eq(broker_start(&B), 0);
    ck_assert_msg(spin(10000, both_reconnected), "no TLS reconnection");
    /* a new session over a new TLS connection: births, then data */
    ck_assert_msg(spin(10000, reborn), "no NBIRTH after the reconnection");
    want_t += 1000;
    edge_write(want_t, 2.0);
    ck_assert(spin(10000, host_has_value));
}
END_TEST

START_TEST(test_client_without_certificate_cannot_connect)
{
    raw ok, nocert, plain, rogue;
    /* a raw client with a certificate of the CA connects ... */
    raw_new(&ok, 1, "gw2");
    ck_assert(raw_connect(&ok));
    raw_free(&ok);
    /* ... one with TLS but no certificate, one without TLS, one with a
       certificate of another CA do not */
    raw_new(&nocert, 1, NULL);
    ck_assert(!raw_connect(&nocert));
    raw_free(&nocert);
    raw_new(&plain, 0, NULL);
    ck_assert(!raw_connect(&plain));
    raw_free(&plain);
    raw_new(&rogue, 1, NULL);
    mosquitto_destroy(rogue.mq);
    rogue.mq = mosquitto_new(NULL, 1, &rogue);
    mosquitto_connect_callback_set(rogue.mq, raw_on_connect);
    ck_assert_int_eq(mosquitto_tls_set(rogue.mq, cert("ca", "crt"), NULL, cert("rogue-gw1", "crt"),
                                       cert("rogue-gw1", "key"), NULL),
                     MOSQ_ERR_SUCCESS);
    ck_assert(!raw_connect(&rogue));
    raw_free(&rogue);
    /* our edge without a certificate: attempts, never a connection */
    edge_up("gw1", NULL);
    ck_assert(!spin(2000, edge_connected));
    twin_sp_mosq_stats s = spf_mosq_stats(em);
    ck_assert_uint_ge(s.attempts, 2);
    ck_assert_uint_eq(s.connects, 0);
    ck_assert_uint_eq(spf_edge_stats(e).published[TWIN_SP_NBIRTH], 0);
    edge_down();
    /* nor with the rogue CA's "gw1" */
    edge_up("gw1", "rogue-gw1");
    ck_assert(!spin(1500, edge_connected));
    ck_assert_uint_eq(spf_mosq_stats(em).connects, 0);
    edge_down();
    /* with its certificate it does (the CA from a hashed directory) */
    ck_assert_int_eq(twin_graph_create(&eg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ei, eg, NULL), TWIN_OK);
    twin_sp_edge_options eo;
    twin_sp_edge_options_init(&eo);
    eo.group_id = "plant";
    eo.node_id = "gw1";
    ck_assert_int_eq(twin_sp_edge_create(&e, eg, ei, &eo), TWIN_OK);
    twin_sp_mosq_options mo = tls_opts("gw1");
    char cadir[128];
    snprintf(cadir, sizeof cadir, "%s/cadir", certs);
    mo.tls_ca_file = NULL;
    mo.tls_ca_path = cadir;
    ck_assert_int_eq(twin_sp_mosq_edge_create(&em, e, &mo), TWIN_OK);
    ck_assert(spin(5000, edge_connected));
}
END_TEST

static raw watcher;
static int watcher_saw_marker(void)
{
    mosquitto_loop(watcher.mq, 2, 1);
    return raw_saw(&watcher, "spBv1.0/plant/NDATA/gw1");
}

START_TEST(test_edge_cannot_publish_outside_its_topics)
{
    /* a watcher with the host's rights sees all of spBv1.0/# */
    raw_new(&watcher, 1, "site");
    ck_assert(raw_connect(&watcher));
    ck_assert_int_eq(mosquitto_subscribe(watcher.mq, NULL, "spBv1.0/#", 0), MOSQ_ERR_SUCCESS);
    raw_loop(&watcher, 200);
    /* edge node gw1 publishes as another node, in another group, as the
       host's STATE, as a command to a node; each on a connection of its
       own: mosquitto 2.0.11 closes the connection of a client whose
       publish it denies (then the denied publish was handled) */
    static const struct { const char *topic; int qos; } denied[] = {
        {"spBv1.0/plant/NBIRTH/gw2", 0}, {"spBv1.0/plant/DDATA/gw2/motor", 0},
        {"spBv1.0/other/NDATA/gw1", 0},  {"spBv1.0/STATE/site", 0},
        {"spBv1.0/plant/NCMD/gw2", 0},   {"spBv1.0/plant", 0},
        {"other/topic", 0},              {"spBv1.0/plant/DDATA/gw2/x", 1},
    };
    raw gw1;
    for (size_t i = 0; i < sizeof denied / sizeof *denied; i++) {
        raw_new(&gw1, 1, "gw1");
        ck_assert(raw_connect(&gw1));
        ck_assert_int_eq(mosquitto_publish(gw1.mq, NULL, denied[i].topic, 3, "bad", denied[i].qos,
                                           0),
                         MOSQ_ERR_SUCCESS);
        for (int k = 0; k < 100 && mosquitto_loop(gw1.mq, 5, 1) == MOSQ_ERR_SUCCESS; k++)
            mosquitto_loop(watcher.mq, 0, 1);
        gw1.connack = 0;  /* (gone or not, no DISCONNECT) */
        raw_free(&gw1);
    }
    /* then an allowed publish under its own topics is delivered */
    raw_new(&gw1, 1, "gw1");
    ck_assert(raw_connect(&gw1));
    ck_assert_int_eq(mosquitto_publish(gw1.mq, NULL, "spBv1.0/plant/NDATA/gw1", 2, "ok", 0, 0),
                     MOSQ_ERR_SUCCESS);
    int64_t end = spf_now_us() + 5000000;
    while (!watcher_saw_marker() && spf_now_us() < end)
        mosquitto_loop(gw1.mq, 2, 1);
    ck_assert_msg(raw_saw(&watcher, "spBv1.0/plant/NDATA/gw1"), "the allowed publish was not seen");
    raw_loop(&watcher, 300);
    for (int i = 0; i < watcher.nseen; i++)
        ck_assert_msg(strcmp(watcher.seen[i], "spBv1.0/plant/NDATA/gw1") == 0,
                      "delivered though denied: %s", watcher.seen[i]);
    ck_assert_int_eq(watcher.nseen, 1);
    raw_free(&gw1);

    /* our edge session named gw2 but holding gw1's certificate: whatever
       it sends is dropped, the host never sees a node gw2 */
    host_up();
    ck_assert(spin(5000, host_connected));
    edge_up("gw2", "gw1");
    want_t = spf_now_ms_us();
    edge_write(want_t, 1.0);
    spin(1500, NULL);
    raw_loop(&watcher, 100);
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_NBIRTH], 0);
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_DBIRTH], 0);
    ck_assert_uint_eq(spf_host_stats(S.h).received[TWIN_SP_DDATA], 0);
    ck_assert_int_ne(twin_sp_host_status(S.h, "plant", "gw2", NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_find_twin(S.g, "motor/0", NULL), TWIN_E_NOTFOUND);
    for (int i = 0; i < watcher.nseen; i++)
        ck_assert_msg(strstr(watcher.seen[i], "/gw2") == NULL, "delivered: %s", watcher.seen[i]);
    /* it did connect and publish its births, again and again: each
       time the broker drops them and the connection */
    ck_assert_uint_ge(spf_mosq_stats(em).connects, 1);
    ck_assert_uint_ge(spf_edge_stats(e).published[TWIN_SP_NBIRTH], 1);
    raw_free(&watcher);
}
END_TEST

/* A command payload: one metric NAME, Double VALUE (or Boolean true). */
static size_t command(uint8_t *buf, size_t cap, const char *name, int boolean, double value)
{
    twin_sp_payload p;
    twin_sp_metric m;
    size_t len;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP;
    p.timestamp = (uint64_t)(spf_now_us() / 1000);
    memset(&m, 0, sizeof m);
    m.name = name;
    m.name_len = (uint32_t)strlen(name);
    m.flags = TWIN_SP_HAS_DATATYPE;
    if (boolean) {
        m.datatype = TWIN_SP_BOOLEAN;
        m.field = TWIN_SP_FIELD_BOOLEAN;
        m.value.u = 1;
    } else {
        m.datatype = TWIN_SP_DOUBLE;
        m.field = TWIN_SP_FIELD_DOUBLE;
        m.value.d = value;
    }
    ck_assert_int_eq(twin_sp_encode(&p, &m, 1, buf, cap, &len), TWIN_OK);
    return len;
}

static uint64_t want_refused;
static int refused_reached(void)
{
    return spf_edge_stats(e).refused >= want_refused;
}
static int rebirth_seen(void)
{
    return spf_edge_stats(e).rebirths >= 1 && spf_host_stats(S.h).received[TWIN_SP_NBIRTH] >= 2;
}

START_TEST(test_write_command_refused_and_counted)
{
    uint8_t buf[256];
    size_t n;
    host_up();
    ck_assert(spin(5000, host_connected));
    edge_up("gw1", "gw1");
    want_t = spf_now_ms_us();
    edge_write(want_t, 20.0);
    ck_assert(spin(10000, host_has_value));
    ck_assert_uint_eq(spf_edge_stats(e).refused, 0);
    /* the host (allowed to command) writes temp by DCMD and a metric by NCMD */
    raw site;
    raw_new(&site, 1, "site");
    ck_assert(raw_connect(&site));
    n = command(buf, sizeof buf, "temp", 0, 99.0);
    ck_assert_int_eq(mosquitto_publish(site.mq, NULL, "spBv1.0/plant/DCMD/gw1/motor%2F0", (int)n,
                                       buf, 0, 0),
                     MOSQ_ERR_SUCCESS);
    n = command(buf, sizeof buf, "Node Control/Reboot", 1, 0);
    ck_assert_int_eq(mosquitto_publish(site.mq, NULL, "spBv1.0/plant/NCMD/gw1", (int)n, buf, 0, 0),
                     MOSQ_ERR_SUCCESS);
    raw_loop(&site, 50);
    want_refused = 2;
    ck_assert_msg(spin(5000, refused_reached), "refused: %llu",
                  (unsigned long long)spf_edge_stats(e).refused);
    /* nothing was written: the edge's latest value is the one it had */
    int64_t t;
    double v;
    ck_assert_int_eq(twin_ingest_get_latest(ei, temp_sig, &t, &v), TWIN_OK);
    ck_assert(v == 20.0);
    ck_assert_int_eq(t, want_t);
    ck_assert_uint_eq(spf_edge_stats(e).rebirths, 0);
    /* another edge node may not command gw1: the broker drops it, the
       edge never sees it */
    raw gw2;
    raw_new(&gw2, 1, "gw2");
    ck_assert(raw_connect(&gw2));
    n = command(buf, sizeof buf, "temp", 0, 98.0);
    ck_assert_int_eq(mosquitto_publish(gw2.mq, NULL, "spBv1.0/plant/DCMD/gw1/motor%2F0", (int)n,
                                       buf, 0, 0),
                     MOSQ_ERR_SUCCESS);
    raw_loop(&gw2, 100);
    raw_free(&gw2);
    /* the only command obeyed: Rebirth (from the host); it comes after
       gw2's write, so once it is seen gw2's would have been too */
    n = command(buf, sizeof buf, "Node Control/Rebirth", 1, 0);
    ck_assert_int_eq(mosquitto_publish(site.mq, NULL, "spBv1.0/plant/NCMD/gw1", (int)n, buf, 0, 0),
                     MOSQ_ERR_SUCCESS);
    raw_loop(&site, 50);
    ck_assert_msg(spin(5000, rebirth_seen), "no rebirth");
    ck_assert_uint_eq(spf_edge_stats(e).refused, 2);
    ck_assert_uint_eq(spf_edge_stats(e).malformed, 0);
    raw_free(&site);
}
END_TEST

/* ---- every data type through the broker ------------------------------------- */

#define NTYPES 34
/* What the host's events gave for the metric of each data type. */
typedef struct got {
    uint32_t datatype;
    int msg, events;
    twin_sp_number value;
    uint8_t data[64];
    uint32_t len;
} got;
static got G[NTYPES + 1];

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    (void)ud;
    const twin_sp_metric *m = ev->metric;
    if (ev->kind != TWIN_SP_EVENT_METRIC || !ev->device || strcmp(ev->device, "all") != 0 ||
        !m->name || m->name_len < 2 || m->name[0] != 't')
        return;
    int t = atoi(m->name + 1);  /* metric "tNN" has data type NN */
    if (t < 1 || t > NTYPES)
        return;
    got *g = &G[t];
    g->datatype = m->datatype;
    g->msg = ev->msg;
    g->events++;
    g->value = m->value;
    g->len = m->data && m->len <= sizeof g->data ? m->len : 0;
    if (g->len)
        memcpy(g->data, m->data, g->len);
}

/* The value of data type t, variant k (0: the DBIRTH's, 1: the DDATA's). */
static void typed_value(twin_sp_metric *m, uint32_t t, int k)
{
    static const char *const text[2] = {"S.h\xc3\xa9llo", "another text"};
    static const char *const uuid[2] = {"0c3a8e4b-1a2b-4c5d-8e9f-0123456789ab",
                                        "ffffffff-0000-4000-8000-000000000001"};
    static const uint8_t bytes[2][16] = {{0, 1, 0xfe, 0xff, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
                                         {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd,
                                          0xee, 0xff}};
    /* a DataSet (1 column "a" of Double) and a Template (version "v"), raw */
    static const uint8_t dataset[] = {0x08, 0x01, 0x12, 0x01, 'a', 0x18, 0x0a};
    static const uint8_t tmpl[] = {0x0a, 0x01, 'v'};
    static const uint8_t bools[2][5] = {{3, 0, 0, 0, 0x05}, {2, 0, 0, 0, 0x02}};
    static const char strings[2][8] = {"a\0bc", "xyz\0q"};
    memset(&m->value, 0, sizeof m->value);
    m->data = NULL;
    m->len = 0;
    switch (t) {
    case TWIN_SP_INT8: m->value.i = k ? 127 : -100; break;
    case TWIN_SP_INT16: m->value.i = k ? 32767 : -30000; break;
    case TWIN_SP_INT32: m->value.i = k ? INT32_MAX : -2000000000; break;
    case TWIN_SP_INT64: m->value.i = k ? INT64_MAX : INT64_MIN; break;
    case TWIN_SP_UINT8: m->value.u = k ? 0 : 250; break;
    case TWIN_SP_UINT16: m->value.u = k ? 1 : 65000; break;
    case TWIN_SP_UINT32: m->value.u = k ? 7 : 4000000000u; break;
    case TWIN_SP_UINT64: m->value.u = k ? 12345 : UINT64_MAX; break;
    case TWIN_SP_FLOAT: m->value.f = k ? -0.5f : 1.25f; break;
    case TWIN_SP_DOUBLE: m->value.d = k ? 1e300 : -1.0 / 3; break;
    case TWIN_SP_BOOLEAN: m->value.u = k ? 0 : 1; break;
    case TWIN_SP_DATETIME: m->value.u = k ? 1800000000999u : 1700000000123u; break;
    case TWIN_SP_STRING:
    case TWIN_SP_TEXT:
        m->data = (const uint8_t *)text[k];
        m->len = (uint32_t)strlen(text[k]);
        break;
    case TWIN_SP_UUID:
        m->data = (const uint8_t *)uuid[k];
        m->len = (uint32_t)strlen(uuid[k]);
        break;
    case TWIN_SP_DATASET:
        m->data = dataset;
        m->len = sizeof dataset;
        break;
    case TWIN_SP_TEMPLATE:
        m->data = tmpl;
        m->len = sizeof tmpl;
        break;
    case TWIN_SP_BOOLEAN_ARRAY:
        m->data = bools[k];
        m->len = sizeof bools[k];
        break;
    case TWIN_SP_STRING_ARRAY:
        m->data = (const uint8_t *)strings[k];
        m->len = k ? 6 : 5;
        break;
    default:  /* Bytes, File and the packed arrays: 16 bytes fit each width */
        m->data = bytes[k];
        m->len = 16;
        break;
    }
}

static int numeric_type(uint32_t t)
{
    return (t >= TWIN_SP_INT8 && t <= TWIN_SP_BOOLEAN) || t == TWIN_SP_DATETIME;
}

/* Publish one payload of every type (but the property-only 20 and 21):
   a birth (names, aliases, types) or a DATA (aliases only). */
static void publish_all(raw *r, const char *topic, uint64_t seq, int data, uint64_t ts_ms)
{
    twin_sp_metric m[NTYPES];
    char names[NTYPES + 1][8];
    twin_sp_payload p;
    uint8_t buf[4096];
    size_t n = 0, len;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ | TWIN_SP_PAYLOAD_HAS_TIMESTAMP;
    p.seq = seq;
    p.timestamp = ts_ms;
    for (uint32_t t = 1; t <= NTYPES; t++) {
        if (t == TWIN_SP_PROPERTYSET || t == TWIN_SP_PROPERTYSETLIST)
            continue;
        twin_sp_metric *x = &m[n++];
        memset(x, 0, sizeof *x);
        snprintf(names[t], sizeof names[t], "t%02u", t);
        x->datatype = t;
        x->alias = 100 + t;
        /* DATA: alias only, no datatype (the BIRTH's applies) */
        x->flags = TWIN_SP_HAS_ALIAS | (data ? 0 : TWIN_SP_HAS_DATATYPE);
        if (!data) {
            x->name = names[t];
            x->name_len = 3;
        }
        typed_value(x, t, data);
    }
    ck_assert_int_eq(twin_sp_encode(&p, m, n, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_int_eq(mosquitto_publish(r->mq, NULL, topic, (int)len, buf, 0, 0), MOSQ_ERR_SUCCESS);
}

static int all_data_seen(void)
{
    return spf_host_stats(S.h).received[TWIN_SP_DDATA] >= 1;
}

START_TEST(test_every_datatype_through_the_broker)
{
    host_up();
    ck_assert(spin(5000, host_connected));
    memset(G, 0, sizeof G);
    /* gw1 (its certificate) is an edge node written by hand: NBIRTH,
       DBIRTH of device "all" with a metric of every type, DDATA by alias */
    raw gw1;
    raw_new(&gw1, 1, "gw1");
    ck_assert(raw_connect(&gw1));
    twin_sp_metric nm[1];
    twin_sp_payload p;
    uint8_t buf[256];
    size_t len;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_SEQ;
    memset(nm, 0, sizeof nm);
    nm[0].name = "bdSeq";
    nm[0].name_len = 5;
    nm[0].datatype = TWIN_SP_UINT64;
    nm[0].flags = TWIN_SP_HAS_DATATYPE;
    ck_assert_int_eq(twin_sp_encode(&p, nm, 1, buf, sizeof buf, &len), TWIN_OK);
    ck_assert_int_eq(mosquitto_publish(gw1.mq, NULL, "spBv1.0/plant/NBIRTH/gw1", (int)len, buf, 0,
                                       0),
                     MOSQ_ERR_SUCCESS);
    uint64_t ts = (uint64_t)(spf_now_us() / 1000);
    publish_all(&gw1, "spBv1.0/plant/DBIRTH/gw1/all", 1, 0, ts);
    publish_all(&gw1, "spBv1.0/plant/DDATA/gw1/all", 2, 1, ts + 1000);
    int64_t end = spf_now_us() + 10000000;
    while (!all_data_seen() && spf_now_us() < end) {
        mosquitto_loop(gw1.mq, 1, 1);
        spin(2, NULL);
    }
    twin_sp_host_stats h0 = spf_host_stats(S.h);
    ck_assert_msg(all_data_seen(), "the DDATA did not arrive (NBIRTH %llu DBIRTH %llu malformed %llu "
                  "before birth %llu)", (unsigned long long)h0.received[TWIN_SP_NBIRTH],
                  (unsigned long long)h0.received[TWIN_SP_DBIRTH],
                  (unsigned long long)h0.malformed, (unsigned long long)h0.before_birth);
    /* every type but DataSet and Template: each value as sent, twice */
    for (uint32_t t = 1; t <= NTYPES; t++) {
        if (t == TWIN_SP_PROPERTYSET || t == TWIN_SP_PROPERTYSETLIST || t == TWIN_SP_DATASET ||
            t == TWIN_SP_TEMPLATE) {
            ck_assert_msg(G[t].events == 0, "type %u delivered", t);
            continue;
        }
        twin_sp_metric want;
        typed_value(&want, t, 1);
        ck_assert_msg(G[t].events == 2, "type %u: %d events", t, G[t].events);
        ck_assert_uint_eq(G[t].datatype, t);
        ck_assert_int_eq(G[t].msg, TWIN_SP_DDATA);
        if (t == TWIN_SP_FLOAT)
            ck_assert(G[t].value.f == want.value.f);
        else if (t == TWIN_SP_DOUBLE)
            ck_assert(G[t].value.d == want.value.d);
        else if (numeric_type(t))
            ck_assert_msg(G[t].value.u == want.value.u, "type %u: %llu, sent %llu", t,
                          (unsigned long long)G[t].value.u, (unsigned long long)want.value.u);
        else
            ck_assert_msg(G[t].len == want.len && memcmp(G[t].data, want.data, want.len) == 0,
                          "type %u: bytes differ", t);
    }
    /* DataSet and Template: refused as unsupported (not decoded), in the
       DBIRTH and in the DDATA; nothing else wrong */
    twin_sp_host_stats hs = spf_host_stats(S.h);
    ck_assert_uint_eq(hs.unsupported, 4);
    ck_assert_uint_eq(hs.malformed + hs.wrong_type + hs.unknown_alias + hs.seq_gaps, 0);
    /* the mirror: a signal for each numeric type, with the DDATA's value */
    ck_assert_int_eq(twin_graph_find_twin(S.g, "all", NULL), TWIN_OK);
    twin_sp_bind_stats bs;
    memset(&bs, 0, sizeof bs);
    bs.size = sizeof bs;
    ck_assert_int_eq(twin_sp_host_bind_stats(S.h, &bs), TWIN_OK);
    ck_assert_uint_eq(bs.signals_bound, 12);
    ck_assert_uint_eq(bs.not_bound, NTYPES - 2 - 2 - 12);
    twin_signal sig;
    int64_t t;
    double v;
    ck_assert_int_eq(twin_ingest_resolve(S.i, "all", "t10", NULL, &sig), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(S.i, sig, &t, &v), TWIN_OK);
    ck_assert(v == 1e300);
    ck_assert_int_eq(t, (int64_t)(ts + 1000) * 1000);
    ck_assert_int_eq(twin_ingest_resolve(S.i, "all", "t03", NULL, &sig), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(S.i, sig, &t, &v), TWIN_OK);
    ck_assert(v == (double)INT32_MAX);
    ck_assert_int_eq(twin_ingest_resolve(S.i, "all", "t12", NULL, &sig), TWIN_E_NOTFOUND);
    raw_free(&gw1);
}
END_TEST

static Suite *tls_suite(void)
{
    Suite *s = suite_create("sparkplug_tls");
    TCase *tc = tcase_create("mosquitto_tls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tls_options_checked);
    tcase_add_test(tc, test_mutual_tls_edge_to_host);
    tcase_add_test(tc, test_tls_reconnects_after_broker_restart);
    tcase_add_test(tc, test_client_without_certificate_cannot_connect);
    tcase_add_test(tc, test_edge_cannot_publish_outside_its_topics);
    tcase_add_test(tc, test_write_command_refused_and_counted);
    tcase_add_test(tc, test_every_datatype_through_the_broker);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!broker_available(&B))
        return broker_missing_status();
    if (system("openssl version >/dev/null 2>&1") != 0) {
        const char *ci = getenv("CI");
        fprintf(stderr, "openssl not found%s\n", ci && !strcmp(ci, "true") ? ", and CI=true" : ": skipped");
        return ci && !strcmp(ci, "true") ? 1 : 77;
    }
    if (make_certs() < 0 || write_conf() < 0) {
        fprintf(stderr, "could not make the test certificates in %s\n", certs);
        remove_certs();
        return 1;
    }
    if (broker_dir(&B) < 0)
        return 1;
    mosquitto_lib_init();
    int rc = run_suite(tls_suite());
    broker_fini(&B);
    mosquitto_lib_cleanup();
    remove_certs();
    return rc;
}
