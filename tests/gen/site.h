/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * site.h - a Lync / Skype for Business + Exchange site: front end pool, Exchange
 * and an Edge pair, their enterprise PKI and the clients that connect to them.
 * Scenario variants change one aspect of the site (mostly Exchange's chain).
 */
#ifndef CG_SITE_H
#define CG_SITE_H

#include "session.h"

#include <stdbool.h>

typedef enum CgExchKind {
    CG_EXCH_NONE = 0,      /* no Exchange server in this site */
    CG_EXCH_NORMAL,        /* enterprise chain, leaf + intermediate */
    CG_EXCH_PUBLIC,        /* leaf from the public-CA-like hierarchy */
    CG_EXCH_LEAF_ONLY,     /* sends its leaf only */
    CG_EXCH_UNKNOWN_CA,    /* one verifying client that trusts another root */
    CG_EXCH_EXPIRED,       /* leaf notAfter = t - 10 days */
    CG_EXCH_NOT_YET_VALID, /* leaf notBefore = t + 10 days */
    CG_EXCH_SNI_MISMATCH,  /* client asks for owa.<domain> */
    CG_EXCH_WEAK,          /* leaf RSA 1024 + SHA-1 */
} CgExchKind;

typedef struct CgSiteSpec {
    const char *label; /* "contoso": domain contoso.com, DC=contoso,DC=com */
    unsigned net;      /* servers 10.<net>.0.x, clients 10.<net>.9.x */
    bool frontend;     /* front end pool on 5061 and 443 */
    bool edge;         /* Edge pair on 443 and 5061 */
    bool edge_serials; /* the Edge servers have different certificates */
    bool lookalike;    /* look-alike issuing CAs under two roots */
    CgExchKind exch;
} CgSiteSpec;

/*
 * Run a whole scenario made of `count` sites: roles, scenario line, PKIs,
 * certificate lines, then every site's connections.
 */
gboolean cg_site_scenario(CgSession *s, const char *name, const CgSiteSpec *specs, size_t count,
                          GError **error);

#endif /* CG_SITE_H */
