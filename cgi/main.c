/*
 * goldwatch-api - the FastCGI application behind nginx: JSON API and staff
 * pages. N worker threads each accept on the shared socket (FCGX_Accept_r)
 * with their own libpq connection; nothing else is shared but read-only
 * configuration and the frozen template cache. A request that decides to
 * mail (evaluate, a rule's test message, a rule deleted with open alerts)
 * only queues it: the goldwatch-mailer service sends it, so no worker
 * ever waits on SMTP.
 *
 *   goldwatch-api            serve on GOLDWATCH_SOCKET
 *   goldwatch-api --routes   print the route table (method path role body)
 */
#include <errno.h>
#include <fcgiapp.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "page_cache.h"
#include "read_cache.h"
#include "sequencer.h"
#include "tpl.h"

struct server {
	struct config cfg;
	int listen_fd;
	int from_systemd;  /* the socket is systemd's: do not unlink it */
};

struct worker {
	struct server *srv;
	pthread_t thread;
	int index;
};

static volatile sig_atomic_t stopping;
static int listen_fd_for_signal = -1;

/* Signal handler: libfcgi would swallow SIGTERM until the next accept. */
static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
	if (listen_fd_for_signal >= 0)
		shutdown(listen_fd_for_signal, SHUT_RDWR);
}

/* Runs in each worker thread until shutdown. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct config *cfg = &w->srv->cfg;
	struct db *db = db_new(cfg);
	/* the reads that may go to a replica (read_db.h) */
	struct db *replica = cfg->read_database_url[0] ? db_new_at(cfg, cfg->read_database_url) :
	    NULL;
	FCGX_Request fcgx;

	if (FCGX_InitRequest(&fcgx, w->srv->listen_fd, 0) != 0) {
		log_err("worker %d: FCGX_InitRequest failed", w->index);
		db_close(replica);
		db_close(db);
		return NULL;
	}
	while (!stopping) {
		struct request req;

		if (FCGX_Accept_r(&fcgx) < 0)
			break;
		/* the connection is made on first use: the API starts and
		 * answers 503 while the database is down, and recovers */
		request_init(&req, &fcgx, cfg, db);
		req.replica = replica;
		dispatch(&req);
		request_free(&req);
		FCGX_Finish_r(&fcgx);
	}
	FCGX_Free(&fcgx, 1);
	db_close(replica);
	db_close(db);
	return NULL;
}

static void print_routes(void)
{
	size_t n;
	const struct route *r = routes_table(&n);
	static const char *const bodies[BODY_KIND__MAX] = {"none", "json", "form"};

	for (size_t i = 0; i < n; i++)
		printf("%s %s %s %s%s\n", method_str(r[i].method), r[i].pattern,
		    role_name(r[i].role), bodies[r[i].body],
		    (r[i].flags & ROUTE_PAGE) ? " page" : "");
}

/*
 * systemd socket activation (goldwatch-api.socket): the listening socket is
 * fd 3 when LISTEN_PID names us (sd_listen_fds(3), without libsystemd).
 * Returns 1 if it was handed over.
 */
static int socket_from_systemd(struct server *srv)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int64_t p, n;

	if (pid == NULL || fds == NULL || parse_int64(pid, 1, INT64_MAX, &p) < 0 ||
	    parse_int64(fds, 1, 64, &n) < 0 || p != (int64_t)getpid())
		return 0;
	srv->listen_fd = 3;
	srv->from_systemd = 1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 1;
}

static int open_socket(struct server *srv)
{
	const char *path = srv->cfg.socket_path;

	if (socket_from_systemd(srv)) {
		log_info("listening on the socket systemd passed");
		return 0;
	}

	/* a socket file left by a killed run would make bind fail */
	if (path[0] == '/' || path[0] == '.')
		unlink(path);
	srv->listen_fd = FCGX_OpenSocket(path, 256);
	if (srv->listen_fd < 0) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	/* nginx workers run as another user: let them connect */
	if ((path[0] == '/' || path[0] == '.') && chmod(path, 0666) < 0) {
		log_err("cannot set the mode of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct server srv;
	struct worker *workers;
	struct sigaction sa;
	char *tpl_dir;
	int rc = 1;

	log_init("goldwatch-api", LOG_LVL_INFO);
	if (routes_check() < 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "--routes") == 0) {
		print_routes();
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: goldwatch-api [--routes]\n");
		return 2;
	}
	if (config_load(&srv.cfg) < 0)
		return 1;
	log_init("goldwatch-api", (enum log_level)srv.cfg.log_level);
	read_cache_init((size_t)srv.cfg.read_cache_kb * 1024);
	page_cache_init(srv.cfg.page_cache_ms);
	/* libcurl (contact point tests) before any thread: its global init is not thread-safe */
	if (auth_init() < 0 || FCGX_Init() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		goto out_cfg;
	json_object_seed(0);
	/* pages show times in the shop's zone: localtime_r() follows TZ (set
	 * here, before any thread starts; the API's JSON is always UTC) */
	setenv("TZ", srv.cfg.timezone, 1);
	tzset();
	tpl_dir = config_path(&srv.cfg, "templates", "");
	if (tpl_init(tpl_dir) < 0) {
		free(tpl_dir);
		goto out_cfg;
	}
	free(tpl_dir);
	srv.from_systemd = 0;
	if (open_socket(&srv) < 0)
		goto out_cfg;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	listen_fd_for_signal = srv.listen_fd;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	(void)sequencer_start(&srv.cfg);
	workers = xcalloc((size_t)srv.cfg.threads, sizeof(*workers));
	for (int i = 0; i < srv.cfg.threads; i++) {
		workers[i].srv = &srv;
		workers[i].index = i;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
			log_err("cannot start worker thread %d", i);
			stopping = 1;
			shutdown(srv.listen_fd, SHUT_RDWR);
			srv.cfg.threads = i;
			break;
		}
	}
	log_info("serving with %lld threads", (long long)srv.cfg.threads);
	for (int i = 0; i < srv.cfg.threads; i++)
		pthread_join(workers[i].thread, NULL);
	free(workers);
	sequencer_stop();
	close(srv.listen_fd);
	if (!srv.from_systemd && (srv.cfg.socket_path[0] == '/' || srv.cfg.socket_path[0] == '.'))
		unlink(srv.cfg.socket_path);
	log_info("stopped");
	rc = 0;
out_cfg:
	config_free(&srv.cfg);
	return rc;
}
