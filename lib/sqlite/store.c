/* libtwin-sqlite: the storage callbacks. Everything delivered between two
 * flushes is one transaction, committed by the flush callback; any failure
 * rolls it back (the outbox then delivers it all again). */
#include "sqlite_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- signals by handle (open addressing, linear probing) ---------------- */

static size_t slot_of(twin_signal h, size_t cap)
{
    uint64_t z = h * 0x9e3779b97f4a7c15ull;
    return (size_t)(z >> 17) & (cap - 1);
}

tsq_sig *tsq_sig_find(twin_sqlite *db, twin_signal h)
{
    size_t k;
    if (!db->capsigs) return NULL;
    for (k = slot_of(h, db->capsigs);; k = (k + 1) & (db->capsigs - 1)) {
        if (db->sigs[k].handle == h) return &db->sigs[k];
        if (!db->sigs[k].handle) return NULL;
    }
}

static int grow(twin_sqlite *db)
{
    size_t cap = db->capsigs ? db->capsigs * 2 : 64, k;
    tsq_sig *n = calloc(cap, sizeof *n), *old = db->sigs;
    if (!n) return -1;
    for (k = 0; k < db->capsigs; k++) {
        size_t j;
        if (!old[k].handle) continue;
        for (j = slot_of(old[k].handle, cap); n[j].handle; j = (j + 1) & (cap - 1)) continue;
        n[j] = old[k];
    }
    free(old);
    db->sigs = n;
    db->capsigs = cap;
    return 0;
}

tsq_sig *tsq_sig_put(twin_sqlite *db, twin_signal h)
{
    tsq_sig *g = tsq_sig_find(db, h);
    size_t k;
    if (g) return g;
    if ((db->nsigs + 1) * 4 > db->capsigs * 3 && grow(db) != 0) return NULL;
    for (k = slot_of(h, db->capsigs); db->sigs[k].handle; k = (k + 1) & (db->capsigs - 1))
        continue;
    g = &db->sigs[k];
    memset(g, 0, sizeof *g);
    g->handle = h;
    g->latest_t = INT64_MIN;
    db->nsigs++;
    return g;
}

void tsq_sig_drop(twin_sqlite *db, twin_signal h)
{
    /* Keep the slot (probing) but make it unknown: looked up again. */
    tsq_sig *g = tsq_sig_find(db, h);
    if (g) {
        g->row = 0, g->touched = 0, g->fresh = 0;
        tsq_series_free(g->ser);
        g->ser = NULL;
        g->ser_changed = 0;
    }
}

void tsq_sig_clear(twin_sqlite *db)
{
    size_t k;
    for (k = 0; k < db->capsigs; k++) tsq_series_free(db->sigs[k].ser);
    free(db->sigs);
    db->sigs = NULL;
    db->nsigs = db->capsigs = 0;
    db->ndirty = 0;
    db->nfoldq = 0;
}

int tsq_sig_dirty(twin_sqlite *db, tsq_sig *g)
{
    if (g->dirty) return 0;
    if (db->ndirty == db->capdirty) {
        size_t cap = db->capdirty ? db->capdirty * 2 : 64;
        twin_signal *n = realloc(db->dirty, cap * sizeof *n);
        if (!n) return -1;
        db->dirty = n;
        db->capdirty = cap;
    }
    db->dirty[db->ndirty++] = g->handle;
    g->dirty = 1;
    return 0;
}

static twin_status nomem(twin_sqlite *db)
{
    tsq_rollback(db);
    return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
}

/* ---- callbacks ----------------------------------------------------------- */

static twin_status failed(twin_sqlite *db, int rc, const char *what)
{
    tsq_sqlfail(db, rc, what);
    tsq_rollback(db);
    return db->err.status;
}

static twin_status step_done(twin_sqlite *db, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return failed(db, rc, what);
    return TWIN_OK;
}

