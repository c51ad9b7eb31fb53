/* check.h - minimal assertions for our unit tests: every failure names the
 * file, line and both values, and the test keeps going so one run shows all
 * failures. main() returns check_status(). */
#ifndef SSO_CHECK_H
#define SSO_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

#define CHECK_INT(got, want)                                                           \
    do {                                                                               \
        long long g_ = (long long)(got), w_ = (long long)(want);                       \
        if (g_ != w_) {                                                                \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,      \
                    __LINE__, #got, g_, #want, w_);                                    \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

#define CHECK_STR(got, want)                                                           \
    do {                                                                               \
        const char *g_ = (got), *w_ = (want);                                          \
        if (g_ == NULL || strcmp(g_, w_) != 0) {                                       \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,        \
                    __LINE__, #got, g_ ? g_ : "(null)", w_);                           \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

#define CHECK_MEM(got, want, n) CHECK(memcmp((got), (want), (n)) == 0)

static inline int check_status(const char *name)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
