#!/usr/bin/env python3
"""The whole chain in QEMU (CTest labels qemu, export; docs/EXPORT.md).

One image whose /CMDLINE.TXT runs `gts run /tinyllama.bc --state /state
--export-at-convergence=/NATIVE ... -- CASE -v` is booted again and again:

  1. Boot 1 and warm boots (the engine, /gts) until the engine says
     converged; that boot exports /NATIVE and writes /CMDLINE.NEW;
  2. the trial boot: the kernel runs /NATIVE from /CMDLINE.NEW; the program
     reaches main, so /CMDLINE.NEW becomes /CMDLINE.TXT;
  3. one more boot: /NATIVE is the default.

Every boot: exit status 0, the case's golden token ids and text on the
console, `fsck.fat -n` clean. Prints the bytes the kernel loaded per boot.

--bad-trial: after the export, /NATIVE is damaged on the volume (cut to
100 bytes): the trial boot fails before main (status 123, the console says
so), the next boot falls back to the engine (/CMDLINE.TXT, golden tokens;
the console says why), /CMDLINE.NEW is now /CMDLINE.BAD, and the engine's
next converged boot does not export again.
Prints one line per failed check; exit status 1 if any.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot1"))
from boot1_test import (boot_once, compare_golden, fsck, mcopy_from,  # noqa
                        mcopy_to, mtools)
from qemu_test import partition_offset  # noqa: E402

LOAD = re.compile(r"load: (\S+), (\d+) KiB from disk")
TRIAL_FAILED = 123  # the kernel's status for a failed trial (docs/KERNEL.md)


def volume_file(img, path):
    """Contents of path on img's volume (str), or None if it is absent."""
    off, _ = partition_offset(img)
    r = mtools("mtype", "-i", "%s@@%d" % (img, off), "::" + path)
    return r.stdout.decode(errors="replace") if r.returncode == 0 else None


def boot(img, n, a, program, expect=(), status=0, golden=True):
    """Boots img; (failures, console text, KiB the kernel loaded)."""
    code, out, _ = boot_once(img, a.timeout)
    text = out.decode(errors="replace")
    failures = [] if code == status else [
        "exit status %d, expected %d" % (code, status)]
    load = LOAD.search(text)
    if not load or load.group(1) != program:
        failures.append("the kernel did not load %s (%s)"
                        % (program, load.group(0) if load else "no load line"))
    failures += ["console lacks %r" % e for e in expect if e not in text]
    if golden:
        failures += compare_golden(out, a.case, a.tokenizer)
    failures += fsck(img)
    for line in text.splitlines():
        if re.match(r"(gts: (boot \d+: \d+ functions|exported|wrote|not "
                    r"exporting)|load: |kernel: .*(trial|CMDLINE|main))", line):
            print("  boot %d console: %s" % (n, line))
    kib = int(load.group(2)) if load else None
    return ["boot %d: %s" % (n, f) for f in failures], text, kib


def engine_boots(img, a, rows):
    """Boots the engine until converged; (failures, boots made)."""
    failures = []
    for n in range(1, a.max_boots + 1):
        f, text, kib = boot(img, n, a, "/gts")
        failures += f
        rows.append((n, "/gts", kib))
        if f or "; converged" in text:
            break
        if volume_file(img, "/CMDLINE.NEW") is not None:
            return failures + ["boot %d exported before converging" % n], n
    else:
        return failures + ["not converged in %d boots" % a.max_boots], n
    if failures:
        return failures, n
    for want in ("gts: exported /NATIVE (", "gts: wrote /CMDLINE.NEW: /NATIVE "):
        if want not in text:
            failures.append("boot %d: console lacks %r" % (n, want))
    new = volume_file(img, "/CMDLINE.NEW")
    if new is None or not new.startswith("/NATIVE\n"):
        failures.append("boot %d: /CMDLINE.NEW is %r" % (n, new))
    return failures, n


def good_chain(img, a, rows, n):
    failures = []
    before = volume_file(img, "/CMDLINE.NEW")
    f, _, kib = boot(img, n + 1, a, "/NATIVE", expect=[
        "boot: the new configuration reached main"])
    rows.append((n + 1, "/NATIVE (trial)", kib))
    failures += f
    txt = volume_file(img, "/CMDLINE.TXT")
    if txt != before:
        failures.append("after the trial /CMDLINE.TXT is %r, expected the "
                        "trial's %r" % (txt, before))
    for gone in ("/CMDLINE.NEW", "/CMDLINE.BAD"):
        if volume_file(img, gone) is not None:
            failures.append("after the trial %s exists" % gone)
    f, _, kib = boot(img, n + 2, a, "/NATIVE")
    rows.append((n + 2, "/NATIVE", kib))
    return failures + f


def bad_trial(img, a, rows, n, work):
    local = os.path.join(work, "NATIVE")
    if not mcopy_from(img, "/NATIVE", local):
        return ["no /NATIVE on the volume"]
    with open(local, "r+b") as f:
        f.truncate(100)
    mcopy_to(img, local, "/NATIVE")
    failures = []
    code, out, _ = boot_once(img, a.timeout)
    rows.append((n + 1, "/NATIVE (damaged trial)", None))
    if code != TRIAL_FAILED:
        failures.append("boot %d: the damaged trial exited with status %d, "
                        "expected %d" % (n + 1, code, TRIAL_FAILED))
    if b"boot: the new configuration failed: " not in out:
        failures.append("boot %d: the console does not say the trial failed"
                        % (n + 1))
    failures += ["boot %d: %s" % (n + 1, f) for f in fsck(img)]
    f, text, kib = boot(img, n + 2, a, "/gts",
                        expect=["boot: falling back to /CMDLINE.TXT"])
    rows.append((n + 2, "/gts (fallback)", kib))
    failures += f
    # The engine's next converged boot does not export again.
    for m in range(n + 3, n + 3 + a.max_boots):
        if failures or "; converged" in text:
            break
        f, text, kib = boot(img, m, a, "/gts")
        rows.append((m, "/gts", kib))
        failures += f
    if not failures and "gts: not exporting: /CMDLINE.BAD exists (the last " \
            "trial failed)" not in text:
        failures.append("the converged boot after the fallback lacks the "
                        "'not exporting' line")
    if volume_file(img, "/CMDLINE.NEW") is not None:
        failures.append("/CMDLINE.NEW still exists after the failed trial")
    if volume_file(img, "/CMDLINE.BAD") is None:
        failures.append("no /CMDLINE.BAD after the failed trial")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--max-boots", type=int, default=6)
    ap.add_argument("--bad-trial", action="store_true")
    a = ap.parse_args()
    rows = []
    work = tempfile.mkdtemp(prefix="gts-chain-")
    try:
        img = os.path.join(work, "chain.img")
        shutil.copyfile(a.image, img)
        failures, n = engine_boots(img, a, rows)
        if not failures:
            failures += (bad_trial(img, a, rows, n, work) if a.bad_trial
                         else good_chain(img, a, rows, n))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("boot  program                  KiB loaded")
    for n, program, kib in rows:
        print("%4d  %-24s %s" % (n, program, kib if kib is not None else "-"))
    for f in failures:
        print("chain_test: FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
