/*
 * params.c - see params.h.
 */
#include "params.h"

#include <string.h>

int params_parse(struct pool *pool, const char *s, struct kv **out)
{
	struct kv *kv = pool_alloc(pool, sizeof(*kv) * PARAMS_MAX);
	int n = 0;

	*out = kv;
	while (*s) {
		const char *amp = strchr(s, '&');
		size_t len = amp ? (size_t)(amp - s) : strlen(s);
		char *pair = pool_strndup(pool, s, len), *eq;

		s += len + (amp ? 1 : 0);
		if (len == 0)
			continue;
		if (n >= PARAMS_MAX)
			return -1;
		eq = strchr(pair, '=');
		if (eq)
			*eq++ = '\0';
		if (url_decode(pair) < 0 || (eq && url_decode(eq) < 0))
			return -1;
		for (int i = 0; i < n; i++)
			if (strcmp(kv[i].key, pair) == 0)
				return -1;
		kv[n].key = pair;
		/* no '=': the empty string at the end of this pool copy, so every
		 * value is the pool's own memory (params_parse_form edits them) */
		kv[n].value = eq ? eq : pair + strlen(pair);
		n++;
	}
	return n;
}

/*
 * Browsers send every line break of a form value as CRLF (HTML's form
 * encoding), whatever the page showed: values are kept with LF, as the
 * API stores text, so that an unchanged textarea submits what it showed.
 */
static void line_breaks_lf(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\r') {
			*o++ = '\n';
			if (s[1] == '\n')
				s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int params_parse_form(struct pool *pool, const char *body, size_t len, struct kv **out)
{
	int n;

	if (!utf8_valid_text(body, len))
		return -1;
	n = params_parse(pool, body, out);
	if (n < 0)
		return -1;
	/* %XX may spell what the raw body could not hold */
	for (int i = 0; i < n; i++) {
		if (!utf8_valid_text((*out)[i].value, strlen((*out)[i].value)))
			return -1;
		/* the value is this pool's own copy (params_parse) */
		line_breaks_lf((char *)(*out)[i].value);
	}
	return n;
}

const char *params_get(const struct kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

const char *cookie_get(struct pool *pool, const char *header, const char *name)
{
	size_t nl = strlen(name);
	const char *p = header;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t vl = strcspn(v, ";");
			while (vl > 0 && v[vl - 1] == ' ')
				vl--;
			return pool_strndup(pool, v, vl);
		}
		p = strchr(p, ';');
	}
	return NULL;
}
