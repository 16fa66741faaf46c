/**
 * @file sparkplug_mosq.h
 * @brief libtwin-mqtt's MQTT client: Sparkplug B sessions over libmosquitto.
 *
 * The upper layer of libtwin-mqtt, for hosts with a network stack: it
 * connects a ::twin_sp_edge or a ::twin_sp_host (sparkplug.h) to an MQTT
 * broker through libmosquitto (Debian's libmosquitto 2.0). It is built
 * into libtwin-mqtt, and this header installed, only where libmosquitto is
 * found; the firmware build never sees it. The session handles stay the
 * state machines of sparkplug.h: this layer only moves their bytes and
 * follows the specification's rules for the connection:
 * - **Edge Node**: before each CONNECT a new session (twin_sp_edge_connect(),
 *   a new bdSeq) whose NDEATH is the will (QoS 1, not retained); after the
 *   CONNACK, subscriptions to `spBv1.0/GROUP/NCMD/NODE` and
 *   `spBv1.0/GROUP/DCMD/NODE/+` (QoS 1), then the NBIRTH and DBIRTHs and
 *   DATA as twin_sp_edge_next() gives them (QoS 0, not retained). Commands
 *   that arrive go to twin_sp_edge_receive() (a Rebirth makes new births).
 *   A clean stop publishes the NDEATH before DISCONNECT. An edge with a
 *   primary host (twin_sp_edge_set_primary_host()) also subscribes to its
 *   STATE (QoS 1), and its births wait for it; an edge with a store
 *   (twin_sp_edge_set_store()) moves its DATA there while the connection
 *   is down (twin_sp_edge_hold() on each loop call).
 * - **Host Application**: the will is its STATE offline (retained, QoS 1,
 *   the timestamp of this CONNECT); after the CONNACK, subscriptions to
 *   `spBv1.0/GROUP/#` (or `spBv1.0/#`) and to its own STATE topic (QoS 1),
 *   then its STATE online (retained, QoS 1). Each message that arrives
 *   goes to twin_sp_host_receive() (and through a binding,
 *   twin_sp_host_bind(), into the graph and ingest handle); rebirth
 *   requests from twin_sp_host_next() are published as NCMDs (QoS 0).
 *   A STATE offline on its own topic (a stale will) makes it publish its
 *   STATE online again.
 *   A clean stop publishes the STATE offline before DISCONNECT.
 * - **Reconnection**: when the connection is lost, twin_sp_mosq_loop()
 *   reconnects after @c reconnect_delay_us, each time as a new session:
 *   the edge with the next bdSeq and new births (the host sees a rebirth),
 *   the host with a new STATE, and then a rebirth request (NCMD) to every
 *   node it knew, since births published while it was away are lost to it.
 *
 * @par What QoS 0 guarantees
 * DATA goes at QoS 0, as Sparkplug says: at most once. A message handed
 * to the broker on a live connection reaches each subscriber connected at
 * that moment, in order, unless a connection breaks or the broker drops it
 * (a subscriber's queue over the broker's limits). What was queued in the
 * client or in flight when the connection or the broker died is lost; the
 * edge does not resend it, but its births after the reconnect carry every
 * signal's latest value, so the mirror's latest state is whole again (the
 * history between is lost, unless the edge has a store: then what it took
 * while the connection was down arrives as historical DATA).
 *
 * @par Security
 * With @c tls_ca_file (or @c tls_ca_path) in the options the connection is
 * TLS, the broker verified by its certificate and host name; with
 * @c tls_cert_file and @c tls_key_file as well it is mutual TLS: the
 * broker can require the client's certificate and take its CN as the
 * user name of its ACLs (mosquitto: `require_certificate true`,
 * `use_identity_as_username true`, an `acl_file`). Sparkplug's topics
 * suit per-client ACLs: an Edge Node named as its certificate may write
 * `spBv1.0/GROUP/+/NODE/#` and read its commands; a Host Application may
 * read `spBv1.0/#` and write commands and its STATE. A broker drops a
 * publish its ACLs deny without telling the client why (MQTT 3.1.1 has no
 * negative acknowledgement); mosquitto 2.0.11 also closes that client's
 * connection, which this layer then treats as any lost connection
 * (reconnect, new session). A node whose identifier its ACLs do not allow
 * thus never gets a message through.
 * The certificate files are read when the handle is created (they must be
 * readable then) and again at each connection; a connection that the TLS
 * handshake or the broker refuses counts as an attempt without a
 * connection in twin_sp_mosq_get_stats(), and is retried after the
 * reconnection delay, like any other.
 *
 * @par Threading
 * libmosquitto's own threaded loop is not used. A ::twin_sp_mosq handle,
 * its session handle and what the session reads or writes (the edge's
 * graph and ingest handle; the host's bound graph and ingest handle) are
 * driven by one thread at a time: the one calling twin_sp_mosq_loop().
 * Every callback (host events, ingest events) runs inside that call, on
 * that thread. Other threads must not use those handles meanwhile.
 * Separate ::twin_sp_mosq handles over separate sessions may run in
 * separate threads. The program calls `mosquitto_lib_init()` once before
 * creating a handle (and `mosquitto_lib_cleanup()` after the last is
 * destroyed), as libmosquitto requires; this library never does.
 */
