/*
 * addr_list.h - a list of client addresses and networks ("127.0.0.1,
 * 10.0.0.0/8, ::1, fd00::/8"), IPv4 and IPv6, parsed once (at config
 * load) and matched against REMOTE_ADDR as nginx passes it.
 */
#ifndef GW_ADDR_LIST_H
#define GW_ADDR_LIST_H

#include <stddef.h>

#define ADDR_LIST_MAX 32

struct addr_net {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char addr[16];     /* network order; IPv4 in the first 4 */
	int prefix;                 /* bits that must match */
};

struct addr_list {
	size_t n;
	struct addr_net net[ADDR_LIST_MAX];
};

/*
 * Parses a comma-separated list (blanks around items allowed; an empty
 * list allows nobody). 0, or -1 with *bad pointing at the first item
 * that is not an address or CIDR (or is one too many) and *badlen its
 * length.
 */
int addr_list_parse(const char *s, struct addr_list *out, const char **bad, size_t *badlen);

/* 1 when addr (textual IPv4 or IPv6; an IPv4-mapped IPv6 address counts
 * as its IPv4) is in the list, else 0 (also for NULL or garbage). */
int addr_list_match(const struct addr_list *l, const char *addr);

#endif
