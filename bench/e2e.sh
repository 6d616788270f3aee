#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End to end on veth (docs/BENCHMARKS.md §4): new TCP connections per second
# and keep-alive requests per second (wrk against nginx on two real
# servers) and UDP packets per second (bench/udp_blast), from a client
# through a director, for each way of getting there: plain routing, nftables
# DNAT, HAProxy in TCP mode, xvs DR, TUN, NAT and FULLNAT on the default
# hook (tc on veth) and on native XDP with the peers prepared as
# tests/e2e/t_native_xdp.sh does. Every scenario gets fresh namespaces
# (tests/e2e/topo.sh's cluster: client -- director -- bridge -- rs1, rs2),
# removed before the next one.
#
#   bench/e2e.sh OUT [SECONDS] [RUNS] [SCENARIO...]
# appends one JSON line per run and metric to OUT (every scenario, or those
# named). All traffic stays in
# the namespaces created here.
set -u
OUT=${1:?usage: e2e.sh OUT [SECONDS] [RUNS]}
SECS=${2:-3}
RUNS=${3:-3}
ONLY=("${@:4}")
. "$(dirname "$0")/../tests/harness/lib.sh"
. "$(dirname "$0")/../tests/e2e/topo.sh"
BLAST=$XVS_BUILD/bench/udp_blast
BASE_NSP=$NSP
NRS=2
UDP_FLOWS=8
UDP_PAYLOAD=18		# 14 + 20 + 8 + 18 = a 60-byte frame, 64 on the wire

log() { echo "  e2e: $*" >&2; }
fail() { echo "bench/e2e.sh: $*" >&2; exit 1; }
# A scenario that fails is reported as such; the others still run.
sc_fail() { echo "bench/e2e.sh: $*" >&2; FAILED="$*"; return 1; }

for c in wrk nginx haproxy nft curl ethtool "$BLAST" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs"; do
	command -v "$c" >/dev/null || fail "$c not found (make bench installs and builds it)"
done

# ---- the servers

nginx_start() {	# rsN: nginx on every address of the RS (RIP and the VIP on lo)
	local n=$1 d="$TMPD/nginx-$1"
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	keepalive_requests 100000000;
	keepalive_timeout 60s;
	client_body_temp_path $d/tmp;
	proxy_temp_path $d/tmp;
	fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp;
	scgi_temp_path $d/tmp;
	server {
		listen 80 reuseport backlog=8192;
		location / { return 200 "$n\n"; }
	}
}
EOF
	bg "$n" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
}

sink_start() { bg "$1" "$BLAST" sink "$UDP_PORT" "$TMPD/udp-$1"; }
sink_count() { local v; v=$(cat "$TMPD/udp-$1" 2>/dev/null) || v=0; echo "${v:-0}"; }
sinks_total() {
	local i t=0
	for ((i = 1; i <= NRS; i++)); do t=$((t + $(sink_count "rs$i"))); done
	echo "$t"
}

http_ok() { nsx client curl -sf --noproxy '*' --max-time 2 -o /dev/null "http://$1/"; }

# ---- scenarios: each sets TARGET (HTTP and UDP destination) and prepares
# the director; the real servers already run nginx and the UDP sinks.

ns_tune() {
	ns_sysctl client net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 || return 1
	local i
	for ((i = 1; i <= NRS; i++)); do
		ns_sysctl "rs$i" net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192 || return 1
	done
	ns_sysctl dir net.core.somaxconn=8192
}

# Plain routing to the same two servers: the director routes the VIP to
# rs1 and rs2 as equal-cost next hops, hashed on the 5-tuple, and the RS
# hold the VIP as for DR. The kernel's forwarding path alone, no balancer
# state: the floor every balancer adds its cost to.
setup_route() {
	TARGET=$VIP
	rs_all_up dr || return 1
	ns_sysctl dir net.ipv4.fib_multipath_hash_policy=1 || return 1
	ip -n "$(ns_name dir)" route add "$VIP/32" \
		nexthop via "$(rs_ip 1)" dev d1 nexthop via "$(rs_ip 2)" dev d1
}

