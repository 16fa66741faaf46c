/* The limits of libtwin-sqlite's readers of a database file (twin/sqlite.h,
 * Limits; issue 21, docs/limits.md): for each, a database holding exactly
 * the limit (loaded, the result right) and one just past it (refused with
 * the stated status and message, the graph and ingest handle as they
 * were). The rows are written by the library, then changed through SQLite
 * on a connection of its own, as a damaged or hostile file would hold
 * them. The block decoders are tested on their own (codec.c and
 * tierblock.c are compiled in), since a block past its count cannot be
 * written through the library. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sq_fixture.h"
#include "sqlite/codec.h"
#include "sqlite/sqlite_int.h"
#include "support/run.h"

static char dir[64], path[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", sq_tmpdir());
    snprintf(path, sizeof path, "%s", sq_path(dir, "t.db"));
}

static void teardown(void)
{
    sq_rmdir(dir);
}

/* Run SQL on the database on a connection of its own. */
static void poke(const char *sql)
{
    sqlite3 *c;
    char *err = NULL;
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(c, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
    sqlite3_close(c);
}

/* A string of n copies of c (malloc'ed). */
static char *rep(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Load the database into a graph holding twin "keep" and an ingest handle
 * over it; returns the status, *msg the message of a failure. On failure
 * the graph must still hold "keep" alone. */
static twin_status load(char *msg, size_t cap, size_t *twins)
{
    twin_sqlite *db;
    twin_graph *g;
    twin_ingest *ing;
    twin_status s;
    ck_assert_int_eq(twin_sqlite_open(&db, path, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "keep", "dtmi:t:K;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    s = twin_sqlite_load(db, g, ing, NULL);
    snprintf(msg, cap, "%s", s == TWIN_OK ? "" : twin_sqlite_last_error(db)->message);
    if (s != TWIN_OK) {
        ck_assert_uint_eq(twin_graph_twin_count(g), 1);
        ck_assert_int_eq(twin_graph_find_twin(g, "keep", NULL), TWIN_OK);
    }
    if (twins) *twins = twin_graph_twin_count(g);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    return s;
}

/* Load, expecting status st and a message holding `part`. */
static void load_fails(twin_status st, const char *part)
{
    char msg[512];
    twin_status s = load(msg, sizeof msg, NULL);
    ck_assert_msg(s == st && strstr(msg, part), "load: %d '%s', expected %d '%s'", s, msg, st, part);
}

/* ---- identifiers: the graph's and the ingest handle's ----------------------- */

/* A twin id of 1024 bytes loads; of 1025, the load is refused. So for a
 * model id (4096) and a relationship's name (1024). */
START_TEST(test_twin_and_model_ids)
{
    char *id = rep('i', 1024), *model = rep('m', 4096), *name = rep('r', 1024), msg[512];
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    sq x;
    size_t n;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, id, model, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(x.st, "b", "dtmi:t:B;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(x.st, id, "r", name, "b", NULL, 0), TWIN_OK);
    sq_close(&x, 1);
    sq_open(&x, path, 0, 1000);  /* at the limits: loaded */
    ck_assert_int_eq(twin_graph_find_twin(x.g, id, &r.source_id), TWIN_OK);
    ck_assert_int_eq(twin_graph_find_relationship(x.g, id, "r", &r), TWIN_OK);
    ck_assert_str_eq(r.name, name);
    sq_close(&x, 1);
    ck_assert_int_eq(load(msg, sizeof msg, &n), TWIN_OK);
    ck_assert_uint_eq(n, 2);
    poke("UPDATE twins SET id = id || 'x' WHERE id LIKE 'iii%';"
         "UPDATE relationships SET source = source || 'x'");
    load_fails(TWIN_E_RANGE, "longer than 1024 bytes");
    poke("UPDATE twins SET id = substr(id, 2), model = model || 'm' WHERE id LIKE 'iii%';"
         "UPDATE relationships SET source = substr(source, 2)");
    load_fails(TWIN_E_RANGE, "longer than 4096 bytes");
    poke("UPDATE twins SET model = substr(model, 2) WHERE id LIKE 'iii%';"
         "UPDATE relationships SET name = name || 'x'");
    load_fails(TWIN_E_RANGE, "longer than 1024 bytes");
    free(id);
    free(model);
    free(name);
}
END_TEST

/* A signal's name: 1024 bytes (the ingest handle's). */
START_TEST(test_signal_name)
{
    char *name = rep('s', 1024), msg[512];
    twin_signal h;
    sq x;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "a", name, NULL, &h), TWIN_OK);
    sq_close(&x, 1);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_ingest_resolve(x.ing, "a", name, NULL, &h), TWIN_OK);
    sq_close(&x, 1);
    poke("UPDATE signals SET name = name || 's'");
    load_fails(TWIN_E_RANGE, "of twin 'a': a name longer than 1024 bytes in the store");
    (void)msg;
    free(name);
}
END_TEST

/* ---- properties ---------------------------------------------------------------- */

/* A value of `levels` nested arrays around a 7 (depth `levels`). */
static twin_value nested(twin_value *items, int levels)
{
    twin_value v = twin_value_int(7);
    for (int k = 0; k < levels; k++) {
        items[k] = v;
        v = twin_value_array(&items[k], 1);
    }
    return v;
}

/* Property values nested TWIN_VALUE_DEPTH_MAX (32) deep load; one more
 * level in the blob is refused with TWIN_E_RANGE before it is built. */
START_TEST(test_property_depth)
{
    twin_value items[TWIN_VALUE_DEPTH_MAX];
    twin_member m;
    const twin_value *v;
    sq x;
    int k;
    m.name = "p";
    m.value = nested(items, TWIN_VALUE_DEPTH_MAX);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", &m, 1), TWIN_OK);
    sq_close(&x, 1);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_graph_get_property(x.g, "a", "p", &v), TWIN_OK);
    for (k = 0; k < TWIN_VALUE_DEPTH_MAX; k++) {
        ck_assert_int_eq(v->type, TWIN_VALUE_ARRAY);
        ck_assert_uint_eq(v->len, 1);
        v = &v->as.items[0];
    }
    ck_assert_int_eq(v->type, TWIN_VALUE_INT);
    ck_assert_int_eq(v->as.i, 7);
    sq_close(&x, 1);
    /* the blob: count 1, name "p", then 32 x (array of 1), then int 7; one
       more array level goes in after the name */
    poke("UPDATE twins SET props = substr(props, 1, 9) || X'0501000000' || substr(props, 10)");
    load_fails(TWIN_E_RANGE, "twin 'a': properties nested deeper than 32 in the store");
}
END_TEST

/* Counts and lengths in a blob are checked against the bytes left: an
 * array of as many NULs as bytes follow loads; claiming one more is
 * malformed (TWIN_E_INVAL), with no allocation sized by the claim. So for
 * a string's length. */
START_TEST(test_property_counts_and_lengths)
{
    const twin_value *v;
    sq x;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    sq_close(&x, 1);
    /* members 1, name "p", array (5) of 4 items, 4 x null (0) */
    poke("UPDATE twins SET props = X'01000000' || X'01000000' || X'70' || X'05' || X'04000000'"
         " || X'00000000'");
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_graph_get_property(x.g, "a", "p", &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_ARRAY);
    ck_assert_uint_eq(v->len, 4);
    ck_assert_int_eq(v->as.items[3].type, TWIN_VALUE_NULL);
    sq_close(&x, 1);
    poke("UPDATE twins SET props = X'01000000' || X'01000000' || X'70' || X'05' || X'05000000'"
         " || X'00000000'");
    load_fails(TWIN_E_INVAL, "twin 'a' is malformed in the store");
    poke("UPDATE twins SET props = X'01000000' || X'01000000' || X'70' || X'05' || X'FFFFFFFF'"
         " || X'00000000'");
    load_fails(TWIN_E_INVAL, "twin 'a' is malformed in the store");
    /* a string (4) of 3 bytes, then one that claims 4 */
    poke("UPDATE twins SET props = X'01000000' || X'01000000' || X'70' || X'04' || X'03000000'"
         " || X'616263'");
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_graph_get_property(x.g, "a", "p", &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_STRING);
    ck_assert_str_eq(v->as.s, "abc");
    sq_close(&x, 1);
    poke("UPDATE twins SET props = X'01000000' || X'01000000' || X'70' || X'04' || X'04000000'"
         " || X'616263'");
    load_fails(TWIN_E_INVAL, "twin 'a' is malformed in the store");
}
END_TEST

/* A latest value kept as a blob (-0.0) has 8 bytes. */
START_TEST(test_latest_value_blob)
{
    twin_signal h;
    twin_signal_sample s;
    size_t done;
    double v = 1;
    int64_t t;
    sq x;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "a", "v", NULL, &h), TWIN_OK);
    s.signal = h;
    s.t_us = T0;
    s.value = -0.0;
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, &s, 1, NULL, &done), TWIN_OK);
    sq_close(&x, 1);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_ingest_resolve(x.ing, "a", "v", NULL, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(x.ing, h, &t, &v), TWIN_OK);
    ck_assert(v == 0 && signbit(v));
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT typeof(latest_value) = 'blob' FROM signals"), 1);
    poke("UPDATE signals SET latest_value = CAST(latest_value || X'00' AS BLOB)");
    load_fails(TWIN_E_INVAL, "latest value of signal 'v' is malformed in the store");
}
END_TEST

