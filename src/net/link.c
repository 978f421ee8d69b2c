/* SPDX-License-Identifier: BSD-2-Clause */
/* link: link-layer headers -> IPv4/IPv6, one decoder per linktype in a static table (STYLE R23).
 *
 * References: IEEE 802.3 (Ethernet II), IEEE 802.1Q (0x8100 C-tag, 0x88a8 S-tag; 0x9100 is the
 * pre-standard QinQ tag still sent by some switches), RFC 2516 §4 (PPPoE session, 0x8864) with
 * RFC 1332 / RFC 5072 PPP protocol numbers, and the tcpdump.org LINKTYPE registry for the
 * capture-specific headers:
 *
 *   NULL (0)      +----------------------+   AF in the capturing host's byte order
 *                 | AF (4)               |   AF_INET 2; AF_INET6 24 (Net/OpenBSD), 28 (FreeBSD),
 *   LOOP (108)    +----------------------+   30 (macOS); LOOP: network byte order
 *
 *   SLL (113)     | pkttype 2 | hatype 2 | halen 2 | addr 8 | protocol 2 |          = 16 bytes
 *   SLL2 (276)    | protocol 2 | rsvd 2 | ifindex 4 | hatype 2 | pkttype 1 | halen 1 | addr 8 |
 *                                                                                 = 20 bytes
 *   RAW (101, 12, 14), IPV4 (228), IPV6 (229): no header; RAW uses the IP version nibble.
 *
 *   IEEE802_11 (105): IEEE 802.11-2020 §9.2.3 MAC header, little-endian fields:
 *     | frame control 2 | duration 2 | addr1 6 | addr2 6 | addr3 6 | seq 2 | [addr4 6] |
 *     | [QoS control 2] | [HT control 4] | LLC/SNAP: AA AA 03 OUI(3) ethertype(2) |
 *     addr4 when both ToDS and FromDS are set; QoS control in QoS data subtypes (bit 3 of the
 *     subtype); HT control when a QoS frame has the +HTC/Order flag. Only data frames with a
 *     payload carry IP; a protected frame (WEP/TKIP/CCMP) is encrypted: link.not_ip. A trailing
 *     FCS needs no care: the IP length ends the payload.
 *   IEEE802_11_RADIOTAP (127): | version 1 (0) | pad 1 | length 2 (LE) | ... | then 802.11.
 *
 * Headers switches add in front of the payload's ethertype: Cisco MetaData (0x8909, carrying the
 * TrustSec SGT: version(1) length(1) option(2) SGT(2), then the ethertype), and MPLS unicast label
 * stacks (0x8847, RFC 3032 §2.1: label(20) TC(3) S(1) TTL(8) per entry; after the bottom of the
 * stack the first nibble tells IPv4 from IPv6, RFC 4385 §2 — anything else, such as a pseudowire
 * control word, is not IP for us). Tags, MetaData headers and labels share one budget per frame,
 * --max-vlan-tags (link.vlan_limit).
 *
 * The link layer carries no length we need: the IP header's own length decides what is payload.
 */
#include <stddef.h>

#include "net/decode.h"

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_PPPOE_SESSION = 0x8864,
    ETHERTYPE_CISCO_METADATA = 0x8909,
    ETHERTYPE_MPLS = 0x8847,
    CMD_BEFORE_TYPE = 6, /* version, length, option header, SGT */
    MPLS_BOTTOM = 0x100, /* the S bit of a label stack entry */
    PPP_IPV4 = 0x0021,
    PPP_IPV6 = 0x0057,
    PPPOE_VER_TYPE = 0x11,
    PPPOE_CODE_SESSION = 0x00,
    AF_NUM_INET = 2,
    AF_NUM_INET6_BSD = 24,
    AF_NUM_INET6_FREEBSD = 28,
    AF_NUM_INET6_DARWIN = 30,
    SLL_BEFORE_PROTOCOL = 14,
    SLL2_AFTER_PROTOCOL = 18,
    ETHER_ADDRS = 12,
    WLAN_TYPE_DATA = 2,
    WLAN_FC_TO_DS = 0x0100, /* frame control read little-endian: flags in the high byte */
    WLAN_FC_FROM_DS = 0x0200,
    WLAN_FC_PROTECTED = 0x4000,
    WLAN_FC_ORDER = 0x8000,
    WLAN_SUBTYPE_NO_DATA = 0x4, /* Null, CF-Ack/Poll without data, QoS Null */
    WLAN_SUBTYPE_QOS = 0x8,
    WLAN_HDR_LEN = 24, /* frame control .. sequence control */
    WLAN_ADDR_LEN = 6,
    WLAN_QOS_LEN = 2,
    WLAN_HTC_LEN = 4,
    LLC_SNAP_LEN = 6, /* DSAP AA, SSAP AA, control 03, OUI */
    RADIOTAP_FIXED = 4,
};

