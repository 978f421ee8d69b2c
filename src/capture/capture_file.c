/* SPDX-License-Identifier: BSD-2-Clause */
/* capture_file: pcap and pcapng files (and stdin), read by our own streaming reader.
 *
 * Why not pcap_open_offline: libpcap 1.10 refuses a pcapng whose interfaces have different link
 * types ("an interface has a type 113 different from the type of the first interface"), which
 * real multi-interface captures have (Ethernet + Linux cooked). Here every interface keeps its
 * own link type and timestamp resolution. Both formats are read sequentially through one 1 MiB
 * window: large read(2) calls (one per MiB instead of stdio's one per 4 KiB) and records handed
 * out in place, never copied, so memory does not grow with the file
 * (docs/internals/performance.md, "1 MiB read window, records in place"). The window grows only
 * when --max-frame-size was raised and a record that large arrives.
 *
 * Every header field (file header, record header, block header, packet block, interface
 * options) is read through a CpReader over the window, in the file's byte order.
 *
 * Formats: pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html: magic
 * a1b2c3d4 / a1b23c4d for nanoseconds, either byte order) and pcapng (RFC draft
 * draft-ietf-opsawg-pcapng: SHB, IDB, EPB, SPB, obsolete PB; other blocks skipped). Network
 * Monitor .cap files (netmon.c) read through the same window; gzip/zstd files (decompress.c) fill
 * it with decompressed bytes, and detection runs again on them. A file that is none of these
 * gets a one-line error naming what it is when its first bytes say so (ETW .etl, ZIP/.matp ...).
 *
 * Limits (docs/limits.md): a record above --max-frame-size, or a pcapng block above it plus
 * BLOCK_OPTIONS_ROOM, is a damaged or fuzzed file (libpcap's max_snaplen_for_dlt idea): an
 * input error naming the option. Interfaces past --max-interfaces in one section are not kept.
 */
#include "capture/capture_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/reader.h"

/* Room for a pcapng packet block's fixed fields and options on top of the frame itself. */
#define BLOCK_OPTIONS_ROOM (64u * 1024u)
/* The initial read window: makes a read(2) costly only once per MiB, and holds any record or
 * block whole under the default limits. */
#define WINDOW_SIZE (1024u * 1024u)

/* Block types (pcapng draft §11.1) and the byte-order magic (§4.1): wire facts, not limits. */
#define BT_SHB           0x0a0d0d0au
#define BT_IDB           1u
#define BT_PB_OBSOLETE   2u
#define BT_SPB           3u
#define BT_EPB           6u
#define BT_DSB           0x0au /* Decryption Secrets Block */
#define BYTE_ORDER_MAGIC 0x1a2b3c4du
#define OPT_END          0u
#define OPT_IF_TSRESOL   9u
#define OPT_IF_TSOFFSET  14u

enum { FMT_PCAP, FMT_PCAPNG, FMT_NETMON };

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
    bool big_endian;           /* the file (pcap) or the current section (pcapng) is big-endian */
    bool nsec;                 /* pcap: nanosecond timestamps */
    int linktype;              /* pcap */
    GArray *ifaces;            /* pcapng: Iface, at most max_ifaces */
    uint64_t ifaces_described; /* pcapng: IDBs seen in this section, kept or not */
    /* limits (from CpLimits at open) */
    uint32_t max_frame_len;
    uint32_t max_block_len;
    size_t max_ifaces;
    CpNetmon *netmon;         /* (owned) FMT_NETMON */
    CpDecomp *dec;            /* (owned) NULL: the file is read as it is */
    CpCompression compressed; /* what dec undoes, for messages */
    uint8_t *win;             /* (owned) win_size bytes; unread bytes are win[pos..end) */
    size_t win_size;
    size_t pos, end;
} FileSrc;

/* One header field in the file's byte order (be: s->big_endian, read once per header so the
 * compiler keeps it in a register). */
static inline bool
get_u32(bool be, CpReader *r, uint32_t *v)
{
    return be ? cp_reader_be32(r, v) : cp_reader_le32(r, v);
}

