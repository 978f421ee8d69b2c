/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_feed: what the targets that feed dissectors share — the event sink that checks what a
 * dissector reports and reads every byte it points at, and the walk over the {ctl, len, bytes}
 * item lists their inputs are made of (STYLE R65). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "dissectors/tls.h"

typedef struct CpFuzzEvents {
    const CpLimits *limits; /* the limits the dissector was given */
    unsigned sum;           /* every byte an event points at, read so ASan checks the views */
} CpFuzzEvents;

/* A CpTlsEventFn (user: a CpFuzzEvents): an event names a direction, offers at most
 * CP_TLS_MAX_VERSIONS versions and carries at most the limits' certificates, each within
 * --max-cert-size; every byte of its SNI and certificates is read. */
void cp_fuzz_on_event(void *user, const CpTlsEvent *ev);

/* Called for each item: ctl, and len bytes (borrowed from the input). */
typedef void (*CpFuzzItemFn)(void *user, uint8_t ctl, const uint8_t *data, size_t len);

/* Walks data as {ctl, len (big-endian 16 bits), len bytes} items; the last one is cut to what is
 * left, and a trailing piece shorter than an item header is ignored. */
void cp_fuzz_items(const uint8_t *data, size_t size, CpFuzzItemFn fn, void *user);
