/*
 * test_mail.c - e-mail end to end against a real SMTP server (tests/smtp:
 * aiosmtpd with STARTTLS and AUTH, started by tests/run.sh, which exports
 * SMTP_* for it and GW_TEST_SMTP_DIR/_PORT/_USER/_PASSWORD for us). Every
 * message the server accepts is a .eml file (the bytes) and a .json file
 * (envelope, time accepted, and Python's email package's reading of it);
 * the tests read both, and parse the .eml with their own small MIME reader.
 *
 * Cases: a fired alert reaches every recipient, as proper MIME, escaped in
 * HTML and intact in text; the API answers before SMTP, and stays fast
 * while the SMTP server accepts connections and never answers; an outage keeps
 * the rows queued with backoff and delivers each once afterwards; two
 * mailers at once; a wrong password; permanent and temporary refusals and
 * dead letters in the API; certificate checks; the spool; the rule's test
 * message; the acknowledge link from a received mail.
 *
 * The stack runs the delivery service (goldwatch-mailer --serve). The
 * cases that run goldwatch-mailer by hand, and need their passes to be
 * the only ones, form the suite "mail-by-hand", which stops the service
 * while it runs.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ack.h"
#include "config.h"
#include "db.h"
#include "engine.h"
#include "integration.h"
#include "mail_deliver.h"
#include "util.h"

#define ALICE "alice@mail.goldwatch.test"
#define BOB "bob@mail.goldwatch.test"
#define OUTSIDER "outsider@elsewhere.example"
#define VERA "vera@mail.goldwatch.test"     /* a viewer: may not acknowledge */
#define DORA "dora@mail.goldwatch.test"     /* an operator, demoted in a test */
#define EVIL_NAME "<script>alert(1)</script> & Co"

/* ------------------------------------------------------------------ */
/* the test SMTP server and what it received                           */

static const char *smtp_dir(void)
{
	return test_env("GW_TEST_SMTP_DIR");
}

/* Restarts the server on its port (after smtp_stop). 0 on success. */
static int smtp_start(void)
{
	return test_system("SMTPD_DESCRIBE=1 SMTPD_USER='%s' SMTPD_PASSWORD='%s'"
	    " '%s/tests/smtp/smtp.sh' start '%s' %s >/dev/null", test_env("GW_TEST_SMTP_USER"),
	    test_env("GW_TEST_SMTP_PASSWORD"), test_top(), smtp_dir(),
	    test_env("GW_TEST_SMTP_PORT"));
}

static int smtp_stop(void)
{
	return test_system("'%s/tests/smtp/smtp.sh' stop '%s'", test_top(), smtp_dir());
}

/* Every .json the server wrote, read once (name -> object). */
static json_t *seen;

static void scan_mail(void)
{
	char *path = xasprintf("%s/mail", smtp_dir());
	DIR *d = opendir(path);
	struct dirent *e;

	if (seen == NULL)
		seen = json_object();
	while (d && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char *file;
		json_t *j;
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0 ||
		    json_object_get(seen, e->d_name))
			continue;
		file = xasprintf("%s/%s", path, e->d_name);
		j = json_load_file(file, 0, NULL);
		if (j)
			json_object_set_new(seen, e->d_name, j);
		free(file);
	}
	if (d)
		closedir(d);
	free(path);
}

static int addressed_to(const json_t *m, const char *rcpt)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(m, "rcpt_tos"), i, v)
		if (strcasecmp(json_string_value(v), rcpt) == 0)
			return 1;
	return 0;
}

/* The messages to rcpt whose subject holds part (NULL: any), by arrival. */
static json_t *received(const char *rcpt, const char *part)
{
	json_t *out = json_array(), *m;
	const char *k;

	scan_mail();
	json_object_foreach(seen, k, m) {
		const char *subject = json_string_value(json_object_get(m, "subject"));
		if (addressed_to(m, rcpt) && (part == NULL || (subject && strstr(subject, part))))
			json_array_append(out, m);
	}
	/* object order is not arrival order: sort by seq */
	for (size_t i = 1; i < json_array_size(out); i++)
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(out, j - 1), *b = json_array_get(out, j);
			if (json_integer_value(json_object_get(a, "seq")) <=
			    json_integer_value(json_object_get(b, "seq")))
				break;
			json_incref(a);
			json_array_set(out, j - 1, b);
			json_array_set_new(out, j, a);
		}
	return out;
}

static size_t count_received(const char *rcpt, const char *part)
{
	json_t *r = received(rcpt, part);
	size_t n = json_array_size(r);

	json_decref(r);
	return n;
}

/* Waits until rcpt has at least n such messages (or timeout_ms). */
static json_t *wait_received(const char *rcpt, const char *part, size_t n, int timeout_ms)
{
	json_t *r = received(rcpt, part);

	for (int waited = 0; json_array_size(r) < n && waited < timeout_ms; waited += 50) {
		json_decref(r);
		test_sleep_ms(50);
		r = received(rcpt, part);
	}
	return r;
}

static char *raw_of(const json_t *m)
{
	char *path = xasprintf("%s/mail/%06lld.eml", smtp_dir(),
	    (long long)json_integer_value(json_object_get(m, "seq")));
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	buf_init(&b);
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (f)
		fclose(f);
	free(path);
	return buf_detach(&b);
}

/* The decoded body of part i of the server's reading, or "". */
static const char *part_body(const json_t *m, size_t i)
{
	const json_t *b = json_object_get(json_array_get(json_object_get(m, "parts"), i), "body");
	return json_is_string(b) ? json_string_value(b) : "";
}

static const char *part_type(const json_t *m, size_t i)
{
	const json_t *t = json_object_get(json_array_get(json_object_get(m, "parts"), i),
	    "content_type");
	return json_is_string(t) ? json_string_value(t) : "";
}

/* A header as the server's reader decoded it, or "". */
static const char *header_of(const json_t *m, const char *name)
{
	size_t i;
	json_t *h;

	json_array_foreach(json_object_get(m, "headers"), i, h)
		if (strcasecmp(json_string_value(json_array_get(h, 0)), name) == 0)
			return json_string_value(json_array_get(h, 1));
	return "";
}

/* ------------------------------------------------------------------ */
/* our own small MIME reader: the wire form, independent of the server  */

struct mime {
	struct buf headers;   /* unfolded, one "Name: value\n" per line */
	char *subject;        /* RFC 2047 decoded */
	char *text, *html;    /* quoted-printable decoded, CRLF as \n */
	int nparts;
	int wire_ok;          /* 7-bit, CRLF only, lines within limits */
};

static void mime_free(struct mime *m)
{
	buf_free(&m->headers);
	free(m->subject);
	free(m->text);
	free(m->html);
	memset(m, 0, sizeof(*m));
}

static const char *mime_get(const struct mime *m, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = m->headers.data;

	out[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t n;
			while (*v == ' ')
				v++;
			n = (size_t)((eol ? eol : v + strlen(v)) - v);
			snprintf(out, outlen, "%.*s", (int)n, v);
			return out;
		}
		p = eol ? eol + 1 : NULL;
	}
	return out;
}

static char *qp_decode(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 < n + 1 && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2; /* soft line break */
		} else if (s[i] == '=' && i + 2 < n) {
			char hex[3] = {s[i + 1], s[i + 2], 0};
			buf_putc(&b, (char)strtol(hex, NULL, 16));
			i += 2;
		} else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			buf_putc(&b, '\n');
			i++;
		} else {
			buf_putc(&b, s[i]);
		}
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_detach(&b);
}

/* "=?UTF-8?B?...?=" words decoded, the space between two words dropped. */
static char *words_decode(const char *v)
{
	struct buf b;
	int last_word = 0;

	buf_init(&b);
	buf_puts(&b, "");
	while (*v) {
		const char *end;
		if (strncasecmp(v, "=?UTF-8?B?", 10) == 0 && (end = strstr(v + 10, "?=")) != NULL) {
			unsigned char bin[256];
			size_t len = 0;
			char b64[400];
			snprintf(b64, sizeof(b64), "%.*s", (int)(end - v - 10), v + 10);
			if (sodium_base642bin(bin, sizeof(bin), b64, strlen(b64), NULL, &len, NULL,
			    sodium_base64_VARIANT_ORIGINAL) == 0)
				buf_append(&b, (const char *)bin, len);
			v = end + 2;
			last_word = 1;
			continue;
		}
		if (*v == ' ' && last_word) {
			const char *q = v;
			while (*q == ' ')
				q++;
			if (strncasecmp(q, "=?UTF-8?B?", 10) == 0) {
				v = q;
				continue;
			}
		}
		last_word = 0;
		buf_putc(&b, *v++);
	}
	return buf_detach(&b);
}

