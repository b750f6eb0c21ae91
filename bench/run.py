#!/usr/bin/env python3
"""C programs through the engine, side by side with native code and lli.

For every program in bench/progs (our own, each 0.1-0.6 s natively): clang-19
-O3 native, the tiered default `gts run`, `gts run --tier=interp`,
`gts run --tier=O3`, lli-19 (ORC JIT) and clang-19 -O0 native; --all-tiers
adds the other pinned tiers. The bitcode is `-O0 -Xclang -disable-O0-optnone`
(what apps ship). Each configuration runs --runs times, cold (a new process
each time); the tables give the median whole-process wall time
(time.perf_counter) and CPU time (the child's rusage: a tiered run pays for
its compile thread), and their ratio to native -O3 with geometric means.
Every run's stdout and exit status must equal the native run's.
--loaded keeps the second core busy (a spinning process) while measuring.

  bench/run.py --gts build/engine/gts [--runs 5] [--only a,b] [--loaded]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402


def build(prog, work):
    src = os.path.join(HERE, "progs", prog + ".c")
    out = {}
    for name, flags in (("O3", ["-O3"]), ("O0", ["-O0"])):
        out[name] = os.path.join(work, f"{prog}.{name}")
        subprocess.run(["clang-19", "-w"] + flags + [src, "-o", out[name],
                                                     "-lm"], check=True)
    out["bc"] = os.path.join(work, prog + ".bc")
    subprocess.run(["clang-19", "-w", "-O0", "-Xclang", "-disable-O0-optnone",
                    "-emit-llvm", "-c", src, "-o", out["bc"]], check=True)
    return out


def configs(gts, b, all_tiers):
    yield "native -O3", [b["O3"]]
    yield "gts (tiered)", [gts, "run", b["bc"]]
    yield "gts interp", [gts, "run", b["bc"], "--tier=interp"]
    for t in (["O0", "O1", "O2"] if all_tiers else []):
        yield "gts " + t, [gts, "run", b["bc"], "--tier=" + t]
    yield "gts O3", [gts, "run", b["bc"], "--tier=O3"]
    yield "lli-19", ["lli-19", b["bc"]]
    yield "native -O0", [b["O0"]]


def table(title, progs, names, results, key):
    print()
    print(title)
    print()
    print("| program | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for p in progs:
        base = results[(p, names[0])][key]
        cells = [f"{results[(p, n)][key]:.3f} s "
                 f"({results[(p, n)][key] / base:.2f}x)" for n in names]
        print(f"| {p} | " + " | ".join(cells) + " |")
    geo = [measure.geomean([results[(p, n)][key] / results[(p, names[0])][key]
                            for p in progs]) for n in names]
    worst = [max(results[(p, n)][key] / results[(p, names[0])][key]
                 for p in progs) for n in names]
    print("| geomean | " + " | ".join(f"{g:.2f}x" for g in geo) + " |")
    print("| worst | " + " | ".join(f"{w:.2f}x" for w in worst) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--gts", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--skip", default="", help="configurations to leave out")
    ap.add_argument("--all-tiers", action="store_true")
    ap.add_argument("--loaded", action="store_true",
                    help="keep the second core busy while measuring")
    ap.add_argument("--work", default="/tmp/gts-bench")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    progs = sorted(p[:-2] for p in os.listdir(os.path.join(HERE, "progs"))
                   if p.endswith(".c"))
    if args.only:
        progs = [p for p in progs if p in args.only.split(",")]
    skip = set(filter(None, args.skip.split(",")))
    results, names = {}, []
    with measure.busy_core(args.loaded):
        for prog in progs:
            b = build(prog, args.work)
            ref = None
            for name, cmd in configs(args.gts, b, args.all_tiers):
                if name in skip:
                    continue
                if name not in names:
                    names.append(name)

                def check(r):
                    nonlocal ref
                    ref = ref or (r.out, r.rc)  # the first native run
                    if (r.out, r.rc) != ref:
                        sys.exit(f"{prog}: {name}: output or exit status "
                                 f"{r.rc} differs from native: {' '.join(cmd)}")
                med, _ = measure.median_of(cmd, args.runs, check)
                results[(prog, name)] = med
                print(f"{prog:10} {name:13} wall {med['wall']:7.3f} s  "
                      f"cpu {med['cpu']:7.3f} s", file=sys.stderr, flush=True)
    where = "second core busy" if args.loaded else "no load added"
    table(f"Whole-process wall time, median of {args.runs}, {where}", progs,
          names, results, "wall")
    table(f"CPU time (user + system, all threads), median of {args.runs}, "
          f"{where}", progs, names, results, "cpu")


if __name__ == "__main__":
    main()
