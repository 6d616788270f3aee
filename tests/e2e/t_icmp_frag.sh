#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ICMP fragmentation-needed from the real-server side reaches the client,
# translated, in NAT and in FULLNAT. Topology: client -- director -- router
# -- rs1, every link 1500 but the router's route to the RS has MTU 1400, so
# the RS (MSS 1460) never learns of it and full-size packets toward it get
# fragmentation-needed from the router: addressed to the client (NAT) or to
# the director's local address (FULLNAT), quoting the packet as the router
# saw it. The director must turn it into an error from the VIP quoting
# exactly what the client sent: then the client's kernel finds the socket,
# learns the path MTU (route cache "mtu 1400"), and a 1 MB upload and a
# full-size UDP exchange complete. A sniffer on the client checks the
# translated error itself (outer VIP -> client, quote client -> VIP, all
# checksums valid) and that no untranslated one got through.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl sha256sum

PMTU=1400
# one VIP per case: a learned path MTU stays in the client's cache (on the
# shared next hop) even when its route is replaced
VIP_NAT_UDP=10.99.100.3
VIP_FNAT_TCP=10.99.100.2
VIP_FNAT_UDP=10.99.100.4
RIP=$ROUTED_RS_IP

topo_routed "$PMTU" || { not_ok "topology"; done_testing; exit 1; }
make_blob 1048576
check "rs1: server on $RIP" rs_serve_on rs1 "$RIP"
check "icmp_watch listening on the client's c0" \
	eval "bg client $PY $SERVERS/icmp_watch.py c0 --ready $TMPD/icmp.ready --stop $TMPD/icmp.stop >$TMPD/icmp.out 2>&1; wait_for 15 test -e $TMPD/icmp.ready"

# upload_to VIP: 1 MB POST through VIP; prints rs_server's "rs1 PEER SHA".
upload_to() {
	nsx client curl -sS --noproxy '*' --max-time 20 --data-binary "@$TMPD/www/blob.bin" \
		-H 'Content-Type: application/octet-stream' "http://$1:$HTTP_PORT/upload" 2>&1
}
route_mtu() { nsx client ip route get "$1" | grep -o 'mtu [0-9]*'; }
# icmp_seen PROTO VIP VPORT: a translated fragmentation-needed quoting a
# client -> VIP:VPORT packet arrived with valid checksums.
icmp_seen() {
	grep -q "^icmp 3 4 mtu $PMTU outer $2>$CLIENT_IP inner $1 $CLIENT_IP:[0-9]*>$2:$3 csum ok$" "$TMPD/icmp.out"
}

# icmp_case NAME TCP_VIP UDP_VIP: TCP upload, then UDP, each through a VIP
# the client has learned nothing about.
icmp_case() {
	local m=$1 vip=$2 uvip=$3 want got out n0 n1
	ip -n "$(ns_name client)" route replace "$vip/32" via "$DIR_C_IP"
	ip -n "$(ns_name client)" route replace "$uvip/32" via "$DIR_C_IP"
	check "[$m] client: no path MTU learned for $vip yet ($(route_mtu "$vip"))" [ -z "$(route_mtu "$vip")" ]
	n0=$(counter icmp_error_to_client)
	want=$(sha256sum <"$TMPD/www/blob.bin" | cut -d' ' -f1)
	got=$(upload_to "$vip")
	check "[$m] TCP: 1 MB upload reaches rs1 intact ($got)" eval "[ \"\$(echo '$got' | awk '{ print \$1, \$3 }')\" = 'rs1 $want' ]"
	check "[$m] TCP: rs1 saw the real client as peer" eval "echo '$got' | grep -q '^rs1 $CLIENT_IP:'"
	check "[$m] client: path MTU $PMTU learned for $vip ($(route_mtu "$vip"))" [ "$(route_mtu "$vip")" = "mtu $PMTU" ]
	check "[$m] client got fragmentation-needed from $vip quoting its TCP packet, checksums valid" \
		wait_for 5 icmp_seen 6 "$vip" "$HTTP_PORT"
	n1=$(counter icmp_error_to_client)
	check "[$m] --counters: icmp_error_to_client grew ($n0 -> $n1)" [ "${n1:-0}" -gt "${n0:-0}" ]

	check "[$m] client: no path MTU learned for $uvip yet ($(route_mtu "$uvip"))" [ -z "$(route_mtu "$uvip")" ]
	n0=$(counter icmp_error_to_client)
	out=$(nsx client "$PY" "$SERVERS/client.py" pmtu "$uvip" "$UDP_PORT" 1472 2>&1)
	check "[$m] UDP 1472 bytes with DF: path MTU $PMTU learned, $((PMTU - 28)) bytes answered ($out)" \
		[ "$out" = "pmtu $PMTU answered-size $((PMTU - 28))" ]
	check "[$m] client got fragmentation-needed from $uvip quoting its UDP datagram, checksums valid" \
		wait_for 5 icmp_seen 17 "$uvip" "$UDP_PORT"
	n1=$(counter icmp_error_to_client)
	check "[$m] --counters: icmp_error_to_client grew ($n0 -> $n1)" [ "${n1:-0}" -gt "${n0:-0}" ]
}

