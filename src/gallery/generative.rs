//! Generative artworks: portable, seed-driven procedural paintings rendered into a texture at load time.
//!
//! Every algorithm is a pure function of `(algorithm, seed, params, size)`. The output must be
//! bit-identical on every platform (native and wasm32), so this module only uses the ChaCha8
//! generator for randomness and only IEEE-exact float operations (`+ - * /`, `sqrt`, `floor`);
//! sines and cosines come from the polynomial helpers in [`det`].

use std::collections::BTreeMap;
use std::fmt;

use self::det::{Noise, Rand, TAU, clamp01, cos, lerp, sin, smoothstep};
use super::pixels::Pixels;

/// One tunable parameter of an algorithm (or of a sculpture shape).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    pub help: &'static str,
}

/// The generative algorithms, by the name a level uses.
pub const ALGORITHMS: &[&str] = &[
    "flow-field",
    "voronoi-mosaic",
    "cellular-automaton",
    "noise-landscape",
    "mountain-layers",
];

/// Names of the colour palettes, indexed by every algorithm's `palette` parameter.
pub const PALETTE_NAMES: &[&str] = &[
    "earth", "ocean", "dusk", "bauhaus", "forest", "ink", "nordic", "desert",
];

/// Smallest and largest texture edge `render` accepts.
pub const MIN_SIZE: u32 = 16;
pub const MAX_SIZE: u32 = 2048;

const PALETTE_MAX: f64 = 7.0;

const FLOW_FIELD: &[ParamSpec] = &[
    ParamSpec {
        name: "lines",
        min: 20.0,
        max: 2000.0,
        default: 700.0,
        help: "number of strokes (integer)",
    },
    ParamSpec {
        name: "length",
        min: 0.02,
        max: 1.0,
        default: 0.3,
        help: "mean stroke length as a fraction of the canvas edge",
    },
    ParamSpec {
        name: "curl",
        min: 0.5,
        max: 8.0,
        default: 2.0,
        help: "how tightly the field swirls (noise frequency across the canvas)",
    },
    ParamSpec {
        name: "width",
        min: 0.5,
        max: 6.0,
        default: 2.0,
        help: "mean stroke width in pixels at 512 px (scales with the texture size)",
    },
    ParamSpec {
        name: "palette",
        min: 0.0,
        max: PALETTE_MAX,
        default: 0.0,
        help: "colour palette index (integer, see PALETTE_NAMES)",
    },
];

const VORONOI: &[ParamSpec] = &[
    ParamSpec {
        name: "cells",
        min: 4.0,
        max: 1024.0,
        default: 150.0,
        help: "approximate number of tiles (rounded to a square grid of seeds)",
    },
    ParamSpec {
        name: "jitter",
        min: 0.0,
        max: 1.0,
        default: 0.85,
        help: "0 = regular square grid, 1 = fully irregular tiles",
    },
    ParamSpec {
        name: "grout",
        min: 0.0,
        max: 8.0,
        default: 2.5,
        help: "grout line width in pixels at 512 px (scales with the texture size)",
    },
    ParamSpec {
        name: "shading",
        min: 0.0,
        max: 1.0,
        default: 0.5,
        help: "strength of the soft bevel at each tile's edge",
    },
    ParamSpec {
        name: "palette",
        min: 0.0,
        max: PALETTE_MAX,
        default: 2.0,
        help: "colour palette index (integer, see PALETTE_NAMES)",
    },
];

const CELLULAR: &[ParamSpec] = &[
    ParamSpec {
        name: "rule",
        min: 0.0,
        max: 255.0,
        default: 110.0,
        help: "elementary cellular automaton rule number (integer, Wolfram code)",
    },
    ParamSpec {
        name: "density",
        min: 0.0,
        max: 1.0,
        default: 0.5,
        help: "fraction of live cells in the first row; 0 = one live cell in the centre",
    },
    ParamSpec {
        name: "generations",
        min: 8.0,
        max: 256.0,
        default: 64.0,
        help: "rows drawn (integer); the grid is square, so this is also the column count",
    },
    ParamSpec {
        name: "palette",
        min: 0.0,
        max: PALETTE_MAX,
        default: 3.0,
        help: "colour palette index (integer, see PALETTE_NAMES)",
    },
];

const LANDSCAPE: &[ParamSpec] = &[
    ParamSpec {
        name: "octaves",
        min: 1.0,
        max: 8.0,
        default: 5.0,
        help: "layers of noise detail (integer)",
    },
    ParamSpec {
        name: "scale",
        min: 0.5,
        max: 10.0,
        default: 2.5,
        help: "size of the land masses: larger = more, smaller islands",
    },
    ParamSpec {
        name: "water_level",
        min: 0.0,
        max: 1.0,
        default: 0.42,
        help: "height below which the terrain is water (0 = dry, 1 = drowned)",
    },
    ParamSpec {
        name: "relief",
        min: 0.0,
        max: 3.0,
        default: 1.0,
        help: "strength of the hill shading",
    },
    ParamSpec {
        name: "palette",
        min: 0.0,
        max: PALETTE_MAX,
        default: 1.0,
        help: "colour palette index (integer, see PALETTE_NAMES)",
    },
];

const MOUNTAINS: &[ParamSpec] = &[
    ParamSpec {
        name: "layers",
        min: 2.0,
        max: 10.0,
        default: 6.0,
        help: "number of mountain ranges receding into the haze (integer)",
    },
    ParamSpec {
        name: "roughness",
        min: 0.0,
        max: 1.0,
        default: 0.5,
        help: "0 = smooth rolling hills, 1 = jagged peaks",
    },
    ParamSpec {
        name: "sun",
        min: 0.0,
        max: 1.0,
        default: 0.7,
        help: "horizontal position of the sun (0 = left edge, 1 = right edge)",
    },
    ParamSpec {
        name: "palette",
        min: 0.0,
        max: PALETTE_MAX,
        default: 2.0,
        help: "colour palette index (integer, see PALETTE_NAMES)",
    },
];

/// The parameters of `algorithm`, or `None` when the algorithm is unknown.
pub fn params(algorithm: &str) -> Option<&'static [ParamSpec]> {
    match algorithm {
        "flow-field" => Some(FLOW_FIELD),
        "voronoi-mosaic" => Some(VORONOI),
        "cellular-automaton" => Some(CELLULAR),
        "noise-landscape" => Some(LANDSCAPE),
        "mountain-layers" => Some(MOUNTAINS),
        _ => None,
    }
}

/// Why a generative artwork could not be rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum GenerativeError {
    UnknownAlgorithm(String),
    UnknownParam {
        algorithm: String,
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
    BadSize(u32),
}

impl fmt::Display for GenerativeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerativeError::UnknownAlgorithm(name) => write!(
                f,
                "unknown generative algorithm `{name}` (known: {})",
                ALGORITHMS.join(", ")
            ),
            GenerativeError::UnknownParam { algorithm, name } => {
                let known: Vec<&str> = params(algorithm)
                    .unwrap_or(&[])
                    .iter()
                    .map(|spec| spec.name)
                    .collect();
                write!(
                    f,
                    "`{algorithm}` has no parameter `{name}` (known: {})",
                    known.join(", ")
                )
            }
            GenerativeError::NonFiniteParam { name } => {
                write!(f, "parameter `{name}` must be a finite number")
            }
            GenerativeError::ParamOutOfRange {
                name,
                value,
                min,
                max,
            } => write!(f, "parameter `{name}` = {value} is outside {min}..={max}"),
            GenerativeError::BadSize(size) => {
                write!(f, "texture size {size} is outside {MIN_SIZE}..={MAX_SIZE}")
            }
        }
    }
}

