/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for cli/live_diag and the snapshots it diagnoses (cp_model_snapshot,
 * cp_cert_cache_snapshot): a snapshot does not change while the model and the cache go on growing
 * and evicting, and outlives them; the diagnosis thread works on it while the caller keeps adding
 * handshakes (a diagnosis held in progress by the test itself, so nothing depends on timing); a
 * finding is printed once however many diagnoses find it; a report so far (SIGUSR1) is made from
 * what was copied when it was asked for, off the caller's lock, and requests coalesce. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../harness.h"
#include "analysis/cert_cache.h"
#include "analysis/diagnose.h"
#include "analysis/model.h"
#include "analysis/seen.h"
#include "analysis/trust.h"
#include "cli/live_diag.h"
#include "output/report.h"

/* 2026-01-15: inside the certificates' validity. */
#define CAPTURE_NS (UINT64_C(1768435200) * 1000000000u)
#define FAR_US     (INT64_C(1) << 50) /* past any back-off */

/* The DER of a certificate for host, named as issued by issuer (its own key signs it): with
 * issuer == host a self-signed server certificate (an untrusted-root finding), else a leaf that
 * is no possible issuer of anything. */
static GBytes *
cert_der(const char *host, const char *issuer, long serial)
{
    X509_NAME *iss = X509_NAME_new();
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX ctx;
    g_autofree char *san = g_strdup_printf("DNS:%s", host);

    CU_ASSERT_FATAL(key != NULL);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)host, -1, -1, 0);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_set_subject_name(x, name);
    X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8, (const unsigned char *)issuer, -1, -1, 0);
    X509_set_issuer_name(x, iss);
    ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20250101000000Z");
    ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "20301231235959Z");
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &ctx, NID_subject_alt_name, san);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    CU_ASSERT_FATAL(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    CU_ASSERT_FATAL(len > 0);
    GBytes *out = g_bytes_new(der, (gsize)len);
    OPENSSL_free(der);
    X509_NAME_free(name);
    X509_NAME_free(iss);
    X509_free(x);
    EVP_PKEY_free(key);
    return out;
}

static GBytes *
self_signed_der(const char *host, long serial)
{
    return cert_der(host, host, serial);
}

typedef struct World {
    CpLimits limits;
    CpCertCache *cache;
    CpModel *model;
    uint64_t handshakes;
} World;

static void
world_init(World *w, unsigned max_certs)
{
    cp_limits_init_default(&w->limits);
    w->limits.max_certs = max_certs;
    w->cache = cp_cert_cache_new(&w->limits, NULL);
    w->model = cp_model_new(&w->limits, NULL);
    w->handshakes = 0;
}

static void
world_clear(World *w)
{
    cp_model_free(w->model);
    cp_cert_cache_free(w->cache);
}

static CpCert *
cert_of(World *w, GBytes *der)
{
    char sha1[41];
    bool is_new;
    gsize len;
    const uint8_t *p = g_bytes_get_data(der, &len);

    return cp_cert_cache_get(w->cache, p, len, &is_new, sha1);
}

/* One TLS 1.2 handshake with server 10.0.0.<host>:443 for sni, the chain [cert]. */
static void
add_handshake(World *w, uint8_t host, const char *sni, CpCert *cert)
{
    CpHandshake h;

    cp_handshake_init(&h);
    h.ts_ns = CAPTURE_NS;
    h.server.family = 4;
    h.server.bytes[0] = 10;
    h.server.bytes[3] = host;
    h.client = h.server;
    h.client.bytes[3] = 200;
    h.server_port = 443;
    h.client_port = 40000;
    h.sni = g_strdup(sni);
    h.has_client_hello = h.has_server_hello = true;
    h.version = h.client_version = 0x0303;
    h.cipher = 0xc02f;
    h.has_chain = true;
    cp_chain_append(h.chain, cert, cert->sha1);
    CU_ASSERT(cp_model_add(w->model, &h));
    cp_handshake_clear(&h);
    w->handshakes++;
}

