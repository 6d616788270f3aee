#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# LVS-FULLNAT end to end: two real servers with NO route to the client
# network, a pool of two local addresses on the director's RS-side
# interface (xvsadm -P), xvs-rs up --mode fullnat on each, an unmodified
# python3 -m http.server on each RS address. 100 connections all answered,
# by both servers; the kernel's peer of each RS socket is a local address
# (ss), both local addresses in use, while http.server logs the real client
# address (TOA read by xvs-rs); UDP echo sees a local address (no TOA for
# UDP). Twice: checksum offload on and off, with a checksum audit on the
# receivers and no InCsumErrors anywhere.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl ss sha256sum ethtool

NCONN=100
NHOLD=4
SVC_HTTP="$VIP:$HTTP_PORT" SVC_UDP="$VIP:$UDP_PORT"
RIPS=("$(rs_ip 1)" "$(rs_ip 2)")

topo_fnat_cluster 2 || { not_ok "topology"; done_testing; exit 1; }
make_blob 204800
for i in 1 2; do
	check "rs$i: no route to the client network" eval "! nsx rs$i ip route get $CLIENT_IP >/dev/null 2>&1"
	check "rs$i: xvs-rs up --mode fullnat" eval "xvs_rs rs$i up --mode fullnat >$TMPD/rs$i.up 2>&1"
	mkdir -p "$TMPD/www-rs$i"
	echo "rs$i" >"$TMPD/www-rs$i/name.txt"
	cp "$TMPD/www/blob.bin" "$TMPD/www-rs$i/"
	# unmodified: the standard library's server, logging each request's peer
	bg "rs$i" /usr/bin/python3 -u -m http.server "$NAT_HTTP_PORT" --bind "$(rs_ip $i)" \
		--directory "$TMPD/www-rs$i" >"$TMPD/http-rs$i.log" 2>&1
	check "rs$i: python3 -m http.server listening on $(rs_ip $i):$NAT_HTTP_PORT" \
		wait_for 10 eval "nsx rs$i ss -tlnH 'sport = :$NAT_HTTP_PORT' | grep -q LISTEN"
	bg "rs$i" "$PY" "$SERVERS/rs_server.py" --name "rs$i" --addr "$(rs_ip $i)" \
		--udp "$NAT_UDP_PORT" --ready "$TMPD/udp-rs$i.ready" >>"$TMPD/rs$i.log" 2>&1
	check "rs$i: UDP echo on $(rs_ip $i):$NAT_UDP_PORT" wait_for 10 test -e "$TMPD/udp-rs$i.ready"
done

check "-A TCP $SVC_HTTP" xvsadm dir -A -t "$SVC_HTTP" -s rr
check "-A UDP $SVC_UDP" xvsadm dir -A -u "$SVC_UDP" -s rr
for rip in "${RIPS[@]}"; do
	check "-a TCP -r $rip:$NAT_HTTP_PORT -b" xvsadm dir -a -t "$SVC_HTTP" -r "$rip:$NAT_HTTP_PORT" -b -w 1
	check "-a UDP -r $rip:$NAT_UDP_PORT -b" xvsadm dir -a -u "$SVC_UDP" -r "$rip:$NAT_UDP_PORT" -b -w 1
done
for lip in "$LIP1" "$LIP2"; do
	check "-P -t $SVC_HTTP -z $lip -F d1" xvsadm dir -P -t "$SVC_HTTP" -z "$lip" -F d1
	check "-P -u $SVC_UDP -z $lip -F d1" xvsadm dir -P -u "$SVC_UDP" -z "$lip" -F d1
	check "director: $lip/32 on d1" eval "ip -n $(ns_name dir) -4 addr show dev d1 | grep -q 'inet $lip/32'"
done
check "-L -n shows FullNat" fwd_method_is "$SVC_HTTP" "${RIPS[0]}:$NAT_HTTP_PORT" FullNat
check "-G lists both local addresses" eval "xvsadm dir -G | grep -q '^ *$LIP1 ' && xvsadm dir -G | grep -q '^ *$LIP2 '"

