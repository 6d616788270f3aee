#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# keepalived.conf's IPVS settings through xvsd, over real connections
# (cluster of 3 DR real servers): no lvs_sched gives keepalived's wlc,
# which spreads short connections by their inactive counts;
# persistence_timeout added by a reload keeps the client on one server;
# uthreshold stops new flows to a full server and a reload that raises it
# lets them in again; a fwmark virtual server warns (file:line:column)
# while no xvs mark rule feeds it and serves once `xvsadm --add-mark` does.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

RS1=$(rs_ip 1) RS2=$(rs_ip 2) RS3=$(rs_ip 3)
H="TCP $VIP:$HTTP_PORT" U="UDP $VIP:$UDP_PORT"

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2 3; do
	check "rs$i: xvs-rs up --mode dr" rs_up "rs$i" dr
	check "rs$i: server on every address" rs_start "rs$i"
done

rs_http() {	# addr
	printf '    real_server %s %s {\n        TCP_CHECK {\n            connect_timeout 1\n            retry 0\n        }\n    }\n' "$1" "$HTTP_PORT"
}
# conf PERSISTENCE UTHRESHOLD: the HTTP service (no lvs_sched), the UDP one
# with rs1 alone under uthreshold, and fwmark 5 (line 1 of the fwmark
# block is written to $TMPD/fwm.line for the warning's position).
conf() {
	{
		printf 'global_defs {\n    lvs_timeouts tcp 900 tcpfin 1 udp 300\n}\n'
		printf 'virtual_server %s %s {\n    delay_loop 1\n    lvs_method DR\n    protocol TCP\n' "$VIP" "$HTTP_PORT"
		[ "$1" = 0 ] || printf '    persistence_timeout %s\n' "$1"
		rs_http "$RS1"
		rs_http "$RS2"
		rs_http "$RS3"
		echo "}"
		printf 'virtual_server %s %s {\n    lvs_sched wlc\n    lvs_method DR\n    protocol UDP\n' "$VIP" "$UDP_PORT"
		printf '    real_server %s %s {\n        uthreshold %s\n    }\n}\n' "$RS1" "$UDP_PORT" "$2"
	} >"$TMPD/xvsd.conf"
	wc -l <"$TMPD/xvsd.conf" | awk '{ print $1 + 1 }' >"$TMPD/fwm.line"
	printf 'virtual_server fwmark 5 {\n    delay_loop 1\n    lvs_sched rr\n    lvs_method DR\n' >>"$TMPD/xvsd.conf"
	for r in "$RS1" "$RS2" "$RS3"; do
		printf '    real_server %s {\n        TCP_CHECK {\n            connect_port %s\n            connect_timeout 1\n            retry 0\n        }\n    }\n' "$r" "$ECHO_PORT" >>"$TMPD/xvsd.conf"
	done
	echo "}" >>"$TMPD/xvsd.conf"
}

# ---- no lvs_sched: wlc
conf 0 2
fwm_line=$(cat "$TMPD/fwm.line")
"$XVSD_BIN" -t -f "$TMPD/xvsd.conf" >"$TMPD/t.out" 2>&1
check "xvsd -t: keepalived's warning of the default scheduler" \
	grep -q "xvsd.conf:4:1: warning: Virtual server \[$VIP\]:tcp:$HTTP_PORT: no scheduler set, setting default 'wlc'" "$TMPD/t.out"
if ! xvsd_start dir "$TMPD/xvsd.conf"; then
	not_ok "xvsd starts"
	done_testing
	exit 1
fi
ok "xvsd starts"
check "pool: the three real servers" wait_for 15 pool_is dir "$H" "$RS1:$HTTP_PORT=1 $RS2:$HTTP_PORT=1 $RS3:$HTTP_PORT=1"
check "-L -n: keepalived's default scheduler, wlc" eval "xvsadm dir -L -n | grep -q '^TCP  $VIP:$HTTP_PORT wlc *$'"
client_whoami 9 >"$TMPD/who" 2>&1
check "wlc: 9 short connections 3:3:3 by their inactive counts (got $(count_rs "$TMPD/who"))" \
	eval "no_errors '$TMPD/who' && [ \"\$(count_rs '$TMPD/who')\" = 'rs1=3 rs2=3 rs3=3' ]"

