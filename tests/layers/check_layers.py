#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The folders of kstack as layers, checked on the sources and the built libraries.

tests/layers/meson.build holds the graph (--layer NAME=FOLDER,... : the folders
NAME may build on); tests/ may build on every folder.  One line per fault,
naming the file and line or the library and symbol, and exit status 1 when:

- a library's own compile command (compile_commands.json) does not find a
  header of its own folder, or finds one of a folder it may not use: the
  include directories of its dependencies are what enforce the layers;
- a quoted include is not a bare name: a path ("../engine/x.h") would go
  round the include directories through which the build enforces the layers;
- an include names no header of the tree, or a header of a folder the
  including folder may not use;
- two headers share a base name, so a bare name would not say which;
- a system header confined to one folder appears in another (tracefs and BPF
  in collect/, sqlite3.h in report/), or a header of the tree is included
  with angle brackets;
- a library's object code uses a name that a library it may not use defines
  (an upward call needs no include: an extern declaration is enough);
- a library exports a name without one of its folder's prefixes;
- the header test leaves out a header of a library folder, or lists one that
  does not exist.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
# System headers that only one folder may include (tests may include any).
CONFINED = {
    'tracefs.h': 'collect',
    'event-parse.h': 'collect',
    'kbuffer.h': 'collect',
    'bpf/': 'collect',
    'sqlite3.h': 'report',
}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--source', required=True, help='the project source root')
    ap.add_argument('--build', required=True, help='the build root')
    ap.add_argument('--nm', required=True, help='the nm program')
    ap.add_argument('--lib', nargs=2, action='append', default=[], metavar=('NAME', 'PATH'),
                    help="a folder's static library")
    ap.add_argument('--layer', action='append', default=[], metavar='NAME=BELOW,...')
    ap.add_argument('--prefix', action='append', default=[], metavar='NAME=PREFIX,...')
    ap.add_argument('--generated', action='append', default=[], metavar='NAME=HEADER,...')
    ap.add_argument('--face', action='append', default=[], metavar='NAME=HEADER',
                    help="a header of the folder NAME, to probe who sees it")
    ap.add_argument('--headers', nargs='*', default=[], help='the headers of the header test')
    return ap.parse_args()


def pairs(items):
    """NAME=A,B,... arguments as {NAME: [A, B, ...]}."""
    out = {}
    for item in items:
        name, _, rest = item.partition('=')
        out[name] = [x for x in rest.split(',') if x]
    return out


