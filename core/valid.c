/*
 * valid.c - see valid.h.
 */
#include "valid.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "util.h"

void verror_set(struct verror *e, int status, const char *code,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int valid_text_line(const char *s)
{
	size_t n = strlen(s);
	return utf8_valid_text(s, n) && strpbrk(s, "\t\r\n") == NULL;
}

int valid_email(const char *s)
{
	const char *at = strrchr(s, '@'), *p;
	size_t local, len = strlen(s);
	int dots = 0;

	if (at == NULL || len > 254)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (!(isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c)))
			return 0;
		if (c == '.' && p[1] == '.')
			return 0;
	}
	/* domain: dot-separated labels of letters, digits and inner hyphens */
	p = at + 1;
	if (*p == '\0')
		return 0;
	while (*p) {
		const char *start = p;
		while (isalnum((unsigned char)*p) || *p == '-')
			p++;
		if (p == start || p - start > 63 || start[0] == '-' || p[-1] == '-')
			return 0;
		if (*p == '.') {
			dots++;
			p++;
			if (*p == '\0')
				return 0;
		} else if (*p != '\0') {
			return 0;
		}
	}
	return dots > 0 || strcmp(at + 1, "localhost") == 0;
}

json_t *valid_address_lines(const char *text, const char *field, struct verror *err)
{
	json_t *list = json_array();
	int line = 0;

	for (const char *p = text; *p; ) {
		size_t len = strcspn(p, "\n");
		const char *start = p, *end = p + len;

		line++;
		p = *end ? end + 1 : end;
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (start == end)
			continue;
		/* a comma could be a separator or part of a name: neither is guessed */
		if (memchr(start, ',', (size_t)(end - start)) || memchr(start, ';', (size_t)(end - start))) {
			verror_set(err, 422, "address_lines", field,
			    "%s: one address per line; line %d holds a comma or semicolon",
			    field, line);
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, json_stringn(start, (size_t)(end - start)));
	}
	return list;
}

/*
 * s without its grouping commas (and its trailing '%' when percent) into
 * out, when the commas group thousands; -1 when they do not, or s is too long.
 */
static int ungrouped(const char *s, int percent, char *out, size_t len)
{
	const char *digits = s + (*s == '-'), *end = digits + strspn(digits, "0123456789,");
	size_t n = 0, run = 0;
	int grouped = memchr(digits, ',', (size_t)(end - digits)) != NULL;

	if (strlen(s) >= len)
		return -1;
	for (const char *p = digits; grouped && p < end; p++) {
		if (*p != ',') {
			run++;
			continue;
		}
		/* the first group: 1 to 3 digits; every later one: exactly 3 */
		if (run == 0 || run > 3 || (p > digits + run && run != 3))
			return -1;
		run = 0;
	}
	if (grouped && run != 3)
		return -1;
	/* only the whole part's commas go: one after it stays, and is refused */
	for (const char *p = s; *p; p++)
		if (*p != ',' || p >= end)
			out[n++] = *p;
	if (percent && n > 0 && out[n - 1] == '%')
		n--;
	out[n] = '\0';
	return 0;
}

int valid_form_number(const char *s, int percent, double *out)
{
	char plain[64];

	return ungrouped(s, percent, plain, sizeof(plain)) < 0 ? -1 : parse_number(plain, out);
}

int valid_form_int(const char *s, int64_t *out)
{
	char plain[64];

	return ungrouped(s, 0, plain, sizeof(plain)) < 0 ? -1 :
	    parse_int64(plain, INT64_MIN, INT64_MAX, out);
}

/* The month (1-12) a name or its first three letters names, any case; 0 if none. */
static int month_named(const char *s, size_t n)
{
	static const char *const months[] = {"january", "february", "march", "april", "may", "june",
	    "july", "august", "september", "october", "november", "december"};

	for (int m = 0; m < 12 && n >= 3; m++)
		if (n == 3 || n == strlen(months[m])) {
			size_t i = 0;
			while (i < n && tolower((unsigned char)s[i]) == months[m][i])
				i++;
			if (i == n)
				return m + 1;
		}
	return 0;
}

