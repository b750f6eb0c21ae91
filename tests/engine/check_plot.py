#!/usr/bin/env python3
"""check_plot.py GTS APP.bc PLOT_SCRIPT OUTDIR: a real profile becomes an SVG
with a row per function and a marker per tier change; a file that is not a
profile gets a one-line error."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

gts, bc, plot, out = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
prof, svg = os.path.join(out, "p.json"), os.path.join(out, "p.svg")
subprocess.run([gts, "run", bc, "--sync-compile", "--profile-out", prof],
               check=True, capture_output=True)
subprocess.run([sys.executable, plot, prof, svg, "--top", "50"], check=True)
fns = [f for f in json.load(open(prof))["functions"] if f["calls"]]
root = ET.parse(svg).getroot()
ns = "{http://www.w3.org/2000/svg}"
texts = {t.text for t in root.iter(ns + "text")}
missing = [f["name"] for f in fns if f["name"][:24] not in texts]
assert not missing, missing
markers = len(list(root.iter(ns + "circle")))
changes = sum(len(f["tier_changes"]) for f in fns)
assert markers == changes, (markers, changes)
print(f"{len(fns)} functions, {markers} tier-change markers")
bad = os.path.join(out, "bad.json")
open(bad, "w").write("not json")
r = subprocess.run([sys.executable, plot, bad, svg], capture_output=True,
                   text=True)
assert r.returncode == 1 and r.stderr.count("\n") == 1, r
assert "not a gts profile" in r.stderr
