#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvs-rs up/down in fresh namespaces: up sets what a DR/TUN real server
# needs, down restores exactly the values from before (also non-default ones,
# also a VIP that was already on lo), up twice changes nothing more, bad
# arguments change nothing, and with --mode tun real IPIP traffic from a
# sender namespace is decapsulated (tc and XDP) and answered from the VIP,
# and no longer after down.
source "$(dirname "$0")/../harness/lib.sh"
require "$XVS_BUILD/xvs-rs" "$PY" ip tc ss stat

VIP=10.99.100.1
VIP2=10.99.100.2
VIP3=10.99.100.3
CIP=10.99.3.1		# sender
RIP=10.99.3.2		# real server
TCP_PORT=8080
UDP_PORT=5000

ns_new snd
ns_new rs
veth snd s0 rs r0
ip -n "$(ns_name snd)" addr add "$CIP/24" dev s0
ip -n "$(ns_name rs)" addr add "$RIP/24" dev r0
RS_MAC=$(nsx rs cat /sys/class/net/r0/address)
# The first command in a new namespace also drops a record left under the
# same namespace inode by a namespace that no longer exists.
check "status in a fresh namespace: nothing in place" eval \
	"xvs_rs rs status | grep -q 'nothing in place'"

# Everything xvs-rs may change in the RS namespace, as text.
snapshot() {
	nsx rs sh -c '
		ip -4 -o addr show | awk "{ print \$2, \$4 }"
		for i in all default lo r0; do
			for k in arp_ignore arp_announce rp_filter; do
				echo "$i.$k=$(sysctl -n net.ipv4.conf.$i.$k)"
			done
		done
		echo "qdisc: $(tc qdisc show dev r0 | grep -c clsact)"
		tc filter show dev r0 ingress
		ip link show r0 | grep -o "prog/xdp.*"
		f=$(stat -L -c "/run/xvs/rs-%d:%i.state" /proc/self/ns/net)
		[ -e "$f" ] && sed "s/^/state: /" "$f"
		true'
}
sysctl_is() { [ "$(nsx rs sysctl -n "net.ipv4.conf.$1")" = "$2" ]; }
vip_on_lo() { ip -n "$(ns_name rs)" -4 -o addr show dev lo | grep -q "inet $1/"; }
same_as() {	# NAME SNAPSHOT: current snapshot equals SNAPSHOT (diff shown if not)
	local now
	now=$(snapshot)
	[ "$now" = "$2" ] && return 0
	diff <(echo "$2") <(echo "$now") | sed 's/^/#   /' >&2
	return 1
}

# ---- bad arguments: non-zero exit, a message, nothing changed

bad_args() {	# args...: fails, says why, leaves the namespace as it was
	local before rc
	before=$(snapshot)
	xvs_rs rs "$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	[ "$rc" -ne 0 ] || { echo "# exit status 0" >&2; return 1; }
	grep -q '^xvs-rs: ' "$TMPD/err" || { echo "# no message on stderr" >&2; return 1; }
	same_as "after xvs-rs $*" "$before"
}
check "bad VIP: exit non-zero, nothing changed" bad_args up --mode dr --vip 10.0.0.300
check "bad VIP in a list: nothing changed" bad_args up --mode dr --vip "$VIP,bogus"
check "loopback VIP refused" bad_args up --mode dr --vip 127.0.0.2
check "unknown mode" bad_args up --mode bridge --vip "$VIP"
check "missing --vip" bad_args up --mode dr
check "missing --mode" bad_args up --vip "$VIP"
check "interface not found" bad_args up --mode tun --vip "$VIP" --iface nosuch0
check "unknown hook" bad_args up --mode tun --vip "$VIP" --hook ebpf
check "--hook with dr" bad_args up --mode dr --vip "$VIP" --hook xdp
check "fullnat: --vip refused (the director connects to the RIP)" bad_args up --mode fullnat --vip "$VIP"
check "unknown command" bad_args sideways --vip "$VIP"
check "down without up" bad_args down --vip "$VIP"
check "down without --vip" bad_args down
check "error messages name the problem" eval \
	"xvs_rs rs up --mode dr --vip 10.0.0.300 2>&1 | grep -q '10.0.0.300' &&
	 xvs_rs rs up --mode tun --vip $VIP --iface nosuch0 2>&1 | grep -q nosuch0 &&
	 xvs_rs rs up --mode fullnat --vip $VIP 2>&1 | grep -q -- '--vip does not apply to --mode fullnat'"
before=$(snapshot)
check "nat: prints what to do, exit 0" eval \
	"xvs_rs rs up --mode nat | grep -q 'default'"
check "nat: nothing changed" same_as nat "$before"

# ---- dr: up sets, up again changes nothing, down restores the exact values

