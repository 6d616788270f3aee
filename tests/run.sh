#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs every test tier and ends with one line "N passed, N failed".
#   tests/run.sh [unit|pkt|e2e ...]    default: all three tiers
# Each test program prints TAP ("ok N - name" / "not ok N - name"). A program
# that exits non-zero without a failing line, or prints no test at all,
# counts as one failure: a test that cannot run fails, it never skips.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tiers=${*:-unit pkt e2e}
passed=0 failed=0

run_one() {	# label, command...
	local label=$1 out rc ok bad
	shift
	echo "# === $label"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	ok=$(grep -c '^ok ' <<<"$out")
	bad=$(grep -c '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "not ok - $label exited $rc"
		bad=1
	elif [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		echo "not ok - $label ran no test"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}

for tier in $tiers; do
	case $tier in
	unit|pkt)
		for t in "$BUILD"/tests/"$tier"/*; do
			case $t in *.o) continue ;; esac
			[ -x "$t" ] && [ -f "$t" ] && run_one "$tier/$(basename "$t")" "$t"
		done ;;
	e2e)
		for t in tests/e2e/t_*.sh; do
			[ -f "$t" ] && run_one "e2e/$(basename "$t")" timeout 600 bash "$t"
		done ;;
	*)	echo "run.sh: unknown tier '$tier'" >&2; exit 2 ;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
