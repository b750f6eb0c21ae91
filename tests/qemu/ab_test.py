#!/usr/bin/env python3
"""The kernel's A/B boot chain in QEMU (docs/KERNEL.md "A/B boot").

Each mode builds an image with image/mkimage.py whose /CMDLINE.TXT runs the
previous configuration (hello at /apps/hello with status 5, or the native
TinyLlama) and whose /CMDLINE.NEW runs a trial (progs/abtrial.c), boots it
several times with scripts/qemu-run.sh and checks, after every boot, the
exit status, the console, the chain's files (mtools) and fsck.fat -n.

good       the trial reaches main: boot 1 makes it the default, boot 2 runs
           it as the default
fail       --how truncated|fault|exit|garbage: boot 1 fails the trial
           (status 123, the reason on the console and in /BOOT.TRY), boot 2
           falls back to hello and says why, /CMDLINE.BAD keeps the trial,
           boot 3 boots hello without a word about the chain
tamper     the trial tries to change the fallback's files before main: all
           refused, the fallback program intact
tinyllama  the previous configuration is the native TinyLlama: after a
           trial that faults at start, the fallback boot gives the golden
           tokens (--case)
powercut   --trials N: QEMU killed at a seeded random instant of a trial
           that never reaches main; the next boot falls back with "no
           result recorded (power lost or hung)"

Prints one line per failed check; exit status 1 if any, 2 on bad usage.
"""
import argparse
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "boot1"))
from qemu_test import fsck_partition, partition_offset  # noqa: E402

STATUS_TRIAL_FAILED = 123  # drivers::StatusTrialFailed
HELLO_STATUS = 5
HELLO_LINE = "hello from gts user space: argc=2 argv[0]=/apps/hello"
TRYING = "boot: trying the new configuration /CMDLINE.NEW (%s)"
CONFIRMED = "boot: the new configuration reached main; it is now the default"
FAILED = ("boot: the new configuration failed: %s; the next boot falls back "
          "to /CMDLINE.TXT")
FALLBACK = ("boot: falling back to /CMDLINE.TXT: the new configuration "
            "failed on the previous boot: %s")
NO_RESULT = "no result recorded (power lost or hung)"
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


