#!/usr/bin/env python3
"""Seed inputs for fuzz_elf: 8 bytes of file size, then the first page.

usage: make_elf_seeds.py OUTDIR PROGRAM...
Each PROGRAM (a static ELF built by the tests) gives one seed; two small
synthetic programs (ET_EXEC and static-pie ET_DYN) are added.
"""
import os
import struct
import sys


def synthetic(etype):
    head = bytearray(4096)
    head[0:7] = b"\x7fELF\x02\x01\x01"
    entry = 0x401000 if etype == 2 else 0x1000
    base = 0 if etype == 2 else -0x400000
    struct.pack_into("<HHIQQQIHHHHHH", head, 16, etype, 62, 1, entry, 64, 0, 0,
                     64, 56, 3, 64, 0, 0)
    phdrs = [(1, 4, 0, 0x400000 + base, 0x200, 0x200),
             (1, 5, 0x1000, 0x401000 + base, 0x100, 0x100),
             (0x6474E551, 6, 0, 0, 0, 0)]
    for i, (t, f, off, va, fs, ms) in enumerate(phdrs):
        struct.pack_into("<IIQQQQQQ", head, 64 + i * 56, t, f, off, va, va, fs,
                         ms, 4096)
    return struct.pack("<Q", 8192) + bytes(head)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        os.remove(os.path.join(out, old))
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        seed = struct.pack("<Q", len(data)) + data[:4096]
        with open(os.path.join(out, os.path.basename(path)), "wb") as f:
            f.write(seed)
    for name, etype in (("synthetic_exec", 2), ("synthetic_pie", 3)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(synthetic(etype))


main()
