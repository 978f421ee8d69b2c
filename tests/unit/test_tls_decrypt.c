/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tls_decrypt: the key log parser (dissectors/tls_keylog.c) and the key derivation and
 * record opening (dissectors/tls_cipher.c), checked against RFC 8448 §3 (Simple 1-RTT
 * Handshake): its handshake traffic secrets, the keys and IVs derived from them, and the
 * client's encrypted Finished record. */
#include <string.h>
#include <glib.h>

#include "harness.h"
#include "unhex.h"
#include "dissectors/tls_cipher.h"
#include "dissectors/tls_keylog.h"

/* RFC 8448 §3 values. */
static const char server_hs_secret[] =
        "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
static const char client_hs_secret[] =
        "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
static const char client_finished_record[] =
        "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46"
        "deb384bd1caeacab6867d726c40546";
static const char client_finished_msg[] =
        "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

static void
expand_label_gives_rfc8448_traffic_keys(void)
{
    uint8_t secret[32], key[16], iv[12], want_key[16], want_iv[12];

    cp_test_unhex(server_hs_secret, secret, sizeof(secret));
    CU_ASSERT_TRUE(cp_tls13_expand_label("SHA256", secret, 32, "key", NULL, 0, key, 16));
    CU_ASSERT_TRUE(cp_tls13_expand_label("SHA256", secret, 32, "iv", NULL, 0, iv, 12));
    cp_test_unhex("3fce516009c21727d0f2e4e86ee403bc", want_key, sizeof(want_key));
    cp_test_unhex("5d313eb2671276ee13000b30", want_iv, sizeof(want_iv));
    CU_ASSERT_EQUAL(memcmp(key, want_key, 16), 0);
    CU_ASSERT_EQUAL(memcmp(iv, want_iv, 12), 0);

    cp_test_unhex(client_hs_secret, secret, sizeof(secret));
    CU_ASSERT_TRUE(cp_tls13_expand_label("SHA256", secret, 32, "key", NULL, 0, key, 16));
    CU_ASSERT_TRUE(cp_tls13_expand_label("SHA256", secret, 32, "iv", NULL, 0, iv, 12));
    cp_test_unhex("dbfaa693d1762c5b666af5d950258d01", want_key, sizeof(want_key));
    cp_test_unhex("5bd3c71b836e0b76bb73265f", want_iv, sizeof(want_iv));
    CU_ASSERT_EQUAL(memcmp(key, want_key, 16), 0);
    CU_ASSERT_EQUAL(memcmp(iv, want_iv, 12), 0);
}

static void
rfc8448_client_finished_record_opens(void)
{
    uint8_t secret[32], rec[64], msg[64], out[64], type = 0;
    size_t out_len = 0;

    cp_test_unhex(client_hs_secret, secret, sizeof(secret));
    size_t n = cp_test_unhex(client_finished_record, rec, sizeof(rec));
    size_t m = cp_test_unhex(client_finished_msg, msg, sizeof(msg));
    CpTlsCipher *c = cp_tls_cipher_new13(0x1301, secret, sizeof(secret));
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(cp_tls_cipher_open(c, rec, rec + 5, n - 5, out, &out_len, &type));
    CU_ASSERT_EQUAL(type, 22); /* handshake, from the inner plaintext */
    CU_ASSERT_EQUAL(out_len, m);
    CU_ASSERT_EQUAL(memcmp(out, msg, m), 0);
    /* The same record again: sequence number 1 now, so the nonce differs and the tag fails. */
    CU_ASSERT_FALSE(cp_tls_cipher_open(c, rec, rec + 5, n - 5, out, &out_len, &type));
    cp_tls_cipher_free(c);
}

static void
tampered_record_or_wrong_key_fails(void)
{
    uint8_t secret[32], rec[64], out[64], type;
    size_t out_len;

    cp_test_unhex(client_hs_secret, secret, sizeof(secret));
    size_t n = cp_test_unhex(client_finished_record, rec, sizeof(rec));
    rec[20] ^= 1;
    CpTlsCipher *c = cp_tls_cipher_new13(0x1301, secret, sizeof(secret));
    CU_ASSERT_FALSE(cp_tls_cipher_open(c, rec, rec + 5, n - 5, out, &out_len, &type));
    cp_tls_cipher_free(c);
    rec[20] ^= 1;
    cp_test_unhex(server_hs_secret, secret, sizeof(secret));
    c = cp_tls_cipher_new13(0x1301, secret, sizeof(secret));
    CU_ASSERT_FALSE(cp_tls_cipher_open(c, rec, rec + 5, n - 5, out, &out_len, &type));
    /* Shorter than a tag: refused without reading past it. */
    CU_ASSERT_FALSE(cp_tls_cipher_open(c, rec, rec + 5, 10, out, &out_len, &type));
    cp_tls_cipher_free(c);
}

static void
unknown_suite_or_wrong_secret_length_gives_no_cipher(void)
{
    uint8_t secret[48] = { 0 };

    CU_ASSERT_PTR_NULL(cp_tls_cipher_new13(0x1302, secret, 32)); /* SHA-384 wants 48 */
    CU_ASSERT_PTR_NULL(cp_tls_cipher_new13(0xC02F, secret, 32)); /* a TLS 1.2 suite */
    CU_ASSERT_PTR_NULL(
            cp_tls_cipher_new12(0x0303, 0x1301, secret, 48, secret, secret, true, false));
    CU_ASSERT_PTR_NULL(
            cp_tls_cipher_new12(0x0303, 0xC02F, secret, 32, secret, secret, true, false));
    CU_ASSERT_FALSE(cp_tls_cipher_supported(0x0303, 0x0005)); /* RC4: not decrypted */
    CU_ASSERT_TRUE(cp_tls_cipher_supported(0x0303, 0xC030));
    CU_ASSERT_TRUE(cp_tls_cipher_supported(0x0304, 0x1305));
    CpTlsCipher *c = cp_tls_cipher_new13(0x1302, secret, 48);
    CU_ASSERT_PTR_NOT_NULL(c);
    cp_tls_cipher_free(c);
}