typedef CpNetResult (*CpLinkDecodeFn)(CpNet *net, CpReader *r, CpPacket *out);

typedef struct CpLinkDecoder {
    int linktype;
    CpLinkDecodeFn decode;
} CpLinkDecoder;

/* link.truncated: the frame ends inside the link header (snaplen below the header, or a runt
 * frame). Both cases leave nothing to decode. */
static CpNetResult
link_short(CpNet *net)
{
    return cp_net_skip(net, CP_ANOMALY_LINK_TRUNCATED);
}

static bool
is_vlan_tag(uint16_t type)
{
    return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD;
}

static CpNetResult
pppoe_session(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t ver_type, code;
    uint16_t session, length, ppp_proto;

    if (!cp_reader_u8(r, &ver_type) || !cp_reader_u8(r, &code) || !cp_reader_be16(r, &session) ||
        !cp_reader_be16(r, &length) || !cp_reader_be16(r, &ppp_proto))
        return link_short(net);
    /* link.not_ip: another PPPoE version, a discovery packet sent with the session type, or
     * PPP control traffic (LCP, IPCP) rather than IP. The PPPoE length is not needed: the IP
     * header bounds the payload. */
    if (ver_type != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION)
        return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
    if (ppp_proto == PPP_IPV4)
        return cp_ipv4_decode(net, r, out);
    if (ppp_proto == PPP_IPV6)
        return cp_ipv6_decode(net, r, out);
    return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
}

/* An MPLS label stack: entries up to the bottom of the stack, then IP by its version nibble. */
static CpNetResult
mpls(CpNet *net, uint64_t tags, CpReader *r, CpPacket *out)
{
    uint32_t entry = 0;
    uint8_t first;

    while (!(entry & MPLS_BOTTOM)) {
        /* link.vlan_limit (--max-vlan-tags): label stacks are two to four deep; more is crafted */
        if (tags >= net->limits->max_vlan_tags)
            return cp_net_skip(net, CP_ANOMALY_LINK_VLAN_LIMIT);
        if (!cp_reader_be32(r, &entry))
            return link_short(net);
        tags++;
    }
    if (!cp_reader_peek_u8(r, 0, &first))
        return link_short(net);
    if (first >> 4 == 4)
        return cp_ipv4_decode(net, r, out);
    if (first >> 4 == 6)
        return cp_ipv6_decode(net, r, out);
    return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP); /* link.not_ip: a pseudowire, ... */
}

/* Ethertype dispatch shared by Ethernet and both cooked headers (which carry VLAN tags too when
 * the kernel did not strip them). */
static CpNetResult
ethertype(CpNet *net, uint16_t type, CpReader *r, CpPacket *out)
{
    uint64_t tags = 0;

    while (is_vlan_tag(type) || type == ETHERTYPE_CISCO_METADATA) {
        uint16_t tci;

        /* link.vlan_limit (--max-vlan-tags): real networks stack two or three tags; a long
         * chain is crafted. */
        if (tags >= net->limits->max_vlan_tags)
            return cp_net_skip(net, CP_ANOMALY_LINK_VLAN_LIMIT);
        if (type == ETHERTYPE_CISCO_METADATA) {
            if (!cp_reader_skip(r, CMD_BEFORE_TYPE) || !cp_reader_be16(r, &type))
                return link_short(net);
        } else if (!cp_reader_be16(r, &tci) || !cp_reader_be16(r, &type)) {
            return link_short(net);
        }
        tags++;
    }
    switch (type) {
    case ETHERTYPE_MPLS:
        return mpls(net, tags, r, out);
    case ETHERTYPE_IPV4:
        return cp_ipv4_decode(net, r, out);
    case ETHERTYPE_IPV6:
        return cp_ipv6_decode(net, r, out);
    case ETHERTYPE_PPPOE_SESSION:
        return pppoe_session(net, r, out);
    default:
        /* link.not_ip: ARP, LLDP, 802.3 length frames (type < 0x0600), ... */
        return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
    }
}

