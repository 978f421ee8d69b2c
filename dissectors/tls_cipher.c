/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_cipher: record decryption with OpenSSL's EVP, one direction at a time (tls_cipher.h).
 *
 * TLS 1.3 (RFC 8446 §7.3): key = HKDF-Expand-Label(secret, "key", "", key_len), iv = ...("iv",
 * "", 12); the nonce is iv XOR the 64-bit sequence number, the additional data the record
 * header, and the plaintext ends in the real content type followed by zero padding (§5.2, §5.4).
 * TLS 1.0-1.2 (RFC 5246 §6.3): key_block = PRF(master, "key expansion", server_random +
 * client_random), cut into MAC keys, write keys and IVs, client's first. AES-GCM/CCM (RFC 5288,
 * RFC 6655) carry an 8-byte explicit nonce after a 4-byte salt; ChaCha20-Poly1305 (RFC 7905)
 * uses the 1.3 nonce; the additional data is seq + type + version + plaintext length. CBC
 * suites (RFC 5246 §6.2.3.2; RFC 2246 chains the IV) are MAC-then-encrypt with HMAC; a record
 * whose padding or MAC is wrong fails like a bad AEAD tag.
 */
#include "dissectors/tls_cipher.h"

#include <limits.h>
#include <string.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "base/reader.h"

enum {
    NONCE_LEN = 12,
    SALT_LEN = 4,     /* GCM/CCM implicit part (RFC 5288 §3) */
    EXPLICIT_LEN = 8, /* GCM/CCM explicit nonce in the record */
    TAG_LEN = 16,
    TAG_LEN_CCM8 = 8,
    KEY_MAX = 32,
    MAC_MAX = 48,
    BLOCK_MAX = 16,
    MASTER_LEN = 48,
    RANDOM_LEN = 32,
    CP_TLS_SECRET_MAX = 64,
    KEY_BLOCK_MAX = 2 * (MAC_MAX + KEY_MAX + BLOCK_MAX),
    SEQ_AAD_LEN = 13, /* seq, type, version, length */
};

typedef enum Mode { MODE_GCM, MODE_CCM, MODE_CCM8, MODE_CHACHA, MODE_CBC } Mode;

typedef struct Suite {
    uint16_t id;
    bool tls13;
    Mode mode;
    const char *cipher; /* EVP name */
    uint8_t key_len;
    const char *mac; /* CBC: the HMAC digest */
    uint8_t mac_len;
    const char *prf; /* the PRF/HKDF hash (TLS 1.2; TLS 1.0/1.1 use MD5-SHA1) */
} Suite;

