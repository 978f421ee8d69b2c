/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for reasm/udp_flows: datagrams of one endpoint pair are one conversation for the
 * consumer (reasm/conn.h), each delivered whole and flagged CP_STREAM_DATAGRAM; the conversation
 * closes once — when the consumer is done with both sides, or at idle expiry/end of input, after
 * a FIN to each side still open. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "reasm/udp_flows.h"

typedef struct Rec {
    unsigned opens, closes, datagrams[2], fins[2];
    bool done; /* answer DONE to every datagram */
    CpConnInfo info;
    CpConnEndReason why;
    size_t last_len;
} Rec;

static void *
rec_open(void *user, const CpConnInfo *info)
{
    Rec *r = user;

    r->opens++;
    r->info = *info;
    return r;
}

static CpFeedResult
rec_data(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    Rec *r = state;

    (void)data;
    if (flags & CP_STREAM_FIN)
        r->fins[dir]++;
    if (flags & CP_STREAM_DATAGRAM) {
        r->datagrams[dir]++;
        r->last_len = len;
    }
    return (CpFeedResult){ r->done ? CP_FEED_DONE : CP_FEED_MORE, len, 0 };
}

static void
rec_close(void *state, const CpConnInfo *info, const CpConnEnd *end)
{
    Rec *r = state;

    (void)info;
    r->closes++;
    r->why = end->reason;
}

static CpPacket
dgram(bool from_client, const char *payload, uint64_t ts)
{
    CpPacket p;

    memset(&p, 0, sizeof p);
    p.src.family = p.dst.family = 4;
    p.src.bytes[3] = from_client ? 1 : 2;
    p.dst.bytes[3] = from_client ? 2 : 1;
    p.sport = from_client ? 50000 : 4433;
    p.dport = from_client ? 4433 : 50000;
    p.payload = (const uint8_t *)payload;
    p.payload_len = p.payload_declared = strlen(payload);
    p.ts_ns = ts;
    return p;
}

static CpUdpFlows *
flows_new(CpLimits *l, Rec *r)
{
    CpConnConsumer c = { rec_open, rec_data, rec_close, r };

    cp_limits_init_default(l);
    return cp_udp_flows_new(l, NULL, &c);
}

static void
one_conversation_both_directions_whole_datagrams(void)
{
    CpLimits l;
    Rec r = { 0 };
    CpUdpFlows *u = flows_new(&l, &r);
    CpPacket a = dgram(true, "hello", 1), b = dgram(false, "hi", 2);

    CU_ASSERT_TRUE(cp_udp_flows_datagram(u, &a));
    CU_ASSERT_TRUE(cp_udp_flows_datagram(u, &b));
    CU_ASSERT_EQUAL(r.opens, 1);
    CU_ASSERT_EQUAL(r.info.transport, CP_TRANSPORT_UDP);
    CU_ASSERT_EQUAL(r.info.port[0], 50000); /* the higher port speaks first: the client */
    CU_ASSERT_EQUAL(r.datagrams[0], 1);
    CU_ASSERT_EQUAL(r.datagrams[1], 1);
    CU_ASSERT_EQUAL(r.last_len, 2);
    cp_udp_flows_flush(u);
    CU_ASSERT_EQUAL(r.fins[0], 1);
    CU_ASSERT_EQUAL(r.fins[1], 1);
    CU_ASSERT_EQUAL(r.closes, 1);
    CU_ASSERT_EQUAL(r.why, CP_CONN_END_FLUSH);
    cp_udp_flows_free(u);
    CU_ASSERT_EQUAL(r.closes, 1);
}

static void
done_both_ways_closes_and_ignores_the_rest(void)
{
    CpLimits l;
    Rec r = { .done = true };
    CpUdpFlows *u = flows_new(&l, &r);
    CpPacket a = dgram(true, "x", 1), b = dgram(false, "y", 2), c = dgram(false, "z", 3);

    cp_udp_flows_datagram(u, &a);
    cp_udp_flows_datagram(u, &b);
    CU_ASSERT_EQUAL(r.closes, 1);
    CU_ASSERT_EQUAL(r.why, CP_CONN_END_DONE);
    CU_ASSERT_FALSE(cp_udp_flows_datagram(u, &c));
    CU_ASSERT_EQUAL(r.datagrams[1], 1);
    CU_ASSERT_EQUAL(r.opens, 1);
    cp_udp_flows_free(u);
    CU_ASSERT_EQUAL(r.closes, 1);
    CU_ASSERT_EQUAL(r.fins[0] + r.fins[1], 0);
}

static void
idle_conversation_expires(void)
{
    CpLimits l;
    Rec r = { 0 };
    CpUdpFlows *u = flows_new(&l, &r);
    CpPacket a = dgram(true, "x", 1);

    cp_udp_flows_datagram(u, &a);
    cp_udp_flows_tick(u, 1 + (l.flow_timeout_s + 2) * 1000000000ull);
    CU_ASSERT_EQUAL(r.closes, 1);
    CU_ASSERT_EQUAL(r.why, CP_CONN_END_TIMEOUT);
    cp_udp_flows_free(u);
}

static CU_TestInfo tests[] = {
    { "one_conversation_both_directions_whole_datagrams",
      one_conversation_both_directions_whole_datagrams },
    { "done_both_ways_closes_and_ignores_the_rest", done_both_ways_closes_and_ignores_the_rest },
    { "idle_conversation_expires", idle_conversation_expires },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("udp_flows", tests, argc, argv);
}
