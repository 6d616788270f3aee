// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd's event loop: timer order and cancellation (also from callbacks),
 * fd readiness and cancellation inside a batch, children reaped with their
 * status, signals delivered through the loop, and a child's clean signal
 * state. No root. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../cmd/xvsd/loop.h"
#include "../harness/test.h"

/* ---- timers ---- */

struct order {
	struct loop *l;
	int seen[16];
	int n, stop_after;
	struct loop_timer *victim;	/* cancelled by timer 2's callback */
};

struct tick {
	struct order *o;
	int id;
};

static void tick_cb(struct loop_timer *t, void *arg)
{
	struct tick *k = arg;
	struct order *o = k->o;

	o->seen[o->n++] = k->id;
	if (k->id == 2 && o->victim) {
		loop_timer_cancel(o->victim);
		o->victim = NULL;
	}
	loop_timer_cancel(t);	/* cancelling oneself while firing is harmless */
	if (o->n == o->stop_after)
		loop_stop(o->l);
}

static void timers_fire_in_deadline_order(void)
{
	/* ids by deadline: 1 at 1 ms, 2 at 2 ms (cancels 5, due at 2.5 ms),
	 * 3 at 3 ms, 4 at 4 ms; added in reverse */
	const uint64_t delay[5] = { 1000, 2000, 3000, 4000, 2500 };
	struct order o = { .stop_after = 4 };
	struct tick k[5];
	uint64_t t0 = loop_now_us();

	ASSERT(loop_new(&o.l) == 0);
	for (int i = 4; i >= 0; i--) {
		k[i] = (struct tick){ &o, i + 1 };
		ASSERT(loop_timer_add(o.l, delay[i], tick_cb, &k[i], i == 4 ? &o.victim : NULL) == 0);
	}
	EXPECT_EQ_INT(loop_run(o.l), 0);
	EXPECT(loop_now_us() - t0 >= 4000);
	EXPECT_EQ_INT(o.n, 4);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ_INT(o.seen[i], i + 1);
	loop_free(o.l);
}

/* The loop's deadline of a timer is its add time + delay; the adds span a
 * window of `window` us, so two timers whose delays differ by more than
 * that must fire in delay order, and none before add time + delay. */
struct mono {
	struct loop *l;
	uint64_t last_delay, window;
	int fired, left, out_of_order;
};

struct mono_tick {
	struct mono *m;
	uint64_t delay, earliest;
};

static void mono_cb(struct loop_timer *t, void *arg)
{
	struct mono_tick *k = arg;
	struct mono *m = k->m;

	(void)t;
	if (k->delay + m->window < m->last_delay || loop_now_us() < k->earliest)
		m->out_of_order++;
	if (k->delay > m->last_delay)
		m->last_delay = k->delay;
	m->fired++;
	if (--m->left == 0)
		loop_stop(m->l);
}

static void many_timers_with_cancellations_stay_ordered(void)
{
	enum { N = 3000 };
	static struct mono_tick k[N];
	static struct loop_timer *h[N];
	struct mono m = { 0 };
	int cancelled = 0;
	uint64_t t0;

	ASSERT(loop_new(&m.l) == 0);
	srand(7);
	t0 = loop_now_us();
	for (int i = 0; i < N; i++) {
		uint64_t d = (uint64_t)(rand() % 30000);

		k[i] = (struct mono_tick){ &m, d, loop_now_us() + d };
		ASSERT(loop_timer_add(m.l, d, mono_cb, &k[i], &h[i]) == 0);
	}
	m.window = loop_now_us() - t0;
	for (int i = 0; i < N; i += 3, cancelled++)
		loop_timer_cancel(h[i]);
	m.left = N - cancelled;
	EXPECT_EQ_INT(loop_run(m.l), 0);
	EXPECT_EQ_INT(m.fired, N - cancelled);
	EXPECT_EQ_INT(m.out_of_order, 0);
	loop_free(m.l);	/* nothing left */
}

