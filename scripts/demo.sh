#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make demo`: a client, an xvs director and three real servers in network
# namespaces of their own; for each forwarding method the data plane has, it
# configures the service with xvsadm and the real servers with xvs-rs, sends
# a few requests and shows where each went and what xvsadm reports; then
# xvsd runs the same pool from a keepalived.conf and health-checks it. Builds
# nothing; always removes its namespaces. Needs root and a built tree.
set -u
XVS_TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/harness/lib.sh
. "$XVS_TOP/tests/harness/lib.sh"
NSP="xvsdemo$$"			# namespaces of this demo run
# shellcheck source=../tests/e2e/topo.sh
. "$XVS_TOP/tests/e2e/topo.sh"
# shellcheck source=../tests/e2e/xvsd_lib.sh
. "$XVS_TOP/tests/e2e/xvsd_lib.sh"

REQUESTS=6
SVC="$VIP:$HTTP_PORT"
FNAT_HTTP_PORT=8081	# http.server's, beside rs_server.py's NAT port

die() { echo "demo: $*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
in_dir() { ip netns exec "$(ns_name dir)" "$XVS_BUILD/xvsadm" "$@"; }
# adm ARGS...: show an xvsadm command as typed on the director, run it there
# and show its output indented; returns xvsadm's status.
adm() { say "  director# xvsadm $*"; in_dir "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }

preflight() {
	local t
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces and BPF)"
	for t in "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$XVSD_BIN"; do
		[ -x "$t" ] || die "$t is missing: run 'make' first"
	done
	for t in ip "$PY"; do
		command -v "$t" >/dev/null || die "$t is missing: run 'make deps'"
	done
}

# requests: REQUESTS new connections to the VIP, one line per answer.
requests() {
	local i=0 rs peer bad=0
	client_whoami "$REQUESTS" >"$TMPD/answers" 2>&1
	while read -r rs peer; do
		i=$((i + 1))
		if [ "$rs" = ERROR ]; then
			say "  request $i -> FAILED: $peer"
			bad=1
		else
			say "  request $i -> $rs (rs saw client ${peer%:*})"
		fi
	done <"$TMPD/answers"
	[ "$i" -eq "$REQUESTS" ] && [ "$bad" -eq 0 ]
}

# run_mode dr|tun: one forwarding method from a clean table to a clean table.
run_mode() {
	local mode=$1 flag title i
	case $mode in
	dr)  flag=-g; title="DR (direct routing, xvsadm -g): the director rewrites the MAC" ;;
	tun) flag=-i; title="TUN (IP-in-IP, xvsadm -i): the director encapsulates, xvs-rs decapsulates" ;;
	esac
	say ""
	say "== $title"
	for i in 1 2 3; do
		xvs_rs "rs$i" up --mode "$mode" --vip "$VIP" >"$TMPD/rs.out" 2>&1 ||
			die "rs$i: xvs-rs up --mode $mode failed: $(cat "$TMPD/rs.out")"
	done
	say "  rs1..rs3# xvs-rs up --mode $mode --vip $VIP"
	adm -A -t "$SVC" -s rr || die "xvsadm -A failed"
	for i in 1 2 3; do
		adm -a -t "$SVC" -r "$(rs_ip "$i"):$HTTP_PORT" "$flag" -w 1 ||
			die "xvsadm -a failed"
	done
	say "  $REQUESTS requests from the client ($CLIENT_IP) to $SVC:"
	requests || die "$mode: some requests failed"
	adm -L -n || die "xvsadm -L -n failed"
	adm -L -n --stats || die "xvsadm -L -n --stats failed"
	adm -C || die "xvsadm -C failed"
	for i in 1 2 3; do
		xvs_rs "rs$i" down --vip "$VIP" >"$TMPD/rs.out" 2>&1 ||
			die "rs$i: xvs-rs down failed: $(cat "$TMPD/rs.out")"
	done
}

# run_nat: NAT with port mapping; the real servers' route to the client
# network is the director, replies come back through it.
run_nat() {
	local i
	say ""
	say "== NAT (masquerading, xvsadm -m): the director rewrites VIP:$HTTP_PORT -> RIP:$NAT_HTTP_PORT and the replies back"
	for i in 1 2 3; do
		xvs_rs "rs$i" up --mode nat >"$TMPD/rs.out" 2>&1 ||
			die "rs$i: xvs-rs up --mode nat failed: $(cat "$TMPD/rs.out")"
		rs_serve_on "rs$i" "$(rs_ip "$i")" || die "rs$i: the server on $(rs_ip "$i") did not start"
	done
	say "  rs1..rs3# xvs-rs up --mode nat     ($(head -1 "$TMPD/rs.out" | sed 's/^xvs-rs: //'))"
	say "  rs1..rs3: route to $CLIENT_NET via the director ($DIR_R_IP); servers on RIP:$NAT_HTTP_PORT"
	adm -A -t "$SVC" -s rr || die "xvsadm -A failed"
	for i in 1 2 3; do
		adm -a -t "$SVC" -r "$(rs_ip "$i"):$NAT_HTTP_PORT" -m -w 1 || die "xvsadm -a -m failed"
	done
	say "  $REQUESTS requests from the client ($CLIENT_IP) to $SVC:"
	requests || die "nat: some requests failed"
	adm -L -n --stats || die "xvsadm -L -n --stats failed"
	adm -C || die "xvsadm -C failed"
}

