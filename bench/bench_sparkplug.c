/* Sparkplug B decode benchmark (issue 16): a DDATA of 100 Double metrics by
 * alias (each with its timestamp and datatype; payload timestamp and seq),
 * decoded on one core by libtwin-mqtt's hand-written codec (twin_sp_decode() into a metric
 * array, then twin_sp_metric_apply_type() with the BIRTH's type, as a host
 * does) and, built when protobuf-c was found, by the protobuf-c code that
 * protoc-c generates from tests/mqtt/sparkplug_b.proto (unpack, read, free:
 * its normal use, with the C library's allocator). Both must read the same
 * values. Prints a table and lines "bench: NAME VALUE UNIT":
 * sparkplug_decode_metrics_per_s (libtwin), sparkplug_decode_protobuf_c_
 * metrics_per_s, sparkplug_decode_vs_protobuf_c.
 *
 * Usage: bench_sparkplug [RUNS [SECONDS_PER_RUN [PAYLOAD_OUT]]]
 *   defaults 7 runs of 0.3 s; PAYLOAD_OUT: write the payload there (for the
 *   JavaScript side of bench/sparkplug). */
#include <twin/sparkplug.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#ifdef HAVE_PROTOBUF_C
#include "sparkplug_b.pb-c.h"
#endif

#define METRICS 100

static uint8_t payload[4096];
static size_t payload_len;
static double expect_sum;

static void build(void)
{
    twin_sp_payload p;
    twin_sp_metric m[METRICS];
    memset(&p, 0, sizeof p);
    memset(m, 0, sizeof m);
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP | TWIN_SP_PAYLOAD_HAS_SEQ;
    p.timestamp = 1700000000123ull;
    p.seq = 42;
    expect_sum = 0;
    for (int i = 0; i < METRICS; i++) {
        /* With the datatype, as Tahu's edge nodes send DDATA (the
           specification says SHOULD NOT; Tahu's JavaScript decoder gives no
           value without it). */
        m[i].flags = TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP | TWIN_SP_HAS_DATATYPE;
        m[i].alias = (uint64_t)i + 1;
        m[i].timestamp = p.timestamp - (uint64_t)i;
        m[i].datatype = TWIN_SP_DOUBLE;
        m[i].value.d = 20.0 + 0.137 * i + sin(i);
        expect_sum += m[i].value.d + (double)m[i].alias;
    }
    if (twin_sp_encode(&p, m, METRICS, payload, sizeof payload, &payload_len) != TWIN_OK) {
        fprintf(stderr, "bench_sparkplug: encode failed\n");
        exit(1);
    }
}

/* One decode by libtwin: the sum of values and aliases (checked). */
static double decode_ours(void)
{
    static twin_sp_metric m[METRICS];
    twin_sp_payload p;
    double sum = 0;
    if (twin_sp_decode(payload, payload_len, &p, m, METRICS, NULL) != TWIN_OK)
        return NAN;
    for (size_t i = 0; i < p.metric_count; i++) {
        if (twin_sp_metric_apply_type(&m[i], TWIN_SP_DOUBLE) != TWIN_OK)
            return NAN;
        sum += m[i].value.d + (double)m[i].alias;
    }
    return sum;
}

#ifdef HAVE_PROTOBUF_C
static double decode_protobuf_c(void)
{
    Twinsp__Payload *p = twinsp__payload__unpack(NULL, payload_len, payload);
    double sum = 0;
    if (!p)
        return NAN;
    for (size_t i = 0; i < p->n_metrics; i++) {
        const Twinsp__Payload__Metric *m = p->metrics[i];
        if (m->value_case != TWINSP__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE || !m->has_alias)
            sum = NAN;
        sum += m->double_value + (double)m->alias;
    }
    twinsp__payload__free_unpacked(p, NULL);
    return sum;
}
#endif

/* Median decodes per second of fn over runs of secs each. */
static double measure(double (*fn)(void), int runs, double secs, const char *name)
{
    double rate[64];
    volatile double sink = 0;
    for (int r = 0; r < runs; r++) {
        long n = 0;
        double t0 = bench_now_s(), t;
        do {
            for (int k = 0; k < 256; k++) {
                double s = fn();
                if (fabs(s - expect_sum) > 1e-6 * fabs(expect_sum)) {
                    fprintf(stderr, "bench_sparkplug: %s read wrong values\n", name);
                    exit(1);
                }
                sink += s;
            }
            n += 256;
            t = bench_now_s();
        } while (t - t0 < secs);
        rate[r] = (double)n / (t - t0);
    }
    (void)sink;
    return bench_median(rate, runs);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 7;
    double secs = argc > 2 ? atof(argv[2]) : 0.3;
    if (runs < 1 || runs > 64 || !(secs > 0)) {
        fprintf(stderr, "usage: bench_sparkplug [RUNS (1-64) [SECONDS_PER_RUN [PAYLOAD_OUT]]]\n");
        return 2;
    }
    build();
    if (argc > 3) {
        FILE *f = fopen(argv[3], "wb");
        if (!f || fwrite(payload, 1, payload_len, f) != payload_len || fclose(f) != 0) {
            fprintf(stderr, "bench_sparkplug: cannot write %s\n", argv[3]);
            return 1;
        }
    }
    printf("DDATA of %d Double metrics by alias, %zu bytes; median of %d runs of %.1f s\n",
           METRICS, payload_len, runs, secs);
    double ours = measure(decode_ours, runs, secs, "libtwin") * METRICS;
    printf("  %-40s %14.0f metrics/s  %7.1f ns/metric\n", "libtwin-mqtt (hand-written)", ours,
           1e9 / ours);
#ifdef HAVE_PROTOBUF_C
    double pc = measure(decode_protobuf_c, runs, secs, "protobuf-c") * METRICS;
    printf("  %-40s %14.0f metrics/s  %7.1f ns/metric\n", "protobuf-c " PROTOBUF_C_VERSION
           " (generated)", pc, 1e9 / pc);
#endif
    printf("check: sum %.17g\n", expect_sum);
    printf("bench: sparkplug_decode_metrics_per_s %.0f metrics/s\n", ours);
    printf("bench: sparkplug_payload_bytes %zu bytes\n", payload_len);
#ifdef HAVE_PROTOBUF_C
    printf("bench: sparkplug_decode_protobuf_c_metrics_per_s %.0f metrics/s\n", pc);
    printf("bench: sparkplug_decode_vs_protobuf_c %.2f x\n", ours / pc);
#endif
    return 0;
}
