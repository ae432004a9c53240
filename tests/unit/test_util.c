/* test_util.c - time parsing and formatting, encodings, buffers, pools, gzip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gzip.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

static void t_time_parse(void)
{
	int64_t us;

	CU_ASSERT_EQUAL(time_parse_iso("1970-01-01T00:00:00Z", &us), 0);
	CU_ASSERT_EQUAL(us, 0);
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T10:00:00Z", &us), 0);
	CU_ASSERT_EQUAL(us, INT64_C(1795687200) * 1000000);
	/* offsets move the instant the other way */
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T13:30:00+03:30", &us), 0);
	CU_ASSERT_EQUAL(us, INT64_C(1795687200) * 1000000);
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T05:00:00-0500", &us), 0);
	CU_ASSERT_EQUAL(us, INT64_C(1795687200) * 1000000);
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T10:00:00.25Z", &us), 0);
	CU_ASSERT_EQUAL(us, INT64_C(1795687200) * 1000000 + 250000);
	CU_ASSERT_EQUAL(time_parse_iso("2024-02-29", &us), 0);
	/* refused: no zone, impossible dates, trailing junk, empty */
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T10:00:00", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("2026-02-29", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("2026-13-01", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T24:00:00Z", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T10:00:00Zjunk", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("yesterday", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("", &us), -1);
	CU_ASSERT_EQUAL(time_parse_iso("2026-11-26T10:00:00+25:00", &us), -1);
}

