/* Late samples for the forwarders. The store logs each late sample it
   keeps raw in `late_log(seq, signal, t_us)` (schema 7, when an upstream
   is registered in `upstreams`); each upstream keeps its place in the log
   (`upstreams.late_seq`) beside its cursors. A fill reads the log rows
   past that place: a sample at or before its signal's cursor (which the
   cursors' reads will never return) is sent again from `samples`; a newer
   one comes with its signal's samples anyway, and a row whose sample is no
   longer raw (folded, retention) is passed over, as the cursors pass over
   what retention deleted. The place moves in the transaction that moves
   the cursors.

   Order: a fill reads the log before it reads past the cursors. A sample
   logged before the log was read is in `samples` when the cursors' reads
   come, so one newer than its cursor is read there; one logged after is
   past the place the commit stores, read by the next fill. Every late
   sample is sent at least once; a repeat (e.g. a sample logged while the
   cursors' read returned it) is idempotent upstream. */
#include "late.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

twin_status twin__spool_late_open(twin_spool *sp)
{
    sqlite3_stmt *q = NULL;
    int rc;
    rc = sqlite3_prepare_v2(sp->conn,
                            "SELECT late_seq FROM upstreams WHERE cursors = ?1 AND upstream = ?2",
                            -1, &q, NULL);
    if (rc != SQLITE_OK) return twin__spool_sql_fail(sp, "registering the upstream");
    sqlite3_bind_text(q, 1, sp->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, sp->upstream, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) sp->late_seq = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW) return TWIN_OK;
    if (rc != SQLITE_DONE) return twin__spool_sql_fail(sp, "registering the upstream");
    /* From the log's start: rows other upstreams keep, at or before a
       cursor this upstream has already, are sent; newer ones are passed
       over. An upstream with cursors from before schema 7 (or from before
       it was registered) may have passed late samples that were never
       logged for it: every raw late sample at or before its cursors (the
       rows of `samples`) is logged as it registers, in one transaction with
       the registration; those it had sent go again (idempotent upstream). */
    if (sqlite3_exec(sp->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return twin__spool_sql_fail(sp, "registering the upstream");
    rc = sqlite3_prepare_v2(sp->conn,
                            "INSERT OR IGNORE INTO upstreams(cursors, upstream, late_seq)"
                            " VALUES(?1, ?2, 0)",
                            -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, sp->table, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, sp->upstream, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc == SQLITE_DONE && sqlite3_changes(sp->conn) == 1) {
        char *sql = sqlite3_mprintf(
            "INSERT INTO late_log(signal, t_us) SELECT s.signal, s.t_us FROM samples s"
            " JOIN signals g ON g.id = s.signal JOIN \"%w\" c ON c.upstream = ?1"
            " AND c.twin = g.twin AND c.signal = g.name WHERE s.t_us <= c.t_us"
            " ORDER BY s.signal, s.t_us",
            sp->table);
        rc = sql ? sqlite3_prepare_v2(sp->conn, sql, -1, &q, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, sp->upstream, -1, SQLITE_STATIC);
            rc = sqlite3_step(q);
        }
        sqlite3_finalize(q);
    }
    if (rc != SQLITE_DONE ||
        sqlite3_exec(sp->conn, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        twin_status s = twin__spool_sql_fail(sp, "registering the upstream");
        sqlite3_exec(sp->conn, "ROLLBACK", NULL, NULL, NULL);
        return s;
    }
    sp->late_seq = 0;
    return TWIN_OK;
}

/* A value as libtwin-sqlite writes it: -0.0 as its 8 bytes (a blob,
   little-endian), every other value a number. */
static double column_value(sqlite3_stmt *q, int col)
{
    if (sqlite3_column_type(q, col) == SQLITE_BLOB) {
        const unsigned char *b = sqlite3_column_blob(q, col);
        uint64_t u = 0;
        double v;
        if (!b || sqlite3_column_bytes(q, col) != 8) return 0.0;
        for (int k = 7; k >= 0; k--) u = u << 8 | b[k];
        memcpy(&v, &u, 8);
        return v;
    }
    return sqlite3_column_double(q, col);
}

/* The signal of id, by bisection (the signals are in id order). */
static int find_sig(const twin_spool *sp, int64_t id, size_t *at)
{
    size_t lo = 0, hi = sp->nsig;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->sigs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < sp->nsig && sp->sigs[lo].id == id) {
        *at = lo;
        return 1;
    }
    return 0;
}

