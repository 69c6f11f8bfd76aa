#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Embed data/schema.sql into a C file: the SQL text as a string and the
PRAGMA user_version it sets, so the schema has one source of truth."""
import re
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding='utf-8') as f:
        sql = f.read()
    m = re.search(r'^\s*PRAGMA\s+user_version\s*=\s*(\d+)\s*;', sql, re.M | re.I)
    if not m:
        sys.exit('%s: no "PRAGMA user_version = N;" line' % src)
    lines = []
    for line in sql.splitlines():
        esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\t', '\\t')
        lines.append('\t"%s\\n"' % esc)
    with open(out, 'w', encoding='utf-8') as f:
        f.write('/* Generated from data/schema.sql by report/embed_schema.py: do not edit. */\n')
        f.write('#include "schema.h"\n\n')
        f.write('const int ks_schema_version = %s;\n\n' % m.group(1))
        f.write('const char ks_schema_sql[] =\n%s;\n' % '\n'.join(lines))


if __name__ == '__main__':
    main()
