/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_feed: the event sink and the item walk of the dissector targets (see fuzz_feed.h). */
#include "fuzz_feed.h"

#include <glib.h>

#include "fuzz.h"

static void
touch(CpFuzzEvents *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        f->sum += p[i];
}

void
cp_fuzz_on_event(void *user, const CpTlsEvent *ev)
{
    CpFuzzEvents *f = user;

    CP_FUZZ_CHECK(ev->dir == CP_DIR_0 || ev->dir == CP_DIR_1);
    CP_FUZZ_CHECK(ev->offered_count <= CP_TLS_MAX_VERSIONS);
    if (ev->sni != NULL)
        touch(f, ev->sni, ev->sni_len);
    if (ev->type != CP_TLS_EV_CERTIFICATE)
        return;
    CP_FUZZ_CHECK(ev->cert_count <= f->limits->max_chain_certs);
    for (size_t i = 0; i < ev->cert_count; i++) {
        CP_FUZZ_CHECK(ev->cert_len[i] <= f->limits->max_cert_len);
        touch(f, ev->cert_der[i], ev->cert_len[i]);
    }
}

void
cp_fuzz_items(const uint8_t *data, size_t size, CpFuzzItemFn fn, void *user)
{
    for (size_t at = 0; at + 3 <= size;) {
        uint8_t ctl = data[at];
        size_t len = MIN((size_t)data[at + 1] << 8 | data[at + 2], size - at - 3);
        fn(user, ctl, data + at + 3, len);
        at += 3 + len;
    }
}
