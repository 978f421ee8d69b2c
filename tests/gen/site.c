/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * site.c - the Lync / Exchange site scenarios.
 *
 * Addresses (N = spec->net):      certificates (L = label, D = L.com):
 *   10.N.0.10  front end pool       L-root -> L-issuing -> L-frontend (pool.D ...)
 *   10.N.0.20  Exchange             L-issuing -> L-exchange (mail.D, autodiscover.D)
 *   10.N.0.31  Edge 1               L-issuing -> L-edge (sip.D, webconf.D, av.D)
 *   10.N.0.32  Edge 2               same certificate, or L-edge-2 with edge_serials
 *   10.N.9.x   clients
 * Variants replace Exchange's issuer or leaf, or the look-alike CAs replace
 * L-issuing (see tests/gen/README.md).
 */
#include "site.h"

#include "scnutil.h"

typedef struct Site {
    const CgSiteSpec *spec;
    char *domain;
    CgCert *fe_issuer;   /* issues the front end and Edge leaves */
    CgCert *exch_issuer; /* issues Exchange's leaf */
    CgCert *other_root;  /* unknown-ca: the root the verifying client trusts */
    CgCert *leaf_fe, *leaf_exch, *leaf_edge[2];
    SSL_CTX *fe, *exch, *edge[2];
    SSL_CTX *client, *exch_client;
} Site;

static uint32_t
addr(const Site *site, unsigned c, unsigned d)
{
    return CG_IPV4(10, site->spec->net, c, d);
}

static void
roles(const Site *site, CgSession *s)
{
    if (site->spec->frontend)
        cg_session_role(s, addr(site, 0, 10), "frontend");
    if (site->spec->exch != CG_EXCH_NONE)
        cg_session_role(s, addr(site, 0, 20), "exchange");
    if (site->spec->edge) {
        cg_session_role(s, addr(site, 0, 31), "edge1");
        cg_session_role(s, addr(site, 0, 32), "edge2");
    }
}

static unsigned
rsa_keys(const CgSiteSpec *spec)
{
    unsigned n = spec->frontend ? 1 : 0;

    n += spec->edge ? (spec->edge_serials ? 2 : 1) : 0;
    n += spec->exch != CG_EXCH_NONE && spec->exch != CG_EXCH_WEAK ? 1 : 0;
    return n;
}

static gboolean
build_enterprise(Site *site, CgSession *s, GError **error)
{
    const char *l = site->spec->label;
    g_autofree char *name = g_strdup_printf("%s-root", l);
    g_autofree char *cn = g_strdup_printf("%s-Root-CA", l);
    CgRdn dn[] = { { "CN", cn }, { "DC", l }, { "DC", "com" } };
    CgCert *root = cg_scn_ca(s, name, dn, G_N_ELEMENTS(dn), NULL, error);

    if (root == NULL)
        return FALSE;
    if (!site->spec->lookalike) {
        g_autofree char *iname = g_strdup_printf("%s-issuing", l);
        g_autofree char *icn = g_strdup_printf("%s-Issuing-CA", l);
        CgRdn idn[] = { { "CN", icn }, { "DC", l }, { "DC", "com" } };
        site->fe_issuer = site->exch_issuer = cg_scn_ca(s, iname, idn, 3, root, error);
        return site->fe_issuer != NULL;
    }
    /* Look-alikes: "CN=Issuing CA for contoso\,com" under root A, and
     * "CN=Issuing-CA for contoso,DC=contoso,DC=com" under a second root. */
    g_autofree char *a_name = g_strdup_printf("%s-lookalike-issuing-a", l);
    g_autofree char *a_cn = g_strdup_printf("Issuing CA for %s,com", l);
    g_autofree char *b_root = g_strdup_printf("%s-root-b", l);
    g_autofree char *b_root_cn = g_strdup_printf("%s Root CA", l);
    g_autofree char *b_name = g_strdup_printf("%s-lookalike-issuing-b", l);
    g_autofree char *b_cn = g_strdup_printf("Issuing-CA for %s", l);
    CgRdn a_dn[] = { { "CN", a_cn } };
    CgRdn rb_dn[] = { { "CN", b_root_cn }, { "DC", l }, { "DC", "com" } };
    CgRdn b_dn[] = { { "CN", b_cn }, { "DC", l }, { "DC", "com" } };
    CgCert *rb;

    site->fe_issuer = cg_scn_ca(s, a_name, a_dn, 1, root, error);
    rb = site->fe_issuer != NULL ? cg_scn_ca(s, b_root, rb_dn, 3, NULL, error) : NULL;
    site->exch_issuer = rb != NULL ? cg_scn_ca(s, b_name, b_dn, 3, rb, error) : NULL;
    return site->exch_issuer != NULL;
}

