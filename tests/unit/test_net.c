/* SPDX-License-Identifier: BSD-2-Clause */
/* test_net: one frame -> CpPacket through every supported link type, IPv4/IPv6 edge cases,
 * tunnels, fragments through cp_net_decode, TCP header checks, address formatting, a table of
 * malformed inputs (STYLE R58) and truncation/mutation sweeps that must never crash. Frames are
 * built byte by byte below. */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "harness.h"
#include "net/net.h"

#define TS 1700000000000000000ull

/* ---- frame builder ---- */

typedef struct Buf {
    uint8_t b[4096];
    size_t n;
} Buf;

static void
put8(Buf *f, uint8_t v)
{
    g_assert(f->n < sizeof f->b);
    f->b[f->n++] = v;
}

static void
put16(Buf *f, uint16_t v)
{
    put8(f, (uint8_t)(v >> 8));
    put8(f, (uint8_t)v);
}

static void
put32(Buf *f, uint32_t v)
{
    put16(f, (uint16_t)(v >> 16));
    put16(f, (uint16_t)v);
}

static void
putn(Buf *f, const void *p, size_t n)
{
    g_assert(n <= sizeof f->b - f->n);
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void
set16(Buf *f, size_t at, uint16_t v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

static const uint8_t V4_SRC[4] = { 192, 0, 2, 1 };
static const uint8_t V4_DST[4] = { 198, 51, 100, 2 };
static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void
ether(Buf *f, uint16_t type)
{
    static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };

    putn(f, macs, sizeof macs);
    put16(f, type);
}

/* Starts an IPv4 header (IHL words, optional options of zeros); ipv4_end sets its length. */
static size_t
ipv4_begin_ihl(Buf *f, uint8_t proto, uint16_t frag, uint16_t id, uint8_t ihl)
{
    size_t at = f->n;

    put8(f, (uint8_t)(0x40 | ihl));
    put8(f, 0);
    put16(f, 0); /* total length, set by ipv4_end */
    put16(f, id);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    putn(f, V4_SRC, 4);
    putn(f, V4_DST, 4);
    for (unsigned i = 5; i < ihl; i++)
        put32(f, 0x01010100); /* NOPs and an end of options */
    return at;
}

static size_t
ipv4_begin(Buf *f, uint8_t proto)
{
    return ipv4_begin_ihl(f, proto, 0x4000 /* DF */, 0x1234, 5);
}

static void
ipv4_end(Buf *f, size_t at)
{
    set16(f, at + 2, (uint16_t)(f->n - at));
}

static size_t
ipv6_begin(Buf *f, uint8_t nh)
{
    size_t at = f->n;

    put32(f, 0x60000000);
    put16(f, 0); /* payload length, set by ipv6_end */
    put8(f, nh);
    put8(f, 64);
    putn(f, V6_SRC, 16);
    putn(f, V6_DST, 16);
    return at;
}

static void
ipv6_end(Buf *f, size_t at)
{
    set16(f, at + 4, (uint16_t)(f->n - at - 40));
}

/* An option-style extension header of 8 * (len8 + 1) bytes. */
static void
ipv6_ext(Buf *f, uint8_t next, uint8_t len8)
{
    put8(f, next);
    put8(f, len8);
    for (size_t i = 2; i < ((size_t)len8 + 1) * 8; i++)
        put8(f, i == 2 ? 1 : 0); /* PadN then zeros */
}

static void
tcp_doff(Buf *f, uint8_t flags, const char *payload, uint8_t doff)
{
    put16(f, 49152);
    put16(f, 443);
    put32(f, 0x01020304);
    put32(f, 0xa0b0c0d0);
    put8(f, (uint8_t)(doff << 4));
    put8(f, flags);
    put16(f, 65535);
    put16(f, 0);
    put16(f, 0);
    for (unsigned i = 5; i < doff; i++)
        put32(f, 0x01010101);
    putn(f, payload, strlen(payload));
}

static void
tcp(Buf *f, const char *payload)
{
    tcp_doff(f, CP_TCP_PSH | CP_TCP_ACK, payload, 5);
}

static const char PAYLOAD[] = "\x16\x03\x01 hello";

static void
eth_ipv4_tcp(Buf *f, const char *payload)
{
    ether(f, 0x0800);
    size_t ip = ipv4_begin(f, 6);
    tcp(f, payload);
    ipv4_end(f, ip);
}

static void
eth_ipv6_tcp(Buf *f, const char *payload)
{
    ether(f, 0x86dd);
    size_t ip = ipv6_begin(f, 6);
    tcp(f, payload);
    ipv6_end(f, ip);
}

/* ---- fixture ---- */

static CpLimits limits;
static CpAnomalies anomalies;
static CpNet *net;

static void
start(void)
{
    cp_limits_init_default(&limits);
    memset(&anomalies, 0, sizeof anomalies);
    net = cp_net_new(&limits, &anomalies);
}

static void
finish(void)
{
    cp_net_free(net);
    net = NULL;
}

static CpNetResult
decode_cut(int linktype, const Buf *f, size_t caplen, CpPacket *p)
{
    return cp_net_decode(net, linktype, f->b, caplen, f->n, TS, p);
}

static CpNetResult
decode(int linktype, const Buf *f, CpPacket *p)
{
    return decode_cut(linktype, f, f->n, p);
}

static uint64_t
total_anomalies(void)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < CP_ANOMALY__COUNT; i++)
        sum += anomalies.count[i];
    return sum;
}

static void
check_segment(const CpPacket *p, int family, const char *payload)
{
    CU_ASSERT_EQUAL(p->ts_ns, TS);
    CU_ASSERT_EQUAL(p->src.family, family);
    CU_ASSERT_EQUAL(p->dst.family, family);
    if (family == 4) {
        CU_ASSERT_EQUAL(memcmp(p->src.bytes, V4_SRC, 4), 0);
        CU_ASSERT_EQUAL(memcmp(p->dst.bytes, V4_DST, 4), 0);
    } else {
        CU_ASSERT_EQUAL(memcmp(p->src.bytes, V6_SRC, 16), 0);
        CU_ASSERT_EQUAL(memcmp(p->dst.bytes, V6_DST, 16), 0);
    }
    CU_ASSERT_EQUAL(p->sport, 49152);
    CU_ASSERT_EQUAL(p->dport, 443);
    CU_ASSERT_EQUAL(p->seq, 0x01020304);
    CU_ASSERT_EQUAL(p->ack, 0xa0b0c0d0);
    CU_ASSERT_EQUAL(p->tcp_flags, CP_TCP_PSH | CP_TCP_ACK);
    CU_ASSERT_EQUAL(p->payload_len, strlen(payload));
    CU_ASSERT_EQUAL(p->payload_declared, strlen(payload));
    if (p->payload_len == strlen(payload) && p->payload_len > 0)
        CU_ASSERT_EQUAL(memcmp(p->payload, payload, p->payload_len), 0);
}

/* Decodes f and expects a TCP segment with the standard fields and no anomaly. */
static void
expect_tcp(int linktype, const Buf *f, int family, const char *payload)
{
    CpPacket p;

    CU_ASSERT_EQUAL(decode(linktype, f, &p), CP_NET_TCP);
    check_segment(&p, family, payload);
    CU_ASSERT_EQUAL(total_anomalies(), 0);
}

static void
expect_skip(int linktype, const Buf *f, CpAnomalyId id)
{
    CpPacket p;

    CU_ASSERT_EQUAL(decode(linktype, f, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[id], 1);
    CU_ASSERT_EQUAL(total_anomalies(), 1);
}

/* ---- link types ---- */

static void
test_ethernet_ipv4_tcp_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_ethernet_ipv6_tcp_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv6_tcp(&f, PAYLOAD);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_vlan_single_tagged_ipv4_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x8100);
    put16(&f, 100);
    put16(&f, 0x0800);
    size_t ip = ipv4_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, ip);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_vlan_qinq_tagged_ipv4_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x88a8);
    put16(&f, 200);
    put16(&f, 0x9100);
    put16(&f, 300);
    put16(&f, 0x8100);
    put16(&f, 100);
    put16(&f, 0x0800);
    size_t ip = ipv4_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, ip);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
vlan_stack(Buf *f, unsigned tags)
{
    ether(f, 0x8100);
    for (unsigned i = 0; i < tags; i++) {
        put16(f, (uint16_t)i);
        put16(f, i + 1 < tags ? 0x8100 : 0x86dd);
    }
    size_t ip = ipv6_begin(f, 6);
    tcp(f, PAYLOAD);
    ipv6_end(f, ip);
}

