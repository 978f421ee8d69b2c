/* SPDX-License-Identifier: BSD-2-Clause */
/* signals: handlers only set sig_atomic_t flags and call cp_capture_break, which libpcap 1.10
 * makes safe from signal handlers and other threads. A second Ctrl-C kills at once, should the
 * final report ever hang. SIGPIPE is ignored: a log shipper that goes away must end the run
 * cleanly (a write error), not kill it. */
#include "cli/signals.h"

#include <signal.h>
#include <string.h>

/* The only process-wide state: a signal handler cannot be given a context pointer. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t report_requested;
static volatile sig_atomic_t hangup_requested;
static CpCapture *volatile signal_capture;

static void
on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    if (signal_capture != NULL)
        cp_capture_break(signal_capture);
}

static void
on_report_signal(int sig)
{
    (void)sig;
    report_requested = 1;
}

#ifdef SIGHUP
static void
on_hangup_signal(int sig)
{
    (void)sig;
    hangup_requested = 1;
}
#endif

static void
set_handler(int sig, void (*fn)(int), bool once)
{
#ifdef SA_RESETHAND
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = once ? (int)SA_RESETHAND : 0;
    sigaction(sig, &sa, NULL);
#else
    (void)once;
    signal(sig, fn);
#endif
}

void
cp_signals_install(CpCapture *cap)
{
    stop_requested = 0;
    report_requested = 0;
    hangup_requested = 0;
    signal_capture = cap;
    set_handler(SIGINT, on_stop_signal, true);
    set_handler(SIGTERM, on_stop_signal, true);
#ifdef SIGHUP
    set_handler(SIGHUP, on_hangup_signal, false);
#endif
#ifdef SIGUSR1
    set_handler(SIGUSR1, on_report_signal, false);
#endif
#ifdef SIGPIPE
    set_handler(SIGPIPE, SIG_IGN, false);
#endif
}

void
cp_signals_restore(void)
{
    set_handler(SIGINT, SIG_DFL, false);
    set_handler(SIGTERM, SIG_DFL, false);
#ifdef SIGHUP
    set_handler(SIGHUP, SIG_DFL, false);
#endif
#ifdef SIGUSR1
    set_handler(SIGUSR1, SIG_DFL, false);
#endif
    signal_capture = NULL;
}

void
cp_signals_request_stop(void)
{
    stop_requested = 1;
    if (signal_capture != NULL)
        cp_capture_break(signal_capture);
}

bool
cp_signals_stop_requested(void)
{
    return stop_requested != 0;
}

bool
cp_signals_take_report_request(void)
{
    if (!report_requested)
        return false;
    report_requested = 0;
    return true;
}

bool
cp_signals_take_hangup_request(void)
{
    if (!hangup_requested)
        return false;
    hangup_requested = 0;
    return true;
}
