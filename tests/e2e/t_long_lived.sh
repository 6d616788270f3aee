#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A long-lived TCP connection (a line every 100 ms, every byte echoed) keeps
# working while real servers are added, re-weighted (to 0 too) and removed,
# including its own real server: IPVS keeps existing connections. New
# connections after the changes go only to the real server that remains.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

SVC="$VIP:$ECHO_PORT"
PROGRESS="$TMPD/chat.progress"
STOP="$TMPD/chat.stop"

echoed() { local v; v=$(cat "$PROGRESS" 2>/dev/null); [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo -1; }
# advanced N FROM: the connection echoed at least N more lines since FROM
advanced() { [ "$(echoed)" -ge $(($2 + $1)) ]; }

# step NAME xvsadm-args...: one change to the service, then the chat must
# echo 5 more lines (half a second of traffic) on its original connection.
step() {
	local name=$1 from
	shift
	from=$(echoed)
	if ! xvsadm dir "$@"; then
		not_ok "$name" "xvsadm $* failed"
		return
	fi
	if wait_for 10 advanced 5 "$from"; then
		ok "$name; the long-lived connection still echoes ($(echoed) lines)"
	else
		not_ok "$name; the long-lived connection stopped" "echoed lines: $(echoed)" "$(sed 's/^/chat: /' "$TMPD/chat.log")"
	fi
}

# only_to RS N NAME: N new connections all land on RS.
only_to() {
	nsx client "$PY" "$SERVERS/client.py" banner "$VIP" "$ECHO_PORT" "$2" >"$TMPD/new" 2>&1
	local got; got=$(count_rs "$TMPD/new")
	if no_errors "$TMPD/new" && [ "$got" = "$1=$2" ]; then ok "$3: $got"; else not_ok "$3" "want $1=$2, got '$got'"; fi
}

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr
check "-A rr" xvsadm dir -A -t "$SVC" -s rr
check "-a rs1" xvsadm dir -a -t "$SVC" -r "$(rs_ip 1):$ECHO_PORT" -g -w 1
check "-a rs2" xvsadm dir -a -t "$SVC" -r "$(rs_ip 2):$ECHO_PORT" -g -w 1

bg client "$PY" "$SERVERS/client.py" chat "$VIP" "$ECHO_PORT" --progress "$PROGRESS" \
	--stop "$STOP" --interval 0.1 >"$TMPD/chat.log" 2>&1
chat_pid=${_bg_pids[-1]}
if ! wait_for 10 advanced 5 0; then
	not_ok "long-lived connection established" "$(cat "$TMPD/chat.log")"
	done_testing
	exit 1
fi
own=$(awk '$1 == "banner" { print $2 }' "$TMPD/chat.log")
case $own in
rs1) other=rs2 ;;
rs2) other=rs1 ;;
*) not_ok "long-lived connection landed on rs1 or rs2" "banner: $own"; done_testing; exit 1 ;;
esac
ok "long-lived connection established on $own"
own_rs="$(rs_ip "${own#rs}"):$ECHO_PORT"
other_rs="$(rs_ip "${other#rs}"):$ECHO_PORT"
new_rs="$(rs_ip 3):$ECHO_PORT"

step "add rs3"                  -a -t "$SVC" -r "$new_rs" -g -w 1
step "re-weight $other to 3"    -e -t "$SVC" -r "$other_rs" -g -w 3
step "re-weight $other to 0"    -e -t "$SVC" -r "$other_rs" -g -w 0
step "remove $other"            -d -t "$SVC" -r "$other_rs"
step "own RS $own to weight 0"  -e -t "$SVC" -r "$own_rs" -g -w 0
only_to rs3 6 "new connections with $own at weight 0 go to rs3 only"
step "remove own RS $own"       -d -t "$SVC" -r "$own_rs"
only_to rs3 6 "new connections after the changes go to rs3 only"

from=$(echoed)
check "long-lived connection still echoes after the new connections" wait_for 10 advanced 5 "$from"
touch "$STOP"
wait "$chat_pid"
rc=$?
summary=$(grep -E '^(sent|ERROR)' "$TMPD/chat.log")
check "long-lived connection: every line echoed byte for byte ($summary)" \
	eval "[ $rc = 0 ] && ! grep -q '^ERROR' '$TMPD/chat.log' && grep -Eq '^sent ([0-9]+) echoed \\1\$' '$TMPD/chat.log'"
check "-L -n lists rs3 alone" eval "[ \"\$(xvsadm dir -L -n | grep -c -- '->.*:$ECHO_PORT')\" = 1 ] && xvsadm dir -L -n | grep -q -- '-> $new_rs '"
done_testing
