/* SPDX-License-Identifier: BSD-2-Clause */
/* capture: the CpCapture front for both sources. Files are read by our own pcap/pcapng reader
 * (capture_file.c); live devices through libpcap's pcap_next_ex on a pcap_t (capture_live.c
 * opens it). This file dispatches between the two and owns the common bookkeeping: the frame
 * counter used in error messages, cp_capture_break, statistics and cleanup. */
#include "capture/capture_private.h"

#include <string.h>

#include "base/error.h"

CpCapture *
cp_capture_wrap(pcap_t *p, const char *name, bool live)
{
    CpCapture *c = g_new0(CpCapture, 1);

    c->pcap = p;
    c->name = g_strdup(name);
    c->live = live;
    return c;
}

CpCaptureStatus
cp_capture_next(CpCapture *c, CpFrame *frame, GError **error)
{
    struct pcap_pkthdr *h;
    const u_char *data;

    if (c->stop)
        return CP_CAPTURE_END;
    if (c->file != NULL) {
        CpCaptureStatus st = cp_capture_file_next(c, frame, error);
        if (st == CP_CAPTURE_FRAME)
            c->frames++;
        return st;
    }
    int rc = pcap_next_ex(c->pcap, &h, &data);
    switch (rc) {
    case 1:
        break;
    case 0:
        return CP_CAPTURE_TIMEOUT;
    case PCAP_ERROR_BREAK:
        return CP_CAPTURE_END;
    default:
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s after %" G_GUINT64_FORMAT " packets",
                    c->name, pcap_geterr(c->pcap), c->frames);
        return CP_CAPTURE_ERROR;
    }
    c->frames++;
    /* Live only (files returned above). The handle asks for nanosecond precision at open;
     * c->micro says the platform fell back to microseconds. */
    frame->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u +
                   (uint64_t)h->ts.tv_usec * (c->micro ? 1000u : 1u);
    frame->caplen = h->caplen;
    frame->wirelen = h->len < h->caplen ? h->caplen : h->len;
    frame->linktype = pcap_datalink(c->pcap);
    frame->data = data;
    return CP_CAPTURE_FRAME;
}

void
cp_capture_break(CpCapture *c)
{
    c->stop = 1;
    if (c->pcap != NULL)
        pcap_breakloop(c->pcap);
}

bool
cp_capture_stats(CpCapture *c, CpCaptureStats *stats)
{
    struct pcap_stat ps;

    memset(stats, 0, sizeof *stats);
    if (!c->live || c->pcap == NULL || pcap_stats(c->pcap, &ps) != 0)
        return false;
    stats->received = ps.ps_recv;
    stats->dropped_kernel = ps.ps_drop;
    stats->dropped_iface = ps.ps_ifdrop;
    stats->valid = true;
    return true;
}

const char *
cp_capture_name(const CpCapture *c)
{
    return c->name;
}

uint64_t
cp_capture_skipped(const CpCapture *c)
{
    return c->skipped;
}

void
cp_capture_set_secrets_fn(CpCapture *c, CpSecretsFn fn, void *user)
{
    c->secrets_fn = fn;
    c->secrets_user = user;
}

void
cp_capture_free(CpCapture *c)
{
    if (c == NULL)
        return;
    if (c->pcap != NULL)
        pcap_close(c->pcap);
    cp_capture_file_close(c);
    g_free(c->name);
    g_free(c);
}
