/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpsynth.c - TCP segments in IPv4 (RFC 791) or IPv6 (RFC 8200) packets.
 *
 * A flight is planned before it is sent:
 *   1. cut the bytes into MSS-sized segments (stream offset + length);
 *   2. --overlap: after every second segment insert a retransmission that
 *      starts inside the previous segment and ends inside the current one
 *      (same bytes, so only the overlap is new to a reassembler);
 *   3. --reorder: swap randomly chosen neighbours (at least one pair);
 *   4. emit each planned segment (twice with --duplicate), except the one
 *      holding `drop_off` (capture loss: the hosts saw it, the capture did not);
 *   5. the receiver acknowledges the whole flight.
 * Packets larger than --ip-frag MTU are cut into fragments sent in order
 * (IPv6 with a Fragment header, RFC 8200 §4.5).
 */
#include "tcpsynth.h"

#include <arpa/inet.h>
#include <string.h>

enum {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_HDR = 20,
    IP4_HDR = 20,
    IP6_HDR = 40,
    FRAG6_HDR = 8,
    WINDOW = 64240,
    DEFAULT_MSS = 1460,
    MAX_PACKET = 65535 + IP6_HDR,
    PACKET_GAP_NS = 250000,  /* 0.25 ms between packets */
    FLIGHT_GAP_NS = 2000000, /* 2 ms before each flight */
};

typedef struct Seg {
    size_t off;
    size_t len;
} Seg;

void
cg_tcp_conn_init(CgTcpConn *c, CgTcpNet *net, const CgEndpoint *client, const CgEndpoint *server,
                 uint32_t isn_client, uint32_t isn_server)
{
    memset(c, 0, sizeof(*c));
    c->net = net;
    c->ep[CG_DIR_C2S] = *client;
    c->ep[CG_DIR_S2C] = *server;
    c->isn[CG_DIR_C2S] = isn_client;
    c->isn[CG_DIR_S2C] = isn_server;
}

static void
put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static void
addr6(uint8_t out[16], uint32_t v4)
{
    /* fd00:1::b:c:d for a.b.c.d keeps every host of a scenario distinct. */
    memset(out, 0, 16);
    out[0] = 0xfd;
    out[3] = 0x01;
    out[11] = (uint8_t)(v4 >> 16);
    out[13] = (uint8_t)(v4 >> 8);
    out[15] = (uint8_t)v4;
}

char *
cg_endpoint_addr(const CgEndpoint *ep, bool ipv6)
{
    char buf[INET6_ADDRSTRLEN];
    uint8_t raw[16];

    if (ipv6)
        addr6(raw, ep->v4);
    else
        put32(raw, ep->v4);
    if (inet_ntop(ipv6 ? AF_INET6 : AF_INET, raw, buf, sizeof(buf)) == NULL)
        return g_strdup("?");
    return g_strdup(buf);
}

char *
cg_endpoint_format(const CgEndpoint *ep, bool ipv6)
{
    g_autofree char *addr = cg_endpoint_addr(ep, ipv6);

    return ipv6 ? g_strdup_printf("[%s]:%u", addr, ep->port)
                : g_strdup_printf("%s:%u", addr, ep->port);
}

/* RFC 1071 one's complement sum, continued from `sum`. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    for (; len >= 2; p += 2, len -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (len == 1)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Write the IP header for `l4_len` bytes of TCP; returns the header size. */
static size_t
ip_header(CgTcpNet *net, uint8_t *p, const CgEndpoint *src, const CgEndpoint *dst, size_t l4_len,
          uint8_t ttl)
{
    if (net->impair.ipv6) {
        memset(p, 0, IP6_HDR);
        p[0] = 0x60;
        put16(p + 4, (uint32_t)l4_len);
        p[6] = 6; /* TCP */
        p[7] = ttl;
        addr6(p + 8, src->v4);
        addr6(p + 24, dst->v4);
        return IP6_HDR;
    }
    memset(p, 0, IP4_HDR);
    p[0] = 0x45;
    put16(p + 2, (uint32_t)(IP4_HDR + l4_len));
    put16(p + 4, net->ip_id++);
    p[8] = ttl;
    p[9] = 6;
    put32(p + 12, src->v4);
    put32(p + 16, dst->v4);
    put16(p + 10, csum_fold(csum_add(0, p, IP4_HDR)));
    return IP4_HDR;
}

static uint16_t
tcp_checksum(const uint8_t *ip, bool ipv6, const uint8_t *tcp, size_t len)
{
    uint32_t sum;

    if (ipv6)
        sum = csum_add(0, ip + 8, 32); /* RFC 8200 §8.1 pseudo-header */
    else
        sum = csum_add(0, ip + 12, 8); /* RFC 793 §3.1 pseudo-header */
    sum += 6 + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
    return csum_fold(csum_add(sum, tcp, len));
}

