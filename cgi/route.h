/*
 * route.h - matching a request path against a route pattern such as
 * "/api/alerts/rules/{id}". A parameter whose name starts with "id"
 * matches a positive integer; any other parameter matches 1-128 of
 * [A-Za-z0-9_.-]. Literal segments match exactly.
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#define ROUTE_MAX_PARAMS 4
#define ROUTE_PARAM_MAX 129

struct route_params {
	int n;
	char name[ROUTE_MAX_PARAMS][16];
	char value[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
};

/* Returns 1 if path matches pattern (filling p), else 0. */
int route_match(const char *pattern, const char *path, struct route_params *p);

/* The value of parameter name, or NULL. */
const char *route_param(const struct route_params *p, const char *name);

#endif
