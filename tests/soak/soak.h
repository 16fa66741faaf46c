/* The soak test of issue 21: shared declarations of the supervisor
 * (supervisor.c), the child that ingests (child.c), the plant's signals
 * (plant.c), the fault-injecting store wrapper (faults.c) and the ground
 * truth log (truth.c). See README.md in this directory. */
#ifndef SOAK_H
#define SOAK_H

#include <twin/twin.h>
#include <twin/sqlite.h>

#include <stddef.h>
#include <stdint.h>

/* ---- random numbers ------------------------------------------------------ */
uint64_t soak_rand(uint64_t *s);
/* Uniform in [0, n). */
uint64_t soak_below(uint64_t *s, uint64_t n);
/* Uniform in [0, 1). */
double soak_unit(uint64_t *s);
/* Monotonic time in nanoseconds. */
int64_t soak_now_ns(void);
void soak_sleep_ms(long ms);
uint64_t soak_mix(uint64_t z);

/* ---- the plant ------------------------------------------------------------ */
/* One telemetry signal of a twin of the factory plant. */
typedef struct soak_signal {
    char twin[64];
    const char *name;
    const char *unit;  /* DTDL unit; NULL for none */
    double base;       /* typical value */
    int health;        /* 1: a health model is attached */
} soak_signal;

/* The plant's signals in a fixed order: the twins of `g` in iteration order
 * (the store's row order), each with the telemetry of its model (inherited
 * contents included). Returns the number, fills *out (malloc'd). */
size_t soak_plant_signals(twin_graph *g, soak_signal **out);

/* ---- ground truth --------------------------------------------------------- */
/* What a sample offered is meant to be (the generator's intent). Only
 * FRESH samples can legitimately be accepted. */
enum soak_kind {
    K_FRESH = 0,     /* a new timestamp (regular, or late within the window) */
    K_DUP = 1,       /* an exact copy of a recently accepted sample */
    K_CONFLICT = 2,  /* a recently accepted timestamp, another value */
    K_STALE = 3,     /* far older than the signal's latest */
    K_NOTFINITE = 4, /* NaN or infinite value */
    K_BYNAME = 5,    /* by name: unknown twin, unknown signal or bad unit */
    K_LATE = 6,      /* a new timestamp older than the latest, within the window */
    SOAK_KINDS = 7
};

/* Faults the child injects (the supervisor's own are counted apart). */
enum soak_fault {
    F_CB_FAIL = 0,      /* one storage callback fails (TWIN_E_IO) */
    F_CB_INTERRUPT = 1, /* a callback inside a transaction made to fail in SQLite */
    F_COMMIT_VETO = 2,  /* a flush whose COMMIT SQLite refuses (rolled back) */
    F_BACKPRESSURE = 3, /* an episode of callbacks refusing with TWIN_E_BUSY */
    F_SLOW = 4,         /* an episode of slow callbacks */
    F_CLOCK_FWD = 5,    /* the plant clock steps forward */
    F_CLOCK_BACK = 6,   /* the plant clock steps back */
    F_BUSY_WRITE = 7,   /* an ingest write call refused with TWIN_E_BUSY (effect) */
    F_FLUSH_FAIL = 8,   /* twin_store_flush() failed (effect) */
    F_CB_FAILED = 9,    /* callbacks that returned a failure (effect, all causes) */
    SOAK_FAULTS = 10
};

/* A sample as logged: signal index (0xFFFF: by name), intent, time, value. */
typedef struct soak_rec {
    uint16_t sig;
    uint8_t kind;
    uint8_t reserved_;
    uint32_t reserved2_;
    int64_t t;
    double v;
} soak_rec;

/* Per signal: what the store must hold (confirmed accepted samples). */
typedef struct soak_sum {
    uint64_t count;
    uint64_t hash;  /* sum of soak_sample_hash() */
} soak_sum;

uint64_t soak_sample_hash(int64_t t, double v);

