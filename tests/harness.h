/* SPDX-License-Identifier: BSD-2-Clause */
/* harness: one CUnit runner with an honest exit status (STYLE R54). */
#pragma once

#include <CUnit/CUnit.h>

/* Runs argv[1] when given (a test name), else every test. Returns non-zero when any test failed,
 * the suite failed to initialise, or no test ran. */
int cp_test_main(const char *suite, CU_TestInfo *tests, int argc, char **argv);
