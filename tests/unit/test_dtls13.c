/* SPDX-License-Identifier: BSD-2-Clause */
/* test_dtls13: DTLS 1.3 record protection (dissectors/dtls13.c, tls_cipher.c): record number
 * reconstruction (RFC 9147 §4.2.2, with RFC 9000 A.3's example, the same algorithm), the record
 * number mask of AES and ChaCha20 suites (RFC 9147 §4.2.3, with RFC 9001 A.2 and A.5's header
 * protection values, the same construction), the "dtls13" labels, and a record of The Illustrated
 * DTLS 1.3 Connection (dtls.xargs.org: the server's EncryptedExtensions, with the secret its key
 * log publishes; the keys below were derived independently with Python's cryptography HKDF). */
#include <string.h>
#include <glib.h>

#include "harness.h"
#include "unhex.h"
#include "dissectors/dtls13.h"

static const char server_hs_secret[] =
        "8ad7990b9d249bcbaa0805d8d3f3ad2259e75f3a42c5d84db3ea3c6ee57b3d38";
/* unified header 0x2e (S, L, epoch 2), masked record number 79fa, length 47 */
static const char encrypted_extensions_record[] =
        "2e79fa002fee9dcff3f8679a4859fe68377fb34ada85df879c673e501d7a4e8f1950e0fcf67fe442e7d7d2b8"
        "a3d5fa59574ffd00";
/* EncryptedExtensions: DTLS handshake header (seq 1, one fragment), supported_groups; then the
 * inner content type 22 */
static const char encrypted_extensions_plain[] =
        "0800001200010000000000120010000a000c000a0017001d001800190100";

static void
reconstruct_seq_picks_the_closest_number(void)
{
    /* RFC 9000 A.3: largest 0xa82f30ea, 16 low bits 0x9b32 -> 0xa82f9b32 */
    CU_ASSERT_EQUAL(cp_dtls13_reconstruct_seq(0xa82f30eb, 0x9b32, 16), 0xa82f9b32);
    CU_ASSERT_EQUAL(cp_dtls13_reconstruct_seq(0, 0, 8), 0);
    CU_ASSERT_EQUAL(cp_dtls13_reconstruct_seq(0, 0xff, 8), 0xff);
    CU_ASSERT_EQUAL(cp_dtls13_reconstruct_seq(0x100, 0xff, 8), 0xff);  /* a late one */
    CU_ASSERT_EQUAL(cp_dtls13_reconstruct_seq(0x1f0, 0x02, 8), 0x202); /* wrapped low bits */
    /* the top of the 48-bit space does not wrap past it */
    uint64_t top = ((uint64_t)1 << 48) - 1;
    CU_ASSERT_EQUAL(cp_dtls13_reconstruct_seq(top, 0x00, 8), top - 0xff);
}

static void
sn_mask_gives_rfc9001_header_protection_values(void)
{
    uint8_t key[32], sample[16], mask[16], want[5];

    /* RFC 9001 A.2: AES-128 header protection */
    cp_test_unhex("9f50449e04a0e810283a1e9933adedd2", key, sizeof key);
    cp_test_unhex("d1b1c98dd7689fb8ec11d242b123dc9b", sample, sizeof sample);
    cp_test_unhex("437b9aec36", want, sizeof want);
    CU_ASSERT_TRUE(cp_dtls13_sn_mask(0x1301, key, sample, sizeof sample, mask));
    CU_ASSERT_EQUAL(memcmp(mask, want, 5), 0);
    /* RFC 9001 A.5: ChaCha20 header protection */
    cp_test_unhex("25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4", key,
                  sizeof key);
    cp_test_unhex("5e5cd55c41f69080575d7999c25a5bfb", sample, sizeof sample);
    cp_test_unhex("aefefe7d03", want, sizeof want);
    CU_ASSERT_TRUE(cp_dtls13_sn_mask(0x1303, key, sample, sizeof sample, mask));
    CU_ASSERT_EQUAL(memcmp(mask, want, 5), 0);
    /* a record shorter than the sample, an unknown suite */
    CU_ASSERT_FALSE(cp_dtls13_sn_mask(0x1301, key, sample, 15, mask));
    CU_ASSERT_FALSE(cp_dtls13_sn_mask(0xc02f, key, sample, sizeof sample, mask));
}

static void
expand_label_uses_the_dtls13_prefix(void)
{
    uint8_t secret[32], key[16], iv[12], sn[16], tls_key[16], want[16];

    cp_test_unhex(server_hs_secret, secret, sizeof secret);
    CU_ASSERT_TRUE(cp_dtls13_expand_label("SHA256", secret, 32, "key", NULL, 0, key, 16));
    CU_ASSERT_TRUE(cp_dtls13_expand_label("SHA256", secret, 32, "iv", NULL, 0, iv, 12));
    CU_ASSERT_TRUE(cp_dtls13_expand_label("SHA256", secret, 32, "sn", NULL, 0, sn, 16));
    cp_test_unhex("004e03e64ab6cba6b542775ec230e20a", want, sizeof want);
    CU_ASSERT_EQUAL(memcmp(key, want, 16), 0);
    cp_test_unhex("6d9924be044ee97c624913f2", want, sizeof want);
    CU_ASSERT_EQUAL(memcmp(iv, want, 12), 0);
    cp_test_unhex("7173fac51194e775001d625ef69d7c9f", want, sizeof want);
    CU_ASSERT_EQUAL(memcmp(sn, want, 16), 0);
    CU_ASSERT_TRUE(cp_tls13_expand_label("SHA256", secret, 32, "key", NULL, 0, tls_key, 16));
    CU_ASSERT_NOT_EQUAL(memcmp(key, tls_key, 16), 0);
}

