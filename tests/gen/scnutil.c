/* SPDX-License-Identifier: BSD-2-Clause */
/* scnutil.c - certificate helpers with the scenario defaults. */
#include "scnutil.h"

/* CAs use P-256: their keys are instant, while each RSA 2048 key costs
 * 0.1-0.3 s and a scenario must generate in well under 3 s. Leaves stay RSA
 * 2048 (cg_pki_prefetch_rsa() makes them in parallel). */
#define CA_KEY CG_KEY_EC_P256 /* roots and intermediates alike */

CgCert *
cg_scn_ca(CgSession *s, const char *name, const CgRdn *dn, size_t dn_count, CgCert *issuer,
          GError **error)
{
    int64_t t = cg_session_options(s)->time;
    CgCertSpec spec = {
        .name = name,
        .subject = dn,
        .subject_count = dn_count,
        .key = CA_KEY,
        .is_ca = true,
        .not_before = t - 30 * CG_DAY_S,
        .not_after = t + 365 * CG_DAY_S,
    };

    return cg_pki_issue(cg_session_pki(s), &spec, issuer, error);
}

CgCert *
cg_scn_leaf(CgSession *s, const char *name, const char *const *sans, const char *domain,
            CgCert *issuer, const CgLeafOpts *opts, GError **error)
{
    int64_t t = cg_session_options(s)->time;
    CgRdn cn = { "CN", sans[0] };
    CgCertSpec spec = {
        .name = name,
        .subject = &cn,
        .subject_count = 1,
        .key = CG_KEY_RSA2048,
        .md = "SHA256",
        .not_before = t - 30 * CG_DAY_S,
        .not_after = t + 365 * CG_DAY_S,
        .sans = sans,
        .domain = domain,
    };

    if (opts != NULL && opts->weak) {
        spec.key = CG_KEY_RSA1024;
        spec.md = "SHA1";
    }
    if (opts != NULL && opts->has_validity) {
        spec.not_before = opts->not_before;
        spec.not_after = opts->not_after;
    }
    return cg_pki_issue(cg_session_pki(s), &spec, issuer, error);
}
