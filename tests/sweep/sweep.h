/* The allocation-failure sweep (issue 21): every exported function of a
 * library, named by its version script, is driven by a case of a table and
 * run with its n-th allocation failing, for n = 0, 1, ... until the call
 * succeeds.
 *
 * A case (::sw_case) names the functions it covers, builds its state in a
 * ::sw_ctx over a failalloc (setup, nothing failing), then its call runs
 * with the failure armed. "Allocation" counts every allocation the call
 * makes: the handles' twin_allocator (the failalloc), the C library's
 * malloc family (the executables wrap it with -Wl,--wrap, so the library's
 * default allocator and its direct malloc calls count) and, for
 * libtwin-sqlite, SQLite's own allocator. When the failure was reached the
 * call must return the case's failure status (TWIN_E_NOMEM unless the case
 * says otherwise) or succeed (a growth it could do without), and the state
 * observed through the public API (sw_observe()) must equal the state
 * before the call. After teardown the failalloc holds no block (and under
 * ASan LeakSanitizer checks the C library's blocks at exit).
 *
 * Functions that cannot allocate are listed in a ::sw_noalloc table with a
 * reason; the sweep checks the claim by running the call with every
 * allocation failing: it must succeed without asking for memory.
 *
 * The coverage test reads the version script(s) given on the command line
 * and fails when an exported function is neither covered by a case nor
 * listed as not allocating (or listed in the known-missing list, which the
 * test prints with its count). */
#ifndef TWIN_TESTS_SWEEP_H
#define TWIN_TESTS_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "support/failalloc.h"
#include "support/memstore.h"
#include "twin/twin.h"

/* A growable text buffer (the observed state). */
typedef struct sw_buf {
    char *p;
    size_t n, cap;
} sw_buf;

void sw_printf(sw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sw_buf_free(sw_buf *b);

/* The state of one case: handles are NULL until a setup creates them;
 * sw_observe() prints each non-NULL one and sw_teardown() destroys them. */
typedef struct sw_ctx sw_ctx;
struct sw_ctx {
    failalloc *fa;
    twin_graph *g;
    memstore ms;
    int has_ms;
    twin_store *st;
    twin_ingest *ing;
    twin_impact *q;
    twin_models *m;
    twin_scenario *sc, *sc2;
    twin_scenario_result *r, *r2;
    twin_align *al;
    twin_health_predictor *hp;
    twin_signal sig, sig2;
    void *ext;          /* an executable's own handle (libtwin-sqlite) */
    void *aux;          /* scratch owned by the case (malloc; freed at teardown) */
    size_t aux_n;
    char text[512];     /* scratch output of calls */
    uint64_t u[4];      /* scratch counters */
    /* Set by a setup: run after each call (nothing failing), whatever it
       returned; a status other than TWIN_OK fails the case. */
    twin_status (*after)(sw_ctx *c, twin_status call_status);
};

typedef void (*sw_setup_fn)(sw_ctx *c);
typedef twin_status (*sw_call_fn)(sw_ctx *c);

typedef struct sw_case {
    const char *name;
    const char *covers;    /* space-separated exported names it drives */
    sw_setup_fn setup;     /* NULL: nothing */
    sw_call_fn call;
    int fail_status;       /* 0: TWIN_E_NOMEM; else the documented status */
    int fail_status2;      /* 0: none; else a second accepted status */
} sw_case;

typedef struct sw_noalloc {
    const char *covers;    /* space-separated exported names */
    const char *why;       /* one line */
    sw_setup_fn setup;
    sw_call_fn call;       /* must return TWIN_OK with every allocation failing */
} sw_noalloc;

/* A no-allocation or case call's own check failed: return TWIN_E_STATE,
 * remembering the line (printed by the driver). */
extern int sw_fail_line;
#define SW_FAIL() return (sw_fail_line = __LINE__, TWIN_E_STATE)
#define SW_CHECK(cond)                                                                   \
    do {                                                                                 \
        if (!(cond)) SW_FAIL();                                                          \
    } while (0)

/* The tables of an executable (NULL-terminated: name / covers NULL). */
typedef struct sw_tables {
    const sw_case *const *cases;       /* arrays of cases */
    const sw_noalloc *const *noalloc;  /* arrays of no-allocation entries */
    const char *const *known_missing;  /* NULL-terminated */
    /* Extra observe / teardown of ctx->ext; may be NULL. */
    void (*ext_observe)(sw_ctx *c, sw_buf *b);
    void (*ext_teardown)(sw_ctx *c);
    /* Called around each run (sqlite: arm SQLite's hooks); may be NULL. */
    void (*begin)(failalloc *fa);
    void (*end)(void);
} sw_tables;

/* Create the usual handles over c->fa (abort the test on failure). */
void sw_graph(sw_ctx *c);               /* a graph: pump1, pump2, motor1, feeds rels */
void sw_graph_big(sw_ctx *c);           /* sw_graph + 70 twins in a chain (growth points) */
void sw_store_ingest(sw_ctx *c);        /* sw_graph + memstore + store + ingest */
void sw_signal(sw_ctx *c);              /* + c->sig: pump1.flow with history and samples */

void sw_observe(const sw_tables *t, sw_ctx *c, sw_buf *b);
/* The view of scenario @p sc (a few twins, properties, relationships). */
void sw_observe_scenario(twin_scenario *sc, const char *tag, sw_buf *b);
void sw_teardown(const sw_tables *t, sw_ctx *c);

/* The whole test: run_suite() over the coverage test, the cases and the
 * no-allocation checks. argv[1..] are version scripts. */
int sw_main(const sw_tables *t, int argc, char **argv);

/* The failalloc whose plan the C library's wrapped malloc follows (NULL:
 * never fail). */
extern failalloc *sw_libc_plan;
/* Nonzero while the test's own code runs (its allocations never fail). */
extern int sw_test_code;

/* failalloc_init(), with the failalloc's own work marked as test code. */
void sw_failalloc_init(failalloc *fa);

/* A memstore in c->ms (transactional) and its callbacks, marked as test
 * code, into @p cb. */
void sw_memstore_callbacks(sw_ctx *c, twin_store_callbacks *cb);

/* Case tables of libtwin. */
extern const sw_case sw_cases_graph[];
extern const sw_noalloc sw_noalloc_graph[];
extern const sw_case sw_cases_ingest[];
extern const sw_case sw_cases_sources[];
extern const sw_noalloc sw_noalloc_ingest[];
extern const sw_case sw_cases_dtdl[];
extern const sw_noalloc sw_noalloc_dtdl[];
extern const sw_case sw_cases_health[];
extern const sw_noalloc sw_noalloc_health[];
extern const sw_case sw_cases_scenario[];
extern const sw_noalloc sw_noalloc_scenario[];

#endif
