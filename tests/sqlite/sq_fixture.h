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

/* Write samples s[0..n) (by names) into the store at path as late ones
 * come: its signals loaded with a reorder window of a week and a history of
 * 8, so that ingest accepts samples older than the newest (and one at a
 * time the store holds reaches the store), asserting that each is accepted
 * (on time or late); then flushed. Returns the store's late duplicates
 * (twin_sqlite_counts.late_duplicates) of that handle. */
uint64_t sq_write_late(const char *path, const twin_sample *s, size_t n);

/* The late samples of the forwarders' tests (tests/influx, tests/pg), for
 * a store of their shape (signals "pump-<i>"/"s<i>", i < nsig <= 8, n >=
 * 1000 samples each at 1 Hz from T0, value base + i * 1e6 + k) forwarded
 * up to its newest: for each signal, `more` samples on time after those
 * (not forwarded yet); 100 + 50 i late ones between stored ones, older
 * than the cursor; 20 between the cursor and the newest (with more >=
 * 400); and for signal 0 one at a time the store holds (dropped: upstream
 * keeps the first value). Writes them (sq_write_late()) and fills
 * count[i], sum[i] (integral values: exact sums) with what each series
 * must hold upstream. Returns the late samples the store kept. */
long sq_write_forward_late(const char *path, int nsig, long n, long more, double base,
                           long *count, double *sum);

/* One integer query (sqlite3 on its own connection). */
long long sq_query(const char *path, const char *sql);

#endif