static void
test_vlan_eight_tags_at_limit_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    vlan_stack(&f, 8);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_vlan_nine_tags_counts_vlan_limit(void)
{
    Buf f = { .n = 0 };

    start();
    vlan_stack(&f, 9);
    expect_skip(1, &f, CP_ANOMALY_LINK_VLAN_LIMIT);
    finish();
}

static void
pppoe(Buf *f, uint16_t ppp_proto, uint8_t ver_type)
{
    ether(f, 0x8864);
    put8(f, ver_type);
    put8(f, 0);
    put16(f, 0x0042);
    put16(f, 0); /* length: not needed by the decoder */
    put16(f, ppp_proto);
}

static void
test_pppoe_session_ipv4_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    pppoe(&f, 0x0021, 0x11);
    size_t ip = ipv4_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, ip);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_pppoe_session_ipv6_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    pppoe(&f, 0x0057, 0x11);
    size_t ip = ipv6_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, ip);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_pppoe_lcp_is_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    pppoe(&f, 0xc021, 0x11);
    put32(&f, 0x01010004);
    expect_skip(1, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

static void
test_pppoe_bad_version_is_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    pppoe(&f, 0x0021, 0x21);
    size_t ip = ipv4_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, ip);
    expect_skip(1, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

static void
test_arp_ethertype_counts_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x0806);
    for (int i = 0; i < 28; i++)
        put8(&f, 0);
    expect_skip(1, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

static void
test_sll_ipv4_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    put16(&f, 0); /* packet type: to us */
    put16(&f, 1); /* ARPHRD_ETHER */
    put16(&f, 6); /* address length */
    put32(&f, 0x00010203);
    put32(&f, 0x04050000);
    put16(&f, 0x0800); /* protocol at offset 14 */
    size_t ip = ipv4_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, ip);
    expect_tcp(113, &f, 4, PAYLOAD);
    finish();
}

static void
test_sll_vlan_tag_ipv6_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    put16(&f, 4);
    put16(&f, 1);
    put16(&f, 6);
    put32(&f, 0);
    put32(&f, 0);
    put16(&f, 0x8100);
    put16(&f, 7);
    put16(&f, 0x86dd);
    size_t ip = ipv6_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, ip);
    expect_tcp(113, &f, 6, PAYLOAD);
    finish();
}

/* IEEE 802.11 MAC header (IEEE 802.11-2020 §9.2.3): frame control little-endian. */
static void
wlan_header(Buf *f, uint8_t subtype, uint8_t flags)
{
    put8(f, (uint8_t)(2 << 2 | subtype << 4)); /* version 0, type data */
    put8(f, flags);
    put16(f, 0);                 /* duration */
    for (int i = 0; i < 18; i++) /* addr1..addr3 */
        put8(f, (uint8_t)i);
    put16(f, 0x1000); /* sequence control */
    if ((flags & 0x03) == 0x03)
        for (int i = 0; i < 6; i++) /* addr4: ToDS and FromDS */
            put8(f, 0x40);
    if (subtype & 0x8) {
        put16(f, 0x0000); /* QoS control */
        if (flags & 0x80)
            put32(f, 0); /* HT control */
    }
}

static void
llc_snap_ipv4_tcp(Buf *f)
{
    static const uint8_t snap[] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };

    putn(f, snap, sizeof snap);
    put16(f, 0x0800);
    size_t ip = ipv4_begin(f, 6);
    tcp(f, PAYLOAD);
    ipv4_end(f, ip);
}

static void
test_wlan_data_frames_decode(void)
{
    /* plain data FromDS; QoS data ToDS; QoS data with +HTC; a WDS frame (four addresses) */
    static const uint8_t subtype[] = { 0, 8, 8, 8 }, flags[] = { 0x02, 0x01, 0x81, 0x03 };

    for (size_t i = 0; i < sizeof subtype; i++) {
        Buf f = { .n = 0 };
        start();
        wlan_header(&f, subtype[i], flags[i]);
        llc_snap_ipv4_tcp(&f);
        put32(&f, 0xdeadbeef); /* an FCS after the datagram is not payload */
        expect_tcp(105, &f, 4, PAYLOAD);
        finish();
    }
}

static void
test_radiotap_wlan_qos_data_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    put8(&f, 0);               /* radiotap version */
    put8(&f, 0);               /* pad */
    put8(&f, 12), put8(&f, 0); /* length 12, little-endian */
    put32(&f, 0x02000000);     /* present: flags (bit 1), read as bytes here */
    put32(&f, 0x10000000);     /* flags: FCS at end; padding */
    wlan_header(&f, 8, 0x02);
    llc_snap_ipv4_tcp(&f);
    expect_tcp(127, &f, 4, PAYLOAD);
    finish();
}

