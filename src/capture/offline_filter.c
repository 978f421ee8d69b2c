/* SPDX-License-Identifier: BSD-2-Clause */
/* offline_filter: BPF capture filters for packets read from files (pcap-filter(7)). The reader is
 * our own (capture_file.c), so libpcap only compiles the expression, once per link type, on a
 * "dead" handle with the frame's link type and a 256 KiB snaplen, and runs the program on each
 * frame with pcap_offline_filter, exactly as tcpdump -r does. */
#include "capture/offline_filter.h"

#include <pcap/pcap.h>

#include "base/error.h"

#define FILTER_SNAPLEN 262144

typedef struct Compiled {
    bool ok; /* false: the expression does not apply to this link type; drop its frames */
    struct bpf_program prog;
} Compiled;

struct CpOfflineFilter {
    char *expr;
    GHashTable *by_linktype; /* int linktype -> Compiled* */
};

static void
compiled_free(gpointer p)
{
    Compiled *c = p;

    if (c->ok)
        pcap_freecode(&c->prog);
    g_free(c);
}

/* (transfer full) the program for linktype; NULL with error set when libpcap refuses it. */
static Compiled *
compile(const char *expr, int linktype, GError **error)
{
    Compiled *c = g_new0(Compiled, 1);
    pcap_t *dead = pcap_open_dead(linktype, FILTER_SNAPLEN);

    if (dead == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "capture filter: libpcap has no handle for "
                    "link type %d",
                    linktype);
        return c;
    }
    if (pcap_compile(dead, &c->prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        c->ok = true;
    } else {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "capture filter \"%s\": %s", expr,
                    pcap_geterr(dead));
    }
    pcap_close(dead);
    return c;
}

CpOfflineFilter *
cp_offline_filter_new(const char *expr, GError **error)
{
    Compiled *probe = compile(expr, DLT_EN10MB, error);

    if (!probe->ok) {
        compiled_free(probe);
        return NULL;
    }
    CpOfflineFilter *f = g_new0(CpOfflineFilter, 1);
    f->expr = g_strdup(expr);
    f->by_linktype = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, compiled_free);
    g_hash_table_insert(f->by_linktype, GINT_TO_POINTER(DLT_EN10MB), probe);
    return f;
}

void
cp_offline_filter_free(CpOfflineFilter *f)
{
    if (f == NULL)
        return;
    g_hash_table_destroy(f->by_linktype);
    g_free(f->expr);
    g_free(f);
}

bool
cp_offline_filter_match(CpOfflineFilter *f, const CpFrame *frame, GError **error)
{
    Compiled *c = g_hash_table_lookup(f->by_linktype, GINT_TO_POINTER(frame->linktype));

    if (c == NULL) {
        c = compile(f->expr, frame->linktype, error);
        g_hash_table_insert(f->by_linktype, GINT_TO_POINTER(frame->linktype), c);
    }
    if (!c->ok)
        return false;
    struct pcap_pkthdr hdr = { .caplen = frame->caplen, .len = frame->wirelen };
    return pcap_offline_filter(&c->prog, &hdr, frame->data) != 0;
}
