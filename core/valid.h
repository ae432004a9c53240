/*
 * valid.h - validation at the edge (kcgi's keys[] + kvalid_*: validating
 * yields parsed values). Each input field is described once, by a struct
 * vfield: name, type, bounds, default, an optional pure check function,
 * and where its parsed value goes in the resource's typed input struct.
 * valid_decode() checks a JSON object against such a table and fills the
 * struct, so stores and handlers only ever see typed values that passed.
 * Failures fill a struct verror whose status is 400 for a malformed request
 * (not an object, unknown field) and 422 for a well-formed request with a
 * bad value, naming the field.
 *
 * The pattern for a resource (silence_store.[ch] is the example):
 *
 *   struct silence_input {                      -- in the store's header
 *           const char *scope;                  -- V_STRING
 *           int64_t rule_id; int has_rule_id;   -- nullable: a presence flag
 *           int64_t starts_at_us; ...           -- V_TIME: microseconds
 *   };
 *   const struct vfield silence_fields[] = {    -- exported with its length
 *           {.name = "rule_id", .type = V_INT,  -- (silence_nfields): pages
 *               .flags = V_NULLABLE,            -- and the schema test read it
 *               .min = 1, .max = INT64_MAX,
 *               .at = V_AT(struct silence_input, rule_id),
 *               .has = V_AT(struct silence_input, has_rule_id)},
 *           ...
 *   };
 *   handler: valid_decode(req->json, silence_fields, silence_nfields, &in,
 *            &err) (VFIELDS(t) where the table's size is in scope),
 *            then silence_create(db, who, &in, ...): the store takes the
 *            struct, never json_t. A page maps its form to a JSON object
 *            (pages_silences.c, pages_rules.c), decodes it the same way and
 *            keeps that object alive while it uses the struct.
 *   query:   the same tables, per route in cgi/routes.c (ROUTE_Q), decoded
 *            from the query string into struct query by the gate.
 *
 * Typed members, by field type: V_STRING const char * (points into the
 * decoded JSON: valid while it lives), V_INT int64_t, V_NUMBER double,
 * V_BOOL int (0/1), V_TIME int64_t microseconds since the epoch, V_STRINGS
 * and V_INTS struct vlist, V_OBJECT a nested struct whose own table's .at
 * are relative to it, V_MAP and V_ARRAY const json_t * (for a decoder of
 * its own: a contact point's kind-specific settings, HTTP headers, an
 * escalation policy's levels). A field absent (or null where V_NULLABLE) gets its
 * default (.def for V_INT and V_BOOL, .ddef, .sdef; zero/NULL otherwise)
 * and its presence flag (.has, an int member) 0; given, the flag is 1.
 * Defaults and bounds live only in the table: a form starts from
 * valid_defaults(), and tests/integration/test_schema.c checks that the
 * tables agree with the schema's CHECKs and DEFAULTs.
 */
#ifndef GW_VALID_H
#define GW_VALID_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum vtype {
	V_STRING,  /* text; min/max are lengths in characters */
	V_INT,     /* integer; min/max inclusive */
	V_NUMBER,  /* finite number (integer or real); dmin/dmax inclusive */
	V_BOOL,
	V_STRINGS, /* array of strings; min/max bound the count, check each */
	V_INTS,    /* array of positive integers; min/max bound the count */
	V_OBJECT,  /* nested object, checked by its own table (sub, nsub) */
	V_TIME,    /* ISO 8601 string with a zone */
	V_MAP,     /* an object whose members the field's owner checks (any keys) */
	V_ARRAY,   /* an array whose items the field's owner checks; min/max bound the count */
	V_TYPE__MAX
};

#define V_REQUIRED  0x1
#define V_NULLABLE  0x2 /* JSON null is accepted (means "unset") */
#define V_MULTILINE 0x4 /* strings may hold newlines and tabs */

/* Where a member of T goes: .at and .has hold its offset + 1 (0 = none). */
#define V_AT(T, member) (offsetof(T, member) + 1)
/* A table and its length, as the functions below take them. */
#define VFIELDS(table) (table), (sizeof(table) / sizeof((table)[0]))

/* A V_STRINGS or V_INTS value: the checked items, in the decoded JSON. */
struct vlist {
	const json_t *items; /* a JSON array, or NULL when absent (n = 0) */
	size_t n;
};
const char *vlist_str(const struct vlist *l, size_t i);
int64_t vlist_int(const struct vlist *l, size_t i);

