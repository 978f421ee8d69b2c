/* SPDX-License-Identifier: BSD-2-Clause */
/* progress: the terminal's progress line (progress.h). The monotonic clock is read per frame
 * only when enabled (a vDSO call, tens of nanoseconds against microseconds per frame), so a
 * slow standard input shows its progress too; a read shorter than a second prints nothing. */
#include "cli/progress.h"

#include <stdio.h>
#include <unistd.h>
#include <glib.h>

#define PERIOD_US G_USEC_PER_SEC

struct CpProgress {
    bool enabled;
    bool shown;
    int64_t next_us;
};

bool
cp_progress_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO) == 1;
}

CpProgress *
cp_progress_new(bool enabled)
{
    CpProgress *p = g_new0(CpProgress, 1);

    p->enabled = enabled;
    p->next_us = g_get_monotonic_time() + PERIOD_US;
    return p;
}

void
cp_progress_frame(CpProgress *p, const char *input, uint64_t frames, uint64_t handshakes)
{
    if (p == NULL || !p->enabled)
        return;
    int64_t now = g_get_monotonic_time();
    if (now < p->next_us)
        return;
    p->next_us = now + PERIOD_US;
    g_autofree char *name = g_strescape(input, NULL); /* a file name may hold control bytes */
    /* \r and erase-to-end-of-line: the line is rewritten in place, never scrolls. */
    fprintf(stderr,
            "\rcertpath: reading %s: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
            " TLS handshakes so far\033[K",
            name, frames, handshakes);
    fflush(stderr);
    p->shown = true;
}

void
cp_progress_clear(CpProgress *p)
{
    if (p == NULL || !p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = false;
}

void
cp_progress_free(CpProgress *p)
{
    cp_progress_clear(p);
    g_free(p);
}
