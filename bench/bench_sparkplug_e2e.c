/* Sparkplug B on the host side (issue 16), one figure per layer:
 *  - sparkplug_host_metrics_per_s: DDATA of 100 Double metrics handed to a
 *    Host Application bound to a graph and an ingest handle with an
 *    exponential health model on every signal: decode, alias -> signal
 *    handle, twin_ingest_write_signals() by batch. One core, messages
 *    prepared beforehand by an Edge Node session (each with newer samples).
 *  - sparkplug_e2e_msgs_per_s: the same DDATA (100 metrics, QoS 0) from an
 *    Edge Node (its ingest writes and its encoding included) through a local
 *    mosquitto 2.0 (started here, tests/mqtt/broker.c) to that host, over
 *    libmosquitto (twin_sp_mosq_loop(), edge and host in two threads);
 *    beside it, in the same run, a bare libmosquitto publisher and
 *    subscriber moving payloads of the same size (the broker's ceiling):
 *    sparkplug_e2e_vs_bare. Both are timed at the receiver, from the
 *    first message to the last; the CPU time per message of each side
 *    (publishing thread, receiving thread, broker) is measured too, and
 *    sparkplug_e2e_vs_bare_cpu compares their sums (load-independent).
 *    Like with like: the same payload size, QoS 0 publishes, QoS 1
 *    subscriptions, two client threads, libmosquitto's defaults (no
 *    TCP_NODELAY); each publisher makes one loop turn with a 0 ms timeout
 *    per message, each receiver loops with a 5 ms timeout. Differences:
 *    the edge's 100 ingest writes per message (the application's work,
 *    counted on purpose) and twin_sp_mosq_loop() reading on while whole
 *    messages are there (fewer pselect() calls than the bare subscriber's
 *    one mosquitto_loop() per message).
 * Prints a table and lines "bench: NAME VALUE UNIT".
 * Usage: bench_sparkplug_e2e [RUNS [MESSAGES]] */
#include <twin/sparkplug_mosq.h>

#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/mqtt/broker.h"
#include "bench_util.h"

#define NMET 100
#define T0 1700000000000000LL

/* An edge over one twin with NMET signals. */
typedef struct edge_side {
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_edge *e;
    twin_signal sig[NMET];
    int64_t t;
} edge_side;

static void die(const char *what)
{
    fprintf(stderr, "bench_sparkplug_e2e: %s\n", what);
    exit(1);
}

static void edge_init(edge_side *s)
{
    char name[32];
    twin_sp_edge_options o;
    memset(s, 0, sizeof *s);
    if (twin_graph_create(&s->g, NULL) || twin_graph_add_twin(s->g, "line/1", "dtmi:b:M;1", NULL, 0) ||
        twin_ingest_create(&s->ing, s->g, NULL))
        die("edge graph");
    for (int i = 0; i < NMET; i++) {
        twin_signal_options so;
        twin_signal_options_init(&so);
        so.unit = "degreeCelsius";
        snprintf(name, sizeof name, "temp%02d", i);
        if (twin_ingest_add_signal(s->ing, "line/1", name, &so, &s->sig[i]))
            die("edge signal");
    }
    twin_sp_edge_options_init(&o);
    o.group_id = "plant";
    o.node_id = "gw1";
    if (twin_sp_edge_create(&s->e, s->g, s->ing, &o))
        die("edge");
    s->t = T0;
}

/* New samples on every signal (1 ms later). */
static void edge_step(edge_side *s, int k)
{
    twin_signal_sample x[NMET];
    s->t += 1000;
    for (int i = 0; i < NMET; i++) {
        x[i].signal = s->sig[i];
        x[i].t_us = s->t;
        x[i].value = 1.0 + 0.001 * ((k + i) % 97);
    }
    if (twin_ingest_write_signals(s->ing, x, NMET, NULL, NULL))
        die("edge write");
}

static void edge_fini(edge_side *s)
{
    twin_sp_edge_destroy(s->e);
    twin_ingest_destroy(s->ing);
    twin_graph_destroy(s->g);
}

/* A host bound to its own graph and ingest, a health model on each signal. */
typedef struct host_side {
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_host *h;
} host_side;

