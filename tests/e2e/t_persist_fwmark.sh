#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Persistence and firewall marks over real connections (cluster of 3 RS,
# DR). -p keeps the client on one real server where rr alone would rotate,
# the template shows in -L -c as IPVS shows it and in --persistent-conn;
# a port-0 persistent service takes every port of the VIP to that server.
# Firewall marks: xvsadm's mark rules (the data plane runs before
# iptables' mangle table) feed -f services, one TCP and one with a port
# range over TCP and UDP; -L shows FWM, -L --marks the rules.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

SVC="$VIP:$HTTP_PORT"

# only_one N NAME: N new connections all answered by one real server.
only_one() {
	local got
	client_whoami "$1" >"$TMPD/who" 2>&1
	got=$(count_rs "$TMPD/who")
	if no_errors "$TMPD/who" && [[ $got =~ ^rs[0-9]=$1$ ]]; then
		ok "$2: $got"
	else
		not_ok "$2" "want one real server for all $1, got '$got'" "$(grep -m3 ERROR "$TMPD/who")"
	fi
}

# the template line of -L -n -c for virtual address:port $1 (templates of
# deleted services live on until they expire, as in IPVS):
# "pro state source virtual destination"
template_line() {
	xvsadm dir -L -n -c | awk -v c="$CLIENT_IP:0" -v v="$1" '$4 == c && $5 == v { print $1, $3, $4, $5, $6 }'
}

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr

# ---- -p: the client stays
check "-A rr -p 120" xvsadm dir -A -t "$SVC" -s rr -p 120
for i in 1 2 3; do
	check "-a rs$i" xvsadm dir -a -t "$SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w 1
