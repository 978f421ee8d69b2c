/* SPDX-License-Identifier: BSD-2-Clause */
/* escape: terminal- and JSON-safe rendering (tcpdump util-print.c fn_print_char; RFC 8259 §7). */
#include "output/escape.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (RFC 3629 §4: no overlongs, no surrogates, <= U+10FFFF),
 * 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n, gunichar *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t k;
    gunichar c, min;
    if ((s[0] & 0xe0) == 0xc0)
        k = 2, c = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        k = 3, c = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        k = 4, c = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (k > n)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return k;
}

/* Characters a hostile certificate could use to rewrite what the reader sees: U+2028 and U+2029
 * (line and paragraph separators) end a line in editors, browsers and JavaScript consoles, so a
 * name could forge a report line with them as with a newline. */
static gboolean
dangerous(gunichar c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
           c == 0x200f || c == 0xfeff || !g_unichar_isprint(c);
}

void
cp_escape_text(GString *out, const char *str, size_t len, size_t max_len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, shown = len < max_len ? len : max_len;

    while (i < shown) {
        gunichar c;
        size_t k = utf8_len(s + i, shown - i, &c);
        if (k == 0 || dangerous(c)) {
            size_t bad = k == 0 ? 1 : k;
            for (size_t j = 0; j < bad; j++)
                g_string_append_printf(out, "\\x%02X", s[i + j]);
            i += bad;
            continue;
        }
        g_string_append_len(out, (const char *)s + i, (gssize)k);
        i += k;
    }
    if (shown < len)
        g_string_append(out, "...");
}

size_t
cp_escape_json_len(GString *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t bad = 0, i = 0;

    g_string_append_c(out, '"');
    while (i < len) {
        gunichar c;
        size_t k = utf8_len(s + i, len - i, &c);
        if (k == 0) {
            g_string_append(out, "\xef\xbf\xbd");
            bad++;
            i++;
            continue;
        }
        if (c == '"')
            g_string_append(out, "\\\"");
        else if (c == '\\')
            g_string_append(out, "\\\\");
        else if (c == '\n')
            g_string_append(out, "\\n");
        else if (c == '\t')
            g_string_append(out, "\\t");
        else if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029)
            g_string_append_printf(out, "\\u%04X", (unsigned)c);
        else
            g_string_append_len(out, (const char *)s + i, (gssize)k);
        i += k;
    }
    g_string_append_c(out, '"');
    return bad;
}

size_t
cp_escape_json(GString *out, const char *s)
{
    if (s == NULL) {
        g_string_append(out, "null");
        return 0;
    }
    return cp_escape_json_len(out, s, strlen(s));
}
