/* SPDX-License-Identifier: BSD-2-Clause */
/* export_pem: --export-certs DIR writes every distinct certificate as <SHA1>.pem. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "dissectors/x509.h"

/* Creates dir if needed (not its parents) and checks that the user certpath will run as (user:
 * the -Z user, nullable) can write to it; as root with user, a directory it creates is chowned to
 * user. False with a one-line error naming dir otherwise. */
bool cp_export_prepare(const char *dir, const char *user, GError **error);
bool cp_export_pem(const char *dir, const CpCert *c, GError **error);
