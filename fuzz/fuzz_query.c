/*
 * fuzz_query.c - a query string (QUERY_STRING as nginx passes it) through
 * params_parse(): split at '&' and '=', percent-decoded, at most
 * PARAMS_MAX pairs, no key twice.
 */
#include "fuzz.h"

#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct pool *pool = pool_new();
	struct kv *kv;
	int n = params_parse(pool, s, &kv);

	FUZZ_CHECK(n >= -1 && n <= PARAMS_MAX);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(kv[i].key != NULL && kv[i].value != NULL);
		/* keys are unique, so a lookup finds each pair's own value */
		FUZZ_CHECK(params_get(kv, (size_t)n, kv[i].key) == kv[i].value);
	}
	pool_free(pool);
	free(s);
	return 0;
}
