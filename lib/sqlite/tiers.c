/* libtwin-sqlite: tiers: folding of aged raw samples into per-bucket
 * aggregates at coarser widths (policies: policy.c), a bounded amount per
 * flush; whole buckets into tier blocks (tierblock.c); buckets past their
 * tier's span deleted.
 *
 * Folding takes a signal's oldest closed block once its newest sample is
 * older than the signal's newest sample minus the raw span, merges in the
 * late samples (raw rows) up to its end, and adds its samples, in time
 * order, to the bucket rows of every tier of the policy (count, sum, min,
 * max, first, last); the block and those rows are then deleted, and the
 * signal's raw mark (tier_marks, res_us 0) moves past the block: every raw
 * sample before the mark has been folded. A tier's mark is the time from
 * which it holds the signal's data: the raw mark when the tier got its
 * first bucket, raised as old buckets are deleted past the tier's span.
 * Sums are carried across folds in the stored row, added to one sample at
 * a time in time order, so a bucket's sum is the one a pass over its raw
 * samples in time order makes: the mean is exact relative to the raw
 * data. Buckets keep the times of their first and last samples (schema
 * 5), so that a late sample older than the raw mark, added to its buckets
 * in the transaction that stores it (tsq_tier_late()), becomes their first
 * or last value when its time says so; its bucket may be inside a tier
 * block, which is then written again. A tier the policy no longer names is
 * deleted within the row budget. */
#include "codec.h"
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- folding --------------------------------------------------------------- */

static int64_t floor_to(int64_t t, int64_t b)
{
    int64_t q = t / b;
    if (t % b < 0) q--;
    return q * b;
}

/* One tier's bucket being added to. */
typedef struct acc {
    int open;
    int64_t b;
    int64_t n;
    double sum, min, max, first, last;
    int64_t tf, tl;      /* times of the first and last samples */
} acc;

typedef struct fold {
    twin_sqlite *db;
    uint64_t blocks_left, rows_left;
    twin_sqlite_fold_stats st;
    int64_t row;
    twin_sqlite_policy p;
    acc a[TWIN_SQLITE_TIERS_MAX];
    int64_t tmark[TWIN_SQLITE_TIERS_MAX]; /* each tier's mark; INT64_MAX: none */
    int64_t *mt;         /* merge scratch */
    double *mv;
    size_t capm;
} fold;

static twin_status acc_write(fold *F, uint32_t k)
{
    acc *a = &F->a[k];
    sqlite3_stmt *s;
    int rc;
    if (!a->open) return TWIN_OK;
    if (!(s = tsq_stmt(F->db, ST_TIER_PUT))) return F->db->err.status;
    sqlite3_bind_int64(s, 1, F->row);
    sqlite3_bind_int64(s, 2, F->p.tier[k].res_us);
    sqlite3_bind_int64(s, 3, a->b);
    sqlite3_bind_int64(s, 4, a->n);
    sqlite3_bind_double(s, 5, a->sum);
    sqlite3_bind_double(s, 6, a->min);
    sqlite3_bind_double(s, 7, a->max);
    sqlite3_bind_double(s, 8, a->first);
    sqlite3_bind_double(s, 9, a->last);
    sqlite3_bind_int64(s, 10, a->tf);
    sqlite3_bind_int64(s, 11, a->tl);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(F->db, rc, "tiers: cannot write a bucket");
    F->st.rows_written++;
    a->open = 0;
    return TWIN_OK;
}

/* Open bucket b of tier k: the stored row if there is one. */
static twin_status acc_open(fold *F, uint32_t k, int64_t b)
{
    acc *a = &F->a[k];
    sqlite3_stmt *s;
    int rc;
    memset(a, 0, sizeof *a);
    a->open = 1;
    a->b = b;
    if (!(s = tsq_stmt(F->db, ST_TIER_GET))) return F->db->err.status;
    sqlite3_bind_int64(s, 1, F->row);
    sqlite3_bind_int64(s, 2, F->p.tier[k].res_us);
    sqlite3_bind_int64(s, 3, b);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        a->n = sqlite3_column_int64(s, 0);
        a->sum = sqlite3_column_double(s, 1);
        a->min = sqlite3_column_double(s, 2);
        a->max = sqlite3_column_double(s, 3);
        a->first = sqlite3_column_double(s, 4);
        a->last = sqlite3_column_double(s, 5);
        a->tf = sqlite3_column_int64(s, 6);
        a->tl = sqlite3_column_int64(s, 7);
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(F->db, rc, "tiers: cannot read a bucket");
    return TWIN_OK;
}

/* Add sample (t, v) to bucket a: first and last by time, so that a late
   sample takes their place when it is older than the first or newer than
   the last. */
static void acc_add(acc *a, int64_t t, double v)
{
    if (!a->n) {
        a->min = a->max = a->first = a->last = v;
        a->sum = 0;
        a->tf = a->tl = t;
    } else {
        if (t < a->tf) a->first = v, a->tf = t;
        if (t > a->tl) a->last = v, a->tl = t;
    }
    a->n++;
    a->sum += v;
    if (v < a->min) a->min = v;
    if (v > a->max) a->max = v;
}

