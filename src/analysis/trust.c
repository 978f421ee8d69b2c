/* SPDX-License-Identifier: BSD-2-Clause */
/* trust: certification paths through OpenSSL's X509_verify_cert (RFC 5280 §6).
 *
 * Each distinct chain is verified twice:
 *  1. with only the certificates the server sent as intermediates: this is what a client that
 *     fetches nothing (a Lync phone, an Edge peer) can do;
 *  2. with every CA certificate seen anywhere in the capture as well: "a CA seen anywhere is
 *     known", which tells a missing intermediate (found elsewhere) from an unknown one.
 * The verify callback records every error and lets verification continue, so the path is built
 * as far as it goes and we learn all that is wrong with it, not only the first thing. Validity
 * dates are judged by diagnose (at capture time) and ignored here.
 * Each certificate on the path is tagged with where it came from: the server's chain, another
 * server's chain, or the trust store.
 * Signatures are checked by verify_signatures (in place of OpenSSL's internal_verify) only when
 * they can change the status, and each (certificate, issuer) pair once per run: with 200k
 * distinct leaves under one CA, the leaf signature checks were a fifth of the run.
 *
 * Shared paths. A plain leaf (CpCert.path_shareable) keeps no OpenSSL object, and leaves of one
 * shape share one path: OpenSSL picks a leaf's issuer from what X509_check_issued reads of it
 * (issuer name, AKID, signature algorithm: CpCert.issuer_shape), the certificates it may use (the
 * sent chain, the capture's CA index, the store) and, among several candidates for one step,
 * which are valid at the verification time. So a path is remembered per (shape, sent chain)
 * while the cache does not change, with the validity of every candidate of an ambiguous step,
 * and reused when a leaf's time gives the same validities. Only the leaf's own signature is
 * checked per leaf, when the path is otherwise trusted (parsing that leaf again for it). The
 * first leaf of a shape is parsed again to build the path.
 */
#include "analysis/trust.h"
#include "analysis/trust_private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "base/error.h"
#include "base/hash.h"
#include "base/hexfmt.h"

/* Issuer candidates taken per certificate, and certificates walked per path: far above any real
 * PKI (a handful of CAs per name, paths of four or five), low enough that hostile look-alike CAs
 * cannot make each path cost the whole cache. */
#define MAX_CANDIDATES 32
#define MAX_WALK       256
/* Signature results remembered (subject, issuer): enough for every distinct CA link of a large
 * site; past it the memory starts again empty rather than growing with hostile input. */
#define MAX_SIG_MEMO 65536u
/* Issuer candidates whose validity a shared path may depend on; past it the path is the leaf's. */
#define MAX_TIME_CANDIDATES 64

struct CpTrust {
    X509_STORE *store;
    bool user_cas;         /* --ca-file or --ca-path given */
    GHashTable *sig_memo;  /* SigLink* (key and value) -> its result */
    CpHashKey memo_key;    /* SHA-1s of attacker certificates: keyed (STYLE R49) */
    CpTrustShapes *shapes; /* paths shared by plain leaves (trust_share.c) */
    /* Diagnoses on two threads may share this trust: live capture once diagnosed its model on
     * the clock thread beside the snapshot thread, and nothing in cp_diagnose's contract forbids
     * it. OpenSSL 3.0's X509_STORE is not safe for lookups from two threads at once
     * (ThreadSanitizer finds its lazily sorted and encoded objects written under the store's lock
     * and read outside it; openssl/openssl#24295, fixed in 3.2), and the signature memo and the
     * shared paths are plain tables: one path is built at a time. A POSIX mutex, not a GMutex:
     * GLib's is built on futex calls TSan cannot see, and run-all's TSan step checks this
     * sharing (test_diagnose). */
    pthread_mutex_t lock;
};

