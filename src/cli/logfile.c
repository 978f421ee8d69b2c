/* SPDX-License-Identifier: BSD-2-Clause */
/* logfile: reopening -o FILE in place (logfile.h). dup2 onto the stream's own descriptor, not a
 * new FILE: the report, the live loop and run.c all hold the same FILE pointer. */
#include "cli/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static bool
refuse(int fd, const char *path, const char *why, GError **error)
{
    if (fd >= 0)
        close(fd);
    g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "cannot reopen %s on SIGHUP: %s", path, why);
    return false;
}

bool
cp_logfile_reopen(FILE *out, const char *path, GError **error)
{
    struct stat st;

    if (fflush(out) != 0)
        return refuse(-1, path, g_strerror(errno), error);
    /* Not truncated: logrotate's "create" may have made the file, and copytruncate keeps it.
     * Same refusals as when the file was first created (pcapng_writer.h): started as root,
     * certpath must not append to a file a link planted here points to. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        return refuse(-1, path,
                      errno == ELOOP ? "is a symbolic link: refusing to follow it"
                                     : g_strerror(errno),
                      error);
    if (fstat(fd, &st) != 0)
        return refuse(fd, path, g_strerror(errno), error);
    if (!S_ISREG(st.st_mode) || st.st_nlink > 1)
        return refuse(fd, path,
                      S_ISREG(st.st_mode) ? "has other hard links" : "is not a regular file",
                      error);
    int old = fileno(out);
    if (old < 0 || dup2(fd, old) < 0)
        return refuse(fd, path, g_strerror(errno), error);
    close(fd);
    clearerr(out);
    return true;
}