/* Add samples in time order to every tier. */
static twin_status fold_samples(fold *F, const int64_t *t, const double *v, size_t n)
{
    size_t i;
    uint32_t k;
    twin_status s;
    for (i = 0; i < n; i++) {
        for (k = 0; k < F->p.ntiers; k++) {
            acc *a = &F->a[k];
            int64_t b = floor_to(t[i], F->p.tier[k].res_us);
            if (!a->open || a->b != b) {
                if ((s = acc_write(F, k)) != TWIN_OK) return s;
                if ((s = acc_open(F, k, b)) != TWIN_OK) return s;
            }
            acc_add(a, t[i], v[i]);
        }
    }
    F->st.samples_folded += n;
    return TWIN_OK;
}

static twin_status acc_write_all(fold *F)
{
    uint32_t k;
    twin_status s;
    for (k = 0; k < F->p.ntiers; k++)
        if ((s = acc_write(F, k)) != TWIN_OK) return s;
    return TWIN_OK;
}

static twin_status mark_put(fold *F, int64_t res, int64_t t)
{
    sqlite3_stmt *s;
    int rc;
    if (!(s = tsq_stmt(F->db, ST_MARK_PUT))) return F->db->err.status;
    sqlite3_bind_int64(s, 1, F->row);
    sqlite3_bind_int64(s, 2, res);
    sqlite3_bind_int64(s, 3, t);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(F->db, rc, "tiers: cannot write a mark");
    return TWIN_OK;
}

/* (sqlite_int.h) Every row of the signal's marks: as many as the table
   holds (a signal whose policy changed keeps the marks of the tiers it
   drops until they are gone). */
static int marks_put(tsq_marks *m, int64_t res, int64_t t)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        int64_t *r = realloc(m->res, 2 * cap * sizeof *r);
        if (!r) return -1;
        if (m->n) memmove(r + cap, r + m->cap, m->n * sizeof *r);  /* the times, moved up */
        m->res = r;
        m->t = r + cap;
        m->cap = cap;
    }
    m->res[m->n] = res;
    m->t[m->n++] = t;
    return 0;
}

twin_status tsq_marks_load(twin_sqlite *db, int64_t row, tsq_marks *m)
{
    sqlite3_stmt *s;
    int rc;
    m->n = 0;
    if (!(s = tsq_stmt(db, ST_MARK_GET))) return db->err.status;
    sqlite3_bind_int64(s, 1, row);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (marks_put(m, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)) != 0) {
            sqlite3_reset(s);
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot read the marks");
    return TWIN_OK;
}

void tsq_marks_free(tsq_marks *m)
{
    free(m->res);
    memset(m, 0, sizeof *m);
}

typedef tsq_marks marks;

static int marks_find(const marks *m, int64_t res, int64_t *t)
{
    size_t k;
    for (k = 0; k < m->n; k++)
        if (m->res[k] == res) {
            *t = m->t[k];
            return 1;
        }
    return 0;
}

