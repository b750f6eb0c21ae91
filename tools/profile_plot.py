#!/usr/bin/env python3
"""profile_plot.py PROFILE.json OUT.svg [--top N]

Draws a gts profile (`gts run --profile-out`) as an SVG: one row per function
(the N with the most cycles), a bar for its share of all cycles, and its tier
history on a time line (milliseconds since the engine started), one marker
per tier change. Standard library only.
"""
import argparse
import json
import sys
from xml.sax.saxutils import escape

TIER_COLORS = {"interp": "#9e9e9e", "O0": "#90caf9", "O1": "#42a5f5",
               "O2": "#1e88e5", "O3": "#0d47a1", "Os": "#8e24aa", "Oz": "#6a1b9a"}
ROW, LEFT, BAR, GAP, TIMELINE = 22, 190, 160, 20, 420


def load(path):
    try:
        with open(path) as f:
            fns = json.load(f)["functions"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"profile_plot: {path}: not a gts profile ({e})")
    return [f for f in fns if f.get("calls", 0) > 0]


def svg(fns, top):
    fns = sorted(fns, key=lambda f: -f["total_cycles"])[:top]
    total = sum(f["total_cycles"] for f in fns) or 1
    end_ms = max([c["ms"] for f in fns for c in f["tier_changes"]] + [1.0])
    width = LEFT + BAR + GAP + TIMELINE + 20
    height = ROW * (len(fns) + 3)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="monospace" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="15">inclusive cycles</text>',
           f'<text x="{LEFT + BAR + GAP}" y="15">tier changes over time '
           f'(0 to {end_ms:.1f} ms)</text>']
    for i, f in enumerate(fns):
        y = ROW * (i + 1) + 8
        share = f["total_cycles"] / total
        color = TIER_COLORS.get(f["tier"], "#000")
        out.append(f'<text x="4" y="{y + 12}">{escape(f["name"][:24])}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{max(1, share * BAR):.1f}" '
                   f'height="14" fill="{color}"><title>{share:.1%} of cycles, '
                   f'{f["calls"]} calls, now {f["tier"]}</title></rect>')
        x0 = LEFT + BAR + GAP
        out.append(f'<line x1="{x0}" y1="{y + 7}" x2="{x0 + TIMELINE}" '
                   f'y2="{y + 7}" stroke="#ddd"/>')
        for c in f["tier_changes"]:
            x = x0 + c["ms"] / end_ms * TIMELINE
            out.append(f'<circle cx="{x:.1f}" cy="{y + 7}" r="5" '
                       f'fill="{TIER_COLORS.get(c["tier"], "#000")}"><title>'
                       f'{c["tier"]} at call {c["at_call"]}, {c["ms"]:.1f} ms'
                       f'</title></circle>')
    y = ROW * (len(fns) + 2)
    for k, (tier, color) in enumerate(TIER_COLORS.items()):
        out.append(f'<rect x="{4 + k * 70}" y="{y}" width="12" height="12" '
                   f'fill="{color}"/><text x="{20 + k * 70}" y="{y + 11}">'
                   f'{tier}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("profile")
    ap.add_argument("out")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    fns = load(args.profile)
    if not fns:
        sys.exit(f"profile_plot: {args.profile}: no function ran")
    with open(args.out, "w") as f:
        f.write(svg(fns, args.top))
    print(f"profile_plot: {len(fns[:args.top])} functions -> {args.out}")


if __name__ == "__main__":
    main()