int valid_form_date(const char *s, char iso[11])
{
	int y = 0, m = 0, d = 0, used = 0;
	char name[16];

	if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 &&
	    isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[8]))
		;
	else if (sscanf(s, "%2d %15[A-Za-z] %4d%n", &d, name, &y, &used) == 3 && s[used] == '\0' &&
	    isdigit((unsigned char)s[0]) && (m = month_named(name, strlen(name))) != 0 &&
	    isdigit((unsigned char)s[used - 4]) && y >= 1000)
		;
	else
		return -1;
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	/* the moduli tell the compiler what the checks above ensured: 10 characters */
	snprintf(iso, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
	return 0;
}

int valid_username(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._@-", *s))
			return 0;
	return 1;
}

int valid_password(const char *s)
{
	size_t n = strlen(s);
	return utf8_valid_text(s, n) && utf8_len(s) >= 12 && n <= 1024;
}

int valid_kpi_key(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64 || !islower((unsigned char)s[0]))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

int valid_role(const char *s)
{
	return role_parse(s) != ROLE_INVALID;
}

static const char *const type_names[V_TYPE__MAX] = {
	[V_STRING] = "a string",
	[V_INT] = "an integer",
	[V_NUMBER] = "a number",
	[V_BOOL] = "true or false",
	[V_STRINGS] = "an array of strings",
	[V_INTS] = "an array of integers",
	[V_OBJECT] = "an object",
	[V_TIME] = "an ISO 8601 time string",
	[V_MAP] = "an object",
	[V_ARRAY] = "an array",
};

/* What a field of type t must be; a table that is not the type's is a bug, not a crash. */
static const char *type_name(enum vtype t)
{
	if ((unsigned)t >= V_TYPE__MAX || type_names[t] == NULL)
		return "of a known type";
	return type_names[t];
}

static int check_string(const struct vfield *f, const char *name,
    const char *s, struct verror *err)
{
	size_t n = utf8_len(s);

	if (!utf8_valid_text(s, strlen(s)) ||
	    (!(f->flags & V_MULTILINE) && strpbrk(s, "\t\r\n"))) {
		verror_set(err, 422, "invalid_value", name,
		    "%s holds control characters", name);
		return -1;
	}
	if ((f->min > 0 || f->max > 0) &&
	    (n < (size_t)f->min || n > (size_t)f->max)) {
		verror_set(err, 422, "invalid_value", name,
		    "%s must be %lld to %lld characters long", name,
		    (long long)f->min, (long long)f->max);
		return -1;
	}
	if (f->check && !f->check(s)) {
		verror_set(err, 422, "invalid_value", name, "%s %s", name,
		    f->what ? f->what : "is not valid");
		return -1;
	}
	return 0;
}

/* A list field (V_STRINGS, V_INTS): its length, then every item. */
static int check_list(const struct vfield *f, const char *name, const json_t *v,
    struct verror *err)
{
	size_t i;
	json_t *item;

	if (json_array_size(v) < (size_t)f->min || json_array_size(v) > (size_t)f->max) {
		verror_set(err, 422, "invalid_value", name,
		    "%s must hold %lld to %lld items", name,
		    (long long)f->min, (long long)f->max);
		return -1;
	}
	json_array_foreach(v, i, item) {
		if (f->type == V_INTS) {
			if (!json_is_integer(item) || json_integer_value(item) < 1) {
				verror_set(err, 422, "invalid_value", name,
				    "%s must hold positive integers", name);
				return -1;
			}
			continue;
		}
		if (!json_is_string(item)) {
			verror_set(err, 422, "invalid_type", name,
			    "%s must hold only strings", name);
			return -1;
		}
		struct vfield each = *f;
		each.min = each.max = 0;
		if (check_string(&each, name, json_string_value(item), err) < 0)
			return -1;
	}
	return 0;
}

