/* Fixture and helpers of the impact tests that build small graphs; see
 * impact_fixture.h. */
#include "impact_fixture.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/fixture.h"
#include "support/graphsnap.h"

twin_impact *q;

void impact_setup(void)
{
    graph_setup();
    ck_assert_int_eq(twin_impact_create(&q, g, &fa.alloc), TWIN_OK);
    ck_assert_ptr_nonnull(q);
}

void impact_teardown(void)
{
    twin_impact_destroy(q);
    q = NULL;
    graph_teardown();
}

static void ensure_twin(const char *id)
{
    if (twin_graph_find_twin(g, id, NULL) == TWIN_E_NOTFOUND)
        ASSERT_OK(g, twin_graph_add_twin(g, id, MACHINE, NULL, 0));
}

void build(const char *spec)
{
    char buf[2048], *save = NULL, *tok;
    ck_assert_uint_lt(strlen(spec), sizeof buf);
    strcpy(buf, spec);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *dst = strchr(tok, '>'), *colon, id[256];
        const char *name = "feeds";
        if (!dst) {
            ensure_twin(tok);
            continue;
        }
        *dst++ = '\0';
        colon = strchr(dst, ':');
        if (colon) {
            *colon = '\0';
            name = colon + 1;
        }
        ensure_twin(tok);
        ensure_twin(dst);
        snprintf(id, sizeof id, "%s-%s", name, dst);
        ASSERT_OK(g, twin_graph_add_relationship(g, tok, id, name, dst, NULL, 0));
    }
}

size_t split(const char *spec, char *buf, size_t cap, const char **out, size_t max)
{
    char *save = NULL, *tok;
    size_t n = 0;
    ck_assert_uint_lt(strlen(spec), cap);
    strcpy(buf, spec);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        ck_assert_uint_lt(n, max);
        out[n++] = tok;
    }
    return n;
}

void set_mode(int optimized)
{
    if (optimized) {
        ASSERT_OK(g, twin_graph_optimize(g));
        return;
    }
    ASSERT_OK(g, twin_graph_add_twin(g, "~deopt", MACHINE, NULL, 0));
    ASSERT_OK(g, twin_graph_remove_twin(g, "~deopt", 0));
}

void query(const char *roots, const twin_impact_options *o, size_t stop_after, iresult *out)
{
    const char *r[16];
    char buf[512], why[1024];
    size_t n = split(roots, buf, sizeof buf, r, 16);
    iresult opt;
    set_mode(0);
    irun(q, r, n, o, stop_after, out);
    if (out->st == TWIN_OK)
        ck_assert_msg(ioracle_check(g, r, n, o, out, stop_after != 0, why, sizeof why),
                      "from [%s]: %s; got [%s]", roots, why, iresult_str(out));
    set_mode(1);
    irun(q, r, n, o, stop_after, &opt);
    ck_assert_msg(iresult_equal(out, &opt, why, sizeof why),
                  "from [%s], relationship lists vs optimized: %s", roots, why);
    iresult_free(&opt);
}

void expect(const iresult *r, const char *spec)
{
    const char *w[64];
    char buf[1024];
    size_t n = split(spec, buf, sizeof buf, w, 64), i;
    ck_assert_msg(r->st == TWIN_OK, "run returned %d", r->st);
    ck_assert_msg(r->n == n, "got [%s], expected [%s]", iresult_str(r), spec);
    for (i = 0; i < n; i++) {
        char *colon = strchr(w[i], ':');
        const ihit *h;
        ck_assert_ptr_nonnull(colon);
        *colon = '\0';
        h = ihit_find(r, w[i]);
        ck_assert_msg(h && h->depth == (uint32_t)atoi(colon + 1), "%s:%s: got [%s]", w[i],
                      colon + 1, iresult_str(r));
    }
}

void expect_via(const iresult *r, const char *twin, const char *parent,
                const char *via_source, const char *via, const char *via_name)
{
    const ihit *h = ihit_find(r, twin);
    ck_assert_ptr_nonnull(h);
    ck_assert_pstr_eq(h->parent, parent);
    ck_assert_pstr_eq(h->via_source, via_source);
    ck_assert_pstr_eq(h->via, via);
    ck_assert_pstr_eq(h->via_name, via_name);
}

void expect_score(const iresult *r, const char *twin, double score)
{
    const ihit *h = ihit_find(r, twin);
    ck_assert_msg(h != NULL, "%s not reported", twin);
    ck_assert_msg(fabs(h->score - score) <= TOL, "%s scores %.17g, expected %.17g", twin,
                  h->score, score);
}

void expect_prefix(const iresult *r, const iresult *all, const char *what, size_t k)
{
    iresult head = *all;
    char why[800];
    ck_assert_msg(r->n <= all->n, "%s %zu: %zu hits, %zu without the limit", what, k, r->n,
                  all->n);
    head.n = r->n;
    ck_assert_msg(iresult_equal(r, &head, why, sizeof why), "%s %zu: not a prefix: %s", what,
                  k, why);
}

twin_impact_options impact_opts(void)
{
    twin_impact_options o;
    ck_assert_int_eq(twin_impact_options_init(&o), TWIN_OK);
    return o;
}

double table_health(void *ud, const char *twin_id)
{
    const health_entry *e;
    for (e = ud; e->id; e++)
        if (strcmp(e->id, twin_id) == 0) return e->h;
    return 1.0;
}

