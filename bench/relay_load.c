/*
 * relay_load - the client of bench/relay.sh: authenticated WebSocket
 * clients spread over several goldwatch-pusher processes (straight to
 * each one's unix socket), which note every message's event id and
 * arrival (wall clock, to compare with the database's and pgbench's
 * timestamps) while the writers run. The script tells it when the run is
 * over and which events it made; then it checks that every client had
 * every one of them once, in id order, and works out rates and latencies
 * (relay_check.c).
 *
 *   relay_load --per N SOCKET...
 *
 * Talks with the script on stdin and stdout, one line each way:
 *   -> "ready ID"    every client is open and had the warm-up event ID
 *   <- "done FILE"   the run is over; FILE has one line per event of the
 *                    run, in id order: "id done_us at_us" (wall clock, us;
 *                    done_us -1 when unknown)
 * then the report, and exit 0, or 1 when a client missed, repeated or
 * reordered an event (or could not connect).
 *
 * Environment (scripts/stack.sh's goldwatch.env): DATABASE_URL; BENCH_USER
 * (default admin) for the sessions.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "db.h"
#include "log.h"
#include "relay_load.h"
#include "util.h"

#define WAVE 64                          /* handshakes in flight at once */
#define WARM_US (60 * LWS_US_PER_SEC)    /* the warm-up event may take this long */
#define DRAIN_US (30 * LWS_US_PER_SEC)   /* after "done": wait this long at most */

static _Atomic(char *) done_line;        /* what the stdin thread read */

/* This process's CPU time so far (user and system), in us. */
static int64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void record(struct rclient *c, int64_t id)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4096;
		c->id = xrealloc(c->id, (size_t)c->cap * sizeof(*c->id));
		c->t = xrealloc(c->t, (size_t)c->cap * sizeof(*c->t));
	}
	c->id[c->n] = id;
	c->t[c->n] = time_now_us();
	c->n++;
}

static int on_event(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct relay *r = lws_context_user(lws_get_context(wsi));
	struct rclient *c = user;

	if (bench_ws_count(&r->k, &c->open, reason, in))
		return 0;
	/* {"id":123,... : the id is all that is kept */
	if (reason == LWS_CALLBACK_CLIENT_RECEIVE && lws_is_first_fragment(wsi) &&
	    lws_is_final_fragment(wsi) && len > 6 && memcmp(in, "{\"id\":", 6) == 0)
		record(c, strtoll((const char *)in + 6, NULL, 10));
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"relay-load", on_event, 0, 8192, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}
};

/* Runs the loop once, starting connections up to WAVE in flight. */
static void service(struct relay *r)
{
	while (r->k.next < r->nclients && r->k.connecting < WAVE) {
		int i = r->k.next++;
		bench_ws_connect(&r->ws, &r->k, r->sockets[r->c[i].pusher], NULL, r->tokens[i],
		    protocols[0].name, &r->c[i]);
	}
	bench_ws_run_once(&r->ws);
}

/* Every open client has had an event with an id of at least id. */
static int all_had(const struct relay *r, int64_t id)
{
	for (int i = 0; i < r->nclients; i++) {
		const struct rclient *c = &r->c[i];
		if (c->open && (c->n == 0 || c->id[c->n - 1] < id))
			return 0;
	}
	return 1;
}

DB_STMT(q_warm, "INSERT INTO events (type, data)"
    " VALUES ('kpi.sampled', jsonb_build_object('kpi', 'bench', 'value', -1,"
    "         'source', 'relay_load')) RETURNING id");

/*
 * One event before the run, waited for at every client: a socket is open
 * before its pusher has looked its credential up. Its id, or -1.
 */
static int64_t warm_up(struct relay *r)
{
	struct db *db = db_open(&r->cfg);
	int64_t id = -1, t0 = time_mono_us();

	if (db && db_one_i64(db, &q_warm, &id) < 0)
		id = -1;
	db_close(db);
	if (id < 0)
		return -1;
	while (!all_had(r, id) && time_mono_us() - t0 < WARM_US)
		service(r);
	if (!all_had(r, id)) {
		fprintf(stderr, "relay_load: not every client had the warm-up event\n");
		return -1;
	}
	return id;
}

