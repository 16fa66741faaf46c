/* Adding documents to different model sets from different threads at the
 * same time: NTHREADS threads, each with its own set (opened, filled,
 * resolved, read, closed, ROUNDS times over), adding valid documents,
 * documents with DTDL errors (diagnostics with positions), malformed and
 * too deeply nested JSON, and checking JSON values against a schema. Every
 * result must be the one computed single-threaded beforehand.
 *
 * Meant for ThreadSanitizer (tests/run, build-tsan) and Helgrind: reading
 * JSON used to go through cJSON_Parse*(), which writes a process-wide error
 * position; TSan cannot see that write (libcjson is not instrumented),
 * Helgrind can. TWIN_THREADS_ROUNDS sets the rounds (Helgrind is slow). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"
#include "twin/twin.h"

#define NTHREADS 4

static int rounds = 2000;

static const char *const docs[] = {
    /* valid: an Interface with contents, and an array of two */
    "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:example:Pump;1\",\"@type\":\"Interface\","
    "\"displayName\":{\"en\":\"Pump \\u00e9\\ud83d\\ude00\"},\"contents\":["
    "{\"@type\":\"Telemetry\",\"name\":\"flow\",\"schema\":\"double\"},"
    "{\"@type\":\"Property\",\"name\":\"speed\",\"schema\":\"integer\",\"writable\":true},"
    "{\"@type\":\"Property\",\"name\":\"mode\",\"schema\":{\"@type\":\"Enum\",\"valueSchema\":"
    "\"string\",\"enumValues\":[{\"name\":\"on\",\"enumValue\":\"on\"},"
    "{\"name\":\"off\",\"enumValue\":\"off\"}]}},"
    "{\"@type\":\"Property\",\"name\":\"limits\",\"schema\":{\"@type\":\"Array\","
    "\"elementSchema\":\"double\"}}]}",
    "[{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:example:Base;1\",\"@type\":\"Interface\","
    "\"contents\":[{\"@type\":\"Property\",\"name\":\"serial\",\"schema\":\"string\"}]},"
    "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:example:Valve;1\",\"@type\":\"Interface\","
    "\"extends\":\"dtmi:example:Base;1\",\"contents\":[{\"@type\":\"Telemetry\",\"name\":\"open\","
    "\"schema\":\"boolean\"}]}]",
    /* DTDL errors: diagnostics located in the text */
    "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:example:Bad;1\",\"@type\":\"Interface\","
    "\"contents\":[{\"@type\":\"Property\",\"name\":\"1bad\",\"schema\":\"nosuch\"}]}",
    /* not JSON */
    "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:example:X;1\",\"@type\":\"Interface\",}",
    "[\"\\uD800\"]",
    "[01]",
};
#define NDOCS (sizeof docs / sizeof docs[0])

static const char *const values[] = {
    "[1.5, 2, -3e2]", "[1, \"x\"]", "[]", "[1,", "{\"a\":1}",
};
#define NVALUES (sizeof values / sizeof values[0])

typedef struct result {
    twin_status add[NDOCS + 1];  /* the last: the deep document */
    size_t ndiag[NDOCS + 1];
    uint32_t line[NDOCS + 1], col[NDOCS + 1];
    twin_status resolve;
    size_t ifaces;
    twin_status check[NVALUES];
} result;

static char *deep;  /* 600 levels of [ ] */
static size_t deep_len;

static void one(twin_status *s, size_t *nd, uint32_t *line, uint32_t *col, twin_models *m,
                const char *t, size_t n)
{
    *s = twin_models_add(m, t, n, "doc.json");
    *nd = twin_models_diag_count(m);
    *line = *nd ? twin_models_diag(m, 0)->line : 0;
    *col = *nd ? twin_models_diag(m, 0)->column : 0;
}

static void run_once(result *r)
{
    twin_models *m;
    size_t i;
    const twin_dtdl_elem *pump, *limits;
    memset(r, 0, sizeof *r);
    if (twin_models_create(&m, NULL) != TWIN_OK) {
        r->resolve = TWIN_E_NOMEM;
        return;
    }
    for (i = 0; i < NDOCS; i++)
        one(&r->add[i], &r->ndiag[i], &r->line[i], &r->col[i], m, docs[i], strlen(docs[i]));
    one(&r->add[NDOCS], &r->ndiag[NDOCS], &r->line[NDOCS], &r->col[NDOCS], m, deep, deep_len);
    r->resolve = twin_models_resolve(m);
    r->ifaces = twin_models_interface_count(m);
    pump = twin_models_find(m, "dtmi:example:Pump;1");
    limits = pump ? twin_dtdl_link(twin_dtdl_content(pump, "limits"), TWIN_DTDL_SCHEMA) : NULL;
    for (i = 0; i < NVALUES; i++) {
        char msg[128];
        r->check[i] = limits ? twin_dtdl_check_json(limits, values[i], strlen(values[i]), msg,
                                                    sizeof msg)
                             : TWIN_E_NOTFOUND;
    }
    twin_models_destroy(m);
}

static result want;

static void *worker(void *arg)
{
    int k;
    int *bad = arg;
    for (k = 0; k < rounds; k++) {
        result got;
        run_once(&got);
        if (memcmp(&got, &want, sizeof got) != 0) {
            *bad = 1;
            break;
        }
    }
    return NULL;
}

START_TEST(test_threads_add)
{
    pthread_t th[NTHREADS];
    int bad[NTHREADS] = {0};
    size_t i;
    run_once(&want);
    /* the expected results, as a sanity check of the documents */
    ck_assert_int_eq(want.add[0], TWIN_OK);
    ck_assert_int_eq(want.add[1], TWIN_OK);
    ck_assert_int_eq(want.add[2], TWIN_E_CONSTRAINT);
    ck_assert_uint_gt(want.line[2], 0);
    ck_assert_int_eq(want.add[3], TWIN_E_PARSE);
    ck_assert_int_eq(want.add[4], TWIN_E_PARSE);
    ck_assert_uint_eq(want.col[4], 4);  /* the 'u' of the lone surrogate */
    ck_assert_int_eq(want.add[5], TWIN_E_PARSE);
    ck_assert_int_eq(want.add[NDOCS], TWIN_E_PARSE);
    ck_assert_int_eq(want.resolve, TWIN_OK);
    ck_assert_uint_eq(want.ifaces, 3);
    ck_assert_int_eq(want.check[0], TWIN_OK);
    ck_assert_int_eq(want.check[1], TWIN_E_CONSTRAINT);
    ck_assert_int_eq(want.check[2], TWIN_OK);
    ck_assert_int_eq(want.check[3], TWIN_E_PARSE);
    ck_assert_int_eq(want.check[4], TWIN_E_CONSTRAINT);
    for (i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker, &bad[i]), 0);
    for (i = 0; i < NTHREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_msg(!bad[i], "thread %zu: a result differs from the single-threaded one", i);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_threads_add);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *e = getenv("TWIN_THREADS_ROUNDS");
    size_t i;
    int r;
    if (e && atoi(e) > 0) rounds = atoi(e);
    deep_len = 1200;
    deep = malloc(deep_len);
    if (!deep) return EXIT_FAILURE;
    for (i = 0; i < 600; i++) {
        deep[i] = '[';
        deep[1199 - i] = ']';
    }
    r = run_suite(suite());
    free(deep);
    return r;
}
