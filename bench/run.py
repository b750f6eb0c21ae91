#!/usr/bin/env python3
"""Side-by-side benchmark of the engine's tiers against native code.

For every program in bench/progs: clang -O3 native, lli-19 (ORC JIT), gts
pinned to each tier, and the default tiered run. Each configuration runs
--runs times; the table shows the median CPU time (user + system, of the
process and its threads: a tiered run pays for its compile thread) and its
ratio to native. CPU time rather than wall time: the machine has 2 cores and
other work on them. Every configuration's output must equal the native one.

  bench/run.py --gts build/engine/gts [--runs 5] [--only matmul,fib]
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def build(prog, work):
    src = os.path.join(HERE, "progs", prog + ".c")
    native = os.path.join(work, prog)
    bc = os.path.join(work, prog + ".bc")
    subprocess.run(["clang-19", "-O3", src, "-o", native, "-lm"], check=True)
    subprocess.run(["clang-19", "-O0", "-Xclang", "-disable-O0-optnone",
                    "-emit-llvm", "-c", src, "-o", bc], check=True)
    return native, bc


def configs(gts, native, bc, extra):
    yield "native -O3", [native]
    yield "lli-19", ["lli-19", bc]
    for tier in ["O0", "O1", "O2", "O3"]:
        yield "gts " + tier, [gts, "run", bc, "--tier=" + tier]
    yield "gts O3 host", [gts, "run", bc, "--tier=O3", "--cpu=host"]
    yield "gts interp", [gts, "run", bc, "--tier=interp"]
    yield "gts tiered", [gts, "run", bc]
    for name, cmd in extra:
        yield name, [c.replace("{gts}", gts).replace("{bc}", bc) for c in cmd]


def timed(cmd):
    before = os.times()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    after = os.times()
    cpu = (after.children_user - before.children_user +
           after.children_system - before.children_system)
    return cpu, out.stdout, out.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--gts", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--work", default="/tmp/gts-bench")
    ap.add_argument("--extra", action="append", default=[],
                    help="NAME=CMD with {gts} and {bc} placeholders")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    progs = sorted(p[:-2] for p in os.listdir(os.path.join(HERE, "progs"))
                   if p.endswith(".c"))
    if args.only:
        progs = [p for p in progs if p in args.only.split(",")]
    extra = [(e.split("=", 1)[0], e.split("=", 1)[1].split()) for e in args.extra]
    results = {}
    names = []
    for prog in progs:
        native, bc = build(prog, args.work)
        ref = None
        for name, cmd in configs(args.gts, native, bc, extra):
            if name not in names:
                names.append(name)
            times = []
            for _ in range(args.runs):
                t, out, rc = timed(cmd)
                if ref is None:
                    ref = (out, rc)
                if (out, rc) != ref:
                    sys.exit(f"{prog}: {name} output differs from native")
                times.append(t)
            results[(prog, name)] = statistics.median(times)
            print(f"{prog:8} {name:12} {results[(prog, name)]:8.3f} s",
                  file=sys.stderr)
    print("| program | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for prog in progs:
        base = results[(prog, "native -O3")]
        cells = [f"{results[(prog, n)]:.3f} s ({results[(prog, n)] / base:.2f}x)"
                 for n in names]
        print(f"| {prog} | " + " | ".join(cells) + " |")
    geo = []
    for n in names:
        ratios = [results[(p, n)] / results[(p, "native -O3")] for p in progs]
        geo.append(f"{statistics.geometric_mean(ratios):.2f}x")
    print("| geomean | " + " | ".join(geo) + " |")


if __name__ == "__main__":
    main()
