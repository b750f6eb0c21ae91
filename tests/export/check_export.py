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
  converge  gts run --state --export-at-convergence ROOT/NATIVE, hosted with
            a temporary folder as the volume's root: boots until converged;
            that boot exports NATIVE and writes ROOT/CMDLINE.NEW; NATIVE run
            with those arguments gives the golden tokens; later boots do not
            export again while CMDLINE.NEW or CMDLINE.BAD exists
  image     (OTHER is a golden case name, then the boot files folder) gts
            export --image: a disk with only stage 1, stage 2, the kernel,
            /NATIVE, its command line and the model; payload (stage 1 + 2 +
            kernel + program, measured on the image) at most 256 KiB; booted
            in QEMU it gives the case's golden tokens; fsck.fat -n clean
"""
import re
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot1"))

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


def main_reached_calls(path):
    """How often the program makes syscall 1000 (gts_main_reached)."""
    if not shutil.which("llvm-objdump-19"):
        fail("prerequisite missing: llvm-objdump-19")
    asm = run(["llvm-objdump-19", "-d", "--no-show-raw-insn", path]).stdout
    return len(re.findall(r"movl\s+\$0x3e8, %eax[^\n]*\n\s*\w+:\s+syscall", asm))


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
    if main_reached_calls(out) != 1:
        fail(f"{out}: no single gts_main_reached syscall (1000) at main")
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
    img = os.path.join(WORK, "never_written.img")
    expect_error([GTS, "export", APP, "--state", good, "--image", img,
                  "--boot-files", empty], 69, "has no stage1.bin")
    expect_error([GTS, "export", APP, "--state", good, "--image", img,
                  "--file", os.path.join(WORK, "missing.bin")], 66,
                 "missing.bin: no such file")
    expect_error([GTS, "export", APP, "--state", good, "--image",
                  os.path.join(WORK, "no_such_dir", "x.img")], 73,
                 "cannot create the image")
    expect_error([GTS, "run", APP, "--export-at-convergence", out], 64,
                 "needs --state")
    if os.path.exists(img):
        fail(f"{img} written despite the errors")
    if os.path.exists(out):
        fail(f"{out} written despite the errors")
    print("PASS: errors")


def trial_boot(state, root, case, extra=()):
    p = run([GTS, "run", APP, "--state", state, "--sync-compile",
             "--export-at-convergence", os.path.join(root, "NATIVE"), *extra,
             "--", *app_args(case)])
    check_tokens(p, case, "gts run --state " + state)
    return p.stderr


def case_converge():
    root = fresh("converge")
    os.makedirs(root)
    state = os.path.join(root, "state")
    native = os.path.join(root, "NATIVE")
    new = os.path.join(root, "CMDLINE.NEW")
    case = "greedy_lily_128"
    for boot in range(1, 7):
        err = trial_boot(state, root, case)
        if "; converged" in err:
            break
        if os.path.exists(native) or os.path.exists(new):
            fail(f"boot {boot} exported before converging:\n{err}")
    else:
        fail("not converged in 6 boots")
    want = [f"gts: exported {native} (", f"gts: wrote {new}: {native} "]
    for w in want:
        if w not in err:
            fail(f"boot {boot}: no line {w!r}:\n{err}")
    with open(new) as f:
        lines = f.read().split("\n")
    if lines != [native, *app_args(case), ""]:
        fail(f"{new}: {lines}")
    check_static(native)
    if main_reached_calls(native) != 1:
        fail(f"{native}: no gts_main_reached syscall")
    check_tokens(run(lines[:-1]), case, native)
    if os.path.exists(native + ".TMP") or os.path.exists(
            os.path.join(root, "CMDLINE.TMP")):
        fail(f"temporary files left in {root}: {os.listdir(root)}")
    # A trial pending, then a failed one: no second export.
    stamp = os.stat(native).st_mtime_ns
    for why in ("CMDLINE.NEW exists (a trial boot is pending)",
                "CMDLINE.BAD exists (the last trial failed)"):
        err = trial_boot(state, root, case)
        if f"gts: not exporting: {root}/{why}" not in err:
            fail(f"no 'not exporting' line for {why}:\n{err}")
        if os.stat(native).st_mtime_ns != stamp:
            fail(f"{native} written again while {why}")
        if os.path.exists(new):
            os.rename(new, os.path.join(root, "CMDLINE.BAD"))
    # No C library: one line at convergence and exit 69, no trial written.
    os.remove(os.path.join(root, "CMDLINE.BAD"))
    p = run([GTS, "run", APP, "--state", state, "--sync-compile",
             "--export-at-convergence", native, "--runtime", root, "--",
             *app_args(case)], 69)
    errors = [l for l in p.stderr.splitlines() if "error" in l]
    if errors != [f"gts: error: export at convergence: C library folder "
                  f"{root} has no crt1.o"] or os.path.exists(new):
        fail(f"export without a C library:\n{p.stderr}")
    print(f"PASS: converged at boot {boot}, exported and trial written")


def payload_on_image(img, boot_files):
    """Bytes of stage 1, stage 2, /KERNEL.BIN and /NATIVE on img; the root
    folder's names."""
    from qemu_test import partition_offset
    off, _ = partition_offset(img)
    vol = f"{img}@@{off}"
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    sizes = {"stage 1": 512,
             "stage 2": os.path.getsize(os.path.join(boot_files,
                                                     "stage2.bin"))}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("KERNEL.BIN", "NATIVE"):
            local = os.path.join(tmp, name)
            r = subprocess.run(["mcopy", "-n", "-i", vol, "::/" + name,
                                local], env=env, capture_output=True)
            if r.returncode != 0:
                fail(f"{img}: no /{name}: {r.stderr.decode()}")
            sizes[name] = os.path.getsize(local)
    names = subprocess.run(["mdir", "-b", "-i", vol, "::/"], env=env,
                           capture_output=True, text=True).stdout.split()
    return sizes, sorted(n.rsplit("/", 1)[-1] for n in names)