/* ---- documents ------------------------------------------------------------------ */

static twin_status doc_fn(void *ud, const char *name, const char *body)
{
    (*(int *)ud)++;
    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(body);
    return TWIN_OK;
}

/* A document's name and body are text (NOT NULL in the schema): a row
 * without one, from a damaged file, is refused, not handed on as NULL. */
START_TEST(test_document_without_body)
{
    twin_sqlite *db;
    int n = 0;
    ck_assert_int_eq(twin_sqlite_open(&db, path, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_put_document(db, "dtdl", "a", "{}"), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_put_document(db, "dtdl", "b", "{}"), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_documents(db, "dtdl", doc_fn, &n), TWIN_OK);
    ck_assert_int_eq(n, 2);
    twin_sqlite_close(db);
    /* take NOT NULL out of the schema, as a damaged file may have it */
    poke("PRAGMA writable_schema = ON;"
         "UPDATE sqlite_master SET sql = replace(sql, 'body TEXT NOT NULL', 'body TEXT')"
         " WHERE name = 'documents';");
    poke("UPDATE documents SET body = NULL WHERE name = 'b'");
    ck_assert_int_eq(twin_sqlite_open(&db, path, NULL), TWIN_OK);
    n = 0;
    ck_assert_int_eq(twin_sqlite_documents(db, "dtdl", doc_fn, &n), TWIN_E_INVAL);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(db)->message,
                                 "a 'dtdl' document without a body is malformed"));
    ck_assert_int_eq(n, 1);
    twin_sqlite_close(db);
}
END_TEST

