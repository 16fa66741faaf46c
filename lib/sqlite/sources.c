/* libtwin-sqlite: ingest sources kept in the database (schema 6): each
 * source's clock model in its encoded form (twin_clock_encode(): its kind,
 * declared offset, tolerances and whole estimate state), and each signal's
 * source, so that a restart resumes the estimates instead of starting from
 * zero. */
#include "sqlite_int.h"

#include <stdlib.h>
#include <string.h>

/* Save or load outside of the outbox's transaction. */
static twin_status idle(twin_sqlite *db)
{
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "records delivered but not flushed");
    return TWIN_OK;
}

static twin_status step1(twin_sqlite *db, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, what);
    return TWIN_OK;
}

static twin_status save_all(twin_sqlite *db, const twin_ingest *ing, sqlite3_stmt *put,
                            sqlite3_stmt *map, sqlite3_stmt *unmap)
{
    uint64_t cur = 0;
    twin_source src;
    twin_signal sig;
    twin_status s;
    unsigned char buf[TWIN_CLOCK_ENCODED_MAX];
    while ((s = twin_ingest_sources_next(ing, &cur, &src)) == TWIN_OK) {
        twin_ingest_source_info in;
        twin_clock clock;
        twin_error e;
        size_t len;
        memset(&in, 0, sizeof in);
        in.size = sizeof in;
        if ((s = twin_ingest_get_source(ing, src, &in, &clock)) != TWIN_OK)
            return tsq_fail(db, s, SQLITE_OK, "cannot read source %u", (unsigned)src);
        if ((s = twin_clock_encode(&clock, buf, sizeof buf, &len, &e)) != TWIN_OK)
            return tsq_fail(db, s, SQLITE_OK, "source '%s': %s", in.name, e.message);
        sqlite3_bind_text(put, 1, in.name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(put, 2, buf, (int)len, SQLITE_STATIC);
        if ((s = step1(db, put, "cannot store a source")) != TWIN_OK) return s;
    }
    if (s != TWIN_DONE) return tsq_fail(db, s, SQLITE_OK, "cannot list the sources");
    cur = 0;
    while ((s = twin_ingest_signals_next(ing, &cur, &sig)) == TWIN_OK) {
        const char *twin, *name, *unit, *sname = NULL;
        twin_ingest_correction c;
        twin_ingest_source_info in;
        memset(&c, 0, sizeof c);
        c.size = sizeof c;
        if (twin_ingest_signal_info(ing, sig, &twin, &name, &unit) != TWIN_OK ||
            twin_ingest_signal_source(ing, sig, &c) != TWIN_OK)
            return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "cannot read signal %u", (unsigned)sig);
        if (c.source) {
            memset(&in, 0, sizeof in);
            in.size = sizeof in;
            if (twin_ingest_get_source(ing, c.source, &in, NULL) != TWIN_OK)
                return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "cannot read source %u",
                                (unsigned)c.source);
            sname = in.name;
        }
        if (sname) {
            sqlite3_bind_text(map, 1, twin, -1, SQLITE_STATIC);
            sqlite3_bind_text(map, 2, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(map, 3, sname, -1, SQLITE_STATIC);
            s = step1(db, map, "cannot store a signal's source");
        } else {
            sqlite3_bind_text(unmap, 1, twin, -1, SQLITE_STATIC);
            sqlite3_bind_text(unmap, 2, name, -1, SQLITE_STATIC);
            s = step1(db, unmap, "cannot store a signal's source");
        }
        if (s != TWIN_OK) return s;
    }
    if (s != TWIN_DONE) return tsq_fail(db, s, SQLITE_OK, "cannot list the signals");
    return TWIN_OK;
}

twin_status twin_sqlite_save_sources(twin_sqlite *db, const twin_ingest *ing)
{
    sqlite3_stmt *put = NULL, *map = NULL, *unmap = NULL;
    twin_status s;
    int rc;
    if (!db || !ing) return TWIN_E_INVAL;
    if ((s = idle(db)) != TWIN_OK) return s;
    if (db->readonly) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is read-only");
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO sources(name, clock) VALUES(?1, ?2)"
                            " ON CONFLICT(name) DO UPDATE SET clock = excluded.clock",
                            -1, &put, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->db,
                                "INSERT INTO signal_sources(twin, signal, source) VALUES(?1, ?2, ?3)"
                                " ON CONFLICT(twin, signal) DO UPDATE SET source = excluded.source",
                                -1, &map, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->db,
                                "DELETE FROM signal_sources WHERE twin = ?1 AND signal = ?2", -1,
                                &unmap, NULL);
    if (rc != SQLITE_OK) {
        s = tsq_sqlfail(db, rc, "cannot store the sources");
    } else if ((s = tsq_exec(db, "BEGIN IMMEDIATE")) == TWIN_OK) {
        s = save_all(db, ing, put, map, unmap);
        if (s == TWIN_OK) s = tsq_exec(db, "COMMIT");
        if (s != TWIN_OK && !sqlite3_get_autocommit(db->db))
            sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(put);
    sqlite3_finalize(map);
    sqlite3_finalize(unmap);
    if (s == TWIN_OK) tsq_ok(db);
    return s;
}

/* The most sources an ingest handle takes (twin_ingest_add_source()): a
   database with more is refused before more are read (twin/sqlite.h,
   Limits). */
#define SOURCES_MAX 65535u

/* The sources read from the database before any is applied. */
typedef struct loaded {
    char *name;
    twin_clock clock;
} loaded;

