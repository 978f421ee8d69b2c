/* SPDX-License-Identifier: BSD-2-Clause */
/* anomaly: counted input anomalies with stable dotted names (STYLE R15). */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum CpAnomalyId {

#define CP_ANOMALY(id, name, doc) CP_ANOMALY_##id,
#include "base/anomaly.def"
#undef CP_ANOMALY
    CP_ANOMALY__COUNT,
    CP_ANOMALY_NONE = CP_ANOMALY__COUNT /* "no anomaly" (limits.def: a limit without one) */
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

/* (transfer none) static strings; "unknown" / "" for an id out of range. */
const char *cp_anomaly_name(CpAnomalyId id);
const char *cp_anomaly_doc(CpAnomalyId id);
/* (transfer none) the long option, without "--", whose limit counts id when reached (the
 * anomaly column of limits.def): "max-chain" for CP_ANOMALY_TLS_CHAIN_TOO_LONG. NULL when no
 * limit causes id (a malformed header, a gap). When several limits count it (ip.frag_limit:
 * max-frag-datagrams and frag-memcap) this is the first in limits.def; see cp_anomaly_options. */
const char *cp_anomaly_option(CpAnomalyId id);
/* Stores in opts up to max options that raise id, in limits.def order, and returns how many
 * there are (which may exceed max). (transfer none) static strings. */
size_t cp_anomaly_options(CpAnomalyId id, const char **opts, size_t max);
