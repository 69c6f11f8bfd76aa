# SPDX-License-Identifier: MIT
# synth and demo check their options before any work: one line, exit 2,
# nothing created (bench: signal_bench.sh).
. "$(dirname "$0")/replay_lib.sh"

expect_error 2 "--output given twice" "$KSTACK" synth -o a.kst -o b.kst
expect_error 2 "--profile given twice" "$KSTACK" synth -p genoa-384 -p rome-128 -o a.kst
expect_error 2 "--out given twice" "$KSTACK" demo -o d1 -o d2
expect_error 2 "--jobs given twice" "$KSTACK" demo -o d1 -j 1 -j 2
expect_error 2 "bad --out '' (empty or too long)" "$KSTACK" demo -o ''
expect_error 2 "bad --out '$(printf 'x%.0s' $(seq 64))\.\.\.' (empty or too long)" \
	"$KSTACK" demo -o "$(printf 'x%.0s' $(seq 4000))"
[ -z "$(ls -A | grep -v -e out.txt -e err.txt)" ] || fail "created: $(ls)"
echo ok
