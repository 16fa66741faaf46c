/* The graph file: models, twins and relationships in the bulk-import format
 * of Azure Digital Twins (NDJSON):
 *
 *     {"Section": "Header"}
 *     {"fileVersion":"1.0.0","author":"...","organization":"..."}
 *     {"Section": "Models"}
 *     one DTDL Interface per line
 *     {"Section": "Twins"}
 *     {"$dtId":"t1","$metadata":{"$model":"dtmi:..."},"prop":...}
 *     {"Section": "Relationships"}
 *     {"$dtId":"t1","$relationshipId":"r1","$targetId":"t2","$relationshipName":"feeds",...}
 *
 * Sections come in that order, each at most once; any may be missing.
 * Until the storage layer lands, such a file is also twinctl's store: import
 * loads one (validating it against its models), export writes the graph
 * back in the same format, and the read commands query it. */
#ifndef TWINCTL_STORE_H
#define TWINCTL_STORE_H

#include "cli.h"
#include "diag.h"
#include "mem.h"

#include <twin/twin.h>
#include <twin/sqlite.h>

typedef struct store {
    twin_models *models;  /* resolved */
    /* A store opened from a database (store_open_db): the database, the
       library's store over `graph` and its ingest handle; NULL otherwise. */
    twin_sqlite *db;
    twin_store *tstore;
    twin_ingest *ing;
    twin_graph_validator validator;
    twin_graph *graph;    /* validated against models */
    mem mem;              /* the header and model documents */
    twin_value header;    /* the header object; TWIN_VALUE_NULL when none */
    twin_value *docs;     /* model documents (one Interface each), in load order */
    size_t ndocs, capdocs;
    /* What the load saw. */
    size_t twins_read, rels_read;      /* data lines of each section */
    size_t twins_rejected, rels_rejected;
    size_t errors;                     /* every error reported */
} store;

/* Load graph file `path` (models from mo->models_dir first, when given).
 * Every error goes to `d` with its position. Twins and relationships that
 * are malformed or break the models are reported and left out; the rest is
 * loaded. Returns 0 when the file was read and its models resolve (see the
 * counts for what was rejected), -1 when it could not be loaded at all
 * (unreadable, out of section order, models that do not resolve); the store
 * must be freed either way. */
int store_load(store *st, const char *path, const model_options *mo, diag_sink *d);

/* Write the store in the bulk-import format (see store_write.c for the
 * normal form). Returns 0, or -1 on a write error. */
int store_write(const store *st, FILE *f);

void store_free(store *st);

/* The default database of the commands: -d DB, else ./twin.db. */
#define STORE_DEFAULT_DB "twin.db"

/* Open database `path` (flags: twin_sqlite_flag bits): its models and
 * header (documents "dtdl" and "header"), then its graph, signals and
 * health states, through the library's store and an ingest handle whose
 * signals resolve from the models (late samples accepted within
 * reorder_window_us, 0 for none; events to on_event). Returns 0, or -1 reported; the store
 * must be freed either way. */
int store_open_db(store *st, const char *path, uint32_t flags, int64_t reorder_window_us,
                  twin_ingest_event_fn on_event, void *event_ud);

/* Nonzero when `path` names a file in the bulk-import format (not a
 * SQLite database). */
int store_is_graph_file(const char *path);

/* Keep model document `v` (an Interface or an array of them). */
void store_add_doc(store *st, const twin_value *v);

/* Call fn for every relationship: grouped by source twin, in the order the
 * twins were added, each source's in the order they were added. */
void store_relationships(const store *st, void (*fn)(void *ud, const twin_relationship *r),
                         void *ud);

/* The model's short name: the last segment of its DTMI's path
 * ("dtmi:factory:Motor;1" gives "Motor"), in buf. */
const char *store_model_name(const char *dtmi, char *buf, size_t cap);

#endif