/* The row of signal (twin, name), inserted when missing. */
static twin_status signal_row(twin_sqlite *db, tsq_sig *g, const char *twin, const char *name,
                              const char *unit)
{
    sqlite3_stmt *s;
    twin_status r;
    int rc;
    if (unit) {
        if (!(s = tsq_stmt(db, ST_SIG_INS))) return failed(db, SQLITE_ERROR, "signal");
        sqlite3_bind_text(s, 1, twin, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, unit, -1, SQLITE_STATIC);
        if ((r = step_done(db, s, "cannot store a signal")) != TWIN_OK) return r;
        sqlite3_reset(s);
    }
    if (!(s = tsq_stmt(db, ST_SIG_GET))) return failed(db, SQLITE_ERROR, "signal");
    sqlite3_bind_text(s, 1, twin, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        tsq_rollback(db);
        return tsq_fail(db, TWIN_E_NOTFOUND, SQLITE_OK, "signal '%s' of '%s' is not in the store",
                        name, twin);
    }
    if (rc != SQLITE_ROW) return failed(db, rc, "cannot read a signal");
    g->row = sqlite3_column_int64(s, 0);
    g->latest_t = sqlite3_column_type(s, 1) == SQLITE_NULL ? INT64_MIN
                                                           : sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return TWIN_OK;
}

/* The row of a handle: known, or looked up through the ingest handle. */
static twin_status handle_row(twin_sqlite *db, twin_signal h, tsq_sig **out)
{
    tsq_sig *g = tsq_sig_put(db, h);
    const char *twin, *name;
    twin_status r;
    if (!g) return nomem(db);
    *out = g;
    if (g->row) return TWIN_OK;
    if (!db->ing || twin_ingest_signal_info(db->ing, h, &twin, &name, NULL) != TWIN_OK) {
        tsq_rollback(db);
        return tsq_fail(db, TWIN_E_NOTFOUND, SQLITE_OK,
                        "samples of signal %llu, which the store does not know",
                        (unsigned long long)h);
    }
    if ((r = signal_row(db, g, twin, name, NULL)) != TWIN_OK) return r;
    return TWIN_OK;
}

