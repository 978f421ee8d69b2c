/* SPDX-License-Identifier: BSD-2-Clause */
/* capture: frames from pcap/pcapng files, stdin or a live device; the only code that includes
 * <pcap/pcap.h> (STYLE R21). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#include "base/limits.h"

/* Lifetime: packet. data is borrowed until the next cp_capture_next call (libpcap's rule). */
typedef struct CpFrame {
    uint64_t ts_ns;
    uint32_t caplen;
    uint32_t wirelen;
    int linktype;
    const uint8_t *data;
} CpFrame;

typedef enum CpCaptureStatus {
    CP_CAPTURE_FRAME = 0, /* *frame holds the next frame */
    CP_CAPTURE_END,       /* no more frames (end of file, or live capture stopped) */
    CP_CAPTURE_TIMEOUT,   /* live only: no frame within the read timeout; call again */
    CP_CAPTURE_ERROR,     /* *error says why; frames read so far stay valid */
} CpCaptureStatus;

typedef struct CpCapture CpCapture;

typedef struct CpLiveOptions {
    const char *device;
    const char *filter; /* BPF, NULL for the default ("tcp") */
    int snaplen;        /* 0: whole packets (262144) */
    int buffer_size;    /* kernel buffer in bytes, 0: libpcap's default */
    bool immediate;
    bool promisc;
    int timeout_ms;
} CpLiveOptions;

typedef struct CpCaptureStats {
    uint64_t received;
    uint64_t dropped_kernel;
    uint64_t dropped_iface;
    bool valid;
} CpCaptureStats;

/* (transfer full) path "-" reads standard input. The format is told by content: pcap, pcapng,
 * Network Monitor 1.x/2.x, each possibly gzip- or zstd-compressed (streamed). Other files get a
 * one-line error naming what they are when that is recognisable (.etl, ZIP/.matp, ...). The
 * file-format limits (max_frame_len, max_interfaces) are read from limits at open and not kept;
 * NULL means the defaults. */
CpCapture *cp_capture_open_file_full(const char *path, const CpLimits *limits, GError **error);
/* (transfer full) as cp_capture_open_file_full with the default limits. */
CpCapture *cp_capture_open_file(const char *path, GError **error);
/* (transfer full) reads an open stream (e.g. fmemopen for fuzzing); fp is closed by
 * cp_capture_free when own_fp (also when the open fails). limits as above. */
CpCapture *cp_capture_open_stream_full(FILE *fp, const char *name, bool own_fp,
                                       const CpLimits *limits, GError **error);
CpCapture *cp_capture_open_stream(FILE *fp, const char *name, bool own_fp, GError **error);
CpCapture *cp_capture_open_live(const CpLiveOptions *opt, GError **error);
CpCaptureStatus cp_capture_next(CpCapture *c, CpFrame *frame, GError **error);
/* Makes a blocked cp_capture_next return CP_CAPTURE_END soon; safe from a signal handler. */
void cp_capture_break(CpCapture *c);
bool cp_capture_stats(CpCapture *c, CpCaptureStats *stats);
const char *cp_capture_name(const CpCapture *c);
/* Records of the file that are not packets and were skipped: NetMon's metadata frames
 * (NetEvent, network info, filters) and media types certpath cannot decode. */
uint64_t cp_capture_skipped(const CpCapture *c);
/* pcapng Decryption Secrets Block (secrets_type: 0x544c534b "TLSK" for an NSS key log, as
 * editcap --inject-secrets writes it). data lives for the call. */
typedef void (*CpSecretsFn)(void *user, uint32_t secrets_type, const uint8_t *data, size_t len);
#define CP_SECRETS_TLS_KEYLOG 0x544c534bu
/* Secrets blocks met while reading are handed to fn (before the packets after them). */
void cp_capture_set_secrets_fn(CpCapture *c, CpSecretsFn fn, void *user);
void cp_capture_free(CpCapture *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CpCapture, cp_capture_free)

/* (transfer full) The capture files one input stands for, in the order to read them as one
 * capture: the input itself for a plain file or "-"; for a directory, or a ring-buffer file set
 * (tcpdump -C/-W, dumpcap -b names), its members sorted by the timestamp of their first packet.
 * Members that are not captures are left out, each with its one-line reason added to skipped
 * (may be NULL). NULL with *error when a directory cannot be listed or holds no capture. */
GPtrArray *cp_capture_expand_input(const char *input, const CpLimits *limits, GPtrArray *skipped,
                                   GError **error);

/* Lists capture devices, one "name\tdescription" string each. (transfer full) */
GPtrArray *cp_capture_list_devices(GError **error);
