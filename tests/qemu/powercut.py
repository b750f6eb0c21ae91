#!/usr/bin/env python3
"""Power cuts in QEMU: kills the guest at random instants while its program
saves snapshots, and checks that the disk survives.

Works on a copy of --image. The first boot runs to completion and measures
the time to the resume line (R) and the time the saves take (S). Then each
trial boots the image and kills QEMU (SIGKILL to its process group: no
flush, no unmount) at a random instant: with probability --boot-share in
[0.2 s, R] after the start (boot, mount-time repair), otherwise in [0, S]
after the resume line (timed from the line, so the machine's load does not
shift cuts out of the saves). Instants come from a seeded generator (seed
"SEED-TRIAL", recorded).
After each cut:

- `fsck.fat -n` on the partition: "clean", or else the volume must be
  repaired at the next mount (the kernel's console line matching
  --repair-re) and the cut counts as "repaired";
- the next boot that gets that far must resume from the last complete save:
  the counter in --resume-re is the last one --saved-re printed, or the one
  after (a save whose commit reached the disk just before the cut). Less is
  "lost". --none-re (no snapshot yet) is accepted only while no save was
  reported;
- a boot that prints --fail-re, ends by itself with a status other than 0,
  or does not reach --resume-re although killed after 3x the calibrated
  time to it, is a "failed boot".

A final boot runs to completion: status 0, a resume line, fsck.fat -n clean.
Optionally --verify CMD runs after every cut with the partition image path
appended and must exit 0.

The summary line: trials, clean, repaired, lost, failed boots. Exit status 0
when lost and failed boots are 0 and every check passed, else 1. With
--results FILE, one JSON line per trial (seed, kill instant, outcome).
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_test import fsck_partition  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Boot:
    """One QEMU run; lines are (seconds since start, text)."""

    def __init__(self, img, timeout, log):
        env = dict(os.environ, GTS_QEMU_LOG=log)
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            [os.path.join(ROOT, "scripts", "qemu-run.sh"), img, str(timeout)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.lines = []
        running.append(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append((time.monotonic() - self.start,
                               raw.decode(errors="replace").rstrip("\n")))

    def run_until(self, at, after=None, limit=None):
        """Kills the guest `at` seconds after start, or, with `after` (a
        regex), `at` seconds after the first line matching it (at `limit`
        seconds at the latest). Returns (exit status or None if killed,
        seconds from start to the kill)."""
        if after is not None:
            while self.proc.poll() is None and time.monotonic() - self.start < limit:
                hit = next((t for t, l in list(self.lines) if after.search(l)), None)
                if hit is not None:
                    at += hit
                    break
                time.sleep(0.02)
            else:
                at = limit
        try:
            status = self.proc.wait(timeout=max(0.0, at - (time.monotonic() - self.start)))
        except subprocess.TimeoutExpired:
            self.kill()
            status = None
        self.reader.join()
        running.remove(self)
        return status, at

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def text(self):
        return "\n".join(l for _, l in self.lines)


def fsck(img, work):
    part = os.path.join(work, "part.img")
    status, out = fsck_partition(img, part)
    return status == 0 and out.count("\n") == 2, out, part


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", required=True)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--timeout", type=int, default=300,
                    help="seconds for one boot run to completion")
    ap.add_argument("--saved-re", default=r"powercut: saved counter=(\d+)")
    ap.add_argument("--resume-re", default=r"powercut: resume counter=(\d+) ok")
    ap.add_argument("--none-re", default=r"powercut: no snapshot")
    ap.add_argument("--fail-re", default=r"CORRUPT|FAILED|panic|kernel mode")
    ap.add_argument("--repair-re", default=r"fat16: volume was not cleanly unmounted")
    ap.add_argument("--window-re",
                    help="cuts while saving start at the first line matching "
                    "this (default: the resume line)")
    ap.add_argument("--boot-share", type=float, default=0.2,
                    help="share of cuts during the boot (default 0.2)")
    ap.add_argument("--verify", help="command run on the partition image after each cut")
    ap.add_argument("--results", help="JSON lines, one per trial")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory, with the image after each cut")
    a = ap.parse_args()

    for tool in ("fsck.fat", "qemu-system-x86_64"):
        if not shutil.which(tool):
            print("powercut: %s is required" % tool)
            return 1
    saved_re, resume_re = re.compile(a.saved_re), re.compile(a.resume_re)
    none_re, fail_re = re.compile(a.none_re), re.compile(a.fail_re)
    repair_re = re.compile(a.repair_re)
    any_start = re.compile("(%s)|(%s)" % (a.resume_re, a.none_re))
    window_start = re.compile(a.window_re) if a.window_re else any_start

    work = tempfile.mkdtemp(prefix="gts-powercut-")
    img = os.path.join(work, "disk.img")
    shutil.copyfile(a.image, img)
    log = os.path.join(work, "console.log")
    results = open(a.results, "w") if a.results else None
    tally = dict(trials=0, clean=0, repaired=0, lost=0, failed_boots=0)
    problems = []
    last_saved = 0       # highest counter a boot reported as saved
    awaiting_repair = []  # cuts whose fsck was not clean, until a repair line
    awaiting_resume = []  # cuts not yet judged by a resume line

    def judge(boot, status, killed_at, t_resume):
        """Folds one boot's console into the tallies."""
        nonlocal last_saved
        text = boot.text()
        failed = None
        if fail_re.search(text):
            failed = "console: " + fail_re.search(text).group(0)
        elif status is not None and status != 0:
            failed = "exit status %d" % status
        if repair_re.search(text):
            for t in awaiting_repair:
                t["outcome"] = "repaired"
            awaiting_repair.clear()
        m = resume_re.search(text)
        if m or (none_re.search(text) and last_saved == 0):
            got = int(m.group(1)) if m else 0
            ok = got in (last_saved, last_saved + 1)
            for t in awaiting_resume:
                t["resumed"] = got
                if not ok:
                    t["outcome"] = "lost"
            if not ok:
                problems.append("resumed from %d, last complete save %d"
                                % (got, last_saved))
            awaiting_resume.clear()
            last_saved = got
        elif none_re.search(text):
            failed = failed or "no snapshot after save %d" % last_saved
        elif status is None and t_resume and killed_at > 3 * t_resume:
            failed = failed or "no resume line %.1f s into the boot" % killed_at
        for _, line in boot.lines:
            s = saved_re.search(line)
            if s:
                last_saved = max(last_saved, int(s.group(1)))
        return failed

    try:
        # Calibration: a whole boot, which also makes the first snapshots.
        boot = Boot(img, a.timeout, log)
        status, _ = boot.run_until(a.timeout + 10)
        if status != 0 or judge(boot, status, 0, None):
            print(boot.text())
            print("powercut: FAIL: the calibration boot did not complete (status %s)" % status)
            return 1
        t_full = boot.lines[-1][0]
        t_resume = next((t for t, l in boot.lines
                         if resume_re.search(l) or none_re.search(l)), t_full)
        t_window = next((t for t, l in boot.lines if window_start.search(l)),
                        t_resume)
        t_saves = t_full - t_window
        print("powercut: calibration: a boot takes %.1f s, %.1f s to the resume "
              "line, %.1f s of saves" % (t_full, t_resume, t_saves))

        for i in range(a.trials):
            seed = "%s-%d" % (a.seed, i)
            rng = random.Random(seed)
            boot = Boot(img, a.timeout, log)
            # Most cuts while saving, timed from the resume line so that the
            # machine's load does not move them into the boot; some during
            # the boot (and the mount-time repair).
            if rng.random() < a.boot_share:
                phase = "boot"
                status, at = boot.run_until(rng.uniform(0.2, t_resume))
            else:
                phase = "saving"
                status, at = boot.run_until(rng.uniform(0, t_saves),
                                            window_start, limit=10 * t_full)
            failed = judge(boot, status, at, t_resume)
            trial = dict(trial=i, seed=seed, phase=phase, kill_at_s=round(at, 3),
                         status=status, saved_before=last_saved)
            if failed:
                tally["failed_boots"] += 1
                problems.append("trial %d (seed %s): failed boot: %s\n%s"
                                % (i, seed, failed, boot.text()))
            if a.keep:
                shutil.copyfile(img, os.path.join(work, "cut-%d.img" % i))
            clean, out, part = fsck(img, work)
            trial["fsck_clean"] = clean
            trial["outcome"] = "clean" if clean else "dirty"
            if not clean:
                awaiting_repair.append(trial)
            awaiting_resume.append(trial)
            if a.verify:
                r = subprocess.run(a.verify + " " + part, shell=True)
                if r.returncode != 0:
                    trial["outcome"] = "lost"
                    problems.append("trial %d: --verify exited %d" % (i, r.returncode))
            tally["trials"] += 1
            trial["_fsck"] = out
            print("powercut: trial %d seed %s: killed at %.2f s (%s), fsck %s, "
                  "last save %d" % (i, seed, at, phase, "clean" if clean else "dirty",
                                    last_saved))
            sys.stdout.flush()
            trials_done.append(trial)

        # The final boot judges the last cut and must complete.
        boot = Boot(img, a.timeout, log)
        status, _ = boot.run_until(a.timeout + 10)
        failed = judge(boot, status, 0, None)
        if failed or status != 0:
            tally["failed_boots"] += 1
            problems.append("final boot: %s (status %s)\n%s"
                            % (failed or "did not complete", status, boot.text()))
        clean, out, _ = fsck(img, work)
        if not clean:
            problems.append("fsck.fat -n after the final boot:\n" + out)
        for t in awaiting_repair:
            t["outcome"] = "unrepaired"
            problems.append("trial %d: volume not clean and never repaired" % t["trial"])
        if awaiting_resume:
            problems.append("cuts never followed by a resume line")
    finally:
        for boot in list(running):  # interrupted: no QEMU left behind
            boot.kill()
        for t in trials_done:
            o = t["outcome"]
            if o in ("clean", "repaired", "lost"):
                tally[o] += 1
            if results is not None:
                fs_out = t.pop("_fsck")
                if not t["fsck_clean"]:
                    t["fsck"] = fs_out
                results.write(json.dumps(t) + "\n")
        if results is not None:
            results.close()
        if a.keep:
            print("powercut: work directory " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    for p in problems:
        print("powercut: FAIL: " + p)
    print("powercut: %(trials)d trials, %(clean)d clean, %(repaired)d repaired "
          "at the next mount, %(lost)d lost, %(failed_boots)d failed boots" % tally)
    return 1 if problems or tally["lost"] or tally["failed_boots"] else 0


trials_done = []
running = []

if __name__ == "__main__":
    sys.exit(main())
