/* The spool's side of the store's late log (schema 7): see late.c.
   Internal to lib/spool. */
#ifndef TWIN_SPOOL_LATE_H
#define TWIN_SPOOL_LATE_H

#include "spool.h"

#include <sqlite3.h>

/* A row of the late log read by a fill. */
struct twin_spool_late {
    int64_t seq, id, t;
    double v;
    size_t sig;
    int keep;
};

/* Register sp's upstream (its row of `upstreams`) and read its place. */
twin_status twin__spool_late_open(twin_spool *sp);
/* The late samples of up to max log rows past sp's place, into sp->fn;
   *taken: how many it took (0: the fill goes on with the cursors). */
twin_status twin__spool_late_fill(twin_spool *sp, size_t max, size_t *taken);
/* Within the commit's transaction: the new place, and the rows every
   upstream has passed deleted. SQLite's result code. */
int twin__spool_late_commit(twin_spool *sp);
/* Late samples logged for this upstream and not sent yet. */
twin_status twin__spool_late_backlog(twin_spool *sp, uint64_t *samples);

/* Shared with spool.c. */
twin_status twin__spool_sql_fail(twin_spool *sp, const char *what);
twin_status twin__spool_load_sigs(twin_spool *sp);

#endif
