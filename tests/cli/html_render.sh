# SPDX-License-Identifier: MIT
# The HTML report in a browser: headless Chromium (Debian's chromium, in
# deps/debian.txt) loads the page of a trace whose header is markup, with
# no console message (an error, a script the page's policy blocked, a
# resource it could not fetch), shows the content without a script (the
# tables and the answer are in the DOM it dumps), and draws more than a
# blank page.  Two control pages first prove the checks can fail: one
# that logs a console error, and a blank one.  Skips (77) only where
# Chromium is not installed; one that is but cannot load a page fails.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
command -v python3 > /dev/null || { echo "skip: python3 not installed"; exit 77; }
browser=$(command -v chromium || command -v chromium-browser) ||
	{ echo "skip: chromium is not installed (deps/debian.txt lists it)"; exit 77; }
export HOME="$T"

# chrome PAGE OUT ARGS...: load file PAGE headless, ARGS say what to make of it;
# its log (console messages included) goes to OUT.log
chrome() {
	local page=$1 out=$2
	shift 2
	mkdir -p "$T/profile-$out"
	timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--disable-quic --no-first-run --no-default-browser-check \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-extensions --user-data-dir="$T/profile-$out" \
		--enable-logging=stderr --v=0 "$@" "file://$T/$page" 2> "$out.log"
}
console() { grep 'CONSOLE' "$1.log"; }

# the controls: a page that logs an error is seen doing so; a blank page is blank
cat > control.html <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>control</title></head>
<body><p>control</p><script>console.error("kstack-control-error")</script></body></html>
EOF
chrome control.html control --dump-dom > control.dom
if ! grep -q '<p>control</p>' control.dom; then
	fail "$browser cannot load a page: $(grep -v '^\[.*\(dbus\|Fontconfig\)' control.log | head -3)"
fi
console control | grep -q kstack-control-error ||
	fail "a console error is not seen in Chromium's log: the check below could not fail"
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>b</title></head><body></body></html>\n' \
	> blank.html
chrome blank.html blank --screenshot="$T/blank.png" --window-size=1200,2000 > /dev/null
[ -s blank.png ] || fail "no screenshot of the blank page: $(head -3 blank.log)"
read -r size colours inked < <(python3 "$here/png_ink.py" blank.png) || fail "png_ink blank.png"
[ "$colours" = 1 ] && [ "$inked" = 0 ] || fail "a blank page counts as drawn: $colours $inked"

# the report
. "$here/html_lib.sh"
html_db k.db
"$KSTACK" report -d k.db --html page.html -q || fail "report --html"
chrome page.html page --dump-dom > page.dom
[ -z "$(console page)" ] || fail "console messages: $(console page | cut -c1-300)"
# the content is in the document as loaded, without a script
grep -q 'On this workload (' page.dom || fail "no answer in the DOM"
[ "$(grep -o '<table class="t">' page.dom | wc -l)" -ge 12 ] || fail "tables missing in the DOM"
grep -q '&lt;script&gt;alert("x")&lt;/script&gt; &amp;' page.dom ||
	fail "the label is not text in the DOM"
grep -q '<script' page.dom && fail "a script element in the DOM"
chrome page.html shot --screenshot="$T/page.png" --window-size=1200,2000 > /dev/null
[ -z "$(console shot)" ] || fail "console messages: $(console shot | cut -c1-300)"
read -r size colours inked < <(python3 "$here/png_ink.py" page.png) || fail "png_ink page.png"
[ "$size" = 1200x2000 ] || fail "screenshot size $size"
# text, tables and shading: many colours, a good part of the page inked
[ "$colours" -ge 16 ] && [ "$inked" -ge 30 ] ||
	fail "the screenshot looks blank: $colours colours, $inked per mille inked"
echo "ok: $colours colours, $inked per mille inked"