/* Frames that carry no IP for us: management, QoS Null, protected, plain LLC, radiotap v1. */
static void
test_wlan_frames_without_ip_are_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    put8(&f, 0x80), put8(&f, 0); /* beacon: management type 0, subtype 8 */
    for (int i = 0; i < 30; i++)
        put8(&f, 0);
    expect_skip(105, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();

    f.n = 0;
    start();
    wlan_header(&f, 0xc, 0x01); /* QoS Null */
    expect_skip(105, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();

    f.n = 0;
    start();
    wlan_header(&f, 8, 0x41); /* protected QoS data: CCMP ciphertext */
    llc_snap_ipv4_tcp(&f);
    expect_skip(105, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();

    f.n = 0;
    start();
    wlan_header(&f, 0, 0x02);
    put8(&f, 0x42), put8(&f, 0x42), put8(&f, 0x03), put16(&f, 0), put16(&f, 0),
            put16(&f, 0); /* STP LLC */
    expect_skip(105, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();

    f.n = 0;
    start();
    put8(&f, 1), put8(&f, 0), put8(&f, 8), put8(&f, 0), put32(&f, 0);
    wlan_header(&f, 0, 0x02);
    llc_snap_ipv4_tcp(&f);
    expect_skip(127, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

/* Cut inside the MAC header, inside LLC/SNAP, and a radiotap length past the frame. */
static void
test_wlan_short_frames_are_link_truncated(void)
{
    Buf f = { .n = 0 };

    start();
    wlan_header(&f, 8, 0x01);
    f.n -= 1; /* the QoS control's last byte */
    expect_skip(105, &f, CP_ANOMALY_LINK_TRUNCATED);
    finish();

    f.n = 0;
    start();
    wlan_header(&f, 0, 0x02);
    put8(&f, 0xaa), put8(&f, 0xaa), put8(&f, 0x03);
    expect_skip(105, &f, CP_ANOMALY_LINK_TRUNCATED);
    finish();

    f.n = 0;
    start();
    put8(&f, 0), put8(&f, 0), put8(&f, 0xff), put8(&f, 0x00), put32(&f, 0);
    expect_skip(127, &f, CP_ANOMALY_LINK_TRUNCATED);
    finish();
}

static void
test_sll2_ipv6_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    put16(&f, 0x86dd); /* protocol at offset 0 */
    put16(&f, 0);      /* reserved */
    put32(&f, 3);      /* ifindex */
    put16(&f, 1);      /* ARPHRD_ETHER */
    put8(&f, 0);       /* packet type */
    put8(&f, 6);       /* address length */
    put32(&f, 0x00010203);
    put32(&f, 0x04050000);
    size_t ip = ipv6_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, ip);
    expect_tcp(276, &f, 6, PAYLOAD);
    finish();
}

static void
raw_frame(Buf *f, int family)
{
    size_t ip = family == 4 ? ipv4_begin(f, 6) : ipv6_begin(f, 6);
    tcp(f, PAYLOAD);
    if (family == 4)
        ipv4_end(f, ip);
    else
        ipv6_end(f, ip);
}

static void
test_raw_ip_linktypes_use_version_nibble(void)
{
    static const int raw[] = { 101, 12, 14 };

    for (size_t i = 0; i < G_N_ELEMENTS(raw); i++) {
        Buf f4 = { .n = 0 }, f6 = { .n = 0 };

        start();
        raw_frame(&f4, 4);
        raw_frame(&f6, 6);
        expect_tcp(raw[i], &f4, 4, PAYLOAD);
        expect_tcp(raw[i], &f6, 6, PAYLOAD);
        finish();
    }
}

static void
test_linktype_ipv4_and_ipv6_decode(void)
{
    Buf f4 = { .n = 0 }, f6 = { .n = 0 };

    start();
    raw_frame(&f4, 4);
    raw_frame(&f6, 6);
    expect_tcp(228, &f4, 4, PAYLOAD);
    expect_tcp(229, &f6, 6, PAYLOAD);
    finish();
}

static void
test_linktype_ipv6_with_ipv4_inside_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    raw_frame(&f, 4);
    expect_skip(229, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
null_frame(Buf *f, uint32_t af, bool big_endian, int family)
{
    if (big_endian)
        put32(f, af);
    else
        put32(f, GUINT32_SWAP_LE_BE(af));
    raw_frame(f, family);
}

static void
test_null_loopback_little_endian_af_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    null_frame(&f, 2, false, 4);
    expect_tcp(0, &f, 4, PAYLOAD);
    finish();
}

static void
test_null_loopback_big_endian_af_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    null_frame(&f, 2, true, 4);
    expect_tcp(0, &f, 4, PAYLOAD);
    finish();
}

static void
test_null_loopback_af_inet6_variants_decode(void)
{
    static const uint32_t afs[] = { 24, 28, 30 };

    for (size_t i = 0; i < G_N_ELEMENTS(afs); i++) {
        for (int be = 0; be <= 1; be++) {
            Buf f = { .n = 0 };

            start();
            null_frame(&f, afs[i], be != 0, 6);
            expect_tcp(0, &f, 6, PAYLOAD);
            finish();
        }
    }
}

static void
test_null_loopback_unknown_af_is_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    null_frame(&f, 7, false, 4);
    expect_skip(0, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

static void
test_loop_network_order_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    null_frame(&f, 24, true, 6);
    expect_tcp(108, &f, 6, PAYLOAD);
    finish();
}

static void
test_loop_host_order_af_is_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    null_frame(&f, 2, false, 4); /* LOOP is network order only */
    expect_skip(108, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

static void
test_unsupported_linktype_counts_and_skips(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    expect_skip(163 /* 802.11 AVS */, &f, CP_ANOMALY_CAPTURE_UNSUPPORTED_LINK);
    finish();
}

static void
test_linktype_supported_answers_table(void)
{
    static const int yes[] = { 0, 1, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276 };
    static const int no[] = { -1, 2, 9, 119, 147, 163, 230, 275, 277, 65535 };

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
        CU_ASSERT_TRUE(cp_net_linktype_supported(yes[i]));
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
        CU_ASSERT_FALSE(cp_net_linktype_supported(no[i]));
}

/* ---- IPv4 ---- */

static void
test_ipv4_total_length_below_ihl_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    set16(&f, 14 + 2, 19);
    expect_skip(1, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_ipv4_ihl_below_5_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    f.b[14] = 0x44;
    expect_skip(1, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_ipv4_total_length_beyond_frame_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    set16(&f, 14 + 2, (uint16_t)(f.n - 14 + 1));
    expect_skip(1, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_ipv4_total_length_zero_uses_frame_as_datagram(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    set16(&f, 14 + 2, 0); /* large-send offload as captured on the sender */
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_ipv4_options_skipped(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x0800);
    size_t ip = ipv4_begin_ihl(&f, 6, 0, 1, 15);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, ip);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_ipv4_udp_counts_not_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x0800);
    size_t ip = ipv4_begin(&f, 17);
    put32(&f, 0x00350035);
    put32(&f, 0x00080000);
    ipv4_end(&f, ip);
    expect_skip(1, &f, CP_ANOMALY_IP_NOT_TCP);
    finish();
}

/* A DTLS-like datagram 49152 -> 4433 carrying "dtls!". */
static void
eth_ipv4_udp(Buf *f, uint16_t udp_len_extra)
{
    ether(f, 0x0800);
    size_t ip = ipv4_begin(f, 17);
    put16(f, 49152);
    put16(f, 4433);
    put16(f, (uint16_t)(8 + 5 + udp_len_extra));
    put16(f, 0);
    putn(f, "dtls!", 5);
    ipv4_end(f, ip);
}

static void
test_udp_datagram_returned_only_when_wanted(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    eth_ipv4_udp(&f, 0);
    CU_ASSERT_EQUAL(decode(1, &f, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_NOT_TCP], 1);
    cp_net_want_udp(net, true);
    CU_ASSERT_EQUAL_FATAL(decode(1, &f, &p), CP_NET_UDP);
    CU_ASSERT_EQUAL(p.sport, 49152);
    CU_ASSERT_EQUAL(p.dport, 4433);
    CU_ASSERT_EQUAL(p.payload_len, 5);
    CU_ASSERT_EQUAL(p.payload_declared, 5);
    CU_ASSERT_NSTRING_EQUAL(p.payload, "dtls!", 5);
    CU_ASSERT_EQUAL(p.src.family, 4);
    CU_ASSERT_EQUAL(p.dst.bytes[3], 2);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_NOT_TCP], 1);
    finish();
}

static void
test_udp_length_beyond_ip_payload_is_malformed(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    cp_net_want_udp(net, true);
    eth_ipv4_udp(&f, 100);
    CU_ASSERT_EQUAL(decode(1, &f, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_MALFORMED], 1);
    finish();
}

static void
test_ethernet_padding_clipped_by_ip_length(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    eth_ipv4_tcp(&f, "ab");
    while (f.n < 60)
        put8(&f, 0xee); /* Ethernet pads runts to 60 bytes */
    CU_ASSERT_EQUAL(decode(1, &f, &p), CP_NET_TCP);
    check_segment(&p, 4, "ab");
    CU_ASSERT_EQUAL(total_anomalies(), 0);
    finish();
}

static void
test_snaplen_cut_payload_declared_kept(void)
{
    Buf f = { .n = 0 };
    char big[201];
    CpPacket p;

    start();
    memset(big, 'x', 200);
    big[200] = '\0';
    eth_ipv4_tcp(&f, big);
    CU_ASSERT_EQUAL(decode_cut(1, &f, 14 + 20 + 20 + 50, &p), CP_NET_TCP);
    CU_ASSERT_EQUAL(p.payload_len, 50);
    CU_ASSERT_EQUAL(p.payload_declared, 200);
    CU_ASSERT_EQUAL(p.sport, 49152);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_CAPTURE_CAPLEN_SHORT], 1);
    CU_ASSERT_EQUAL(total_anomalies(), 1);
    finish();
}

static void
test_snaplen_cut_inside_tcp_header_counts_tcp_truncated(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    CU_ASSERT_EQUAL(decode_cut(1, &f, 14 + 20 + 10, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_TCP_TRUNCATED], 1);
    finish();
}

static void
test_snaplen_cut_inside_ip_header_counts_ip_truncated(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    CU_ASSERT_EQUAL(decode_cut(1, &f, 14 + 10, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_TRUNCATED], 1);
    finish();
}

/* ---- IPv6 ---- */

static void
test_ipv6_hop_by_hop_then_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x86dd);
    size_t ip = ipv6_begin(&f, 0);
    ipv6_ext(&f, 6, 0);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, ip);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_ipv6_routing_destopts_ah_then_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x86dd);
    size_t ip = ipv6_begin(&f, 43);
    ipv6_ext(&f, 60, 2); /* routing, 24 bytes */
    ipv6_ext(&f, 51, 0); /* destination options, 8 bytes */
    put8(&f, 6);         /* AH: next header, length 4 -> (4 + 2) * 4 = 24 bytes */
    put8(&f, 4);
    for (int i = 0; i < 22; i++)
        put8(&f, 0);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, ip);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
ext_chain(Buf *f, unsigned count)
{
    ether(f, 0x86dd);
    size_t ip = ipv6_begin(f, count > 0 ? 60 : 6);
    for (unsigned i = 0; i < count; i++)
        ipv6_ext(f, i + 1 < count ? 60 : 6, 0);
    tcp(f, PAYLOAD);
    ipv6_end(f, ip);
}

static void
test_ipv6_ext_at_limit_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    ext_chain(&f, 8);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_ipv6_ext_limit_counts_anomaly(void)
{
    Buf f = { .n = 0 };

    start();
    ext_chain(&f, 9);
    expect_skip(1, &f, CP_ANOMALY_IPV6_EXT_LIMIT);
    finish();
    start();
    limits.max_ipv6_ext = 0; /* a zero limit refuses even one header */
    Buf g = { .n = 0 };
    ext_chain(&g, 1);
    expect_skip(1, &g, CP_ANOMALY_IPV6_EXT_LIMIT);
    finish();
}