/* The stdin thread: the script's "done FILE" line. */
static void *read_stdin(void *arg)
{
	char line[4096];

	(void)arg;
	if (fgets(line, sizeof(line), stdin) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	atomic_store(&done_line, xstrdup(line));
	return NULL;
}

/* Serves the sockets until the script says the run is over; its file. */
static char *wait_done(struct relay *r)
{
	pthread_t reader;
	char *line;

	pthread_create(&reader, NULL, read_stdin, NULL);
	while ((line = atomic_load(&done_line)) == NULL)
		service(r);
	pthread_join(reader, NULL);
	if (strncmp(line, "done ", 5) != 0) {
		fprintf(stderr, "relay_load: expected \"done FILE\", got \"%s\"\n", line);
		free(line);
		return NULL;
	}
	memmove(line, line + 5, strlen(line + 5) + 1);
	return line;
}

/* The events of the run, from the script's file. 0, or -1. */
static int load_run(struct relay *r, const char *path)
{
	FILE *f = fopen(path, "r");
	long long id, done, at;
	int cap = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while (fscanf(f, "%lld %lld %lld", &id, &done, &at) == 3) {
		if (r->m == cap) {
			cap = cap ? 2 * cap : 65536;
			r->ev = xrealloc(r->ev, (size_t)cap * sizeof(*r->ev));
		}
		r->ev[r->m++] = (struct rev){id, done, at};
	}
	fclose(f);
	return 0;
}

static int parse_args(struct relay *r, int argc, char **argv)
{
	int i = 1;

	r->per = 10;
	if (argc > 2 && strcmp(argv[1], "--per") == 0) {
		r->per = atoi(argv[2]);
		i = 3;
	}
	r->nsockets = argc - i;
	r->sockets = argv + i;
	r->nclients = r->per * r->nsockets;
	return r->per > 0 && r->nsockets > 0 ? 0 : -1;
}

/* Sessions, clients (round the pushers) and the sockets' context. 0, or -1. */
static int set_up(struct relay *r)
{
	struct rlimit rl;

	if (config_load(&r->cfg) < 0 || auth_init() < 0)
		return -1;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	r->tokens = xcalloc((size_t)r->nclients, sizeof(*r->tokens));
	if (bench_sessions(&r->cfg, r->nclients, r->tokens, NULL) < 0)
		return -1;
	r->c = xcalloc((size_t)r->nclients, sizeof(*r->c));
	for (int i = 0; i < r->nclients; i++)
		r->c[i].pusher = i % r->nsockets;
	return bench_ws_init(&r->ws, protocols, r);
}

int main(int argc, char **argv)
{
	static struct relay r;
	int64_t t0, deadline, cpu0;
	char *path;
	int rc;

	log_init("relay_load", LOG_LVL_WARN);
	if (parse_args(&r, argc, argv) < 0) {
		fprintf(stderr, "usage: relay_load [--per N] SOCKET...\n");
		return 2;
	}
	if (set_up(&r) < 0)
		return 1;
	t0 = time_mono_us();
	while (r.k.opened + r.k.failed < r.nclients)
		service(&r);
	printf("connect: %d clients on %d pushers open in %.2f s (%d failed)\n", r.k.opened,
	    r.nsockets, (double)(time_mono_us() - t0) / 1e6, r.k.failed);
	if (r.k.failed || (r.warm_id = warm_up(&r)) < 0)
		return 1;
	printf("ready %lld\n", (long long)r.warm_id);
	fflush(stdout);
	t0 = time_mono_us();
	cpu0 = cpu_us();
	if ((path = wait_done(&r)) == NULL || load_run(&r, path) < 0)
		return 1;
	deadline = time_mono_us() + DRAIN_US;
	while (r.m > 0 && !all_had(&r, r.ev[r.m - 1].id) && time_mono_us() < deadline)
		service(&r);
	printf("client CPU from ready to the last message: %.1f s in %.1f s\n",
	    (double)(cpu_us() - cpu0) / 1e6, (double)(time_mono_us() - t0) / 1e6);
	fflush(stdout);
	rc = relay_report(&r);
	bench_ws_free(&r.ws);
	free(path);
	return rc;
}
