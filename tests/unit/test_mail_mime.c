/* test_mail_mime.c - the wire form of mail (mail_mime.c) and the SMTP URL. */
#include <sodium.h>
#include <string.h>

#include "config.h"
#include "mail_mime.h"
#include "mail_send.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

/* Every line ends in CRLF and holds at most max characters. */
static int lines_within(const char *s, size_t max)
{
	size_t len = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			if (p == s || p[-1] != '\r')
				return 0;
			len = 0;
			continue;
		}
		if (*p != '\r' && ++len > max)
			return 0;
	}
	return 1;
}

static void t_qp(void)
{
	struct buf b;
	char long_line[301];

	buf_init(&b);
	mime_qp(&b, "a=b");
	CU_ASSERT_STRING_EQUAL(b.data, "a=3Db\r\n");
	buf_reset(&b);
	mime_qp(&b, "trailing \nlast\t");
	CU_ASSERT_STRING_EQUAL(b.data, "trailing=20\r\nlast=09\r\n");
	buf_reset(&b);
	mime_qp(&b, "über\r\nx\ry");
	CU_ASSERT_STRING_EQUAL(b.data, "=C3=BCber\r\nx=0Dy\r\n");
	buf_reset(&b);
	memset(long_line, 'x', 300);
	long_line[300] = '\0';
	mime_qp(&b, long_line);
	CU_ASSERT_TRUE(lines_within(b.data, 76));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "=\r\n")); /* soft breaks */
	/* an escape is never split by a soft break */
	{
		char s[400] = "";
		for (int i = 0; i < 100; i++)
			strcat(s, "a=");
		buf_reset(&b);
		mime_qp(&b, s);
		CU_ASSERT_TRUE(lines_within(b.data, 76));
		for (const char *p = b.data; (p = strchr(p, '=')) != NULL; p++)
			CU_ASSERT_TRUE((p[1] == '3' && p[2] == 'D') || (p[1] == '\r' && p[2] == '\n'));
	}
	buf_free(&b);
}

/* Decodes the encoded words of a header line (after "Name:"). */
static void decode_words(const char *v, struct buf *out)
{
	const char *p = v;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *end = strstr(p + 10, "?=");
		unsigned char bin[128];
		size_t len = 0;
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT_TRUE(end + 2 - p <= 75); /* RFC 2047: a word is at most 75 */
		CU_ASSERT_EQUAL(sodium_base642bin(bin, sizeof(bin), p + 10, (size_t)(end - p - 10),
		    NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
		/* whole characters in each word */
		CU_ASSERT_TRUE(utf8_valid_text((const char *)bin, len));
		buf_append(out, (const char *)bin, len);
		p = end + 2;
	}
}

static void t_header_words(void)
{
	const char *name = "Goldpreis über 2.000 € — 金価格 Überwachung ÄÖÜäöüß ÄÖÜäöüß "
	    "ÄÖÜäöüß 金金金金金金金金金金金金金金金金金金金金 end";
	struct buf b, dec;

	buf_init(&b);
	buf_init(&dec);
	mime_header(&b, "Subject", "plain words");
	CU_ASSERT_STRING_EQUAL(b.data, "Subject: plain words\r\n");
	buf_reset(&b);
	mime_header(&b, "Subject", name);
	CU_ASSERT_TRUE(lines_within(b.data, 76));
	for (const char *p = b.data; *p; p++)
		CU_ASSERT_TRUE((unsigned char)*p < 0x80);
	decode_words(b.data, &dec);
	CU_ASSERT_STRING_EQUAL(dec.data, name);
	/* CR and LF can never start a header of their own */
	buf_reset(&b);
	buf_reset(&dec);
	mime_header(&b, "Subject", "x\r\nBcc: victim@example.com");
	CU_ASSERT_PTR_NULL(strstr(b.data, "\r\nBcc"));
	decode_words(b.data, &dec);
	CU_ASSERT_STRING_EQUAL(dec.data, "x\r\nBcc: victim@example.com");
	/* ASCII that looks like an encoded word is encoded, so it stays text */
	buf_reset(&b);
	mime_header(&b, "Subject", "=?UTF-8?B?SGk=?=");
	CU_ASSERT_PTR_NULL(strstr(b.data, "Subject: =?UTF-8?B?SGk=?=\r\n"));
	buf_free(&b);
	buf_free(&dec);
}

static void t_header_folding(void)
{
	char subject[400] = "[goldwatch] CRITICAL:";
	struct buf b, unfolded;

	while (strlen(subject) < 300)
		strcat(subject, " word");
	buf_init(&b);
	buf_init(&unfolded);
	mime_header(&b, "Subject", subject);
	CU_ASSERT_TRUE(lines_within(b.data, 78));
	/* unfolding (dropping CRLF before a space) gives the subject back */
	for (const char *p = b.data; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p++;
			continue;
		}
		buf_putc(&unfolded, *p);
	}
	CU_ASSERT_EQUAL(strncmp(unfolded.data, "Subject: ", 9), 0);
	CU_ASSERT_EQUAL(strncmp(unfolded.data + 9, subject, strlen(subject)), 0);
	buf_free(&b);
	buf_free(&unfolded);
}

