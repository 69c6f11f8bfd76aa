#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check an HTML report without a browser:
html_check.py PAGE [--rows REPORT.txt] [TEXT...]

- well formed: every element closed, in order (the page closes all of its
  elements itself; only void elements such as <meta> and <wbr> stand
  alone, and SVG elements may close themselves, <path/>);
- every id unique (each inlined chart has its own);
- nothing that runs or fetches: no <script>, <iframe>, <object>, <embed>,
  <link>, no event attribute (onclick=...), no javascript: URL, no src=,
  no url() or @import in a style but to a fragment (#id); links (<a href>)
  fetch nothing until followed;
- each TEXT (a hostile label, say) is in the page's text exactly as given,
  so it was escaped and not dropped nor mangled, and never as markup: the
  raw TEXT is not in the file when it holds < or &;
- --rows: every row of the text tables in REPORT.txt (kstack report's text
  output: a line of at least 5 cells parted by two spaces or more, its
  header included) is a row of one of the page's tables, cell for cell,
  so the page shows every figure the text report does.

Prints "ok", or each fault on a line and exits 1.
"""
import re
import sys
from html.parser import HTMLParser

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta',
        'param', 'source', 'track', 'wbr'}
FORBIDDEN = {'script', 'iframe', 'object', 'embed', 'link', 'frame', 'frameset', 'applet',
             'foreignobject', 'base'}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.faults = []
        self.ids = {}
        self.text = []
        self.tags = {}
        self.hrefs = []
        self.rows = set()
        self.row = None

    def where(self):
        return 'line %d' % self.getpos()[0]

    def attrs_check(self, tag, attrs):
        for name, value in attrs:
            value = value or ''
            if name.startswith('on'):
                self.faults.append('%s: event attribute %s on <%s>' % (self.where(), name, tag))
            if 'javascript:' in value.lower():
                self.faults.append('%s: javascript: in <%s %s>' % (self.where(), tag, name))
            if name == 'src':
                self.faults.append('%s: <%s src=%s> fetches' % (self.where(), tag, value))
            if name in ('href', 'xlink:href') and tag != 'a' and not value.startswith('#'):
                self.faults.append('%s: <%s %s=%s> fetches' % (self.where(), tag, name, value))
            if name == 'href' and tag == 'a':
                self.hrefs.append(value)
            for url in re.findall(r'url\(\s*([^)]*)\)', value):
                if not url.strip('\'"').startswith('#'):
                    self.faults.append('%s: url(%s) in <%s>' % (self.where(), url, tag))
            if name == 'id':
                if value in self.ids:
                    self.faults.append('%s: id %s also at %s' % (self.where(), value,
                                                                 self.ids[value]))
                self.ids[value] = self.where()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == 'tr':
            self.row = []
        elif tag in ('td', 'th') and self.row is not None:
            self.row.append('')
        if tag in FORBIDDEN:
            self.faults.append('%s: <%s>' % (self.where(), tag))
        self.attrs_check(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.where()))

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag in FORBIDDEN:
            self.faults.append('%s: <%s>' % (self.where(), tag))
        self.attrs_check(tag, attrs)
        # <path/> closes itself in SVG; in HTML only void elements may
        if tag not in VOID and not any(t == 'svg' for t, _ in self.stack):
            self.faults.append('%s: <%s/> outside SVG' % (self.where(), tag))

    def handle_endtag(self, tag):
        if tag == 'tr' and self.row is not None:
            # an empty cell (a task without a name) is two spaces more in text
            self.rows.add(tuple(cell.strip() for cell in self.row if cell.strip()))
            self.row = None
        if tag in VOID:
            self.faults.append('%s: </%s> of a void element' % (self.where(), tag))
            return
        if not self.stack:
            self.faults.append('%s: </%s> closes nothing' % (self.where(), tag))
            return
        top, at = self.stack.pop()
        if top != tag:
            self.faults.append('%s: </%s> closes <%s> of %s' % (self.where(), tag, top, at))

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == 'style':
            for url in re.findall(r'url\(\s*([^)]*)\)', data):
                if not url.strip('\'"').startswith('#'):
                    self.faults.append('%s: url(%s) in a style' % (self.where(), url))
            if '@import' in data:
                self.faults.append('%s: @import in a style' % self.where())
            return
        self.text.append(data)
        if self.row:
            self.row[-1] += data


def main():
    args = sys.argv[1:]
    if not args:
        print('usage: html_check.py PAGE [--rows REPORT.txt] [TEXT...]', file=sys.stderr)
        return 2
    raw = open(args.pop(0), encoding='utf-8').read()
    report = None
    if args[:1] == ['--rows']:
        report = open(args[1], encoding='utf-8').read()
        args = args[2:]
    c = Checker()
    c.feed(raw)
    c.close()
    for tag, at in c.stack:
        c.faults.append('<%s> of %s never closed' % (tag, at))
    if not raw.startswith('<!DOCTYPE html>'):
        c.faults.append('no <!DOCTYPE html> first')
    text = ''.join(c.text)
    if report is not None:
        nrows = 0
        for line in report.splitlines():
            cells = tuple(cell for cell in re.split(r' {2,}', line.strip()) if cell)
            if len(cells) < 5:
                continue
            nrows += 1
            if cells not in c.rows:
                c.faults.append('row %r of the text report not in the page' % line)
        if not nrows:
            c.faults.append('no table rows in the text report')
    for want in args:
        if want not in text:
            c.faults.append('text %r not in the page' % want)
        if ('<' in want or '&' in want) and want in raw:
            c.faults.append('%r is in the file unescaped' % want)
    for fault in c.faults:
        print(fault)
    if c.faults:
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
