/* libtwin-sqlite internals: the handle, its statements, errors. */
#ifndef TWIN_SQLITE_INT_H
#define TWIN_SQLITE_INT_H

#include "twin/sqlite.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Size-first structs, by libtwin's rules (twin/core.h): the same
 * header-only helper as libtwin's (core/sized.h). */
#include "core/sized.h"

/* A sample by row, to insert in key order. */
struct tsq_row {
    int64_t row, t;
    double v;
    twin_signal h;
};

/* A signal's compressed series being written (series.c). */
typedef struct tsq_series tsq_series;

/* What the database knows of a signal handle of this process. */
typedef struct tsq_sig {
    twin_signal handle;    /* 0: empty slot */
    int64_t row;           /* signals.id */
    int64_t latest_t;      /* committed latest (INT64_MIN: none) */
    int64_t pend_t;        /* latest among this transaction's samples */
    double pend_v;
    int touched;           /* pend_* hold for this transaction */
    int fresh;             /* row inserted in this transaction */
    int dirty;             /* on the dirty list */
    int ser_changed;       /* ser's open block changed in this transaction */
    tsq_series *ser;       /* NULL: not loaded (schema 3) */
    int fold_queued;       /* on db->foldq (tiers.c) */
} tsq_sig;

enum {
    ST_SAMPLE, ST_SIG_INS, ST_SIG_GET, ST_TWIN_PUT, ST_TWIN_DEL, ST_TWIN_SIGS_DEL,
    ST_TWIN_SAMPLES_DEL, ST_TWIN_HEALTH_DEL, ST_REL_PUT, ST_REL_DEL, ST_HEALTH_PUT,
    ST_LATEST, ST_BLK_INS, ST_BLK_LAST, ST_BLK_RANGE, ST_BLK_AT, ST_OPEN_GET, ST_OPEN_PUT,
    ST_OPEN_DEL, ST_OPEN_RANGE, ST_RAW_RANGE, ST_TWIN_BLOCKS_DEL, ST_TWIN_OPEN_DEL, ST_SIG_OF_TWIN,
    ST_SIG_POLICY, ST_MARK_GET, ST_MARK_PUT, ST_FOLD_OLDEST, ST_BLK_DEL, ST_LATE_UPTO,
    ST_LATE_DEL_UPTO, ST_TIER_GET, ST_TIER_PUT, ST_TIER_OLD, ST_TIER_DEL, ST_TWIN_TIERS_DEL,
    ST_TWIN_MARKS_DEL, ST_TWIN_TBLK_DEL, ST_TIER_FULL, ST_TBLK_INS, ST_TIER_DEL_UPTO, ST_TBLK_OLD,
    ST_TBLK_DEL, ST_TBLK_AT, ST_TBLK_FIRST, ST_TBLK_MAXT1, ST_MARK_DEL, ST_TBLK_OF_RES,
    ST_TIER_OF_RES, ST_UPSTREAMS_ANY, ST_LATE_LOG, ST_LATE_FORGET_UPTO, ST_LATE_FORGET_BEFORE,
    ST_TWIN_LATE_DEL, ST_COUNT
};

struct twin_sqlite {
    sqlite3 *db;
    twin_error err;        /* the last failure; a success leaves it (core.h) */
    uint64_t nfail;        /* failures recorded so far */
    char msg[TWIN_ERROR_MESSAGE_MAX];
    sqlite3_stmt *st[ST_COUNT];
    int in_tx;
    int readonly;
    uint64_t dup_dropped;  /* late samples at a time already held (series.c) */
    int late_logging;      /* a forwarder registered (latelog.c): 1, 0; -1 not read in
                              this transaction yet */
    const twin_ingest *ing;
    tsq_sig *sigs;         /* open addressing by handle */
    size_t nsigs, capsigs;
    struct tsq_row *rows;  /* a batch of samples sorted by row and time */
    size_t caprows;
    struct tsq_row *tmprows; /* sort scratch */
    size_t captmp;
    twin_signal *dirty;    /* handles touched by the open transaction */
    size_t ndirty, capdirty;
    int schema;            /* the database's schema version */
    int64_t *dec_t;        /* block decode scratch (TSQ_BLOCK_MAX) */
    double *dec_v;
    int has_retention;
    twin_sqlite_retention retention;
    /* tiers (tiers.c, schema 4) */
    int has_policies;      /* the policies table has rows */
    uint32_t fold_blocks, fold_rows;  /* budget per flush */
    uint64_t blocks_closed;  /* blocks closed since the last flush's fold */
    uint64_t flushes;      /* flushes without policies (to look again) */
    twin_signal *foldq;    /* signals that may have aging data */
    size_t nfoldq, capfoldq;
};

/* Record a failure: status s, message (printf), SQLite's message appended
 * when rc is not SQLITE_OK. Returns s. */
