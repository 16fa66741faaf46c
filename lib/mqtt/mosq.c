/* libtwin-mqtt's MQTT client: an Edge Node or Host Application session
 * over libmosquitto, driven by the caller's thread (twin_sp_mosq_loop()),
 * never by libmosquitto's own thread. Host builds with libmosquitto only. */
#include "sp_int.h"
#include "twin/sparkplug_mosq.h"

#include <mosquitto.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SUB_QOS 1

struct twin_sp_mosq {
    twin_allocator a;
    struct mosquitto *mq;
    twin_sp_edge *e;             /* one of e, h */
    twin_sp_host *h;
    char *broker, *client_id, *group_id, *host_id, *ncmd, *dcmd, *state;
    int port, keepalive;
    int64_t delay_us, next_try_us;
    int connecting;              /* CONNECT sent, no CONNACK yet */
    int will_unsent;             /* the will set is of a CONNECT never sent */
    int stopped;
    int stop_mid;                /* the mid of the death (NDEATH, STATE offline) sent by stop */
    int stop_acked;              /* its PUBACK came */
    uint64_t state_ts_ms;        /* the host's STATE timestamp of this connection */
    uint8_t *buf;                /* outgoing messages */
    size_t cap;
    twin_sp_mosq_stats st;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(int64_t us)
{
    if (us <= 0)
        return;
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static char *dup_str(const twin_allocator *a, const char *s)
{
    return s ? twin__sp_strndup(a, s, strlen(s)) : NULL;
}

static void free_str(const twin_allocator *a, char *s)
{
    if (s)
        sp_free(a, s, strlen(s) + 1);
}

TWIN_SP_API twin_status twin_sp_mosq_options_init_(twin_sp_mosq_options *o, size_t size)
{
    twin_sp_mosq_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.broker = "127.0.0.1";
    d.port = 1883;
    d.keepalive_s = 30;
    d.reconnect_delay_us = 1000000;
    return twin__sized_init(o, size, &d, sizeof d);
}

/* ---- messages ---------------------------------------------------------- */

typedef twin_status (*build_fn)(twin_sp_mosq *m, twin_sp_message *msg, size_t *need, void *ctx);

/* Build a message into m->buf, growing it as the builder asks. */
static twin_status build(twin_sp_mosq *m, twin_sp_message *msg, build_fn fn, void *ctx)
{
    for (;;) {
        size_t need = 0;
        twin_status s = fn(m, msg, &need, ctx);
        if (s != TWIN_E_RANGE)
            return s;
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < need)
            cap *= 2;
        uint8_t *b = (uint8_t *)sp_alloc(&m->a, cap);
        if (!b)
            return TWIN_E_NOMEM;
        sp_free(&m->a, m->buf, m->cap);
        m->buf = b;
        m->cap = cap;
    }
}

static twin_status b_edge_connect(twin_sp_mosq *m, twin_sp_message *msg, size_t *need, void *c)
{
    (void)c;
    return twin_sp_edge_connect(m->e, msg, m->buf, m->cap, need);
}
static twin_status b_edge_death(twin_sp_mosq *m, twin_sp_message *msg, size_t *need, void *c)
{
    (void)c;
    return twin_sp_edge_death(m->e, msg, m->buf, m->cap, need);
}
static twin_status b_edge_next(twin_sp_mosq *m, twin_sp_message *msg, size_t *need, void *c)
{
    return twin_sp_edge_next(m->e, *(const int64_t *)c, msg, m->buf, m->cap, need);
}
static twin_status b_host_next(twin_sp_mosq *m, twin_sp_message *msg, size_t *need, void *c)
{
    return twin_sp_host_next(m->h, *(const int64_t *)c, msg, m->buf, m->cap, need);
}
static twin_status b_host_state(twin_sp_mosq *m, twin_sp_message *msg, size_t *need, void *c)
{
    return twin_sp_host_state(m->h, *(const int *)c, m->state_ts_ms, msg, m->buf, m->cap, need);
}

static void lost(twin_sp_mosq *m)
{
    m->st.connected = 0;
    m->connecting = 0;
    m->next_try_us = now_us() + m->delay_us;
}

/* Publish msg; its message id into *mid when mid is not NULL. */
static int publish(twin_sp_mosq *m, const twin_sp_message *msg, int qos, int retain, int *mid)
{
    int rc = mosquitto_publish(m->mq, mid, msg->topic, (int)msg->payload_len, msg->payload, qos,
                               retain != 0);
    if (rc != MOSQ_ERR_SUCCESS) {
        m->st.publish_errors++;
        return -1;
    }
    m->st.published++;
    m->st.bytes_out += msg->payload_len;
    return 0;
}

/* ---- libmosquitto's callbacks (inside mosquitto_loop(), our thread) ------ */

static void on_publish(struct mosquitto *mq, void *ud, int mid)
{
    (void)mq;
    twin_sp_mosq *m = (twin_sp_mosq *)ud;
    if (m->stopped && mid == m->stop_mid)
        m->stop_acked = 1;
}

static void on_connect(struct mosquitto *mq, void *ud, int rc)
{
    twin_sp_mosq *m = (twin_sp_mosq *)ud;
    m->connecting = 0;
    if (rc != 0) {
        lost(m);
        return;
    }
    m->st.connected = 1;
    m->st.connects++;
    if (m->e) {
        const char *state = twin__sp_edge_state_topic(m->e);
        mosquitto_subscribe(mq, NULL, m->ncmd, SUB_QOS);
        mosquitto_subscribe(mq, NULL, m->dcmd, SUB_QOS);
        if (state)  /* its primary host's STATE (retained): births wait for it */
            mosquitto_subscribe(mq, NULL, state, SUB_QOS);
        return;  /* the births follow from twin_sp_edge_next() */
    }
    mosquitto_subscribe(mq, NULL, m->group_id, SUB_QOS);
    mosquitto_subscribe(mq, NULL, m->state, SUB_QOS);
    twin_sp_message msg;
    int online = 1;
    if (build(m, &msg, b_host_state, &online) == TWIN_OK)
        (void)publish(m, &msg, (int)msg.qos, (int)msg.retain, NULL);
    /* Births published while the host was away are lost to it (none is
       retained): every node it knew is asked again (NCMD Rebirth). */
    if (m->st.connects > 1)
        twin__sp_host_rebirth_all(m->h);
}

static void on_disconnect(struct mosquitto *mq, void *ud, int rc)
{
    (void)mq;
    (void)rc;
    lost((twin_sp_mosq *)ud);
}

static void on_message(struct mosquitto *mq, void *ud, const struct mosquitto_message *msg)
{
    twin_sp_mosq *m = (twin_sp_mosq *)ud;
    (void)mq;
    m->st.received++;
    size_t tl = strlen(msg->topic), pl = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    if (m->e) {
        (void)twin_sp_edge_receive(m->e, msg->topic, tl, msg->payload, pl);
        return;
    }
    if (strcmp(msg->topic, m->state) == 0) {
        /* Our own STATE says offline (an older connection's will, or
           another process): say online again (chapter 7, STATE); not
           while stopping, when it is our own offline STATE coming back. */
        if (m->stopped)
            return;
        static const char off[] = "\"online\":false";
        const char *p = (const char *)msg->payload;
        for (size_t i = 0; p && i + sizeof off - 1 <= pl; i++)
            if (memcmp(p + i, off, sizeof off - 1) == 0) {
                twin_sp_message st;
                int online = 1;
                if (build(m, &st, b_host_state, &online) == TWIN_OK)
                    (void)publish(m, &st, (int)st.qos, (int)st.retain, NULL);
                break;
            }
        return;
    }
    (void)twin_sp_host_receive(m->h, msg->topic, tl, msg->payload, pl, now_us());
}

/* ---- TLS -------------------------------------------------------------------- */

/* OpenSSL asks for the key's pass phrase here, not on the terminal: there
   is none (an encrypted key fails to load). */
static int no_pass_phrase(char *buf, int size, int rwflag, void *ud)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)ud;
    return 0;
}

