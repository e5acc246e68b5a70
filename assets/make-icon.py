#!/usr/bin/env python3
"""Draws Scoretable's application icon as a PNG with only the standard library.

The icon is a dark rounded square with a white podium of three steps, the
middle step highest. Run `python3 assets/make-icon.py` to regenerate
`assets/icon.png` (256x256 RGBA) and `assets/icon-32.png`.
"""

import os
import struct
import zlib


def draw(size):
    """Returns the icon's rows of RGBA bytes at `size` x `size` pixels."""
    background = (22, 44, 74, 255)
    podium = (250, 250, 250, 255)
    accent = (255, 196, 0, 255)
    corner = size * 0.18
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            # Rounded-square mask: transparent outside the rounded corners.
            cx = min(max(x + 0.5, corner), size - corner)
            cy = min(max(y + 0.5, corner), size - corner)
            inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= corner ** 2
            if not inside:
                row += bytes((0, 0, 0, 0))
                continue
            u = x / size
            v = y / size
            colour = background
            # Three podium steps: left (2nd), middle (1st), right (3rd).
            if 0.16 <= u < 0.38 and 0.52 <= v < 0.82:
                colour = podium
            elif 0.38 <= u < 0.62 and 0.36 <= v < 0.82:
                colour = podium
            elif 0.62 <= u < 0.84 and 0.62 <= v < 0.82:
                colour = podium
            # The winner's marker above the middle step.
            elif (u - 0.5) ** 2 + (v - 0.24) ** 2 <= 0.075 ** 2:
                colour = accent
            row += bytes(colour)
        rows.append(bytes(row))
    return rows


def write_png(path, size):
    """Encodes the icon as an 8-bit RGBA PNG at `path`."""
    raw = b"".join(b"\x00" + row for row in draw(size))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    with open(path, "wb") as output:
        output.write(b"\x89PNG\r\n\x1a\n")
        output.write(chunk(b"IHDR", header))
        output.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        output.write(chunk(b"IEND", b""))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write_png(os.path.join(here, "icon.png"), 256)
    write_png(os.path.join(here, "icon-32.png"), 32)
