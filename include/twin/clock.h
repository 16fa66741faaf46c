/**
 * @file clock.h
 * @brief Clock models per source: offset and skew of a source's clock
 *        against the host's, from (source timestamp, receive timestamp) pairs.
 *
 * A source is whatever stamps samples: a device, a PLC, a gateway. Its
 * clock may be off by an offset (host time minus source time) that drifts
 * with a skew (a free-running RTC: tens of ppm), and may be set by hand (a
 * step). For each sample it receives, the host hands in the pair (the
 * source's timestamp, the host's receive time); ::twin_clock estimates the
 * offset and skew from them, in constant memory (a fixed-size plain-data
 * state, no allocation: firmware can keep one per source).
 *
 * @par The estimate
 * Each pair's delay `d = receive - source` is the offset plus a queueing
 * and transport delay that is never negative. The estimator therefore
 * follows the lower envelope of the delays, as NTP's clock filter and FTSP
 * do, not their mean: pairs received within @c window_us of each other
 * make one point, their smallest delay; the last ::TWIN_CLOCK_POINTS points
 * are kept. Over them, the line under every point that
 * lies closest to them on average (the linear programme of Moon, Skelly
 * and Towsley: the edge of their lower convex hull above their mean time)
 * gives the offset (its value at the latest receive time, less the
 * envelope's expected height above the truth) and the skew (its slope).
 * This is the maximum-likelihood line for exponential delays. Fewer than
 * four points, and for up to 16 points after a step while the skew from
 * before it is the better one: the offset is the lowest point along the
 * prior skew (the last estimate, else 0). A constant
 * transport latency cannot be told from an offset: declare it as
 * @c min_delay_us and it is taken off.
 *
 * @par Uncertainty
 * The median distance of the points above the line (over ln 2) estimates
 * the delays' scale, robust to a heavy tail; the offset's uncertainty is that scale over the number of
 * points, widened with the distance from the points' mean time to the
 * latest (where the skew's error weighs), calibrated on simulated
 * exponential and heavy-tailed delays to hold the true error in about 95%
 * of cases.
 *
 * @par Steps
 * A pair whose delay is below the current line by more than @c step_us
 * cannot be a delay: the clock was set forward, and the envelope restarts
 * from that pair (keeping the skew as prior). @c step_pairs pairs in a row
 * above the line by more than @c step_us: the clock was set back, and the
 * envelope restarts from them. Until then, pairs that far above leave the
 * estimate as it was (a burst of delays does not move it).
 *
 * @par Sources with a declared clock
 * ::TWIN_CLOCK_KNOWN_OFFSET: the offset is declared (@c offset_us) and the
 * skew is 0; pairs are still checked and measured, and the tolerance flag
 * compares the measured offset with the declared one.
 * ::TWIN_CLOCK_LOCAL_TIME: the source stamps in local time; the offset is
 * estimated as for ::TWIN_CLOCK_ESTIMATED, the zone offset is its nearest
 * multiple of @c zone_step_us (15 minutes by default), and the tolerance
 * applies to the rest (the clock's own error).
 *
 * @par Bad input
 * A receive time earlier than the previous one, a timestamp outside
 * (0, 2^53) microseconds or a delay beyond @c max_offset_us: the call
 * fails with its status and a static message, and the estimate in use
 * stays as it was. Asking for an estimate with fewer than @c min_pairs
 * pairs fails likewise.
 *
 * @par Thread safety
 * A ::twin_clock is plain data, not locked: one writer or many readers.
 */
#ifndef TWIN_CLOCK_H
#define TWIN_CLOCK_H

