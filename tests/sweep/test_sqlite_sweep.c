/* The allocation-failure sweep of libtwin-sqlite (issue 21): see sweep.h.
 * Run with lib/sqlite/libtwin-sqlite.map as argument. SQLite's own
 * allocator is hooked too (SQLITE_CONFIG_MALLOC before sqlite3_initialize:
 * the default methods, wrapped to fail on the same plan), and
 * libtwin-sqlite's malloc calls fail through the wrapped C library. A
 * failure returns TWIN_E_NOMEM (the header maps SQLite's out of memory to
 * it; no case accepts TWIN_E_IO); the handles and the database (counts and
 * documents) are as they were; SQLite's memory in use after closing is what
 * it was before the case. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sweep.h"
#include "twin/sqlite.h"

#define SEC INT64_C(1000000)
#define T0 INT64_C(1700000000000000)

/* ---- SQLite's allocator, failing on the sweep's plan ---- */

static sqlite3_mem_methods sq_default;

static void *sq_malloc(int n)
{
    if (sw_libc_plan && !sw_test_code && failalloc_should_fail(sw_libc_plan)) return NULL;
    return sq_default.xMalloc(n);
}

static void *sq_realloc(void *p, int n)
{
    if (sw_libc_plan && !sw_test_code && failalloc_should_fail(sw_libc_plan)) return NULL;
    return sq_default.xRealloc(p, n);
}

/* Before any other use of SQLite; 0 on success, else SQLite's code. */
static int sq_hook(void)
{
    sqlite3_mem_methods m;
    int rc;
    if ((rc = sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sq_default)) != SQLITE_OK) return rc;
    m = sq_default;
    m.xMalloc = sq_malloc;
    m.xRealloc = sq_realloc;
    if ((rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &m)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1)) != SQLITE_OK) return rc;
    return sqlite3_initialize();
}

static sqlite3_int64 sq_used_before;

static void begin(failalloc *fa)
{
    (void)fa;
    sq_used_before = sqlite3_memory_used();
}

static void end(void)
{
    ck_assert_msg(sqlite3_memory_used() == sq_used_before,
                  "SQLite holds %lld bytes more than before the case",
                  (long long)(sqlite3_memory_used() - sq_used_before));
}

/* ---- the database of a case ---- */

typedef struct sqx {
    twin_sqlite *db;
    char path[256];
} sqx;

/* On tmpfs where there is one: each of the thousands of databases a sweep
   opens is synced to disk otherwise, and the sweep waits on the disk, not
   the CPU (3 minutes of 4 for sqlite_open alone). */
static char tmpdir[64];
static unsigned dbno;

static sqx *X(sw_ctx *c)
{
    return c->ext;
}

static void new_path(sw_ctx *c)
{
    sqx *x = calloc(1, sizeof *x);
    ck_assert(x != NULL);
    /* the pid too: with CK_FORK each test runs in a child, whose dbno
       does not reach the parent */
    snprintf(x->path, sizeof x->path, "%s/db%ld-%u.sqlite", tmpdir, (long)getpid(), dbno++);
    c->ext = x;
}

static void ext_observe(sw_ctx *c, sw_buf *b)
{
    sqx *x = X(c);
    twin_sqlite_counts n;
    if (!x) return;
    sw_printf(b, "db %s\n", x->db ? "open" : "closed");
    if (!x->db) return;
    memset(&n, 0, sizeof n);
    n.size = sizeof n;
    ck_assert_int_eq(twin_sqlite_get_counts(x->db, &n), TWIN_OK);
    sw_printf(b, "db twins %llu rels %llu signals %llu samples %llu rollups %llu health %llu\n",
              (unsigned long long)n.twins, (unsigned long long)n.relationships,
              (unsigned long long)n.signals, (unsigned long long)n.samples,
              (unsigned long long)n.rollups, (unsigned long long)n.health);
}

static twin_status doc_out(void *ud, const char *name, const char *body)
{
    sw_printf(ud, "doc %s %s\n", name, body);
    return TWIN_OK;
}

static void ext_observe_docs(sw_ctx *c, sw_buf *b)
{
    ext_observe(c, b);
    if (X(c) && X(c)->db)
        ck_assert_int_eq(twin_sqlite_documents(X(c)->db, "note", doc_out, b), TWIN_OK);
}

