/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scenarios.h - the named capture scenarios (see tests/gen/README.md).
 */
#ifndef CG_SCENARIOS_H
#define CG_SCENARIOS_H

#include "session.h"

#include <glib.h>

typedef gboolean (*CgScenarioFn)(CgSession *s, GError **error);

typedef struct CgScenario {
    const char *name;
    const char *summary; /* one line for --list */
    CgScenarioFn run;
} CgScenario;

/* The scenario table, terminated by an entry with name NULL. */
const CgScenario *cg_scenarios(void);

/* Look a scenario up by name; NULL when unknown. */
const CgScenario *cg_scenario_find(const char *name);

#endif /* CG_SCENARIOS_H */