/* The suites Lync, Exchange and browsers negotiate; others stay encrypted (tls.decrypt_suite). */
static const Suite suites[] = {
    { 0x1301, true, MODE_GCM, "AES-128-GCM", 16, NULL, 0, "SHA256" },
    { 0x1302, true, MODE_GCM, "AES-256-GCM", 32, NULL, 0, "SHA384" },
    { 0x1303, true, MODE_CHACHA, "ChaCha20-Poly1305", 32, NULL, 0, "SHA256" },
    { 0x1304, true, MODE_CCM, "AES-128-CCM", 16, NULL, 0, "SHA256" },
    { 0x1305, true, MODE_CCM8, "AES-128-CCM", 16, NULL, 0, "SHA256" },
    { 0x009C, false, MODE_GCM, "AES-128-GCM", 16, NULL, 0, "SHA256" },
    { 0x009D, false, MODE_GCM, "AES-256-GCM", 32, NULL, 0, "SHA384" },
    { 0x009E, false, MODE_GCM, "AES-128-GCM", 16, NULL, 0, "SHA256" },
    { 0x009F, false, MODE_GCM, "AES-256-GCM", 32, NULL, 0, "SHA384" },
    { 0xC02B, false, MODE_GCM, "AES-128-GCM", 16, NULL, 0, "SHA256" },
    { 0xC02C, false, MODE_GCM, "AES-256-GCM", 32, NULL, 0, "SHA384" },
    { 0xC02F, false, MODE_GCM, "AES-128-GCM", 16, NULL, 0, "SHA256" },
    { 0xC030, false, MODE_GCM, "AES-256-GCM", 32, NULL, 0, "SHA384" },
    { 0xC09C, false, MODE_CCM, "AES-128-CCM", 16, NULL, 0, "SHA256" },
    { 0xC09D, false, MODE_CCM, "AES-256-CCM", 32, NULL, 0, "SHA256" },
    { 0xC0AC, false, MODE_CCM, "AES-128-CCM", 16, NULL, 0, "SHA256" },
    { 0xC0AD, false, MODE_CCM, "AES-256-CCM", 32, NULL, 0, "SHA256" },
    { 0xC0AE, false, MODE_CCM8, "AES-128-CCM", 16, NULL, 0, "SHA256" },
    { 0xC0AF, false, MODE_CCM8, "AES-256-CCM", 32, NULL, 0, "SHA256" },
    { 0xCCA8, false, MODE_CHACHA, "ChaCha20-Poly1305", 32, NULL, 0, "SHA256" },
    { 0xCCA9, false, MODE_CHACHA, "ChaCha20-Poly1305", 32, NULL, 0, "SHA256" },
    { 0xCCAA, false, MODE_CHACHA, "ChaCha20-Poly1305", 32, NULL, 0, "SHA256" },
    { 0x000A, false, MODE_CBC, "DES-EDE3-CBC", 24, "SHA1", 20, "SHA256" },
    { 0x002F, false, MODE_CBC, "AES-128-CBC", 16, "SHA1", 20, "SHA256" },
    { 0x0033, false, MODE_CBC, "AES-128-CBC", 16, "SHA1", 20, "SHA256" },
    { 0x0035, false, MODE_CBC, "AES-256-CBC", 32, "SHA1", 20, "SHA256" },
    { 0x0039, false, MODE_CBC, "AES-256-CBC", 32, "SHA1", 20, "SHA256" },
    { 0x003C, false, MODE_CBC, "AES-128-CBC", 16, "SHA256", 32, "SHA256" },
    { 0x003D, false, MODE_CBC, "AES-256-CBC", 32, "SHA256", 32, "SHA256" },
    { 0x0067, false, MODE_CBC, "AES-128-CBC", 16, "SHA256", 32, "SHA256" },
    { 0x006B, false, MODE_CBC, "AES-256-CBC", 32, "SHA256", 32, "SHA256" },
    { 0xC009, false, MODE_CBC, "AES-128-CBC", 16, "SHA1", 20, "SHA256" },
    { 0xC00A, false, MODE_CBC, "AES-256-CBC", 32, "SHA1", 20, "SHA256" },
    { 0xC013, false, MODE_CBC, "AES-128-CBC", 16, "SHA1", 20, "SHA256" },
    { 0xC014, false, MODE_CBC, "AES-256-CBC", 32, "SHA1", 20, "SHA256" },
    { 0xC023, false, MODE_CBC, "AES-128-CBC", 16, "SHA256", 32, "SHA256" },
    { 0xC024, false, MODE_CBC, "AES-256-CBC", 32, "SHA384", 48, "SHA384" },
    { 0xC027, false, MODE_CBC, "AES-128-CBC", 16, "SHA256", 32, "SHA256" },
    { 0xC028, false, MODE_CBC, "AES-256-CBC", 32, "SHA384", 48, "SHA384" },
};

struct CpTlsCipher {
    const Suite *suite;
    EVP_CIPHER *evp;
    EVP_CIPHER_CTX *ctx;
    EVP_MAC *hmac; /* CBC */
    uint16_t version;
    uint64_t seq;
    uint8_t key[KEY_MAX];
    uint8_t iv[NONCE_LEN]; /* 1.3 and ChaCha: 12; GCM/CCM: the 4-byte salt */
    uint8_t mac_key[MAC_MAX];
    uint8_t cbc_iv[BLOCK_MAX]; /* TLS 1.0: the previous record's last cipher block */
    uint8_t sn_key[KEY_MAX];   /* DTLS 1.3: record number encryption (RFC 9147 §4.2.3) */
    size_t block;
    bool etm; /* RFC 7366 encrypt-then-MAC (CBC) */
};

