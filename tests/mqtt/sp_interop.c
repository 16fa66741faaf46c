/* Helper of tests/mqtt/tahu_interop.sh: libtwin-mqtt's side of the
 * interoperability test with Eclipse Tahu's JavaScript codec.
 *   sp_interop encode FILE   write a payload with a metric of every scalar
 *                            type (the table below; tahu_interop.mjs has the
 *                            same one)
 *   sp_interop decode FILE   decode a payload and print "seq N", then one
 *                            line per metric: "NAME TYPE VALUE" (VALUE
 *                            "null", decimal integers, %.9g floats, %.17g
 *                            doubles, true/false, strings as they are, bytes
 *                            in hex), and "prop NAME KEY VALUE" for String
 *                            properties
 *   sp_interop edge DIR      run an Edge Node over a small graph and write
 *                            its NBIRTH, DBIRTH and DDATA payloads as
 *                            DIR/nbirth.bin, DIR/dbirth.bin, DIR/ddata.bin
 * Exit status 0, or 1 with a message. */
#include <twin/sparkplug.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t BYTES[] = {0x00, 0x01, 0xfe, 0xff};

static int die(const char *msg)
{
    fprintf(stderr, "sp_interop: %s\n", msg);
    return 1;
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        return die("cannot write a file");
    return 0;
}

static twin_sp_metric typed(const char *name, uint32_t type)
{
    twin_sp_metric m;
    memset(&m, 0, sizeof m);
    m.name = name;
    m.name_len = (uint32_t)strlen(name);
    m.datatype = type;
    m.flags = TWIN_SP_HAS_DATATYPE | TWIN_SP_HAS_TIMESTAMP;
    m.timestamp = 1486144502122ull;
    return m;
}

static int encode(const char *path)
{
    twin_sp_metric m[20];
    twin_sp_property prop;
    uint8_t props[64], buf[2048];
    size_t n = 0, plen, len;
    twin_sp_payload p;
    memset(&p, 0, sizeof p);
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP | TWIN_SP_PAYLOAD_HAS_SEQ;
    p.timestamp = 1486144502122ull;
    p.seq = 17;
    m[n] = typed("Int8", TWIN_SP_INT8), m[n++].value.i = -5;
    m[n] = typed("Int16", TWIN_SP_INT16), m[n++].value.i = -30000;
    m[n] = typed("Int32", TWIN_SP_INT32), m[n++].value.i = INT32_MIN;
    m[n] = typed("Int64", TWIN_SP_INT64), m[n++].value.i = INT64_MIN;
    m[n] = typed("UInt8", TWIN_SP_UINT8), m[n++].value.u = 250;
    m[n] = typed("UInt16", TWIN_SP_UINT16), m[n++].value.u = 52360;
    m[n] = typed("UInt32", TWIN_SP_UINT32), m[n++].value.u = 123456789;
    m[n] = typed("UInt64", TWIN_SP_UINT64), m[n++].value.u = UINT64_MAX;
    m[n] = typed("Float", TWIN_SP_FLOAT), m[n++].value.f = 1.5f;
    m[n] = typed("Double", TWIN_SP_DOUBLE), m[n++].value.d = -1.0 / 3.0;
    m[n] = typed("Boolean", TWIN_SP_BOOLEAN), m[n++].value.u = 1;
    m[n] = typed("String", TWIN_SP_STRING);
    m[n].data = (const uint8_t *)"h\xc3\xa9llo";
    m[n++].len = 6;
    m[n] = typed("DateTime", TWIN_SP_DATETIME), m[n++].value.u = 1656107875000ull;
    m[n] = typed("Text", TWIN_SP_TEXT);
    m[n].data = (const uint8_t *)"some text";
    m[n++].len = 9;
    m[n] = typed("UUID", TWIN_SP_UUID);
    m[n].data = (const uint8_t *)"0c3a8e4b-1a2b-4c5d-8e9f-0123456789ab";
    m[n++].len = 36;
    m[n] = typed("Bytes", TWIN_SP_BYTES);
    m[n].data = BYTES;
    m[n++].len = sizeof BYTES;
    m[n] = typed("Null", TWIN_SP_DOUBLE), m[n++].flags |= TWIN_SP_NULL;
    memset(&prop, 0, sizeof prop);
    prop.key = "engUnit";
    prop.key_len = 7;
    prop.datatype = TWIN_SP_STRING;
    prop.data = (const uint8_t *)"degreeCelsius";
    prop.len = 13;
    if (twin_sp_properties_encode(&prop, 1, props, sizeof props, &plen) != TWIN_OK)
        return die("properties_encode failed");
    m[9].properties = props;
    m[9].properties_len = (uint32_t)plen;
    m[9].flags |= TWIN_SP_HAS_PROPERTIES;
    if (twin_sp_encode(&p, m, n, buf, sizeof buf, &len) != TWIN_OK)
        return die("encode failed");
    return write_file(path, buf, len);
}

