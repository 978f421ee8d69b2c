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
#include <string.h>
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

/* declared < avail clips avail ("honor the shorter claim": Ethernet padding is not TLS). Inline
 * (below) so that a window of constant length lets the compiler drop the getters' checks. */
static inline void cp_reader_init(CpReader *r, const uint8_t *data, size_t avail, size_t declared);

/* The getters below are the hot path of every decoder (several calls per packet header), so
 * they are inline: a call each would cost more than the read. They keep the contract above:
 * on failure pos does not move, outputs are 0/NULL, and the first failure stays in status. */

/* The single decision point (R2, R5): may n more bytes be read? Subtracts from the side known
 * to be larger, so nothing can overflow. Sets status when not. */
static inline bool cp_reader_need(CpReader *r, size_t n) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_u8(CpReader *r, uint8_t *v) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_be16(CpReader *r, uint16_t *v) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_be24(CpReader *r, uint32_t *v) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_be32(CpReader *r, uint32_t *v) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_le16(CpReader *r, uint16_t *v) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_le32(CpReader *r, uint32_t *v) G_GNUC_WARN_UNUSED_RESULT;
/* (transfer none) view valid as long as the underlying buffer. */
static inline bool cp_reader_bytes(CpReader *r, size_t n, const uint8_t **view)
        G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_copy(CpReader *r, void *dst, size_t n) G_GNUC_WARN_UNUSED_RESULT;
static inline bool cp_reader_skip(CpReader *r, size_t n) G_GNUC_WARN_UNUSED_RESULT;
/* Peek without consuming. */
static inline bool cp_reader_peek_u8(const CpReader *r, size_t off, uint8_t *v)
        G_GNUC_WARN_UNUSED_RESULT;
static inline size_t cp_reader_remaining(const CpReader *r);     /* captured bytes left */
static inline size_t cp_reader_declared_left(const CpReader *r); /* declared bytes left */
static inline CpReadStatus cp_reader_status(const CpReader *r);

static inline void
cp_reader_init(CpReader *r, const uint8_t *data, size_t avail, size_t declared)
{
    r->data = data;
    r->avail = data == NULL ? 0 : (declared < avail ? declared : avail);
    r->declared = declared;
    r->pos = 0;
    r->status = CP_READ_OK;
}

static inline bool
cp_reader_need(CpReader *r, size_t n)
{
    if (r->status != CP_READ_OK)
        return false;
    if (n <= r->avail - r->pos)
        return true;
    r->status = n <= r->declared - r->pos ? CP_READ_TRUNCATED : CP_READ_MALFORMED;
    return false;
}

static inline bool
cp_reader_u8(CpReader *r, uint8_t *v)
{
    *v = 0;
    if (!cp_reader_need(r, 1))
        return false;
    *v = r->data[r->pos++];
    return true;
}

static inline bool
cp_reader_be16(CpReader *r, uint16_t *v)
{
    *v = 0;
    if (!cp_reader_need(r, 2))
        return false;
    const uint8_t *p = r->data + r->pos;
    *v = (uint16_t)((unsigned)p[0] << 8 | p[1]);
    r->pos += 2;
    return true;
}

static inline bool
cp_reader_be24(CpReader *r, uint32_t *v)
{
    *v = 0;
    if (!cp_reader_need(r, 3))
        return false;
    const uint8_t *p = r->data + r->pos;
    *v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    r->pos += 3;
    return true;
}

static inline bool
cp_reader_be32(CpReader *r, uint32_t *v)
{
    *v = 0;
    if (!cp_reader_need(r, 4))
        return false;
    const uint8_t *p = r->data + r->pos;
    *v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    r->pos += 4;
    return true;
}

static inline bool
cp_reader_le16(CpReader *r, uint16_t *v)
{
    *v = 0;
    if (!cp_reader_need(r, 2))
        return false;
    const uint8_t *p = r->data + r->pos;
    *v = (uint16_t)((unsigned)p[1] << 8 | p[0]);
    r->pos += 2;
    return true;
}

static inline bool
cp_reader_le32(CpReader *r, uint32_t *v)
{
    *v = 0;
    if (!cp_reader_need(r, 4))
        return false;
    const uint8_t *p = r->data + r->pos;
    *v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    r->pos += 4;
    return true;
}

static inline bool
cp_reader_bytes(CpReader *r, size_t n, const uint8_t **view)
{
    *view = NULL;
    if (!cp_reader_need(r, n))
        return false;
    *view = r->data + r->pos;
    r->pos += n;
    return true;
}

static inline bool
cp_reader_copy(CpReader *r, void *dst, size_t n)
{
    const uint8_t *v;

    if (!cp_reader_bytes(r, n, &v)) {
        memset(dst, 0, n);
        return false;
    }
    if (n > 0)
        memcpy(dst, v, n);
    return true;
}

static inline bool
cp_reader_skip(CpReader *r, size_t n)
{
    if (!cp_reader_need(r, n))
        return false;
    r->pos += n;
    return true;
}

static inline bool
cp_reader_peek_u8(const CpReader *r, size_t off, uint8_t *v)
{
    *v = 0;
    if (r->status != CP_READ_OK || off >= r->avail - r->pos)
        return false;
    *v = r->data[r->pos + off];
    return true;
}

static inline size_t
cp_reader_remaining(const CpReader *r)
{
    return r->status == CP_READ_OK ? r->avail - r->pos : 0;
}

static inline size_t
cp_reader_declared_left(const CpReader *r)
{
    return r->declared - r->pos;
}

static inline CpReadStatus
cp_reader_status(const CpReader *r)
{
    return r->status;
}
