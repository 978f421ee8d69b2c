#!/bin/sh
# Dependencies point one way (STYLE R20-R21): cli -> output -> analysis -> dissectors -> reasm ->
# net -> capture -> base. A file may include headers of its own layer and the layers below;
# libpcap only in src/capture, OpenSSL only where the style guide allows it.
cd "$1" || exit 2
rank() {
    case "$1" in
    base) echo 0 ;; capture) echo 1 ;; net) echo 2 ;; reasm) echo 3 ;; dissectors) echo 4 ;;
    analysis) echo 5 ;; output) echo 6 ;; cli) echo 7 ;; *) echo 99 ;;
    esac
}
layer_of() {
    case "$1" in
    dissectors/*) echo dissectors ;;
    src/*) echo "$1" | cut -d/ -f2 ;;
    esac
}
bad=0
for f in $(git ls-files 'src/*.[ch]' 'dissectors/*.[ch]'); do
    mine=$(layer_of "$f")
    for inc in $(sed -n 's/^#include "\([a-z_]*\)\/.*/\1/p' "$f"); do
        if [ "$(rank "$inc")" -gt "$(rank "$mine")" ]; then
            echo "$f ($mine) includes $inc: upward dependency"
            bad=1
        fi
    done
    if [ "$mine" = dissectors ] && grep -q '^#include "reasm/' "$f" &&
        grep '^#include "reasm/' "$f" | grep -vq 'reasm/stream_sink.h'; then
        echo "$f: dissectors may use only reasm/stream_sink.h"
        bad=1
    fi
    case "$f" in
    src/capture/*) ;;
    *) grep -q '^#include <pcap' "$f" && { echo "$f: libpcap outside src/capture"; bad=1; } ;;
    esac
    case "$f" in
    dissectors/x509.c | dissectors/x509_leaf.c | dissectors/x509_private.h | \
        dissectors/tls_cipher.c | src/analysis/trust.c | src/analysis/trust_share.c | \
        src/analysis/trust_private.h | src/analysis/cert_cache.c) ;;
    *) grep -q '^#include <openssl' "$f" && { echo "$f: OpenSSL outside its allowed files"; bad=1; } ;;
    esac
done
exit $bad
