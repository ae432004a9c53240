/*
 * route.c - see route.h.
 */
#include "route.h"

#include <ctype.h>
#include <string.h>

static int param_char_ok(int is_id, char c)
{
	if (is_id)
		return isdigit((unsigned char)c);
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

int route_match(const char *pattern, const char *path, struct route_params *p)
{
	const char *pp = pattern, *s = path;

	p->n = 0;
	while (*pp) {
		if (*pp == '{') {
			const char *close = strchr(pp, '}');
			size_t nlen, vlen = 0;
			int is_id;

			if (close == NULL || p->n >= ROUTE_MAX_PARAMS)
				return 0;
			nlen = (size_t)(close - pp - 1);
			if (nlen == 0 || nlen >= sizeof(p->name[0]))
				return 0;
			is_id = strncmp(pp + 1, "id", 2) == 0;
			while (s[vlen] && s[vlen] != '/' && param_char_ok(is_id, s[vlen]))
				vlen++;
			if (vlen == 0 || vlen >= ROUTE_PARAM_MAX || (s[vlen] && s[vlen] != '/'))
				return 0;
			/* ids: no leading zero, at most 18 digits (fits int64) */
			if (is_id && (s[0] == '0' || vlen > 18))
				return 0;
			memcpy(p->name[p->n], pp + 1, nlen);
			p->name[p->n][nlen] = '\0';
			memcpy(p->value[p->n], s, vlen);
			p->value[p->n][vlen] = '\0';
			p->n++;
			s += vlen;
			pp = close + 1;
			continue;
		}
		if (*pp != *s)
			return 0;
		pp++;
		s++;
	}
	return *s == '\0';
}

const char *route_param(const struct route_params *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->value[i];
	return NULL;
}
