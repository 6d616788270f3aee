# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Namespace topologies shared by the e2e tests and scripts/demo.sh: a client,
# a director and real servers, with the servers of tests/e2e/servers on the
# VIP. Source tests/harness/lib.sh first, then this file.
#
#   topo_selftest [MTU]   client -- director -- rs1   (the shape of the
#                         kernel's IPVS selftest, tools/testing/selftests/
#                         net/netfilter/ipvs.sh); MTU on the director->RS link
#   topo_cluster [MTU] [N]  client -- director -- bridge (ns "sw") -- rs1..rsN
#                         (N=3); the RS share the director's L2 segment, as DR
#                         needs; MTU on every link of that segment
#
# Addresses (all inside the namespaces):
#   client  c0 10.99.1.1/24                 route VIP and 10.99.2/24 via the director
#   dir     d0 10.99.1.2/24, d1 10.99.2.1/24  ip_forward=1
#   rsN     r0 10.99.2.(10+N)/24            route 10.99.1/24 via the director
# No namespace gets a default route: every route names the subnet it needs.

VIP=10.99.100.1
CLIENT_IP=10.99.1.1
DIR_C_IP=10.99.1.2
DIR_R_IP=10.99.2.1
RS_NET=10.99.2.0/24
CLIENT_NET=10.99.1.0/24
HTTP_PORT=80
ECHO_PORT=7000
UDP_PORT=7001
E2E_DIR=$XVS_TOP/tests/e2e
SERVERS=$E2E_DIR/servers

rs_ip() { echo "10.99.2.$((10 + $1))"; }

# ns_sysctl NS key=value...: set sysctls in a namespace, quietly; fails loudly.
ns_sysctl() {
	local n=$1 kv
	shift
	for kv in "$@"; do
		nsx "$n" sysctl -qw "$kv" || { echo "# cannot set $kv in $n" >&2; return 1; }
	done
}

# _ip ARGS: ip(8) for the topology builders, which report any failure at
# the end (_topo_finish) instead of building half a topology silently.
_topo_err=0
_ip() { ip "$@" || { echo "# topology: ip $* failed" >&2; _topo_err=1; }; }

# rp_filter is set explicitly on all, default and every interface: the
# effective value is the maximum of "all" and the interface's own.
_topo_rp_filter() {	# ns value
	local n=$1 v=$2 ifc
	ns_sysctl "$n" net.ipv4.conf.all.rp_filter="$v" net.ipv4.conf.default.rp_filter="$v" || _topo_err=1
	for ifc in $(nsx "$n" ls /proc/sys/net/ipv4/conf); do
		case $ifc in all|default) continue ;; esac
		ns_sysctl "$n" "net.ipv4.conf.$ifc.rp_filter=$v" || _topo_err=1
	done
}

_topo_finish() {	# rs names...
	local r
	_ip -n "$(ns_name client)" addr add "$CLIENT_IP/24" dev c0
	_ip -n "$(ns_name client)" route add "$VIP/32" via "$DIR_C_IP"
	_ip -n "$(ns_name client)" route add "$RS_NET" via "$DIR_C_IP"
	_ip -n "$(ns_name dir)" addr add "$DIR_C_IP/24" dev d0
	_ip -n "$(ns_name dir)" addr add "$DIR_R_IP/24" dev d1
	ns_sysctl dir net.ipv4.ip_forward=1 || _topo_err=1
	# RS replies (source VIP) cross the director as plain routed traffic,
	# and the director has no route back to the VIP: no reverse-path check.
	_topo_rp_filter dir 0
	_topo_rp_filter client 1
	for r in "$@"; do
		_ip -n "$(ns_name "$r")" route add "$CLIENT_NET" via "$DIR_R_IP"
		# strict: what reaches the RS (DR frames, decapsulated TUN packets)
		# arrives on the interface that routes back to the client
		_topo_rp_filter "$r" 1
	done
	[ "$_topo_err" -eq 0 ] && _topo_contained
}

