/**
 * @file sparkplug.h
 * @brief libtwin-mqtt: Sparkplug B 3.0 payloads, topics and sessions, no socket.
 *
 * A separate small library (`libtwin-mqtt`, pkg-config `twin-mqtt`) on the
 * public libtwin API. This header is its lower layer: everything here works
 * on bytes in and bytes out, with a clock the host gives; nothing opens a
 * socket, reads a clock or calls malloc (allocation goes through the
 * handles' ::twin_allocator), so the same code runs in Cortex-M firmware.
 * The MQTT client (a binding to a broker library) is the host's.
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
 * ::TWIN_SP_NULL and has a data type or a @c field; its properties and
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

/**
 * @brief Parse a Sparkplug B topic.
 * @param topic The topic, @p len bytes; retained by @p out's pointers.
 * @param len   Its length.
 * @param out   Receives the parts.
 * @retval TWIN_OK      Parsed: a known type, the device present exactly for
 *                      DBIRTH, DDEATH, DDATA and DCMD, non-empty identifiers
 *                      without `+`, `#` or NUL, valid UTF-8.
 * @retval TWIN_E_PARSE Not a Sparkplug B topic of that form.
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

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_SPARKPLUG_H */
