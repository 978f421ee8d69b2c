/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for output/pcapng_writer (-w): what it writes reads back through certpath's own
 * pcapng reader with nanosecond stamps and per-link-type interfaces; the limit is a hard bound
 * that never leaves half a block. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <glib.h>

#include "capture/capture.h"
#include "../harness.h"
#include "capture/pcapng_writer.h"

static char *
temp_path(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("cp-pcapng-XXXXXX", &path, NULL);

    if (fd >= 0)
        close(fd);
    return path;
}

static CpFrame
frame(uint64_t ts_ns, int linktype, const uint8_t *data, uint32_t len)
{
    CpFrame f = {
        .ts_ns = ts_ns, .caplen = len, .wirelen = len + 100, .linktype = linktype, .data = data
    };
    return f;
}

static void
frames_read_back_with_nanoseconds_and_link_types(void)
{
    g_autofree char *path = temp_path();
    uint8_t a[61], b[7];
    GError *err = NULL;

    memset(a, 0xA5, sizeof a);
    memset(b, 0x5A, sizeof b);
    CpPcapngWriter *w = cp_pcapng_writer_open(path, "veth0", 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CpFrame f1 = frame(1768471200123456789ull, 1, a, sizeof a);
    CpFrame f2 = frame(1768471201000000001ull, 101, b, sizeof b);
    CpFrame f3 = frame(1768471202999999999ull, 1, b, sizeof b);
    CU_ASSERT_TRUE(cp_pcapng_writer_add(w, &f1, &err));
    CU_ASSERT_TRUE(cp_pcapng_writer_add(w, &f2, &err));
    CU_ASSERT_TRUE(cp_pcapng_writer_add(w, &f3, &err));
    CU_ASSERT_EQUAL(cp_pcapng_writer_stats(w)->written, 3);
    CU_ASSERT_TRUE(cp_pcapng_writer_close(w, &err));

    CpCapture *c = cp_capture_open_file(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const CpFrame *want[] = { &f1, &f2, &f3 };
    for (int i = 0; i < 3; i++) {
        CpFrame got;
        CU_ASSERT_EQUAL_FATAL(cp_capture_next(c, &got, &err), CP_CAPTURE_FRAME);
        CU_ASSERT_EQUAL(got.ts_ns, want[i]->ts_ns);
        CU_ASSERT_EQUAL(got.linktype, want[i]->linktype);
        CU_ASSERT_EQUAL(got.caplen, want[i]->caplen);
        CU_ASSERT_EQUAL(got.wirelen, want[i]->wirelen);
        CU_ASSERT_EQUAL(memcmp(got.data, want[i]->data, got.caplen), 0);
    }
    CpFrame end;
    CU_ASSERT_EQUAL(cp_capture_next(c, &end, &err), CP_CAPTURE_END);
    cp_capture_free(c);
    g_clear_error(&err);
    unlink(path);
}

static void
limit_stops_whole_blocks_and_counts_the_rest(void)
{
    g_autofree char *path = temp_path();
    uint8_t a[200];
    GError *err = NULL;

    memset(a, 1, sizeof a);
    CpPcapngWriter *w = cp_pcapng_writer_open(path, NULL, 1024, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    unsigned ok = 0;
    for (int i = 0; i < 20; i++) {
        CpFrame f = frame(UINT64_C(1000000000) * (uint64_t)(i + 1), 1, a, sizeof a);
        ok += cp_pcapng_writer_add(w, &f, &err);
    }
    const CpPcapngStats *s = cp_pcapng_writer_stats(w);
    CU_ASSERT_TRUE(ok > 0 && ok < 20);
    CU_ASSERT_EQUAL(s->written, ok);
    CU_ASSERT_EQUAL(s->over_limit, 20 - ok);
    CU_ASSERT_TRUE(s->bytes <= 1024);
    CU_ASSERT_FALSE(s->write_failed);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_TRUE(cp_pcapng_writer_close(w, &err));

    /* The file is whole: every written frame reads back, then a clean end. */
    CpCapture *c = cp_capture_open_file(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CpFrame got;
    unsigned n = 0;
    while (cp_capture_next(c, &got, &err) == CP_CAPTURE_FRAME)
        n++;
    CU_ASSERT_EQUAL(n, ok);
    CU_ASSERT_PTR_NULL(err);
    cp_capture_free(c);
    g_clear_error(&err);
    unlink(path);
}

static void
open_in_missing_directory_fails_with_error(void)
{
    GError *err = NULL;
    CpPcapngWriter *w = cp_pcapng_writer_open("/nonexistent-dir/x.pcapng", NULL, 0, &err);

    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nonexistent-dir/x.pcapng") : NULL);
    g_clear_error(&err);
}

static void
write_error_reported_once(void)
{
    GError *err = NULL;
    uint8_t a[4096];

    if (access("/dev/full", W_OK) != 0)
        return; /* not on this system */
    memset(a, 0, sizeof a);
    CpPcapngWriter *w = cp_pcapng_writer_open("/dev/full", NULL, 0, &err);
    /* The header may still sit in stdio's buffer; the failure shows at a flush. */
    if (w == NULL) {
        CU_ASSERT_PTR_NOT_NULL(err);
        g_clear_error(&err);
        return;
    }
    bool failed = false;
    for (int i = 0; i < 64 && !failed; i++) {
        CpFrame f = frame(1, 1, a, sizeof a);
        failed = !cp_pcapng_writer_add(w, &f, &err) || !cp_pcapng_writer_flush(w, &err);
    }
    CU_ASSERT_TRUE(failed);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_TRUE(cp_pcapng_writer_stats(w)->write_failed);
    g_clear_error(&err);
    CpFrame f = frame(1, 1, a, sizeof a);
    CU_ASSERT_FALSE(cp_pcapng_writer_add(w, &f, &err));
    CU_ASSERT_PTR_NULL(err); /* said once */
    cp_pcapng_writer_close(w, NULL);
}

/* A file whose content must survive: the target of a planted link. */
static char *
victim(const char *dir)
{
    char *path = g_build_filename(dir, "victim", NULL);
    CU_ASSERT_TRUE(g_file_set_contents(path, "precious", -1, NULL));
    return path;
}

static void
victim_intact(const char *path)
{
    g_autofree char *got = NULL;
    CU_ASSERT_TRUE(g_file_get_contents(path, &got, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(got ? got : "", "precious");
}

static void
create_file_symlink_refused_target_intact(void)
{
    g_autofree char *dir = g_dir_make_tmp("cpw-XXXXXX", NULL);
    g_autofree char *target = victim(dir);
    g_autofree char *link = g_build_filename(dir, "out.pcapng", NULL);
    GError *err = NULL;

    CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
    CpPcapngWriter *w = cp_pcapng_writer_open(link, NULL, 0, &err);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "symbolic link") : NULL);
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, link) : NULL);
    victim_intact(target);
    g_clear_error(&err);
    unlink(link);
    unlink(target);
    rmdir(dir);
}

static void
create_file_hard_link_refused_target_intact(void)
{
    g_autofree char *dir = g_dir_make_tmp("cpw-XXXXXX", NULL);
    g_autofree char *target = victim(dir);
    g_autofree char *alias = g_build_filename(dir, "out.pcapng", NULL);
    GError *err = NULL;

    CU_ASSERT_EQUAL_FATAL(link(target, alias), 0);
    FILE *fp = cp_pcapng_writer_create_file(alias, &err);
    CU_ASSERT_PTR_NULL(fp);
    if (fp != NULL)
        fclose(fp);
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "hard links") : NULL);
    victim_intact(target);
    g_clear_error(&err);
    unlink(alias);
    unlink(target);
    rmdir(dir);
}

