/* Footprint: a gateway publishing its twins as a Sparkplug B Edge Node
 * (libtwin-mqtt's codec and edge state machine over the core's graph and
 * ingest), in a fixed arena: 10 twins with 2 signals each, a connect, the
 * birth sequence, samples and the DDATA messages, a rebirth command. It
 * prints "fw: NAME VALUE" lines (messages, bytes, arena peak) and checks
 * what it published; bench/footprint reads the flash libtwin-mqtt's
 * objects take from its link map. */
#include "board.h"

#include <stdio.h>
#include <string.h>
#include <twin/sparkplug.h>

int main(void);

static unsigned char arena_buf[64 * 1024] FW_ARENA;
static unsigned char msgbuf[1024];

int main(void)
{
    twin_arena arena;
    twin_allocator alloc;
    twin_graph_options go;
    twin_ingest_options io;
    twin_sp_edge_options eo;
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_edge *e;
    twin_sp_message msg;
    twin_signal sig[20];
    unsigned long msgs = 0, bytes = 0;
    char id[16];
    twin_arena_init(&arena, arena_buf, sizeof arena_buf, &alloc);
    twin_graph_options_init(&go);
    go.alloc = &alloc;
    if (twin_graph_create(&g, &go) != TWIN_OK)
        return 1;
    twin_ingest_options_init(&io);
    io.alloc = &alloc;
    if (twin_ingest_create(&ing, g, &io) != TWIN_OK)
        return 1;
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "line/m%d", i);
        if (twin_graph_add_twin(g, id, "dtmi:fw:Motor;1", NULL, 0) != TWIN_OK ||
            twin_ingest_add_signal(ing, id, "vibration", NULL, &sig[2 * i]) != TWIN_OK ||
            twin_ingest_add_signal(ing, id, "temperature", NULL, &sig[2 * i + 1]) != TWIN_OK)
            return 1;
    }
    twin_sp_edge_options_init(&eo);
    eo.alloc = &alloc;
    eo.group_id = "plant";
    eo.node_id = "gw1";
    if (twin_sp_edge_create(&e, g, ing, &eo) != TWIN_OK ||
        twin_sp_edge_connect(e, &msg, msgbuf, sizeof msgbuf, NULL) != TWIN_OK)
        return 1;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20; i++) {
            twin_signal_sample s = {sig[i], 1000000LL * (round + 1), 0.1 * i + round};
            if (twin_ingest_write_signals(ing, &s, 1, NULL, NULL) != TWIN_OK)
                return 1;
        }
        twin_status st;
        while ((st = twin_sp_edge_next(e, 1000000LL * (round + 1), &msg, msgbuf, sizeof msgbuf,
                                       NULL)) == TWIN_OK) {
            msgs++;
            bytes += msg.payload_len;
        }
        if (st != TWIN_DONE)
            return 2;
        if (round == 1) {
            static const unsigned char rebirth[] = {
                0x12, 0x1a, 0x0a, 0x14, 'N', 'o', 'd', 'e', ' ', 'C', 'o', 'n', 't', 'r', 'o', 'l',
                '/', 'R', 'e', 'b', 'i', 'r', 't', 'h', 0x20, 0x0b, 0x70, 0x01};
            if (twin_sp_edge_receive(e, "spBv1.0/plant/NCMD/gw1", 22, rebirth, sizeof rebirth) !=
                TWIN_OK)
                return 3;
        }
    }
    /* NBIRTH + 10 DBIRTH (with the first samples); 10 DDATA; after the
       rebirth, NBIRTH + 10 DBIRTH (with the third samples) */
    printf("fw: sparkplug_messages %lu\n", msgs);
    printf("fw: sparkplug_payload_bytes %lu\n", bytes);
    printf("fw: arena_peak %lu\n", (unsigned long)twin_arena_peak(&arena));
    printf("fw: stack_peak %lu\n", (unsigned long)board_stack_peak());
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    return msgs == 32 ? 0 : 4;
}
