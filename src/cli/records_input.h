/* SPDX-License-Identifier: BSD-2-Clause */
/* records_input: the files (or standard input) of certpath --records, cut into lines for
 * analysis/records.h. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/records.h"

typedef void (*CpRecordsAfterLine)(void *user);

/* Reads path ("-": standard input) to its end, one line at a time into rd, calling after(user)
 * after each line so the caller can show what the line added. A line longer than max_line is
 * skipped and counted. False with a one-line error when the file cannot be opened or read, or is
 * a capture file rather than JSON Lines. */
bool cp_records_read(CpRecords *rd, const char *path, uint64_t max_line, CpRecordsAfterLine after,
                     void *user, GError **error);
