/* SPDX-License-Identifier: BSD-2-Clause */
/* export_pem: PEM is base64 of the DER in 64-column lines (RFC 7468 §2); GLib does the base64, so
 * no OpenSSL is needed in the output layer. */
#include "output/export_pem.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "base/error.h"

static bool
fail(GError **error, const char *dir, const char *why, const char *detail)
{
    g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "--export-certs %s: %s%s%s", dir, why,
                detail != NULL ? ": " : "", detail != NULL ? detail : "");
    return false;
}

/* Whether uid:gid may create files in a directory of this mode and owner (its primary group
 * only: supplementary groups are not consulted, so a directory shared through one is refused). */
static bool
writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
    if (uid == 0)
        return true;
    if (st->st_uid == uid)
        return (st->st_mode & (S_IWUSR | S_IXUSR)) == (S_IWUSR | S_IXUSR);
    if (st->st_gid == gid)
        return (st->st_mode & (S_IWGRP | S_IXGRP)) == (S_IWGRP | S_IXGRP);
    return (st->st_mode & (S_IWOTH | S_IXOTH)) == (S_IWOTH | S_IXOTH);
}

/* Only the last component is created: as root, creating missing parents would build folders
 * anywhere a typo points. A directory made for -Z USER is handed to that user before privileges
 * drop, and an existing one that user cannot write to is refused now, before the capture starts,
 * instead of exporting nothing and saying so at the end. */
bool
cp_export_prepare(const char *dir, const char *user, GError **error)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    bool created = false;
    struct stat st;

    if (user != NULL && uid == 0) {
        errno = 0;
        struct passwd *pw = getpwnam(user);
        if (pw == NULL)
            return fail(error, dir, "no such user for -Z", user);
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    if (g_mkdir(dir, 0755) == 0)
        created = true;
    else if (errno == ENOENT)
        return fail(error, dir, "its parent directory does not exist (create it first)", NULL);
    else if (errno != EEXIST)
        return fail(error, dir, "cannot create directory", g_strerror(errno));
    if (lstat(dir, &st) != 0)
        return fail(error, dir, "cannot inspect directory", g_strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return fail(error, dir,
                    S_ISLNK(st.st_mode) ? "is a symbolic link: refusing to follow it"
                                        : "exists and is not a directory",
                    NULL);
    if (created && uid != geteuid()) {
        if (lchown(dir, uid, gid) != 0)
            return fail(error, dir, "cannot give the directory to the -Z user", g_strerror(errno));
        st.st_uid = uid;
        st.st_gid = gid;
    }
    if (!writable_by(&st, uid, gid))
        return fail(error, dir,
                    user != NULL && geteuid() == 0
                            ? "the -Z user cannot write to it (chown it to that user or pick "
                              "another directory)"
                            : "not writable",
                    NULL);
    return true;
}

bool
cp_export_pem(const char *dir, const CpCert *c, GError **error)
{
    g_autofree char *b64 = g_base64_encode(c->der, c->der_len);
    g_autofree char *name = g_strdup_printf("%s.pem", c->sha1);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GString *pem = g_string_new("-----BEGIN CERTIFICATE-----\n");
    size_t n = strlen(b64);

    for (size_t i = 0; i < n; i += 64) {
        g_string_append_len(pem, b64 + i, (gssize)(n - i < 64 ? n - i : 64));
        g_string_append_c(pem, '\n');
    }
    g_string_append(pem, "-----END CERTIFICATE-----\n");
    bool ok = g_file_set_contents(path, pem->str, (gssize)pem->len, error);
    g_string_free(pem, TRUE);
    return ok;
}
