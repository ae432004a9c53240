/*
 * fuzz_from_email.c - FROM_EMAIL ("a@b" or "Display Name <a@b>") through
 * mime_from_parse(), as goldwatch checks it at start; for a value it
 * accepts, the From header of a message built with it: one header, no
 * line a reader could take for another header (no header injection).
 */
#include "fuzz.h"

#include "mail_mime.h"

/* Every header line of out starts with a header goldwatch writes, or folds. */
static void check_headers(const char *msg)
{
	static const char *const known[] = {"Date:", "From:", "To:", "Subject:",
	    "Message-ID:", "MIME-Version:", "Auto-Submitted:", "Content-Type:"};
	const char *end = strstr(msg, "\r\n\r\n"), *line = msg;
	int froms = 0;

	FUZZ_CHECK(end != NULL);
	while (line <= end) {
		size_t i, n = GW_ARRAY_LEN(known);

		if (*line != ' ') {
			for (i = 0; i < n; i++)
				if (strncmp(line, known[i], strlen(known[i])) == 0)
					break;
			FUZZ_CHECK(i < n);
			froms += i == 1;
		}
		line = strstr(line, "\r\n") + 2;
	}
	FUZZ_CHECK(froms == 1);
	/* no bare CR or LF in the headers */
	for (const char *p = msg; p < end; p++)
		if (*p == '\r' || *p == '\n')
			FUZZ_CHECK(p[0] == '\r' ? p[1] == '\n' : p[-1] == '\r');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *from = fuzz_cstr(data, size), addr[256], name[256], domain[256];
	struct mime_msg m = {.to = "rcpt@shop.example", .subject = "fuzz",
	    .message_id = "<fuzz@shop.example>", .text = "t", .html = "h",
	    .boundary = "=_fuzz"};
	struct buf out;

	if (mime_from_parse(from, addr, sizeof(addr), name, sizeof(name)) == 0) {
		FUZZ_CHECK(strchr(addr, '@') != NULL && strchr(addr, '@') == strrchr(addr, '@'));
		FUZZ_CHECK(strpbrk(addr, " \t\r\n<>\"") == NULL);
		FUZZ_CHECK(strpbrk(name, "\r\n\"\\") == NULL);
		/* the right-hand part of every Message-ID queued with it */
		mime_message_domain(from, domain, sizeof(domain));
		FUZZ_CHECK(*domain && strpbrk(domain, " \t\r\n<>\"@") == NULL);
		m.from = from;
		buf_init(&out);
		mime_build(&m, &out);
		check_headers(out.data);
		buf_free(&out);
	}
	free(from);
	return 0;
}