static void host_init(host_side *s)
{
    twin_sp_host_options o;
    twin_sp_bind_options bo;
    static twin_health_options ho;  /* read-only after init */
    twin_sp_host_options_init(&o);
    o.host_id = "site";
    twin_health_options_init(&ho);
    twin_sp_bind_options_init(&bo);
    bo.health = &ho;
    bo.health_t0_us = T0;
    if (twin_graph_create(&s->g, NULL) || twin_ingest_create(&s->ing, s->g, NULL) ||
        twin_sp_host_create(&s->h, &o) || twin_sp_host_bind(s->h, s->g, s->ing, &bo))
        die("host");
}

static void host_fini(host_side *s)
{
    twin_sp_host_destroy(s->h);
    twin_ingest_destroy(s->ing);
    twin_graph_destroy(s->g);
}

static uint64_t host_accepted(const host_side *s)
{
    twin_ingest_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    twin_ingest_get_stats(s->ing, 0, &st);
    return st.outcomes[TWIN_INGEST_ACCEPTED];
}

/* ---- host metrics per second (no socket) ------------------------------------ */

typedef struct msgbuf {
    char *topic;
    uint8_t *payload;
    size_t len;
} msgbuf;

static msgbuf take(const twin_sp_message *m)
{
    msgbuf b;
    b.topic = strdup(m->topic);
    b.len = m->payload_len;
    b.payload = malloc(b.len ? b.len : 1);
    memcpy(b.payload, m->payload, b.len);
    return b;
}

static size_t ddata_len;
static double edge_rate;  /* DDATA an edge session makes per second (writes, encoding) */

static double host_rate(int nmsg, int runs)
{
    static uint8_t buf[1 << 16];
    twin_sp_message m;
    edge_side es;
    msgbuf births[2], *data = calloc((size_t)nmsg, sizeof *data);
    double *rate = calloc((size_t)runs, sizeof *rate);
    edge_init(&es);
    edge_step(&es, 0);
    if (twin_sp_edge_connect(es.e, &m, buf, sizeof buf, NULL))
        die("connect");
    for (int i = 0; i < 2; i++) {  /* NBIRTH, DBIRTH */
        if (twin_sp_edge_next(es.e, es.t, &m, buf, sizeof buf, NULL))
            die("birth");
        births[i] = take(&m);
    }
    if (twin_sp_edge_next(es.e, es.t, &m, buf, sizeof buf, NULL) != TWIN_DONE)
        die("births: more than NBIRTH and DBIRTH");
    double te = bench_now_s();
    for (int k = 0; k < nmsg; k++) {
        edge_step(&es, k + 1);
        twin_status st = twin_sp_edge_next(es.e, es.t, &m, buf, sizeof buf, NULL);
        if (st || m.type != TWIN_SP_DDATA) {
            fprintf(stderr, "k %d status %d type %d\n", k, st, m.type);
            die("ddata");
        }
        data[k] = take(&m);
        if (twin_sp_edge_next(es.e, es.t, &m, buf, sizeof buf, NULL) != TWIN_DONE)
            die("more than one DDATA");
    }
    edge_rate = nmsg / (bench_now_s() - te);
    ddata_len = data[0].len;
    for (int r = 0; r < runs; r++) {
        host_side hs;
        host_init(&hs);
        for (int i = 0; i < 2; i++)
            if (twin_sp_host_receive(hs.h, births[i].topic, strlen(births[i].topic),
                                     births[i].payload, births[i].len, T0))
                die("host birth");
        uint64_t before = host_accepted(&hs);
        double t0 = bench_now_s();
        for (int k = 0; k < nmsg; k++)
            twin_sp_host_receive(hs.h, data[k].topic, strlen(data[k].topic), data[k].payload,
                                 data[k].len, T0);
        double dt = bench_now_s() - t0;
        uint64_t got = host_accepted(&hs) - before;
        if (got != (uint64_t)nmsg * NMET)
            die("host: not every metric accepted");
        rate[r] = (double)got / dt;
        host_fini(&hs);
    }
    double med = bench_median(rate, runs);
    for (int k = 0; k < nmsg; k++) {
        free(data[k].topic);
        free(data[k].payload);
    }
    for (int i = 0; i < 2; i++) {
        free(births[i].topic);
        free(births[i].payload);
    }
    free(data);
    free(rate);
    edge_fini(&es);
    return med;
}

/* ---- end to end through mosquitto ------------------------------------------- */

static int port;
static pid_t broker_pid;

/* CPU time of the calling thread, seconds. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the broker (single-threaded), seconds; 0 when unknown. */
static double broker_cpu_s(void)
{
    char path[64];
    unsigned long long ns = 0;
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)broker_pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%llu", &ns) != 1)
        ns = 0;
    fclose(f);
    return (double)ns * 1e-9;
}

