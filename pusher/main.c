/*
 * goldwatch-pusher - live updates over WebSocket at /api/alerts/ws, behind
 * nginx, listening on the unix socket GOLDWATCH_PUSHER_SOCKET (see
 * pusher.h for how the pieces fit). Runs in the foreground, logs to
 * stderr, and exits cleanly on SIGTERM or SIGINT: sockets get a 1001
 * close that names the id to resume from, then everything is freed.
 *
 *   goldwatch-pusher
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"
#include "pusher.h"

#define PUSHER_MAX_FDS 1048576          /* when the hard limit is unlimited */
#define PUSHER_RX_BUFFER 256            /* clients send nothing but control frames */
#define SHUTDOWN_GRACE_US (500 * LWS_US_PER_MS)
#define SHUTDOWN_TICK_US (20 * LWS_US_PER_MS)

static volatile sig_atomic_t stopping;
static struct lws_context *signal_ctx;

/* Signal handler: lws_cancel_service() only writes to lws' wake-up pipe. */
static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	if (signal_ctx)
		lws_cancel_service(signal_ctx);
}

struct pusher *pusher_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* Runs what the database threads answered; the count. */
static int pusher_deliver(struct pusher *p)
{
	return worker_deliver(p->feed.worker, p) + worker_deliver(p->queries, p);
}

/* The WebSocket protocol; lws' HTTP handling for the rest. */
static int on_socket(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct pusher *p = pusher_of(wsi);
	struct client *c = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return handshake_confirm(p, wsi, in);
	case LWS_CALLBACK_HTTP:
		return handshake_plain_http(wsi);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* only an upgrade handshake_confirm() let through */
		return p->handoff.wsi == wsi ? 0 : -1;
	case LWS_CALLBACK_ESTABLISHED:
		return check_open(p, c, wsi);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return client_writeable(p, c);
	case LWS_CALLBACK_RECEIVE:
		return client_receive(p, c, len);
	case LWS_CALLBACK_CLOSED:
		client_closed(p, c);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		/* a database thread has answers */
		pusher_deliver(p);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

/* Clients that name no subprotocol bind to the first. */
static const struct lws_protocols protocols[] = {
	{PUSHER_PROTOCOL, on_socket, sizeof(struct client), PUSHER_RX_BUFFER, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}
};

/* lws' own errors and warnings, as goldwatch log lines. */
static void lws_log(int level, const char *line)
{
	log_msg(level == LLL_ERR ? LOG_LVL_ERROR : LOG_LVL_WARN, "lws", "%s", line);
}

/* Every socket is a descriptor: take all the kernel allows. Returns the limit. */
static long raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > PUSHER_MAX_FDS)
		rl.rlim_max = PUSHER_MAX_FDS;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warn("cannot raise the descriptor limit: %s", strerror(errno));
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
	(void)sul;  /* wakes lws_service() while closing down */
}