typedef struct VerifyLog {
    CpTrust *trust;
    bool issuer_missing;
    bool untrusted_root;
    bool bad_signature; /* reported by OpenSSL itself */
    bool sigs_checked;  /* verify_signatures checked the path's signatures */
    bool bad_leaf;      /* the leaf's own signature does not verify */
    bool bad_above;     /* a signature above the leaf does not verify */
} VerifyLog;

/* One signature: SHA-1 of the signed certificate, then of its issuer. */
typedef struct SigLink {
    unsigned char ids[40];
    guint hash;
    bool ok;
} SigLink;

static guint
sig_link_hash(gconstpointer k)
{
    return ((const SigLink *)k)->hash;
}

static gboolean
sig_link_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(((const SigLink *)a)->ids, ((const SigLink *)b)->ids, 40) == 0;
}

static void
openssl_error(GError **error, const char *what, const char *path)
{
    unsigned long e = ERR_peek_last_error();
    char buf[256] = "no certificate found";

    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: cannot load %s: %s", path, what, buf);
}

/* A directory of PEM files, whether or not it was prepared with c_rehash. */
static bool
load_dir(X509_STORE *store, const char *dir, GError **error)
{
    GError *e = NULL;
    GDir *d = g_dir_open(dir, 0, &e);
    unsigned loaded = 0;

    if (d == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", dir, e->message);
        g_error_free(e);
        return false;
    }
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && X509_STORE_load_file(store, path) == 1)
            loaded++;
        ERR_clear_error();
    }
    g_dir_close(d);
    if (loaded == 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: no PEM certificate in this directory",
                    dir);
        return false;
    }
    return true;
}

/* The system bundle file plus the hashed directory. Not X509_STORE_set_default_paths: in
 * OpenSSL 3 it also adds a "store" lookup that reads the whole certificate directory again on
 * every issuer lookup, which made trust building cost more than reading a gigabyte of packets. */
static void
add_system_store(X509_STORE *store)
{
    const char *file = getenv(X509_get_default_cert_file_env());
    const char *dir = getenv(X509_get_default_cert_dir_env());
    X509_LOOKUP *lu;

    if ((lu = X509_STORE_add_lookup(store, X509_LOOKUP_file())) != NULL)
        X509_LOOKUP_load_file(lu, file ? file : X509_get_default_cert_file(), X509_FILETYPE_PEM);
    if ((lu = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir())) != NULL)
        X509_LOOKUP_add_dir(lu, dir ? dir : X509_get_default_cert_dir(), X509_FILETYPE_PEM);
    ERR_clear_error();
}

CpTrust *
cp_trust_new(const CpTrustOptions *opt, GError **error)
{
    CpTrust *t = g_new0(CpTrust, 1);

    t->store = X509_STORE_new();
    t->sig_memo = g_hash_table_new_full(sig_link_hash, sig_link_equal, g_free, NULL);
    t->shapes = cp_trust_shapes_new();
    pthread_mutex_init(&t->lock, NULL);
    cp_hash_key_init_random(&t->memo_key);
    if (!opt->no_system_ca)
        add_system_store(t->store);
    ERR_clear_error();
    for (char **f = opt->ca_files; f != NULL && *f != NULL; f++) {
        if (!g_file_test(*f, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: no such file", *f);
            cp_trust_free(t);
            return NULL;
        }
        if (X509_STORE_load_file(t->store, *f) != 1) {
            openssl_error(error, "CA certificates", *f);
            cp_trust_free(t);
            return NULL;
        }
    }
    for (char **p = opt->ca_paths; p != NULL && *p != NULL; p++) {
        if (!load_dir(t->store, *p, error)) {
            cp_trust_free(t);
            return NULL;
        }
    }
    t->user_cas = (opt->ca_files != NULL && opt->ca_files[0] != NULL) ||
                  (opt->ca_paths != NULL && opt->ca_paths[0] != NULL);
    return t;
}

void
cp_trust_free(CpTrust *t)
{
    if (t == NULL)
        return;
    X509_STORE_free(t->store);
    g_hash_table_destroy(t->sig_memo);
    cp_trust_shapes_free(t->shapes);
    pthread_mutex_destroy(&t->lock);
    g_free(t);
}

static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
    VerifyLog *log = X509_STORE_CTX_get_app_data(ctx);

    if (ok)
        return 1;
    switch (X509_STORE_CTX_get_error(ctx)) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        log->issuer_missing = true;
        break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        log->untrusted_root = true;
        break;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        log->bad_signature = true;
        break;
    default:
        break; /* dates, purposes, extensions: judged elsewhere */
    }
    return 1;
}

