/* SPDX-License-Identifier: BSD-2-Clause */
/* fileset: one input that stands for several capture files, read as one capture in time order.
 *
 * - A directory: every regular, non-hidden file in it that opens as a capture.
 * - A ring-buffer file set, named by what was given to the capturing tool:
 *     tcpdump -w NAME -C N [-W M]: NAME (without -W), then NAME1, NAME2 ... or, with -W,
 *       NAME0, NAME1 ... (digits zero-padded to the width of M-1);
 *     dumpcap/tshark -w STEM.EXT -b ...: STEM_NNNNN_YYYYMMDDhhmmss.EXT.
 *   The set is recognised when NAME does not exist but such siblings do, or when NAME exists
 *   and NAME1 does too (tcpdump -C without -W).
 * The files are sorted by the timestamp of their first packet (name as the tie-breaker, and
 * files without packets first), because a ring wraps: its numbers do not give the order. Each
 * file is opened once here, for its first frame only, and again when it is read.
 */
#include "capture/capture_private.h"

#include <string.h>

#include "base/error.h"

typedef struct Member {
    char *path;
    uint64_t first_ts;
    bool has_frame;
} Member;

static int
member_cmp(const void *a, const void *b)
{
    const Member *x = a, *y = b;

    if (x->has_frame != y->has_frame)
        return x->has_frame ? 1 : -1;
    if (x->has_frame && x->first_ts != y->first_ts)
        return x->first_ts < y->first_ts ? -1 : 1;
    return strcmp(x->path, y->path);
}

static bool
all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return false;
    }
    return true;
}

/* tcpdump: BASE + digits. dumpcap: STEM _ 5+ digits _ 14 digits EXT. */
static bool
is_ring_member(const char *name, const char *base, const char *stem, const char *ext)
{
    size_t bl = strlen(base), sl = strlen(stem), el = strlen(ext), nl = strlen(name);

    if (nl > bl && strncmp(name, base, bl) == 0 && all_digits(name + bl, nl - bl))
        return true;
    if (nl < sl + el + 1 + 5 + 1 + 14 || strncmp(name, stem, sl) != 0 || name[sl] != '_' ||
        strcmp(name + nl - el, ext) != 0)
        return false;
    const char *mid = name + sl + 1;
    size_t ml = nl - sl - 1 - el; /* NNNNN_YYYYMMDDhhmmss */
    const char *us = memchr(mid, '_', ml);
    return us != NULL && all_digits(mid, (size_t)(us - mid)) && us - mid >= 5 &&
           all_digits(us + 1, ml - (size_t)(us - mid) - 1) && ml - (size_t)(us - mid) - 1 == 14;
}

/* The siblings of input that form a ring-buffer set, or an empty array. */
static GPtrArray *
ring_members(const char *input)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *dir = g_path_get_dirname(input);
    g_autofree char *base = g_path_get_basename(input);
    const char *dot = strrchr(base, '.');
    g_autofree char *stem = g_strndup(base, dot != NULL ? (size_t)(dot - base) : strlen(base));
    const char *ext = dot != NULL ? dot : "";
    bool exists = g_file_test(input, G_FILE_TEST_EXISTS);
    GDir *d = g_dir_open(dir, 0, NULL);

    if (d == NULL)
        return out;
    bool has_one = false;
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        if (!is_ring_member(name, base, stem, ext))
            continue;
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        has_one |= strlen(name) == strlen(base) + 1 && name[strlen(base)] == '1';
        g_ptr_array_add(out, g_steal_pointer(&path));
    }
    g_dir_close(d);
    /* An existing file is a set only as tcpdump -C writes one: NAME, NAME1, NAME2 ... */
    if (exists) {
        if (!has_one || !g_file_test(input, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_set_size(out, 0);
        else
            g_ptr_array_insert(out, 0, g_strdup(input));
    }
    return out;
}

static GPtrArray *
dir_members(const char *input, GError **error)
{
    GDir *d = g_dir_open(input, 0, error);
    GPtrArray *out;

    if (d == NULL)
        return NULL;
    out = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        g_autofree char *path = g_build_filename(input, name, NULL);
        /* A key log beside its capture (certpath finds it there) is not a capture to skip. */
        if (name[0] != '.' && !g_str_has_suffix(name, ".keylog") &&
            g_file_test(path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(out, g_steal_pointer(&path));
    }
    g_dir_close(d);
    return out;
}

GPtrArray *
cp_capture_expand_input(const char *input, const CpLimits *limits, GPtrArray *skipped,
                        GError **error)
{
    bool is_dir = strcmp(input, "-") != 0 && g_file_test(input, G_FILE_TEST_IS_DIR);
    g_autoptr(GPtrArray) paths = NULL;

    if (is_dir) {
        paths = dir_members(input, error);
        if (paths == NULL)
            return NULL;
    } else if (strcmp(input, "-") != 0) {
        paths = ring_members(input);
    }
    if (is_dir && paths->len == 0) {
        /* Opened as one file it would be "too short to be a capture file": name what it is. */
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT,
                    "%s: is a directory with no files in it (a directory is read as the set of "
                    "capture files it holds)",
                    input);
        return NULL;
    }
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    if (paths == NULL || paths->len == 0) {
        g_ptr_array_add(out, g_strdup(input)); /* a plain file: opened, and judged, by the caller */
        return out;
    }
    GArray *members = g_array_new(FALSE, TRUE, sizeof(Member));
    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        GError *err = NULL;
        CpCapture *cap = cp_capture_open_file_full(path, limits, &err);
        if (cap == NULL) {
            /* A README or checksum file beside the captures: named, not fatal. */
            if (skipped != NULL)
                g_ptr_array_add(skipped, g_strdup(err->message));
            g_error_free(err);
            continue;
        }
        Member m = { .path = g_strdup(path) };
        CpFrame f;
        if (cp_capture_next(cap, &f, &err) == CP_CAPTURE_FRAME) {
            m.first_ts = f.ts_ns;
            m.has_frame = true;
        }
        g_clear_error(&err);
        cp_capture_free(cap);
        g_array_append_val(members, m);
    }
    if (members->len == 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_INPUT, "%s: %s holds no capture file", input,
                    is_dir ? "is a directory, and it" : "the file set");
        g_array_free(members, TRUE);
        g_ptr_array_unref(out);
        return NULL;
    }
    qsort(members->data, members->len, sizeof(Member), member_cmp);
    for (guint i = 0; i < members->len; i++)
        g_ptr_array_add(out, g_array_index(members, Member, i).path);
    g_array_free(members, TRUE);
    return out;
}
