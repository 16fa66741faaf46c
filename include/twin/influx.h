/**
 * @file influx.h
 * @brief libtwin-influx: forwards a SQLite store's samples to InfluxDB.
 *
 * A separate small library (`libtwin-influx`, pkg-config `twin-influx`) on
 * the public API of libtwin and libtwin-sqlite, with libcurl and zlib.
 * Host builds only. The gateway's own store is the spool: the forwarder
 * reads samples from it (twin_sqlite_read()) and keeps, per upstream and
 * signal, the time of the newest sample the upstream confirmed, in the same
 * database; a restart resumes there. Nothing is held in memory that the
 * store does not hold, so an upstream down for days loses nothing that the
 * store's retention keeps.
 *
 * @par Use
 * @code
 * twin_sqlite *db;  twin_influx *fw;  twin_influx_options o;  twin_influx_progress p;
 * twin_sqlite_open(&db, "plant.db", NULL);   // a handle of its own
 * twin_influx_options_init(&o);
 * o.url = "http://127.0.0.1:8086";  o.db = "plant";
 * twin_influx_create(&fw, db, &o);
 * for (;;) {                                // the host's loop, or a timer
 *     p.size = sizeof p;
 *     twin_influx_step(fw, 4, &p);          // at most 4 requests
 *     if (p.wait_ms > 0) sleep_ms(p.wait_ms);   // idle or backing off
 * }
 * twin_influx_destroy(fw);  twin_sqlite_close(db);
 * @endcode
 *
 * @par Delivery: at least once, idempotent upstream
 * A batch's cursors move (one SQLite transaction) only after InfluxDB
 * answered 2xx for all of its lines (or a line was rejected, below). A batch
 * whose answer was lost is sent again after a restart or a retry; InfluxDB
 * keeps one point per series (measurement and tag set) and timestamp, so a
 * repeated line overwrites itself with the same value: every sample is
 * upstream exactly once. Samples of a signal are sent in time order, each
 * signal's in one batch or in consecutive batches (late samples, below,
 * in batches of their own).
 *
 * @par Late samples
 * A late sample (older than its signal's newest stored one when it reaches
 * the store, which keeps it raw in `samples`) is forwarded too, also when
 * the signal's cursor has passed its time. twin_influx_create() registers
 * the upstream with the store (a row of the store's table `upstreams`,
 * kept across restarts); from then on the store logs every late sample it
 * keeps raw in `late_log`, in the transaction that stores it (a store no
 * forwarder ever registered with logs nothing). Each upstream keeps its
 * place in the log beside its cursors: a batch takes the logged samples
 * past that place whose times are at or before their signals' cursors
 * (newer ones come with their signal's samples anyway), sorted by signal
 * and time, before any sample past the cursors; the place moves in the
 * transaction that moves the cursors, and the log rows every registered
 * upstream has passed are deleted then. A late sample is thus sent at
 * least once (again after a crash between the send and the commit), and
 * upstream once. A late sample at a time the store holds already is
 * dropped by the store (twin_sqlite_counts.late_duplicates): never sent,
 * the first value stays upstream.
 *
 * @par Schema (the mapping, ::twin_influx_options.flags)
 * Default: one measurement (::twin_influx_options.measurement, default
 * `twin`), tags `model` (the twin's DTMI), `twin` (its id), `signal` (the
 * signal's name) and `unit` (when not empty), field `value` (a float),
 * timestamp the sample's time. E.g.
 * `twin,model=dtmi:acme:Pump;1,twin=pump-1,signal=temp,unit=degC value=41.5 1733450000000000`.
 * With ::TWIN_INFLUX_MEASUREMENT_PER_SIGNAL the measurement is the signal's
 * name and the tags are `model`, `twin`, `unit`. Measurement, tag keys and
 * tag values are escaped as line protocol requires (comma, space, equals
 * sign). A fleet query needs no join with the gateway: `SELECT
 * mean(value) FROM twin WHERE model = '...' GROUP BY twin`. Health is not
 * forwarded (the store keeps health states, not a series of them).
 * Values that are not finite (NaN, infinities; InfluxDB refuses them) are
 * skipped and counted (::twin_influx_stats.skipped).
 *
 * @par Precision
 * Times are microseconds in the store. ::TWIN_INFLUX_PRECISION_US (the
 * default) sends them as they are; NS multiplies by 1000; MS and S divide
 * (rounding down), so two samples of a signal in the same millisecond or
 * second are one point upstream (the later overwrites the earlier): choose
 * them only for signals no faster than that.
 *
 * @par Failures
 * - Connection errors, timeouts, 5xx and 429 answers: the batch is kept and
 *   sent again after a delay that doubles from @c retry_initial_ms up to
 *   @c retry_max_ms, each delay drawn at random in its upper half (jitter);
 *   twin_influx_step() returns at once while the delay runs
 *   (::twin_influx_progress.wait_ms says how long).
 * - 400, 413 and 422 (the body or a line rejected): the batch is split in
 *   halves, each sent on its own, recursively, down to single lines; a line
 *   rejected on its own is reported (@c on_reject, ::twin_influx_stats.rejected)
 *   and passed over, and its batch then completes. InfluxDB 1.x writes the
 *   good lines of a partly rejected batch; they are sent again by the split,
 *   which overwrites them.
 * - 401, 403, 404 (credentials, a missing database) and other 4xx:
 *   retried with backoff like a 5xx (no line is at fault); the status and
 *   InfluxDB's message are in ::twin_influx_progress.
 *
 * @par TLS
 * An `https://` URL is verified (certificate chain and host name, by
 * libcurl with OpenSSL) against @c ca_file, or the system's CAs; a client
 * certificate is sent when @c cert_file and @c key_file are given. A
 * verification failure is a connection error (retried with backoff, the
 * reason in ::twin_influx_progress.last_message).
 *
 * @par Limits
 * The store must be of schema 7 (libtwin 1.7 and later; a read-write open
 * migrates older ones; twin_influx_create() on a read-only handle of an
 * older one fails with ::TWIN_E_IO). A late sample that reached the store
 * while this upstream was not registered (e.g. its cursors were made by
 * libtwin 1.6) is logged when it registers: the first
 * twin_influx_create() of an upstream logs every raw late sample at or
 * before its cursors (those it had sent go again: idempotent). A late
 * sample older than its signal's tier fold point (folded into its tiers on
 * arrival, no raw row kept) is not forwarded. Retention and tier folding
 * that delete raw samples before they were forwarded lose them upstream
 * too (the cursor skips ahead; their log rows go with them). An upstream
 * never forwarded again keeps its place in the log, which then keeps
 * every late sample the store keeps raw: delete its row (`DELETE FROM
 * upstreams WHERE cursors = 'twin_influx_cursors' AND upstream = '...'`).
 *
 * @par Thread safety
 * One thread at a time per handle; the forwarder owns no thread. It reads
 * and writes through the twin_sqlite handle given to twin_influx_create(),
 * which should be a handle of its own (another twin_sqlite_open() of the
 * store's file): SQLite's locking then orders it with the store's writer.
 * The handle's SQLite connection is used for the cursor table
 * `twin_influx_cursors(upstream, twin, signal, t_us)`, the upstream's row
 * of `upstreams` and the late log only; never while a store transaction is
 * open on it. libcurl's global initialisation is done
 * by twin_influx_create() (thread-safe with libcurl 7.84 and later).
 */
