#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# --stats against the traffic actually sent (cluster of 3 RS, DR): an
# nftables counter on the client's output counts every packet and byte to
# the VIP, and the director's InPkts/InBytes must be exactly those (IP
# total lengths, as IPVS counts), per service and summed over its real
# servers; Conns one per connection. --rate follows IPVS's estimator: the
# traffic shows up once its 2 s period has ended, -Z clears counters and
# rates.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" nft

TCP_SVC="$VIP:$HTTP_PORT"
UDP_SVC="$VIP:$UDP_PORT"

# nft_count PROTO WHAT: packets or bytes of the client's PROTO packets to
# the VIP since the counters were reset.
nft_count() {
	nsx client nft list chain inet xvs_sent out | awk -v p="$1" -v w="$2" '
		$0 ~ p { for (i = 1; i < NF; i++) if ($i == w) print $(i + 1) }'
}
nft_reset() { nsx client nft reset counters table inet xvs_sent >/dev/null; }

# sum_dests PROTO SVC FIELD: the field summed over the service's real servers.
sum_dests() {
	local s=0 v i
	for i in 1 2 3; do
		v=$(stats_field "$1" "$2" "$(rs_ip $i):${2##*:}" "$3")
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# rate_field PROTO SVC COLUMN(1..5): from -L -n --rate.
rate_field() {
	xvsadm dir -L -n --rate | awk -v p="$1" -v s="$2" -v c="$3" '$1 == p && $2 == s { print $(2 + c); exit }'
}
rate_positive() { [ "$(rate_field "$@")" -gt 0 ] 2>/dev/null; }

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr
check "nft counter on the client's output to the VIP" eval "
	nsx client nft add table inet xvs_sent &&
	nsx client nft add chain inet xvs_sent out '{ type filter hook output priority 0; }' &&
	nsx client nft add rule inet xvs_sent out ip daddr $VIP meta l4proto tcp counter &&
	nsx client nft add rule inet xvs_sent out ip daddr $VIP meta l4proto udp counter"

check "-A -t rr" xvsadm dir -A -t "$TCP_SVC" -s rr
check "-A -u rr" xvsadm dir -A -u "$UDP_SVC" -s rr
for i in 1 2 3; do
	check "-a -t rs$i" xvsadm dir -a -t "$TCP_SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w 1
	check "-a -u rs$i" xvsadm dir -a -u "$UDP_SVC" -r "$(rs_ip $i):$UDP_PORT" -g -w 1
done
check "-Z" xvsadm dir -Z
nft_reset

# ---- TCP: 12 HTTP connections
client_whoami 12 >"$TMPD/who" 2>&1
check "12 HTTP answers" eval "no_errors $TMPD/who && [ \$(wc -l <$TMPD/who) = 12 ]"
tcp_pkts=$(nft_count tcp packets)
tcp_bytes=$(nft_count tcp bytes)
v=$(stats_field TCP "$TCP_SVC" Conns)
check "TCP Conns 12 (got $v)" [ "$v" = 12 ]
v=$(stats_field TCP "$TCP_SVC" InPkts)
check "TCP InPkts = the $tcp_pkts packets the client sent (got $v)" [ "$v" = "$tcp_pkts" ]
v=$(stats_field TCP "$TCP_SVC" InBytes)
check "TCP InBytes = the $tcp_bytes bytes the client sent (got $v)" [ "$v" = "$tcp_bytes" ]
check "TCP real servers' InPkts add up to the service's" [ "$(sum_dests TCP "$TCP_SVC" InPkts)" = "$tcp_pkts" ]
check "TCP real servers' InBytes add up to the service's" [ "$(sum_dests TCP "$TCP_SVC" InBytes)" = "$tcp_bytes" ]
check "TCP real servers' Conns: 4 each" eval "[ \"\$(sum_dests TCP $TCP_SVC Conns)\" = 12 ] &&
	[ \"\$(stats_field TCP $TCP_SVC $(rs_ip 1):$HTTP_PORT Conns)\" = 4 ]"
v=$(stats_field TCP "$TCP_SVC" OutPkts)
check "TCP OutPkts 0: DR replies bypass the director (got $v)" [ "$v" = 0 ]

# ---- UDP: 12 datagrams of known sizes
client_udp 12 >"$TMPD/udp" 2>&1
check "12 UDP answers" eval "no_errors $TMPD/udp && [ \$(wc -l <$TMPD/udp) = 12 ]"
want=0
for i in $(seq 1 12); do want=$((want + 28 + ${#i} + 9)); done	# IP + UDP + "datagram-N"
v=$(stats_field UDP "$UDP_SVC" InPkts)
check "UDP InPkts 12 (got $v)" [ "$v" = 12 ]
v=$(stats_field UDP "$UDP_SVC" InBytes)
check "UDP InBytes $want, the IP lengths of what was sent (got $v)" [ "$v" = "$want" ]
udp_bytes=$(nft_count udp bytes)
check "... which nft counted too ($udp_bytes)" [ "$udp_bytes" = "$want" ]
v=$(stats_field UDP "$UDP_SVC" Conns)
check "UDP Conns 12: a fresh source port each (got $v)" [ "$v" = 12 ]

# ---- --rate: IPVS's estimator
check "--rate: the TCP service's CPS shows once its period ended" wait_for 10 rate_positive TCP "$TCP_SVC" 1
check "--rate: the UDP service's InPPS too" wait_for 10 rate_positive UDP "$UDP_SVC" 2
check "--rate: OutPPS 0 (DR)" [ "$(rate_field TCP "$TCP_SVC" 3)" = 0 ]
check "-Z" xvsadm dir -Z
check "-Z: --stats back to 0" eval "[ \"\$(stats_field TCP $TCP_SVC InPkts)\" = 0 ] && [ \"\$(stats_field UDP $UDP_SVC InBytes)\" = 0 ]"
check "-Z: --rate back to 0" eval "[ \"\$(rate_field TCP $TCP_SVC 1)\" = 0 ] && [ \"\$(rate_field UDP $UDP_SVC 2)\" = 0 ]"
done_testing
