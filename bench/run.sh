#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make bench`: every benchmark section in turn, then docs/BENCHMARKS.md and
# the plots in docs/bench/ from their results (bench/report.py). Root, and
# the programs built (make bench builds them first).
#
#   bench/run.sh            the full run (under 10 minutes on 2 cores)
#   bench/run.sh --quick    a smoke run of every section, few rounds, written
#                           to build/bench/quick/ instead of docs/
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
BUILD=${BUILD:-build}
T0=$EPOCHREALTIME

if [ "${1:-}" = --quick ]; then
	ROUNDS=1 CALLS=5000 E2E_SECS=1 E2E_RUNS=1 RESTORE_LIMIT=5
	DOC_DIR=$BUILD/bench/quick
else
	# 5 rounds of 50,000 single runs: the spread of a round is a few %
	ROUNDS=5 CALLS=50000 E2E_SECS=2 E2E_RUNS=3 RESTORE_LIMIT=150
	DOC_DIR=docs
fi
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (BPF, network namespaces)" >&2; exit 1; }
for p in "$BUILD/bench/pkt_bench" "$BUILD/bench/udp_blast" "$BUILD/xvsadm" "$BUILD/xvs-rs"; do
	[ -x "$p" ] || { echo "bench: $p not built (run make bench)" >&2; exit 1; }
done
command -v gnuplot >/dev/null || { echo "bench: gnuplot not found (make bench installs it)" >&2; exit 1; }

RESULTS=$BUILD/bench/results.jsonl
mkdir -p "$BUILD/bench" "$DOC_DIR/bench"
: >"$RESULTS"

json_str() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
machine() {
	local cpu mem
	cpu=$(lscpu | awk -F: '/^Model name/ { sub(/^[ \t]+/, "", $2); print $2; exit }')
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	printf '{"sec":"machine","date":"%s","kernel":"%s","cpu":"%s","cores":%s,"mem":"%s","commit":"%s","clang":"%s","libbpf":"%s","nginx":"%s","haproxy":"%s","wrk":"%s","nft":"%s","hypervisor":"%s"}\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(uname -r)" "$(json_str "$cpu")" "$(nproc)" "$mem" \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		"$(clang --version | awk 'NR == 1 { print $NF }')" \
		"$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' nginx-light 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' haproxy 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' wrk 2>/dev/null)" \
		"$(dpkg-query -W -f='${Version}' nftables 2>/dev/null)" \
		"$(lscpu | awk -F: '/^Hypervisor vendor/ { gsub(/[ \t]/, "", $2); print $2 }')"
}
machine >>"$RESULTS"

# A section that fails leaves its figures out (n/a) and fails the run, after
# the report of what the other sections measured.
failed=""
echo "bench: 1-3 per-packet cost, connection table, schedulers (BPF_PROG_TEST_RUN)"
"$BUILD/bench/pkt_bench" --rounds "$ROUNDS" --calls "$CALLS" >>"$RESULTS" || failed="$failed 1-3"
echo "bench: 4 end to end on veth"
bench/e2e.sh "$RESULTS" "$E2E_SECS" "$E2E_RUNS" || failed="$failed 4"
echo "bench: 5 control plane"
bench/ctl.sh "$RESULTS" "$RESTORE_LIMIT" || failed="$failed 5"

ELAPSED=$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
/usr/bin/python3 bench/report.py "$RESULTS" "$DOC_DIR/BENCHMARKS.md" "$DOC_DIR/bench" "$ELAPSED"
echo "bench: wrote $DOC_DIR/BENCHMARKS.md and $DOC_DIR/bench/*.png in ${ELAPSED} s"
[ -z "$failed" ] || { echo "bench: sections failed:$failed (see above)" >&2; exit 1; }
