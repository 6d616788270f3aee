#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# SIGHUP with 50 long-lived connections up (a line every 100 ms on each,
# every byte checked): a reload that adds a real server, changes the
# scheduler and a weight, and removes a real server keeps all 50 going; the
# removed server drains at weight 0 and is deleted once its connections
# end; new connections follow the new weights. An invalid file is rejected
# whole with file:line:column and changes nothing (the pool, the checkers);
# an unchanged file writes nothing; a server found down stays out across a
# reload until a check passes.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl

RS1=$(rs_ip 1) RS2=$(rs_ip 2) RS3=$(rs_ip 3)
E="TCP $VIP:$ECHO_PORT"
METRICS=9101

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2 3; do
	check "rs$i: xvs-rs up --mode dr" rs_up "rs$i" dr
	check "rs$i: server on every address" rs_start "rs$i"
done

rs_tcp() {	# addr weight
	printf '    real_server %s %s {\n        weight %s\n        TCP_CHECK {\n            connect_timeout 1\n            retry 0\n        }\n    }\n' "$1" "$ECHO_PORT" "$2"
}
conf() {	# sched "addr weight"...
	local s=$1 r
	shift
	printf 'global_defs {\n    lvs_timeouts tcp 900 tcpfin 2 udp 300\n}\n'
	printf 'virtual_server %s %s {\n    delay_loop 1\n    lvs_sched %s\n    lvs_method DR\n    protocol TCP\n' "$VIP" "$ECHO_PORT" "$s"
	for r in "$@"; do rs_tcp $r; done
	echo "}"
}
conf rr "$RS1 1" "$RS2 1" >"$TMPD/xvsd.conf"
check "xvsd starts" xvsd_start dir "$TMPD/xvsd.conf" --metrics "$METRICS"
check "pool: rs1 and rs2" wait_for 15 pool_is dir "$E" "$RS1:7000=1 $RS2:7000=1"

writes() { nsx dir curl -s --max-time 5 "http://127.0.0.1:$METRICS/metrics" | awk '$1 == "xvsd_dataplane_writes_total" { print $2 }'; }

if ! chats_start 50; then
	not_ok "50 long-lived connections established" "$(tail -5 "$CHATS_LOG")"
	done_testing
	exit 1
fi
split=$(chats_split)
check "50 long-lived connections, rr over rs1 and rs2 ($split)" test "$split" = "rs1=25 rs2=25"

# ---- reload: wrr, rs1 weight 3, rs2 removed, rs3 added
conf wrr "$RS1 3" "$RS3 1" >"$TMPD/xvsd.conf"
check "reload applied" xvsd_reload dir
check "reload: rs1 weight 3, rs3 added, rs2 drained at weight 0" \
	wait_for 15 pool_is dir "$E" "$RS1:7000=3 $RS2:7000=0 $RS3:7000=1"
check "xvsadm -L -n: the service's scheduler is wrr now" eval "xvsadm dir -L -n | grep -q '^TCP  $VIP:$ECHO_PORT wrr'"
still_chatting "after the reload"
got=$(banners 8 "$ECHO_PORT")
check "8 new connections follow wrr 3:1 and avoid the drained rs2 (got '$got')" test "$got" = "rs1=6 rs3=2"
check "the log says rs2 drains" grep -q "Draining real server $RS2:7000 of service TCP $VIP:7000" "$TMPD/xvsd-dir.log"

# ---- an invalid file: rejected whole, nothing changes
before=$(pool dir "$E")
w0=$(writes)
cp "$TMPD/xvsd.conf" "$TMPD/good.conf"
{ conf wrr "$RS1 1" "$RS3 1"; printf 'virtual_server %s 81 {\n    lvs_sched rr\n    protocol TCP\n    lvs_method DR\n    real_server %s 81 {\n        weight heavy\n    }\n' "$VIP" "$RS1"; } >"$TMPD/xvsd.conf"
check "invalid reload: signalled" xvsd_reload dir
check "invalid reload: rejected, the log says so" grep -q "Reload of $TMPD/xvsd.conf rejected" "$TMPD/xvsd-dir.log"
check "invalid reload: the error has file:line:column" \
	grep -qE "error: $TMPD/xvsd.conf:[0-9]+:[0-9]+: invalid weight 'heavy'" "$TMPD/xvsd-dir.log"
check "invalid reload: the missing brace is reported too" \
	grep -qE "error: $TMPD/xvsd.conf:[0-9]+:[0-9]+: .*(brace|'}')" "$TMPD/xvsd-dir.log"
check "invalid reload: the pool is as it was ($before)" pool_is dir "$E" "$before"
check "invalid reload: no data plane write" test "$(writes)" = "$w0"
still_chatting "after the invalid reload"
rs_stop rs3
check "invalid reload: the running checkers still work (rs3 killed, removed)" \
	wait_for 10 weight_is dir "$E" "$RS3:7000" absent

# ---- an unchanged file with rs3 down: nothing written, rs3 stays out
cp "$TMPD/good.conf" "$TMPD/xvsd.conf"
w0=$(writes)
check "unchanged reload applied" xvsd_reload dir
check "unchanged reload: rs3, found down, stays out" pool_is dir "$E" "$RS1:7000=3 $RS2:7000=0"
check "unchanged reload: no data plane write" test "$(writes)" = "$w0"
check "rs3 restarted: back after a passing check" eval "rs_start rs3 && wait_for 10 weight_is dir '$E' '$RS3:7000' 1"
still_chatting "after the unchanged reload"

# ---- the end: every byte of the 50 echoed, rs2 deleted once they close
chats_end
check "rs2 deleted once its connections ended" wait_for 20 pool_is dir "$E" "$RS1:7000=3 $RS3:7000=1"
check "the log says why" grep -q "Real server $RS2:7000 of service TCP $VIP:7000 has no connection left" "$TMPD/xvsd-dir.log"
done_testing
