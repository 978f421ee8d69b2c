/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapw.c - pcap (tcpdump.org "Libpcap File Format") and pcapng
 * (draft-ietf-opsawg-pcapng: SHB, IDB, EPB) writer.
 *
 * Every multi-byte field of the file formats is written little-endian
 * explicitly, so files are identical on any host; link-layer headers are
 * network order except LINKTYPE_NULL, whose AF value is in the writer's byte
 * order, i.e. little-endian here too.
 */
#include "pcapw.h"

#include "cgerror.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
    DEFAULT_SNAPLEN = 262144,
    MAX_LINK_HDR = 48,
    MAX_IP_LEN = 65535 + 8,
    BSD_AF_INET = 2,
    BSD_AF_INET6 = 24, /* NetBSD/OpenBSD value, understood by every reader */
};

struct CgPcapWriter {
    FILE *file;
    char *path;
    CgFormat format;
    CgLink link;
    uint32_t snaplen;
    bool failed;
    uint8_t frame[MAX_LINK_HDR + MAX_IP_LEN + 4];
};

static const struct {
    const char *name;
    CgLink link;
    uint32_t linktype;
} links[] = {
    { "ether", CG_LINK_ETHER, 1 }, { "vlan", CG_LINK_VLAN, 1 },   { "qinq", CG_LINK_QINQ, 1 },
    { "sll", CG_LINK_SLL, 113 },   { "sll2", CG_LINK_SLL2, 276 }, { "raw", CG_LINK_RAW, 101 },
    { "null", CG_LINK_NULL, 0 },   { "wlan", CG_LINK_WLAN, 127 },
};

gboolean
cg_pcapw_parse_format(const char *text, CgFormat *out)
{
    if (g_strcmp0(text, "pcap") == 0)
        *out = CG_FORMAT_PCAP;
    else if (g_strcmp0(text, "pcapng") == 0)
        *out = CG_FORMAT_PCAPNG;
    else
        return FALSE;
    return TRUE;
}

gboolean
cg_pcapw_parse_link(const char *text, CgLink *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
        if (g_strcmp0(text, links[i].name) == 0) {
            *out = links[i].link;
            return TRUE;
        }
    }
    return FALSE;
}

static uint32_t
linktype(CgLink link)
{
    for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
        if (links[i].link == link)
            return links[i].linktype;
    }
    return 1;
}

static void
le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xffff);
    le16(p + 2, v >> 16);
}

static void
be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
put(CgPcapWriter *w, const void *data, size_t len)
{
    if (len > 0 && fwrite(data, 1, len, w->file) != len)
        w->failed = true;
}

static void
write_pcap_header(CgPcapWriter *w)
{
    uint8_t h[24];

    le32(h, 0xa1b2c3d4); /* microsecond magic */
    le16(h + 4, 2);
    le16(h + 6, 4);
    le32(h + 8, 0);  /* thiszone */
    le32(h + 12, 0); /* sigfigs */
    le32(h + 16, w->snaplen);
    le32(h + 20, linktype(w->link));
    put(w, h, sizeof(h));
}

static void
write_pcapng_header(CgPcapWriter *w)
{
    uint8_t shb[28];
    uint8_t idb[32];

    le32(shb, 0x0A0D0D0A);
    le32(shb + 4, sizeof(shb));
    le32(shb + 8, 0x1A2B3C4D); /* byte-order magic */
    le16(shb + 12, 1);
    le16(shb + 14, 0);
    le32(shb + 16, 0xffffffff); /* section length unknown (-1) */
    le32(shb + 20, 0xffffffff);
    le32(shb + 24, sizeof(shb));
    put(w, shb, sizeof(shb));

    le32(idb, 1);
    le32(idb + 4, sizeof(idb));
    le16(idb + 8, linktype(w->link));
    le16(idb + 10, 0);
    le32(idb + 12, w->snaplen);
    le16(idb + 16, 9); /* if_tsresol */
    le16(idb + 18, 1);
    le32(idb + 20, 9); /* 10^-9 s, then 3 bytes of padding (zero) */
    le32(idb + 24, 0); /* opt_endofopt */
    le32(idb + 28, sizeof(idb));
    put(w, idb, sizeof(idb));
}