class Image:
    """A disk image in a work directory, built by mkimage.py."""

    def __init__(self, a, work, program, args, files=(), new=None, size=32):
        self.path = os.path.join(work, "disk.img")
        cmd = [sys.executable, os.path.join(ROOT, "image", "mkimage.py"),
               "--stage1", a.stage1, "--stage2", a.stage2, "--kernel",
               a.kernel, "--program", program, "--args", shlex.join(args),
               "--size", str(size), "--out", self.path]
        for f in files:
            cmd += ["--file", f]
        if new is not None:
            src = os.path.join(work, "cmdline.new")
            with open(src, "wb") as f:
                f.write(new)
            cmd += ["--file", src + ":/CMDLINE.NEW"]
        subprocess.run(cmd, check=True)
        self.work = work
        self.vol = "%s@@%d" % (self.path, partition_offset(self.path)[0])
        self.boots = 0

    def clone(self, work):
        """A copy of the image in the directory work, not booted yet."""
        other = Image.__new__(Image)
        other.path = os.path.join(work, "disk.img")
        shutil.copyfile(self.path, other.path)
        other.work, other.vol, other.boots = work, self.vol.replace(
            self.path, other.path), 0
        return other

    def read(self, path):
        """The file's bytes, or None if it is not on the volume."""
        dest = os.path.join(self.work, "read.tmp")
        r = subprocess.run(["mcopy", "-n", "-i", self.vol, "::" + path, dest],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=MTOOLS_ENV)
        if r.returncode != 0:
            return None
        with open(dest, "rb") as f:
            data = f.read()
        os.remove(dest)
        return data

    def fsck(self, strict=True):
        """fsck.fat -n: clean (and, if strict, not even marked dirty)."""
        status, out = fsck_partition(self.path, os.path.join(self.work, "part"))
        ok = status == 0 and (not strict or out.count("\n") == 2)
        check(ok, "boot %d: fsck.fat -n is not clean:\n%s" % (self.boots, out))
        return ok

    def boot(self, status, expect=(), forbid=(), timeout=240):
        """Boots once to the end; checks status and console; returns it."""
        self.boots += 1
        log = self.path + ".log"
        r = subprocess.run(
            [os.path.join(ROOT, "scripts", "qemu-run.sh"), self.path,
             str(timeout)], env=dict(os.environ, GTS_QEMU_LOG=log),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace")
        print("--- boot %d ---\n%s" % (self.boots, out))
        check(r.returncode == status, "boot %d: exit status %d, expected %d"
              % (self.boots, r.returncode, status))
        for s in expect:
            check(s in out, "boot %d: console lacks %r" % (self.boots, s))
        for s in forbid:
            check(s not in out, "boot %d: console has %r" % (self.boots, s))
        self.fsck()
        return r.stdout

    def expect_file(self, path, want):
        got = self.read(path)
        if want is None:
            check(got is None, "boot %d: %s is still on the volume"
                  % (self.boots, path))
        else:
            check(got == want, "boot %d: %s holds %r, expected %r"
                  % (self.boots, path, got, want))


def hello_image(a, work, new, files=()):
    return Image(a, work, a.hello + ":/apps/hello", [str(HELLO_STATUS)],
                 [a.abtrial + ":/abtrial", *files], new)


def expect_fallback(img, txt, new, reason, status=HELLO_STATUS,
                    expect=(HELLO_LINE,)):
    """The boot after a failed trial: fallback line, then the old program."""
    out = img.boot(status, [FALLBACK % reason, *expect],
                   ["boot: trying", CONFIRMED])
    img.expect_file("/CMDLINE.TXT", txt)
    img.expect_file("/CMDLINE.BAD", new)
    img.expect_file("/CMDLINE.NEW", None)
    img.expect_file("/BOOT.TRY", None)
    return out


def good(a, work):
    new = b"/abtrial\nconfirm\n9\n"
    img = hello_image(a, work, new)
    img.boot(9, [TRYING % "/abtrial", CONFIRMED,
                 "abtrial: main reached: syscall 1000 returned 0, then 0"],
             [HELLO_LINE, "falling back"])
    img.expect_file("/CMDLINE.TXT", new)
    img.expect_file("/CMDLINE.NEW", None)
    img.expect_file("/BOOT.TRY", None)
    img.boot(9, ["abtrial: main reached: syscall 1000 returned 0, then 0"],
             ["boot: trying", CONFIRMED, "falling back"])
    img.expect_file("/CMDLINE.TXT", new)


def truncated_copy(src, work):
    with open(src, "rb") as f:
        data = f.read()
    path = os.path.join(work, "abtrial.cut")
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])
    return path


FAILURES = {
    # how: (CMDLINE.NEW, the reason, a trying line)
    "truncated": (b"/abtrial\nconfirm\n9\n",
                  "/abtrial: segment extends past the end of the file", True),
    "fault": (b"/abtrial\nfault\n9\n", "killed by a page fault before main",
              True),
    "exit": (b"/abtrial\nexit\n3\n", "exited with status 3 before main", True),
    "garbage": (b"\xde\xad\xbe\xef\n\nENV =\n",
                "/CMDLINE.NEW: ENV line without NAME=VALUE", False),
}


def fail(a, work):
    new, reason, trying = FAILURES[a.how]
    if a.how == "truncated":
        img = Image(a, work, a.hello + ":/apps/hello", [str(HELLO_STATUS)],
                    [truncated_copy(a.abtrial, work) + ":/abtrial"], new)
    else:
        img = hello_image(a, work, new)
    txt = img.read("/CMDLINE.TXT")
    img.boot(STATUS_TRIAL_FAILED,
             [FAILED % reason] + ([TRYING % "/abtrial"] if trying else []),
             [CONFIRMED, HELLO_LINE, "abtrial: main reached"])
    img.expect_file("/BOOT.TRY", reason.encode() + b"\n")
    img.expect_file("/CMDLINE.NEW", new)
    img.expect_file("/CMDLINE.TXT", txt)
    expect_fallback(img, txt, new, reason)
    img.boot(HELLO_STATUS, [HELLO_LINE], ["boot: "])


