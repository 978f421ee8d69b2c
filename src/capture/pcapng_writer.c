/* SPDX-License-Identifier: BSD-2-Clause */
/* pcapng_writer: -w FILE, the packets the caller calls evidence (live capture: each handshake),
 * as pcapng.
 *
 * Layout (draft-ietf-opsawg-pcapng, sections 4.1, 4.2, 4.3), all little-endian — the
 * byte-order magic 0x1A2B3C4D tells readers which:
 *
 *   SHB  0x0A0D0D0A | len | magic | 1.0 | section length -1 | shb_userappl | end | len
 *   IDB  0x00000001 | len | linktype | 0 | snaplen | if_name | if_tsresol=9 | end | len
 *   EPB  0x00000006 | len | if id | ts hi | ts lo | caplen | origlen | data (pad 4) | len
 *
 * An IDB is written the first time a link type is met (live capture has one, but the pipeline
 * takes any link type), so interface ids index the IDBs in order. if_tsresol = 9 makes the EPB
 * timestamps nanoseconds since 1970, the unit CpFrame carries. The limit counts bytes already
 * in the file: a block that would cross it is not written, and neither is anything after it
 * (a half-written block would make the whole file unreadable).
 */
#include "capture/pcapng_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

#define BT_SHB     0x0A0D0D0Au
#define BT_IDB     0x00000001u
#define BT_EPB     0x00000006u
#define MAX_IFACES 64 /* distinct link types recorded; more are counted as over the limit */

struct CpPcapngWriter {
    FILE *fp;
    char *path;
    char *if_name;
    uint64_t limit;
    bool full; /* the limit was reached: write nothing more */
    int links[MAX_IFACES];
    unsigned n_links;
    GByteArray *block; /* reused block buffer */
    CpPcapngStats stats;
};

static void
put16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    g_byte_array_append(b, x, 2);
}

static void
put32(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    g_byte_array_append(b, x, 4);
}

static void
pad4(GByteArray *b)
{
    static const uint8_t zero[3] = { 0 };
    g_byte_array_append(b, zero, (4 - b->len % 4) % 4);
}

/* An option: code, length, value padded to 32 bits (section 3.5). */
static void
put_option(GByteArray *b, uint16_t code, const void *val, size_t len)
{
    len = len > 0xFFFF - 4 ? 0xFFFF - 4 : len;
    put16(b, code);
    put16(b, (uint16_t)len);
    g_byte_array_append(b, val, (guint)len);
    pad4(b);
}

static void
block_begin(GByteArray *b, uint32_t type)
{
    g_byte_array_set_size(b, 0);
    put32(b, type);
    put32(b, 0); /* total length, patched by block_end */
}

static void
block_end(GByteArray *b)
{
    uint32_t total = b->len + 4;
    uint8_t x[4] = { (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(total >> 16),
                     (uint8_t)(total >> 24) };
    memcpy(b->data + 4, x, 4);
    put32(b, total);
}

static bool
write_failed(CpPcapngWriter *w, GError **error)
{
    if (!w->stats.write_failed)
        g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "%s: %s", w->path, g_strerror(errno));
    w->stats.write_failed = true;
    return false;
}

/* Writes the block in w->block whole, or not at all when it would cross the limit. */
static bool
emit(CpPcapngWriter *w, GError **error)
{
    if (w->stats.write_failed)
        return false;
    if (w->limit > 0 && w->stats.bytes + w->block->len > w->limit) {
        w->full = true;
        return false;
    }
    if (fwrite(w->block->data, 1, w->block->len, w->fp) != w->block->len)
        return write_failed(w, error);
    w->stats.bytes += w->block->len;
    return true;
}

static bool
write_shb(CpPcapngWriter *w, GError **error)
{
    GByteArray *b = w->block;
    const char *app = "certpath";

    block_begin(b, BT_SHB);
    put32(b, 0x1A2B3C4Du);
    put16(b, 1);
    put16(b, 0);
    put32(b, 0xFFFFFFFFu); /* section length unknown (-1, 64 bits) */
    put32(b, 0xFFFFFFFFu);
    put_option(b, 4, app, strlen(app)); /* shb_userappl */
    put_option(b, 0, NULL, 0);          /* opt_endofopt */
    block_end(b);
    return emit(w, error);
}

