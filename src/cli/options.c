/* SPDX-License-Identifier: BSD-2-Clause */
/* options: GOptionContext for the command line; every limit of limits.def is an option. */
#include "cli/options.h"

#include <errno.h>
#include <stdio.h>
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
        /* g_ascii_strtoull takes "-1" as 2^64-1, which would lift the limit: digits only. */
        guint64 v = g_ascii_isdigit(value[0]) ? g_ascii_strtoull(value, &end, 10) : 0;
        if (errno != 0 || end == value || end == NULL || *end != '\0' || v == 0) {
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
    c->format_given = true;
    /* "jsonl" is what people who know JSON Lines type. */
    c->format = cp_report_format_name(g_ascii_strcasecmp(value, "jsonl") == 0 ? "json" : value);
    if (c->format == NULL) {
        g_autofree char *known = cp_report_format_list();
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "--format is one of %s, not \"%s\"", known,
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
    GOptionGroup *g = g_option_group_new(
            "limits", "Limits on hostile or huge input:", "Show the limit options", c, NULL);
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

static char *shown(const char *s);

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years a certificate's dates and the
 * report's ISO 8601 times can hold (format.c prints four-digit years). */
#define MIN_TIME_S G_GINT64_CONSTANT(-62135596800)
#define MAX_TIME_S G_GINT64_CONSTANT(253402300799)

static bool
parse_time(const char *text, int64_t *out, GError **error)
{
    char *end = NULL;
    errno = 0;
    gint64 v = g_ascii_strtoll(text, &end, 10);

    if (end != text && *end == '\0') {
        if (errno != 0 || v < MIN_TIME_S || v > MAX_TIME_S) {
            g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                        "--at %s is outside the years 1 to 9999 (Unix seconds %" G_GINT64_FORMAT
                        " to %" G_GINT64_FORMAT ")",
                        text, MIN_TIME_S, MAX_TIME_S);
            return false;
        }
        *out = v;
        return true;
    }
    g_autofree char *iso =
            strlen(text) == 10 ? g_strconcat(text, "T00:00:00Z", NULL) : g_strdup(text);
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(iso, utc);
    if (dt == NULL) {
        g_autofree char *ts = shown(text);
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "--at wants 2026-01-15T10:00:00Z, 2026-01-15 or Unix seconds, not \"%s\"", ts);
        return false;
    }
    *out = g_date_time_to_unix(dt);
    if (*out < MIN_TIME_S || *out > MAX_TIME_S) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "--at %s is outside the years 1 to 9999",
                    text);
        return false;
    }
    return true;
}

/* -c N: a positive count (a negative one would silently mean "no limit"). */
static gboolean
parse_count(const char *name, const char *value, gpointer data, GError **error)
{
    CpConfig *c = data;
    char *end = NULL;

    (void)name;
    errno = 0;
    guint64 v = g_ascii_isdigit(value[0]) ? g_ascii_strtoull(value, &end, 10) : 0;
    if (errno != 0 || end == NULL || *end != '\0' || v == 0 || v > G_MAXINT64) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "-c/--count wants a positive whole number of packets, not \"%s\"", value);
        return FALSE;
    }
    c->count = (long long)v;
    return TRUE;
}

/* -C SIZE as tcpdump reads it: millions of bytes, or KiB, MiB, GiB with a k, m or g suffix;
 * at least 4 KiB (a file must hold its headers and a packet) and at most 1 TiB. */
static gboolean
parse_file_size(const char *name, const char *value, gpointer data, GError **error)
{
    CpConfig *c = data;
    char *end = NULL;
    guint64 unit = 1000000u;

    (void)name;
    errno = 0;
    guint64 v = g_ascii_isdigit(value[0]) ? g_ascii_strtoull(value, &end, 10) : 0;
    if (end != NULL && *end != '\0' && end[1] == '\0') {
        const char *units = "kKmMgG";
        const char *u = strchr(units, *end);
        unit = u != NULL ? (guint64)1 << (10 * (1 + (u - units) / 2)) : 0;
        end += u != NULL;
    }
    if (errno != 0 || end == NULL || *end != '\0' || unit == 0 || v == 0 ||
        v > (G_GUINT64_CONSTANT(1) << 40) / unit || v * unit < 4096) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "-C wants a size in millions of bytes (or with k, m, g: KiB, MiB, GiB) from "
                    "4k to 1T, not \"%s\"",
                    value);
        return FALSE;
    }
    c->write_size = v * unit;
    return TRUE;
}