impl std::error::Error for GenerativeError {}

/// A problem with one parameter, shared with the sculpture builder.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ParamIssue {
    Unknown(String),
    NonFinite(String),
    OutOfRange {
        name: String,
        value: f64,
        min: f64,
        max: f64,
    },
}

/// Parameter values checked against their specs, missing ones filled with defaults.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    specs: &'static [ParamSpec],
    values: Vec<f64>,
}

impl Resolved {
    /// The value of the named parameter (its spec must exist; 0 otherwise).
    pub(super) fn get(&self, name: &str) -> f64 {
        let found = self.specs.iter().position(|spec| spec.name == name);
        debug_assert!(found.is_some(), "no parameter spec named {name}");
        found.map_or(0.0, |index| self.values[index])
    }

    /// The named parameter rounded to the nearest integer.
    pub(super) fn int(&self, name: &str) -> i64 {
        self.get(name).round() as i64
    }
}

/// Checks `params` against `specs` (in sorted name order, so the first error is stable).
pub(super) fn resolve(
    specs: &'static [ParamSpec],
    params: &BTreeMap<String, f64>,
) -> Result<Resolved, ParamIssue> {
    let mut values: Vec<f64> = specs.iter().map(|spec| spec.default).collect();
    for (name, &value) in params {
        let Some(index) = specs.iter().position(|spec| spec.name == name) else {
            return Err(ParamIssue::Unknown(name.clone()));
        };
        if !value.is_finite() {
            return Err(ParamIssue::NonFinite(name.clone()));
        }
        let spec = &specs[index];
        if value < spec.min || value > spec.max {
            return Err(ParamIssue::OutOfRange {
                name: name.clone(),
                value,
                min: spec.min,
                max: spec.max,
            });
        }
        values[index] = value;
    }
    Ok(Resolved { specs, values })
}

fn resolve_for(
    algorithm: &str,
    params_in: &BTreeMap<String, f64>,
) -> Result<Resolved, GenerativeError> {
    let specs =
        params(algorithm).ok_or_else(|| GenerativeError::UnknownAlgorithm(algorithm.to_owned()))?;
    resolve(specs, params_in).map_err(|issue| match issue {
        ParamIssue::Unknown(name) => GenerativeError::UnknownParam {
            algorithm: algorithm.to_owned(),
            name,
        },
        ParamIssue::NonFinite(name) => GenerativeError::NonFiniteParam { name },
        ParamIssue::OutOfRange {
            name,
            value,
            min,
            max,
        } => GenerativeError::ParamOutOfRange {
            name,
            value,
            min,
            max,
        },
    })
}

/// Checks an algorithm name and its parameters without rendering (for level validation).
pub fn validate(algorithm: &str, params: &BTreeMap<String, f64>) -> Result<(), GenerativeError> {
    resolve_for(algorithm, params).map(|_| ())
}

/// Renders an artwork as an opaque `size`×`size` image. Missing parameters take their defaults.
/// The same inputs give the same pixels on every platform.
pub fn render(
    algorithm: &str,
    seed: u64,
    params: &BTreeMap<String, f64>,
    size: u32,
) -> Result<Pixels, GenerativeError> {
    let resolved = resolve_for(algorithm, params)?;
    if !(MIN_SIZE..=MAX_SIZE).contains(&size) {
        return Err(GenerativeError::BadSize(size));
    }
    let mut rng = Rand::new(seed);
    let canvas = match algorithm {
        "flow-field" => flow_field(&mut rng, &resolved, size),
        "voronoi-mosaic" => voronoi_mosaic(&mut rng, &resolved, size),
        "cellular-automaton" => cellular_automaton(&mut rng, &resolved, size),
        "noise-landscape" => noise_landscape(&mut rng, &resolved, size),
        "mountain-layers" => mountain_layers(&mut rng, &resolved, size),
        other => return Err(GenerativeError::UnknownAlgorithm(other.to_owned())),
    };
    Ok(canvas.into_pixels())
}

