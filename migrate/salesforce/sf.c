/*
 * sf.c -- the values of a Salesforce data export, each turned into what
 * Kedr stores: record ids (15 and 18 characters, the case-suffix
 * checksum), lookups (null forms), booleans, datetimes and dates, white
 * space, the file's encoding (iconv) and double-encoded UTF-8
 * ("mojibake") found and repaired per field.  Pure: no request, no
 * database; the data migration's reading layer (sf_row.c) builds on it.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

/* ------------------------------------------------------------------ */
/* record ids                                                          */
/* ------------------------------------------------------------------ */

static const char sf_suffix_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

static bool
sf_alnum(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
           (ch >= 'A' && ch <= 'Z');
}

static bool
sf_upper(char ch)
{
    return ch >= 'A' && ch <= 'Z';
}

/* The three suffix characters of a 15-character id: for each block of
 * five, bit i set when its i-th character is an upper-case letter. */
static void
sf_suffix(const char *id15, char out[3])
{
    for (int b = 0; b < 3; b++) {
        unsigned bits = 0;

        for (int i = 0; i < 5; i++)
            if (sf_upper(id15[b * 5 + i]))
                bits |= 1u << i;
        out[b] = sf_suffix_chars[bits];
    }
}

/* The index of a suffix character (either case), or -1. */
static int
sf_suffix_index(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 'a' + 'A');
    for (int i = 0; sf_suffix_chars[i] != '\0'; i++)
        if (sf_suffix_chars[i] == ch)
            return i;
    return -1;
}

/* An 18-character id whose first 15 characters lost their case (all
 * upper or all lower, as a case-insensitive tool leaves them): the case
 * restored from the suffix into out.  False when the suffix asks for an
 * upper-case digit. */
static bool
sf_restore_case(const char *id, char out[19])
{
    for (int b = 0; b < 3; b++) {
        int bits = sf_suffix_index(id[15 + b]);

        if (bits < 0)
            return false;
        for (int i = 0; i < 5; i++) {
            char ch = id[b * 5 + i];
            bool up = (bits >> i) & 1;

            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            if (up && !(ch >= 'a' && ch <= 'z'))
                return false;
            out[b * 5 + i] = up ? (char)(ch - 'a' + 'A') : ch;
        }
        out[15 + b] = sf_suffix_chars[bits];
    }
    out[18] = '\0';
    return true;
}

bool
kedr_sf_id18(const char *id, char out[19])
{
    size_t n = strlen(id);
    bool lower = false, upper = false;
    char suf[3];

    if (n != 15 && n != 18)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!sf_alnum(id[i]))
            return false;
    sf_suffix(id, suf);
    if (n == 18) {
        bool same = true;

        for (int b = 0; b < 3; b++)
            same = same && sf_suffix_index(id[15 + b]) >= 0 &&
                   sf_suffix_chars[sf_suffix_index(id[15 + b])] == suf[b];
        if (!same) {
            for (int i = 0; i < 15; i++) {
                lower = lower || (id[i] >= 'a' && id[i] <= 'z');
                upper = upper || sf_upper(id[i]);
            }
            return !(lower && upper) && sf_restore_case(id, out);
        }
    }
    memcpy(out, id, 15);
    memcpy(out + 15, suf, 3);
    out[18] = '\0';
    return true;
}

bool
kedr_sf_id_valid(const char *id)
{
    char out[19];

    return kedr_sf_id18(id, out);
}

int
kedr_sf_ref(const char *cell, char out[19])
{
    out[0] = '\0';
    if (cell[0] == '\0' || strcmp(cell, "000000000000000AAA") == 0 ||
        strcmp(cell, "000000000000000") == 0)
        return 0;
    return kedr_sf_id18(cell, out) ? 1 : -1;
}

/* ------------------------------------------------------------------ */
/* booleans, datetimes, dates                                          */
/* ------------------------------------------------------------------ */

int
kedr_sf_bool(const char *s)
{
    if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
        return 1;
    if (strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0)
        return 0;
    return -1;
}

