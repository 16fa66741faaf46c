/**
 * @file storage.h
 * @brief Storage: every accepted change to the host's store, in order, with
 *        nothing lost; loading a graph from a store; snapshots.
 *
 * The library owns no file and no socket. A ::twin_store carries the
 * changes of one graph (and of the ingest handle that uses it) to callbacks
 * the host fills in (::twin_store_callbacks): batches of accepted samples,
 * signals, twins, relationships and health states.
 *
 * @par The outbox
 * Every change to the graph (through its change hook) and every write its
 * ingest handle accepts is first
 * written to a bounded outbox (one allocation, made at creation; records in
 * the order of the changes), then delivered to the callbacks in that order.
 * A change stays in the outbox until the store confirms it:
 * - without a @c flush callback, a callback that returns ::TWIN_OK confirms
 *   what it was given;
 * - with one, delivered records are confirmed only when @c flush returns
 *   ::TWIN_OK: the store may stage them (e.g. in a transaction) and commit
 *   in @c flush.
 * When a callback (or @c flush) fails, delivery stops, and the next attempt
 * delivers again from the first unconfirmed record: without @c flush, from
 * the record that failed; with @c flush, from the first record after the
 * last successful flush, so a store with @c flush must drop what it staged
 * since then when it fails (roll back). A callback must therefore make a
 * failure have no effect (all or nothing), and the store then ends holding
 * every accepted change exactly once, in order.
 *
 * Delivery is attempted at the end of every write call of the ingest
 * handle and every mutating call of the store, at the start of the next one
 * when an earlier attempt failed, and by twin_store_flush(). A write that
 * finds the outbox full attempts delivery; if that does not make room, the
 * outbox is full: the write stops with ::TWIN_E_BUSY, and every write is
 * refused with ::TWIN_E_BUSY until a delivery has emptied it.
 *
 * @par What the callbacks receive
 * - Samples: the accepted ones (::TWIN_INGEST_ACCEPTED and
 *   ::TWIN_INGEST_ACCEPTED_LATE), in the signal's unit, by signal handle;
 *   a signal's record (@c put_signal: handle, twin, name, unit) always
 *   comes before its first sample.
 * - Twins and relationships: their content at delivery time (a put is an
 *   idempotent "it exists with this content"). A put whose twin or
 *   relationship no longer exists at delivery is skipped: the delete that
 *   follows it in the outbox supersedes it. Removing a twin delivers the
 *   deletion of each of its relationships, then the twin's; its signals
 *   die with it.
 * - Health states: a copy of the ::twin_health of a signal, when attached,
 *   when its divergence starts or ends, and for every changed state at
 *   twin_store_checkpoint().
 * A NULL callback confirms its records without delivery.
 *
 * @par Snapshots
 * twin_snapshot_save() writes the whole state (models in use by DTMI,
 * twins, relationships, properties, signals with their latest values and
 * counters, health options and states) through a write callback, in a
 * versioned binary format ending in a CRC-32 (little-endian, with health
 * options and states in their encoded forms: independent of the library's
 * layouts and of the machine); twin_snapshot_restore() reads it back
 * through a read callback, and reads the snapshots of every earlier 1.x
 * release. Restore builds the new state aside and
 * swaps it in only when the whole snapshot has been read and its checksum
 * matches: a truncated, corrupted or unknown snapshot fails with
 * ::TWIN_E_PARSE and leaves graph and ingest handle untouched. Saving,
 * restoring and saving again gives the same bytes. Twins come back in
 * iteration order and each twin's outgoing relationships in theirs; a
 * twin's incoming relationships are rebuilt in the order of their sources,
 * which twin_graph_relationships_next() may list differently from the
 * original graph. Signals come back with new handles (resolve them again).
 *
 * @par Firmware
 * Nothing here allocates per sample, reads files or prints; the outbox is
 * one block of the store's allocator.
 *
 * @par Thread safety
 * Not locked: one writer per store (and its graph and ingest handle).
 * Callbacks run inside the calls; they must not call the store or its
 * ingest handle's writing functions (::TWIN_E_STATE), and may read the graph.
 */
#ifndef TWIN_STORAGE_H
#define TWIN_STORAGE_H