static bool
sig_key(CpTrust *t, SigLink *k, const uint8_t x_sha1[20], X509 *issuer)
{
    unsigned n = 0;

    memcpy(k->ids, x_sha1, 20);
    if (X509_digest(issuer, EVP_sha1(), k->ids + 20, &n) != 1 || n != 20) {
        ERR_clear_error();
        return false;
    }
    uint64_t h = cp_hash_bytes(&t->memo_key, k->ids, sizeof k->ids);
    k->hash = (guint)(h ^ (h >> 32));
    return true;
}

/* Is the (certificate, issuer) pair of k remembered? Then *ok is its result. */
static bool
sig_recalled(CpTrust *t, const SigLink *k, bool *ok)
{
    const SigLink *seen = g_hash_table_lookup(t->sig_memo, k);

    if (seen != NULL)
        *ok = seen->ok;
    return seen != NULL;
}

static bool
sig_check(CpTrust *t, SigLink *k, X509 *x, X509 *issuer)
{
    EVP_PKEY *pk = X509_get0_pubkey(issuer);

    k->ok = pk != NULL && !cp_x509_key_too_costly(issuer) && X509_verify(x, pk) == 1;
    ERR_clear_error();
    if (g_hash_table_size(t->sig_memo) >= MAX_SIG_MEMO)
        g_hash_table_remove_all(t->sig_memo);
    g_hash_table_add(t->sig_memo, g_memdup2(k, sizeof *k));
    return k->ok;
}

/* Does issuer's key verify x's signature? (Under t->lock: called while a path is built.) Each
 * (certificate, issuer) pair is checked once per run: every chain of a site repeats its CA links.
 * An RSA key with an absurd public exponent is not used (one check would cost milliseconds): its
 * signatures count as not verifying. */
static bool
signature_ok(CpTrust *t, X509 *x, X509 *issuer)
{
    SigLink k;
    uint8_t id[20];
    unsigned n = 0;
    bool ok;

    if (X509_digest(x, EVP_sha1(), id, &n) != 1 || n != 20 || !sig_key(t, &k, id, issuer)) {
        ERR_clear_error();
        return false;
    }
    return sig_recalled(t, &k, &ok) ? ok : sig_check(t, &k, x, issuer);
}

/* The same for a leaf that keeps no OpenSSL object: parsed again (into *own, freed by the
 * caller) only when the pair was never checked. */
bool
cp_trust_leaf_signature_ok(CpTrust *t, const CpCert *leaf, X509 *issuer, X509 **own)
{
    SigLink k;
    uint8_t id[20];
    bool ok;

    for (int i = 0; i < 20; i++)
        id[i] = (uint8_t)(g_ascii_xdigit_value(leaf->sha1[2 * i]) << 4 |
                          g_ascii_xdigit_value(leaf->sha1[2 * i + 1]));
    if (!sig_key(t, &k, id, issuer))
        return false;
    if (sig_recalled(t, &k, &ok))
        return ok;
    if (*own == NULL)
        *own = cp_trust_x509_of(leaf);
    return *own != NULL && sig_check(t, &k, *own, issuer);
}

/* Replaces OpenSSL's internal_verify (signatures and dates of the built chain), called once the
 * chain is built. Dates are judged by diagnose, so only signatures are checked, and only when
 * they decide the status: a path whose issuer is missing or whose root is untrusted is reported
 * as such whatever its signatures say (status_of), so it costs no signature check. Like
 * internal_verify, a self-issued top is not checked against itself. */
