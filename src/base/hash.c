/* SPDX-License-Identifier: BSD-2-Clause */
/* hash: SipHash-2-4, the reference algorithm (https://131002.net/siphash/siphash.pdf). */
#include "base/hash.h"

#include <glib.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND(v0, v1, v2, v3) \
    do {                         \
        v0 += v1;                \
        v1 = ROTL(v1, 13);       \
        v1 ^= v0;                \
        v0 = ROTL(v0, 32);       \
        v2 += v3;                \
        v3 = ROTL(v3, 16);       \
        v3 ^= v2;                \
        v0 += v3;                \
        v3 = ROTL(v3, 21);       \
        v3 ^= v0;                \
        v2 += v1;                \
        v1 = ROTL(v1, 17);       \
        v1 ^= v2;                \
        v2 = ROTL(v2, 32);       \
    } while (0)

/* Little-endian 64-bit load of n <= 8 bytes; compilers turn the full case into one load. */
static uint64_t
load_le(const uint8_t *p, size_t n)
{
    uint64_t m = 0;

    for (size_t j = 0; j < n; j++)
        m |= (uint64_t)p[j] << (8 * j);
    return m;
}

void
cp_hash_key_init_random(CpHashKey *k)
{
    k->k0 = (uint64_t)g_random_int() << 32 | g_random_int();
    k->k1 = (uint64_t)g_random_int() << 32 | g_random_int();
}

void
cp_hash_key_init_bytes(CpHashKey *k, const uint8_t bytes[16])
{
    k->k0 = load_le(bytes, 8);
    k->k1 = load_le(bytes + 8, 8);
}

uint64_t
cp_hash_bytes(const CpHashKey *k, const void *data, size_t len)
{
    const uint8_t *in = data;
    uint64_t v0 = 0x736f6d6570736575ull ^ k->k0;
    uint64_t v1 = 0x646f72616e646f6dull ^ k->k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k->k0;
    uint64_t v3 = 0x7465646279746573ull ^ k->k1;
    size_t i = 0;
    uint64_t m;

    /* Indexes, not pointer steps: in may be NULL when len is 0. */
    for (; len - i >= 8; i += 8) {
        m = load_le(in + i, 8);
        v3 ^= m;
        SIPROUND(v0, v1, v2, v3);
        SIPROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    /* Last block: the remaining bytes, and the length's low byte in the top byte. */
    m = (uint64_t)len << 56 | (len > i ? load_le(in + i, len - i) : 0);
    v3 ^= m;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    v0 ^= m;
    v2 ^= 0xff;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}
