/* SPDX-License-Identifier: BSD-2-Clause */
/* reader: bounds-checked cursor over untrusted bytes; see reader.h and docs/internals/reader.md. */
#include "base/reader.h"

#include <string.h>

void
cp_reader_init(CpReader *r, const uint8_t *data, size_t avail, size_t declared)
{
    r->data = data;
    r->avail = data == NULL ? 0 : (declared < avail ? declared : avail);
    r->declared = declared;
    r->pos = 0;
    r->status = CP_READ_OK;
}

/* The single decision point: subtract from the side known to be larger (R5). */
static bool
need(CpReader *r, size_t n)
{
    if (r->status != CP_READ_OK)
        return false;
    if (n <= r->avail - r->pos)
        return true;
    r->status = n <= r->declared - r->pos ? CP_READ_TRUNCATED : CP_READ_MALFORMED;
    return false;
}

bool
cp_reader_u8(CpReader *r, uint8_t *v)
{
    *v = 0;
    if (!need(r, 1))
        return false;
    *v = r->data[r->pos++];
    return true;
}

static uint32_t
be(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t
le(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

bool
cp_reader_be16(CpReader *r, uint16_t *v)
{
    *v = 0;
    if (!need(r, 2))
        return false;
    *v = (uint16_t)be(r->data + r->pos, 2);
    r->pos += 2;
    return true;
}

bool
cp_reader_be24(CpReader *r, uint32_t *v)
{
    *v = 0;
    if (!need(r, 3))
        return false;
    *v = be(r->data + r->pos, 3);
    r->pos += 3;
    return true;
}

bool
cp_reader_be32(CpReader *r, uint32_t *v)
{
    *v = 0;
    if (!need(r, 4))
        return false;
    *v = be(r->data + r->pos, 4);
    r->pos += 4;
    return true;
}

bool
cp_reader_le16(CpReader *r, uint16_t *v)
{
    *v = 0;
    if (!need(r, 2))
        return false;
    *v = (uint16_t)le(r->data + r->pos, 2);
    r->pos += 2;
    return true;
}

bool
cp_reader_le32(CpReader *r, uint32_t *v)
{
    *v = 0;
    if (!need(r, 4))
        return false;
    *v = le(r->data + r->pos, 4);
    r->pos += 4;
    return true;
}

bool
cp_reader_bytes(CpReader *r, size_t n, const uint8_t **view)
{
    *view = NULL;
    if (!need(r, n))
        return false;
    *view = r->data + r->pos;
    r->pos += n;
    return true;
}

bool
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

bool
cp_reader_skip(CpReader *r, size_t n)
{
    if (!need(r, n))
        return false;
    r->pos += n;
    return true;
}

bool
cp_reader_sub(CpReader *r, size_t n, CpReader *child)
{
    cp_reader_init(child, NULL, 0, 0);
    if (r->status != CP_READ_OK)
        return false;
    if (n > r->declared - r->pos) {
        r->status = CP_READ_MALFORMED;
        return false;
    }
    size_t have = r->avail - r->pos;
    if (n <= have) {
        cp_reader_init(child, r->data + r->pos, n, n);
        r->pos += n;
        return true;
    }
    /* Cut by the capture: the child is readable up to the cut, nothing after it is. */
    cp_reader_init(child, r->data + r->pos, have, n);
    r->pos = r->avail;
    r->status = CP_READ_TRUNCATED;
    return true;
}

static bool
vec(CpReader *r, size_t width, CpReader *child)
{
    uint32_t n = 0;
    uint8_t b8;
    uint16_t b16;
    bool ok;

    switch (width) {
    case 1:
        ok = cp_reader_u8(r, &b8);
        n = b8;
        break;
    case 2:
        ok = cp_reader_be16(r, &b16);
        n = b16;
        break;
    default:
        ok = cp_reader_be24(r, &n);
        break;
    }
    if (!ok) {
        cp_reader_init(child, NULL, 0, 0);
        return false;
    }
    return cp_reader_sub(r, n, child);
}

bool
cp_reader_vec8(CpReader *r, CpReader *child)
{
    return vec(r, 1, child);
}

bool
cp_reader_vec16(CpReader *r, CpReader *child)
{
    return vec(r, 2, child);
}

bool
cp_reader_vec24(CpReader *r, CpReader *child)
{
    return vec(r, 3, child);
}

bool
cp_reader_rest(CpReader *r, CpReader *child)
{
    cp_reader_init(child, NULL, 0, 0);
    if (r->status != CP_READ_OK)
        return false;
    cp_reader_init(child, r->data + r->pos, r->avail - r->pos, r->declared - r->pos);
    r->pos = r->avail;
    if (child->avail < child->declared)
        r->status = CP_READ_TRUNCATED;
    return true;
}

bool
cp_reader_expect_end(CpReader *r)
{
    if (r->status != CP_READ_OK)
        return false;
    if (r->pos != r->declared) {
        r->status = CP_READ_MALFORMED;
        return false;
    }
    return true;
}

bool
cp_reader_peek_u8(const CpReader *r, size_t off, uint8_t *v)
{
    *v = 0;
    if (r->status != CP_READ_OK || off >= r->avail - r->pos)
        return false;
    *v = r->data[r->pos + off];
    return true;
}

size_t
cp_reader_remaining(const CpReader *r)
{
    return r->status == CP_READ_OK ? r->avail - r->pos : 0;
}

size_t
cp_reader_declared_left(const CpReader *r)
{
    return r->declared - r->pos;
}

const uint8_t *
cp_reader_current(const CpReader *r)
{
    return r->data + r->pos;
}

CpReadStatus
cp_reader_status(const CpReader *r)
{
    return r->status;
}
