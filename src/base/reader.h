/* SPDX-License-Identifier: BSD-2-Clause */
/* reader: the only code that dereferences untrusted bytes (STYLE R1-R6).
 *
 * A window knows the bytes it has (avail) and the bytes its enclosing header declared
 * (declared >= avail). A read past avail but within declared is TRUNCATED (the capture lacks
 * bytes the sender promised: snaplen, lost segment); a read past declared is MALFORMED (a
 * length field lies). Failures are sticky and leave pos untouched.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

typedef enum CpReadStatus {
    CP_READ_OK = 0,
    CP_READ_TRUNCATED, /* needed bytes that were declared but not captured */
    CP_READ_MALFORMED, /* needed bytes beyond what the enclosing length declared */
} CpReadStatus;

typedef struct CpReader {
    const uint8_t *data; /* first byte of the window */
    size_t avail;        /* bytes present */
    size_t declared;     /* bytes the enclosing header promised, >= avail */
    size_t pos;          /* next unread byte, <= avail */
    CpReadStatus status; /* sticky: the first failure is kept */
} CpReader;

/* declared < avail clips avail ("honor the shorter claim": Ethernet padding is not TLS). */
void cp_reader_init(CpReader *r, const uint8_t *data, size_t avail, size_t declared);
bool cp_reader_u8(CpReader *r, uint8_t *v) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_be16(CpReader *r, uint16_t *v) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_be24(CpReader *r, uint32_t *v) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_be32(CpReader *r, uint32_t *v) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_le16(CpReader *r, uint16_t *v) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_le32(CpReader *r, uint32_t *v) G_GNUC_WARN_UNUSED_RESULT;
/* (transfer none) view valid as long as the underlying buffer. */
bool cp_reader_bytes(CpReader *r, size_t n, const uint8_t **view) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_copy(CpReader *r, void *dst, size_t n) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_skip(CpReader *r, size_t n) G_GNUC_WARN_UNUSED_RESULT;
/* Child window of declared length n. A child cut by the capture is still returned (readable up
 * to the cut) and the parent becomes TRUNCATED. n beyond the parent's declared rest: MALFORMED. */
bool cp_reader_sub(CpReader *r, size_t n, CpReader *child) G_GNUC_WARN_UNUSED_RESULT;
/* TLS vectors: a 1/2/3-byte big-endian length, then a child of that length. */
bool cp_reader_vec8(CpReader *r, CpReader *child) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_vec16(CpReader *r, CpReader *child) G_GNUC_WARN_UNUSED_RESULT;
bool cp_reader_vec24(CpReader *r, CpReader *child) G_GNUC_WARN_UNUSED_RESULT;
/* Rest of the window as a child (consumes it). Never fails on an OK reader. */
bool cp_reader_rest(CpReader *r, CpReader *child) G_GNUC_WARN_UNUSED_RESULT;
/* Fails MALFORMED when declared bytes are left over. */
bool cp_reader_expect_end(CpReader *r) G_GNUC_WARN_UNUSED_RESULT;
/* Peek without consuming. */
bool cp_reader_peek_u8(const CpReader *r, size_t off, uint8_t *v) G_GNUC_WARN_UNUSED_RESULT;
size_t cp_reader_remaining(const CpReader *r);     /* captured bytes left */
size_t cp_reader_declared_left(const CpReader *r); /* declared bytes left */
const uint8_t *
cp_reader_current(const CpReader *r); /* (transfer none) next byte; only with remaining() */
CpReadStatus cp_reader_status(const CpReader *r);
