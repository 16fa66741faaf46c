/**
 * @file sqlite.h
 * @brief libtwin-sqlite: the embedded default store, over SQLite.
 *
 * A separate small library (`libtwin-sqlite`, pkg-config `twin-sqlite`)
 * that implements the storage callbacks (::twin_store_callbacks) and the
 * loader (::twin_store_loader) of storage.h over one SQLite database file.
 * Host builds only.
 *
 * @par Use
 * @code
 * twin_sqlite *db;  twin_store_callbacks cb;  twin_store_options so;
 * twin_sqlite_open(&db, "plant.db", NULL);
 * // graph g (with its model validator) and, optionally, models loaded
 * twin_sqlite_callbacks(db, &cb);
 * twin_store_options_init(&so);  so.callbacks = &cb;
 * twin_store_create(&st, g, &so);
 * // ingest handle ing over g with .store = st
 * twin_sqlite_load(db, g, ing, NULL);   // rebuild graph, signals, health
 * ... twin_store_add_twin(st, ...), twin_ingest_write(ing, ...) ...
 * twin_sqlite_checkpoint(db, st);       // health states, retention
 * twin_store_flush(st);  twin_ingest_destroy(ing);  twin_store_destroy(st);
 * twin_sqlite_close(db);
 * @endcode
 *
 * @par Schema (version ::TWIN_SQLITE_SCHEMA_VERSION, in `PRAGMA user_version`)
 * - `twins(id, model, props)`: properties as a compact binary encoding of
 *   the ::twin_member tree (exact doubles and integers); row order is the
 *   order twins were first added.
 * - `relationships(source, id, name, target, props)`.
 * - `signals(id, twin, name, unit, latest_t_us, latest_value)`.
 * - `blocks(id, signal, t0_us, t1_us, n, data)` (schema 3): closed blocks
 *   of compressed samples, each the samples of one signal from @c t0_us to
 *   @c t1_us (inclusive, @c n of them, at most 4096 and a day); index
 *   `(signal, t0_us)`. See Compressed series.
 * - `open_blocks(signal, seq, t0_us, t1_us, n, data)`: each signal's
 *   open block as an append-only log of chunks, primary key
 *   `(signal, seq)`: a chunk is a block (the format of `blocks`) of the
 *   samples one flush added, @c seq the number of the open block's samples
 *   before it (schema 5; schemas 3 and 4 kept one row per signal, without
 *   @c seq, the whole open block as it stood at the last flush).
 * - `samples(signal, t_us, value)`: raw samples, primary key
 *   `(signal, t_us)`, a table without rowid; the value in the signal's
 *   unit. Since schema 3 it holds only late samples (older than their
 *   signal's newest stored sample when they arrived); schemas 1 and 2
 *   kept every sample there (about 20 bytes a sample on disk).
 * - Values of -0.0 in `samples.value` and `signals.latest_value` are kept
 *   as their 8 bytes (a blob, little-endian IEEE 754), since SQLite stores
 *   an integral REAL as an integer, which loses the sign of zero (since
 *   1.7; earlier releases stored 0.0, and read such a blob as 0.0).
 * - `rollups(signal, t_us, n, mean, min, max)`: downsampled buckets (see
 *   Retention).
 * - `health(signal, options, state, t0_us)`: a signal's
 *   ::twin_health_options and its ::twin_health, as blobs in their encoded
 *   forms (twin_health_options_encode(), twin_health_encode(): little-endian,
 *   versioned, independent of the library's layouts and of the machine).
 * - `documents(kind, name, body)`: text the host keeps beside the graph
 *   (e.g. DTDL models and a header, as twinctl does).
 * - `policies(scope, key, name, spec)` (schema 4): tier policies, as
 *   twin_sqlite_policy_format() writes them (see Tiers).
 * - `tiers(signal, res_us, t_us, n, sum, min, max, first, last,
 *   first_t_us, last_t_us)` (schema 4; the times of the first and last
 *   samples since schema 5): single aggregate buckets, primary key
 *   `(signal, res_us, t_us)`.
 * - `tier_blocks(id, signal, res_us, t0_us, t1_us, n, samples, data)`
 *   (schema 4): compressed runs of whole buckets; index
 *   `(signal, res_us, t0_us)`.
 * - `tier_marks(signal, res_us, t_us)` (schema 4): per signal, the time
 *   before which its raw samples were folded (`res_us` 0), and the time
 *   from which each tier holds its data.
 * - `sources(name, clock)` (schema 6): ingest sources, each its clock
 *   model (declaration and estimate state) in its encoded form
 *   (twin_clock_encode()); see twin_sqlite_save_sources().
 * - `signal_sources(twin, signal, source)` (schema 6): the source of each
 *   signal that has one, by names; primary key `(twin, signal)`.
 * - `upstreams(cursors, upstream, late_seq)` (schema 7): the forwarders
 *   (libtwin-influx, libtwin-pg) registered with the store, each by its
 *   cursor table and upstream name, with its place in `late_log`; primary
 *   key `(cursors, upstream)`. Written by the forwarders.
 * - `late_log(seq, signal, t_us)` (schema 7): while `upstreams` has a row,
 *   every late sample kept raw in `samples` is logged here in the
 *   transaction that stores it (`seq` INTEGER PRIMARY KEY AUTOINCREMENT:
 *   it never goes back, even with the log emptied; index `(signal,
 *   t_us)`); a late sample dropped as a duplicate, or folded into tiers on
 *   arrival, is not. The forwarders delete the rows every registered
 *   upstream has passed; the rows of raw samples the store deletes
 *   (retention, folding into tiers, a twin removed) go with them. With no
 *   upstream registered nothing is logged, and the registry is read only
 *   by a flush that has late samples.
 *
 * The database runs in WAL mode. `PRAGMA application_id` marks it as a
 * libtwin store; a database of another application, or of a newer schema
 * version, is refused at open.
 *
 * @par Schema versions
 * - 1 (libtwin 1.3 and 1.4): the `health` blobs were the raw bytes of the
 *   structs in the layout of the library that wrote them (x86-64 or other
 *   host).
 * - 2 (1.5 before compressed series): the same tables; the `health`
 *   blobs are encoded forms.
 * - 3 (1.5): compressed series, tables `blocks` and `open_blocks`;
 *   `samples` keeps late samples only.
 * - 4 (1.6): tiers, tables `policies`, `tiers`, `tier_blocks` and
 *   `tier_marks`.
 * - 5 (1.7): open blocks as append-only logs (`open_blocks.seq`);
 *   buckets keep the times of their first and last samples (`tiers`
 *   columns `first_t_us`, `last_t_us`; tier blocks of format 2, whose two
 *   more columns hold them), so that a late sample can take their place.
 * - 6 (1.7): ingest sources, tables `sources` and `signal_sources`.
 * - 7 (since 1.7): late samples for the forwarders, tables `upstreams`
 *   and `late_log`.
 *
 * Opening a version 1 to 6 database read-write migrates it to version 7
 * in one transaction (from 6: the forwarders' tables, empty: a late sample
 * stored before a forwarder registers is not logged; from 5 also: the
 * sources tables, empty; from 4 also: each
 * open block becomes the first chunk of its signal's log, and the buckets
 * get as first and last times their own start and end, which keeps their
 * first and last values when late samples come, as schema 4 did; tier
 * blocks of format 1 are read as they are and written as format 2 when a
 * late sample changes one; from 3 also: the tier tables, empty): a version
 * 1 database's health rows (raw structs, checked as the 1.4 loader checked
 * them) re-written in the encoded forms; every raw sample encoded into
 * closed blocks, signal by signal in time order, and deleted from
 * `samples`; the tier, sources and forwarders' tables created; then
 * `user_version` 7.
 * A health row
 * that does not convert fails the open with ::TWIN_E_STATE and leaves the
 * database as it was. Opened read-only, an older database is not changed:
 * its rows are read as they are (twin_sqlite_read() and the others read
 * its `samples`; twin_sqlite_read_tier() answers from raw samples). Every
 * later 1.x release opens databases of every earlier one.
 *
 * @par Compressed series
 * Samples of a signal that are newer than its newest stored sample are
 * appended to the signal's open block; a block closes when it holds 4096
 * samples, would span more than a day or grow past 3968 bytes (a closed
 * block then fills most of a 4 KiB page), or a sample's time step is not a
 * multiple of the block's time quantum (below). Every flush appends the
 * samples it added to an open block to that block's log in `open_blocks`
 * (one chunk, a block of its own, in the flush's transaction), so a
 * confirmed sample survives the death of the process as the rows of the
 * other tables do, and a flush writes its own samples rather than the
 * whole block again; every 16 chunks the log is written again as one
 * chunk. A closed block moves to `blocks` whole and its log is deleted, in
 * the same transaction. A writer that opens the database again resumes
 * the open block from its log. A block (format 1):
 * a 32-byte header (magic, format, value mode, decimals, time quantum,
 * count, a 32-bit checksum of the whole block, first time, first value),
 * then a bit stream. Times: delta of delta, in units of the block's time
 * quantum (the largest power of ten, up to 1 s, dividing every time step
 * of its first samples), in prefix-coded fields of 0, 4, 7, 12, 32 or 64
 * bits. Values: XOR of each double with the previous one (Gorilla's
 * leading and trailing zeros), or, when 7 of 8 of its first samples are
 * decimals with the same number @c d of digits after the point (an ADC
 * reading in engineering units), decimal mode: the integer `v * 10^d`
 * stored as the difference from the previous one in fields of 0, 3, 7, 12,
 * 24 or 54 bits, used only when dividing it by `10^d` gives back the
 * value's exact bits (so -0.0, subnormals, huge values and values that
 * only look decimal are stored as their 64 bits). Lossless: every value
 * read back has the bits that were written. Realistic telemetry (drifting
 * values with noise, quantised, regular times with jitter) takes about a
 * byte and a half per sample on disk (bench/bench_sqlite.c).
 *
 * A block (or a chunk of an open block's log: a writer then moves the
 * log's chunks to `blocks` as they are and starts a new open block) that
 * fails its checksum, or is malformed, loses only itself:
 * reads skip it, deliver the rest and then return ::TWIN_E_PARSE with a
 * message that names the signal and the block's time span and count; a
 * block of a newer format than this library reads is skipped the same way
 * with ::TWIN_E_STATE. twin_sqlite_check_blocks() lists every such block.
 *
 * @par Transactions and durability
 * Everything the store's outbox delivers between two flushes goes into one
 * transaction (`BEGIN IMMEDIATE` at the first record), committed by the
 * @c flush callback: the library flushes at the end of every write call, so
 * each ingest batch is one transaction. Any failing statement rolls the
 * transaction back and returns a status (the outbox keeps the records and
 * delivers them again, see storage.h): a change the store confirmed is in
 * the database exactly once, and a change it did not confirm is either
 * absent or (when the process died between the commit and its
 * confirmation) present once. With the default `synchronous=NORMAL`, a
 * confirmed change survives the death of the process; with
 * ::TWIN_SQLITE_SYNC_FULL, also a power loss.
 *
 * @par Retention
 * A policy (::twin_sqlite_retention) keeps raw samples for @c raw_keep_us
 * and downsamples older ones: when applied (twin_sqlite_apply_retention(),
 * or twin_sqlite_checkpoint() once a policy is set) at time `now`, every
 * raw sample (a late one's row, or one in a block: the blocks that start
 * before the cutoff are decoded, and their newer samples encoded again as
 * a closed block) with `t_us < cutoff`, where `cutoff` is `now - raw_keep_us`
 * rounded down to a multiple of @c bucket_us, is folded into the row of its
 * signal and bucket (`t_us` rounded down to a multiple of @c bucket_us) in
 * `rollups`, keeping count, mean, minimum and maximum, and deleted. A
 * bucket that already has a row (late samples) is merged into it: the
 * count adds up, the mean is the count-weighted mean, min and max combine,
 * so the rollup always equals the one made from all its raw samples at
 * once. Rollups older than `now - rollup_keep_us` are deleted when
 * @c rollup_keep_us is positive. All in one transaction. The signals'
 * latest values are kept in `signals` and never downsampled. At 10,000
 * sensors at 1 Hz, 7 days raw bound the raw samples to about 6 billion
 * (7 x 864 million, some 8 GB in blocks of realistic data), and 1-minute
 * rollups grow by 1,440 rows per sensor and day (60 times less), or not at
 * all past @c rollup_keep_us.
 *
 * @par Tiers
 * A tier policy (::twin_sqlite_policy, twin_sqlite_set_policy(); text such
 * as `raw:7d,1m:90d,1h:5y`, twin_sqlite_policy_parse()) keeps a signal's
 * raw samples for a span, then per-bucket aggregates (count, mean, min,
 * max, first, last) at up to four coarser widths, each a multiple of the
 * previous one, each kept for its own longer span (the last may be kept
 * forever). A signal follows its own policy, else the policy of its twin's
 * model, else the default one; without any, it is kept raw forever.
 * Policies live in the database (a writer sees one stored through another
 * connection within 64 flushes). Spans count back from the signal's newest
 * sample.
 *
 * Folding: a closed block whose newest sample is older than the raw span
 * is decoded, merged with the late samples up to its end, added in time
 * order to the buckets of every tier of the policy, and deleted (with
 * those late samples), in the same transaction: whole blocks, so raw
 * samples stay for the raw span and up to a block longer. A bucket keeps
 * its count, the sum (added one sample at a time in time order, across
 * folds, so that its mean is the one a pass over its raw samples makes,
 * bit for bit), minimum, maximum, first and last value (and those two
 * values' times); only buckets with
 * samples exist. Once a signal's tier has 512 whole buckets (that end
 * before the fold point) as single rows, they move into a tier block: its
 * columns (count, sum, minimum, maximum, first and last value, and the
 * first and last samples' times) encoded as the blocks of Compressed
 * series are, losslessly, as many buckets as fill most of a page (about
 * 15 bytes a bucket of realistic data, bench/bench_sqlite.c). Buckets
 * older than their tier's
 * span are deleted (tier blocks when their newest bucket is). Every flush
 * folds a bounded amount, inside its own transaction
 * (twin_sqlite_set_fold_budget(): by default 8 blocks plus as many as the
 * flush closed, and 512 rows): the
 * signals written since are queued, visited in turn, and what the budget
 * leaves waits for the next flushes; a fold that fails is rolled back to
 * before it and the flush commits the rest (the message stays in
 * twin_sqlite_last_error()). twin_sqlite_fold() folds all that is due at
 * once. A late sample older than its signal's fold point (it arrived after
 * its span was folded) is added, in the transaction that stores it, to
 * its bucket in every tier of the signal's policy that holds its time
 * (from the tier's mark on; past every tier's span it goes nowhere, as it
 * would have had it come in time): count, sum, minimum and maximum, and it
 * becomes the first (last) value when its time is before the bucket's
 * first (after its last) sample's. The bucket is where it is: its single
 * row, or inside a tier block (decoded and written again, in two when it
 * no longer fits a page), or a new bucket (an empty one until then); tier
 * blocks never overlap and single rows are newer than every block, so a
 * read never returns a span twice. Its sum is then no longer added in time
 * order: the mean may differ from a pass over the raw samples in the last
 * bits. A late sample newer than the fold point is kept raw (`samples`)
 * and folded with its block. A tier that a changed policy no longer names
 * is deleted (tier blocks and buckets, then its mark) in the fold's row
 * budget, as buckets past their span are; a signal left without any
 * policy keeps its tiers as they are.
 *
 * Reads: twin_sqlite_read_tier() asks for a range and a bucket width and
 * is answered by the finest tier that covers the range (raw samples
 * cover it from the signal's fold point, a tier from its mark) and whose
 * width divides the one asked for, and says which
 * (::twin_sqlite_tier_answer). twin_sqlite_tier_info_each() says what each
 * tier holds and its bytes on disk (`twinctl tiers`).
 *
 * The older retention (twin_sqlite_set_retention(), the `rollups` table)
 * stays as it was; do not use both on one database.
 *
 * @par Limits
 * A database file is untrusted input: what a reader takes from it is
 * checked before it sizes anything, and a row past a limit fails the call
 * with the status given (a load leaves the graph and the ingest handle as
 * they were; a read reports the bad block and goes on with the others).
 * - Blobs and text: at most SQLite's length limit (SQLITE_MAX_LENGTH, 10^9
 *   bytes by default), enforced by SQLite.
 * - Twins and relationships (twin_sqlite_load()): identifiers and names of
 *   at most 1024 bytes (::TWIN_ID_MAX), model identifiers of 4096
 *   (::TWIN_MODEL_ID_MAX): ::TWIN_E_RANGE, as the graph refuses them.
 *   Properties: every count and length in the blob at most the bytes that
 *   follow it (an item takes a byte at least, a member five), the blob read
 *   whole before its tree is built in one block: ::TWIN_E_INVAL ("twin 'ID'
 *   is malformed in the store"); values nested at most
 *   ::TWIN_VALUE_DEPTH_MAX deep: ::TWIN_E_RANGE.
 * - Signals: names of at most 1024 bytes (::TWIN_E_RANGE); a latest value
 *   kept as a blob has 8 bytes (::TWIN_E_INVAL); health blobs as their
 *   decoders take them (twin/health.h).
 * - Compressed blocks: at most 4096 samples (the header's count), format
 *   1, a checksum over the whole block; tier blocks at most 512 buckets in
 *   6 or 8 columns whose lengths fit the blob. A block past one of these
 *   is skipped with ::TWIN_E_PARSE (::TWIN_E_STATE for a newer format).
 * - Tier marks: every row of a signal's is read (there is no limit but
 *   the table's).
 * - Sources (twin_sqlite_load_sources()): at most 65535 (the most an
 *   ingest handle takes), refused with ::TWIN_E_RANGE before more are read;
 *   names of at most 1024 bytes (::TWIN_E_RANGE); clocks as
 *   twin_clock_decode() takes them.
 * - Documents (twin_sqlite_documents()): a row without a name or a body
 *   is refused with ::TWIN_E_INVAL.
 *
 * @par Errors
 * Functions return a ::twin_status; twin_sqlite_last_error() gives the
 * message, with SQLite's. SQLite's codes map to: busy or locked database
 * ::TWIN_E_BUSY; read-only database, full disk, I/O errors, a file that is
 * not a database ::TWIN_E_IO; out of memory ::TWIN_E_NOMEM; a constraint
 * ::TWIN_E_CONSTRAINT.
 *
 * @par Thread safety
 * One thread at a time per handle (as for the store it serves). Several
 * processes may open the same file: SQLite locks it; a writer that finds it
 * locked waits up to @c busy_timeout_ms, then fails with ::TWIN_E_BUSY and
 * loses nothing (the outbox keeps the records).
 * A signal's samples must come from one process at a time: the writer
 * keeps the signal's open block in memory from its first sample on (it
 * reads it again after a rollback or a retention), so another process
 * appending to the same signal meanwhile would have its samples replaced.
 */
