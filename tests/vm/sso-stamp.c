/* sso-stamp - put the time of arrival in front of every line (test guest)
 *
 * In the test guest the output of the single sign-on actors (spice-vdagentd,
 * syslogd, the greeter emulator) goes through a bash filter that turns it
 * into console markers (/usr/lib/spice-sso/sso-events). Under TCG that filter
 * takes a few milliseconds per line, and during a login the lines come in
 * bursts, so a marker stamped when bash gets to its line can be hundreds of
 * milliseconds late. This program sits between the actor and the filter,
 * blocked in read() until the actor writes, and writes each line as
 *     @<CLOCK_REALTIME microseconds> <line>
 * at once; sso-events stamps the marker with that time (and the same offset
 * to CLOCK_BOOTTIME as every other marker).
 *
 *   ACTOR | sso-stamp | sso-events TAG
 *
 * Lines longer than the buffer are cut into pieces, each stamped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(void)
{
    char in[4096], line[4096], out[4200];
    size_t have = 0;
    long long stamp = -1; /* time the first byte of the current line came */

    for (;;) {
        ssize_t r = read(STDIN_FILENO, in, sizeof(in));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long now = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        for (ssize_t i = 0; i < r; i++) {
            if (stamp < 0) {
                stamp = now;
            }
            int end = in[i] == '\n';
            if (!end) {
                line[have++] = in[i];
            }
            if (end || have == sizeof(line) - 1) {
                int n = snprintf(out, sizeof(out), "@%lld %.*s\n", stamp, (int)have, line);
                if (n < 0 || write_all(out, (size_t)n) < 0) {
                    return 1;
                }
                have = 0;
                stamp = -1;
            }
        }
    }
    if (have > 0) {
        int n = snprintf(out, sizeof(out), "@%lld %.*s\n", stamp, (int)have, line);
        if (n > 0) {
            write_all(out, (size_t)n);
        }
    }
    return 0;
}
