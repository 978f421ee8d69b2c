/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_starttls: the upgrade finder (dissectors/starttls.c, STYLE R28) called the way
 * tls_prefix.c calls it — per direction, on the bytes not consumed yet, again once `needed` are
 * there — so every framing (text lines and XML tags, LDAP BER, MySQL packets, PostgreSQL's
 * request, HTTP CONNECT's header block) is reached across split deliveries (STYLE R65).
 *
 * Input layout: byte 0 is the mode, the rest a list of {ctl, len (big-endian 16 bits), len
 * bytes}: ctl bit 0 is the direction, bit 1 ends that direction (fin) after it. Mode bit 0: each
 * item is delivered one byte at a time (units and hellos split at every byte); bit 1: the last
 * call of each direction is made with fin.
 *
 * The contract checked (starttls.h): consumed and the hello's offset lie within what was given;
 * a hello is only accepted where cp_tls_prefix_hello_at sees one, and only after both sides did
 * their half (one side alone cannot make an upgrade); `needed`, counted from the first byte not
 * consumed, is 0 or more than what is held (else a caller waiting for it would never call again).
 *
 * Seeds (corpus/starttls/): the upgrade exchanges of test_starttls.c's protocols, each followed
 * by a hello, made by make_seeds.py.
 */
#include <glib.h>
#include <string.h>

#include "dissectors/starttls.h"
#include "dissectors/tls_prefix.h"
#include "fuzz.h"
#include "fuzz_feed.h"

enum {
    MODE_BYTEWISE = 0x01,
    MODE_FIN = 0x02,
    CTL_DIR1 = 0x01,
    CTL_FIN = 0x02,
    /* tls_prefix.c calls the scan once a direction has 5 bytes (or ends): its framing (text,
     * BER, MySQL) is decided on them. */
    FIRST_CALL_LEN = 5,
};

typedef struct FuzzDir {
    GByteArray *pending; /* bytes given and not consumed yet */
    size_t needed;
    bool called; /* the scan has seen this direction */
    bool ended;  /* a hello was found, or fin was given */
} FuzzDir;

typedef struct FuzzStarttls {
    CpStarttls st;
    FuzzDir dir[2];
    bool bytewise; /* each item is delivered one byte at a time */
} FuzzStarttls;

/* The found hello's position needs the other side's half (starttls.h). */
static bool
both_halves(const CpStarttls *st, CpDir dir)
{
    CpDir peer = (CpDir)(1 - dir);

    return st->requested_by[peer] || (st->requested_by[dir] && st->replied_by[peer]);
}

static void
scan(FuzzStarttls *f, CpDir dir, bool fin)
{
    FuzzDir *d = &f->dir[dir];
    size_t n = d->pending->len, consumed = 0, needed = 0;
    /* An exact-size copy, so a read one byte past the delivery is caught by ASan. */
    uint8_t *copy = g_memdup2(d->pending->data, n);
    long at = cp_starttls_scan(&f->st, dir, copy, n, fin, &consumed, &needed);

    if (at >= 0) {
        CP_FUZZ_CHECK((size_t)at < n);
        CP_FUZZ_CHECK(cp_tls_prefix_hello_at(copy + at, n - (size_t)at));
        CP_FUZZ_CHECK(both_halves(&f->st, dir));
        d->ended = true; /* the rest of the direction is TLS, the session's business */
    } else {
        CP_FUZZ_CHECK(consumed <= n);
        g_byte_array_remove_range(d->pending, 0, (guint)consumed);
        CP_FUZZ_CHECK(needed == 0 || needed > d->pending->len);
        d->needed = needed;
    }
    g_free(copy);
    if (fin)
        d->ended = true;
}

static void
deliver(FuzzStarttls *f, CpDir dir, const uint8_t *data, size_t len, bool fin)
{
    FuzzDir *d = &f->dir[dir];

    if (d->ended)
        return;
    g_byte_array_append(d->pending, data, (guint)len);
    if (!d->called && d->pending->len < FIRST_CALL_LEN && !fin)
        return;
    d->called = true;
    if (d->pending->len == 0 || (d->pending->len < d->needed && !fin))
        return;
    scan(f, dir, fin);
}

static void
on_item(void *user, uint8_t ctl, const uint8_t *data, size_t len)
{
    FuzzStarttls *f = user;
    CpDir dir = (ctl & CTL_DIR1) ? CP_DIR_1 : CP_DIR_0;

    if (!f->bytewise) {
        deliver(f, dir, data, len, (ctl & CTL_FIN) != 0);
        return;
    }
    for (size_t i = 0; i < len; i++)
        deliver(f, dir, data + i, 1, (ctl & CTL_FIN) != 0 && i + 1 == len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    FuzzStarttls f;

    memset(&f, 0, sizeof f);
    for (int i = 0; i < 2; i++)
        f.dir[i].pending = g_byte_array_new();
    f.bytewise = (mode & MODE_BYTEWISE) != 0;
    cp_fuzz_items(data + 1, size - 1, on_item, &f);
    if (mode & MODE_FIN) {
        for (int i = 0; i < 2; i++)
            deliver(&f, (CpDir)i, NULL, 0, true);
    }
    for (int i = 0; i < 2; i++)
        g_byte_array_unref(f.dir[i].pending);
    return 0;
}
