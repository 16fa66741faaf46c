/* libtwin-sqlite: compressed series (schema 3, the log of schema 5).
 * Samples newer than their signal's newest go into the signal's open block
 * (codec.c), kept in memory. Every flush appends the samples it added to
 * the open block to `open_blocks` as one chunk (a codec block of its own,
 * with the open block's parameters), in the flush's transaction: the work
 * of a flush is that of its own samples, not of the whole block. When the
 * block fills, it moves to `blocks` whole and its chunks are deleted, in
 * the same transaction. Older (late) samples go to the `samples` table as
 * raw rows, or (their span folded already) into the tiers (tiers.c); a raw
 * one is also logged for the forwarders when one has registered
 * (latelog.c). Reads merge the three. */
#include "codec.h"
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIST 32

struct tsq_series {
    tsq_enc enc;          /* the open block; enc.n == 0: none */
    int log_rows;         /* open_blocks holds chunks of this signal (in the
                             database or this transaction) */
    uint32_t logged;      /* samples of the open block in those chunks */
    uint32_t nchunks;     /* how many chunks */
    int64_t *pt;          /* samples of the open block not yet logged */
    double *pv;
    size_t np, capp;
    int64_t last_t;       /* newest time in blocks; INT64_MIN: none */
    int prev_qexp, prev_mode, prev_dec;
    int64_t ht[HIST];     /* the newest samples, a ring: the oldest at */
    double hv[HIST];      /* hpos once it is full */
    int nh, hpos;
};

void tsq_series_free(tsq_series *s)
{
    if (!s) return;
    tsq_enc_fini(&s->enc);
    free(s->pt);
    free(s->pv);
    free(s);
}

void tsq_series_forget_all(twin_sqlite *db)
{
    size_t k;
    for (k = 0; k < db->capsigs; k++) {
        tsq_series_free(db->sigs[k].ser);
        db->sigs[k].ser = NULL;
        db->sigs[k].ser_changed = 0;
    }
}

/* A sample of the open block to log at the flush; -1: no memory. */
static int pend_add(tsq_series *s, int64_t t, double v)
{
    if (s->np == s->capp) {
        size_t cap = s->capp ? 2 * s->capp : 64;
        int64_t *nt = realloc(s->pt, cap * sizeof *nt);
        double *nv;
        if (nt) s->pt = nt;
        nv = realloc(s->pv, cap * sizeof *nv);
        if (nv) s->pv = nv;
        if (!nt || !nv) return -1;
        s->capp = cap;
    }
    s->pt[s->np] = t;
    s->pv[s->np++] = v;
    return 0;
}

static void hist_add(tsq_series *s, int64_t t, double v)
{
    s->ht[s->hpos] = t;
    s->hv[s->hpos] = v;
    s->hpos = (s->hpos + 1) % HIST;
    if (s->nh < HIST) s->nh++;
}

/* Decode scratch of a block's size. */
static int scratch(twin_sqlite *db)
{
    if (db->dec_t) return 0;
    db->dec_t = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_t);
    db->dec_v = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_v);
    return db->dec_t && db->dec_v ? 0 : -1;
}

static void hist_from_block(tsq_series *s, const int64_t *t, const double *v, uint32_t n)
{
    uint32_t i = n > HIST ? n - HIST : 0;
    for (; i < n; i++) hist_add(s, t[i], v[i]);
}

static twin_status blob_to_blocks(twin_sqlite *db, int64_t row, int64_t t0, int64_t t1, int64_t n,
                                  const void *b, int len)
{
    sqlite3_stmt *s = tsq_stmt(db, ST_BLK_INS);
    int rc;
    if (!s) return db->err.status;
    sqlite3_bind_int64(s, 1, row);
    sqlite3_bind_int64(s, 2, t0);
    sqlite3_bind_int64(s, 3, t1);
    sqlite3_bind_int64(s, 4, n);
    sqlite3_bind_blob(s, 5, b, len, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot store a block");
    db->blocks_closed++; /* the fold budget of this flush grows by it */
    return TWIN_OK;
}

static twin_status log_delete(twin_sqlite *db, tsq_sig *g)
{
    sqlite3_stmt *q = tsq_stmt(db, ST_OPEN_DEL);
    int rc;
    if (!q) return db->err.status;
    sqlite3_bind_int64(q, 1, g->row);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot delete an open block's log");
    g->ser->log_rows = 0;
    g->ser->logged = 0;
    g->ser->nchunks = 0;
    return TWIN_OK;
}

/* Resume the open block from its log's chunks, in order: the first one's
   parameters, then every sample pushed again (the encoder then holds the
   very bytes it held). 0; 1: a chunk does not decode or does not follow
   on; -1: no memory. *t1 receives the newest chunk end. */
static int log_resume(twin_sqlite *db, tsq_sig *g, sqlite3_stmt *q, int64_t *t1)
{
    tsq_series *s = g->ser;
    int rc, bad = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        tsq_block_head h;
        uint32_t i = 0;
        int64_t e = sqlite3_column_int64(q, 1);
        s->log_rows = 1;
        s->nchunks++;
        if (e > *t1) *t1 = e;
        if (bad) continue;
        if (tsq_block_decode(sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3),
                             db->dec_t, db->dec_v, &h) != TSQ_BLOCK_OK ||
            sqlite3_column_int64(q, 4) != (int64_t)s->enc.n) {
            bad = 1;
            continue;
        }
        if (!s->enc.n) {
            if (tsq_enc_start(&s->enc, h.qexp, h.mode, h.dec, db->dec_t[0], db->dec_v[0]) != 0)
                return -1;
            hist_add(s, db->dec_t[0], db->dec_v[0]);
            i = 1;
        }
        for (; i < h.n && !bad; i++) {
            int r = db->dec_t[i] > s->enc.tlast ? tsq_enc_push(&s->enc, db->dec_t[i], db->dec_v[i])
                                                : 1;
            if (r < 0) return -1;
            if (r > 0) bad = 1;
            else hist_add(s, db->dec_t[i], db->dec_v[i]);
        }
    }
    if (rc != SQLITE_DONE) return -2;
    return bad;
}