# ---- NAT: the RS routes the client network via the router
check "rs1: route to the client network via the router" routed_rs_client_route add
check "-A TCP $VIP:$HTTP_PORT" xvsadm dir -A -t "$VIP:$HTTP_PORT" -s rr
check "-a -r $RIP:$NAT_HTTP_PORT -m" xvsadm dir -a -t "$VIP:$HTTP_PORT" -r "$RIP:$NAT_HTTP_PORT" -m -w 1
check "-A UDP $VIP_NAT_UDP:$UDP_PORT" xvsadm dir -A -u "$VIP_NAT_UDP:$UDP_PORT" -s rr
check "-a -r $RIP:$NAT_UDP_PORT -m" xvsadm dir -a -u "$VIP_NAT_UDP:$UDP_PORT" -r "$RIP:$NAT_UDP_PORT" -m -w 1
icmp_case NAT "$VIP" "$VIP_NAT_UDP"

# ---- FULLNAT: the RS has no route to the client; errors go to the LIP
check "rs1: route to the client network removed" routed_rs_client_route del
check "rs1: no route to the client network" eval "! nsx rs1 ip route get $CLIENT_IP >/dev/null 2>&1"
check "rs1: xvs-rs up --mode fullnat" eval "xvs_rs rs1 up --mode fullnat >$TMPD/rs1.up 2>&1"
check "-A TCP $VIP_FNAT_TCP:$HTTP_PORT" xvsadm dir -A -t "$VIP_FNAT_TCP:$HTTP_PORT" -s rr
check "-a -r $RIP:$NAT_HTTP_PORT -b" xvsadm dir -a -t "$VIP_FNAT_TCP:$HTTP_PORT" -r "$RIP:$NAT_HTTP_PORT" -b -w 1
check "-P -t $VIP_FNAT_TCP:$HTTP_PORT -z $LIP1 -F d1" xvsadm dir -P -t "$VIP_FNAT_TCP:$HTTP_PORT" -z "$LIP1" -F d1
check "-A UDP $VIP_FNAT_UDP:$UDP_PORT" xvsadm dir -A -u "$VIP_FNAT_UDP:$UDP_PORT" -s rr
check "-a -r $RIP:$NAT_UDP_PORT -b" xvsadm dir -a -u "$VIP_FNAT_UDP:$UDP_PORT" -r "$RIP:$NAT_UDP_PORT" -b -w 1
check "-P -u $VIP_FNAT_UDP:$UDP_PORT -z $LIP1 -F d1" xvsadm dir -P -u "$VIP_FNAT_UDP:$UDP_PORT" -z "$LIP1" -F d1
icmp_case FULLNAT "$VIP_FNAT_TCP" "$VIP_FNAT_UDP"

touch "$TMPD/icmp.stop"
n=$(nsx rtr awk '/^Icmp:/ { if (!h) { for (i = 2; i <= NF; i++) if ($i == "OutDestUnreachs") c = i; h = 1 } else print $c }' /proc/net/snmp)
check "router: sent fragmentation-needed (OutDestUnreachs $n)" [ "${n:-0}" -ge 4 ]
check "client: no untranslated error (from the router) arrived" eval "! grep -q 'outer $RTR_D_IP>' $TMPD/icmp.out"
for v in client rs1; do
	check "$v: no checksum errors (InCsumErrors $(csum_errors $v))" [ "$(csum_errors $v)" = 0 ]
done
sed 's/^/# /' "$TMPD/icmp.out"
done_testing
