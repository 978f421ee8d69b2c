/* SPDX-License-Identifier: BSD-2-Clause */
/* anomaly: name and documentation tables generated from anomaly.def; which option raises an
 * anomaly comes from the anomaly column of limits.def. */
#include "base/anomaly.h"

#include "base/limits.h"

static const char *const names[] = {
#define CP_ANOMALY(id, name, doc) [CP_ANOMALY_##id] = name,
#include "base/anomaly.def"
#undef CP_ANOMALY
};

static const char *const docs[] = {
#define CP_ANOMALY(id, name, doc) [CP_ANOMALY_##id] = doc,
#include "base/anomaly.def"
#undef CP_ANOMALY
};

const char *
cp_anomaly_name(CpAnomalyId id)
{
    return id < CP_ANOMALY__COUNT ? names[id] : "unknown";
}

const char *
cp_anomaly_doc(CpAnomalyId id)
{
    return id < CP_ANOMALY__COUNT ? docs[id] : "";
}

size_t
cp_anomaly_options(CpAnomalyId id, const char **opts, size_t max)
{
    size_t n, found = 0;
    const CpLimitInfo *t = cp_limits_table(&n);

    if (id >= CP_ANOMALY__COUNT)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].anomaly != id)
            continue;
        if (found < max)
            opts[found] = t[i].option;
        found++;
    }
    return found;
}

const char *
cp_anomaly_option(CpAnomalyId id)
{
    const char *opt = NULL;

    return cp_anomaly_options(id, &opt, 1) > 0 ? opt : NULL;
}
