/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_keylog: NSS key log lines ("LABEL <client_random hex> <secret hex>", the format of
 * Firefox's SSLKEYLOGFILE, OpenSSL's SSL_CTX_set_keylog_callback and Wireshark's
 * tls.keylog_file; RFC 9850 draft-ietf-tls-keylogfile) into a table keyed by label and client
 * random.
 *
 * The text is untrusted (a file handed over, or a pcapng block): it is read through CpReader,
 * a line longer than any valid one is skipped whole, and the table holds at most max_entries
 * secrets (--max-keylog-secrets, keylog.limit). A line that is not a key log line is counted
 * (keylog.malformed) and skipped; labels certpath does not need are skipped silently. The first
 * secret for a key wins, so a later line cannot replace one already used.
 */
#include "dissectors/tls_keylog.h"

#include <string.h>
#include <glib.h>

#include "base/reader.h"

enum {
    KEY_LEN = 1 + CP_KEYLOG_RANDOM_LEN, /* label, client random */
    LABEL_MAX = 48,                     /* longer than every label of the format */
};

typedef struct Entry {
    uint8_t key[KEY_LEN];
    uint8_t secret[CP_KEYLOG_SECRET_MAX];
    size_t len;
} Entry;

struct CpKeylog {
    GHashTable *table; /* Entry* (owned) -> itself, keyed by Entry.key */
    uint64_t max_entries;
    CpAnomalies *anomalies; /* borrowed, nullable */
    bool limit_noted;
};

typedef struct Label {
    const char *name;
    int id; /* CpKeylogLabel, -1: known but not used */
} Label;

static const Label labels[] = {
    { "CLIENT_RANDOM", CP_KEYLOG_CLIENT_RANDOM },
    { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", CP_KEYLOG_CLIENT_HS },
    { "SERVER_HANDSHAKE_TRAFFIC_SECRET", CP_KEYLOG_SERVER_HS },
    { "CLIENT_TRAFFIC_SECRET_0", -1 },
    { "SERVER_TRAFFIC_SECRET_0", -1 },
    { "EXPORTER_SECRET", -1 },
    { "CLIENT_EARLY_TRAFFIC_SECRET", -1 },
    { "EARLY_EXPORTER_SECRET", -1 },
    { "ECH_SECRET", -1 },
    { "ECH_CONFIG", -1 },
    { "RSA", -1 }, /* "RSA <encrypted pre-master prefix> <pre-master>": RSA key exchange */
};

static guint
entry_hash(gconstpointer p)
{
    const Entry *e = p;
    guint h = 5381;

    /* The client random is random: its first bytes hash well enough, the label separates. */
    for (size_t i = 0; i < 8; i++)
        h = h * 33u + e->key[i];
    return h;
}

static gboolean
entry_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(((const Entry *)a)->key, ((const Entry *)b)->key, KEY_LEN) == 0;
}

CpKeylog *
cp_keylog_new(uint64_t max_entries, CpAnomalies *anomalies)
{
    CpKeylog *k = g_new0(CpKeylog, 1);

    k->table = g_hash_table_new_full(entry_hash, entry_equal, g_free, NULL);
    k->max_entries = max_entries;
    k->anomalies = anomalies;
    return k;
}

void
cp_keylog_free(CpKeylog *k)
{
    if (k == NULL)
        return;
    g_hash_table_destroy(k->table);
    g_free(k);
}

size_t
cp_keylog_count(const CpKeylog *k)
{
    return k == NULL ? 0 : g_hash_table_size(k->table);
}

static int
hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One space-separated field of the line. */
static bool
field(CpReader *line, CpReader *out)
{
    size_t n = 0;
    uint8_t c;

    while (cp_reader_peek_u8(line, n, &c) && c != ' ' && c != '\t')
        n++;
    if (n == 0 || !cp_reader_sub(line, n, out))
        return false;
    while (cp_reader_peek_u8(line, 0, &c) && (c == ' ' || c == '\t'))
        if (!cp_reader_skip(line, 1))
            return false;
    return true;
}

