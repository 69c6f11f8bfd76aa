# SPDX-License-Identifier: MIT
# Reproducibility end to end: the same trace and configurations give the
# same digest whatever the thread count, --verify checks it, a different
# seed gives a different digest, and replaying twice does not duplicate runs.
. "$(dirname "$0")/replay_lib.sh"

small_trace t.kst 1
set -- --policy static --policy rfc --sweep pool=1..4 --sweep fail_rate=0,0.05 --no-store

d1=$("$KSTACK" replay t.kst "$@" -j 1 | sed -n 's/^digest //p')
d2=$("$KSTACK" replay t.kst "$@" -j 2 | sed -n 's/^digest //p')
d3=$("$KSTACK" replay t.kst "$@" -j 3 | sed -n 's/^digest //p')
[ -n "$d1" ] || fail "no digest printed"
[ "$d1" = "$d2" ] && [ "$d1" = "$d3" ] || fail "digest depends on threads: $d1 $d2 $d3"
"$KSTACK" replay t.kst "$@" --verify "$d1" -q || fail "--verify of its own digest failed"
expect_error 1 "does not match" "$KSTACK" replay t.kst "$@" --verify 0123456789abcdef -q

# failure injection is seeded: another seed, another result
e1=$("$KSTACK" replay t.kst --policy rfc:fail_rate=0.3,seed=1 --no-store | sed -n 's/^digest //p')
e2=$("$KSTACK" replay t.kst --policy rfc:fail_rate=0.3,seed=1 --no-store | sed -n 's/^digest //p')
e3=$("$KSTACK" replay t.kst --policy rfc:fail_rate=0.3,seed=2 --no-store | sed -n 's/^digest //p')
[ "$e1" = "$e2" ] || fail "same seed, different results"
[ "$e1" != "$e3" ] || fail "seed has no effect on a 30% failure rate"

# storing twice replaces, never duplicates
"$KSTACK" replay t.kst --policy rfc --sweep pool=1..3 -d r.db -q || fail "replay 1"
"$KSTACK" replay t.kst --policy rfc --sweep pool=1..3 -d r.db -q || fail "replay 2"
[ "$(runs r.db)" = 3 ] || fail "want 3 runs, got $(runs r.db)"
echo ok