static void
test_ipv6_ext_length_beyond_payload_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x86dd);
    size_t ip = ipv6_begin(&f, 60);
    put8(&f, 6);
    put8(&f, 1); /* claims 16 bytes, only 8 follow */
    for (int i = 0; i < 6; i++)
        put8(&f, 0);
    ipv6_end(&f, ip);
    expect_skip(1, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_ipv6_payload_length_clips_trailer(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv6_tcp(&f, PAYLOAD);
    put32(&f, 0xdeadbeef); /* trailer after the datagram (e.g. a FCS) */
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_ipv6_payload_length_beyond_frame_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv6_tcp(&f, PAYLOAD);
    set16(&f, 14 + 4, (uint16_t)(f.n - 14 - 40 + 1));
    expect_skip(1, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_ipv6_atomic_fragment_decodes_in_place(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x86dd);
    size_t ip = ipv6_begin(&f, 44);
    put8(&f, 6);
    put8(&f, 0);
    put16(&f, 0); /* offset 0, M = 0 (RFC 6946) */
    put32(&f, 0x11223344);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, ip);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_ipv6_esp_counts_not_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x86dd);
    size_t ip = ipv6_begin(&f, 50);
    put32(&f, 0x100);
    put32(&f, 1);
    ipv6_end(&f, ip);
    expect_skip(1, &f, CP_ANOMALY_IP_NOT_TCP);
    finish();
}

/* ---- tunnels ---- */

static void
test_ipv4_6in4_decodes_inner_ipv6(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    ether(&f, 0x0800);
    size_t outer = ipv4_begin(&f, 41);
    size_t inner = ipv6_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv6_end(&f, inner);
    ipv4_end(&f, outer);
    CU_ASSERT_EQUAL(decode(1, &f, &p), CP_NET_TCP);
    check_segment(&p, 6, PAYLOAD); /* the innermost addresses are the connection's */
    CU_ASSERT_EQUAL(total_anomalies(), 0);
    finish();
}

static void
test_ipv6_4in6_decodes_inner_ipv4(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x86dd);
    size_t outer = ipv6_begin(&f, 4);
    size_t inner = ipv4_begin(&f, 6);
    tcp(&f, PAYLOAD);
    ipv4_end(&f, inner);
    ipv6_end(&f, outer);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
tunnel_stack(Buf *f, unsigned inner_headers)
{
    size_t at[8];

    ether(f, 0x0800);
    for (unsigned i = 0; i <= inner_headers; i++)
        at[i] = ipv4_begin(f, i < inner_headers ? 4 : 6);
    tcp(f, PAYLOAD);
    for (unsigned i = inner_headers + 1; i > 0; i--)
        ipv4_end(f, at[i - 1]);
}

static void
test_tunnel_two_levels_decode_three_count_limit(void)
{
    Buf f = { .n = 0 }, g = { .n = 0 };

    start();
    tunnel_stack(&f, 2);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
    start();
    tunnel_stack(&g, 3);
    expect_skip(1, &g, CP_ANOMALY_IP_TUNNEL_LIMIT);
    finish();
}

/* ---- fragments through cp_net_decode ---- */

static void
tcp_segment(Buf *seg, const char *payload)
{
    tcp(seg, payload);
}

static void
ipv4_fragment(Buf *f, const Buf *seg, size_t off, size_t len, bool more, uint8_t proto)
{
    ether(f, 0x0800);
    size_t ip = ipv4_begin_ihl(f, proto, (uint16_t)((more ? 0x2000 : 0) | (off / 8)), 0x7777, 5);
    putn(f, seg->b + off, len);
    ipv4_end(f, ip);
}

static const char LONG_PAYLOAD[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void
test_ipv4_fragments_reassemble_to_tcp(void)
{
    Buf seg = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 }, c = { .n = 0 };
    CpPacket p;

    start();
    tcp_segment(&seg, LONG_PAYLOAD); /* 20 + 36 = 56 bytes */
    ipv4_fragment(&a, &seg, 0, 24, true, 6);
    ipv4_fragment(&b, &seg, 24, 16, true, 6);
    ipv4_fragment(&c, &seg, 40, 16, false, 6);
    CU_ASSERT_EQUAL(decode(1, &c, &p), CP_NET_SKIP); /* held, out of order */
    CU_ASSERT_EQUAL(decode(1, &a, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(total_anomalies(), 0);
    CU_ASSERT_EQUAL(decode(1, &b, &p), CP_NET_TCP);
    check_segment(&p, 4, LONG_PAYLOAD);
    CU_ASSERT_EQUAL(total_anomalies(), 0);
    /* The view lives in the defragmenter until the next decode call. */
    CU_ASSERT(p.payload < b.b || p.payload >= b.b + sizeof b.b);
    finish();
}

static void
test_ipv4_nonlast_fragment_not_multiple_of_8_is_malformed(void)
{
    Buf seg = { .n = 0 }, a = { .n = 0 };

    start();
    tcp_segment(&seg, LONG_PAYLOAD);
    ipv4_fragment(&a, &seg, 0, 20, true, 6);
    expect_skip(1, &a, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_ipv4_fragment_cut_by_snaplen_is_dropped(void)
{
    Buf seg = { .n = 0 }, a = { .n = 0 };
    CpPacket p;

    start();
    tcp_segment(&seg, LONG_PAYLOAD);
    ipv4_fragment(&a, &seg, 0, 24, true, 6);
    CU_ASSERT_EQUAL(decode_cut(1, &a, a.n - 4, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_CAPTURE_CAPLEN_SHORT], 1);
    finish();
}

static void
ipv6_fragment(Buf *f, const Buf *seg, size_t off, size_t len, bool more)
{
    ether(f, 0x86dd);
    size_t ip = ipv6_begin(f, 0);
    ipv6_ext(f, 44, 0); /* unfragmentable hop-by-hop header first */
    put8(f, 6);
    put8(f, 0);
    put16(f, (uint16_t)(off | (more ? 1 : 0)));
    put32(f, 0xcafe0001);
    putn(f, seg->b + off, len);
    ipv6_end(f, ip);
}

static void
test_ipv6_fragments_reassemble_to_tcp(void)
{
    Buf seg = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 };
    CpPacket p;

    start();
    tcp_segment(&seg, LONG_PAYLOAD);
    ipv6_fragment(&a, &seg, 0, 32, true);
    ipv6_fragment(&b, &seg, 32, 24, false);
    CU_ASSERT_EQUAL(decode(1, &b, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(decode(1, &a, &p), CP_NET_TCP);
    check_segment(&p, 6, LONG_PAYLOAD);
    CU_ASSERT_EQUAL(total_anomalies(), 0);
    /* The next decode call releases the reassembled datagram and decodes normally. */
    Buf c = { .n = 0 };
    eth_ipv4_tcp(&c, PAYLOAD);
    expect_tcp(1, &c, 4, PAYLOAD);
    finish();
}

static void
test_fragment_inside_reassembled_datagram_counts_nested(void)
{
    Buf inner = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 };
    CpPacket p;

    start();
    /* An IPv6 fragment (not atomic) carried in a fragmented 6in4 datagram. */
    size_t ip = ipv6_begin(&inner, 44);
    put8(&inner, 6);
    put8(&inner, 0);
    put16(&inner, 8 | 1);
    put32(&inner, 1);
    for (int i = 0; i < 16; i++)
        put8(&inner, (uint8_t)i);
    ipv6_end(&inner, ip); /* 40 + 8 + 16 = 64 bytes */
    ipv4_fragment(&a, &inner, 0, 32, true, 41);
    ipv4_fragment(&b, &inner, 32, 32, false, 41);
    CU_ASSERT_EQUAL(decode(1, &a, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(decode(1, &b, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_FRAG_NESTED], 1);
    CU_ASSERT_EQUAL(total_anomalies(), 1);
    finish();
}

static void
test_held_fragment_expires_on_later_unfragmented_frame(void)
{
    Buf seg = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 };
    CpPacket p;

    start();
    tcp_segment(&seg, LONG_PAYLOAD);
    ipv4_fragment(&a, &seg, 0, 24, true, 6);
    eth_ipv4_tcp(&b, PAYLOAD);
    CU_ASSERT_EQUAL(cp_net_decode(net, 1, a.b, a.n, a.n, TS, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(cp_net_decode(net, 1, b.b, b.n, b.n, TS + 30000000000ull, &p), CP_NET_TCP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_FRAG_TIMEOUT], 0); /* at the timeout: kept */
    CU_ASSERT_EQUAL(cp_net_decode(net, 1, b.b, b.n, b.n, TS + 30000000001ull, &p), CP_NET_TCP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_FRAG_TIMEOUT], 1);
    finish();
}

/* ---- TCP ---- */

static void
test_tcp_data_offset_below_5_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, PAYLOAD);
    f.b[14 + 20 + 12] = 0x40;
    expect_skip(1, &f, CP_ANOMALY_TCP_MALFORMED);
    finish();
}

static void
test_tcp_data_offset_beyond_segment_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    eth_ipv4_tcp(&f, "");
    f.b[14 + 20 + 12] = 0x60; /* 24 bytes of header in a 20-byte segment */
    expect_skip(1, &f, CP_ANOMALY_TCP_MALFORMED);
    finish();
}

static void
test_tcp_options_skipped_payload_after_them(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x0800);
    size_t ip = ipv4_begin(&f, 6);
    tcp_doff(&f, CP_TCP_PSH | CP_TCP_ACK, PAYLOAD, 15);
    ipv4_end(&f, ip);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_tcp_syn_without_payload_decodes(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    ether(&f, 0x0800);
    size_t ip = ipv4_begin(&f, 6);
    tcp_doff(&f, CP_TCP_SYN, "", 5);
    ipv4_end(&f, ip);
    CU_ASSERT_EQUAL(decode(1, &f, &p), CP_NET_TCP);
    CU_ASSERT_EQUAL(p.tcp_flags, CP_TCP_SYN);
    CU_ASSERT_EQUAL(p.payload_len, 0);
    CU_ASSERT_EQUAL(p.payload_declared, 0);
    finish();
}

static void
test_tcp_segment_shorter_than_header_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x0800);
    size_t ip = ipv4_begin(&f, 6);
    put32(&f, 0x01bb01bb);
    put32(&f, 1);
    ipv4_end(&f, ip);
    expect_skip(1, &f, CP_ANOMALY_TCP_MALFORMED);
    finish();
}

