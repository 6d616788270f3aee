/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The connection table: liveness by per-state timeout and the TCP state
 * machine IPVS applies to DR and TUN connections, which only ever see the
 * client's side of the conversation. */
#ifndef XVS_BPF_CONN_H
#define XVS_BPF_CONN_H

#include <stdbool.h>

#include "maps.h"
#include "parse.h"

enum tcp_event {
	TCP_EV_SYN,
	TCP_EV_FIN,
	TCP_EV_ACK,
	TCP_EV_RST,
	TCP_EV_MAX,
};

#define TCP_STATES	XVS_CS_UDP	/* XVS_CS_NONE .. XVS_CS_SYNACK */

/* Which of IPVS's state tables a packet moves a connection by. */
enum conn_dir {
	DIR_INPUT = 0,		/* client -> real server, replies seen before */
	DIR_OUTPUT,		/* real server -> client (NAT, FULLNAT) */
	DIR_INPUT_ONLY,		/* client -> real server, no reply seen (DR, TUN) */
	DIR_MAX,
};

/* Next state by direction, event and current state: IPVS's tcp_states[]
 * (net/netfilter/ipvs/ip_vs_proto_tcp.c). A connection uses the INPUT-ONLY
 * rows while it has seen no packet from the real server
 * (IP_VS_CONN_F_NOOUTPUT: always so for DR and TUN). */
#define NO XVS_CS_NONE
#define ES XVS_CS_ESTABLISHED
#define SS XVS_CS_SYN_SENT
#define SR XVS_CS_SYN_RECV
#define FW XVS_CS_FIN_WAIT
#define TW XVS_CS_TIME_WAIT
#define CL XVS_CS_CLOSE
#define CW XVS_CS_CLOSE_WAIT
#define LA XVS_CS_LAST_ACK
#define LI XVS_CS_LISTEN
#define SA XVS_CS_SYNACK
static const __u8 tcp_next_state[DIR_MAX][TCP_EV_MAX][TCP_STATES] = {
	[DIR_INPUT] = {
	/*		   NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
	[TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
	[TCP_EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW },
	[TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
	[TCP_EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR },
	},
	[DIR_OUTPUT] = {
	[TCP_EV_SYN] = { SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR },
	[TCP_EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
	[TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
	[TCP_EV_RST] = { CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL },
	},
	[DIR_INPUT_ONLY] = {
	[TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
	[TCP_EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
	[TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
	[TCP_EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
	},
};
#undef NO
#undef ES
#undef SS
#undef SR
#undef FW
#undef TW
#undef CL
#undef CW
#undef LA
#undef LI
#undef SA

/* IPVS's event priority: rst, then syn, then fin, then ack. */
static __always_inline int tcp_event(__u8 flags)
{
	if (flags & TCPF_RST)
		return TCP_EV_RST;
	if (flags & TCPF_SYN)
		return TCP_EV_SYN;
	if (flags & TCPF_FIN)
		return TCP_EV_FIN;
	if (flags & TCPF_ACK)
		return TCP_EV_ACK;
	return -1;
}

/* A segment with none of the four flags moves to CLOSE, as in IPVS. */
static __always_inline __u8 tcp_state_next(enum conn_dir dir, __u8 state, __u8 flags)
{
	int ev = tcp_event(flags);

	if (ev < 0 || ev >= TCP_EV_MAX || state >= TCP_STATES || dir >= DIR_MAX)
		return XVS_CS_CLOSE;
	return tcp_next_state[dir][ev][state];
}

static __always_inline bool tcp_is_syn(const struct flow *f)
{
	return (f->tcp_flags & (TCPF_SYN | TCPF_RST)) == TCPF_SYN;
}

/* A SYN without ACK: a client opening a (possibly reused) connection. */
static __always_inline bool tcp_is_opening(const struct flow *f)
{
	return (f->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_SYN;
}

static __always_inline bool conn_is_live(const struct xvs_conn *c,
					 const struct xvs_cfg *cfg, __u64 now)
{
	__u32 state = c->state;

	if (state >= XVS_CS_MAX)
		return false;
	return now - c->last_seen_ns <= (__u64)cfg->timeout_s[state] * 1000000000ull;
}

/* IPVS's conn_reuse_mode: a new SYN on a closed connection is a new flow
 * and goes to the scheduler again. */
static __always_inline bool conn_is_reused(const struct xvs_conn *c, const struct flow *f)
{
	return f->key.proto == IPPROTO_TCP && tcp_is_opening(f) &&
	       (c->state == XVS_CS_CLOSE || c->state == XVS_CS_TIME_WAIT);
}

/* Advances the connection by a packet; output: the packet came from the
 * real server. Returns the state before. */
static __always_inline __u8 conn_touch(struct xvs_conn *c, const struct flow *f, __u64 now,
				       bool output)
{
	__u8 old = c->state;
	enum conn_dir dir;

	if (output) {
		c->flags |= XVS_CONN_F_OUTPUT;
		dir = DIR_OUTPUT;
	} else {
		dir = (c->flags & XVS_CONN_F_OUTPUT) ? DIR_INPUT : DIR_INPUT_ONLY;
	}
	if (f->key.proto == IPPROTO_TCP)
		c->state = tcp_state_next(dir, old, f->tcp_flags);
	c->last_seen_ns = now;
	return old;
}

/* The key under which a NAT or FULLNAT connection's replies arrive. */
static __always_inline void conn_reply_key(struct xvs_conn_key *r, const struct xvs_conn_key *k,
					   const struct xvs_conn *c)
{
	bool fnat = c->fwd == XVS_FWD_FNAT;

	r->saddr = c->raddr;
	r->sport = c->rport;
	r->daddr = fnat ? c->laddr : k->saddr;
	r->dport = fnat ? c->lport : k->sport;
	r->proto = k->proto;
	r->pad[0] = r->pad[1] = r->pad[2] = 0;
}

static __always_inline bool conn_two_way(const struct xvs_conn *c)
{
	return c->fwd == XVS_FWD_NAT || c->fwd == XVS_FWD_FNAT;
}

/* Removes a connection and, for NAT/FULLNAT, its reply entry: the two
 * halves always go together. */
static __always_inline void conn_delete(const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	if (conn_two_way(c)) {
		struct xvs_conn_key r;

		conn_reply_key(&r, k, c);
		bpf_map_delete_elem(&xvs_conns_out, &r);
	}
	bpf_map_delete_elem(&xvs_conns, k);
}

#endif /* XVS_BPF_CONN_H */
