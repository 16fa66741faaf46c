/**
 * @file ingest.h
 * @brief Ingest: samples in, checked, converted, and applied to the twins.
 *
 * A ::twin_ingest takes samples of the twins of one graph: a twin, a
 * signal (a Telemetry or Property of the twin's model, or a signal the host
 * declared), a timestamp (microseconds since the Unix epoch), a value and
 * optionally its unit. Batches go in one call, which reports an outcome
 * per sample (::twin_ingest_outcome): accepted, accepted late, duplicate, or
 * rejected with a reason. Every outcome is counted per signal (the unknown
 * ones, which have no signal, per handle).
 *
 * @par Two paths, one result
 * twin_ingest_write() takes samples by name: it hashes the twin and signal
 * names once per sample. twin_ingest_resolve() turns a (twin, signal, unit)
 * into a ::twin_signal handle once; twin_ingest_write_signals() then takes
 * samples by handle with no string work at all. Both run the same checks
 * and conversions and give the same outcomes and values.
 *
 * @par Checks, in order
 * 1. The twin and the signal must be known (::TWIN_INGEST_UNKNOWN_TWIN,
 *    ::TWIN_INGEST_UNKNOWN_SIGNAL; a handle whose signal was removed is an
 *    unknown signal).
 * 2. The value must be finite, before and after conversion
 *    (::TWIN_INGEST_NOT_FINITE).
 * 3. A sample's unit must convert to the signal's unit: same DTDL unit
 *    type (e.g. two TemperatureUnit values), through the DTDL unit tables
 *    (::TWIN_INGEST_BAD_UNIT). Linear units convert as
 *    `v * from_scale / to_scale` (exact when the scales are, e.g.
 *    kilopascal to pascal); Celsius, Fahrenheit and kelvin use their
 *    defining formulas (`(F - 32) * 5 / 9` and so on), so that the fixed
 *    points (32 degreeFahrenheit = 0 degreeCelsius, 212 = 100, 0 degreeCelsius
 *    = 273.15 kelvin) come out exact.
 * 4. Time. A sample newer than the signal's latest becomes the latest
 *    (::TWIN_INGEST_ACCEPTED). At the latest's timestamp: the same value is
 *    an exact duplicate (::TWIN_INGEST_DUPLICATE: dropped and counted, not
 *    an error), another value a conflicting one (::TWIN_INGEST_CONFLICT,
 *    rejected). Older than the latest: the signal's order policy decides
 *    (::twin_ingest_order): rejected (::TWIN_INGEST_OUT_OF_ORDER), or, within
 *    the reorder window, accepted into history (::TWIN_INGEST_ACCEPTED_LATE:
 *    it goes to the store, but the latest value and the health model do not
 *    move). Duplicates and conflicts among older samples are recognised
 *    among the signal's last @c history accepted samples
 *    (::twin_signal_options); a late sample that could be a duplicate of
 *    one no longer remembered is rejected as out of order rather than
 *    risk storing it twice.
 *
 * @par What an accepted sample does
 * It updates the signal's latest value (kept in the ingest handle, one
 * small record per signal: the graph's property sets are not rewritten per
 * sample), runs the signal's health model if one is attached
 * (twin_ingest_attach_health(): prediction, divergence, recalibration, as
 * twin_health_update() does), checks the signal's alarm thresholds, and
 * queues the sample for the store (::twin_store) if the handle has one.
 * What happens reaches the host's event callback (::twin_ingest_event).
 *
 * @par Storage and back-pressure
 * With a store, accepted samples wait in the store's bounded outbox until
 * the store's callbacks confirm them. When the outbox is full, a write call
 * stops with ::TWIN_E_BUSY and accepts nothing more until the outbox has
 * drained (see storage.h).
 *
 * @par Signals
 * A signal is declared by the host (twin_ingest_add_signal(), with its
 * unit), or found through a resolver (::twin_ingest_resolver; e.g. from a
 * DTDL model set, twin_ingest_resolver_from_models()) the first time a
 * sample or twin_ingest_resolve() names it. Without a resolver only declared
 * signals exist, and the module needs no DTDL parser (firmware).
 *
 * @par Errors
 * Per-sample problems are outcomes, not call errors. A call that fails
 * returns a negative ::twin_status, leaves the handle unchanged and records
 * a message (twin_ingest_last_error()); the write calls are the exception
 * documented with them: they may stop part way (::TWIN_E_BUSY,
 * ::TWIN_E_NOMEM) having processed exactly the samples before @c *done.
 *
 * @par Thread safety
 * Not locked: one writer, or any number of concurrent readers, per handle.
 * The handle reads its graph: do not write to the graph while a call on the
 * handle runs. The event callback runs inside write calls; it must not call
 * the ingest or store handles' writing functions (they return
 * ::TWIN_E_STATE).
 */
#ifndef TWIN_INGEST_H
#define TWIN_INGEST_H

