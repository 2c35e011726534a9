/*
 * sf_zip.c -- fuzz the reading of a Salesforce export's zip file
 * (sf_src.c: libzip under a glibc fopencookie FILE): the input bytes are
 * the zip.
 *
 * They are written to export.zip in a folder of this process's own
 * (mkdtemp, made once, removed at exit), because the entry points take a
 * path and that path (stat, zip_open on a file, a folder's scandir) is
 * what the import runs; a buffer source would fuzz another opening.
 * Then kedr_sf_src_check on the zip and on the folder, and
 * kedr_sf_src_open of Account.csv and of a file the export does not name,
 * each twice: from the zip, read to the end through the CSV reader
 * (kedr_csv_init_file / kedr_csv_next, as sf_migrate.c) and drained
 * (kedr_sf_src_drain), and from the folder holding it, read raw.
 *
 * Oracles: a NULL says ENOENT or EIO with a size of 0, and ENOENT for a
 * missing member of a zip kedr_sf_src_check accepts; the folder gives
 * what the zip gives (same errno, same size, same count of bytes, same
 * read error); ftell
 * is the count of bytes read and, after a read to the end without a read
 * error, the size reported; a read error (ferror) means the CSV reader
 * returned -1, never a clean end; records' lines go forward; fclose says
 * 0 when no read failed.  Leaks fail the run (LSan).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "fuzz.h"
#include "sf.h"

static char fuzz_dir[] = "/tmp/kedr-fuzz-sf_zip-XXXXXX";
static char fuzz_zip[sizeof(fuzz_dir) + sizeof("/export.zip")];

static void
fuzz_cleanup(void)
{
    (void)unlink(fuzz_zip);
    (void)rmdir(fuzz_dir);
}

/* The folder and the zip's path, once per process. */
static void
fuzz_setup(void)
{
    if (fuzz_zip[0] != '\0')
        return;
    FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL);
    snprintf(fuzz_zip, sizeof(fuzz_zip), "%s/export.zip", fuzz_dir);
    atexit(fuzz_cleanup);
}

static void
fuzz_write(const uint8_t *data, size_t size)
{
    FILE *f = fopen(fuzz_zip, "wb");

    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
}

/* What one opening gave. */
struct fuzz_open {
    bool opened;
    int err;     /* errno when not opened */
    off_t size;  /* what kedr_sf_src_open reported */
    long bytes;  /* read to the end (or to the read error) */
    bool failed; /* ferror */
    int csv;     /* kedr_csv_next's last result (the CSV pass only) */
};

/* Closing: 0 unless a read failed (libzip reports a member's error). */
static void
fuzz_close(FILE *f, bool failed)
{
    int rc = fclose(f);

    FUZZ_CHECK(failed || rc == 0);
}

/* A NULL from kedr_sf_src_open: its errno and size. */
static void
fuzz_null(struct fuzz_open *o, int err, off_t size)
{
    o->opened = false;
    o->err = err;
    FUZZ_CHECK(err == ENOENT || err == EIO);
    FUZZ_CHECK(size == 0);
}

