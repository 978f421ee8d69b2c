/* SPDX-License-Identifier: BSD-2-Clause */
/* options: command line -> CpConfig, validated; the only place options are parsed. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "base/limits.h"
#include "output/report.h"

typedef struct CpConfig {
    CpFormat format;
    char *export_dir;
    char *output;        /* -o FILE, NULL for stdout */
    char **inputs;       /* files ("-" = stdin) */
    CpLimits limits;
    /* live capture */
    char *iface;
    char *filter;
    bool list_ifaces;
    int snaplen;
    int buffer_mib;
    bool immediate;
    bool no_promisc;
    char *user;          /* -Z */
    bool allow_root;
    int duration_s;
    long long count;
    char *write_file;    /* -w */
    bool show_version;
    GPtrArray *help_strings; /* (owned) option descriptions GOption borrows */
} CpConfig;

/* Fills cfg from argv. On a usage error returns false with error set (CP_ERROR_USAGE). */
bool cp_options_parse(CpConfig *cfg, int *argc, char ***argv, GError **error);
void cp_options_clear(CpConfig *cfg);
