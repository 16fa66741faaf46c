/* The store's private layout (lib/outbox/ only). */
#ifndef TWIN_OUTBOX_STORE_INT_H
#define TWIN_OUTBOX_STORE_INT_H

#include "outbox/outbox.h"

struct twin_store {
    twin_allocator alloc;
    twin_graph *g;
    twin_store_callbacks cb;
    twin__outbox ob;
    twin__store_upper up;     /* the module bound above (ud NULL: none) */
    twin_graph_change_fn prev_hook;  /* the graph's hook before ours, chained */
    void *prev_ud;
    int32_t in_cb;            /* nonzero while a callback runs */
    int32_t busy;             /* full: writes refused until the outbox drains */
    int32_t last_status;      /* of the last failed delivery */
    uint32_t reserved;
    uint64_t confirmed_samples;
    uint64_t failures;
    twin_error err;
    char errbuf[TWIN_ERROR_MESSAGE_MAX];
};

#endif
