/*
 * recheck.c - one query re-checks the credentials of all open sockets,
 * each session and token once; a socket whose session ended (logout,
 * expiry), whose token was revoked or whose user was disabled is closed
 * with 4001. It runs when the feed hears goldwatch_auth (feed.c), and
 * every GOLDWATCH_PUSHER_RECHECK seconds as the net for what sends no
 * notification (a session that simply expires). While the database is
 * down nothing is closed: sockets are not dropped for what cannot be
 * checked.
 *
 * The query runs on the query thread. It asks about the credentials held
 * when it was sent; a socket that opened meanwhile is not judged by it
 * (check.c looks its credential up after the notification).
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "pusher.h"
#include "util.h"

struct recheck {
	struct job job;
	enum recheck_why why;
	recheck_then then;           /* told the outcome, unless NULL */
	size_t ns, nt;               /* the credentials asked about: */
	int64_t *sessions, *tokens;  /* sorted, each once */
	size_t vs, vt;               /* those still valid (a prefix of valid) */
	int64_t *valid_s, *valid_t;
	int rc;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts ids and drops duplicates; returns the new count. */
static size_t sort_unique(int64_t *ids, size_t n)
{
	size_t k = 0;

	qsort(ids, n, sizeof(*ids), cmp_i64);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	return k;
}

static int holds(const int64_t *ids, size_t n, int64_t id)
{
	return bsearch(&id, ids, n, sizeof(*ids), cmp_i64) != NULL;
}

static int64_t *copy_ids(const int64_t *ids, size_t n)
{
	int64_t *out = xmalloc((n ? n : 1) * sizeof(int64_t));

	if (n)
		memcpy(out, ids, n * sizeof(int64_t));
	return out;
}

static void recheck_run(struct db *db, struct job *j)
{
	struct recheck *r = lws_container_of(j, struct recheck, job);

	r->vs = r->ns;
	r->vt = r->nt;
	r->rc = auth_still_valid(db, r->valid_s, &r->vs, r->valid_t, &r->vt);
}

/* Ended: asked about, and not among the valid ones. */
static int ended(const struct recheck *r, const struct client *c)
{
	if (c->session_id)
		return holds(r->sessions, r->ns, c->session_id) &&
		    !holds(r->valid_s, r->vs, c->session_id);
	return holds(r->tokens, r->nt, c->token_id) && !holds(r->valid_t, r->vt, c->token_id);
}

static void recheck_done(struct pusher *p, struct job *j)
{
	struct recheck *r = lws_container_of(j, struct recheck, job);
	int ok = !j->cancelled && r->rc == 0;
	struct client *c;

	if (ok) {
		foreach_client(p, c) {
			if ((c->session_id || c->token_id) && !c->closing && ended(r, c))
				client_close(p, c, CLOSE_AUTH_ENDED);
		}
	}
	if (r->why == RECHECK_PERIODIC)
		p->periodic_inflight = 0;
	if (r->then)
		r->then(p, r->why, ok ? 0 : -1);
	free(r->sessions);
	free(r->tokens);
	free(r->valid_s);
	free(r->valid_t);
	free(r);
}

void recheck_post(struct pusher *p, enum recheck_why why, recheck_then then)
{
	size_t n = (size_t)p->clients.count;
	struct recheck *r;
	struct client *c;

	r = xcalloc(1, sizeof(*r));
	r->job.run = recheck_run;
	r->job.done = recheck_done;
	r->why = why;
	r->then = then;
	r->sessions = xmalloc((n ? n : 1) * sizeof(int64_t));
	r->tokens = xmalloc((n ? n : 1) * sizeof(int64_t));
	foreach_client(p, c) {
		/* a socket still CHECKING holds no credential id yet */
		if (c->session_id)
			r->sessions[r->ns++] = c->session_id;
		else if (c->token_id)
			r->tokens[r->nt++] = c->token_id;
	}
	r->ns = sort_unique(r->sessions, r->ns);
	r->nt = sort_unique(r->tokens, r->nt);
	r->valid_s = copy_ids(r->sessions, r->ns);
	r->valid_t = copy_ids(r->tokens, r->nt);
	if (why == RECHECK_PERIODIC)
		p->periodic_inflight = 1;
	if (r->ns + r->nt == 0) {
		/* nothing to ask: done at once */
		recheck_done(p, &r->job);
		return;
	}
	worker_post(p->queries, &r->job);
}

static void recheck_tick(lws_sorted_usec_list_t *sul)
{
	struct pusher *p = lws_container_of(sul, struct pusher, sul_recheck);

	/* one at a time: a slow database does not pile them up */
	if (!p->periodic_inflight)
		recheck_post(p, RECHECK_PERIODIC, NULL);
	recheck_start(p);
}

void recheck_start(struct pusher *p)
{
	lws_sul_schedule(p->ctx, 0, &p->sul_recheck, recheck_tick,
	    p->cfg->pusher_recheck_s * LWS_US_PER_SEC);
}
