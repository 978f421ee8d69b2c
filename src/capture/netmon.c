/* SPDX-License-Identifier: BSD-2-Clause */
/* netmon: Microsoft Network Monitor 1.x and 2.x capture files (.cap), read sequentially.
 *
 * No public specification: the layout below is the one the Network Monitor 3.x help files
 * document ("Capture File Format") and Wireshark's wiretap/netmon.c reads and editcap writes
 * (-F netmon1, -F netmon2). Every integer is little-endian.
 *
 *   file header, padded to 128 bytes:
 *     0  magic "RTSS" (1.x) or "GMBU" (2.x)    4  minor, major version (u8 each)
 *     6  media type of the file (u16)           8  capture start: SYSTEMTIME, 8 x u16 (year,
 *                                                  month, day of week, day, hour, minute,
 *                                                  second, millisecond), the capturing host's
 *                                                  local time
 *    24  frame table offset, length (u32 each)  32  user data, comments, process info,
 *                                                  network info ... (not needed)
 *   frame records, one after the other from offset 128:
 *     1.x: time since start in ms (u32), original length (u16), captured length (u16), data
 *     2.x: time since start in us (u64), original length (u32), captured length (u32), data,
 *          then from version 2.1 a trailer: media type of this frame (u16); 2.2 adds a process
 *          index (u32); 2.3 adds the frame's UTC time as a FILETIME (u64, 100 ns since 1601)
 *          and a time zone index (u8)
 *   frame table: one u32 file offset per frame (the records end where it starts).
 *
 * Streaming: the records are read in file order, without seeking, so a NetMon file is read
 * from a pipe or through gzip like any other; the frame table is not loaded (its entries are
 * the records' own offsets in every file NetMon and editcap write). The header's table offset
 * bounds the records and its length gives their count. Timestamps: 2.3 files carry UTC per
 * frame; earlier ones are start + delta, the start read in the local time zone as Wireshark
 * does (the file does not record the capturing host's zone).
 *
 * Media types: 0/1 Ethernet; 7, 8, 9 raw IP (tunnel, wireless WAN, "raw IP frames"); 6 802.11
 * behind NetMon's own metadata header (version u8, length u16), yielded as LINKTYPE_IEEE802_11;
 * 0xE000 | LINKTYPE for frames NetMon converted from pcap. Anything else (NetEvent 0xFFE0,
 * network info, DNS cache, filters, Message Analyzer's 0xE08x types, token ring, FDDI, ATM) is
 * not a packet certpath can decode: counted (cp_capture_skipped) and skipped.
 */
#include "capture/capture_private.h"

#include <string.h>
#include <time.h>

#include "base/error.h"

#define NETMON_HEADER_LEN   128u
#define FILETIME_UNIX_EPOCH 116444736000000000ull /* 1970-01-01 in 100 ns units since 1601 */

/* LINKTYPE values (tcpdump.org registry) yielded for NetMon media types. */
#define LT_ETHERNET   1
#define LT_RAW        101
#define LT_IEEE802_11 105

struct CpNetmon {
    uint8_t major, minor;
    uint16_t file_media;
    uint64_t start_ns;    /* capture start, Unix ns */
    uint64_t off;         /* file offset of the next unread byte */
    uint64_t table_off;   /* records end here */
    uint64_t frames_left; /* frame table entries not yet read */
    size_t trailer_len;   /* 0, 2, 6 or 15 by version */
};

static uint64_t
systemtime_ns(CpReader *r)
{
    uint16_t f[8];
    struct tm tm;

    for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
        if (!cp_reader_le16(r, &f[i]))
            return 0;
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (int)f[0] - 1900;
    tm.tm_mon = (int)f[1] - 1;
    tm.tm_mday = f[3];
    tm.tm_hour = f[4];
    tm.tm_min = f[5];
    tm.tm_sec = f[6];
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    /* Before 1970 or unrepresentable: a damaged header; deltas still order the frames. */
    if (t < 0)
        return 0;
    return (uint64_t)t * 1000000000u + (uint64_t)(f[7] % 1000u) * 1000000u;
}

static bool
header_error(CpCapture *c, GError **error, const char *why)
{
    g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: NetMon file header %s", c->name, why);
    return false;
}