static gboolean
emit(CgTcpConn *c, CgDir dir, const uint8_t *pkt, size_t len, GError **error)
{
    CgTcpNet *net = c->net;
    gboolean ok = net->emit(net->emit_ctx, net->clock_ns, &c->ep[dir], &c->ep[1 - dir],
                            dir == CG_DIR_C2S, pkt, len, error);

    net->clock_ns += PACKET_GAP_NS;
    net->started = true;
    return ok;
}

/* A think-time gap, except before the capture's first packet (which is at t). */
static void
think_gap(CgTcpNet *net)
{
    if (net->started)
        net->clock_ns += FLIGHT_GAP_NS;
}

static gboolean
emit_frag4(CgTcpConn *c, CgDir dir, uint8_t *pkt, size_t len, GError **error)
{
    size_t chunk = (c->net->impair.ip_frag_mtu - IP4_HDR) & ~(size_t)7;
    uint8_t frag[MAX_PACKET];

    for (size_t off = 0; off < len - IP4_HDR; off += chunk) {
        size_t n = MIN(chunk, len - IP4_HDR - off);
        bool more = off + n < len - IP4_HDR;

        memcpy(frag, pkt, IP4_HDR);
        memcpy(frag + IP4_HDR, pkt + IP4_HDR + off, n);
        put16(frag + 2, (uint32_t)(IP4_HDR + n));
        put16(frag + 6, (more ? 0x2000u : 0u) | (uint32_t)(off / 8));
        put16(frag + 10, 0);
        put16(frag + 10, csum_fold(csum_add(0, frag, IP4_HDR)));
        if (!emit(c, dir, frag, IP4_HDR + n, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
emit_frag6(CgTcpConn *c, CgDir dir, uint8_t *pkt, size_t len, GError **error)
{
    size_t chunk = (c->net->impair.ip_frag_mtu - IP6_HDR - FRAG6_HDR) & ~(size_t)7;
    uint32_t id = 0x10000u + c->net->ip_id++;
    uint8_t frag[MAX_PACKET];

    for (size_t off = 0; off < len - IP6_HDR; off += chunk) {
        size_t n = MIN(chunk, len - IP6_HDR - off);
        bool more = off + n < len - IP6_HDR;
        uint8_t *fh = frag + IP6_HDR;

        memcpy(frag, pkt, IP6_HDR);
        frag[6] = 44; /* Fragment header follows */
        put16(frag + 4, (uint32_t)(FRAG6_HDR + n));
        fh[0] = 6;
        fh[1] = 0;
        put16(fh + 2, (uint32_t)(off | (more ? 1u : 0u)));
        put32(fh + 4, id);
        memcpy(fh + FRAG6_HDR, pkt + IP6_HDR + off, n);
        if (!emit(c, dir, frag, IP6_HDR + FRAG6_HDR + n, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
send_ip(CgTcpConn *c, CgDir dir, uint8_t *pkt, size_t len, GError **error)
{
    unsigned mtu = c->net->impair.ip_frag_mtu;

    if (mtu == 0 || len <= mtu)
        return emit(c, dir, pkt, len, error);
    return c->net->impair.ipv6 ? emit_frag6(c, dir, pkt, len, error)
                               : emit_frag4(c, dir, pkt, len, error);
}

/* One TCP segment from `dir` with sequence number seq. */
static gboolean
segment(CgTcpConn *c, CgDir dir, uint32_t seq, uint8_t flags, const uint8_t *data, size_t len,
        GError **error)
{
    uint8_t pkt[MAX_PACKET];
    size_t opt_len = (flags & TCP_SYN) != 0 ? 4 : 0;
    size_t tcp_len = TCP_HDR + opt_len + len;
    size_t ip_len = ip_header(c->net, pkt, &c->ep[dir], &c->ep[1 - dir], tcp_len,
                              dir == CG_DIR_C2S ? 64 : 128);
    uint8_t *t = pkt + ip_len;
    uint32_t ack = (flags & TCP_ACK) != 0 ? c->isn[1 - dir] + 1u + (uint32_t)c->sent[1 - dir] : 0;

    put16(t, c->ep[dir].port);
    put16(t + 2, c->ep[1 - dir].port);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (uint8_t)(((TCP_HDR + opt_len) / 4) << 4);
    t[13] = flags;
    put16(t + 14, WINDOW);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (opt_len > 0) { /* MSS option, RFC 793 §3.1 */
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, DEFAULT_MSS);
    }
    if (len > 0)
        memcpy(t + TCP_HDR + opt_len, data, len);
    put16(t + 16, tcp_checksum(pkt, c->net->impair.ipv6, t, tcp_len));
    return send_ip(c, dir, pkt, ip_len + tcp_len, error);
}

static uint32_t
next_seq(const CgTcpConn *c, CgDir dir)
{
    return c->isn[dir] + 1u + (uint32_t)c->sent[dir];
}

gboolean
cg_tcp_conn_open(CgTcpConn *c, GError **error)
{
    if (c->net->impair.midstream)
        return TRUE;
    /* The SYN and SYN/ACK carry ISN; ack of the SYN/ACK is isn_client + 1. */
    return segment(c, CG_DIR_C2S, c->isn[CG_DIR_C2S], TCP_SYN, NULL, 0, error) &&
           segment(c, CG_DIR_S2C, c->isn[CG_DIR_S2C], TCP_SYN | TCP_ACK, NULL, 0, error) &&
           segment(c, CG_DIR_C2S, next_seq(c, CG_DIR_C2S), TCP_ACK, NULL, 0, error);
}

static GArray *
plan_flight(CgTcpNet *net, size_t len)
{
    size_t mss = net->impair.mss != 0 ? net->impair.mss : DEFAULT_MSS;
    GArray *plan = g_array_new(FALSE, FALSE, sizeof(Seg));

    for (size_t off = 0, i = 0; off < len; off += mss, i++) {
        Seg s = { off, MIN(mss, len - off) };
        if (net->impair.overlap && i % 2 == 1) {
            const Seg *prev = &g_array_index(plan, Seg, plan->len - 1);
            Seg o = { prev->off + prev->len / 2, 0 };
            o.len = s.off + (s.len + 1) / 2 - o.off;
            g_array_append_val(plan, s);
            g_array_append_val(plan, o);
            continue;
        }
        g_array_append_val(plan, s);
    }
    return plan;
}

static void
reorder(GRand *rand, GArray *plan)
{
    bool swapped = false;

    for (guint i = 0; i + 1 < plan->len; i++) {
        if (g_rand_boolean(rand) || (!swapped && i + 2 >= plan->len)) {
            Seg tmp = g_array_index(plan, Seg, i);
            g_array_index(plan, Seg, i) = g_array_index(plan, Seg, i + 1);
            g_array_index(plan, Seg, i + 1) = tmp;
            swapped = true;
            i++; /* a segment moves at most one place */
        }
    }
}

static gboolean
send_plan(CgTcpConn *c, CgDir dir, const uint8_t *data, const GArray *plan, int64_t drop_off,
          GError **error)
{
    unsigned copies = c->net->impair.duplicate ? 2 : 1;
    uint32_t base = next_seq(c, dir);

    for (guint i = 0; i < plan->len; i++) {
        const Seg *s = &g_array_index(plan, Seg, i);
        if (drop_off >= 0 && (size_t)drop_off >= s->off && (size_t)drop_off - s->off < s->len)
            continue;
        for (unsigned k = 0; k < copies; k++) {
            if (!segment(c, dir, base + (uint32_t)s->off, TCP_ACK | TCP_PSH, data + s->off, s->len,
                         error))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean
cg_tcp_conn_send(CgTcpConn *c, CgDir dir, const uint8_t *data, size_t len, int64_t drop_off,
                 GError **error)
{
    GArray *plan;
    gboolean ok;

    if (len == 0)
        return TRUE;
    plan = plan_flight(c->net, len);
    if (c->net->impair.reorder)
        reorder(c->net->rand, plan);
    think_gap(c->net);
    ok = send_plan(c, dir, data, plan, drop_off, error);
    g_array_free(plan, TRUE);
    if (!ok)
        return FALSE;
    c->sent[dir] += len;
    return segment(c, (CgDir)(1 - dir), next_seq(c, (CgDir)(1 - dir)), TCP_ACK, NULL, 0, error);
}

gboolean
cg_tcp_conn_reset(CgTcpConn *c, CgDir dir, GError **error)
{
    think_gap(c->net);
    if (!segment(c, dir, next_seq(c, dir), TCP_RST | TCP_ACK, NULL, 0, error))
        return FALSE;
    think_gap(c->net); /* between connections */
    return TRUE;
}

gboolean
cg_tcp_conn_close(CgTcpConn *c, GError **error)
{
    think_gap(c->net);
    if (!segment(c, CG_DIR_C2S, next_seq(c, CG_DIR_C2S), TCP_FIN | TCP_ACK, NULL, 0, error))
        return FALSE;
    c->sent[CG_DIR_C2S] += 1; /* the FIN occupies one sequence number */
    if (!segment(c, CG_DIR_S2C, next_seq(c, CG_DIR_S2C), TCP_FIN | TCP_ACK, NULL, 0, error))
        return FALSE;
    c->sent[CG_DIR_S2C] += 1;
    if (!segment(c, CG_DIR_C2S, next_seq(c, CG_DIR_C2S), TCP_ACK, NULL, 0, error))
        return FALSE;
    think_gap(c->net); /* between connections */
    return TRUE;
}
