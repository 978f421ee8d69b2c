/* SPDX-License-Identifier: BSD-2-Clause */
/* export_pem: PEM is base64 of the DER in 64-column lines (RFC 7468 §2); GLib does the base64, so
 * no OpenSSL is needed in the output layer. */
#include "output/export_pem.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "base/error.h"

bool
cp_export_prepare(const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "%s: cannot create directory: %s", dir,
                    g_strerror(errno));
        return false;
    }
    return true;
}

bool
cp_export_pem(const char *dir, const CpCert *c, GError **error)
{
    g_autofree char *b64 = g_base64_encode(c->der, c->der_len);
    g_autofree char *name = g_strdup_printf("%s.pem", c->sha1);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GString *pem = g_string_new("-----BEGIN CERTIFICATE-----\n");
    size_t n = strlen(b64);

    for (size_t i = 0; i < n; i += 64) {
        g_string_append_len(pem, b64 + i, (gssize)(n - i < 64 ? n - i : 64));
        g_string_append_c(pem, '\n');
    }
    g_string_append(pem, "-----END CERTIFICATE-----\n");
    bool ok = g_file_set_contents(path, pem->str, (gssize)pem->len, error);
    g_string_free(pem, TRUE);
    return ok;
}
