/*
 * replay.c -- run a fuzz target over saved inputs without libFuzzer.
 *
 *   replay-<target> PATH...
 *
 * A PATH that is a file is one input; a directory contributes every file
 * in it (not recursively; names starting with '.' are skipped), in name
 * order.  Each input goes once through LLVMFuzzerTestOneInput.  Linked
 * with the normal build (gcc, the project's flags) by mk/fuzz.mk; `make
 * test` runs it over tests/fuzz/regress/<target> and
 * tests/fuzz/corpus/<target>, so every crasher ever found stays fixed.
 * A crash, a sanitizer report, a failed check or an exit() in the middle
 * of an input names that input on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

int main(int argc, char **argv);

static const char *replay_prog = "replay";
static const char *replay_current; /* the input running, for crash notes */

/* Name the input that crashed (signal handler, sanitizer death callback:
 * only write(2)). */
static void
replay_note(void)
{
    static const char what[] = ": failed on input ";

    if (replay_current == NULL)
        return;
    (void)!write(2, replay_prog, strlen(replay_prog));
    (void)!write(2, what, sizeof(what) - 1);
    (void)!write(2, replay_current, strlen(replay_current));
    (void)!write(2, "\n", 1);
}

static void
replay_signal(int sig)
{
    replay_note();
    raise(sig); /* SA_RESETHAND: the default action now */
}

/* A sanitizer build reports its own errors: have it name the input too.
 * Weak: absent (NULL) in a plain build. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void
replay_catch(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

    if (__sanitizer_set_death_callback != NULL)
        __sanitizer_set_death_callback(replay_note);
    atexit(replay_note); /* a library calling exit() mid-input */
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa, old;

        /* leave a sanitizer's own handler in place */
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
            continue;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = replay_signal;
        sa.sa_flags = (int)SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        (void)sigaction(sigs[i], &sa, NULL);
    }
}

/* Read a whole file into a malloc'd buffer of exactly its size (so a
 * read past the end is a heap overflow in a sanitizer build). */
static int
replay_read(const char *file, uint8_t **out, size_t *len)
{
    FILE *f = fopen(file, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return -1;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = kedr_xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    /* shrink to the exact size; a copy keeps 0 bytes a valid pointer */
    *out = kedr_xmalloc(n);
    if (n > 0)
        memcpy(*out, buf, n);
    free(buf);
    *len = n;
    return 0;
}

static int
replay_file(const char *file)
{
    uint8_t *data;
    size_t len;

    if (replay_read(file, &data, &len) != 0) {
        fprintf(stderr, "%s: cannot read \"%s\": %s\n", replay_prog, file,
                strerror(errno));
        return -1;
    }
    replay_current = file;
    LLVMFuzzerTestOneInput(data, len);
    replay_current = NULL;
    free(data);
    return 0;
}

static int
replay_skip_dot(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Replay every file in `dir`; returns the count, or -1. */
static int
replay_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, replay_skip_dot, alphasort), count = 0;

    if (n < 0) {
        fprintf(stderr, "%s: cannot list \"%s\": %s\n", replay_prog, dir,
                strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
        char *path = kedr_xmalloc(len);
        struct stat st;

        snprintf(path, len, "%s/%s", dir, names[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) != 0)
                count = -1;
            else if (count >= 0)
                count++;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return count;
}

int
main(int argc, char **argv)
{
    int total = 0, rc = 0;

    if (argc > 0) {
        const char *slash = strrchr(argv[0], '/');

        replay_prog = slash ? slash + 1 : argv[0];
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", replay_prog);
        return 2;
    }
    replay_catch();
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int n;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: \"%s\": %s\n", replay_prog, argv[i],
                    strerror(errno));
            rc = 1;
            continue;
        }
        n = S_ISDIR(st.st_mode) ? replay_dir(argv[i])
                                : (replay_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0)
            rc = 1;
        else
            total += n;
    }
    printf("%s: %d inputs replayed%s\n", replay_prog, total,
           rc ? ", some unreadable" : "");
    return rc;
}