static CpNetResult
ethernet(CpNet *net, CpReader *r, CpPacket *out)
{
    uint16_t type;

    /* The source address names the client's host (or its last router) in client-side findings. */
    if (!cp_reader_skip(r, ETHER_ADDRS / 2) ||
        !cp_reader_copy(r, out->src_mac, sizeof out->src_mac) || !cp_reader_be16(r, &type))
        return link_short(net);
    out->has_src_mac = true;
    return ethertype(net, type, r, out);
}

CpNetResult
cp_link_ethernet(CpNet *net, CpReader *r, CpPacket *out)
{
    return ethernet(net, r, out);
}

static CpNetResult
sll(CpNet *net, CpReader *r, CpPacket *out)
{
    uint16_t protocol;

    if (!cp_reader_skip(r, SLL_BEFORE_PROTOCOL) || !cp_reader_be16(r, &protocol))
        return link_short(net);
    return ethertype(net, protocol, r, out);
}

static CpNetResult
sll2(CpNet *net, CpReader *r, CpPacket *out)
{
    uint16_t protocol;

    if (!cp_reader_be16(r, &protocol) || !cp_reader_skip(r, SLL2_AFTER_PROTOCOL))
        return link_short(net);
    return ethertype(net, protocol, r, out);
}

/* LLC/SNAP (RFC 1042, and 802.1H's bridge-tunnel OUI 00-00-F8) then the ethertype. */
static CpNetResult
llc_snap(CpNet *net, CpReader *r, CpPacket *out)
{
    const uint8_t *llc;
    uint16_t type;

    if (!cp_reader_bytes(r, LLC_SNAP_LEN, &llc) || !cp_reader_be16(r, &type))
        return link_short(net);
    /* link.not_ip: plain 802.2 LLC (no SNAP), or a vendor OUI's own protocol numbers */
    if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] != 0 || llc[4] != 0 ||
        (llc[5] != 0 && llc[5] != 0xf8))
        return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
    return ethertype(net, type, r, out);
}

/* The MAC header's length past its fixed 24 bytes, from the frame control field. */
static size_t
wlan_extra_len(uint16_t fc)
{
    size_t extra = 0;
    unsigned subtype = (fc >> 4) & 0x0f;

    if ((fc & WLAN_FC_TO_DS) && (fc & WLAN_FC_FROM_DS))
        extra += WLAN_ADDR_LEN;
    if (subtype & WLAN_SUBTYPE_QOS) {
        extra += WLAN_QOS_LEN;
        if (fc & WLAN_FC_ORDER)
            extra += WLAN_HTC_LEN;
    }
    return extra;
}

static CpNetResult
ieee80211(CpNet *net, CpReader *r, CpPacket *out)
{
    uint16_t fc;

    if (!cp_reader_le16(r, &fc))
        return link_short(net);
    unsigned type = (fc >> 2) & 0x03, subtype = (fc >> 4) & 0x0f;
    /* link.not_ip: management and control frames, data frames without a payload, protocol
     * versions other than 0, and protected (encrypted) payloads */
    if ((fc & 0x03) != 0 || type != WLAN_TYPE_DATA || (subtype & WLAN_SUBTYPE_NO_DATA) ||
        (fc & WLAN_FC_PROTECTED))
        return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
    if (!cp_reader_skip(r, WLAN_HDR_LEN - 2 + wlan_extra_len(fc)))
        return link_short(net);
    return llc_snap(net, r, out);
}

