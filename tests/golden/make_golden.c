/* Writes the golden files of this release (tests/golden/README.md): a DTDL
 * binary model set, a snapshot and a libtwin-sqlite database, all holding
 * the content of golden.h. Built with the tests, run by hand only:
 *
 *   build/tests/make_golden DIR VERSION     writes DIR/models-VERSION.bin,
 *                                           DIR/snapshot-VERSION.bin,
 *                                           DIR/store-VERSION.db
 *
 * Public API only (it also builds against older releases). Refuses to
 * overwrite a file: golden files are never rewritten. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "twin/sqlite.h"
#include "twin/twin.h"

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "make_golden: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static FILE *create(const char *dir, const char *name, const char *ver, const char *ext,
                    char *path, size_t cap)
{
    FILE *f;
    snprintf(path, cap, "%s/%s-%s.%s", dir, name, ver, ext);
    if (access(path, F_OK) == 0) die("will not overwrite a golden file", path);
    if (!(f = fopen(path, "wb"))) die("cannot create", path);
    return f;
}

static twin_status write_file(void *ud, const void *p, size_t n)
{
    return fwrite(p, 1, n, (FILE *)ud) == n ? TWIN_OK : TWIN_E_IO;
}

/* Twins and relationships through the store; signals, health models and
 * samples through the ingest handle. */
static void fill(twin_store *st, twin_ingest *ing)
{
    twin_member line[1], motor[2], rel[1];
    twin_sample s[GOLDEN_SAMPLES * GOLDEN_SIGNALS];
    size_t done = 0;
    int n = 0;
    line[0].name = "label";
    line[0].value = twin_value_string("Line 1");
    motor[0].name = "ratedPower";
    motor[1].name = "serial";
    if (twin_store_add_twin(st, "line-1", GOLDEN_LINE, line, 1) != TWIN_OK) die("line-1", NULL);
    motor[0].value = twin_value_double(7.5);
    motor[1].value = twin_value_string("A-0001");
    if (twin_store_add_twin(st, "motor-A", GOLDEN_MOTOR, motor, 2) != TWIN_OK) die("motor-A", NULL);
    motor[0].value = twin_value_double(11.25);
    motor[1].value = twin_value_string("B-0002");
    if (twin_store_add_twin(st, "motor-B", GOLDEN_MOTOR, motor, 2) != TWIN_OK) die("motor-B", NULL);
    rel[0].name = "position";
    rel[0].value = twin_value_int(1);
    if (twin_store_add_relationship(st, "motor-A", "A-line", "partOf", "line-1", rel, 1) != TWIN_OK)
        die("A-line", NULL);
    rel[0].value = twin_value_int(2);
    if (twin_store_add_relationship(st, "motor-B", "B-line", "partOf", "line-1", rel, 1) != TWIN_OK)
        die("B-line", NULL);
    for (int k = 0; k < GOLDEN_SIGNALS; k++) {
        twin_signal_options so;
        twin_health_options ho;
        twin_signal h;
        twin_signal_options_init(&so);
        so.unit = golden_sig_unit[k];
        if (k == GOLDEN_A_TEMP) {
            so.history = 8;
            so.alarm_high = 80.0;
        }
        if (k == GOLDEN_B_VIB) so.health_step = 0.125;
        if (twin_ingest_add_signal(ing, golden_sig_twin[k], golden_sig_name[k], &so, &h) != TWIN_OK)
            die("add_signal", twin_ingest_last_error(ing)->message);
        if (!golden_has_health(k)) continue;
        golden_health_options(k, &ho);
        if (twin_ingest_attach_health(ing, h, &ho, GOLDEN_T0_US) != TWIN_OK)
            die("attach_health", twin_ingest_last_error(ing)->message);
    }
    for (int i = 0; i < GOLDEN_SAMPLES; i++)
        for (int k = 0; k < GOLDEN_SIGNALS; k++, n++) {
            s[n].twin_id = golden_sig_twin[k];
            s[n].signal = golden_sig_name[k];
            s[n].t_us = golden_time(i);
            s[n].value = golden_value(k, i);
            s[n].unit = NULL;
        }
    if (twin_ingest_write(ing, s, (size_t)n, NULL, &done) != TWIN_OK || done != (size_t)n)
        die("write", twin_ingest_last_error(ing)->message);
    if (twin_store_checkpoint(st) != TWIN_OK || twin_store_flush(st) != TWIN_OK)
        die("checkpoint", twin_store_last_error(st)->message);
}