/* Hex digits to bytes: exactly out_max bytes when exact, else 1..out_max. */
static bool
hex_field(CpReader *f, uint8_t *out, size_t out_max, bool exact, size_t *out_len)
{
    size_t n = cp_reader_remaining(f);
    uint8_t hi, lo;

    if (n == 0 || n % 2 != 0 || n / 2 > out_max || (exact && n / 2 != out_max))
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        if (!cp_reader_u8(f, &hi) || !cp_reader_u8(f, &lo))
            return false;
        int h = hex_value(hi), l = hex_value(lo);
        if (h < 0 || l < 0)
            return false;
        out[i] = (uint8_t)(h << 4 | l);
    }
    *out_len = n / 2;
    return true;
}

/* The label's id, -1 for a label skipped on purpose, -2 for no label of the format. */
static int
label_id(CpReader *f)
{
    size_t n = cp_reader_remaining(f);
    const uint8_t *p;

    if (n > LABEL_MAX || !cp_reader_bytes(f, n, &p))
        return -2;
    for (size_t i = 0; i < G_N_ELEMENTS(labels); i++)
        if (strlen(labels[i].name) == n && memcmp(labels[i].name, p, n) == 0)
            return labels[i].id;
    return -2;
}

static void
malformed(CpKeylog *k)
{
    cp_anomaly_add(k->anomalies, CP_ANOMALY_KEYLOG_MALFORMED); /* keylog.malformed */
}

static size_t
insert(CpKeylog *k, Entry *e)
{
    if (g_hash_table_contains(k->table, e))
        return 0;
    if (g_hash_table_size(k->table) >= k->max_entries) {
        cp_anomaly_add(k->anomalies, CP_ANOMALY_KEYLOG_LIMIT); /* keylog.limit */
        return 0;
    }
    Entry *copy = g_memdup2(e, sizeof(*e));
    g_hash_table_add(k->table, copy);
    return 1;
}

/* One line without its end; returns the secrets added (0 or 1). */
static size_t
add_line(CpKeylog *k, CpReader *line)
{
    CpReader f_label, f_random, f_secret;
    uint8_t first;
    Entry e;
    size_t n;

    if (!cp_reader_peek_u8(line, 0, &first) || first == '#')
        return 0;
    if (!field(line, &f_label) || !field(line, &f_random) || !field(line, &f_secret) ||
        cp_reader_remaining(line) != 0) {
        malformed(k);
        return 0;
    }
    int id = label_id(&f_label);
    if (id == -1)
        return 0;
    memset(&e, 0, sizeof(e));
    if (id < 0 || !hex_field(&f_random, e.key + 1, CP_KEYLOG_RANDOM_LEN, true, &n) ||
        !hex_field(&f_secret, e.secret, CP_KEYLOG_SECRET_MAX, false, &e.len)) {
        malformed(k);
        return 0;
    }
    e.key[0] = (uint8_t)id;
    return insert(k, &e);
}

size_t
cp_keylog_add_text(CpKeylog *k, const uint8_t *text, size_t len)
{
    CpReader in, line;
    size_t added = 0;
    uint8_t c;

    g_return_val_if_fail(k != NULL, 0);
    cp_reader_init(&in, text, len, len);
    /* Bounded: each turn consumes a line and its end. */
    while (cp_reader_remaining(&in) > 0) {
        size_t n = 0;
        while (cp_reader_peek_u8(&in, n, &c) && c != '\n')
            n++;
        size_t body = n;
        if (body > 0 && cp_reader_peek_u8(&in, body - 1, &c) && c == '\r')
            body--;
        if (!cp_reader_sub(&in, body, &line))
            break;
        if (!cp_reader_skip(&in, n - body) || !cp_reader_skip(&in, cp_reader_remaining(&in) > 0))
            break;
        added += add_line(k, &line);
    }
    return added;
}

bool
cp_keylog_find(const CpKeylog *k, CpKeylogLabel label, const uint8_t random[CP_KEYLOG_RANDOM_LEN],
               uint8_t secret[CP_KEYLOG_SECRET_MAX], size_t *len)
{
    Entry probe;

    if (k == NULL)
        return false;
    probe.key[0] = (uint8_t)label;
    memcpy(probe.key + 1, random, CP_KEYLOG_RANDOM_LEN);
    const Entry *e = g_hash_table_lookup(k->table, &probe);
    if (e == NULL)
        return false;
    memcpy(secret, e->secret, e->len);
    *len = e->len;
    return true;
}
