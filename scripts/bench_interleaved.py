#!/usr/bin/env python3
"""Times gogru and PyTorch's nn.GRU interleaved (A B A B ...) on the same shapes and
prints each side's median with its spread, and the speed ratio with its spread.

    /usr/bin/python3 scripts/bench_interleaved.py --gru bin/gru-openblas --threads 2 \\
        --shapes 32x35x28x256,64x100x256x256 --rounds 5 --runs 5 --warmup 2 \\
        --targets forward=1.5,train=2

Each round runs, for every shape, `gru bench` then scripts/peer_torch.py, each timing
--runs runs after --warmup warm-ups and reporting their median; so load that comes and
goes hits both sides alike. Over the rounds the table gives the median of the round
medians with min–max, and the ratio (PyTorch's time over gogru's, per round: above 1
means gogru is faster) with its min–max. A target counts as met only where the whole
ratio range clears it.

With --probe (bench_peer.sh builds scripts/machine_probe.c), each round also runs the
machine probe before every shape, and a second table gives its figures over the rounds:
the core's clock, its vector units and its cache path, measured on the same minutes as
the cells. A cell whose spread is no wider than the probe's is as steady as the machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import benchjson  # scripts/benchjson.py: the rows gru bench --json writes

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gru', required=True, help='the gru binary')
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--shapes', required=True)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--targets', default='', help='op=ratio pairs, e.g. forward=1.5,train=2')
    ap.add_argument('--probe', help='the machine probe binary (scripts/machine_probe.c), run before every shape of '
                                    'every round')
    ap.add_argument('--json', help='also write every round to this file')
    ap.add_argument('--rows', help='also write both sides as `gru bench --json` rows to this file (the median of the round '
                                   'medians, their min and max), for gru plot bench')
    a = ap.parse_args()
    targets = dict((k, float(v)) for k, v in (t.split('=') for t in a.targets.split(',') if t))
    env = dict(os.environ, GOMAXPROCS=str(a.threads))
    ours, peer, labels, templates, probes = {}, {}, {}, {}, []
    for r in range(a.rounds):
        for shape in a.shapes.split(','):
            if a.probe:
                probes.append(run_json([a.probe]))
            for row in run_json([a.gru, 'bench', '--device', 'cpu', '--shapes', shape, '--runs', str(a.runs),
                                 '--warmup', str(a.warmup), '--json'], env):
                ours.setdefault((shape, row['variant'], row['op']), []).append(row['ms_per_step'])
                templates.setdefault(('gogru', shape, row['variant'], row['op']), row)
                labels['gogru'] = row['backend']
            for row in run_json([sys.executable, os.path.join(HERE, 'peer_torch.py'), '--device', 'cpu', '--threads',
                                 str(a.threads), '--shapes', shape, '--runs', str(a.runs), '--warmup', str(a.warmup),
                                 '--json']):
                peer.setdefault((shape, row['op']), []).append(row['ms_per_step'])
                templates.setdefault(('peer', shape, row['op']), row)
                labels['peer'] = row['backend']
        print(f'round {r + 1}/{a.rounds} done', file=sys.stderr, flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'labels': labels, 'gogru': {'|'.join(k): v for k, v in ours.items()},
                       'peer': {'|'.join(k): v for k, v in peer.items()}, 'probe': probes}, f, indent=1)
    if a.rows:
        rows = [benchjson.summary(templates[('gogru',) + k], v) for k, v in ours.items()]
        rows += [benchjson.summary(templates[('peer',) + k], v) for k, v in peer.items()]
        with open(a.rows, 'w') as f:
            json.dump(rows, f, indent=1)
    print(f"gogru: {labels.get('gogru')}\npeer:  {labels.get('peer')}")
    print(f'{a.rounds} interleaved rounds; each value a median of {a.runs} runs after {a.warmup} warm-ups\n')
    print('| B, T, D, H | variant | op | gogru ms median (min–max) | PyTorch ms median (min–max) | ratio median (min–max) '
          '| gogru spread | target |')
    print('|---|---|---|---:|---:|---:|---:|---|')
    fmt = lambda v: f'{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})'
    spread = lambda v: f'{100 * (max(v) / min(v) - 1):.0f}%'
    for (shape, variant, op), ts in ours.items():
        ps = peer[(shape, op)]
        ratios = [p / t for p, t in zip(ps, ts)]
        verdict = ''
        if op in targets:
            goal = targets[op]
            verdict = (f'met (≥ {goal}×)' if min(ratios) >= goal else
                       f'missed (< {goal}×)' if max(ratios) < goal else f'unsure (spread crosses {goal}×)')
        print(f"| {shape.replace('x', ', ')} | {variant} | {op} | {fmt(ts)} | {fmt(ps)} | "
              f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) | {spread(ts)} | {verdict} |")
    if not probes:
        return
    print(f'\nThe machine probe (scripts/machine_probe.c), run before every shape of every round: {len(probes)} runs, '
          'each a median of 15 timings; spread is max/min − 1')
    print('\n| probe | bound by | median (min–max) | spread |\n|---|---|---:|---:|')
    for key, what, unit in (('scalar_ms', 'the clock (one dependent FMA chain)', 'ms'),
                            ('vector_gflops', 'the vector units (12 FMA chains)', 'GFLOP/s'),
                            ('l1_gbs', 'reads from 16 KiB', 'GB/s'), ('l2_gbs', 'reads from 256 KiB', 'GB/s'),
                            ('l3_gbs', 'reads from 4 MiB', 'GB/s')):
        v = [p[key] for p in probes if p.get(key) is not None]
        if v:
            print(f'| {key} | {what} | {fmt(v)} {unit} | {spread(v)} |')


if __name__ == '__main__':
    main()
