#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# LVS-TUN with MTU 1500 everywhere: the 20-byte outer header does not fit a
# full-size packet. A full-size UDP datagram with DF gets ICMP
# fragmentation-needed (MTU 1480) back, so the client learns the path MTU and
# a datagram that fits is answered; a TCP upload larger than one segment
# arrives intact (GSO packets get a smaller gso_size, DF segments learn PMTU).
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl sha256sum

RS1=$(rs_ip 1)
topo_selftest 1500 || { not_ok "topology"; done_testing; exit 1; }
make_blob 1048576
check "rs1: xvs-rs up --mode tun" rs_up rs1 tun
check "rs1: server on the VIP" rs_serve rs1
check "-A UDP" xvsadm dir -A -u "$VIP:$UDP_PORT" -s rr
check "-a UDP -i" xvsadm dir -a -u "$VIP:$UDP_PORT" -r "$RS1:$UDP_PORT" -i -w 1
check "-A TCP" xvsadm dir -A -t "$VIP:$HTTP_PORT" -s rr
check "-a TCP -i" xvsadm dir -a -t "$VIP:$HTTP_PORT" -r "$RS1:$HTTP_PORT" -i -w 1

out=$(nsx client "$PY" "$SERVERS/client.py" pmtu "$VIP" "$UDP_PORT" 1472 2>&1)
check "UDP 1472 bytes with DF: path MTU learned as 1480, 1452 bytes answered ($out)" \
	[ "$out" = "pmtu 1480 answered-size 1452" ]
check "client's route cache holds mtu 1480 for the VIP" \
	eval "nsx client ip route get $VIP | grep -q 'mtu 1480'"

n=$(counter icmp_frag_needed_sent)
check "--counters: the director sent fragmentation-needed (icmp_frag_needed_sent $n)" [ "${n:-0}" -ge 1 ]

want=$(sha256sum <"$TMPD/www/blob.bin" | cut -d' ' -f1)
got=$(nsx client curl -sS --noproxy '*' --max-time 20 --data-binary "@$TMPD/www/blob.bin" \
	-H 'Content-Type: application/octet-stream' "http://$VIP:$HTTP_PORT/upload" 2>&1)
check "TCP: 1 MB upload reaches rs1 intact, from the real client ($got)" \
	eval "[ \"\$(echo '$got' | awk '{ print \$1, \$3 }')\" = 'rs1 $want' ] && echo '$got' | grep -q '^rs1 $CLIENT_IP:'"
done_testing
