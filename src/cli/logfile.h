/* SPDX-License-Identifier: BSD-2-Clause */
/* logfile: -o FILE reopened on SIGHUP, so logrotate can move the report file away and certpath
 * goes on writing to a new one under the same name. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

/* Flushes out, opens path for appending (created 0644 if it is missing, as logrotate's "create"
 * may already have done) and makes out's descriptor refer to it, so every holder of out writes
 * to the new file. Refuses, with a one-line error naming path, a symbolic link, a file with
 * other hard links or anything but a regular file; out then keeps writing where it was. */
bool cp_logfile_reopen(FILE *out, const char *path, GError **error);
