/* libtwin-sqlite: opening a database, its schema, errors, documents. */
#include "sqlite_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP_ID 0x7477696e /* "twin" */

static const char *const schema_sql =
    "CREATE TABLE twins(id TEXT NOT NULL UNIQUE, model TEXT NOT NULL, props BLOB);"
    "CREATE TABLE relationships(source TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,"
    " target TEXT NOT NULL, props BLOB, UNIQUE(source, id));"
    "CREATE INDEX relationships_target ON relationships(target);"
    "CREATE TABLE signals(id INTEGER PRIMARY KEY AUTOINCREMENT, twin TEXT NOT NULL, name TEXT NOT NULL,"
    " unit TEXT NOT NULL, latest_t_us INTEGER, latest_value REAL, UNIQUE(twin, name));"
    "CREATE TABLE samples(signal INTEGER NOT NULL, t_us INTEGER NOT NULL, value REAL NOT NULL,"
    " PRIMARY KEY(signal, t_us)) WITHOUT ROWID;"
    "CREATE TABLE rollups(signal INTEGER NOT NULL, t_us INTEGER NOT NULL, n INTEGER NOT NULL,"
    " mean REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
    " PRIMARY KEY(signal, t_us)) WITHOUT ROWID;"
    "CREATE TABLE health(signal INTEGER PRIMARY KEY, options BLOB, state BLOB NOT NULL,"
    " t0_us INTEGER NOT NULL);"
    "CREATE TABLE documents(kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,"
    " UNIQUE(kind, name));";

/* Schema 5: each signal's open block as an append-only log of chunks,
   each a codec block of the samples one flush added (series.c); schemas 3
   and 4 kept one row per signal, rewritten whole at every flush. */
#define OPEN_BLOCKS_SQL                                                                    \
    "CREATE TABLE open_blocks(signal INTEGER NOT NULL, seq INTEGER NOT NULL,"             \
    " t0_us INTEGER NOT NULL, t1_us INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL," \
    " PRIMARY KEY(signal, seq));"

/* Schema 3: compressed series (series.c, codec.h). */
static const char *const blocks_sql =
    "CREATE TABLE blocks(id INTEGER PRIMARY KEY, signal INTEGER NOT NULL, t0_us INTEGER NOT NULL,"
    " t1_us INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX blocks_signal ON blocks(signal, t0_us);"
    OPEN_BLOCKS_SQL;

/* Schema 4: tiers (tiers.c). */
static const char *const tiers_sql =
    "CREATE TABLE tiers(signal INTEGER NOT NULL, res_us INTEGER NOT NULL, t_us INTEGER NOT NULL,"
    " n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
    " first REAL NOT NULL, last REAL NOT NULL, first_t_us INTEGER NOT NULL DEFAULT 0,"
    " last_t_us INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(signal, res_us, t_us)) WITHOUT ROWID;"
    "CREATE TABLE tier_marks(signal INTEGER NOT NULL, res_us INTEGER NOT NULL,"
    " t_us INTEGER NOT NULL, PRIMARY KEY(signal, res_us)) WITHOUT ROWID;"
    "CREATE TABLE policies(scope INTEGER NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL,"
    " spec TEXT NOT NULL, PRIMARY KEY(scope, key, name)) WITHOUT ROWID;"
    "CREATE TABLE tier_blocks(id INTEGER PRIMARY KEY, signal INTEGER NOT NULL,"
    " res_us INTEGER NOT NULL, t0_us INTEGER NOT NULL, t1_us INTEGER NOT NULL,"
    " n INTEGER NOT NULL, samples INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX tier_blocks_key ON tier_blocks(signal, res_us, t0_us);";

/* Schema 6: ingest sources and their clock models (sources.c). */
static const char *const sources_sql =
    "CREATE TABLE sources(name TEXT NOT NULL PRIMARY KEY, clock BLOB NOT NULL);"
    "CREATE TABLE signal_sources(twin TEXT NOT NULL, signal TEXT NOT NULL, source TEXT NOT NULL,"
    " PRIMARY KEY(twin, signal)) WITHOUT ROWID;";

/* Schema 7: late samples logged for the forwarders (latelog.c). Its seq
   never goes back (AUTOINCREMENT): a forwarder's late cursor stays valid
   when the log has been emptied. */
