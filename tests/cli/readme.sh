# SPDX-License-Identifier: MIT
# The README is for someone who has never seen the project:
#  1. no internal shorthand in it or in the other documents a clone has
#     (issue numbers, numbered seed patches, bare design IDs, the sections of
#     a research note or files that live outside the repository);
#  2. its two commands are what .ci/run runs: every step of the first one is
#     a step of .ci/run (which may add flags such as --werror and -q), its
#     last step runs the program where the build puts it, and the second one
#     is a line of .ci/run as it stands;
#  3. every column header that kstack report prints, in text and in CSV, on a
#     small database replayed from a shipped trace and a synthesized one deep
#     enough to overflow, and every field of kstack info, is in the
#     README's glossary (a `name` in backquotes in its section).
# README_MD and CI_RUN name the files (the source tree's by default), so the
# test can be run against another copy of the README.
set -u
: "${KSTACK:?}" "${KSTACK_DATA:?}" "${README_MD:?}" "${CI_RUN:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
errors=0
bad() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }

SRC=$(dirname "$README_MD")

# 1. Shorthand.  Each pattern names what it catches.
shorthand() {
	local file=$1
	[ -f "$file" ] || return 0
	while IFS='|' read -r what re; do
		if grep -n -E "$re" "$file" > "$T/hits"; then
			bad "$file: $what: $(head -3 "$T/hits" | tr '\n' ' ')"
		fi
	done <<'PATTERNS'
an issue number|[Ii]ssues? ?#?[0-9]+|(^|[^[:alnum:]_&/])#[0-9]+\b
a numbered seed patch|[Ss]eeds? `?0[0-9]{2}\b
a bare design or requirement ID|(^|[^[:alnum:]_./-])[DR][0-9]{1,2}\b
a file outside the repository|\.\./shared|shared/(DESIGN|STYLE|reference|seeds)|DESIGN\.md|STYLE\.md|dynamic-stacks\.md|\(DESIGN\)
a section of the research note|reference [a-d]\.[0-9]|appendix [A-B]\b|§
PATTERNS
}
shorthand "$README_MD"
for f in "$SRC/CONTRIBUTING.md" "$SRC/data/FORMAT.md" "$SRC/data/profiles/README.md" \
	"$SRC"/doc/*.scd; do
	shorthand "$f"
done
# --help texts and the policy list
for c in "" collect synth info dump replay merge report demo bench; do
	"$KSTACK" $c --help > "$T/help.txt" 2>&1
	shorthand "$T/help.txt"
done
"$KSTACK" replay --list-policies > "$T/policies.txt" 2>&1
shorthand "$T/policies.txt"

# 2. The two commands.
awk '/^## Two commands/ { on = 1; next } on && /^## / { exit }
     on && /^```/ { inblock = !inblock; if (!inblock) n++; next }
     on && inblock { print n + 0 ": " $0 }' "$README_MD" > "$T/cmds"
[ "$(grep -c '^0: ' "$T/cmds")" = 1 ] || bad "README: the first command is not one line"
[ "$(grep -c '^1: ' "$T/cmds")" = 1 ] || bad "README: the second command is not one line"
first=$(sed -n 's/^0: //p' "$T/cmds")
second=$(sed -n 's/^1: //p' "$T/cmds")
grep -v '^[[:space:]]*#' "$CI_RUN" | sed 's/^[[:space:]]*//' > "$T/ci"
demo_step=
steps=0
line=0
while [ -n "$first" ]; do
	step=${first%% && *}
	if [ "$step" = "$first" ]; then first=; else first=${first#* && }; fi
	steps=$((steps + 1))
	case $step in
	build/*) demo_step=$step; continue ;;
	esac
	# the next line of .ci/run that runs this step, perhaps with more flags
	found=$(awk -v s="$step" -v from="$line" 'NR > from && (substr($0, 1, length(s)) == s) &&
		(length($0) == length(s) || substr($0, length(s) + 1, 1) == " ") { print NR; exit }' \
		"$T/ci")
	[ -n "$found" ] || bad "README: '$step' is not a step of .ci/run (after line $line)"
	line=${found:-$line}
done
[ "$steps" -ge 4 ] || bad "README: the first command has $steps steps"
case $KSTACK in
*/tools/kstack) ;;
*) bad "the build puts kstack at $KSTACK, not build/tools/kstack as the README runs it" ;;
esac
[ "$demo_step" = "build/tools/kstack demo" ] || bad "README: the demo step is '$demo_step'"
grep -qxF -- "$second" "$T/ci" || bad "README: '$second' is not a line of .ci/run"