CgPcapWriter *
cg_pcapw_open(const char *path, CgFormat format, CgLink link, uint32_t snaplen, GError **error)
{
    CgPcapWriter *w;
    FILE *f = fopen(path, "wb");

    if (f == NULL) {
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: %s", path, g_strerror(errno));
        return NULL;
    }
    w = g_new0(CgPcapWriter, 1);
    w->file = f;
    w->path = g_strdup(path);
    w->format = format;
    w->link = link;
    w->snaplen = snaplen != 0 ? snaplen : DEFAULT_SNAPLEN;
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    if (format == CG_FORMAT_PCAP)
        write_pcap_header(w);
    else
        write_pcapng_header(w);
    return w;
}

static size_t
ether_header(uint8_t *p, const CgFrameMeta *m, uint16_t ethertype, CgLink link)
{
    size_t n = 12;

    memcpy(p, m->dst_mac, 6);
    memcpy(p + 6, m->src_mac, 6);
    if (link == CG_LINK_QINQ) {
        be16(p + n, 0x88a8); /* 802.1ad service tag, VID 200 */
        be16(p + n + 2, 200);
        n += 4;
    }
    if (link == CG_LINK_QINQ || link == CG_LINK_VLAN) {
        be16(p + n, 0x8100); /* 802.1Q customer tag, VID 100 */
        be16(p + n + 2, 100);
        n += 4;
    }
    be16(p + n, ethertype);
    return n + 2;
}

/* An 8-byte radiotap header with no fields, an 802.11 QoS data frame between the station
 * (src_mac or dst_mac) and its access point (IEEE 802.11-2020 §9.2.3; ToDS when outgoing, else
 * FromDS), and the RFC 1042 LLC/SNAP header carrying the ethertype: 42 bytes. */
static size_t
wlan_header(uint8_t *p, const CgFrameMeta *m, uint16_t ethertype)
{
    static const uint8_t bssid[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
    static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };

    memset(p, 0, 42);
    p[2] = 8;    /* radiotap length, little-endian; version, pad and present are zero */
    p[8] = 0x88; /* frame control: type data, subtype QoS data */
    p[9] = m->outgoing ? 0x01 : 0x02;
    /* ToDS: addr1 BSSID, addr2 source, addr3 destination; FromDS: destination, BSSID, source */
    memcpy(p + 12, m->outgoing ? bssid : m->dst_mac, 6);
    memcpy(p + 18, m->outgoing ? m->src_mac : bssid, 6);
    memcpy(p + 24, m->outgoing ? m->dst_mac : m->src_mac, 6);
    memcpy(p + 34, snap, sizeof snap); /* after sequence control (2) and QoS control (2) */
    be16(p + 40, ethertype);
    return 42;
}

static size_t
link_header(uint8_t *p, const CgFrameMeta *m, CgLink link)
{
    uint16_t ethertype = m->ipv6 ? 0x86DD : 0x0800;
    uint8_t pkttype = m->outgoing ? 4 : 0; /* PACKET_OUTGOING / PACKET_HOST */

    switch (link) {
    case CG_LINK_ETHER:
    case CG_LINK_VLAN:
    case CG_LINK_QINQ:
        return ether_header(p, m, ethertype, link);
    case CG_LINK_SLL:
        memset(p, 0, 16);
        be16(p, pkttype);
        be16(p + 2, 1); /* ARPHRD_ETHER */
        be16(p + 4, 6);
        memcpy(p + 6, m->src_mac, 6);
        be16(p + 14, ethertype);
        return 16;
    case CG_LINK_SLL2:
        memset(p, 0, 20);
        be16(p, ethertype);
        p[7] = 1; /* interface index 1, big-endian */
        be16(p + 8, 1);
        p[10] = pkttype;
        p[11] = 6;
        memcpy(p + 12, m->src_mac, 6);
        return 20;
    case CG_LINK_RAW:
        return 0;
    case CG_LINK_NULL:
        le32(p, m->ipv6 ? BSD_AF_INET6 : BSD_AF_INET);
        return 4;
    case CG_LINK_WLAN:
        return wlan_header(p, m, ethertype);
    }
    return 0;
}