static int by_sig_time(const void *a, const void *b)
{
    const struct twin_spool_late *x = a, *y = b;
    if (x->sig != y->sig) return x->sig < y->sig ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

/* Which rows are sent: their signal known (the signals read again once
   when one is not: created since they were read) and their time at or
   before its cursor. */
static twin_status classify(twin_spool *sp, size_t n, size_t *kept)
{
    struct twin_spool_late *r = sp->late;
    size_t i, k = 0;
    int reloaded = 0;
    twin_status s;
    for (i = 0; i < n; i++) {
        size_t at;
        if (!r[i].keep) continue;
        if (!find_sig(sp, r[i].id, &at) && !reloaded) {
            if ((s = twin__spool_load_sigs(sp)) != TWIN_OK) return s;
            reloaded = 1;
        }
        if (!find_sig(sp, r[i].id, &at)) continue; /* its twin deleted */
        if (sp->sigs[at].cursor == INT64_MIN || r[i].t > sp->sigs[at].cursor) continue;
        r[i].sig = at;
        r[k++] = r[i];
    }
    *kept = k;
    return TWIN_OK;
}

twin_status twin__spool_late_fill(twin_spool *sp, size_t max, size_t *taken)
{
    sqlite3_stmt *q = NULL;
    struct twin_spool_late *r;
    int64_t *t = NULL;
    double *v = NULL;
    size_t n = 0, kept, i, j;
    twin_status s = TWIN_OK;
    int rc;
    *taken = 0;
    rc = sqlite3_prepare_v2(sp->conn,
                            "SELECT l.seq, l.signal, l.t_us, x.value FROM late_log l"
                            " LEFT JOIN samples x ON x.signal = l.signal AND x.t_us = l.t_us"
                            " WHERE l.seq > ?1 ORDER BY l.seq LIMIT ?2",
                            -1, &q, NULL);
    if (rc != SQLITE_OK) return twin__spool_sql_fail(sp, "reading the late log");
    sqlite3_bind_int64(q, 1, sp->late_seq);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (twin__spool_grow((void **)&sp->late, &sp->late_cap, n + 1, sizeof *sp->late) != 0) {
            sqlite3_finalize(q);
            return TWIN_E_NOMEM;
        }
        r = &sp->late[n++];
        r->seq = sqlite3_column_int64(q, 0);
        r->id = sqlite3_column_int64(q, 1);
        r->t = sqlite3_column_int64(q, 2);
        r->keep = sqlite3_column_type(q, 3) != SQLITE_NULL; /* still raw */
        r->v = r->keep ? column_value(q, 3) : 0.0;
        r->sig = 0;
    }
    if (rc != SQLITE_DONE) {
        s = twin__spool_sql_fail(sp, "reading the late log");
        sqlite3_finalize(q);
        return s;
    }
    sqlite3_finalize(q);
    if (n == 0) return TWIN_OK;
    sp->late_mark = sp->late[n - 1].seq;
    sp->late_moved = 1;
    if ((s = classify(sp, n, &kept)) != TWIN_OK) return s;
    if (kept == 0) return TWIN_OK;
    qsort(sp->late, kept, sizeof *sp->late, by_sig_time);
    t = malloc(kept * sizeof *t);
    v = malloc(kept * sizeof *v);
    if (!t || !v) {
        s = TWIN_E_NOMEM;
        goto done;
    }
    /* a signal's samples at a time, in time order */
    for (i = 0; i < kept; i = j) {
        size_t c = 0;
        int fr;
        for (j = i; j < kept && sp->late[j].sig == sp->late[i].sig; j++, c++) {
            t[c] = sp->late[j].t;
            v[c] = sp->late[j].v;
        }
        fr = sp->fn(sp->ud, sp->late[i].sig, t, v, c);
        if (fr != TWIN_OK && fr != TWIN_SPOOL_FULL) {
            sp->fn_status = fr;
            s = (twin_status)fr;
            goto done;
        }
        *taken += c;
        if (fr == TWIN_SPOOL_FULL && j < kept) {
            /* the batch is full: the place stops before the first row left
               (rows after it already taken are sent again, idempotent) */
            int64_t first = INT64_MAX;
            for (; j < kept; j++)
                if (sp->late[j].seq < first) first = sp->late[j].seq;
            sp->late_mark = first - 1;
            break;
        }
    }
done:
    free(t);
    free(v);
    return s;
}

int twin__spool_late_commit(twin_spool *sp)
{
    sqlite3_stmt *q = NULL;
    int rc;
    if (!sp->late_moved) return SQLITE_OK;
    rc = sqlite3_prepare_v2(sp->conn,
                            "UPDATE upstreams SET late_seq = ?3 WHERE cursors = ?1 AND upstream = ?2",
                            -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(q, 1, sp->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, sp->upstream, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, sp->late_mark);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return rc;
    return sqlite3_exec(sp->conn,
                        "DELETE FROM late_log WHERE seq <= (SELECT min(late_seq) FROM upstreams)",
                        NULL, NULL, NULL);
}

twin_status twin__spool_late_backlog(twin_spool *sp, uint64_t *samples)
{
    sqlite3_stmt *q = NULL;
    char *sql;
    int rc;
    sql = sqlite3_mprintf("SELECT count(*) FROM late_log l JOIN signals s ON s.id = l.signal"
                          " JOIN \"%w\" k ON k.upstream = ?1 AND k.twin = s.twin"
                          " AND k.signal = s.name"
                          " JOIN samples x ON x.signal = l.signal AND x.t_us = l.t_us"
                          " WHERE l.seq > ?2 AND l.t_us <= k.t_us",
                          sp->table);
    if (!sql) {
        snprintf(sp->msg, sizeof sp->msg, "out of memory");
        return TWIN_E_NOMEM;
    }
    rc = sqlite3_prepare_v2(sp->conn, sql, -1, &q, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return twin__spool_sql_fail(sp, "counting the late log");
    sqlite3_bind_text(q, 1, sp->upstream, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, sp->late_seq);
    if (sqlite3_step(q) != SQLITE_ROW) {
        twin_status s = twin__spool_sql_fail(sp, "counting the late log");
        sqlite3_finalize(q);
        return s;
    }
    *samples = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return TWIN_OK;
}
