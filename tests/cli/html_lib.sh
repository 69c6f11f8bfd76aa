# SPDX-License-Identifier: MIT
# The database the HTML report tests write a page of (sourced after
# replay_lib.sh): the shipped fork trace, its header rewritten so that its
# label, host, kernel and command line are markup, replayed under a few
# policies with a small pool sweep under failure injection.
: "${SETHDR:?}"
EVIL_LABEL='<script>alert("x")</script> & '"'q'"
EVIL_HOST='h<b>st'
EVIL_KERNEL='6.1 & <i>x</i>'
EVIL_OPTIONS="kstack collect -o '<o>.kst' -- sh -c 'a && b' \"</td>\""

# html_db DB
html_db() {
	"$SETHDR" "$KSTACK_DATA/traces/fork.kst" evil.kst 15=s:"$EVIL_LABEL" 9=s:"$EVIL_HOST" \
		10=s:"$EVIL_KERNEL" 14=s:"$EVIL_OPTIONS" || fail "sethdr"
	"$KSTACK" replay evil.kst -p static -p rfc -p entry -p watermark --sweep pool=0..2 \
		--sweep fail_rate=0,0.01 -r 2 -d "$1" -q > /dev/null || fail "replay"
}
