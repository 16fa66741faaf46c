/* libtwin-sqlite: reading series: a range, the value at an instant,
 * downsampled buckets, and a check of every block. Only the blocks that
 * overlap the range are decoded; late samples (raw rows) are merged in. */
#include "codec.h"
#include "sqlite_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *block_why(int rc)
{
    switch (rc) {
    case TSQ_BLOCK_SUM: return "fails its checksum";
    case TSQ_BLOCK_NEWER: return "is of a newer block format than this library reads";
    default: return "is malformed";
    }
}

static twin_status block_status(int rc)
{
    return rc == TSQ_BLOCK_NEWER ? TWIN_E_STATE : TWIN_E_PARSE;
}

/* The signal row of (twin, name). */
static twin_status find_signal(twin_sqlite *db, const char *twin, const char *name, int64_t *row)
{
    sqlite3_stmt *s;
    int rc;
    if (!(s = tsq_stmt(db, ST_SIG_GET))) return db->err.status;
    sqlite3_bind_text(s, 1, twin, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *row = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return tsq_fail(db, TWIN_E_NOTFOUND, SQLITE_OK, "no signal '%s' of '%s' in the store",
                        name, twin);
    if (rc != SQLITE_ROW) return tsq_sqlfail(db, rc, "cannot read the signals");
    return TWIN_OK;
}

static twin_status read_checks(twin_sqlite *db, const char *twin, const char *name)
{
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (!twin || !name) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "no signal named");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "records delivered but not flushed");
    return TWIN_OK;
}

typedef struct reader {
    twin_sqlite *db;
    twin_sqlite_samples_fn fn;
    void *ud;
    int64_t *rt;          /* late samples (raw rows) in the range */
    double *rv;
    size_t nr, ir, capr;
    int64_t *mt;          /* merge scratch */
    double *mv;
    size_t capm;
    twin_status bad;      /* the first bad block's status */
    uint64_t nbad;
} reader;

