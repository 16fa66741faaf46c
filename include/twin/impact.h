/**
 * @file impact.h
 * @brief Impact analysis: who is affected by a twin, how far, how badly.
 *
 * A traversal starts from one or more root twins and follows relationships
 * breadth-first: by default every relationship, outgoing (downstream); or
 * the names the caller lists, each in its own direction (e.g. `feeds`
 * outgoing and `partOf` incoming, so that a degraded motor reaches its
 * conveyor and everything the conveyor feeds). Each twin is reported once,
 * at its shortest distance from a root, with the relationship it was
 * reached by, and an impact score propagated from the roots' health.
 *
 * A ::twin_impact is a query context: it holds the scratch space of a
 * traversal and its results, and is reused from query to query so that a
 * warm query allocates nothing. Use one context per thread: any number of
 * contexts may traverse one graph at the same time while nobody writes to
 * it.
 *
 * Traversals read the graph's relationship lists, or the compact adjacency
 * built by twin_graph_optimize() while no structural change has happened
 * since; the answers are the same, the compact form is faster.
 *
 * @par Thread safety
 * A context is not locked: one thread at a time per context. Traversals
 * only read the graph: many may run concurrently on one graph, with no
 * writer. A write to the graph from any callback (visitor, filter, health,
 * rule) is detected before the traversal reads the graph again and ends it
 * with ::TWIN_E_MODIFIED.
 */
#ifndef TWIN_IMPACT_H
#define TWIN_IMPACT_H

