//! Procedural sculpture meshes as plain data: shape catalogue, parameters and mesh builders.
//!
//! Every mesh is normalised to a unit footprint: centred on x = z = 0, base at y = 0, height
//! exactly 1 and largest horizontal radius exactly 0.5, so the game scales it by the work's
//! (diameter, height). Triangles wind counter-clockwise seen from outside (Bevy's front faces)
//! and normals point outwards. Meshes need not be bit-identical across platforms, so std
//! trigonometry is used, but every build is a deterministic function of its parameters.

use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::{PI, TAU};
use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::generative::{ParamIssue, ParamSpec, Resolved, resolve};

/// An indexed triangle list with per-vertex normals and texture coordinates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeshData {
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub uvs: Vec<[f32; 2]>,
    pub indices: Vec<u32>,
}

impl MeshData {
    pub fn triangle_count(&self) -> u32 {
        (self.indices.len() / 3) as u32
    }
}

/// The sculpture shapes, by the name a level uses.
pub const SHAPES: &[&str] = &[
    "twisted-column",
    "stacked-stones",
    "torus-knot",
    "lattice-sphere",
];

/// (p, q) windings selectable with the torus knot's `knot` parameter.
pub const KNOTS: &[(u32, u32)] = &[(2, 3), (2, 5), (3, 4), (3, 5), (2, 7), (3, 7)];

const COLUMN: &[ParamSpec] = &[
    ParamSpec {
        name: "sides",
        min: 3.0,
        max: 12.0,
        default: 5.0,
        help: "number of flat faces around the column (integer)",
    },
    ParamSpec {
        name: "twist",
        min: -2.0,
        max: 2.0,
        default: 0.4,
        help: "turns of twist from base to top (sign = direction)",
    },
    ParamSpec {
        name: "taper",
        min: 0.0,
        max: 0.8,
        default: 0.3,
        help: "how much narrower the top is than the base (0 = straight)",
    },
    ParamSpec {
        name: "bulge",
        min: 0.0,
        max: 0.5,
        default: 0.12,
        help: "swelling at mid-height (entasis)",
    },
    ParamSpec {
        name: "segments",
        min: 2.0,
        max: 128.0,
        default: 48.0,
        help: "vertical subdivisions; more = smoother twist (integer)",
    },
];

const STONES: &[ParamSpec] = &[
    ParamSpec {
        name: "stones",
        min: 2.0,
        max: 8.0,
        default: 4.0,
        help: "number of stones in the stack (integer)",
    },
    ParamSpec {
        name: "wobble",
        min: 0.0,
        max: 1.0,
        default: 0.35,
        help: "how far the stones are offset and tilted from a neat pile",
    },
    ParamSpec {
        name: "flatness",
        min: 0.25,
        max: 1.0,
        default: 0.55,
        help: "height of each stone relative to its width (1 = round)",
    },
    ParamSpec {
        name: "variant",
        min: 0.0,
        max: 999.0,
        default: 0.0,
        help: "which random arrangement and stone shapes (integer)",
    },
    ParamSpec {
        name: "detail",
        min: 8.0,
        max: 48.0,
        default: 24.0,
        help: "segments around each stone (integer)",
    },
];

const KNOT: &[ParamSpec] = &[
    ParamSpec {
        name: "knot",
        min: 0.0,
        max: 5.0,
        default: 0.0,
        help: "winding (integer index): 0 trefoil (2,3), 1 (2,5), 2 (3,4), 3 (3,5), 4 (2,7), 5 (3,7)",
    },
    ParamSpec {
        name: "thickness",
        min: 0.04,
        max: 0.2,
        default: 0.11,
        help: "tube radius relative to the knot's radius",
    },
    ParamSpec {
        name: "segments",
        min: 32.0,
        max: 512.0,
        default: 256.0,
        help: "subdivisions along the tube (integer)",
    },
    ParamSpec {
        name: "sides",
        min: 4.0,
        max: 32.0,
        default: 12.0,
        help: "subdivisions around the tube (integer)",
    },
];

