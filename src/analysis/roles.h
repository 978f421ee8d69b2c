/* SPDX-License-Identifier: BSD-2-Clause */
/* roles: which server is the Lync/Skype front end, which the Exchange server, which an Edge
 * member — detected from ports and names, overridable by the user. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/model.h"

typedef enum CpRole {
    CP_ROLE_UNKNOWN = 0,
    CP_ROLE_FRONTEND,
    CP_ROLE_EXCHANGE,
    CP_ROLE_EDGE,
} CpRole;

/* A user's assignment: ROLE=SELECTOR (address, address:port, or host name). */
typedef struct CpRoleRule {
    CpRole role;
    char *selector;
} CpRoleRule;

typedef struct CpRoles CpRoles;

/* (transfer none) "frontend", "exchange", "edge", "unknown" */
const char *cp_role_name(CpRole r);
/* Parses "frontend=10.0.0.1" (also fe, lync, exchange, exch, edge); false on a bad rule. */
bool cp_role_rule_parse(const char *text, CpRoleRule *out, GError **error);

/* Assigns a role to every server of the model: user rules first, then detection. */
CpRoles *cp_roles_assign(CpModel *m, const CpRoleRule *rules, size_t n_rules);
void cp_roles_free(CpRoles *r);
/* Whether rule selects at least one server of the model (a typo in --role selects none). */
bool cp_roles_rule_used(const CpRoles *r, const CpRoleRule *rule);
CpRole cp_roles_get(const CpRoles *r, const CpServer *s);
bool cp_roles_user_set(const CpRoles *r, const CpServer *s);
/* Registrable DNS domains the server answers for (from SNI and leaf names), e.g. "contoso.com".
 * (transfer none) element-type utf8 */
const GPtrArray *cp_roles_domains(const CpRoles *r, const CpServer *s);
/* Every DNS name the server answers for: SNIs asked and leaf dNSNames. (transfer none) */
const GPtrArray *cp_roles_names(const CpRoles *r, const CpServer *s);
/* Two servers are related (compared) when they share a domain. */
bool cp_roles_related(const CpRoles *r, const CpServer *a, const CpServer *b);
/* The registrable domain of a host name ("mail.contoso.co.uk" -> "contoso.co.uk"). (transfer full)
 */
char *cp_domain_of(const char *host);