/* OSSL_PARAM wants writable pointers for what it only reads: copies, not casts. */
typedef struct Name {
    char s[16];
} Name;

static Name
name_of(const char *n)
{
    Name out;

    g_strlcpy(out.s, n, sizeof(out.s));
    return out;
}

static const Suite *
find_suite(uint16_t version, uint16_t suite)
{
    bool tls13 = version == 0x0304 || (version >> 8) == 0x7f;

    for (size_t i = 0; i < G_N_ELEMENTS(suites); i++)
        if (suites[i].id == suite && suites[i].tls13 == tls13)
            return &suites[i];
    return NULL;
}

bool
cp_tls_cipher_supported(uint16_t version, uint16_t suite)
{
    return find_suite(version, suite) != NULL;
}

static size_t
tag_len(const Suite *s)
{
    return s->mode == MODE_CCM8 ? TAG_LEN_CCM8 : TAG_LEN;
}

/* prefix is "tls13 " (RFC 8446 §7.1) or "dtls13" (RFC 9147 §5.9): both 6 bytes. */
static bool
expand_label(const char *prefix, const char *digest, const uint8_t *secret, size_t secret_len,
             const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len)
{
    /* struct HkdfLabel { uint16 length; opaque label<7..255> = prefix + label;
     *                    opaque context<0..255>; } */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t prefix_len = strlen(prefix);
    size_t label_len = prefix_len + strlen(label), n = 0;

    if (label_len > 255 || ctx_len > 255 || out_len > 0xffff)
        return false;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)label_len;
    memcpy(info + n, prefix, prefix_len);
    memcpy(info + n + prefix_len, label, label_len - prefix_len);
    n += label_len;
    info[n++] = (uint8_t)ctx_len;
    if (ctx_len > 0)
        memcpy(info + n, ctx, ctx_len);
    n += ctx_len;

    uint8_t key[CP_TLS_SECRET_MAX];
    Name dg = name_of(digest);
    if (secret_len > sizeof(key))
        return false;
    memcpy(key, secret, secret_len);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, dg.s, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_end(),
    };
    bool ok = kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    OPENSSL_cleanse(key, sizeof(key));
    return ok;
}

bool
cp_tls13_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                      const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                      size_t out_len)
{
    return expand_label("tls13 ", digest, secret, secret_len, label, ctx, ctx_len, out, out_len);
}

bool
cp_dtls13_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                       const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                       size_t out_len)
{
    return expand_label("dtls13", digest, secret, secret_len, label, ctx, ctx_len, out, out_len);
}

static CpTlsCipher *
cipher_new(const Suite *suite, uint16_t version)
{
    CpTlsCipher *c = g_new0(CpTlsCipher, 1);

    c->suite = suite;
    c->version = version;
    c->evp = EVP_CIPHER_fetch(NULL, suite->cipher, NULL);
    c->ctx = EVP_CIPHER_CTX_new();
    if (suite->mode == MODE_CBC)
        c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (c->evp == NULL || c->ctx == NULL || (suite->mode == MODE_CBC && c->hmac == NULL)) {
        cp_tls_cipher_free(c); /* this OpenSSL lacks the cipher (a FIPS-only provider) */
        return NULL;
    }
    c->block = (size_t)EVP_CIPHER_get_block_size(c->evp);
    if (c->block > BLOCK_MAX) {
        cp_tls_cipher_free(c);
        return NULL;
    }
    return c;
}

/* TLS 1.3 (prefix "tls13 ") and DTLS 1.3 ("dtls13", which also derives the sn_key). */
static CpTlsCipher *
new13(uint16_t suite, const uint8_t *secret, size_t secret_len, const char *prefix, bool dtls)
{
    const Suite *s = find_suite(0x0304, suite);
    size_t hash_len = s != NULL && strcmp(s->prf, "SHA384") == 0 ? 48 : 32;

    if (s == NULL || secret_len != hash_len)
        return NULL;
    CpTlsCipher *c = cipher_new(s, 0x0304);
    if (c == NULL)
        return NULL;
    if (!expand_label(prefix, s->prf, secret, secret_len, "key", NULL, 0, c->key, s->key_len) ||
        !expand_label(prefix, s->prf, secret, secret_len, "iv", NULL, 0, c->iv, NONCE_LEN) ||
        (dtls &&
         !expand_label(prefix, s->prf, secret, secret_len, "sn", NULL, 0, c->sn_key, s->key_len))) {
        cp_tls_cipher_free(c);
        return NULL;
    }
    return c;
}