static const char *const late_sql =
    "CREATE TABLE upstreams(cursors TEXT NOT NULL, upstream TEXT NOT NULL,"
    " late_seq INTEGER NOT NULL, PRIMARY KEY(cursors, upstream)) WITHOUT ROWID;"
    "CREATE TABLE late_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, signal INTEGER NOT NULL,"
    " t_us INTEGER NOT NULL);"
    "CREATE INDEX late_log_signal ON late_log(signal, t_us);";

static const char *const stmt_sql[ST_COUNT] = {
    [ST_SAMPLE] = "INSERT INTO samples(signal, t_us, value) VALUES(?1, ?2, ?3)",
    [ST_SIG_INS] = "INSERT INTO signals(twin, name, unit) VALUES(?1, ?2, ?3)"
                   " ON CONFLICT(twin, name) DO UPDATE SET unit = excluded.unit",
    [ST_SIG_GET] = "SELECT id, latest_t_us FROM signals WHERE twin = ?1 AND name = ?2",
    [ST_TWIN_PUT] = "INSERT INTO twins(id, model, props) VALUES(?1, ?2, ?3)"
                    " ON CONFLICT(id) DO UPDATE SET model = excluded.model, props = excluded.props",
    [ST_TWIN_DEL] = "DELETE FROM twins WHERE id = ?1",
    [ST_TWIN_SIGS_DEL] = "DELETE FROM signals WHERE twin = ?1",
    [ST_TWIN_SAMPLES_DEL] = "DELETE FROM samples WHERE signal IN"
                            " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_TWIN_HEALTH_DEL] = "DELETE FROM health WHERE signal IN"
                           " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_REL_PUT] = "INSERT INTO relationships(source, id, name, target, props)"
                   " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(source, id) DO UPDATE SET"
                   " name = excluded.name, target = excluded.target, props = excluded.props",
    [ST_REL_DEL] = "DELETE FROM relationships WHERE source = ?1 AND id = ?2",
    [ST_HEALTH_PUT] = "INSERT OR REPLACE INTO health(signal, options, state, t0_us)"
                      " VALUES(?1, ?2, ?3, ?4)",
    [ST_LATEST] = "UPDATE signals SET latest_t_us = ?2, latest_value = ?3 WHERE id = ?1"
                  " AND (latest_t_us IS NULL OR latest_t_us < ?2)",
    [ST_BLK_INS] = "INSERT INTO blocks(signal, t0_us, t1_us, n, data) VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_BLK_LAST] = "SELECT t1_us, data FROM blocks WHERE signal = ?1 ORDER BY t0_us DESC LIMIT 1",
    [ST_BLK_RANGE] = "SELECT t0_us, t1_us, n, data FROM blocks WHERE signal = ?1 AND t0_us < ?3"
                     " AND t1_us >= ?2 AND t0_us >= coalesce((SELECT max(t0_us) FROM blocks"
                     " WHERE signal = ?1 AND t0_us <= ?2), -9223372036854775808)"
                     " ORDER BY t0_us",
    [ST_BLK_AT] = "SELECT max(t0) FROM (SELECT max(t0_us) AS t0 FROM blocks WHERE signal = ?1"
                  " AND t0_us <= ?2 UNION ALL SELECT t0_us FROM open_blocks WHERE signal = ?1"
                  " AND t0_us <= ?2)",
    [ST_OPEN_GET] = "SELECT t0_us, t1_us, n, data, seq FROM open_blocks WHERE signal = ?1"
                    " ORDER BY seq",
    [ST_OPEN_PUT] = "INSERT INTO open_blocks(signal, seq, t0_us, t1_us, n, data)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_OPEN_DEL] = "DELETE FROM open_blocks WHERE signal = ?1",
    [ST_OPEN_RANGE] = "SELECT t0_us, t1_us, n, data FROM open_blocks WHERE signal = ?1"
                      " AND t0_us < ?3 AND t1_us >= ?2 ORDER BY t0_us",
    [ST_RAW_RANGE] = "SELECT t_us, value FROM samples WHERE signal = ?1 AND t_us >= ?2"
                     " AND t_us < ?3 ORDER BY t_us",
    [ST_TWIN_BLOCKS_DEL] = "DELETE FROM blocks WHERE signal IN"
                           " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_SIG_OF_TWIN] = "SELECT id FROM signals WHERE twin = ?1",
    [ST_TWIN_OPEN_DEL] = "DELETE FROM open_blocks WHERE signal IN"
                         " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_SIG_POLICY] = "SELECT s.latest_t_us, (SELECT p.spec FROM policies p WHERE"
                      " (p.scope = 2 AND p.key = s.twin AND p.name = s.name) OR"
                      " (p.scope = 1 AND p.key = (SELECT model FROM twins WHERE id = s.twin))"
                      " OR p.scope = 0 ORDER BY p.scope DESC LIMIT 1) FROM signals s"
                      " WHERE s.id = ?1",
    [ST_MARK_GET] = "SELECT res_us, t_us FROM tier_marks WHERE signal = ?1 ORDER BY res_us",
    [ST_MARK_PUT] = "INSERT OR REPLACE INTO tier_marks(signal, res_us, t_us) VALUES(?1, ?2, ?3)",
    [ST_FOLD_OLDEST] = "SELECT id, t0_us, t1_us, n, data FROM blocks WHERE signal = ?1"
                       " ORDER BY t0_us LIMIT 1",
    [ST_BLK_DEL] = "DELETE FROM blocks WHERE id = ?1",
    [ST_LATE_UPTO] = "SELECT t_us, value FROM samples WHERE signal = ?1 AND t_us <= ?2"
                     " ORDER BY t_us",
    [ST_LATE_DEL_UPTO] = "DELETE FROM samples WHERE signal = ?1 AND t_us <= ?2",
    [ST_TIER_GET] = "SELECT n, sum, min, max, first, last, first_t_us, last_t_us FROM tiers"
                    " WHERE signal = ?1 AND res_us = ?2 AND t_us = ?3",
    [ST_TIER_PUT] = "INSERT OR REPLACE INTO tiers(signal, res_us, t_us, n, sum, min, max, first,"
                    " last, first_t_us, last_t_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                    " ?10, ?11)",
    [ST_TIER_OLD] = "SELECT t_us FROM tiers WHERE signal = ?1 AND res_us = ?2 AND t_us < ?3"
                    " ORDER BY t_us LIMIT ?4",
    [ST_TIER_DEL] = "DELETE FROM tiers WHERE signal = ?1 AND res_us = ?2 AND t_us = ?3",
    [ST_TWIN_TIERS_DEL] = "DELETE FROM tiers WHERE signal IN"
                          " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_TWIN_MARKS_DEL] = "DELETE FROM tier_marks WHERE signal IN"
                          " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_TWIN_TBLK_DEL] = "DELETE FROM tier_blocks WHERE signal IN"
                         " (SELECT id FROM signals WHERE twin = ?1)",
    [ST_TIER_FULL] = "SELECT t_us, n, sum, min, max, first, last, first_t_us, last_t_us"
                     " FROM tiers WHERE signal = ?1"
                     " AND res_us = ?2 AND t_us <= ?3 ORDER BY t_us LIMIT ?4",
    [ST_TBLK_INS] = "INSERT INTO tier_blocks(signal, res_us, t0_us, t1_us, n, samples, data)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_TIER_DEL_UPTO] = "DELETE FROM tiers WHERE signal = ?1 AND res_us = ?2 AND t_us <= ?3",
    [ST_TBLK_OLD] = "SELECT id, t1_us FROM tier_blocks WHERE signal = ?1 AND res_us = ?2"
                    " AND t1_us < ?3 ORDER BY t0_us LIMIT ?4",
    [ST_TBLK_DEL] = "DELETE FROM tier_blocks WHERE id = ?1",
    [ST_TBLK_AT] = "SELECT id, t0_us, t1_us, data FROM tier_blocks WHERE signal = ?1"
                   " AND res_us = ?2 AND t0_us <= ?3 ORDER BY t0_us DESC LIMIT 1",
    [ST_TBLK_FIRST] = "SELECT id, t0_us, t1_us, data FROM tier_blocks WHERE signal = ?1"
                      " AND res_us = ?2 ORDER BY t0_us LIMIT 1",
    [ST_TBLK_MAXT1] = "SELECT max(t1_us) FROM tier_blocks WHERE signal = ?1 AND res_us = ?2",
    [ST_MARK_DEL] = "DELETE FROM tier_marks WHERE signal = ?1 AND res_us = ?2",
    [ST_TBLK_OF_RES] = "SELECT id FROM tier_blocks WHERE signal = ?1 AND res_us = ?2 LIMIT ?3",
    [ST_TIER_OF_RES] = "SELECT t_us FROM tiers WHERE signal = ?1 AND res_us = ?2 LIMIT ?3",
    [ST_UPSTREAMS_ANY] = "SELECT EXISTS(SELECT 1 FROM upstreams)",
    [ST_LATE_LOG] = "INSERT INTO late_log(signal, t_us) VALUES(?1, ?2)",
    [ST_LATE_FORGET_UPTO] = "DELETE FROM late_log WHERE signal = ?1 AND t_us <= ?2",
    [ST_LATE_FORGET_BEFORE] = "DELETE FROM late_log WHERE t_us < ?1",
    [ST_TWIN_LATE_DEL] = "DELETE FROM late_log WHERE signal IN"
                         " (SELECT id FROM signals WHERE twin = ?1)",
};

