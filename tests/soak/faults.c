/* The storage callbacks of libtwin-sqlite wrapped to fail at random, the
 * way a store may fail, within the contract of storage.h: a callback that
 * fails has had no effect.
 *
 * - Outside a transaction (nothing staged since the last flush) a callback
 *   can simply refuse (TWIN_E_IO, or TWIN_E_BUSY during a back-pressure
 *   episode) without calling SQLite.
 * - Inside one, refusing alone would leave SQLite's staged records in
 *   place (the outbox delivers them again: they would be stored twice), so
 *   the failure is made real: a progress handler interrupts the callback's
 *   statement, and SQLite's store rolls back as for any failing statement.
 * - A flush is made to fail by a commit hook that turns its COMMIT into a
 *   rollback.
 * Slow episodes make each callback sleep a millisecond or two first. */
#define _POSIX_C_SOURCE 200809L
#include "soak.h"

#include <sqlite3.h>

static int progress(void *ud)
{
    soak_faults *f = ud;
    int r = f->interrupt;
    f->interrupt = 0; /* once: the rollback that follows must run */
    return r;
}

static int commit_veto(void *ud)
{
    (void)ud;
    return 1;
}

/* The status to inject before a callback, or TWIN_OK. */
static twin_status injected(soak_faults *f)
{
    int64_t now;
    if (!f->enabled) return TWIN_OK;
    now = soak_now_ns();
    if (now < f->slow_until) soak_sleep_ms(1 + (long)soak_below(f->rng, 2));
    if (now < f->busy_until) return TWIN_E_BUSY;
    /* a countdown: the failure may hit a callback inside a transaction */
    if (f->fail_next > 0 && --f->fail_next == 0) return TWIN_E_IO;
    return TWIN_OK;
}

#define STAGED(f) (!sqlite3_get_autocommit((f)->conn))

/* Call the real callback `call` with a failure `s` injected. */
#define WRAP(f, call)                                                         \
    do {                                                                      \
        twin_status s_ = injected(f), r_;                                     \
        if (s_ != TWIN_OK && !STAGED(f)) {                                    \
            soak_truth_fault((f)->truth, F_CB_FAILED, 1);                      \
            soak_log_fault((f)->log, F_CB_FAILED, 1);                          \
            return s_;                                                        \
        }                                                                     \
        if (s_ != TWIN_OK) {                                                  \
            (f)->interrupt = 1;                                               \
            sqlite3_progress_handler((f)->conn, 1, progress, (f));            \
        }                                                                     \
        r_ = (call);                                                          \
        if (s_ != TWIN_OK) {                                                  \
            sqlite3_progress_handler((f)->conn, 0, NULL, NULL);               \
            (f)->interrupt = 0;                                               \
            if (r_ != TWIN_OK) {                                              \
                soak_truth_fault((f)->truth, F_CB_INTERRUPT, 1);               \
                soak_log_fault((f)->log, F_CB_INTERRUPT, 1);                   \
            }                                                                 \
        }                                                                     \
        if (r_ != TWIN_OK) {                                                  \
            soak_truth_fault((f)->truth, F_CB_FAILED, 1);                      \
            soak_log_fault((f)->log, F_CB_FAILED, 1);                          \
        }                                                                     \
        return r_;                                                            \
    } while (0)

static twin_status w_samples(void *ud, const twin_signal_sample *s, size_t n)
{
    soak_faults *f = ud;
    WRAP(f, f->real.write_samples(f->real.ud, s, n));
}

static twin_status w_signal(void *ud, const twin_store_signal *sig)
{
    soak_faults *f = ud;
    WRAP(f, f->real.put_signal(f->real.ud, sig));
}

static twin_status w_twin(void *ud, const char *id, const char *model, const twin_member *p,
                          size_t n)
{
    soak_faults *f = ud;
    WRAP(f, f->real.put_twin(f->real.ud, id, model, p, n));
}

static twin_status w_del_twin(void *ud, const char *id)
{
    soak_faults *f = ud;
    WRAP(f, f->real.delete_twin(f->real.ud, id));
}

static twin_status w_rel(void *ud, const twin_relationship *r)
{
    soak_faults *f = ud;
    WRAP(f, f->real.put_relationship(f->real.ud, r));
}

static twin_status w_del_rel(void *ud, const char *s, const char *id)
{
    soak_faults *f = ud;
    WRAP(f, f->real.delete_relationship(f->real.ud, s, id));
}

static twin_status w_health(void *ud, twin_signal sig, const twin_health *h)
{
    soak_faults *f = ud;
    WRAP(f, f->real.put_health(f->real.ud, sig, h));
}

static twin_status w_flush(void *ud)
{
    soak_faults *f = ud;
    twin_status s = injected(f), r;
    if (s == TWIN_OK && f->enabled && f->veto_next) {
        f->veto_next = 0;
        s = TWIN_E_IO;
    }
    if (s != TWIN_OK && !STAGED(f)) {
        soak_truth_fault(f->truth, F_CB_FAILED, 1);
        soak_log_fault(f->log, F_CB_FAILED, 1);
        return s;
    }
    if (s != TWIN_OK) sqlite3_commit_hook(f->conn, commit_veto, NULL);
    r = f->real.flush(f->real.ud);
    if (s != TWIN_OK) {
        sqlite3_commit_hook(f->conn, NULL, NULL);
        if (r != TWIN_OK) {
            soak_truth_fault(f->truth, F_COMMIT_VETO, 1);
            soak_log_fault(f->log, F_COMMIT_VETO, 1);
        }
    }
    if (r != TWIN_OK) {
        soak_truth_fault(f->truth, F_CB_FAILED, 1);
        soak_log_fault(f->log, F_CB_FAILED, 1);
    }
    return r;
}

void soak_faults_wrap(soak_faults *f, twin_sqlite *db, twin_store_callbacks *out)
{
    twin_sqlite_callbacks(db, &f->real);
    f->conn = twin_sqlite_connection(db);
    *out = f->real;
    out->ud = f;
    if (f->real.write_samples) out->write_samples = w_samples;
    if (f->real.put_signal) out->put_signal = w_signal;
    if (f->real.put_twin) out->put_twin = w_twin;
    if (f->real.delete_twin) out->delete_twin = w_del_twin;
    if (f->real.put_relationship) out->put_relationship = w_rel;
    if (f->real.delete_relationship) out->delete_relationship = w_del_rel;
    if (f->real.put_health) out->put_health = w_health;
    if (f->real.flush) out->flush = w_flush;
}
