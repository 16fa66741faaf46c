/* The forwarders' spool: cursors in the store's database, batches read a
   signal at a time, backoff. See spool.h. */
#include "late.h"

#include <sqlite3.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static twin_status sp_fail(twin_spool *sp, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sp->msg, sizeof sp->msg, fmt, ap);
    va_end(ap);
    return s;
}

twin_status twin__spool_sql_fail(twin_spool *sp, const char *what)
{
    int rc = sqlite3_errcode(sp->conn);
    twin_status s = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? TWIN_E_BUSY
                    : rc == SQLITE_NOMEM                     ? TWIN_E_NOMEM
                                                             : TWIN_E_IO;
    return sp_fail(sp, s, "%s: %s", what, sqlite3_errmsg(sp->conn));
}

char *twin__spool_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int twin__spool_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap ? *cap : 64;
    void *n;
    if (need <= *cap) return 0;
    while (c < need) c *= 2;
    n = realloc(*p, c * elem);
    if (!n) return -1;
    *p = n;
    *cap = c;
    return 0;
}

int64_t twin__spool_mono_us(void *ud)
{
    struct timespec ts;
    (void)ud;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t twin__spool_seed(uint64_t seed)
{
    return seed ? seed : (uint64_t)twin__spool_mono_us(NULL) * 2654435761u + 1;
}

int64_t twin__spool_backoff_us(uint64_t *rng, int *attempt, int32_t initial_ms, int32_t max_ms)
{
    int64_t d = initial_ms, half;
    uint64_t x = *rng;
    int k;
    for (k = 0; k < *attempt && d < max_ms; k++) d *= 2;
    if (d > max_ms) d = max_ms;
    if (*attempt < 62) (*attempt)++;
    /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *rng = x;
    x *= 0x2545F4914F6CDD1DULL;
    half = d / 2;
    d = half + (int64_t)(x % (uint64_t)(d - half + 1));
    return d * 1000;
}

static void free_sigs(twin_spool_sig *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        free(v[i].twin);
        free(v[i].name);
        free(v[i].unit);
        free(v[i].model);
        free(v[i].rels);
        free(v[i].aux);
    }
    free(v);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

#define sql_fail twin__spool_sql_fail
#define load_sigs twin__spool_load_sigs

/* Read the signals, their newest times, this upstream's cursors. */
twin_status twin__spool_load_sigs(twin_spool *sp)
{
    sqlite3_stmt *q = NULL;
    twin_spool_sig *v = NULL;
    size_t n = 0, cap = 0;
    char *sql;
    int rc;
    sql = sqlite3_mprintf(
        "SELECT s.twin, s.name, s.unit, t.model, s.latest_t_us, c.t_us, %s, s.id FROM signals s"
        " LEFT JOIN twins t ON t.id = s.twin"
        " LEFT JOIN \"%w\" c ON c.upstream = ?1 AND c.twin = s.twin"
        " AND c.signal = s.name ORDER BY s.id",
        (sp->flags & TWIN_SPOOL_RELS)
            ? "(SELECT json_group_object(name, target) FROM (SELECT name, MIN(target) AS target"
              " FROM relationships WHERE source = s.twin GROUP BY name ORDER BY name))"
            : "NULL",
        sp->table);
    if (!sql) return sp_fail(sp, TWIN_E_NOMEM, "out of memory");
    rc = sqlite3_prepare_v2(sp->conn, sql, -1, &q, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return sql_fail(sp, "reading the signals");
    sqlite3_bind_text(q, 1, sp->upstream, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        twin_spool_sig *s;
        if (twin__spool_grow((void **)&v, &cap, n + 1, sizeof *v) != 0) goto nomem;
        s = &v[n];
        memset(s, 0, sizeof *s);
        n++;
        s->twin = twin__spool_strdup(col_text(q, 0));
        s->name = twin__spool_strdup(col_text(q, 1));
        s->unit = twin__spool_strdup(col_text(q, 2));
        s->model = twin__spool_strdup(col_text(q, 3));
        if (!s->twin || !s->name || !s->unit || !s->model) goto nomem;
        if ((sp->flags & TWIN_SPOOL_RELS) &&
            !(s->rels = twin__spool_strdup(sqlite3_column_type(q, 6) == SQLITE_NULL
                                               ? "{}"
                                               : col_text(q, 6))))
            goto nomem;
        s->latest = sqlite3_column_type(q, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(q, 4);
        s->cursor = sqlite3_column_type(q, 5) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(q, 5);
        s->id = sqlite3_column_int64(q, 7);
        if (sp->on_sig && sp->on_sig(sp->sig_ud, s) != 0) goto nomem;
    }
    if (rc != SQLITE_DONE) {
        twin_status st = sql_fail(sp, "reading the signals");
        sqlite3_finalize(q);
        free_sigs(v, n);
        return st;
    }
    sqlite3_finalize(q);
    free_sigs(sp->sigs, sp->nsig);
    sp->sigs = v;
    sp->nsig = n;
    if (sp->next_sig >= n) sp->next_sig = 0;
    return TWIN_OK;
nomem:
    sqlite3_finalize(q);
    free_sigs(v, n);
    return sp_fail(sp, TWIN_E_NOMEM, "out of memory");
}

twin_status twin__spool_open(twin_spool *sp, twin_sqlite *db, const char *table,
                             const char *upstream, uint32_t flags, twin_spool_sig_fn on_sig,
                             void *sig_ud)
{
    char *sql;
    twin_status s;
    int rc;
    memset(sp, 0, sizeof *sp);
    sp->db = db;
    sp->conn = twin_sqlite_connection(db);
    sp->flags = flags;
    sp->on_sig = on_sig;
    sp->sig_ud = sig_ud;
    if (!sp->conn) return sp_fail(sp, TWIN_E_INVAL, "no SQLite connection");
    sp->table = twin__spool_strdup(table);
    sp->upstream = twin__spool_strdup(upstream);
    if (!sp->table || !sp->upstream) {
        twin__spool_close(sp);
        return sp_fail(sp, TWIN_E_NOMEM, "out of memory");
    }
    sql = sqlite3_mprintf("CREATE TABLE IF NOT EXISTS \"%w\"(upstream TEXT NOT NULL,"
                          " twin TEXT NOT NULL, signal TEXT NOT NULL, t_us INTEGER NOT NULL,"
                          " PRIMARY KEY(upstream, twin, signal)) WITHOUT ROWID",
                          table);
    if (!sql) {
        twin__spool_close(sp);
        return sp_fail(sp, TWIN_E_NOMEM, "out of memory");
    }
    rc = sqlite3_exec(sp->conn, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        s = sql_fail(sp, "creating the cursor table");
        twin__spool_close(sp);
        return s == TWIN_E_NOMEM ? s : TWIN_E_IO;
    }
    if ((s = twin__spool_late_open(sp)) != TWIN_OK) {
        twin__spool_close(sp);
        return s == TWIN_E_NOMEM ? s : TWIN_E_IO;
    }
    if ((s = load_sigs(sp)) != TWIN_OK) {
        twin__spool_close(sp);
        return s;
    }
    return TWIN_OK;
}

void twin__spool_close(twin_spool *sp)
{
    free_sigs(sp->sigs, sp->nsig);
    free(sp->marks);
    free(sp->late);
    free(sp->table);
    free(sp->upstream);
    sp->sigs = NULL;
    sp->marks = NULL;
    sp->late = NULL;
    sp->table = sp->upstream = NULL;
    sp->nsig = sp->nmarks = sp->marks_cap = sp->late_cap = 0;
}

static twin_status on_samples(void *ud, const int64_t *t, const double *v, size_t n)
{
    twin_spool *sp = ud;
    twin_spool_mark *m;
    size_t take;
    int r;
    if (!sp->nmarks || sp->marks[sp->nmarks - 1].sig != sp->cur_sig) {
        if (twin__spool_grow((void **)&sp->marks, &sp->marks_cap, sp->nmarks + 1,
                             sizeof *sp->marks) != 0)
            return TWIN_E_NOMEM;
        sp->marks[sp->nmarks].sig = sp->cur_sig;
        sp->marks[sp->nmarks].t_us = sp->sigs[sp->cur_sig].cursor;
        sp->nmarks++;
    }
    m = &sp->marks[sp->nmarks - 1];
    take = n < sp->room ? n : sp->room;
    if (take) {
        r = sp->fn(sp->ud, sp->cur_sig, t, v, take);
        if (r != TWIN_OK && r != TWIN_SPOOL_FULL) {
            sp->fn_status = r;
            return (twin_status)r;
        }
        m->t_us = t[take - 1];
        sp->room -= take;
        if (r == TWIN_SPOOL_FULL) sp->room = 0;
    }
    if (take < n || sp->room == 0) {
        sp->full = 1;
        return (twin_status)TWIN_SPOOL_FULL;
    }
    return TWIN_OK;
}

twin_status twin__spool_fill(twin_spool *sp, size_t max, twin_spool_samples_fn fn, void *ud)
{
    size_t visited, taken;
    twin_status s;
    sp->nmarks = 0;
    sp->late_moved = 0;
    sp->full = 0;
    sp->fn = fn;
    sp->ud = ud;
    sp->room = max;
    sp->fn_status = TWIN_OK;
    if (max == 0) return TWIN_OK;
    /* The signals and their newest times are read again at each round: when
       a fill starts at the first signal, and after a fill that went round
       them all without filling up (it ended where it started, maybe not at
       the first: the samples stored since would go unseen). */
    if ((sp->next_sig == 0 || sp->round_done) && (s = load_sigs(sp)) != TWIN_OK) return s;
    sp->round_done = 0;
    /* late samples first (see late.c for why), a batch of their own */
    s = twin__spool_late_fill(sp, max, &taken);
    if (sp->fn_status != TWIN_OK)
        return sp_fail(sp, (twin_status)sp->fn_status, "building a batch failed");
    if (s == TWIN_E_NOMEM) return sp_fail(sp, s, "out of memory");
    if (s != TWIN_OK) return s;
    if (taken) return TWIN_OK;
    for (visited = 0; visited < sp->nsig && !sp->full; visited++) {
        twin_spool_sig *g = &sp->sigs[sp->next_sig];
        if (g->latest != INT64_MIN && g->latest > g->cursor) {
            sp->cur_sig = sp->next_sig;
            s = twin_sqlite_read(sp->db, g->twin, g->name,
                                 g->cursor == INT64_MIN ? INT64_MIN : g->cursor + 1, INT64_MAX,
                                 on_samples, sp);
            if (sp->fn_status != TWIN_OK)
                return sp_fail(sp, (twin_status)sp->fn_status, "building a batch failed");
            if (s == TWIN_E_NOMEM) return sp_fail(sp, s, "out of memory");
            if (s != TWIN_OK && s != (twin_status)TWIN_SPOOL_FULL && s != TWIN_E_NOTFOUND) {
                const twin_error *e = twin_sqlite_last_error(sp->db);
                return sp_fail(sp, s == TWIN_E_BUSY ? s : TWIN_E_IO, "reading %s/%s: %s", g->twin,
                               g->name, e ? e->message : "");
            }
        }
        if (!sp->full) sp->next_sig = (sp->next_sig + 1) % (sp->nsig ? sp->nsig : 1);
    }
    sp->round_done = !sp->full;
    return TWIN_OK;
}

int twin__spool_pending(const twin_spool *sp)
{
    return sp->nmarks != 0 || sp->late_moved;
}

void twin__spool_drop(twin_spool *sp)
{
    sp->nmarks = 0;
    sp->late_moved = 0;
}

twin_status twin__spool_commit(twin_spool *sp)
{
    sqlite3_stmt *q = NULL;
    char *sql;
    size_t i;
    int rc;
    if (!sp->nmarks && !sp->late_moved) return TWIN_OK;
    if (sqlite3_exec(sp->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(sp, "saving the cursors");
    sql = sqlite3_mprintf("INSERT OR REPLACE INTO \"%w\"(upstream, twin, signal, t_us)"
                          " VALUES(?1, ?2, ?3, ?4)",
                          sp->table);
    if (!sql) {
        sqlite3_exec(sp->conn, "ROLLBACK", NULL, NULL, NULL);
        return sp_fail(sp, TWIN_E_NOMEM, "out of memory");
    }
    rc = sqlite3_prepare_v2(sp->conn, sql, -1, &q, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) goto bad;
    for (i = 0; i < sp->nmarks; i++) {
        const twin_spool_sig *s = &sp->sigs[sp->marks[i].sig];
        sqlite3_bind_text(q, 1, sp->upstream, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, s->twin, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, sp->marks[i].t_us);
        if (sqlite3_step(q) != SQLITE_DONE) goto bad;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (twin__spool_late_commit(sp) != SQLITE_OK) goto bad;
    if (sqlite3_exec(sp->conn, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto bad;
    for (i = 0; i < sp->nmarks; i++) sp->sigs[sp->marks[i].sig].cursor = sp->marks[i].t_us;
    sp->nmarks = 0;
    if (sp->late_moved) sp->late_seq = sp->late_mark;
    sp->late_moved = 0;
    return TWIN_OK;
bad: {
    twin_status s = sql_fail(sp, "saving the cursors");
    sqlite3_finalize(q);
    sqlite3_exec(sp->conn, "ROLLBACK", NULL, NULL, NULL);
    return s;
}
}

twin_status twin__spool_backlog(twin_spool *sp, uint64_t *samples, uint64_t *signals,
                                int64_t *lag_us)
{
    sqlite3_stmt *q = NULL;
    char *sql;
    int rc;
    sql = sqlite3_mprintf(
        "WITH c AS (SELECT s.id AS id, s.latest_t_us AS latest,"
        " COALESCE(k.t_us, -9223372036854775807 - 1) AS cur FROM signals s"
        " LEFT JOIN \"%w\" k ON k.upstream = ?1 AND k.twin = s.twin"
        " AND k.signal = s.name WHERE s.latest_t_us IS NOT NULL AND s.latest_t_us > "
        " COALESCE(k.t_us, -9223372036854775807 - 1))"
        " SELECT COUNT(*), MAX(CASE WHEN cur = -9223372036854775807 - 1 THEN 0 ELSE latest - cur END),"
        " (SELECT COALESCE(SUM(b.n), 0) FROM c JOIN blocks b ON b.signal = c.id AND b.t1_us > c.cur)"
        " + (SELECT COALESCE(SUM(o.n), 0) FROM c JOIN open_blocks o ON o.signal = c.id"
        " AND o.t1_us > c.cur)"
        " + (SELECT COUNT(*) FROM c JOIN samples x ON x.signal = c.id AND x.t_us > c.cur),"
        " MIN(cur) FROM c",
        sp->table);
    if (!sql) return sp_fail(sp, TWIN_E_NOMEM, "out of memory");
    rc = sqlite3_prepare_v2(sp->conn, sql, -1, &q, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return sql_fail(sp, "counting the backlog");
    sqlite3_bind_text(q, 1, sp->upstream, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        twin_status s = sql_fail(sp, "counting the backlog");
        sqlite3_finalize(q);
        return s;
    }
    *signals = (uint64_t)sqlite3_column_int64(q, 0);
    *lag_us = sqlite3_column_int64(q, 1);
    *samples = (uint64_t)sqlite3_column_int64(q, 2);
    if (*signals && sqlite3_column_int64(q, 3) == INT64_MIN) {
        /* a signal never forwarded: lag from its oldest sample */
        sqlite3_finalize(q);
        if (sqlite3_prepare_v2(sp->conn,
                               "SELECT MAX(s.latest_t_us - COALESCE((SELECT MIN(t0_us) FROM blocks"
                               " WHERE signal = s.id), (SELECT MIN(t0_us) FROM open_blocks WHERE"
                               " signal = s.id), s.latest_t_us)) FROM signals s",
                               -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > *lag_us)
            *lag_us = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    {
        uint64_t late = 0;
        twin_status s = twin__spool_late_backlog(sp, &late);
        if (s != TWIN_OK) return s;
        *samples += late;
    }
    return TWIN_OK;
}