/* The late rows of F->row up to t1 (inclusive), into F->mt/mv from `at`. */
static twin_status late_rows(fold *F, int64_t t1, size_t at, size_t *n)
{
    sqlite3_stmt *s;
    int rc;
    *n = at;
    if (!(s = tsq_stmt(F->db, ST_LATE_UPTO))) return F->db->err.status;
    sqlite3_bind_int64(s, 1, F->row);
    sqlite3_bind_int64(s, 2, t1);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == F->capm) {
            size_t cap = F->capm ? 2 * F->capm : 8192;
            int64_t *nt = realloc(F->mt, cap * sizeof *nt);
            double *nv;
            if (nt) F->mt = nt;
            nv = realloc(F->mv, cap * sizeof *nv);
            if (nv) F->mv = nv;
            if (!nt || !nv) {
                sqlite3_reset(s);
                return tsq_fail(F->db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            }
            F->capm = cap;
        }
        F->mt[*n] = sqlite3_column_int64(s, 0);
        F->mv[(*n)++] = tsq_column_value(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(F->db, rc, "tiers: cannot read late samples");
    return TWIN_OK;
}

static twin_status late_delete(fold *F, int64_t t1)
{
    sqlite3_stmt *s;
    int rc;
    if (!(s = tsq_stmt(F->db, ST_LATE_DEL_UPTO))) return F->db->err.status;
    sqlite3_bind_int64(s, 1, F->row);
    sqlite3_bind_int64(s, 2, t1);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(F->db, rc, "tiers: cannot delete late samples");
    /* their rows of the forwarders' late log with them */
    if (sqlite3_changes(F->db->db) > 0) return tsq_late_forget(F->db, F->row, t1);
    return TWIN_OK;
}

static int grow_merge(fold *F, size_t need)
{
    if (need > F->capm) {
        int64_t *nt = realloc(F->mt, need * sizeof *nt);
        double *nv;
        if (nt) F->mt = nt;
        nv = realloc(F->mv, need * sizeof *nv);
        if (nv) F->mv = nv;
        if (!nt || !nv) return -1;
        F->capm = need;
    }
    return 0;
}

/* ---- late samples into folded spans ---------------------------------------- */

/* Tier blocks of width res of buckets t[0..n) (columns cols), as many as
   they need. */
static twin_status tblk_put(fold *F, int64_t res, const int64_t *t, double *const cols[], size_t n)
{
    twin_sqlite *db = F->db;
    size_t at = 0, i, c;
    while (at < n) {
        size_t m = n - at < TSQ_TIER_BLOCK_MAX ? n - at : TSQ_TIER_BLOCK_MAX, len = 0;
        double *cc[TSQ_TIER_COLS];
        unsigned char *blob = NULL;
        int64_t samples = 0;
        sqlite3_stmt *q;
        int rc;
        for (c = 0; c < TSQ_TIER_COLS; c++) cc[c] = cols[c] + at;
        if (tsq_tier_block_encode(t + at, cc, &m, &blob, &len) != 0)
            return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        for (i = 0; i < m; i++) samples += (int64_t)cc[0][i];
        if (!(q = tsq_stmt(db, ST_TBLK_INS))) {
            free(blob);
            return db->err.status;
        }
        sqlite3_bind_int64(q, 1, F->row);
        sqlite3_bind_int64(q, 2, res);
        sqlite3_bind_int64(q, 3, t[at]);
        sqlite3_bind_int64(q, 4, t[at + m - 1]);
        sqlite3_bind_int64(q, 5, (int64_t)m);
        sqlite3_bind_int64(q, 6, samples);
        sqlite3_bind_blob(q, 7, blob, (int)len, free);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot write a tier block");
        at += m;
    }
    return TWIN_OK;
}

/* Add (t, v) to bucket b of tier k held by (or, with no bucket yet, next
   to) a tier block: the block that starts at or before b, else the first;
   decoded, changed and written again (in two when it no longer fits), so
   that the blocks' spans stay apart and every single bucket row stays newer
   than every block. */
static twin_status late_in_block(fold *F, uint32_t k, int64_t b, int64_t t, double v)
{
    twin_sqlite *db = F->db;
    int64_t res = F->p.tier[k].res_us, id = 0, *tt;
    double *cv, *cols[TSQ_TIER_COLS];
    size_t n = 0, p, i, c;
    twin_status st = TWIN_OK;
    sqlite3_stmt *q;
    int rc, r = TSQ_BLOCK_BAD, found = 0;
    acc a;
    tt = malloc((2 * TSQ_TIER_BLOCK_MAX + 2) * sizeof *tt);
    cv = malloc(TSQ_TIER_COLS * (TSQ_TIER_BLOCK_MAX + 1) * sizeof *cv);
    if (!tt || !cv) {
        free(tt);
        free(cv);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    for (c = 0; c < TSQ_TIER_COLS; c++) cols[c] = cv + c * (TSQ_TIER_BLOCK_MAX + 1);
    for (i = 0; i < 2 && !found; i++) {
        if (!(q = tsq_stmt(db, i ? ST_TBLK_FIRST : ST_TBLK_AT))) {
            st = db->err.status;
            goto out;
        }
        sqlite3_bind_int64(q, 1, F->row);
        sqlite3_bind_int64(q, 2, res);
        if (!i) sqlite3_bind_int64(q, 3, b);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            found = 1;
            id = sqlite3_column_int64(q, 0);
            r = tsq_tier_block_decode(sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3),
                                      tt, cols, &n);
        } else if (rc != SQLITE_DONE) {
            sqlite3_reset(q);
            st = tsq_sqlfail(db, rc, "tiers: cannot read a tier block");
            goto out;
        }
        sqlite3_reset(q);
    }
    if (!found || r != TSQ_BLOCK_OK) {
        /* a corrupted block loses only itself: the sample goes with it */
        if (found) F->st.bad_blocks++;
        goto out;
    }
    for (i = 0; i < n; i++) /* format 1: times not known */
        if (cols[6][i] != cols[6][i]) cols[6][i] = 0, cols[7][i] = (double)(res - 1);
    for (p = 0; p < n && tt[p] < b; p++) continue;
    memset(&a, 0, sizeof a);
    if (p < n && tt[p] == b) {
        a.n = (int64_t)cols[0][p], a.sum = cols[1][p], a.min = cols[2][p], a.max = cols[3][p];
        a.first = cols[4][p], a.last = cols[5][p];
        a.tf = b + (int64_t)cols[6][p], a.tl = b + (int64_t)cols[7][p];
    } else {
        for (i = n; i > p; i--) {
            tt[i] = tt[i - 1];
            for (c = 0; c < TSQ_TIER_COLS; c++) cols[c][i] = cols[c][i - 1];
        }
        tt[p] = b;
        n++;
    }
    acc_add(&a, t, v);
    cols[0][p] = (double)a.n, cols[1][p] = a.sum, cols[2][p] = a.min, cols[3][p] = a.max;
    cols[4][p] = a.first, cols[5][p] = a.last;
    cols[6][p] = (double)(a.tf - b), cols[7][p] = (double)(a.tl - b);
    if (!(q = tsq_stmt(db, ST_TBLK_DEL))) {
        st = db->err.status;
        goto out;
    }
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        st = tsq_sqlfail(db, rc, "tiers: cannot delete a tier block");
        goto out;
    }
    st = tblk_put(F, res, tt, cols, n);
    F->st.rows_written++;
out:
    free(tt);
    free(cv);
    return st;
}

/* A late sample older than the raw mark: into the bucket of every tier
   that holds its time (F->tmark), where that bucket is or would be: a
   single row, or a tier block. */
