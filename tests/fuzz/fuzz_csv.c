/* libFuzzer target for twinctl's telemetry CSV reader (tools/twinctl/csv.c):
 * any bytes in, no crash, no leak, no hang, no read or write outside the
 * buffer (it splits the text in place, writing one byte past the end).
 * Every accepted row has a non-empty twin and signal inside the buffer, and
 * a receive time only with a source (inside the buffer too). The
 * samples then go through an ingest handle over a graph with their twins
 * (signals declared as they come), which must give each one an outcome. */
#include "csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    csv_rows r;
    twin_graph *g;
    twin_ingest_options io;
    twin_ingest *ing;
    if (!buf) return 0;
    memset(&r, 0, sizeof r);
    memcpy(buf, data, size);
    csv_parse("fuzz", buf, size, &r);
    if (twin_graph_create(&g, NULL) != TWIN_OK) abort();
    twin_ingest_options_init(&io);
    for (size_t i = 0; i < r.n; i++) {
        const twin_sample *x = &r.s[i];
        if (!*x->twin_id || !*x->signal || x->twin_id < buf || x->twin_id > buf + size ||
            x->signal < buf || x->signal > buf + size)
            abort();
        if (r.source[i] && (!*r.source[i] || r.source[i] < buf || r.source[i] > buf + size))
            abort();
        if (r.receive_us[i] != INT64_MIN && !r.source[i]) abort();
        twin_graph_add_twin(g, x->twin_id, "dtmi:fuzz:T;1", NULL, 0);
    }
    if (twin_ingest_create(&ing, g, &io) != TWIN_OK) abort();
    for (size_t i = 0; i < r.n; i++)  /* a signal per name, with the row's unit */
        twin_ingest_add_signal(ing, r.s[i].twin_id, r.s[i].signal, NULL, NULL);
    if (r.n) {
        uint8_t *out = malloc(r.n);
        size_t done = 0;
        twin_status s = twin_ingest_write(ing, r.s, r.n, out, &done);
        if (s == TWIN_OK && done != r.n) abort();
        free(out);
    }
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    free(r.s);
    free(r.line);
    free(r.source);
    free(r.receive_us);
    free(buf);
    return 0;
}
