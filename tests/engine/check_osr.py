#!/usr/bin/env python3
"""check_osr.py GTS APP.bc LOOP: the outlined loop LOOP (main.loop: a loop
of main; main.loop.loop: a loop inside it), entered once per activation of
what holds it, moves from the interpreter to O0 code while it runs, and from
there to O3 code (stats show both tier-ups), and the whole run stays within
3x of the all-O3 run (CPU time, best of 3)."""
import os
import re
import subprocess
import sys

gts, bc, loop = sys.argv[1], sys.argv[2], sys.argv[3]


def cpu_time(args):
    before = os.times()
    out = subprocess.run([gts, "run", bc] + args, capture_output=True, text=True,
                         check=True)
    after = os.times()
    return after.children_user + after.children_system - \
        before.children_user - before.children_system, out


o3 = min(cpu_time(["--tier=O3"])[0] for _ in range(3))
runs = [cpu_time(["--sync-compile", "--stats"]) for _ in range(3)]
tiered = min(t for t, _ in runs)
out = runs[0][1]
assert out.stdout == subprocess.run([gts, "run", bc, "--tier=O3"],
                                    capture_output=True, text=True).stdout
row = next(l for l in out.stderr.splitlines() if l.startswith(loop + " "))
print(row)
assert re.search(r" O3 +O0@1 O3@\d+$", row), "the loop did not climb O0 > O3"
print(f"tiered {tiered:.3f}s, all-O3 {o3:.3f}s, ratio {tiered / o3:.2f}")
assert tiered <= 3 * o3, "tiered run slower than 3x all-O3"
