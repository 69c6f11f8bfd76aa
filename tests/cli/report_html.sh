# SPDX-License-Identifier: MIT
# kstack report --html: one page, whole (every element closed, ids unique),
# self-contained (nothing runs, nothing is fetched), every string from the
# database escaped (a trace whose label, host, kernel and command line are
# markup), with every section, the charts inline and the kernel threads;
# written whole or not at all.  Checked without a browser (html_check.py);
# html_render.sh renders it in Chromium.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
command -v python3 > /dev/null || { echo "skip: python3 not installed"; exit 77; }

. "$here/html_lib.sh"
html_db k.db
"$KSTACK" report -d k.db --html page.html > out.txt 2> err.txt || fail "--html: $(cat err.txt)"
[ ! -s out.txt ] || fail "--html wrote on stdout: $(head -c 300 out.txt)"
grep -qx "kstack report: page: page.html" err.txt || fail "page not named: $(cat err.txt)"
python3 "$here/html_check.py" page.html "$EVIL_LABEL" "$EVIL_HOST" "$EVIL_KERNEL" \
	"$EVIL_OPTIONS" > check.txt || fail "page.html: $(cat check.txt)"
# the trace's header as kstack info reads it from the file
info() { "$KSTACK" info evil.kst | sed -n "s/^$1: *//p"; }
start=$(info start | cut -d' ' -f1) end=$(info end | cut -d' ' -f1)
printf '%s  ' "$EVIL_LABEL" "$EVIL_HOST" "$EVIL_KERNEL" "$(info arch)" "$(info cpus)" \
	"$(info ram | awk '{ printf "%.1f", $1 / 1048576 }')" \
	"$(($(info 'page size') / 1024)), $(($(info 'thread size') / 1024))" \
	"$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')" \
	"$(info events | cut -d' ' -f1)" "$(info 'lost events' | cut -d' ' -f1)" \
	"$(info 'depth source' | cut -d' ' -f1)" "$(info collector)" > header.txt
echo "$EVIL_OPTIONS" >> header.txt
python3 "$here/html_check.py" page.html --rows header.txt > check.txt ||
	fail "the trace's header: $(cat check.txt)"
# every section, the answer and the links to the threads
for id in answer traces results designs pools costs depth who latch asleep tail census method threads; do
	grep -q "<section id=\"$id\">" page.html || fail "no section $id"
done
grep -q '<p class="answer">On this workload (' page.html || fail "no answer in plain words"
for url in https://lore.kernel.org/all/20240311164638.2015063-1-pasha.tatashin@soleen.com/ \
	https://lwn.net/Articles/1069627/ \
	https://patchew.org/linux/20260424191456.2679717-1-stevensd@google.com/ \
	https://lwn.net/Articles/974367/; do
	grep -qF "<a href=\"$url\">" page.html || fail "no link to $url"
done
grep -q "Content-Security-Policy\" content=\"default-src 'none'" page.html || fail "no CSP"
# the results on the mean and the peak, the minimum pool, costs, the per-task tables
[ "$(grep -o '<table class="t">' page.html | wc -l)" -ge 12 ] ||
	fail "tables: $(grep -o '<table class="t">' page.html | wc -l)"
if command -v gnuplot > /dev/null; then
	# the charts inline, each its own ids, and the temporary folder gone
	[ "$(grep -c '^<svg' page.html)" -ge 6 ] || fail "charts inline: $(grep -c '^<svg' page.html)"
	grep -q "id='c1-gpPt0'" page.html && grep -q "id='c2-gpPt0'" page.html &&
		grep -q "href='#c2-gpPt" page.html || fail "chart ids not made unique"
fi

# the page shows what the text report shows: every row of its tables (the
# results on the mean and the peak, the minimum pool, the costs, each
# per-task report), and the notes of a trace whose recording was interrupted
# and lost events, which make every figure a lower bound
cp k.db lost.db
sqlite3 lost.db "UPDATE traces SET lost_events = 7, truncated = 1" || fail "sqlite3"
"$KSTACK" report -d lost.db --html lost.html -q || fail "--html of lost.db"
for r in "" --designs --costs --depth --tasks --latch --asleep --tail --census; do
	"$KSTACK" report -d lost.db $r > text.txt || fail "report $r"
	python3 "$here/html_check.py" lost.html --rows text.txt > check.txt ||
		fail "the page lacks what report $r shows: $(head -5 check.txt)"
