/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlswire.h - read back what the generator's own server put on the wire.
 *
 * The truth file's chain is taken from the bytes actually sent, not from the
 * configuration, so it cannot disagree with the capture. The Certificate
 * message's position in the server's byte stream also drives --loss and
 * --seq-wrap. Input is the generator's own output, not hostile bytes; lengths
 * are still checked so a surprise cannot read out of bounds.
 */
#ifndef CG_TLSWIRE_H
#define CG_TLSWIRE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CgWireInfo {
    bool has_certificate; /* a plaintext Certificate message was sent */
    size_t cert_start;    /* stream offset of its handshake header */
    size_t cert_end;      /* stream offset one past its last byte */
    GPtrArray *chain;     /* char* uppercase SHA-1 per certificate, leaf first */
} CgWireInfo;

/*
 * Scan the server's handshake bytes (TLS records, RFC 5246 §6.2 / §7.4.2) up
 * to its ChangeCipherSpec or first encrypted record. Fills `info`, which the
 * caller clears with cg_wire_info_clear().
 */
void cg_tlswire_scan_server(const uint8_t *data, size_t len, CgWireInfo *info);
void cg_wire_info_clear(CgWireInfo *info);

#endif /* CG_TLSWIRE_H */