static twin_status late_sample(fold *F, int64_t t, double v)
{
    twin_sqlite *db = F->db;
    uint32_t k;
    twin_status s;
    for (k = 0; k < F->p.ntiers; k++) {
        int64_t res = F->p.tier[k].res_us, b = floor_to(t, res), t1 = INT64_MIN;
        acc *a = &F->a[k];
        sqlite3_stmt *q;
        int rc, inblock = 0;
        if (F->tmark[k] == INT64_MAX || t < F->tmark[k]) continue; /* past its span */
        if ((s = acc_open(F, k, b)) != TWIN_OK) return s;
        if (!a->n) {
            /* no single row: a block's bucket when blocks reach that far */
            if (!(q = tsq_stmt(db, ST_TBLK_MAXT1))) return db->err.status;
            sqlite3_bind_int64(q, 1, F->row);
            sqlite3_bind_int64(q, 2, res);
            rc = sqlite3_step(q);
            if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
                t1 = sqlite3_column_int64(q, 0);
                inblock = b <= t1;
            }
            sqlite3_reset(q);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return tsq_sqlfail(db, rc, "tiers: cannot read tier blocks");
        }
        if (inblock) {
            a->open = 0;
            if ((s = late_in_block(F, k, b, t, v)) != TWIN_OK) return s;
            continue;
        }
        acc_add(a, t, v);
        if ((s = acc_write(F, k)) != TWIN_OK) return s;
    }
    F->st.samples_folded++;
    return TWIN_OK;
}

/* Fold one closed block (its row read by ST_FOLD_OLDEST in q) and the late
   rows up to its end. */
static twin_status fold_block(fold *F, sqlite3_stmt *q, int64_t *raw_mark)
{
    twin_sqlite *db = F->db;
    int64_t id = sqlite3_column_int64(q, 0), t1 = sqlite3_column_int64(q, 2);
    tsq_block_head h;
    size_t nl, i, j, c;
    twin_status s;
    int rc = tsq_block_decode(sqlite3_column_blob(q, 4), (size_t)sqlite3_column_bytes(q, 4),
                              db->dec_t, db->dec_v, &h);
    sqlite3_stmt *d;
    if (rc != TSQ_BLOCK_OK) {
        h.n = 0; /* it loses only itself */
        F->st.bad_blocks++;
    }
    /* late rows up to t1, at the end of the scratch; then merged in front */
    if (grow_merge(F, 2 * (size_t)h.n + 64) != 0)
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    if ((s = late_rows(F, t1, h.n, &nl)) != TWIN_OK) return s;
    if (grow_merge(F, 2 * nl + 16) != 0)
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    /* late rows older than the raw mark arrived after their time was
       folded (kept raw by schema 4): added to their buckets, wherever
       those are */
    for (j = h.n; j < nl && F->mt[j] < *raw_mark; j++) continue;
    if (j > h.n && (s = acc_write_all(F)) != TWIN_OK) return s;
    for (i = h.n; i < j; i++)
        if ((s = late_sample(F, F->mt[i], F->mv[i])) != TWIN_OK) return s;
    /* merge block samples and the other late rows into [nl, ...) */
    for (i = 0, c = nl; i < h.n || j < nl;) {
        if (j < nl && (i >= h.n || F->mt[j] < db->dec_t[i])) {
            F->mt[c] = F->mt[j], F->mv[c++] = F->mv[j++];
        } else {
            F->mt[c] = db->dec_t[i], F->mv[c++] = db->dec_v[i++];
        }
    }
    if ((s = fold_samples(F, F->mt + nl, F->mv + nl, c - nl)) != TWIN_OK) return s;
    if ((s = late_delete(F, t1)) != TWIN_OK) return s;
    if (!(d = tsq_stmt(db, ST_BLK_DEL))) return db->err.status;
    sqlite3_bind_int64(d, 1, id);
    rc = sqlite3_step(d);
    sqlite3_reset(d);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot delete a block");
    F->st.blocks_folded++;
    if (t1 + 1 > *raw_mark) *raw_mark = t1 + 1;
    return TWIN_OK;
}

/* Delete tier k's buckets wholly older than cut, within the row budget. */
static twin_status drop_tier(fold *F, uint32_t k, int64_t cut, int64_t *mark)
{
    twin_sqlite *db = F->db;
    int64_t res = F->p.tier[k].res_us, last = INT64_MIN;
    uint64_t lim = F->rows_left, got = 0;
    sqlite3_stmt *q, *d;
    int rc;
    if (!lim) return TWIN_OK;
    if (!(q = tsq_stmt(db, ST_TIER_OLD))) return db->err.status;
    sqlite3_bind_int64(q, 1, F->row);
    sqlite3_bind_int64(q, 2, res);
    sqlite3_bind_int64(q, 3, cut);
    sqlite3_bind_int64(q, 4, lim > INT64_MAX ? INT64_MAX : (int64_t)lim);
    /* the keys first: deleting under a running scan is not reliable */
    {
        int64_t keys[64];
        size_t nk = 0, i;
        for (;;) {
            nk = 0;
            while (nk < 64 && (rc = sqlite3_step(q)) == SQLITE_ROW)
                keys[nk++] = sqlite3_column_int64(q, 0);
            if (nk < 64 && rc != SQLITE_DONE) {
                sqlite3_reset(q);
                return tsq_sqlfail(db, rc, "tiers: cannot read old buckets");
            }
            for (i = 0; i < nk; i++) {
                if (!(d = tsq_stmt(db, ST_TIER_DEL))) {
                    sqlite3_reset(q);
                    return db->err.status;
                }
                sqlite3_bind_int64(d, 1, F->row);
                sqlite3_bind_int64(d, 2, res);
                sqlite3_bind_int64(d, 3, keys[i]);
                rc = sqlite3_step(d);
                sqlite3_reset(d);
                if (rc != SQLITE_DONE) {
                    sqlite3_reset(q);
                    return tsq_sqlfail(db, rc, "tiers: cannot delete a bucket");
                }
                last = keys[i];
                got++;
            }
            if (nk < 64) break;
        }
        sqlite3_reset(q);
    }
    F->rows_left -= got;
    F->st.rows_deleted += got;
    if (got < lim) {
        if (cut > *mark) *mark = cut; /* everything older is gone */
    } else {
        F->st.more = 1;
        if (last != INT64_MIN && last + res > *mark) *mark = last + res;
    }
    return TWIN_OK;
}

