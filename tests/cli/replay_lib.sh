# SPDX-License-Identifier: MIT
# Helpers for the kstack replay/demo CLI tests (sourced).
set -u
: "${KSTACK:?}" "${KSTACK_DATA:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error EXIT_CODE PATTERN CMD...: CMD fails with EXIT_CODE and exactly
# one stderr line matching PATTERN
expect_error() {
	want=$1 pat=$2
	shift 2
	"$@" >out.txt 2>err.txt
	got=$?
	[ "$got" = "$want" ] || fail "$*: exit $got, want $want ($(cat err.txt))"
	[ "$(wc -l < err.txt)" = 1 ] || fail "$*: want one stderr line, got: $(cat err.txt)"
	grep -q -- "$pat" err.txt || fail "$*: stderr '$(cat err.txt)' lacks '$pat'"
}

# small_trace FILE [SEED]: a small synthetic trace
small_trace() {
	"$KSTACK" synth --cpus 4 --tasks 200 --grown 40 --births 30 --deaths 30 \
		--duration 2 --seed "${2:-1}" -o "$1" -q || fail "synth $1"
}

# flip_byte FILE OFFSET: complement one byte in place
flip_byte() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none || fail "flip"
}

# runs DB: number of stored runs
runs() { sqlite3 "$1" "SELECT count(*) FROM runs"; }
