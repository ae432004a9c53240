/*
 * fuzz.h - what every libFuzzer target in fuzz/ shares: the entry points
 * libFuzzer calls, the input as a C string (the parsers take NUL-ended
 * text, as they get it from FastCGI, lws or the environment), and a check
 * that turns a broken property into a crash libFuzzer reports.
 */
#ifndef GW_FUZZ_H
#define GW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property every input must keep; a failure is a crash with its input. */
#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                    \
			abort();                                             \
		}                                                            \
	} while (0)

/* The input up to its first NUL, NUL-terminated (malloc'd: free it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
