/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clientfaults.h - scenarios of the client-side faults (see tests/gen/README.md):
 * silent-reject, protocol-reject, mtls-untrusted.
 */
#ifndef CG_CLIENTFAULTS_H
#define CG_CLIENTFAULTS_H

#include "session.h"

#include <glib.h>

gboolean cg_silent_reject_scenario(CgSession *s, GError **error);
gboolean cg_protocol_reject_scenario(CgSession *s, GError **error);
gboolean cg_mtls_untrusted_scenario(CgSession *s, GError **error);

#endif /* CG_CLIENTFAULTS_H */