/// A canonical text of the inputs, for content hashing: the algorithm, the seed and every
/// parameter (defaults filled in for a known algorithm) sorted by name, with floats in Rust's
/// shortest round-trip notation. Versioned, so a change to the painters can invalidate caches.
pub fn content_hash_input(algorithm: &str, seed: u64, params: &BTreeMap<String, f64>) -> String {
    let mut merged: BTreeMap<&str, f64> = BTreeMap::new();
    if let Some(specs) = self::params(algorithm) {
        for spec in specs {
            merged.insert(spec.name, spec.default);
        }
    }
    for (name, &value) in params {
        merged.insert(name.as_str(), value);
    }
    let mut text = format!("vernissage-generative-v1;algorithm={algorithm};seed={seed}");
    for (name, value) in merged {
        // Fold -0 into 0 so both spellings hash alike.
        let value = if value == 0.0 { 0.0 } else { value };
        text.push_str(&format!(";{name}={value}"));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Deterministic maths, randomness and noise.
// ---------------------------------------------------------------------------------------------

/// Portable building blocks: only IEEE-exact operations, so results agree bit for bit across
/// targets. Also used by the surface textures.
pub(super) mod det {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    pub const PI: f64 = std::f64::consts::PI;
    pub const TAU: f64 = std::f64::consts::TAU;
    const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;

    /// Sine from a degree-13 Taylor polynomial after reduction to [-π/2, π/2]
    /// (error below 1e-9, plenty for pictures).
    pub fn sin(x: f64) -> f64 {
        let turns = (x / TAU + 0.5).floor();
        let mut r = x - turns * TAU;
        if r > HALF_PI {
            r = PI - r;
        } else if r < -HALF_PI {
            r = -PI - r;
        }
        let r2 = r * r;
        r * (1.0
            + r2 * (-1.0 / 6.0
                + r2 * (1.0 / 120.0
                    + r2 * (-1.0 / 5040.0
                        + r2 * (1.0 / 362_880.0
                            + r2 * (-1.0 / 39_916_800.0 + r2 * (1.0 / 6_227_020_800.0)))))))
    }

    pub fn cos(x: f64) -> f64 {
        sin(x + HALF_PI)
    }

    pub fn lerp(a: f64, b: f64, t: f64) -> f64 {
        a + (b - a) * t
    }

    pub fn clamp01(x: f64) -> f64 {
        x.clamp(0.0, 1.0)
    }

    pub fn smoothstep(edge0: f64, edge1: f64, x: f64) -> f64 {
        if edge1 <= edge0 {
            return if x < edge0 { 0.0 } else { 1.0 };
        }
        let t = clamp01((x - edge0) / (edge1 - edge0));
        t * t * (3.0 - 2.0 * t)
    }

    pub fn fract(x: f64) -> f64 {
        x - x.floor()
    }

    /// Quintic fade curve used by the lattice noises.
    fn fade(t: f64) -> f64 {
        t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
    }

    /// The only source of randomness: ChaCha8 seeded from a u64, read as raw integers.
    pub struct Rand(ChaCha8Rng);

    impl Rand {
        pub fn new(seed: u64) -> Rand {
            Rand(ChaCha8Rng::seed_from_u64(seed))
        }

        /// Uniform in [0, 1) with 53 random bits (exact conversion).
        pub fn unit(&mut self) -> f64 {
            (self.0.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
        }

        pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * self.unit()
        }

        /// Uniform integer in 0..n (n > 0).
        pub fn below(&mut self, n: usize) -> usize {
            (((self.0.next_u64() >> 32) * n as u64) >> 32) as usize
        }

        pub fn chance(&mut self, probability: f64) -> bool {
            self.unit() < probability
        }
    }

    /// Lattice noise tables drawn from a [`Rand`].
    pub struct Noise {
        perm: [u8; 256],
        values: [f64; 256],
        grads: [[f64; 2]; 256],
    }

    /// Lattice period used when no tiling is wanted (the permutation's own period).
    const FREE: i64 = 256;

    impl Noise {
        pub fn new(rng: &mut Rand) -> Noise {
            let mut perm = [0u8; 256];
            for (i, slot) in perm.iter_mut().enumerate() {
                *slot = i as u8;
            }
            for i in (1..256).rev() {
                let j = rng.below(i + 1);
                perm.swap(i, j);
            }
            let mut values = [0.0; 256];
            for value in values.iter_mut() {
                *value = rng.unit();
            }
            let mut grads = [[0.0; 2]; 256];
            for grad in grads.iter_mut() {
                let angle = rng.unit() * TAU;
                *grad = [cos(angle), sin(angle)];
            }
            Noise {
                perm,
                values,
                grads,
            }
        }

        fn hash(&self, ix: i64, iy: i64) -> usize {
            let a = i64::from(self.perm[(ix & 255) as usize]);
            usize::from(self.perm[((a + iy) & 255) as usize])
        }

        fn corners(x: f64, y: f64, period: Option<(i64, i64)>) -> ([i64; 4], f64, f64) {
            let (px, py) = period.unwrap_or((FREE, FREE));
            let fx = x.floor();
            let fy = y.floor();
            let ix = fx as i64;
            let iy = fy as i64;
            (
                [
                    ix.rem_euclid(px),
                    (ix + 1).rem_euclid(px),
                    iy.rem_euclid(py),
                    (iy + 1).rem_euclid(py),
                ],
                x - fx,
                y - fy,
            )
        }

        /// Smooth value noise in [0, 1]; with `period = Some((px, py))` it repeats every
        /// `px` lattice cells in x and `py` in y.
        pub fn value(&self, x: f64, y: f64, period: Option<(i64, i64)>) -> f64 {
            let ([x0, x1, y0, y1], tx, ty) = Self::corners(x, y, period);
            let sx = fade(tx);
            let sy = fade(ty);
            let v00 = self.values[self.hash(x0, y0)];
            let v10 = self.values[self.hash(x1, y0)];
            let v01 = self.values[self.hash(x0, y1)];
            let v11 = self.values[self.hash(x1, y1)];
            lerp(lerp(v00, v10, sx), lerp(v01, v11, sx), sy)
        }

        /// Gradient (Perlin-style) noise, roughly in [-1, 1], zero on lattice points.
        pub fn gradient(&self, x: f64, y: f64, period: Option<(i64, i64)>) -> f64 {
            let ([x0, x1, y0, y1], tx, ty) = Self::corners(x, y, period);
            let dot = |g: [f64; 2], dx: f64, dy: f64| g[0] * dx + g[1] * dy;
            let n00 = dot(self.grads[self.hash(x0, y0)], tx, ty);
            let n10 = dot(self.grads[self.hash(x1, y0)], tx - 1.0, ty);
            let n01 = dot(self.grads[self.hash(x0, y1)], tx, ty - 1.0);
            let n11 = dot(self.grads[self.hash(x1, y1)], tx - 1.0, ty - 1.0);
            let sx = fade(tx);
            let sy = fade(ty);
            lerp(lerp(n00, n10, sx), lerp(n01, n11, sx), sy) * 1.4
        }

        /// Fractal sum of value noise, normalised to [0, 1]. A period applies to the first
        /// octave and doubles with each further one, so the sum tiles too.
        pub fn fbm_value(
            &self,
            x: f64,
            y: f64,
            octaves: u32,
            gain: f64,
            period: Option<(i64, i64)>,
        ) -> f64 {
            self.fbm(x, y, octaves, gain, period, |n, x, y, p| n.value(x, y, p))
        }

        /// Fractal sum of gradient noise, roughly in [-1, 1].
        pub fn fbm_gradient(
            &self,
            x: f64,
            y: f64,
            octaves: u32,
            gain: f64,
            period: Option<(i64, i64)>,
        ) -> f64 {
            self.fbm(x, y, octaves, gain, period, |n, x, y, p| {
                n.gradient(x, y, p)
            })
        }

        fn fbm(
            &self,
            x: f64,
            y: f64,
            octaves: u32,
            gain: f64,
            period: Option<(i64, i64)>,
            basis: impl Fn(&Noise, f64, f64, Option<(i64, i64)>) -> f64,
        ) -> f64 {
            let mut sum = 0.0;
            let mut norm = 0.0;
            let mut amplitude = 1.0;
            let mut frequency = 1.0;
            let mut period = period;
            for octave in 0..octaves.max(1) {
                // Whole-number shifts decorrelate octaves without breaking periodicity.
                let shift = f64::from(octave) * 37.0;
                sum +=
                    amplitude * basis(self, x * frequency + shift, y * frequency + shift, period);
                norm += amplitude;
                amplitude *= gain;
                frequency *= 2.0;
                period = period.map(|(px, py)| (px * 2, py * 2));
            }
            sum / norm
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Colour.
// ---------------------------------------------------------------------------------------------

/// Linear-in-sRGB colour, 0..255 per channel (shared with the surface textures).
pub(super) type Rgb = [f64; 3];

struct Palette {
    paper: [u8; 3],
    /// Five inks, roughly darkest to lightest.
    inks: [[u8; 3]; 5],
}

const PALETTES: &[Palette] = &[
    // earth
    Palette {
        paper: [236, 228, 212],
        inks: [
            [58, 42, 34],
            [128, 64, 42],
            [186, 118, 62],
            [128, 128, 84],
            [216, 192, 150],
        ],
    },
    // ocean
    Palette {
        paper: [233, 236, 233],
        inks: [
            [16, 42, 70],
            [28, 98, 128],
            [58, 150, 144],
            [150, 200, 180],
            [228, 214, 180],
        ],
    },
    // dusk
    Palette {
        paper: [242, 230, 222],
        inks: [
            [40, 32, 70],
            [102, 56, 106],
            [184, 82, 108],
            [234, 146, 96],
            [248, 206, 156],
        ],
    },
    // bauhaus
    Palette {
        paper: [241, 235, 221],
        inks: [
            [30, 30, 34],
            [32, 74, 154],
            [204, 50, 40],
            [238, 184, 40],
            [214, 206, 188],
        ],
    },
    // forest
    Palette {
        paper: [235, 233, 220],
        inks: [
            [26, 46, 38],
            [48, 90, 62],
            [104, 134, 78],
            [170, 168, 102],
            [224, 212, 168],
        ],
    },
    // ink
    Palette {
        paper: [244, 240, 230],
        inks: [
            [20, 20, 24],
            [66, 66, 72],
            [118, 116, 112],
            [180, 58, 44],
            [206, 200, 188],
        ],
    },
    // nordic
    Palette {
        paper: [236, 238, 238],
        inks: [
            [34, 50, 70],
            [78, 108, 136],
            [140, 166, 180],
            [196, 160, 130],
            [226, 226, 222],
        ],
    },
    // desert
    Palette {
        paper: [242, 232, 214],
        inks: [
            [72, 40, 38],
            [160, 84, 58],
            [210, 140, 84],
            [226, 186, 120],
            [244, 222, 180],
        ],
    },
];

fn palette(index: i64) -> &'static Palette {
    &PALETTES[index.clamp(0, PALETTES.len() as i64 - 1) as usize]
}

pub(super) fn rgb(c: [u8; 3]) -> Rgb {
    [f64::from(c[0]), f64::from(c[1]), f64::from(c[2])]
}

pub(super) fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    [
        lerp(a[0], b[0], t),
        lerp(a[1], b[1], t),
        lerp(a[2], b[2], t),
    ]
}

pub(super) fn scale(c: Rgb, k: f64) -> Rgb {
    [c[0] * k, c[1] * k, c[2] * k]
}

/// Piecewise-linear colour ramp through evenly spaced stops, `t` in [0, 1].
fn ramp(stops: &[Rgb], t: f64) -> Rgb {
    let last = stops.len() - 1;
    let x = clamp01(t) * last as f64;
    let i = (x.floor() as usize).min(last.saturating_sub(1));
    if last == 0 {
        return stops[0];
    }
    mix(stops[i], stops[i + 1], x - i as f64)
}

/// Ramp through stops at explicit positions (ascending).
fn ramp_at(stops: &[(f64, Rgb)], t: f64) -> Rgb {
    if t <= stops[0].0 {
        return stops[0].1;
    }
    for pair in stops.windows(2) {
        let (t0, c0) = pair[0];
        let (t1, c1) = pair[1];
        if t <= t1 {
            return mix(c0, c1, smoothstep(t0, t1, t));
        }
    }
    stops[stops.len() - 1].1
}

/// An RGB float canvas, quantised to opaque sRGB bytes at the end.
struct Canvas {
    size: usize,
    px: Vec<Rgb>,
}

impl Canvas {
    /// A paper-coloured canvas with a faint mottle and grain so flat areas are not dead.
    fn paper(size: u32, paper: [u8; 3], rng: &mut Rand) -> Canvas {
        let n = size as usize;
        let base = rgb(paper);
        let mottle = Noise::new(rng);
        let mut px = Vec::with_capacity(n * n);
        let inv = 1.0 / size as f64;
        for y in 0..n {
            for x in 0..n {
                let m = mottle.value(x as f64 * inv * 6.0, y as f64 * inv * 6.0, None);
                let grain = rng.unit() - 0.5;
                px.push(scale(base, 1.0 + (m - 0.5) * 0.035 + grain * 0.018));
            }
        }
        Canvas { size: n, px }
    }

    fn blank(size: u32) -> Canvas {
        let n = size as usize;
        Canvas {
            size: n,
            px: vec![[0.0; 3]; n * n],
        }
    }

    fn into_pixels(self) -> Pixels {
        let mut rgba = Vec::with_capacity(self.px.len() * 4);
        for c in &self.px {
            for channel in c {
                rgba.push((channel + 0.5).floor().clamp(0.0, 255.0) as u8);
            }
            rgba.push(255);
        }
        Pixels {
            width: self.size as u32,
            height: self.size as u32,
            rgba,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Flow field: tapered strokes drifting along a smooth angle field.
// ---------------------------------------------------------------------------------------------

/// Unit vectors of the flow sampled on a grid over [-0.15, 1.15]², bilinearly interpolated.
struct FlowGrid {
    cells: usize,
    dirs: Vec<[f64; 2]>,
}

const FLOW_MARGIN: f64 = 0.15;

impl FlowGrid {
    fn new(noise: &Noise, curl: f64, twist: f64) -> FlowGrid {
        let cells = 160;
        let span = 1.0 + 2.0 * FLOW_MARGIN;
        let mut dirs = Vec::with_capacity((cells + 1) * (cells + 1));
        for j in 0..=cells {
            for i in 0..=cells {
                let x = i as f64 / cells as f64 * span - FLOW_MARGIN;
                let y = j as f64 / cells as f64 * span - FLOW_MARGIN;
                let n = noise.fbm_gradient(x * curl, y * curl, 2, 0.45, None);
                let angle = n * TAU * 0.85 + twist;
                dirs.push([cos(angle), sin(angle)]);
            }
        }
        FlowGrid { cells, dirs }
    }

    /// Direction at canvas-normalised `(x, y)`.
    fn at(&self, x: f64, y: f64) -> [f64; 2] {
        let span = 1.0 + 2.0 * FLOW_MARGIN;
        let last = self.cells as f64;
        let gx = ((x + FLOW_MARGIN) / span * last).clamp(0.0, last - 1e-9);
        let gy = ((y + FLOW_MARGIN) / span * last).clamp(0.0, last - 1e-9);
        let i = gx.floor() as usize;
        let j = gy.floor() as usize;
        let tx = gx - i as f64;
        let ty = gy - j as f64;
        let row = self.cells + 1;
        let d00 = self.dirs[j * row + i];
        let d10 = self.dirs[j * row + i + 1];
        let d01 = self.dirs[(j + 1) * row + i];
        let d11 = self.dirs[(j + 1) * row + i + 1];
        let dx = lerp(lerp(d00[0], d10[0], tx), lerp(d01[0], d11[0], tx), ty);
        let dy = lerp(lerp(d00[1], d10[1], tx), lerp(d01[1], d11[1], tx), ty);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-12 {
            [1.0, 0.0]
        } else {
            [dx / len, dy / len]
        }
    }
}

/// Per-stroke coverage: each pixel keeps the best coverage any of the stroke's segments gave
/// it, so overlapping segments of one stroke do not darken their joints.
struct StrokeMask {
    size: usize,
    stamp: Vec<u32>,
    coverage: Vec<f64>,
    touched: Vec<usize>,
}

impl StrokeMask {
    fn new(size: usize) -> StrokeMask {
        StrokeMask {
            size,
            stamp: vec![u32::MAX; size * size],
            coverage: vec![0.0; size * size],
            touched: Vec::new(),
        }
    }

    /// Adds an anti-aliased capsule from `a` to `b` (pixel units) of radius `r`.
    fn capsule(&mut self, id: u32, a: [f64; 2], b: [f64; 2], r: f64) {
        let n = self.size as f64;
        let reach = r + 1.0;
        let x0 = (a[0].min(b[0]) - reach).floor().max(0.0);
        let x1 = (a[0].max(b[0]) + reach).ceil().min(n - 1.0);
        let y0 = (a[1].min(b[1]) - reach).floor().max(0.0);
        let y1 = (a[1].max(b[1]) + reach).ceil().min(n - 1.0);
        if x1 < x0 || y1 < y0 {
            return;
        }
        let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
        let len2 = ex * ex + ey * ey;
        let outer2 = (r + 0.5) * (r + 0.5);
        for py in y0 as usize..=y1 as usize {
            let cy = py as f64 + 0.5;
            for px in x0 as usize..=x1 as usize {
                let cx = px as f64 + 0.5;
                let (wx, wy) = (cx - a[0], cy - a[1]);
                let t = if len2 > 0.0 {
                    clamp01((wx * ex + wy * ey) / len2)
                } else {
                    0.0
                };
                let (dx, dy) = (wx - ex * t, wy - ey * t);
                let d2 = dx * dx + dy * dy;
                if d2 >= outer2 {
                    continue;
                }
                let c = clamp01(r + 0.5 - d2.sqrt());
                if c <= 0.0 {
                    continue;
                }
                let index = py * self.size + px;
                if self.stamp[index] != id {
                    self.stamp[index] = id;
                    self.coverage[index] = c;
                    self.touched.push(index);
                } else if c > self.coverage[index] {
                    self.coverage[index] = c;
                }
            }
        }
    }

    fn paint(&mut self, canvas: &mut Canvas, colour: Rgb, alpha: f64) {
        for &index in &self.touched {
            canvas.px[index] = mix(canvas.px[index], colour, alpha * self.coverage[index]);
        }
        self.touched.clear();
    }
}

fn flow_field(rng: &mut Rand, p: &Resolved, size: u32) -> Canvas {
    let lines = p.int("lines").max(1) as usize;
    let length = p.get("length");
    let curl = p.get("curl");
    let width = p.get("width");
    let pal = palette(p.int("palette"));
    let s = f64::from(size);

    let mut canvas = Canvas::paper(size, pal.paper, rng);
    let field_noise = Noise::new(rng);
    let colour_noise = Noise::new(rng);
    let twist = rng.unit() * TAU;
    let field = FlowGrid::new(&field_noise, curl, twist);
    let mut mask = StrokeMask::new(canvas.size);

    let step = (s / 400.0).max(0.6);
    let inks: Vec<Rgb> = pal.inks[..4].iter().map(|&c| rgb(c)).collect();
    let mut points: Vec<[f64; 2]> = Vec::new();
    for line in 0..lines {
        let mut x = rng.range(-0.05, 1.05);
        let mut y = rng.range(-0.05, 1.05);
        let len_px = length * s * rng.range(0.55, 1.45);
        let radius = (width * s / 512.0 * rng.range(0.55, 1.45)).max(0.5) * 0.5;
        // Thick strokes can take longer steps: their capsules still overlap generously.
        let step = step.max(radius * 0.6);
        let steps = ((len_px / step).ceil() as usize).max(2);
        let hue = colour_noise.fbm_value(x * 1.7, y * 1.7, 2, 0.5, None);
        let pick = ((hue * 1.6 - 0.42 + rng.range(-0.25, 0.25)) * 4.0).floor();
        let ink = inks[pick.clamp(0.0, 3.0) as usize];
        let colour = scale(ink, rng.range(0.9, 1.1));
        let alpha = rng.range(0.7, 0.95);

        points.clear();
        points.push([x * s, y * s]);
        let h = step / s;
        for _ in 0..steps {
            // Midpoint integration keeps the curves smooth.
            let d1 = field.at(x, y);
            let d2 = field.at(x + d1[0] * h * 0.5, y + d1[1] * h * 0.5);
            x += d2[0] * h;
            y += d2[1] * h;
            if !(-FLOW_MARGIN..=1.0 + FLOW_MARGIN).contains(&x)
                || !(-FLOW_MARGIN..=1.0 + FLOW_MARGIN).contains(&y)
            {
                break;
            }
            points.push([x * s, y * s]);
        }
        let count = points.len();
        if count < 2 {
            continue;
        }
        for k in 0..count - 1 {
            let t = (k as f64 + 0.5) / (count - 1) as f64;
            let taper = (4.0 * t * (1.0 - t)).sqrt();
            mask.capsule(
                line as u32,
                points[k],
                points[k + 1],
                radius * (0.3 + 0.7 * taper),
            );
        }
        mask.paint(&mut canvas, colour, alpha);
    }
    canvas
}

// ---------------------------------------------------------------------------------------------
// Voronoi mosaic: coloured tiles with soft bevels and grout.
// ---------------------------------------------------------------------------------------------

fn voronoi_mosaic(rng: &mut Rand, p: &Resolved, size: u32) -> Canvas {
    let cells = p.get("cells");
    let jitter = p.get("jitter");
    let grout = p.get("grout");
    let shading = p.get("shading");
    let pal = palette(p.int("palette"));
    let s = f64::from(size);
    let n = size as usize;

    let g = (cells.sqrt().round() as usize).max(2);
    let gf = g as f64;
    let mut seeds = Vec::with_capacity(g * g);
    let mut colours = Vec::with_capacity(g * g);
    let tone_noise = Noise::new(rng);
    let inks: Vec<Rgb> = pal.inks.iter().map(|&c| rgb(c)).collect();
    for j in 0..g {
        for i in 0..g {
            let sx = (i as f64 + 0.5 + jitter * rng.range(-0.5, 0.5)) / gf;
            let sy = (j as f64 + 0.5 + jitter * rng.range(-0.5, 0.5)) / gf;
            seeds.push([sx, sy]);
            // Neighbouring tiles lean towards related inks; a few random accents.
            let drift = tone_noise.fbm_value(sx * 2.5, sy * 2.5, 2, 0.5, None);
            let index = if rng.chance(0.25) {
                rng.below(5)
            } else {
                ((drift * 1.8 - 0.4) * 5.0).floor().clamp(0.0, 4.0) as usize
            };
            colours.push(scale(inks[index], rng.range(0.9, 1.08)));
        }
    }

    let grout_colour = mix(rgb(pal.paper), rgb(pal.inks[0]), 0.18);
    let half_grout = grout * s / 512.0 * 0.5;
    let bevel = (7.0 * s / 512.0).max(1.0);
    let mut canvas = Canvas::blank(size);
    for py in 0..n {
        let y = (py as f64 + 0.5) / s;
        let cj = ((y * gf).floor() as isize).clamp(0, g as isize - 1);
        for px in 0..n {
            let x = (px as f64 + 0.5) / s;
            let ci = ((x * gf).floor() as isize).clamp(0, g as isize - 1);
            // Nearest seed among the 3×3 neighbouring cells.
            let mut best = 0;
            let mut best_d2 = f64::INFINITY;
            for nj in (cj - 1).max(0)..=(cj + 1).min(g as isize - 1) {
                for ni in (ci - 1).max(0)..=(ci + 1).min(g as isize - 1) {
                    let k = nj as usize * g + ni as usize;
                    let (dx, dy) = (seeds[k][0] - x, seeds[k][1] - y);
                    let d2 = dx * dx + dy * dy;
                    if d2 < best_d2 {
                        best_d2 = d2;
                        best = k;
                    }
                }
            }
            // Distance to the nearest bisector with the seeds around the winner.
            let a = seeds[best];
            let (bi, bj) = ((best % g) as isize, (best / g) as isize);
            let mut edge = f64::INFINITY;
            for nj in (bj - 2).max(0)..=(bj + 2).min(g as isize - 1) {
                for ni in (bi - 2).max(0)..=(bi + 2).min(g as isize - 1) {
                    let k = nj as usize * g + ni as usize;
                    if k == best {
                        continue;
                    }
                    let b = seeds[k];
                    let (nx, ny) = (b[0] - a[0], b[1] - a[1]);
                    let len = (nx * nx + ny * ny).sqrt();
                    if len < 1e-12 {
                        continue;
                    }
                    let (mx, my) = ((a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5);
                    let d = ((mx - x) * nx + (my - y) * ny) / len;
                    edge = edge.min(d);
                }
            }
            let edge_px = edge * s;
            let shade = 1.0 - shading * 0.22 * (1.0 - smoothstep(0.0, bevel, edge_px - half_grout));
            // A faint light from the top-left across each tile.
            let tilt = 1.0 + shading * 0.5 * ((a[0] - x) + (a[1] - y)) * gf * 0.12;
            let tile = scale(colours[best], shade * tilt);
            let cover = smoothstep(half_grout - 0.6, half_grout + 0.6, edge_px);
            canvas.px[py * n + px] = mix(grout_colour, tile, cover);
        }
    }
    add_grain(&mut canvas, rng, 0.012);
    canvas
}

/// Multiplies every pixel by a tiny random factor (paper/pigment grain, no banding).
fn add_grain(canvas: &mut Canvas, rng: &mut Rand, amount: f64) {
    for c in canvas.px.iter_mut() {
        *c = scale(*c, 1.0 + (rng.unit() - 0.5) * amount);
    }
}

// ---------------------------------------------------------------------------------------------
// Cellular automaton: an elementary rule, generation after generation down the canvas.
// ---------------------------------------------------------------------------------------------

fn cellular_automaton(rng: &mut Rand, p: &Resolved, size: u32) -> Canvas {
    let rule = p.int("rule").clamp(0, 255) as u32;
    let density = p.get("density");
    let generations = p.int("generations").max(2) as usize;
    let pal = palette(p.int("palette"));
    let s = f64::from(size);
    let n = size as usize;
    let cols = generations;

    let mut grid = vec![false; cols * generations];
    if density <= 0.0 {
        grid[cols / 2] = true;
    } else {
        for cell in grid.iter_mut().take(cols) {
            *cell = rng.chance(density);
        }
    }
    for row in 1..generations {
        for col in 0..cols {
            let above = (row - 1) * cols;
            let left = grid[above + (col + cols - 1) % cols];
            let centre = grid[above + col];
            let right = grid[above + (col + 1) % cols];
            let pattern = (u32::from(left) << 2) | (u32::from(centre) << 1) | u32::from(right);
            grid[row * cols + col] = (rule >> pattern) & 1 == 1;
        }
    }

    let mut canvas = Canvas::paper(size, pal.paper, rng);
    let inks: Vec<Rgb> = pal.inks[..4].iter().map(|&c| rgb(c)).collect();
    let accent = rgb(pal.inks[3]);
    let drift = Noise::new(rng);
    let cell_px = s / cols as f64;
    let gap = 0.09;
    let corner = 0.28;
    let half = 0.5 - gap;
    for py in 0..n {
        let gy = (py as f64 + 0.5) / cell_px;
        let row = (gy.floor() as usize).min(generations - 1);
        let ly = gy - row as f64 - 0.5;
        for px in 0..n {
            let gx = (px as f64 + 0.5) / cell_px;
            let col = (gx.floor() as usize).min(cols - 1);
            if !grid[row * cols + col] {
                continue;
            }
            let lx = gx - col as f64 - 0.5;
            // Rounded-square distance, in cell units.
            let qx = lx.abs() - (half - corner);
            let qy = ly.abs() - (half - corner);
            let (ox, oy) = (qx.max(0.0), qy.max(0.0));
            let d = (ox * ox + oy * oy).sqrt() + qx.max(qy).min(0.0) - corner;
            let cover = clamp01(0.5 - d * cell_px);
            if cover <= 0.0 {
                continue;
            }
            // Colour sweeps through the palette down the canvas, with a gentle drift.
            let t = row as f64 / (generations - 1) as f64;
            let wobble = drift.value(col as f64 * 0.15, row as f64 * 0.15, None) - 0.5;
            let mut colour = ramp(&inks, clamp01(t * 0.85 + wobble * 0.35));
            // Cells whose parent was dead (newly born) glow with the accent ink.
            if row > 0 && !grid[(row - 1) * cols + col] {
                colour = mix(colour, accent, 0.35);
            }
            let index = py * n + px;
            canvas.px[index] = mix(canvas.px[index], colour, cover * 0.96);
        }
    }
    canvas
}

// ---------------------------------------------------------------------------------------------
// Noise landscape: a hill-shaded topographic map.
// ---------------------------------------------------------------------------------------------

fn noise_landscape(rng: &mut Rand, p: &Resolved, size: u32) -> Canvas {
    let octaves = p.int("octaves").clamp(1, 8) as u32;
    let scale_param = p.get("scale");
    let water_level = p.get("water_level");
    let relief = p.get("relief");
    let pal = palette(p.int("palette"));
    let s = f64::from(size);
    let n = size as usize;

    let noise = Noise::new(rng);
    let offset_x = rng.range(0.0, 64.0);
    let offset_y = rng.range(0.0, 64.0);
    let mut heights = Vec::with_capacity(n * n);
    for py in 0..n {
        for px in 0..n {
            let x = (px as f64 + 0.5) / s * scale_param + offset_x;
            let y = (py as f64 + 0.5) / s * scale_param + offset_y;
            heights.push(noise.fbm_gradient(x, y, octaves, 0.5, None));
        }
    }
    // Stretch to the full 0..1 range so water_level means the same for every seed.
    let lo = heights.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = heights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi - lo > 1e-12 { hi - lo } else { 1.0 };
    for h in heights.iter_mut() {
        *h = (*h - lo) / span;
    }

    let paper = rgb(pal.paper);
    let deep = rgb(pal.inks[0]);
    let shallow = rgb(pal.inks[1]);
    // Hypsometric tints in the lighter inks, like a printed survey map.
    let beach = mix(rgb(pal.inks[4]), paper, 0.55);
    let low = mix(rgb(pal.inks[2]), rgb(pal.inks[3]), 0.45);
    let mid = rgb(pal.inks[3]);
    let high = mix(rgb(pal.inks[4]), rgb(pal.inks[3]), 0.25);
    let snow = mix(paper, [255.0; 3], 0.6);
    let land_stops = [
        (0.0, beach),
        (0.06, low),
        (0.35, mix(low, mid, 0.6)),
        (0.55, mid),
        (0.75, high),
        (0.92, snow),
    ];
    let light = {
        let (lx, ly, lz) = (-1.0f64, -1.0f64, 1.6f64);
        let len = (lx * lx + ly * ly + lz * lz).sqrt();
        [lx / len, ly / len, lz / len]
    };
    let slope_gain = relief * s * 0.12;
    let contour_step = 1.0 / 18.0;

    let mut canvas = Canvas::blank(size);
    for py in 0..n {
        for px in 0..n {
            let h = heights[py * n + px];
            let left = heights[py * n + px.saturating_sub(1)];
            let right = heights[py * n + (px + 1).min(n - 1)];
            let up = heights[py.saturating_sub(1) * n + px];
            let down = heights[(py + 1).min(n - 1) * n + px];
            let dhdx = (right - left) * 0.5;
            let dhdy = (down - up) * 0.5;
            let (nx, ny) = (-dhdx * slope_gain, -dhdy * slope_gain);
            let nlen = (nx * nx + ny * ny + 1.0).sqrt();
            let lit = (nx * light[0] + ny * light[1] + light[2]) / nlen / light[2];
            let shade = lit.clamp(0.6, 1.25);

            let colour = if h < water_level {
                let depth = (water_level - h) / water_level.max(1e-9);
                let mut c = mix(shallow, deep, smoothstep(0.0, 0.7, depth));
                c = scale(c, 1.0 + (shade - 1.0) * 0.2);
                // A pale line of surf along the shore.
                let surf = 1.0 - smoothstep(0.0, 0.012, water_level - h);
                mix(c, paper, surf * 0.45)
            } else {
                let t = if water_level < 1.0 {
                    (h - water_level) / (1.0 - water_level)
                } else {
                    0.0
                };
                let mut c = scale(ramp_at(&land_stops, t), shade);
                // Thin contour lines, about a pixel wide whatever the slope.
                let slope = (dhdx * dhdx + dhdy * dhdy).sqrt().max(1e-9);
                let phase = det::fract(h / contour_step);
                let dist_px = phase.min(1.0 - phase) * contour_step / slope;
                let line = 1.0 - smoothstep(0.3, 1.1, dist_px);
                c = scale(c, 1.0 - line * 0.14);
                c
            };
            canvas.px[py * n + px] = colour;
        }
    }
    add_grain(&mut canvas, rng, 0.016);
    canvas
}

// ---------------------------------------------------------------------------------------------
// Mountain layers: ridgelines receding into atmospheric haze under a sun.
// ---------------------------------------------------------------------------------------------

fn mountain_layers(rng: &mut Rand, p: &Resolved, size: u32) -> Canvas {
    let layers = p.int("layers").clamp(2, 10) as usize;
    let roughness = p.get("roughness");
    let sun_x = p.get("sun");
    let pal = palette(p.int("palette"));
    let s = f64::from(size);
    let n = size as usize;

    let paper = rgb(pal.paper);
    let sky_top = mix(rgb(pal.inks[1]), paper, 0.5);
    let horizon = mix(rgb(pal.inks[4]), paper, 0.35);
    let far = mix(rgb(pal.inks[3]), horizon, 0.45);
    let ridge_colours = [
        far,
        rgb(pal.inks[2]),
        rgb(pal.inks[1]),
        scale(rgb(pal.inks[0]), 0.9),
    ];
    let sun_colour = mix(paper, [255.0; 3], 0.6);

    let mut canvas = Canvas::blank(size);
    // Sky gradient and sun.
    let (sun_cx, sun_cy, sun_r) = (sun_x * s, 0.3 * s, 0.075 * s);
    for py in 0..n {
        let t = (py as f64 + 0.5) / s;
        let sky = mix(sky_top, horizon, smoothstep(0.0, 0.75, t));
        for px in 0..n {
            let (dx, dy) = (px as f64 + 0.5 - sun_cx, py as f64 + 0.5 - sun_cy);
            let d = (dx * dx + dy * dy).sqrt();
            let glow = (1.0 - smoothstep(sun_r, sun_r * 3.5, d)) * 0.25;
            let disc = clamp01(sun_r + 0.5 - d);
            let c = mix(sky, sun_colour, glow);
            canvas.px[py * n + px] = mix(c, sun_colour, disc);
        }
    }

    let noise = Noise::new(rng);
    let gain = 0.3 + 0.35 * roughness;
    let octaves = 3 + (roughness * 4.0).round() as u32;
    for layer in 0..layers {
        let t = layer as f64 / (layers - 1) as f64;
        let colour = ramp(&ridge_colours, t);
        let baseline = (0.42 + 0.45 * t) * s;
        let amplitude = (0.2 - 0.08 * t) * s;
        let frequency = 1.3 + 2.2 * t + rng.range(-0.3, 0.3);
        let row = layer as f64 * 7.0 + 0.37;
        let shift = rng.range(0.0, 40.0);
        let fog_depth = (0.18 + 0.1 * t) * s;
        for px in 0..n {
            let x = (px as f64 + 0.5) / s;
            let h = noise.fbm_gradient(x * frequency + shift, row, octaves, gain, None);
            let ridge = baseline - amplitude * (0.5 + h * 0.9);
            let start = (ridge - 1.0).floor().max(0.0) as usize;
            for py in start..n {
                let yc = py as f64 + 0.5;
                let cover = clamp01(yc - ridge + 0.5);
                if cover <= 0.0 {
                    continue;
                }
                // Mist pooling in the valleys: lighter towards the layer's foot.
                let fog = smoothstep(0.0, fog_depth, yc - ridge) * (0.35 - 0.2 * t);
                let c = mix(colour, horizon, fog);
                let index = py * n + px;
                canvas.px[index] = mix(canvas.px[index], c, cover);
            }
        }
    }
    add_grain(&mut canvas, rng, 0.014);
    canvas
}

/// Every algorithm's fingerprint at seed 7, 64 pixels, default parameters, as one line
/// (`generative fingerprints: flow-field=0x…, …`), then the studio's reference candidate's
/// pixels and content hash (`studio-pixels=0x…, studio-hash=0x…`): the browser build logs it at
/// start so a test can compare it with the desktop's golden values.
pub fn fingerprint_line() -> String {
    let parts: Vec<String> = ALGORITHMS
        .iter()
        .map(
            |algorithm| match render(algorithm, 7, &BTreeMap::new(), 64) {
                Ok(image) => format!("{algorithm}={:#018x}", image.fingerprint()),
                Err(e) => format!("{algorithm}=error({e})"),
            },
        )
        .chain(
            crate::studio::candidate::reference_fingerprints()
                .iter()
                .map(|(name, value)| format!("{name}={value:#018x}")),
        )
        .collect();
    format!("generative fingerprints: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_line_names_every_golden_value() {
        let line = fingerprint_line();
        for (algorithm, value) in GOLDEN {
            assert!(
                line.contains(&format!("{algorithm}={value:#018x}")),
                "{line}"
            );
        }
    }

    fn no_params() -> BTreeMap<String, f64> {
        BTreeMap::new()
    }

    fn one(name: &str, value: f64) -> BTreeMap<String, f64> {
        let mut map = BTreeMap::new();
        map.insert(name.to_owned(), value);
        map
    }

    /// Golden fingerprints at seed 7, size 64, default parameters. They guard cross-platform
    /// determinism: the very same constants are checked in the browser (wasm32) build, so any
    /// change here means artworks would differ between desktop and web, or between releases.
    const GOLDEN: &[(&str, u64)] = &[
        ("flow-field", 0x63743cf5c173b353),
        ("voronoi-mosaic", 0x3b6d1d045c63c66c),
        ("cellular-automaton", 0x41f975e4a9f03cc4),
        ("noise-landscape", 0xc6e662abc2a3adb3),
        ("mountain-layers", 0x7e9c931aac60eb99),
        // The studio's reference candidate (`studio::candidate::reference`): its pixels at
        // 64 px and the first eight bytes of its content hash.
        ("studio-pixels", 0xf0d0a7b86bfa48c1),
        ("studio-hash", 0xf556f409e56c4b57),
    ];

    #[test]
    fn golden_fingerprints() {
        for &(algorithm, expected) in GOLDEN.iter().filter(|(n, _)| ALGORITHMS.contains(n)) {
            let image = render(algorithm, 7, &no_params(), 64).unwrap();
            assert_eq!(
                image.fingerprint(),
                expected,
                "{algorithm}: fingerprint {:#x}",
                image.fingerprint()
            );
        }
        assert_eq!(GOLDEN.len(), ALGORITHMS.len() + 2);
    }

    /// The same candidate gives the same pixels and content hash everywhere: the browser test
    /// compares its logged values with these.
    #[test]
    fn golden_studio_candidate() {
        for (name, value) in crate::studio::candidate::reference_fingerprints() {
            let golden = GOLDEN.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
            assert_eq!(Some(value), golden, "{name}: {value:#018x}");
        }
    }

    #[test]
    fn det_sin_and_cos_are_accurate() {
        let mut x = -40.0;
        while x < 40.0 {
            assert!((sin(x) - x.sin()).abs() < 1e-8, "sin({x})");
            assert!((cos(x) - x.cos()).abs() < 1e-8, "cos({x})");
            x += 0.0137;
        }
    }

    #[test]
    fn output_is_square_opaque_and_deterministic() {
        for algorithm in ALGORITHMS {
            let a = render(algorithm, 99, &no_params(), 48).unwrap();
            let b = render(algorithm, 99, &no_params(), 48).unwrap();
            assert_eq!(a, b, "{algorithm}");
            assert_eq!((a.width, a.height), (48, 48));
            assert_eq!(a.rgba.len(), 48 * 48 * 4);
            assert!(a.rgba.chunks(4).all(|px| px[3] == 255), "{algorithm}");
        }
    }

    #[test]
    fn different_seeds_differ() {
        for algorithm in ALGORITHMS {
            let a = render(algorithm, 1, &no_params(), 64).unwrap();
            let b = render(algorithm, 2, &no_params(), 64).unwrap();
            assert_ne!(a.fingerprint(), b.fingerprint(), "{algorithm}");
        }
    }

    #[test]
    fn images_are_not_flat() {
        for algorithm in ALGORITHMS {
            let image = render(algorithm, 3, &no_params(), 64).unwrap();
            let lum: Vec<f64> = image
                .rgba
                .chunks(4)
                .map(|px| (f64::from(px[0]) + f64::from(px[1]) + f64::from(px[2])) / 3.0)
                .collect();
            let mean = lum.iter().sum::<f64>() / lum.len() as f64;
            let var = lum.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / lum.len() as f64;
            assert!(var > 40.0, "{algorithm}: variance {var}");
        }
    }

    #[test]
    fn every_param_extreme_renders() {
        for algorithm in ALGORITHMS {
            let specs = params(algorithm).unwrap();
            assert!((2..=5).contains(&specs.len()), "{algorithm}");
            for spec in specs {
                assert!(spec.min <= spec.default && spec.default <= spec.max);
                for value in [spec.min, spec.max] {
                    let image = render(algorithm, 5, &one(spec.name, value), 32);
                    assert!(image.is_ok(), "{algorithm} {}={value}", spec.name);
                }
            }
        }
    }

    #[test]
    fn renders_at_256() {
        let image = render("flow-field", 11, &no_params(), 256).unwrap();
        assert_eq!(image.rgba.len(), 256 * 256 * 4);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(matches!(
            render("fractal-soup", 1, &no_params(), 64),
            Err(GenerativeError::UnknownAlgorithm(_))
        ));
        assert!(matches!(
            render("flow-field", 1, &one("colour", 1.0), 64),
            Err(GenerativeError::UnknownParam { .. })
        ));
        assert!(matches!(
            render("flow-field", 1, &one("lines", 1e9), 64),
            Err(GenerativeError::ParamOutOfRange { .. })
        ));
        assert!(matches!(
            render("voronoi-mosaic", 1, &one("jitter", -0.1), 64),
            Err(GenerativeError::ParamOutOfRange { .. })
        ));
        assert!(matches!(
            render("noise-landscape", 1, &one("scale", f64::NAN), 64),
            Err(GenerativeError::NonFiniteParam { .. })
        ));
        assert!(matches!(
            render("noise-landscape", 1, &one("scale", f64::INFINITY), 64),
            Err(GenerativeError::NonFiniteParam { .. })
        ));
        assert_eq!(
            render("flow-field", 1, &no_params(), 15),
            Err(GenerativeError::BadSize(15))
        );
        assert_eq!(
            render("flow-field", 1, &no_params(), 2049),
            Err(GenerativeError::BadSize(2049))
        );
        assert!(params("nope").is_none());
        // Messages are readable.
        let message = render("flow-field", 1, &one("colour", 1.0), 64)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("colour") && message.contains("lines"),
            "{message}"
        );
        assert!(validate("flow-field", &one("lines", 10.0)).is_err());
        assert!(validate("flow-field", &one("lines", 100.0)).is_ok());
    }

    #[test]
    fn missing_params_take_defaults() {
        let mut explicit = BTreeMap::new();
        for spec in params("voronoi-mosaic").unwrap() {
            explicit.insert(spec.name.to_owned(), spec.default);
        }
        assert_eq!(
            render("voronoi-mosaic", 4, &explicit, 32).unwrap(),
            render("voronoi-mosaic", 4, &no_params(), 32).unwrap()
        );
        assert_ne!(
            render("voronoi-mosaic", 4, &one("palette", 5.0), 32).unwrap(),
            render("voronoi-mosaic", 4, &no_params(), 32).unwrap()
        );
    }

    #[test]
    fn palettes_are_consistent() {
        assert_eq!(PALETTES.len(), PALETTE_NAMES.len());
        for algorithm in ALGORITHMS {
            let spec = params(algorithm)
                .unwrap()
                .iter()
                .find(|spec| spec.name == "palette")
                .unwrap();
            assert_eq!(spec.max as usize, PALETTES.len() - 1);
        }
    }

    #[test]
    fn content_hash_input_is_canonical() {
        let mut a = BTreeMap::new();
        a.insert("lines".to_owned(), 700.0);
        let text = content_hash_input("flow-field", 42, &no_params());
        assert_eq!(text, content_hash_input("flow-field", 42, &a));
        assert_eq!(
            text,
            "vernissage-generative-v1;algorithm=flow-field;seed=42;\
             curl=2;length=0.3;lines=700;palette=0;width=2"
        );
        assert_ne!(text, content_hash_input("flow-field", 43, &no_params()));
        assert_ne!(
            text,
            content_hash_input("flow-field", 42, &one("curl", 2.5))
        );
        assert_eq!(
            content_hash_input("flow-field", 1, &one("curl", -0.0)),
            content_hash_input("flow-field", 1, &one("curl", 0.0))
        );
    }
}
