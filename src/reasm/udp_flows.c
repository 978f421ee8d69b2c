/* SPDX-License-Identifier: BSD-2-Clause */
/* udp_flows: UDP conversations (udp_flows.h). The flow table is TCP's (its own instance, so the
 * two transports never share a key space); a conversation uses only the endpoints, the age list
 * and each direction's done flag of CpFlow. Datagrams are not reordered or reassembled here: a
 * datagram protocol's own sequence numbers (message numbers, fragment offsets) are its
 * consumer's business. */
#include "reasm/udp_flows.h"

#include "reasm/flow_table.h"

struct CpUdpFlows {
    CpConnConsumer consumer;
    CpFlowTable *flows;
};

static void
close_consumer(CpUdpFlows *u, CpFlow *f, CpConnEndReason why)
{
    CpConnInfo info = cp_flow_info(f, CP_TRANSPORT_UDP);
    CpConnEnd end = { .reason = why };

    f->state = CP_FLOW_CLOSED;
    u->consumer.close(f->consumer, &info, &end);
    f->consumer = NULL;
}

static void
on_flow_end(void *user, CpFlow *f, CpConnEndReason why)
{
    CpUdpFlows *u = user;

    if (f->state != CP_FLOW_FOLLOWED)
        return;
    /* The end of a datagram conversation is only ever known this way: say so to each side
     * still open, as TCP's FIN would. */
    for (int d = 0; d < 2; d++)
        if (!f->stream[d].done)
            u->consumer.data(f->consumer, (CpDir)d, NULL, 0, CP_STREAM_FIN);
    close_consumer(u, f, why);
}

CpUdpFlows *
cp_udp_flows_new(const CpLimits *limits, CpAnomalies *anomalies, const CpConnConsumer *consumer)
{
    CpUdpFlows *u = g_new0(CpUdpFlows, 1);

    u->consumer = *consumer;
    u->flows = cp_flow_table_new(limits, anomalies, on_flow_end, u);
    return u;
}

void
cp_udp_flows_free(CpUdpFlows *u)
{
    if (u == NULL)
        return;
    cp_flow_table_free(u->flows);
    g_free(u);
}

bool
cp_udp_flows_datagram(CpUdpFlows *u, const CpPacket *pk)
{
    CpDir dir;

    cp_udp_flows_tick(u, pk->ts_ns);
    CpFlow *f = cp_flow_table_lookup(u->flows, pk, true, &dir);
    cp_flow_table_touch(u->flows, f, pk->ts_ns);
    if (f->state == CP_FLOW_NEW) {
        CpConnInfo info = cp_flow_info(f, CP_TRANSPORT_UDP);
        f->consumer = u->consumer.open(u->consumer.user, &info);
        f->state = f->consumer != NULL ? CP_FLOW_FOLLOWED : CP_FLOW_CLOSED;
    }
    if (f->state != CP_FLOW_FOLLOWED || f->stream[dir].done)
        return f->state == CP_FLOW_FOLLOWED;
    CpFeedResult r =
            u->consumer.data(f->consumer, dir, pk->payload, pk->payload_len, CP_STREAM_DATAGRAM);
    if (r.status != CP_FEED_MORE)
        f->stream[dir].done = true;
    if (f->stream[0].done && f->stream[1].done)
        close_consumer(u, f, CP_CONN_END_DONE);
    return true;
}

void
cp_udp_flows_tick(CpUdpFlows *u, uint64_t now_ns)
{
    cp_flow_table_tick(u->flows, now_ns);
}

void
cp_udp_flows_flush(CpUdpFlows *u)
{
    cp_flow_table_flush(u->flows);
}
