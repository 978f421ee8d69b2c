/* SPDX-License-Identifier: BSD-2-Clause */
/* capture_file: pcap and pcapng files (and stdin), read by our own streaming reader.
 *
 * Why not pcap_open_offline: libpcap 1.10 refuses a pcapng whose interfaces have different link
 * types ("an interface has a type 113 different from the type of the first interface"), which
 * real multi-interface captures have (Ethernet + Linux cooked). Here every interface keeps its
 * own link type and timestamp resolution. Both formats are read sequentially through one 1 MiB
 * window: large read(2) calls (one per MiB instead of stdio's one per 4 KiB) and records handed
 * out in place, never copied, so memory does not grow with the file (docs/internals/capture.md,
 * docs/internals/performance.md).
 *
 * Formats: pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html: magic
 * a1b2c3d4 / a1b23c4d for nanoseconds, either byte order) and pcapng (RFC draft
 * draft-ietf-opsawg-pcapng: SHB, IDB, EPB, SPB, obsolete PB; other blocks skipped).
 */
#include "capture/capture_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/reader.h"

/* A record or block above this is a damaged or fuzzed file, not a packet (libpcap's
 * max_snaplen_for_dlt idea); pcapng blocks may carry options, hence the margin. */
#define MAX_RECORD_LEN (256u * 1024u)
#define MAX_BLOCK_LEN  (MAX_RECORD_LEN + 64u * 1024u)
#define MAX_IFACES     4096u
/* The read window: holds any record or block whole (it must exceed MAX_BLOCK_LEN) and makes
 * a read(2) costly only once per MiB. */
#define WINDOW_SIZE (1024u * 1024u)

G_STATIC_ASSERT(WINDOW_SIZE > MAX_BLOCK_LEN);

enum { FMT_PCAP, FMT_PCAPNG };

typedef struct Iface {
    int linktype;
    uint64_t ts_units; /* units per second */
    int64_t ts_offset_s;
} Iface;

typedef struct FileSrc {
    FILE *fp;
    bool own_fp;
    int fd; /* read(2) straight from here; -1: through fp (fmemopen has no fd) */
    int format;
    bool swap;      /* file byte order differs from little-endian reading */
    bool nsec;      /* pcap: nanosecond timestamps */
    int linktype;   /* pcap */
    GArray *ifaces; /* pcapng: Iface */
    uint8_t *win;   /* (owned) WINDOW_SIZE bytes; unread bytes are win[pos..end) */
    size_t pos, end;
} FileSrc;

static uint32_t
get32(const FileSrc *s, const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return s->swap ? GUINT32_SWAP_LE_BE(v) : v;
}

static uint16_t
get16(const FileSrc *s, const uint8_t *p)
{
    uint16_t v = (uint16_t)(p[0] | p[1] << 8);
    return s->swap ? GUINT16_SWAP_LE_BE(v) : v;
}

/* One read from the source into dst: whatever is available (a pipe returns what it has, so a
 * live `tcpdump -w - |` feed is not held back waiting for a full window), at least one byte
 * unless at end of input. Returns -1 with errno on error. */
static ssize_t
source_read(CpCapture *c, uint8_t *dst, size_t room, size_t need)
{
    FileSrc *s = c->file;

    if (s->fd < 0) {
        size_t got = fread(dst, 1, need, s->fp);
        if (got == 0 && ferror(s->fp)) {
            errno = EIO;
            return -1;
        }
        return (ssize_t)got;
    }
    for (;;) {
        ssize_t got = read(s->fd, dst, room);
        if (got >= 0 || errno != EINTR)
            return got;
        if (c->stop)
            return 0; /* cp_capture_break from a signal handler: end quietly */
    }
}

/* Makes the next n (<= WINDOW_SIZE) bytes contiguous in the window. *eof: not one byte left. */
static bool
fill(CpCapture *c, size_t n, bool *eof, GError **error)
{
    FileSrc *s = c->file;

    *eof = false;
    if (s->end - s->pos >= n)
        return true;
    /* Keep the unread tail (less than one record) and refill behind it. */
    memmove(s->win, s->win + s->pos, s->end - s->pos);
    s->end -= s->pos;
    s->pos = 0;
    while (s->end < n) {
        ssize_t got = source_read(c, s->win + s->end, WINDOW_SIZE - s->end, n - s->end);
        if (got < 0) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: read error: %s", c->name,
                        g_strerror(errno));
            return false;
        }
        if (got == 0)
            break;
        s->end += (size_t)got;
    }
    if (s->end >= n)
        return true;
    *eof = s->end == 0;
    if (!*eof)
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: file is truncated in the middle of a packet after %" G_GUINT64_FORMAT
                    " packets",
                    c->name, c->frames);
    return false;
}

