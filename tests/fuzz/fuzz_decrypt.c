/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_decrypt: decryption input (issue 11) — the NSS key log parser (dissectors/tls_keylog.c)
 * and the TLS session with a key log (tls_decrypt.c, tls_cipher.c): which records get
 * decrypted, with which keys, and what the decrypted handshake holds.
 *
 * Input layout: a big-endian 16-bit length K, K bytes of key log text, then a script of
 * deliveries {ctl, len (16 bits, big-endian), len bytes} through the dissector table: ctl bit 0
 * is the direction, bit 1 flags GAP, bit 2 ends the direction (FIN) after it. Each direction is
 * buffered like tcp_stream does (unconsumed bytes come back with the next ones; no call before
 * `needed`). The seeds are capgen handshakes (TLS 1.3, TLS 1.2 renegotiation) with their key
 * logs, so mutations reach the key schedule, the record loop after the keys, and failures.
 * When the top bit of K is set (K & 0x7fff is then the length) the connection is UDP and each
 * delivery one datagram: DTLS, and DTLS 1.3 with a key log (dtls13.c); its seed
 * (dtls13-keylog) is made by make_dtls13_seed.py, since OpenSSL 3.0 makes no DTLS 1.3.
 */
#include <glib.h>
#include <string.h>

#include "dissectors/dissector.h"
#include "dissectors/tls_keylog.h"
#include "fuzz.h"

enum {
    CTL_DIR1 = 0x01,
    CTL_GAP = 0x02,
    CTL_FIN = 0x04,
};

typedef struct FuzzDec {
    CpLimits limits;
    CpAnomalies anomalies;
    CpDissectConn *table;
    bool udp; /* each delivery is one datagram */
    GByteArray *pending[2];
    size_t needed[2];
    bool ended[2];
    unsigned sum;
} FuzzDec;

static void
on_event(void *user, const CpTlsEvent *ev)
{
    FuzzDec *f = user;

    for (size_t i = 0; i < ev->cert_count; i++)
        for (size_t j = 0; j < ev->cert_len[i]; j++)
            f->sum += ev->cert_der[i][j]; /* ASan checks every view */
    for (size_t j = 0; j < ev->sni_len; j++)
        f->sum += ev->sni[j];
}

static void
feed(FuzzDec *f, CpDir dir, unsigned flags)
{
    GByteArray *p = f->pending[dir];

    while (!f->ended[dir] &&
           (p->len >= f->needed[dir] || (flags & (CP_STREAM_FIN | CP_STREAM_GAP)))) {
        /* An exact-size copy, so a read past the delivered bytes is caught by ASan. */
        uint8_t *copy = g_memdup2(p->data, p->len);
        size_t len = p->len;
        CpFeedResult r = cp_dissect_conn_feed(f->table, dir, copy, len, flags);
        g_free(copy);
        CP_FUZZ_CHECK(r.consumed <= len);
        g_byte_array_remove_range(p, 0, (guint)r.consumed);
        if (r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN)) {
            f->ended[dir] = true;
            return;
        }
        flags &= ~(unsigned)CP_STREAM_GAP;
        f->needed[dir] = r.needed > p->len ? r.needed : p->len + 1;
        if (r.consumed == 0)
            return;
    }
}

/* One datagram, in an exact-size copy (ASan catches reads past it). */
static void
datagram(FuzzDec *f, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    if (f->ended[dir])
        return;
    uint8_t *copy = g_memdup2(data, len);
    CpFeedResult r = cp_dissect_conn_feed(f->table, dir, copy, len, flags | CP_STREAM_DATAGRAM);
    g_free(copy);
    CP_FUZZ_CHECK(r.consumed <= len);
    f->ended[dir] = r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    FuzzDec f;

    memset(&f, 0, sizeof f);
    f.udp = (data[0] & 0x80) != 0;
    size_t klen = MIN((size_t)(data[0] & 0x7f) << 8 | data[1], size - 2);
    cp_limits_init_default(&f.limits);
    CpKeylog *keylog = cp_keylog_new(64, &f.anomalies);
    cp_keylog_add_text(keylog, data + 2, klen);
    CpMemcap memcap = { .cap = 1 << 20 };
    CpDissectCtx ctx = { &f.limits, &f.anomalies, &memcap, on_event, &f, keylog };
    f.table = cp_dissect_conn_new(&ctx, f.udp ? CP_TRANSPORT_UDP : CP_TRANSPORT_TCP);
    f.pending[0] = g_byte_array_new();
    f.pending[1] = g_byte_array_new();
    for (size_t at = 2 + klen; at + 3 <= size;) {
        uint8_t ctl = data[at];
        size_t len = MIN((size_t)data[at + 1] << 8 | data[at + 2], size - at - 3);
        CpDir dir = (ctl & CTL_DIR1) ? CP_DIR_1 : CP_DIR_0;
        unsigned flags = (ctl & CTL_GAP) ? CP_STREAM_GAP : 0;
        if (f.udp) {
            datagram(&f, dir, data + at + 3, len, (ctl & CTL_FIN) ? CP_STREAM_FIN : 0);
        } else if (!f.ended[dir]) {
            if (flags & CP_STREAM_GAP)
                g_byte_array_set_size(f.pending[dir], 0);
            g_byte_array_append(f.pending[dir], data + at + 3, (guint)len);
            feed(&f, dir, flags);
            if (ctl & CTL_FIN)
                feed(&f, dir, CP_STREAM_FIN);
        }
        at += 3 + len;
    }
    for (int i = 0; i < 2; i++) {
        if (f.udp)
            datagram(&f, (CpDir)i, NULL, 0, CP_STREAM_FIN);
        else
            feed(&f, (CpDir)i, CP_STREAM_FIN);
    }
    cp_dissect_conn_free(f.table);
    g_byte_array_free(f.pending[0], TRUE);
    g_byte_array_free(f.pending[1], TRUE);
    cp_keylog_free(keylog);
    CP_FUZZ_CHECK(memcap.used == 0);
    return 0;
}