static gboolean
build_public(Site *site, CgSession *s, GError **error)
{
    CgRdn root_dn[] = { { "CN", "Example Public Root CA" },
                        { "O", "Example Trust" },
                        { "C", "US" } };
    CgRdn ca_dn[] = { { "CN", "Example Public TLS CA G2" },
                      { "O", "Example Trust" },
                      { "C", "US" } };
    CgCert *root = cg_scn_ca(s, "public-root", root_dn, 3, NULL, error);

    site->exch_issuer =
            root != NULL ? cg_scn_ca(s, "public-tls-ca-g2", ca_dn, 3, root, error) : NULL;
    return site->exch_issuer != NULL;
}

static CgLeafOpts
exch_opts(const Site *site, int64_t t)
{
    CgLeafOpts o = { 0 };

    switch (site->spec->exch) {
    case CG_EXCH_EXPIRED:
        o.has_validity = true;
        o.not_before = t - 375 * CG_DAY_S;
        o.not_after = t - 10 * CG_DAY_S;
        break;
    case CG_EXCH_NOT_YET_VALID:
        o.has_validity = true;
        o.not_before = t + 10 * CG_DAY_S;
        o.not_after = t + 375 * CG_DAY_S;
        break;
    case CG_EXCH_WEAK:
        o.weak = true;
        break;
    default:
        break;
    }
    return o;
}

static CgCert *
leaf(Site *site, CgSession *s, const char *suffix, const char *const *hosts, CgCert *issuer,
     const CgLeafOpts *opts, GError **error)
{
    g_autofree char *name = g_strdup_printf("%s-%s", site->spec->label, suffix);
    g_autoptr(GPtrArray) sans = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; hosts[i] != NULL; i++)
        g_ptr_array_add(sans, g_strdup_printf("%s.%s", hosts[i], site->domain));
    g_ptr_array_add(sans, NULL);
    return cg_scn_leaf(s, name, (const char *const *)sans->pdata, site->domain, issuer, opts,
                       error);
}

static gboolean
build_leaves(Site *site, CgSession *s, GError **error)
{
    static const char *const fe_hosts[] = { "pool", "fe01", "lyncdiscover", "meet", "dialin",
                                            "sip",  NULL };
    static const char *const exch_hosts[] = { "mail", "autodiscover", NULL };
    static const char *const edge_hosts[] = { "sip", "webconf", "av", NULL };
    const CgSiteSpec *sp = site->spec;
    CgLeafOpts eo = exch_opts(site, cg_session_options(s)->time);

    if (sp->frontend &&
        (site->leaf_fe = leaf(site, s, "frontend", fe_hosts, site->fe_issuer, NULL, error)) == NULL)
        return FALSE;
    if (sp->exch != CG_EXCH_NONE && (site->leaf_exch = leaf(site, s, "exchange", exch_hosts,
                                                            site->exch_issuer, &eo, error)) == NULL)
        return FALSE;
    if (sp->edge) {
        site->leaf_edge[0] = site->leaf_edge[1] =
                leaf(site, s, "edge", edge_hosts, site->fe_issuer, NULL, error);
        if (site->leaf_edge[0] == NULL)
            return FALSE;
        if (sp->edge_serials && (site->leaf_edge[1] = leaf(site, s, "edge-2", edge_hosts,
                                                           site->fe_issuer, NULL, error)) == NULL)
            return FALSE;
    }
    return TRUE;
}

static gboolean
build_pki(Site *site, CgSession *s, GError **error)
{
    if (!build_enterprise(site, s, error))
        return FALSE;
    if (site->spec->exch == CG_EXCH_PUBLIC && !build_public(site, s, error))
        return FALSE;
    if (site->spec->exch == CG_EXCH_UNKNOWN_CA) {
        CgRdn dn[] = { { "CN", "Other Root CA" }, { "O", "Other Organisation" } };
        site->other_root = cg_scn_ca(s, "other-root", dn, 2, NULL, error);
        if (site->other_root == NULL)
            return FALSE;
    }
    return build_leaves(site, s, error);
}

static SSL_CTX *
server_ctx(CgSession *s, const CgCert *leaf_cert, CgCert *issuer, bool send_issuer, bool legacy,
           GError **error)
{
    CgTlsParams p = { .legacy = legacy };

    return cg_session_server_ctx(s, leaf_cert, &issuer, send_issuer ? 1 : 0, &p, error);
}

