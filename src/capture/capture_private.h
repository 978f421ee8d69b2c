/* SPDX-License-Identifier: BSD-2-Clause */
/* capture_private: the CpCapture struct shared by the file and live sources, and the read
 * window of the file reader that the other file formats (netmon.c) and the decompressors
 * (decompress.c) share with capture_file.c. */
#pragma once

#include <pcap/pcap.h>
#include <sys/types.h>

#include "base/reader.h"
#include "capture/capture.h"

typedef struct FileSrc FileSrc;
typedef struct CpNetmon CpNetmon;
typedef struct CpDecomp CpDecomp;

struct CpCapture {
    pcap_t *pcap;  /* live captures */
    FileSrc *file; /* files: our own reader (capture_file.c) */
    char *name;
    bool live;
    bool micro; /* timestamps in microseconds (live fallback) */
    uint64_t frames;
    uint64_t skipped;       /* file records that are not packets (NetMon metadata frames) */
    volatile int stop;      /* set by cp_capture_break */
    CpSecretsFn secrets_fn; /* (nullable) pcapng Decryption Secrets Blocks go here */
    void *secrets_user;
};

/* (transfer full) takes ownership of p. */
CpCapture *cp_capture_wrap(pcap_t *p, const char *name, bool live);

CpCaptureStatus cp_capture_file_next(CpCapture *c, CpFrame *f, GError **error);
void cp_capture_file_close(CpCapture *c);

/* The file reader's window (capture_file.c): a reader over the next n bytes of the (possibly
 * decompressed) file, consumed; valid until the next read. false: *eof when not one byte was
 * left, else *error says why. */
bool cp_capture_file_read(CpCapture *c, size_t n, CpReader *r, bool *eof, GError **error);
/* The frame-size limit read at open (--max-frame-size). */
uint32_t cp_capture_file_max_frame(const CpCapture *c);
/* Reads raw (still compressed) bytes from the file: at most room, at least one unless at the
 * end. -1 with errno on error. For decompress.c. */
ssize_t cp_capture_file_raw_read(CpCapture *c, uint8_t *dst, size_t room);

/* Network Monitor 1.x/2.x (netmon.c). open: after the 4-byte magic ("RTSS" 1.x, "GMBU" 2.x),
 * already consumed. (transfer full) */
CpNetmon *cp_netmon_open(CpCapture *c, GError **error);
CpCaptureStatus cp_netmon_next(CpCapture *c, CpNetmon *nm, CpFrame *f, GError **error);
void cp_netmon_free(CpNetmon *nm);

/* Compressed captures (decompress.c), recognised by their magic. */
typedef enum CpCompression {
    CP_COMPRESSION_NONE = 0,
    CP_COMPRESSION_GZIP,
    CP_COMPRESSION_ZSTD,
} CpCompression;

/* What the first bytes say: gzip (1f 8b 08) or zstd (28 b5 2f fd); NONE otherwise. */
CpCompression cp_decomp_sniff(const uint8_t *p, size_t n);
/* A decompressor that starts with the raw bytes pre[0..pre_len) already read from the file.
 * NULL with *error when this build cannot read kind (zstd without libzstd). (transfer full) */
CpDecomp *cp_decomp_new(CpCompression kind, const uint8_t *pre, size_t pre_len, const char *name,
                        GError **error);
/* Decompressed bytes into dst: at least one unless at the clean end of the data (0); -1 with
 * *error on corrupt or truncated data (the bytes before the damage were returned first). */
ssize_t cp_decomp_read(CpDecomp *d, CpCapture *c, uint8_t *dst, size_t room, GError **error);
const char *cp_decomp_kind_name(CpCompression kind);
void cp_decomp_free(CpDecomp *d);
