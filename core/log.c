/*
 * log.c - see log.h. Each message is formatted into one buffer and written
 * with a single write(2) so that lines from threads never interleave.
 */
#include "log.h"

#include <stdio.h>
#include <unistd.h>

static const char *prog = "goldwatch";
static enum log_level max_level = LOG_LVL_INFO;

const char *const log_level_names[LOG_LVL__MAX + 1] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL__MAX] = NULL,
};

void log_init(const char *progname, enum log_level max)
{
	prog = progname;
	max_level = max;
}

const char *log_progname(void)
{
	return prog;
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

void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	if (lvl > max_level)
		return;
	buf_init(&b);
	buf_printf(&b, "%s: %s: %s: ", prog, log_level_names[lvl], func);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	/* one message, one line: fold any newline a library put in its text */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n' || b.data[i] == '\r' || b.data[i] == '\t')
			b.data[i] = ' ';
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	emit(&b);
}

void log_line(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	buf_printf(&b, "%s: ", prog);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	emit(&b);
}
