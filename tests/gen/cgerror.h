/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgerror.h - the capture generator's GError domain and the one place that
 * turns OpenSSL's error queue into a GError (STYLE R12, R29).
 */
#ifndef CG_ERROR_H
#define CG_ERROR_H

#include <glib.h>

#define CG_ERROR (cg_error_quark())

typedef enum CgErrorCode {
    CG_ERROR_USAGE = 1, /* bad option or option combination */
    CG_ERROR_OPENSSL,   /* an OpenSSL call failed */
    CG_ERROR_IO,        /* a file could not be written */
} CgErrorCode;

GQuark cg_error_quark(void);

/*
 * Set `error` to "<what>: <first OpenSSL error>" and drain the OpenSSL error
 * queue so it cannot leak into a later, unrelated call. Returns FALSE so
 * callers can `return cg_error_ssl(error, "...")`.
 */
gboolean cg_error_ssl(GError **error, const char *what);

#endif /* CG_ERROR_H */