nsx rs sysctl -qw net.ipv4.conf.all.arp_announce=1	# non-default value to restore
ip -n "$(ns_name rs)" addr add "$VIP2/32" dev lo	# VIP already there
before=$(snapshot)
check "dr: up" xvs_rs rs up --mode dr --vip "$VIP,$VIP2"
check "dr: VIP on lo" vip_on_lo "$VIP"
check "dr: arp_ignore=1, arp_announce=2 on all and lo" eval \
	"sysctl_is all.arp_ignore 1 && sysctl_is all.arp_announce 2 &&
	 sysctl_is lo.arp_ignore 1 && sysctl_is lo.arp_announce 2"
after_up=$(snapshot)
check "dr: up twice" xvs_rs rs up --mode dr --vip "$VIP,$VIP2"
check "dr: the second up changed nothing" same_as "second up" "$after_up"
check "dr: status lists both VIPs and the changed sysctls" eval \
	"xvs_rs rs status >$TMPD/st && grep -q 'vip $VIP: on lo (added by up)' $TMPD/st &&
	 grep -q 'vip $VIP2: on lo (was already there)' $TMPD/st &&
	 grep -q 'net.ipv4.conf.all.arp_announce = 2 (was 1)' $TMPD/st"
check "dr: other mode while set up is refused" bad_args up --mode tun --vip "$VIP3"
check "dr: down of a VIP up did not set is refused" bad_args down --vip "$VIP3"
check "dr: down" xvs_rs rs down --vip "$VIP,$VIP2"
check "dr: down restored everything (arp_announce=1, VIP2 kept on lo)" same_as down "$before"
check "dr: second down fails" bad_args down --vip "$VIP"

# VIPs added by separate ups go one by one; the last down restores the rest.
check "dr: up VIP" xvs_rs rs up --mode dr --vip "$VIP"
check "dr: up VIP3 as well" xvs_rs rs up --mode dr --vip "$VIP3"
check "dr: down VIP only" xvs_rs rs down --vip "$VIP"
check "dr: VIP gone, VIP3 and sysctls stay" eval \
	"! vip_on_lo $VIP && vip_on_lo $VIP3 && sysctl_is all.arp_ignore 1"
check "dr: down VIP3" xvs_rs rs down --vip "$VIP3"
check "dr: namespace back as before" same_as "down in steps" "$before"

# ---- tun: real IPIP traffic, tc and XDP

cat >"$TMPD/servers.py" <<PY
# TCP listener (the kernel answers SYNs) and UDP echo on the VIP.
import socket, select
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("$VIP", $TCP_PORT)); t.listen(16)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("$VIP", $UDP_PORT))
while True:
    r, _, _ = select.select([t, u], [], [])
    if u in r:
        data, peer = u.recvfrom(2048); u.sendto(data, peer)
    if t in r:
        c, _ = t.accept(); c.close()
PY

cat >"$TMPD/ipip.py" <<'PY'
# Sends IPIP-encapsulated TCP SYN, UDP and ICMP echo to the VIP through the
# RS's address and prints what comes back to the sender (3 s at most).
# Fresh ports and ICMP id per run: the RS may still retransmit a SYN-ACK
# for an earlier run's SYN, which must not count for this one.
import random, socket, sys, time
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw
iface, rs_mac, cip, rip, vip, tport, uport = sys.argv[1:8]
tsport, usport, icmp_id = random.sample(range(20000, 60000), 3)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0))
my_mac = open("/sys/class/net/%s/address" % iface).read().strip()
inner = [IP(src=cip, dst=vip) / TCP(sport=tsport, dport=int(tport), flags="S", seq=1000),
         IP(src=cip, dst=vip) / UDP(sport=usport, dport=int(uport)) / Raw(b"ipip-udp"),
         IP(src=cip, dst=vip) / ICMP(id=icmp_id, seq=1) / Raw(b"ipip-icmp")]
for p in inner:
    s.send(bytes(Ether(src=my_mac, dst=rs_mac) / IP(src=cip, dst=rip, proto=4) / p))
seen = set()
deadline = time.time() + 3
s.settimeout(0.2)
while time.time() < deadline and len(seen) < 3:
    try:
        frame = Ether(s.recv(65535))
    except socket.timeout:
        continue
    if IP not in frame or frame[IP].dst != cip:
        continue
    ip = frame[IP]
    if ip.src == vip and TCP in ip and ip[TCP].dport == tsport and ip[TCP].flags & 0x12 == 0x12:
        seen.add("tcp synack from vip")
    elif ip.src == vip and UDP in ip and ip[UDP].dport == usport and bytes(ip[UDP].payload) == b"ipip-udp":
        seen.add("udp reply from vip")
    elif ip.src == vip and ICMP in ip and ip[ICMP].type == 0 and ip[ICMP].id == icmp_id:
        seen.add("icmp echo-reply from vip")
    elif ip.src == rip and ICMP in ip and ip[ICMP].type == 3 and ip[ICMP].code == 2:
        seen.add("protocol unreachable from rip")
