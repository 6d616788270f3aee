#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Schedulers over real TCP connections (cluster of 3 RS, DR): rr spreads
# exactly evenly, wrr follows IPVS's deterministic weighted sequence, and a
# real server of weight 0 gets no new connection.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

SVC="$VIP:$HTTP_PORT"

# spread N EXPECTED NAME: N new connections; the per-RS counts of the
# answers must be exactly EXPECTED ("rs1=10 rs2=10 rs3=10").
spread() {
	local n=$1 want=$2 name=$3 got
	client_whoami "$n" >"$TMPD/who" 2>&1
	got=$(count_rs "$TMPD/who")
	if no_errors "$TMPD/who" && [ "$got" = "$want" ] && all_from_client "$TMPD/who"; then
		ok "$name: $got"
	else
		not_ok "$name" "want $want, got $got" "$(grep -m3 ERROR "$TMPD/who")"
	fi
}

# dest_conns: "N N N", the --stats Conns of rs1..rs3 ("-" when missing).
dest_conns() {
	local i v out=()
	for i in 1 2 3; do
		v=$(stats_field TCP "$SVC" "$(rs_ip $i):$HTTP_PORT" Conns)
		out+=("${v:--}")
	done
	echo "${out[*]}"
}

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr

check "-A rr" xvsadm dir -A -t "$SVC" -s rr
for i in 1 2 3; do
	check "-a rs$i -g -w 1" xvsadm dir -a -t "$SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w 1
done
spread 30 "rs1=10 rs2=10 rs3=10" "rr over 30 connections"
got=$(dest_conns)
check "rr: --stats Conns per real server 10 10 10 (got '$got')" [ "$got" = "10 10 10" ]

check "-e rs3 weight 0 (rr)" xvsadm dir -e -t "$SVC" -r "$(rs_ip 3):$HTTP_PORT" -g -w 0
spread 10 "rs1=5 rs2=5" "rr with rs3 at weight 0 over 10 connections"

check "-D the rr service" xvsadm dir -D -t "$SVC"
check "-A wrr" xvsadm dir -A -t "$SVC" -s wrr
w=(0 3 2 1)
for i in 1 2 3; do
	check "-a rs$i -g -w ${w[$i]}" xvsadm dir -a -t "$SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w "${w[$i]}"
done
spread 36 "rs1=18 rs2=12 rs3=6" "wrr 3:2:1 over 36 connections"
got=$(dest_conns)
check "wrr: --stats Conns per real server 18 12 6 (got '$got')" [ "$got" = "18 12 6" ]

check "-e rs2 weight 0 (wrr)" xvsadm dir -e -t "$SVC" -r "$(rs_ip 2):$HTTP_PORT" -g -w 0
# weights 3:0:1 -> IPVS's sequence restarts: rs1 rs1 rs1 rs3 per cycle
spread 12 "rs1=9 rs3=3" "wrr 3:0:1 over 12 connections"
got=$(stats_field TCP "$SVC" "$(rs_ip 2):$HTTP_PORT" Conns)
check "wrr: rs2 at weight 0 got no new connection (--stats Conns '$got')" [ "$got" = 12 ]
done_testing