static twin_status emit(reader *R, const int64_t *t, const double *v, size_t n)
{
    size_t k = 0, j, c = 0;
    if (!n) return TWIN_OK;
    if (R->ir >= R->nr || R->rt[R->ir] > t[n - 1]) return R->fn(R->ud, t, v, n);
    for (j = R->ir; j < R->nr && R->rt[j] <= t[n - 1]; j++) continue;
    if (n + (j - R->ir) > R->capm) {
        size_t cap = n + (j - R->ir);
        int64_t *nt = realloc(R->mt, cap * sizeof *nt);
        double *nv;
        if (nt) R->mt = nt;
        nv = realloc(R->mv, cap * sizeof *nv);
        if (nv) R->mv = nv;
        if (!nt || !nv) return tsq_fail(R->db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
        R->capm = cap;
    }
    while (k < n || R->ir < j) {
        if (R->ir < j && (k >= n || R->rt[R->ir] < t[k])) {
            R->mt[c] = R->rt[R->ir], R->mv[c++] = R->rv[R->ir++];
        } else {
            R->mt[c] = t[k], R->mv[c++] = v[k++];
        }
    }
    return R->fn(R->ud, R->mt, R->mv, c);
}

static twin_status load_raw(reader *R, int64_t row, int64_t from, int64_t to)
{
    sqlite3_stmt *s;
    int rc;
    if (!(s = tsq_stmt(R->db, ST_RAW_RANGE))) return R->db->err.status;
    sqlite3_bind_int64(s, 1, row);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (R->nr == R->capr) {
            size_t cap = R->capr ? 2 * R->capr : 64;
            int64_t *nt = realloc(R->rt, cap * sizeof *nt);
            double *nv;
            if (nt) R->rt = nt;
            nv = realloc(R->rv, cap * sizeof *nv);
            if (nv) R->rv = nv;
            if (!nt || !nv) {
                sqlite3_reset(s);
                return tsq_fail(R->db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
            }
            R->capr = cap;
        }
        R->rt[R->nr] = sqlite3_column_int64(s, 0);
        R->rv[R->nr++] = tsq_column_value(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(R->db, rc, "cannot read samples");
    return TWIN_OK;
}

/* Decode the blocks a statement returns (columns t0, t1, n, data), the
   part of each within [from, to). */
static twin_status run_blocks(reader *R, sqlite3_stmt *s, const char *twin, const char *name,
                              int64_t from, int64_t to)
{
    twin_sqlite *db = R->db;
    twin_status st = TWIN_OK;
    int rc;
    while (st == TWIN_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        tsq_block_head h;
        size_t a = 0, b;
        int r = tsq_block_decode(sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3),
                                 db->dec_t, db->dec_v, &h);
        if (r != TSQ_BLOCK_OK) {
            /* it loses only itself */
            if (!R->nbad++) {
                R->bad = block_status(r);
                tsq_fail(db, R->bad, SQLITE_OK,
                         "signal '%s' of '%s': the block of %lld samples from t_us %lld to %lld"
                         " %s; skipped",
                         name, twin, (long long)sqlite3_column_int64(s, 2),
                         (long long)sqlite3_column_int64(s, 0),
                         (long long)sqlite3_column_int64(s, 1), block_why(r));
            }
            continue;
        }
        b = h.n;
        while (a < b && db->dec_t[a] < from) a++;
        while (b > a && db->dec_t[b - 1] >= to) b--;
        st = emit(R, db->dec_t + a, db->dec_v + a, b - a);
    }
    sqlite3_reset(s);
    if (st == TWIN_OK && rc != SQLITE_DONE) st = tsq_sqlfail(db, rc, "cannot read blocks");
    return st;
}

twin_status tsq_read_row(twin_sqlite *db, int64_t row, const char *twin, const char *name,
                         int64_t from, int64_t to, twin_sqlite_samples_fn fn, void *ud)
{
    reader R;
    twin_status st;
    sqlite3_stmt *s;
    memset(&R, 0, sizeof R);
    R.db = db;
    R.fn = fn;
    R.ud = ud;
    if ((st = load_raw(&R, row, from, to)) != TWIN_OK) goto done;
    if (db->schema >= 3) {
        if (!db->dec_t) {
            db->dec_t = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_t);
            db->dec_v = malloc(TSQ_BLOCK_MAX * sizeof *db->dec_v);
            if (!db->dec_t || !db->dec_v) {
                st = tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
                goto done;
            }
        }
        if (!(s = tsq_stmt(db, ST_BLK_RANGE))) {
            st = db->err.status;
            goto done;
        }
        sqlite3_bind_int64(s, 1, row);
        sqlite3_bind_int64(s, 2, from);
        sqlite3_bind_int64(s, 3, to);
        if ((st = run_blocks(&R, s, twin, name, from, to)) != TWIN_OK) goto done;
        if (!(s = tsq_stmt(db, ST_OPEN_RANGE))) {
            st = db->err.status;
            goto done;
        }
        sqlite3_bind_int64(s, 1, row);
        sqlite3_bind_int64(s, 2, from);
        sqlite3_bind_int64(s, 3, to);
        if ((st = run_blocks(&R, s, twin, name, from, to)) != TWIN_OK) goto done;
    }
    if (R.ir < R.nr) st = R.fn(R.ud, R.rt + R.ir, R.rv + R.ir, R.nr - R.ir);
    if (st == TWIN_OK && R.nbad) st = R.bad; /* the message says which */
done:
    free(R.rt);
    free(R.rv);
    free(R.mt);
    free(R.mv);
    return st;
}

twin_status twin_sqlite_read(twin_sqlite *db, const char *twin_id, const char *name,
                             int64_t from_us, int64_t to_us, twin_sqlite_samples_fn fn, void *ud)
{
    int64_t row;
    twin_status st;
    if (!db) return TWIN_E_INVAL;
    if ((st = read_checks(db, twin_id, name)) != TWIN_OK) return st;
    if (!fn) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "no callback");
    if (from_us > to_us)
        return tsq_fail(db, TWIN_E_RANGE, SQLITE_OK, "inverted range: from %lld after to %lld",
                        (long long)from_us, (long long)to_us);
    if ((st = find_signal(db, twin_id, name, &row)) != TWIN_OK) return st;
    return tsq_read_row(db, row, twin_id, name, from_us, to_us, fn, ud);
}

/* ---- the value at an instant -------------------------------------------- */

typedef struct at_ctx {
    int64_t t;
    double v;
    int found;
} at_ctx;

static twin_status at_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    at_ctx *a = ud;
    a->t = t[n - 1];
    a->v = v[n - 1];
    a->found = 1;
    return TWIN_OK;
}

