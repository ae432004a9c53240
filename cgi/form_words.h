/*
 * form_words.h - a validation error in the words of the page it is shown
 * on. The API names a field by its JSON key ("for_evaluations must be from
 * 1 to 100"); a page says what its label says ("Breaches in a row must
 * be from 1 to 100"), and a choice left unmade is asked
 * for ("Choose a KPI"). Each form lists its fields once, as a table of
 * struct form_word; the API's messages stay as they are.
 */
#ifndef GW_FORM_WORDS_H
#define GW_FORM_WORDS_H

#include <stddef.h>

#include "request.h"
#include "valid.h"

struct form_word {
	const char *field;  /* the API's field name, as in verror.field; '*': an index */
	const char *label;  /* the form's label for it */
	const char *ask;    /* said instead when it is missing or its form key empty */
	int always;         /* any error on it is ask (a choice, or a field with one fault) */
	const char *input;  /* its form key if not field (NULL: field); needed with ask */
	int addresses;      /* e-mail addresses a line: one the check refuses is named */
};

#define FORM_WORDS(table) (table), (sizeof(table) / sizeof((table)[0]))

/*
 * Rewrites err's message in the words of table: ask when the field is
 * always asked for, missing or sent empty; the first address of an address
 * field that is none ("x is not an e-mail address"); else the message with
 * its leading field name replaced by the label. A field not in the table
 * keeps its message, its first letter capitalised.
 */
void form_words(const struct request *req, struct verror *err, const struct form_word *table,
    size_t n);

/* "1 field needs attention", "5 fields need attention". */
void form_error_count(char *out, size_t len, int n);

#endif