const LATTICE: &[ParamSpec] = &[
    ParamSpec {
        name: "detail",
        min: 0.0,
        max: 3.0,
        default: 1.0,
        help: "geodesic subdivision level (integer): 0 = icosahedron, 3 = fine dome",
    },
    ParamSpec {
        name: "strut",
        min: 0.005,
        max: 0.05,
        default: 0.02,
        help: "strut radius as a fraction of the sphere's radius",
    },
    ParamSpec {
        name: "node",
        min: 1.2,
        max: 4.0,
        default: 2.0,
        help: "joint ball radius as a multiple of the strut radius",
    },
    ParamSpec {
        name: "sides",
        min: 3.0,
        max: 12.0,
        default: 6.0,
        help: "facets around each strut (integer)",
    },
];

/// The parameters of `shape`, or `None` when the shape is unknown.
pub fn params(shape: &str) -> Option<&'static [ParamSpec]> {
    match shape {
        "twisted-column" => Some(COLUMN),
        "stacked-stones" => Some(STONES),
        "torus-knot" => Some(KNOT),
        "lattice-sphere" => Some(LATTICE),
        _ => None,
    }
}

/// Why a sculpture could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum SculptureError {
    UnknownShape(String),
    UnknownParam {
        shape: String,
        name: String,
    },
    NonFiniteParam {
        name: String,
    },
    ParamOutOfRange {
        name: String,
        value: f64,
        min: f64,
        max: f64,
    },
}

impl fmt::Display for SculptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SculptureError::UnknownShape(name) => write!(
                f,
                "unknown sculpture shape `{name}` (known: {})",
                SHAPES.join(", ")
            ),
            SculptureError::UnknownParam { shape, name } => {
                let known: Vec<&str> = params(shape)
                    .unwrap_or(&[])
                    .iter()
                    .map(|spec| spec.name)
                    .collect();
                write!(
                    f,
                    "`{shape}` has no parameter `{name}` (known: {})",
                    known.join(", ")
                )
            }
            SculptureError::NonFiniteParam { name } => {
                write!(f, "parameter `{name}` must be a finite number")
            }
            SculptureError::ParamOutOfRange {
                name,
                value,
                min,
                max,
            } => write!(f, "parameter `{name}` = {value} is outside {min}..={max}"),
        }
    }
}

impl std::error::Error for SculptureError {}

fn resolve_for(shape: &str, params_in: &BTreeMap<String, f64>) -> Result<Resolved, SculptureError> {
    let specs = params(shape).ok_or_else(|| SculptureError::UnknownShape(shape.to_owned()))?;
    resolve(specs, params_in).map_err(|issue| match issue {
        ParamIssue::Unknown(name) => SculptureError::UnknownParam {
            shape: shape.to_owned(),
            name,
        },
        ParamIssue::NonFinite(name) => SculptureError::NonFiniteParam { name },
        ParamIssue::OutOfRange {
            name,
            value,
            min,
            max,
        } => SculptureError::ParamOutOfRange {
            name,
            value,
            min,
            max,
        },
    })
}

/// Builds the mesh of `shape`; missing parameters take their defaults.
pub fn build(shape: &str, params: &BTreeMap<String, f64>) -> Result<MeshData, SculptureError> {
    let p = resolve_for(shape, params)?;
    let mut builder = Builder::default();
    match shape {
        "twisted-column" => twisted_column(&mut builder, &Column::from(&p)),
        "stacked-stones" => stacked_stones(&mut builder, &Stones::from(&p)),
        "torus-knot" => torus_knot(&mut builder, &Knot::from(&p)),
        "lattice-sphere" => lattice_sphere(&mut builder, &Lattice::from(&p)),
        other => return Err(SculptureError::UnknownShape(other.to_owned())),
    }
    Ok(builder.finish())
}

/// The number of triangles `build` will produce, without building (for budgets).
pub fn estimate_triangles(
    shape: &str,
    params: &BTreeMap<String, f64>,
) -> Result<u32, SculptureError> {
    let p = resolve_for(shape, params)?;
    Ok(match shape {
        "twisted-column" => {
            let c = Column::from(&p);
            2 * c.sides * (c.segments + 1)
        }
        "stacked-stones" => {
            let s = Stones::from(&p);
            s.stones * sphere_triangles(s.around, s.rings())
        }
        "torus-knot" => {
            let k = Knot::from(&p);
            2 * k.segments * k.sides
        }
        "lattice-sphere" => {
            let l = Lattice::from(&p);
            let scale = 4u32.pow(l.detail);
            let edges = 30 * scale;
            let vertices = 10 * scale + 2;
            edges * 2 * l.sides + vertices * sphere_triangles(NODE_AROUND, NODE_RINGS)
        }
        other => return Err(SculptureError::UnknownShape(other.to_owned())),
    })
}

