#!/usr/bin/env python3
"""Where a cold start's first token waits: the tier changes of TinyLlama's
first token (15M-shaped checkpoint, cold, no snapshot, tiered) from
`gts run --trace-tiers`, medians over --runs.

For each tier change: when the engine asked for the code, how long the
request waited in the compile queue, how long it compiled, and when the
code took over (ms since the engine started, as --trace-tiers prints
them). Then gts's start-up phases before the engine starts (--stats: to
gts's main, reading and preparing the app, setting up the engine) and the
time to the first token (first byte on stdout, since the process started)
of gts and of the native build, measured in the same runs; every run's
output must equal the native build's.

  bench/tier_timeline.py --build build [--runs 9] [--steps 1]
"""
import argparse
import collections
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTUP = re.compile(r"^gts: start-up: ([0-9.]+) ms to gts's main .*, "
                     r"([0-9.]+) ms reading the app, ([0-9.]+) ms setting "
                     r"up the engine; first output at ([0-9.]+) ms$", re.M)
LINE = re.compile(r"^gts: (\S+) -> (\S+) at call \d+ \(([0-9.]+) ms: asked "
                  r"at ([0-9.]+), waited ([0-9.]+), compiled in ([0-9.]+)\)$")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--steps", type=int, default=1)
    a = ap.parse_args()
    app = os.path.join(a.build, "apps", "tinyllama")
    model = measure.tinyllama_15m(a.build, a.steps)
    gts = [os.path.join(a.build, "engine", "gts"), "run",
           os.path.join(app, "tinyllama.bc"), "--trace-tiers", "--stats",
           "--"] + model
    native = [os.path.join(app, "tinyllama")] + model
    changes = collections.defaultdict(list)  # (function, tier) -> rows
    first, nfirst, phases = [], [], []
    for _ in range(a.runs):
        r, n = measure.run(gts), measure.run(native)
        if r.rc != 0 or n.rc != 0 or r.out != n.out:
            sys.exit(f"tier_timeline: exit {r.rc} (native {n.rc}) or output "
                     f"differs from native: {' '.join(gts)}")
        first.append(r.first)
        err = r.err.decode()
        m = STARTUP.search(err)
        if not m:
            sys.exit("tier_timeline: no start-up line from gts --stats")
        phases.append([float(x) for x in m.groups()])
        nfirst.append(n.first)
        for line in err.splitlines():
            m = LINE.match(line)
            if m:
                key = (m.group(1), m.group(2))
                changes[key].append([float(x) for x in m.group(4, 5, 6, 3)])
    med = statistics.median
    print(f"TinyLlama 15M-shaped, cold, tiered, -n {a.steps}: medians of "
          f"{a.runs} runs (a change seen in fewer runs says in how many).\n")
    print("| function | tier | asked ms | waited ms | compiled ms | "
          "in use at ms |")
    print("|---|---|---|---|---|---|")
    # In the order the code took over.
    for key in sorted(changes, key=lambda k: med(r[3] for r in changes[k])):
        rows = changes[key]
        seen = "" if len(rows) == a.runs else f" ({len(rows)} runs)"
        cols = " | ".join(f"{med(r[i] for r in rows):.1f}" for i in range(4))
        print(f"| {key[0]}{seen} | {key[1]} | {cols} |")
    p = [med(x[i] for x in phases) for i in range(4)]
    print(f"\ngts's start-up (--stats, ms since the process started): "
          f"{p[0]:.1f} ms to gts's main, {p[1]:.1f} ms reading and preparing "
          f"the app, {p[2]:.1f} ms setting up the engine. The times above "
          f"count from {p[0] + p[1]:.1f} ms (the engine's clock starts once "
          f"the app is read); the app's main starts at "
          f"{p[0] + p[1] + p[2]:.1f} ms; its first output at {p[3]:.1f} ms.")
    f, nf = med(first) * 1000, med(nfirst) * 1000
    print(f"\nFirst token (since the process started): gts {f:.0f} ms, "
          f"native {nf:.0f} ms ({f / nf:.2f}x).")


if __name__ == "__main__":
    main()
