/*
 * relay_load.h - what the two halves of relay_load share: the clients'
 * records (relay_load.c takes them) and their check and report
 * (relay_check.c).
 */
#ifndef GW_RELAY_LOAD_H
#define GW_RELAY_LOAD_H

#include <stdint.h>

#include "config.h"
#include "wsclient.h"

/* One client: its pusher, and every message it got (event id, arrival). */
struct rclient {
	int pusher;                  /* index into relay.sockets */
	int open;
	int n, cap;
	int64_t *id;
	int64_t *t;                  /* wall clock, us */
};

/* One event of the run: its id, the sequencer returned, and its `at`. */
struct rev {
	int64_t id, done_us, at_us;
};

struct relay {
	struct config cfg;
	struct bench_ws ws;
	char **sockets;              /* one pusher's unix socket each */
	int nsockets, per, nclients;
	struct rclient *c;
	char (*tokens)[AUTH_TOKEN_MAX];
	struct bench_conns k;
	int64_t warm_id;
	struct rev *ev;              /* the run's events, in id order */
	int m;
};

/*
 * Checks every client's messages after the warm-up against the run's
 * events (each once, in id order; what is not is printed), and prints
 * rates and latencies, overall and per pusher. 0, or 1 when the check
 * failed.
 */
int relay_report(const struct relay *r);

#endif
