# SPDX-License-Identifier: MIT
# The --help texts and the man pages do not drift apart.  Every command
# that `kstack --help` lists has a page, doc/kstack-COMMAND.1.scd (built and
# installed when scdoc is there), and kstack(1) names it; every option entry
# of a command's --help (a line "  -o, --output FILE  ...") is an option
# entry of its page ("*-o*, *--output* _FILE_" over an indented description)
# with the same names in the same order, and the other way round.  Nothing
# here names a command or an option: a new one fails this test until its
# page says it.
set -u
: "${KSTACK:?}" "${KSTACK_MAN_SRC:?}"
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --help on stdin: each option entry as its names, "-o --output"
help_entries() {
	awk '/^ +-/ {
		line = $0
		sub(/^ +/, "", line)
		n = index(line, "  ")
		if (n)
			line = substr(line, 1, n - 1)
		k = split(line, w, /[ ,]+/)
		s = ""
		for (i = 1; i <= k; i++)
			if (w[i] ~ /^--?[a-zA-Z]/)
				s = s (s == "" ? "" : " ") w[i]
		print s
	}' | sort
}

# a page on stdin: each option entry (a line opening with *-, then a line
# indented by a tab) as its names, "-o --output"
man_entries() {
	awk 'prev != "" && /^\t/ { print prev } { prev = ($0 ~ /^\*-/) ? $0 : "" }' |
	awk '{
		line = $0
		s = ""
		while (match(line, /\*--?[a-zA-Z][a-zA-Z0-9-]*\*/)) {
			s = s (s == "" ? "" : " ") substr(line, RSTART + 1, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
		print s
	}' | sort
}

cmds=$("$KSTACK" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ "$(echo $cmds | wc -w)" -ge 8 ] || bad "commands listed: $cmds"
main="$KSTACK_MAN_SRC/kstack.1.scd"
[ -s "$main" ] || bad "no $main"
for c in $cmds; do
	page="$KSTACK_MAN_SRC/kstack-$c.1.scd"
	if [ ! -s "$page" ]; then
		bad "$c: no man page $page"
		continue
	fi
	grep -qx "\*$c\*" "$main" || bad "kstack(1) does not list $c"
	grep -q "\*kstack-$c\*(1)" "$main" || bad "kstack(1) does not point to kstack-$c(1)"
	head -1 "$page" | grep -qx "kstack-$c(1)" || bad "$page: title is not kstack-$c(1)"
	"$KSTACK" $c --help | help_entries > "$T/help"
	man_entries < "$page" > "$T/man"
	[ -s "$T/help" ] || bad "$c --help lists no options"
	diff "$T/help" "$T/man" > "$T/diff" ||
		bad "$c: --help (<) and $page (>) differ: $(grep '^[<>]' "$T/diff" | tr '\n' ';')"
	if [ -n "${KSTACK_MAN_BUILT:-}" ]; then
		[ -s "$KSTACK_MAN_BUILT/kstack-$c.1" ] || bad "kstack-$c.1 is not built"
	fi
done
# and no page for a command kstack does not have
for page in "$KSTACK_MAN_SRC"/kstack-*.1.scd; do
	c=${page##*/kstack-}
	c=${c%.1.scd}
	echo "$cmds" | grep -qx "$c" || bad "$page: kstack has no command '$c'"
done
# kstack(1)'s own options are those of kstack --help
"$KSTACK" --help | help_entries > "$T/help"
man_entries < "$main" > "$T/man"
diff "$T/help" "$T/man" > "$T/diff" ||
	bad "kstack --help (<) and kstack.1.scd (>) differ: $(grep '^[<>]' "$T/diff" | tr '\n' ';')"
# the built pages render (scdoc's syntax held)
if [ -n "${KSTACK_MAN_BUILT:-}" ] && command -v man >/dev/null; then
	for p in "$KSTACK_MAN_BUILT"/kstack*.1; do
		MANWIDTH=80 man -l "$p" 2>"$T/err" | grep -q '^NAME' || bad "$p does not render"
		[ ! -s "$T/err" ] || bad "$p: $(cat "$T/err")"
	done
fi
[ $fail = 0 ] && echo ok
exit $fail
