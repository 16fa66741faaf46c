/* The soak of issue 21: a supervisor drives children that ingest the
 * factory plant into libtwin with faults injected, kills them (SIGKILL)
 * and restarts them from their store, locks the SQLite file from another
 * process for a while, then checks that the store holds exactly the
 * samples the library accepted and confirmed, and that memory did not grow.
 *
 *   soak --db-dir DIR --plant examples/factory/plant.ndjson
 *        --twinctl build/tools/twinctl/twinctl [--seconds N] [--seed S]
 *        [--fault-rate X] [--no-kill] [--verify-every N]
 *
 * Exit 0 when nothing was lost, duplicated or changed and memory did not
 * grow; 1 otherwise; 2 on a usage or set-up error. */
#define _POSIX_C_SOURCE 200809L
#include "soak.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LIVES 100000
#define GROWTH_LIMIT_KIB (32 * 1024)

typedef struct life_rss {
    long warm, end;  /* KiB; -1 when not sampled */
    double seconds;
    int killed;
} life_rss;

static struct {
    const char *dir, *plant, *twinctl;
    long seconds;
    uint64_t seed;
    double fault_rate;
    int kill;
    int verify_every;
} opt = {NULL, NULL, NULL, 60, 1, 1.0, 1, 10};

static char db_path[600];
static soak_signal *sig;
static size_t nsig;
static soak_sum *truth;  /* per signal: what the store must hold */
static soak_counts total;
static uint64_t kills, locks, locks_missed, restarts, unconf_stored, unconf_lost,
    inflight_stored, order_violations, verifies, child_failures;
static life_rss *rss;
static unsigned nlives;

static long rss_kib(pid_t pid)
{
    char p[64];
    long pages = -1, resident = -1;
    FILE *f;
    snprintf(p, sizeof p, "/proc/%d/statm", (int)pid);
    if (!(f = fopen(p, "r"))) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Another process holds the database's write lock for hold_ms. */
static pid_t start_locker(long hold_ms)
{
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *c;
        int ok;
        if (sqlite3_open_v2(db_path, &c, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) _exit(1);
        sqlite3_busy_timeout(c, 3000);
        ok = sqlite3_exec(c, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK;
        if (ok) soak_sleep_ms(hold_ms);
        sqlite3_exec(c, ok ? "COMMIT" : "SELECT 1", NULL, NULL, NULL);
        sqlite3_close(c);
        _exit(ok ? 0 : 1);
    }
    return pid;
}

typedef struct probe {
    int64_t t;
    double v;
    int found;
} probe;

static twin_status probe_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    probe *p = ud;
    size_t k;
    for (k = 0; k < n; k++)
        if (t[k] == p->t && memcmp(&v[k], &p->v, sizeof p->v) == 0) p->found++;
    return TWIN_OK;
}

static int store_has(twin_sqlite *db, const soak_rec *r)
{
    probe p = {r->t, r->v, 0};
    twin_status s = twin_sqlite_read(db, sig[r->sig].twin, sig[r->sig].name, r->t, r->t + 1,
                                     probe_fn, &p);
    if (s != TWIN_OK && s != TWIN_E_NOTFOUND) {
        fprintf(stderr, "soak: read %s.%s: %s\n", sig[r->sig].twin, sig[r->sig].name,
                twin_sqlite_last_error(db)->message);
        return -1;
    }
    if (p.found > 1) return 2;
    return p.found;
}

static twin_sqlite *open_ro(void)
{
    twin_sqlite *db;
    twin_sqlite_options o;
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_READONLY;
    if (twin_sqlite_open(&db, db_path, &o) != TWIN_OK) {
        fprintf(stderr, "soak: open %s: %s\n", db_path, twin_sqlite_last_error(db)->message);
        exit(2);
    }
    return db;
}

/* A dead child's life: its confirmed samples join the truth; those it had
 * accepted but not confirmed (and those of the batch it was writing) are
 * looked for in the store: present ones join the truth, and they must be a
 * prefix of the acceptance order. */
static int reconcile(unsigned life)
{
    soak_truth t;
    char msg[256];
    twin_sqlite *db;
    size_t k;
    int absent = 0, bad = 0;
    soak_truth_init(&t, nsig);
    if (soak_log_replay(opt.dir, life, &t, msg, sizeof msg) != 0) {
        fprintf(stderr, "soak: life %u: log: %s\n", life, msg);
        soak_truth_free(&t);
        return -1;
    }
    db = open_ro();
    for (k = 0; k < t.npending; k++) {
        int h = store_has(db, &t.pending[k]);
        if (h < 0 || h > 1) bad = 1;
        if (h == 1) {
            if (absent) order_violations++;
            soak_truth_confirm(&t, &t.pending[k]);
            unconf_stored++;
        } else {
            absent = 1;
            unconf_lost++;
        }
    }
    if (t.in_flight)
        for (k = 0; k < t.noffer; k++) {
            const soak_rec *r = &t.offer[k];
            int h;
            if (r->sig >= nsig || (r->kind != K_FRESH && r->kind != K_LATE)) continue;
            h = store_has(db, r);
            if (h < 0 || h > 1) bad = 1;
            if (h == 1) {
                if (absent) order_violations++;
                soak_truth_confirm(&t, r);
                inflight_stored++;
            }
        }
    twin_sqlite_close(db);
    for (k = 0; k < nsig; k++) {
        truth[k].count += t.sum[k].count;
        truth[k].hash += t.sum[k].hash;
    }
    {
        uint64_t *a = (uint64_t *)&total;
        const uint64_t *b = (const uint64_t *)&t.c;
        for (k = 0; k < sizeof total / sizeof(uint64_t); k++) a[k] += b[k];
    }
    soak_truth_free(&t);
    return bad ? -1 : 0;
}

typedef struct scan {
    uint64_t count, hash, nonincreasing;
    int64_t last;
} scan;

static twin_status scan_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    scan *s = ud;
    size_t k;
    for (k = 0; k < n; k++) {
        if (s->count && t[k] <= s->last) s->nonincreasing++;
        s->last = t[k];
        s->count++;
        s->hash += soak_sample_hash(t[k], v[k]);
    }
    return TWIN_OK;
}

