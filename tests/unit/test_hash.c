/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for base/hash (SipHash-2-4 against the reference paper's vectors, keys, the block
 * edges) and for the anomaly -> option mapping read from limits.def's anomaly column (both are
 * base/ tables other layers key on). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include <CUnit/CUnit.h>

#include "base/anomaly.h"
#include "base/hash.h"
#include "base/limits.h"
#include "harness.h"

/* The paper's key: bytes 00 01 .. 0f. Its message for length n is bytes 00 01 .. n-1. */
static void
paper_key(CpHashKey *k)
{
    uint8_t kb[16];

    for (unsigned i = 0; i < 16; i++)
        kb[i] = (uint8_t)i;
    cp_hash_key_init_bytes(k, kb);
}

static uint8_t msg[64];

static void
fill_msg(void)
{
    for (unsigned i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
}

static void
siphash24_paper_vector_15_bytes(void)
{
    CpHashKey k;

    /* SipHash paper, Appendix A: 15-byte message, output a129ca6149be45e5 (read as a
     * little-endian 64-bit integer, the bytes e5 45 be 49 61 ca 29 a1). */
    paper_key(&k);
    fill_msg();
    CU_ASSERT_EQUAL(cp_hash_bytes(&k, msg, 15), 0xa129ca6149be45e5ull);
}

static void
siphash24_reference_vectors_at_block_edges(void)
{
    /* vectors.h of the reference implementation (github.com/veorq/SipHash), vectors_sip64[n]
     * as little-endian integers: lengths 0, 1, 7, 8, 9, 16 and 63 cover the empty input, a
     * tail only, a full block with and without tail, and the longest in the table. */
    static const struct {
        size_t len;
        uint64_t want;
    } v[] = {
        { 0, 0x726fdb47dd0e0e31ull },  { 1, 0x74f839c593dc67fdull }, { 7, 0xab0200f58b01d137ull },
        { 8, 0x93f5f5799a932462ull },  { 9, 0x9e0082df0ba9e4b0ull }, { 16, 0x3f2acc7f57c29bdbull },
        { 63, 0x958a324ceb064572ull },
    };

    CpHashKey k;

    paper_key(&k);
    fill_msg();
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
        CU_ASSERT_EQUAL(cp_hash_bytes(&k, msg, v[i].len), v[i].want);
}

static void
empty_input_may_be_null(void)
{
    CpHashKey k;

    paper_key(&k);
    CU_ASSERT_EQUAL(cp_hash_bytes(&k, NULL, 0), cp_hash_bytes(&k, msg, 0));
}

static void
different_keys_give_different_hashes(void)
{
    CpHashKey a, b;
    uint8_t kb[16] = { 0 };

    fill_msg();
    cp_hash_key_init_bytes(&a, kb);
    kb[15] = 1; /* one bit of k1 */
    cp_hash_key_init_bytes(&b, kb);
    CU_ASSERT_NOT_EQUAL(cp_hash_bytes(&a, msg, 38), cp_hash_bytes(&b, msg, 38));
    kb[15] = 0;
    kb[0] = 1; /* one bit of k0 */
    cp_hash_key_init_bytes(&b, kb);
    CU_ASSERT_NOT_EQUAL(cp_hash_bytes(&a, msg, 38), cp_hash_bytes(&b, msg, 38));
}

static void
random_keys_differ_and_hash_consistently(void)
{
    CpHashKey a, b;

    fill_msg();
    cp_hash_key_init_random(&a);
    cp_hash_key_init_random(&b);
    /* Two 128-bit draws agree with probability 2^-128. */
    CU_ASSERT_FALSE(a.k0 == b.k0 && a.k1 == b.k1);
    CU_ASSERT_NOT_EQUAL(cp_hash_bytes(&a, msg, 20), cp_hash_bytes(&b, msg, 20));
    CU_ASSERT_EQUAL(cp_hash_bytes(&a, msg, 20), cp_hash_bytes(&a, msg, 20));
}

static void
whole_input_counts_not_a_sample(void)
{
    /* What cert_cache's old sampled FNV missed: equal length, a difference in the middle of a
     * long input (outside its first 64, middle 32 and last 64 bytes). */
    static uint8_t x[2000], y[2000];
    CpHashKey k;

    memset(x, 0x30, sizeof x);
    memcpy(y, x, sizeof y);
    y[700] ^= 1;
    cp_hash_key_init_random(&k);
    CU_ASSERT_NOT_EQUAL(cp_hash_bytes(&k, x, sizeof x), cp_hash_bytes(&k, y, sizeof y));
}

/* ---- limits.def's anomaly column -> cp_anomaly_option ---- */

static void
anomaly_option_names_the_limit_that_counts_it(void)
{
    CU_ASSERT_STRING_EQUAL(cp_anomaly_option(CP_ANOMALY_TLS_CHAIN_TOO_LONG), "max-chain");
    CU_ASSERT_STRING_EQUAL(cp_anomaly_option(CP_ANOMALY_FLOW_EVICTED), "max-flows");
    CU_ASSERT_STRING_EQUAL(cp_anomaly_option(CP_ANOMALY_LINK_VLAN_LIMIT), "max-vlan-tags");
    CU_ASSERT_STRING_EQUAL(cp_anomaly_option(CP_ANOMALY_IP_TUNNEL_LIMIT), "max-tunnels");
    CU_ASSERT_STRING_EQUAL(cp_anomaly_option(CP_ANOMALY_TLS_RECORD_TOO_LONG), "max-record");
}

static void
anomaly_option_is_null_when_no_limit_causes_it(void)
{
    CU_ASSERT_PTR_NULL(cp_anomaly_option(CP_ANOMALY_TCP_GAP));
    CU_ASSERT_PTR_NULL(cp_anomaly_option(CP_ANOMALY_IP_MALFORMED));
    CU_ASSERT_PTR_NULL(cp_anomaly_option(CP_ANOMALY_NONE));
    CU_ASSERT_PTR_NULL(cp_anomaly_option((CpAnomalyId)(CP_ANOMALY__COUNT + 5)));
}

static void
anomaly_options_lists_every_limit_of_a_shared_anomaly(void)
{
    const char *o[4] = { NULL };

    CU_ASSERT_EQUAL(cp_anomaly_options(CP_ANOMALY_IP_FRAG_LIMIT, o, 4), 2);
    CU_ASSERT_STRING_EQUAL(o[0], "max-frag-datagrams");
    CU_ASSERT_STRING_EQUAL(o[1], "frag-memcap");
    /* A short array still gets the count. */
    o[0] = NULL;
    CU_ASSERT_EQUAL(cp_anomaly_options(CP_ANOMALY_IP_FRAG_LIMIT, o, 1), 2);
    CU_ASSERT_STRING_EQUAL(o[0], "max-frag-datagrams");
}

static void
every_limit_doc_names_its_anomaly_column(void)
{
    size_t n;
    const CpLimitInfo *t = cp_limits_table(&n);

    /* The doc line says "(name)" for the anomaly of its column and for no other: the two
     * cannot drift apart. */
    for (size_t i = 0; i < n; i++) {
        for (int a = 0; a < CP_ANOMALY__COUNT; a++) {
            g_autofree char *tag = g_strdup_printf("(%s)", cp_anomaly_name((CpAnomalyId)a));
            bool named = strstr(t[i].doc, tag) != NULL;
            if (named != (t[i].anomaly == (CpAnomalyId)a))
                CU_FAIL("a limit's doc and its anomaly column disagree");
        }
    }
}

static CU_TestInfo tests[] = {
    { "siphash24_paper_vector_15_bytes", siphash24_paper_vector_15_bytes },
    { "siphash24_reference_vectors_at_block_edges", siphash24_reference_vectors_at_block_edges },
    { "empty_input_may_be_null", empty_input_may_be_null },
    { "different_keys_give_different_hashes", different_keys_give_different_hashes },
    { "random_keys_differ_and_hash_consistently", random_keys_differ_and_hash_consistently },
    { "whole_input_counts_not_a_sample", whole_input_counts_not_a_sample },
    { "anomaly_option_names_the_limit_that_counts_it",
      anomaly_option_names_the_limit_that_counts_it },
    { "anomaly_option_is_null_when_no_limit_causes_it",
      anomaly_option_is_null_when_no_limit_causes_it },
    { "anomaly_options_lists_every_limit_of_a_shared_anomaly",
      anomaly_options_lists_every_limit_of_a_shared_anomaly },
    { "every_limit_doc_names_its_anomaly_column", every_limit_doc_names_its_anomaly_column },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("hash", tests, argc, argv);
}