static inline bool
get_u16(bool be, CpReader *r, uint16_t *v)
{
    return be ? cp_reader_be16(r, v) : cp_reader_le16(r, v);
}

/* The next n bytes of r as a window of their own: the fixed part of a header. With n constant,
 * the getters on part compile to plain loads (the reader's checks fold away). */
static inline bool
fixed_part(CpReader *r, size_t n, CpReader *part)
{
    const uint8_t *p;

    if (!cp_reader_bytes(r, n, &p)) {
        cp_reader_init(part, NULL, 0, 0);
        return false;
    }
    cp_reader_init(part, p, n, n);
    return true;
}

/* One read from the file into dst: whatever is available (a pipe returns what it has, so a
 * live `tcpdump -w - |` feed is not held back waiting for a full window), at least one byte
 * unless at end of input. Returns -1 with errno on error. */
static ssize_t
raw_read(CpCapture *c, uint8_t *dst, size_t room, size_t need)
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

ssize_t
cp_capture_file_raw_read(CpCapture *c, uint8_t *dst, size_t room)
{
    return raw_read(c, dst, room, room);
}

/* One read of the capture's bytes: through the decompressor when the file is compressed
 * (streamed, no temporary file). -1 with *error. */
static ssize_t
source_read(CpCapture *c, uint8_t *dst, size_t room, size_t need, GError **error)
{
    FileSrc *s = c->file;

    if (s->dec != NULL)
        return cp_decomp_read(s->dec, c, dst, room, error);
    ssize_t got = raw_read(c, dst, room, need);
    if (got < 0)
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: read error: %s", c->name,
                    g_strerror(errno));
    return got;
}

/* fill's slow path: the window lacks the next n bytes. */
static bool
refill(CpCapture *c, size_t n, bool *eof, GError **error)
{
    FileSrc *s = c->file;

    /* Keep the unread tail (less than one record) and refill behind it. */
    memmove(s->win, s->win + s->pos, s->end - s->pos);
    s->end -= s->pos;
    s->pos = 0;
    if (n > s->win_size) {
        s->win = g_realloc(s->win, n);
        s->win_size = n;
    }
    while (s->end < n) {
        ssize_t got = source_read(c, s->win + s->end, s->win_size - s->end, n - s->end, error);
        if (got < 0)
            return false;
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

/* Makes the next n bytes contiguous in the window. n was checked against the limits by the
 * caller, so growing the window past WINDOW_SIZE is what a raised --max-frame-size asked for.
 * *eof: not one byte left. Inline: the window holds the bytes on all but one call per MiB. */
static inline bool
fill(CpCapture *c, size_t n, bool *eof, GError **error)
{
    FileSrc *s = c->file;

    *eof = false;
    if (G_LIKELY(s->end - s->pos >= n))
        return true;
    return refill(c, n, eof, error);
}

/* (transfer none) a reader over the next n bytes, not consumed; valid until the next read. */
static inline bool
peek_reader(CpCapture *c, size_t n, CpReader *r, bool *eof, GError **error)
{
    FileSrc *s = c->file;

    if (!fill(c, n, eof, error))
        return false;
    cp_reader_init(r, s->win + s->pos, n, n);
    return true;
}

static inline void
consume(CpCapture *c, size_t n)
{
    c->file->pos += n;
}

/* (transfer none) a reader over the next n bytes, consumed; valid until the next read. */
static inline bool
read_reader(CpCapture *c, size_t n, CpReader *r, bool *eof, GError **error)
{
    if (!peek_reader(c, n, r, eof, error))
        return false;
    consume(c, n);
    return true;
}

bool
cp_capture_file_read(CpCapture *c, size_t n, CpReader *r, bool *eof, GError **error)
{
    return read_reader(c, n, r, eof, error);
}

uint32_t
cp_capture_file_max_frame(const CpCapture *c)
{
    return c->file->max_frame_len;
}

static CpCaptureStatus
damaged(CpCapture *c, GError **error)
{
    g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                "%s: packet %" G_GUINT64_FORMAT " is longer than its block: the file is damaged",
                c->name, c->frames + 1);
    return CP_CAPTURE_ERROR;
}

/* pcap file header after the magic (draft §4): versions, reserved, snaplen, link type. */
static bool
open_pcap(CpCapture *c, uint32_t magic, GError **error)
{
    FileSrc *s = c->file;
    CpReader r;
    uint32_t lt;
    bool eof;

    if (!read_reader(c, 20, &r, &eof, error)) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcap file header", c->name);
        return false;
    }
    s->big_endian = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
    s->nsec = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
    if (!cp_reader_skip(&r, 16) || !get_u32(s->big_endian, &r, &lt)) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcap file header", c->name);
        return false; /* cannot happen: the reader holds the 20 bytes */
    }
    /* The link type's upper bits carry FCS information (pcap draft §4); keep the type. */
    s->linktype = (int)(lt & 0x0fffffffu);
    s->format = FMT_PCAP;
    return true;
}

