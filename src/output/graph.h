/* SPDX-License-Identifier: BSD-2-Clause */
/* graph: the trust picture of a diagnosis — servers on the left, the CAs their paths go through in
 * the middle, the roots on the right — with each fault drawn where it is. Written as Graphviz DOT
 * (--format dot) and laid out by Graphviz's library into SVG for the HTML report. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/diagnose.h"
#include "analysis/seen.h"

typedef enum CpGraphKind {
    CP_GRAPH_SERVER = 0,
    CP_GRAPH_CA,      /* an intermediate on somebody's path */
    CP_GRAPH_ROOT,    /* the top of a path: a root, or the last certificate found */
    CP_GRAPH_MISSING, /* a certificate a server should send and does not (drawn dashed) */
} CpGraphKind;

/* Lifetime: the graph. Strings are raw (from the wire): escape them where they are written. */
typedef struct CpGraphNode {
    char id[16]; /* "n12": safe in DOT, SVG and HTML ids */
    CpGraphKind kind;
    char *label;     /* (owned) endpoint or CA name */
    char *detail;    /* (owned, nullable) role and leaf, thumbprint, or AIA URL */
    char *diff_with; /* (owned, nullable) the look-alike name: differing characters are marked */
    char sha1[41];   /* "" for servers and certificates never seen */
    bool is_anchor;
    bool is_fault; /* drawn red: the odd array member, a look-alike CA, a missing certificate */
    int group;     /* index into groups (an array of servers answering one name), or -1 */
    int pair;      /* look-alike pair drawn side by side, or -1 */
} CpGraphNode;

typedef struct CpGraphEdge {
    guint from, to; /* indexes into nodes */
    bool is_fault;  /* the edge that failed: rejected handshakes, the missing link, a wrong root */
    char *label;    /* (owned, nullable) what failed there */
} CpGraphEdge;

typedef struct CpGraph {
    GPtrArray *nodes;  /* CpGraphNode* */
    GArray *edges;     /* CpGraphEdge */
    GPtrArray *groups; /* (element-type utf8) the name each array group answers */
    int pairs;
} CpGraph;

/* (transfer full) the graph of a diagnosis; diag may be NULL (servers only). */
CpGraph *cp_graph_build(const CpSeen *seen, const CpDiagnosis *diag);
void cp_graph_free(CpGraph *g);
/* Appends the graph as DOT; every string from the wire is escaped for an HTML-like label. */
void cp_graph_write_dot(const CpGraph *g, GString *out);
/* (transfer full) the graph laid out by Graphviz's dot engine, as an <svg> element without the
 * XML prolog (ready to inline in HTML); NULL with error set when Graphviz fails. */
char *cp_graph_render_svg(const CpGraph *g, GError **error);
/* Appends s for HTML text or a quoted attribute: & < > " ' as entities, and what cp_escape_text
 * shows as \xNN (controls, bidi overrides, invalid UTF-8) likewise. NULL appends "-". */
void cp_graph_escape_html(GString *out, const char *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CpGraph, cp_graph_free)
