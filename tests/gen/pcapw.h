/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapw.h - pcap / pcapng file writer with link-layer framing.
 *
 * Formats: classic pcap (little-endian, microseconds) and pcapng (one section,
 * one interface with if_tsresol 9 = nanoseconds, Enhanced Packet Blocks). Link
 * layers wrap an IP packet in Ethernet (optionally 802.1Q / 802.1ad tags),
 * Linux cooked v1/v2, raw IP or BSD loopback. Frames are streamed to the file.
 */
#ifndef CG_PCAPW_H
#define CG_PCAPW_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum CgFormat {
    CG_FORMAT_PCAP = 0,
    CG_FORMAT_PCAPNG,
} CgFormat;

typedef enum CgLink {
    CG_LINK_ETHER = 0, /* LINKTYPE_ETHERNET 1 */
    CG_LINK_VLAN,      /* Ethernet + 802.1Q tag 100 */
    CG_LINK_QINQ,      /* Ethernet + 802.1ad tag 200 + 802.1Q tag 100 */
    CG_LINK_SLL,       /* LINKTYPE_LINUX_SLL 113 */
    CG_LINK_SLL2,      /* LINKTYPE_LINUX_SLL2 276 */
    CG_LINK_RAW,       /* LINKTYPE_RAW 101 */
    CG_LINK_NULL,      /* LINKTYPE_NULL 0, host-endian address family */
    CG_LINK_WLAN,      /* LINKTYPE_IEEE802_11_RADIOTAP 127: radiotap, QoS data, LLC/SNAP */
} CgLink;

/* Addressing of one frame. */
typedef struct CgFrameMeta {
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    bool ipv6;     /* EtherType / protocol / AF chosen from this */
    bool outgoing; /* sent by the capturing host (cooked captures' packet type) */
} CgFrameMeta;

typedef struct CgPcapWriter CgPcapWriter;

/* Parse a --format / --link value; FALSE when unknown. */
gboolean cg_pcapw_parse_format(const char *text, CgFormat *out);
gboolean cg_pcapw_parse_link(const char *text, CgLink *out);

/* Open `path` and write the file header. snaplen 0 = 262144 (no cut). */
CgPcapWriter *cg_pcapw_open(const char *path, CgFormat format, CgLink link, uint32_t snaplen,
                            GError **error);

/* Frame `ip` (an IPv4/IPv6 packet) and append it, cut at the snap length. */
gboolean cg_pcapw_write(CgPcapWriter *w, uint64_t ts_ns, const CgFrameMeta *meta, const uint8_t *ip,
                        size_t ip_len, GError **error);

/* Flush, close and free; reports a failed final write. NULL is a no-op. */
/* pcapng only: a Decryption Secrets Block of type TLSK (an NSS key log), as editcap
 * --inject-secrets writes it. */
gboolean cg_pcapw_write_dsb(CgPcapWriter *w, const void *keylog, size_t len, GError **error);
gboolean cg_pcapw_close(CgPcapWriter *w, GError **error);

#endif /* CG_PCAPW_H */