static int row_cmp(const void *a, const void *b)
{
    const struct tsq_row *x = a, *y = b;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

/* Sort db->rows[0..n) by (row, time): a stable radix sort on the row (a
   byte at a time, as many bytes as the largest row needs), then each run
   of a row sorted by time unless it is already (samples mostly arrive in
   time order). -1: no memory. */
static int sort_rows(twin_sqlite *db, size_t n)
{
    struct tsq_row *a = db->rows, *b;
    uint64_t maxrow = 0;
    size_t k, i, cnt[256];
    int shift;
    for (k = 1; k < n && row_cmp(&a[k - 1], &a[k]) <= 0; k++) continue;
    if (k >= n) return 0;
    if (n > db->captmp) {
        struct tsq_row *t = realloc(db->tmprows, n * sizeof *t);
        if (!t) return -1;
        db->tmprows = t;
        db->captmp = n;
    }
    b = db->tmprows;
    for (k = 0; k < n; k++)
        if ((uint64_t)a[k].row > maxrow) maxrow = (uint64_t)a[k].row;
    for (shift = 0; shift < 64 && (maxrow >> shift); shift += 8) {
        struct tsq_row *t;
        memset(cnt, 0, sizeof cnt);
        for (k = 0; k < n; k++) cnt[((uint64_t)a[k].row >> shift) & 255]++;
        for (i = 0, k = 0; i < 256; i++) {
            size_t c = cnt[i];
            cnt[i] = k;
            k += c;
        }
        for (k = 0; k < n; k++) b[cnt[((uint64_t)a[k].row >> shift) & 255]++] = a[k];
        t = a, a = b, b = t;
    }
    if (a != db->rows) memcpy(db->rows, a, n * sizeof *a);
    a = db->rows;
    for (k = 0; k < n;) {
        size_t e = k + 1;
        int sorted = 1;
        for (; e < n && a[e].row == a[k].row; e++)
            if (a[e].t < a[e - 1].t) sorted = 0;
        if (!sorted) qsort(a + k, e - k, sizeof *a, row_cmp);
        k = e;
    }
    return 0;
}

/* Samples go in in key order (signal row, time): a batch of many signals
   then touches each page of the samples table once. */
static twin_status cb_samples(void *ud, const twin_signal_sample *x, size_t n)
{
    twin_sqlite *db = ud;
    sqlite3_stmt *s;
    tsq_sig *g = NULL;
    twin_signal last = 0;
    twin_status r;
    size_t k;
    int rc;
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if (!(s = tsq_stmt(db, ST_SAMPLE))) return failed(db, SQLITE_ERROR, "samples");
    if (n > db->caprows) {
        struct tsq_row *nr = realloc(db->rows, n * sizeof *nr);
        if (!nr) return nomem(db);
        db->rows = nr;
        db->caprows = n;
    }
    for (k = 0; k < n; k++) {
        if (!g || x[k].signal != last) {
            if ((r = handle_row(db, x[k].signal, &g)) != TWIN_OK) return r;
            last = x[k].signal;
        }
        db->rows[k].row = g->row;
        db->rows[k].t = x[k].t_us;
        db->rows[k].v = x[k].value;
        db->rows[k].h = x[k].signal;
        if (x[k].t_us > g->latest_t && (!g->touched || x[k].t_us > g->pend_t)) {
            if (tsq_sig_dirty(db, g) != 0) return nomem(db);
            g->touched = 1;
            g->pend_t = x[k].t_us;
            g->pend_v = x[k].value;
        }
    }
    if (n > 1 && sort_rows(db, n) != 0) return nomem(db);
    if (db->schema >= 3) {
        /* compressed series: a run of samples per signal */
        size_t a, b;
        for (a = 0; a < n; a = b) {
            for (b = a + 1; b < n && db->rows[b].row == db->rows[a].row; b++) continue;
            g = tsq_sig_find(db, db->rows[a].h);
            if (tsq_sig_dirty(db, g) != 0) return nomem(db);
            if ((r = tsq_series_append(db, g, db->rows + a, b - a)) != TWIN_OK) {
                tsq_rollback(db);
                return r;
            }
        }
        return TWIN_OK;
    }
    for (k = 0; k < n; k++) {
        sqlite3_bind_int64(s, 1, db->rows[k].row);
        sqlite3_bind_int64(s, 2, db->rows[k].t);
        sqlite3_bind_double(s, 3, db->rows[k].v);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) return failed(db, rc, "cannot store a sample");
    }
    return TWIN_OK;
}

static twin_status cb_signal(void *ud, const twin_store_signal *sig)
{
    twin_sqlite *db = ud;
    twin_status r;
    tsq_sig *g;
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if (!(g = tsq_sig_put(db, sig->signal))) return nomem(db);
    if ((r = signal_row(db, g, sig->twin_id, sig->name, sig->unit ? sig->unit : "")) != TWIN_OK)
        return r;
    if (tsq_sig_dirty(db, g) != 0) return nomem(db);
    g->fresh = 1;
    return TWIN_OK;
}

static twin_status cb_twin(void *ud, const char *id, const char *model, const twin_member *props,
                           size_t n)
{
    twin_sqlite *db = ud;
    sqlite3_stmt *s;
    unsigned char *blob;
    size_t len;
    twin_status r;
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if (!(s = tsq_stmt(db, ST_TWIN_PUT))) return failed(db, SQLITE_ERROR, "twin");
    if (tsq_props_encode(props, n, &blob, &len) != 0) {
        tsq_rollback(db);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, model, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, blob, (int)len, free);
    return step_done(db, s, "cannot store a twin");
}