#define RANDOM_HEX "0101010101010101010101010101010101010101010101010101010101010101"

static void
keylog_reads_nss_lines_and_skips_the_rest(void)
{
    CpAnomalies an = { 0 };
    CpKeylog *k = cp_keylog_new(100, &an);
    const char text[] = "# SSL/TLS secrets log file\n"
                        "CLIENT_RANDOM " RANDOM_HEX " " RANDOM_HEX "0a0b\r\n"
                        "SERVER_HANDSHAKE_TRAFFIC_SECRET " RANDOM_HEX " abcdef\n"
                        "CLIENT_TRAFFIC_SECRET_0 " RANDOM_HEX " 00\n"
                        "\n"
                        "NOT_A_LABEL " RANDOM_HEX " 00\n"
                        "CLIENT_RANDOM 0102 00\n"
                        "CLIENT_RANDOM " RANDOM_HEX " zz\n"
                        "CLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM_HEX " 00 extra\n"
                        "CLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM_HEX " 1234";
    uint8_t random[32], secret[CP_KEYLOG_SECRET_MAX];
    size_t len = 0;

    CU_ASSERT_EQUAL(cp_keylog_add_text(k, (const uint8_t *)text, sizeof(text) - 1), 3);
    CU_ASSERT_EQUAL(cp_keylog_count(k), 3);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_KEYLOG_MALFORMED], 4);
    memset(random, 1, sizeof(random));
    CU_ASSERT_TRUE(cp_keylog_find(k, CP_KEYLOG_CLIENT_RANDOM, random, secret, &len));
    CU_ASSERT_EQUAL(len, 34);
    CU_ASSERT_EQUAL(secret[32], 0x0a);
    CU_ASSERT_EQUAL(secret[33], 0x0b); /* the CR of CRLF is not part of the secret */
    CU_ASSERT_TRUE(cp_keylog_find(k, CP_KEYLOG_SERVER_HS, random, secret, &len));
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_TRUE(cp_keylog_find(k, CP_KEYLOG_CLIENT_HS, random, secret, &len));
    CU_ASSERT_EQUAL(len, 2); /* the last line, without a newline */
    random[0] = 2;
    CU_ASSERT_FALSE(cp_keylog_find(k, CP_KEYLOG_CLIENT_RANDOM, random, secret, &len));
    cp_keylog_free(k);
}

static void
keylog_first_secret_wins_and_limit_counts(void)
{
    CpAnomalies an = { 0 };
    CpKeylog *k = cp_keylog_new(1, &an);
    const char text[] = "CLIENT_RANDOM " RANDOM_HEX " 11\n"
                        "CLIENT_RANDOM " RANDOM_HEX " 22\n"
                        "SERVER_HANDSHAKE_TRAFFIC_SECRET " RANDOM_HEX " 33\n";
    uint8_t random[32], secret[CP_KEYLOG_SECRET_MAX];
    size_t len = 0;

    CU_ASSERT_EQUAL(cp_keylog_add_text(k, (const uint8_t *)text, sizeof(text) - 1), 1);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_KEYLOG_LIMIT], 1);
    memset(random, 1, sizeof(random));
    CU_ASSERT_TRUE(cp_keylog_find(k, CP_KEYLOG_CLIENT_RANDOM, random, secret, &len));
    CU_ASSERT_EQUAL(secret[0], 0x11);
    CU_ASSERT_FALSE(cp_keylog_find(k, CP_KEYLOG_SERVER_HS, random, secret, &len));
    cp_keylog_free(k);
}

static void
keylog_survives_binary_and_overlong_lines(void)
{
    CpAnomalies an = { 0 };
    CpKeylog *k = cp_keylog_new(100, &an);
    GString *s = g_string_new(NULL);

    for (int i = 0; i < 5000; i++)
        g_string_append_c(s, (char)(i * 7));
    g_string_append(s, "\nCLIENT_RANDOM " RANDOM_HEX " ");
    for (int i = 0; i < 200; i++)
        g_string_append(s, "ab"); /* 200 bytes: longer than any secret */
    cp_keylog_add_text(k, (const uint8_t *)s->str, s->len);
    CU_ASSERT_EQUAL(cp_keylog_count(k), 0);
    CU_ASSERT_TRUE(an.count[CP_ANOMALY_KEYLOG_MALFORMED] > 0);
    CU_ASSERT_EQUAL(cp_keylog_add_text(k, NULL, 0), 0);
    g_string_free(s, TRUE);
    cp_keylog_free(k);
}

static CU_TestInfo tests[] = {
    { "expand_label_gives_rfc8448_traffic_keys", expand_label_gives_rfc8448_traffic_keys },
    { "rfc8448_client_finished_record_opens", rfc8448_client_finished_record_opens },
    { "tampered_record_or_wrong_key_fails", tampered_record_or_wrong_key_fails },
    { "unknown_suite_or_wrong_secret_length_gives_no_cipher",
      unknown_suite_or_wrong_secret_length_gives_no_cipher },
    { "keylog_reads_nss_lines_and_skips_the_rest", keylog_reads_nss_lines_and_skips_the_rest },
    { "keylog_first_secret_wins_and_limit_counts", keylog_first_secret_wins_and_limit_counts },
    { "keylog_survives_binary_and_overlong_lines", keylog_survives_binary_and_overlong_lines },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("tls_decrypt", tests, argc, argv);
}
