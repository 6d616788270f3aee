#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# LVS-NAT end to end in the kernel IPVS selftest's shape (client, director,
# one real server whose route to the client network is the director), with
# port mapping (VIP:80 -> RIP:8080): a 200 KB download intact, the real
# server sees the client's address, UDP echo, a held connection listed
# ESTABLISHED, --stats both ways. Everything twice: checksum offload on
# (veth default: the client's packets reach the director CHECKSUM_PARTIAL)
# and off (full checksums, verified by every receiver); no namespace may
# count a checksum error.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl ping sha256sum ethtool

RIP=$(rs_ip 1)
SVC_HTTP="$VIP:$HTTP_PORT" SVC_ECHO="$VIP:$ECHO_PORT" SVC_UDP="$VIP:$UDP_PORT"
DST_HTTP="$RIP:$NAT_HTTP_PORT" DST_ECHO="$RIP:$NAT_ECHO_PORT" DST_UDP="$RIP:$NAT_UDP_PORT"

topo_selftest 1500 || { not_ok "topology"; done_testing; exit 1; }
make_blob 204800

check "xvs-rs up --mode nat (nothing to change on the RS)" eval "xvs_rs rs1 up --mode nat >/dev/null"
check "rs1: its route to the client network is the director" \
	eval "nsx rs1 ip route get $CLIENT_IP | grep -q 'via $DIR_R_IP'"
check "rs1: server on its own address $RIP" rs_serve_on rs1 "$RIP"
check "-A TCP $SVC_HTTP" xvsadm dir -A -t "$SVC_HTTP" -s rr
check "-a TCP -r $DST_HTTP -m" xvsadm dir -a -t "$SVC_HTTP" -r "$DST_HTTP" -m -w 1
check "-A TCP $SVC_ECHO" xvsadm dir -A -t "$SVC_ECHO" -s rr
check "-a TCP -r $DST_ECHO -m" xvsadm dir -a -t "$SVC_ECHO" -r "$DST_ECHO" -m -w 1
check "-A UDP $SVC_UDP" xvsadm dir -A -u "$SVC_UDP" -s rr
check "-a UDP -r $DST_UDP -m" xvsadm dir -a -u "$SVC_UDP" -r "$DST_UDP" -m -w 1
check "-L -n shows Masq" fwd_method_is "$SVC_HTTP" "$DST_HTTP" Masq

# download_from_port PORT: the 200 KB blob from the VIP with client source
# port PORT (so -L -c can be asked about exactly this connection).
download_from_port() {
	rm -f "$TMPD/got"
	nsx client curl -sS --noproxy '*' --max-time 15 --local-port "$1" \
		-o "$TMPD/got" "http://$SVC_HTTP/blob.bin" || return 1
	[ "$(sha256sum <"$TMPD/got")" = "$(sha256sum <"$TMPD/www/blob.bin")" ]
}

# conn_line PROTO CLIENT_PORT VIRTUAL DEST: the -L -n -c line of one connection.
conn_line() {
	xvsadm dir -L -n -c | awk -v p="$1" -v s="$CLIENT_IP:$2" -v v="$3" -v d="$4" \
		'$1 == p && $4 == s && $5 == v && $6 == d'
}
conn_state_is() { [ "$(conn_line "$@" | awk '{ print $3 }')" = "$5" ]; }

progress_at_least() { local n; n=$(cat "$1" 2>/dev/null); [ "${n:-0}" != FAIL ] && [ "${n:-0}" -ge "$2" ]; }

offload_state() { nsx "$1" ethtool -k "$2" | awk '$1 == "tx-checksumming:" { print $2 }'; }

