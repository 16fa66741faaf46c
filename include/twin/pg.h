/**
 * @file pg.h
 * @brief libtwin-pg: forwards a SQLite store's samples to PostgreSQL.
 *
 * A separate small library (`libtwin-pg`, pkg-config `twin-pg`) on the
 * public API of libtwin and libtwin-sqlite, with libpq. Host builds only.
 * As libtwin-influx (twin/influx.h), the gateway's own store is the spool:
 * the forwarder reads samples from it (twin_sqlite_read()) and keeps, per
 * upstream and signal, the time of the newest sample PostgreSQL confirmed,
 * in the same database (table `twin_pg_cursors`); a restart resumes there.
 *
 * @par Use
 * @code
 * twin_sqlite *db;  twin_pg *fw;  twin_pg_options o;  twin_pg_progress p;
 * twin_sqlite_open(&db, "plant.db", NULL);   // a handle of its own
 * twin_pg_options_init(&o);
 * o.conninfo = "host=db.site port=5432 dbname=fleet user=gw sslmode=verify-full";
 * o.source = "gateway-7";
 * twin_pg_create(&fw, db, &o);
 * for (;;) {
 *     p.size = sizeof p;
 *     twin_pg_step(fw, 4, &p);               // at most 4 transactions
 *     if (p.wait_ms > 0) sleep_ms(p.wait_ms);   // idle or backing off
 * }
 * twin_pg_destroy(fw);  twin_sqlite_close(db);
 * @endcode
 *
 * @par Schema (the mapping)
 * One table (::twin_pg_options.table, default `twin_samples`; created when
 * missing unless ::TWIN_PG_NO_CREATE), a row per sample:
 * @code
 * CREATE TABLE twin_samples (
 *     source text NOT NULL,             -- the gateway (::twin_pg_options.source)
 *     twin   text NOT NULL,             -- the twin's id
 *     signal text NOT NULL,             -- the signal's name
 *     t      timestamptz NOT NULL,      -- the sample's time (microseconds, exact)
 *     value  double precision NOT NULL, -- its value (NaN and infinities as they are)
 *     unit   text NOT NULL,             -- the signal's unit ('' when none)
 *     model  text NOT NULL,             -- the twin's model (DTMI)
 *     rels   jsonb NOT NULL,            -- the twin's outgoing relationships,
 *                                       -- {"name": "target", ...} (the least
 *                                       -- target of each name)
 *     PRIMARY KEY (source, twin, signal, t));
 * @endcode
 * Model, unit and relationships are those of the store when the row is
 * sent, so fleet queries need no join with the gateways: e.g. the mean of a
 * signal per model over every gateway, `SELECT model, avg(value) FROM
 * twin_samples WHERE signal = 'temp' GROUP BY model`, or a line's pumps,
 * `... WHERE rels->>'isPartOf' = 'line-1'`. An existing table must have
 * these columns (more are allowed when they have defaults); CHECK
 * constraints and triggers of the site's are honoured (a row they reject is
 * reported, below). Health states are not forwarded.
 *
 * @par Writing: COPY, then an idempotent insert
 * A batch (up to @c batch_rows samples) is one transaction and one round
 * trip: `COPY ... FROM STDIN (FORMAT binary)` of the batch's signals (names,
 * unit, model, relationships: once a batch) and of its rows (signal number,
 * time, value) into two temporary tables of the session, then `INSERT INTO
 * table SELECT ...` joining them, then `COMMIT`. The binary format carries
 * doubles and times exactly and costs no formatting or parsing (34 bytes a
 * row against 49 in text; docs/architecture.md has the measurements). When the table has rows of the
 * batch already (a unique violation: the batch is sent again after its
 * answer was lost), the transaction is rolled back and the batch inserted
 * at once with `INSERT ... SELECT ... ON CONFLICT DO NOTHING`
 * (::twin_pg_stats.redeliveries): the plain insert is kept for the first
 * attempt because speculative insertion, which ON CONFLICT needs, costs a
 * good part of the insert's time.
 *
 * @par Delivery: at least once, exactly once upstream
 * A batch's cursors move (one SQLite transaction) only after PostgreSQL
 * answered the COMMIT. A batch whose answer was lost is sent again after a
 * retry or a restart; the primary key keeps the rows already there and ON
 * CONFLICT DO NOTHING drops the repeats (::twin_pg_stats.duplicates counts
 * them), so every sample is in the table once. (ON CONFLICT DO NOTHING
 * names no constraint: a row that conflicts with another unique constraint
 * of the site's is dropped and counted the same way.) Samples of a signal
 * are sent in time order (late samples in batches of their own).
 *
 * @par Late samples
 * As libtwin-influx (twin/influx.h, Late samples): twin_pg_create()
 * registers the upstream with the store (table `upstreams`), the store then
 * logs each late sample it keeps raw (`late_log`), and a batch of the
 * logged samples at or before their signals' cursors goes before the
 * samples past them; so a sample that reaches the store after its signal's
 * cursor passed its time is in the table too, once (the key drops it when
 * it is sent again).
 *
 * @par Failures
 * - The connection lost or refused, a timeout (@c connect_timeout_ms,
 *   @c request_timeout_ms: the connection is then closed), or any error
 *   that is not a data error (e.g. disk full, a missing table, a
 *   permission): the transaction is rolled back, the batch kept and sent
 *   again on a new connection after a delay doubling from
 *   @c retry_initial_ms up to @c retry_max_ms, drawn at random in its upper
 *   half (jitter); twin_pg_step() returns at once while it runs.
 * - A data error (SQLSTATE class 22, data exception, or 23, integrity
 *   constraint violation, e.g. a CHECK): the batch is split in halves, each
 *   its own transaction, recursively, down to single rows; a row rejected
 *   on its own is reported (@c on_reject, ::twin_pg_stats.rejected, the
 *   message in ::twin_pg_progress.last_message) and passed over, and its
 *   batch then completes.
 *
 * @par TLS
 * Through libpq's conninfo: `sslmode=verify-full sslrootcert=ca.pem` (and
 * `sslcert`, `sslkey` for a client certificate). A verification failure is
 * a connection error (retried; the reason in ::twin_pg_progress.last_message).
 *
 * @par Limits
 * As libtwin-influx (twin/influx.h, Limits): a store of schema 7; a late
 * sample that reached the store while this upstream was not registered is
 * logged when it registers (the first twin_pg_create() of an upstream logs
 * every raw late sample at or before its cursors); one folded into its
 * tiers on arrival is not forwarded once its signal's cursor had passed
 * it; retention and tier folding that delete samples
 * before they were forwarded lose them upstream too; an upstream never
 * forwarded again keeps the late log from being trimmed until its row of
 * `upstreams` (`cursors = 'twin_pg_cursors'`) is deleted.
 *
 * @par Thread safety
 * One thread at a time per handle; the forwarder owns no thread. It reads
 * and writes through the twin_sqlite handle given to twin_pg_create(),
 * which should be a handle of its own (see twin/influx.h). libpq's
 * connection is the handle's own.
 */