/* ---- sources ------------------------------------------------------------------- */

/* A store with one source "s" (its clock) and the signal a.v of it. */
static void one_source(void)
{
    twin_source src;
    twin_signal h;
    sq x;
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "a", "v", NULL, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_source(x.ing, "s", NULL, &src), TWIN_OK);
    ck_assert_int_eq(twin_ingest_set_signal_source(x.ing, h, src), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_save_sources(x.db, x.ing), TWIN_OK);
    sq_close(&x, 1);
}

/* twin_sqlite_load_sources() into a fresh handle: its status and message;
 * on failure the handle has no source. */
static twin_status load_sources(char *msg, size_t cap, size_t *nsources)
{
    uint64_t cur = 0;
    twin_source src;
    twin_status s;
    sq x;
    sq_open(&x, path, 0, 1000);
    s = twin_sqlite_load_sources(x.db, x.ing);
    snprintf(msg, cap, "%s", s == TWIN_OK ? "" : twin_sqlite_last_error(x.db)->message);
    *nsources = 0;
    while (twin_ingest_sources_next(x.ing, &cur, &src) == TWIN_OK) (*nsources)++;
    sq_close(&x, 1);
    return s;
}

/* A source's name: 1024 bytes (the ingest handle's). */
START_TEST(test_source_name)
{
    char msg[512];
    size_t n;
    one_source();
    poke("UPDATE sources SET name = 's' || printf('%.1023c', 'x');"
         "UPDATE signal_sources SET source = 's' || printf('%.1023c', 'x')");
    ck_assert_int_eq(load_sources(msg, sizeof msg, &n), TWIN_OK);
    ck_assert_uint_eq(n, 1);
    poke("UPDATE sources SET name = name || 'x'; UPDATE signal_sources SET source = source || 'x'");
    ck_assert_int_eq(load_sources(msg, sizeof msg, &n), TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(msg, "longer than 1024 bytes"));
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* At most 65535 sources (an ingest handle's most): 65535 rows load, one
 * more is refused as it is read. */
START_TEST(test_sources_count)
{
    char msg[512];
    size_t n;
    one_source();
    poke("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 65534)"
         " INSERT INTO sources(name, clock) SELECT 'n' || i, (SELECT clock FROM sources) FROM k");
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM sources"), 65535);
    ck_assert_int_eq(load_sources(msg, sizeof msg, &n), TWIN_OK);
    ck_assert_uint_eq(n, 65535);
    poke("INSERT INTO sources(name, clock) SELECT 'n65535', clock FROM sources WHERE name = 's'");
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM sources"), 65536);
    ck_assert_int_eq(load_sources(msg, sizeof msg, &n), TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(msg, "more than 65535 sources in the store"));
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- tier marks ---------------------------------------------------------------- */

/* Every mark of a signal is read (16 at most were, the others ignored: a
 * tier past the 16th did not answer, and was never dropped). */
START_TEST(test_tier_marks_all_read)
{
    twin_sqlite_policy p;
    twin_sqlite_tier_answer ans;
    twin_sqlite_bucket b[200];
    twin_signal_sample s[512];
    twin_error e;
    twin_signal h;
    size_t k, done, n;
    sq x;
    sq_open(&x, path, 0, 1000);
    twin_sqlite_policy_init(&p);
    ck_assert_int_eq(twin_sqlite_policy_parse("raw:1h,1m:30d", &p, &e), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "a", "v", NULL, &h), TWIN_OK);
    for (k = 0; k < 3 * 3600; k += 512) {  /* 3 hours at 1 s */
        size_t j, m = 3 * 3600 - k < 512 ? 3 * 3600 - k : 512;
        for (j = 0; j < m; j++) {
            s[j].signal = h;
            s[j].t_us = T0 + (int64_t)(k + j) * SEC;
            s[j].value = 1.0;
        }
        ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, m, NULL, &done), TWIN_OK);
        ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    }
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tier_marks WHERE res_us = 60000000"), 1);
    /* 16 more marks, of widths that hold nothing of the range */
    poke("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 16)"
         " INSERT INTO tier_marks(signal, res_us, t_us) SELECT (SELECT id FROM signals), i,"
         " 1800000000000000 FROM k");
    sq_open(&x, path, 0, 1000);
    memset(&ans, 0, sizeof ans);
    ans.size = sizeof ans;
    for (k = 0; k < 200; k++) b[k].size = sizeof b[k];
    ck_assert_int_eq(twin_sqlite_read_tier(x.db, "a", "v", T0, T0 + 3600 * SEC, 60 * SEC, b, 200,
                                           &n, &ans),
                     TWIN_OK);
    ck_assert_int_eq(ans.res_us, 60 * SEC);  /* the 18th mark answers */
    ck_assert_int_eq(ans.complete, 1);
    ck_assert_uint_eq(n, 60);
    ck_assert_uint_eq(b[0].count, 60);
    /* a fold drops the marks of widths the policy does not name: all 16 */
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM tier_marks"), 2);
}
END_TEST