static int mime_parse(const char *raw, struct mime *m)
{
	const char *body = strstr(raw, "\r\n\r\n"), *p;
	char ct[512], boundary[200], delim[210];
	size_t line = 0;

	memset(m, 0, sizeof(*m));
	buf_init(&m->headers);
	m->wire_ok = 1;
	for (p = raw; *p; p++) {
		if ((unsigned char)*p >= 0x80 || (*p == '\n' && (p == raw || p[-1] != '\r')))
			m->wire_ok = 0;
		line = *p == '\n' ? 0 : line + 1;
		/* 998 is the hard limit; header lines stay at 78 */
		if (line > 998 || (body && p < body && line > 78))
			m->wire_ok = 0;
	}
	if (body == NULL)
		return -1;
	for (p = raw; p < body; p++) {
		if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
			p++; /* unfold: drop CRLF, keep the space */
			continue;
		}
		if (p[0] == '\r')
			continue;
		buf_putc(&m->headers, *p);
	}
	buf_putc(&m->headers, '\n');
	m->subject = words_decode(mime_get(m, "Subject", ct, sizeof(ct)));
	mime_get(m, "Content-Type", ct, sizeof(ct));
	if (strncmp(ct, "multipart/alternative;", 22) != 0 ||
	    sscanf(strstr(ct, "boundary=\"") ? strstr(ct, "boundary=\"") + 10 : "", "%199[^\"]",
	    boundary) != 1)
		return -1;
	snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	p = strstr(body, delim);
	while (p) {
		const char *start = p + strlen(delim), *next, *pbody;
		if (strncmp(start, "--", 2) == 0)
			break; /* the closing delimiter */
		start += 2; /* CRLF after the delimiter */
		next = strstr(start, delim);
		pbody = strstr(start, "\r\n\r\n");
		if (next == NULL || pbody == NULL || pbody > next)
			return -1;
		pbody += 4;
		m->nparts++;
		if (strncasecmp(start, "Content-Type: text/plain; charset=UTF-8", 39) == 0)
			m->text = qp_decode(pbody, (size_t)(next - pbody));
		else if (strncasecmp(start, "Content-Type: text/html; charset=UTF-8", 38) == 0)
			m->html = qp_decode(pbody, (size_t)(next - pbody));
		p = next;
	}
	return m->text && m->html ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* fixtures and jobs                                                   */

static void mail_users(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	test_user("mail-alice", "alice-password-1", "operator");
	test_user("mail-bob", "bob-password-12", "operator");
	test_user("mail-vera", "vera-password-12", "viewer");
	test_user("mail-dora", "dora-password-12", "operator");
	test_exec("UPDATE users SET email = $2 WHERE username = $1", 2, TP("mail-alice", ALICE));
	test_exec("UPDATE users SET email = $2 WHERE username = $1", 2, TP("mail-bob", BOB));
	test_exec("UPDATE users SET email = $2 WHERE username = $1", 2, TP("mail-vera", VERA));
	test_exec("UPDATE users SET email = $2 WHERE username = $1", 2, TP("mail-dora", DORA));
	make_push_kpi("m_mail", 0);
	push_value("m_mail", 100, 0);
}

/* A rule on m_mail (100 now) that fires: threshold 50, these recipients. */
static long long firing_rule(const char *name, const char *recipients)
{
	json_t *b = json_pack("{ss ss ss sf ss si}", "name", name, "kpi", "m_mail",
	    "condition", "gt", "threshold", 50.0, "severity", "critical", "cooldown_minutes", 0);
	char *s;
	long long id;

	json_object_set_new(b, "recipients", json_loads(recipients, 0, NULL));
	s = json_dumps(b, JSON_COMPACT);
	id = make_rule(s);
	free(s);
	json_decref(b);
	return id;
}

static long long fire(long long rule_id)
{
	struct http_resp r = evaluate_rule(rule_id);
	long long alert;

	EXPECT_STATUS(r, 200);
	alert = jint(&r, "fired.0.id");
	http_free(&r);
	CU_ASSERT_TRUE(alert > 0);
	return alert;
}

/*
 * Runs goldwatch-mailer with env (added to the SMTP_* of the test server)
 * and args. Its output goes to a log of the stack (scanned for sanitizer
 * reports) and, with out, to the caller (who frees). Exit status.
 */
static int run_mailer(const char *env, const char *args, char **out)
{
	static int n;
	char *log = xasprintf("%s/log/mailer-test-%d.log", test_env("GW_TEST_STACK"), ++n);
	int rc = test_system("%s '%s/goldwatch-mailer' %s >'%s' 2>&1", env ? env : "",
	    test_env("GW_TEST_BIN"), args ? args : "", log);

	if (out)
		*out = test_read_file(log);
	free(log);
	return rc;
}

/* --now=ISO, seconds from now. */
static const char *now_plus(int seconds, char *out, size_t outlen)
{
	char iso[40];

	time_format_iso(time_now_us() + (int64_t)seconds * 1000000, iso, sizeof(iso));
	snprintf(out, outlen, "--now=%s", iso);
	return out;
}

/* A row of kind queued directly: the mailer tests need no alert. */
static long long queue_kind(const char *kind, const char *rcpt)
{
	PGresult *r = test_sql("INSERT INTO mail_outbox (kind, recipient, subject, body_text,"
	    " body_html) VALUES ($1, $2, 'queued for ' || $2, 'Plain text: 5 < 6 & 7',"
	    " '<p>HTML: 5 &lt; 6 &amp; 7</p>') RETURNING id", 2, TP(kind, rcpt));
	long long id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;

	PQclear(r);
	return id;
}

static long long queue_row(const char *rcpt)
{
	return queue_kind("test", rcpt);
}

static long long row_int(long long id, const char *col_sql)
{
	char ids[24], *sql = xasprintf("SELECT %s FROM mail_outbox WHERE id = $1::bigint", col_sql);
	long long v;

	snprintf(ids, sizeof(ids), "%lld", id);
	v = test_sql_int(sql, 1, TP(ids));
	free(sql);
	return v;
}

static char *row_str(long long id, const char *col_sql)
{
	char ids[24], *sql = xasprintf("SELECT %s FROM mail_outbox WHERE id = $1::bigint", col_sql);
	char *v;

	snprintf(ids, sizeof(ids), "%lld", id);
	v = test_sql_str(sql, 1, TP(ids));
	free(sql);
	return v;
}

/* Waits until row id was attempted at least once (the API's pass runs
 * after the response). */
static void wait_attempted(long long id)
{
	for (int i = 0; i < 200 && row_int(id, "attempts") == 0; i++)
		test_sleep_ms(50);
}