# ---- persistence_timeout by reload
conf 60 2
check "reload: persistence_timeout 60" xvsd_reload dir
check "-L -n: wlc persistent 60" wait_for 10 eval "xvsadm dir -L -n | grep -q '^TCP  $VIP:$HTTP_PORT wlc persistent 60'"
client_whoami 6 >"$TMPD/who" 2>&1
got=$(count_rs "$TMPD/who")
check "persistent: 6 connections, one real server ($got)" eval "no_errors '$TMPD/who' && [[ '$got' =~ ^rs[0-9]=6$ ]]"
check "-L -n -c: the client's template" \
	eval "xvsadm dir -L -n -c | awk '\$4 == \"$CLIENT_IP:0\" && \$5 == \"$VIP:$HTTP_PORT\"' | grep -q ."

# ---- uthreshold: two UDP flows fill rs1, the third finds no server
check "-L -n --thresholds: rs1 Uthreshold 2" \
	eval "xvsadm dir -L -n --thresholds | awk '\$1 == \"->\" && \$2 == \"$RS1:$UDP_PORT\" { print \$3 }' | grep -qx 2"
client_udp 2 >"$TMPD/udp" 2>&1
check "uthreshold 2: two flows answered" eval "no_errors '$TMPD/udp' && [ \"\$(count_rs '$TMPD/udp')\" = rs1=2 ]"
nd0=$(counter drop_no_real_server)
client_udp 1 >"$TMPD/udp" 2>&1
check "uthreshold 2: a third flow is not answered (rs1 is overloaded)" grep -q '^ERROR' "$TMPD/udp"
check "... dropped as having no real server" eval "[ \"\$(counter drop_no_real_server)\" -gt '$nd0' ]"
conf 60 4
check "reload: uthreshold 4" xvsd_reload dir
check "-L -n --thresholds: rs1 Uthreshold 4" \
	wait_for 10 eval "xvsadm dir -L -n --thresholds | awk '\$1 == \"->\" && \$2 == \"$RS1:$UDP_PORT\" { print \$3 }' | grep -qx 4"
client_udp 1 >"$TMPD/udp" 2>&1
check "uthreshold 4: a new flow is answered again" eval "no_errors '$TMPD/udp' && [ \"\$(count_rs '$TMPD/udp')\" = rs1=1 ]"

# ---- fwmark: no mark rule, a warning; a rule, traffic
check "fwmark 5 without a mark rule: warned at $TMPD/xvsd.conf:$fwm_line:1" \
	grep -q "$TMPD/xvsd.conf:$fwm_line:1: virtual server fwmark 5: no xvs mark rule gives packets mark 5" "$TMPD/xvsd-dir.log"
check "... said once, not at every reload" test "$(grep -c 'virtual server fwmark 5: no xvs mark rule' "$TMPD/xvsd-dir.log")" = 1
check "-L -n: FWM 5 with its three real servers" wait_for 15 eval "[ \"\$(pool dir 'FWM 5')\" = '$RS1:0=1 $RS2:0=1 $RS3:0=1' ]"
check "xvsadm --add-mark 5 -t VIP:ECHO_PORT" xvsadm dir --add-mark 5 -t "$VIP:$ECHO_PORT"
got=$(banners 6 "$ECHO_PORT")
check "fwmark 5, rr: 6 connections 2:2:2 (got '$got')" test "$got" = "rs1=2 rs2=2 rs3=2"
conns=$(xvsadm dir -L -n --stats | awk '$1 == "FWM" && $2 == 5 { print $3 }')
check "--stats: FWM 5 counted the 6 connections (got '$conns')" [ "$conns" = 6 ]
check "xvsd stops" xvsd_stop dir
check "the mark rule is the operator's: it outlives xvsd" eval "xvsadm dir -L --marks | grep -q '^TCP  $VIP:$ECHO_PORT  *5$'"
done_testing
