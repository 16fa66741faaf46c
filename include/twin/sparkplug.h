/**
 * @file sparkplug.h
 * @brief libtwin-mqtt: Sparkplug B 3.0 payloads, topics and sessions, no socket.
 *
 * A separate small library (`libtwin-mqtt`, pkg-config `twin-mqtt`) on the
 * public libtwin API. This header is its lower layer: everything here works
 * on bytes in and bytes out, with a clock the host gives; nothing opens a
 * socket, reads a clock or calls malloc (allocation goes through the
 * handles' ::twin_allocator), so the same code runs in Cortex-M firmware.
 * Host-only parts sit on it: twin_sp_host_bind() mirrors a host
 * session's devices into a graph and an ingest handle,
 * twin_sp_file_store_open() keeps an Edge Node's store and forward in a
 * file, and
 * `twin/sparkplug_mosq.h` connects a session to a broker through
 * libmosquitto (built only where libmosquitto is found).
 *
 * @par Payload codec (twin_sp_decode(), twin_sp_encode())
 * Sparkplug B payloads are Protocol Buffers (proto2) messages. The codec is
 * written by hand for the fields Sparkplug defines (see the closing notes
 * of `docs/architecture.md` for the measurement against protobuf-c):
 * - Decoding fills a ::twin_sp_payload and a caller array of
 *   ::twin_sp_metric, allocating nothing: names, strings and bytes point
 *   into the input buffer (not NUL-terminated: pointer and length), so the
 *   input must outlive what was decoded from it.
 * - Every scalar data type (::twin_sp_datatype 1 to 15: Int8 to UInt64,
 *   Float, Double, Boolean, String, DateTime, Text, UUID), Bytes, File and
 *   the array types (22 to 34, packed little-endian bytes, given as bytes)
 *   are decoded. A metric's PropertySet and MetaData are given as their raw
 *   encoded bytes (checked to lie within the metric); PropertySets decode
 *   with twin_sp_properties_decode(). DataSet and Template values are not
 *   decoded: they are given as the raw bytes of their nested message (by
 *   reference, ::TWIN_SP_FIELD_DATASET, ::TWIN_SP_FIELD_TEMPLATE) and the
 *   encoder writes such raw bytes back as they are; the sessions refuse
 *   them (counted as unsupported).
 * - Anything malformed gives ::TWIN_E_PARSE and, in an optional
 *   ::twin_sp_diag, a static message and the byte offset: a varint longer
 *   than 10 bytes or past the end, a length past the end of its message,
 *   a wire type that is not the field's, groups, field number 0, a value
 *   that its data type cannot hold (an Int8 of 300), a data type above 34.
 *   Unknown fields and extensions are skipped, as Protocol Buffers does.
 * - Integers: Int8, Int16, Int32, UInt8 and UInt16 go in `int_value`
 *   (uint32; negative values as their 32-bit two's complement), Int64,
 *   UInt32, UInt64 and DateTime in `long_value` (uint64). The specification's
 *   table puts UInt32 in `int_value`; Eclipse Tahu (Java, C and JavaScript)
 *   writes it to `long_value`, so the encoder does too, for
 *   interoperability, and the decoder reads any integer type from either
 *   field.
 *
 * @par Topics (twin_sp_topic_parse(), twin_sp_topic_build())
 * `spBv1.0/GROUP/TYPE/NODE[/DEVICE]` and `spBv1.0/STATE/HOST`. Sparkplug
 * forbids `/`, `+` and `#` in group, node and device identifiers. A twin
 * identifier may hold them, so a twin's device identifier is its escaped
 * form: `%` followed by two upper-case hex digits for each of `/`, `+`,
 * `#` and `%` itself (twin_sp_id_escape(), twin_sp_id_unescape()); any
 * other byte is kept. The escaping is a bijection, so a host gets the twin
 * identifier back exactly, and other Sparkplug hosts see a legal device
 * identifier. Group, node and host identifiers are configuration: they are
 * refused (::TWIN_E_INVAL) when they hold a reserved character.
 *
 * @par Sessions
 * ::twin_sp_edge is an Edge Node publishing the twins of a graph and the
 * signals of an ingest handle (a twin is a Device, its signals are Double
 * metrics); ::twin_sp_host is a Host Application tracking Edge Nodes from
 * the messages it receives. Both are state machines: the host feeds them
 * what arrives, asks them what to publish, and gives them the time.
 *
 * @par Thread safety
 * The codec and topic functions are reentrant (no state). A session handle
 * is not locked: one thread at a time per handle.
 */
#ifndef TWIN_SPARKPLUG_H
#define TWIN_SPARKPLUG_H

#include "twin/core.h"
#include "twin/graph.h"
#include "twin/ingest.h"

