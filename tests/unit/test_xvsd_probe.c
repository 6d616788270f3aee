// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd's probes, each run on a real event loop against real servers on
 * loopback that the test starts: forked C servers (TCP, HTTP, UDP, DNS,
 * SMTP), a python TLS server with a certificate made by the openssl CLI at
 * test time, real scripts for MISC_CHECK. Checkers come from keepalived.conf
 * text through the real configuration loader. Also: cancellation in
 * flight (no callback, nothing left open), a thousand probes against a
 * hung and a healthy server on one loop. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../../cmd/xvsd/conf.h"
#include "../../cmd/xvsd/loop.h"
#include "../../cmd/xvsd/probe.h"
#include "../harness/test.h"

/* ---- checkers from keepalived.conf text */

struct ck {
	struct conf *c;
	const struct conf_checker *ck;
	struct probe_target t;
};

/* Loads GLOBAL (top-level blocks, may be "") and one real server RS_ADDR
 * RS_PORT holding CHECKER, the way the daemon would, and builds the target
 * the daemon builds (connect_ip/connect_port over the real server's). */
static bool ck_load(struct ck *k, const char *global, const char *rs_addr, unsigned rs_port,
		    const char *checker_fmt, ...) __attribute__((format(printf, 5, 6)));

static bool ck_load(struct ck *k, const char *global, const char *rs_addr, unsigned rs_port,
		    const char *checker_fmt, ...)
{
	struct conf_diags d = {0};
	char checker[4096], *text = NULL;
	const struct conf_rs *rs;
	va_list ap;
	int n, err;

	memset(k, 0, sizeof(*k));
	va_start(ap, checker_fmt);
	vsnprintf(checker, sizeof(checker), checker_fmt, ap);
	va_end(ap);
	n = asprintf(&text,
		     "%s\n"
		     "virtual_server %s 80 {\n"
		     "  lvs_method NAT\n  lvs_sched rr\n  protocol TCP\n"
		     "  real_server %s %u {\n%s\n  }\n}\n",
		     global, strchr(rs_addr, ':') ? "fd00::80" : "192.0.2.80", rs_addr, rs_port,
		     checker);
	if (n < 0)
		return false;
	err = conf_load_buffer("probe-test.conf", text, (size_t)n, NULL, &k->c, &d);
	if (err) {
		fprintf(stderr, "%s", text);
		conf_diags_print(&d, stderr);
	}
	free(text);
	conf_diags_free(&d);
	if (err || k->c->n_vs != 1 || k->c->vs[0]->n_rs != 1 || k->c->vs[0]->rs[0]->n_checkers != 1)
		return false;
	rs = k->c->vs[0]->rs[0];
	k->ck = rs->checkers[0];
	k->t = (struct probe_target){
		.addr = k->ck->connect_ip.family ? k->ck->connect_ip : rs->addr,
		.port = k->ck->connect_port ? k->ck->connect_port : rs->port,
		.ck = k->ck,
		.virtualhost = k->ck->eff_virtualhost,
	};
	return true;
}

static void ck_free(struct ck *k)
{
	conf_free(k->c);
	k->c = NULL;
}

/* ---- running probes */

struct run {
	struct loop *l;
	struct probe_result r;
	int calls;
	uint64_t t_done;
	bool stop;
};

static void on_done(struct probe *p, const struct probe_result *r, void *arg)
{
	struct run *x = arg;

	(void)p;
	x->r = *r;
	x->calls++;
	x->t_done = loop_now_us();
	if (x->stop)
		loop_stop(x->l);
}

static void stop_cb(struct loop_timer *t, void *arg)
{
	(void)t;
	loop_stop(arg);
}

/* One attempt to its result; *elapsed_us its duration. A guard stops the
 * loop after 30 s (the test then fails on calls != 1). */
static struct probe_result run_probe(const struct ck *k, uint64_t *elapsed_us)
{
	struct run x = {.stop = true};
	struct loop_timer *guard = NULL;
	uint64_t t0;
	int err;

	x.r.detail[0] = '\0';
	if (loop_new(&x.l)) {
		EXPECT(!"loop_new");
		return x.r;
	}
	t0 = loop_now_us();
	err = probe_start(x.l, &k->t, on_done, &x, NULL);
	EXPECT_EQ_INT(err, 0);
	EXPECT_EQ_INT(x.calls, 0); /* never from inside probe_start */
	if (!err) {
		loop_timer_add(x.l, 30000000, stop_cb, x.l, &guard);
		loop_run(x.l);
		loop_timer_cancel(guard);
	}
	EXPECT_EQ_INT(x.calls, 1);
	if (elapsed_us)
		*elapsed_us = x.t_done - t0;
	printf("# %s -> %s%s: %s\n", k->ck->type_name, x.r.up ? "up" : "down",
	       x.r.unchecked ? " (unchecked)" : "", x.r.detail);
	loop_free(x.l);
	return x.r;
}

/* One attempt of the checker CHECKER_FMT on a real server ADDR PORT, with
 * GLOBAL (top-level blocks: SSL, global_defs, track_file, or "") loaded
 * and given to probe_global_set() as the daemon does. */
static struct probe_result check(const char *global, const char *addr, unsigned port,
				 const char *checker_fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct probe_result check(const char *global, const char *addr, unsigned port,
				 const char *checker_fmt, ...)
{
	struct probe_result r = {0};
	char block[2048];
	va_list ap;
	struct ck k;

	va_start(ap, checker_fmt);
	vsnprintf(block, sizeof(block), checker_fmt, ap);
	va_end(ap);
	if (!ck_load(&k, global, addr, port, "%s", block)) {
		EXPECT(!"configuration loads");
		return r;
	}
	if (probe_global_set(&k.c->global)) {
		printf("# %s\n", probe_global_error());
		EXPECT(!"probe_global_set");
	} else {
		r = run_probe(&k, NULL);
	}
	ck_free(&k);
	return r;
}

/* A table of checks: the checker block, up or not, a part of the detail
 * (NULL: any) and, when weight_set, the weight. */
struct want {
	const char *block;
	bool up;
	const char *detail;
	bool weight_set;
	int64_t weight;
};

/* clang-format off */
#define UP(b, d)		{ .block = (b), .up = true, .detail = (d) }
#define DOWN(b, d)		{ .block = (b), .up = false, .detail = (d) }
#define UP_WEIGHT(b, d, w)	{ .block = (b), .up = true, .detail = (d), \
				  .weight_set = true, .weight = (w) }
/* clang-format on */

static void check_table(const char *addr, unsigned port, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct probe_result r = check("", addr, port, "%s", w[i].block);

		if (r.up != w[i].up || r.unchecked)
			test_fail(__FILE__, __LINE__, "%s: %s%s, expected %s", w[i].block,
				  r.up ? "up" : "down", r.unchecked ? " (unchecked)" : "",
				  w[i].up ? "up" : "down");
		if (w[i].detail && !strstr(r.detail, w[i].detail))
			test_fail(__FILE__, __LINE__, "%s: detail \"%s\" lacks \"%s\"", w[i].block,
				  r.detail, w[i].detail);
		if (w[i].weight_set && r.weight != w[i].weight)
			test_fail(__FILE__, __LINE__, "%s: weight %lld, expected %lld", w[i].block,
				  (long long)r.weight, (long long)w[i].weight);
	}
}

#define CHECK_TABLE(addr, port, t) check_table(addr, port, t, sizeof(t) / sizeof(t[0]))

#define EXPECT_DETAIL(r, s)                                                                        \
	do {                                                                                       \
		if (!strstr((r).detail, (s)))                                                      \
			test_fail(__FILE__, __LINE__, "detail \"%s\" lacks \"%s\"", (r).detail,    \
				  (s));                                                            \
	} while (0)

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- servers */

static int listen_loopback(int family, int type, int backlog, uint16_t *port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					 : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* A port nothing listens on (bound, then closed). */
static uint16_t closed_port(int family, int type)
{
	uint16_t port = 0;
	int fd = listen_loopback(family, type, 1, &port);

	if (fd >= 0)
		close(fd);
	return port;
}

static void child_signals_default(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_IGN); /* per-connection children reap themselves */
}

typedef void (*conn_handler)(int fd, void *arg);

/* A forked server in its own process group: one forked child per
 * connection, so a hung connection never blocks the next. */
