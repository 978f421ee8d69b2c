/* SPDX-License-Identifier: BSD-2-Clause */
/* certpath: why does a client not trust a server's certificate? Entry point; the only place the
 * exit status is decided (STYLE R14): 0 clean, 1 a warning-or-worse finding or an inconclusive run
 * (no certificate seen, or a limit kept certpath from seeing everything), 2 usage/input error.
 * Inconclusive shares 1 with findings, not a status of its own: tools that drive capture
 * analysers (and our corpus checks) take any status above 2 for a crash. The JSON summary's
 * "outcome" tells the two apart.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "cli/options.h"
#include "cli/run.h"

/* The version is stated once, in meson.build's project(); src/cli/meson.build passes it here. */
#ifndef CERTPATH_VERSION
#error "CERTPATH_VERSION is not defined: build certpath with meson"
#endif

int
main(int argc, char **argv)
{
    CpConfig cfg;
    CpRunResult res;
    GError *error = NULL;

    if (!cp_options_parse(&cfg, &argc, &argv, &error)) {
        fprintf(stderr, "certpath: %s\n", error->message);
        g_error_free(error);
        cp_options_clear(&cfg);
        return 2;
    }
    if (cfg.show_version) {
        printf("certpath %s\n", CERTPATH_VERSION);
        cp_options_clear(&cfg);
        return 0;
    }
    bool ok = cp_run(&cfg, &res, &error);
    cp_options_clear(&cfg);
    if (!ok) {
        fprintf(stderr, "certpath: %s\n", error ? error->message : "failed");
        g_clear_error(&error);
        return 2;
    }
    if (res.input_error || res.output_error)
        return 2;
    /* CpOutcome: 0 clean, 1 warning, 2 error, 3 inconclusive (never the clean 0). */
    return res.worst_severity >= 1 ? 1 : 0;
}
