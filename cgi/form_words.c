/*
 * form_words.c - see form_words.h.
 */
#include "form_words.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "page.h"
#include "valid.h"

/* Whether field is pattern, a '*' in it standing for a list's index (levels.*.after_minutes). */
static int field_is(const char *pattern, const char *field)
{
	for (; *pattern; pattern++) {
		if (*pattern == '*') {
			if (!isdigit((unsigned char)*field))
				return 0;
			while (isdigit((unsigned char)*field))
				field++;
		} else if (*pattern != *field++) {
			return 0;
		}
	}
	return *field == '\0';
}

/* The entry of field, by the API's name or by the form's key (a form's own check names that). */
static const struct form_word *word_of(const struct form_word *t, size_t n, const char *field)
{
	for (size_t i = 0; i < n; i++)
		if (field_is(t[i].field, field) || (t[i].input && strcmp(t[i].input, field) == 0))
			return &t[i];
	return NULL;
}

/*
 * The message's rest after its leading field name (at the start, then a
 * space or ':'), or NULL. A nested object's fields are named by their own
 * name in the message (settings.url: "url must be..."), so that is tried too.
 */
static const char *after_name(const char *message, const char *field)
{
	const char *dot = strrchr(field, '.');
	size_t n = strlen(field);

	if (n && strncmp(message, field, n) == 0 && (message[n] == ' ' || message[n] == ':'))
		return message + n;
	return dot ? after_name(message, dot + 1) : NULL;
}

/* head and rest as err's message, begun with a capital unless it begins with what was typed. */
static void set_message(struct verror *err, const char *head, const char *rest, int typed)
{
	char text[sizeof(err->message)];

	snprintf(text, sizeof(text), "%s%s", head, rest);
	if (!typed)
		text[0] = (char)toupper((unsigned char)text[0]);
	memcpy(err->message, text, sizeof(err->message));
}

/* The first line of text that is not an e-mail address, into out; 0 if every line is one. */
static int bad_address(const char *text, char *out, size_t len)
{
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\r\n");
		char line[256];
		const char *start = p, *end = p + n;

		p = *end ? end + 1 : end;
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (start == end || (size_t)(end - start) >= sizeof(line))
			continue;
		memcpy(line, start, (size_t)(end - start));
		line[end - start] = '\0';
		if (!valid_email(line)) {
			snprintf(out, len, "%.80s", line);
			return 1;
		}
	}
	return 0;
}

void form_words(const struct request *req, struct verror *err, const struct form_word *table,
    size_t n)
{
	const struct form_word *w = word_of(table, n, err->field);
	const char *rest;
	char bad[96];

	if (w == NULL) {
		set_message(err, "", err->message, 0);
		return;
	}
	if (w->ask && (w->always || strcmp(err->code, "missing_field") == 0 ||
	    *page_form(req, w->input ? w->input : w->field) == '\0'))
		set_message(err, w->ask, "", 0);
	else if (w->addresses && strcmp(err->code, "invalid_value") == 0 &&
	    bad_address(page_form(req, w->input ? w->input : w->field), bad, sizeof(bad)))
		set_message(err, bad, " is not an e-mail address", 1);
	else if ((rest = after_name(err->message, err->field)) != NULL)
		set_message(err, w->label, rest, 0);
	else
		set_message(err, "", err->message, 0);
}

void form_error_count(char *out, size_t len, int n)
{
	snprintf(out, len, n == 1 ? "%d field needs attention" : "%d fields need attention", n);
}