static pid_t serve_stream(int lfd, conn_handler handle, void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		child_signals_default();
		for (;;) {
			int c = accept(lfd, NULL, NULL);

			if (c < 0)
				continue;
			if (fork() == 0) {
				handle(c, arg);
				_exit(0);
			}
			close(c);
		}
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

/* A forked datagram server: handle gets the socket and serves forever. */
static pid_t serve_dgram(int fd, conn_handler handle, void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		child_signals_default();
		handle(fd, arg);
		_exit(0);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

/* A forked server of TYPE on a loopback port of FAMILY, running HANDLE
 * (per connection for streams, on the socket for datagrams). */
static pid_t server_start(int family, int type, conn_handler handle, void *arg, uint16_t *port)
{
	int fd = listen_loopback(family, type, 64, port);
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = type == SOCK_STREAM ? serve_stream(fd, handle, arg) : serve_dgram(fd, handle, arg);
	close(fd);
	return pid;
}

static void server_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0); /* ECHILD when a probe's loop reaped it: fine */
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static void md5_hex(const void *data, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_md5(), NULL);
	for (unsigned int i = 0; i < n && i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- TCP_CHECK */

static void tcp_up_and_refused(void)
{
	uint16_t port;
	int lfd = listen_loopback(AF_INET, SOCK_STREAM, 16, &port);
	struct probe_result r;

	ASSERT(lfd >= 0);
	r = check("", "127.0.0.1", port, "TCP_CHECK { connect_timeout 3 }");
	EXPECT(r.up);
	EXPECT(!r.unchecked);
	EXPECT_EQ_INT(r.weight, -1);
	close(lfd);

	r = check("", "127.0.0.1", closed_port(AF_INET, SOCK_STREAM),
		  "TCP_CHECK { connect_timeout 3 }");
	EXPECT(!r.up);
	EXPECT(!r.unchecked);
	EXPECT_DETAIL(r, "connection refused");
}

static void tcp_ipv6_and_connect_port(void)
{
	uint16_t port;
	int lfd = listen_loopback(AF_INET6, SOCK_STREAM, 16, &port);
	struct probe_result r;

	ASSERT(lfd >= 0);
	/* the real server's port is closed; connect_port names the listener */
	r = check("", "::1", closed_port(AF_INET6, SOCK_STREAM),
		  "TCP_CHECK { connect_port %u\n connect_timeout 3 }", port);
	EXPECT(r.up);
	/* connect_ip moves it elsewhere: to 127.0.0.1, where nothing listens */
	r = check("", "::1", port, "TCP_CHECK { connect_ip 127.0.0.1\n connect_port %u }",
		  closed_port(AF_INET, SOCK_STREAM));
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "connection refused");
	close(lfd);
}

/* A listener whose accept queue is full drops new SYNs: the connect hangs
 * until connect_timeout, all on loopback. */
static int full_listener(uint16_t *port, int *filler)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int lfd = listen_loopback(AF_INET, SOCK_STREAM, 0, port);

	if (lfd < 0)
		return -1;
	sa.sin_port = htons(*port);
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(*filler, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(lfd);
		return -1;
	}
	return lfd;
}

static void tcp_timeout(void)
{
	uint16_t port;
	int filler, lfd = full_listener(&port, &filler);
	struct probe_result r;
	uint64_t us;
	struct ck k;

	ASSERT(lfd >= 0);
	ASSERT(ck_load(&k, "", "127.0.0.1", port, "TCP_CHECK { connect_timeout 1 }"));
	r = run_probe(&k, &us);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s connecting");
	EXPECT(us >= 1000000);
	ck_free(&k);
	close(filler);
	close(lfd);
}

static void tcp_bindto_and_bind_port(void)
{
	uint16_t port, src = closed_port(AF_INET, SOCK_STREAM);
	int lfd = listen_loopback(AF_INET, SOCK_STREAM, 16, &port), c;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	struct probe_result r;

	ASSERT(lfd >= 0);
	r = check("", "127.0.0.1", port, "TCP_CHECK { bindto 127.0.0.7\n bind_port %u }", src);
	EXPECT(r.up);
	/* the server saw the connection come from there */
	c = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
	EXPECT(c >= 0);
	EXPECT_EQ_INT(ntohl(peer.sin_addr.s_addr), 0x7f000007);
	EXPECT_EQ_INT(ntohs(peer.sin_port), src);
	if (c >= 0)
		close(c);
	/* an address this host does not have: the server was never asked */
	r = check("", "127.0.0.1", port, "TCP_CHECK { bindto 192.0.2.99 }");
	EXPECT(!r.up);
	EXPECT(r.unchecked);
	EXPECT_DETAIL(r, "bind to 192.0.2.99");
	/* a family that does not match */
	r = check("", "127.0.0.1", port, "TCP_CHECK { bindto ::1 }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "not an IPv4 address");
	close(lfd);
}

static void tcp_fwmark_and_bind_if_options(void)
{
	uint16_t port;
	int lfd = listen_loopback(AF_INET, SOCK_STREAM, 16, &port);
	struct probe_result r;

	ASSERT(lfd >= 0);
	/* SO_MARK needs CAP_NET_ADMIN: root (CI) gets up, others unchecked */
	r = check("", "127.0.0.1", port, "TCP_CHECK { fwmark 7 }");
	if (geteuid() == 0) {
		EXPECT(r.up);
	} else {
		EXPECT(r.unchecked);
		EXPECT_DETAIL(r, "fwmark 7");
	}
	r = check("", "127.0.0.1", port, "TCP_CHECK { bind_if lo }");
	EXPECT(r.up || (geteuid() != 0 && r.unchecked));
	r = check("", "127.0.0.1", port, "TCP_CHECK { bind_if xvsnosuch0 }");
	EXPECT(!r.up);
	EXPECT(r.unchecked);
	EXPECT_DETAIL(r, "bind_if xvsnosuch0");
	close(lfd);
}

/* ---- HTTP_GET against a forked HTTP server */

#define BIG_LEN (3u << 20)

static char *big_body(void)
{
	char *b = malloc(BIG_LEN);

	for (size_t i = 0; b && i < BIG_LEN; i++)
		b[i] = (char)('a' + i % 23);
	return b;
}

static void http_reply(int c, const char *s)
{
	write_all(c, s, strlen(s));
}

static void http_handle(int c, void *arg)
{
	char req[8192], path[256] = "";
	size_t n = 0;

	(void)arg;
	while (n < sizeof(req) - 1) {
		ssize_t r = read(c, req + n, sizeof(req) - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[n] = '\0';
	sscanf(req, "GET %255s", path);
	if (!strcmp(path, "/ok")) {
		http_reply(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello world\n");
	} else if (!strcmp(path, "/500")) {
		http_reply(c, "HTTP/1.0 500 Internal Server Error\r\n\r\noops\n");
	} else if (!strcmp(path, "/301")) {
		http_reply(c, "HTTP/1.0 301 Moved\r\nLocation: /ok\r\n\r\n");
	} else if (!strcmp(path, "/echo")) {
		http_reply(c, "HTTP/1.0 200 OK\r\n\r\n");
		write_all(c, req, n);
	} else if (!strcmp(path, "/keepopen")) {
		/* complete by Content-Length; the connection stays open */
		http_reply(c, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n");
		sleep(60);
	} else if (!strcmp(path, "/hang")) {
		sleep(60);
	} else if (!strcmp(path, "/stream")) {
		static char chunk[65536];

		memset(chunk, 'x', sizeof(chunk));
		http_reply(c, "HTTP/1.0 200 OK\r\n\r\n");
		while (write_all(c, chunk, sizeof(chunk)))
			;
	} else if (!strcmp(path, "/trickle")) {
		http_reply(c, "HTTP/1.0 200 OK\r\n\r\n");
		while (write_all(c, "x", 1))
			usleep(100000);
	} else if (!strcmp(path, "/big")) {
		char *b = big_body();

		http_reply(c, "HTTP/1.0 200 OK\r\n\r\n");
		write_all(c, b, BIG_LEN);
		free(b);
	} else if (!strcmp(path, "/close")) {
		/* nothing */
	} else if (!strcmp(path, "/garbage")) {
		http_reply(c, "SPAM AND EGGS\r\n\r\n");
	} else if (!strcmp(path, "/hugehdr")) {
		static char pad[20000];

		memset(pad, 'p', sizeof(pad) - 1);
		http_reply(c, "HTTP/1.0 200 OK\r\nX-Pad: ");
		http_reply(c, pad);
		http_reply(c, "\r\n\r\n");
	} else if (!strcmp(path, "/offset")) {
		http_reply(c, "HTTP/1.0 200 OK\r\n\r\n0123456789MARK456789");
	} else if (!strcmp(path, "/clen")) {
		/* the digest covers Content-Length bytes, as genhash's does */
		http_reply(
			c,
			"HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhello world\ntrailing junk");
	} else {
		http_reply(c, "HTTP/1.0 404 Not Found\r\n\r\n");
	}
	shutdown(c, SHUT_WR);
	close(c);
}

struct http_srv {
	pid_t pid;
	uint16_t port;
};

static bool http_srv_start(struct http_srv *s, int family)
{
	s->pid = server_start(family, SOCK_STREAM, http_handle, NULL, &s->port);
	return s->pid > 0;
}

static void http_status_codes(void)
{
	static const struct want t[] = {
		UP("HTTP_GET { url { path /ok } }", "HTTP status 200 (url /ok)"),
		DOWN("HTTP_GET { url { path /500 } }", "HTTP status 500 not in 200-299 (url /500)"),
		UP("HTTP_GET { url { path /500\n status_code 500 } }", NULL),
		UP("HTTP_GET { url { path /301\n status_code 200 300-302 } }", NULL),
		DOWN("HTTP_GET { url { path /ok\n status_code 201-204 404 } }",
		     "HTTP status 200 not in 201-204 404"),
	};
	struct http_srv s;

	ASSERT(http_srv_start(&s, AF_INET));
	CHECK_TABLE("127.0.0.1", s.port, t);
	server_stop(s.pid);
}

static void http_digest(void)
{
	char good[33], big[33];
	char *b = big_body();
	struct http_srv s;
	struct probe_result r;

	ASSERT(b);
	md5_hex("hello world\n", 12, good);
	md5_hex(b, BIG_LEN, big);
	free(b);
	ASSERT(http_srv_start(&s, AF_INET));
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /ok\n digest %s } }", good);
	EXPECT(r.up);
	EXPECT_DETAIL(r, "digest ok");
	r = check("", "127.0.0.1", s.port,
		  "HTTP_GET { url { path /500\n status_code 500\n digest %s } }", good);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "digest mismatch");
	/* 3 MiB: beyond what is kept for regex, all of it in the digest */
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /big\n digest %s } }", big);
	EXPECT(r.up);
	/* only Content-Length bytes count */
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /clen\n digest %s } }", good);
	EXPECT(r.up);
	server_stop(s.pid);
}