typedef struct verdict {
    uint64_t stored, expected, losses, extra, dups, mismatched, bad_blocks;
    int integrity_ok;
} verdict;

/* The whole store against the truth. */
static void verify(verdict *out)
{
    twin_sqlite *db = open_ro();
    sqlite3 *c;
    sqlite3_stmt *st;
    size_t k;
    memset(out, 0, sizeof *out);
    for (k = 0; k < nsig; k++) {
        scan s = {0, 0, 0, 0};
        twin_status r = twin_sqlite_read(db, sig[k].twin, sig[k].name, INT64_MIN, INT64_MAX,
                                         scan_fn, &s);
        if (r != TWIN_OK && !(r == TWIN_E_NOTFOUND && truth[k].count == 0)) {
            fprintf(stderr, "soak: read %s.%s: %s\n", sig[k].twin, sig[k].name,
                    twin_sqlite_last_error(db)->message);
            out->mismatched++;
        }
        out->stored += s.count;
        out->expected += truth[k].count;
        out->dups += s.nonincreasing;
        if (s.count < truth[k].count) out->losses += truth[k].count - s.count;
        if (s.count > truth[k].count) out->extra += s.count - truth[k].count;
        if (s.count == truth[k].count && s.hash != truth[k].hash) {
            fprintf(stderr, "soak: %s.%s: %llu samples as expected, but not the same ones\n",
                    sig[k].twin, sig[k].name, (unsigned long long)s.count);
            out->mismatched++;
        }
        if (s.count != truth[k].count)
            fprintf(stderr, "soak: %s.%s: %llu samples stored, %llu expected\n", sig[k].twin,
                    sig[k].name, (unsigned long long)s.count,
                    (unsigned long long)truth[k].count);
    }
    twin_sqlite_check_blocks(db, NULL, NULL, &out->bad_blocks);
    twin_sqlite_close(db);
    out->integrity_ok = 0;
    if (sqlite3_open_v2(db_path, &c, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            out->integrity_ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
        sqlite3_finalize(st);
    }
    sqlite3_close(c);
    verifies++;
}

static int verdict_ok(const verdict *v)
{
    return !v->losses && !v->extra && !v->dups && !v->mismatched && !v->bad_blocks &&
           v->integrity_ok;
}

static void usage(void)
{
    fprintf(stderr, "usage: soak --db-dir DIR --plant PLANT.ndjson --twinctl TWINCTL"
                    " [--seconds N] [--seed S] [--fault-rate X] [--no-kill]"
                    " [--verify-every N]\n");
    exit(2);
}

static void setup(void)
{
    char cmd[2048];
    twin_sqlite *db;
    twin_graph *g;
    snprintf(db_path, sizeof db_path, "%s/plant.db", opt.dir);
    if (access(db_path, F_OK) == 0) {
        fprintf(stderr, "soak: %s exists: give an empty --db-dir\n", db_path);
        exit(2);
    }
    snprintf(cmd, sizeof cmd, "'%s' import -q -d '%s' '%s'", opt.twinctl, db_path, opt.plant);
    if (system(cmd) != 0) {
        fprintf(stderr, "soak: %s failed\n", cmd);
        exit(2);
    }
    db = open_ro();
    twin_graph_create(&g, NULL);
    if (twin_sqlite_load(db, g, NULL, NULL) != TWIN_OK) {
        fprintf(stderr, "soak: load: %s\n", twin_sqlite_last_error(db)->message);
        exit(2);
    }
    nsig = soak_plant_signals(g, &sig);
    printf("soak: plant %s: %zu twins, %zu relationships, %zu signals\n", opt.plant,
           twin_graph_twin_count(g), twin_graph_relationship_count(g), nsig);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    truth = calloc(nsig, sizeof *truth);
    rss = calloc(MAX_LIVES, sizeof *rss);
    if (!truth || !rss || !nsig) exit(2);
}

int main(int argc, char **argv)
{
    int i;
    uint64_t rng;
    int64_t t0, deadline;
    verdict v;
    int failed = 0;
    if (argc == 7 && strcmp(argv[1], "--child") == 0) {
        soak_child_args ca;
        ca.db_path = argv[2];
        ca.dir = argv[3];
        ca.life = (unsigned)strtoul(argv[4], NULL, 10);
        ca.seed = strtoull(argv[5], NULL, 10);
        ca.fault_rate = atof(argv[6]);
        soak_child(&ca);
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-kill") == 0) {
            opt.kill = 0;
            continue;
        }
        if (!val) usage();
        if (strcmp(a, "--db-dir") == 0) opt.dir = val;
        else if (strcmp(a, "--plant") == 0) opt.plant = val;
        else if (strcmp(a, "--twinctl") == 0) opt.twinctl = val;
        else if (strcmp(a, "--seconds") == 0) opt.seconds = atol(val);
        else if (strcmp(a, "--seed") == 0) opt.seed = strtoull(val, NULL, 0);
        else if (strcmp(a, "--fault-rate") == 0) opt.fault_rate = atof(val);
        else if (strcmp(a, "--verify-every") == 0) opt.verify_every = atoi(val);
        else usage();
        i++;
    }
    if (!opt.dir || !opt.plant || !opt.twinctl || opt.seconds <= 0) usage();
    setvbuf(stdout, NULL, _IOLBF, 0);
    setup();
    rng = opt.seed * 0x9e3779b97f4a7c15ull + 1;
    t0 = soak_now_ns();
    deadline = t0 + (int64_t)opt.seconds * 1000000000LL;
    while (nlives < MAX_LIVES) {
        soak_child_args ca = {db_path, opt.dir, nlives, soak_rand(&rng), opt.fault_rate};
        int64_t start = soak_now_ns(), end;
        int64_t span = opt.seconds / 5 < 3 ? 3 : opt.seconds / 5 > 44 ? 44 : opt.seconds / 5;
        /* lives of 2 to 45 s (shorter in short runs), each ended by SIGKILL */
        int64_t len_s = opt.kill ? 2 + (int64_t)soak_below(&rng, (uint64_t)span) : opt.seconds;
        pid_t pid, locker = 0;
        int st, last = 0, died = 0;
        life_rss *lr = &rss[nlives];
        end = start + len_s * 1000000000LL;
        if (end + 2000000000LL > deadline) {
            end = deadline;
            last = 1;
        }
        lr->warm = lr->end = -1;
        fflush(NULL);
        pid = fork();
        if (pid < 0) exit(2);
        if (pid == 0) {
            /* a fresh image: the child's resident memory is its own, not
               the supervisor's pages shared after fork() */
            char life[32], seed[32], rate[32];
            snprintf(life, sizeof life, "%u", ca.life);
            snprintf(seed, sizeof seed, "%llu", (unsigned long long)ca.seed);
            snprintf(rate, sizeof rate, "%.17g", ca.fault_rate);
            execl("/proc/self/exe", "soak", "--child", db_path, opt.dir, life, seed, rate,
                  (char *)NULL);
            perror("soak: exec");
            _exit(4);
        }
        while (soak_now_ns() < end) {
            long r;
            soak_sleep_ms(250);
            if (waitpid(pid, &st, WNOHANG) == pid) {
                died = 1;
                break;
            }
            r = rss_kib(pid);
            if (r > 0) {
                if (lr->warm < 0 && soak_now_ns() - start > 5000000000LL) lr->warm = r;
                lr->end = r;
            }
            if (locker > 0 && waitpid(locker, &st, WNOHANG) == locker) {
                if (WIFEXITED(st) && WEXITSTATUS(st) == 0) locks++;
                else locks_missed++;
                locker = 0;
            }
            if (locker == 0 && opt.fault_rate > 0 && soak_unit(&rng) < 0.02 * opt.fault_rate)
                locker = start_locker(200 + (long)soak_below(&rng, 2300));
        }
        if (died) {
            fprintf(stderr, "soak: life %u: the child died on its own (%s %d)\n", nlives,
                    WIFEXITED(st) ? "exit" : "signal",
                    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            child_failures++;
            failed = 1;
        } else if (last) {
            kill(pid, SIGTERM);
            waitpid(pid, &st, 0);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "soak: the last child did not end cleanly\n");
                child_failures++;
                failed = 1;
            }
        } else {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            kills++;
            lr->killed = 1;
        }
        if (locker > 0) {
            waitpid(locker, &st, 0);
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0) locks++;
            else locks_missed++;
        }
        lr->seconds = (double)(soak_now_ns() - start) / 1e9;
        if (reconcile(nlives) != 0) failed = 1;
        soak_log_remove(opt.dir, nlives);
        nlives++;
        if (failed || last) break;
        restarts++;
        if (opt.verify_every > 0 && nlives % (unsigned)opt.verify_every == 0) {
            verify(&v);
            printf("soak: %.0f s, life %u: %llu samples stored, %s\n",
                   (double)(soak_now_ns() - t0) / 1e9, nlives, (unsigned long long)v.stored,
                   verdict_ok(&v) ? "store = accepted" : "MISMATCH");
            if (!verdict_ok(&v)) {
                failed = 1;
                break;
            }
        }
    }
    verify(&v);
    if (!verdict_ok(&v)) failed = 1;

    /* ---- summary ---- */
    {
        const uint64_t *o = total.outcome, *f = total.faults, *kd = total.kind;
        long warm0 = -1, end_last = -1, max_in = 0, first_end = -1;
        unsigned l, nw = 0, q;
        double a1 = 0, a2 = 0;
        unsigned n1 = 0, n2 = 0;
        printf("soak: ran %.0f s, seed %llu, fault rate %g\n", (double)(soak_now_ns() - t0) / 1e9,
               (unsigned long long)opt.seed, opt.fault_rate);
        printf("soak: lives %u, restarts %llu (after %llu SIGKILLs), write calls %llu\n", nlives,
               (unsigned long long)restarts, (unsigned long long)kills,
               (unsigned long long)total.write_calls);
        printf("soak: samples offered %llu: accepted %llu (latest %llu, late %llu), rejected %llu\n",
               (unsigned long long)total.offered, (unsigned long long)(o[0] + o[1]),
               (unsigned long long)o[0], (unsigned long long)o[1],
               (unsigned long long)(total.offered - o[0] - o[1]));
        printf("soak: rejected by reason: duplicate %llu, unknown twin %llu, unknown signal %llu,"
               " not finite %llu, bad unit %llu, out of order %llu, conflict %llu,"
               " not processed (store busy) %llu\n",
               (unsigned long long)o[2], (unsigned long long)o[3], (unsigned long long)o[4],
               (unsigned long long)o[5], (unsigned long long)o[6], (unsigned long long)o[7],
               (unsigned long long)o[8], (unsigned long long)o[9]);
        printf("soak: offered by intent: fresh %llu, late %llu, duplicate %llu, conflict %llu,"
               " stale %llu, not finite %llu, malformed by name %llu\n",
               (unsigned long long)kd[K_FRESH], (unsigned long long)kd[K_LATE],
               (unsigned long long)kd[K_DUP], (unsigned long long)kd[K_CONFLICT],
               (unsigned long long)kd[K_STALE], (unsigned long long)kd[K_NOTFINITE],
               (unsigned long long)kd[K_BYNAME]);
        printf("soak: faults: SIGKILL %llu, database locked by another process %llu"
               " (%llu lockers found it busy), callback failures %llu, callbacks failed inside"
               " a transaction %llu, commits refused %llu, back-pressure episodes %llu,"
               " slow-store episodes %llu, clock steps forward %llu, back %llu\n",
               (unsigned long long)kills, (unsigned long long)locks,
               (unsigned long long)locks_missed, (unsigned long long)f[F_CB_FAIL],
               (unsigned long long)f[F_CB_INTERRUPT], (unsigned long long)f[F_COMMIT_VETO],
               (unsigned long long)f[F_BACKPRESSURE], (unsigned long long)f[F_SLOW],
               (unsigned long long)f[F_CLOCK_FWD], (unsigned long long)f[F_CLOCK_BACK]);
        printf("soak: effects: callbacks returned failures %llu, flushes failed %llu, flushes"
               " confirmed %llu, write calls refused busy %llu\n",
               (unsigned long long)f[F_CB_FAILED], (unsigned long long)f[F_FLUSH_FAIL],
               (unsigned long long)total.flushes_ok, (unsigned long long)f[F_BUSY_WRITE]);
        printf("soak: at the kills: accepted but unconfirmed %llu (found stored %llu, not stored"
               " %llu), of the batch being written found stored %llu; commit order violations"
               " %llu\n",
               (unsigned long long)(unconf_stored + unconf_lost), (unsigned long long)unconf_stored,
               (unsigned long long)unconf_lost, (unsigned long long)inflight_stored,
               (unsigned long long)order_violations);
        printf("soak: store: %llu samples in %zu signals, %llu expected: losses %llu,"
               " duplicates %llu, extra %llu, mismatched signals %llu, bad blocks %llu,"
               " integrity %s (%llu full checks)\n",
               (unsigned long long)v.stored, nsig, (unsigned long long)v.expected,
               (unsigned long long)v.losses, (unsigned long long)v.dups,
               (unsigned long long)v.extra, (unsigned long long)v.mismatched,
               (unsigned long long)v.bad_blocks, v.integrity_ok ? "ok" : "FAILED",
               (unsigned long long)verifies);
        /* memory: within each life after warm-up (5 s), and across lives */
        for (l = 0; l < nlives; l++) {
            if (rss[l].warm < 0) continue;
            if (warm0 < 0) {
                warm0 = rss[l].warm;
                first_end = rss[l].end;
            }
            end_last = rss[l].end;
            if (rss[l].end - rss[l].warm > max_in) max_in = rss[l].end - rss[l].warm;
            nw++;
        }
        q = nw / 4 ? nw / 4 : 1;
        for (l = 0, i = 0; l < nlives; l++) {
            if (rss[l].warm < 0) continue;
            if ((unsigned)i < q) {
                a1 += (double)rss[l].end;
                n1++;
            }
            if ((unsigned)i >= nw - q) {
                a2 += (double)rss[l].end;
                n2++;
            }
            i++;
        }
        if (n1) a1 /= n1;
        if (n2) a2 /= n2;
        printf("soak: rss (KiB): first life after warm-up start %ld end %ld; last life end %ld;"
               " largest growth within a life %ld; mean end rss of the first quarter of lives"
               " %.0f, of the last quarter %.0f (%u lives sampled)\n",
               warm0, first_end, end_last, max_in, a1, a2, nw);
        if (max_in > GROWTH_LIMIT_KIB || (n1 && n2 && a2 - a1 > GROWTH_LIMIT_KIB)) {
            printf("soak: memory grew by more than %d KiB\n", GROWTH_LIMIT_KIB);
            failed = 1;
        }
        if (order_violations || child_failures) failed = 1;
        printf("soak: losses %llu, duplicates %llu: %s\n", (unsigned long long)v.losses,
               (unsigned long long)(v.dups + v.extra), failed ? "FAIL" : "PASS");
    }
    return failed ? 1 : 0;
}
