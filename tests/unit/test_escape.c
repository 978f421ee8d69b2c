/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for output/escape: a hostile DN cannot reach the terminal, JSON stays valid. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "output/escape.h"

static char *
text(const char *s, size_t len, size_t max)
{
    GString *o = g_string_new(NULL);
    cp_escape_text(o, s, len, max);
    return g_string_free(o, FALSE);
}

static char *
json(const char *s, size_t len, size_t *bad)
{
    GString *o = g_string_new(NULL);
    *bad = cp_escape_json_len(o, s, len);
    return g_string_free(o, FALSE);
}

static void
text_escape_sequence_is_shown_not_sent(void)
{
    g_autofree char *t = text("CN=\x1b[2Jowned", 12, 100);
    CU_ASSERT_PTR_NULL(strchr(t, 0x1b));
    CU_ASSERT_STRING_EQUAL(t, "CN=\\x1B[2Jowned");
}

static void
text_keeps_utf8_and_backslash(void)
{
    g_autofree char *t = text("O=Z\xc3\xbcrich\\,AG", 13, 100);
    CU_ASSERT_STRING_EQUAL(t, "O=Z\xc3\xbcrich\\,AG");
}

static void
text_invalid_utf8_and_c1_and_bidi_escaped(void)
{
    g_autofree char *t = text("a\xff"
                              "b\xc2\x9b"
                              "c\xe2\x80\xae",
                              9, 100);
    CU_ASSERT_STRING_EQUAL(t, "a\\xFFb\\xC2\\x9Bc\\xE2\\x80\\xAE");
}

static void
text_line_and_paragraph_separators_escaped(void)
{
    /* U+2028 and U+2029 end a line in editors and browsers: a name could forge a report line. */
    g_autofree char *t = text("a\xe2\x80\xa8Verdict: b\xe2\x80\xa9", 17, 100);
    CU_ASSERT_STRING_EQUAL(t, "a\\xE2\\x80\\xA8Verdict: b\\xE2\\x80\\xA9");
}

static void
text_newline_escaped_and_literal_backslash_x0a_kept(void)
{
    /* A real newline and the four characters \x0A look the same once shown: both stay text. */
    g_autofree char *t = text("a\nb\\x0Ac", 8, 100);
    CU_ASSERT_STRING_EQUAL(t, "a\\x0Ab\\x0Ac");
    CU_ASSERT_PTR_NULL(strchr(t, '\n'));
}

static void
text_long_string_is_cut_with_marker(void)
{
    g_autofree char *t = text("abcdefgh", 8, 3);
    CU_ASSERT_STRING_EQUAL(t, "abc...");
}

static void
json_invalid_utf8_becomes_replacement_and_counted(void)
{
    size_t bad;
    g_autofree char *j = json("a\xc3(b", 4, &bad);
    CU_ASSERT_EQUAL(bad, 1);
    CU_ASSERT_STRING_EQUAL(j, "\"a\xef\xbf\xbd(b\"");
}

static void
json_controls_quotes_and_nul_escaped(void)
{
    size_t bad;
    g_autofree char *j = json("q\"\\\x01\n\0z", 7, &bad);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_STRING_EQUAL(j, "\"q\\\"\\\\\\u0001\\n\\u0000z\"");
}

static void
json_overlong_and_surrogate_rejected(void)
{
    size_t bad;
    g_autofree char *j = json("\xc0\xaf\xed\xa0\x80", 5, &bad);
    CU_ASSERT_EQUAL(bad, 5);
    CU_ASSERT_PTR_NULL(strchr(j, 0xc0));
}

static void
json_null_is_null(void)
{
    GString *o = g_string_new(NULL);
    cp_escape_json(o, NULL);
    CU_ASSERT_STRING_EQUAL(o->str, "null");
    g_string_free(o, TRUE);
}

static CU_TestInfo tests[] = {
    { "text_escape_sequence_is_shown_not_sent", text_escape_sequence_is_shown_not_sent },
    { "text_keeps_utf8_and_backslash", text_keeps_utf8_and_backslash },
    { "text_invalid_utf8_and_c1_and_bidi_escaped", text_invalid_utf8_and_c1_and_bidi_escaped },
    { "text_line_and_paragraph_separators_escaped", text_line_and_paragraph_separators_escaped },
    { "text_newline_escaped_and_literal_backslash_x0a_kept",
      text_newline_escaped_and_literal_backslash_x0a_kept },
    { "text_long_string_is_cut_with_marker", text_long_string_is_cut_with_marker },
    { "json_invalid_utf8_becomes_replacement_and_counted",
      json_invalid_utf8_becomes_replacement_and_counted },
    { "json_controls_quotes_and_nul_escaped", json_controls_quotes_and_nul_escaped },
    { "json_overlong_and_surrogate_rejected", json_overlong_and_surrogate_rejected },
    { "json_null_is_null", json_null_is_null },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("escape", tests, argc, argv);
}