static CpCaptureStatus
next_pcap(CpCapture *c, CpFrame *f, GError **error)
{
    FileSrc *s = c->file;
    bool be = s->big_endian;
    CpReader rh;
    uint32_t sec, frac, caplen, len;
    const uint8_t *data;
    bool eof;

    if (!read_reader(c, 16, &rh, &eof, error))
        return eof ? CP_CAPTURE_END : CP_CAPTURE_ERROR;
    if (!get_u32(be, &rh, &sec) || !get_u32(be, &rh, &frac) || !get_u32(be, &rh, &caplen) ||
        !get_u32(be, &rh, &len))
        return damaged(c, error); /* cannot happen: the reader holds the 16 bytes */
    if (caplen > s->max_frame_len) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: packet %" G_GUINT64_FORMAT " claims %u captured bytes (over %u, "
                    "--max-frame-size): the file is damaged",
                    c->name, c->frames + 1, caplen, s->max_frame_len);
        return CP_CAPTURE_ERROR;
    }
    /* The header is read: from here on rh is not used, so the window may move. */
    CpReader rec;
    if (!read_reader(c, caplen, &rec, &eof, error)) {
        if (eof) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: file is truncated in the middle of a packet after %" G_GUINT64_FORMAT
                        " packets",
                        c->name, c->frames);
        }
        return CP_CAPTURE_ERROR;
    }
    if (!cp_reader_bytes(&rec, caplen, &data))
        return damaged(c, error); /* cannot happen: the reader holds caplen bytes */
    f->ts_ns = (uint64_t)sec * 1000000000u + (s->nsec ? frac : (uint64_t)frac * 1000u);
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

/* Interface Description Block (pcapng draft §4.2): link type, reserved, snaplen, options. A
 * damaged option ends the walk; the interface is still described. */
