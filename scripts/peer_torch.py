#!/usr/bin/env python3
"""PyTorch's nn.GRU timed on the same workloads as `gru bench`: the peer for every
speed claim (CPU with Debian's python3-torch; cuDNN on a GPU).

    /usr/bin/python3 scripts/peer_torch.py --device cpu --threads 2 --shapes 32x35x28x256,64x100x256x256 --json

--tf32 1 allows TF32 in cuBLAS and cuDNN, --tf32 0 (the default) forbids it: the
matched-precision peers of `gru bench --dtype tf32` and `--dtype float32`. --bf16 1
runs the forward (and the loss) under torch.autocast(dtype=torch.bfloat16), the
usual PyTorch peer of `gru bench --dtype bf16`. It is not matched precision: in the
PyTorch sources read, autocast casts cuDNN's RNN to float16 whatever dtype it is
given (aten/src/ATen/cudnn/AutocastRNN.cpp hardcodes kHalf) and its activations are
stored in that type, where gogru keeps float32 tensors and rounds only GEMM
operands to bfloat16. The rows name the dtype the GRU's output really came in.

forward: y, hN = gru(x) under no_grad.  train: forward, (y·dy).sum().backward() with
dx, and an SGD update: the same step as gogru's grubench.Case.TrainStep. Warm-up,
then the median of --runs, with torch.cuda.synchronize() before each stop of the clock.
--json prints the rows `gru bench --json` prints (scripts/benchjson.py), marked as a
peer's, so `gru plot bench` draws both sides in one chart.
"""
import argparse
import json
import statistics
import time

import torch

import benchjson  # scripts/benchjson.py: the rows gru bench --json writes


def timed(fn, warmup, runs, sync):
    for _ in range(warmup):
        fn()
    sync()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        sync()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts), max(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--shapes', default='32x35x28x256,64x100x256x256,64x100x512x512')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--json', action='store_true')
    ap.add_argument('--tf32', type=int, choices=(0, 1), default=0,
                    help='1 lets cuBLAS and cuDNN use TF32 tensor cores; 0 (default) is strict FP32. '
                         'PyTorch allows TF32 in cuDNN by default, so it is set explicitly either way')
    ap.add_argument('--bf16', type=int, choices=(0, 1), default=0,
                    help='1 runs the forward and the loss under torch.autocast(dtype=torch.bfloat16), '
                         "the peer of gru bench --dtype bf16 (cuDNN's RNN then runs in float16; see above)")
    a = ap.parse_args()
    if a.tf32 and a.bf16:
        ap.error('--tf32 1 and --bf16 1 are different precisions: choose one')
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = bool(a.tf32)
    torch.backends.cudnn.allow_tf32 = bool(a.tf32)
    dev = torch.device(a.device)
    precision = 'tf32' if a.tf32 and dev.type == 'cuda' else 'float32'

    def autocast():
        return torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bool(a.bf16))
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    torch.manual_seed(1)
    rows = []
    for s in a.shapes.split(','):
        B, T, D, H = (int(v) for v in s.split('x'))
        gru = torch.nn.GRU(D, H).to(dev)
        opt = torch.optim.SGD(gru.parameters(), lr=1e-3)
        x = torch.randn(T, B, D, device=dev, requires_grad=True)
        dy = torch.randn(T, B, H, device=dev)

        def forward():
            with torch.no_grad(), autocast():
                return gru(x)[0]

        def train():
            opt.zero_grad()
            x.grad = None
            with autocast():
                y, _ = gru(x)
                loss = (y * dy).sum()
            loss.backward()
            opt.step()

        if a.bf16:
            ran = str(forward().dtype).replace('torch.', '')
            precision = f'bf16 autocast (GRU ran in {ran})'

        for op, fn, mult in (('forward', forward, 1), ('train', train, 3)):
            sec, fastest, slowest = timed(fn, a.warmup, a.runs, sync)
            flops = mult * 2 * T * B * (D * 3 * H + H * 3 * H)
            rows.append({'machine': torch.cuda.get_device_name() if dev.type == 'cuda' else benchjson.host_cpu(),
                         'device': dev.type, 'precision': 'bf16' if a.bf16 else precision, 'peer': True,
                         'backend': f'torch {torch.__version__} {dev.type} {precision}' +
                         (f' ({torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()})' if dev.type == 'cuda'
                          else f' ({torch.get_num_threads()} threads)'),
                         'shape': f'B={B}/T={T}/D={D}/H={H}', 'B': B, 'T': T, 'D': D, 'H': H, 'variant': 'reset-after',
                         'op': op, 'ms_per_step': sec * 1e3, 'min_ms': fastest * 1e3, 'max_ms': slowest * 1e3, 'tokens_per_s': B * T / sec, 'gflop_per_s': flops / sec / 1e9})
    if a.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print(f"{r['shape']:28} {r['op']:8} {r['ms_per_step']:10.2f} ms {r['tokens_per_s']:12.0f} tok/s {r['gflop_per_s']:8.1f} GFLOP/s")


if __name__ == '__main__':
    main()
