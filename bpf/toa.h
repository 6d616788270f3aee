/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* TOA: the client's address and port for a FULLNAT real server, as TCP
 * option 254 (length 8: port, then IPv4 address, network order) in the ACK
 * that completes the handshake, the packet Alibaba's and DPVS's TOA readers
 * look at. The option goes right after the existing options: the packet
 * grows by 8 bytes at its end and any payload moves up by 8 (options are not
 * sequence space, so sequence numbers stay). */
#ifndef XVS_BPF_TOA_H
#define XVS_BPF_TOA_H

#include "csum.h"
#include "ctx.h"
#include "parse.h"
#include "stats.h"

#define TOA_KIND	254
#define TOA_LEN		8
#define TOA_CHUNK	64
#define TOA_CHUNKS	32	/* payload moved: up to 2 KiB */

struct toa_opt {
	__u8 kind;
	__u8 len;
	__be16 port;
	__be32 addr;
};

/* Moves bytes [from, from + len) up by TOA_LEN, last chunk first. */
static __always_inline int toa_shift(struct pkt *p, __u32 from, __u32 len)
{
	__u8 buf[TOA_CHUNK];

	for (int i = 0; i < TOA_CHUNKS; i++) {
		__u32 chunk = len > TOA_CHUNK ? TOA_CHUNK : len;

		if (chunk == 0)
			return 0;
		len -= chunk;
		if (pkt_load(p, from + len, buf, chunk) ||
		    pkt_store(p, from + len + TOA_LEN, buf, chunk))
			return -1;
	}
	return len ? -1 : 0;
}

/* TCP header word 6 (data offset and flags) and the IPv4 total length,
 * before and after. */
struct toa_words {
	__be16 doff_old, doff_new;
	__be16 len_old, len_new;		/* IP total length */
	__be16 tcp_len_old, tcp_len_new;	/* pseudo-header TCP length */
};

static __always_inline int toa_fix_csum_xdp(struct pkt *p, const struct flow *f,
					    const struct toa_words *w, const struct toa_opt *opt)
{
	__u32 l3_off = f->l3_off & 0x1f, ihl = f->ihl_bytes & 0x3c;
	struct iphdr *ip = p->data + l3_off;
	struct tcphdr *th;
	__u32 diff;

	if ((void *)(ip + 1) > p->data_end)
		return -1;
	th = (void *)ip + ihl;
	if ((void *)(th + 1) > p->data_end)
		return -1;
	csum_apply(&ip->check, csum_word_diff2(w->len_old, w->len_new));
	diff = csum_word_diff2(w->doff_old, w->doff_new) +
	       csum_word_diff2(w->tcp_len_old, w->tcp_len_new) +
	       csum_word_diff2(0, ((const __be16 *)opt)[0]) +
	       csum_word_diff2(0, ((const __be16 *)opt)[1]) +
	       csum_word_diff4(0, opt->addr);
	csum_apply(&th->check, diff);
	return 0;
}

static __always_inline int toa_fix_csum_tc(struct pkt *p, const struct flow *f,
					   const struct toa_words *w, struct toa_opt *opt)
{
	struct __sk_buff *skb = p->ctx;
	__u32 ip_check = f->l3_off + offsetof(struct iphdr, check);
	__u32 l4_check = f->l3_off + f->ihl_bytes + offsetof(struct tcphdr, check);
	__s64 opt_sum = bpf_csum_diff(NULL, 0, (__be32 *)opt, sizeof(*opt), 0);

	if (opt_sum < 0)
		return -1;
	/* Option bytes and header word: not part of the pseudo-header, so a
	 * CHECKSUM_PARTIAL skb's field is left alone and the device sums them. */
	if (bpf_l3_csum_replace(skb, ip_check, w->len_old, w->len_new, 2) ||
	    bpf_l4_csum_replace(skb, l4_check, w->doff_old, w->doff_new, 2) ||
	    bpf_l4_csum_replace(skb, l4_check, 0, (__u32)opt_sum, 0) ||
	    bpf_l4_csum_replace(skb, l4_check, w->tcp_len_old, w->tcp_len_new,
				BPF_F_PSEUDO_HDR | 2))
		return -1;
	return 0;
}

/* Adds the option to a client's handshake-completing ACK (already
 * translated: addresses are the LIP's and RIP's). caddr/cport: the client's,
 * network order. Returns -1 when the packet could not be made whole. */
static __always_inline int toa_insert(struct pkt *p, const struct flow *f, __be32 caddr,
				      __be16 cport)
{
	struct toa_opt opt = { .kind = TOA_KIND, .len = TOA_LEN, .port = cport, .addr = caddr };
	__u32 l4_off = f->l3_off + f->ihl_bytes, doff, hdr_end, payload;
	struct toa_words w;
	__be16 word;

	if (pkt_load(p, l4_off + 12, &word, sizeof(word)))
		return -1;
	doff = (((__u8 *)&word)[0] >> 4) * 4;
	if (doff + TOA_LEN > 60) {
		count(XVS_CNT_TOA_NO_ROOM);
		return 0;
	}
	hdr_end = l4_off + doff;
	payload = f->tot_len - f->ihl_bytes - doff;
	if (payload > TOA_CHUNK * TOA_CHUNKS) {
		count(XVS_CNT_TOA_NO_ROOM);
		return 0;
	}
	w.doff_old = word;
	((__u8 *)&word)[0] += (TOA_LEN / 4) << 4;
	w.doff_new = word;
	w.len_old = bpf_htons(f->tot_len);
	w.len_new = bpf_htons(f->tot_len + TOA_LEN);
	w.tcp_len_old = bpf_htons(f->tot_len - f->ihl_bytes);
	w.tcp_len_new = bpf_htons(f->tot_len - f->ihl_bytes + TOA_LEN);

	/* Also drops Ethernet padding, which would otherwise end up inside. */
	if (pkt_set_len(p, f->l3_off + f->tot_len + TOA_LEN) ||
	    toa_shift(p, hdr_end, payload) ||
	    pkt_store(p, hdr_end, &opt, sizeof(opt)) ||
	    pkt_store(p, l4_off + 12, &w.doff_new, 2) ||
	    pkt_store(p, f->l3_off + offsetof(struct iphdr, tot_len), &w.len_new, 2))
		return -1;
	pkt_reload(p);
	if (p->hook == HOOK_XDP ? toa_fix_csum_xdp(p, f, &w, &opt) : toa_fix_csum_tc(p, f, &w, &opt))
		return -1;
	pkt_reload(p);
	count(XVS_CNT_TOA_ADDED);
	return 0;
}

#endif /* XVS_BPF_TOA_H */
