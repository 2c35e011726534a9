/*
 * sf.h -- the Salesforce data migration (migrate/salesforce/): values of
 * an export, its mapping file, where its files are read from, a record
 * cleansed by its mapping.  Only the migration includes it, so a change
 * here does not recompile the server; its entry points (kedr_cli_migrate,
 * the migrator slot kedr_sfmig_*) are declared in core.h.
 */
#ifndef KEDR_SF_H
#define KEDR_SF_H

#include "core.h"

/* ------------------------------------------------------------------ */
/* sf.c: values of a Salesforce data export.  Pure functions.          */
/* ------------------------------------------------------------------ */

/* A record id as 18 characters into out: a 15-character id (case
 * sensitive) gets its case-suffix checksum ("001A0000006Vm9r" ->
 * "001A0000006Vm9rIAC"); an 18-character id is checked against its
 * suffix, and one whose first 15 characters lost their case (all upper
 * or all lower) gets it back from the suffix.  False when `id` is not an
 * id (length, characters, suffix); out is then unspecified. */
bool kedr_sf_id18(const char *id, char out[19]);
bool kedr_sf_id_valid(const char *id);
/* A lookup cell: 0 for null ("", "000000000000000AAA" or its 15-char
 * form; out ""), 1 with the 18-character id in out, -1 when it is not
 * an id. */
int kedr_sf_ref(const char *cell, char out[19]);
/* "1"/"0", "true"/"false" in any case (Excel writes TRUE/FALSE): 1 or
 * 0; -1 for anything else (empty included). */
int kedr_sf_bool(const char *s);

#define KEDR_SF_TS_SIZE 40
/* A datetime, "YYYY-MM-DD HH:MM:SS" (GMT, the data-export form) or ISO
 * 8601 "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|+HHMM|+HH)" (the API form), as
 * one canonical UTC text "YYYY-MM-DDTHH:MM:SS[.fff]Z" (PostgreSQL reads
 * it as timestamptz).  0, or -1 when it is not one (a date without a
 * time included). */
int kedr_sf_datetime(const char *s, char out[KEDR_SF_TS_SIZE]);
/* A date, "YYYY-MM-DD" or with a midnight time (" 00:00:00", the way a
 * date field is sometimes exported, or "T00:00:00.000Z"), as
 * "YYYY-MM-DD".  0, or -1 (a real time of day is -1: not a date). */
int kedr_sf_date(const char *s, char out[11]);
/* `s` without white space (ASCII, U+00A0, U+202F) at either end, and
 * with every inner run of it made one space when `collapse`.  Arena
 * text; *changed says whether it differs from s. */
const char *kedr_sf_space(struct kedr_arena *a, const char *s, bool collapse,
                          bool *changed);

enum { KEDR_ENC_UTF8, KEDR_ENC_CP1251, KEDR_ENC_LATIN1 };
/* An encoding by name, any case: "utf-8"/"utf8", "windows-1251"/
 * "cp1251", "iso-8859-1"/"latin1"; -1 when unknown. */
int kedr_sf_encoding(const char *name);

#define KEDR_SF_NWRONG 3
/* A file's converter (iconv descriptors: the file's encoding to UTF-8,
 * and UTF-8 back to the encodings a double-encoding goes through). */
struct kedr_sf_conv {
    int enc;
    void *in;
    void *back[KEDR_SF_NWRONG];
};
/* 0, or -1 for an unknown encoding name (or iconv refusing). */
int kedr_sf_conv_init(struct kedr_sf_conv *cv, const char *encoding);
void kedr_sf_conv_release(struct kedr_sf_conv *cv);
/* A cell of the file as UTF-8: for "utf-8" the cell itself when valid
 * (a BOM dropped), otherwise converted by iconv into `a`.  NULL when the
 * bytes are not text in the file's encoding. */
const char *kedr_sf_to_utf8(struct kedr_sf_conv *cv, struct kedr_arena *a,
                            const char *s);

/* kedr_sf_mojibake's verdicts, for the report's counts. */
enum { KEDR_SF_CLEAN, KEDR_SF_REPAIRED, KEDR_SF_SUSPECT };
/*
 * Double-encoded UTF-8 in a UTF-8 field: UTF-8 once read as
 * Windows-1251, -1252 or ISO-8859-1 and saved as UTF-8 again
 * ("РћРћРћ" for "ООО", "Ã©" for "é").  Each run of non-ASCII characters
 * is encoded back; when that gives valid UTF-8 of plausible characters,
 * it was the text.  KEDR_SF_REPAIRED with *out the repaired text (arena),
 * KEDR_SF_SUSPECT when it looks double-encoded but does not repair (a cut
 * sequence, U+FFFD), else KEDR_SF_CLEAN; *out is `s` then.
 */
int kedr_sf_mojibake(struct kedr_sf_conv *cv, struct kedr_arena *a,
                     const char *s, const char **out);