static int
verify_signatures(X509_STORE_CTX *ctx)
{
    VerifyLog *log = X509_STORE_CTX_get_app_data(ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    X509_STORE_CTX_check_issued_fn issued = X509_STORE_CTX_get_check_issued(ctx);
    int n = sk_X509_num(chain) - 1;

    if (n < 0 || log->issuer_missing || log->untrusted_root)
        return 1;
    X509 *top = sk_X509_value(chain, n);
    if (n == 0 && !issued(ctx, top, top)) {
        log->issuer_missing = true; /* X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE */
        return 1;
    }
    log->sigs_checked = true;
    for (int i = n - 1; i >= 0; i--) {
        if (signature_ok(log->trust, sk_X509_value(chain, i), sk_X509_value(chain, i + 1)))
            continue;
        if (i == 0)
            log->bad_leaf = true; /* X509_V_ERR_CERT_SIGNATURE_FAILURE */
        else
            log->bad_above = true;
    }
    return 1;
}

bool
cp_trust_valid_at(X509 *x, int64_t at_s)
{
    time_t t = (time_t)at_s;
    /* ossl_x509_check_cert_time with depth -1, as X509_STORE_CTX_get1_issuer and find_issuer use
     * it: an unreadable time counts as not valid. */
    bool valid = X509_cmp_time(X509_get0_notBefore(x), &t) < 0 &&
                 X509_cmp_time(X509_get0_notAfter(x), &t) > 0;

    ERR_clear_error();
    return valid;
}

/* The certificates that may be chosen as issuer of one named name, when more than one may: which
 * of them are valid at the verification time decides the choice, so a shared path holds only for
 * leaves whose time gives them the same validity. */
static void
record_step(X509_STORE_CTX *ctx, STACK_OF(X509) * untrusted, const X509_NAME *name, int64_t at_s,
            CpSharedPath *rec, GHashTable *seen)
{
    STACK_OF(X509) *cands = X509_STORE_CTX_get1_certs(ctx, name);

    if (cands == NULL)
        cands = sk_X509_new_null();
    for (int i = 0; cands != NULL && i < sk_X509_num(untrusted); i++) {
        X509 *u = sk_X509_value(untrusted, i);
        if (X509_NAME_cmp(X509_get_subject_name(u), name) == 0 && X509_up_ref(u) == 1)
            sk_X509_push(cands, u);
    }
    for (int i = 0; sk_X509_num(cands) > 1 && i < sk_X509_num(cands); i++) {
        X509 *c = sk_X509_value(cands, i);
        if (!g_hash_table_add(seen, c))
            continue;
        if (sk_X509_num(rec->cands) >= MAX_TIME_CANDIDATES || X509_up_ref(c) != 1) {
            rec->unshareable = true;
            break;
        }
        sk_X509_push(rec->cands, c);
        gboolean v = cp_trust_valid_at(c, at_s);
        g_array_append_val(rec->valid, v);
    }
    sk_X509_pop_free(cands, X509_free);
    ERR_clear_error();
}

/* Every issuer lookup the verification may have made: for the leaf, for each certificate of the
 * built path, and for each certificate it could use (a chain tried and dropped looked up its
 * issuers too). */
static void
record_candidates(X509_STORE_CTX *ctx, X509 *leaf, STACK_OF(X509) * untrusted, int64_t at_s,
                  CpSharedPath *rec)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);

    record_step(ctx, untrusted, X509_get_issuer_name(leaf), at_s, rec, seen);
    for (int i = 1; i < sk_X509_num(chain); i++)
        record_step(ctx, untrusted, X509_get_issuer_name(sk_X509_value(chain, i)), at_s, rec, seen);
    for (int i = 0; i < sk_X509_num(untrusted); i++)
        record_step(ctx, untrusted, X509_get_issuer_name(sk_X509_value(untrusted, i)), at_s, rec,
                    seen);
    g_hash_table_destroy(seen);
}

