/* SPDX-License-Identifier: BSD-2-Clause */
/* options: command line -> CpConfig, validated; the only place options are parsed. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/roles.h"
#include "base/limits.h"
#include "output/report.h"

typedef struct CpConfig {
    const char *format; /* a writer's name (output/report.h) */
    char *export_dir;
    char *output;         /* -o FILE, NULL for stdout */
    char *html_file;      /* --html FILE: --format html -o FILE */
    bool format_given;    /* --format was on the command line */
    char **inputs;        /* files ("-" = stdin) */
    char **read_files;    /* -r FILE (repeatable): then the words after the options are a filter */
    char *offline_filter; /* BPF expression applied to the packets of files, NULL for none */
    bool quiet;           /* -q */
    bool records;         /* --records: the inputs are certpath JSON Lines, not captures */
    char **keylog_files;  /* --keylog FILE (repeatable): NSS key logs */
    /* --no-keylog-search: no FILE.keylog beside the captures */
    bool no_keylog_search;
    CpLimits limits;
    /* live capture */
    char *iface;
    char *filter;
    bool list_ifaces;
    int snaplen;
    int buffer_mib;
    bool immediate;
    bool no_promisc;
    char *user; /* -Z */
    bool allow_root;
    int duration_s;
    long long count;
    char *write_file;    /* -w */
    int write_limit_mib; /* --write-limit, MiB (default 100) */
    uint64_t write_size; /* -C: rotate -w before it grows past this many bytes (0: no rotation) */
    int write_files;     /* -W: ring of this many -w files (0: no ring) */
    bool lines;          /* --lines: text, one line per handshake as it ends (live: always) */
    bool show_version;
    /* diagnosis */
    char **ca_files;
    char **ca_paths;
    bool no_system_ca;
    char **trusted_ca; /* uppercase SHA-1 */
    char **role_texts;
    GArray *roles; /* CpRoleRule */
    char *config;
    char *at_text;
    bool now;
    bool has_at;
    int64_t at_s;
    GPtrArray *help_strings; /* (owned) option descriptions GOption borrows */
} CpConfig;

/* Fills cfg from argv. On a usage error returns false with error set (CP_ERROR_USAGE). */
bool cp_options_parse(CpConfig *cfg, int *argc, char ***argv, GError **error);
void cp_options_clear(CpConfig *cfg);
