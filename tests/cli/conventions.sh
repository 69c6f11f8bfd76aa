# SPDX-License-Identifier: MIT
# The conventions of every command, as perf and trace-cmd users expect them:
# a short option means the same long option in every command (-d --db,
# -o --output, -l --label, -p --policy, -q --quiet, -v --verbose); collect's
# -d is refused, saying what -d is; `kstack help CMD` is `kstack CMD --help`;
# -V, --version and version; exit 2 for a bad command line and 1 for a
# failure; - reads standard input and -o - writes standard output where a
# stream makes sense; info shows the recorded command line quoted.
. "$(dirname "$0")/replay_lib.sh"

cmds=$("$KSTACK" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ "$(echo $cmds | wc -w)" -ge 8 ] || fail "commands listed: $cmds"

# 1. one meaning per letter, read from every command's --help ("-x, --long")
for c in $cmds; do
	"$KSTACK" $c --help | grep -oE '^ +-[a-zA-Z], --[a-z][a-z0-9-]*' | sed "s/^ */$c /"
done > pairs.txt
[ -s pairs.txt ] || fail "no options found in the --help texts"
awk '{ long[$2] = long[$2] " " $1 "=" $3 } END { for (l in long) print l, long[l] }' pairs.txt |
while read -r letter uses; do
	[ "$(echo "$uses" | tr ' ' '\n' | sed 's/.*=//' | sort -u | wc -l)" = 1 ] ||
		fail "$letter means different options: $uses"
done || exit 1
# and these long options always carry their letter, wherever they exist
for want in "-d --db" "-o --output" "-l --label" "-p --policy" "-q --quiet" "-v --verbose"; do
	set -- $want
	for c in $cmds; do
		"$KSTACK" $c --help | grep -qE "^ +(-[a-zA-Z], )?$2( |$)" || continue
		grep -qx "$c $1, $2" pairs.txt || fail "$c has $2 without $1"
	done
done
grep -qx "collect -o, --output" pairs.txt && grep -qx "demo -o, --output" pairs.txt &&
	grep -qx "synth -l, --label" pairs.txt && grep -qx "replay -d, --db" pairs.txt ||
	fail "expected pairs missing: $(cat pairs.txt)"

# 2. collect has no -d: it says what -d is, and records nothing
expect_error 2 "kstack collect: unknown option '-d' (-d is --db in replay and report; collect records for --duration S)" \
	"$KSTACK" collect -d x.db
expect_error 2 "unknown option '-d'" "$KSTACK" collect -o c.kst -d 5
expect_error 2 "unknown option '-p'" "$KSTACK" synth -p genoa-384
[ ! -e x.db ] && [ ! -e c.kst ] || fail "a refused command line left a file"

# 3. kstack help CMD is kstack CMD --help; kstack help is kstack --help
for c in $cmds; do
	"$KSTACK" help $c > a.txt 2> err.txt || fail "help $c: exit $?"
	"$KSTACK" $c --help > b.txt || fail "$c --help"
	cmp -s a.txt b.txt || fail "kstack help $c differs from kstack $c --help"
	[ ! -s err.txt ] || fail "help $c wrote to stderr"
done
"$KSTACK" help > a.txt && "$KSTACK" --help > b.txt && cmp -s a.txt b.txt || fail "kstack help"
expect_error 2 "kstack help: unknown command 'nosuch'" "$KSTACK" help nosuch

# 4. the version, three ways, on stdout
v=$("$KSTACK" --version) || fail "--version"
echo "$v" | grep -qxE 'kstack [0-9]+\.[0-9]+\.[0-9]+' || fail "--version says '$v'"
[ "$("$KSTACK" -V)" = "$v" ] && [ "$("$KSTACK" version)" = "$v" ] || fail "-V or version"

# 5. exit statuses: 2 for the command line, 1 for the work
expect_error 2 "unknown command 'nosuch'" "$KSTACK" nosuch
expect_error 2 "bad --jobs" "$KSTACK" replay t.kst -j 0
expect_error 2 "unknown key 'x'" "$KSTACK" replay t.kst --policy rfc:x=1
expect_error 2 "bad sweep range" "$KSTACK" replay t.kst --sweep pool=2..1
expect_error 2 "no profile 'nosuch'" "$KSTACK" synth -P nosuch -o s.kst
expect_error 1 "missing.kst: No such file" "$KSTACK" info missing.kst
expect_error 1 "no.db: no such database" "$KSTACK" report -d no.db

# 6. - is standard input, -o - standard output
small_trace t.kst
"$KSTACK" info t.kst | grep -v -e '^file:' -e '^bytes per event:' > want.txt
"$KSTACK" info - < t.kst > a.txt || fail "info - < file"
grep -qx 'file: *- (standard input)' a.txt || fail "info -: $(head -1 a.txt)"
cat t.kst | "$KSTACK" info - | grep -v '^file:' > b.txt || fail "info - from a pipe"
cmp -s want.txt b.txt || fail "info from a pipe differs: $(diff want.txt b.txt)"
"$KSTACK" info -o i.txt t.kst && "$KSTACK" info -o - t.kst > j.txt && cmp -s i.txt j.txt ||
	fail "info -o FILE and -o - differ"
