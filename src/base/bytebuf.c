/* SPDX-License-Identifier: BSD-2-Clause */
/* bytebuf: capped growable buffer; see bytebuf.h. */
#include "base/bytebuf.h"

#include <string.h>

bool
cp_memcap_reserve(CpMemcap *m, size_t n)
{
    if (m == NULL)
        return true;
    if (n > m->cap - m->used || m->used > m->cap)
        return false;
    m->used += n;
    if (m->used > m->peak)
        m->peak = m->used;
    return true;
}

void
cp_memcap_release(CpMemcap *m, size_t n)
{
    if (m == NULL)
        return;
    m->used = n > m->used ? 0 : m->used - n;
}

void
cp_bytebuf_init(CpBytebuf *b, size_t max_len, CpMemcap *memcap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max_len = max_len;
    b->memcap = memcap;
}

void
cp_bytebuf_clear(CpBytebuf *b)
{
    cp_memcap_release(b->memcap, b->alloc);
    g_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

CpBufStatus
cp_bytebuf_reserve(CpBytebuf *b, size_t n, uint8_t **out)
{
    *out = NULL;
    if (n > b->max_len - b->len || b->len > b->max_len)
        return CP_BUF_TOO_BIG;
    size_t want = b->len + n;
    if (want > b->alloc) {
        /* Grow geometrically from 1 KiB, never past the ceiling. */
        size_t na = b->alloc ? b->alloc : 1024;
        while (na < want)
            na = na > SIZE_MAX / 2 ? want : na * 2;
        if (na > b->max_len)
            na = b->max_len;
        if (!cp_memcap_reserve(b->memcap, na - b->alloc))
            return CP_BUF_MEMCAP;
        b->data = g_realloc(b->data, na);
        b->alloc = na;
    }
    *out = b->data + b->len;
    return CP_BUF_OK;
}

CpBufStatus
cp_bytebuf_append(CpBytebuf *b, const void *data, size_t n)
{
    uint8_t *dst;
    CpBufStatus st = cp_bytebuf_reserve(b, n, &dst);

    if (st != CP_BUF_OK)
        return st;
    if (n > 0)
        memcpy(dst, data, n);
    b->len += n;
    return CP_BUF_OK;
}

void
cp_bytebuf_consume(CpBytebuf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}