static twin_status cb_del_twin(void *ud, const char *id)
{
    static const int order[] = {ST_TWIN_BLOCKS_DEL,  ST_TWIN_OPEN_DEL,   ST_TWIN_TIERS_DEL,
                                ST_TWIN_MARKS_DEL,   ST_TWIN_TBLK_DEL,   ST_TWIN_SAMPLES_DEL,
                                ST_TWIN_HEALTH_DEL,  ST_TWIN_SIGS_DEL,   ST_TWIN_DEL};
    twin_sqlite *db = ud;
    twin_status r;
    size_t k;
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if (db->schema >= 3) {
        /* the open blocks of its signals go nowhere */
        sqlite3_stmt *s = tsq_stmt(db, ST_SIG_OF_TWIN);
        if (!s) return failed(db, SQLITE_ERROR, "twin");
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        while (sqlite3_step(s) == SQLITE_ROW) {
            int64_t row = sqlite3_column_int64(s, 0);
            for (k = 0; k < db->capsigs; k++)
                if (db->sigs[k].handle && db->sigs[k].row == row) {
                    tsq_series_free(db->sigs[k].ser);
                    db->sigs[k].ser = NULL;
                    db->sigs[k].ser_changed = 0;
                }
        }
        sqlite3_reset(s);
    }
    if (db->schema >= 7) {
        /* the forwarders' late log of its signals */
        sqlite3_stmt *s = tsq_stmt(db, ST_TWIN_LATE_DEL);
        if (!s) return failed(db, SQLITE_ERROR, "twin");
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        if ((r = step_done(db, s, "cannot delete a twin")) != TWIN_OK) return r;
    }
    for (k = db->schema >= 4 ? 0 : 5; k < sizeof order / sizeof *order; k++) {
        sqlite3_stmt *s = tsq_stmt(db, order[k]);
        if (!s) return failed(db, SQLITE_ERROR, "twin");
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        if ((r = step_done(db, s, "cannot delete a twin")) != TWIN_OK) return r;
    }
    /* Its signals' handles are stale now (the ingest handle refuses them);
       their rows are never reused (AUTOINCREMENT), so their mappings and
       pending latest values go nowhere. */
    return TWIN_OK;
}

