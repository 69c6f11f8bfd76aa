# SPDX-License-Identifier: MIT
# Every command: --help exits 0 on stdout; an unknown option or a missing
# value is one line on stderr and exit 2; an unknown command too.
. "$(dirname "$0")/replay_lib.sh"

for c in collect synth info dump replay report demo bench; do
	"$KSTACK" $c --help > out.txt 2> err.txt || fail "$c --help: exit $?"
	[ -s out.txt ] || fail "$c --help printed nothing"
	[ ! -s err.txt ] || fail "$c --help wrote to stderr"
	expect_error 2 "unknown option.*--no-such-option" "$KSTACK" $c --no-such-option
done
expect_error 2 "option '--policy' needs a value" "$KSTACK" replay t.kst --policy
expect_error 2 "option '-o' needs a value" "$KSTACK" demo -o
expect_error 2 "unknown option '-Z'" "$KSTACK" bench -Z
expect_error 2 "unknown command 'nosuch'" "$KSTACK" nosuch
echo ok
