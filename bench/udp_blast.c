// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* UDP load for the end-to-end benchmark (docs/BENCHMARKS.md §4):
 *
 *   udp_blast send ADDR PORT SECONDS FLOWS PAYLOAD
 *       sends PAYLOAD-byte datagrams to ADDR:PORT as fast as it can for
 *       SECONDS, round-robin over FLOWS sockets (one 5-tuple each, so a
 *       balancer spreads them), and prints "sent N".
 *   udp_blast sink PORT FILE
 *       counts datagrams received on PORT (any address) and keeps FILE
 *       holding the running total, rewritten atomically every 100 ms, until
 *       it is killed. The benchmark reads FILE before and after a run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		32
#define FLOWS_MAX	64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: udp_blast send ADDR PORT SECONDS FLOWS PAYLOAD\n"
			"       udp_blast sink PORT FILE\n");
	return 2;
}

static int open_flows(const char *addr, int port, int *fds, int nflows)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1) {
		fprintf(stderr, "udp_blast: bad address %s\n", addr);
		return -1;
	}
	for (int i = 0; i < nflows; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&dst, sizeof(dst))) {
			perror("udp_blast: socket/connect");
			return -1;
		}
	}
	return 0;
}

static int blast(const char *addr, int port, double seconds, int nflows, size_t payload)
{
	static char buf[1500];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = buf, .iov_len = payload };
	int fds[FLOWS_MAX];
	unsigned long long sent = 0;
	double end;

	if (nflows < 1 || nflows > FLOWS_MAX || payload > sizeof(buf))
		return usage();
	if (open_flows(addr, port, fds, nflows))
		return 1;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_s() + seconds;
	for (int f = 0; now_s() < end; f = (f + 1) % nflows) {
		int n = sendmmsg(fds[f], msgs, BATCH, MSG_DONTWAIT);

		/* a full queue on the way is the load we are measuring */
		if (n < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED) {
			perror("udp_blast: sendmmsg");
			return 1;
		}
		if (n > 0)
			sent += n;
	}
	printf("sent %llu\n", sent);
	return 0;
}

static void write_total(const char *file, unsigned long long total)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	fp = fopen(tmp, "w");
	if (!fp)
		return;
	fprintf(fp, "%llu\n", total);
	if (fclose(fp) == 0)
		rename(tmp, file);
}

static int sink(int port, const char *file)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tick = { .tv_usec = 100000 };
	static char bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 4 << 20;
	unsigned long long total = 0;
	double next = 0;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("udp_blast: socket/bind");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int n = recvmmsg(fd, msgs, BATCH, 0, NULL);

		if (n > 0)
			total += n;
		if (now_s() >= next) {
			write_total(file, total);
			next = now_s() + 0.1;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "send"))
		return blast(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]),
			     (size_t)atoi(argv[6]));
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return sink(atoi(argv[2]), argv[3]);
	return usage();
}
