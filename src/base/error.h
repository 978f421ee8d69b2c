/* SPDX-License-Identifier: BSD-2-Clause */
/* error: the CP_ERROR GError domain for boundary failures (files, options, devices). */
#pragma once

#include <glib.h>

#define CP_ERROR (cp_error_quark())

typedef enum CpError {
    CP_ERROR_USAGE = 1, /* bad option or argument */
    CP_ERROR_INPUT,     /* missing, unreadable, truncated or corrupt input */
    CP_ERROR_OUTPUT,    /* cannot write a report or export */
    CP_ERROR_DEVICE,    /* live capture device */
} CpError;

GQuark cp_error_quark(void);