static void free_cancels_pending_timers(void)
{
	struct order o = { 0 };
	struct tick k = { &o, 1 };
	struct loop *l;

	ASSERT(loop_new(&l) == 0);
	ASSERT(loop_timer_add(l, 1000000, tick_cb, &k, NULL) == 0);
	loop_free(l);	/* valgrind/ASan would see a leak or a bad free */
	EXPECT_EQ_INT(o.n, 0);
}

/* ---- file descriptors ---- */

struct pipes {
	struct loop *l;
	int fds[2][2];
	struct loop_fd *w[2];
	int reads[2];
};

/* Whichever end's callback runs first cancels the other: the other's event
 * from the same epoll batch must not be delivered. */
static void pipe_cb(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct pipes *p = arg;
	int me = w == p->w[0] ? 0 : 1;
	char c;

	(void)events;
	EXPECT_EQ_INT(read(fd, &c, 1), 1);
	p->reads[me]++;
	loop_fd_cancel(p->w[!me]);
	loop_fd_cancel(w);
	loop_stop(p->l);
}

static void fd_cancelled_in_batch_is_not_called(void)
{
	struct pipes p = { 0 };

	ASSERT(loop_new(&p.l) == 0);
	for (int i = 0; i < 2; i++) {
		ASSERT(pipe(p.fds[i]) == 0);
		ASSERT(loop_fd_add(p.l, p.fds[i][0], EPOLLIN, pipe_cb, &p, &p.w[i]) == 0);
		ASSERT(write(p.fds[i][1], "x", 1) == 1);
	}
	EXPECT_EQ_INT(loop_run(p.l), 0);
	EXPECT_EQ_INT(p.reads[0] + p.reads[1], 1);
	for (int i = 0; i < 2; i++) {
		close(p.fds[i][0]);
		close(p.fds[i][1]);
	}
	loop_free(p.l);
}

struct writable {
	struct loop *l;
	int calls;
	uint32_t last;
};

static void writable_cb(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct writable *s = arg;

	(void)fd;
	s->calls++;
	s->last = events;
	if (events & EPOLLOUT) {
		EXPECT_EQ_INT(loop_fd_mod(w, EPOLLIN), 0);	/* now wait for input */
		return;
	}
	loop_fd_cancel(w);
	loop_stop(s->l);
}

static void fd_mod_switches_events(void)
{
	struct writable s = { 0 };
	struct loop_fd *w;
	int sv[2];

	ASSERT(loop_new(&s.l) == 0);
	ASSERT(pipe(sv) == 0);
	/* the write end is writable at once; after the switch to EPOLLIN it
	 * only reports the reader's close (EPOLLERR) */
	ASSERT(loop_fd_add(s.l, sv[1], EPOLLOUT, writable_cb, &s, &w) == 0);
	close(sv[0]);
	EXPECT_EQ_INT(loop_run(s.l), 0);
	EXPECT_EQ_INT(s.calls, 2);
	EXPECT(s.last & EPOLLERR);
	close(sv[1]);
	loop_free(s.l);
}

/* ---- children and signals ---- */

struct kids {
	struct loop *l;
	pid_t pid[3];
	int status[3];
	int done;
};

static void kid_cb(struct loop_child *c, pid_t pid, int wstatus, void *arg)
{
	struct kids *k = arg;

	loop_child_cancel(c);	/* harmless while firing */
	for (int i = 0; i < 3; i++)
		if (k->pid[i] == pid)
			k->status[i] = wstatus;
	if (++k->done == 2)
		loop_stop(k->l);
}

static void children_are_reaped_with_status(void)
{
	struct kids k = { 0 };
	struct loop_child *c2;

	ASSERT(loop_new(&k.l) == 0);
	for (int i = 0; i < 3; i++) {
		k.pid[i] = fork();
		ASSERT(k.pid[i] >= 0);
		if (k.pid[i] == 0)
			_exit(10 + i);
	}
	/* watched after it may have exited already; the third is cancelled:
	 * reaped all the same, its callback never runs */
	ASSERT(loop_child_add(k.l, k.pid[0], kid_cb, &k, NULL) == 0);
	ASSERT(loop_child_add(k.l, k.pid[1], kid_cb, &k, NULL) == 0);
	ASSERT(loop_child_add(k.l, k.pid[2], kid_cb, &k, &c2) == 0);
	loop_child_cancel(c2);
	EXPECT_EQ_INT(loop_run(k.l), 0);
	for (int i = 0; i < 2; i++) {
		EXPECT(WIFEXITED(k.status[i]));
		EXPECT_EQ_INT(WEXITSTATUS(k.status[i]), 10 + i);
	}
	EXPECT_EQ_INT(k.status[2], 0);
	/* the cancelled one was reaped too (no zombie left): waitpid says so
	 * once the loop has run long enough to see it; poll a little */
	for (int i = 0; i < 100 && waitpid(k.pid[2], NULL, WNOHANG) == 0; i++)
		usleep(10000);
	EXPECT_EQ_INT(waitpid(k.pid[2], NULL, WNOHANG), -1);
	loop_free(k.l);
}

