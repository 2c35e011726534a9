/*
 * test_sf_src.c -- migrate/salesforce/sf_src.c: an export's files read from a
 * folder, from the zips in a folder, or from one zip (built here with libzip's
 * writing API in a temporary folder); a missing file, a folder's own file
 * winning over a zip's, and damaged zips failing cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "sf.h"

#define BIG_ROWS 12000 /* ≈ 860 KiB: many reads of the 64 KiB window */

struct src_state {
    char dir[64];
    char *big; /* a large CSV member */
    size_t big_len;
};

static int
src_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int
src_setup(void **state)
{
    struct src_state *s = calloc(1, sizeof(*s));
    size_t cap = (size_t)BIG_ROWS * 96, len = 0;

    if (s == NULL)
        return -1;
    snprintf(s->dir, sizeof(s->dir), "/tmp/kedr-sf-src-XXXXXX");
    s->big = malloc(cap);
    if (s->big == NULL || mkdtemp(s->dir) == NULL) {
        free(s->big);
        free(s);
        return -1;
    }
    len += (size_t)snprintf(s->big, cap, "\"Id\",\"Name\",\"Phone\"\n");
    for (unsigned i = 0; i < BIG_ROWS; i++)
        len += (size_t)snprintf(s->big + len, cap - len,
                                "\"001%015u\",\"ООО Ромашка %u\",\"8 (495) "
                                "%03u-%02u-%02u\"\n",
                                i * 7919u, i, (i * 31u) % 1000, i % 100,
                                (i * 17u) % 100);
    assert_true(len < cap);
    s->big_len = len;
    *state = s;
    return 0;
}

static int
src_teardown(void **state)
{
    struct src_state *s = *state;

    nftw(s->dir, src_rm, 8, FTW_DEPTH | FTW_PHYS);
    free(s->big);
    free(s);
    return 0;
}

/* The path of `name` in the test's folder (a static buffer per slot). */
static const char *
src_path(struct src_state *s, int slot, const char *name)
{
    static char buf[4][256];

    snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", s->dir, name);
    return buf[slot];
}

/* A zip at `path` with n members (deflate). */
static void
src_write_zip(const char *path, size_t n, const char *const *names,
              const char *const *data, const size_t *lens)
{
    int err = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);

    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, data[i], lens[i], 0);
        zip_int64_t idx;

        assert_non_null(src);
        idx = zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8);
        assert_true(idx >= 0);
        assert_int_equal(
            zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9),
            0);
    }
    assert_int_equal(zip_close(za), 0);
}

static void
src_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Everything f gives (NUL-terminated, malloc'd); *failed: ferror. */
static char *
src_read_all(FILE *f, size_t *len, bool *failed)
{
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap + 1);

    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *more = realloc(buf, cap * 2 + 1);

            assert_non_null(more);
            buf = more;
            cap *= 2;
        }
    }
    buf[n] = '\0';
    *len = n;
    *failed = ferror(f) != 0;
    return buf;
}

/* The text of `name` from `path` (must be found and read whole). */
static char *
src_text(const char *path, const char *name)
{
    off_t size = -1;
    FILE *f = kedr_sf_src_open(path, name, &size);
    size_t len;
    bool failed;
    char *text;

    assert_non_null(f);
    text = src_read_all(f, &len, &failed);
    assert_false(failed);
    assert_int_equal((size_t)size, len);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void
test_zip_member(void **state)
{
    struct src_state *s = *state;
    const char *names[] = {"Account.csv", "Big.csv"};
    const char *data[] = {"\"Id\"\n\"001\"\n", s->big};
    size_t lens[] = {strlen(data[0]), s->big_len}, len, half;
    const char *zip = src_path(s, 0, "WE_00D000000000001_1.ZIP");
    off_t size = -1;
    FILE *f;
    char *text, *buf;
    bool failed;

    src_write_zip(zip, 2, names, data, lens);
    assert_int_equal(kedr_sf_src_check(zip), 0);

    text = src_text(zip, "Account.csv");
    assert_string_equal(text, data[0]);
    free(text);

    /* the large member, byte-exact, and ftell in uncompressed bytes */
    f = kedr_sf_src_open(zip, "Big.csv", &size);
    assert_non_null(f);
    assert_int_equal((size_t)size, s->big_len);
    half = s->big_len / 2;
    buf = malloc(half);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, half, f), half);
    assert_memory_equal(buf, s->big, half);
    assert_int_equal(ftell(f), (long)half);
    free(buf);
    text = src_read_all(f, &len, &failed);
    assert_false(failed);
    assert_int_equal(len, s->big_len - half);
    assert_memory_equal(text, s->big + half, len);
    assert_int_equal(ftell(f), (long)s->big_len);
    free(text);
    assert_int_equal(fclose(f), 0);
}

