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
 * - Out-parameters come first; on failure a pointer out-parameter is set to
 *   NULL.
 * - Strings are UTF-8 and NUL-terminated. Inputs are copied unless a
 *   function says "retained". Returned `const char *` values are borrowed
 *   from the handle until its next mutating call or its destruction.
 * - A public struct that the caller fills starts with a `size` field set to
 *   `sizeof` the struct, so the struct can grow without breaking callers.
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
    TWIN_E_ABI = -7,        /**< A struct's `size` is larger than this library knows. */
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
 * @brief Details of the most recent failed mutating call on a handle.
 *
 * Obtained from a module's `*_last_error()` function, borrowed from the
 * handle. Read-only calls (lookups, iteration) never change it, so that
 * readers can share a handle.
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
