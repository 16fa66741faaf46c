/* libFuzzer target for libtwin-sqlite over a corrupted database file: any
 * corruption in, a status out; no crash, no leak, no undefined behaviour,
 * no hang.
 *
 * At start-up the target builds two seed databases with the library (in
 * a fresh directory under /dev/shm, tmpfs, or $TMPDIR): a small plant of
 * schema 4 (twins and relationships with properties of every type,
 * signals with units, samples in closed and open blocks and late ones, a
 * health state, a tier policy folded into single buckets and tier blocks,
 * documents, a forwarder's upstream registered and the late samples in
 * the late log as the store logs them), re-written with 1 KiB pages, and the same plant as a schema
 * 2 database (raw samples, no blocks or tiers: opened read-write it is
 * migrated). Each input is
 *
 *     flags (1 byte), then records: page (u16 LE), offset (u16 LE),
 *     length (1 byte), that many bytes
 *
 * flags bit 0: open read-only; bit 1: the schema 2 seed; bit 2: after
 * loading, write (a twin, samples new, late and duplicate, a health
 * state), flush, fold and checkpoint; bit 3: after the overwrites, seal
 * the blocks again (each compressed block's checksum, and those of the
 * column blocks of each tier block, recomputed through SQLite where the
 * file still opens), so that damaged block contents reach the decoders
 * instead of stopping at the checksum; bit 4: list the tiers too
 * (twin_sqlite_tier_info_each(), slow). Each record overwrites bytes of page
 * (page mod the page count) from offset (mod the page size) on, cut at the
 * file's end. The file is written, then opened, loaded into a graph and an
 * ingest handle, and every signal read (samples, value at, buckets, tiers),
 * the blocks checked, tiers, policies, documents and counts listed.
 *
 * Checked: every call returns a status, and a failure carries a message;
 * an input without records loads the seed exactly (its counts); a load
 * that succeeds gives a consistent graph (counts agree with iteration,
 * every relationship's ends and every signal's twin exist), and no more
 * signals than twins allow. A read may deliver whatever the corrupted
 * rows hold, but only through its callback, in batches of at least one
 * sample. */
#include <twin/twin.h>
#include <twin/sqlite.h>

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1700000000000000LL
#define SEC 1000000LL
#define PAGE 1024

typedef struct seed {
    unsigned char *bytes;
    size_t size;
    size_t twins, rels, signals; /* what it loads */
} seed;

static seed seeds[2];
static char dir[128], path[192];

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "fuzz_sqlite: %s: %s\n", what, msg ? msg : "");
    abort();
}

