#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make demo`: a client, an xvs director and three real servers in network
# namespaces of their own; for each forwarding method the data plane has, it
# configures the service with xvsadm and the real servers with xvs-rs, sends
# a few requests and shows where each went and what xvsadm reports. Builds
# nothing; always removes its namespaces. Needs root and a built tree.
set -u
XVS_TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/harness/lib.sh
. "$XVS_TOP/tests/harness/lib.sh"
NSP="xvsdemo$$"			# namespaces of this demo run
# shellcheck source=../tests/e2e/topo.sh
. "$XVS_TOP/tests/e2e/topo.sh"

REQUESTS=6
SVC="$VIP:$HTTP_PORT"

die() { echo "demo: $*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
in_dir() { ip netns exec "$(ns_name dir)" "$XVS_BUILD/xvsadm" "$@"; }
# adm ARGS...: show an xvsadm command as typed on the director, run it there
# and show its output indented; returns xvsadm's status.
adm() { say "  director# xvsadm $*"; in_dir "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }

preflight() {
	local t
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces and BPF)"
	for t in "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs"; do
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

preflight
say "xvs demo: namespaces $NSP-*, removed on exit"
say "  client $CLIENT_IP -> director $DIR_C_IP | $DIR_R_IP -> bridge -> rs1..rs3 $(rs_ip 1)-$(rs_ip 3)"
say "  VIP $VIP, HTTP on port $HTTP_PORT; the real servers answer with their name and the client address they saw"
# MTU 1600 on the real-server segment leaves room for TUN's 20-byte outer header
topo_cluster 1600 3 >"$TMPD/topo.out" 2>&1 || die "cannot build the topology: $(cat "$TMPD/topo.out")"
for i in 1 2 3; do rs_serve "rs$i" || die "rs$i: the HTTP server did not start"; done

run_mode dr
run_mode tun
say ""
say "== NAT (-m) and FULLNAT (-b): arrive in a later issue; xvsadm rejects them for now:"
in_dir -A -t "$SVC" -s rr >/dev/null 2>&1 || die "xvsadm -A failed"
if adm -a -t "$SVC" -r "$(rs_ip 1):$HTTP_PORT" -m -w 1; then
	die "xvsadm accepted -m, which the data plane does not do yet"
fi
in_dir -C
say ""
say "demo: done"
