#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The connection-count schedulers over real TCP connections (cluster of 3
# RS, DR): held (mid-request) connections make the live counts matter.
# lc steers new connections away from a server holding 5 connections; wlc
# (the default) spreads held connections 2:1:1 over weights 2:1:1 in the
# sequence IPVS's formula gives; -L shows the true ActiveConn/InActConn,
# before and after the held connections close.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

SVC="$VIP:$HTTP_PORT"

# spread N EXPECTED NAME: N new short connections, per-RS counts exactly
# EXPECTED ("rs2=5 rs3=5").
spread() {
	local n=$1 want=$2 name=$3 got
	client_whoami "$n" >"$TMPD/who" 2>&1
	got=$(count_rs "$TMPD/who")
	if no_errors "$TMPD/who" && [ "$got" = "$want" ]; then
		ok "$name: $got"
	else
		not_ok "$name" "want $want, got '$got'" "$(grep -m3 ERROR "$TMPD/who")"
	fi
}

# hold TAG N: N connections held open mid-request until stop_hold TAG.
hold() {
	rm -f "$TMPD/$1.ready" "$TMPD/$1.stop"
	bg client "$PY" "$SERVERS/hold.py" "$VIP" "$HTTP_PORT" "$2" /whoami \
		--ready "$TMPD/$1.ready" --stop "$TMPD/$1.stop" >"$TMPD/$1.out" 2>&1
	wait_for 15 test -e "$TMPD/$1.ready"
}
stop_hold() {
	touch "$TMPD/$1.stop"
	wait_for 15 eval "[ \$(grep -c '^[0-9]* rs[0-9]' $TMPD/$1.out) = $2 ]"
}
# held_on TAG: "rs1=N ..." of the held connections (known once answered).
held_on() { awk '$2 ~ /^rs[0-9]+$/ { n[$2]++ } END { for (r in n) print r "=" n[r] }' "$TMPD/$1.out" | sort | xargs; }

# counts I: "ActiveConn InActConn" of rs I in -L -n.
counts() {
	xvsadm dir -L -n | awk -v d="$(rs_ip "$1"):$HTTP_PORT" '$1 == "->" && $2 == d { print $5, $6 }'
}
counts_are() { [ "$(counts "$1")" = "$2" ]; }

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr

# ---- lc: a server holding connections is passed over
check "-A lc" xvsadm dir -A -t "$SVC" -s lc
for i in 1 2 3; do
	check "-a rs$i -w 1" xvsadm dir -a -t "$SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w 1
done
# only rs1 takes new connections while 5 are opened and held
check "-e rs2, rs3 weight 0" eval "xvsadm dir -e -t $SVC -r $(rs_ip 2):$HTTP_PORT -g -w 0 &&
	xvsadm dir -e -t $SVC -r $(rs_ip 3):$HTTP_PORT -g -w 0"
check "5 connections held open" hold lc 5
check "-L: rs1 ActiveConn 5 InActConn 0 (got '$(counts 1)')" counts_are 1 "5 0"
check "-e rs2, rs3 weight 1 again" eval "xvsadm dir -e -t $SVC -r $(rs_ip 2):$HTTP_PORT -g -w 1 &&
	xvsadm dir -e -t $SVC -r $(rs_ip 3):$HTTP_PORT -g -w 1"
# rs1's overhead is 5 x 256; each short connection adds 1 inactive to the
# server it lands on, so rs2 and rs3 take turns and rs1 gets none
spread 10 "rs2=5 rs3=5" "lc over 10 short connections, rs1 holding 5"
check "-L: rs2 ActiveConn 0 InActConn 5 (got '$(counts 2)')" counts_are 2 "0 5"
check "the held connections finish" stop_hold lc 5
check "... all on rs1 ($(held_on lc))" [ "$(held_on lc)" = "rs1=5" ]
check "-L: rs1 ActiveConn 0 InActConn 5 once they closed (got '$(counts 1)')" \
	wait_for 10 counts_are 1 "0 5"

# ---- wlc, the default: held connections in IPVS's weighted order
check "-D the lc service" xvsadm dir -D -t "$SVC"
check "-A without -s" xvsadm dir -A -t "$SVC"
check "-L -n shows wlc, ipvsadm's default" eval "xvsadm dir -L -n | grep -q '^TCP  $SVC wlc'"
w=(0 2 1 1)
for i in 1 2 3; do
	check "-a rs$i -w ${w[$i]}" xvsadm dir -a -t "$SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w "${w[$i]}"
done
# IPVS's list is newest first (rs3 rs2 rs1); each held connection is active
# (256) from its SYN: overheads/weights pick rs3 rs2 rs1 rs1 rs3 rs2 rs1 rs1
check "8 connections held open" hold wlc 8
check "-L: ActiveConn rs1 4, rs2 2, rs3 2 ('$(counts 1)' '$(counts 2)' '$(counts 3)')" \
	eval "counts_are 1 '4 0' && counts_are 2 '2 0' && counts_are 3 '2 0'"
check "the held connections finish" stop_hold wlc 8
check "... 2:1:1 as the weights ($(held_on wlc))" [ "$(held_on wlc)" = "rs1=4 rs2=2 rs3=2" ]
check "-L: InActConn 4 2 2, ActiveConn 0 once they closed" \
	wait_for 10 eval "counts_are 1 '0 4' && counts_are 2 '0 2' && counts_are 3 '0 2'"
done_testing