/* Move tier k's complete buckets (that end at or before the raw mark) into
   tier blocks, TSQ_TIER_BLOCK_MAX at a time, at most `max` blocks. */
static twin_status compact_tier(fold *F, uint32_t k, int64_t raw_mark)
{
    twin_sqlite *db = F->db;
    int64_t res = F->p.tier[k].res_us;
    int64_t *t;
    double *cv, *cols[TSQ_TIER_COLS];
    twin_status st = TWIN_OK;
    size_t c;
    if (raw_mark == INT64_MIN || raw_mark < INT64_MIN + res) return TWIN_OK;
    t = malloc(TSQ_TIER_BLOCK_MAX * sizeof *t);
    cv = malloc(TSQ_TIER_COLS * TSQ_TIER_BLOCK_MAX * sizeof *cv);
    if (!t || !cv) {
        free(t);
        free(cv);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    for (c = 0; c < TSQ_TIER_COLS; c++) cols[c] = cv + c * TSQ_TIER_BLOCK_MAX;
    while (st == TWIN_OK) {
        sqlite3_stmt *q;
        size_t n = 0, m;
        int64_t samples = 0;
        unsigned char *blob = NULL;
        size_t len = 0;
        int rc;
        if (!F->blocks_left) { /* the next visit goes on */
            F->st.more = 1;
            break;
        }
        if (!(q = tsq_stmt(db, ST_TIER_FULL))) {
            st = db->err.status;
            break;
        }
        sqlite3_bind_int64(q, 1, F->row);
        sqlite3_bind_int64(q, 2, res);
        sqlite3_bind_int64(q, 3, raw_mark - res);
        sqlite3_bind_int64(q, 4, TSQ_TIER_BLOCK_MAX);
        while (n < TSQ_TIER_BLOCK_MAX && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            t[n] = sqlite3_column_int64(q, 0);
            cols[0][n] = (double)sqlite3_column_int64(q, 1);
            for (c = 1; c < 6; c++) cols[c][n] = sqlite3_column_double(q, (int)c + 1);
            cols[6][n] = (double)(sqlite3_column_int64(q, 7) - t[n]);
            cols[7][n] = (double)(sqlite3_column_int64(q, 8) - t[n]);
            n++;
        }
        sqlite3_reset(q);
        if (n < TSQ_TIER_BLOCK_MAX && rc != SQLITE_DONE) {
            st = tsq_sqlfail(db, rc, "tiers: cannot read buckets");
            break;
        }
        if (n < TSQ_TIER_BLOCK_MAX) break; /* a block when there are enough */
        m = n;
        if (tsq_tier_block_encode(t, cols, &m, &blob, &len) != 0) {
            st = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            break;
        }
        for (c = 0; c < m; c++) samples += (int64_t)cols[0][c];
        if (!(q = tsq_stmt(db, ST_TBLK_INS))) {
            free(blob);
            st = db->err.status;
            break;
        }
        sqlite3_bind_int64(q, 1, F->row);
        sqlite3_bind_int64(q, 2, res);
        sqlite3_bind_int64(q, 3, t[0]);
        sqlite3_bind_int64(q, 4, t[m - 1]);
        sqlite3_bind_int64(q, 5, (int64_t)m);
        sqlite3_bind_int64(q, 6, samples);
        sqlite3_bind_blob(q, 7, blob, (int)len, free);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            st = tsq_sqlfail(db, rc, "tiers: cannot write a tier block");
            break;
        }
        if (!(q = tsq_stmt(db, ST_TIER_DEL_UPTO))) {
            st = db->err.status;
            break;
        }
        sqlite3_bind_int64(q, 1, F->row);
        sqlite3_bind_int64(q, 2, res);
        sqlite3_bind_int64(q, 3, t[m - 1]);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            st = tsq_sqlfail(db, rc, "tiers: cannot delete buckets");
            break;
        }
        F->st.rows_written++;
        F->blocks_left--;
    }
    free(t);
    free(cv);
    return st;
}

/* Delete tier k's blocks wholly older than cut, within the row budget
   (a block counts as one row). */
