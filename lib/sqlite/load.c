/* libtwin-sqlite: the loader (twins, relationships, signals with their
 * latest values and health states), for twin_store_load(). */
#include "sqlite_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct loader {
    twin_sqlite *db;
    sqlite3_stmt *twins, *rels, *sigs;
    void *block;                      /* properties of the current item */
    twin_signal_options sopt;
    twin_health_options hopt;
    twin_health health;
    twin_status fail;                 /* what the database said */
} loader;

static twin_status read_failed(loader *L, int rc, const char *what)
{
    L->fail = tsq_sqlfail(L->db, rc, what);
    return L->fail;
}

static twin_status malformed(loader *L, const char *what, const char *id)
{
    L->fail = tsq_fail(L->db, TWIN_E_INVAL, SQLITE_OK, "%s '%.128s' is malformed in the store",
                       what, id ? id : "");
    return L->fail;
}

static twin_status props_of(loader *L, sqlite3_stmt *s, int col, const twin_member **m,
                            size_t *n, const char *what, const char *id)
{
    twin_member *mm;
    int r;
    free(L->block);
    L->block = NULL;
    r = tsq_props_decode(sqlite3_column_blob(s, col), (size_t)sqlite3_column_bytes(s, col), &mm,
                         n, &L->block);
    if (r == -2) return L->fail = tsq_fail(L->db, TWIN_E_NOMEM, SQLITE_OK, "out of memory");
    if (r == -3)
        return L->fail = tsq_fail(L->db, TWIN_E_RANGE, SQLITE_OK,
                                  "%s '%.128s': properties nested deeper than %d in the store",
                                  what, id ? id : "", TWIN_VALUE_DEPTH_MAX);
    if (r != 0) return malformed(L, what, id);
    *m = mm;
    return TWIN_OK;
}

static twin_status next_twin(void *ud, twin_store_twin *out)
{
    loader *L = ud;
    int rc = sqlite3_step(L->twins);
    if (rc == SQLITE_DONE) return TWIN_DONE;
    if (rc != SQLITE_ROW) return read_failed(L, rc, "cannot read the twins");
    out->id = (const char *)sqlite3_column_text(L->twins, 0);
    out->model_id = (const char *)sqlite3_column_text(L->twins, 1);
    return props_of(L, L->twins, 2, &out->props, &out->nprops, "twin", out->id);
}

static twin_status next_rel(void *ud, twin_relationship *out)
{
    loader *L = ud;
    const twin_member *m;
    size_t n;
    twin_status s;
    int rc = sqlite3_step(L->rels);
    if (rc == SQLITE_DONE) return TWIN_DONE;
    if (rc != SQLITE_ROW) return read_failed(L, rc, "cannot read the relationships");
    out->source_id = (const char *)sqlite3_column_text(L->rels, 0);
    out->id = (const char *)sqlite3_column_text(L->rels, 1);
    out->name = (const char *)sqlite3_column_text(L->rels, 2);
    out->target_id = (const char *)sqlite3_column_text(L->rels, 3);
    if ((s = props_of(L, L->rels, 4, &m, &n, "relationship", out->id)) != TWIN_OK) return s;
    out->properties = m;
    out->property_count = (uint32_t)n;
    return TWIN_OK;
}

