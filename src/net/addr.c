/* SPDX-License-Identifier: BSD-2-Clause */
/* addr: formatting and comparing CpAddr (RFC 5952 text form for IPv6, via inet_ntop). */
#include <arpa/inet.h>
#include <string.h>
#include <glib.h>

#include "net/packet.h"

void
cp_addr_format(const CpAddr *a, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    const char *s = NULL;

    if (a->family == 4)
        s = inet_ntop(AF_INET, a->bytes, text, sizeof text);
    else if (a->family == 6)
        s = inet_ntop(AF_INET6, a->bytes, text, sizeof text);
    g_strlcpy(buf, s != NULL ? s : "?", size);
}

void
cp_addr_format_endpoint(const CpAddr *a, uint16_t port, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN];

    cp_addr_format(a, text, sizeof text);
    if (a->family == 6)
        g_snprintf(buf, size, "[%s]:%u", text, (unsigned)port);
    else
        g_snprintf(buf, size, "%s:%u", text, (unsigned)port);
}

bool
cp_addr_equal(const CpAddr *a, const CpAddr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}
