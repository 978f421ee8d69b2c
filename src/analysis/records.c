/* SPDX-License-Identifier: BSD-2-Clause */
/* records: certpath's own JSON Lines (docs/json.md) back into the model.
 *
 * certificate -> its DER (base64) through the pipeline's certificate cache, after checking it
 *                hashes to the sha1 the line states (a line that lies is skipped);
 * handshake   -> a CpHandshake (endpoints, SNI, version, cipher, chain by SHA-1 looked up in the
 *                cache, alert, truncated/TLS 1.3 flags) folded into the model like one that
 *                came from packets;
 * summary     -> its anomaly counts added to the run's, so a sensor that lost packets or hit a
 *                limit still makes the merged run inconclusive;
 * finding, server and unknown types are skipped: the diagnosis is made again from the model.
 *
 * Two sensors may both capture one connection (the front end's side and the Exchange server's
 * side of the same TLS session): a handshake whose client and server endpoints match one seen
 * within DUP_WINDOW_NS is the same connection and is counted once (records.duplicate), as the
 * duplicated packets of a merged capture would have been. The handshakes of a TLS 1.2
 * renegotiation share the connection's endpoints and time: their "renegotiation" number keeps
 * them apart. Certificate records are folded before
 * the handshakes that name them when each sensor's lines are read in order; when a shipper mixed
 * that order, cp_records_finish() gives the model's chains the certificates that came late. A
 * thumbprint with no certificate record at all stays an unparsed link, as an unparsable DER
 * does. */
#include "analysis/records.h"

#include <arpa/inet.h>
#include <string.h>

#include "base/json.h"
#include "dissectors/tls_tables.h"

/* Two sensors' clocks and capture points differ by well under a second on a synchronised site;
 * a client port is not reused for the same server within seconds. */
#define DUP_WINDOW_NS (5 * G_GUINT64_CONSTANT(1000000000))

struct CpRecords {
    CpPipeline *pl;
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpRecordsStats stats;
    GHashTable *versions; /* name -> GUINT_TO_POINTER(value + 1) */
    GHashTable *ciphers;
    GHashTable *alerts;
    GHashTable
            *recent; /* "client|server|renegotiation" (owned) -> uint64_t* ts_ns (owned), bounded */
};

typedef const char *(*NameFn)(uint16_t v);

static const char *
alert_name(uint16_t v)
{
    return cp_tls_alert_name((uint8_t)v);
}

/* The writer prints names from tls_tables; reading them back needs the reverse table. */
static GHashTable *
reverse_table(NameFn name, uint32_t count)
{
    GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);

    for (uint32_t v = 0; v < count; v++) {
        const char *n = name((uint16_t)v);
        if (n != NULL && !g_hash_table_contains(t, n))
            g_hash_table_insert(t, (gpointer)(uintptr_t)n, GUINT_TO_POINTER(v + 1)); /* static */
    }
    return t;
}

CpRecords *
cp_records_new(CpPipeline *pl, const CpLimits *limits)
{
    CpRecords *rd = g_new0(CpRecords, 1);

    rd->pl = pl;
    rd->limits = limits;
    rd->anomalies = cp_pipeline_anomalies(pl);
    rd->versions = reverse_table(cp_tls_version_name, 0x10000);
    rd->ciphers = reverse_table(cp_tls_cipher_name, 0x10000);
    rd->alerts = reverse_table(alert_name, 0x100);
    rd->recent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return rd;
}

void
cp_records_free(CpRecords *rd)
{
    if (rd == NULL)
        return;
    g_hash_table_destroy(rd->versions);
    g_hash_table_destroy(rd->ciphers);
    g_hash_table_destroy(rd->alerts);
    g_hash_table_destroy(rd->recent);
    g_free(rd);
}

const CpRecordsStats *
cp_records_stats(const CpRecords *rd)
{
    return &rd->stats;
}

static bool
reject(CpRecords *rd, CpAnomalyId id)
{
    cp_anomaly_add(rd->anomalies, id);
    rd->stats.rejected++;
    return false;
}