static int readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

/* TLS (and mutual TLS) from the options, or plain MQTT without a CA. The
   broker is always verified: its certificate and host name. */
static twin_status tls_setup(twin_sp_mosq *m, const twin_sp_mosq_options *o)
{
    if (!o->tls_ca_file && !o->tls_ca_path)
        return o->tls_cert_file || o->tls_key_file || o->tls_version ? TWIN_E_INVAL : TWIN_OK;
    if (!o->tls_cert_file != !o->tls_key_file ||
        (o->tls_version && strcmp(o->tls_version, "tlsv1.3") != 0 &&
         strcmp(o->tls_version, "tlsv1.2") != 0))
        return TWIN_E_INVAL;
    if ((o->tls_ca_file && !readable(o->tls_ca_file)) ||
        (o->tls_cert_file && !readable(o->tls_cert_file)) ||
        (o->tls_key_file && !readable(o->tls_key_file)))
        return TWIN_E_IO;
    /* libmosquitto copies the names and reads the files at each connect */
    int rc = mosquitto_tls_set(m->mq, o->tls_ca_file, o->tls_ca_path, o->tls_cert_file,
                               o->tls_key_file, no_pass_phrase);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_opts_set(m->mq, 1 /* SSL_VERIFY_PEER */, o->tls_version, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_insecure_set(m->mq, false);
    return rc == MOSQ_ERR_SUCCESS ? TWIN_OK : rc == MOSQ_ERR_NOMEM ? TWIN_E_NOMEM : TWIN_E_INVAL;
}

/* ---- create, destroy ------------------------------------------------------- */

static twin_status create(twin_sp_mosq **out, twin_sp_edge *e, twin_sp_host *h,
                          const twin_sp_mosq_options *o)
{
    twin_sp_mosq_options opt;
    twin_allocator al = *twin_allocator_default();
    twin_status st;
    char topic[512];
    if (!out)
        return TWIN_E_INVAL;
    *out = NULL;
    if (!o || (!e && !h))
        return TWIN_E_INVAL;
    twin_sp_mosq_options_init(&opt);
    if ((st = twin__sized_in(&opt, sizeof opt, o)) != TWIN_OK ||
        (st = twin__sized_in(&al, sizeof al, opt.alloc)) != TWIN_OK)
        return st;
    if (!opt.broker || !opt.port || opt.port > 65535 || opt.reconnect_delay_us < 0 ||
        (h && (!opt.host_id || !twin__sp_id_ok(opt.host_id, strlen(opt.host_id)))) ||
        (opt.group_id && !twin__sp_id_ok(opt.group_id, strlen(opt.group_id))) ||
        !al.alloc || !al.free)
        return TWIN_E_INVAL;
    twin_sp_mosq *m = (twin_sp_mosq *)sp_alloc(&al, sizeof *m);
    if (!m)
        return TWIN_E_NOMEM;
    memset(m, 0, sizeof *m);
    m->a = al;
    m->e = e;
    m->h = h;
    m->port = (int)opt.port;
    m->keepalive = opt.keepalive_s ? (int)opt.keepalive_s : 30;
    m->delay_us = opt.reconnect_delay_us;
    m->st.size = sizeof m->st;
    m->broker = dup_str(&al, opt.broker);
    st = TWIN_E_NOMEM;
    if (!m->broker)
        goto fail;
    if (e) {
        /* the command topics come from the first will's topic (start()) */
        if (opt.client_id && !(m->client_id = dup_str(&al, opt.client_id)))
            goto fail;
    } else {
        if (!(m->host_id = dup_str(&al, opt.host_id)))
            goto fail;
        size_t gl = opt.group_id ? strlen(opt.group_id) : 0;
        if (gl + 16 > sizeof topic)
            goto fail;
        memcpy(topic, TWIN_SP_NAMESPACE "/", 8);
        memcpy(topic + 8, opt.group_id ? opt.group_id : "", gl);
        memcpy(topic + 8 + gl, gl ? "/#" : "#", gl ? 3 : 2);
        if (!(m->group_id = dup_str(&al, topic)))
            goto fail;
        if (twin_sp_topic_build(topic, sizeof topic, NULL, TWIN_SP_STATE, NULL, opt.host_id,
                                NULL) < 0 ||
            !(m->state = dup_str(&al, topic)))
            goto fail;
        m->client_id = dup_str(&al, opt.client_id ? opt.client_id : opt.host_id);
    }
    if ((opt.client_id && !m->client_id) || !(m->mq = mosquitto_new(m->client_id, 1, m)))
        goto fail;
    mosquitto_connect_callback_set(m->mq, on_connect);
    mosquitto_disconnect_callback_set(m->mq, on_disconnect);
    mosquitto_message_callback_set(m->mq, on_message);
    mosquitto_publish_callback_set(m->mq, on_publish);
    if ((st = tls_setup(m, &opt)) != TWIN_OK)
        goto fail;
    *out = m;
    return TWIN_OK;
fail:
    twin_sp_mosq_destroy(m);
    return st;
}

TWIN_SP_API twin_status twin_sp_mosq_edge_create(twin_sp_mosq **out, twin_sp_edge *e,
                                                 const twin_sp_mosq_options *o)
{
    if (!e) {
        if (out)
            *out = NULL;
        return TWIN_E_INVAL;
    }
    return create(out, e, NULL, o);
}

TWIN_SP_API twin_status twin_sp_mosq_host_create(twin_sp_mosq **out, twin_sp_host *h,
                                                 const twin_sp_mosq_options *o)
{
    if (!h) {
        if (out)
            *out = NULL;
        return TWIN_E_INVAL;
    }
    return create(out, NULL, h, o);
}

TWIN_SP_API void twin_sp_mosq_destroy(twin_sp_mosq *m)
{
    if (!m)
        return;
    twin_allocator a = m->a;
    if (m->mq)
        mosquitto_destroy(m->mq);  /* closes the socket: the broker sends the will */
    free_str(&a, m->broker);
    free_str(&a, m->client_id);
    free_str(&a, m->group_id);
    free_str(&a, m->host_id);
    free_str(&a, m->ncmd);
    free_str(&a, m->dcmd);
    free_str(&a, m->state);
    sp_free(&a, m->buf, m->cap);
    sp_free(&a, m, sizeof *m);
}

/* ---- the loop ---------------------------------------------------------------- */

/* The edge's command topics, from its NDEATH topic spBv1.0/G/NDEATH/N. */
static int command_topics(twin_sp_mosq *m, const char *death)
{
    twin_sp_topic t;
    char g[256], n[256], topic[600];
    if (twin_sp_topic_parse(death, strlen(death), &t) < 0 || t.group_len >= sizeof g ||
        t.node_len >= sizeof n)
        return -1;
    memcpy(g, t.group, t.group_len);
    g[t.group_len] = 0;
    memcpy(n, t.node, t.node_len);
    n[t.node_len] = 0;
    if (twin_sp_topic_build(topic, sizeof topic, NULL, TWIN_SP_NCMD, g, n, NULL) < 0 ||
        !(m->ncmd = dup_str(&m->a, topic)) ||
        twin_sp_topic_build(topic, sizeof topic, NULL, TWIN_SP_DCMD, g, n, "x") < 0)
        return -1;
    topic[strlen(topic) - 1] = '+';
    return (m->dcmd = dup_str(&m->a, topic)) ? 0 : -1;
}

/* Set the will of a new session: the edge's NDEATH (the next bdSeq), or
 * the host's STATE offline with this connection's timestamp. */
static int new_will(twin_sp_mosq *m, int64_t now)
{
    twin_sp_message will;
    int off = 0;
    if (m->e) {
        if (build(m, &will, b_edge_connect, NULL) < 0 ||
            (!m->ncmd && command_topics(m, will.topic) < 0))
            return -1;
    } else {
        m->state_ts_ms = (uint64_t)(now / 1000);
        if (build(m, &will, b_host_state, &off) < 0)
            return -1;
    }
    return mosquitto_will_set(m->mq, will.topic, (int)will.payload_len, will.payload, 1,
                              m->h != NULL) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static void start(twin_sp_mosq *m, int64_t now)
{
    m->next_try_us = now + m->delay_us;
    m->st.attempts++;
    /* An attempt that failed before its CONNECT left keeps its session:
       bdSeq counts CONNECT packets (chapter 5). */
    if (!m->will_unsent) {
        if (new_will(m, now) < 0)
            return;
        m->will_unsent = 1;
    }
    if (mosquitto_connect(m->mq, m->broker, m->port, m->keepalive) == MOSQ_ERR_SUCCESS) {
        m->connecting = 1;
        m->will_unsent = 0;
    }
}

/* Publish what the session has to send. */
static twin_status pump(twin_sp_mosq *m)
{
    int64_t now = now_us();
    twin_sp_message msg;
    while (m->st.connected) {
        twin_status s = build(m, &msg, m->e ? b_edge_next : b_host_next, &now);
        if (s == TWIN_DONE)
            return TWIN_OK;
        if (s < 0)
            return s;
        if (publish(m, &msg, (int)msg.qos, (int)msg.retain, NULL) < 0) {
            mosquitto_disconnect(m->mq);
            lost(m);
        }
    }
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_mosq_loop(twin_sp_mosq *m, int timeout_ms)
{
    if (!m)
        return TWIN_E_INVAL;
    if (m->stopped)
        return TWIN_E_STATE;
    int64_t now = now_us();
    if (m->e && !m->st.connected)  /* link down: DATA to the edge's store, if any */
        (void)twin_sp_edge_hold(m->e, now);
    if (!m->st.connected && !m->connecting) {
        if (now < m->next_try_us) {
            int64_t wait = m->next_try_us - now, max = (int64_t)timeout_ms * 1000;
            sleep_us(wait < max ? wait : max);
            return TWIN_OK;
        }
        start(m, now);
        if (!m->connecting)
            return TWIN_OK;
    }
    /* An edge's pump starts a round (reads every signal): once per call,
       and again only if a command arrived or the connection came up. */
    twin_status s = pump(m);
    uint64_t rx = m->st.received, cn = m->st.connects;
    int rc = mosquitto_loop(m->mq, timeout_ms, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
        if (m->st.connected || m->connecting)
            lost(m);
        return s;
    }
    /* libmosquitto reads one packet per select(): when one came, read on
       while whole messages keep coming (at most 256: the caller's turn) */
    for (int i = 0; i < 256 && m->st.connected && m->st.received != rx; i++) {
        uint64_t r = m->st.received;
        if (mosquitto_loop_read(m->mq, 1) != MOSQ_ERR_SUCCESS || m->st.received == r)
            break;
    }
    twin_status s2 = TWIN_OK;
    if (m->h || m->st.received != rx || m->st.connects != cn)
        s2 = pump(m);
    return s < 0 ? s : s2;
}

TWIN_SP_API twin_status twin_sp_mosq_stop(twin_sp_mosq *m)
{
    if (!m)
        return TWIN_E_INVAL;
    if (m->stopped)
        return TWIN_OK;
    m->stopped = 1;
    if (!m->st.connected)
        return TWIN_OK;
    twin_sp_message msg;
    int off = 0;
    m->stop_acked = 0;
    if (build(m, &msg, m->e ? b_edge_death : b_host_state, &off) == TWIN_OK &&
        publish(m, &msg, 1, m->h != NULL, &m->stop_mid) == 0)
        /* Disconnect once the broker has acknowledged the death: closing
           while its PUBACK (or a host's own STATE, echoed to it) is on the
           way makes mosquitto 2.0 before 2.0.22 see a failed connection,
           not a DISCONNECT, and publish the will too (a second death). */
        for (int i = 0; i < 100 && m->st.connected && !m->stop_acked; i++)
            if (mosquitto_loop(m->mq, 10, 1) != MOSQ_ERR_SUCCESS)
                break;
    mosquitto_disconnect(m->mq);
    for (int i = 0; i < 100 && m->st.connected; i++)
        if (mosquitto_loop(m->mq, 10, 1) != MOSQ_ERR_SUCCESS)
            break;
    m->st.connected = 0;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_mosq_get_stats(const twin_sp_mosq *m, twin_sp_mosq_stats *out)
{
    twin_status st;
    if (!m || !out)
        return TWIN_E_INVAL;
    if ((st = twin__sized_check(out, sizeof *out)) != TWIN_OK)
        return st;
    return twin__sized_out(out, &m->st, sizeof m->st);
}