# Traffic must stay inside the test's namespaces: none of them may have a
# default route (reliability.md §2 rules).
_topo_contained() {
	local n
	for n in "${_namespaces[@]}"; do
		if [ -n "$(ip -n "$n" route show default)" ]; then
			echo "# namespace $n has a default route" >&2
			return 1
		fi
	done
}

topo_selftest() {	# [mtu of the director->RS link]
	local mtu=${1:-1500}
	ns_new client
	ns_new dir
	ns_new rs1
	veth client c0 dir d0
	veth dir d1 rs1 r0
	_ip -n "$(ns_name dir)" link set d1 mtu "$mtu"
	_ip -n "$(ns_name rs1)" link set r0 mtu "$mtu"
	_ip -n "$(ns_name rs1)" addr add "$(rs_ip 1)/24" dev r0
	_topo_finish rs1
}

topo_cluster() {	# [mtu of the RS segment] [number of RS]
	local mtu=${1:-1500} nrs=${2:-3} i r rs=()
	ns_new client
	ns_new dir
	ns_new sw
	_ip -n "$(ns_name sw)" link add br0 type bridge
	veth dir d1 sw p0
	for ((i = 1; i <= nrs; i++)); do
		ns_new "rs$i"
		veth "rs$i" r0 sw "p$i"
		_ip -n "$(ns_name "rs$i")" addr add "$(rs_ip "$i")/24" dev r0
		rs+=("rs$i")
	done
	veth client c0 dir d0
	_ip -n "$(ns_name dir)" link set d1 mtu "$mtu"
	for ((i = 0; i <= nrs; i++)); do
		_ip -n "$(ns_name sw)" link set "p$i" mtu "$mtu" master br0
	done
	for r in "${rs[@]}"; do _ip -n "$(ns_name "$r")" link set r0 mtu "$mtu"; done
	_ip -n "$(ns_name sw)" link set br0 up
	_topo_finish "${rs[@]}"
}

# rs_serve NAME: start rs_server.py in RS namespace NAME on the VIP (HTTP on
# HTTP_PORT serving $TMPD/www, TCP echo on ECHO_PORT, UDP on UDP_PORT) and
# wait until it listens.
rs_serve() {
	local n=$1 ready="$TMPD/$1.ready"
	mkdir -p "$TMPD/www"
	rm -f "$ready"
	bg "$n" "$PY" "$SERVERS/rs_server.py" --name "$n" --addr "$VIP" \
		--http "$HTTP_PORT" --echo "$ECHO_PORT" --udp "$UDP_PORT" \
		--root "$TMPD/www" --ready "$ready" >>"$TMPD/$n.log" 2>&1
	wait_for 10 test -e "$ready" || { echo "# $n: server did not start:" >&2; sed 's/^/#   /' "$TMPD/$n.log" >&2; return 1; }
}

# rs_up NAME MODE [xvs-rs options]: configure RS NAME for dr|tun on the VIP.
rs_up() { local n=$1 m=$2; shift 2; xvs_rs "$n" up --mode "$m" --vip "$VIP" "$@"; }

# cluster_rs_ready MODE [N]: rs1..rsN (default 3) prepared for MODE by xvs-rs
# and serving on the VIP, each step reported as a test.
cluster_rs_ready() {
	local m=$1 i
	for ((i = 1; i <= ${2:-3}; i++)); do
		check "rs$i: xvs-rs up --mode $m" rs_up "rs$i" "$m"
		check "rs$i: server on the VIP" rs_serve "rs$i"
	done
}

# client_whoami N [PORT]: N HTTP requests to the VIP, one line per answer.
client_whoami() { nsx client "$PY" "$SERVERS/client.py" whoami "$VIP" "${2:-$HTTP_PORT}" "$1"; }
# client_udp N: N UDP datagrams to the VIP, one line per answer.
client_udp() { nsx client "$PY" "$SERVERS/client.py" udp "$VIP" "$UDP_PORT" "$1"; }

# count_rs FILE: "rs1=N rs2=N ..." from client answers, sorted by name;
# only names that answered appear.
count_rs() { awk '$1 ~ /^rs[0-9]+$/ { n[$1]++ } END { for (r in n) print r "=" n[r] }' "$1" | sort | xargs; }

