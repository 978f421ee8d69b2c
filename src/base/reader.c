/* SPDX-License-Identifier: BSD-2-Clause */
/* reader: bounds-checked cursor over untrusted bytes; see reader.h and docs/internals/reader.md.
 * The per-field getters are inline in reader.h; the window-making calls live here. */
#include "base/reader.h"

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
