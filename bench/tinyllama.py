#!/usr/bin/env python3
"""TinyLlama throughput through the engine, side by side with native code.

Tokens/s (the app's own report, median of --runs) for stories260K and the
generated stories15M-shaped checkpoint: clang -O3 native, gts pinned to each
tier, and the tiered run. Then, from one tiered run's profile, how many runs
the seed's call-count thresholds need before the hot functions reach O3.

  bench/tinyllama.py --build build [--runs 3] [--steps 256]
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

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "apps", "tinyllama", "models")
HOT = ["matmul", "attention", "rmsnorm", "softmax", "forward"]


def tok_per_s(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    m = re.search(r"achieved tok/s: ([0-9.]+)", out.stderr)
    if not m:
        sys.exit("no tok/s in: " + " ".join(cmd))
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=256)
    args = ap.parse_args()
    app = os.path.join(args.build, "apps", "tinyllama")
    gts = os.path.join(args.build, "engine", "gts")
    bc = os.path.join(app, "tinyllama.bc")
    models = {
        "stories260K": [os.path.join(MODELS, "stories260K.bin"), "-z",
                        os.path.join(MODELS, "tok512.bin")],
        "15M-shaped": [os.path.join(app, "models", "stories15M_shape.bin"),
                       "-z", os.path.join(MODELS, "tokenizer.bin")],
    }
    flags = ["-t", "0", "-n", str(args.steps), "-i", "Once upon a time"]
    configs = [("native -O3", [os.path.join(app, "tinyllama")])]
    configs += [(f"gts {t}", [gts, "run", bc, f"--tier={t}", "--"])
                for t in ["interp", "O0", "O1", "O2", "O3"]]
    configs += [("gts tiered", [gts, "run", bc, "--"]),
                ("gts tiered sync", [gts, "run", bc, "--sync-compile", "--"])]
    print("| model | " + " | ".join(n for n, _ in configs) + " |")
    print("|---|" + "---|" * len(configs))
    for model, margs in models.items():
        cells = []
        base = None
        for name, cmd in configs:
            runs = args.runs if name != "gts interp" or model == "stories260K" else 1
            v = statistics.median(tok_per_s(cmd + margs + flags)
                                  for _ in range(runs))
            base = base or v
            cells.append(f"{v:.1f} ({v / base:.2f}x)")
            print(f"{model} {name}: {v:.1f} tok/s", file=sys.stderr)
        print(f"| {model} | " + " | ".join(cells) + " |")

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