#include "twin/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup clock Clocks
 * @brief Offset and skew of the sources' clocks; timestamps corrected.
 * @{
 */

/** @brief Window minima a ::twin_clock keeps. */
#define TWIN_CLOCK_POINTS 64

/** @brief How a source's clock is known. Values fixed forever. */
typedef enum twin_clock_kind {
    /** Free-running: offset and skew estimated from the pairs. */
    TWIN_CLOCK_ESTIMATED = 1,
    /** The offset is declared (@c offset_us), the skew is 0. */
    TWIN_CLOCK_KNOWN_OFFSET = 2,
    /** Stamps in local time: estimated, with a zone offset in whole
        @c zone_step_us. */
    TWIN_CLOCK_LOCAL_TIME = 3
} twin_clock_kind;

/** @brief Flags of a ::twin_clock_estimate. Values fixed forever. */
enum twin_clock_flag {
    /** The offset or the skew exceeds its tolerance (for a local-time
        source, the offset beyond the zone offset; for a known offset, the
        measured offset's distance from the declared one). */
    TWIN_CLOCK_OUT_OF_TOLERANCE = 1u,
    /** The envelope restarted after a step, and the points in use all
        follow it. */
    TWIN_CLOCK_STEPPED = 2u,
    /** Too few points to estimate the skew: the prior (the last estimate,
        else 0) is used. */
    TWIN_CLOCK_SKEW_PRIOR = 4u,
    /** The offset is the declared one (::TWIN_CLOCK_KNOWN_OFFSET). */
    TWIN_CLOCK_DECLARED = 8u
};

/** @brief Options of a source's clock. Initialise with
 *         twin_clock_options_init(). */
typedef struct twin_clock_options {
    uint32_t size;               /**< `sizeof`, set by twin_clock_options_init(). */
    int32_t kind;                /**< A ::twin_clock_kind; default ::TWIN_CLOCK_ESTIMATED. */
    int64_t offset_us;           /**< ::TWIN_CLOCK_KNOWN_OFFSET: host time minus source
                                      time; default 0. */
    int64_t window_us;           /**< A pair received less than this after the pair that
                                      opened the newest point joins it (the smaller
                                      delay stays), > 0; default 500 ms. History is
                                      ::TWIN_CLOCK_POINTS points. */
    int64_t step_us;             /**< A pair this far off the envelope is a step
                                      (see Steps), > 0; default 100 ms. */
    int64_t max_offset_us;       /**< Largest |receive - source| accepted, > 0; default
                                      one day. */
    int64_t min_delay_us;        /**< Known constant transport latency, >= 0, taken
                                      off every delay; default 0. */
    int64_t tolerance_offset_us; /**< Offset tolerance, >= 0; default INT64_MAX (none). */
    double tolerance_skew_ppm;   /**< Skew tolerance in ppm, >= 0; default infinity. */
    int64_t zone_step_us;        /**< ::TWIN_CLOCK_LOCAL_TIME: zone offsets are multiples
                                      of this, > 0; default 15 minutes. */
    uint32_t min_pairs;          /**< Pairs needed before an estimate, >= 1; default 4. */
    uint32_t step_pairs;         /**< Pairs in a row above the envelope that make a
                                      backward step, >= 1; default 3. */
} twin_clock_options;

/**
 * @brief A source's clock model: plain data, a fixed size, no allocation.
 *
 * Fill with twin_clock_init(); copy freely. The fields are private.
 */
typedef struct twin_clock {
    uint32_t size;          /**< `sizeof(twin_clock)` once initialised. */
    uint32_t layout_;       /**< Private: layout version. */
    uint64_t opaque_[158];  /**< Private. */
} twin_clock;

/** @brief The estimate of a source's clock (twin_clock_get_estimate()). */
typedef struct twin_clock_estimate {
    uint32_t size;                /**< Set by the caller to `sizeof(twin_clock_estimate)`. */
    uint32_t flags;               /**< ::twin_clock_flag bits. */
    int64_t t_us;                 /**< Host time the estimate refers to: the latest
                                       receive time (INT64_MIN before any pair). */
    int64_t offset_us;            /**< Host time minus source time at @c t_us. */
    double skew_ppm;              /**< How fast the source's clock runs against the
                                       host's, in ppm (positive: fast, so the offset
                                       falls by this many microseconds a second). */
    double offset_uncertainty_us; /**< Uncertainty of @c offset_us (about 95%);
                                       infinity from a single point. */
    double skew_uncertainty_ppm;  /**< Uncertainty of @c skew_ppm; infinity while the
                                       skew is unknown (the prior 0). */
    int64_t zone_offset_us;       /**< ::TWIN_CLOCK_LOCAL_TIME: the zone offset, a multiple
                                       of @c zone_step_us; else 0. */
    uint64_t pairs;               /**< Pairs accepted. */
    uint32_t points;              /**< Envelope points in use. */
    uint32_t steps;               /**< Steps detected. */
} twin_clock_estimate;

/**
 * @brief Fill @p o with defaults. Use the twin_clock_options_init() macro.
 * @param o    Options (caller storage).
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done (see ::twin_clock_options for the defaults).
 * @retval TWIN_E_INVAL @p o is NULL or @p size is below 8 bytes.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Writer of @p o.
 * @since 1.5
 */
TWIN_API twin_status twin_clock_options_init_(twin_clock_options *o, size_t size);
/** @brief Initialise clock options @p o with defaults. */
#define twin_clock_options_init(o) twin_clock_options_init_((o), sizeof *(o))

/**
 * @brief Start a source's clock model: no pairs yet.
 * @param c   State to fill (caller storage; its previous content is ignored).
 * @param o   Options, read and copied; NULL for the defaults.
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p c is ready.
 * @retval TWIN_E_INVAL @p c is NULL, or an option is out of its range (a
 *                      negative tolerance, an unknown kind...); @p c unchanged.
 * @retval TWIN_E_ABI   @p o->size is unknown; @p c unchanged.
 * @par Thread safety
 * Writer of @p c.
 * @since 1.5
 */
TWIN_API twin_status twin_clock_init(twin_clock *c, const twin_clock_options *o,
                                     twin_error *err);

/**
 * @brief Hand in one pair: the source's timestamp of a sample and the
 *        host's receive time.
 *
 * Constant time (at most ::TWIN_CLOCK_POINTS points are looked at).
 * @param c          State.
 * @param source_us  The sample's timestamp by the source's clock (us).
 * @param receive_us When the host received it, by the host's clock (us);
 *                   not earlier than the previous pair's.
 * @param err        If not NULL, receives the status and a static message
 *                   on failure.
 * @retval TWIN_OK      Taken into the model (the estimate may have moved).
 * @retval TWIN_E_INVAL @p c is NULL or not initialised, or @p receive_us is
 *                      earlier than the previous pair's; @p c unchanged.
 * @retval TWIN_E_RANGE A timestamp is outside (0, 2^53) us, or
 *                      |receive - source| exceeds @c max_offset_us; @p c unchanged.
 * @retval TWIN_E_ABI   @p c was made by another library layout; unchanged.
 * @par Thread safety
 * Writer of @p c.
 * @since 1.5
 */
TWIN_API twin_status twin_clock_observe(twin_clock *c, int64_t source_us, int64_t receive_us,
                                        twin_error *err);

/**
 * @brief The estimate in use: offset, skew, their uncertainty, flags.
 * @param c   State.
 * @param out Receives it; its @c size must be set (core.h: Structs that grow).
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK       Done.
 * @retval TWIN_E_INVAL  A pointer is NULL, @p c is not initialised, or
 *                       @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI    @p out->size is larger than this library's struct,
 *                       or @p c has another layout.
 * @retval TWIN_E_NOTFOUND Fewer than @c min_pairs pairs (an estimated or
 *                       local-time source); @p out unchanged.
 * @par Thread safety
 * Reader of @p c.
 * @since 1.5
 */
TWIN_API twin_status twin_clock_get_estimate(const twin_clock *c, twin_clock_estimate *out,
                                             twin_error *err);

/**
 * @brief Correct a source timestamp to host time by the estimate in use.
 *
 * `host = source + offset(host)`, with the offset extrapolated along the
 * skew from the latest pair.
 * @param c         State.
 * @param source_us A timestamp by the source's clock.
 * @param host_us   Receives the host time.
 * @param err       If not NULL, receives the status and a static message.
 * @retval TWIN_OK       Done.
 * @retval TWIN_E_INVAL  A pointer is NULL or @p c is not initialised.
 * @retval TWIN_E_ABI    @p c has another layout.
 * @retval TWIN_E_NOTFOUND Too few pairs for an estimate.
 * @retval TWIN_E_RANGE  @p source_us is outside (0, 2^53) us.
 * @par Thread safety
 * Reader of @p c.
 * @since 1.5
 */
TWIN_API twin_status twin_clock_to_host(const twin_clock *c, int64_t source_us,
                                        int64_t *host_us, twin_error *err);

/** @brief Largest encoded clock (twin_clock_encode()): 212 bytes and 16 a
 *         point of the envelope in use. @since 1.7 */
#define TWIN_CLOCK_ENCODED_MAX 1236

/**
 * @brief Write a clock model (its options and its whole estimate state) in
 *        a portable byte form: little-endian, independent of the host and
 *        of this library's private layout, for a store to keep so that a
 *        restart resumes the estimate instead of starting from zero.
 * @param c   State (filled by twin_clock_init(), fed or not).
 * @param buf Receives the bytes (caller storage); may be NULL when @p cap is 0.
 * @param cap Bytes @p buf holds; ::TWIN_CLOCK_ENCODED_MAX always suffices.
 * @param len Receives the length written, or needed when @p cap is too small.
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Written (@p *len bytes, at most ::TWIN_CLOCK_ENCODED_MAX).
 * @retval TWIN_E_INVAL @p c or @p len is NULL, @p buf is NULL with a
 *                      capacity, or @p c is not initialised.
 * @retval TWIN_E_ABI   @p c was made by another library layout.
 * @retval TWIN_E_RANGE @p cap is below the length (in @p *len); nothing written.
 * @par Thread safety
 * Reader of @p c.
 * @since 1.7
 */
TWIN_API twin_status twin_clock_encode(const twin_clock *c, void *buf, size_t cap, size_t *len,
                                       twin_error *err);

/**
 * @brief Read a clock model written by twin_clock_encode() (on any host).
 *
 * Every field is checked as twin_clock_init() and twin_clock_observe()
 * would have left it: corrupted bytes are refused, never turned into a
 * state the model could misread.
 * @par Limits
 * The points of the envelope: at most ::TWIN_CLOCK_POINTS (64), refused
 * with ::TWIN_E_RANGE past it; the length is then exactly 212 bytes and 16
 * a point, at most ::TWIN_CLOCK_ENCODED_MAX (1236), any other length
 * ::TWIN_E_PARSE. Nothing is allocated; the work is bounded by the points.
 * @param c   Receives the state (caller storage); unchanged on failure.
 * @param buf The bytes.
 * @param len Their number.
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p c holds the model, ready for twin_clock_observe().
 * @retval TWIN_E_INVAL @p c is NULL, or @p buf is NULL with a length.
 * @retval TWIN_E_PARSE Not an encoded clock, a later version, a length that
 *                      does not match, or a field out of its range.
 * @retval TWIN_E_RANGE More than ::TWIN_CLOCK_POINTS points (since 1.7.0,
 *                      before ::TWIN_E_PARSE).
 * @par Thread safety
 * Writer of @p c.
 * @since 1.7
 */
TWIN_API twin_status twin_clock_decode(twin_clock *c, const void *buf, size_t len,
                                       twin_error *err);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_CLOCK_H */