#ifndef TWIN_PG_H
#define TWIN_PG_H

#include "twin/sqlite.h"

#ifndef TWIN_PG_API
#if defined(__GNUC__) || defined(__clang__)
/** @brief Marks the exported functions of libtwin-pg. */
#define TWIN_PG_API __attribute__((visibility("default")))
#else
#define TWIN_PG_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup pg PostgreSQL forwarder
 * @brief libtwin-pg: the store's samples to PostgreSQL, at least once.
 * @{
 */

/** @brief A forwarder (opaque). */
typedef struct twin_pg twin_pg;

/** @brief Flags of ::twin_pg_options. */
enum twin_pg_flag {
    /** Do not create the table when it is missing (the batch then fails
        and is retried until it exists). */
    TWIN_PG_NO_CREATE = 1u,
    /** COPY in text format instead of binary (for comparison). */
    TWIN_PG_COPY_TEXT = 2u,
    /** Each batch first COPYed (binary) straight into the table, whole
        rows, in a transaction of its own: COPY's batched insertion, about
        the speed of a bare COPY. A batch it refuses (rows already there,
        a rejected row) is rolled back and goes through the staging path
        (see Writing), which sorts it out. Not with ::TWIN_PG_COPY_TEXT. */
    TWIN_PG_DIRECT = 4u
};

/** @brief A row PostgreSQL rejected on its own (@c on_reject). */
typedef struct twin_pg_reject {
    uint32_t size;        /**< `sizeof`, set by the library. */
    uint32_t reserved_;   /**< Zero. */
    const char *twin_id;  /**< The sample's twin (valid during the call). */
    const char *name;     /**< Its signal. */
    int64_t t_us;         /**< Its time. */
    double value;         /**< Its value. */
    const char *sqlstate; /**< PostgreSQL's SQLSTATE, e.g. "23514". */
    const char *message;  /**< PostgreSQL's message. */
} twin_pg_reject;

/** @brief Receives a rejected row, during twin_pg_step(). */
typedef void (*twin_pg_reject_fn)(void *ud, const twin_pg_reject *r);

/** @brief A monotonic clock in microseconds, for the backoff (the host's;
 *         default CLOCK_MONOTONIC). */
typedef int64_t (*twin_pg_clock_fn)(void *ud);

/** @brief Options of twin_pg_create(). Initialise with
 *         twin_pg_options_init(). Strings are copied. */
typedef struct twin_pg_options {
    uint32_t size;              /**< `sizeof`, set by twin_pg_options_init(). */
    uint32_t flags;             /**< ::twin_pg_flag bits; default 0. */
    const char *conninfo;       /**< libpq connection string or URI; required. */
    const char *table;          /**< Target table, optionally schema-qualified
                                     (`schema.table`); NULL: `twin_samples`. */
    const char *source;         /**< The gateway's name (column `source`);
                                     NULL: the host name. */
    const char *upstream;       /**< Name of the cursor (one per upstream);
                                     NULL: host, port, database and table
                                     from @c conninfo. */
    uint32_t batch_rows;        /**< Rows per transaction, 1 .. 1,000,000;
                                     default 20000. */
    int32_t connect_timeout_ms; /**< Default 2000. */
    int32_t request_timeout_ms; /**< Per round trip; default 30000. */
    int32_t retry_initial_ms;   /**< First backoff delay; default 100. */
    int32_t retry_max_ms;       /**< Largest backoff delay; default 30000. */
    uint32_t reserved_;         /**< Zero. */
    twin_pg_clock_fn clock;     /**< NULL: CLOCK_MONOTONIC. */
    void *clock_ud;             /**< Passed to @c clock. */
    twin_pg_reject_fn on_reject;/**< NULL: rejected rows only counted. */
    void *reject_ud;            /**< Passed to @c on_reject. */
    uint64_t seed;              /**< Seed of the jitter; 0: from the clock. */
} twin_pg_options;

/** @brief State after a step (twin_pg_step()). */
typedef enum twin_pg_state {
    TWIN_PG_IDLE = 0,     /**< Nothing left to send. */
    TWIN_PG_SENDING = 1,  /**< More to send: step again now. */
    TWIN_PG_BACKOFF = 2   /**< Waiting @c wait_ms before a retry. */
} twin_pg_state;

/** @brief What a step did and what is left. */
typedef struct twin_pg_progress {
    uint32_t size;           /**< Set by the caller to `sizeof`. */
    int32_t state;           /**< A ::twin_pg_state. */
    uint64_t rows_confirmed; /**< Samples confirmed by this step. */
    uint32_t transactions;   /**< Transactions this step tried. */
    int32_t wait_ms;         /**< Idle: a suggested poll delay (0 when
                                  SENDING); BACKOFF: the delay left. */
    const char *last_sqlstate; /**< SQLSTATE of the last failure; "" when
                                  none or no connection. Borrowed until the
                                  next step. */
    const char *last_message;/**< The last failure (libpq's or the
                                  server's, on one line); "" when none.
                                  Borrowed until the next step. */
} twin_pg_progress;

/** @brief Totals since twin_pg_create() (twin_pg_get_stats()). */
typedef struct twin_pg_stats {
    uint32_t size;          /**< Set by the caller to `sizeof`. */
    uint32_t reserved_;     /**< Zero. */
    uint64_t confirmed;     /**< Samples confirmed upstream (cursors moved past). */
    uint64_t rows_sent;     /**< Rows sent, repeats included. */
    uint64_t transactions;  /**< Transactions tried. */
    uint64_t retries;       /**< Transactions that failed and were retried. */
    uint64_t splits;        /**< Rejected batches split in halves. */
    uint64_t rejected;      /**< Rows rejected on their own, passed over. */
    uint64_t duplicates;    /**< Rows the table already had (sent again). */
    uint64_t connects;      /**< Connections made. */
    uint64_t bytes_sent;    /**< COPY data bytes sent. */
    uint64_t redeliveries;  /**< Batches that met rows already in the table
                                 (a unique violation) and were inserted
                                 again with ON CONFLICT DO NOTHING. */
} twin_pg_stats;

/** @brief What is left to forward (twin_pg_backlog()). */
typedef struct twin_pg_backlog_info {
    uint32_t size;         /**< Set by the caller to `sizeof`. */
    uint32_t reserved_;    /**< Zero. */
    uint64_t samples;      /**< Samples newer than the cursors (counted per
                                block: at most a block's worth over, per
                                signal), and late samples logged for this
                                upstream at or before them. */
    uint64_t signals;      /**< Signals with samples to send. */
    int64_t lag_us;        /**< Largest (newest sample - cursor) over the
                                signals; 0 when none is behind. */
} twin_pg_backlog_info;

/**
 * @brief Fill @p o with defaults. Use the twin_pg_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety  Any thread.
 */
TWIN_PG_API twin_status twin_pg_options_init_(twin_pg_options *o, size_t size);

/** @brief Fill options with defaults (see twin_pg_options_init_()). */
#define twin_pg_options_init(o) twin_pg_options_init_((o), sizeof *(o))

/**
 * @brief Create a forwarder over store database @p db: checks the options,
 *        creates the cursor table when missing, registers the upstream
 *        with the store (see Late samples), reads this upstream's
 *        cursors. Does not connect (the first step does).
 * @param out Receives the handle; NULL on failure.
 * @param db  Store database, borrowed (must outlive the forwarder); a handle
 *            of its own is best (see Thread safety).
 * @param o   Options (copied).
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @c conninfo missing or not
 *                      parsable, a value out of range, an empty or
 *                      malformed @c table, an unknown flag, or
 *                      ::TWIN_PG_DIRECT with ::TWIN_PG_COPY_TEXT.
 * @retval TWIN_E_ABI   @c o->size is larger than this library's struct.
 * @retval TWIN_E_IO    The cursor table cannot be created or read, or the
 *                      upstream registered (e.g. a read-only database, or
 *                      one of a schema before 7).
 * @retval TWIN_E_NOMEM Out of memory.
 * @par Thread safety  Any thread; @p db is then used by the forwarder's.
 */
TWIN_PG_API twin_status twin_pg_create(twin_pg **out, twin_sqlite *db, const twin_pg_options *o);

/**
 * @brief Destroy a forwarder and close its connection. A batch in flight
 *        is dropped (its transaction rolled back by the server; sent again
 *        by the next forwarder of this upstream, from the cursors).
 * @param fw Handle; NULL is a no-op.
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_PG_API void twin_pg_destroy(twin_pg *fw);

/**
 * @brief Do a bounded amount of work: at most @p budget transactions (each
 *        round trip waiting up to @c request_timeout_ms), connecting when
 *        needed, building batches from the cursors, moving the cursors as
 *        batches complete. Returns at once while a backoff delay runs.
 * @param fw     Handle.
 * @param budget Most transactions to try, >= 1.
 * @param out    If not NULL (with its @c size set), what was done.
 * @retval TWIN_OK      Done (also when a transaction failed and will be
 *                      retried: see @p out).
 * @retval TWIN_E_INVAL @p fw is NULL or @p budget is 0.
 * @retval TWIN_E_ABI   @p out->size is larger than this library's struct.
 * @retval TWIN_E_IO    The store could not be read or the cursors written
 *                      (the batch is kept; step again later).
 * @retval TWIN_E_BUSY  The store stayed locked past its busy timeout.
 * @retval TWIN_E_NOMEM Out of memory.
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_PG_API twin_status twin_pg_step(twin_pg *fw, uint32_t budget, twin_pg_progress *out);

/**
 * @brief Count what is left: samples newer than the cursors, and the lag.
 * @param fw  Handle.
 * @param out Receives it; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @c out->size below 8.
 * @retval TWIN_E_ABI   @c out->size larger than this library's struct.
 * @retval TWIN_E_IO    SQLite failed to read.
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_PG_API twin_status twin_pg_backlog(twin_pg *fw, twin_pg_backlog_info *out);

/**
 * @brief Totals since creation.
 * @param fw  Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @c out->size below 8.
 * @retval TWIN_E_ABI   @c out->size larger than this library's struct.
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_PG_API twin_status twin_pg_get_stats(const twin_pg *fw, twin_pg_stats *out);

/**
 * @brief The last failed call's status and message.
 * @param fw Handle.
 * @return Borrowed until the next call on @p fw; never NULL for a non-NULL
 *         @p fw (NULL for NULL).
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_PG_API const twin_error *twin_pg_last_error(const twin_pg *fw);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_PG_H */