# fullnat_request I: one request to the VIP; shows which RS answered and
# the line its unmodified http.server logged.
fullnat_request() {
	local rs before
	before=$(cat "$TMPD"/http-rs*.log 2>/dev/null | wc -l)
	rs=$(nsx client curl -sS --noproxy '*' --max-time 5 "http://$SVC/name.txt" 2>&1) || {
		say "  request $1 -> FAILED: $rs"
		return 1
	}
	wait_for 5 eval "[ \$(cat $TMPD/http-rs*.log | wc -l) -gt $before ]"
	say "  request $1 -> $rs, whose http.server logged: $(tail -1 "$TMPD/http-$rs.log")"
}

# run_fullnat: the real servers lose their route to the client network;
# two local addresses on the director; xvs-rs reads TOA so an unmodified
# python3 -m http.server logs the client's address.
run_fullnat() {
	local i lip
	say ""
	say "== FULLNAT (xvsadm -b): the director also rewrites the source to a local address (LIP:lport)"
	say "   and sends the client address in TCP option 254 (TOA); the real servers need no route back"
	for i in 1 2 3; do
		ip -n "$(ns_name "rs$i")" route del "$CLIENT_NET" via "$DIR_R_IP" || die "rs$i: cannot remove the route"
		xvs_rs "rs$i" up --mode fullnat >"$TMPD/rs.out" 2>&1 ||
			die "rs$i: xvs-rs up --mode fullnat failed: $(cat "$TMPD/rs.out")"
		mkdir -p "$TMPD/www-rs$i"
		echo "rs$i" >"$TMPD/www-rs$i/name.txt"
		bg "rs$i" "$PY" -u -m http.server "$FNAT_HTTP_PORT" --bind "$(rs_ip "$i")" \
			--directory "$TMPD/www-rs$i" >"$TMPD/http-rs$i.log" 2>&1
		wait_for 10 eval "nsx rs$i ss -tlnH 'sport = :$FNAT_HTTP_PORT' | grep -q LISTEN" ||
			die "rs$i: http.server did not start"
	done
	say "  rs1..rs3# ip route del $CLIENT_NET      (no way back to the client)"
	say "  rs1..rs3# xvs-rs up --mode fullnat"
	say "  rs1..rs3# python3 -m http.server $FNAT_HTTP_PORT --bind RIP   (unmodified)"
	adm -A -t "$SVC" -s rr || die "xvsadm -A failed"
	for i in 1 2 3; do
		adm -a -t "$SVC" -r "$(rs_ip "$i"):$FNAT_HTTP_PORT" -b -w 1 || die "xvsadm -a -b failed"
	done
	for lip in "$LIP1" "$LIP2"; do
		adm -P -t "$SVC" -z "$lip" -F d1 || die "xvsadm -P failed"
	done
	say "  $REQUESTS requests from the client ($CLIENT_IP) to $SVC:"
	for ((i = 1; i <= REQUESTS; i++)); do fullnat_request "$i" || die "fullnat: request $i failed"; done
	say "  (the packets reached the servers from $LIP1/$LIP2; the TOA reader of xvs-rs made accept() return the client)"
	adm -L -n || die "xvsadm -L -n failed"
	adm -G || die "xvsadm -G failed"
	adm -C || die "xvsadm -C failed"
	for i in 1 2 3; do
		xvs_rs "rs$i" down >"$TMPD/rs.out" 2>&1 ||
			die "rs$i: xvs-rs down failed: $(cat "$TMPD/rs.out")"
		ip -n "$(ns_name "rs$i")" route add "$CLIENT_NET" via "$DIR_R_IP" ||
			die "rs$i: cannot restore the route to the client network"
	done
}

# xvsd_log_since N ADDR: the xvsd log lines about real server ADDR after
# line N, indented.
xvsd_log_since() {
	tail -n +"$(($1 + 1))" "$TMPD/xvsd-dir.log" | grep -F "[$2]" | sed 's/^/    xvsd: /'
}

