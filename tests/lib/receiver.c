/*
 * receiver.c - see receiver.h.
 */
#include "receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RCV_MAX 256
#define RCV_BODY_MAX (32u << 20)

struct receiver {
	int fd, port;
	_Atomic int stop;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rcv_request reqs[RCV_MAX];
	int n;
	int status, delay_ms, hang;
	char answer[4096];
};

static void ms_sleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Reads one request from c into q: 0, or -1 (closed or malformed). */
static int read_request(int c, struct rcv_request *q)
{
	size_t cap = 65536, got = 0, want = 0, hdr = 0;
	char *buf = malloc(cap + 1), *end, *cl;

	for (;;) {
		struct pollfd p = {c, POLLIN, 0};
		ssize_t k;
		if (poll(&p, 1, 5000) <= 0 || (k = read(c, buf + got, cap - got)) <= 0)
			break;
		got += (size_t)k;
		buf[got] = '\0';
		if (!hdr && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			hdr = (size_t)(end - buf) + 4;
			cl = strcasestr(buf, "\r\nContent-Length:");
			want = cl && cl < end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
		}
		if (hdr && got >= hdr + want) {
			memset(q, 0, sizeof(*q));
			sscanf(buf, "%15s %1023s", q->method, q->path);
			q->headers = strndup(buf, hdr);
			q->body = strndup(buf + hdr, want);
			q->len = want;
			free(buf);
			return 0;
		}
		if (got == cap) {
			/* big bodies (a burst's 1,000 alerts) grow the buffer, up to a bound */
			if (cap >= RCV_BODY_MAX)
				break;
			char *more = realloc(buf, 2 * cap + 1);
			if (more == NULL)
				break;
			buf = more;
			cap *= 2;
		}
	}
	free(buf);
	return -1;
}

static void answer(struct receiver *r, int c)
{
	char head[256], body[4096];
	int status, delay, hang;

	pthread_mutex_lock(&r->mu);
	status = r->status;
	delay = r->delay_ms;
	hang = r->hang;
	snprintf(body, sizeof(body), "%s", r->answer);
	pthread_mutex_unlock(&r->mu);
	if (hang) {
		while (!r->stop) {
			pthread_mutex_lock(&r->mu);
			hang = r->hang;
			pthread_mutex_unlock(&r->mu);
			if (!hang)
				break;
			ms_sleep(20);
		}
		return;
	}
	if (delay > 0)
		ms_sleep(delay);
	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, strlen(body));
	if (write(c, head, strlen(head)) < 0 || write(c, body, strlen(body)) < 0)
		return;
}

static void *serve(void *arg)
{
	struct receiver *r = arg;

	while (!r->stop) {
		struct pollfd p = {r->fd, POLLIN, 0};
		struct rcv_request q;
		int c;

		if (poll(&p, 1, 100) <= 0 || (c = accept(r->fd, NULL, NULL)) < 0)
			continue;
		if (read_request(c, &q) == 0) {
			pthread_mutex_lock(&r->mu);
			if (r->n < RCV_MAX)
				r->reqs[r->n++] = q;
			else
				rcv_request_free(&q);
			pthread_cond_broadcast(&r->cv);
			pthread_mutex_unlock(&r->mu);
			answer(r, c);
		}
		close(c);
	}
	return NULL;
}

struct receiver *receiver_start(void)
{
	struct receiver *r = calloc(1, sizeof(*r));
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(r->fd, 64) < 0 || getsockname(r->fd, (struct sockaddr *)&a, &len) < 0) {
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	r->port = ntohs(a.sin_port);
	r->status = 200;
	snprintf(r->answer, sizeof(r->answer), "{\"ok\":true}");
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	pthread_create(&r->thread, NULL, serve, r);
	return r;
}

void receiver_stop(struct receiver *r)
{
	if (r == NULL)
		return;
	r->stop = 1;
	pthread_join(r->thread, NULL);
	close(r->fd);
	receiver_clear(r);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

int receiver_port(const struct receiver *r)
{
	return r->port;
}

char *receiver_url(const struct receiver *r, const char *path)
{
	char *s = NULL;

	if (asprintf(&s, "http://127.0.0.1:%d%s", r->port, path) < 0)
		return NULL;
	return s;
}

void receiver_answer(struct receiver *r, int status, const char *body, int delay_ms, int hang)
{
	pthread_mutex_lock(&r->mu);
	r->status = status;
	snprintf(r->answer, sizeof(r->answer), "%s", body ? body : "");
	r->delay_ms = delay_ms;
	r->hang = hang;
	pthread_mutex_unlock(&r->mu);
}

int receiver_wait(struct receiver *r, int n, int timeout_ms)
{
	struct timespec until;
	int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->mu);
	while (r->n < n && pthread_cond_timedwait(&r->cv, &r->mu, &until) != ETIMEDOUT)
		;
	got = r->n;
	pthread_mutex_unlock(&r->mu);
	return got;
}

int receiver_get(struct receiver *r, int i, struct rcv_request *out)
{
	int rc = -1;

	pthread_mutex_lock(&r->mu);
	if (i >= 0 && i < r->n) {
		*out = r->reqs[i];
		out->headers = strdup(r->reqs[i].headers);
		out->body = strdup(r->reqs[i].body);
		rc = 0;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int receiver_count(struct receiver *r, const char *prefix, const char *text)
{
	int k = 0;

	pthread_mutex_lock(&r->mu);
	for (int i = 0; i < r->n; i++)
		k += strncmp(r->reqs[i].path, prefix, strlen(prefix)) == 0 &&
		    (text == NULL || (r->reqs[i].body && strstr(r->reqs[i].body, text)));
	pthread_mutex_unlock(&r->mu);
	return k;
}

void rcv_request_free(struct rcv_request *q)
{
	free(q->headers);
	free(q->body);
	q->headers = q->body = NULL;
}

char *rcv_header(const struct rcv_request *q, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = q->headers; l && *l; ) {
		const char *eol = strstr(l, "\r\n");
		if (eol == NULL)
			break;
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			const char *v = l + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(eol - v));
		}
		l = eol + 2;
	}
	return NULL;
}

void receiver_clear(struct receiver *r)
{
	pthread_mutex_lock(&r->mu);
	for (int i = 0; i < r->n; i++)
		rcv_request_free(&r->reqs[i]);
	r->n = 0;
	pthread_mutex_unlock(&r->mu);
}