int valid_decode_in(const char *path, const json_t *obj, const struct vfield *f, size_t n,
    void *out, struct verror *err)
{
	char full[2 * sizeof(err->field) + 2];

	if (valid_decode(obj, f, n, out, err) == 0)
		return 0;
	if (err->field[0]) {
		snprintf(full, sizeof(full), "%s.%s", path, err->field);
		memcpy(err->field, full, sizeof(err->field) - 1);
		err->field[sizeof(err->field) - 1] = '\0';
	}
	return -1;
}

/*
 * A nested object field: its own table; a field at fault in it is named by
 * its path (escalation.after_minutes).
 */
static int check_object(const struct vfield *f, const char *name, const json_t *v,
    void *out, struct verror *err)
{
	return valid_decode_in(name, v, f->sub, f->nsub, out, err);
}

void *valid_member(void *out, size_t at)
{
	return out && at ? (char *)out + at - 1 : NULL;
}

const char *vlist_str(const struct vlist *l, size_t i)
{
	return json_string_value(json_array_get(l->items, i));
}

int64_t vlist_int(const struct vlist *l, size_t i)
{
	return json_integer_value(json_array_get(l->items, i));
}

static void set_flag(const struct vfield *f, void *out, int given)
{
	int *has = valid_member(out, f->has);

	if (has)
		*has = given;
}

/*
 * Puts v, a value that passed its checks (NULL: the field's default), into
 * its member; V_TIME and V_OBJECT values were stored by their checks.
 */
static void store(const struct vfield *f, const json_t *v, void *out)
{
	void *m = valid_member(out, f->at);

	set_flag(f, out, v != NULL);
	if (m == NULL)
		return;
	switch (f->type) {
	case V_STRING:
		*(const char **)m = v ? json_string_value(v) : f->sdef;
		break;
	case V_INT:
		*(int64_t *)m = v ? json_integer_value(v) : f->def;
		break;
	case V_TIME:
		if (v == NULL)
			*(int64_t *)m = f->def;
		break;
	case V_NUMBER:
		*(double *)m = v ? json_number_value(v) : f->ddef;
		break;
	case V_BOOL:
		*(int *)m = v ? json_is_true(v) : f->def != 0;
		break;
	case V_STRINGS:
	case V_INTS:
		*(struct vlist *)m = (struct vlist){v, v ? json_array_size(v) : 0};
		break;
	case V_OBJECT:
		if (v == NULL)
			valid_defaults(f->sub, f->nsub, m);
		break;
	case V_MAP:
	case V_ARRAY:
		*(const json_t **)m = v;
		break;
	case V_TYPE__MAX:
		break;
	}
}

void valid_defaults(const struct vfield *f, size_t n, void *out)
{
	for (size_t i = 0; i < n; i++)
		store(&f[i], NULL, out);
}

