# kstack report prints the RFC-style table from the savings view; the figures
# are worked out by hand.  Both traces are synthetic censuses (the same
# figure on every basis), so the default basis is end.
# Genoa: static 5786 x 16 KiB = 92576 regular; rfc 23388 dynamic:
# 1 - 23388/92576 = 74.7%; 1152 pool pages = 4608 KiB: 1 - 27996/92576 = 69.8%.
# "Rome 128 (idle)" (15 characters, truncated, 2 lost): 3401 x 16 = 54416, 14784
# dynamic: 1 - 14784/54416 = 72.8%; 384 pages = 1536 KiB: 1 - 16320/54416 = 70.0%.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
add_trace kstack.db 0000000000000001 Genoa 384 0 0
add_trace kstack.db 0000000000000002 "Rome 128 (idle)" 128 1 2
add_run kstack.db 0000000000000002 rfc "page_size=4096,pool=3" 128 3401 14784 384 295 0
add_run kstack.db 0000000000000002 static "page_size=4096" 128 3401 54416 0 0 0
add_run kstack.db 0000000000000001 rfc "page_size=4096,pool=3" 384 5786 23388 1152 61 0
add_run kstack.db 0000000000000001 static "page_size=4096" 384 5786 92576 0 0 0
"$KSTACK" report -d kstack.db --policy rfc > got.txt || fail "report failed"
cat > want.txt <<'TABLE'
CPU               #Cores  #Stacks end  Regular end(kb)  Dynamic end(kb)  Dynamic(%RAM)  Savings end  Pool end(kb)  Savings+pool end  Saved(%RAM)  Faults  Crashes  Lost
Genoa                384         5786            92576            23388        unknown        74.7%          4608             69.8%      unknown      61        0     0
Rome 128 (idle)*     128         3401            54416            14784        unknown        72.8%          1536             70.0%      unknown     295        0     2

Regular: the static run of the trace (today's kernel, its stack cache included) on the same basis; Pool: pools, cached stacks and fixed overhead;
Savings+pool: each side with its own pools and cached stacks.
end: when the trace ends, a census as the RFC's figures are
unknown: the trace does not record the machine's RAM
* trace truncated: recording was interrupted
Lost > 0: events were lost while recording; those rows' figures are lower bounds
TABLE
diff -u want.txt got.txt || fail "text table"

# the same as --basis end; every figure is the same on the other bases of a census
"$KSTACK" report -d kstack.db --policy rfc --basis end | cmp -s - got.txt || fail "--basis end"
"$KSTACK" report -d kstack.db --policy rfc --basis peak --basis mean > got2.txt || fail "bases"
grep -qx "At the peak during each trace:" got2.txt || fail "peak title"
grep -qx "Time-weighted mean over each trace:" got2.txt || fail "mean title"
[ "$(grep -n 'At the peak' got2.txt | cut -d: -f1)" -lt \
  "$(grep -n 'Time-weighted' got2.txt | cut -d: -f1)" ] || fail "bases not in the order given"
grep -q '^Genoa  *384  *5786  *92576  *23388  *unknown  *74.7%  *4608  *69.8%' got2.txt \
	|| fail "peak row"
grep -q '^Genoa  *384  *5786.0  *92576.0  *23388.0  *unknown  *74.7%  *4608.0  *69.8%' got2.txt \
	|| fail "mean row"

"$KSTACK" report -d kstack.db --policy rfc --format csv > got.csv || fail "csv"
printf 'CPU,Basis,#Cores,#Stacks,Regular(kb),Dynamic(kb),Dynamic(%%RAM),Savings(%%),Pool(kb),Savings+pool(%%),Saved(%%RAM),Faults,Crashes,Lost,Truncated,Oops(s),Oops CPU\r\n' > want.csv
printf 'Genoa,end,384,5786,92576.000,23388.000,unknown,74.7364,4608.000,69.7589,unknown,61,0,0,0,,\r\n' >> want.csv
printf 'Rome 128 (idle),end,128,3401,54416.000,14784.000,unknown,72.8315,1536.000,70.0088,unknown,295,0,2,1,,\r\n' >> want.csv
diff -u want.csv got.csv || fail "csv table"

"$KSTACK" report -d kstack.db --policy rfc --format markdown > got.md || fail "markdown"
head -2 got.md | tail -1 | grep -qx '| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |' \
	|| fail "markdown alignment row"
grep -qx '| Genoa | 384 | 5786 | 92576 | 23388 | unknown | 74.7% | 4608 | 69.8% | unknown | 61 | 0 | 0 |' got.md \
	|| fail "markdown Genoa row"

# every policy: the Policy column, static at exactly 0.0%; --policy narrows it back
"$KSTACK" report -d kstack.db | head -1 | grep -q '^CPU  *Policy  *#Cores' || fail "Policy column"
"$KSTACK" report -d kstack.db | grep -q '^Genoa  *static  *384  *5786  *92576  *92576  *unknown  *0.0%  *0  *0.0%' \
	|| fail "static row"

# a bad basis is a usage error: one line, exit 2, nothing printed
"$KSTACK" report -d kstack.db --basis median > out.txt 2> err.txt
[ $? -eq 2 ] || fail "--basis median: exit status"
[ "$(cat err.txt)" = "kstack report: unknown basis 'median' (end, peak or mean)" ] \
	|| fail "--basis median: $(cat err.txt)"
[ ! -s out.txt ] || fail "--basis median printed output"
echo ok
