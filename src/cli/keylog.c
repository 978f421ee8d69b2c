/* SPDX-License-Identifier: BSD-2-Clause */
/* keylog: where the secrets come from. A --keylog file is read whole (it is small: a few
 * hundred bytes per connection) up to a size derived from --max-keylog-secrets, so a wrong
 * path to a huge file is an error, not an allocation; a file with no key log line at all is
 * refused, because a run that silently decrypts nothing would look like a run without TLS 1.3
 * trouble. Secrets of pcapng Decryption Secrets Blocks of type TLSK go the same way; other
 * secrets types (WireGuard, ZigBee, ...) are not TLS and are ignored.
 *
 * Without --keylog, the key log beside each capture file is used, as the people who hand out
 * captures with their secrets store them (Wireshark's sample captures, the public corpora):
 * FILE.keylog, or FILE with its capture extension (.pcap, .pcapng, .cap, and a .gz or .zst after
 * it) replaced by .keylog. What was not asked for must not stop the run: a sibling that does not
 * read or holds no key log line is a warning (keylog.sibling_unusable), not an input error.
 */
#include "cli/keylog.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "base/error.h"

enum {
    LINE_MAX_BYTES = 512, /* a key log line is < 250 bytes; room for comments and CRLF */
};

/* Reads one key log file into p; what names it in messages is what ("--keylog x", "key log x
 * beside y"). *added: the secrets it gave. */
static bool
load_one(CpPipeline *p, const char *path, const char *what, const CpLimits *limits, size_t *added,
         GError **error)
{
    uint64_t cap = limits->max_keylog_secrets * LINE_MAX_BYTES + 1024 * 1024;
    g_autofree char *text = NULL;
    gsize len = 0;
    GStatBuf st;

    if (g_stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: %" G_GUINT64_FORMAT " bytes is more than a key log of "
                    "--max-keylog-secrets lines can be",
                    what, (guint64)st.st_size);
        return false;
    }
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", what, e->message);
        g_error_free(e);
        return false;
    }
    *added = cp_pipeline_add_secrets(p, (const uint8_t *)text, len);
    if (*added == 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: no key log line in it (NSS format: CLIENT_RANDOM or "
                    "*_HANDSHAKE_TRAFFIC_SECRET, client random, secret, in hex)",
                    what);
        return false;
    }
    return true;
}

bool
cp_cli_load_keylogs(CpPipeline *p, char **files, const CpLimits *limits, GError **error)
{
    for (char **f = files; f != NULL && *f != NULL; f++) {
        g_autofree char *what = g_strdup_printf("--keylog %s", *f);
        size_t added;
        if (!load_one(p, *f, what, limits, &added, error))
            return false;
    }
    return true;
}

/* (transfer full) name without its last extension when it is one of exts, else NULL. */
static char *
strip_ext(const char *name, const char *const *exts)
{
    const char *slash = strrchr(name, G_DIR_SEPARATOR);
    const char *dot = strrchr(name, '.');

    if (dot == NULL || (slash != NULL && dot < slash) || dot == name || dot[-1] == '/')
        return NULL;
    for (const char *const *e = exts; *e != NULL; e++)
        if (g_ascii_strcasecmp(dot, *e) == 0)
            return g_strndup(name, (gsize)(dot - name));
    return NULL;
}

static bool
is_file(const char *path)
{
    return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

char *
cp_cli_sibling_keylog(const char *capture)
{
    static const char *const packed[] = { ".gz", ".zst", NULL };
    static const char *const captures[] = { ".pcap", ".pcapng", ".cap", ".ntar", NULL };

    if (strcmp(capture, "-") == 0)
        return NULL;
    char *path = g_strconcat(capture, ".keylog", NULL);
    if (is_file(path))
        return path;
    g_free(path);
    g_autofree char *plain = strip_ext(capture, packed);
    const char *base = plain != NULL ? plain : capture;
    if (plain != NULL) {
        path = g_strconcat(plain, ".keylog", NULL); /* x.pcap.gz: x.pcap.keylog */
        if (is_file(path))
            return path;
        g_free(path);
    }
    g_autofree char *stem = strip_ext(base, captures);
    if (stem == NULL)
        return NULL;
    path = g_strconcat(stem, ".keylog", NULL);
    if (is_file(path))
        return path;
    g_free(path);
    return NULL;
}

CpSiblingKeylog
cp_cli_load_sibling_keylog(CpPipeline *p, const char *capture, const CpLimits *limits,
                           char **path_out, char **message)
{
    g_autofree char *path = cp_cli_sibling_keylog(capture);
    g_autofree char *what = NULL;
    GError *err = NULL;
    size_t added = 0;

    *path_out = NULL;
    *message = NULL;
    if (path == NULL)
        return CP_SIBLING_KEYLOG_NONE;
    what = g_strdup_printf("key log %s beside %s", path, capture);
    if (!load_one(p, path, what, limits, &added, &err)) {
        /* keylog.sibling_unusable: found, not asked for; the capture is read without it */
        cp_anomaly_add(cp_pipeline_anomalies(p), CP_ANOMALY_KEYLOG_SIBLING_UNUSABLE);
        *message = g_strdup_printf(
                "warning: %s; the capture is read without it (--no-keylog-search: do not look)",
                err->message);
        g_error_free(err);
        return CP_SIBLING_KEYLOG_UNUSABLE;
    }
    *message = g_strdup_printf("using %s: %zu secret%s (--no-keylog-search to ignore it)", what,
                               added, added == 1 ? "" : "s");
    *path_out = g_steal_pointer(&path);
    return CP_SIBLING_KEYLOG_USED;
}

static void
on_secrets(void *user, uint32_t type, const uint8_t *data, size_t len)
{
    if (type == CP_SECRETS_TLS_KEYLOG)
        cp_pipeline_add_secrets(user, data, len);
}

void
cp_cli_take_secrets(CpCapture *cap, CpPipeline *p)
{
    cp_capture_set_secrets_fn(cap, on_secrets, p);
}