static void http_regex(void)
{
	static const struct want t[] = {
		UP("HTTP_GET { url { path /ok\n regex \"^hello w.rld$\" } }", "regex matched"),
		DOWN("HTTP_GET { url { path /ok\n regex \"goodbye\" } }", "regex not matched"),
		UP("HTTP_GET { url { path /ok\n regex \"goodbye\"\n regex_no_match } }", NULL),
		DOWN("HTTP_GET { url { path /ok\n regex hello\n regex_no_match } }",
		     "regex matched (regex_no_match)"),
		/* the body only, not the header */
		DOWN("HTTP_GET { url { path /ok\n regex Content-Type } }", NULL),
		/* MARK starts at offset 10 of  */
		UP("HTTP_GET { url { path /offset\n regex MARK\n regex_min_offset 10 } }", NULL),
		DOWN("HTTP_GET { url { path /offset\n regex MARK\n regex_min_offset 11 } }", NULL),
		UP("HTTP_GET { url { path /offset\n regex MARK\n regex_max_offset 10 } }", NULL),
		DOWN("HTTP_GET { url { path /offset\n regex MARK\n regex_max_offset 9 } }", NULL),
		DOWN("HTTP_GET { url { path /ok\n regex \"(unclosed\" } }", "invalid regex"),
	};
	struct http_srv s;

	ASSERT(http_srv_start(&s, AF_INET));
	CHECK_TABLE("127.0.0.1", s.port, t);
	server_stop(s.pid);
}

/* What went on the wire: keepalived's request line and headers, the
 * virtualhost chain (url > checker > real server > virtual server). */
static void http_request_shape(void)
{
	struct http_srv s;
	struct probe_result r;
	char re[128];

	ASSERT(http_srv_start(&s, AF_INET));
	snprintf(re, sizeof(re),
		 "^GET /echo HTTP/1\\\\.0\\r\\nUser-Agent: KeepAliveClient\\r\\nHost: "
		 "127\\\\.0\\\\.0\\\\.1:%u\\r\\n\\r\\n$",
		 s.port);
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /echo\n regex \"%s\" } }", re);
	EXPECT(r.up);
	r = check("", "127.0.0.1", s.port,
		  "HTTP_GET { http_protocol 1.0C\n url { path /echo\n "
		  "regex \"(?s)^GET /echo HTTP/1\\\\.0\\r\\n.*Connection: close\\r\\n\" } }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", s.port,
		  "HTTP_GET { http_protocol 1.1\n virtualhost www.example.com\n url { path /echo\n "
		  "regex \"(?s)^GET /echo HTTP/1\\\\.1\\r\\n.*Connection: close\\r\\nHost: "
		  "www\\\\.example\\\\.com\\r\\n\" } }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", s.port,
		  "HTTP_GET { virtualhost www.example.com\n url { path /echo\n virtualhost "
		  "url.example.org\n "
		  "regex \"Host: url\\\\.example\\\\.org\\r\\n\" } }");
	EXPECT(r.up);
	server_stop(s.pid);
}

static void http_virtualhost_inherited(void)
{
	struct http_srv s;
	struct probe_result r;
	struct ck k;

	ASSERT(http_srv_start(&s, AF_INET));
	ASSERT(ck_load(
		&k, "", "127.0.0.1", s.port,
		"virtualhost rs.example.net\n"
		"HTTP_GET { url { path /echo\n regex \"Host: rs\\\\.example\\\\.net\\r\\n\" } }"));
	r = run_probe(&k, NULL);
	EXPECT(r.up);
	ck_free(&k);
	server_stop(s.pid);
}

/* keepalived checks every url; here each on its own connection, in
 * order, the first failure ending the attempt; a url named by the daemon
 * is checked alone. */
static void http_urls(void)
{
	const char *block =
		"HTTP_GET { url { path /ok }\n url { path /echo }\n url { path /500 } }";
	struct http_srv s;
	struct probe_result r;
	struct ck k;

	ASSERT(http_srv_start(&s, AF_INET));
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /ok }\n url { path /echo } }");
	EXPECT(r.up);
	EXPECT_DETAIL(r, "2 urls");
	ASSERT(ck_load(&k, "", "127.0.0.1", s.port, "%s", block));
	r = run_probe(&k, NULL);
	EXPECT(!r.up);
	EXPECT(r.failed_url == k.ck->http.urls[2]);
	EXPECT_DETAIL(r, "(url /500)");
	k.t.url = k.ck->http.urls[1];
	r = run_probe(&k, NULL);
	EXPECT(r.up);
	EXPECT_DETAIL(r, "(url /echo)");
	ck_free(&k);
	server_stop(s.pid);
}

static void http_broken_servers(void)
{
	struct http_srv s;
	struct probe_result r;
	uint64_t us;
	struct ck k;

	ASSERT(http_srv_start(&s, AF_INET));
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /close } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "no data received");
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /garbage } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "invalid HTTP status line 'SPAM AND EGGS'");
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /hugehdr } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "HTTP header longer than 16 KiB");
	/* complete by Content-Length while the server keeps the connection */
	ASSERT(ck_load(&k, "", "127.0.0.1", s.port,
		       "HTTP_GET { connect_timeout 5\n url { path /keepopen } }"));
	r = run_probe(&k, &us);
	EXPECT(r.up);
	EXPECT(us < 4000000);
	ck_free(&k);
	server_stop(s.pid);
	s.port = closed_port(AF_INET, SOCK_STREAM);
	r = check("", "127.0.0.1", s.port, "HTTP_GET { url { path /ok } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "connection refused");
}

/* A server that answers nothing and one that trickles a byte every 100 ms
 * are cut at connect_timeout; one that streams without end at 16 MiB. */
static void http_timeouts(void)
{
	static const char *const paths[] = {"/hang", "/trickle"};
	struct http_srv s;
	struct probe_result r;
	uint64_t us;
	struct ck k;

	ASSERT(http_srv_start(&s, AF_INET));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ASSERT(ck_load(&k, "", "127.0.0.1", s.port,
			       "HTTP_GET { connect_timeout 1\n url { path %s } }", paths[i]));
		r = run_probe(&k, &us);
		EXPECT(!r.up);
		EXPECT_DETAIL(r, "timeout after 1 s");
		EXPECT(us >= 1000000 && us < 10000000);
		ck_free(&k);
	}
	/* with something to look for in the stream, still the same bound */
	ASSERT(ck_load(&k, "", "127.0.0.1", s.port,
		       "HTTP_GET { connect_timeout 20\n url { path /stream\n regex y } }"));
	r = run_probe(&k, &us);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "response body longer than 16 MiB");
	EXPECT(us < 20000000);
	ck_free(&k);
	server_stop(s.pid);
}

static void http_ipv6(void)
{
	struct http_srv s;
	struct probe_result r;
	char re[96];

	ASSERT(http_srv_start(&s, AF_INET6));
	snprintf(re, sizeof(re), "Host: \\\\[::1\\\\]:%u\\r\\n", s.port);
	r = check("", "::1", s.port, "HTTP_GET { url { path /echo\n regex \"%s\" } }", re);
	EXPECT(r.up);
	server_stop(s.pid);
}

/* ---- SSL_GET against a python TLS server, certificates made at test time */

/* tests/xvsd/NAME of the tree this binary was built in (BUILD/tests/unit/X),
 * else relative to the current directory (make test runs from the top). */
static const char *data_path(const char *name, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');

			if (slash)
				*slash = '\0';
		}
		if (snprintf(buf, len, "%s/../tests/xvsd/%s", exe, name) < (int)len &&
		    access(buf, R_OK) == 0)
			return buf;
	}
	snprintf(buf, len, "tests/xvsd/%s", name);
	return buf;
}