/* CPU per message of one run's sides, microseconds. */
typedef struct cpu_use {
    double pub, sub, broker;
} cpu_use;
static volatile int stop_flag;

typedef struct e2e_host {
    twin_sp_mosq *m;
    host_side hs;
    uint64_t want;        /* metrics to wait for */
    double first, last;   /* times of the first and last accepted metric */
    uint64_t got;
    int ready;
    double cpu;           /* the thread's CPU time, seconds */
} e2e_host;

static void *host_thread(void *p)
{
    e2e_host *x = (e2e_host *)p;
    uint64_t base = 0;
    int based = 0;
    double idle_since = bench_now_s(), c0 = thread_cpu_s();
    while (!stop_flag) {
        twin_sp_mosq_loop(x->m, 5);
        twin_sp_mosq_stats ms;
        memset(&ms, 0, sizeof ms);
        ms.size = sizeof ms;
        twin_sp_mosq_get_stats(x->m, &ms);
        x->ready = ms.connected;
        uint64_t a = host_accepted(&x->hs);
        if (!based && twin_sp_host_status(x->hs.h, "plant", "gw1", "line%2F1") == TWIN_OK) {
            base = a;  /* after the births */
            based = 1;
        }
        if (!based)
            continue;
        double now = bench_now_s();
        if (a - base > x->got) {
            if (!x->got)
                x->first = now;
            x->got = a - base;
            x->last = now;
            idle_since = now;
        } else if (x->got && now - idle_since > 2.0) {
            break;  /* nothing for 2 s: lost messages */
        }
        if (x->got >= x->want)
            break;
    }
    x->cpu = thread_cpu_s() - c0;
    return NULL;
}

static double e2e_rate(int nmsg, uint64_t *delivered, cpu_use *cpu)
{
    e2e_host x;
    edge_side es;
    twin_sp_mosq *em;
    twin_sp_mosq_options o;
    pthread_t th;
    memset(&x, 0, sizeof x);
    host_init(&x.hs);
    twin_sp_mosq_options_init(&o);
    o.port = (uint32_t)port;
    o.host_id = "site";
    o.group_id = "plant";
    if (twin_sp_mosq_host_create(&x.m, x.hs.h, &o))
        die("host mosq");
    edge_init(&es);
    if (twin_sp_mosq_edge_create(&em, es.e, &o))
        die("edge mosq");
    x.want = (uint64_t)nmsg * NMET;  /* the clock runs from the first to the last */
    stop_flag = 0;
    pthread_create(&th, NULL, host_thread, &x);
    edge_step(&es, 0);  /* the births carry these values */
    double t_end = bench_now_s() + 5;
    while (!x.ready && bench_now_s() < t_end)
        twin_sp_mosq_loop(em, 5);
    /* births, then wait for the host to have them */
    for (int i = 0; i < 200 && twin_sp_host_status(x.hs.h, "plant", "gw1", "line%2F1") != TWIN_OK; i++)
        twin_sp_mosq_loop(em, 5);
    double c0 = thread_cpu_s(), b0 = broker_cpu_s();
    for (int k = 0; k < nmsg; k++) {
        edge_step(&es, k + 1);
        twin_sp_mosq_loop(em, 0);  /* the DDATA goes out */
    }
    while (!stop_flag) {  /* flush what is queued until the host is done */
        twin_sp_mosq_loop(em, 5);
        if (pthread_tryjoin_np(th, NULL) == 0)
            break;
    }
    double n = (double)(x.got / NMET ? x.got / NMET : 1);
    cpu->pub = (thread_cpu_s() - c0) * 1e6 / n;
    cpu->broker = (broker_cpu_s() - b0) * 1e6 / n;
    cpu->sub = x.cpu * 1e6 / n;
    *delivered = x.got / NMET;
    double rate = x.last > x.first ? (double)(x.got / NMET - 1) / (x.last - x.first) : 0;
    twin_sp_mosq_stop(em);
    twin_sp_mosq_destroy(em);
    twin_sp_mosq_stop(x.m);
    twin_sp_mosq_destroy(x.m);
    edge_fini(&es);
    host_fini(&x.hs);
    return rate;
}

/* Bare libmosquitto: the same payload size, a subscriber counting. */
typedef struct bare_sub {
    struct mosquitto *mq;
    uint64_t got, want;
    double first, last;
    int subscribed;
    double cpu;  /* the thread's CPU time, seconds */
} bare_sub;

