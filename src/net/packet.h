/* SPDX-License-Identifier: BSD-2-Clause */
/* packet: one decoded frame; addresses by value, payload as a borrowed view. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CpAddr {
    uint8_t family;    /* 4 or 6 */
    uint8_t bytes[16]; /* IPv4 in the first 4 bytes, rest zero */
} CpAddr;

enum {
    CP_TCP_FIN = 0x01,
    CP_TCP_SYN = 0x02,
    CP_TCP_RST = 0x04,
    CP_TCP_PSH = 0x08,
    CP_TCP_ACK = 0x10,
};

/* Lifetime: packet. payload points into the capture buffer (valid until the next capture call)
 * or into the IP defragmenter (valid until the next cp_net_decode call). */
typedef struct CpPacket {
    uint64_t ts_ns; /* capture time, ns since the Unix epoch */
    CpAddr src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t tcp_flags;
    const uint8_t *payload;
    size_t payload_len;      /* bytes present */
    size_t payload_declared; /* bytes the IP/TCP headers say the segment carries (>= len) */
    uint8_t src_mac[6];      /* the sender's Ethernet address (the innermost Ethernet header) */
    bool has_src_mac;        /* the link had one */
} CpPacket;

/* Formats "1.2.3.4:443" or "[2001:db8::1]:443" into buf (at least 64 bytes). */
void cp_addr_format_endpoint(const CpAddr *a, uint16_t port, char *buf, size_t size);
/* Formats the bare address. */
void cp_addr_format(const CpAddr *a, char *buf, size_t size);
bool cp_addr_equal(const CpAddr *a, const CpAddr *b);
