# SPDX-License-Identifier: MIT
# kstack collect checks its options, its output path and its command before
# it touches the kernel: each mistake is one line on stderr, the exit status
# of a usage error (2), of a failure (1) or of a shell that cannot run the
# command (127 not found, 126 not runnable), and no trace file.  Run as an
# unprivileged user where possible (as root, through setpriv): the kernel
# set-up would then fail on privileges, so only a check made first passes.
. "$(dirname "$0")/replay_lib.sh"

unpriv=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	unpriv=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
# a folder everybody may use, for the unprivileged runs
U=$(mktemp -d /tmp/kstack-cli.XXXXXX)
chmod 1777 "$U"
trap 'rm -rf "$T" "$U"' EXIT

# a duration must be a finite number of seconds above 0 (timeout: before the
# check, nan and inf recorded forever)
for d in nan inf -inf -1 0 -0 '' 1e999 abc 5s; do
	expect_error 2 "bad --duration '$d'" timeout 10 "$KSTACK" collect -o "$U/d.kst" --duration "$d"
	[ ! -e "$U/d.kst" ] || fail "--duration '$d' left a trace file"
done

# an output folder that does not exist: the path is named, nothing is created
expect_error 1 "cannot create $U/missing/dir/x.kst" timeout 10 "${unpriv[@]}" \
	"$KSTACK" collect -o "$U/missing/dir/x.kst" --duration 1
[ ! -e "$U/missing" ] || fail "a missing output folder was created"

# a command that cannot be run fails as in a shell, leaving no trace file
expect_error 127 "cannot run /nonexistent: No such file or directory" timeout 10 \
	"${unpriv[@]}" "$KSTACK" collect -o "$U/c.kst" -- /nonexistent
[ ! -e "$U/c.kst" ] || fail "an unknown command left a trace file"
expect_error 127 "cannot run no-such-command-kstack: No such file or directory" timeout 10 \
	"${unpriv[@]}" "$KSTACK" collect -o "$U/c.kst" -- no-such-command-kstack
expect_error 126 "cannot run /: Permission denied" timeout 10 \
	"${unpriv[@]}" "$KSTACK" collect -o "$U/c.kst" -- /
printf 'data\n' > "$U/notexec"
chmod 644 "$U/notexec"
expect_error 126 "cannot run $U/notexec: Permission denied" timeout 10 \
	"${unpriv[@]}" "$KSTACK" collect -o "$U/c.kst" -- "$U/notexec"
[ ! -e "$U/c.kst" ] || fail "a command that cannot run left a trace file"

# the checks come in order: options, command, output, privileges
expect_error 2 "bad --duration 'nan'" timeout 10 \
	"$KSTACK" collect -o "$U/missing/x.kst" --duration nan -- /nonexistent
expect_error 127 "cannot run /nonexistent" timeout 10 \
	"$KSTACK" collect -o "$U/missing/x.kst" -- /nonexistent
echo ok
