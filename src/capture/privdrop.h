/* SPDX-License-Identifier: BSD-2-Clause */
/* privdrop: give up root after the capture device is open, before the first packet is parsed
 * (tcpdump -Z). The only OS-specific file besides capture_live.c: POSIX uids on Unix; on
 * Windows (Npcap) there is nothing to drop and -Z is refused. */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* Whether the real or effective user is root (always false on Windows). */
bool cp_privdrop_is_root(void);

/* Refuses (CP_ERROR_USAGE) to capture as root with neither -Z USER nor --allow-root: parsing
 * hostile packets with full privileges is what -Z exists to avoid. Call before opening. */
bool cp_privdrop_check(const char *user, bool allow_root, GError **error);

/* Applies the policy once every privileged resource is open: as root with user set, switches
 * to user (initgroups, setgid, setuid) and verifies that root cannot be regained; as root with
 * --allow-root, keeps root; not root (capabilities), drops every capability left (Linux) so
 * the parser runs with none. On failure error says why (CP_ERROR_USAGE): do not go on. */
bool cp_privdrop_apply(const char *user, bool allow_root, GError **error);