/* Runs ARGV in its own process group and reads the port it prints. */
static pid_t spawn_server(char *const argv[], uint16_t *port)
{
	struct pollfd pfd;
	char line[32] = "";
	size_t n = 0;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		child_signals_default();
		dup2(fds[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	setpgid(pid, pid);
	pfd = (struct pollfd){.fd = fds[0], .events = POLLIN};
	while (n < sizeof(line) - 1 && !strchr(line, '\n') && poll(&pfd, 1, 10000) == 1) {
		ssize_t r = read(fds[0], line + n, sizeof(line) - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		line[n] = '\0';
	}
	close(fds[0]);
	*port = (uint16_t)atoi(line);
	if (!*port) {
		server_stop(pid);
		return -1;
	}
	return pid;
}

struct tls_files {
	char dir[32];
	char cert[64], key[64];		 /* the server's, CN and SAN www.example.com */
	char other[64], other_key[64];	 /* an unrelated self-signed one */
	char client[64], client_key[64]; /* a client certificate, key under "sekrit" */
};

static bool openssl_req(const char *cert, const char *key, const char *cn, bool encrypt)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 %s "
		 "-keyout %s -out %s -days 2 -subj /CN=%s -addext subjectAltName=DNS:%s "
		 ">/dev/null 2>&1",
		 encrypt ? "-passout pass:sekrit" : "-nodes", key, cert, cn, cn);
	return system(cmd) == 0;
}

static bool tls_files_make(struct tls_files *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/xvs-tls-XXXXXX");
	if (!mkdtemp(f->dir))
		return false;
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other.pem", f->dir);
	snprintf(f->other_key, sizeof(f->other_key), "%s/other-key.pem", f->dir);
	snprintf(f->client, sizeof(f->client), "%s/client.pem", f->dir);
	snprintf(f->client_key, sizeof(f->client_key), "%s/client-key.pem", f->dir);
	return openssl_req(f->cert, f->key, "www.example.com", false) &&
	       openssl_req(f->other, f->other_key, "other.example.com", false) &&
	       openssl_req(f->client, f->client_key, "client.example.com", true);
}

static void tls_files_remove(struct tls_files *f)
{
	const char *files[] = {f->cert, f->key, f->other, f->other_key, f->client, f->client_key};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(f->dir);
}

static pid_t tls_server_start(const struct tls_files *f, const char *family, const char *mode,
			      uint16_t *port)
{
	char script[PATH_MAX];
	char *argv[] = {
		"/usr/bin/python3", (char *)data_path("tls_server.py", script, sizeof(script)),
		(char *)f->cert,    (char *)f->key,
		(char *)family,	    (char *)mode,
		(char *)f->client,  NULL};

	return spawn_server(argv, port);
}

static void ssl_get_and_sni(void)
{
	struct tls_files f;
	struct probe_result r;
	uint16_t port;
	pid_t srv;
	struct ck k;

	ASSERT(tls_files_make(&f));
	srv = tls_server_start(&f, "4", "notify", &port);
	ASSERT(srv > 0);
	/* no SSL block: keepalived's context, nothing verified */
	r = check("", "127.0.0.1", port,
		  "SSL_GET { url { path /tls\n regex \"^sni=None\\nGET /tls HTTP/1\\\\.0\\r\\n\" "
		  "} }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", port,
		  "SSL_GET { enable_sni\n virtualhost www.example.com\n url { path /\n regex "
		  "\"^sni=www\\\\.example\\\\.com\\n\" } }");
	EXPECT(r.up);
	/* sni_name wins over the virtualhost; the Host header keeps it */
	r = check(
		"", "127.0.0.1", port,
		"SSL_GET { sni_name sni.example.org\n virtualhost www.example.com\n url { path /\n "
		"regex \"^sni=sni\\\\.example\\\\.org\\n(?s).*Host: "
		"www\\\\.example\\\\.com\\r\\n\" } }");
	EXPECT(r.up);
	/* the url's virtualhost is the SNI name for that url */
	r = check("", "127.0.0.1", port,
		  "SSL_GET { enable_sni\n url { path /\n virtualhost u.example.net\n regex "
		  "\"^sni=u\\\\.example\\\\.net\\n\" } }");
	EXPECT(r.up);
	/* SNI off without enable_sni; never an address literal */
	r = check("", "127.0.0.1", port,
		  "SSL_GET { virtualhost www.example.com\n url { path /\n regex \"^sni=None\\n\" "
		  "} }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", port,
		  "SSL_GET { enable_sni\n virtualhost 192.0.2.1\n url { path /\n regex "
		  "\"^sni=None\\n\" } }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", port,
		  "SSL_GET { url { path /\n digest 00000000000000000000000000000000 } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "digest mismatch");
	server_stop(srv);
	/* IPv6 */
	srv = tls_server_start(&f, "6", "notify", &port);
	ASSERT(srv > 0);
	ASSERT(ck_load(&k, "", "::1", port, "SSL_GET { url { path /v6 } }"));
	ASSERT(probe_global_set(&k.c->global) == 0);
	r = run_probe(&k, NULL);
	EXPECT(r.up);
	ck_free(&k);
	server_stop(srv);
	probe_global_free();
	tls_files_remove(&f);
}

static void ssl_get_verifies_with_a_ca(void)
{
	struct tls_files f;
	struct probe_result r;
	char global[256];
	uint16_t port;
	pid_t srv;

	ASSERT(tls_files_make(&f));
	srv = tls_server_start(&f, "4", "notify", &port);
	ASSERT(srv > 0);
	snprintf(global, sizeof(global), "SSL {\n ca %s\n}", f.cert);
	r = check(global, "127.0.0.1", port, "SSL_GET { url { path / } }");
	EXPECT(r.up);
	snprintf(global, sizeof(global), "SSL {\n ca %s\n}", f.other);
	r = check(global, "127.0.0.1", port, "SSL_GET { url { path / } }");
	EXPECT(!r.up);
	EXPECT(!r.unchecked);
	EXPECT_DETAIL(r, "TLS handshake: certificate verify failed (");
	server_stop(srv);
	probe_global_free();
	tls_files_remove(&f);
}

/* A client certificate from the SSL block, its key behind a password. */
static void ssl_get_client_certificate(void)
{
	struct tls_files f;
	struct probe_result r;
	char global[512];
	uint16_t port;
	pid_t srv;
	struct ck k;

	ASSERT(tls_files_make(&f));
	srv = tls_server_start(&f, "4", "client", &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SSL_GET { url { path / } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "TLS");
	snprintf(global, sizeof(global), "SSL {\n certificate %s\n key %s\n password sekrit\n}",
		 f.client, f.client_key);
	r = check(global, "127.0.0.1", port, "SSL_GET { url { path / } }");
	EXPECT(r.up);
	/* a wrong password: refused whole, the previous context stays */
	snprintf(global, sizeof(global), "SSL {\n certificate %s\n key %s\n password wrong\n}",
		 f.client, f.client_key);
	ASSERT(ck_load(&k, global, "127.0.0.1", port, "SSL_GET { url { path / } }"));
	EXPECT_EQ_INT(probe_global_set(&k.c->global), -EINVAL);
	EXPECT(strstr(probe_global_error(), f.client_key) != NULL);
	EXPECT(strstr(probe_global_error(), "bad decrypt") != NULL);
	printf("# %s\n", probe_global_error());
	r = run_probe(&k, NULL);
	EXPECT(r.up);
	ck_free(&k);
	snprintf(global, sizeof(global), "SSL {\n certificate %s/missing.pem\n}", f.dir);
	ASSERT(ck_load(&k, global, "127.0.0.1", port, "SSL_GET { url { path / } }"));
	EXPECT_EQ_INT(probe_global_set(&k.c->global), -EINVAL);
	EXPECT(strstr(probe_global_error(), "missing.pem: no such file or directory") != NULL);
	printf("# %s\n", probe_global_error());
	ck_free(&k);
	server_stop(srv);
	probe_global_free();
	tls_files_remove(&f);
}

/* Without close_notify: accepted unless tls_compliant asks for it. */
static void ssl_get_close_notify(void)
{
	struct tls_files f;
	struct probe_result r;
	uint16_t port;
	pid_t srv;

	ASSERT(tls_files_make(&f));
	srv = tls_server_start(&f, "4", "abrupt", &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SSL_GET { url { path / } }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", port, "SSL_GET { tls_compliant\n url { path / } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "close_notify");
	server_stop(srv);
	srv = tls_server_start(&f, "4", "notify", &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SSL_GET { tls_compliant\n url { path / } }");
	EXPECT(r.up);
	server_stop(srv);
	probe_global_free();
	tls_files_remove(&f);
}

static void say_ssh(int c, void *arg)
{
	(void)arg;
	write_all(c, "SSH-2.0-OpenSSH_9.2\r\n", 21);
	close(c);
}

static void ssl_get_plain_and_silent_servers(void)
{
	struct probe_result r;
	uint64_t us;
	uint16_t port;
	int filler, lfd;
	struct ck k;
	pid_t srv;

	/* something that is not TLS answers */
	srv = server_start(AF_INET, SOCK_STREAM, say_ssh, NULL, &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SSL_GET { url { path /ok } }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "TLS handshake: ");
	server_stop(srv);
	/* accepted, never a byte back: the handshake times out */
	lfd = listen_loopback(AF_INET, SOCK_STREAM, 8, &port);
	ASSERT(lfd >= 0);
	ASSERT(ck_load(&k, "", "127.0.0.1", port,
		       "SSL_GET { connect_timeout 1\n url { path / } }"));
	r = run_probe(&k, &us);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s in the TLS handshake");
	ck_free(&k);
	close(lfd);
	lfd = full_listener(&port, &filler);
	ASSERT(lfd >= 0);
	ASSERT(ck_load(&k, "", "127.0.0.1", port,
		       "SSL_GET { connect_timeout 1\n url { path / } }"));
	r = run_probe(&k, &us);
	EXPECT_DETAIL(r, "timeout after 1 s connecting");
	ck_free(&k);
	close(filler);
	close(lfd);
	probe_global_free();
}

/* ---- MISC_CHECK */

static void misc_exit_codes(void)
{
	static const struct want t[] = {
		UP_WEIGHT("MISC_CHECK { misc_path /bin/true }", "exited with status 0", -1),
		DOWN("MISC_CHECK { misc_path /bin/false }", "exited with status 1"),
		/* words, quotes, no shell: the argument arrives whole */
		DOWN("MISC_CHECK { misc_path \"/bin/sh -c 'exit 7'\" }", "exited with status 7"),
		DOWN("MISC_CHECK { misc_path \"/bin/sh -c 'kill -TERM $$'\" }",
		     "killed by signal 15"),
		DOWN("MISC_CHECK { misc_path /nonexistent/xvs-check }",
		     "cannot execute /nonexistent/xvs-check: No such file or directory"),
		/* found on PATH like a shell would */
		UP("MISC_CHECK { misc_path \"true\" }", NULL),
		/* stdin is /dev/null (cat ends at once), stdout too */
		UP("MISC_CHECK { misc_path \"/bin/sh -c 'cat; test ! -t 1 && echo x'\" }", NULL),
		DOWN("MISC_CHECK { misc_path \"/bin/sh -c 'exit 0\" }", "unterminated quote"),
	};

	CHECK_TABLE("127.0.0.1", 80, t);
}

static void misc_dynamic_weight(void)
{
	static const struct want t[] = {
		UP_WEIGHT("MISC_CHECK { misc_path \"/bin/sh -c 'exit 12'\"\n misc_dynamic }",
			  "weight 10", 10),
		UP_WEIGHT("MISC_CHECK { misc_path \"/bin/sh -c 'exit 2'\"\n misc_dynamic }", NULL,
			  0),
		UP_WEIGHT("MISC_CHECK { misc_path \"/bin/sh -c 'exit 255'\"\n misc_dynamic }", NULL,
			  253),
		UP_WEIGHT("MISC_CHECK { misc_path /bin/true\n misc_dynamic }", NULL, -1),
		DOWN("MISC_CHECK { misc_path /bin/false\n misc_dynamic }", NULL),
		/* without misc_dynamic, 12 is a failure */
		DOWN("MISC_CHECK { misc_path \"/bin/sh -c 'exit 12'\" }", "exited with status 12"),
	};

	CHECK_TABLE("127.0.0.1", 80, t);
}

/* Gone from the process table. REAP: the test is the subreaper of
 * orphaned grandchildren (PR_SET_CHILD_SUBREAPER) and reaps them here; a
 * direct child must already have been reaped by the probe's loop. */
static bool pid_gone(pid_t pid, bool reap)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	for (int i = 0; i < 300; i++) {
		if (reap)
			waitpid(pid, NULL, WNOHANG);
		if (access(path, F_OK) < 0)
			return true;
		usleep(10000);
	}
	return false;
}

static pid_t read_pid(const char *file)
{
	FILE *f = fopen(file, "r");
	int pid = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

/* misc_timeout: SIGTERM to the group, then SIGKILL 2 s later for one that
 * ignores it; nothing of the group is left, no zombie either. */
static void misc_timeout_kills_the_group(void)
{
	char dir[] = "/tmp/xvs-probe-XXXXXX", f1[64], f2[64];
	struct probe_result r;
	uint64_t us;
	pid_t a, b;
	struct ck k;

	ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	ASSERT(mkdtemp(dir));
	snprintf(f1, sizeof(f1), "%s/sh", dir);
	snprintf(f2, sizeof(f2), "%s/sleep", dir);
	/* sh ignores TERM, and so does its background sleep */
	ASSERT(ck_load(&k, "", "127.0.0.1", 80,
		       "MISC_CHECK { misc_timeout 1\n misc_path \"/bin/sh -c 'trap \\\"\\\" TERM; "
		       "echo $$ > %s; sleep 60 & echo $! > %s; wait; wait'\" }",
		       f1, f2));
	r = run_probe(&k, &us);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s (killed)");
	EXPECT(us >= 3000000); /* 1 s, then 2 s of grace */
	a = read_pid(f1);
	b = read_pid(f2);
	EXPECT(a > 0 && b > 0);
	EXPECT(a > 0 && pid_gone(a, false));
	EXPECT(b > 0 && pid_gone(b, true));
	ck_free(&k);
	/* one that obeys SIGTERM ends at once */
	ASSERT(ck_load(&k, "", "127.0.0.1", 80,
		       "MISC_CHECK { misc_timeout 1\n misc_path \"/bin/sleep 60\" }"));
	r = run_probe(&k, &us);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s (terminated)");
	EXPECT(us < 2500000);
	ck_free(&k);
	unlink(f1);
	unlink(f2);
	rmdir(dir);
}

static void misc_user(void)
{
	struct probe_result r;

	if (geteuid() != 0) {
		/* switching needs root: said so, not silently run as us */
		r = check("", "127.0.0.1", 80, "MISC_CHECK { misc_path /bin/true\n user nobody }");
		EXPECT(!r.up);
		EXPECT_DETAIL(r, "cannot run as user nobody");
		return;
	}
	r = check("", "127.0.0.1", 80,
		  "MISC_CHECK { misc_path \"/bin/sh -c 'test $(id -u) = $(id -u nobody)'\"\n "
		  "user nobody }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", 80,
		  "MISC_CHECK { misc_path \"/bin/sh -c 'test $(id -g) = 0'\"\n user nobody root }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", 80,
		  "MISC_CHECK { misc_path /bin/true\n user xvs-no-such-user }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "unknown user xvs-no-such-user");
}

/* global script_user and enable_script_security through probe_global_set */
static void misc_script_settings(void)
{
	struct probe_result r;
	char dir[] = "/tmp/xvs-probe-XXXXXX", script[64], cfg[256];
	struct ck k;
	FILE *f;

	ASSERT(geteuid() == 0 || !"run as root (CI is)");
	ASSERT(ck_load(
		&k, "global_defs {\n script_user nobody\n}", "127.0.0.1", 80,
		"MISC_CHECK { misc_path \"/bin/sh -c 'test $(id -u) = $(id -u nobody)'\" }"));
	ASSERT(probe_global_set(&k.c->global) == 0);
	r = run_probe(&k, NULL);
	EXPECT(r.up);
	ck_free(&k);
	/* a root script in a world-writable place */
	ASSERT(mkdtemp(dir));
	chmod(dir, 0777);
	snprintf(script, sizeof(script), "%s/check.sh", dir);
	f = fopen(script, "w");
	ASSERT(f);
	fprintf(f, "#!/bin/sh\nexit 0\n");
	fclose(f);
	chmod(script, 0755);
	snprintf(cfg, sizeof(cfg), "MISC_CHECK { misc_path %s }", script);
	ASSERT(ck_load(&k, "global_defs {\n enable_script_security\n}", "127.0.0.1", 80, "%s",
		       cfg));
	ASSERT(probe_global_set(&k.c->global) == 0);
	r = run_probe(&k, NULL);
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "insecure");
	ck_free(&k);
	/* the same without security runs */
	ASSERT(ck_load(&k, "", "127.0.0.1", 80, "%s", cfg));
	ASSERT(probe_global_set(&k.c->global) == 0);
	r = run_probe(&k, NULL);
	EXPECT(r.up);
	ck_free(&k);
	probe_global_free();
	unlink(script);
	rmdir(dir);
}

/* ---- UDP_CHECK */

/* echoes every datagram back */
static void udp_echo(int fd, void *arg)
{
	char buf[2048];
	struct sockaddr_storage from;

	(void)arg;
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

static void udp_replies(void)
{
	static const struct want t[] = {
		UP("UDP_CHECK { require_reply }", "reply of 16 bytes"), /* random payload */
		UP("UDP_CHECK { payload 0102 03\n require_reply 0102 }", NULL),
		UP("UDP_CHECK { payload 0102 03\n require_reply 01xX03 }", NULL),
		DOWN("UDP_CHECK { payload 0102 03\n require_reply 0103 }",
		     "reply differs from require_reply at byte 1"),
		/* the lengths count with or without a pattern, as the manual says */
		DOWN("UDP_CHECK { payload 010203\n require_reply\n min_reply_length 5 }",
		     "reply of 3 bytes, expected 5-255"),
		DOWN("UDP_CHECK { payload 010203\n require_reply 01\n max_reply_length 2 }", NULL),
		UP("UDP_CHECK { payload 010203 }", NULL),
	};
	uint16_t port;
	pid_t srv = server_start(AF_INET, SOCK_DGRAM, udp_echo, NULL, &port);

	ASSERT(srv > 0);
	CHECK_TABLE("127.0.0.1", port, t);
	server_stop(srv);
}

static void udp_silence_and_unreachable(void)
{
	uint16_t port;
	int fd = listen_loopback(AF_INET, SOCK_DGRAM, 0, &port); /* bound, never read */
	struct probe_result r;

	ASSERT(fd >= 0);
	/* no ICMP error: keepalived's success */
	r = check("", "127.0.0.1", port, "UDP_CHECK { connect_timeout 1 }");
	EXPECT(r.up);
	EXPECT_DETAIL(r, "no ICMP error in 1 s");
	r = check("", "127.0.0.1", port, "UDP_CHECK { connect_timeout 1\n require_reply }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s waiting for a reply");
	close(fd);
	r = check("", "127.0.0.1", closed_port(AF_INET, SOCK_DGRAM),
		  "UDP_CHECK { connect_timeout 3 }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "ICMP port unreachable");
	r = check("", "::1", closed_port(AF_INET6, SOCK_DGRAM), "UDP_CHECK { connect_timeout 3 }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "ICMP port unreachable");
}

/* ---- DNS_CHECK against a forked responder */

/* Replies by the query's name (lower-cased): "ok.test" NOERROR with one A
 * record (only to type A), "nx.test" NXDOMAIN, "fail.test" SERVFAIL,
 * "noise.test" first a reply with another id, one without QR and one for
 * another question (all to be ignored), then NOERROR; "silent.test"
 * nothing; "." NOERROR to SOA. Anything else REFUSED. */
static void dns_responder(int fd, void *arg)
{
	uint8_t q[512], r[600];
	struct sockaddr_storage from;

	(void)arg;
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		char name[256] = "";
		size_t off = 12, k = 0, qend;
		unsigned qtype, rcode = 5;

		if (n < 17)
			continue;
		while (off < (size_t)n && q[off] && k + q[off] + 1 < sizeof(name)) {
			for (unsigned i = 1; i <= q[off]; i++)
				name[k++] = (char)tolower(q[off + i]);
			name[k++] = '.';
			off += q[off] + 1u;
		}
		name[k] = '\0';
		qend = off + 5;
		if (qend > (size_t)n)
			continue;
		qtype = (unsigned)(q[off + 1] << 8 | q[off + 2]);
		if ((!strcmp(name, "ok.test.") && qtype == 1) || !strcmp(name, "noise.test.") ||
		    (!strcmp(name, "") && qtype == 6))
			rcode = 0;
		else if (!strcmp(name, "nx.test."))
			rcode = 3;
		else if (!strcmp(name, "fail.test."))
			rcode = 2;
		else if (!strcmp(name, "silent.test."))
			continue;
		memcpy(r, q, qend);
		if (!strcmp(name, "noise.test.")) {
			r[0] ^= 0xff; /* another id */
			r[2] = 0x81;
			sendto(fd, r, qend, 0, (struct sockaddr *)&from, fl);
			r[0] ^= 0xff;
			r[2] = q[2]; /* QR clear: a query, not an answer */
			sendto(fd, r, qend, 0, (struct sockaddr *)&from, fl);
			r[2] = 0x81;
			r[13] ^= 0x20; /* 'n' -> 'N' is the same name; 'o' -> 0x4f too: */
			r[14] = 'x';   /* another question */
			sendto(fd, r, qend, 0, (struct sockaddr *)&from, fl);
			r[14] = q[14];
			r[13] = (uint8_t)toupper(q[13]); /* case does not matter */
		}
		r[2] = 0x81;			/* QR, RD */
		r[3] = (uint8_t)(0x80 | rcode); /* RA */
		if (rcode == 0 && qtype == 1) {
			static const uint8_t a[] = {0xc0, 12, 0, 1, 0,	 1, 0, 0,
						    0,	  60, 0, 4, 192, 0, 2, 1};

			r[7] = 1;
			memcpy(r + qend, a, sizeof(a));
			qend += sizeof(a);
		}
		sendto(fd, r, qend, 0, (struct sockaddr *)&from, fl);
	}
}

static void dns_answers(void)
{
	static const struct want t[] = {
		UP("DNS_CHECK { type A\n name ok.test }", "1 answers"),
		UP("DNS_CHECK { type A\n name OK.Test. }", NULL),
		UP("DNS_CHECK { }", NULL), /* SOA of  */
		DOWN("DNS_CHECK { type AAAA\n name ok.test }", "DNS rcode 5 (REFUSED)"),
		DOWN("DNS_CHECK { name nx.test }", "NXDOMAIN"),
		DOWN("DNS_CHECK { name fail.test }", "SERVFAIL"),
		UP("DNS_CHECK { name noise.test }", NULL),
		DOWN("DNS_CHECK { connect_timeout 1\n name silent.test }",
		     "timeout after 1 s waiting for the DNS reply"),
		DOWN("DNS_CHECK { name a..test }", "invalid DNS name"),
	};
	struct probe_result r;
	uint16_t port;
	pid_t srv = server_start(AF_INET, SOCK_DGRAM, dns_responder, NULL, &port);

	ASSERT(srv > 0);
	CHECK_TABLE("127.0.0.1", port, t);
	server_stop(srv);
	r = check("", "127.0.0.1", closed_port(AF_INET, SOCK_DGRAM), "DNS_CHECK { name ok.test }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "ICMP port unreachable");
}

/* ---- SMTP_CHECK against a forked responder */

enum smtp_mode { SMTP_GOOD, SMTP_BAD_BANNER, SMTP_BAD_HELO, SMTP_SILENT };

struct smtp_srv {
	enum smtp_mode mode;
	const char *helo; /* the HELO line it accepts */
};

static bool read_line(int c, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len && read(c, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = '\0';
	return n > 0;
}

static void smtp_handle(int c, void *arg)
{
	const struct smtp_srv *s = arg;
	char line[512], want[300];

	if (s->mode == SMTP_SILENT) {
		sleep(60);
		return;
	}
	if (s->mode == SMTP_BAD_BANNER) {
		http_reply(c, "554 no service here\r\n");
		return;
	}
	http_reply(c, "220-mail.example.org ESMTP\r\n220 ready\r\n");
	snprintf(want, sizeof(want), "HELO %s\r\n", s->helo);
	if (!read_line(c, line, sizeof(line)))
		return;
	if (s->mode == SMTP_BAD_HELO || strcmp(line, want)) {
		http_reply(c, "501 bad HELO\r\n");
		return;
	}
	http_reply(c, "250-mail.example.org\r\n250 PIPELINING\r\n");
	if (read_line(c, line, sizeof(line)) && !strcmp(line, "QUIT\r\n"))
		http_reply(c, "221 bye\r\n");
}

static pid_t smtp_start(struct smtp_srv *s, uint16_t *port)
{
	return server_start(AF_INET, SOCK_STREAM, smtp_handle, s, port);
}

static void smtp_dialogues(void)
{
	struct smtp_srv s = {SMTP_GOOD, "smtpchecker.keepalived.org"};
	struct probe_result r;
	uint16_t port;
	pid_t srv;

	srv = smtp_start(&s, &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SMTP_CHECK { }");
	EXPECT(r.up);
	EXPECT_DETAIL(r, "QUIT 221");
	r = check("", "127.0.0.1", port, "SMTP_CHECK { helo_name lb1.example.net }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "HELO reply '501 bad HELO', expected 250");
	server_stop(srv);
	s.helo = "lb1.example.net";
	srv = smtp_start(&s, &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SMTP_CHECK { helo_name lb1.example.net }");
	EXPECT(r.up);
	server_stop(srv);
	s.mode = SMTP_BAD_BANNER;
	srv = smtp_start(&s, &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SMTP_CHECK { }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "banner '554 no service here', expected 220");
	server_stop(srv);
	s.mode = SMTP_SILENT;
	srv = smtp_start(&s, &port);
	ASSERT(srv > 0);
	r = check("", "127.0.0.1", port, "SMTP_CHECK { connect_timeout 1 }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s waiting for the banner");
	server_stop(srv);
	r = check("", "127.0.0.1", closed_port(AF_INET, SOCK_STREAM), "SMTP_CHECK { }");
	EXPECT_DETAIL(r, "connection refused");
}

/* ---- PING_CHECK */

static void ping_loopback(void)
{
	struct probe_result r;

	/* CI runs as root: a raw socket where ping_group_range admits no one
	 * (its default); the ping socket is tried in marks_and_icmp_... */
	r = check("", "127.0.0.1", 0, "PING_CHECK { connect_timeout 3 }");
	EXPECT(r.up);
	EXPECT_DETAIL(r, "echo reply");
	r = check("", "::1", 0, "PING_CHECK { connect_timeout 3 }");
	EXPECT(r.up);
}

/* ---- a private network namespace: routing, marks and ICMP policy that
 * must not touch the host */

static bool sh(const char *cmd)
{
	char full[512];

	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	return system(full) == 0;
}

/* Runs FN in a forked child inside a new network namespace with lo up;
 * its EXPECT failures become the child's exit status. */
static void in_netns(void (*fn)(void))
{
	pid_t pid = fork();
	int st = 0;

	ASSERT(pid >= 0);
	if (pid == 0) {
		test_case_failures = 0;
		if (unshare(CLONE_NEWNET) < 0 || !sh("ip link set lo up")) {
			printf("# cannot make a network namespace: %s\n", strerror(errno));
			_exit(2);
		}
		fn();
		fflush(stdout);
		_exit(test_case_failures ? 1 : 0);
	}
	ASSERT(waitpid(pid, &st, 0) == pid);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* fwmark: marked packets take a table whose route is unreachable */
static void netns_fwmark(void)
{
	uint16_t port;
	int lfd = listen_loopback(AF_INET, SOCK_STREAM, 16, &port);
	struct probe_result r;

	EXPECT(lfd >= 0);
	EXPECT(sh("ip rule add pref 100 lookup local") && sh("ip rule del pref 0 lookup local") &&
	       sh("ip rule add pref 10 fwmark 7 lookup 107") &&
	       sh("ip route add unreachable 127.0.0.0/8 table 107"));
	r = check("", "127.0.0.1", port, "TCP_CHECK { }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", port, "TCP_CHECK { fwmark 7 }");
	EXPECT(!r.up);
	EXPECT(!r.unchecked);
	EXPECT_DETAIL(r, "no route to host");
	r = check("", "127.0.0.1", port, "TCP_CHECK { fwmark 8 }");
	EXPECT(r.up);
	r = check("", "127.0.0.1", port, "HTTP_GET { fwmark 7\n url { path / } }");
	EXPECT_DETAIL(r, "no route to host");
	r = check("", "127.0.0.1", 0, "PING_CHECK { fwmark 7\n connect_timeout 1 }");
	EXPECT(!r.up);
	close(lfd);
}

/* PING: no reply where echo requests are ignored */
static void netns_ping_ignored(void)
{
	struct probe_result r;

	/* a ping socket where ping_group_range admits root */
	EXPECT(sh("sysctl -w net.ipv4.ping_group_range='0 2147483647'"));
	r = check("", "127.0.0.1", 0, "PING_CHECK { connect_timeout 3 }");
	EXPECT(r.up);
	EXPECT_DETAIL(r, "echo reply (ping socket)");
	r = check("", "::1", 0, "PING_CHECK { connect_timeout 3 }");
	EXPECT_DETAIL(r, "echo reply (ping socket)");
	EXPECT(sh("sysctl -w net.ipv4.icmp_echo_ignore_all=1") &&
	       sh("sysctl -w net.ipv6.icmp.echo_ignore_all=1"));
	r = check("", "127.0.0.1", 0, "PING_CHECK { connect_timeout 1 }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "timeout after 1 s waiting for the echo reply");
	r = check("", "::1", 0, "PING_CHECK { connect_timeout 1 }");
	EXPECT(!r.up);
	/* no route at all: an error at once */
	EXPECT(sh("ip route add unreachable 10.9.9.0/24"));
	r = check("", "10.9.9.9", 0, "PING_CHECK { connect_timeout 3 }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "no route to host");
}

static void marks_and_icmp_in_a_namespace(void)
{
	in_netns(netns_fwmark);
	in_netns(netns_ping_ignored);
}

/* ---- FILE_CHECK */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void file_values_and_weights(void)
{
	char dir[] = "/tmp/xvs-file-XXXXXX", path[64], tf0[160], tf1[160];
	struct probe_result r;

	ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(tf0, sizeof(tf0), "track_file t {\n file %s\n weight 0\n}", path);
	snprintf(tf1, sizeof(tf1), "track_file t {\n file %s\n}", path); /* weight 1 */
	/* weight 0: 0 is up, anything else down; reverse swaps */
	r = check(tf0, "127.0.0.1", 80, "FILE_CHECK { track_file t }"); /* missing: 0 */
	EXPECT(r.up);
	write_file(path, "0\n");
	r = check(tf0, "127.0.0.1", 80, "FILE_CHECK { track_file t }");
	EXPECT(r.up);
	EXPECT_EQ_INT(r.weight_offset, 0);
	write_file(path, "3\n");
	r = check(tf0, "127.0.0.1", 80, "FILE_CHECK { track_file t }");
	EXPECT(!r.up);
	EXPECT_DETAIL(r, "track_file t: 3");
	snprintf(tf0, sizeof(tf0), "track_file t {\n file %s\n weight 0 reverse\n}", path);
	r = check(tf0, "127.0.0.1", 80, "FILE_CHECK { track_file t }");
	EXPECT(r.up);
	/* a weight: value x weight is the offset, reverse negates it */
	write_file(path, "0x10");
	r = check(tf1, "127.0.0.1", 80, "FILE_CHECK { track_file t }");
	EXPECT(r.up);
	EXPECT_EQ_INT(r.weight_offset, 16);
	write_file(path, "5");
	r = check(tf1, "127.0.0.1", 80, "FILE_CHECK { track_file t\n weight 2 reverse }");
	EXPECT(r.up);
	EXPECT_EQ_INT(r.weight_offset, -10);
	EXPECT_EQ_INT(r.weight, -1);
	write_file(path, "-2147483648");
	r = check(tf1, "127.0.0.1", 80, "FILE_CHECK { track_file t }");
	EXPECT(!r.up); /* at INT_MIN: keepalived's fault */
	write_file(path, "99999999999");
	r = check(tf1, "127.0.0.1", 80, "FILE_CHECK { track_file t }");
	EXPECT(r.unchecked);
	EXPECT_DETAIL(r, "out of range");
	unlink(path);
	rmdir(dir);
}

static void file_init_and_watch_cb(void *arg)
{
	struct run *x = arg;

	x->calls++;
	loop_stop(x->l);
}

static void file_init_and_watch(void)
{
	char dir[] = "/tmp/xvs-file-XXXXXX", path[64], tmp[80], conf_text[256];
	struct probe_file_watch *w = NULL;
	struct run x = {0};
	struct probe_result r;
	struct ck k;
	FILE *f;
	int v = 0;

	ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(conf_text, sizeof(conf_text),
		 "track_file t {\n file %s\n weight 0\n init_file 4\n}", path);
	ASSERT(ck_load(&k, conf_text, "127.0.0.1", 80, "FILE_CHECK { track_file t }"));
	EXPECT_EQ_INT(probe_track_files_init(k.c, false), 0);
	f = fopen(path, "r");
	EXPECT(f && fscanf(f, "%d", &v) == 1);
	if (f)
		fclose(f);
	EXPECT_EQ_INT(v, 4);
	r = run_probe(&k, NULL);
	EXPECT(!r.up);
	/* an existing file stays without overwrite */
	write_file(path, "0\n");
	EXPECT_EQ_INT(probe_track_files_init(k.c, false), 0);
	r = run_probe(&k, NULL);
	EXPECT(r.up);

	/* the watch fires when the file is replaced, and only for it */
	ASSERT(loop_new(&x.l) == 0);
	ASSERT(probe_file_watch_add(x.l, k.ck, file_init_and_watch_cb, &x, &w) == 0);
	snprintf(tmp, sizeof(tmp), "%s/other", dir);
	write_file(tmp, "1\n");
	ASSERT(loop_timer_add(x.l, 300000, stop_cb, x.l, NULL) == 0);
	loop_run(x.l);
	EXPECT_EQ_INT(x.calls, 0);
	unlink(tmp);
	snprintf(tmp, sizeof(tmp), "%s/.state.new", dir);
	write_file(tmp, "1\n");
	ASSERT(rename(tmp, path) == 0);
	ASSERT(loop_timer_add(x.l, 5000000, stop_cb, x.l, NULL) == 0);
	loop_run(x.l);
	EXPECT_EQ_INT(x.calls, 1);
	probe_file_watch_cancel(w);
	loop_free(x.l);
	r = run_probe(&k, NULL);
	EXPECT(!r.up);
	ck_free(&k);
	/* overwrite on start, not on reload */
	snprintf(conf_text, sizeof(conf_text),
		 "track_file t {\n file %s\n init_file overwrite 9\n}", path);
	ASSERT(ck_load(&k, conf_text, "127.0.0.1", 80, "FILE_CHECK { track_file t }"));
	EXPECT_EQ_INT(probe_track_files_init(k.c, true), 0);
	r = run_probe(&k, NULL);
	EXPECT_EQ_INT(r.weight_offset, 1);
	EXPECT_EQ_INT(probe_track_files_init(k.c, false), 0);
	r = run_probe(&k, NULL);
	EXPECT_EQ_INT(r.weight_offset, 9);
	ck_free(&k);
	/* a directory that is not there */
	ASSERT(ck_load(&k, "track_file t {\n file /nonexistent-xvs/dir/f\n init_file\n}",
		       "127.0.0.1", 80, "FILE_CHECK { track_file t }"));
	EXPECT_EQ_INT(probe_track_files_init(k.c, false), -ENOENT);
	EXPECT(strstr(probe_global_error(), "/nonexistent-xvs/dir/f") != NULL);
	ASSERT(loop_new(&x.l) == 0);
	EXPECT_EQ_INT(probe_file_watch_add(x.l, k.ck, file_init_and_watch_cb, &x, &w), -ENOENT);
	loop_free(x.l);
	ck_free(&k);
	unlink(path);
	rmdir(dir);
}

/* ---- cancellation and the probe contract */

static void never_called(struct probe *p, const struct probe_result *r, void *arg)
{
	(void)p;
	(void)r;
	(*(int *)arg)++;
}

/* Every kind cancelled mid-way: a HTTP_GET waiting for its reply, a
 * TCP_CHECK connecting, a MISC_CHECK running, an SSL_GET in its handshake,
 * UDP/DNS waiting for replies, SMTP for its banner. No callback, no fd
 * left, the script's process gone. */
static void cancel_in_flight(void)
{
	enum { N = 7 };
	char dir[] = "/tmp/xvs-probe-XXXXXX", pidf[64];
	struct smtp_srv smtp = {SMTP_SILENT, "x"};
	struct http_srv s;
	struct ck k[N];
	struct loop *l;
	struct probe *p[N];
	int calls = 0, fds0, filler, lfd, silent_tcp, silent_udp;
	uint16_t hung, quiet, uport, sport;
	pid_t pid, smtp_pid;

	ASSERT(mkdtemp(dir));
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	ASSERT(http_srv_start(&s, AF_INET));
	smtp_pid = smtp_start(&smtp, &sport);
	ASSERT(smtp_pid > 0);
	lfd = full_listener(&hung, &filler);
	silent_tcp = listen_loopback(AF_INET, SOCK_STREAM, 8, &quiet);
	silent_udp = listen_loopback(AF_INET, SOCK_DGRAM, 0, &uport);
	ASSERT(lfd >= 0 && silent_tcp >= 0 && silent_udp >= 0);
	ASSERT(ck_load(&k[0], "", "127.0.0.1", s.port, "HTTP_GET { url { path /hang } }"));
	ASSERT(ck_load(&k[1], "", "127.0.0.1", hung, "TCP_CHECK { }"));
	ASSERT(ck_load(&k[2], "", "127.0.0.1", 80,
		       "MISC_CHECK { misc_path \"/bin/sh -c 'echo $$ > %s; exec sleep 60'\" }",
		       pidf));
	ASSERT(ck_load(&k[3], "", "127.0.0.1", quiet, "SSL_GET { url { path / } }"));
	ASSERT(ck_load(&k[4], "", "127.0.0.1", uport, "UDP_CHECK { require_reply }"));
	ASSERT(ck_load(&k[5], "", "127.0.0.1", uport, "DNS_CHECK { }"));
	ASSERT(ck_load(&k[6], "", "127.0.0.1", sport, "SMTP_CHECK { }"));
	ASSERT(loop_new(&l) == 0);
	fds0 = count_fds();
	for (int i = 0; i < N; i++)
		ASSERT(probe_start(l, &k[i].t, never_called, &calls, &p[i]) == 0);
	ASSERT(loop_timer_add(l, 500000, stop_cb, l, NULL) == 0);
	loop_run(l); /* all in flight now */
	EXPECT(count_fds() >= fds0 + N);
	for (int i = 0; i < N; i++)
		probe_cancel(p[i]);
	probe_cancel(NULL);
	ASSERT(loop_timer_add(l, 200000, stop_cb, l, NULL) == 0);
	loop_run(l);
	EXPECT_EQ_INT(calls, 0);
	EXPECT_EQ_INT(count_fds(), fds0);
	pid = read_pid(pidf);
	EXPECT(pid > 0 && pid_gone(pid, false));
	loop_free(l);
	for (int i = 0; i < N; i++)
		ck_free(&k[i]);
	close(filler);
	close(lfd);
	close(silent_tcp);
	close(silent_udp);
	server_stop(s.pid);
	server_stop(smtp_pid);
	probe_global_free();
	unlink(pidf);
	rmdir(dir);
}

static void start_rejects_what_cannot_run(void)
{
	struct probe_target t;
	struct loop *l;
	struct probe *p = NULL;
	struct ck k;
	int calls = 0;

	ASSERT(loop_new(&l) == 0);
	ASSERT(ck_load(&k, "", "127.0.0.1", 80, "BFD_CHECK { name bfd1 }"));
	EXPECT_EQ_INT(probe_start(l, &k.t, never_called, &calls, &p), -EOPNOTSUPP);
	ck_free(&k);
	ASSERT(ck_load(&k, "", "127.0.0.1", 80, "TCP_CHECK { }"));
	t = k.t;
	t.port = 0;
	EXPECT_EQ_INT(probe_start(l, &t, never_called, &calls, &p), -EINVAL);
	t = k.t;
	t.addr.family = AF_UNSPEC;
	EXPECT_EQ_INT(probe_start(l, &t, never_called, &calls, &p), -EINVAL);
	ck_free(&k);
	EXPECT_EQ_INT(calls, 0);
	loop_free(l);
}

/* A result known inside probe_start (refused at once on loopback, or a
 * bad misc_path) still arrives from the loop, after probe_start returns. */
static void result_never_inside_start(void)
{
	struct probe_result r;

	r = check("", "127.0.0.1", 80,
		  "MISC_CHECK { misc_path \"'\" }"); /* run_probe checks calls == 0 */
	EXPECT(!r.up);
}

/* ---- many at once: a hung server costs only its own timers */

struct many {
	struct loop *l;
	int left, up, down;
	uint64_t last_up_us, first_down_us;
};

static void many_done(struct probe *p, const struct probe_result *r, void *arg)
{
	struct many *m = arg;
	uint64_t now = loop_now_us();

	(void)p;
	if (r->up) {
		m->up++;
		m->last_up_us = now;
	} else {
		m->down++;
		if (!m->first_down_us)
			m->first_down_us = now;
	}
	if (--m->left == 0)
		loop_stop(m->l);
}

static void accept_and_close(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	int c;

	(void)w;
	(void)events;
	(void)arg;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		close(c);
}

static void thousand_probes_hung_and_healthy(void)
{
	enum { N = 1000 };
	struct rlimit rl;
	struct many m = {0};
	struct ck good, hung;
	struct loop_fd *w;
	uint16_t gport, hport;
	int gfd, hfd, filler;
	uint64_t t0;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 4 * N) {
		rl.rlim_cur = rl.rlim_max < 4 * N ? rl.rlim_max : 4 * N;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	gfd = listen_loopback(AF_INET, SOCK_STREAM, 4096, &gport);
	hfd = full_listener(&hport, &filler);
	ASSERT(gfd >= 0 && hfd >= 0);
	fcntl(gfd, F_SETFL, O_NONBLOCK);
	ASSERT(ck_load(&good, "", "127.0.0.1", gport, "TCP_CHECK { connect_timeout 5 }"));
	ASSERT(ck_load(&hung, "", "127.0.0.1", hport, "TCP_CHECK { connect_timeout 5 }"));
	ASSERT(loop_new(&m.l) == 0);
	ASSERT(loop_fd_add(m.l, gfd, EPOLLIN, accept_and_close, NULL, &w) == 0);
	t0 = loop_now_us();
	/* interleaved, the hung ones first in each pair */
	for (int i = 0; i < N; i++) {
		ASSERT(probe_start(m.l, &hung.t, many_done, &m, NULL) == 0);
		ASSERT(probe_start(m.l, &good.t, many_done, &m, NULL) == 0);
		m.left += 2;
	}
	ASSERT(loop_timer_add(m.l, 30000000, stop_cb, m.l, NULL) == 0);
	loop_run(m.l);
	EXPECT_EQ_INT(m.up, N);
	EXPECT_EQ_INT(m.down, N);
	/* every healthy one answered before the first hung one gave up */
	EXPECT(m.last_up_us < m.first_down_us);
	EXPECT(m.first_down_us - t0 >= 5000000);
	printf("# %d healthy done after %llu ms, hung ones from %llu ms\n", N,
	       (unsigned long long)(m.last_up_us - t0) / 1000,
	       (unsigned long long)(m.first_down_us - t0) / 1000);
	loop_fd_cancel(w);
	loop_free(m.l);
	ck_free(&good);
	ck_free(&hung);
	close(filler);
	close(hfd);
	close(gfd);
}

static const struct test_case cases[] = {
	TEST_CASE(tcp_up_and_refused),
	TEST_CASE(tcp_ipv6_and_connect_port),
	TEST_CASE(tcp_timeout),
	TEST_CASE(tcp_bindto_and_bind_port),
	TEST_CASE(tcp_fwmark_and_bind_if_options),
	TEST_CASE(http_status_codes),
	TEST_CASE(http_digest),
	TEST_CASE(http_regex),
	TEST_CASE(http_request_shape),
	TEST_CASE(http_virtualhost_inherited),
	TEST_CASE(http_urls),
	TEST_CASE(http_broken_servers),
	TEST_CASE(http_timeouts),
	TEST_CASE(http_ipv6),
	TEST_CASE(ssl_get_and_sni),
	TEST_CASE(ssl_get_verifies_with_a_ca),
	TEST_CASE(ssl_get_client_certificate),
	TEST_CASE(ssl_get_close_notify),
	TEST_CASE(ssl_get_plain_and_silent_servers),
	TEST_CASE(misc_exit_codes),
	TEST_CASE(misc_dynamic_weight),
	TEST_CASE(misc_timeout_kills_the_group),
	TEST_CASE(misc_user),
	TEST_CASE(misc_script_settings),
	TEST_CASE(udp_replies),
	TEST_CASE(udp_silence_and_unreachable),
	TEST_CASE(dns_answers),
	TEST_CASE(smtp_dialogues),
	TEST_CASE(ping_loopback),
	TEST_CASE(marks_and_icmp_in_a_namespace),
	TEST_CASE(file_values_and_weights),
	TEST_CASE(file_init_and_watch),
	TEST_CASE(cancel_in_flight),
	TEST_CASE(start_rejects_what_cannot_run),
	TEST_CASE(result_never_inside_start),
	TEST_CASE(thousand_probes_hung_and_healthy),
};

TEST_MAIN(cases)
