# kstack report prints the RFC-style table; the figures are worked out by hand:
# Genoa: 5786 x 16 KiB = 92576 regular, 23388 dynamic, 1 - 23388/92576 = 74.7%;
# 1152 pool pages = 4608 KiB, 1 - 27996/92576 = 69.8%.
# "Rome 128 (idle)" (15 characters, truncated, 2 lost): 3401 x 16 = 54416, 14784
# dynamic: 1 - 14784/54416 = 72.8%; 384 pages = 1536 KiB: 1 - 16320/54416 = 70.0%.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
add_trace kstack.db 0000000000000001 Genoa 384 0 0
add_trace kstack.db 0000000000000002 "Rome 128 (idle)" 128 1 2
add_run kstack.db 0000000000000002 rfc "page_size=4096,pool=3" 128 3401 14784 384 295 0
add_run kstack.db 0000000000000001 rfc "page_size=4096,pool=3" 384 5786 23388 1152 61 0
"$KSTACK" report -d kstack.db > got.txt || fail "report failed"
cat > want.txt <<'TABLE'
CPU               #Cores  #Stacks  Regular(kb)  Dynamic(kb)  Savings  Pool(kb)  Savings+pool  Faults  Crashes  Lost
Genoa                384     5786        92576        23388    74.7%      4608         69.8%      61        0     0
Rome 128 (idle)*     128     3401        54416        14784    72.8%      1536         70.0%     295        0     2

* trace truncated: recording was interrupted
Lost > 0: events were lost while recording; those rows' figures are lower bounds
TABLE
diff -u want.txt got.txt || fail "text table"

"$KSTACK" report -d kstack.db --format csv > got.csv || fail "csv"
printf 'CPU,#Cores,#Stacks,Regular(kb),Dynamic(kb),Savings,Pool(kb),Savings+pool,Faults,Crashes,Lost,Truncated\r\n' > want.csv
printf 'Genoa,384,5786,92576,23388,0.747364,4608,0.697589,61,0,0,0\r\n' >> want.csv
printf 'Rome 128 (idle),128,3401,54416,14784,0.728315,1536,0.700088,295,0,2,1\r\n' >> want.csv
diff -u want.csv got.csv || fail "csv table"

"$KSTACK" report -d kstack.db --format markdown > got.md || fail "markdown"
head -2 got.md | tail -1 | grep -qx '| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |' \
	|| fail "markdown alignment row"
grep -qx '| Genoa | 384 | 5786 | 92576 | 23388 | 74.7% | 4608 | 69.8% | 61 | 0 | 0 |' got.md \
	|| fail "markdown Genoa row"

# a second policy adds the Policy column; --policy narrows it back
add_run kstack.db 0000000000000001 static "page_size=4096" 384 5786 92576 0 0 0
"$KSTACK" report -d kstack.db | head -1 | grep -q '^CPU  *Policy  *#Cores' || fail "Policy column"
"$KSTACK" report -d kstack.db | grep -q '^Genoa  *static  *384  *5786  *92576  *92576  *0.0%' \
	|| fail "static row"
"$KSTACK" report -d kstack.db --policy rfc | head -1 | grep -q '^CPU  *#Cores' || fail "--policy"
echo ok