/* The state of g's series from the database: its open block resumed from
   its log, or the newest closed block's end. When a chunk of the log is
   corrupted, every chunk moves to `blocks` as it is (a chunk is a block:
   the corrupted one loses only itself) and a new open block starts. */
static twin_status series_load(twin_sqlite *db, tsq_sig *g)
{
    tsq_series *s;
    sqlite3_stmt *q;
    tsq_block_head h;
    int rc;
    int64_t t1 = INT64_MIN;
    if (g->ser) return TWIN_OK;
    if (scratch(db) != 0 || !(s = calloc(1, sizeof *s)))
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    s->last_t = INT64_MIN;
    s->prev_qexp = s->prev_mode = s->prev_dec = -1;
    g->ser = s;
    if (!(q = tsq_stmt(db, ST_OPEN_GET))) return db->err.status;
    sqlite3_bind_int64(q, 1, g->row);
    rc = log_resume(db, g, q, &t1);
    sqlite3_reset(q);
    if (rc == -1) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    if (rc == -2) return tsq_sqlfail(db, sqlite3_errcode(db->db), "cannot read an open block");
    if (rc == 1) {
        twin_status r = TWIN_OK;
        tsq_enc_fini(&s->enc);
        memset(&s->enc, 0, sizeof s->enc);
        s->nh = s->hpos = 0;
        if (!(q = tsq_stmt(db, ST_OPEN_GET))) return db->err.status;
        sqlite3_bind_int64(q, 1, g->row);
        while (r == TWIN_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
            r = blob_to_blocks(db, g->row, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                               sqlite3_column_int64(q, 2), sqlite3_column_blob(q, 3),
                               sqlite3_column_bytes(q, 3));
        sqlite3_reset(q);
        if (r != TWIN_OK) return r;
        if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read an open block");
        if ((r = log_delete(db, g)) != TWIN_OK) return r;
        s->last_t = t1;
        return TWIN_OK;
    }
    if (s->log_rows) {
        s->logged = s->enc.n;
        s->last_t = s->enc.n ? s->enc.tlast : t1;
        s->prev_qexp = s->enc.qexp, s->prev_mode = s->enc.mode, s->prev_dec = s->enc.dec;
        return TWIN_OK;
    }
    if (!(q = tsq_stmt(db, ST_BLK_LAST))) return db->err.status;
    sqlite3_bind_int64(q, 1, g->row);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        s->last_t = sqlite3_column_int64(q, 0);
        if (tsq_block_decode(sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1),
                             db->dec_t, db->dec_v, &h) == TSQ_BLOCK_OK) {
            hist_from_block(s, db->dec_t, db->dec_v, h.n);
            s->prev_qexp = h.qexp, s->prev_mode = h.mode, s->prev_dec = h.dec;
        }
        rc = SQLITE_DONE;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read a block");
    return TWIN_OK;
}

