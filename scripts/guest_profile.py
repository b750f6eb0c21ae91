#!/usr/bin/env python3
"""Symbolizes the kernel sampler's `profile:` lines (ENV GTS_KERNEL_PROFILE
in /CMDLINE.TXT, kernel/sched/sampler.h) from a console log: a table of the
functions where the samples fell, per time window if asked.

  scripts/guest_profile.py LOG --gts build/engine/gts \
      --kernel build/kernel/kernel.elf [--from MS] [--to MS] [--top N]

Times are ms since the program started. Addresses outside both ELF files
are JIT code (`[jit]`)."""
import argparse
import collections
import re
import subprocess
import sys

SAMPLE = re.compile(r"^profile: (\d+\.\d+) (\d) ([0-9a-f]+)$")


def samples(log, lo, hi):
    with open(log, "rb") as f:
        for raw in f:
            m = SAMPLE.match(raw.decode(errors="replace").strip())
            if m and lo <= float(m.group(1)) < hi:
                yield int(m.group(2)), int(m.group(3), 16)


def text_range(elf):
    """(lowest, highest) address of the ELF's executable sections."""
    out = subprocess.run(["readelf", "-SW", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    lo, hi = None, None
    for line in out.splitlines():
        m = re.search(r"\]\s+\S+\s+\S+\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+) "
                      r"\S+ +(\S+)", line)
        if m and "X" in m.group(3):
            a, n = int(m.group(1), 16), int(m.group(2), 16)
            lo = a if lo is None else min(lo, a)
            hi = a + n if hi is None else max(hi, a + n)
    return lo or 0, hi or 0


def symbolize(elf, addrs):
    if not addrs:
        return {}
    r = subprocess.run(["llvm-symbolizer-19", "--obj=" + elf, "--functions",
                        "--demangle", "--no-inlines"] +
                       ["0x%x" % a for a in addrs], check=True,
                       stdout=subprocess.PIPE, text=True)
    names = [b.split("\n")[0] for b in r.stdout.strip().split("\n\n")]
    return dict(zip(addrs, names))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("log")
    p.add_argument("--gts", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--from", dest="lo", type=float, default=0)
    p.add_argument("--to", dest="hi", type=float, default=float("inf"))
    p.add_argument("--top", type=int, default=30)
    a = p.parse_args()
    got = list(samples(a.log, a.lo, a.hi))
    if not got:
        sys.exit("guest_profile: no profile: lines in %s in that window"
                 % a.log)
    user = text_range(a.gts)
    addrs = {0: sorted({r for ring, r in got if ring == 0}),
             3: sorted({r for ring, r in got if ring == 3 and
                        user[0] <= r < user[1]})}
    names = {0: symbolize(a.kernel, addrs[0]), 3: symbolize(a.gts, addrs[3])}
    counts = collections.Counter()
    for ring, rip in got:
        name = names[ring].get(rip, "[jit]")
        counts[("kernel: " if ring == 0 else "") + name] += 1
    print("%d samples between %s and %s ms" % (len(got), a.lo, a.hi))
    print("%7s  %6s  %s" % ("samples", "share", "function"))
    for name, n in counts.most_common(a.top):
        print("%7d  %5.1f%%  %s" % (n, 100.0 * n / len(got), name[:110]))


if __name__ == "__main__":
    main()