static STACK_OF(X509) * verify(CpTrust *t, X509 *leaf, STACK_OF(X509) * untrusted, int64_t at_s,
                               VerifyLog *log, CpSharedPath *rec)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain = NULL;

    *log = (VerifyLog){ .trust = t };
    if (ctx != NULL && X509_STORE_CTX_init(ctx, t->store, leaf, untrusted) == 1) {
        X509_STORE_CTX_set_app_data(ctx, log);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        X509_STORE_CTX_set_verify(ctx, verify_signatures);
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at_s);
        X509_verify_cert(ctx);
        chain = X509_STORE_CTX_get1_chain(ctx);
        if (rec != NULL)
            record_candidates(ctx, leaf, untrusted, at_s, rec);
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return chain;
}

static CpPathStatus
status_of(const VerifyLog *log)
{
    if (log->issuer_missing)
        return CP_PATH_ISSUER_MISSING;
    if (log->untrusted_root)
        return CP_PATH_UNTRUSTED_ROOT;
    if (log->bad_signature || log->bad_leaf || log->bad_above)
        return CP_PATH_BAD_SIGNATURE;
    return CP_PATH_TRUSTED;
}

static void
sha1_of(X509 *x, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;

    if (X509_digest(x, EVP_sha1(), md, &n) != 1 || n != 20) {
        memset(out, '0', 40);
        out[40] = '\0';
        return;
    }
    cp_hex_upper(md, 20, out);
}

static char *
name_of(const X509_NAME *n)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL;

    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    long len = BIO_get_mem_data(b, &data);
    char *s = g_strndup(data, len > 0 ? (gsize)len : 0);
    BIO_free(b);
    return s;
}

static bool
in_store(CpTrust *t, X509 *x)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    bool found = false;

    if (ctx != NULL && X509_STORE_CTX_init(ctx, t->store, NULL, NULL) == 1) {
        X509_OBJECT *o =
                X509_STORE_CTX_get_obj_by_subject(ctx, X509_LU_X509, X509_get_subject_name(x));
        found = o != NULL && X509_cmp(X509_OBJECT_get0_X509(o), x) == 0;
        X509_OBJECT_free(o);
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return found;
}

static bool
in_chain(const GArray *chain, const char *sha1)
{
    for (guint i = 0; i < chain->len; i++)
        if (strcmp(g_array_index(chain, CpChainLink, i).sha1, sha1) == 0)
            return true;
    return false;
}

static void
fill_path(CpTrust *t, CpCertCache *cache, const GArray *chain, STACK_OF(X509) * built, CpPath *p)
{
    for (int i = 0; built != NULL && i < sk_X509_num(built); i++) {
        X509 *x = sk_X509_value(built, i);
        CpPathCert pc = { 0 };
        sha1_of(x, pc.sha1);
        pc.subject = name_of(X509_get_subject_name(x));
        pc.issuer = name_of(X509_get_issuer_name(x));
        const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
        if (ski != NULL)
            pc.ski = cp_hex_upper_dup(ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski));
        pc.self_signed = (X509_get_extension_flags(x) & EXFLAG_SS) != 0;
        if (in_chain(chain, pc.sha1))
            pc.source = CP_SRC_SENT;
        else if (cp_cert_cache_find_sha1(cache, pc.sha1) != NULL)
            pc.source = CP_SRC_CAPTURE;
        else
            pc.source = CP_SRC_STORE;
        /* A CA certificate given with --ca-file that is not self-signed is a known
         * intermediate, not a trust anchor: a server that omits it still omits it. */
        pc.is_anchor = pc.self_signed && in_store(t, x);
        p->used_capture |= pc.source == CP_SRC_CAPTURE;
        p->used_store_intermediate |= pc.source == CP_SRC_STORE && !pc.self_signed;
        g_array_append_val(p->certs, pc);
    }
}