#ifndef TWIN_INFLUX_H
#define TWIN_INFLUX_H

#include "twin/sqlite.h"

#ifndef TWIN_INFLUX_API
#if defined(__GNUC__) || defined(__clang__)
/** @brief Marks the exported functions of libtwin-influx. */
#define TWIN_INFLUX_API __attribute__((visibility("default")))
#else
#define TWIN_INFLUX_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup influx InfluxDB forwarder
 * @brief libtwin-influx: the store's samples to InfluxDB, at least once.
 * @{
 */

/** @brief A forwarder (opaque). */
typedef struct twin_influx twin_influx;

/** @brief Flags of ::twin_influx_options. */
enum twin_influx_flag {
    /** The InfluxDB 2.x-compatible path `/api/v2/write?bucket=&org=`
        (1.8 and 2.x) instead of 1.x's `/write?db=`. */
    TWIN_INFLUX_API_V2 = 1u,
    /** Send bodies as they are, not gzip-compressed. */
    TWIN_INFLUX_NO_GZIP = 2u,
    /** One measurement per signal name (see Schema). */
    TWIN_INFLUX_MEASUREMENT_PER_SIGNAL = 4u
};

/** @brief Timestamp precision of the lines sent. */
typedef enum twin_influx_precision {
    TWIN_INFLUX_PRECISION_US = 0, /**< Microseconds (`u`), the store's own. */
    TWIN_INFLUX_PRECISION_NS = 1, /**< Nanoseconds (`ns`). */
    TWIN_INFLUX_PRECISION_MS = 2, /**< Milliseconds (`ms`). */
    TWIN_INFLUX_PRECISION_S = 3   /**< Seconds (`s`). */
} twin_influx_precision;

/** @brief A line InfluxDB rejected on its own (@c on_reject). */
typedef struct twin_influx_reject {
    uint32_t size;        /**< `sizeof`, set by the library. */
    int32_t http_status;  /**< InfluxDB's answer, e.g. 400. */
    const char *twin_id;  /**< The sample's twin (valid during the call). */
    const char *name;     /**< Its signal. */
    int64_t t_us;         /**< Its time. */
    double value;         /**< Its value. */
    const char *line;     /**< The line sent (no newline). */
    const char *message;  /**< InfluxDB's message (its body, cut). */
} twin_influx_reject;

/** @brief Receives a rejected line, during twin_influx_step(). */
typedef void (*twin_influx_reject_fn)(void *ud, const twin_influx_reject *r);

/** @brief A monotonic clock in microseconds, for the backoff (the
 *         host's; default CLOCK_MONOTONIC). */
typedef int64_t (*twin_influx_clock_fn)(void *ud);

/** @brief Options of twin_influx_create(). Initialise with
 *         twin_influx_options_init(). Strings are copied. */
typedef struct twin_influx_options {
    uint32_t size;              /**< `sizeof`, set by twin_influx_options_init(). */
    uint32_t flags;             /**< ::twin_influx_flag bits; default 0. */
    const char *url;            /**< Base URL, e.g. `http://127.0.0.1:8086`; required. */
    const char *db;             /**< Database (1.x) or bucket (2.x); required. */
    const char *org;            /**< Organisation (2.x path only); NULL: none. */
    const char *token;          /**< `Authorization: Token ...`; NULL: none. */
    const char *upstream;       /**< Name of the cursor (one per upstream);
                                     NULL: `url` and `db`. */
    const char *measurement;    /**< Measurement of the default schema; NULL: `twin`. */
    int32_t precision;          /**< A ::twin_influx_precision; default US. */
    uint32_t batch_lines;       /**< Lines per request, 1 .. 1,000,000; default 5000. */
    int32_t connect_timeout_ms; /**< Default 2000. */
    int32_t request_timeout_ms; /**< Whole request; default 30000. */
    int32_t retry_initial_ms;   /**< First backoff delay; default 100. */
    int32_t retry_max_ms;       /**< Largest backoff delay; default 30000. */
    twin_influx_clock_fn clock; /**< NULL: CLOCK_MONOTONIC. */
    void *clock_ud;             /**< Passed to @c clock. */
    twin_influx_reject_fn on_reject; /**< NULL: rejected lines only counted. */
    void *reject_ud;            /**< Passed to @c on_reject. */
    uint64_t seed;              /**< Seed of the jitter; 0: from the clock. */
    const char *ca_file;        /**< https: the CA certificates (PEM) that
                                     verify the server; NULL: the system's. */
    const char *cert_file;      /**< https: a client certificate (PEM); NULL: none. */
    const char *key_file;       /**< https: its private key (PEM); NULL: none. */
} twin_influx_options;

/** @brief State after a step (twin_influx_step()). */
typedef enum twin_influx_state {
    TWIN_INFLUX_IDLE = 0,     /**< Nothing left to send. */
    TWIN_INFLUX_SENDING = 1,  /**< More to send: step again now. */
    TWIN_INFLUX_BACKOFF = 2   /**< Waiting @c wait_ms before a retry. */
} twin_influx_state;

/** @brief What a step did and what is left. */
typedef struct twin_influx_progress {
    uint32_t size;           /**< Set by the caller to `sizeof`. */
    int32_t state;           /**< A ::twin_influx_state. */
    uint64_t lines_confirmed;/**< Samples confirmed by this step. */
    uint32_t requests;       /**< Requests this step made. */
    int32_t wait_ms;         /**< Idle: a suggested poll delay (0 when
                                  SENDING); BACKOFF: the delay left. */
    int32_t last_http;       /**< Status of the last answer; 0: none, or no
                                  connection. */
    uint32_t reserved_;      /**< Zero. */
    const char *last_message;/**< The last failure (curl's or InfluxDB's);
                                  "" when none. Borrowed until the next step. */
} twin_influx_progress;

/** @brief Totals since twin_influx_create() (twin_influx_get_stats()). */
typedef struct twin_influx_stats {
    uint32_t size;          /**< Set by the caller to `sizeof`. */
    uint32_t reserved_;     /**< Zero. */
    uint64_t confirmed;     /**< Samples confirmed upstream (cursors moved past). */
    uint64_t lines_sent;    /**< Lines sent, repeats included. */
    uint64_t requests;      /**< HTTP requests made. */
    uint64_t retries;       /**< Requests that failed and were retried. */
    uint64_t splits;        /**< Rejected bodies split in halves. */
    uint64_t rejected;      /**< Lines rejected on their own, passed over. */
    uint64_t skipped;       /**< Samples not sent (values not finite). */
    uint64_t bytes_raw;     /**< Line protocol bytes before compression. */
    uint64_t bytes_sent;    /**< Body bytes sent. */
} twin_influx_stats;

/** @brief What is left to forward (twin_influx_backlog()). */
typedef struct twin_influx_backlog_info {
    uint32_t size;         /**< Set by the caller to `sizeof`. */
    uint32_t reserved_;    /**< Zero. */
    uint64_t samples;      /**< Samples newer than the cursors (counted per
                                block: at most a block's worth over, per
                                signal), and late samples logged for this
                                upstream at or before them. */
    uint64_t signals;      /**< Signals with samples to send. */
    int64_t lag_us;        /**< Largest (newest sample - cursor) over the
                                signals; 0 when none is behind. */
} twin_influx_backlog_info;

/**
 * @brief Fill @p o with defaults. Use the twin_influx_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 */
TWIN_INFLUX_API twin_status twin_influx_options_init_(twin_influx_options *o, size_t size);

/** @brief Fill options with defaults (see twin_influx_options_init_()). */
#define twin_influx_options_init(o) twin_influx_options_init_((o), sizeof *(o))

/**
 * @brief Create a forwarder over store database @p db: checks the options,
 *        creates the cursor table when missing, registers the upstream
 *        with the store (see Late samples), reads this upstream's cursors.
 *        Makes no request.
 * @param out Receives the handle; NULL on failure.
 * @param db  Store database, borrowed (must outlive the forwarder); a handle
 *            of its own is best (see Thread safety).
 * @param o   Options (copied).
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @c url or @c db missing, a value
 *                      out of range.
 * @retval TWIN_E_ABI   @c o->size is larger than this library's struct.
 * @retval TWIN_E_IO    The cursor table cannot be created or read, or the
 *                      upstream registered (e.g. a read-only database, or
 *                      one of a schema before 7).
 * @retval TWIN_E_NOMEM Out of memory, or libcurl failed to start.
 * @par Thread safety  Any thread; @p db is then used by the forwarder's.
 */
TWIN_INFLUX_API twin_status twin_influx_create(twin_influx **out, twin_sqlite *db,
                                               const twin_influx_options *o);

/**
 * @brief Destroy a forwarder. A batch in flight is dropped (sent again by
 *        the next forwarder of this upstream, from the cursors).
 * @param fw Handle; NULL is a no-op.
 */
TWIN_INFLUX_API void twin_influx_destroy(twin_influx *fw);

/**
 * @brief Do a bounded amount of work: at most @p budget HTTP requests
 *        (each blocking up to @c request_timeout_ms), building batches from
 *        the cursors, moving the cursors as batches complete. Returns at
 *        once while a backoff delay runs.
 * @param fw     Handle.
 * @param budget Most requests to make, >= 1.
 * @param out    If not NULL (with its @c size set), what was done.
 * @retval TWIN_OK      Done (also when a request failed and will be retried:
 *                      see @p out).
 * @retval TWIN_E_INVAL @p fw is NULL or @p budget is 0.
 * @retval TWIN_E_ABI   @p out->size is larger than this library's struct.
 * @retval TWIN_E_IO    The store could not be read or the cursors written
 *                      (the batch is kept; step again later).
 * @retval TWIN_E_BUSY  The store stayed locked by another connection past
 *                      its busy timeout (the batch is kept; step again).
 * @retval TWIN_E_NOMEM Out of memory.
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_INFLUX_API twin_status twin_influx_step(twin_influx *fw, uint32_t budget,
                                             twin_influx_progress *out);

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
TWIN_INFLUX_API twin_status twin_influx_backlog(twin_influx *fw, twin_influx_backlog_info *out);

/**
 * @brief Totals since creation.
 * @param fw  Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @c out->size below 8.
 * @retval TWIN_E_ABI   @c out->size larger than this library's struct.
 * @par Thread safety  One thread at a time per handle.
 */
TWIN_INFLUX_API twin_status twin_influx_get_stats(const twin_influx *fw, twin_influx_stats *out);

/**
 * @brief The last failed call's status and message.
 * @param fw Handle.
 * @return Borrowed until the next call on @p fw; never NULL for a non-NULL
 *         @p fw (NULL for NULL).
 */
TWIN_INFLUX_API const twin_error *twin_influx_last_error(const twin_influx *fw);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_INFLUX_H */
