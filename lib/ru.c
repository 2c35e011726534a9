/*
 * ru.c -- pure checks of Russian requisites (INN, KPP, OGRN, OGRNIP with
 * their official check digits) and phone numbers to E.164.  Shared by
 * the clients module (through kedr_api) and the data migration's
 * cleansing (sf.c), so both apply one rule.  E-mail addresses and dates
 * have theirs in values.c.
 */
#include <string.h>

#include "core.h"

/* Whether `s` is exactly `n` decimal digits. */
static bool
ru_digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

/* The INN check digit of the first `n` digits of `s` with `w`. */
static int
ru_inn_digit(const char *s, const int *w, int n)
{
    int sum = 0;

    for (int i = 0; i < n; i++)
        sum += (s[i] - '0') * w[i];
    return sum % 11 % 10;
}

const char *
kedr_ru_inn_problem(const char *inn)
{
    static const int w10[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int w11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int w12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};

    if (ru_digits(inn, 10))
        return ru_inn_digit(inn, w10, 9) == inn[9] - '0'
                   ? NULL
                   : "checksum mismatch: not a valid INN";
    if (ru_digits(inn, 12))
        return ru_inn_digit(inn, w11, 10) == inn[10] - '0' &&
                       ru_inn_digit(inn, w12, 11) == inn[11] - '0'
                   ? NULL
                   : "checksum mismatch: not a valid INN";
    return "must be 10 digits (organisation) or 12 digits (person)";
}

const char *
kedr_ru_kpp_problem(const char *kpp)
{
    if (strlen(kpp) != 9 || strspn(kpp, "0123456789") < 4 ||
        strspn(kpp + 6, "0123456789") != 3)
        return "must be 9 characters: 4 digits, 2 digits or capital "
               "letters A-Z, 3 digits";
    for (int i = 4; i < 6; i++)
        if (!((kpp[i] >= '0' && kpp[i] <= '9') ||
              (kpp[i] >= 'A' && kpp[i] <= 'Z')))
            return "must be 9 characters: 4 digits, 2 digits or capital "
                   "letters A-Z, 3 digits";
    return NULL;
}

const char *
kedr_ru_ogrn_problem(const char *ogrn)
{
    unsigned long long v = 0;
    size_t n = strlen(ogrn);

    if (!ru_digits(ogrn, 13) && !ru_digits(ogrn, 15))
        return "must be 13 digits (OGRN) or 15 digits (OGRNIP)";
    for (size_t i = 0; i + 1 < n; i++)
        v = v * 10 + (unsigned long long)(ogrn[i] - '0');
    if ((int)(v % (n == 13 ? 11 : 13) % 10) != ogrn[n - 1] - '0')
        return n == 13 ? "checksum mismatch: not a valid OGRN"
                       : "checksum mismatch: not a valid OGRNIP";
    return NULL;
}

bool
kedr_ru_phone_e164(const char *in, char *out, size_t outsz)
{
    char d[32];
    size_t n = 0;
    bool plus = false;

    if (in == NULL || outsz < 17)
        return false;
    for (const char *p = in; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof(d))
                return false;
            d[n++] = *p;
        } else if (*p == '+' && n == 0 && !plus) {
            plus = true;
        } else if (strchr(" -().\t", *p) == NULL) {
            return false;
        }
    }
    d[n] = '\0';
    if (plus) {
        if (d[0] == '7' && n != 11)
            return false;
        if (n < 8 || n > 15 || d[0] == '0')
            return false;
        out[0] = '+';
        memcpy(out + 1, d, n + 1);
        return true;
    }
    if (n == 11 && (d[0] == '8' || d[0] == '7')) {
        memcpy(out, "+7", 2);
        memcpy(out + 2, d + 1, 11);
        return true;
    }
    if (n == 10 && d[0] >= '3') {
        memcpy(out, "+7", 2);
        memcpy(out + 2, d, 11);
        return true;
    }
    return false;
}
