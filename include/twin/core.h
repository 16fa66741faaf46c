/**
 * @file core.h
 * @brief libtwin core: version, status codes, errors and allocators.
 *
 * What every module shares: status codes, the per-handle error record, the
 * allocator table, the fixed-buffer arena and the version. Every module
 * header includes this one; `twin/twin.h` is the umbrella that includes
 * them all. @since 1.5 (before, these declarations were in `twin/twin.h`,
 * which still provides them).
 *
 * @par Conventions
 * - Functions return a ::twin_status: ::TWIN_OK (0) on success, a negative
 *   code on failure, a positive code for a non-error outcome such as
 *   ::TWIN_DONE. Callers must tolerate codes they do not know.
 * - Handles are made by `*_create()` and freed by `*_destroy()` (NULL is a
 *   no-op). Two pairs are named otherwise: twin_models_open() and
 *   twin_models_close() are the 1.2 names of twin_models_create() and
 *   twin_models_destroy(), kept for 1.x callers; twin_sqlite_open() and
 *   twin_sqlite_close() open and close a database file (see sqlite.h).
 *   `*_init()` functions fill caller storage and need no freeing.
 * - Parameter order: a function that makes something from nothing takes
 *   its result first (`*_create()`, twin_models_load(), twin_sqlite_open(),
 *   twin_health_fusion_fit()), and so does an `*_init()` function the
 *   storage it initialises (`*_options_init_()`, twin_health_init(),
 *   twin_arena_init()). Every other function takes first the handle or the
 *   object it reads or changes (a graph, a state, an element, a text),
 *   then its inputs, then its results (getters and queries such as
 *   twin_graph_get_property(g, twin_id, name, &value)), then, for the
 *   health functions, an optional ::twin_error. One exception: twin_arena_init()
 *   takes the allocator table it fills last, after the arena, its buffer
 *   and capacity. On failure a pointer result is set to NULL (handles,
 *   borrowed strings and values), or left as it was where a function says
 *   so.
 * - Strings are UTF-8 and NUL-terminated. Inputs are copied unless a
 *   function says "retained". Returned `const char *` values are borrowed
 *   from the handle until its next mutating call or its destruction.
 *
 * @par Errors
 * Every handle (graph, model set, impact context, ingest handle, store,
 * SQLite store) keeps one error record: the status and message of its
 * last failed call. The `*_last_error()` functions return it borrowed
 * from the handle (valid until the handle's next call or destruction;
 * twin_models_last_error() returns a copy, as it has since 1.2). A call
 * that succeeds leaves the record as it was, and so does every reading
 * call, so readers never write to a handle; the record reads ::TWIN_OK
 * with message "" only until the first failure. Read it right after the
 * failing call. Calls that fail on their arguments before they reach a
 * handle (a NULL handle, for one) record nothing. The twin_store_*()
 * functions that change the graph record on the graph, as the graph
 * functions do. Functions without a handle (health, DTMI parsing) take an
 * optional `twin_error *` and fill it on failure only.
 *
 * @par Structs that grow
 * A public struct whose first field is `uint32_t size` can grow (fields
 * are only ever appended) without breaking callers compiled against an
 * older header. Its second field is always 32 bits (flags, a count or
 * `reserved_`), and the smallest size accepted is 8 bytes: those two
 * fields. One rule for all:
 * - Structs the caller passes in (options, callback tables, allocator,
 *   validator, resolver, loader, health model, fleet and fusion, retention
 *   policy) carry `sizeof` as the caller compiled it: the library reads
 *   that many bytes, and the fields the caller's struct does not have take
 *   their defaults (those of the `*_options_init()` functions; NULL, zero
 *   or "none" for the rest). This holds for structs reached through a
 *   pointer in another (the @c alloc and @c validator of ::twin_graph_options,
 *   the @c resolver of ::twin_ingest_options, a health model's table...).
 * - Structs the library fills for the caller (stats, info, hits, events,
 *   RUL, relationship views, a validator) carry the caller's `sizeof`: the
 *   library writes exactly that many bytes, nothing past them, and
 *   leaves `size` as the caller set it (it is the number of bytes
 *   written). A few functions fill a struct whose `size` the caller did
 *   not have to set (twin_arena_init(), twin_ingest_resolver_from_models(),
 *   twin_ingest_get_health()'s options, twin_health_fusion_fit(),
 *   twin_sqlite_callbacks()): they write the struct as it was when the
 *   function was published, later fields only when the caller's `size`
 *   covers them, and set `size` to the bytes written.
 * - A size larger than this library's struct is refused with
 *   ::TWIN_E_ABI (a newer caller on an older library), below 8 bytes with
 *   ::TWIN_E_INVAL; nothing is read or written then.
 * - Structs the library hands to callbacks (::twin_change,
 *   ::twin_impact_hit, ::twin_ingest_event, ::twin_store_signal, the
 *   ::twin_relationship, ::twin_store_twin and ::twin_store_loaded_signal
 *   given to a store's callbacks or loader) carry the library's `sizeof`: a
 *   callback reads (or, for a loader, fills) only the fields that lie
 *   within `size`, which may be smaller than the callback's own struct
 *   when it runs over an older library.
 * - ::twin_health is not a growable struct: it is plain data of a fixed
 *   192 bytes whose `size` marks an initialised state and whose private
 *   layout tag changes with the library's layout; a state of another
 *   layout is refused with ::TWIN_E_ABI rather than read.
 * Arrays of samples are passed with their element size
 * (twin_ingest_write()) and follow their own rule, stated there.
 *
 * @par Thread safety
 * Handles are not locked: one writer, or any number of concurrent readers,
 * per handle. Distinct handles are independent. The library has no mutable
 * global state.
 */