/* `n` digits at s as a number, or -1. */
static int
sf_num(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static long
sf_days(int y, int m, int d)
{
    long yy = y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

static void
sf_civil(long z, int *y, int *m, int *d)
{
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/*
 * The time part after a date: "HH:MM:SS", an optional fraction, then
 * nothing (GMT, the data-export form), "Z", or an offset "+HH:MM",
 * "+HHMM", "+HH".  *secs gets the seconds of the day, *off the offset in
 * seconds (east positive), frac the fraction's digits (at most 9).
 */
static bool
sf_time(const char *t, long *secs, long *off, char frac[10])
{
    int h, mi, s;
    size_t nf = 0;

    if (strlen(t) < 8) /* t + 6 stays inside the text */
        return false;
    h = sf_num(t, 2);
    mi = sf_num(t + 3, 2);
    s = sf_num(t + 6, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 ||
        t[2] != ':' || t[5] != ':')
        return false;
    *secs = h * 3600L + mi * 60L + s;
    t += 8;
    if (*t == '.') {
        for (t++; *t >= '0' && *t <= '9'; t++)
            if (nf < 9)
                frac[nf++] = *t;
        if (nf == 0)
            return false;
    }
    frac[nf] = '\0';
    *off = 0;
    if (*t == '\0' || (t[0] == 'Z' && t[1] == '\0'))
        return true;
    if (*t == '+' || *t == '-') {
        /* sf_num stops at the NUL: never a pointer past it */
        int oh = sf_num(t + 1, 2), om = 0;
        const char *e = t + 3;

        if (oh < 0)
            return false;
        if (*e == ':' && *++e == '\0')
            return false; /* "+03:" */
        if (*e != '\0') {
            om = sf_num(e, 2);
            if (om < 0)
                return false;
            e += 2;
        }
        if (oh > 14 || om > 59 || *e != '\0')
            return false;
        *off = (oh * 3600L + om * 60L) * (*t == '-' ? -1 : 1);
        return true;
    }
    return false;
}

int
kedr_sf_datetime(const char *s, char out[KEDR_SF_TS_SIZE])
{
    int y, m, d, hh, mm, ss;
    long secs, off, total;
    char frac[10];
    size_t n = strlen(s);

    out[0] = '\0';
    if (n < 19 || !kedr_value_date_parse(s, &y, &m, &d) ||
        (s[10] != ' ' && s[10] != 'T'))
        return -1;
    if (s[10] == ' ' && strpbrk(s + 11, "Z+-") != NULL)
        return -1; /* the export form is GMT without a zone */
    if (!sf_time(s + 11, &secs, &off, frac))
        return -1;
    total = sf_days(y, m, d) * 86400L + secs - off;
    sf_civil(total >= 0 ? total / 86400 : (total - 86399) / 86400, &y, &m, &d);
    secs = total - sf_days(y, m, d) * 86400L;
    hh = (int)(secs / 3600);
    mm = (int)(secs / 60 % 60);
    ss = (int)(secs % 60);
    if (y < 1 || y > 9999)
        return -1;
    /* trailing zeros of the fraction say nothing */
    for (size_t k = strlen(frac); k > 0 && frac[k - 1] == '0'; k--)
        frac[k - 1] = '\0';
    snprintf(out, KEDR_SF_TS_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d%s%sZ", y, m,
             d, hh, mm, ss, frac[0] != '\0' ? "." : "", frac);
    return 0;
}

int
kedr_sf_date(const char *s, char out[11])
{
    int y, m, d;
    long secs, off;
    char frac[10];
    size_t n = strlen(s);

    out[0] = '\0';
    if (n < 10 || !kedr_value_date_parse(s, &y, &m, &d))
        return -1;
    if (n > 10) {
        /* a date field written as a datetime: midnight, no zone shift */
        if ((s[10] != ' ' && s[10] != 'T') ||
            !sf_time(s + 11, &secs, &off, frac) || secs != 0 || off != 0 ||
            strspn(frac, "0") != strlen(frac))
            return -1;
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* ------------------------------------------------------------------ */
/* white space                                                         */
/* ------------------------------------------------------------------ */

/* The bytes of white space at s (ASCII, no-break space U+00A0, narrow
 * no-break space U+202F), or 0. */
static size_t
sf_space(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xc2 && s[1] == 0xa0)
        return 2;
    if (s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0xaf)
        return 3;
    return 0;
}

const char *
kedr_sf_space(struct kedr_arena *a, const char *s, bool collapse, bool *changed)
{
    const unsigned char *p = (const unsigned char *)s, *end = p;
    char *out = kedr_arena_alloc(a, strlen(s) + 1);
    size_t o = 0, k;

    while ((k = sf_space(p)) > 0)
        p += k;
    /* end: just after the last character that is not white space */
    for (const unsigned char *q = p; *q != '\0';) {
        if ((k = sf_space(q)) > 0) {
            q += k;
        } else {
            q += 1;
            end = q;
        }
    }
    while (p < end) {
        if (collapse && sf_space(p) > 0) {
            while ((k = sf_space(p)) > 0)
                p += k;
            out[o++] = ' ';
            continue;
        }
        out[o++] = (char)*p++;
    }
    out[o] = '\0';
    *changed = strcmp(out, s) != 0;
    return out;
}

/* ------------------------------------------------------------------ */
/* encodings and mojibake                                              */
/* ------------------------------------------------------------------ */

/* What a double-encoded text went through, tried in this order: UTF-8
 * read as Windows-1251 (Russian Excel and Windows tools), as
 * Windows-1252 and as ISO-8859-1 (western ones). */
static const char *const sf_wrong[KEDR_SF_NWRONG] = {"CP1251", "CP1252",
                                                     "ISO-8859-1"};

int
kedr_sf_encoding(const char *name)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {
        {"utf-8", KEDR_ENC_UTF8},          {"utf8", KEDR_ENC_UTF8},
        {"windows-1251", KEDR_ENC_CP1251}, {"cp1251", KEDR_ENC_CP1251},
        {"iso-8859-1", KEDR_ENC_LATIN1},   {"latin1", KEDR_ENC_LATIN1},
        {"latin-1", KEDR_ENC_LATIN1},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].enc;
    return -1;
}

int
kedr_sf_conv_init(struct kedr_sf_conv *cv, const char *encoding)
{
    memset(cv, 0, sizeof(*cv));
    cv->in = (void *)-1;
    for (int i = 0; i < KEDR_SF_NWRONG; i++)
        cv->back[i] = (void *)-1;
    cv->enc = kedr_sf_encoding(encoding);
    if (cv->enc < 0)
        return -1;
    if (cv->enc != KEDR_ENC_UTF8) {
        cv->in = iconv_open("UTF-8", cv->enc == KEDR_ENC_CP1251 ? "CP1251"
                                                                : "ISO-8859-1");
        if (cv->in == (void *)-1)
            return -1;
    }
    for (int i = 0; i < KEDR_SF_NWRONG; i++) {
        cv->back[i] = iconv_open(sf_wrong[i], "UTF-8");
        if (cv->back[i] == (void *)-1) {
            kedr_sf_conv_release(cv);
            return -1;
        }
    }
    return 0;
}

void
kedr_sf_conv_release(struct kedr_sf_conv *cv)
{
    if (cv->in != (void *)-1)
        iconv_close((iconv_t)cv->in);
    cv->in = (void *)-1;
    for (int i = 0; i < KEDR_SF_NWRONG; i++) {
        if (cv->back[i] != (void *)-1)
            iconv_close((iconv_t)cv->back[i]);
        cv->back[i] = (void *)-1;
    }
}

/* Convert all of [s, s+n) with cd into out (room for `cap` bytes);
 * the length, or -1 when a character does not convert. */
static long
sf_iconv(void *cd, const char *s, size_t n, char *out, size_t cap)
{
    char *in = (char *)(uintptr_t)s, *o = out; /* iconv's prototype */
    size_t inleft = n, outleft = cap;

    iconv((iconv_t)cd, NULL, NULL, NULL, NULL);
    if (iconv((iconv_t)cd, &in, &inleft, &o, &outleft) == (size_t)-1)
        return -1;
    return (long)(o - out);
}

const char *
kedr_sf_to_utf8(struct kedr_sf_conv *cv, struct kedr_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out;
    long len;

    if (cv->enc == KEDR_ENC_UTF8) {
        if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
            s += 3, n -= 3;
        return kedr_utf8_valid(s, n) ? s : NULL;
    }
    out = kedr_arena_alloc(a, 3 * n + 1); /* a byte: at most 3 of UTF-8 */
    len = sf_iconv(cv->in, s, n, out, 3 * n);
    if (len < 0)
        return NULL; /* 0x98, the one byte Windows-1251 leaves undefined */
    out[len] = '\0';
    return out;
}

/* The length of the UTF-8 sequence starting with byte b (1 for ASCII). */
static size_t
sf_seqlen(unsigned char b)
{
    return b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
}

/* Whether the bytes [s, s+n) (a run encoded back into Windows-1251)
 * look like cut double-encoded Cyrillic: at least two UTF-8 sequences of
 * Cyrillic letters (D0/D1 and a continuation byte) making up at least
 * half of it.  One such pair happens in real words ("Сёмга"). */
static bool
sf_cut_cyrillic(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t pairs = 0;

    for (size_t i = 0; i + 1 < n; i++)
        if ((u[i] == 0xd0 || u[i] == 0xd1) && (u[i + 1] & 0xc0) == 0x80) {
            pairs++;
            i++;
        }
    return pairs >= 2 && 4 * pairs >= n;
}

/*
 * [s, s+n) encoded back into wrong encoding i, into buf (n bytes are
 * enough: each character becomes one byte).  Windows-1251 leaves byte
 * 0x98 undefined, and the tools that decoded "И" (D0 98) as it wrote
 * U+0098 for it: that goes back to 0x98.  The length, or -1.
 */
static long
sf_back(struct kedr_sf_conv *cv, int i, const char *s, size_t n, char *buf)
{
    const char *end = s + n;
    long o = 0;

    if (i != 0)
        return sf_iconv(cv->back[i], s, n, buf, n);
    while (s < end) {
        const char *c1 = memmem(s, (size_t)(end - s), "\xc2\x98", 2);
        const char *stop = c1 != NULL ? c1 : end;
        long len = sf_iconv(cv->back[0], s, (size_t)(stop - s), buf + o,
                            n - (size_t)o);

        if (len < 0)
            return -1;
        o += len;
        if (c1 == NULL)
            break;
        buf[o++] = '\x98';
        s = c1 + 2;
    }
    return o;
}

/* Whether the UTF-8 text [s, s+n) holds only characters a repaired
 * business text is made of: Latin-1 and Latin Extended letters,
 * Cyrillic, general punctuation, currency and letter-like symbols (no
 * rare scripts a short run of symbols could decode to by chance). */
static bool
sf_plausible(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    while (p < end) {
        unsigned cp;
        size_t k = sf_seqlen(*p);

        if (k == 1)
            cp = *p;
        else if (k == 2)
            cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
        else if (k == 3)
            cp =
                ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
        else
            return false;
        if (!(cp < 0x80 || (cp >= 0xa0 && cp <= 0x24f) ||
              (cp >= 0x400 && cp <= 0x4ff) || (cp >= 0x2010 && cp <= 0x206f) ||
              (cp >= 0x20a0 && cp <= 0x214f)))
            return false;
        p += k;
    }
    return true;
}

/*
 * Repair one run of non-ASCII characters: the bytes it gives back in
 * each wrong encoding, when they are valid UTF-8, are the text it was.
 * A run that does not repair but holds a UTF-8 sequence in the first
 * wrong encoding sets *suspect.
 */
static const char *
sf_fix_run(struct kedr_sf_conv *cv, struct kedr_arena *a, const char *s,
           size_t n, size_t *outn, bool *suspect)
{
    char *buf = kedr_arena_alloc(a, n + 1);

    for (int i = 0; i < KEDR_SF_NWRONG; i++) {
        long len = sf_back(cv, i, s, n, buf);

        if (len > 1 && kedr_utf8_valid(buf, (size_t)len) &&
            sf_plausible(buf, (size_t)len)) {
            *outn = (size_t)len;
            return buf;
        }
        if (i == 0 && len > 1 && sf_cut_cyrillic(buf, (size_t)len))
            *suspect = true;
    }
    return NULL;
}

int
kedr_sf_mojibake(struct kedr_sf_conv *cv, struct kedr_arena *a, const char *s,
                 const char **out)
{
    bool repaired = false, suspect = false;
    struct kedr_buf b;
    const char *p = s;

    *out = s;
    if (strstr(s, "\xef\xbf\xbd") != NULL)
        suspect = true; /* U+FFFD: bytes were lost on the way */
    kedr_buf_init(&b, a);
    while (*p != '\0') {
        const char *run = p, *fixed;
        size_t n;

        if ((unsigned char)*p < 0x80) {
            kedr_buf_add(&b, p++, 1);
            continue;
        }
        while ((unsigned char)*p >= 0x80)
            p++;
        fixed = sf_fix_run(cv, a, run, (size_t)(p - run), &n, &suspect);
        if (fixed != NULL) {
            /* twice-doubled text: once more on what came back */
            const char *again = sf_fix_run(cv, a, fixed, n, &n, &suspect);

            kedr_buf_add(&b, again != NULL ? again : fixed, n);
            repaired = true;
        } else {
            kedr_buf_add(&b, run, (size_t)(p - run));
        }
    }
    kedr_buf_add(&b, "", 1);
    if (repaired) {
        *out = b.data;
        return KEDR_SF_REPAIRED;
    }
    return suspect ? KEDR_SF_SUSPECT : KEDR_SF_CLEAN;
}
