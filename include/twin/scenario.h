/**
 * @file scenario.h
 * @brief What-if scenarios: fork the live graph and its health states,
 *        change the fork, run it forward by Monte Carlo, compare.
 *
 * A ::twin_scenario is a copy-on-write view of a graph (and of the health
 * states of an ingest handle) as they were when it was forked. Reads fall
 * through to the graph it was forked from; writes stay in the scenario.
 * Nothing done in a scenario reaches the live graph, its store or its
 * ingest handle.
 *
 * @par Copy on write, twin by twin
 * Forking allocates one small handle and adds one change hook to the live
 * graph: O(1) in time and memory, whatever the size of the graph. The
 * first change of a twin in the scenario copies that twin's record (model,
 * properties, outgoing relationships) into the scenario and changes the
 * copy. The first change of a twin in the live graph after the fork copies
 * the record as it was into the scenario (the change hook's
 * ::TWIN_CHANGE_BEFORE call), so later live writes do not show in it. A
 * scenario can be forked from a scenario (twin_scenario_fork_scenario()):
 * the child reads through its parent, which is frozen while it has
 * children (its changes are refused with ::TWIN_E_STATE until they are
 * destroyed), so the child's view is its parent's at the moment of the
 * fork. Memory grows with the twins changed (on either side) and with the
 * values read from the live graph, and is given back when the scenario is
 * destroyed.
 *
 * Health states are the exception: the fork copies the health state and
 * options of every signal of the ingest handle given that has a health
 * model (192 bytes and its options each), since ingest changes them on
 * every sample without telling anyone. A scenario forked without an
 * ingest handle has no health states. A child shares its root's copy.
 *
 * @par Run forward
 * twin_scenario_run() simulates the scenario over a horizon with a time
 * step, @c runs times. In each run every health model's parameters are
 * drawn from its posterior (a Gaussian, twin_health_get_posterior(),
 * taken at the start as a level and a rate), walked forward step by step
 * with the model's process noise (the options' `process_noise`: variances
 * per second of the level and of the rate; without it the crossing is
 * computed exactly), and the signal fails when its path crosses the
 * failure level; a twin with a constant failure rate
 * (twin_scenario_set_failure_rate()) fails at an exponential time; a twin
 * failed by twin_scenario_fail_twin() fails at the time given. A twin's
 * own failure time is the earliest of these. Failures then propagate
 * through the system structure of ::twin_scenario_run_options: a twin
 * depends on the twins related to it by the relationship names given, and
 * is down once fewer than `k` of its `n` inputs are up (k from a property,
 * default n: series), or when a callback says so. Twins do not come back
 * (no repair): a twin's uptime over the horizon is the time to its first
 * stop, and its downtime the rest of the horizon.
 *
 * Runs are reproducible: the random numbers of a run depend only on the
 * seed, the run's number and the twin's and signal's identifiers, and are
 * made with integer arithmetic and IEEE basic operations (the library's
 * own logarithm), so the same seed gives the same bytes on every platform
 * the library builds for. Two scenarios run with the same seed and number
 * of runs use common random numbers, so that twin_scenario_compare()
 * reports the difference a change makes rather than noise.
 *
 * @par Thread safety
 * A scenario, its ancestors and the live graph they come from form a
 * family that shares one readers-writer lock: every call on a scenario of
 * the family takes it (shared for reads and runs, exclusive for changes),
 * and so does every call that changes the live graph. So scenarios can be
 * read and run on other threads while the live graph keeps being written
 * on its own thread (and ingest keeps ingesting: scenarios never read the
 * ingest handle after the fork). The rules that remain:
 * - one thread at a time per scenario handle (each scenario of a family
 *   may have its own thread);
 * - fork a root scenario on the thread that writes the graph and the
 *   ingest handle (it reads both and adds a change hook), and destroy it
 *   there, after its children;
 * - a relationship visitor must not call into the family or write the
 *   live graph: the lock is held while it runs;
 * - a ::twin_scenario_result is immutable: any number of threads may read it.
 *
 * @par Errors
 * Functions return a ::twin_status; a failing call leaves the scenario as it
 * was and leaves a message in twin_scenario_last_error(). A scenario whose
 * live graph was destroyed, or replaced by a load or restore under it,
 * refuses every call with ::TWIN_E_STATE.
 * The live graph never waits on a scenario: if keeping a twin as it was
 * runs out of memory when the live graph changes it, the change is made
 * and the scenario gives up: its family's calls then fail with
 * ::TWIN_E_NOMEM (destroying them still works).
 */