static void
parse_idb(FileSrc *s, CpReader *body)
{
    Iface ifc = { .linktype = -1, .ts_units = 1000000, .ts_offset_s = 0 };
    bool be = s->big_endian;
    uint16_t lt;

    s->ifaces_described++;
    if (!get_u16(be, body, &lt) || !cp_reader_skip(body, 6))
        goto add;
    ifc.linktype = lt;
    for (;;) {
        uint16_t code, olen;
        CpReader val;
        if (!get_u16(be, body, &code) || !get_u16(be, body, &olen) || code == OPT_END ||
            !cp_reader_sub(body, olen, &val))
            break;
        uint8_t resol;
        if (code == OPT_IF_TSRESOL && cp_reader_u8(&val, &resol))
            ifc.ts_units = tsresol_units(resol);
        uint32_t w0, w1;
        if (code == OPT_IF_TSOFFSET && olen == 8 && get_u32(be, &val, &w0) &&
            get_u32(be, &val, &w1)) {
            /* A 64-bit integer in the section's byte order: high word first when big-endian. */
            uint64_t hi = be ? w0 : w1, lo = be ? w1 : w0;
            ifc.ts_offset_s = (int64_t)(hi << 32 | lo);
        }
        if (!cp_reader_skip(body, (4u - (olen & 3u)) & 3u))
            break;
    }
add:
    /* --max-interfaces: a packet naming one not kept is an input error (see next_pcapng). */
    if (s->ifaces->len < s->max_ifaces)
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

static bool read_shb(CpCapture *c, GError **error);

/* Decryption Secrets Block (pcapng draft §4.7): secrets type, secrets length, the secrets. They
 * go up as bytes and a type; what they mean is for the layers that read the traffic. A block
 * whose length lies is skipped like any block we cannot use. */
static void
secrets_block(CpCapture *c, bool be, CpReader *body)
{
    uint32_t type, len;
    const uint8_t *data;

    if (c->secrets_fn == NULL)
        return;
    if (!get_u32(be, body, &type) || !get_u32(be, body, &len) || !cp_reader_bytes(body, len, &data))
        return;
    c->secrets_fn(c->secrets_user, type, data, len);
}

static CpCaptureStatus
next_pcapng(CpCapture *c, CpFrame *f, GError **error)
{
    FileSrc *s = c->file;

    for (;;) {
        CpReader bh, b, body, fx;
        uint32_t type, total;
        bool be = s->big_endian, eof;

        if (!peek_reader(c, 8, &bh, &eof, error))
            return eof ? CP_CAPTURE_END : CP_CAPTURE_ERROR;
        if (!get_u32(be, &bh, &type) || !get_u32(be, &bh, &total))
            return damaged(c, error); /* cannot happen: the reader holds the 8 bytes */
        if (type == BT_SHB) {
            /* A new section (the type reads the same in either byte order): its length is in
             * the byte order its header declares, so read_shb reads it again. */
            consume(c, 4);
            if (!read_shb(c, error))
                return CP_CAPTURE_ERROR;
            continue;
        }
        consume(c, 8);
        if (total < 12 || total % 4 != 0) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: pcapng block of type 0x%x has an impossible length %u after "
                        "%" G_GUINT64_FORMAT " packets: the file is damaged",
                        c->name, type, total, c->frames);
            return CP_CAPTURE_ERROR;
        }
        if (total > s->max_block_len) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: pcapng block of type 0x%x is %u bytes long after %" G_GUINT64_FORMAT
                        " packets (over %u, --max-frame-size plus options): the file is damaged",
                        c->name, type, total, c->frames, s->max_block_len);
            return CP_CAPTURE_ERROR;
        }
        if (!read_reader(c, total - 8, &b, &eof, error)) {
            g_clear_error(error);
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: file is truncated in the middle of a block after %" G_GUINT64_FORMAT
                        " packets",
                        c->name, c->frames);
            return CP_CAPTURE_ERROR;
        }
        /* The body: all but the trailing copy of the total length. */
        if (!fixed_part(&b, total - 12, &body))
            return damaged(c, error); /* cannot happen: the reader holds total - 8 bytes */
        if (type == BT_IDB) {
            parse_idb(s, &body);
            continue;
        }
        if (type == BT_DSB) {
            secrets_block(c, be, &body);
            continue;
        }
        uint32_t iface = 0, hi = 0, lo = 0, caplen, len;
        uint16_t iface16;
        const uint8_t *data;
        if (type == BT_EPB) {
            /* interface id, timestamp (high, low), captured length, original length */
            if (!fixed_part(&body, 20, &fx))
                continue; /* too short to be a packet: skipped, as before */
            if (!get_u32(be, &fx, &iface) || !get_u32(be, &fx, &hi) || !get_u32(be, &fx, &lo) ||
                !get_u32(be, &fx, &caplen) || !get_u32(be, &fx, &len))
                return damaged(c, error); /* cannot happen: fx holds the 20 bytes */
            if (!cp_reader_bytes(&body, caplen, &data))
                return damaged(c, error);
        } else if (type == BT_PB_OBSOLETE) {
            /* interface id (16 bits), drops count (16 bits), then as the EPB */
            if (!fixed_part(&body, 20, &fx))
                continue;
            if (!get_u16(be, &fx, &iface16) || !cp_reader_skip(&fx, 2) || !get_u32(be, &fx, &hi) ||
                !get_u32(be, &fx, &lo) || !get_u32(be, &fx, &caplen) || !get_u32(be, &fx, &len))
                return damaged(c, error); /* cannot happen: fx holds the 20 bytes */
            iface = iface16;
            if (!cp_reader_bytes(&body, caplen, &data))
                return damaged(c, error);
        } else if (type == BT_SPB) {
            /* No timestamp, no captured length: what the block holds, up to the original. */
            if (!get_u32(be, &body, &len))
                continue;
            size_t room = cp_reader_remaining(&body);
            caplen = len < room ? len : (uint32_t)room;
            if (!cp_reader_bytes(&body, caplen, &data))
                return damaged(c, error);
        } else {
            continue; /* NRB, ISB, custom blocks: nothing we need */
        }
        if (caplen > s->max_frame_len) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: packet %" G_GUINT64_FORMAT " claims %u captured bytes (over %u, "
                        "--max-frame-size): the file is damaged",
                        c->name, c->frames + 1, caplen, s->max_frame_len);
            return CP_CAPTURE_ERROR;
        }
        if (!ts_of(s, iface, hi, lo, &f->ts_ns)) {
            if (iface < s->ifaces_described)
                g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                            "%s: packet %" G_GUINT64_FORMAT " names interface %u, beyond the "
                            "%zu interfaces kept per section (--max-interfaces)",
                            c->name, c->frames + 1, iface, s->max_ifaces);
            else
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
    }
}