done
"$KSTACK" report -d lost.db > text.txt
for note in "Lost > 0: events were lost while recording; those rows' figures are lower bounds" \
	"* trace truncated: recording was interrupted"; do
	grep -qxF "$note" text.txt || fail "the text report lacks '$note': the check is wrong"
done
python3 "$here/html_check.py" lost.html "Lost > 0: events were lost while recording; those rows' \
figures are lower bounds" "* trace truncated: recording was interrupted" \
	"3 CPUs, 1.7 GiB of RAM" > /dev/null && fail "html_check.py finds text not in the page"
python3 "$here/html_check.py" lost.html "Lost > 0: events were lost while recording; those rows' \
figures are lower bounds" "* trace truncated: recording was interrupted" \
	"s, 7 events lost while recording: the figures are lower bounds, recording interrupted), " \
	"7: figures are lower bounds" > check.txt || fail "lost events: $(cat check.txt)"

# - is standard output, the same page again; the temporary charts folder is
# removed; --charts keeps them, and lists them on stderr
mkdir tmp
TMPDIR="$T/tmp" "$KSTACK" report -d k.db --html - > p2.html 2> err.txt || fail "-: $(cat err.txt)"
[ ! -s err.txt ] && [ -z "$(ls tmp)" ] || fail "- or the temporary folder: $(cat err.txt) $(ls tmp)"
cmp -s page.html p2.html || fail "the same page twice differs"
"$KSTACK" report -d k.db --html p3.html --charts charts 2> err.txt || fail "--charts: $(cat err.txt)"
grep -q "^kstack report: chart: charts/bars\." err.txt && [ -s charts/bars.gp ] ||
	fail "--charts: $(cat err.txt)"

# without gnuplot: a page all the same, saying it has no charts
mkdir nogp
PATH="$T/nogp" "$KSTACK" report -d k.db --html nogp.html 2> err.txt || fail "no gnuplot"
grep -qx "kstack report: gnuplot not found: the page has no charts" err.txt || fail "$(cat err.txt)"
grep -q "<svg" nogp.html && fail "charts without gnuplot"
grep -q "No charts: gnuplot was not found" nogp.html || fail "the page does not say why"
python3 "$here/html_check.py" nogp.html > check.txt || fail "nogp.html: $(cat check.txt)"

# the options that select runs apply; the others do not go with --html
"$KSTACK" report -d k.db --html rfc.html -p rfc -q 2> err.txt || fail "--policy"
[ ! -s err.txt ] || fail "-q: $(cat err.txt)"
# (the designs table shows every design whatever the policy)
sed -n '/<section id="results">/,/<\/section>/p' rfc.html > results.html
grep -q '<table class="t">' results.html || fail "--policy rfc: no results table"
grep -q '<td class="l">static</td>' results.html && fail "--policy rfc shows static"
expect_error 2 "--html writes every table to one page: not with --format" \
	"$KSTACK" report -d k.db --html x.html -f csv
expect_error 2 "not with --format, --min-pool, --costs, --designs or a per-task report" \
	"$KSTACK" report -d k.db --html x.html --depth
expect_error 2 "--html needs a file name" "$KSTACK" report -d k.db --html ""
expect_error 2 "the fleet report prints alone.*--html" "$KSTACK" report -d k.db --html x.html --fleet
# a failure leaves no page, not even a part of one
expect_error 1 "no trace 'nosuch' stored" "$KSTACK" report -d k.db --html x.html --trace nosuch
expect_error 1 "cannot create nodir/x.html" "$KSTACK" report -d k.db --html nodir/x.html
expect_error 1 "none.db: no such database" "$KSTACK" report -d none.db --html x.html
[ -z "$(ls -a | grep '^x\.html')" ] || fail "a failed --html left $(ls -a | grep '^x\.html')"
echo ok
