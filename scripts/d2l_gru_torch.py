#!/usr/bin/env python3
"""D2L's GRU recipe (chapter 10.2, concise implementation) in PyTorch: the peer that
`gru train` is compared with.

    /usr/bin/python3 scripts/d2l_gru_torch.py --data path/to/timemachine.txt --threads 2

Same data pipeline (letters only, lower case, char tokens, first 10000 tokens, D2L's
Vocab), sequential partitioning with a random offset per epoch, state detached between
batches, nn.GRU (hidden 256) → nn.Linear, cross-entropy, SGD lr 1, clip 1, 500 epochs.
"""
import argparse
import collections
import math
import random
import re
import time

import torch
from torch import nn
from torch.nn import functional as F


def load_corpus(path, max_tokens):
    with open(path) as f:
        lines = [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in f.readlines()]
    tokens = [list(line) for line in lines]
    counter = collections.Counter(t for line in tokens for t in line)
    freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
    idx = ['<unk>'] + [t for t, _ in freqs]
    to_idx = {t: i for i, t in enumerate(idx)}
    corpus = [to_idx[t] for line in tokens for t in line]
    return corpus[:max_tokens] if max_tokens > 0 else corpus, idx


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset: offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens]).reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]


class RNNModel(nn.Module):
    def __init__(self, vocab_size, hidden):
        super().__init__()
        self.vocab_size = vocab_size
        self.rnn = nn.GRU(vocab_size, hidden)
        self.linear = nn.Linear(hidden, vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).float()
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--epochs', type=int, default=500)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--steps', type=int, default=35)
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--lr', type=float, default=1.0)
    ap.add_argument('--max-tokens', type=int, default=10000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--device', default='cpu', help='cpu or cuda (cuDNN; TF32 forbidden, as strict FP32)')
    a = ap.parse_args()
    dev = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    torch.manual_seed(a.seed)
    corpus, vocab = load_corpus(a.data, a.max_tokens)
    net = RNNModel(len(vocab), a.hidden).to(dev)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=a.lr)
    where = (f'{torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}' if dev.type == 'cuda'
             else f'{torch.get_num_threads()} threads')
    print(f'torch {torch.__version__} on {dev.type} ({where}), {len(corpus)} tokens, vocab {len(vocab)}')
    t_start, tokens, train_s = time.time(), 0, 0.0
    for epoch in range(1, a.epochs + 1):
        t0, state, total, n = time.time(), None, 0.0, 0
        for X, Y in seq_data_iter_sequential(corpus, a.batch, a.steps):
            X, Y = X.to(dev), Y.to(dev)
            if state is None:
                state = torch.zeros((1, X.shape[0], a.hidden), device=dev)
            else:
                state.detach_()
            y = Y.T.reshape(-1)
            y_hat, state = net(X, state)
            l = loss_fn(y_hat, y.long()).mean()
            opt.zero_grad()
            l.backward()
            params = [p for p in net.parameters() if p.requires_grad]
            norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
            if norm > 1:
                for p in params:
                    p.grad[:] *= 1 / norm
            opt.step()
            total += l.item() * y.numel()
            n += y.numel()
        train_s += time.time() - t0
        tokens += n
        if epoch == 1 or epoch % 50 == 0 or epoch == a.epochs:
            print(f'epoch {epoch} perplexity {math.exp(total / n):.3f}', flush=True)
    print(f'final: perplexity {math.exp(total / n):.3f}, {tokens / train_s:.0f} tokens/s, '
          f'wall {time.time() - t_start:.1f}s (training {train_s:.1f}s)')


if __name__ == '__main__':
    main()
