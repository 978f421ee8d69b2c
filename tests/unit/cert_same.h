/* SPDX-License-Identifier: BSD-2-Clause */
/* cert_same: do two parses of one certificate agree on every field certpath reports? (the leaf
 * parser against cp_cert_parse: test_x509, fuzz_x509) */
#pragma once

#include <stdbool.h>

#include "dissectors/x509.h"

/* Names the first field that differs on stderr. */
bool cp_test_cert_same(const CpCert *a, const CpCert *b);
