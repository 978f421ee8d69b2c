/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_dtls: the DTLS table entry (dissectors/dtls.c, RFC 6347 §4.1-§4.2.3) fed datagram by
 * datagram through the dissector table, the way udp_flows.c feeds it (STYLE R65): the probe, the
 * records of a datagram, fragment reassembly with its held messages, the limits, FIN and close.
 *
 * Input layout: byte 0 is the mode, the rest a list of {ctl, len (big-endian 16 bits), len
 * bytes}, each one datagram: ctl bit 0 is the direction, bit 1 ends that direction (FIN) after
 * it. Mode bit 0: tiny limits (records, messages, held messages and bytes), so every limit path
 * is reachable; mode bit 1: the conversation ends without FIN (only the dissector's close).
 *
 * Seeds (corpus/dtls/): the datagrams of `capgen --scenario dtls` captures (plain, and
 * --reorder --duplicate), written in this layout with mode 0 and mode 1.
 */
#include <glib.h>
#include <string.h>

#include "dissectors/dissector.h"
#include "fuzz.h"
#include "fuzz_feed.h"

enum {
    MODE_TINY = 0x01,
    MODE_NO_FIN = 0x02,
    CTL_DIR1 = 0x01,
    CTL_FIN = 0x02,
};

typedef struct FuzzDtls {
    CpLimits limits;
    CpAnomalies anomalies;
    CpDissectConn *table;
    bool ended[2];
    CpFuzzEvents events;
} FuzzDtls;

static void
deliver(FuzzDtls *f, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    if (f->ended[dir])
        return;
    /* An exact-size copy, so a read one byte past the datagram is caught by ASan. */
    uint8_t *copy = g_memdup2(data, len);
    CpFeedResult r = cp_dissect_conn_feed(f->table, dir, copy, len, flags);
    g_free(copy);
    if (r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN))
        f->ended[dir] = true;
}

static void
on_item(void *user, uint8_t ctl, const uint8_t *data, size_t len)
{
    deliver(user, (ctl & CTL_DIR1) ? CP_DIR_1 : CP_DIR_0, data, len,
            CP_STREAM_DATAGRAM | ((ctl & CTL_FIN) ? CP_STREAM_FIN : 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    FuzzDtls f;

    memset(&f, 0, sizeof f);
    cp_limits_init_default(&f.limits);
    if (mode & MODE_TINY) {
        f.limits.max_record_len = 256;
        f.limits.max_handshake_len = 1024;
        f.limits.max_chain_certs = 2;
        f.limits.max_dtls_messages = 2;
        f.limits.max_dtls_pending = 600;
    }
    CpMemcap memcap = { .cap = 1 << 20 };
    f.events.limits = &f.limits;
    CpDissectCtx ctx = { &f.limits, &f.anomalies, &memcap, cp_fuzz_on_event, &f.events, NULL };
    f.table = cp_dissect_conn_new(&ctx, CP_TRANSPORT_UDP);
    cp_fuzz_items(data + 1, size - 1, on_item, &f);
    if (!(mode & MODE_NO_FIN)) {
        for (int i = 0; i < 2; i++)
            deliver(&f, (CpDir)i, NULL, 0, CP_STREAM_FIN);
    }
    cp_dissect_conn_free(f.table);
    CP_FUZZ_CHECK(memcap.used == 0);
    return 0;
}
