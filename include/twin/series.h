/**
 * @file series.h
 * @brief Time series reads: the value at an instant by a policy, with a
 *        tolerance, and resampling into buckets.
 *
 * Pure functions over arrays of (timestamp, value) samples, with no handle
 * and no allocation; the same reads over the history an ingest handle keeps
 * per signal are twin_ingest_state_at() and twin_ingest_resample()
 * (ingest.h).
 *
 * @par The value at an instant T
 * - ::TWIN_SERIES_PREVIOUS: the last sample at or before T.
 * - ::TWIN_SERIES_NEXT: the first sample at or after T.
 * - ::TWIN_SERIES_NEAREST: the closer of the two (the previous on a tie).
 * - ::TWIN_SERIES_LINEAR: a sample at T, else the straight line between
 *   the previous and the next sample (interpolated).
 * The sample used must lie within @c tolerance_us of T (for
 * ::TWIN_SERIES_LINEAR, both neighbours must). Each value carries the
 * timestamp of the sample used (the previous one when interpolated) and
 * its age, `T - t` (negative for a sample after T).
 *
 * @par Coverage: no fake state
 * Data is known complete from an instant on (@c complete_from_us: a
 * bounded history has forgotten what came before). A value is covered when
 * the samples its policy needs are known to be the right ones: the
 * previous sample must be at or after @c complete_from_us (an older one may
 * have been forgotten, and a newer forgotten one would have been the
 * previous), the next sample must exist (none yet: it lies in the future),
 * and the tolerance must hold. A nearest sample after T is taken without a
 * known previous only when any forgotten previous would be further. An
 * uncovered value is refused (::TWIN_E_RANGE), or with
 * ::TWIN_SERIES_MARK_UNCOVERED, marked ::TWIN_SERIES_UNCOVERED (value NaN).
 *
 * @par Thread safety
 * Pure functions: safe from any thread on data no one writes meanwhile.
 */
#ifndef TWIN_SERIES_H
#define TWIN_SERIES_H

