/* libtwin-sqlite: retention (raw samples folded into rollups) and
 * checkpoints. */
#include "codec.h"
#include "sqlite_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int valid(const twin_sqlite_retention *r)
{
    return r->raw_keep_us >= 0 && r->bucket_us > 0 && r->rollup_keep_us >= 0;
}

/* The caller's policy (any known size) over a zeroed one. */
static twin_status read_policy(twin_sqlite *db, const twin_sqlite_retention *r,
                               twin_sqlite_retention *out)
{
    twin_status s;
    memset(out, 0, sizeof *out);
    if ((s = twin__sized_in(out, sizeof *out, r)) != TWIN_OK)
        return tsq_fail(db, s, SQLITE_OK, "retention: %s size",
                        s == TWIN_E_ABI ? "unknown" : "too small a");
    if (!valid(out)) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "retention: invalid policy");
    return TWIN_OK;
}

twin_status twin_sqlite_set_retention(twin_sqlite *db, const twin_sqlite_retention *r)
{
    if (!db) return TWIN_E_INVAL;
    if (!r) {
        db->has_retention = 0;
        return TWIN_OK;
    }
    twin_sqlite_retention p;
    twin_status s;
    if ((s = read_policy(db, r, &p)) != TWIN_OK) return s;
    db->retention = p;
    db->has_retention = 1;
    return TWIN_OK;
}

static twin_status run(twin_sqlite *db, const char *sql, const int64_t *args, int nargs,
                       uint64_t *changes)
{
    sqlite3_stmt *s;
    int rc, k;
    rc = sqlite3_prepare_v2(db->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "retention");
    for (k = 0; k < nargs; k++) sqlite3_bind_int64(s, k + 1, args[k]);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "retention");
    if (changes) *changes = (uint64_t)sqlite3_changes64(db->db);
    return TWIN_OK;
}

/* Floor of t to a multiple of b (b > 0), for negative t too. */
static int64_t floor_to(int64_t t, int64_t b)
{
    int64_t q = t / b;
    if (t % b < 0) q--;
    return q * b;
}

/* ---- blocks ---------------------------------------------------------------- */

typedef struct fold {
    twin_sqlite *db;
    sqlite3_stmt *up;
    int64_t row, b;     /* the bucket being summed (open when n > 0) */
    uint64_t n;
    double sum, min, max;
    twin_sqlite_retention_stats *st;
} fold;

static twin_status fold_flush(fold *f)
{
    int rc;
    if (!f->n) return TWIN_OK;
    sqlite3_bind_int64(f->up, 1, f->row);
    sqlite3_bind_int64(f->up, 2, f->b);
    sqlite3_bind_int64(f->up, 3, (int64_t)f->n);
    sqlite3_bind_double(f->up, 4, f->sum / (double)f->n);
    sqlite3_bind_double(f->up, 5, f->min);
    sqlite3_bind_double(f->up, 6, f->max);
    rc = sqlite3_step(f->up);
    sqlite3_reset(f->up);
    if (rc != SQLITE_DONE) return tsq_sqlfail(f->db, rc, "retention: cannot write a rollup");
    f->st->rollups_written++;
    f->n = 0;
    return TWIN_OK;
}

static twin_status fold_one(fold *f, int64_t row, int64_t t, double v, int64_t bucket)
{
    int64_t b = floor_to(t, bucket);
    twin_status s;
    if (f->n && (row != f->row || b != f->b) && (s = fold_flush(f)) != TWIN_OK) return s;
    if (!f->n) {
        f->row = row, f->b = b, f->sum = 0, f->min = f->max = v;
    }
    f->n++;
    f->sum += v;
    if (v < f->min) f->min = v;
    if (v > f->max) f->max = v;
    f->st->raw_folded++;
    return TWIN_OK;
}

/* Fold the samples of blocks (closed, then open) older than cutoff into
   rollups; a block's newer samples are encoded again as a closed block.
   A block that does not decode is left as it is. */
