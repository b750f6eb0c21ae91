#!/usr/bin/env python3
"""The exported TinyLlama against the project's clang -O3 build.

Profiles TinyLlama with --boots boots of `gts run --state` on the 15M-shaped
checkpoint, exports it (`gts export`), then runs the exported program and
build/apps/tinyllama/tinyllama alternately, --runs times each, on

  stories15M_shape.bin -z tokenizer.bin -t 0 -n 256 -i "Once upon a time"

and reports medians of the whole-process time, of its CPU time (user +
system, which a loaded machine inflates less than wall time) and of the time
to first token (the first byte on stdout; the app flushes after each token).
The outputs must be equal, byte for byte.

  bench/export.py --build build [--runs 7] [--boots 2]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "apps", "tinyllama", "models")


def timed_run(cmd):
    """(s to the first stdout byte, s to exit, CPU s, stdout)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = p.stdout.read(1)
    t_first = time.perf_counter() - start
    rest = p.stdout.read()
    p.stdout.close()
    _, status, usage = os.wait4(p.pid, 0)
    t_total = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if status != 0:
        sys.exit(f"{cmd[0]}: exit status {status}")
    return t_first, t_total, usage.ru_utime + usage.ru_stime, first + rest


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--boots", type=int, default=2)
    ap.add_argument("--steps", type=int, default=256)
    args = ap.parse_args()
    app = os.path.join(args.build, "apps", "tinyllama")
    gts = os.path.join(args.build, "engine", "gts")
    bc = os.path.join(app, "tinyllama.bc")
    model = [os.path.join(app, "models", "stories15M_shape.bin"), "-z",
             os.path.join(MODELS, "tokenizer.bin")]
    flags = ["-t", "0", "-n", str(args.steps), "-i", "Once upon a time"]
    tmp = tempfile.mkdtemp(prefix="gts-export-bench-")
    try:
        state = os.path.join(tmp, "state")
        for _ in range(args.boots):
            subprocess.run([gts, "run", bc, "--state", state, "--", *model,
                            *flags], check=True, capture_output=True)
        exported = os.path.join(tmp, "tinyllama")
        t0 = time.perf_counter()
        p = subprocess.run([gts, "export", bc, "--state", state, "-o",
                            exported], check=True, capture_output=True,
                           text=True)
        export_s = time.perf_counter() - t0
        print(p.stderr.strip(), file=sys.stderr)
        programs = {"clang -O3": os.path.join(app, "tinyllama"),
                    "gts export": exported}
        times = {name: [] for name in programs}
        outputs = {}
        load_before = load_average()
        for _ in range(args.runs):
            for name, prog in programs.items():
                first, total, cpu, out = timed_run([prog, *model, *flags])
                times[name].append((first, total, cpu))
                if outputs.setdefault(name, out) != out:
                    sys.exit(f"{name}: output changed between runs")
        load_after = load_average()
        if outputs["clang -O3"] != outputs["gts export"]:
            sys.exit("FAIL: the exported program's output differs")
        base_first = statistics.median(t[0] for t in times["clang -O3"])
        base_total = statistics.median(t[1] for t in times["clang -O3"])
        base_cpu = statistics.median(t[2] for t in times["clang -O3"])
        print(f"Load average before/after: {load_before} / {load_after}; "
              f"{args.boots} profiling boots; export took {export_s:.1f} s; "
              "outputs equal")
        print()
        print("| program | size (bytes) | whole process (s) | speed-up | "
              "CPU time (s) | speed-up | time to first token (ms) | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        for name, prog in programs.items():
            first = statistics.median(t[0] for t in times[name])
            total = statistics.median(t[1] for t in times[name])
            cpu = statistics.median(t[2] for t in times[name])
            print(f"| {name} | {os.path.getsize(prog)} | {total:.3f} | "
                  f"{base_total / total:.2f}x | {cpu:.3f} | "
                  f"{base_cpu / cpu:.2f}x | {first * 1000:.1f} | "
                  f"{first / base_first:.2f} |")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
