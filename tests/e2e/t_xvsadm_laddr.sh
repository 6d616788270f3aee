#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvsadm's FULLNAT local addresses in a fresh namespace: -P puts the address
# on the interface and -G/-L/-S show it, -Q takes it away again (but never an
# address the interface had before), --lport-range is kept, -S | -C | -R
# round-trips all of it, and bad input (unknown service or interface,
# missing -F, duplicate, bad address) fails with a message, a non-zero exit
# and no change - also when a restore fails half-way.
. "$(dirname "$0")/../harness/lib.sh"
require "$XVS_BUILD/xvsadm"

SVC=10.99.50.1:80
RIP=10.99.40.2
L1=10.99.40.201
L2=10.99.40.202
OWN=10.99.40.1		# the director's own address on e0

ns_new dir && ns_new peer && veth dir e0 peer e1
nsx dir ip addr add "$OWN/24" dev e0
nsx peer ip addr add "$RIP/24" dev e1
nsx peer ip addr add 10.99.40.3/24 dev e1

# on_iface ADDR: the address is on e0 of the director
on_iface() { nsx dir ip -4 -o addr show dev e0 | grep -q " $1/"; }
# g_has ADDR: -G has a local-address line for ADDR
g_has() { xvsadm dir -G | awk -v a="$1" '$1 == a && $2 == 0 && $3 ~ /^[0-9]+$/ { f = 1 } END { exit !f }'; }
g_total() { xvsadm dir -G -t "$SVC" | awk -v s="$SVC" '$1 == s { print $2 }'; }

check "-G before any data plane: no service, default range" \
	eval "[ \"\$(xvsadm dir -G)\" = 'Local port range: 1025-65535' ]"
check "-A a service" xvsadm dir -A -t "$SVC" -s rr
check "-a a FULLNAT real server (-b)" xvsadm dir -a -t "$SVC" -r "$RIP:8080" -b -w 1
check "-a a NAT real server (-m)" xvsadm dir -a -t "$SVC" -r 10.99.40.3:8081 -m -w 2
check "-L -n names the methods FullNat and Masq" eval "xvsadm dir -L -n | grep -q '^  -> $RIP:8080 *FullNat ' && xvsadm dir -L -n | grep -q '^  -> 10.99.40.3:8081 *Masq '"
check "-P a first local address" xvsadm dir -P -t "$SVC" -z "$L1" -F e0
check "-P a second one (long options)" xvsadm dir --add-laddr --tcp-service "$SVC" --laddr "$L2" --ifname e0
check "-P the interface's own address" xvsadm dir -P -t "$SVC" -z "$OWN" -F e0
check "the first address is on e0" on_iface "$L1"
check "the second address is on e0" on_iface "$L2"
check "-G lists the first address" g_has "$L1"
check "-G lists the second address" g_has "$L2"
check "-G -t counts three local addresses" eval "[ \"\$(g_total)\" = 3 ]"
check "-G has DPVS's title" eval "xvsadm dir -G | grep -Eq '^VIP:VPORT +TOTAL +SNAT_IP +CONFLICTS +CONNS'"
check "-L -n shows them after the real servers" \
	eval "xvsadm dir -L -n | grep -qx '  => laddr $L1 dev e0 conns 0'"
check "--lport-range 20000-29999" xvsadm dir --lport-range 20000-29999
check "-G shows the range" eval "xvsadm dir -G | head -n1 | grep -qx 'Local port range: 20000-29999'"
xvsadm dir -S -n >"$TMPD/saved"
check "-S -n saves the range first" eval "head -n1 '$TMPD/saved' | grep -qx -- '--lport-range 20000-29999'"
check "-S -n saves the -P lines" eval "grep -qx -- '-P -t $SVC -z $L1 -F e0' '$TMPD/saved' && grep -qx -- '-P -t $SVC -z $L2 -F e0' '$TMPD/saved'"
check "-S -n saves -b and -m" eval "grep -qx -- '-a -t $SVC -r $RIP:8080 -b -w 1' '$TMPD/saved' && grep -qx -- '-a -t $SVC -r 10.99.40.3:8081 -m -w 2' '$TMPD/saved'"

