/* SPDX-License-Identifier: BSD-2-Clause */
/* x509floor: the floor of the scaling benchmark's distinct-certificates case — what parsing
 * each certificate once with OpenSSL costs and nothing else. Reads scalegen's --der-out file
 * (each certificate a 4-byte big-endian length and the DER), d2i_X509s every one, frees it,
 * and prints how many parsed.
 *
 *   x509floor FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/x509.h>

int
main(int argc, char **argv)
{
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    unsigned char len[4];
    unsigned long parsed = 0, failed = 0;
    unsigned char *buf = NULL;
    size_t cap = 0;

    if (f == NULL) {
        fprintf(stderr, "usage: x509floor FILE (scalegen --der-out)\n");
        return 2;
    }
    while (fread(len, 1, 4, f) == 4) {
        size_t n = (size_t)len[0] << 24 | (size_t)len[1] << 16 | (size_t)len[2] << 8 | len[3];
        if (n > cap) {
            unsigned char *nb = realloc(buf, n);
            if (nb == NULL)
                return 1;
            buf = nb;
            cap = n;
        }
        if (fread(buf, 1, n, f) != n)
            break;
        const unsigned char *p = buf;
        X509 *x = d2i_X509(NULL, &p, (long)n);
        if (x != NULL)
            parsed++;
        else
            failed++;
        X509_free(x);
    }
    fclose(f);
    free(buf);
    printf("%lu parsed, %lu failed\n", parsed, failed);
    return failed == 0 ? 0 : 1;
}
