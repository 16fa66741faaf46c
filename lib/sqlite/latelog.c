/* libtwin-sqlite: the log of late samples for the forwarders (schema 7).
 * A forwarder (libtwin-influx, libtwin-pg) registers its upstream in
 * `upstreams` (with its place in the log); from then on every late sample
 * the store keeps raw (in `samples`) is also logged in `late_log`, in the
 * transaction that stores it, so that a forwarder whose cursor has passed
 * the sample's time still sends it. A store no forwarder registered with
 * logs nothing: the registry is read once per transaction, at its first
 * late sample. The forwarders delete the rows every registered upstream
 * has passed; the store deletes those of raw samples it deletes (folding,
 * retention, a twin deleted), which keeps the log no larger than the raw
 * late samples kept. */
#include "sqlite_int.h"

twin_status tsq_late_log(twin_sqlite *db, int64_t row, int64_t t)
{
    sqlite3_stmt *q;
    int rc;
    if (db->schema < 7) return TWIN_OK;
    if (db->late_logging < 0) {
        if (!(q = tsq_stmt(db, ST_UPSTREAMS_ANY))) return db->err.status;
        rc = sqlite3_step(q);
        db->late_logging = rc == SQLITE_ROW && sqlite3_column_int(q, 0) != 0;
        sqlite3_reset(q);
        if (rc != SQLITE_ROW) {
            db->late_logging = -1;
            return tsq_sqlfail(db, rc, "cannot read the forwarders' registry");
        }
    }
    if (!db->late_logging) return TWIN_OK;
    if (!(q = tsq_stmt(db, ST_LATE_LOG))) return db->err.status;
    sqlite3_bind_int64(q, 1, row);
    sqlite3_bind_int64(q, 2, t);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot log a late sample");
    return TWIN_OK;
}

twin_status tsq_late_forget(twin_sqlite *db, int64_t row, int64_t t)
{
    sqlite3_stmt *q;
    int rc;
    if (db->schema < 7) return TWIN_OK;
    if (!(q = tsq_stmt(db, row ? ST_LATE_FORGET_UPTO : ST_LATE_FORGET_BEFORE)))
        return db->err.status;
    if (row) {
        sqlite3_bind_int64(q, 1, row);
        sqlite3_bind_int64(q, 2, t);
    } else {
        sqlite3_bind_int64(q, 1, t);
    }
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot delete from the late log");
    return TWIN_OK;
}
