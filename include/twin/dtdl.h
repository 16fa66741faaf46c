/**
 * @file dtdl.h
 * @brief DTDL models: parse, validate and resolve DTDL v2, v3 and v4.
 *
 * A ::twin_models handle is a set of DTDL models (Digital Twins Definition
 * Language, JSON-LD). The host adds documents to it (buffers or files; each
 * one JSON object or an array of them), then seals it with
 * twin_models_resolve(), which checks every reference (`extends`, schema
 * and Component references, elements listed by DTMI), asking an optional
 * resolver callback for the DTMIs that are referenced and not yet defined.
 * A Relationship's `target` is an identifier, not a reference: as in the
 * official parser it may name an Interface defined nowhere (it is linked
 * when defined, and twin_dtdl_link() then returns it).
 * A resolved set is immutable: any number of threads may read it at once,
 * and a graph may validate twins against it (twin_models_validator()).
 *
 * Each call that reads documents either adds all of them or none: when a
 * document breaks a rule, the set keeps exactly what it had before the call,
 * and the call's diagnostics (twin_models_diag()) list every error found,
 * each with a stable code, a message, the source name, the JSON pointer of
 * the offending element and its line and column.
 *
 * Error codes are the official DTDL parser's validation identifiers without
 * their `dtmi:dtdl:parsingError:` prefix (e.g. `invalidId`, `badType`);
 * codes of rules the official parser names otherwise start with `twin.`.
 *
 * @par Elements
 * The parsed model is reached through ::twin_dtdl_elem pointers: Interfaces,
 * their contents (Telemetry, Property, Command, Relationship, Component),
 * command payloads, and schemas (primitive, Array, Enum, Map, Object, and
 * their parts). Element pointers and the strings they return are owned by
 * the set and valid until twin_models_destroy().
 *
 * @par Limits
 * Documents are untrusted input: every limit below is enforced, with the
 * status and diagnostic code given, and leaves the set as it was (the add
 * call adds nothing).
 * - Text: at most @c max_document_bytes (default 16 MiB, at most
 *   ::TWIN_MODELS_DOCUMENT_MAX) a call: ::TWIN_E_RANGE before it is read.
 *   UTF-8 and strict JSON (RFC 8259), else ::TWIN_E_PARSE (`twin.notUtf8`,
 *   `twin.jsonSyntax`). Arrays and objects nest at most 512 deep
 *   (::TWIN_E_PARSE, `twin.jsonTooDeep`). Strings, numbers, and the items
 *   and members of a container are bounded by the text alone.
 * - DTDL's own limits, per version (::TWIN_E_CONSTRAINT, the official
 *   parser's codes): an Interface's `@id` and the DTMIs of `extends` and
 *   `target` at most 128 characters, other DTMIs 2048 (v2) or 4096 (v3,
 *   v4); names 64 (v2) or 512 characters; `displayName` 64 (v2) or 512,
 *   `description` and `comment` 512 (`description` 4096 under the onvif
 *   limit extension); complex schemas nested 5 deep (v2, v3) or 8 (v4;
 *   24 under onvif, 12 under aio); `extends` 10 levels deep (v2, v3) or 12
 *   (v4), at most 1024 Interfaces in a hierarchy (`twin.extendsTooMany`);
 *   in v2 also 2 Interfaces in one `extends`, 300 contents in an Interface
 *   (with those it extends), 30 fields in an Object, 100 values in an Enum
 *   and a `maxMultiplicity` of 500.
 * - libtwin's: at most 100000 elements in one document
 *   (`excessiveDepthWide`); at most 1000 languages in one `displayName` or
 *   `description` (`twin.tooManyLanguages`); at most 8 extension contexts
 *   whose vocabulary libtwin models (mqtt, requirement, iotcentral,
 *   iotoperations) in force at once, each naming counted
 *   (`twin.tooManyContexts`).
 * - A diagnostic's JSON pointer holds at most 4095 bytes: a longer one is
 *   cut to the deepest ancestor whose pointer fits (its line and column are
 *   that ancestor's).
 *
 * @par Thread safety
 * Adding and resolving are writers: one thread per set, with no reader of
 * that set. Different sets share nothing: they may be filled and resolved
 * in different threads at the same time. Once twin_models_resolve() has
 * succeeded, every reading function (those taking a `const` pointer) may
 * run in any number of threads at once. (libtwin reads JSON itself into a
 * tree of cJSON nodes allocated from the set's allocator; it calls no
 * cJSON function that parses or allocates, so nothing process-wide is
 * written and cJSON_InitHooks() does not concern it.)
 */
#ifndef TWIN_DTDL_H
#define TWIN_DTDL_H

