#!/usr/bin/env python3
"""Writes a float32 nn.GRU's weights as safetensors, with an input and PyTorch's output.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/gen_pytorch_weights.py
Output (committed): gru/interop/testdata/pytorch_gru.safetensors and gru/interop/testdata/pytorch_gru.json.
The safetensors file is written by hand (header JSON + little-endian data), as the
safetensors package is not in Debian; PyTorch's safetensors.torch.load_file reads it.
"""
import json
import os
import struct

import torch

D, H, LAYERS, T, B = 5, 7, 2, 6, 3


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    torch.manual_seed(7)
    gru = torch.nn.GRU(D, H, num_layers=LAYERS, bidirectional=True)
    x = torch.randn(T, B, D)
    with torch.no_grad():
        y, hN = gru(x)
    out = os.path.join(os.path.dirname(__file__), "..", "gru", "interop", "testdata")
    write_safetensors(os.path.join(out, "pytorch_gru.safetensors"), dict(gru.named_parameters()))
    with open(os.path.join(out, "pytorch_gru.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "input_size": D, "hidden_size": H, "layers": LAYERS,
                   "bidirectional": True, "T": T, "B": B,
                   "x": x.reshape(-1).tolist(), "y": y.reshape(-1).tolist(), "hN": hN.reshape(-1).tolist()}, f)
    print("wrote", out)


if __name__ == "__main__":
    main()
