/* SPDX-License-Identifier: BSD-2-Clause */
/* cgerror.c - GError domain of the capture generator. */
#include "cgerror.h"

#include <openssl/err.h>

/* Written out rather than G_DEFINE_QUARK(capgen-error-quark, ...): clang-format splits that
 * argument at the hyphens. */
GQuark
cg_error_quark(void)
{
    return g_quark_from_static_string("capgen-error-quark");
}

gboolean
cg_error_ssl(GError **error, const char *what)
{
    char buf[256] = "unknown OpenSSL error";
    unsigned long code = ERR_get_error();

    if (code != 0)
        ERR_error_string_n(code, buf, sizeof(buf));
    ERR_clear_error();
    g_set_error(error, CG_ERROR, CG_ERROR_OPENSSL, "%s: %s", what, buf);
    return FALSE;
}