# ipvsadm prints large counters as 123K / 45M / 6G.
_num() { awk -v v="$1" 'BEGIN { m = 1; if (v ~ /K$/) m = 1000; else if (v ~ /M$/) m = 1000000; else if (v ~ /G$/) m = 1000000000; sub(/[KMG]$/, "", v); printf "%d\n", v * m }'; }

# stats_field PROTO VIP:PORT [RIP:PORT] FIELD: one counter from the
# director's `xvsadm -L -n --stats` (FIELD: Conns InPkts OutPkts InBytes
# OutBytes); of the service, or of one of its real servers. Prints nothing
# when the line is missing.
stats_field() {
	local proto=$1 svc=$2 dest="" field col v
	if [ $# -eq 4 ]; then dest=$3; field=$4; else field=$3; fi
	case $field in
	Conns) col=1 ;; InPkts) col=2 ;; OutPkts) col=3 ;; InBytes) col=4 ;; OutBytes) col=5 ;;
	*) echo "stats_field: unknown field $field" >&2; return 1 ;;
	esac
	v=$(xvsadm dir -L -n --stats | awk -v p="$proto" -v s="$svc" -v d="$dest" -v c="$col" '
		$1 == p { insvc = ($2 == s); if (insvc && d == "") { print $(2 + c); exit } next }
		$1 == "->" && insvc && $2 == d { print $(2 + c); exit }
		$1 != "->" { insvc = 0 }')
	[ -n "$v" ] && _num "$v"
}

# counter NAME: one data-plane counter of the director (`xvsadm -L
# --counters`, lines "name value"); prints nothing when it is missing.
counter() { xvsadm dir -L --counters | awk -v n="$1" '$1 == n { print $2; exit }'; }

# conn_entries PROTO VIP:PORT RIP:PORT: how many `xvsadm -L -n -c` entries
# go from the real client to that real server.
conn_entries() {
	xvsadm dir -L -n -c | awk -v p="$1" -v v="$2" -v d="$3" -v c="$CLIENT_IP" '
		$1 == p && $5 == v && $6 == d { split($4, a, ":"); if (a[1] == c) n++ }
		END { print n + 0 }'
}

# stats_agree PROTO SVC RIP FIELD: the service's and the real server's
# counter are equal (the service has this one real server).
stats_agree() {
	local a b
	a=$(stats_field "$1" "$2" "$4")
	b=$(stats_field "$1" "$2" "$3" "$4")
	[ -n "$a" ] && [ "$a" = "$b" ]
}

# fwd_counts_svc_pkts COUNTER "PROTO SVC"...: the data-plane counter equals
# the sum of the services' InPkts.
fwd_counts_svc_pkts() {
	local c=$1 sum=0 v s
	shift
	for s in "$@"; do
		# shellcheck disable=SC2086
		v=$(stats_field $s InPkts)
		[ -n "$v" ] || return 1
		sum=$((sum + v))
	done
	[ "$(counter "$c")" = "$sum" ]
}

# Native XDP on veth: the receiving peer of XDP_REDIRECT/XDP_TX needs an XDP
# program (ecosystem.md §1); the RS decap object passes what it does not own.
RS_BPF_OBJ=$XVS_BUILD/bpf/xvs_rs.bpf.o
xdp_prepare_peer() {	# ns ifname
	ip -n "$(ns_name "$1")" link set dev "$2" xdpdrv obj "$RS_BPF_OBJ" sec "${RS_XDP_SEC:-xdp}"
}
# Locally generated TCP from this interface crosses native XDP_REDIRECT: the
# partial checksum would be lost, so compute it in software.
tx_csum_off() { nsx "$1" ethtool -K "$2" tx off >/dev/null; }

# ---- checks shared by several tests

# no_errors FILE: the client printed no failed request.
no_errors() { ! grep -q '^ERROR' "$1"; }

# all_from_client FILE: every answer says the RS saw the real client address.
all_from_client() { awk -v c="$CLIENT_IP" '{ split($2, a, ":"); if (a[1] != c) bad = 1 } END { exit bad || NR == 0 }' "$1"; }

