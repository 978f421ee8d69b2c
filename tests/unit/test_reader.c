/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for base/reader: every getter at the exact end, one past it, lying lengths,
 * declared < avail, child-of-child truncation, sticky status (STYLE §3.1). */
#include <stdint.h>
#include <CUnit/CUnit.h>

#include "base/reader.h"
#include "harness.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

static void
be24_at_exact_end_reads(void)
{
    CpReader r;
    uint32_t v;

    cp_reader_init(&r, bytes, 3, 3);
    CU_ASSERT_TRUE(cp_reader_be24(&r, &v));
    CU_ASSERT_EQUAL(v, 0x010203u);
    CU_ASSERT_EQUAL(cp_reader_remaining(&r), 0);
    CU_ASSERT_TRUE(cp_reader_expect_end(&r));
}

static void
be24_one_past_end_is_truncated(void)
{
    CpReader r;
    uint32_t v = 7;

    cp_reader_init(&r, bytes, 2, 3);
    CU_ASSERT_FALSE(cp_reader_be24(&r, &v));
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_TRUNCATED);
    CU_ASSERT_EQUAL(r.pos, 0);
}

static void
be16_past_declared_is_malformed(void)
{
    CpReader r;
    uint16_t v;

    cp_reader_init(&r, bytes, 1, 1);
    CU_ASSERT_FALSE(cp_reader_be16(&r, &v));
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
}

static void
failure_is_sticky(void)
{
    CpReader r;
    uint8_t v;

    cp_reader_init(&r, bytes, 1, 1);
    CU_ASSERT_FALSE(cp_reader_skip(&r, 2));
    CU_ASSERT_FALSE(cp_reader_u8(&r, &v));
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(cp_reader_remaining(&r), 0);
}

static void
size_max_length_is_malformed_not_overflow(void)
{
    CpReader r, c;
    const uint8_t *view;

    cp_reader_init(&r, bytes, 8, 8);
    CU_ASSERT_TRUE(cp_reader_skip(&r, 3));
    CU_ASSERT_FALSE(cp_reader_bytes(&r, SIZE_MAX, &view));
    CU_ASSERT_PTR_NULL(view);
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
    cp_reader_init(&r, bytes, 8, 8);
    CU_ASSERT_FALSE(cp_reader_sub(&r, SIZE_MAX, &c));
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
}

static void
declared_below_avail_clips(void)
{
    CpReader r;
    uint32_t v;

    cp_reader_init(&r, bytes, 8, 4);
    CU_ASSERT_TRUE(cp_reader_be32(&r, &v));
    CU_ASSERT_FALSE(cp_reader_skip(&r, 1));
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
}

static void
vec16_child_cut_by_capture_is_readable_and_parent_truncated(void)
{
    const uint8_t d[] = { 0x00, 0x05, 0xaa, 0xbb };
    CpReader r, child;
    uint16_t v;

    cp_reader_init(&r, d, 4, 10);
    CU_ASSERT_TRUE(cp_reader_vec16(&r, &child));
    CU_ASSERT_EQUAL(child.declared, 5);
    CU_ASSERT_EQUAL(cp_reader_remaining(&child), 2);
    CU_ASSERT_TRUE(cp_reader_be16(&child, &v));
    CU_ASSERT_EQUAL(v, 0xaabb);
    CU_ASSERT_FALSE(cp_reader_skip(&child, 1));
    CU_ASSERT_EQUAL(cp_reader_status(&child), CP_READ_TRUNCATED);
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_TRUNCATED);
}

static void
sub_longer_than_declared_is_malformed(void)
{
    CpReader r, child;

    cp_reader_init(&r, bytes, 8, 8);
    CU_ASSERT_FALSE(cp_reader_sub(&r, 9, &child));
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
}

static void
child_of_child_truncation(void)
{
    const uint8_t d[] = { 0x00, 0x00, 0x08, 0x00, 0x06, 0x01 };
    CpReader r, c1, c2;
    uint8_t v;

    cp_reader_init(&r, d, sizeof d, 11);
    CU_ASSERT_TRUE(cp_reader_vec24(&r, &c1));
    CU_ASSERT_TRUE(cp_reader_vec16(&c1, &c2));
    CU_ASSERT_TRUE(cp_reader_u8(&c2, &v));
    CU_ASSERT_FALSE(cp_reader_u8(&c2, &v));
    CU_ASSERT_EQUAL(cp_reader_status(&c2), CP_READ_TRUNCATED);
    CU_ASSERT_EQUAL(cp_reader_status(&c1), CP_READ_TRUNCATED);
}

static void
expect_end_with_leftover_is_malformed(void)
{
    CpReader r;
    uint8_t v;

    cp_reader_init(&r, bytes, 2, 2);
    CU_ASSERT_TRUE(cp_reader_u8(&r, &v));
    CU_ASSERT_FALSE(cp_reader_expect_end(&r));
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
}

static void
little_endian_getters(void)
{
    CpReader r;
    uint16_t a;
    uint32_t b;

    cp_reader_init(&r, bytes, 6, 6);
    CU_ASSERT_TRUE(cp_reader_le16(&r, &a));
    CU_ASSERT_TRUE(cp_reader_le32(&r, &b));
    CU_ASSERT_EQUAL(a, 0x0201);
    CU_ASSERT_EQUAL(b, 0x06050403u);
}

static void
null_data_reads_nothing(void)
{
    CpReader r;
    uint8_t v;

    cp_reader_init(&r, NULL, 10, 10);
    CU_ASSERT_FALSE(cp_reader_u8(&r, &v));
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_TRUNCATED);
}

static CU_TestInfo tests[] = {
    { "be24_at_exact_end_reads", be24_at_exact_end_reads },
    { "be24_one_past_end_is_truncated", be24_one_past_end_is_truncated },
    { "be16_past_declared_is_malformed", be16_past_declared_is_malformed },
    { "failure_is_sticky", failure_is_sticky },
    { "size_max_length_is_malformed_not_overflow", size_max_length_is_malformed_not_overflow },
    { "declared_below_avail_clips", declared_below_avail_clips },
    { "vec16_child_cut_by_capture_is_readable_and_parent_truncated",
      vec16_child_cut_by_capture_is_readable_and_parent_truncated },
    { "sub_longer_than_declared_is_malformed", sub_longer_than_declared_is_malformed },
    { "child_of_child_truncation", child_of_child_truncation },
    { "expect_end_with_leftover_is_malformed", expect_end_with_leftover_is_malformed },
    { "little_endian_getters", little_endian_getters },
    { "null_data_reads_nothing", null_data_reads_nothing },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("reader", tests, argc, argv);
}
