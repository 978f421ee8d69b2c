/* SPDX-License-Identifier: BSD-2-Clause */
/* anomaly: counted input anomalies with stable dotted names (STYLE R15). */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum CpAnomalyId {

#define CP_ANOMALY(id, name, doc) CP_ANOMALY_##id,
#include "base/anomaly.def"
#undef CP_ANOMALY
    CP_ANOMALY__COUNT
} CpAnomalyId;

typedef struct CpAnomalies {
    uint64_t count[CP_ANOMALY__COUNT];
} CpAnomalies;

static inline void
cp_anomaly_add(CpAnomalies *a, CpAnomalyId id)
{
    if (a != NULL)
        a->count[id]++;
}

const char *cp_anomaly_name(CpAnomalyId id);
const char *cp_anomaly_doc(CpAnomalyId id);
