/* SPDX-License-Identifier: BSD-2-Clause */
/* dtls13: DTLS 1.3 handshake records opened with a key log (RFC 9147).
 *
 *   unified header (§4):  0 0 1 C S L E E | [connection id] | seq (S ? 16 : 8 bits) |
 *                         [length (L): 16 bits] | encrypted record
 *
 * 1. The header: C (a connection ID, whose length only the handshake's extension gives) cannot
 *    be framed (dtls.connection_id); without L the record runs to the end of the datagram.
 * 2. EE, the epoch's low two bits: the key log gives the handshake traffic secrets, epoch 2
 *    (§6.1); a record of another epoch (3: application data) means the handshake is over.
 * 3. The record number is encrypted (§4.2.3): mask = AES-ECB(sn_key, ciphertext[0..15]) for AES
 *    suites, the ChaCha20 key stream with the sample as counter and nonce for ChaCha20; sn_key,
 *    key and iv come from the secret with HKDF-Expand-Label and the "dtls13" prefix (§5.9).
 * 4. The full 48-bit sequence number is the one closest to the next expected (§4.2.2); the
 *    AEAD nonce is iv XOR that sequence number, "unlike DTLS 1.2, the epoch is not included"
 *    (§4; the keys are per epoch), and the additional data is the header as sent with the
 *    record number unmasked (§4).
 * 5. The plaintext is a TLS 1.3 inner plaintext (content, type, zeros); dtls.c reads the
 *    handshake fragments inside (12-byte DTLS headers) as it reads clear ones.
 * Every length comes from the datagram through CpReader; a direction's opened bytes are bounded
 * by --max-decrypt-bytes (tls.decrypt_limit).
 */
#include "dissectors/dtls13.h"

#include <string.h>
#include <glib.h>

enum {
    BIT_CID = 0x10,
    BIT_SEQ16 = 0x08,
    BIT_LEN = 0x04,
    EPOCH_BITS = 0x03,
    HEADER_MAX = 5, /* first byte, 16-bit seq, 16-bit length (no connection id) */
    SEQ_BITS = 48,
};

void
cp_dtls13_dir_clear(CpDtls13Dir *d)
{
    cp_tls_cipher_free(d->cipher);
    memset(d, 0, sizeof *d);
}

static CpTlsCipher *
keys_of(const CpKeylog *keylog, CpKeylogLabel label, const uint8_t *random, uint16_t suite)
{
    uint8_t secret[CP_KEYLOG_SECRET_MAX];
    size_t len;

    if (!cp_keylog_find(keylog, label, random, secret, &len))
        return NULL;
    return cp_dtls13_cipher_new(suite, secret, len);
}

bool
cp_dtls13_keys(CpDtls13Dir dirs[2], CpDir server_dir, const CpKeylog *keylog,
               const uint8_t client_random[CP_KEYLOG_RANDOM_LEN], uint16_t suite,
               CpAnomalies *anomalies)
{
    uint8_t secret[CP_KEYLOG_SECRET_MAX];
    size_t len;

    if (keylog == NULL || !cp_keylog_find(keylog, CP_KEYLOG_SERVER_HS, client_random, secret, &len))
        return false;
    if (!cp_tls_cipher_supported(0x0304, suite)) {
        cp_anomaly_add(anomalies, CP_ANOMALY_TLS_DECRYPT_SUITE); /* tls.decrypt_suite */
        return false;
    }
    CpTlsCipher *srv = keys_of(keylog, CP_KEYLOG_SERVER_HS, client_random, suite);
    if (srv == NULL) {
        cp_anomaly_add(anomalies, CP_ANOMALY_TLS_DECRYPT_SUITE); /* secret of the wrong size */
        return false;
    }
    cp_dtls13_dir_clear(&dirs[server_dir]);
    cp_dtls13_dir_clear(&dirs[1 - server_dir]);
    dirs[server_dir].cipher = srv;
    dirs[1 - server_dir].cipher = keys_of(keylog, CP_KEYLOG_CLIENT_HS, client_random, suite);
    return true;
}

uint64_t
cp_dtls13_reconstruct_seq(uint64_t expected, uint64_t low, unsigned bits)
{
    uint64_t win = (uint64_t)1 << bits, half = win / 2, mask = win - 1;
    uint64_t cand = (expected & ~mask) | (low & mask);

    /* RFC 9000 A.3's decoding, which §4.2.2 follows: the candidate within half a window */
    if (cand + half <= expected && cand + win < ((uint64_t)1 << SEQ_BITS))
        return cand + win;
    if (cand > expected + half && cand >= win)
        return cand - win;
    return cand;
}

