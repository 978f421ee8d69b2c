/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_openvpn: the OpenVPN table entries (dissectors/openvpn.c) fed through the dissector table
 * the way reassembly feeds them (STYLE R65): the probe, the HMAC size inference, the TCP length
 * framing across deliveries, packet-id ordering with its held packets, the TLS session behind
 * it, the limits, FIN and close.
 *
 * Input layout: byte 0 is the mode, the rest a list of {ctl, len (big-endian 16 bits), len
 * bytes}: ctl bit 0 is the direction, bit 1 ends that direction (FIN) after it. Mode bit 0: tiny
 * limits (records, handshakes, chains, held packets); bit 1: the conversation ends without FIN
 * (only the dissector's close); bit 2: TCP (each item is a delivery of stream bytes, and what the
 * dissector leaves unconsumed is delivered again in front of the next one, as tcp_stream does),
 * else UDP (each item is one datagram).
 *
 * Seeds (corpus/openvpn/): make_seeds.py's OpenVPN conversations, TCP and UDP, with and
 * without a tls-auth HMAC, in order and reordered.
 */
#include <glib.h>
#include <string.h>

#include "dissectors/dissector.h"
#include "fuzz.h"
#include "fuzz_feed.h"

enum {
    MODE_TINY = 0x01,
    MODE_NO_FIN = 0x02,
    MODE_TCP = 0x04,
    CTL_DIR1 = 0x01,
    CTL_FIN = 0x02,
};

typedef struct FuzzOvpn {
    CpLimits limits;
    CpAnomalies anomalies;
    CpDissectConn *table;
    bool tcp;
    GByteArray *pending[2]; /* TCP: bytes delivered and not consumed */
    bool ended[2];
    CpFuzzEvents events;
} FuzzOvpn;

static void
deliver(FuzzOvpn *f, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    if (f->ended[dir])
        return;
    if (!f->tcp) {
        /* An exact-size copy, so a read one byte past the datagram is caught by ASan. */
        uint8_t *copy = g_memdup2(data, len);
        CpFeedResult r = cp_dissect_conn_feed(f->table, dir, copy, len, flags | CP_STREAM_DATAGRAM);
        g_free(copy);
        if (r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN))
            f->ended[dir] = true;
        return;
    }
    GByteArray *p = f->pending[dir];
    if (len > 0)
        g_byte_array_append(p, data, (guint)len);
    uint8_t *copy = g_memdup2(p->data, p->len);
    CpFeedResult r = cp_dissect_conn_feed(f->table, dir, copy, p->len, flags);
    g_free(copy);
    CP_FUZZ_CHECK(r.consumed <= p->len);
    g_byte_array_remove_range(p, 0, (guint)MIN(r.consumed, (size_t)p->len));
    if (r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN))
        f->ended[dir] = true;
}

static void
on_item(void *user, uint8_t ctl, const uint8_t *data, size_t len)
{
    deliver(user, (ctl & CTL_DIR1) ? CP_DIR_1 : CP_DIR_0, data, len,
            (ctl & CTL_FIN) ? CP_STREAM_FIN : 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    FuzzOvpn f;

    memset(&f, 0, sizeof f);
    cp_limits_init_default(&f.limits);
    if (mode & MODE_TINY) {
        f.limits.max_record_len = 256;
        f.limits.max_handshake_len = 1024;
        f.limits.max_chain_certs = 2;
        f.limits.max_openvpn_pending = 2;
    }
    f.tcp = (mode & MODE_TCP) != 0;
    f.pending[0] = g_byte_array_new();
    f.pending[1] = g_byte_array_new();
    CpMemcap memcap = { .cap = 1 << 20 };
    f.events.limits = &f.limits;
    CpDissectCtx ctx = { &f.limits, &f.anomalies, &memcap, cp_fuzz_on_event, &f.events, NULL };
    f.table = cp_dissect_conn_new(&ctx, f.tcp ? CP_TRANSPORT_TCP : CP_TRANSPORT_UDP);
    cp_fuzz_items(data + 1, size - 1, on_item, &f);
    if (!(mode & MODE_NO_FIN)) {
        for (int i = 0; i < 2; i++)
            deliver(&f, (CpDir)i, NULL, 0, CP_STREAM_FIN);
    }
    cp_dissect_conn_free(f.table);
    CP_FUZZ_CHECK(memcap.used == 0);
    g_byte_array_free(f.pending[0], TRUE);
    g_byte_array_free(f.pending[1], TRUE);
    return 0;
}
