/*
 * recheck.c - one query re-checks the credentials of all open sockets,
 * each session and token once; a socket whose session ended (logout,
 * expiry), whose token was revoked or whose user was disabled is closed
 * with 4001. It runs when the feed hears goldwatch_auth (feed.c), and
 * every GOLDWATCH_PUSHER_RECHECK seconds as the net for what sends no
 * notification (a session that simply expires). While the database is
 * down nothing is closed: sockets are not dropped for what cannot be
 * checked.
 */
#include <stdlib.h>

#include "auth.h"
#include "pusher.h"
#include "util.h"

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

int recheck_now(struct pusher *p)
{
	size_t n = (size_t)p->clients.count, ns = 0, nt = 0;
	int64_t *sessions, *tokens;
	struct client *c;
	int rc = 0;

	if (n == 0)
		return 0;
	sessions = xmalloc(n * sizeof(int64_t));
	tokens = xmalloc(n * sizeof(int64_t));
	foreach_client(p, c) {
		if (c->session_id)
			sessions[ns++] = c->session_id;
		else
			tokens[nt++] = c->token_id;
	}
	ns = sort_unique(sessions, ns);
	nt = sort_unique(tokens, nt);
	if (auth_still_valid(p->db, sessions, &ns, tokens, &nt) < 0) {
		rc = -1;
	} else {
		foreach_client(p, c) {
			if (c->session_id ? !holds(sessions, ns, c->session_id) :
			    !holds(tokens, nt, c->token_id))
				client_close(p, c, CLOSE_AUTH_ENDED);
		}
	}
	free(sessions);
	free(tokens);
	return rc;
}

static void recheck_run(lws_sorted_usec_list_t *sul)
{
	struct pusher *p = lws_container_of(sul, struct pusher, sul_recheck);

	(void)recheck_now(p);
	recheck_start(p);
}

void recheck_start(struct pusher *p)
{
	lws_sul_schedule(p->ctx, 0, &p->sul_recheck, recheck_run,
	    p->cfg->pusher_recheck_s * LWS_US_PER_SEC);
}
