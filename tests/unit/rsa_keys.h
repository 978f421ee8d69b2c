/* SPDX-License-Identifier: BSD-2-Clause */
/* rsa_keys: fixed RSA keys for the unit tests (see rsa_keys.c for why they are not generated). */
#pragma once

#include <glib.h>

#include <openssl/evp.h>

/* (transfer full) The RSA key of bits (1024, 2048 or 3072) in slot (0; 2048 also has 1, for a
 * chain whose issuer and subject need different keys). A size or slot without a key fails the
 * running test. */
EVP_PKEY *test_rsa_key(unsigned bits, unsigned slot);
