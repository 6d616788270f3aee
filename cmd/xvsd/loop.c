// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd's event loop (see loop.h): one epoll set for file descriptors, a
 * signalfd for signals and SIGCHLD, and a binary min-heap of timers, so
 * thousands of checkers cost O(log n) per timer and nothing ever blocks.
 *
 * Invariants: an fd watch cancelled while its events may still be in the
 * batch epoll returned is only marked dead and freed after the batch, so a
 * callback can cancel any watch at any time. A timer leaves the heap before
 * its callback runs and is freed after it returns (cancelling it from its
 * own callback is harmless). Children are reaped here, all of them (also
 * those nobody watches, so no zombie is left). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_EVENTS_BATCH 64

struct loop_fd {
	struct loop *l;
	int fd;
	loop_fd_cb cb;
	void *arg;
	bool dead;
	struct loop_fd *next_dead;
};

struct loop_timer {
	struct loop *l;
	uint64_t deadline_us;
	uint64_t seq;			/* FIFO among equal deadlines */
	size_t heap_idx;		/* position in l->heap while armed */
	loop_timer_cb cb;
	void *arg;
	bool firing, cancelled;
};

struct loop_child {
	struct loop *l;
	pid_t pid;
	loop_child_cb cb;
	void *arg;
	bool firing;			/* unlinked, its callback running */
	struct loop_child *prev, *next;
};

struct loop_signal {
	int signo;
	loop_signal_cb cb;
	void *arg;
};

struct loop {
	int epfd;
	int sigfd;
	sigset_t sigmask;		/* signals routed through sigfd */
	bool stop;
	struct loop_timer **heap;
	size_t n_timers, cap_timers;
	uint64_t timer_seq;
	struct loop_fd *dead_fds;
	struct loop_child *children;
	struct loop_signal *signals;
	size_t n_signals;
};

uint64_t loop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void child_unlink(struct loop_child *c);

/* ---- signals ---- */

/* The signalfd marker in epoll's data: no loop_fd has this address. */
static char sigfd_marker;

static int sigfd_update(struct loop *l)
{
	int fd;

	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	l->sigfd = fd;
	return 0;
}

int loop_signal_add(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	struct loop_signal *v;
	int err;

	if (signo == SIGCHLD || signo <= 0 || signo >= NSIG)
		return -EINVAL;
	v = realloc(l->signals, (l->n_signals + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->signals = v;
	sigaddset(&l->sigmask, signo);
	err = sigfd_update(l);
	if (err) {
		sigdelset(&l->sigmask, signo);
		return err;
	}
	v[l->n_signals++] = (struct loop_signal){ signo, cb, arg };
	return 0;
}

void loop_child_reset_signals(void)
{
	sigset_t none;
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
}

static void reap_children(struct loop *l)
{
	struct loop_child *c;
	int wstatus;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (c = l->children; c && c->pid != pid; c = c->next)
			;
		if (!c)
			continue;	/* nobody watches it: reaped, forgotten */
		child_unlink(c);
		c->firing = true;
		c->cb(c, pid, wstatus, c->arg);
		free(c);
	}
}

static void dispatch_signals(struct loop *l)
{
	struct signalfd_siginfo si;
	bool child = false;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if ((int)si.ssi_signo == SIGCHLD) {
			child = true;
			continue;
		}
		for (size_t i = 0; i < l->n_signals; i++)
			if (l->signals[i].signo == (int)si.ssi_signo)
				l->signals[i].cb((int)si.ssi_signo, l->signals[i].arg);
	}
	if (child)
		reap_children(l);
}

/* ---- children ---- */

int loop_child_add(struct loop *l, pid_t pid, loop_child_cb cb, void *arg,
		   struct loop_child **out)
{
	struct loop_child *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	*c = (struct loop_child){ .l = l, .pid = pid, .cb = cb, .arg = arg, .next = l->children };
	if (l->children)
		l->children->prev = c;
	l->children = c;
	if (out)
		*out = c;
	/* It may have exited before it was watched: SIGCHLD is still queued
	 * in the signalfd, so the next loop iteration reaps it. */
	return 0;
}

static void child_unlink(struct loop_child *c)
{
	struct loop *l = c->l;

	if (c->prev)
		c->prev->next = c->next;
	else
		l->children = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

void loop_child_cancel(struct loop_child *c)
{
	if (!c || c->firing)
		return;	/* a firing handle is freed when its callback returns */
	child_unlink(c);
	free(c);
}

/* ---- timers: a binary min-heap on (deadline, seq) ---- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->deadline_us < b->deadline_us ||
	       (a->deadline_us == b->deadline_us && a->seq < b->seq);
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0 && timer_before(t, l->heap[(i - 1) / 2])) {
		heap_set(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->n_timers)
			break;
		if (c + 1 < l->n_timers && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = t->heap_idx;
	struct loop_timer *last = l->heap[--l->n_timers];

	if (last == t)
		return;
	heap_set(l, i, last);
	heap_up(l, i);
	heap_down(l, last->heap_idx);
}

int loop_timer_add(struct loop *l, uint64_t delay_us, loop_timer_cb cb, void *arg,
		   struct loop_timer **out)
{
	struct loop_timer *t;

	if (l->n_timers == l->cap_timers) {
		size_t cap = l->cap_timers ? 2 * l->cap_timers : 64;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->cap_timers = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*t = (struct loop_timer){ .l = l, .deadline_us = loop_now_us() + delay_us,
				  .seq = l->timer_seq++, .cb = cb, .arg = arg };
	l->heap[l->n_timers] = t;
	l->n_timers++;
	heap_up(l, l->n_timers - 1);
	if (out)
		*out = t;
	return 0;
}

void loop_timer_cancel(struct loop_timer *t)
{
	if (!t)
		return;
	if (t->firing) {
		t->cancelled = true;	/* freed when its callback returns */
		return;
	}
	heap_remove(t->l, t);
	free(t);
}

