/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_tls: the TLS session dissector (dissectors/tls.h, RFC 5246 §6.2, RFC 8446 §5) fed the way
 * tcp_stream feeds it, so the incremental paths (records and handshake messages split across
 * deliveries, `needed`, GAP, FIN) are exercised, not only whole buffers (STYLE R65).
 *
 * Input layout: byte 0 is the mode, the rest is payload.
 *   mode bit 7 = 0 (stream mode): the rest is one direction's bytes (bit 0 picks it), split into
 *       chunks of CHUNKS[(mode >> 1) & 7] bytes; bit 4 flags CP_STREAM_GAP on the second chunk.
 *   mode bit 7 = 1 (scripted mode): the rest is a list of {ctl, len, len bytes}: ctl bit 0 is the
 *       direction, bit 1 flags GAP on the delivery, bit 2 ends the direction (FIN) after it.
 *   mode bit 6: go through the dissector table (dissectors/dissector.h): the probes pick the tls
 *       or the starttls entry, whose prefix finder (tls_prefix.c) looks for the first hello.
 *   mode bit 5: tiny limits, so every limit path (too large, flood, chain length) is reachable.
 * Each direction is buffered like tcp_stream does: unconsumed bytes come back with the next
 * ones, and the session is not called before `needed` bytes are there (except with FIN/GAP).
 */
#include <glib.h>
#include <string.h>

#include "dissectors/tls.h"
#include "dissectors/dissector.h"
#include "fuzz.h"
#include "fuzz_feed.h"

enum {
    MODE_DIR1 = 0x01,
    MODE_GAP = 0x10,
    MODE_TINY = 0x20,
    MODE_PREFIX = 0x40,
    MODE_SCRIPTED = 0x80,
    CTL_DIR1 = 0x01,
    CTL_GAP = 0x02,
    CTL_FIN = 0x04,
};

static const size_t CHUNKS[8] = { SIZE_MAX, 1, 2, 3, 5, 7, 64, 1000 };

typedef struct FuzzDir {
    GByteArray *pending; /* bytes delivered and not consumed yet */
    size_t needed;
    bool ended; /* DONE/ERROR returned, or FIN delivered: the session gets nothing more */
} FuzzDir;

typedef struct FuzzTls {
    CpLimits limits;
    CpAnomalies anomalies;
    CpTlsSession *session;
    CpDissectConn *table; /* (nullable) the dispatcher, when the mode goes through the table */
    FuzzDir dir[2];
    CpFuzzEvents events;
} FuzzTls;

static void
set_tiny_limits(CpLimits *l)
{
    l->max_record_len = 512;
    l->max_handshake_len = 2048;
    l->max_chain_certs = 2;
    l->max_cert_len = 700;
    l->max_records_flood = 3;
}

static CpFeedResult
call_session(FuzzTls *f, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    if (f->table != NULL)
        return cp_dissect_conn_feed(f->table, dir, data, len, flags);
    return cp_tls_session_feed(f->session, dir, data, len, flags);
}

/* One delivery, as tcp_stream makes it (reasm/stream_sink.h). */
static void
deliver(FuzzTls *f, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    FuzzDir *d = &f->dir[dir];

    if (d->ended)
        return;
    if (flags & CP_STREAM_GAP)
        g_byte_array_set_size(d->pending, 0); /* tcp_stream drops what it held before a hole */
    g_byte_array_append(d->pending, data, (guint)len);
    if (d->pending->len < d->needed && !(flags & (CP_STREAM_FIN | CP_STREAM_GAP)))
        return;
    /* An exact-size copy, so a read one byte past the delivery is caught by ASan. */
    size_t n = d->pending->len;
    uint8_t *copy = g_memdup2(d->pending->data, n);
    CpFeedResult r = call_session(f, dir, copy, n, flags);
    g_free(copy);
    CP_FUZZ_CHECK(r.consumed <= n);
    g_byte_array_remove_range(d->pending, 0, (guint)r.consumed);
    d->needed = r.needed;
    if (r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN))
        d->ended = true;
}

static void
run_stream(FuzzTls *f, uint8_t mode, const uint8_t *data, size_t size)
{
    CpDir dir = (mode & MODE_DIR1) ? CP_DIR_1 : CP_DIR_0;
    size_t chunk = CHUNKS[(mode >> 1) & 7];
    unsigned n = 0;

    for (size_t at = 0; at < size; n++) {
        size_t len = MIN(chunk, size - at);
        unsigned flags = (n == 1 && (mode & MODE_GAP)) ? CP_STREAM_GAP : 0;
        deliver(f, dir, data + at, len, flags);
        at += len;
    }
}

static void
run_scripted(FuzzTls *f, const uint8_t *data, size_t size)
{
    size_t at = 0;

    while (at + 2 <= size) {
        uint8_t ctl = data[at];
        size_t len = MIN((size_t)data[at + 1], size - at - 2);
        unsigned flags =
                ((ctl & CTL_GAP) ? CP_STREAM_GAP : 0) | ((ctl & CTL_FIN) ? CP_STREAM_FIN : 0);
        deliver(f, (ctl & CTL_DIR1) ? CP_DIR_1 : CP_DIR_0, data + at + 2, len, flags);
        at += 2 + len;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    FuzzTls f;

    memset(&f, 0, sizeof f);
    cp_limits_init_default(&f.limits);
    if (mode & MODE_TINY)
        set_tiny_limits(&f.limits);
    CpMemcap memcap = { .cap = SIZE_MAX };
    f.events.limits = &f.limits;
    CpDissectCtx ctx = { &f.limits, &f.anomalies, &memcap, cp_fuzz_on_event, &f.events, NULL };
    if (mode & MODE_PREFIX)
        f.table = cp_dissect_conn_new(&ctx, CP_TRANSPORT_TCP);
    f.session = cp_tls_session_new(&f.limits, &f.anomalies, cp_fuzz_on_event, &f.events);
    for (int i = 0; i < 2; i++)
        f.dir[i].pending = g_byte_array_new();
    if (mode & MODE_SCRIPTED)
        run_scripted(&f, data + 1, size - 1);
    else
        run_stream(&f, mode, data + 1, size - 1);
    /* End of input: what is held is delivered with FIN, as cp_tcp_stream_finish does. */
    for (int i = 0; i < 2; i++)
        deliver(&f, (CpDir)i, NULL, 0, CP_STREAM_FIN);
    (void)cp_tls_session_mem(f.session);
    cp_tls_session_free(f.session);
    cp_dissect_conn_free(f.table);
    for (int i = 0; i < 2; i++)
        g_byte_array_unref(f.dir[i].pending);
    return 0;
}