# laddr_conns LIP: -G's CONNS of the TCP service's local address LIP.
laddr_conns() {
	xvsadm dir -G -t "$SVC_HTTP" | awk -v l="$1" '$1 == l { print $3; exit }'
}
# log_lines RS: requests http.server on RS has logged so far.
log_lines() { grep -c '"GET ' "$TMPD/http-$1.log"; }
# established_peers RS: the kernel's peer address of each established
# connection to RS's http.server (what is in the packets; no hook applies).
established_peers() {
	nsx "$1" ss -tnH state established "( sport = :$NAT_HTTP_PORT )" | awk '{ split($4, a, ":"); print a[1] }'
}
# proc_tcp_peers RS ADDR...: sockets in RS's /proc/net/tcp whose remote
# address is one of ADDR (the file holds it as little-endian hex).
proc_tcp_peers() {
	local n=$1 a hex=()
	shift
	for a in "$@"; do
		IFS=. read -r b1 b2 b3 b4 <<<"$a"
		hex+=("$(printf '%02X%02X%02X%02X' "$b4" "$b3" "$b2" "$b1")")
	done
	nsx "$n" awk -v h="${hex[*]}" 'NR > 1 { split($3, r, ":"); if (index(" " h " ", " " r[1] " ")) n++ } END { print n + 0 }' /proc/net/tcp
}
count_peers() { local n; n=$( { established_peers rs1; established_peers rs2; } | wc -l); [ "$n" -ge "$1" ]; }

