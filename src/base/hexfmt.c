/* SPDX-License-Identifier: BSD-2-Clause */
#include "base/hexfmt.h"

#include <glib.h>

void
cp_hex_upper(const uint8_t *data, size_t n, char *out)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

char *
cp_hex_upper_dup(const uint8_t *data, size_t n)
{
    char *out = g_malloc(2 * n + 1);

    cp_hex_upper(data, n, out);
    return out;
}