static gboolean
build_contexts(Site *site, CgSession *s, GError **error)
{
    const CgSiteSpec *sp = site->spec;
    bool weak = sp->exch == CG_EXCH_WEAK;
    CgTlsParams client = { .max_version = TLS1_2_VERSION, .legacy = weak };
    X509 *trust = site->other_root != NULL ? site->other_root->x509 : NULL;

    /* TLS 1.2 clients so the chains travel in the clear. */
    site->client = cg_session_client_ctx(s, &client, NULL, error);
    site->exch_client = site->client;
    if (site->client == NULL)
        return FALSE;
    if (trust != NULL &&
        (site->exch_client = cg_session_client_ctx(s, &client, trust, error)) == NULL)
        return FALSE;
    if (sp->frontend &&
        (site->fe = server_ctx(s, site->leaf_fe, site->fe_issuer, true, false, error)) == NULL)
        return FALSE;
    if (sp->exch != CG_EXCH_NONE &&
        (site->exch = server_ctx(s, site->leaf_exch, site->exch_issuer,
                                 sp->exch != CG_EXCH_LEAF_ONLY, weak, error)) == NULL)
        return FALSE;
    for (int i = 0; sp->edge && i < 2; i++) {
        site->edge[i] = server_ctx(s, site->leaf_edge[i], site->fe_issuer, true, false, error);
        if (site->edge[i] == NULL)
            return FALSE;
    }
    return TRUE;
}

static gboolean
connect1(Site *site, CgSession *s, unsigned client, unsigned server, uint16_t port,
         const char *host, SSL_CTX *client_ctx, SSL_CTX *server_ctx, GError **error)
{
    g_autofree char *sni = host != NULL ? g_strdup_printf("%s.%s", host, site->domain) : NULL;
    CgConnSpec c = {
        .client_v4 = addr(site, 9, client),
        .server = { addr(site, 0, server), port },
        .sni = sni,
        .client_ctx = client_ctx,
        .server_ctx = server_ctx,
    };

    return cg_session_connect(s, &c, error);
}

static gboolean
connect_exchange(Site *site, CgSession *s, GError **error)
{
    switch (site->spec->exch) {
    case CG_EXCH_NONE:
        return TRUE;
    case CG_EXCH_UNKNOWN_CA:
        /* One verifying client: OpenSSL sends unknown_ca after the Certificate. */
        return connect1(site, s, 21, 20, 443, "mail", site->exch_client, site->exch, error);
    default:
        break;
    }
    return connect1(site, s, 21, 20, 443, site->spec->exch == CG_EXCH_SNI_MISMATCH ? "owa" : "mail",
                    site->client, site->exch, error) &&
           connect1(site, s, 22, 20, 443, "autodiscover", site->client, site->exch, error);
}

static gboolean
connect_all(Site *site, CgSession *s, GError **error)
{
    SSL_CTX *c = site->client;

    if (site->spec->frontend && (!connect1(site, s, 11, 10, 5061, NULL, c, site->fe, error) ||
                                 !connect1(site, s, 12, 10, 443, "pool", c, site->fe, error)))
        return FALSE;
    if (!connect_exchange(site, s, error))
        return FALSE;
    for (unsigned i = 0; site->spec->edge && i < 2; i++) {
        if (!connect1(site, s, 31 + 2 * i, 31 + i, 443, "sip", c, site->edge[i], error) ||
            !connect1(site, s, 32 + 2 * i, 31 + i, 5061, NULL, c, site->edge[i], error))
            return FALSE;
    }
    return TRUE;
}

gboolean
cg_site_scenario(CgSession *s, const char *name, const CgSiteSpec *specs, size_t count,
                 GError **error)
{
    Site *sites = g_new0(Site, count);
    unsigned keys = 0;
    gboolean ok = TRUE;

    for (size_t i = 0; i < count; i++) {
        sites[i].spec = &specs[i];
        sites[i].domain = g_strdup_printf("%s.com", specs[i].label);
        roles(&sites[i], s);
        keys += rsa_keys(&specs[i]);
    }
    cg_session_begin(s, name);
    cg_pki_prefetch_rsa(cg_session_pki(s), keys);
    for (size_t i = 0; ok && i < count; i++)
        ok = build_pki(&sites[i], s, error) && build_contexts(&sites[i], s, error);
    if (ok)
        cg_session_certificates(s);
    for (size_t i = 0; ok && i < count; i++)
        ok = connect_all(&sites[i], s, error);
    for (size_t i = 0; i < count; i++)
        g_free(sites[i].domain);
    g_free(sites);
    return ok;
}
