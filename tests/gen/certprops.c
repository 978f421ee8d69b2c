/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * certprops.c - small contoso.com sites, each showing one certificate property
 * or capture pattern (tests/gen/README.md, "Certificate properties"):
 *
 *   10.1.0.10  front end (5061 without SNI, 443 SNI pool.contoso.com)
 *   10.1.0.20  Exchange (443 SNI mail. and autodiscover.contoso.com)
 *   10.1.9.x   clients
 *
 * PKI: contoso-root -> contoso-issuing -> the leaves, like the site scenarios,
 * but each scenario changes one thing of one certificate.
 */
#include "certprops.h"

#include "scnutil.h"

#define FRONTEND CG_IPV4(10, 1, 0, 10)
#define EXCHANGE CG_IPV4(10, 1, 0, 20)
#define DOMAIN   "contoso.com"

static const char *const exch_sans[] = { "mail.contoso.com", "autodiscover.contoso.com", NULL };
static const char *const fe_sans[] = { "pool.contoso.com", "fe01.contoso.com", NULL };

typedef struct Mini {
    CgCert *root, *issuing;
    SSL_CTX *client;
} Mini;

/* A CA valid from t - 30 d + shift to t + 365 d + shift. */
static CgCert *
ca(CgSession *s, const char *name, const char *cn, CgCert *issuer, CgKeyType key, int64_t shift,
   GError **error)
{
    int64_t t = cg_session_options(s)->time + shift;
    CgRdn dn[] = { { "CN", cn }, { "DC", "contoso" }, { "DC", "com" } };
    CgCertSpec spec = { .name = name,
                        .subject = dn,
                        .subject_count = G_N_ELEMENTS(dn),
                        .key = key,
                        .is_ca = true,
                        .not_before = t - 30 * CG_DAY_S,
                        .not_after = t + 365 * CG_DAY_S };

    return cg_pki_issue(cg_session_pki(s), &spec, issuer, error);
}

/* The default leaf spec (RSA 2048, SHA-256, 395 days around the capture), to adjust. */
static CgCertSpec
leaf_spec(CgSession *s, const char *name, const char *const *sans, CgRdn *cn)
{
    int64_t t = cg_session_options(s)->time;

    cn->attr = "CN";
    cn->value = sans[0];
    return (CgCertSpec){ .name = name,
                         .subject = cn,
                         .subject_count = 1,
                         .key = CG_KEY_RSA2048,
                         .md = "SHA256",
                         .not_before = t - 30 * CG_DAY_S,
                         .not_after = t + 365 * CG_DAY_S,
                         .sans = sans,
                         .domain = DOMAIN };
}

/* Roles, the scenario line, RSA keys for the leaves, the root and issuing CA (issuing_key: EC
 * by default; RSA to sign with PSS), the TLS 1.2 client. Certificates are written by the caller
 * once it has issued its leaves. */
static gboolean
begin(CgSession *s, Mini *m, bool frontend, unsigned rsa_keys, CgKeyType issuing_key, int64_t shift,
      GError **error)
{
    CgTlsParams client = { .max_version = TLS1_2_VERSION };

    if (frontend)
        cg_session_role(s, FRONTEND, "frontend");
    cg_session_role(s, EXCHANGE, "exchange");
    cg_session_begin(s, cg_session_options(s)->scenario);
    cg_pki_prefetch_rsa(cg_session_pki(s), rsa_keys);
    m->root = ca(s, "contoso-root", "contoso-Root-CA", NULL, CG_KEY_EC_P256, shift, error);
    m->issuing = m->root != NULL ? ca(s, "contoso-issuing", "contoso-Issuing-CA", m->root,
                                      issuing_key, shift, error)
                                 : NULL;
    m->client = m->issuing != NULL ? cg_session_client_ctx(s, &client, NULL, error) : NULL;
    return m->client != NULL;
}

static SSL_CTX *
server(CgSession *s, const CgCert *leaf, CgCert *issuer, GError **error)
{
    CgTlsParams p = { 0 };

    return leaf != NULL ? cg_session_server_ctx(s, leaf, &issuer, 1, &p, error) : NULL;
}