twin_status tsq_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return TWIN_OK;
    case SQLITE_BUSY: case SQLITE_LOCKED: return TWIN_E_BUSY;
    case SQLITE_NOMEM: return TWIN_E_NOMEM;
    case SQLITE_CONSTRAINT: return TWIN_E_CONSTRAINT;
    case SQLITE_MISUSE: case SQLITE_RANGE: return TWIN_E_INVAL;
    case SQLITE_TOOBIG: return TWIN_E_RANGE;
    default: return TWIN_E_IO;  /* READONLY, IOERR, FULL, CANTOPEN, CORRUPT, NOTADB, PERM... */
    }
}

twin_status tsq_fail(twin_sqlite *db, twin_status s, int rc, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, fmt);
    vsnprintf(db->msg, sizeof db->msg, fmt, ap);
    va_end(ap);
    n = strlen(db->msg);
    if (rc != SQLITE_OK && n + 4 < sizeof db->msg)
        snprintf(db->msg + n, sizeof db->msg - n, ": %s",
                 db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
    db->err.status = s;
    db->err.message = db->msg;
    db->nfail++;
    return s;
}

twin_status tsq_sqlfail(twin_sqlite *db, int rc, const char *what)
{
    return tsq_fail(db, tsq_status(rc), rc, "%s", what);
}

