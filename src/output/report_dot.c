/* SPDX-License-Identifier: BSD-2-Clause */
/* report_dot: the trust graph of the HTML report (graph.c) as Graphviz DOT, for people who lay
 * it out with their own tools (dot -Tpng, gephi...). Strings from the wire are escaped in the
 * HTML-like labels by graph.c. */
#include "output/report_private.h"

#include "output/graph.h"

static void
dot_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    g_autoptr(CpGraph) g = cp_graph_build(seen, diag);

    (void)info;
    cp_graph_write_dot(g, r->line);
    cp_report_emit(r);
}

const CpReportWriter cp_report_writer_dot = {
    .name = "dot",
    .final = dot_final,
};
