/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The connection table: IPVS's TCP state machine, liveness by per-state
 * timeout (and, for persistence templates, IPVS's template timer), and the
 * three ways an entry changes: a packet moves its state, a CPU claims it
 * for removal, its halves are deleted. The last two keep the real server's
 * counts exact: an entry leaves its count exactly once, by the CPU whose
 * compare-and-swap marked it XVS_CS_DEAD. */
#ifndef XVS_BPF_CONN_H
#define XVS_BPF_CONN_H

#include <stdbool.h>

#include "counts.h"
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
/* Rows padded to 16 states so that a masked index is always in bounds. */
#define TCP_STATE_ROW	16
static const __u8 tcp_next_state[DIR_MAX][TCP_EV_MAX][TCP_STATE_ROW] = {
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
	__u32 s = state;

	if (ev < 0 || ev >= TCP_EV_MAX || s >= TCP_STATES || dir >= DIR_MAX)
		return XVS_CS_CLOSE;
	/* The compiler may check one copy of s and index with another; a mask
	 * it cannot drop keeps the verifier sure of the bound. */
	asm volatile("%0 &= %1" : "+r"(s) : "i"(TCP_STATE_ROW - 1));
	return tcp_next_state[dir][ev][s];
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

/* The state word of an entry (xvs_conn.status), as its parts. */
union conn_word {
	__u32 status;
	struct {
		__u8 state;
		__u8 flags;
		__u16 pad;
	};
};

#define SEC_NS			1000000000ull
/* IPVS re-arms a template that still controls connections every 60 s
 * (ip_vs_conn_expire(): expire_later), and from then on uses 60 s. */
#define TPL_RECHECK_S		60
#define CAS_TRIES		4

/* The template's IPVS timer: it fires timeout_s after its last use, and at
 * every firing while it controls connections it is kept for 60 s more.
 * held: it controls live connections. A template of a deleted service
 * expires on its own timer: its connections cannot be matched to it any
 * more, so they must not keep it. */
static __always_inline bool tpl_is_live(const struct xvs_conn *c, __u64 now)
{
	__u64 fire = c->last_seen_ns + (__u64)c->timeout_s * SEC_NS;
	struct xvs_svc *svc;
	__u32 svc_idx = c->svc_idx;

	if (now <= fire)
		return true;
	if (!READ_ONCE_U32(c->n_control))
		return false;
	svc = bpf_map_lookup_elem(&xvs_svc_info, &svc_idx);
	return svc && (svc->flags & XVS_SVC_F_IN_USE);
}

static __always_inline bool conn_is_live(const struct xvs_conn *c,
					 const struct xvs_cfg *cfg, __u64 now)
{
	__u32 state = c->state;

	if (c->flags & XVS_CONN_F_TEMPLATE)
		return state != XVS_CS_DEAD && tpl_is_live(c, now);
	if (state >= XVS_CS_MAX)
		return false;
	return ns_since(now, c->last_seen_ns) <= (__u64)cfg->timeout_s[state] * SEC_NS;
}

/* IPVS's conn_reuse_mode: a new SYN on a closed connection is a new flow
 * and goes to the scheduler again. */
static __always_inline bool conn_is_reused(const struct xvs_conn *c, const struct flow *f)
{
	return f->key.proto == IPPROTO_TCP && tcp_is_opening(f) &&
	       (c->state == XVS_CS_CLOSE || c->state == XVS_CS_TIME_WAIT);
}

/* The key of the template that made connection (k, c): IPVS's
 * <proto, caddr & mask, 0, vaddr, vport>, with vport 0 for port-0 and FTP
 * services and <IP, caddr & mask, 0, fwmark, 0> for firewall marks. */
static __always_inline void conn_tpl_key(struct xvs_conn_key *t, const struct xvs_conn_key *k,
					 const struct xvs_conn *c)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->saddr = c->tpl_caddr;
	t->kind = XVS_CONN_KEY_TEMPLATE;
	if (c->flags & XVS_CONN_F_TPL_FWMARK) {
		__u32 svc_idx = c->svc_idx;
		struct xvs_svc *svc = bpf_map_lookup_elem(&xvs_svc_info, &svc_idx);

		t->daddr = svc ? bpf_htonl(svc->fwmark) : 0;
		return;
	}
	t->daddr = k->daddr;
	t->proto = k->proto;
	t->dport = (c->flags & XVS_CONN_F_TPL_NOPORT) ? 0 : k->dport;
}

/* The template of a controlled connection, or NULL when it is gone. */
static __always_inline struct xvs_conn *conn_tpl(const struct xvs_conn_key *k,
						 const struct xvs_conn *c)
{
	struct xvs_conn_key t;
	struct xvs_conn *tpl;

	if (!(c->flags & XVS_CONN_F_CONTROLLED))
		return NULL;
	conn_tpl_key(&t, k, c);
	tpl = bpf_map_lookup_elem(&xvs_conns, &t);
	if (!tpl || !(tpl->flags & XVS_CONN_F_TEMPLATE) || tpl->dest_idx != c->dest_idx)
		return NULL;
	return tpl;
}

/* The last connection a template controlled has gone: IPVS expires it at
 * its next timer firing, which, once past its own timeout, is on the 60 s
 * grid counted from that timeout. Rewriting the timer that way keeps the
 * liveness test a plain comparison. */
static __always_inline void tpl_released(struct xvs_conn *tpl, __u64 now)
{
	__u64 fire = tpl->last_seen_ns + (__u64)tpl->timeout_s * SEC_NS;
	__u64 step = TPL_RECHECK_S * SEC_NS, next;

	if (now <= fire)
		return;
	next = fire + (now - fire + step - 1) / step * step;
	tpl->last_seen_ns = next - step;
	tpl->timeout_s = TPL_RECHECK_S;
}

/* One connection less for its template. */
static __always_inline void tpl_unref(struct xvs_conn *tpl, __u64 now)
{
	if (tpl && __sync_fetch_and_sub(&tpl->n_control, 1) == 1)
		tpl_released(tpl, now);
}

/* Marks entry c (of key k) XVS_CS_DEAD and, if this call did, takes it out
 * of its real server's counts and its template's n_control. */
static __always_inline bool conn_claim_entry(const struct xvs_conn_key *k, struct xvs_conn *c,
					     __u64 now)
{
	union conn_word old, dead;
	bool won = false;

	for (int i = 0; i < CAS_TRIES && !won; i++) {
		old.status = READ_ONCE_U32(c->status);
		if (old.state == XVS_CS_DEAD)
			return false;
		dead = old;
		dead.state = XVS_CS_DEAD;
		won = __sync_val_compare_and_swap(&c->status, old.status, dead.status) == old.status;
	}
	if (!won)
		return false;
	count_unbind(c->dest_idx, conn_class_of(old.state, old.flags));
	if (old.flags & XVS_CONN_F_CONTROLLED)
		tpl_unref(conn_tpl(k, c), now);
	return true;
}

/* Claims the entry of key k: non-zero for the one caller that did, which
 * must then remove it. A global function, checked once by the verifier. */
__noinline int conn_claim(const struct xvs_conn_key *k, __u64 now)
{
	struct xvs_conn *c;

	if (!k)
		return 0;
	c = bpf_map_lookup_elem(&xvs_conns, k);
	return c && conn_claim_entry(k, c, now);
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
	r->kind = XVS_CONN_KEY_FLOW;
	r->pad[0] = r->pad[1] = 0;
}

static __always_inline bool conn_two_way(const struct xvs_conn *c)
{
	return !(c->flags & XVS_CONN_F_TEMPLATE) &&
	       (c->fwd == XVS_FWD_NAT || c->fwd == XVS_FWD_FNAT);
}

/* Removes the entry of key k and, for NAT/FULLNAT, its reply entry: the two
 * halves always go together, removed by the CPU that claimed the entry.
 * Returns non-zero when this call removed it. */
__noinline int conn_remove(const struct xvs_conn_key *k, __u64 now)
{
	struct xvs_conn_key r;
	struct xvs_conn *c;

	if (!k)
		return 0;
	c = bpf_map_lookup_elem(&xvs_conns, k);
	if (!c || !conn_claim_entry(k, c, now))
		return 0;
	if (conn_two_way(c)) {
		conn_reply_key(&r, k, c);
		bpf_map_delete_elem(&xvs_conns_out, &r);
	}
	bpf_map_delete_elem(&xvs_conns, k);
	return 1;
}

/* IPVS marks a template assured (IP_VS_CTPL_S_ASSURED) when a connection
 * it controls is established, or for UDP when a reply passes. */
static __always_inline void tpl_assure(const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	struct xvs_conn *tpl = conn_tpl(k, c);
	union conn_word old, neu;

	if (!tpl)
		return;
	old.status = READ_ONCE_U32(tpl->status);
	if (old.state != XVS_TPL_NONE)
		return;
	neu = old;
	neu.state = XVS_TPL_ASSURED;
	__sync_val_compare_and_swap(&tpl->status, old.status, neu.status);
}

/* What a packet does to its connection. */
struct conn_event {
	__u64 now;
	__u8 proto;
	__u8 tcp_flags;
	__u8 output;		/* from the real server */
	__u8 pad[5];
};

/* Advances the entry of key k by a packet: its state by IPVS's tables,
 * the state word by compare-and-swap, and the CPU whose swap succeeds moves
 * the connection between its server's counts. Returns the state before,
 * XVS_CS_DEAD when the entry was being removed, or -1 when there is none.
 * A global function, checked once by the verifier. */
__noinline int conn_advance(const struct xvs_conn_key *k, const struct conn_event *ev)
{
	union conn_word old, neu;
	struct xvs_conn *c;
	bool moved = false;

	if (!k || !ev)
		return -1;
	c = bpf_map_lookup_elem(&xvs_conns, k);
	if (!c)
		return -1;
	old.status = READ_ONCE_U32(c->status);
	for (int i = 0; i < CAS_TRIES && !moved; i++) {
		enum conn_dir dir;

		if (old.state == XVS_CS_DEAD)
			break;
		neu = old;
		if (ev->output) {
			neu.flags |= XVS_CONN_F_OUTPUT;
			dir = DIR_OUTPUT;
		} else {
			dir = (old.flags & XVS_CONN_F_OUTPUT) ? DIR_INPUT : DIR_INPUT_ONLY;
		}
		if (ev->proto == IPPROTO_TCP)
			neu.state = tcp_state_next(dir, old.state, ev->tcp_flags);
		if (neu.status == old.status)
			break;
		moved = __sync_val_compare_and_swap(&c->status, old.status, neu.status) == old.status;
		if (!moved)
			old.status = READ_ONCE_U32(c->status);
	}
	if (moved)
		count_move(c->dest_idx, conn_class_of(old.state, old.flags),
			   conn_class_of(neu.state, neu.flags));
	if ((old.flags & XVS_CONN_F_CONTROLLED) && old.state != XVS_CS_DEAD &&
	    (ev->proto == IPPROTO_TCP ?
	     moved && neu.state == XVS_CS_ESTABLISHED && old.state != XVS_CS_ESTABLISHED :
	     ev->output))
		tpl_assure(k, c);
	c->last_seen_ns = ev->now;
	return old.state;
}

/* conn_advance() for the packet f. */
static __always_inline __u8 conn_touch(const struct xvs_conn_key *k, const struct flow *f,
				       __u64 now, bool output)
{
	struct conn_event ev = {
		.now = now, .proto = f->key.proto, .tcp_flags = f->tcp_flags, .output = output,
	};
	int old = conn_advance(k, &ev);

	return old < 0 ? XVS_CS_DEAD : (__u8)old;
}

#endif /* XVS_BPF_CONN_H */