/* A direction with the server's epoch 2 keys of the Illustrated DTLS connection. */
static void
server_dir(CpDtls13Dir *d)
{
    uint8_t secret[32];

    memset(d, 0, sizeof *d);
    cp_test_unhex(server_hs_secret, secret, sizeof secret);
    d->cipher = cp_dtls13_cipher_new(0x1301, secret, sizeof secret);
    g_assert(d->cipher != NULL);
}

static CpDtls13Status
open_hex(CpDtls13Dir *d, const char *hex, CpAnomalies *an, GByteArray *plain, uint8_t *type,
         size_t *left)
{
    uint8_t rec[256];
    size_t n = cp_test_unhex(hex, rec, sizeof rec);
    CpLimits limits;
    CpReader r;
    g_autofree uint8_t *out = NULL;
    size_t out_len;

    cp_limits_init_default(&limits);
    cp_reader_init(&r, rec, n, n);
    CpDtls13Status st = cp_dtls13_open(d, &r, &limits, an, &out, &out_len, type);
    if (st == CP_DTLS13_OPENED)
        g_byte_array_append(plain, out, (guint)out_len);
    *left = cp_reader_remaining(&r);
    return st;
}

static void
illustrated_dtls13_record_opens(void)
{
    CpDtls13Dir d;
    CpAnomalies an = { 0 };
    g_autoptr(GByteArray) plain = g_byte_array_new();
    uint8_t type = 0, want[64];
    size_t left;
    size_t n = cp_test_unhex(encrypted_extensions_plain, want, sizeof want);

    server_dir(&d);
    CU_ASSERT_EQUAL(open_hex(&d, encrypted_extensions_record, &an, plain, &type, &left),
                    CP_DTLS13_OPENED);
    CU_ASSERT_EQUAL(type, 22); /* handshake */
    CU_ASSERT_EQUAL(plain->len, n);
    CU_ASSERT_EQUAL(memcmp(plain->data, want, n), 0);
    CU_ASSERT_EQUAL(d.next_seq, 1); /* the masked 79fa was record number 0 */
    CU_ASSERT_EQUAL(left, 0);
    cp_dtls13_dir_clear(&d);
}

static void
tampered_cid_or_other_epoch_records_are_not_opened(void)
{
    CpDtls13Dir d;
    CpAnomalies an = { 0 };
    g_autoptr(GByteArray) plain = g_byte_array_new();
    uint8_t type;
    size_t left;
    char *bad = g_strdup(encrypted_extensions_record);

    server_dir(&d);
    bad[20] = bad[20] == '0' ? '1' : '0'; /* a ciphertext byte */
    CU_ASSERT_EQUAL(open_hex(&d, bad, &an, plain, &type, &left), CP_DTLS13_FAILED);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_TLS_DECRYPT_FAILED], 1);
    bad[0] = '3'; /* 0x3e: a connection id */
    CU_ASSERT_EQUAL(open_hex(&d, bad, &an, plain, &type, &left), CP_DTLS13_UNFRAMED);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_DTLS_CONNECTION_ID], 1);
    g_free(bad);
    bad = g_strdup(encrypted_extensions_record);
    bad[1] = 'f'; /* 0x2f: epoch 3 */
    CU_ASSERT_EQUAL(open_hex(&d, bad, &an, plain, &type, &left), CP_DTLS13_OTHER_EPOCH);
    CU_ASSERT_EQUAL(left, 0); /* consumed: the next record of the datagram can be framed */
    /* a length beyond the datagram */
    CU_ASSERT_EQUAL(open_hex(&d, "2e79fa0030ee9d", &an, plain, &type, &left), CP_DTLS13_UNFRAMED);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_DTLS_MALFORMED], 1);
    /* shorter than the sample */
    CU_ASSERT_EQUAL(open_hex(&d, "2e79fa0004ee9dcff3", &an, plain, &type, &left), CP_DTLS13_FAILED);
    CU_ASSERT_EQUAL(plain->len, 0);
    g_free(bad);
    cp_dtls13_dir_clear(&d);
}

static void
decrypt_limit_at_and_over(void)
{
    CpDtls13Dir d;
    CpAnomalies an = { 0 };
    uint8_t rec[64], type;
    size_t n = cp_test_unhex(encrypted_extensions_record, rec, sizeof rec);
    CpLimits limits;
    CpReader r;
    uint8_t *out;
    size_t out_len;

    cp_limits_init_default(&limits);
    server_dir(&d);
    limits.max_decrypt_bytes = n - 5; /* the record's body: at the limit */
    cp_reader_init(&r, rec, n, n);
    CU_ASSERT_EQUAL(cp_dtls13_open(&d, &r, &limits, &an, &out, &out_len, &type), CP_DTLS13_OPENED);
    g_free(out);
    cp_reader_init(&r, rec, n, n);
    CU_ASSERT_EQUAL(cp_dtls13_open(&d, &r, &limits, &an, &out, &out_len, &type), CP_DTLS13_LIMIT);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_TLS_DECRYPT_LIMIT], 1);
    cp_dtls13_dir_clear(&d);
}

static CU_TestInfo tests[] = {
    { "reconstruct_seq_picks_the_closest_number", reconstruct_seq_picks_the_closest_number },
    { "sn_mask_gives_rfc9001_header_protection_values",
      sn_mask_gives_rfc9001_header_protection_values },
    { "expand_label_uses_the_dtls13_prefix", expand_label_uses_the_dtls13_prefix },
    { "illustrated_dtls13_record_opens", illustrated_dtls13_record_opens },
    { "tampered_cid_or_other_epoch_records_are_not_opened",
      tampered_cid_or_other_epoch_records_are_not_opened },
    { "decrypt_limit_at_and_over", decrypt_limit_at_and_over },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("dtls13", tests, argc, argv);
}