static twin_status drop_tier_blocks(fold *F, uint32_t k, int64_t cut, int64_t *mark, int *all)
{
    twin_sqlite *db = F->db;
    int64_t res = F->p.tier[k].res_us;
    int64_t ids[64], t1s[64];
    size_t nk = 0, i;
    sqlite3_stmt *q, *d;
    int rc;
    uint64_t lim = F->rows_left < 64 ? F->rows_left : 64;
    *all = 1;
    if (!lim) {
        *all = 0;
        return TWIN_OK;
    }
    if (!(q = tsq_stmt(db, ST_TBLK_OLD))) return db->err.status;
    sqlite3_bind_int64(q, 1, F->row);
    sqlite3_bind_int64(q, 2, res);
    sqlite3_bind_int64(q, 3, cut);
    sqlite3_bind_int64(q, 4, (int64_t)lim);
    while (nk < lim && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        ids[nk] = sqlite3_column_int64(q, 0);
        t1s[nk++] = sqlite3_column_int64(q, 1);
    }
    sqlite3_reset(q);
    if (nk < lim && rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot read tier blocks");
    for (i = 0; i < nk; i++) {
        if (!(d = tsq_stmt(db, ST_TBLK_DEL))) return db->err.status;
        sqlite3_bind_int64(d, 1, ids[i]);
        rc = sqlite3_step(d);
        sqlite3_reset(d);
        if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot delete a tier block");
        if (t1s[i] + res > *mark) *mark = t1s[i] + res;
    }
    F->rows_left -= nk;
    F->st.rows_deleted += nk;
    if (nk == lim) {
        *all = 0;
        F->st.more = 1;
    }
    return TWIN_OK;
}

/* Delete what the tier of width res holds for F->row (a changed policy no
   longer names it), within the row budget (a tier block counts as one
   row); its mark goes last, when nothing is left. */
static twin_status drop_gone(fold *F, int64_t res)
{
    twin_sqlite *db = F->db;
    int64_t keys[64];
    for (;;) {
        uint64_t lim = F->rows_left < 64 ? F->rows_left : 64, got = 0, nk, i;
        int pass, rc;
        sqlite3_stmt *q, *d;
        if (!lim) {
            F->st.more = 1;
            return TWIN_OK;
        }
        for (pass = 0; pass < 2 && got < lim; pass++) {
            if (!(q = tsq_stmt(db, pass ? ST_TIER_OF_RES : ST_TBLK_OF_RES))) return db->err.status;
            sqlite3_bind_int64(q, 1, F->row);
            sqlite3_bind_int64(q, 2, res);
            sqlite3_bind_int64(q, 3, (int64_t)(lim - got));
            nk = 0;
            while (nk < lim - got && (rc = sqlite3_step(q)) == SQLITE_ROW)
                keys[nk++] = sqlite3_column_int64(q, 0);
            sqlite3_reset(q);
            if (nk < lim - got && rc != SQLITE_DONE)
                return tsq_sqlfail(db, rc, "tiers: cannot read a dropped tier");
            for (i = 0; i < nk; i++) {
                if (!(d = tsq_stmt(db, pass ? ST_TIER_DEL : ST_TBLK_DEL))) return db->err.status;
                if (pass) {
                    sqlite3_bind_int64(d, 1, F->row);
                    sqlite3_bind_int64(d, 2, res);
                    sqlite3_bind_int64(d, 3, keys[i]);
                } else {
                    sqlite3_bind_int64(d, 1, keys[i]);
                }
                rc = sqlite3_step(d);
                sqlite3_reset(d);
                if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot drop a tier");
            }
            got += nk;
        }
        F->rows_left -= got;
        F->st.rows_deleted += got;
        if (got < lim) { /* all gone */
            sqlite3_stmt *m = tsq_stmt(db, ST_MARK_DEL);
            if (!m) return db->err.status;
            sqlite3_bind_int64(m, 1, F->row);
            sqlite3_bind_int64(m, 2, res);
            rc = sqlite3_step(m);
            sqlite3_reset(m);
            if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "tiers: cannot drop a tier's mark");
            return TWIN_OK;
        }
    }
}

/* The tiers of m the signal's policy (has: F->p) does not name: dropped.
   A signal left without any policy keeps what its tiers hold (it is no
   longer folded: nothing replaces them). */
static twin_status drop_gone_tiers(fold *F, int has, const marks *m)
{
    size_t i;
    uint32_t k;
    twin_status s;
    if (!has) return TWIN_OK;
    for (i = 0; i < m->n; i++) {
        int named = m->res[i] == 0;
        for (k = 0; has && !named && k < F->p.ntiers; k++) named = F->p.tier[k].res_us == m->res[i];
        if (!named && (s = drop_gone(F, m->res[i])) != TWIN_OK) return s;
    }
    return TWIN_OK;
}

/* The policy and newest time of a signal; *has 0 when it has none. */
static twin_status signal_policy(fold *F, int *has, int64_t *latest)
{
    twin_sqlite *db = F->db;
    sqlite3_stmt *s;
    int rc;
    twin_status st = TWIN_OK;
    *has = 0;
    if (!(s = tsq_stmt(db, ST_SIG_POLICY))) return db->err.status;
    sqlite3_bind_int64(s, 1, F->row);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL &&
        sqlite3_column_type(s, 1) != SQLITE_NULL) {
        twin_error e;
        const char *spec = (const char *)sqlite3_column_text(s, 1);
        *latest = sqlite3_column_int64(s, 0);
        twin_sqlite_policy_init(&F->p);
        if (twin_sqlite_policy_parse(spec, &F->p, &e) != TWIN_OK)
            st = tsq_fail(db, TWIN_E_PARSE, SQLITE_OK, "stored policy '%s' does not parse: %s",
                          spec, e.message);
        else
            *has = 1;
        rc = SQLITE_DONE;
    } else if (rc == SQLITE_ROW) {
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    if (st == TWIN_OK && rc != SQLITE_DONE) st = tsq_sqlfail(db, rc, "tiers: cannot read a policy");
    return st;
}

