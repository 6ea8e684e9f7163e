#!/usr/bin/env python3
"""Writes golden files for gogru's PyTorch language-model export: PyTorch's own
nn.Embedding / one-hot → nn.GRU → nn.Linear, its state_dict as safetensors, and its
outputs on seeded tokens and initial state.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/gen_pytorch_lm.py
Output (committed): gru/interop/testdata/pytorch_lm_{onehot,embedding}.{safetensors,json}.
The safetensors file is written by hand (header JSON + little-endian data), as the
safetensors package is not in Debian.
"""
import json
import os

import torch
from torch import nn

from gen_pytorch_weights import write_safetensors

V, H, T, B = 11, 6, 5, 3
CASES = {"onehot": dict(embed=0, layers=1), "embedding": dict(embed=5, layers=2)}


class LM(nn.Module):
    def __init__(self, embed, layers):
        super().__init__()
        if embed:
            self.embedding = nn.Embedding(V, embed)
        self.gru = nn.GRU(embed or V, H, num_layers=layers)
        self.linear = nn.Linear(H, V)

    def forward(self, tokens, h0):
        if hasattr(self, "embedding"):
            x = self.embedding(tokens)
        else:
            x = nn.functional.one_hot(tokens, V).float()
        y, hn = self.gru(x, h0)
        return self.linear(y), hn


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "gru", "interop", "testdata")
    for i, (name, c) in enumerate(CASES.items()):
        torch.manual_seed(11 + i)
        model = LM(c["embed"], c["layers"])
        tokens = torch.randint(0, V, (T, B))
        h0 = torch.randn(c["layers"], B, H)
        with torch.no_grad():
            logits, hn = model(tokens, h0)
        write_safetensors(os.path.join(out, f"pytorch_lm_{name}.safetensors"), model.state_dict())
        with open(os.path.join(out, f"pytorch_lm_{name}.json"), "w") as f:
            json.dump({"torch_version": torch.__version__, "vocab": V, "embed": c["embed"], "hidden": H,
                       "layers": c["layers"], "T": T, "B": B, "tokens": tokens.reshape(-1).tolist(),
                       "h0": h0.reshape(-1).tolist(), "logits": logits.reshape(-1).tolist(),
                       "hn": hn.reshape(-1).tolist()}, f)
    print("wrote", out)


if __name__ == "__main__":
    main()
