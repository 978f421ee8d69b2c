/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_tables: value -> IANA name lookups over the rows of tls_tables.def (STYLE R34). */
#include "dissectors/tls_tables.h"

#include <stddef.h>

typedef struct CpTlsName {
    uint16_t value;
    const char *name;
} CpTlsName;

static const CpTlsName versions[] = {
#define CP_TLS_VERSION(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static const CpTlsName ciphers[] = {
#define CP_TLS_CIPHER(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static const CpTlsName alerts[] = {
#define CP_TLS_ALERT(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static const CpTlsName handshakes[] = {
#define CP_TLS_HANDSHAKE(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

/* The cipher rows are kept ascending in the .def, so a binary search holds; the unit test walks
 * every row through the lookup, which fails if the order is ever broken. */
static const char *
find(const CpTlsName *t, size_t n, uint16_t v)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].value == v)
            return t[mid].name;
        if (t[mid].value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

#define FIND(t, v) find((t), sizeof(t) / sizeof((t)[0]), (v))

const char *
cp_tls_version_name(uint16_t v)
{
    return FIND(versions, v);
}

const char *
cp_tls_cipher_name(uint16_t v)
{
    return FIND(ciphers, v);
}

const char *
cp_tls_alert_name(uint8_t desc)
{
    return FIND(alerts, desc);
}

const char *
cp_tls_handshake_name(uint8_t t)
{
    return FIND(handshakes, t);
}