void
cp_records_line_too_long(CpRecords *rd)
{
    rd->stats.lines++;
    reject(rd, CP_ANOMALY_RECORDS_TOO_LARGE); /* records.too_large: --max-record-line */
}

/* A name from the table, or the writer's fallback for unknown values ("0x%04X", "alert_%d"). */
static bool
lookup(GHashTable *t, const char *name, const char *prefix, unsigned base, uint32_t max,
       uint32_t *out)
{
    gpointer v = g_hash_table_lookup(t, name);
    guint64 n;

    if (v != NULL) {
        *out = GPOINTER_TO_UINT(v) - 1;
        return true;
    }
    if (!g_str_has_prefix(name, prefix) || name[strlen(prefix)] == '\0')
        return false;
    if (!g_ascii_string_to_unsigned(name + strlen(prefix), base, 0, max, &n, NULL))
        return false;
    *out = (uint32_t)n;
    return true;
}

/* "a.b.c.d:port" or "[v6]:port", as cp_addr_format_endpoint writes them. */
static bool
parse_endpoint(const char *s, CpAddr *addr, uint16_t *port)
{
    char host[64];
    const char *colon = s != NULL ? strrchr(s, ':') : NULL;
    guint64 p;

    if (colon == NULL || (size_t)(colon - s) >= sizeof host ||
        !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &p, NULL))
        return false;
    memset(addr, 0, sizeof *addr);
    *port = (uint16_t)p;
    size_t n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        memcpy(host, s + 1, n - 2);
        host[n - 2] = '\0';
        addr->family = 6;
        return inet_pton(AF_INET6, host, addr->bytes) == 1;
    }
    memcpy(host, s, n);
    host[n] = '\0';
    addr->family = 4;
    return inet_pton(AF_INET, host, addr->bytes) == 1;
}

/* ISO 8601 UTC, as format.c writes it ("2026-01-15T10:00:00.123456Z"). */
static bool
parse_ts(const char *s, uint64_t *ts_ns)
{
    if (s == NULL)
        return false;
    GDateTime *dt = g_date_time_new_from_iso8601(s, NULL);
    if (dt == NULL)
        return false;
    gint64 sec = g_date_time_to_unix(dt);
    gint micro = g_date_time_get_microsecond(dt);
    g_date_time_unref(dt);
    if (sec < 0)
        return false;
    *ts_ns = (uint64_t)sec * 1000000000u + (uint64_t)micro * 1000u;
    return true;
}

static bool
is_sha1_hex(const char *s)
{
    if (s == NULL || strlen(s) != 40)
        return false;
    for (size_t i = 0; i < 40; i++)
        if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'A' && s[i] <= 'F'))
            return false;
    return true;
}

/* The chain as thumbprints, each looked up in the cache (the certificate record came first). At
 * most --max-chain links are kept, as the dissector would have. */
static bool
parse_chain(CpRecords *rd, const CpJson *arr, GArray *chain, size_t *dropped)
{
    CpCertCache *certs = cp_pipeline_certs(rd->pl);

    if (arr == NULL)
        return true;
    if (arr->type != CP_JSON_ARRAY)
        return false;
    for (size_t i = 0; i < cp_json_array_len(arr); i++) {
        const char *sha1 = cp_json_string(cp_json_array_at(arr, i));
        if (!is_sha1_hex(sha1))
            return false;
        if (chain->len >= rd->limits->max_chain_certs) {
            (*dropped)++;
            continue;
        }
        cp_chain_append(chain, cp_cert_cache_find_sha1(certs, sha1), sha1);
    }
    return true;
}

static bool
parse_version(CpRecords *rd, const CpJson *o, CpHandshake *h)
{
    const char *version = cp_json_member_string(o, "version");
    const char *cipher = cp_json_member_string(o, "cipher");
    uint32_t v = 0, c = 0;

    if (version == NULL)
        return true; /* no ServerHello seen */
    h->has_server_hello = true;
    if (strcmp(version, "SSL 2.0") == 0) {
        h->version = 0x0002;
        return true;
    }
    if (!lookup(rd->versions, version, "0x", 16, 0xFFFF, &v))
        return false;
    if (cipher != NULL && !lookup(rd->ciphers, cipher, "0x", 16, 0xFFFF, &c))
        return false;
    h->version = (uint16_t)v;
    h->cipher = (uint16_t)c;
    return true;
}

