/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scnutil.h - helpers shared by the scenario files: addresses, CA and leaf
 * certificates with the scenario defaults (RSA 2048 + SHA-256 leaves, EC P-256
 * CAs, valid from capture time - 30 days to capture time + 365 days).
 */
#ifndef CG_SCNUTIL_H
#define CG_SCNUTIL_H

#include "session.h"

#define CG_IPV4(a, b, c, d) \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define CG_DAY_S ((int64_t)86400)

/* Deviations from the default leaf; zero-initialised = defaults. */
typedef struct CgLeafOpts {
    bool weak;          /* RSA 1024 signed with SHA-1 */
    bool has_validity;  /* use not_before/not_after below */
    int64_t not_before; /* epoch seconds */
    int64_t not_after;
} CgLeafOpts;

/* A CA named `name` with subject `dn` (RFC 4514 order), self-signed if no issuer. */
CgCert *cg_scn_ca(CgSession *s, const char *name, const CgRdn *dn, size_t dn_count, CgCert *issuer,
                  GError **error);

/*
 * A TLS server leaf: subject CN = sans[0], SAN = sans (NULL-terminated), AIA
 * under http://pki.<domain>/. `opts` may be NULL.
 */
CgCert *cg_scn_leaf(CgSession *s, const char *name, const char *const *sans, const char *domain,
                    CgCert *issuer, const CgLeafOpts *opts, GError **error);

#endif /* CG_SCNUTIL_H */