void tsq_ok(twin_sqlite *db)
{
    db->err.status = TWIN_OK;
    db->msg[0] = '\0';
}

sqlite3_stmt *tsq_stmt(twin_sqlite *db, int which)
{
    sqlite3_stmt *s = db->st[which];
    if (!s) {
        int rc = sqlite3_prepare_v3(db->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                    &db->st[which], NULL);
        if (rc != SQLITE_OK) {
            tsq_sqlfail(db, rc, "cannot prepare a statement");
            return NULL;
        }
        return db->st[which];
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

void tsq_bind_value(sqlite3_stmt *s, int col, double v)
{
    static const unsigned char negzero[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    if (v == 0.0 && signbit(v))
        sqlite3_bind_blob(s, col, negzero, 8, SQLITE_STATIC);
    else
        sqlite3_bind_double(s, col, v);
}

double tsq_column_value(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_BLOB) {
        const unsigned char *b = sqlite3_column_blob(s, col);
        uint64_t u = 0;
        double v;
        if (!b || sqlite3_column_bytes(s, col) != 8) return 0.0;
        for (int k = 7; k >= 0; k--) u = u << 8 | b[k];
        memcpy(&v, &u, 8);
        return v;
    }
    return sqlite3_column_double(s, col);
}

twin_status tsq_exec(twin_sqlite *db, const char *sql)
{
    int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return tsq_fail(db, tsq_status(rc), rc, "%.60s", sql);
    return TWIN_OK;
}

twin_status tsq_begin(twin_sqlite *db)
{
    twin_status s;
    if (db->in_tx) return TWIN_OK;
    if ((s = tsq_exec(db, "BEGIN IMMEDIATE")) != TWIN_OK) return s;
    db->in_tx = 1;
    db->late_logging = -1; /* the registry read at this transaction's first late sample */
    return TWIN_OK;
}

void tsq_rollback(twin_sqlite *db)
{
    size_t k;
    if (db->in_tx && !sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    db->in_tx = 0;
    for (k = 0; k < db->ndirty; k++) {
        tsq_sig *g = tsq_sig_find(db, db->dirty[k]);
        if (!g) continue;
        g->touched = g->dirty = 0;
        tsq_series_free(g->ser);  /* read again from the database */
        g->ser = NULL;
        g->ser_changed = 0;
        if (g->fresh) g->row = 0;  /* look it up again */
        g->fresh = 0;
    }
    db->ndirty = 0;
}

twin_status twin_sqlite_options_init_(twin_sqlite_options *o, size_t size)
{
    twin_sqlite_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.busy_timeout_ms = 1000;
    return twin__sized_init(o, size, &d, sizeof d);
}

static int64_t pragma_int(twin_sqlite *db, const char *sql, int *rc)
{
    sqlite3_stmt *s;
    int64_t v = 0;
    *rc = sqlite3_prepare_v2(db->db, sql, -1, &s, NULL);
    if (*rc != SQLITE_OK) return 0;
    *rc = sqlite3_step(s);
    if (*rc == SQLITE_ROW) {
        v = sqlite3_column_int64(s, 0);
        *rc = SQLITE_OK;
    } else if (*rc == SQLITE_DONE) {
        *rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return v;
}

/* Schema 1 (libtwin 1.3, 1.4) held the health blobs as raw structs of the
 * library's layout; schema 2 holds their encoded forms. The decoders read
 * both, so migrating is decoding and encoding every row, in one
 * transaction with the new version: all or nothing. */
static twin_status migrate_row(twin_sqlite *db, sqlite3_stmt *q, sqlite3_stmt *u)
{
    twin_health_options o;
    twin_health h;
    unsigned char ob[TWIN_HEALTH_OPTIONS_ENCODED_MAX], hb[TWIN_HEALTH_ENCODED_MAX];
    size_t on = 0, hn = 0;
    const void *op = sqlite3_column_blob(q, 1), *hp = sqlite3_column_blob(q, 2);
    twin_error e = {TWIN_OK, 0, "a blob is missing"};
    twin_status s = TWIN_E_PARSE;
    int rc;
    twin_health_options_init(&o);
    if (op && hp &&
        (s = twin_health_options_decode(&o, op, (size_t)sqlite3_column_bytes(q, 1), &e)) == TWIN_OK &&
        (s = twin_health_decode(&h, hp, (size_t)sqlite3_column_bytes(q, 2), &e)) == TWIN_OK &&
        (s = twin_health_options_encode(&o, ob, sizeof ob, &on, &e)) == TWIN_OK)
        s = twin_health_encode(&h, hb, sizeof hb, &hn, &e);
    if (s != TWIN_OK)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK,
                        "the health state of signal %lld does not convert to schema %d: %s",
                        (long long)sqlite3_column_int64(q, 0), TWIN_SQLITE_SCHEMA_VERSION,
                        e.message);
    sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
    sqlite3_bind_blob(u, 2, ob, (int)on, SQLITE_TRANSIENT);
    sqlite3_bind_blob(u, 3, hb, (int)hn, SQLITE_TRANSIENT);
    rc = sqlite3_step(u);
    sqlite3_reset(u);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot migrate a health state");
    return TWIN_OK;
}

/* Schema 1 to 2: every health row's raw structs in the encoded forms. */
static twin_status migrate_health(twin_sqlite *db, const char *path)
{
    sqlite3_stmt *q = NULL, *u = NULL;
    twin_status s = TWIN_OK;
    /* one row at a time by key: a scan does not see its own updates
       reliably */
    int64_t last = INT64_MIN;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT signal, options, state FROM health WHERE signal > ?1"
                                " ORDER BY signal LIMIT 1",
                                -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->db,
                                "UPDATE health SET options = ?2, state = ?3 WHERE signal = ?1",
                                -1, &u, NULL);
    while (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, last);
        if ((rc = sqlite3_step(q)) != SQLITE_ROW) break;
        last = sqlite3_column_int64(q, 0);
        s = migrate_row(db, q, u);
        sqlite3_reset(q);
        if (s != TWIN_OK) break;
        rc = SQLITE_OK;
    }
    if (s == TWIN_OK && rc != SQLITE_DONE)
        s = tsq_fail(db, tsq_status(rc), rc, "%s: cannot migrate from schema 1", path);
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    return s;
}

/* Schema 2 to 3: the raw samples into compressed blocks, a signal at a
   time in time order (in runs of at most CHUNK samples), then deleted. */
#define CHUNK (1u << 20)
static twin_status migrate_samples(twin_sqlite *db, const char *path)
{
    sqlite3_stmt *q = NULL;
    int64_t *t = NULL, row = 0;
    double *v = NULL;
    size_t n = 0;
    twin_status s;
    int rc;
    if ((s = tsq_exec(db, blocks_sql)) != TWIN_OK) return s;
    t = malloc(CHUNK * sizeof *t);
    v = malloc(CHUNK * sizeof *v);
    if (!t || !v) {
        s = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        goto done;
    }
    rc = sqlite3_prepare_v2(db->db, "SELECT signal, t_us, value FROM samples ORDER BY signal, t_us",
                            -1, &q, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(q);
    for (; rc == SQLITE_ROW; rc = sqlite3_step(q)) {
        int64_t r = sqlite3_column_int64(q, 0);
        if (n && (r != row || n == CHUNK)) {
            if ((s = tsq_series_encode(db, row, t, v, n)) != TWIN_OK) goto done;
            n = 0;
        }
        row = r;
        t[n] = sqlite3_column_int64(q, 1);
        v[n++] = tsq_column_value(q, 2);
    }
    if (rc != SQLITE_DONE) {
        s = tsq_fail(db, rc == SQLITE_OK ? TWIN_E_IO : tsq_status(rc), rc,
                     "%s: cannot migrate the samples", path);
        goto done;
    }
    if (n && (s = tsq_series_encode(db, row, t, v, n)) != TWIN_OK) goto done;
    s = tsq_exec(db, "DELETE FROM samples");
done:
    sqlite3_finalize(q);
    free(t);
    free(v);
    return s;
}

/* Schema 3 or 4 to 5: every open block becomes the first chunk of its
   signal's log. */
static const char *const open_log_sql =
    "ALTER TABLE open_blocks RENAME TO open_blocks_4;" OPEN_BLOCKS_SQL
    "INSERT INTO open_blocks(signal, seq, t0_us, t1_us, n, data)"
    " SELECT signal, 0, t0_us, t1_us, n, data FROM open_blocks_4;"
    "DROP TABLE open_blocks_4;";

/* Schema 4 to 5: the times of each bucket's first and last samples, not
   known for the buckets of schema 4: their start and end, so that a late
   sample never replaces their first or last value (as schema 4 did). */
static const char *const tier_times_sql =
    "ALTER TABLE tiers ADD COLUMN first_t_us INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tiers ADD COLUMN last_t_us INTEGER NOT NULL DEFAULT 0;"
    "UPDATE tiers SET first_t_us = t_us, last_t_us = t_us + res_us - 1;";

/* Migrate a schema 1 to 6 database to this one, in one transaction: all
   or nothing. Schema 3 to 4 adds the (empty) tier tables; 4 to 5 the open
   blocks' logs and the buckets' first and last times; 5 to 6 the (empty)
   sources tables; 6 to 7 the (empty) forwarders' registry and late log. */
static twin_status migrate(twin_sqlite *db, const char *path)
{
    twin_status s = TWIN_OK;
    int rc;
    int64_t ver;
    char sql[40];
    if ((s = tsq_exec(db, "BEGIN IMMEDIATE")) != TWIN_OK) return s;
    /* another connection may have migrated it meanwhile */
    ver = pragma_int(db, "PRAGMA user_version", &rc);
    if (rc != SQLITE_OK) s = tsq_fail(db, tsq_status(rc), rc, "%s: cannot read", path);
    if (s == TWIN_OK && ver == 1) s = migrate_health(db, path);
    if (s == TWIN_OK && ver >= 1 && ver <= 2) s = migrate_samples(db, path);
    if (s == TWIN_OK && ver >= 1 && ver <= 3) s = tsq_exec(db, tiers_sql);
    if (s == TWIN_OK && ver >= 3 && ver <= 4) s = tsq_exec(db, open_log_sql);
    if (s == TWIN_OK && ver == 4) s = tsq_exec(db, tier_times_sql);
    if (s == TWIN_OK && ver >= 1 && ver <= 5) s = tsq_exec(db, sources_sql);
    if (s == TWIN_OK && ver >= 1 && ver <= 6) s = tsq_exec(db, late_sql);
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", TWIN_SQLITE_SCHEMA_VERSION);
    if (s == TWIN_OK && ver < TWIN_SQLITE_SCHEMA_VERSION) s = tsq_exec(db, sql);
    if (s == TWIN_OK) s = tsq_exec(db, "COMMIT");
    if (s != TWIN_OK) {
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
        /* statements prepared on the tables the rollback removed */
        for (size_t k = 0; k < ST_COUNT; k++) {
            sqlite3_finalize(db->st[k]);
            db->st[k] = NULL;
        }
    }
    return s;
}

static twin_status setup(twin_sqlite *db, const char *path, const twin_sqlite_options *o)
{
    int rc, flags;
    int64_t ver, app, tables;
    twin_status s;
    flags = (o->flags & TWIN_SQLITE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (!(o->flags & (TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE))) flags |= SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path, &db->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return tsq_fail(db, rc == SQLITE_NOMEM ? TWIN_E_NOMEM : TWIN_E_IO, rc, "%s: cannot open",
                        path);
    sqlite3_extended_result_codes(db->db, 1);
    sqlite3_busy_timeout(db->db, o->busy_timeout_ms);
    app = pragma_int(db, "PRAGMA application_id", &rc);
    if (rc != SQLITE_OK) return tsq_fail(db, tsq_status(rc), rc, "%s: cannot read", path);
    ver = pragma_int(db, "PRAGMA user_version", &rc);
    tables = pragma_int(db, "SELECT count(*) FROM sqlite_master", &rc);
    if (rc != SQLITE_OK) return tsq_fail(db, tsq_status(rc), rc, "%s: cannot read", path);
    if (tables > 0 && app != APP_ID)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK,
                        "%s: not a libtwin store (application_id 0x%llx)", path,
                        (unsigned long long)app);
    if (app == APP_ID && (ver < 1 || ver > TWIN_SQLITE_SCHEMA_VERSION))
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK,
                        "%s: schema version %lld, this library knows versions 1 to %d", path,
                        (long long)ver, TWIN_SQLITE_SCHEMA_VERSION);
    db->readonly = (o->flags & TWIN_SQLITE_READONLY) != 0 || sqlite3_db_readonly(db->db, "main");
    if (tables == 0) {
        char sql[64];
        if (db->readonly)
            return tsq_fail(db, TWIN_E_IO, SQLITE_OK, "%s: read-only and has no store", path);
        if ((s = tsq_exec(db, "PRAGMA journal_mode=WAL")) != TWIN_OK) return s;
        if ((s = tsq_exec(db, "BEGIN IMMEDIATE")) != TWIN_OK) return s;
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;", APP_ID,
                 TWIN_SQLITE_SCHEMA_VERSION);
        if ((s = tsq_exec(db, schema_sql)) != TWIN_OK || (s = tsq_exec(db, blocks_sql)) != TWIN_OK ||
            (s = tsq_exec(db, tiers_sql)) != TWIN_OK || (s = tsq_exec(db, sources_sql)) != TWIN_OK ||
            (s = tsq_exec(db, late_sql)) != TWIN_OK || (s = tsq_exec(db, sql)) != TWIN_OK) {
            sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
            return s;
        }
        if ((s = tsq_exec(db, "COMMIT")) != TWIN_OK) {
            sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
            return s;
        }
        db->schema = TWIN_SQLITE_SCHEMA_VERSION;
    } else if (!db->readonly) {
        if ((s = tsq_exec(db, "PRAGMA journal_mode=WAL")) != TWIN_OK) return s;
        if (ver < TWIN_SQLITE_SCHEMA_VERSION && (s = migrate(db, path)) != TWIN_OK) return s;
        db->schema = TWIN_SQLITE_SCHEMA_VERSION;
    } else {
        db->schema = (int)ver;
    }
    /* 64 MiB of page cache: samples of many signals go into as many places
       of the samples table; keeping its hot pages in memory is what makes
       a batch fast. */
    if ((s = tsq_exec(db, "PRAGMA cache_size=-65536")) != TWIN_OK) return s;
    if ((s = tsq_policies_refresh(db)) != TWIN_OK) return s;
    return tsq_exec(db, (o->flags & TWIN_SQLITE_SYNC_FULL) ? "PRAGMA synchronous=FULL"
                                                            : "PRAGMA synchronous=NORMAL");
}