static bool
parse_alert(CpRecords *rd, const CpJson *o, CpHandshake *h)
{
    const char *alert = cp_json_member_string(o, "alert");
    const char *level = cp_json_member_string(o, "alert_level");
    const char *sender = cp_json_member_string(o, "alert_sender");
    uint32_t desc;

    if (alert == NULL)
        return true;
    if (!lookup(rd->alerts, alert, "alert_", 10, 255, &desc))
        return false;
    h->alert_desc = (int)desc;
    h->alert_level = level != NULL && strcmp(level, "fatal") == 0 ? 2 : 1;
    h->alert_from_client = sender != NULL && strcmp(sender, "client") == 0;
    return true;
}

/* "aa:bb:cc:dd:ee:ff", as report_json.c writes a client's MAC. */
static bool
parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = g_ascii_xdigit_value(s[3 * i]);
        int lo = hi < 0 ? -1 : g_ascii_xdigit_value(s[3 * i + 1]);
        char sep = s[3 * i + 2];
        if (lo < 0 || (i < 5 ? sep != ':' : sep != '\0'))
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* The client side of a handshake (client_seen.c's facts). Records of a certpath without these
 * fields leave them unset: the client-side findings then stay quiet, never wrongly loud. */
static bool
parse_client_side(CpRecords *rd, const CpJson *o, CpHandshake *h)
{
    const char *cv = cp_json_member_string(o, "client_version");
    const char *end = cp_json_member_string(o, "client_end");
    const char *mac = cp_json_member_string(o, "client_mac");
    const CpJson *su = cp_json_member(o, "client_suites");
    uint32_t v;

    if (cv != NULL) {
        if (!lookup(rd->versions, cv, "0x", 16, 0xFFFF, &v))
            return false;
        h->client_version = (uint16_t)v;
    }
    if (su != NULL) {
        const CpJson *count = cp_json_member(su, "count");
        if (count != NULL && count->type == CP_JSON_NUMBER && count->is_uint)
            h->suites.count = (uint16_t)MIN(count->uint, G_MAXUINT16);
        h->suites.tls13 = cp_json_member_bool(su, "tls13");
        h->suites.ecdhe = cp_json_member_bool(su, "ecdhe");
        h->suites.dhe = cp_json_member_bool(su, "dhe");
        h->suites.rsa_kx = cp_json_member_bool(su, "rsa_kx");
        h->suites.aead = cp_json_member_bool(su, "aead");
        h->suites.cbc = cp_json_member_bool(su, "cbc");
        h->suites.rc4 = cp_json_member_bool(su, "rc4");
        h->suites.des3 = cp_json_member_bool(su, "des3");
    }
    h->cert_requested = cp_json_member_bool(o, "cert_requested");
    h->client_ccs = cp_json_member_bool(o, "client_ccs");
    h->server_ccs = cp_json_member_bool(o, "server_ccs");
    h->client_reset = end != NULL && strcmp(end, "rst") == 0;
    h->client_closed = h->client_reset || (end != NULL && strcmp(end, "fin") == 0);
    h->server_reset = cp_json_member_bool(o, "server_reset");
    h->client_truncated = cp_json_member_bool(o, "client_truncated");
    if (mac != NULL && strlen(mac) == 17)
        h->has_client_mac = parse_mac(mac, h->client_mac);
    return true;
}

static bool
parse_handshake(CpRecords *rd, const CpJson *o, CpHandshake *h)
{
    const char *sni = cp_json_member_string(o, "sni");

    if (!parse_ts(cp_json_member_string(o, "ts"), &h->ts_ns) ||
        !parse_endpoint(cp_json_member_string(o, "client"), &h->client, &h->client_port) ||
        !parse_endpoint(cp_json_member_string(o, "server"), &h->server, &h->server_port) ||
        !parse_version(rd, o, h) || !parse_alert(rd, o, h) ||
        !parse_chain(rd, cp_json_member(o, "chain"), h->chain, &h->certs_dropped) ||
        !parse_chain(rd, cp_json_member(o, "client_chain"), h->client_chain, &(size_t){ 0 }))
        return false;
    if (sni != NULL && sni[0] != '\0')
        h->sni = g_strndup(sni, 255);
    h->has_client_hello = true;
    h->truncated = cp_json_member_bool(o, "truncated");
    h->tls13_encrypted = cp_json_member_bool(o, "tls13_encrypted");
    h->chain_damaged = cp_json_member_bool(o, "chain_damaged");
    const CpJson *reneg = cp_json_member(o, "renegotiation");
    if (reneg != NULL && reneg->type == CP_JSON_NUMBER && reneg->is_uint)
        h->renegotiation = (uint16_t)MIN(reneg->uint, G_MAXUINT16);
    if (!parse_client_side(rd, o, h))
        return false;
    /* An empty chain is either no Certificate message (resumed) or one that lost every
     * certificate to a limit; the record's "resumed" tells them apart. */
    h->has_chain = h->chain->len > 0;
    if (!h->has_chain && cp_handshake_is_resumed(h) && !cp_json_member_bool(o, "resumed"))
        h->has_chain = true;
    return true;
}

/* Whether another sensor already gave this connection (see the top of the file). */
static bool
is_duplicate(CpRecords *rd, const CpHandshake *h)
{
    char client[64], server[64];

    cp_addr_format_endpoint(&h->client, h->client_port, client, sizeof client);
    cp_addr_format_endpoint(&h->server, h->server_port, server, sizeof server);
    /* A renegotiation on the connection is a handshake of its own, not a second sensor's copy. */
    g_autofree char *key = g_strdup_printf("%s|%s|%u", client, server, (unsigned)h->renegotiation);
    uint64_t *seen = g_hash_table_lookup(rd->recent, key);
    if (seen != NULL) {
        uint64_t gap = *seen > h->ts_ns ? *seen - h->ts_ns : h->ts_ns - *seen;
        *seen = h->ts_ns;
        return gap <= DUP_WINDOW_NS;
    }
    /* Bounded like the flow table: forgetting old connections only risks counting one twice. */
    if (g_hash_table_size(rd->recent) >= rd->limits->max_flows)
        g_hash_table_remove_all(rd->recent);
    uint64_t *ts = g_new(uint64_t, 1);
    *ts = h->ts_ns;
    g_hash_table_insert(rd->recent, g_steal_pointer(&key), ts);
    return false;
}

static bool
take_handshake(CpRecords *rd, const CpJson *o)
{
    CpHandshake *h = g_new(CpHandshake, 1);

    cp_handshake_init(h);
    bool parsed = parse_handshake(rd, o, h);
    if (!parsed || is_duplicate(rd, h)) {
        cp_handshake_clear(h);
        g_free(h);
        if (!parsed)
            return reject(rd, CP_ANOMALY_RECORDS_MALFORMED); /* records.malformed: handshake */
        cp_anomaly_add(rd->anomalies, CP_ANOMALY_RECORDS_DUPLICATE); /* records.duplicate */
        return true;
    }
    rd->stats.handshakes++;
    cp_pipeline_record_handshake(rd->pl, h);
    return true;
}

/* Standard base64 only: g_base64_decode skips what it does not know, which would hide damage. */
static bool
is_base64(const char *s, size_t len)
{
    if (len == 0 || len % 4 != 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool pad = c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '=');
        if (!g_ascii_isalnum(c) && c != '+' && c != '/' && !pad)
            return false;
    }
    return true;
}

