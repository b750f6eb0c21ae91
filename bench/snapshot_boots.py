#!/usr/bin/env python3
"""Consecutive `gts run --state` boots of TinyLlama against the native build.

Each repetition starts from an empty state folder and runs BOOTS boots; after
each boot the project's clang -O3 build runs the same command (side by side).
Per boot index, medians over the repetitions of: whole-process wall time,
time to the first token (first byte on stdout), tok/s (the app's report),
and from the saved snapshot: compile time, functions per tier, size. Every
run's output must equal the native build's.

  bench/snapshot_boots.py --build build [--boots 10] [--repeats 3]
                          [--steps 256] [--busy]

--busy keeps the second core busy (a spinning process) during the runs.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    """(stdout, stderr, wall s, s to the first byte on stdout)."""
    r = measure.run(cmd)
    if r.rc != 0:
        sys.exit(f"{' '.join(cmd)}: exit {r.rc}\n{r.err.decode()}")
    return r.out.decode(), r.err.decode(), r.wall, r.first


def tok_s(err):
    m = re.search(r"achieved tok/s: ([0-9.]+)", err)
    return float(m.group(1)) if m else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--boots", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--busy", action="store_true")
    a = ap.parse_args()
    app = os.path.join(a.build, "apps", "tinyllama")
    gts = os.path.join(a.build, "engine", "gts")
    bc = os.path.join(app, "tinyllama.bc")
    model = measure.tinyllama_15m(a.build, a.steps)
    native = [os.path.join(app, "tinyllama")] + model
    rows = {n: [] for n in range(1, a.boots + 1)}
    nat = []
    work = tempfile.mkdtemp(prefix="gts-bench-")
    try:
        with measure.busy_core(a.busy):
            for r in range(a.repeats):
                state = os.path.join(work, f"state{r}")
                for n in range(1, a.boots + 1):
                    out, err, wall, first = timed(
                        [gts, "run", bc, "--state", state, "--"] + model)
                    nout, nerr, nwall, nfirst = timed(native)
                    if out != nout:
                        sys.exit(f"boot {n}: output differs from native")
                    snap = os.path.join(state, "boot_%04d.snap" % n)
                    s = json.loads(subprocess.run(
                        [gts, "snapshot", "show", snap, "--json"],
                        capture_output=True, check=True).stdout)
                    b = s["boots"][-1]
                    rows[n].append((wall, first, tok_s(err), b["compile_ms"],
                                    b["functions_per_tier"],
                                    os.path.getsize(snap) / 1024))
                    nat.append((nwall, nfirst, tok_s(nerr)))
                    print(f"repeat {r + 1} boot {n}: {wall:.3f} s, first token "
                          f"{first * 1000:.0f} ms (native {nwall:.3f} s, "
                          f"{nfirst * 1000:.0f} ms)", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = lambda xs: statistics.median(xs)
    nwall = med([x[0] for x in nat])
    nfirst = med([x[1] for x in nat])
    ntok = med([x[2] for x in nat])
    print(f"TinyLlama 15M-shaped, {a.steps} tokens, greedy; medians of "
          f"{a.repeats} repetitions{' (second core busy)' if a.busy else ''}."
          "\nNative = the project's clang -O3 build, run after each boot.\n")
    print("| boot | whole process s | vs native | first token ms | vs native "
          "| tok/s | compile ms | functions per tier (interp/O0/O1/O2/O3) "
          "| snapshot KiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| native | {nwall:.3f} | 1.00x | {nfirst * 1000:.0f} | 1.00x | "
          f"{ntok:.1f} | - | - | - |")
    for n, rs in rows.items():
        wall = med([x[0] for x in rs])
        first = med([x[1] for x in rs])
        tiers = "/".join(str(t) for t in rs[-1][4][:5])
        print(f"| {n} | {wall:.3f} | {wall / nwall:.2f}x | {first * 1000:.0f}"
              f" | {first / nfirst:.2f}x | {med([x[2] for x in rs]):.1f} | "
              f"{med([x[3] for x in rs]):.0f} | {tiers} | "
              f"{med([x[5] for x in rs]):.0f} |")


if __name__ == "__main__":
    main()