#ifndef TWIN_SQLITE_H
#define TWIN_SQLITE_H

#include "twin/storage.h"

#ifndef TWIN_SQLITE_API
#if defined(__GNUC__) || defined(__clang__)
/** @brief Marks the exported functions of libtwin-sqlite. */
#define TWIN_SQLITE_API __attribute__((visibility("default")))
#else
#define TWIN_SQLITE_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sqlite SQLite store
 * @brief libtwin-sqlite: store callbacks, loader and retention over SQLite.
 * @{
 */

/** @brief A store database (opaque). */
typedef struct twin_sqlite twin_sqlite;

/** @brief Schema version this library writes (`PRAGMA user_version`). */
#define TWIN_SQLITE_SCHEMA_VERSION 7

/** @brief Flags of ::twin_sqlite_options. */
enum twin_sqlite_flag {
    /** Open read-only: every write fails with ::TWIN_E_IO. */
    TWIN_SQLITE_READONLY = 1u,
    /** Fail with ::TWIN_E_IO when the file does not exist. */
    TWIN_SQLITE_NO_CREATE = 2u,
    /** `synchronous=FULL`: commits survive a power loss, not only the
        death of the process (slower). */
    TWIN_SQLITE_SYNC_FULL = 4u
};

/** @brief Options of twin_sqlite_open(). Initialise with
 *         twin_sqlite_options_init(). */
typedef struct twin_sqlite_options {
    uint32_t size;            /**< `sizeof`, set by twin_sqlite_options_init(). */
    uint32_t flags;           /**< ::twin_sqlite_flag bits; default 0. */
    int32_t busy_timeout_ms;  /**< How long a write waits for a lock held by
                                   another connection, >= 0; default 1000. */
    uint32_t reserved_;       /**< Zero. */
} twin_sqlite_options;

/** @brief A retention policy (see the file's Retention section). */
typedef struct twin_sqlite_retention {
    uint32_t size;            /**< Set to `sizeof(twin_sqlite_retention)`. */
    uint32_t reserved_;       /**< Zero. */
    int64_t raw_keep_us;      /**< Raw samples kept for this long, >= 0 (e.g. 7 days). */
    int64_t bucket_us;        /**< Bucket width of the rollups, > 0 (e.g. 60 s). */
    int64_t rollup_keep_us;   /**< Rollups kept for this long; 0: forever. */
} twin_sqlite_retention;

/** @brief What twin_sqlite_apply_retention() did. */
typedef struct twin_sqlite_retention_stats {
    uint32_t size;             /**< Set by the caller to `sizeof`. */
    uint32_t reserved_;        /**< Zero. */
    int64_t cutoff_us;         /**< Raw samples before this time were folded. */
    uint64_t raw_folded;       /**< Raw samples folded into rollups and deleted. */
    uint64_t rollups_written;  /**< Rollup rows written or merged into. */
    uint64_t rollups_deleted;  /**< Rollup rows deleted (@c rollup_keep_us). */
} twin_sqlite_retention_stats;

/** @brief Counts of what a database holds (twin_sqlite_get_counts()). */
typedef struct twin_sqlite_counts {
    uint32_t size;           /**< Set by the caller to `sizeof`. */
    uint32_t reserved_;      /**< Zero. */
    uint64_t twins;          /**< Rows of `twins`. */
    uint64_t relationships;  /**< Rows of `relationships`. */
    uint64_t signals;        /**< Rows of `signals`. */
    uint64_t samples;        /**< Raw samples: late ones' rows and those in
                                  blocks (schema 3). */
    uint64_t rollups;        /**< Rollup rows. */
    uint64_t health;         /**< Health states. */
    uint64_t file_bytes;     /**< Database pages in use times page size. */
    /** Since this handle was opened: late samples at a time their series
        held already (sent again after a restart, when ingest's history
        no longer had them), dropped: the value stored first stays, as
        ingest keeps the first of two samples at one time. @since 1.7 */
    uint64_t late_duplicates;
} twin_sqlite_counts;

/** @brief One bucket of a downsampled read (twin_sqlite_read_buckets()).
 *  @since 1.5 */
typedef struct twin_sqlite_bucket {
    uint32_t size;      /**< Set by the caller to `sizeof` in the first element. */
    uint32_t reserved_; /**< Zero. */
    int64_t t_us;       /**< Start of the bucket: a multiple of the width. */
    uint64_t count;     /**< Samples in the bucket (at least 1). */
    double mean;        /**< Their mean. */
    double min;         /**< Smallest. */
    double max;         /**< Largest. */
    double first;       /**< The value of the oldest. */
    double last;        /**< The value of the newest. */
} twin_sqlite_bucket;

/** @brief Receives samples of a read in time order, a block at a time:
 *         @p n (at least 1) times and values, valid during the call.
 *         Return ::TWIN_OK to go on, anything else to stop (the read
 *         returns it). @since 1.5 */
typedef twin_status (*twin_sqlite_samples_fn)(void *ud, const int64_t *t_us,
                                              const double *values, size_t n);

/** @brief A block that does not decode (twin_sqlite_check_blocks()).
 *  @since 1.5 */
typedef struct twin_sqlite_bad_block {
    uint32_t size;        /**< `sizeof`, set by the library. */
    int32_t status;       /**< ::TWIN_E_PARSE (checksum, malformed) or
                               ::TWIN_E_STATE (newer block format). */
    const char *twin_id;  /**< Its signal's twin (valid during the call). */
    const char *name;     /**< Its signal's name. */
    int64_t t0_us;        /**< Time of its first sample. */
    int64_t t1_us;        /**< Time of its last sample. */
    uint64_t samples;     /**< Samples lost with it. */
    int32_t open;         /**< 1: the signal's open block. */
    uint32_t reserved_;   /**< Zero. */
} twin_sqlite_bad_block;

/** @brief Receives a bad block; return ::TWIN_OK to go on. @since 1.5 */
typedef twin_status (*twin_sqlite_bad_block_fn)(void *ud, const twin_sqlite_bad_block *b);

/**
 * @brief Fill @p o with defaults. Use the twin_sqlite_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 */
TWIN_SQLITE_API twin_status twin_sqlite_options_init_(twin_sqlite_options *o, size_t size);
/** @brief Initialise options @p o with defaults. */
#define twin_sqlite_options_init(o) twin_sqlite_options_init_((o), sizeof *(o))

/**
 * @brief Open (or create) a store database: WAL mode, the schema created or
 *        checked.
 *
 * Named open/close, not create/destroy as libtwin's handles are, because
 * the handle is a connection to a database file that outlives it, as
 * sqlite3_open() and sqlite3_close() name theirs.
 * @param out  Receives the handle; on failure a handle that only carries
 *             the error (read it with twin_sqlite_last_error(), then
 *             twin_sqlite_close() it), also for ::TWIN_E_NOMEM; NULL only
 *             when the handle itself cannot be allocated.
 * @param path Database file.
 * @param o    Options; NULL for the defaults.
 * @retval TWIN_OK      Open.
 * @retval TWIN_E_INVAL A pointer is NULL or an option is invalid.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_IO    The file cannot be opened or created, is not a
 *                      database, or (read-only) has no schema.
 * @retval TWIN_E_STATE Another application's database, a schema version
 *                      this library does not know, or a version 1 database
 *                      whose health rows do not convert (see Schema
 *                      versions; the database is unchanged).
 * @retval TWIN_E_BUSY  Locked by another connection.
 * @retval TWIN_E_NOMEM Allocation failed.
 */
TWIN_SQLITE_API twin_status twin_sqlite_open(twin_sqlite **out, const char *path,
                                             const twin_sqlite_options *o);

/**
 * @brief Close a database. A transaction still open (records delivered but
 *        not flushed) is rolled back: flush the store first.
 * @param db Handle; NULL is a no-op.
 */
TWIN_SQLITE_API void twin_sqlite_close(twin_sqlite *db);

/**
 * @brief The last failed call's status and message (SQLite's included).
 * @param db Handle.
 * @return Borrowed, valid until the next call on @p db; never NULL.
 */
TWIN_SQLITE_API const twin_error *twin_sqlite_last_error(const twin_sqlite *db);

/**
 * @brief The storage callbacks that write into @p db, for
 *        twin_store_options.callbacks (one store per database handle).
 * @param db  Handle (must outlive the store).
 * @param out Filled.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL.
 */
TWIN_SQLITE_API twin_status twin_sqlite_callbacks(twin_sqlite *db, twin_store_callbacks *out);

/**
 * @brief Tell @p db the ingest handle of its store, so that health states
 *        are stored with their options. twin_sqlite_load() does it.
 *        Without it, health states are not stored.
 * @param db  Handle.
 * @param ing The ingest handle (must outlive its use by @p db), or NULL.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p db is NULL.
 */
TWIN_SQLITE_API twin_status twin_sqlite_bind_ingest(twin_sqlite *db, const twin_ingest *ing);

/**
 * @brief Rebuild graph @p g, and the signals, latest values and health
 *        states of @p ing, from the database (twin_store_load() with this
 *        database's loader), then bind @p ing (twin_sqlite_bind_ingest()).
 *
 * Twins load with their models checked by @p g's validator: load the
 * models first (e.g. from the `dtdl` documents).
 * @param g           Graph to fill; its content is replaced.
 * @param ing         Ingest handle over @p g, or NULL (signals skipped).
 * @param db          Handle.
 * @param sig_options Options for the loaded signals (their @c unit is
 *                    replaced by each signal's); NULL: the defaults.
 * @retval TWIN_OK      Loaded.
 * @retval TWIN_E_INVAL A pointer is NULL, or a stored item is malformed.
 * @retval TWIN_E_RANGE A stored item is past a limit (see Limits: an
 *                      identifier too long, properties nested too deep).
 * @retval TWIN_E_BUSY  The store has unconfirmed records, or the database
 *                      is locked.
 * @retval TWIN_E_IO    SQLite failed to read.
 * @retval other        As twin_store_load(); @p g and @p ing unchanged.
 */
TWIN_SQLITE_API twin_status twin_sqlite_load(twin_sqlite *db, twin_graph *g, twin_ingest *ing,
                                             const twin_signal_options *sig_options);

/**
 * @brief Set (or, with NULL, clear) the retention policy applied by
 *        twin_sqlite_checkpoint().
 * @param db Handle.
 * @param r  Policy, copied; NULL: none.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p db is NULL or the policy is invalid.
 * @retval TWIN_E_ABI   @p r->size is unknown.
 */
TWIN_SQLITE_API twin_status twin_sqlite_set_retention(twin_sqlite *db,
                                                      const twin_sqlite_retention *r);

/**
 * @brief Apply a retention policy now (see the Retention section).
 * @param db     Handle; no transaction may be open (flush the store first).
 * @param r      Policy; NULL: the one set with twin_sqlite_set_retention().
 * @param now_us The present, microseconds since the epoch; INT64_MIN: the
 *               newest raw sample's time in the database.
 * @param out    If not NULL (with its @c size set), receives what was done.
 * @retval TWIN_OK      Done (or nothing to do).
 * @retval TWIN_E_INVAL @p db is NULL, no policy, or the policy is invalid.
 * @retval TWIN_E_STATE Records are delivered but not flushed.
 * @retval TWIN_E_BUSY  The database is locked; nothing changed.
 * @retval TWIN_E_IO    SQLite failed; nothing changed.
 */
TWIN_SQLITE_API twin_status twin_sqlite_apply_retention(twin_sqlite *db,
                                                        const twin_sqlite_retention *r,
                                                        int64_t now_us,
                                                        twin_sqlite_retention_stats *out);

/**
 * @brief A checkpoint: queue the changed health states
 *        (twin_store_checkpoint()), flush the store, apply the retention
 *        policy if one is set (at the newest sample's time), and checkpoint
 *        the WAL into the database file (passive).
 * @param db Handle.
 * @param st The store writing into @p db.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval other        The failing step's status (twin_sqlite_last_error()
 *                      or twin_store_last_error() says which).
 */
TWIN_SQLITE_API twin_status twin_sqlite_checkpoint(twin_sqlite *db, twin_store *st);

/**
 * @brief Count what the database holds.
 * @param db  Handle.
 * @param out Receives the counts; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI @p out->size is larger than this library's struct.
 * @retval TWIN_E_IO    SQLite failed.
 */
TWIN_SQLITE_API twin_status twin_sqlite_get_counts(twin_sqlite *db, twin_sqlite_counts *out);

/**
 * @brief Keep a text document in the database (replacing one of the same
 *        kind and name; documents keep the order they were first put in).
 * @param db   Handle; no transaction may be open.
 * @param kind Kind, e.g. "dtdl" or "header".
 * @param name Name within the kind, e.g. a DTMI.
 * @param body Text.
 * @retval TWIN_OK      Stored (committed).
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_STATE Records are delivered but not flushed.
 * @retval TWIN_E_BUSY  The database is locked.
 * @retval TWIN_E_IO    SQLite failed to write.
 */
TWIN_SQLITE_API twin_status twin_sqlite_put_document(twin_sqlite *db, const char *kind,
                                                     const char *name, const char *body);

/** @brief Receives one document: return ::TWIN_OK to go on, anything else
 *         to stop (twin_sqlite_documents() returns it). Strings valid during
 *         the call. */
typedef twin_status (*twin_sqlite_document_fn)(void *ud, const char *name, const char *body);

/**
 * @brief Call @p fn for each document of @p kind, in the order they were
 *        first put in.
 * @param db   Handle.
 * @param kind Kind.
 * @param fn   Callback.
 * @param ud   Passed to @p fn.
 * @retval TWIN_OK      Every document passed.
 * @retval TWIN_E_INVAL A pointer is NULL, or a row has no name or no body
 *                      (a damaged file; since 1.7, before the callback
 *                      sees it).
 * @retval TWIN_E_IO    SQLite failed to read.
 * @retval other        What @p fn returned to stop.
 */
TWIN_SQLITE_API twin_status twin_sqlite_documents(twin_sqlite *db, const char *kind,
                                                  twin_sqlite_document_fn fn, void *ud);

/**
 * @brief Keep an ingest handle's sources in the database: each source's
 *        clock model (its kind, declared offset, tolerances and whole
 *        estimate state, encoded by twin_clock_encode()) and each signal's
 *        source, so that twin_sqlite_load_sources() after a restart resumes
 *        the estimates instead of starting from zero.
 *
 * Sources are written by name, replacing rows of the same names (rows of
 * other sources stay); every live signal of @p ing has its row written (its
 * source's name) or removed (no source). One transaction: all or nothing.
 * The sources' counters (pairs refused, samples corrected) are not kept.
 * @param db  Handle (schema 6, opened read-write); no outbox transaction
 *            may be open (flush the store first).
 * @param ing Ingest handle (read only).
 * @retval TWIN_OK      Stored (committed).
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_STATE The database is not open or read-only, or records
 *                      are delivered but not flushed.
 * @retval TWIN_E_BUSY  The database is locked.
 * @retval TWIN_E_IO    SQLite failed to write; nothing was stored.
 * @par Thread safety Writer of @p db, reader of @p ing.
 * @since 1.7
 */
TWIN_SQLITE_API twin_status twin_sqlite_save_sources(twin_sqlite *db, const twin_ingest *ing);

/**
 * @brief Put the sources kept by twin_sqlite_save_sources() back into an
 *        ingest handle: each source is declared when @p ing has none of
 *        its name, and its clock model replaced by the kept one
 *        (twin_ingest_set_source_clock()); each signal of @p ing with a
 *        kept source is given it. Load the signals first
 *        (twin_sqlite_load()): rows of signals @p ing lacks are skipped.
 *
 * Every kept model and signal row is read and checked (twin_clock_decode())
 * before anything changes, and the sources are put in at once
 * (twin_ingest_put_sources()): every failure leaves @p ing unchanged.
 * A database of an older schema opened read-only has no sources: TWIN_OK.
 * @param db  Handle; no outbox transaction may be open.
 * @param ing Ingest handle.
 * @retval TWIN_OK      Loaded.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_STATE The database is not open, records are delivered
 *                      but not flushed, or @p ing refused a change
 *                      (called from its callback).
 * @retval TWIN_E_PARSE A kept clock model does not decode, or a signal's
 *                      row names a source that is not kept.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @retval TWIN_E_IO    SQLite failed to read.
 * @retval TWIN_E_RANGE The database holds more than 65535 sources (refused
 *                      as the next is read), or a name is longer than
 *                      1024 bytes.
 * @retval other        @p ing refused the sources (e.g. ::TWIN_E_RANGE: too
 *                      many with those it has).
 * @par Thread safety Reader of @p db, writer of @p ing.
 * @since 1.7
 */
TWIN_SQLITE_API twin_status twin_sqlite_load_sources(twin_sqlite *db, twin_ingest *ing);

/**
 * @brief The SQLite connection, for reading (e.g. queries over `samples`).
 *        Do not write through it while a store uses @p db.
 * @param db Handle.
 * @return The `sqlite3 *`; NULL when @p db is NULL or not open.
 */
TWIN_SQLITE_API struct sqlite3 *twin_sqlite_connection(twin_sqlite *db);

/**
 * @brief Read a signal's samples with times in [@p from_us, @p to_us), in
 *        time order: those in blocks (only the blocks that overlap the
 *        range are decoded) merged with late ones.
 * @param db      Handle; no transaction may be open (flush the store).
 * @param twin_id Twin of the signal.
 * @param name    Name of the signal.
 * @param from_us Start, inclusive.
 * @param to_us   End, exclusive; >= @p from_us.
 * @param fn      Receives the samples, a block at a time.
 * @param ud      Passed to @p fn.
 * @retval TWIN_OK       Every sample of the range passed.
 * @retval TWIN_E_INVAL  A pointer is NULL.
 * @retval TWIN_E_RANGE  @p from_us is after @p to_us.
 * @retval TWIN_E_NOTFOUND No such signal.
 * @retval TWIN_E_PARSE  A block fails its checksum or is malformed: the
 *                       others were delivered, the message names it.
 * @retval TWIN_E_STATE  A block of a newer format (the others delivered),
 *                       or records delivered but not flushed.
 * @retval TWIN_E_IO     SQLite failed to read.
 * @retval other         What @p fn returned to stop.
 * @par Ownership  The arrays given to @p fn are borrowed for the call.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.5
 */
TWIN_SQLITE_API twin_status twin_sqlite_read(twin_sqlite *db, const char *twin_id,
                                             const char *name, int64_t from_us, int64_t to_us,
                                             twin_sqlite_samples_fn fn, void *ud);

/**
 * @brief The value of a signal at an instant: its newest sample at or
 *        before @p t_us (decoding one block).
 * @param db        Handle; no transaction may be open.
 * @param twin_id   Twin of the signal.
 * @param name      Name of the signal.
 * @param t_us      The instant.
 * @param t_out     If not NULL, receives the sample's time.
 * @param value_out If not NULL, receives its value.
 * @retval TWIN_OK         Found.
 * @retval TWIN_E_NOTFOUND No such signal, or no sample at or before @p t_us.
 * @retval TWIN_E_PARSE    The block that holds it is bad (message names it).
 * @retval TWIN_E_INVAL    A pointer is NULL.
 * @retval TWIN_E_STATE    Records delivered but not flushed; newer block.
 * @retval TWIN_E_IO       SQLite failed to read.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.5
 */
TWIN_SQLITE_API twin_status twin_sqlite_value_at(twin_sqlite *db, const char *twin_id,
                                                 const char *name, int64_t t_us,
                                                 int64_t *t_out, double *value_out);

/**
 * @brief Read a signal downsampled: per bucket of @p bucket_us (buckets
 *        start at multiples of it), count, mean, min, max, first and last
 *        of the samples in [@p from_us, @p to_us). Only buckets with
 *        samples are returned, oldest first.
 * @param db        Handle; no transaction may be open.
 * @param twin_id   Twin of the signal.
 * @param name      Name of the signal.
 * @param from_us   Start, inclusive.
 * @param to_us     End, exclusive; >= @p from_us.
 * @param bucket_us Bucket width, > 0.
 * @param out       Room for @p cap buckets, caller-owned; the first
 *                  element's @c size set (core.h: Structs that grow; it is
 *                  the stride); NULL when @p cap is 0.
 * @param cap       Buckets @p out holds.
 * @param count     Receives the number of buckets of the range (also when
 *                  larger than @p cap).
 * @retval TWIN_OK       All buckets written.
 * @retval TWIN_E_RANGE  An inverted range, or more buckets than @p cap:
 *                       the first @p cap were written, *@p count says how
 *                       many there are.
 * @retval TWIN_E_INVAL  A pointer is NULL, @p bucket_us <= 0 or
 *                       @p out->size below 8.
 * @retval TWIN_E_ABI    @p out->size is larger than this library's struct.
 * @retval other         As twin_sqlite_read().
 * @par Thread safety  One thread at a time per handle.
 * @since 1.5
 */
TWIN_SQLITE_API twin_status twin_sqlite_read_buckets(twin_sqlite *db, const char *twin_id,
                                                     const char *name, int64_t from_us,
                                                     int64_t to_us, int64_t bucket_us,
                                                     twin_sqlite_bucket *out, size_t cap,
                                                     size_t *count);

/**
 * @brief Check every block of the database (checksums, formats), calling
 *        @p fn for each one that does not decode.
 * @param db  Handle; no transaction may be open.
 * @param fn  Called per bad block; NULL: only count.
 * @param ud  Passed to @p fn.
 * @param bad If not NULL, receives the number of bad blocks.
 * @retval TWIN_OK      Every block checked (bad ones reported).
 * @retval TWIN_E_INVAL @p db is NULL.
 * @retval TWIN_E_STATE Records delivered but not flushed.
 * @retval TWIN_E_IO    SQLite failed to read.
 * @retval other        What @p fn returned to stop.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.5
 */
TWIN_SQLITE_API twin_status twin_sqlite_check_blocks(twin_sqlite *db, twin_sqlite_bad_block_fn fn,
                                                     void *ud, uint64_t *bad);

/* ---- tiers (since 1.6) --------------------------------------------------- */

/** @brief Most aggregate tiers a ::twin_sqlite_policy holds. @since 1.6 */
#define TWIN_SQLITE_TIERS_MAX 4

/** @brief One aggregate tier of a ::twin_sqlite_policy. @since 1.6 */
typedef struct twin_sqlite_tier {
    int64_t res_us;   /**< Bucket width, > 0: a multiple of the previous
                           tier's (and larger). */
    int64_t keep_us;  /**< Buckets kept this long behind the signal's newest
                           sample; longer than the previous span (raw's or
                           the previous tier's); 0: forever (last tier only). */
} twin_sqlite_tier;

/**
 * @brief A retention policy in tiers (see the file's Tiers section): raw
 *        samples for @c raw_keep_us, then per-bucket aggregates at each of
 *        @c ntiers coarser resolutions, each kept for its own span.
 *        Initialise with twin_sqlite_policy_init() or twin_sqlite_policy_parse().
 * @since 1.6
 */
typedef struct twin_sqlite_policy {
    uint32_t size;         /**< `sizeof`, set by twin_sqlite_policy_init(). */
    uint32_t ntiers;       /**< Tiers used, 0 to ::TWIN_SQLITE_TIERS_MAX. */
    int64_t raw_keep_us;   /**< Raw samples kept this long, > 0. */
    twin_sqlite_tier tier[TWIN_SQLITE_TIERS_MAX]; /**< Finest first. */
} twin_sqlite_policy;

/** @brief Where a policy applies (twin_sqlite_set_policy()). @since 1.6 */
typedef enum twin_sqlite_policy_scope {
    TWIN_SQLITE_POLICY_DEFAULT = 0, /**< Every signal without a closer one. */
    TWIN_SQLITE_POLICY_MODEL = 1,   /**< Signals of the twins of one model (DTMI). */
    TWIN_SQLITE_POLICY_SIGNAL = 2   /**< One signal (twin id and name). */
} twin_sqlite_policy_scope;

/** @brief What twin_sqlite_fold() (or a flush) did. @since 1.6 */
typedef struct twin_sqlite_fold_stats {
    uint32_t size;            /**< Set by the caller to `sizeof`. */
    uint32_t more;            /**< 1: the budget ran out with work left. */
    uint64_t blocks_folded;   /**< Closed blocks folded and deleted. */
    uint64_t samples_folded;  /**< Raw samples folded (blocks and late rows). */
    uint64_t rows_written;    /**< Tier rows written or updated. */
    uint64_t rows_deleted;    /**< Tier rows past their span deleted. */
    uint64_t bad_blocks;      /**< Blocks past the raw span that did not
                                   decode, deleted unfolded. */
} twin_sqlite_fold_stats;

/** @brief Which tier answered a twin_sqlite_read_tier(). @since 1.6 */
typedef struct twin_sqlite_tier_answer {
    uint32_t size;          /**< Set by the caller to `sizeof`. */
    int32_t tier;           /**< 0: raw samples; k >= 1: the tier of width
                                 @c res_us (k-th finest the signal has). */
    int64_t res_us;         /**< Its bucket width; 0 for raw. */
    int64_t covered_from_us;/**< It holds the signal's data from this time
                                 on (INT64_MIN: from its start). */
    int32_t complete;       /**< 1: @c covered_from_us <= the range's start. */
    uint32_t reserved_;     /**< Zero. */
} twin_sqlite_tier_answer;

/** @brief What one tier of the database holds (twin_sqlite_tier_info()).
 *  @since 1.6 */
typedef struct twin_sqlite_tier_info {
    uint32_t size;          /**< `sizeof`, set by the library. */
    uint32_t reserved_;     /**< Zero. */
    int64_t res_us;         /**< 0: raw samples; else the bucket width. */
    uint64_t signals;       /**< Signals with data in it. */
    uint64_t rows;          /**< Rows: blocks and late samples (raw); tier
                                 blocks and single buckets (tiers). */
    uint64_t buckets;       /**< Buckets (0 for raw). */
    uint64_t samples;       /**< Raw samples it holds or summarises. */
    int64_t t_min_us;       /**< Oldest time in it (INT64_MIN: empty). */
    int64_t t_max_us;       /**< Newest time (a bucket's start for tiers). */
    uint64_t bytes;         /**< Bytes on disk: its tables' and indexes'
                                 pages (raw: blocks, open blocks, late
                                 samples); the tiers share two tables,
                                 whose pages are apportioned (single
                                 buckets by rows, tier blocks by bytes). */
} twin_sqlite_tier_info;

/** @brief Receives one tier; return ::TWIN_OK to go on. @since 1.6 */
typedef twin_status (*twin_sqlite_tier_info_fn)(void *ud, const twin_sqlite_tier_info *t);

/** @brief Receives one stored policy (its text as twin_sqlite_policy_format()
 *         writes it); strings valid during the call. @since 1.6 */
typedef twin_status (*twin_sqlite_policy_fn)(void *ud, twin_sqlite_policy_scope scope,
                                             const char *key, const char *name,
                                             const twin_sqlite_policy *p, const char *text);

/**
 * @brief Fill @p p with an empty policy (no raw span, no tiers: invalid
 *        until @c raw_keep_us is set). Use the twin_sqlite_policy_init() macro.
 * @param p    Policy.
 * @param size `sizeof *p` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p p is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety  Any thread.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_policy_init_(twin_sqlite_policy *p, size_t size);
/** @brief Initialise policy @p p. @since 1.6 */
#define twin_sqlite_policy_init(p) twin_sqlite_policy_init_((p), sizeof *(p))

/**
 * @brief Check a policy: @c raw_keep_us > 0; @c ntiers at most
 *        ::TWIN_SQLITE_TIERS_MAX; each tier's width positive, larger than
 *        and a multiple of the previous tier's; each span longer than the
 *        previous one (raw's for the first tier), 0 (forever) only for the last.
 * @param p   Policy (its @c size set).
 * @param err If not NULL, receives the status and a message (static text)
 *            saying which rule is broken.
 * @retval TWIN_OK      Valid.
 * @retval TWIN_E_INVAL Invalid (@p err says which rule), or @p p NULL.
 * @retval TWIN_E_ABI   @p p->size is unknown.
 * @par Thread safety  Any thread.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_policy_check(const twin_sqlite_policy *p, twin_error *err);

/**
 * @brief Parse a policy from text: `raw:SPAN` then, comma-separated,
 *        `WIDTH:SPAN` per tier, finest first, e.g. `raw:7d,1m:90d,1h:5y`.
 *        Durations are a whole number with a unit: `us`, `ms`, `s`, `m`
 *        (minutes), `h`, `d`, `w`, `y` (365 days); a span may be `forever`.
 *        Spaces around items are allowed. The result is checked
 *        (twin_sqlite_policy_check()).
 * @param text Text.
 * @param p    Receives the policy (its @c size set by the caller or by
 *             twin_sqlite_policy_init()).
 * @param err  If not NULL, receives the status and message.
 * @retval TWIN_OK      Parsed and valid.
 * @retval TWIN_E_PARSE The text does not follow the grammar.
 * @retval TWIN_E_INVAL A NULL pointer, or a policy that breaks a rule.
 * @retval TWIN_E_ABI   @p p->size is unknown.
 * @par Thread safety  Any thread.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_policy_parse(const char *text, twin_sqlite_policy *p,
                                                     twin_error *err);

/**
 * @brief Write @p p as text twin_sqlite_policy_parse() reads (the largest
 *        unit that divides each duration).
 * @param p      Policy.
 * @param buf    Buffer, caller-owned; always terminated when @p cap > 0;
 *               NULL when @p cap is 0.
 * @param cap    Its size (160 bytes hold any policy).
 * @param needed If not NULL, receives the text's length (without the
 *               terminating zero).
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_INVAL @p p NULL, @p buf NULL with @p cap > 0, or
 *                      @p p->size unknown.
 * @retval TWIN_E_RANGE @p buf is too small (truncated; *@p needed says how
 *                      long the text is).
 * @par Thread safety  Any thread.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_policy_format(const twin_sqlite_policy *p, char *buf,
                                                      size_t cap, size_t *needed);

/**
 * @brief Store (or, with @p p NULL, remove) a tier policy in the database.
 *        A signal follows its own policy, else its twin's model's, else the
 *        default; without any, it is kept raw forever. Policies live in the
 *        database (table `policies`) and apply from the next fold on.
 * @param db    Handle; no transaction may be open.
 * @param scope What it applies to.
 * @param key   ::TWIN_SQLITE_POLICY_MODEL: the DTMI;
 *              ::TWIN_SQLITE_POLICY_SIGNAL: the twin id; NULL for the default.
 * @param name  ::TWIN_SQLITE_POLICY_SIGNAL: the signal's name; else NULL.
 * @param p     Policy (copied), or NULL to remove.
 * @retval TWIN_OK      Stored (committed).
 * @retval TWIN_E_INVAL @p db NULL, a key missing or given where none
 *                      belongs, or an invalid policy (the message says why).
 * @retval TWIN_E_ABI   @p p->size is unknown.
 * @retval TWIN_E_STATE Records delivered but not flushed.
 * @retval TWIN_E_BUSY, TWIN_E_IO  SQLite failed.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_set_policy(twin_sqlite *db, twin_sqlite_policy_scope scope,
                                                   const char *key, const char *name,
                                                   const twin_sqlite_policy *p);

/**
 * @brief Call @p fn for every stored policy (default, then models, then
 *        signals).
 * @param db Handle.
 * @param fn Callback.
 * @param ud Passed to @p fn.
 * @retval TWIN_OK      Every policy passed.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_PARSE A stored policy does not parse (message names it).
 * @retval TWIN_E_IO    SQLite failed.
 * @retval other        What @p fn returned to stop.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_policies(twin_sqlite *db, twin_sqlite_policy_fn fn,
                                                 void *ud);

/**
 * @brief Set how much folding a flush does: at most @p blocks closed blocks
 *        (plus as many as the flush itself closed, so that folding keeps up
 *        with any rate of writing, in work proportional to the flush's own)
 *        folded or tier blocks made, and @p rows tier rows deleted per flush
 *        (the rest waits for the next flushes). 0 and 0: flushes do not
 *        fold (call twin_sqlite_fold()). Default: 8 blocks, 512 rows.
 * @param db     Handle.
 * @param blocks Blocks per flush.
 * @param rows   Tier rows per flush.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p db is NULL.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_set_fold_budget(twin_sqlite *db, uint32_t blocks,
                                                        uint32_t rows);

/**
 * @brief Fold now: for every signal with a policy, in one transaction, the
 *        closed blocks past the raw span (and late samples among them) into
 *        the tiers, and the tier rows past their spans deleted.
 * @param db     Handle; no transaction may be open.
 * @param blocks At most this many blocks (0: no limit).
 * @param out    If not NULL (its @c size set), receives what was done.
 * @retval TWIN_OK      Done (@c out->more says whether work is left).
 * @retval TWIN_E_INVAL @p db is NULL or @p out->size below 8.
 * @retval TWIN_E_ABI   @p out->size is unknown.
 * @retval TWIN_E_STATE Records delivered but not flushed.
 * @retval TWIN_E_PARSE A stored policy does not parse.
 * @retval TWIN_E_BUSY, TWIN_E_IO  SQLite failed; nothing changed.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_fold(twin_sqlite *db, uint64_t blocks,
                                             twin_sqlite_fold_stats *out);

/**
 * @brief Read a signal downsampled to @p bucket_us from the finest tier
 *        that covers [@p from_us, @p to_us) and can make buckets of that
 *        width (raw, or a tier whose width divides @p bucket_us), and say
 *        which tier answered. When none covers the whole range, the one
 *        that reaches back furthest answers (@c answer->complete 0).
 *
 * A tier holds its buckets up to the point raw samples were folded; the
 * newer part of the range comes from the raw samples. With a tier, a
 * bucket of it is in the range when its start is. Buckets as
 * twin_sqlite_read_buckets() gives them; a mean made of several tier
 * buckets adds their sums (it may differ from the raw samples' in the
 * last bits).
 * @param db        Handle; no transaction may be open.
 * @param twin_id   Twin of the signal.
 * @param name      Name of the signal.
 * @param from_us   Start, inclusive.
 * @param to_us     End, exclusive; >= @p from_us.
 * @param bucket_us Bucket width, > 0.
 * @param out       As for twin_sqlite_read_buckets().
 * @param cap       Buckets @p out holds.
 * @param count     Receives the number of buckets of the range.
 * @param answer    If not NULL (its @c size set), receives which tier answered.
 * @retval TWIN_OK       All buckets written.
 * @retval TWIN_E_RANGE  An inverted range, or more buckets than @p cap.
 * @retval TWIN_E_INVAL  A pointer is NULL, @p bucket_us <= 0, a size too small.
 * @retval TWIN_E_ABI    A size is unknown.
 * @retval other         As twin_sqlite_read().
 * @par Thread safety  One thread at a time per handle.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_read_tier(twin_sqlite *db, const char *twin_id,
                                                  const char *name, int64_t from_us,
                                                  int64_t to_us, int64_t bucket_us,
                                                  twin_sqlite_bucket *out, size_t cap,
                                                  size_t *count, twin_sqlite_tier_answer *answer);

/**
 * @brief Describe what each tier of the database holds: raw first, then
 *        each bucket width found in the tiers, finest first.
 * @param db Handle.
 * @param fn Callback.
 * @param ud Passed to @p fn.
 * @retval TWIN_OK      Every tier passed.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_IO    SQLite failed.
 * @retval other        What @p fn returned to stop.
 * @par Thread safety  One thread at a time per handle.
 * @since 1.6
 */
TWIN_SQLITE_API twin_status twin_sqlite_tier_info_each(twin_sqlite *db,
                                                       twin_sqlite_tier_info_fn fn, void *ud);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_SQLITE_H */
