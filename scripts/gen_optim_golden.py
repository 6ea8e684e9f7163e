#!/usr/bin/env python3
"""Writes the golden file of torch.optim updates that gogru's optimisers are checked on.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/gen_optim_golden.py
Output: gru/grutest/testdata/optim/torch_optim.json (committed, so CI needs no torch);
grutest.OptimizersMatchTorch replays it on every backend.

Each case gives an optimiser (sgd, adam or adamw, with its hyperparameters) and a
learning-rate schedule in gogru's terms (kind, warmup, step_size, gamma, total),
built here from torch.optim.lr_scheduler as gogru's optim.Schedule documents:
LinearLR(start_factor=1/warmup, total_iters=warmup-1) for the warm-up, then
StepLR or CosineAnnealingLR (eta_min 0), joined by SequentialLR at milestone warmup.
It holds the initial parameters, the gradient of every step (seeded random, the
same whatever the parameters, so that only the optimiser is under test), and
after every step the learning rate that step used and the parameters, all float64.
The cosine cases end at their total: past it, torch's cosine rises again, gogru's
stays at 0 (tested by hand in gru/optim).
"""
import json
import os
import warnings

import torch

STEPS = 12

CASES = [
    # name, optimiser, hyperparameters, schedule
    ("sgd", "sgd", dict(lr=0.1), dict(kind="constant")),
    ("sgd_wd_warmup", "sgd", dict(lr=0.5, weight_decay=0.1), dict(kind="constant", warmup=4)),
    ("sgd_momentum_wd_step", "sgd", dict(lr=0.2, momentum=0.9, weight_decay=0.01),
     dict(kind="step", warmup=2, step_size=3, gamma=0.5)),
    ("adam", "adam", dict(lr=0.01), dict(kind="constant")),
    ("adam_cosine", "adam", dict(lr=0.05), dict(kind="cosine", total=STEPS)),
    ("adamw_defaults", "adamw", dict(), dict(kind="constant")),
    ("adamw_cosine_warmup", "adamw", dict(lr=0.02, weight_decay=0.1), dict(kind="cosine", warmup=3, total=STEPS)),
    ("adamw_step", "adamw", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
     dict(kind="step", step_size=4, gamma=0.1)),
]

SHAPES = [(3, 4), (5,)]


def scheduler(opt, s):
    lrs = torch.optim.lr_scheduler
    warmup = s.get("warmup", 0)
    kind = s["kind"]
    if kind == "step":
        main = lrs.StepLR(opt, step_size=s["step_size"], gamma=s["gamma"])
    elif kind == "cosine":
        main = lrs.CosineAnnealingLR(opt, T_max=s["total"] - warmup, eta_min=0)
    else:
        main = lrs.ConstantLR(opt, factor=1.0, total_iters=0)
    if warmup <= 1:
        return main
    warm = lrs.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup - 1)
    return lrs.SequentialLR(opt, schedulers=[warm, main], milestones=[warmup])


def case(name, kind, hyper, sched, seed):
    torch.manual_seed(seed)
    params = [torch.randn(*s, dtype=torch.float64, requires_grad=True) for s in SHAPES]
    initial = [p.detach().reshape(-1).tolist() for p in params]
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    opt = cls(params, **hyper)
    sch = scheduler(opt, sched)
    steps = []
    for _ in range(STEPS):
        grads = [torch.randn(*s, dtype=torch.float64) for s in SHAPES]
        lr = opt.param_groups[0]["lr"]
        opt.zero_grad()
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step()
        sch.step()
        steps.append({
            "lr": lr,
            "grads": [g.reshape(-1).tolist() for g in grads],
            "params": [p.detach().reshape(-1).tolist() for p in params],
        })
    g = opt.param_groups[0]
    return {
        "name": name,
        "optimizer": kind,
        "lr": opt.defaults["lr"],
        "momentum": g.get("momentum", 0.0),
        "betas": list(g.get("betas", (0.0, 0.0))),
        "eps": g.get("eps", 0.0),
        "weight_decay": g["weight_decay"],
        "schedule": {"kind": sched["kind"], "warmup": sched.get("warmup", 0), "step_size": sched.get("step_size", 0),
                     "gamma": sched.get("gamma", 0.0), "total": sched.get("total", 0)},
        "shapes": [list(s) for s in SHAPES],
        "initial": initial,
        "steps": steps,
    }


def main():
    warnings.simplefilter("ignore", UserWarning)  # SequentialLR's own use of a deprecated argument
    out = os.path.join(os.path.dirname(__file__), "..", "gru", "grutest", "testdata", "optim", "torch_optim.json")
    cases = [case(*c, seed=100 + i) for i, c in enumerate(CASES)]
    with open(out, "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
