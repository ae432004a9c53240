/*
 * log.c - see log.h. Each message is formatted into one buffer and written
 * with a single write(2) so that lines from threads never interleave.
 */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json_out.h"

static const char *prog = "goldwatch";
static enum log_level max_level = LOG_LVL_INFO;
static enum log_format format = LOG_FMT_TEXT;
/* each API worker thread serves one request at a time */
static _Thread_local char request_id[65];
static _Thread_local char last_error[301];
static _Thread_local char fields[LOG_F__MAX][65];
static const char *const field_names[LOG_F__MAX] = {"rule", "alert", "kpi", "contact_point"};

const char *const log_level_names[LOG_LVL__MAX + 1] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL__MAX] = NULL,
};

const char *const log_format_names[LOG_FMT__MAX + 1] = {
	[LOG_FMT_TEXT] = "text",
	[LOG_FMT_JSON] = "json",
	[LOG_FMT__MAX] = NULL,
};

void log_init(const char *progname, enum log_level max)
{
	prog = progname;
	max_level = max;
}

void log_set_format(enum log_format fmt)
{
	format = fmt < LOG_FMT__MAX ? fmt : LOG_FMT_TEXT;
}

const char *log_progname(void)
{
	return prog;
}

void log_set_request(const char *id)
{
	size_t n = 0;

	/* nginx's id is 32 hex digits; anything else is kept only as far as
	 * it is plain (a header cannot smuggle a line break or a quote in) */
	if (id)
		for (; id[n] && n < sizeof(request_id) - 1; n++) {
			char c = id[n];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
				break;
		}
	memcpy(request_id, id ? id : "", n);
	request_id[n] = '\0';
}

const char *log_request_id(void)
{
	return request_id;
}

static void emit(struct buf *b)
{
	const char *p;
	size_t left;

	buf_putc(b, '\n');
	p = b->data;
	left = b->len;
	while (left > 0) {
		ssize_t n = write(STDERR_FILENO, p, left);
		if (n <= 0)
			break;
		p += n;
		left -= (size_t)n;
	}
	buf_free(b);
}

/* One message, one line: fold any newline a library put in its text. */
static void fold(struct buf *b, size_t from)
{
	for (size_t i = from; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r' || b->data[i] == '\t')
			b->data[i] = ' ';
	while (b->len > from && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

/* s as a JSON string, a byte that is not UTF-8 written as '?' (a raw path
 * or a library's message may hold any byte; the line stays JSON). */
static void put_text(struct buf *b, const char *s)
{
	struct buf clean;
	const char *end = s + strlen(s);

	buf_init(&clean);
	while (s < end) {
		unsigned char c = (unsigned char)*s;
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (k == 1 || ((size_t)(end - s) >= k && utf8_valid_text(s, k))) {
			buf_append(&clean, s, k);
			s += k;
		} else {
			buf_putc(&clean, '?');
			s++;
		}
	}
	json_put_str(b, clean.data ? clean.data : "");
	buf_free(&clean);
}

/* {"time":..,"level":..,"process":..[,"function":..] */
static void json_head(struct buf *b, const char *level, const char *func)
{
	char now[40];

	time_format_iso(time_now_us(), now, sizeof(now));
	buf_printf(b, "{\"time\":\"%s\",\"level\":\"%s\",\"process\":", now, level);
	put_text(b, prog);
	if (func) {
		buf_puts(b, ",\"function\":");
		put_text(b, func);
	}
}

void log_set_field(enum log_field f, const char *value)
{
	size_t n;

	if ((unsigned)f >= LOG_F__MAX)
		return;
	/* a cut never splits a character: the line stays valid UTF-8 */
	n = value ? utf8_cut(value, strlen(value), sizeof(fields[f]) - 1) : 0;
	memcpy(fields[f], value ? value : "", n);
	fields[f][n] = '\0';
}

/* the fields set: ids as numbers, names as text */
static void json_fields(struct buf *b)
{
	for (int f = 0; f < LOG_F__MAX; f++) {
		const char *v = fields[f];

		if (!v[0])
			continue;
		buf_printf(b, ",\"%s\":", field_names[f]);
		if ((f == LOG_F_RULE || f == LOG_F_ALERT) && strspn(v, "0123456789") == strlen(v) &&
		    strlen(v) < 19 && (v[0] != '0' || !v[1]))
			buf_puts(b, v);
		else
			put_text(b, v);
	}
}

/* ,"message":..[,"request_id":..][fields]} and the line goes out */
static void json_tail(struct buf *b, const char *msg)
{
	buf_puts(b, ",\"message\":");
	put_text(b, msg);
	if (request_id[0])
		buf_printf(b, ",\"request_id\":\"%s\"", request_id);
	json_fields(b);
	buf_putc(b, '}');
	emit(b);
}

/* The line of a message already formatted into msg (taken); a raw line
 * (log_line) has no level in text and is "info" in json. */
static void write_line(const char *level, const char *func, struct buf *msg)
{
	struct buf b;

	fold(msg, 0);
	buf_init(&b);
	if (format == LOG_FMT_JSON) {
		json_head(&b, level ? level : "info", func);
		json_tail(&b, msg->data ? msg->data : "");
	} else {
		buf_printf(&b, "%s: ", prog);
		if (level)
			buf_printf(&b, "%s: %s: ", level, func);
		buf_puts(&b, msg->data ? msg->data : "");
		if (request_id[0] && level)
			buf_printf(&b, " [request %s]", request_id);
		emit(&b);
	}
	buf_free(msg);
}

/* Keeps "func: msg", cut at 300 bytes on a UTF-8 boundary. */
static void keep_error(const char *func, const char *msg)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	buf_printf(&b, "%s: %s", func, msg);
	n = utf8_cut(b.data, b.len, sizeof(last_error) - 1);
	memcpy(last_error, b.data, n);
	last_error[n] = '\0';
	buf_free(&b);
}

void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
{
	struct buf msg;
	va_list ap;

	if (lvl > max_level)
		return;
	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (lvl == LOG_LVL_ERROR)
		keep_error(func, msg.data);
	write_line(log_level_names[lvl], func, &msg);
}

const char *log_last_error(void)
{
	return last_error;
}

void log_line(const char *fmt, ...)
{
	struct buf msg;
	va_list ap;

	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	write_line(NULL, NULL, &msg);
}

void log_access(const char *method, const char *path, const char *route, int status,
    int64_t duration_us, const char *user)
{
	struct buf b;

	buf_init(&b);
	if (format != LOG_FMT_JSON) {
		buf_printf(&b, "%s: %s %s %d %lldus %s rid=%s", prog, method, path, status,
		    (long long)duration_us, user, request_id[0] ? request_id : "-");
		emit(&b);
		return;
	}
	json_head(&b, "info", NULL);
	buf_puts(&b, ",\"method\":");
	put_text(&b, method);
	buf_puts(&b, ",\"path\":");
	put_text(&b, path);
	buf_puts(&b, ",\"route\":");
	if (route)
		put_text(&b, route);
	else
		buf_puts(&b, "null");
	buf_printf(&b, ",\"status\":%d,\"duration_ms\":%.3f,\"user\":", status,
	    (double)duration_us / 1000.0);
	put_text(&b, user);
	json_tail(&b, "request");
}