#include "twin/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup series Time series
 * @brief Values at an instant by policy and tolerance; buckets.
 * @{
 */

/** @brief Which sample gives the value at an instant. Values fixed forever. */
typedef enum twin_series_policy {
    TWIN_SERIES_PREVIOUS = 1,  /**< The last sample at or before T. */
    TWIN_SERIES_NEXT = 2,      /**< The first sample at or after T. */
    TWIN_SERIES_NEAREST = 3,   /**< The closer of those two; the previous on a tie. */
    TWIN_SERIES_LINEAR = 4     /**< Linear between the previous and the next. */
} twin_series_policy;

/** @brief Flags of ::twin_series_options. Values fixed forever. */
enum twin_series_option_flag {
    /** Mark uncovered values (::TWIN_SERIES_UNCOVERED, NaN) instead of
        refusing the read with ::TWIN_E_RANGE. */
    TWIN_SERIES_MARK_UNCOVERED = 1u
};

/** @brief Flags of a ::twin_series_value. Values fixed forever. */
enum twin_series_value_flag {
    TWIN_SERIES_INTERPOLATED = 1u,  /**< Interpolated between two samples. */
    TWIN_SERIES_UNCOVERED = 2u      /**< The data does not cover T: no value. */
};

/** @brief Options of a read at an instant. Initialise with
 *         twin_series_options_init(). */
typedef struct twin_series_options {
    uint32_t size;         /**< `sizeof`, set by twin_series_options_init(). */
    uint32_t flags;        /**< ::twin_series_option_flag bits; default 0. */
    int32_t policy;        /**< A ::twin_series_policy; default ::TWIN_SERIES_PREVIOUS. */
    uint32_t reserved_;    /**< Zero. */
    int64_t tolerance_us;  /**< Largest distance from T of a sample used, >= 0;
                                default INT64_MAX (none). */
} twin_series_options;

/** @brief A value at an instant. A fixed layout (arrays of it are passed). */
typedef struct twin_series_value {
    double value;       /**< The value; NaN when uncovered. */
    int64_t t_us;       /**< Timestamp of the sample used (the previous one when
                             interpolated); 0 when uncovered. */
    int64_t age_us;     /**< T minus @c t_us (negative: a sample after T); 0 when
                             uncovered. */
    uint32_t flags;     /**< ::twin_series_value_flag bits. */
    uint32_t reserved_; /**< Zero. */
} twin_series_value;

/** @brief One bucket of twin_series_resample(). A fixed layout. */
typedef struct twin_series_bucket {
    double mean;        /**< Mean of the bucket's samples; NaN when empty. */
    double min;         /**< Smallest; NaN when empty. */
    double max;         /**< Largest; NaN when empty. */
    double last;        /**< The latest sample's value; NaN when empty. */
    int64_t last_t_us;  /**< The latest sample's timestamp; 0 when empty. */
    uint64_t count;     /**< Samples in the bucket. */
} twin_series_bucket;

/**
 * @brief Fill @p o with defaults. Use the twin_series_options_init() macro.
 * @param o    Options (caller storage).
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done: previous, no tolerance, refuse uncovered values.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Writer of @p o.
 * @since 1.5
 */
TWIN_API twin_status twin_series_options_init_(twin_series_options *o, size_t size);
/** @brief Initialise series options @p o with defaults. */
#define twin_series_options_init(o) twin_series_options_init_((o), sizeof *(o))

/**
 * @brief The value at @p at_us of samples sorted by time.
 *
 * Binary search: O(log n).
 * @param t_us             @p n timestamps, strictly increasing (checked only
 *                         around the instant: the two samples either side).
 * @param values           @p n values.
 * @param n                Number of samples.
 * @param complete_from_us The data is complete from this instant on (INT64_MIN:
 *                         complete); samples before it are ignored.
 * @param at_us            The instant T.
 * @param o                Options; NULL for the defaults.
 * @param out              Receives the value (also when uncovered: marked).
 * @param err              If not NULL, receives the status and a static message
 *                         on failure.
 * @retval TWIN_OK      @p out holds the value (or, with
 *                      ::TWIN_SERIES_MARK_UNCOVERED, is marked uncovered).
 * @retval TWIN_E_RANGE The data does not cover @p at_us; @p out is marked.
 * @retval TWIN_E_INVAL A pointer is NULL (arrays with @p n > 0), an option is
 *                      invalid (a negative tolerance, an unknown policy), or the
 *                      timestamps are not increasing; @p out unchanged.
 * @retval TWIN_E_ABI   @p o->size is unknown; @p out unchanged.
 * @par Thread safety
 * Pure.
 * @since 1.5
 */
TWIN_API twin_status twin_series_at(const int64_t *t_us, const double *values, size_t n,
                                    int64_t complete_from_us, int64_t at_us,
                                    const twin_series_options *o, twin_series_value *out,
                                    twin_error *err);

/**
 * @brief Resample samples (in any order) into @p nbuckets buckets of
 *        @p width_us from @p start_us: bucket k holds the samples in
 *        [start + k width, start + (k + 1) width).
 * @param t_us     @p n timestamps.
 * @param values   @p n values.
 * @param n        Number of samples.
 * @param start_us Start of the first bucket.
 * @param width_us Width of a bucket, > 0.
 * @param nbuckets Number of buckets; the caller's @p out holds them.
 * @param out      Receives the buckets (mean, min, max, last, count).
 * @param err      If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done (samples outside the buckets are skipped).
 * @retval TWIN_E_INVAL A pointer is NULL (with @p n or @p nbuckets > 0) or
 *                      @p width_us <= 0; @p out unchanged.
 * @retval TWIN_E_RANGE The buckets end beyond INT64_MAX; @p out unchanged.
 * @par Thread safety
 * Pure.
 * @since 1.5
 */
TWIN_API twin_status twin_series_resample(const int64_t *t_us, const double *values, size_t n,
                                          int64_t start_us, int64_t width_us, size_t nbuckets,
                                          twin_series_bucket *out, twin_error *err);

/**
 * @brief A streaming alignment of many signals onto a common time grid
 *        (opaque handle).
 *
 * Samples of @c nsignals signals (numbered 0..nsignals-1) go in as they
 * arrive, in any order across signals and a little out of order within one
 * (less than @c lateness_us older than the signal's newest). Rows come out in
 * grid order, T = start, start + step, ...: a row holds each signal's value
 * at T by the policy and tolerance (the rules above), and is emitted once it
 * is final, that is once no sample still accepted could change it: for each
 * signal, the previous sample is settled (its newest minus @c lateness_us
 * has reached T) and, for the policies that look after T, so is the next
 * one (a settled sample at or after T, or none can come within the
 * tolerance). A signal that lags does not hold rows for ever: once the
 * newest sample of any signal passes T + @c watermark_us, row T is emitted
 * as it stands, and the values not final are marked ::TWIN_SERIES_UNCOVERED
 * (no fake state). twin_align_flush() emits the rows up to the newest
 * sample. Memory: each signal keeps only the samples rows still need.
 */
typedef struct twin_align twin_align;

/** @brief Options of twin_align_create(). Initialise with
 *         twin_align_options_init(). */
typedef struct twin_align_options {
    uint32_t size;                /**< `sizeof`, set by twin_align_options_init(). */
    uint32_t nsignals;            /**< Number of signals, >= 1; default 1. */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    int32_t policy;               /**< A ::twin_series_policy; default ::TWIN_SERIES_PREVIOUS. */
    uint32_t reserved_;           /**< Zero. */
    int64_t start_us;             /**< The first grid instant; default 0. */
    int64_t step_us;              /**< Grid step, > 0; default 1 s. */
    int64_t tolerance_us;         /**< As ::twin_series_options, >= 0; default INT64_MAX. */
    int64_t lateness_us;          /**< How much older than its signal's newest a sample
                                       may be, >= 0; default 0 (in order per signal). */
    int64_t watermark_us;         /**< Rows wait for lagging signals until the data passes
                                       them by this, >= 0; default INT64_MAX (rows wait). */
} twin_align_options;

/** @brief A sample for twin_align_push(). A fixed layout. */
typedef struct twin_align_sample {
    uint32_t signal;     /**< Signal number, < @c nsignals. */
    uint32_t reserved_;  /**< Zero. */
    int64_t t_us;        /**< Timestamp. */
    double value;        /**< Value (finite). */
} twin_align_sample;

/**
 * @brief Fill @p o with defaults. Use the twin_align_options_init() macro.
 * @param o    Options (caller storage).
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done (see ::twin_align_options for the defaults).
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Writer of @p o.
 * @since 1.5
 */
TWIN_API twin_status twin_align_options_init_(twin_align_options *o, size_t size);
/** @brief Initialise alignment options @p o with defaults. */
#define twin_align_options_init(o) twin_align_options_init_((o), sizeof *(o))

/**
 * @brief Create an alignment.
 * @param out  Receives the handle; NULL on failure.
 * @param o    Options (copied); NULL for the defaults.
 * @param err  If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Created.
 * @retval TWIN_E_INVAL A pointer is NULL or an option is invalid (no signals,
 *                      a step <= 0, a negative tolerance, lateness or watermark).
 * @retval TWIN_E_ABI   A struct's size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @since 1.5
 */
TWIN_API twin_status twin_align_create(twin_align **out, const twin_align_options *o,
                                       twin_error *err);

/**
 * @brief Destroy an alignment (its buffered samples).
 * @param a Handle; NULL is a no-op.
 * @since 1.5
 */
TWIN_API void twin_align_destroy(twin_align *a);

/**
 * @brief The last failed call's status and message.
 * @param a Handle.
 * @return Borrowed; never NULL (for a NULL handle, a static record).
 * @since 1.5
 */
TWIN_API const twin_error *twin_align_last_error(const twin_align *a);

/**
 * @brief Hand in samples. Samples that cannot be taken are refused and
 *        counted, not errors: an unknown signal, a value not finite, a
 *        sample not newer than its signal's newest minus @c lateness_us
 *        (rows may have settled without it), or a second sample at the
 *        timestamp of one still buffered (a signal keeps only the samples
 *        rows still need: the last one at or before the next row, and the
 *        later ones).
 * @param a       Handle.
 * @param s       @p n samples.
 * @param n       Number of samples.
 * @param refused If not NULL, receives the number refused.
 * @retval TWIN_OK      Every sample taken or refused.
 * @retval TWIN_E_INVAL A pointer is NULL (with @p n > 0); nothing taken.
 * @retval TWIN_E_NOMEM Allocation failed: the samples before the failing one
 *                      were taken, the rest not (none refused).
 * @par Thread safety
 * Writer: no concurrent calls on @p a.
 * @since 1.5
 */
TWIN_API twin_status twin_align_push(twin_align *a, const twin_align_sample *s, size_t n,
                                     size_t *refused);

/**
 * @brief The next row, if it is final (or forced by the watermark or a flush).
 * @param a    Handle.
 * @param t_us Receives the row's instant.
 * @param row  Receives @c nsignals values (caller storage); undefined when
 *             ::TWIN_DONE is returned.
 * @retval TWIN_OK      A row.
 * @retval TWIN_DONE    No row is ready yet.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety
 * Writer: no concurrent calls on @p a.
 * @since 1.5
 */
TWIN_API twin_status twin_align_next(twin_align *a, int64_t *t_us, twin_series_value *row);

/**
 * @brief End of input (for now): the rows up to the newest sample become
 *        ready, as the watermark would make them.
 * @param a Handle.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p a is NULL.
 * @since 1.5
 */
TWIN_API twin_status twin_align_flush(twin_align *a);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_SERIES_H */
