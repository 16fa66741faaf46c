/* The golden files of every earlier release load, and hold what golden.h
 * says (tests/golden/README.md): a 1.x release reads every earlier 1.x
 * file. For each release in golden_releases[]: its DTDL binary model set,
 * its snapshot, and its libtwin-sqlite database (read-only, read-write
 * with the migration of an old schema, and a database whose health rows do
 * not convert). Public API only. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "support/run.h"
#include "twin/sqlite.h"
#include "twin/twin.h"

#ifndef TWIN_GOLDEN_DIR
#error "TWIN_GOLDEN_DIR: the directory of the golden files"
#endif

/* Every release that wrote golden files, oldest first: add the new one. */
static const char *const golden_releases[] = {"1.4", "1.5", "1.5-s3", "1.5-s4"};
#define NRELEASES (int)(sizeof golden_releases / sizeof golden_releases[0])

/* Its snapshot format, as written. */
static int release_snapshot(const char *r)
{
    return strcmp(r, "1.4") == 0 ? 1 : 2;
}

/* Its database schema, as written ("1.5-s3": the 1.5 tree once it wrote
   compressed series, schema 3; "1.5-s4": once it wrote tiers, schema 4). */
static int release_schema(const char *r)
{
    return strcmp(r, "1.4") == 0 ? 1 : strcmp(r, "1.5") == 0 ? 2 : strcmp(r, "1.5-s3") == 0 ? 3 : 4;
}

static char *golden_path(const char *name, const char *r, const char *ext)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s-%s.%s", TWIN_GOLDEN_DIR, name, r, ext);
    return p;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long len;
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    ck_assert_int_ge(len, 1);
    rewind(f);
    b = malloc((size_t)len);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static twin_models *load_models(const char *r)
{
    size_t n;
    unsigned char *b = slurp(golden_path("models", r, "bin"), &n);
    twin_models *m;
    ck_assert_int_eq(twin_models_load(&m, b, n, NULL), TWIN_OK);
    free(b);
    return m;
}

/* ---- the content ---- */

typedef struct world {
    twin_models *m;
    twin_graph_validator v;
    twin_graph *g;
    twin_ingest *ing;
} world;

static void world_open(world *w, const char *r)
{
    twin_graph_options go;
    twin_ingest_options io;
    memset(w, 0, sizeof *w);
    w->m = load_models(r);
    w->v.size = sizeof w->v;
    ck_assert_int_eq(twin_models_validator(w->m, TWIN_MODELS_CHECK_ALL, &w->v), TWIN_OK);
    twin_graph_options_init(&go);
    go.validator = &w->v;
    ck_assert_int_eq(twin_graph_create(&w->g, &go), TWIN_OK);
    twin_ingest_options_init(&io);
    ck_assert_int_eq(twin_ingest_create(&w->ing, w->g, &io), TWIN_OK);
}

static void world_close(world *w)
{
    twin_ingest_destroy(w->ing);
    twin_graph_destroy(w->g);
    twin_models_close(w->m);
}