/* Start the open block at samples t[0], v[0] (the rest of the run follows). */
static int series_start(tsq_series *s, const struct tsq_row *r, size_t n)
{
    int64_t t[2 * HIST];
    double v[2 * HIST];
    size_t c = 0, k;
    int q, m, d;
    for (k = 0; k < (size_t)s->nh; k++, c++) {
        size_t j = s->nh < HIST ? k : (s->hpos + k) % HIST;
        t[c] = s->ht[j], v[c] = s->hv[j];
    }
    for (k = 0; k < n && k < HIST; k++, c++) t[c] = r[k].t, v[c] = r[k].v;
    tsq_enc_choose(t, v, c, s->prev_qexp, s->prev_mode, s->prev_dec, &q, &m, &d);
    /* the history may span a gap of another quantum: judge the new run */
    if (n >= 2) {
        int q2, m2, d2;
        tsq_enc_choose(t + s->nh, v + s->nh, c - (size_t)s->nh, -1, -1, -1, &q2, &m2, &d2);
        if (q2 < q) q = q2;
    }
    return tsq_enc_start(&s->enc, q, m, d, r[0].t, r[0].v);
}

static twin_status series_close(twin_sqlite *db, tsq_sig *g)
{
    tsq_series *s = g->ser;
    size_t len;
    const unsigned char *b = tsq_enc_bytes(&s->enc, &len);
    twin_status r = blob_to_blocks(db, g->row, s->enc.t0, s->enc.tlast, s->enc.n, b, (int)len);
    s->prev_qexp = s->enc.qexp, s->prev_mode = s->enc.mode, s->prev_dec = s->enc.dec;
    s->enc.n = 0;
    s->np = 0;
    /* its chunks go with it */
    if (r == TWIN_OK && s->log_rows) r = log_delete(db, g);
    s->logged = 0;
    return r;
}

static twin_status held_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    (void)t;
    (void)v;
    *(int *)ud |= n > 0;
    return TWIN_OK;
}

/* Whether g's series holds a sample at t already: in its raw rows, blocks,
   the open block's logged chunks, or its samples not logged yet. */
static twin_status series_holds(twin_sqlite *db, tsq_sig *g, int64_t t, int *held)
{
    tsq_series *s = g->ser;
    twin_status st;
    *held = 0;
    for (size_t k = 0; k < s->np; k++)
        if (s->pt[k] == t) return *held = 1, TWIN_OK;
    st = tsq_read_row(db, g->row, "", "", t, t == INT64_MAX ? t : t + 1, held_fn, held);
    /* a block that does not decode holds nothing readable: the sample is
       kept (the read's message about the block stays recorded) */
    return st == TWIN_E_NOMEM || st == TWIN_E_IO || st == TWIN_E_BUSY ? st : TWIN_OK;
}

/* Append a run of g's samples, sorted by time: newer ones to the open
   block, late ones to `samples`. A late sample at a time the series holds
   already (sent again after a restart, when ingest's history no longer
   had it) is dropped: the value stored first stays, as ingest keeps the
   first of two samples at one time (its conflict rule), and the series
   stays a function of time (db->dup_dropped counts them). */
twin_status tsq_series_append(twin_sqlite *db, tsq_sig *g, const struct tsq_row *r, size_t n)
{
    tsq_series *s;
    twin_status st;
    size_t k;
    int rc;
    if ((st = series_load(db, g)) != TWIN_OK) return st;
    s = g->ser;
    g->ser_changed = 1;
    for (k = 0; k < n; k++) {
        if (r[k].t <= s->last_t) {
            sqlite3_stmt *q;
            int folded = 0;
            /* its span folded already: into the tiers' buckets now */
            int held;
            if ((st = series_holds(db, g, r[k].t, &held)) != TWIN_OK) return st;
            if (held) {
                db->dup_dropped++;
                continue;
            }
            if ((st = tsq_tier_late(db, g->row, r[k].t, r[k].v, &folded)) != TWIN_OK) return st;
            if (folded) continue;
            if (!(q = tsq_stmt(db, ST_SAMPLE))) return db->err.status;
            sqlite3_bind_int64(q, 1, g->row);
            sqlite3_bind_int64(q, 2, r[k].t);
            tsq_bind_value(q, 3, r[k].v); /* -0.0 kept */
            rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot store a sample");
            /* for a forwarder whose cursor may have passed its time */
            if ((st = tsq_late_log(db, g->row, r[k].t)) != TWIN_OK) return st;
            continue;
        }
        if (s->enc.n) {
            rc = tsq_enc_push(&s->enc, r[k].t, r[k].v);
            if (rc < 0) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            if (rc > 0 && (st = series_close(db, g)) != TWIN_OK) return st;
        }
        if (!s->enc.n && series_start(s, r + k, n - k) != 0)
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        if (pend_add(s, r[k].t, r[k].v) != 0)
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        hist_add(s, r[k].t, r[k].v);
        s->last_t = r[k].t;
    }
    return TWIN_OK;
}

/* One chunk of the log: samples pt[0..n) of the open block, encoded with
   its parameters; *done receives how many fit. */
