#!/usr/bin/env python3
"""Engine start-up, whole process: an empty `main` and TinyLlama's first
token, for every tier of `gts run` and native code.

Wall time (time.perf_counter) and CPU time (the child's own rusage) of the
whole process, medians of --runs. TinyLlama runs stories260K with -n 1 (one
forward pass: loading the checkpoint and tokenizer, the engine's start-up and
the first token); its output is checked against the native build's.

  bench/startup.py --build build [--runs 11] [--loaded]
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "apps", "tinyllama", "models")
TIERS = [("gts tiered", []), ("gts interp", ["--tier=interp"]),
         ("gts O0", ["--tier=O0"]), ("gts O3", ["--tier=O3"])]


def row(name, cmd, runs, want):
    def check(r):
        if r.rc != 0 or (want is not None and r.out != want):
            sys.exit(f"startup: {name}: exit {r.rc} or output differs from "
                     f"native: {' '.join(cmd)}")
    med, _ = measure.median_of(cmd, runs, check)
    print(f"| {name} | {med['wall'] * 1000:.1f} ms | {med['cpu'] * 1000:.1f} ms |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--loaded", action="store_true",
                    help="keep the second core busy while measuring")
    args = ap.parse_args()
    gts = os.path.join(args.build, "engine", "gts")
    app = os.path.join(args.build, "apps", "tinyllama")
    with tempfile.TemporaryDirectory() as tmp, measure.busy_core(args.loaded):
        src = os.path.join(tmp, "empty.c")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        empty = os.path.join(tmp, "empty")
        bc = empty + ".bc"
        subprocess.run(["clang-19", "-O3", src, "-o", empty], check=True)
        subprocess.run(["clang-19", "-O0", "-Xclang", "-disable-O0-optnone",
                        "-emit-llvm", "-c", src, "-o", bc], check=True)
        print(f"Empty main, median of {args.runs}"
              + (" (second core busy)" if args.loaded else ""))
        print()
        print("| run | wall | CPU |")
        print("|---|---|---|")
        row("native -O3", [empty], args.runs, b"")
        for name, flags in TIERS:
            row(name, [gts, "run", bc] + flags, args.runs, b"")
        print()
        targs = [os.path.join(MODELS, "stories260K.bin"), "-z",
                 os.path.join(MODELS, "tok512.bin"), "-t", "0", "-n", "1"]
        native = [os.path.join(app, "tinyllama")] + targs
        want = measure.run(native).out
        print(f"TinyLlama start-up and first token (stories260K, -n 1), "
              f"median of {args.runs}")
        print()
        print("| run | wall | CPU |")
        print("|---|---|---|")
        row("native -O3", native, args.runs, want)
        tbc = os.path.join(app, "tinyllama.bc")
        for name, flags in TIERS:
            row(name, [gts, "run", tbc] + flags + ["--"] + targs, args.runs,
                want)


if __name__ == "__main__":
    main()
