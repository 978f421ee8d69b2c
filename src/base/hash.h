/* SPDX-License-Identifier: BSD-2-Clause */
/* hash: one keyed hash for tables indexed by attacker-chosen keys (STYLE R49).
 *
 * SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012) under a 128-bit
 * key. A table draws its own random key when it is created (cp_hash_key_init_random), so an
 * attacker who controls addresses, IP identifications or certificate bytes cannot aim many keys
 * at one bucket without knowing it (Suricata flow-hash.c; Python, Rust and the Linux kernel use
 * SipHash for the same reason). There is no process-wide key: each table owns one.
 *
 * Usage:
 *     CpHashKey k;
 *     cp_hash_key_init_random(&k);                      // once, when the table is created
 *     uint64_t h = cp_hash_bytes(&k, buf, len);         // per lookup; index with h & mask
 *
 * Hash a serialised key (fixed field order, no padding bytes), never a struct with holes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Lifetime: that of the table it keys. Copyable. */
typedef struct CpHashKey {
    uint64_t k0; /* key bytes 0..7, little-endian */
    uint64_t k1; /* key bytes 8..15, little-endian */
} CpHashKey;

/* A fresh random key from GLib's generator (seeded from the OS). */
void cp_hash_key_init_random(CpHashKey *k);
/* A fixed key from 16 bytes, as the reference paper writes them (tests, reproducible runs). */
void cp_hash_key_init_bytes(CpHashKey *k, const uint8_t bytes[16]);
/* SipHash-2-4 of len bytes at data (data may be NULL when len is 0). */
uint64_t cp_hash_bytes(const CpHashKey *k, const void *data, size_t len);
