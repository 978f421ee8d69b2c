/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_records: certpath --records input (analysis/records.h over base/json.h, RFC 8259) cut into
 * lines as cli/records_input.c cuts them, each fed to the records reader of a real pipeline, and
 * the whole input once more to the JSON parser alone. The limits are small so the depth, value
 * and line bounds are reached (STYLE R25, R65).
 * Checked: every line is counted once, as taken or rejected; no more handshakes reach the model
 * than were taken; every chain link names a certificate with that thumbprint or none; the
 * parser's result and status agree. */
#include <glib.h>
#include <string.h>

#include "analysis/pipeline.h"
#include "analysis/records.h"
#include "base/json.h"
#include "fuzz.h"

static void
check_events(GArray *events)
{
    for (guint i = 0; events != NULL && i < events->len; i++) {
        const CpEvent *e = &g_array_index(events, CpEvent, i);
        if (e->kind != CP_EVENT_HANDSHAKE)
            continue;
        for (guint j = 0; j < e->handshake->chain->len; j++) {
            const CpChainLink *l = &g_array_index(e->handshake->chain, CpChainLink, j);
            CP_FUZZ_CHECK(strlen(l->sha1) == 40);
            CP_FUZZ_CHECK(l->cert == NULL || strcmp(l->cert->sha1, l->sha1) == 0);
        }
    }
    cp_pipeline_events_free(events);
}

static void
feed_lines(CpRecords *rd, CpPipeline *pl, const uint8_t *data, size_t size)
{
    uint64_t lines = 0;

    while (size > 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t len = nl != NULL ? (size_t)(nl - data) : size;
        cp_records_line(rd, data, len);
        lines++;
        check_events(cp_pipeline_take_events(pl));
        if (nl == NULL)
            break;
        data += len + 1;
        size -= len + 1;
    }
    CP_FUZZ_CHECK(cp_records_stats(rd)->lines == lines);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CpLimits limits;
    CpJsonStatus st;

    cp_limits_init_default(&limits);
    limits.max_record_line = 8192;
    limits.max_record_depth = 6;
    limits.max_record_values = 512;
    limits.max_chain_certs = 4;
    limits.max_servers = 8;
    CpPipeline *pl = cp_pipeline_new(&limits);
    CpRecords *rd = cp_records_new(pl, &limits);
    feed_lines(rd, pl, data, size);
    const CpRecordsStats *s = cp_records_stats(rd);
    CP_FUZZ_CHECK(s->handshakes + s->rejected <= s->lines);
    CpSeen seen;
    cp_pipeline_seen(pl, &seen);
    CP_FUZZ_CHECK(seen.stats.tls_connections == s->handshakes);
    CP_FUZZ_CHECK(seen.servers->len <= limits.max_servers);
    cp_records_free(rd);
    cp_pipeline_free(pl);

    CpJson *v = cp_json_parse(data, size, 6, 512, &st);
    CP_FUZZ_CHECK((v == NULL) == (st != CP_JSON_OK));
    cp_json_free(v);
    return 0;
}
