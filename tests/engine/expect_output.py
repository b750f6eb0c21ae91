#!/usr/bin/env python3
"""expect_output.py CODE REGEX -- COMMAND...

COMMAND exits with CODE and its output (stdout, then stderr) matches REGEX
in full (Python re, DOTALL off). What PASS_REGULAR_EXPRESSION checks, plus
the exit status, which CTest's regex properties ignore.
"""
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: expect_output.py CODE REGEX -- COMMAND...")
    code, regex, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    ok = r.returncode == code and re.fullmatch(regex, out) is not None
    print(f"{'ok' if ok else 'FAIL'}: exit {r.returncode} (want {code}), "
          f"output {'matches' if re.fullmatch(regex, out) else 'does not match'}"
          f" {regex!r}")
    if not ok:
        print(f"output:\n{out}")
    sys.exit(0 if ok else 1)


main()