// ---------------------------------------------------------------------------------------------
// Mesh assembly.
// ---------------------------------------------------------------------------------------------

type V3 = [f64; 3];

fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn mul(a: V3, k: f64) -> V3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn normalize(a: V3) -> V3 {
    let len = dot(a, a).sqrt();
    if len > 1e-300 {
        mul(a, 1.0 / len)
    } else {
        [0.0, 1.0, 0.0]
    }
}

#[derive(Default)]
struct Builder {
    positions: Vec<V3>,
    normals: Vec<V3>,
    uvs: Vec<[f64; 2]>,
    indices: Vec<u32>,
}

impl Builder {
    fn vertex(&mut self, position: V3, normal: V3, uv: [f64; 2]) -> u32 {
        self.positions.push(position);
        self.normals.push(normalize(normal));
        self.uvs.push(uv);
        (self.positions.len() - 1) as u32
    }

    /// Adds a triangle, winding it so that it faces the way its vertex normals point
    /// (counter-clockwise seen from that side).
    fn triangle(&mut self, a: u32, b: u32, c: u32) {
        let (pa, pb, pc) = (
            self.positions[a as usize],
            self.positions[b as usize],
            self.positions[c as usize],
        );
        let facing = cross(sub(pb, pa), sub(pc, pa));
        let hint = add(
            add(self.normals[a as usize], self.normals[b as usize]),
            self.normals[c as usize],
        );
        if dot(facing, hint) < 0.0 {
            self.indices.extend_from_slice(&[a, c, b]);
        } else {
            self.indices.extend_from_slice(&[a, b, c]);
        }
    }

    /// Two triangles over the quad a-b-c-d (in order around its rim).
    fn quad(&mut self, a: u32, b: u32, c: u32, d: u32) {
        self.triangle(a, b, c);
        self.triangle(a, c, d);
    }

    /// Normalises into the unit footprint (centred, base at 0, height 1, radius 0.5), fixing
    /// the normals for the non-uniform scale, and converts to f32.
    fn finish(self) -> MeshData {
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for p in &self.positions {
            for axis in 0..3 {
                lo[axis] = lo[axis].min(p[axis]);
                hi[axis] = hi[axis].max(p[axis]);
            }
        }
        let centre_x = (lo[0] + hi[0]) * 0.5;
        let centre_z = (lo[2] + hi[2]) * 0.5;
        let radius = self
            .positions
            .iter()
            .map(|p| {
                let (x, z) = (p[0] - centre_x, p[2] - centre_z);
                (x * x + z * z).sqrt()
            })
            .fold(0.0, f64::max);
        let radial = if radius > 1e-12 { 0.5 / radius } else { 1.0 };
        let height = hi[1] - lo[1];
        let vertical = if height > 1e-12 { 1.0 / height } else { 1.0 };
        let to32 = |v: V3| [v[0] as f32, v[1] as f32, v[2] as f32];
        MeshData {
            positions: self
                .positions
                .iter()
                .map(|p| {
                    to32([
                        (p[0] - centre_x) * radial,
                        ((p[1] - lo[1]) * vertical).clamp(0.0, 1.0),
                        (p[2] - centre_z) * radial,
                    ])
                })
                .collect(),
            normals: self
                .normals
                .iter()
                .map(|n| to32(normalize([n[0] / radial, n[1] / vertical, n[2] / radial])))
                .collect(),
            uvs: self
                .uvs
                .iter()
                .map(|uv| [uv[0] as f32, uv[1] as f32])
                .collect(),
            indices: self.indices,
        }
    }
}

fn int_param(p: &Resolved, name: &str) -> u32 {
    p.int(name).max(0) as u32
}

/// Triangles in a UV sphere with `around` segments and `rings` latitude bands (no
/// degenerate triangles at the poles).
fn sphere_triangles(around: u32, rings: u32) -> u32 {
    2 * around * (rings - 1)
}