typedef struct soak_counts {
    uint64_t offered;
    uint64_t kind[SOAK_KINDS];
    uint64_t outcome[TWIN_INGEST_OUTCOMES];
    uint64_t faults[SOAK_FAULTS];
    uint64_t write_calls, flushes_ok;
} soak_counts;

/* The state a log replays into. The child keeps one as it writes the log;
 * the supervisor replays the log of a dead child into one. */
typedef struct soak_truth {
    size_t nsig;
    soak_sum *sum;        /* confirmed, per signal */
    soak_counts c;
    soak_rec *pending;    /* accepted, not confirmed yet, in acceptance order */
    size_t npending, cappending;
    soak_rec *offer;      /* the last batch offered, until its result */
    size_t noffer, capoffer;
    int in_flight;        /* 1: an offer without its result */
} soak_truth;

void soak_truth_init(soak_truth *s, size_t nsig);
void soak_truth_free(soak_truth *s);
void soak_truth_offer(soak_truth *s, const soak_rec *r, size_t n);
/* outcomes: noffer bytes. */
void soak_truth_result(soak_truth *s, const uint8_t *outcomes);
void soak_truth_commit(soak_truth *s);
void soak_truth_fault(soak_truth *s, int kind, uint32_t n);
void soak_truth_confirm(soak_truth *s, const soak_rec *r);

/* ---- the log -------------------------------------------------------------- */
/* Record types. */
#define LOG_OFFER 'O'
#define LOG_RESULT 'R'
#define LOG_COMMIT 'C'
#define LOG_FAULT 'F'

typedef struct soak_log {
    char dir[512];
    unsigned life;
    uint64_t seg;       /* current segment */
    int fd;
    unsigned char *buf;
    size_t len, cap;
} soak_log;

int soak_log_open(soak_log *l, const char *dir, unsigned life);
void soak_log_offer(soak_log *l, const soak_rec *r, size_t n);
void soak_log_result(soak_log *l, const uint8_t *o, size_t n);
void soak_log_commit(soak_log *l);
void soak_log_fault(soak_log *l, int kind, uint32_t n);
/* Hand what is buffered to the kernel (survives a SIGKILL). */
int soak_log_push(soak_log *l);
/* At a commit: save the truth (it covers every record so far) and start a
 * new segment. */
int soak_log_roll(soak_log *l, const soak_truth *t);
void soak_log_close(soak_log *l);
/* Replay life `life`'s summary and segments into t (initialised with nsig).
 * Returns 0, or -1 with a message on a malformed log. */
int soak_log_replay(const char *dir, unsigned life, soak_truth *t, char *msg, size_t cap);
/* Remove a life's files. */
void soak_log_remove(const char *dir, unsigned life);

/* ---- the store wrapper ---------------------------------------------------- */
typedef struct soak_faults {
    twin_store_callbacks real;
    struct sqlite3 *conn;
    uint64_t *rng;
    soak_log *log;
    soak_truth *truth;
    int fail_next;        /* > 0: the fail_next-th callback from now fails */
    int veto_next;        /* the next flush's COMMIT is refused */
    int64_t busy_until;   /* ns: callbacks refuse with TWIN_E_BUSY until then */
    int64_t slow_until;   /* ns: callbacks sleep until then */
    int interrupt;        /* the progress handler interrupts the statement */
    int enabled;
} soak_faults;

/* Wrap the callbacks of db into out (ud: f). */
void soak_faults_wrap(soak_faults *f, twin_sqlite *db, twin_store_callbacks *out);

/* ---- the child ------------------------------------------------------------ */
typedef struct soak_child_args {
    const char *db_path;
    const char *dir;
    unsigned life;
    uint64_t seed;
    double fault_rate;  /* scales the child's fault probabilities */
} soak_child_args;

/* Runs until SIGTERM (then flushes and exits 0) or SIGKILL. Never returns. */
void soak_child(const soak_child_args *a);

#endif
