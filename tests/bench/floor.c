/* SPDX-License-Identifier: BSD-2-Clause */
/* floor: the cheapest useful pass over a capture, the yardstick of the speed benchmark.
 *
 * A bare libpcap pcap_next_ex() loop that decodes Ethernet (with 802.1Q/802.1ad tags), IPv4 and
 * IPv6 (no extension headers) and TCP, hashes the direction-independent 5-tuple and counts the
 * segment in an open-addressing flow table. certpath does at least this much per packet, so its
 * CPU time divided by this program's is the figure the benchmark reports (docs/internals/
 * performance.md). Prints "frames tcp flows hash" so the work cannot be optimised away.
 *
 * Refs: IEEE 802.3 / 802.1Q (Ethernet and tags), RFC 791 (IPv4), RFC 8200 (IPv6), RFC 9293 (TCP).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_BITS 16u
#define TABLE_SIZE (1u << TABLE_BITS)

typedef struct FlowKey {
    uint8_t addr[2][16]; /* lower address first */
    uint16_t port[2];
    uint8_t family;
} FlowKey;

typedef struct FlowSlot {
    FlowKey key;
    uint64_t segments;
    uint8_t used;
} FlowSlot;

typedef struct Floor {
    FlowSlot *table;
    uint64_t frames, tcp, flows, mix;
} Floor;

static uint16_t
be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* FNV-1a over the key bytes: cheap and good enough for a yardstick. */
static uint64_t
key_hash(const FlowKey *k)
{
    const uint8_t *p = (const uint8_t *)k;
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < sizeof *k; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Orders the endpoints so both directions of a connection share a key. */
static void
key_make(FlowKey *k, const uint8_t *a, const uint8_t *b, size_t alen, uint16_t pa, uint16_t pb,
         uint8_t family)
{
    int c = memcmp(a, b, alen);
    bool swap = c > 0 || (c == 0 && pa > pb);

    memset(k, 0, sizeof *k);
    memcpy(k->addr[0], swap ? b : a, alen);
    memcpy(k->addr[1], swap ? a : b, alen);
    k->port[0] = swap ? pb : pa;
    k->port[1] = swap ? pa : pb;
    k->family = family;
}

static void
flow_count(Floor *fl, const FlowKey *k)
{
    uint64_t h = key_hash(k);

    fl->mix ^= h;
    for (uint32_t i = 0; i < TABLE_SIZE; i++) {
        FlowSlot *s = &fl->table[(h + i) & (TABLE_SIZE - 1)];
        if (!s->used) {
            s->used = 1;
            s->key = *k;
            fl->flows++;
        } else if (memcmp(&s->key, k, sizeof *k) != 0) {
            continue;
        }
        s->segments++;
        return;
    }
}

static void
tcp_packet(Floor *fl, const uint8_t *l4, size_t len, const uint8_t *src, const uint8_t *dst,
           size_t alen, uint8_t family)
{
    FlowKey k;

    if (len < 20)
        return;
    key_make(&k, src, dst, alen, be16(l4), be16(l4 + 2), family);
    fl->tcp++;
    flow_count(fl, &k);
}

static void
frame(Floor *fl, const uint8_t *p, size_t len)
{
    size_t off = 12;
    uint16_t type;

    fl->frames++;
    if (len < 14)
        return;
    type = be16(p + off);
    while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {
        off += 4;
        type = be16(p + off);
    }
    off += 2;
    if (type == 0x0800 && off + 20 <= len) {
        const uint8_t *ip = p + off;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
        if (ip[9] == 6 && ihl >= 20 && off + ihl <= len && (be16(ip + 6) & 0x1fff) == 0)
            tcp_packet(fl, ip + ihl, len - off - ihl, ip + 12, ip + 16, 4, 4);
    } else if (type == 0x86dd && off + 40 <= len) {
        const uint8_t *ip = p + off;
        if (ip[6] == 6)
            tcp_packet(fl, ip + 40, len - off - 40, ip + 8, ip + 24, 16, 6);
    }
}

int
main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    Floor fl = { 0 };
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: floor FILE.pcap\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "floor: %s\n", errbuf);
        return 1;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        fprintf(stderr, "floor: only Ethernet captures are measured\n");
        pcap_close(p);
        return 1;
    }
    fl.table = calloc(TABLE_SIZE, sizeof *fl.table);
    if (fl.table == NULL) {
        pcap_close(p);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1)
        frame(&fl, data, h->caplen);
    if (rc != PCAP_ERROR_BREAK)
        fprintf(stderr, "floor: %s\n", pcap_geterr(p));
    printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", fl.frames, fl.tcp, fl.flows,
           fl.mix);
    free(fl.table);
    pcap_close(p);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
