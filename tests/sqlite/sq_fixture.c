/* See sq_fixture.h. */
#include "sq_fixture.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sq_tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/twin-sqlite-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

const char *sq_path(const char *dir, const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

void sq_rmdir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

const twin_signal_options *sq_load_options;

void sq_open(sq *x, const char *path, uint32_t flags, int32_t busy_ms)
{
    twin_sqlite_options o;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_status s;
    memset(x, 0, sizeof *x);
    twin_sqlite_options_init(&o);
    o.flags = flags;
    o.busy_timeout_ms = busy_ms;
    s = twin_sqlite_open(&x->db, path, &o);
    ck_assert_msg(s == TWIN_OK, "open %s: %s", path, twin_sqlite_last_error(x->db)->message);
    ck_assert_int_eq(twin_graph_create(&x->g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_callbacks(x->db, &cb), TWIN_OK);
    twin_store_options_init(&so);
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&x->st, x->g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.store = x->st;
    ck_assert_int_eq(twin_ingest_create(&x->ing, x->g, &io), TWIN_OK);
    s = twin_sqlite_load(x->db, x->g, x->ing, sq_load_options);
    ck_assert_msg(s == TWIN_OK, "load: %s", twin_sqlite_last_error(x->db)->message);
}

void sq_close(sq *x, int flush)
{
    if (flush) {
        twin_status s = twin_store_flush(x->st);
        ck_assert_msg(s == TWIN_OK, "flush: %s", twin_sqlite_last_error(x->db)->message);
    }
    twin_ingest_destroy(x->ing);
    twin_store_destroy(x->st);
    twin_graph_destroy(x->g);
    twin_sqlite_close(x->db);
    memset(x, 0, sizeof *x);
}

long long sq_query(const char *path, const char *sql)
{
    sqlite3 *c;
    sqlite3_stmt *s;
    long long v = -1;
    ck_assert_int_eq(sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(c, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(c));
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(c);
    return v;
}

typedef struct sq_reading {
    long n;
    int64_t last;
} sq_reading;

static twin_status count_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    sq_reading *r = ud;
    size_t k;
    (void)v;
    for (k = 0; k < n; k++) {
        ck_assert_msg(r->n == 0 || t[k] > r->last, "times not increasing");
        r->last = t[k];
        r->n++;
    }
    return TWIN_OK;
}

long sq_samples(const char *path, const char *twin, const char *name)
{
    twin_sqlite *db;
    twin_sqlite_options o;
    sq_reading r = {0, 0};
    twin_status s;
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_READONLY;
    s = twin_sqlite_open(&db, path, &o);
    ck_assert_msg(s == TWIN_OK, "open: %s", twin_sqlite_last_error(db)->message);
    s = twin_sqlite_read(db, twin, name, INT64_MIN, INT64_MAX, count_fn, &r);
    ck_assert_msg(s == TWIN_OK, "read: %s", twin_sqlite_last_error(db)->message);
    twin_sqlite_close(db);
    return r.n;
}
