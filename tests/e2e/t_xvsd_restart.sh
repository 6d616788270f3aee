#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The data plane outlives xvsd: kill -9 with traffic flowing loses nothing
# (long-lived connections keep echoing, new connections are served while
# no daemon runs); the restarted xvsd adopts the services as they are (no
# data-plane write, counters go on); a second xvsd on the same pid file is
# refused; SIGTERM leaves everything forwarding; in daemon mode (forked,
# pid file) with lvs_flush_on_stop, SIGTERM removes the services.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl

RS1=$(rs_ip 1) RS2=$(rs_ip 2) RS3=$(rs_ip 3)
E="TCP $VIP:$ECHO_PORT"
METRICS=9102
ALL="$RS1:7000=1 $RS2:7000=1 $RS3:7000=1"

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2 3; do
	check "rs$i: xvs-rs up --mode dr" rs_up "rs$i" dr
	check "rs$i: server on every address" rs_start "rs$i"
done

conf() {	# extra global_defs lines
	printf 'global_defs {\n%s\n}\n' "$1"
	printf 'virtual_server %s %s {\n    delay_loop 1\n    lvs_sched rr\n    lvs_method DR\n    protocol TCP\n' "$VIP" "$ECHO_PORT"
	for r in "$RS1" "$RS2" "$RS3"; do
		printf '    real_server %s %s {\n        TCP_CHECK {\n            connect_timeout 1\n            retry 0\n        }\n    }\n' "$r" "$ECHO_PORT"
	done
	echo "}"
}
conf "    router_id one" >"$TMPD/xvsd.conf"
check "xvsd starts" xvsd_start dir "$TMPD/xvsd.conf"
check "pool: the 3 real servers" wait_for 15 pool_is dir "$E" "$ALL"

writes() { nsx dir curl -s --max-time 5 "http://127.0.0.1:$METRICS/metrics" | awk '$1 == "xvsd_dataplane_writes_total" { print $2 }'; }

chats_start 10 || { not_ok "10 long-lived connections established" "$(cat "$CHATS_LOG")"; done_testing; exit 1; }
ok "10 long-lived connections established"

# ---- kill -9
pid=$(xvsd_pid dir)
kill -9 "$pid"
check "xvsd killed with SIGKILL" wait_for 5 eval "! kill -0 $pid 2>/dev/null"
still_chatting "xvsd dead"
got=$(banners 9 "$ECHO_PORT")
check "xvsd dead: 9 new connections served by all 3 (got '$got')" test "$got" = "rs1=3 rs2=3 rs3=3"
check "xvsd dead: xvsadm -L -n still lists the pool" pool_is dir "$E" "$ALL"
conns=$(stats_field TCP "$VIP:$ECHO_PORT" Conns)

# ---- restart: adoption
check "xvsd restarts on the same pid file (the dead one's lock is gone)" \
	xvsd_start dir "$TMPD/xvsd.conf" --metrics "$METRICS"
check "restart: the service is adopted as it is" \
	grep -q "Keeping service TCP $VIP:$ECHO_PORT as the data plane holds it" "$TMPD/xvsd-dir.log"
n_ok=$(grep -c "TCP_CHECK of .* succeeded" "$TMPD/xvsd-dir.log")
check "restart: its checks have run" wait_for 10 eval "[ \$(grep -c 'TCP_CHECK of .* succeeded' '$TMPD/xvsd-dir.log') -ge $((n_ok + 3)) ]"
check "restart: not one data-plane write (got $(writes))" test "$(writes)" = 0
check "restart: the pool is unchanged" pool_is dir "$E" "$ALL"
banners 3 "$ECHO_PORT" >/dev/null
now=$(stats_field TCP "$VIP:$ECHO_PORT" Conns)
check "restart: the connection counter went on ($conns + 3 -> $now, not reset)" test "${now:-0}" -eq $((${conns:-0} + 3))
still_chatting "after the restart"
out=$(ip netns exec "$(ns_name dir)" "$XVSD_BIN" -n --no-syslog -p "$TMPD/xvsd-dir.pid" -f "$TMPD/xvsd.conf" 2>&1)
rc=$?
check "a second xvsd on the same pid file is refused" \
	eval "[ $rc = 1 ] && grep -q 'already running (pid $(xvsd_pid dir)' <<<\"\$out\""

# ---- SIGTERM: everything keeps forwarding
pid=$(xvsd_pid dir)
xvsd_stop dir
check "SIGTERM: xvsd stopped" eval "! kill -0 $pid 2>/dev/null"
check "SIGTERM: the log says the data plane stays" grep -q "Leaving the data plane as it is" "$TMPD/xvsd-dir.log"
check "SIGTERM: its pid file is removed" test ! -e "$TMPD/xvsd-dir.pid"
check "SIGTERM: the pool stays" pool_is dir "$E" "$ALL"
still_chatting "xvsd stopped"
got=$(banners 3 "$ECHO_PORT")
check "xvsd stopped: new connections served (got '$got')" test "$got" = "rs1=1 rs2=1 rs3=1"
chats_end

# ---- daemon mode, lvs_flush_on_stop
conf "    lvs_flush_on_stop" >"$TMPD/flush.conf"
ip netns exec "$(ns_name dir)" "$XVSD_BIN" -l --no-syslog -p "$TMPD/daemon.pid" \
	-f "$TMPD/flush.conf" >>"$TMPD/daemon.log" 2>&1
rc=$?
check "daemon mode: the command returns 0 once the daemon runs" test "$rc" = 0
dpid=$(cat "$TMPD/daemon.pid" 2>/dev/null)
check "daemon mode: the pid file names a running process ($dpid)" kill -0 "${dpid:-0}"
check "daemon mode: detached (its own session)" \
	test "$(ps -o sid= -p "${dpid:-0}" | tr -d ' ')" = "${dpid:-x}"
check "daemon mode: adopts the pool" wait_for 10 grep -q "Keeping service TCP $VIP:$ECHO_PORT" "$TMPD/daemon.log"
kill "${dpid:-0}"
check "lvs_flush_on_stop: SIGTERM stops the daemon" wait_for 10 eval "! kill -0 ${dpid:-0} 2>/dev/null"
check "lvs_flush_on_stop: every service is gone" eval "! xvsadm dir -L -n | grep -q '^TCP'"
check "lvs_flush_on_stop: the log says so" grep -q "Flushed every service and detached the data plane" "$TMPD/daemon.log"
done_testing
