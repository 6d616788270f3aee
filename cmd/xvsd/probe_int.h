/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Probe internals shared by probe.c and the probe_*.c checker files: the
 * ops each checker registers, the common part of every attempt, and the
 * socket and result helpers.
 *
 * Life of an attempt: probe_start() allocates ops->size bytes (the kind's
 * struct, which begins with struct probe), arms the deadline and calls
 * ops->start. The kind then drives its fds/children from loop callbacks and
 * ends with exactly one probe_up()/probe_down()/probe_unchecked(), which
 * releases the kind's resources (ops->release) before the result goes out.
 * A result reached inside ops->start is delivered on the next loop turn, so
 * done never runs inside probe_start(). probe_cancel() releases the same
 * way without a result. */
#ifndef XVSD_PROBE_INT_H
#define XVSD_PROBE_INT_H

#include <stdarg.h>
#include <sys/socket.h>

#include "probe.h"

enum probe_needs {
	PROBE_NEEDS_ADDR = 1 << 0, /* a target address (every network checker) */
	PROBE_NEEDS_PORT = 1 << 1, /* and a port (not PING_CHECK) */
};

struct probe_ops {
	size_t size;	/* the kind's struct, starting with struct probe */
	unsigned needs; /* PROBE_NEEDS_*: else probe_start says -EINVAL */
	/* Sets up the attempt: 0, or -errno before anything was acquired
	 * (probe_start returns it). Failures after that are results. */
	int (*start)(struct probe *p);
	/* Frees every fd, watch, child, buffer the kind holds; runs once. */
	void (*release)(struct probe *p);
	/* The deadline passed; NULL: down with "timeout after T PHASE". */
	void (*expired)(struct probe *p);
	/* The attempt's time limit; NULL: the checker's connect_timeout. */
	uint64_t (*timeout_us)(const struct probe_target *t);
};

struct probe {
	const struct probe_ops *ops;
	struct loop *l;
	struct probe_target t;
	probe_done_cb done;
	void *arg;
	struct loop_timer *deadline;
	uint64_t deadline_len_us;  /* the running deadline's length, for details */
	struct loop_timer *report; /* a result from inside ops->start */
	const char *phase;	   /* what a timeout interrupts: "connecting", ... */
	struct probe_result r;
	bool finished;	 /* a result is set, resources released */
	bool starting;	 /* inside ops->start */
	bool delivering; /* inside done: cancel is a no-op */
};

/* The per-kind ops (NULL: the kind is not run by xvsd). */
extern const struct probe_ops probe_tcp_ops, probe_http_ops, probe_ssl_ops, probe_misc_ops,
	probe_udp_ops, probe_dns_ops, probe_smtp_ops, probe_ping_ops, probe_file_ops;

/* ---- results: each releases the kind's resources and reports once */
void probe_up(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void probe_down(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The server was not asked (a local failure: socket, bind, fork): keepalived
 * leaves its state alone and tries again later. */
void probe_unchecked(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "WHAT: strerror(err)" with keepalived's lower-case style, down. */
void probe_down_errno(struct probe *p, const char *what, int err);
/* strerror(err) starting in lower case ("connection refused"). */
const char *probe_strerror(int err, char *buf, size_t len);
/* "5 s", "1.5 s", "250 ms". */
const char *probe_fmt_duration(uint64_t us, char *buf, size_t len);

/* Restarts the deadline (a new step with its own time limit, e.g. the next
 * url); false after a failure, which has then been reported. */
bool probe_deadline_restart(struct probe *p, uint64_t len_us);

/* ---- sockets */
/* The target as a sockaddr (port may be 0 for ICMP). */
socklen_t probe_sockaddr(const struct probe_target *t, struct sockaddr_storage *ss);
/* "192.0.2.1:80", "[2001:db8::1]:80". */
const char *probe_fmt_target(const struct probe_target *t, char *buf, size_t len);

/* Opens a non-blocking socket towards the target with the checker's
 * connection options (fwmark -> SO_MARK, bind_if -> SO_BINDTODEVICE, bindto
 * and bind_port -> bind) and connects it. Returns the fd and sets
 * *in_progress, or -1 after reporting why (the probe is finished). */
int probe_socket_connect(struct probe *p, int type, int protocol, bool *in_progress);
/* The same on a socket the caller opened (non-blocking, close-on-exec):
 * returns fd, or -1 with fd closed and the probe reported. */
int probe_socket_prepare(struct probe *p, int fd, bool *in_progress);
/* For a connect that was in progress: 0 when it succeeded, else the
 * error (SO_ERROR). */
int probe_socket_error(int fd);
/* A datagram socket's error as the ICMP message behind it ("ICMP port
 * unreachable"), else strerror. */
const char *probe_dgram_error(int err, char *buf, size_t len);
/* Unpredictable bytes (query ids, payloads), never blocking. */
void probe_random(void *buf, size_t len);
/* Closes; RST instead of FIN when abortive (no TIME_WAIT left on the
 * director by a check that ended the conversation itself). */
void probe_socket_close(int fd, bool abortive);

/* ---- global settings (probe.c) */
struct ssl_ctx_st;
/* The SSL_GET context: the SSL { } block's, or a default one. NULL (with
 * *err set) when it cannot be built. */
struct ssl_ctx_st *probe_ssl_ctx(const char **err);
struct probe_script_settings {
	const char *user, *group; /* global script_user/script_group, or NULL */
	bool security;		  /* enable_script_security */
};
const struct probe_script_settings *probe_script_settings(void);
/* Sets what probe_global_error() says. */
void probe_set_global_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees the compiled regular expressions HTTP_GET keeps (probe_http.c). */
void probe_http_regex_free(void);

#endif /* XVSD_PROBE_INT_H */