static void
snapshot_stays_while_model_grows_and_cache_evicts(void)
{
    World w;
    g_autoptr(GBytes) a = self_signed_der("a.contoso.com", 1);
    g_autoptr(GBytes) b = self_signed_der("b.contoso.com", 2);
    g_autoptr(GBytes) c = self_signed_der("c.contoso.com", 3);
    g_autoptr(GBytes) j = cert_der("client.contoso.com", "Client CA", 4);

    world_init(&w, 3);
    CpCert *ca = cert_of(&w, a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
    add_handshake(&w, 1, "a.contoso.com", ca);
    /* A client's own certificate, held by nobody: what the cache evicts first. */
    char junk_sha1[41];
    bool is_new;
    gsize junk_len;
    const uint8_t *junk_der = g_bytes_get_data(j, &junk_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp_cert_cache_get_as(w.cache, junk_der, junk_len,
                                                      CP_CERT_USE_CLIENT, &is_new, junk_sha1));
    CpModel *ms = cp_model_snapshot(w.model);
    CpCertCache *cs = cp_cert_cache_snapshot(w.cache);

    /* The original goes on: a second server, a new name, and certificates enough to evict. */
    CpCert *cb = cert_of(&w, b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
    add_handshake(&w, 2, "b.contoso.com", cb);
    add_handshake(&w, 1, "www.contoso.com", ca);
    /* The cache is at --max-certs 3: the snapshot did not pin the client's certificate. */
    CU_ASSERT_PTR_NOT_NULL(cert_of(&w, c));
    CU_ASSERT_EQUAL(cp_cert_cache_evicted(w.cache), 1);
    CU_ASSERT_PTR_NULL(cp_cert_cache_find_sha1(w.cache, junk_sha1));
    CU_ASSERT_EQUAL(cp_model_servers(w.model)->len, 2);

    GPtrArray *servers = cp_model_servers(ms);
    CU_ASSERT_EQUAL_FATAL(servers->len, 1);
    const CpServer *s = servers->pdata[0];
    CU_ASSERT_EQUAL(s->handshakes, 1);
    CU_ASSERT_EQUAL(s->names->len, 1);
    CU_ASSERT_EQUAL_FATAL(s->chains->len, 1);
    const CpSeenChain *ch = s->chains->pdata[0];
    CU_ASSERT_PTR_EQUAL(g_array_index(ch->links, CpChainLink, 0).cert, ca);
    CU_ASSERT_PTR_EQUAL(cp_cert_cache_find_sha1(cs, ca->sha1), ca);
    CU_ASSERT_PTR_NULL(cp_cert_cache_find_sha1(cs, cb->sha1));
    CU_ASSERT_PTR_NULL(cp_cert_cache_find_sha1(cs, junk_sha1));
    CU_ASSERT_EQUAL(cp_cert_cache_count(cs), 1);

    /* The snapshot outlives what it was taken from: it holds its own references. */
    char sha1[41];
    memcpy(sha1, ca->sha1, sizeof sha1);
    world_clear(&w);
    const CpCert *kept = cp_cert_cache_find_sha1(cs, sha1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
    CU_ASSERT_STRING_EQUAL(kept->common_name, "a.contoso.com");
    CU_ASSERT_STRING_EQUAL(g_array_index(ch->links, CpChainLink, 0).cert->sha1, sha1);
    cp_model_free(ms);
    cp_cert_cache_free(cs);
}

static unsigned
count_of(const char *text, const char *needle)
{
    unsigned n = 0;

    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A diagnosis the test holds in progress until it says so. */
typedef struct Gate {
    pthread_mutex_t lock; /* POSIX: ThreadSanitizer sees it (STYLE R62) */
    pthread_cond_t cond;
    bool entered, released;
    unsigned calls;
    guint servers_seen; /* servers in the snapshot of the last call */
} Gate;

static CpDiagnosis *
gated_diagnose(void *ctx, CpModel *m, CpCertCache *certs)
{
    Gate *g = ctx;
    CpTrustOptions to = { .no_system_ca = true };
    CpTrust *trust = cp_trust_new(&to, NULL);
    CpDiagOptions opt = { 0 };

    pthread_mutex_lock(&g->lock);
    g->entered = true;
    g->calls++;
    pthread_cond_broadcast(&g->cond);
    while (!g->released)
        pthread_cond_wait(&g->cond, &g->lock);
    g->servers_seen = cp_model_servers(m)->len;
    pthread_mutex_unlock(&g->lock);
    CpDiagnosis *d = cp_diagnose(m, certs, trust, &opt);
    cp_trust_free(trust);
    return d;
}

static void
gate_wait_entered(Gate *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->entered)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void
gate_release(Gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->released = true;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static void
gate_rearm(Gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->entered = g->released = false;
    pthread_mutex_unlock(&g->lock);
}

/* A live_diag printing JSON into memory, with a gated diagnosis over a world. */
typedef struct Rig {
    World w;
    Gate g;
    GMutex output;
    char *text;
    size_t text_len;
    FILE *out;
    CpReport *report;
    CpLiveDiag *d;
} Rig;

static void
rig_init(Rig *r, bool gate_open)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->g.lock, NULL);
    pthread_cond_init(&r->g.cond, NULL);
    r->g.released = gate_open;
    g_mutex_init(&r->output);
    world_init(&r->w, 65536);
    r->out = open_memstream(&r->text, &r->text_len);
    r->report = cp_report_new("json", r->out, false);
    r->d = cp_live_diag_new(0, r->report, &r->output, gated_diagnose, &r->g);
}

/* Ends live_diag (the diagnosis under way prints first); r->text holds what was printed. */
static void
rig_stop(Rig *r)
{
    cp_live_diag_free(r->d);
    cp_report_free(r->report);
    fclose(r->out);
}

static void
rig_clear(Rig *r)
{
    world_clear(&r->w);
    free(r->text);
    pthread_mutex_destroy(&r->g.lock);
    pthread_cond_destroy(&r->g.cond);
    g_mutex_clear(&r->output);
}

static void
model_takes_handshakes_while_a_diagnosis_is_in_progress(void)
{
    Rig r;
    GMutex state;
    g_autoptr(GBytes) a = self_signed_der("a.contoso.com", 1);
    g_autoptr(GBytes) b = self_signed_der("b.contoso.com", 2);

    g_mutex_init(&state);
    rig_init(&r, false);
    add_handshake(&r.w, 1, "a.contoso.com", cert_of(&r.w, a));
    g_mutex_lock(&state);
    CU_ASSERT(cp_live_diag_offer(r.d, r.w.model, r.w.cache, r.w.handshakes, 0));
    g_mutex_unlock(&state);
    gate_wait_entered(&r.g);

    /* The diagnosis is held in progress: the pipeline's lock is free, the model and the cache
     * take a new server and certificate, and a new offer is refused at once, not queued. */
    CU_ASSERT_FATAL(g_mutex_trylock(&state));
    add_handshake(&r.w, 2, "b.contoso.com", cert_of(&r.w, b));
    CU_ASSERT_FALSE(cp_live_diag_due(r.d, r.w.handshakes, FAR_US));
    CU_ASSERT_FALSE(cp_live_diag_offer(r.d, r.w.model, r.w.cache, r.w.handshakes, FAR_US));
    g_mutex_unlock(&state);
    CU_ASSERT_EQUAL(r.g.calls, 1);

    gate_release(&r.g);
    cp_live_diag_sync(r.d);
    CU_ASSERT_EQUAL(r.g.servers_seen, 1); /* the snapshot, not the model as it is now */

    /* Within the back-off nothing is due; after it, the next snapshot has both servers. */
    gate_rearm(&r.g);
    CU_ASSERT_FALSE(cp_live_diag_due(r.d, r.w.handshakes, 1));
    CU_ASSERT(cp_live_diag_offer(r.d, r.w.model, r.w.cache, r.w.handshakes, FAR_US));
    gate_release(&r.g);
    cp_live_diag_sync(r.d);
    CU_ASSERT_EQUAL(r.g.calls, 2);
    CU_ASSERT_EQUAL(r.g.servers_seen, 2);
    /* No new handshake: nothing to diagnose again. */
    CU_ASSERT_FALSE(cp_live_diag_due(r.d, r.w.handshakes, FAR_US * 2));

    rig_stop(&r);
    /* Each server's self-signed leaf is its own finding, printed by the diagnosis that found it:
     * the first saw only 10.0.0.1, the second added 10.0.0.2. */
    CU_ASSERT_EQUAL(count_of(r.text, "\"type\":\"finding\""), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.text, "10.0.0.2:443"));
    rig_clear(&r);
    g_mutex_clear(&state);
}

static void
finding_found_by_two_diagnoses_is_printed_once(void)
{
    Rig r;
    g_autoptr(GBytes) a = self_signed_der("a.contoso.com", 1);

    rig_init(&r, true);
    CpCert *ca = cert_of(&r.w, a);
    add_handshake(&r.w, 1, "a.contoso.com", ca);
    CU_ASSERT(cp_live_diag_offer(r.d, r.w.model, r.w.cache, r.w.handshakes, 0));
    cp_live_diag_sync(r.d);
    add_handshake(&r.w, 1, "a.contoso.com", ca);
    CU_ASSERT(cp_live_diag_offer(r.d, r.w.model, r.w.cache, r.w.handshakes, FAR_US));
    /* Stopped with the second diagnosis pending or running: it ends and prints first. */
    rig_stop(&r);
    CU_ASSERT_EQUAL(r.g.calls, 2);
    CU_ASSERT_EQUAL(count_of(r.text, "\"type\":\"finding\""), 1);
    CU_ASSERT_EQUAL(count_of(r.text, "\"final\":false"), 1);
    rig_clear(&r);
}

/* What the pipeline and the run would hand a report: counters, anomalies, link types, errors. */
typedef struct Site {
    CpAnomalies anomalies;
    GArray *links;
    CpRunInfo info;
} Site;

static void
site_init(Site *s)
{
    memset(s, 0, sizeof *s);
    s->links = g_array_new(FALSE, FALSE, sizeof(CpLinkSeen));
    s->info.inputs = g_ptr_array_new_with_free_func(g_free);
    s->info.errors = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(s->info.inputs, g_strdup("eth0"));
    s->info.live = true;
}

static void
site_clear(Site *s)
{
    g_array_unref(s->links);
    g_ptr_array_unref(s->info.inputs);
    g_ptr_array_unref(s->info.errors);
}

/* As the pipeline fills it: the world's handshakes and servers, the site's counters. */
static void
seen_of(CpSeen *seen, World *w, const Site *s)
{
    memset(seen, 0, sizeof *seen);
    seen->stats.tls_connections = w->handshakes;
    seen->anomalies = &s->anomalies;
    seen->unsupported_links = s->links;
    seen->servers = cp_model_servers(w->model);
    seen->certificates = cp_cert_cache_count(w->cache);
}

static bool
request_report(Rig *r, const Site *s)
{
    CpSeen seen;

    seen_of(&seen, &r->w, s);
    return cp_live_diag_report(r->d, r->w.model, r->w.cache, &seen, &s->info);
}

/* (transfer full) the lines of text of the given "type", in order. */
static GPtrArray *
lines_of(const char *text, const char *type)
{
    g_autofree char *needle = g_strdup_printf("{\"type\":\"%s\"", type);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    for (char **l = lines; *l != NULL; l++)
        if (g_str_has_prefix(*l, needle))
            g_ptr_array_add(out, g_strdup(*l));
    return out;
}

static bool
printed_yet(Rig *r, const char *needle)
{
    g_mutex_lock(&r->output);
    fflush(r->out);
    bool found = r->text != NULL && strstr(r->text, needle) != NULL;
    g_mutex_unlock(&r->output);
    return found;
}

static void
report_so_far_is_made_off_the_lock_from_what_was_copied(void)
{
    Rig r;
    Site site;
    GMutex state;
    g_autoptr(GBytes) a = self_signed_der("a.contoso.com", 1);
    g_autoptr(GBytes) b = self_signed_der("b.contoso.com", 2);

    g_mutex_init(&state);
    site_init(&site);
    rig_init(&r, false);
    add_handshake(&r.w, 1, "a.contoso.com", cert_of(&r.w, a));
    site.anomalies.count[CP_ANOMALY_MODEL_SERVER_LIMIT] = 3;
    g_mutex_lock(&state);
    CU_ASSERT(request_report(&r, &site)); /* returns with its diagnosis not even begun */
    g_mutex_unlock(&state);
    gate_wait_entered(&r.g);

    /* The report's diagnosis is held in progress: the lock is free and everything it was copied
     * from changes. */
    CU_ASSERT_FATAL(g_mutex_trylock(&state));
    add_handshake(&r.w, 2, "b.contoso.com", cert_of(&r.w, b));
    site.anomalies.count[CP_ANOMALY_MODEL_SERVER_LIMIT] = 7;
    g_array_append_val(site.links, ((CpLinkSeen){ .linktype = 147, .frames = 9 }));
    g_ptr_array_add(site.info.errors, g_strdup("eth0: the device went away"));
    /* A second request waits for the first; a third, while the second waits, is answered by it
     * (coalesced); the streaming diagnosis has its own slot. */
    CU_ASSERT(request_report(&r, &site));
    CU_ASSERT_FALSE(request_report(&r, &site));
    CU_ASSERT(cp_live_diag_offer(r.d, r.w.model, r.w.cache, r.w.handshakes, 0));
    g_mutex_unlock(&state);
    CU_ASSERT_FALSE(printed_yet(&r, "\"type\":\"summary\""));

    /* Released: the reports are made while the world goes on changing (under ThreadSanitizer a
     * report reading the world instead of its copy is a race). */
    g_autoptr(GBytes) c = self_signed_der("c.contoso.com", 3);
    gate_release(&r.g);
    CU_ASSERT_FATAL(g_mutex_trylock(&state));
    add_handshake(&r.w, 3, "c.contoso.com", cert_of(&r.w, c));
    add_handshake(&r.w, 1, "www.contoso.com", cert_of(&r.w, a));
    site.anomalies.count[CP_ANOMALY_MODEL_SERVER_LIMIT] = 11;
    g_mutex_unlock(&state);
    cp_live_diag_sync(r.d); /* returns when both reports are printed */
    CU_ASSERT_EQUAL(r.g.calls, 3);
    g_mutex_lock(&r.output);
    fflush(r.out);
    g_autoptr(GPtrArray) sums = lines_of(r.text, "summary");
    g_mutex_unlock(&r.output);
    CU_ASSERT_EQUAL_FATAL(sums->len, 2);
    const char *first = sums->pdata[0], *second = sums->pdata[1];
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "\"handshakes\":1,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "\"servers\":1,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "\"model.server_limit\":3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "\"errors\":[]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "\"inputs\":[\"eth0\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(second, "\"handshakes\":2,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(second, "\"servers\":2,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(second, "\"model.server_limit\":7"));
    CU_ASSERT_PTR_NOT_NULL(strstr(second, "\"errors\":[\"eth0: the device went away\"]"));

    rig_stop(&r);
    /* Each report holds its findings (final); each fault was streamed once, before any report
     * repeated it. */
    CU_ASSERT_EQUAL(count_of(r.text, "\"final\":true"), 1 + 2);
    CU_ASSERT_EQUAL(count_of(r.text, "\"final\":false"), 2);
    const char *streamed_b = strstr(r.text, "\"servers\":[\"10.0.0.2:443\"]");
    CU_ASSERT_PTR_NOT_NULL_FATAL(streamed_b);
    CU_ASSERT(strstr(r.text, "\"final\":false") < strstr(r.text, "\"final\":true"));
    CU_ASSERT(strstr(streamed_b, "\"final\":false") < strstr(streamed_b, "\"final\":true"));
    rig_clear(&r);
    site_clear(&site);
    g_mutex_clear(&state);
}

