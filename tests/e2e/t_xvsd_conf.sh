#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvsd -t over the configuration corpus (tests/xvsd/conf): every good file
# passes, every bad file fails with a file:line:col diagnostic containing
# its "# expect:" text, and keepalived -t (run in a namespace that has the
# eth0 the vrrp blocks name) gives the same verdict, except for files whose
# header says "# xvsd-only:" and why.
source "$(dirname "$0")/../harness/lib.sh"
require keepalived
XVSD=$XVS_BUILD/xvsd
CORPUS=$XVS_TOP/tests/xvsd/conf
[ -x "$XVSD" ] || { not_ok "build/xvsd exists (run make)"; done_testing; exit 1; }

ns_new ka
ip -n "$(ns_name ka)" link add eth0 type veth peer name eth0p
ip -n "$(ns_name ka)" link set eth0 up

keepalived_verdict() {	# file -> 0 good, 1 bad (keepalived's exit status > 0)
	(cd "$(dirname "$1")" && nsx ka keepalived -t -f "$(basename "$1")" -l -D >/dev/null 2>&1)
	[ $? -eq 0 ] && echo 0 || echo 1
}

run_xvsd() {	# file -> sets rc and out
	out=$(cd "$(dirname "$1")" && "$XVSD" -t -f "$(basename "$1")" 2>&1)
	rc=$?
}

for f in "$CORPUS"/good/*.conf; do
	name=good/$(basename "$f")
	run_xvsd "$f"
	if [ "$rc" -eq 0 ] && ! grep -qE ': (error|warning): ' <<<"$out"; then
		ok "$name: xvsd -t accepts it"
	else
		not_ok "$name: xvsd -t accepts it" "exit $rc" "$out"
	fi
	if grep -q '^# xvsd-only:' "$f"; then
		[ "$(keepalived_verdict "$f")" = 1 ] && ok "$name: keepalived -t rejects it (xvsd-only)" ||
			not_ok "$name: keepalived -t rejects it (xvsd-only)" "keepalived now accepts it: drop the marker"
	else
		[ "$(keepalived_verdict "$f")" = 0 ] && ok "$name: keepalived -t agrees" ||
			not_ok "$name: keepalived -t agrees" "keepalived rejects it"
	fi
done

for f in "$CORPUS"/bad/*.conf; do
	name=bad/$(basename "$f")
	expect=$(sed -n 's/^# expect: //p' "$f" | head -1)
	run_xvsd "$f"
	base=$(basename "$f")
	if [ "$rc" -eq 1 ] && grep -qE "^[^ ]+:[0-9]+:[0-9]+: (error|warning): .*$(printf '%s' "$expect" | sed 's/[][\.*^$/]/\\&/g')" <<<"$out"; then
		ok "$name: rejected with file:line:col: $expect"
	else
		not_ok "$name: rejected with file:line:col: $expect" "exit $rc" "$out"
	fi
	if grep -q '^# xvsd-only:' "$f"; then
		[ "$(keepalived_verdict "$f")" = 0 ] && ok "$name: keepalived -t accepts it (xvsd-only)" ||
			not_ok "$name: keepalived -t accepts it (xvsd-only)" "keepalived now rejects it: drop the marker"
	else
		[ "$(keepalived_verdict "$f")" = 1 ] && ok "$name: keepalived -t agrees" ||
			not_ok "$name: keepalived -t agrees" "keepalived accepts it"
	fi
	[ "$base" = many_errors.conf ] && {
		n=$(grep -cE ': error: ' <<<"$out")
		[ "$n" -eq 3 ] && ok "$name: all three errors reported" || not_ok "$name: all three errors reported" "$out"
	}
done

# command line: -f FILE -t order, -h, -v, the daemon's refusals
"$XVSD" -f "$CORPUS/good/lvs_dr.conf" -t 2>/dev/null
check "-f FILE -t works in that order too" test $? -eq 0
"$XVSD" -h | grep -q -- '--config-test'
check "-h prints usage" test $? -eq 0
"$XVSD" -v | grep -q '^xvsd '
check "-v prints the version" test $? -eq 0
# the daemon refuses a file with errors before it forks, naming them
out=$("$XVSD" -n --no-syslog -p "$TMPD/xvsd.pid" -f "$CORPUS/bad/many_errors.conf" 2>&1)
rc=$?
check "daemon: a file with errors is refused with file:line:column" \
	eval "[ $rc -eq 1 ] && grep -qE 'error: .*many_errors.conf:[0-9]+:[0-9]+: ' <<<\"\$out\""
check "daemon: refused before writing its pid file" test ! -e "$TMPD/xvsd.pid"
"$XVSD" --metrics nope -f "$CORPUS/good/lvs_dr.conf" 2>/dev/null
check "daemon: a bad --metrics is a usage error" test $? -eq 2
# the systemd unit's ExecStart is a command line xvsd takes
unit=$XVS_TOP/contrib/systemd/xvsd.service
cmdline=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s|^/usr/sbin/xvsd|$XVSD|; s|/etc/keepalived/keepalived.conf|$CORPUS/good/lvs_nat.conf|; s|\$XVSD_OPTIONS||")
# shellcheck disable=SC2086
check "systemd unit: its ExecStart options parse (with -t)" $cmdline -t
check "systemd unit: Type=forking with the pid file it passes, reload by SIGHUP" \
	eval "grep -qx 'Type=forking' '$unit' && grep -qx 'PIDFile=/run/xvsd.pid' '$unit' && grep -q -- '-p /run/xvsd.pid' '$unit' && grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' '$unit'"
out=$("$XVSD" -t -f "$TMPD/missing.conf" 2>&1)
rc=$?
check "-t on a missing file fails naming it" \
	eval "[ $rc -eq 1 ] && grep -q 'cannot open configuration file' <<<\"\$out\""
done_testing
