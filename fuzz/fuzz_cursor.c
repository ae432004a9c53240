/*
 * fuzz_cursor.c - the history's ?cursor= (cursor_parse), then what the
 * history does with a cursor it accepts: the time written as ISO 8601 for
 * the query, and the next page's cursor made from such a row.
 *
 * The first byte picks the layer: even, the rest is the cursor as a client
 * sends it; odd, the rest is the text inside the base64url, encoded here
 * (so the numbers themselves are explored, not only the base64).
 */
#include "fuzz.h"

#include "cursor.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *c, when[48];
	int64_t t_us, id, t2, id2;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		c = malloc(4 * (size / 3 + 1) + 1);
		if (c == NULL)
			abort();
		base64url_encode(data + 1, size - 1, c);
	} else {
		c = fuzz_cstr(data + 1, size - 1);
	}
	if (cursor_parse(c, &t_us, &id) == 0) {
		char *again;

		FUZZ_CHECK(id > 0);
		time_format_iso(t_us, when, sizeof(when));
		again = cursor_make(t_us, id);
		FUZZ_CHECK(cursor_parse(again, &t2, &id2) == 0);
		FUZZ_CHECK(t2 == t_us && id2 == id);
		free(again);
	}
	free(c);
	return 0;
}
