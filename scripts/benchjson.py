"""The rows `gru bench --json` writes (internal/benchfile), for the Python peers:
scripts/peer_torch.py writes them, scripts/bench_interleaved.py --rows summarises
its rounds as them, and `gru plot bench` draws any mix of them.

A row: machine, backend, device (cpu, cuda), precision (float32, tf32, bf16),
peer (true for PyTorch and cuDNN), shape and B, T, D, H, variant (the cell), op
(forward, train), ms_per_step (the median), min_ms, max_ms, tokens_per_s.
"""
import os
import statistics


def host_cpu():
    """This machine's processor as gogru's HostCPU names it: "AMD EPYC, 2 CPUs"."""
    model = os.uname().machine
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                k, _, v = line.partition(':')
                if k.strip() == 'model name':
                    model = ' '.join(v.split())
                    break
    except OSError:
        pass
    n = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    return f'{model}, {n} CPUs'


def summary(row, times_ms):
    """row with its timing replaced by the median of times_ms (ms per step), their
    fastest and slowest, and the tokens/s of the median."""
    out = dict(row)
    med = statistics.median(times_ms)
    out.update(ms_per_step=med, min_ms=min(times_ms), max_ms=max(times_ms),
               tokens_per_s=row['B'] * row['T'] / (med / 1e3))
    out.pop('gflop_per_s', None)
    out.pop('speedup_vs_cpu', None)
    return out
