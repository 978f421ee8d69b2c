/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for base/bytebuf: the ceiling and the shared budget (STYLE R45, R50). */
#include <string.h>
#include <CUnit/CUnit.h>

#include "base/bytebuf.h"
#include "harness.h"

static void
append_at_ceiling_ok_over_ceiling_fails(void)
{
    CpBytebuf b;

    cp_bytebuf_init(&b, 8, NULL);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "12345678", 8), CP_BUF_OK);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "9", 1), CP_BUF_TOO_BIG);
    CU_ASSERT_EQUAL(b.len, 8);
    CU_ASSERT_EQUAL(memcmp(b.data, "12345678", 8), 0);
    cp_bytebuf_clear(&b);
}

static void
memcap_refuses_without_allocating_and_release_returns_budget(void)
{
    CpMemcap m = { .cap = 1024 };
    CpBytebuf a, b;

    cp_bytebuf_init(&a, 4096, &m);
    cp_bytebuf_init(&b, 4096, &m);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&a, "x", 1), CP_BUF_OK);
    CU_ASSERT_EQUAL(m.used, 1024);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "y", 1), CP_BUF_MEMCAP);
    CU_ASSERT_PTR_NULL(b.data);
    cp_bytebuf_clear(&a);
    CU_ASSERT_EQUAL(m.used, 0);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "y", 1), CP_BUF_OK);
    CU_ASSERT_EQUAL(m.peak, 1024);
    cp_bytebuf_clear(&b);
}

static void
consume_keeps_the_tail(void)
{
    CpBytebuf b;

    cp_bytebuf_init(&b, 64, NULL);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "abcdef", 6), CP_BUF_OK);
    cp_bytebuf_consume(&b, 4);
    CU_ASSERT_EQUAL(b.len, 2);
    CU_ASSERT_EQUAL(memcmp(b.data, "ef", 2), 0);
    cp_bytebuf_consume(&b, 10);
    CU_ASSERT_EQUAL(b.len, 0);
    cp_bytebuf_clear(&b);
}

static void
size_max_append_is_too_big(void)
{
    CpBytebuf b;

    cp_bytebuf_init(&b, 16, NULL);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "a", 1), CP_BUF_OK);
    CU_ASSERT_EQUAL(cp_bytebuf_append(&b, "a", SIZE_MAX), CP_BUF_TOO_BIG);
    cp_bytebuf_clear(&b);
}

static void
memcap_reserve_overflow_refused(void)
{
    CpMemcap m = { .cap = 100, .used = 50 };

    CU_ASSERT_FALSE(cp_memcap_reserve(&m, SIZE_MAX));
    CU_ASSERT_TRUE(cp_memcap_reserve(&m, 50));
    CU_ASSERT_FALSE(cp_memcap_reserve(&m, 1));
    cp_memcap_release(&m, 1000);
    CU_ASSERT_EQUAL(m.used, 0);
}

static CU_TestInfo tests[] = {
    { "append_at_ceiling_ok_over_ceiling_fails", append_at_ceiling_ok_over_ceiling_fails },
    { "memcap_refuses_without_allocating_and_release_returns_budget",
      memcap_refuses_without_allocating_and_release_returns_budget },
    { "consume_keeps_the_tail", consume_keeps_the_tail },
    { "size_max_append_is_too_big", size_max_append_is_too_big },
    { "memcap_reserve_overflow_refused", memcap_reserve_overflow_refused },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("bytebuf", tests, argc, argv);
}