setup_nft() {
	TARGET=$VIP
	nsx dir nft -f - <<EOF || return 1
table ip xvsbench {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $VIP tcp dport $HTTP_PORT dnat to numgen inc mod 2 map { 0 : $(rs_ip 1), 1 : $(rs_ip 2) }
		ip daddr $VIP udp dport $UDP_PORT dnat to numgen inc mod 2 map { 0 : $(rs_ip 1), 1 : $(rs_ip 2) }
	}
}
EOF
	# closed connections must not fill the table during the close runs
	ns_sysctl dir net.netfilter.nf_conntrack_tcp_timeout_time_wait=1 \
		net.netfilter.nf_conntrack_tcp_timeout_close_wait=1 \
		net.netfilter.nf_conntrack_tcp_timeout_fin_wait=1
}

setup_haproxy() {
	TARGET=$VIP
	ip -n "$(ns_name dir)" addr add "$VIP/32" dev lo || return 1
	cat >"$TMPD/haproxy.cfg" <<EOF
global
	maxconn 8000
	nbthread 2
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend fe
	bind $VIP:$HTTP_PORT
	default_backend be
backend be
	balance roundrobin
	server rs1 $(rs_ip 1):$HTTP_PORT
	server rs2 $(rs_ip 2):$HTTP_PORT
EOF
	bg dir haproxy -db -f "$TMPD/haproxy.cfg"
}

# xvs MODE FLAG [xvsadm -A options]: the RS prepared by xvs-rs for MODE, a
# TCP and a UDP service over both RS.
xvs_services() {
	local flag=$1 i
	shift
	TARGET=$VIP
	xvsadm dir -A -t "$VIP:$HTTP_PORT" -s rr "$@" || return 1
	xvsadm dir -A -u "$VIP:$UDP_PORT" -s rr "$@" || return 1
	for ((i = 1; i <= NRS; i++)); do
		xvsadm dir -a -t "$VIP:$HTTP_PORT" -r "$(rs_ip "$i"):$HTTP_PORT" "$flag" -w 1 || return 1
		xvsadm dir -a -u "$VIP:$UDP_PORT" -r "$(rs_ip "$i"):$UDP_PORT" "$flag" -w 1 || return 1
	done
}

rs_all_up() {	# mode [xvs-rs options]
	local i m=$1
	shift
	for ((i = 1; i <= NRS; i++)); do
		case $m in
		dr | tun) rs_up "rs$i" "$m" "$@" ;;
		# NAT and FULLNAT real servers do not hold the VIP
		*) xvs_rs "rs$i" up --mode "$m" "$@" ;;
		esac >/dev/null || return 1
	done
}

# Native XDP on veth: the bridge port receiving the director's redirects
# runs an XDP program, and the client's TCP crossing XDP_REDIRECT has its
# checksums computed in software (tests/e2e/t_native_xdp.sh).
xdp_peers() { xdp_prepare_peer sw p0 && tx_csum_off client c0; }

# NAT and FULLNAT on native XDP also redirect the real servers' replies,
# d1 -> d0: the client's veth receives them (an XDP program on it), and the
# real servers' TCP crosses XDP_REDIRECT too (checksums in software).
xdp_reply_peers() {
	local i
	xdp_prepare_peer client c0 || return 1
	for ((i = 1; i <= NRS; i++)); do tx_csum_off "rs$i" r0 || return 1; done
}

# FULLNAT's local addresses: on the director's real-server side, in the real
# servers' subnet (they answer them by ARP, no route needed), two of them so
# the close runs' connections (each holds its local port toward its real
# server for IPVS's TIME_WAIT timeout) stay well within 2 x 64,511 ports.
FNAT_LADDRS=(10.99.2.201 10.99.2.202)
fnat_laddrs() {
	local l
	for l in "${FNAT_LADDRS[@]}"; do
		xvsadm dir -P -t "$VIP:$HTTP_PORT" -z "$l" -F d1 || return 1
		xvsadm dir -P -u "$VIP:$UDP_PORT" -z "$l" -F d1 || return 1
	done
}

