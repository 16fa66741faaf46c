/* libFuzzer target for twinctl's JSON reader, the one that reads the
 * bulk-import NDJSON of Azure Digital Twins line by line: any bytes in, no
 * crash, no leak, no hang. Each line is parsed; a line that parses is
 * written back (json_write_value) and the text parsed and written again:
 * the two writes must be the same bytes (the writer is the reader's
 * inverse on its own trees), or the target aborts. */
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value written by json_write_value, in a malloc'd buffer. */
static char *written(const twin_value *v, size_t *n)
{
    char *p = NULL;
    FILE *f = open_memstream(&p, n);
    if (!f) abort();
    json_write_value(f, v);
    fclose(f);
    return p;
}

static void one_line(json_parser *jp, mem *m, const char *s, size_t n)
{
    twin_value v, w;
    json_error e;
    char *a, *b;
    size_t na, nb;
    mem_reset(m);
    if (json_parse(jp, m, s, n, &v, &e) != 0) {
        if (e.offset > n) abort();  /* an error points into the text */
        return;
    }
    a = written(&v, &na);
    if (json_parse(jp, m, a, na, &w, &e) != 0) {
        fprintf(stderr, "fuzz_ndjson: written text does not parse: %s\n", e.message);
        abort();
    }
    b = written(&w, &nb);
    if (na != nb || memcmp(a, b, na) != 0) {
        fprintf(stderr, "fuzz_ndjson: writing again gives other bytes\n");
        abort();
    }
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size;
    json_parser jp;
    mem m;
    json_parser_init(&jp);
    mem_init(&m);
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        one_line(&jp, &m, s, n);
        s += n + (nl != NULL);
    }
    mem_free(&m);
    json_parser_fini(&jp);
    return 0;
}
