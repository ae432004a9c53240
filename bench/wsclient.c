/* wsclient.c - see wsclient.h. */
#include "wsclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define TICK_MS 10               /* the loop wakes at least this often */

int bench_sessions(const struct config *cfg, int n, char (*tokens)[AUTH_TOKEN_MAX],
    char *admin)
{
	struct db *db = db_open(cfg);
	const char *user = getenv("BENCH_USER") ? getenv("BENCH_USER") : "admin";
	char csrf[AUTH_TOKEN_MAX];
	int64_t uid = 0, exp;
	int rc = 0;
	DB_STMT(q_user, "SELECT id FROM users WHERE username = $1");
	PGresult *r;

	if (db == NULL)
		return -1;
	r = DB_EXEC(db, &q_user, user);
	if (r && PQntuples(r) == 1)
		uid = db_i64(r, 0, "id");
	PQclear(r);
	if (uid == 0) {
		fprintf(stderr, "bench: no user %s\n", user);
		db_close(db);
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = auth_session_create(db, uid, 24, tokens[i], csrf, &exp);
	if (rc == 0 && admin)
		rc = auth_session_create(db, uid, 24, admin, csrf, &exp);
	db_close(db);
	return rc < 0 ? -1 : 0;
}

static void on_tick(uv_timer_t *t)
{
	(void)t;  /* only makes uv_run() return */
}

int bench_ws_init(struct bench_ws *w, const struct lws_protocols *protocols, void *user)
{
	struct lws_context_creation_info info;
	void *loops[1];

	memset(w, 0, sizeof(*w));
	lws_set_log_level(LLL_ERR, NULL);
	uv_loop_init(&w->loop);
	uv_timer_init(&w->loop, &w->tick);
	uv_timer_start(&w->tick, on_tick, TICK_MS, TICK_MS);
	loops[0] = &w->loop;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = user;
	info.connect_timeout_secs = 30;
	info.timeout_secs = 30;
	info.options = LWS_SERVER_OPTION_LIBUV;
	info.foreign_loops = loops;
	info.pcontext = &w->ctx;
	w->ctx = lws_create_context(&info);
	return w->ctx ? 0 : -1;
}

void bench_ws_run_once(struct bench_ws *w)
{
	uv_run(&w->loop, UV_RUN_ONCE);
}

void bench_ws_free(struct bench_ws *w)
{
	/* lws closes its handles through the loop, then clears w->ctx */
	lws_context_destroy(w->ctx);
	for (int i = 0; i < 1000 && w->ctx; i++)
		uv_run(&w->loop, UV_RUN_ONCE);
	uv_timer_stop(&w->tick);
	uv_close((uv_handle_t *)&w->tick, NULL);
	uv_run(&w->loop, UV_RUN_NOWAIT);
	uv_loop_close(&w->loop);
}

int bench_ws_count(struct bench_conns *k, int *open, enum lws_callback_reasons reason,
    const void *in)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		*open = 1;
		k->opened++;
		k->connecting--;
		return 1;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "bench: connection failed: %s\n", in ? (const char *)in : "?");
		k->failed++;
		k->connecting--;
		return 1;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (*open)
			k->closed++;
		*open = 0;
		return 1;
	default:
		return 0;
	}
}

void bench_ws_connect(struct bench_ws *w, struct bench_conns *k, const char *unix_path,
    const char *url, const char *token, const char *protocol, void *userdata)
{
	struct lws_client_connect_info ci;
	char path[AUTH_TOKEN_MAX + 64], address[256], host[64];
	const char *u = url ? strrchr(url, ':') : NULL;

	memset(&ci, 0, sizeof(ci));
	snprintf(path, sizeof(path), "/api/alerts/ws?token=%s", token);
	if (unix_path) {
		snprintf(address, sizeof(address), "+%s", unix_path);
		snprintf(host, sizeof(host), "localhost");
	} else {
		snprintf(address, sizeof(address), "127.0.0.1");
		ci.port = u ? atoi(u + 1) : 80;
		snprintf(host, sizeof(host), "127.0.0.1:%d", ci.port);
	}
	ci.context = w->ctx;
	ci.address = address;
	ci.path = path;
	ci.host = host;
	ci.origin = host;
	ci.local_protocol_name = protocol;
	ci.userdata = userdata;
	if (lws_client_connect_via_info(&ci))
		k->connecting++;
	else
		k->failed++;
}
