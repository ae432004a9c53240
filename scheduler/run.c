/*
 * run.c - the runs of goldwatch-scheduler: fork and exec with the output
 * appended to the entry's log, reaped on SIGCHLD, stopped on SIGTERM.
 * One thread; SIGCHLD and SIGTERM are blocked and taken by sigtimedwait().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scheduler.h"
#include "util.h"

void say(const char *fmt, ...)
{
	char at[40];
	va_list ap;

	time_format_iso(time_now_us(), at, sizeof(at));
	fprintf(stderr, "goldwatch-scheduler: %s ", at);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* In the child: output to the log, the signals as a fresh process has. */
static void child_exec(const struct entry *e, const sigset_t *run_mask)
{
	int fd = open(e->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, run_mask, NULL);
	execv(e->argv[0], e->argv);
	dprintf(2, "goldwatch-scheduler: cannot run %s: %s\n", e->argv[0], strerror(errno));
	_exit(127);
}

void run_start(struct entry *e, const sigset_t *run_mask)
{
	pid_t pid;

	if (e->pid != 0) {
		say("%s: still running (pid %d) at its next slot: not started again", e->name,
		    (int)e->pid);
		return;
	}
	if (access(e->argv[0], X_OK) < 0) {
		say("%s: %s is missing: not run", e->name, e->argv[0]);
		return;
	}
	pid = fork();
	if (pid < 0) {
		say("%s: fork failed: %s", e->name, strerror(errno));
		return;
	}
	if (pid == 0)
		child_exec(e, run_mask);
	e->pid = pid;
	e->started_mono_us = time_mono_us();
	say("%s: started, pid %d", e->name, (int)pid);
}

static struct entry *entry_of(struct scheduler *s, pid_t pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i].pid == pid)
			return &s->e[i];
	return NULL;
}

void run_reap(struct scheduler *s)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct entry *e = entry_of(s, pid);
		double secs;

		if (e == NULL)
			continue;
		secs = (double)(time_mono_us() - e->started_mono_us) / 1e6;
		if (WIFEXITED(status))
			say("%s: finished, pid %d, exit %d, %.1f s", e->name, (int)pid,
			    WEXITSTATUS(status), secs);
		else
			say("%s: ended by signal %d, pid %d, %.1f s", e->name,
			    WIFSIGNALED(status) ? WTERMSIG(status) : 0, (int)pid, secs);
		e->pid = 0;
	}
}

static int running(const struct scheduler *s)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->e[i].pid != 0;
	return n;
}

void run_stop(struct scheduler *s)
{
	int64_t until = time_mono_us() + (int64_t)s->grace_s * 1000000;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	run_reap(s);
	if (running(s))
		say("stopping: waiting up to %d s for %d run(s)", s->grace_s, running(s));
	while (running(s) && time_mono_us() < until) {
		int64_t left = until - time_mono_us();
		struct timespec ts = {(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
		sigtimedwait(&chld, NULL, &ts);
		run_reap(s);
	}
	for (int i = 0; i < s->n; i++) {
		if (s->e[i].pid == 0)
			continue;
		say("%s: still running after %d s: killed (pid %d)", s->e[i].name, s->grace_s,
		    (int)s->e[i].pid);
		kill(s->e[i].pid, SIGKILL);
		waitpid(s->e[i].pid, NULL, 0);
		s->e[i].pid = 0;
	}
	say("stopped");
}
