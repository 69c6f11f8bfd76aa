# SPDX-License-Identifier: MIT
# The bash completion (doc/kstack.bash-completion), driven as bash drives it:
# commands, options read from each command's --help, policies, profiles,
# formats, and the command after collect's --.
set -u
: "${KSTACK:?}" "${KSTACK_COMPLETION:?}"
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
. "$KSTACK_COMPLETION"
cd "$(mktemp -d)" || exit 1
touch a.kst b.txt
mkdir sub

# complete WORD...: what bash would offer for the last word
complete_words() {
	COMP_WORDS=("$KSTACK" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kstack
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
want() {
	local expect=$1
	shift
	got=$(complete_words "$@")
	[ "$got" = "$expect" ] || bad "kstack $*<TAB>: '$got', want '$expect'"
}
want "replay report " re
want "bench " be
want "collect " help co
want "--policy " replay --po
want "--duration " collect --dur
want "--list-profiles " synth --list
want "rfc rfc+global " replay --policy r
want "rfc rfc+global " bench -p rf
want "genoa-384 " synth -P gen
want "csv " report -f c
want "--basis " report --bas
want "peak " report --basis p
want "workload " report --scope w
want "label-prefix " report --group l
want "--resamples " report --res
want "--replicates " replay --repl
want "--designs " replay --des
want "--designs " report --des
want "--allow-mixed " merge --all
want "sub " report --charts s
want "a.kst sub " info ""
# a collect option list from its --help: -d is not one of collect's
got=$(complete_words collect -)
case " $got " in
*" -d "*) bad "collect offers -d: $got" ;;
*" --duration "*" -o "*|*" -o "*" --duration "*) ;;
*) bad "collect options: $got" ;;
esac
# after --: the command to record
got=$(complete_words collect -o x.kst -- bas)
case " $got " in *" bash "*) ;; *) bad "collect -- bas: $got" ;; esac
# analyze: a folder to write, a trace to read, or -- and the command to record
want "--replicates " analyze --rep
want "sub " analyze -o s
want "-- a.kst sub " analyze ""
got=$(complete_words analyze -r 3 -- bas)
case " $got " in *" bash "*) ;; *) bad "analyze -- bas: $got" ;; esac
# report --html names a file
want "a.kst " report --html a
exit $fail