/* ---- addresses ---- */

static void
test_addr_format_endpoint_ipv4_and_ipv6(void)
{
    CpAddr a = { .family = 4, .bytes = { 1, 2, 3, 4 } };
    CpAddr b = { .family = 6, .bytes = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
    CpAddr c = { .family = 9 };
    char buf[64];

    cp_addr_format_endpoint(&a, 443, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "1.2.3.4:443");
    cp_addr_format_endpoint(&b, 443, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "[2001:db8::1]:443");
    cp_addr_format(&b, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2001:db8::1");
    cp_addr_format(&c, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "?");
    cp_addr_format_endpoint(&b, 65535, buf, 8); /* truncated, still terminated */
    CU_ASSERT_EQUAL(strlen(buf), 7);
}

static void
test_addr_equal_compares_family_and_bytes(void)
{
    CpAddr a = { .family = 4, .bytes = { 1, 2, 3, 4 } };
    CpAddr b = a;
    CpAddr c = { .family = 6, .bytes = { 1, 2, 3, 4 } };

    CU_ASSERT_TRUE(cp_addr_equal(&a, &b));
    CU_ASSERT_FALSE(cp_addr_equal(&a, &c));
    b.bytes[3] = 5;
    CU_ASSERT_FALSE(cp_addr_equal(&a, &b));
}

/* ---- malformed inputs as a table (STYLE R58) ---- */

#define V4HDR(vihl, tl_hi, tl_lo, ff_hi, proto) \
    vihl, 0, tl_hi, tl_lo, 0, 1, ff_hi, 0, 64, proto, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2
#define TCPHDR(doff)     0x01, 0xbb, 0xc0, 0, 0, 0, 0, 1, 0, 0, 0, 0, doff, 0x18, 0xff, 0xff, 0, 0, 0, 0
#define V6ADDR(last)     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last
#define V6HDR(pl_lo, nh) 0x60, 0, 0, 0, 0, pl_lo, nh, 64, V6ADDR(1), V6ADDR(2)

typedef struct MalformedCase {
    const char *name;
    int linktype;
    uint8_t bytes[96];
    size_t len;
    CpAnomalyId expect;
} MalformedCase;

static const MalformedCase malformed[] = {
    { "ipv4_version_5",
      228,
      { V4HDR(0x55, 0, 40, 0, 6), TCPHDR(0x50) },
      40,
      CP_ANOMALY_IP_MALFORMED },
    { "ipv4_ihl_4", 228, { V4HDR(0x44, 0, 40, 0, 6), TCPHDR(0x50) }, 40, CP_ANOMALY_IP_MALFORMED },
    { "ipv4_total_19",
      228,
      { V4HDR(0x45, 0, 19, 0, 6), TCPHDR(0x50) },
      40,
      CP_ANOMALY_IP_MALFORMED },
    { "ipv4_total_beyond_frame",
      228,
      { V4HDR(0x45, 0, 41, 0, 6), TCPHDR(0x50) },
      40,
      CP_ANOMALY_IP_MALFORMED },
    { "ipv4_options_beyond_total",
      228,
      { V4HDR(0x46, 0, 22, 0, 6), TCPHDR(0x50) },
      40,
      CP_ANOMALY_IP_MALFORMED },
    { "ipv4_header_in_short_frame",
      228,
      { V4HDR(0x45, 0, 40, 0, 6) },
      12,
      CP_ANOMALY_IP_MALFORMED },
    { "ipv4_udp",
      228,
      { V4HDR(0x45, 0, 28, 0, 17), 0, 53, 0, 53, 0, 8, 0, 0 },
      28,
      CP_ANOMALY_IP_NOT_TCP },
    { "ipv4_mf_odd_length",
      228,
      { V4HDR(0x45, 0, 30, 0x20, 6), TCPHDR(0x50) },
      30,
      CP_ANOMALY_IP_MALFORMED },
    { "tcp_doff_4", 228, { V4HDR(0x45, 0, 40, 0, 6), TCPHDR(0x40) }, 40, CP_ANOMALY_TCP_MALFORMED },
    { "tcp_doff_15_in_20",
      228,
      { V4HDR(0x45, 0, 40, 0, 6), TCPHDR(0xf0) },
      40,
      CP_ANOMALY_TCP_MALFORMED },
    { "tcp_segment_10_bytes",
      228,
      { V4HDR(0x45, 0, 30, 0, 6), TCPHDR(0x50) },
      40,
      CP_ANOMALY_TCP_MALFORMED },
    { "raw_version_0", 101, { 0x05, 0, 0, 40 }, 4, CP_ANOMALY_IP_MALFORMED },
    { "raw_empty", 101, { 0 }, 0, CP_ANOMALY_LINK_TRUNCATED },
    { "ipv6_on_ipv4_linktype", 228, { V6HDR(20, 6), TCPHDR(0x50) }, 60, CP_ANOMALY_IP_MALFORMED },
    { "ipv6_plen_beyond_frame", 229, { V6HDR(21, 6), TCPHDR(0x50) }, 60, CP_ANOMALY_IP_MALFORMED },
    { "ipv6_ext_beyond_payload",
      229,
      { V6HDR(8, 0), 6, 1, 1, 4, 0, 0, 0, 0 },
      48,
      CP_ANOMALY_IP_MALFORMED },
    { "ipv6_frag_header_short", 229, { V6HDR(4, 44), 6, 0, 0, 1 }, 44, CP_ANOMALY_IP_MALFORMED },
    { "ipv6_no_next_header", 229, { V6HDR(0, 59) }, 40, CP_ANOMALY_IP_NOT_TCP },
    { "ethernet_runt", 1, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 10, CP_ANOMALY_LINK_TRUNCATED },
    { "ethernet_8023_length",
      1,
      { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 46, 0xaa, 0xaa, 3 },
      17,
      CP_ANOMALY_LINK_NOT_IP },
    { "vlan_tag_cut",
      1,
      { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0, 0 },
      15,
      CP_ANOMALY_LINK_TRUNCATED },
    { "null_header_short", 0, { 2, 0 }, 2, CP_ANOMALY_LINK_TRUNCATED },
    { "sll2_header_short", 276, { 0x08, 0, 0, 0, 0, 0, 0, 1 }, 8, CP_ANOMALY_LINK_TRUNCATED },
};

static void
test_malformed_table_counts_expected_anomaly(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++) {
        const MalformedCase *c = &malformed[i];
        uint8_t *copy = g_memdup2(c->bytes, c->len); /* exact size: ASan sees any overread */
        CpPacket p;

        start();
        CpNetResult r = cp_net_decode(net, c->linktype, copy, c->len, c->len, TS, &p);
        if (r != CP_NET_SKIP || anomalies.count[c->expect] != 1 || total_anomalies() != 1)
            fprintf(stderr, "malformed case %s: result %d\n", c->name, (int)r);
        CU_ASSERT_EQUAL(r, CP_NET_SKIP);
        CU_ASSERT_EQUAL(anomalies.count[c->expect], 1);
        CU_ASSERT_EQUAL(total_anomalies(), 1);
        finish();
        g_free(copy);
    }
}

/* ---- sweeps: truncation at every length and byte mutations never crash ---- */

typedef void (*FrameFn)(Buf *f);

static void
frame_eth4(Buf *f)
{
    eth_ipv4_tcp(f, PAYLOAD);
}

static void
frame_eth6_ext(Buf *f)
{
    ext_chain(f, 3);
}

static void
frame_qinq_pppoe6(Buf *f)
{
    ether(f, 0x88a8);
    put16(f, 1);
    put16(f, 0x8100);
    put16(f, 2);
    put16(f, 0x8864);
    put8(f, 0x11);
    put8(f, 0);
    put16(f, 1);
    put16(f, 0);
    put16(f, 0x0057);
    size_t ip = ipv6_begin(f, 6);
    tcp(f, PAYLOAD);
    ipv6_end(f, ip);
}

static void
frame_sll2_6in4(Buf *f)
{
    put16(f, 0x0800);
    for (int i = 0; i < 18; i++)
        put8(f, 0);
    size_t outer = ipv4_begin(f, 41);
    size_t inner = ipv6_begin(f, 0);
    ipv6_ext(f, 6, 1);
    tcp_doff(f, CP_TCP_ACK, PAYLOAD, 8);
    ipv6_end(f, inner);
    ipv4_end(f, outer);
}

static void
frame_null6(Buf *f)
{
    null_frame(f, 30, false, 6);
}

static void
frame_sll4_options(Buf *f)
{
    for (int i = 0; i < 14; i++)
        put8(f, 0);
    put16(f, 0x0800);
    size_t ip = ipv4_begin_ihl(f, 6, 0, 9, 7);
    tcp_doff(f, CP_TCP_ACK, PAYLOAD, 6);
    ipv4_end(f, ip);
}

/* ---- headers switches add: Cisco MetaData, MPLS, GRE and ERSPAN ---- */

/* Cisco MetaData (0x8909): version 1, length 1, the SGT option, SGT, then the ethertype. */
static void
cisco_metadata(Buf *f, uint16_t next)
{
    put8(f, 1);
    put8(f, 1);
    put16(f, 0x0001);
    put16(f, 0x1234); /* SGT */
    put16(f, next);
}

static void
ipv4_tcp(Buf *f)
{
    size_t ip = ipv4_begin(f, 6);
    tcp(f, PAYLOAD);
    ipv4_end(f, ip);
}

static void
ipv6_tcp(Buf *f)
{
    size_t ip = ipv6_begin(f, 6);
    tcp(f, PAYLOAD);
    ipv6_end(f, ip);
}

static void
test_cisco_metadata_sgt_ipv4_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x8909);
    cisco_metadata(&f, 0x0800);
    ipv4_tcp(&f);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_cisco_metadata_after_vlan_ipv6_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x8100);
    put16(&f, 100);
    put16(&f, 0x8909);
    cisco_metadata(&f, 0x86dd);
    ipv6_tcp(&f);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_cisco_metadata_truncated_counts_link_truncated(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x8909);
    put8(&f, 1);
    put8(&f, 1);
    put16(&f, 0x0001);
    expect_skip(1, &f, CP_ANOMALY_LINK_TRUNCATED);
    finish();
}