twin_status twin_sqlite_value_at(twin_sqlite *db, const char *twin_id, const char *name,
                                 int64_t t_us, int64_t *t_out, double *value_out)
{
    int64_t row, from = INT64_MIN;
    twin_status st;
    at_ctx a;
    if (!db) return TWIN_E_INVAL;
    if ((st = read_checks(db, twin_id, name)) != TWIN_OK) return st;
    if ((st = find_signal(db, twin_id, name, &row)) != TWIN_OK) return st;
    if (db->schema >= 3) {
        /* the newest block that starts at or before t_us holds the answer
           (or, when it is bad, the raw rows may) */
        sqlite3_stmt *s = tsq_stmt(db, ST_BLK_AT);
        int rc;
        if (!s) return db->err.status;
        sqlite3_bind_int64(s, 1, row);
        sqlite3_bind_int64(s, 2, t_us);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
            from = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read blocks");
    }
    memset(&a, 0, sizeof a);
    if (t_us == INT64_MAX) {
        st = tsq_read_row(db, row, twin_id, name, from, INT64_MAX, at_fn, &a);
    } else {
        st = tsq_read_row(db, row, twin_id, name, from, t_us + 1, at_fn, &a);
    }
    if (st != TWIN_OK && !a.found) return st;
    if (!a.found && from != INT64_MIN) {
        /* raw rows only before the newest block: ask for everything */
        st = tsq_read_row(db, row, twin_id, name, INT64_MIN, t_us == INT64_MAX ? t_us : t_us + 1,
                      at_fn, &a);
        if (st != TWIN_OK && !a.found) return st;
    }
    if (!a.found)
        return tsq_fail(db, TWIN_E_NOTFOUND, SQLITE_OK,
                        "signal '%s' of '%s' has no sample at or before t_us %lld", name, twin_id,
                        (long long)t_us);
    if (t_out) *t_out = a.t;
    if (value_out) *value_out = a.v;
    return st;
}

/* ---- buckets -------------------------------------------------------------- */

typedef struct bk_ctx {
    twin_sqlite_bucket *out;
    size_t cap, n;
    int64_t width, cur;
    int open;
    twin_sqlite_bucket b;
} bk_ctx;

static int64_t floor_to(int64_t t, int64_t w)
{
    int64_t q = t / w;
    if (t % w < 0) q--;
    return q * w;
}

static void bk_close(bk_ctx *c)
{
    if (!c->open) return;
    c->b.mean = c->b.mean / (double)c->b.count;
    if (c->n < c->cap) c->out[c->n] = c->b;
    c->n++;
    c->open = 0;
}

static twin_status bk_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    bk_ctx *c = ud;
    size_t k;
    for (k = 0; k < n; k++) {
        int64_t b = floor_to(t[k], c->width);
        if (!c->open || b != c->cur) {
            bk_close(c);
            memset(&c->b, 0, sizeof c->b);
            c->b.size = sizeof c->b;
            c->b.t_us = b;
            c->b.min = c->b.max = c->b.first = v[k];
            c->cur = b;
            c->open = 1;
        }
        c->b.count++;
        c->b.mean += v[k]; /* the sum until the bucket closes */
        if (v[k] < c->b.min) c->b.min = v[k];
        if (v[k] > c->b.max) c->b.max = v[k];
        c->b.last = v[k];
    }
    return TWIN_OK;
}

twin_status twin_sqlite_read_buckets(twin_sqlite *db, const char *twin_id, const char *name,
                                     int64_t from_us, int64_t to_us, int64_t bucket_us,
                                     twin_sqlite_bucket *out, size_t cap, size_t *count)
{
    int64_t row;
    twin_status st;
    bk_ctx c;
    size_t k;
    if (!db) return TWIN_E_INVAL;
    if (count) *count = 0;
    if ((st = read_checks(db, twin_id, name)) != TWIN_OK) return st;
    if (bucket_us <= 0) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "bucket_us must be positive");
    if (!count || (cap && !out)) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "a pointer is NULL");
    /* the caller's struct size, from the first element, is the stride */
    if (cap && (out[0].size < 8 || out[0].size > sizeof *out))
        return tsq_fail(db, out[0].size < 8 ? TWIN_E_INVAL : TWIN_E_ABI, SQLITE_OK,
                        "bucket: %s size", out[0].size < 8 ? "too small a" : "unknown");
    if (from_us > to_us)
        return tsq_fail(db, TWIN_E_RANGE, SQLITE_OK, "inverted range: from %lld after to %lld",
                        (long long)from_us, (long long)to_us);
    if ((st = find_signal(db, twin_id, name, &row)) != TWIN_OK) return st;
    memset(&c, 0, sizeof c);
    c.cap = cap;
    c.width = bucket_us;
    if (cap) {
        /* the caller's sizes: fill whole structs in a scratch copy first */
        c.out = malloc(cap * sizeof *c.out);
        if (!c.out) return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    st = tsq_read_row(db, row, twin_id, name, from_us, to_us, bk_fn, &c);
    bk_close(&c);
    for (k = 0; k < cap && k < c.n; k++) {
        uint32_t sz = out[0].size;
        c.out[k].size = sz;
        memcpy((char *)out + k * sz, &c.out[k], sz);
    }
    free(c.out);
    *count = c.n;
    if (st == TWIN_OK && c.n > cap)
        return tsq_fail(db, TWIN_E_RANGE, SQLITE_OK, "%zu buckets, room for %zu", c.n, cap);
    return st;
}

