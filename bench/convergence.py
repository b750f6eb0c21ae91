#!/usr/bin/env python3
"""Boots to convergence of TinyLlama under both tier policies.

For each policy, consecutive `gts run --state` boots from an empty state
folder until the engine says "converged" or --max-boots. Every boot's output
must equal the native build's. Per boot (from the snapshot's history): hot
functions, those at O3, the ratio, functions per tier, compile ms. For a
policy that did not converge, each hot function below O3 gets the boot at
which its calls per boot would reach the seed's O3 threshold (100,000).

  bench/convergence.py --build build [--max-boots 12] [--steps 256]
                       [--model 15M|260K]
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
O3_CALLS = 100000


def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n"
                 f"{p.stderr.decode()[-2000:]}")
    return p.stdout.decode(), p.stderr.decode()


def show(gts, snap):
    out, _ = run([gts, "snapshot", "show", snap, "--json"])
    return json.loads(out)


def projected_o3_boot(s):
    """(function, calls per boot, boot reaching O3) for hot functions below
    O3, from the calls of the boots so far."""
    boots = s["boot"]
    rest = []
    cycles = sorted((f["cycles"] for f in s["functions"]), reverse=True)
    cut = 0.01 * cycles[0] if cycles else 0
    for f in s["functions"]:
        if f["cycles"] < cut or f["tier"] == "O3":
            continue
        per_boot = f["calls"] / boots
        at = math.ceil(O3_CALLS / per_boot) if per_boot else None
        rest.append((f["name"], per_boot, at))
    return sorted(rest, key=lambda r: -(r[2] or 0))


def boots_of(policy, a, gts, bc, model, want, work):
    state = os.path.join(work, policy)
    rows = []
    for n in range(1, a.max_boots + 1):
        out, err = run([gts, "run", bc, "--state", state,
                        f"--policy={policy}", "--"] + model)
        if out != want:
            sys.exit(f"{policy} boot {n}: output differs from native")
        s = show(gts, os.path.join(state, "boot_%04d.snap" % n))
        b = s["boots"][-1]
        rows.append(b)
        print(f"{policy}: boot {n}: {b['hot']} hot, {b['hot_at_final_tier']} "
              f"at O3, ratio {b['ratio']:.2f}"
              f"{', converged' if b['converged'] else ''}", file=sys.stderr)
        if b["converged"]:
            return rows, []
    return rows, projected_o3_boot(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--max-boots", type=int, default=12)
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--model", choices=["15M", "260K"], default="15M")
    a = ap.parse_args()
    app = os.path.join(a.build, "apps", "tinyllama")
    gts = os.path.join(a.build, "engine", "gts")
    bc = os.path.join(app, "tinyllama.bc")
    models = os.path.join(REPO, "apps", "tinyllama", "models")
    if a.model == "15M":
        model = [os.path.join(app, "models", "stories15M_shape.bin"), "-z",
                 os.path.join(models, "tokenizer.bin")]
    else:
        model = [os.path.join(models, "stories260K.bin"), "-z",
                 os.path.join(models, "tok512.bin")]
    model += ["-t", "0", "-n", str(a.steps), "-i", "Once upon a time"]
    want, _ = run([os.path.join(app, "tinyllama")] + model)
    work = tempfile.mkdtemp(prefix="gts-converge-")
    try:
        results = {p: boots_of(p, a, gts, bc, model, want, work)
                   for p in ("adaptive", "seed")}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"TinyLlama {a.model}, {a.steps} tokens, greedy; boots until "
          f"`converged` (at most {a.max_boots}).\n")
    print("| policy | boot | hot | at O3 | ratio | converged | functions per "
          "tier (interp/O0/O1/O2/O3) | compile ms |")
    print("|---|---|---|---|---|---|---|---|")
    for policy, (rows, _) in results.items():
        for b in rows:
            tiers = "/".join(str(t) for t in b["functions_per_tier"][:5])
            print(f"| {policy} | {b['boot']} | {b['hot']} | "
                  f"{b['hot_at_final_tier']} | {b['ratio']:.2f} | "
                  f"{'yes' if b['converged'] else 'no'} | {tiers} | "
                  f"{b['compile_ms']:.0f} |")
    print()
    for policy, (rows, rest) in results.items():
        if rows[-1]["converged"]:
            print(f"- {policy}: converged at boot {rows[-1]['boot']}")
            continue
        slow = ", ".join(f"{name} ({per:.0f} calls per boot: O3 at boot "
                         f"{at})" for name, per, at in rest[:4])
        print(f"- {policy}: not converged after {len(rows)} boots; hot "
              f"functions below O3: {slow}")


if __name__ == "__main__":
    main()