static bool
take_certificate(CpRecords *rd, const CpJson *o)
{
    const char *sha1 = cp_json_member_string(o, "sha1");
    const char *b64 = cp_json_member_string(o, "der");
    char got[41];
    gsize len = 0;

    if (!is_sha1_hex(sha1))
        return reject(rd, CP_ANOMALY_RECORDS_MALFORMED); /* records.malformed: no sha1 */
    if (b64 == NULL) {
        rd->stats.no_der++;
        cp_anomaly_add(rd->anomalies, CP_ANOMALY_RECORDS_NO_DER); /* records.no_der */
        return true;
    }
    /* The line is at most --max-record-line bytes, so the DER is smaller still (R39). */
    if (!is_base64(b64, strlen(b64)))
        return reject(rd, CP_ANOMALY_RECORDS_MALFORMED); /* records.malformed: bad base64 */
    g_autofree uint8_t *der = g_base64_decode(b64, &len);
    cp_cert_sha1_hex(der, len, got);
    if (strcmp(got, sha1) != 0)
        return reject(rd, CP_ANOMALY_RECORDS_DER_MISMATCH); /* records.der_mismatch */
    (void)cp_pipeline_record_der(rd->pl, der, len, got);    /* x509.bad_der counted there */
    rd->stats.certificates++;
    return true;
}