static gboolean
connect1(CgSession *s, unsigned client, uint32_t addr, uint16_t port, const char *sni,
         SSL_CTX *client_ctx, SSL_CTX *server_ctx, GError **error)
{
    CgConnSpec c = { .client_v4 = CG_IPV4(10, 1, 9, client),
                     .server = { addr, port },
                     .sni = sni,
                     .client_ctx = client_ctx,
                     .server_ctx = server_ctx };

    return server_ctx != NULL && cg_session_connect(s, &c, error);
}

/* Exchange with one leaf: issue it from spec, then mail. and autodiscover. clients (or the
 * address itself as SNI for the first client when ip_sni). fe (nullable): a front end leaf,
 * already issued, to serve to one SIP client first. */
static gboolean
exchange(CgSession *s, Mini *m, CgCertSpec *spec, bool ip_sni, CgCert *fe, GError **error)
{
    CgCert *leaf = cg_pki_issue(cg_session_pki(s), spec, m->issuing, error);
    SSL_CTX *srv, *fesrv = NULL;

    if (leaf == NULL)
        return FALSE;
    cg_session_certificates(s);
    if (fe != NULL && ((fesrv = server(s, fe, m->issuing, error)) == NULL ||
                       !connect1(s, 11, FRONTEND, 5061, NULL, m->client, fesrv, error)))
        return FALSE;
    srv = server(s, leaf, m->issuing, error);
    return connect1(s, 21, EXCHANGE, 443, ip_sni ? "10.1.0.20" : "mail.contoso.com", m->client, srv,
                    error) &&
           connect1(s, 22, EXCHANGE, 443, "autodiscover.contoso.com", m->client, srv, error);
}

/* The front end pool's certificate carries *.contoso.com next to its own names. */
gboolean
cg_certprops_wildcard_pool(CgSession *s, GError **error)
{
    static const char *const sans[] = { "pool.contoso.com", "fe01.contoso.com", "*.contoso.com",
                                        NULL };
    Mini m;
    CgRdn cn;

    if (!begin(s, &m, true, 2, CG_KEY_EC_P256, 0, error))
        return FALSE;
    CgCertSpec fe = leaf_spec(s, "contoso-frontend", sans, &cn);
    CgCert *leaf = cg_pki_issue(cg_session_pki(s), &fe, m.issuing, error);
    if (leaf == NULL)
        return FALSE;
    CgRdn ecn;
    CgCertSpec ex = leaf_spec(s, "contoso-exchange", exch_sans, &ecn);
    CgCert *exleaf = cg_pki_issue(cg_session_pki(s), &ex, m.issuing, error);
    if (exleaf == NULL)
        return FALSE;
    cg_session_certificates(s);
    SSL_CTX *srv = server(s, leaf, m.issuing, error);
    SSL_CTX *exsrv = server(s, exleaf, m.issuing, error);
    return connect1(s, 11, FRONTEND, 5061, NULL, m.client, srv, error) &&
           connect1(s, 12, FRONTEND, 443, "pool.contoso.com", m.client, srv, error) &&
           connect1(s, 21, EXCHANGE, 443, "mail.contoso.com", m.client, exsrv, error);
}

/* Exchange's leaf signed with RSASSA-PSS by an RSA issuing CA (a Windows CA with the alternate
 * signature format). */
gboolean
cg_certprops_pss_exchange(CgSession *s, GError **error)
{
    Mini m;
    CgRdn cn;

    CgRdn fcn;

    /* With the site's front end: its Lync clients and phones are who cannot use PSS. */
    if (!begin(s, &m, true, 3, CG_KEY_RSA2048, 0, error))
        return FALSE;
    CgCertSpec fe = leaf_spec(s, "contoso-frontend", fe_sans, &fcn);
    CgCert *feleaf = cg_pki_issue(cg_session_pki(s), &fe, m.issuing, error);
    if (feleaf == NULL)
        return FALSE;
    CgCertSpec spec = leaf_spec(s, "contoso-exchange", exch_sans, &cn);
    spec.pss = true;
    return exchange(s, &m, &spec, false, feleaf, error);
}

/* Exchange's leaf made from a client template: extendedKeyUsage clientAuth only. */
gboolean
cg_certprops_no_serverauth(CgSession *s, GError **error)
{
    Mini m;
    CgRdn cn;

    if (!begin(s, &m, false, 1, CG_KEY_EC_P256, 0, error))
        return FALSE;
    CgCertSpec spec = leaf_spec(s, "contoso-exchange", exch_sans, &cn);
    spec.eku = "clientAuth";
    return exchange(s, &m, &spec, false, NULL, error);
}

