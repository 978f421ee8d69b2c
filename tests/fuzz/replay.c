/* SPDX-License-Identifier: BSD-2-Clause */
/* replay: runs a fuzz target's LLVMFuzzerTestOneInput on files or on every file of directories,
 * without libFuzzer, so the committed corpus is a test in every build with any compiler (STYLE
 * R63, R64; libpcap testprogs/fuzz/onefile.c, Wireshark StandaloneFuzzTargetMain.c).
 * Usage: replay_<target> PATH... ; exit 1 when a file cannot be read or no input was replayed. */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

/* Runs one file from an exact-size heap copy, so a one-byte over-read is caught under ASan. */
static bool
replay_file(const char *path)
{
    gchar *contents = NULL;
    gsize len = 0;
    GError *err = NULL;

    if (!g_file_get_contents(path, &contents, &len, &err)) {
        fprintf(stderr, "replay: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    uint8_t *exact = g_malloc(len > 0 ? len : 1);
    memcpy(exact, contents, len);
    g_free(contents);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, (size_t)len);
    LLVMFuzzerTestOneInput(exact, len);
    g_free(exact);
    return true;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Replays every regular file of dir in name order (stable logs); returns false on error. */
static bool
replay_dir(const char *dir, unsigned *count)
{
    GError *err = NULL;
    GDir *d = g_dir_open(dir, 0, &err);
    if (d == NULL) {
        fprintf(stderr, "replay: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(paths, path);
        else
            g_free(path);
    }
    g_dir_close(d);
    g_ptr_array_sort(paths, compare_names);
    bool ok = true;
    for (guint i = 0; i < paths->len; i++) {
        ok = replay_file(g_ptr_array_index(paths, i)) && ok;
        (*count)++;
    }
    return ok;
}

int
main(int argc, char **argv)
{
    unsigned count = 0;
    bool ok = true;

    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            ok = replay_dir(argv[i], &count) && ok;
        } else {
            ok = replay_file(argv[i]) && ok;
            count++;
        }
    }
    printf("replayed %u input%s\n", count, count == 1 ? "" : "s");
    if (count == 0)
        fprintf(stderr, "replay: no input given or found\n");
    return ok && count > 0 ? 0 : 1;
}
