/* Model-based test of the graph: long random sequences of adds and removes
 * (twins, relationships, models), checked against a plain reference model
 * after every step that changes something and in full every 500 steps.
 *
 * The identifier pools are small so that ids are reused after removal,
 * sources cross the 16-relationship threshold of the per-source index in
 * both directions, removed relationships pile up until a sweep, and long
 * twin ids make the string pool compact. Lists are checked in full order:
 * newest first, by the reference's insertion sequence. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "support/failalloc.h"
#include "support/run.h"

enum { NT = 120, NR = 48, MAXREL = NT * NR };

typedef struct ref_twin {
    int alive;
    int model;
} ref_twin;

typedef struct ref_rel {
    int alive;
    int dst, name;
    unsigned long seq;  /* insertion order */
} ref_rel;

static ref_twin rt[NT];
static ref_rel rr[NT][NR];  /* [source][rel id] */
static unsigned long seq;
static uint64_t rng;
static failalloc fa;
static twin_graph *g;

static const char *names[] = {"feeds", "partOf", "locatedIn"};

static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 33) % n;
}

static void tid(char *buf, int i)
{
    /* Long ids (about 60 bytes) so that removals make the pool compact. */
    snprintf(buf, 96, "site-3/building-%02d/floor-%d/room-%03d/air-handling-unit", i % 7, i % 5, i);
}

static void rid(char *buf, int k)
{
    snprintf(buf, 16, "rel-%d", k);
}

static void mid(char *buf, int m)
{
    snprintf(buf, 48, "dtmi:test:Model%d;1", m);
}

static int live_rels(void)
{
    int n = 0;
    for (int s = 0; s < NT; s++)
        for (int k = 0; k < NR; k++) n += rr[s][k].alive;
    return n;
}

static int twin_has_rels(int t)
{
    for (int s = 0; s < NT; s++)
        for (int k = 0; k < NR; k++)
            if (rr[s][k].alive && (s == t || rr[s][k].dst == t)) return 1;
    return 0;
}

/* Expected list of (source, rel) of twin t in one direction, newest first. */
static int expected(int t, twin_direction dir, int out[][2])
{
    int n = 0;
    for (int s = 0; s < NT; s++)
        for (int k = 0; k < NR; k++) {
            const ref_rel *r = &rr[s][k];
            if (!r->alive) continue;
            if ((dir == TWIN_DIRECTION_OUTGOING && s == t) ||
                (dir == TWIN_DIRECTION_INCOMING && r->dst == t)) {
                out[n][0] = s;
                out[n][1] = k;
                n++;
            }
        }
    for (int i = 1; i < n; i++)  /* insertion sort by seq, descending */
        for (int j = i; j > 0 && rr[out[j][0]][out[j][1]].seq > rr[out[j - 1][0]][out[j - 1][1]].seq;
             j--) {
            int a = out[j][0], b = out[j][1];
            out[j][0] = out[j - 1][0];
            out[j][1] = out[j - 1][1];
            out[j - 1][0] = a;
            out[j - 1][1] = b;
        }
    return n;
}

static void check_lists(int t)
{
    static int exp[MAXREL][2];
    twin_direction dirs[2] = {TWIN_DIRECTION_OUTGOING, TWIN_DIRECTION_INCOMING};
    char id[96], sid[96], r_id[16];
    tid(id, t);
    for (int d = 0; d < 2; d++) {
        twin_cursor c;
        twin_relationship r = TWIN_RELATIONSHIP_INIT;
        int n = expected(t, dirs[d], exp), i = 0;
        ck_assert_int_eq(twin_graph_relationships_begin(g, &c, id, dirs[d], NULL), TWIN_OK);
        while (twin_graph_relationships_next(g, &c, &r) == TWIN_OK) {
            ck_assert_msg(i < n, "twin %d dir %d: more relationships than expected", t, d);
            tid(sid, exp[i][0]);
            rid(r_id, exp[i][1]);
            ck_assert_str_eq(r.source_id, sid);
            ck_assert_str_eq(r.id, r_id);
            ck_assert_str_eq(r.name, names[rr[exp[i][0]][exp[i][1]].name]);
            i++;
        }
        ck_assert_msg(i == n, "twin %d dir %d: %d relationships, expected %d", t, d, i, n);
    }
}

