# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shell harness for end-to-end tests: TAP reporting, network namespaces with
# a per-run unique prefix that are always removed on exit (also on failure),
# and bounded polling instead of sleeps. Source it; then use:
#   ns_new NAME             create namespace "$NSP-NAME" (echoes full name)
#   nsx NAME cmd...         run cmd in namespace NAME (ip netns exec)
#   veth NAME1 IF1 NAME2 IF2    veth pair between two namespaces, both up
#   bg NAME cmd...          start cmd in namespace NAME in the background; killed at exit
#   wait_for SECS cmd...    poll cmd every 0.1 s until it succeeds (1 if it never does)
#   ok "name" / not_ok "name" [detail] / check "name" cmd...
#   xvsadm/xvs_rs NAME args...  run the built tools in namespace NAME
# Traffic stays inside the namespaces a test creates.

XVS_TOP=${XVS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
XVS_BUILD=${XVS_BUILD:-$XVS_TOP/build}
PY=/usr/bin/python3
NSP="xvst$$"			# unique namespace prefix for this run
TMPD=$(mktemp -d "/tmp/xvs-e2e.XXXXXX")
_tap_n=0
_tap_failed=0
_bg_pids=()
_namespaces=()

ok()     { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $1"; [ $# -gt 1 ] && printf '# %s\n' "${@:2}"; return 0; }
check()  { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "command failed: $*"; fi; }

ns_name() { echo "$NSP-$1"; }
ns_new() {
	ip netns add "$NSP-$1" || { echo "# cannot create namespace $NSP-$1" >&2; exit 1; }
	_namespaces+=("$NSP-$1")
	ip -n "$NSP-$1" link set lo up
}
nsx() { local n=$1; shift; ip netns exec "$NSP-$n" "$@"; }
veth() {	# ns1 if1 ns2 if2
	ip link add "$2" netns "$NSP-$1" type veth peer name "$4" netns "$NSP-$3"
	ip -n "$NSP-$1" link set "$2" up
	ip -n "$NSP-$3" link set "$4" up
}
bg() { local n=$1; shift; ip netns exec "$NSP-$n" "$@" & _bg_pids+=($!); }
wait_for() {
	local secs=$1 i; shift
	for ((i = 0; i < secs * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
xvsadm() { local n=$1; shift; ip netns exec "$NSP-$n" "$XVS_BUILD/xvsadm" "$@"; }
xvs_rs() { local n=$1; shift; ip netns exec "$NSP-$n" "$XVS_BUILD/xvs-rs" "$@"; }

_teardown() {
	local p n
	for p in "${_bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_bg_pids[@]}"; do wait "$p" 2>/dev/null; done
	for n in "${_namespaces[@]}"; do
		# processes a test started inside by other means
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$TMPD"
}
trap _teardown EXIT
trap 'exit 130' INT TERM

# Ends a test script: the plan line and the exit status.
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

# Fails the whole script early when a prerequisite is missing: never skip.
require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { not_ok "prerequisite: $c not found"; done_testing; exit 1; }
	done
	[ "$(id -u)" -eq 0 ] || { not_ok "prerequisite: root"; done_testing; exit 1; }
}
