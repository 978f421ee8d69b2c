/* SPDX-License-Identifier: BSD-2-Clause */
/* keylog: --keylog files and pcapng Decryption Secrets Blocks into the pipeline's key log. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/pipeline.h"
#include "capture/capture.h"

/* Loads each NSS key log file of files (NULL-terminated, may be NULL) into p. false with
 * *error (CP_ERROR_INPUT) for a file that cannot be read or holds no key log line. */
bool cp_cli_load_keylogs(CpPipeline *p, char **files, const CpLimits *limits, GError **error);
/* Makes cap hand its Decryption Secrets Blocks of TLS key log type to p. */
void cp_cli_take_secrets(CpCapture *cap, CpPipeline *p);
