#!/usr/bin/env python3
"""qemu_profile: boots an image whose /CMDLINE.TXT sets
GTS_KERNEL_PROFILE (kernel/sched/sampler.h) and runs a program that spins
in one function; scripts/guest_profile.py must find that function on top.

  profile_test.py --image IMG --program ELF --kernel KERNEL_ELF
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("--kernel", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="gts-profile-")
    try:
        img, log = os.path.join(work, "p.img"), os.path.join(work, "p.log")
        shutil.copyfile(a.image, img)
        boot = subprocess.run([os.path.join(ROOT, "scripts", "qemu-run.sh"),
                               img, "120"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              env=dict(os.environ, GTS_QEMU_LOG=log))
        console = boot.stdout.decode(errors="replace")
        failures = [] if boot.returncode == 0 else [
            "exit status %d" % boot.returncode]
        m = re.search(r"profile: (\d+) samples, 0 dropped", console)
        if "profile: sampling at 1000 Hz" not in console or not m:
            failures.append("no sampler report on the console")
        elif int(m.group(1)) < 100:
            failures.append("only %s samples in a spin of 1.6 s or more at "
                            "1000 Hz" % m.group(1))
        table = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "guest_profile.py"),
             log, "--gts", a.program, "--kernel", a.kernel, "--top", "5"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = table.stdout.decode(errors="replace")
        print(text)
        top = re.search(r"^\s*\d+\s+([\d.]+)%\s+(\S+)", text, re.M)
        if table.returncode != 0 or not top:
            failures.append("guest_profile.py failed (status %d)"
                            % table.returncode)
        elif top.group(2) != "spin_for_profile" or float(top.group(1)) < 50:
            failures.append("top of the profile is %s at %s%%, not "
                            "spin_for_profile above 50%%"
                            % (top.group(2), top.group(1)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("qemu_profile: " + f)
    print("qemu_profile: %s" % ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
