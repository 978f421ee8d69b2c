/* SPDX-License-Identifier: BSD-2-Clause */
/* limits: every tunable bound on hostile input, with its default and option (STYLE R44). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"

typedef struct CpLimits {
#define CP_LIMIT(field, def, opt, anomaly, doc) uint64_t field;
#include "base/limits.def"
#undef CP_LIMIT
} CpLimits;

typedef struct CpLimitInfo {
    const char *field;
    const char *option;
    const char *doc;
    uint64_t def;
    size_t offset;
    CpAnomalyId anomaly; /* counted when the limit is reached; CP_ANOMALY_NONE: none */
} CpLimitInfo;

void cp_limits_init_default(CpLimits *l);
/* (transfer none) static table, count in *n. */
const CpLimitInfo *cp_limits_table(size_t *n);
