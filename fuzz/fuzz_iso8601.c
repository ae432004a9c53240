/*
 * fuzz_iso8601.c - the ISO 8601 / RFC 3339 parser every API time goes
 * through (time_parse_iso), and the formatter the answers use: a time it
 * accepts, written back (UTC), reads as the same instant whenever that
 * instant is within the years it accepts.
 */
#include "fuzz.h"

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), out[48];
	int64_t us, again;

	if (time_parse_iso(s, &us) == 0) {
		time_format_iso(us, out, sizeof(out));
		if (us >= TIME_FIRST_US && us < TIME_END_US) {
			FUZZ_CHECK(time_parse_iso(out, &again) == 0);
			FUZZ_CHECK(again == us);
		}
	}
	free(s);
	return 0;
}
