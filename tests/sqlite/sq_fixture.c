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

uint64_t sq_write_late(const char *path, const twin_sample *s, size_t n)
{
    twin_signal_options lo;
    twin_sqlite_counts c;
    sq x;
    size_t k;
    twin_signal_options_init(&lo);
    lo.order = TWIN_INGEST_ORDER_WINDOW;
    lo.reorder_window_us = 7 * 24 * 3600 * SEC;
    lo.history = 8;
    sq_load_options = &lo;
    sq_open(&x, path, 0, 5000);
    sq_load_options = NULL;
    for (k = 0; k < n; k++) {
        uint8_t oc = 255;
        size_t done = 0;
        ck_assert_int_eq(twin_ingest_write(x.ing, &s[k], 1, &oc, &done), TWIN_OK);
        ck_assert_msg(done == 1 && (oc == TWIN_INGEST_ACCEPTED || oc == TWIN_INGEST_ACCEPTED_LATE),
                      "%s/%s at %lld: outcome %d", s[k].twin_id, s[k].signal,
                      (long long)s[k].t_us, oc);
    }
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    ck_assert_int_eq(twin_sqlite_get_counts(x.db, &c), TWIN_OK);
    sq_close(&x, 1);
    return c.late_duplicates;
}

long sq_write_forward_late(const char *path, int nsig, long n, long more, double base,
                           long *count, double *sum)
{
    static char twin[8][16], name[8][16];
    twin_sample *s;
    size_t m = 0, cap;
    long late = 0, k;
    int i;
    ck_assert(nsig <= 8 && n >= 1000 && more >= 400);
    cap = (size_t)nsig * ((size_t)more + 100 + 50 * 8 + 20) + 1;
    ck_assert_ptr_nonnull(s = calloc(cap, sizeof *s));
    for (i = 0; i < nsig; i++) {
        double b = base + (double)i * 1e6;
        snprintf(twin[i], sizeof twin[i], "pump-%d", i);
        snprintf(name[i], sizeof name[i], "s%d", i);
        count[i] = n;
        sum[i] = b * (double)n + (double)n * (double)(n - 1) / 2;
        for (k = n; k < n + more; k++, m++) { /* on time */
            s[m] = (twin_sample){twin[i], name[i], T0 + k * SEC, b + (double)k, NULL};
            count[i]++, sum[i] += b + (double)k;
        }
    }
    /* the late ones by a handle of their own: ingest's history, fresh,
       accepts them in time order (a time before one it evicted is refused) */
    ck_assert_uint_eq(sq_write_late(path, s, m), 0);
    m = 0;
    for (i = 0; i < nsig; i++) {
        double b = base + (double)i * 1e6;
        for (k = 0; k < 100 + 50 * i; k++, m++, late++) { /* older than the cursor */
            s[m] = (twin_sample){twin[i], name[i], T0 + 2 * k * SEC + SEC / 2,
                                 b + 10000.0 + (double)k, NULL};
            count[i]++, sum[i] += s[m].value;
        }
        for (k = 0; k < 20; k++, m++, late++) { /* between the cursor and the newest */
            s[m] = (twin_sample){twin[i], name[i], T0 + (n + 20 * k) * SEC + SEC / 2,
                                 b + 20000.0 + (double)k, NULL};
            count[i]++, sum[i] += s[m].value;
        }
    }
    ck_assert_uint_eq(sq_write_late(path, s, m), 0);
    s[0] = (twin_sample){twin[0], name[0], T0 + 300 * SEC, -7.0, NULL}; /* held: dropped */
    ck_assert_uint_eq(sq_write_late(path, s, 1), 1);
    free(s);
    return late;
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
