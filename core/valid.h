/*
 * valid.h - validation at the edge. Each input field is described by a
 * struct vfield (name, type, bounds, an optional pure check function), and
 * valid_object() checks a JSON object against such a table, so handlers
 * only ever see values that passed. Failures fill a struct verror whose
 * status is 400 for a malformed request (not an object, unknown field) and
 * 422 for a well-formed request with a bad value, naming the field.
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
	V_TYPE__MAX
};

#define V_REQUIRED  0x1
#define V_NULLABLE  0x2 /* JSON null is accepted (means "unset") */
#define V_MULTILINE 0x4 /* strings may hold newlines and tabs */

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
};

struct verror {
	int status;         /* 400 or 422 */
	char code[32];      /* "unknown_field", "invalid_value", ... */
	char message[256];
	char field[96];
};

void verror_set(struct verror *e, int status, const char *code,
    const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Checks obj against the table. Returns 0, or -1 with *err filled. */
int valid_object(const json_t *obj, const struct vfield *f, size_t n,
    struct verror *err);
/*
 * The same, but goes on after a bad field (forms show every message next
 * to its field): fills at most max errors, one per field, and returns how
 * many. A malformed object or an unknown field is the only error.
 */
int valid_object_all(const json_t *obj, const struct vfield *f, size_t n,
    struct verror *errs, int max);

/*
 * Parses a request body strictly: UTF-8, no duplicate keys, no NUL, numbers
 * in range. Returns the value, or NULL with err (400 malformed_json).
 */
json_t *valid_json_body(const char *body, size_t len, struct verror *err);

/*
 * The address-list grammar of every form: one address per line; blank
 * lines and spaces around an address are ignored; a comma or semicolon in
 * a line is an error (422 naming field), not a second address. Returns the
 * addresses as a JSON array of strings (each still to be checked by the
 * field table), or NULL with err.
 */
json_t *valid_address_lines(const char *text, const char *field, struct verror *err);

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
