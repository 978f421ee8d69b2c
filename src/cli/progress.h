/* SPDX-License-Identifier: BSD-2-Clause */
/* progress: one line on standard error, rewritten in place about once a second, while a long
 * offline read goes on — only when standard error is a terminal, so logs and pipes never see
 * it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct CpProgress CpProgress;

/* (transfer full) enabled false: every call is a no-op (-q, or standard error is not a tty). */
CpProgress *cp_progress_new(bool enabled);
/* Called per frame (p nullable); prints only when a second has passed since the start or the
 * last line. */
void cp_progress_frame(CpProgress *p, const char *input, uint64_t frames, uint64_t handshakes);
/* Erases the line, if one is shown, before other text goes to the terminal. */
void cp_progress_clear(CpProgress *p);
void cp_progress_free(CpProgress *p);
/* Whether standard error is a terminal (the caller's test for enabled). */
bool cp_progress_stderr_is_tty(void);