/* (transfer none) the next n bytes, valid until the next read from this source. */
static const uint8_t *
read_view(CpCapture *c, size_t n, bool *eof, GError **error)
{
    FileSrc *s = c->file;

    if (!fill(c, n, eof, error))
        return NULL;
    const uint8_t *v = s->win + s->pos;
    s->pos += n;
    return v;
}

static bool
read_exact(CpCapture *c, void *dst, size_t n, bool *eof, GError **error)
{
    const uint8_t *v = read_view(c, n, eof, error);

    if (v == NULL)
        return false;
    memcpy(dst, v, n);
    return true;
}

static bool
open_pcap(CpCapture *c, const uint8_t *magic, GError **error)
{
    FileSrc *s = c->file;
    uint8_t hdr[20];
    bool eof;

    if (!read_exact(c, hdr, sizeof hdr, &eof, error)) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcap file header", c->name);
        return false;
    }
    uint32_t m = (uint32_t)magic[0] | (uint32_t)magic[1] << 8 | (uint32_t)magic[2] << 16 |
                 (uint32_t)magic[3] << 24;
    s->swap = m == 0xd4c3b2a1u || m == 0x4d3cb2a1u;
    s->nsec = m == 0xa1b23c4du || m == 0x4d3cb2a1u;
    /* The link type's upper bits carry FCS information (pcap draft §4); keep the type. */
    s->linktype = (int)(get32(s, hdr + 16) & 0x0fffffffu);
    s->format = FMT_PCAP;
    return true;
}

static CpCaptureStatus
next_pcap(CpCapture *c, CpFrame *f, GError **error)
{
    FileSrc *s = c->file;
    bool eof;
    const uint8_t *rh = read_view(c, 16, &eof, error);

    if (rh == NULL)
        return eof ? CP_CAPTURE_END : CP_CAPTURE_ERROR;
    uint32_t caplen = get32(s, rh + 8);
    uint32_t len = get32(s, rh + 12);
    if (caplen > MAX_RECORD_LEN) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: packet %" G_GUINT64_FORMAT " claims %u captured bytes (over %u): the file "
                    "is damaged",
                    c->name, c->frames + 1, caplen, MAX_RECORD_LEN);
        return CP_CAPTURE_ERROR;
    }
    /* The header is read: from here on rh is not used, so the window may move. */
    uint64_t sec = get32(s, rh);
    uint64_t frac = get32(s, rh + 4);
    const uint8_t *data = read_view(c, caplen, &eof, error);
    if (data == NULL) {
        if (eof) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: file is truncated in the middle of a packet after %" G_GUINT64_FORMAT
                        " packets",
                        c->name, c->frames);
        }
        return CP_CAPTURE_ERROR;
    }
    f->ts_ns = sec * 1000000000u + (s->nsec ? frac : frac * 1000u);
    f->caplen = caplen;
    f->wirelen = len < caplen ? caplen : len;
    f->linktype = s->linktype;
    f->data = data;
    return CP_CAPTURE_FRAME;
}

static uint64_t
tsresol_units(uint8_t v)
{
    uint64_t u = 1;
    unsigned exp = v & 0x7f;

    /* High bit: negative power of 2, else of 10. Beyond 2^63/10^19 is nonsense: clamp. */
    if (v & 0x80) {
        return exp >= 63 ? (uint64_t)1 << 63 : (uint64_t)1 << exp;
    }
    for (unsigned i = 0; i < exp && i < 19; i++)
        u *= 10;
    return u;
}

