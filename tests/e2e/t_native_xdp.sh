#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The director's hooks on veth: `--hook xdp` (native XDP) forwards DR and
# TUN traffic once the veth peers are prepared as native XDP needs (an XDP
# program on the receiving peer, software tx checksums on the sender;
# ecosystem.md §1, §5); the default hook and `--hook xdp-generic` forward
# with the peers left as they are.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl ethtool tc sha256sum

SVC="$VIP:$HTTP_PORT"
RS1="$(rs_ip 1):$HTTP_PORT"

# attach_mode DEV: how the director's DEV carries a program: xdp (native),
# xdpgeneric, or tc (clsact ingress bpf filter); "none" otherwise.
attach_mode() {
	local first
	first=$(ip -n "$(ns_name dir)" link show dev "$1" | head -n1)
	case $first in
	*" xdpgeneric "*) echo xdpgeneric; return ;;
	*" xdp "*) echo xdp; return ;;
	esac
	if tc -n "$(ns_name dir)" filter show dev "$1" ingress 2>/dev/null | grep -q bpf; then echo tc; else echo none; fi
}

lb_traffic() {	# label
	check "$1: 200 KB HTTP GET through the VIP, sha256 matches" \
		http_get_sha client "http://$SVC/blob.bin" "$TMPD/www/blob.bin"
	client_whoami 5 >"$TMPD/who" 2>&1
	check "$1: 5 requests answered by rs1, which saw the real client" \
		eval "no_errors $TMPD/who && [ \"\$(count_rs $TMPD/who)\" = rs1=5 ] && all_from_client $TMPD/who"
	local conns; conns=$(stats_field TCP "$SVC" Conns)
	check "$1: --stats counted 6 connections (got '$conns')" [ "${conns:-x}" = 6 ]
}

# ---- native XDP with prepared peers
topo_selftest 1500 || { not_ok "topology"; done_testing; exit 1; }
make_blob 204800
check "rs1: xvs-rs up --mode dr" rs_up rs1 dr
check "rs1: server on the VIP" rs_serve rs1
check "rs1: XDP program on r0, the peer receiving the director's redirects" xdp_prepare_peer rs1 r0
check "client: tx checksum offload off on c0 (its TCP crosses XDP_REDIRECT)" tx_csum_off client c0
check "-A --hook xdp" xvsadm dir -A -t "$SVC" -s rr --hook xdp
check "-a rs1 -g" xvsadm dir -a -t "$SVC" -r "$RS1" -g -w 1
check "director d0 carries native XDP (got $(attach_mode d0))" [ "$(attach_mode d0)" = xdp ]
lb_traffic "native XDP"

# ---- native XDP for TUN: the RS's native XDP decapsulator is the program
# its veth needs to receive the director's redirects
NSP="${NSP}t"
topo_selftest 1600 || { not_ok "topology"; done_testing; exit 1; }
check "rs1 (TUN): xvs-rs up --mode tun --hook xdp" rs_up rs1 tun --hook xdp
check "rs1 (TUN): server on the VIP" rs_serve rs1
check "rs1 (TUN): r0 carries native XDP" eval "ip -n $(ns_name rs1) link show dev r0 | head -n1 | grep -q ' xdp '"
check "client (TUN): tx checksum offload off on c0" tx_csum_off client c0
check "-A --hook xdp (TUN)" xvsadm dir -A -t "$SVC" -s rr --hook xdp
check "-a rs1 -i" xvsadm dir -a -t "$SVC" -r "$RS1" -i -w 1
lb_traffic "native XDP, TUN"

# ---- the default hook with peers left as they are: fresh namespaces
NSP="${NSP}d"
topo_selftest 1500 || { not_ok "topology"; done_testing; exit 1; }
check "rs1 (default hook): xvs-rs up --mode dr" rs_up rs1 dr
check "rs1 (default hook): server on the VIP" rs_serve rs1
check "-A with the default hook" xvsadm dir -A -t "$SVC" -s rr
check "-a rs1 -g" xvsadm dir -a -t "$SVC" -r "$RS1" -g -w 1
check "default hook on veth d0 is tc (got $(attach_mode d0))" [ "$(attach_mode d0)" = tc ]
check "rs1 r0 has no XDP program" eval "! ip -n $(ns_name rs1) link show dev r0 | grep -q xdp"
check "client c0 keeps tx checksum offload" eval "nsx client ethtool -k c0 | grep -q '^tx-checksumming: on'"
lb_traffic "default hook"

# ---- generic XDP needs no help from the peers either
NSP="${NSP}g"
topo_selftest 1500 || { not_ok "topology"; done_testing; exit 1; }
check "rs1 (generic XDP): xvs-rs up --mode dr" rs_up rs1 dr
check "rs1 (generic XDP): server on the VIP" rs_serve rs1
check "-A --hook xdp-generic" xvsadm dir -A -t "$SVC" -s rr --hook xdp-generic
check "-a rs1 -g" xvsadm dir -a -t "$SVC" -r "$RS1" -g -w 1
check "director d0 carries generic XDP (got $(attach_mode d0))" [ "$(attach_mode d0)" = xdpgeneric ]
lb_traffic "generic XDP"
done_testing
