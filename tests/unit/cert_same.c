/* SPDX-License-Identifier: BSD-2-Clause */
#include "cert_same.h"

#include <stdio.h>
#include <string.h>

static bool
str_same(const char *field, const char *a, const char *b)
{
    if ((a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0))
        return true;
    fprintf(stderr, "cert_same: %s: \"%s\" vs \"%s\"\n", field, a ? a : "(null)", b ? b : "(null)");
    return false;
}

static bool
strv_same(const char *field, const GPtrArray *a, const GPtrArray *b)
{
    if (a->len != b->len) {
        fprintf(stderr, "cert_same: %s: %u vs %u entries\n", field, a->len, b->len);
        return false;
    }
    for (guint i = 0; i < a->len; i++)
        if (!str_same(field, a->pdata[i], b->pdata[i]))
            return false;
    return true;
}

static bool
num_same(const char *field, long long a, long long b)
{
    if (a == b)
        return true;
    fprintf(stderr, "cert_same: %s: %lld vs %lld\n", field, a, b);
    return false;
}

bool
cp_test_cert_same(const CpCert *a, const CpCert *b)
{
    return num_same("der_len", (long long)a->der_len, (long long)b->der_len) &&
           memcmp(a->der, b->der, a->der_len) == 0 && str_same("sha1", a->sha1, b->sha1) &&
           str_same("sha256", a->sha256, b->sha256) &&
           str_same("subject", a->subject, b->subject) &&
           str_same("issuer", a->issuer, b->issuer) && str_same("serial", a->serial, b->serial) &&
           num_same("not_before", a->not_before, b->not_before) &&
           num_same("not_after", a->not_after, b->not_after) &&
           str_same("key_type", a->key_type, b->key_type) &&
           num_same("key_bits", a->key_bits, b->key_bits) &&
           str_same("key_curve", a->key_curve, b->key_curve) &&
           str_same("signature", a->signature, b->signature) &&
           str_same("sig_hash", a->sig_hash, b->sig_hash) &&
           strv_same("san_dns", a->san_dns, b->san_dns) &&
           strv_same("san_ip", a->san_ip, b->san_ip) &&
           str_same("common_name", a->common_name, b->common_name) &&
           num_same("has_basic_constraints", a->has_basic_constraints, b->has_basic_constraints) &&
           num_same("is_ca", a->is_ca, b->is_ca) &&
           num_same("path_len", a->path_len, b->path_len) && str_same("ski", a->ski, b->ski) &&
           str_same("aki", a->aki, b->aki) &&
           strv_same("aia_ca_issuers", a->aia_ca_issuers, b->aia_ca_issuers) &&
           strv_same("aia_ocsp", a->aia_ocsp, b->aia_ocsp) &&
           num_same("self_issued", a->self_issued, b->self_issued) &&
           num_same("self_signed", a->self_signed, b->self_signed) &&
           num_same("sig_pss", a->sig_pss, b->sig_pss) &&
           num_same("has_key_usage", a->has_key_usage, b->has_key_usage) &&
           num_same("key_usage", a->key_usage, b->key_usage) &&
           num_same("has_eku", a->has_eku, b->has_eku) &&
           num_same("eku_server_auth", a->eku_server_auth, b->eku_server_auth) &&
           num_same("key_too_costly", a->key_too_costly, b->key_too_costly) &&
           num_same("issuer_shape", memcmp(a->issuer_shape, b->issuer_shape, 20), 0) &&
           num_same("path_shareable", a->path_shareable, b->path_shareable);
}
