/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for base/reader: every getter at the exact end, one past it, lying lengths,
 * declared < avail, child-of-child truncation, sticky status (STYLE §3.1). */
#include <stdint.h>
#include <glib.h>
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

/* ---- every inline getter at its edges (R2, R3): one table, one row per getter ---- */

typedef enum { G_U8, G_BE16, G_BE24, G_BE32, G_LE16, G_LE32, G_BYTES, G_SKIP, G_COPY } Getter;

static const struct {
    const char *name;
    Getter g;
    size_t width;
    uint64_t value; /* read from bytes[] at offset 0 */
} getters[] = {
    { "u8", G_U8, 1, 0x01 },          { "be16", G_BE16, 2, 0x0102 },
    { "be24", G_BE24, 3, 0x010203 },  { "be32", G_BE32, 4, 0x01020304 },
    { "le16", G_LE16, 2, 0x0201 },    { "le32", G_LE32, 4, 0x04030201 },
    { "bytes(5)", G_BYTES, 5, 0x01 }, { "skip(6)", G_SKIP, 6, 0 },
    { "copy(7)", G_COPY, 7, 0x01 },
};

/* Calls getter g; *out receives the value (bytes/copy: the first byte; 0xee when the getter
 * stored nothing), so a failure that did not zero its output shows. */
static bool
call(Getter g, size_t width, CpReader *r, uint64_t *out)
{
    uint8_t u8 = 0xee, buf[8] = { 0xee };
    uint16_t u16 = 0xeeee;
    uint32_t u32 = 0xeeeeeeeeu;
    const uint8_t *view = bytes;
    bool ok = false;

    switch (g) {
    case G_U8:
        ok = cp_reader_u8(r, &u8);
        *out = u8;
        break;
    case G_BE16:
        ok = cp_reader_be16(r, &u16);
        *out = u16;
        break;
    case G_LE16:
        ok = cp_reader_le16(r, &u16);
        *out = u16;
        break;
    case G_BE24:
        ok = cp_reader_be24(r, &u32);
        *out = u32;
        break;
    case G_BE32:
        ok = cp_reader_be32(r, &u32);
        *out = u32;
        break;
    case G_LE32:
        ok = cp_reader_le32(r, &u32);
        *out = u32;
        break;
    case G_BYTES:
        ok = cp_reader_bytes(r, width, &view);
        *out = view == NULL ? 0 : view[0];
        break;
    case G_SKIP:
        ok = cp_reader_skip(r, width);
        *out = 0;
        break;
    case G_COPY:
        ok = cp_reader_copy(r, buf, width);
        *out = buf[0];
        break;
    }
    return ok;
}

static void
every_getter_at_exact_end_reads(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(getters); i++) {
        CpReader r;
        uint64_t v;
        size_t w = getters[i].width;

        cp_reader_init(&r, bytes, w, w);
        CU_ASSERT_TRUE(call(getters[i].g, w, &r, &v));
        CU_ASSERT_EQUAL(v, getters[i].value);
        CU_ASSERT_EQUAL(r.pos, w);
        CU_ASSERT_EQUAL(cp_reader_remaining(&r), 0);
        CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_OK);
        CU_ASSERT_TRUE(cp_reader_expect_end(&r));
    }
}

static void
every_getter_one_past_captured_is_truncated_and_harmless(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(getters); i++) {
        CpReader r;
        uint64_t v;
        size_t w = getters[i].width;

        /* One byte captured before the field, the field cut one byte short, declared whole. */
        cp_reader_init(&r, bytes, w, w + 1);
        CU_ASSERT_TRUE(cp_reader_skip(&r, 1));
        CU_ASSERT_FALSE(call(getters[i].g, w, &r, &v));
        CU_ASSERT_EQUAL(v, 0);
        CU_ASSERT_EQUAL(r.pos, 1);
        CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_TRUNCATED);
        CU_ASSERT_EQUAL(cp_reader_remaining(&r), 0);
        CU_ASSERT_EQUAL(cp_reader_declared_left(&r), w);
    }
}

static void
every_getter_one_past_declared_is_malformed_and_harmless(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(getters); i++) {
        CpReader r;
        uint64_t v;
        size_t w = getters[i].width;

        cp_reader_init(&r, bytes, w - 1, w - 1);
        CU_ASSERT_FALSE(call(getters[i].g, w, &r, &v));
        CU_ASSERT_EQUAL(v, 0);
        CU_ASSERT_EQUAL(r.pos, 0);
        CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
    }
}

static void
every_getter_after_a_failure_fails_at_once(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(getters); i++) {
        CpReader r;
        uint64_t v;
        size_t w = getters[i].width;

        /* Enough bytes for the getter, but an earlier read failed: the first status stays. */
        cp_reader_init(&r, bytes, sizeof bytes, sizeof bytes);
        CU_ASSERT_FALSE(cp_reader_skip(&r, sizeof bytes + 1));
        CU_ASSERT_FALSE(call(getters[i].g, w, &r, &v));
        CU_ASSERT_EQUAL(v, 0);
        CU_ASSERT_EQUAL(r.pos, 0);
        CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_MALFORMED);
        CU_ASSERT_FALSE(cp_reader_expect_end(&r));
    }
}

static void
peek_u8_does_not_consume_and_stops_at_avail(void)
{
    CpReader r;
    uint8_t v;

    cp_reader_init(&r, bytes, 2, 4);
    CU_ASSERT_TRUE(cp_reader_peek_u8(&r, 1, &v));
    CU_ASSERT_EQUAL(v, 0x02);
    CU_ASSERT_EQUAL(r.pos, 0);
    CU_ASSERT_FALSE(cp_reader_peek_u8(&r, 2, &v));
    CU_ASSERT_EQUAL(v, 0);
    /* A failed peek is not a read: the status does not change. */
    CU_ASSERT_EQUAL(cp_reader_status(&r), CP_READ_OK);
    CU_ASSERT_FALSE(cp_reader_peek_u8(&r, SIZE_MAX, &v));
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
    { "every_getter_at_exact_end_reads", every_getter_at_exact_end_reads },
    { "every_getter_one_past_captured_is_truncated_and_harmless",
      every_getter_one_past_captured_is_truncated_and_harmless },
    { "every_getter_one_past_declared_is_malformed_and_harmless",
      every_getter_one_past_declared_is_malformed_and_harmless },
    { "every_getter_after_a_failure_fails_at_once", every_getter_after_a_failure_fails_at_once },
    { "peek_u8_does_not_consume_and_stops_at_avail", peek_u8_does_not_consume_and_stops_at_avail },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("reader", tests, argc, argv);
}
