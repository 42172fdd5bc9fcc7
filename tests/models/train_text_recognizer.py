#!/usr/bin/python3
"""Trains the CTC text recognizer the accuracy tests quantize.

  train_text_recognizer.py [--iterations=2500]

The model class of issue 8's recognizer (CRNN/SVTR-style OCR heads): a conv backbone (3x3 conv +
BN + ReLU, pooling to a 1-pixel-high feature sequence), one transformer block over the 32 time
steps (LayerNorm, multi-head self-attention with Q.K^T and P.V MatMuls, a GELU MLP, residuals) and
a linear CTC head: input `image` 1x1x32x128 (grey in [0, 1]), output `logits` 1x32x37 (blank + 0-9 +
a-z per step).

Data: words of 3-8 random characters rendered with Debian's fonts (DejaVu, Liberation, Lato) on
crops of real photos (the training photos of tools/example/sr_photos.py; the held-out samples use
the held-out photos and strings never drawn in training), slightly rotated and blurred.

Writes to tests/models/text_recognizer/: model.onnx, calib/NNNN.png (16 training-style samples),
eval/NNNN.png (16 held-out samples), calib.txt, eval.txt (eval lines relative to calib/),
labels.txt (the held-out strings), input_0.bin / expected_0.bin, meta.json. Prints the held-out
word accuracy of greedy CTC decoding.
"""
import argparse
import glob
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "example"))
import sr_photos  # noqa: E402

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
H, W, T = 32, 128, 32
OUT = os.path.join(HERE, "text_recognizer")
FONTS = sorted(f for pattern in ("dejavu/DejaVuSans*.ttf", "dejavu/DejaVuSerif*.ttf", "liberation2/*.ttf", "lato/Lato-*.ttf")
               for f in glob.glob("/usr/share/fonts/truetype/" + pattern))


class Recognizer(nn.Module):
    def __init__(self, d=64, heads=4):
        super().__init__()
        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        self.backbone = nn.Sequential(*block(1, 16), nn.MaxPool2d(2),          # 16x64
                                      *block(16, 32), nn.MaxPool2d(2),         # 8x32
                                      *block(32, 48), nn.MaxPool2d((2, 1)),    # 4x32
                                      *block(48, d), nn.MaxPool2d((4, 1)))     # 1x32
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.head = nn.Linear(d, len(ALPHABET) + 1)

    def forward(self, x):
        f = self.backbone(x).flatten(2).transpose(1, 2)  # [N, T, d]
        n, t, d = f.shape
        q, k, v = self.qkv(self.norm1(f)).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attn = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        f = f + self.proj((attn @ v).transpose(1, 2).reshape(n, t, d))
        f = f + self.mlp(self.norm2(f))
        return self.head(f)


def background(rng, photos):
    photo = photos[int(rng.integers(len(photos)))].hr
    h, w = photo.shape[:2]
    y, x = int(rng.integers(0, h - 2 * H)), int(rng.integers(0, w - 2 * W))
    crop = Image.fromarray(photo[y:y + 2 * H, x:x + 2 * W]).convert("L").resize((W, H), Image.BILINEAR)
    return np.asarray(crop, dtype=np.float32)


def render(rng, photos, text):
    """A grey 32x128 image of \\p text on a photo crop, as uint8."""
    font = ImageFont.truetype(FONTS[int(rng.integers(len(FONTS)))], int(rng.integers(18, 25)))
    layer = Image.new("L", (W * 2, H * 2), 0)
    ImageDraw.Draw(layer).text((int(rng.integers(4, 24)), int(rng.integers(12, 22))), text, fill=255, font=font)
    layer = layer.rotate(float(rng.uniform(-3, 3)), resample=Image.BILINEAR).resize((W, H), Image.BILINEAR)
    if rng.random() < 0.3:
        layer = layer.filter(ImageFilter.GaussianBlur(0.6))
    mask = np.asarray(layer, dtype=np.float32) / 255.0
    bg = background(rng, photos) * float(rng.uniform(0.4, 1.0))
    ink = float(rng.uniform(0, 60)) if bg.mean() > 90 else float(rng.uniform(190, 255))
    return np.clip(bg * (1 - mask) + ink * mask, 0, 255).astype(np.uint8)