def case_image(case, boot_files):
    from boot1_test import compare_golden
    state = os.path.join(WORK, "state")  # from case program
    if not os.path.isdir(state):
        fail(f"prerequisite missing: {state} (test export.program)")
    img = os.path.join(WORK, f"native_{case}.img")
    args, _, _ = golden(case)
    cmd = [GTS, "export", APP, "--state", state, "--image", img,
           "--boot-files", boot_files, "--args",
           shlex.join(["/stories260K.bin", *args, "-z", "/tok512.bin", "-v"]),
           "--file", os.path.join(MODELS, "stories260K.bin") +
           ":/stories260K.bin",
           "--file", os.path.join(MODELS, "tok512.bin") + ":/tok512.bin"]
    p = run(cmd)
    m = re.search(r"payload (\d+) bytes", p.stderr)
    if not m:
        fail(f"no payload line:\n{p.stderr}")
    sizes, names = payload_on_image(img, boot_files)
    payload = sum(sizes.values())
    if payload != int(m.group(1)):
        fail(f"payload printed {m.group(1)}, on the image {payload}: {sizes}")
    if payload > 256 * 1024:
        fail(f"payload {payload} bytes > 262144: {sizes}")
    want = sorted(["CMDLINE.TXT", "KERNEL.BIN", "NATIVE", "stories260K.bin",
                   "tok512.bin"])
    if names != want:
        fail(f"{img}: root holds {names}, expected {want}")
    env = dict(os.environ, PYTHONIOENCODING="utf-8:surrogateescape")
    q = subprocess.run([sys.executable,
                        os.path.join(ROOT, "tests", "qemu", "qemu_test.py"),
                        "--image", img, "--status", "0", "--timeout", "300",
                        "--fsck", "--expect", "load: /NATIVE,",
                        "--expect", "achieved tok/s", "--forbid", "load: /gts"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env)
    sys.stdout.buffer.write(q.stdout)
    sys.stdout.flush()
    if q.returncode != 0:
        fail(f"qemu_test.py failed (status {q.returncode})")
    base = os.path.join(ROOT, "tests", "tinyllama", "golden", case)
    failures = compare_golden(q.stdout, base,
                              os.path.join(MODELS, "tok512.bin"))
    if failures:
        fail("; ".join(failures))
    print(f"PASS: {img}: payload {payload} bytes {sizes}, golden tokens in "
          "QEMU")


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
    elif case == "converge":
        case_converge()
    elif case == "image":
        case_image(sys.argv[6], sys.argv[7])
    else:
        fail("unknown case " + case)


if __name__ == "__main__":
    main()
