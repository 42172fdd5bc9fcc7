#!/usr/bin/python3
"""Trains the small character-level GPT the accuracy tests quantize.

  train_tiny_gpt.py [--iterations=1500]

The "small GPT" class of issue 8: token embedding + learned positions, 2 pre-norm transformer
blocks (LayerNorm, 4-head causal self-attention with Q.K^T and P.V MatMuls and an additive causal
mask, a GELU MLP, residuals), a final LayerNorm and a linear head: input `tokens` 1x64 (int64
character ids), output `logits` 1x64x96 (the next character at every position).

Data: real English text that ships in every Debian system (/usr/share/common-licenses): trained
on GPL-3, GPL-2, Apache-2.0 and GFDL-1.3; the calibration windows come from the same texts, the
held-out windows from LGPL-2.1 and MPL-2.0, which training never saw.

Writes to tests/models/tiny_gpt/: model.onnx, calib/NNNN.bin (16 windows of 64 int64 tokens),
eval/NNNN.bin (16 held-out windows), calib.txt, eval.txt (eval lines relative to calib/),
quant.json is hand-written. Prints the held-out next-character accuracy of the float model.
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tiny_gpt")
LICENSES = "/usr/share/common-licenses/"
TRAIN_TEXTS = ["GPL-3", "GPL-2", "Apache-2.0", "GFDL-1.3"]
HELD_OUT_TEXTS = ["LGPL-2.1", "MPL-2.0"]
T, VOCAB = 64, 96  # printable ASCII 32..126 and one id for everything else (newline included)


def encode(text):
    return np.array([ord(c) - 32 if 32 <= ord(c) < 127 else 95 for c in text], dtype=np.int64)


def corpus(names):
    return np.concatenate([encode(open(LICENSES + n, encoding="utf-8", errors="replace").read()) for n in names])


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.register_buffer("mask", torch.triu(torch.full((T, T), -1e4), diagonal=1))

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) * (d // h) ** -0.5 + self.mask
        x = x + self.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.norm2(x))


class TinyGpt(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d)
        self.position = nn.Parameter(torch.zeros(1, T, d))
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, tokens):
        return self.head(self.norm(self.blocks(self.embed(tokens) + self.position)))


def windows(data, count, rng):
    starts = rng.integers(0, len(data) - T - 1, count)
    return np.stack([data[s:s + T] for s in starts]), np.stack([data[s + 1:s + T + 1] for s in starts])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=1500)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    train, held_out = corpus(TRAIN_TEXTS), corpus(HELD_OUT_TEXTS)
    model = TinyGpt()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.iterations)
    for it in range(args.iterations):
        x, y = windows(train, 16, rng)
        loss = F.cross_entropy(model(torch.from_numpy(x)).reshape(-1, VOCAB), torch.from_numpy(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if it % 500 == 0:
            print(f"iteration {it}: loss {loss.item():.3f}", flush=True)
    model.eval()

    os.makedirs(os.path.join(OUT, "calib"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "eval"), exist_ok=True)
    calib, _ = windows(train, 16, np.random.default_rng(1))
    evals, targets = windows(held_out, 16, np.random.default_rng(2))
    for folder, data in (("calib", calib), ("eval", evals)):
        for k, w in enumerate(data):
            w.reshape(1, T).astype("<i8").tofile(os.path.join(OUT, folder, f"{k:04d}.bin"))
    open(os.path.join(OUT, "calib.txt"), "w").write("".join(f"{k:04d}.bin\n" for k in range(16)))
    open(os.path.join(OUT, "eval.txt"), "w").write("".join(f"../eval/{k:04d}.bin\n" for k in range(16)))
    with torch.no_grad():
        logits = model(torch.from_numpy(evals))
        accuracy = (logits.argmax(-1).numpy() == targets).mean()
    print(f"held-out next-character accuracy (float): {100 * accuracy:.1f}%")
    torch.onnx.export(model, torch.from_numpy(calib[:1]), os.path.join(OUT, "model.onnx"), opset_version=13,
                      input_names=["tokens"], output_names=["logits"])


if __name__ == "__main__":
    main()