struct vfield {
	const char *name;
	enum vtype type;
	unsigned flags;
	int64_t min, max;
	double dmin, dmax;
	int (*check)(const char *s); /* strings: 1 = valid */
	const char *what;            /* message when check fails */
	const struct vfield *sub;    /* V_OBJECT: fields of the object */
	size_t nsub;
	size_t at;                   /* V_AT: the typed member, 0 = not stored */
	size_t has;                  /* V_AT: its int presence flag, 0 = none */
	int64_t def;                 /* V_INT, V_BOOL: the default */
	double ddef;                 /* V_NUMBER: the default */
	const char *sdef;            /* V_STRING: the default (NULL: none) */
	const char *column;          /* the schema's column if not .name ("": none) */
};

struct verror {
	int status;         /* 400 or 422 */
	char code[32];      /* "unknown_field", "invalid_value", ... */
	char message[256];
	char field[96];
};

void verror_set(struct verror *e, int status, const char *code,
    const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Checks obj against the table and fills the typed struct out (may be NULL:
 * check only). Returns 0, or -1 with *err filled; every member of out is
 * then still defined (a field that failed holds its default).
 */
int valid_decode(const json_t *obj, const struct vfield *f, size_t n, void *out,
    struct verror *err);
/*
 * valid_decode of an object found at path in a larger one (a V_MAP's
 * contents): a field at fault is named by its whole path (settings.url).
 */
int valid_decode_in(const char *path, const json_t *obj, const struct vfield *f, size_t n,
    void *out, struct verror *err);
/*
 * The same, but goes on after a bad field (forms show every message next
 * to its field): fills at most max errors, one per field, and returns how
 * many (0: out is complete). A malformed object or an unknown field is the
 * only error.
 */
int valid_decode_all(const json_t *obj, const struct vfield *f, size_t n, void *out,
    struct verror *errs, int max);
/* Check only: valid_decode(obj, f, n, NULL, err). */
int valid_object(const json_t *obj, const struct vfield *f, size_t n,
    struct verror *err);
int valid_object_all(const json_t *obj, const struct vfield *f, size_t n,
    struct verror *errs, int max);
/* The member at (a .at or .has: offset + 1) of out; NULL if at is 0. */
void *valid_member(void *out, size_t at);
/* The field named name in the table, or NULL. */
const struct vfield *valid_field(const struct vfield *f, size_t n, const char *name);
/*
 * Fills out with every field's default (presence flags 0), as a form shows
 * before anything is typed: what valid_decode() gives for an empty object.
 */
void valid_defaults(const struct vfield *f, size_t n, void *out);

/*
 * Parses a request body strictly: UTF-8, no duplicate keys, no NUL, numbers
 * in range. Returns the value, or NULL with err (400 malformed_json).
 */
json_t *valid_json_body(const char *body, size_t len, struct verror *err);

/*
 * The address-list grammar of every form: one address per line; blank
 * lines and spaces around an address are ignored; a comma or semicolon in
 * a line is an error (422 address_lines naming field), not a second address. Returns the
 * addresses as a JSON array of strings (each still to be checked by the
 * field table), or NULL with err.
 */
json_t *valid_address_lines(const char *text, const char *field, struct verror *err);

/*
 * The number grammar of a form's number fields: parse_number's (or, with
 * integer, parse_int64's over the whole int64 range) plus what people
 * type: thousands grouped by commas ("5,000", "1,250.50": a first group of
 * one to three digits, then groups of exactly three, before any fraction)
 * and, with percent, one trailing '%' ("3%"). "5,00,0" or "1,5" are no
 * such number. 0 and *out (or *iout), or -1. Forms only: the API keeps the
 * JSON grammar.
 */
int valid_form_number(const char *s, int percent, double *out);
int valid_form_int(const char *s, int64_t *out);

/*
 * A date as a form takes it: the way pages print one ("01 Dec 2026", "1
 * dec 2026", the month's name in full too) or ISO ("2026-12-01"), a real
 * day of the calendar. 0 and iso ("2026-12-01", 11 bytes), or -1.
 */
int valid_form_date(const char *s, char iso[11]);

/* Pure checks, 1 = valid. */
int valid_email(const char *s);
int valid_username(const char *s);
int valid_password(const char *s);
int valid_kpi_key(const char *s);
int valid_role(const char *s);
int valid_text_line(const char *s);    /* printable UTF-8, no newlines */
/* Length of s in characters (code points); s must be valid UTF-8. */
size_t utf8_len(const char *s);

#endif
