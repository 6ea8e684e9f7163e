#!/usr/bin/env python3
"""Prints gogru's `gru bench --json` rows beside PyTorch's (scripts/peer_torch.py --json)
with the ratio of tokens/s, one row per shape, variant and op (ours "train-graph", a step
recorded as a CUDA graph and replayed, beside the peer's "train"; and GPU recurrent
kernel, in a column of its own, when the rows name one: gru bench --kernel
gemm,persistent). Times are the median of the runs with the fastest and slowest in
brackets, in ms. A peer file that is missing or empty leaves the peer columns blank.

    python3 scripts/bench_table.py gogru.json torch.json
"""
import json
import os
import sys


def load(path):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return []
    return json.load(open(path))


def ms(r):
    if r is None:
        return '-'
    if 'min_ms' in r:
        return f"{r['ms_per_step']:.2f} ({r['min_ms']:.2f}–{r['max_ms']:.2f})"
    return f"{r['ms_per_step']:.2f}"


def main():
    ours = load(sys.argv[1])
    peer = {(r['shape'], r['op']): r for r in load(sys.argv[2])}
    if ours:
        print(f"gogru: {ours[0]['backend']}")
    print(f"peer:  {next(iter(peer.values()))['backend']}" if peer else 'peer:  none')
    print()
    kernels = any(r.get('kernel') for r in ours)
    kernel_head, kernel_rule = ('kernel | ', '---|') if kernels else ('', '')
    print(f'| B, T, D, H | variant | {kernel_head}op | gogru tok/s | gogru ms (min–max) | peer tok/s | peer ms (min–max) | ratio |')
    print(f'|---|---|{kernel_rule}---|---:|---:|---:|---:|---:|')
    for r in ours:
        p = peer.get((r['shape'], r['op'].split('-')[0]))
        shape = ', '.join(str(r[k]) for k in ('B', 'T', 'D', 'H'))
        pt = f"{p['tokens_per_s']:.0f}" if p else '-'
        ratio = f"{r['tokens_per_s'] / p['tokens_per_s']:.2f}×" if p else '-'
        kernel = f"{r.get('kernel') or '-'} | " if kernels else ''
        print(f"| {shape} | {r['variant']} | {kernel}{r['op']} | {r['tokens_per_s']:.0f} | {ms(r)} | {pt} | {ms(p)} | {ratio} |")


if __name__ == '__main__':
    main()
