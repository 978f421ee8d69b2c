/* SPDX-License-Identifier: BSD-2-Clause */
/* decompress: gzip (RFC 1952, through zlib) and zstd (RFC 8878, through libzstd when the build
 * has it) captures, decompressed as they are read: no temporary file, so standard input works
 * as well as a file, and memory stays one 64 KiB input buffer plus the library's state.
 *
 * The file reader (capture_file.c) recognises the magic, hands over the raw bytes it already
 * read, and from then on fills its window from cp_decomp_read instead of read(2). Several gzip
 * members one after the other (`cat a.gz b.gz`) read as one stream, as gzip -d does; bytes
 * after the last member that do not start a new one are ignored, as gzip does with a warning.
 * Input that ends inside a member is a one-line error, returned only after every byte that
 * could still be decompressed, so the frames before the cut are reported.
 */
#include "capture/capture_private.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>
#ifdef CP_HAVE_ZSTD
#include <zstd.h>
#endif

#include "base/error.h"

#define INPUT_BUFFER (64u * 1024u)

struct CpDecomp {
    CpCompression kind;
    char *name;
    uint8_t *in; /* (owned) in_size bytes; unread input is in[in_pos..in_len) */
    size_t in_size, in_pos, in_len;
    bool in_eof;     /* the raw file has no more bytes */
    bool member_end; /* gzip: a member ended; another may follow */
    z_stream z;
    bool z_ready;
#ifdef CP_HAVE_ZSTD
    ZSTD_DStream *zs;
    size_t zs_hint; /* last ZSTD_decompressStream result: 0 = at a frame boundary */
#endif
};

CpCompression
cp_decomp_sniff(const uint8_t *p, size_t n)
{
    /* gzip: ID1 ID2 and CM = 8 (deflate), the only method RFC 1952 defines. */
    if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
        return CP_COMPRESSION_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return CP_COMPRESSION_ZSTD;
    return CP_COMPRESSION_NONE;
}

const char *
cp_decomp_kind_name(CpCompression kind)
{
    return kind == CP_COMPRESSION_GZIP ? "gzip" : kind == CP_COMPRESSION_ZSTD ? "zstd" : "not";
}

CpDecomp *
cp_decomp_new(CpCompression kind, const uint8_t *pre, size_t pre_len, const char *name,
              GError **error)
{
#ifndef CP_HAVE_ZSTD
    if (kind == CP_COMPRESSION_ZSTD) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: zstd-compressed, and this certpath was built without libzstd: "
                    "decompress it first (zstd -d)",
                    name);
        return NULL;
    }
#endif
    CpDecomp *d = g_new0(CpDecomp, 1);
    d->kind = kind;
    d->name = g_strdup(name);
    d->in_size = pre_len > INPUT_BUFFER ? pre_len : INPUT_BUFFER;
    d->in = g_malloc(d->in_size);
    if (pre_len > 0)
        memcpy(d->in, pre, pre_len);
    d->in_len = pre_len;
    if (kind == CP_COMPRESSION_GZIP) {
        /* 15 + 16: a 32 KiB window, gzip framing only. */
        if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: cannot start gzip decompression",
                        name);
            cp_decomp_free(d);
            return NULL;
        }
        d->z_ready = true;
    }
#ifdef CP_HAVE_ZSTD
    if (kind == CP_COMPRESSION_ZSTD) {
        d->zs = ZSTD_createDStream();
        if (d->zs == NULL || ZSTD_isError(ZSTD_initDStream(d->zs))) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: cannot start zstd decompression",
                        name);
            cp_decomp_free(d);
            return NULL;
        }
    }
#endif
    return d;
}

/* More raw input when the buffer is used up; false with *error on a read error. */
static bool
more_input(CpDecomp *d, CpCapture *c, GError **error)
{
    if (d->in_pos < d->in_len || d->in_eof)
        return true;
    ssize_t got = cp_capture_file_raw_read(c, d->in, d->in_size);
    if (got < 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: read error: %s", d->name,
                    g_strerror(errno));
        return false;
    }
    d->in_pos = 0;
    d->in_len = (size_t)got;
    d->in_eof = got == 0;
    return true;
}

