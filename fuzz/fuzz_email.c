/*
 * fuzz_email.c - a recipient address (rules, escalation, users) through
 * valid_email(). What it accepts must also be one address to the mail
 * code (mime_from_parse: no display name, no character that could break a
 * header or an SMTP command), within RFC 5321's lengths.
 */
#include "fuzz.h"

#include "mail_mime.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), addr[256], name[256];

	if (valid_email(s)) {
		const char *at = strrchr(s, '@');

		FUZZ_CHECK(strlen(s) <= 254 && at != NULL && at - s <= 64);
		FUZZ_CHECK(strpbrk(s, " \t\r\n<>()[]\\,;:\"") == NULL);
		FUZZ_CHECK(mime_from_parse(s, addr, sizeof(addr), name, sizeof(name)) == 0);
		FUZZ_CHECK(strcmp(addr, s) == 0 && name[0] == '\0');
	}
	free(s);
	return 0;
}