static int serve(struct pusher *p, long fds)
{
	const struct config *cfg = p->cfg;
	struct lws_context_creation_info info;
	lws_retry_bo_t idle;
	lws_sorted_usec_list_t tick;
	struct sigaction sa;
	int64_t deadline;

	memset(&idle, 0, sizeof(idle));
	/* ping a socket quiet for ping_s; hang up when no pong came by 2 * ping_s */
	idle.secs_since_valid_ping = (uint16_t)cfg->pusher_ping_s;
	idle.secs_since_valid_hangup = (uint16_t)(2 * cfg->pusher_ping_s);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_UNIX_SOCK;
	info.iface = cfg->pusher_socket;
	info.port = 0;
	info.protocols = protocols;
	info.user = p;
	info.retry_and_idle_policy = &idle;
	/* a socket file left by a killed run would make bind fail */
	unlink(cfg->pusher_socket);
	p->ctx = lws_create_context(&info);
	if (p->ctx == NULL) {
		log_err("cannot listen on %s", cfg->pusher_socket);
		return -1;
	}
	p->vh = lws_get_vhost_by_name(p->ctx, "default");
	/* nginx workers run as another user: let them connect */
	if (p->vh == NULL || chmod(cfg->pusher_socket, 0666) < 0) {
		log_err("cannot set up %s: %s", cfg->pusher_socket, strerror(errno));
		lws_context_destroy(p->ctx);
		return -1;
	}
	signal_ctx = p->ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info("listening on %s: queue %lld events, ping %lld s, re-check %lld s, %ld fds",
	    cfg->pusher_socket, (long long)cfg->pusher_queue, (long long)cfg->pusher_ping_s,
	    (long long)cfg->pusher_recheck_s, fds);
	p->queries = worker_new("queries", p->db, NULL, NULL);
	if (worker_start(p->queries, p->ctx) < 0 || feed_start(p) < 0) {
		stopping = 1;
	} else {
		recheck_start(p);
		beat_start(p);
	}
	while (!stopping && lws_service(p->ctx, 0) >= 0)
		;
	/* say goodbye with the id to resume from, briefly */
	clients_close_all(p, CLOSE_SHUTDOWN);
	memset(&tick, 0, sizeof(tick));
	deadline = time_mono_us() + SHUTDOWN_GRACE_US;
	while (p->clients.count > 0 && time_mono_us() < deadline) {
		lws_sul_schedule(p->ctx, 0, &tick, on_tick, SHUTDOWN_TICK_US);
		if (lws_service(p->ctx, 0) < 0)
			break;
	}
	lws_sul_cancel(&tick);
	lws_sul_cancel(&p->sul_recheck);
	lws_sul_cancel(&p->sul_beat);
	feed_stop(p);
	worker_stop(p->queries);
	/* what was still queued comes back cancelled (and may cancel more) */
	while (pusher_deliver(p) > 0)
		;
	lws_sul_cancel(&p->sul_recheck);
	feed_stop(p);
	signal_ctx = NULL;
	lws_context_destroy(p->ctx);
	p->ctx = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct pusher p;
	long fds;
	int rc;

	log_init("goldwatch-pusher", LOG_LVL_INFO);
	if (argc > 1) {
		fprintf(stderr, "usage: %s (configured by the environment: see README)\n", argv[0]);
		return 2;
	}
	if (config_load(&cfg) < 0)
		return 1;
	log_init("goldwatch-pusher", (enum log_level)cfg.log_level);
	if (auth_init() < 0) {
		config_free(&cfg);
		return 1;
	}
	json_object_seed(0);
	fds = raise_nofile();
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&p, 0, sizeof(p));
	p.cfg = &cfg;
	if (url_origin(cfg.base_url, p.origin, sizeof(p.origin)) < 0) {
		log_err("GOLDWATCH_BASE_URL must be an http or https URL (the site's own origin): %s",
		    cfg.base_url);
		config_free(&cfg);
		return 1;
	}
	p.db = db_new(&cfg);
	p.feed.db = db_new(&cfg);
	ring_init(&p.ring, (uint64_t)cfg.pusher_queue, LWS_PRE, 0);
	rc = serve(&p, fds);
	log_info("stopped: %llu sockets served, %llu refused at the upgrade, %llu events relayed;"
	    " closed %llu as too slow, %llu at sign-out or expiry",
	    (unsigned long long)p.stats.sockets, (unsigned long long)p.stats.refused,
	    (unsigned long long)p.stats.relayed,
	    (unsigned long long)p.stats.closed[CLOSE_TOO_SLOW],
	    (unsigned long long)p.stats.closed[CLOSE_AUTH_ENDED]);
	ring_free(&p.ring);
	worker_free(p.queries);
	worker_free(p.feed.worker);
	db_close(p.db);
	db_close(p.feed.db);
	config_free(&cfg);
	return rc < 0 ? 1 : 0;
}
