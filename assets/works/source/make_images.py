#!/usr/bin/env python3
"""Procedural source for the Image works shown in Vernissage's bundled exhibitions.

Every picture in ``assets/works/`` is drawn here from scratch, from a fixed seed: no photographs,
scans or third-party images go in. Running the script again rebuilds identical files.

    pip install pillow numpy           # Python 3.11+
    python3 assets/works/source/make_images.py            # all pictures
    python3 assets/works/source/make_images.py lake dunes # only those named

Outputs (longest side <= 1024 px, JPEG quality 85, lowered step by step only if a file would
exceed 150 KB):

    lake-first-light.jpg   "photograph": mountain lake at dawn, mist between ridges, reflection
    fog-forest.jpg         "photograph": pine trunks receding into fog, warm monochrome
    sea-after-rain.jpg     "photograph": low sun over a calm sea, glitter path, broken cloud
    night-traffic.jpg      "photograph": long exposure of a curving road, light trails, bokeh
    dunes-dusk.jpg         "photograph": dune crests at dusk, lit and shaded flanks, ripples
    still-life-fruit.jpg   "painting": geometric fruit on a ledge, chiaroscuro, canvas texture
    field-strokes.jpg      "painting": colour-field abstract built from bristle brush strokes
    fern-cyanotype.jpg     "print": cyanotype photogram of fern fronds and grass stems
    heat-index.png         "print": three-colour risograph-style screenprint, overprinted

Each picture is a function ``make_<name>(rng)`` returning a float RGB array in 0..1 (height,
width, 3); ``save`` encodes it. Helpers: value-noise fBm (bicubic upsampled lattices), an FFT
Gaussian blur, film grain and a vignette.
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent
MAX_BYTES = 150 * 1024


# ----------------------------------------------------------------------------------- helpers


def hexrgb(text: str) -> np.ndarray:
    text = text.lstrip("#")
    return np.array([int(text[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])


def lerp(a, b, t):
    return a + (b - a) * t


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def lattice(rng, h, w, cy, cx):
    """Smooth value noise: a (cy+1)x(cx+1) random lattice upsampled bicubically to (h, w)."""
    grid = rng.random((cy + 1, cx + 1)).astype(np.float32)
    img = Image.fromarray(grid, mode="F").resize((w, h), Image.BICUBIC)
    return np.asarray(img, dtype=np.float64)


def fbm(rng, h, w, cells=(4, 4), octaves=5, gain=0.5):
    """Fractal value noise normalised to 0..1; `cells` is the coarsest lattice (rows, cols)."""
    total = np.zeros((h, w))
    amp, norm = 1.0, 0.0
    cy, cx = cells
    for _ in range(octaves):
        total += amp * lattice(rng, h, w, max(1, cy), max(1, cx))
        norm += amp
        amp *= gain
        cy, cx = cy * 2, cx * 2
    total /= norm
    lo, hi = total.min(), total.max()
    return (total - lo) / (hi - lo + 1e-9)


def fbm1d(rng, n, cells=6, octaves=6, gain=0.5):
    return fbm(rng, 1, n, (1, cells), octaves, gain)[0]


def blur(a, sigma):
    """Gaussian blur via FFT on a reflect-padded copy; works on (h, w) or (h, w, c).

    `sigma` is a number or a (sigma_y, sigma_x) pair for an anisotropic blur.
    """
    sy, sx = (sigma, sigma) if np.isscalar(sigma) else sigma
    if sy <= 0 and sx <= 0:
        return a
    pad = int(3 * max(sy, sx)) + 1
    squeeze = a.ndim == 2
    if squeeze:
        a = a[..., None]
    p = np.pad(a, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
    h, w = p.shape[:2]
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    kernel = np.exp(-2 * (math.pi**2) * ((sx * fx) ** 2 + (sy * fy) ** 2))
    out = np.empty_like(p)
    for c in range(p.shape[2]):
        out[..., c] = np.fft.irfft2(np.fft.rfft2(p[..., c]) * kernel, s=(h, w))
    out = out[pad:-pad, pad:-pad]
    return out[..., 0] if squeeze else out


def grain(img, rng, amount=0.02, size=1.0):
    h, w = img.shape[:2]
    g = rng.normal(0, 1, (h, w))
    if size > 1.0:
        g = blur(g, size * 0.5)
        g /= g.std() + 1e-9
    return img + amount * g[..., None]


def vignette(img, strength=0.35, power=2.2):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    d = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2) / math.sqrt(2)
    return img * (1 - strength * d**power)[..., None]


def coords(h, w):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    return x, y


def save(img, name):
    img = np.clip(img, 0, 1)
    im = Image.fromarray((img * 255 + 0.5).astype(np.uint8), "RGB")
    path = OUT / name
    if name.endswith(".png"):
        im = im.quantize(colors=24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        im.save(path, optimize=True)
    else:
        quality = 85
        while True:
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
            if buf.tell() <= MAX_BYTES or quality <= 60:
                break
            quality -= 3
        path.write_bytes(buf.getvalue())
    print(f"{name}: {im.size[0]}x{im.size[1]}, {path.stat().st_size // 1024} KB")


# --------------------------------------------------------------------- lake at first light


def make_lake(rng):
    h, w = 683, 1024
    x, y = coords(h, w)
    hor = int(h * 0.60)  # waterline
    yn = y / hor

    # Sky: cool blue overhead, lavender, then peach at the horizon; a glow where the sun is
    # about to clear the ridge.
    top, mid, low = hexrgb("#44557a"), hexrgb("#a9a6c2"), hexrgb("#f5c9a2")
    t = np.clip(yn, 0, 1)[..., None] ** 1.15
    sky = np.where(t < 0.55, lerp(top, mid, t / 0.55), lerp(mid, low, (t - 0.55) / 0.45))
    sx, sy = w * 0.64, hor * 0.74
    d = np.sqrt(((x - sx) / w) ** 2 + ((y - sy) / h) ** 2 * 2.5)
    glow = np.exp(-d * 5.5)[..., None]
    sky = sky + glow * (hexrgb("#ffe0b0") - sky) * 0.9
    clouds = blur(fbm(rng, h, w, (3, 2), 6), (1, 6))
    cmask = smoothstep(0.52, 0.8, clouds) * np.clip(1.1 - yn * 1.1, 0, 1)
    cloud_col = lerp(hexrgb("#8d8aa6"), hexrgb("#ffd8b8"), np.clip(glow * 1.6 + 0.2, 0, 1))
    img = lerp(sky, cloud_col, (cmask * 0.5)[..., None])

    # Ridges, far to near. Each is ridged fBm; colours fade toward the haze (aerial
    # perspective) and mist pools at the foot of each ridge. Light comes from the right.
    haze = hexrgb("#d7c9cc")
    layers = [
        # base (fraction of hor), amplitude, colour, sharpness, mist
        (0.72, 0.40, "#9c9cb8", 1.5, 0.60),
        (0.82, 0.30, "#777a96", 1.3, 0.65),
        (0.91, 0.24, "#4f5569", 1.2, 0.70),
        (0.985, 0.13, "#28322f", 1.0, 0.50),
    ]
    for i, (base, amp, col, sharp, mist) in enumerate(layers):
        n = fbm1d(rng, w, cells=3 + 2 * i, octaves=8, gain=0.55)
        r = (1 - np.abs(2 * n - 1)) ** sharp
        r = 0.6 * r + 0.4 * fbm1d(rng, w, cells=2 + i, octaves=5)
        ridge = hor * (base - amp * r)
        below = y - ridge[None, :]
        inside = below >= 0
        depth = np.clip(below / (hor * 0.2), 0, 1)
        # gullies: a noise field stretched downhill, shaded by its x-derivative
        gully = fbm(rng, h, w, (3, 12 + 4 * i), 6, 0.6)
        # shear the gullies so they run diagonally down both flanks
        shear = np.clip(below, 0, None) * 0.6
        xs = np.clip(x + np.where(np.gradient(ridge)[None, :] > 0, -shear, shear), 0, w - 1)
        gully = gully[np.arange(h)[:, None], xs.astype(int)]
        gully = blur(gully, (2.0, 0.8))
        near_crest = np.exp(-below.clip(0) / (hor * 0.07))
        shade = np.gradient(gully, axis=1) * 45 * (0.35 + 0.65 * near_crest)
        crest_slope = np.gradient(blur(ridge[None, :], (0, 3))[0])[None, :]
        lit = np.clip(-crest_slope * 0.7, -0.7, 0.7) * (0.3 + 0.7 * near_crest) + shade
        k = (0.24, 0.2, 0.15, 0.05)[i]
        tex = (fbm(rng, h, w, (8, 16), 4) - 0.5) * 0.06
        lit = np.clip(lit, -1, 1)
        c = hexrgb(col) * (1 + k * lit + tex)[..., None]
        warm = hexrgb("#f2d2c0") if i < 2 else hexrgb(col) * 1.2
        c = lerp(c, warm, (np.clip(lit, 0, 1) * (0.35 if i < 2 else 0.1))[..., None])
        # snow catching light on the highest, farthest crests
        if i == 0:
            snow = smoothstep(0.55, 0.9, gully) * near_crest * 0.5
            c = lerp(c, hexrgb("#f4e6de"), snow[..., None])
        c = lerp(c, haze, (smoothstep(0.1, 1.0, depth) * mist)[..., None])
        img = np.where(inside[..., None], c, img)

    # A dark band of pines along the far shore, thinned by mist.
    trees = Image.new("L", (w, h), 0)
    dt = ImageDraw.Draw(trees)
    tx = 0.0
    shore = hor * 0.99
    while tx < w:
        clump = 0.6 + 0.8 * math.sin(tx / 97.0) ** 2
        th = rng.uniform(5, 20) * clump
        tw = th * rng.uniform(0.22, 0.32)
        base = shore + rng.uniform(0, 3)
        dt.polygon([(tx - tw, base), (tx, base - th), (tx + tw, base)], fill=255)
        tx += rng.uniform(2.0, 6.0)
    trees = blur(np.asarray(trees, dtype=np.float64) / 255, 0.6)
    mistband = fbm(rng, h, w, (2, 8), 3)
    tree_col = lerp(hexrgb("#1a2322"), haze, (0.15 + 0.45 * mistband)[..., None])
    img = lerp(img, tree_col, trees[..., None].clip(0, 1))
    # low mist lying on the water line
    fog = np.exp(-(((y - hor * 0.975) / (hor * 0.05)) ** 2)) * (0.3 + 0.7 * fbm(rng, h, w, (2, 10), 4))
    img = lerp(img, haze * 1.04, (fog * 0.6)[..., None])

    # Water: the scene mirrored, with ripple displacement, a touch darker and bluer, and
    # wind lines.
    rows = np.arange(hor, h)[:, None]
    depth = (rows - hor) / (h - hor)  # 0 at shore .. 1 at bottom
    ripple = fbm(rng, h - hor, w, (40, 4), 4) - 0.5
    disp_x = ripple * (1.5 + 7 * depth)
    src_y = np.clip(2 * hor - rows - 1 + ripple * 3 * depth, 0, hor - 1)
    sxs = np.clip(x[hor:] + disp_x, 0, w - 1)
    refl = img[src_y.astype(int), sxs.astype(int)]
    refl = blur(refl, (2.5, 0.8))
    refl = refl * (0.78 - 0.14 * depth[..., None]) + hexrgb("#0d1828") * 0.08
    wind = smoothstep(0.62, 0.9, fbm(rng, h - hor, w, (36, 2), 3)) * (1 - depth) ** 1.3
    refl = lerp(refl, hexrgb("#d6ccd4"), (wind * 0.28)[..., None])
    img[hor:] = refl
    img[hor - 1 : hor + 1] *= 0.9

    # Foreground reeds, lower left, dark and slightly soft.
    reeds = Image.new("L", (w, h), 0)
    dr = ImageDraw.Draw(reeds)
    for _ in range(60):
        bx = rng.uniform(-30, 200)
        length = rng.uniform(80, 250) * (1 - bx / 400)
        bend = rng.uniform(-0.4, 0.2)
        pts = [(bx + bend * length * (k / 11) ** 2, h + 5 - length * k / 11) for k in range(12)]
        dr.line(pts, fill=255, width=int(rng.integers(2, 4)))
    reeds = blur(np.asarray(reeds, dtype=np.float64) / 255, 1.6)
    img = lerp(img, hexrgb("#121718"), (reeds * 0.9)[..., None])

    img = vignette(img, 0.3)
    img = grain(img, rng, 0.008, 1.0)
    return img


# ------------------------------------------------------------------------------ fog forest


def make_forest(rng):
    h, w = 1024, 683
    x, y = coords(h, w)
    # Fog: brightest high and right of centre where the light comes through.
    lx, ly = w * 0.62, h * 0.25
    d = np.sqrt(((x - lx) / w) ** 2 + ((y - ly) / h) ** 2)
    fog = 0.80 + 0.17 * np.exp(-d * 3.0) - 0.08 * (y / h)
    fog += (fbm(rng, h, w, (3, 2), 5) - 0.5) * 0.06
    img = np.repeat(fog[..., None], 3, axis=2)
    ground_y = h * 0.80

    # Trunks from far to near: darker, wider and sharper as they come close.
    layers = 7
    for li in range(layers):
        near = (li + 1) / layers
        tone = lerp(0.74, 0.07, near**1.3)
        count = int(lerp(22, 4, near))
        width = lerp(3, 46, near**1.8)
        base = ground_y + lerp(-30, 130, near)
        edge = lerp(1.6, 0.8, near)
        bark = fbm(rng, h, w, (3, 60), 4)
        twigs = Image.new("L", (w, h), 0)
        dt = ImageDraw.Draw(twigs)
        for _ in range(count):
            cx0 = rng.uniform(-width, w + width)
            tw = width * rng.uniform(0.7, 1.3)
            lean = rng.normal(0, 0.012)
            wob = rng.uniform(0, 6.28)
            tt = np.clip((base - y[:, 0]) / base, 0, 1)  # 0 at the foot .. 1 at the top
            cx = cx0 + lean * (base - y[:, 0]) + np.sin(wob + tt * 3) * tw * 0.06
            half = tw * (0.42 + 0.18 * (1 - tt) + 0.25 * np.exp(-(base - y[:, 0]).clip(0) / (tw * 1.2)))
            u = (x - cx[:, None]) / half[:, None]
            m = np.clip((half[:, None] - np.abs(x - cx[:, None])) / edge, 0, 1)
            m *= (y <= base + 2)
            # round trunk: lit from the upper right, furrowed bark
            shade = 0.78 + 0.32 * np.sqrt(np.clip(1 - u * u, 0, 1)) + 0.12 * np.clip(u, -1, 1)
            shade *= 1 + (bark - 0.5) * 0.5 * near
            col = np.clip(tone * shade, 0, 1)
            fade = 1 - 0.4 * smoothstep(ground_y - 150, base, y) * (1 - near)
            img = lerp(img, col[..., None], (m * fade)[..., None])
            # a few dead twigs, pointing down and out
            for _ in range(int(rng.integers(1, 5))):
                by = base - rng.uniform(0.3, 0.85) * base
                bx = cx0 + lean * (base - by)
                side = 1 if rng.random() < 0.5 else -1
                blen = tw * rng.uniform(0.8, 2.2) + 6
                dt.line([(bx, by), (bx + side * blen, by + blen * 0.5)], fill=255, width=max(1, int(tw * 0.07)))
        tm = blur(np.asarray(twigs, dtype=np.float64) / 255, lerp(1.2, 0.5, near))
        img = lerp(img, np.full(3, tone), (tm * 0.9)[..., None])
        # a thin fog veil between layers
        img = lerp(img, fog[..., None], 0.09)

    # Ground: soft dark needles toward the bottom.
    g = smoothstep(ground_y - 40, h, y) * (0.55 + 0.35 * fbm(rng, h, w, (12, 8), 4))
    img = lerp(img, np.full(3, 0.12), (g * 0.8)[..., None])
    # Light shafts falling from upper right.
    u = (x - lx) * 0.83 + (y - ly) * 0.55
    shafts = fbm1d(rng, 4000, 40, 4)[np.clip((u + 2000).astype(int), 0, 3999)]
    shafts = smoothstep(0.55, 0.85, shafts) * np.exp(-np.abs(y - ly) / (h * 0.7))
    img = img + (shafts * 0.09)[..., None]

    # Warm silver-gelatin tone: lifted warm highlights, slightly cool shadows.
    lum = img[..., 0]
    toned = np.stack([lum * 1.02 + 0.01, lum * 0.99 + 0.005, lum * 0.93 + 0.02], axis=2)
    toned = vignette(toned, 0.35)
    return grain(toned, rng, 0.02, 1.0)


# ----------------------------------------------------------------------------- sea after rain


def make_sea(rng):
    h, w = 576, 1024
    x, y = coords(h, w)
    hor = int(h * 0.54)
    sx, sy = w * 0.60, hor - 26

    # Sky gradient and the low sun.
    t = (y / hor).clip(0, 1)[..., None]
    stops = [hexrgb("#26324f"), hexrgb("#6b5f7a"), hexrgb("#d9876a"), hexrgb("#f6c48a")]
    seg = np.clip(t * 3, 0, 2.999)
    idx = seg.astype(int)
    frac = seg - idx
    sky = np.zeros((h, w, 3))
    for k in range(3):
        sky = np.where(idx == k, lerp(stops[k], stops[k + 1], frac), sky)
    dsun = np.sqrt((x - sx) ** 2 + ((y - sy) * 1.1) ** 2)
    sky += (np.exp(-dsun / 90) * 0.55)[..., None] * hexrgb("#ffd9a0")
    sky += (np.exp(-dsun / 18) * 0.8)[..., None] * hexrgb("#fff2d8")
    sky += smoothstep(12.0, 9.0, dsun)[..., None] * 1.5

    # Broken cloud, lit from beneath by the sun: stretched fBm, thresholded.
    c = blur(fbm(rng, h, w, (5, 2), 6, 0.55), (1.0, 5.0))
    c = c * np.clip(1.25 - (y / hor) * 0.9, 0, 1)
    cov = smoothstep(0.42, 0.62, c)
    dy = np.gradient(c, axis=0)
    underside = np.clip(-dy * 80, 0, 1)
    near_sun = np.exp(-np.abs(x - sx) / 380)
    cloud = lerp(hexrgb("#3a3650"), hexrgb("#7a5a6c"), (y / hor).clip(0, 1)[..., None])
    cloud = lerp(cloud, hexrgb("#ffb27a"), (underside * (0.5 + 0.5 * near_sun))[..., None])
    img = lerp(sky, cloud, (cov * 0.92)[..., None])

    # Sea: a wave texture (elongated fBm) laid in perspective, mip-filtered per row so the
    # distance stays calm; tinted from the horizon glow to deep blue; a glitter path of facets
    # under the sun.
    T = fbm(rng, 1024, 1024, (24, 5), 5, 0.55)
    T = 0.6 * (1 - np.abs(2 * T - 1)) ** 2 + 0.4 * T  # sharpen into crests
    mips = [T] + [blur(T, 2.0**k) for k in range(7)]
    rows = np.arange(hor, h)[:, None].astype(np.float64)
    dz = rows - hor + 1.0
    Z = 2200.0 / dz
    footprint = np.maximum(Z / 6.0, 2200.0 / dz**2 * 30.0)  # texels per pixel
    level = np.clip(np.log2(np.maximum(footprint, 1e-3)) + 0.5, 0, 7)
    # ping-pong addressing: the texture is mirrored at its edges instead of wrapping
    u = 1023 - np.abs(((x[hor:] - w / 2) * Z / 6.0 + 512) % 2046 - 1023)
    v = 1023 - np.abs((Z * 30.0) % 2046 - 1023)
    waves = np.zeros_like(u)
    for k in range(8):
        wgt = np.clip(1 - np.abs(level - k), 0, 1)
        if wgt.max() > 0:
            waves += wgt * mips[k][v.astype(int) % 1024, u.astype(int)]
    depth = (rows - hor) / (h - hor)
    sea = lerp(hexrgb("#d99a78"), hexrgb("#1a2033"), (depth**0.45)[..., None])
    mod = (waves - 0.5) * (0.25 + 0.9 * depth)
    sea = sea * (1 + mod[..., None] * 1.4)
    crest = smoothstep(0.55, 0.75, waves) * (0.3 + 0.7 * depth)
    sea = lerp(sea, hexrgb("#8d7f98"), (crest * 0.25)[..., None])
    band = np.exp(-(((x[hor:] - sx) / (14 + 170 * depth**0.8)) ** 2))
    glit = band * smoothstep(0.52 - 0.1 * band, 0.72, waves) * (0.7 + 0.5 * np.exp(-depth * 3))
    sea += glit[..., None] * hexrgb("#ffe4b8") * 1.2
    img[hor:] = blur(sea, (0.6, 0.6))
    # haze at the horizon line
    img = lerp(img, hexrgb("#e8b694"), (np.exp(-np.abs(y - hor) / 5) * 0.35)[..., None])

    img = vignette(img, 0.3)
    return grain(img, rng, 0.01, 1.0)


# --------------------------------------------------------------------------- night traffic


def _curve(p0, p1, p2, p3, n):
    t = np.linspace(0, 1, n)[:, None]
    return ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * p1 + 3 * (1 - t) * t * t * p2 + (t**3) * p3


def make_traffic(rng):
    h, w = 683, 1024
    x, y = coords(h, w)
    vx, vy = w * 0.62, h * 0.46
    # Night sky with a sodium glow above the city.
    t = (y / h)[..., None]
    img = lerp(hexrgb("#070a18"), hexrgb("#2a1c24"), np.clip(t * 1.6, 0, 1))
    img += (np.exp(-np.abs(y - vy) / 60) * 0.12)[..., None] * hexrgb("#ff9a4a")

    # Distant skyline with lit windows.
    skyline = np.zeros((h, w))
    lights = np.zeros((h, w, 3))
    bx = 0.0
    while bx < w:
        bw = rng.uniform(18, 60)
        bh = rng.uniform(20, 110) * (1.2 - abs(bx - vx) / w) * (2.2 if rng.random() < 0.12 else 1.0)
        top = int(vy - bh)
        skyline[max(0, top) : int(vy) + 2, int(bx) : int(bx + bw)] = 1
        for wy in range(top + 4, int(vy) - 2, 6):
            for wx in range(int(bx) + 3, int(bx + bw) - 2, 5):
                if rng.random() < 0.22:
                    lights[wy : wy + 2, wx : wx + 2] = hexrgb("#ffcf8a") * rng.uniform(0.3, 0.9)
        bx += bw + rng.uniform(0, 8)
    img = lerp(img, hexrgb("#05060c"), (blur(skyline, 0.8) * 0.9)[..., None])
    hdr = lights * blur(skyline, 0.5)[..., None]

    # Light trails: a gentle S-curve road from the lower left to the vanishing point.
    def trail(offset, colour, strength, n_lanes):
        for lane in range(n_lanes):
            off = offset + lane * 28
            p0 = np.array([-180 + off * 2.2, h + 40])
            p1 = np.array([w * 0.25 + off * 1.2, h * 0.70])
            p2 = np.array([w * 0.72 + off * 0.3, h * 0.55])
            p3 = np.array([vx + off * 0.05, vy + 2])
            pts = _curve(p0, p1, p2, p3, 3000)
            for jitter in range(3):
                jj = rng.normal(0, 1.2)
                for k, (px, py) in enumerate(pts):
                    s = k / len(pts)
                    rad = max(0.5, 7.0 * (1 - s) ** 1.6)
                    xi, yi = int(px + jj * (1 - s) * 3), int(py)
                    if 0 <= yi < h and 0 <= xi < w:
                        r = int(rad)
                        flick = 0.6 + 0.4 * math.sin(k * 0.05 + lane * 2 + jitter)
                        hdr[max(0, yi - r) : yi + r + 1, max(0, xi - r // 2) : xi + r // 2 + 1] += (
                            colour * strength * flick / (1 + r * 0.6)
                        )

    trail(0, hexrgb("#ff3b1f"), 0.35, 2)  # tail lights, near lanes
    trail(120, hexrgb("#fff1d6"), 0.45, 2)  # headlights, far lanes

    # Street lamps along the road: sodium discs, out of focus near the camera.
    for k in range(14):
        s = (k / 14) ** 1.4
        px = lerp(w * 0.08, vx - 10, s) + rng.normal(0, 3)
        py = lerp(h * 0.10, vy - 12, s)
        r = lerp(26, 2, s)
        disc = np.exp(-(((x - px) ** 2 + (y - py) ** 2) / (r * r)) ** 3)
        hdr += disc[..., None] * hexrgb("#ffb15c") * lerp(0.5, 1.5, s)
    # bokeh: soft coloured discs across the top
    for _ in range(26):
        px, py = rng.uniform(0, w), rng.uniform(0, h * 0.45)
        r = rng.uniform(8, 26)
        col = [hexrgb("#ffb15c"), hexrgb("#ff6f4d"), hexrgb("#9fc2ff"), hexrgb("#ffe6a8")][int(rng.integers(0, 4))]
        disc = smoothstep(r, r - 2.5, np.sqrt((x - px) ** 2 + (y - py) ** 2))
        hdr += disc[..., None] * col * rng.uniform(0.06, 0.18)

    # The road: a dark band following the trails, wet, mirroring them in long smears.
    centre = _curve(np.array([-180 + 140, h + 40]), np.array([w * 0.25 + 90, h * 0.70]),
                    np.array([w * 0.72 + 25, h * 0.55]), np.array([vx + 3, vy + 2]), 400)
    road = Image.new("L", (w, h), 0)
    half_w = [max(2.0, 260 * ((py - vy) / (h - vy)) ** 1.1) for _, py in centre]
    left = [(px - hw, py) for (px, py), hw in zip(centre, half_w)]
    right = [(px + hw, py) for (px, py), hw in zip(centre, half_w)]
    ImageDraw.Draw(road).polygon(left + right[::-1], fill=255)
    road = blur(np.asarray(road, dtype=np.float64) / 255, 1.5)
    below = smoothstep(vy - 2, vy + 30, y)
    ground = hexrgb("#060609") + ((fbm(rng, h, w, (20, 40), 3) - 0.5) * 0.025)[..., None]
    img = lerp(img, ground, below[..., None])
    asphalt = lerp(hexrgb("#1d1a22"), hexrgb("#2b2530"), ((y - vy) / (h - vy)).clip(0, 1)[..., None])
    asphalt = asphalt * (1 + (fbm(rng, h, w, (30, 60), 3) - 0.5) * 0.3)[..., None]
    img = lerp(img, asphalt, (road * below)[..., None])
    sheen = blur(hdr, (22.0, 1.5)) * road[..., None] * 0.45
    hdr = hdr + sheen

    bloom = blur(hdr, 2.0) * 0.9 + blur(hdr, 9.0) * 0.7 + blur(hdr, 36.0) * 0.5
    light = hdr * 0.6 + bloom
    img = img + 1 - np.exp(-light * 1.6)
    # wet road sheen below the trails
    img = vignette(img, 0.4)
    return grain(img, rng, 0.018, 1.0)


# ------------------------------------------------------------------------------ dunes at dusk


def make_dunes(rng):
    h, w = 576, 1024
    x, y = coords(h, w)
    hy = h * 0.40  # horizon row
    t = (y / h)[..., None]
    sky = lerp(hexrgb("#6f86b4"), hexrgb("#f1c7a2"), np.clip(y / hy, 0, 1)[..., None] ** 1.6)
    sun = np.exp(-np.sqrt(((x - w * 0.14) / w) ** 2 + ((y - hy * 0.9) / h) ** 2) * 7)
    sky += (sun * 0.35)[..., None] * hexrgb("#ffd2a0")
    img = sky.copy()

    # Height field: dunes whose crests run away from the viewer, a gentle windward slope
    # and a steep slip face; the low sun on the left and a steep slip face in shadow; wind ripples on top.
    N = 1024
    hx = np.linspace(0, 1, N)[None, :]
    hz = np.linspace(0, 1, N)[:, None]
    meander = fbm(rng, N, N, (3, 3), 4)
    phase = (hx * 6.0 + hz * 1.5 + meander * 1.6) % 1.0
    profile = np.where(phase < 0.75, phase / 0.75, (1 - phase) / 0.25)
    dune = 16.0 * profile**1.3 * (0.5 + 0.8 * fbm(rng, N, N, (2, 2), 3))
    dune = blur(dune, 1.5)
    ripples = 0.06 * np.sin(hx * 1400 + hz * 300 + meander * 80)
    field = dune + ripples
    gz, gx = np.gradient(field, 400.0 / N)
    L = np.array([0.88, 0.32, 0.2])
    L = L / np.linalg.norm(L)
    nrm = np.stack([-gx, np.ones_like(gx), gz], axis=2)
    nrm /= np.linalg.norm(nrm, axis=2, keepdims=True)
    lam = np.clip(nrm @ L, 0, 1)
    lit_col, shade_col = hexrgb("#f2a25e"), hexrgb("#6a4462")
    tex = lerp(shade_col, lit_col, smoothstep(0.08, 0.6, lam)[..., None])
    tex *= (0.88 + 0.25 * lam)[..., None]

    # Voxel-space render: march away from the camera, filling each column upward.
    cam_h, f = 19.0, w * 0.9
    ybuf = np.full(w, float(h))
    cols = (np.arange(w) - w / 2) / f
    rows = np.arange(h)[:, None]
    fog_col = hexrgb("#eec3a4")
    for z in np.geomspace(25.0, 380.0, 900):
        wx = np.clip((cols * z) / 400.0 + 0.42, 0, 1) * (N - 2)
        wz = np.clip((1.0 - z / 400.0) * (N - 2), 0, N - 2)
        iz = int(wz)
        fz = wz - iz
        i0 = wx.astype(int)
        fx = wx - i0
        rows2 = field[iz : iz + 2]
        hh2 = rows2[:, i0] * (1 - fx) + rows2[:, i0 + 1] * fx
        hh = hh2[0] * (1 - fz) + hh2[1] * fz
        sy = hy + (cam_h - hh) * f / z
        fill = (rows >= sy[None, :]) & (rows < ybuf[None, :])
        if fill.any():
            fogt = 1 - math.exp(-z / 300.0)
            colour = lerp(tex[iz, i0], fog_col, fogt * 0.8)
            img = np.where(fill[..., None], colour[None, :, :], img)
        ybuf = np.minimum(ybuf, sy)

    img = vignette(img, 0.3)
    return grain(img, rng, 0.012, 1.0)


# ------------------------------------------------------------------------ still life, fruit


def _canvas(rng, h, w):
    """Linen weave: fine crossing threads with slub, as a multiplicative texture."""
    x, y = coords(h, w)
    warp = np.sin(x * 1.9 + lattice(rng, h, w, 60, 6) * 6) * 0.5 + 0.5
    weft = np.sin(y * 1.9 + lattice(rng, h, w, 6, 60) * 6) * 0.5 + 0.5
    slub = lattice(rng, h, w, 200, 25) * 0.5 + lattice(rng, h, w, 25, 200) * 0.5
    return 1 + (warp * weft - 0.25) * 0.06 + (slub - 0.5) * 0.05


def _warp(img, rng, amount):
    """Displace pixels along a noise field: hand-drawn edges instead of perfect geometry."""
    h, w = img.shape[:2]
    dx = (fbm(rng, h, w, (24, 24), 3) - 0.5) * 2 * amount
    dy = (fbm(rng, h, w, (24, 24), 3) - 0.5) * 2 * amount
    x, y = coords(h, w)
    xi = np.clip(x + dx, 0, w - 1).astype(int)
    yi = np.clip(y + dy, 0, h - 1).astype(int)
    return img[yi, xi]


def _brushwork(rng, h, w, strength):
    """A multiplicative map of short, overlapping brush marks that follow a slow flow field."""
    marks = Image.new("L", (w, h), 128)
    dm = ImageDraw.Draw(marks, "L")
    flow = fbm(rng, 64, 64, (2, 2), 3)
    for _ in range(int(h * w / 260)):
        px, py = rng.uniform(0, w), rng.uniform(0, h)
        a = flow[int(py / h * 63), int(px / w * 63)] * 2 * math.pi
        length = rng.uniform(10, 34)
        dx, dy = math.cos(a) * length, math.sin(a) * length
        tone = int(128 + rng.normal(0, 38))
        dm.line([(px - dx, py - dy), (px + dx, py + dy)], fill=max(0, min(255, tone)), width=int(rng.integers(2, 6)))
    m = blur(np.asarray(marks, dtype=np.float64) / 255, 0.9)
    return 1 + (m - 0.5) * strength * 2


def make_still_life(rng):
    h, w = 1000, 800
    x, y = coords(h, w)
    ledge = h * 0.64  # back edge of the ledge
    front = h * 0.86  # front edge
    # Umber ground, warmer in a halo behind the fruit, from a window at upper left.
    d = np.sqrt(((x - w * 0.38) / w) ** 2 + ((y - h * 0.45) / h) ** 2)
    bg = lerp(hexrgb("#5a4630"), hexrgb("#1a140f"), np.clip(d * 1.7, 0, 1)[..., None])
    bg = bg * (1 + (fbm(rng, h, w, (3, 3), 5) - 0.5) * 0.25)[..., None]
    img = bg
    top = lerp(hexrgb("#6f5a3c"), hexrgb("#9a7b4e"), ((y - ledge) / (front - ledge)).clip(0, 1)[..., None])
    top = top * (1 - 0.35 * np.clip(np.abs(x - w * 0.4) / w, 0, 1))[..., None]
    img = np.where((y >= ledge)[..., None], top, img)
    face = lerp(hexrgb("#3b2c1c"), hexrgb("#1c150e"), ((y - front) / (h - front)).clip(0, 1)[..., None])
    img = np.where((y >= front)[..., None], face, img)
    img[int(front) : int(front) + 3] *= 1.35  # worn, lit front edge

    L = np.array([-0.55, -0.65, 0.52])
    L /= np.linalg.norm(L)
    H = L + np.array([0, 0, 1.0])
    H /= np.linalg.norm(H)
    zbuf = np.full((h, w), -1e9)

    # (cx, cy, rx, ry, colour, shine, rest_y): fruit as ellipsoids; rest_y is where it sits.
    fruit = [
        (250, 610, 70, 64, "#8e2a1e", 40, 0.55),  # apple, deep red
        (395, 628, 82, 78, "#d9761e", 28, 0.35),  # orange
        (560, 648, 78, 46, "#d9b62c", 30, 0.45),  # lemon, lying on its side
        (480, 566, 48, 56, "#7f8e2f", 25, 0.35),  # pear body
        (486, 500, 30, 36, "#7f8e2f", 25, 0.35),  # pear neck
        (170, 680, 34, 34, "#4a2240", 60, 0.7),  # grapes...
        (208, 700, 33, 33, "#4a2240", 60, 0.7),
        (140, 712, 32, 32, "#4a2240", 60, 0.7),
        (182, 735, 34, 34, "#552847", 60, 0.7),
        (640, 736, 40, 30, "#b23a24", 40, 0.5),  # a halved cherry-tomato-like small fruit
    ]
    # soft cast shadows first, down and to the right, then a contact shadow under each
    shadow = np.zeros((h, w))
    for cx, cy, rx, ry, *_ in fruit:
        base = cy + ry * 0.85
        e = (((x - cx - rx * 0.55) / (rx * 1.25)) ** 2 + ((y - base) / (ry * 0.32)) ** 2)
        shadow = np.maximum(shadow, np.clip(1 - e, 0, 1) * 0.65 * (y >= ledge))
        c = (((x - cx) / (rx * 0.8)) ** 2 + ((y - base) / (ry * 0.12)) ** 2)
        shadow = np.maximum(shadow, np.clip(1 - c, 0, 1) * 0.9 * (y >= ledge))
    shadow = blur(shadow, 9)
    img = img * (1 - 0.75 * shadow)[..., None]

    for cx, cy, rx, ry, col, shine, gloss in fruit:
        u = (x - cx) / rx
        v = (y - cy) / ry
        r2 = u * u + v * v
        inside = r2 < 1
        nz = np.sqrt(np.clip(1 - r2, 0, 1))
        z = nz * min(rx, ry) + cy * 0.5  # nearer the viewer lower in the picture
        draw = inside & (z > zbuf)
        n = np.stack([u, v, nz], axis=2)
        n /= np.linalg.norm(n, axis=2, keepdims=True) + 1e-9
        diff = np.clip(n @ L, 0, 1)
        wrap = np.clip((n @ L + 0.3) / 1.3, 0, 1)
        spec = np.clip(n @ H, 0, 1) ** shine * gloss
        bounce = np.clip(n[..., 1], 0, 1) ** 2 * 0.25  # warm light thrown up by the ledge
        base = hexrgb(col)
        mottled = base * (1 + (fbm(rng, h, w, (12, 12), 3) - 0.5) * 0.25)[..., None]
        c = mottled * (0.12 + 0.95 * (0.35 * wrap + 0.65 * diff))[..., None]
        c += bounce[..., None] * hexrgb("#a0723a") * 0.5
        c += spec[..., None] * hexrgb("#fff4e0")
        # darken the silhouette edge a touch (occlusion)
        c *= (0.75 + 0.25 * smoothstep(0.0, 0.35, nz))[..., None]
        img = np.where(draw[..., None], c, img)
        zbuf = np.where(draw, z, zbuf)

    # stems: pear, apple
    st = Image.new("L", (w, h), 0)
    ds = ImageDraw.Draw(st)
    ds.line([(488, 466), (492, 446), (502, 432)], fill=255, width=5)
    ds.line([(252, 550), (256, 532)], fill=255, width=4)
    stm = blur(np.asarray(st, dtype=np.float64) / 255, 0.8)
    img = lerp(img, hexrgb("#2d2114"), stm[..., None])
    # a leaf resting by the apple
    leaf = Image.new("L", (w, h), 0)
    ImageDraw.Draw(leaf).polygon([(646, 684), (700, 662), (772, 650), (720, 680), (676, 690)], fill=255)
    lm = blur(np.asarray(leaf, dtype=np.float64) / 255, 1.2)
    lcol = lerp(hexrgb("#3d5a28"), hexrgb("#26381a"), smoothstep(650, 690, y)[..., None])
    img = lerp(img, lcol, lm[..., None])

    img = _warp(img, rng, 3.0)
    img = blur(img, 0.8)
    img = img * _brushwork(rng, h, w, 0.14)[..., None]
    # varnish: warm, slightly yellowed highlights and a little craquelure-free sheen
    img = img * hexrgb("#fff0d8")
    img = img * _canvas(rng, h, w)[..., None]
    img = vignette(img, 0.45)
    return grain(img, rng, 0.01, 1.0)


# ------------------------------------------------------------------------- field of strokes


def make_field_strokes(rng):
    h, w = 900, 900
    im = Image.new("RGB", (w, h), (58, 38, 40))
    dr = ImageDraw.Draw(im, "RGBA")

    def stroke(x0, y0, length, width, angle, colour, alpha, bristles=14):
        """One loaded brush pulled across: parallel bristle tracks that run dry toward the end."""
        ca, sa = math.cos(angle), math.sin(angle)
        px, py = -sa, ca
        curve = rng.normal(0, 0.08)
        for b in range(bristles):
            # the brush is rounded: outer bristles make shorter marks
            edge = abs(b / (bristles - 1) - 0.5) * 2
            off = (b / (bristles - 1) - 0.5) * width + rng.normal(0, width * 0.03)
            start = rng.uniform(0, 0.1) + 0.12 * edge**2  # bristles touch down unevenly
            dry = rng.uniform(0.5, 1.0) - 0.15 * edge**2  # ... and run dry at different points
            jitter = rng.normal(0, 10, 3)
            col = tuple(int(np.clip(c + j, 0, 255)) for c, j in zip(colour, jitter))
            pts = []
            steps = max(4, int(length / 8))
            for k in range(int(steps * start), int(steps * dry)):
                t = k / steps
                bend = curve * (t - 0.5) ** 2 * length
                xx = x0 + ca * length * t + px * (off + bend)
                yy = y0 + sa * length * t + py * (off + bend)
                pts.append((xx, yy))
            if len(pts) > 1:
                a = int(alpha * rng.uniform(0.6, 1.0))
                dr.line(pts, fill=col + (a,), width=max(2, int(width / bristles * 3.0)))

    # Underpainting, then three fields, each laid in horizontal strokes; the edges overlap.
    fields = [
        (0, 330, [(196, 64, 44), (214, 92, 52), (176, 52, 40), (224, 120, 70)]),
        (300, 420, [(46, 36, 52), (64, 44, 60), (38, 30, 44)]),
        (400, 900, [(222, 168, 110), (234, 190, 140), (204, 140, 96), (238, 206, 166)]),
    ]
    for y0, y1, palette in fields:
        for _ in range(int((y1 - y0) * 2.4)):
            col = palette[int(rng.integers(0, len(palette)))]
            yy = rng.uniform(y0 - 10, y1 + 10)
            xx = rng.uniform(-120, w)
            stroke(xx, yy, rng.uniform(90, 420), rng.uniform(16, 54), rng.normal(0, 0.09), col, 120, 18)
    # a cool scraped passage across the bottom field, and a few vertical drags in the red
    for _ in range(70):
        stroke(rng.uniform(80, 640), rng.uniform(620, 700), rng.uniform(80, 240), rng.uniform(10, 22),
               rng.normal(-0.12, 0.05), (92, 118, 140), 110, 10)
    for _ in range(30):
        stroke(rng.uniform(560, 760), rng.uniform(40, 140), rng.uniform(100, 220), rng.uniform(12, 26),
               math.pi / 2 + rng.normal(0, 0.08), (236, 150, 82), 90, 10)

    img = np.asarray(im, dtype=np.float64) / 255
    img = _warp(img, rng, 3.0)
    img = blur(img, 1.0)
    img = img * _brushwork(rng, h, w, 0.06)[..., None]
    x, y = coords(h, w)
    # impasto: light catches ridges of paint (use local luminance variation as relief)
    lum = img.mean(axis=2)
    relief = np.gradient(blur(lum, 1.0), axis=0) * -4 + np.gradient(blur(lum, 1.0), axis=1) * 2
    img = img * (1 + np.clip(relief, -0.15, 0.15))[..., None]
    img = img * (1 + (_canvas(rng, h, w) - 1) * 0.35)[..., None]
    return grain(img, rng, 0.008, 1.0)


# ---------------------------------------------------------------------------- fern cyanotype


def make_cyanotype(rng):
    h, w = 1000, 800
    x, y = coords(h, w)
    exposure = Image.new("L", (w, h), 0)  # 255 where light was blocked (stays paper-white)
    de = ImageDraw.Draw(exposure)

    def frond(bx, by, length, angle, curl, pinnae, leaf_len, opacity):
        """A fern frond: a curving rachis with paired, tapering pinnae, each made of lobes."""
        pts = []
        a = angle
        px, py = bx, by
        step = length / 120
        for k in range(121):
            pts.append((px, py))
            a += curl / 120
            px += math.cos(a) * step
            py += math.sin(a) * step
        de.line(pts, fill=opacity, width=4)
        for k in range(4, 120, max(1, 120 // pinnae)):
            t = k / 120
            (qx, qy), (rx_, ry_) = pts[k], pts[min(k + 1, 120)]
            tan = math.atan2(ry_ - qy, rx_ - qx)
            size = leaf_len * (1 - t) ** 0.7 * (0.4 + 0.6 * math.sin(math.pi * min(1, t * 1.6 + 0.15)))
            for side in (-1, 1):
                pa = tan + side * (1.05 - 0.3 * t)
                ex, ey = qx + math.cos(pa) * size, qy + math.sin(pa) * size
                de.line([(qx, qy), (ex, ey)], fill=opacity, width=2)
                lobes = max(3, int(size / 9))
                for j in range(lobes):
                    s = (j + 0.5) / lobes
                    lx, ly = qx + (ex - qx) * s, qy + (ey - qy) * s
                    lr = size * 0.16 * (1 - s * 0.6)
                    de.ellipse([lx - lr, ly - lr * 0.75, lx + lr, ly + lr * 0.75], fill=opacity)

    frond(150, 980, 820, -1.30, 0.55, 38, 120, 255)
    frond(520, 1010, 760, -1.95, -0.45, 34, 105, 235)
    frond(360, 1020, 560, -1.55, 0.25, 28, 80, 210)
    # grass stems and a seed head
    for _ in range(9):
        gx = rng.uniform(40, 760)
        a = -math.pi / 2 + rng.normal(0, 0.25)
        L = rng.uniform(300, 800)
        bend = rng.normal(0, 0.3)
        pts = [(gx + math.cos(a + bend * t) * L * t, 1000 - math.sin(-(a + bend * t)) * L * t)
               for t in np.linspace(0, 1, 40)]
        de.line(pts, fill=int(rng.integers(150, 230)), width=int(rng.integers(2, 4)))
    hx, hy = 640, 210
    for k in range(40):
        a = -math.pi / 2 + (k / 39 - 0.5) * 1.6
        de.line([(hx, hy + 60), (hx + math.cos(a) * 70, hy + 60 + math.sin(a) * 70)], fill=200, width=1)
    de.line([(hx, hy + 60), (hx + 20, 1000)], fill=220, width=3)

    m = np.asarray(exposure, dtype=np.float64) / 255
    m = blur(m, 1.4)  # contact print softness
    # Prussian blue, uneven where the sensitiser was brushed on; a paper border with brush edge.
    blue = lerp(hexrgb("#0f2f6b"), hexrgb("#1d4d8c"), fbm(rng, h, w, (4, 4), 5)[..., None])
    blue = blue * (1 + (fbm(rng, h, w, (40, 8), 3) - 0.5) * 0.12)[..., None]
    paper = hexrgb("#f2efe4") * (1 + (fbm(rng, h, w, (60, 60), 3) - 0.5) * 0.05)[..., None]
    tint = lerp(paper, hexrgb("#b9cde0"), 0.35)  # leaves not fully opaque: pale blue
    img = lerp(blue, tint, m[..., None])
    edge_n = (fbm(rng, h, w, (30, 30), 4) - 0.5) * 28
    inset = np.minimum(np.minimum(x, w - 1 - x), np.minimum(y, h - 1 - y)) + edge_n
    coated = smoothstep(34, 44, inset)
    # brush streaks visible along the coated edge
    streak = fbm(rng, h, w, (120, 4), 3)
    coated = coated * (0.85 + 0.15 * streak) ** (1 - smoothstep(44, 90, inset))
    img = lerp(paper, img, coated[..., None])
    return grain(img, rng, 0.012, 1.0)


# ---------------------------------------------------------------- heat index (risograph)


def make_heat_index(rng):
    """Three flat inks (fluorescent pink, teal, yellow) overprinted on cream paper: each ink is
    a coverage mask; overlaps multiply like real transparent inks; plates slightly misregister."""
    h, w = 1000, 800
    ss = 2  # supersample for clean edges
    H, W = h * ss, w * ss

    def plate():
        return Image.new("L", (W, H), 0)

    pink, teal, yellow = plate(), plate(), plate()
    dp, dt, dy = ImageDraw.Draw(pink), ImageDraw.Draw(teal), ImageDraw.Draw(yellow)
    S = ss
    # sun, crossed by yellow heat stripes
    dp.ellipse([230 * S, 170 * S, 590 * S, 530 * S], fill=255)
    for k in range(9):
        yy = (190 + k * 38) * S
        dy.rectangle([130 * S, yy, 690 * S, yy + 14 * S], fill=255)
    # hills, teal, cut off by the waterline
    for k, (cy, r) in enumerate([(900, 500), (960, 430), (1020, 400)]):
        cx = (240 + k * 190) * S
        dt.ellipse([cx - r * S, cy * S - r * S * 0.72, cx + r * S, cy * S + r * S * 0.72], fill=255)
    dt.rectangle([0, 820 * S, W, H], fill=0)
    # the sea: pink, with teal wave lines that overprint dark
    dp.rectangle([0, 820 * S, W, H], fill=255)
    for k in range(6):
        yy = 846 + k * 24
        pts = [(xx * S, (yy + 5 * math.sin(xx / 22.0 + k * 1.7)) * S) for xx in range(0, 801, 4)]
        dt.line(pts, fill=255, width=4 * S)
    # coarse halftone dots of yellow in the sky, fading downward
    for gy in range(20, 540, 16):
        for gx in range(20, 800, 16):
            r = 5.5 * max(0.0, 1 - gy / 540)
            if r > 0.8:
                dy.ellipse([(gx - r) * S, (gy - r) * S, (gx + r) * S, (gy + r) * S], fill=255)
    # paper margin: nothing prints within 36 px of the sheet's edge
    for d in (dp, dt, dy):
        d.rectangle([0, 0, W, 36 * S], fill=0)
        d.rectangle([0, H - 36 * S, W, H], fill=0)
        d.rectangle([0, 0, 36 * S, H], fill=0)
        d.rectangle([W - 36 * S, 0, W, H], fill=0)
    # misregistration: each plate shifted a few pixels
    def cov(p, dx, dy_):
        a = np.asarray(p.resize((w, h), Image.LANCZOS), dtype=np.float64) / 255
        return np.roll(np.roll(a, dy_, axis=0), dx, axis=1)

    cp, ct, cy_ = cov(pink, 0, 0), cov(teal, 3, -2), cov(yellow, -2, 3)
    paper = hexrgb("#f3ead8")
    inks = [(cp, hexrgb("#ff5c8a")), (ct, hexrgb("#2a8c8c")), (cy_, hexrgb("#ffd23f"))]
    img = np.ones((h, w, 3)) * paper
    for c, ink in inks:
        img = img * lerp(np.ones(3), ink, (c * 0.92)[..., None])
    return img


PICTURES = {
    "lake": (make_lake, "lake-first-light.jpg", 11),
    "forest": (make_forest, "fog-forest.jpg", 23),
    "sea": (make_sea, "sea-after-rain.jpg", 5),
    "traffic": (make_traffic, "night-traffic.jpg", 42),
    "dunes": (make_dunes, "dunes-dusk.jpg", 8),
    "still-life": (make_still_life, "still-life-fruit.jpg", 3),
    "strokes": (make_field_strokes, "field-strokes.jpg", 19),
    "cyanotype": (make_cyanotype, "fern-cyanotype.jpg", 31),
    "heat-index": (make_heat_index, "heat-index.png", 2),
}


def main(argv):
    names = argv or list(PICTURES)
    for name in names:
        fn, filename, seed = PICTURES[name]
        save(fn(np.random.default_rng(seed)), filename)


if __name__ == "__main__":
    main(sys.argv[1:])
