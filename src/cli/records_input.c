/* SPDX-License-Identifier: BSD-2-Clause */
/* records_input: lines of bounded length from a file or a stream. A line is held whole (a
 * certificate record with its DER is a few KiB) up to --max-record-line; the rest of a longer
 * line is read and dropped without being kept, so no line can grow memory past the limit. */
#include "cli/records_input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"

#define CHUNK_LEN 65536 /* read size; a buffer, not a limit */

typedef struct Lines {
    CpRecords *rd;
    uint64_t max_line;
    GByteArray *line;
    bool too_long; /* dropping the rest of a line beyond max_line */
    bool first;    /* the first bytes of the input have not been looked at yet */
    CpRecordsAfterLine after;
    void *user;
} Lines;

static void
end_line(Lines *l)
{
    if (l->too_long)
        cp_records_line_too_long(l->rd);
    else
        (void)cp_records_line(l->rd, l->line->data, l->line->len);
    g_byte_array_set_size(l->line, 0);
    l->too_long = false;
    l->after(l->user);
}

static void
append(Lines *l, const uint8_t *p, size_t n)
{
    if (l->too_long)
        return;
    if (n > l->max_line - l->line->len) {
        l->too_long = true;
        g_byte_array_set_size(l->line, 0);
        return;
    }
    g_byte_array_append(l->line, p, (guint)n);
}

static void
feed(Lines *l, const uint8_t *buf, size_t n)
{
    while (n > 0) {
        const uint8_t *nl = memchr(buf, '\n', n);
        size_t part = nl != NULL ? (size_t)(nl - buf) : n;
        append(l, buf, part);
        if (nl == NULL)
            return;
        end_line(l);
        buf += part + 1;
        n -= part + 1;
    }
}

/* pcap, pcapng and NetMon files given to --records by mistake: say so instead of counting
 * thousands of malformed lines. */
static bool
looks_like_capture(const uint8_t *b, size_t n)
{
    static const uint8_t magics[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, { 0x4d, 0x3c, 0xb2, 0xa1 },
        { 0xa1, 0xb2, 0x3c, 0x4d }, { 0x0a, 0x0d, 0x0d, 0x0a }, { 'G', 'M', 'B', 'U' },
    };
    for (size_t i = 0; n >= 4 && i < G_N_ELEMENTS(magics); i++)
        if (memcmp(b, magics[i], 4) == 0)
            return true;
    return false;
}

static FILE *
open_input(const char *path, GError **error)
{
    struct stat st;

    if (strcmp(path, "-") == 0)
        return stdin;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", path, g_strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: is a directory", path);
        return NULL;
    }
    return f;
}

static bool
read_stream(Lines *l, FILE *f, const char *path, GError **error)
{
    g_autofree uint8_t *buf = g_malloc(CHUNK_LEN);
    size_t n;

    while ((n = fread(buf, 1, CHUNK_LEN, f)) > 0) {
        if (l->first && looks_like_capture(buf, n)) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: is a capture file, not certpath JSON records (read it without "
                        "--records)",
                        path);
            return false;
        }
        l->first = false;
        feed(l, buf, n);
    }
    if (ferror(f)) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", path, g_strerror(errno));
        return false;
    }
    if (l->line->len > 0 || l->too_long)
        end_line(l); /* a last line without its newline */
    return true;
}

bool
cp_records_read(CpRecords *rd, const char *path, uint64_t max_line, CpRecordsAfterLine after,
                void *user, GError **error)
{
    FILE *f = open_input(path, error);

    if (f == NULL)
        return false;
    Lines l = { rd, max_line, g_byte_array_new(), false, true, after, user };
    bool ok = read_stream(&l, f, strcmp(path, "-") == 0 ? "standard input" : path, error);
    g_byte_array_free(l.line, TRUE);
    if (f != stdin)
        fclose(f);
    return ok;
}