typedef struct Header {
    uint8_t bytes[HEADER_MAX]; /* as sent; the record number unmasked before the AEAD */
    size_t len;
    size_t seq_len; /* 1 or 2 */
    uint8_t epoch_bits;
    const uint8_t *body; /* the encrypted record */
    size_t body_len;
} Header;

/* Step 1: frames the record at in's position. false: the datagram's rest is unframed. */
static bool
frame(CpReader *in, Header *h, CpAnomalies *anomalies)
{
    uint8_t first;
    uint16_t len;

    if (!cp_reader_u8(in, &first))
        return false;
    if (first & BIT_CID) {
        /* dtls.connection_id: the id's length was negotiated, not written in the record */
        cp_anomaly_add(anomalies, CP_ANOMALY_DTLS_CONNECTION_ID);
        return false;
    }
    h->bytes[0] = first;
    h->seq_len = (first & BIT_SEQ16) ? 2 : 1;
    h->epoch_bits = first & EPOCH_BITS;
    if (!cp_reader_copy(in, h->bytes + 1, h->seq_len))
        goto malformed;
    h->len = 1 + h->seq_len;
    if (first & BIT_LEN) {
        if (!cp_reader_be16(in, &len))
            goto malformed;
        h->bytes[h->len] = (uint8_t)(len >> 8);
        h->bytes[h->len + 1] = (uint8_t)len;
        h->len += 2;
    } else {
        len = (uint16_t)MIN(cp_reader_remaining(in), 0xffff);
    }
    h->body_len = len;
    if (cp_reader_bytes(in, len, &h->body))
        return true;
malformed:
    /* dtls.malformed: a header cut short, or a length beyond the datagram */
    cp_anomaly_add(anomalies, CP_ANOMALY_DTLS_MALFORMED);
    return false;
}

/* Steps 3-4: the record number, unmasked in h->bytes; false when the record is too short. */
static bool
unmask(CpDtls13Dir *d, Header *h, uint64_t *seq)
{
    uint8_t mask[CP_DTLS13_SAMPLE_LEN];
    uint64_t low = 0;

    if (!cp_dtls13_cipher_mask(d->cipher, h->body, h->body_len, mask))
        return false;
    for (size_t i = 0; i < h->seq_len; i++) {
        h->bytes[1 + i] ^= mask[i];
        low = (low << 8) | h->bytes[1 + i];
    }
    *seq = cp_dtls13_reconstruct_seq(d->next_seq, low, 8 * (unsigned)h->seq_len);
    return true;
}

CpDtls13Status
cp_dtls13_open(CpDtls13Dir *d, CpReader *in, const CpLimits *limits, CpAnomalies *anomalies,
               uint8_t **plain, size_t *plain_len, uint8_t *type)
{
    Header h = { 0 };
    uint64_t seq;

    *plain = NULL;
    *plain_len = 0;
    if (!frame(in, &h, anomalies))
        return CP_DTLS13_UNFRAMED;
    if (h.epoch_bits != (CP_DTLS13_HANDSHAKE_EPOCH & EPOCH_BITS) || d->cipher == NULL)
        return CP_DTLS13_OTHER_EPOCH;
    d->decrypted += h.body_len;
    if (d->decrypted > limits->max_decrypt_bytes) {
        cp_anomaly_add(anomalies, CP_ANOMALY_TLS_DECRYPT_LIMIT); /* tls.decrypt_limit */
        return CP_DTLS13_LIMIT;
    }
    g_autofree uint8_t *out = g_malloc(h.body_len + 1);
    bool ok = unmask(d, &h, &seq) && cp_dtls13_cipher_open(d->cipher, seq, h.bytes, h.len, h.body,
                                                           h.body_len, out, plain_len, type);
    if (!ok) {
        /* tls.decrypt_failed: another key, a damaged record, or a retransmission so late that
         * its number cannot be told */
        cp_anomaly_add(anomalies, CP_ANOMALY_TLS_DECRYPT_FAILED);
        return CP_DTLS13_FAILED;
    }
    if (seq >= d->next_seq)
        d->next_seq = seq + 1;
    *plain = g_steal_pointer(&out);
    return CP_DTLS13_OPENED;
}