# ---- bad input: a message, non-zero exit, nothing changed
L9=10.99.40.209
bad_inputs=(
	"unknown service|1|Service not defined|-P -t 10.99.50.9:80 -z $L9 -F e0"
	"missing -F|2|You need to supply the 'ifname' option for the 'add-laddr' command|-P -t $SVC -z $L9"
	"unknown interface|1|No such interface \`nosuch0'|-P -t $SVC -z $L9 -F nosuch0"
	"duplicate local address|1|Local address already exists|-P -t $SVC -z $L1 -F e0"
	"multicast local address|2|illegal local address|-P -t $SVC -z 224.0.0.9 -F e0"
	"invalid interface name|2|xvsadm: invalid interface name \`e0/x'|-P -t $SVC -z $L9 -F e0/x"
	"-Q of an address the service does not have|1|No such local address|-Q -t $SVC -z $L9"
	"-Q on the wrong interface|1|No such local address|-Q -t $SVC -z $L1 -F lo"
	"-Q for an unknown service|1|Service not defined|-Q -t 10.99.50.9:80 -z $L1"
	"-G for an unknown service|1|No such service|-G -t 10.99.50.9:80"
	"bad port range|2|xvsadm: invalid local port range \`9-1' (MIN-MAX within 1-65535)|--lport-range 9-1"
)
for entry in "${bad_inputs[@]}"; do
	IFS='|' read -r name want_rc want_msg args <<<"$entry"
	# shellcheck disable=SC2086
	xvsadm dir $args >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	xvsadm dir -S -n >"$TMPD/after"
	if [ "$rc" = "$want_rc" ] && [ "$(cat "$TMPD/err")" = "$want_msg" ] &&
	   cmp -s "$TMPD/saved" "$TMPD/after" && ! on_iface "$L9"; then
		ok "bad input rejected: $name (exit $rc: $want_msg)"
	else
		not_ok "bad input rejected: $name" "xvsadm $args: exit $rc, expected $want_rc" \
			"stderr: $(head -n2 "$TMPD/err")" "expected: $want_msg" \
			"table changed: $(diff "$TMPD/saved" "$TMPD/after" | xargs)"
	fi
done

# ---- a restore that fails half-way leaves the table and e0 as they were
printf '%s\n' "-P -t $SVC -z $L9 -F e0" "-Q -t $SVC -z $L2" "--lport-range 1025-2047" \
	"-A -t $SVC -s rr" >"$TMPD/half"
xvsadm dir -R <"$TMPD/half" >"$TMPD/out" 2>"$TMPD/err"
rc=$?
check "a failing restore exits 1 and names the line (exit $rc: $(head -n1 "$TMPD/err"))" \
	eval "[ $rc -eq 1 ] && grep -qx 'line 4: Service already exists' '$TMPD/err'"
xvsadm dir -S -n >"$TMPD/after"
# an undone -Q puts the address back at the end of the service's list
check "... its -P, -Q and --lport-range were undone" \
	eval "cmp <(sort '$TMPD/saved') <(sort '$TMPD/after')"
check "... the address it added is gone from e0" eval "! on_iface $L9"
check "... the address it removed is back on e0" on_iface "$L2"

# ---- -S | -C | -R round trip
check "-C" xvsadm dir -C
check "-C takes the local addresses off e0" eval "! on_iface $L1 && ! on_iface $L2"
check "-C leaves the interface's own address" on_iface "$OWN"
check "-R the saved table" eval "xvsadm dir -R <'$TMPD/saved'"
xvsadm dir -S -n >"$TMPD/restored"
check "-S -n after -R equals the saved table" cmp "$TMPD/saved" "$TMPD/restored"
check "-R put the addresses back on e0" eval "on_iface $L1 && on_iface $L2"

# ---- -Q removes what -P added, and only that
check "-Q the first address" xvsadm dir -Q -t "$SVC" -z "$L1"
check "... it is gone from e0" eval "! on_iface $L1"
check "... -G no longer lists it" eval "! g_has $L1 && g_has $L2"
check "-Q with -F (DPVS spelling)" xvsadm dir --del-laddr -t "$SVC" -z "$L2" -F e0
check "... it is gone from e0" eval "! on_iface $L2"
check "-Q the interface's own address" xvsadm dir -Q -t "$SVC" -z "$OWN"
check "... which stays on e0 (xvs did not add it)" on_iface "$OWN"
check "-G -t counts none" eval "[ \"\$(g_total)\" = 0 ]"

[ "$_tap_failed" -eq 0 ] || { echo "# saved:"; sed 's/^/#   /' "$TMPD/saved"; }
done_testing