twin_status twin_sqlite_open(twin_sqlite **out, const char *path, const twin_sqlite_options *o)
{
    twin_sqlite_options d;
    twin_sqlite *db;
    twin_status s;
    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    db = calloc(1, sizeof *db);
    if (!db) return TWIN_E_NOMEM;
    *out = db;
    tsq_ok(db);
    db->err.message = db->msg;
    db->fold_blocks = 8;
    db->fold_rows = 512;
    twin_sqlite_options_init(&d);
    if ((s = twin__sized_in(&d, sizeof d, o)) != TWIN_OK)
        return tsq_fail(db, s, SQLITE_OK, s == TWIN_E_ABI ? "options: unknown size"
                                                          : "options: size not set");
    if (!path) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "no path");
    if (d.busy_timeout_ms < 0)
        return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "busy_timeout_ms is negative");
    if ((s = setup(db, path, &d)) != TWIN_OK) return s;
    return TWIN_OK;
}

void twin_sqlite_close(twin_sqlite *db)
{
    size_t k;
    if (!db) return;
    if (db->db) {
        if (db->in_tx) tsq_rollback(db);
        for (k = 0; k < ST_COUNT; k++) sqlite3_finalize(db->st[k]);
        sqlite3_close(db->db);
    }
    tsq_sig_clear(db);
    free(db->dirty);
    free(db->rows);
    free(db->tmprows);
    free(db->dec_t);
    free(db->dec_v);
    free(db->foldq);
    free(db);
}

