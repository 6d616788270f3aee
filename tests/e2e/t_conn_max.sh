#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The connection table's capacity, set when the data plane loads
# (--conn-max; IPVS's conn_tab_bits), and a full table over real traffic
# (cluster of 1 RS, DR): a long-lived TCP connection is opened, then more
# new UDP flows than the table holds; every flow is still answered (DR
# forwards what it cannot record), the overflow is counted, the table holds
# no more than its size, and the established connection never notices. A
# --conn-max the running data plane does not have is refused and changes
# nothing.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

SIZE=1024 FLOWS=1200

topo_cluster 1500 1 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr 1

check "-A --conn-max $SIZE loads the data plane with that table" \
	xvsadm dir -A -u "$VIP:$UDP_PORT" -s rr --conn-max "$SIZE"
check "-L -n: size=$SIZE in the header" eval "xvsadm dir -L -n | head -1 | grep -q '(size=$SIZE)\$'"
check "-a the real server" xvsadm dir -a -u "$VIP:$UDP_PORT" -r "$(rs_ip 1)" -g
check "-A TCP echo service" xvsadm dir -A -t "$VIP:$ECHO_PORT" -s rr
check "-a the real server" xvsadm dir -a -t "$VIP:$ECHO_PORT" -r "$(rs_ip 1)" -g

out=$(xvsadm dir -A -t "$VIP:$HTTP_PORT" -s rr --conn-max 4096 2>&1)
rc=$?
check "-A --conn-max 4096 on a running table of $SIZE: refused ($out)" \
	eval "[ $rc -ne 0 ] && [[ '$out' == *'loaded with a connection table of $SIZE'* ]]"
check "... and nothing changed (no service $VIP:$HTTP_PORT)" \
	eval "! xvsadm dir -L -n | grep -q '$VIP:$HTTP_PORT '"

if ! chats_start 1; then
	not_ok "a long-lived connection established" "$(tail -5 "$CHATS_LOG")"
	done_testing
	exit 1
fi
ok "a long-lived connection established"

full0=$(counter conn_table_full)
client_udp "$FLOWS" >"$TMPD/udp" 2>&1
got=$(count_rs "$TMPD/udp")
check "$FLOWS new UDP flows into a table of $SIZE: every one answered ($got)" \
	eval "no_errors '$TMPD/udp' && [ '$got' = 'rs1=$FLOWS' ]"
full=$(( $(counter conn_table_full) - full0 ))
# a datagram from a source port used before belongs to that port's flow
flows=$(awk '$1 ~ /^rs/ { print $2 }' "$TMPD/udp" | sort -u | wc -l)
entries=$(xvsadm dir -L -n -c | awk '$1 == "UDP" || $1 == "TCP"' | wc -l)
check "the table holds at most its $SIZE ($entries)" test "$entries" -le "$SIZE"
check "the flows it could not record are counted: conn_table_full $full = $flows flows - (entries - 1 TCP)" \
	test "$full" -eq $((flows - (entries - 1)))
still_chatting "with the table full"
chats_end
done_testing