/* ------------------------------------------------------------------ */
/* sf_map.c: the Salesforce migration's mapping file                      */
/* (conf/import/salesforce.conf documents every key)                   */
/* ------------------------------------------------------------------ */

/* A field's type (its `type` in the mapping). */
enum {
    KEDR_SF_TEXT,
    KEDR_SF_ID,
    KEDR_SF_REF,
    KEDR_SF_BOOL,
    KEDR_SF_DATETIME,
    KEDR_SF_DATE,
    KEDR_SF_NUMBER,
    KEDR_SF_PHONE,
    KEDR_SF_EMAIL,
    KEDR_SF_INN,
    KEDR_SF_KPP,
    KEDR_SF_OGRN,
    KEDR_SF_PICKLIST,
    KEDR_SF_NTYPES
};
/* The mapping's name of a type ("datetime"). */
const char *kedr_sf_type_name(int type);

enum { KEDR_SF_CLEAR, KEDR_SF_REJECT }; /* on_invalid */
enum { KEDR_SF_MOJI_REPAIR, KEDR_SF_MOJI_REPORT, KEDR_SF_MOJI_OFF };
enum { KEDR_SF_UNKNOWN_REPORT, KEDR_SF_UNKNOWN_KEEP, KEDR_SF_UNKNOWN_DEFAULT };
/* A ref field's orphans (a value the ref'd object's map does not have):
 * left to the migrator, or re-pointed to the holding record. */
enum { KEDR_SF_ORPHANS_REJECT, KEDR_SF_ORPHANS_ATTACH };

/* A picklist value's mapping. */
struct kedr_sf_pick {
    const char *from, *to;
};

struct kedr_sf_field {
    const char *from; /* the CSV column: the Salesforce field */
    const char *to;   /* the Kedr field */
    int type;         /* KEDR_SF_TEXT ... */
    const char *ref;  /* KEDR_SF_REF: the object the id points to */
    bool trim, collapse, required;
    int on_invalid;             /* KEDR_SF_CLEAR or KEDR_SF_REJECT */
    struct kedr_sf_pick *picks; /* KEDR_SF_PICKLIST */
    size_t npicks;
    int unknown;               /* KEDR_SF_UNKNOWN_* */
    const char *unknown_value; /* KEDR_SF_UNKNOWN_DEFAULT */
    int orphans;               /* KEDR_SF_REF: KEDR_SF_ORPHANS_* */
    char holding[19];          /* KEDR_SF_ORPHANS_ATTACH: the 18-char id */
    unsigned line;             /* in the mapping file */
};

/* A Kedr field's value when a row gives it none. */
struct kedr_sf_default {
    const char *to, *value;
};

/* An option of the object's importer (its `options` group): passed as
 * the setting kedr.import.<name> of the migrator's transaction. */
struct kedr_sf_option {
    const char *name, *value; /* value: the string, or "true"/"false" */
};

struct kedr_sf_object {
    const char *file;   /* "Store__c.csv" */
    const char *object; /* "Store__c" */
    const char *target; /* "clients.outlet" */
    bool drop_deleted;  /* leave out rows with IsDeleted = 1 */
    int on_invalid;
    struct kedr_sf_field *fields;
    size_t nfields;
    struct kedr_sf_default *defaults;
    size_t ndefaults;
    struct kedr_sf_option *options;
    size_t noptions;
    unsigned line;
};

/* A loaded mapping; every string lives as long as it does. */
struct kedr_sf_map {
    config_t cfg;
    char *file;
    const char *encoding; /* import.encoding; --encoding overrides it */
    char sep;             /* ',' or ';' */
    int mojibake;         /* KEDR_SF_MOJI_* */
    int on_invalid;
    struct kedr_sf_object *objects;
    size_t nobjects;
};

/* Load and check a mapping file: the mapping, or NULL after printing
 * every error ("FILE:LINE: message") to stderr. */
struct kedr_sf_map *kedr_sf_map_load(const char *file);
/* Check mapping text (tests, fuzzing): errors into err as "LINE:
 * message" lines; the number of errors. */
int kedr_sf_map_check_text(const char *text, char *err, size_t errlen);
/* A mapping from text (tests, fuzzing), or NULL with the errors in err
 * as kedr_sf_map_check_text writes them (err may be NULL: none kept). */
struct kedr_sf_map *kedr_sf_map_from_text(const char *text, char *err,
                                          size_t errlen);
void kedr_sf_map_free(struct kedr_sf_map *m);
/* The object of an export file by its name (any case), or NULL. */
const struct kedr_sf_object *kedr_sf_map_find(const struct kedr_sf_map *m,
                                              const char *file_name);

/* ------------------------------------------------------------------ */
/* sf_src.c: where an export's files are read from                     */
/* ------------------------------------------------------------------ */

/* Whether `path` is an export the migration can read: a readable folder (of
 * CSV files, or of the export's .zip files) or a readable zip archive.
 * 0, or -1 after printing `kedr migrate: cannot read "PATH": reason`. */
