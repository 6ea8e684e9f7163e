#!/usr/bin/env python3
"""Prints gogru's `gru bench --json` rows beside PyTorch's (scripts/peer_torch.py --json)
with the ratio of tokens/s, one row per shape, variant and op.

    python3 scripts/bench_table.py gogru.json torch.json
"""
import json
import sys


def main():
    ours = json.load(open(sys.argv[1]))
    peer = {(r['shape'], r['op']): r for r in json.load(open(sys.argv[2]))}
    if ours:
        print(f"gogru: {ours[0]['backend']}")
    if peer:
        print(f"peer:  {next(iter(peer.values()))['backend']}")
    print(f"| {'B, T, D, H':22} | {'variant':12} | {'op':7} | {'gogru tok/s':>11} | {'gogru ms':>9} | {'PyTorch tok/s':>13} | {'ratio':>6} |")
    print(f"|{'-' * 24}|{'-' * 14}|{'-' * 9}|{'-' * 13}|{'-' * 11}|{'-' * 15}|{'-' * 8}|")
    for r in ours:
        p = peer.get((r['shape'], r['op']))
        shape = ', '.join(str(r[k]) for k in ('B', 'T', 'D', 'H'))
        pt = f"{p['tokens_per_s']:13.0f}" if p else f"{'-':>13}"
        ratio = f"{r['tokens_per_s'] / p['tokens_per_s']:5.2f}x" if p else f"{'-':>6}"
        print(f"| {shape:22} | {r['variant']:12} | {r['op']:7} | {r['tokens_per_s']:11.0f} | {r['ms_per_step']:9.2f} | {pt} | {ratio} |")


if __name__ == '__main__':
    main()