/* The issuing CA renewed with a new key (same name, same root): the front end still has a leaf
 * from the old key, Exchange one from the new. */
gboolean
cg_certprops_ca_renewed(CgSession *s, GError **error)
{
    Mini m;
    CgRdn cn, ecn;

    if (!begin(s, &m, true, 2, CG_KEY_EC_P256, 0, error))
        return FALSE;
    CgCert *renewed = ca(s, "contoso-issuing-renewed", "contoso-Issuing-CA", m.root, CG_KEY_EC_P256,
                         0, error);
    if (renewed == NULL)
        return FALSE;
    CgCertSpec fe = leaf_spec(s, "contoso-frontend", fe_sans, &cn);
    CgCertSpec ex = leaf_spec(s, "contoso-exchange", exch_sans, &ecn);
    CgCert *feleaf = cg_pki_issue(cg_session_pki(s), &fe, m.issuing, error);
    CgCert *exleaf = feleaf != NULL ? cg_pki_issue(cg_session_pki(s), &ex, renewed, error) : NULL;
    if (exleaf == NULL)
        return FALSE;
    cg_session_certificates(s);
    SSL_CTX *fesrv = server(s, feleaf, m.issuing, error);
    SSL_CTX *exsrv = fesrv != NULL ? server(s, exleaf, renewed, error) : NULL;
    return connect1(s, 11, FRONTEND, 5061, NULL, m.client, fesrv, error) &&
           connect1(s, 12, FRONTEND, 443, "pool.contoso.com", m.client, fesrv, error) &&
           connect1(s, 21, EXCHANGE, 443, "mail.contoso.com", m.client, exsrv, error);
}

/* Exchange serves an RSA and an ECDSA certificate for the same names (one per client). */
gboolean
cg_certprops_dual_cert(CgSession *s, GError **error)
{
    Mini m;
    CgRdn cn, ecn;

    if (!begin(s, &m, false, 1, CG_KEY_EC_P256, 0, error))
        return FALSE;
    CgCertSpec rsa = leaf_spec(s, "contoso-exchange", exch_sans, &cn);
    CgCertSpec ec = leaf_spec(s, "contoso-exchange-ecdsa", exch_sans, &ecn);
    ec.key = CG_KEY_EC_P256;
    ec.key_usage = "critical,digitalSignature";
    CgCert *rsa_leaf = cg_pki_issue(cg_session_pki(s), &rsa, m.issuing, error);
    CgCert *ec_leaf =
            rsa_leaf != NULL ? cg_pki_issue(cg_session_pki(s), &ec, m.issuing, error) : NULL;
    if (ec_leaf == NULL)
        return FALSE;
    cg_session_certificates(s);
    SSL_CTX *rsa_srv = server(s, rsa_leaf, m.issuing, error);
    SSL_CTX *ec_srv = rsa_srv != NULL ? server(s, ec_leaf, m.issuing, error) : NULL;
    return connect1(s, 21, EXCHANGE, 443, "mail.contoso.com", m.client, rsa_srv, error) &&
           connect1(s, 22, EXCHANGE, 443, "mail.contoso.com", m.client, ec_srv, error);
}

/* A client puts Exchange's IP address in its SNI. */
gboolean
cg_certprops_ip_literal_sni(CgSession *s, GError **error)
{
    Mini m;
    CgRdn cn;

    if (!begin(s, &m, false, 1, CG_KEY_EC_P256, 0, error))
        return FALSE;
    CgCertSpec spec = leaf_spec(s, "contoso-exchange", exch_sans, &cn);
    return exchange(s, &m, &spec, true, NULL, error);
}

/* Every certificate starts 400 days after the capture time: the capture's clock is a year
 * behind the world that made the certificates (a rewritten or fabricated capture). */
gboolean
cg_certprops_capture_clock(CgSession *s, GError **error)
{
    int64_t shift = 400 * CG_DAY_S;
    Mini m;
    CgRdn cn;

    if (!begin(s, &m, false, 1, CG_KEY_EC_P256, shift, error))
        return FALSE;
    CgCertSpec spec = leaf_spec(s, "contoso-exchange", exch_sans, &cn);
    spec.not_before += shift;
    spec.not_after += shift;
    return exchange(s, &m, &spec, false, NULL, error);
}