static int suite_init(void)
{
	/* what earlier suites queued and did not deliver is not ours to send:
	 * a general mailer pass here must see only this suite's rows */
	PGresult *r = PQexec(test_db(), "DELETE FROM mail_outbox WHERE status = 'queued'");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* the cases                                                           */

static void t_fired_reaches_every_recipient(void)
{
	const char *rcpts[] = {ALICE, BOB, OUTSIDER, VERA};
	json_t *got[4];
	long long rule, alert;
	char alert_url[128], *raw;
	struct mime m;
	char h[512], sql_id[24];

	mail_users();
	rule = firing_rule(EVIL_NAME, "[\"" ALICE "\",\"" BOB "\",\"" OUTSIDER "\",\"" VERA "\"]");
	alert = fire(rule);
	snprintf(alert_url, sizeof(alert_url), "%s/alerts/%lld", test_base_url(), alert);
	for (int i = 0; i < 4; i++) {
		got[i] = wait_received(rcpts[i], EVIL_NAME, 1, 10000);
		CU_ASSERT_EQUAL(json_array_size(got[i]), 1);
	}
	/* the outbox records each delivery (the service marks a mail sent just
	 * after the server accepted it: the receiver may be a moment ahead) */
	snprintf(sql_id, sizeof(sql_id), "%lld", alert);
	for (int i = 0; i < 100 && SQL_INT("SELECT count(*) FROM mail_outbox"
	    " WHERE alert_id = $1::bigint AND status <> 'sent'", sql_id) > 0; i++)
		test_sleep_ms(50);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE alert_id = $1::bigint"
	    " AND kind = 'fired' AND status = 'sent' AND attempts = 1 AND sent_at IS NOT NULL"
	    " AND last_error IS NULL AND message_id IS NOT NULL", sql_id), 4);
	for (int i = 0; i < 4; i++) {
		json_t *msg = json_array_get(got[i], 0);
		const char *text, *html;
		char *subject, *mid;
		if (msg == NULL)
			continue;
		/* the envelope: TLS, authenticated, one recipient per message */
		CU_ASSERT_TRUE(json_is_true(json_object_get(msg, "tls")));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(msg, "auth_user")),
		    test_env("GW_TEST_SMTP_USER"));
		CU_ASSERT_EQUAL(json_array_size(json_object_get(msg, "rcpt_tos")), 1);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(msg, "mail_from")),
		    "alerts@goldwatch.test");
		/* Python's email package reads it without complaint */
		CU_ASSERT_EQUAL(json_array_size(json_object_get(msg, "defects")), 0);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(msg, "content_type")),
		    "multipart/alternative");
		CU_ASSERT_EQUAL(json_array_size(json_object_get(msg, "parts")), 2);
		CU_ASSERT_STRING_EQUAL(part_type(msg, 0), "text/plain");
		CU_ASSERT_STRING_EQUAL(part_type(msg, 1), "text/html");
		CU_ASSERT_STRING_EQUAL(header_of(msg, "To"), rcpts[i]);
		CU_ASSERT_STRING_EQUAL(header_of(msg, "From"), "goldwatch tests <alerts@goldwatch.test>");
		CU_ASSERT_STRING_EQUAL(header_of(msg, "MIME-Version"), "1.0");
		CU_ASSERT_PTR_NOT_NULL(strstr(header_of(msg, "Date"), " +0000"));
		subject = test_sql_str("SELECT subject FROM mail_outbox WHERE alert_id = $1::bigint"
		    " AND recipient = $2", 2, TP(sql_id, rcpts[i]));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(msg, "subject")), subject);
		mid = test_sql_str("SELECT message_id FROM mail_outbox WHERE alert_id = $1::bigint"
		    " AND recipient = $2", 2, TP(sql_id, rcpts[i]));
		CU_ASSERT_STRING_EQUAL(header_of(msg, "Message-ID"), mid);
		free(subject);
		free(mid);
		/* the rule's name: escaped in HTML, intact in text */
		text = part_body(msg, 0);
		html = part_body(msg, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "Rule:       " EVIL_NAME "\r\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
		CU_ASSERT_PTR_NULL(strstr(html, "<script"));
		CU_ASSERT_PTR_NULL(strstr(html, "& Co"));
		/* what it says: severity, KPI, value and threshold with units, when, link */
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "Severity:   critical"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "KPI:        m_mail = 100 USD"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "Threshold:  above 50 USD"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "When:       "));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, alert_url));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, alert_url));
		CU_ASSERT_PTR_NULL(strstr(html, "<script")); /* no script of ours either */
		/* an acknowledge link for users who may acknowledge only (not the
		 * outsider, not the viewer), each their own */
		CU_ASSERT_EQUAL(strstr(text, "/ack?t=") != NULL, i < 2);
		CU_ASSERT_EQUAL(strstr(html, "/ack?t=") != NULL, i < 2);
	}
	if (json_array_size(got[0]) && json_array_size(got[1]))
		CU_ASSERT_STRING_NOT_EQUAL(strstr(part_body(json_array_get(got[0], 0), 0), "/ack?t="),
		    strstr(part_body(json_array_get(got[1], 0), 0), "/ack?t="));

	/* the wire form, read by our own MIME reader */
	if (json_array_size(got[0]) == 1) {
		raw = raw_of(json_array_get(got[0], 0));
		CU_ASSERT_EQUAL_FATAL(mime_parse(raw, &m), 0);
		CU_ASSERT_TRUE(m.wire_ok);
		CU_ASSERT_EQUAL(m.nparts, 2);
		CU_ASSERT_PTR_NOT_NULL(strstr(m.subject, EVIL_NAME));
		CU_ASSERT_PTR_NOT_NULL(strstr(m.text, "Rule:       " EVIL_NAME "\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(m.html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
		CU_ASSERT_STRING_EQUAL(mime_get(&m, "To", h, sizeof(h)), ALICE);
		CU_ASSERT_PTR_NOT_NULL(strstr(mime_get(&m, "Message-ID", h, sizeof(h)), "@goldwatch.test>"));
		CU_ASSERT_STRING_EQUAL(mime_get(&m, "Auto-Submitted", h, sizeof(h)), "auto-generated");
		CU_ASSERT_STRING_EQUAL(mime_get(&m, "X-Goldwatch-Kind", h, sizeof(h)), "fired");
		mime_free(&m);
		free(raw);
	}
	for (int i = 0; i < 4; i++)
		json_decref(got[i]);
}

static void t_subject_not_ascii(void)
{
	/* 200 characters, most of them outside ASCII */
	const char *name = "Goldpreis über 2.000 € — 金価格 Überwachung "
	    "ÄÖÜäöüß ÄÖÜäöüß ÄÖÜäöüß ÄÖÜäöüß ÄÖÜäöüß ÄÖÜäöüß ÄÖÜäöüß ÄÖÜäöüß "
	    "金金金金金金金金金金金金金金金金金金金金金金金金金金金金金金金 end";
	json_t *got, *msg;
	long long rule;
	char *raw, h[1024];
	struct mime m;

	mail_users();
	rule = firing_rule(name, "[\"subject-test@shop.example\"]");
	fire(rule);
	got = wait_received("subject-test@shop.example", NULL, 1, 10000);
	CU_ASSERT_EQUAL_FATAL(json_array_size(got), 1);
	msg = json_array_get(got, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(msg, "subject")), name));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(msg, "defects")), 0);
	raw = raw_of(msg);
	CU_ASSERT_EQUAL(mime_parse(raw, &m), 0);
	CU_ASSERT_TRUE(m.wire_ok); /* 7-bit, folded: encoded words of at most 76 */
	CU_ASSERT(m.subject && strstr(m.subject, name));
	CU_ASSERT_PTR_NOT_NULL(strstr(mime_get(&m, "Subject", h, sizeof(h)), "=?UTF-8?B?"));
	CU_ASSERT(m.text && strstr(m.text, name));
	mime_free(&m);
	free(raw);
	json_decref(got);
}

/* A built-in KPI (the demo shop's) carries what the owner should check. */
static void t_recommendation(void)
{
	long long rule = make_rule("{\"name\":\"revenue watch\",\"kpi\":\"revenue_today\","
	    "\"condition\":\"gte\",\"threshold\":-1000000000,\"severity\":\"warning\","
	    "\"recipients\":[\"advice@shop.example\"]}");
	char *rec = test_sql_str("SELECT recommendation FROM kpis WHERE key = 'revenue_today'",
	    0, NULL);
	json_t *got;

	fire(rule);
	got = wait_received("advice@shop.example", "revenue watch", 1, 10000);
	CU_ASSERT_EQUAL(json_array_size(got), 1);
	CU_ASSERT_TRUE(strlen(rec) > 20);
	if (json_array_size(got) == 1) {
		json_t *msg = json_array_get(got, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(part_body(msg, 0), "What to check: "));
		CU_ASSERT_PTR_NOT_NULL(strstr(part_body(msg, 0), rec));
		CU_ASSERT_PTR_NOT_NULL(strstr(part_body(msg, 0), "Revenue today"));
		CU_ASSERT_PTR_NOT_NULL(strstr(part_body(msg, 1), "What to check:"));
		CU_ASSERT_STRING_EQUAL(header_of(msg, "X-Goldwatch-Kind"), "fired");
	}
	json_decref(got);
	free(rec);
}

static void t_evaluate_job_delivers(void)
{
	long long rule;
	char args[64];

	mail_users();
	rule = firing_rule("fired by the job", "[\"job-a@shop.example\",\"job-b@shop.example\"]");
	snprintf(args, sizeof(args), "--rule %lld", rule);
	CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	/* the job only queued: the stack's delivery service, woken by its
	 * commit, delivers each once */
	json_decref(wait_received("job-a@shop.example", "fired by the job", 1, 10000));
	json_decref(wait_received("job-b@shop.example", "fired by the job", 1, 10000));
	CU_ASSERT_EQUAL(count_received("job-a@shop.example", "fired by the job"), 1);
	CU_ASSERT_EQUAL(count_received("job-b@shop.example", "fired by the job"), 1);
	CU_ASSERT_EQUAL(outbox_of(rule, "fired"), 2);
}

static void t_api_answers_before_smtp(void)
{
	char *delay = xasprintf("%s/delay", smtp_dir());
	FILE *f = fopen(delay, "w");
	long long rule;
	int64_t t0, t_resp;
	json_t *got;
	struct http_resp r;

	mail_users();
	rule = firing_rule("slow server", "[\"slow@shop.example\"]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("1.5\n", f); /* the server takes 1.5 s to accept each message */
	fclose(f);
	t0 = time_now_us();
	r = evaluate_rule(rule);
	t_resp = time_now_us();
	EXPECT_STATUS(r, 200);
	http_free(&r);
	fprintf(stderr, "\n    evaluate answered in %.0f ms", (double)(t_resp - t0) / 1000.0);
	CU_ASSERT_TRUE(t_resp - t0 < 1000000);
	got = wait_received("slow@shop.example", NULL, 1, 10000);
	unlink(delay);
	CU_ASSERT_EQUAL(json_array_size(got), 1);
	if (json_array_size(got) == 1) {
		double at = json_real_value(json_object_get(json_array_get(got, 0), "received_at"));
		/* accepted well after the answer: the answer did not wait */
		CU_ASSERT_TRUE(at * 1e6 - (double)t_resp > 400000);
	}
	json_decref(got);
	free(delay);
}

static void t_outage_then_each_once(void)
{
	const char *a = "outage-a@shop.example", *b = "outage-b@shop.example";
	long long rule, alert, ids[2];
	char sql_id[24], now[64], *out = NULL;

	mail_users();
	rule = firing_rule("outage", "[\"outage-a@shop.example\",\"outage-b@shop.example\"]");
	CU_ASSERT_EQUAL_FATAL(smtp_stop(), 0);
	alert = fire(rule);
	snprintf(sql_id, sizeof(sql_id), "%lld", alert);
	ids[0] = SQL_INT("SELECT min(id) FROM mail_outbox WHERE alert_id = $1::bigint", sql_id);
	ids[1] = SQL_INT("SELECT max(id) FROM mail_outbox WHERE alert_id = $1::bigint", sql_id);
	CU_ASSERT_NOT_EQUAL(ids[0], ids[1]);
	/* the API's pass failed: both rows stay queued, one attempt, backoff */
	wait_attempted(ids[0]);
	wait_attempted(ids[1]);
	for (int i = 0; i < 2; i++) {
		char *err = row_str(ids[i], "last_error");
		CU_ASSERT_EQUAL(row_int(ids[i], "attempts"), 1);
		CU_ASSERT_EQUAL(row_int(ids[i], "(status = 'queued')::int"), 1);
		/* 60 s times a jitter factor in [0.5, 1] */
		CU_ASSERT_TRUE(row_int(ids[i], "extract(epoch FROM next_attempt_at - now())") >= 25);
		CU_ASSERT_TRUE(row_int(ids[i], "extract(epoch FROM next_attempt_at - now())") <= 61);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "onnect"));
		free(err);
	}
	/* nothing is due yet: a mailer now touches nothing */
	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(ids[0], "attempts") + row_int(ids[1], "attempts"), 2);
	/* two minutes later, still down: a second attempt, longer backoff */
	CU_ASSERT_EQUAL(run_mailer(NULL, now_plus(120, now, sizeof(now)), &out), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "could not be used"));
	free(out);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(row_int(ids[i], "attempts"), 2);
		CU_ASSERT_EQUAL(row_int(ids[i], "(status = 'queued')::int"), 1);
		CU_ASSERT_TRUE(row_int(ids[i], "extract(epoch FROM next_attempt_at - now())") >= 170);
	}
	CU_ASSERT_EQUAL(count_received(a, NULL), 0);
	/* the server comes back on the same port */
	CU_ASSERT_EQUAL_FATAL(smtp_start(), 0);
	CU_ASSERT_EQUAL(run_mailer(NULL, now_plus(600, now, sizeof(now)), NULL), 0);
	CU_ASSERT_EQUAL(run_mailer(NULL, now_plus(7200, now, sizeof(now)), NULL), 0);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(row_int(ids[i], "(status = 'sent')::int"), 1);
		CU_ASSERT_EQUAL(row_int(ids[i], "attempts"), 3);
	}
	CU_ASSERT_EQUAL(count_received(a, "outage"), 1);
	CU_ASSERT_EQUAL(count_received(b, "outage"), 1);
}

