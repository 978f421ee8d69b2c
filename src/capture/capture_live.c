/* SPDX-License-Identifier: BSD-2-Clause */
/* capture_live: open a device with libpcap (pcap_create/activate, as tcpdump does), apply the
 * BPF filter, and list devices for -D. Portable to Npcap: only libpcap calls here. */
#include "capture/capture_private.h"

#include <string.h>

#include "base/error.h"

static bool
activate(pcap_t *p, const CpLiveOptions *opt, GError **error)
{
    pcap_set_snaplen(p, opt->snaplen > 0 ? opt->snaplen : 262144);
    pcap_set_promisc(p, opt->promisc ? 1 : 0);
    pcap_set_timeout(p, opt->timeout_ms > 0 ? opt->timeout_ms : 250);
    pcap_set_immediate_mode(p, opt->immediate ? 1 : 0);
    if (opt->buffer_size > 0)
        pcap_set_buffer_size(p, opt->buffer_size);
    /* Nanosecond stamps where the platform has them; microseconds are scaled in next(). */
    if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0)
        pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        const char *why = pcap_geterr(p);
        if (rc == PCAP_ERROR_PERM_DENIED)
            why = "permission denied (run as root, or grant CAP_NET_RAW and CAP_NET_ADMIN)";
        else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            why = "no such device (list them with certpath -D)";
        g_set_error(error, CP_ERROR, CP_ERROR_DEVICE, "%s: %s", opt->device, why);
        return false;
    }
    return true;
}

static bool
apply_filter(pcap_t *p, const CpLiveOptions *opt, GError **error)
{
    struct bpf_program prog;
    const char *expr = opt->filter != NULL && opt->filter[0] != '\0' ? opt->filter : "tcp";

    if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "bad capture filter \"%s\": %s", expr,
                    pcap_geterr(p));
        return false;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_DEVICE, "%s: cannot set filter: %s", opt->device,
                    pcap_geterr(p));
        return false;
    }
    return true;
}

CpCapture *
cp_capture_open_live(const CpLiveOptions *opt, GError **error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(opt->device, errbuf);

    if (p == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_DEVICE, "%s: %s", opt->device, errbuf);
        return NULL;
    }
    if (!activate(p, opt, error) || !apply_filter(p, opt, error)) {
        pcap_close(p);
        return NULL;
    }
    CpCapture *c = cp_capture_wrap(p, opt->device, true);
    c->micro = pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO;
    return c;
}

GPtrArray *
cp_capture_list_devices(GError **error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;

    if (pcap_findalldevs(&all, errbuf) != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_DEVICE, "cannot list devices: %s", errbuf);
        return NULL;
    }
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (pcap_if_t *d = all; d != NULL; d = d->next)
        g_ptr_array_add(out,
                        g_strdup_printf("%s\t%s", d->name, d->description ? d->description : ""));
    pcap_freealldevs(all);
    return out;
}
