/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dtlsrun.h - the "dtls" scenario: one real DTLS 1.2 handshake (RFC 6347)
 * between in-process OpenSSL endpoints, written as UDP datagrams.
 */
#ifndef CG_DTLSRUN_H
#define CG_DTLSRUN_H

#include "session.h"

#include <glib.h>

/* The scenario function (scenarios.c's table). */
gboolean cg_dtls_scenario(CgSession *s, GError **error);

#endif /* CG_DTLSRUN_H */
