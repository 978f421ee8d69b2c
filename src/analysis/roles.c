/* SPDX-License-Identifier: BSD-2-Clause */
/* roles: detection rules, in order (first match wins):
 *   1. a user rule (--role, config file) naming the server's address, address:port or a name;
 *   2. Exchange: a name starting autodiscover., mail., owa., ews., outlook., webmail., exchange.,
 *      cas. (the names Exchange's virtual directories and Autodiscover are published under);
 *   3. front end: lyncdiscover(internal)., meet., dialin., lyncweb., scheduler., or a pool name
 *      (pool*.) — the simple URLs and web services a front-end pool certificate must carry;
 *   4. Edge: access., webconf., av., edge., sipexternal., or one sip. name served from several
 *      addresses (an Edge array behind DNS load balancing);
 *   5. front end: SIP over TLS on 5061 with none of the above.
 * Microsoft documents these names in "Certificate requirements for Skype for Business Server"
 * and "Exchange Server certificates"; sites that name things their own way use --role.
 */
#include "analysis/roles.h"

#include <string.h>

#include "base/error.h"
#include "base/hash.h"

typedef struct ServerInfo {
    CpRole role;
    bool user_set;
    bool frontend_name; /* a name with a front-end prefix */
    GPtrArray *names;
    GPtrArray *domains;
    GHashTable *domain_set; /* lowercased domains (owned) */
} ServerInfo;

/* Who answers a sip. name, among servers without a front-end name: one address, or several. */
typedef struct SipNameSeen {
    CpAddr addr;
    bool several;
} SipNameSeen;

struct CpRoles {
    GHashTable *info; /* CpServer* -> ServerInfo* */
};

/* Names and domains come from SNI and certificates: attacker text, so the keyed hash (R49) of
 * the lowercased name. */
static CpHashKey name_key;

static guint
name_hash(gconstpointer s)
{
    uint64_t h = cp_hash_bytes(&name_key, s, strlen(s));
    return (guint)(h ^ (h >> 32));
}

static GHashTable *
name_set_new(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        cp_hash_key_init_random(&name_key);
        g_once_init_leave(&once, 1);
    }
    return g_hash_table_new_full(name_hash, g_str_equal, g_free, NULL);
}

static const char *const exchange_prefixes[] = { "autodiscover.", "mail.",    "owa.",
                                                 "ews.",          "outlook.", "webmail.",
                                                 "exchange.",     "cas.",     NULL };
static const char *const frontend_prefixes[] = { "lyncdiscover.", "lyncdiscoverinternal.",
                                                 "meet.",         "dialin.",
                                                 "lyncweb.",      "scheduler.",
                                                 "pool",          NULL };
static const char *const edge_prefixes[] = { "access.", "webconf.",     "av.",
                                             "edge.",   "sipexternal.", NULL };

const char *
cp_role_name(CpRole r)
{
    switch (r) {
    case CP_ROLE_FRONTEND:
        return "frontend";
    case CP_ROLE_EXCHANGE:
        return "exchange";
    case CP_ROLE_EDGE:
        return "edge";
    default:
        return "unknown";
    }
}

bool
cp_role_rule_parse(const char *text, CpRoleRule *out, GError **error)
{
    const char *eq = strchr(text, '=');

    static const struct {
        const char *word;
        CpRole role;
    } words[] = { { "frontend", CP_ROLE_FRONTEND }, { "fe", CP_ROLE_FRONTEND },
                  { "lync", CP_ROLE_FRONTEND },     { "skype", CP_ROLE_FRONTEND },
                  { "exchange", CP_ROLE_EXCHANGE }, { "exch", CP_ROLE_EXCHANGE },
                  { "edge", CP_ROLE_EDGE } };

    if (eq != NULL && eq[1] != '\0') {
        for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
            if (strlen(words[i].word) == (size_t)(eq - text) &&
                g_ascii_strncasecmp(text, words[i].word, (gsize)(eq - text)) == 0) {
                out->role = words[i].role;
                out->selector = g_strdup(eq + 1);
                return true;
            }
        }
    }
    g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                "--role wants ROLE=SELECTOR with ROLE frontend, exchange or edge and SELECTOR an "
                "address, address:port or host name, not \"%s\"",
                text);
    return false;
}

/* The labels are found from the end, without splitting: one certificate may carry 100k names,
 * and a split and join per name cost a dozen allocations (most of a diagnosis of such a leaf). */
