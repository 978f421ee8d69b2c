/* SPDX-License-Identifier: BSD-2-Clause */
/* registry: the dissector table and the per-connection dispatcher (dissector.h).
 *
 * Dispatch, per delivery, until an entry has taken the connection:
 *  1. ask every entry of the connection's transport, in table order, about this direction's
 *     first bytes; the first YES takes the connection (new, then feed);
 *  2. when an entry needs more bytes to decide, wait for them (CP_FEED_MORE with needed)
 *     before asking the entries after it;
 *  3. when every entry says no, this direction is not ours (DONE); the other direction is still
 *     asked when its bytes come, since either side may speak first.
 * Afterwards every byte of both directions goes straight to the chosen entry.
 */
#include "dissectors/dissector.h"

#include <string.h>
#include <glib.h>

static const CpDissector *const table[] = {
#define CP_DISSECTOR(name) &cp_dissector_##name,
#include "dissectors/dissectors.def"
#undef CP_DISSECTOR
};

#define TABLE_LEN (sizeof table / sizeof table[0])

struct CpDissectConn {
    CpDissectCtx ctx;
    CpTransport transport;
    const CpDissector *chosen; /* NULL while probing */
    void *state;               /* the chosen entry's */
};

bool
cp_dissect_handles(CpTransport transport)
{
    for (size_t i = 0; i < TABLE_LEN; i++)
        if (table[i]->transport == transport)
            return true;
    return false;
}

const CpDissector *
cp_dissect_find(const char *name)
{
    for (size_t i = 0; i < TABLE_LEN; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

CpDissectConn *
cp_dissect_conn_new(const CpDissectCtx *ctx, CpTransport transport)
{
    CpDissectConn *c = g_new0(CpDissectConn, 1);

    c->ctx = *ctx;
    c->transport = transport;
    return c;
}

/* Steps 1–3 of the file comment. An entry that cannot decide yet holds back the entries after
 * it: a fallback that accepts anything must not take a connection an earlier entry would. */
static CpFeedResult
probe(CpDissectConn *c, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    for (size_t i = 0; i < TABLE_LEN; i++) {
        const CpDissector *d = table[i];
        size_t needed = 0;
        if (d->transport != c->transport)
            continue;
        CpProbe p = d->probe(dir, data, len, flags, &needed);
        if (p == CP_PROBE_YES) {
            c->chosen = d;
            c->state = d->new (&c->ctx);
            return d->feed(c->state, dir, data, len, flags);
        }
        if (p == CP_PROBE_NEED_MORE && needed > len && !(flags & CP_STREAM_FIN))
            return (CpFeedResult){ CP_FEED_MORE, 0, needed };
    }
    return (CpFeedResult){ CP_FEED_DONE, 0, 0 };
}

CpFeedResult
cp_dissect_conn_feed(void *conn, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    CpDissectConn *c = conn;

    if (c->chosen != NULL)
        return c->chosen->feed(c->state, dir, data, len, flags);
    return probe(c, dir, data, len, flags);
}

const CpDissector *
cp_dissect_conn_dissector(const CpDissectConn *c)
{
    return c->chosen;
}

void
cp_dissect_conn_free(CpDissectConn *c)
{
    if (c == NULL)
        return;
    if (c->chosen != NULL) {
        if (c->chosen->close != NULL)
            c->chosen->close(c->state);
        c->chosen->free(c->state);
    }
    g_free(c);
}