done
only_one 9 "rr with -p 120: 9 connections, one real server"
who=$(awk 'NR == 1 { print $1 }' "$TMPD/who")
rs=${who#rs}
t=$(template_line "$SVC")
check "-L -n -c: the template, client port 0, the service's port ($t)" \
	eval "[[ '$t' =~ ^TCP\ (NONE|ASSURED)\ $CLIENT_IP:0\ $SVC\ $(rs_ip "$rs"):$HTTP_PORT$ ]]"
check "-L -n -c: assured by its established connections" eval "[[ '$t' == *ASSURED* ]]"
expire=$(xvsadm dir -L -n -c | awk -v c="$CLIENT_IP:0" -v v="$SVC" '$4 == c && $5 == v { print $2 }')
check "-L -n -c: the template expires within its 120 s ($expire)" \
	eval "[[ '$expire' =~ ^0[0-2]:[0-5][0-9]$ ]] && [ \"\${expire%%:*}\" -lt 2 -o '$expire' = 02:00 ]"
pc=$(xvsadm dir -L -n --persistent-conn | awk -v d="$(rs_ip "$rs"):$HTTP_PORT" '$1 == "->" && $2 == d { print $4 }')
check "--persistent-conn: PersistConn 1 on $who (got '$pc')" [ "$pc" = 1 ]
check "-L -n shows 'persistent 120'" eval "xvsadm dir -L -n | grep -q '^TCP  $SVC rr persistent 120'"
check "-S saves -p 120" eval "xvsadm dir -S -n | grep -qx -- '-A -t $SVC -s rr -p 120'"
# quiescing the server keeps the client there (IPVS), removing it does not
check "-e $who weight 0" xvsadm dir -e -t "$SVC" -r "$(rs_ip "$rs"):$HTTP_PORT" -g -w 0
only_one 3 "weight 0: the template still holds"
check "... on $who" eval "[ \"\$(count_rs $TMPD/who)\" = '$who=3' ]"
check "-d $who" xvsadm dir -d -t "$SVC" -r "$(rs_ip "$rs"):$HTTP_PORT"
only_one 3 "its server removed: a new one, then kept"
check "... not $who" eval "[ \"\$(count_rs $TMPD/who)\" != '$who=3' ]"

# ---- a persistent port-0 service: every port of the VIP, one server
check "-D the service" xvsadm dir -D -t "$SVC"
check "-A -t VIP -p (port 0)" xvsadm dir -A -t "$VIP" -s rr -p
for i in 1 2 3; do
	check "-a rs$i to port 0" xvsadm dir -a -t "$VIP:0" -r "$(rs_ip $i)" -g -w 1
done
only_one 4 "port 0: 4 HTTP connections, one server"
who=$(awk 'NR == 1 { print $1 }' "$TMPD/who")
nsx client "$PY" "$SERVERS/client.py" banner "$VIP" "$ECHO_PORT" 4 >"$TMPD/echo" 2>&1
check "port 0: 4 echo connections (port $ECHO_PORT) to the same $who" \
	eval "no_errors $TMPD/echo && [ \"\$(count_rs $TMPD/echo)\" = '$who=4' ]"
check "-L -n shows 'persistent 300', -p's default" eval "xvsadm dir -L -n | grep -q '^TCP  $VIP:0 rr persistent 300'"
check "-D the port-0 service" xvsadm dir -D -t "$VIP:0"

# ---- firewall marks
check "--add-mark 5 -t VIP:80" xvsadm dir --add-mark 5 -t "$SVC"
check "-A -f 5 -s rr" xvsadm dir -A -f 5 -s rr
for i in 1 2 3; do
	check "-a -f 5 rs$i" xvsadm dir -a -f 5 -r "$(rs_ip $i)" -g -w 1
done
client_whoami 9 >"$TMPD/who" 2>&1
check "-f 5: 9 HTTP connections spread by rr" \
	eval "no_errors $TMPD/who && [ \"\$(count_rs $TMPD/who)\" = 'rs1=3 rs2=3 rs3=3' ]"
check "-L -n shows the FWM service" eval "xvsadm dir -L -n | grep -q '^FWM  5 rr'"
conns=$(xvsadm dir -L -n --stats | awk '$1 == "FWM" && $2 == 5 { print $3 }')
check "--stats: FWM 5 counted the 9 connections (got '$conns')" [ "$conns" = 9 ]
check "-L --marks lists the rule" eval "xvsadm dir -L --marks | grep -q '^TCP  $SVC  *5$'"
check "-S saves the rule and the service" \
	eval "xvsadm dir -S -n | grep -qx -- '--add-mark 5 -t $SVC' && xvsadm dir -S -n | grep -qx -- '-A -f 5 -s rr'"
# a persistent mark over a port range, TCP and UDP
check "--add-mark 6 -t VIP:$ECHO_PORT-$UDP_PORT" xvsadm dir --add-mark 6 -t "$VIP:$ECHO_PORT-$UDP_PORT"
check "--add-mark 6 -u VIP:$ECHO_PORT-$UDP_PORT" xvsadm dir --add-mark 6 -u "$VIP:$ECHO_PORT-$UDP_PORT"
check "-A -f 6 -s rr -p 60" xvsadm dir -A -f 6 -s rr -p 60
for i in 1 2 3; do
	check "-a -f 6 rs$i" xvsadm dir -a -f 6 -r "$(rs_ip $i)" -g -w 1
done
nsx client "$PY" "$SERVERS/client.py" banner "$VIP" "$ECHO_PORT" 4 >"$TMPD/echo" 2>&1
got=$(count_rs "$TMPD/echo")
check "-f 6 -p: 4 TCP connections, one server ($got)" eval "no_errors $TMPD/echo && [[ '$got' =~ ^rs[0-9]=4$ ]]"
client_udp 4 >"$TMPD/udp" 2>&1
check "-f 6 -p: 4 UDP datagrams to the same server (IPVS's fwmark template has no protocol)" \
	eval "no_errors $TMPD/udp && [ \"\$(count_rs $TMPD/udp)\" = '$got' ]"
t=$(template_line 0.0.0.6:0)
check "-L -n -c: the fwmark template is IP, client:0, the mark as an address ($t)" \
	eval "[[ '$t' =~ ^IP\ [A-Z]+\ $CLIENT_IP:0\ 0\.0\.0\.6:0\  ]]"
# -C clears the rules with the services; -R of the saved table brings both
xvsadm dir -S -n >"$TMPD/saved"
check "-C" xvsadm dir -C
check "-C removed the mark rules" eval "[ \$(xvsadm dir -L --marks | wc -l) = 2 ]"
check "-R of -S brings them back" eval "xvsadm dir -R <'$TMPD/saved'"
check "... exactly" eval "xvsadm dir -S -n | cmp -s - '$TMPD/saved'"
client_whoami 3 >"$TMPD/who" 2>&1
check "... and the FWM 5 service forwards again" eval "no_errors $TMPD/who && [ \"\$(wc -l <$TMPD/who)\" = 3 ]"
check "--del-mark 5" xvsadm dir --del-mark 5 -t "$SVC"
client_whoami 1 >"$TMPD/who" 2>&1
if grep -q ERROR "$TMPD/who"; then
	ok "without its rule, VIP:80 is no service's (the director's own stack refuses)"
else
	not_ok "without its rule, VIP:80 is no service's (the director's own stack refuses)"
	{ cat "$TMPD/who"; xvsadm dir -L --marks; xvsadm dir -L -n -c
	  xvsadm dir -L --counters; } 2>&1 | sed 's/^/#   /'
fi
done_testing
