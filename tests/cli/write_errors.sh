# SPDX-License-Identifier: MIT
# Output that cannot be written (a full disk, a pipe closed with SIGPIPE
# ignored) is a failure: one line on stderr and exit 1, never exit 0 with a
# cut-short result.  Before, dump and info to /dev/full exited 0.
. "$(dirname "$0")/replay_lib.sh"

[ -c /dev/full ] || { echo "no /dev/full"; exit 77; }
small_trace t.kst
"$KSTACK" replay t.kst --policy rfc -d r.db -q || fail "replay"

full() {
	want=$1
	shift
	"$KSTACK" "$@" > /dev/full 2> err.txt
	rc=$?
	[ $rc = 1 ] || fail "$* > /dev/full: exit $rc, want 1"
	[ "$(wc -l < err.txt)" = 1 ] || fail "$* > /dev/full: want one stderr line: $(cat err.txt)"
	[ "$(cat err.txt)" = "$want" ] || fail "$* > /dev/full: '$(cat err.txt)', want '$want'"
}
full "kstack dump: cannot write the output: No space left on device" dump t.kst
full "kstack dump: cannot write the output: No space left on device" dump --csv t.kst
full "kstack info: cannot write the output: No space left on device" info t.kst
full "kstack replay: cannot write the output: No space left on device" replay --list-policies
full "kstack report: writing the table" report -d r.db

# SIGPIPE ignored (as under some supervisors): the write fails with EPIPE
rc=$( (trap '' PIPE; "$KSTACK" dump t.kst 2> err.txt | head -c 1 > /dev/null;
	echo "${PIPESTATUS[0]}") )
[ "$rc" = 1 ] || fail "dump into a closed pipe, SIGPIPE ignored: exit $rc, want 1"
[ "$(cat err.txt)" = "kstack dump: cannot write the output: Broken pipe" ] ||
	fail "closed pipe: '$(cat err.txt)'"
echo ok