static twin_status fold_table(fold *f, const char *table, int64_t cutoff, int64_t bucket)
{
    twin_sqlite *db = f->db;
    sqlite3_stmt *q = NULL, *del = NULL;
    char sql[160];
    twin_status s = TWIN_OK;
    int rc;
    snprintf(sql, sizeof sql, "SELECT rowid, signal, data FROM %s WHERE t0_us < ?1"
             " ORDER BY signal, t0_us", table);
    rc = sqlite3_prepare_v2(db->db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE rowid = ?1", table);
        rc = sqlite3_prepare_v2(db->db, sql, -1, &del, NULL);
    }
    if (rc != SQLITE_OK) {
        s = tsq_sqlfail(db, rc, "retention");
        goto done;
    }
    sqlite3_bind_int64(q, 1, cutoff);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        tsq_block_head h;
        int64_t row = sqlite3_column_int64(q, 1);
        uint32_t k = 0;
        if (tsq_block_decode(sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2),
                             db->dec_t, db->dec_v, &h) != TSQ_BLOCK_OK)
            continue;
        for (; k < h.n && db->dec_t[k] < cutoff; k++)
            if ((s = fold_one(f, row, db->dec_t[k], db->dec_v[k], bucket)) != TWIN_OK) goto done;
        sqlite3_bind_int64(del, 1, sqlite3_column_int64(q, 0));
        rc = sqlite3_step(del);
        sqlite3_reset(del);
        if (rc != SQLITE_DONE) {
            s = tsq_sqlfail(db, rc, "retention: cannot delete a block");
            goto done;
        }
        if (k < h.n &&
            (s = tsq_series_encode(db, row, db->dec_t + k, db->dec_v + k, h.n - k)) != TWIN_OK)
            goto done;
    }
    if (rc != SQLITE_DONE) s = tsq_sqlfail(db, rc, "retention: cannot read blocks");
done:
    sqlite3_finalize(q);
    sqlite3_finalize(del);
    return s;
}

static twin_status fold_blocks(twin_sqlite *db, int64_t cutoff, int64_t bucket,
                               twin_sqlite_retention_stats *st)
{
    fold f;
    twin_status s;
    int rc;
    memset(&f, 0, sizeof f);
    f.db = db;
    f.st = st;
    /* the open blocks change under the writer: it reads them again */
    tsq_series_forget_all(db);
    if (!db->dec_t) {
        db->dec_t = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_t);
        db->dec_v = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_v);
        if (!db->dec_t || !db->dec_v) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO rollups(signal, t_us, n, mean, min, max)"
                            " VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                            " ON CONFLICT(signal, t_us) DO UPDATE SET"
                            " mean = (mean * n + excluded.mean * excluded.n) / (n + excluded.n),"
                            " n = n + excluded.n, min = min(min, excluded.min),"
                            " max = max(max, excluded.max)",
                            -1, &f.up, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "retention");
    s = fold_table(&f, "blocks", cutoff, bucket);
    if (s == TWIN_OK) s = fold_flush(&f);
    if (s == TWIN_OK) s = fold_table(&f, "open_blocks", cutoff, bucket);
    if (s == TWIN_OK) s = fold_flush(&f);
    sqlite3_finalize(f.up);
    return s;
}

