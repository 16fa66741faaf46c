/* A store opened from a libtwin-sqlite database: the models and header kept
 * as documents, the graph, signals and health states through the loader. */
#include "store.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct doc_ctx {
    store *st;
    json_parser jp;
    int bad;
} doc_ctx;

static twin_status add_model(void *ud, const char *name, const char *body)
{
    doc_ctx *c = ud;
    twin_value v;
    json_error je;
    size_t len = strlen(body);
    if (twin_models_add(c->st->models, body, len, name) != TWIN_OK ||
        json_parse(&c->jp, &c->st->mem, body, len, &v, &je) != 0) {
        cli_error("the database's model %s does not read: %s", name,
                  twin_models_last_error(c->st->models).message);
        c->bad = 1;
        return TWIN_E_PARSE;
    }
    store_add_doc(c->st, &v);
    return TWIN_OK;
}

static twin_status add_header(void *ud, const char *name, const char *body)
{
    doc_ctx *c = ud;
    json_error je;
    (void)name;
    if (json_parse(&c->jp, &c->st->mem, body, strlen(body), &c->st->header, &je) != 0)
        c->st->header = twin_value_null();
    return TWIN_OK;
}

int store_is_graph_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char head[16] = {0};
    size_t n;
    if (!f) return 0;
    n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    return !(n >= 15 && memcmp(head, "SQLite format 3", 15) == 0);
}

int store_open_db(store *st, const char *path, uint32_t flags, int64_t reorder_window_us,
                  twin_ingest_event_fn on_event, void *event_ud)
{
    twin_sqlite_options so;
    twin_store_callbacks cb;
    twin_store_options sto;
    twin_ingest_options io;
    twin_ingest_resolver res;
    twin_signal_options sig;
    twin_graph_options go;
    twin_models_options mo;
    doc_ctx c;
    twin_status s;
    memset(st, 0, sizeof *st);
    mem_init(&st->mem);
    st->header = twin_value_null();
    twin_sqlite_options_init(&so);
    so.flags = flags;
    if ((s = twin_sqlite_open(&st->db, path, &so)) != TWIN_OK) {
        cli_error("%s: %s", path, twin_sqlite_last_error(st->db)->message);
        return -1;
    }
    twin_models_options_init(&mo);
    if (twin_models_create(&st->models, &mo) != TWIN_OK) return cli_error("no model set"), -1;
    memset(&c, 0, sizeof c);
    c.st = st;
    json_parser_init(&c.jp);
    twin_sqlite_documents(st->db, "header", add_header, &c);
    s = twin_sqlite_documents(st->db, "dtdl", add_model, &c);
    json_parser_fini(&c.jp);
    if (s != TWIN_OK) {
        if (!c.bad) cli_error("%s: %s", path, twin_sqlite_last_error(st->db)->message);
        return -1;
    }
    if (twin_models_resolve(st->models) != TWIN_OK) {
        cli_error("%s: the database's models do not resolve: %s", path,
                  twin_models_last_error(st->models).message);
        return -1;
    }
    st->validator.size = sizeof st->validator;
    if (twin_models_validator(st->models, TWIN_MODELS_CHECK_ALL, &st->validator) != TWIN_OK)
        return -1;
    twin_graph_options_init(&go);
    go.validator = &st->validator;
    if (twin_graph_create(&st->graph, &go) != TWIN_OK) return cli_error("no graph"), -1;
    twin_sqlite_callbacks(st->db, &cb);
    twin_store_options_init(&sto);
    sto.callbacks = &cb;
    sto.outbox_bytes = 8u << 20;
    if (twin_store_create(&st->tstore, st->graph, &sto) != TWIN_OK)
        return cli_error("no store"), -1;
    twin_ingest_resolver_from_models(st->models, &res);
    twin_signal_options_init(&sig);
    if (reorder_window_us > 0) {
        sig.order = TWIN_INGEST_ORDER_WINDOW;
        sig.reorder_window_us = reorder_window_us;
        sig.history = 64;
    }
    twin_ingest_options_init(&io);
    io.store = st->tstore;
    io.resolver = &res;
    io.resolved_options = &sig;
    io.on_event = on_event;
    io.event_ud = event_ud;
    if (twin_ingest_create(&st->ing, st->graph, &io) != TWIN_OK)
        return cli_error("no ingest handle"), -1;
    if ((s = twin_sqlite_load(st->db, st->graph, st->ing, &sig)) != TWIN_OK) {
        cli_error("%s: %s", path, twin_sqlite_last_error(st->db)->message);
        return -1;
    }
    return 0;
}
