/* SPDX-License-Identifier: BSD-2-Clause */
#include "base/error.h"

/* The domain name is a string literal rather than G_DEFINE_QUARK(certpath-error-quark, cp_error):
 * clang-format reads that macro argument as a subtraction and rewrites it to
 * "certpath - error - quark". This is what G_DEFINE_QUARK expands to. */
GQuark
cp_error_quark(void)
{
    return g_quark_from_static_string("certpath-error-quark");
}