#include "twin/clock.h"
#include "twin/core.h"
#include "twin/graph.h"
#include "twin/health.h"
#include "twin/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup ingest Ingest
 * @brief Samples in: checks, units, order, duplicates, latest values, health.
 * @{
 */

/** @brief An ingest handle (opaque). */
typedef struct twin_ingest twin_ingest;

/** @cond TWIN_INTERNAL */
struct twin_store;
struct twin_models;
/** @endcond */

/**
 * @brief A signal handle, from twin_ingest_resolve() or
 *        twin_ingest_add_signal(). Never 0. It stays valid until its twin's
 *        signals are removed; a stale handle is refused as an unknown
 *        signal, never confused with a newer signal.
 */
typedef uint64_t twin_signal;

/**
 * @brief A source handle (twin_ingest_add_source()): whatever stamps the
 *        samples of some signals (a device, a PLC, a gateway), with its
 *        clock model. Never 0; valid for the handle's life.
 */
typedef uint32_t twin_source;

/** @brief What became of one sample. Values fixed forever. */
typedef enum twin_ingest_outcome {
    /** Accepted; it is the signal's latest value. */
    TWIN_INGEST_ACCEPTED = 0,
    /** Accepted into history (older than the latest, within the reorder
        window): stored, but the latest value and health do not move. */
    TWIN_INGEST_ACCEPTED_LATE = 1,
    /** Same timestamp and value as an accepted sample: dropped, counted. */
    TWIN_INGEST_DUPLICATE = 2,
    /** Rejected: no such twin in the graph. */
    TWIN_INGEST_UNKNOWN_TWIN = 3,
    /** Rejected: the twin has no such signal (or the handle is stale). */
    TWIN_INGEST_UNKNOWN_SIGNAL = 4,
    /** Rejected: the value is NaN or infinite (or becomes so in conversion). */
    TWIN_INGEST_NOT_FINITE = 5,
    /** Rejected: the sample's unit is unknown or does not convert to the
        signal's unit. */
    TWIN_INGEST_BAD_UNIT = 6,
    /** Rejected: older than the latest, and the policy or window refuses it. */
    TWIN_INGEST_OUT_OF_ORDER = 7,
    /** Rejected: same timestamp as an accepted sample, another value. */
    TWIN_INGEST_CONFLICT = 8,
    /** Not looked at: the call stopped before this sample (::TWIN_E_BUSY
        or ::TWIN_E_NOMEM). Not counted. */
    TWIN_INGEST_NOT_PROCESSED = 9
} twin_ingest_outcome;

/** @brief Number of ::twin_ingest_outcome values. */
#define TWIN_INGEST_OUTCOMES 10

/** @brief What a signal does with a sample older than its latest.
 *         Values fixed forever. */
typedef enum twin_ingest_order {
    /** Reject it (::TWIN_INGEST_OUT_OF_ORDER). */
    TWIN_INGEST_ORDER_REJECT = 1,
    /** Accept it into history (::TWIN_INGEST_ACCEPTED_LATE) when it is at
        most @c reorder_window_us older than the latest. */
    TWIN_INGEST_ORDER_WINDOW = 2
} twin_ingest_order;

/** @brief Flags of a ::twin_ingest_event. Values fixed forever. */
enum twin_ingest_event_flag {
    TWIN_INGEST_EVENT_DIVERGED = 1u,       /**< The health model diverged at this sample. */
    TWIN_INGEST_EVENT_CLEARED = 2u,        /**< The divergence ended at this sample. */
    TWIN_INGEST_EVENT_RECALIBRATED = 4u,   /**< This sample recalibrated the model. */
    TWIN_INGEST_EVENT_THRESHOLD = 8u,      /**< The value crossed an alarm threshold:
                                                @c zone changed. */
    TWIN_INGEST_EVENT_HEALTH_CHANGED = 16u, /**< The health score moved to another band
                                                 of width @c health_step. */
    TWIN_INGEST_EVENT_HEALTH_ERROR = 32u,  /**< The health model refused the sample (e.g.
                                                a value at or below @c phi for the
                                                exponential model); the sample is still
                                                accepted, the model is unchanged. */
    /** The signal's source (twin_ingest_set_signal_source()) is out of its
        clock tolerance (::TWIN_CLOCK_OUT_OF_TOLERANCE): the timestamp was
        corrected by its model all the same. Set on every sample accepted
        (latest or late) while it lasts; twin_ingest_signal_source() tells the
        correction and its uncertainty. @since 1.6 */
    TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE = 64u,
    /** The signal's source has no clock estimate yet (fewer than its
        @c min_pairs pairs) or could not correct this timestamp: the sample
        was taken with the source's own timestamp. Set on every such sample
        accepted. @since 1.6 */
    TWIN_INGEST_EVENT_CLOCK_UNCORRECTED = 128u
};

/** @brief A sample by name. Arrays of it are passed with their element
 *         size (twin_ingest_write()), so the struct can grow. */
typedef struct twin_sample {
    const char *twin_id;  /**< Twin identifier. */
    const char *signal;   /**< Signal name (a Telemetry or Property name). */
    int64_t t_us;         /**< Timestamp, microseconds since the Unix epoch. */
    double value;         /**< Value, in @c unit. */
    const char *unit;     /**< DTDL unit name (e.g. "degreeFahrenheit"); NULL or "":
                               the signal's own unit. */
} twin_sample;

/** @brief A sample by handle (twin_ingest_write_signals()); also the form
 *         in which the store receives accepted samples. */
typedef struct twin_signal_sample {
    twin_signal signal;  /**< Signal handle (its unit conversion included). */
    int64_t t_us;        /**< Timestamp, microseconds since the Unix epoch. */
    double value;        /**< Value, in the handle's unit. For the store: in the
                              signal's unit, after conversion. */
} twin_signal_sample;

/** @brief Most samples a signal remembers for duplicate detection. */
#define TWIN_INGEST_HISTORY_MAX 256

/** @brief Options of a signal. Initialise with twin_signal_options_init(). */
typedef struct twin_signal_options {
    uint32_t size;              /**< `sizeof`, set by twin_signal_options_init(). */
    int32_t order;              /**< A ::twin_ingest_order; default ::TWIN_INGEST_ORDER_REJECT. */
    int64_t reorder_window_us;  /**< For ::TWIN_INGEST_ORDER_WINDOW: how much older than
                                     the latest a sample may be, >= 0; default 0. */
    /** DTDL unit name of the signal's values (twin_ingest_add_signal() only;
        resolved signals take their model's unit); NULL: none. Copied. */
    const char *unit;
    double alarm_low;           /**< Alarm below this value; NaN (default): none. */
    double alarm_high;          /**< Alarm above this value; NaN (default): none. */
    /** Accepted samples remembered to classify older samples as duplicates
        or conflicts, 0..::TWIN_INGEST_HISTORY_MAX; default 0 (only the
        latest). With ::TWIN_INGEST_ORDER_WINDOW at least 1 is needed to
        accept anything late; 16 bytes each. */
    uint32_t history;
    uint32_t reserved_;         /**< Zero. */
    /** Width of a health band for ::TWIN_INGEST_EVENT_HEALTH_CHANGED, in
        (0, 1]; 0 (default): no health score per sample (it costs a
        prediction). */
    double health_step;
} twin_signal_options;

/**
 * @brief Describes the signals of twins from their models.
 *
 * Called when a sample or twin_ingest_resolve() names a signal that is not
 * declared yet, with the twin's identifier and model identifier (from the
 * graph). The callback sets `*unit` to the signal's DTDL unit name (or
 * NULL for none; copied after the call) and returns ::TWIN_OK; or returns
 * ::TWIN_E_NOTFOUND when the model has no such numeric signal. Any other
 * negative status ends the call that asked with that status.
 */
typedef struct twin_ingest_resolver {
    uint32_t size;       /**< Set to `sizeof(twin_ingest_resolver)`. */
    uint32_t reserved_;  /**< Zero. */
    /** The callback. */
    twin_status (*resolve)(void *ud, const char *twin_id, const char *model_id,
                           const char *signal, const char **unit);
    void *ud;            /**< Passed to @c resolve; must outlive the handle. */
} twin_ingest_resolver;

/** @brief What one accepted sample caused (passed to the event callback). */
typedef struct twin_ingest_event {
    uint32_t size;          /**< `sizeof(twin_ingest_event)` of the library: read only
                                 the fields within it (core.h: Structs that grow). */
    uint32_t flags;         /**< ::twin_ingest_event_flag bits. */
    twin_signal signal;     /**< The signal. */
    int64_t t_us;           /**< The sample's timestamp. */
    double value;           /**< The sample's value in the signal's unit. */
    double predicted;       /**< Health model's prediction before the sample; NaN without one. */
    double error;           /**< Its relative error; NaN without a health model. */
    double mean_before[2];  /**< Model parameters before (NaN for user models or none). */
    double mean_after[2];   /**< Model parameters after (NaN for user models or none). */
    uint64_t recalibrations; /**< Recalibrations of the signal's model so far. */
    double health;          /**< Health score after the sample, when @c health_step > 0;
                                 else NaN. */
    int32_t diverged;       /**< 1 while the health model is diverged. */
    int32_t zone;           /**< Alarm zone after the sample: -1 below @c alarm_low,
                                 1 above @c alarm_high, 0 between. */
} twin_ingest_event;

/** @brief The event callback. @p ev is valid during the call only. */
typedef void (*twin_ingest_event_fn)(void *ud, const twin_ingest_event *ev);

/** @brief Options of twin_ingest_create(). Initialise with
 *         twin_ingest_options_init(). */
typedef struct twin_ingest_options {
    uint32_t size;                /**< `sizeof`, set by twin_ingest_options_init(). */
    uint32_t flags;               /**< Zero. */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    /** Store that receives accepted samples, signals and health states
        (retained; must outlive the handle, over the same graph); NULL: none.
        A store serves one ingest handle. */
    struct twin_store *store;
    twin_ingest_event_fn on_event;  /**< Event callback; NULL: none. */
    void *event_ud;                 /**< Passed to @c on_event. */
    /** Finds undeclared signals (copied); NULL: only declared signals exist. */
    const twin_ingest_resolver *resolver;
    /** Options of resolved signals (copied; its @c unit is ignored); NULL:
        the defaults of twin_signal_options_init(). */
    const twin_signal_options *resolved_options;
    /** The model table given to health profiles of kind ::TWIN_HEALTH_USER
        that a snapshot restore or a store load brings back (retained); NULL
        if none. */
    const twin_health_model *user_model;
    uint32_t signal_capacity;     /**< Signals to reserve room for at creation; 0: grow. */
    uint32_t twin_capacity;       /**< Twins with signals to reserve room for; 0: grow. */
} twin_ingest_options;

/** @brief Counters of a signal, or of the whole handle (twin_ingest_get_stats()). */
typedef struct twin_ingest_stats {
    uint32_t size;            /**< Set by the caller to `sizeof(twin_ingest_stats)`. */
    uint32_t reserved_;       /**< Zero. */
    /** Samples by ::twin_ingest_outcome (index); ::TWIN_INGEST_NOT_PROCESSED
        stays 0. */
    uint64_t outcomes[16];
    uint64_t health_errors;   /**< Accepted samples the health model refused. */
    uint64_t events;          /**< Events delivered to the callback. */
    uint64_t signals;         /**< Handle: live signals; signal: 1. */
} twin_ingest_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_ingest_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done: no allocator, store, callback or resolver.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_options_init_(twin_ingest_options *o, size_t size);
/** @brief Initialise ingest options @p o with defaults. */
#define twin_ingest_options_init(o) twin_ingest_options_init_((o), sizeof *(o))

/**
 * @brief Fill @p o with defaults. Use the twin_signal_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done: reject late samples, no unit, no alarms, no
 *                      history, no health bands.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.3
 */
TWIN_API twin_status twin_signal_options_init_(twin_signal_options *o, size_t size);
/** @brief Initialise signal options @p o with defaults. */
#define twin_signal_options_init(o) twin_signal_options_init_((o), sizeof *(o))

/**
 * @brief Create an ingest handle over graph @p g.
 * @param out  Receives the handle; NULL on failure.
 * @param g    The graph whose twins the samples name (retained: it must
 *             outlive the handle).
 * @param opts Options; NULL for the defaults.
 * @retval TWIN_OK      Created.
 * @retval TWIN_E_INVAL A pointer is NULL, an option is invalid, or the store
 *                      serves another graph or another ingest handle.
 * @retval TWIN_E_ABI   A struct's size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_create(twin_ingest **out, const twin_graph *g,
                                        const twin_ingest_options *opts);

/**
 * @brief Destroy an ingest handle (its signals, latest values and health
 *        states). A store it used forgets it and can serve another.
 * @param ing Handle; NULL is a no-op.
 * @since 1.3
 */
TWIN_API void twin_ingest_destroy(twin_ingest *ing);

/**
 * @brief The last failed call's status and message.
 * @param ing Handle.
 * @return Borrowed; never NULL (for a NULL handle, a static record).
 * @since 1.3
 */
TWIN_API const twin_error *twin_ingest_last_error(const twin_ingest *ing);

/**
 * @brief Declare a signal of a twin, with its unit and options.
 * @param ing     Handle.
 * @param twin_id A twin of the graph.
 * @param signal  Signal name (non-empty UTF-8, at most ::TWIN_ID_MAX bytes), copied.
 * @param o       Options (its @c unit: the signal's unit); NULL: defaults, no unit.
 * @param out     If not NULL, receives the handle (0 on failure).
 * @retval TWIN_OK          Declared.
 * @retval TWIN_E_INVAL     A pointer is NULL, a name is empty or not UTF-8, or an
 *                          option is invalid (unknown order, negative window,
 *                          history or health step out of range).
 * @retval TWIN_E_ABI       @p o->size is unknown.
 * @retval TWIN_E_RANGE     A name is too long, or too many signals.
 * @retval TWIN_E_NOTFOUND  No such twin, or the unit is not a DTDL unit.
 * @retval TWIN_E_EXISTS    The twin already has this signal.
 * @retval TWIN_E_BUSY      The store's outbox has no room for the new signal.
 * @retval TWIN_E_NOMEM     Allocation failed.
 * Every failure leaves the handle unchanged.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_add_signal(twin_ingest *ing, const char *twin_id,
                                            const char *signal, const twin_signal_options *o,
                                            twin_signal *out);

/**
 * @brief The handle of a signal, for samples in @p unit.
 *
 * Finds a declared signal, or declares it through the resolver.
 * @param ing     Handle.
 * @param twin_id Twin.
 * @param signal  Signal name.
 * @param unit    Unit of the samples that will use the handle (DTDL name);
 *                NULL: the signal's own unit. Samples by the handle are
 *                converted from it.
 * @param out     Receives the handle (0 on failure).
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     A pointer is NULL or a name is invalid.
 * @retval TWIN_E_NOTFOUND  No such twin or signal, or @p unit is not a DTDL unit.
 * @retval TWIN_E_CONSTRAINT @p unit does not convert to the signal's unit.
 * @retval TWIN_E_RANGE     Too many signals or unit conversions (255).
 * @retval TWIN_E_BUSY      The store's outbox has no room for a new signal.
 * @retval TWIN_E_NOMEM     Allocation failed.
 * @retval other            The resolver's status.
 * Every failure leaves the handle unchanged.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_resolve(twin_ingest *ing, const char *twin_id,
                                         const char *signal, const char *unit,
                                         twin_signal *out);

/**
 * @brief Change a signal's order policy, window, alarms, history and health step.
 * @param ing Handle.
 * @param sig Signal.
 * @param o   New options; its @c unit must be NULL or the signal's unit.
 * @retval TWIN_OK          Changed (a changed @c history forgets the remembered samples).
 * @retval TWIN_E_INVAL     A pointer is NULL, an option is invalid, or @c unit differs.
 * @retval TWIN_E_ABI       @p o->size is unknown.
 * @retval TWIN_E_NOTFOUND  No such signal.
 * @retval TWIN_E_NOMEM     Allocation failed (history); unchanged.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_set_signal_options(twin_ingest *ing, twin_signal sig,
                                                    const twin_signal_options *o);

/**
 * @brief Attach a health model to a signal (replacing any), starting at
 *        time @p t0_us.
 *
 * The handle keeps a copy of @p o, shared by the signals attached with
 * equal options (a user model's table is retained). Each sample accepted
 * as the latest then runs the model as twin_health_update() would.
 * @param ing   Handle.
 * @param sig   Signal.
 * @param o     Health options (see health.h).
 * @param t0_us Model time zero.
 * @retval TWIN_OK          Attached; with a store, the initial state is queued.
 * @retval TWIN_E_INVAL     A pointer is NULL, or twin_health_init() refuses @p o.
 * @retval TWIN_E_ABI       A size is unknown.
 * @retval TWIN_E_RANGE     As twin_health_init(); or too many distinct options (65535).
 * @retval TWIN_E_NOTFOUND  No such signal.
 * @retval TWIN_E_BUSY      The store's outbox has no room for the state.
 * @retval TWIN_E_NOMEM     Allocation failed.
 * Every failure leaves the handle unchanged.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_attach_health(twin_ingest *ing, twin_signal sig,
                                               const twin_health_options *o, int64_t t0_us);

/**
 * @brief Detach a signal's health model.
 * @param ing Handle.
 * @param sig Signal.
 * @retval TWIN_OK          Detached (or had none).
 * @retval TWIN_E_INVAL     @p ing is NULL.
 * @retval TWIN_E_NOTFOUND  No such signal.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_detach_health(twin_ingest *ing, twin_signal sig);

/**
 * @brief Ingest samples by name. Use the twin_ingest_write() macro.
 *
 * Each sample is checked and applied in order. Samples that name a signal
 * not yet declared declare it through the resolver (which allocates).
 * @param ing      Handle.
 * @param s        @p n samples.
 * @param n        Number of samples.
 * @param stride   `sizeof *s` as the caller compiled it.
 * @param outcomes If not NULL, @p n bytes: the ::twin_ingest_outcome of each sample.
 * @param done     If not NULL, receives the number of samples processed.
 * @retval TWIN_OK      Every sample processed (each with its outcome).
 * @retval TWIN_E_BUSY  The store's outbox is full (or has not drained since it
 *                      was): the samples from @c *done on were not looked at.
 * @retval TWIN_E_NOMEM Declaring a resolved signal failed: the samples from
 *                      @c *done on were not looked at.
 * @retval TWIN_E_INVAL A pointer is NULL (with @p n > 0) or @p stride is too
 *                      small; nothing processed.
 * @retval TWIN_E_ABI   @p stride is larger than this library's struct.
 * @retval TWIN_E_STATE Called from a callback of this handle or its store.
 * @retval other        The resolver's status; samples from @c *done on not looked at.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_write_(twin_ingest *ing, const twin_sample *s, size_t n,
                                        size_t stride, uint8_t *outcomes, size_t *done);
/** @brief Ingest @p n samples by name; see twin_ingest_write_(). */
#define twin_ingest_write(ing, s, n, outcomes, done) \
    twin_ingest_write_((ing), (s), (n), sizeof *(s), (outcomes), (done))

/**
 * @brief Ingest samples by handle, the fast path. Use the
 *        twin_ingest_write_signals() macro.
 *
 * Same checks, outcomes and effects as twin_ingest_write(); no string is
 * hashed or compared, nothing is allocated.
 * @param ing      Handle.
 * @param s        @p n samples.
 * @param n        Number of samples.
 * @param stride   `sizeof *s` as the caller compiled it.
 * @param outcomes If not NULL, @p n bytes: the ::twin_ingest_outcome of each sample.
 * @param done     If not NULL, receives the number of samples processed.
 * @retval TWIN_OK      Every sample processed.
 * @retval TWIN_E_BUSY  The store's outbox is full: samples from @c *done on
 *                      were not looked at.
 * @retval TWIN_E_INVAL A pointer is NULL or @p stride is too small; nothing processed.
 * @retval TWIN_E_ABI   @p stride is larger than this library's struct.
 * @retval TWIN_E_STATE Called from a callback of this handle or its store.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_write_signals_(twin_ingest *ing, const twin_signal_sample *s,
                                                size_t n, size_t stride, uint8_t *outcomes,
                                                size_t *done);
/** @brief Ingest @p n samples by handle; see twin_ingest_write_signals_(). */
#define twin_ingest_write_signals(ing, s, n, outcomes, done) \
    twin_ingest_write_signals_((ing), (s), (n), sizeof *(s), (outcomes), (done))

/**
 * @brief A signal's latest value.
 * @param ing   Handle.
 * @param sig   Signal.
 * @param t_us  If not NULL, receives its timestamp.
 * @param value If not NULL, receives the value (in the signal's unit).
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     @p ing is NULL.
 * @retval TWIN_E_NOTFOUND  No such signal, or no sample accepted yet.
 * @par Thread safety Reader.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_get_latest(const twin_ingest *ing, twin_signal sig,
                                            int64_t *t_us, double *value);

/**
 * @brief A copy of a signal's health state and options.
 * @param ing   Handle.
 * @param sig   Signal.
 * @param state If not NULL, receives the state (use it with the health.h readers).
 * @param o     If not NULL, receives the options it runs with.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     @p ing is NULL.
 * @retval TWIN_E_NOTFOUND  No such signal, or it has no health model.
 * @par Thread safety Reader.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_get_health(const twin_ingest *ing, twin_signal sig,
                                            twin_health *state, twin_health_options *o);

/**
 * @brief Counters of one signal, or of the whole handle.
 * @param ing Handle.
 * @param sig Signal; 0 for the whole handle (which includes the unknown
 *            twins and signals, and the signals removed since).
 * @param out Receives them; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI     @p out->size is larger than this library's struct.
 * @retval TWIN_E_NOTFOUND  No such signal.
 * @par Thread safety Reader.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_get_stats(const twin_ingest *ing, twin_signal sig,
                                           twin_ingest_stats *out);

/**
 * @brief A signal's twin, name and unit (borrowed until the signal is removed).
 * @param ing     Handle.
 * @param sig     Signal.
 * @param twin_id If not NULL, receives the twin identifier.
 * @param name    If not NULL, receives the signal name.
 * @param unit    If not NULL, receives the unit name, "" for none.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     @p ing is NULL.
 * @retval TWIN_E_NOTFOUND  No such signal.
 * @par Thread safety Reader.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_signal_info(const twin_ingest *ing, twin_signal sig,
                                             const char **twin_id, const char **name,
                                             const char **unit);

/**
 * @brief Iterate over the live signals, in declaration order (slots of
 *        removed signals are reused).
 * @param ing    Handle.
 * @param cursor Start at 0; advanced by each call.
 * @param out    Receives the next signal's handle (for its own unit).
 * @retval TWIN_OK      A signal was returned.
 * @retval TWIN_DONE    No more.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety Reader.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_signals_next(const twin_ingest *ing, uint64_t *cursor,
                                              twin_signal *out);

/**
 * @brief Number of live signals.
 * @param ing Handle; NULL gives 0.
 * @return The count.
 * @since 1.3
 */
TWIN_API size_t twin_ingest_signal_count(const twin_ingest *ing);

/**
 * @brief Remove every signal of a twin (their handles become stale).
 *
 * Signals of twins removed from the graph go by themselves at the next
 * write call; a store's twin_store_remove_twin() calls this.
 * @param ing     Handle.
 * @param twin_id Twin.
 * @retval TWIN_OK          Removed.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_NOTFOUND  The twin has no signals.
 * @retval TWIN_E_STATE     Called from a callback of this handle or its store.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_remove_twin(twin_ingest *ing, const char *twin_id);

/**
 * @brief A signal's known samples, sorted by time: those of its history
 *        (::twin_signal_options @c history) that are known complete, and
 *        its latest sample.
 *
 * The history ring keeps the last @c history accepted samples in arrival
 * order; everything accepted after the newest sample it ever dropped is
 * in it (late samples at or before that are refused), so the samples from
 * @p complete_from_us on are all the signal's samples since then. Without
 * history only the latest sample is known (complete from its timestamp).
 * @param ing              Handle.
 * @param sig              Signal.
 * @param t_us             Receives the timestamps, increasing (@p cap entries).
 * @param values           Receives the values, in the signal's unit (@p cap entries).
 * @param cap              Room in @p t_us and @p values; 0 to ask the count.
 * @param n                Receives the number of samples (also when @p cap is short).
 * @param complete_from_us If not NULL, receives the instant from which the
 *                         samples are complete (INT64_MIN: since the first one).
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_RANGE     @p cap is below @c *n; nothing written but @c *n and
 *                          @c *complete_from_us.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_NOTFOUND  No such signal.
 * @par Ownership
 * The caller owns the arrays; nothing is retained.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_API twin_status twin_ingest_get_history(const twin_ingest *ing, twin_signal sig,
                                             int64_t *t_us, double *values, size_t cap,
                                             size_t *n, int64_t *complete_from_us);

/**
 * @brief The state of signals at instant @p at_us: for each, its value by
 *        the policy and tolerance of @p o, with its age and whether it is
 *        interpolated (series.h states the rules).
 *
 * A consistent read: each signal's known samples (twin_ingest_get_history())
 * must cover @p at_us, or the read is refused with ::TWIN_E_RANGE (or, with
 * ::TWIN_SERIES_MARK_UNCOVERED, the signals that do not are marked). One
 * pass over each signal's history, no allocation. Values are in each
 * signal's unit.
 * @param ing   Handle.
 * @param sigs  @p n signals.
 * @param n     Number of signals.
 * @param at_us The instant.
 * @param o     Options (policy, tolerance, flags); NULL for the defaults.
 * @param out   @p n values, filled in order (also on ::TWIN_E_RANGE, the
 *              uncovered ones marked ::TWIN_SERIES_UNCOVERED).
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK          Every signal covered (or marked).
 * @retval TWIN_E_RANGE     Some signal's data does not cover @p at_us: no
 *                          consistent state (see @p out for which).
 * @retval TWIN_E_INVAL     A pointer is NULL or an option is invalid (a
 *                          negative tolerance...); @p out unchanged.
 * @retval TWIN_E_ABI       @p o->size is unknown; @p out unchanged.
 * @retval TWIN_E_NOTFOUND  A signal does not exist; @p out unchanged.
 * The handle's error record is not written (a reader): the message goes to @p err.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_API twin_status twin_ingest_state_at(const twin_ingest *ing, const twin_signal *sigs,
                                          size_t n, int64_t at_us,
                                          const twin_series_options *o, twin_series_value *out,
                                          twin_error *err);

/**
 * @brief Resample a signal's known samples into buckets (mean, min, max,
 *        last, count), as twin_series_resample() does.
 *
 * Buckets that start before the history's @c complete_from_us
 * (twin_ingest_get_history()) hold only the samples still known.
 * @param ing      Handle.
 * @param sig      Signal.
 * @param start_us Start of the first bucket.
 * @param width_us Width of a bucket, > 0.
 * @param nbuckets Number of buckets.
 * @param out      Receives @p nbuckets buckets.
 * @param err      If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     A pointer is NULL or @p width_us <= 0; @p out unchanged.
 * @retval TWIN_E_RANGE     The buckets end beyond INT64_MAX; @p out unchanged.
 * @retval TWIN_E_NOTFOUND  No such signal; @p out unchanged.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_API twin_status twin_ingest_resample(const twin_ingest *ing, twin_signal sig,
                                          int64_t start_us, int64_t width_us, size_t nbuckets,
                                          twin_series_bucket *out, twin_error *err);

/**
 * @name Sources and their clocks
 * A source stamps the samples of the signals given to it
 * (twin_ingest_set_signal_source()); the handle keeps its clock model
 * (clock.h), fed with (source timestamp, receive time) pairs by
 * twin_ingest_observe_source() or replaced by a model the host made
 * (twin_ingest_set_source_clock()).
 *
 * Every sample of such a signal, by name or by handle, has its timestamp
 * corrected to host time by the model in use (twin_clock_to_host()) before
 * the time checks: what is stored, kept and read is host time. A source
 * out of its tolerance still corrects, and every sample it corrects is
 * flagged (::TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE) and counted. A source
 * with no estimate yet lets samples through with their own timestamps,
 * flagged (::TWIN_INGEST_EVENT_CLOCK_UNCORRECTED) and counted: hand in a
 * sample's pair before the sample (or set the clock's @c min_pairs to 1: an
 * estimate from the first pair, with an infinite uncertainty). A signal's
 * latest correction (the source timestamp, the host time, the uncertainty)
 * is read with twin_ingest_signal_source(), also from the event callback.
 *
 * Signals without a source take none of this: their samples go through
 * bit for bit as before, at the cost of one flag test. Sources live as
 * long as the handle; snapshots do not save them (nor a signal's source):
 * libtwin-sqlite keeps them (twin_sqlite_save_sources(), schema 6).
 * @{
 */

/** @brief A source's counters and its estimate in use
 *         (twin_ingest_get_source()). @since 1.6 */
typedef struct twin_ingest_source_info {
    uint32_t size;            /**< Set by the caller to `sizeof(twin_ingest_source_info)`. */
    uint32_t clock_flags;     /**< ::twin_clock_flag bits of the estimate in use; 0
                                   without one. */
    const char *name;         /**< The source's name (borrowed: the handle's life). */
    int32_t estimated;        /**< 1 when an estimate is in use (it corrects); 0 when
                                   too few pairs. */
    uint32_t reserved_;       /**< Zero. */
    int64_t t_us;             /**< Host time the estimate refers to: the latest pair
                                   (INT64_MIN without an estimate or a pair). */
    int64_t offset_us;        /**< Host time minus source time at @c t_us (0 without an
                                   estimate). */
    double skew_ppm;          /**< Skew of the source's clock in ppm (positive: fast). */
    double offset_uncertainty_us; /**< Uncertainty of @c offset_us (about 95%); infinity
                                       without an estimate. */
    double skew_uncertainty_ppm;  /**< Uncertainty of @c skew_ppm; infinity while unknown. */
    uint64_t signals;         /**< Live signals given this source. */
    uint64_t pairs;           /**< Pairs taken into the model. */
    uint64_t pairs_refused;   /**< Pairs the model refused (bad input: a status each). */
    uint64_t corrected;       /**< Samples whose timestamp the model corrected. */
    uint64_t uncorrected;     /**< Samples let through with their own timestamp. */
    uint64_t out_of_tolerance; /**< Of @c corrected, those corrected while the source
                                    was out of tolerance. */
} twin_ingest_source_info;

/**
 * @brief Declare a source, with a clock model of its own.
 * @param ing  Handle.
 * @param name Source name (non-empty UTF-8, at most ::TWIN_ID_MAX bytes,
 *             unique in the handle), copied.
 * @param o    Options of its clock (see twin_clock_init()); NULL: the
 *             defaults (estimated, no tolerance).
 * @param out  If not NULL, receives the source (0 on failure).
 * @retval TWIN_OK       Declared.
 * @retval TWIN_E_INVAL  A pointer is NULL, the name is empty or not UTF-8,
 *                       or twin_clock_init() refuses @p o.
 * @retval TWIN_E_ABI    @p o->size is unknown.
 * @retval TWIN_E_RANGE  The name is too long, or too many sources (65535).
 * @retval TWIN_E_EXISTS A source has this name.
 * @retval TWIN_E_NOMEM  Allocation failed.
 * Every failure leaves the handle unchanged (message: twin_ingest_last_error()).
 * @par Thread safety Writer.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_add_source(twin_ingest *ing, const char *name,
                                            const twin_clock_options *o, twin_source *out);

/**
 * @brief Find a source by name.
 * @param ing  Handle.
 * @param name Name.
 * @param out  Receives the source (0 when not found).
 * @retval TWIN_OK         Found.
 * @retval TWIN_E_INVAL    A pointer is NULL.
 * @retval TWIN_E_NOTFOUND No such source.
 * @par Thread safety Reader.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_find_source(const twin_ingest *ing, const char *name,
                                             twin_source *out);

/**
 * @brief Iterate over the sources, in declaration order.
 * @param ing    Handle.
 * @param cursor Start at 0; advanced by each call.
 * @param out    Receives the next source.
 * @retval TWIN_OK      A source was returned.
 * @retval TWIN_DONE    No more.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety Reader.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_sources_next(const twin_ingest *ing, uint64_t *cursor,
                                              twin_source *out);

/**
 * @brief Give a signal a source (its timestamps are corrected from the
 *        next sample on), or take it away.
 * @param ing Handle.
 * @param sig Signal (any of its handles: the source is the signal's).
 * @param src Source; 0: none (timestamps taken as they come).
 * @retval TWIN_OK         Done.
 * @retval TWIN_E_INVAL    @p ing is NULL.
 * @retval TWIN_E_NOTFOUND No such signal or source.
 * @retval TWIN_E_STATE    Called from a callback of this handle or its store.
 * @par Thread safety Writer.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_set_signal_source(twin_ingest *ing, twin_signal sig,
                                                   twin_source src);

/** @brief A signal's source and the correction of its latest sample
 *         through it (twin_ingest_signal_source()). @since 1.6 */
typedef struct twin_ingest_correction {
    uint32_t size;            /**< Set by the caller to `sizeof(twin_ingest_correction)`. */
    /** ::TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE or
        ::TWIN_INGEST_EVENT_CLOCK_UNCORRECTED when the sample was so (whatever
        its outcome); 0 otherwise. */
    uint32_t flags;
    twin_source source;       /**< The signal's source; 0 for none. */
    uint32_t reserved_;       /**< Zero. */
    /** The sample's timestamp as it came, by the source's clock; INT64_MIN
        when no sample went through the source yet. */
    int64_t source_t_us;
    int64_t t_us;             /**< The timestamp corrected to host time (the one the
                                   time checks, the store and the history saw). */
    /** The correction's uncertainty (about 95%): the model's offset
        uncertainty widened by its skew uncertainty over the time from the
        latest pair to @c t_us; infinity when uncorrected; NaN before a sample. */
    double uncertainty_us;
} twin_ingest_correction;

/**
 * @brief A signal's source, and how its latest sample's timestamp was
 *        corrected. Inside the event callback, that is the sample of the
 *        event.
 * @param ing Handle.
 * @param sig Signal.
 * @param out Receives them; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK         Done (@c source 0: the signal has none).
 * @retval TWIN_E_INVAL    A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI      @p out->size is larger than this library's struct.
 * @retval TWIN_E_NOTFOUND No such signal.
 * @par Thread safety Reader.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_signal_source(const twin_ingest *ing, twin_signal sig,
                                               twin_ingest_correction *out);

/**
 * @brief Hand a source's clock one pair: a sample's timestamp by the
 *        source's clock and the host's receive time (twin_clock_observe()).
 *
 * Constant time, no allocation. Samples written after it are corrected by
 * the estimate it leaves.
 * @param ing        Handle.
 * @param src        Source.
 * @param source_us  Timestamp by the source's clock (us).
 * @param receive_us Receive time by the host's clock (us), not earlier
 *                   than the source's previous pair.
 * @retval TWIN_OK         Taken.
 * @retval TWIN_E_INVAL    @p ing is NULL, or @p receive_us goes back.
 * @retval TWIN_E_RANGE    A timestamp is outside (0, 2^53) us, or the
 *                         delay is beyond the clock's @c max_offset_us.
 * @retval TWIN_E_NOTFOUND No such source.
 * @retval TWIN_E_STATE    Called from a callback of this handle or its store.
 * A refused pair is counted (@c pairs_refused) and leaves the model as it
 * was; the message is in twin_ingest_last_error().
 * @par Thread safety Writer.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_observe_source(twin_ingest *ing, twin_source src,
                                                int64_t source_us, int64_t receive_us);

/**
 * @brief Replace a source's clock model by one the host made (copied):
 *        e.g. a model learnt elsewhere, or saved and restored.
 * @param ing   Handle.
 * @param src   Source.
 * @param clock A ::twin_clock filled by twin_clock_init() (and fed or not).
 * @retval TWIN_OK         Replaced; later samples are corrected by it.
 * @retval TWIN_E_INVAL    A pointer is NULL or @p clock is not initialised.
 * @retval TWIN_E_ABI      @p clock has another layout.
 * @retval TWIN_E_NOTFOUND No such source.
 * @retval TWIN_E_STATE    Called from a callback of this handle or its store.
 * @par Thread safety Writer.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_set_source_clock(twin_ingest *ing, twin_source src,
                                                  const twin_clock *clock);

/**
 * @brief Declare or replace many sources at once, all or nothing: for each
 *        name, the source of that name (declared when the handle has none,
 *        after the existing ones, in array order) gets a copy of its clock
 *        model, as twin_ingest_set_source_clock() would. For a store that
 *        kept the sources to put them back after a restart.
 *
 * Counters of sources declared here start at zero; those of existing
 * sources are kept.
 * @param ing    Handle.
 * @param names  @p n source names (as for twin_ingest_add_source()), distinct.
 * @param clocks @p n clock models filled by twin_clock_init() or
 *               twin_clock_decode() (and fed or not), copied.
 * @param n      Their number; 0 does nothing.
 * @retval TWIN_OK       Done.
 * @retval TWIN_E_INVAL  @p ing is NULL, @p names or @p clocks is NULL with
 *                       @p n > 0, a name is NULL, empty, not UTF-8 or given
 *                       twice, or a clock is not initialised.
 * @retval TWIN_E_ABI    A clock has another layout.
 * @retval TWIN_E_RANGE  A name is too long, or too many sources (65535).
 * @retval TWIN_E_NOMEM  Allocation failed.
 * @retval TWIN_E_STATE  Called from a callback of this handle or its store.
 * Every failure leaves the handle unchanged (message: twin_ingest_last_error()).
 * @par Thread safety Writer.
 * @since 1.7
 */
TWIN_API twin_status twin_ingest_put_sources(twin_ingest *ing, const char *const *names,
                                             const twin_clock *clocks, size_t n);

/**
 * @brief A source's counters and estimate, and optionally a copy of its
 *        clock model (for twin_clock_get_estimate(), twin_clock_to_host()).
 * @param ing   Handle.
 * @param src   Source.
 * @param out   If not NULL, receives the counters and estimate; its @c size
 *              must be set (core.h: Structs that grow).
 * @param clock If not NULL, receives a copy of the model.
 * @retval TWIN_OK         Done.
 * @retval TWIN_E_INVAL    @p ing is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI      @p out->size is larger than this library's struct.
 * @retval TWIN_E_NOTFOUND No such source.
 * @par Thread safety Reader.
 * @since 1.6
 */
TWIN_API twin_status twin_ingest_get_source(const twin_ingest *ing, twin_source src,
                                            twin_ingest_source_info *out, twin_clock *clock);

/** @} */

/**
 * @brief A resolver that finds signals in a resolved DTDL model set: a
 *        Telemetry or Property of the twin's Interface (with its inherited
 *        contents) whose schema is numeric (double, float, integer, long
 *        and the v4 numeric types), with its `unit`.
 *
 * Host builds only: it needs the DTDL module, which firmware builds leave
 * out.
 * @param m   A resolved model set, retained (it must outlive the handles
 *            given @p out).
 * @param out Filled.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_STATE @p m is not resolved.
 * @since 1.3
 */
TWIN_API twin_status twin_ingest_resolver_from_models(const struct twin_models *m,
                                                      twin_ingest_resolver *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_INGEST_H */
