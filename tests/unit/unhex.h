/* SPDX-License-Identifier: BSD-2-Clause */
/* unhex: test vectors written in hex (RFC values) to bytes, for the decryption tests. */
#pragma once

#include <stdint.h>
#include <string.h>
#include <glib.h>

/* Fills out with the bytes of the hex string h (at most max of them); returns how many. */
static inline size_t
cp_test_unhex(const char *h, uint8_t *out, size_t max)
{
    size_t n = strlen(h) / 2;

    g_assert(n <= max);
    for (size_t i = 0; i < n; i++)
        out[i] =
                (uint8_t)(g_ascii_xdigit_value(h[2 * i]) << 4 | g_ascii_xdigit_value(h[2 * i + 1]));
    return n;
}