static twin_status log_chunk(twin_sqlite *db, tsq_sig *g, size_t at, size_t *done)
{
    tsq_series *s = g->ser;
    tsq_enc e;
    sqlite3_stmt *q;
    size_t k, len;
    const unsigned char *b;
    int rc = 0;
    twin_status st;
    memset(&e, 0, sizeof e);
    if (tsq_enc_start(&e, s->enc.qexp, s->enc.mode, s->enc.dec, s->pt[at], s->pv[at]) != 0)
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    e.span = INT64_MAX; /* the open block keeps to its span */
    for (k = at + 1; k < s->np && (rc = tsq_enc_push(&e, s->pt[k], s->pv[k])) == 0; k++) continue;
    if (rc < 0) {
        tsq_enc_fini(&e);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    b = tsq_enc_bytes(&e, &len);
    st = TWIN_OK;
    if (!(q = tsq_stmt(db, ST_OPEN_PUT))) {
        st = db->err.status;
    } else {
        sqlite3_bind_int64(q, 1, g->row);
        sqlite3_bind_int64(q, 2, (int64_t)s->logged);
        sqlite3_bind_int64(q, 3, e.t0);
        sqlite3_bind_int64(q, 4, e.tlast);
        sqlite3_bind_int64(q, 5, e.n);
        sqlite3_bind_blob(q, 6, b, (int)len, SQLITE_STATIC);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) st = tsq_sqlfail(db, rc, "cannot log an open block");
    }
    if (st == TWIN_OK) {
        s->logged += e.n;
        s->log_rows = 1;
        s->nchunks++;
        *done = e.n;
    }
    tsq_enc_fini(&e);
    return st;
}

/* The log of g's open block replaced by one chunk: the whole block. */
static twin_status log_compact(twin_sqlite *db, tsq_sig *g)
{
    tsq_series *s = g->ser;
    sqlite3_stmt *q;
    size_t len;
    const unsigned char *b;
    twin_status st;
    int rc;
    if ((st = log_delete(db, g)) != TWIN_OK) return st;
    b = tsq_enc_bytes(&s->enc, &len);
    if (!(q = tsq_stmt(db, ST_OPEN_PUT))) return db->err.status;
    sqlite3_bind_int64(q, 1, g->row);
    sqlite3_bind_int64(q, 2, 0);
    sqlite3_bind_int64(q, 3, s->enc.t0);
    sqlite3_bind_int64(q, 4, s->enc.tlast);
    sqlite3_bind_int64(q, 5, s->enc.n);
    sqlite3_bind_blob(q, 6, b, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot log an open block");
    s->logged = s->enc.n;
    s->log_rows = 1;
    s->nchunks = 1;
    s->np = 0;
    return TWIN_OK;
}

/* At the flush: the samples g's open block gained, appended to its log;
   every TSQ_LOG_CHUNKS chunks, the log is written again as one chunk (the
   block as it stands), so that chunks' headers do not pile up. A block
   filled over f flushes costs about (1 + f / (2 * TSQ_LOG_CHUNKS)) times
   its bytes in writes, where rewriting it whole at every flush cost f / 2
   times. */
#define TSQ_LOG_CHUNKS 16
twin_status tsq_series_flush(twin_sqlite *db, tsq_sig *g)
{
    tsq_series *s = g->ser;
    size_t at = 0, done = 0;
    twin_status st;
    if (!s || !g->ser_changed) return TWIN_OK;
    if (s->np && s->enc.n && s->nchunks >= TSQ_LOG_CHUNKS) return log_compact(db, g);
    while (at < s->np) {
        if ((st = log_chunk(db, g, at, &done)) != TWIN_OK) return st;
        at += done;
    }
    s->np = 0;
    return TWIN_OK;
}

/* After the commit. */
void tsq_series_committed(tsq_sig *g)
{
    g->ser_changed = 0;
}

/* Encode a sorted run of one signal's samples as closed blocks (migration,
   retention). */
twin_status tsq_series_encode(twin_sqlite *db, int64_t row, const int64_t *t, const double *v,
                              size_t n)
{
    tsq_enc e;
    size_t k = 0;
    twin_status st = TWIN_OK;
    memset(&e, 0, sizeof e);
    while (k < n && st == TWIN_OK) {
        int q, m, d, rc = 0;
        size_t c = n - k < HIST ? n - k : HIST, len;
        const unsigned char *b;
        tsq_enc_choose(t + k, v + k, c, -1, -1, -1, &q, &m, &d);
        if (tsq_enc_start(&e, q, m, d, t[k], v[k]) != 0) {
            st = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            break;
        }
        for (k++; k < n && (rc = tsq_enc_push(&e, t[k], v[k])) == 0; k++) continue;
        if (rc < 0) {
            st = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            break;
        }
        b = tsq_enc_bytes(&e, &len);
        st = blob_to_blocks(db, row, e.t0, e.tlast, e.n, b, (int)len);
    }
    tsq_enc_fini(&e);
    return st;
}
