#!/usr/bin/env python3
"""Every run's time to the first token, native and cold tiered `gts run`,
paired (native then gts, --runs times), TinyLlama on the 15M-shaped
checkpoint: the spread of single cold starts, which a median hides. Every
run's output must equal the native build's of the same pair. With --gts
(repeatable), each run also starts those gts builds, in turn after the
default one: builds compared under the same conditions.

With --loaded, a spinning process keeps the second core busy throughout.

  bench/first_token.py --build build [--runs 7] [--steps 8] [--gts PATH]...
                       [--loaded]
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(os.path.dirname(REPO), "shared", "models")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--gts", action="append", default=[],
                    help="another gts executable to start after the default")
    ap.add_argument("--loaded", action="store_true",
                    help="keep the second core busy while measuring")
    args = ap.parse_args()
    app = os.path.join(args.build, "apps", "tinyllama")
    flags = [os.path.join(app, "models", "stories15M_shape.bin"), "-z",
             os.path.join(MODELS, "tokenizer.bin"), "-t", "0", "-n",
             str(args.steps), "-i", "Once upon a time"]
    cmds = {"native -O3": [os.path.join(app, "tinyllama")] + flags}
    for i, exe in enumerate([os.path.join(args.build, "engine", "gts")]
                            + args.gts):
        name = "gts (tiered, cold)" + (f" {exe}" if i else "")
        cmds[name] = [exe, "run", os.path.join(app, "tinyllama.bc"),
                      "--"] + flags
    firsts = {name: [] for name in cmds}
    with measure.busy_core(args.loaded):
        measure_runs(cmds, firsts, args.runs)
    base = statistics.median(firsts["native -O3"])
    print(f"first token, ms, {args.runs} paired cold runs, "
          f"{args.steps} steps, greedy"
          + (", second core busy" if args.loaded else ""))
    print()
    print("| run | median | vs native | every run |")
    print("|---|---|---|---|")
    for name, ms in firsts.items():
        med = statistics.median(ms)
        print(f"| {name} | {med:.1f} | {med / base:.2f}x | "
              + " ".join(f"{x:.1f}" for x in ms) + " |")


def measure_runs(cmds, firsts, runs):
    for _ in range(runs):
        want = None
        for name, cmd in cmds.items():
            r = measure.run(cmd)
            if r.rc != 0:
                sys.exit(f"exit {r.rc}: {' '.join(cmd)}\n{r.err.decode()}")
            if want is not None and r.out != want:
                sys.exit("output differs from the native build: "
                         + " ".join(cmd))
            want = r.out
            firsts[name].append(r.first * 1000)


if __name__ == "__main__":
    main()
