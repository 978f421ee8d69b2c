/* SPDX-License-Identifier: BSD-2-Clause */
/* export_bundle: the end of --export-certs DIR — one PEM bundle per distinct chain of each
 * server (<server>-chain<N>.pem, leaf first, wire order) and DIR/manifest.json linking servers,
 * their chains, the handshakes that carried them and the certificates' thumbprints. */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct CpExportCount {
    unsigned bundles;      /* chain files written */
    unsigned certificates; /* distinct certificates the bundles hold */
} CpExportCount;

/* (transfer full) name with every byte outside [A-Za-z0-9.-] replaced by '_': a server
 * endpoint ("[2001:db8::1]:443") made into a file name that no shell, no Windows share and no
 * "../" can misread. */
char *cp_export_safe_name(const char *name);
/* servers: CpServer* (analysis/model.h). False with a one-line error naming dir and the file. */
bool cp_export_bundles(const char *dir, const GPtrArray *servers, CpExportCount *count,
                       GError **error);