#ifndef TWIN_CORE_H
#define TWIN_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "twin/version.h"

/**
 * @defgroup core Core
 * @brief Version, status codes, errors and allocators.
 * @{
 */

/**
 * @brief Marks a declaration as part of the exported ABI.
 *
 * Everything else in the library has hidden visibility.
 */
#ifndef TWIN_API
#if defined(_WIN32)
#define TWIN_API
#elif defined(__GNUC__) || defined(__clang__)
#define TWIN_API __attribute__((visibility("default")))
#else
#define TWIN_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Result of a libtwin call.
 *
 * Zero is success, negative values are errors, positive values are
 * non-error outcomes. Values are fixed forever; new codes are only appended.
 */
typedef enum twin_status {
    TWIN_OK = 0,            /**< Success. */
    TWIN_DONE = 1,          /**< Iteration has no more items (not an error). */
    TWIN_E_NOMEM = -1,      /**< An allocation failed; the handle is unchanged. */
    TWIN_E_INVAL = -2,      /**< An argument is invalid (NULL, bad UTF-8, bad value). */
    TWIN_E_NOTFOUND = -3,   /**< A named twin, relationship or property does not exist. */
    TWIN_E_EXISTS = -4,     /**< An item with this identifier already exists. */
    TWIN_E_RANGE = -5,      /**< A length, count or capacity limit is exceeded. */
    TWIN_E_PARSE = -6,      /**< Input text could not be parsed. */
    TWIN_E_ABI = -7,        /**< A struct's `size` is larger than this library knows (or a
                                 health state has another library's layout). */
    TWIN_E_CONSTRAINT = -8, /**< The call would break a rule of the data (e.g. a twin that
                                 still has relationships, or a model validation failure). */
    TWIN_E_MODIFIED = -9,   /**< The data changed underneath a read (e.g. a graph written
                                 to from a traversal's callback). @since 1.1 */
    TWIN_E_STATE = -10,     /**< The handle is in a state that forbids the call (e.g. a
                                 sealed model set written to). @since 1.2 */
    TWIN_E_IO = -11,        /**< A file could not be read or written. @since 1.2 */
    TWIN_E_BUSY = -12       /**< Back-pressure: a bounded queue (the storage outbox) is
                                 full; nothing more is accepted until it drains. Retry
                                 after the store confirms (e.g. twin_store_flush()).
                                 @since 1.3 */
} twin_status;

/**
 * @brief Describe a status code.
 * @param s Any value, known or not.
 * @return A static English string; never NULL. Unknown codes give
 *         "unknown status".
 * @par Thread safety
 * Safe from any thread.
 * @since 1.0
 */
TWIN_API const char *twin_strerror(twin_status s);

/**
 * @brief The library's version as "MAJOR.MINOR.PATCH".
 *
 * Compare with ::TWIN_VERSION_STRING to detect a header/library mismatch.
 * @return A static string; never NULL.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.0
 */
TWIN_API const char *twin_version(void);

