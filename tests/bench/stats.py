#!/usr/bin/python3
"""Summarise benchmark samples for scripts/bench.

Input lines "<label> <milliseconds>"; output one row per label, in order of
first appearance: runs, median, p10, p90, min, max (milliseconds), then the
ratios asked for with --ratio A/B (medians)."""
import argparse
import statistics
import sys


def pct(sorted_vals, p):
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    k = (len(sorted_vals) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratio", action="append", default=[], help="A/B: ratio of medians")
    ap.add_argument("--names", action="append", default=[], help="label=description")
    args = ap.parse_args()
    names = dict(n.split("=", 1) for n in args.names)
    samples = {}
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 2:
            continue
        try:
            samples.setdefault(parts[0], []).append(float(parts[1]))
        except ValueError:
            continue
    med = {}
    print(f"{'measurement':52} {'runs':>5} {'median':>9} {'p10':>9} {'p90':>9} {'min':>9} {'max':>9}")
    for label, vals in samples.items():
        s = sorted(vals)
        med[label] = statistics.median(s)
        desc = names.get(label, label)
        print(f"{desc:52} {len(s):5d} {med[label]:9.2f} {pct(s, 10):9.2f} {pct(s, 90):9.2f} {s[0]:9.2f} {s[-1]:9.2f}")
    print("(milliseconds)")
    for r in args.ratio:
        a, b = r.split("/")
        if a in med and b in med and med[b] > 0:
            print(f"ratio {a}/{b} (medians): {med[a] / med[b]:.2f}")
        else:
            print(f"ratio {a}/{b}: not available ({a if a not in med else b} was not measured)")


if __name__ == "__main__":
    main()
