/*
 * sf_src.c -- where the files of a Salesforce data export are read from:
 * a folder of CSV files, a folder holding the export's zip files
 * (WE_00D..._1.ZIP, _2.ZIP, ...), or one zip file.
 *
 * Each call opens what it needs and keeps nothing: a member of a zip is
 * read through its own zip_t, closed with the FILE, so processes forked
 * to migrate objects side by side never share a libzip handle or a file
 * offset.  A zip member is a FILE of glibc's fopencookie: read errors
 * (a CRC mismatch, damaged deflate data, a truncated member, one longer
 * than its size) are printed with the zip's and the member's names and
 * make the FILE's ferror true, so the CSV reader fails the object instead
 * of ending it early.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "sf.h"

/* A member of a zip being read. */
struct src_member {
    zip_t *za;
    zip_file_t *zf;
    char *zip, *name; /* for messages */
    off64_t pos;      /* uncompressed bytes read so far */
    off64_t size;     /* the member's uncompressed size */
    bool failed;      /* a read failed (and said why): no more reads */
};

static void
src_fail(const char *zip, const char *member, const char *why)
{
    if (member != NULL)
        fprintf(stderr, "kedr migrate: cannot read \"%s\" in \"%s\": %s\n",
                member, zip, why);
    else
        fprintf(stderr, "kedr migrate: cannot read \"%s\": %s\n", zip, why);
}

/* libzip's message for an error code of zip_open. */
static void
src_fail_code(const char *zip, int code)
{
    zip_error_t ze;

    zip_error_init_with_code(&ze, code);
    src_fail(zip, NULL, zip_error_strerror(&ze));
    zip_error_fini(&ze);
}

/* Open a zip read-only, or NULL after printing why. */
static zip_t *
src_zip_open(const char *zip, int flags)
{
    int code = 0;
    zip_t *za = zip_open(zip, ZIP_RDONLY | flags, &code);

    if (za == NULL)
        src_fail_code(zip, code);
    return za;
}

static ssize_t
src_read(void *cookie, char *buf, size_t n)
{
    struct src_member *m = cookie;
    const char *why = NULL;
    zip_int64_t got;

    if (m->failed) {
        errno = EIO;
        return -1;
    }
    got = zip_fread(m->zf, buf, n);
    /* libzip hands out what the data inflates to, past the size the zip
     * states (its CRC check comes at the end): a member longer than its
     * size is damaged, and ftell never passes the size */
    if (got < 0)
        why = zip_file_strerror(m->zf);
    else if (got > m->size - m->pos)
        why = "the member is longer than its size";
    else if (got == 0 && n > 0 && m->pos != m->size)
        why = "the member ends early";
    if (why != NULL) {
        src_fail(m->zip, m->name, why);
        m->failed = true;
        errno = EIO;
        return -1;
    }
    m->pos += got;
    return (ssize_t)got;
}

/* Only ftell: the position in the uncompressed member. */
static int
src_seek(void *cookie, off64_t *offset, int whence)
{
    struct src_member *m = cookie;

    if (whence != SEEK_CUR || *offset != 0) {
        errno = ESPIPE;
        return -1;
    }
    *offset = m->pos;
    return 0;
}

static int
src_close(void *cookie)
{
    struct src_member *m = cookie;
    int ret = 0;

    if (m->zf != NULL && zip_fclose(m->zf) != 0)
        ret = -1;
    if (zip_close(m->za) != 0) {
        zip_discard(m->za);
        ret = -1;
    }
    free(m->zip);
    free(m->name);
    free(m);
    return ret;
}

/*
 * The member `name` (at the archive's root) of the zip `zip` as a FILE,
 * its uncompressed size in *size.  NULL with errno ENOENT when the zip
 * has no such member; NULL with errno EIO after printing why when the
 * zip or the member cannot be read.
 */