/**
 * @brief The library's version as a number, MAJOR*10000 + MINOR*100 + PATCH.
 * @return The value of ::TWIN_VERSION_NUMBER the library was built with.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.0
 */
TWIN_API uint32_t twin_version_number(void);

/** @brief Size of the message buffer kept in each handle's error record. */
#define TWIN_ERROR_MESSAGE_MAX 256

/**
 * @brief Details of the most recent failed call on a handle.
 *
 * Obtained from a module's `*_last_error()` function, borrowed from the
 * handle (see Errors in the file's description). Successful calls and
 * read-only calls (lookups, iteration) never change it, so that readers
 * can share a handle.
 */
typedef struct twin_error {
    int32_t status;       /**< A ::twin_status; ::TWIN_OK when no call has failed. */
    uint32_t reserved_;   /**< Zero. */
    const char *message;  /**< What failed and why; "" when none. Never NULL. */
} twin_error;

/**
 * @brief Memory allocation functions, given to a handle at creation.
 *
 * Modelled on Lua's allocator: the library always passes back the size of
 * a block it frees or resizes, so an allocator needs no block headers.
 * Every handle copies this table; @ref twin_allocator::ud must stay valid
 * for as long as any handle created with it.
 */
typedef struct twin_allocator {
    uint32_t size;  /**< Set to `sizeof(twin_allocator)`. */
    uint32_t reserved_;  /**< Zero. */
    /** Allocate @p n > 0 bytes aligned for any type; NULL on failure. */
    void *(*alloc)(void *ud, size_t n);
    /** Resize block @p p of @p old_n bytes to @p new_n > 0 bytes; NULL on
        failure, leaving @p p intact. */
    void *(*realloc)(void *ud, void *p, size_t old_n, size_t new_n);
    /** Free block @p p of @p n bytes. @p p is never NULL. */
    void (*free)(void *ud, void *p, size_t n);
    void *ud;  /**< Passed to each function. */
} twin_allocator;

/**
 * @brief The default allocator: the C library's malloc, realloc and free.
 * @return A pointer to a static, read-only table; never NULL.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.0
 */
TWIN_API const twin_allocator *twin_allocator_default(void);

/**
 * @brief A fixed-buffer allocator for firmware: no heap at all.
 *
 * A bump allocator over a caller-owned buffer. Freeing or resizing the most
 * recently allocated block reclaims or extends it in place; other freed
 * blocks are reclaimed only by twin_arena_reset(). Size the buffer from
 * twin_arena_peak() measured on the target workload.
 *
 * The fields are private: read them only through the functions below.
 */
typedef struct twin_arena {
    unsigned char *base_;  /**< Private. */
    size_t cap_;           /**< Private. */
    size_t used_;          /**< Private. */
    size_t peak_;          /**< Private. */
    size_t last_;          /**< Private. */
} twin_arena;

/**
 * @brief Initialise an arena over @p buf and an allocator table using it.
 * @param a    Arena to initialise (caller storage).
 * @param buf  Buffer of @p cap bytes, retained: it must outlive every
 *             handle created with @p out. Need not be aligned.
 * @param cap  Size of @p buf in bytes.
 * @param out  Filled with an allocator table whose `ud` is @p a.
 * @retval TWIN_OK     @p a and @p out are ready.
 * @retval TWIN_E_INVAL A pointer is NULL; nothing is written.
 * @par Thread safety
 * An arena is not locked; use it from one thread at a time.
 * @since 1.0
 */
TWIN_API twin_status twin_arena_init(twin_arena *a, void *buf, size_t cap,
                                     twin_allocator *out);

/**
 * @brief Forget every allocation: the whole buffer is free again.
 *
 * Only valid once every handle using the arena is destroyed.
 * @param a Arena; NULL is a no-op.
 * @since 1.0
 */
TWIN_API void twin_arena_reset(twin_arena *a);

/**
 * @brief Bytes of the buffer currently in use (including alignment padding).
 * @param a Arena; NULL gives 0.
 * @return Bytes in use.
 * @since 1.0
 */
TWIN_API size_t twin_arena_used(const twin_arena *a);

/**
 * @brief Highest twin_arena_used() seen since initialisation.
 * @param a Arena; NULL gives 0.
 * @return Peak bytes in use.
 * @since 1.0
 */
TWIN_API size_t twin_arena_peak(const twin_arena *a);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* TWIN_CORE_H */
