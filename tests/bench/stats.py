#!/usr/bin/python3
"""Summarise benchmark samples for scripts/bench (tests/bench/run-bench).

Reads the lines the benchmark programs print (all in one file, on stdin)
and prints one section, chosen by the options:

  (default)         lines "<label> <milliseconds>": one row per label (those
                    of --names, in their order, if any are given): runs,
                    median, p10, p90, min, max; then the ratios --ratio A/B of
                    medians
  --steps PREFIX    lines "PREFIX RUN MS SIDE NAME" (chain-run --timings:
                    "step", vm-run: "vmstep"): per step, in order, the median
                    time since the client started and the median interval
                    from the step before (each run's own difference)
  --memory          lines "mem RUN PROC BEFORE AFTER PEAK" (kB, chain-run
                    --memory): per process the medians and the largest peak
  --samples         lines "sample RUN PROC RSS FDS THREADS CHILDREN",
                    "files RUN PLACE ENTRIES BYTES", "keys RUN UID KEYS"
                    (chain-run --sample): the first, second and last sample
                    and the range of each, so flat is flat to the eye
  --massif LABEL=FILE ...   valgrind massif profiles (not stdin): the peak and
                    the median (over the snapshots) of heap plus allocator
                    overhead
Nothing here judges a number."""
import argparse
import collections
import statistics
import sys


def pct(sorted_vals, p):
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    k = (len(sorted_vals) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def latency(lines, names, ratios):
    samples = collections.OrderedDict((label, []) for label in names)
    for line in lines:
        parts = line.split()
        if len(parts) != 2:
            continue
        try:
            samples.setdefault(parts[0], []).append(float(parts[1]))
        except ValueError:
            continue
    med = {}
    print(f"{'measurement':60} {'runs':>5} {'median':>9} {'p10':>9} {'p90':>9} {'min':>9} {'max':>9}")
    for label, vals in samples.items():
        if not vals or (names and label not in names):
            continue
        s = sorted(vals)
        med[label] = statistics.median(s)
        desc = names.get(label, label)
        print(f"{desc:60} {len(s):5d} {med[label]:9.2f} {pct(s, 10):9.2f} {pct(s, 90):9.2f} "
              f"{s[0]:9.2f} {s[-1]:9.2f}")
    print("(milliseconds)")
    for r in ratios:
        a, b = r.split("/")
        if a in med and b in med and med[b] > 0:
            print(f"ratio {a}/{b} (medians): {med[a] / med[b]:.2f}")
        else:
            print(f"ratio {a}/{b}: not available ({a if a not in med else b} was not measured)")


def steps(lines, prefix):
    runs = collections.OrderedDict()  # run -> [(name, side, ms)]
    order = []
    for line in lines:
        parts = line.split()
        if len(parts) != 5 or parts[0] != prefix or parts[2] == '-':
            continue
        run, ms, side, name = parts[1], float(parts[2]), parts[3], parts[4]
        runs.setdefault(run, []).append((name, side, ms))
        if (name, side) not in order:
            order.append((name, side))
    at = collections.defaultdict(list)
    gap = collections.defaultdict(list)
    for seq in runs.values():
        prev = 0.0
        for name, side, ms in seq:
            at[(name, side)].append(ms)
            gap[(name, side)].append(ms - prev)
            prev = ms
    print(f"{'step (' + str(len(runs)) + ' runs; ms since the client started)':60} {'side':>17} "
          f"{'at':>9} {'interval':>9}")
    for key in order:
        print(f"{key[0].replace('_', ' '):60} {key[1]:>17} {statistics.median(at[key]):9.1f} "
              f"{statistics.median(gap[key]):9.1f}")
    print("(medians over the runs; interval: from the step above, in each run)")


def memory(lines):
    rows = collections.OrderedDict()
    for line in lines:
        parts = line.split()
        if len(parts) == 6 and parts[0] == 'mem':
            rows.setdefault(parts[2], []).append(parts[3:])
    print(f"{'process':20} {'logins':>6} {'RSS before':>11} {'RSS after':>10} {'peak':>9} "
          f"{'max peak':>9} {'peak-before':>11}")
    for proc, vals in rows.items():
        before = [int(v[0]) for v in vals if v[0] != '-']
        after = [int(v[1]) for v in vals]
        peak = [int(v[2]) for v in vals]
        extra = [int(v[2]) - int(v[0]) for v in vals if v[0] != '-']
        b = f"{statistics.median(before):11.0f}" if before else f"{'-':>11}"
        e = f"{statistics.median(extra):11.0f}" if extra else f"{'-':>11}"
        print(f"{proc:20} {len(vals):6d} {b} {statistics.median(after):10.0f} "
              f"{statistics.median(peak):9.0f} {max(peak):9d} {e}")
    print("(kB, medians over the logins; peak: VmHWM during the login)")


def samples(lines):
    series = collections.OrderedDict()  # (kind, what) -> [(run, values)]
    heads = {'sample': ('RSS kB', 'fds', 'threads', 'children'),
             'files': ('entries', 'bytes'), 'keys': ('keys',)}
    for line in lines:
        parts = line.split()
        if parts and parts[0] in heads and len(parts) == 3 + len(heads[parts[0]]):
            series.setdefault((parts[0], parts[2]), []).append(
                (int(parts[1]), [int(x) for x in parts[3:]]))
    for (kind, what), vals in series.items():
        label = {'sample': '', 'files': 'files in ', 'keys': 'kernel keys of uid '}[kind] + what
        for i, head in enumerate(heads[kind]):
            seq = [v[i] for _, v in vals]
            shown = [f"{run}:{v[i]}" for run, v in vals[:2]] + \
                ([f"{vals[-1][0]}:{vals[-1][1][i]}"] if len(vals) > 2 else [])
            print(f"{label + ' ' + head:45} runs:value {' '.join(shown):40} "
                  f"range {min(seq)}..{max(seq)}")


def massif(files):
    print(f"{'vdagentd heap (valgrind massif)':45} {'snapshots':>9} {'peak kB':>9} {'median kB':>9}")
    for spec in files:
        label, path = spec.split("=", 1)
        snaps, cur = [], {}
        with open(path) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                if k in ("mem_heap_B", "mem_heap_extra_B"):
                    cur[k] = int(v)
                    if len(cur) == 2:
                        snaps.append(cur["mem_heap_B"] + cur["mem_heap_extra_B"])
                        cur = {}
        print(f"{label:45} {len(snaps):9d} {max(snaps) / 1024:9.1f} "
              f"{statistics.median(snaps) / 1024:9.1f}")
    print("(heap blocks plus the allocator's overhead, kB; median over massif's snapshots)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratio", action="append", default=[], help="A/B: ratio of medians")
    ap.add_argument("--names", action="append", default=[], help="label=description")
    ap.add_argument("--steps", metavar="PREFIX")
    ap.add_argument("--memory", action="store_true")
    ap.add_argument("--samples", action="store_true")
    ap.add_argument("--massif", nargs="+", metavar="LABEL=FILE")
    args = ap.parse_args()
    if args.massif:
        massif(args.massif)
        return
    lines = sys.stdin.read().splitlines()
    if args.steps:
        steps(lines, args.steps)
    elif args.memory:
        memory(lines)
    elif args.samples:
        samples(lines)
    else:
        latency(lines, collections.OrderedDict(n.split("=", 1) for n in args.names), args.ratio)


if __name__ == "__main__":
    main()