twin_status twin_sqlite_apply_retention(twin_sqlite *db, const twin_sqlite_retention *r,
                                        int64_t now_us, twin_sqlite_retention_stats *out)
{
    twin_sqlite_retention_stats st;
    twin_sqlite_retention p;
    twin_status s;
    int64_t args[2];
    if (!db) return TWIN_E_INVAL;
    if (!r && !db->has_retention)
        return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "no retention policy");
    if (!r) r = &db->retention;
    if ((s = read_policy(db, r, &p)) != TWIN_OK) return s;
    r = &p;
    if (out && (s = twin__sized_check(out, sizeof *out)) != TWIN_OK)
        return tsq_fail(db, s, SQLITE_OK, "retention stats: %s size",
                        s == TWIN_E_ABI ? "unknown" : "too small a");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "records delivered but not flushed");
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    if ((s = tsq_exec(db, "BEGIN IMMEDIATE")) != TWIN_OK) return s;
    if (now_us == INT64_MIN) {
        sqlite3_stmt *q;
        int rc = sqlite3_prepare_v2(db->db, db->schema >= 3 ? "SELECT max(t) FROM (SELECT max(t_us) AS t FROM samples"
                                    " UNION ALL SELECT max(t1_us) FROM blocks"
                                    " UNION ALL SELECT max(t1_us) FROM open_blocks)"
                                  : "SELECT max(t_us) FROM samples", -1, &q, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            now_us = sqlite3_column_type(q, 0) == SQLITE_NULL ? INT64_MIN
                                                               : sqlite3_column_int64(q, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_OK) {
            s = tsq_sqlfail(db, rc, "retention");
            goto fail;
        }
    }
    if (now_us != INT64_MIN && now_us >= INT64_MIN + r->raw_keep_us) {
        st.cutoff_us = floor_to(now_us - r->raw_keep_us, r->bucket_us);
        args[0] = st.cutoff_us;
        args[1] = r->bucket_us;
        /* The "WHERE true" keeps the parser from reading ON CONFLICT as a join. */
        if ((s = run(db,
                     "INSERT INTO rollups(signal, t_us, n, mean, min, max)"
                     " SELECT signal, t_us - ((t_us % ?2) + ?2) % ?2 AS b, count(*),"
                     " avg(" TSQ_SQL_VALUE("value") "), min(" TSQ_SQL_VALUE("value") "),"
                     " max(" TSQ_SQL_VALUE("value") ") FROM samples WHERE t_us < ?1 AND true"
                     " GROUP BY signal, b"
                     " ON CONFLICT(signal, t_us) DO UPDATE SET"
                     " mean = (mean * n + excluded.mean * excluded.n) / (n + excluded.n),"
                     " n = n + excluded.n, min = min(min, excluded.min),"
                     " max = max(max, excluded.max)",
                     args, 2, &st.rollups_written)) != TWIN_OK)
            goto fail;
        if ((s = run(db, "DELETE FROM samples WHERE t_us < ?1", args, 1, &st.raw_folded)) !=
            TWIN_OK)
            goto fail;
        /* the forwarders' late log rows of those samples with them */
        if (st.raw_folded && (s = tsq_late_forget(db, 0, st.cutoff_us)) != TWIN_OK) goto fail;
        if (db->schema >= 3 && (s = fold_blocks(db, st.cutoff_us, r->bucket_us, &st)) != TWIN_OK)
            goto fail;
        if (r->rollup_keep_us > 0 && now_us >= INT64_MIN + r->rollup_keep_us) {
            args[0] = now_us - r->rollup_keep_us;
            if ((s = run(db, "DELETE FROM rollups WHERE t_us < ?1", args, 1,
                         &st.rollups_deleted)) != TWIN_OK)
                goto fail;
        }
    } else {
        st.cutoff_us = INT64_MIN;
    }
    if ((s = tsq_exec(db, "COMMIT")) != TWIN_OK) goto fail;
    if (out) twin__sized_out(out, &st, sizeof st);
    return TWIN_OK;
fail:
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

twin_status twin_sqlite_checkpoint(twin_sqlite *db, twin_store *st)
{
    twin_status s;
    uint64_t fails;
    int rc;
    if (!db || !st) return TWIN_E_INVAL;
    fails = db->nfail;
    if ((s = twin_store_checkpoint(st)) != TWIN_OK || (s = twin_store_flush(st)) != TWIN_OK) {
        if (db->nfail == fails)  /* not a failure of db's own callbacks */
            tsq_fail(db, s, SQLITE_OK, "store: %s", twin_store_last_error(st)->message);
        return s;
    }
    if (db->has_retention &&
        (s = twin_sqlite_apply_retention(db, NULL, INT64_MIN, NULL)) != TWIN_OK)
        return s;
    rc = sqlite3_wal_checkpoint_v2(db->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) return tsq_sqlfail(db, rc, "WAL checkpoint");
    return TWIN_OK;
}
