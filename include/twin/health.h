/**
 * @file health.h
 * @brief Health of a signal: degradation models, divergence, recalibration,
 *        health score and remaining useful life (RUL).
 *
 * A degradation model describes how one signal of an asset (a vibration
 * level, a temperature margin, a fused health index) moves from its
 * baseline towards a failure level:
 *
 * - **exponential**: `v(t) = phi + theta * exp(beta * t)`, with `phi`
 *   known. In log space, `log(v - phi) = log(theta) + beta * t` is linear
 *   in the parameters `x = (log theta, beta)`;
 * - **linear**: `v(t) = phi + x0 + x1 * t`, parameters `x = (x0, x1)`
 *   (`x1` is the rate `theta`; `x0` lets the level move off `phi`);
 * - **user-defined**: a ::twin_health_model table of functions.
 *
 * `t` is model time: seconds since the time zero given to
 * twin_health_init() (sample times are `int64_t` microseconds since the
 * Unix epoch; rates are per second). For the two built-in models the
 * parameters have a Gaussian prior `N(prior_mean, prior_cov)`, and each
 * sample updates it exactly with a two-state Kalman filter, kept in
 * information form (the inverse covariance and the mean), so that the
 * state after `n` samples is the Bayesian posterior of the linear-Gaussian
 * model `y_i = x0 + x1 * t_i + e_i`, `e_i ~ N(0, noise)`, where `y` is
 * `log(v - phi)` (exponential) or `v - phi` (linear): the same as batch
 * least squares with the prior as extra observations.
 *
 * @par State: plain data
 * The state of one signal is a ::twin_health: a fixed-size struct of 192
 * bytes with no pointers in it, filled by twin_health_init() and changed
 * only by twin_health_update() and twin_health_set_failure_level(). It can
 * be copied with memcpy, kept in memory as bytes, kept in arrays of
 * millions, and nothing is allocated per sample. Its content is private
 * (it is read through the `twin_health_get_*` functions) so that its layout
 * can change between minor versions without breaking callers; its size
 * never changes. A state made by a library with a different layout is
 * refused with ::TWIN_E_ABI. For files, databases and the wire, save the
 * encoded form instead (twin_health_encode(), twin_health_options_encode()):
 * it does not depend on the layout or the machine, and every later 1.x
 * release reads it.
 *
 * Everything that is shared by the signals of one kind (the model kind,
 * `phi`, the prior, the noises, the divergence and recalibration settings,
 * a user model's function table) lives in a ::twin_health_options, owned by
 * the caller and passed to every call: one options struct can serve a
 * million states. Pass the same options (or an equal copy) that the state
 * was initialised with; a different model kind is refused.
 *
 * @par Per sample
 * twin_health_update() predicts the signal at the sample's time, measures
 * the relative error `(v - predicted) / |predicted|`, keeps its running
 * mean and variance (Welford), runs the divergence detector (an error
 * above `divergence_threshold` for `divergence_count` samples in a row
 * raises a divergence; it clears when the error falls to
 * `divergence_clear` or below, so that noise near the threshold does not
 * make it flap), recalibrates while diverged (::twin_health_recalibration)
 * and updates the parameters. What happened is returned in a
 * ::twin_health_event, with the parameters before and after.
 *
 * @par Errors
 * Functions return a ::twin_status. A failing call leaves the state (and,
 * for the fitting functions, their outputs) exactly as they were, and,
 * when the caller passes a ::twin_error, fills it with the status and a
 * message. Messages are static strings: the library never allocates to
 * report an error. Values must be finite (::TWIN_E_INVAL); values outside
 * the model's domain (`v <= phi` for the exponential model's log, a
 * threshold on the wrong side of the baseline, a covariance that is not
 * positive definite) give ::TWIN_E_RANGE; time going backwards gives
 * ::TWIN_E_INVAL.
 *
 * @par Firmware
 * Nothing here allocates, prints or reads files; the module builds for
 * Cortex-M with newlib's libm (it uses `double`).
 *
 * @par Thread safety
 * A state is not locked: one writer (twin_health_update(),
 * twin_health_set_failure_level()) or any number of readers per state.
 * Options are only read. Distinct states are independent.
 */
#ifndef TWIN_HEALTH_H
#define TWIN_HEALTH_H