# 3. The glossary: every header report prints, every field info prints.
awk '/^## Glossary/ { on = 1; next } on && /^## / { exit } on' "$README_MD" > "$T/glossary"
[ -s "$T/glossary" ] || bad "README: no '## Glossary' section"
cd "$T" || exit 1
TR="$KSTACK_DATA/traces/sqlite.kst"
"$KSTACK" replay -q "$TR" -d t.db --policy static --policy rfc --policy rfc+global \
	--policy watermark --policy entry --policy abit --policy gc --policy sp-reclaim \
	> /dev/null || { bad "replay"; exit 1; }
"$KSTACK" replay -q "$TR" -d t.db --policy rfc --sweep pool=0..2 --sweep fail_rate=0,0.01 \
	--replicates 2 > /dev/null || { bad "replay sweep"; exit 1; }
# a machine whose tasks go past 8 and 12 KiB, for the overflow table
"$KSTACK" synth -q --cpus 2 --tasks 20 --grown 30 --hwm-dist 4k=5,16k=5 --seed 3 -l deep \
	-o deep.kst || { bad "synth"; exit 1; }
"$KSTACK" replay -q deep.kst -d t.db > /dev/null || { bad "replay deep"; exit 1; }

opts=("" "--basis end" "--basis peak" "--basis mean" "--all" "--min-pool" "--costs" "--depth"
	"--asleep" "--latch" "--tasks" "--tail" "--overflow" "--census" "--fleet")
if "$KSTACK" report --help | grep -q -- '--designs'; then
	opts+=("--designs" "--designs --basis end")
fi
: > headers
for o in "${opts[@]}"; do
	# Markdown: a header row is the row above a |---| row; \x unescaped
	# shellcheck disable=SC2086
	"$KSTACK" report -q -d t.db -f markdown $o > md.txt 2>&1 || bad "report $o: $(head -1 md.txt)"
	awk '/^\|( :?---:? \|)+$/ { print prev } { prev = $0 }' md.txt |
		sed -e 's/^| //' -e 's/ |$//' -e 's/ | /\n/g' -e 's/\\\(.\)/\1/g' >> headers
	# CSV: the first line; a bootstrap bound is its figure's, a basis is end's
	# shellcheck disable=SC2086
	"$KSTACK" report -q -d t.db -f csv $o 2>/dev/null | head -1 | tr -d '\r' | tr ',' '\n' |
		sed -e 's/_\(lo\|hi\)$//' -e 's/_\(peak\|mean\)$/_end/' >> headers
	grep -q . md.txt || bad "report $o printed nothing"
done
"$KSTACK" report -q -d t.db -f csv --depth --trace sqlite | head -1 | tr -d '\r' | tr ',' '\n' \
	>> headers
# kstack info: its fields and event types
"$KSTACK" info "$TR" | sed -n -e 's/^\([a-z][a-z_ ]*[a-z]\):.*/\1/p' \
	-e 's/^  \([a-z]\+\)  .*/\1/p' >> headers
# A fleet's size and unit change with --hosts: the glossary names it once
sed -i -E 's/^Fleet of [0-9]+ hosts \((KiB|MiB|GiB)\)$/Fleet of N hosts (KiB)/' headers
n=0
while IFS= read -r h; do
	[ -n "$h" ] || continue
	n=$((n + 1))
	grep -qF -- "\`$h\`" "$T/glossary" || bad "glossary: no \`$h\`"
done < <(sort -u headers)
[ "$n" -ge 100 ] || bad "only $n headers collected"
[ "$errors" = 0 ] || { echo "$errors problems" >&2; exit 1; }
echo "$n headers and fields in the glossary"