CpTlsCipher *
cp_tls_cipher_new13(uint16_t suite, const uint8_t *secret, size_t secret_len)
{
    return new13(suite, secret, secret_len, "tls13 ", false);
}

CpTlsCipher *
cp_dtls13_cipher_new(uint16_t suite, const uint8_t *secret, size_t secret_len)
{
    return new13(suite, secret, secret_len, "dtls13", true);
}

static bool
tls12_key_block(const char *digest, const uint8_t *master, const uint8_t cr[RANDOM_LEN],
                const uint8_t sr[RANDOM_LEN], uint8_t *out, size_t out_len)
{
    static const char label[] = "key expansion";
    uint8_t seed[sizeof(label) - 1 + 2 * RANDOM_LEN];

    memcpy(seed, label, sizeof(label) - 1);
    memcpy(seed + sizeof(label) - 1, sr, RANDOM_LEN);
    memcpy(seed + sizeof(label) - 1 + RANDOM_LEN, cr, RANDOM_LEN);
    uint8_t secret[MASTER_LEN];
    Name dg = name_of(digest);
    memcpy(secret, master, MASTER_LEN);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, dg.s, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret, MASTER_LEN),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed)),
        OSSL_PARAM_construct_end(),
    };
    bool ok = kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    OPENSSL_cleanse(secret, sizeof(secret));
    return ok;
}

CpTlsCipher *
cp_tls_cipher_new12(uint16_t version, uint16_t suite, const uint8_t *master, size_t master_len,
                    const uint8_t client_random[RANDOM_LEN],
                    const uint8_t server_random[RANDOM_LEN], bool client_writes,
                    bool encrypt_then_mac)
{
    const Suite *s = find_suite(version, suite);

    if (s == NULL || master_len != MASTER_LEN || version < 0x0301 || version > 0x0303)
        return NULL;
    CpTlsCipher *c = cipher_new(s, version);
    if (c == NULL)
        return NULL;
    size_t mac = s->mac_len, key = s->key_len;
    size_t iv = s->mode == MODE_CBC ? c->block : s->mode == MODE_CHACHA ? NONCE_LEN : SALT_LEN;
    uint8_t kb[KEY_BLOCK_MAX];
    const char *prf = version == 0x0303 ? s->prf : "MD5-SHA1";
    size_t kb_len = 2 * (mac + key + iv);
    if (!tls12_key_block(prf, master, client_random, server_random, kb, kb_len)) {
        cp_tls_cipher_free(c);
        return NULL;
    }
    size_t w = client_writes ? 0 : 1;
    c->etm = encrypt_then_mac && s->mode == MODE_CBC;
    memcpy(c->mac_key, kb + w * mac, mac);
    memcpy(c->key, kb + 2 * mac + w * key, key);
    memcpy(s->mode == MODE_CBC ? c->cbc_iv : c->iv, kb + 2 * (mac + key) + w * iv, iv);
    OPENSSL_cleanse(kb, sizeof(kb));
    return c;
}

void
cp_tls_cipher_free(CpTlsCipher *c)
{
    if (c == NULL)
        return;
    EVP_CIPHER_CTX_free(c->ctx);
    EVP_CIPHER_free(c->evp);
    EVP_MAC_free(c->hmac);
    OPENSSL_cleanse(c, sizeof(*c));
    g_free(c);
}

/* Copies wire bytes in[off..off+n) through the reader (STYLE R1); false if they are not there. */
static bool
wire_copy(const uint8_t *in, size_t len, size_t off, uint8_t *dst, size_t n)
{
    CpReader r;

    cp_reader_init(&r, in, len, len);
    return cp_reader_skip(&r, off) && cp_reader_copy(&r, dst, n);
}

