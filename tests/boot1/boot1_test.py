#!/usr/bin/env python3
"""Boot 1 checks in QEMU (docs/BOOT1.md).

golden: boots an image whose /CMDLINE.TXT runs tinyllama.bc with -v through
  tests/qemu/qemu_test.py (status 0, fsck), then takes the token ids and the
  text apart from the serial console, where stdout and stderr interleave,
  and compares them with the golden NAME.ids and NAME.txt exactly.
stats: boots an image whose command writes the profile to the volume
  (--profile-out /stats.json), checks the console (tier trace, --stats
  table, tok/s) and fsck.fat -n, copies /stats.json out with mtools, runs
  the same command with the same files hosted and requires every function's
  tier changes (tier, at_call) and final tier to be identical.
boots: boots one image (golden case, --state /state) several times in a row:
  each boot gives the golden tokens, resumes from the previous boot's
  snapshot on the FAT16 volume, leaves fsck.fat -n clean; the last snapshot
  (read hosted with `gts snapshot show --json`) shows that no boot compiled
  again what an earlier one had compiled. Reports time to first token.
corrupt: two boots, then damaged snapshots (flipped byte, truncated, other
  version): each boot after a damage skips it with its reason, falls back to
  an older snapshot or a cold start, and still gives the golden tokens.
Prints one line per failed check; exit status 1 if any.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QEMU_TEST = os.path.join(ROOT, "tests", "qemu", "qemu_test.py")
sys.path.insert(0, os.path.dirname(QEMU_TEST))
from qemu_test import fsck_partition, partition_offset  # noqa: E402

BOS = 1
# Whole lines other writers put on the console between the app's writes.
NOISE = re.compile(rb"(gts|kernel|boot|qemu_test|qemu-run): [^\n]*\n")
ID_LINE = re.compile(rb"(\d+)\n")
# The app's last stderr line. A program whose stdout is fully buffered
# (musl: no terminal) writes the final newline at exit, after it.
RATE_LINE = re.compile(rb"achieved tok/s: [0-9.]+\n")


def load_pieces(path):
    """Token pieces of a llama2.c tokenizer file, as C strings (bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    pieces, off = [], 4
    while off < len(data):
        _, n = struct.unpack_from("<fi", data, off)
        off += 8
        pieces.append(data[off:off + n].split(b"\0")[0])
        off += n
    return pieces


def piece_text(pieces, prev, token):
    """What tinyllama's print_piece writes for token after prev."""
    p = pieces[token]
    if prev == BOS and p.startswith(b" "):
        p = p[1:]
    m = re.match(rb"<0x([0-9A-Fa-f]{2})>", p)
    if m:
        p = bytes([int(m.group(1), 16)])
    if len(p) == 1:
        b = p[0]
        if not (0x20 <= b < 0x7F or 9 <= b <= 13):
            return b""
    return p


def skip_noise(out, pos):
    while True:
        m = NOISE.match(out, pos)
        if not m:
            return pos
        pos = m.end()


def split_console(out, pieces):
    """(ids, text) of the app's -v run in the console output `out` (bytes).

    The app writes, per step, "ID\\n" on stderr then the token's piece on
    stdout (flushed), and one "\\n" at the end; engine and kernel lines may
    come between. Raises ValueError where the console does not fit.
    """
    out = out.replace(b"\r\n", b"\n")
    start = out.find(b"\nkernel: starting ")
    if start < 0:
        raise ValueError("console lacks 'kernel: starting'")
    pos = out.index(b"\n", start + 1) + 1
    ids, text, prev = [], b"", BOS
    while True:
        pos = skip_noise(out, pos)
        m = ID_LINE.match(out, pos)
        if not m:
            break
        token = int(m.group(1))
        if token >= len(pieces):
            raise ValueError("token id %d out of the vocabulary" % token)
        ids.append(token)
        pos = m.end()
        if token == BOS:
            break
        want = piece_text(pieces, prev, token)
        if not out.startswith(want, pos):
            raise ValueError("after %d ids: console has %r, token %d is %r"
                             % (len(ids), out[pos:pos + 40], token, want))
        text += want
        pos += len(want)
        prev = token
    pos = skip_noise(out, pos)
    m = RATE_LINE.match(out, pos)
    if m:
        pos = skip_noise(out, m.end())
    if not out.startswith(b"\n", pos):
        raise ValueError("after %d ids: expected the final newline, got %r"
                         % (len(ids), out[pos:pos + 40]))
    return ids, text + b"\n"


def golden(a):
    env = dict(os.environ, PYTHONIOENCODING="utf-8:surrogateescape")
    r = subprocess.run([sys.executable, QEMU_TEST, "--image", a.image,
                        "--status", "0", "--timeout", str(a.timeout), "--fsck",
                        "--expect", "achieved tok/s"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    sys.stdout.buffer.write(r.stdout)
    sys.stdout.flush()
    failures = []
    if r.returncode != 0:
        failures.append("qemu_test.py failed (status %d)" % r.returncode)
    return failures + compare_golden(r.stdout, a.case, a.tokenizer)


def compare_golden(console, case, tokenizer):
    """Failures of the console's token ids and text against the case."""
    failures = []
    with open(case + ".ids") as f:
        want_ids = [int(x) for x in f.read().split()]
    with open(case + ".txt", "rb") as f:
        want_text = f.read()
    try:
        ids, text = split_console(console, load_pieces(tokenizer))
    except ValueError as e:
        return failures + ["cannot read the run from the console: %s" % e]
    if ids != want_ids:
        n = next((i for i, (x, y) in enumerate(zip(ids, want_ids)) if x != y),
                 min(len(ids), len(want_ids)))
        failures.append("token ids differ at index %d (%d ids, golden %d): "
                        "got %s, golden %s" % (n, len(ids), len(want_ids),
                                               ids[n:n + 5], want_ids[n:n + 5]))
    if text != want_text:
        n = next((i for i, (x, y) in enumerate(zip(text, want_text)) if x != y),
                 min(len(text), len(want_text)))
        failures.append("text differs at byte %d: got %r, golden %r"
                        % (n, text[n:n + 30], want_text[n:n + 30]))
    if not failures:
        print("boot1_test: %s: %d token ids and %d bytes of text match"
              % (os.path.basename(case), len(ids), len(text)))
    return failures


def mtools(*args, **kw):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(args, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, **kw)


def cmdline(vol):
    """Program and arguments of the image's /CMDLINE.TXT (docs/IMAGE.md)."""
    r = mtools("mtype", "-i", vol, "::/CMDLINE.TXT", check=True)
    lines = r.stdout.decode().split("\n")
    return [l for l in lines if l and not l.startswith("ENV ")]


def tier_changes(profile):
    """name -> (final tier, [(tier, at_call)...]) of a --profile-out JSON."""
    with open(profile) as f:
        funcs = json.load(f)["functions"]
    return {fn["name"]: (fn["tier"], [(c["tier"], c["at_call"])
                                      for c in fn["tier_changes"]])
            for fn in funcs}


def compare_profiles(guest, host):
    failures = []
    for name in sorted(set(guest) | set(host)):
        g, h = guest.get(name), host.get(name)
        if g != h:
            failures.append("%s: guest %s, host %s" % (name, g, h))
    if not any(changes for _, changes in guest.values()):
        failures.append("no function changed tier in the guest")
    return failures


def stats(a):
    failures = []
    work = tempfile.mkdtemp(prefix="gts-boot1-")
    try:
        img = os.path.join(work, "boot1.img")
        shutil.copyfile(a.image, img)
        off, size = partition_offset(img)
        vol = "%s@@%d" % (img, off)
        argv = cmdline(vol)
        print("boot1_test: guest command: " + shlex.join(argv))
        if "--profile-out" not in argv:
            return ["/CMDLINE.TXT has no --profile-out"]
        profile = argv[argv.index("--profile-out") + 1]

        log = img + ".log"
        env = dict(os.environ, GTS_QEMU_LOG=log)
        status = subprocess.run([os.path.join(ROOT, "scripts", "qemu-run.sh"),
                                 img, str(a.timeout)], env=env).returncode
        with open(log, "rb") as f:
            out = f.read().replace(b"\r\n", b"\n").decode(errors="replace")
        if status != 0:
            failures.append("exit status %d, expected 0" % status)
        for pattern in (r"\ngts: \S+ -> O[0-3sz] at call \d+ \([0-9.]+ ms: "
                        r"asked at [0-9.]+, waited [0-9.]+, compiled in "
                        r"[0-9.]+\)\n",
                        r"\nfunction +calls +total-cycles +min +max +tier +"
                        r"tier changes \(at call\)\n",
                        r"\nachieved tok/s: [0-9.]+\n",
                        r"\nkernel: program exited with status 0\b"):
            if not re.search(pattern, out):
                failures.append("console lacks /%s/" % pattern)

        volume = fsck(img)
        failures += volume
        if not volume:
            print("fsck.fat -n: clean")

        guest_json = os.path.join(work, "guest.json")
        r = mtools("mcopy", "-n", "-i", vol, "::" + profile, guest_json)
        if r.returncode != 0:
            return failures + ["cannot copy %s from the volume: %s"
                               % (profile, r.stderr.decode().strip())]

        # The same command hosted, on the same files copied off the volume
        # (the engine binary included), paths made relative to a scratch dir.
        files = os.path.join(work, "files")
        os.mkdir(files)
        host_argv = []
        for i, arg in enumerate(argv):
            local = arg.lstrip("/")
            if arg == profile:
                arg = os.path.join(work, "host.json")
            elif i and argv[i - 1] == "--state":
                arg = os.path.join(work, "host-state")
            elif arg.startswith("/") and local and "/" not in local:
                if mtools("mcopy", "-n", "-i", vol, "::" + arg,
                          os.path.join(files, local)).returncode == 0:
                    arg = "./" + local
            host_argv.append(arg)
        os.chmod(os.path.join(files, "gts"), 0o755)
        print("boot1_test: host command: " + shlex.join(host_argv))
        r = subprocess.run(host_argv, cwd=files, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=a.timeout)
        if r.returncode != 0:
            return failures + ["host run failed (status %d)" % r.returncode]
        guest = tier_changes(guest_json)
        host = tier_changes(os.path.join(work, "host.json"))
        diff = compare_profiles(guest, host)
        failures += diff
        if not diff:
            n = sum(len(c) for _, c in guest.values())
            print("boot1_test: %d functions, %d tier changes: guest == host"
                  % (len(guest), n))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return failures


def fsck(img):
    """Failures of fsck.fat -n on the image's FAT16 partition."""
    status, text = fsck_partition(img, img + ".part")
    os.remove(img + ".part")
    return ["fsck.fat -n found problems:\n" + text] if status != 0 else []


FIRST_ID = re.compile(rb"(^|\n)\d+\n")


def boot_once(img, timeout):
    """(status, console bytes, ms from QEMU start to the first token id)."""
    start = time.monotonic()
    proc = subprocess.Popen([os.path.join(ROOT, "scripts", "qemu-run.sh"), img,
                             str(timeout)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            env=dict(os.environ, GTS_QEMU_LOG=img + ".log"))
    out, first = b"", None
    for raw in proc.stdout:
        out += raw.replace(b"\r\n", b"\n")
        if first is None and b"kernel: starting" in out:
            app = out[out.index(b"kernel: starting"):]
            if FIRST_ID.search(app[app.index(b"\n"):]):
                first = (time.monotonic() - start) * 1000
    return proc.wait(), out, first


def check_boot(img, n, a, resumed_from, skipped=()):
    """Boots img as boot n; failures of its console, tokens and volume."""
    status, out, first = boot_once(img, a.timeout)
    text = out.replace(b"\r\n", b"\n").decode(errors="replace")
    failures = [] if status == 0 else ["boot %d: exit status %d" % (n, status)]
    want = ["gts: boot %d: saved /state/boot_%04d.snap" % (n, n)]
    want.append("gts: boot %d: resumed from /state/boot_%04d.snap"
                % (n, resumed_from) if resumed_from else
                "gts: boot %d: no snapshot, cold start" % n)
    want += ["gts: snapshot /state/boot_%04d.snap skipped: %s" % s
             for s in skipped]
    failures += ["boot %d: console lacks %r" % (n, w) for w in want
                 if w not in text]
    failures += ["boot %d: %s" % (n, f) for f in
                 compare_golden(out, a.case, a.tokenizer) + fsck(img)]
    rate = re.search(r"achieved tok/s: ([0-9.]+)", text)
    for line in text.splitlines():
        if line.startswith("gts: boot") or "skipped" in line:
            print("  console: " + line)
    return failures, first, float(rate.group(1)) if rate else None


def mcopy_from(img, path, dest):
    off, _ = partition_offset(img)
    r = mtools("mcopy", "-n", "-i", "%s@@%d" % (img, off), "::" + path, dest)
    return r.returncode == 0


def mcopy_to(img, src, path):
    off, _ = partition_offset(img)
    mtools("mcopy", "-o", "-i", "%s@@%d" % (img, off), src, "::" + path,
           check=True)


def no_recompiles(snap, gts):
    """Failures if any boot compiled more than its own climbs or counts
    fewer bytes loaded than the engine's own file."""
    r = subprocess.run([gts, "snapshot", "show", snap, "--json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        return ["gts snapshot show %s: %s" % (snap, r.stderr.decode())]
    s = json.loads(r.stdout)
    failures = []
    engine_bytes = os.path.getsize(gts)
    for b in s["boots"]:
        if b["loaded_bytes"] < engine_bytes:
            failures.append("boot %d: %d bytes loaded, less than the engine "
                            "alone (%d)" % (b["boot"], b["loaded_bytes"],
                                            engine_bytes))
    for b in s["boots"][1:]:
        climbs = sum(1 for f in s["functions"] for c in f["tier_changes"]
                     if c["boot"] == b["boot"])
        if b["compilations"] != climbs or b["loaded_functions"] == 0:
            failures.append("boot %d: %d compilations for %d climbs, %d "
                            "functions loaded" % (b["boot"], b["compilations"],
                                                  climbs,
                                                  b["loaded_functions"]))
    print("boot1_test: compilations per boot %s, functions loaded %s"
          % ([b["compilations"] for b in s["boots"]],
             [b["loaded_functions"] for b in s["boots"]]))
    return failures


def boots(a):
    failures, rows = [], []
    work = tempfile.mkdtemp(prefix="gts-boots-")
    try:
        img = os.path.join(work, "boots.img")
        shutil.copyfile(a.image, img)
        for n in range(1, a.boots + 1):
            f, first, rate = check_boot(img, n, a, n - 1)
            failures += f
            rows.append((n, first, rate))
        snap = os.path.join(work, "last.snap")
        if not mcopy_from(img, "/state/boot_%04d.snap" % a.boots, snap):
            failures.append("no /state/boot_%04d.snap on the volume" % a.boots)
        else:
            failures += no_recompiles(snap, a.gts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("boot  ms from QEMU start to first token  tok/s")
    for n, first, rate in rows:
        print("%4d  %36s  %s" % (n, "%.0f" % first if first else "-", rate))
    if len(rows) > 1 and rows[0][1] and rows[1][1]:
        print("boot1_test: boot 2 reaches its first token in %.2fx boot 1's "
              "time" % (rows[1][1] / rows[0][1]))
    return failures


def damage(img, n, how, work):
    local = os.path.join(work, "damaged.snap")
    path = "/state/boot_%04d.snap" % n
    if not mcopy_from(img, path, local):
        return ["cannot copy %s off the volume" % path]
    with open(local, "r+b") as f:
        data = bytearray(f.read())
        if how == "flip":
            data[len(data) // 2] ^= 0x40
        elif how == "truncate":
            data = data[:-100]
        elif how == "version":
            data[4:8] = (99).to_bytes(4, "little")  # no gts reads it
        f.seek(0)
        f.truncate()
        f.write(data)
    mcopy_to(img, local, path)
    return []


def corrupt(a):
    failures = []
    work = tempfile.mkdtemp(prefix="gts-corrupt-")
    reasons = {"flip": "checksum mismatch", "truncate": "truncated",
               "version": "version 99, this gts reads version"}
    try:
        img = os.path.join(work, "corrupt.img")
        shutil.copyfile(a.image, img)
        for n in (1, 2):
            failures += check_boot(img, n, a, n - 1)[0]
        # Boot 3 skips the flipped boot 2; boot 4 the truncated boot 3 and
        # boot 2; boot 5 finds only damaged snapshots (--keep=3 removed
        # boot 1) and starts cold.
        plan = [(3, "flip", 2, [(2, "flip")], 1),
                (4, "truncate", 3, [(3, "truncate"), (2, "flip")], 1),
                (5, "version", 4, [(4, "version"), (3, "truncate"),
                                   (2, "flip")], 0)]
        for n, how, victim, skipped, resumed in plan:
            failures += damage(img, victim, how, work)
            failures += check_boot(img, n, a, resumed,
                                   [(v, reasons[h]) for v, h in skipped])[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["golden", "stats", "boots", "corrupt"])
    ap.add_argument("--image", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--case", help="golden: path of the case without suffix")
    ap.add_argument("--tokenizer", help="golden: the tokenizer file")
    ap.add_argument("--boots", type=int, default=3, help="boots: how many")
    ap.add_argument("--gts", help="boots: hosted gts (snapshot show)")
    a = ap.parse_args()
    if a.mode != "stats" and not (a.case and a.tokenizer):
        ap.error(a.mode + " needs --case and --tokenizer")
    if a.mode == "boots" and not a.gts:
        ap.error("boots needs --gts")
    failures = {"golden": golden, "stats": stats, "boots": boots,
                "corrupt": corrupt}[a.mode](a)
    for f in failures:
        print("boot1_test: FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