static void check_string(const twin_graph *g, const char *twin, const char *name, const char *s)
{
    const twin_value *v;
    ck_assert_int_eq(twin_graph_get_property(g, twin, name, &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_STRING);
    ck_assert_str_eq(v->as.s, s);
}

static void check_double(const twin_graph *g, const char *twin, const char *name, double d)
{
    const twin_value *v;
    ck_assert_int_eq(twin_graph_get_property(g, twin, name, &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_DOUBLE);
    ck_assert(v->as.d == d);
}

static void check_rel(const twin_graph *g, const char *src, const char *id, int64_t pos)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ck_assert_int_eq(twin_graph_find_relationship(g, src, id, &r), TWIN_OK);
    ck_assert_str_eq(r.name, "partOf");
    ck_assert_str_eq(r.target_id, "line-1");
    ck_assert_uint_eq(r.property_count, 1);
    ck_assert_str_eq(r.properties[0].name, "position");
    ck_assert_int_eq(r.properties[0].value.type, TWIN_VALUE_INT);
    ck_assert_int_eq(r.properties[0].value.as.i, pos);
}

static void check_options(const twin_health_options *got, const twin_health_options *want)
{
    twin_health_options a = *got, b = *want;
    a.user = b.user = NULL;
    ck_assert_mem_eq(&a, &b, sizeof a);  /* bit for bit, the NaN level too */
}

/* The state replayed from the samples with this build's arithmetic: the
 * counters agree exactly, the parameters to rounding. */
static void check_health(const twin_ingest *ing, twin_signal h, int k)
{
    twin_health_options o, want;
    twin_health st, replay;
    twin_health_stats a = {sizeof a, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b = a;
    double ma[2], mb[2], ca[4], cb[4];
    twin_health_options_init(&o);
    golden_health_options(k, &want);
    ck_assert_int_eq(twin_ingest_get_health(ing, h, &st, &o), TWIN_OK);
    check_options(&o, &want);
    ck_assert_int_eq(twin_health_init(&replay, &want, GOLDEN_T0_US, NULL), TWIN_OK);
    for (int i = 0; i < GOLDEN_SAMPLES; i++)
        ck_assert_int_eq(twin_health_update(&replay, &want, golden_time(i), golden_value(k, i),
                                            NULL, NULL),
                         TWIN_OK);
    ck_assert_int_eq(twin_health_get_stats(&st, &a, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_stats(&replay, &b, NULL), TWIN_OK);
    ck_assert_uint_eq(a.samples, GOLDEN_SAMPLES);
    ck_assert_uint_eq(a.samples, b.samples);
    ck_assert_uint_eq(a.recalibrations, b.recalibrations);
    ck_assert_int_eq(a.diverged, b.diverged);
    ck_assert(a.t0_us == GOLDEN_T0_US && a.last_us == golden_time(GOLDEN_SAMPLES - 1));
    ck_assert(a.baseline == b.baseline && a.failure_level == b.failure_level);
    ck_assert(fabs(a.error_mean - b.error_mean) <= 1e-9 * (fabs(b.error_mean) + 1e-9));
    ck_assert_int_eq(twin_health_get_posterior(&st, ma, ca, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_posterior(&replay, mb, cb, NULL), TWIN_OK);
    for (int i = 0; i < 2; i++) ck_assert(fabs(ma[i] - mb[i]) <= 1e-9 * fabs(mb[i]));
    for (int i = 0; i < 4; i++) ck_assert(fabs(ca[i] - cb[i]) <= 1e-6 * fabs(cb[i]) + 1e-300);
    if (k == GOLDEN_A_VIB) ck_assert_uint_gt(a.recalibrations, 0);  /* it diverged */
}

/* Graph, signals, latest values and health states; counters only where
 * the container keeps them (snapshots). */
static void check_world(const world *w, int counters)
{
    const char *model;
    ck_assert_uint_eq(twin_graph_twin_count(w->g), 3);
    ck_assert_uint_eq(twin_graph_relationship_count(w->g), 2);
    ck_assert_int_eq(twin_graph_find_twin(w->g, "line-1", &model), TWIN_OK);
    ck_assert_str_eq(model, GOLDEN_LINE);
    ck_assert_int_eq(twin_graph_find_twin(w->g, "motor-B", &model), TWIN_OK);
    ck_assert_str_eq(model, GOLDEN_MOTOR);
    check_string(w->g, "line-1", "label", "Line 1");
    check_double(w->g, "motor-A", "ratedPower", 7.5);
    check_string(w->g, "motor-A", "serial", "A-0001");
    check_double(w->g, "motor-B", "ratedPower", 11.25);
    check_string(w->g, "motor-B", "serial", "B-0002");
    check_rel(w->g, "motor-A", "A-line", 1);
    check_rel(w->g, "motor-B", "B-line", 2);
    ck_assert_uint_eq(twin_ingest_signal_count(w->ing), GOLDEN_SIGNALS);
    for (int k = 0; k < GOLDEN_SIGNALS; k++) {
        twin_signal h;
        const char *unit;
        int64_t t;
        double v;
        ck_assert_int_eq(twin_ingest_resolve(w->ing, golden_sig_twin[k], golden_sig_name[k],
                                             NULL, &h),
                         TWIN_OK);
        ck_assert_int_eq(twin_ingest_signal_info(w->ing, h, NULL, NULL, &unit), TWIN_OK);
        ck_assert_str_eq(unit, golden_sig_unit[k]);
        ck_assert_int_eq(twin_ingest_get_latest(w->ing, h, &t, &v), TWIN_OK);
        ck_assert(t == golden_time(GOLDEN_SAMPLES - 1));
        ck_assert(v == golden_value(k, GOLDEN_SAMPLES - 1));
        if (golden_has_health(k))
            check_health(w->ing, h, k);
        else
            ck_assert_int_eq(twin_ingest_get_health(w->ing, h, NULL, NULL), TWIN_E_NOTFOUND);
        if (counters) {
            twin_ingest_stats s;
            memset(&s, 0, sizeof s);
            s.size = sizeof s;
            ck_assert_int_eq(twin_ingest_get_stats(w->ing, h, &s), TWIN_OK);
            ck_assert_uint_eq(s.outcomes[TWIN_INGEST_ACCEPTED], GOLDEN_SAMPLES);
        }
    }
}

/* ---- models ---- */

START_TEST(test_golden_models_load_with_their_interfaces)
{
    for (int r = 0; r < NRELEASES; r++) {
        twin_models *m = load_models(golden_releases[r]);
        ck_assert_uint_eq(twin_models_interface_count(m), 2);
        ck_assert_ptr_nonnull(twin_models_find(m, GOLDEN_LINE));
        ck_assert_ptr_nonnull(twin_models_find(m, GOLDEN_MOTOR));
        ck_assert_ptr_null(twin_models_find(m, "dtmi:golden:Pump;1"));
        twin_models_close(m);
    }
}
END_TEST

/* ---- snapshots ---- */

typedef struct reader {
    const unsigned char *b;
    size_t n, pos;
} reader;

static twin_status read_mem(void *ud, void *buf, size_t cap, size_t *got)
{
    reader *r = ud;
    size_t k = r->n - r->pos < cap ? r->n - r->pos : cap;
    memcpy(buf, r->b + r->pos, k);
    r->pos += k;
    *got = k;
    return TWIN_OK;
}

typedef struct sink {
    unsigned char *b;
    size_t n, cap;
} sink;

static twin_status write_mem(void *ud, const void *p, size_t n)
{
    sink *s = ud;
    if (s->n + n > s->cap) {
        s->cap = (s->n + n) * 2;
        s->b = realloc(s->b, s->cap);
    }
    memcpy(s->b + s->n, p, n);
    s->n += n;
    return TWIN_OK;
}

START_TEST(test_golden_snapshots_restore_with_their_content)
{
    for (int r = 0; r < NRELEASES; r++) {
        const char *rel = golden_releases[r];
        world w;
        reader rd = {NULL, 0, 0};
        sink out = {NULL, 0, 0};
        twin_status s;
        rd.b = slurp(golden_path("snapshot", rel, "bin"), &rd.n);
        world_open(&w, rel);
        s = twin_snapshot_restore(w.g, w.ing, read_mem, &rd);
        ck_assert_msg(s == TWIN_OK, "%s: %s", rel, twin_graph_last_error(w.g)->message);
        check_world(&w, 1);
        /* saved again in this release's format, it restores the same */
        ck_assert_int_eq(twin_snapshot_save(w.g, w.ing, write_mem, &out), TWIN_OK);
        ck_assert_uint_eq(out.b[8], TWIN_SNAPSHOT_VERSION);
        if (release_snapshot(rel) == TWIN_SNAPSHOT_VERSION)
            ck_assert(out.n == rd.n && memcmp(out.b, rd.b, rd.n) == 0);  /* byte for byte */
        world_close(&w);
        world_open(&w, rel);
        rd.pos = 0;
        free((void *)rd.b);
        rd.b = out.b;
        rd.n = out.n;
        ck_assert_int_eq(twin_snapshot_restore(w.g, w.ing, read_mem, &rd), TWIN_OK);
        check_world(&w, 1);
        world_close(&w);
        free(out.b);
    }
}
END_TEST

/* Every truncation and a flipped bit in each health record's area: PARSE,
 * the graph untouched. */
START_TEST(test_golden_snapshots_corrupted_return_parse)
{
    for (int r = 0; r < NRELEASES; r++) {
        const char *rel = golden_releases[r];
        world w;
        reader rd = {NULL, 0, 0};
        size_t len;
        unsigned char *b = slurp(golden_path("snapshot", rel, "bin"), &len);
        unsigned char *bad = malloc(len);
        world_open(&w, rel);
        for (size_t n = 0; n < len; n += 7) {
            rd.b = b;
            rd.n = n;
            rd.pos = 0;
            ck_assert_int_eq(twin_snapshot_restore(w.g, w.ing, read_mem, &rd), TWIN_E_PARSE);
        }
        for (size_t i = 0; i < len; i += 3) {
            memcpy(bad, b, len);
            bad[i] ^= 0x10;
            rd.b = bad;
            rd.n = len;
            rd.pos = 0;
            ck_assert_int_eq(twin_snapshot_restore(w.g, w.ing, read_mem, &rd), TWIN_E_PARSE);
        }
        ck_assert_uint_eq(twin_graph_twin_count(w.g), 0);
        world_close(&w);
        free(bad);
        free(b);
    }
}
END_TEST

/* ---- databases ---- */

static char tmpdir[64];

static void db_setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/twin-golden-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void db_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A copy of a golden database (opening one may change it). */
static const char *db_copy(const char *rel)
{
    static char p[256];
    size_t n;
    unsigned char *b = slurp(golden_path("store", rel, "db"), &n);
    FILE *f;
    snprintf(p, sizeof p, "%s/store-%s.db", tmpdir, rel);
    f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
    return p;
}

static long long query(const char *path, const char *sql)
{
    sqlite3 *c;
    sqlite3_stmt *s;
    long long v = -1;
    ck_assert_int_eq(sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(c, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(c);
    return v;
}

static void load_db(const char *path, const char *rel, uint32_t flags)
{
    twin_sqlite_options o;
    twin_sqlite *db;
    world w;
    twin_status s;
    twin_sqlite_options_init(&o);
    o.flags = flags;
    s = twin_sqlite_open(&db, path, &o);
    ck_assert_msg(s == TWIN_OK, "%s: %s", rel, twin_sqlite_last_error(db)->message);
    world_open(&w, rel);
    s = twin_sqlite_load(db, w.g, w.ing, NULL);
    ck_assert_msg(s == TWIN_OK, "%s: %s", rel, twin_sqlite_last_error(db)->message);
    check_world(&w, 0);
    world_close(&w);
    twin_sqlite_close(db);
}

typedef struct got {
    int k;
    int n;
} got;

static twin_status got_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    got *g = ud;
    for (size_t j = 0; j < n; j++, g->n++) {
        double want = golden_value(g->k, g->n);
        ck_assert(g->n < GOLDEN_SAMPLES);
        ck_assert(t[j] == golden_time(g->n));
        ck_assert(memcmp(&v[j], &want, sizeof want) == 0);
    }
    return TWIN_OK;
}

/* The samples of every signal read back (twin_sqlite_read()), exactly. */
static void check_samples(const char *path, const char *rel, uint32_t flags)
{
    twin_sqlite_options o;
    twin_sqlite *db;
    twin_sqlite_options_init(&o);
    o.flags = flags;
    ck_assert_int_eq(twin_sqlite_open(&db, path, &o), TWIN_OK);
    for (int k = 0; k < GOLDEN_SIGNALS; k++) {
        got g = {k, 0};
        twin_status s = twin_sqlite_read(db, golden_sig_twin[k], golden_sig_name[k], INT64_MIN,
                                         INT64_MAX, got_fn, &g);
        ck_assert_msg(s == TWIN_OK, "%s: %s", rel, twin_sqlite_last_error(db)->message);
        ck_assert_int_eq(g.n, GOLDEN_SAMPLES);
    }
    twin_sqlite_close(db);
}

START_TEST(test_golden_databases_load_read_only_unchanged)
{
    for (int r = 0; r < NRELEASES; r++) {
        const char *rel = golden_releases[r];
        const char *p = db_copy(rel);
        load_db(p, rel, TWIN_SQLITE_READONLY);
        ck_assert_int_eq(query(p, "PRAGMA user_version"), release_schema(rel));
        if (release_schema(rel) < 3)
            ck_assert_int_eq(query(p, "SELECT count(*) FROM samples"),
                             GOLDEN_SAMPLES * GOLDEN_SIGNALS);
        check_samples(p, rel, TWIN_SQLITE_READONLY);
        ck_assert_int_eq(query(p, "SELECT count(*) FROM documents WHERE kind = 'dtdl'"), 1);
    }
}
END_TEST

START_TEST(test_golden_databases_open_read_write_migrated_to_this_schema)
{
    for (int r = 0; r < NRELEASES; r++) {
        const char *rel = golden_releases[r];
        const char *p = db_copy(rel);
        load_db(p, rel, 0);
        ck_assert_int_eq(query(p, "PRAGMA user_version"), TWIN_SQLITE_SCHEMA_VERSION);
        ck_assert_int_eq(query(p, "SELECT count(*) FROM health WHERE length(state) = 144"
                                  " AND length(options) = 152 AND hex(substr(state, 1, 2)) = '4853'"
                                  " AND hex(substr(options, 1, 2)) = '484F'"),
                         2);
        load_db(p, rel, 0);  /* and again, migrated */
        /* every sample in compressed blocks, read back bit for bit */
        ck_assert_int_eq(query(p, "SELECT count(*) FROM samples"), 0);
        ck_assert_int_eq(query(p, "SELECT (SELECT coalesce(sum(n), 0) FROM blocks)"
                                  " + (SELECT coalesce(sum(n), 0) FROM open_blocks)"),
                         GOLDEN_SAMPLES * GOLDEN_SIGNALS);
        check_samples(p, rel, 0);
    }
}
END_TEST

/* A schema 1 database whose health row does not convert: the open fails
 * and leaves it as it was. */
START_TEST(test_golden_database_bad_health_row_fails_open_unchanged)
{
    for (int r = 0; r < NRELEASES; r++) {
        const char *rel = golden_releases[r];
        const char *p = db_copy(rel);
        twin_sqlite *db;
        twin_sqlite_options o;
        twin_sqlite_options_init(&o);
        if (release_schema(rel) != 1) continue;
        ck_assert_int_eq(query(p, "UPDATE health SET state = zeroblob(192)"
                                  " WHERE signal = (SELECT min(signal) FROM health)"),
                         -1);
        ck_assert_int_eq(query(p, "SELECT count(*) FROM health WHERE state = zeroblob(192)"), 1);
        ck_assert_int_eq(twin_sqlite_open(&db, p, &o), TWIN_E_STATE);
        ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(db)->message, "convert"));
        twin_sqlite_close(db);
        ck_assert_int_eq(query(p, "PRAGMA user_version"), 1);
        ck_assert_int_eq(query(p, "SELECT count(*) FROM health WHERE length(state) = 192"), 2);
    }
}
END_TEST

static Suite *golden_suite(void)
{
    Suite *s = suite_create("golden");
    TCase *tm = tcase_create("models");
    TCase *ts = tcase_create("snapshots");
    TCase *td = tcase_create("databases");
    tcase_add_test(tm, test_golden_models_load_with_their_interfaces);
    tcase_add_test(ts, test_golden_snapshots_restore_with_their_content);
    tcase_add_test(ts, test_golden_snapshots_corrupted_return_parse);
    tcase_add_checked_fixture(td, db_setup, db_teardown);
    tcase_add_test(td, test_golden_databases_load_read_only_unchanged);
    tcase_add_test(td, test_golden_databases_open_read_write_migrated_to_this_schema);
    tcase_add_test(td, test_golden_database_bad_health_row_fails_open_unchanged);
    suite_add_tcase(s, tm);
    suite_add_tcase(s, ts);
    suite_add_tcase(s, td);
    return s;
}

int main(void)
{
    return run_suite(golden_suite());
}
