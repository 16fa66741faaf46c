/* libtwin-sqlite: compressed series (schema 3). Samples newer than their
 * signal's newest go into the signal's open block (codec.c), kept in memory
 * and written to `open_blocks` at every flush (in the flush's
 * transaction); a full block moves to `blocks`. Older (late) samples go to
 * the `samples` table as raw rows. Reads merge the two. */
#include "codec.h"
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIST 32

struct tsq_series {
    tsq_enc enc;          /* the open block; enc.n == 0: none */
    int has_open_row;     /* open_blocks holds a row of this signal */
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

/* The state of g's series from the database: its open block resumed, or
   the newest closed block's end. A corrupted open block is moved to
   `blocks` as it is (it loses only itself) and a new one starts. */
static twin_status series_load(twin_sqlite *db, tsq_sig *g)
{
    tsq_series *s;
    sqlite3_stmt *q;
    tsq_block_head h;
    int rc;
    if (g->ser) return TWIN_OK;
    if (scratch(db) != 0 || !(s = calloc(1, sizeof *s)))
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    s->last_t = INT64_MIN;
    s->prev_qexp = s->prev_mode = s->prev_dec = -1;
    g->ser = s;
    if (!(q = tsq_stmt(db, ST_OPEN_GET))) return db->err.status;
    sqlite3_bind_int64(q, 1, g->row);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(q, 3);
        int len = sqlite3_column_bytes(q, 3);
        s->has_open_row = 1;
        s->last_t = sqlite3_column_int64(q, 1);
        rc = tsq_enc_resume(&s->enc, b, (size_t)len, db->dec_t, db->dec_v);
        if (rc == TSQ_BLOCK_OK) {
            hist_from_block(s, db->dec_t, db->dec_v, s->enc.n);
            s->prev_qexp = s->enc.qexp, s->prev_mode = s->enc.mode, s->prev_dec = s->enc.dec;
        } else if (rc > 0) {
            sqlite3_reset(q);
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        } else {
            twin_status r = blob_to_blocks(db, g->row, sqlite3_column_int64(q, 0), s->last_t,
                                           sqlite3_column_int64(q, 2), b, len);
            s->enc.n = 0;
            g->ser_changed = 1; /* the open row goes at the flush */
            if (r != TWIN_OK) {
                sqlite3_reset(q);
                return r;
            }
        }
        sqlite3_reset(q);
        return TWIN_OK;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read an open block");
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
    return r;
}

/* Append a run of g's samples, sorted by time: newer ones to the open
   block, late ones to `samples`. */
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
            sqlite3_stmt *q = tsq_stmt(db, ST_SAMPLE);
            if (!q) return db->err.status;
            sqlite3_bind_int64(q, 1, g->row);
            sqlite3_bind_int64(q, 2, r[k].t);
            tsq_bind_value(q, 3, r[k].v); /* -0.0 kept */
            rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot store a sample");
            continue;
        }
        if (s->enc.n) {
            rc = tsq_enc_push(&s->enc, r[k].t, r[k].v);
            if (rc < 0) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            if (rc > 0 && (st = series_close(db, g)) != TWIN_OK) return st;
        }
        if (!s->enc.n && series_start(s, r + k, n - k) != 0)
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        hist_add(s, r[k].t, r[k].v);
        s->last_t = r[k].t;
    }
    return TWIN_OK;
}

/* At the flush: g's open block into `open_blocks`. */
twin_status tsq_series_flush(twin_sqlite *db, tsq_sig *g)
{
    tsq_series *s = g->ser;
    sqlite3_stmt *q;
    int rc;
    if (!s || !g->ser_changed) return TWIN_OK;
    if (s->enc.n) {
        size_t len;
        const unsigned char *b = tsq_enc_bytes(&s->enc, &len);
        if (!(q = tsq_stmt(db, ST_OPEN_PUT))) return db->err.status;
        sqlite3_bind_int64(q, 1, g->row);
        sqlite3_bind_int64(q, 2, s->enc.t0);
        sqlite3_bind_int64(q, 3, s->enc.tlast);
        sqlite3_bind_int64(q, 4, s->enc.n);
        sqlite3_bind_blob(q, 5, b, (int)len, SQLITE_STATIC);
    } else if (s->has_open_row) {
        if (!(q = tsq_stmt(db, ST_OPEN_DEL))) return db->err.status;
        sqlite3_bind_int64(q, 1, g->row);
    } else {
        return TWIN_OK;
    }
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot store an open block");
    return TWIN_OK;
}

/* After the commit. */
void tsq_series_committed(tsq_sig *g)
{
    if (g->ser) g->ser->has_open_row = g->ser->enc.n > 0;
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
