/* SPDX-License-Identifier: BSD-2-Clause */
/* runone: runs one program and writes its exit code, CPU time and peak RSS to a file.
 *
 * Why not measure from Python directly: Linux keeps ru_maxrss across execve (it is the
 * process's high-water mark, and the image being replaced counts), so a child spawned by a
 * 20 MiB Python reports at least 20 MiB whatever it really used. Forked from this small
 * program instead, the child starts from a ~1 MiB image and ru_maxrss is its own.
 *
 *   runone REPORT PROGRAM [ARG...]
 *
 * REPORT gets one line: "EXIT USER_S SYS_S MAXRSS_KIB WALL_S" (EXIT is 128+N for signal N).
 * stdin/stdout/stderr are the program's. Exit status: 0 when the line was written, else 125.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    struct rusage ru;
    int status;

    if (argc < 3) {
        fprintf(stderr, "usage: runone REPORT PROGRAM [ARG...]\n");
        return 125;
    }
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("runone: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("runone: exec");
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("runone: wait4");
        return 125;
    }
    double wall = now_s() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) {
        perror("runone: report");
        return 125;
    }
    fprintf(out, "%d %.6f %.6f %ld %.6f\n", code, tv_s(ru.ru_utime), tv_s(ru.ru_stime),
            ru.ru_maxrss, wall);
    return fclose(out) == 0 ? 0 : 125;
}
