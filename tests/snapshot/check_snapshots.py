#!/usr/bin/env python3
"""Snapshot tests (CTest label snapshot): gts run --state across boots.

usage: check_snapshots.py CASE GTS WORKDIR [args...]
Cases:
  boots PROG.bc NATIVE     4 boots give the native output; boot N compiles
                           only what climbs past its saved tier
  thresholds COUNT40K.bc   calls add up: O2 in boot 1, O3 at 100,000 in boot 3
  busy STEADY.bc           on a busy machine a resumed boot leaves its
                           background compiles to a later boot
  keep PROG.bc             --keep=2 leaves the two newest snapshots
  corrupt PROG.bc OTHER.bc each damaged snapshot is skipped with its reason
  show PROG.bc             gts snapshot show: table, JSON, bad files
  report PROG.bc           gts report: converged by boot 3 (adaptive), plot
  errors PROG.bc           unusable state folders and options
  kept PROG.bc NATIVE      the folder keeps the app; export needs no APP
"""
import json
import re
import os
import shutil
import subprocess
import sys

GTS = None
WORK = None


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(args, expect_status=0):
    p = subprocess.run([GTS] + args, capture_output=True, text=True, timeout=300)
    if p.returncode != expect_status:
        fail(f"gts {' '.join(args)}: exit {p.returncode}, expected "
             f"{expect_status}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def boot(prog, state, *extra):
    return run(["run", prog, "--state", state, "--sync-compile", *extra])


def show_json(path):
    return json.loads(run(["snapshot", "show", path, "--json"]).stdout)


def fresh(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    return d


def snap(state, n):
    return os.path.join(state, "boot_%04d.snap" % n)


def expect_in(text, needle, what):
    if needle not in text:
        fail(f"{what}: expected {needle!r} in:\n{text}")


def case_boots(prog, native):
    want = subprocess.run([native], capture_output=True, text=True).stdout
    # Background compiles (the default) and in-place ones: same output, and
    # every boot resumes from the one before.
    for mode in ([], ["--sync-compile"]):
        state = fresh("boots")
        for n in range(1, 5):
            p = run(["run", prog, "--state", state, *mode])
            if p.stdout != want:
                fail(f"boot {n} {mode}: output {p.stdout!r}, native {want!r}")
            if n == 1:
                expect_in(p.stderr, "boot 1: no snapshot, cold start", "boot 1")
            else:
                expect_in(p.stderr,
                          f"boot {n}: resumed from {snap(state, n - 1)}",
                          f"boot {n}")
            expect_in(p.stderr, f"boot {n}: saved {snap(state, n)}", f"boot {n}")
    # In place (deterministic): everything compiled in boot n is a climb
    # recorded in boot n; the data unit, the interpreter entries and saved
    # code are not compiled again.
    s = show_json(snap(state, 4))
    if [b["boot"] for b in s["boots"]] != [1, 2, 3, 4]:
        fail(f"history {s['boots']}")
    for b in s["boots"][1:]:
        n = b["boot"]
        climbs = sum(1 for f in s["functions"] for c in f["tier_changes"]
                     if c["boot"] == n)
        if b["compilations"] != climbs:
            fail(f"boot {n}: {b['compilations']} compilations, {climbs} climbs")
        if b["loaded_functions"] == 0:
            fail(f"boot {n} loaded no code")
    print(f"PASS: 4 boots, compilations {[b['compilations'] for b in s['boots']]}")


def case_thresholds(prog):
    state = fresh("thresholds")
    outs = set()
    for _ in range(3):
        outs.add(boot(prog, state, "--loop-threshold=1000000000",
                      "--policy=seed").stdout)
    if len(outs) != 1:
        fail(f"outputs differ across boots: {outs}")
    tiers = {}
    for n in (1, 2, 3):
        f = next(f for f in show_json(snap(state, n))["functions"]
                 if f["name"] == "work")
        tiers[n] = f["tier"]
        # O3 code carries no call counter: counting stops at the climb.
        want_calls = min(40000 * n, 100000)
        if f["calls"] != want_calls:
            fail(f"boot {n}: work has {f['calls']} calls, expected {want_calls}")
    changes = [(c["tier"], c["at_call"], c["boot"]) for c in f["tier_changes"]]
    want = [("O0", 100, 1), ("O1", 1000, 1), ("O2", 10000, 1), ("O3", 100000, 3)]
    if tiers != {1: "O2", 2: "O2", 3: "O3"} or changes != want:
        fail(f"tiers {tiers}, changes {changes}")
    print(f"PASS: work {tiers}, changes {changes}")


def tiers(path):
    return {f["name"]: f["tier"] for f in show_json(path)["functions"]}


def run_busy(args):
    """gts with ARGS and a spinning process per CPU, on at most two CPUs."""
    cpus = set(sorted(os.sched_getaffinity(0))[:2])
    pin = lambda: os.sched_setaffinity(0, cpus)  # noqa: E731
    spinners = [subprocess.Popen(
        [sys.executable, "-c", "while True: pass"],
        preexec_fn=lambda c=c: os.sched_setaffinity(0, {c})) for c in cpus]
    try:
        p = subprocess.run([GTS] + args, capture_output=True, text=True,
                           timeout=300, preexec_fn=pin)
    finally:
        for s in spinners:
            s.kill()
            s.wait()
    if p.returncode != 0:
        fail(f"busy gts {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p, len(cpus)


def case_busy(prog):
    # Loop tier-up off: boot 1 leaves the hot functions below O3 and the
    # resumed boots are asked to promote them (background compiles).
    state = fresh("busy")
    args = ["run", prog, "--state", state, "--loop-threshold=1000000000",
            "--", "6000"]
    first = run(args)
    before = tiers(snap(state, 1))
    if "O3" in before.values() or "O1" not in before.values():
        fail(f"boot 1 tiers {before}")
    # Every CPU spins: the compile thread (nice 19) gets about 1% of one,
    # and the app runs as boot 1 left it.
    p, cpus = run_busy(args)
    if p.stdout != first.stdout:
        fail(f"busy boot: output {p.stdout!r}, expected {first.stdout!r}")
    m = re.search(r"gts: (\d+) background compiles? left to a later boot "
                  r"\(busy machine: the compile thread had (\d+)% of a core\)",
                  p.stderr)
    if cpus == 1:
        # The app was the load: its CPU is free at exit, so boot 2
        # compiles what it promotes (after the app, for the next boot).
        if m or set(tiers(snap(state, 2)).values()) != {"O3"}:
            fail(f"one CPU: {tiers(snap(state, 2))}\n{p.stderr}")
        print("PASS: one CPU, boot 2 compiled its promotions at exit")
        return
    if not m or int(m.group(2)) >= 50:
        fail(f"busy boot: no deferral line:\n{p.stderr}")
    if tiers(snap(state, 2)) != before:
        fail(f"busy boot compiled: {tiers(snap(state, 2))}, was {before}")
    # In place (no compile thread to be busy), boot 3 compiles them.
    third = run(args[:4] + ["--sync-compile"] + args[4:])
    if "left to a later boot" in third.stderr:
        fail(f"boot 3 deferred:\n{third.stderr}")
    after = tiers(snap(state, 3))
    if set(after.values()) != {"O3"}:
        fail(f"boot 3 tiers {after}")
    print(f"PASS: busy boot deferred {m.group(1)} compiles "
          f"({m.group(2)}% of a core), boot 3: {after}")


def case_keep(prog):
    state = fresh("keep")
    for _ in range(5):
        boot(prog, state, "--keep=2")
    left = sorted(os.listdir(state))
    if left != ["app.bc", "boot_0004.snap", "boot_0005.snap"]:
        fail(f"--keep=2 left {left}")
    print(f"PASS: {left}")


def damaged(prog, name, damage, reason, want_out):
    """Two good boots, damage the newest, then boot 3 must fall back."""
    state = fresh("corrupt_" + name)
    boot(prog, state)
    boot(prog, state)
    damage(state)
    p = boot(prog, state)
    if p.stdout != want_out:
        fail(f"{name}: output {p.stdout!r}, expected {want_out!r}")
    expect_in(p.stderr, f"snapshot {snap(state, 2)} skipped: {reason}", name)
    expect_in(p.stderr, f"resumed from {snap(state, 1)}", name)
    print(f"PASS {name}: " + next(l for l in p.stderr.splitlines()
                                  if "skipped" in l))


def patch(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def case_corrupt(prog, other):
    want = boot(prog, fresh("corrupt_ref")).stdout

    def flip(state):
        p = snap(state, 2)
        size = os.path.getsize(p)
        with open(p, "r+b") as f:
            f.seek(size // 2)
            b = f.read(1)[0]
            f.seek(size // 2)
            f.write(bytes([b ^ 0x40]))

    def truncate(state):
        p = snap(state, 2)
        os.truncate(p, os.path.getsize(p) - 100)

    def version(state):
        patch(snap(state, 2), 4, (99).to_bytes(4, "little"))

    def not_snapshot(state):
        with open(snap(state, 2), "wb") as f:
            f.write(b"hello, world\n")

    def other_app(state):
        o = fresh("other_app_state")
        boot(other, o)
        boot(other, o)
        shutil.copy(snap(o, 2), snap(state, 2))

    damaged(prog, "flipped", flip, "checksum mismatch", want)
    damaged(prog, "truncated", truncate, "truncated", want)
    damaged(prog, "version", version, "version 99, this gts reads version 4",
            want)
    damaged(prog, "garbage", not_snapshot, "not a snapshot", want)
    damaged(prog, "other_app", other_app, "another app", want)

    # Other options: every snapshot is skipped, the run starts cold.
    state = fresh("corrupt_options")
    boot(prog, state)
    p = boot(prog, state, "--tier-thresholds=10,20,30,40")
    expect_in(p.stderr, f"{snap(state, 1)} skipped: other options", "options")
    expect_in(p.stderr, "boot 2: no snapshot, cold start", "options")
    if p.stdout != want:
        fail(f"options: output {p.stdout!r}")
    print("PASS options")


def case_show(prog):
    state = fresh("show")
    boot(prog, state)
    p = run(["snapshot", "show", snap(state, 1)])
    expect_in(p.stdout, "snapshot of boot 1 (format 4)", "show")
    expect_in(p.stdout, "KiB of prepared app", "show")
    expect_in(p.stdout, "function", "show")
    expect_in(p.stdout, "main ", "show")
    s = show_json(snap(state, 1))
    names = {f["name"] for f in s["functions"]}
    if ("main" not in names or s["boot"] != 1 or s["version"] != 4
            or s["prepared_app_bytes"] < 1000):
        fail(f"json: {s}")
    bad = os.path.join(WORK, "show_bad.snap")
    with open(bad, "wb") as f:
        f.write(b"SNAP" + bytes(40))
    for args, code, msg in [
        (["snapshot", "show", bad], 65, "show_bad.snap: version 0"),
        (["snapshot", "show", bad + ".missing"], 66, "No such file"),
        (["snapshot", "list"], 64, "usage: gts snapshot show FILE"),
    ]:
        p = run(args, code)
        lines = p.stderr.strip().splitlines()
        if len(lines) != 1 or msg not in lines[0]:
            fail(f"{args}: stderr {p.stderr!r}")
    print("PASS show")


def case_report(prog):
    import xml.etree.ElementTree as ET
    state = fresh("report")
    for n in range(1, 5):
        p = boot(prog, state)
        expect_in(p.stderr, f"gts: boot {n}: ", "convergence line")
    plot = os.path.join(WORK, "report.svg")
    p = run(["report", "--state", state, "--plot", plot])
    first = p.stdout.splitlines()[0]
    m = re.match(r".*: 4 boots, converged at boot (\d+)$", first)
    if not m or int(m.group(1)) > 3:
        fail(f"report: {p.stdout}")
    rows = [l.split() for l in p.stdout.splitlines()[2:6]]
    dead = p.stdout.splitlines()[6]
    if not re.match(r"dead code: 0 of 3 functions \(0\.0%\) and \d+ of \d+ IR "
                    r"instructions \(\d+\.\d%\) never ran$", dead):
        fail(f"report: {dead!r}")
    if [r[0] for r in rows] != ["1", "2", "3", "4"] or rows[-1][10] != "1.00":
        fail(f"report rows: {rows}")
    # Bytes loaded: the engine and the app at least; the snapshot from boot 2.
    least = (os.path.getsize(GTS) + os.path.getsize(prog)) // 1024
    loaded = [int(r[1]) for r in rows]
    if loaded[0] < least or not all(b > loaded[0] for b in loaded[1:]):
        fail(f"report: bytes loaded {loaded}, at least {least} KiB")
    # The program prints once: a time to first output, no rate.
    if any(float(r[2]) <= 0 or float(r[2]) > float(r[4]) for r in rows):
        fail(f"report: first output not within the run: {rows}")
    svg = ET.parse(plot).getroot()
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for want in ("boot", "milliseconds", "ratio", "KiB", "run"):
        if want not in texts:
            fail(f"plot lacks {want!r}: {texts}")
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    if len(lines) != 6:
        fail(f"plot has {len(lines)} series, expected 6")
    for args, code, msg in [
        (["report"], 64, "usage: gts report"),
        (["report", "--state", os.path.join(WORK, "nope")], 66,
         "no such state folder"),
        (["report", "--state", fresh("empty_state")], 66, "no valid snapshot"),
    ]:
        if args[-1].endswith("empty_state"):
            os.makedirs(args[-1])
        p = run(args, code)
        lines = p.stderr.strip().splitlines()
        if len(lines) != 1 or msg not in lines[0]:
            fail(f"{args}: stderr {p.stderr!r}")
    print("PASS report: " + first)


def case_kept(prog, native):
    want = subprocess.run([native], capture_output=True, text=True).stdout
    state = fresh("kept")
    boot(prog, state)
    with open(prog, "rb") as a, open(os.path.join(state, "app.bc"), "rb") as b:
        if a.read() != b.read():
            fail("state/app.bc differs from the app")
    out = os.path.join(WORK, "kept_native")
    run(["export", "--state", state, "-o", out])
    got = subprocess.run([out], capture_output=True, text=True)
    if got.returncode != 0 or got.stdout != want:
        fail(f"exported program: {got.returncode} {got.stdout!r}")
    empty = fresh("kept_empty")
    os.makedirs(empty)
    p = run(["export", "--state", empty, "-o", out], 66)
    expect_in(p.stderr, "no app kept there", "export without app")
    print("PASS kept: export from the folder alone")


def case_errors(prog):
    afile = os.path.join(WORK, "a_file")
    open(afile, "w").close()
    for args, code, msg in [
        (["run", prog, "--state", afile], 73, "state folder"),
        (["run", prog, "--state", fresh("e"), "--keep=0"], 64,
         "--keep must be at least 1"),
    ]:
        p = run(args, code)
        lines = p.stderr.strip().splitlines()
        if len(lines) != 1 or msg not in lines[0]:
            fail(f"{args}: stderr {p.stderr!r}")
    print("PASS errors")


def main():
    global GTS, WORK
    case, GTS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(WORK, exist_ok=True)
    globals()["case_" + case](*sys.argv[4:])


if __name__ == "__main__":
    main()