#ifndef TWIN_SP_API
#if defined(__GNUC__) || defined(__clang__)
/** @brief Marks the exported functions of libtwin-mqtt. */
#define TWIN_SP_API __attribute__((visibility("default")))
#else
#define TWIN_SP_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sparkplug Sparkplug B (libtwin-mqtt)
 * @brief Payload codec, topics, Edge Node and Host Application sessions.
 * @{
 */

/** @brief Sparkplug B data types (the specification's DataType). Values
 *         fixed forever. */
typedef enum twin_sp_datatype {
    TWIN_SP_UNKNOWN = 0,           /**< Absent (DATA messages omit it). */
    TWIN_SP_INT8 = 1,              /**< Signed 8-bit, in `int_value`. */
    TWIN_SP_INT16 = 2,             /**< Signed 16-bit, in `int_value`. */
    TWIN_SP_INT32 = 3,             /**< Signed 32-bit, in `int_value`. */
    TWIN_SP_INT64 = 4,             /**< Signed 64-bit, in `long_value`. */
    TWIN_SP_UINT8 = 5,             /**< Unsigned 8-bit, in `int_value`. */
    TWIN_SP_UINT16 = 6,            /**< Unsigned 16-bit, in `int_value`. */
    TWIN_SP_UINT32 = 7,            /**< Unsigned 32-bit, in `long_value` (as Tahu). */
    TWIN_SP_UINT64 = 8,            /**< Unsigned 64-bit, in `long_value`. */
    TWIN_SP_FLOAT = 9,             /**< IEEE single, `float_value`. */
    TWIN_SP_DOUBLE = 10,           /**< IEEE double, `double_value`. */
    TWIN_SP_BOOLEAN = 11,          /**< `boolean_value`. */
    TWIN_SP_STRING = 12,           /**< UTF-8, `string_value`. */
    TWIN_SP_DATETIME = 13,         /**< Milliseconds since the epoch, `long_value`. */
    TWIN_SP_TEXT = 14,             /**< UTF-8, `string_value`. */
    TWIN_SP_UUID = 15,             /**< UUID as text, `string_value`. */
    TWIN_SP_DATASET = 16,          /**< `dataset_value`: raw bytes only. */
    TWIN_SP_BYTES = 17,            /**< `bytes_value`. */
    TWIN_SP_FILE = 18,             /**< `bytes_value`. */
    TWIN_SP_TEMPLATE = 19,         /**< `template_value`: raw bytes only. */
    TWIN_SP_PROPERTYSET = 20,      /**< Property values only: a nested PropertySet. */
    TWIN_SP_PROPERTYSETLIST = 21,  /**< Property values only: a PropertySetList. */
    TWIN_SP_INT8_ARRAY = 22,       /**< Packed little-endian bytes, `bytes_value`. */
    TWIN_SP_INT16_ARRAY = 23,      /**< Packed little-endian bytes. */
    TWIN_SP_INT32_ARRAY = 24,      /**< Packed little-endian bytes. */
    TWIN_SP_INT64_ARRAY = 25,      /**< Packed little-endian bytes. */
    TWIN_SP_UINT8_ARRAY = 26,      /**< Packed little-endian bytes. */
    TWIN_SP_UINT16_ARRAY = 27,     /**< Packed little-endian bytes. */
    TWIN_SP_UINT32_ARRAY = 28,     /**< Packed little-endian bytes. */
    TWIN_SP_UINT64_ARRAY = 29,     /**< Packed little-endian bytes. */
    TWIN_SP_FLOAT_ARRAY = 30,      /**< Packed little-endian bytes. */
    TWIN_SP_DOUBLE_ARRAY = 31,     /**< Packed little-endian bytes. */
    TWIN_SP_BOOLEAN_ARRAY = 32,    /**< A 4-byte count, then bits. */
    TWIN_SP_STRING_ARRAY = 33,     /**< NUL-terminated strings, one after another. */
    TWIN_SP_DATETIME_ARRAY = 34    /**< Packed little-endian 8-byte milliseconds. */
} twin_sp_datatype;

/** @brief Which protobuf field held a value. Values fixed forever. */
typedef enum twin_sp_field {
    TWIN_SP_FIELD_NONE = 0,             /**< No value. */
    TWIN_SP_FIELD_INT = 1,              /**< `int_value` (uint32). */
    TWIN_SP_FIELD_LONG = 2,             /**< `long_value` (uint64). */
    TWIN_SP_FIELD_FLOAT = 3,            /**< `float_value`. */
    TWIN_SP_FIELD_DOUBLE = 4,           /**< `double_value`. */
    TWIN_SP_FIELD_BOOLEAN = 5,          /**< `boolean_value`. */
    TWIN_SP_FIELD_STRING = 6,           /**< `string_value`. */
    TWIN_SP_FIELD_BYTES = 7,            /**< `bytes_value` (metrics only). */
    TWIN_SP_FIELD_DATASET = 8,          /**< `dataset_value`, raw (metrics only). */
    TWIN_SP_FIELD_TEMPLATE = 9,         /**< `template_value`, raw (metrics only). */
    TWIN_SP_FIELD_PROPERTYSET = 10,     /**< `propertyset_value`, raw (properties only). */
    TWIN_SP_FIELD_PROPERTYSETLIST = 11, /**< `propertysets_value`, raw (properties only). */
    TWIN_SP_FIELD_EXTENSION = 12        /**< `extension_value`, raw; not written back. */
} twin_sp_field;

/** @brief Flags of a ::twin_sp_metric and a ::twin_sp_property. Values
 *         fixed forever. */
enum twin_sp_flag {
    TWIN_SP_HAS_ALIAS = 1u,       /**< @c alias is present. */
    TWIN_SP_HAS_TIMESTAMP = 2u,   /**< @c timestamp is present. */
    TWIN_SP_HAS_DATATYPE = 4u,    /**< @c datatype is present (encode: write it). */
    TWIN_SP_HISTORICAL = 8u,      /**< `is_historical` true. */
    TWIN_SP_TRANSIENT = 16u,      /**< `is_transient` true. */
    TWIN_SP_NULL = 32u,           /**< `is_null` true: no value. */
    TWIN_SP_HAS_PROPERTIES = 64u, /**< @c properties holds an encoded PropertySet. */
    TWIN_SP_HAS_METADATA = 128u   /**< @c metadata holds an encoded MetaData. */
};

/** @brief A metric's or property's number, as its data type reads it. */
typedef union twin_sp_number {
    int64_t i;   /**< Int8 to Int64 (sign-extended). */
    uint64_t u;  /**< UInt8 to UInt64, DateTime, Boolean (0 or 1); also the raw
                      integer of a value whose type is not known yet. */
    double d;    /**< Double. */
    float f;     /**< Float. */
} twin_sp_number;

/**
 * @brief One metric of a payload: decoded (pointers into the input) or to
 *        encode (pointers to the caller's data, read during the call).
 *
 * When @c datatype is known (::TWIN_SP_HAS_DATATYPE, or given later with
 * twin_sp_metric_apply_type()), @c value reads as that type says
 * (@c i for signed integers, @c u for unsigned ones, DateTime and
 * Boolean, @c f, @c d) and @c data / @c len hold strings and bytes. Before
 * that (a DATA message's metric, which carries an alias only), @c field
 * says where the value was and @c value holds it raw.
 */
typedef struct twin_sp_metric {
    const char *name;         /**< Name, @c name_len bytes, not NUL-terminated; NULL: none. */
    uint32_t name_len;        /**< Length of @c name. */
    uint32_t datatype;        /**< A ::twin_sp_datatype; 0: unknown. */
    uint64_t alias;           /**< Alias, when ::TWIN_SP_HAS_ALIAS. */
    uint64_t timestamp;       /**< Milliseconds since the epoch, when ::TWIN_SP_HAS_TIMESTAMP. */
    uint32_t flags;           /**< ::twin_sp_flag bits. */
    uint32_t field;           /**< A ::twin_sp_field: where the value is (decode), or
                                   where to write it when @c datatype is 0 (encode). */
    twin_sp_number value;     /**< Numeric value. */
    const uint8_t *data;      /**< String or bytes value (also DataSet, Template raw). */
    uint32_t len;             /**< Length of @c data. */
    uint32_t properties_len;  /**< Length of @c properties. */
    const uint8_t *properties; /**< Encoded PropertySet (twin_sp_properties_decode()). */
    const uint8_t *metadata;  /**< Encoded MetaData, not interpreted. */
    uint32_t metadata_len;    /**< Length of @c metadata. */
    uint32_t reserved_;       /**< Zero. */
} twin_sp_metric;

/** @brief One property of a PropertySet (keys and values paired by index). */
typedef struct twin_sp_property {
    const char *key;         /**< Key, @c key_len bytes, not NUL-terminated. */
    uint32_t key_len;        /**< Length of @c key. */
    uint32_t datatype;       /**< The value's `type` (a ::twin_sp_datatype, 1-15, 20, 21). */
    uint32_t flags;          /**< ::TWIN_SP_HAS_DATATYPE, ::TWIN_SP_NULL. */
    uint32_t field;          /**< A ::twin_sp_field: where the value is. */
    twin_sp_number value;    /**< Numeric value (as for a metric). */
    const uint8_t *data;     /**< String, or the raw nested PropertySet(List). */
    uint32_t len;            /**< Length of @c data. */
    uint32_t reserved_;      /**< Zero. */
} twin_sp_property;

/** @brief Flags of a ::twin_sp_payload. Values fixed forever. */
enum twin_sp_payload_flag {
    TWIN_SP_PAYLOAD_HAS_TIMESTAMP = 1u, /**< @c timestamp is present. */
    TWIN_SP_PAYLOAD_HAS_SEQ = 2u,       /**< @c seq is present. */
    TWIN_SP_PAYLOAD_HAS_UUID = 4u,      /**< @c uuid is present. */
    TWIN_SP_PAYLOAD_HAS_BODY = 8u       /**< @c body is present. */
};

/** @brief A payload's fields besides its metrics. */
typedef struct twin_sp_payload {
    uint32_t flags;         /**< ::twin_sp_payload_flag bits. */
    uint32_t uuid_len;      /**< Length of @c uuid. */
    uint64_t timestamp;     /**< Milliseconds since the epoch. */
    uint64_t seq;           /**< Sequence number (0-255 in Sparkplug). */
    const char *uuid;       /**< `uuid`, not NUL-terminated. */
    const uint8_t *body;    /**< `body`. */
    uint64_t body_len;      /**< Length of @c body. */
    uint64_t metric_count;  /**< Decode: metrics in the payload. */
} twin_sp_payload;

/** @brief Where and why decoding failed (caller storage; optional). */
typedef struct twin_sp_diag {
    const char *message;  /**< Static English text; "" when nothing failed. */
    uint64_t offset;      /**< Byte offset in the input of the bad element. */
} twin_sp_diag;

/**
 * @brief Decode a Sparkplug B payload.
 *
 * Checks the whole payload, then fills @p out and the first metrics.
 *
 * @par Limits
 * - Metrics: at most @p cap are filled, ::TWIN_E_RANGE past it (the
 *   payload is still checked whole and @c metric_count counted). Nothing is
 *   allocated: the caller's @p cap is the only bound on what is kept.
 * - Lengths (names, strings, bytes, UUID, body, properties, metadata,
 *   DataSet and Template values): each at most 2^32 - 1 bytes and within
 *   its enclosing message, ::TWIN_E_PARSE otherwise; varints at most 10
 *   bytes, field numbers at most 2^29 - 1, data types at most 34.
 * - Nesting: none is followed. A metric's PropertySet, MetaData, DataSet
 *   and Template are given as raw bytes (not decoded here), so no input can
 *   make the decoder recurse; twin_sp_properties_decode() reads one level.
 * - Work: one pass over @p len bytes.
 * @param buf     The payload, @p len bytes; retained by what is decoded
 *                (names, strings and bytes point into it).
 * @param len     Its length.
 * @param out     Receives the payload's fields and @c metric_count.
 * @param metrics Caller array of @p cap metrics (may be NULL when @p cap is 0).
 * @param cap     Its capacity.
 * @param diag    If not NULL, receives the reason and offset of a failure.
 * @retval TWIN_OK      Decoded; @c out->metric_count metrics in @p metrics.
 * @retval TWIN_E_RANGE Well-formed, but more than @p cap metrics:
 *                      @c out->metric_count says how many; the first @p cap
 *                      are filled.
 * @retval TWIN_E_PARSE Malformed (see @p diag); @p out and @p metrics hold
 *                      garbage.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_decode(const void *buf, size_t len, twin_sp_payload *out,
                                       twin_sp_metric *metrics, size_t cap,
                                       twin_sp_diag *diag);

/**
 * @brief Encode a Sparkplug B payload.
 *
 * Writes the fields of @p p that its flags mark present (timestamp, seq,
 * uuid, body) and @p n metrics, in field-number order as Protocol Buffers
 * encoders do. A metric's value is written when it is not
 * ::TWIN_SP_NULL and has a @c field, or a numeric or Boolean data type, or
 * a string, bytes, DataSet or Template type and @c data; its properties and
 * metadata are written as the raw bytes given.
 * @param p    Payload fields; its @c metric_count is ignored.
 * @param m    @p n metrics (NULL when @p n is 0).
 * @param n    Number of metrics.
 * @param buf  Output, @p cap bytes (may be NULL when @p cap is 0).
 * @param cap  Its capacity.
 * @param len  Receives the encoded length, or the length needed.
 * @retval TWIN_OK      Encoded in @c *len bytes.
 * @retval TWIN_E_RANGE @p cap is too small; @c *len is the size needed;
 *                      @p buf holds garbage.
 * @retval TWIN_E_INVAL A pointer is NULL, or a metric cannot be written: a
 *                      data type above 34, a value that its type cannot
 *                      hold, or neither type nor field for a value.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_encode(const twin_sp_payload *p, const twin_sp_metric *m,
                                       size_t n, void *buf, size_t cap, size_t *len);

/**
 * @brief Read a metric's value as data type @p datatype (e.g. the type
 *        its BIRTH gave, for a DATA metric that carries an alias only).
 *
 * Sets @c m->datatype and converts @c m->value from the raw field into the
 * member that type reads (sign-extending Int8 to Int32, checking ranges).
 * @param m        A decoded metric.
 * @param datatype A ::twin_sp_datatype, 1 to 34.
 * @retval TWIN_OK          Done (also for a null or absent value).
 * @retval TWIN_E_CONSTRAINT The value's field or range does not fit the
 *                          type; @p m unchanged.
 * @retval TWIN_E_INVAL     @p m is NULL or @p datatype unknown.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_metric_apply_type(twin_sp_metric *m, uint32_t datatype);

/**
 * @brief A numeric metric's value as a double (integers, Float, Double,
 *        Boolean, DateTime).
 * @param m   A metric whose data type is known.
 * @param out Receives the value.
 * @retval TWIN_OK          Done.
 * @retval TWIN_E_NOTFOUND  The metric is null or has no value.
 * @retval TWIN_E_CONSTRAINT Its type is not numeric (strings, bytes, ...).
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_metric_to_double(const twin_sp_metric *m, double *out);

/**
 * @brief Decode an encoded PropertySet (a metric's @c properties).
 *
 * @par Limits
 * At most @p cap properties are filled (::TWIN_E_RANGE past it, @c *count
 * says how many the set has); keys and values are bounded as twin_sp_decode()
 * bounds lengths. One level is read: a value that is itself a PropertySet or
 * a PropertySetList is given as its raw bytes (decode it with another call),
 * so nesting costs the caller one call per level it chooses to read.
 * @param buf   The encoded set, @p len bytes; retained by the keys and
 *              values decoded.
 * @param len   Its length.
 * @param out   Caller array of @p cap properties (may be NULL when @p cap is 0).
 * @param cap   Its capacity.
 * @param count Receives the number of properties.
 * @param diag  If not NULL, receives the reason and offset of a failure.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_RANGE More than @p cap properties (@c *count says how many).
 * @retval TWIN_E_PARSE Malformed, or keys and values differ in number.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_properties_decode(const void *buf, size_t len,
                                                  twin_sp_property *out, size_t cap,
                                                  size_t *count, twin_sp_diag *diag);

/**
 * @brief Encode a PropertySet (for a metric's @c properties).
 * @param p   @p n properties (their @c datatype says how to write each value).
 * @param n   Number of properties.
 * @param buf Output, @p cap bytes.
 * @param cap Its capacity.
 * @param len Receives the length written or needed.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_RANGE @p cap is too small (@c *len: needed).
 * @retval TWIN_E_INVAL A pointer is NULL or a value does not fit its type.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_properties_encode(const twin_sp_property *p, size_t n,
                                                  void *buf, size_t cap, size_t *len);

/** @brief Sparkplug message types (the topic's verb). Values fixed forever. */
typedef enum twin_sp_msg {
    TWIN_SP_NBIRTH = 1,  /**< Edge Node birth. */
    TWIN_SP_NDEATH = 2,  /**< Edge Node death (the MQTT will). */
    TWIN_SP_DBIRTH = 3,  /**< Device birth. */
    TWIN_SP_DDEATH = 4,  /**< Device death. */
    TWIN_SP_NDATA = 5,   /**< Edge Node data. */
    TWIN_SP_DDATA = 6,   /**< Device data. */
    TWIN_SP_NCMD = 7,    /**< Command to an Edge Node. */
    TWIN_SP_DCMD = 8,    /**< Command to a Device. */
    TWIN_SP_STATE = 9    /**< Host Application state. */
} twin_sp_msg;

/** @brief A parsed topic: pointers into the topic string. */
typedef struct twin_sp_topic {
    int32_t type;           /**< A ::twin_sp_msg. */
    uint32_t group_len;     /**< Length of @c group (0 for STATE). */
    const char *group;      /**< Group identifier; NULL for STATE. */
    const char *node;       /**< Edge Node identifier, or the host identifier of STATE. */
    uint32_t node_len;      /**< Length of @c node. */
    uint32_t device_len;    /**< Length of @c device (0: none). */
    const char *device;     /**< Device identifier (escaped form); NULL when absent. */
} twin_sp_topic;

/** @brief The Sparkplug B namespace, the first topic level. */
#define TWIN_SP_NAMESPACE "spBv1.0"

/** @brief Longest topic twin_sp_topic_parse() reads, in bytes: MQTT's limit
 *         on a topic name. @since 1.7 */
#define TWIN_SP_TOPIC_MAX 65535

/**
 * @brief Parse a Sparkplug B topic.
 * @param topic The topic, @p len bytes; retained by @p out's pointers.
 * @param len   Its length.
 * @param out   Receives the parts.
 * @par Limits
 * @p len at most ::TWIN_SP_TOPIC_MAX (65535, MQTT's limit on a topic
 * name), ::TWIN_E_RANGE past it; then at most 5 levels (::TWIN_E_PARSE).
 * @retval TWIN_OK      Parsed: a known type, the device present exactly for
 *                      DBIRTH, DDEATH, DDATA and DCMD, non-empty identifiers
 *                      without `+`, `#` or NUL, valid UTF-8.
 * @retval TWIN_E_PARSE Not a Sparkplug B topic of that form.
 * @retval TWIN_E_RANGE @p len is over ::TWIN_SP_TOPIC_MAX (since 1.7.0).
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_topic_parse(const char *topic, size_t len, twin_sp_topic *out);

/**
 * @brief Build a topic, NUL-terminated.
 * @param buf    Output, @p cap bytes.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the length without the NUL.
 * @param type   A ::twin_sp_msg.
 * @param group  Group identifier (ignored for STATE).
 * @param node   Edge Node identifier, or the host identifier for STATE.
 * @param device Device identifier (already escaped) for the device types;
 *               NULL for the others.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_RANGE @p cap is too small (@c *needed + 1 bytes needed).
 * @retval TWIN_E_INVAL An identifier is missing, empty, not UTF-8, or holds
 *                      `/`, `+` or `#`; or a device is given for a type
 *                      that has none, or missing for one that needs it.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_topic_build(char *buf, size_t cap, size_t *needed,
                                            twin_sp_msg type, const char *group,
                                            const char *node, const char *device);

/**
 * @brief Escape an identifier for a topic level: `/`, `+`, `#` and `%`
 *        become `%2F`, `%2B`, `%23` and `%25`.
 * @param buf    Output, @p cap bytes, NUL-terminated.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the escaped length without the NUL.
 * @param id     Identifier, @p len bytes.
 * @param len    Its length.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_RANGE @p cap is too small.
 * @retval TWIN_E_INVAL A pointer is NULL, or @p id is empty or holds a NUL.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_id_escape(char *buf, size_t cap, size_t *needed,
                                          const char *id, size_t len);

/**
 * @brief Undo twin_sp_id_escape().
 * @param buf    Output, @p cap bytes, NUL-terminated.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the length without the NUL.
 * @param id     Escaped identifier, @p len bytes.
 * @param len    Its length.
 * @retval TWIN_OK      Written.
 * @retval TWIN_E_RANGE @p cap is too small.
 * @retval TWIN_E_PARSE A `%` not followed by the escape of `/`, `+`, `#` or
 *                      `%` (so each identifier has one escaped form).
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @par Thread safety Reentrant.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_id_unescape(char *buf, size_t cap, size_t *needed,
                                            const char *id, size_t len);

/** @brief A message to publish, built in the caller's buffer. */
typedef struct twin_sp_message {
    int32_t type;            /**< A ::twin_sp_msg. */
    uint32_t qos;            /**< MQTT QoS to publish with (0 or 1). */
    uint32_t retain;         /**< MQTT retain flag (0 or 1). */
    uint32_t payload_len;    /**< Length of @c payload. */
    const char *topic;       /**< NUL-terminated, at the start of the buffer. */
    const uint8_t *payload;  /**< In the buffer, after the topic. */
} twin_sp_message;

/** @brief An Edge Node session (opaque). */
typedef struct twin_sp_edge twin_sp_edge;

/** @brief Options of twin_sp_edge_create(). Initialise with
 *         twin_sp_edge_options_init(). */
typedef struct twin_sp_edge_options {
    uint32_t size;                /**< `sizeof`, set by twin_sp_edge_options_init(). */
    uint32_t flags;               /**< Zero. */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    const char *group_id;         /**< Sparkplug Group ID, copied (required). */
    const char *node_id;          /**< Edge Node ID, copied (required). */
    /** The bdSeq of the first session (0-255; default 0). A node that
        restarts gives the value after the last one it used. */
    uint32_t bdseq;
    uint32_t reserved_;           /**< Zero. */
} twin_sp_edge_options;

/** @brief Counters of an Edge Node session. */
typedef struct twin_sp_edge_stats {
    uint32_t size;           /**< Set by the caller to `sizeof(twin_sp_edge_stats)`. */
    uint32_t devices;        /**< Devices (twins with signals) born now. */
    uint64_t published[10];  /**< Messages produced, by ::twin_sp_msg (index). */
    uint64_t metrics;        /**< Metrics in DBIRTH and DDATA messages. */
    uint64_t rebirths;       /**< Rebirth requests obeyed. */
    uint64_t refused;        /**< NCMD and DCMD refused (not a rebirth). */
    uint64_t malformed;      /**< Commands that did not decode. */
} twin_sp_edge_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_sp_edge_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done (group and node still to set).
 * @retval TWIN_E_INVAL @p o is NULL or @p size too small.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_options_init_(twin_sp_edge_options *o, size_t size);
/** @brief Initialise Edge Node options @p o with defaults. */
#define twin_sp_edge_options_init(o) twin_sp_edge_options_init_((o), sizeof *(o))

/**
 * @brief Create an Edge Node publishing the twins of @p g that have
 *        signals in @p ing.
 *
 * Each twin with at least one signal is a Device (its identifier escaped
 * with twin_sp_id_escape()); each signal is a Double metric named as the
 * signal, with an alias unique in the node, its unit as the property
 * `engUnit`, and its latest value (null before the first sample).
 * @param out  Receives the handle; NULL on failure.
 * @param g    Graph (retained: it must outlive the handle).
 * @param ing  Ingest handle over @p g (retained).
 * @param o    Options (group and node required).
 * @retval TWIN_OK      Created; call twin_sp_edge_connect() next.
 * @retval TWIN_E_INVAL A pointer is NULL, an identifier is missing or not a
 *                      legal topic level, or @c bdseq is above 255.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_create(twin_sp_edge **out, const twin_graph *g,
                                            const twin_ingest *ing,
                                            const twin_sp_edge_options *o);

/**
 * @brief Destroy an Edge Node session.
 * @param e Handle; NULL is a no-op.
 * @since 1.5
 */
TWIN_SP_API void twin_sp_edge_destroy(twin_sp_edge *e);

/**
 * @brief Start a session, before each MQTT CONNECT: gives the NDEATH to set
 *        as the connection's will (QoS 1, not retained).
 *
 * The first call uses the bdSeq of the options; each later one the next
 * (255 wraps to 0). The session's next messages are the NBIRTH (seq 0)
 * and a DBIRTH per device. Publish the same NDEATH yourself before a clean
 * DISCONNECT (twin_sp_edge_death() builds it again).
 * @param e      Handle.
 * @param msg    Receives the will.
 * @param buf    Buffer for its topic and payload, @p cap bytes.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the bytes the message takes.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_RANGE @p cap is too small; nothing changed.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_connect(twin_sp_edge *e, twin_sp_message *msg, void *buf,
                                             size_t cap, size_t *needed);

/**
 * @brief The NDEATH of the current session (the will twin_sp_edge_connect()
 *        gave), to publish before a clean disconnect.
 * @param e      Handle.
 * @param msg    Receives the message.
 * @param buf    Buffer, @p cap bytes.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the bytes the message takes.
 * @retval TWIN_OK      Done; the session ends (connect again to publish).
 * @retval TWIN_E_RANGE @p cap is too small; nothing changed.
 * @retval TWIN_E_STATE No session was started.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_death(twin_sp_edge *e, twin_sp_message *msg, void *buf,
                                           size_t cap, size_t *needed);

/**
 * @brief The next message to publish, or ::TWIN_DONE.
 *
 * In order: the NBIRTH after a connect or a rebirth request; a DDEATH for
 * each device whose twin left the graph or lost its signals; a DBIRTH for
 * each device not born in this session or whose signals changed; a DDATA
 * for each device with samples newer than those it published (by alias,
 * with each sample's timestamp). Every message but the NDEATH carries the
 * next seq (0-255, wrapping); all are QoS 0, not retained. Call it until
 * ::TWIN_DONE after ingest writes; the call that starts a round reads the
 * graph and the ingest handle (O(signals)). With a primary host
 * (twin_sp_edge_set_primary_host()) that is not online it gives
 * ::TWIN_DONE at once (and with a store, stores the round's DATA); with a
 * store, the stored records go out as historical DDATA after the births,
 * before live DDATA (see "Primary Host Application and store and forward").
 * @param e      Handle.
 * @param now_us The host's clock (microseconds since the epoch): the
 *               payload timestamp.
 * @param msg    Receives the message.
 * @param buf    Buffer, @p cap bytes.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the bytes the message takes.
 * @retval TWIN_OK      @p msg is ready: publish it.
 * @retval TWIN_DONE    Nothing to publish.
 * @retval TWIN_E_RANGE @p cap is too small for the next message; nothing
 *                      changed: call again with @c *needed bytes.
 * @retval TWIN_E_STATE No session was started.
 * @retval TWIN_E_NOMEM Allocation failed; nothing changed.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_next(twin_sp_edge *e, int64_t now_us, twin_sp_message *msg,
                                          void *buf, size_t cap, size_t *needed);

/**
 * @brief Hand the session an NCMD or DCMD that arrived, or its primary
 *        host's STATE.
 *
 * An NCMD with `Node Control/Rebirth` true makes the next messages a new
 * NBIRTH and DBIRTHs (same bdSeq). Every other command (writes) is refused
 * and counted: the edge is read-only. A STATE on the topic of the primary
 * host (twin_sp_edge_set_primary_host()) updates whether it is online
 * (::TWIN_OK; a STATE older than the last one is ignored and counted);
 * one whose JSON is not `{"online":BOOL,"timestamp":MS}` is
 * ::TWIN_E_PARSE, counted as malformed.
 *
 * @par Limits
 * Nothing is kept or allocated from what arrives: a command's payload is
 * read one metric at a time (bounded as by twin_sp_decode()), a STATE in
 * one pass (its timestamp at most 2^64 - 1 ms, ::TWIN_E_PARSE past it). A
 * topic over ::TWIN_SP_TOPIC_MAX bytes is no command to this node
 * (::TWIN_E_NOTFOUND).
 * @param e       Handle.
 * @param topic   Topic, @p tlen bytes.
 * @param tlen    Its length.
 * @param payload Payload, @p plen bytes.
 * @param plen    Its length.
 * @retval TWIN_OK          A rebirth was requested, or a STATE was taken.
 * @retval TWIN_E_CONSTRAINT A command other than a rebirth: refused, counted.
 * @retval TWIN_E_PARSE     The topic or payload is malformed: counted.
 * @retval TWIN_E_NOTFOUND  Not a command to this node (counted nowhere).
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_receive(twin_sp_edge *e, const char *topic, size_t tlen,
                                             const void *payload, size_t plen);

/**
 * @brief The session's counters.
 * @param e   Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is too small.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_edge_get_stats(const twin_sp_edge *e, twin_sp_edge_stats *out);

/**
 * @name Primary Host Application and store and forward (Edge Node)
 *
 * An Edge Node given a Primary Host Application (twin_sp_edge_set_primary_host())
 * follows that host's STATE (`spBv1.0/STATE/HOST`, JSON
 * `{"online":BOOL,"timestamp":MS}`, retained, QoS 1): it publishes no
 * NBIRTH before the host says it is online (specification 3.0,
 * [tck-id-message-flow-edge-node-birth-publish-phid-wait]), and while the
 * host says it is offline it publishes nothing; when the host says it is
 * online again, the node is born again (NBIRTH, DBIRTHs, same bdSeq). A
 * STATE whose timestamp is older than the last one seen is ignored (a stale
 * retained message). Unlike the specification's multi-server rule, the node
 * keeps its MQTT session while the host is away (one broker: there is no
 * other server to move to).
 *
 * With a store (twin_sp_edge_set_store()), nothing the node would have
 * published as DATA while it cannot publish is lost: while the host is
 * offline (twin_sp_edge_next()), or while the broker link is down
 * (twin_sp_edge_hold(), which the libmosquitto client calls), each DDATA
 * the node would have sent becomes a record appended to the store: the
 * twin identifier, and per sample its signal name, timestamp and value
 * (names, not aliases, so records outlive the session and the process).
 * The samples are those newer than the last round's that the ingest handle
 * still knows (twin_ingest_get_history()): with a signal history
 * (::twin_signal_options @c history) every sample written between two
 * rounds, up to that many; without one, the latest of each round.
 * The next births are preceded by one last such round, then, after the
 * NBIRTH and DBIRTHs, the records go out in the order they were stored,
 * one DDATA each with `is_historical` true on every metric (aliases of the
 * new session), before any live DDATA. A record is confirmed to the store
 * (dropped from it) when the call after the one that gave its message
 * comes (the message was taken, so published); a record handed out just
 * before the connection broke is sent again after the next births (the
 * host's ingest drops it as an exact duplicate). A record whose twin or
 * signal is no longer the node's is counted (@c orphaned) and confirmed.
 * A store that refuses a record as full (::TWIN_E_BUSY) refuses those
 * samples: they are counted (@c refused_records, @c refused_samples) and
 * never sent; what a store accepted is never dropped by the node.
 * @{
 */

/** @brief twin_sp_store read cursor: the oldest record not confirmed. */
#define TWIN_SP_STORE_FIRST 0u

/**
 * @brief A store-and-forward store: an ordered queue of opaque records,
 *        the host's storage behind three callbacks. Copied by
 *        twin_sp_edge_set_store(); @c ud retained.
 *
 * Cursors are the store's own positions (e.g. byte offsets), opaque to
 * the node, increasing with each record; ::TWIN_SP_STORE_FIRST names the
 * oldest record not confirmed. A store that persists its records (as
 * twin_sp_file_store_open()'s does) keeps them across a restart of the
 * process: the node then forwards them in its first session.
 */
typedef struct twin_sp_store {
    uint32_t size;          /**< Set to `sizeof(twin_sp_store)`. */
    uint32_t reserved_;     /**< Zero. */
    /** Append one record of @p len bytes (copied). Return ::TWIN_OK,
        ::TWIN_E_BUSY when full (the record is refused, nothing changed), or
        another negative status on failure (the node tries again later). */
    twin_status (*append)(void *ud, const void *rec, size_t len);
    /** Read the record at @p cursor (or the first after it) into @p buf of
        @p cap bytes: ::TWIN_OK with @c *len its length and @c *next the
        cursor after it; ::TWIN_DONE when there is none; ::TWIN_E_RANGE
        when @p cap is too small (@c *len: the bytes needed). */
    twin_status (*read)(void *ud, uint64_t cursor, void *buf, size_t cap, size_t *len,
                        uint64_t *next);
    /** Every record before @p cursor (a @c next that read() gave) was
        forwarded: the store may drop them. */
    twin_status (*confirm)(void *ud, uint64_t cursor);
    void *ud;               /**< Passed to each callback. */
} twin_sp_store;

/** @brief Store-and-forward counters of an Edge Node
 *         (twin_sp_edge_get_sf_stats()). */
typedef struct twin_sp_edge_sf_stats {
    uint32_t size;              /**< Set by the caller to `sizeof(twin_sp_edge_sf_stats)`. */
    uint32_t host_online;       /**< 1 when the primary host's last STATE said online
                                     (or no primary host is set), else 0. */
    uint64_t host_timestamp;    /**< Timestamp of the last STATE accepted (0: none). */
    uint64_t states;            /**< STATE messages of the primary host accepted. */
    uint64_t stale_states;      /**< STATE messages ignored: older than the last one. */
    uint64_t stored_records;    /**< Records the store accepted. */
    uint64_t stored_samples;    /**< Samples in them. */
    uint64_t refused_records;   /**< Records the store refused as full (::TWIN_E_BUSY). */
    uint64_t refused_samples;   /**< Samples in them: never sent. */
    uint64_t store_errors;      /**< Store calls that failed otherwise (retried). */
    uint64_t forwarded_records; /**< Records sent as historical DDATA. */
    uint64_t forwarded_samples; /**< Historical metrics sent. */
    uint64_t orphaned;          /**< Stored samples whose twin or signal is gone
                                     (or a record that did not decode): not sent. */
} twin_sp_edge_sf_stats;

/**
 * @brief Make the node wait for and follow a Primary Host Application.
 *
 * Subscribe to `spBv1.0/STATE/HOST` (QoS 1) after each CONNACK (the
 * libmosquitto client does, from the connection after this call: set it
 * before the first one) and hand what arrives to twin_sp_edge_receive().
 * After each twin_sp_edge_connect() the host counts as offline until its
 * STATE says otherwise.
 * @param e       Handle.
 * @param host_id Host Application ID, copied; NULL: none (publish at once).
 * @retval TWIN_OK      Set.
 * @retval TWIN_E_INVAL @p e is NULL or @p host_id is not a legal topic level.
 * @retval TWIN_E_NOMEM Allocation failed; unchanged.
 * @par Thread safety Writer on @p e.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_edge_set_primary_host(twin_sp_edge *e, const char *host_id);

/**
 * @brief Give the node a store-and-forward store.
 * @param e     Handle.
 * @param store Callbacks, copied (@c ud retained: it must outlive @p e);
 *              NULL: none.
 * @retval TWIN_OK      Set; its records (if any) are forwarded after the
 *                      next births. Records are matched to the node's
 *                      devices and metrics by twin id and signal name when
 *                      they are forwarded: after a restart, declare the
 *                      signals before the first births, or their records
 *                      count as orphaned.
 * @retval TWIN_E_INVAL @p e is NULL or a callback is missing.
 * @retval TWIN_E_ABI   @p store->size is unknown.
 * @par Thread safety Writer on @p e.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_edge_set_store(twin_sp_edge *e, const twin_sp_store *store);

/**
 * @brief While the broker link is down: append what the node would
 *        publish as DATA to its store, publishing nothing.
 *
 * Call it after ingest writes while not connected (the libmosquitto
 * client does, in twin_sp_mosq_loop()). Reads the graph and the ingest
 * handle (O(signals)), as the first call of a round of twin_sp_edge_next().
 * @param e      Handle.
 * @param now_us The host's clock, microseconds (unused for now; given for
 *               symmetry with twin_sp_edge_next()).
 * @retval TWIN_OK      Records were stored.
 * @retval TWIN_DONE    Nothing new to store.
 * @retval TWIN_E_BUSY  The store refused records as full: those samples are
 *                      counted as refused and dropped.
 * @retval TWIN_E_STATE No store is set.
 * @retval TWIN_E_NOMEM Allocation failed; nothing lost (tried again later).
 * @retval TWIN_E_INVAL @p e is NULL.
 * @par Thread safety Writer on @p e.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_edge_hold(twin_sp_edge *e, int64_t now_us);

/**
 * @brief The node's primary host and store-and-forward counters.
 * @param e   Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is too small.
 * @par Thread safety Reader.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_edge_get_sf_stats(const twin_sp_edge *e,
                                                  twin_sp_edge_sf_stats *out);

/** @brief A bounded store-and-forward store in one file (opaque; host
 *         builds only, not the firmware's). */
typedef struct twin_sp_file_store twin_sp_file_store;

/** @brief Flags of ::twin_sp_file_store_options. Values fixed forever. */
enum twin_sp_file_store_flag {
    /** fdatasync() after each append: records survive a power loss, not
        only a crash of the process (much slower on a disk). Confirms are
        not synced: one lost to a power loss sends its records again, which
        a host drops as exact duplicates. */
    TWIN_SP_FILE_STORE_SYNC = 1u
};

/** @brief Options of twin_sp_file_store_open(). Initialise with
 *         twin_sp_file_store_options_init(). */
typedef struct twin_sp_file_store_options {
    uint32_t size;                /**< `sizeof`, set by twin_sp_file_store_options_init(). */
    uint32_t flags;               /**< ::twin_sp_file_store_flag bits; default 0. */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    /** Bound on the records not confirmed, bytes (each record takes 8
        more); default 64 MiB. Appending past it is refused (::TWIN_E_BUSY). */
    uint64_t max_bytes;
} twin_sp_file_store_options;

/** @brief Counters of a file store. */
typedef struct twin_sp_file_store_stats {
    uint32_t size;       /**< Set by the caller to `sizeof(twin_sp_file_store_stats)`. */
    uint32_t reserved_;  /**< Zero. */
    uint64_t records;    /**< Records held (not confirmed). */
    uint64_t bytes;      /**< Their bytes, with the 8-byte record headers. */
    uint64_t max_bytes;  /**< The bound. */
    uint64_t appended;   /**< Records appended by this handle. */
    uint64_t refused;    /**< Appends refused as full. */
    uint64_t confirmed;  /**< Records confirmed by this handle. */
    uint64_t truncated;  /**< Bytes of a torn last record dropped at open. */
} twin_sp_file_store_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_sp_file_store_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size too small.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_file_store_options_init_(twin_sp_file_store_options *o,
                                                        size_t size);
/** @brief Initialise file store options @p o with defaults. */
#define twin_sp_file_store_options_init(o) twin_sp_file_store_options_init_((o), sizeof *(o))

/**
 * @brief Open (or create) a store-and-forward file.
 *
 * The file holds a header (the position of the first record not
 * confirmed) and the records, each with its length and CRC-32. Opening
 * reads the records not confirmed and drops a torn last one (a crash in
 * the middle of an append: that append had not returned). An append is a
 * single write(): once it returned, a crash of the process loses nothing
 * (with ::TWIN_SP_FILE_STORE_SYNC, neither does a power loss). Confirmed
 * records are dropped by truncating the file when none is left, else by
 * copying the rest to a new file renamed over it once the dead part is as
 * large as the bound. Only one handle may open a file at a time.
 * @param out  Receives the handle; NULL on failure.
 * @param path File path, copied.
 * @param o    Options; NULL: defaults.
 * @retval TWIN_OK      Open.
 * @retval TWIN_E_IO    The file could not be opened, read or created.
 * @retval TWIN_E_PARSE The file is not a store-and-forward file.
 * @retval TWIN_E_INVAL A pointer is NULL or @c max_bytes is 0.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_file_store_open(twin_sp_file_store **out, const char *path,
                                                const twin_sp_file_store_options *o);

/**
 * @brief Close a file store (its records stay in the file).
 * @param fs Handle; NULL is a no-op.
 * @since 1.6
 */
TWIN_SP_API void twin_sp_file_store_close(twin_sp_file_store *fs);

/**
 * @brief The callbacks of a file store, for twin_sp_edge_set_store().
 * @param fs  Handle (the callbacks' @c ud: it must outlive their user).
 * @param out Receives them.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_file_store_callbacks(twin_sp_file_store *fs, twin_sp_store *out);

/**
 * @brief A file store's counters.
 * @param fs  Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is too small.
 * @par Thread safety Reader.
 * @since 1.6
 */
TWIN_SP_API twin_status twin_sp_file_store_get_stats(const twin_sp_file_store *fs,
                                                     twin_sp_file_store_stats *out);

/** @} */

/** @brief Most metrics a Host Application session takes in one payload.
 *         @since 1.7 */
#define TWIN_SP_HOST_PAYLOAD_METRICS_MAX 65535
/** @brief Most Edge Nodes a Host Application session tracks. @since 1.7 */
#define TWIN_SP_HOST_NODES_MAX 4096
/** @brief Most devices of one Edge Node a session tracks. @since 1.7 */
#define TWIN_SP_HOST_DEVICES_MAX 4096
/** @brief Most BIRTH metrics a session keeps, all nodes and devices
 *         together (about 100 bytes each). @since 1.7 */
#define TWIN_SP_HOST_METRICS_MAX 1048576

/** @brief A Host Application session (opaque). */
typedef struct twin_sp_host twin_sp_host;

/** @brief What a ::twin_sp_host_event reports. Values fixed forever. */
typedef enum twin_sp_host_event_kind {
    TWIN_SP_EVENT_METRIC = 1,          /**< A metric of a BIRTH or DATA message. */
    TWIN_SP_EVENT_NODE_ONLINE = 2,     /**< An NBIRTH was accepted. */
    TWIN_SP_EVENT_NODE_STALE = 3,      /**< The node died (NDEATH): it and its devices are stale. */
    TWIN_SP_EVENT_DEVICE_ONLINE = 4,   /**< A DBIRTH was accepted. */
    TWIN_SP_EVENT_DEVICE_STALE = 5     /**< A DDEATH (or the node's death): the device is stale. */
} twin_sp_host_event_kind;

/** @brief An event of a host session, valid during the callback only. */
typedef struct twin_sp_host_event {
    int32_t kind;                  /**< A ::twin_sp_host_event_kind. */
    int32_t msg;                   /**< The ::twin_sp_msg that caused it. */
    const char *group;             /**< Group identifier, NUL-terminated. */
    const char *node;              /**< Edge Node identifier, NUL-terminated. */
    const char *device;            /**< Device identifier (escaped form), NUL-terminated;
                                        NULL for node events and node metrics. */
    const twin_sp_metric *metric;  /**< For metrics: the decoded metric, its data type
                                        applied, its name set from the BIRTH's alias
                                        table when it came by alias. */
} twin_sp_host_event;

/** @brief The host's event callback. */
typedef void (*twin_sp_host_event_fn)(void *ud, const twin_sp_host_event *ev);

/** @brief Options of twin_sp_host_create(). Initialise with
 *         twin_sp_host_options_init(). */
typedef struct twin_sp_host_options {
    uint32_t size;                /**< `sizeof`, set by twin_sp_host_options_init(). */
    uint32_t flags;               /**< Zero. */
    const twin_allocator *alloc;  /**< Allocator, copied; NULL: the C library's. */
    const char *host_id;          /**< Host Application ID (STATE topic), copied (required). */
    /** How long a gap in a node's seq may stay open before a rebirth is
        requested, microseconds; default 2 s. */
    int64_t reorder_timeout_us;
    twin_sp_host_event_fn on_event;  /**< Event callback; NULL: none. */
    void *event_ud;                  /**< Passed to @c on_event. */
} twin_sp_host_options;

/** @brief Counters of a host session. */
typedef struct twin_sp_host_stats {
    uint32_t size;            /**< Set by the caller to `sizeof(twin_sp_host_stats)`. */
    uint32_t nodes;           /**< Nodes known (online or stale). */
    uint64_t received[10];    /**< Messages accepted, by ::twin_sp_msg (index). */
    uint64_t metrics;         /**< Metrics delivered. */
    uint64_t malformed;       /**< Topics or payloads that did not decode, or
                                   went past a limit (::TWIN_E_RANGE). */
    uint64_t seq_gaps;        /**< Out-of-order seq numbers seen. */
    uint64_t rebirths;        /**< Rebirth requests produced. */
    uint64_t unknown_alias;   /**< DATA metrics whose alias or name the BIRTH did not give. */
    uint64_t before_birth;    /**< DATA or DBIRTH from a node or device not born. */
    uint64_t wrong_type;      /**< Metrics whose value does not fit their BIRTH's type. */
    uint64_t unsupported;     /**< DataSet and Template metrics (not decoded). */
    uint64_t stale_deaths;    /**< NDEATHs whose bdSeq is not the node's (ignored). */
} twin_sp_host_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_sp_host_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done (host id still to set).
 * @retval TWIN_E_INVAL @p o is NULL or @p size too small.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_options_init_(twin_sp_host_options *o, size_t size);
/** @brief Initialise host options @p o with defaults. */
#define twin_sp_host_options_init(o) twin_sp_host_options_init_((o), sizeof *(o))

/**
 * @brief Create a Host Application session.
 * @param out Receives the handle; NULL on failure.
 * @param o   Options (host id required).
 * @retval TWIN_OK      Created.
 * @retval TWIN_E_INVAL A pointer is NULL, the host id is not a legal topic
 *                      level, or the timeout is not positive.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_create(twin_sp_host **out, const twin_sp_host_options *o);

/**
 * @brief Destroy a host session (its nodes and alias tables).
 * @param h Handle; NULL is a no-op.
 * @since 1.5
 */
TWIN_SP_API void twin_sp_host_destroy(twin_sp_host *h);

/**
 * @brief The host's STATE message: `spBv1.0/STATE/HOST`, JSON
 *        `{"online":true|false,"timestamp":MS}`, QoS 1, retained.
 *
 * Publish it online after connecting, and use it offline (the same
 * timestamp as the CONNECT's) as the connection's will.
 * @param h            Handle.
 * @param online       1 online, 0 offline.
 * @param timestamp_ms The timestamp, milliseconds since the epoch.
 * @param msg          Receives the message.
 * @param buf          Buffer, @p cap bytes.
 * @param cap          Its capacity.
 * @param needed       If not NULL, receives the bytes the message takes.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_RANGE @p cap is too small.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_state(const twin_sp_host *h, int online,
                                           uint64_t timestamp_ms, twin_sp_message *msg,
                                           void *buf, size_t cap, size_t *needed);

/**
 * @brief Hand the session a message that arrived on `spBv1.0/#`.
 *
 * An NBIRTH starts (or restarts) the node: its bdSeq and seq are kept and
 * its alias table is rebuilt; a DBIRTH adds the device's metrics to the
 * table. A DATA metric that came by alias gets its name and type from the
 * table. Each metric reaches the event callback. The seq of every message
 * but an NDEATH is checked against the node's: a gap starts the reorder
 * timer, and messages are still delivered as they come (each metric has
 * its own timestamp); if the gap is still open after the reorder timeout
 * (this call or twin_sp_host_next() with a later clock), a rebirth is
 * requested. DATA from a node or device with no BIRTH, or an alias the
 * BIRTH did not give, also requests a rebirth. An NDEATH with the node's
 * bdSeq, or a DDEATH, makes the node (and its devices) or the device stale.
 *
 * @par Limits
 * What a session keeps grows with what it is sent, so each count is
 * bounded; a message past a limit is refused with ::TWIN_E_RANGE before
 * anything changes, and counted as @c malformed:
 * - the topic: ::TWIN_SP_TOPIC_MAX bytes;
 * - metrics in one payload: ::TWIN_SP_HOST_PAYLOAD_METRICS_MAX (they size
 *   the session's scratch array);
 * - a BIRTH metric's name: ::TWIN_ID_MAX bytes (names are kept, and become
 *   signal names through twin_sp_host_bind());
 * - Edge Nodes: ::TWIN_SP_HOST_NODES_MAX (an NBIRTH from one more node is
 *   refused; so is a message before any BIRTH from one, counted as
 *   @c before_birth and not remembered: no rebirth is asked of it);
 * - devices of a node: ::TWIN_SP_HOST_DEVICES_MAX (a DBIRTH of one more);
 * - BIRTH metrics kept, all nodes and devices together:
 *   ::TWIN_SP_HOST_METRICS_MAX (a BIRTH that would keep more; a rebirth
 *   replaces the metrics it supersedes).
 * The seq is 0 to 255 (::TWIN_E_PARSE past it); aliases are unique per
 * node (checked in O(n log n) per BIRTH). DataSet and Template metrics are
 * not decoded (counted as @c unsupported), so no nesting is followed.
 * @param h       Handle.
 * @param topic   Topic, @p tlen bytes.
 * @param tlen    Its length.
 * @param payload Payload, @p plen bytes.
 * @param plen    Its length.
 * @param now_us  The host's clock, microseconds.
 * @retval TWIN_OK          Accepted (some metrics may have been counted as
 *                          unknown, of the wrong type or unsupported).
 * @retval TWIN_E_PARSE     Malformed topic or payload: counted, nothing changed.
 * @retval TWIN_E_RANGE     Past a limit (see Limits; since 1.7.0): counted,
 *                          nothing changed.
 * @retval TWIN_E_STATE     DATA or DBIRTH before its BIRTH: counted, a rebirth
 *                          requested.
 * @retval TWIN_E_NOTFOUND  Not a message for a host (STATE, commands): ignored.
 * @retval TWIN_E_NOMEM     Allocation failed: before a BIRTH's checks
 *                          passed, nothing changed; while its metrics were
 *                          taken, the node (or device) is offline and a
 *                          rebirth requested.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_receive(twin_sp_host *h, const char *topic, size_t tlen,
                                             const void *payload, size_t plen, int64_t now_us);

/**
 * @brief The next message the host must publish: an NCMD rebirth request
 *        (`Node Control/Rebirth` true, QoS 0) for a node whose seq gap
 *        outlived the reorder timeout, or that sent what it had not born.
 * @param h      Handle.
 * @param now_us The host's clock, microseconds (checks the reorder timers).
 * @param msg    Receives the message.
 * @param buf    Buffer, @p cap bytes.
 * @param cap    Its capacity.
 * @param needed If not NULL, receives the bytes the message takes.
 * @retval TWIN_OK      @p msg is ready: publish it.
 * @retval TWIN_DONE    Nothing to publish.
 * @retval TWIN_E_RANGE @p cap is too small; nothing changed.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_next(twin_sp_host *h, int64_t now_us, twin_sp_message *msg,
                                          void *buf, size_t cap, size_t *needed);

/**
 * @brief The session's counters.
 * @param h   Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is too small.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_get_stats(const twin_sp_host *h, twin_sp_host_stats *out);

/**
 * @brief Whether a node or one of its devices is online (born and not dead).
 * @param h      Handle.
 * @param group  Group identifier.
 * @param node   Edge Node identifier.
 * @param device Device identifier (escaped form); NULL for the node.
 * @retval TWIN_OK          Online.
 * @retval TWIN_E_STATE     Known but stale (dead), or a rebirth is awaited.
 * @retval TWIN_E_NOTFOUND  Unknown.
 * @retval TWIN_E_INVAL     A pointer is NULL.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_status(const twin_sp_host *h, const char *group,
                                            const char *node, const char *device);

/** @brief Default model of the twins twin_sp_host_bind() creates. */
#define TWIN_SP_DEVICE_MODEL "dtmi:twin:sparkplug:Device;1"
/** @brief Default name of the Boolean twin property twin_sp_host_bind()
 *         keeps: true while the twin's device is born, false once it is stale. */
#define TWIN_SP_ONLINE_PROPERTY "sparkplugOnline"

/** @brief Options of twin_sp_host_bind(). Initialise with
 *         twin_sp_bind_options_init(). */
typedef struct twin_sp_bind_options {
    uint32_t size;            /**< `sizeof`, set by twin_sp_bind_options_init(). */
    uint32_t flags;           /**< Zero. */
    /** Model of the twins created for devices not in the graph, copied;
        default ::TWIN_SP_DEVICE_MODEL. */
    const char *model_id;
    /** Name of the Boolean liveness property set on each device's twin,
        copied; default ::TWIN_SP_ONLINE_PROPERTY; "" for none (a graph whose
        models do not declare it refuses it: then give ""). */
    const char *online_property;
    /** Health model attached to each signal the host declares (copied by
        the ingest handle); NULL: none. Signals that already exist keep theirs. */
    const twin_health_options *health;
    int64_t health_t0_us;     /**< Model time zero of @c health. */
} twin_sp_bind_options;

/** @brief Counters of a host's binding (twin_sp_host_bind_stats()). */
typedef struct twin_sp_bind_stats {
    uint32_t size;          /**< Set by the caller to `sizeof(twin_sp_bind_stats)`. */
    uint32_t reserved_;     /**< Zero. */
    uint64_t twins_created; /**< Twins added to the graph for new devices. */
    uint64_t signals_bound; /**< BIRTH metrics bound to a signal handle. */
    uint64_t not_bound;     /**< BIRTH metrics left unbound: not numeric, or the graph or
                                 ingest handle refused the twin or signal. */
    uint64_t samples;       /**< DATA values handed to twin_ingest_write_signals(). */
    uint64_t write_errors;  /**< Write calls that failed (::TWIN_E_BUSY, ...); their
                                 samples are counted as not processed by the ingest handle. */
} twin_sp_bind_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_sp_bind_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size too small.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_bind_options_init_(twin_sp_bind_options *o, size_t size);
/** @brief Initialise bind options @p o with defaults. */
#define twin_sp_bind_options_init(o) twin_sp_bind_options_init_((o), sizeof *(o))

/**
 * @brief Mirror the devices a host session tracks into a graph and an
 *        ingest handle.
 *
 * From then on, each DBIRTH makes its device a twin of @p g (the device
 * identifier unescaped with twin_sp_id_unescape(); created with
 * @c o->model_id when absent) and binds each numeric metric (integers,
 * Float, Double, Boolean, DateTime) to a signal handle of @p ing: the
 * signal named as the metric, found with twin_ingest_resolve() (with the
 * metric's `engUnit` property as the samples' unit) or, when absent,
 * declared with twin_ingest_add_signal() in that unit (or none, when the
 * unit is not a DTDL unit), with @c o->health attached. The handle is kept
 * in the node's alias table beside the alias, so a DATA message goes
 * alias → handle and its values reach twin_ingest_write_signals() in one
 * call per message: health, divergence and recalibration run on arrival.
 * Each value's timestamp is its metric's, else the payload's. Node metrics
 * (NBIRTH, NDATA) are not mirrored. Historical metrics (`is_historical`,
 * an Edge Node's store and forward) are written the same way with their
 * own timestamps: the ingest handle takes one newer than the signal's
 * latest in order, and refuses or keeps as late (the signal's order
 * policy) one older than a value it already has, so historical data never
 * overwrites a newer live value. When a device is born its twin's
 * @c online_property becomes true; when it dies (DDEATH, or its node's
 * NDEATH) false: the twin is stale (twin_sp_host_status() tells the same
 * by device identifier). Failures to create a twin or a signal are counted
 * (twin_sp_host_bind_stats()), never fatal.
 *
 * @par Limits
 * Those of twin_sp_host_receive(), and of the graph and ingest handle: a
 * device whose unescaped identifier is over ::TWIN_ID_MAX bytes, or a
 * metric whose name is, binds nothing (counted as @c not_bound). The
 * `engUnit` property is found among any number of properties (before 1.7,
 * among the first 16); one of 64 bytes or more counts as no unit, as a unit
 * that is not a DTDL unit does (no DTDL unit name is that long).
 * @param h   Host session (owns the binding: it ends with the session).
 * @param g   Graph (retained; must outlive @p h).
 * @param ing Ingest handle over @p g (retained; must outlive @p h).
 * @param o   Options; NULL: defaults.
 * @retval TWIN_OK      Bound; births from now on are mirrored.
 * @retval TWIN_E_STATE @p h is bound already.
 * @retval TWIN_E_INVAL A pointer is NULL.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed; @p h unchanged.
 * @par Thread safety Writer on @p h, @p g and @p ing: the host's receive
 *      calls write to the graph and the ingest handle, so no other thread
 *      may use them meanwhile.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_bind(twin_sp_host *h, twin_graph *g, twin_ingest *ing,
                                          const twin_sp_bind_options *o);

/**
 * @brief The counters of a host's binding.
 * @param h   Host session.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK       Done.
 * @retval TWIN_E_NOTFOUND @p h is not bound.
 * @retval TWIN_E_INVAL  A pointer is NULL or @p out->size is too small.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_host_bind_stats(const twin_sp_host *h, twin_sp_bind_stats *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_SPARKPLUG_H */