twin_status tsq_fail(twin_sqlite *db, twin_status s, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* The twin_status of a SQLite result code. */
twin_status tsq_status(int rc);
/* Fail with the connection's error for rc, saying what was done. */
twin_status tsq_sqlfail(twin_sqlite *db, int rc, const char *what);
void tsq_ok(twin_sqlite *db);

/* A sample value bound and read so that -0.0 survives: SQLite stores an
   integral REAL as an integer, which loses the sign of zero, so -0.0 goes
   in as its 8 bytes (a blob, little-endian IEEE 754) and comes back from
   them; every other value is a REAL. (Readers older than 1.7 see 0.0.) */
void tsq_bind_value(sqlite3_stmt *s, int col, double v);
double tsq_column_value(sqlite3_stmt *s, int col);
/* SQL giving a value column (as written by tsq_bind_value) as a number. */
#define TSQ_SQL_VALUE(col) "(CASE WHEN typeof(" col ") = 'blob' THEN 0.0 ELSE " col " END)"

/* A prepared statement (cached), reset and cleared; NULL after tsq_fail. */
sqlite3_stmt *tsq_stmt(twin_sqlite *db, int which);
/* Run one statement without results. */
twin_status tsq_exec(twin_sqlite *db, const char *sql);
/* Begin the outbox transaction if none is open. */
twin_status tsq_begin(twin_sqlite *db);
/* Roll back the open transaction (and forget this transaction's signals). */
void tsq_rollback(twin_sqlite *db);

/* Signals by handle. */
tsq_sig *tsq_sig_find(twin_sqlite *db, twin_signal h);
tsq_sig *tsq_sig_put(twin_sqlite *db, twin_signal h); /* NULL: no memory */
void tsq_sig_drop(twin_sqlite *db, twin_signal h);
void tsq_sig_clear(twin_sqlite *db);
/* Put g on the dirty list; -1: no memory. */
int tsq_sig_dirty(twin_sqlite *db, tsq_sig *g);

/* Properties: encode a member array into a malloc'ed blob; decode a blob
 * into members allocated in one malloc'ed block (*block; free it): 0, -1
 * malformed, -2 no memory, -3 nested deeper than TWIN_VALUE_DEPTH_MAX. */
int tsq_props_encode(const twin_member *m, size_t n, unsigned char **out, size_t *len);
int tsq_props_decode(const unsigned char *b, size_t len, twin_member **out, size_t *n,
                     void **block);

/* Compressed series (series.c). */
twin_status tsq_series_append(twin_sqlite *db, tsq_sig *g, const struct tsq_row *r, size_t n);
twin_status tsq_series_flush(twin_sqlite *db, tsq_sig *g);
void tsq_series_committed(tsq_sig *g);
void tsq_series_free(tsq_series *s);
void tsq_series_forget_all(twin_sqlite *db);
twin_status tsq_series_encode(twin_sqlite *db, int64_t row, const int64_t *t, const double *v,
                              size_t n);

/* The late log of the forwarders (latelog.c, schema 7). */
/* A late sample of signal `row` at t stored raw (in `samples`), in the open
   transaction: logged when a forwarder has registered. */
twin_status tsq_late_log(twin_sqlite *db, int64_t row, int64_t t);
/* Raw late samples deleted: signal row's up to t1 (folding), or every
   signal's before t (row 0; retention): their log rows go with them. */
twin_status tsq_late_forget(twin_sqlite *db, int64_t row, int64_t t);

/* Tiers (tiers.c, policy.c). */
/* A signal's tier marks (tier_marks: the raw mark, res 0, and each tier's),
   every row of them, by width; free with tsq_marks_free(). */
typedef struct tsq_marks {
    size_t n, cap;
    int64_t *res, *t;   /* t lives in res's block */
} tsq_marks;
twin_status tsq_marks_load(twin_sqlite *db, int64_t row, tsq_marks *m);
void tsq_marks_free(tsq_marks *m);
twin_status tsq_policies_refresh(twin_sqlite *db);
/* The database open and no transaction open; else a failure recorded. */
twin_status tsq_ready(twin_sqlite *db);
/* Queue g's signal for folding (a no-op without policies); -1: no memory. */
int tsq_fold_queue(twin_sqlite *db, tsq_sig *g);
/* Fold within the open transaction, by the per-flush budget; a failure
   is rolled back to before the fold and leaves the transaction usable. */
void tsq_fold_flush(twin_sqlite *db);
/* A late sample (t, v) of signal `row`, in the open transaction: when its
   time is before the signal's fold point (its span was folded), it is
   added to the bucket of every tier of the signal's policy that holds that
   time (*folded 1; past every tier's span it goes nowhere, as folding
   would have done); else *folded 0 and the caller keeps it raw. */
twin_status tsq_tier_late(twin_sqlite *db, int64_t row, int64_t t, double v, int *folded);
/* Read signal row's samples in [from, to) (raw rows, closed blocks and the
   open block's logged chunks, merged in time order) into fn (read.c);
   twin and name name the signal in messages. */
twin_status tsq_read_row(twin_sqlite *db, int64_t row, const char *twin, const char *name,
                         int64_t from, int64_t to, twin_sqlite_samples_fn fn, void *ud);
/* A tier block (tier_blocks.data): up to TSQ_TIER_BLOCK_MAX buckets (made
   when that many are complete; fewer when they would not fit a page),
   eight columns (count, sum, min, max, first, last, and the times of the
   first and last samples as offsets from the bucket's start), each a codec
   block over the buckets' start times (format 2; format 1, of schema 4,
   has the first six: the decoder gives NaN for the offsets). Decode into t
   (room for 2 * TSQ_TIER_BLOCK_MAX) and cols[TSQ_TIER_COLS]
   (TSQ_TIER_BLOCK_MAX each); *n receives the buckets. 0 or a TSQ_BLOCK_
   error. */
#define TSQ_TIER_BLOCK_MAX 512
#define TSQ_TIER_COLS 8
int tsq_tier_block_decode(const unsigned char *b, size_t len, int64_t *t,
                          double *cols[TSQ_TIER_COLS], size_t *n);
/* Encode the first *n buckets (at most TSQ_TIER_BLOCK_MAX; fewer when they
   would not fit a page: *n is lowered) into a malloc'ed blob. 0, -1: no
   memory. */
int tsq_tier_block_encode(const int64_t *t, double *const cols[TSQ_TIER_COLS], size_t *n,
                          unsigned char **out, size_t *len);

#endif