/* Invisible format characters that copying from a dialog brings along: U+200E LEFT-TO-RIGHT MARK
 * (Windows' certificate dialog puts one before a thumbprint), U+200F, U+202A..U+202E, U+2066..
 * U+2069 and U+FEFF. Removes them in place; returns how many. */
static unsigned
strip_invisible(char *s)
{
    static const char *const marks[] = {
        "\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xAA", "\xE2\x80\xAB",
        "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE", "\xE2\x81\xA6",
        "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", "\xEF\xBB\xBF",
    };
    unsigned n = 0;
    char *o = s;

    for (const char *p = s; *p != '\0';) {
        bool hit = false;
        for (size_t i = 0; i < G_N_ELEMENTS(marks) && !hit; i++) {
            if (strncmp(p, marks[i], 3) == 0) {
                p += 3;
                n++;
                hit = true;
            }
        }
        if (!hit)
            *o++ = *p++;
    }
    *o = '\0';
    return n;
}

/* (transfer full) s with every byte that is not printable ASCII shown as \xNN, for messages. */
static char *
shown(const char *s)
{
    GString *o = g_string_new(NULL);

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p >= 0x20 && *p < 0x7f)
            g_string_append_c(o, (char)*p);
        else
            g_string_append_printf(o, "\\x%02X", *p);
    }
    return g_string_free(o, FALSE);
}

static bool
valid_sha1(const char *s)
{
    if (strlen(s) != 40)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isxdigit(*p))
            return false;
    return true;
}

/* Appends the values of a key-file list to a NULL-terminated string vector. */
static void
append_strv(char ***v, char **add)
{
    GStrvBuilder *b = g_strv_builder_new();

    for (char **s = *v; s != NULL && *s != NULL; s++)
        g_strv_builder_add(b, *s);
    for (char **s = add; s != NULL && *s != NULL; s++)
        g_strv_builder_add(b, *s);
    g_strfreev(*v);
    *v = g_strv_builder_end(b);
    g_strv_builder_unref(b);
}

static bool
add_role(CpConfig *c, const char *text, GError **error)
{
    CpRoleRule rule;

    if (!cp_role_rule_parse(text, &rule, error))
        return false;
    g_array_append_val(c->roles, rule);
    return true;
}

/* A misspelt key ("ca_file", "[role]") would otherwise be ignored without a word. */
static void
warn_unknown_keys(GKeyFile *kf, const char *path)
{
    static const char *const known[][5] = {
        { "roles", "frontend", "exchange", "edge", NULL },
        { "trust", "ca-file", "ca-path", "trusted-ca", "no-system-ca" },
    };
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

    for (char **gr = groups; gr != NULL && *gr != NULL; gr++) {
        const char *const *keys = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
            if (strcmp(known[i][0], *gr) == 0)
                keys = known[i] + 1;
        g_autofree char *gs = shown(*gr);
        if (keys == NULL) {
            fprintf(stderr,
                    "certpath: warning: %s: unknown group [%s] ignored (known: [roles], "
                    "[trust])\n",
                    path, gs);
            continue;
        }
        g_auto(GStrv) names = g_key_file_get_keys(kf, *gr, NULL, NULL);
        for (char **k = names; k != NULL && *k != NULL; k++) {
            bool ok = false;
            for (size_t i = 0; i < 4 && keys[i] != NULL && !ok; i++)
                ok = strcmp(keys[i], *k) == 0;
            if (!ok) {
                g_autofree char *ks = shown(*k);
                fprintf(stderr, "certpath: warning: %s: unknown key %s in [%s] ignored\n", path, ks,
                        gs);
            }
        }
    }
}

static bool
read_config(CpConfig *c, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    static const char *const roles[] = { "frontend", "exchange", "edge" };

    if (!g_key_file_load_from_file(kf, c->config, G_KEY_FILE_NONE, error)) {
        GError *e = *error;
        *error = g_error_new(CP_ERROR, CP_ERROR_USAGE, "%s: %s", c->config, e->message);
        g_error_free(e);
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(roles); i++) {
        g_auto(GStrv) sel = g_key_file_get_string_list(kf, "roles", roles[i], NULL, NULL);
        for (char **s = sel; s != NULL && *s != NULL; s++) {
            g_autofree char *rule = g_strdup_printf("%s=%s", roles[i], g_strstrip(*s));
            if (!add_role(c, rule, error))
                return false;
        }
    }
    warn_unknown_keys(kf, c->config);
    g_auto(GStrv) files = g_key_file_get_string_list(kf, "trust", "ca-file", NULL, NULL);
    g_auto(GStrv) paths = g_key_file_get_string_list(kf, "trust", "ca-path", NULL, NULL);
    g_auto(GStrv) cas = g_key_file_get_string_list(kf, "trust", "trusted-ca", NULL, NULL);
    append_strv(&c->ca_files, files);
    append_strv(&c->ca_paths, paths);
    append_strv(&c->trusted_ca, cas);
    if (g_key_file_has_key(kf, "trust", "no-system-ca", NULL)) {
        GError *e = NULL;
        if (g_key_file_get_boolean(kf, "trust", "no-system-ca", &e)) {
            c->no_system_ca = true;
        } else if (e != NULL) {
            g_autofree char *v = g_key_file_get_value(kf, "trust", "no-system-ca", NULL);
            g_autofree char *vs = shown(v != NULL ? v : "");
            g_error_free(e);
            g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                        "%s: [trust] no-system-ca wants true or false, not \"%s\"", c->config, vs);
            return false;
        }
    }
    return true;
}

