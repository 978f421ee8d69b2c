#!/bin/sh
# Regenerates the demo captures with the project's own generator (tests/gen/capgen): real OpenSSL
# handshakes written as pcapng, one per situation of docs/guide.md, plus the CA certificates of
# each (pki/<name>/*.pem) to pass to certpath --ca-file. Keys are random: every run makes new
# thumbprints, so regenerate only on purpose and update docs/guide.md's sample output.
# usage: captures/make-captures.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
capgen=${1:-$here/../build}/tests/gen/capgen
for s in healthy public-ca lookalike leaf-only edge-serials unknown-ca expired sni-mismatch weak all; do
    rm -rf "$here/pki/$s"
    "$capgen" --scenario "$s" --format pcapng --seed 7 --out "$here/$s.pcapng" \
        --export-pki "$here/pki/$s" > /dev/null
done
