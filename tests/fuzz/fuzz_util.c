/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_util: what every fuzz target shares — the contract-violation report. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void
cp_fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: fuzz contract violated: %s\n", file, line, what);
    abort();
}