char *
cp_domain_of(const char *host)
{
    static const char *const second_level[] = { "co", "com", "org", "net", "gov",
                                                "ac", "edu", "ne",  "or",  NULL };
    const char *h = host[0] == '*' && host[1] == '.' ? host + 2 : host;
    const char *end = h + strlen(h);
    const char *label[3] = { NULL, NULL, NULL }; /* starts of the last three labels after a dot */
    unsigned dots = 0;

    for (const char *q = end; q > h && dots < 3; q--)
        if (q[-1] == '.')
            label[dots++] = q;
    unsigned keep = 2;
    if (dots >= 2 && end - label[0] == 2) {
        size_t n = (size_t)(label[0] - 1 - label[1]);
        for (const char *const *w = second_level; *w != NULL && keep == 2; w++)
            if (strlen(*w) == n && g_ascii_strncasecmp(label[1], *w, n) == 0)
                keep = 3;
    }
    return g_ascii_strdown(dots >= keep ? label[keep - 1] : h, -1);
}

static bool
has_prefix_in(const GPtrArray *names, const char *const *prefixes)
{
    for (guint i = 0; i < names->len; i++)
        for (const char *const *p = prefixes; *p != NULL; p++)
            if (g_ascii_strncasecmp(names->pdata[i], *p, strlen(*p)) == 0)
                return true;
    return false;
}

/* Case-insensitive de-duplication through a set of lowercased names: one certificate may carry
 * 100k names (a scan per name took 34 s). */
static void
add_unique(GHashTable *seen, GPtrArray *a, const char *s)
{
    if (g_hash_table_add(seen, g_ascii_strdown(s, -1)))
        g_ptr_array_add(a, g_strdup(s));
}

static ServerInfo *
info_new(const CpServer *s)
{
    ServerInfo *si = g_new0(ServerInfo, 1);
    GHashTable *seen = name_set_new();

    si->names = g_ptr_array_new_with_free_func(g_free);
    si->domains = g_ptr_array_new_with_free_func(g_free);
    si->domain_set = name_set_new();
    /* An IP literal sent as SNI (RFC 6066 forbids it) is no name: it gives neither a role nor a
     * domain ("10.1.0.40" is not in domain "0.40"). */
    for (guint i = 0; i < s->names->len; i++)
        if (!g_hostname_is_ip_address(s->names->pdata[i]))
            add_unique(seen, si->names, s->names->pdata[i]);
    for (guint i = 0; i < s->chains->len; i++) {
        const CpSeenChain *ch = s->chains->pdata[i];
        const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;
        for (guint j = 0; leaf != NULL && j < leaf->san_dns->len; j++)
            add_unique(seen, si->names, leaf->san_dns->pdata[j]);
        if (leaf != NULL && leaf->san_dns->len == 0 && leaf->common_name != NULL)
            add_unique(seen, si->names, leaf->common_name);
    }
    for (guint i = 0; i < si->names->len; i++) {
        const char *n = si->names->pdata[i];
        if (strchr(n, '.') == NULL)
            continue;
        g_autofree char *d = cp_domain_of(n);
        add_unique(si->domain_set, si->domains, d);
    }
    g_hash_table_destroy(seen);
    return si;
}

static void
info_free(gpointer p)
{
    ServerInfo *si = p;
    g_ptr_array_free(si->names, TRUE);
    g_ptr_array_free(si->domains, TRUE);
    g_hash_table_destroy(si->domain_set);
    g_free(si);
}

static bool
selects(const char *sel, const CpServer *s, const ServerInfo *si)
{
    char addr[64];

    cp_addr_format(&s->addr, addr, sizeof addr);
    if (g_ascii_strcasecmp(sel, addr) == 0 || g_ascii_strcasecmp(sel, s->endpoint) == 0)
        return true;
    for (guint i = 0; i < si->names->len; i++)
        if (g_ascii_strcasecmp(sel, si->names->pdata[i]) == 0)
            return true;
    return false;
}

/* Every sip. name of a server without a front-end name, with the addresses answering it: built
 * once, so each server asks a table instead of comparing its names with every other server's. */
static GHashTable *
sip_names_index(GPtrArray *servers, GHashTable *info)
{
    GHashTable *by_name = g_hash_table_new_full(name_hash, g_str_equal, g_free, g_free);

    for (guint i = 0; i < servers->len; i++) {
        const CpServer *o = servers->pdata[i];
        const ServerInfo *oi = g_hash_table_lookup(info, o);
        if (oi->frontend_name)
            continue;
        for (guint k = 0; k < oi->names->len; k++) {
            const char *n = oi->names->pdata[k];
            if (g_ascii_strncasecmp(n, "sip.", 4) != 0)
                continue;
            char *low = g_ascii_strdown(n, -1);
            SipNameSeen *seen = g_hash_table_lookup(by_name, low);
            if (seen == NULL) {
                seen = g_new0(SipNameSeen, 1);
                seen->addr = o->addr;
                g_hash_table_insert(by_name, low, seen);
                continue;
            }
            g_free(low);
            seen->several |= !cp_addr_equal(&seen->addr, &o->addr);
        }
    }
    return by_name;
}

