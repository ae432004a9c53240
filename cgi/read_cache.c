/* read_cache.c - see read_cache.h. */
#include "read_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 128            /* distinct answers kept at most */

struct entry {
	char *key;               /* NULL: free */
	int64_t version, until_us;
	char *data;
	size_t len;
	uint64_t used;           /* for least-recently-used eviction */
};

static struct entry table[SLOTS];
static size_t budget, held;
static uint64_t clock_tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void read_cache_init(size_t max_bytes)
{
	budget = max_bytes;
}

int read_cache_enabled(void)
{
	return budget > 0;
}

static void drop(struct entry *e)
{
	held -= e->len;
	free(e->key);
	free(e->data);
	memset(e, 0, sizeof(*e));
}

static struct entry *find(const char *key)
{
	for (int i = 0; i < SLOTS; i++)
		if (table[i].key && strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

int read_cache_get(const char *key, int64_t version, int64_t now_us, struct buf *out)
{
	struct entry *e;
	int hit = 0;

	if (budget == 0)
		return 0;
	pthread_mutex_lock(&lock);
	e = find(key);
	if (e && e->version == version && now_us < e->until_us) {
		buf_append(out, e->data, e->len);
		e->used = ++clock_tick;
		hit = 1;
	} else if (e && (e->version < version || now_us >= e->until_us)) {
		drop(e);   /* never true again */
	}
	pthread_mutex_unlock(&lock);
	return hit;
}

void read_cache_put(const char *key, int64_t version, int64_t until_us,
    const char *data, size_t len)
{
	struct entry *e;

	if (budget == 0 || len > budget / 4)
		return;
	pthread_mutex_lock(&lock);
	e = find(key);
	if (e && e->version > version) {
		/* another thread kept a newer answer meanwhile */
		pthread_mutex_unlock(&lock);
		return;
	}
	if (e)
		drop(e);
	for (;;) {
		struct entry *free_slot = NULL, *oldest = NULL;
		for (int i = 0; i < SLOTS; i++) {
			if (table[i].key == NULL) {
				if (free_slot == NULL)
					free_slot = &table[i];
			} else if (oldest == NULL || table[i].used < oldest->used) {
				oldest = &table[i];
			}
		}
		if (free_slot && held + len <= budget) {
			e = free_slot;
			break;
		}
		drop(oldest);   /* there is one: len <= budget / 4 */
	}
	e->key = xstrdup(key);
	e->data = xmalloc(len ? len : 1);
	memcpy(e->data, data, len);
	e->len = len;
	e->version = version;
	e->until_us = until_us;
	e->used = ++clock_tick;
	held += len;
	pthread_mutex_unlock(&lock);
}
