#!/bin/bash
# kstack info on good, truncated, corrupt and foreign files.
. "$(dirname "$0")/format_common.sh"

good=$tmp/good.kst
"$MKTRACE" "$good" 10000 0 trailer 4096 || exit 1	# 3 event blocks: 4096, 4096, 1808

run info "$good"
[ $rc -eq 0 ] || ko "info on a good trace: exit $rc: $(cat "$err")"
[ ! -s "$err" ] || ko "info on a good trace wrote to stderr: $(cat "$err")"
grep -q '^label: *cli-test$' "$out" || ko "label missing"
grep -q '^events: *10000 in 3 blocks$' "$out" || ko "event count: $(grep ^events "$out")"
# i % 8: 0 new, 1 snapshot, 2 exit, 3 free, 4 kfault, 5 lost, 6-7 switch; 10000 = 8 * 1250
grep -q '^  switch *2500$' "$out" || ko "switch count"
grep -q '^  new *1250$' "$out" || ko "new count"
grep -q '^  kentry *0$' "$out" || ko "kentry count"
# the trailer's arrays are authoritative: 4 + 1, not the LOST records' 2500
grep -q '^lost events: *5 (tracefs 5, ring buffer 0)$' "$out" || ko "lost: $(grep ^lost "$out")"
grep -q '^depth source: *synthetic' "$out" || ko "depth source"
grep -q '^bytes per event: ' "$out" || ko "bytes per event"
grep -q '^end: *10000000 ns (0.010 s)$' "$out" || ko "end: $(grep ^end: "$out")"
grep -q '^format version: *2$' "$out" || ko "format version: $(grep ^format "$out")"

# the same events in version 1 read the same
"$MKTRACE" "$tmp/v1.kst" 10000 0 trailer 4096 zstd plain 'a,b"c' 1 || exit 1
"$KSTACK" info "$tmp/v1.kst" >"$tmp/info1" 2>"$err" || ko "info on a version-1 trace: $(cat "$err")"
grep -q '^format version: *1$' "$tmp/info1" || ko "v1 format version: $(grep ^format "$tmp/info1")"
for key in events: '  switch' '  new' 'lost events:' end:; do
	[ "$(grep "^$key" "$tmp/info1")" = "$(grep "^$key" "$out")" ] ||
		ko "version 1 and 2 differ in '$key': $(grep "^$key" "$tmp/info1")"
done

run info --help
[ $rc -eq 0 ] && grep -q 'usage: kstack info' "$out" || ko "--help"
run info
expect_error 2 "kstack info: no trace file given (kstack info --help)"
run info --bogus "$good"
expect_error 2 "kstack info: unknown option '--bogus' (kstack info --help)"

run info "$tmp/missing.kst"
expect_error 1 "kstack info: $tmp/missing.kst: No such file or directory"

cp /etc/passwd "$tmp/passwd" 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/passwd"
run info "$tmp/passwd"
expect_error 1 "kstack info: $tmp/passwd: not a kstack trace: bad magic"

: >"$tmp/empty.kst"
run info "$tmp/empty.kst"
expect_error 1 "kstack info: $tmp/empty.kst: not a kstack trace: empty file"

cp "$good" "$tmp/v3.kst"
put_byte "$tmp/v3.kst" 8 3	# the version word is at byte 8
run info "$tmp/v3.kst"
expect_error 1 "kstack info: $tmp/v3.kst: unsupported trace format version: file has format version 3, this kstack reads versions 1 to 2"

# cut 5 bytes into block 1's payload: block 0 (4096 events) is readable
b1=$(block_offset "$good" 1)
head -c $((b1 + 45)) "$good" >"$tmp/cut.kst"
run info "$tmp/cut.kst"
[ $rc -eq 0 ] || ko "truncated: exit $rc: $(cat "$err")"
grep -q '^truncated: *recording was interrupted, 1 whole block readable$' "$out" || ko "truncated line"
grep -q '^events: *4096 in 1 blocks$' "$out" || ko "truncated events: $(grep ^events "$out")"
# no trailer: LOST records of block 0 count: i % 8 == 5 for i < 4096 -> 512 records of 2
grep -q '^lost events: *1024 ' "$out" || ko "truncated lost: $(grep ^lost "$out")"

# a flipped byte in the middle of block 1's payload
cp "$good" "$tmp/flip.kst"
flip "$tmp/flip.kst" $((b1 + 40 + $(le32 "$good" $((b1 + 12))) / 2))
run info "$tmp/flip.kst"
expect_error 1 "kstack info: $tmp/flip.kst: trace is corrupt: block 1: checksum mismatch"
[ ! -s "$out" ] || ko "a corrupt trace printed a partial report"

# several files: the bad one fails the run, the good one is still shown
run info "$good" "$tmp/flip.kst"
[ $rc -eq 1 ] || ko "mixed files: exit $rc"
grep -q '^label: *cli-test$' "$out" || ko "mixed files: good one not shown"

exit $fail