static void ext_teardown(sw_ctx *c)
{
    sqx *x = X(c);
    char p[300];
    if (!x) return;
    twin_sqlite_close(x->db);
    unlink(x->path);
    snprintf(p, sizeof p, "%s-wal", x->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", x->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", x->path);
    unlink(p);
    free(x);
    c->ext = NULL;
}

static twin_status call_open(sw_ctx *c)
{
    twin_sqlite_options o;
    twin_sqlite_options_init(&o);
    return twin_sqlite_open(&X(c)->db, X(c)->path, &o);
}

/* A failed open gives a handle that carries the error (NULL when the
 * handle itself could not be allocated): read the error, close it. */
static twin_status call_open_case(sw_ctx *c)
{
    twin_status s = call_open(c);
    if (s != TWIN_OK && X(c)->db) {
        SW_CHECK(twin_sqlite_last_error(X(c)->db)->status == s);
        twin_sqlite_close(X(c)->db);
        X(c)->db = NULL;
    }
    return s;
}

static twin_status call_close(sw_ctx *c)
{
    twin_ingest_destroy(c->ing);
    c->ing = NULL;
    twin_store_destroy(c->st);
    c->st = NULL;
    twin_sqlite_close(X(c)->db);
    X(c)->db = NULL;
    return TWIN_OK;
}

/* graph, store over the database's callbacks, ingest, loaded */
static void attach(sw_ctx *c, int with_store)
{
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_graph_options go;
    twin_graph_options_init(&go);
    go.alloc = &c->fa->alloc;
    ck_assert_int_eq(twin_graph_create(&c->g, &go), TWIN_OK);
    twin_ingest_options_init(&io);
    io.alloc = &c->fa->alloc;
    if (with_store) {
        ck_assert_int_eq(twin_sqlite_callbacks(X(c)->db, &cb), TWIN_OK);
        twin_store_options_init(&so);
        so.alloc = &c->fa->alloc;
        so.callbacks = &cb;
        ck_assert_int_eq(twin_store_create(&c->st, c->g, &so), TWIN_OK);
        io.store = c->st;
    }
    ck_assert_int_eq(twin_ingest_create(&c->ing, c->g, &io), TWIN_OK);
}

static void write_samples(sw_ctx *c, int from, int n)
{
    for (int i = from; i < from + n; i++) {
        twin_signal_sample s;
        s.signal = c->sig;
        s.t_us = T0 + i * SEC;
        s.value = 10 + 0.25 * (i % 17);
        ck_assert_int_eq(twin_ingest_write_signals(c->ing, &s, 1, NULL, NULL), TWIN_OK);
    }
}

