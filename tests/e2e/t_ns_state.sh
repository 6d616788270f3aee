#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvsadm state is per network namespace and needs no daemon: separate
# invocations share one table, another namespace has its own, forwarding
# outlives every xvsadm process, bad input changes nothing, and
# `-S -n | -R` reproduces a table in a fresh namespace.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

SVC="$VIP:$HTTP_PORT"
RS1="$(rs_ip 1):$HTTP_PORT"

# lone_director NAME: a namespace with one UP veth (to NAME-peer), enough
# for the data plane to attach.
lone_director() {
	ns_new "$1" && ns_new "$1-peer" && veth "$1" e0 "$1-peer" e1
}

topo_selftest 1500 || { not_ok "topology"; done_testing; exit 1; }
check "rs1: xvs-rs up --mode dr" rs_up rs1 dr
check "rs1: server on the VIP" rs_serve rs1

# ---- one table per namespace, shared by separate invocations
check "invocation 1: -A" xvsadm dir -A -t "$SVC" -s rr
check "invocation 2: -a" xvsadm dir -a -t "$SVC" -r "$RS1" -g -w 1
check "invocation 3: -L -n sees the service" eval "xvsadm dir -L -n | awk '\$1 == \"TCP\" && \$2 == \"$SVC\" && \$3 == \"rr\" { f = 1 } END { exit !f }'"
check "invocation 3: -L -n sees the real server" fwd_method_is "$SVC" "$RS1" Route

lone_director dir2
check "second director: its table starts empty" eval "out=\$(xvsadm dir2 -S -n) && [ -z \"\$out\" ]"
check "second director: -A its own service" xvsadm dir2 -A -t 10.99.200.1:80 -s wrr
check "second director: does not see the first one's service" eval "! xvsadm dir2 -L -n | grep -q '$VIP'"
check "first director: does not see the second one's service" eval "! xvsadm dir -L -n | grep -q 10.99.200.1"
check "second director: -C" xvsadm dir2 -C
check "first director: unchanged by the second one's -C" fwd_method_is "$SVC" "$RS1" Route

# ---- no daemon: nothing of ours runs in the director, and it forwards
pids=$(ip netns pids "$(ns_name dir)" | xargs)
check "no process left in the director namespace (pids: '$pids')" [ -z "$pids" ]
client_whoami 3 >"$TMPD/who" 2>&1
check "forwarding after every xvsadm exited: 3 answers from rs1" \
	eval "no_errors $TMPD/who && [ \"\$(count_rs $TMPD/who)\" = rs1=3 ]"

# ---- bad input: a message, non-zero exit, the table unchanged
check "-A a wrr service" xvsadm dir -A -t "$VIP:8443" -s wrr
check "-a to it, weight 5" xvsadm dir -a -t "$VIP:8443" -r "$(rs_ip 1):8443" -g -w 5
check "-A a UDP service" xvsadm dir -A -u "$VIP:$UDP_PORT" -s rr
check "-a to it" xvsadm dir -a -u "$VIP:$UDP_PORT" -r "$(rs_ip 1):$UDP_PORT" -i -w 2
check "-A a persistent firewall-mark service" xvsadm dir -A -f 7 -s wlc -p 120 -M 255.255.255.0
check "-a to it with thresholds" xvsadm dir -a -f 7 -r "$(rs_ip 1)" -g -w 2 -x 50 -y 10
check "--add-mark 7 for a port range" xvsadm dir --add-mark 7 -t "$VIP:8000-8100"
xvsadm dir -S -n >"$TMPD/before"
check "-S -n lists 4 services" [ "$(grep -c '^-A' "$TMPD/before")" = 4 ]
check "-S -n saves the mark rule" grep -qx -- "--add-mark 7 -t $VIP:8000-8100" "$TMPD/before"

bad_inputs=(
	"bad address|-A -t 10.99.300.1:80 -s rr"
	"port 70000|-A -t 10.99.100.2:70000 -s rr"
	"unknown scheduler|-A -t 10.99.100.2:80 -s nosuch"
	"negative weight|-a -t $SVC -r $(rs_ip 2):80 -g -w -1"
	"real server for a missing service|-a -t 10.99.100.9:80 -r $(rs_ip 2):80 -g -w 1"
	"duplicate service|-A -t $SVC -s rr"
	"persistence timeout 0|-A -t 10.99.100.2:81 -s rr -p 0"
	"lower threshold above the upper|-a -t $SVC -r $(rs_ip 2):80 -g -w 1 -x 10 -y 20"
	"duplicate mark rule|--add-mark 8 -t $VIP:8000-8100"
	"mark rule with a bad prefix|--add-mark 8 -t $VIP/40"
	"duplicate real server|-a -t $SVC -r $RS1 -g -w 1"
	"delete a missing real server|-d -t $SVC -r $(rs_ip 3):80"
	"delete a missing service|-D -t 10.99.100.9:80"
	"local address on a missing interface|-P -t $SVC -z 10.99.2.200 -F nosuchif0"
	"unknown option|-A -t 10.99.100.2:80 --no-such-option"
)
for entry in "${bad_inputs[@]}"; do
	name=${entry%%|*}
	# shellcheck disable=SC2086
	xvsadm dir ${entry#*|} >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	xvsadm dir -S -n >"$TMPD/after"
	if [ "$rc" -ne 0 ] && [ -s "$TMPD/err" ] && cmp -s "$TMPD/before" "$TMPD/after"; then
		ok "bad input rejected: $name (exit $rc: $(head -n1 "$TMPD/err"))"
	else
		not_ok "bad input rejected: $name" "xvsadm ${entry#*|}: exit $rc" \
			"stderr: $(head -n2 "$TMPD/err")" "table changed: $(diff "$TMPD/before" "$TMPD/after" | xargs)"
	fi
done

# ---- -S -n | -R reproduces the table in a fresh namespace
lone_director dir3
check "-R into a fresh namespace" eval "xvsadm dir3 -R <'$TMPD/before'"
xvsadm dir3 -S -n >"$TMPD/restored"
check "-S -n of the restored namespace equals the original" cmp "$TMPD/before" "$TMPD/restored"

# ---- -S piped into -R of the same namespace: -R reads its input before it
# takes the namespace lock, so the pipe cannot wait on itself
pipe_into_self() {
	xvsadm dir3 -S -n | timeout 20 ip netns exec "$(ns_name dir3)" "$XVS_BUILD/xvsadm" -R 2>/dev/null
	# every line already exists: the restore fails as a whole, not by a hang
	[ "${PIPESTATUS[1]}" -eq 1 ]
}
check "-S | -R into the same namespace ends (no self-wait) and changes nothing" pipe_into_self
xvsadm dir3 -S -n >"$TMPD/again"
check "... and the table is unchanged" cmp "$TMPD/before" "$TMPD/again"
[ "$_tap_failed" -eq 0 ] || { echo "# original:"; sed 's/^/#   /' "$TMPD/before"; echo "# restored:"; sed 's/^/#   /' "$TMPD/restored"; }
done_testing
