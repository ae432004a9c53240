/*
 * addr_list.c - client address allow-lists; see addr_list.h.
 */
#include "addr_list.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* A textual address into family and bytes: 0 or -1. */
static int parse_addr(const char *s, int *family, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) != 1)
		return -1;
	*family = AF_INET6;
	/* ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket */
	if (memcmp(addr, v4_mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	return 0;
}

/* One item "addr" or "addr/prefix" of len bytes: 0 or -1. */
static int parse_item(const char *s, size_t len, struct addr_net *net)
{
	char text[64];
	char *slash;
	int64_t prefix;
	int max;

	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (parse_addr(text, &net->family, net->addr) < 0)
		return -1;
	max = net->family == AF_INET ? 32 : 128;
	/* a mapped address written with an IPv6 prefix keeps its IPv4 bits */
	if (slash && strchr(text, ':') && net->family == AF_INET) {
		if (parse_int64(slash + 1, 96, 128, &prefix) < 0)
			return -1;
		prefix -= 96;
	} else if (slash && parse_int64(slash + 1, 0, max, &prefix) < 0) {
		return -1;
	}
	net->prefix = slash ? (int)prefix : max;
	return 0;
}

int addr_list_parse(const char *s, struct addr_list *out, const char **bad, size_t *badlen)
{
	out->n = 0;
	while (*s) {
		const char *end;
		size_t len;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		end = s + strcspn(s, ",");
		len = (size_t)(end - s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (out->n == ADDR_LIST_MAX || parse_item(s, len, &out->net[out->n]) < 0) {
			*bad = s;
			*badlen = len;
			return -1;
		}
		out->n++;
		s = end;
	}
	return 0;
}

static int in_net(const struct addr_net *net, int family, const unsigned char addr[16])
{
	int full = net->prefix / 8, rest = net->prefix % 8;
	unsigned char mask;

	if (family != net->family || memcmp(addr, net->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (addr[full] & mask) == (net->addr[full] & mask);
}

int addr_list_match(const struct addr_list *l, const char *addr)
{
	unsigned char a[16];
	int family;

	if (addr == NULL || parse_addr(addr, &family, a) < 0)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (in_net(&l->net[i], family, a))
			return 1;
	return 0;
}