static void
parse_idb(FileSrc *s, const uint8_t *body, size_t len)
{
    Iface ifc = { .linktype = -1, .ts_units = 1000000, .ts_offset_s = 0 };
    CpReader r, opts;
    uint8_t lt[2];

    cp_reader_init(&r, body, len, len);
    if (!cp_reader_copy(&r, lt, 2) || !cp_reader_skip(&r, 6))
        goto add;
    ifc.linktype = get16(s, lt);
    if (!cp_reader_rest(&r, &opts))
        goto add;
    for (;;) {
        uint8_t h[4];
        const uint8_t *v;
        if (!cp_reader_copy(&opts, h, 4))
            break;
        uint16_t code = get16(s, h), olen = get16(s, h + 2);
        if (code == 0 || !cp_reader_bytes(&opts, olen, &v))
            break;
        if (code == 9 && olen >= 1)
            ifc.ts_units = tsresol_units(v[0]);
        if (code == 14 && olen == 8) {
            uint64_t lo = get32(s, s->swap ? v + 4 : v), hi = get32(s, s->swap ? v : v + 4);
            ifc.ts_offset_s = (int64_t)(hi << 32 | lo);
        }
        if (!cp_reader_skip(&opts, (4u - (olen & 3u)) & 3u))
            break;
    }
add:
    if (s->ifaces->len < MAX_IFACES)
        g_array_append_val(s->ifaces, ifc);
}

static bool
ts_of(const FileSrc *s, uint32_t iface, uint32_t hi, uint32_t lo, uint64_t *ts_ns)
{
    if (iface >= s->ifaces->len)
        return false;
    const Iface *ifc = &g_array_index(s->ifaces, Iface, iface);
    uint64_t t = (uint64_t)hi << 32 | lo;
    uint64_t sec = t / ifc->ts_units, rem = t % ifc->ts_units;
    /* rem < units <= 2^63: scale without overflow using long double only for odd units. */
    uint64_t ns = ifc->ts_units == 1000000000u ? rem
                  : ifc->ts_units == 1000000u
                          ? rem * 1000u
                          : (uint64_t)((long double)rem * 1e9L / (long double)ifc->ts_units);
    *ts_ns = (sec + (uint64_t)ifc->ts_offset_s) * 1000000000u + ns;
    return true;
}

static bool read_shb(CpCapture *c, const uint8_t *first4, GError **error);

static CpCaptureStatus
next_pcapng(CpCapture *c, CpFrame *f, GError **error)
{
    FileSrc *s = c->file;

    for (;;) {
        uint8_t bh[8];
        bool eof;
        if (!read_exact(c, bh, sizeof bh, &eof, error))
            return eof ? CP_CAPTURE_END : CP_CAPTURE_ERROR;
        if (memcmp(bh, "\x0a\x0d\x0d\x0a", 4) == 0) {
            /* A new section: byte order may change. */
            if (!read_shb(c, bh, error))
                return CP_CAPTURE_ERROR;
            continue;
        }
        uint32_t type = get32(s, bh), total = get32(s, bh + 4);
        if (total < 12 || total % 4 != 0 || total > MAX_BLOCK_LEN) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: pcapng block of type 0x%x has an impossible length %u after "
                        "%" G_GUINT64_FORMAT " packets: the file is damaged",
                        c->name, type, total, c->frames);
            return CP_CAPTURE_ERROR;
        }
        size_t blen = total - 8;
        const uint8_t *b = read_view(c, blen, &eof, error);
        if (b == NULL) {
            g_clear_error(error);
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: file is truncated in the middle of a block after %" G_GUINT64_FORMAT
                        " packets",
                        c->name, c->frames);
            return CP_CAPTURE_ERROR;
        }
        size_t body = blen - 4; /* trailing total length */
        if (type == 1) {
            parse_idb(s, b, body);
            continue;
        }
        uint32_t iface, hi, lo, caplen, len;
        const uint8_t *data;
        if (type == 6 && body >= 20) { /* Enhanced Packet Block */
            iface = get32(s, b), hi = get32(s, b + 4), lo = get32(s, b + 8);
            caplen = get32(s, b + 12), len = get32(s, b + 16);
            data = b + 20;
            if (caplen > body - 20)
                goto damaged;
        } else if (type == 2 && body >= 20) { /* obsolete Packet Block */
            iface = get16(s, b), hi = get32(s, b + 4), lo = get32(s, b + 8);
            caplen = get32(s, b + 12), len = get32(s, b + 16);
            data = b + 20;
            if (caplen > body - 20)
                goto damaged;
        } else if (type == 3 && body >= 4) { /* Simple Packet Block: no timestamp */
            iface = 0, hi = 0, lo = 0;
            len = get32(s, b);
            caplen = len < body - 4 ? len : (uint32_t)(body - 4);
            data = b + 4;
        } else {
            continue; /* NRB, ISB, DSB, custom blocks: nothing we need */
        }
        if (!ts_of(s, iface, hi, lo, &f->ts_ns)) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: packet %" G_GUINT64_FORMAT " names interface %u, which was never "
                        "described: the file is damaged",
                        c->name, c->frames + 1, iface);
            return CP_CAPTURE_ERROR;
        }
        f->caplen = caplen;
        f->wirelen = len < caplen ? caplen : len;
        f->linktype = g_array_index(s->ifaces, Iface, iface).linktype;
        f->data = data;
        return CP_CAPTURE_FRAME;
    damaged:
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: packet %" G_GUINT64_FORMAT
                    " is longer than its block: the file is damaged",
                    c->name, c->frames + 1);
        return CP_CAPTURE_ERROR;
    }
}

