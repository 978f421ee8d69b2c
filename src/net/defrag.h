/* SPDX-License-Identifier: BSD-2-Clause */
/* defrag: bounded IPv4/IPv6 fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5, RFC 5722).
 *
 * Datagrams are keyed by (family, protocol, source, destination, identification) in a table
 * hashed with a per-instance random key (STYLE R49). Bounds (STYLE R44-R46): at most
 * limits->max_frag_datagrams datagrams (the oldest is evicted beyond it, ip.frag_limit), at most
 * limits->frag_memcap bytes of fragment data and bookkeeping (a fragment that does not fit is
 * dropped, ip.frag_limit), datagrams older than limits->frag_timeout_s of capture time expire
 * (ip.frag_timeout). Overlapping bytes keep what was seen first (ip.frag_overlap); a datagram
 * above 65535 bytes is dropped whole (ip.frag_too_large).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/limits.h"

typedef struct CpDefrag CpDefrag;

/* Fields are compared one by one, so padding does not matter. */
typedef struct CpDefragKey {
    uint32_t id;     /* IPv4: 16-bit identification; IPv6: fragment header identification */
    uint8_t family;  /* 4 or 6 */
    uint8_t proto;   /* IPv4 protocol; 0 for IPv6 (RFC 8200 keys on addresses and id) */
    uint8_t src[16]; /* IPv4 in the first 4 bytes, rest zero */
    uint8_t dst[16];
} CpDefragKey;

/* One fragment as the IP layer found it. data is borrowed for the call and copied. */
typedef struct CpDefragFrag {
    CpDefragKey key;
    uint8_t next_proto; /* protocol of the reassembled payload (taken from the offset-0 fragment) */
    size_t hdr_len;     /* IP header bytes before the fragmentable part (the 65535 check) */
    size_t offset;      /* byte offset of data in the datagram's fragmentable part */
    bool more;          /* more fragments follow (MF / M flag) */
    const uint8_t *data;
    size_t len;
} CpDefragFrag;

typedef enum CpDefragResult {
    CP_DEFRAG_HELD = 0, /* stored; the datagram is not complete yet */
    CP_DEFRAG_DONE,     /* the datagram is complete: see CpDefragDatagram */
    CP_DEFRAG_DROPPED,  /* not stored (limit, overlap-only, inconsistent); already counted */
} CpDefragResult;

/* Lifetime: until the next cp_defrag_add or cp_defrag_release. */
typedef struct CpDefragDatagram {
    const uint8_t *data; /* (transfer none) the reassembled fragmentable part */
    size_t len;
    uint8_t next_proto;
} CpDefragDatagram;

/* (transfer full) free with cp_defrag_free. limits and anomalies are borrowed for the run. */
CpDefrag *cp_defrag_new(const CpLimits *limits, CpAnomalies *anomalies);
void cp_defrag_free(CpDefrag *d);
/* Adds one fragment seen at capture time ts_ns; expires old datagrams first. On DONE, *out
 * describes the reassembled payload, owned by d until the next add or release. */
CpDefragResult cp_defrag_add(CpDefrag *d, const CpDefragFrag *frag, uint64_t ts_ns,
                             CpDefragDatagram *out);
/* Expires datagrams older than frag_timeout_s at capture time now_ns (ip.frag_timeout). Cheap
 * when nothing is due: called for every frame so timeouts are counted without more fragments. */
void cp_defrag_expire(CpDefrag *d, uint64_t now_ns);
/* Frees the last completed datagram (its CpDefragDatagram view becomes invalid). */
void cp_defrag_release(CpDefrag *d);
/* Datagrams held, and bytes accounted against frag_memcap (tests and statistics). */
size_t cp_defrag_count(const CpDefrag *d);
size_t cp_defrag_memuse(const CpDefrag *d);
/* Pieces looked at while inserting fragments so far: the reassembly's work, which tests bound. */
uint64_t cp_defrag_steps(const CpDefrag *d);