fnat_pass() {
	local o=$1 t="[offload $1]" v k l0=() l1 peers out
	check "$t ethtool -K tx $o rx $o on client c0, rs1 r0, rs2 r0" offloads "$o" client:c0 rs1:r0 rs2:r0
	check "$t checksum audit on rs1 r0, rs2 r0, client c0" \
		eval "audit_start rs1 r0 && audit_start rs2 r0 && audit_start client c0"
	declare -A c0 c1
	for k in fwd_fullnat reply_fullnat toa_added drop_no_local_port drop_no_local_address; do c0[$k]=$(counter "$k"); done
	l0=("$(log_lines rs1)" "$(log_lines rs2)")

	# NCONN sequential connections, each a fresh curl
	nsx client bash -c "for i in \$(seq $NCONN); do curl -sS --noproxy '*' --max-time 5 http://$SVC_HTTP/name.txt || echo ERROR; done" \
		>"$TMPD/answers" 2>&1
	check "$t $NCONN connections through the VIP all answered ($(grep -c ERROR "$TMPD/answers") failed)" \
		eval "[ \$(grep -c '^rs[12]$' $TMPD/answers) = $NCONN ] && ! grep -q ERROR $TMPD/answers"
	check "$t rr: each RS answered half ($(count_rs "$TMPD/answers"))" \
		[ "$(count_rs "$TMPD/answers")" = "rs1=$((NCONN / 2)) rs2=$((NCONN / 2))" ]
	check "$t TCP: 200 KB download through the VIP, sha256 matches" \
		http_get_sha client "http://$SVC_HTTP/blob.bin" "$TMPD/www/blob.bin"
	l1=$(( $(log_lines rs1) - l0[0] + $(log_lines rs2) - l0[1] ))
	check "$t http.server logged $((NCONN + 1)) requests (got $l1)" [ "$l1" = $((NCONN + 1)) ]
	out=$(tail -q -n $((NCONN + 1)) "$TMPD/http-rs1.log" "$TMPD/http-rs2.log" | grep '"GET ' | awk '{ print $1 }' | sort | uniq -c | xargs)
	check "$t http.server logged the real client $CLIENT_IP for every request, never a local address ($out)" \
		eval "! grep '\"GET ' $TMPD/http-rs1.log $TMPD/http-rs2.log | grep -v ':$CLIENT_IP - - '"

	# held connections: the kernel's peer is a local address, both in use
	rm -f "$TMPD/hold.ready" "$TMPD/hold.stop"
	bg client "$PY" "$SERVERS/hold.py" "$VIP" "$HTTP_PORT" "$NHOLD" /name.txt \
		--ready "$TMPD/hold.ready" --stop "$TMPD/hold.stop" >"$TMPD/hold.out" 2>&1
	check "$t $NHOLD held connections established" wait_for 10 test -e "$TMPD/hold.ready"
	check "$t the real servers hold $NHOLD established connections" wait_for 5 count_peers "$NHOLD"
	peers=$( { established_peers rs1; established_peers rs2; } | sort | uniq -c | xargs)
	check "$t ss on the RS: every peer is a local address, both used ($peers)" \
		eval "[ \"\$( { established_peers rs1; established_peers rs2; } | sort -u | xargs)\" = '$LIP1 $LIP2' ]"
	check "$t /proc/net/tcp on the RS agrees: $NHOLD peers are local addresses, none the client" \
		eval "[ \$(( \$(proc_tcp_peers rs1 $LIP1 $LIP2) + \$(proc_tcp_peers rs2 $LIP1 $LIP2) )) -ge $NHOLD ] && [ \$(( \$(proc_tcp_peers rs1 $CLIENT_IP) + \$(proc_tcp_peers rs2 $CLIENT_IP) )) = 0 ]"
	check "$t -G: both local addresses carry connections ($LIP1 $(laddr_conns "$LIP1"), $LIP2 $(laddr_conns "$LIP2"))" \
		eval "[ \"\$(laddr_conns $LIP1)\" -gt 0 ] && [ \"\$(laddr_conns $LIP2)\" -gt 0 ]"
	touch "$TMPD/hold.stop"
	check "$t the held requests complete" wait_for 10 eval "[ \$(grep -c '^[0-9]* rs[12]$' $TMPD/hold.out) = $NHOLD ]"
	check "$t http.server logged the held requests from the real client too" \
		wait_for 5 eval "[ \$(grep -c '\"GET /name.txt HTTP/1.0\" 200' $TMPD/http-rs1.log $TMPD/http-rs2.log | awk -F: '{ n += \$2 } END { print n }') -ge $NHOLD ] && ! grep '\"GET ' $TMPD/http-rs1.log $TMPD/http-rs2.log | grep -v ':$CLIENT_IP - - '"

	# UDP: no TOA, so the real server sees a local address
	nsx client "$PY" "$SERVERS/client.py" udp "$VIP" "$UDP_PORT" 4 >"$TMPD/udp" 2>&1
	out=$(awk '{ split($2, a, ":"); print $1, a[1] }' "$TMPD/udp" | sort | uniq -c | xargs)
	check "$t UDP: 4 datagrams echoed by both RS, each seeing a local address ($out)" \
		eval "no_errors $TMPD/udp && [ \$(awk '{ split(\$2, a, \":\"); if (a[1] == \"$LIP1\" || a[1] == \"$LIP2\") n++ } END { print n + 0 }' $TMPD/udp) = 4 ] && [ \"\$(count_rs $TMPD/udp)\" = 'rs1=2 rs2=2' ]"

	for k in fwd_fullnat reply_fullnat toa_added drop_no_local_port drop_no_local_address; do c1[$k]=$(counter "$k"); done
	check "$t --counters: fwd_fullnat and reply_fullnat grew" \
		eval "[ ${c1[fwd_fullnat]:-0} -gt ${c0[fwd_fullnat]:-0} ] && [ ${c1[reply_fullnat]:-0} -gt ${c0[reply_fullnat]:-0} ]"
	v=$(( ${c1[toa_added]:-0} - ${c0[toa_added]:-0} ))
	check "$t --counters: toa_added counted one per TCP connection ($v of $((NCONN + 1 + NHOLD)))" [ "$v" = $((NCONN + 1 + NHOLD)) ]
	check "$t --counters: nothing dropped for lack of a local address or port" \
		eval "[ '${c1[drop_no_local_port]}' = '${c0[drop_no_local_port]}' ] && [ '${c1[drop_no_local_address]}' = '${c0[drop_no_local_address]}' ]"
	v=$(stats_field TCP "$SVC_HTTP" OutBytes)
	check "$t --stats: TCP OutBytes hold the 200 KB download ($v)" [ "${v:-0}" -ge 204800 ]

	for v in rs1:r0 rs2:r0 client:c0; do audit_checksums "$t $v" "${v%:*}" "${v#*:}"; done
	for v in client rs1 rs2; do
		check "$t $v: no checksum errors (InCsumErrors $(csum_errors $v))" [ "$(csum_errors $v)" = 0 ]
	done
}

fnat_pass on
fnat_pass off
done_testing