/* Fold what has aged in signal `row`, within the budgets; its marks in m
   (loaded here). */
static twin_status fold_marks(fold *F, int64_t row, marks *m)
{
    twin_sqlite *db = F->db;
    int64_t latest = 0, raw_mark = INT64_MIN, mark0, cut;
    twin_status s;
    uint32_t k;
    int has, rc;
    F->row = row;
    memset(F->a, 0, sizeof F->a);
    if ((s = signal_policy(F, &has, &latest)) != TWIN_OK) return s;
    if ((s = tsq_marks_load(db, row, m)) != TWIN_OK) return s;
    if ((s = drop_gone_tiers(F, has, m)) != TWIN_OK || !has) return s;
    marks_find(m, 0, &raw_mark);
    mark0 = raw_mark;
    cut = latest >= INT64_MIN + F->p.raw_keep_us ? latest - F->p.raw_keep_us : INT64_MIN;
    while (F->blocks_left) {
        sqlite3_stmt *q = tsq_stmt(db, ST_FOLD_OLDEST);
        if (!q) return db->err.status;
        sqlite3_bind_int64(q, 1, row);
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            sqlite3_reset(q);
            return tsq_sqlfail(db, rc, "tiers: cannot read blocks");
        }
        if (sqlite3_column_int64(q, 2) >= cut) {
            sqlite3_reset(q);
            break;
        }
        if (raw_mark == mark0) {
            /* the tiers this policy starts: they hold data from here on */
            for (k = 0; k < F->p.ntiers; k++) {
                int64_t t;
                if (marks_find(m, F->p.tier[k].res_us, &t)) continue;
                if ((s = mark_put(F, F->p.tier[k].res_us, raw_mark)) != TWIN_OK) {
                    sqlite3_reset(q);
                    return s;
                }
                if (marks_put(m, F->p.tier[k].res_us, raw_mark) != 0) {
                    sqlite3_reset(q);
                    return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
                }
            }
        }
        for (k = 0; k < F->p.ntiers; k++)
            if (!marks_find(m, F->p.tier[k].res_us, &F->tmark[k])) F->tmark[k] = INT64_MAX;
        s = fold_block(F, q, &raw_mark);
        sqlite3_reset(q);
        if (s != TWIN_OK) return s;
        F->blocks_left--;
        if (!F->blocks_left) F->st.more = 1;
    }
    if ((s = acc_write_all(F)) != TWIN_OK) return s;
    if (raw_mark != mark0 && (s = mark_put(F, 0, raw_mark)) != TWIN_OK) return s;
    /* buckets past their tier's span */
    for (k = 0; k < F->p.ntiers; k++) {
        int64_t res = F->p.tier[k].res_us, keep = F->p.tier[k].keep_us, mark, old;
        if (!keep || latest < INT64_MIN + keep || !marks_find(m, res, &mark)) continue;
        /* whole buckets: those that end at or before latest - keep */
        cut = floor_to(latest - keep, res);
        if (mark >= cut) continue;
        old = mark;
        {
            int all;
            if ((s = drop_tier_blocks(F, k, cut, &mark, &all)) != TWIN_OK) return s;
            if (all && (s = drop_tier(F, k, cut, &mark)) != TWIN_OK) return s;
        }
        if (mark != old && (s = mark_put(F, res, mark)) != TWIN_OK) return s;
    }
    /* whole buckets into tier blocks */
    for (k = 0; k < F->p.ntiers; k++)
        if ((s = compact_tier(F, k, raw_mark)) != TWIN_OK) return s;
    return TWIN_OK;
}

static twin_status fold_signal(fold *F, int64_t row)
{
    marks m = {0};
    twin_status s = fold_marks(F, row, &m);
    tsq_marks_free(&m);
    return s;
}

static int scratch(twin_sqlite *db)
{
    if (db->dec_t) return 0;
    db->dec_t = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_t);
    db->dec_v = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_v);
    return db->dec_t && db->dec_v ? 0 : -1;
}

int tsq_fold_queue(twin_sqlite *db, tsq_sig *g)
{
    if (!db->has_policies || g->fold_queued || !g->row) return 0;
    if (db->nfoldq == db->capfoldq) {
        size_t cap = db->capfoldq ? 2 * db->capfoldq : 64;
        twin_signal *n = realloc(db->foldq, cap * sizeof *n);
        if (!n) return -1;
        db->foldq = n;
        db->capfoldq = cap;
    }
    db->foldq[db->nfoldq++] = g->handle;
    g->fold_queued = 1;
    return 0;
}