static void bare_on_msg(struct mosquitto *mq, void *ud, const struct mosquitto_message *m)
{
    bare_sub *b = (bare_sub *)ud;
    (void)mq;
    (void)m;
    double now = bench_now_s();
    if (!b->got)
        b->first = now;
    b->got++;
    b->last = now;
}

static void bare_on_sub(struct mosquitto *mq, void *ud, int mid, int n, const int *q)
{
    (void)mq;
    (void)mid;
    (void)n;
    (void)q;
    ((bare_sub *)ud)->subscribed = 1;
}

static void *bare_thread(void *p)
{
    bare_sub *b = (bare_sub *)p;
    double idle_since = bench_now_s(), c0 = thread_cpu_s();
    uint64_t seen = 0;
    while (b->got < b->want) {
        mosquitto_loop(b->mq, 5, 1);
        double now = bench_now_s();
        if (b->got != seen) {
            seen = b->got;
            idle_since = now;
        } else if (seen && now - idle_since > 2.0) {
            break;
        }
    }
    b->cpu = thread_cpu_s() - c0;
    return NULL;
}

static double bare_rate(int nmsg, size_t len, uint64_t *delivered, cpu_use *cpu)
{
    bare_sub b;
    pthread_t th;
    uint8_t *payload = calloc(1, len);
    memset(&b, 0, sizeof b);
    b.want = (uint64_t)nmsg;
    b.mq = mosquitto_new(NULL, 1, &b);
    struct mosquitto *pub = mosquitto_new(NULL, 1, NULL);
    mosquitto_message_callback_set(b.mq, bare_on_msg);
    mosquitto_subscribe_callback_set(b.mq, bare_on_sub);
    if (mosquitto_connect(b.mq, "127.0.0.1", port, 30) || mosquitto_connect(pub, "127.0.0.1", port, 30))
        die("bare connect");
    mosquitto_subscribe(b.mq, NULL, "spBv1.0/plant/DDATA/bare/#", 1);
    for (int i = 0; i < 500 && !b.subscribed; i++)
        mosquitto_loop(b.mq, 5, 1);
    pthread_create(&th, NULL, bare_thread, &b);
    double c0 = thread_cpu_s(), b0 = broker_cpu_s();
    for (int k = 0; k < nmsg; k++) {
        mosquitto_publish(pub, NULL, "spBv1.0/plant/DDATA/bare/line%2F1", (int)len, payload, 0, 0);
        mosquitto_loop(pub, 0, 1);
    }
    while (pthread_tryjoin_np(th, NULL) != 0)
        mosquitto_loop(pub, 5, 1);
    double n = (double)(b.got ? b.got : 1);
    cpu->pub = (thread_cpu_s() - c0) * 1e6 / n;
    cpu->broker = (broker_cpu_s() - b0) * 1e6 / n;
    cpu->sub = b.cpu * 1e6 / n;
    *delivered = b.got;
    double rate = b.last > b.first ? (double)(b.got - 1) / (b.last - b.first) : 0;
    mosquitto_disconnect(pub);
    mosquitto_destroy(pub);
    mosquitto_destroy(b.mq);
    free(payload);
    return rate;
}

