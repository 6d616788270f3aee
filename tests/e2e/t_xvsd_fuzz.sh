#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Builds the libFuzzer target for xvsd's configuration parser (clang,
# -fsanitize=fuzzer,address,undefined) and runs it for a short, bounded
# time from the committed corpus and keyword dictionary. A crash, a
# sanitizer report, a leak or a slow input fails the test.
#   XVSD_FUZZ_SECONDS (default 20) sets the run length.
source "$(dirname "$0")/../harness/lib.sh"
require clang
SECS=${XVSD_FUZZ_SECONDS:-20}
FUZZ=$TMPD/fuzz_xvsd_conf
ART=$XVS_BUILD/fuzz-artifacts	# kept after the run: crash-*, leak-*, timeout-*
cd "$XVS_TOP" || exit 1

if clang -std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -Icmd/xvsd \
	cmd/xvsd/conf*.c tests/fuzz/fuzz_xvsd_conf.c -o "$FUZZ" 2>"$TMPD/build.log"; then
	ok "fuzz target builds with -fsanitize=fuzzer,address,undefined"
else
	not_ok "fuzz target builds with -fsanitize=fuzzer,address,undefined" "$(cat "$TMPD/build.log")"
	done_testing
	exit 1
fi

# seeds: the corpus files (the fuzzer adds new inputs to the scratch copy)
mkdir -p "$TMPD/corpus" "$ART"
find tests/xvsd/conf -type f \( -name '*.conf' -o -name '*.inc' \) -exec cp -t "$TMPD/corpus" {} +
[ -d tests/fuzz/corpus ] && cp tests/fuzz/corpus/* "$TMPD/corpus/" 2>/dev/null

"$FUZZ" -max_total_time="$SECS" -timeout=2 -rss_limit_mb=1024 -max_len=65536 \
	-dict=tests/fuzz/xvsd_conf.dict -artifact_prefix="$ART/" -print_final_stats=1 \
	"$TMPD/corpus" >"$TMPD/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMPD/fuzz.log")
if [ "$rc" -eq 0 ] && [ "${runs:-0}" -gt 1000 ]; then
	ok "fuzz_xvsd_conf: $runs inputs in ${SECS}s, no crash"
else
	not_ok "fuzz_xvsd_conf: no crash (exit $rc, ${runs:-0} runs)" "$(grep -A30 -E 'ERROR|SUMMARY|deadly' "$TMPD/fuzz.log" | head -60)"
	ls "$ART"/crash-* "$ART"/leak-* "$ART"/timeout-* 2>/dev/null | sed 's/^/# artifact: /'
fi
done_testing
