/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_x509: DER in, CpCert out (dissectors/x509.h, RFC 5280 §4.1), then every string of the
 * certificate through both output escapers (output/escape.h, STYLE R70), since those strings are
 * exactly what an attacker controls. The leaf parser (x509_leaf.c) against d2i_X509's: whatever
 * it accepts, cp_cert_parse accepts too, with the same fields and status, as a shareable leaf. */
#include <glib.h>
#include <string.h>

#include "../unit/cert_same.h"
#include "dissectors/x509.h"
#include "fuzz.h"
#include "output/escape.h"

/* Escapes s both ways and checks the promises escape.h makes. */
static void
escape_both(GString *out, const char *s)
{
    if (s == NULL)
        return;
    g_string_truncate(out, 0);
    cp_escape_text(out, s, strlen(s), 256);
    for (size_t i = 0; i < out->len; i++) {
        unsigned char c = (unsigned char)out->str[i];
        CP_FUZZ_CHECK(c >= 0x20 && c != 0x7f); /* no control byte reaches a terminal */
    }
    g_string_truncate(out, 0);
    cp_escape_json(out, s);
    CP_FUZZ_CHECK(g_utf8_validate(out->str, (gssize)out->len, NULL));
    for (size_t i = 0; i < out->len; i++)
        CP_FUZZ_CHECK((unsigned char)out->str[i] >= 0x20);
}

static void
escape_all(GPtrArray *a, GString *out)
{
    for (guint i = 0; a != NULL && i < a->len; i++)
        escape_both(out, g_ptr_array_index(a, i));
}

static void
check_cert(const CpCert *c)
{
    g_autoptr(GString) out = g_string_new(NULL);
    char sha1[41];

    CP_FUZZ_CHECK(strlen(c->sha1) == 40 && strlen(c->sha256) == 64);
    cp_cert_sha1_hex(c->der, c->der_len, sha1);
    CP_FUZZ_CHECK(strcmp(sha1, c->sha1) == 0);
    escape_both(out, c->subject);
    escape_both(out, c->issuer);
    escape_both(out, c->serial);
    escape_both(out, c->common_name);
    escape_both(out, c->key_type);
    escape_both(out, c->key_curve);
    escape_both(out, c->signature);
    escape_both(out, c->sig_hash);
    escape_both(out, c->ski);
    escape_both(out, c->aki);
    escape_all(c->san_dns, out);
    escape_all(c->san_ip, out);
    escape_all(c->aia_ca_issuers, out);
    escape_all(c->aia_ocsp, out);
    (void)cp_cert_matches_host(c, "mail.contoso.com");
    (void)cp_cert_matches_host(c, "");
    if (c->common_name != NULL)
        (void)cp_cert_matches_host(c, c->common_name);
    if (c->san_dns != NULL && c->san_dns->len > 0)
        (void)cp_cert_matches_host(c, g_ptr_array_index(c->san_dns, 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CpCertParseStatus st = CP_CERT_OK;
    CpCert *c = cp_cert_parse(data, size, &st);

    CP_FUZZ_CHECK((c == NULL) == (st == CP_CERT_BAD_DER));
    CpCertParseStatus leaf_st = CP_CERT_BAD_DER;
    CpCert *leaf = cp_cert_parse_leaf(data, size, &leaf_st);
    if (leaf != NULL) {
        CP_FUZZ_CHECK(c != NULL && leaf_st == st && leaf->x509 == NULL);
        CP_FUZZ_CHECK(cp_test_cert_same(leaf, c) && c->path_shareable);
        cp_cert_unref(leaf);
    }
    if (c == NULL)
        return 0;
    CP_FUZZ_CHECK(c->der_len <= size);
    check_cert(c);
    CpCert *again = cp_cert_ref(c);
    cp_cert_unref(c);
    cp_cert_unref(again);
    return 0;
}