static void t_time_format(void)
{
	char out[40];
	int64_t us;

	time_format_iso(INT64_C(1795687200) * 1000000 + 123456, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2026-11-26T10:00:00.123456Z");
	CU_ASSERT_EQUAL(time_parse_iso(out, &us), 0);
	CU_ASSERT_EQUAL(us, INT64_C(1795687200) * 1000000 + 123456);
}

static void t_base64url(void)
{
	unsigned char in[] = {0xfb, 0xff, 0x00, 0x10, 0x83};
	unsigned char out[16];
	char enc[16];

	for (size_t n = 0; n <= sizeof(in); n++) {
		base64url_encode(in, n, enc);
		CU_ASSERT_EQUAL(base64url_decode(enc, out, sizeof(out)), (long)n);
		CU_ASSERT_EQUAL(memcmp(in, out, n), 0);
	}
	base64url_encode(in, 3, enc);
	CU_ASSERT_STRING_EQUAL(enc, "-_8A");
	CU_ASSERT_EQUAL(base64url_decode("ab+c", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(base64url_decode("a", out, sizeof(out)), -1);
	/* non-canonical trailing bits are refused */
	CU_ASSERT_EQUAL(base64url_decode("QR", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(base64url_decode("QQ", out, sizeof(out)), 1);
	/* no padding, no standard-alphabet characters, nothing after the text */
	CU_ASSERT_EQUAL(base64url_decode("QQ==", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(base64url_decode("ab/c", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(base64url_decode("QQ QQ", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(base64url_decode("", out, sizeof(out)), 0);
	/* the decoded bytes must fit */
	CU_ASSERT_EQUAL(base64url_decode("-_8A", out, 2), -1);
	CU_ASSERT_EQUAL(base64url_decode("-_8A", out, 3), 3);
	/* 12 bytes (an acknowledge nonce) are 16 characters */
	{
		char nonce[17];
		memset(nonce, 'x', sizeof(nonce));
		base64url_encode((const unsigned char *)"twelve bytes", 12, nonce);
		CU_ASSERT_EQUAL(strlen(nonce), 16);
	}
}

static void t_hex(void)
{
	unsigned char in[] = {0x00, 0x0f, 0xa5, 0xff};
	char out[9];

	memset(out, 'x', sizeof(out));
	hex_encode(in, sizeof(in), out);
	CU_ASSERT_STRING_EQUAL(out, "000fa5ff");
	hex_encode(in, 0, out);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void t_utf8(void)
{
	CU_ASSERT_TRUE(utf8_valid_text("gold 22k \xd8\xb0\xd9\x87\xd8\xa8", 15));
	CU_ASSERT_TRUE(utf8_valid_text("line\nnext\ttab", 13));
	/* a cut inside "\xd8\xb0" (bytes 9-10) keeps neither byte of it */
	CU_ASSERT_EQUAL(utf8_cut("gold 22k \xd8\xb0\xd9\x87", 13, 10), 9);
	CU_ASSERT_EQUAL(utf8_cut("gold 22k \xd8\xb0\xd9\x87", 13, 11), 11);
	CU_ASSERT_EQUAL(utf8_cut("gold", 4, 10), 4);
	CU_ASSERT_EQUAL(utf8_cut("\xd8\xb0", 2, 1), 0);
	CU_ASSERT_FALSE(utf8_valid_text("\xc3\x28", 2));          /* bad continuation */
	CU_ASSERT_FALSE(utf8_valid_text("\xc0\xaf", 2));          /* overlong */
	CU_ASSERT_FALSE(utf8_valid_text("\xed\xa0\x80", 3));      /* surrogate */
	CU_ASSERT_FALSE(utf8_valid_text("a\x01" "b", 3));         /* control */
	CU_ASSERT_FALSE(utf8_valid_text("a\0b", 3));              /* NUL */
	CU_ASSERT_FALSE(utf8_valid_text("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
}

static void t_url_decode(void)
{
	char a[] = "a%20b+c%2Fd", b[] = "bad%zz", c[] = "cut%00here", d[] = "trail%4";

	CU_ASSERT_EQUAL(url_decode(a), 0);
	CU_ASSERT_STRING_EQUAL(a, "a b c/d");
	CU_ASSERT_EQUAL(url_decode(b), -1);
	CU_ASSERT_EQUAL(url_decode(c), -1);
	CU_ASSERT_EQUAL(url_decode(d), -1);
}

static void t_buf_pool(void)
{
	struct buf b;
	struct pool *p = pool_new();
	char *big;

	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CU_ASSERT_EQUAL(strncmp(b.data, "0,1,2,", 6), 0);
	CU_ASSERT_EQUAL(b.data[b.len], '\0');
	buf_free(&b);
	for (int i = 0; i < 2000; i++)
		CU_ASSERT_PTR_NOT_NULL(pool_printf(p, "item %d", i));
	big = pool_alloc(p, 100000); /* larger than a block */
	memset(big, 'x', 100000);
	CU_ASSERT_STRING_EQUAL(pool_strdup(p, "kept"), "kept");
	pool_free(p);
}

static void t_parse_int(void)
{
	int64_t v;

	CU_ASSERT_EQUAL(parse_int64("42", 0, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(parse_int64("101", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_int64("4x", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_int64(" 4", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_int64("", 0, 100, &v), -1);
	CU_ASSERT_EQUAL(parse_int64("99999999999999999999", 0, INT64_MAX, &v), -1);
	CU_ASSERT_EQUAL(parse_int64("-3", -5, 5, &v), 0);
	CU_ASSERT_EQUAL(v, -3);
	CU_ASSERT_EQUAL(parse_int64("0", 0, 5, &v), 0);
	/* the JSON grammar: no hex, '+', leading zeros, spaces, fraction or exponent */
	static const char *const bad[] = {"0x10", "+5", "007", "4 ", "\t4", "1e3", "1.0", "-",
	    "0x", "1_000", "１"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 77;
		CU_ASSERT_EQUAL(parse_int64(bad[i], INT64_MIN, INT64_MAX, &v), -1);
		CU_ASSERT_EQUAL(v, 77);
	}
}

/* One number grammar for forms and query parameters: JSON's. */
static void t_parse_number(void)
{
	static const struct { const char *s; double v; } good[] = {
		{"16", 16}, {"-3", -3}, {"0.5", 0.5}, {"1e3", 1000}, {"1E-2", 0.01}, {"-0", 0},
		{"2.5e+2", 250}, {"0", 0}, {"1000000000000000", 1e15},
	};
	static const char *const bad[] = {"0x10", "0X1p4", "+5", " 5", "5 ", "inf", "-inf",
	    "nan", "NaN", "Infinity", "1e999", "-1e999", ".5", "5.", "1e", "1e+", "--1", "05",
	    "1,5", "", "-", "1.2.3", "5\n"};
	double d;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		d = -1;
		CU_ASSERT_EQUAL(parse_number(good[i].s, &d), 0);
		CU_ASSERT_DOUBLE_EQUAL(d, good[i].v, 1e-12);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 77;
		int rc = parse_number(bad[i], &d);
		if (rc != -1)
			fprintf(stderr, "\n    parse_number accepted \"%s\"\n", bad[i]);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_EQUAL(d, 77);
	}
	CU_ASSERT_EQUAL(parse_number(NULL, &d), -1);
}

static void t_url_origin(void)
{
	static const struct {
		const char *url, *origin;   /* origin NULL: refused */
	} cases[] = {
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"HTTPS://Shop.Example.COM/alerts?x=1", "https://shop.example.com"},
		{"https://shop.example.com:443", "https://shop.example.com"},
		{"http://shop.example.com:80/", "http://shop.example.com"},
		{"http://shop.example.com:443", "http://shop.example.com:443"},
		{"https://[::1]:8443/x", "https://[::1]:8443"},
		{"http://[::1]", "http://[::1]"},
		{"null", NULL},
		{"", NULL},
		{"ftp://shop.example.com", NULL},
		{"http://", NULL},
		{"http://:80", NULL},
		{"http://user@shop.example.com", NULL},
		{"http://shop.example.com:", NULL},
		{"http://shop.example.com:0", NULL},
		{"http://shop.example.com:65536", NULL},
		{"http://shop.example.com:8x", NULL},
		{"http://shop example.com", NULL},
		{"http://[::1", NULL},
		{"http://[::1]x", NULL},
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = url_origin(cases[i].url, out, sizeof(out));
		if (cases[i].origin) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_STRING_EQUAL(rc == 0 ? out : "(refused)", cases[i].origin);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
		}
	}
	CU_ASSERT_EQUAL(url_origin("https://a-very-long-host-name.example.com", out, 16), -1);
}

/* gzip_buf: what it writes unpacks to what it was given, after what out held. */
static void t_gzip(void)
{
	static const size_t sizes[] = {0, 1, 4000, 300000};
	struct buf in, out;
	char *back = xmalloc(300001);

	buf_init(&in);
	for (size_t i = 0; in.len < 300000; i++)
		buf_printf(&in, "<tr><td>row %zu</td><td>%08zx</td></tr>\n", i, i * 2654435761u);
	for (size_t k = 0; k < GW_ARRAY_LEN(sizes); k++) {
		uInt got = 300001;
		z_stream z = {0};
		buf_init(&out);
		buf_puts(&out, "kept");
		CU_ASSERT_EQUAL_FATAL(gzip_buf(in.data, sizes[k], &out), 0);
		CU_ASSERT_EQUAL(memcmp(out.data, "kept", 4), 0);
		CU_ASSERT_TRUE(out.len >= 4 + 18 && (unsigned char)out.data[4] == 0x1f &&
		    (unsigned char)out.data[5] == 0x8b);
		CU_ASSERT_EQUAL_FATAL(inflateInit2(&z, 15 + 16), Z_OK);
		z.next_in = (Bytef *)out.data + 4;
		z.avail_in = (uInt)(out.len - 4);
		z.next_out = (Bytef *)back;
		z.avail_out = got;
		CU_ASSERT_EQUAL(inflate(&z, Z_FINISH), Z_STREAM_END);
		CU_ASSERT_EQUAL(z.total_out, sizes[k]);
		CU_ASSERT_EQUAL(memcmp(back, in.data, sizes[k]), 0);
		inflateEnd(&z);
		if (sizes[k] > 1000)   /* a page's rows shrink */
			CU_ASSERT_TRUE(out.len - 4 < sizes[k] / 3);
		buf_free(&out);
	}
	buf_free(&in);
	free(back);
}

void suite_util(void)
{
	static const struct test_case cases[] = {
		{"time_parse_iso", t_time_parse},
		{"time_format_iso", t_time_format},
		{"base64url", t_base64url},
		{"hex_encode", t_hex},
		{"utf8_valid_text", t_utf8},
		{"url_decode", t_url_decode},
		{"buf and pool", t_buf_pool},
		{"parse_int64", t_parse_int},
		{"parse_number", t_parse_number},
		{"url_origin", t_url_origin},
		{"gzip_buf", t_gzip},
		{NULL, NULL},
	};
	test_add_suite("util", NULL, NULL, cases);
}
