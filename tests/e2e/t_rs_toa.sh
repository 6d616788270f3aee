#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvs-rs up --mode fullnat: a "director" namespace completes TCP handshakes
# with a real server whose final ACK carries TOA (option 254) naming a
# made-up client, as the xvs director does; unmodified servers on the RS
# (python3 -m http.server, and a small accept()/getpeername() printer, IPv4
# and dual-stack) see the made-up client instead of the director's address.
# Without TOA, before up and after down they see the real address; a SYN
# forgets a reused tuple; a closed connection leaves the map; down removes
# every program it attached (tc and cgroup); up collects the cgroup programs
# of a namespace deleted without down. Rounds with the tc and XDP readers.
source "$(dirname "$0")/../harness/lib.sh"
require "$XVS_BUILD/xvs-rs" "$PY" ip tc nft ss bpftool

DIP=10.99.6.1		# the director's local address (LIP)
RIP=10.99.6.2		# real server
TOA_CLIENT=10.99.77.7
TOA_PORT=5555
HTTP_PORT=8000
HTTP_ANY_PORT=8001	# http.server without --bind (0.0.0.0 here; "::" where IPv6 is preferred)
PEER4_PORT=9001
PEER6_PORT=9000

ns_new dir
ns_new rs
veth dir d0 rs r0
ip -n "$(ns_name dir)" addr add "$DIP/24" dev d0
ip -n "$(ns_name rs)" addr add "$RIP/24" dev r0
RS_MAC=$(nsx rs cat /sys/class/net/r0/address)
# The handshakes are made from raw frames: the director namespace's kernel
# knows no such connections and would reset them.
nsx dir nft add table inet xvst '{ chain out { type filter hook output priority 0;
	tcp flags & rst == rst drop; }; }'

cat >"$TMPD/client.py" <<'PY'
# TCP from raw frames: SYN, then the ACK that completes the handshake with
# NOP NOP TOA(port, addr) when TOA is given, then REQUEST; prints the first
# line answered. "ackonly": just an ACK with TOA, no handshake. "rst": reset
# the connection at the end.
#   client.py IFACE RS_MAC SRC DST DPORT SPORT TOA|none REQUEST [rst|ackonly]
import random, socket, struct, sys, time
from scapy.all import Ether, IP, TCP, Raw
iface, rs_mac, src, dst, dport, sport, toa, request = sys.argv[1:9]
dport, sport = int(dport), int(sport)
mode = sys.argv[9] if len(sys.argv) > 9 else ""
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0))
my_mac = open("/sys/class/net/%s/address" % iface).read().strip()
def send(seg):
    s.send(bytes(Ether(src=my_mac, dst=rs_mac) / IP(src=src, dst=dst) / seg))
def from_server(deadline):
    s.settimeout(0.2)
    while time.time() < deadline:
        try:
            f = Ether(s.recv(65535))
        except socket.timeout:
            continue
        if IP in f and TCP in f and f[IP].src == dst and f[TCP].sport == dport \
                and f[TCP].dport == sport:
            return f[TCP]
    return None
opts = []
if toa != "none":
    caddr, cport = toa.split(":")
    opts = [("NOP", None), ("NOP", None),
            (254, struct.pack("!H", int(cport)) + socket.inet_aton(caddr))]
seq = random.randrange(1 << 31)
if mode == "ackonly":
    send(TCP(sport=sport, dport=dport, flags="A", seq=seq, ack=12345, options=opts))
    sys.exit(0)
send(TCP(sport=sport, dport=dport, flags="S", seq=seq, options=[("MSS", 1460)]))
synack = from_server(time.time() + 3)
if synack is None or synack.flags & 0x12 != 0x12:
    sys.exit("no SYN-ACK")
ack = synack.seq + 1
send(TCP(sport=sport, dport=dport, flags="A", seq=seq + 1, ack=ack, options=opts))
req = request.encode().decode("unicode_escape").encode()
send(TCP(sport=sport, dport=dport, flags="PA", seq=seq + 1, ack=ack) / Raw(req))
answer = b""
deadline = time.time() + 3
while time.time() < deadline and b"\n" not in answer:
    seg = from_server(deadline)
    if seg is not None and len(seg.payload):
        answer += bytes(seg.payload)
