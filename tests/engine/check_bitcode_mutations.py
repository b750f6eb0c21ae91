#!/usr/bin/env python3
"""Random byte mutations of a bitcode file never make `gts run` die of a signal.

usage: check_bitcode_mutations.py GTS APP.bc COUNT SEED WORKDIR

Each of COUNT mutants (1-4 random bytes replaced, random.Random(SEED)) runs
as `gts run MUTANT` with no app arguments (the app stops at its usage line
if it loads). Every run must end within 60 s with an exit status in
0..125; one that gts rejects must exit 65 with exactly one line
`gts: error: ...` on stderr. A failing mutant is kept in WORKDIR.
"""
import os
import random
import subprocess
import sys


def check(gts, path):
    """Returns the exit status and None, or what went wrong."""
    try:
        p = subprocess.run([gts, "run", path], capture_output=True,
                           timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    rc, err = p.returncode, p.stderr.decode(errors="replace")
    if rc < 0 or rc > 125:
        return rc, "status %d\n%s" % (rc, err[-2000:])
    if "gts: error:" in err or rc == 65:
        lines = err.splitlines()
        if rc not in (65, 69, 70):
            return rc, "gts error with status %d: %s" % (rc, err)
        if len(lines) != 1 or not lines[0].startswith("gts: error: "):
            return rc, "status %d, not one error line:\n%s" % (rc, err)
    return rc, None


def main():
    gts, src, count, seed, work = sys.argv[1:6]
    with open(src, "rb") as f:
        data = f.read()
    os.makedirs(work, exist_ok=True)
    rng = random.Random(int(seed))
    codes, failures = {}, 0
    for i in range(int(count)):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        path = os.path.join(work, "mutant%03d.bc" % i)
        with open(path, "wb") as f:
            f.write(b)
        rc, why = check(gts, path)
        if why:
            failures += 1
            print("mutant %d (%s): %s" % (i, path, why))
            continue
        os.remove(path)
        codes[rc] = codes.get(rc, 0) + 1
    summary = ", ".join("%d exited %d" % (n, rc)
                        for rc, n in sorted(codes.items()))
    print("%s mutants of %s (seed %s): %s; %d failed" %
          (count, os.path.basename(src), seed, summary, failures))
    sys.exit(1 if failures else 0)


main()