struct sigs {
	struct loop *l;
	int usr1, hup;
};

static void sig_cb(int signo, void *arg)
{
	struct sigs *s = arg;

	if (signo == SIGUSR1)
		s->usr1++;
	if (signo == SIGHUP && ++s->hup == 2)
		loop_stop(s->l);
}

static void raise_cb(struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	kill(getpid(), SIGHUP);
}

static void signals_arrive_through_the_loop(void)
{
	struct sigs s = { 0 };

	ASSERT(loop_new(&s.l) == 0);
	EXPECT_EQ_INT(loop_signal_add(s.l, SIGCHLD, sig_cb, &s), -EINVAL);
	ASSERT(loop_signal_add(s.l, SIGUSR1, sig_cb, &s) == 0);
	ASSERT(loop_signal_add(s.l, SIGHUP, sig_cb, &s) == 0);
	kill(getpid(), SIGUSR1);	/* blocked now: queued for the loop */
	kill(getpid(), SIGHUP);
	ASSERT(loop_timer_add(s.l, 2000, raise_cb, NULL, NULL) == 0);
	EXPECT_EQ_INT(loop_run(s.l), 0);
	EXPECT_EQ_INT(s.usr1, 1);
	EXPECT_EQ_INT(s.hup, 2);
	loop_free(s.l);
}

/* A child after loop_child_reset_signals gets SIGUSR1's default action
 * (death by the signal), though the parent has it blocked. */
static void child_gets_default_signals(void)
{
	struct kids k = { 0 };
	struct sigs s = { 0 };

	ASSERT(loop_new(&k.l) == 0);
	s.l = k.l;
	ASSERT(loop_signal_add(k.l, SIGUSR1, sig_cb, &s) == 0);
	k.pid[0] = fork();
	ASSERT(k.pid[0] >= 0);
	if (k.pid[0] == 0) {
		loop_child_reset_signals();
		raise(SIGUSR1);
		_exit(0);
	}
	k.pid[1] = fork();
	ASSERT(k.pid[1] >= 0);
	if (k.pid[1] == 0) {	/* without the reset: SIGUSR1 stays blocked */
		raise(SIGUSR1);
		_exit(3);
	}
	ASSERT(loop_child_add(k.l, k.pid[0], kid_cb, &k, NULL) == 0);
	ASSERT(loop_child_add(k.l, k.pid[1], kid_cb, &k, NULL) == 0);
	EXPECT_EQ_INT(loop_run(k.l), 0);
	EXPECT(WIFSIGNALED(k.status[0]) && WTERMSIG(k.status[0]) == SIGUSR1);
	EXPECT(WIFEXITED(k.status[1]) && WEXITSTATUS(k.status[1]) == 3);
	EXPECT_EQ_INT(s.usr1, 0);
	loop_free(k.l);
}

static const struct test_case cases[] = {
	TEST_CASE(timers_fire_in_deadline_order),
	TEST_CASE(many_timers_with_cancellations_stay_ordered),
	TEST_CASE(free_cancels_pending_timers),
	TEST_CASE(fd_cancelled_in_batch_is_not_called),
	TEST_CASE(fd_mod_switches_events),
	TEST_CASE(children_are_reaped_with_status),
	TEST_CASE(signals_arrive_through_the_loop),
	TEST_CASE(child_gets_default_signals),
};

TEST_MAIN(cases)