static void
write_record(CgPcapWriter *w, uint64_t ts_ns, size_t len)
{
    uint32_t caplen = (uint32_t)MIN(len, (size_t)w->snaplen);
    uint8_t h[28];

    if (w->format == CG_FORMAT_PCAP) {
        le32(h, (uint32_t)(ts_ns / 1000000000u));
        le32(h + 4, (uint32_t)(ts_ns % 1000000000u / 1000u));
        le32(h + 8, caplen);
        le32(h + 12, (uint32_t)len);
        put(w, h, 16);
        put(w, w->frame, caplen);
        return;
    }
    uint32_t padded = (caplen + 3u) & ~3u;
    uint32_t total = 32 + padded;
    uint8_t pad[4] = { 0, 0, 0, 0 };
    uint8_t trailer[4];

    le32(h, 6);
    le32(h + 4, total);
    le32(h + 8, 0); /* interface 0 */
    le32(h + 12, (uint32_t)(ts_ns >> 32));
    le32(h + 16, (uint32_t)ts_ns);
    le32(h + 20, caplen);
    le32(h + 24, (uint32_t)len);
    put(w, h, 28);
    put(w, w->frame, caplen);
    put(w, pad, padded - caplen);
    le32(trailer, total);
    put(w, trailer, 4);
}

gboolean
cg_pcapw_write(CgPcapWriter *w, uint64_t ts_ns, const CgFrameMeta *meta, const uint8_t *ip,
               size_t ip_len, GError **error)
{
    size_t hlen;

    if (ip_len > MAX_IP_LEN) {
        g_set_error(error, CG_ERROR, CG_ERROR_USAGE, "IP packet of %zu bytes too large", ip_len);
        return FALSE;
    }
    hlen = link_header(w->frame, meta, w->link);
    memcpy(w->frame + hlen, ip, ip_len);
    write_record(w, ts_ns, hlen + ip_len);
    if (w->failed) {
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: write failed", w->path);
        return FALSE;
    }
    return TRUE;
}

gboolean
cg_pcapw_write_dsb(CgPcapWriter *w, const void *keylog, size_t len, GError **error)
{
    uint8_t h[16], trailer[4], pad[4] = { 0, 0, 0, 0 };
    size_t padded = (len + 3u) & ~(size_t)3u;

    if (w->format != CG_FORMAT_PCAPNG || padded + 20 > UINT32_MAX) {
        g_set_error(error, CG_ERROR, CG_ERROR_USAGE, "--dsb needs --format pcapng");
        return FALSE;
    }
    uint32_t total = (uint32_t)(20 + padded);
    le32(h, 0x0000000a); /* Decryption Secrets Block */
    le32(h + 4, total);
    le32(h + 8, 0x544c534b); /* "TLSK": NSS key log */
    le32(h + 12, (uint32_t)len);
    put(w, h, 16);
    put(w, keylog, len);
    put(w, pad, padded - len);
    le32(trailer, total);
    put(w, trailer, 4);
    if (w->failed) {
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: write failed", w->path);
        return FALSE;
    }
    return TRUE;
}

gboolean
cg_pcapw_close(CgPcapWriter *w, GError **error)
{
    gboolean ok;

    if (w == NULL)
        return TRUE;
    ok = fclose(w->file) == 0 && !w->failed;
    if (!ok)
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: write failed", w->path);
    g_free(w->path);
    g_free(w);
    return ok;
}
