/* SPDX-License-Identifier: BSD-2-Clause */
/* options: GOptionContext for the command line; every limit of limits.def is an option. */
#include "cli/options.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"

static gboolean
parse_limit(const char *name, const char *value, gpointer data, GError **error)
{
    size_t n;
    const CpLimitInfo *t = cp_limits_table(&n);
    char *end = NULL;
    CpConfig *c = data;

    while (*name == '-')
        name++;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].option, name) != 0)
            continue;
        errno = 0;
        guint64 v = g_ascii_strtoull(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v == 0) {
            g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                        "--%s wants a positive whole number, not \"%s\"", name, value);
            return FALSE;
        }
        memcpy((char *)&c->limits + t[i].offset, &v, sizeof v);
        return TRUE;
    }
    g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "unknown limit --%s", name);
    return FALSE;
}

static gboolean
parse_format(const char *name, const char *value, gpointer data, GError **error)
{
    CpConfig *c = data;

    (void)name;
    if (g_ascii_strcasecmp(value, "text") == 0)
        c->format = CP_FORMAT_TEXT;
    else if (g_ascii_strcasecmp(value, "json") == 0 || g_ascii_strcasecmp(value, "jsonl") == 0)
        c->format = CP_FORMAT_JSON;
    else {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "--format is text or json, not \"%s\"",
                    value);
        return FALSE;
    }
    return TRUE;
}

static GOptionGroup *
limits_group(CpConfig *c)
{
    size_t n;
    const CpLimitInfo *t = cp_limits_table(&n);
    GOptionGroup *g = g_option_group_new("limits", "Limits on hostile or huge input:",
                                         "Show the limit options", c, NULL);
    GOptionEntry *e = g_new0(GOptionEntry, n + 1);

    for (size_t i = 0; i < n; i++) {
        e[i].long_name = t[i].option;
        e[i].arg = G_OPTION_ARG_CALLBACK;
        e[i].arg_data = (gpointer)parse_limit;
        char *d = g_strdup_printf("%s (default %" G_GUINT64_FORMAT ")", t[i].doc, t[i].def);
        g_ptr_array_add(c->help_strings, d);
        e[i].description = d;
        e[i].arg_description = "N";
    }
    g_option_group_add_entries(g, e); /* copies the entries, not the strings */
    g_free(e);
    return g;
}

bool
cp_options_parse(CpConfig *c, int *argc, char ***argv, GError **error)
{
    memset(c, 0, sizeof *c);
    cp_limits_init_default(&c->limits);
    c->count = -1;
    c->help_strings = g_ptr_array_new_with_free_func(g_free);
    GOptionEntry main_entries[] = {
        { "format", 'F', 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_format,
          "Report as text (default) or json (JSON Lines)", "text|json" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &c->output, "Write the report to FILE", "FILE" },
        { "export-certs", 0, 0, G_OPTION_ARG_FILENAME, &c->export_dir,
          "Write every distinct certificate to DIR/<SHA1>.pem", "DIR" },
        { "interface", 'i', 0, G_OPTION_ARG_STRING, &c->iface, "Capture live on IFACE", "IFACE" },
        { "list-interfaces", 'D', 0, G_OPTION_ARG_NONE, &c->list_ifaces,
          "List the interfaces live capture can use", NULL },
        { "snaplen", 's', 0, G_OPTION_ARG_INT, &c->snaplen,
          "Live: bytes captured per packet (default: whole packets)", "N" },
        { "buffer-size", 'B', 0, G_OPTION_ARG_INT, &c->buffer_mib,
          "Live: kernel capture buffer in MiB", "MIB" },
        { "immediate", 0, 0, G_OPTION_ARG_NONE, &c->immediate,
          "Live: deliver packets as they arrive (no batching)", NULL },
        { "no-promiscuous-mode", 'p', 0, G_OPTION_ARG_NONE, &c->no_promisc,
          "Live: do not put the interface in promiscuous mode", NULL },
        { "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &c->user,
          "Live: drop to USER after opening the device", "USER" },
        { "allow-root", 0, 0, G_OPTION_ARG_NONE, &c->allow_root,
          "Live: keep running as root (not recommended)", NULL },
        { "duration", 0, 0, G_OPTION_ARG_INT, &c->duration_s,
          "Live: stop after SECONDS and print the report", "SECONDS" },
        { "count", 'c', 0, G_OPTION_ARG_INT64, &c->count, "Stop after N packets", "N" },
        { "write", 'w', 0, G_OPTION_ARG_FILENAME, &c->write_file,
          "Live: save the packets of each TLS handshake to FILE (pcapng)", "FILE" },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &c->show_version, "Print the version", NULL },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("[FILE...] | -i IFACE [BPF FILTER]");
    g_option_context_set_summary(ctx,
        "Reads TLS handshakes from pcap/pcapng files (\"-\" for standard input) or a live interface,\n"
        "extracts every server's certificate chain, and reports it.");
    g_option_context_set_description(ctx,
        "Exit status: 0 clean, 1 a finding of severity warning or worse, 2 usage or input error.\n"
        "See certpath(1) and docs/guide.md.");
    GOptionGroup *main_group = g_option_group_new(NULL, NULL, NULL, c, NULL);
    g_option_group_add_entries(main_group, main_entries);
    g_option_context_set_main_group(ctx, main_group);
    g_option_context_add_group(ctx, limits_group(c));
    gboolean ok = g_option_context_parse(ctx, argc, argv, error);
    g_option_context_free(ctx);
    if (!ok) {
        if (error != NULL && *error != NULL && (*error)->domain != CP_ERROR) {
            GError *e = *error;
            *error = g_error_new(CP_ERROR, CP_ERROR_USAGE, "%s", e->message);
            g_error_free(e);
        }
        return false;
    }
    GPtrArray *rest = g_ptr_array_new();
    for (int i = 1; i < *argc; i++)
        g_ptr_array_add(rest, g_strdup((*argv)[i]));
    g_ptr_array_add(rest, NULL);
    char **words = (char **)g_ptr_array_free(rest, FALSE);
    if (c->iface != NULL) {
        c->filter = g_strjoinv(" ", words);
        g_strfreev(words);
        c->inputs = g_new0(char *, 1);
    } else {
        c->inputs = words;
    }
    if (c->iface == NULL && !c->list_ifaces && !c->show_version && c->inputs[0] == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "no input: give capture files, \"-\" for standard input, or -i IFACE "
                    "(see certpath --help)");
        return false;
    }
    if (c->snaplen < 0 || c->buffer_mib < 0 || c->duration_s < 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "--snaplen, --buffer-size and --duration "
                    "must not be negative");
        return false;
    }
    return true;
}

void
cp_options_clear(CpConfig *c)
{
    g_free(c->export_dir);
    g_free(c->output);
    g_strfreev(c->inputs);
    g_free(c->iface);
    g_free(c->filter);
    g_free(c->user);
    g_free(c->write_file);
    if (c->help_strings != NULL)
        g_ptr_array_free(c->help_strings, TRUE);
    memset(c, 0, sizeof *c);
}