# fwd_method_is SVC RIP:PORT NAME: `xvsadm -L -n` lists the real server with
# that forwarding name (Route, Tunnel, ...).
fwd_method_is() {
	xvsadm dir -L -n | awk -v s="$1" -v d="$2" -v f="$3" '
		$2 == s { insvc = 1; next }
		$1 == "->" && insvc && $2 == d { found = ($3 == f) }
		$1 != "->" { insvc = 0 }
		END { exit !found }'
}

# http_get_sha NS URL FILE: fetch URL from namespace NS with curl into
# $TMPD/got and compare its sha256 with FILE's.
http_get_sha() {
	rm -f "$TMPD/got"
	nsx "$1" curl -sS --noproxy '*' --max-time 15 -o "$TMPD/got" "$2" || return 1
	[ "$(sha256sum <"$TMPD/got")" = "$(sha256sum <"$3")" ]
}

# ping_from NS ADDR: two pings answered.
ping_from() { nsx "$1" ping -q -c 2 -i 0.2 -W 2 "$2" >/dev/null; }

# make_blob BYTES: random content served by every rs_serve as /blob.bin.
make_blob() { mkdir -p "$TMPD/www" && head -c "$1" /dev/urandom >"$TMPD/www/blob.bin"; }

# scenario_selftest dr|tun: the body of t_selftest_dr.sh / t_selftest_tun.sh.
scenario_selftest() {
	local mode=$1 flag mtu fwd rip other
	case $mode in
	dr)  flag=-g; fwd=Route; mtu=1500; other=tun ;;
	tun) flag=-i; fwd=Tunnel; mtu=1600; other=dr ;;	# room for the outer header
	esac
	rip=$(rs_ip 1)
	topo_selftest "$mtu" || { not_ok "topology"; return; }
	make_blob 204800

	check "xvs-rs up --mode $mode" rs_up rs1 "$mode"
	check "rs1: VIP on lo" eval "ip -n $(ns_name rs1) -4 addr show dev lo | grep -q 'inet $VIP/32'"
	check "rs1: arp_ignore=1 arp_announce=2" eval \
		"[ \"\$(nsx rs1 sysctl -n net.ipv4.conf.all.arp_ignore)\" = 1 ] && [ \"\$(nsx rs1 sysctl -n net.ipv4.conf.all.arp_announce)\" = 2 ]"
	check "rs1: server on the VIP" rs_serve rs1

	check "-A TCP service" xvsadm dir -A -t "$VIP:$HTTP_PORT" -s rr
	check "-a TCP real server $flag" xvsadm dir -a -t "$VIP:$HTTP_PORT" -r "$rip:$HTTP_PORT" "$flag" -w 1
	check "-A UDP service" xvsadm dir -A -u "$VIP:$UDP_PORT" -s rr
	check "-a UDP real server $flag" xvsadm dir -a -u "$VIP:$UDP_PORT" -r "$rip:$UDP_PORT" "$flag" -w 1
	check "-L -n shows $fwd" fwd_method_is "$VIP:$HTTP_PORT" "$rip:$HTTP_PORT" "$fwd"

	check "TCP: 200 KB HTTP GET through the VIP, sha256 matches" \
		http_get_sha client "http://$VIP:$HTTP_PORT/blob.bin" "$TMPD/www/blob.bin"
	client_whoami 1 >"$TMPD/who" 2>&1
	check "TCP: rs1 answered and saw the real client address" \
		eval "no_errors $TMPD/who && grep -q '^rs1 ' $TMPD/who && all_from_client $TMPD/who"
	client_udp 3 >"$TMPD/udp" 2>&1
	check "UDP: 3 datagrams answered by rs1, which saw the real client" \
		eval "no_errors $TMPD/udp && [ \$(grep -c '^rs1 ' $TMPD/udp) = 3 ] && all_from_client $TMPD/udp"

	local conns inpkts dconns uconns
	conns=$(stats_field TCP "$VIP:$HTTP_PORT" Conns)
	inpkts=$(stats_field TCP "$VIP:$HTTP_PORT" InPkts)
	dconns=$(stats_field TCP "$VIP:$HTTP_PORT" "$rip:$HTTP_PORT" Conns)
	uconns=$(stats_field UDP "$VIP:$UDP_PORT" Conns)
	check "--stats: TCP service counted 2 connections (got '$conns')" [ "${conns:-x}" = 2 ]
	check "--stats: TCP real server counted 2 connections (got '$dconns')" [ "${dconns:-x}" = 2 ]
	# the 200 KB download alone takes well over 20 client->server packets
	# two connections: at least handshake, request, ACKs of 200 KB and close
	check "--stats: TCP service counted the client's packets (got '$inpkts')" [ "${inpkts:-0}" -ge 10 ]
	# the last ACKs of a close may still be on their way: poll, do not sleep
	check "--stats: the real server's InPkts equal the service's" \
		wait_for 5 stats_agree TCP "$VIP:$HTTP_PORT" "$rip:$HTTP_PORT" InPkts
	check "--stats: UDP service counted 3 connections (got '$uconns')" [ "${uconns:-x}" = 3 ]
	local centries ucentries other_n
	centries=$(conn_entries TCP "$VIP:$HTTP_PORT" "$rip:$HTTP_PORT")
	ucentries=$(conn_entries UDP "$VIP:$UDP_PORT" "$rip:$UDP_PORT")
	check "-L -n -c: 2 TCP entries client -> VIP -> rs1 (got $centries)" [ "$centries" = 2 ]
	check "-L -n -c: 3 UDP entries client -> VIP -> rs1 (got $ucentries)" [ "$ucentries" = 3 ]
	# every client packet of the two services went out by $mode
	check "--counters: fwd_$mode equals the services' InPkts" \
		wait_for 5 fwd_counts_svc_pkts "fwd_$mode" "TCP $VIP:$HTTP_PORT" "UDP $VIP:$UDP_PORT"
	other_n=$(counter "fwd_$other")
	check "--counters: fwd_$other is 0 (got '$other_n')" [ "${other_n:-x}" = 0 ]
	# the control plane resolved rs1's neighbour entry when it was added
	other_n=$(counter drop_no_neighbour)
	check "--counters: no packet waited for a neighbour (drop_no_neighbour '$other_n')" [ "${other_n:-x}" = 0 ]

	# traffic that is not for a service crosses or reaches the director as usual
	check "non-service: ping the director" ping_from client "$DIR_C_IP"
	check "non-service: ping rs1 through the director" ping_from client "$rip"
	bg dir "$PY" -m http.server 8080 --bind "$DIR_C_IP" --directory "$TMPD/www" >/dev/null 2>&1
	bg rs1 "$PY" -m http.server 8080 --bind "$rip" --directory "$TMPD/www" >/dev/null 2>&1
	check "non-service: TCP to the director's own port 8080" \
		wait_for 10 http_get_sha client "http://$DIR_C_IP:8080/blob.bin" "$TMPD/www/blob.bin"
	check "non-service: TCP to rs1's own address, routed by the director" \
		wait_for 10 http_get_sha client "http://$rip:8080/blob.bin" "$TMPD/www/blob.bin"
	conns=$(stats_field TCP "$VIP:$HTTP_PORT" Conns)
	check "--stats: non-service traffic did not count as service connections (got '$conns')" [ "${conns:-x}" = 2 ]
}

