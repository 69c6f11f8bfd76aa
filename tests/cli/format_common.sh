# Helpers for the trace-format CLI tests (sourced).  $KSTACK is the binary,
# $MKTRACE the tests/format/mktrace helper.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ko() { echo "FAIL: $*" >&2; fail=1; }

# run VERB ARGS...: sets $rc, $out (stdout file), $err (stderr file)
run() {
	out=$tmp/out err=$tmp/err
	"$KSTACK" "$@" >"$out" 2>"$err"
	rc=$?
}

# expect_error RC LINE: exit status RC and exactly LINE as the one stderr line
expect_error() {
	[ "$rc" -eq "$1" ] || ko "exit $rc, expected $1 (stderr: $(cat "$err"))"
	[ "$(wc -l <"$err")" -eq 1 ] || ko "stderr has $(wc -l <"$err") lines, expected 1: $(cat "$err")"
	[ "$(cat "$err")" = "$2" ] || ko "stderr '$(cat "$err")', expected '$2'"
}

le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# block_offset FILE N: offset of block N (FORMAT.md: header 20+L, blocks 40+P)
block_offset() {
	local off=$((20 + $(le32 "$1" 12))) i=0
	while [ $i -lt "$2" ]; do
		off=$((off + 40 + $(le32 "$1" $((off + 12)))))
		i=$((i + 1))
	done
	echo $off
}

# flip FILE OFFSET: xor the byte at OFFSET with 1
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# put_byte FILE OFFSET VALUE
put_byte() {
	printf "\\$(printf '%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
