/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_netmon: the capture layer's NetMon 1.x/2.x reader and its decompressors (STYLE R65).
 * The first byte picks the container so the fuzzer spends its time inside the format rather
 * than rediscovering a magic: 0 "RTSS" (1.x) + the rest, 1 "GMBU" (2.x) + the rest, anything
 * else: the rest as it is (gzip, zstd, or a NetMon file inside them). Every frame is checked
 * against the reader's contract: within the frame limit, data present, wire length at least
 * the captured length; an error always has its one-line message. Seeds: corpus/netmon/, from
 * capgen captures converted with editcap (see docs/internals/reader.md). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "fuzz.h"

#define FUZZ_MAX_FRAME (64u * 1024u)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0; /* a selector and at least one byte: fmemopen refuses an empty buffer */
    const char *magic = data[0] == 0 ? "RTSS" : data[0] == 1 ? "GMBU" : "";
    size_t mlen = strlen(magic);
    uint8_t *copy = g_malloc(mlen + size - 1);
    memcpy(copy, magic, mlen);
    memcpy(copy + mlen, data + 1, size - 1);
    FILE *fp = fmemopen(copy, mlen + size - 1, "rb");
    CP_FUZZ_CHECK(fp != NULL);

    CpLimits limits;
    cp_limits_init_default(&limits);
    limits.max_frame_len = FUZZ_MAX_FRAME;
    GError *err = NULL;
    CpCapture *cap = cp_capture_open_stream_full(fp, "fuzz.cap", true, &limits, &err);
    if (cap == NULL) {
        CP_FUZZ_CHECK(err != NULL && err->message != NULL && strchr(err->message, '\n') == NULL);
        g_error_free(err);
        g_free(copy);
        return 0;
    }
    uint64_t sum = 0;
    for (;;) {
        CpFrame f;
        CpCaptureStatus st = cp_capture_next(cap, &f, &err);
        if (st != CP_CAPTURE_FRAME) {
            CP_FUZZ_CHECK(st == CP_CAPTURE_END || st == CP_CAPTURE_ERROR);
            CP_FUZZ_CHECK((st == CP_CAPTURE_ERROR) == (err != NULL));
            if (err != NULL) {
                CP_FUZZ_CHECK(strchr(err->message, '\n') == NULL);
                g_error_free(err);
            }
            break;
        }
        CP_FUZZ_CHECK(f.caplen <= FUZZ_MAX_FRAME);
        CP_FUZZ_CHECK(f.wirelen >= f.caplen);
        CP_FUZZ_CHECK(f.data != NULL || f.caplen == 0);
        /* Touch every byte handed out, so ASan sees a frame that points outside the window. */
        for (uint32_t i = 0; i < f.caplen; i++)
            sum += f.data[i];
    }
    CP_FUZZ_CHECK(sum != UINT64_MAX);
    cp_capture_free(cap);
    g_free(copy);
    return 0;
}
