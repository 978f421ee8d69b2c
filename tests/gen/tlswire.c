/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlswire.c - locate the server's Certificate message and hash its entries.
 *
 * 1. Walk records (type, version, 16-bit length) while they are handshake
 *    records; collect their payloads into one handshake stream and remember
 *    where each payload started on the wire.
 * 2. Walk handshake messages (type, 24-bit length); at the Certificate (11)
 *    message hash every certificate_list entry (RFC 5246 §7.4.2).
 * 3. Translate the message's handshake offsets back to wire offsets.
 */
#include "tlswire.h"

#include <string.h>

enum {
    REC_HANDSHAKE = 22,
    HS_CERTIFICATE = 11,
    REC_HEADER_LEN = 5,
    HS_HEADER_LEN = 4,
};

typedef struct Piece {
    size_t hs_off;   /* offset in the handshake stream */
    size_t wire_off; /* offset of the same byte on the wire */
    size_t len;
} Piece;

static uint32_t
be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static size_t
to_wire(const GArray *pieces, size_t hs_off)
{
    for (guint i = 0; i < pieces->len; i++) {
        const Piece *p = &g_array_index(pieces, Piece, i);
        if (hs_off >= p->hs_off && hs_off - p->hs_off < p->len)
            return p->wire_off + (hs_off - p->hs_off);
    }
    return 0;
}

static void
collect(const uint8_t *data, size_t len, GByteArray *hs, GArray *pieces)
{
    size_t pos = 0;

    while (len - pos >= REC_HEADER_LEN && data[pos] == REC_HANDSHAKE) {
        size_t rlen = (size_t)data[pos + 3] << 8 | data[pos + 4];
        Piece piece = { hs->len, pos + REC_HEADER_LEN, rlen };

        if (rlen > len - pos - REC_HEADER_LEN)
            break;
        g_byte_array_append(hs, data + pos + REC_HEADER_LEN, (guint)rlen);
        g_array_append_val(pieces, piece);
        pos += REC_HEADER_LEN + rlen;
    }
}

static void
hash_chain(const uint8_t *body, size_t len, GPtrArray *chain)
{
    size_t pos = 3; /* certificate_list<0..2^24-1> length, trusted below */

    while (len >= pos && len - pos >= 3) {
        size_t clen = be24(body + pos);
        char *hex;

        if (clen > len - pos - 3)
            break;
        hex = g_compute_checksum_for_data(G_CHECKSUM_SHA1, body + pos + 3, clen);
        g_ptr_array_add(chain, g_ascii_strup(hex, -1));
        g_free(hex);
        pos += 3 + clen;
    }
}

void
cg_tlswire_scan_server(const uint8_t *data, size_t len, CgWireInfo *info)
{
    GByteArray *hs = g_byte_array_new();
    GArray *pieces = g_array_new(FALSE, FALSE, sizeof(Piece));
    size_t pos = 0;

    memset(info, 0, sizeof(*info));
    info->chain = g_ptr_array_new_with_free_func(g_free);
    collect(data, len, hs, pieces);
    while (hs->len - pos >= HS_HEADER_LEN) {
        size_t mlen = be24(hs->data + pos + 1);

        if (mlen > hs->len - pos - HS_HEADER_LEN)
            break;
        if (hs->data[pos] == HS_CERTIFICATE) {
            info->has_certificate = true;
            info->cert_start = to_wire(pieces, pos);
            info->cert_end = to_wire(pieces, pos + HS_HEADER_LEN + mlen - 1) + 1;
            hash_chain(hs->data + pos + HS_HEADER_LEN, mlen, info->chain);
            break;
        }
        pos += HS_HEADER_LEN + mlen;
    }
    g_array_free(pieces, TRUE);
    g_byte_array_unref(hs);
}

void
cg_wire_info_clear(CgWireInfo *info)
{
    if (info->chain != NULL)
        g_ptr_array_free(info->chain, TRUE);
    info->chain = NULL;
}
