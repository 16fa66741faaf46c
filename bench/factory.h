/* A deterministic synthetic factory graph for the benchmarks.
 *
 * Twins are numbered 0..n-1 in hierarchy order (depth-first preorder):
 *
 *   0                       the site
 *   per line (FACTORY_LINE_TWINS = 1011 twins each):
 *     the line, then per cell (10 per line):
 *       the cell, then per machine (5 per cell, 50 per line):
 *         the machine, then its 19 parts
 *   the zones               (the rest, at least FACTORY_MIN_ZONES)
 *
 * Relationships (directed, named), emitted grouped by source in twin order:
 *
 *   contains   site -> each line and each zone, line -> its cells,
 *              cell -> its machines, machine -> its parts        (n - 1)
 *   feeds      machine -> the next machine of its line            (49 per line)
 *   locatedIn  machine and each of its parts -> the machine's zone (1000 per line)
 *   drives     part k -> part k+1 of the same machine             (18 per machine)
 *   monitors   machine -> a part of a machine on another line     (1 per machine)
 *
 * Zones have no outgoing relationships, parts only reach later parts of
 * their machine and a zone, so the downstream closure of a machine is the
 * rest of its line, what those machines contain, their zones and the parts
 * they monitor on other lines: about 30 to 1,700 twins. The whole graph is
 * reachable from the site. With n = 1,000,000: 988 lines, 1131 zones,
 * 2,975,011 relationships.
 *
 * Twin ids are 20 bytes: "twin-" and 15 digits of the twin's number. */
#ifndef BENCH_FACTORY_H
#define BENCH_FACTORY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    FACTORY_PARTS = 19,                               /* per machine */
    FACTORY_MACHINE_TWINS = 1 + FACTORY_PARTS,        /* 20 */
    FACTORY_MACHINES = 5,                             /* per cell */
    FACTORY_CELL_TWINS = 1 + FACTORY_MACHINES * FACTORY_MACHINE_TWINS, /* 101 */
    FACTORY_CELLS = 10,                               /* per line */
    FACTORY_LINE_MACHINES = FACTORY_CELLS * FACTORY_MACHINES,          /* 50 */
    FACTORY_LINE_TWINS = 1 + FACTORY_CELLS * FACTORY_CELL_TWINS,       /* 1011 */
    FACTORY_MIN_ZONES = 1000,
    FACTORY_ID_LEN = 20,
    FACTORY_NROOTS = 100
};

/* Relationship names, by the index stored in factory.name[]. */
enum { FACTORY_CONTAINS, FACTORY_FEEDS, FACTORY_LOCATED_IN, FACTORY_DRIVES, FACTORY_MONITORS,
       FACTORY_NNAMES };
static const char *const factory_names[FACTORY_NNAMES] = {
    "contains", "feeds", "locatedIn", "drives", "monitors",
};

enum { FACTORY_SITE, FACTORY_LINE, FACTORY_CELL, FACTORY_MACHINE, FACTORY_PART, FACTORY_ZONE };
static const char *const factory_models[] = {
    "dtmi:factory:Site;1", "dtmi:factory:Line;1", "dtmi:factory:Cell;1",
    "dtmi:factory:Machine;1", "dtmi:factory:Part;1", "dtmi:factory:Zone;1",
};

typedef struct factory {
    uint32_t n;          /* twins */
    uint32_t lines;      /* production lines */
    uint32_t zones;      /* zones (the last twins) */
    uint64_t m;          /* relationships */
    uint32_t *src;       /* m sources, non-decreasing (grouped by source, twin order) */
    uint32_t *dst;       /* m targets */
    uint8_t *name;       /* m name indexes into factory_names */
    uint32_t roots[FACTORY_NROOTS]; /* machines spread over the lines */
} factory;

/* "twin-" and 15 digits, NUL-terminated (buf holds at least 21 bytes);
 * formatted by hand so that a benchmark measures the library, not snprintf. */
static inline void factory_twin_id(char *buf, uint32_t i)
{
    memcpy(buf, "twin-", 5);
    for (int k = FACTORY_ID_LEN - 1; k >= 5; k--) {
        buf[k] = (char)('0' + i % 10);
        i /= 10;
    }
    buf[FACTORY_ID_LEN] = '\0';
}

