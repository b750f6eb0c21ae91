#!/usr/bin/env python3
"""Runs every fuzz test of a build for longer than CTest does.

usage: long_run.py BUILD_DIR SECONDS [NAME_REGEX]
Takes each fuzz.* test's command and environment from CTest, raises
-max_total_time to SECONDS and runs the targets one after another. Prints
one line per target (executions, outcome) and exits non-zero if any failed.
"""
import json
import os
import re
import subprocess
import sys


def main():
    build, seconds = sys.argv[1], sys.argv[2]
    pattern = re.compile(sys.argv[3] if len(sys.argv) > 3 else ".")
    info = json.loads(subprocess.run(
        ["ctest", "-L", "fuzz", "--show-only=json-v1"], cwd=build,
        check=True, capture_output=True).stdout)
    failed = 0
    for test in info["tests"]:
        name = test["name"]
        if name.endswith(".regressions") or not pattern.search(name):
            continue
        env = dict(os.environ)
        for prop in test.get("properties", []):
            if prop["name"] == "ENVIRONMENT":
                env.update(v.split("=", 1) for v in prop["value"])
        cmd = test["command"] + ["-max_total_time=" + seconds]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        print("%s: %s" % (name, (p.stdout + p.stderr).strip().splitlines()[-1]),
              flush=True)
        failed += p.returncode != 0
    sys.exit(1 if failed else 0)


main()