/*
 * A mailer killed after the server accepted a message and before its
 * outcome committed leaves the row exactly as its queueing transaction
 * wrote it: the next pass sends it again. Both copies must carry one
 * Message-ID (docs/MAIL.md), so that a mail client can drop the second.
 */
static void t_killed_mid_send_one_message_id(void)
{
	const char *rcpt = "mid-kill@shop.example";
	long long rule, id;
	char args[64], ids[24], *queued_mid;
	json_t *got;

	mail_users();
	rule = firing_rule("killed mid-send", "[\"mid-kill@shop.example\"]");
	snprintf(args, sizeof(args), "--rule %lld", rule);
	/* queued but not delivered: the job finds its mail settings unusable */
	CU_ASSERT_EQUAL(run_evaluate("GOLDWATCH_SMTP_CA_FILE=/nonexistent/ca.pem", args), 0);
	CU_ASSERT_EQUAL_FATAL(outbox_of(rule, "fired"), 1);
	snprintf(ids, sizeof(ids), "%lld", rule);
	id = SQL_INT("SELECT id FROM mail_outbox WHERE rule_id = $1::bigint", ids);
	snprintf(ids, sizeof(ids), "%lld", id);
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 0);
	test_exec("CREATE TEMP TABLE mid_kill_queued AS SELECT * FROM mail_outbox"
	    " WHERE id = $1::bigint", 1, TP(ids));
	queued_mid = row_str(id, "message_id");
	/* the Message-ID exists from the queueing on */
	CU_ASSERT_PTR_NOT_NULL(strstr(queued_mid, "@goldwatch.test>"));

	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 1);
	/* the kill: what the pass committed is undone, as its rollback would */
	test_exec("UPDATE mail_outbox m SET status = q.status, attempts = q.attempts,"
	    " next_attempt_at = q.next_attempt_at, last_error = q.last_error,"
	    " message_id = q.message_id, sent_at = q.sent_at"
	    " FROM mid_kill_queued q WHERE m.id = q.id", 0, NULL);
	test_exec("DROP TABLE mid_kill_queued", 0, NULL);
	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);

	got = wait_received(rcpt, "killed mid-send", 2, 10000);
	CU_ASSERT_EQUAL_FATAL(json_array_size(got), 2);
	CU_ASSERT_STRING_EQUAL(header_of(json_array_get(got, 0), "Message-ID"),
	    header_of(json_array_get(got, 1), "Message-ID"));
	CU_ASSERT_STRING_EQUAL(header_of(json_array_get(got, 0), "Message-ID"), queued_mid);
	CU_ASSERT_STRING_EQUAL(header_of(json_array_get(got, 1), "Message-ID"), queued_mid);
	json_decref(got);
	free(queued_mid);
	test_exec("UPDATE alert_rules SET enabled = false WHERE id = (SELECT rule_id FROM"
	    " mail_outbox WHERE id = $1::bigint)", 1, TP(ids));
}

static void t_two_mailers_at_once(void)
{
	enum { ROWS = 300 };
	const char *stack = test_env("GW_TEST_STACK"), *bin = test_env("GW_TEST_BIN");
	char n[24];
	json_t *o1, *o2;
	int rc, twice = 0, missing = 0;
	char *f1 = xasprintf("%s/log/mailer-race-1.json", stack);
	char *f2 = xasprintf("%s/log/mailer-race-2.json", stack);

	snprintf(n, sizeof(n), "%d", ROWS);
	test_exec("INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html)"
	    " SELECT 'test', 'race-' || g || '@shop.example', 'race ' || g, 'text', '<p>html</p>'"
	    " FROM generate_series(1, $1::int) g", 1, TP(n));
	rc = test_system("cd '%s/log' && { '%s/goldwatch-mailer' --json >'%s' 2>>mailer-race.log &"
	    " p1=$!; '%s/goldwatch-mailer' --json >'%s' 2>>mailer-race.log & p2=$!;"
	    " wait $p1; r1=$?; wait $p2; r2=$?; exit $((r1 + r2)); }", stack, bin, f1, bin, f2);
	CU_ASSERT_EQUAL(rc, 0);
	o1 = json_load_file(f1, 0, NULL);
	o2 = json_load_file(f2, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o2);
	fprintf(stderr, "\n    mailer 1 sent %lld, mailer 2 sent %lld",
	    (long long)json_integer_value(json_object_get(o1, "sent")),
	    (long long)json_integer_value(json_object_get(o2, "sent")));
	/* both worked, neither sent what the other sent */
	CU_ASSERT_TRUE(json_integer_value(json_object_get(o1, "sent")) > 0);
	CU_ASSERT_TRUE(json_integer_value(json_object_get(o2, "sent")) > 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o1, "sent")) +
	    json_integer_value(json_object_get(o2, "sent")), ROWS);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'race-%'"
	    " AND status = 'sent' AND attempts = 1"), ROWS);
	for (int i = 1; i <= ROWS; i++) {
		char rcpt[64];
		size_t got;
		snprintf(rcpt, sizeof(rcpt), "race-%d@shop.example", i);
		got = count_received(rcpt, NULL);
		twice += got > 1;
		missing += got == 0;
	}
	CU_ASSERT_EQUAL(twice, 0);
	CU_ASSERT_EQUAL(missing, 0);
	json_decref(o1);
	json_decref(o2);
	free(f1);
	free(f2);
}

/*
 * A burst of BURST_ROWS mails with two delivery services (the stack's and
 * one more, as a second host's would be): each message arrives once (by
 * its Message-ID) and no row has an attempt that failed.
 */
#define BURST_ROWS 10000
static void t_burst_two_services(void)
{
	const char *stack = test_env("GW_TEST_STACK");
	char n[24], *pidfile = xasprintf("%s/log/mailer-burst.pid", stack), *pid;
	json_t *ids = json_object(), *m;
	const char *k;
	long long sent = 0, burst = 0, twice = 0;

	snprintf(n, sizeof(n), "%d", BURST_ROWS);
	CU_ASSERT_EQUAL_FATAL(test_system("'%s/goldwatch-mailer' --serve >>'%s/log/mailer-burst.log'"
	    " 2>&1 & echo $! > '%s'", test_env("GW_TEST_BIN"), stack, pidfile), 0);
	test_exec("INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html, message_id)"
	    " SELECT 'test', 'burst-' || g || '@shop.example', 'burst ' || g, 'text', '<p>html</p>',"
	    "        '<burst.' || g || '@goldwatch.test>'"
	    " FROM generate_series(1, $1::int) g", 1, TP(n));
	test_exec("NOTIFY goldwatch_outbox", 0, NULL);
	for (int i = 0; i < 3000 && sent < BURST_ROWS; i++) {
		test_sleep_ms(100);
		sent = SQL_INT0("SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'burst-%'"
		    " AND status = 'sent'");
	}
	pid = test_read_file(pidfile);
	CU_ASSERT_PTR_NOT_NULL(pid);
	if (pid != NULL && atoi(pid) > 1)
		kill(atoi(pid), SIGTERM);
	CU_ASSERT_EQUAL(sent, BURST_ROWS);
	/* no spurious attempt: every row went at its first, none failed */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'burst-%'"
	    " AND (attempts <> 1 OR last_error IS NOT NULL)"), 0);
	scan_mail();
	json_object_foreach(seen, k, m) {
		const char *mid = header_of(m, "Message-ID");
		json_t *c;
		if (strncmp(mid, "<burst.", 7) != 0)
			continue;
		burst++;
		c = json_object_get(ids, mid);
		if (c != NULL)
			twice++;
		else
			json_object_set_new(ids, mid, json_true());
	}
	CU_ASSERT_EQUAL(burst, BURST_ROWS);
	CU_ASSERT_EQUAL(twice, 0);
	CU_ASSERT_EQUAL((long long)json_object_size(ids), BURST_ROWS);
	json_decref(ids);
	free(pid);
	free(pidfile);
}