int kedr_sf_src_check(const char *path);
/*
 * The export's file `name` ("Account.csv") from `path` (as
 * kedr_sf_src_check accepts), opened for reading; *size is its
 * (uncompressed) size, for the share read (ftell works, in uncompressed
 * bytes).  From a folder: its own file wins, else the first of its
 * .zip/.ZIP files (in name order, numbers as numbers) that holds it at
 * the root.  The caller closes the FILE.  NULL with errno ENOENT when the
 * export has no such file; NULL with another errno after printing why
 * (a damaged zip, an unreadable file).  Nothing is kept open between
 * calls: safe to call in forked processes.  A member's read error (CRC,
 * damaged data) is printed naming the zip and the member and sets the
 * FILE's error flag.
 */
FILE *kedr_sf_src_open(const char *path, const char *name, off_t *size);
/* Read the rest of f, for its errors only: a damaged zip member may
 * inflate to garbage (which the CSV reader refuses first) before its CRC
 * is checked at its end.  -1 when a read failed (and said why), else 0. */
int kedr_sf_src_drain(FILE *f);

/* ------------------------------------------------------------------ */
/* sf_row.c: a record of an export file cleansed by its mapping.       */
/* Pure functions.                                                     */
/* ------------------------------------------------------------------ */

/* A file's header row mapped onto its object's fields. */
struct kedr_sf_header {
    const struct kedr_sf_object *obj;
    int *col;          /* per obj->fields: its CSV column, or -1 */
    int deleted_col;   /* the IsDeleted column, or -1 */
    size_t ncells;     /* cells of the header: every record must have it */
    const char **cols; /* the output columns: each field's `to`, then each
                          default's `to` no field fills */
    size_t ncols;
    const char **missing; /* fields (`from`) the file has no column for */
    size_t nmissing;
};

/*
 * Map a header record (cells in the file's encoding; a BOM, white space
 * and case do not matter) onto `obj`'s fields.  Everything goes into
 * `a`, which must outlive the header.  0, or -1 when a required field's
 * column is missing (h->missing lists every missing one; the file cannot
 * be imported); optional missing columns give null values.
 */
int kedr_sf_header_init(struct kedr_sf_header *h,
                        const struct kedr_sf_object *obj,
                        struct kedr_sf_conv *cv, const struct kedr_csv_rec *hdr,
                        struct kedr_arena *a);

/* What the cleansing did to a field. */
enum {
    KEDR_SF_A_TRIMMED,  /* white space trimmed (and collapsed) */
    KEDR_SF_A_REPAIRED, /* double-encoded UTF-8 repaired */
    KEDR_SF_A_CLEARED,  /* invalid, or an unknown picklist value: null */
    KEDR_SF_A_REJECTED, /* invalid, and it rejects the row */
    KEDR_SF_A_REPORTED, /* kept, but the report lists it */
};
/* "trimmed", "repaired", "cleared", "rejected", "reported". */
const char *kedr_sf_action_name(int action);

struct kedr_sf_action {
    const char *field; /* the Kedr field (`to`); NULL for the whole row */
    int action;        /* KEDR_SF_A_* */
    const char *reason;
};

enum { KEDR_SF_ROW_OK, KEDR_SF_ROW_REJECTED, KEDR_SF_ROW_DELETED };

/* One cleansed record. */
struct kedr_sf_row {
    int status;          /* KEDR_SF_ROW_*: load it, report it, skip it */
    const char **values; /* per header->cols: UTF-8 text, or NULL (null) */
    struct kedr_sf_action *actions;
    size_t nactions;
    unsigned line; /* the file line the record starts on */
};

/* Running counts of a file, for the report (the caller zeroes them). */
struct kedr_sf_counts {
    unsigned long rows, ok, rejected, deleted; /* records */
    unsigned long trimmed, repaired, cleared, invalid, suspect,
        unknown_picklist; /* fields */
};

/*
 * Cleanse one record by h's object: each field's cell converted from the
 * file's encoding (cv), double-encoded UTF-8 repaired or reported
 * (`mojibake`, KEDR_SF_MOJI_*), white space trimmed or collapsed, an
 * empty cell null, the value read by its type (ids to 18 characters,
 * lookups, booleans "true"/"false", datetimes in UTC, dates, numbers,
 * phones to E.164, e-mails, INN/KPP/OGRN, picklists mapped); a value that
 * fails is cleared or rejects the row by its on_invalid; defaults fill
 * what stays null.  A record whose IsDeleted is true is skipped when the
 * object drops deleted rows; one with another number of cells than the
 * header is rejected.  Everything goes into `a` (clear it between
 * batches of rows); `n` is added to.  Returns row->status.
 */
int kedr_sf_row_clean(const struct kedr_sf_header *h, struct kedr_sf_conv *cv,
                      int mojibake, const struct kedr_csv_rec *rec,
                      struct kedr_arena *a, struct kedr_sf_row *row,
                      struct kedr_sf_counts *n);

#endif /* KEDR_SF_H */