static twin_status next_sig(void *ud, twin_store_loaded_signal *out)
{
    loader *L = ud;
    sqlite3_stmt *s = L->sigs;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return TWIN_DONE;
    if (rc != SQLITE_ROW) return read_failed(L, rc, "cannot read the signals");
    out->twin_id = (const char *)sqlite3_column_text(s, 0);
    out->name = (const char *)sqlite3_column_text(s, 1);
    if (out->name && strnlen(out->name, TWIN_ID_MAX + 1) > TWIN_ID_MAX)
        return L->fail = tsq_fail(L->db, TWIN_E_RANGE, SQLITE_OK,
                                  "signal '%.64s...' of twin '%.128s': a name longer than %d "
                                  "bytes in the store",
                                  out->name, out->twin_id ? out->twin_id : "", TWIN_ID_MAX);
    L->sopt.unit = (const char *)sqlite3_column_text(s, 2);
    if (L->sopt.unit && !L->sopt.unit[0]) L->sopt.unit = NULL;
    out->options = &L->sopt;
    out->has_latest = sqlite3_column_type(s, 3) != SQLITE_NULL;
    if (out->has_latest) {
        out->latest_t_us = sqlite3_column_int64(s, 3);
        if (sqlite3_column_type(s, 4) == SQLITE_BLOB && sqlite3_column_bytes(s, 4) != 8)
            return malformed(L, "latest value of signal", out->name ? out->name : "");
        out->latest_value = tsq_column_value(s, 4); /* -0.0 kept */
    }
    if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
        /* Encoded forms (schema 2), or the raw structs of schema 1 (a
           database opened read-only is not migrated): the decoders read
           both. */
        const void *ob = sqlite3_column_blob(s, 5), *hb = sqlite3_column_blob(s, 6);
        size_t on = (size_t)sqlite3_column_bytes(s, 5), hn = (size_t)sqlite3_column_bytes(s, 6);
        twin_health_options_init(&L->hopt);
        if (!ob || !hb || twin_health_options_decode(&L->hopt, ob, on, NULL) != TWIN_OK ||
            twin_health_decode(&L->health, hb, hn, NULL) != TWIN_OK)
            return malformed(L, "health state of signal", out->name ? out->name : "");
        out->health_options = &L->hopt;
        out->health = &L->health;
        out->health_t0_us = sqlite3_column_int64(s, 7);
    }
    return TWIN_OK;
}

static int prepare(twin_sqlite *db, const char *sql, sqlite3_stmt **s)
{
    int rc = sqlite3_prepare_v2(db->db, sql, -1, s, NULL);
    if (rc != SQLITE_OK) tsq_sqlfail(db, rc, "cannot read the store");
    return rc;
}

/* Map the new handles of the loaded signals to their rows. The map is only
 * a cache (a signal is looked up at its first sample when missing), and
 * the graph is already replaced: out of memory leaves it empty rather than
 * failing a load that has happened. */
static void map_signals(twin_sqlite *db, twin_ingest *ing)
{
    uint64_t cur = 0;
    twin_signal h;
    tsq_sig_clear(db);
    while (twin_ingest_signals_next(ing, &cur, &h) == TWIN_OK)
        if (!tsq_sig_put(db, h)) {
            tsq_sig_clear(db);
            return;
        }
    /* rows are looked up at the first sample */
}

twin_status twin_sqlite_load(twin_sqlite *db, twin_graph *g, twin_ingest *ing,
                             const twin_signal_options *sig_options)
{
    twin_store_loader ld;
    loader L;
    twin_status s;
    if (!db || !g) return TWIN_E_INVAL;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_BUSY, SQLITE_OK, "records delivered but not flushed");
    memset(&L, 0, sizeof L);
    L.db = db;
    twin_signal_options_init(&L.sopt);
    if ((s = twin__sized_in(&L.sopt, sizeof L.sopt, sig_options)) != TWIN_OK)
        return tsq_fail(db, s, SQLITE_OK, "signal options: bad size");
    twin_health_options_init(&L.hopt);
    /* One read transaction: a consistent view. */
    if ((s = tsq_exec(db, "BEGIN")) != TWIN_OK) return s;
    if (prepare(db, "SELECT id, model, props FROM twins ORDER BY rowid", &L.twins) ||
        prepare(db, "SELECT source, id, name, target, props FROM relationships ORDER BY rowid",
                &L.rels) ||
        prepare(db, "SELECT s.twin, s.name, s.unit, s.latest_t_us, s.latest_value,"
                    " h.options, h.state, h.t0_us FROM signals s"
                    " LEFT JOIN health h ON h.signal = s.id ORDER BY s.id",
                &L.sigs)) {
        s = db->err.status;
        goto done;
    }
    memset(&ld, 0, sizeof ld);
    ld.size = sizeof ld;
    ld.ud = &L;
    ld.next_twin = next_twin;
    ld.next_relationship = next_rel;
    ld.next_signal = next_sig;
    s = twin_store_load(g, ing, &ld);
    if (s != TWIN_OK) {
        if (!L.fail)
            tsq_fail(db, s, SQLITE_OK, "the store does not load: %s",
                     twin_graph_last_error(g)->message);
        goto done;
    }
    if (ing) {
        db->ing = ing;
        map_signals(db, ing);
    }
done:
    sqlite3_finalize(L.twins);
    sqlite3_finalize(L.rels);
    sqlite3_finalize(L.sigs);
    free(L.block);
    sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
    return s;
}