/* Twenty mails of every kind over one connection. */
static void t_connection_reused(void)
{
	static const char *const kinds[] = {"fired", "resolved", "escalated", "digest", "test"};
	char *out = NULL;
	json_t *o;

	for (int i = 0; i < 20; i++) {
		char rcpt[64];
		snprintf(rcpt, sizeof(rcpt), "reuse-%d@shop.example", i);
		queue_kind(kinds[i % 5], rcpt);
	}
	CU_ASSERT_EQUAL(run_mailer(NULL, "--json", &out), 0);
	/* stdout (the JSON) and stderr (the summary) share the file */
	o = strchr(out, '{') ? json_loads(strchr(out, '{'), JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "sent")), 20);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "connections")), 1);
	json_decref(o);
	free(out);
	for (int i = 0; i < 20; i++) {
		char rcpt[64];
		json_t *g;
		snprintf(rcpt, sizeof(rcpt), "reuse-%d@shop.example", i);
		g = received(rcpt, NULL);
		CU_ASSERT_EQUAL(json_array_size(g), 1);
		if (json_array_size(g) == 1)
			CU_ASSERT_STRING_EQUAL(header_of(json_array_get(g, 0), "X-Goldwatch-Kind"),
			    kinds[i % 5]);
		json_decref(g);
	}
}

static void t_wrong_password(void)
{
	const char *rcpt = "password-test@shop.example";
	long long id = queue_row(rcpt);
	char *out = NULL, *err, now[64];
	int errors = 0;

	CU_ASSERT_EQUAL(run_mailer("SMTP_PASSWORD=not-the-password-42", NULL, &out), 1);
	/* one clear error line, and never the password */
	for (const char *p = out; (p = strstr(p, ": error: ")) != NULL; p++)
		errors++;
	CU_ASSERT_EQUAL(errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check SMTP_USERNAME and SMTP_PASSWORD"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "535"));
	CU_ASSERT_PTR_NULL(strstr(out, "not-the-password-42"));
	CU_ASSERT_PTR_NULL(strstr(out, test_env("GW_TEST_SMTP_PASSWORD")));
	fprintf(stderr, "\n    %s", out);
	free(out);
	err = row_str(id, "last_error");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "check SMTP_USERNAME and SMTP_PASSWORD"));
	CU_ASSERT_PTR_NULL(strstr(err, "not-the-password-42"));
	free(err);
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 1);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'queued')::int"), 1);
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 0);
	/* the right password, once the backoff has passed: delivered once */
	CU_ASSERT_EQUAL(run_mailer(NULL, now_plus(600, now, sizeof(now)), NULL), 0);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'sent')::int"), 1);
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 1);
}

static void t_refusals_and_dead_letters(void)
{
	long long rejected = queue_row("reject-me@shop.example");
	long long tempfail = queue_row("tempfail-me@shop.example");
	long long down, first, second;
	char *err, now[64], path[160];
	struct http_resp r;
	int64_t dead = -1;
	struct config cfg;
	struct db *db;

	/* 550: refused for good, dead at once; 451: retried later */
	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(rejected, "(status = 'dead')::int"), 1);
	CU_ASSERT_EQUAL(row_int(rejected, "attempts"), 1);
	err = row_str(rejected, "last_error");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "550"));
	free(err);
	CU_ASSERT_EQUAL(row_int(tempfail, "(status = 'queued')::int"), 1);
	CU_ASSERT_EQUAL(row_int(tempfail, "attempts"), 1);
	err = row_str(tempfail, "last_error");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "451"));
	free(err);
	test_exec("DELETE FROM mail_outbox WHERE recipient = 'tempfail-me@shop.example'", 0, NULL);

	/* the server never answers: dead after GOLDWATCH_MAIL_MAX_ATTEMPTS */
	down = queue_row("never@shop.example");
	CU_ASSERT_EQUAL(run_mailer("SMTP_PORT=1 GOLDWATCH_MAIL_MAX_ATTEMPTS=2", NULL, NULL), 1);
	CU_ASSERT_EQUAL(row_int(down, "(status = 'queued')::int"), 1);
	CU_ASSERT_EQUAL(run_mailer("SMTP_PORT=1 GOLDWATCH_MAIL_MAX_ATTEMPTS=2",
	    now_plus(600, now, sizeof(now)), NULL), 1);
	CU_ASSERT_EQUAL(row_int(down, "(status = 'dead')::int"), 1);
	CU_ASSERT_EQUAL(row_int(down, "attempts"), 2);

	/* visible in the API, for admins */
	r = api("GET", "/api/notifications?status=dead", fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "items.0.id"), down);
	CU_ASSERT_STRING_EQUAL(jstr(&r, "items.0.status"), "dead");
	CU_ASSERT_EQUAL(jint(&r, "items.0.attempts"), 2);
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "items.0.last_error"));
	CU_ASSERT_STRING_EQUAL(jstr(&r, "items.0.recipient"), "never@shop.example");
	CU_ASSERT_EQUAL(jint(&r, "items.1.id"), rejected);
	http_free(&r);
	r = api("GET", "/api/notifications?status=dead", fixture_users()->operator_, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = api("GET", "/api/notifications?status=lost", fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 400, "bad_parameter");
	http_free(&r);
	r = api("GET", "/api/notifications?limit=0", fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 400, "bad_parameter");
	http_free(&r);
	r = api("GET", "/api/notifications?colour=red", fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 400, "unknown_parameter");
	http_free(&r);

	/* paging with limit and the cursor */
	r = api("GET", "/api/notifications?status=sent&limit=2", fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 2);
	first = jint(&r, "items.0.id");
	second = jint(&r, "items.1.id");
	CU_ASSERT_TRUE(first > second);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jstr(&r, "next_cursor"));
	snprintf(path, sizeof(path), "/api/notifications?status=sent&limit=2&cursor=%s",
	    jstr(&r, "next_cursor"));
	http_free(&r);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(jint(&r, "items.0.id") < second);
	CU_ASSERT_STRING_EQUAL(jstr(&r, "items.0.status"), "sent");
	http_free(&r);

	/* the count the dashboard shows */
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	db = db_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL(mail_dead_count(db, &dead), 0);
	CU_ASSERT_EQUAL(dead, SQL_INT0("SELECT count(*) FROM mail_outbox WHERE status = 'dead'"));
	CU_ASSERT_TRUE(dead >= 2);
	db_close(db);
	config_free(&cfg);
}

static void t_bad_configuration(void)
{
	static const char *const bad[] = {
		"GOLDWATCH_SMTP_CA_FILE=/nonexistent/ca.pem",
		"FROM_EMAIL='not an address'",
		"SMTP_PORT=smtp",
		"SMTP_PASSWORD=",
		"SMTP_SERVER=smtp://127.0.0.1",
		"SMTP_SERVER= GOLDWATCH_SPOOL_DIR=/proc/goldwatch-spool",
	};
	long long id = queue_row("config-test@shop.example");

	for (size_t i = 0; i < GW_ARRAY_LEN(bad); i++) {
		char *out = NULL;
		int lines = 0;
		CU_ASSERT_EQUAL(run_mailer(bad[i], NULL, &out), 1);
		for (const char *p = out; *p; p++)
			lines += *p == '\n';
		if (lines != 1)
			fprintf(stderr, "\n    %s gave:\n%s", bad[i], out);
		CU_ASSERT_EQUAL(lines, 1);
		free(out);
	}
	/* nothing was touched */
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 0);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'queued')::int"), 1);
	test_exec("DELETE FROM mail_outbox WHERE recipient = 'config-test@shop.example'", 0, NULL);
}

static void t_certificate_checked(void)
{
	const char *rcpt = "cert-test@shop.example";
	long long id = queue_row(rcpt);
	char *out = NULL, *err, now[64];

	/* the test CA is not among the system's: the certificate is refused */
	CU_ASSERT_EQUAL(run_mailer("GOLDWATCH_SMTP_CA_FILE=", NULL, NULL), 1);
	err = row_str(id, "last_error");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate"));
	free(err);
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 0);
	/* turning the check off is explicit, and warned about */
	CU_ASSERT_EQUAL(run_mailer("GOLDWATCH_SMTP_CA_FILE= GOLDWATCH_SMTP_INSECURE=true",
	    now_plus(600, now, sizeof(now)), &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "warning"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "GOLDWATCH_SMTP_INSECURE"));
	free(out);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'sent')::int"), 1);
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 1);
}

static void t_spool_without_server(void)
{
	char *dir = xasprintf("%s/spool-test", test_env("GW_TEST_STACK"));
	char *env = xasprintf("SMTP_SERVER= GOLDWATCH_SPOOL_DIR='%s'", dir);
	long long id = queue_row("spool-test@shop.example");
	char *file = xasprintf("%s/goldwatch-%lld.eml", dir, id);
	struct stat st1, st2;
	FILE *f;
	struct buf b;
	char chunk[4096], h[256];
	size_t n;
	struct mime m;
	DIR *d;
	struct dirent *e;
	int files = 0;

	CU_ASSERT_EQUAL(run_mailer(env, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'sent')::int"), 1);
	CU_ASSERT_EQUAL_FATAL(stat(file, &st1), 0);
	/* only finished files: no temporary one is left */
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL)
		files += e->d_name[0] != '.' || strstr(e->d_name, ".tmp") != NULL;
	if (d)
		closedir(d);
	CU_ASSERT_EQUAL(files, 1);
	f = fopen(file, "rb");
	buf_init(&b);
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (f)
		fclose(f);
	CU_ASSERT_EQUAL_FATAL(mime_parse(b.data ? b.data : "", &m), 0);
	CU_ASSERT_TRUE(m.wire_ok);
	CU_ASSERT_STRING_EQUAL(mime_get(&m, "To", h, sizeof(h)), "spool-test@shop.example");
	CU_ASSERT_STRING_EQUAL(m.subject, "queued for spool-test@shop.example");
	CU_ASSERT_STRING_EQUAL(m.text, "Plain text: 5 < 6 & 7");
	CU_ASSERT_STRING_EQUAL(m.html, "<p>HTML: 5 &lt; 6 &amp; 7</p>");
	CU_ASSERT_STRING_NOT_EQUAL(mime_get(&m, "Date", h, sizeof(h)), "");
	CU_ASSERT_STRING_NOT_EQUAL(mime_get(&m, "Message-ID", h, sizeof(h)), "");
	mime_free(&m);
	buf_free(&b);
	/* a second run sends nothing again */
	CU_ASSERT_EQUAL(run_mailer(env, NULL, NULL), 0);
	CU_ASSERT_EQUAL(stat(file, &st2), 0);
	CU_ASSERT_EQUAL(st1.st_ino, st2.st_ino);
	free(file);
	free(env);
	free(dir);
}