static twin_status read_sources(twin_sqlite *db, loaded **out, size_t *n)
{
    sqlite3_stmt *q;
    loaded *v = NULL;
    size_t cap = 0;
    int rc;
    twin_status s = TWIN_OK;
    *out = NULL;
    *n = 0;
    rc = sqlite3_prepare_v2(db->db, "SELECT name, clock FROM sources ORDER BY rowid", -1, &q,
                            NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the sources");
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const void *blob = sqlite3_column_blob(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 1);
        twin_error e;
        if (*n == SOURCES_MAX) {
            s = tsq_fail(db, TWIN_E_RANGE, SQLITE_OK,
                         "more than %u sources in the store (the most an ingest handle takes)",
                         SOURCES_MAX);
            break;
        }
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            loaded *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                s = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        if (!name) {
            s = tsq_fail(db, TWIN_E_PARSE, SQLITE_OK, "a source without a name");
            break;
        }
        if ((s = twin_clock_decode(&v[*n].clock, blob, len, &e)) != TWIN_OK) {
            s = tsq_fail(db, s, SQLITE_OK, "source '%.128s': %s", name, e.message);
            break;
        }
        if (!(v[*n].name = strdup(name))) {
            s = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            break;
        }
        (*n)++;
    }
    if (s == TWIN_OK && rc != SQLITE_DONE) s = tsq_sqlfail(db, rc, "cannot read the sources");
    sqlite3_finalize(q);
    *out = v;
    return s;
}

/* The signals of ing with a kept source, read before anything changes. */
typedef struct sigrow {
    twin_signal sig;
    char *source;
} sigrow;

static twin_status read_signals(twin_sqlite *db, const twin_ingest *ing, sigrow **out, size_t *n)
{
    sqlite3_stmt *q;
    sigrow *v = NULL;
    size_t cap = 0;
    uint64_t cur = 0;
    twin_signal sig;
    twin_status s = TWIN_OK;
    int rc;
    *out = NULL;
    *n = 0;
    rc = sqlite3_prepare_v2(db->db,
                            "SELECT source FROM signal_sources WHERE twin = ?1 AND signal = ?2",
                            -1, &q, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the signals' sources");
    /* each signal of the handle looks up its row (rows of signals the
       handle does not have stay for a later load) */
    while (twin_ingest_signals_next(ing, &cur, &sig) == TWIN_OK) {
        const char *twin, *name, *unit, *sname;
        if (twin_ingest_signal_info(ing, sig, &twin, &name, &unit) != TWIN_OK) continue;
        sqlite3_bind_text(q, 1, twin, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(q);
            continue;
        }
        if (rc != SQLITE_ROW) {
            s = tsq_sqlfail(db, rc, "cannot read the signals' sources");
            break;
        }
        sname = (const char *)sqlite3_column_text(q, 0);
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            sigrow *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                s = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        v[*n].sig = sig;
        if (!(v[*n].source = strdup(sname ? sname : ""))) {
            s = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            break;
        }
        (*n)++;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    *out = v;
    return s;
}

/* Everything read and checked: the sources put in at once (all or
 * nothing), then the signals given theirs (no allocation, cannot fail for
 * a source just put). */
static twin_status apply(twin_sqlite *db, twin_ingest *ing, const loaded *v, size_t n,
                         const sigrow *r, size_t nr)
{
    const char **names = NULL;
    twin_clock *clocks = NULL;
    twin_status s;
    for (size_t k = 0; k < nr; k++) {
        size_t j = 0;
        while (j < n && strcmp(v[j].name, r[k].source) != 0) j++;
        if (j == n) {
            const char *twin = "?", *name = "?", *unit;
            twin_ingest_signal_info(ing, r[k].sig, &twin, &name, &unit);
            return tsq_fail(db, TWIN_E_PARSE, SQLITE_OK,
                            "signal %.128s %.128s: no source '%.128s' is kept", twin, name,
                            r[k].source);
        }
    }
    if (n) {
        names = malloc(n * sizeof *names);
        clocks = malloc(n * sizeof *clocks);
        if (!names || !clocks) {
            free(names);
            free(clocks);
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        }
        for (size_t k = 0; k < n; k++) {
            names[k] = v[k].name;
            clocks[k] = v[k].clock;
        }
    }
    s = twin_ingest_put_sources(ing, names, clocks, n);
    free(names);
    free(clocks);
    if (s != TWIN_OK)
        return tsq_fail(db, s, SQLITE_OK, "%s", twin_ingest_last_error(ing)->message);
    for (size_t k = 0; k < nr; k++) {
        twin_source src;
        if ((s = twin_ingest_find_source(ing, r[k].source, &src)) != TWIN_OK ||
            (s = twin_ingest_set_signal_source(ing, r[k].sig, src)) != TWIN_OK)
            return tsq_fail(db, s, SQLITE_OK, "signal %u: %s", (unsigned)r[k].sig,
                            twin_ingest_last_error(ing)->message);
    }
    return TWIN_OK;
}

twin_status twin_sqlite_load_sources(twin_sqlite *db, twin_ingest *ing)
{
    loaded *v = NULL;
    sigrow *r = NULL;
    size_t n = 0, nr = 0;
    twin_status s;
    if (!db || !ing) return TWIN_E_INVAL;
    if ((s = idle(db)) != TWIN_OK) return s;
    if (db->schema < 6) {  /* an older database opened read-only: no sources */
        tsq_ok(db);
        return TWIN_OK;
    }
    s = read_sources(db, &v, &n);
    if (s == TWIN_OK) s = read_signals(db, ing, &r, &nr);
    if (s == TWIN_OK) s = apply(db, ing, v, n, r, nr);
    for (size_t k = 0; k < n; k++) free(v[k].name);
    for (size_t k = 0; k < nr; k++) free(r[k].source);
    free(v);
    free(r);
    if (s == TWIN_OK) tsq_ok(db);
    return s;
}
