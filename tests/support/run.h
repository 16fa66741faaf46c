/* Shared main() body of the test executables. */
#ifndef TWIN_TESTS_RUN_H
#define TWIN_TESTS_RUN_H

#include <check.h>

/* Run every test of suite s (which it frees); EXIT_SUCCESS when all pass. */
int run_suite(Suite *s);

#endif
