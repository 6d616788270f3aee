/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvsd's single event loop: file descriptors, timers, child processes and
 * signals, all on one epoll so thousands of checks run without threads and a
 * hung real server only ever costs its own timer.
 *
 * Contracts: callbacks run on the loop's thread, one at a time, and may add
 * or cancel any watch (also their own). Handles stay valid until cancelled
 * or (timers, children) until their callback has run. Times are
 * CLOCK_MONOTONIC microseconds. Functions return 0 or -errno. */
#ifndef XVSD_LOOP_H
#define XVSD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct loop_fd;
struct loop_timer;
struct loop_child;

int loop_new(struct loop **out);
void loop_free(struct loop *l);		/* cancels everything still watched */

/* Runs until loop_stop(); returns 0, or -errno on an epoll failure. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
uint64_t loop_now_us(void);

/* events: EPOLLIN / EPOLLOUT (others are reported as they come). */
typedef void (*loop_fd_cb)(struct loop_fd *w, int fd, uint32_t events, void *arg);
int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg,
		struct loop_fd **out);
int loop_fd_mod(struct loop_fd *w, uint32_t events);
void loop_fd_cancel(struct loop_fd *w);	/* does not close fd; NULL is fine */

/* One-shot timer after delay_us. */
typedef void (*loop_timer_cb)(struct loop_timer *t, void *arg);
int loop_timer_add(struct loop *l, uint64_t delay_us, loop_timer_cb cb, void *arg,
		   struct loop_timer **out);
void loop_timer_cancel(struct loop_timer *t);	/* NULL is fine */

/* A child process this program forked: cb gets its wait status once it has
 * exited (reaped by the loop). Cancelling stops the callback, not the child. */
typedef void (*loop_child_cb)(struct loop_child *c, pid_t pid, int wstatus, void *arg);
int loop_child_add(struct loop *l, pid_t pid, loop_child_cb cb, void *arg,
		   struct loop_child **out);
void loop_child_cancel(struct loop_child *c);
/* The loop blocks SIGCHLD and every signal given to loop_signal_add, and
 * that mask survives fork and exec: a forked child calls this before exec
 * so the program it runs gets default signals and an empty mask. */
void loop_child_reset_signals(void);

/* Signals delivered through the loop (they are blocked for the process).
 * SIGCHLD is the loop's own (loop_child_add): -EINVAL. */
typedef void (*loop_signal_cb)(int signo, void *arg);
int loop_signal_add(struct loop *l, int signo, loop_signal_cb cb, void *arg);

#endif /* XVSD_LOOP_H */
