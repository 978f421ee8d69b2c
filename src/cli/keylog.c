/* SPDX-License-Identifier: BSD-2-Clause */
/* keylog: where the secrets come from. A --keylog file is read whole (it is small: a few
 * hundred bytes per connection) up to a size derived from --max-keylog-secrets, so a wrong
 * path to a huge file is an error, not an allocation; a file with no key log line at all is
 * refused, because a run that silently decrypts nothing would look like a run without TLS 1.3
 * trouble. Secrets of pcapng Decryption Secrets Blocks of type TLSK go the same way; other
 * secrets types (WireGuard, ZigBee, ...) are not TLS and are ignored.
 */
#include "cli/keylog.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "base/error.h"

enum {
    LINE_MAX_BYTES = 512, /* a key log line is < 250 bytes; room for comments and CRLF */
};

bool
cp_cli_load_keylogs(CpPipeline *p, char **files, const CpLimits *limits, GError **error)
{
    uint64_t cap = limits->max_keylog_secrets * LINE_MAX_BYTES + 1024 * 1024;

    for (char **f = files; f != NULL && *f != NULL; f++) {
        g_autofree char *text = NULL;
        gsize len = 0;
        GStatBuf st;
        if (g_stat(*f, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "--keylog %s: %" G_GUINT64_FORMAT " bytes is more than a key log of "
                        "--max-keylog-secrets lines can be",
                        *f, (guint64)st.st_size);
            return false;
        }
        GError *e = NULL;
        if (!g_file_get_contents(*f, &text, &len, &e)) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "--keylog %s: %s", *f, e->message);
            g_error_free(e);
            return false;
        }
        if (cp_pipeline_add_secrets(p, (const uint8_t *)text, len) == 0) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "--keylog %s: no key log line in it (NSS format: CLIENT_RANDOM or "
                        "*_HANDSHAKE_TRAFFIC_SECRET, client random, secret, in hex)",
                        *f);
            return false;
        }
    }
    return true;
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