/// A UV sphere whose surface point for a unit direction is `surface(direction)`; normals are
/// taken from the surface itself (finite differences) and oriented away from `inside`.
fn uv_sphere(
    builder: &mut Builder,
    around: u32,
    rings: u32,
    inside: V3,
    surface: &dyn Fn(V3) -> V3,
) {
    let base = builder.positions.len() as u32;
    let row = around + 1;
    for ring in 0..=rings {
        let phi = PI * f64::from(ring) / f64::from(rings);
        for seg in 0..=around {
            let theta = TAU * f64::from(seg) / f64::from(around);
            let dir = [phi.sin() * theta.cos(), phi.cos(), phi.sin() * theta.sin()];
            let p = surface(dir);
            // Tangent frame around dir, valid at the poles too.
            let helper = if dir[1].abs() < 0.9 {
                [0.0, 1.0, 0.0]
            } else {
                [1.0, 0.0, 0.0]
            };
            let t1 = normalize(cross(dir, helper));
            let t2 = cross(dir, t1);
            let eps = 1e-4;
            let du = sub(
                surface(normalize(add(dir, mul(t1, eps)))),
                surface(normalize(sub(dir, mul(t1, eps)))),
            );
            let dv = sub(
                surface(normalize(add(dir, mul(t2, eps)))),
                surface(normalize(sub(dir, mul(t2, eps)))),
            );
            let mut n = normalize(cross(du, dv));
            if dot(n, sub(p, inside)) < 0.0 {
                n = mul(n, -1.0);
            }
            builder.vertex(
                p,
                n,
                [
                    f64::from(seg) / f64::from(around),
                    f64::from(ring) / f64::from(rings),
                ],
            );
        }
    }
    for ring in 0..rings {
        for seg in 0..around {
            let a = base + ring * row + seg;
            let b = a + 1;
            let c = a + row + 1;
            let d = a + row;
            if ring == 0 {
                builder.triangle(a, c, d);
            } else if ring == rings - 1 {
                builder.triangle(a, b, d);
            } else {
                builder.quad(a, b, c, d);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Twisted column.
// ---------------------------------------------------------------------------------------------

struct Column {
    sides: u32,
    twist: f64,
    taper: f64,
    bulge: f64,
    segments: u32,
}

impl From<&Resolved> for Column {
    fn from(p: &Resolved) -> Column {
        Column {
            sides: int_param(p, "sides").clamp(3, 12),
            twist: p.get("twist"),
            taper: p.get("taper"),
            bulge: p.get("bulge"),
            segments: int_param(p, "segments").clamp(2, 128),
        }
    }
}

fn twisted_column(builder: &mut Builder, c: &Column) {
    let sides = c.sides;
    let corner = |k: u32, y: f64| -> V3 {
        let angle = TAU * f64::from(k) / f64::from(sides) + TAU * c.twist * y;
        let r = 0.5 * (1.0 - c.taper * y) * (1.0 + c.bulge * (PI * y).sin());
        [r * angle.cos(), y, r * angle.sin()]
    };
    let d_dy = |k: u32, y: f64| -> V3 {
        let h = 1e-4;
        mul(sub(corner(k, y + h), corner(k, y - h)), 0.5 / h)
    };
    for k in 0..sides {
        let next = k + 1;
        let row_start = builder.positions.len() as u32;
        for j in 0..=c.segments {
            let y = f64::from(j) / f64::from(c.segments);
            let (a, b) = (corner(k, y), corner(next, y));
            let across = sub(b, a);
            let middle = mul(add(a, b), 0.5);
            let outward = [middle[0], 0.0, middle[2]];
            for (point, edge_k, u) in [(a, k, 0.0), (b, next, 1.0)] {
                let mut n = normalize(cross(d_dy(edge_k, y), across));
                if dot(n, outward) < 0.0 {
                    n = mul(n, -1.0);
                }
                let u = (f64::from(k) + u) / f64::from(sides);
                builder.vertex(point, n, [u, 1.0 - y]);
            }
        }
        for j in 0..c.segments {
            let a = row_start + 2 * j;
            builder.quad(a, a + 1, a + 3, a + 2);
        }
    }
    // Flat caps.
    for (y, ny) in [(0.0, -1.0), (1.0, 1.0)] {
        let centre = builder.vertex([0.0, y, 0.0], [0.0, ny, 0.0], [0.5, 0.5]);
        let ring_start = builder.positions.len() as u32;
        for k in 0..sides {
            let p = corner(k, y);
            let r = (p[0] * p[0] + p[2] * p[2]).sqrt().max(1e-12);
            builder.vertex(
                p,
                [0.0, ny, 0.0],
                [0.5 + 0.5 * p[0] / r, 0.5 + 0.5 * p[2] / r],
            );
        }
        for k in 0..sides {
            builder.triangle(centre, ring_start + k, ring_start + (k + 1) % sides);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stacked stones.
// ---------------------------------------------------------------------------------------------

struct Stones {
    stones: u32,
    wobble: f64,
    flatness: f64,
    variant: u64,
    around: u32,
}

impl Stones {
    fn rings(&self) -> u32 {
        (self.around / 2).max(4)
    }
}

impl From<&Resolved> for Stones {
    fn from(p: &Resolved) -> Stones {
        Stones {
            stones: int_param(p, "stones").clamp(2, 8),
            wobble: p.get("wobble"),
            flatness: p.get("flatness"),
            variant: u64::from(int_param(p, "variant")),
            around: int_param(p, "detail").clamp(8, 48),
        }
    }
}

fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn range(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit(rng)
}

fn stacked_stones(builder: &mut Builder, s: &Stones) {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5707_e500 ^ s.variant);
    let mut floor = 0.0;
    for i in 0..s.stones {
        let t = f64::from(i) / f64::from(s.stones - 1);
        let width = (1.0 - 0.45 * t) * range(&mut rng, 0.85, 1.1);
        let rx = 0.5 * width * range(&mut rng, 0.92, 1.08);
        let rz = 0.5 * width * range(&mut rng, 0.72, 0.95);
        let ry = 0.5 * width * s.flatness * range(&mut rng, 0.85, 1.1);
        let drift = s.wobble * 0.14 * width;
        let heading = range(&mut rng, 0.0, TAU);
        let offset = [drift * heading.cos(), drift * heading.sin()];
        let yaw = range(&mut rng, 0.0, TAU);
        let tilt = s.wobble * range(&mut rng, -0.18, 0.18);
        // Low-frequency lumps, smooth everywhere on the sphere.
        let lumps: Vec<(V3, f64, f64, f64)> = (0..3)
            .map(|_| {
                let a = range(&mut rng, 0.0, TAU);
                let b = range(&mut rng, -1.0, 1.0);
                let axis = [
                    (1.0 - b * b).sqrt() * a.cos(),
                    b,
                    (1.0 - b * b).sqrt() * a.sin(),
                ];
                (
                    axis,
                    range(&mut rng, 1.5, 3.5),
                    range(&mut rng, 0.0, TAU),
                    range(&mut rng, 0.02, 0.05),
                )
            })
            .collect();
        let centre = [offset[0], floor + ry * 0.92, offset[1]];
        let (cy, sy) = (yaw.cos(), yaw.sin());
        let (ct, st) = (tilt.cos(), tilt.sin());
        let surface = |d: V3| -> V3 {
            let mut rho = 1.0;
            for &(axis, freq, phase, amp) in &lumps {
                rho += amp * (freq * dot(d, axis) + phase).sin();
            }
            // A pebble: ellipsoid, a little squarer at the flanks.
            let flank = 1.0 + 0.06 * (1.0 - d[1] * d[1]);
            let local = [
                d[0] * rx * rho * flank,
                d[1] * ry * rho,
                d[2] * rz * rho * flank,
            ];
            // Tilt about x, then turn about y.
            let tilted = [
                local[0],
                local[1] * ct - local[2] * st,
                local[1] * st + local[2] * ct,
            ];
            let turned = [
                tilted[0] * cy + tilted[2] * sy,
                tilted[1],
                -tilted[0] * sy + tilted[2] * cy,
            ];
            add(centre, turned)
        };
        uv_sphere(builder, s.around, s.rings(), centre, &surface);
        // The next stone settles a little into this one.
        floor = centre[1] + ry * 0.82;
    }
}

// ---------------------------------------------------------------------------------------------
// Torus knot.
// ---------------------------------------------------------------------------------------------

struct Knot {
    p: f64,
    q: f64,
    thickness: f64,
    segments: u32,
    sides: u32,
}

impl From<&Resolved> for Knot {
    fn from(p: &Resolved) -> Knot {
        let index = (p.int("knot").clamp(0, KNOTS.len() as i64 - 1)) as usize;
        let (wp, wq) = KNOTS[index];
        Knot {
            p: f64::from(wp),
            q: f64::from(wq),
            thickness: p.get("thickness"),
            segments: int_param(p, "segments").clamp(32, 512),
            sides: int_param(p, "sides").clamp(4, 32),
        }
    }
}

fn torus_knot(builder: &mut Builder, k: &Knot) {
    let (major, minor) = (1.0, 0.42);
    // Standing upright: the torus axis is horizontal (z), the knot faces the viewer.
    let curve = |t: f64| -> V3 {
        let r = major + minor * (k.q * t).cos();
        [
            r * (k.p * t).cos(),
            r * (k.p * t).sin(),
            minor * (k.q * t).sin(),
        ]
    };
    let tube = k.thickness * (major + minor);
    let h = 1e-4;
    let row = k.sides + 1;
    let base = builder.positions.len() as u32;
    for i in 0..=k.segments {
        let t = TAU * f64::from(i) / f64::from(k.segments);
        let c = curve(t);
        let d1 = mul(sub(curve(t + h), curve(t - h)), 0.5 / h);
        let d2 = mul(
            add(sub(curve(t + h), mul(c, 2.0)), curve(t - h)),
            1.0 / (h * h),
        );
        let tangent = normalize(d1);
        let normal = normalize(sub(d2, mul(tangent, dot(d2, tangent))));
        let binormal = cross(tangent, normal);
        for j in 0..=k.sides {
            let a = TAU * f64::from(j) / f64::from(k.sides);
            let out = add(mul(normal, a.cos()), mul(binormal, a.sin()));
            builder.vertex(
                add(c, mul(out, tube)),
                out,
                [
                    f64::from(i) / f64::from(k.segments),
                    f64::from(j) / f64::from(k.sides),
                ],
            );
        }
    }
    for i in 0..k.segments {
        for j in 0..k.sides {
            let a = base + i * row + j;
            builder.quad(a, a + 1, a + row + 1, a + row);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lattice sphere.
// ---------------------------------------------------------------------------------------------

const NODE_AROUND: u32 = 8;
const NODE_RINGS: u32 = 5;

struct Lattice {
    detail: u32,
    strut: f64,
    node: f64,
    sides: u32,
}

impl From<&Resolved> for Lattice {
    fn from(p: &Resolved) -> Lattice {
        Lattice {
            detail: int_param(p, "detail").min(3),
            strut: p.get("strut"),
            node: p.get("node"),
            sides: int_param(p, "sides").clamp(3, 12),
        }
    }
}

/// Vertices and edges of a geodesic sphere (an icosahedron with poles on the y axis,
/// subdivided `detail` times).
fn geodesic(detail: u32) -> (Vec<V3>, BTreeSet<(u32, u32)>) {
    let mut vertices: Vec<V3> = vec![[0.0, 1.0, 0.0]];
    let ring_y = 1.0 / 5f64.sqrt();
    let ring_r = 2.0 / 5f64.sqrt();
    for (y, shift) in [(ring_y, 0.0), (-ring_y, 0.5)] {
        for i in 0..5 {
            let a = TAU * (f64::from(i) + shift) / 5.0;
            vertices.push([ring_r * a.cos(), y, ring_r * a.sin()]);
        }
    }
    vertices.push([0.0, -1.0, 0.0]);
    let mut faces: Vec<[u32; 3]> = Vec::new();
    for i in 0..5u32 {
        let (u0, u1) = (1 + i, 1 + (i + 1) % 5);
        let (l0, l1) = (6 + i, 6 + (i + 1) % 5);
        faces.push([0, u0, u1]);
        faces.push([u0, l0, u1]);
        faces.push([u1, l0, l1]);
        faces.push([11, l1, l0]);
    }
    for _ in 0..detail {
        let mut midpoints: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        let mut midpoint = |a: u32, b: u32, vertices: &mut Vec<V3>| -> u32 {
            let key = (a.min(b), a.max(b));
            *midpoints.entry(key).or_insert_with(|| {
                vertices.push(normalize(mul(
                    add(vertices[a as usize], vertices[b as usize]),
                    0.5,
                )));
                (vertices.len() - 1) as u32
            })
        };
        let mut next = Vec::with_capacity(faces.len() * 4);
        for [a, b, c] in faces {
            let ab = midpoint(a, b, &mut vertices);
            let bc = midpoint(b, c, &mut vertices);
            let ca = midpoint(c, a, &mut vertices);
            next.extend_from_slice(&[[a, ab, ca], [ab, b, bc], [ca, bc, c], [ab, bc, ca]]);
        }
        faces = next;
    }
    let mut edges = BTreeSet::new();
    for [a, b, c] in faces {
        for (x, y) in [(a, b), (b, c), (c, a)] {
            edges.insert((x.min(y), x.max(y)));
        }
    }
    (vertices, edges)
}

fn lattice_sphere(builder: &mut Builder, l: &Lattice) {
    let (vertices, edges) = geodesic(l.detail);
    let strut = l.strut;
    let node = l.strut * l.node;
    for &(a, b) in &edges {
        let (pa, pb) = (vertices[a as usize], vertices[b as usize]);
        let axis = normalize(sub(pb, pa));
        let side = normalize(cross(axis, add(pa, pb)));
        let other = cross(axis, side);
        let base = builder.positions.len() as u32;
        for j in 0..l.sides {
            let angle = TAU * f64::from(j) / f64::from(l.sides);
            let out = add(mul(side, angle.cos()), mul(other, angle.sin()));
            let u = f64::from(j) / f64::from(l.sides);
            builder.vertex(add(pa, mul(out, strut)), out, [u, 0.0]);
            builder.vertex(add(pb, mul(out, strut)), out, [u, 1.0]);
        }
        for j in 0..l.sides {
            let next = (j + 1) % l.sides;
            builder.quad(
                base + 2 * j,
                base + 2 * next,
                base + 2 * next + 1,
                base + 2 * j + 1,
            );
        }
    }
    for &centre in &vertices {
        let surface = |d: V3| add(centre, mul(d, node));
        uv_sphere(builder, NODE_AROUND, NODE_RINGS, centre, &surface);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_params() -> BTreeMap<String, f64> {
        BTreeMap::new()
    }

    fn one(name: &str, value: f64) -> BTreeMap<String, f64> {
        let mut map = BTreeMap::new();
        map.insert(name.to_owned(), value);
        map
    }

    /// Every shape at its defaults and with each parameter at its extremes.
    fn variations() -> Vec<(&'static str, BTreeMap<String, f64>)> {
        let mut out = Vec::new();
        for &shape in SHAPES {
            out.push((shape, no_params()));
            for spec in params(shape).unwrap() {
                out.push((shape, one(spec.name, spec.min)));
                out.push((shape, one(spec.name, spec.max)));
            }
        }
        out
    }

    fn v(a: [f32; 3]) -> V3 {
        [f64::from(a[0]), f64::from(a[1]), f64::from(a[2])]
    }

    #[test]
    fn estimate_matches_build() {
        for (shape, p) in variations() {
            let mesh = build(shape, &p).unwrap();
            assert_eq!(
                estimate_triangles(shape, &p).unwrap(),
                mesh.triangle_count(),
                "{shape} {p:?}"
            );
        }
    }

    #[test]
    fn meshes_are_well_formed_and_fit_the_unit_footprint() {
        for (shape, p) in variations() {
            let mesh = build(shape, &p).unwrap();
            let n = mesh.positions.len();
            assert!(
                n > 0 && mesh.normals.len() == n && mesh.uvs.len() == n,
                "{shape}"
            );
            assert_eq!(mesh.indices.len() % 3, 0);
            assert!(mesh.indices.iter().all(|&i| (i as usize) < n), "{shape}");
            let (mut min_y, mut max_y, mut max_r) = (f32::INFINITY, f32::NEG_INFINITY, 0.0f32);
            for (pos, normal) in mesh.positions.iter().zip(&mesh.normals) {
                assert!(pos.iter().chain(normal).all(|c| c.is_finite()), "{shape}");
                let len =
                    (normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]).sqrt();
                assert!((len - 1.0).abs() < 1e-4, "{shape}: normal length {len}");
                min_y = min_y.min(pos[1]);
                max_y = max_y.max(pos[1]);
                max_r = max_r.max((pos[0] * pos[0] + pos[2] * pos[2]).sqrt());
            }
            assert!(
                min_y.abs() < 1e-5 && (max_y - 1.0).abs() < 1e-5,
                "{shape} {p:?}"
            );
            assert!((max_r - 0.5).abs() < 1e-5, "{shape} {p:?}: radius {max_r}");
            assert!(mesh.triangle_count() < 100_000, "{shape} {p:?}");
        }
    }

    /// Winding agrees with the vertex normals (counter-clockwise from the side they point to),
    /// and the enclosed volume is positive, i.e. the normals point outwards.
    #[test]
    fn faces_wind_outwards() {
        for (shape, p) in variations() {
            let mesh = build(shape, &p).unwrap();
            let mut volume = 0.0;
            for tri in mesh.indices.chunks(3) {
                let [a, b, c] = [0, 1, 2].map(|k| v(mesh.positions[tri[k] as usize]));
                let facing = cross(sub(b, a), sub(c, a));
                let hint = [0, 1, 2]
                    .map(|k| v(mesh.normals[tri[k] as usize]))
                    .into_iter()
                    .fold([0.0; 3], add);
                if dot(facing, facing) > 1e-14 {
                    assert!(dot(facing, hint) > 0.0, "{shape} {p:?}");
                }
                volume += dot(a, cross(b, c)) / 6.0;
            }
            assert!(volume > 0.0, "{shape} {p:?}: volume {volume}");
        }
    }

    #[test]
    fn column_side_normals_point_away_from_the_axis() {
        for twist in [-2.0, 0.0, 0.4, 2.0] {
            let mesh = build("twisted-column", &one("twist", twist)).unwrap();
            for (pos, normal) in mesh.positions.iter().zip(&mesh.normals) {
                if normal[1].abs() < 0.9 {
                    assert!(
                        pos[0] * normal[0] + pos[2] * normal[2] > 0.0,
                        "twist {twist}"
                    );
                }
            }
        }
    }

    #[test]
    fn closed_shapes_have_positive_volume_close_to_expectation() {
        // A straight square column (no taper, bulge or twist) of the unit footprint is a box
        // inscribed in the 0.5 circle: side 0.5·√2, volume 0.5.
        let mut p = BTreeMap::new();
        p.insert("sides".to_owned(), 4.0);
        p.insert("twist".to_owned(), 0.0);
        p.insert("taper".to_owned(), 0.0);
        p.insert("bulge".to_owned(), 0.0);
        let mesh = build("twisted-column", &p).unwrap();
        let volume: f64 = mesh
            .indices
            .chunks(3)
            .map(|t| {
                let [a, b, c] = [0, 1, 2].map(|k| v(mesh.positions[t[k] as usize]));
                dot(a, cross(b, c)) / 6.0
            })
            .sum();
        assert!((volume - 0.5).abs() < 1e-4, "volume {volume}");
    }

    #[test]
    fn builds_are_deterministic_and_variants_differ() {
        for &shape in SHAPES {
            assert_eq!(build(shape, &no_params()), build(shape, &no_params()));
        }
        assert_ne!(
            build("stacked-stones", &one("variant", 1.0)).unwrap(),
            build("stacked-stones", &one("variant", 2.0)).unwrap()
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(matches!(
            build("teapot", &no_params()),
            Err(SculptureError::UnknownShape(_))
        ));
        assert!(matches!(
            estimate_triangles("teapot", &no_params()),
            Err(SculptureError::UnknownShape(_))
        ));
        assert!(matches!(
            build("torus-knot", &one("colour", 1.0)),
            Err(SculptureError::UnknownParam { .. })
        ));
        assert!(matches!(
            build("lattice-sphere", &one("detail", 4.0)),
            Err(SculptureError::ParamOutOfRange { .. })
        ));
        assert!(matches!(
            build("stacked-stones", &one("wobble", f64::NAN)),
            Err(SculptureError::NonFiniteParam { .. })
        ));
        let message = build("torus-knot", &one("colour", 1.0))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("colour") && message.contains("thickness"),
            "{message}"
        );
        assert!(params("teapot").is_none());
        for &shape in SHAPES {
            let specs = params(shape).unwrap();
            assert!((2..=5).contains(&specs.len()));
            for spec in specs {
                assert!(
                    spec.min <= spec.default && spec.default <= spec.max,
                    "{shape}"
                );
            }
        }
    }
}