/* Returns the interface id for linktype, writing its IDB first if new; -1 when not written. */
static int
iface_of(CpPcapngWriter *w, int linktype, GError **error)
{
    for (unsigned i = 0; i < w->n_links; i++)
        if (w->links[i] == linktype)
            return (int)i;
    if (w->n_links == MAX_IFACES)
        return -1;
    GByteArray *b = w->block;
    const uint8_t tsresol = 9; /* 10^-9 s */
    block_begin(b, BT_IDB);
    put16(b, (uint16_t)linktype);
    put16(b, 0);
    put32(b, 0); /* snaplen: no limit */
    if (w->if_name != NULL)
        put_option(b, 2, w->if_name, strlen(w->if_name)); /* if_name */
    put_option(b, 9, &tsresol, 1);                        /* if_tsresol */
    put_option(b, 0, NULL, 0);
    block_end(b);
    if (!emit(w, error))
        return -1;
    w->links[w->n_links] = linktype;
    return (int)w->n_links++;
}

static FILE *
refuse(int fd, const char *path, const char *why, GError **error)
{
    g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "%s: %s", path, why);
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* fopen(path, "w") would follow a link planted where the file is to be (in /tmp, say) and
 * truncate whatever it names, as root before -Z drops privileges: the file is opened without
 * following a symbolic link and without truncating, then checked, then truncated. A hard link
 * (another file under a second name) is refused too; so are block devices and directories.
 * Character devices and FIFOs (/dev/stdout, /dev/null, a pipe to tshark) are written as is. */
FILE *
cp_pcapng_writer_create_file(const char *path, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
    struct stat st;

    if (fd < 0 && errno == ELOOP)
        return refuse(-1, path,
                      "is a symbolic link: refusing to follow it (remove it or name "
                      "the real file)",
                      error);
    if (fd < 0)
        return refuse(-1, path, g_strerror(errno), error);
    if (fstat(fd, &st) != 0)
        return refuse(fd, path, g_strerror(errno), error);
    if (S_ISREG(st.st_mode)) {
        if (st.st_nlink > 1)
            return refuse(fd, path,
                          "has other hard links: refusing to overwrite it (remove it "
                          "first)",
                          error);
        if (ftruncate(fd, 0) != 0)
            return refuse(fd, path, g_strerror(errno), error);
    } else if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        return refuse(fd, path,
                      "is not a regular file, a character device or a FIFO: refusing "
                      "to write into it",
                      error);
    }
    FILE *fp = fdopen(fd, "wb");
    if (fp == NULL)
        return refuse(fd, path, g_strerror(errno), error);
    return fp;
}

CpPcapngWriter *
cp_pcapng_writer_open(const char *path, const char *if_name, uint64_t limit_bytes, GError **error)
{
    FILE *fp = cp_pcapng_writer_create_file(path, error);

    if (fp == NULL)
        return NULL;
    CpPcapngWriter *w = g_new0(CpPcapngWriter, 1);
    w->fp = fp;
    w->path = g_strdup(path);
    w->if_name = g_strdup(if_name);
    w->limit = limit_bytes;
    w->block = g_byte_array_sized_new(2048);
    if (!write_shb(w, error) || !cp_pcapng_writer_flush(w, error)) {
        if (w->full)
            g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "%s: size limit too small", path);
        cp_pcapng_writer_close(w, NULL);
        return NULL;
    }
    return w;
}

bool
cp_pcapng_writer_add(CpPcapngWriter *w, const CpFrame *f, GError **error)
{
    if (w->stats.write_failed)
        return false;
    int id = w->full ? -1 : iface_of(w, f->linktype, error);
    if (id < 0) {
        if (!w->stats.write_failed)
            w->stats.over_limit++;
        return false;
    }
    GByteArray *b = w->block;
    block_begin(b, BT_EPB);
    put32(b, (uint32_t)id);
    put32(b, (uint32_t)(f->ts_ns >> 32));
    put32(b, (uint32_t)f->ts_ns);
    put32(b, f->caplen);
    put32(b, f->wirelen);
    g_byte_array_append(b, f->data, f->caplen);
    pad4(b);
    block_end(b);
    if (!emit(w, error)) {
        if (!w->stats.write_failed)
            w->stats.over_limit++;
        return false;
    }
    w->stats.written++;
    return true;
}

bool
cp_pcapng_writer_flush(CpPcapngWriter *w, GError **error)
{
    if (w->stats.write_failed)
        return false;
    if (fflush(w->fp) != 0)
        return write_failed(w, error);
    return true;
}

const CpPcapngStats *
cp_pcapng_writer_stats(const CpPcapngWriter *w)
{
    return &w->stats;
}

bool
cp_pcapng_writer_close(CpPcapngWriter *w, GError **error)
{
    if (w == NULL)
        return true;
    bool ok = cp_pcapng_writer_flush(w, error);
    if (fclose(w->fp) != 0 && ok) {
        ok = false;
        g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "%s: %s", w->path, g_strerror(errno));
    }
    g_byte_array_free(w->block, TRUE);
    g_free(w->path);
    g_free(w->if_name);
    g_free(w);
    return ok;
}
