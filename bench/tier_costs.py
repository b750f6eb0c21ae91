#!/usr/bin/env python3
"""What a tier's code costs to make and what it is worth, on this machine,
with LLVM's own tools: the design space of the engine's tiers.

TinyLlama's C source goes to IR as the engine receives it (clang-19 -O0
without optnone, then mem2reg, as ir/Prepare.cpp does). For each pipeline,
an IR optimization level (opt-19) and code generator options (llc-19: -O0 is
fast instruction selection and register allocation, -optimize-regalloc
swaps the latter for the greedy allocator, as the engine's O0 tier does,
which also skips the machine scheduler there: -enable-misched=false):
- compile cost of one function (--function, default matmul, the loop nest a
  cold start needs first): CPU ms of opt + llc on a module holding the
  function COPIES+1 times, minus the same with it once, divided by COPIES
  (the cost of one more such function, without the tools' own start-up);
- compile cost of the whole app: CPU ms of opt + llc on it (the tools'
  start-up included, the same in every row);
- speed of its code: the whole app built with that pipeline, `achieved
  tok/s` over --steps tokens of the 15M-shaped checkpoint (its output must
  equal the clang -O3 build's).
Medians over --runs.

  bench/tier_costs.py --build build [--function matmul] [--copies 20]
                      [--runs 5] [--steps 256]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(REPO, "apps", "tinyllama", "tinyllama.c")
# (row, opt-19 arguments, llc-19 arguments)
PIPELINES = [
    ("O0 tier to round 7: mem2reg IR, fast code generator", ["-passes=mem2reg"],
     ["-O0"]),
    ("O0 tier in round 8: mem2reg IR, llc -O0 -optimize-regalloc",
     ["-passes=mem2reg"], ["-O0", "-optimize-regalloc"]),
    ("O0 tier: the same without the machine scheduler", ["-passes=mem2reg"],
     ["-O0", "-optimize-regalloc", "-enable-misched=false"]),
    ("O0 tier: the same with the basic allocator", ["-passes=mem2reg"],
     ["-O0", "-optimize-regalloc", "-enable-misched=false",
      "-regalloc=basic"]),
    ("opt -O1, fast code generator", ["-O1"], ["-O0"]),
    ("opt -O3, fast code generator", ["-O3"], ["-O0"]),
    ("O1 tier: opt -O1, llc -O1", ["-O1"], ["-O1"]),
    ("O3 tier: opt -O3, llc -O3", ["-O3"], ["-O3"]),
]


def check(cmd):
    r = measure.run(cmd)
    if r.rc != 0:
        sys.exit(f"tier_costs: exit {r.rc}: {' '.join(cmd)}\n"
                 f"{r.err.decode()[-400:]}")
    return r


def with_copies(ll, function, copies):
    """The module text with `function`'s definition COPIES more times."""
    body = re.search(r"^define [^\n]*@" + re.escape(function) +
                     r"\(.*?^}\n", ll, re.S | re.M).group(0)
    extra = "".join(body.replace(f"@{function}(", f"@{function}_copy{i}(")
                    for i in range(copies))
    return ll.replace(body, body + extra)


def cpu_ms(cmd, runs):
    return statistics.median(check(cmd).cpu for _ in range(runs)) * 1e3


def compile_ms(tmp, ll, opt, llc, runs):
    """Median CPU ms of opt then llc on the module text `ll`."""
    src, mid = os.path.join(tmp, "m.ll"), os.path.join(tmp, "m.opt.bc")
    with open(src, "w") as f:
        f.write(ll)
    t_opt = cpu_ms(["opt-19"] + opt + [src, "-o", mid], runs)
    t_llc = cpu_ms(["llc-19"] + llc +
                   ["-filetype=obj", mid, "-o", os.devnull], runs)
    return t_opt + t_llc


def tok_per_s(binary, args, runs, expected):
    speeds = []
    for _ in range(runs):
        r = check([binary] + args)
        if r.out != expected:
            sys.exit(f"tier_costs: {binary}'s output differs from clang -O3's")
        speeds.append(float(re.search(rb"achieved tok/s: ([0-9.]+)",
                                      r.err).group(1)))
    return statistics.median(speeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--function", default="matmul")
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=256)
    a = ap.parse_args()
    app = os.path.join(a.build, "apps", "tinyllama")
    args = measure.tinyllama_15m(a.build, a.steps)
    expected = check([os.path.join(app, "tinyllama")] + args).out
    with tempfile.TemporaryDirectory() as tmp:
        raw, ir = os.path.join(tmp, "app.bc"), os.path.join(tmp, "app.m2r.bc")
        check(["clang-19", "-O0", "-Xclang", "-disable-O0-optnone",
               "-ffp-contract=off", "-std=c11", "-emit-llvm", "-c", SOURCE,
               "-o", raw])
        check(["opt-19", "-passes=mem2reg", raw, "-o", ir])
        one = os.path.join(tmp, "one.bc")
        check(["llvm-extract-19", "--func=" + a.function, ir, "-o", one])
        ll = subprocess.run(["llvm-dis-19", one, "-o", "-"], check=True,
                            capture_output=True, text=True).stdout
        whole = subprocess.run(["llvm-dis-19", ir, "-o", "-"], check=True,
                               capture_output=True, text=True).stdout
        rows = []
        for name, opt, llc in PIPELINES:
            app_ms = compile_ms(tmp, whole, opt, llc, a.runs)
            once = compile_ms(tmp, ll, opt, llc, a.runs)
            many = compile_ms(tmp, with_copies(ll, a.function, a.copies), opt,
                              llc, a.runs)
            binary = os.path.join(tmp, "app_" + str(len(rows)))
            check(["opt-19"] + opt + [ir, "-o", binary + ".bc"])
            check(["llc-19"] + llc + ["-filetype=obj",
                                      "--relocation-model=pic",
                                      binary + ".bc", "-o", binary + ".o"])
            check(["clang-19", binary + ".o", "-lm", "-o", binary])
            rows.append((name, (many - once) / a.copies, app_ms,
                         tok_per_s(binary, args, a.runs, expected)))
    top = rows[-1]
    print(f"TinyLlama 15M-shaped, `{a.function}` ({a.copies} copies), "
          f"{a.steps} tokens: medians of {a.runs} runs.\n")
    print(f"| pipeline | ms to compile `{a.function}` | vs O3 tier | "
          f"ms to compile the app | tok/s | vs O3 tier |")
    print("|---|---|---|---|---|---|")
    for name, ms, app_ms, speed in rows:
        print(f"| {name} | {ms:.2f} | {ms / top[1]:.2f}x | {app_ms:.1f} | "
              f"{speed:.1f} | {speed / top[3]:.2f}x |")


if __name__ == "__main__":
    main()
