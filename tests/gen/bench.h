/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench.h - the "bench" scenario: many connections to many servers, with
 * resumed sessions and bulk application data, streamed to the capture file.
 */
#ifndef CG_BENCH_H
#define CG_BENCH_H

#include "session.h"

gboolean cg_bench_run(CgSession *s, GError **error);

#endif /* CG_BENCH_H */
