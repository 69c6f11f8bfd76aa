#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How much of a screenshot is not blank: png_ink.py IMAGE.png

Decodes the PNG itself (8-bit greyscale, RGB or RGBA, not interlaced, as
Chromium writes its screenshots), unfiltering each scanline, and prints
"WIDTHxHEIGHT COLOURS INKED": the distinct colours and the per mille of
pixels that differ from the most common colour (the page's background).
A blank page prints 1 colour and 0.
"""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, head = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            head = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = head
    channels = {0: 1, 2: 3, 6: 4}.get(ctype)
    if depth != 8 or not channels or interlace:
        raise ValueError('unsupported PNG: depth %d, colour type %d, interlace %d' %
                         (depth, ctype, interlace))
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xff
            elif f == 2:
                line[x] = (line[x] + b) & 0xff
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif f == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 0xff
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    width, height, channels, rows = decode(sys.argv[1])
    counts = {}
    for line in rows:
        for x in range(0, len(line), channels):
            px = line[x:x + channels]
            counts[px] = counts.get(px, 0) + 1
    background = max(counts.values())
    inked = (width * height - background) * 1000 // (width * height)
    print('%dx%d %d %d' % (width, height, len(counts), inked))


if __name__ == '__main__':
    main()