"$KSTACK" dump t.kst --csv > want.txt
cat t.kst | "$KSTACK" dump --csv - > a.txt && cmp -s want.txt a.txt || fail "dump - from a pipe"
"$KSTACK" dump --csv -o d.csv t.kst && cmp -s want.txt d.csv || fail "dump -o FILE"
"$KSTACK" dump --csv -o - t.kst > a.txt && cmp -s want.txt a.txt || fail "dump -o -"
# a corrupt trace leaves no partial dump behind
cp t.kst bad.kst
flip_byte bad.kst $(($(stat -c %s bad.kst) / 2))
expect_error 1 "bad.kst: trace is corrupt" "$KSTACK" dump -o bad.txt bad.kst
[ ! -e bad.txt ] || fail "dump -o left a partial file"
# where no stream makes sense, - is refused rather than taken as a file name
expect_error 2 "kstack collect: -o -: a recording goes to a file" "$KSTACK" collect -o - -- true
expect_error 2 "kstack demo: -o -: the demo writes a folder" "$KSTACK" demo -o -
[ ! -e ./- ] || fail "a file or folder named - was created"
expect_error 2 "standard input (-) can be read once only" "$KSTACK" info - -
expect_error 2 "standard input (-) can be read once only" "$KSTACK" replay - - --no-store
# replay from a pipe: the same digest as from the file, the runs stored
d1=$("$KSTACK" replay t.kst --no-store 2>/dev/null)
d2=$(cat t.kst | "$KSTACK" replay - --no-store 2>/dev/null)
[ -n "$d1" ] && [ "$d1" = "$d2" ] || fail "replay -: '$d2', from the file '$d1'"
cat t.kst | "$KSTACK" replay - -d p.db -q && [ "$(runs p.db)" = 2 ] || fail "replay - -d"
if command -v script > /dev/null; then
	# a terminal on standard input is not a trace, nor is one a place for a trace
	script -qec "$KSTACK info -" /dev/null > tty.txt
	rc=$?
	[ $rc = 2 ] && grep -q "standard input is a terminal" tty.txt || fail "info - on a tty: $rc"
	script -qec "$KSTACK synth --cpus 2 -o -" /dev/null > tty.txt
	rc=$?
	[ $rc = 2 ] && grep -q "standard output is a terminal" tty.txt || fail "synth -o - on a tty"
fi

# 7. the recorded command line, quoted so that a shell gets the same words
# back; traces written before it was quoted hold the words joined by spaces
# and are rebuilt where that is exact (plain words, or sh -c SCRIPT)
cmdline() { "$KSTACK" info "$1" | sed -n 's/^command: *//p'; }
"$SETHDR" t.kst new.kst 13=s:"kstack-collect 0.1.0" \
	14=s:"kstack collect -o 'my trace.kst' -- sh -c 'make && echo '\''done'\'''"
[ "$(cmdline new.kst)" = "kstack collect -o 'my trace.kst' -- sh -c 'make && echo '\''done'\'''" ] ||
	fail "quoted command line: $(cmdline new.kst)"
eval "set -- $(cmdline new.kst)"
[ $# = 8 ] && [ "$4" = "my trace.kst" ] && [ "$8" = "make && echo 'done'" ] ||
	fail "the shell reads back $# words: $*"
"$SETHDR" t.kst old.kst 13=s:"kstack-collect 0.1.0" \
	14=s:"-o /tmp/o.kst -l w -- sh -c tar cf - /usr | gzip > /tmp/x.tgz"
[ "$(cmdline old.kst)" = "kstack collect -o /tmp/o.kst -l w -- sh -c 'tar cf - /usr | gzip > /tmp/x.tgz'" ] ||
	fail "old sh -c line: $(cmdline old.kst)"
"$SETHDR" t.kst old2.kst 13=s:"kstack-collect 0.1.0" 14=s:"-o x.kst --duration 60"
[ "$(cmdline old2.kst)" = "kstack collect -o x.kst --duration 60" ] || fail "old plain line"
"$SETHDR" t.kst old3.kst 13=s:"kstack-collect 0.1.0" 14=s:"-o x.kst -- grep a|b f"
[ "$(cmdline old3.kst)" = "kstack collect -o x.kst -- grep a|b f   (stored unquoted by an older kstack: the words' boundaries are lost)" ] ||
	fail "old unsure line: $(cmdline old3.kst)"
"$SETHDR" t.kst old4.kst 13=s:"kstack-collect 0.1.0" 14=s:"-- sh -c $(printf 'x%.0s' $(seq 250))"
cmdline old4.kst | grep -q ", and cut to fit the header)$" || fail "old cut line: $(cmdline old4.kst)"
"$SETHDR" t.kst old5.kst 13=s:"kstack-collect 0.1.0" 14=s:
[ "$(cmdline old5.kst)" = "kstack collect" ] || fail "old line without options: $(cmdline old5.kst)"
# a synthetic trace has parameters, not a command line
"$KSTACK" info t.kst | grep -q '^options: *cpus=4,' || fail "synth options line"
echo ok