# run_xvsd: the same cluster from a keepalived.conf, with health checks:
# a killed server process leaves the pool, a restarted one comes back.
run_xvsd() {
	local i n conf="$TMPD/keepalived.conf"
	say ""
	say "== xvsd: the pool from keepalived.conf, health-checked (HTTP_GET every second)"
	for i in 1 2 3; do
		# servers on every address this time: the checks ask RIP:80
		ip netns pids "$(ns_name "rs$i")" | xargs -r kill 2>/dev/null
		xvs_rs "rs$i" up --mode dr --vip "$VIP" >"$TMPD/rs.out" 2>&1 ||
			die "rs$i: xvs-rs up --mode dr failed: $(cat "$TMPD/rs.out")"
		rs_start "rs$i" || die "rs$i: the server did not start"
		echo ok >"$TMPD/www-rs$i/health.txt"
	done
	{
		printf 'virtual_server %s %s {\n    delay_loop 1\n    lvs_sched rr\n' "$VIP" "$HTTP_PORT"
		printf '    lvs_method DR\n    protocol TCP\n'
		for i in 1 2 3; do
			printf '    real_server %s %s {\n        HTTP_GET {\n' "$(rs_ip "$i")" "$HTTP_PORT"
			printf '            url {\n                path /health.txt\n                status_code 200\n            }\n'
			printf '            connect_timeout 1\n            retry 0\n        }\n    }\n'
		done
		printf '}\n'
	} >"$conf"
	say "  director# cat keepalived.conf   (one real_server block of three shown)"
	sed -n '1,13p' "$conf" | sed 's/^/    /'
	say "  director# xvsd -t -f keepalived.conf"
	ip netns exec "$(ns_name dir)" "$XVSD_BIN" -t -f "$conf" 2>&1 | sed 's/^/    /'
	say "  director# xvsd -f keepalived.conf"
	xvsd_start dir "$conf" || die "xvsd did not start: $(tail -5 "$TMPD/xvsd-dir.log")"
	wait_for 10 pool_is dir "TCP $VIP:$HTTP_PORT" \
		"$(rs_ip 1):$HTTP_PORT=1 $(rs_ip 2):$HTTP_PORT=1 $(rs_ip 3):$HTTP_PORT=1" ||
		die "xvsd did not configure the pool: $(tail -5 "$TMPD/xvsd-dir.log")"
	adm -L -n || die "xvsadm -L -n failed"
	say "  $REQUESTS requests:"
	requests || die "xvsd: some requests failed"

	n=$(wc -l <"$TMPD/xvsd-dir.log")
	say "  rs2# kill the server process"
	rs_stop rs2
	wait_for 10 eval "[ \"\$(dest_weight dir 'TCP $VIP:$HTTP_PORT' $(rs_ip 2):$HTTP_PORT)\" = absent ]" ||
		die "rs2 did not leave the pool"
	xvsd_log_since "$n" "$(rs_ip 2)"
	adm -L -n || die "xvsadm -L -n failed"
	say "  $REQUESTS requests (rs2 gets none):"
	requests || die "xvsd: some requests failed with rs2 down"

	n=$(wc -l <"$TMPD/xvsd-dir.log")
	say "  rs2# start the server again"
	rs_start rs2 || die "rs2: the server did not start"
	wait_for 10 eval "[ \"\$(dest_weight dir 'TCP $VIP:$HTTP_PORT' $(rs_ip 2):$HTTP_PORT)\" = 1 ]" ||
		die "rs2 did not come back"
	xvsd_log_since "$n" "$(rs_ip 2)"
	say "  $REQUESTS requests:"
	requests || die "xvsd: some requests failed after rs2 came back"
	xvsd_stop dir
	say "  director# kill \$(cat xvsd.pid)   (the services stay and keep forwarding; lvs_flush_on_stop would remove them)"
	adm -C || die "xvsadm -C failed"
}

preflight
say "xvs demo: namespaces $NSP-*, removed on exit"
say "  client $CLIENT_IP -> director $DIR_C_IP | $DIR_R_IP -> bridge -> rs1..rs3 $(rs_ip 1)-$(rs_ip 3)"
say "  VIP $VIP, HTTP on port $HTTP_PORT; the real servers answer with their name and the client address they saw"
# MTU 1600 on the real-server segment leaves room for TUN's 20-byte outer header
topo_cluster 1600 3 >"$TMPD/topo.out" 2>&1 || die "cannot build the topology: $(cat "$TMPD/topo.out")"
for i in 1 2 3; do rs_serve "rs$i" || die "rs$i: the HTTP server did not start"; done

run_mode dr
run_mode tun
run_nat
run_fullnat
run_xvsd
say ""
say "demo: done"
