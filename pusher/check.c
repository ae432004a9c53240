/*
 * check.c - a new socket's credential, looked up on the query thread
 * (auth_lookup()) while the socket waits, sending nothing. An accepted one
 * starts where the upgrade left it (live from the newest event then, or
 * after ?after=), so nothing is missed while it waited.
 *
 * Ended credentials stay closed in commit order: a lookup that was on its
 * way when the feed took a goldwatch_auth notification may predate the
 * change it announced, and the re-check that followed did not know this
 * socket's credential yet; such an answer is not taken, the lookup runs
 * again. Any later change is caught by the re-checks, which now include
 * the socket.
 *
 * A lookup that waited past the lock or statement timeout (the database
 * slow or locked, not down) is asked again: the socket keeps waiting, and
 * answering pings, as long as the database is stuck. One that found the
 * database down closes the socket (CLOSE_DB_DOWN), to reconnect later.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pusher.h"
#include "util.h"

struct lookup {
	struct client_job cj;
	uint64_t epoch;              /* p->auth_epoch when it was asked */
	char token[AUTH_TOKEN_MAX];
	struct principal who;
	int rc;                      /* auth_lookup()'s */
	int slow;                    /* it failed on a lock or statement timeout */
};

static void lookup_run(struct db *db, struct job *j)
{
	struct lookup *l = lws_container_of(j, struct lookup, cj.job);

	l->rc = auth_lookup(db, l->token, &l->who);
	l->slow = l->rc < 0 && db_timed_out(db);
}

static void lookup_free(struct lookup *l)
{
	sodium_memzero(l, sizeof(*l));
	free(l);
}

static void lookup_done(struct pusher *p, struct job *j)
{
	struct lookup *l = lws_container_of(j, struct lookup, cj.job);
	struct client *c = client_of_answer(&l->cj);

	if (c == NULL || c->closing) {
		lookup_free(l);
		return;
	}
	if (!j->cancelled && (l->epoch != p->auth_epoch || l->slow)) {
		/* may predate an ended credential, or waited out a lock: ask again */
		l->epoch = p->auth_epoch;
		client_post(p, c, &l->cj);
		return;
	}
	if (j->cancelled || l->rc < 0) {
		client_close(p, c, CLOSE_DB_DOWN);
	} else if (l->rc == 0 || l->who.role < ROLE_VIEWER) {
		p->stats.refused++;
		client_close(p, c, CLOSE_AUTH_UNKNOWN);
	} else {
		c->session_id = l->who.session_id;
		c->token_id = l->who.token_id;
		log_debug("user %s connects (after %lld)", l->who.username, (long long)c->last_id);
		client_start(p, c);
	}
	lookup_free(l);
}

int check_open(struct pusher *p, struct client *c, struct lws *wsi)
{
	struct handoff h;
	struct lookup *l;

	if (handshake_claim(p, wsi, &h) < 0)
		return -1;
	client_open(p, c, wsi, h.after);
	l = xcalloc(1, sizeof(*l));
	l->cj.job.run = lookup_run;
	l->cj.job.done = lookup_done;
	l->epoch = p->auth_epoch;
	memcpy(l->token, h.token, sizeof(l->token));
	sodium_memzero(h.token, sizeof(h.token));
	client_post(p, c, &l->cj);
	return 0;
}
