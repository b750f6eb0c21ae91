"""Timing of whole processes for the bench/ scripts.

run(cmd) starts a process and returns its wall time (time.perf_counter, from
just before the start to its exit), its own CPU time (user + system of the
process and all its threads, from wait4's rusage: exact per child, not the
10 ms ticks of os.times()), the time until its first byte on stdout (time to
first token for an app that flushes each token), its stdout and exit status.

tinyllama_15m(build, steps) is the argument list of TinyLlama's greedy run
on the generated 15M-shaped checkpoint that the TinyLlama scripts time.

busy_core() is a context manager that keeps one core spinning, for the
loaded-machine mode.
"""
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


class Result:
    def __init__(self, wall, cpu, first, out, err, rc):
        self.wall, self.cpu, self.first = wall, cpu, first
        self.out, self.err, self.rc = out, err, rc


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tinyllama_15m(build, steps):
    return [os.path.join(build, "apps", "tinyllama", "models",
                         "stories15M_shape.bin"), "-z",
            os.path.join(REPO, "apps", "tinyllama", "models",
                         "tokenizer.bin"),
            "-t", "0", "-n", str(steps), "-i", "Once upon a time"]


def run(cmd):
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        first = None
        chunks = []
        while True:
            b = os.read(p.stdout.fileno(), 1 << 16)
            if not b:
                break
            if first is None:
                first = time.perf_counter() - start
            chunks.append(b)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stdout.close()
        err.seek(0)
        return Result(wall, ru.ru_utime + ru.ru_stime,
                      first if first is not None else wall, b"".join(chunks),
                      err.read(), p.returncode)


def median_of(cmd, runs, check=None):
    """Runs cmd `runs` times; returns the per-field medians (wall, cpu,
    first) and the last Result. check(result) may raise SystemExit."""
    results = []
    for _ in range(runs):
        r = run(cmd)
        if check:
            check(r)
        results.append(r)
    med = {k: statistics.median(getattr(r, k) for r in results)
           for k in ("wall", "cpu", "first")}
    return med, results[-1]


@contextlib.contextmanager
def busy_core(enabled=True):
    """Keeps one core busy with a spinning child while the block runs."""
    if not enabled:
        yield
        return
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # let it reach the run queue
        yield
    finally:
        os.kill(spin.pid, signal.SIGKILL)
        spin.wait()


def geomean(xs):
    return statistics.geometric_mean(xs)
