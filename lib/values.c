/*
 * values.c -- the one rule for an e-mail address and the one rule for a
 * date in the whole tree: the request parser (input specs, extra
 * attributes), the admin screens, `kedr user`, the Salesforce migration
 * and modules (kedr_email_valid, kedr_value_valid) all ask here, so a
 * value one of them takes is never refused by another.  Pure; unit-tested
 * by tests/unit/test_values.c over tests/data/email and tests/data/date.
 */
#include <string.h>

#include "core.h"

/* `n` digits at s as a number, or -1 (stops at the NUL: never reads past
 * the end of the text). */
static int
value_digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool
kedr_value_email_valid(const char *s)
{
    const char *at = strchr(s, '@'), *dot;
    size_t n = strlen(s);

    if (at == NULL || at == s || n > 254 || strchr(at + 1, '@') != NULL)
        return false;
    for (const char *p = s; *p != '\0'; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f ||
            strchr("<>(),;:\"[]\\", *p) != NULL)
            return false;
    dot = strrchr(at, '.');
    return at[1] != '.' && dot != NULL && dot > at + 1 && dot[1] != '\0';
}

int
kedr_value_month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

bool
kedr_value_date_parse(const char *s, int *y, int *m, int *d)
{
    /* each part read only when the text reaches it */
    *y = value_digits(s, 4);
    *m = *y < 0 || s[4] != '-' ? -1 : value_digits(s + 5, 2);
    *d = *m < 0 || s[7] != '-' ? -1 : value_digits(s + 8, 2);
    return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 &&
           *d <= kedr_value_month_days(*y, *m);
}

bool
kedr_value_date_valid(const char *s)
{
    int y, m, d;

    return kedr_value_date_parse(s, &y, &m, &d) && s[10] == '\0';
}

bool
kedr_value_datetime_valid(const char *s)
{
    int y, m, d;

    if (!kedr_value_date_parse(s, &y, &m, &d))
        return false;
    s += 10;
    if (*s == 'T' || *s == ' ') {
        int h = value_digits(s + 1, 2);
        int mi = h < 0 || s[3] != ':' ? -1 : value_digits(s + 4, 2);

        if (h < 0 || h > 23 || mi < 0 || mi > 59)
            return false;
        s += 6;
        if (*s == ':') {
            int sec = value_digits(s + 1, 2);

            if (sec < 0 || sec > 59)
                return false;
            s += 3;
            if (*s == '.') {
                size_t n = strspn(s + 1, "0123456789");

                if (n < 1 || n > 6)
                    return false;
                s += 1 + n;
            }
        }
        if (*s == 'Z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int oh = value_digits(s + 1, 2);

            if (oh < 0 || oh > 14)
                return false;
            s += 3;
            if (*s == ':')
                s++;
            if (*s != '\0') {
                int om = value_digits(s, 2);

                if (om < 0 || om > 59)
                    return false;
                s += 2;
            }
        }
    }
    return *s == '\0';
}
