/*
 * testdata.h -- data-driven parser cases for the unit tests.
 *
 * A case is a folder tests/data/<parser>/<case>/ holding two files:
 *   input     the bytes given to the parser; one trailing "\n" is dropped
 *             so editors may end the file with a newline (write two to
 *             give the parser one).  NUL bytes are allowed.
 *   expected  what the test renders from the parser's result; trailing
 *             newlines are ignored on both sides.
 * Adding a case adds files, not code.  Each parser's rendering is
 * described in tests/data/README.md.
 *
 * The data folder is $KEDR_TEST_DATA when set, else tests/data relative to
 * the current directory (tools/test.sh runs from the repo root), else
 * tests/data found from the test binary's path (<root>/<B>/tests/unit/x).
 *
 * Only for inclusion by tests/unit/test_*.c, after cmocka.h.
 */
#ifndef KEDR_TESTDATA_H
#define KEDR_TESTDATA_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Render one case's parser output: malloc'd text (the caller frees). */
typedef char *(*testdata_run_pt)(const char *input, size_t len);

static inline bool
testdata_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The data folder (see above), in static storage. */
static inline const char *
testdata_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("KEDR_TEST_DATA");
    char exe[PATH_MAX];
    ssize_t n;

    if (env != NULL && *env != '\0')
        return env;
    if (testdata_is_dir("tests/data"))
        return "tests/data";
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        /* strip "/test_x", "/unit", "/tests", "/<B>" */
        for (int i = 0; i < 4; i++) {
            char *slash = strrchr(exe, '/');

            if (slash == NULL)
                break;
            *slash = '\0';
        }
        if (snprintf(dir, sizeof(dir), "%s/tests/data", exe) <
                (int)sizeof(dir) &&
            testdata_is_dir(dir))
            return dir;
    }
    return "tests/data";
}

/* A file of the repository by its path from the root
 * ("conf/import/salesforce.conf"), found from the data folder: static
 * storage, overwritten by the next call. */
static inline const char *
testdata_repo_file(const char *rel)
{
    static char path[PATH_MAX + 64];
    int n = snprintf(path, sizeof(path), "%s/../../%s", testdata_dir(), rel);

    return n > 0 && (size_t)n < sizeof(path) ? path : "";
}

/* A whole file, NUL-terminated, malloc'd; NULL when it cannot be read. */
static inline char *
testdata_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap + 1);
            if (buf == NULL)
                abort();
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

static inline void
testdata_chomp(char *s, size_t *len, bool all)
{
    while (*len > 0 && s[*len - 1] == '\n') {
        s[--*len] = '\0';
        if (!all)
            break;
    }
}

static inline int
testdata_select(const struct dirent *de)
{
    return de->d_name[0] != '.';
}

/*
 * Run every case of `parser` through `run` and compare with its expected
 * file; print each mismatch.  Fails the current test on any mismatch, a
 * case without its files, or no cases at all.
 */
static inline void
testdata_run(const char *parser, testdata_run_pt run)
{
    char base[PATH_MAX];
    struct dirent **names;
    int n, failed = 0, ran = 0;

    if (snprintf(base, sizeof(base), "%s/%s", testdata_dir(), parser) >=
        (int)sizeof(base))
        fail_msg("data path too long");
    n = scandir(base, &names, testdata_select, alphasort);
    if (n < 0)
        fail_msg("cannot read the cases in \"%s\" (set KEDR_TEST_DATA)", base);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX + 300];
        char *input, *expected, *actual;
        size_t ilen = 0, elen = 0, alen;

        snprintf(path, sizeof(path), "%s/%s/input", base, names[i]->d_name);
        input = testdata_read(path, &ilen);
        snprintf(path, sizeof(path), "%s/%s/expected", base, names[i]->d_name);
        expected = testdata_read(path, &elen);
        if (input == NULL || expected == NULL) {
            print_error("%s/%s: missing input or expected\n", parser,
                        names[i]->d_name);
            failed++;
            free(input);
            free(expected);
            free(names[i]);
            continue;
        }
        testdata_chomp(input, &ilen, false);
        testdata_chomp(expected, &elen, true);
        actual = run(input, ilen);
        alen = strlen(actual);
        testdata_chomp(actual, &alen, true);
        if (strcmp(actual, expected) != 0) {
            print_error("%s/%s: mismatch\n--- expected\n%s\n--- actual\n"
                        "%s\n---\n",
                        parser, names[i]->d_name, expected, actual);
            failed++;
        }
        ran++;
        free(actual);
        free(input);
        free(expected);
        free(names[i]);
    }
    free(names);
    print_message("%s: %d cases, %d failed\n", parser, ran, failed);
    if (ran == 0 || failed > 0)
        fail_msg("%s: %d of %d cases failed", parser, failed, n);
}

#endif /* KEDR_TESTDATA_H */
