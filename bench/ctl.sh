#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Control plane (docs/BENCHMARKS.md §5): wall time of `xvsadm -R` loading S
# services of 10 real servers each, of adding and removing one real server
# in a service of 1,000, and of `xvsadm -L -n` at those sizes. Each size
# runs in a fresh namespace holding one veth pair to attach to; the real
# servers sit behind a gateway with a permanent neighbour entry, so adding
# one costs its route lookup and no ARP wait.
#
#   bench/ctl.sh OUT [LIMIT_SECONDS]
# appends JSON lines to OUT. The 10,000-service restore is given LIMIT
# seconds (default 150); when it does not finish, the report extrapolates
# from the smaller sizes and says so.
set -u
OUT=${1:?usage: ctl.sh OUT [LIMIT_SECONDS]}
LIMIT=${2:-150}
. "$(dirname "$0")/../tests/harness/lib.sh"
BASE_NSP=$NSP
GW=10.98.0.2
RS_PER_SVC=10

log() { echo "  control plane: $*" >&2; }
fail() { echo "bench/ctl.sh: $*" >&2; exit 1; }

# ctl_ns: a fresh namespace "ctl" with v0 (10.98.0.1/24, up) and its peer.
ctl_ns() {
	NSP="${BASE_NSP}c$1"
	ns_new ctl
	ip -n "$(ns_name ctl)" link add v0 type veth peer name v1 &&
		ip -n "$(ns_name ctl)" addr add 10.98.0.1/24 dev v0 &&
		ip -n "$(ns_name ctl)" link set v0 up &&
		ip -n "$(ns_name ctl)" link set v1 up &&
		ip -n "$(ns_name ctl)" neigh replace "$GW" lladdr 02:00:00:00:98:02 dev v0 nud permanent &&
		ip -n "$(ns_name ctl)" route add 10.200.0.0/14 via "$GW" || fail "namespace setup"
}

ctl_ns_del() { ip netns del "$(ns_name ctl)"; _namespaces=(); }

# restore_input S R: ipvsadm -R lines for S services (VIPs 10.97.x.y:80,
# wrr) of R DR real servers each (all distinct, 10.200.0.0/14).
restore_input() {
	awk -v S="$1" -v R="$2" 'BEGIN {
		for (i = 0; i < S; i++) {
			vip = sprintf("10.97.%d.%d:80", int(i / 250), i % 250 + 1)
			printf "-A -t %s -s wrr\n", vip
			for (j = 0; j < R; j++) {
				k = i * R + j
				printf "-a -t %s -r 10.%d.%d.%d:80 -g -w 1\n", vip,
					200 + int(k / 62500), int(k / 250) % 250, k % 250 + 1
			}
		}
	}'
}

emit() { printf '{"sec":"ctl",%s}\n' "$1" >>"$OUT"; }

# timed VAR cmd...: runs cmd, sets VAR to its wall time in seconds.
timed() {
	local var=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" || return 1
	t1=$EPOCHREALTIME
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
}

services_listed() { xvsadm ctl -L -n | grep -c '^TCP'; }

list_quiet() { xvsadm ctl -L -n >/dev/null; }

# restore S RUN [LIMIT]: one timed restore of S x 10 in a fresh namespace,
# checked by listing; also times -L -n at that size.
restore() {
	local s=$1 run=$2 limit=${3:-0} t tl n
	restore_input "$s" "$RS_PER_SVC" >"$TMPD/restore.txt"
	ctl_ns "r$s-$run"
	if [ "$limit" -gt 0 ]; then
		if ! timed t timeout "$limit" ip netns exec "$(ns_name ctl)" "$XVS_BUILD/xvsadm" -R <"$TMPD/restore.txt"; then
			emit "\"what\":\"restore\",\"services\":$s,\"rs\":$RS_PER_SVC,\"run\":$run,\"status\":\"timeout\",\"limit\":$limit"
			ctl_ns_del
			return
		fi
	else
		timed t xvsadm ctl -R <"$TMPD/restore.txt" || fail "restore of $s services failed"
	fi
	n=$(services_listed)
	[ "$n" = "$s" ] || fail "restore of $s services lists $n"
	emit "\"what\":\"restore\",\"services\":$s,\"rs\":$RS_PER_SVC,\"run\":$run,\"v\":$t"
	timed tl list_quiet || fail "-L -n"
	emit "\"what\":\"list\",\"services\":$s,\"rs\":$RS_PER_SVC,\"run\":$run,\"v\":$tl"
	ctl_ns_del
}

# One service of 1,000 real servers: restore it, then add and remove one
# real server (each a rebuild of the service's schedule), and list.
big_service() {
	local run t svc=10.96.0.1:80 rs=10.203.250.1:80
	restore_input 1 1000 | sed "s/10\.97\.0\.1:80/$svc/" >"$TMPD/big.txt"
	ctl_ns big
	timed t xvsadm ctl -R <"$TMPD/big.txt" || fail "restore of a 1,000-server service"
	emit "\"what\":\"restore\",\"services\":1,\"rs\":1000,\"run\":1,\"v\":$t"
	for ((run = 1; run <= 3; run++)); do
		timed t xvsadm ctl -a -t "$svc" -r "$rs" -g -w 1 || fail "-a"
		emit "\"what\":\"rs_add\",\"services\":1,\"rs\":1000,\"run\":$run,\"v\":$t"
		timed t xvsadm ctl -d -t "$svc" -r "$rs" || fail "-d"
		emit "\"what\":\"rs_del\",\"services\":1,\"rs\":1000,\"run\":$run,\"v\":$t"
		timed t list_quiet || fail "-L -n"
		emit "\"what\":\"list\",\"services\":1,\"rs\":1000,\"run\":$run,\"v\":$t"
	done
	ctl_ns_del
}

log "one service of 1,000 real servers"
big_service
for s in 100 1000; do
	for run in 1 2 3; do
		log "restore $s x $RS_PER_SVC (run $run)"
		restore "$s" "$run"
	done
done
log "restore 3000 x $RS_PER_SVC"
restore 3000 1
log "restore 10000 x $RS_PER_SVC (at most $LIMIT s)"
restore 10000 1 "$LIMIT"