static void
take_summary(CpRecords *rd, const CpJson *o)
{
    const CpJson *an = cp_json_member(o, "anomalies");

    if (an == NULL || an->type != CP_JSON_OBJECT)
        return;
    for (guint i = 0; i < an->keys->len; i++) {
        const CpJson *n = an->items->pdata[i];
        if (n->type != CP_JSON_NUMBER || !n->is_uint)
            continue;
        for (int id = 0; id < CP_ANOMALY__COUNT; id++) {
            if (strcmp(cp_anomaly_name((CpAnomalyId)id), an->keys->pdata[i]) != 0)
                continue;
            uint64_t *c = &rd->anomalies->count[id];
            *c = n->uint > UINT64_MAX - *c ? UINT64_MAX : *c + n->uint;
            break;
        }
    }
}

uint64_t
cp_records_finish(CpRecords *rd)
{
    CpCertCache *certs = cp_pipeline_certs(rd->pl);
    GPtrArray *servers = cp_model_servers(cp_pipeline_model(rd->pl));
    uint64_t found = 0;

    for (guint i = 0; i < servers->len; i++) {
        const CpServer *s = servers->pdata[i];
        for (guint j = 0; j < s->chains->len; j++) {
            GArray *links = ((CpSeenChain *)s->chains->pdata[j])->links;
            for (guint k = 0; k < links->len; k++) {
                CpChainLink *l = &g_array_index(links, CpChainLink, k);
                CpCert *late = l->cert == NULL ? cp_cert_cache_find_sha1(certs, l->sha1) : NULL;
                if (late != NULL) {
                    l->cert = cp_cert_ref(late); /* links hold a reference (model.c) */
                    found++;
                }
            }
        }
    }
    return found;
}

static bool
take(CpRecords *rd, const CpJson *o)
{
    const char *type = cp_json_member_string(o, "type");

    if (type == NULL)
        return reject(rd, CP_ANOMALY_RECORDS_MALFORMED); /* records.malformed: not a record */
    if (strcmp(type, "certificate") == 0)
        return take_certificate(rd, o);
    if (strcmp(type, "handshake") == 0)
        return take_handshake(rd, o);
    if (strcmp(type, "summary") == 0)
        take_summary(rd, o);
    return true; /* finding, server: made again; newer types: not ours to guess */
}

static CpAnomalyId
status_anomaly(CpJsonStatus st)
{
    return st == CP_JSON_MALFORMED ? CP_ANOMALY_RECORDS_MALFORMED : CP_ANOMALY_RECORDS_TOO_LARGE;
}

bool
cp_records_line(CpRecords *rd, const uint8_t *line, size_t len)
{
    CpJsonStatus st;

    rd->stats.lines++;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    size_t blank = 0;
    while (blank < len && (line[blank] == ' ' || line[blank] == '\t'))
        blank++;
    if (blank == len)
        return true; /* blank lines between files or from a shipper */
    if (len > rd->limits->max_record_line)
        return reject(rd, CP_ANOMALY_RECORDS_TOO_LARGE); /* records.too_large */
    g_autoptr(CpJson) o = cp_json_parse(line, len, rd->limits->max_record_depth,
                                        rd->limits->max_record_values, &st);
    if (o == NULL)
        return reject(rd, status_anomaly(st)); /* records.malformed, records.too_large */
    if (o->type != CP_JSON_OBJECT)
        return reject(rd, CP_ANOMALY_RECORDS_MALFORMED); /* records.malformed */
    return take(rd, o);
}
