/* libtwin-mqtt internals: the Edge Node's state (edge.c), shared with its
 * primary host and store-and-forward part (edge_sf.c). */
#ifndef TWIN_SP_EDGE_INT_H
#define TWIN_SP_EDGE_INT_H

#include "sp_int.h"

#define NO_SAMPLE INT64_MIN

typedef struct edge_metric {
    twin_signal sig;
    uint64_t alias;
    int64_t sent_t;  /* timestamp of the value last published or stored; NO_SAMPLE: none */
    int64_t live_t;  /* timestamp of the value last published live (DDATA, DBIRTH) */
    double live_v;   /* that value */
    uint32_t seen;   /* sync generation that last saw the signal */
    uint32_t stored; /* it has samples in the store not forwarded yet */
} edge_metric;

typedef struct edge_device {
    char *twin_id, *dev_id;  /* the twin's identifier and its escaped form */
    size_t id_len, dev_len;
    edge_metric *m;
    size_t n, cap;
    size_t hint;            /* where sync looks for the next signal first */
    uint32_t seen;          /* sync generation that saw one of its signals */
    uint8_t born;           /* a DBIRTH went out in this session */
    uint8_t need_birth;     /* its metrics changed: a DBIRTH is due */
    uint8_t dirty;          /* newer samples than published */
    uint8_t gone;           /* its twin or its signals are gone */
} edge_device;

struct twin_sp_edge {
    twin_allocator a;
    const twin_graph *g;
    const twin_ingest *ing;
    char *group, *node;
    edge_device *dev;
    size_t ndev, capdev;
    uint32_t *index;        /* open addressing by twin id: device index + 1 */
    size_t index_cap;
    uint64_t next_alias;
    uint32_t bdseq;
    uint32_t gen;
    uint8_t session;        /* connect() was called and no death() since */
    uint8_t connected_once;
    uint8_t need_nbirth;
    uint8_t round;          /* synced: a round of messages is under way */
    uint8_t seq;            /* seq of the next message */
    twin_sp_edge_stats st;
    /* primary host and store and forward (edge_sf.c) */
    char *host_id, *state_topic;  /* NULL: no primary host */
    uint8_t host_online;
    uint8_t held;           /* data was stored since the last births */
    uint8_t sf_pending;     /* the store may hold records to forward */
    uint8_t inflight;       /* a historical message was handed out: confirm it */
    int has_store;
    twin_sp_store store;
    uint64_t cursor;        /* the next record to forward */
    uint64_t inflight_next; /* the cursor after the record handed out */
    uint8_t *rec;           /* record scratch */
    size_t rec_cap;
    int64_t *ht;            /* a signal's known samples (scratch) */
    double *hv;
    size_t hcap;
    twin_sp_edge_sf_stats sf;
};

/* The device of twin id (n bytes), or NULL (edge.c). */
edge_device *twin__sp_edge_device_find(twin_sp_edge *e, const char *id, size_t n);
/* Payload pieces (edge.c): the timestamp field, the seq field. */
void twin__sp_edge_header(sp_w *w, uint64_t now_ms);
void twin__sp_edge_seq_tail(sp_w *w, uint8_t seq);

/* edge_sf.c: whether the node holds its data back (primary host offline). */
int twin__sp_edge_holding(const twin_sp_edge *e);
/* Append a record per device with samples newer than those published (or
 * stored) to the store, as a round of DDATA would: TWIN_OK (stored),
 * TWIN_DONE (nothing), TWIN_E_BUSY (some refused as full), other < 0. */
twin_status twin__sp_edge_record(twin_sp_edge *e);
/* The next historical DDATA from the store: TWIN_OK (msg built), TWIN_DONE
 * (none left), < 0 (TWIN_E_RANGE: buffer too small, nothing changed). */
twin_status twin__sp_edge_forward(twin_sp_edge *e, uint64_t now_ms, twin_sp_message *msg,
                                  void *buf, size_t cap, size_t *needed);
/* Confirm the record whose message was handed out last (if any). */
void twin__sp_edge_confirm(twin_sp_edge *e);
/* A STATE message on the primary host's topic: TWIN_OK or TWIN_E_PARSE. */
twin_status twin__sp_edge_state(twin_sp_edge *e, const void *payload, size_t plen);

#endif /* TWIN_SP_EDGE_INT_H */
