/* SPDX-License-Identifier: BSD-2-Clause */
/* hexfmt: uppercase hex without separators (the thumbprint form Windows tools ask for). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Writes 2*n hex digits and a NUL into out (size >= 2*n+1). */
void cp_hex_upper(const uint8_t *data, size_t n, char *out);
/* (transfer full) g_free the result. */
char *cp_hex_upper_dup(const uint8_t *data, size_t n);