setup_xvs_dr_tc() { rs_all_up dr && xvs_services -g; }
setup_xvs_tun_tc() { rs_all_up tun && xvs_services -i; }
# NAT: the real servers' route to the client network is the director
# (tests/e2e/topo.sh), so their replies come back through it; nginx and the
# UDP sinks listen on every address, the real server's own included.
setup_xvs_nat_tc() { rs_all_up nat && xvs_services -m; }
setup_xvs_fnat_tc() { rs_all_up fullnat && xvs_services -b && fnat_laddrs; }
setup_xvs_dr_xdp() { rs_all_up dr && xdp_peers && xvs_services -g --hook xdp; }
setup_xvs_tun_xdp() { rs_all_up tun --hook xdp && xdp_peers && xvs_services -i --hook xdp; }
setup_xvs_nat_xdp() { rs_all_up nat && xdp_peers && xdp_reply_peers && xvs_services -m --hook xdp; }
setup_xvs_fnat_xdp() {
	rs_all_up fullnat --hook xdp && xdp_peers && xdp_reply_peers &&
		xvs_services -b --hook xdp && fnat_laddrs
}

# name:label:udp (udp: whether the scenario carries UDP)
SCENARIOS=(
	"route:plain routing (kernel ECMP, no balancer):1"
	"nft:nftables DNAT:1"
	"haproxy:HAProxy TCP mode:0"
	"xvs_dr_tc:xvs DR, default hook (tc):1"
	"xvs_tun_tc:xvs TUN, default hook (tc):1"
	"xvs_nat_tc:xvs NAT, default hook (tc):1"
	"xvs_fnat_tc:xvs FULLNAT, default hook (tc):1"
	"xvs_dr_xdp:xvs DR, native XDP:1"
	"xvs_tun_xdp:xvs TUN, native XDP:1"
	"xvs_nat_xdp:xvs NAT, native XDP:1"
	"xvs_fnat_xdp:xvs FULLNAT, native XDP:1"
)

# ---- measurements

emit() {	# scenario metric run value [extra json members]
	printf '{"sec":"e2e","scenario":"%s","metric":"%s","run":%s,"v":%s%s}\n' \
		"$1" "$2" "$3" "$4" "${5:+,$5}" >>"$OUT"
}