static void t_from(void)
{
	char addr[64], name[64];

	CU_ASSERT_EQUAL(mime_from_parse("alerts@shop.example", addr, sizeof(addr), name,
	    sizeof(name)), 0);
	CU_ASSERT_STRING_EQUAL(addr, "alerts@shop.example");
	CU_ASSERT_STRING_EQUAL(name, "");
	CU_ASSERT_EQUAL(mime_from_parse("Gold Shop <alerts@shop.example>", addr, sizeof(addr),
	    name, sizeof(name)), 0);
	CU_ASSERT_STRING_EQUAL(addr, "alerts@shop.example");
	CU_ASSERT_STRING_EQUAL(name, "Gold Shop");
	CU_ASSERT_EQUAL(mime_from_parse("\"Gold, Shop\" <a@b.example>", addr, sizeof(addr),
	    name, sizeof(name)), 0);
	CU_ASSERT_STRING_EQUAL(name, "Gold, Shop");
	CU_ASSERT_EQUAL(mime_from_parse("not an address", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CU_ASSERT_EQUAL(mime_from_parse("Shop <a@b.example", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CU_ASSERT_EQUAL(mime_from_parse("a@b@c.example", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CU_ASSERT_EQUAL(mime_from_parse("x\r\nBcc: y <a@b.example>", addr, sizeof(addr), name,
	    sizeof(name)), -1);
	CU_ASSERT_EQUAL(mime_from_parse("", addr, sizeof(addr), name, sizeof(name)), -1);
}

static void t_message(void)
{
	struct mime_msg m = {
		.from = "Gold Shöp <alerts@shop.example>", .to = "owner@shop.example",
		.subject = "Test", .message_id = "<gw.1.x@shop.example>", .date_us = 0,
		.text = "line one\nline two", .html = "<p>x</p>", .kind = "fired",
		.alert_id = 42, .boundary = "=_b",
	};
	struct buf b;
	char date[48], dom[64];

	mime_date(0, date, sizeof(date));
	CU_ASSERT_STRING_EQUAL(date, "Thu, 01 Jan 1970 00:00:00 +0000");
	mime_date(1730799000LL * 1000000, date, sizeof(date));
	CU_ASSERT_STRING_EQUAL(date, "Tue, 05 Nov 2024 09:30:00 +0000");
	buf_init(&b);
	mime_build(&m, &b);
	CU_ASSERT_TRUE(lines_within(b.data, 78));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "From: =?UTF-8?B?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, " <alerts@shop.example>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "To: owner@shop.example\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "MIME-Version: 1.0\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "X-Goldwatch-Alert: 42\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "boundary=\"=_b\"\r\n\r\n"));
	/* text first, HTML last (clients show the last part they can) */
	CU_ASSERT_TRUE(strstr(b.data, "text/plain") < strstr(b.data, "text/html"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\r\n\r\nline one\r\nline two\r\n--=_b\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\r\n--=_b--\r\n"));
	buf_free(&b);
	CU_ASSERT_STRING_EQUAL(mime_message_domain("alerts@shop.example", dom, sizeof(dom)),
	    "shop.example");
	CU_ASSERT_STRING_EQUAL(mime_message_domain("\"Gold shop\" <alerts@gold.example>", dom,
	    sizeof(dom)), "gold.example");
	CU_ASSERT_STRING_EQUAL(mime_message_domain("not an address", dom, sizeof(dom)), "localhost");
}

static void t_smtp_url(void)
{
	struct config c = {0};
	char *u;

	c.smtp_server = (char *)"mail.shop.example";
	c.smtp_port = 465;
	u = mail_smtp_url(&c);
	CU_ASSERT_STRING_EQUAL(u, "smtps://mail.shop.example:465"); /* implicit TLS */
	free(u);
	c.smtp_port = 587;
	u = mail_smtp_url(&c);
	CU_ASSERT_STRING_EQUAL(u, "smtp://mail.shop.example:587");
	free(u);
	c.smtp_server = (char *)"::1";
	u = mail_smtp_url(&c);
	CU_ASSERT_STRING_EQUAL(u, "smtp://[::1]:587");
	free(u);
}

void suite_mail_mime(void)
{
	static const struct test_case cases[] = {
		{"quoted-printable", t_qp},
		{"RFC 2047 encoded words", t_header_words},
		{"long ASCII headers fold", t_header_folding},
		{"FROM_EMAIL forms", t_from},
		{"a whole message", t_message},
		{"the SMTP URL: 465 is implicit TLS", t_smtp_url},
		{NULL, NULL},
	};
	test_add_suite("mail_mime", NULL, NULL, cases);
}