#include "twin/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup health Health
 * @brief Degradation models, divergence, recalibration, health and RUL.
 * @{
 */

/** @brief Kind of degradation model. Values fixed forever. */
typedef enum twin_health_model_kind {
    /** `v = phi + exp(x0 + x1 * t)`: `theta = exp(x0)`, `beta = x1`. */
    TWIN_HEALTH_EXPONENTIAL = 1,
    /** `v = phi + x0 + x1 * t`. */
    TWIN_HEALTH_LINEAR = 2,
    /** The functions of the options' @c user table. */
    TWIN_HEALTH_USER = 3
} twin_health_model_kind;

/** @brief What a signal does while it is diverged. Values fixed forever. */
typedef enum twin_health_recalibration {
    /** Nothing special: the filter goes on as usual; divergence is only
        reported. */
    TWIN_HEALTH_RECAL_NONE = 1,
    /** Exponential moving average (Holt's linear smoothing, in model space):
        on each diverged sample the level at the sample's time becomes
        `alpha * y + (1 - alpha) * predicted` and the rate moves by the same
        factor towards the rate from the previous sample's level to that new
        level; the information matrix is kept. `alpha` is the options'
        @c ema_alpha. */
    TWIN_HEALTH_RECAL_EMA = 2,
    /** Kalman: on each diverged sample, the options' @c recal_noise (per
        second, times the time since the previous sample) is added to the
        covariance before the usual update, so that the filter gives more
        weight to the new samples and follows the change. */
    TWIN_HEALTH_RECAL_KALMAN = 3
} twin_health_recalibration;

/** @brief Flags of a ::twin_health_event. Values fixed forever. */
enum {
    TWIN_HEALTH_EVENT_DIVERGED = 1u,     /**< The signal became diverged at this sample. */
    TWIN_HEALTH_EVENT_CLEARED = 2u,      /**< The divergence ended at this sample. */
    TWIN_HEALTH_EVENT_RECALIBRATED = 4u  /**< This sample recalibrated the model. */
};

/** @brief Bytes a user model may keep in a ::twin_health. */
#define TWIN_HEALTH_USER_STATE_MAX 64

/**
 * @brief A user-defined degradation model: a table of functions.
 *
 * The model's parameters live in an area of @c state_size bytes (at most
 * ::TWIN_HEALTH_USER_STATE_MAX) inside each ::twin_health (so the state stays plain data): @c state points
 * there. Model time `t` is seconds since the state's time zero.
 *
 * @par Ownership
 * The table is owned by the caller and retained by the options that point
 * at it: it, and @c ud, must stay valid while any call uses those options.
 * The library never calls the functions after a call returns.
 *
 * @par Thread safety
 * The functions may be called from any thread that calls into the library
 * with options naming this table, concurrently for distinct states (and,
 * for @c predict, for one state). They must not call back into the library
 * on the same state.
 */
typedef struct twin_health_model {
    uint32_t size;        /**< Set to `sizeof(twin_health_model)`. */
    uint32_t state_size;  /**< Bytes of model state, 1..::TWIN_HEALTH_USER_STATE_MAX. */
    void *ud;             /**< Passed to each function. */
    /** Optional: set up the parameters in @p state (@c state_size bytes,
        zeroed by the library before the call). Return ::TWIN_OK or a
        negative status, which twin_health_init() returns. */
    twin_status (*init)(void *ud, void *state);
    /** Required: the signal predicted at model time @p t. Must be pure
        (no side effects) and finite where the model is meaningful. */
    double (*predict)(void *ud, const void *state, double t);
    /** Required: update @p state with sample @p v at model time @p t.
        @p diverged is 1 while the signal is diverged (the model should
        recalibrate), 0 otherwise. @p state is a scratch copy: on a
        negative return it is dropped, and the state is left unchanged. */
    twin_status (*update)(void *ud, void *state, double t, double v, int32_t diverged);
} twin_health_model;

/**
 * @brief Settings shared by the signals of one kind. Initialise with
 *        twin_health_options_init(), then set what differs.
 *
 * Model-space quantities (prior, noises) are in the space of the filter:
 * `log(v - phi)` for the exponential model, `v - phi` for the linear one.
 */
typedef struct twin_health_options {
    /** `sizeof`, set by twin_health_options_init(). Options are read in
        place when this is this library's size; an older caller's smaller
        options are read over the defaults at every call (core.h: Structs
        that grow). */
    uint32_t size;
    int32_t model;       /**< A ::twin_health_model_kind; default ::TWIN_HEALTH_EXPONENTIAL. */
    double phi;          /**< Known offset of the signal; default 0. */
    /** Prior mean of the parameters `(x0, x1)`; default (0, 0). */
    double prior_mean[2];
    /** Prior covariance, row-major 2x2, symmetric positive definite;
        default diag(1, 1e-6). */
    double prior_cov[4];
    /** Variance of a sample's noise in model space, > 0; default 0.01
        (for the exponential model, about 10% relative noise). */
    double noise;
    /** Variance per second of a random walk of `(x0, x1)` added before
        every update, >= 0; default (0, 0): fixed parameters, and the state
        is the exact posterior. */
    double process_noise[2];
    /** Failure level of the signal; NaN (the default): @c failure_factor
        times the baseline. The baseline is the prior mean's prediction at
        time zero. */
    double failure_level;
    /** Used when @c failure_level is NaN; default 10. */
    double failure_factor;
    /** Relative error above which a sample counts towards a divergence, > 0;
        default 0.2. */
    double divergence_threshold;
    /** Relative error at or below which a divergence clears, in
        (0, divergence_threshold]; default 0.1. */
    double divergence_clear;
    /** Samples in a row above the threshold that raise a divergence, >= 1;
        default 3. */
    uint32_t divergence_count;
    /** A ::twin_health_recalibration; default ::TWIN_HEALTH_RECAL_NONE. */
    int32_t recalibration;
    /** Weight of a new sample for ::TWIN_HEALTH_RECAL_EMA, in (0, 1]; default 0.3. */
    double ema_alpha;
    /** Variance per second added to `(x0, x1)` on diverged samples for
        ::TWIN_HEALTH_RECAL_KALMAN, >= 0; default (0, 0). */
    double recal_noise[2];
    /** The model for ::TWIN_HEALTH_USER (retained, see ::twin_health_model);
        NULL otherwise. */
    const twin_health_model *user;
} twin_health_options;

/**
 * @brief The state of one signal: plain data, 192 bytes, no pointers.
 *
 * Filled by twin_health_init(); copy, save and restore it as bytes. The
 * fields are private. Not a growable struct (core.h): its size is fixed
 * forever and `size` only marks an initialised state; its private layout
 * tag changes with the library's layout, and a state of another layout is
 * refused with ::TWIN_E_ABI, since it cannot be read over defaults.
 */
typedef struct twin_health {
    uint32_t size;         /**< `sizeof(twin_health)` once initialised. */
    uint32_t layout_;      /**< Private: layout version. */
    uint64_t opaque_[23];  /**< Private. */
} twin_health;

/** @brief What one twin_health_update() did. */
typedef struct twin_health_event {
    uint32_t size;            /**< Set by the caller to `sizeof(twin_health_event)`. */
    uint32_t flags;           /**< `TWIN_HEALTH_EVENT_*` bits. */
    double predicted;         /**< The signal predicted at the sample's time, before it. */
    double error;             /**< Relative error `(v - predicted) / |predicted|`. */
    /** Parameters `(x0, x1)` before the sample (NaN for user models). */
    double mean_before[2];
    /** Parameters `(x0, x1)` after the sample (NaN for user models). */
    double mean_after[2];
    uint64_t recalibrations;  /**< Samples that recalibrated the model so far. */
    int32_t diverged;         /**< 1 while the signal is diverged, after this sample. */
    uint32_t reserved_;       /**< Zero. */
} twin_health_event;

/** @brief Counters and levels of a state (twin_health_get_stats()). */
typedef struct twin_health_stats {
    uint32_t size;            /**< Set by the caller to `sizeof(twin_health_stats)`. */
    int32_t diverged;         /**< 1 while the signal is diverged. */
    uint64_t samples;         /**< Samples accepted. */
    uint64_t recalibrations;  /**< Samples that recalibrated the model. */
    double error_mean;        /**< Running mean of the relative prediction error; 0 with no sample. */
    double error_var;         /**< Its sample variance (n - 1); 0 with fewer than 2 samples. */
    double baseline;          /**< The signal at time zero (health 1). */
    double failure_level;     /**< The failure level (health 0). */
    int64_t t0_us;            /**< Time zero, microseconds since the epoch. */
    int64_t last_us;          /**< Time of the latest sample; @c t0_us before the first. */
} twin_health_stats;

/** @brief Remaining useful life (twin_health_get_rul()): seconds from the
 *         latest sample; INFINITY when the level is never reached. */
typedef struct twin_health_rul {
    uint32_t size;    /**< Set by the caller to `sizeof(twin_health_rul)`. */
    uint32_t reserved_; /**< Zero. */
    double median;    /**< The median (the crossing time of the posterior-mean path). */
    double lower;     /**< The @p q_lower quantile (NaN for user models). */
    double upper;     /**< The @p q_upper quantile (NaN for user models). */
} twin_health_rul;

/**
 * @brief Fill @p o with defaults. Use the twin_health_options_init() macro.
 * @param o    Options to initialise.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      @p o holds the defaults listed at each field.
 * @retval TWIN_E_INVAL @p o is NULL or @p size does not cover @c size and @c model.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.2
 */
TWIN_API twin_status twin_health_options_init_(twin_health_options *o, size_t size);

/** @brief Initialise options struct @p o with defaults. */
#define twin_health_options_init(o) twin_health_options_init_((o), sizeof *(o))

/**
 * @brief Initialise the state of one signal.
 *
 * The parameters start at the prior (built-in models) or at what the user
 * model's @c init sets. The baseline is the prediction at time zero; the
 * failure level comes from the options.
 * @param h     State to fill (caller storage; its previous content is ignored).
 * @param o     Options (read; not retained, except a user model table).
 * @param t0_us Time zero of the model, microseconds since the epoch.
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p h is ready.
 * @retval TWIN_E_INVAL A pointer is NULL, or an option is invalid (not
 *                      finite, out of its range, unknown kind, a user model
 *                      without functions); @p h is unchanged.
 * @retval TWIN_E_ABI   @p o->size or @p o->user->size is unknown.
 * @retval TWIN_E_RANGE The prior covariance is not symmetric positive
 *                      definite, or the failure level is not beyond the
 *                      baseline (above it for the exponential model; not
 *                      equal to it for the others); @p h is unchanged.
 * @par Thread safety
 * Writer of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_init(twin_health *h, const twin_health_options *o,
                                      int64_t t0_us, twin_error *err);

/**
 * @brief Feed one sample: predict, measure the error, detect divergence,
 *        recalibrate, update.
 * @param h    State.
 * @param o    The options @p h was initialised with.
 * @param t_us Sample time, microseconds since the epoch; not before the
 *             latest sample (equal is allowed).
 * @param v    Sample value; finite, and above @c phi for the exponential model.
 * @param ev   If not NULL (with its @c size set), receives what happened.
 * @param err  If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Accepted; @p h updated.
 * @retval TWIN_E_INVAL A pointer is NULL, @p h is not initialised, the
 *                      model kind differs from @p h's, @p v is not finite,
 *                      @p t_us is before the latest sample, or @p ev->size
 *                      is below 8 bytes; @p h is unchanged.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout, or
 *                      @p o->size or @p ev->size is larger than this library's.
 * @retval TWIN_E_RANGE @p v is at or below @c phi (exponential model), or the
 *                      update would make the parameters non-finite or their
 *                      covariance singular; @p h is unchanged.
 * @retval other        A user model's @c update failed; @p h is unchanged.
 * @par Thread safety
 * Writer of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_update(twin_health *h, const twin_health_options *o,
                                        int64_t t_us, double v, twin_health_event *ev,
                                        twin_error *err);

/**
 * @brief The signal predicted at time @p t_us by the current parameters
 *        (the posterior mean for the built-in models).
 * @param h     State.
 * @param o     The options @p h was initialised with.
 * @param t_us  Any time, microseconds since the epoch.
 * @param out   Receives the prediction.
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p h is not initialised or the kind differs.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @retval TWIN_E_RANGE The prediction is not finite.
 * @par Thread safety
 * Reader of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_predict(const twin_health *h, const twin_health_options *o,
                                         int64_t t_us, double *out, twin_error *err);

/**
 * @brief Health score at time @p t_us: 1 at the baseline, 0 at the failure
 *        level, linear in the predicted signal in between, clipped to [0, 1].
 * @param h     State.
 * @param o     The options @p h was initialised with.
 * @param t_us  Time, microseconds since the epoch (e.g. the latest sample's).
 * @param score Receives the score.
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p h is not initialised or the kind differs.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @retval TWIN_E_RANGE The prediction is not finite.
 * @par Thread safety
 * Reader of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_get_score(const twin_health *h, const twin_health_options *o,
                                           int64_t t_us, double *score, twin_error *err);

/**
 * @brief Seconds from the latest sample until the predicted signal reaches
 *        @p level.
 *
 * Built-in models solve the posterior-mean path in closed form. User models
 * search forward from the latest sample (doubling steps up to 1e12 s, then
 * bisection), assuming the prediction moves monotonically towards the
 * failure level.
 * @param h       State.
 * @param o       The options @p h was initialised with.
 * @param level   Threshold, beyond the baseline in the direction of failure
 *                (e.g. the 0.5 G alarm of a 0.12 G baseline).
 * @param seconds Receives the time; 0 if the prediction at the latest sample
 *                is already past @p level, INFINITY if it never gets there.
 * @param err     If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p level is not finite, @p h is
 *                      not initialised or the kind differs.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @retval TWIN_E_RANGE @p level is not beyond the baseline (or, for the
 *                      exponential model, not above @c phi).
 * @par Thread safety
 * Reader of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_get_time_to(const twin_health *h, const twin_health_options *o,
                                             double level, double *seconds, twin_error *err);

/**
 * @brief Remaining useful life to the failure level, with bounds.
 *
 * Method (built-in models): in model space the path is the line
 * `x0 + x1 * t`, and the posterior of `(x0, x1)` is Gaussian with mean `m`
 * and covariance `P`. At time `t` the path's value is therefore Gaussian
 * with mean `mu(t) = m0 + m1 t` and variance
 * `s2(t) = P00 + 2 t P01 + t^2 P11`, and the posterior probability that the
 * signal is past the failure level `L` (in model space) is
 * `F(t) = Phi((mu(t) - L) / s(t))` (for a rising signal). The q-quantile of
 * the RUL is the first time `t` at or after the latest sample with
 * `F(t) = q`: squaring `mu(t) - L = z_q s(t)` gives a quadratic in `t`,
 * solved in closed form (no sampling, no iteration but the normal quantile
 * `z_q`). The median (`z = 0`) is the crossing time of the posterior-mean
 * path, as twin_health_get_time_to() gives. When the posterior puts
 * negligible mass on a rate of the wrong sign, `F` is the distribution of
 * the first-passage time and the result is its exact quantile; otherwise
 * `F(t)` is at most the probability of having crossed by `t`, so the bounds
 * are late (optimistic), and a quantile that `F` never reaches is INFINITY.
 * The latent path is used: sample noise is not added.
 *
 * User models give the median by the search of twin_health_get_time_to()
 * and NaN bounds.
 * @param h       State.
 * @param o       The options @p h was initialised with.
 * @param q_lower Lower quantile level, e.g. 0.05.
 * @param q_upper Upper quantile level, e.g. 0.95; `0 < q_lower <= 0.5 <= q_upper < 1`.
 * @param out     Receives the RUL in seconds from the latest sample; its
 *                @c size must be set.
 * @param err     If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, a quantile level is out of range,
 *                      @p out->size is below 8 bytes, @p h is not initialised or
 *                      the kind differs.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout, or
 *                      @p out->size is larger than this library's struct.
 * @par Thread safety
 * Reader of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_get_rul(const twin_health *h, const twin_health_options *o,
                                         double q_lower, double q_upper, twin_health_rul *out,
                                         twin_error *err);

/**
 * @brief The parameters' posterior: mean `(x0, x1)` and covariance.
 * @param h    State of a built-in model.
 * @param mean Receives the mean (2 values).
 * @param cov  If not NULL, receives the covariance, row-major 2x2.
 * @param err  If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p h is not initialised or is a user model.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @par Thread safety
 * Reader of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_get_posterior(const twin_health *h, double mean[2],
                                               double cov[4], twin_error *err);

/**
 * @brief Counters, error statistics and levels of a state.
 * @param h   State.
 * @param out Receives them; its @c size must be set (core.h: Structs that grow).
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p out->size is below 8 bytes, or @p h
 *                      is not initialised.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout, or
 *                      @p out->size is larger than this library's struct.
 * @par Thread safety
 * Reader of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_get_stats(const twin_health *h, twin_health_stats *out,
                                           twin_error *err);

/**
 * @brief Change the failure level of one signal (e.g. after fitting it).
 * @param h     State.
 * @param o     The options @p h was initialised with.
 * @param level New failure level; finite and beyond the baseline (above it
 *              for the exponential model).
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p level is not finite, @p h is not
 *                      initialised or the kind differs; @p h is unchanged.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @retval TWIN_E_RANGE @p level is not beyond the baseline; @p h is unchanged.
 * @par Thread safety
 * Writer of @p h.
 * @since 1.2
 */
TWIN_API twin_status twin_health_set_failure_level(twin_health *h, const twin_health_options *o,
                                                   double level, twin_error *err);

/* ---- packed states ------------------------------------------------------------------ */

/**
 * @brief A health state in its packed form: 112 bytes instead of 192, plain
 *        data, no pointers.
 *
 * For hosts that keep many states and update few at a time, such as a
 * gateway firmware holding one model per asset in a fixed arena: keep the
 * packed states, and for each sample unpack one into a ::twin_health on the
 * stack, update it, and pack it back. Packing is lossless: unpacking gives
 * the state back byte for byte. It holds every state of the built-in
 * models, and the states of user models whose bytes past the first 40 are
 * zero (a ::twin_health_model with @c state_size at most 40 always is).
 * The fields are private; like ::twin_health, the bytes are in the host's
 * byte order.
 * @since 1.4
 */
typedef struct twin_health_packed {
    uint64_t opaque_[14];  /**< Private. */
} twin_health_packed;

/**
 * @brief Pack a state (see ::twin_health_packed).
 * @param h   An initialised state.
 * @param out Receives the packed state.
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p out holds @p h.
 * @retval TWIN_E_INVAL A pointer is NULL, or @p h is not initialised or is
 *                      corrupt; @p out is unchanged.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @retval TWIN_E_RANGE @p h is a user model's state with non-zero bytes past
 *                      the first 40 of its model part; @p out is unchanged.
 * @par Thread safety
 * Reader of @p h, writer of @p out.
 * @since 1.4
 */
TWIN_API twin_status twin_health_pack(const twin_health *h, twin_health_packed *out,
                                      twin_error *err);

/**
 * @brief Unpack a state packed by twin_health_pack().
 * @param in  A packed state.
 * @param h   Receives the state, exactly as it was packed.
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p h holds the state.
 * @retval TWIN_E_INVAL A pointer is NULL, or @p in is not a packed state;
 *                      @p h is unchanged.
 * @retval TWIN_E_ABI   @p in was packed by a library with another packed
 *                      layout; @p h is unchanged.
 * @par Thread safety
 * Reader of @p in, writer of @p h.
 * @since 1.4
 */
TWIN_API twin_status twin_health_unpack(const twin_health_packed *in, twin_health *h,
                                        twin_error *err);

/* ---- encoded forms: files and databases ------------------------------------------- */

/**
 * @name Encoded forms
 * A ::twin_health and a ::twin_health_options as bytes for files,
 * databases and the wire: field by field, little-endian, starting with a
 * two-byte tag (`"HS"` for a state, `"HO"` for options) and a format
 * version byte, with a fixed length per format version. Unlike the structs
 * (whose layout is private and may change in a minor version) and the
 * packed form (host byte order), the encoded forms do not depend on the
 * library's layouts or on the machine: a state encoded by one 1.x release
 * on one machine decodes in every later 1.x release on any machine, and the
 * decoders keep reading every format version ever written. Doubles are
 * their IEEE 754 bits, so decoding gives them back bit for bit, and
 * encoding a decoded state gives the same bytes.
 *
 * The state's encoded form holds everything of the state, including a user
 * model's state area (its 64 bytes as the model wrote them: their byte
 * order is the model's). The options' encoded form holds every field but
 * @c user: a function table cannot be saved, so the decoded options of a
 * ::TWIN_HEALTH_USER model have a NULL @c user, and the caller attaches its
 * model again (as twin_store_load() and twin_snapshot_restore() do with
 * the ingest handle's @c user_model). There is no checksum: the decoders
 * check every field (format version, lengths, kinds and other enum values,
 * finite values where the library requires them, the invariants of a
 * state), and the containers (snapshots, database pages) carry their own.
 *
 * The decoders also read the legacy forms, so that what earlier releases
 * saved stays readable: a ::twin_health (192 bytes) and a
 * ::twin_health_options (156 or 160 bytes, its pointer ignored) saved as
 * raw bytes by libtwin 1.2 to 1.4 on a little-endian machine, as snapshots
 * of format version 1 and libtwin-sqlite databases of schema version 1 hold
 * them; they are read field by field at the offsets of those releases, not
 * through the current layout.
 *
 * The stores of the library use these forms: libtwin-sqlite's `health`
 * table (schema version 2) and snapshots (format version 2) hold encoded
 * options and states.
 * @{
 */

/** @brief Format version of the encoded forms this library writes. Later
 *         versions read this one forever. @since 1.5 */
#define TWIN_HEALTH_ENCODING_VERSION 1

/** @brief Bytes of an encoded state (twin_health_encode()) in the format
 *         this library writes; a later release that writes a new format
 *         version may raise it (size buffers with the @p needed of the
 *         encoder when in doubt). @since 1.5 */
#define TWIN_HEALTH_ENCODED_MAX 144

/** @brief Bytes of encoded options (twin_health_options_encode()), as
 *         ::TWIN_HEALTH_ENCODED_MAX. @since 1.5 */
#define TWIN_HEALTH_OPTIONS_ENCODED_MAX 152

/**
 * @brief Encode a state (see "Encoded forms" above).
 * @param h      An initialised state.
 * @param buf    Receives the bytes; may be NULL when @p cap is 0.
 * @param cap    Bytes at @p buf.
 * @param needed If not NULL, receives the length of the encoded form
 *               (also when @p cap is too small).
 * @param err    If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p buf holds the @p *needed bytes of the encoded state.
 * @retval TWIN_E_INVAL @p h or (with enough @p cap) @p buf is NULL, or @p h
 *                      is not initialised or is corrupt; @p buf is unchanged.
 * @retval TWIN_E_ABI   @p h was made by a library with another layout.
 * @retval TWIN_E_RANGE @p cap is smaller than @p *needed; @p buf is unchanged.
 * @par Ownership
 * @p buf is the caller's; nothing is retained.
 * @par Thread safety
 * Reader of @p h, writer of @p buf.
 * @since 1.5
 */
TWIN_API twin_status twin_health_encode(const twin_health *h, void *buf, size_t cap,
                                        size_t *needed, twin_error *err);

/**
 * @brief Decode a state encoded by twin_health_encode() of this or any
 *        earlier 1.x release (or its legacy raw form, see above).
 *
 * @par Limits
 * The length is fixed by the form: ::TWIN_HEALTH_ENCODED_MAX (144) bytes
 * for format version 1, 192 for the legacy raw form; any other length is
 * refused with ::TWIN_E_PARSE. Nothing is allocated.
 * @param h   Receives the state, ready for the calls of this library (with
 *            the options it was encoded with, see twin_health_options_decode()).
 * @param buf The encoded state.
 * @param len Its length: exactly the encoder's @p needed (the length of the
 *            format version at its third byte; 192 for the legacy form).
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p h holds the state.
 * @retval TWIN_E_INVAL @p h or @p buf is NULL; @p h is unchanged.
 * @retval TWIN_E_PARSE The bytes are not an encoded state: wrong tag, unknown
 *                      format version, wrong length, or a field out of range
 *                      (unknown model kind or flags, non-zero reserved bytes,
 *                      the latest sample before time zero, more
 *                      recalibrations than samples, a NaN error mean, a
 *                      negative or NaN squared deviation, a baseline or
 *                      failure level not finite or equal, a built-in model's
 *                      parameters not finite or information matrix not
 *                      positive on its diagonal); @p h is unchanged.
 * @par Ownership
 * Nothing is retained.
 * @par Thread safety
 * Reader of @p buf, writer of @p h.
 * @since 1.5
 */
TWIN_API twin_status twin_health_decode(twin_health *h, const void *buf, size_t len,
                                        twin_error *err);

/**
 * @brief Encode options (see "Encoded forms" above):
 *        every field but @c user.
 * @param o      Options; fields past @c o->size count as their defaults.
 *               For ::TWIN_HEALTH_USER, @c user may be NULL (it is not encoded).
 * @param buf    Receives the bytes; may be NULL when @p cap is 0.
 * @param cap    Bytes at @p buf.
 * @param needed If not NULL, receives the length of the encoded form
 *               (also when @p cap is too small).
 * @param err    If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p buf holds the @p *needed bytes of the encoded options.
 * @retval TWIN_E_INVAL @p o or (with enough @p cap) @p buf is NULL,
 *                      @p o->size does not cover @c size and @c model, or a
 *                      field is invalid as twin_health_init() checks it (not
 *                      finite, out of range, unknown kind or recalibration);
 *                      @p buf is unchanged.
 * @retval TWIN_E_ABI   @p o->size is larger than this library's struct.
 * @retval TWIN_E_RANGE @p cap is smaller than @p *needed; @p buf is unchanged.
 * @par Ownership
 * @p buf is the caller's; nothing is retained.
 * @par Thread safety
 * Reader of @p o, writer of @p buf.
 * @since 1.5
 */
TWIN_API twin_status twin_health_options_encode(const twin_health_options *o, void *buf,
                                                size_t cap, size_t *needed, twin_error *err);

/**
 * @brief Decode options encoded by twin_health_options_encode() of this or
 *        any earlier 1.x release (or their legacy raw form, see above).
 *
 * @par Limits
 * The length is fixed by the form: ::TWIN_HEALTH_OPTIONS_ENCODED_MAX (152)
 * bytes for format version 1, 156 or 160 for the legacy raw form; any other
 * length is refused with ::TWIN_E_PARSE. Nothing is allocated.
 *
 * Initialise @p o with twin_health_options_init() first: its @c size says
 * how much of it the caller's struct has; fields past it are not written.
 * @c user becomes NULL: for ::TWIN_HEALTH_USER, set it to the model's table
 * before using the options.
 * @param o   In: @c size set. Out: the decoded options.
 * @param buf The encoded options.
 * @param len Its length: exactly the encoder's @p needed (156 or 160 for the
 *            legacy form).
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p o holds the options.
 * @retval TWIN_E_INVAL @p o or @p buf is NULL, or @p o->size does not cover
 *                      @c size and @c model; @p o is unchanged.
 * @retval TWIN_E_ABI   @p o->size is larger than this library's struct.
 * @retval TWIN_E_PARSE The bytes are not encoded options: wrong tag, unknown
 *                      format version, wrong length, non-zero reserved bytes,
 *                      or a field that twin_health_init() would refuse (not
 *                      finite, out of range, unknown model kind or
 *                      recalibration); @p o is unchanged.
 * @par Ownership
 * Nothing is retained.
 * @par Thread safety
 * Reader of @p buf, writer of @p o.
 * @since 1.5
 */
TWIN_API twin_status twin_health_options_decode(twin_health_options *o, const void *buf,
                                                size_t len, twin_error *err);

/** @} */

/* ---- fitting from history --------------------------------------------------------- */

/** @brief One run to failure of one asset: samples in time order, the last
 *         at (or just before) failure. Model time zero is the first sample. */
typedef struct twin_health_run {
    const int64_t *t_us;  /**< Sample times, microseconds, non-decreasing. */
    const double *v;      /**< Sample values. */
    size_t n;             /**< Samples, at least 3. */
} twin_health_run;

/**
 * @brief Learn the prior and the failure level of a fleet from run-to-failure
 *        histories.
 *
 * Each run is fitted by least squares in model space (`log(v - phi)` or
 * `v - phi` against seconds since its first sample), giving one `(x0, x1)`
 * per run. The prior mean is their mean, the prior covariance their sample
 * covariance (divisor `n - 1`), the noise the pooled residual variance
 * (divisor: samples minus 2 per run), and the failure level the signal
 * whose model-space value is the mean over runs of each fit's value at the
 * run's last sample.
 * @param o     In: @c model (built-in kinds only) and @c phi. Out, on
 *              success only: @c prior_mean, @c prior_cov, @c noise and
 *              @c failure_level.
 * @param runs  @p nruns runs.
 * @param nruns At least 2.
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p o updated.
 * @retval TWIN_E_INVAL A pointer is NULL, @p o is invalid or a user model,
 *                      fewer than 2 runs, a run with fewer than 3 samples or
 *                      all at one time, a value not finite, or times going
 *                      backwards; @p o is unchanged.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_RANGE A value at or below @c phi (exponential), a covariance
 *                      of the runs' parameters that is singular, or a zero
 *                      residual variance; @p o is unchanged.
 * @par Thread safety
 * Writer of @p o; reads @p runs.
 * @since 1.2
 */
TWIN_API twin_status twin_health_fit_prior(twin_health_options *o, const twin_health_run *runs,
                                           size_t nruns, twin_error *err);

/** @brief Most sensors a ::twin_health_fusion combines. */
#define TWIN_HEALTH_FUSION_SENSORS 32
/** @brief Most operating settings a ::twin_health_fusion clusters. */
#define TWIN_HEALTH_FUSION_SETTINGS 4
/** @brief Most operating regimes of a ::twin_health_fusion. */
#define TWIN_HEALTH_FUSION_REGIMES 8

/** @brief Multi-sensor run-to-failure data of a fleet, row-major. */
typedef struct twin_health_fleet {
    uint32_t size;       /**< Set by the caller to `sizeof(twin_health_fleet)`. */
    uint32_t nsensors;   /**< Sensors per row, 1..::TWIN_HEALTH_FUSION_SENSORS. */
    uint32_t nsettings;  /**< Operating settings per row, 0..::TWIN_HEALTH_FUSION_SETTINGS. */
    uint32_t reserved_;  /**< Zero. */
    size_t nrows;        /**< Rows. */
    const uint32_t *run; /**< Run of each row; the rows of a run are contiguous,
                              in time order, the last at failure. */
    const int64_t *t_us; /**< Time of each row, microseconds. */
    const double *sensors;   /**< @c nrows x @c nsensors values. */
    const double *settings;  /**< @c nrows x @c nsettings values; NULL when @c nsettings is 0. */
} twin_health_fleet;

/**
 * @brief A fused health index: per-regime normalisation of each sensor and
 *        a linear combination of the normalised sensors. Plain data.
 *
 * For a row with settings `s` and sensors `x`: the regime `r` is the
 * nearest centre to `s / setting_scale` (Euclidean); each sensor becomes
 * `z_j = (x_j - mean[r][j]) / scale[r][j]` (0 when the scale is 0); the
 * index is `bias + sum_j weight[j] * z_j`.
 */
typedef struct twin_health_fusion {
    uint32_t size;       /**< `sizeof`, set by twin_health_fusion_fit(). */
    uint32_t nsensors;   /**< Sensors. */
    uint32_t nsettings;  /**< Settings. */
    uint32_t nregimes;   /**< Regimes (1 when @c nsettings is 0). */
    double setting_scale[TWIN_HEALTH_FUSION_SETTINGS];  /**< Divisor of each setting. */
    double centre[TWIN_HEALTH_FUSION_REGIMES][TWIN_HEALTH_FUSION_SETTINGS]; /**< Scaled. */
    double mean[TWIN_HEALTH_FUSION_REGIMES][TWIN_HEALTH_FUSION_SENSORS];    /**< Per regime. */
    double scale[TWIN_HEALTH_FUSION_REGIMES][TWIN_HEALTH_FUSION_SENSORS];   /**< Per regime. */
    double weight[TWIN_HEALTH_FUSION_SENSORS];  /**< Of each normalised sensor. */
    double bias;         /**< Constant term. */
    double rmse;         /**< Root mean square error of the fit on the fleet. */
} twin_health_fusion;

/**
 * @brief Fit a fused health index that runs from 1 at the start of each run
 *        to 0 at its failure.
 *
 * 1. Regimes: with settings, each setting is divided by its standard
 *    deviation over the fleet and the rows are clustered into @p nregimes
 *    by k-means (deterministic: farthest-first initial centres from the
 *    first row, then Lloyd's iterations until no row changes regime, at
 *    most 100). Real machines change load and speed: C-MAPSS FD002 and
 *    FD004 have 6 regimes.
 * 2. Normalisation: per regime, each sensor's mean and standard deviation.
 * 3. Target of a row at time `t` of a run from `t_first` to `t_last`:
 *    `(t_last - t) / (t_last - t_first)`; with @p cap_s > 0,
 *    `min(1, (t_last - t) / cap_s)` (a piecewise-linear target: healthy
 *    until `cap_s` seconds before failure).
 * 4. Weights: least squares of the target on the normalised sensors and a
 *    constant, by Cholesky with a ridge of 1e-9 times the mean diagonal
 *    (sensors with a zero scale in every regime get weight 0).
 *
 * Nothing is allocated: the fit makes passes over the rows.
 * @param out      Receives the fusion (on success only).
 * @param fleet    The data.
 * @param nregimes 1..::TWIN_HEALTH_FUSION_REGIMES (1 when there are no settings).
 * @param cap_s    0, or the cap of the target in seconds (> 0).
 * @param err      If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p out filled.
 * @retval TWIN_E_INVAL A pointer is NULL, a count is out of range, a value is
 *                      not finite, runs are not contiguous, times go
 *                      backwards, fewer than 2 runs, a run with fewer than 2
 *                      rows or no duration, or fewer distinct operating
 *                      points than regimes; @p out is unchanged.
 * @retval TWIN_E_ABI   @p fleet->size is unknown.
 * @retval TWIN_E_RANGE A regime with fewer than 2 rows, or singular normal
 *                      equations; @p out is unchanged.
 * @par Thread safety
 * Writer of @p out; reads @p fleet.
 * @since 1.2
 */
TWIN_API twin_status twin_health_fusion_fit(twin_health_fusion *out,
                                            const twin_health_fleet *fleet, uint32_t nregimes,
                                            double cap_s, twin_error *err);

/**
 * @brief The fused health index of one row.
 * @param f        A fusion from twin_health_fusion_fit().
 * @param sensors  @c f->nsensors values.
 * @param settings @c f->nsettings values; may be NULL when that is 0.
 * @param index    Receives the index.
 * @param regime   If not NULL, receives the row's regime.
 * @param err      If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p f is not a fitted fusion, or a
 *                      value is not finite.
 * @par Thread safety
 * Reader of @p f.
 * @since 1.2
 */
TWIN_API twin_status twin_health_fusion_apply(const twin_health_fusion *f,
                                              const double *sensors, const double *settings,
                                              double *index, uint32_t *regime,
                                              twin_error *err);

/* ---- remaining useful life from a fleet: the predictor ---------------------------- */

/**
 * @name RUL predictor
 * A fitted model that gives the remaining useful life, in cycles, of an asset
 * from its multi-sensor history, learnt from a fleet's run-to-failure data
 * (::twin_health_fleet, one row per operating cycle).
 *
 * - **Normalisation**: the operating regimes and the per-regime mean and
 *   scale of every sensor, and a fused health index over the normalised
 *   sensors, as twin_health_fusion_fit() fits them (target: the cycles
 *   left, capped at the horizon, over the horizon).
 * - **Features** of an asset after `n` cycles, for each normalised sensor
 *   and the fused index (`P + 1` signals), updated in O(1) per cycle: a
 *   fast and a slow exponentially weighted mean (weights `2 / (span + 1)`,
 *   and the plain running mean while `n` is below `1 / weight`), the fast
 *   mean minus the mean of the asset's first @c baseline cycles (its own
 *   healthy level), and the fast mean minus the slow one (the trend);
 *   and `n` itself: `4 (P + 1) + 1` features.
 * - **Trees**: gradient-boosted oblivious regression trees (every node of
 *   a level splits on the same feature and threshold), trained on every
 *   cycle of every run with squared loss, to the target `min(cycles left,
 *   horizon)`: a constant plus @c trees trees, each fitted to the residuals
 *   of a random part (@c subsample) of the rows, with split thresholds at
 *   quantiles of each feature (@c bins), a ridge @c lambda on leaf values
 *   and shrinkage @c learning_rate. Seeded: the same data and parameters
 *   give the same model, bit for bit, on every platform.
 * - **RUL**: the sum of the trees, clamped to `[0, horizon]`. The model
 *   cannot see beyond its horizon: an estimate at or above the model's
 *   censoring level (@c censor times the horizon) is *censored*, meaning
 *   "at least that many cycles" (::twin_health_rul_estimate).
 *
 * A model is a handle (fitted, or loaded from its binary form); the state
 * of one asset is a ::twin_health_track, plain data of 512 bytes, so that
 * a gateway keeps one per asset and updates it once per cycle.
 * @{
 */

/** @brief Most sensors of a ::twin_health_predictor. */
#define TWIN_HEALTH_PREDICTOR_SENSORS 16
/** @brief Version of the binary form that twin_health_predictor_save() writes. */
#define TWIN_HEALTH_PREDICTOR_FORMAT 1

/** @brief A fitted RUL model (opaque handle). */
typedef struct twin_health_predictor twin_health_predictor;

/**
 * @brief Settings of twin_health_predictor_fit(). Initialise with
 *        twin_health_predictor_params_init(), then set what differs. The
 *        defaults were chosen once for all four C-MAPSS sets by the
 *        validation protocol of examples/cmapss_rul on their training
 *        engines (mean capped RMSE of FD001-FD004, seed 1).
 */
typedef struct twin_health_predictor_params {
    uint32_t size;       /**< `sizeof`, set by twin_health_predictor_params_init(). */
    uint32_t nregimes;   /**< Operating regimes, 1..::TWIN_HEALTH_FUSION_REGIMES; 1 without settings. Default 1. */
    uint32_t trees;      /**< Trees, 1..65535; default 300. */
    uint32_t depth;      /**< Levels of each tree, 1..8; default 5. */
    uint32_t bins;       /**< Candidate thresholds per feature plus one, 2..256; default 64. */
    uint32_t fast_span;  /**< Span of the fast mean, cycles, >= 1; default 50. */
    uint32_t slow_span;  /**< Span of the slow mean, cycles, >= 1; default 60. */
    uint32_t baseline;   /**< Cycles of the asset's own healthy level, >= 1; default 20. */
    double horizon;      /**< Cap of the target, cycles, > 0; default 125. */
    double censor;       /**< Censoring level over the horizon, in (0, 1]; default 0.8. */
    double learning_rate; /**< Shrinkage, in (0, 1]; default 0.05. */
    double subsample;    /**< Part of the rows each tree sees, in (0, 1]; default 0.5. */
    double lambda;       /**< Ridge on leaf values, >= 0; default 1. */
    uint64_t seed;       /**< Seed of the row sampling; default 1. */
} twin_health_predictor_params;

/** @brief What a fitted model is (twin_health_predictor_get_info()). */
typedef struct twin_health_predictor_info {
    uint32_t size;       /**< Set by the caller to `sizeof(twin_health_predictor_info)`. */
    uint32_t nsensors;   /**< Sensors per row. */
    uint32_t nsettings;  /**< Operating settings per row. */
    uint32_t nregimes;   /**< Operating regimes. */
    uint32_t nfeatures;  /**< Features the trees read. */
    uint32_t trees;      /**< Trees. */
    uint32_t depth;      /**< Levels of each tree. */
    uint32_t reserved_;  /**< Zero. */
    double horizon;      /**< Cap of the target and of estimates, cycles. */
    double censor_level; /**< Estimates at or above it are censored, cycles. */
    uint64_t bytes;      /**< Size of the binary form (twin_health_predictor_save()). */
} twin_health_predictor_info;

/**
 * @brief The state of one asset for a predictor: plain data, 512 bytes,
 *        no pointers.
 *
 * Filled by twin_health_track_init() for one model and changed only by
 * twin_health_track_update() with that model; copy, save and restore it
 * as bytes (same architecture and library major version). The fields are
 * private; a track made for another model, or by a library with another
 * layout, is refused.
 */
typedef struct twin_health_track {
    uint32_t size;         /**< `sizeof(twin_health_track)` once initialised. */
    uint32_t layout_;      /**< Private: layout version. */
    uint64_t opaque_[63];  /**< Private. */
} twin_health_track;

/** @brief Flags of a ::twin_health_rul_estimate. Values fixed forever. */
enum {
    /** The estimate is a lower bound: "at least @c rul cycles". The
        asset looks healthier than anything the model can tell apart
        within its horizon. */
    TWIN_HEALTH_RUL_CENSORED = 1u
};

/** @brief A remaining useful life in cycles (twin_health_track_get_rul()). */
typedef struct twin_health_rul_estimate {
    uint32_t size;     /**< Set by the caller to `sizeof(twin_health_rul_estimate)`. */
    uint32_t flags;    /**< ::TWIN_HEALTH_RUL_CENSORED or 0. */
    double rul;        /**< Cycles left after the latest cycle, in `[0, horizon]`;
                            with ::TWIN_HEALTH_RUL_CENSORED, a lower bound. */
    double horizon;    /**< The model's horizon, cycles. */
    uint64_t cycles;   /**< Cycles the track has seen. */
} twin_health_rul_estimate;

/**
 * @brief Fill @p p with the default settings. Use the
 *        twin_health_predictor_params_init() macro.
 * @param p    Settings to initialise.
 * @param size `sizeof *p` as the caller compiled it.
 * @retval TWIN_OK      @p p holds the defaults listed at each field.
 * @retval TWIN_E_INVAL @p p is NULL or @p size does not cover @c size.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.5
 */
TWIN_API twin_status twin_health_predictor_params_init_(twin_health_predictor_params *p,
                                                        size_t size);

/** @brief Initialise settings struct @p p with defaults. */
#define twin_health_predictor_params_init(p) \
    twin_health_predictor_params_init_((p), sizeof *(p))

/**
 * @brief Fit a RUL predictor to a fleet's run-to-failure data.
 *
 * Every row is one operating cycle; the rows of a run are contiguous and in
 * time order, the last one the last cycle before failure, so the cycles
 * left at a row are the rows after it in its run (@c t_us must not go
 * backwards within a run, and is not otherwise used).
 * @param out    Receives the model; NULL on failure. Destroy it with
 *               twin_health_predictor_destroy().
 * @param fleet  The data: 1..::TWIN_HEALTH_PREDICTOR_SENSORS sensors, at least
 *               2 runs of at least 2 rows each; read, not retained.
 * @param params Settings; NULL: the defaults.
 * @param alloc  Allocator of the model and of the fit's scratch memory (about
 *               10 bytes per row and feature); copied; NULL: the C heap.
 * @param err    If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p *out is the model.
 * @retval TWIN_E_INVAL A pointer is NULL, a setting or count is out of range,
 *                      a value is not finite, or the fleet is not as above.
 * @retval TWIN_E_ABI   A @c size field is unknown.
 * @retval TWIN_E_RANGE The fused index could not be fitted (a regime with
 *                      fewer than 2 rows, singular normal equations).
 * @retval TWIN_E_NOMEM An allocation failed; nothing leaks.
 * @par Thread safety
 * Reads @p fleet; distinct calls are independent.
 * @since 1.5
 */
TWIN_API twin_status twin_health_predictor_fit(twin_health_predictor **out,
                                               const twin_health_fleet *fleet,
                                               const twin_health_predictor_params *params,
                                               const twin_allocator *alloc, twin_error *err);

/**
 * @brief Free a model. NULL: no-op.
 * @param m Model from twin_health_predictor_fit() or twin_health_predictor_load().
 * @par Thread safety
 * Writer of @p m: no other call on it may be running.
 * @since 1.5
 */
TWIN_API void twin_health_predictor_destroy(twin_health_predictor *m);

/**
 * @brief Write a model's binary form.
 *
 * Little-endian, field by field, versioned (::TWIN_HEALTH_PREDICTOR_FORMAT),
 * ending with a CRC-32 of the bytes before it: the same bytes on every
 * platform for the same model.
 * @param m      The model.
 * @param buf    Receives the bytes; may be NULL when @p cap is 0.
 * @param cap    Bytes available at @p buf.
 * @param needed If not NULL, receives the size of the binary form.
 * @param err    If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p buf holds the binary form.
 * @retval TWIN_E_INVAL @p m is NULL, or @p buf is NULL with @p cap > 0.
 * @retval TWIN_E_RANGE @p cap is too small; @p *needed is set and @p buf
 *                      is unchanged.
 * @par Thread safety
 * Reader of @p m.
 * @since 1.5
 */
TWIN_API twin_status twin_health_predictor_save(const twin_health_predictor *m, void *buf,
                                                size_t cap, size_t *needed, twin_error *err);

/**
 * @brief Read a model from its binary form (twin_health_predictor_save()).
 *
 * Every field is checked (magic, version, length, CRC-32, counts, finite
 * values, feature numbers): corrupt or truncated input is refused, never
 * read out of bounds.
 * @par Limits
 * The counts of the header, checked once the length and CRC-32 match: at
 * most ::TWIN_HEALTH_PREDICTOR_SENSORS (16) sensors,
 * ::TWIN_HEALTH_FUSION_SETTINGS (4) settings, ::TWIN_HEALTH_FUSION_REGIMES
 * (8) regimes, trees 8 levels deep and 65535 trees, each refused with
 * ::TWIN_E_RANGE past it (these bound the form to about 70 MB, and the
 * model allocated to about its size); the length must then be exactly
 * what the counts make (::TWIN_E_PARSE otherwise).
 * @param out   Receives the model; NULL on failure. Destroy it with
 *              twin_health_predictor_destroy().
 * @param data  The bytes (read, not retained).
 * @param n     Their number.
 * @param alloc Allocator of the model; copied; NULL: the C heap.
 * @param err   If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p *out is the model.
 * @retval TWIN_E_INVAL @p out is NULL, or @p data is NULL with @p n > 0.
 * @retval TWIN_E_PARSE The bytes are not a valid binary form of this format
 *                      version (including a bad CRC-32 or length).
 * @retval TWIN_E_RANGE A count is past its limit (see Limits; since 1.7.0,
 *                      before ::TWIN_E_PARSE).
 * @retval TWIN_E_ABI   @p alloc->size is unknown.
 * @retval TWIN_E_NOMEM An allocation failed.
 * @par Thread safety
 * Reads @p data; distinct calls are independent.
 * @since 1.5
 */
TWIN_API twin_status twin_health_predictor_load(twin_health_predictor **out, const void *data,
                                                size_t n, const twin_allocator *alloc,
                                                twin_error *err);

/**
 * @brief What a model is: its sizes, horizon and censoring level.
 * @param m   The model.
 * @param out Receives them; its @c size must be set.
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is too small.
 * @par Thread safety
 * Reader of @p m.
 * @since 1.5
 */
TWIN_API twin_status twin_health_predictor_get_info(const twin_health_predictor *m,
                                                    twin_health_predictor_info *out,
                                                    twin_error *err);

/**
 * @brief Start the track of one asset (no cycle seen yet).
 * @param m   The model the track is for.
 * @param t   Track to fill (caller storage; its previous content is ignored).
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p t is ready.
 * @retval TWIN_E_INVAL A pointer is NULL; @p t is unchanged.
 * @par Thread safety
 * Reader of @p m, writer of @p t.
 * @since 1.5
 */
TWIN_API twin_status twin_health_track_init(const twin_health_predictor *m, twin_health_track *t,
                                            twin_error *err);

/**
 * @brief Add one operating cycle of an asset: O(sensors), no allocation.
 * @param m        The model @p t was initialised for.
 * @param t        The asset's track.
 * @param sensors  The model's @c nsensors values.
 * @param settings The model's @c nsettings values; may be NULL when that is 0.
 * @param err      If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      @p t holds the cycle.
 * @retval TWIN_E_INVAL A pointer is NULL, a value is not finite (NaN or
 *                      infinite), or @p t is not an initialised track for
 *                      @p m; @p t is unchanged.
 * @retval TWIN_E_ABI   @p t was made by a library with another layout.
 * @par Thread safety
 * Reader of @p m, writer of @p t.
 * @since 1.5
 */
TWIN_API twin_status twin_health_track_update(const twin_health_predictor *m,
                                              twin_health_track *t, const double *sensors,
                                              const double *settings, twin_error *err);

/**
 * @brief The remaining useful life of an asset after its latest cycle.
 * @param m   The model @p t was initialised for.
 * @param t   The asset's track, with at least one cycle.
 * @param out Receives the estimate; its @c size must be set. An estimate at
 *            or above the model's censoring level has
 *            ::TWIN_HEALTH_RUL_CENSORED: "at least @c rul cycles".
 * @param err If not NULL, receives the status and a static message on failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL, @p out->size is too small, @p t is
 *                      not an initialised track for @p m, or has no cycle yet.
 * @retval TWIN_E_ABI   @p t was made by a library with another layout.
 * @par Thread safety
 * Reader of @p m and @p t.
 * @since 1.5
 */
TWIN_API twin_status twin_health_track_get_rul(const twin_health_predictor *m,
                                               const twin_health_track *t,
                                               twin_health_rul_estimate *out, twin_error *err);

/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_HEALTH_H */