# wrk_run SCENARIO METRIC RUN [wrk options]: requests/s and errors.
wrk_run() {
	local sc=$1 metric=$2 run=$3 f="$TMPD/wrk.out" rps errs
	shift 3
	nsx client wrk -t2 -c64 -d"${SECS}s" "$@" "http://$TARGET:$HTTP_PORT/" >"$f" 2>&1
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
	[ -n "$rps" ] || { sed 's/^/#   /' "$f" >&2; sc_fail "$sc: wrk gave no result"; return 1; }
	errs=$(awk '/Socket errors:/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) s += $i }
		/Non-2xx/ { s += $NF } END { print s + 0 }' "$f")
	emit "$sc" "$metric" "$run" "$rps" "\"errors\":$errs"
}

# udp_run SCENARIO RUN: datagrams per second delivered to the RS sockets.
udp_run() {
	local sc=$1 run=$2 before after sent last i per=() share=""
	for ((i = 1; i <= NRS; i++)); do per[i]=$(sink_count "rs$i"); done
	before=$(sinks_total)
	sent=$(nsx client "$BLAST" send "$TARGET" "$UDP_PORT" "$SECS" "$UDP_FLOWS" "$UDP_PAYLOAD" |
		awk '/^sent/ { print $2 }')
	[ -n "$sent" ] || { sc_fail "$sc: udp_blast sent nothing"; return 1; }
	# the sinks rewrite their totals every 100 ms: wait until they settle
	last=-1
	for ((i = 0; i < 30; i++)); do
		sleep 0.2
		after=$(sinks_total)
		[ "$after" = "$last" ] && break
		last=$after
	done
	# how the datagrams were spread over the real servers
	for ((i = 1; i <= NRS; i++)); do share+="${share:+,}$(($(sink_count "rs$i") - per[i]))"; done
	emit "$sc" udp_pps "$run" "$(awk -v n="$((after - before))" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }')" \
		"\"sent_pps\":$(awk -v n="$sent" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }'),\"per_rs\":[$share]"
}

# The data plane forwarded the traffic (not the kernel behind its back).
xvs_forwarded() {	# counter name
	local v
	v=$(counter "$1")
	[ "${v:-0}" -gt 0 ]
}

scenario_teardown() {
	local p n
	for p in "${_bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_bg_pids[@]}"; do wait "$p" 2>/dev/null; done
	_bg_pids=()
	for n in "${_namespaces[@]}"; do ip netns del "$n" 2>/dev/null; done
	_namespaces=()
}

# measure_scenario NAME UDP: sets up the scenario in the current namespaces
# and runs every metric RUNS times; 1 (and FAILED) when something fails.
measure_scenario() {
	local sc=$1 udp=$2 r i c fwd=""
	topo_cluster 1600 "$NRS" >/dev/null || { sc_fail "$sc: topology"; return 1; }
	ns_tune || { sc_fail "$sc: sysctls"; return 1; }
	for ((i = 1; i <= NRS; i++)); do nginx_start "rs$i"; sink_start "rs$i"; done
	"setup_$sc" || { sc_fail "$sc: setup"; return 1; }
	for ((i = 1; i <= NRS; i++)); do
		wait_for 10 nsx "rs$i" curl -sf --noproxy '*' -o /dev/null "http://$(rs_ip "$i"):$HTTP_PORT/" ||
			{ sc_fail "$sc: nginx on rs$i did not start"; return 1; }
	done
	wait_for 10 http_ok "$TARGET:$HTTP_PORT" || { sc_fail "$sc: no HTTP answer through $TARGET"; return 1; }
	# the data-plane counters that show xvs, not the kernel, carried it
	case $sc in
	xvs_dr_*) fwd=fwd_dr ;;
	xvs_tun_*) fwd=fwd_tun ;;
	xvs_nat_*) fwd="fwd_nat reply_nat" ;;
	xvs_fnat_*) fwd="fwd_fullnat reply_fullnat toa_added" ;;
	esac
	for ((r = 1; r <= RUNS; r++)); do
		wrk_run "$sc" rps_keepalive "$r" || return 1
		wrk_run "$sc" cps_close "$r" -H "Connection: close" || return 1
		if [ "$udp" = 1 ]; then udp_run "$sc" "$r" || return 1; fi
	done
	for c in $fwd; do
		xvs_forwarded "$c" || { sc_fail "$sc: the data plane forwarded nothing ($c = 0)"; return 1; }
		emit "$sc" "$c" 0 "$(counter "$c")"
	done
}

run_scenario() {	# index name label udp
	local idx=$1 sc=$2 label=$3 udp=$4 status=""
	NSP="${BASE_NSP}s$idx"
	FAILED=""
	log "$label"
	measure_scenario "$sc" "$udp" || { status=",\"status\":\"failed: ${FAILED//\"/\'}\""; ANY_FAILED=1; }
	printf '{"sec":"e2e","scenario":"%s","label":"%s","udp":%s%s}\n' "$sc" "$label" "$udp" "$status" >>"$OUT"
	scenario_teardown
}

printf '{"sec":"e2e_setup","seconds":%s,"runs":%s,"rs":%s,"udp_flows":%s,"udp_payload":%s}\n' \
	"$SECS" "$RUNS" "$NRS" "$UDP_FLOWS" "$UDP_PAYLOAD" >>"$OUT"
ANY_FAILED=0
for ((s = 0; s < ${#SCENARIOS[@]}; s++)); do
	IFS=: read -r name label udp <<<"${SCENARIOS[$s]}"
	[ ${#ONLY[@]} -eq 0 ] || [[ " ${ONLY[*]} " == *" $name "* ]] || continue
	run_scenario "$s" "$name" "$label" "$udp"
done
exit "$ANY_FAILED"