static void run_due_timers(struct loop *l)
{
	uint64_t now = loop_now_us();

	/* Timers added by these callbacks with delay 0 wait for the next
	 * iteration: fds get their turn between them. */
	uint64_t seq_limit = l->timer_seq;

	while (l->n_timers && l->heap[0]->deadline_us <= now && l->heap[0]->seq < seq_limit &&
	       !l->stop) {
		struct loop_timer *t = l->heap[0];

		heap_remove(l, t);
		t->firing = true;
		t->cb(t, t->arg);
		free(t);
	}
}

/* epoll timeout until the first timer: 0 when one is due, -1 when none. */
static int next_timeout(struct loop *l, struct timespec *ts)
{
	uint64_t now, d;

	if (!l->n_timers)
		return -1;
	now = loop_now_us();
	d = l->heap[0]->deadline_us > now ? l->heap[0]->deadline_us - now : 0;
	ts->tv_sec = (time_t)(d / 1000000u);
	ts->tv_nsec = (long)(d % 1000000u) * 1000;
	return 0;
}

/* ---- file descriptors ---- */

int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg,
		struct loop_fd **out)
{
	struct loop_fd *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (!w)
		return -ENOMEM;
	*w = (struct loop_fd){ .l = l, .fd = fd, .cb = cb, .arg = arg };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	if (out)
		*out = w;
	return 0;
}

int loop_fd_mod(struct loop_fd *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->dead)
		return -EINVAL;
	return epoll_ctl(w->l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? -errno : 0;
}

void loop_fd_cancel(struct loop_fd *w)
{
	if (!w || w->dead)
		return;
	/* The fd may already be closed by its owner: then the kernel has
	 * dropped it from the set and DEL fails harmlessly. */
	epoll_ctl(w->l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	w->next_dead = w->l->dead_fds;
	w->l->dead_fds = w;
}

static void free_dead_fds(struct loop *l)
{
	while (l->dead_fds) {
		struct loop_fd *w = l->dead_fds;

		l->dead_fds = w->next_dead;
		free(w);
	}
}

/* ---- the loop ---- */

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &sigfd_marker };
	int err;

	if (!l)
		return -ENOMEM;
	l->sigfd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err = -errno;
		goto err_free;
	}
	sigemptyset(&l->sigmask);
	sigaddset(&l->sigmask, SIGCHLD);
	err = sigfd_update(l);
	if (err)
		goto err_epoll;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0) {
		err = -errno;
		goto err_sigfd;
	}
	*out = l;
	return 0;

err_sigfd:
	close(l->sigfd);
err_epoll:
	close(l->epfd);
err_free:
	free(l);
	return err;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->n_timers)
		loop_timer_cancel(l->heap[0]);
	while (l->children)
		loop_child_cancel(l->children);
	free_dead_fds(l);
	free(l->heap);
	free(l->signals);
	close(l->sigfd);
	close(l->epfd);
	/* fd watches not cancelled are the owners' leak to fix; the epoll set
	 * that referenced them is gone. */
	free(l);
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

/* epoll_pwait2 for microsecond timers; epoll_wait with the timeout rounded
 * up to a millisecond where the kernel (or valgrind) lacks it. */
static int loop_wait(struct loop *l, struct epoll_event *evs, int max, const struct timespec *ts)
{
	static bool no_pwait2;
	int n;

	if (!no_pwait2) {
		n = epoll_pwait2(l->epfd, evs, max, ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = true;
	}
	return epoll_wait(l->epfd, evs, max,
			  ts ? (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000) : -1);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_EVENTS_BATCH];

	l->stop = false;
	while (!l->stop) {
		struct timespec ts;
		int n, to = next_timeout(l, &ts);

		n = loop_wait(l, evs, LOOP_EVENTS_BATCH, to < 0 ? NULL : &ts);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct loop_fd *w = evs[i].data.ptr;

			if (evs[i].data.ptr == &sigfd_marker) {
				dispatch_signals(l);
				continue;
			}
			if (!w->dead)
				w->cb(w, w->fd, evs[i].events, w->arg);
		}
		free_dead_fds(l);
		run_due_timers(l);
	}
	return 0;
}