static void
create_file_existing_regular_file_truncated(void)
{
    g_autofree char *dir = g_dir_make_tmp("cpw-XXXXXX", NULL);
    g_autofree char *path = victim(dir);
    GError *err = NULL;

    FILE *fp = cp_pcapng_writer_create_file(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(fputs("new", fp) >= 0, true);
    CU_ASSERT_EQUAL(fclose(fp), 0);
    g_autofree char *got = NULL;
    CU_ASSERT_TRUE(g_file_get_contents(path, &got, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(got ? got : "", "new");
    unlink(path);
    rmdir(dir);
}

static void
create_file_directory_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("cpw-XXXXXX", NULL);
    GError *err = NULL;

    CU_ASSERT_PTR_NULL(cp_pcapng_writer_create_file(dir, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    rmdir(dir);
}

static CU_TestInfo tests[] = {
    { "create_file_symlink_refused_target_intact", create_file_symlink_refused_target_intact },
    { "create_file_hard_link_refused_target_intact", create_file_hard_link_refused_target_intact },
    { "create_file_existing_regular_file_truncated", create_file_existing_regular_file_truncated },
    { "create_file_directory_refused", create_file_directory_refused },
    { "frames_read_back_with_nanoseconds_and_link_types",
      frames_read_back_with_nanoseconds_and_link_types },
    { "limit_stops_whole_blocks_and_counts_the_rest",
      limit_stops_whole_blocks_and_counts_the_rest },
    { "open_in_missing_directory_fails_with_error", open_in_missing_directory_fails_with_error },
    { "write_error_reported_once", write_error_reported_once },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("pcapng_writer", tests, argc, argv);
}