if mode == "rst":
    send(TCP(sport=sport, dport=dport, flags="R", seq=seq + 1 + len(req)))
print(answer.split(b"\n")[0].decode(errors="replace").strip())
PY

cat >"$TMPD/peer.py" <<'PY'
# Prints, per accepted connection, the address accept() returned and
# getpeername() of the socket, and answers with the latter; keeps sockets
# open (a close would remove the map entry: that is tested elsewhere).
#   peer.py ADDR PORT        (ADDR "::" listens dual-stack)
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind((addr, port))
s.listen(64)
kept = []
while True:
    c, a = s.accept()
    kept.append(c)
    p = c.getpeername()
    print("accept %s %d getpeername %s %d" % (a[0], a[1], p[0], p[1]), flush=True)
    try:
        c.sendall(b"PEER %s %d\n" % (p[0].encode(), p[1]))
    except OSError:
        pass
PY

mkdir -p "$TMPD/www"
bg rs sh -c "cd '$TMPD/www' && exec '$PY' -m http.server --bind $RIP $HTTP_PORT 2>'$TMPD/http.log' >/dev/null"
bg rs sh -c "cd '$TMPD/www' && exec '$PY' -m http.server $HTTP_ANY_PORT 2>'$TMPD/http_any.log' >/dev/null"
bg rs sh -c "exec '$PY' '$TMPD/peer.py' $RIP $PEER4_PORT >'$TMPD/peer4.log'"
bg rs sh -c "exec '$PY' '$TMPD/peer.py' :: $PEER6_PORT >'$TMPD/peer6.log'"
listening() {
	local l
	l=$(nsx rs ss -lnt)
	grep -q "$RIP:$HTTP_PORT" <<<"$l" && grep -q "$RIP:$PEER4_PORT" <<<"$l" &&
		grep -q ":$HTTP_ANY_PORT" <<<"$l" &&
		grep -q ":$PEER6_PORT" <<<"$l"
}
check "servers listen on the RS" wait_for 10 listening

