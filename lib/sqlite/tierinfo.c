/* libtwin-sqlite: what each tier holds (raw samples, then each bucket
 * width) and its bytes on disk. */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t one_int(twin_sqlite *db, const char *sql, int *rc)
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

/* Bytes of the pages of the named tables and indexes (dbstat), or -1
   when SQLite was built without it. */
static int64_t pages_of(twin_sqlite *db, const char *names)
{
    char sql[256];
    int rc;
    int64_t v;
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (%s)",
             names);
    v = one_int(db, sql, &rc);
    return rc == SQLITE_OK ? v : -1;
}

twin_status twin_sqlite_tier_info_each(twin_sqlite *db, twin_sqlite_tier_info_fn fn, void *ud)
{
    twin_sqlite_tier_info t;
    sqlite3_stmt *s;
    twin_status r = TWIN_OK;
    int64_t row_pages, blk_pages, all_rows, all_len = 0;
    int rc;
    if (!db || !fn) return TWIN_E_INVAL;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    memset(&t, 0, sizeof t);
    t.size = sizeof t;
    rc = sqlite3_prepare_v2(
        db->db,
        db->schema >= 3
            ? "SELECT count(DISTINCT signal), count(*), coalesce(sum(n), 0), min(t0), max(t1) FROM"
              " (SELECT signal, n, t0_us AS t0, t1_us AS t1 FROM blocks UNION ALL"
              " SELECT signal, n, t0_us, t1_us FROM open_blocks UNION ALL"
              " SELECT signal, 1, t_us, t_us FROM samples)"
            : "SELECT count(DISTINCT signal), count(*), count(*), min(t_us), max(t_us) FROM samples",
        -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the tiers");
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t b;
        t.signals = (uint64_t)sqlite3_column_int64(s, 0);
        t.rows = (uint64_t)sqlite3_column_int64(s, 1);
        t.samples = (uint64_t)sqlite3_column_int64(s, 2);
        t.t_min_us = sqlite3_column_type(s, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(s, 3);
        t.t_max_us = sqlite3_column_type(s, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(s, 4);
        b = pages_of(db, db->schema >= 3
                             ? "'blocks', 'blocks_signal', 'open_blocks', 'samples'"
                             : "'samples'");
        if (b < 0) /* without dbstat: the payloads */
            b = one_int(db, db->schema >= 3
                                ? "SELECT (SELECT coalesce(sum(length(data)) + 40 * count(*), 0)"
                                  " FROM blocks) + (SELECT coalesce(sum(length(data)), 0) FROM"
                                  " open_blocks) + 24 * (SELECT count(*) FROM samples)"
                                : "SELECT 24 * count(*) FROM samples",
                        &rc);
        t.bytes = b > 0 ? (uint64_t)b : 0;
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read the tiers");
    if ((r = fn(ud, &t)) != TWIN_OK || db->schema < 4) return r;
    /* the tiers' pages: rows apportioned by rows, blocks by their bytes */
    row_pages = pages_of(db, "'tiers'");
    blk_pages = pages_of(db, "'tier_blocks', 'tier_blocks_key'");
    all_rows = one_int(db, "SELECT count(*) FROM tiers", &rc);
    if (rc == SQLITE_OK) all_len = one_int(db, "SELECT coalesce(sum(length(data)), 0) FROM tier_blocks", &rc);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the tiers");
    rc = sqlite3_prepare_v2(db->db,
                            "SELECT res_us, count(DISTINCT signal), count(*), sum(b), sum(s),"
                            " min(t0), max(t1), sum(r), sum(l) FROM (SELECT res_us, signal, 1 AS b,"
                            " n AS s, t_us AS t0, t_us AS t1, 1 AS r, 0 AS l FROM tiers UNION ALL"
                            " SELECT res_us, signal, n, samples, t0_us, t1_us, 0, length(data)"
                            " FROM tier_blocks) GROUP BY res_us ORDER BY res_us",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the tiers");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t nr = sqlite3_column_int64(s, 7), nl = sqlite3_column_int64(s, 8);
        double bytes = 0;
        memset(&t, 0, sizeof t);
        t.size = sizeof t;
        t.res_us = sqlite3_column_int64(s, 0);
        t.signals = (uint64_t)sqlite3_column_int64(s, 1);
        t.rows = (uint64_t)sqlite3_column_int64(s, 2);
        t.buckets = (uint64_t)sqlite3_column_int64(s, 3);
        t.samples = (uint64_t)sqlite3_column_int64(s, 4);
        t.t_min_us = sqlite3_column_int64(s, 5);
        t.t_max_us = sqlite3_column_int64(s, 6);
        if (nr) bytes += row_pages >= 0 && all_rows ? (double)row_pages * (double)nr / (double)all_rows
                                                    : 64.0 * (double)nr;
        if (nl) bytes += blk_pages >= 0 && all_len ? (double)blk_pages * (double)nl / (double)all_len
                                                   : (double)nl;
        t.bytes = (uint64_t)(bytes + 0.5);
        if ((r = fn(ud, &t)) != TWIN_OK) break;
    }
    sqlite3_finalize(s);
    if (r != TWIN_OK) return r;
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read the tiers");
    return TWIN_OK;
}
