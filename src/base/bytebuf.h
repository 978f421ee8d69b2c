/* SPDX-License-Identifier: BSD-2-Clause */
/* bytebuf: growable byte buffer with a hard ceiling and a shared memory budget (STYLE R45, R50;
 * curl's dynbuf). Appends past either limit fail without allocating. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* A named budget shared by many buffers (e.g. all reassembly buffers). */
typedef struct CpMemcap {
    size_t used;
    size_t cap;
    size_t peak;
} CpMemcap;

typedef struct CpBytebuf {
    uint8_t *data;    /* (owned) */
    size_t len;       /* bytes in use */
    size_t alloc;     /* bytes allocated, accounted in memcap */
    size_t max_len;   /* ceiling for len */
    CpMemcap *memcap; /* (nullable) borrowed budget */
} CpBytebuf;

typedef enum CpBufStatus { CP_BUF_OK = 0, CP_BUF_TOO_BIG, CP_BUF_MEMCAP } CpBufStatus;

bool cp_memcap_reserve(CpMemcap *m, size_t n) G_GNUC_WARN_UNUSED_RESULT;
void cp_memcap_release(CpMemcap *m, size_t n);

void cp_bytebuf_init(CpBytebuf *b, size_t max_len, CpMemcap *memcap);
/* Frees the storage and returns it to the budget; the buffer can be reused after. */
void cp_bytebuf_clear(CpBytebuf *b);
CpBufStatus cp_bytebuf_append(CpBytebuf *b, const void *data, size_t n) G_GNUC_WARN_UNUSED_RESULT;
/* Drops the first n bytes (n <= len). */
void cp_bytebuf_consume(CpBytebuf *b, size_t n);
/* Makes room for n more bytes without changing len; returns a pointer to write them. */
CpBufStatus cp_bytebuf_reserve(CpBytebuf *b, size_t n, uint8_t **out) G_GNUC_WARN_UNUSED_RESULT;