static ssize_t
truncated(CpDecomp *d, CpCapture *c, GError **error)
{
    g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                "%s: the %s-compressed data is truncated after %" G_GUINT64_FORMAT " packets",
                d->name, cp_decomp_kind_name(d->kind), c->frames);
    return -1;
}

static ssize_t
gzip_read(CpDecomp *d, CpCapture *c, uint8_t *dst, size_t room, GError **error)
{
    /* Each round consumes input or produces output, and input is finite. */
    for (;;) {
        if (!more_input(d, c, error))
            return -1;
        if (d->member_end) {
            if (d->in_pos == d->in_len)
                return 0; /* clean end after the last member */
            if (cp_decomp_sniff(d->in + d->in_pos, d->in_len - d->in_pos) != CP_COMPRESSION_GZIP)
                return 0; /* trailing bytes that are not a member: ignored, as gzip does */
            if (inflateReset(&d->z) != Z_OK)
                return truncated(d, c, error); /* cannot happen: the stream was set up */
            d->member_end = false;
        }
        if (d->in_pos == d->in_len && d->in_eof)
            return truncated(d, c, error);
        d->z.next_in = d->in + d->in_pos;
        d->z.avail_in = (uInt)(d->in_len - d->in_pos);
        d->z.next_out = dst;
        d->z.avail_out = room > UINT32_MAX ? UINT32_MAX : (uInt)room;
        uInt out_before = d->z.avail_out;
        int rc = inflate(&d->z, Z_NO_FLUSH);
        d->in_pos = d->in_len - d->z.avail_in;
        size_t produced = out_before - d->z.avail_out;
        if (rc == Z_STREAM_END)
            d->member_end = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: the gzip-compressed data is corrupt after %" G_GUINT64_FORMAT
                        " packets (%s)",
                        d->name, c->frames, d->z.msg != NULL ? d->z.msg : "inflate failed");
            return -1;
        }
        if (produced > 0)
            return (ssize_t)produced;
    }
}

#ifdef CP_HAVE_ZSTD
static ssize_t
zstd_read(CpDecomp *d, CpCapture *c, uint8_t *dst, size_t room, GError **error)
{
    for (;;) {
        if (!more_input(d, c, error))
            return -1;
        if (d->in_pos == d->in_len && d->in_eof)
            return d->zs_hint == 0 ? 0 : truncated(d, c, error);
        ZSTD_inBuffer in = { d->in, d->in_len, d->in_pos };
        ZSTD_outBuffer out = { dst, room, 0 };
        size_t rc = ZSTD_decompressStream(d->zs, &out, &in);
        d->in_pos = in.pos;
        if (ZSTD_isError(rc)) {
            g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                        "%s: the zstd-compressed data is corrupt after %" G_GUINT64_FORMAT
                        " packets (%s)",
                        d->name, c->frames, ZSTD_getErrorName(rc));
            return -1;
        }
        d->zs_hint = rc;
        if (out.pos > 0)
            return (ssize_t)out.pos;
    }
}
#endif

ssize_t
cp_decomp_read(CpDecomp *d, CpCapture *c, uint8_t *dst, size_t room, GError **error)
{
#ifdef CP_HAVE_ZSTD
    if (d->kind == CP_COMPRESSION_ZSTD)
        return zstd_read(d, c, dst, room, error);
#endif
    return gzip_read(d, c, dst, room, error);
}

void
cp_decomp_free(CpDecomp *d)
{
    if (d == NULL)
        return;
    if (d->z_ready)
        inflateEnd(&d->z);
#ifdef CP_HAVE_ZSTD
    ZSTD_freeDStream(d->zs);
#endif
    g_free(d->in);
    g_free(d->name);
    g_free(d);
}