/* One sip./edge name answered from two or more addresses: an Edge array. */
static bool
served_from_several(GHashTable *sip_names, const CpServer *s, const ServerInfo *si)
{
    for (guint i = 0; i < si->names->len; i++) {
        const char *n = si->names->pdata[i];
        if (g_ascii_strncasecmp(n, "sip.", 4) != 0)
            continue;
        g_autofree char *low = g_ascii_strdown(n, -1);
        const SipNameSeen *seen = g_hash_table_lookup(sip_names, low);
        if (seen != NULL && (seen->several || !cp_addr_equal(&seen->addr, &s->addr)))
            return true;
    }
    return false;
}

static CpRole
detect(GHashTable *sip_names, const CpServer *s, const ServerInfo *si)
{
    if (has_prefix_in(si->names, exchange_prefixes))
        return CP_ROLE_EXCHANGE;
    if (si->frontend_name)
        return CP_ROLE_FRONTEND;
    if (has_prefix_in(si->names, edge_prefixes) || served_from_several(sip_names, s, si))
        return CP_ROLE_EDGE;
    if (s->port == 5061)
        return CP_ROLE_FRONTEND;
    return CP_ROLE_UNKNOWN;
}

CpRoles *
cp_roles_assign(CpModel *m, const CpRoleRule *rules, size_t n_rules)
{
    CpRoles *r = g_new0(CpRoles, 1);
    GPtrArray *servers = cp_model_servers(m);

    r->info = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, info_free);
    for (guint i = 0; i < servers->len; i++) {
        ServerInfo *si = info_new(servers->pdata[i]);
        si->frontend_name = has_prefix_in(si->names, frontend_prefixes);
        g_hash_table_insert(r->info, servers->pdata[i], si);
    }
    GHashTable *sip_names = sip_names_index(servers, r->info);
    for (guint i = 0; i < servers->len; i++) {
        const CpServer *s = servers->pdata[i];
        ServerInfo *si = g_hash_table_lookup(r->info, s);
        for (size_t k = 0; k < n_rules && !si->user_set; k++) {
            if (selects(rules[k].selector, s, si)) {
                si->role = rules[k].role;
                si->user_set = true;
            }
        }
        if (!si->user_set)
            si->role = detect(sip_names, s, si);
    }
    g_hash_table_destroy(sip_names);
    return r;
}

bool
cp_roles_rule_used(const CpRoles *r, const CpRoleRule *rule)
{
    GHashTableIter it;
    gpointer server, info;

    g_hash_table_iter_init(&it, r->info);
    while (g_hash_table_iter_next(&it, &server, &info))
        if (selects(rule->selector, server, info))
            return true;
    return false;
}

void
cp_roles_free(CpRoles *r)
{
    if (r == NULL)
        return;
    g_hash_table_destroy(r->info);
    g_free(r);
}

CpRole
cp_roles_get(const CpRoles *r, const CpServer *s)
{
    const ServerInfo *si = g_hash_table_lookup(r->info, s);
    return si != NULL ? si->role : CP_ROLE_UNKNOWN;
}

bool
cp_roles_user_set(const CpRoles *r, const CpServer *s)
{
    const ServerInfo *si = g_hash_table_lookup(r->info, s);
    return si != NULL && si->user_set;
}

const GPtrArray *
cp_roles_domains(const CpRoles *r, const CpServer *s)
{
    const ServerInfo *si = g_hash_table_lookup(r->info, s);
    return si->domains;
}

const GPtrArray *
cp_roles_names(const CpRoles *r, const CpServer *s)
{
    const ServerInfo *si = g_hash_table_lookup(r->info, s);
    return si->names;
}

bool
cp_roles_related(const CpRoles *r, const CpServer *a, const CpServer *b)
{
    const GPtrArray *da = cp_roles_domains(r, a), *db = cp_roles_domains(r, b);

    /* Servers the user placed by hand are one site. */
    if (cp_roles_user_set(r, a) && cp_roles_user_set(r, b))
        return true;
    /* Look the smaller list up in the other's set. */
    const ServerInfo *sb = g_hash_table_lookup(r->info, da->len > db->len ? a : b);
    if (da->len > db->len)
        da = db;
    for (guint i = 0; i < da->len; i++) {
        g_autofree char *low = g_ascii_strdown(da->pdata[i], -1);
        if (g_hash_table_contains(sb->domain_set, low))
            return true;
    }
    return false;
}