static void
note_missing(CpPath *p, STACK_OF(X509) * built)
{
    int n = built != NULL ? sk_X509_num(built) : 0;

    if (p->status != CP_PATH_ISSUER_MISSING || n == 0)
        return;
    X509 *top = sk_X509_value(built, n - 1);
    p->missing_issuer = name_of(X509_get_issuer_name(top));
    const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(top);
    if (aki != NULL)
        p->missing_aki =
                cp_hex_upper_dup(ASN1_STRING_get0_data(aki), (size_t)ASN1_STRING_length(aki));
}

/* Candidates for x's issuer among the CA certificates of the capture: by key identifier when x
 * names one (exact even among look-alike CAs sharing a name), else by issuer name, at most
 * MAX_CANDIDATES of them, so one certificate costs a bounded number of lookups however many CAs
 * the capture holds. */
static void
issuers_of(CpCertCache *cache, const CpCert *x, GPtrArray *out)
{
    const GPtrArray *by_key = cp_cert_cache_issuers_by_ski(cache, x->aki);
    const GPtrArray *by_name = cp_cert_cache_issuers_by_subject(cache, x->issuer);
    const GPtrArray *from = by_key != NULL ? by_key : by_name;

    for (guint i = 0; from != NULL && i < from->len && out->len < MAX_CANDIDATES; i++) {
        const CpCert *c = from->pdata[i];
        if (c != x && strcmp(c->subject, x->issuer) == 0)
            g_ptr_array_add(out, from->pdata[i]);
    }
}

/* Walks up from the leaf and the certificates sent: every capture certificate that may issue one
 * of them, then their issuers, to MAX_WALK certificates. */
static void
add_capture_issuers(CpCertCache *cache, CpCert *leaf, const GArray *chain,
                    STACK_OF(X509) * untrusted)
{
    GHashTable *added = g_hash_table_new(g_direct_hash, g_direct_equal);
    GPtrArray *todo = g_ptr_array_new();
    GPtrArray *found = g_ptr_array_new();

    g_ptr_array_add(todo, leaf);
    g_hash_table_add(added, leaf);
    for (guint i = 1; i < chain->len; i++) {
        CpCert *c = g_array_index(chain, CpChainLink, i).cert;
        if (c != NULL && g_hash_table_add(added, c))
            g_ptr_array_add(todo, c);
    }
    for (guint i = 0; i < todo->len && todo->len < MAX_WALK; i++) {
        g_ptr_array_set_size(found, 0);
        issuers_of(cache, todo->pdata[i], found);
        for (guint k = 0; k < found->len; k++) {
            CpCert *c = found->pdata[k];
            if (!g_hash_table_add(added, c))
                continue;
            sk_X509_push(untrusted, c->x509);
            g_ptr_array_add(todo, c);
        }
    }
    g_ptr_array_free(found, TRUE);
    g_ptr_array_free(todo, TRUE);
    g_hash_table_destroy(added);
}

static void
verdict_of(CpPathVerdict *v, const VerifyLog *log, STACK_OF(X509) * built)
{
    v->unsigned_status = log->issuer_missing   ? CP_PATH_ISSUER_MISSING
                         : log->untrusted_root ? CP_PATH_UNTRUSTED_ROOT
                                               : CP_PATH_TRUSTED;
    v->sigs_checked = log->sigs_checked;
    v->bad_above = log->bad_above || log->bad_signature;
    if (sk_X509_num(built) > 1 && X509_up_ref(sk_X509_value(built, 1)) == 1)
        v->leaf_issuer = sk_X509_value(built, 1);
}

X509 *
cp_trust_x509_of(const CpCert *c)
{
    const unsigned char *p = c->der;
    X509 *x = d2i_X509(NULL, &p, (long)c->der_len);

    ERR_clear_error();
    return x;
}

