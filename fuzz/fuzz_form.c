/*
 * fuzz_form.c - a form body (application/x-www-form-urlencoded, any bytes,
 * NULs included, as the request body arrives) through params_parse_form():
 * UTF-8 text before and after decoding, then the pairs.
 */
#include "fuzz.h"

#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the body as request_read_body() leaves it: size bytes and a NUL */
	char *body = fuzz_cstr(data, size);
	struct pool *pool = pool_new();
	struct kv *kv;
	int n = params_parse_form(pool, body, size, &kv);

	FUZZ_CHECK(n >= -1 && n <= PARAMS_MAX);
	if (n >= 0)
		FUZZ_CHECK(utf8_valid_text(body, size));
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(utf8_valid_text(kv[i].value, strlen(kv[i].value)));
		FUZZ_CHECK(params_get(kv, (size_t)n, kv[i].key) == kv[i].value);
	}
	pool_free(pool);
	free(body);
	return 0;
}
