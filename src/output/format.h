/* SPDX-License-Identifier: BSD-2-Clause */
/* format: small renderers shared by the text and JSON reports. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* "2026-01-15T10:00:00Z", or with frac "2026-01-15T10:00:00.123456Z" (UTC). */
void cp_fmt_time(GString *out, int64_t sec, uint32_t nsec, bool frac);
void cp_fmt_time_ns(GString *out, uint64_t ts_ns, bool frac);
/* "TLS 1.2", or "0x0305" for unknown values. */
void cp_fmt_version(GString *out, uint16_t v);
void cp_fmt_cipher(GString *out, uint16_t v);
void cp_fmt_alert(GString *out, int desc);