/* iv XOR the sequence number, right-aligned (RFC 8446 §5.3, RFC 7905 §2). */
static void
xor_nonce(const CpTlsCipher *c, uint8_t nonce[NONCE_LEN])
{
    memcpy(nonce, c->iv, NONCE_LEN);
    for (size_t i = 0; i < 8; i++)
        nonce[NONCE_LEN - 1 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

static void
seq_aad(const CpTlsCipher *c, uint8_t type, size_t plain_len, uint8_t aad[SEQ_AAD_LEN])
{
    for (size_t i = 0; i < 8; i++)
        aad[i] = (uint8_t)(c->seq >> (56 - 8 * i));
    aad[8] = type;
    aad[9] = (uint8_t)(c->version >> 8);
    aad[10] = (uint8_t)c->version;
    aad[11] = (uint8_t)(plain_len >> 8);
    aad[12] = (uint8_t)plain_len;
}

/* One AEAD open: nonce, aad, ciphertext (tag after it) into out. */
static bool
aead_open(CpTlsCipher *c, const uint8_t nonce[NONCE_LEN], const uint8_t *aad, size_t aad_len,
          const uint8_t *in, size_t len, uint8_t *out)
{
    size_t tag = tag_len(c->suite);
    bool ccm = c->suite->mode == MODE_CCM || c->suite->mode == MODE_CCM8;
    int n = 0;
    uint8_t tag_copy[TAG_LEN];

    if (len > INT_MAX)
        return false;
    if (!wire_copy(in, len + tag, len, tag_copy, tag))
        return false;
    if (EVP_DecryptInit_ex2(c->ctx, c->evp, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE_LEN, NULL) != 1)
        return false;
    /* CCM takes the tag before the key and the message length before the data */
    if (ccm && EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag, tag_copy) != 1)
        return false;
    if (EVP_DecryptInit_ex2(c->ctx, NULL, c->key, nonce, NULL) != 1)
        return false;
    if (ccm && EVP_DecryptUpdate(c->ctx, NULL, &n, NULL, (int)len) != 1)
        return false;
    if (EVP_DecryptUpdate(c->ctx, NULL, &n, aad, (int)aad_len) != 1)
        return false;
    if (ccm)
        return EVP_DecryptUpdate(c->ctx, out, &n, in, (int)len) == 1;
    if (EVP_DecryptUpdate(c->ctx, out, &n, in, (int)len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag, tag_copy) != 1)
        return false;
    return EVP_DecryptFinal_ex(c->ctx, out + n, &n) == 1;
}

/* RFC 8446 §5.2: TLSInnerPlaintext = content, type, zeros. aad: the record header (DTLS 1.3:
 * with the record number unmasked, RFC 9147 §4). */
static bool
open13(CpTlsCipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
       uint8_t *out, size_t *out_len, uint8_t *type)
{
    uint8_t nonce[NONCE_LEN];
    size_t tag = tag_len(c->suite);
    CpReader r;

    if (len <= tag)
        return false;
    xor_nonce(c, nonce);
    if (!aead_open(c, nonce, aad, aad_len, in, len - tag, out))
        return false;
    size_t n = len - tag;
    cp_reader_init(&r, out, n, n);
    /* Bounded by the record: the last non-zero byte is the real type. */
    while (n > 0 && cp_reader_peek_u8(&r, n - 1, type) && *type == 0)
        n--;
    if (n == 0)
        return false; /* all padding: no content type (RFC 8446 §5.4, unexpected_message) */
    *out_len = n - 1;
    return true;
}

static bool
open12_aead(CpTlsCipher *c, const uint8_t hdr[5], const uint8_t *in, size_t len, uint8_t *out,
            size_t *out_len)
{
    uint8_t nonce[NONCE_LEN], aad[SEQ_AAD_LEN];
    size_t tag = tag_len(c->suite);
    size_t expl = c->suite->mode == MODE_CHACHA ? 0 : EXPLICIT_LEN;

    if (len < expl + tag)
        return false;
    if (expl > 0) {
        memcpy(nonce, c->iv, SALT_LEN);
        if (!wire_copy(in, len, 0, nonce + SALT_LEN, EXPLICIT_LEN))
            return false;
    } else {
        xor_nonce(c, nonce);
    }
    size_t n = len - expl - tag;
    seq_aad(c, hdr[0], n, aad);
    if (!aead_open(c, nonce, aad, sizeof(aad), in + expl, n, out))
        return false;
    *out_len = n;
    return true;
}

static bool
hmac_check(CpTlsCipher *c, uint8_t type, const uint8_t *data, size_t n, const uint8_t *mac)
{
    uint8_t aad[SEQ_AAD_LEN], got[MAC_MAX];
    size_t got_len = 0;
    Name dg = name_of(c->suite->mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dg.s, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(c->hmac);

    seq_aad(c, type, n, aad);
    bool ok = m != NULL && EVP_MAC_init(m, c->mac_key, c->suite->mac_len, params) == 1 &&
              EVP_MAC_update(m, aad, sizeof(aad)) == 1 && EVP_MAC_update(m, data, n) == 1 &&
              EVP_MAC_final(m, got, &got_len, sizeof(got)) == 1 && got_len == c->suite->mac_len &&
              CRYPTO_memcmp(got, mac, got_len) == 0;
    EVP_MAC_CTX_free(m);
    return ok;
}

/* RFC 7366 §3: the MAC covers the header and the whole ciphertext (IV included), checked
 * before decrypting; the plaintext then ends in padding only. */
static bool
open12_etm(CpTlsCipher *c, const uint8_t hdr[5], const uint8_t *in, size_t len, uint8_t *out,
           size_t *out_len)
{
    size_t b = c->block, mac = c->suite->mac_len;
    bool explicit_iv = c->version >= 0x0302;
    size_t skip = explicit_iv ? b : 0;
    int n1 = 0, n2 = 0;
    CpReader r;
    uint8_t pad;

    if (len < mac + skip + b || (len - mac) % b != 0 || len > INT_MAX)
        return false;
    size_t ct = len - mac;
    if (!hmac_check(c, hdr[0], in, ct, in + ct))
        return false;
    const uint8_t *iv = explicit_iv ? in : c->cbc_iv;
    size_t n = ct - skip;
    bool ok = EVP_DecryptInit_ex2(c->ctx, c->evp, c->key, iv, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(c->ctx, 0) == 1 &&
              EVP_DecryptUpdate(c->ctx, out, &n1, in + skip, (int)n) == 1 &&
              EVP_DecryptFinal_ex(c->ctx, out + n1, &n2) == 1;
    (void)wire_copy(in, len, ct - b, c->cbc_iv, b); /* ct >= b: checked above */
    if (!ok || (size_t)n1 + (size_t)n2 != n)
        return false;
    cp_reader_init(&r, out, n, n);
    if (!cp_reader_peek_u8(&r, n - 1, &pad) || (size_t)pad + 1 > n)
        return false;
    *out_len = n - pad - 1;
    return true;
}

/* RFC 5246 §6.2.3.2 (TLS 1.1+: explicit IV first), RFC 2246 §6.2.3.2 (TLS 1.0: chained). */
static bool
open12_cbc(CpTlsCipher *c, const uint8_t hdr[5], const uint8_t *in, size_t len, uint8_t *out,
           size_t *out_len)
{
    size_t b = c->block, mac = c->suite->mac_len;
    bool explicit_iv = c->version >= 0x0302;
    const uint8_t *iv = explicit_iv ? in : c->cbc_iv;
    size_t skip = explicit_iv ? b : 0;
    int n1 = 0, n2 = 0;
    CpReader r;
    uint8_t pad;

    if (len % b != 0 || len < skip + b || len - skip < mac + 1 || len > INT_MAX)
        return false;
    size_t n = len - skip;
    bool ok = EVP_DecryptInit_ex2(c->ctx, c->evp, c->key, iv, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(c->ctx, 0) == 1 &&
              EVP_DecryptUpdate(c->ctx, out, &n1, in + skip, (int)n) == 1 &&
              EVP_DecryptFinal_ex(c->ctx, out + n1, &n2) == 1;
    (void)wire_copy(in, len, len - b, c->cbc_iv, b); /* len >= b: checked above */
    if (!ok || (size_t)n1 + (size_t)n2 != n)
        return false;
    cp_reader_init(&r, out, n, n);
    if (!cp_reader_peek_u8(&r, n - 1, &pad) || (size_t)pad + 1 + mac > n)
        return false;
    size_t content = n - pad - 1 - mac;
    for (size_t i = content + mac; i < n; i++) {
        uint8_t v;
        if (!cp_reader_peek_u8(&r, i, &v) || v != pad)
            return false;
    }
    if (!hmac_check(c, hdr[0], out, content, out + content))
        return false;
    *out_len = content;
    return true;
}

bool
cp_tls_cipher_open(CpTlsCipher *c, const uint8_t hdr[5], const uint8_t *in, size_t len,
                   uint8_t *out, size_t *out_len, uint8_t *type)
{
    bool ok;

    *out_len = 0;
    *type = hdr[0];
    if (c->suite->tls13)
        ok = open13(c, hdr, CP_TLS_RECORD_HEADER_LEN, in, len, out, out_len, type);
    else if (c->etm)
        ok = open12_etm(c, hdr, in, len, out, out_len);
    else if (c->suite->mode == MODE_CBC)
        ok = open12_cbc(c, hdr, in, len, out, out_len);
    else
        ok = open12_aead(c, hdr, in, len, out, out_len);
    c->seq++;
    return ok;
}

void
cp_tls_cipher_skip(CpTlsCipher *c, const uint8_t *in, size_t len)
{
    size_t mac = c->etm ? c->suite->mac_len : 0;

    c->seq++;
    if (c->suite->mode == MODE_CBC && len >= c->block + mac)
        (void)wire_copy(in, len, len - mac - c->block, c->cbc_iv, c->block);
}

bool
cp_dtls13_cipher_open(CpTlsCipher *c, uint64_t seq, const uint8_t *aad, size_t aad_len,
                      const uint8_t *in, size_t len, uint8_t *out, size_t *out_len, uint8_t *type)
{
    *out_len = 0;
    *type = 0;
    c->seq = seq;
    return open13(c, aad, aad_len, in, len, out, out_len, type);
}

/* RFC 9147 §4.2.3: AES suites mask with AES-ECB(sn_key, sample); ChaCha20 ones with the
 * ChaCha20 key stream of sn_key, whose 16-byte IV is the sample itself (counter = sample[0..3]
 * little-endian, nonce = sample[4..15], as OpenSSL's "ChaCha20" takes it and QUIC does). */
bool
cp_dtls13_sn_mask(uint16_t suite, const uint8_t *sn_key, const uint8_t *sample, size_t sample_len,
                  uint8_t mask[CP_DTLS13_SAMPLE_LEN])
{
    static const uint8_t zeros[CP_DTLS13_SAMPLE_LEN];
    const Suite *s = find_suite(0x0304, suite);
    uint8_t in[CP_DTLS13_SAMPLE_LEN];
    int n1 = 0, n2 = 0;

    if (s == NULL || !wire_copy(sample, sample_len, 0, in, sizeof in))
        return false; /* a record shorter than the sample cannot be one (it holds a tag) */
    bool chacha = s->mode == MODE_CHACHA;
    const char *name = chacha ? "ChaCha20" : s->key_len == 32 ? "AES-256-ECB" : "AES-128-ECB";
    EVP_CIPHER *evp = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = evp != NULL && ctx != NULL &&
              EVP_EncryptInit_ex2(ctx, evp, sn_key, chacha ? in : NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, mask, &n1, chacha ? zeros : in, CP_DTLS13_SAMPLE_LEN) == 1 &&
              EVP_EncryptFinal_ex(ctx, mask + n1, &n2) == 1 &&
              (size_t)n1 + (size_t)n2 == CP_DTLS13_SAMPLE_LEN;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(evp);
    return ok;
}

bool
cp_dtls13_cipher_mask(const CpTlsCipher *c, const uint8_t *sample, size_t sample_len,
                      uint8_t mask[CP_DTLS13_SAMPLE_LEN])
{
    return cp_dtls13_sn_mask(c->suite->id, c->sn_key, sample, sample_len, mask);
}