CpNetmon *
cp_netmon_open(CpCapture *c, GError **error)
{
    CpReader r;
    bool eof;
    uint8_t minor, major;
    uint16_t media;
    uint32_t table_off, table_len;

    if (!cp_capture_file_read(c, NETMON_HEADER_LEN - 4, &r, &eof, error)) {
        g_clear_error(error);
        header_error(c, error, "is truncated");
        return NULL;
    }
    if (!cp_reader_u8(&r, &minor) || !cp_reader_u8(&r, &major) || !cp_reader_le16(&r, &media)) {
        header_error(c, error, "is truncated");
        return NULL; /* cannot happen: the reader holds 124 bytes */
    }
    CpReader when = r;
    uint64_t start_ns = systemtime_ns(&when);
    if (!cp_reader_skip(&r, 16) || !cp_reader_le32(&r, &table_off) ||
        !cp_reader_le32(&r, &table_len)) {
        header_error(c, error, "is truncated");
        return NULL; /* cannot happen: as above */
    }
    if (major != 1 && major != 2) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: NetMon file format version %u.%u is not supported (1.x and 2.x are)",
                    c->name, major, minor);
        return NULL;
    }
    /* A table offset inside the header, or a length that is not whole entries: the header
     * lies (a damaged or fuzzed file), and nothing says where the records end. */
    if (table_off < NETMON_HEADER_LEN || table_len % 4 != 0) {
        header_error(c, error, "has an impossible frame table: the file is damaged");
        return NULL;
    }
    CpNetmon *nm = g_new0(CpNetmon, 1);
    nm->major = major;
    nm->minor = minor;
    nm->file_media = media;
    nm->start_ns = start_ns;
    nm->off = NETMON_HEADER_LEN;
    nm->table_off = table_off;
    nm->frames_left = table_len / 4u;
    nm->trailer_len = major == 1 || minor == 0 ? 0 : minor == 1 ? 2 : minor == 2 ? 6 : 15;
    return nm;
}

/* The linktype for a NetMon media type, or -1 for a frame certpath cannot decode. */
static int
media_linktype(uint16_t media)
{
    if (media == 0 || media == 1)
        return LT_ETHERNET;
    if (media == 6)
        return LT_IEEE802_11;
    if (media >= 7 && media <= 9)
        return LT_RAW;
    /* 0xE080..0xE08A are Message Analyzer's own types, not converted pcap link types. */
    if ((media & 0xF000u) == 0xE000u && !(media >= 0xE080u && media <= 0xE08Au))
        return media & 0x0FFF;
    return -1;
}

static CpCaptureStatus
record_error(CpCapture *c, GError **error, const char *why)
{
    g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: NetMon frame %" G_GUINT64_FORMAT " %s",
                c->name, c->frames + c->skipped + 1, why);
    return CP_CAPTURE_ERROR;
}

/* A record's header: NetMon 1 gives milliseconds and 16-bit lengths, NetMon 2 microseconds
 * (lo, hi) and 32-bit lengths. */
typedef struct RecordHeader {
    uint32_t ms, lo, hi, orig, incl;
} RecordHeader;

static CpCaptureStatus
read_header(CpCapture *c, CpNetmon *nm, RecordHeader *h, GError **error)
{
    size_t hdr_len = nm->major == 1 ? 8 : 16;
    CpReader r;
    bool eof;
    uint16_t orig16, incl16;

    memset(h, 0, sizeof *h);
    if (nm->table_off - nm->off < hdr_len)
        return record_error(c, error, "runs into the frame table: the file is damaged");
    if (!cp_capture_file_read(c, hdr_len, &r, &eof, error)) {
        g_clear_error(error);
        return record_error(c, error, "is cut short: the file is truncated");
    }
    if (nm->major == 1) {
        if (!cp_reader_le32(&r, &h->ms) || !cp_reader_le16(&r, &orig16) ||
            !cp_reader_le16(&r, &incl16))
            return record_error(c, error, "header is short"); /* cannot happen: 8 bytes */
        h->orig = orig16;
        h->incl = incl16;
    } else if (!cp_reader_le32(&r, &h->lo) || !cp_reader_le32(&r, &h->hi) ||
               !cp_reader_le32(&r, &h->orig) || !cp_reader_le32(&r, &h->incl)) {
        return record_error(c, error, "header is short"); /* cannot happen: 16 bytes */
    }
    nm->off += hdr_len;
    return CP_CAPTURE_FRAME;
}

static uint64_t
record_time(const CpNetmon *nm, const RecordHeader *h)
{
    if (nm->major == 1)
        return nm->start_ns + (uint64_t)h->ms * 1000000u;
    /* Microseconds, unsigned on paper, but NetMon writes frames before the start as negative
     * values: x10 gives a signed count of 100 ns (Wireshark does the same). The sums wrap
     * instead of overflowing: a hostile delta gives a wrong time, nothing else. */
    uint64_t us = (uint64_t)h->hi << 32 | h->lo;
    return nm->start_ns + us * 10u * 100u;
}