static void t_rule_test_message(void)
{
	long long rule, bare;
	char path[96];
	struct http_resp r;
	json_t *got;

	mail_users();
	rule = firing_rule("test message rule", "[\"" ALICE "\",\"test-msg@shop.example\"]");
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld/test", rule);
	r = api("POST", path, fixture_users()->operator_, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = api("POST", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 202);
	CU_ASSERT_EQUAL(jint(&r, "queued"), 2);
	http_free(&r);
	got = wait_received("test-msg@shop.example", "Test: test message rule", 1, 10000);
	CU_ASSERT_EQUAL(json_array_size(got), 1);
	if (json_array_size(got) == 1) {
		json_t *msg = json_array_get(got, 0);
		char rule_url[128];
		snprintf(rule_url, sizeof(rule_url), "%s/rules/%lld", test_base_url(), rule);
		CU_ASSERT_STRING_EQUAL(header_of(msg, "X-Goldwatch-Kind"), "test");
		CU_ASSERT_PTR_NOT_NULL(strstr(part_body(msg, 0), "test message of the rule"));
		CU_ASSERT_PTR_NOT_NULL(strstr(part_body(msg, 0), rule_url));
		CU_ASSERT_PTR_NULL(strstr(part_body(msg, 0), "/ack?t="));
	}
	json_decref(got);
	/* a user recipient gets no acknowledge link either: there is no alert */
	got = wait_received(ALICE, "Test: test message rule", 1, 10000);
	CU_ASSERT_EQUAL(json_array_size(got), 1);
	if (json_array_size(got) == 1)
		CU_ASSERT_PTR_NULL(strstr(part_body(json_array_get(got, 0), 0), "/ack?t="));
	json_decref(got);
	CU_ASSERT_EQUAL(outbox_of(rule, "test"), 2);
	CU_ASSERT_EQUAL(alerts_of(rule, NULL), 0);

	bare = firing_rule("no recipients", "[]");
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld/test", bare);
	r = api("POST", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 422, "no_recipients");
	CU_ASSERT_STRING_EQUAL(jstr(&r, "error.field"), "recipients");
	http_free(&r);
	r = api("POST", "/api/alerts/rules/999999999/test", fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
}

/* The path of an acknowledge link (after the base URL) in a message. */
static char *ack_path_in(const json_t *msg)
{
	const char *text = part_body(msg, 0), *p = strstr(text, "/ack?t="), *start, *end;
	size_t base = strlen(test_base_url());

	if (p == NULL)
		return NULL;
	for (start = p; start > text && start[-1] != ' ' && start[-1] != '\n'; start--)
		;
	end = p + strcspn(p, " \r\n");
	if ((size_t)(end - start) <= base || strncmp(start, test_base_url(), base) != 0)
		return NULL;
	return xstrndup(start + base, (size_t)(end - start) - base);
}

static struct http_resp form_post(const char *path, const char *token, const char *note)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL};
	struct buf body;
	struct http_resp r;
	char *bare = xstrdup(path);

	*strchr(bare, '?') = '\0';
	buf_init(&body);
	buf_puts(&body, "t=");
	url_encode(&body, token);
	if (note) {
		buf_puts(&body, "&note=");
		url_encode(&body, note);
	}
	r = http_do("POST", bare, headers, body.data, body.len);
	buf_free(&body);
	free(bare);
	return r;
}

/* The link's page and its POST both refuse with 403, the page saying why. */
static void expect_link_refused(const char *path, const char *token, const char *why)
{
	struct http_resp r = http_do("GET", path, NULL, NULL, 0);

	EXPECT_STATUS(r, 403);
	CU_ASSERT_TRUE(r.body && strstr(r.body, why));
	http_free(&r);
	r = form_post(path, token, "refused");
	EXPECT_STATUS(r, 403);
	http_free(&r);
}

/* The state of alert id and its acknowledged events: nothing may change. */
static void alert_state(long long id, char *state, size_t n, long long *events)
{
	char ids[24], *s;

	snprintf(ids, sizeof(ids), "%lld", id);
	s = test_sql_str("SELECT state || '|' || coalesce(acknowledged_by, '') || '|' ||"
	    " coalesce(ack_note, '') FROM alerts WHERE id = $1::bigint", 1, TP(ids));
	snprintf(state, n, "%s", s);
	free(s);
	*events = SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.acknowledged'"
	    " AND (data->>'id')::bigint = $1::bigint", ids);
}

static void t_ack_link_once(void)
{
	long long rule, other_rule, alert, other, ev;
	json_t *ga, *gb;
	char *path = NULL, *bob_path = NULL, *token, *bad, *wrong, state[256];
	struct http_resp r;

	mail_users();
	rule = firing_rule("ack by mail", "[\"" ALICE "\",\"" BOB "\"]");
	other_rule = firing_rule("ack by mail, another", "[\"" ALICE "\"]");
	alert = fire(rule);
	other = fire(other_rule);
	ga = wait_received(ALICE, "ack by mail -", 1, 10000);
	gb = wait_received(BOB, "ack by mail -", 1, 10000);
	CU_ASSERT_EQUAL_FATAL(json_array_size(ga), 1);
	CU_ASSERT_EQUAL_FATAL(json_array_size(gb), 1);
	path = ack_path_in(json_array_get(ga, 0));
	bob_path = ack_path_in(json_array_get(gb, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bob_path);
	token = strstr(path, "?t=") + 3;

	/* GET shows the alert and the form, and changes nothing, however often */
	for (int i = 0; i < 2; i++) {
		r = http_do("GET", path, NULL, NULL, 0);
		EXPECT_STATUS(r, 200);
		CU_ASSERT(r.body && strstr(r.body, "Acknowledge as mail-alice"));
		CU_ASSERT(r.body && strstr(r.body, "ack by mail"));
		http_free(&r);
	}
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "firing||");
	CU_ASSERT_EQUAL(ev, 0);

	/* a tampered token, and a token of another alert: refused, nothing changes */
	bad = xstrdup(path);
	bad[strlen(bad) - 10] = bad[strlen(bad) - 10] == 'A' ? 'B' : 'A'; /* inside the MAC */
	r = http_do("GET", bad, NULL, NULL, 0);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = form_post(bad, strstr(bad, "?t=") + 3, "tampered");
	EXPECT_STATUS(r, 403);
	http_free(&r);
	wrong = xasprintf("/alerts/%lld/ack?t=%s", other, token);
	expect_link_refused(wrong, token, "another alert");
	r = form_post(path, "", NULL);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	{
		/* too long: shown again as sent, its line break kept (sent as CRLF) */
		char *long_note = xcalloc(1010, 1);
		memcpy(long_note, "first\r\n", 7);
		memset(long_note + 7, 'n', 1001);
		r = form_post(path, token, long_note);
		EXPECT_STATUS(r, 422);
		CU_ASSERT(r.body && strstr(r.body, "too long"));
		CU_ASSERT(r.body && strstr(r.body, ">\nfirst\nnnnn"));
		http_free(&r);
		free(long_note);
	}
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "firing||");
	CU_ASSERT_EQUAL(ev, 0);
	alert_state(other, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "firing||");

	/* the POST acknowledges as alice, with the note, one event */
	r = form_post(path, token, "On it <b>& co</b>");
	EXPECT_STATUS(r, 200);
	CU_ASSERT(r.body && strstr(r.body, "Acknowledged"));
	http_free(&r);
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "acknowledged|mail-alice|On it <b>& co</b>");
	CU_ASSERT_EQUAL(ev, 1);

	/* once only: a second POST or GET is refused and changes nothing */
	r = form_post(path, token, "again");
	EXPECT_STATUS(r, 410);
	CU_ASSERT(r.body && strstr(r.body, "already used"));
	http_free(&r);
	r = http_do("GET", path, NULL, NULL, 0);
	EXPECT_STATUS(r, 410);
	http_free(&r);
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "acknowledged|mail-alice|On it <b>& co</b>");
	CU_ASSERT_EQUAL(ev, 1);

	/* bob's own link: nothing left to do */
	r = http_do("GET", bob_path, NULL, NULL, 0);
	EXPECT_STATUS(r, 409);
	CU_ASSERT(r.body && strstr(r.body, "mail-alice acknowledged"));
	CU_ASSERT(r.body && !strstr(r.body, "<form method=\"post\" action=\"/alerts/"));
	http_free(&r);
	r = form_post(bob_path, strstr(bob_path, "?t=") + 3, NULL);
	EXPECT_STATUS(r, 409);
	http_free(&r);
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "acknowledged|mail-alice|On it <b>& co</b>");
	CU_ASSERT_EQUAL(ev, 1);

	/* an expired link (made here with a lifetime in the past) */
	{
		struct config cfg;
		struct db *db;
		char *url = NULL;
		CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
		cfg.ack_link_days = -1;
		db = db_open(&cfg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(db);
		CU_ASSERT_EQUAL(ack_links_for(db, &cfg, 1, (const int64_t[]){other},
		    (const char *const[]){ALICE}, &url), 0);
		CU_ASSERT_PTR_NOT_NULL(url);
		if (url) {
			const char *p = url + strlen(test_base_url());
			r = http_do("GET", p, NULL, NULL, 0);
			EXPECT_STATUS(r, 410);
			CU_ASSERT(r.body && strstr(r.body, "expired"));
			http_free(&r);
			r = form_post(p, strstr(p, "?t=") + 3, NULL);
			EXPECT_STATUS(r, 410);
			http_free(&r);
		}
		free(url);
		db_close(db);
		config_free(&cfg);
		alert_state(other, state, sizeof(state), &ev);
		CU_ASSERT_STRING_EQUAL(state, "firing||");
	}
	free(wrong);
	free(bad);
	free(path);
	free(bob_path);
	json_decref(ga);
	json_decref(gb);
}

