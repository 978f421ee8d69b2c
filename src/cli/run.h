/* SPDX-License-Identifier: BSD-2-Clause */
/* run: the offline and live loops, from inputs to the final report. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cli/options.h"

typedef struct CpRunResult {
    bool input_error; /* a file could not be read to the end, or the device failed */
    bool output_error;
    int worst_severity; /* CpOutcome: 0 clean, 1 warning, 2 error, 3 inconclusive */
} CpRunResult;

/* Runs the whole job; errors that stop it before any report are returned in error. */
bool cp_run(const CpConfig *cfg, CpRunResult *res, GError **error);