#include "twin/core.h"
#include "twin/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup dtdl DTDL models
 * @brief Parsing, resolution and lookup of DTDL models.
 * @{
 */

/** @brief A set of DTDL models (opaque). */
typedef struct twin_models twin_models;

/** @brief The largest @c max_document_bytes a set takes (2 GiB - 1 bytes):
 *         the JSON reader counts lengths, items and offsets in 31 bits.
 *         @since 1.7 */
#define TWIN_MODELS_DOCUMENT_MAX ((size_t)0x7fffffff)

/** @brief An element of a model set (opaque, owned by the set). */
typedef struct twin_dtdl_elem twin_dtdl_elem;

/** @cond TWIN_INTERNAL */
/* Declared here too so that this header stands when twin.h includes it
 * before graph.h's declarations are complete. */
struct twin_graph_validator;
struct twin_value;
/** @endcond */

/** @brief Option flags of a model set (::twin_models_options::flags). */
enum twin_models_flag {
    /** Accept `@type` co-types and properties that no loaded context
        defines (the official parser's AllowUndefinedExtensions); by default
        they are errors. */
    TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS = 1u << 0,
    /** Accept the few deviations from the specification that the official
        parser tolerates on request (TolerateSolecismsInParse). */
    TWIN_MODELS_TOLERATE_SOLECISMS = 1u << 1
};

/**
 * @brief Resolver: asked during twin_models_resolve() for DTMIs that are
 *        referenced and not defined.
 *
 * The callback may add the documents that define them with
 * twin_models_add() or twin_models_add_file() on @p m (the only writes
 * allowed on @p m during the call); the errors of those documents join the
 * diagnostics of the resolve call. DTMIs that remain undefined are
 * reported as `twin.unresolvedIdentifier` errors. @p dtmis is valid during
 * the call only.
 *
 * @return ::TWIN_OK (also when it defines none of them); a negative status
 *         ends twin_models_resolve() with that status.
 */
typedef twin_status (*twin_models_resolver)(void *ud, twin_models *m,
                                            const char *const *dtmis, size_t n);

/** @brief Options of twin_models_create(). Initialise with
 *         twin_models_options_init(). */
typedef struct twin_models_options {
    uint32_t size;                /**< `sizeof`, set by twin_models_options_init(). */
    uint32_t flags;               /**< ::twin_models_flag bits; default 0 (strict). */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    /** Highest DTDL version accepted, 2 to 4; default 4. A document whose
        context names a higher version is rejected. */
    int32_t max_dtdl_version;
    uint32_t reserved_;           /**< Zero. */
    /** Largest document accepted, in bytes; default 16 MiB (0 too), at
        most ::TWIN_MODELS_DOCUMENT_MAX (more is refused by
        twin_models_create() with ::TWIN_E_INVAL, since 1.7). Larger input
        is rejected with ::TWIN_E_RANGE before it is parsed. */
    size_t max_document_bytes;
    twin_models_resolver resolver;  /**< NULL: references must be added beforehand. */
    void *resolver_ud;              /**< Passed to @c resolver. */
    /** Limit extensions a document may select (DTDL v4: a context
        `dtmi:dtdl:context;4#limitless` followed by a limits context such as
        `dtmi:dtdl:limits:onvif;1`), each named without its version, e.g.
        "dtmi:dtdl:limits:onvif"; copied at open. NULL: none is acceptable,
        and a document that selects one is rejected
        (`disallowedLimitContext`). Known: onvif (complex schemas 24 levels
        deep, descriptions of 4096 characters) and aio (12 levels). */
    const char *const *acceptable_limits;
    size_t nacceptable_limits;      /**< Entries in @c acceptable_limits. */
} twin_models_options;

/** @brief A diagnostic: one error found in the input. All strings are
 *         owned by the set and valid until its next writing call. */
typedef struct twin_dtdl_diag {
    const char *code;     /**< Stable rule code, e.g. "invalidId". Never NULL. */
    const char *message;  /**< What is wrong and what is expected. Never NULL. */
    const char *source;   /**< Source name given to the add call ("" if none). */
    const char *pointer;  /**< JSON pointer (RFC 6901) of the offending value within
                               its document; "" for the whole document. */
    const char *primary;  /**< DTMI of the element at fault; "" if unknown. */
    const char *secondary; /**< A DTMI the error refers to (e.g. an undefined
                                reference); "" if none. */
    uint32_t document;    /**< Index of the document in the source (0 unless the
                               source is an array of documents). */
    uint32_t line;        /**< 1-based line of the offending value in the source text; 0 if unknown. */
    uint32_t column;      /**< 1-based column, in bytes; 0 if unknown. */
    uint32_t reserved_;   /**< Zero. */
} twin_dtdl_diag;

/**
 * @brief Fill @p o with defaults. Use the twin_models_options_init() macro.
 * @param o    Options to initialise.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      @p o holds defaults.
 * @retval TWIN_E_INVAL @p o is NULL or @p size does not cover @c size and @c flags
 *                      (8 bytes).
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.2
 */
TWIN_API twin_status twin_models_options_init_(twin_models_options *o, size_t size);

/** @brief Initialise options struct @p o with defaults. */
#define twin_models_options_init(o) twin_models_options_init_((o), sizeof *(o))

/**
 * @brief Create an empty model set.
 * @param out  Receives the set; NULL on failure.
 * @param opts Options, copied; NULL: defaults.
 * @retval TWIN_OK      @p *out is ready; free it with twin_models_destroy().
 * @retval TWIN_E_INVAL @p out is NULL or an option is out of range (a
 *                      @c max_document_bytes over ::TWIN_MODELS_DOCUMENT_MAX
 *                      among them, since 1.7).
 * @retval TWIN_E_ABI   A struct's @c size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.5 (the same as twin_models_open() of 1.2, named by the library's
 *        create/destroy pair)
 */
TWIN_API twin_status twin_models_create(twin_models **out, const twin_models_options *opts);

/**
 * @brief Free a model set and every element and string it returned.
 * @param m Set; NULL is a no-op.
 * @since 1.5 (twin_models_close() of 1.2)
 */
TWIN_API void twin_models_destroy(twin_models *m);

/**
 * @brief The 1.2 name of twin_models_create(), kept for 1.x callers.
 *
 * Model sets were "opened" and "closed" before every handle settled on
 * create/destroy (1.5); the pair stays, exactly equivalent, for the life
 * of libtwin.so.1. New code uses twin_models_create().
 * @param out  As twin_models_create().
 * @param opts As twin_models_create().
 * @return As twin_models_create().
 * @since 1.2
 */
TWIN_API twin_status twin_models_open(twin_models **out, const twin_models_options *opts);

/**
 * @brief The 1.2 name of twin_models_destroy(), kept for 1.x callers.
 * @param m Set; NULL is a no-op.
 * @since 1.2
 */
TWIN_API void twin_models_close(twin_models *m);

/**
 * @brief Parse DTDL documents from a buffer and add their models to the set.
 *
 * @p json holds one JSON value: a DTDL document (an object) or an array of
 * documents, UTF-8, optionally starting with a byte-order mark. Every
 * element is checked against the rules of its DTDL version; references to
 * other DTMIs are checked by twin_models_resolve(). On failure nothing of
 * @p json is added and twin_models_diag() lists every error found.
 *
 * @param m      Set, not yet resolved.
 * @param json   Text; not retained; need not be NUL-terminated.
 * @param len    Bytes in @p json.
 * @param source Name reported in diagnostics (e.g. a file name); copied; NULL: "".
 * @retval TWIN_OK         Every model was added.
 * @retval TWIN_E_PARSE    The text is not JSON (RFC 8259, read strictly; a
 *                         `\u` escape must be a UTF-16 character: a lone
 *                         surrogate is refused), or not valid UTF-8.
 * @retval TWIN_E_CONSTRAINT A document breaks a DTDL rule (see the diagnostics).
 * @retval TWIN_E_EXISTS   A DTMI is defined twice (code `duplicateDefinition`).
 * @retval TWIN_E_RANGE    @p len is over @c max_document_bytes.
 * @retval TWIN_E_STATE    The set is resolved (sealed).
 * @retval TWIN_E_INVAL    @p m or @p json is NULL.
 * @retval TWIN_E_NOMEM    Allocation failed.
 * @par Thread safety
 * Writer.
 * @since 1.2
 */
TWIN_API twin_status twin_models_add(twin_models *m, const char *json, size_t len,
                                     const char *source);

/**
 * @brief Read a file and add its documents, as twin_models_add() with the
 *        path as the source name.
 * @param m    Set, not yet resolved.
 * @param path File to read (a regular file); not retained.
 * @retval TWIN_OK   Every model was added.
 * @retval TWIN_E_IO The file cannot be opened or read, or is not a regular file.
 * @retval other     As twin_models_add().
 * @par Thread safety
 * Writer.
 * @since 1.2
 */
TWIN_API twin_status twin_models_add_file(twin_models *m, const char *path);

/**
 * @brief Resolve and seal the set.
 *
 * Checks every reference (asking the resolver for undefined DTMIs), the
 * `extends` hierarchy (no cycle, depth and breadth limits), name clashes
 * between own and inherited contents, and the limits that span
 * Interfaces; then computes each Interface's full contents. On success
 * the set is immutable; on failure it stays open: the host may add the
 * missing documents and resolve again. A resolved set returns ::TWIN_OK.
 *
 * @param m Set.
 * @retval TWIN_OK         The set is sealed.
 * @retval TWIN_E_NOTFOUND A referenced DTMI is defined nowhere (code
 *                         `twin.unresolvedIdentifier`, the DTMI in @c secondary).
 * @retval TWIN_E_CONSTRAINT A rule spanning Interfaces is broken.
 * @retval other           A status the resolver returned, or ::TWIN_E_NOMEM.
 * @par Thread safety
 * Writer.
 * @since 1.2
 */
TWIN_API twin_status twin_models_resolve(twin_models *m);

/**
 * @brief Number of diagnostics of the last add or resolve call.
 * @param m Set; NULL gives 0.
 * @return The count.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API size_t twin_models_diag_count(const twin_models *m);

/**
 * @brief Diagnostic @p i (0-based) of the last add or resolve call.
 * @param m Set.
 * @param i Index, below twin_models_diag_count().
 * @return The diagnostic, valid until the next writing call; NULL when @p m
 *         is NULL or @p i is out of range.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API const twin_dtdl_diag *twin_models_diag(const twin_models *m, size_t i);

/**
 * @brief The set's last error: status and a one-line summary.
 * @param m Set.
 * @return A copy of the record of the last failed call: its status and
 *         message (the message borrowed from @p m); ::TWIN_OK and "" until a
 *         call fails. A success leaves it as it was (core.h: Errors). For
 *         NULL, ::TWIN_E_INVAL.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API twin_error twin_models_last_error(const twin_models *m);

/**
 * @brief Writer for twin_models_save(): called with consecutive pieces of
 *        the binary form.
 * @return ::TWIN_OK to go on; any other status ends the save with it.
 */
typedef twin_status (*twin_models_write_fn)(void *ud, const void *data, size_t n);

/**
 * @brief Write a resolved set in its compact binary form.
 *
 * The form holds every element of the set (no JSON, no diagnostics' source
 * positions) with a CRC-32; twin_models_load() rebuilds the set from it,
 * also on firmware built without the JSON parser. The bytes depend only on
 * the set's content and insertion order, not on the machine (integers are
 * little-endian).
 *
 * @param m     Resolved set.
 * @param write Called for each piece, in order; must not call back into @p m
 *              for writing.
 * @param ud    Passed to @p write.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_STATE @p m is not resolved.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval other        The status @p write returned.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API twin_status twin_models_save(const twin_models *m, twin_models_write_fn write, void *ud);

/**
 * @brief Create a resolved set from its binary form (twin_models_save()).
 *
 * The bytes are checked whole (size, format version, CRC-32, every
 * reference) before anything is built; the set copies what it needs and
 * does not retain @p data. Diagnostics' source names and pointers are empty
 * in a loaded set.
 *
 * @par Limits
 * - The length: the header's counts of string bytes, elements, references,
 *   language pairs and Interfaces (u32 each) must add up to @p len exactly
 *   (::TWIN_E_PARSE otherwise); they bound every section, and what the set
 *   allocates is about four times @p len. The option @c max_document_bytes
 *   (JSON documents) does not apply.
 * - Per element: at most 65535 display names and 65535 descriptions
 *   (languages), ::TWIN_E_RANGE past either.
 * - Strings: bounded by the string section only (every string ends within
 *   it); identifiers are checked unique, not measured.
 * - Nesting: not bounded here (DTDL v4 allows recursive schemas); what walks
 *   a set's schemas bounds itself (twin_dtdl_check_value() and
 *   twin_dtdl_check_json() follow values at most 64 levels deep).
 *
 * @param out  Receives the set; NULL on failure.
 * @param data The binary form.
 * @param len  Bytes at @p data.
 * @param opts Options (the allocator counts; e.g. a ::twin_arena on
 *             firmware); NULL: defaults.
 * @retval TWIN_OK      @p *out is ready and resolved; free it with twin_models_destroy().
 * @retval TWIN_E_PARSE The bytes are not a valid binary form of this format
 *                      version (truncated, corrupted, other version).
 * @retval TWIN_E_RANGE An element has more than 65535 display names or
 *                      descriptions (since 1.7.0; before, their count was
 *                      cut to 16 bits).
 * @retval TWIN_E_INVAL @p out or @p data is NULL, or an option is out of range.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.2
 */
TWIN_API twin_status twin_models_load(twin_models **out, const void *data, size_t len,
                                      const twin_models_options *opts);

/** @name Lookup (resolved sets)
 *  Before twin_models_resolve() has succeeded these find nothing.
 *  @{ */

/**
 * @brief The element with identifier @p dtmi (an Interface, or any element
 *        with an explicit or generated `@id`).
 * @param m    Resolved set.
 * @param dtmi Identifier, NUL-terminated.
 * @return The element, owned by the set; NULL if none (or not resolved).
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API const twin_dtdl_elem *twin_models_find(const twin_models *m, const char *dtmi);

/**
 * @brief Number of Interfaces in the set (including inline ones).
 * @param m Resolved set.
 * @return The count; 0 before resolution.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API size_t twin_models_interface_count(const twin_models *m);

/**
 * @brief Interface @p i, in the order they were added.
 * @param m Resolved set.
 * @param i Index, below twin_models_interface_count().
 * @return The Interface; NULL when out of range.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API const twin_dtdl_elem *twin_models_interface(const twin_models *m, size_t i);

/** @} */

/** @brief Element classes. Values fixed forever. */
typedef enum twin_dtdl_kind {
    TWIN_DTDL_INTERFACE = 1,
    TWIN_DTDL_TELEMETRY = 2,
    TWIN_DTDL_PROPERTY = 3,
    TWIN_DTDL_COMMAND = 4,
    TWIN_DTDL_RELATIONSHIP = 5,
    TWIN_DTDL_COMPONENT = 6,
    TWIN_DTDL_COMMAND_REQUEST = 7,   /**< Also v2's CommandPayload as request. */
    TWIN_DTDL_COMMAND_RESPONSE = 8,  /**< Also v2's CommandPayload as response. */
    TWIN_DTDL_PRIMITIVE = 9,         /**< A primitive schema; see twin_dtdl_primitive(). */
    TWIN_DTDL_ARRAY = 10,
    TWIN_DTDL_ENUM = 11,
    TWIN_DTDL_MAP = 12,
    TWIN_DTDL_OBJECT = 13,
    TWIN_DTDL_FIELD = 14,
    TWIN_DTDL_ENUM_VALUE = 15,
    TWIN_DTDL_MAP_KEY = 16,
    TWIN_DTDL_MAP_VALUE = 17
} twin_dtdl_kind;

/** @brief Primitive schemas. Values fixed forever. */
typedef enum twin_dtdl_primitive {
    TWIN_DTDL_NOT_PRIMITIVE = 0,  /**< Not a primitive schema. */
    TWIN_DTDL_BOOLEAN = 1,
    TWIN_DTDL_DATE = 2,
    TWIN_DTDL_DATETIME = 3,
    TWIN_DTDL_DOUBLE = 4,
    TWIN_DTDL_DURATION = 5,
    TWIN_DTDL_FLOAT = 6,
    TWIN_DTDL_INTEGER = 7,
    TWIN_DTDL_LONG = 8,
    TWIN_DTDL_STRING = 9,
    TWIN_DTDL_TIME = 10,
    TWIN_DTDL_BYTE = 11,             /**< v4 */
    TWIN_DTDL_BYTES = 12,            /**< v4 */
    TWIN_DTDL_DECIMAL = 13,          /**< v4 */
    TWIN_DTDL_SHORT = 14,            /**< v4 */
    TWIN_DTDL_UNSIGNED_BYTE = 15,    /**< v4 */
    TWIN_DTDL_UNSIGNED_SHORT = 16,   /**< v4 */
    TWIN_DTDL_UNSIGNED_INTEGER = 17, /**< v4 */
    TWIN_DTDL_UNSIGNED_LONG = 18,    /**< v4 */
    TWIN_DTDL_UUID = 19,             /**< v4 */
    TWIN_DTDL_POINT = 20,            /**< Geospatial (GeoJSON). */
    TWIN_DTDL_MULTI_POINT = 21,
    TWIN_DTDL_LINE_STRING = 22,
    TWIN_DTDL_MULTI_LINE_STRING = 23,
    TWIN_DTDL_POLYGON = 24,
    TWIN_DTDL_MULTI_POLYGON = 25
} twin_dtdl_primitive;

/** @brief Single links of an element, for twin_dtdl_link(). Values fixed forever. */
typedef enum twin_dtdl_link_kind {
    /** `schema` of a Telemetry, Property, Field, MapKey, MapValue or command
        payload; the Interface of a Component. */
    TWIN_DTDL_SCHEMA = 1,
    TWIN_DTDL_ELEMENT_SCHEMA = 2,  /**< `elementSchema` of an Array. */
    TWIN_DTDL_VALUE_SCHEMA = 3,    /**< `valueSchema` of an Enum. */
    TWIN_DTDL_MAP_KEY_OF = 4,      /**< `mapKey` of a Map. */
    TWIN_DTDL_MAP_VALUE_OF = 5,    /**< `mapValue` of a Map. */
    TWIN_DTDL_REQUEST = 6,         /**< `request` of a Command. */
    TWIN_DTDL_RESPONSE = 7,        /**< `response` of a Command. */
    TWIN_DTDL_TARGET = 8,          /**< `target` Interface of a Relationship. */
    TWIN_DTDL_PARENT = 9           /**< The element this one is defined in; NULL at the top. */
} twin_dtdl_link_kind;

/** @brief Lists of an element, for twin_dtdl_count() and twin_dtdl_at().
 *         Values fixed forever. */
typedef enum twin_dtdl_list_kind {
    /** An Interface's full contents: those of each Interface it extends
        (depth first, in `extends` order, each Interface once), then its own,
        each in declaration order. */
    TWIN_DTDL_CONTENTS = 1,
    TWIN_DTDL_OWN_CONTENTS = 2,  /**< An Interface's own `contents`. */
    TWIN_DTDL_EXTENDS = 3,       /**< The Interfaces an Interface extends directly. */
    TWIN_DTDL_SCHEMAS = 4,       /**< An Interface's reusable `schemas`. */
    TWIN_DTDL_FIELDS = 5,        /**< An Object's fields. */
    TWIN_DTDL_ENUM_VALUES = 6,   /**< An Enum's values. */
    TWIN_DTDL_PROPERTIES = 7     /**< A Relationship's properties. */
} twin_dtdl_list_kind;

/**
 * @name Element accessors
 * Each takes an element of a resolved set and only reads it. A NULL
 * element gives 0, NULL or "" as the function says.
 * @par Thread safety
 * Reader (any number of threads at once on a resolved set).
 * @{
 */

/**
 * @brief The element's class.
 * @param e Element.
 * @return Its ::twin_dtdl_kind; 0 for NULL.
 * @since 1.2
 */
TWIN_API twin_dtdl_kind twin_dtdl_kind_of(const twin_dtdl_elem *e);

/**
 * @brief Its identifier.
 * @param e Element.
 * @return Its `@id`, explicit or generated (e.g.
 *         `dtmi:x:I:_contents:__temp;1`); "" for primitive schemas and NULL.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_id(const twin_dtdl_elem *e);

/**
 * @brief Its name.
 * @param e Element.
 * @return Its `name`; "" for elements without one and for NULL.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_name(const twin_dtdl_elem *e);

/**
 * @brief The DTDL version of the document that defined it.
 * @param e Element.
 * @return 2, 3 or 4; 0 for primitive schemas and NULL.
 * @since 1.2
 */
TWIN_API int twin_dtdl_version(const twin_dtdl_elem *e);

/**
 * @brief Its display name in a language.
 * @param e    Element.
 * @param lang Language code (e.g. "en", "de"); NULL means "en".
 * @return The display name in @p lang; when there is none in that
 *         language, the default or "en" one, else the first given; "" when
 *         it has none.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_display_name(const twin_dtdl_elem *e, const char *lang);

/**
 * @brief Its description in a language, chosen as twin_dtdl_display_name()
 *        chooses.
 * @param e    Element.
 * @param lang Language code; NULL means "en".
 * @return The description; "" when it has none.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_description(const twin_dtdl_elem *e, const char *lang);

/**
 * @brief Its comment.
 * @param e Element.
 * @return The comment; "" when it has none.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_comment(const twin_dtdl_elem *e);

/**
 * @brief The primitive of a primitive schema.
 * @param e Element.
 * @return The ::twin_dtdl_primitive of a ::TWIN_DTDL_PRIMITIVE element;
 *         ::TWIN_DTDL_NOT_PRIMITIVE for any other element and NULL.
 * @since 1.2
 */
TWIN_API twin_dtdl_primitive twin_dtdl_primitive_of(const twin_dtdl_elem *e);

/**
 * @brief The name of a primitive as DTDL spells it.
 * @param p Primitive.
 * @return Its name (e.g. "dateTime"); "" for an unknown value.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_primitive_name(twin_dtdl_primitive p);

/**
 * @brief Follow a single link of an element.
 * @param e    Element.
 * @param link Which link (its meaning depends on the element's class).
 * @return The linked element; NULL when it has none of that kind.
 * @since 1.2
 */
TWIN_API const twin_dtdl_elem *twin_dtdl_link(const twin_dtdl_elem *e,
                                              twin_dtdl_link_kind link);

/**
 * @brief Length of a list of an element.
 * @param e    Element.
 * @param list Which list.
 * @return The number of elements in it; 0 when the element has no such list.
 * @since 1.2
 */
TWIN_API size_t twin_dtdl_count(const twin_dtdl_elem *e, twin_dtdl_list_kind list);

/**
 * @brief An element of a list of an element.
 * @param e    Element.
 * @param list Which list.
 * @param i    Index, below twin_dtdl_count().
 * @return Element @p i of the list; NULL when out of range.
 * @since 1.2
 */
TWIN_API const twin_dtdl_elem *twin_dtdl_at(const twin_dtdl_elem *e,
                                            twin_dtdl_list_kind list, size_t i);

/**
 * @brief Find a content of an Interface by name, among its full contents
 *        (own and inherited).
 * @param iface Interface.
 * @param name  Content name.
 * @return The content; NULL if none (or @p iface is not an Interface).
 * @since 1.2
 */
TWIN_API const twin_dtdl_elem *twin_dtdl_content(const twin_dtdl_elem *iface,
                                                 const char *name);

/**
 * @brief Is one Interface the other or derived from it?
 * @param iface Interface.
 * @param other Interface it may be or extend.
 * @return Nonzero when @p iface is @p other or extends it, directly or not.
 * @since 1.2
 */
TWIN_API int twin_dtdl_is_a(const twin_dtdl_elem *iface, const twin_dtdl_elem *other);

/**
 * @brief Is a Property or Relationship writable?
 * @param e Element.
 * @return Nonzero when it is declared `writable`.
 * @since 1.2
 */
TWIN_API int twin_dtdl_writable(const twin_dtdl_elem *e);

/**
 * @brief A Relationship's multiplicity.
 * @param e   Relationship.
 * @param min Receives `minMultiplicity` (default 0); may be NULL.
 * @param max Receives `maxMultiplicity` (UINT32_MAX when unbounded); may be NULL.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_INVAL @p e is not a Relationship.
 * @since 1.2
 */
TWIN_API twin_status twin_dtdl_multiplicity(const twin_dtdl_elem *e, uint32_t *min,
                                            uint32_t *max);

/**
 * @brief Number of co-types: the `@type` values beside the element's class
 *        (semantic types such as "Temperature", extension types such as
 *        "Historized", and undefined ones where they are allowed).
 * @param e Element.
 * @return The count.
 * @since 1.2
 */
TWIN_API size_t twin_dtdl_cotype_count(const twin_dtdl_elem *e);

/**
 * @brief A co-type, as written.
 * @param e Element.
 * @param i Index, below twin_dtdl_cotype_count().
 * @return The co-type; NULL when out of range.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_cotype(const twin_dtdl_elem *e, size_t i);

/**
 * @brief The semantic type of a Telemetry, Property or Field.
 * @param e Element.
 * @return Its semantic type (e.g. "Temperature"); "" when it has none.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_semantic_type(const twin_dtdl_elem *e);

/**
 * @brief The unit of an element with a semantic type.
 * @param e Element.
 * @return Its `unit` (e.g. "degreeCelsius"); "" when it has none.
 * @since 1.2
 */
TWIN_API const char *twin_dtdl_unit(const twin_dtdl_elem *e);

/**
 * @brief An EnumValue's `enumValue`.
 * @param e   EnumValue.
 * @param str Receives the string value (NULL for an integer one); may be NULL.
 * @param num Receives the integer value (0 for a string one); may be NULL.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_INVAL @p e is not an EnumValue.
 * @since 1.2
 */
TWIN_API twin_status twin_dtdl_enum_value(const twin_dtdl_elem *e, const char **str,
                                          int64_t *num);

/** @} */

/** @brief Checks twin_models_validator() makes; combine with `|`. */
enum twin_models_check {
    /** A twin's model must be an Interface of the set. */
    TWIN_MODELS_CHECK_MODEL = 1u << 0,
    /** A twin's properties must be Properties of its model, each value
        matching the Property's schema. */
    TWIN_MODELS_CHECK_PROPERTIES = 1u << 1,
    /** A relationship's name must be a Relationship of the source's model,
        the target's model must be its `target` or extend it, and its
        properties must match the Relationship's properties. */
    TWIN_MODELS_CHECK_RELATIONSHIPS = 1u << 2,
    TWIN_MODELS_CHECK_ALL = 7u  /**< Every check. */
};

/**
 * @brief Fill a graph validator that checks twins and relationships
 *        against resolved set @p m.
 *
 * Give @p out to twin_graph_options::validator when creating a graph. The
 * set must outlive the graph. Checks not selected in @p checks are not
 * made (for hosts that want speed over strictness). The maximum
 * multiplicity of a Relationship is not checked by the graph hook, which
 * sees one relationship at a time.
 *
 * @param m      Resolved set; retained (read only).
 * @param checks ::twin_models_check bits.
 * @param out    Receives the validator; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK      @p out is filled.
 * @retval TWIN_E_STATE @p m is not resolved.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_ABI   @p out->size is larger than this library's struct.
 * @par Thread safety
 * Reader of @p m; the validator's callbacks are readers too.
 * @since 1.2
 */
TWIN_API twin_status twin_models_validator(const twin_models *m, uint32_t checks,
                                           struct twin_graph_validator *out);

/**
 * @brief Check a twin property value (or a field, map entry, array item
 *        nested in one) against schema @p schema of a resolved set.
 * @param schema A schema element (primitive, Array, Enum, Map, Object).
 * @param v      Value to check.
 * @param msg    Receives why it does not conform (NUL-terminated); may be NULL.
 * @param cap    Bytes at @p msg.
 * @retval TWIN_OK         @p v conforms.
 * @retval TWIN_E_CONSTRAINT It does not.
 * @retval TWIN_E_INVAL    @p schema is not a schema or @p v is NULL.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API twin_status twin_dtdl_check_value(const twin_dtdl_elem *schema,
                                           const struct twin_value *v, char *msg, size_t cap);

/**
 * @brief Check JSON text against schema @p schema (as the official parser's
 *        instance validation does).
 * @param schema A schema element (primitive, Array, Enum, Map, Object).
 * @param json   JSON text; not retained; need not be NUL-terminated.
 * @param len    Bytes in @p json.
 * @param msg    Receives why it does not conform (NUL-terminated); may be NULL.
 * @param cap    Bytes at @p msg.
 * @retval TWIN_OK           The JSON conforms.
 * @retval TWIN_E_CONSTRAINT It does not; why in @p msg.
 * @retval TWIN_E_PARSE      @p json is not JSON.
 * @retval TWIN_E_INVAL      A pointer is NULL or @p schema is not a schema.
 * @retval TWIN_E_NOMEM      Allocation failed.
 * @par Memory
 * The text's tree is scratch memory from the C library's allocator (an
 * element has no allocator of its own), freed before the call returns.
 * @par Thread safety
 * Reader.
 * @since 1.2
 */
TWIN_API twin_status twin_dtdl_check_json(const twin_dtdl_elem *schema, const char *json,
                                          size_t len, char *msg, size_t cap);

/** @brief Parts of a DTMI, from twin_dtmi_parse(). */
typedef struct twin_dtmi_info {
    uint32_t size;          /**< Set by the caller to `sizeof`. */
    uint32_t labels;        /**< Number of path segments (`dtmi:a:b;1` has 2). */
    int64_t major;          /**< Major version; -1 when versionless. */
    int64_t minor;          /**< Minor version; -1 when none. */
    uint32_t path_len;      /**< Bytes of the versionless identifier (`dtmi:a:b`). */
    uint32_t fragment;      /**< Offset of the fragment after '#'; 0 when none. */
    int32_t reserved_id;    /**< Nonzero for a DTMI reserved for DTDL (`dtmi:dtdl:`, `dtmi:standard:`). */
    uint32_t reserved_;     /**< Zero. */
} twin_dtmi_info;

/**
 * @brief Check the syntax of a Digital Twin Model Identifier and split it.
 *
 * Accepts the syntax shared by DTDL v3 and v4: `dtmi:` then path segments
 * separated by ':', each of letters, digits and underscores, not starting
 * with a digit and not ending in an underscore (segments that start with an
 * underscore are the form of identifiers a parser generates, such as
 * `dtmi:x:I:_contents:__temp;1`; the parser refuses them in identifiers a
 * model writes); then optionally ';' and a
 * version (major of 1 to 9 digits without leading zero, optionally '.'
 * and a minor of 1 to 6 digits without leading zero); then optionally '#'
 * and a fragment. DTDL v2's stricter rules (version required) are applied
 * by the parser. The parser's length limits are lower where DTDL says so
 * (identifiers of DTDL v2, 2048 bytes; `extends`, 128).
 *
 * @par Limits
 * At most ::TWIN_MODEL_ID_MAX bytes (4096, DTDL v3's and v4's longest
 * identifier); longer is ::TWIN_E_RANGE (since 1.7.0; before, any length
 * was read, and the offsets in @p out could wrap past 4 GiB).
 *
 * @param dtmi Text, not retained.
 * @param len  Bytes.
 * @param out  Receives the parts when not NULL; its @c size must be set (core.h: Structs that grow).
 * @retval TWIN_OK      Valid.
 * @retval TWIN_E_PARSE Not a DTMI.
 * @retval TWIN_E_RANGE Longer than ::TWIN_MODEL_ID_MAX bytes.
 * @retval TWIN_E_INVAL @p dtmi is NULL, or @p out->size is below 8 bytes.
 * @retval TWIN_E_ABI   @p out->size is larger than this library's struct.
 * @par Thread safety
 * Safe from any thread.
 * @since 1.2
 */
TWIN_API twin_status twin_dtmi_parse(const char *dtmi, size_t len, twin_dtmi_info *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_DTDL_H */
