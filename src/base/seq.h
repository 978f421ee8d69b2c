/* SPDX-License-Identifier: BSD-2-Clause */
/* seq: wrap-safe 32-bit TCP sequence comparisons (RFC 793 §3.3; Suricata SEQ_LT). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

static inline int32_t
cp_seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static inline bool
cp_seq_lt(uint32_t a, uint32_t b)
{
    return cp_seq_diff(a, b) < 0;
}

static inline bool
cp_seq_le(uint32_t a, uint32_t b)
{
    return cp_seq_diff(a, b) <= 0;
}

static inline bool
cp_seq_gt(uint32_t a, uint32_t b)
{
    return cp_seq_diff(a, b) > 0;
}

static inline bool
cp_seq_ge(uint32_t a, uint32_t b)
{
    return cp_seq_diff(a, b) >= 0;
}