/* ---- blocks -------------------------------------------------------------------- */

/* A compressed block holds at most TSQ_BLOCK_MAX (4096) samples: a block of
 * 4096 decodes to them; a header that claims 4097 (its checksum right: the
 * encoder writes it with that count) is malformed. */
START_TEST(test_block_samples)
{
    static int64_t t[TSQ_BLOCK_MAX], tt[TSQ_BLOCK_MAX];
    static double v[TSQ_BLOCK_MAX], vv[TSQ_BLOCK_MAX];
    tsq_enc e;
    tsq_block_head h;
    const unsigned char *b;
    size_t len, k;
    memset(&e, 0, sizeof e);
    for (k = 0; k < TSQ_BLOCK_MAX; k++) {
        t[k] = T0 + (int64_t)k * SEC;
        v[k] = (double)(k % 7);
    }
    ck_assert_int_eq(tsq_enc_start(&e, 6, TSQ_MODE_DECIMAL, 0, t[0], v[0]), 0);
    for (k = 1; k < TSQ_BLOCK_MAX; k++) ck_assert_int_eq(tsq_enc_push(&e, t[k], v[k]), 0);
    ck_assert_int_eq(tsq_enc_push(&e, t[k - 1] + SEC, 0), 1);  /* full */
    b = tsq_enc_bytes(&e, &len);
    ck_assert_int_eq(tsq_block_decode(b, len, tt, vv, &h), TSQ_BLOCK_OK);
    ck_assert_uint_eq(h.n, TSQ_BLOCK_MAX);
    ck_assert_mem_eq(tt, t, sizeof t);
    ck_assert_mem_eq(vv, v, sizeof v);
    e.n = TSQ_BLOCK_MAX + 1;  /* the header's count, checksum and all */
    b = tsq_enc_bytes(&e, &len);
    ck_assert_int_eq(tsq_block_check(b, len, &h), TSQ_BLOCK_BAD);
    ck_assert_int_eq(tsq_block_decode(b, len, tt, vv, &h), TSQ_BLOCK_BAD);
    tsq_enc_fini(&e);
}
END_TEST