static void
test_missing(void **state)
{
    struct src_state *s = *state;
    const char *names[] = {"Account.csv"};
    const char *data[] = {"\"Id\"\n"};
    size_t lens[] = {5};
    const char *zip = src_path(s, 0, "export.zip");
    off_t size;

    /* a folder without zips */
    errno = 0;
    assert_null(kedr_sf_src_open(s->dir, "Contact.csv", &size));
    assert_int_equal(errno, ENOENT);

    src_write_zip(zip, 1, names, data, lens);
    errno = 0;
    assert_null(kedr_sf_src_open(zip, "Contact.csv", &size));
    assert_int_equal(errno, ENOENT);
    /* a folder of a zip that does not hold it */
    errno = 0;
    assert_null(kedr_sf_src_open(s->dir, "Contact.csv", &size));
    assert_int_equal(errno, ENOENT);
}

static void
test_folder_wins(void **state)
{
    struct src_state *s = *state;
    const char *names[] = {"Account.csv", "Contact.csv"};
    const char *data[] = {"from the zip\n", "contact in the zip\n"};
    size_t lens[] = {strlen(data[0]), strlen(data[1])};
    char *text;

    src_write_zip(src_path(s, 0, "WE_1.ZIP"), 2, names, data, lens);
    src_write_file(src_path(s, 1, "Account.csv"), "from the folder\n");
    assert_int_equal(kedr_sf_src_check(s->dir), 0);

    text = src_text(s->dir, "Account.csv");
    assert_string_equal(text, "from the folder\n");
    free(text);
    text = src_text(s->dir, "Contact.csv");
    assert_string_equal(text, "contact in the zip\n");
    free(text);
}

static void
test_two_zips(void **state)
{
    struct src_state *s = *state;
    const char *n1[] = {"Account.csv", "Task.csv"};
    const char *d1[] = {"accounts\n", "tasks of _2\n"};
    const char *n2[] = {"Big.csv"};
    const char *d2[] = {s->big};
    const char *n3[] = {"Task.csv"};
    const char *d3[] = {"tasks of _10\n"};
    size_t l1[] = {strlen(d1[0]), strlen(d1[1])}, l2[] = {s->big_len},
           l3[] = {strlen(d3[0])};
    char *text;

    src_write_zip(src_path(s, 0, "WE_00D_2.ZIP"), 2, n1, d1, l1);
    src_write_zip(src_path(s, 1, "WE_00D_3.zip"), 1, n2, d2, l2);
    src_write_zip(src_path(s, 2, "WE_00D_10.ZIP"), 1, n3, d3, l3);
    src_write_file(src_path(s, 3, "notes.txt"), "not an export file\n");

    text = src_text(s->dir, "Account.csv");
    assert_string_equal(text, "accounts\n");
    free(text);
    text = src_text(s->dir, "Big.csv");
    assert_memory_equal(text, s->big, s->big_len);
    free(text);
    /* in two zips: name order, numbers as numbers (_2 before _10) */
    text = src_text(s->dir, "Task.csv");
    assert_string_equal(text, "tasks of _2\n");
    free(text);
}

static void
test_check(void **state)
{
    struct src_state *s = *state;
    const char *text = src_path(s, 0, "notes.zip");

    assert_int_equal(kedr_sf_src_check(s->dir), 0);
    assert_int_equal(kedr_sf_src_check(src_path(s, 1, "none")), -1);
    src_write_file(text, "not a zip at all\n");
    assert_int_equal(kedr_sf_src_check(text), -1);
    assert_int_equal(kedr_sf_src_check("/dev/null"), -1);
}

/* A truncated zip: refused by the check, an error (not ENOENT) on open,
 * in a folder too. */
static void
test_truncated(void **state)
{
    struct src_state *s = *state;
    const char *names[] = {"Big.csv"};
    const char *data[] = {s->big};
    size_t lens[] = {s->big_len};
    const char *zip = src_path(s, 0, "WE_1.ZIP");
    struct stat st;
    off_t size;

    src_write_zip(zip, 1, names, data, lens);
    assert_int_equal(stat(zip, &st), 0);
    assert_int_equal(truncate(zip, st.st_size / 2), 0);

    assert_int_equal(kedr_sf_src_check(zip), -1);
    errno = 0;
    assert_null(kedr_sf_src_open(zip, "Big.csv", &size));
    assert_true(errno != 0 && errno != ENOENT);
    errno = 0;
    assert_null(kedr_sf_src_open(s->dir, "Big.csv", &size));
    assert_true(errno != 0 && errno != ENOENT);
}