static CpNetResult
radiotap(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t version;
    uint16_t len;
    CpReader look = *r;

    if (!cp_reader_u8(&look, &version) || !cp_reader_skip(&look, 1) || !cp_reader_le16(&look, &len))
        return link_short(net);
    /* link.not_ip: radiotap version 0 is the only one; its length covers its fixed part */
    if (version != 0 || len < RADIOTAP_FIXED)
        return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
    if (!cp_reader_skip(r, len))
        return link_short(net);
    return ieee80211(net, r, out);
}

static CpNetResult
raw_ip(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t first;

    if (!cp_reader_peek_u8(r, 0, &first))
        return link_short(net);
    if (first >> 4 == 4)
        return cp_ipv4_decode(net, r, out);
    if (first >> 4 == 6)
        return cp_ipv6_decode(net, r, out);
    return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED); /* ip.malformed: no IP version */
}

static CpNetResult
ipv4_only(CpNet *net, CpReader *r, CpPacket *out)
{
    return cp_ipv4_decode(net, r, out);
}

static CpNetResult
ipv6_only(CpNet *net, CpReader *r, CpPacket *out)
{
    return cp_ipv6_decode(net, r, out);
}

static CpNetResult
address_family(CpNet *net, uint32_t af, CpReader *r, CpPacket *out)
{
    switch (af) {
    case AF_NUM_INET:
        return cp_ipv4_decode(net, r, out);
    case AF_NUM_INET6_BSD:
    case AF_NUM_INET6_FREEBSD:
    case AF_NUM_INET6_DARWIN:
        return cp_ipv6_decode(net, r, out);
    default:
        return cp_net_skip(net, CP_ANOMALY_LINK_NOT_IP);
    }
}

static CpNetResult
null_host_order(CpNet *net, CpReader *r, CpPacket *out)
{
    CpReader peek = *r;
    uint32_t le, be;

    if (!cp_reader_le32(&peek, &le) || !cp_reader_be32(r, &be))
        return link_short(net);
    /* The AF was written in the capturing host's byte order, which the file does not record.
     * AF values are small, so the reading that gives a small number is the right one. */
    return address_family(net, le <= 0xffff ? le : be, r, out);
}

static CpNetResult
loop_network_order(CpNet *net, CpReader *r, CpPacket *out)
{
    uint32_t af;

    if (!cp_reader_be32(r, &af))
        return link_short(net);
    return address_family(net, af, r, out);
}

static const CpLinkDecoder decoders[] = {
    { 0, null_host_order },      /* DLT_NULL */
    { 1, ethernet },             /* DLT_EN10MB */
    { 12, raw_ip },              /* DLT_RAW on most systems */
    { 14, raw_ip },              /* DLT_RAW on OpenBSD */
    { 101, raw_ip },             /* LINKTYPE_RAW */
    { 105, ieee80211 },          /* LINKTYPE_IEEE802_11 */
    { 108, loop_network_order }, /* LINKTYPE_LOOP */
    { 113, sll },                /* LINKTYPE_LINUX_SLL */
    { 127, radiotap },           /* LINKTYPE_IEEE802_11_RADIOTAP */
    { 228, ipv4_only },          /* LINKTYPE_IPV4 */
    { 229, ipv6_only },          /* LINKTYPE_IPV6 */
    { 276, sll2 },               /* LINKTYPE_LINUX_SLL2 */
};

static const CpLinkDecoder *
find(int linktype)
{
    for (size_t i = 0; i < G_N_ELEMENTS(decoders); i++) {
        if (decoders[i].linktype == linktype)
            return &decoders[i];
    }
    return NULL;
}

bool
cp_link_supported(int linktype)
{
    return find(linktype) != NULL;
}

CpNetResult
cp_link_decode(CpNet *net, int linktype, CpReader *frame, CpPacket *out)
{
    const CpLinkDecoder *d = find(linktype);

    /* capture.unsupported_link: counted per frame; the caller warns once per link type. */
    if (d == NULL)
        return cp_net_skip(net, CP_ANOMALY_CAPTURE_UNSUPPORTED_LINK);
    return d->decode(net, frame, out);
}
