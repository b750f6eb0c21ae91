#!/usr/bin/env python3
"""Boots a gts disk image in QEMU (scripts/qemu-run.sh) and checks it.

Works on a copy of the image, so the build's image stays pristine. Checks:
the guest's exit status, strings that must (or must not) appear on the
serial console, and afterwards the FAT16 volume: `fsck.fat -n` on the
extracted partition, files present with given contents (mtype), files
absent (mdir). Prints one line per failed check; exit status 1 if any.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def partition_offset(img):
    with open(img, "rb") as f:
        mbr = f.read(512)
    for i in range(4):
        entry = mbr[446 + 16 * i: 462 + 16 * i]
        if entry[4] in (0x04, 0x06, 0x0E):
            start, count = struct.unpack("<II", entry[8:16])
            return start * 512, count * 512
    raise SystemExit("qemu_test: no FAT16 partition in " + img)


def fsck_partition(img, part):
    """Copies img's FAT16 partition to the file part and runs fsck.fat -n on
    it: (exit status, its output)."""
    off, size = partition_offset(img)
    with open(img, "rb") as src, open(part, "wb") as dst:
        src.seek(off)
        dst.write(src.read(size))
    r = subprocess.run(["fsck.fat", "-n", part], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return r.returncode, r.stdout.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--status", type=int, required=True)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--forbid", action="append", default=[])
    ap.add_argument("--fsck", action="store_true")
    ap.add_argument("--file", action="append", default=[],
                    help="PATH=CONTENT: file on the volume with this content")
    ap.add_argument("--size", action="append", default=[],
                    help="PATH=BYTES: file on the volume with this size")
    ap.add_argument("--absent", action="append", default=[])
    ap.add_argument("--delete", action="append", default=[],
                    help="remove PATH from the volume before booting")
    ap.add_argument("--time-to", help="report ms from QEMU start to this text")
    a = ap.parse_args()

    failures = []
    work = tempfile.mkdtemp(prefix="gts-qemu-")
    try:
        img = os.path.join(work, os.path.basename(a.image))
        shutil.copyfile(a.image, img)
        off, size = partition_offset(img)
        vol = "%s@@%d" % (img, off)
        for path in a.delete:
            subprocess.run(["mdel", "-i", vol, "::" + path], check=True)
        log = img + ".log"
        env = dict(os.environ, GTS_QEMU_LOG=log)
        start = time.monotonic()
        proc = subprocess.Popen(
            [os.path.join(ROOT, "scripts", "qemu-run.sh"), img, str(a.timeout)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines = []
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            if a.time_to and a.time_to in line and not any(a.time_to in l for l in lines):
                print("qemu_test: %r after %.0f ms from QEMU start"
                      % (a.time_to, (time.monotonic() - start) * 1000))
            lines.append(line)
            sys.stdout.write(line)
        status = proc.wait()
        out = "".join(lines)
        if status != a.status:
            failures.append("exit status %d, expected %d" % (status, a.status))
        for s in a.expect:
            if s not in out:
                failures.append("console lacks %r" % s)
        for s in a.forbid:
            if s in out:
                failures.append("console has %r" % s)

        if a.fsck:
            status, text = fsck_partition(img, os.path.join(work, "part.img"))
            if status != 0:
                failures.append("fsck.fat -n found problems:\n" + text)
            else:
                print("fsck.fat -n: clean")
        for spec in a.file:
            path, want = spec.split("=", 1)
            want = want.encode().decode("unicode_escape")
            r = subprocess.run(["mtype", "-i", vol, "::" + path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            got = r.stdout.decode(errors="replace")
            if r.returncode != 0 or got != want:
                failures.append("%s: got %r, expected %r" % (path, got, want))
        for spec in a.size:
            path, want = spec.rsplit("=", 1)
            r = subprocess.run(["mtype", "-i", vol, "::" + path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if r.returncode != 0 or len(r.stdout) != int(want):
                failures.append("%s: %d bytes, expected %s" % (path, len(r.stdout), want))
        for path in a.absent:
            r = subprocess.run(["mdir", "-i", vol, "::" + path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if r.returncode == 0:
                failures.append("%s still exists" % path)
        if a.file or a.absent or a.size:
            listing = subprocess.run(["mdir", "-/", "-i", vol, "::/"],
                                     stdout=subprocess.PIPE).stdout.decode(errors="replace")
            print("volume after the run (mdir -/):\n" + listing)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for f in failures:
        print("qemu_test: FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