/* Section Header Block after its block type (pcapng draft §4.1): total length, byte-order
 * magic, version, section length, options. The magic sets the byte order of the section. */
static bool
read_shb(CpCapture *c, GError **error)
{
    FileSrc *s = c->file;
    CpReader r;
    uint32_t total, bom;
    bool eof;

    if (!read_reader(c, 8, &r, &eof, error)) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcapng section header",
                    c->name);
        return false;
    }
    CpReader len_field = r;
    if (!cp_reader_skip(&r, 4) || !cp_reader_le32(&r, &bom))
        return false; /* cannot happen: the reader holds the 8 bytes */
    if (bom == BYTE_ORDER_MAGIC)
        s->big_endian = false;
    else if (bom == GUINT32_SWAP_LE_BE(BYTE_ORDER_MAGIC))
        s->big_endian = true;
    else {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: bad pcapng byte-order magic", c->name);
        return false;
    }
    if (!get_u32(s->big_endian, &len_field, &total))
        return false; /* cannot happen: as above */
    if (total < 28 || total % 4 != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: pcapng section header has an impossible length %u", c->name, total);
        return false;
    }
    if (total > s->max_block_len) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: pcapng section header is %u bytes long (over %u, --max-frame-size "
                    "plus options): the file is damaged",
                    c->name, total, s->max_block_len);
        return false;
    }
    if (!read_reader(c, total - 12, &r, &eof, error)) {
        g_clear_error(error);
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: truncated pcapng section header",
                    c->name);
        return false;
    }
    /* Interface ids restart in each section. */
    g_array_set_size(s->ifaces, 0);
    s->ifaces_described = 0;
    s->format = FMT_PCAPNG;
    return true;
}

/* Up to n bytes of the file's start in the window, not consumed: what a short file has. */
static size_t
peek_start(CpCapture *c, size_t n, const uint8_t **p)
{
    FileSrc *s = c->file;
    GError *ignored = NULL;
    bool eof;

    if (!fill(c, n, &eof, &ignored))
        g_clear_error(&ignored);
    *p = s->win + s->pos;
    return s->end - s->pos;
}

static bool
has_suffix_ci(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);

    return n >= k && g_ascii_strcasecmp(name + n - k, suffix) == 0;
}

/* An ETW trace (netsh trace, pktmon): its first buffer (WMI_BUFFER_HEADER) declares a buffer
 * size that is a power of two, and the logfile header that follows names the .etl file in
 * UTF-16LE. Either that, or the name, identifies it. */