/* Damaged compressed data: the member opens, reading it fails (ferror),
 * whatever libzip finds first (a zlib error or the CRC). */
static void
test_damaged_data(void **state)
{
    struct src_state *s = *state;
    const char *names[] = {"Big.csv"};
    const char *data[] = {s->big};
    size_t lens[] = {s->big_len}, len;
    const char *zip = src_path(s, 0, "WE_1.ZIP");
    struct stat st;
    off_t size;
    FILE *f;
    char *text;
    bool failed;
    unsigned char b[32];

    src_write_zip(zip, 1, names, data, lens);
    assert_int_equal(stat(zip, &st), 0);
    f = fopen(zip, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, st.st_size / 2, SEEK_SET), 0);
    assert_int_equal(fread(b, 1, sizeof(b), f), sizeof(b));
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] ^= 0x5a;
    assert_int_equal(fseek(f, st.st_size / 2, SEEK_SET), 0);
    assert_int_equal(fwrite(b, 1, sizeof(b), f), sizeof(b));
    assert_int_equal(fclose(f), 0);

    f = kedr_sf_src_open(zip, "Big.csv", &size);
    assert_non_null(f);
    text = src_read_all(f, &len, &failed);
    assert_true(failed);
    assert_true(len < s->big_len);
    free(text);
    (void)fclose(f);

    /* the CSV reader turns it into an error, not a short file */
    f = kedr_sf_src_open(zip, "Big.csv", &size);
    assert_non_null(f);
    {
        struct kedr_csv csv;
        struct kedr_arena a;
        struct kedr_csv_rec rec;
        int got;

        kedr_arena_init(&a);
        kedr_csv_init_file(&csv, f, ',');
        while ((got = kedr_csv_next(&csv, &a, &rec)) == 1)
            kedr_arena_clear(&a);
        assert_int_equal(got, -1);
        kedr_csv_release(&csv);
        kedr_arena_release(&a);
    }
    (void)fclose(f);
}

/* A member whose data inflates past the size the zip states (its CRC
 * still right): libzip hands the extra bytes out, sf_src refuses them. */
static void
test_longer_than_size(void **state)
{
    struct src_state *s = *state;
    const char *names[] = {"Big.csv"};
    const char *data[] = {s->big};
    size_t lens[] = {s->big_len}, len;
    const char *zip = src_path(s, 0, "WE_1.ZIP");
    const uint32_t small = 1000;
    unsigned char le[4] = {small & 0xff, small >> 8, 0, 0};
    unsigned char hdr[4];
    off_t size;
    long cd = -1;
    FILE *f;
    char *text;
    bool failed;

    src_write_zip(zip, 1, names, data, lens);
    f = fopen(zip, "r+b");
    assert_non_null(f);
    /* the uncompressed size: local header +22, central header +24 */
    assert_int_equal(fseek(f, 22, SEEK_SET), 0);
    assert_int_equal(fwrite(le, 1, 4, f), 4);
    for (long at = 0; fseek(f, at, SEEK_SET) == 0 && fread(hdr, 1, 4, f) == 4;
         at++)
        if (memcmp(hdr, "PK\x01\x02", 4) == 0)
            cd = at;
    assert_true(cd > 0);
    assert_int_equal(fseek(f, cd + 24, SEEK_SET), 0);
    assert_int_equal(fwrite(le, 1, 4, f), 4);
    assert_int_equal(fclose(f), 0);

    f = kedr_sf_src_open(zip, "Big.csv", &size);
    assert_non_null(f);
    assert_int_equal(size, small);
    text = src_read_all(f, &len, &failed);
    assert_true(failed);
    assert_true(len <= small);
    assert_true(ftell(f) <= (long)small);
    free(text);
    (void)fclose(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zip_member, src_setup,
                                        src_teardown),
        cmocka_unit_test_setup_teardown(test_missing, src_setup, src_teardown),
        cmocka_unit_test_setup_teardown(test_folder_wins, src_setup,
                                        src_teardown),
        cmocka_unit_test_setup_teardown(test_two_zips, src_setup, src_teardown),
        cmocka_unit_test_setup_teardown(test_check, src_setup, src_teardown),
        cmocka_unit_test_setup_teardown(test_truncated, src_setup,
                                        src_teardown),
        cmocka_unit_test_setup_teardown(test_longer_than_size, src_setup,
                                        src_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_data, src_setup,
                                        src_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