/* A VLAN tag and a MetaData header are two of the --max-vlan-tags budget. */
static void
test_cisco_metadata_counts_toward_vlan_limit(void)
{
    for (uint64_t max = 2; max >= 1; max--) {
        Buf f = { .n = 0 };

        start();
        limits.max_vlan_tags = max;
        ether(&f, 0x8100);
        put16(&f, 100);
        put16(&f, 0x8909);
        cisco_metadata(&f, 0x0800);
        ipv4_tcp(&f);
        if (max == 2)
            expect_tcp(1, &f, 4, PAYLOAD);
        else
            expect_skip(1, &f, CP_ANOMALY_LINK_VLAN_LIMIT);
        finish();
    }
}

/* An MPLS label stack of n entries (RFC 3032 §2.1), the last with the bottom-of-stack bit. */
static void
mpls_stack(Buf *f, unsigned n)
{
    ether(f, 0x8847);
    for (unsigned i = 0; i < n; i++)
        put32(f, (uint32_t)(16 + i) << 12 | (i + 1 == n ? 0x100u : 0u) | 64u);
}

static void
test_mpls_two_labels_ipv4_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    mpls_stack(&f, 2);
    ipv4_tcp(&f);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_mpls_one_label_ipv6_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    mpls_stack(&f, 1);
    ipv6_tcp(&f);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_mpls_eight_labels_at_limit_nine_count_vlan_limit(void)
{
    for (unsigned n = 8; n <= 9; n++) {
        Buf f = { .n = 0 };

        start();
        mpls_stack(&f, n);
        ipv4_tcp(&f);
        if (n == 8)
            expect_tcp(1, &f, 4, PAYLOAD);
        else
            expect_skip(1, &f, CP_ANOMALY_LINK_VLAN_LIMIT);
        finish();
    }
}

static void
test_mpls_stack_without_bottom_counts_link_truncated(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x8847);
    put32(&f, 16u << 12 | 64u); /* no S bit, and the frame ends */
    expect_skip(1, &f, CP_ANOMALY_LINK_TRUNCATED);
    finish();
}

static void
test_mpls_pseudowire_control_word_is_not_ip(void)
{
    Buf f = { .n = 0 };

    start();
    mpls_stack(&f, 1);
    put32(&f, 0); /* RFC 4385 control word, then an Ethernet pseudowire */
    eth_ipv4_tcp(&f, PAYLOAD);
    expect_skip(1, &f, CP_ANOMALY_LINK_NOT_IP);
    finish();
}

enum { GRE_C = 0x8000, GRE_K = 0x2000, GRE_S = 0x1000 };

/* An outer IPv4 header with GRE (protocol 47) and its optional fields; gre_end sets lengths. */
static size_t
gre_begin(Buf *f, uint16_t flags, uint16_t proto)
{
    ether(f, 0x0800);
    size_t at = ipv4_begin(f, 47);
    put16(f, flags);
    put16(f, proto);
    if (flags & GRE_C)
        put32(f, 0);
    if (flags & GRE_K)
        put32(f, 0x00000042);
    if (flags & GRE_S)
        put32(f, 7);
    return at;
}

static void
erspan2_header(Buf *f, uint8_t version)
{
    put16(f, (uint16_t)(version << 12 | 10)); /* ver, VLAN 10 */
    put16(f, 0x0001);                         /* session 1 */
    put32(f, 0x00000003);                     /* index */
}

/* ERSPAN type III: 12 bytes, ft in bits 14-10 of the last 16 bits, o (sub-header) bit 0. */
static void
erspan3_header(Buf *f, uint8_t frame_type, bool subheader)
{
    put16(f, 2u << 12 | 10u);
    put16(f, 0x0001);
    put32(f, 0x11223344); /* timestamp */
    put16(f, 0x1234);     /* SGT */
    put16(f, (uint16_t)((unsigned)(frame_type & 0x1fu) << 10 | (subheader ? 1u : 0u)));
    if (subheader) {
        put32(f, 0xaabbccdd);
        put32(f, 0x11223344);
    }
}

static void
test_gre_ipv4_with_key_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, GRE_K | GRE_C, 0x0800);
    ipv4_tcp(&f);
    ipv4_end(&f, outer);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_gre_ipv6_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, 0, 0x86dd);
    ipv6_tcp(&f);
    ipv4_end(&f, outer);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_gre_transparent_ethernet_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, GRE_K, 0x6558);
    eth_ipv6_tcp(&f, PAYLOAD);
    ipv4_end(&f, outer);
    expect_tcp(1, &f, 6, PAYLOAD);
    finish();
}

static void
test_erspan2_mirrored_frame_decodes(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, GRE_S, 0x88be);
    erspan2_header(&f, 1);
    eth_ipv4_tcp(&f, PAYLOAD);
    ipv4_end(&f, outer);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_erspan1_without_sequence_has_no_header(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, 0, 0x88be);
    eth_ipv4_tcp(&f, PAYLOAD);
    ipv4_end(&f, outer);
    expect_tcp(1, &f, 4, PAYLOAD);
    finish();
}

static void
test_erspan2_other_version_is_not_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, GRE_S, 0x88be);
    erspan2_header(&f, 2);
    eth_ipv4_tcp(&f, PAYLOAD);
    ipv4_end(&f, outer);
    expect_skip(1, &f, CP_ANOMALY_IP_NOT_TCP);
    finish();
}

static void
test_erspan3_with_and_without_subheader_decodes(void)
{
    for (int sub = 0; sub <= 1; sub++) {
        Buf f = { .n = 0 };

        start();
        size_t outer = gre_begin(&f, GRE_S, 0x22eb);
        erspan3_header(&f, 0, sub != 0);
        ether(&f, 0x8100); /* the mirrored frame keeps its VLAN tag */
        put16(&f, 20);
        put16(&f, 0x0800);
        ipv4_tcp(&f);
        ipv4_end(&f, outer);
        expect_tcp(1, &f, 4, PAYLOAD);
        finish();
    }
}

