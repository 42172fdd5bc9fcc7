"""Real photos from Debian packages, split into training and held-out sets, and their x2
low-resolution versions.

Sources: python3-skimage (skimage.data: astronaut, coffee, chelsea, rocket, ...) and
mate-backgrounds (/usr/share/backgrounds/mate/nature/*.jpg, 1280..2560 px wallpapers, shrunk
to a 600 px short side with Lanczos so that their detail is as dense as in the skimage photos).

Degradation: LR = PIL bicubic downscale by 2 of the whole HR photo (antialiased), rounded to
uint8 like any 8-bit image. An HR patch at (2y, 2x) of size 2s pairs with the LR patch at
(y, x) of size s.
"""
import os

import numpy as np
from PIL import Image

MATE_DIR = "/usr/share/backgrounds/mate/nature"
# Gray photos are replicated to RGB (textures and a scene; they add detail, not colour).
TRAIN_SKIMAGE = ["astronaut", "coffee", "immunohistochemistry", "camera",
                 "grass", "gravel", "brick", "coins"]
TRAIN_MATE = ["Aqua", "Blinds", "FreshFlower", "Garden", "GreenMeadow", "RainDrops", "Storm",
              "TwoWings", "Wood", "YellowFlower"]
TEST_SKIMAGE = ["chelsea", "rocket"]
TEST_MATE = ["LadyBird", "Dune"]
WALLPAPER_SHORT_SIDE = 600


class Photo:
    """One photo: \\p hr (H x W x 3 uint8, H and W even) and \\p lr (H/2 x W/2 x 3 uint8)."""

    def __init__(self, name, image):
        w, h = image.size
        self.name = name
        self.hr = np.asarray(image.crop((0, 0, w - w % 2, h - h % 2)))
        hr_image = Image.fromarray(self.hr)
        self.lr = np.asarray(hr_image.resize((hr_image.width // 2, hr_image.height // 2), Image.BICUBIC))


def _skimage_photo(name):
    import skimage.data

    image = Image.fromarray(getattr(skimage.data, name)())
    return Photo("skimage." + name, image.convert("RGB"))


def _mate_photo(name):
    path = os.path.join(MATE_DIR, name + ".jpg")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: apt-get install mate-backgrounds")
    image = Image.open(path).convert("RGB")
    factor = WALLPAPER_SHORT_SIDE / min(image.size)
    image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
    return Photo("mate." + name, image)


def training_photos():
    return [_skimage_photo(n) for n in TRAIN_SKIMAGE] + [_mate_photo(n) for n in TRAIN_MATE]


def test_photos():
    return [_skimage_photo(n) for n in TEST_SKIMAGE] + [_mate_photo(n) for n in TEST_MATE]


def crop_pair(photo, y, x, lr_size):
    """(LR patch lr_size^2, HR patch (2 lr_size)^2) at LR position (y, x), uint8 HWC."""
    lr = photo.lr[y:y + lr_size, x:x + lr_size]
    hr = photo.hr[2 * y:2 * y + 2 * lr_size, 2 * x:2 * x + 2 * lr_size]
    return lr, hr


def random_position(rng, photo, lr_size):
    h, w = photo.lr.shape[:2]
    return int(rng.integers(0, h - lr_size + 1)), int(rng.integers(0, w - lr_size + 1))


def textured_pairs(rng, photo, lr_size, count, candidates=64):
    """\\p count patch pairs of \\p photo among \\p candidates random positions, keeping the ones
    whose LR patch has the highest standard deviation (a flat sky or bokeh patch says little
    about super-resolution)."""
    positions = [random_position(rng, photo, lr_size) for _ in range(candidates)]
    spread = [crop_pair(photo, y, x, lr_size)[0].std() for y, x in positions]
    best = np.argsort(spread)[::-1][:count]
    return [crop_pair(photo, *positions[i], lr_size) for i in sorted(best)]


def to_chw_float(patch):
    """uint8 HWC -> float32 CHW in [0, 1]."""
    return np.ascontiguousarray(patch.transpose(2, 0, 1), dtype=np.float32) / 255.0


TEST_LR_SIZE = 64
TEST_PER_PHOTO = 2
CALIBRATION_SAMPLES = 32


def test_pairs():
    """The held-out set: 4 textured 64x64 LR / 128x128 HR pairs from each test photo (16)."""
    rng = np.random.default_rng(2)
    return [pair for photo in test_photos() for pair in textured_pairs(rng, photo, TEST_LR_SIZE, TEST_PER_PHOTO)]


def calibration_patches(photos):
    """32 random 64x64 LR patches of the training \\p photos (the photo drawn uniformly, then the
    position): what a user would calibrate with, flat patches included."""
    rng = np.random.default_rng(3)
    patches = []
    for _ in range(CALIBRATION_SAMPLES):
        photo = photos[int(rng.integers(len(photos)))]
        patches.append(crop_pair(photo, *random_position(rng, photo, TEST_LR_SIZE), TEST_LR_SIZE)[0])
    return patches