static void check_all(void)
{
    char id[96], m[48], r_id[16], dst[96];
    int twins = 0;
    ck_assert_uint_eq(twin_graph_relationship_count(g), (size_t)live_rels());
    for (int t = 0; t < NT; t++) {
        const char *model;
        tid(id, t);
        twins += rt[t].alive;
        ck_assert_int_eq(twin_graph_find_twin(g, id, &model), rt[t].alive ? TWIN_OK : TWIN_E_NOTFOUND);
        if (!rt[t].alive) continue;
        mid(m, rt[t].model);
        ck_assert_str_eq(model, m);
        for (int k = 0; k < NR; k++) {
            twin_relationship r = TWIN_RELATIONSHIP_INIT;
            rid(r_id, k);
            ck_assert_int_eq(twin_graph_find_relationship(g, id, r_id, &r),
                             rr[t][k].alive ? TWIN_OK : TWIN_E_NOTFOUND);
            if (!rr[t][k].alive) continue;
            tid(dst, rr[t][k].dst);
            ck_assert_str_eq(r.target_id, dst);
        }
        check_lists(t);
    }
    ck_assert_uint_eq(twin_graph_twin_count(g), (size_t)twins);
}

static void step(void)
{
    char id[96], id2[96], m[48], r_id[16];
    unsigned op = rnd(100);
    int t = (int)rnd(NT), u = (int)rnd(NT), k = (int)rnd(NR);
    twin_status s;

    tid(id, t);
    tid(id2, u);
    rid(r_id, k);
    if (op < 20) {                                   /* add twin */
        int model = (int)rnd(6);
        mid(m, model);
        s = twin_graph_add_twin(g, id, m, NULL, 0);
        ck_assert_int_eq(s, rt[t].alive ? TWIN_E_EXISTS : TWIN_OK);
        if (s == TWIN_OK) rt[t].alive = 1, rt[t].model = model;
    } else if (op < 28) {                            /* remove twin */
        uint32_t flags = rnd(2) ? TWIN_REMOVE_RELATIONSHIPS : 0;
        twin_status want = !rt[t].alive ? TWIN_E_NOTFOUND
                           : (twin_has_rels(t) && !flags) ? TWIN_E_CONSTRAINT : TWIN_OK;
        ck_assert_int_eq(twin_graph_remove_twin(g, id, flags), want);
        if (want == TWIN_OK) {
            rt[t].alive = 0;
            for (int s2 = 0; s2 < NT; s2++)
                for (int k2 = 0; k2 < NR; k2++)
                    if (rr[s2][k2].alive && (s2 == t || rr[s2][k2].dst == t)) rr[s2][k2].alive = 0;
            if (rt[u].alive) check_lists(u);
        }
    } else if (op < 75) {                            /* add relationship */
        int name = (int)rnd(3);
        twin_status want = !rt[t].alive || !rt[u].alive ? TWIN_E_NOTFOUND
                           : rr[t][k].alive ? TWIN_E_EXISTS : TWIN_OK;
        ck_assert_int_eq(twin_graph_add_relationship(g, id, r_id, names[name], id2, NULL, 0), want);
        if (want == TWIN_OK) {
            rr[t][k].alive = 1;
            rr[t][k].dst = u;
            rr[t][k].name = name;
            rr[t][k].seq = ++seq;
            check_lists(t);
        }
    } else if (op < 95) {                            /* remove relationship */
        twin_status want = rt[t].alive && rr[t][k].alive ? TWIN_OK : TWIN_E_NOTFOUND;
        ck_assert_int_eq(twin_graph_remove_relationship(g, id, r_id), want);
        if (want == TWIN_OK) {
            int d = rr[t][k].dst;
            rr[t][k].alive = 0;
            check_lists(t);
            check_lists(d);
        }
    } else {                                         /* change model */
        int model = (int)rnd(6);
        mid(m, model);
        ck_assert_int_eq(twin_graph_set_model(g, id, m), rt[t].alive ? TWIN_OK : TWIN_E_NOTFOUND);
        if (rt[t].alive) rt[t].model = model;
    }
}

static void run(uint64_t seed, int steps)
{
    twin_graph_options o;
    memset(rt, 0, sizeof rt);
    memset(rr, 0, sizeof rr);
    seq = 0;
    rng = seed;
    failalloc_init(&fa);
    twin_graph_options_init(&o);
    o.alloc = &fa.alloc;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    for (int i = 0; i < steps; i++) {
        step();
        if (i % 500 == 499) check_all();
    }
    check_all();
    twin_graph_destroy(g);
    ck_assert_uint_eq(fa.live_bytes, 0);
    failalloc_fini(&fa);
}

START_TEST(test_graph_random_operations_match_reference)
{
    run(0x5eed0000u + (uint64_t)_i, 20000);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("graph_model");
    TCase *tc = tcase_create("random");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_graph_random_operations_match_reference, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(model_suite());
}