# ---- NAT and FULLNAT (issue 4): the real servers listen on their own
# address, on ports other than the VIP's (port mapping VIP:80 -> RIP:8080).
NAT_HTTP_PORT=8080
NAT_ECHO_PORT=7070
NAT_UDP_PORT=9001
# FULLNAT local addresses: on the director's RS-side interface (d1), in the
# RS subnet, so the real servers reach them without any route.
LIP1=10.99.2.201
LIP2=10.99.2.202

# rs_serve_on NAME ADDR: rs_server.py in RS namespace NAME on ADDR (HTTP on
# NAT_HTTP_PORT serving $TMPD/www, TCP echo on NAT_ECHO_PORT, UDP on
# NAT_UDP_PORT) and wait until it listens.
rs_serve_on() {
	local n=$1 ready="$TMPD/$1.on.ready"
	mkdir -p "$TMPD/www"
	rm -f "$ready"
	bg "$n" "$PY" "$SERVERS/rs_server.py" --name "$n" --addr "$2" \
		--http "$NAT_HTTP_PORT" --echo "$NAT_ECHO_PORT" --udp "$NAT_UDP_PORT" \
		--root "$TMPD/www" --ready "$ready" >>"$TMPD/$n.log" 2>&1
	wait_for 10 test -e "$ready" || { echo "# $n: server did not start:" >&2; sed 's/^/#   /' "$TMPD/$n.log" >&2; return 1; }
}

