/* SPDX-License-Identifier: BSD-2-Clause */
/* signals: what a running capture is asked from outside — stop (SIGINT, SIGTERM) and report so
 * far (SIGHUP, SIGUSR1) — as flags the capture loop and its clock poll. */
#pragma once

#include <stdbool.h>

#include "capture/capture.h"

/* Installs the handlers; a stop signal also breaks cap's blocking read. */
void cp_signals_install(CpCapture *cap);
/* Puts the default handlers back. */
void cp_signals_restore(void);
/* Asks the loop to stop (from --duration, --count or a dead output), as a signal would. */
void cp_signals_request_stop(void);
bool cp_signals_stop_requested(void);
/* True once per SIGUSR1 received. */
bool cp_signals_take_report_request(void);
/* True once per SIGHUP received: logrotate's "reopen -o FILE" (the report so far without -o). */
bool cp_signals_take_hangup_request(void);