static void
test_erspan3_non_ethernet_frame_type_is_not_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, GRE_S, 0x22eb);
    erspan3_header(&f, 2, false);
    ipv4_tcp(&f);
    ipv4_end(&f, outer);
    expect_skip(1, &f, CP_ANOMALY_IP_NOT_TCP);
    finish();
}

static void
test_gre_version1_pptp_is_not_tcp(void)
{
    Buf f = { .n = 0 };

    start();
    size_t outer = gre_begin(&f, GRE_K | 0x0001, 0x880b);
    put32(&f, 0);
    ipv4_end(&f, outer);
    expect_skip(1, &f, CP_ANOMALY_IP_NOT_TCP);
    finish();
}

static void
test_gre_header_cut_by_snaplen_counts_ip_truncated(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    size_t outer = gre_begin(&f, GRE_K, 0x0800);
    ipv4_tcp(&f);
    ipv4_end(&f, outer);
    /* Ethernet 14 + IPv4 20 + 6 bytes of the 8-byte GRE header */
    CU_ASSERT_EQUAL(decode_cut(1, &f, 14 + 20 + 6, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_TRUNCATED], 1);
    CU_ASSERT_EQUAL(total_anomalies(), 1);
    finish();
}

static void
test_gre_key_beyond_ip_length_is_malformed(void)
{
    Buf f = { .n = 0 };

    start();
    ether(&f, 0x0800);
    size_t outer = ipv4_begin(&f, 47);
    put16(&f, GRE_K);
    put16(&f, 0x0800);
    put16(&f, 0); /* half a key, and the IP datagram ends */
    ipv4_end(&f, outer);
    expect_skip(1, &f, CP_ANOMALY_IP_MALFORMED);
    finish();
}

static void
test_erspan3_header_cut_counts_ip_truncated(void)
{
    Buf f = { .n = 0 };
    CpPacket p;

    start();
    size_t outer = gre_begin(&f, GRE_S, 0x22eb);
    erspan3_header(&f, 0, true);
    eth_ipv4_tcp(&f, PAYLOAD);
    ipv4_end(&f, outer);
    /* Ethernet 14 + IPv4 20 + GRE 8 + 14 of the 20 ERSPAN bytes */
    CU_ASSERT_EQUAL(decode_cut(1, &f, 14 + 20 + 8 + 14, &p), CP_NET_SKIP);
    CU_ASSERT_EQUAL(anomalies.count[CP_ANOMALY_IP_TRUNCATED], 1);
    CU_ASSERT_EQUAL(total_anomalies(), 1);
    finish();
}

/* GRE is one tunnel of the --max-tunnels budget, like IP-in-IP. */
static void
test_gre_counts_toward_tunnel_limit(void)
{
    for (uint64_t max = 1; max <= 2; max++) {
        Buf f = { .n = 0 };

        start();
        limits.max_tunnels = max;
        size_t outer = gre_begin(&f, 0, 0x0800);
        size_t mid = ipv4_begin(&f, 4); /* IP-in-IP inside the GRE tunnel */
        ipv4_tcp(&f);
        ipv4_end(&f, mid);
        ipv4_end(&f, outer);
        if (max == 2)
            expect_tcp(1, &f, 4, PAYLOAD);
        else
            expect_skip(1, &f, CP_ANOMALY_IP_TUNNEL_LIMIT);
        finish();
    }
}

static void
frame_cmd_mpls4(Buf *f)
{
    ether(f, 0x8909);
    cisco_metadata(f, 0x8847);
    put32(f, 16u << 12 | 64u);
    put32(f, 17u << 12 | 0x100u | 64u);
    ipv4_tcp(f);
}

static void
frame_erspan3_vlan4(Buf *f)
{
    size_t outer = gre_begin(f, GRE_S | GRE_K, 0x22eb);
    erspan3_header(f, 0, true);
    ether(f, 0x8100);
    put16(f, 20);
    put16(f, 0x0800);
    ipv4_tcp(f);
    ipv4_end(f, outer);
}

static void
frame_erspan2_6(Buf *f)
{
    size_t outer = gre_begin(f, GRE_S, 0x88be);
    erspan2_header(f, 1);
    eth_ipv6_tcp(f, PAYLOAD);
    ipv4_end(f, outer);
}

static const struct {
    int linktype;
    FrameFn build;
} sweep_frames[] = {
    { 1, frame_eth4 },        { 1, frame_eth6_ext },      { 1, frame_qinq_pppoe6 },
    { 276, frame_sll2_6in4 }, { 0, frame_null6 },         { 113, frame_sll4_options },
    { 1, frame_cmd_mpls4 },   { 1, frame_erspan3_vlan4 }, { 1, frame_erspan2_6 },
};

/* Every result must be either a SKIP counting exactly one reason, or a TCP segment whose view
 * lies inside the captured bytes. */
static void
check_one(int linktype, const uint8_t *data, size_t caplen, size_t wirelen)
{
    uint8_t *copy = caplen ? g_memdup2(data, caplen) : NULL;
    uint64_t before = total_anomalies();
    CpPacket p;
    CpNetResult r = cp_net_decode(net, linktype, copy, caplen, wirelen, TS, &p);

    if (r == CP_NET_SKIP) {
        CU_ASSERT_EQUAL(total_anomalies(), before + 1);
    } else {
        CU_ASSERT_EQUAL(r, CP_NET_TCP);
        CU_ASSERT(p.payload_len <= p.payload_declared);
        CU_ASSERT(p.payload_len <= caplen);
        if (p.payload_len > 0) {
            CU_ASSERT(p.payload >= copy && p.payload + p.payload_len <= copy + caplen);
        }
    }
    g_free(copy);
}

static void
test_truncated_at_every_length_never_crashes(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sweep_frames); i++) {
        Buf f = { .n = 0 };
        CpPacket p;

        sweep_frames[i].build(&f);
        start();
        /* Fragments are then dropped and counted, so every SKIP counts exactly one reason. */
        limits.max_frag_datagrams = 0;
        CU_ASSERT_EQUAL(decode(sweep_frames[i].linktype, &f, &p), CP_NET_TCP);
        for (size_t cut = 0; cut < f.n; cut++) {
            check_one(sweep_frames[i].linktype, f.b, cut, cut); /* a short frame */
            check_one(sweep_frames[i].linktype, f.b, cut, f.n); /* a snaplen cut */
        }
        finish();
    }
}

static void
test_mutated_bytes_never_crash(void)
{
    static const uint8_t values[] = { 0x00, 0xff, 0x80, 0x0f, 0x45, 0x60, 0x2c, 0x06 };

    for (size_t i = 0; i < G_N_ELEMENTS(sweep_frames); i++) {
        Buf f = { .n = 0 };

        sweep_frames[i].build(&f);
        start();
        /* Fragments are then dropped and counted, so every SKIP counts exactly one reason. */
        limits.max_frag_datagrams = 0;
        for (size_t pos = 0; pos < f.n; pos++) {
            for (size_t v = 0; v < G_N_ELEMENTS(values); v++) {
                Buf m = f;

                m.b[pos] = values[v];
                check_one(sweep_frames[i].linktype, m.b, m.n, m.n);
            }
        }
        finish();
    }
}

