#!/usr/bin/env python3
"""Two builds of gts side by side: did a change make TinyLlama start faster?

Runs the native build, then, interleaved, a base gts (--base, e.g. a
worktree of an earlier commit) and the gts of --build, on the 15M-shaped
checkpoint (greedy, --steps tokens): cold (`gts run`, tiered, no snapshot)
and warm (boots 1..--boots of `gts run --state` in a fresh directory per
repetition, each binary its own). Prints medians of --repeats: whole
process, time to first token (first byte on stdout) and their ratios to
native. Every run's output is checked against the native build's.

  bench/compare_builds.py --base ../base/build/engine/gts [--build build]
                          [--repeats 5] [--boots 5] [--steps 256] [--busy]
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "apps", "tinyllama", "models")


def checked(cmd, want):
    r = measure.run(cmd)
    if r.rc != 0 or (want is not None and r.out != want):
        sys.exit(f"compare_builds: exit {r.rc} or output differs from "
                 f"native: {' '.join(cmd)}")
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", required=True, help="the base gts binary")
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--boots", type=int, default=5)
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--busy", action="store_true",
                    help="keep the second core busy while measuring")
    args = ap.parse_args()
    app = os.path.join(args.build, "apps", "tinyllama")
    bc = os.path.join(app, "tinyllama.bc")
    margs = [os.path.join(app, "models", "stories15M_shape.bin"), "-z",
             os.path.join(MODELS, "tokenizer.bin"), "-t", "0", "-n",
             str(args.steps), "-i", "Once upon a time"]
    builds = {"base": args.base,
              "this": os.path.join(args.build, "engine", "gts")}
    native = [os.path.join(app, "tinyllama")] + margs
    rows = {"native": []}
    for name in builds:
        rows[f"{name} cold"] = []
        for b in range(1, args.boots + 1):
            rows[f"{name} boot {b}"] = []
    with measure.busy_core(args.busy):
        want = checked(native, None).out
        for rep in range(args.repeats):
            rows["native"].append(checked(native, want))
            for name, gts in builds.items():
                rows[f"{name} cold"].append(
                    checked([gts, "run", bc, "--"] + margs, want))
                state = tempfile.mkdtemp(prefix="gts-compare-")
                for b in range(1, args.boots + 1):
                    cmd = [gts, "run", "--state", state, bc, "--"] + margs
                    rows[f"{name} boot {b}"].append(checked(cmd, want))
                shutil.rmtree(state)
            print(f"repeat {rep + 1} of {args.repeats} done", file=sys.stderr)
    med = {k: (statistics.median(r.wall for r in v),
               statistics.median(r.first for r in v)) for k, v in rows.items()}
    nw, nf = med["native"]
    print(f"TinyLlama 15M-shaped, {args.steps} tokens, greedy; medians of "
          f"{args.repeats}" + (", second core busy" if args.busy else ""))
    print(f"base = {args.base}")
    print()
    print("| run | whole process s | vs native | first token ms | vs native |")
    print("|---|---|---|---|---|")
    for k, (w, f) in med.items():
        print(f"| {k} | {w:.3f} | {w / nw:.2f}x | {f * 1000:.1f} | "
              f"{f / nf:.2f}x |")


if __name__ == "__main__":
    main()
