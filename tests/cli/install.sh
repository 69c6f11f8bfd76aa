# SPDX-License-Identifier: MIT
# meson install installs the program, its data (the machine profiles, the
# real traces the demo replays, the schema), the man pages and the bash
# completion.  The installed program finds its data from its own location,
# with no KSTACK_DATA and without the source tree, also once the installed
# tree is moved elsewhere; synth --profile and the demo run from there.
set -u
: "${BUILD_ROOT:?}" "${PREFIX:?}" "${BINDIR:?}" "${DATADIR:?}" "${MANDIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -n "${MESON:-}" ] || { echo "skip: meson not found"; exit 77; }
T=$(realpath "$(mktemp -d)")
trap 'rm -rf "$T"' EXIT

"$MESON" install -C "$BUILD_ROOT" --no-rebuild --destdir "$T/root" > "$T/log" 2>&1 ||
	fail "meson install: $(tail -5 "$T/log")"
root="$T/root$PREFIX"
[ -x "$root/$BINDIR/kstack" ] || fail "no $BINDIR/kstack"
for f in profiles/genoa-384.profile profiles/README.md traces/compile.kst traces/MANIFEST \
	 schema.sql; do
	[ -s "$root/$DATADIR/kstack/$f" ] || fail "no $DATADIR/kstack/$f"
done
[ -s "$root/$DATADIR/bash-completion/completions/kstack" ] || fail "no bash completion"
if [ -n "${MAN_BUILT:-}" ]; then
	n=0
	for p in "$MAN_BUILT"/*.1; do
		[ -s "$root/$MANDIR/man1/${p##*/}" ] || fail "man page ${p##*/} not installed"
		n=$((n + 1))
	done
	[ $n -ge 9 ] || fail "only $n man pages built"
	[ -s "$root/$MANDIR/man1/kstack.1" ] || fail "no kstack(1)"
else
	echo "note: scdoc not found: no man pages to install"
fi

# the whole tree moved: the program still finds its own data beside it
mv "$root" "$T/moved"
kstack="$T/moved/$BINDIR/kstack"
mkdir "$T/work"
cd "$T/work" || exit 1
unset KSTACK_DATA
"$kstack" synth --profile genoa-384 -q || fail "installed synth --profile genoa-384"
"$kstack" info genoa-384.kst | grep -qx 'label: *AMD Genoa' || fail "genoa-384.kst label"
"$kstack" synth --list-profiles | grep -q '^rome-128 ' || fail "installed --list-profiles"
"$kstack" demo -o demo > out.txt 2> err.txt || fail "installed demo: $(cat err.txt)"
grep -qx "kstack demo: synthesizing the 8 profiles of $T/moved/$DATADIR/kstack/profiles" err.txt ||
	fail "the demo did not use the installed data: $(head -1 err.txt)"
grep -qE '^AMD Genoa +384 +5786 +92576 +23388 ' out.txt || fail "demo: no Genoa row"
grep -qE '^compile +rfc +2 ' out.txt || fail "demo: the installed real traces were not replayed"
# KSTACK_DATA still overrides
mkdir -p "$T/mydata/profiles"
cp "$T/moved/$DATADIR/kstack/profiles/rome-128.profile" "$T/mydata/profiles/mine.profile"
KSTACK_DATA="$T/mydata" "$kstack" synth --list-profiles | grep -q '^mine ' ||
	fail "KSTACK_DATA is not used"
echo ok