#define NEED(db, call)                                                              \
    do {                                                                            \
        if ((call) != TWIN_OK) die(#call, (db) ? twin_sqlite_last_error(db)->message : ""); \
    } while (0)

static void rm_files(const char *p)
{
    static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
    char f[256];
    for (size_t k = 0; k < 4; k++) {
        snprintf(f, sizeof f, "%s%s", p, ext[k]);
        unlink(f);
    }
}

static void sql(sqlite3 *c, const char *q)
{
    char *err = NULL;
    if (sqlite3_exec(c, q, NULL, NULL, &err) != SQLITE_OK) die(q, err);
}

typedef struct plant {
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
} plant;

static void plant_open(plant *p, const char *file, uint32_t flags)
{
    twin_sqlite_options o;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    memset(p, 0, sizeof *p);
    twin_sqlite_options_init(&o);
    o.flags = flags;
    NEED(p->db, twin_sqlite_open(&p->db, file, &o));
    NEED(p->db, twin_graph_create(&p->g, NULL));
    NEED(p->db, twin_sqlite_callbacks(p->db, &cb));
    twin_store_options_init(&so);
    so.callbacks = &cb;
    NEED(p->db, twin_store_create(&p->st, p->g, &so));
    twin_ingest_options_init(&io);
    io.store = p->st;
    NEED(p->db, twin_ingest_create(&p->ing, p->g, &io));
}

static void plant_close(plant *p)
{
    twin_ingest_destroy(p->ing);
    twin_store_destroy(p->st);
    twin_graph_destroy(p->g);
    twin_sqlite_close(p->db);
}

static void write_one(plant *p, twin_signal h, int64_t t, double v)
{
    twin_signal_sample s;
    size_t done;
    s.signal = h;
    s.t_us = t;
    s.value = v;
    NEED(p->db, twin_ingest_write_signals(p->ing, &s, 1, NULL, &done));
}

/* The plant: 6 twins in a line with a branch, 5 relationships, 4 signals. */
static void build_plant(const char *file)
{
    static const char *const twins[] = {"line", "pump1", "motor1", "valve1", "tank1", "pump2"};
    twin_member inner[2], props[5], rp[1];
    twin_value arr[3];
    twin_signal h[4];
    twin_signal_options so;
    twin_health_options ho;
    twin_sqlite_policy pol;
    twin_error e;
    plant p;
    size_t k;
    plant_open(&p, file, 0);
    inner[0].name = "x";
    inner[0].value = twin_value_double(-0.0);
    inner[1].name = "label";
    inner[1].value = twin_value_string("caf\xc3\xa9");
    arr[0] = twin_value_int(-7);
    arr[1] = twin_value_bool(1);
    arr[2] = twin_value_null();
    props[0].name = "rating";
    props[0].value = twin_value_double(7.5);
    props[1].name = "serial";
    props[1].value = twin_value_string("SN-0042");
    props[2].name = "count";
    props[2].value = twin_value_int(INT64_MIN);
    props[3].name = "pos";
    props[3].value = twin_value_object(inner, 2);
    props[4].name = "tags";
    props[4].value = twin_value_array(arr, 3);
    for (k = 0; k < 6; k++)
        NEED(p.db, twin_store_add_twin(p.st, twins[k], k ? "dtmi:fuzz:Asset;1" : "dtmi:fuzz:Line;1",
                                       k % 2 ? props : NULL, k % 2 ? 5 : 0));
    rp[0].name = "flow";
    rp[0].value = twin_value_double(12.25);
    NEED(p.db, twin_store_add_relationship(p.st, "line", "r1", "contains", "pump1", NULL, 0));
    NEED(p.db, twin_store_add_relationship(p.st, "pump1", "r2", "feeds", "valve1", rp, 1));
    NEED(p.db, twin_store_add_relationship(p.st, "motor1", "r3", "drives", "pump1", NULL, 0));
    NEED(p.db, twin_store_add_relationship(p.st, "valve1", "r4", "feeds", "tank1", rp, 1));
    NEED(p.db, twin_store_add_relationship(p.st, "tank1", "r5", "feeds", "pump2", NULL, 0));
    twin_signal_options_init(&so);
    so.unit = "gForce";
    so.order = TWIN_INGEST_ORDER_WINDOW;
    so.reorder_window_us = 3600 * SEC;
    so.history = 64;
    NEED(p.db, twin_ingest_add_signal(p.ing, "pump1", "vibration", &so, &h[0]));
    so.unit = "degreeCelsius";
    NEED(p.db, twin_ingest_add_signal(p.ing, "motor1", "temperature", &so, &h[1]));
    so.unit = NULL;
    NEED(p.db, twin_ingest_add_signal(p.ing, "tank1", "level", &so, &h[2]));
    NEED(p.db, twin_ingest_add_signal(p.ing, "pump2", "speed", &so, &h[3]));
    twin_health_options_init(&ho);
    ho.prior_mean[0] = log(0.12);
    ho.prior_mean[1] = 0.003 / 86400.0;
    ho.prior_cov[3] = 1e-12;
    NEED(p.db, twin_ingest_attach_health(p.ing, h[0], &ho, T0));
    twin_sqlite_policy_init(&pol);
    if (twin_sqlite_policy_parse("raw:30m,1m:30d,1h:forever", &pol, &e) != TWIN_OK)
        die("policy", e.message);
    NEED(p.db, twin_sqlite_set_policy(p.db, TWIN_SQLITE_POLICY_SIGNAL, "motor1", "temperature",
                                      &pol));
    NEED(p.db, twin_sqlite_set_fold_budget(p.db, 0, 0));
    /* temperature: 10 h at 20 s steps; every 64th step is 20.5 s, which
       closes a block (the quantum is 1 s): many small closed blocks */
    {
        int64_t t = T0;
        for (k = 0; k < 1800; k++) {
            write_one(&p, h[1], t, 40.0 + (double)(k % 97) / 10.0);
            t += (k % 64 == 63) ? 20500000 : 20 * SEC;
            if (k % 50 == 49) NEED(p.db, twin_store_flush(p.st));
        }
    }
    /* vibration: 300 samples, every 10th held back and written late; level,
       speed: a few samples in their open blocks */
    for (k = 0; k < 300; k++)
        if (k % 10 != 3) write_one(&p, h[0], T0 + (int64_t)k * SEC, 0.1 + (double)k * 1e-4);
    for (k = 3; k < 300; k += 10) write_one(&p, h[0], T0 + (int64_t)k * SEC, 0.1 + (double)k * 1e-4);
    for (k = 0; k < 12; k++) {
        write_one(&p, h[2], T0 + (int64_t)k * 60 * SEC, k % 3 ? 1.5 * (double)k : NAN);
        write_one(&p, h[3], T0 + (int64_t)k * 7 * SEC, 1e300 * (double)k);
    }
    NEED(p.db, twin_store_flush(p.st));
    NEED(p.db, twin_sqlite_fold(p.db, 0, NULL));
    NEED(p.db, twin_sqlite_checkpoint(p.db, p.st));
    NEED(p.db, twin_sqlite_put_document(p.db, "dtdl", "dtmi:fuzz:Asset;1", "{\"@id\": \"a\"}"));
    NEED(p.db, twin_sqlite_put_document(p.db, "header", "plant", "fuzz"));
    plant_close(&p);
}

static long long query1(sqlite3 *c, const char *q)
{
    sqlite3_stmt *s;
    long long v = -1;
    if (sqlite3_prepare_v2(c, q, -1, &s, NULL) != SQLITE_OK) die(q, sqlite3_errmsg(c));
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Rewrite with 1 KiB pages in rollback-journal mode (the library turns a
   database it opens read-write back to WAL). */
static void repage(const char *file)
{
    sqlite3 *c;
    if (sqlite3_open(file, &c) != SQLITE_OK) die("sqlite3_open", file);
    sql(c, "PRAGMA journal_mode=DELETE; PRAGMA page_size=1024; VACUUM;");
    sqlite3_close(c);
}

/* The schema 2 form: every sample as a raw row, no blocks, no tiers. */
typedef struct raw_ins {
    sqlite3_stmt *ins;
    long long sig;
} raw_ins;

static twin_status raw_put(void *ud, const int64_t *t, const double *v, size_t n)
{
    raw_ins *r = ud;
    for (size_t k = 0; k < n; k++) {
        sqlite3_reset(r->ins);
        sqlite3_bind_int64(r->ins, 1, r->sig);
        sqlite3_bind_int64(r->ins, 2, t[k]);
        if (isnan(v[k])) continue; /* the value column is NOT NULL REAL */
        sqlite3_bind_double(r->ins, 3, v[k]);
        if (sqlite3_step(r->ins) != SQLITE_DONE) die("raw insert", "");
    }
    return TWIN_OK;
}

static void make_schema2(const char *from, const char *to)
{
    twin_sqlite *db;
    twin_sqlite_options o;
    sqlite3 *c;
    sqlite3_stmt *sigs;
    raw_ins r;
    char q[512];
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_READONLY;
    NEED(NULL, twin_sqlite_open(&db, from, &o));
    if (sqlite3_open(to, &c) != SQLITE_OK) die("sqlite3_open", to);
    snprintf(q, sizeof q, "ATTACH '%s' AS src", from);
    sql(c, q);
    sql(c, "PRAGMA page_size=1024; PRAGMA application_id=1953982830; PRAGMA user_version=2;");
    sql(c, "CREATE TABLE twins(id TEXT NOT NULL UNIQUE, model TEXT NOT NULL, props BLOB);"
           "CREATE TABLE relationships(source TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,"
           " target TEXT NOT NULL, props BLOB, UNIQUE(source, id));"
           "CREATE INDEX relationships_target ON relationships(target);"
           "CREATE TABLE signals(id INTEGER PRIMARY KEY AUTOINCREMENT, twin TEXT NOT NULL,"
           " name TEXT NOT NULL, unit TEXT NOT NULL, latest_t_us INTEGER, latest_value REAL,"
           " UNIQUE(twin, name));"
           "CREATE TABLE samples(signal INTEGER NOT NULL, t_us INTEGER NOT NULL,"
           " value REAL NOT NULL, PRIMARY KEY(signal, t_us)) WITHOUT ROWID;"
           "CREATE TABLE rollups(signal INTEGER NOT NULL, t_us INTEGER NOT NULL,"
           " n INTEGER NOT NULL, mean REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
           " PRIMARY KEY(signal, t_us)) WITHOUT ROWID;"
           "CREATE TABLE health(signal INTEGER PRIMARY KEY, options BLOB, state BLOB NOT NULL,"
           " t0_us INTEGER NOT NULL);"
           "CREATE TABLE documents(kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,"
           " UNIQUE(kind, name));"
           "INSERT INTO twins SELECT * FROM src.twins;"
           "INSERT INTO relationships SELECT * FROM src.relationships;"
           "INSERT INTO signals SELECT * FROM src.signals;"
           "INSERT INTO health SELECT * FROM src.health;"
           "INSERT INTO documents SELECT * FROM src.documents;");
    if (sqlite3_prepare_v2(c, "INSERT INTO samples VALUES(?1, ?2, ?3)", -1, &r.ins, NULL) ||
        sqlite3_prepare_v2(c, "SELECT id, twin, name FROM signals", -1, &sigs, NULL))
        die("prepare", sqlite3_errmsg(c));
    sql(c, "BEGIN");
    while (sqlite3_step(sigs) == SQLITE_ROW) {
        r.sig = sqlite3_column_int64(sigs, 0);
        /* the folded part of temperature is gone from raw: what is left */
        NEED(db, twin_sqlite_read(db, (const char *)sqlite3_column_text(sigs, 1),
                                  (const char *)sqlite3_column_text(sigs, 2), INT64_MIN,
                                  INT64_MAX, raw_put, &r));
    }
    sql(c, "COMMIT");
    sqlite3_finalize(sigs);
    sqlite3_finalize(r.ins);
    sql(c, "DETACH src");
    sqlite3_close(c);
    twin_sqlite_close(db);
}

static void slurp(const char *file, seed *s)
{
    FILE *f = fopen(file, "rb");
    sqlite3 *c;
    long n;
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) die("read", file);
    s->size = (size_t)n;
    s->bytes = malloc(s->size);
    if (!s->bytes || fread(s->bytes, 1, s->size, f) != s->size) die("read", file);
    fclose(f);
    if (s->size % PAGE) die("page size", file);
    if (sqlite3_open_v2(file, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) die("open", file);
    s->twins = (size_t)query1(c, "SELECT count(*) FROM twins");
    s->rels = (size_t)query1(c, "SELECT count(*) FROM relationships");
    s->signals = (size_t)query1(c, "SELECT count(*) FROM signals");
    sqlite3_close(c);
}

static void cleanup(void)
{
    rm_files(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char a[192], b[192];
    (void)argc;
    (void)argv;
    /* removed at exit; after a crash it stays, with the damaged file
       (run.db) that crashed */
    snprintf(dir, sizeof dir, "%s/twin-fuzz-sqlite-%ld-XXXXXX", base ? base : "/tmp",
             (long)getpid());
    if (!mkdtemp(dir)) die("mkdtemp", dir);
    snprintf(a, sizeof a, "%s/seed4.db", dir);
    snprintf(b, sizeof b, "%s/seed2.db", dir);
    snprintf(path, sizeof path, "%s/run.db", dir);
    build_plant(a);
    {   /* a forwarder registered: the late rows logged, later ones too */
        sqlite3 *c;
        if (sqlite3_open(a, &c) != SQLITE_OK) die("sqlite3_open", a);
        sql(c, "INSERT INTO upstreams(cursors, upstream, late_seq) VALUES('fuzz', 'u', 0);"
               "INSERT INTO late_log(signal, t_us) SELECT signal, t_us FROM samples;");
        sqlite3_close(c);
    }
    repage(a);
    make_schema2(a, b);
    slurp(a, &seeds[0]);
    slurp(b, &seeds[1]);
    rm_files(a);
    rm_files(b);
    if (seeds[0].twins != 6 || seeds[0].rels != 5 || seeds[0].signals != 4)
        die("seed", "unexpected counts");
    atexit(cleanup);
    return 0;
}

/* The checksum of a compressed block (lib/sqlite/codec.h: 32 bytes of
   header, the checksum at 12 counted as zero), recomputed here so that the
   target can seal a damaged block again. */
static uint32_t block_sum(const unsigned char *b, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)len;
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t w = 0;
        for (int j = 7; j >= 0; j--) w = w << 8 | b[k + (size_t)j];
        if (k == 8) w &= 0x00000000ffffffffull;
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 29;
    }
    for (; k < len; k++) {
        h = (h ^ b[k]) * 0x94d049bb133111ebull;
        h ^= h >> 31;
    }
    h ^= h >> 32;
    return (uint32_t)h;
}

static void seal(unsigned char *b, size_t len)
{
    uint32_t sum;
    if (len < 32 || b[0] != 'T' || b[1] != 'B') return;
    sum = block_sum(b, len);
    for (int j = 0; j < 4; j++) b[12 + j] = (unsigned char)(sum >> (8 * j));
}

/* SQL function reseal(data): a block, or a tier block ('T' 'K', format,
   6, six little-endian column lengths, the column blocks), sealed again. */
static void reseal_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const unsigned char *p = sqlite3_value_blob(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]), off = 28;
    unsigned char *b;
    (void)argc;
    if (!p || n == 0 || !(b = malloc(n))) {
        sqlite3_result_value(cx, argv[0]);
        return;
    }
    memcpy(b, p, n);
    if (n >= 28 && b[0] == 'T' && b[1] == 'K') {
        for (int c = 0; c < 6; c++) {
            size_t len = (size_t)b[4 + 4 * c] | (size_t)b[5 + 4 * c] << 8 |
                         (size_t)b[6 + 4 * c] << 16 | (size_t)b[7 + 4 * c] << 24;
            if (len > n - off) break;
            seal(b + off, len);
            off += len;
        }
    } else {
        seal(b, n);
    }
    sqlite3_result_blob(cx, b, (int)n, free);
}