for line in sorted(seen):
    print(line)
PY
send_ipip() { nsx snd "$PY" "$TMPD/ipip.py" s0 "$RS_MAC" "$CIP" "$RIP" "$VIP" "$TCP_PORT" "$UDP_PORT" 2>/dev/null; }
listening() { nsx rs ss -lntu | grep -q "$VIP:$TCP_PORT" && nsx rs ss -lntu | grep -q "$VIP:$UDP_PORT"; }
decap_count() { xvs_rs rs status | awk '$1 == "counter" && $2 == "decapsulated" { print $3 }'; }

# The VIP stays on lo across the tun rounds (put there beforehand, so down
# keeps it): after down an answer from the VIP could only come from a
# decapsulation that should no longer happen.
ip -n "$(ns_name rs)" addr add "$VIP/32" dev lo
# "protocol unreachable" is the evidence that an IPIP packet arrived but was
# not decapsulated; the default ICMP rate limit would swallow some of them.
nsx rs sysctl -qw net.ipv4.icmp_ratelimit=0
bg rs "$PY" "$TMPD/servers.py"
check "tun: servers listen on the VIP" wait_for 10 listening

tun_round() {	# hook
	local hook=$1 before n
	nsx rs sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.r0.rp_filter=1
	before=$(snapshot)
	send_ipip >"$TMPD/pre"
	check "tun/$hook: before up, IPIP is not decapsulated (protocol unreachable)" eval \
		"grep -q 'protocol unreachable from rip' $TMPD/pre && ! grep -q 'from vip' $TMPD/pre"

	if [ "$hook" = tc ]; then
		check "tun/$hook: up (default hook)" xvs_rs rs up --mode tun --vip "$VIP"
		check "tun/$hook: decapsulator on r0 at tc ingress" eval \
			"tc -n $(ns_name rs) filter show dev r0 ingress | grep -q xvs_rs_tc"
	else
		check "tun/$hook: up --hook xdp" xvs_rs rs up --mode tun --vip "$VIP" --hook xdp
		check "tun/$hook: decapsulator on r0 in native XDP" eval \
			"ip -n $(ns_name rs) -d link show r0 | grep -q 'prog/xdp.*name xvs_rs_xdp'"
	fi
	check "tun/$hook: rp_filter relaxed on all and r0" eval \
		"sysctl_is all.rp_filter 0 && sysctl_is r0.rp_filter 0"
	check "tun/$hook: up twice changes nothing" eval \
		"s1=\$(snapshot) && xvs_rs rs up --mode tun --vip $VIP >/dev/null && [ \"\$(snapshot)\" = \"\$s1\" ]"

	send_ipip >"$TMPD/got"
	sed 's/^/# got: /' "$TMPD/got"
	check "tun/$hook: TCP SYN answered with SYN-ACK from the VIP" grep -q 'tcp synack from vip' "$TMPD/got"
	check "tun/$hook: UDP answered from the VIP" grep -q 'udp reply from vip' "$TMPD/got"
	check "tun/$hook: ICMP echo answered from the VIP" grep -q 'icmp echo-reply from vip' "$TMPD/got"
	n=$(decap_count)
	check "tun/$hook: status counts 3 decapsulated (got ${n:-none})" [ "${n:-0}" -ge 3 ]

	check "tun/$hook: down" xvs_rs rs down --vip "$VIP"
	check "tun/$hook: down restored everything (rp_filter 1, no program, no clsact)" \
		same_as "tun $hook down" "$before"
	send_ipip >"$TMPD/post"
	check "tun/$hook: after down, IPIP is no longer decapsulated" eval \
		"grep -q 'protocol unreachable from rip' $TMPD/post && ! grep -q 'from vip' $TMPD/post"
}
tun_round tc
tun_round xdp

# ---- a failure half-way rolls back what this run already did

ip -n "$(ns_name rs)" link add br9 type bridge	# no native XDP on a bridge
ip -n "$(ns_name rs)" link set br9 up
before=$(snapshot)
check "tun: up fails when one interface cannot take XDP" bad_args \
	up --mode tun --vip "$VIP3" --hook xdp --iface r0,br9
check "tun: ... and r0 has no program left" eval \
	"! ip -n $(ns_name rs) link show r0 | grep -q prog/xdp"
check "tun: ... and VIP3 is not on lo" eval "! vip_on_lo $VIP3"

# A program already on the interface is never replaced.
ip -n "$(ns_name rs)" link set dev r0 xdpdrv obj "$XVS_BUILD/bpf/xvs_rs.bpf.o" sec xdp
check "tun: an XDP program already on r0 is not replaced" bad_args \
	up --mode tun --vip "$VIP3" --hook xdp --iface r0
ip -n "$(ns_name rs)" link set dev r0 xdpdrv off

done_testing
