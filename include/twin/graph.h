/**
 * @file graph.h
 * @brief The asset graph: twins, their properties, and relationships.
 *
 * A ::twin_graph holds twins (an identifier, a model identifier and typed
 * properties) joined by named, directed relationships (an identifier unique
 * per source twin, a name such as `feeds`, a target twin and properties of
 * their own). Twins are found by identifier in O(1).
 *
 * Identifiers (twin, relationship, property and relationship names) are
 * non-empty UTF-8 of at most ::TWIN_ID_MAX bytes; model identifiers at most
 * ::TWIN_MODEL_ID_MAX bytes.
 *
 * @par Ownership
 * Strings and values passed in are copied. Pointers handed out (identifiers,
 * property values) are borrowed from the graph and stay valid until the next
 * mutating call on the graph or its destruction.
 *
 * @par Errors
 * A failing call leaves the graph exactly as it was (including on
 * ::TWIN_E_NOMEM) and records a message, read by twin_graph_last_error().
 *
 * @par Thread safety
 * Not locked: one writer, or any number of concurrent readers, per graph.
 * Functions taking `const twin_graph *` are readers.
 */
#ifndef TWIN_GRAPH_H
#define TWIN_GRAPH_H

#include "twin/core.h"

#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup graph Asset graph
 * @brief Twins, properties and relationships.
 * @{
 */

/** @brief Longest twin, relationship or property identifier, in bytes. */
#define TWIN_ID_MAX 1024
/** @brief Longest model identifier, in bytes. */
#define TWIN_MODEL_ID_MAX 4096
/** @brief Deepest nesting of arrays and objects in a property value: a
 *         scalar has depth 0, and each array or object around it adds 1. */
#define TWIN_VALUE_DEPTH_MAX 32

/** @brief An asset graph (opaque). */
typedef struct twin_graph twin_graph;

/** @brief Kind of a ::twin_value. Values are fixed forever. */
typedef enum twin_value_type {
    TWIN_VALUE_NULL = 0,    /**< No value. */
    TWIN_VALUE_BOOL = 1,    /**< `as.b`: 0 or 1. */
    TWIN_VALUE_INT = 2,     /**< `as.i`: signed 64-bit integer. */
    TWIN_VALUE_DOUBLE = 3,  /**< `as.d`: finite double. */
    TWIN_VALUE_STRING = 4,  /**< `as.s`: UTF-8, `len` bytes. */
    TWIN_VALUE_ARRAY = 5,   /**< `as.items`: `len` values. */
    TWIN_VALUE_OBJECT = 6   /**< `as.members`: `len` named values, names unique. */
} twin_value_type;

struct twin_member;

/**
 * @brief A typed property value, possibly nested (as DTDL's Object, Map and
 *        Array schemas need).
 *
 * Built by the caller (see the twin_value_*() helpers) and copied in by the
 * library; handed out by the library as borrowed, read-only trees in which
 * array items and object members keep the order they were given in.
 * Strings given to the library hold `len` bytes of valid UTF-8 with no NUL
 * byte; strings handed out are also NUL-terminated.
 */
typedef struct twin_value {
    int32_t type;  /**< A ::twin_value_type. */
    uint32_t len;  /**< STRING: bytes; ARRAY: items; OBJECT: members; else 0. */
    /** The payload, by type. */
    union {
        int32_t b;                            /**< BOOL. */
        int64_t i;                            /**< INT. */
        double d;                             /**< DOUBLE. */
        const char *s;                        /**< STRING. */
        const struct twin_value *items;       /**< ARRAY. */
        const struct twin_member *members;    /**< OBJECT. */
    } as;
} twin_value;

/** @brief A named value: a property of a twin or relationship, or a field of
 *         an object value. */
typedef struct twin_member {
    const char *name;  /**< UTF-8, NUL-terminated, non-empty. */
    twin_value value;  /**< The value. */
} twin_member;

/** @brief A null value.
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_null(void)
{
    twin_value v;
    memset(&v, 0, sizeof v);
    v.type = TWIN_VALUE_NULL;
    return v;
}

/** @brief A boolean value.
 *  @param b Nonzero for true.
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_bool(int b)
{
    twin_value v = twin_value_null();
    v.type = TWIN_VALUE_BOOL;
    v.as.b = b ? 1 : 0;
    return v;
}

/** @brief An integer value.
 *  @param i The integer.
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_int(int64_t i)
{
    twin_value v = twin_value_null();
    v.type = TWIN_VALUE_INT;
    v.as.i = i;
    return v;
}

/** @brief A double value.
 *  @param d The number; the graph accepts only finite ones.
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_double(double d)
{
    twin_value v = twin_value_null();
    v.type = TWIN_VALUE_DOUBLE;
    v.as.d = d;
    return v;
}

/** @brief A string value.
 *  @param s NUL-terminated UTF-8, not NULL; referenced, not copied, until
 *           the value is passed to the graph (which copies it).
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_string(const char *s)
{
    twin_value v = twin_value_null();
    v.type = TWIN_VALUE_STRING;
    v.len = (uint32_t)strlen(s);
    v.as.s = s;
    return v;
}

/** @brief An array value.
 *  @param items @p n values, referenced (not copied).
 *  @param n     Number of items.
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_array(const twin_value *items, uint32_t n)
{
    twin_value v = twin_value_null();
    v.type = TWIN_VALUE_ARRAY;
    v.len = n;
    v.as.items = items;
    return v;
}

/** @brief An object value.
 *  @param m @p n members with unique names, referenced (not copied).
 *  @param n Number of members.
 *  @return The value. @since 1.0 */
static inline twin_value twin_value_object(const twin_member *m, uint32_t n)
{
    twin_value v = twin_value_null();
    v.type = TWIN_VALUE_OBJECT;
    v.len = n;
    v.as.members = m;
    return v;
}

/** @brief Direction of relationships seen from a twin. Values fixed forever. */
typedef enum twin_direction {
    TWIN_DIRECTION_OUTGOING = 1,  /**< The twin is the source (downstream). */
    TWIN_DIRECTION_INCOMING = 2,  /**< The twin is the target (upstream). */
    TWIN_DIRECTION_BOTH = 3       /**< Either; a self-relationship is listed once,
                                       among the outgoing ones. */
} twin_direction;

/**
 * @brief Validation hook: the graph calls it before every change to a
 *        twin's model or properties, or to a relationship.
 *
 * The DTDL module supplies one that checks changes against a model set;
 * without a validator the graph accepts any model identifier and any
 * properties. A callback that returns a negative status rejects the change:
 * the graph is left unchanged, the call returns that status, and the text
 * the callback wrote to @p msg (NUL-terminated, at most @p msg_cap bytes)
 * becomes the graph's error message.
 *
 * Callbacks run before the graph changes, so they may read the graph
 * (lookups, iteration) but must not modify it. The pointers they receive are
 * valid only during the call.
 */
typedef struct twin_graph_validator {
    uint32_t size;       /**< Set to `sizeof(twin_graph_validator)`. */
    uint32_t reserved_;  /**< Zero. */
    void *ud;            /**< Passed to each callback; retained. */
    /** Check a twin as it would become: its model and complete property set.
        NULL accepts every twin. */
    twin_status (*check_twin)(void *ud, const char *twin_id,
                              const char *model_id,
                              const twin_member *props, size_t nprops,
                              char *msg, size_t msg_cap);
    /** Check a relationship as it would become, with its endpoints' models
        and its complete property set. NULL accepts every relationship. */
    twin_status (*check_relationship)(void *ud, const char *name,
                                      const char *source_model,
                                      const char *target_model,
                                      const twin_member *props,
                                      size_t nprops, char *msg,
                                      size_t msg_cap);
} twin_graph_validator;

/** @brief Options for twin_graph_create(). Initialise with
 *         twin_graph_options_init(). */
typedef struct twin_graph_options {
    uint32_t size;   /**< `sizeof`, set by twin_graph_options_init(). */
    uint32_t flags;  /**< Reserved, zero. */
    /** Allocator, copied; NULL: the C library's. */
    const twin_allocator *alloc;
    /** Validation hook, copied; NULL: accept everything. */
    const twin_graph_validator *validator;
    /** Capacity hints (0: none), @since 1.1. At creation the graph
        reserves room for this many twins (records and lookup index),
        relationships, and bytes of identifiers (twin and relationship ids,
        model ids and relationship names, each with a NUL), so that those
        arrays do not grow, and leave no outgrown copies in a ::twin_arena,
        until the graph passes the hints. Property sets, interned names and
        per-source indexes still allocate as they appear. */
    uint32_t twin_capacity;
    uint32_t relationship_capacity;  /**< See @c twin_capacity. */
    uint32_t string_capacity;        /**< See @c twin_capacity. */
    uint32_t reserved_;              /**< Zero. */
} twin_graph_options;

/**
 * @brief Fill @p o with defaults. Use the twin_graph_options_init() macro.
 * @param o    Options to initialise.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK     @p o holds defaults; nothing past @p size bytes is written.
 * @retval TWIN_E_INVAL @p o is NULL, or @p size does not cover the @c size and
 *                     @c flags fields.
 * @retval TWIN_E_ABI  @p size is larger than this library's struct.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_options_init_(twin_graph_options *o,
                                              size_t size);

/** @brief Initialise options struct @p o with defaults. */
#define twin_graph_options_init(o) twin_graph_options_init_((o), sizeof *(o))

/**
 * @brief Create an empty graph.
 * @param out  Receives the graph; NULL on failure.
 * @param opts Options, or NULL for defaults. Copied.
 * @retval TWIN_OK      @p *out is a new graph; free it with twin_graph_destroy().
 * @retval TWIN_E_INVAL @p out is NULL or an option is invalid.
 * @retval TWIN_E_ABI   @p opts->size (or a nested struct's) is unknown.
 * @retval TWIN_E_NOMEM Allocation failed (including the room the capacity
 *                      hints ask for).
 * @par Thread safety
 * Safe from any thread.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_create(twin_graph **out,
                                       const twin_graph_options *opts);

/**
 * @brief Destroy a graph and everything it owns.
 * @param g Graph; NULL is a no-op.
 * @par Thread safety
 * No other call on @p g may run concurrently or follow.
 * @since 1.0
 */
TWIN_API void twin_graph_destroy(twin_graph *g);

/**
 * @brief The error of the most recent failed mutating call on @p g.
 * @param g Graph; NULL gives a static record with status ::TWIN_E_INVAL.
 * @return A record borrowed from @p g; never NULL.
 * @par Thread safety
 * Reader; meaningful only to the thread that made the failed call.
 * @since 1.0
 */
TWIN_API const twin_error *twin_graph_last_error(const twin_graph *g);

/**
 * @brief Number of twins in a graph.
 * @param g Graph; NULL gives 0.
 * @return The number of twins.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API size_t twin_graph_twin_count(const twin_graph *g);

/**
 * @brief Number of relationships in a graph.
 * @param g Graph; NULL gives 0.
 * @return The number of relationships.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API size_t twin_graph_relationship_count(const twin_graph *g);

/**
 * @brief Add a twin.
 * @param g        Graph to modify.
 * @param twin_id  Unique identifier, UTF-8, copied.
 * @param model_id Model identifier (a DTMI), copied.
 * @param props    @p nprops initial properties (names unique), copied; may
 *                 be NULL when @p nprops is 0.
 * @param nprops   Number of properties.
 * @retval TWIN_OK           The twin exists.
 * @retval TWIN_E_INVAL      A pointer is NULL, a string is empty or not UTF-8,
 *                           a name repeats, or a value is malformed (e.g. NaN);
 *                           @p g unchanged.
 * @retval TWIN_E_RANGE      An identifier or value exceeds a limit; @p g unchanged.
 * @retval TWIN_E_EXISTS     @p twin_id is taken; @p g unchanged.
 * @retval TWIN_E_NOMEM      Allocation failed; @p g unchanged.
 * @retval other             The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_add_twin(twin_graph *g, const char *twin_id,
                                         const char *model_id,
                                         const twin_member *props,
                                         size_t nprops);

/** @brief Flag for twin_graph_remove_twin(): also remove the twin's relationships. */
#define TWIN_REMOVE_RELATIONSHIPS 1u

/**
 * @brief Remove a twin.
 * @param g       Graph to modify.
 * @param twin_id Twin to remove.
 * @param flags   0: refuse while the twin is the source or target of a
 *                relationship; ::TWIN_REMOVE_RELATIONSHIPS: remove those
 *                relationships with it.
 * @retval TWIN_OK           The twin (and, with the flag, its relationships) is gone.
 * @retval TWIN_E_INVAL      A pointer is NULL or @p flags has unknown bits; @p g unchanged.
 * @retval TWIN_E_NOTFOUND   No such twin; @p g unchanged.
 * @retval TWIN_E_CONSTRAINT The twin has relationships and @p flags is 0;
 *                           @p g unchanged.
 *
 * Removal never fails for lack of memory: it allocates nothing (space is
 * reclaimed in place).
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_remove_twin(twin_graph *g, const char *twin_id,
                                            uint32_t flags);

/**
 * @brief Look a twin up by identifier, in O(1).
 * @param g        Graph.
 * @param twin_id  Identifier.
 * @param model_id If not NULL, receives the twin's model identifier
 *                 (borrowed), or NULL on failure.
 * @retval TWIN_OK         The twin exists.
 * @retval TWIN_E_NOTFOUND No such twin.
 * @retval TWIN_E_INVAL    @p g or @p twin_id is NULL.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_find_twin(const twin_graph *g,
                                          const char *twin_id,
                                          const char **model_id);

/**
 * @brief Change a twin's model.
 * @param g        Graph to modify.
 * @param twin_id  Twin.
 * @param model_id New model identifier, copied.
 * @retval TWIN_OK          Changed.
 * @retval TWIN_E_INVAL     A pointer is NULL or @p model_id is empty or not UTF-8; @p g unchanged.
 * @retval TWIN_E_RANGE     @p model_id is too long; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  No such twin; @p g unchanged.
 * @retval TWIN_E_NOMEM     Allocation failed; @p g unchanged.
 * @retval other            The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_set_model(twin_graph *g, const char *twin_id,
                                          const char *model_id);

/**
 * @brief Set (add or replace) one property of a twin.
 * @param g       Graph to modify.
 * @param twin_id Twin.
 * @param name    Property name, copied.
 * @param value   Value, deep-copied.
 * @retval TWIN_OK          Set.
 * @retval TWIN_E_INVAL     A pointer is NULL, a string is empty or not UTF-8,
 *                          or the value is malformed; @p g unchanged.
 * @retval TWIN_E_RANGE     A name, string or nesting exceeds a limit; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  No such twin; @p g unchanged.
 * @retval TWIN_E_NOMEM     Allocation failed; @p g unchanged.
 * @retval other            The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_set_property(twin_graph *g, const char *twin_id,
                                             const char *name,
                                             const twin_value *value);

/**
 * @brief Remove one property of a twin.
 * @param g       Graph to modify.
 * @param twin_id Twin.
 * @param name    Property name.
 * @retval TWIN_OK          Removed.
 * @retval TWIN_E_INVAL     A pointer is NULL; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  No such twin or property; @p g unchanged.
 * @retval TWIN_E_NOMEM     Allocation failed; @p g unchanged.
 * @retval other            The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_remove_property(twin_graph *g,
                                                const char *twin_id,
                                                const char *name);

/**
 * @brief Read one property of a twin.
 * @param g       Graph.
 * @param twin_id Twin.
 * @param name    Property name.
 * @param out     Receives the value (borrowed), or NULL on failure.
 * @retval TWIN_OK          Found.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_NOTFOUND  No such twin or property.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_get_property(const twin_graph *g,
                                             const char *twin_id,
                                             const char *name,
                                             const twin_value **out);

/**
 * @brief All properties of a twin, in the order they were first set.
 * @param g       Graph.
 * @param twin_id Twin.
 * @param members Receives the array (borrowed; NULL when there are none or
 *                on failure).
 * @param count   Receives the number of properties (0 on failure).
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_get_properties(const twin_graph *g,
                                               const char *twin_id,
                                               const twin_member **members,
                                               size_t *count);

/**
 * @brief A relationship as read from the graph.
 *
 * The caller sets @c size to `sizeof(twin_relationship)` (or uses
 * ::TWIN_RELATIONSHIP_INIT) before passing it in; the library fills the
 * rest with pointers borrowed from the graph.
 */
typedef struct twin_relationship {
    uint32_t size;                  /**< Set by the caller to `sizeof`. */
    uint32_t property_count;        /**< Number of @ref properties. */
    const char *id;                 /**< Identifier, unique per source. */
    const char *name;               /**< Relationship name, e.g. "feeds". */
    const char *source_id;          /**< Source twin. */
    const char *target_id;          /**< Target twin. */
    const twin_member *properties;  /**< Its properties in the order first set;
                                         NULL when none. */
} twin_relationship;

/** @brief Initialiser for a ::twin_relationship. */
#define TWIN_RELATIONSHIP_INIT {sizeof(twin_relationship), 0, NULL, NULL, NULL, NULL, NULL}

/**
 * @brief Add a relationship from @p source_id to @p target_id.
 * @param g         Graph to modify.
 * @param source_id Source twin (must exist).
 * @param rel_id    Identifier, unique among the source's relationships; copied.
 * @param name      Relationship name, e.g. "feeds"; copied.
 * @param target_id Target twin (must exist; may equal @p source_id).
 * @param props     @p nprops properties, copied; may be NULL when @p nprops is 0.
 * @param nprops    Number of properties.
 * @retval TWIN_OK          Added.
 * @retval TWIN_E_INVAL     A pointer is NULL, a string is empty or not UTF-8,
 *                          or a property is malformed; @p g unchanged.
 * @retval TWIN_E_RANGE     An identifier, value or count exceeds a limit; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  The source or target twin does not exist; @p g unchanged.
 * @retval TWIN_E_EXISTS    The source already has a relationship @p rel_id; @p g unchanged.
 * @retval TWIN_E_NOMEM     Allocation failed; @p g unchanged.
 * @retval other            The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_add_relationship(
    twin_graph *g, const char *source_id, const char *rel_id, const char *name,
    const char *target_id, const twin_member *props, size_t nprops);

/**
 * @brief Remove a relationship.
 * @param g         Graph to modify.
 * @param source_id Its source twin.
 * @param rel_id    Its identifier.
 * @retval TWIN_OK          Removed.
 * @retval TWIN_E_INVAL     A pointer is NULL; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  No such source twin or relationship; @p g unchanged.
 *
 * Never fails for lack of memory.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_remove_relationship(twin_graph *g,
                                                    const char *source_id,
                                                    const char *rel_id);

/**
 * @brief Look a relationship up by source and identifier.
 * @param g         Graph.
 * @param source_id Its source twin.
 * @param rel_id    Its identifier.
 * @param out       Filled on success; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK          Found.
 * @retval TWIN_E_INVAL     A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI     @p out->size is larger than this library's struct.
 * @retval TWIN_E_NOTFOUND  No such source twin or relationship.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_find_relationship(const twin_graph *g,
                                                  const char *source_id,
                                                  const char *rel_id,
                                                  twin_relationship *out);

/**
 * @brief Set (add or replace) one property of a relationship.
 * @param g         Graph to modify.
 * @param source_id Its source twin.
 * @param rel_id    Its identifier.
 * @param name      Property name, copied.
 * @param value     Value, deep-copied.
 * @retval TWIN_OK          Set.
 * @retval TWIN_E_INVAL     A pointer is NULL, a string is empty or not UTF-8,
 *                          or the value is malformed; @p g unchanged.
 * @retval TWIN_E_RANGE     A limit is exceeded; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  No such relationship; @p g unchanged.
 * @retval TWIN_E_NOMEM     Allocation failed; @p g unchanged.
 * @retval other            The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_set_relationship_property(
    twin_graph *g, const char *source_id, const char *rel_id, const char *name,
    const twin_value *value);

/**
 * @brief Remove one property of a relationship.
 * @param g         Graph to modify.
 * @param source_id Its source twin.
 * @param rel_id    Its identifier.
 * @param name      Property name.
 * @retval TWIN_OK          Removed.
 * @retval TWIN_E_INVAL     A pointer is NULL; @p g unchanged.
 * @retval TWIN_E_NOTFOUND  No such relationship or property; @p g unchanged.
 * @retval TWIN_E_NOMEM     Allocation failed; @p g unchanged.
 * @retval other            The validator rejected it; @p g unchanged.
 * @par Thread safety
 * Writer.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_remove_relationship_property(
    twin_graph *g, const char *source_id, const char *rel_id, const char *name);

/**
 * @brief Iteration state in caller storage. Contents are private.
 *
 * A cursor stays valid while the graph is not modified; after a mutating
 * call, begin again.
 */
typedef struct twin_cursor {
    uint64_t opaque_[4];  /**< Private. */
} twin_cursor;

/**
 * @brief Start iterating over every twin.
 * @param g Graph.
 * @param c Cursor to initialise.
 * @retval TWIN_OK      Ready; call twin_graph_twins_next().
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_twins_begin(const twin_graph *g,
                                            twin_cursor *c);

/**
 * @brief Next twin, in insertion order (slots of removed twins are reused).
 * @param g        Graph.
 * @param c        Cursor from twin_graph_twins_begin().
 * @param twin_id  Receives the identifier (borrowed); NULL at the end.
 * @param model_id If not NULL, receives the model identifier (borrowed).
 * @retval TWIN_OK      A twin was returned.
 * @retval TWIN_DONE    No more twins.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_twins_next(const twin_graph *g, twin_cursor *c,
                                           const char **twin_id,
                                           const char **model_id);

/**
 * @brief Start iterating over a twin's relationships.
 * @param g       Graph.
 * @param c       Cursor to initialise.
 * @param twin_id The twin.
 * @param dir     Outgoing, incoming or both.
 * @param name    Only relationships with this name; NULL for all.
 * @retval TWIN_OK          Ready; call twin_graph_relationships_next().
 * @retval TWIN_E_INVAL     A pointer is NULL or @p dir is unknown.
 * @retval TWIN_E_NOTFOUND  No such twin.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_relationships_begin(const twin_graph *g,
                                                    twin_cursor *c,
                                                    const char *twin_id,
                                                    twin_direction dir,
                                                    const char *name);

/**
 * @brief Next relationship: outgoing first, then incoming; newest first
 *        within each.
 * @param g   Graph.
 * @param c   Cursor from twin_graph_relationships_begin().
 * @param out Filled when a relationship is returned; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK      A relationship was returned.
 * @retval TWIN_DONE    No more relationships.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI @p out->size is larger than this library's struct.
 * @par Thread safety
 * Reader.
 * @since 1.0
 */
TWIN_API twin_status twin_graph_relationships_next(const twin_graph *g,
                                                   twin_cursor *c,
                                                   twin_relationship *out);

/**
 * @brief Build the compact, read-optimised adjacency that traversals use.
 *
 * Packs every twin's outgoing and incoming relationships into flat arrays.
 * Any later structural change (adding or removing a twin or relationship)
 * drops it; property and model changes keep it. Costs about 24 bytes per
 * relationship and O(twins + relationships) time.
 * @param g Graph to optimise.
 * @retval TWIN_OK      Built (or already current).
 * @retval TWIN_E_INVAL @p g is NULL.
 * @retval TWIN_E_NOMEM Allocation failed; traversals keep working without it.
 * @par Thread safety
 * Writer.
 * @since 1.1
 */
TWIN_API twin_status twin_graph_optimize(twin_graph *g);

/**
 * @brief What a change hook is told about: the kind of change.
 * Values fixed forever. @since 1.5
 */
typedef enum twin_change_kind {
    TWIN_CHANGE_TWIN_PUT = 1,   /**< A twin added, or its model or a property changed. */
    TWIN_CHANGE_TWIN_DELETE = 2, /**< A twin removed. With ::TWIN_REMOVE_RELATIONSHIPS its
                                      relationships go with it and get no calls of their own:
                                      before the change the hook can list them (the graph is
                                      unchanged then). */
    TWIN_CHANGE_REL_PUT = 3,    /**< A relationship added, or a property of it changed. */
    TWIN_CHANGE_REL_DELETE = 4  /**< A relationship removed. */
} twin_change_kind;

/** @brief When a change hook is called. Values fixed forever. @since 1.5 */
typedef enum twin_change_phase {
    /** The change was checked (arguments, validator, memory) and is about to be
        made; the graph is still as it was. Nothing can fail after this call
        but the hooks: a negative status refuses the change. */
    TWIN_CHANGE_BEFORE = 1,
    /** The change is made. The return value is ignored. */
    TWIN_CHANGE_AFTER = 2,
    /** A hook added later refused the change after this one accepted it in
        ::TWIN_CHANGE_BEFORE: the change is not made; undo what the BEFORE
        call did. The return value is ignored. */
    TWIN_CHANGE_CANCELLED = 3
} twin_change_phase;

/** @brief One change, as a change hook sees it. Strings valid during the call.
 *  @since 1.5 */
typedef struct twin_change {
    uint32_t size;        /**< `sizeof(twin_change)` of the library: read only the
                               fields within it (core.h: Structs that grow). */
    uint32_t kind;        /**< A ::twin_change_kind. */
    uint32_t phase;       /**< A ::twin_change_phase. */
    uint32_t reserved_;   /**< Zero. */
    const char *twin_id;  /**< The twin, or the relationship's source. */
    const char *rel_id;   /**< The relationship's id; NULL for a twin change. */
} twin_change;

/**
 * @brief A change hook: called for every change to a twin or relationship,
 *        whichever function makes it. @since 1.5
 *
 * In the spirit of SQLite's update hook: a store (twin_store_create())
 * adds one so that every change reaches the host's storage callbacks,
 * including changes made with the twin_graph_* functions directly; other
 * observers (a gateway publishing twins, a mirror) add their own. Each hook
 * is called with ::TWIN_CHANGE_BEFORE once the change is checked, in the
 * order the hooks were added; if one refuses, the change is not made and
 * those before it are called with ::TWIN_CHANGE_CANCELLED; otherwise the
 * change is made and every hook is called with ::TWIN_CHANGE_AFTER. A
 * change that fails before the hooks (bad argument, validator, out of
 * memory) calls none.
 *
 * Hooks run on the writer's thread, inside the call that changes the
 * graph. They may read the graph through @p g; a write to the graph from a
 * hook, or adding or removing a hook, is refused with ::TWIN_E_STATE.
 * @param ud  The pointer given to twin_graph_add_change_hook().
 * @param g   The graph.
 * @param c   The change and the phase; valid during the call.
 * @return In the ::TWIN_CHANGE_BEFORE phase, a negative status refuses the
 *         change: the graph is left as it was and the call that made the
 *         change returns that status (the graph's error message says a hook
 *         refused it). Otherwise ignored.
 */
typedef twin_status (*twin_graph_change_fn)(void *ud, const twin_graph *g,
                                            const twin_change *c);

/**
 * @brief Add a change hook; hooks are called in the order they were added.
 * @param g   Graph.
 * @param fn  Hook.
 * @param ud  Passed to @p fn; retained.
 * @retval TWIN_OK      Added.
 * @retval TWIN_E_INVAL @p g or @p fn is NULL.
 * @retval TWIN_E_EXISTS This @p fn with this @p ud is already added.
 * @retval TWIN_E_NOMEM Allocation failed; nothing changed.
 * @retval TWIN_E_STATE Called from a change hook.
 * @par Thread safety
 * Writer.
 * @since 1.5
 */
TWIN_API twin_status twin_graph_add_change_hook(twin_graph *g, twin_graph_change_fn fn,
                                                void *ud);

/**
 * @brief Remove a change hook added with the same @p fn and @p ud.
 * @param g   Graph.
 * @param fn  Hook.
 * @param ud  Its pointer.
 * @retval TWIN_OK       Removed.
 * @retval TWIN_E_INVAL  @p g is NULL.
 * @retval TWIN_E_NOTFOUND No such hook.
 * @retval TWIN_E_STATE  Called from a change hook.
 * @par Thread safety
 * Writer.
 * @since 1.5
 */
TWIN_API twin_status twin_graph_remove_change_hook(twin_graph *g, twin_graph_change_fn fn,
                                                   void *ud);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_GRAPH_H */
