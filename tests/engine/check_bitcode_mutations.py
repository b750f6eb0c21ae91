#!/usr/bin/env python3
"""Random byte mutations of a bitcode file never make `gts run` die of a signal.

usage: check_bitcode_mutations.py GTS APP.bc COUNT SEED WORKDIR
       check_bitcode_mutations.py --write-fault GTS APP.bc SEED OUT

Each of COUNT mutants (1-4 random bytes replaced, random.Random(SEED)) runs
as `gts run MUTANT` with no app arguments (the app stops at its usage line
if it loads). Every run must end within 60 s with an exit status in
0..125; one that gts rejects must exit 65 with exactly one line
`gts: error: ...` on stderr. A failing mutant is kept in WORKDIR.
Runs where LLVM's reader faulted or gave up (out of memory, fatal error),
contained by gts, are counted.
--write-fault saves the first mutant of SEED on which the reader faults as
OUT (for tests/boot1), and fails if none of the first 2000 does.
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
    return ("65 (reader contained)" if CONTAINED in err else str(rc)), None


def mutants(data, seed):
    """Yields the mutants of data for seed, in order."""
    rng = random.Random(seed)
    while True:
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        yield b


FAULT = "LLVM's reader faulted"
CONTAINED = "LLVM's reader "


def write_fault(gts, src, seed, out):
    with open(src, "rb") as f:
        data = f.read()
    for i, b in zip(range(2000), mutants(data, seed)):
        with open(out, "wb") as f:
            f.write(b)
        p = subprocess.run([gts, "run", out], capture_output=True)
        if FAULT in p.stderr.decode(errors="replace"):
            print("mutant %d of seed %d makes the reader fault" % (i, seed))
            return
    os.remove(out)
    sys.exit("no mutant of the first 2000 makes the reader fault")


def main():
    if sys.argv[1] == "--write-fault":
        write_fault(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    gts, src, count, seed, work = sys.argv[1:6]
    with open(src, "rb") as f:
        data = f.read()
    os.makedirs(work, exist_ok=True)
    codes, failures = {}, 0
    for i, b in zip(range(int(count)), mutants(data, int(seed))):
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
    summary = ", ".join("%d exited %s" % (n, rc)
                        for rc, n in sorted(codes.items(), key=str))
    print("%s mutants of %s (seed %s): %s; %d failed" %
          (count, os.path.basename(src), seed, summary, failures))
    sys.exit(1 if failures else 0)


main()
