/* SPDX-License-Identifier: BSD-2-Clause */
/* export_pem: --export-certs DIR writes every distinct certificate as <SHA1>.pem. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "dissectors/x509.h"

/* Creates dir if needed. */
bool cp_export_prepare(const char *dir, GError **error);
bool cp_export_pem(const char *dir, const CpCert *c, GError **error);
