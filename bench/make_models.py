#!/usr/bin/python3
"""Builds the benchmark models (random weights: speed does not depend on them).

  detector.onnx     YOLOv8n-like conv net (Conv+SiLU, C2f-style blocks, SPPF, FPN head), 1x3x640x640
  transformer.onnx  4-layer pre-norm transformer encoder, dim 256, 8 heads, 1x128x256 tokens
  mobilenet.onnx    MobileNetV2-style net with depthwise convs, 1x3x224x224
  linedet.onnx      mobile text/line detector: MobileNetV3-style backbone (depthwise, HardSwish,
                    squeeze-excite), FPN-lite neck, probability map at 1/4 scale, 1x3x640x640
  face.onnx         face-detector-sized net (SCRFD/RetinaFace-mobile class: 0.25-width
                    depthwise-separable backbone, three heads), 1x3x640x640
  srgen.onnx        SR generator (residual blocks of 3x3 convs, LeakyReLU, PixelShuffle x2), 1x3x128x128
  recognizer.onnx   CTC text recognizer (conv stem, 2 transformer blocks, per-column classes), 1x3x48x320

Needs python3-torch and python3-onnx (Debian). Usage: /usr/bin/python3 bench/make_models.py OUT_DIR
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def conv(cin, cout, k=3, s=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.SiLU())


class Bottleneck(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a, self.b = conv(c, c), conv(c, c)

    def forward(self, x):
        return x + self.b(self.a(x))


class C2f(nn.Module):
    def __init__(self, cin, cout, n=1):
        super().__init__()
        self.c = cout // 2
        self.cv1 = conv(cin, 2 * self.c, 1)
        self.m = nn.ModuleList(Bottleneck(self.c) for _ in range(n))
        self.cv2 = conv((2 + n) * self.c, cout, 1)

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cv1, self.cv2 = conv(c, c // 2, 1), conv(c * 2, c, 1)

    def forward(self, x):
        x = self.cv1(x)
        y1 = F.max_pool2d(x, 5, 1, 2)
        y2 = F.max_pool2d(y1, 5, 1, 2)
        return self.cv2(torch.cat([x, y1, y2, F.max_pool2d(y2, 5, 1, 2)], 1))


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv(3, 16, 3, 2), conv(16, 32, 3, 2), C2f(32, 32))
        self.p3 = nn.Sequential(conv(32, 64, 3, 2), C2f(64, 64, 2))
        self.p4 = nn.Sequential(conv(64, 128, 3, 2), C2f(128, 128, 2))
        self.p5 = nn.Sequential(conv(128, 256, 3, 2), C2f(256, 256), SPPF(256))
        self.up4 = C2f(256 + 128, 128)
        self.up3 = C2f(128 + 64, 64)
        self.head3 = nn.Conv2d(64, 84, 1)
        self.head4 = nn.Conv2d(128, 84, 1)
        self.head5 = nn.Conv2d(256, 84, 1)

    def forward(self, x):
        p3 = self.p3(self.stem(x))
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        u4 = self.up4(torch.cat([F.interpolate(p5, scale_factor=2.0, mode="nearest"), p4], 1))
        u3 = self.up3(torch.cat([F.interpolate(u4, scale_factor=2.0, mode="nearest"), p3], 1))
        outs = [self.head3(u3), self.head4(u4), self.head5(p5)]
        return torch.cat([o.flatten(2) for o in outs], 2)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h = heads
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.f1, self.f2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.n1(x)).chunk(3, -1)
        sp = lambda z: z.reshape(b, t, self.h, d // self.h).transpose(1, 2)
        q, k, v = sp(q), sp(k), sp(v)
        a = torch.softmax(q @ k.transpose(-2, -1) * (d // self.h) ** -0.5, -1)
        x = x + self.proj((a @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.f2(F.gelu(self.f1(self.n2(x))))


class Transformer(nn.Module):
    def __init__(self, d=256, heads=8, layers=4):
        super().__init__()
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)

    def forward(self, x):
        return self.norm(self.blocks(x))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, s, e=6):
        super().__init__()
        h = cin * e
        self.use_res = s == 1 and cin == cout
        self.body = nn.Sequential(conv(cin, h, 1), conv(h, h, 3, s, groups=h),
                                  nn.Conv2d(h, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return x + self.body(x) if self.use_res else self.body(x)


class MobileNet(nn.Module):
    def __init__(self):
        super().__init__()
        cfg = [(16, 1, 1), (24, 2, 2), (32, 3, 2), (64, 4, 2), (96, 3, 1), (160, 3, 2), (320, 1, 1)]
        layers, c = [conv(3, 32, 3, 2), conv(32, 32, 3, 1, groups=32), nn.Conv2d(32, 16, 1)], 16
        for cout, n, s in cfg[1:]:
            for i in range(n):
                layers.append(InvertedResidual(c, cout, s if i == 0 else 1))
                c = cout
        layers.append(conv(c, 1280, 1))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(1280, 1000)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


def dsconv(cin, cout, s=1, act=nn.ReLU):
    """Depthwise 3x3 then pointwise 1x1, each with BatchNorm and act."""
    return nn.Sequential(nn.Conv2d(cin, cin, 3, s, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), act(),
                         nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), act())


class SqueezeExcite(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(c, c // 4, 1), nn.Conv2d(c // 4, c, 1)

    def forward(self, x):
        return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))


class V3Block(nn.Module):
    """MobileNetV3 bottleneck: expand 1x1, depthwise k x k, optional squeeze-excite, project 1x1."""

    def __init__(self, cin, h, cout, k, s, se):
        super().__init__()
        self.use_res = s == 1 and cin == cout
        layers = [nn.Conv2d(cin, h, 1, bias=False), nn.BatchNorm2d(h), nn.Hardswish(),
                  nn.Conv2d(h, h, k, s, k // 2, groups=h, bias=False), nn.BatchNorm2d(h), nn.Hardswish()]
        if se:
            layers.append(SqueezeExcite(h))
        layers += [nn.Conv2d(h, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x) if self.use_res else self.body(x)


class LineDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.Hardswish())
        cfg = [(16, 16, 16, 3, 1, False), (16, 64, 24, 3, 2, False), (24, 72, 24, 3, 1, False),  # 1/4
               (24, 72, 40, 5, 2, True), (40, 120, 40, 5, 1, True),  # 1/8
               (40, 240, 80, 3, 2, False), (80, 200, 80, 3, 1, False), (80, 480, 112, 3, 1, True),  # 1/16
               (112, 672, 160, 5, 2, True), (160, 960, 160, 5, 1, True)]  # 1/32
        self.stages = nn.ModuleList(V3Block(*c) for c in cfg)
        self.taps = {2: 0, 4: 1, 7: 2, 9: 3}
        self.lateral = nn.ModuleList(nn.Conv2d(c, 64, 1) for c in (24, 40, 112, 160))
        self.smooth = nn.ModuleList(dsconv(64, 16, act=nn.Hardswish) for _ in range(4))
        self.head = nn.Sequential(nn.Conv2d(64, 16, 3, 1, 1), nn.ReLU(), nn.ConvTranspose2d(16, 16, 2, 2),
                                  nn.ReLU(), nn.ConvTranspose2d(16, 1, 2, 2), nn.Sigmoid())

    def forward(self, x):
        x, feats = self.stem(x), []
        for i, block in enumerate(self.stages):
            x = block(x)
            if i in self.taps:
                feats.append(self.lateral[self.taps[i]](x))
        for i in range(3, 0, -1):  # top-down
            feats[i - 1] = feats[i - 1] + F.interpolate(feats[i], scale_factor=2.0, mode="nearest")
        outs = [F.interpolate(s(f), scale_factor=2.0 ** i, mode="nearest") for i, (s, f) in
                enumerate(zip(self.smooth, feats))]
        return self.head(torch.cat(outs, 1))


class FaceDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.s8 = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                                dsconv(8, 16), dsconv(16, 32, 2), dsconv(32, 32), dsconv(32, 64, 2), dsconv(64, 64))
        self.s16 = nn.Sequential(dsconv(64, 128, 2), *[dsconv(128, 128) for _ in range(5)])
        self.s32 = nn.Sequential(dsconv(128, 256, 2), dsconv(256, 256))
        self.lat = nn.ModuleList(nn.Conv2d(c, 64, 1) for c in (64, 128, 256))
        self.heads = nn.ModuleList(nn.Conv2d(64, 2 * (1 + 4 + 10), 3, 1, 1) for _ in range(3))

    def forward(self, x):
        c3 = self.s8(x)
        c4 = self.s16(c3)
        c5 = self.s32(c4)
        p5 = self.lat[2](c5)
        p4 = self.lat[1](c4) + F.interpolate(p5, scale_factor=2.0, mode="nearest")
        p3 = self.lat[0](c3) + F.interpolate(p4, scale_factor=2.0, mode="nearest")
        return torch.cat([h(p).flatten(2) for h, p in zip(self.heads, (p3, p4, p5))], 2)


class SrGenerator(nn.Module):
    def __init__(self, c=32, blocks=6):
        super().__init__()
        self.head = nn.Conv2d(3, c, 3, 1, 1)
        self.body = nn.ModuleList(nn.Sequential(nn.Conv2d(c, c, 3, 1, 1), nn.LeakyReLU(0.2), nn.Conv2d(c, c, 3, 1, 1))
                                  for _ in range(blocks))
        self.up = nn.Sequential(nn.Conv2d(c, 4 * c, 3, 1, 1), nn.PixelShuffle(2), nn.LeakyReLU(0.2),
                                nn.Conv2d(c, 3, 3, 1, 1))

    def forward(self, x):
        f = self.head(x)
        y = f
        for b in self.body:
            y = y + b(y)
        return self.up(y + f)


class Recognizer(nn.Module):
    def __init__(self, d=128, classes=97):
        super().__init__()
        self.stem = nn.Sequential(conv(3, 32, 3, 2), conv(32, 64, 3, 2), conv(64, 128, 3, 1),
                                  nn.MaxPool2d((2, 1), (2, 1)), conv(128, d, 3, 1), nn.MaxPool2d((6, 1), (6, 1)))
        self.blocks = nn.Sequential(Block(d, 4), Block(d, 4))
        self.fc = nn.Linear(d, classes)

    def forward(self, x):
        f = self.stem(x).flatten(2).transpose(1, 2)  # [1, 80, d]: one step per 4 pixel columns
        return self.fc(self.blocks(f)).log_softmax(-1)


def export(model, shape, path):
    model.eval()
    torch.onnx.export(model, torch.rand(*shape), path, opset_version=13, input_names=["input"],
                      output_names=["output"])


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/models"
    os.makedirs(out, exist_ok=True)
    export(Detector(), (1, 3, 640, 640), os.path.join(out, "detector.onnx"))
    export(Transformer(), (1, 128, 256), os.path.join(out, "transformer.onnx"))
    export(MobileNet(), (1, 3, 224, 224), os.path.join(out, "mobilenet.onnx"))
    export(LineDetector(), (1, 3, 640, 640), os.path.join(out, "linedet.onnx"))
    export(FaceDetector(), (1, 3, 640, 640), os.path.join(out, "face.onnx"))
    export(SrGenerator(), (1, 3, 128, 128), os.path.join(out, "srgen.onnx"))
    export(Recognizer(), (1, 3, 48, 320), os.path.join(out, "recognizer.onnx"))
    print("wrote", out)
