#!/bin/bash
# kstack synth from the command line: help, listing, profile + overrides,
# determinism of the written file, and one clear error line on bad input.
set -u
: "${KSTACK:?}" "${KSTACK_DATA:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

"$KSTACK" synth --help | grep -q -- '--list-profiles' || bad "--help lacks --list-profiles"
list=$("$KSTACK" synth --list-profiles) || bad "--list-profiles failed"
for p in genoa-384 skylake-112 rome-128 rome-256 haswell-72 rfc-accounting-example \
	 openwrt-arm64-published openwrt-arm64-kib; do
	grep -q "^$p " <<<"$list" || bad "profile $p not listed"
done
grep -q '^genoa-384 .*AMD Genoa .* 384 .* 5786 .* 61 ' <<<"$list" || bad "genoa row: $list"

"$KSTACK" synth -q --profile haswell-72 --duration 1 -o "$tmp/a.kst" || bad "profile run"
"$KSTACK" synth -q --profile haswell-72 --duration 1 -o "$tmp/b.kst" || bad "profile run 2"
cmp -s "$tmp/a.kst" "$tmp/b.kst" || bad "same parameters, different files"
"$KSTACK" synth -q --profile haswell-72 --duration 1 --seed 6 -o "$tmp/c.kst" || bad "seed run"
cmp -s "$tmp/a.kst" "$tmp/c.kst" && bad "--seed did not change the file"
"$KSTACK" synth -q --profile "$KSTACK_DATA/profiles/haswell-72.profile" --duration 1 \
	-o "$tmp/d.kst" || bad "profile by path"
cmp -s "$tmp/a.kst" "$tmp/d.kst" || bad "profile by name and by path differ"

# the summary is a note on stderr: stdout carries results only
out=$("$KSTACK" synth --cpus 2 --tasks 50 --grown 5 --births 4 --deaths 4 \
	--hwm-dist 1k=1,4k=90,8k=9 --switch-rate 100 --duration 0.5 --kthreads 0.2 \
	--label 'Tiny' --page-size 4096 --thread-size 16384 -o "$tmp/e.kst" 2>&1 >"$tmp/stdout") ||
	bad "free parameters"
grep -q "^kstack synth: $tmp/e.kst: .* 50 at end (+5 grown pages), 4 births, 4 deaths" <<<"$out" ||
	bad "summary: $out"
[ ! -s "$tmp/stdout" ] || bad "synth wrote to stdout: $(cat "$tmp/stdout")"

tiny="--cpus 2 --tasks 10 --duration 0.5 --births 4 --deaths 4"
# without -o: the profile's name (by name or path), else synth.kst, in the current folder
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && "$KSTACK" synth -q -P haswell-72 --duration 0.1 &&
	"$KSTACK" synth -q --profile "$KSTACK_DATA/profiles/rome-128.profile" --duration 0.1 &&
	"$KSTACK" synth -q $tiny) || bad "default outputs"
[ "$(cd "$tmp/cwd" && echo *)" = "haswell-72.kst rome-128.kst synth.kst" ] ||
	bad "default outputs: $(ls "$tmp/cwd")"
# -l is --label, as in collect
"$KSTACK" synth -q $tiny -l 'Short l' -o "$tmp/l.kst" ||
	bad "-l LABEL"
"$KSTACK" info "$tmp/l.kst" | grep -qx 'label: *Short l' || bad "-l did not set the label"
# -o - streams the trace to stdout, byte for byte the file
"$KSTACK" synth -q $tiny -o - > "$tmp/s1.kst" || bad "-o -"
"$KSTACK" synth -q $tiny -o "$tmp/s2.kst" || bad "-o file"
cmp -s "$tmp/s1.kst" "$tmp/s2.kst" || bad "-o - differs from the file"
"$KSTACK" synth -q $tiny -o - | "$KSTACK" info - |
	grep -q '^events: ' || bad "synth -o - | info - failed"

# bad input: one line on stderr naming the verb, non-zero exit, no file left behind
check_err() {
	local want=$1; shift
	err=$("$KSTACK" synth "$@" 2>&1 >/dev/null) && bad "accepted: $*"
	[ "$(wc -l <<<"$err")" = 1 ] || bad "not one line for $*: $err"
	grep -q "^kstack synth: .*$want" <<<"$err" || bad "message for $*: $err"
}
check_err "no profile 'nope'" --profile nope -o "$tmp/x.kst"
check_err "unknown option '-p'" -p haswell-72 -o "$tmp/x.kst"
check_err 'unknown option' --poool 3 -o "$tmp/x.kst"
check_err "bad value 'x' for 'cpus'" --cpus x -o "$tmp/x.kst"
check_err 'need at least 2 per CPU' --cpus 64 --tasks 100 -o "$tmp/x.kst"
check_err 'do not fit' --tasks 10 --cpus 1 --grown 31 -o "$tmp/x.kst"
# the reason once, then the path (it was "REASON: PATH: REASON")
check_err "No such file or directory: cannot create $tmp/nodir/x.kst\$" --profile haswell-72 \
	--duration 0.1 -o "$tmp/nodir/x.kst"
[ -e "$tmp/x.kst" ] && bad "a file was left behind after an error"
exit $fail
