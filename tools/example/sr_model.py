"""The x2 super-resolution generator of examples/sr.

    y = DepthToSpace_2(body(x)) + bicubic_x2(x)

x is a 1x3xHxW image in [0, 1]; body is six convolutions (5x5 3->48, four 3x3 48->48, 3x3 48->12,
ReLU between them) whose 12 output channels PixelShuffle (ONNX DepthToSpace, mode CRD)
rearranges into a 3x2Hx2W residual; the residual is added to the bicubic upscale of x
(ONNX Resize, cubic, a = -0.75, pytorch_half_pixel). The last convolution starts at zero, so
the untrained net is exactly bicubic upscaling and training only learns the correction.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

SCALE = 2
CHANNELS = 48


class Upscale(nn.Module):
    """Bicubic x2 upscale (a separate module so that torch's PTQ can leave it in float)."""

    def forward(self, x):
        return F.interpolate(x, scale_factor=SCALE, mode="bicubic", align_corners=False)


class SRNet(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Conv2d(3, CHANNELS, 5, padding=2), nn.ReLU()]
        for _ in range(4):
            layers += [nn.Conv2d(CHANNELS, CHANNELS, 3, padding=1), nn.ReLU()]
        layers += [nn.Conv2d(CHANNELS, 3 * SCALE * SCALE, 3, padding=1)]
        self.body = nn.Sequential(*layers)
        self.shuffle = nn.PixelShuffle(SCALE)
        self.upscale = Upscale()
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, x):
        return self.shuffle(self.body(x)) + self.upscale(x)


def load_from_onnx(path):
    """An SRNet whose parameters are the initializers of the ONNX model at \\p path (the export
    keeps the state_dict names), so every script evaluates exactly the shipped weights."""
    import onnx
    from onnx import numpy_helper

    net = SRNet()
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).astype("float32").copy())
               for i in onnx.load(path).graph.initializer}
    missing = [k for k in net.state_dict() if k not in weights]
    if missing:
        raise SystemExit(f"{path}: initializers {missing} missing (not an export of SRNet?)")
    net.load_state_dict({k: weights[k] for k in net.state_dict()})
    return net.eval()