/* ---- tiers ------------------------------------------------------------------ */

/* Add a tier's bucket (start t, its aggregates; sum in place of the mean)
   to the bucket of width c->width that holds it. */
static void bk_add(bk_ctx *c, int64_t t, uint64_t n, double sum, double min, double max,
                   double first, double last)
{
    int64_t b = floor_to(t, c->width);
    if (!c->open || b != c->cur) {
        bk_close(c);
        memset(&c->b, 0, sizeof c->b);
        c->b.size = sizeof c->b;
        c->b.t_us = b;
        c->b.min = min;
        c->b.max = max;
        c->b.first = first;
        c->cur = b;
        c->open = 1;
    }
    c->b.count += n;
    c->b.mean += sum;
    if (min < c->b.min) c->b.min = min;
    if (max > c->b.max) c->b.max = max;
    c->b.last = last;
}

/* A signal's tiers: raw (res 0) and those with a mark, and since when each
   holds its data. */
typedef struct tier_c {
    int64_t res, from;
} tier_c;

/* Into *c (malloc'ed, free it): raw, then each tier with a mark, every one
   the table holds. */
static twin_status tier_candidates(twin_sqlite *db, int64_t row, tier_c **c, size_t *n)
{
    tsq_marks m;
    twin_status s;
    size_t k;
    memset(&m, 0, sizeof m);
    *n = 0;
    if (db->schema >= 4 && (s = tsq_marks_load(db, row, &m)) != TWIN_OK) {
        tsq_marks_free(&m);
        return s;
    }
    if (!(*c = malloc((m.n + 1) * sizeof **c))) {
        tsq_marks_free(&m);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    (*c)[0].res = 0;
    (*c)[0].from = INT64_MIN;
    *n = 1;
    for (k = 0; k < m.n; k++) {
        if (m.res[k] == 0) {
            (*c)[0].from = m.t[k];
        } else {
            (*c)[*n].res = m.res[k];
            (*c)[(*n)++].from = m.t[k];
        }
    }
    tsq_marks_free(&m);
    return TWIN_OK;
}

/* The buckets of a signal's tier blocks of width res with starts in
   [from, to), into c. A bad block is skipped: TWIN_E_PARSE (or
   TWIN_E_STATE, a newer format) after the others, its message naming it. */
static twin_status tier_blocks_read(twin_sqlite *db, bk_ctx *c, int64_t row, const char *twin,
                                    const char *name, int64_t res, int64_t from, int64_t to)
{
    sqlite3_stmt *q;
    int64_t *t = malloc(2 * TSQ_TIER_BLOCK_MAX * sizeof *t);
    double *cv = malloc(TSQ_TIER_COLS * TSQ_TIER_BLOCK_MAX * sizeof *cv), *cols[TSQ_TIER_COLS];
    twin_status st = TWIN_OK;
    int rc, k;
    if (!t || !cv) {
        free(t);
        free(cv);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    for (k = 0; k < TSQ_TIER_COLS; k++) cols[k] = cv + k * TSQ_TIER_BLOCK_MAX;
    rc = sqlite3_prepare_v2(db->db,
                            "SELECT t0_us, t1_us, n, data FROM tier_blocks WHERE signal = ?1"
                            " AND res_us = ?2 AND t1_us >= ?3 AND t0_us < ?4 ORDER BY t0_us",
                            -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, row);
        sqlite3_bind_int64(q, 2, res);
        sqlite3_bind_int64(q, 3, from);
        sqlite3_bind_int64(q, 4, to);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            size_t n = 0, i;
            int r = tsq_tier_block_decode(sqlite3_column_blob(q, 3),
                                          (size_t)sqlite3_column_bytes(q, 3), t, cols, &n);
            if (r != TSQ_BLOCK_OK) {
                if (st == TWIN_OK)
                    st = tsq_fail(db, block_status(r), SQLITE_OK,
                                  "signal '%s' of '%s': the tier block of %lld buckets of %lld us"
                                  " from t_us %lld to %lld %s; skipped",
                                  name, twin, (long long)sqlite3_column_int64(q, 2),
                                  (long long)res, (long long)sqlite3_column_int64(q, 0),
                                  (long long)sqlite3_column_int64(q, 1), block_why(r));
                continue;
            }
            for (i = 0; i < n; i++)
                if (t[i] >= from && t[i] < to)
                    bk_add(c, t[i], (uint64_t)cols[0][i], cols[1][i], cols[2][i], cols[3][i],
                           cols[4][i], cols[5][i]);
        }
    }
    sqlite3_finalize(q);
    free(t);
    free(cv);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read tier blocks");
    return st;
}

