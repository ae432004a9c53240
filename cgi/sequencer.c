/*
 * sequencer.c - see sequencer.h.
 */
#include "sequencer.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "event.h"
#include "log.h"
#include "util.h"

/* How long a worker waits for its step at most (the step has its own
 * statement timeout; this bounds a wait on a thread that is stuck). */
#define WAIT_MS 2000
/* The step without a wake-up. */
#define IDLE_MS 1000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static uint64_t asked;   /* commits that asked, numbered from 1 */
static uint64_t served;  /* the asks a finished step covered */
static int stopping;
static pthread_t thread;
static struct db *seq_db;

/* The wall-clock moment ms from now, as pthread_cond_timedwait takes it. */
static struct timespec in_ms(long ms)
{
	int64_t us = time_now_us() + (int64_t)ms * 1000;

	return (struct timespec){.tv_sec = (time_t)(us / 1000000),
	    .tv_nsec = (long)(us % 1000000) * 1000};
}

/* A worker, after its commit queued events (events_publish_by). */
static void publish_and_wait(void)
{
	struct timespec until = in_ms(WAIT_MS);
	uint64_t mine;

	pthread_mutex_lock(&mu);
	mine = ++asked;
	pthread_cond_signal(&wake);
	while (served < mine && !stopping)
		if (pthread_cond_timedwait(&done, &mu, &until) == ETIMEDOUT) {
			log_warn("the events sequencer is late: these events are numbered by the next step");
			break;
		}
	pthread_mutex_unlock(&mu);
}

/* One step over what is queued; logs when it starts or stops failing. */
static void step(int *failing)
{
	int rc = events_publish(seq_db);

	if (rc < 0 && !*failing)
		log_warn("the events sequencer cannot number the queue; it tries again");
	else if (rc == 0 && *failing)
		log_info("the events sequencer numbers the queue again");
	*failing = rc < 0;
}

static void *run(void *arg)
{
	int failing = 0;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		struct timespec until = in_ms(IDLE_MS);
		uint64_t upto;

		while (asked == served && !stopping)
			if (pthread_cond_timedwait(&wake, &mu, &until) == ETIMEDOUT)
				break;
		/* every ask up to here committed before this step begins */
		upto = asked;
		pthread_mutex_unlock(&mu);
		step(&failing);
		pthread_mutex_lock(&mu);
		served = upto;
		pthread_cond_broadcast(&done);
	}
	pthread_mutex_unlock(&mu);
	step(&failing);
	return NULL;
}

int sequencer_start(const struct config *cfg)
{
	seq_db = db_new(cfg);
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		log_err("cannot start the events sequencer; workers number their own events");
		db_close(seq_db);
		seq_db = NULL;
		return -1;
	}
	events_publish_by(publish_and_wait);
	return 0;
}

void sequencer_stop(void)
{
	if (seq_db == NULL)
		return;
	events_publish_by(NULL);
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&wake);
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	db_close(seq_db);
	seq_db = NULL;
}
