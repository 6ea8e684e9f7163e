#!/usr/bin/env python3
"""Sums Nsight Compute's per-launch GPU time by kernel and prints each kernel's share.

    python3 scripts/ncu_shares.py ncu.txt

ncu.txt is the output of `ncu --metrics gpu__time_duration.sum --csv PROGRAM ...`, one
or more runs concatenated, each introduced by a line starting '--- ' that names it.
Rows of other output (the program's own) are ignored. Launch overhead between kernels
is not in these numbers: they are time on the GPU only.
"""
import collections
import csv
import sys

UNITS = {'nsecond': 1e-3, 'ns': 1e-3, 'usecond': 1.0, 'us': 1.0, 'msecond': 1e3, 'ms': 1e3, 'second': 1e6, 's': 1e6}


def report(title, times, counts):
    total = sum(times.values())
    print(f'#### {title}: {sum(counts.values())} kernel launches, {total / 1e3:.2f} ms of GPU time')
    print('| kernel | launches | GPU ms | share |')
    print('|---|---:|---:|---:|')
    for name, t in sorted(times.items(), key=lambda kv: -kv[1])[:8]:
        print(f'| `{name[:110]}` | {counts[name]} | {t / 1e3:.3f} | {100 * t / total:.1f}% |')
    print()


def main():
    runs = []
    header = None
    for line in open(sys.argv[1], errors='replace'):
        if line.startswith('--- '):
            runs.append((line[4:].strip(), collections.Counter(), collections.Counter()))
            header = None
            continue
        if not line.startswith('"'):
            continue
        row = next(csv.reader([line]))
        if header is None or row[0] == 'ID':
            header = {name: i for i, name in enumerate(row)}
            continue
        if not runs:
            runs.append(('run', collections.Counter(), collections.Counter()))
        try:
            if row[header['Metric Name']] != 'gpu__time_duration.sum':
                continue
            name = row[header['Kernel Name']].split('(')[0].strip()
            value = float(row[header['Metric Value']].replace(',', '')) * UNITS[row[header['Metric Unit']]]
        except (KeyError, IndexError, ValueError):
            continue
        runs[-1][1][name] += value
        runs[-1][2][name] += 1
    if not any(times for _, times, _ in runs):
        print('ncu_shares: no gpu__time_duration.sum rows found', file=sys.stderr)
        return 1
    for title, times, counts in runs:
        if times:
            report(title, times, counts)
    return 0


if __name__ == '__main__':
    sys.exit(main())
