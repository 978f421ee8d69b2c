/* SPDX-License-Identifier: BSD-2-Clause */
/* pcapng_writer: the evidence file of -w — the packets of each handshake, as pcapng
 * (draft-ietf-opsawg-pcapng: SHB, one IDB per link type, EPBs with nanosecond stamps), bounded
 * by a byte limit so a capture left running for days cannot fill the disk. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#include "capture/capture.h"

typedef struct CpPcapngWriter CpPcapngWriter;

typedef struct CpPcapngStats {
    uint64_t written;    /* packets written */
    uint64_t bytes;      /* bytes in the file */
    uint64_t over_limit; /* packets not written because of the limit */
    bool write_failed;   /* a write error stopped the file (reported once) */
} CpPcapngStats;

/* (transfer full, fclose) Opens path for writing (created 0644, or truncated) without following
 * a symbolic link at path; refuses, with a one-line error naming path, a symbolic link, a file
 * with other hard links, a directory or a block device (-w and -o: nothing planted where the
 * output goes can make root truncate another file). */
FILE *cp_pcapng_writer_create_file(const char *path, GError **error);
/* (transfer full) Creates path (truncating it, as cp_pcapng_writer_create_file) and writes the
 * section header. limit_bytes: the file never grows past it (0: no limit). if_name (nullable) is
 * recorded in each IDB. */
CpPcapngWriter *cp_pcapng_writer_open(const char *path, const char *if_name, uint64_t limit_bytes,
                                      GError **error);
/* Appends f (an IDB first if its link type is new). Returns false when the frame was not
 * written: over the limit (counted), or a write error (set in error, once; later calls are
 * no-ops returning false). */
bool cp_pcapng_writer_add(CpPcapngWriter *w, const CpFrame *f, GError **error);
/* Pushes buffered blocks to the file so a reader (tshark) sees whole blocks. */
bool cp_pcapng_writer_flush(CpPcapngWriter *w, GError **error);
const CpPcapngStats *cp_pcapng_writer_stats(const CpPcapngWriter *w);
/* Flushes and closes; false with error set when the last bytes could not be written. */
bool cp_pcapng_writer_close(CpPcapngWriter *w, GError **error);
