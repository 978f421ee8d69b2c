/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * certprops.h - scenarios about certificate properties and capture patterns the
 * diagnosis grades (wrong purpose, client-incompatible properties, renewed CAs,
 * dual certificates, IP-literal SNI, a capture whose clock is far behind).
 */
#ifndef CG_CERTPROPS_H
#define CG_CERTPROPS_H

#include "session.h"

#include <glib.h>

gboolean cg_certprops_wildcard_pool(CgSession *s, GError **error);
gboolean cg_certprops_pss_exchange(CgSession *s, GError **error);
gboolean cg_certprops_no_serverauth(CgSession *s, GError **error);
gboolean cg_certprops_ca_renewed(CgSession *s, GError **error);
gboolean cg_certprops_dual_cert(CgSession *s, GError **error);
gboolean cg_certprops_ip_literal_sni(CgSession *s, GError **error);
gboolean cg_certprops_capture_clock(CgSession *s, GError **error);

#endif /* CG_CERTPROPS_H */
