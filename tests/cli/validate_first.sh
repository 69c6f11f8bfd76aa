# SPDX-License-Identifier: MIT
# synth and demo check their options before any work: one line, exit 2,
# nothing created (bench: signal_bench.sh).
. "$(dirname "$0")/replay_lib.sh"

expect_error 2 "option '-o' given more than once" "$KSTACK" synth -o a.kst -o b.kst
expect_error 2 "option '-P' given more than once" "$KSTACK" synth -P genoa-384 -P rome-128 -o a.kst
expect_error 2 "option '-o' given more than once" "$KSTACK" demo -o d1 -o d2
expect_error 2 "option '-j' given more than once" "$KSTACK" demo -o d1 -j 1 -j 2
expect_error 2 "bad --output '' (empty or too long)" "$KSTACK" demo -o ''
expect_error 2 "bad --output '$(printf 'x%.0s' $(seq 64))\.\.\.' (empty or too long)" \
	"$KSTACK" demo -o "$(printf 'x%.0s' $(seq 4000))"
[ -z "$(ls -A | grep -v -e out.txt -e err.txt)" ] || fail "created: $(ls)"
echo ok