/* Open `name` from the zip and read it as sf_migrate.c does. */
static void
fuzz_csv(const char *name, struct fuzz_open *o)
{
    struct kedr_csv_rec rec;
    struct kedr_csv c;
    struct kedr_arena a;
    unsigned last = 0;
    long pos;
    FILE *f;

    o->size = -1;
    f = kedr_sf_src_open(fuzz_zip, name, &o->size);
    if (f == NULL) {
        fuzz_null(o, errno, o->size);
        return;
    }
    o->opened = true;
    FUZZ_CHECK(o->size >= 0);
    FUZZ_CHECK(ftell(f) == 0);
    kedr_arena_init(&a);
    kedr_csv_init_file(&c, f, ',');
    while ((o->csv = kedr_csv_next(&c, &a, &rec)) == 1) {
        FUZZ_CHECK(rec.line > last);
        FUZZ_CHECK(rec.n >= 1 && rec.n <= KEDR_CSV_MAX_CELLS);
        last = rec.line;
        pos = ftell(f);
        FUZZ_CHECK(pos >= 0 && pos <= o->size);
        kedr_arena_clear(&a);
    }
    kedr_csv_release(&c);
    kedr_arena_release(&a);
    FUZZ_CHECK(o->csv == 0 || o->csv == -1);
    /* a read error is never a clean end */
    FUZZ_CHECK(!ferror(f) || o->csv == -1);
    if (o->csv == 0) {
        FUZZ_CHECK(!ferror(f) && feof(f));
        FUZZ_CHECK(ftell(f) == (long)o->size);
    }
    /* as the import does after a CSV error: the rest, for its errors */
    if (kedr_sf_src_drain(f) != 0) {
        FUZZ_CHECK(ferror(f));
        FUZZ_CHECK(o->csv == -1);
    } else {
        FUZZ_CHECK(!ferror(f) && feof(f));
    }
    o->failed = ferror(f) != 0;
    pos = ftell(f);
    FUZZ_CHECK(pos >= 0 && pos <= (long)o->size);
    if (!o->failed)
        FUZZ_CHECK(pos == (long)o->size);
    o->bytes = pos;
    fuzz_close(f, o->failed);
}

/* Open `name` from the folder holding the zip and read it raw. */
static void
fuzz_raw(const char *name, struct fuzz_open *o)
{
    char buf[4096];
    size_t got;
    FILE *f;

    o->size = -1;
    f = kedr_sf_src_open(fuzz_dir, name, &o->size);
    if (f == NULL) {
        fuzz_null(o, errno, o->size);
        return;
    }
    o->opened = true;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        o->bytes += (long)got;
        FUZZ_CHECK(ftell(f) == o->bytes);
        FUZZ_CHECK(o->bytes <= (long)o->size);
    }
    o->failed = ferror(f) != 0;
    FUZZ_CHECK(o->failed || feof(f));
    FUZZ_CHECK(ftell(f) == o->bytes);
    if (!o->failed)
        FUZZ_CHECK(o->bytes == (long)o->size);
    /* reads after a failure keep failing; the position stays */
    if (o->failed)
        FUZZ_CHECK(kedr_sf_src_drain(f) == -1 && ftell(f) == o->bytes);
    fuzz_close(f, o->failed);
}

/* Whether the zip (libzip opens it) has a member `name`. */
static bool
fuzz_has(const char *name)
{
    zip_t *za = zip_open(fuzz_zip, ZIP_RDONLY, NULL);
    bool has;

    FUZZ_CHECK(za != NULL);
    has = zip_name_locate(za, name, 0) >= 0;
    zip_discard(za);
    return has;
}

/* `name` both ways; `valid`: kedr_sf_src_check took the zip. */
static void
fuzz_member(const char *name, bool valid, bool missing)
{
    struct fuzz_open z = {0}, d = {0};

    fuzz_csv(name, &z);
    fuzz_raw(name, &d);
    FUZZ_CHECK(z.opened == d.opened);
    if (!z.opened) {
        FUZZ_CHECK(z.err == d.err);
        if (valid && missing && z.err != ENOENT)
            FUZZ_CHECK(fuzz_has(name)); /* the input named it after all */
        return;
    }
    FUZZ_CHECK(z.size == d.size);
    FUZZ_CHECK(z.failed == d.failed);
    if (!z.failed)
        FUZZ_CHECK(z.bytes == d.bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool valid;

    fuzz_quiet();
    fuzz_setup();
    fuzz_write(data, size);
    valid = kedr_sf_src_check(fuzz_zip) == 0;
    FUZZ_CHECK(kedr_sf_src_check(fuzz_dir) == 0);
    fuzz_member("Account.csv", valid, false);
    fuzz_member("Not_In_The_Export__c.csv", valid, true);
    return 0;
}
