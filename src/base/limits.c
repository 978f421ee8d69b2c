/* SPDX-License-Identifier: BSD-2-Clause */
/* limits: defaults and the table behind --help, the man page and docs/limits.md. */
#include "base/limits.h"

#include <stddef.h>

static const CpLimitInfo table[] = {
#define CP_LIMIT(f, d, o, a, doc) \
    { #f, o, doc, (uint64_t)(d), offsetof(CpLimits, f), CP_ANOMALY_##a },
#include "base/limits.def"
#undef CP_LIMIT
};

void
cp_limits_init_default(CpLimits *l)
{
#define CP_LIMIT(f, d, o, a, doc) l->f = (uint64_t)(d);
#include "base/limits.def"
#undef CP_LIMIT
}

const CpLimitInfo *
cp_limits_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}
