/*
 * clock-sem - raises a POSIX named semaphore by COUNT (tests/clock.sh).
 *
 *   clock-sem NAME COUNT
 *
 * libfaketime 0.9.10 guards the start time in its shared memory with a
 * semaphore it takes in every process's constructor. A process killed
 * there (the suites SIGKILL jobs mid-run, some a few milliseconds after
 * they start) never gives it back, and every process started afterwards
 * waits in its constructor forever: the clock variant of make test hung
 * that way. For a clock moved by an offset the start time does not
 * matter (each process reads the real clock plus the offset), so
 * tests/clock.sh raises the semaphore far above one and no kill can
 * leave it taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	sem_t *sem;
	char *end;
	long count;

	if (argc != 3) {
		fprintf(stderr, "usage: clock-sem NAME COUNT\n");
		return 2;
	}
	errno = 0;
	count = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || count < 1 || count > 1000000) {
		fprintf(stderr, "clock-sem: COUNT must be 1 to 1000000, not '%s'\n", argv[2]);
		return 2;
	}
	sem = sem_open(argv[1], 0);
	if (sem == SEM_FAILED) {
		fprintf(stderr, "clock-sem: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (long i = 0; i < count; i++) {
		if (sem_post(sem) != 0) {
			fprintf(stderr, "clock-sem: sem_post: %s\n", strerror(errno));
			sem_close(sem);
			return 1;
		}
	}
	sem_close(sem);
	return 0;
}
