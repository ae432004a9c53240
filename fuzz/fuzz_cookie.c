/*
 * fuzz_cookie.c - a Cookie header through cookie_get(). The input is
 * "NAME\nHEADER" (the cookie to look for, then the header) or, without a
 * line break, a header searched for the cookies goldwatch reads.
 */
#include "fuzz.h"

#include "params.h"

static const char *const names[] = {"gw_session", "gw_csrf", "gw_flash", "gw_login"};

/* The value found for name: a part of header, no ';', no trailing space. */
static void check(struct pool *pool, const char *header, const char *name)
{
	const char *v = cookie_get(pool, header, name);
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	FUZZ_CHECK(n < strlen(header));
	FUZZ_CHECK(strchr(v, ';') == NULL);
	FUZZ_CHECK(n == 0 || v[n - 1] != ' ');
	FUZZ_CHECK(strstr(header, v) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *nl = strchr(s, '\n');
	struct pool *pool = pool_new();

	if (nl) {
		*nl = '\0';
		check(pool, nl + 1, s);
	} else {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			check(pool, s, names[i]);
	}
	pool_free(pool);
	free(s);
	return 0;
}
