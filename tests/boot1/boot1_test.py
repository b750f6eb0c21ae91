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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QEMU_TEST = os.path.join(ROOT, "tests", "qemu", "qemu_test.py")
sys.path.insert(0, os.path.dirname(QEMU_TEST))
from qemu_test import partition_offset  # noqa: E402

BOS = 1
# Whole lines other writers put on the console between the app's writes.
NOISE = re.compile(rb"(gts|kernel|qemu_test|qemu-run): [^\n]*\n")
ID_LINE = re.compile(rb"(\d+)\n")


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
    with open(a.case + ".ids") as f:
        want_ids = [int(x) for x in f.read().split()]
    with open(a.case + ".txt", "rb") as f:
        want_text = f.read()
    try:
        ids, text = split_console(r.stdout, load_pieces(a.tokenizer))
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
              % (os.path.basename(a.case), len(ids), len(text)))
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
        for pattern in (r"\ngts: \S+ -> O[0-3sz] at call \d+\n",
                        r"\nfunction +calls +total-cycles +min +max +tier +"
                        r"tier changes \(at call\)\n",
                        r"\nachieved tok/s: [0-9.]+\n",
                        r"\nkernel: program exited with status 0\b"):
            if not re.search(pattern, out):
                failures.append("console lacks /%s/" % pattern)

        part = os.path.join(work, "part.img")
        with open(img, "rb") as src, open(part, "wb") as dst:
            src.seek(off)
            dst.write(src.read(size))
        r = subprocess.run(["fsck.fat", "-n", part], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            failures.append("fsck.fat -n found problems:\n"
                            + r.stdout.decode(errors="replace"))
        else:
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
        for arg in argv:
            local = arg.lstrip("/")
            if arg == profile:
                arg = os.path.join(work, "host.json")
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["golden", "stats"])
    ap.add_argument("--image", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--case", help="golden: path of the case without suffix")
    ap.add_argument("--tokenizer", help="golden: the tokenizer file")
    a = ap.parse_args()
    if a.mode == "golden" and not (a.case and a.tokenizer):
        ap.error("golden needs --case and --tokenizer")
    failures = golden(a) if a.mode == "golden" else stats(a)
    for f in failures:
        print("boot1_test: FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
