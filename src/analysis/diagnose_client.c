/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose_client: the rules of the client-side findings. The evidence is each server's list of
 * clients and how they fared (client_seen.c); a rule groups the refusals into one finding per
 * fault — per server and alert (protocol-rejected), per server and chain (silent-rejection), per
 * server and client certificate (client-cert-rejected) — and the wording lists the clients. */
#include "analysis/diagnose_client.h"

#include <string.h>

static int
chain_of(const CpServer *s, const CpSeenChain *ch)
{
    for (guint i = 0; ch != NULL && i < s->chains->len; i++)
        if (s->chains->pdata[i] == ch)
            return (int)i;
    return -1;
}

static const char *
client_leaf(const CpClientSeen *c)
{
    if (c->client_chain == NULL || c->client_chain->len == 0)
        return NULL;
    return g_array_index(c->client_chain, CpChainLink, 0).sha1;
}

bool
cp_diag_client_selected(const CpClientSeen *c, const DiagClientSel *sel)
{
    if (!(sel->outcomes & (1u << c->outcome)))
        return false;
    if (sel->chain >= 0 && c->chain != sel->chain)
        return false;
    if (sel->alert != -2 && c->alert_desc != sel->alert)
        return false;
    return sel->client_leaf == NULL || g_strcmp0(client_leaf(c), sel->client_leaf) == 0;
}

/* One finding per fault; the finding covers the server, the certificate and every handshake. */
static void
report(Diag *g, CpFindingCode code, const char *key, DiagTextFn text, const DiagFacts *x,
       const DiagClientSel *sel)
{
    CpFinding *f = cp_diag_report(g, code, key, text, x);
    const CpServer *s = x->server;

    cp_diag_add_server(f, s->endpoint);
    if (x->cert != NULL)
        cp_diag_add_cert(f, x->cert->sha1);
    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (!cp_diag_client_selected(c, sel))
            continue;
        char addr[64];
        cp_addr_format(&c->addr, addr, sizeof addr);
        cp_diag_add_client(f, addr);
        f->handshakes += c->count;
    }
}

void
cp_diag_add_alerted_clients(CpFinding *f, const CpServer *s, int alert)
{
    DiagClientSel sel = { 1u << CP_CLIENT_ALERTED, -1, alert, NULL };

    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        char addr[64];
        if (!cp_diag_client_selected(c, &sel))
            continue;
        cp_addr_format(&c->addr, addr, sizeof addr);
        cp_diag_add_client(f, addr);
    }
}

static void
protocol_rejected(Diag *g, const CpServer *s, const CpClientSeen *c)
{
    CpAlertSeen a = { c->alert_desc, false, 0 };
    DiagClientSel sel = { 1u << CP_CLIENT_PROTOCOL_REJECTED, -1, c->alert_desc, NULL };
    DiagFacts x = { .server = s, .alert = &a };
    g_autofree char *key = g_strdup_printf("%s|%d", s->endpoint, c->alert_desc);

    report(g, CP_FINDING_PROTOCOL_REJECTED, key, cp_diag_text_protocol_rejected, &x, &sel);
}

static void
silent(Diag *g, const CpServer *s, const CpClientSeen *c)
{
    if (c->chain < 0)
        return; /* the chain was not kept (--max-server-chains): nothing to show */
    const CpSeenChain *ch = s->chains->pdata[c->chain];
    if (cp_diag_chain_cut(ch))
        return;
    DiagClientSel sel = { 1u << CP_CLIENT_SILENT, c->chain, -2, NULL };
    DiagFacts x = { .server = s, .chain = ch };
    if (cp_diag_leaf_known(ch))
        x.cert = g_array_index(ch->links, CpChainLink, 0).cert;
    if (x.cert == NULL)
        return; /* no certificate of the chain parsed: what the client refused cannot be named */
    g_autofree char *key = g_strdup_printf("%s|%d", s->endpoint, c->chain);

    report(g, CP_FINDING_SILENT_REJECTION, key, cp_diag_text_silent_rejection, &x, &sel);
}

static void
cert_rejected(Diag *g, const CpServer *s, const CpClientSeen *c)
{
    const char *leaf = client_leaf(c);
    if (leaf == NULL)
        return;
    CpAlertSeen a = { c->alert_desc, false, 0 };
    DiagClientSel sel = { 1u << CP_CLIENT_CERT_REJECTED, -1, -2, leaf };
    DiagFacts x = {
        .server = s,
        .alert = &a,
        .cert = g_array_index(c->client_chain, CpChainLink, 0).cert,
        .chain = c->chain >= 0 ? s->chains->pdata[c->chain] : NULL,
    };
    g_autofree char *key = g_strdup_printf("%s|%s", s->endpoint, leaf);

    if (x.cert == NULL)
        return; /* a client certificate that did not parse: nothing to name */
    report(g, CP_FINDING_CLIENT_CERT_REJECTED, key, cp_diag_text_client_cert_rejected, &x, &sel);
}

void
cp_diag_client_rules(Diag *g)
{
    for (guint i = 0; i < g->d->servers->len; i++) {
        const CpServer *s = ((const CpServerDiag *)g->d->servers->pdata[i])->server;
        for (guint j = 0; j < s->clients->len; j++) {
            const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, j);
            switch (c->outcome) {
            case CP_CLIENT_PROTOCOL_REJECTED:
                protocol_rejected(g, s, c);
                break;
            case CP_CLIENT_SILENT:
                silent(g, s, c);
                break;
            case CP_CLIENT_CERT_REJECTED:
                cert_rejected(g, s, c);
                break;
            case CP_CLIENT_ACCEPTED:
            case CP_CLIENT_ALERTED: /* client-rejected, diagnose.c */
                break;
            }
        }
    }
}

int
cp_diag_client_chain_of(const CpServer *s, const CpSeenChain *ch)
{
    return chain_of(s, ch);
}