/*
 * The link acts only for a user who may acknowledge when it is used: a
 * viewer gets no link (fired or escalated: both are made by
 * ack_links_for), and an operator demoted to viewer after the mail went
 * out is refused on the page and on the POST, the token unspent; promoted
 * again, the same link works.
 */
static void t_ack_link_role(void)
{
	long long rule, alert, ev;
	json_t *gd, *gv;
	char *path, *token, state[256], ids[24];
	struct http_resp r;
	struct config cfg;
	struct db *db;

	mail_users();
	rule = firing_rule("ack by role", "[\"" DORA "\",\"" VERA "\"]");
	alert = fire(rule);
	gd = wait_received(DORA, "ack by role -", 1, 10000);
	gv = wait_received(VERA, "ack by role -", 1, 10000);
	CU_ASSERT_EQUAL_FATAL(json_array_size(gd), 1);
	CU_ASSERT_EQUAL_FATAL(json_array_size(gv), 1);
	CU_ASSERT_PTR_NULL(strstr(part_body(json_array_get(gv, 0), 0), "/ack?t="));
	CU_ASSERT_PTR_NULL(strstr(part_body(json_array_get(gv, 0), 1), "/ack?t="));
	snprintf(ids, sizeof(ids), "%lld", alert);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM ack_tokens t JOIN users u ON u.id = t.user_id"
	    " WHERE t.alert_id = $1::bigint AND u.username = 'mail-vera'", ids), 0);
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	db = db_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	{
		/* a viewer between two who may acknowledge: the links of one statement */
		char *urls[3];
		CU_ASSERT_EQUAL(ack_links_for(db, &cfg, 3, (const int64_t[]){alert, alert, alert},
		    (const char *const[]){DORA, VERA, DORA}, urls), 0);
		CU_ASSERT_PTR_NOT_NULL(urls[0]);
		CU_ASSERT_PTR_NULL(urls[1]);
		CU_ASSERT_PTR_NOT_NULL(urls[2]);
		CU_ASSERT_TRUE(urls[0] && urls[2] && strcmp(urls[0], urls[2]) != 0);
		free(urls[0]);
		free(urls[2]);
	}
	db_close(db);
	config_free(&cfg);

	path = ack_path_in(json_array_get(gd, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	token = strstr(path, "?t=") + 3;
	/* demoted after the mail went out: the page and the POST refuse */
	test_exec("UPDATE users SET role = 'viewer' WHERE username = 'mail-dora'", 0, NULL);
	expect_link_refused(path, token, "may no longer acknowledge");
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "firing||");
	CU_ASSERT_EQUAL(ev, 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM ack_tokens WHERE alert_id = $1::bigint"
	    " AND used_at IS NOT NULL", ids), 0);
	/* an operator again: the same link acknowledges */
	test_exec("UPDATE users SET role = 'operator' WHERE username = 'mail-dora'", 0, NULL);
	r = form_post(path, token, "as an operator");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	alert_state(alert, state, sizeof(state), &ev);
	CU_ASSERT_STRING_EQUAL(state, "acknowledged|mail-dora|as an operator");
	CU_ASSERT_EQUAL(ev, 1);
	free(path);
	json_decref(gd);
	json_decref(gv);
}

/* The escalated mail too: a link for the operator, none for the viewer. */
static void t_escalated_ack_link(void)
{
	long long rule, alert;
	char at[64], ids[24], *to_viewer, *to_operator;

	mail_users();
	rule = make_rule("{\"name\":\"escalated by role\",\"kpi\":\"m_mail\",\"condition\":\"gt\","
	    "\"threshold\":50,\"severity\":\"critical\",\"cooldown_minutes\":0,"
	    "\"recipients\":[\"" DORA "\"],"
	    "\"escalation\":{\"after_minutes\":10,\"recipients\":[\"" VERA "\",\"" DORA "\"]}}");
	alert = fire(rule);
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-escalate' %s >>'%s/log/jobs-tests.log' 2>&1",
	    test_env("GW_TEST_BIN"), now_plus(11 * 60, at, sizeof(at)), test_env("GW_TEST_STACK")), 0);
	snprintf(ids, sizeof(ids), "%lld", alert);
	to_viewer = test_sql_str("SELECT body_text || body_html FROM mail_outbox"
	    " WHERE alert_id = $1::bigint AND kind = 'escalated' AND recipient = $2", 2, TP(ids, VERA));
	to_operator = test_sql_str("SELECT body_text || body_html FROM mail_outbox"
	    " WHERE alert_id = $1::bigint AND kind = 'escalated' AND recipient = $2", 2, TP(ids, DORA));
	CU_ASSERT_PTR_NOT_NULL(strstr(to_viewer, "Escalation level 1"));
	CU_ASSERT_PTR_NULL(strstr(to_viewer, "/ack?t="));
	CU_ASSERT_PTR_NOT_NULL(strstr(to_operator, "/ack?t="));
	free(to_viewer);
	free(to_operator);
}

static int suite_clean(void)
{
	json_decref(seen);
	seen = NULL;
	return 0;
}

/* The cases that run goldwatch-mailer by hand: the service is stopped. */
static int by_hand_init(void)
{
	return test_stack("mailer-stop") != 0 || suite_init() != 0;
}

static int by_hand_clean(void)
{
	suite_clean();
	return test_stack("mailer-start") != 0;
}

/*
 * An SMTP server that accepts TCP connections and never says a word: a
 * socket that listens and is never read (the kernel completes each
 * handshake). Returns the socket; *port its port.
 */