static void print_value(const twin_sp_metric *m)
{
    uint32_t t = m->datatype;
    if ((m->flags & TWIN_SP_NULL) || m->field == TWIN_SP_FIELD_NONE)
        printf("null");
    else if (t >= TWIN_SP_INT8 && t <= TWIN_SP_INT64)
        printf("%" PRId64, m->value.i);
    else if ((t >= TWIN_SP_UINT8 && t <= TWIN_SP_UINT64) || t == TWIN_SP_DATETIME)
        printf("%" PRIu64, m->value.u);
    else if (t == TWIN_SP_FLOAT)
        printf("%.9g", (double)m->value.f);
    else if (t == TWIN_SP_DOUBLE)
        printf("%.17g", m->value.d);
    else if (t == TWIN_SP_BOOLEAN)
        printf("%s", m->value.u ? "true" : "false");
    else if (t == TWIN_SP_STRING || t == TWIN_SP_TEXT || t == TWIN_SP_UUID)
        printf("%.*s", (int)m->len, (const char *)m->data);
    else
        for (uint32_t i = 0; i < m->len; i++)
            printf("%02x", m->data[i]);
}

static int decode(const char *path)
{
    static uint8_t buf[65536];
    twin_sp_metric m[64];
    twin_sp_payload p;
    twin_sp_diag d;
    FILE *f = fopen(path, "rb");
    if (!f)
        return die("cannot read the payload");
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (twin_sp_decode(buf, len, &p, m, 64, &d) != TWIN_OK) {
        fprintf(stderr, "sp_interop: decode: %s at %" PRIu64 "\n", d.message, d.offset);
        return 1;
    }
    printf("seq %" PRIu64 "\n", p.seq);
    for (size_t i = 0; i < p.metric_count; i++) {
        printf("%.*s %u ", (int)m[i].name_len, m[i].name ? m[i].name : "", m[i].datatype);
        print_value(&m[i]);
        printf("\n");
        if (m[i].flags & TWIN_SP_HAS_PROPERTIES) {
            twin_sp_property pr[8];
            size_t np;
            if (twin_sp_properties_decode(m[i].properties, m[i].properties_len, pr, 8, &np,
                                          NULL) != TWIN_OK)
                return die("properties decode failed");
            for (size_t k = 0; k < np; k++)
                if (pr[k].datatype == TWIN_SP_STRING)
                    printf("prop %.*s %.*s %.*s\n", (int)m[i].name_len, m[i].name,
                           (int)pr[k].key_len, pr[k].key, (int)pr[k].len,
                           (const char *)pr[k].data);
        }
    }
    return 0;
}

static int edge(const char *dir)
{
    static uint8_t buf[8192];
    char path[4096];
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_edge *e;
    twin_sp_edge_options o;
    twin_signal_options so;
    twin_signal s;
    twin_sp_message msg;
    const char *names[3] = {"nbirth.bin", "dbirth.bin", "ddata.bin"};
    if (twin_graph_create(&g, NULL) != TWIN_OK ||
        twin_graph_add_twin(g, "line/motor+1", "dtmi:test:Motor;1", NULL, 0) != TWIN_OK ||
        twin_ingest_create(&ing, g, NULL) != TWIN_OK)
        return die("graph or ingest");
    twin_signal_options_init(&so);
    so.unit = "degreeCelsius";
    if (twin_ingest_add_signal(ing, "line/motor+1", "temp", &so, &s) != TWIN_OK)
        return die("signal");
    twin_signal_sample x = {s, 1700000000000000LL, 21.5};
    twin_ingest_write_signals(ing, &x, 1, NULL, NULL);
    twin_sp_edge_options_init(&o);
    o.group_id = "G";
    o.node_id = "N";
    if (twin_sp_edge_create(&e, g, ing, &o) != TWIN_OK ||
        twin_sp_edge_connect(e, &msg, buf, sizeof buf, NULL) != TWIN_OK)
        return die("edge");
    for (int k = 0; k < 3; k++) {
        if (k == 2) {
            twin_signal_sample y = {s, 1700000001000000LL, 22.75};
            twin_ingest_write_signals(ing, &y, 1, NULL, NULL);
        }
        if (twin_sp_edge_next(e, 1700000002000000LL, &msg, buf, sizeof buf, NULL) != TWIN_OK)
            return die("edge next");
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        if (write_file(path, msg.payload, msg.payload_len))
            return 1;
        if (k == 1 && twin_sp_edge_next(e, 0, &msg, buf, sizeof buf, NULL) != TWIN_DONE)
            return die("more than one DBIRTH");
    }
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "encode") == 0)
        return encode(argv[2]);
    if (argc == 3 && strcmp(argv[1], "decode") == 0)
        return decode(argv[2]);
    if (argc == 3 && strcmp(argv[1], "edge") == 0)
        return edge(argv[2]);
    fprintf(stderr, "usage: sp_interop encode|decode FILE | sp_interop edge DIR\n");
    return 2;
}
