#!/bin/bash
# kstack dump: text, CSV quoting, --limit, bad input.
. "$(dirname "$0")/format_common.sh"

good=$tmp/good.kst
"$MKTRACE" "$good" 16 || exit 1

run dump --csv "$good"
[ $rc -eq 0 ] || ko "dump --csv: exit $rc: $(cat "$err")"
[ "$(head -1 "$out")" = "time,cpu,type,tid,tid2,tgid,hwm,depth,arg,flags,state,comm" ] ||
	ko "csv header: $(head -1 "$out")"
[ "$(wc -l <"$out")" -eq 17 ] || ko "csv rows: $(wc -l <"$out")"
# event 0: NEW of tid 1000 by 1, tgid 1000, comm a,b"c (CSV doubles the quote)
[ "$(sed -n 2p "$out")" = '0,0,new,1000,1,1000,0,0,0,0,0,"a,b""c"' ] || ko "csv row 1: $(sed -n 2p "$out")"
# event 6: switch 1006 -> 1007 on cpu 0 at 6000 ns, sleeping (1), hwm 3072, depth 1024
[ "$(sed -n 8p "$out")" = '6000,0,switch,1006,1007,0,3072,1024,0,0,1,""' ] || ko "csv row 7: $(sed -n 8p "$out")"
if command -v python3 >/dev/null; then
	python3 - "$out" <<'PY' || ko "python csv could not parse the dump"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert len(rows) == 17 and all(len(r) == 12 for r in rows), rows
assert rows[1][11] == 'a,b"c', rows[1]
assert rows[2][11] == 'kworker/0:1', rows[2]
PY
fi

run dump "$good"
[ $rc -eq 0 ] || ko "dump: exit $rc"
[ "$(sed -n 1p "$out")" = '0 [000] new      tid=1000 parent=1 tgid=1000 comm=a,b"c' ] || ko "text 1: $(sed -n 1p "$out")"
[ "$(sed -n 7p "$out")" = '6000 [000] switch   prev=1006 next=1007 state=S hwm=3072 depth=1024' ] ||
	ko "text 7: $(sed -n 7p "$out")"

# comm escapes: the backslash is escaped too, so the 6-byte comm 'x\x0ay' and
# the 3-byte comm x<LF>y print differently (x\x5cx0ay and x\x0ay), in CSV
# as in text
"$MKTRACE" "$tmp/bs.kst" 1 6 trailer 0 zstd plain 'x\x0ay' || exit 1
"$MKTRACE" "$tmp/lf.kst" 1 6 trailer 0 zstd plain $'x\ny' || exit 1
run dump --csv "$tmp/bs.kst"
[ "$(sed -n 2p "$out")" = '0,0,new,1000,1,1000,0,0,0,0,0,"x\x5cx0ay"' ] || ko "csv backslash: $(sed -n 2p "$out")"
run dump --csv "$tmp/lf.kst"
[ "$(sed -n 2p "$out")" = '0,0,new,1000,1,1000,0,0,0,0,0,"x\x0ay"' ] || ko "csv LF: $(sed -n 2p "$out")"
run dump "$tmp/bs.kst"
[ "$(sed -n 1p "$out")" = '0 [000] new      tid=1000 parent=1 tgid=1000 comm=x\x5cx0ay' ] ||
	ko "text backslash: $(sed -n 1p "$out")"
run dump "$tmp/lf.kst"
[ "$(sed -n 1p "$out")" = '0 [000] new      tid=1000 parent=1 tgid=1000 comm=x\x0ay' ] ||
	ko "text LF: $(sed -n 1p "$out")"

run dump --limit 3 --csv "$good"
[ "$(wc -l <"$out")" -eq 4 ] || ko "--limit 3: $(wc -l <"$out") lines"

run dump --limit x "$good"
expect_error 2 "kstack dump: --limit wants a number of events, not 'x'"
run dump
expect_error 2 "kstack dump: no trace file given (kstack dump --help)"
run dump --help
[ $rc -eq 0 ] && grep -q 'usage: kstack dump' "$out" || ko "--help"
run dump "$tmp/missing.kst"
expect_error 1 "kstack dump: $tmp/missing.kst: No such file or directory"

"$MKTRACE" "$tmp/big.kst" 10000 0 trailer 4096 || exit 1
b2=$(block_offset "$tmp/big.kst" 2)
flip "$tmp/big.kst" $((b2 + 40 + 3))
run dump --csv "$tmp/big.kst"
expect_error 1 "kstack dump: $tmp/big.kst: trace is corrupt: block 2: checksum mismatch"

# the shipped traces, re-encoded to version 2, print the events the
# version-1 files did (data/traces/dump.sha256, made by the version-1 reader)
n=0
while read -r sum file; do
	case $sum in '#'*|'') continue ;; esac
	got=$("$KSTACK" dump --csv "$KSTACK_DATA/traces/$file" | sha256sum | cut -d' ' -f1)
	[ "$got" = "$sum" ] || ko "dump of shipped $file: sha256 $got, expected $sum"
	"$KSTACK" info "$KSTACK_DATA/traces/$file" | grep -q '^format version: *2$' ||
		ko "shipped $file is not format version 2"
	n=$((n + 1))
done <"$KSTACK_DATA/traces/dump.sha256"
[ $n -eq "$(ls "$KSTACK_DATA"/traces/*.kst | wc -l)" ] || ko "dump.sha256 covers $n traces"

exit $fail
