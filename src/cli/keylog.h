/* SPDX-License-Identifier: BSD-2-Clause */
/* keylog: --keylog files, the key log found beside a capture, and pcapng Decryption Secrets
 * Blocks into the pipeline's key log. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/pipeline.h"
#include "capture/capture.h"

/* Loads each NSS key log file of files (NULL-terminated, may be NULL) into p. false with
 * *error (CP_ERROR_INPUT) for a file that cannot be read or holds no key log line. */
bool cp_cli_load_keylogs(CpPipeline *p, char **files, const CpLimits *limits, GError **error);
/* (transfer full) the key log beside a capture file: CAPTURE.keylog, else CAPTURE without a
 * .gz/.zst suffix plus .keylog, else CAPTURE with its .pcap/.pcapng/.cap/.ntar extension
 * replaced by .keylog; NULL when none is a regular file (and for "-", standard input). */
char *cp_cli_sibling_keylog(const char *capture);

typedef enum CpSiblingKeylog {
    CP_SIBLING_KEYLOG_NONE,     /* nothing beside the capture */
    CP_SIBLING_KEYLOG_USED,     /* loaded: *path_out names it */
    CP_SIBLING_KEYLOG_UNUSABLE, /* unreadable or no key log line: counted, not loaded */
} CpSiblingKeylog;

/* Loads the key log beside capture into p. *path_out (transfer full) the file when USED;
 * *message (transfer full) the one line to show on standard error (NULL for NONE). */
CpSiblingKeylog cp_cli_load_sibling_keylog(CpPipeline *p, const char *capture,
                                           const CpLimits *limits, char **path_out, char **message);
/* Makes cap hand its Decryption Secrets Blocks of TLS key log type to p. */
void cp_cli_take_secrets(CpCapture *cap, CpPipeline *p);
