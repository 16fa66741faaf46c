/* A scripted Sparkplug B publisher for test_watch.sh: messages an edge
 * should not send (a seq gap, an unknown alias, data before a birth, a
 * malformed payload) between good ones, so that `twinctl watch` can be
 * checked on each. Publishes QoS 1 (in order, acknowledged) and exits.
 *   sp_publish HOST PORT */
#include <twin/sparkplug.h>

#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1717200000000ull /* 2024-06-01T00:00:00Z, ms */

static struct mosquitto *mq;
static int acked, connected;

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    (void)ud;
    connected = rc == 0 ? 1 : -1;
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    (void)ud;
    (void)mid;
    acked++;
}

static int send_raw(const char *topic, const void *buf, size_t len)
{
    static int sent;
    if (mosquitto_publish(mq, NULL, topic, (int)len, buf, 1, false) != MOSQ_ERR_SUCCESS)
        return -1;
    sent++;
    for (int i = 0; i < 500 && acked < sent; i++)
        if (mosquitto_loop(mq, 10, 1) != MOSQ_ERR_SUCCESS)
            return -1;
    return acked == sent ? 0 : -1;
}

static int send_payload(const char *topic, uint64_t seq, twin_sp_metric *m, size_t n)
{
    twin_sp_payload p;
    uint8_t buf[1024];
    size_t len;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP | TWIN_SP_PAYLOAD_HAS_SEQ;
    p.timestamp = T0;
    p.seq = seq;
    if (twin_sp_encode(&p, m, n, buf, sizeof buf, &len) != TWIN_OK) {
        fprintf(stderr, "sp_publish: cannot encode %s\n", topic);
        return -1;
    }
    return send_raw(topic, buf, len);
}

static twin_sp_metric metric(const char *name, uint64_t alias, uint32_t type, double v,
                             uint64_t ts)
{
    twin_sp_metric m;
    memset(&m, 0, sizeof m);
    if (name) {
        m.name = name;
        m.name_len = (uint32_t)strlen(name);
    }
    m.alias = alias;
    m.flags = TWIN_SP_HAS_ALIAS;
    if (type) {
        m.datatype = type;
        m.flags |= TWIN_SP_HAS_DATATYPE;
    } else {
        m.field = TWIN_SP_FIELD_DOUBLE;
    }
    if (ts) {
        m.timestamp = ts;
        m.flags |= TWIN_SP_HAS_TIMESTAMP;
    }
    if (type == TWIN_SP_UINT64) m.value.u = (uint64_t)v;
    else m.value.d = v;
    return m;
}

int main(int argc, char **argv)
{
    uint8_t props[64];
    size_t plen;
    twin_sp_property unit;
    twin_sp_metric m[2];
    int rc = 1;
    if (argc != 3) {
        fprintf(stderr, "usage: sp_publish HOST PORT\n");
        return 2;
    }
    memset(&unit, 0, sizeof unit);
    unit.key = "engUnit";
    unit.key_len = 7;
    unit.datatype = TWIN_SP_STRING;
    unit.data = (const uint8_t *)"degreeCelsius";
    unit.len = 13;
    if (twin_sp_properties_encode(&unit, 1, props, sizeof props, &plen) != TWIN_OK) return 1;

    mosquitto_lib_init();
    if (!(mq = mosquitto_new("sp-publish", true, NULL))) goto out;
    mosquitto_connect_callback_set(mq, on_connect);
    mosquitto_publish_callback_set(mq, on_publish);
    if (mosquitto_connect(mq, argv[1], atoi(argv[2]), 30) != MOSQ_ERR_SUCCESS) goto out;
    for (int i = 0; i < 500 && !connected; i++) mosquitto_loop(mq, 10, 1);
    if (connected != 1) goto out;

    /* a node and a device whose twin id has a '/' (escaped %2F) */
    m[0] = metric("bdSeq", 0, TWIN_SP_UINT64, 0, 0);
    m[0].flags &= ~TWIN_SP_HAS_ALIAS;
    if (send_payload("spBv1.0/lab/NBIRTH/n1", 0, m, 1)) goto out;
    m[0] = metric("temp", 2, TWIN_SP_DOUBLE, 20.5, 0);
    m[0].properties = props;
    m[0].properties_len = (uint32_t)plen;
    m[0].flags |= TWIN_SP_HAS_PROPERTIES;
    if (send_payload("spBv1.0/lab/DBIRTH/n1/cell%2F1", 1, m, 1)) goto out;
    m[0] = metric(NULL, 2, 0, 21.5, T0 + 1000);
    if (send_payload("spBv1.0/lab/DDATA/n1/cell%2F1", 2, m, 1)) goto out;
    m[0] = metric(NULL, 2, 0, 22.5, T0 + 2000);  /* seq 3 and 4 never come */
    if (send_payload("spBv1.0/lab/DDATA/n1/cell%2F1", 5, m, 1)) goto out;
    m[0] = metric(NULL, 99, 0, 1.0, T0 + 3000);  /* no such alias */
    if (send_payload("spBv1.0/lab/DDATA/n1/cell%2F1", 6, m, 1)) goto out;
    m[0] = metric(NULL, 1, 0, 1.0, T0 + 3000);   /* a node never born */
    if (send_payload("spBv1.0/lab/NDATA/n2", 0, m, 1)) goto out;
    if (send_raw("spBv1.0/lab/NDATA/n1", "\xff\xff\xff", 3)) goto out;  /* not protobuf */
    if (send_payload("spBv1.0/lab/DDEATH/n1/cell%2F1", 7, NULL, 0)) goto out;
    rc = 0;
out:
    if (rc) fprintf(stderr, "sp_publish: failed\n");
    if (mq) {
        mosquitto_disconnect(mq);
        mosquitto_loop(mq, 10, 1);
        mosquitto_destroy(mq);
    }
    mosquitto_lib_cleanup();
    return rc;
}