/* A graph checked by the models, an ingest handle and a store over it. */
typedef struct world {
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
} world;

static void world_open(world *w, const twin_models *m, const twin_store_callbacks *cb)
{
    static twin_graph_validator v;
    twin_graph_options go;
    twin_store_options so;
    twin_ingest_options io;
    memset(w, 0, sizeof *w);
    v.size = sizeof v;
    if (twin_models_validator(m, TWIN_MODELS_CHECK_ALL, &v) != TWIN_OK) die("validator", NULL);
    twin_graph_options_init(&go);
    go.validator = &v;
    twin_store_options_init(&so);
    so.callbacks = cb;
    twin_ingest_options_init(&io);
    if (twin_graph_create(&w->g, &go) != TWIN_OK || twin_store_create(&w->st, w->g, &so) != TWIN_OK)
        die("graph or store", NULL);
    io.store = w->st;
    if (twin_ingest_create(&w->ing, w->g, &io) != TWIN_OK) die("ingest", NULL);
}

static void world_close(world *w)
{
    twin_ingest_destroy(w->ing);
    twin_store_destroy(w->st);
    twin_graph_destroy(w->g);
}

int main(int argc, char **argv)
{
    char path[1024];
    twin_models *m;
    twin_store_callbacks none, cb;
    twin_sqlite *db;
    world w;
    FILE *f;
    char *err = NULL;

    if (argc != 3) die("usage: make_golden DIR VERSION", NULL);
    if (twin_models_open(&m, NULL) != TWIN_OK ||
        twin_models_add(m, golden_models_json, strlen(golden_models_json), "golden.json") != TWIN_OK ||
        twin_models_resolve(m) != TWIN_OK)
        die("models", twin_models_last_error(m).message);
    f = create(argv[1], "models", argv[2], "bin", path, sizeof path);
    if (twin_models_save(m, write_file, f) != TWIN_OK || fclose(f) != 0) die("save models", path);

    /* the snapshot: no store callbacks */
    memset(&none, 0, sizeof none);
    none.size = sizeof none;
    world_open(&w, m, &none);
    fill(w.st, w.ing);
    f = create(argv[1], "snapshot", argv[2], "bin", path, sizeof path);
    if (twin_snapshot_save(w.g, w.ing, write_file, f) != TWIN_OK || fclose(f) != 0)
        die("save snapshot", path);
    world_close(&w);

    /* the database: the same through libtwin-sqlite, then compacted */
    snprintf(path, sizeof path, "%s/store-%s.db", argv[1], argv[2]);
    if (access(path, F_OK) == 0) die("will not overwrite a golden file", path);
    if (twin_sqlite_open(&db, path, NULL) != TWIN_OK)
        die("open", twin_sqlite_last_error(db)->message);
    if (twin_sqlite_put_document(db, "dtdl", "golden.json", golden_models_json) != TWIN_OK ||
        twin_sqlite_callbacks(db, &cb) != TWIN_OK)
        die("document", twin_sqlite_last_error(db)->message);
    world_open(&w, m, &cb);
    if (twin_sqlite_bind_ingest(db, w.ing) != TWIN_OK) die("bind", NULL);
    fill(w.st, w.ing);
    if (twin_sqlite_checkpoint(db, w.st) != TWIN_OK || twin_store_flush(w.st) != TWIN_OK)
        die("checkpoint", twin_sqlite_last_error(db)->message);
    world_close(&w);
    if (sqlite3_exec(twin_sqlite_connection(db),
                     "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;"
                     " PRAGMA page_size=512; VACUUM;",
                     NULL, NULL, &err) != SQLITE_OK)
        die("vacuum", err);
    twin_sqlite_close(db);
    twin_models_close(m);
    return 0;
}