static void
stop_prints_the_report_still_waiting(void)
{
    Rig r;
    Site site;
    g_autoptr(GBytes) a = self_signed_der("a.contoso.com", 1);

    site_init(&site);
    rig_init(&r, false);
    add_handshake(&r.w, 1, "a.contoso.com", cert_of(&r.w, a));
    CU_ASSERT(request_report(&r, &site));
    gate_wait_entered(&r.g);
    CU_ASSERT(request_report(&r, &site));
    gate_release(&r.g);
    /* Stopped with one report being made and one waiting: both are printed, whole, first. */
    rig_stop(&r);
    CU_ASSERT_EQUAL(r.g.calls, 2);
    g_autoptr(GPtrArray) sums = lines_of(r.text, "summary");
    CU_ASSERT_EQUAL(sums->len, 2);
    CU_ASSERT(g_str_has_suffix(r.text, "}\n"));
    rig_clear(&r);
    site_clear(&site);
}

static CU_TestInfo tests[] = {
    { "snapshot_stays_while_model_grows_and_cache_evicts",
      snapshot_stays_while_model_grows_and_cache_evicts },
    { "model_takes_handshakes_while_a_diagnosis_is_in_progress",
      model_takes_handshakes_while_a_diagnosis_is_in_progress },
    { "finding_found_by_two_diagnoses_is_printed_once",
      finding_found_by_two_diagnoses_is_printed_once },
    { "report_so_far_is_made_off_the_lock_from_what_was_copied",
      report_so_far_is_made_off_the_lock_from_what_was_copied },
    { "stop_prints_the_report_still_waiting", stop_prints_the_report_still_waiting },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("live_diag", tests, argc, argv);
}
