#!/usr/bin/env python3
"""Loads files gru export wrote into the PyTorch module of docs/export.md and compares
its outputs with gogru's. gru/interop's tests run it where python3-torch is installed.

Usage: /usr/bin/python3 scripts/check_torch_export.py MODULE.py CASES.json
MODULE.py holds GRULM (the Python block of docs/export.md that defines it); CASES.json
is a list of {"file", "T", "B", "tokens": [T·B], "h0": [cells·B·H], "logits", "hn"},
time-major and flat, with gogru's outputs. Exits 1 when a case differs by more than
1e-5 relative (the 2-norm of the difference over that of gogru's values).
The safetensors file is read by hand, as the safetensors package is not in Debian.
"""
import json
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    dtypes = {"F32": np.float32, "F64": np.float64}
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtypes[h["dtype"]]).reshape(h["shape"]).copy())
    return tensors, meta


def rel_err(got, want):
    got, want = np.asarray(got, np.float64).ravel(), np.asarray(want, np.float64).ravel()
    return np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)


def main():
    module = {}
    with open(sys.argv[1]) as f:
        exec(f.read(), module)
    with open(sys.argv[2]) as f:
        cases = json.load(f)
    bad = 0
    for c in cases:
        state, meta = read_safetensors(c["file"])
        cfg = json.loads(meta["config"])
        model = module["GRULM"](cfg)
        model.load_state_dict(state)  # strict: every name and shape
        T, B, H = c["T"], c["B"], cfg["hidden_size"]
        tokens = torch.tensor(c["tokens"], dtype=torch.int64).reshape(T, B)
        h0 = torch.tensor(c["h0"], dtype=torch.float32).reshape(-1, B, H)
        with torch.no_grad():
            logits, hn = model(tokens, h0)
        e = max(rel_err(logits, c["logits"]), rel_err(hn, c["hn"]))
        print(f"{c['file']}: {cfg['cell']}, {cfg['num_layers']} layer(s), embedding {cfg['embedding_dim']}: relative error {e:.3g}")
        if not e <= 1e-5:
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