static CU_TestInfo tests[] = {
    { "ethernet_ipv4_tcp_decodes", test_ethernet_ipv4_tcp_decodes },
    { "ethernet_ipv6_tcp_decodes", test_ethernet_ipv6_tcp_decodes },
    { "vlan_single_tagged_ipv4_decodes", test_vlan_single_tagged_ipv4_decodes },
    { "vlan_qinq_tagged_ipv4_decodes", test_vlan_qinq_tagged_ipv4_decodes },
    { "vlan_eight_tags_at_limit_decodes", test_vlan_eight_tags_at_limit_decodes },
    { "vlan_nine_tags_counts_vlan_limit", test_vlan_nine_tags_counts_vlan_limit },
    { "pppoe_session_ipv4_decodes", test_pppoe_session_ipv4_decodes },
    { "pppoe_session_ipv6_decodes", test_pppoe_session_ipv6_decodes },
    { "pppoe_lcp_is_not_ip", test_pppoe_lcp_is_not_ip },
    { "pppoe_bad_version_is_not_ip", test_pppoe_bad_version_is_not_ip },
    { "arp_ethertype_counts_not_ip", test_arp_ethertype_counts_not_ip },
    { "sll_ipv4_decodes", test_sll_ipv4_decodes },
    { "sll_vlan_tag_ipv6_decodes", test_sll_vlan_tag_ipv6_decodes },
    { "sll2_ipv6_decodes", test_sll2_ipv6_decodes },
    { "wlan_data_frames_decode", test_wlan_data_frames_decode },
    { "radiotap_wlan_qos_data_decodes", test_radiotap_wlan_qos_data_decodes },
    { "wlan_frames_without_ip_are_not_ip", test_wlan_frames_without_ip_are_not_ip },
    { "wlan_short_frames_are_link_truncated", test_wlan_short_frames_are_link_truncated },
    { "raw_ip_linktypes_use_version_nibble", test_raw_ip_linktypes_use_version_nibble },
    { "linktype_ipv4_and_ipv6_decode", test_linktype_ipv4_and_ipv6_decode },
    { "linktype_ipv6_with_ipv4_inside_is_malformed",
      test_linktype_ipv6_with_ipv4_inside_is_malformed },
    { "null_loopback_little_endian_af_decodes", test_null_loopback_little_endian_af_decodes },
    { "null_loopback_big_endian_af_decodes", test_null_loopback_big_endian_af_decodes },
    { "null_loopback_af_inet6_variants_decode", test_null_loopback_af_inet6_variants_decode },
    { "null_loopback_unknown_af_is_not_ip", test_null_loopback_unknown_af_is_not_ip },
    { "loop_network_order_decodes", test_loop_network_order_decodes },
    { "loop_host_order_af_is_not_ip", test_loop_host_order_af_is_not_ip },
    { "unsupported_linktype_counts_and_skips", test_unsupported_linktype_counts_and_skips },
    { "linktype_supported_answers_table", test_linktype_supported_answers_table },
    { "ipv4_total_length_below_ihl_is_malformed", test_ipv4_total_length_below_ihl_is_malformed },
    { "ipv4_ihl_below_5_is_malformed", test_ipv4_ihl_below_5_is_malformed },
    { "ipv4_total_length_beyond_frame_is_malformed",
      test_ipv4_total_length_beyond_frame_is_malformed },
    { "ipv4_total_length_zero_uses_frame_as_datagram",
      test_ipv4_total_length_zero_uses_frame_as_datagram },
    { "ipv4_options_skipped", test_ipv4_options_skipped },
    { "ipv4_udp_counts_not_tcp", test_ipv4_udp_counts_not_tcp },
    { "udp_datagram_returned_only_when_wanted", test_udp_datagram_returned_only_when_wanted },
    { "udp_length_beyond_ip_payload_is_malformed", test_udp_length_beyond_ip_payload_is_malformed },
    { "ethernet_padding_clipped_by_ip_length", test_ethernet_padding_clipped_by_ip_length },
    { "snaplen_cut_payload_declared_kept", test_snaplen_cut_payload_declared_kept },
    { "snaplen_cut_inside_tcp_header_counts_tcp_truncated",
      test_snaplen_cut_inside_tcp_header_counts_tcp_truncated },
    { "snaplen_cut_inside_ip_header_counts_ip_truncated",
      test_snaplen_cut_inside_ip_header_counts_ip_truncated },
    { "ipv6_hop_by_hop_then_tcp", test_ipv6_hop_by_hop_then_tcp },
    { "ipv6_routing_destopts_ah_then_tcp", test_ipv6_routing_destopts_ah_then_tcp },
    { "ipv6_ext_at_limit_decodes", test_ipv6_ext_at_limit_decodes },
    { "ipv6_ext_limit_counts_anomaly", test_ipv6_ext_limit_counts_anomaly },
    { "ipv6_ext_length_beyond_payload_is_malformed",
      test_ipv6_ext_length_beyond_payload_is_malformed },
    { "ipv6_payload_length_clips_trailer", test_ipv6_payload_length_clips_trailer },
    { "ipv6_payload_length_beyond_frame_is_malformed",
      test_ipv6_payload_length_beyond_frame_is_malformed },
    { "ipv6_atomic_fragment_decodes_in_place", test_ipv6_atomic_fragment_decodes_in_place },
    { "ipv6_esp_counts_not_tcp", test_ipv6_esp_counts_not_tcp },
    { "ipv4_6in4_decodes_inner_ipv6", test_ipv4_6in4_decodes_inner_ipv6 },
    { "ipv6_4in6_decodes_inner_ipv4", test_ipv6_4in6_decodes_inner_ipv4 },
    { "tunnel_two_levels_decode_three_count_limit",
      test_tunnel_two_levels_decode_three_count_limit },
    { "ipv4_fragments_reassemble_to_tcp", test_ipv4_fragments_reassemble_to_tcp },
    { "ipv4_nonlast_fragment_not_multiple_of_8_is_malformed",
      test_ipv4_nonlast_fragment_not_multiple_of_8_is_malformed },
    { "ipv4_fragment_cut_by_snaplen_is_dropped", test_ipv4_fragment_cut_by_snaplen_is_dropped },
    { "ipv6_fragments_reassemble_to_tcp", test_ipv6_fragments_reassemble_to_tcp },
    { "fragment_inside_reassembled_datagram_counts_nested",
      test_fragment_inside_reassembled_datagram_counts_nested },
    { "held_fragment_expires_on_later_unfragmented_frame",
      test_held_fragment_expires_on_later_unfragmented_frame },
    { "tcp_data_offset_below_5_is_malformed", test_tcp_data_offset_below_5_is_malformed },
    { "tcp_data_offset_beyond_segment_is_malformed",
      test_tcp_data_offset_beyond_segment_is_malformed },
    { "tcp_options_skipped_payload_after_them", test_tcp_options_skipped_payload_after_them },
    { "tcp_syn_without_payload_decodes", test_tcp_syn_without_payload_decodes },
    { "tcp_segment_shorter_than_header_is_malformed",
      test_tcp_segment_shorter_than_header_is_malformed },
    { "addr_format_endpoint_ipv4_and_ipv6", test_addr_format_endpoint_ipv4_and_ipv6 },
    { "addr_equal_compares_family_and_bytes", test_addr_equal_compares_family_and_bytes },
    { "cisco_metadata_sgt_ipv4_decodes", test_cisco_metadata_sgt_ipv4_decodes },
    { "cisco_metadata_after_vlan_ipv6_decodes", test_cisco_metadata_after_vlan_ipv6_decodes },
    { "cisco_metadata_truncated_counts_link_truncated",
      test_cisco_metadata_truncated_counts_link_truncated },
    { "cisco_metadata_counts_toward_vlan_limit", test_cisco_metadata_counts_toward_vlan_limit },
    { "mpls_two_labels_ipv4_decodes", test_mpls_two_labels_ipv4_decodes },
    { "mpls_one_label_ipv6_decodes", test_mpls_one_label_ipv6_decodes },
    { "mpls_eight_labels_at_limit_nine_count_vlan_limit",
      test_mpls_eight_labels_at_limit_nine_count_vlan_limit },
    { "mpls_stack_without_bottom_counts_link_truncated",
      test_mpls_stack_without_bottom_counts_link_truncated },
    { "mpls_pseudowire_control_word_is_not_ip", test_mpls_pseudowire_control_word_is_not_ip },
    { "gre_ipv4_with_key_decodes", test_gre_ipv4_with_key_decodes },
    { "gre_ipv6_decodes", test_gre_ipv6_decodes },
    { "gre_transparent_ethernet_decodes", test_gre_transparent_ethernet_decodes },
    { "erspan2_mirrored_frame_decodes", test_erspan2_mirrored_frame_decodes },
    { "erspan1_without_sequence_has_no_header", test_erspan1_without_sequence_has_no_header },
    { "erspan2_other_version_is_not_tcp", test_erspan2_other_version_is_not_tcp },
    { "erspan3_with_and_without_subheader_decodes",
      test_erspan3_with_and_without_subheader_decodes },
    { "erspan3_non_ethernet_frame_type_is_not_tcp",
      test_erspan3_non_ethernet_frame_type_is_not_tcp },
    { "gre_version1_pptp_is_not_tcp", test_gre_version1_pptp_is_not_tcp },
    { "gre_header_cut_by_snaplen_counts_ip_truncated",
      test_gre_header_cut_by_snaplen_counts_ip_truncated },
    { "gre_key_beyond_ip_length_is_malformed", test_gre_key_beyond_ip_length_is_malformed },
    { "erspan3_header_cut_counts_ip_truncated", test_erspan3_header_cut_counts_ip_truncated },
    { "gre_counts_toward_tunnel_limit", test_gre_counts_toward_tunnel_limit },
    { "malformed_table_counts_expected_anomaly", test_malformed_table_counts_expected_anomaly },
    { "truncated_at_every_length_never_crashes", test_truncated_at_every_length_never_crashes },
    { "mutated_bytes_never_crash", test_mutated_bytes_never_crash },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("net", tests, argc, argv);
}
