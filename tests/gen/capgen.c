/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capgen.c - command line of the test-capture generator.
 *
 * capgen --scenario NAME --out FILE [--truth FILE] [impairments...]
 * Exit status: 0 success, 1 generation failed, 2 bad options.
 */
#include "cgerror.h"
#include "scenarios.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_TIME 1768471200 /* 2026-01-15T10:00:00Z */

typedef struct Args {
    char *scenario, *out, *truth, *format, *link, *export_pki, *keylog;
    gboolean ipv6, reorder, duplicate, overlap, loss, midstream, seq_wrap, list, dsb;
    gint mss, snaplen, ip_frag, connections;
    gint64 seed, time, bulk;
} Args;

static GOptionContext *
make_context(Args *a)
{
    GOptionEntry entries[] = {
        { "scenario", 0, 0, G_OPTION_ARG_STRING, &a->scenario, "Scenario to generate", "NAME" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &a->out, "Capture file to write", "FILE" },
        { "truth", 0, 0, G_OPTION_ARG_FILENAME, &a->truth, "Truth JSON Lines file", "FILE" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &a->format, "pcap (default) or pcapng", "FMT" },
        { "link", 0, 0, G_OPTION_ARG_STRING, &a->link,
          "ether (default), vlan, qinq, sll, sll2, raw, null, wlan", "LINK" },
        { "ipv6", 0, 0, G_OPTION_ARG_NONE, &a->ipv6, "IPv6 addresses (fd00:1::/64)", NULL },
        { "mss", 0, 0, G_OPTION_ARG_INT, &a->mss, "TCP payload bytes per segment", "N" },
        { "reorder", 0, 0, G_OPTION_ARG_NONE, &a->reorder, "Swap neighbouring segments", NULL },
        { "duplicate", 0, 0, G_OPTION_ARG_NONE, &a->duplicate, "Send every segment twice", NULL },
        { "overlap", 0, 0, G_OPTION_ARG_NONE, &a->overlap, "Add overlapping retransmissions",
          NULL },
        { "loss", 0, 0, G_OPTION_ARG_NONE, &a->loss,
          "Drop a segment of the first connection's Certificate", NULL },
        { "snaplen", 0, 0, G_OPTION_ARG_INT, &a->snaplen, "Cut frames at N bytes", "N" },
        { "midstream", 0, 0, G_OPTION_ARG_NONE, &a->midstream, "Omit TCP handshakes", NULL },
        { "seq-wrap", 0, 0, G_OPTION_ARG_NONE, &a->seq_wrap,
          "Server sequence numbers wrap inside the Certificate", NULL },
        { "ip-frag", 0, 0, G_OPTION_ARG_INT, &a->ip_frag, "Fragment IP packets above MTU", "MTU" },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &a->seed, "Random seed (default 1)", "N" },
        { "time", 0, 0, G_OPTION_ARG_INT64, &a->time, "Capture time", "EPOCH_SECONDS" },
        { "connections", 0, 0, G_OPTION_ARG_INT, &a->connections, "bench: connections", "N" },
        { "bulk", 0, 0, G_OPTION_ARG_INT64, &a->bulk, "bench: bulk bytes", "BYTES" },
        { "export-pki", 0, 0, G_OPTION_ARG_FILENAME, &a->export_pki,
          "Write CA certificates as DIR/<name>.pem", "DIR" },
        { "keylog", 0, 0, G_OPTION_ARG_FILENAME, &a->keylog,
          "Write the clients' NSS key log (SSLKEYLOGFILE format) to FILE", "FILE" },
        { "dsb", 0, 0, G_OPTION_ARG_NONE, &a->dsb,
          "pcapng: each connection's key log in a Decryption Secrets Block before its packets",
          NULL },
        { "list", 0, 0, G_OPTION_ARG_NONE, &a->list, "List scenarios", NULL },
        { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- generate TLS test captures");

    g_option_context_add_main_entries(ctx, entries, NULL);
    return ctx;
}

static gboolean
usage(GError **error, const char *msg)
{
    g_set_error_literal(error, CG_ERROR, CG_ERROR_USAGE, msg);
    return FALSE;
}

static gboolean
check_ranges(const Args *a, GError **error)
{
    if (a->mss != -1 && (a->mss < 1 || a->mss > 9000))
        return usage(error, "--mss must be between 1 and 9000");
    if (a->snaplen != -1 && (a->snaplen < 1 || a->snaplen > 262144))
        return usage(error, "--snaplen must be between 1 and 262144");
    if (a->ip_frag != -1 && (a->ip_frag < 68 || a->ip_frag > 65535))
        return usage(error, "--ip-frag must be between 68 and 65535");
    if (a->connections < 1 || a->connections > 100000000)
        return usage(error, "--connections must be between 1 and 100000000");
    if (a->seed < 0 || a->seed > G_MAXUINT32)
        return usage(error, "--seed must be between 0 and 4294967295");
    if (a->time < 0 || a->time > 4102444800) /* 2100-01-01 */
        return usage(error, "--time must be between 0 and 4102444800");
    if (a->bulk < 0)
        return usage(error, "--bulk must not be negative");
    return TRUE;
}

static gboolean
to_options(const Args *a, CgOptions *o, GError **error)
{
    if (a->scenario == NULL || a->out == NULL)
        return usage(error, "--scenario and --out are required (see --list)");
    if (cg_scenario_find(a->scenario) == NULL) {
        g_set_error(error, CG_ERROR, CG_ERROR_USAGE, "unknown scenario '%s' (see --list)",
                    a->scenario);
        return FALSE;
    }
    if (a->format != NULL && !cg_pcapw_parse_format(a->format, &o->format))
        return usage(error, "--format must be pcap or pcapng");
    if (a->link != NULL && !cg_pcapw_parse_link(a->link, &o->link))
        return usage(error, "--link must be ether, vlan, qinq, sll, sll2, raw, null or wlan");
    if (!check_ranges(a, error))
        return FALSE;
    o->scenario = a->scenario;
    o->out = a->out;
    o->truth = a->truth;
    o->export_pki = a->export_pki;
    o->impair = (CgImpair){
        .mss = a->mss > 0 ? (unsigned)a->mss : 0,
        .reorder = a->reorder,
        .duplicate = a->duplicate,
        .overlap = a->overlap,
        .midstream = a->midstream,
        .ipv6 = a->ipv6,
        .ip_frag_mtu = a->ip_frag > 0 ? (unsigned)a->ip_frag : 0,
    };
    o->loss = a->loss;
    o->seq_wrap = a->seq_wrap;
    o->snaplen = a->snaplen > 0 ? (unsigned)a->snaplen : 0;
    o->connections = (unsigned)a->connections;
    o->bulk = (uint64_t)a->bulk;
    o->seed = (uint32_t)a->seed;
    o->time = a->time;
    o->keylog = a->keylog;
    o->dsb = a->dsb;
    if (o->dsb && o->format != CG_FORMAT_PCAPNG)
        return usage(error, "--dsb needs --format pcapng");
    return TRUE;
}

static void
list_scenarios(void)
{
    for (const CgScenario *sc = cg_scenarios(); sc->name != NULL; sc++)
        printf("%-14s %s\n", sc->name, sc->summary);
}

static gboolean
generate(const CgOptions *opt, GError **error)
{
    CgSession *s = cg_session_new(opt, error);
    gboolean ok;

    if (s == NULL)
        return FALSE;
    ok = cg_scenario_find(opt->scenario)->run(s, error) && cg_session_finish(s, error);
    cg_session_free(s);
    return ok;
}

static void
args_clear(Args *a)
{
    g_free(a->scenario);
    g_free(a->out);
    g_free(a->truth);
    g_free(a->format);
    g_free(a->link);
    g_free(a->export_pki);
    g_free(a->keylog);
}

int
main(int argc, char **argv)
{
    Args a = {
        .mss = -1, .snaplen = -1, .ip_frag = -1, .connections = 200, .seed = 1, .time = DEFAULT_TIME
    };
    GOptionContext *ctx = make_context(&a);
    CgOptions opt = { 0 };
    g_autoptr(GError) error = NULL;
    int status = 0;

    if (!g_option_context_parse(ctx, &argc, &argv, &error) || (argc > 1 && !a.list)) {
        fprintf(stderr, "capgen: %s\n",
                error != NULL ? error->message : "unexpected argument (see --help)");
        status = 2;
    } else if (a.list) {
        list_scenarios();
    } else if (!to_options(&a, &opt, &error)) {
        fprintf(stderr, "capgen: %s\n", error->message);
        status = 2;
    } else if (!generate(&opt, &error)) {
        fprintf(stderr, "capgen: %s\n", error->message);
        status = 1;
    }
    g_option_context_free(ctx);
    args_clear(&a);
    return status;
}
