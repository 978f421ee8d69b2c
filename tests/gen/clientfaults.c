/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clientfaults.c - the client-side fault scenarios. One contoso.com front end
 * pool 10.1.0.10:443 (contoso-root -> contoso-issuing -> pool.contoso.com);
 * clients that accept it, next to one that does not:
 *
 *   silent-reject   10.1.9.12 and .13 accept; 10.1.9.50 verifies against
 *                   another root, and instead of its alert sends an RST right
 *                   after the server's Certificate flight (a phone giving up).
 *   protocol-reject the pool speaks TLS 1.2 only; 10.1.9.12 (TLS 1.2, SNI)
 *                   accepts; 10.1.9.50 offers TLS 1.0 only, no SNI, RSA key
 *                   exchange CBC suites: the server's OpenSSL answers with
 *                   the fatal alert protocol_version.
 *   mtls-untrusted  the pool asks for a client certificate and trusts
 *                   contoso-root; 10.1.9.20 presents a contoso leaf and is
 *                   accepted, 10.1.9.21 presents a leaf of other-root and is
 *                   refused with OpenSSL's own fatal alert (unknown_ca).
 */
#include "clientfaults.h"

#include "scnutil.h"

#define POOL      CG_IPV4(10, 1, 0, 10)
#define POOL_NAME "pool.contoso.com"

typedef struct Pki {
    CgCert *root, *issuing, *pool;
} Pki;

static gboolean
contoso_pki(CgSession *s, Pki *p, GError **error)
{
    CgRdn root_dn[] = { { "DC", "com" }, { "DC", "contoso" }, { "CN", "contoso-Root-CA" } };
    CgRdn ca_dn[] = { { "DC", "com" }, { "DC", "contoso" }, { "CN", "contoso-Issuing-CA" } };
    const char *sans[] = { POOL_NAME, "fe01.contoso.com", "sip.contoso.com", NULL };

    p->root = cg_scn_ca(s, "contoso-root", root_dn, 3, NULL, error);
    p->issuing = p->root ? cg_scn_ca(s, "contoso-issuing", ca_dn, 3, p->root, error) : NULL;
    p->pool = p->issuing
                      ? cg_scn_leaf(s, "contoso-pool", sans, "contoso.com", p->issuing, NULL, error)
                      : NULL;
    return p->pool != NULL;
}

static CgCert *
other_root(CgSession *s, GError **error)
{
    CgRdn dn[] = { { "CN", "Other Root CA" }, { "O", "Other Organisation" } };

    return cg_scn_ca(s, "other-root", dn, 2, NULL, error);
}

static gboolean
connect(CgSession *s, SSL_CTX *server, SSL_CTX *client, unsigned host, const char *sni,
        bool silent_reset, GError **error)
{
    CgConnSpec c = {
        .client_v4 = CG_IPV4(10, 1, 9, host),
        .server = { POOL, 443 },
        .sni = sni,
        .client_ctx = client,
        .server_ctx = server,
        .silent_reset = silent_reset,
    };

    return client != NULL && cg_session_connect(s, &c, error);
}

static void
begin(CgSession *s)
{
    cg_session_role(s, POOL, "frontend");
    cg_session_begin(s, cg_session_options(s)->scenario);
    cg_pki_prefetch_rsa(cg_session_pki(s), 2);
}

gboolean
cg_silent_reject_scenario(CgSession *s, GError **error)
{
    CgTlsParams tls12 = { .max_version = TLS1_2_VERSION };
    Pki p;
    CgCert *other;
    SSL_CTX *server;

    begin(s);
    if (!contoso_pki(s, &p, error) || (other = other_root(s, error)) == NULL)
        return FALSE;
    cg_session_certificates(s);
    server = cg_session_server_ctx(s, p.pool, &p.issuing, 1, &tls12, error);
    if (server == NULL)
        return FALSE;
    SSL_CTX *trusting = cg_session_client_ctx(s, &tls12, p.root->x509, error);
    SSL_CTX *refusing = trusting ? cg_session_client_ctx(s, &tls12, other->x509, error) : NULL;
    return connect(s, server, trusting, 12, POOL_NAME, false, error) &&
           connect(s, server, trusting, 13, POOL_NAME, false, error) &&
           connect(s, server, refusing, 50, POOL_NAME, true, error);
}

gboolean
cg_protocol_reject_scenario(CgSession *s, GError **error)
{
    CgTlsParams server_params = { .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION };
    CgTlsParams modern = { .max_version = TLS1_2_VERSION };
    /* What the phone offers, by its properties: TLS 1.0 only, RSA key exchange, CBC. */
    CgTlsParams phone = { .min_version = TLS1_VERSION,
                          .max_version = TLS1_VERSION,
                          .legacy = true,
                          .ciphers = "AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0" };
    Pki p;
    SSL_CTX *server;

    begin(s);
    if (!contoso_pki(s, &p, error))
        return FALSE;
    cg_session_certificates(s);
    server = cg_session_server_ctx(s, p.pool, &p.issuing, 1, &server_params, error);
    if (server == NULL)
        return FALSE;
    SSL_CTX *client = cg_session_client_ctx(s, &modern, NULL, error);
    SSL_CTX *old = client ? cg_session_client_ctx(s, &phone, NULL, error) : NULL;
    return connect(s, server, client, 12, POOL_NAME, false, error) &&
           connect(s, server, old, 50, NULL, false, error);
}

gboolean
cg_mtls_untrusted_scenario(CgSession *s, GError **error)
{
    CgRdn ca_dn[] = { { "CN", "Other Issuing CA" }, { "O", "Other Organisation" } };
    const char *um_sans[] = { "um01.contoso.com", NULL };
    const char *gw_sans[] = { "gw01.contoso.com", NULL };
    CgTlsParams tls12 = { .max_version = TLS1_2_VERSION };
    Pki p;
    CgCert *other, *other_ca, *um, *gw;
    SSL_CTX *server;

    begin(s);
    cg_pki_prefetch_rsa(cg_session_pki(s), 2);
    if (!contoso_pki(s, &p, error) || (other = other_root(s, error)) == NULL ||
        (other_ca = cg_scn_ca(s, "other-issuing", ca_dn, 2, other, error)) == NULL ||
        (um = cg_scn_leaf(s, "contoso-um", um_sans, "contoso.com", p.issuing, NULL, error)) ==
                NULL ||
        (gw = cg_scn_leaf(s, "other-gateway", gw_sans, "contoso.com", other_ca, NULL, error)) ==
                NULL)
        return FALSE;
    cg_session_certificates(s);
    server = cg_session_server_ctx(s, p.pool, &p.issuing, 1, &tls12, error);
    if (server == NULL || !cg_tls_server_require_client_cert(server, p.root->x509, error))
        return FALSE;
    SSL_CTX *trusted = cg_session_client_ctx(s, &tls12, NULL, error);
    SSL_CTX *untrusted = trusted ? cg_session_client_ctx(s, &tls12, NULL, error) : NULL;
    if (untrusted == NULL || !cg_tls_client_use_cert(trusted, um, &p.issuing, 1, error) ||
        !cg_tls_client_use_cert(untrusted, gw, &other_ca, 1, error))
        return FALSE;
    return connect(s, server, trusted, 20, POOL_NAME, false, error) &&
           connect(s, server, untrusted, 21, POOL_NAME, false, error);
}
