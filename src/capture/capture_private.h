/* SPDX-License-Identifier: BSD-2-Clause */
/* capture_private: the CpCapture struct shared by the file and live sources. */
#pragma once

#include <pcap/pcap.h>

#include "capture/capture.h"

typedef struct FileSrc FileSrc;

struct CpCapture {
    pcap_t *pcap;  /* live captures */
    FileSrc *file; /* files: our own reader (capture_file.c) */
    char *name;
    bool live;
    bool micro; /* timestamps in microseconds (live fallback) */
    uint64_t frames;
    volatile int stop; /* set by cp_capture_break */
};

/* (transfer full) takes ownership of p. */
CpCapture *cp_capture_wrap(pcap_t *p, const char *name, bool live);

CpCaptureStatus cp_capture_file_next(CpCapture *c, CpFrame *f, GError **error);
void cp_capture_file_close(CpCapture *c);