const twin_error *twin_sqlite_last_error(const twin_sqlite *db)
{
    static const twin_error none = {TWIN_E_INVAL, 0, "no database handle"};
    return db ? &db->err : &none;
}

struct sqlite3 *twin_sqlite_connection(twin_sqlite *db)
{
    return db ? db->db : NULL;
}

twin_status twin_sqlite_bind_ingest(twin_sqlite *db, const twin_ingest *ing)
{
    if (!db) return TWIN_E_INVAL;
    if (db->ing != ing) tsq_sig_clear(db);
    db->ing = ing;
    return TWIN_OK;
}

twin_status twin_sqlite_put_document(twin_sqlite *db, const char *kind, const char *name,
                                     const char *body)
{
    sqlite3_stmt *s;
    int rc;
    if (!db || !kind || !name || !body) return TWIN_E_INVAL;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "records delivered but not flushed");
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO documents(kind, name, body) VALUES(?1, ?2, ?3)"
                            " ON CONFLICT(kind, name) DO UPDATE SET body = excluded.body",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot store a document");
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot store a document");
    return TWIN_OK;
}

twin_status twin_sqlite_documents(twin_sqlite *db, const char *kind, twin_sqlite_document_fn fn,
                                  void *ud)
{
    sqlite3_stmt *s;
    int rc;
    twin_status r = TWIN_OK;
    if (!db || !kind || !fn) return TWIN_E_INVAL;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    rc = sqlite3_prepare_v2(db->db,
                            "SELECT name, body FROM documents WHERE kind = ?1 ORDER BY rowid",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the documents");
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *body = (const char *)sqlite3_column_text(s, 1);
        if (!name || !body) {  /* a damaged row (the schema says NOT NULL), or no memory */
            int nomem = sqlite3_column_type(s, name ? 1 : 0) != SQLITE_NULL;
            sqlite3_finalize(s);
            if (nomem) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK,
                            "a '%.64s' document without a %s is malformed in the store", kind,
                            name ? "body" : "name");
        }
        r = fn(ud, name, body);
        if (r != TWIN_OK) break;
    }
    sqlite3_finalize(s);
    if (r != TWIN_OK) return r;
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read the documents");
    return TWIN_OK;
}