def tamper(a, work):
    new = b"/abtrial\ntamper\n0\n/apps/hello\n/apps\n"
    img = hello_image(a, work, new)
    img.boot(0, [TRYING % "/abtrial", CONFIRMED,
                 "abtrial: tamper: every change refused"], ["FAILED"])
    with open(a.hello, "rb") as f:
        img.expect_file("/apps/hello", f.read())
    img.expect_file("/CMDLINE.TXT", new)
    img.expect_file("/BOOT.TRY", None)


def tinyllama(a, work):
    from boot1_test import compare_golden
    with open(a.case + ".args") as f:
        case_args = shlex.split(f.read())
    args = ["/stories260K.bin", *case_args, "-z", "/tok512.bin", "-v"]
    models = [os.path.join(a.models, m) + ":/" + m
              for m in ("stories260K.bin", "tok512.bin")]
    new = b"/abtrial\nfault\n0\n"
    img = Image(a, work, a.tinyllama + ":/tinyllama", args,
                [a.abtrial + ":/abtrial", *models], new)
    txt = img.read("/CMDLINE.TXT")
    reason = "killed by a page fault before main"
    img.boot(STATUS_TRIAL_FAILED, [TRYING % "/abtrial", FAILED % reason],
             ["achieved tok/s"])
    out = expect_fallback(img, txt, new, reason, 0, ["achieved tok/s"])
    golden = compare_golden(out, a.case,
                            os.path.join(a.models, "tok512.bin"))
    for f in golden:
        check(False, "fallback boot: " + f)
    if not golden:
        print("ab_test: the fallback boot gave the golden tokens of "
              + os.path.basename(a.case))


def powercut(a, work):
    from powercut import Boot
    new = b"/abtrial\nhang\n0\n"
    base = hello_image(a, work, new)
    trying = re.compile(re.escape(TRYING % "/abtrial"))
    for i in range(a.trials):
        seed = "%s-%d" % (a.seed, i)
        delay = random.Random(seed).uniform(0, 2.0)
        trial_dir = os.path.join(work, "trial%d" % i)
        os.mkdir(trial_dir)
        img = base.clone(trial_dir)
        img.boots = 1
        boot = Boot(img.path, 240, img.path + ".log")
        status, at = boot.run_until(delay, trying, limit=200)
        text = boot.text()
        print("--- trial %d (seed %s): killed %.2f s after the trying line "
              "(%.2f s into the boot) ---\n%s" % (i, seed, delay, at, text))
        check(status is None and trying.search(text),
              "trial %d: the trial boot was not cut during the trial "
              "(status %s)" % (i, status))
        check("abtrial: main reached" not in text,
              "trial %d: the trial reached main" % i)
        # BOOT.TRY was synced before the trial started: nothing is in flight.
        img.fsck(strict=False)
        expect_fallback(img, base.read("/CMDLINE.TXT"), new, NO_RESULT)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["good", "fail", "tamper", "tinyllama",
                                     "powercut"])
    for req in ("stage1", "stage2", "kernel", "hello", "abtrial"):
        ap.add_argument("--" + req, required=True)
    ap.add_argument("--how", choices=sorted(FAILURES))
    ap.add_argument("--tinyllama", help="static native TinyLlama")
    ap.add_argument("--models", help="directory of stories260K.bin, tok512.bin")
    ap.add_argument("--case", help="golden case path without extension")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--seed", default="1")
    a = ap.parse_args()
    if a.mode == "fail" and not a.how:
        ap.error("fail needs --how")
    if a.mode == "tinyllama" and not (a.tinyllama and a.models and a.case):
        ap.error("tinyllama needs --tinyllama, --models and --case")
    for tool in ("qemu-system-x86_64", "fsck.fat", "mcopy"):
        if not shutil.which(tool):
            print("ab_test: FAIL: %s is required" % tool)
            return 1
    work = tempfile.mkdtemp(prefix="gts-ab-")
    try:
        globals()[a.mode](a, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("ab_test: FAIL: " + f)
    if not failures:
        print("ab_test: %s: all checks passed" % a.mode)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
