#!/usr/bin/env python3
"""Builds a bootable gts disk image without root (docs/IMAGE.md).

Layout: sector 0 = stage 1 with our partition table, sectors 1.. = stage 2
(patched with the kernel's location), then one FAT16 partition made by
mkfs.fat and filled with mtools: the kernel, the program, data files and
/CMDLINE.TXT.

Exit status: 0 on success, 1 on bad input or a failing tool (one line on
stderr naming the problem), 2 on bad usage.
"""
import argparse
import os
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
PART_TYPE = 0x0E  # FAT16, LBA addressed
STAGE2_MAGIC = b"GTS2"  # at offset 4 of stage 2
STAGE2_PATCH = 8  # u32 kernel LBA, u32 kernel sectors (little endian)


class ImageError(Exception):
    pass


def read_file(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise ImageError(f"cannot read {what} {path}: {e.strerror}")


def run(cmd):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        msg = (r.stderr or r.stdout).strip().splitlines()
        raise ImageError(f"{cmd[0]} failed: {msg[-1] if msg else r.returncode}")
    return r.stdout


def fat_path(dest):
    """Normalises a destination to '/A/B' form; rejects empty components."""
    parts = [p for p in dest.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ImageError(f"bad destination path: {dest!r}")
    return "/" + "/".join(parts)


def cmdline_text(program, args, env):
    """First line: program path; then one argument per line; then ENV lines."""
    lines = [program]
    for a in args:
        if "\n" in a or "\r" in a:
            raise ImageError(f"argument contains a newline: {a!r}")
        if a.startswith("ENV "):
            raise ImageError(f"argument would read as an ENV line: {a!r}")
        lines.append(a)
    for e in env:
        name, eq, _ = e.partition("=")
        if not eq or not name or "\n" in e:
            raise ImageError(f"bad environment entry (want NAME=VALUE): {e!r}")
        lines.append("ENV " + e)
    return ("\n".join(lines) + "\n").encode()


def partition_entry(start, count):
    # CHS fields set to the "use LBA" maximum: every BIOS we boot on reads
    # the LBA fields (stage 1 uses int 13h extensions).
    return struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", PART_TYPE,
                       b"\xfe\xff\xff", start, count)


def read_at(f, offset, size):
    f.seek(offset)
    return f.read(size)


def locate_contiguous(f, base, name83):
    """(first sector inside the partition, sectors) of a root file whose
    clusters must be contiguous; the partition starts at byte `base` of the
    open file `f`."""
    boot = read_at(f, base, SECTOR)
    if len(boot) < SECTOR or boot[510:512] != b"\x55\xaa":
        raise ImageError("partition has no boot sector signature")
    bps, spc, reserved, fats, root_ents = struct.unpack_from("<HBHBH", boot, 11)
    fat_sz = struct.unpack_from("<H", boot, 22)[0]
    if bps != SECTOR or not spc or not fats or not fat_sz:
        raise ImageError("partition is not a FAT16 volume")
    root = reserved + fats * fat_sz
    data = root + (root_ents * 32 + SECTOR - 1) // SECTOR
    fat = read_at(f, base + reserved * SECTOR, fat_sz * SECTOR)
    entries = read_at(f, base + root * SECTOR, root_ents * 32)
    stem, _, ext = name83.upper().partition(".")
    want = stem.ljust(8).encode() + ext.ljust(3).encode()
    for i in range(len(entries) // 32):
        e = entries[i * 32:i * 32 + 32]
        if e[0] == 0:
            break
        if e[0] == 0xE5 or e[11] & 0x18 or e[:11] != want:
            continue
        first = struct.unpack_from("<H", e, 26)[0]
        size = struct.unpack_from("<I", e, 28)[0]
        if size == 0:
            raise ImageError(f"/{name83} is empty")
        c, clusters = first, 1
        while True:
            if c * 2 + 2 > len(fat):
                raise ImageError(f"/{name83} has a broken cluster chain")
            nxt = struct.unpack_from("<H", fat, c * 2)[0]
            if nxt >= 0xFFF8:
                break
            if nxt != c + 1:
                raise ImageError(f"/{name83} is not contiguous on disk "
                                 f"(cluster {c} -> {nxt}); stage 2 cannot load it")
            c, clusters = nxt, clusters + 1
        sectors = (size + SECTOR - 1) // SECTOR
        if sectors > clusters * spc:
            raise ImageError(f"/{name83} is larger than its cluster chain")
        return data + (first - 2) * spc, sectors
    raise ImageError(f"/{name83} not found in the root directory")


class Builder:
    def __init__(self, part_img):
        self.img = part_img
        self.dirs = {"/"}
        self.dests = set()

    def mkdirs(self, path):
        parent = path.rsplit("/", 1)[0] or "/"
        if parent in self.dirs:
            return
        self.mkdirs(parent)
        run(["mmd", "-i", self.img, "::" + parent])
        self.dirs.add(parent)

    def copy(self, src, dest):
        dest = fat_path(dest)
        if dest.upper() in self.dests:
            raise ImageError(f"two files for {dest}")
        if not os.path.isfile(src):
            raise ImageError(f"no such file: {src}")
        self.dests.add(dest.upper())
        self.mkdirs(dest)
        run(["mcopy", "-i", self.img, src, "::" + dest])


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="mkimage.py",
        description="Build a bootable gts disk image (see docs/IMAGE.md).")
    p.add_argument("--stage1", required=True, help="512-byte MBR boot code")
    p.add_argument("--stage2", required=True, help="stage 2 binary (GTS2 magic)")
    p.add_argument("--kernel", required=True, help="kernel file for stage 2")
    p.add_argument("--kernel-name", default="KERNEL.BIN",
                   help="8.3 root name of the kernel (default KERNEL.BIN)")
    p.add_argument("--program", metavar="SRC[:DEST]",
                   help="program to run; DEST defaults to /<basename>")
    p.add_argument("--args", default="", help="program arguments (shell words)")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--file", action="append", default=[], metavar="SRC[:DEST]",
                   help="extra file; DEST defaults to /<basename>")
    p.add_argument("--size", type=int, required=True, metavar="MB",
                   help="total image size in MiB")
    p.add_argument("--part-start", type=int, default=2048, metavar="LBA",
                   help="first sector of the FAT16 partition (default 2048)")
    p.add_argument("--out", required=True)
    return p.parse_args(argv)