/* The OpenSSL objects of the certificates sent after the leaf; one that keeps none (a plain leaf
 * sent again as an intermediate) is parsed again into tmp, freed by the caller. */
static STACK_OF(X509) * sent_after_leaf(const GArray *chain, STACK_OF(X509) * tmp)
{
    STACK_OF(X509) *sent = sk_X509_new_null();

    for (guint i = 1; i < chain->len; i++) {
        const CpCert *c = g_array_index(chain, CpChainLink, i).cert;
        X509 *x = c != NULL ? c->x509 : NULL;
        if (c != NULL && x == NULL && (x = cp_trust_x509_of(c)) != NULL)
            sk_X509_push(tmp, x);
        if (x != NULL)
            sk_X509_push(sent, x);
    }
    return sent;
}

CpPath *
cp_trust_path_build(CpTrust *t, CpCertCache *cache, const GArray *chain, CpCert *leaf,
                    X509 *leaf_x509, int64_t at_s, CpSharedPath *rec)
{
    VerifyLog log;
    STACK_OF(X509) *tmp = sk_X509_new_null();
    STACK_OF(X509) *sent = sent_after_leaf(chain, tmp);
    CpPath *p = g_new0(CpPath, 1);
    p->certs = g_array_new(FALSE, TRUE, sizeof(CpPathCert));
    STACK_OF(X509) *built = verify(t, leaf_x509, sent, at_s, &log, rec);
    p->sent_only_status = status_of(&log);
    p->sent_only_depth = built != NULL ? sk_X509_num(built) : 0;
    if (rec != NULL)
        verdict_of(&rec->sent, &log, built);

    /* A CA seen anywhere in the capture is known: add the ones that can be on this path. When
     * the capture adds none, the second verification would repeat the first: its signature
     * checks are most of a path's cost, so it is skipped. */
    int n_sent = sk_X509_num(sent);
    add_capture_issuers(cache, leaf, chain, sent);
    if (sk_X509_num(sent) != n_sent) {
        sk_X509_pop_free(built, X509_free);
        built = verify(t, leaf_x509, sent, at_s, &log, rec);
    }
    p->status = status_of(&log);
    if (rec != NULL)
        verdict_of(&rec->final, &log, built);
    fill_path(t, cache, chain, built, p);
    note_missing(p, built);
    sk_X509_pop_free(built, X509_free);
    sk_X509_free(sent);
    sk_X509_pop_free(tmp, X509_free);
    return p;
}

CpPath *
cp_trust_build(CpTrust *t, CpCertCache *cache, const GArray *chain, int64_t at_s)
{
    const CpChainLink *leaf = chain->len > 0 ? &g_array_index(chain, CpChainLink, 0) : NULL;
    CpPath *p = NULL;

    if (leaf == NULL || leaf->cert == NULL)
        return NULL;
    pthread_mutex_lock(&t->lock);
    if (leaf->cert->x509 != NULL)
        p = cp_trust_path_build(t, cache, chain, leaf->cert, leaf->cert->x509, at_s, NULL);
    else if (leaf->cert->path_shareable)
        p = cp_trust_shared_build(t, t->shapes, cache, chain, leaf->cert, at_s);
    pthread_mutex_unlock(&t->lock);
    return p;
}

void
cp_path_free(CpPath *p)
{
    if (p == NULL)
        return;
    for (guint i = 0; i < p->certs->len; i++) {
        CpPathCert *c = &g_array_index(p->certs, CpPathCert, i);
        g_free(c->subject);
        g_free(c->issuer);
        g_free(c->ski);
    }
    g_array_free(p->certs, TRUE);
    g_free(p->missing_issuer);
    g_free(p->missing_aki);
    g_free(p);
}

bool
cp_trust_has_user_cas(const CpTrust *t)
{
    return t->user_cas;
}

const CpPathCert *
cp_path_top(const CpPath *p)
{
    return p->certs->len > 0 ? &g_array_index(p->certs, CpPathCert, p->certs->len - 1) : NULL;
}