static void setup_full(sw_ctx *c)
{
    twin_signal_options so;
    twin_health_options ho;
    twin_member m;
    new_path(c);
    ck_assert_int_eq(call_open(c), TWIN_OK);
    attach(c, 1);
    ck_assert_int_eq(twin_sqlite_load(X(c)->db, c->g, c->ing, NULL), TWIN_OK);
    m.name = "speed";
    m.value = twin_value_double(2.5);
    ck_assert_int_eq(twin_store_add_twin(c->st, "pump1", "dtmi:t:Pump;1", &m, 1), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(c->st, "pump2", "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(c->st, "pump1", "r1", "feeds", "pump2", &m, 1),
                     TWIN_OK);
    twin_signal_options_init(&so);
    so.unit = "degreeCelsius";
    ck_assert_int_eq(twin_ingest_add_signal(c->ing, "pump1", "flow", &so, &c->sig), TWIN_OK);
    twin_health_options_init(&ho);
    ho.model = TWIN_HEALTH_LINEAR;
    ho.prior_mean[0] = 10;
    ho.prior_cov[0] = 1;
    ho.prior_cov[3] = 1e-12;
    ho.noise = 1;
    ho.failure_level = 100;
    ck_assert_int_eq(twin_ingest_attach_health(c->ing, c->sig, &ho, T0), TWIN_OK);
    write_samples(c, 0, 300);
    ck_assert_int_eq(twin_store_flush(c->st), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_put_document(X(c)->db, "note", "a", "first"), TWIN_OK);
}

static void setup_path(sw_ctx *c)
{
    new_path(c);
}

static void setup_pending(sw_ctx *c)
{
    setup_full(c);
    write_samples(c, 300, 40);
    ck_assert_int_eq(twin_store_add_twin(c->st, "pump3", "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
}

/* The store delivers to the callbacks as records come: a failed delivery
 * keeps them in the outbox (the call succeeds); flush retries. */
static twin_status call_write(sw_ctx *c)
{
    twin_signal_sample smp;
    twin_status s;
    smp.signal = c->sig;
    smp.t_us = T0 + 500 * SEC;
    smp.value = 1.5;
    s = twin_ingest_write_signals(c->ing, &smp, 1, NULL, NULL);
    if (s != TWIN_OK) return s;
    c->u[1] = 1;  /* accepted */
    return twin_store_flush(c->st);
}

/* Nothing lost: once memory is back, a flush lands every accepted sample. */
static twin_status after_write(sw_ctx *c, twin_status st)
{
    twin_sqlite_counts n;
    (void)st;
    SW_CHECK(twin_store_flush(c->st) == TWIN_OK);
    memset(&n, 0, sizeof n);
    n.size = sizeof n;
    SW_CHECK(twin_sqlite_get_counts(X(c)->db, &n) == TWIN_OK);
    SW_CHECK(n.samples == 300 + c->u[1]);
    return TWIN_OK;
}

static void setup_write(sw_ctx *c)
{
    setup_full(c);
    c->after = after_write;
}

static twin_status call_store_twin(sw_ctx *c)
{
    twin_value v = twin_value_string("a longer string property value");
    twin_status s = twin_store_set_property(c->st, "pump2", "label", &v);
    if (s != TWIN_OK) return s;
    return twin_store_flush(c->st);
}

static twin_status call_flush(sw_ctx *c)
{
    return twin_store_flush(c->st);
}

static void setup_reload(sw_ctx *c)
{
    setup_full(c);
    twin_ingest_destroy(c->ing);
    c->ing = NULL;
    twin_store_destroy(c->st);
    c->st = NULL;
    twin_graph_destroy(c->g);
    c->g = NULL;
    attach(c, 1);
}

/* The handles of a case dropped and made again over the same database. */
static void setup_reload_again(sw_ctx *c)
{
    twin_ingest_destroy(c->ing);
    c->ing = NULL;
    twin_store_destroy(c->st);
    c->st = NULL;
    twin_graph_destroy(c->g);
    c->g = NULL;
    attach(c, 1);
}

static twin_status call_load(sw_ctx *c)
{
    return twin_sqlite_load(X(c)->db, c->g, c->ing, NULL);
}

static twin_sqlite_retention retention(void)
{
    twin_sqlite_retention r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.raw_keep_us = 100 * SEC;
    r.bucket_us = 30 * SEC;
    return r;
}

static twin_status call_set_retention(sw_ctx *c)
{
    twin_sqlite_retention r = retention();
    return twin_sqlite_set_retention(X(c)->db, &r);
}

static twin_status call_apply_retention(sw_ctx *c)
{
    twin_sqlite_retention r = retention();
    twin_sqlite_retention_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    return twin_sqlite_apply_retention(X(c)->db, &r, T0 + 400 * SEC, &st);
}

static twin_status call_checkpoint(sw_ctx *c)
{
    return twin_sqlite_checkpoint(X(c)->db, c->st);
}

static twin_status call_counts(sw_ctx *c)
{
    twin_sqlite_counts n;
    memset(&n, 0, sizeof n);
    n.size = sizeof n;
    return twin_sqlite_get_counts(X(c)->db, &n);
}

/* ---- the forwarders' late log (schema 7) ---- */

static twin_status call_set_policy(sw_ctx *c);

static long long count_of(sw_ctx *c, const char *sql)
{
    sqlite3_stmt *q;
    long long n = -1;
    ck_assert_int_eq(sqlite3_prepare_v2(twin_sqlite_connection(X(c)->db), sql, -1, &q, NULL),
                     SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

static long long late_rows(sw_ctx *c)
{
    return count_of(c, "SELECT count(*) FROM late_log");
}

/* A late sample straight to the store's callbacks (past ingest's order
   checks), in one transaction. */
static twin_status write_late(sw_ctx *c, int64_t t)
{
    twin_store_callbacks cb;
    twin_signal_sample s;
    twin_status st;
    if (twin_sqlite_callbacks(X(c)->db, &cb) != TWIN_OK) return TWIN_E_INVAL;
    s.signal = c->sig;
    s.t_us = t;
    s.value = -1.5;
    if ((st = cb.write_samples(cb.ud, &s, 1)) != TWIN_OK) return st;
    return cb.flush(cb.ud);
}

/* setup_full with a forwarder's upstream registered: late samples are
   logged. */
static void setup_registered(sw_ctx *c)
{
    setup_full(c);
    ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(X(c)->db),
                                  "INSERT INTO upstreams(cursors, upstream, late_seq)"
                                  " VALUES('sweep', 'u', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
}

/* The late sample stored and logged, or neither. */
static twin_status after_write_late(sw_ctx *c, twin_status st)
{
    twin_sqlite_counts n;
    memset(&n, 0, sizeof n);
    n.size = sizeof n;
    SW_CHECK(twin_sqlite_get_counts(X(c)->db, &n) == TWIN_OK);
    SW_CHECK(n.samples == (st == TWIN_OK ? 301u : 300u));
    SW_CHECK(late_rows(c) == (st == TWIN_OK ? 1 : 0));
    return TWIN_OK;
}

static void setup_write_late(sw_ctx *c)
{
    setup_registered(c);
    c->after = after_write_late;
}

static twin_status call_write_late(sw_ctx *c)
{
    return write_late(c, T0 + 100 * SEC + SEC / 2);
}

/* Logged late samples: retention and folding delete their rows with
   theirs. */
static void setup_late_logged(sw_ctx *c)
{
    setup_registered(c);
    ck_assert_int_eq(write_late(c, T0 + 100 * SEC + SEC / 2), TWIN_OK);
    ck_assert_int_eq(write_late(c, T0 + 250 * SEC + SEC / 2), TWIN_OK);
    ck_assert_int_eq(late_rows(c), 2);
}

/* Folded with their block (their log rows gone with them), or not at all
   (a failure; or, done, a fold that found its block unreadable). */
static twin_status after_fold_late(sw_ctx *c, twin_status st)
{
    SW_CHECK(late_rows(c) == count_of(c, "SELECT count(*) FROM samples"));
    SW_CHECK(st == TWIN_OK || late_rows(c) == 2);
    return TWIN_OK;
}

/* The first 300 samples' block closed (a step of half a second does not
   fit its quantum) and 100 s newer ones after it: a fold with raw:1m takes
   the block and the late samples in its span. */
static void setup_late_tiered(sw_ctx *c)
{
    setup_full(c);
    for (int k = 0; k < 100; k++) {
        twin_signal_sample s = {c->sig, T0 + 300 * SEC + SEC / 2 + k * SEC, 12.0};
        ck_assert_int_eq(twin_ingest_write_signals(c->ing, &s, 1, NULL, NULL), TWIN_OK);
    }
    ck_assert_int_eq(twin_store_flush(c->st), TWIN_OK);
    ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(X(c)->db),
                                  "INSERT INTO upstreams(cursors, upstream, late_seq)"
                                  " VALUES('sweep', 'u', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(write_late(c, T0 + 100 * SEC + SEC / 2), TWIN_OK);
    ck_assert_int_eq(write_late(c, T0 + 250 * SEC + SEC / 2), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_fold_budget(X(c)->db, 0, 0), TWIN_OK);
    ck_assert_int_eq(call_set_policy(c), TWIN_OK);
    c->after = after_fold_late;
}

static void setup_docs(sw_ctx *c)
{
    setup_full(c);
    c->u[3] = 1;
}

static twin_status call_put_document(sw_ctx *c)
{
    return twin_sqlite_put_document(X(c)->db, "note", "b", "second document");
}

static twin_status count_doc(void *ud, const char *name, const char *body)
{
    (void)name;
    (void)body;
    ((sw_ctx *)ud)->u[0]++;
    return TWIN_OK;
}

static twin_status call_documents(sw_ctx *c)
{
    c->u[0] = 0;
    return twin_sqlite_documents(X(c)->db, "note", count_doc, c);
}

static twin_status count_samples(void *ud, const int64_t *t, const double *v, size_t n)
{
    (void)t;
    (void)v;
    ((sw_ctx *)ud)->u[0] += n;
    return TWIN_OK;
}

static twin_status call_read(sw_ctx *c)
{
    twin_status s;
    c->u[0] = 0;
    s = twin_sqlite_read(X(c)->db, "pump1", "flow", T0, T0 + 1000 * SEC, count_samples, c);
    if (s == TWIN_OK) SW_CHECK(c->u[0] == 300);
    return s;
}

static twin_status call_value_at(sw_ctx *c)
{
    int64_t t = 0;
    double v = 0;
    return twin_sqlite_value_at(X(c)->db, "pump1", "flow", T0 + 150 * SEC + 1, &t, &v);
}

static twin_status call_read_buckets(sw_ctx *c)
{
    twin_sqlite_bucket b[32];
    size_t n = 0;
    twin_status s;
    for (size_t i = 0; i < 32; i++) {
        memset(&b[i], 0, sizeof b[i]);
        b[i].size = sizeof b[i];
    }
    s = twin_sqlite_read_buckets(X(c)->db, "pump1", "flow", T0, T0 + 320 * SEC, 20 * SEC, b,
                                 32, &n);
    return s;
}

static twin_status bad_block(void *ud, const twin_sqlite_bad_block *b)
{
    (void)ud;
    (void)b;
    return TWIN_E_STATE;
}

static twin_status call_check_blocks(sw_ctx *c)
{
    uint64_t bad = 0;
    return twin_sqlite_check_blocks(X(c)->db, bad_block, NULL, &bad);
}

static twin_status call_bind(sw_ctx *c)
{
    return twin_sqlite_bind_ingest(X(c)->db, c->ing);
}

static twin_status call_callbacks(sw_ctx *c)
{
    twin_store_callbacks cb;
    return twin_sqlite_callbacks(X(c)->db, &cb);
}

/* ---- tiers (schema 4) ---- */

/* No Check assertion in a call: Check allocates, and the call's
 * allocations may be failing. */
static twin_status call_set_policy(sw_ctx *c)
{
    twin_sqlite_policy p;
    twin_error err;
    SW_CHECK(twin_sqlite_policy_init(&p) == TWIN_OK);
    SW_CHECK(twin_sqlite_policy_parse("raw:1m,10m:1h,1h:forever", &p, &err) == TWIN_OK);
    return twin_sqlite_set_policy(X(c)->db, TWIN_SQLITE_POLICY_SIGNAL, "pump1", "flow", &p);
}

/* A policy over the 300 samples of setup_full (an open block: the fold
 * has little to do; the tier tests fold real data). */
static void setup_tiered(sw_ctx *c)
{
    setup_full(c);
    ck_assert_int_eq(twin_sqlite_set_fold_budget(X(c)->db, 0, 0), TWIN_OK);
    ck_assert_int_eq(call_set_policy(c), TWIN_OK);
}

static twin_status call_fold(sw_ctx *c)
{
    twin_sqlite_fold_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    return twin_sqlite_fold(X(c)->db, 0, &st);
}

static void setup_folded(sw_ctx *c)
{
    setup_tiered(c);
    ck_assert_int_eq(call_fold(c), TWIN_OK);
}

static twin_status count_policy(void *ud, twin_sqlite_policy_scope scope, const char *key,
                                const char *name, const twin_sqlite_policy *p, const char *text)
{
    (void)scope, (void)key, (void)name, (void)p, (void)text;
    ((sw_ctx *)ud)->u[0]++;
    return TWIN_OK;
}

static twin_status call_policies(sw_ctx *c)
{
    twin_status s;
    c->u[0] = 0;
    s = twin_sqlite_policies(X(c)->db, count_policy, c);
    if (s == TWIN_OK) SW_CHECK(c->u[0] == 1);
    return s;
}

static twin_status call_read_tier(sw_ctx *c)
{
    twin_sqlite_bucket b[16];
    twin_sqlite_tier_answer an;
    size_t n = 0;
    for (size_t i = 0; i < 16; i++) {
        memset(&b[i], 0, sizeof b[i]);
        b[i].size = sizeof b[i];
    }
    memset(&an, 0, sizeof an);
    an.size = sizeof an;
    return twin_sqlite_read_tier(X(c)->db, "pump1", "flow", T0, T0 + 5400 * SEC, 600 * SEC, b,
                                 16, &n, &an);
}

static twin_status count_tier(void *ud, const twin_sqlite_tier_info *t)
{
    (void)t;
    ((sw_ctx *)ud)->u[0]++;
    return TWIN_OK;
}

static twin_status call_tier_info(sw_ctx *c)
{
    c->u[0] = 0;
    return twin_sqlite_tier_info_each(X(c)->db, count_tier, c);
}

/* ---- ingest sources (1.7) ---- */

static void setup_sourced(sw_ctx *c)
{
    twin_clock_options o;
    twin_source src;
    setup_full(c);
    ck_assert_int_eq(twin_clock_options_init(&o), TWIN_OK);
    o.tolerance_offset_us = 1000;
    ck_assert_int_eq(twin_ingest_add_source(c->ing, "gw1", &o, &src), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_source(c->ing, "gw2", NULL, NULL), TWIN_OK);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(twin_ingest_observe_source(c->ing, src, T0 + i * SEC + 500000,
                                                    T0 + i * SEC + 1000 + i),
                         TWIN_OK);
    ck_assert_int_eq(twin_ingest_set_signal_source(c->ing, c->sig, src), TWIN_OK);
}

static twin_status call_save_sources(sw_ctx *c)
{
    return twin_sqlite_save_sources(X(c)->db, c->ing);
}

static void setup_sources_kept(sw_ctx *c)
{
    setup_sourced(c);
    ck_assert_int_eq(twin_sqlite_save_sources(X(c)->db, c->ing), TWIN_OK);
    setup_reload_again(c);
    ck_assert_int_eq(twin_sqlite_load(X(c)->db, c->g, c->ing, NULL), TWIN_OK);
}

static twin_status call_load_sources(sw_ctx *c)
{
    return twin_sqlite_load_sources(X(c)->db, c->ing);
}

static const sw_case cases_sqlite[] = {
    {"sqlite_set_policy", "twin_sqlite_set_policy", setup_full, call_set_policy, 0, 0},
    {"sqlite_policies", "twin_sqlite_policies", setup_tiered, call_policies, 0, 0},
    {"sqlite_fold", "twin_sqlite_fold", setup_tiered, call_fold, 0, 0},
    {"sqlite_read_tier", "twin_sqlite_read_tier", setup_folded, call_read_tier, 0, 0},
    {"sqlite_tier_info_each", "twin_sqlite_tier_info_each", setup_folded, call_tier_info, 0, 0},
    {"sqlite_open", "twin_sqlite_open twin_sqlite_options_init_", setup_path, call_open_case, 0,
     0},
    /* void: SQLite may allocate while closing; nothing may leak */
    {"sqlite_close", "twin_sqlite_close", setup_full, call_close, 0, 0},
    {"sqlite_flush", "twin_sqlite_callbacks", setup_pending, call_flush, 0, 0},
    {"sqlite_write_sample", "twin_sqlite_callbacks", setup_write, call_write, 0, 0},
    {"sqlite_store_set_property", "twin_sqlite_callbacks", setup_full, call_store_twin, 0, 0},
    {"sqlite_load", "twin_sqlite_load", setup_reload, call_load, 0, 0},
    {"sqlite_set_retention", "twin_sqlite_set_retention", setup_full, call_set_retention, 0, 0},
    {"sqlite_apply_retention", "twin_sqlite_apply_retention", setup_full, call_apply_retention,
     0, 0},
    {"sqlite_checkpoint", "twin_sqlite_checkpoint", setup_full, call_checkpoint, 0, 0},
    {"sqlite_get_counts", "twin_sqlite_get_counts", setup_full, call_counts, 0, 0},
    {"sqlite_put_document", "twin_sqlite_put_document", setup_docs, call_put_document, 0, 0},
    {"sqlite_documents", "twin_sqlite_documents", setup_full, call_documents, 0, 0},
    {"sqlite_read", "twin_sqlite_read", setup_full, call_read, 0, 0},
    {"sqlite_value_at", "twin_sqlite_value_at", setup_full, call_value_at, 0, 0},
    {"sqlite_read_buckets", "twin_sqlite_read_buckets", setup_full, call_read_buckets, 0, 0},
    {"sqlite_check_blocks", "twin_sqlite_check_blocks", setup_full, call_check_blocks, 0, 0},
    {"sqlite_bind_ingest", "twin_sqlite_bind_ingest", setup_full, call_bind, 0, 0},
    {"sqlite_callbacks", "twin_sqlite_callbacks", setup_full, call_callbacks, 0, 0},
    {"sqlite_save_sources", "twin_sqlite_save_sources", setup_sourced, call_save_sources, 0, 0},
    {"sqlite_write_late_logged", "twin_sqlite_callbacks", setup_write_late, call_write_late, 0, 0},
    {"sqlite_apply_retention_late_log", "twin_sqlite_apply_retention", setup_late_logged,
     call_apply_retention, 0, 0},
    {"sqlite_fold_late_log", "twin_sqlite_fold", setup_late_tiered, call_fold, 0, 0},
    {"sqlite_load_sources", "twin_sqlite_load_sources", setup_sources_kept, call_load_sources,
     0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static twin_status na_misc(sw_ctx *c)
{
    twin_sqlite_options o;
    SW_CHECK(twin_sqlite_options_init(&o) == TWIN_OK);
    SW_CHECK(twin_sqlite_connection(X(c)->db) != NULL);
    SW_CHECK(twin_sqlite_last_error(X(c)->db) != NULL);
    return TWIN_OK;
}

static twin_status na_policy(sw_ctx *c)
{
    twin_sqlite_policy p;
    twin_error err;
    char text[128];
    size_t need = 0;
    SW_CHECK(twin_sqlite_policy_init(&p) == TWIN_OK);
    SW_CHECK(twin_sqlite_policy_parse("raw:7d,1m:90d,1h:5y", &p, &err) == TWIN_OK);
    SW_CHECK(twin_sqlite_policy_check(&p, &err) == TWIN_OK);
    SW_CHECK(twin_sqlite_policy_format(&p, text, sizeof text, &need) == TWIN_OK);
    {
        twin_sqlite_policy q;
        SW_CHECK(twin_sqlite_policy_init(&q) == TWIN_OK);
        SW_CHECK(twin_sqlite_policy_parse(text, &q, &err) == TWIN_OK);  /* "raw:1w,..." */
        SW_CHECK(memcmp(&p, &q, sizeof p) == 0);
    }
    SW_CHECK(twin_sqlite_set_fold_budget(X(c)->db, 4, 256) == TWIN_OK);
    return TWIN_OK;
}

static const sw_noalloc noalloc_sqlite[] = {
    {"twin_sqlite_policy_init_ twin_sqlite_policy_parse twin_sqlite_policy_check "
     "twin_sqlite_policy_format twin_sqlite_set_fold_budget",
     "policies are plain data in caller storage; the budget is two numbers in the handle",
     setup_full, na_policy},
    {"twin_sqlite_options_init_ twin_sqlite_connection twin_sqlite_last_error",
     "fills the caller's struct, or returns a pointer the handle holds", setup_full, na_misc},
    {NULL, NULL, NULL, NULL},
};

static const sw_case *const cases[] = {cases_sqlite, NULL};
static const sw_noalloc *const noalloc[] = {noalloc_sqlite, NULL};
static const char *const known_missing[] = {NULL};

int main(int argc, char **argv)
{
    static const sw_tables t = {cases, noalloc, known_missing, ext_observe_docs, ext_teardown,
                                begin, end};
    int rc = sq_hook();
    if (rc != SQLITE_OK) {
        fprintf(stderr, "cannot hook SQLite's allocator: %s\n", sqlite3_errstr(rc));
        return 99;
    }
    struct stat shm;
    snprintf(tmpdir, sizeof tmpdir, "%s/sweep-sqlite-XXXXXX",
             stat("/dev/shm", &shm) == 0 && S_ISDIR(shm.st_mode) ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir)) return 99;
    rc = sw_main(&t, argc, argv);
    rmdir(tmpdir);
    return rc;
}