#include "twin/core.h"
#include "twin/graph.h"
#include "twin/health.h"
#include "twin/ingest.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup storage Storage
 * @brief Store callbacks, outbox, loader and snapshots.
 * @{
 */

/** @brief A store: the outbox and callbacks of one graph (opaque). */
typedef struct twin_store twin_store;

/** @brief A signal as the store receives it. Strings valid during the call. */
typedef struct twin_store_signal {
    uint32_t size;        /**< `sizeof(twin_store_signal)` of the library: read only
                               the fields within it (core.h: Structs that grow). */
    uint32_t reserved_;   /**< Zero. */
    twin_signal signal;   /**< Handle its samples carry (in this process). */
    const char *twin_id;  /**< Its twin. */
    const char *name;     /**< Its name. */
    const char *unit;     /**< Its unit; "" for none. */
} twin_store_signal;

/**
 * @brief The host's store. Each callback returns ::TWIN_OK when it took
 *        what it was given, or a negative status when it took nothing (the
 *        record is delivered again later). NULL callbacks are skipped.
 */
typedef struct twin_store_callbacks {
    uint32_t size;       /**< Set to `sizeof(twin_store_callbacks)`. */
    uint32_t reserved_;  /**< Zero. */
    void *ud;            /**< Passed to each callback. */
    /** @p n accepted samples, in acceptance order. */
    twin_status (*write_samples)(void *ud, const twin_signal_sample *s, size_t n);
    /** A signal (before its first sample). */
    twin_status (*put_signal)(void *ud, const twin_store_signal *sig);
    /** A twin with its current model and properties (borrowed). */
    twin_status (*put_twin)(void *ud, const char *twin_id, const char *model_id,
                            const twin_member *props, size_t nprops);
    /** A twin is gone (its relationships' deletions came before). */
    twin_status (*delete_twin)(void *ud, const char *twin_id);
    /** A relationship with its current properties (borrowed). */
    twin_status (*put_relationship)(void *ud, const twin_relationship *rel);
    /** A relationship is gone. */
    twin_status (*delete_relationship)(void *ud, const char *source_id, const char *rel_id);
    /** The health state of a signal. */
    twin_status (*put_health)(void *ud, twin_signal signal, const twin_health *state);
    /** Make everything delivered since the last flush durable; see the
        outbox rules above. */
    twin_status (*flush)(void *ud);
} twin_store_callbacks;

/** @brief Smallest outbox, in bytes. */
#define TWIN_STORE_OUTBOX_MIN 4096

/** @brief Options of twin_store_create(). Initialise with
 *         twin_store_options_init(). */
typedef struct twin_store_options {
    uint32_t size;                /**< `sizeof`, set by twin_store_options_init(). */
    uint32_t flags;               /**< Zero. */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    const twin_store_callbacks *callbacks;  /**< Copied; NULL: every record is
                                                 confirmed at once (no store). */
    /** Outbox size in bytes, >= ::TWIN_STORE_OUTBOX_MIN; default 1 MiB
        (about 43,000 samples of 24 bytes). */
    size_t outbox_bytes;
} twin_store_options;

/** @brief State of a store (twin_store_get_stats()). */
typedef struct twin_store_stats {
    uint32_t size;              /**< Set by the caller to `sizeof(twin_store_stats)`. */
    int32_t last_status;        /**< Status of the last failed delivery; ::TWIN_OK if none. */
    uint64_t pending_records;   /**< Records not confirmed yet (a run of samples is one). */
    uint64_t pending_samples;   /**< Samples not confirmed yet. */
    uint64_t pending_bytes;     /**< Outbox bytes in use. */
    uint64_t capacity_bytes;    /**< Outbox size. */
    uint64_t confirmed_samples; /**< Samples confirmed since creation. */
    uint64_t failures;          /**< Failed callbacks (and flushes) since creation. */
    int32_t busy;               /**< 1 while full: writes refused until it drains. */
    uint32_t reserved_;         /**< Zero. */
} twin_store_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_store_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.3
 */
TWIN_API twin_status twin_store_options_init_(twin_store_options *o, size_t size);
/** @brief Initialise store options @p o with defaults. */
#define twin_store_options_init(o) twin_store_options_init_((o), sizeof *(o))

/**
 * @brief Create a store for graph @p g.
 * @param out  Receives the store; NULL on failure.
 * @param g    Graph (retained: it must outlive the store).
 * @param opts Options; NULL for the defaults.
 * @retval TWIN_OK      Created.
 * @retval TWIN_E_INVAL A pointer is NULL or an option is invalid.
 * @retval TWIN_E_ABI   A struct's size is unknown.
 * @retval TWIN_E_RANGE The outbox size is out of range.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @since 1.3
 */
TWIN_API twin_status twin_store_create(twin_store **out, twin_graph *g,
                                       const twin_store_options *opts);

/**
 * @brief Destroy a store. Unconfirmed records are dropped: call
 *        twin_store_flush() first. Destroy the ingest handle using it first.
 * @param st Store; NULL is a no-op.
 * @since 1.3
 */
TWIN_API void twin_store_destroy(twin_store *st);

/**
 * @brief The last failed call's status and message.
 * @param st Store.
 * @return Borrowed; never NULL.
 * @since 1.3
 */
TWIN_API const twin_error *twin_store_last_error(const twin_store *st);

/**
 * @brief Deliver everything pending, then flush.
 * @param st Store.
 * @retval TWIN_OK      The outbox is empty: every change is confirmed.
 * @retval TWIN_E_INVAL @p st is NULL.
 * @retval TWIN_E_STATE Called from a callback.
 * @retval other        The failing callback's status; what it did not
 *                      confirm stays in the outbox.
 * @since 1.3
 */
TWIN_API twin_status twin_store_flush(twin_store *st);

/**
 * @brief Queue the health state of every signal whose state changed since
 *        it was last queued, then deliver.
 * @param st Store.
 * @retval TWIN_OK      Queued (delivery failures are kept for later, see
 *                      twin_store_get_stats()).
 * @retval TWIN_E_INVAL @p st is NULL.
 * @retval TWIN_E_BUSY  The outbox filled up: the states not queued stay marked.
 * @retval TWIN_E_STATE Called from a callback.
 * @since 1.3
 */
TWIN_API twin_status twin_store_checkpoint(twin_store *st);

/**
 * @brief Counters and state of the outbox.
 * @param st  Store.
 * @param out Receives them; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI @p out->size is larger than this library's struct.
 * @par Thread safety Reader.
 * @since 1.3
 */
TWIN_API twin_status twin_store_get_stats(const twin_store *st, twin_store_stats *out);

/**
 * @name Changes to the graph through the store
 * Since 1.5 a store adds a change hook to its graph
 * (twin_graph_add_change_hook()), so every change made with the
 * twin_graph_*() functions reaches the store; these functions are kept for
 * 1.x compatibility and each is exactly the twin_graph_*() function of the
 * same name on the store's graph. When the outbox has no room for a change
 * (after a delivery attempt), the change is refused with ::TWIN_E_BUSY and
 * the graph is unchanged; made from a store or ingest callback, it is
 * refused with ::TWIN_E_STATE. Messages go to the graph's last error (and
 * the store's, for its refusals).
 * @{
 */

/** @brief twin_graph_add_twin() through the store. @since 1.3
 *  @param st Store. @param twin_id Twin. @param model_id Model.
 *  @param props Properties. @param nprops Their number.
 *  @return As twin_graph_add_twin(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_add_twin(twin_store *st, const char *twin_id,
                                         const char *model_id, const twin_member *props,
                                         size_t nprops);
/** @brief twin_graph_remove_twin() through the store; the twin's ingest
 *         signals go too. @since 1.3
 *  @param st Store. @param twin_id Twin. @param flags As twin_graph_remove_twin().
 *  @return As twin_graph_remove_twin(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_remove_twin(twin_store *st, const char *twin_id,
                                            uint32_t flags);
/** @brief twin_graph_set_model() through the store. @since 1.3
 *  @param st Store. @param twin_id Twin. @param model_id New model.
 *  @return As twin_graph_set_model(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_set_model(twin_store *st, const char *twin_id,
                                          const char *model_id);
/** @brief twin_graph_set_property() through the store. @since 1.3
 *  @param st Store. @param twin_id Twin. @param name Property. @param value Value.
 *  @return As twin_graph_set_property(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_set_property(twin_store *st, const char *twin_id,
                                             const char *name, const twin_value *value);
/** @brief twin_graph_remove_property() through the store. @since 1.3
 *  @param st Store. @param twin_id Twin. @param name Property.
 *  @return As twin_graph_remove_property(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_remove_property(twin_store *st, const char *twin_id,
                                                const char *name);
/** @brief twin_graph_add_relationship() through the store. @since 1.3
 *  @param st Store. @param source_id Source. @param rel_id Identifier.
 *  @param name Name. @param target_id Target. @param props Properties.
 *  @param nprops Their number.
 *  @return As twin_graph_add_relationship(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_add_relationship(twin_store *st, const char *source_id,
                                                 const char *rel_id, const char *name,
                                                 const char *target_id,
                                                 const twin_member *props, size_t nprops);
/** @brief twin_graph_remove_relationship() through the store. @since 1.3
 *  @param st Store. @param source_id Source. @param rel_id Identifier.
 *  @return As twin_graph_remove_relationship(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_remove_relationship(twin_store *st, const char *source_id,
                                                    const char *rel_id);
/** @brief twin_graph_set_relationship_property() through the store. @since 1.3
 *  @param st Store. @param source_id Source. @param rel_id Identifier.
 *  @param name Property. @param value Value.
 *  @return As twin_graph_set_relationship_property(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_set_relationship_property(twin_store *st,
                                                          const char *source_id,
                                                          const char *rel_id, const char *name,
                                                          const twin_value *value);
/** @brief twin_graph_remove_relationship_property() through the store. @since 1.3
 *  @param st Store. @param source_id Source. @param rel_id Identifier. @param name Property.
 *  @return As twin_graph_remove_relationship_property(), or ::TWIN_E_BUSY, ::TWIN_E_STATE. */
TWIN_API twin_status twin_store_remove_relationship_property(twin_store *st,
                                                             const char *source_id,
                                                             const char *rel_id,
                                                             const char *name);
/** @} */

/* ---- loading -------------------------------------------------------------------- */

/** @brief A twin as a loader hands it over (strings and properties borrowed
 *         until the loader's next call). */
typedef struct twin_store_twin {
    uint32_t size;                /**< Set by the library (its `sizeof`); the loader fills
                                       the rest, only the fields within it. */
    uint32_t reserved_;           /**< Zero. */
    const char *id;               /**< Identifier. */
    const char *model_id;         /**< Model. */
    const twin_member *props;     /**< Properties; NULL when none. */
    size_t nprops;                /**< Their number. */
} twin_store_twin;

/** @brief A signal as a loader hands it over (borrowed until the loader's
 *         next call). */
typedef struct twin_store_loaded_signal {
    uint32_t size;                /**< Set by the library (its `sizeof`); the loader fills
                                       the rest, only the fields within it. */
    int32_t has_latest;           /**< 1 when @c latest_t_us and @c latest_value hold. */
    const char *twin_id;          /**< Its twin (loaded before). */
    const char *name;             /**< Its name. */
    const twin_signal_options *options;  /**< Options with its unit; NULL: defaults, no unit. */
    int64_t latest_t_us;          /**< Latest accepted timestamp. */
    double latest_value;          /**< Latest value. */
    /** Health options, or NULL when the signal has no health model. For
        ::TWIN_HEALTH_USER with a NULL @c user (a store cannot keep
        functions), the ingest handle's @c user_model runs the state. */
    const twin_health_options *health_options;
    /** Its health state as put_health delivered it (same library layout);
        NULL: a fresh twin_health_init() at @c health_t0_us. */
    const twin_health *health;
    int64_t health_t0_us;         /**< Time zero when @c health is NULL. */
} twin_store_loaded_signal;

/**
 * @brief Reads what a store holds, one item per call: each function
 *        returns ::TWIN_OK with an item, ::TWIN_DONE at the end, or a
 *        negative status that ends the load. NULL functions have no items.
 */
typedef struct twin_store_loader {
    uint32_t size;       /**< Set to `sizeof(twin_store_loader)`. */
    uint32_t reserved_;  /**< Zero. */
    void *ud;            /**< Passed to each function. */
    /** The next twin. */
    twin_status (*next_twin)(void *ud, twin_store_twin *out);
    /** The next relationship (fill @c source_id, @c id, @c name, @c target_id,
        @c properties and @c property_count; @c size is set). */
    twin_status (*next_relationship)(void *ud, twin_relationship *out);
    /** The next signal. */
    twin_status (*next_signal)(void *ud, twin_store_loaded_signal *out);
} twin_store_loader;

/**
 * @brief Rebuild a graph (and its ingest handle's signals) from a store, at
 *        start-up.
 *
 * Twins first, then relationships, then signals, each added as the graph
 * and ingest functions would (so the graph's validator checks them). The
 * new state is built aside and replaces the content of @p g and @p ing
 * only when everything loaded; nothing is queued for the store (it is where
 * the state came from).
 * @param g   Graph to fill; its content is replaced.
 * @param ing Ingest handle over @p g, or NULL (the signals are then skipped).
 * @param ld  The loader.
 * @retval TWIN_OK      Loaded.
 * @retval TWIN_E_INVAL A pointer is NULL, @p ing is not over @p g, or an item
 *                      is malformed; @p g and @p ing unchanged.
 * @retval TWIN_E_ABI   A size is unknown.
 * @retval TWIN_E_BUSY  @p ing's store has unconfirmed records (flush first).
 * @retval TWIN_E_STATE A signal has a user-model health state without its
 *                      model table and @p ing has no @c user_model; unchanged.
 * @retval TWIN_E_NOMEM Allocation failed; unchanged.
 * @retval other        A loader's status, or an add that failed; unchanged.
 * In every failure but a NULL @p g, the graph's last error says why.
 * @since 1.3
 */
TWIN_API twin_status twin_store_load(twin_graph *g, twin_ingest *ing,
                                     const twin_store_loader *ld);

/* ---- snapshots ------------------------------------------------------------------ */

/** @brief Snapshot format version written by this library: 2 since 1.5
 *         (health options and states in their encoded forms, see
 *         twin_health_encode()); 1 in 1.3 and 1.4 (raw health states).
 *         twin_snapshot_restore() reads every version. */
#define TWIN_SNAPSHOT_VERSION 2

/** @brief Receives @p n bytes of a snapshot; ::TWIN_OK or a negative status
 *         that ends the save. */
typedef twin_status (*twin_snapshot_write_fn)(void *ud, const void *buf, size_t n);

/** @brief Fills @p buf with up to @p cap bytes and sets @p *got (at least
 *         1 byte until the end, then 0). ::TWIN_OK or a negative status that
 *         ends the restore. */
typedef twin_status (*twin_snapshot_read_fn)(void *ud, void *buf, size_t cap, size_t *got);

/**
 * @brief Save the whole state: graph and, if given, its ingest handle.
 * @param g   Graph.
 * @param ing Its ingest handle, or NULL.
 * @param w   Write callback.
 * @param ud  Passed to @p w.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_INVAL A pointer is NULL or @p ing is not over @p g.
 * @retval other        The callback's status.
 * @par Thread safety Reader of @p g and @p ing.
 * @since 1.3
 */
TWIN_API twin_status twin_snapshot_save(const twin_graph *g, const twin_ingest *ing,
                                        twin_snapshot_write_fn w, void *ud);

/**
 * @brief Replace the state of @p g (and @p ing) with a snapshot.
 *
 * @par Limits
 * Each is checked as it is read, before anything of that size is
 * allocated; past one, the restore reads on to the checksum and fails with
 * ::TWIN_E_RANGE if the snapshot is otherwise intact (::TWIN_E_PARSE if it
 * is not), the graph's last error naming the limit and the byte:
 * - twin, relationship, property and member identifiers, signal names and
 *   units: at most ::TWIN_ID_MAX bytes; model ids ::TWIN_MODEL_ID_MAX;
 * - values: at most ::TWIN_VALUE_DEPTH_MAX levels of arrays and objects
 *   (the graph's own limit, so every value a graph holds restores);
 * - a signal's history: ::TWIN_INGEST_HISTORY_MAX samples;
 * - encoded health states and options (format 2):
 *   ::TWIN_HEALTH_ENCODED_MAX and ::TWIN_HEALTH_OPTIONS_ENCODED_MAX bytes;
 * - health profiles: 65535 (the ingest handle's distinct options).
 * Every other count and length (models, twins, relationships, properties,
 * members, array items, string values, signals) is bounded by the bytes
 * the header says are left (::TWIN_E_PARSE past them): memory grows only as
 * items really arrive (about twice what the input holds), whatever the
 * counts claim. The graph's and ingest handle's own limits (distinct
 * models, twins, signals, units) apply as for their calls, with their
 * statuses. The total length is the header's (u64, at least 28 bytes), and
 * nothing may follow it.
 * @param g   Graph; its content is replaced. Its allocator and validator stay.
 * @param ing Its ingest handle, or NULL (the snapshot's signals are then skipped).
 * @param r   Read callback.
 * @param ud  Passed to @p r.
 * @retval TWIN_OK      Restored.
 * @retval TWIN_E_INVAL A pointer is NULL or @p ing is not over @p g.
 * @retval TWIN_E_PARSE Not a snapshot, a version this library does not
 *                      know (a later one), truncated, corrupted (an
 *                      encoded health state or options that do not
 *                      decode), or the checksum does not match (the
 *                      graph's last error says which and at which byte);
 *                      @p g and @p ing unchanged.
 * @retval TWIN_E_RANGE A limit is exceeded (see Limits; since 1.7.0, before
 *                      some were ::TWIN_E_PARSE or ::TWIN_E_INVAL); @p g and
 *                      @p ing unchanged.
 * @retval TWIN_E_BUSY  @p ing's store has unconfirmed records.
 * @retval TWIN_E_STATE The snapshot has user-model health states and @p ing
 *                      has no @c user_model.
 * @retval TWIN_E_NOMEM Allocation failed; unchanged.
 * @retval other        The read callback's status, or the graph's validator
 *                      refused a twin; unchanged.
 * @since 1.3
 */
TWIN_API twin_status twin_snapshot_restore(twin_graph *g, twin_ingest *ing,
                                           twin_snapshot_read_fn r, void *ud);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_STORAGE_H */
