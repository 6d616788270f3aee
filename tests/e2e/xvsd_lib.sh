# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for the xvsd e2e tests (source lib.sh and topo.sh first):
#   rs_start NAME           rs_server.py in RS namespace NAME on every address
#                           (the VIP for DR traffic, its own for the checks),
#                           root $TMPD/www-NAME; pid in $TMPD/NAME.srv.pid
#   rs_stop NAME            kills that server process (connections refused)
#   xvsd_start NS CONF [args]   xvsd in the foreground in namespace NS, log
#                           $TMPD/xvsd-NS.log, pid file $TMPD/xvsd-NS.pid;
#                           waits until it says it started
#   xvsd_pid NS / xvsd_reload NS / xvsd_stop NS
#   dest_weight NS "PROTO VIP:PORT" RIP:PORT   the real server's weight in
#                           `xvsadm -L -n`, or "absent"
#   pool NS "PROTO VIP:PORT"    "RIP:PORT=W ..." of the service, sorted
#   log_time NS REGEX       epoch seconds (ms) of the first log line matching
XVSD_BIN=$XVS_BUILD/xvsd

rs_start() {
	local n=$1 ready="$TMPD/$1.srv.ready"
	mkdir -p "$TMPD/www-$n"
	rm -f "$ready"
	ip netns exec "$(ns_name "$n")" "$PY" "$SERVERS/rs_server.py" --name "$n" --addr 0.0.0.0 \
		--http "$HTTP_PORT" --echo "$ECHO_PORT" --udp "$UDP_PORT" \
		--root "$TMPD/www-$n" --ready "$ready" >>"$TMPD/$n.log" 2>&1 &
	echo $! >"$TMPD/$n.srv.pid"
	_bg_pids+=($!)
	wait_for 10 test -e "$ready" || { echo "# $n: server did not start" >&2; return 1; }
}

rs_stop() {
	local p
	p=$(cat "$TMPD/$1.srv.pid") || return 1
	kill "$p" && wait "$p" 2>/dev/null
	return 0
}

xvsd_start() {
	local ns=$1 conf=$2 log="$TMPD/xvsd-$1.log" before
	shift 2
	before=$(grep -c ' started (pid' "$log" 2>/dev/null)
	ip netns exec "$(ns_name "$ns")" "$XVSD_BIN" -n -l -D --no-syslog -p "$TMPD/xvsd-$ns.pid" \
		-f "$conf" "$@" >>"$log" 2>&1 &
	_bg_pids+=($!)
	wait_for 10 eval "[ \"\$(grep -c ' started (pid' '$log')\" -gt ${before:-0} ]" ||
		{ echo "# xvsd did not start:" >&2; sed 's/^/#   /' "$log" >&2; return 1; }
}

xvsd_pid() { cat "$TMPD/xvsd-$1.pid" 2>/dev/null; }

# xvsd_reload NS: SIGHUP, then wait until the reload was applied or rejected.
xvsd_reload() {
	local log="$TMPD/xvsd-$1.log" before
	before=$(grep -cE 'Reloaded |Reload of .* (rejected|failed)' "$log")
	kill -HUP "$(xvsd_pid "$1")" || return 1
	wait_for 10 eval "[ \"\$(grep -cE 'Reloaded |Reload of .* (rejected|failed)' '$log')\" -gt $before ]"
}

xvsd_stop() {
	local p
	p=$(xvsd_pid "$1") || return 1
	kill "$p" 2>/dev/null
	wait_for 10 eval "! kill -0 $p 2>/dev/null"
}

dest_weight() {
	local w
	w=$(xvsadm "$1" -L -n | awk -v s="$2" -v d="$3" '
		$1 " " $2 == s { insvc = 1; next }
		$1 == "->" && insvc && $2 == d { print $4; exit }
		$1 != "->" { insvc = 0 }')
	echo "${w:-absent}"
}

pool() {
	xvsadm "$1" -L -n | awk -v s="$2" '
		$1 " " $2 == s { insvc = 1; next }
		$1 == "->" && insvc && $2 ~ /:/ { print $2 "=" $4 }
		$1 != "->" { insvc = 0 }' | sort | xargs
}

weight_is() { [ "$(dest_weight "$1" "$2" "$3")" = "$4" ]; }
pool_is() { [ "$(pool "$1" "$2")" = "$3" ]; }

log_time() {
	local l
	l=$(grep -E -m1 "$2" "$TMPD/xvsd-$1.log") || return 1
	date -d "$(cut -c1-23 <<<"$l")" +%s.%3N
}

# elapsed_ms T0 T1: milliseconds from T0 to T1 (epoch seconds with decimals)
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 }'; }

# banners N PORT: N new connections to VIP:PORT, "rsN=count ..." of who answered
banners() {
	nsx client "$PY" "$SERVERS/client.py" banner "$VIP" "$2" "$1" >"$TMPD/banners" 2>&1
	no_errors "$TMPD/banners" && count_rs "$TMPD/banners"
}

# Long-lived connections (client.py chats): chats_start N starts N echo
# connections to VIP:ECHO_PORT in the background, a line on each every
# 100 ms, and waits for them; still_chatting NAME is a test that they all
# echoed 5 more rounds; chats_end NAME stops them and tests that every byte
# came back.
CHATS_PROGRESS=$TMPD/chats.progress
CHATS_STOP=$TMPD/chats.stop
CHATS_LOG=$TMPD/chats.log
chats_rounds() { local v; v=$(cat "$CHATS_PROGRESS" 2>/dev/null); [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo -1; }
chats_advanced() { [ "$(chats_rounds)" -ge $(($2 + $1)) ]; }
chats_start() {
	_chats_n=$1
	bg client "$PY" "$SERVERS/client.py" chats "$VIP" "$ECHO_PORT" "$1" --progress "$CHATS_PROGRESS" \
		--stop "$CHATS_STOP" --interval 0.1 >"$CHATS_LOG" 2>&1
	_chats_pid=${_bg_pids[-1]}
	wait_for 20 chats_advanced 3 0
}
# chats_split: "rsN=count ..." of where the connections landed
chats_split() { awk '$1 == "banner" { print $2 }' "$CHATS_LOG" | sort | uniq -c | awk '{ print $2 "=" $1 }' | xargs; }
still_chatting() {
	local from
	from=$(chats_rounds)
	if wait_for 15 chats_advanced 5 "$from"; then
		ok "$1: all $_chats_n long-lived connections still echo (round $(chats_rounds))"
	else
		not_ok "$1: the long-lived connections stopped" "round $(chats_rounds)" "$(tail -5 "$CHATS_LOG")"
	fi
}
chats_end() {
	local rc summary
	touch "$CHATS_STOP"
	wait "$_chats_pid"
	rc=$?
	summary=$(grep -E '^(sent|ERROR)' "$CHATS_LOG")
	check "the $_chats_n long-lived connections: every line echoed byte for byte ($summary)" \
		eval "[ $rc = 0 ] && grep -Eq '^sent ([0-9]+) echoed \\1 conns $_chats_n ' '$CHATS_LOG'"
}