def split_spec(spec):
    src, sep, dest = spec.partition(":")
    return src, dest if sep else "/" + os.path.basename(src)


def build(a):
    stage1 = read_file(a.stage1, "stage 1")
    stage2 = bytearray(read_file(a.stage2, "stage 2"))
    kernel = read_file(a.kernel, "kernel")
    if len(stage1) > SECTOR:
        raise ImageError(f"stage 1 is {len(stage1)} bytes, more than one sector")
    if len(stage1) > 446 and any(stage1[446:510]):
        raise ImageError("stage 1 has bytes in the partition table area (446-509)")
    if a.part_start < 2 or (len(stage2) + SECTOR - 1) // SECTOR > a.part_start - 1:
        raise ImageError(f"stage 2 ({len(stage2)} bytes) does not fit before "
                         f"the partition at LBA {a.part_start}")
    if stage2[4:8] != STAGE2_MAGIC:
        raise ImageError("stage 2 lacks the GTS2 magic at offset 4")
    if not kernel:
        raise ImageError("kernel file is empty")
    total = a.size * 1024 * 1024 // SECTOR
    part_sectors = (total - a.part_start) & ~1  # mkfs.fat counts KiB
    if a.size <= 0 or part_sectors < 16 * 2048:
        raise ImageError(f"--size {a.size} MiB is too small (FAT16 needs "
                         f"about 16 MiB after LBA {a.part_start})")
    if a.size > 2048:
        raise ImageError("--size over 2048 MiB: FAT16 volumes end at 2 GiB")
    args = shlex.split(a.args)
    program = None
    if a.program:
        program = split_spec(a.program)
    files = [split_spec(f) for f in a.file]
    out_tmp = a.out + ".tmp"
    try:
        with open(out_tmp, "wb") as f:
            f.truncate(total * SECTOR)  # sparse: only written parts use disk
        fill_volume(a, out_tmp, part_sectors, program, files, args)
        with open(out_tmp, "r+b") as f:
            first, count = locate_contiguous(f, a.part_start * SECTOR,
                                             a.kernel_name)
            struct.pack_into("<II", stage2, STAGE2_PATCH, a.part_start + first,
                             count)
            mbr = bytearray(stage1.ljust(SECTOR, b"\0"))
            mbr[446:510] = partition_entry(a.part_start,
                                           part_sectors).ljust(64, b"\0")
            mbr[510:512] = b"\x55\xaa"
            f.seek(0)
            f.write(mbr)
            f.write(stage2)
        os.replace(out_tmp, a.out)
    finally:
        if os.path.exists(out_tmp):
            os.remove(out_tmp)
    return a.part_start + first, count


def fill_volume(a, image, part_sectors, program, files, args):
    """mkfs.fat in place at the partition offset, then the files."""
    run(["mkfs.fat", "-F", "16", "-n", "GTS", "-h", str(a.part_start),
         "--mbr=n", "--offset", str(a.part_start), image,
         str(part_sectors // 2)])
    b = Builder(f"{image}@@{a.part_start * SECTOR}")
    # The kernel goes first, into an empty volume: its clusters come out
    # contiguous, which is what stage 2 needs.
    b.copy(a.kernel, "/" + a.kernel_name)
    if program:
        b.copy(*program)
    for src, dest in files:
        b.copy(src, dest)
    if program:
        with tempfile.TemporaryDirectory(prefix="gts-mkimage-") as tmp:
            cmd = os.path.join(tmp, "CMDLINE.TXT")
            with open(cmd, "wb") as f:
                f.write(cmdline_text(fat_path(program[1]), args, a.env))
            b.copy(cmd, "/CMDLINE.TXT")
    elif args or a.env:
        raise ImageError("--args/--env need --program")


def main(argv):
    a = parse_args(argv)
    for tool in ("mkfs.fat", "mcopy", "mmd"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            print(f"mkimage: error: {tool} not found (apt-get install "
                  "dosfstools mtools)", file=sys.stderr)
            return 1
    os.environ["PATH"] += os.pathsep + "/usr/sbin:/sbin"
    try:
        lba, count = build(a)
    except ImageError as e:
        print(f"mkimage: error: {e}", file=sys.stderr)
        return 1
    print(f"mkimage: {a.out}: {a.size} MiB, FAT16 at LBA {a.part_start}, "
          f"/{a.kernel_name} at LBA {lba} ({count} sectors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