static bool
read_shb(CpCapture *c, const uint8_t *first8, GError **error)
{
    FileSrc *s = c->file;
    uint8_t bom[4];
    bool eof;

    if (!read_exact(c, bom, 4, &eof, error)) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcapng section header",
                    c->name);
        return false;
    }
    if (memcmp(bom, "\x4d\x3c\x2b\x1a", 4) == 0)
        s->swap = false;
    else if (memcmp(bom, "\x1a\x2b\x3c\x4d", 4) == 0)
        s->swap = true;
    else {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: bad pcapng byte-order magic", c->name);
        return false;
    }
    uint32_t total = get32(s, first8 + 4);
    if (total < 28 || total % 4 != 0 || total > MAX_BLOCK_LEN) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: pcapng section header has an "
                    "impossible length %u",
                    c->name, total);
        return false;
    }
    if (read_view(c, total - 12, &eof, error) == NULL) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcapng section header",
                    c->name);
        return false;
    }
    /* Interface ids restart in each section. */
    g_array_set_size(s->ifaces, 0);
    s->format = FMT_PCAPNG;
    return true;
}

static bool
detect(CpCapture *c, GError **error)
{
    uint8_t m[8];
    bool eof;

    if (!read_exact(c, m, 4, &eof, error)) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", c->name,
                    eof ? "empty file" : "too short to be a capture file");
        return false;
    }
    uint32_t v = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
    if (v == 0xa1b2c3d4u || v == 0xd4c3b2a1u || v == 0xa1b23c4du || v == 0x4d3cb2a1u)
        return open_pcap(c, m, error);
    if (v == 0x0a0d0d0au) {
        if (!read_exact(c, m + 4, 4, &eof, error)) {
            g_clear_error(error);
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcapng section header",
                        c->name);
            return false;
        }
        return read_shb(c, m, error);
    }
    g_set_error(
            error, CP_ERROR, CP_ERROR_INPUT,
            "%s: not a pcap or pcapng file (convert other formats with: editcap -F pcapng IN OUT)",
            c->name);
    return false;
}

CpCapture *
cp_capture_open_stream(FILE *fp, const char *name, bool own_fp, GError **error)
{
    CpCapture *c = g_new0(CpCapture, 1);

    c->name = g_strdup(name);
    c->file = g_new0(FileSrc, 1);
    c->file->fp = fp;
    c->file->own_fp = own_fp;
    /* Nothing was read through fp's own buffer yet, so its descriptor can be read directly. */
    c->file->fd = fileno(fp);
    c->file->win = g_malloc(WINDOW_SIZE);
    c->file->ifaces = g_array_new(FALSE, TRUE, sizeof(Iface));
    if (!detect(c, error)) {
        cp_capture_free(c);
        return NULL;
    }
    return c;
}

CpCapture *
cp_capture_open_file(const char *path, GError **error)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");

    if (fp == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", path, g_strerror(errno));
        return NULL;
    }
    return cp_capture_open_stream(fp, is_stdin ? "standard input" : path, !is_stdin, error);
}

CpCaptureStatus
cp_capture_file_next(CpCapture *c, CpFrame *f, GError **error)
{
    return c->file->format == FMT_PCAP ? next_pcap(c, f, error) : next_pcapng(c, f, error);
}

void
cp_capture_file_close(CpCapture *c)
{
    FileSrc *s = c->file;

    if (s == NULL)
        return;
    if (s->own_fp)
        fclose(s->fp);
    g_array_free(s->ifaces, TRUE);
    g_free(s->win);
    g_free(s);
    c->file = NULL;
}