twin_status twin_sqlite_read_tier(twin_sqlite *db, const char *twin_id, const char *name,
                                  int64_t from_us, int64_t to_us, int64_t bucket_us,
                                  twin_sqlite_bucket *out, size_t cap, size_t *count,
                                  twin_sqlite_tier_answer *answer)
{
    twin_sqlite_tier_answer ans;
    tier_c *cand = NULL;
    size_t nc, k, pick = SIZE_MAX, rank = 0;
    int64_t row, raw_from;
    twin_status st, bad = TWIN_OK;
    bk_ctx c;
    if (!db) return TWIN_E_INVAL;
    if (count) *count = 0;
    if ((st = read_checks(db, twin_id, name)) != TWIN_OK) return st;
    if (bucket_us <= 0) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "bucket_us must be positive");
    if (!count || (cap && !out)) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "a pointer is NULL");
    if (cap && (out[0].size < 8 || out[0].size > sizeof *out))
        return tsq_fail(db, out[0].size < 8 ? TWIN_E_INVAL : TWIN_E_ABI, SQLITE_OK,
                        "bucket: %s size", out[0].size < 8 ? "too small a" : "unknown");
    if (answer && (st = twin__sized_check(answer, sizeof ans)) != TWIN_OK)
        return tsq_fail(db, st, SQLITE_OK, "tier answer: %s size",
                        st == TWIN_E_ABI ? "unknown" : "too small a");
    if (from_us > to_us)
        return tsq_fail(db, TWIN_E_RANGE, SQLITE_OK, "inverted range: from %lld after to %lld",
                        (long long)from_us, (long long)to_us);
    if ((st = find_signal(db, twin_id, name, &row)) != TWIN_OK) return st;
    if ((st = tier_candidates(db, row, &cand, &nc)) != TWIN_OK) return st;
    raw_from = cand[0].from;
    /* the finest that covers the range and makes buckets of the width;
       else the one that reaches back furthest */
    for (k = 0; k < nc; k++) {
        if (cand[k].res && bucket_us % cand[k].res) continue;
        if (cand[k].from <= from_us) {
            if (pick == SIZE_MAX || cand[pick].from > from_us || cand[k].res < cand[pick].res)
                pick = k;
        } else if (pick == SIZE_MAX ||
                   (cand[pick].from > from_us &&
                    (cand[k].from < cand[pick].from ||
                     (cand[k].from == cand[pick].from && cand[k].res < cand[pick].res)))) {
            pick = k;
        }
    }
    memset(&ans, 0, sizeof ans);
    ans.size = sizeof ans;
    ans.res_us = cand[pick].res;
    ans.covered_from_us = cand[pick].from;
    ans.complete = cand[pick].from <= from_us;
    for (k = 0; k < nc; k++) /* its rank among the signal's widths */
        if (cand[k].res && cand[k].res <= cand[pick].res) rank++;
    ans.tier = cand[pick].res ? (int32_t)rank : 0;
    memset(&c, 0, sizeof c);
    c.cap = cap;
    c.width = bucket_us;
    if (cap && !(c.out = malloc(cap * sizeof *c.out))) {
        free(cand);
        return tsq_fail(db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    }
    if (cand[pick].res) {
        /* the tier's blocks and buckets before the raw mark, then the raw
           samples */
        sqlite3_stmt *q;
        int64_t end = to_us < raw_from ? to_us : raw_from;
        int rc;
        st = tier_blocks_read(db, &c, row, twin_id, name, cand[pick].res, from_us, end);
        if (st != TWIN_OK && st != TWIN_E_PARSE && st != TWIN_E_STATE) goto out;
        bad = st;
        st = TWIN_OK;
        rc = sqlite3_prepare_v2(db->db,
                                    "SELECT t_us, n, sum, min, max, first, last FROM tiers"
                                    " WHERE signal = ?1 AND res_us = ?2 AND t_us >= ?3"
                                    " AND t_us < ?4 ORDER BY t_us",
                                    -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, row);
            sqlite3_bind_int64(q, 2, cand[pick].res);
            sqlite3_bind_int64(q, 3, from_us);
            sqlite3_bind_int64(q, 4, to_us < raw_from ? to_us : raw_from);
            while ((rc = sqlite3_step(q)) == SQLITE_ROW)
                bk_add(&c, sqlite3_column_int64(q, 0), (uint64_t)sqlite3_column_int64(q, 1),
                       sqlite3_column_double(q, 2), sqlite3_column_double(q, 3),
                       sqlite3_column_double(q, 4), sqlite3_column_double(q, 5),
                       sqlite3_column_double(q, 6));
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) st = tsq_sqlfail(db, rc, "cannot read a tier");
        if (st == TWIN_OK && raw_from < to_us)
            st = tsq_read_row(db, row, twin_id, name, from_us > raw_from ? from_us : raw_from, to_us,
                          bk_fn, &c);
        if (st == TWIN_OK && bad != TWIN_OK) st = bad; /* its message names the block */
    } else {
        st = tsq_read_row(db, row, twin_id, name, from_us, to_us, bk_fn, &c);
    }