/* The median over runs of one side's CPU per message (0 pub, 1 sub, 2 broker). */
static double cpu_median(const cpu_use *c, int runs, int which, double *v)
{
    for (int r = 0; r < runs; r++)
        v[r] = which == 0 ? c[r].pub : which == 1 ? c[r].sub : c[r].broker;
    return bench_median(v, runs);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 3;
    int nmsg = argc > 2 ? atoi(argv[2]) : 20000;
    broker B;
    if (runs < 1 || runs > 64 || nmsg < 100) {
        fprintf(stderr, "usage: bench_sparkplug_e2e [RUNS (1-64) [MESSAGES (>= 100)]]\n");
        return 2;
    }
    double host = host_rate(nmsg, runs);
    printf("Sparkplug B host side, DDATA of %d Double metrics (%zu bytes), median of %d runs\n",
           NMET, ddata_len, runs);
    printf("  %-52s %12.0f metrics/s  %6.1f ns/metric\n",
           "host: decode + alias->handle + ingest (health model)", host, 1e9 / host);
    printf("  %-52s %12.0f msgs/s   %6.1f us/msg\n",
           "edge: 100 ingest writes + twin_sp_edge_next (DDATA)", edge_rate, 1e6 / edge_rate);
    printf("bench: sparkplug_host_metrics_per_s %.0f metrics/s\n", host);
    printf("bench: sparkplug_edge_ddata_per_s %.0f msgs/s\n", edge_rate);
    memset(&B, 0, sizeof B);
    if (!broker_available(&B)) {
        printf("mosquitto not found: no end-to-end figures\n");
        return 0;
    }
    if (broker_start(&B))
        die("cannot start mosquitto");
    port = B.port;
    broker_pid = B.pid;
    mosquitto_lib_init();
    double *e2e = calloc((size_t)runs, sizeof *e2e), *bare = calloc((size_t)runs, sizeof *bare);
    double *ratio = calloc((size_t)runs, sizeof *ratio), *v = calloc((size_t)runs, sizeof *v);
    cpu_use *ec = calloc((size_t)runs, sizeof *ec), *bc = calloc((size_t)runs, sizeof *bc);
    uint64_t e_got = 0, b_got = 0;
    printf("End to end through mosquitto 2.0 on 127.0.0.1, QoS 0, %d messages a run\n", nmsg);
    printf("  %-4s %10s %10s %6s | CPU us/msg: %-22s | %-22s\n", "run", "e2e/s", "bare/s",
           "ratio", "edge host broker", "bare pub sub broker");
    for (int r = 0; r < runs; r++) {  /* interleaved: both see the same machine */
        bare[r] = bare_rate(nmsg, ddata_len, &b_got, &bc[r]);
        e2e[r] = e2e_rate(nmsg, &e_got, &ec[r]);
        ratio[r] = bare[r] > 0 ? e2e[r] / bare[r] : 0;
        printf("  %-4d %10.0f %10.0f %6.2f | %6.1f %6.1f %6.1f %3s | %6.1f %6.1f %6.1f\n", r + 1,
               e2e[r], bare[r], ratio[r], ec[r].pub, ec[r].sub, ec[r].broker, "", bc[r].pub,
               bc[r].sub, bc[r].broker);
    }
    double rmin = ratio[0], rmax = ratio[0];
    for (int r = 1; r < runs; r++) {
        rmin = ratio[r] < rmin ? ratio[r] : rmin;
        rmax = ratio[r] > rmax ? ratio[r] : rmax;
    }
    double em = bench_median(e2e, runs), bm = bench_median(bare, runs);
    mosquitto_lib_cleanup();
    broker_fini(&B);
    printf("Medians of %d runs\n", runs);
    printf("  %-52s %12.0f msgs/s  (%llu of %d delivered in the last run)\n",
           "edge -> mosquitto -> host (libtwin-mqtt)", em, (unsigned long long)e_got, nmsg);
    printf("  %-52s %12.0f msgs/s  (%llu of %d delivered in the last run)\n",
           "bare libmosquitto publisher -> subscriber", bm, (unsigned long long)b_got, nmsg);
    printf("  %-52s %12.2f  (runs: %.2f to %.2f)\n", "ratio", em / bm, rmin, rmax);
    printf("bench: sparkplug_e2e_msgs_per_s %.0f msgs/s\n", em);
    printf("bench: sparkplug_e2e_bare_msgs_per_s %.0f msgs/s\n", bm);
    printf("bench: sparkplug_e2e_vs_bare %.2f x\n", em / bm);
    static const char *const side[3] = {"edge", "host", "broker"}, *const bside[3] = {"pub", "sub", "broker"};
    for (int i = 0; i < 3; i++)
        printf("bench: sparkplug_e2e_%s_cpu_us_per_msg %.1f us\n", side[i], cpu_median(ec, runs, i, v));
    for (int i = 0; i < 3; i++)
        printf("bench: sparkplug_e2e_bare_%s_cpu_us_per_msg %.1f us\n", bside[i],
               cpu_median(bc, runs, i, v));
    /* Load-independent: CPU per message of all three processes, bare over
       libtwin-mqtt (what the wall-clock ratio tends to when the 2 cores are
       the limit, as on a loaded machine). */
    for (int r = 0; r < runs; r++)
        v[r] = (bc[r].pub + bc[r].sub + bc[r].broker) / (ec[r].pub + ec[r].sub + ec[r].broker);
    printf("bench: sparkplug_e2e_vs_bare_cpu %.2f x\n", bench_median(v, runs));
    free(ratio);
    free(v);
    free(ec);
    free(bc);
    free(e2e);
    free(bare);
    return 0;
}
