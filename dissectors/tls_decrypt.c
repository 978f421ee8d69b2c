/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_decrypt: the records of a direction that a key log opens (--keylog, pcapng Decryption
 * Secrets Blocks), handed back to the handshake parser as if they had been sent in the clear.
 *
 * TLS 1.3: at the final ServerHello the handshake traffic secrets of the client random give
 * both directions their keys (RFC 8446 §7.1); records of type application_data are opened, the
 * inner handshake messages (EncryptedExtensions, Certificate, ... Finished) parsed, and the
 * direction is DONE at its Finished: the handshake keys end there. The dummy ChangeCipherSpec
 * of middlebox compatibility (D.4) is skipped.
 * TLS 1.0-1.2: at each ChangeCipherSpec the CLIENT_RANDOM master secret of the latest hellos
 * keys that direction; encrypted handshake records are opened (Finished, and a renegotiation's
 * hellos and certificates), application data is only counted. A direction is followed for at
 * most --max-decrypt-bytes record bytes (tls.decrypt_limit).
 * A record that does not open (tag, MAC or padding wrong: another key, or damage) ends the
 * direction with tls.decrypt_failed; a suite certpath cannot decrypt leaves it as before
 * (tls.decrypt_suite). Nothing here changes the path of a run without key log.
 */
#include "base/reader.h"
#include "dissectors/tls_cipher.h"
#include "dissectors/tls_keylog.h"
#include "dissectors/tls_private.h"

void
cp_tls_session_set_keylog(CpTlsSession *s, const CpKeylog *keylog)
{
    s->keylog = keylog;
}

static void
install(CpTlsSession *s, CpDir dir, CpTlsCipher *c)
{
    cp_tls_cipher_free(s->dir[dir].cipher);
    s->dir[dir].cipher = c;
}

static CpTlsCipher *
cipher13(CpTlsSession *s, CpKeylogLabel label)
{
    uint8_t secret[CP_KEYLOG_SECRET_MAX];
    size_t len;

    if (!cp_keylog_find(s->keylog, label, s->client_random, secret, &len))
        return NULL;
    CpTlsCipher *c = cp_tls_cipher_new13(s->cipher_suite, secret, len);
    if (c == NULL)
        cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_DECRYPT_SUITE); /* tls.decrypt_suite */
    return c;
}

bool
cp_tls_keys13(CpTlsSession *s, CpDir server_dir)
{
    if (s->keylog == NULL || !s->have_client_random)
        return false;
    if (!cp_tls_cipher_supported(0x0304, s->cipher_suite)) {
        cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_DECRYPT_SUITE);
        return false;
    }
    CpTlsCipher *srv = cipher13(s, CP_KEYLOG_SERVER_HS);
    if (srv == NULL)
        return false;
    install(s, server_dir, srv);
    install(s, 1 - server_dir, cipher13(s, CP_KEYLOG_CLIENT_HS));
    return true;
}

/* At a TLS 1.0-1.2 ChangeCipherSpec in dir. */
static bool
keys12(CpTlsSession *s, CpDir dir)
{
    uint8_t master[CP_KEYLOG_SECRET_MAX];
    size_t len;

    if (!s->have_client_random || !s->have_server_random ||
        !cp_keylog_find(s->keylog, CP_KEYLOG_CLIENT_RANDOM, s->client_random, master, &len))
        return false;
    if (!cp_tls_cipher_supported(s->version, s->cipher_suite)) {
        cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_DECRYPT_SUITE); /* tls.decrypt_suite */
        return false;
    }
    CpTlsCipher *c = cp_tls_cipher_new12(s->version, s->cipher_suite, master, len, s->client_random,
                                         s->server_random, s->dir[dir].sent_client_hello,
                                         s->encrypt_then_mac);
    if (c == NULL) {
        cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_DECRYPT_SUITE);
        return false;
    }
    install(s, dir, c);
    return true;
}

bool
cp_tls_decrypt_ccs(CpTlsSession *s, CpDir dir, bool *keep_going)
{
    CpTlsDir *d = &s->dir[dir];

    if (s->keylog == NULL)
        return false;
    if (cp_tls_version_is_13(s->version)) {
        *keep_going = d->cipher != NULL; /* the compatibility dummy: keys are already in place */
        return d->cipher != NULL;
    }
    *keep_going = keys12(s, dir);
    if (!*keep_going)
        install(s, dir, NULL);
    return true;
}

static CpFeedStatus
failed(CpTlsSession *s, CpDir dir)
{
    CpTlsDir *d = &s->dir[dir];
    CpTlsEvent ev;

    cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_DECRYPT_FAILED); /* tls.decrypt_failed */
    if (cp_tls_version_is_13(s->version) && d->sent_server_hello && !d->sent_certificate) {
        cp_tls_event_init(&ev, CP_TLS_EV_ENCRYPTED, dir); /* the chain stays unread */
        cp_tls_emit(s, &ev);
    }
    return CP_FEED_DONE;
}

/* The plaintext of one record, by its (inner) content type. */
static CpFeedStatus
plaintext(CpTlsSession *s, CpDir dir, uint8_t type, const uint8_t *p, size_t n)
{
    CpReader r;

    cp_reader_init(&r, p, n, n);
    switch (type) {
    case CP_TLS_CT_HANDSHAKE:
        return cp_tls_handshake_record(s, dir, &r);
    case CP_TLS_CT_ALERT:
        return cp_tls_alert_parse(s, dir, p, n);
    case CP_TLS_CT_APPDATA:
        /* TLS 1.3: application data under handshake keys cannot be; the handshake is over */
        return cp_tls_version_is_13(s->version) ? CP_FEED_DONE : CP_FEED_MORE;
    default:
        return CP_FEED_MORE;
    }
}

CpFeedStatus
cp_tls_decrypt_record(CpTlsSession *s, CpDir dir, const uint8_t hdr[5], CpReader *payload)
{
    CpTlsDir *d = &s->dir[dir];
    size_t n = cp_reader_remaining(payload);
    const uint8_t *in;

    if (!cp_reader_bytes(payload, n, &in))
        return CP_FEED_MORE;
    d->decrypted += n;
    if (d->decrypted > s->limits->max_decrypt_bytes) {
        cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_DECRYPT_LIMIT); /* tls.decrypt_limit */
        return CP_FEED_DONE;
    }
    if (!cp_tls_version_is_13(s->version) && hdr[0] == CP_TLS_CT_APPDATA) {
        cp_tls_cipher_skip(d->cipher, in, n); /* a TLS 1.2 record says its type: no need */
        return CP_FEED_MORE;
    }
    g_autofree uint8_t *out = g_malloc(n > 0 ? n : 1);
    size_t out_len;
    uint8_t type;
    if (!cp_tls_cipher_open(d->cipher, hdr, in, n, out, &out_len, &type))
        return failed(s, dir);
    return plaintext(s, dir, type, out, out_len);
}

CpFeedStatus
cp_tls_decrypt_finished(const CpTlsSession *s, CpDir dir)
{
    /* TLS 1.3: the handshake keys end at Finished; TLS 1.2 may renegotiate later */
    if (s->dir[dir].cipher != NULL && cp_tls_version_is_13(s->version))
        return CP_FEED_DONE;
    return CP_FEED_MORE;
}
