/* libtwin-sqlite over damaged databases: the regression cases of the
 * corrupted-database fuzz target (tests/fuzz/fuzz_sqlite.c). Each case
 * makes, through SQLite on a valid store, the row the fuzzer reached by
 * overwriting pages, and checks that the library answers with a status
 * (or a sensible result) instead of crashing. The fault of the first case
 * (NULL + 0) is reported by clang's UBSan, as tests/fuzz/run builds, not
 * by gcc's (build-asan): here the case pins the behaviour. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sq_fixture.h"
#include "support/run.h"

/* Run SQL on the database at path on a connection of its own. */
static void poke(const char *path, const char *sql)
{
    sqlite3 *c;
    char *err = NULL;
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(c, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
    sqlite3_close(c);
}

/* A store with twins "a" (two properties) and "b", a relationship a -> b
   with a property, and a signal of a with a few samples. */
static void make_store(const char *path)
{
    twin_member m[2];
    twin_signal h;
    twin_signal_sample s[3];
    size_t done, k;
    sq x;
    sq_open(&x, path, 0, 1000);
    m[0].name = "rating";
    m[0].value = twin_value_double(7.5);
    m[1].name = "serial";
    m[1].value = twin_value_string("SN-1");
    ck_assert_int_eq(twin_store_add_twin(x.st, "a", "dtmi:t:A;1", m, 2), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(x.st, "b", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(x.st, "a", "r1", "feeds", "b", m, 1), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "a", "v", NULL, &h), TWIN_OK);
    for (k = 0; k < 3; k++) {
        s[k].signal = h;
        s[k].t_us = T0 + (int64_t)k * SEC;
        s[k].value = (double)k;
    }
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 3, NULL, &done), TWIN_OK);
    sq_close(&x, 1);
}

/* Found by fuzz_sqlite: a properties column holding an empty blob (a
   record header's serial type changed to 12) made the decoder compute
   NULL + 0 (sqlite3_column_blob() gives NULL for an empty blob), undefined
   behaviour. An empty blob now reads as no properties, as NULL does. */
START_TEST(test_empty_props_blob)
{
    const char *dir = sq_tmpdir();
    char path[256];
    const twin_member *mm;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    size_t n = 9;
    sq x;
    snprintf(path, sizeof path, "%s", sq_path(dir, "t.db"));
    make_store(path);
    poke(path, "UPDATE twins SET props = X'' WHERE id = 'a';"
               "UPDATE relationships SET props = zeroblob(0) WHERE id = 'r1'");
    sq_open(&x, path, 0, 1000);
    ck_assert_uint_eq(twin_graph_twin_count(x.g), 2);
    ck_assert_int_eq(twin_graph_get_properties(x.g, "a", &mm, &n), TWIN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(twin_graph_find_relationship(x.g, "a", "r1", &r), TWIN_OK);
    ck_assert_uint_eq(r.property_count, 0);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static Suite *corrupt_suite(void)
{
    Suite *s = suite_create("sqlite_corrupt");
    TCase *tc = tcase_create("corrupt");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_empty_props_blob);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(corrupt_suite());
}