sport=40000
# Next source port: a fresh 4-tuple for every connection.
next_sport() { sport=$((sport + 1)); }
# client PORT TOA|none REQUEST [rst|ackonly]: from the director namespace.
client() {
	nsx dir "$PY" "$TMPD/client.py" d0 "$RS_MAC" "$DIP" "$RIP" "$1" "$sport" "$2" "$3" \
		${4:+"$4"} 2>>"$TMPD/client.err"
}
# http_sees ADDR PATH: http.server logged a request for PATH from ADDR.
http_sees() { wait_for 5 grep -q "^$1 .*\"GET $2 HTTP" "$TMPD/http.log"; }
peer_sees() {	# LOG "ACCEPTED-ADDR PORT": accept() and getpeername() both said so
	wait_for 5 grep -qx "accept $2 getpeername $2" "$1"
}
status() { xvs_rs rs status; }
# progs_ours ID... / progs_gone ID...: each id is (not) a loaded xvs_toa
# program; an empty list is a failure, not a vacuous pass.
progs_ours() {
	local id
	[ $# -gt 0 ] || return 1
	for id in "$@"; do bpftool prog show id "$id" 2>/dev/null | grep -q xvs_toa_ || return 1; done
}
progs_gone() {
	local id
	[ $# -gt 0 ] || return 1
	for id in "$@"; do ! bpftool prog show id "$id" >/dev/null 2>&1 || return 1; done
}
kernel_get() {	# PATH: an ordinary TCP connection from the director namespace
	nsx dir "$PY" - "$RIP" "$HTTP_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)
s.sendall(b"GET %s HTTP/1.0\r\n\r\n" % sys.argv[3].encode())
sys.exit(0 if s.recv(100).startswith(b"HTTP/1.0") else 1)
PY
}
counter() { status | awk -v k="$1" '$1 == "counter" && $2 == k { print $3 }'; }

# ---- before up: nothing rewrites

next_sport
client $HTTP_PORT "$TOA_CLIENT:$TOA_PORT" 'GET /before-up HTTP/1.0\r\n\r\n' rst >/dev/null
check "before up: http.server logs the director's address despite TOA" http_sees "$DIP" /before-up

toa_round() {	# hook
	local hook=$1 ids ans before_tc
	before_tc=$(tc -n "$(ns_name rs)" filter show dev r0 ingress)

	check "$hook: up --mode fullnat" xvs_rs rs up --mode fullnat --hook "$hook"
	if [ "$hook" = tc ]; then
		check "$hook: reader on r0 at tc ingress" eval \
			"tc -n $(ns_name rs) filter show dev r0 ingress | grep -q xvs_toa_tc"
	else
		check "$hook: reader on r0 in native XDP" eval \
			"ip -n $(ns_name rs) -d link show r0 | grep -q 'prog/xdp.*name xvs_toa_xdp'"
	fi
	status >"$TMPD/st"
	check "$hook: status: mode fullnat, reader and 3 cgroup programs attached" eval \
		"grep -q '^mode fullnat' $TMPD/st && grep -q '^toa $hook r0: prog id' $TMPD/st &&
		 [ \$(grep -c '^cgroup .*: prog id [0-9]* attached' $TMPD/st) -eq 3 ]"
	ids=$(awk '$1 == "cgroup" { print $5 }' "$TMPD/st")
	check "$hook: cgroup programs are in the kernel as ours" progs_ours $ids
	check "$hook: up twice changes nothing" eval \
		"xvs_rs rs up --mode fullnat >/dev/null && status | grep -v '^counter\|^toa conn' >$TMPD/st2 &&
		 grep -v '^counter\|^toa conn' $TMPD/st | diff - $TMPD/st2"

	# http.server, unmodified
	next_sport
	ans=$(client $HTTP_PORT "$TOA_CLIENT:$TOA_PORT" "GET /toa-$hook HTTP/1.0\\r\\n\\r\\n" rst)
	check "$hook: http.server answered the TOA connection (got '$ans')" eval \
		"[[ '$ans' == HTTP/1.0* ]]"
	check "$hook: http.server logs the TOA client $TOA_CLIENT" http_sees "$TOA_CLIENT" "/toa-$hook"
	check "$hook: ... and the connection leaves the map once reset" eval \
		"wait_for 5 eval '! status | grep -q \"<- $DIP:$sport \"'"
	next_sport
	client $HTTP_PORT none "GET /plain-$hook HTTP/1.0\\r\\n\\r\\n" rst >/dev/null
	check "$hook: without TOA http.server logs the real address" http_sees "$DIP" "/plain-$hook"
	check "$hook: a kernel TCP client is served as usual" kernel_get "/kernel-$hook"
	check "$hook: ... and logged with its real address" http_sees "$DIP" "/kernel-$hook"

	next_sport
	client $HTTP_ANY_PORT "$TOA_CLIENT:$TOA_PORT" "GET /any-$hook HTTP/1.0\\r\\n\\r\\n" rst >/dev/null
	check "$hook: http.server without --bind logs the TOA client" \
		wait_for 5 grep -Eq "^(::ffff:)?$TOA_CLIENT .*\"GET /any-$hook HTTP" "$TMPD/http_any.log"

	# accept() and getpeername() themselves, IPv4 and dual-stack
	next_sport
	ans=$(client $PEER4_PORT "$TOA_CLIENT:$TOA_PORT" 'hello\n')
	check "$hook: IPv4: accept() and getpeername() return $TOA_CLIENT:$TOA_PORT" \
		peer_sees "$TMPD/peer4.log" "$TOA_CLIENT $TOA_PORT"
	check "$hook: IPv4: the server told the client so (got '$ans')" \
		[ "$ans" = "PEER $TOA_CLIENT $TOA_PORT" ]
	check "$hook: status lists the open connection with its client" eval \
		"status | grep -q '^toa conn $RIP:$PEER4_PORT <- $DIP:$sport client $TOA_CLIENT:$TOA_PORT'"
	next_sport
	client $PEER6_PORT "$TOA_CLIENT:$((TOA_PORT + 1))" 'hello\n' >/dev/null
	check "$hook: dual-stack: accept() and getpeername() return ::ffff:$TOA_CLIENT" \
		peer_sees "$TMPD/peer6.log" "::ffff:$TOA_CLIENT $((TOA_PORT + 1))"
	next_sport
	client $PEER4_PORT none 'hello\n' >/dev/null
	check "$hook: IPv4 without TOA: the real address" peer_sees "$TMPD/peer4.log" "$DIP $sport"

	# A stray ACK with TOA leaves an entry; the SYN of a new connection on
	# the same tuple must clear it, or that connection would inherit it.
	next_sport
	client $PEER4_PORT "10.99.77.99:1" x ackonly
	check "$hook: a stray ACK with TOA is remembered" eval \
		"wait_for 5 eval 'status | grep -q \"<- $DIP:$sport client 10.99.77.99:1\"'"
	client $PEER4_PORT none 'hello\n' >/dev/null
	check "$hook: a new connection on that tuple does not inherit it (SYN forgets)" \
		peer_sees "$TMPD/peer4.log" "$DIP $sport"
	check "$hook: getpeername rewrites were counted" eval "[ \"\$(counter peer_rewritten)\" -ge 3 ]"

	check "$hook: down" xvs_rs rs down
	check "$hook: status: nothing in place" eval "status | grep -q 'nothing in place'"
	check "$hook: the cgroup programs are gone" progs_gone $ids
	check "$hook: r0 is back as before (no tc filter, no XDP)" eval \
		"[ \"\$(tc -n $(ns_name rs) filter show dev r0 ingress)\" = '$before_tc' ] &&
		 ! ip -n $(ns_name rs) link show r0 | grep -q prog/xdp"
	next_sport
	client $HTTP_PORT "$TOA_CLIENT:$TOA_PORT" "GET /after-down-$hook HTTP/1.0\\r\\n\\r\\n" rst >/dev/null
	check "$hook: after down http.server logs the real address again" \
		http_sees "$DIP" "/after-down-$hook"
	next_sport
	client $PEER4_PORT "$TOA_CLIENT:$TOA_PORT" 'hello\n' >/dev/null
	check "$hook: after down getpeername() returns the real address" \
		peer_sees "$TMPD/peer4.log" "$DIP $sport"
}
toa_round tc
toa_round xdp

check "TOA never reached http.server outside up" eval \
	"! grep -q '^$TOA_CLIENT .*\\(before-up\\|plain\\|kernel\\|after-down\\)' $TMPD/http.log"

# ---- bad arguments change nothing

check "fullnat takes no --vip" eval \
	"! xvs_rs rs up --mode fullnat --vip 10.99.100.1 2>$TMPD/err && grep -q 'xvs-rs: .*--vip' $TMPD/err &&
	 status | grep -q 'nothing in place'"
check "fullnat with a missing interface changes nothing" eval \
	"! xvs_rs rs up --mode fullnat --iface nosuch0 2>$TMPD/err && grep -q nosuch0 $TMPD/err &&
	 status | grep -q 'nothing in place'"

# ---- a namespace deleted without down: its cgroup programs are collected

ns_new gone
ip -n "$(ns_name gone)" link add g0 type veth peer name g1
ip -n "$(ns_name gone)" link set g0 up
check "second namespace: up --mode fullnat" xvs_rs gone up --mode fullnat
gone_ids=$(xvs_rs gone status | awk '$1 == "cgroup" { print $5 }')
gone_tc=$(xvs_rs gone status | awk '$1 == "toa" && $2 == "tc" { print $6 }')
ip netns del "$(ns_name gone)"
check "its packet program goes with the namespace" \
	wait_for 10 eval "! bpftool prog show id $gone_tc >/dev/null 2>&1"
check "its cgroup programs stay attached meanwhile" progs_ours $gone_ids
check "the next up collects them" eval \
	"xvs_rs rs up --mode fullnat | grep -q 'detached [0-9]* TOA cgroup program'"
check "... they are gone" progs_gone $gone_ids
check "... and this namespace's are attached" eval \
	"[ \$(status | grep -c '^cgroup .*attached') -eq 3 ]"
check "down" xvs_rs rs down

done_testing