static bool
looks_like_etl(const char *name, const uint8_t *p, size_t n)
{
    static const uint8_t dot_etl[] = { '.', 0, 'e', 0, 't', 0, 'l', 0 };
    static const uint8_t dot_etl_uc[] = { '.', 0, 'E', 0, 'T', 0, 'L', 0 };
    CpReader r;
    uint32_t buf_size;

    if (has_suffix_ci(name, ".etl"))
        return true;
    cp_reader_init(&r, p, n, n);
    if (!cp_reader_le32(&r, &buf_size) || buf_size < 1024 || (buf_size & (buf_size - 1)) != 0)
        return false;
    for (size_t i = 0; n >= sizeof dot_etl && i <= n - sizeof dot_etl; i++) {
        if (memcmp(p + i, dot_etl, sizeof dot_etl) == 0 ||
            memcmp(p + i, dot_etl_uc, sizeof dot_etl_uc) == 0)
            return true;
    }
    return false;
}

/* The one-line error for a file that is not a capture certpath reads: what it is when its
 * first bytes say so (STYLE R12). */
static void
not_a_capture(CpCapture *c, GError **error)
{
    FileSrc *s = c->file;
    const uint8_t *p;
    size_t n = peek_start(c, 64 * 1024, &p);
    const char *what = NULL;

    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
        what = has_suffix_ci(c->name, ".matp")
                       ? "a Message Analyzer .matp file: save it from Message Analyzer as "
                         "a .cap or .pcapng"
                       : "a ZIP archive (a Message Analyzer .matp file is one): extract the "
                         "capture first";
    else if (n >= 3 && memcmp(p, "BZh", 3) == 0)
        what = "bzip2-compressed: decompress it first (bunzip2)";
    else if (n >= 6 && memcmp(p,
                              "\xfd"
                              "7zXZ\x00",
                              6) == 0)
        what = "xz-compressed: decompress it first (unxz)";
    else if (n >= 8 && memcmp(p, "snoop\0\0\0", 8) == 0)
        what = "a Solaris snoop capture: convert it with editcap -F pcapng IN OUT";
    else if (n >= 4 && memcmp(p,
                              "\x7f"
                              "ELF",
                              4) == 0)
        what = "a program (ELF), not a capture";
    if (what != NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: this is %s", c->name, what);
        return;
    }
    if (s->compressed == CP_COMPRESSION_NONE && looks_like_etl(c->name, p, n)) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: this is an ETW trace (.etl): convert it with `pktmon etl2pcap "
                    "FILE.etl --out FILE.pcapng`",
                    c->name);
        return;
    }
    if (s->compressed != CP_COMPRESSION_NONE) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: %s-compressed, but what it holds is not a pcap, pcapng or NetMon "
                    "capture",
                    c->name, cp_decomp_kind_name(s->compressed));
        return;
    }
    g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                "%s: not a pcap or pcapng file, nor a NetMon .cap (convert other formats "
                "with: editcap -F pcapng IN OUT)",
                c->name);
}

/* A compressed file: the decompressor takes the raw bytes the window holds and from then on
 * feeds the window; detection starts again on what it yields. */
static bool
start_decompression(CpCapture *c, CpCompression kind, GError **error)
{
    FileSrc *s = c->file;

    if (s->dec != NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: %s-compressed data inside %s-compressed data: decompress it first",
                    c->name, cp_decomp_kind_name(kind), cp_decomp_kind_name(s->compressed));
        return false;
    }
    s->dec = cp_decomp_new(kind, s->win + s->pos, s->end - s->pos, c->name, error);
    if (s->dec == NULL)
        return false;
    s->compressed = kind;
    s->pos = s->end = 0;
    return true;
}

