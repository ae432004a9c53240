/*
 * fuzz_ws_after.c - the WebSocket upgrade's ?after= (the value lws hands
 * over) through after_parse(): a whole number from 0, which written back
 * in decimal parses to itself.
 */
#include "fuzz.h"

#include "after.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), text[32];
	int64_t after, again;

	if (after_parse(s, &after) == 0) {
		FUZZ_CHECK(after >= 0);
		snprintf(text, sizeof(text), "%lld", (long long)after);
		FUZZ_CHECK(after_parse(text, &again) == 0 && again == after);
	} else {
		FUZZ_CHECK(after == -1 || after >= 0);
	}
	FUZZ_CHECK(after_parse(NULL, &after) == 0 && after == -1);
	free(s);
	return 0;
}
