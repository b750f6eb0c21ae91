#!/usr/bin/env python3
"""image/mkimage.py: builds images from dummy boot pieces and checks every
part of the result with independent tools (fsck.fat, mtools) and by hand."""
import importlib.util
import os
import random
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MKIMAGE = os.environ.get("GTS_MKIMAGE",
                         os.path.join(HERE, "..", "..", "image", "mkimage.py"))
spec = importlib.util.spec_from_file_location("mkimage", MKIMAGE)
mkimage = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mkimage)
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1",
           PATH=os.environ["PATH"] + ":/usr/sbin:/sbin")


def tool(*cmd):
    return subprocess.run(cmd, capture_output=True, env=ENV)


class MkImageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gts-image-test-")
        self.dir = self.tmp.name
        rng = random.Random(1)
        stage1 = bytes(rng.randrange(256) for _ in range(446))
        self.stage1 = stage1 + bytes(64) + b"\x55\xaa"
        self.stage2 = (b"\xeb\x0e\0\0GTS2" + bytes(8) +
                       bytes(rng.randrange(256) for _ in range(4096 - 16)))
        self.kernel = bytes(rng.randrange(256) for _ in range(300001))
        self.program = b"\x7fELF" + bytes(rng.randrange(256) for _ in range(9000))
        self.model = bytes(rng.randrange(256) for _ in range(200000))
        for name, data in [("stage1.bin", self.stage1),
                           ("stage2.bin", self.stage2),
                           ("kernel.bin", self.kernel),
                           ("tinyllama", self.program),
                           ("stories260K.bin", self.model),
                           ("tok.bin", b"tokens")]:
            with open(self.path(name), "wb") as f:
                f.write(data)
        self.out = self.path("disk.img")

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def mkimage(self, *extra, **overrides):
        args = {"--stage1": self.path("stage1.bin"),
                "--stage2": self.path("stage2.bin"),
                "--kernel": self.path("kernel.bin"),
                "--size": "40", "--out": self.out}
        args.update(overrides)
        cmd = [sys.executable, MKIMAGE]
        for k, v in args.items():
            cmd += [k, v]
        return subprocess.run(cmd + list(extra), capture_output=True, text=True)

    def build_full(self):
        r = self.mkimage(
            "--program", self.path("tinyllama") + ":/bin/tinyllama",
            "--args", "stories260K.bin -n 16 -i 'Once upon a time'",
            "--env", "GTS_TIER=O2", "--file", self.path("stories260K.bin"),
            "--file", self.path("tok.bin") + ":/data/Tokenizer.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.out, "rb") as f:
            return f.read()

    def partition(self, disk):
        start, count = struct.unpack_from("<II", disk, 446 + 8)
        return start, count, disk[start * 512:(start + count) * 512]

    def test_layout_and_partition_table(self):
        disk = self.build_full()
        self.assertEqual(len(disk), 40 << 20)
        self.assertEqual(disk[:446], self.stage1[:446])  # boot code untouched
        self.assertEqual(disk[510:512], b"\x55\xaa")
        status, ptype = disk[446], disk[446 + 4]
        start, count = struct.unpack_from("<II", disk, 446 + 8)
        self.assertEqual((status, ptype, start), (0x80, 0x0E, 2048))
        self.assertEqual(start + count, len(disk) // 512)
        self.assertEqual(disk[462:510], bytes(48))  # one entry only
        self.assertEqual(disk[512:512 + 8], self.stage2[:8])
        self.assertEqual(disk[512 + 16:512 + 4096], self.stage2[16:])

    def test_patched_lba_points_at_the_kernel(self):
        disk = self.build_full()
        lba, sectors = struct.unpack_from("<II", disk, 512 + 8)
        self.assertEqual(sectors, (len(self.kernel) + 511) // 512)
        self.assertEqual(disk[lba * 512:lba * 512 + len(self.kernel)],
                         self.kernel)

    def test_volume_is_clean_and_holds_the_files(self):
        disk = self.build_full()
        _, _, part = self.partition(disk)
        vol = self.path("vol.img")
        with open(vol, "wb") as f:
            f.write(part)
        r = tool("fsck.fat", "-n", vol)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(len(r.stdout.splitlines()), 2, r.stdout)
        listing = tool("mdir", "-/", "-b", "-i", f"{self.out}@@{2048 * 512}",
                       "::").stdout.decode()
        for name in ["::/KERNEL.BIN", "::/bin/tinyllama", "::/stories260K.bin",
                     "::/data/Tokenizer.bin", "::/CMDLINE.TXT"]:
            self.assertIn(name + "\n", listing)

        def mtype(p):
            return tool("mtype", "-i", f"{self.out}@@{2048 * 512}", "::" + p).stdout
        self.assertEqual(mtype("/KERNEL.BIN"), self.kernel)
        self.assertEqual(mtype("/bin/tinyllama"), self.program)
        self.assertEqual(mtype("/stories260K.bin"), self.model)
        self.assertEqual(mtype("/data/Tokenizer.bin"), b"tokens")
        self.assertEqual(mtype("/CMDLINE.TXT").decode(),
                         "/bin/tinyllama\nstories260K.bin\n-n\n16\n-i\n"
                         "Once upon a time\nENV GTS_TIER=O2\n")
        # The BPB knows where the partition starts (hidden sectors).
        self.assertEqual(struct.unpack_from("<I", part, 28)[0], 2048)

    def test_bad_input_fails_with_one_line(self):
        with open(self.path("big2.bin"), "wb") as f:
            f.write(b"\0\0\0\0GTS2" + bytes(2048 * 512))
        with open(self.path("nomagic.bin"), "wb") as f:
            f.write(bytes(4096))
        with open(self.path("mbr-table.bin"), "wb") as f:
            f.write(bytes(446) + b"\1" + bytes(65))
        with open(self.path("empty"), "wb"):
            pass
        cases = [
            ({"--kernel": self.path("missing")}, [], "cannot read kernel"),
            ({"--kernel": self.path("empty")}, [], "kernel file is empty"),
            ({"--stage2": self.path("big2.bin")}, [], "does not fit"),
            ({"--stage2": self.path("nomagic.bin")}, [], "GTS2"),
            ({"--stage1": self.path("kernel.bin")}, [], "more than one sector"),
            ({"--stage1": self.path("mbr-table.bin")}, [], "partition table"),
            ({"--size": "8"}, [], "too small"),
            ({}, ["--file", self.path("nope")], "no such file"),
            ({}, ["--file", self.path("tok.bin"), "--file",
                  self.path("tok.bin") + ":/TOK.BIN"], "two files"),
            ({}, ["--program", self.path("tinyllama"), "--args", "'ENV X=1'"],
             "ENV line"),
            ({}, ["--program", self.path("tinyllama"), "--env", "NOVALUE"],
             "NAME=VALUE"),
            ({}, ["--args", "x"], "need --program"),
            ({}, ["--file", self.path("tok.bin") + ":/../x"], "bad destination"),
        ]
        for overrides, extra, message in cases:
            r = self.mkimage(*extra, **overrides)
            self.assertEqual(r.returncode, 1, (overrides, extra, r.stderr))
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertIn(message, r.stderr)
            self.assertFalse(os.path.exists(self.out))

    def test_fragmented_kernel_is_refused(self):
        part = self.path("frag.img")
        self.assertEqual(tool("mkfs.fat", "-F", "16", "-C", part, "20000")
                         .returncode, 0)
        with open(self.path("small"), "wb") as f:
            f.write(bytes(5000))
        tool("mcopy", "-i", part, self.path("small"), "::/A")
        tool("mcopy", "-i", part, self.path("small"), "::/B")
        tool("mdel", "-i", part, "::/A")
        tool("mcopy", "-i", part, self.path("kernel.bin"), "::/KERNEL.BIN")
        with open(part, "rb") as f:
            with self.assertRaisesRegex(mkimage.ImageError, "not contiguous"):
                mkimage.locate_contiguous(f, 0, "KERNEL.BIN")
            with self.assertRaisesRegex(mkimage.ImageError, "not found"):
                mkimage.locate_contiguous(f, 0, "OTHER.BIN")
            with self.assertRaisesRegex(mkimage.ImageError, "boot sector"):
                mkimage.locate_contiguous(f, 512, "KERNEL.BIN")


if __name__ == "__main__":
    unittest.main()
