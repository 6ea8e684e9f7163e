#!/usr/bin/env python3
"""Writes the PyTorch golden files for the ResetAfter cell.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/gen_golden.py
Output: gru/grutest/testdata/golden/*.json (committed, so CI needs no torch).

Each file holds a GRU's random weights (PyTorch names and layouts), the input x,
h0 (or null), per-sequence lengths (or null), the upstream gradients dy and dhN,
and nn.GRU's outputs y, hN and gradients dx, dh0 and of every weight, all in
float64, for the loss  sum(y * dy) + sum(hN * dhN).
"""
import json
import os

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

CASES = [
    # name, D, H, layers, bidirectional, batch_first, T, B, lengths, with_h0
    ("l1_uni_h0", 4, 6, 1, False, False, 5, 3, None, True),
    ("l2_bi_packed_h0", 4, 5, 2, True, False, 6, 3, [6, 2, 4], True),
    ("l2_uni_packed", 3, 4, 2, False, False, 5, 4, [1, 5, 3, 2], False),
    ("l1_bi_batchfirst_packed", 5, 4, 1, True, True, 4, 3, [3, 4, 1], False),
    ("l1_uni_h17_packed_h0", 9, 17, 1, False, False, 7, 5, [7, 3, 6, 1, 7], True),
    ("l3_bi_h0", 2, 3, 3, True, False, 3, 2, None, True),
]


def case(name, D, H, layers, bi, batch_first, T, B, lengths, with_h0, seed):
    torch.manual_seed(seed)
    gru = torch.nn.GRU(D, H, num_layers=layers, bidirectional=bi, batch_first=batch_first).double()
    dirs = 2 if bi else 1
    shape = (B, T, D) if batch_first else (T, B, D)
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(layers * dirs, B, H, dtype=torch.float64, requires_grad=True) if with_h0 else None
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out, hN = gru(packed, h0)
        y, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    else:
        y, hN = gru(x, h0)
    dy = torch.randn_like(y)
    dhN = torch.randn_like(hN)
    ((y * dy).sum() + (hN * dhN).sum()).backward()

    flat = lambda t: t.detach().reshape(-1).tolist()
    return {
        "name": name,
        "torch_version": torch.__version__,
        "input_size": D, "hidden_size": H, "layers": layers,
        "bidirectional": bi, "batch_first": batch_first,
        "T": T, "B": B, "lengths": lengths,
        "x": flat(x), "h0": flat(h0) if with_h0 else None,
        "dy": flat(dy), "dhN": flat(dhN),
        "weights": {n: flat(p) for n, p in gru.named_parameters()},
        "shapes": {n: list(p.shape) for n, p in gru.named_parameters()},
        "y": flat(y), "hN": flat(hN),
        "dx": flat(x.grad), "dh0": flat(h0.grad) if with_h0 else None,
        "grads": {n: flat(p.grad) for n, p in gru.named_parameters()},
    }


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "gru", "grutest", "testdata", "golden")
    os.makedirs(out, exist_ok=True)
    for i, c in enumerate(CASES):
        with open(os.path.join(out, c[0] + ".json"), "w") as f:
            json.dump(case(*c, seed=1000 + i), f)
        print("wrote", c[0])


if __name__ == "__main__":
    main()
