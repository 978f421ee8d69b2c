/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for analysis/roles: domains, rules, and detection from names and ports. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "analysis/roles.h"
#include "harness.h"

static void
domain_of_keeps_two_labels_or_three_under_co_uk(void)
{
    g_autofree char *a = cp_domain_of("mail.contoso.com");
    g_autofree char *b = cp_domain_of("lyncdiscover.eu.fabrikam.co.uk");
    g_autofree char *c = cp_domain_of("*.Contoso.COM");
    g_autofree char *d = cp_domain_of("localhost");
    CU_ASSERT_STRING_EQUAL(a, "contoso.com");
    CU_ASSERT_STRING_EQUAL(b, "fabrikam.co.uk");
    CU_ASSERT_STRING_EQUAL(c, "contoso.com");
    CU_ASSERT_STRING_EQUAL(d, "localhost");
}

static void
rule_parse_accepts_aliases_rejects_junk(void)
{
    CpRoleRule r;
    GError *e = NULL;

    CU_ASSERT_TRUE(cp_role_rule_parse("exch=10.0.0.5:443", &r, &e));
    CU_ASSERT_EQUAL(r.role, CP_ROLE_EXCHANGE);
    CU_ASSERT_STRING_EQUAL(r.selector, "10.0.0.5:443");
    g_free(r.selector);
    CU_ASSERT_TRUE(cp_role_rule_parse("FE=pool.contoso.com", &r, &e));
    CU_ASSERT_EQUAL(r.role, CP_ROLE_FRONTEND);
    g_free(r.selector);
    CU_ASSERT_FALSE(cp_role_rule_parse("mailserver=1.2.3.4", &r, &e));
    CU_ASSERT_PTR_NOT_NULL(e);
    g_clear_error(&e);
    CU_ASSERT_FALSE(cp_role_rule_parse("edge=", &r, &e));
    g_clear_error(&e);
}

static CpServer *
server(CpModel *m, uint8_t last, uint16_t port, const char *sni)
{
    CpHandshake h;

    cp_handshake_init(&h);
    h.server.family = 4;
    h.server.bytes[0] = 10;
    h.server.bytes[3] = last;
    h.server_port = port;
    h.sni = sni ? g_strdup(sni) : NULL;
    cp_model_add(m, &h);
    cp_handshake_clear(&h);
    GPtrArray *all = cp_model_servers(m);
    return all->pdata[all->len - 1];
}

static void
detection_from_names_and_ports_and_overrides(void)
{
    CpLimits l;
    cp_limits_init_default(&l);
    CpModel *m = cp_model_new(&l, NULL);
    CpServer *ex = server(m, 20, 443, "autodiscover.contoso.com");
    CpServer *fe = server(m, 10, 5061, NULL);
    CpServer *web = server(m, 30, 443, "lyncdiscover.contoso.com");
    CpServer *other = server(m, 40, 443, "www.contoso.com");
    char addr[] = "10.0.0.40";
    CpRoleRule rule = { CP_ROLE_EXCHANGE, addr };
    CpRoles *r = cp_roles_assign(m, &rule, 1);

    CU_ASSERT_EQUAL(cp_roles_get(r, ex), CP_ROLE_EXCHANGE);
    CU_ASSERT_EQUAL(cp_roles_get(r, fe), CP_ROLE_FRONTEND);
    CU_ASSERT_EQUAL(cp_roles_get(r, web), CP_ROLE_FRONTEND);
    CU_ASSERT_EQUAL(cp_roles_get(r, other), CP_ROLE_EXCHANGE);
    CU_ASSERT_TRUE(cp_roles_user_set(r, other));
    CU_ASSERT_TRUE(cp_roles_related(r, ex, web));
    CU_ASSERT_FALSE(cp_roles_related(r, ex, fe)); /* no name: no domain */
    cp_roles_free(r);
    cp_model_free(m);
}

static void
roles_ip_literal_sni_gives_no_name_nor_domain(void)
{
    CpLimits l;
    cp_limits_init_default(&l);
    CpModel *m = cp_model_new(&l, NULL);
    CpServer *a = server(m, 50, 443, "10.1.0.50");
    CpServer *b = server(m, 51, 443, "10.2.0.50");
    CpRoles *r = cp_roles_assign(m, NULL, 0);

    CU_ASSERT_EQUAL(cp_roles_names(r, a)->len, 0);
    CU_ASSERT_EQUAL(cp_roles_domains(r, a)->len, 0);
    CU_ASSERT_FALSE(cp_roles_related(r, a, b)); /* "0.50" is nobody's domain */
    cp_roles_free(r);
    cp_model_free(m);
}

static CU_TestInfo tests[] = {
    { "domain_of_keeps_two_labels_or_three_under_co_uk",
      domain_of_keeps_two_labels_or_three_under_co_uk },
    { "rule_parse_accepts_aliases_rejects_junk", rule_parse_accepts_aliases_rejects_junk },
    { "detection_from_names_and_ports_and_overrides",
      detection_from_names_and_ports_and_overrides },
    { "roles_ip_literal_sni_gives_no_name_nor_domain",
      roles_ip_literal_sni_gives_no_name_nor_domain },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("roles", tests, argc, argv);
}