out:
    free(cand);
    bk_close(&c);
    for (k = 0; k < cap && k < c.n; k++) {
        uint32_t sz = out[0].size;
        c.out[k].size = sz;
        memcpy((char *)out + k * sz, &c.out[k], sz);
    }
    free(c.out);
    *count = c.n;
    if (answer) twin__sized_out(answer, &ans, sizeof ans);
    if (st == TWIN_OK && c.n > cap)
        return tsq_fail(db, TWIN_E_RANGE, SQLITE_OK, "%zu buckets, room for %zu", c.n, cap);
    return st;
}

/* ---- checking every block ------------------------------------------------ */

twin_status twin_sqlite_check_blocks(twin_sqlite *db, twin_sqlite_bad_block_fn fn, void *ud,
                                     uint64_t *bad)
{
    sqlite3_stmt *s;
    uint64_t nbad = 0;
    twin_status st = TWIN_OK;
    int rc;
    if (bad) *bad = 0;
    if (!db) return TWIN_E_INVAL;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "records delivered but not flushed");
    if (db->schema < 3) return TWIN_OK;
    rc = sqlite3_prepare_v2(db->db,
                            "SELECT g.twin, g.name, b.t0_us, b.t1_us, b.n, b.data, 0 FROM blocks b"
                            " JOIN signals g ON g.id = b.signal UNION ALL"
                            " SELECT g.twin, g.name, b.t0_us, b.t1_us, b.n, b.data, 1"
                            " FROM open_blocks b JOIN signals g ON g.id = b.signal",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read blocks");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        tsq_block_head h;
        int r = tsq_block_check(sqlite3_column_blob(s, 5), (size_t)sqlite3_column_bytes(s, 5), &h);
        twin_sqlite_bad_block b;
        if (r == TSQ_BLOCK_OK) continue;
        nbad++;
        if (!fn) continue;
        memset(&b, 0, sizeof b);
        b.size = sizeof b;
        b.status = block_status(r);
        b.twin_id = (const char *)sqlite3_column_text(s, 0);
        b.name = (const char *)sqlite3_column_text(s, 1);
        b.t0_us = sqlite3_column_int64(s, 2);
        b.t1_us = sqlite3_column_int64(s, 3);
        b.samples = (uint64_t)sqlite3_column_int64(s, 4);
        b.open = sqlite3_column_int(s, 6);
        if ((st = fn(ud, &b)) != TWIN_OK) break;
    }
    sqlite3_finalize(s);
    if (bad) *bad = nbad;
    if (st != TWIN_OK) return st;
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read blocks");
    return TWIN_OK;
}