static bool
detect(CpCapture *c, GError **error)
{
    FileSrc *s = c->file;
    CpReader r;
    uint32_t v;
    bool eof;

    for (;;) {
        if (!peek_reader(c, 4, &r, &eof, error) || !cp_reader_le32(&r, &v)) {
            g_clear_error(error);
            if (s->compressed != CP_COMPRESSION_NONE)
                g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s-compressed, but %s", c->name,
                            cp_decomp_kind_name(s->compressed),
                            eof ? "empty inside" : "too short inside to be a capture file");
            else
                g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", c->name,
                            eof ? "empty file" : "too short to be a capture file");
            return false;
        }
        const uint8_t *p = s->win + s->pos;
        CpCompression kind = cp_decomp_sniff(p, s->end - s->pos);
        if (kind == CP_COMPRESSION_NONE)
            break;
        if (!start_decompression(c, kind, error))
            return false;
    }
    if (v == 0xa1b2c3d4u || v == 0xd4c3b2a1u || v == 0xa1b23c4du || v == 0x4d3cb2a1u) {
        consume(c, 4);
        return open_pcap(c, v, error);
    }
    if (v == BT_SHB) {
        consume(c, 4);
        return read_shb(c, error);
    }
    if (memcmp(s->win + s->pos, "RTSS", 4) == 0 || memcmp(s->win + s->pos, "GMBU", 4) == 0) {
        consume(c, 4);
        s->netmon = cp_netmon_open(c, error);
        s->format = FMT_NETMON;
        return s->netmon != NULL;
    }
    not_a_capture(c, error);
    return false;
}

static uint32_t
clamp_u32(uint64_t v, uint32_t max)
{
    return v > max ? max : (uint32_t)v;
}

CpCapture *
cp_capture_open_stream_full(FILE *fp, const char *name, bool own_fp, const CpLimits *limits,
                            GError **error)
{
    CpCapture *c = g_new0(CpCapture, 1);
    CpLimits defaults;

    if (limits == NULL) {
        cp_limits_init_default(&defaults);
        limits = &defaults;
    }
    c->name = g_strdup(name);
    c->file = g_new0(FileSrc, 1);
    c->file->fp = fp;
    c->file->own_fp = own_fp;
    /* Nothing was read through fp's own buffer yet, so its descriptor can be read directly. */
    c->file->fd = fileno(fp);
    /* Lengths on the wire are 32 bits: a larger limit means no limit. */
    c->file->max_frame_len = clamp_u32(limits->max_frame_len, UINT32_MAX - BLOCK_OPTIONS_ROOM);
    c->file->max_block_len = c->file->max_frame_len + BLOCK_OPTIONS_ROOM;
    c->file->max_ifaces =
            limits->max_interfaces > G_MAXUINT ? G_MAXUINT : (size_t)limits->max_interfaces;
    c->file->win_size = WINDOW_SIZE;
    c->file->win = g_malloc(WINDOW_SIZE);
    c->file->ifaces = g_array_new(FALSE, TRUE, sizeof(Iface));
    if (!detect(c, error)) {
        cp_capture_free(c);
        return NULL;
    }
    return c;
}

CpCapture *
cp_capture_open_stream(FILE *fp, const char *name, bool own_fp, GError **error)
{
    return cp_capture_open_stream_full(fp, name, own_fp, NULL, error);
}

CpCapture *
cp_capture_open_file_full(const char *path, const CpLimits *limits, GError **error)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");

    if (fp == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s", path, g_strerror(errno));
        return NULL;
    }
    return cp_capture_open_stream_full(fp, is_stdin ? "standard input" : path, !is_stdin, limits,
                                       error);
}

CpCapture *
cp_capture_open_file(const char *path, GError **error)
{
    return cp_capture_open_file_full(path, NULL, error);
}

CpCaptureStatus
cp_capture_file_next(CpCapture *c, CpFrame *f, GError **error)
{
    FileSrc *s = c->file;

    if (s->format == FMT_PCAP)
        return next_pcap(c, f, error);
    if (s->format == FMT_PCAPNG)
        return next_pcapng(c, f, error);
    return cp_netmon_next(c, s->netmon, f, error);
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
    cp_netmon_free(s->netmon);
    cp_decomp_free(s->dec);
    g_free(s->win);
    g_free(s);
    c->file = NULL;
}
