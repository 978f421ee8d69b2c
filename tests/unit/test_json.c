/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for base/json: the shapes certpath writes read back, RFC 8259's corner cases
 * (escapes, surrogate pairs, numbers), and every bound and rejection (STYLE R25, R11). */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include <CUnit/CUnit.h>

#include "base/json.h"
#include "harness.h"

static CpJson *
parse(const char *text, CpJsonStatus *st)
{
    return cp_json_parse((const uint8_t *)text, strlen(text), 16, 1000, st);
}

/* The status of a text that must be refused. */
static CpJsonStatus
refused(const char *text)
{
    CpJsonStatus st = CP_JSON_OK;
    CpJson *v = parse(text, &st);

    CU_ASSERT_PTR_NULL(v);
    cp_json_free(v);
    return st;
}

static void
record_line_reads_back(void)
{
    CpJsonStatus st;
    g_autoptr(CpJson) v = parse("{\"type\":\"handshake\",\"sni\":null,\"chain\":[\"AB\",\"CD\"],"
                                "\"truncated\":true,\"n\":42, \"x\" : { } }",
                                &st);

    CU_ASSERT_EQUAL_FATAL(st, CP_JSON_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(cp_json_member_string(v, "type"), "handshake");
    CU_ASSERT_PTR_NULL(cp_json_member_string(v, "sni"));
    CU_ASSERT_EQUAL(cp_json_member(v, "sni")->type, CP_JSON_NULL);
    CU_ASSERT_EQUAL(cp_json_array_len(cp_json_member(v, "chain")), 2);
    CU_ASSERT_STRING_EQUAL(cp_json_string(cp_json_array_at(cp_json_member(v, "chain"), 1)), "CD");
    CU_ASSERT_TRUE(cp_json_member_bool(v, "truncated"));
    CU_ASSERT_FALSE(cp_json_member_bool(v, "type"));
    CU_ASSERT_TRUE(cp_json_member(v, "n")->is_uint);
    CU_ASSERT_EQUAL(cp_json_member(v, "n")->uint, 42);
    CU_ASSERT_EQUAL(cp_json_member(v, "x")->type, CP_JSON_OBJECT);
    CU_ASSERT_PTR_NULL(cp_json_member(v, "absent"));
    CU_ASSERT_PTR_NULL(cp_json_array_at(cp_json_member(v, "chain"), 2));
}

static void
escapes_and_surrogate_pairs_decode(void)
{
    CpJsonStatus st;
    g_autoptr(CpJson) v = parse("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u2028\"", &st);

    CU_ASSERT_EQUAL_FATAL(st, CP_JSON_OK);
    CU_ASSERT_STRING_EQUAL(cp_json_string(v),
                           "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xe2\x80\xa8");
}

static void
numbers_keep_unsigned_integers_only(void)
{
    CpJsonStatus st;
    g_autoptr(CpJson) v =
            parse("[0, 18446744073709551615, 18446744073709551616, -1, 1.5, 2e3]", &st);

    CU_ASSERT_EQUAL_FATAL(st, CP_JSON_OK);
    CU_ASSERT_TRUE(cp_json_array_at(v, 0)->is_uint);
    CU_ASSERT_EQUAL(cp_json_array_at(v, 1)->uint, UINT64_MAX);
    CU_ASSERT_FALSE(cp_json_array_at(v, 2)->is_uint); /* too large: a number, not a count */
    CU_ASSERT_FALSE(cp_json_array_at(v, 3)->is_uint);
    CU_ASSERT_FALSE(cp_json_array_at(v, 4)->is_uint);
    CU_ASSERT_FALSE(cp_json_array_at(v, 5)->is_uint);
    CU_ASSERT_EQUAL(cp_json_array_at(v, 5)->type, CP_JSON_NUMBER);
}

static void
malformed_texts_are_refused(void)
{
    static const char *const bad[] = {
        "",         "   ",         "{",           "{\"a\"}",     "{\"a\":1,}",
        "[1,]",     "[1 2]",       "01",          "-",           "1.",
        "1e",       ".5",          "tru",         "nul",         "\"abc",
        "\"\\x\"",  "\"\\u12\"",   "\"\\udc00\"", "\"\\ud800\"", "\"\\ud800\\u0041\"",
        "{1:2}",    "{\"a\":1} x", "[] []",       "\"\t\"",      "\"\xff\"",
        "\"\xc3\"", "+1",          "NaN",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (refused(bad[i]) != CP_JSON_MALFORMED)
            CU_FAIL(bad[i]);
    }
}

static void
embedded_nul_byte_is_refused(void)
{
    static const uint8_t text[] = { '"', 'a', 0, 'b', '"' };
    CpJsonStatus st;

    CU_ASSERT_PTR_NULL(cp_json_parse(text, sizeof text, 4, 10, &st));
    CU_ASSERT_EQUAL(st, CP_JSON_MALFORMED);
    CU_ASSERT_EQUAL(refused("\"a\\u0000b\""), CP_JSON_MALFORMED); /* C strings end at NUL */
}

static void
depth_is_bounded(void)
{
    CpJsonStatus st;
    CpJson *v = cp_json_parse((const uint8_t *)"[[[]]]", 6, 3, 100, &st);

    CU_ASSERT_PTR_NOT_NULL(v);
    cp_json_free(v);
    CU_ASSERT_PTR_NULL(cp_json_parse((const uint8_t *)"[[[[]]]]", 8, 3, 100, &st));
    CU_ASSERT_EQUAL(st, CP_JSON_TOO_DEEP);
    CU_ASSERT_PTR_NULL(
            cp_json_parse((const uint8_t *)"{\"a\":{\"b\":{\"c\":{}}}}", 20, 3, 100, &st));
    CU_ASSERT_EQUAL(st, CP_JSON_TOO_DEEP);
}

static void
deep_nesting_far_beyond_the_bound_does_not_recurse(void)
{
    size_t n = 1000000;
    g_autofree uint8_t *text = g_malloc(n);
    CpJsonStatus st;

    memset(text, '[', n);
    CU_ASSERT_PTR_NULL(cp_json_parse(text, n, 16, 65536, &st));
    CU_ASSERT_EQUAL(st, CP_JSON_TOO_DEEP);
}

static void
values_are_bounded(void)
{
    CpJsonStatus st;
    CpJson *v = cp_json_parse((const uint8_t *)"[1,2,3]", 7, 4, 4, &st);

    CU_ASSERT_PTR_NOT_NULL(v); /* the array and three numbers */
    cp_json_free(v);
    CU_ASSERT_PTR_NULL(cp_json_parse((const uint8_t *)"[1,2,3,4]", 9, 4, 4, &st));
    CU_ASSERT_EQUAL(st, CP_JSON_TOO_MANY);
}

static void
first_of_repeated_keys_wins(void)
{
    CpJsonStatus st;
    g_autoptr(CpJson) v = parse("{\"k\":\"first\",\"k\":\"second\"}", &st);

    CU_ASSERT_STRING_EQUAL(cp_json_member_string(v, "k"), "first");
}

static void
accessors_answer_null_for_other_types(void)
{
    CpJsonStatus st;
    g_autoptr(CpJson) v = parse("[\"s\"]", &st);

    CU_ASSERT_PTR_NULL(cp_json_member(v, "s"));
    CU_ASSERT_PTR_NULL(cp_json_string(v));
    CU_ASSERT_EQUAL(cp_json_array_len(cp_json_array_at(v, 0)), 0);
    CU_ASSERT_PTR_NULL(cp_json_member(NULL, "x"));
    CU_ASSERT_EQUAL(cp_json_array_len(NULL), 0);
    cp_json_free(NULL);
}

static CU_TestInfo tests[] = {
    { "record_line_reads_back", record_line_reads_back },
    { "escapes_and_surrogate_pairs_decode", escapes_and_surrogate_pairs_decode },
    { "numbers_keep_unsigned_integers_only", numbers_keep_unsigned_integers_only },
    { "malformed_texts_are_refused", malformed_texts_are_refused },
    { "embedded_nul_byte_is_refused", embedded_nul_byte_is_refused },
    { "depth_is_bounded", depth_is_bounded },
    { "deep_nesting_far_beyond_the_bound_does_not_recurse",
      deep_nesting_far_beyond_the_bound_does_not_recurse },
    { "values_are_bounded", values_are_bounded },
    { "first_of_repeated_keys_wins", first_of_repeated_keys_wins },
    { "accessors_answer_null_for_other_types", accessors_answer_null_for_other_types },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("json", tests, argc, argv);
}