static bool
check_diagnosis_options(CpConfig *c, GError **error)
{
    c->roles = g_array_new(FALSE, FALSE, sizeof(CpRoleRule));
    for (char **r = c->role_texts; r != NULL && *r != NULL; r++)
        if (!add_role(c, *r, error))
            return false;
    if (c->config != NULL && !read_config(c, error))
        return false;
    for (char **t = c->trusted_ca; t != NULL && *t != NULL; t++) {
        if (strip_invisible(*t) > 0)
            fprintf(stderr,
                    "certpath: note: removed invisible characters (such as U+200E, which "
                    "Windows' certificate dialog adds) from --trusted-ca %s\n",
                    *t);
        /* Windows shows thumbprints with spaces; accept that form too. */
        char *w = *t, *o = *t;
        for (; *w; w++)
            if (*w != ' ' && *w != ':')
                *o++ = g_ascii_toupper(*w);
        *o = '\0';
        if (!valid_sha1(*t)) {
            g_autofree char *ts = shown(*t);
            g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                        "--trusted-ca wants a SHA-1 thumbprint (40 hex digits), not \"%s\"", ts);
            return false;
        }
    }
    if (c->now && c->at_text != NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "--now and --at exclude each other");
        return false;
    }
    if (c->now) {
        c->has_at = true;
        c->at_s = g_get_real_time() / G_USEC_PER_SEC;
    } else if (c->at_text != NULL) {
        c->has_at = true;
        if (!parse_time(c->at_text, &c->at_s, error))
            return false;
    }
    return true;
}

/* -C/-W as tcpdump takes them: -W only with -C, and neither without -w. */
static bool
check_rotation(const CpConfig *c, GError **error)
{
    if (c->write_files < 0 || c->write_files > 100000) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "-W wants 1 to 100000 files");
        return false;
    }
    if ((c->write_size > 0 || c->write_files > 0) && c->write_file == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "-C and -W rotate the -w FILE: give -w");
        return false;
    }
    if (c->write_files > 0 && c->write_size == 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "-W N needs -C MB: files are rotated by size, as with tcpdump -C -W");
        return false;
    }
    return true;
}

