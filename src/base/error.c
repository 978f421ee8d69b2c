/* SPDX-License-Identifier: BSD-2-Clause */
#include "base/error.h"

G_DEFINE_QUARK(certpath - error - quark, cp_error)
