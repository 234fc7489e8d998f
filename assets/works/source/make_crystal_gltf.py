#!/usr/bin/env python3
"""Writes assets/works/crystal.gltf: a faceted, slightly irregular bipyramid ("Quartz Study"),
as a self-contained glTF 2.0 file (the vertex data is embedded as a base64 data URI).

Deterministic: run it again and the file is identical. Standard library only.
The model stands on y = 0, is 1 unit tall and fits a unit-diameter footprint, as Vernissage
expects of sculptures (the level scales it by the work's size).
"""
import base64
import json
import math
import random
import struct
from pathlib import Path

SIDES = 9
rng = random.Random(7)

# Ring of the girdle, a little uneven like a natural crystal.
ring = []
for i in range(SIDES):
    a = 2 * math.pi * i / SIDES + rng.uniform(-0.08, 0.08)
    r = 0.5 * rng.uniform(0.82, 1.0)
    ring.append((r * math.cos(a), 0.34 + rng.uniform(-0.04, 0.04), r * math.sin(a)))
top = (0.03, 1.0, -0.02)
bottom = (0.0, 0.0, 0.0)

positions, normals = [], []


def face(a, b, c):
    ux, uy, uz = (b[k] - a[k] for k in range(3))
    vx, vy, vz = (c[k] - a[k] for k in range(3))
    n = (uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
    length = math.sqrt(sum(x * x for x in n)) or 1.0
    n = tuple(x / length for x in n)
    for p in (a, b, c):
        positions.append(p)
        normals.append(n)


for i in range(SIDES):
    p, q = ring[i], ring[(i + 1) % SIDES]
    face(p, top, q)      # upper facet, counter-clockwise seen from outside
    face(p, q, bottom)   # lower facet

data = b"".join(struct.pack("<3f", *p) for p in positions)
data += b"".join(struct.pack("<3f", *n) for n in normals)
count = len(positions)
mins = [min(p[k] for p in positions) for k in range(3)]
maxs = [max(p[k] for p in positions) for k in range(3)]

doc = {
    "asset": {"version": "2.0", "generator": "Vernissage make_crystal_gltf.py"},
    "scene": 0,
    "scenes": [{"nodes": [0]}],
    "nodes": [{"mesh": 0, "name": "Quartz Study"}],
    "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "material": 0}]}],
    "materials": [{
        "name": "smoky quartz",
        "pbrMetallicRoughness": {
            "baseColorFactor": [0.62, 0.58, 0.66, 1.0],
            "metallicFactor": 0.1,
            "roughnessFactor": 0.18,
        },
    }],
    "buffers": [{
        "byteLength": len(data),
        "uri": "data:application/octet-stream;base64," + base64.b64encode(data).decode(),
    }],
    "bufferViews": [
        {"buffer": 0, "byteOffset": 0, "byteLength": count * 12, "target": 34962},
        {"buffer": 0, "byteOffset": count * 12, "byteLength": count * 12, "target": 34962},
    ],
    "accessors": [
        {"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3",
         "min": mins, "max": maxs},
        {"bufferView": 1, "componentType": 5126, "count": count, "type": "VEC3"},
    ],
}

out = Path(__file__).resolve().parent.parent / "crystal.gltf"
out.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {out} ({count // 3} triangles)")