def random_text(rng):
    return "".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), int(rng.integers(3, 9))))


def dataset(rng, photos, count, banned=()):
    images, texts = [], []
    while len(images) < count:
        text = random_text(rng)
        if text in banned:
            continue
        images.append(render(rng, photos, text))
        texts.append(text)
    return images, texts


def to_tensor(images):
    return torch.from_numpy(np.stack(images).astype(np.float32)[:, None] / 255.0)


def decode(logits):
    best = logits.argmax(-1).tolist()
    out, last = [], 0
    for c in best:
        if c != last and c != 0:
            out.append(ALPHABET[c - 1])
        last = c
    return "".join(out)


def train(net, images, texts, iterations):
    rng = np.random.default_rng(7)
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    x_all = to_tensor(images)
    targets = [torch.tensor([ALPHABET.index(c) + 1 for c in t]) for t in texts]
    start = time.time()
    for step in range(iterations):
        for group in optimizer.param_groups:
            group["lr"] = 1e-5 + 0.5 * (2e-3 - 1e-5) * (1 + math.cos(math.pi * step / iterations))
        idx = rng.integers(0, len(images), 32)
        x = x_all[idx]
        y = torch.cat([targets[i] for i in idx])
        lengths = torch.tensor([len(targets[i]) for i in idx])
        log_probs = net(x).log_softmax(-1).transpose(0, 1)  # [T, N, C]
        loss = F.ctc_loss(log_probs, y, torch.full((32,), T, dtype=torch.long), lengths, zero_infinity=True)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (step + 1) % 250 == 0:
            print(f"step {step + 1}/{iterations}: loss {loss.item():.4f}, {time.time() - start:.0f} s", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=2500)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(5)
    train_photos, test_photos = sr_photos.training_photos(), sr_photos.test_photos()
    images, texts = dataset(rng, train_photos, 6000)
    net = Recognizer()
    train(net, images, texts, args.iterations)
    net.eval()
    held_images, held_texts = dataset(np.random.default_rng(9), test_photos, 200, banned=set(texts))
    with torch.no_grad():
        logits = net(to_tensor(held_images))
    correct = sum(decode(l) == t for l, t in zip(logits, held_texts))
    print(f"held-out word accuracy: {correct}/{len(held_texts)}")

    os.makedirs(os.path.join(OUT, "calib"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "eval"), exist_ok=True)
    calib_images, _ = dataset(np.random.default_rng(10), train_photos, 16)
    for folder, imgs in (("calib", calib_images), ("eval", held_images[:16])):
        with open(os.path.join(OUT, folder + ".txt"), "w") as f:
            for i, img in enumerate(imgs):
                Image.fromarray(img).save(os.path.join(OUT, folder, f"{i:04d}.png"), optimize=True)
                f.write(f"{'' if folder == 'calib' else '../eval/'}{i:04d}.png\n")
    with open(os.path.join(OUT, "labels.txt"), "w") as f:
        f.write("".join(t + "\n" for t in held_texts[:16]))
    example = to_tensor(held_images[:1])
    path = os.path.join(OUT, "model.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, example, path, opset_version=13, input_names=["image"], output_names=["logits"])
    onnx.checker.check_model(onnx.load(path))
    example.numpy().tofile(os.path.join(OUT, "input_0.bin"))
    with torch.no_grad():
        net(example).numpy().tofile(os.path.join(OUT, "expected_0.bin"))
    meta = {"note": "CTC text recognizer (conv backbone, one self-attention block, GELU MLP), trained by "
                    "train_text_recognizer.py on words rendered over real photos",
            "inputs": [[1, 1, H, W]], "outputs": [[1, T, len(ALPHABET) + 1]]}
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