#include "twin/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup impact Impact analysis
 * @brief Traversals from root twins with health propagation.
 * @{
 */

/** @brief A traversal context (opaque). */
typedef struct twin_impact twin_impact;

/** @brief How a reached twin's score follows from its parent's. Values fixed forever.
 *
 * Scores are healths in [0, 1] (1 healthy). Roots score the caller's
 * @c root_health; a twin's own health comes from the @c health callback
 * (1 without one). Along the breadth-first path by which a twin is reached:
 */
typedef enum twin_impact_rule {
    /** score = min(parent score, own health): the weakest link of the path. */
    TWIN_IMPACT_WEAKEST_LINK = 1,
    /** score = min(own health, 1 - attenuation * (1 - parent score)): each hop
        passes on a fraction of the loss of health. */
    TWIN_IMPACT_ATTENUATE = 2,
    /** score = the @c rule callback's answer, clamped to [0, 1]. */
    TWIN_IMPACT_CUSTOM = 3
} twin_impact_rule;

/** @brief A relationship name to follow and the direction to follow it in. */
typedef struct twin_impact_follow {
    const char *name;   /**< Relationship name, e.g. "feeds". */
    int32_t direction;  /**< A ::twin_direction; 0: the options' direction. */
    uint32_t reserved_; /**< Zero. */
} twin_impact_follow;

/** @brief A twin reached by a traversal, as given to visitors and by
 *         twin_impact_get(). Pointers are borrowed from the graph. */
typedef struct twin_impact_hit {
    uint32_t size;            /**< Set by the caller to `sizeof` (for twin_impact_get());
                                   the library's `sizeof` for a visitor, which reads
                                   only the fields within it. */
    uint32_t depth;           /**< Hops from the nearest root; 0 for a root. */
    const char *twin_id;      /**< The twin reached. */
    const char *model_id;     /**< Its model. */
    const char *parent_id;    /**< The twin it was reached from; NULL for a root. */
    const char *via_id;       /**< Identifier of the relationship followed; NULL for a root. */
    const char *via_name;     /**< Name of that relationship; NULL for a root. */
    const char *via_source_id; /**< Source of that relationship (the relationship is
                                    found by it and @c via_id); NULL for a root. */
    double score;             /**< Propagated health in [0, 1]. */
    uint64_t parent_index;    /**< Index of the parent's hit; UINT64_MAX for a root. */
} twin_impact_hit;

/**
 * @brief Visitor: called once per reached twin, in breadth-first order.
 *
 * @p hit (its @c size is set) and the strings in it are valid during the
 * call only.
 * @return 0 to go on; nonzero to stop the traversal: twin_impact_run()
 *         then returns ::TWIN_OK, keeping the twins reported so far,
 *         this one included.
 */
typedef int (*twin_impact_visitor)(void *ud, const twin_impact_hit *hit);

/**
 * @brief Filter: called for each twin the traversal is about to reach
 *        (not for roots). Return nonzero to keep it; 0 prunes it: it is not
 *        reported and the traversal does not go on through it. It is asked
 *        once per twin and run: a pruned twin stays pruned when another
 *        path meets it.
 *
 * @p g is the graph being traversed; the filter may read it (e.g. a
 * property) but not modify it.
 */
typedef int (*twin_impact_filter)(void *ud, const twin_graph *g, const char *twin_id,
                                  const char *model_id, uint32_t depth);

/** @brief Health of a twin in [0, 1]; NaN or a value outside [0, 1] counts as 1. */
typedef double (*twin_impact_health_fn)(void *ud, const char *twin_id);

/** @brief A custom propagation rule (::TWIN_IMPACT_CUSTOM); its answer is
 *         clamped to [0, 1], and NaN counts as 0. */
typedef double (*twin_impact_rule_fn)(void *ud, double parent_score, double own_health,
                                      const char *via_name, uint32_t depth);

/** @brief Options of a traversal. Initialise with twin_impact_options_init(). */
typedef struct twin_impact_options {
    uint32_t size;        /**< `sizeof`, set by twin_impact_options_init(). */
    int32_t direction;    /**< A ::twin_direction; default ::TWIN_DIRECTION_OUTGOING. */
    /** Names to follow, each with its direction; with @c nfollow 0 (the
        pointer is then not read) every name, in @c direction. A name no
        relationship has matches nothing; a name listed twice is followed
        in both directions given. (For roots only, set @c max_depth 0.) */
    const twin_impact_follow *follow;
    size_t nfollow;       /**< Entries in @c follow. */
    uint32_t max_depth;   /**< Deepest hop reported; 0: roots only. Default UINT32_MAX. */
    uint32_t max_results; /**< Stop after this many twins (roots included); 0: no limit. */
    int32_t rule;         /**< A ::twin_impact_rule; default ::TWIN_IMPACT_WEAKEST_LINK. */
    uint32_t reserved_;   /**< Zero. */
    double root_health;   /**< Score of the roots, in [0, 1]; default 0 (failed). */
    double attenuation;   /**< Per hop, in [0, 1], for ::TWIN_IMPACT_ATTENUATE; default 0.5. */
    twin_impact_filter filter;     /**< NULL: keep every twin. */
    void *filter_ud;               /**< Passed to @c filter. */
    twin_impact_health_fn health;  /**< NULL: every twin's own health is 1. */
    void *health_ud;               /**< Passed to @c health. */
    twin_impact_rule_fn rule_fn;   /**< Required for ::TWIN_IMPACT_CUSTOM. */
    void *rule_ud;                 /**< Passed to @c rule_fn. */
} twin_impact_options;

/**
 * @brief Fill @p o with defaults. Use the twin_impact_options_init() macro.
 * @param o    Options to initialise.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      @p o holds defaults.
 * @retval TWIN_E_INVAL @p o is NULL or @p size does not cover @c size and @c direction.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.1
 */
TWIN_API twin_status twin_impact_options_init_(twin_impact_options *o, size_t size);

/** @brief Initialise options struct @p o with defaults. */
#define twin_impact_options_init(o) twin_impact_options_init_((o), sizeof *(o))

/**
 * @brief Create a traversal context for graph @p g.
 * @param out   Receives the context; NULL on failure.
 * @param g     Graph to traverse; retained: it must outlive the context.
 * @param alloc Allocator for the context's scratch space, copied; NULL: the
 *              C library's.
 * @retval TWIN_OK      @p *out is ready; free it with twin_impact_destroy().
 * @retval TWIN_E_INVAL @p out or @p g is NULL, or @p alloc is incomplete.
 * @retval TWIN_E_ABI   @p alloc->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @par Thread safety
 * Reader of @p g.
 * @since 1.1
 */
TWIN_API twin_status twin_impact_create(twin_impact **out, const twin_graph *g,
                                        const twin_allocator *alloc);

/**
 * @brief Destroy a context and its results.
 * @param q Context; NULL is a no-op.
 * @since 1.1
 */
TWIN_API void twin_impact_destroy(twin_impact *q);

/**
 * @brief Traverse from @p roots.
 *
 * Results replace those of the previous run: each reached twin is passed to
 * @p visit (if not NULL) as it is reached, and kept in the context for
 * twin_impact_count() and twin_impact_get(), in breadth-first order: roots
 * first, in the order given (duplicates once), then by distance; the twins
 * reached from one twin come in the order its relationships were added
 * (outgoing ones before incoming ones). The hits, their order, parents and
 * relationships are the same with or without twin_graph_optimize(). A
 * limit (@c max_depth, @c max_results, a visitor's stop) keeps a prefix of
 * the order the run would have without it. A failed run (but for
 * ::TWIN_E_MODIFIED) leaves no results.
 *
 * @param q      Context.
 * @param roots  @p nroots twin identifiers, at least one.
 * @param nroots Number of roots.
 * @param opts   Options, or NULL for defaults.
 * @param visit  Visitor, or NULL.
 * @param ud     Passed to @p visit.
 * @retval TWIN_OK          Done (or stopped by the visitor or @c max_results).
 * @retval TWIN_E_INVAL     A pointer is NULL, @p nroots is 0, or an option is
 *                          invalid (direction, rule, a health or attenuation
 *                          outside [0, 1], CUSTOM without @c rule_fn); nothing visited.
 * @retval TWIN_E_ABI       @p opts->size is unknown.
 * @retval TWIN_E_NOTFOUND  A root does not exist; nothing visited.
 * @retval TWIN_E_NOMEM     Scratch space could not grow; results are empty.
 * @retval TWIN_E_MODIFIED  The graph was modified (any change, properties
 *                          included) by a callback during the traversal;
 *                          results hold what was reached before.
 * @par Thread safety
 * Writer of @p q, reader of its graph.
 * @since 1.1
 */
TWIN_API twin_status twin_impact_run(twin_impact *q, const char *const *roots, size_t nroots,
                                     const twin_impact_options *opts,
                                     twin_impact_visitor visit, void *ud);

/**
 * @brief Number of twins the last run reached.
 * @param q Context; NULL gives 0.
 * @return The count.
 * @since 1.1
 */
TWIN_API size_t twin_impact_count(const twin_impact *q);

/**
 * @brief The @p i-th twin the last run reached (breadth-first order).
 * @param q   Context.
 * @param i   Index below twin_impact_count().
 * @param out Filled on success; its @c size must be set (core.h: Structs that grow). Pointers in it are
 *            borrowed from the graph until its next mutating call.
 * @retval TWIN_OK       Filled.
 * @retval TWIN_E_INVAL  A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI  @p out->size is larger than this library's struct.
 * @retval TWIN_E_RANGE  @p i is past the results.
 * @retval TWIN_E_MODIFIED The graph changed since the run (any change,
 *                         properties included): run again.
 * @par Thread safety
 * Reader of @p q and of its graph.
 * @since 1.1
 */
TWIN_API twin_status twin_impact_get(const twin_impact *q, size_t i, twin_impact_hit *out);

/**
 * @brief The error of the most recent failed call on @p q.
 * @param q Context; NULL gives a static record with status ::TWIN_E_INVAL.
 * @return A record borrowed from @p q; never NULL.
 * @since 1.1
 */
TWIN_API const twin_error *twin_impact_last_error(const twin_impact *q);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_IMPACT_H */
