/* Shared by the libtwin-sqlite tests: a database in a fresh temporary
 * directory, with a graph, a store writing into it and an ingest handle. */
#ifndef TWIN_TESTS_SQ_FIXTURE_H
#define TWIN_TESTS_SQ_FIXTURE_H

#include <twin/twin.h>
#include <twin/sqlite.h>

#define T0 1700000000000000LL
#define SEC 1000000LL

typedef struct sq {
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
} sq;

/* A fresh directory (mkdtemp) and the path of "name" in it (static buffer). */
const char *sq_tmpdir(void);
const char *sq_path(const char *dir, const char *name);
void sq_rmdir(const char *dir);

/* Open db at path (flags: twin_sqlite_flag), create graph, store, ingest,
 * and load what the database holds (its signals with sq_load_options when
 * not NULL). Asserts success. */
extern const twin_signal_options *sq_load_options;
void sq_open(sq *x, const char *path, uint32_t flags, int32_t busy_ms);
/* Flush (asserting when `flush`), destroy in order, close. */
void sq_close(sq *x, int flush);

/* Every sample of a database (schema 3): late ones, closed and open blocks. */
#define SQ_ALL_SAMPLES                                                                  \
    "SELECT (SELECT count(*) FROM samples) + (SELECT coalesce(sum(n), 0) FROM blocks)" \
    " + (SELECT coalesce(sum(n), 0) FROM open_blocks)"

/* The samples of a signal read through twin_sqlite_read() on a read-only
 * handle of its own, asserting strictly increasing times. */
long sq_samples(const char *path, const char *twin, const char *name);

/* One integer query (sqlite3 on its own connection). */
long long sq_query(const char *path, const char *sql);

#endif
