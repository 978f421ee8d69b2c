/* SPDX-License-Identifier: BSD-2-Clause */
/* harness: CUnit registry, single-test selection, and an exit code that cannot report green on
 * failure (CU_basic_run_tests returns CUE_SUCCESS with failing tests: STYLE §4.3). */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>

int
cp_test_main(const char *suite, CU_TestInfo *tests, int argc, char **argv)
{
    char name[128]; /* CUnit 2.1 takes a mutable name */
    snprintf(name, sizeof name, "%s", suite);
    CU_SuiteInfo suites[] = {
        { .pName = name, .pInitFunc = NULL, .pCleanupFunc = NULL, .pTests = tests },
        CU_SUITE_INFO_NULL,
    };

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "harness: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (argc > 1) {
        CU_pSuite s = CU_get_suite(suite);
        CU_pTest t = s ? CU_get_test(s, argv[1]) : NULL;
        if (t == NULL) {
            fprintf(stderr, "harness: no test named %s\n", argv[1]);
            CU_cleanup_registry();
            return 2;
        }
        CU_basic_run_test(s, t);
    } else {
        CU_basic_run_tests();
    }
    unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_failures();
    unsigned suites_failed = CU_get_number_of_suites_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0)
        fprintf(stderr, "harness: no test ran\n");
    return failed > 0 || suites_failed > 0 || run == 0 ? 1 : 0;
}