/* The trailer (NetMon 2.1+): the frame's media type, and (2.3) its own UTC FILETIME, which
 * replaces *ts_ns. */
static bool
read_trailer(const CpNetmon *nm, CpReader *trailer, uint16_t *media, uint64_t *ts_ns)
{
    uint32_t pi, ft_lo, ft_hi;

    if (nm->trailer_len == 0)
        return true;
    if (!cp_reader_le16(trailer, media))
        return false;
    if (nm->trailer_len == 15 && cp_reader_le32(trailer, &pi) && cp_reader_le32(trailer, &ft_lo) &&
        cp_reader_le32(trailer, &ft_hi)) {
        uint64_t ft = (uint64_t)ft_hi << 32 | ft_lo;
        *ts_ns = ft > FILETIME_UNIX_EPOCH ? (ft - FILETIME_UNIX_EPOCH) * 100u : 0;
    }
    return true;
}

/* NetMon's 802.11 metadata (version, then its own length, radio facts): skipped to the 802.11
 * header. Shorter than its length field: not a packet (false). */
static bool
skip_wlan_metadata(const uint8_t **bytes, uint32_t *incl, uint32_t *orig)
{
    CpReader data;
    uint8_t version;
    uint16_t meta_len;

    cp_reader_init(&data, *bytes, *incl, *incl);
    if (!cp_reader_u8(&data, &version) || !cp_reader_le16(&data, &meta_len) || meta_len < 3 ||
        !cp_reader_skip(&data, meta_len - 3u))
        return false;
    *bytes += meta_len;
    *incl -= meta_len;
    *orig = *orig > meta_len ? *orig - meta_len : 0;
    return true;
}

/* One record; *is_packet false for a record to skip. */
static CpCaptureStatus
read_record(CpCapture *c, CpNetmon *nm, CpFrame *f, bool *is_packet, GError **error)
{
    RecordHeader h;
    CpReader r, trailer;
    bool eof;

    if (read_header(c, nm, &h, error) != CP_CAPTURE_FRAME)
        return CP_CAPTURE_ERROR;
    if (h.incl > cp_capture_file_max_frame(c)) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: NetMon frame %" G_GUINT64_FORMAT " claims %u captured bytes (over %u, "
                    "--max-frame-size): the file is damaged",
                    c->name, c->frames + c->skipped + 1, h.incl, cp_capture_file_max_frame(c));
        return CP_CAPTURE_ERROR;
    }
    if (nm->table_off - nm->off < (uint64_t)h.incl + nm->trailer_len)
        return record_error(c, error, "runs into the frame table: the file is damaged");
    /* Data and trailer in one window, so the data stays valid after the trailer is read. */
    if (!cp_capture_file_read(c, h.incl + nm->trailer_len, &r, &eof, error)) {
        g_clear_error(error);
        return record_error(c, error, "is cut short: the file is truncated");
    }
    nm->off += h.incl + nm->trailer_len;
    const uint8_t *bytes;
    if (!cp_reader_bytes(&r, h.incl, &bytes) || !cp_reader_sub(&r, nm->trailer_len, &trailer))
        return record_error(c, error, "is short"); /* cannot happen: the window holds both */

    uint16_t media = nm->file_media;
    uint64_t ts = record_time(nm, &h);
    if (!read_trailer(nm, &trailer, &media, &ts))
        return record_error(c, error, "trailer is short"); /* cannot happen */
    int lt = media_linktype(media);
    *is_packet = lt >= 0 && (lt != LT_IEEE802_11 || skip_wlan_metadata(&bytes, &h.incl, &h.orig));
    if (!*is_packet)
        return CP_CAPTURE_FRAME;
    f->ts_ns = ts;
    f->caplen = h.incl;
    f->wirelen = h.orig < h.incl ? h.incl : h.orig;
    f->linktype = lt;
    f->data = bytes;
    return CP_CAPTURE_FRAME;
}

CpCaptureStatus
cp_netmon_next(CpCapture *c, CpNetmon *nm, CpFrame *f, GError **error)
{
    /* Each round consumes a record or ends: bounded by the frame table's count. */
    while (nm->frames_left > 0 && nm->off < nm->table_off) {
        bool is_packet = false;
        nm->frames_left--;
        CpCaptureStatus st = read_record(c, nm, f, &is_packet, error);
        if (st != CP_CAPTURE_FRAME)
            return st;
        if (is_packet)
            return CP_CAPTURE_FRAME;
        c->skipped++;
    }
    return CP_CAPTURE_END;
}

void
cp_netmon_free(CpNetmon *nm)
{
    g_free(nm);
}
