#include "dtdl/dtdl_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

failalloc mfa;
twin_models *M;

twin_models *models_open(failalloc *fa, uint32_t flags)
{
    twin_models_options o;
    twin_models *m = NULL;
    twin_status s;
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.flags = flags;
    o.alloc = fa ? &fa->alloc : NULL;
    s = twin_models_create(&m, &o);
    ck_assert_msg(s == TWIN_OK && m != NULL, "twin_models_create returned %d", s);
    return m;
}

void models_close(twin_models *m, failalloc *fa)
{
    twin_models_destroy(m);
    if (fa)
        ck_assert_msg(fa->live_bytes == 0 && fa->live_blocks == 0,
                      "leaked %zu bytes in %zu blocks", fa->live_bytes, fa->live_blocks);
}

void models_setup(void)
{
    failalloc_init(&mfa);
    M = models_open(&mfa, 0);
}

void models_teardown(void)
{
    models_close(M, &mfa);
    M = NULL;
    failalloc_fini(&mfa);
}

char *jq(const char *q)
{
    size_t n = strlen(q), i;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    for (i = 0; i <= n; i++) s[i] = q[i] == '\'' ? '"' : q[i];
    return s;
}

twin_status add_src(twin_models *m, const char *json, const char *src)
{
    return twin_models_add(m, json, strlen(json), src);
}

twin_status addq(twin_models *m, const char *q)
{
    char *s = jq(q);
    twin_status st = add_src(m, s, "test.json");
    free(s);
    return st;
}

const twin_dtdl_diag *diag_find(const twin_models *m, const char *code)
{
    size_t i, n = twin_models_diag_count(m);
    for (i = 0; i < n; i++) {
        const twin_dtdl_diag *d = twin_models_diag(m, i);
        if (d && strcmp(d->code, code) == 0) return d;
    }
    return NULL;
}

const char *diag_dump(const twin_models *m)
{
    static char buf[4096];
    size_t i, n = twin_models_diag_count(m), used = 0;
    buf[0] = '\0';
    for (i = 0; i < n && used + 1 < sizeof buf; i++) {
        const twin_dtdl_diag *d = twin_models_diag(m, i);
        int k = snprintf(buf + used, sizeof buf - used, "[%s at '%s' %u:%u: %s] ", d->code,
                         d->pointer, (unsigned)d->line, (unsigned)d->column, d->message);
        if (k < 0) break;
        used += (size_t)k;
        if (used >= sizeof buf) used = sizeof buf - 1;
    }
    if (n == 0) snprintf(buf, sizeof buf, "(no diagnostics; last error: %s)",
                         twin_models_last_error(m).message);
    return buf;
}

void text_pos(const char *text, const char *marker, uint32_t *line, uint32_t *col)
{
    const char *at = strstr(text, marker), *p, *bol = text;
    uint32_t ln = 1;
    ck_assert_msg(at != NULL, "marker '%s' not in the text", marker);
    for (p = text; p < at; p++)
        if (*p == '\n') {
            ln++;
            bol = p + 1;
        }
    *line = ln;
    *col = (uint32_t)(at - bol) + 1;
}

const twin_dtdl_elem *find_ok(const twin_models *m, const char *dtmi)
{
    const twin_dtdl_elem *e = twin_models_find(m, dtmi);
    ck_assert_msg(e != NULL, "'%s' not found", dtmi);
    return e;
}