# nat_pass on|off CLIENT_PORT: the whole scenario with checksum offload as given.
nat_pass() {
	local o=$1 cport=$2 t="[offload $1]" n0 r0 n1 r1 v cp banner
	check "$t ethtool -K tx $o rx $o on client c0 and rs1 r0" offloads "$o" client:c0 rs1:r0
	check "$t client c0 tx-checksumming is $o" [ "$(offload_state client c0)" = "$o" ]
	check "$t -Z zeroes the counters" xvsadm dir -Z
	n0=$(counter fwd_nat) r0=$(counter reply_nat)
	# what the director sends on is audited where it arrives
	check "$t checksum audit listening on rs1 r0 and client c0" eval "audit_start rs1 r0 && audit_start client c0"

	check "$t TCP: 200 KB HTTP GET through the VIP from port $cport, sha256 matches" download_from_port "$cport"
	check "$t -L -n -c: that connection CIP:$cport -> $SVC_HTTP -> $DST_HTTP" \
		eval "[ -n \"\$(conn_line TCP $cport $SVC_HTTP $DST_HTTP)\" ]"
	client_whoami 3 >"$TMPD/who" 2>&1
	check "$t TCP: rs1 answered 3 requests and saw the real client address" \
		eval "no_errors $TMPD/who && [ \$(grep -c '^rs1 ' $TMPD/who) = 3 ] && all_from_client $TMPD/who"
	client_udp 3 >"$TMPD/udp" 2>&1
	check "$t UDP: 3 datagrams echoed by rs1, which saw the real client" \
		eval "no_errors $TMPD/udp && [ \$(grep -c '^rs1 ' $TMPD/udp) = 3 ] && all_from_client $TMPD/udp"

	for v in rs1:r0 client:c0; do
		audit_checksums "$t $v" "${v%:*}" "${v#*:}"
	done

	# a held connection: ESTABLISHED in -L -c while lines go back and forth
	rm -f "$TMPD/chat.stop" "$TMPD/chat.progress"
	bg client "$PY" "$SERVERS/client.py" chat "$VIP" "$ECHO_PORT" \
		--progress "$TMPD/chat.progress" --stop "$TMPD/chat.stop" --interval 0.05 >"$TMPD/chat.out" 2>&1
	check "$t TCP echo: a held connection echoes 20 lines" wait_for 15 progress_at_least "$TMPD/chat.progress" 20
	banner=$(sed -n 's/^banner //p' "$TMPD/chat.out")
	cp=${banner#* }; cp=${cp##*:}
	check "$t TCP echo: rs1 saw the real client ($banner)" eval "[[ '$banner' == 'rs1 $CLIENT_IP:'* ]]"
	check "$t -L -n -c: the held connection is ESTABLISHED" conn_state_is TCP "$cp" "$SVC_ECHO" "$DST_ECHO" ESTABLISHED
	touch "$TMPD/chat.stop"
	check "$t TCP echo: the client ends cleanly, every line echoed" \
		wait_for 10 grep -q '^sent [0-9]* echoed [0-9]*$' "$TMPD/chat.out"

	v=$(stats_field TCP "$SVC_HTTP" InPkts)
	check "$t --stats: TCP InPkts counted ($v)" [ "${v:-0}" -ge 10 ]
	v=$(stats_field TCP "$SVC_HTTP" OutPkts)
	check "$t --stats: TCP OutPkts counted ($v)" [ "${v:-0}" -ge 10 ]
	v=$(stats_field TCP "$SVC_HTTP" OutBytes)
	check "$t --stats: TCP OutBytes hold the 200 KB download ($v)" [ "${v:-0}" -ge 204800 ]
	check "$t --stats: the real server's OutPkts equal the service's" \
		wait_for 5 stats_agree TCP "$SVC_HTTP" "$DST_HTTP" OutPkts
	v="$(stats_field UDP "$SVC_UDP" InPkts)/$(stats_field UDP "$SVC_UDP" OutPkts)"
	check "$t --stats: UDP 3 packets in, 3 out (got $v)" [ "$v" = 3/3 ]
	n1=$(counter fwd_nat) r1=$(counter reply_nat)
	check "$t --counters: fwd_nat and reply_nat grew ($n0 -> $n1, $r0 -> $r1)" \
		eval "[ ${n1:-0} -gt ${n0:-0} ] && [ ${r1:-0} -gt ${r0:-0} ]"
	for v in client rs1; do
		check "$t $v: no checksum errors (InCsumErrors $(csum_errors $v))" [ "$(csum_errors $v)" = 0 ]
	done
}

nat_pass on 40001
nat_pass off 40002

# traffic from the real server that belongs to no connection passes untouched
check "non-service: rs1 pings the client through the director" ping_from rs1 "$CLIENT_IP"
bg client "$PY" -m http.server 8080 --bind "$CLIENT_IP" --directory "$TMPD/www" >/dev/null 2>&1
check "non-service: rs1 fetches from the client's own port 8080" \
	wait_for 10 http_get_sha rs1 "http://$CLIENT_IP:8080/blob.bin" "$TMPD/www/blob.bin"
done_testing
