/* SPDX-License-Identifier: BSD-2-Clause */
/* anomaly: name and documentation tables generated from anomaly.def. */
#include "base/anomaly.h"

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
