#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check an HTML report without a browser: html_check.py PAGE [TEXT...]

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
  raw TEXT is not in the file when it holds < or &.

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


def main():
    if len(sys.argv) < 2:
        print('usage: html_check.py PAGE [TEXT...]', file=sys.stderr)
        return 2
    raw = open(sys.argv[1], encoding='utf-8').read()
    c = Checker()
    c.feed(raw)
    c.close()
    for tag, at in c.stack:
        c.faults.append('<%s> of %s never closed' % (tag, at))
    if not raw.startswith('<!DOCTYPE html>'):
        c.faults.append('no <!DOCTYPE html> first')
    text = ''.join(c.text)
    for want in sys.argv[2:]:
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