# topo_fnat_cluster [N]: topo_cluster (MTU 1500, N real servers, default 2)
# whose real servers have NO route to the client network: only their own
# subnet, where the director's local addresses are.
topo_fnat_cluster() {
	local nrs=${1:-2} i
	topo_cluster 1500 "$nrs" || return 1
	for ((i = 1; i <= nrs; i++)); do
		_ip -n "$(ns_name "rs$i")" route del "$CLIENT_NET" via "$DIR_R_IP"
	done
	[ "$_topo_err" -eq 0 ]
}

# topo_routed [MTU]: client -- director -- router (ns "rtr") -- rs1, every
# link MTU 1500, but the router's route to the RS subnet has MTU MTU (1400),
# as if a tunnel were on the way that the RS does not know of: the RS
# advertises MSS 1460, so full-size packets toward it get ICMP
# fragmentation-needed from the router (to the client in NAT, to the local
# address in FULLNAT), which the director must translate.
#   dir d1 10.99.2.1/24 -- rtr g0 10.99.2.2/24
#   rtr g1 10.99.3.1/24 -- rs1 r0 10.99.3.11/24
# rs1 routes only the director's subnet (the local addresses) via the
# router; a NAT test adds the client network (routed_rs_client_route).
RTR_D_IP=10.99.2.2
RTR_R_IP=10.99.3.1
ROUTED_NET=10.99.3.0/24
ROUTED_RS_IP=10.99.3.11
topo_routed() {
	local mtu=${1:-1400}
	ns_new client
	ns_new dir
	ns_new rtr
	ns_new rs1
	veth client c0 dir d0
	veth dir d1 rtr g0
	veth rtr g1 rs1 r0
	_ip -n "$(ns_name rtr)" addr add "$RTR_D_IP/24" dev g0
	_ip -n "$(ns_name rtr)" addr add "$RTR_R_IP/24" dev g1
	_ip -n "$(ns_name rtr)" route replace "$ROUTED_NET" dev g1 proto kernel scope link src "$RTR_R_IP" mtu lock "$mtu"
	_ip -n "$(ns_name rtr)" route add "$CLIENT_NET" via "$DIR_R_IP"
	ns_sysctl rtr net.ipv4.ip_forward=1 || _topo_err=1
	_topo_rp_filter rtr 1
	_ip -n "$(ns_name rs1)" addr add "$ROUTED_RS_IP/24" dev r0
	_ip -n "$(ns_name rs1)" route add "$RS_NET" via "$RTR_R_IP"
	_topo_rp_filter rs1 1
	_topo_finish
	_ip -n "$(ns_name dir)" route add "$ROUTED_NET" via "$RTR_D_IP"
	_ip -n "$(ns_name client)" route add "$ROUTED_NET" via "$DIR_C_IP"
	[ "$_topo_err" -eq 0 ]
}
# routed_rs_client_route add|del: rs1's route to the client network via the
# router (NAT needs it; FULLNAT must work without it).
routed_rs_client_route() { ip -n "$(ns_name rs1)" route "$1" "$CLIENT_NET" via "$RTR_R_IP"; }

# csum_errors NS: the namespace's TCP + UDP + ICMP InCsumErrors
# (/proc/net/snmp): packets its kernel dropped for a bad checksum.
csum_errors() {
	nsx "$1" awk '
		$1 ~ /^(Tcp|Udp|Icmp):$/ && !($1 in hdr) { hdr[$1] = 1; for (i = 2; i <= NF; i++) col[$1, i] = $i; next }
		$1 ~ /^(Tcp|Udp|Icmp):$/ { for (i = 2; i <= NF; i++) if (col[$1, i] == "InCsumErrors") n += $i }
		END { print n + 0 }' /proc/net/snmp
}

