/* libFuzzer target for the DTDL parser: any bytes in, no crash, no leak,
 * no hang. The first byte picks the options; the rest is split at each
 * "\n\x00\n" into documents added one call each, then the set is
 * resolved and every element read. With the first byte's top bit set the
 * rest is instead a binary model form (twin_models_load), its checksum
 * made right first so that the structure checks are what gets fuzzed; a
 * form that loads is saved, loaded and saved again, and both saves must be
 * the same bytes (read, write, read gives the same set).
 *
 * Differential: each document is also read by the library's JSON reader
 * (lib/dtdl/jsonread.c), by cJSON_ParseWithLengthOpts() and by the old
 * strict checker (tests/dtdl/json_oracle.c); the reader must refuse what
 * the checker refuses, at the same byte, and otherwise build cJSON's tree
 * node for node (or refuse a bad \u surrogate, which cJSON fails on).
 * Any difference aborts. */
#include <twin/twin.h>

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "dtdl/json_oracle.h"
#include "dtdl/jsonread.h"

static void differs(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "fuzz_dtdl: the JSON reader differs: %s (%zu, %zu)\n", what, a, b);
    abort();
}

static int hexsur(const char *p)
{
    char h[5];
    long v;
    memcpy(h, p, 4);
    h[4] = '\0';
    v = strtol(h, NULL, 16);
    return v >= 0xD800 && v <= 0xDFFF;
}

