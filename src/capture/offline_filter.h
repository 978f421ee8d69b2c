/* SPDX-License-Identifier: BSD-2-Clause */
/* offline_filter: a tcpdump-style capture filter (BPF expression) applied to packets read from
 * files, as `tcpdump -r FILE EXPRESSION` does: compiled by libpcap for each link type met
 * (pcap_open_dead + pcap_compile), run with pcap_offline_filter. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "capture/capture.h"

typedef struct CpOfflineFilter CpOfflineFilter;

/* (transfer full) a filter for expr; NULL with a usage error when libpcap cannot compile it for
 * Ethernet (the expression is checked once up front, so a typo fails before any file is read). */
CpOfflineFilter *cp_offline_filter_new(const char *expr, GError **error);
void cp_offline_filter_free(CpOfflineFilter *f);
/* Whether the frame passes. A link type the expression cannot be compiled for (e.g. "ether host"
 * on raw IP) lets nothing through, and *error is set once for that link type (caller warns). */
bool cp_offline_filter_match(CpOfflineFilter *f, const CpFrame *frame, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CpOfflineFilter, cp_offline_filter_free)