static int silent_server(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Points the API and the delivery service at env's SMTP settings. */
static int stack_smtp(const char *env)
{
	return test_stack_env(env, "mailer-stop") || test_stack_env(env, "api-stop") ||
	    test_stack_env(env, "api-start") || test_stack_env(env, "mailer-start");
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/*
 * GET /api/health every 20 ms from PINGERS threads at once, PINGS times
 * in all: a stalled worker pool holds up every thread, not one sample.
 */
#define PINGERS 4
#define PINGS 200

struct pinger {
	pthread_t th;
	int n, failed;
	int64_t *us;
};

static void *ping_health(void *arg)
{
	struct pinger *p = arg;

	for (int i = 0; i < p->n; i++) {
		int64_t t0 = time_mono_us();
		struct http_resp r = http_do("GET", "/api/health", NULL, NULL, 0);
		p->us[i] = time_mono_us() - t0;
		p->failed += r.status != 200;
		http_free(&r);
		test_sleep_ms(20);
	}
	return NULL;
}

/* Starts the pingers into us[PINGS]. 0, or -1 if a thread did not start. */
static int pingers_start(struct pinger *p, int64_t *us)
{
	for (int i = 0; i < PINGERS; i++) {
		p[i] = (struct pinger){.n = PINGS / PINGERS, .us = us + i * (PINGS / PINGERS)};
		if (pthread_create(&p[i].th, NULL, ping_health, &p[i]) != 0)
			return -1;
	}
	return 0;
}

/* Waits for the pingers; the 99th percentile in microseconds, *failed. */
static int64_t pingers_p99(struct pinger *p, int64_t *us, int *failed)
{
	int64_t p99;

	*failed = 0;
	for (int i = 0; i < PINGERS; i++) {
		pthread_join(p[i].th, NULL);
		*failed += p[i].failed;
	}
	qsort(us, PINGS, sizeof(*us), cmp_i64);
	p99 = us[(PINGS * 99 + 99) / 100 - 1];
	fprintf(stderr, "\n    GET /api/health meanwhile: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
	    " over %d", (double)us[PINGS / 2] / 1000.0, (double)p99 / 1000.0,
	    (double)us[PINGS - 1] / 1000.0, PINGS);
	return p99;
}

#define SILENT_ALERTS 8
#define SILENT_SQL "SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'silent-%@shop.example'"

/*
 * The whole stack's SMTP server accepts connections and never answers:
 * eight alerts fired through the API, and the API stays fast meanwhile
 * (no request thread waits on SMTP); then the real server is back and
 * every mail arrives exactly once.
 */
static void t_silent_server_api_stays_fast(void)
{
	char env[128], rcpt[64], name[64];
	int port = 0, fd = silent_server(&port);
	struct pinger ping[PINGERS];
	int64_t us[PINGS];
	long long rules[SILENT_ALERTS];
	int failed;

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	/* long enough to be stuck through all the requests below */
	snprintf(env, sizeof(env), "SMTP_PORT=%d GOLDWATCH_SMTP_TIMEOUT=10", port);
	CU_ASSERT_EQUAL_FATAL(stack_smtp(env), 0);
	mail_users();
	for (int i = 0; i < SILENT_ALERTS; i++) {
		snprintf(name, sizeof(name), "silent server %d", i);
		snprintf(rcpt, sizeof(rcpt), "[\"silent-%d@shop.example\"]", i);
		rules[i] = firing_rule(name, rcpt);
	}
	/* the pings run while the alerts fire, and for a while after */
	CU_ASSERT_EQUAL_FATAL(pingers_start(ping, us), 0);
	for (int i = 0; i < SILENT_ALERTS; i++)
		fire(rules[i]);
	CU_ASSERT_TRUE(pingers_p99(ping, us, &failed) < 50000);
	CU_ASSERT_EQUAL(failed, 0);
	/* all that time the service was stuck in a conversation: nothing went */
	CU_ASSERT_EQUAL(SQL_INT0(SILENT_SQL), SILENT_ALERTS);
	CU_ASSERT_EQUAL(SQL_INT0(SILENT_SQL " AND (status <> 'queued' OR attempts > 0)"), 0);
	CU_ASSERT_TRUE(SQL_INT0(SILENT_SQL " AND lease_until IS NOT NULL") > 0);
	/* the service gives up after the timeout: every row retries later */
	for (int i = 0; i < 400 && SQL_INT0(SILENT_SQL " AND attempts = 1 AND lease_until IS NULL")
	    < SILENT_ALERTS; i++)
		test_sleep_ms(50);
	CU_ASSERT_EQUAL(SQL_INT0(SILENT_SQL " AND attempts = 1 AND status = 'queued'"),
	    SILENT_ALERTS);
	close(fd);
	/* the real server again, and the backoff has passed */
	snprintf(env, sizeof(env), "SMTP_PORT=%s", test_env("GW_TEST_SMTP_PORT"));
	test_exec("UPDATE mail_outbox SET next_attempt_at = now()"
	    " WHERE recipient LIKE 'silent-%@shop.example'", 0, NULL);
	CU_ASSERT_EQUAL_FATAL(stack_smtp(env), 0);
	for (int i = 0; i < SILENT_ALERTS; i++) {
		snprintf(rcpt, sizeof(rcpt), "silent-%d@shop.example", i);
		json_decref(wait_received(rcpt, "silent server", 1, 10000));
	}
	for (int i = 0; i < 50 && SQL_INT0(SILENT_SQL " AND status = 'sent'") < SILENT_ALERTS; i++)
		test_sleep_ms(50);
	for (int i = 0; i < SILENT_ALERTS; i++) {
		snprintf(rcpt, sizeof(rcpt), "silent-%d@shop.example", i);
		CU_ASSERT_EQUAL(count_received(rcpt, "silent server"), 1);
	}
	CU_ASSERT_EQUAL(SQL_INT0(SILENT_SQL " AND status = 'sent' AND attempts = 2"), SILENT_ALERTS);
}

/*
 * Deleting a rule resolves its open alerts; the resolved mail goes out
 * right after the answer, whether the API or the rules page deleted it.
 */
static void t_deleted_rule_mails_resolved(void)
{
	static const struct { const char *via, *rcpt; } cases[] = {
		{"api", "deleted-api@elsewhere.example"},
		{"page", "deleted-page@elsewhere.example"},
	};

	mail_users();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64], rcpts[96], subject[96], path[64];
		long long rule;
		struct http_resp r;
		json_t *got;

		snprintf(name, sizeof(name), "deleted via the %s", cases[i].via);
		snprintf(rcpts, sizeof(rcpts), "[\"%s\"]", cases[i].rcpt);
		snprintf(subject, sizeof(subject), "Resolved: %s", name);
		rule = firing_rule(name, rcpts);
		fire(rule);
		got = wait_received(cases[i].rcpt, name, 1, 10000);
		CU_ASSERT_EQUAL(json_array_size(got), 1);
		json_decref(got);
		if (i == 0) {
			snprintf(path, sizeof(path), "/api/alerts/rules/%lld", rule);
			r = api("DELETE", path, fixture_users()->admin, NULL);
			EXPECT_STATUS(r, 200);
		} else {
			char cookie[256], *body = xasprintf("_csrf=%s", fixture_users()->admin_csrf);
			const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
			snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
			snprintf(path, sizeof(path), "/rules/%lld/delete", rule);
			r = http_do("POST", path, h, body, strlen(body));
			EXPECT_STATUS(r, 303);
			free(body);
		}
		http_free(&r);
		got = wait_received(cases[i].rcpt, subject, 1, 10000);
		if (json_array_size(got) != 1)
			fprintf(stderr, "\n    no resolved mail after deleting via the %s\n", cases[i].via);
		CU_ASSERT_EQUAL(json_array_size(got), 1);
		json_decref(got);
	}
}

/* goldwatch-mailer (one pass) with SMTP_PORT=port, in the background. */
static pid_t spawn_mailer(int port)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *bin = xasprintf("%s/goldwatch-mailer", test_env("GW_TEST_BIN"));
		char *log = xasprintf("%s/log/mailer-lease.log", test_env("GW_TEST_STACK"));
		char p[16];
		FILE *f = freopen(log, "a", stderr);
		(void)f;
		snprintf(p, sizeof(p), "%d", port);
		setenv("SMTP_PORT", p, 1);
		setenv("GOLDWATCH_SMTP_TIMEOUT", "60", 1);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * A lease keeps every other mailer off a row while its mailer sends, and
 * a mailer killed mid-send leaves it to run out: then the row is sent
 * again, once.
 */
static void t_lease_then_killed(void)
{
	const char *rcpt = "lease-test@shop.example";
	long long id = queue_row(rcpt);
	int port = 0, fd = silent_server(&port), st;
	char *owner, *still;
	pid_t pid;

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	pid = spawn_mailer(port);
	for (int i = 0; i < 200 && row_int(id, "(lease_until IS NOT NULL)::int") == 0; i++)
		test_sleep_ms(50);
	CU_ASSERT_EQUAL(row_int(id, "(lease_until > now() + interval '5 minutes')::int"), 1);
	owner = row_str(id, "lease_owner");
	CU_ASSERT_PTR_NOT_NULL(owner);
	/* another mailer, the real server: the leased row is not its to send */
	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 0);
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 0);
	/* killed mid-send: nothing recorded, the lease stays until it runs out */
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fd);
	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 0);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'queued')::int"), 1);
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 0);
	still = row_str(id, "lease_owner");
	CU_ASSERT_STRING_EQUAL(still ? still : "-", owner ? owner : "");
	free(still);
	free(owner);
	/* the lease has run out (moved, not waited for): sent, once */
	test_exec("UPDATE mail_outbox SET lease_until = now() - interval '1 second'"
	    " WHERE recipient = 'lease-test@shop.example'", 0, NULL);
	CU_ASSERT_EQUAL(run_mailer(NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(row_int(id, "(status = 'sent')::int"), 1);
	CU_ASSERT_EQUAL(row_int(id, "attempts"), 1);
	CU_ASSERT_EQUAL(row_int(id, "(lease_until IS NULL AND lease_owner IS NULL)::int"), 1);
	json_decref(wait_received(rcpt, NULL, 1, 5000));
	CU_ASSERT_EQUAL(count_received(rcpt, NULL), 1);
}

void suite_mail(void)
{
	static const struct test_case cases[] = {
		{"a fired alert reaches every recipient as proper MIME", t_fired_reaches_every_recipient},
		{"subjects outside ASCII are RFC 2047 encoded", t_subject_not_ascii},
		{"a built-in KPI's recommendation is in the mail", t_recommendation},
		{"goldwatch-evaluate delivers what it fired", t_evaluate_job_delivers},
		{"the API answers before the SMTP server accepts", t_api_answers_before_smtp},
		{"an SMTP server that never answers: the API stays fast",
		    t_silent_server_api_stays_fast},
		{"SMTP down: queued with backoff, then each sent once", t_outage_then_each_once},
		{"10,000 mails, two delivery services: each once, no failed attempt",
		    t_burst_two_services},
		{"a rule's test message", t_rule_test_message},
		{"the acknowledge link from a mail works once", t_ack_link_once},
		{"a rule deleted by the API or the page mails resolved", t_deleted_rule_mails_resolved},
		{"the acknowledge link acts only for who may acknowledge now", t_ack_link_role},
		{"an escalated mail has the link only for who may acknowledge", t_escalated_ack_link},
		{NULL, NULL},
	};
	static const struct test_case by_hand[] = {
		{"a mailer killed mid-send: the copy has the same Message-ID",
		    t_killed_mid_send_one_message_id},
		{"two mailers at once send each row once", t_two_mailers_at_once},
		{"one SMTP connection serves many messages", t_connection_reused},
		{"a wrong password: a clear error and a retry", t_wrong_password},
		{"refusals and dead letters, in the API", t_refusals_and_dead_letters},
		{"a bad configuration: one line, nothing touched", t_bad_configuration},
		{"the server's certificate is checked", t_certificate_checked},
		{"without SMTP_SERVER mail goes to the spool", t_spool_without_server},
		{"a lease keeps other mailers off; killed mid-send, sent once later",
		    t_lease_then_killed},
		{NULL, NULL},
	};
	test_add_suite("mail", suite_init, suite_clean, cases);
	test_add_suite("mail-by-hand", by_hand_init, by_hand_clean, by_hand);
}
