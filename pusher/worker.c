/*
 * worker.c - a database thread: it owns one libpq connection, runs the
 * jobs the lws thread queues, in order, and hands each back with
 * lws_cancel_service(); lws then calls LWS_CALLBACK_EVENT_WAIT_CANCELLED
 * on its own thread, where worker_deliver() runs the jobs' done halves.
 * So libpq may block here (a slow query, a reconnect with its timeout)
 * while the lws loop goes on, and no lws call is made from this thread.
 *
 * Between jobs the thread sleeps in poll() on its wake-up pipe and, if
 * the owner watches one (the feed's LISTEN connection), on the
 * connection's socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pusher.h"
#include "util.h"

struct worker {
	const char *name;
	struct db *db;
	struct lws_context *ctx;
	const struct worker_input *input;
	void *input_arg;
	pthread_t thread;
	pthread_mutex_t lock;          /* guards everything below */
	int wake[2];                   /* a byte wakes the thread */
	struct job *todo, **todo_tail;
	struct job *done, **done_tail;
	PGcancel *cancel;              /* for the running query, at shutdown */
	uint64_t cancel_gen;           /* the db_generation() it was made on */
	int started, stopping, running;
};

struct worker *worker_new(const char *name, struct db *db,
    const struct worker_input *input, void *arg)
{
	struct worker *w = xcalloc(1, sizeof(*w));

	w->name = name;
	w->db = db;
	w->input = input;
	w->input_arg = arg;
	w->todo_tail = &w->todo;
	w->done_tail = &w->done;
	pthread_mutex_init(&w->lock, NULL);
	if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_err("%s: cannot make a pipe: %s", name, strerror(errno));
		abort();
	}
	return w;
}

static void wake(struct worker *w)
{
	char b = 1;

	/* a full pipe already wakes it */
	if (write(w->wake[1], &b, 1) < 0 && errno != EAGAIN)
		log_warn("%s: cannot wake the thread: %s", w->name, strerror(errno));
}

static void drain_pipe(struct worker *w)
{
	char buf[64];

	while (read(w->wake[0], buf, sizeof(buf)) > 0)
		;
}

void worker_reply(struct worker *w, struct job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&w->lock);
	*w->done_tail = j;
	w->done_tail = &j->next;
	pthread_mutex_unlock(&w->lock);
	if (w->ctx)
		lws_cancel_service(w->ctx);
}

void worker_post(struct worker *w, struct job *j)
{
	int stopped;

	j->next = NULL;
	j->cancelled = 0;
	pthread_mutex_lock(&w->lock);
	stopped = w->stopping || !w->started;
	if (!stopped) {
		*w->todo_tail = j;
		w->todo_tail = &j->next;
	}
	pthread_mutex_unlock(&w->lock);
	if (stopped) {
		/* answered at the next delivery, as if the database had failed */
		j->cancelled = 1;
		worker_reply(w, j);
		return;
	}
	wake(w);
}

static struct job *take(struct worker *w)
{
	struct job *j;

	pthread_mutex_lock(&w->lock);
	j = w->todo;
	if (j) {
		w->todo = j->next;
		if (w->todo == NULL)
			w->todo_tail = &w->todo;
		w->running = 1;
	}
	pthread_mutex_unlock(&w->lock);
	return j;
}

/* Keeps a cancel handle for the current connection (used only at shutdown). */
static void refresh_cancel(struct worker *w)
{
	uint64_t gen = db_generation(w->db);
	PGcancel *c;

	if (gen == w->cancel_gen || db_conn(w->db) == NULL)
		return;
	c = PQgetCancel(db_conn(w->db));
	pthread_mutex_lock(&w->lock);
	if (w->cancel)
		PQfreeCancel(w->cancel);
	w->cancel = c;
	w->cancel_gen = gen;
	pthread_mutex_unlock(&w->lock);
}

/* Sleeps until a wake-up byte, or the watched socket turns readable. */
static void wait_for_work(struct worker *w)
{
	struct pollfd fds[2] = {{.fd = w->wake[0], .events = POLLIN}, {.fd = -1}};
	int n = 1;

	if (w->input) {
		fds[1].fd = w->input->watch(w->input_arg, w->db);
		fds[1].events = POLLIN;
		n = fds[1].fd >= 0 ? 2 : 1;
	}
	if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
		log_warn("%s: poll: %s", w->name, strerror(errno));
	if (fds[0].revents)
		drain_pipe(w);
	if (n == 2 && fds[1].revents)
		w->input->readable(w->input_arg, w, w->db, 1);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		struct job *j = take(w);
		int stop;

		if (j) {
			/* connected first, so that a stuck query can be cancelled */
			(void)db_ensure(w->db);
			refresh_cancel(w);
			j->run(w->db, j);
			pthread_mutex_lock(&w->lock);
			w->running = 0;
			pthread_mutex_unlock(&w->lock);
			worker_reply(w, j);
			/* notifications gathered during the job go out after its answer */
			if (w->input)
				w->input->readable(w->input_arg, w, w->db, 0);
			continue;
		}
		pthread_mutex_lock(&w->lock);
		stop = w->stopping && w->todo == NULL;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			break;
		wait_for_work(w);
	}
	return NULL;
}

int worker_start(struct worker *w, struct lws_context *ctx)
{
	int rc;

	w->ctx = ctx;
	w->started = 1;
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		log_err("%s: cannot start the thread: %s", w->name, strerror(rc));
		w->started = 0;
		return -1;
	}
	return 0;
}

void worker_stop(struct worker *w)
{
	struct job *j;
	char err[256];

	if (w == NULL || !w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	/* what has not started is answered as cancelled */
	while ((j = w->todo) != NULL) {
		w->todo = j->next;
		j->cancelled = 1;
		j->next = NULL;
		*w->done_tail = j;
		w->done_tail = &j->next;
	}
	w->todo_tail = &w->todo;
	/* a query stuck on a lock would hold the exit up to statement_timeout */
	if (w->running && w->cancel && !PQcancel(w->cancel, err, (int)sizeof(err)))
		log_warn("%s: cannot cancel the running query: %s", w->name, err);
	pthread_mutex_unlock(&w->lock);
	wake(w);
	pthread_join(w->thread, NULL);
	w->started = 0;
}

int worker_deliver(struct worker *w, struct pusher *p)
{
	struct job *list, *j;
	int n = 0;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	while ((j = list) != NULL) {
		list = j->next;
		j->done(p, j);
		n++;
	}
	return n;
}

void worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	if (w->cancel)
		PQfreeCancel(w->cancel);
	close(w->wake[0]);
	close(w->wake[1]);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
