/* SPDX-License-Identifier: BSD-2-Clause */
/* escape: rendering of attacker-controlled strings (DNs, SNI, SAN) for a terminal and for JSON
 * (STYLE R70). Nothing else in certpath prints such a string. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Appends s[0..len) for a terminal: printable ASCII and printable valid UTF-8 as is; control
 * characters (C0, DEL, C1), U+2028/U+2029, bidi overrides, invalid bytes as \xNN (a literal
 * backslash stays as is: RFC 4514 DNs use it, and it cannot move the cursor). At most max_len input
 * bytes are shown, then "...". */
void cp_escape_text(GString *out, const char *s, size_t len, size_t max_len);
/* Appends a JSON string literal (with quotes): valid UTF-8 passes, " \ and controls are escaped,
 * invalid bytes become U+FFFD. Returns the number of invalid sequences replaced. NULL -> null. */
size_t cp_escape_json(GString *out, const char *s);
/* Same with an explicit length (embedded NULs become \u0000). */
size_t cp_escape_json_len(GString *out, const char *s, size_t len);
