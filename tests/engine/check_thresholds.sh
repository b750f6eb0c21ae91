#!/usr/bin/env bash
# check_thresholds.sh GTS hot.bc OUTDIR
# `step` is called 150,000 times from a loop in main: with --sync-compile (and
# no loop tier-up, which would inline step into main's compiled loop) it is
# compiled at O0,
# O1, O2 and O3 at exactly 100, 1,000, 10,000 and 100,000 calls, as --stats
# and --profile-out both show.
set -eu
gts=$1 bc=$2 out=$3
mkdir -p "$out"
"$gts" run "$bc" --sync-compile --stats --profile-top-tier --loop-threshold=1000000000 \
  --profile-out "$out/hot.json" \
  >"$out/stdout" 2>"$out/stats"
cat "$out/stats"
grep -Eq '^step +150000 .* O3 +O0@100 O1@1000 O2@10000 O3@100000$' "$out/stats"
python3 - "$out/hot.json" <<'PY'
import json, sys
fns = {f["name"]: f for f in json.load(open(sys.argv[1]))["functions"]}
step = fns["step"]
got = [(c["tier"], c["at_call"]) for c in step["tier_changes"]]
want = [("O0", 100), ("O1", 1000), ("O2", 10000), ("O3", 100000)]
assert got == want, got
assert step["calls"] == 150000 and step["tier"] == "O3", step
assert step["min_cycles"] > 0 and step["max_cycles"] >= step["min_cycles"]
# Timed: the interpreter's 100 calls, then one in 64 of the O0-O2 calls;
# none of the O3 calls, which --profile-top-tier only counts.
assert 100000 // 64 <= step["timed_calls"] <= 100 + 100000 // 64 + 1, step
assert fns["main"]["calls"] == 1
print("profile json ok")
PY
# --stats also says where the start-up went: each phase took time, and the
# first output (one line, printed as main ends) came after all of them.
python3 - "$out/stats" <<'PY'
import re, sys
m = re.search(r"^gts: start-up: ([0-9.]+) ms to gts's main \(static "
              r"constructors\), ([0-9.]+) ms reading the app, ([0-9.]+) ms "
              r"setting up the engine; first output at ([0-9.]+) ms$",
              open(sys.argv[1]).read(), re.M)
assert m, "no start-up line"
main, read, setup, first = map(float, m.groups())
assert main > 0 and read > 0 and setup > 0, m.group(0)
assert first >= main + read + setup, m.group(0)
print("start-up line ok")
PY
# By default the top tier is not instrumented: counting stops at O3.
"$gts" run "$bc" --sync-compile --stats --loop-threshold=1000000000 2>&1 >/dev/null |
  grep -Eq '^step +100000 .* O3 +O0@100 O1@1000 O2@10000 O3@100000$'
# --trace-tiers reports each change as it happens.
"$gts" run "$bc" --sync-compile --trace-tiers --loop-threshold=1000000000 \
  2>&1 >/dev/null |
  grep -Eq '^gts: step -> O2 at call 10000 \([0-9.]+ ms: asked at [0-9.]+, waited [0-9.]+, compiled in [0-9.]+\)$'
# Custom thresholds move the tier-ups.
"$gts" run "$bc" --sync-compile --stats --tier-thresholds=5,50,500,5000 \
  --loop-threshold=1000000000 \
  2>&1 >/dev/null | grep -Eq 'O0@5 O1@50 O2@500 O3@5000$'
echo "custom thresholds ok"