static twin_status cb_rel(void *ud, const twin_relationship *rel)
{
    twin_sqlite *db = ud;
    sqlite3_stmt *s;
    unsigned char *blob;
    size_t len;
    twin_status r;
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if (!(s = tsq_stmt(db, ST_REL_PUT))) return failed(db, SQLITE_ERROR, "relationship");
    if (tsq_props_encode(rel->properties, rel->property_count, &blob, &len) != 0) {
        tsq_rollback(db);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    sqlite3_bind_text(s, 1, rel->source_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, rel->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, rel->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, rel->target_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, blob, (int)len, free);
    return step_done(db, s, "cannot store a relationship");
}

static twin_status cb_del_rel(void *ud, const char *source, const char *id)
{
    twin_sqlite *db = ud;
    sqlite3_stmt *s;
    twin_status r;
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if (!(s = tsq_stmt(db, ST_REL_DEL))) return failed(db, SQLITE_ERROR, "relationship");
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    return step_done(db, s, "cannot delete a relationship");
}

static twin_status cb_health(void *ud, twin_signal sig, const twin_health *h)
{
    twin_sqlite *db = ud;
    twin_health_options o;
    twin_health_stats hs;
    unsigned char ob[TWIN_HEALTH_OPTIONS_ENCODED_MAX], hb[TWIN_HEALTH_ENCODED_MAX];
    size_t on = 0, hn = 0;
    twin_error e;
    sqlite3_stmt *s;
    tsq_sig *g;
    twin_status r;
    /* Without the ingest handle there are no options to run it with. */
    if (!db->ing) return TWIN_OK;
    twin_health_options_init(&o);
    if (twin_ingest_get_health(db->ing, sig, NULL, &o) != TWIN_OK) return TWIN_OK; /* detached */
    o.user = NULL;
    memset(&hs, 0, sizeof hs);
    hs.size = sizeof hs;
    if (twin_health_get_stats(h, &hs, NULL) != TWIN_OK) hs.t0_us = 0;
    /* The encoded forms: independent of the library's layouts. */
    if ((r = twin_health_options_encode(&o, ob, sizeof ob, &on, &e)) != TWIN_OK ||
        (r = twin_health_encode(h, hb, sizeof hb, &hn, &e)) != TWIN_OK) {
        tsq_rollback(db);
        return tsq_fail(db, r, SQLITE_OK, "cannot encode a health state: %s", e.message);
    }
    if ((r = tsq_begin(db)) != TWIN_OK) return r;
    if ((r = handle_row(db, sig, &g)) != TWIN_OK) return r;
    if (!(s = tsq_stmt(db, ST_HEALTH_PUT))) return failed(db, SQLITE_ERROR, "health");
    sqlite3_bind_int64(s, 1, g->row);
    sqlite3_bind_blob(s, 2, ob, (int)on, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 3, hb, (int)hn, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, hs.t0_us);
    return step_done(db, s, "cannot store a health state");
}

static twin_status cb_flush(void *ud)
{
    twin_sqlite *db = ud;
    sqlite3_stmt *s;
    twin_status r;
    size_t k;
    int rc;
    if (!db->in_tx) return TWIN_OK;
    /* a policy another connection stored: seen within 64 flushes */
    if (!db->has_policies && (++db->flushes & 63) == 0 && db->schema >= 4)
        tsq_policies_refresh(db);
    for (k = 0; k < db->ndirty; k++) {
        tsq_sig *g = tsq_sig_find(db, db->dirty[k]);
        if (!g || !g->touched) continue;
        if (!(s = tsq_stmt(db, ST_LATEST))) return failed(db, SQLITE_ERROR, "latest");
        sqlite3_bind_int64(s, 1, g->row);
        sqlite3_bind_int64(s, 2, g->pend_t);
        tsq_bind_value(s, 3, g->pend_v); /* -0.0 kept */
        if ((r = step_done(db, s, "cannot update a signal's latest value")) != TWIN_OK) return r;
    }
    for (k = 0; k < db->ndirty; k++) {
        tsq_sig *g = tsq_sig_find(db, db->dirty[k]);
        if (g && g->ser && (r = tsq_series_flush(db, g)) != TWIN_OK) {
            tsq_rollback(db);
            return r;
        }
        if (g && g->touched && tsq_fold_queue(db, g) != 0) return nomem(db);
    }
    /* tiers: a bounded amount of folding in the same transaction */
    tsq_fold_flush(db);
    rc = sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return failed(db, rc, "cannot commit");
    db->in_tx = 0;
    for (k = 0; k < db->ndirty; k++) {
        tsq_sig *g = tsq_sig_find(db, db->dirty[k]);
        if (!g) continue;
        if (g->touched) g->latest_t = g->pend_t;
        g->touched = g->fresh = g->dirty = 0;
        tsq_series_committed(g);
    }
    db->ndirty = 0;
    return TWIN_OK;
}

twin_status twin_sqlite_callbacks(twin_sqlite *db, twin_store_callbacks *out)
{
    twin_store_callbacks c;
    if (!db || !out) return TWIN_E_INVAL;
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    c.ud = db;
    c.write_samples = cb_samples;
    c.put_signal = cb_signal;
    c.put_twin = cb_twin;
    c.delete_twin = cb_del_twin;
    c.put_relationship = cb_rel;
    c.delete_relationship = cb_del_rel;
    c.put_health = cb_health;
    c.flush = cb_flush;
    /* A filler: twin_store_callbacks as published in 1.3 is its whole size
       today; fields added later will be written only within out->size. */
    *out = c;
    return TWIN_OK;
}
