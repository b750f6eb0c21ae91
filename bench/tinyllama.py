#!/usr/bin/env python3
"""TinyLlama through the engine, side by side with native code, measured
as users measure: the whole process.

For stories260K and the generated stories15M-shaped checkpoint: the clang -O3
native build, the tiered default `gts run`, and gts pinned to each tier.
Per configuration, medians of --runs: whole-process wall time
(time.perf_counter), CPU time (the child's rusage: its threads included),
time to first token (the first byte the app writes to stdout: it flushes
every token, and the first comes after one forward pass), and the app's own
`achieved tok/s` (generation only, from the first token on). Every run's
stdout must equal the native build's in the same run, byte for byte.
--loaded keeps the second core busy (a spinning process) while measuring.
Then, from one tiered run's profile, how many runs the seed's call-count
thresholds need before the hot functions reach O3.

  bench/tinyllama.py --build build [--runs 5] [--steps 256] [--loaded]
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "apps", "tinyllama", "models")
HOT = ["matmul", "attention", "rmsnorm", "softmax", "forward"]


def tok_per_s(r, cmd):
    m = re.search(rb"achieved tok/s: ([0-9.]+)", r.err)
    if not m:
        sys.exit("no tok/s in: " + " ".join(cmd))
    return float(m.group(1))


def measure_config(cmd, runs, want):
    walls, cpus, firsts, rates = [], [], [], []
    for _ in range(runs):
        r = measure.run(cmd)
        if r.rc != 0:
            sys.exit(f"exit {r.rc}: {' '.join(cmd)}\n{r.err.decode()}")
        if want is not None and r.out != want:
            sys.exit("output differs from the native build: " + " ".join(cmd))
        walls.append(r.wall)
        cpus.append(r.cpu)
        firsts.append(r.first)
        rates.append(tok_per_s(r, cmd))
    return {k: statistics.median(v) for k, v in
            (("wall", walls), ("cpu", cpus), ("first", firsts),
             ("rate", rates))}, r.out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--gts", help="the gts binary (default: BUILD/engine/gts)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--loaded", action="store_true",
                    help="keep the second core busy while measuring")
    ap.add_argument("--no-calls", action="store_true",
                    help="skip the calls-per-run table")
    args = ap.parse_args()
    app = os.path.join(args.build, "apps", "tinyllama")
    gts = args.gts or os.path.join(args.build, "engine", "gts")
    bc = os.path.join(app, "tinyllama.bc")
    models = {
        "stories260K": [os.path.join(MODELS, "stories260K.bin"), "-z",
                        os.path.join(MODELS, "tok512.bin")],
        "15M-shaped": [os.path.join(app, "models", "stories15M_shape.bin"),
                       "-z", os.path.join(MODELS, "tokenizer.bin")],
    }
    flags = ["-t", "0", "-n", str(args.steps), "-i", "Once upon a time"]
    configs = [("native -O3", [os.path.join(app, "tinyllama")]),
               ("gts (tiered)", [gts, "run", bc, "--"])]
    configs += [(f"gts --tier={t}", [gts, "run", bc, f"--tier={t}", "--"])
                for t in ["interp", "O0", "O1", "O2", "O3"]]
    configs += [("gts --sync-compile", [gts, "run", bc, "--sync-compile",
                                        "--"])]
    print(f"{args.steps} steps, greedy, medians of {args.runs}"
          + (", second core busy" if args.loaded else ", no load added")
          + "; ratios against native in the same run (time: lower is better)")
    with measure.busy_core(args.loaded):
        for model, margs in models.items():
            print()
            print(f"{model}:")
            print()
            print("| run | whole process | vs native | first token | CPU "
                  "| tok/s (after the first) |")
            print("|---|---|---|---|---|---|")
            base = want = None
            for name, cmd in configs:
                slow = name == "gts --tier=interp" and model != "stories260K"
                m, out = measure_config(cmd + margs + flags,
                                        1 if slow else args.runs, want)
                if want is None:
                    want, base = out, m
                print(f"| {name} | {m['wall']:.3f} s | "
                      f"{m['wall'] / base['wall']:.2f}x | "
                      f"{m['first'] * 1000:.1f} ms | {m['cpu']:.3f} s | "
                      f"{m['rate']:.1f} |", flush=True)
    if args.no_calls:
        return

    print()
    print(f"Calls per run ({args.steps} steps, stories260K) and runs needed to "
          "reach O3 at 100,000 calls by call count alone:")
    print()
    print("| function | calls per run | runs to O3 by calls | tier after one run "
          "(with loop tier-up) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        prof = os.path.join(tmp, "p.json")
        subprocess.run([gts, "run", bc, "--sync-compile", "--profile-top-tier",
                        "--loop-threshold=1000000000000", "--profile-out", prof,
                        "--"] + models["stories260K"] + flags,
                       capture_output=True, check=True)
        calls = {f["name"]: f["calls"] for f in json.load(open(prof))["functions"]}
        subprocess.run([gts, "run", bc, "--sync-compile", "--profile-out", prof,
                        "--"] + models["stories260K"] + flags,
                       capture_output=True, check=True)
        tiers = {f["name"]: f["tier"] for f in json.load(open(prof))["functions"]}
    # Outlined loops (name.loop*) are left out: once their caller is compiled
    # they are inlined into it and their own count stops.
    for f in HOT:
        if f in calls:
            c = calls[f]
            need = math.ceil(100000 / c) if c else "never"
            print(f"| {f} | {c} | {need} | {tiers.get(f, '?')} |")


if __name__ == "__main__":
    main()