void tsq_fold_flush(twin_sqlite *db)
{
    fold F;
    size_t k = 0, visits = 0, keep = 0, max_visits;
    uint64_t closed = db->blocks_closed;
    db->blocks_closed = 0;
    if (!db->has_policies || !db->nfoldq || (!db->fold_blocks && !db->fold_rows)) return;
    if (scratch(db) != 0) return;
    memset(&F, 0, sizeof F);
    F.db = db;
    /* the budget, plus as many blocks as this flush closed: folding keeps
       up with any rate of writing, in work proportional to the flush's */
    F.blocks_left = db->fold_blocks + closed;
    F.rows_left = db->fold_rows;
    max_visits = 4 * (size_t)F.blocks_left + 16;
    if (tsq_exec(db, "SAVEPOINT tsq_fold") != TWIN_OK) return;
    for (k = 0; k < db->nfoldq; k++) {
        tsq_sig *g = tsq_sig_find(db, db->foldq[k]);
        twin_status s;
        if (!g || !g->fold_queued) continue;
        if (visits >= max_visits || (!F.blocks_left && !F.rows_left)) {
            db->foldq[keep++] = db->foldq[k]; /* the next flush goes on */
            continue;
        }
        visits++;
        F.st.more = 0;
        s = g->row ? fold_signal(&F, g->row) : TWIN_OK;
        if (s != TWIN_OK) {
            /* the ingest goes on; the fold is undone and tried again with
               the signal's next samples */
            sqlite3_exec(db->db, "ROLLBACK TO tsq_fold", NULL, NULL, NULL);
            g->fold_queued = 0;
            k++;
            break;
        }
        if (F.st.more)
            db->foldq[keep++] = db->foldq[k];
        else
            g->fold_queued = 0;
    }
    for (; k < db->nfoldq; k++) db->foldq[keep++] = db->foldq[k];
    db->nfoldq = keep;
    sqlite3_exec(db->db, "RELEASE tsq_fold", NULL, NULL, NULL);
    free(F.mt);
    free(F.mv);
}

twin_status twin_sqlite_fold(twin_sqlite *db, uint64_t blocks, twin_sqlite_fold_stats *out)
{
    fold F;
    sqlite3_stmt *q = NULL;
    twin_status s;
    int64_t *rows = NULL;
    size_t nrows = 0, cap = 0, k;
    int rc;
    uint64_t more = 0;
    if (!db) return TWIN_E_INVAL;
    if ((s = tsq_ready(db)) != TWIN_OK) return s;
    if (out && (s = twin__sized_check(out, sizeof F.st)) != TWIN_OK)
        return tsq_fail(db, s, SQLITE_OK, "fold stats: %s size",
                        s == TWIN_E_ABI ? "unknown" : "too small a");
    memset(&F, 0, sizeof F);
    F.db = db;
    F.st.size = sizeof F.st;
    F.blocks_left = blocks ? blocks : UINT64_MAX;
    F.rows_left = blocks ? 512 * blocks : UINT64_MAX;
    if (db->schema < 4 || !db->has_policies) goto report;
    if (scratch(db) != 0) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    if ((s = tsq_exec(db, "BEGIN IMMEDIATE")) != TWIN_OK) return s;
    rc = sqlite3_prepare_v2(db->db, "SELECT id FROM signals ORDER BY id", -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (nrows == cap) {
            int64_t *n = realloc(rows, (cap = cap ? 2 * cap : 256) * sizeof *n);
            if (!n) {
                s = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
                goto fail;
            }
            rows = n;
        }
        rows[nrows++] = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != SQLITE_DONE) {
        s = tsq_sqlfail(db, rc, "tiers: cannot read the signals");
        goto fail;
    }
    for (k = 0; k < nrows; k++) {
        if (!F.blocks_left || !F.rows_left) {
            more = 1;
            break;
        }
        F.st.more = 0;
        if ((s = fold_signal(&F, rows[k])) != TWIN_OK) goto fail;
        more |= F.st.more;
    }
    if ((s = tsq_exec(db, "COMMIT")) != TWIN_OK) goto fail;
    /* the writer's open blocks are untouched; nothing to forget */
    F.st.more = (uint32_t)more;
report:
    free(rows);
    free(F.mt);
    free(F.mv);
    if (out) twin__sized_out(out, &F.st, sizeof F.st);
    return TWIN_OK;
fail:
    sqlite3_finalize(q);
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    free(rows);
    free(F.mt);
    free(F.mv);
    return s;
}


twin_status tsq_tier_late(twin_sqlite *db, int64_t row, int64_t t, double v, int *folded)
{
    fold F;
    marks m;
    int64_t latest = 0, raw_mark = 0;
    int has;
    uint32_t k;
    twin_status s;
    *folded = 0;
    if (db->schema < 5 || !db->has_policies || !row) return TWIN_OK;
    memset(&F, 0, sizeof F);
    F.db = db;
    F.row = row;
    F.blocks_left = F.rows_left = UINT64_MAX;
    if ((s = signal_policy(&F, &has, &latest)) != TWIN_OK || !has) return s;
    memset(&m, 0, sizeof m);
    if ((s = tsq_marks_load(db, row, &m)) != TWIN_OK || !marks_find(&m, 0, &raw_mark) ||
        t >= raw_mark) {
        tsq_marks_free(&m);
        return s;
    }
    for (k = 0; k < F.p.ntiers; k++)
        if (!marks_find(&m, F.p.tier[k].res_us, &F.tmark[k])) F.tmark[k] = INT64_MAX;
    tsq_marks_free(&m);
    s = late_sample(&F, t, v);
    free(F.mt);
    free(F.mv);
    if (s == TWIN_OK) *folded = 1;
    return s;
}