bool
cp_options_parse(CpConfig *c, int *argc, char ***argv, GError **error)
{
    memset(c, 0, sizeof *c);
    cp_limits_init_default(&c->limits);
    c->format = cp_report_format_name("text");
    c->count = -1;
    c->write_limit_mib = 100;
    c->help_strings = g_ptr_array_new_with_free_func(g_free);
    GOptionEntry main_entries[] = {
        { "format", 'F', 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_format,
          "Report as text (default), json (JSON Lines), ecs (Elastic Common Schema), html (one "
          "page with the trust graph) or dot (the trust graph for Graphviz)",
          "text|json|ecs|html|dot" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &c->output, "Write the report to FILE", "FILE" },
        { "html", 0, 0, G_OPTION_ARG_FILENAME, &c->html_file,
          "Write the report as one self-contained HTML page with the trust graph to FILE (the "
          "same as --format html -o FILE)",
          "FILE" },
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
          "Live: deliver packets as they arrive instead of in kernel batches", NULL },
        { "no-promiscuous-mode", 'p', 0, G_OPTION_ARG_NONE, &c->no_promisc,
          "Live: do not put the interface in promiscuous mode", NULL },
        { "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &c->user,
          "Live: drop to USER after opening the device", "USER" },
        { "allow-root", 0, 0, G_OPTION_ARG_NONE, &c->allow_root,
          "Live: keep running as root (not recommended)", NULL },
        { "duration", 0, 0, G_OPTION_ARG_INT, &c->duration_s,
          "Live: stop after SECONDS and print the report", "SECONDS" },
        { "count", 'c', 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_count, "Stop after N packets",
          "N" },
        { "read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &c->read_files,
          "Read packets from FILE (repeatable; \"-\" for standard input); the words after the "
          "options are then a capture filter, as with tcpdump -r",
          "FILE" },
        { "records", 0, 0, G_OPTION_ARG_NONE, &c->records,
          "The inputs are JSON Lines written by certpath --format json on one or more sensors "
          "(\"-\" for standard input): diagnose them together, as one capture",
          NULL },
        { "keylog", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->keylog_files,
          "Decrypt TLS 1.3 handshakes and TLS 1.2 renegotiations with the secrets of an NSS key "
          "log FILE (SSLKEYLOGFILE, openssl -keylogfile; repeatable)",
          "FILE" },
        { "no-keylog-search", 0, 0, G_OPTION_ARG_NONE, &c->no_keylog_search,
          "Without --keylog, do not use the key log beside each capture FILE (FILE.keylog, or "
          "FILE's .pcap/.pcapng/.cap replaced by .keylog)",
          NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &c->quiet,
          "Print no report, only warnings and errors: the exit status says it all", NULL },
        { "write", 'w', 0, G_OPTION_ARG_FILENAME, &c->write_file,
          "Live: save the packets of each TLS handshake to FILE (pcapng)", "FILE" },
        { "write-limit", 0, 0, G_OPTION_ARG_INT, &c->write_limit_mib,
          "Live: stop writing the -w file at MIB mebibytes (default 100)", "MIB" },
        { "file-size", 'C', 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_file_size,
          "Live: as tcpdump -C, start a new -w file (FILE1, FILE2...) past SIZE millions of "
          "bytes (suffix k, m or g: KiB, MiB, GiB)",
          "SIZE" },
        { "file-count", 'W', 0, G_OPTION_ARG_INT, &c->write_files,
          "Live: as tcpdump -W with -C, a ring of N -w files FILE0..FILE<N-1>, the oldest "
          "overwritten",
          "N" },
        { "lines", 0, 0, G_OPTION_ARG_NONE, &c->lines,
          "Text: one line per handshake as it ends, then the report (always so in live mode)",
          NULL },
        { "ca-file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->ca_files,
          "Trust the CA certificates in PEM FILE (e.g. your enterprise root; repeatable)", "FILE" },
        { "ca-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->ca_paths,
          "Trust the PEM certificates in DIR (repeatable)", "DIR" },
        { "no-system-ca", 0, 0, G_OPTION_ARG_NONE, &c->no_system_ca,
          "Do not trust the system's CA store: only --ca-file/--ca-path", NULL },
        { "trusted-ca", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->trusted_ca,
          "A root already in the Lync pool's TrustedCACerts, by SHA-1 thumbprint (repeatable)",
          "SHA1" },
        { "role", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &c->role_texts,
          "Give a server its role: frontend|exchange|edge=ADDRESS[:PORT]|HOSTNAME (repeatable)",
          "ROLE=SELECTOR" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &c->config,
          "Read [roles] and [trust] settings from a key file", "FILE" },
        { "at", 0, 0, G_OPTION_ARG_FILENAME, &c->at_text,
          "Judge validity at TIME (2026-01-15T10:00:00Z, 2026-01-15, or Unix seconds) instead "
          "of capture time",
          "TIME" },
        { "now", 0, 0, G_OPTION_ARG_NONE, &c->now, "Judge validity now instead of capture time",
          NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &c->show_version, "Print the version", NULL },
        { NULL },
    };
    GOptionContext *ctx =
            g_option_context_new("[FILE...] | -r FILE [BPF FILTER] | -i IFACE [BPF FILTER]");
    g_option_context_set_summary(ctx, "Reads TLS handshakes from pcap/pcapng files (\"-\" for "
                                      "standard input) or a live interface,\n"
                                      "extracts every server's certificate chain, and reports it.");
    g_option_context_set_description(ctx, "Exit status: 0 clean, 1 a finding of severity warning "
                                          "or worse, 2 usage or input error.\n"
                                          "See certpath(1) and docs/guide.md.");
    GOptionGroup *main_group = g_option_group_new(NULL, NULL, NULL, c, NULL);
    g_option_group_add_entries(main_group, main_entries);
    g_option_context_set_main_group(ctx, main_group);
    g_option_context_add_group(ctx, limits_group(c));
    gboolean ok = g_option_context_parse(ctx, argc, argv, error);
    g_option_context_free(ctx);
    if (!ok) {
        if (error != NULL && *error != NULL && (*error)->domain != CP_ERROR) {
            /* GOption says "Unknown option --x" and "Cannot parse ...": certpath's messages
             * start in lower case, and a mistyped option deserves a pointer to the list. */
            GError *e = *error;
            g_autofree char *msg = g_strdup(e->message);
            if (msg[0] != '\0' && g_ascii_isupper(msg[0]) && g_ascii_islower(msg[1]))
                msg[0] = g_ascii_tolower(msg[0]);
            g_autofree char *ms = shown(msg);
            *error = g_error_new(CP_ERROR, CP_ERROR_USAGE, "%s%s", ms,
                                 e->domain == G_OPTION_ERROR &&
                                                 e->code == G_OPTION_ERROR_UNKNOWN_OPTION
                                         ? " (see certpath --help)"
                                         : "");
            g_error_free(e);
        }
        return false;
    }
    GPtrArray *rest = g_ptr_array_new();
    bool dashes = false;
    for (int i = 1; i < *argc; i++) {
        /* "--" ends the options; GOption leaves it in place when it is followed by "-". */
        if (!dashes && strcmp((*argv)[i], "--") == 0) {
            dashes = true;
            continue;
        }
        g_ptr_array_add(rest, g_strdup((*argv)[i]));
    }
    g_ptr_array_add(rest, NULL);
    char **words = (char **)g_ptr_array_free(rest, FALSE);
    if (c->iface != NULL && c->read_files != NULL) {
        g_strfreev(words);
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "-r and -i exclude each other");
        return false;
    }
    if (c->iface != NULL) {
        c->filter = g_strjoinv(" ", words);
        g_strfreev(words);
        c->inputs = g_new0(char *, 1);
    } else if (c->read_files != NULL) {
        /* tcpdump -r FILE EXPRESSION: the words are the filter. */
        if (words[0] != NULL)
            c->offline_filter = g_strjoinv(" ", words);
        g_strfreev(words);
        c->inputs = g_steal_pointer(&c->read_files);
    } else {
        c->inputs = words;
    }
    if (c->iface == NULL && !c->list_ifaces && !c->show_version && c->inputs[0] == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "no input: give capture files, \"-\" for standard input, or -i IFACE "
                    "(see certpath --help)");
        return false;
    }
    if (c->records && (c->iface != NULL || c->offline_filter != NULL)) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "--records reads JSON Lines: it excludes -i and a capture filter");
        return false;
    }
    if (!check_diagnosis_options(c, error))
        return false;
    if (c->html_file != NULL) {
        if (c->output != NULL || (c->format_given && strcmp(c->format, "html") != 0)) {
            g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                        "--html FILE writes the HTML report to FILE: it excludes -o and a "
                        "--format other than html");
            return false;
        }
        c->format = cp_report_format_name("html");
        c->output = g_steal_pointer(&c->html_file);
    }
    if (c->snaplen < 0 || c->buffer_mib < 0 || c->duration_s < 0 || c->write_limit_mib <= 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "--snaplen, --buffer-size and --duration "
                    "must not be negative, --write-limit must be positive");
        return false;
    }
    if (c->lines && strcmp(c->format, "text") != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "--lines is a text mode: --format %s already writes one object per "
                    "handshake",
                    c->format);
        return false;
    }
    if (!check_rotation(c, error))
        return false;
    if (c->buffer_mib > 2047) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "--buffer-size is at most 2047 MiB");
        return false;
    }
    if (c->iface == NULL && !c->list_ifaces &&
        (c->write_file != NULL || c->user != NULL || c->duration_s > 0)) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "-w, -Z and --duration need live capture (-i IFACE)");
        return false;
    }
    return true;
}

void
cp_options_clear(CpConfig *c)
{
    g_free(c->export_dir);
    g_free(c->output);
    g_free(c->html_file);
    g_strfreev(c->inputs);
    g_strfreev(c->read_files);
    g_strfreev(c->keylog_files);
    g_free(c->offline_filter);
    g_free(c->iface);
    g_free(c->filter);
    g_free(c->user);
    g_free(c->write_file);
    if (c->help_strings != NULL)
        g_ptr_array_free(c->help_strings, TRUE);
    g_strfreev(c->ca_files);
    g_strfreev(c->ca_paths);
    g_strfreev(c->trusted_ca);
    g_strfreev(c->role_texts);
    for (guint i = 0; c->roles != NULL && i < c->roles->len; i++)
        g_free(g_array_index(c->roles, CpRoleRule, i).selector);
    if (c->roles != NULL)
        g_array_free(c->roles, TRUE);
    g_free(c->config);
    g_free(c->at_text);
    memset(c, 0, sizeof *c);
}