static void json_diff(const char *t, size_t n)
{
    size_t ob = 0, nb = 0;
    int od = 0, nd = 0;
    const twin__json *mine = NULL;
    cJSON *cj;
    const char *end = NULL;
    char why[256];
    const twin_allocator *a = twin_allocator_default();
    twin__region tree;
    twin_status s;
    twin__region_init(&tree, 4096);
    s = twin__json_read(t, n, &tree, a, &mine, &nb, &nd);
    if (!oracle_json_check(t, n, &ob, &od)) {
        if (s != TWIN_E_PARSE || mine) differs("accepts what the old checker refuses", ob, n);
        if (nb != ob || nd != od) differs("refused elsewhere than by the old checker", nb, ob);
        twin__region_fini(&tree, a);
        return;
    }
    cj = cJSON_ParseWithLengthOpts(t, n, &end, 0);
    if (cj)
        while (end < t + n && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')) end++;
    if (cj && end == t + n) {
        if (s != TWIN_OK) differs("refuses what cJSON reads", nb, n);
        if (!oracle_same_tree(mine, cj, why, sizeof why)) {
            fprintf(stderr, "fuzz_dtdl: trees differ: %s\n", why);
            abort();
        }
    } else {
        if (cj) differs("cJSON stops early", (size_t)(end - t), n);
        if (s != TWIN_E_PARSE || nd || nb < 1 || nb + 4 >= n || t[nb - 1] != '\\' ||
            t[nb] != 'u' || !hexsur(t + nb + 1))
            differs("cJSON fails, the reader does not refuse a bad surrogate", nb, n);
    }
    cJSON_Delete(cj);
    twin__region_fini(&tree, a);
}

static size_t walk(const twin_dtdl_elem *e, int depth)
{
    size_t n = 1, i, k;
    static const twin_dtdl_list_kind lists[] = {TWIN_DTDL_OWN_CONTENTS, TWIN_DTDL_SCHEMAS,
                                                TWIN_DTDL_FIELDS, TWIN_DTDL_ENUM_VALUES,
                                                TWIN_DTDL_PROPERTIES};
    if (!e || depth > 12) return 0;
    n += strlen(twin_dtdl_id(e)) + strlen(twin_dtdl_name(e)) +
         strlen(twin_dtdl_display_name(e, "en")) + strlen(twin_dtdl_unit(e));
    for (k = 0; k < sizeof lists / sizeof lists[0]; k++)
        for (i = 0; i < twin_dtdl_count(e, lists[k]); i++)
            n += walk(twin_dtdl_at(e, lists[k], i), depth + 1);
    for (k = TWIN_DTDL_SCHEMA; k <= TWIN_DTDL_RESPONSE; k++)
        n += walk(twin_dtdl_link(e, (twin_dtdl_link_kind)k), depth + 1);
    return n;
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

typedef struct outbuf {
    unsigned char *p;
    size_t n, cap;
} outbuf;

static twin_status out_put(void *ud, const void *p, size_t n)
{
    outbuf *o = ud;
    if (o->n + n > o->cap) {
        size_t cap = (o->n + n) * 2 + 256;
        unsigned char *q = realloc(o->p, cap);
        if (!q) return TWIN_E_NOMEM;
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
    return TWIN_OK;
}

/* Saved, loaded, saved again: the same bytes. */
static void same_again(const twin_models *m)
{
    outbuf a = {0}, b = {0};
    twin_models *m2;
    if (twin_models_save(m, out_put, &a) != TWIN_OK) abort();
    if (twin_models_load(&m2, a.p, a.n, NULL) != TWIN_OK) {
        fprintf(stderr, "fuzz_dtdl: a saved binary form does not load\n");
        abort();
    }
    if (twin_models_save(m2, out_put, &b) != TWIN_OK) abort();
    if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0) {
        fprintf(stderr, "fuzz_dtdl: binary form: read, write, read gives other bytes\n");
        abort();
    }
    twin_models_destroy(m2);
    free(a.p);
    free(b.p);
}

static int fuzz_binary(const uint8_t *data, size_t size)
{
    unsigned char *b;
    twin_models *m;
    size_t i, n = 0;
    uint32_t c;
    if (size < 8) return 0;
    b = malloc(size);
    if (!b) return 0;
    memcpy(b, data, size);
    c = crc32(b, size - 4);
    b[size - 4] = (unsigned char)c;
    b[size - 3] = (unsigned char)(c >> 8);
    b[size - 2] = (unsigned char)(c >> 16);
    b[size - 1] = (unsigned char)(c >> 24);
    if (twin_models_load(&m, b, size, NULL) == TWIN_OK) {
        same_again(m);
        for (i = 0; i < twin_models_interface_count(m); i++) {
            const twin_dtdl_elem *e = twin_models_interface(m, i);
            size_t k;
            n += walk(e, 0);
            for (k = 0; k < twin_dtdl_count(e, TWIN_DTDL_CONTENTS); k++)
                n += walk(twin_dtdl_at(e, TWIN_DTDL_CONTENTS, k), 1);
        }
        twin_models_destroy(m);
    }
    free(b);
    return n == SIZE_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    twin_models_options o;
    twin_models *m;
    const char *p, *end;
    size_t i, n = 0;
    if (size < 1) return 0;
    if (data[0] & 0x80) return fuzz_binary(data + 1, size - 1);
    twin_models_options_init(&o);
    o.flags = data[0] & 3u;
    o.max_dtdl_version = 2 + (data[0] >> 2) % 3;
    if (twin_models_create(&m, &o) != TWIN_OK) return 0;
    p = (const char *)data + 1;
    end = (const char *)data + size;
    while (p <= end) {
        const char *q = p;
        while (q + 3 <= end && memcmp(q, "\n\0\n", 3) != 0) q++;
        if (q + 3 > end) q = end;
        json_diff(p, (size_t)(q - p));
        twin_models_add(m, p, (size_t)(q - p), "fuzz");
        for (i = 0; i < twin_models_diag_count(m); i++)
            n += strlen(twin_models_diag(m, i)->message);
        p = q + 3;
    }
    twin_dtmi_parse((const char *)data + 1, size - 1, NULL);
    if (twin_models_resolve(m) == TWIN_OK) {
        for (i = 0; i < twin_models_interface_count(m); i++) {
            const twin_dtdl_elem *e = twin_models_interface(m, i);
            size_t k;
            n += walk(e, 0);
            for (k = 0; k < twin_dtdl_count(e, TWIN_DTDL_CONTENTS); k++)
                n += walk(twin_dtdl_at(e, TWIN_DTDL_CONTENTS, k), 1);
        }
    }
    twin_models_destroy(m);
    return n == SIZE_MAX;  /* keep n alive */
}