#ifndef TWIN_SPARKPLUG_MOSQ_H
#define TWIN_SPARKPLUG_MOSQ_H

#include "twin/sparkplug.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sparkplug_mosq Sparkplug B over libmosquitto (libtwin-mqtt)
 * @brief An Edge Node or Host Application session connected to a broker.
 * @{
 */

/** @brief A session's MQTT connection (opaque). */
typedef struct twin_sp_mosq twin_sp_mosq;

/** @brief Options of twin_sp_mosq_edge_create() and
 *         twin_sp_mosq_host_create(). Initialise with
 *         twin_sp_mosq_options_init(). */
typedef struct twin_sp_mosq_options {
    uint32_t size;                /**< `sizeof`, set by twin_sp_mosq_options_init(). */
    uint32_t flags;               /**< Zero. */
    const twin_allocator *alloc;  /**< Allocator (message buffers), copied; NULL: the C library's. */
    const char *broker;           /**< Broker host name or address, copied; default "127.0.0.1". */
    uint32_t port;                /**< Broker port; default 1883. */
    uint32_t keepalive_s;         /**< MQTT keep-alive, seconds; default 30. */
    /** MQTT client identifier, copied; NULL (default): one libmosquitto
        makes up for an edge, the host identifier for a host. */
    const char *client_id;
    /** Host only: the group to subscribe to (`spBv1.0/GROUP/#`), copied;
        NULL (default): every group (`spBv1.0/#`). */
    const char *group_id;
    /** Host only: its Host Application ID (STATE topic), copied; required
        for a host (the same as its session's). */
    const char *host_id;
    int64_t reconnect_delay_us;   /**< Wait before each reconnection attempt; default 1 s. */
    /** TLS: the CA certificates (a PEM file) that verify the broker's
        certificate, copied. NULL (default) and @c tls_ca_path NULL: plain
        MQTT, no TLS. Either one set: the connection is TLS, the broker's
        certificate must chain to one of these CAs and name @c broker
        (a DNS or IP subjectAltName, or the CN); there is no option to
        skip that check. */
    const char *tls_ca_file;
    /** TLS: a directory of CA certificates (hashed names, as
        `openssl rehash` makes them), copied; NULL (default): none. */
    const char *tls_ca_path;
    /** Mutual TLS: this client's certificate (PEM file; may hold the
        intermediate CAs after it), copied; NULL (default): none. Needs
        @c tls_key_file and a CA (@c tls_ca_file or @c tls_ca_path). A
        broker with `use_identity_as_username` takes its CN as the MQTT
        user name, for its ACLs. */
    const char *tls_cert_file;
    /** Mutual TLS: the private key of @c tls_cert_file (PEM file, not
        encrypted: an encrypted key fails to load, nothing prompts for a
        pass phrase), copied; NULL (default): none. */
    const char *tls_key_file;
    /** TLS: the protocol version, "tlsv1.3" or "tlsv1.2", as
        libmosquitto's mosquitto_tls_opts_set() takes it; NULL (default):
        libmosquitto's default (TLS 1.2 or later). */
    const char *tls_version;
} twin_sp_mosq_options;

/** @brief Counters of a connection. */
typedef struct twin_sp_mosq_stats {
    uint32_t size;           /**< Set by the caller to `sizeof(twin_sp_mosq_stats)`. */
    uint32_t connected;      /**< 1 while connected (CONNACK received), else 0. */
    uint64_t connects;       /**< Successful connections (CONNACKs), the first included. */
    uint64_t attempts;       /**< Connection attempts. */
    uint64_t published;      /**< Messages handed to libmosquitto. */
    uint64_t publish_errors; /**< Messages libmosquitto refused (then the connection is
                                  treated as lost). */
    uint64_t received;       /**< Messages that arrived. */
    uint64_t bytes_out;      /**< Payload bytes published. */
} twin_sp_mosq_stats;

/**
 * @brief Fill @p o with defaults. Use the twin_sp_mosq_options_init() macro.
 * @param o    Options.
 * @param size `sizeof *o` as the caller compiled it.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL @p o is NULL or @p size too small.
 * @retval TWIN_E_ABI   @p size is larger than this library's struct.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_mosq_options_init_(twin_sp_mosq_options *o, size_t size);
/** @brief Initialise connection options @p o with defaults. */
#define twin_sp_mosq_options_init(o) twin_sp_mosq_options_init_((o), sizeof *(o))

/**
 * @brief Create the connection of an Edge Node session. Nothing is sent
 *        until twin_sp_mosq_loop().
 * @param out Receives the handle; NULL on failure.
 * @param e   Edge session (retained; must outlive the handle).
 * @param o   Options.
 * @retval TWIN_OK      Created.
 * @retval TWIN_E_INVAL A pointer is NULL or an option is invalid (a
 *                      certificate without its key or without a CA, an
 *                      unknown @c tls_version, TLS where libmosquitto was
 *                      built without it).
 * @retval TWIN_E_IO    A TLS file named in @p o cannot be read.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed (here or in libmosquitto).
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_mosq_edge_create(twin_sp_mosq **out, twin_sp_edge *e,
                                                 const twin_sp_mosq_options *o);

/**
 * @brief Create the connection of a Host Application session. Nothing is
 *        sent until twin_sp_mosq_loop().
 * @param out Receives the handle; NULL on failure.
 * @param h   Host session (retained; must outlive the handle).
 * @param o   Options (@c host_id required).
 * @retval TWIN_OK      Created.
 * @retval TWIN_E_INVAL A pointer is NULL or an option is invalid (as for
 *                      twin_sp_mosq_edge_create()).
 * @retval TWIN_E_IO    A TLS file named in @p o cannot be read.
 * @retval TWIN_E_ABI   @p o->size is unknown.
 * @retval TWIN_E_NOMEM Allocation failed (here or in libmosquitto).
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_mosq_host_create(twin_sp_mosq **out, twin_sp_host *h,
                                                 const twin_sp_mosq_options *o);

/**
 * @brief Destroy a connection without a clean stop: the socket closes and
 *        the broker publishes the will (NDEATH, or STATE offline), as for
 *        a crash. Call twin_sp_mosq_stop() first for a clean one.
 * @param m Handle; NULL is a no-op.
 * @since 1.5
 */
TWIN_SP_API void twin_sp_mosq_destroy(twin_sp_mosq *m);

/**
 * @brief Run the connection for up to @p timeout_ms: connect or reconnect
 *        when due, read and dispatch what arrived, publish what the
 *        session has to send (edge: every message of twin_sp_edge_next();
 *        host: rebirth requests), write what is queued.
 *
 * Call it in a loop, and after ingest writes on an edge (the DATA goes
 * out in this call). A connection that fails or is lost is not an error:
 * the next calls retry after the reconnection delay.
 * @param m          Handle.
 * @param timeout_ms Longest wait for the socket, milliseconds (0: poll).
 * @retval TWIN_OK      Ran (connected or not: see twin_sp_mosq_get_stats()).
 * @retval TWIN_E_NOMEM A message buffer could not grow; the message waits.
 * @retval TWIN_E_STATE The handle was stopped.
 * @retval TWIN_E_INVAL @p m is NULL.
 * @par Thread safety Writer on @p m and its session (see Threading).
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_mosq_loop(twin_sp_mosq *m, int timeout_ms);

/**
 * @brief Stop cleanly: publish the NDEATH (edge) or the STATE offline
 *        (host), flush, DISCONNECT. The handle then only accepts destroy.
 * @param m Handle.
 * @retval TWIN_OK      Stopped (also when it was not connected).
 * @retval TWIN_E_INVAL @p m is NULL.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_mosq_stop(twin_sp_mosq *m);

/**
 * @brief The connection's counters.
 * @param m   Handle.
 * @param out Receives them; its @c size must be set.
 * @retval TWIN_OK      Done.
 * @retval TWIN_E_INVAL A pointer is NULL or @p out->size is too small.
 * @par Thread safety Reader.
 * @since 1.5
 */
TWIN_SP_API twin_status twin_sp_mosq_get_stats(const twin_sp_mosq *m, twin_sp_mosq_stats *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* TWIN_SPARKPLUG_MOSQ_H */