def sources(root, folders):
    """(folder, path relative to root) of every .c and .h file under the folders."""
    for folder in folders:
        for d, dirs, files in os.walk(os.path.join(root, folder)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    yield folder, os.path.relpath(os.path.join(d, f), root)


def probe_command(build, lib):
    """The command that compiled a source file of @lib, as (directory, argv)."""
    with open(os.path.join(build, 'compile_commands.json'), encoding='utf-8') as f:
        entries = json.load(f)
    objdir = os.path.relpath(lib, build) + '.p/'
    for e in entries:
        if not e.get('output', '').startswith(objdir):
            continue
        argv, out, skip = shlex.split(e['command']), [], 0
        for arg in argv:
            if skip:
                skip -= 1
            elif arg in ('-o', '-MQ', '-MF', '-MT'):
                skip = 1
            elif arg not in ('-c', '-MD', '-MMD', e['file']):
                out.append(arg)
        return e['directory'], out + ['-fsyntax-only', '-fdiagnostics-color=never']
    return None, None


def first_error(stderr):
    lines = [x for x in stderr.splitlines() if 'error' in x]
    return lines[0] if lines else stderr.strip()


def check_visibility(build, libs, below, face, faults):
    """Compile '#include FACE' with each library's own flags: what does it see?"""
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, lib in libs:
            cwd, argv = probe_command(build, lib)
            if argv is None:
                faults.append('%s: no compile command in compile_commands.json' % name)
                continue
            for other, header in sorted(face.items()):
                if other != name and other in below.get(name, []):
                    continue  # may see it, whether it uses it or not
                probe = os.path.join(tmp, 'probe_%s_%s.c' % (name, other))
                with open(probe, 'w', encoding='utf-8') as f:
                    f.write('#include "%s"\n' % header)
                r = subprocess.run(argv + [probe], cwd=cwd, capture_output=True, text=True)
                n += 1
                if other == name:
                    if r.returncode:
                        faults.append('%s: its compile command does not compile its own '
                                      '"%s": %s' % (name, header, first_error(r.stderr)))
                    continue
                # not found at the probe's own include: a nested failure means it was found
                missing = re.search(r"^%s:1:\d+: fatal error: ('%s' file not found|%s: No such "
                                    r"file)" % (re.escape(probe), re.escape(header),
                                                re.escape(header)), r.stderr, re.M)
                if not missing:
                    faults.append('%s: its compile command finds "%s" of %s/, a folder it '
                                  'may not use' % (name, header, other))
    return n


def check_includes(root, below, generated, faults):
    folders = sorted(set(below) | {'tests'})
    files = list(sources(root, folders))
    owner = {}
    for folder, path in files:
        if path.endswith('.h'):
            base = os.path.basename(path)
            if base in owner:
                faults.append('%s: header name also used by %s: a bare include of it is '
                              'ambiguous' % (path, owner[base][1]))
            owner[base] = (folder, path)
    for folder, headers in generated.items():
        for h in headers:
            owner.setdefault(h, (folder, '(generated)'))
    n = 0
    for folder, path in files:
        with open(os.path.join(root, path), encoding='utf-8') as f:
            lines = f.read().splitlines()
        for lineno, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            n += 1
            where = '%s:%d' % (path, lineno)
            quote, name = m.groups()
            if quote == '<':
                if name in owner and owner[name][1] != '(generated)':
                    faults.append('%s: <%s> is a header of the tree: include it as "%s"' %
                                  (where, name, name))
                for sys_name, only in CONFINED.items():
                    hit = name.startswith(sys_name) if sys_name.endswith('/') else name == sys_name
                    if hit and folder not in (only, 'tests'):
                        faults.append('%s: <%s> belongs to %s/ alone' % (where, name, only))
                continue
            if '/' in name:
                faults.append('%s: "%s" is a path: include the bare name "%s"' %
                              (where, name, os.path.basename(name)))
                name = os.path.basename(name)
            if name not in owner:
                faults.append('%s: "%s" is no header of the tree' % (where, name))
                continue
            up = owner[name][0]
            if folder == 'tests' or up == folder or up in below.get(folder, []):
                continue
            faults.append('%s: %s/ may not include "%s" of %s/ (%s/ builds on: %s)' %
                          (where, folder, name, up, folder,
                           ', '.join(below.get(folder, [])) or 'nothing'))
    return len(files), n


def symbols(nm, lib):
    """The global names a static library defines, and those it uses from elsewhere."""
    defined, used = set(), set()
    for flags, into in ((['--defined-only', '-g'], defined), (['-u'], used)):
        r = subprocess.run([nm] + flags + [lib], capture_output=True, text=True)
        if r.returncode:
            sys.exit('layers: %s %s failed: %s' % (nm, lib, r.stderr.strip()))
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) >= 2 and not line.endswith(':'):
                into.add(f[-1])
    return defined, used


def check_symbols(nm, libs, below, prefix, faults):
    table = {name: symbols(nm, path) for name, path in libs}
    definer = {}
    for name, (defined, _) in table.items():
        if not defined:
            faults.append('%s: nm lists no global name in %s' % (name, dict(libs)[name]))
        for sym in defined:
            definer[sym] = name
            if sym.startswith(('_', '.')):
                continue  # the compiler's and sanitizers' own
            if not sym.startswith(tuple(prefix.get(name, []))):
                faults.append('%s: exports %s without a prefix of its folder (%s)' %
                              (name, sym, ', '.join(prefix.get(name, []))))
    n = 0
    for name, (_, used) in table.items():
        for sym in sorted(used):
            up = definer.get(sym)
            if up is None:
                continue  # libc, zlib, sqlite...
            n += 1
            if up != name and up not in below.get(name, []):
                faults.append('%s: uses %s, defined in %s/, a folder it may not use' %
                              (name, sym, up))
    return n


def check_header_test(root, libs, listed, faults):
    present = {os.path.basename(p) for _, p in sources(root, [n for n, _ in libs])
               if p.endswith('.h')}
    for h in sorted(present - set(listed)):
        faults.append('tests/layers/meson.build: header test leaves out %s' % h)
    for h in sorted(set(listed) - present):
        faults.append('tests/layers/meson.build: header test lists %s, no such header' % h)
    return len(present)


def main():
    a = parse_args()
    below, prefix, generated = pairs(a.layer), pairs(a.prefix), pairs(a.generated)
    face = {k: v[0] for k, v in pairs(a.face).items()}
    faults = []
    nprobes = check_visibility(a.build, a.lib, below, face, faults)
    nfiles, nincs = check_includes(a.source, below, generated, faults)
    nsyms = check_symbols(a.nm, a.lib, below, prefix, faults)
    nheaders = check_header_test(a.source, a.lib, a.headers, faults)
    for f in faults:
        print(f, file=sys.stderr)
    print('layers: %d probes of what the libraries see, %d files, %d includes, %d names used '
          'across libraries, %d headers in the header test: %d fault(s)' %
          (nprobes, nfiles, nincs, nsyms, nheaders, len(faults)))
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
