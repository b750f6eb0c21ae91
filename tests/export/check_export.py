#!/usr/bin/env python3
"""gts export tests (CTest labels export, engine).

usage: check_export.py CASE GTS WORKDIR APP.bc MODELS [OTHER.bc]
Cases:
  program   TinyLlama boots twice under gts run --state (two greedy cases)
            with the golden tokens, then gts export writes WORKDIR/tinyllama:
            a static x86-64 executable without an ELF interpreter, small.
            The golden cases then run on it (tinyllama.golden.export.*).
  fleet     two state folders (one boot each, other prompts) export together;
            the program gives the golden tokens of a third case
  errors    missing/empty state folder, a profile of another app, an
            unwritable output, no -o: one line and the documented exit code
  rows      (APP.bc is progs/rows.c, MODELS its clang build) the exported
            program jams rows of a matrix-vector product behind a guard and
            gives the clang build's bits, with outputs overlapping inputs too
"""
import re
import os
import shutil
import subprocess
import sys

GTS = WORK = APP = MODELS = None


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, expect_status=0, timeout=600):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != expect_status:
        fail(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect_status}"
             f"\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p


def fresh(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    return d


def golden(case):
    base = os.path.join(os.path.dirname(__file__), "..", "tinyllama", "golden",
                        case)
    with open(base + ".args") as f:
        args = subprocess.run(["xargs", "printf", "%s\\0"], stdin=f,
                              capture_output=True, text=True).stdout
    with open(base + ".ids") as f:
        ids = f.read().split()
    with open(base + ".txt") as f:
        text = f.read()
    return [a for a in args.split("\0") if a], ids, text


def app_args(case):
    args, _, _ = golden(case)
    return [os.path.join(MODELS, "stories260K.bin"), *args, "-z",
            os.path.join(MODELS, "tok512.bin"), "-v"]


def check_tokens(p, case, who):
    _, ids, text = golden(case)
    got = [l for l in p.stderr.splitlines() if l.strip().isdigit()]
    if got != ids:
        fail(f"{who} on {case}: token ids differ from the golden ones")
    if p.stdout != text:
        fail(f"{who} on {case}: text differs from the golden one")


def boot(state, case):
    p = run([GTS, "run", APP, "--state", state, "--", *app_args(case)])
    check_tokens(p, case, "gts run --state " + state)


def export(states, out, expect_status=0):
    cmd = [GTS, "export", APP, "-o", out]
    for s in states:
        cmd += ["--state", s]
    return run(cmd, expect_status)


def check_static(path):
    size = os.path.getsize(path)
    if not 4096 < size < 256 * 1024:
        fail(f"{path}: {size} bytes, more than the 256 KiB payload budget")
    with open(path, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF" or head[4] != 2 or head[18] != 62:
        fail(f"{path}: not an x86-64 ELF64 file")
    if int.from_bytes(head[16:18], "little") != 2:
        fail(f"{path}: not ET_EXEC (static, position-dependent)")
    ph = run(["readelf", "-lW", path]).stdout
    if "INTERP" in ph or "DYNAMIC" in ph:
        fail(f"{path}: has an ELF interpreter or dynamic section:\n{ph}")
    if b"LLVM" in open(path, "rb").read():
        fail(f"{path}: contains the string LLVM")
    return size


def case_program():
    state = fresh("state")
    for case in ["greedy_once_256", "greedy_lily_128"]:
        boot(state, case)
    out = os.path.join(WORK, "tinyllama")
    if os.path.exists(out):
        os.remove(out)
    p = export([state], out)
    if "hot at O3" not in p.stderr or "boot_0002.snap" not in p.stderr:
        fail(f"export summary missing:\n{p.stderr}")
    if jammed(p.stderr) < 1:
        fail(f"no matmul nest jammed:\n{p.stderr}")
    size = check_static(out)
    # A case the profile saw and one it did not, run here directly too.
    for case in ["greedy_once_256", "sample_t08_p09_s42_256"]:
        check_tokens(run([out, *app_args(case)]), case, out)
    print(f"PASS: {out} is static, {size} bytes; {p.stderr.strip()}")


def case_fleet():
    a, b = fresh("fleet_a"), fresh("fleet_b")
    boot(a, "greedy_lily_128")
    boot(b, "sample_t1_p1_s7_200")
    out = os.path.join(WORK, "tinyllama_fleet")
    p = export([a, b], out)
    for s in ("fleet_a/boot_0001.snap", "fleet_b/boot_0001.snap"):
        if s not in p.stderr:
            fail(f"export did not use {s}:\n{p.stderr}")
    check_static(out)
    check_tokens(run([out, *app_args("greedy_dog_512")]), "greedy_dog_512",
                 out)
    print("PASS: two folders merged;", p.stderr.strip())


def jammed(summary):
    m = re.search(r"(\d+) loop nests jammed", summary)
    if not m:
        fail(f"no jam count in:\n{summary}")
    return int(m.group(1))


def case_rows():
    native = MODELS
    state = fresh("rows_state")
    run([GTS, "run", APP, "--state", state, "--", "200"])
    out = os.path.join(WORK, "rows")
    p = export([state], out)
    if jammed(p.stderr) != 1:
        fail(f"expected 1 jammed nest:\n{p.stderr}")
    check_static(out)
    for args in (["200"], ["3"], ["5", "64", "9"], ["2", "7", "1"]):
        want = run([native, *args]).stdout
        got = run([out, *args]).stdout
        if got != want:
            fail(f"rows {' '.join(args)}: {got.strip()} != clang's "
                 f"{want.strip()}")
    print("PASS: rows jammed, results identical;", p.stderr.strip())


def expect_error(cmd, status, needle):
    p = run(cmd, status)
    lines = p.stderr.strip().splitlines()
    if len(lines) != 1 or needle not in lines[0]:
        fail(f"{' '.join(cmd)}: expected one line with {needle!r}, got:\n"
             f"{p.stderr}")


def case_errors(other):
    out = os.path.join(WORK, "never_written")
    empty = fresh("empty")
    os.makedirs(empty)
    base = [GTS, "export", APP, "-o", out, "--state"]
    expect_error(base + [empty], 66, "no readable snapshot")
    expect_error(base + [os.path.join(WORK, "missing")], 66,
                 "no such state folder")
    with open(os.path.join(empty, "boot_0001.snap"), "wb") as f:
        f.write(b"not a snapshot")
    expect_error(base + [empty], 66, "no readable snapshot")
    # A profile of another app: its functions are not tinyllama's.
    state = fresh("other_state")
    run([GTS, "run", other, "--state", state])
    expect_error(base + [state], 65, "profile does not match the app")
    good = os.path.join(WORK, "state")  # from case program, else made here
    if not os.path.isdir(good):
        boot(good, "greedy_lily_128")
    expect_error([GTS, "export", APP, "--state", good, "-o",
                  os.path.join(WORK, "no_such_dir", "prog")], 73,
                 "cannot create")
    expect_error([GTS, "export", APP, "--state", good, "-o", WORK], 73,
                 "is a directory")
    expect_error([GTS, "export", APP, "--state", good], 64, "usage")
    expect_error([GTS, "export", APP, "--state", good, "-o", out,
                  "--runtime", empty], 69, "has no crt1.o")
    if os.path.exists(out):
        fail(f"{out} written despite the errors")
    print("PASS: errors")


def main():
    global GTS, WORK, APP, MODELS
    if len(sys.argv) < 6:
        fail(__doc__)
    case, GTS, WORK, APP, MODELS = sys.argv[1:6]
    os.makedirs(WORK, exist_ok=True)
    for need in (GTS, APP, MODELS):
        if not os.path.exists(need):
            fail(f"prerequisite missing: {need}")
    if case == "program":
        case_program()
    elif case == "fleet":
        case_fleet()
    elif case == "errors":
        case_errors(sys.argv[6])
    elif case == "rows":
        case_rows()
    else:
        fail("unknown case " + case)


if __name__ == "__main__":
    main()
