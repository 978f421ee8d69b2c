/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench.c - --connections N connections to 40 servers (10.2.0.1-40:443)
 * sharing 6 chains of 2, 3 or 4 certificates (leaf + 1-3 intermediates).
 *
 * Everything expensive is made once: 6 leaf keys, 6 server contexts, one
 * client context. Per connection the only state kept is one cached session
 * per server (for the 30 % resumed handshakes), so memory does not grow with
 * N, and bulk data (25 % of connections) is encrypted and written chunk by
 * chunk.
 */
#include "bench.h"

#include "scnutil.h"

enum {
    SERVERS = 40,
    CHAINS = 6,
    CLIENTS = 250,
};

typedef struct Bench {
    SSL_CTX *server[CHAINS];
    SSL_CTX *client;
    SSL_SESSION *session[SERVERS];
} Bench;

/* Chain k: root (not sent) -> 1 + k % 3 intermediates -> leaf. */
static gboolean
build_chain(Bench *b, CgSession *s, unsigned k, GError **error)
{
    g_autofree char *rname = g_strdup_printf("bench-root-%u", k);
    g_autofree char *rcn = g_strdup_printf("Bench Root CA %u", k);
    CgRdn rdn[] = { { "CN", rcn }, { "O", "Bench" } };
    CgCert *ca = cg_scn_ca(s, rname, rdn, 2, NULL, error);
    CgCert *sent[3];
    unsigned depth = 1 + k % 3;

    for (unsigned j = 0; ca != NULL && j < depth; j++) {
        g_autofree char *name = g_strdup_printf("bench-ca-%u-%u", k, j + 1);
        g_autofree char *cn = g_strdup_printf("Bench Intermediate CA %u.%u", k, j + 1);
        CgRdn dn[] = { { "CN", cn }, { "O", "Bench" } };
        ca = cg_scn_ca(s, name, dn, 2, ca, error);
        sent[depth - 1 - j] = ca; /* sent nearest-to-leaf first */
    }
    if (ca == NULL)
        return FALSE;
    g_autofree char *lname = g_strdup_printf("bench-leaf-%u", k);
    g_autofree char *host = g_strdup_printf("chain%u.bench.test", k);
    g_autofree char *wild = g_strdup_printf("*.chain%u.bench.test", k);
    const char *sans[] = { host, wild, NULL };
    CgCert *leaf = cg_scn_leaf(s, lname, sans, "bench.test", ca, NULL, error);
    CgTlsParams p = { 0 };

    if (leaf == NULL)
        return FALSE;
    b->server[k] = cg_session_server_ctx(s, leaf, sent, depth, &p, error);
    return b->server[k] != NULL;
}

static gboolean
run_connections(Bench *b, CgSession *s, GError **error)
{
    const CgOptions *opt = cg_session_options(s);
    GRand *rand = cg_session_rand(s);

    for (unsigned i = 0; i < opt->connections; i++) {
        unsigned srv = (unsigned)g_rand_int_range(rand, 0, SERVERS);
        bool resume = b->session[srv] != NULL && g_rand_double(rand) < 0.30;
        bool bulk = opt->bulk > 0 && g_rand_double(rand) < 0.25;
        g_autofree char *sni = g_strdup_printf("srv%u.chain%u.bench.test", srv, srv % CHAINS);
        CgConnSpec c = {
            .client_v4 = CG_IPV4(10, 1, 9, 1 + i % CLIENTS),
            .server = { CG_IPV4(10, 2, 0, 1 + srv), 443 },
            .sni = sni,
            .client_ctx = b->client,
            .server_ctx = b->server[srv % CHAINS],
            .resume = resume ? b->session[srv] : NULL,
            .bulk = bulk ? opt->bulk : 0,
            .save = &b->session[srv],
        };
        if (!cg_session_connect(s, &c, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
cg_bench_run(CgSession *s, GError **error)
{
    Bench b = { 0 };
    CgTlsParams client = { .max_version = TLS1_2_VERSION };
    gboolean ok = TRUE;

    for (unsigned i = 0; i < SERVERS; i++)
        cg_session_role(s, CG_IPV4(10, 2, 0, 1 + i), "server");
    cg_session_begin(s, "bench");
    cg_pki_prefetch_rsa(cg_session_pki(s), CHAINS); /* the leaves */
    for (unsigned k = 0; ok && k < CHAINS; k++)
        ok = build_chain(&b, s, k, error);
    if (ok)
        ok = (b.client = cg_session_client_ctx(s, &client, NULL, error)) != NULL;
    if (ok) {
        cg_session_certificates(s);
        ok = run_connections(&b, s, error);
    }
    for (unsigned i = 0; i < SERVERS; i++)
        SSL_SESSION_free(b.session[i]);
    return ok;
}