# offloads on|off NS:IF...: tx and rx checksum offload on the given veths
# (off: the sender computes full checksums, the receiver verifies them).
offloads() {
	local v=$1 e
	shift
	for e in "$@"; do
		nsx "${e%%:*}" ethtool -K "${e#*:}" tx "$v" rx "$v" >/dev/null 2>&1 || return 1
	done
}

# audit_start NS IF / audit_end NS IF: csum_audit.py on interface IF of
# namespace NS from start to end; audit_end prints its summary ("full N
# partial N bad N", and "BAD ..." lines) and fails if a packet was bad or
# none was seen.
audit_start() {
	local f="$TMPD/audit.$1.$2"
	rm -f "$f.ready" "$f.stop" "$f.out"
	bg "$1" "$PY" "$SERVERS/csum_audit.py" "$2" --ready "$f.ready" --stop "$f.stop" >"$f.out" 2>&1
	wait_for 15 test -e "$f.ready"
}
audit_end() {
	local f="$TMPD/audit.$1.$2"
	touch "$f.stop"
	wait_for 10 grep -q '^full ' "$f.out"
	cat "$f.out"
	grep -q '^full [0-9]* partial [0-9]* bad 0$' "$f.out" && ! grep -q '^full 0 partial 0 ' "$f.out"
}
# audit_checksums LABEL NS IF: audit_end as one test, bad packets shown.
audit_checksums() {
	local out
	if out=$(audit_end "$2" "$3" 2>&1); then
		ok "$1: every TCP/UDP checksum valid or a correct partial sum (${out##*$'\n'})"
	else
		not_ok "$1: every TCP/UDP checksum valid or a correct partial sum" "$out"
	fi
}

# topo_ha [N]: two directors on one LAN (ns "sw" bridges everything) with
# the client and rs1..rsN (N=2), for director failover with a floating VIP
# (keepalived's VRRP adds it to the master's e0). DR needs nothing else:
# the real servers hold the VIP on lo and answer the client directly.
#   client c0 10.99.1.1/24, VIP on-link (route VIP dev c0)
#   dir1 e0 10.99.1.2/24, dir2 e0 10.99.1.3/24
#   rsN  r0 10.99.1.(10+N)/24
HA_DIR1_IP=10.99.1.2
HA_DIR2_IP=10.99.1.3
ha_rs_ip() { echo "10.99.1.$((10 + $1))"; }
topo_ha() {
	local nrs=${1:-2} i n
	ns_new sw
	_ip -n "$(ns_name sw)" link add br0 type bridge
	ns_new client
	veth client c0 sw p0
	_ip -n "$(ns_name client)" addr add "$CLIENT_IP/24" dev c0
	_ip -n "$(ns_name client)" route add "$VIP/32" dev c0
	_topo_rp_filter client 1
	for i in 1 2; do
		ns_new "dir$i"
		veth "dir$i" e0 sw "pd$i"
		_topo_rp_filter "dir$i" 0
	done
	_ip -n "$(ns_name dir1)" addr add "$HA_DIR1_IP/24" dev e0
	_ip -n "$(ns_name dir2)" addr add "$HA_DIR2_IP/24" dev e0
	for ((i = 1; i <= nrs; i++)); do
		ns_new "rs$i"
		veth "rs$i" r0 sw "p$i"
		_ip -n "$(ns_name "rs$i")" addr add "$(ha_rs_ip "$i")/24" dev r0
		_topo_rp_filter "rs$i" 1
	done
	for n in $(ip -n "$(ns_name sw)" -o link show | awk -F': ' '$2 ~ /^p/ { sub(/@.*/, "", $2); print $2 }'); do
		_ip -n "$(ns_name sw)" link set "$n" master br0
	done
	_ip -n "$(ns_name sw)" link set br0 up
	[ "$_topo_err" -eq 0 ] && _topo_contained
}
