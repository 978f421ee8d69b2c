/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz: the libFuzzer entry point every target defines, shared with the plain replayer (STYLE
 * R63, libpcap testprogs/fuzz/onefile.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Runs one input; returns 0 (libFuzzer's convention). A bug aborts (sanitizer or abort()). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Harness-detected contract violations abort with a message so libFuzzer saves the input. */
#define CP_FUZZ_CHECK(cond)                          \
    do {                                             \
        if (!(cond))                                 \
            cp_fuzz_fail(#cond, __FILE__, __LINE__); \
    } while (0)

G_GNUC_NORETURN void cp_fuzz_fail(const char *what, const char *file, int line);