static void reseal(const char *file)
{
    sqlite3 *c;
    if (sqlite3_open_v2(file, &c, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_create_function(c, "reseal", 1, SQLITE_UTF8, NULL, reseal_fn, NULL, NULL) ==
            SQLITE_OK) {
        sqlite3_exec(c, "UPDATE blocks SET data = reseal(data)", NULL, NULL, NULL);
        sqlite3_exec(c, "UPDATE open_blocks SET data = reseal(data)", NULL, NULL, NULL);
        sqlite3_exec(c, "UPDATE tier_blocks SET data = reseal(data)", NULL, NULL, NULL);
    }
    sqlite3_close(c);
}

/* A failure must carry its message. */
static void failed(twin_sqlite *db, twin_status s)
{
    const twin_error *e = twin_sqlite_last_error(db);
    if (s == TWIN_OK) return;
    if (!e->message || !e->message[0]) die("a failure without a message", twin_strerror(s));
}

static twin_status count_samples(void *ud, const int64_t *t, const double *v, size_t n)
{
    (void)t;
    (void)v;
    if (n == 0) die("read", "a batch of no samples");
    *(size_t *)ud += n;
    return *(size_t *)ud > 1000000 ? TWIN_E_RANGE : TWIN_OK;
}

static twin_status bad_block(void *ud, const twin_sqlite_bad_block *b)
{
    (void)ud;
    if (!b->twin_id || !b->name) die("check_blocks", "a bad block without its signal");
    return TWIN_OK;
}

static twin_status tier_info(void *ud, const twin_sqlite_tier_info *t)
{
    (void)ud;
    (void)t;
    return TWIN_OK;
}

static twin_status policy_fn(void *ud, twin_sqlite_policy_scope scope, const char *key,
                             const char *name, const twin_sqlite_policy *p, const char *text)
{
    (void)ud;
    (void)scope;
    if (!key || !name || !p || !text) die("policies", "a NULL string");
    return TWIN_OK;
}

static twin_status doc_fn(void *ud, const char *name, const char *body)
{
    (void)ud;
    if (!name || !body) die("documents", "a NULL string");
    return TWIN_OK;
}

/* A loaded graph must be consistent with itself. */
static void check_graph(const twin_graph *g, const twin_ingest *ing, const seed *sd, int exact)
{
    twin_cursor c, rc;
    const char *id, *model;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    size_t nt = 0, nr = 0;
    uint64_t cur = 0;
    twin_signal h;
    NEED(NULL, twin_graph_twins_begin(g, &c));
    while (twin_graph_twins_next(g, &c, &id, &model) == TWIN_OK && id) {
        nt++;
        if (!model) die("graph", "a twin without a model");
        NEED(NULL, twin_graph_relationships_begin(g, &rc, id, TWIN_DIRECTION_OUTGOING, NULL));
        while (twin_graph_relationships_next(g, &rc, &r) == TWIN_OK) {
            nr++;
            if (!r.id || !r.name || strcmp(r.source_id, id) != 0 ||
                twin_graph_find_twin(g, r.target_id, NULL) != TWIN_OK)
                die("graph", "a relationship with a missing end");
        }
    }
    if (nt != twin_graph_twin_count(g) || nr != twin_graph_relationship_count(g))
        die("graph", "counts do not match iteration");
    while (twin_ingest_signals_next(ing, &cur, &h) == TWIN_OK) {
        const char *tw, *name, *unit;
        NEED(NULL, twin_ingest_signal_info(ing, h, &tw, &name, &unit));
        if (twin_graph_find_twin(g, tw, NULL) != TWIN_OK) die("ingest", "a signal without its twin");
    }
    if (exact && (nt != sd->twins || nr != sd->rels || twin_ingest_signal_count(ing) != sd->signals))
        die("load", "the intact seed did not load whole");
}

static void read_signal(twin_sqlite *db, const char *tw, const char *name)
{
    twin_sqlite_bucket b[8];
    twin_sqlite_tier_answer ans;
    size_t n = 0, cnt;
    int64_t t;
    double v;
    failed(db, twin_sqlite_read(db, tw, name, INT64_MIN, INT64_MAX, count_samples, &n));
    failed(db, twin_sqlite_read(db, tw, name, T0 + 3600 * SEC, T0 + 7200 * SEC, count_samples, &n));
    failed(db, twin_sqlite_value_at(db, tw, name, T0 + 5000 * SEC, &t, &v));
    failed(db, twin_sqlite_value_at(db, tw, name, INT64_MAX, &t, &v));
    b[0].size = sizeof b[0];
    failed(db, twin_sqlite_read_buckets(db, tw, name, T0 - 3600 * SEC, T0 + 40000 * SEC,
                                        600 * SEC, b, 8, &cnt));
    memset(&ans, 0, sizeof ans);
    ans.size = sizeof ans;
    b[0].size = sizeof b[0];
    failed(db, twin_sqlite_read_tier(db, tw, name, T0, T0 + 36000 * SEC, 3600 * SEC, b, 8, &cnt,
                                     &ans));
    b[0].size = sizeof b[0];
    failed(db, twin_sqlite_read_tier(db, tw, name, INT64_MIN / 2, INT64_MAX / 2, 60 * SEC, b, 8,
                                     &cnt, &ans));
}

/* Writes into the loaded (corrupted) store: statuses only. */
static void write_more(twin_sqlite *db, twin_store *st, twin_ingest *ing)
{
    twin_signal_sample s[6];
    uint64_t cur = 0;
    twin_signal h;
    size_t done;
    failed(db, twin_store_add_twin(st, "new1", "dtmi:fuzz:Asset;1", NULL, 0));
    failed(db, twin_store_remove_twin(st, "tank1", TWIN_REMOVE_RELATIONSHIPS));
    while (twin_ingest_signals_next(ing, &cur, &h) == TWIN_OK) {
        for (int k = 0; k < 6; k++) {
            s[k].signal = h;
            s[k].value = k == 4 ? NAN : (double)k;
        }
        s[0].t_us = T0 + 40000 * SEC;
        s[1].t_us = T0 + 40001 * SEC;
        s[2].t_us = T0 + 40001 * SEC;   /* duplicate */
        s[3].t_us = T0 + 39000 * SEC;   /* late */
        s[4].t_us = T0 + 40002 * SEC;
        s[5].t_us = T0 + 1;             /* very late */
        twin_ingest_write_signals(ing, s, 6, NULL, &done);
    }
    failed(db, twin_store_flush(st));
    failed(db, twin_sqlite_fold(db, 0, NULL));
    failed(db, twin_sqlite_checkpoint(db, st));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const seed *sd;
    unsigned char *img;
    size_t pages, pos = 1;
    int flags, records = 0;
    twin_sqlite *db = NULL;
    twin_sqlite_options o;
    twin_graph *g = NULL;
    twin_store *st = NULL;
    twin_ingest *ing = NULL;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_status s;
    FILE *f;
    if (size < 1) return 0;
    flags = data[0];
    sd = &seeds[(flags >> 1) & 1];
    pages = sd->size / PAGE;
    img = malloc(sd->size);
    if (!img) return 0;
    memcpy(img, sd->bytes, sd->size);
    while (pos + 5 <= size) {
        size_t pg = (size_t)(data[pos] | data[pos + 1] << 8) % pages;
        size_t off = (size_t)(data[pos + 2] | data[pos + 3] << 8) % PAGE;
        size_t len = data[pos + 4], at = pg * PAGE + off;
        pos += 5;
        if (len > size - pos) len = size - pos;
        if (len > sd->size - at) len = sd->size - at;
        memcpy(img + at, data + pos, len);
        pos += data[pos - 1] < size - pos ? data[pos - 1] : size - pos;
        records++;
    }
    rm_files(path);
    f = fopen(path, "wb");
    if (!f || fwrite(img, 1, sd->size, f) != sd->size || fclose(f) != 0) die("write", path);
    free(img);
    if (flags & 8) reseal(path);

    twin_sqlite_options_init(&o);
    o.flags = (flags & 1) ? TWIN_SQLITE_READONLY : 0;
    o.busy_timeout_ms = 0;
    s = twin_sqlite_open(&db, path, &o);
    if (!db) die("open", "no handle");
    failed(db, s);
    if (s == TWIN_OK) {
        if (twin_graph_create(&g, NULL) != TWIN_OK) abort();
        twin_ingest_options_init(&io);
        if (!(flags & 1)) {
            NEED(db, twin_sqlite_callbacks(db, &cb));
            twin_store_options_init(&so);
            so.callbacks = &cb;
            so.outbox_bytes = 16384; /* the default MiB costs each run its zeroing */
            if (twin_store_create(&st, g, &so) != TWIN_OK) abort();
            io.store = st;
        }
        if (twin_ingest_create(&ing, g, &io) != TWIN_OK) abort();
        s = twin_sqlite_load(db, g, ing, NULL);
        failed(db, s);
        if (!records && s != TWIN_OK) die("the intact seed does not load", twin_sqlite_last_error(db)->message);
        if (s == TWIN_OK) {
            twin_sqlite_counts c;
            uint64_t cur = 0, bad;
            twin_signal h;
            check_graph(g, ing, sd, !records);
            while (twin_ingest_signals_next(ing, &cur, &h) == TWIN_OK) {
                const char *tw, *name, *unit;
                NEED(NULL, twin_ingest_signal_info(ing, h, &tw, &name, &unit));
                read_signal(db, tw, name);
            }
            failed(db, twin_sqlite_check_blocks(db, bad_block, NULL, &bad));
            if (flags & 16) /* slow (SQLite's dbstat): a quarter of a run's time */
                failed(db, twin_sqlite_tier_info_each(db, tier_info, NULL));
            failed(db, twin_sqlite_policies(db, policy_fn, NULL));
            failed(db, twin_sqlite_documents(db, "dtdl", doc_fn, NULL));
            memset(&c, 0, sizeof c);
            c.size = sizeof c;
            failed(db, twin_sqlite_get_counts(db, &c));
            if ((flags & 4) && st) write_more(db, st, ing);
        }
    }
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    rm_files(path);
    return 0;
}