#ifndef TWIN_SCENARIO_H
#define TWIN_SCENARIO_H

#include "twin/graph.h"
#include "twin/ingest.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup scenario Scenarios
 * @brief What-if forks of the live state, run forward.
 * @{
 */

/** @brief A what-if scenario (opaque). */
typedef struct twin_scenario twin_scenario;

/** @brief The results of a run (opaque, immutable). */
typedef struct twin_scenario_result twin_scenario_result;

/**
 * @brief Fork the live graph @p g and the health states of @p ing.
 *
 * Simulated time starts at @p now_us: the latest sample of the health
 * signals when 0.
 * @param out    Receives the scenario.
 * @param g      The live graph; must outlive the scenario, or be destroyed
 *               only after the scenario is (a scenario of a destroyed graph
 *               refuses every call with ::TWIN_E_STATE, and may be destroyed).
 * @param ing    Ingest handle over @p g whose health states are copied; NULL
 *               for none. Not retained.
 * @param now_us Start of simulated time, microseconds since the epoch; 0:
 *               the latest health sample (or 0 without any).
 * @retval TWIN_OK      Forked.
 * @retval TWIN_E_INVAL @p out or @p g is NULL.
 * @retval TWIN_E_STATE Called from a change hook of @p g.
 * @retval TWIN_E_NOMEM Allocation failed; nothing changed.
 * @par Thread safety
 * On the thread that writes @p g and @p ing.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_fork(twin_scenario **out, twin_graph *g,
                                        const twin_ingest *ing, int64_t now_us);

/**
 * @brief Fork a scenario: a child sees its parent as it is now; later
 *        changes to the parent do not show in it.
 * @param out    Receives the child.
 * @param parent The parent; must be destroyed after the child.
 * @retval TWIN_OK      Forked.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_STATE The live graph is gone.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @par Thread safety
 * Any thread (takes the family's lock).
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_fork_scenario(twin_scenario **out, twin_scenario *parent);

/**
 * @brief Destroy a scenario (after its children). NULL is ignored.
 * @param sc Scenario.
 * @par Thread safety
 * A root scenario: on the thread that writes its graph (it removes its
 * change hook), unless the graph is gone. A child: any thread.
 * @since 1.6
 */
TWIN_API void twin_scenario_destroy(twin_scenario *sc);

/**
 * @brief The last error of a call on @p sc (valid until the next call on it
 *        from this thread; one thread per scenario for this to be useful).
 * @param sc Scenario.
 * @return The error; a static "no error" record when @p sc is NULL.
 * @since 1.6
 */
TWIN_API const twin_error *twin_scenario_last_error(const twin_scenario *sc);

/* ---- reads --------------------------------------------------------- */

/**
 * @brief Whether a twin exists in the scenario, and its model.
 * @param sc       Scenario.
 * @param twin_id  Twin.
 * @param model_id If not NULL, receives the model identifier (valid until
 *                 the scenario is destroyed).
 * @retval TWIN_OK          Found.
 * @retval TWIN_E_NOTFOUND  No such twin in the scenario.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_STATE     The live graph is gone.
 * @retval TWIN_E_NOMEM     Allocation failed copying the answer.
 * @par Thread safety Any thread.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_find_twin(twin_scenario *sc, const char *twin_id,
                                             const char **model_id);

/**
 * @brief A property of a twin in the scenario.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @param name    Top-level property name.
 * @param out     Receives a pointer to the value, valid until the scenario is
 *                destroyed (values read from the live graph are copied into
 *                the scenario).
 * @retval TWIN_OK          Found.
 * @retval TWIN_E_NOTFOUND  No such twin or property.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_STATE     The live graph is gone.
 * @retval TWIN_E_NOMEM     Allocation failed.
 * @par Thread safety Any thread.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_get_property(twin_scenario *sc, const char *twin_id,
                                                const char *name, const twin_value **out);

/** @brief A relationship seen from a scenario (twin_scenario_relationships()). */
typedef struct twin_scenario_rel {
    const char *id;         /**< Identifier, unique per source. */
    const char *name;       /**< Relationship name. */
    const char *source_id;  /**< Source twin. */
    const char *target_id;  /**< Target twin. */
} twin_scenario_rel;

/** @brief Visitor of twin_scenario_relationships(): return ::TWIN_OK to go
 *         on, anything else stops the walk and is returned. @p r is valid
 *         during the call; the callback must not call into the family. */
typedef twin_status (*twin_scenario_rel_fn)(void *ud, const twin_scenario_rel *r);

/**
 * @brief Visit a twin's relationships in the scenario.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @param dir     Outgoing, incoming or both.
 * @param name    Only this relationship name; NULL for all.
 * @param fn      Visitor.
 * @param ud      Passed to @p fn.
 * @retval TWIN_OK          Every relationship visited.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @retval TWIN_E_INVAL     A pointer is NULL or @p dir is unknown.
 * @retval TWIN_E_STATE     The live graph is gone.
 * @retval other            What @p fn returned.
 * @par Thread safety Any thread; the family's lock is held while @p fn runs.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_relationships(twin_scenario *sc, const char *twin_id,
                                                 twin_direction dir, const char *name,
                                                 twin_scenario_rel_fn fn, void *ud);

/**
 * @brief Number of twins in the scenario. O(twins).
 * @param sc Scenario; NULL gives 0.
 * @return The count (0 when the live graph is gone).
 * @since 1.6
 */
TWIN_API size_t twin_scenario_twin_count(twin_scenario *sc);

/* ---- changes -------------------------------------------------------- */

/**
 * @brief Set (or add) a property of a twin in the scenario.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @param name    Top-level property name.
 * @param value   The value (copied).
 * @retval TWIN_OK          Set.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @retval TWIN_E_INVAL     A pointer is NULL, or the value is malformed (a
 *                          non-finite double, bad UTF-8, duplicate member).
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @par Thread safety Any thread (exclusive lock of the family).
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_set_property(twin_scenario *sc, const char *twin_id,
                                                const char *name, const twin_value *value);

/**
 * @brief Add a twin to the scenario (a redundant unit, a second pump).
 * @param sc       Scenario.
 * @param twin_id  New twin.
 * @param model_id Its model identifier (not validated).
 * @retval TWIN_OK         Added.
 * @retval TWIN_E_EXISTS   The twin exists in the scenario.
 * @retval TWIN_E_INVAL    A pointer is NULL or an identifier is empty or not UTF-8.
 * @retval TWIN_E_STATE    The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM    Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_add_twin(twin_scenario *sc, const char *twin_id,
                                            const char *model_id);

/**
 * @brief Remove a twin and its relationships (both directions) from the
 *        scenario.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @retval TWIN_OK          Removed.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_remove_twin(twin_scenario *sc, const char *twin_id);

/**
 * @brief Add a relationship in the scenario (a reroute, a redundant feed).
 * @param sc        Scenario.
 * @param source_id Source twin.
 * @param rel_id    Identifier, unique per source.
 * @param name      Relationship name.
 * @param target_id Target twin.
 * @retval TWIN_OK          Added.
 * @retval TWIN_E_NOTFOUND  The source or target does not exist.
 * @retval TWIN_E_EXISTS    The source has a relationship with this identifier.
 * @retval TWIN_E_INVAL     A pointer is NULL or a string is empty or not UTF-8.
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_add_relationship(twin_scenario *sc, const char *source_id,
                                                    const char *rel_id, const char *name,
                                                    const char *target_id);

/**
 * @brief Remove a relationship from the scenario.
 * @param sc        Scenario.
 * @param source_id Source twin.
 * @param rel_id    Identifier.
 * @retval TWIN_OK          Removed.
 * @retval TWIN_E_NOTFOUND  No such relationship.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_remove_relationship(twin_scenario *sc,
                                                       const char *source_id,
                                                       const char *rel_id);

/**
 * @brief Fail a twin at a time: it is down from @p at_s seconds after the
 *        start of simulated time in every run.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @param at_s    Seconds, >= 0 and finite; INFINITY cancels.
 * @retval TWIN_OK          Set.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @retval TWIN_E_INVAL     A pointer is NULL, or @p at_s is negative or NaN.
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_fail_twin(twin_scenario *sc, const char *twin_id,
                                             double at_s);

/**
 * @brief Give a twin random failures at a constant rate (an exponential
 *        lifetime), as for a unit without condition monitoring.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @param per_s   Failures per second, >= 0 and finite; 0 removes it.
 * @retval TWIN_OK          Set.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @retval TWIN_E_INVAL     A pointer is NULL, or @p per_s is negative or not finite.
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_set_failure_rate(twin_scenario *sc, const char *twin_id,
                                                    double per_s);

/** @brief Which of a health signal's settings twin_scenario_set_health()
 *         changes. Values fixed forever. */
typedef enum twin_scenario_health_param {
    /** The failure level (the threshold the path must cross). */
    TWIN_SCENARIO_FAILURE_LEVEL = 1,
    /** A factor on the degradation rate (the model's `x1`) from the start
        of simulated time on, > 0: what a load or a temperature does to it.
        Multiplies the stress law's factor (::twin_scenario_stress). */
    TWIN_SCENARIO_RATE_FACTOR = 2,
    /** The rate itself (`x1`, per second), its posterior variance kept. */
    TWIN_SCENARIO_RATE = 3
} twin_scenario_health_param;

/**
 * @brief Change a health setting of one signal in the scenario.
 * @param sc      Scenario.
 * @param twin_id Twin.
 * @param signal  Signal name.
 * @param param   A ::twin_scenario_health_param.
 * @param value   The new value (finite; a rate factor > 0; a failure level
 *                on the failing side of the current level is accepted and
 *                fails the signal at once).
 * @retval TWIN_OK          Set.
 * @retval TWIN_E_NOTFOUND  No such signal with a health model in the scenario.
 * @retval TWIN_E_INVAL     A pointer is NULL, @p param is unknown or @p value is
 *                          out of its domain.
 * @retval TWIN_E_STATE     The live graph is gone, or @p sc has children.
 * @retval TWIN_E_NOMEM     Allocation failed; nothing changed.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_set_health(twin_scenario *sc, const char *twin_id,
                                              const char *signal, int32_t param, double value);

/* ---- running ------------------------------------------------------- */

/** @brief Kinds of stress law. Values fixed forever. */
typedef enum twin_scenario_stress_law {
    /** Rate proportional to `(load / rated)^exponent` (e.g. bearings, 3). */
    TWIN_STRESS_POWER = 1,
    /** Arrhenius: rate proportional to `exp(-exponent / T)`, `T` the
        property in kelvin (`exponent` is the activation energy over
        Boltzmann's constant, in kelvin). */
    TWIN_STRESS_ARRHENIUS = 2
} twin_scenario_stress_law;

/**
 * @brief A stress law: how a twin property scales the degradation rate of
 *        the health signals of a given name.
 *
 * In a run, each such signal's rate is multiplied by `law(x) / law(x0)`,
 * where `x` is the property in the scenario and `x0` the property in the
 * live graph at the root's fork (the conditions the model learnt its rate
 * under). The property is read on the signal's twin, or, when it has none
 * and @c via is set, on the twin it is related to by @c via (outgoing: a
 * motor `partOf` its conveyor). A missing property reads as @c rated.
 */
typedef struct twin_scenario_stress {
    const char *signal;    /**< Signal name the law applies to (e.g. "vibration"). */
    const char *property;  /**< The load or temperature property (e.g. "speedSetpoint"). */
    const char *via;       /**< Relationship to follow when the twin lacks it; NULL: none. */
    int32_t law;           /**< A ::twin_scenario_stress_law. */
    uint32_t reserved_;    /**< Zero. */
    double exponent;       /**< POWER: the exponent k > 0; ARRHENIUS: Ea/kB in K, > 0. */
    double rated;          /**< POWER: rated load, > 0; ARRHENIUS: reference temperature, K, > 0. */
} twin_scenario_stress;

/** @brief Structure callback: whether twin @p twin_id is up (nonzero) when
 *         of its @p n inputs, named in @p inputs, those with `up[i] = 1` are
 *         up. Must be pure: it is called many times per run, from the thread
 *         of the run, without the family's lock. The strings are valid during
 *         the call. */
typedef int32_t (*twin_scenario_structure_fn)(void *ud, const char *twin_id,
                                              const char *const *inputs,
                                              const uint8_t *up, size_t n);

/** @brief Options of twin_scenario_run(). Initialise with
 *         twin_scenario_run_options_init(). */
typedef struct twin_scenario_run_options {
    uint32_t size;      /**< `sizeof`, set by twin_scenario_run_options_init(). */
    uint32_t runs;      /**< Monte Carlo runs, >= 1; default 1000. */
    uint64_t seed;      /**< Seed; default 1. */
    double horizon_s;   /**< Horizon, seconds, > 0; default 365 days. */
    double step_s;      /**< Time step, seconds, in (0, horizon]; default 1 day.
                             Failure times are reported at step resolution
                             (the end of the step in which they happen). */
    /** Relationship names that make a twin depend on another, NULL-terminated:
        "name" (outgoing: the twin depends on its targets) or "name:in"
        (incoming: it depends on the sources, e.g. "partOf:in": a line
        depends on its parts). NULL (default): no structure, each twin fails
        on its own. */
    const char *const *depends;
    /** Integer property giving `k` in k-of-n for a twin with `n` inputs
        (1 <= k <= n; a larger k is an error of the run); NULL or absent:
        series (`k = n`). Default NULL. */
    const char *k_property;
    twin_scenario_structure_fn structure;  /**< Overrides k-of-n when set; default NULL. */
    void *structure_ud;                    /**< Passed to @c structure. */
    const twin_scenario_stress *stress;    /**< @c nstress stress laws; default none. */
    uint32_t nstress;                      /**< Number of @c stress entries. */
    uint32_t reserved_;                    /**< Zero. */
    double q_lower;     /**< Lower quantile reported, in (0, 0.5]; default 0.05. */
    double q_upper;     /**< Upper quantile reported, in [0.5, 1); default 0.95. */
} twin_scenario_run_options;

/**
 * @brief Fill @p o with defaults. Use the twin_scenario_run_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size is too small.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_run_options_init_(twin_scenario_run_options *o, size_t size);
/** @brief Initialise run options @p o with defaults. */
#define twin_scenario_run_options_init(o) twin_scenario_run_options_init_((o), sizeof *(o))

/**
 * @brief Run the scenario forward.
 * @param sc  Scenario.
 * @param o   Options; NULL for the defaults.
 * @param out Receives the results (destroy with twin_scenario_result_destroy()).
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     A pointer is NULL, or an option is out of its
 *                          domain (runs 0, a horizon or step not positive,
 *                          a stress law with a non-positive rated load or
 *                          exponent, unknown law, quantiles out of range).
 * @retval TWIN_E_ABI       @p o's size is larger than this library's.
 * @retval TWIN_E_RANGE     A twin's k is not in 1..n.
 * @retval TWIN_E_CONSTRAINT The dependencies have a cycle (the message names a twin on it).
 * @retval TWIN_E_STATE     The live graph is gone.
 * @retval TWIN_E_NOMEM     Allocation failed.
 * @par Thread safety Any thread. The family's lock is held, shared, while
 *      the run's model is built (O(twins + relationships): live writes wait
 *      that long); the runs themselves hold no lock.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_run(twin_scenario *sc, const twin_scenario_run_options *o,
                                       twin_scenario_result **out);

/** @brief Destroy results. NULL is ignored. @param r Results. @since 1.6 */
TWIN_API void twin_scenario_result_destroy(twin_scenario_result *r);

/** @brief What the runs say about one twin. */
typedef struct twin_scenario_outcome {
    uint32_t size;          /**< Set by the caller to `sizeof`. */
    uint32_t runs;          /**< Runs. */
    const char *twin_id;    /**< The twin (valid while the results live). */
    double p_fail;          /**< Share of runs in which it stopped within the horizon. */
    /** Time to first stop, seconds from the start: median and the options'
        quantiles; INFINITY where that quantile is beyond the horizon. */
    double ttf_median;
    double ttf_lower;       /**< See @c ttf_median. */
    double ttf_upper;       /**< See @c ttf_median. */
    double availability;    /**< Mean share of the horizon it was up. */
    double downtime_s;      /**< Expected downtime over the horizon, seconds. */
    uint32_t inputs;        /**< Inputs it depends on (n). */
    uint32_t k;             /**< Inputs it needs up (k); 0 with a callback. */
} twin_scenario_outcome;

/**
 * @brief Number of twins in the results (every twin of the scenario).
 * @param r Results; NULL gives 0.
 * @return The count.
 * @since 1.6
 */
TWIN_API size_t twin_scenario_result_count(const twin_scenario_result *r);

/**
 * @brief The outcome of the @p i-th twin (in the order of
 *        twin_scenario_result_count()), or of the twin named @p twin_id.
 * @param r       Results.
 * @param i       Index, when @p twin_id is NULL.
 * @param twin_id Twin, or NULL to use @p i.
 * @param out     Receives it; its @c size must be set.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_NOTFOUND  No such index or twin.
 * @retval TWIN_E_INVAL     A pointer is NULL or @p out->size is too small.
 * @retval TWIN_E_ABI       @p out->size is larger than this library's.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_result_get(const twin_scenario_result *r, size_t i,
                                              const char *twin_id,
                                              twin_scenario_outcome *out);

/**
 * @brief The failure time of a twin in each run (seconds from the start;
 *        INFINITY when it did not stop within the horizon).
 * @param r       Results.
 * @param twin_id Twin.
 * @param times   Receives a pointer to `runs` doubles, valid while @p r lives.
 * @param n       Receives the number of runs.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_result_times(const twin_scenario_result *r,
                                                const char *twin_id, const double **times,
                                                size_t *n);

/** @brief The difference a scenario makes to one twin (b minus a), with
 *         95% intervals from the paired runs. */
typedef struct twin_scenario_diff {
    uint32_t size;           /**< Set by the caller to `sizeof`. */
    uint32_t runs;           /**< Paired runs. */
    double p_fail;           /**< Difference of the probability of stopping within the horizon. */
    double p_fail_lo;        /**< Its 95% interval. */
    double p_fail_hi;        /**< See @c p_fail_lo. */
    double downtime_s;       /**< Difference of the expected downtime, seconds. */
    double downtime_lo;      /**< Its 95% interval. */
    double downtime_hi;      /**< See @c downtime_lo. */
    double ttf_median_a;     /**< Median time to first stop in @p a (INFINITY beyond the horizon). */
    double ttf_median_b;     /**< The same in @p b. */
} twin_scenario_diff;

/**
 * @brief Compare one twin between two results run with common random numbers.
 * @param a       Results of the baseline (e.g. a scenario with no change).
 * @param b       Results of the changed scenario.
 * @param twin_id Twin, present in both.
 * @param out     Receives the difference; its @c size must be set.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_NOTFOUND  The twin is missing from one of them.
 * @retval TWIN_E_INVAL     A pointer is NULL, or @p a and @p b were not run
 *                          with the same seed, runs, horizon and step.
 * @retval TWIN_E_ABI       @p out->size is larger than this library's.
 * @since 1.6
 */
TWIN_API twin_status twin_scenario_compare(const twin_scenario_result *a,
                                           const twin_scenario_result *b, const char *twin_id,
                                           twin_scenario_diff *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_SCENARIO_H */
