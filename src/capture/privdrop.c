/* SPDX-License-Identifier: BSD-2-Clause */
/* privdrop: switch from root to an unprivileged user after the capture device is open.
 *
 * Order (as tcpdump's droproot()): look the user up while /etc is still readable; initgroups()
 * (drop root's supplementary groups), setgid(), then setuid() last since it removes the right
 * to do the other two. A setuid() from root clears every capability on Linux (no KEEPCAPS).
 * Then prove it: setuid(0) and seteuid(0) must both fail. Anything unexpected is fatal, never a
 * warning: going on as root after asking not to is the one outcome that must not happen.
 */
#include "capture/privdrop.h"

#include "base/error.h"

#ifndef _WIN32
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#endif
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#ifdef _WIN32

bool
cp_privdrop_is_root(void)
{
    return false;
}

bool
cp_privdrop_check(const char *user, bool allow_root, GError **error)
{
    (void)allow_root;
    if (user != NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                    "-Z is not supported on Windows (run certpath from an elevated prompt)");
        return false;
    }
    return true;
}

bool
cp_privdrop_apply(const char *user, bool allow_root, GError **error)
{
    return cp_privdrop_check(user, allow_root, error);
}

#else /* POSIX */

bool
cp_privdrop_is_root(void)
{
    return getuid() == 0 || geteuid() == 0;
}

bool
cp_privdrop_check(const char *user, bool allow_root, GError **error)
{
    if (!cp_privdrop_is_root() || user != NULL || allow_root)
        return true;
    g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                "refusing to capture as root: add -Z nobody to drop privileges once the device "
                "is open, or --allow-root to keep them");
    return false;
}

/* Removes every capability a non-root capture process may hold (e.g. CAP_NET_RAW given by
 * setcap): lowering one's own sets is always allowed. */
static bool
drop_capabilities(GError **error)
{
#ifdef __linux__
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];

    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "cannot drop capabilities: %s",
                    g_strerror(errno));
        return false;
    }
    /* No setuid binary or file capability exec'd later can give them back. */
    (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#else
    (void)error;
#endif
    return true;
}

static bool
fail(GError **error, const char *user, const char *what)
{
    g_set_error(error, CP_ERROR, CP_ERROR_USAGE, "cannot drop privileges to user \"%s\": %s%s%s",
                user, what, errno != 0 ? ": " : "", errno != 0 ? g_strerror(errno) : "");
    return false;
}

static bool
switch_user(const char *user, GError **error)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (pw == NULL)
        return fail(error, user, "no such user");
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (uid == 0) {
        errno = 0;
        return fail(error, user, "it is root (pick an unprivileged user, e.g. nobody)");
    }
    if (initgroups(user, gid) != 0)
        return fail(error, user, "initgroups");
    if (setgid(gid) != 0)
        return fail(error, user, "setgid");
    if (setuid(uid) != 0)
        return fail(error, user, "setuid");
    /* The proof: root must be out of reach now, for the real and the effective id. */
    if (setuid(0) == 0 || seteuid(0) == 0 || getuid() == 0 || geteuid() == 0 || getegid() != gid) {
        errno = 0;
        return fail(error, user, "root could be regained after setuid");
    }
    return drop_capabilities(error);
}

bool
cp_privdrop_apply(const char *user, bool allow_root, GError **error)
{
    if (!cp_privdrop_check(user, allow_root, error))
        return false;
    if (!cp_privdrop_is_root())
        return drop_capabilities(error);
    if (user == NULL)
        return true; /* --allow-root: the user asked to keep root */
    return switch_user(user, error);
}

#endif