twin_status twin_sqlite_get_counts(twin_sqlite *db, twin_sqlite_counts *out)
{
    static const char *const q[] = {
        "SELECT count(*) FROM twins", "SELECT count(*) FROM relationships",
        "SELECT count(*) FROM signals", NULL,
        "SELECT count(*) FROM rollups", "SELECT count(*) FROM health",
    };
    twin_sqlite_counts c;
    uint64_t *f[6];
    int rc, k;
    int64_t pages, psize, freep;
    twin_status s;
    if (!db || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof c)) != TWIN_OK) return s;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    f[0] = &c.twins, f[1] = &c.relationships, f[2] = &c.signals, f[3] = &c.samples;
    f[4] = &c.rollups, f[5] = &c.health;
    for (k = 0; k < 6; k++) {
        const char *sql = q[k];
        if (!sql) /* samples: raw rows and those in blocks */
            sql = db->schema >= 3 ? "SELECT (SELECT count(*) FROM samples)"
                                    " + (SELECT coalesce(sum(n), 0) FROM blocks)"
                                    " + (SELECT coalesce(sum(n), 0) FROM open_blocks)"
                                  : "SELECT count(*) FROM samples";
        *f[k] = (uint64_t)pragma_int(db, sql, &rc);
        if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot count");
    }
    pages = pragma_int(db, "PRAGMA page_count", &rc);
    psize = pragma_int(db, "PRAGMA page_size", &rc);
    freep = pragma_int(db, "PRAGMA freelist_count", &rc);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot count pages");
    c.file_bytes = (uint64_t)((pages - freep) * psize);
    c.late_duplicates = db->dup_dropped;
    twin__sized_out(out, &c, sizeof c);
    return TWIN_OK;
}