static inline uint64_t factory_mix(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static inline uint32_t factory_line_base(uint32_t line)
{
    return 1u + line * (uint32_t)FACTORY_LINE_TWINS;
}

/* Twin number of machine j (0..49) of a line. */
static inline uint32_t factory_machine(uint32_t line, uint32_t j)
{
    return factory_line_base(line) + 1u + (j / FACTORY_MACHINES) * FACTORY_CELL_TWINS + 1u +
           (j % FACTORY_MACHINES) * FACTORY_MACHINE_TWINS;
}

/* Kind of twin i (FACTORY_SITE...FACTORY_ZONE). */
static inline int factory_kind(const factory *f, uint32_t i)
{
    uint32_t r, c;
    if (i == 0) return FACTORY_SITE;
    if (i >= factory_line_base(f->lines)) return FACTORY_ZONE;
    r = (i - 1) % FACTORY_LINE_TWINS;
    if (r == 0) return FACTORY_LINE;
    c = (r - 1) % FACTORY_CELL_TWINS;
    if (c == 0) return FACTORY_CELL;
    return (c - 1) % FACTORY_MACHINE_TWINS == 0 ? FACTORY_MACHINE : FACTORY_PART;
}

static inline const char *factory_model(const factory *f, uint32_t i)
{
    return factory_models[factory_kind(f, i)];
}

static inline void factory_free(factory *f)
{
    free(f->src);
    free(f->dst);
    free(f->name);
    memset(f, 0, sizeof *f);
}

/* Build the factory of n twins (n >= FACTORY_LINE_TWINS + 1 + FACTORY_MIN_ZONES).
 * Returns 0, or -1 (n too small or out of memory). */
static inline int factory_build(factory *f, uint32_t n)
{
    uint64_t cap, m = 0;
    uint32_t zone0;

    memset(f, 0, sizeof *f);
    if (n < 1u + FACTORY_LINE_TWINS + FACTORY_MIN_ZONES) return -1;
    f->n = n;
    f->lines = (n - 1u - FACTORY_MIN_ZONES) / FACTORY_LINE_TWINS;
    zone0 = factory_line_base(f->lines);
    f->zones = n - zone0;
    /* Exact count: contains n-1; per line: feeds 49, locatedIn 1000,
       drives 50*18, monitors 50 (none with a single line). */
    cap = (uint64_t)(n - 1u) +
          (uint64_t)f->lines * (FACTORY_LINE_MACHINES - 1u +
                                FACTORY_LINE_MACHINES * FACTORY_MACHINE_TWINS +
                                FACTORY_LINE_MACHINES * (FACTORY_PARTS - 1u) +
                                (f->lines > 1 ? FACTORY_LINE_MACHINES : 0u));
    f->src = malloc(cap * sizeof *f->src);
    f->dst = malloc(cap * sizeof *f->dst);
    f->name = malloc(cap);
    if (!f->src || !f->dst || !f->name) {
        factory_free(f);
        return -1;
    }
#define FACTORY_EDGE(s, d, nm) \
    do { f->src[m] = (s); f->dst[m] = (d); f->name[m] = (uint8_t)(nm); m++; } while (0)

    /* The site contains the lines, then the zones. */
    for (uint32_t l = 0; l < f->lines; l++) FACTORY_EDGE(0u, factory_line_base(l), FACTORY_CONTAINS);
    for (uint32_t z = 0; z < f->zones; z++) FACTORY_EDGE(0u, zone0 + z, FACTORY_CONTAINS);

    for (uint32_t l = 0; l < f->lines; l++) {
        uint32_t line = factory_line_base(l);
        for (uint32_t c = 0; c < FACTORY_CELLS; c++)
            FACTORY_EDGE(line, line + 1u + c * FACTORY_CELL_TWINS, FACTORY_CONTAINS);
        for (uint32_t c = 0; c < FACTORY_CELLS; c++) {
            uint32_t cell = line + 1u + c * FACTORY_CELL_TWINS;
            for (uint32_t k = 0; k < FACTORY_MACHINES; k++)
                FACTORY_EDGE(cell, cell + 1u + k * FACTORY_MACHINE_TWINS, FACTORY_CONTAINS);
            for (uint32_t k = 0; k < FACTORY_MACHINES; k++) {
                uint32_t j = c * FACTORY_MACHINES + k; /* position on the line */
                uint32_t mach = cell + 1u + k * FACTORY_MACHINE_TWINS;
                uint64_t h = factory_mix(((uint64_t)l << 32) | j);
                uint32_t zone = zone0 + (uint32_t)(h % f->zones);
                for (uint32_t p = 1; p <= FACTORY_PARTS; p++)
                    FACTORY_EDGE(mach, mach + p, FACTORY_CONTAINS);
                if (j + 1 < FACTORY_LINE_MACHINES)
                    FACTORY_EDGE(mach, factory_machine(l, j + 1), FACTORY_FEEDS);
                FACTORY_EDGE(mach, zone, FACTORY_LOCATED_IN);
                if (f->lines > 1) {
                    uint64_t h2 = factory_mix(h ^ 0x9e3779b97f4a7c15ull);
                    uint32_t ol = (uint32_t)((l + 1u + h2 % (f->lines - 1u)) % f->lines);
                    uint32_t oj = (uint32_t)((h2 >> 20) % FACTORY_LINE_MACHINES);
                    uint32_t op = 1u + (uint32_t)((h2 >> 40) % FACTORY_PARTS);
                    FACTORY_EDGE(mach, factory_machine(ol, oj) + op, FACTORY_MONITORS);
                }
                for (uint32_t p = 1; p <= FACTORY_PARTS; p++) {
                    if (p < FACTORY_PARTS) FACTORY_EDGE(mach + p, mach + p + 1u, FACTORY_DRIVES);
                    FACTORY_EDGE(mach + p, zone, FACTORY_LOCATED_IN);
                }
            }
        }
    }
#undef FACTORY_EDGE
    f->m = m;
    if (m != cap) {
        factory_free(f);
        return -1;
    }
    /* Roots: 100 machines spread over the lines, at positions 0..49 along
       their line in a fixed scramble, so closures range from the whole line
       down to one machine. */
    for (uint32_t r = 0; r < FACTORY_NROOTS; r++) {
        uint32_t l = (uint32_t)(((uint64_t)r * f->lines) / FACTORY_NROOTS);
        uint32_t j = (r * 37u + 11u) % FACTORY_LINE_MACHINES;
        f->roots[r] = factory_machine(l, j);
    }
    return 0;
}

#endif /* BENCH_FACTORY_H */