/* Checks v against f; the parsed V_TIME and V_OBJECT values go into out's member. */
static int check_value(const struct vfield *f, const char *name,
    const json_t *v, void *out, struct verror *err)
{
	int64_t iv;
	double dv;

	switch (f->type) {
	case V_STRING:
		if (!json_is_string(v))
			goto wrong_type;
		return check_string(f, name, json_string_value(v), err);
	case V_TIME: {
		int64_t us, *m = valid_member(out, f->at);
		if (!json_is_string(v))
			goto wrong_type;
		if (time_parse_iso(json_string_value(v), &us) < 0) {
			verror_set(err, 422, "invalid_value", name,
			    "%s must be an ISO 8601 time with a zone", name);
			return -1;
		}
		if (m)
			*m = us;
		return 0;
	}
	case V_INT:
		if (!json_is_integer(v))
			goto wrong_type;
		iv = json_integer_value(v);
		if (iv < f->min || iv > f->max) {
			verror_set(err, 422, "out_of_range", name,
			    "%s must be from %lld to %lld", name,
			    (long long)f->min, (long long)f->max);
			return -1;
		}
		return 0;
	case V_NUMBER:
		if (!json_is_number(v))
			goto wrong_type;
		dv = json_number_value(v);
		if (!isfinite(dv) || dv < f->dmin || dv > f->dmax) {
			verror_set(err, 422, "out_of_range", name,
			    "%s must be a finite number from %g to %g", name,
			    f->dmin, f->dmax);
			return -1;
		}
		return 0;
	case V_BOOL:
		if (!json_is_boolean(v))
			goto wrong_type;
		return 0;
	case V_STRINGS:
	case V_INTS:
		if (!json_is_array(v))
			goto wrong_type;
		return check_list(f, name, v, err);
	case V_OBJECT:
		if (!json_is_object(v))
			goto wrong_type;
		return check_object(f, name, v, valid_member(out, f->at), err);
	case V_MAP:
		if (!json_is_object(v))
			goto wrong_type;
		return 0;
	case V_ARRAY:
		if (!json_is_array(v))
			goto wrong_type;
		if ((int64_t)json_array_size(v) < f->min || (int64_t)json_array_size(v) > f->max) {
			verror_set(err, 422, "out_of_range", name, "%s must hold %lld to %lld items",
			    name, (long long)f->min, (long long)f->max);
			return -1;
		}
		return 0;
	case V_TYPE__MAX:
		break;
	}
wrong_type:
	verror_set(err, 422, "invalid_type", name, "%s must be %s", name, type_name(f->type));
	return -1;
}

const struct vfield *valid_field(const struct vfield *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

int valid_decode_all(const json_t *obj, const struct vfield *f, size_t n, void *out,
    struct verror *errs, int max)
{
	const char *key;
	json_t *v;
	int count = 0;

	/* every member defined, whatever fails: callers may look at the rest */
	if (out)
		valid_defaults(f, n, out);
	if (max < 1)
		return 0;
	if (!json_is_object(obj)) {
		verror_set(&errs[0], 400, "bad_request", NULL, "the body must be a JSON object");
		return 1;
	}
	json_object_foreach((json_t *)obj, key, v) {
		if (valid_field(f, n, key) == NULL) {
			verror_set(&errs[0], 400, "unknown_field", key, "unknown field %.64s", key);
			return 1;
		}
	}
	for (size_t i = 0; i < n && count < max; i++) {
		struct verror *err = &errs[count];

		v = json_object_get(obj, f[i].name);
		if (v == NULL || (json_is_null(v) && !(f[i].flags & V_NULLABLE))) {
			if (f[i].flags & V_REQUIRED) {
				verror_set(err, 422, "missing_field", f[i].name, "%s is required",
				    f[i].name);
				count++;
			} else if (v != NULL) {
				verror_set(err, 422, "invalid_type", f[i].name, "%s must not be null",
				    f[i].name);
				count++;
			}
			continue;
		}
		if (json_is_null(v))
			continue;
		if (check_value(&f[i], f[i].name, v, out, err) < 0)
			count++;
		else
			store(&f[i], v, out);
	}
	return count;
}

int valid_decode(const json_t *obj, const struct vfield *f, size_t n, void *out,
    struct verror *err)
{
	return valid_decode_all(obj, f, n, out, err, 1) > 0 ? -1 : 0;
}

int valid_object_all(const json_t *obj, const struct vfield *f, size_t n,
    struct verror *errs, int max)
{
	return valid_decode_all(obj, f, n, NULL, errs, max);
}

int valid_object(const json_t *obj, const struct vfield *f, size_t n,
    struct verror *err)
{
	return valid_decode(obj, f, n, NULL, err);
}

json_t *valid_json_body(const char *body, size_t len, struct verror *err)
{
	json_error_t je;
	json_t *v;

	if (len == 0) {
		verror_set(err, 400, "malformed_json", NULL, "the body is empty");
		return NULL;
	}
	v = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (v == NULL) {
		verror_set(err, 400, "malformed_json", NULL,
		    "malformed JSON at line %d column %d: %s", je.line, je.column,
		    je.text);
		return NULL;
	}
	return v;
}