/* A tier block holds at most TSQ_TIER_BLOCK_MAX (512) buckets: 512 decode
 * to their columns; a block of 513 (the encoder makes one when asked) is
 * malformed. */
START_TEST(test_tier_block_buckets)
{
    static int64_t t[TSQ_TIER_BLOCK_MAX + 1], tt[2 * TSQ_TIER_BLOCK_MAX];
    static double cv[TSQ_TIER_COLS][TSQ_TIER_BLOCK_MAX + 1], ov[TSQ_TIER_COLS][TSQ_TIER_BLOCK_MAX];
    double *cols[TSQ_TIER_COLS], *outs[TSQ_TIER_COLS];
    unsigned char *blob;
    size_t len, n, k, c;
    for (c = 0; c < TSQ_TIER_COLS; c++) {
        cols[c] = cv[c];
        outs[c] = ov[c];
    }
    for (k = 0; k <= TSQ_TIER_BLOCK_MAX; k++) {
        t[k] = T0 + (int64_t)k * 60 * SEC;
        for (c = 0; c < TSQ_TIER_COLS; c++) cv[c][k] = (double)(c + k % 3);
    }
    n = TSQ_TIER_BLOCK_MAX;
    ck_assert_int_eq(tsq_tier_block_encode(t, cols, &n, &blob, &len), 0);
    ck_assert_uint_eq(n, TSQ_TIER_BLOCK_MAX);  /* all of them fit a page */
    ck_assert_int_eq(tsq_tier_block_decode(blob, len, tt, outs, &n), TSQ_BLOCK_OK);
    ck_assert_uint_eq(n, TSQ_TIER_BLOCK_MAX);
    ck_assert_mem_eq(tt, t, TSQ_TIER_BLOCK_MAX * sizeof *t);
    for (c = 0; c < TSQ_TIER_COLS; c++)
        ck_assert_mem_eq(ov[c], cv[c], TSQ_TIER_BLOCK_MAX * sizeof(double));
    free(blob);
    n = TSQ_TIER_BLOCK_MAX + 1;
    ck_assert_int_eq(tsq_tier_block_encode(t, cols, &n, &blob, &len), 0);
    ck_assert_uint_eq(n, TSQ_TIER_BLOCK_MAX + 1);
    ck_assert_int_eq(tsq_tier_block_decode(blob, len, tt, outs, &n), TSQ_BLOCK_BAD);
    free(blob);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("sqlite_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_twin_and_model_ids);
    tcase_add_test(tc, test_signal_name);
    tcase_add_test(tc, test_property_depth);
    tcase_add_test(tc, test_property_counts_and_lengths);
    tcase_add_test(tc, test_latest_value_blob);
    tcase_add_test(tc, test_document_without_body);
    tcase_add_test(tc, test_source_name);
    tcase_add_test(tc, test_sources_count);
    tcase_add_test(tc, test_tier_marks_all_read);
    tcase_add_test(tc, test_block_samples);
    tcase_add_test(tc, test_tier_block_buckets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(limits_suite());
}