static FILE *
src_zip_member(const char *zip, const char *name, off_t *size)
{
    static const cookie_io_functions_t io = {
        .read = src_read,
        .seek = src_seek,
        .close = src_close,
    };
    struct src_member *m;
    zip_stat_t st;
    zip_int64_t idx;
    zip_t *za = src_zip_open(zip, 0);
    FILE *f;

    if (za == NULL) {
        errno = EIO;
        return NULL;
    }
    idx = zip_name_locate(za, name, 0);
    if (idx < 0) {
        zip_discard(za);
        errno = ENOENT;
        return NULL;
    }
    m = kedr_xmalloc(sizeof(*m));
    *m = (struct src_member){
        .za = za, .zip = kedr_xstrdup(zip), .name = kedr_xstrdup(name)};
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 ||
        (st.valid & ZIP_STAT_SIZE) == 0) {
        src_fail(zip, name, zip_strerror(za));
        goto fail;
    }
    m->size = (off64_t)st.size;
    m->zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (m->zf == NULL) {
        src_fail(zip, name, zip_strerror(za));
        goto fail;
    }
    f = fopencookie(m, "rb", io);
    if (f == NULL)
        kedr_oom();
    *size = (off_t)m->size;
    return f;
fail:
    (void)src_close(m);
    errno = EIO;
    return NULL;
}

static bool
src_is_zip_name(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && strcasecmp(name + n - 4, ".zip") == 0;
}

static int
src_zip_filter(const struct dirent *d)
{
    return d->d_name[0] != '.' && src_is_zip_name(d->d_name);
}

/* A folder: its own file `name`, else the first of its zips (by name,
 * numbers in names compared as numbers: _2 before _10) that has it. */
static FILE *
src_dir_open(const char *dir, const char *name, off_t *size)
{
    struct dirent **zips = NULL;
    struct stat st;
    char *path = NULL;
    FILE *f;
    int n, err = ENOENT;

    if (asprintf(&path, "%s/%s", dir, name) < 0)
        kedr_oom();
    f = fopen(path, "rb");
    if (f != NULL) {
        *size = fstat(fileno(f), &st) == 0 ? st.st_size : 0;
        free(path);
        return f;
    }
    if (errno != ENOENT) {
        err = errno;
        src_fail(path, NULL, strerror(err));
        free(path);
        errno = err;
        return NULL;
    }
    free(path);
    n = scandir(dir, &zips, src_zip_filter, versionsort);
    if (n < 0) {
        err = errno;
        src_fail(dir, NULL, strerror(err));
        errno = err;
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (f == NULL && err == ENOENT) {
            if (asprintf(&path, "%s/%s", dir, zips[i]->d_name) < 0)
                kedr_oom();
            f = src_zip_member(path, name, size);
            if (f == NULL)
                err = errno;
            free(path);
        }
        free(zips[i]);
    }
    free(zips);
    errno = f != NULL ? 0 : err;
    return f;
}

int
kedr_sf_src_check(const char *path)
{
    struct stat st;
    zip_t *za;

    if (stat(path, &st) != 0) {
        src_fail(path, NULL, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (access(path, R_OK | X_OK) != 0) {
            src_fail(path, NULL, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        src_fail(path, NULL, "neither a folder nor a zip file");
        return -1;
    }
    za = src_zip_open(path, ZIP_CHECKCONS);
    if (za == NULL)
        return -1;
    zip_discard(za);
    return 0;
}

FILE *
kedr_sf_src_open(const char *path, const char *name, off_t *size)
{
    struct stat st;

    *size = 0;
    if (stat(path, &st) != 0) {
        int err = errno;

        src_fail(path, NULL, strerror(err));
        errno = err == ENOENT ? EIO : err; /* the export, not the file */
        return NULL;
    }
    if (S_ISDIR(st.st_mode))
        return src_dir_open(path, name, size);
    return src_zip_member(path, name, size);
}

int
kedr_sf_src_drain(FILE *f)
{
    char buf[16384];

    while (fread(buf, 1, sizeof(buf), f) > 0)
        ;
    return ferror(f) ? -1 : 0;
}
