//! Synthetic exhibitions for load tests (`vernissage generate`): a grid of connected rooms sized
//! to hold the works, generative pictures with seeded algorithms and parameters, a few small
//! sculptures, and a light plan within every platform's budgets. Pure and deterministic: the
//! same spec always gives the same level.

use std::collections::BTreeMap;

use super::check::{MAX_SPOT_LIGHTS, MAX_TRIANGLES};
use super::layout;
use super::schema::{
    Ambient, Exhibition, Floor, Frame, FrameStyle, Level, Lights, Placement, Rgb, Role,
    SculptureSource, Share, Spawn, Spot, SpotTarget, Work, WorkKind, default_frame_width,
    default_light_color, default_spot_angle, default_spot_intensity, default_wall_color,
};
use crate::gallery::{generative, sculpture};

/// The most works `generate` makes: 10 000 keep the level under every budget and under the
/// 4 MiB file limit.
pub const MAX_WORKS: usize = 10_000;
/// The most rooms `generate` makes (each costs triangles of the level's budget).
pub const MAX_ROOMS: usize = 1_000;
/// Largest room side the format allows.
const MAX_SIDE: f32 = 200.0;
/// Texture edge of the generated pictures: small, so thousands of them fit in video memory.
pub const RESOLUTION: u32 = 128;
/// Every this many works one is a sculpture.
const SCULPTURE_EVERY: usize = 25;
/// Spot lights at most, one per room from the first: well within [`MAX_SPOT_LIGHTS`].
const SPOTS: usize = 16;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Number of works, 1 to [`MAX_WORKS`].
    pub works: usize,
    /// Number of rooms; `None` for about one room per 60 works.
    pub rooms: Option<usize>,
    pub seed: u64,
    /// Fill in every placement (the layout step's result) instead of leaving them `Auto`.
    pub placed: bool,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `[lo, hi]`, rounded to `step`.
    fn range(&mut self, lo: f64, hi: f64, step: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let value = lo + (hi - lo) * unit;
        ((value / step).round() * step).clamp(lo, hi)
    }
}

const ARTISTS: &[&str] = &[
    "A. Weaver",
    "B. Lindqvist",
    "C. Okafor",
    "D. Moreau",
    "E. Tanaka",
    "F. Novak",
    "G. Silva",
    "H. Brandt",
];

/// A synthetic exhibition following `spec`, or why there is none.
pub fn generate(spec: &Spec) -> Result<Level, String> {
    let n = spec.works;
    if !(1..=MAX_WORKS).contains(&n) {
        return Err(format!("--works must be 1 to {MAX_WORKS}, not {n}"));
    }
    let m = spec.rooms.unwrap_or(n.div_ceil(60)).max(1);
    if m > MAX_ROOMS {
        return Err(format!("--rooms must be 1 to {MAX_ROOMS}, not {m}"));
    }
    let mut rng = Rng(spec.seed ^ 0x5645_524E_4953_5341);
    let works = make_works(n, m, &mut rng)?;

    // Rooms: a square side sized from the works each room holds, grown until all fit.
    let per_room = |sculptures: bool| -> usize {
        (0..m)
            .map(|r| {
                works
                    .iter()
                    .filter(|(_, room)| *room == r)
                    .filter(|(w, _)| matches!(w.kind, WorkKind::Sculpture { .. }) == sculptures)
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    let (walls, floors) = (per_room(false), per_room(true));
    // Wall: each work at most 1.1 m framed plus the gap; four doorways and the corners.
    let wall_side = (walls as f32 * (1.1 + layout::WALL_GAP) + 4.0 * 2.6) / 4.0 + 2.0;
    // Floor: a grid of plinths 1.9 m apart, 1.85 m from the walls, a few points lost to doors.
    let columns = ((floors + 6) as f32).sqrt().ceil();
    let floor_side = (columns - 1.0) * 1.9 + 3.8;
    let mut side = wall_side.max(floor_side).max(6.0).ceil();
    loop {
        if side > MAX_SIDE {
            let suggest = (m * 2).min(MAX_ROOMS);
            return Err(format!(
                "{n} works do not fit in {m} rooms of at most {MAX_SIDE} m a side: try --rooms {suggest}"
            ));
        }
        let mut level = assemble(spec, m, side, &works);
        let auto = level.clone();
        if layout::fill(&mut level).is_empty() {
            return Ok(if spec.placed { level } else { auto });
        }
        side = (side * 1.1).ceil();
    }
}

/// The works, each with the index of the room it is meant for (rooms take consecutive runs of
/// works).
fn make_works(n: usize, m: usize, rng: &mut Rng) -> Result<Vec<(Work, usize)>, String> {
    let mut out = Vec::with_capacity(n);
    let mut triangles: u64 = 200 * m as u64;
    for i in 0..n {
        let room = i * m / n;
        let artist = ARTISTS[rng.below(ARTISTS.len() as u64) as usize].to_string();
        let year = 1990 + rng.below(36) as i32;
        let price = 50 + 10 * rng.below(500) as i64;
        let editions = 1 + rng.below(25) as i64;
        let royalties = vec![Share {
            recipient: artist.clone(),
            role: Role::Artist,
            percent: 100.0,
        }];
        let sculptural = i % SCULPTURE_EVERY == SCULPTURE_EVERY - 1;
        let (kind, medium, alt_text, size, frame) = if sculptural {
            let (shape, params) = match rng.below(2) {
                0 => (
                    "twisted-column",
                    BTreeMap::from([
                        ("sides".to_string(), rng.range(3.0, 6.0, 1.0)),
                        ("segments".to_string(), rng.range(2.0, 6.0, 1.0)),
                        ("twist".to_string(), rng.range(-1.0, 1.0, 0.05)),
                    ]),
                ),
                _ => (
                    "stacked-stones",
                    BTreeMap::from([
                        ("stones".to_string(), rng.range(2.0, 3.0, 1.0)),
                        ("detail".to_string(), 8.0),
                        ("variant".to_string(), rng.range(0.0, 999.0, 1.0)),
                    ]),
                ),
            };
            triangles += 12
                + u64::from(
                    sculpture::estimate_triangles(shape, &params).map_err(|e| e.to_string())?,
                );
            let grey = 120 + rng.below(100) as u8;
            let kind = WorkKind::Sculpture {
                source: SculptureSource::Procedural {
                    shape: shape.to_string(),
                    params,
                },
                color: Rgb([grey, grey - 10, grey - 20]),
                metallic: 0.0,
                roughness: 0.5,
            };
            let size = (
                rng.range(0.3, 0.5, 0.05) as f32,
                rng.range(0.5, 1.0, 0.05) as f32,
            );
            (
                kind,
                "Sculpture",
                format!("A small {shape} on a plinth."),
                size,
                Frame::default(),
            )
        } else {
            let algorithm =
                generative::ALGORITHMS[rng.below(generative::ALGORITHMS.len() as u64) as usize];
            let specs = generative::params(algorithm).unwrap_or(&[]);
            let mut params = BTreeMap::new();
            // The palette and perhaps one other parameter, within their ranges (whole numbers
            // where the range and default are whole).
            for spec in specs {
                let pick = spec.name == "palette" || rng.below(2 * specs.len() as u64) == 0;
                if pick && params.len() < 2 {
                    let whole = [spec.min, spec.max, spec.default]
                        .iter()
                        .all(|v| v.fract() == 0.0);
                    let step = if whole { 1.0 } else { 0.01 };
                    params.insert(spec.name.to_string(), rng.range(spec.min, spec.max, step));
                }
            }
            let kind = WorkKind::Generative {
                algorithm: algorithm.to_string(),
                seed: rng.below(1_000_000),
                params,
                resolution: RESOLUTION,
            };
            let size = (
                rng.range(0.5, 1.0, 0.05) as f32,
                rng.range(0.5, 1.0, 0.05) as f32,
            );
            let style = match rng.below(8) {
                0 => FrameStyle::Oak,
                1 => FrameStyle::White,
                2 => FrameStyle::Gold,
                _ => FrameStyle::Black,
            };
            let frame = Frame {
                style,
                width: default_frame_width(),
                mat: 0.0,
            };
            triangles += 40;
            (
                kind,
                "Generative",
                "A generated picture.".to_string(),
                size,
                frame,
            )
        };
        out.push((
            Work {
                id: format!("w{i}"),
                title: format!("Study {i}"),
                artist,
                year,
                medium: medium.to_string(),
                description: String::new(),
                alt_text,
                license: "CC0".to_string(),
                kind,
                placement: Placement::Auto { rooms: Vec::new() },
                size,
                frame,
                price,
                editions,
                royalties,
                resale_royalty: super::schema::default_resale_royalty(),
                features: BTreeMap::new(),
            },
            room,
        ));
    }
    if triangles > MAX_TRIANGLES {
        return Err(format!(
            "{n} works would have about {triangles} triangles; the limit is {MAX_TRIANGLES}"
        ));
    }
    Ok(out)
}

/// The level with `m` square rooms of `side` metres in a grid, joined by doorways to their east
/// and south neighbours, every work listing its room.
fn assemble(spec: &Spec, m: usize, side: f32, works: &[(Work, usize)]) -> Level {
    use super::schema::{Doorway, Room, Wall};
    let columns = (m as f32).sqrt().ceil() as usize;
    let id = |r: usize| format!("r{r}");
    let floors = [Floor::Oak, Floor::Concrete, Floor::Walnut, Floor::Terrazzo];
    let rooms: Vec<Room> = (0..m)
        .map(|r| {
            let (c, row) = (r % columns, r / columns);
            let mut doorways = Vec::new();
            if c + 1 < columns && r + 1 < m {
                doorways.push(Doorway {
                    wall: Wall::East,
                    offset: side / 2.0,
                    width: super::schema::default_doorway_width(),
                    height: super::schema::default_doorway_height(),
                    to: id(r + 1),
                });
            }
            if r + columns < m {
                doorways.push(Doorway {
                    wall: Wall::South,
                    offset: side / 2.0,
                    width: super::schema::default_doorway_width(),
                    height: super::schema::default_doorway_height(),
                    to: id(r + columns),
                });
            }
            Room {
                id: id(r),
                name: format!("Room {}", r + 1),
                origin: (c as f32 * side, row as f32 * side),
                size: (side, side),
                wall_height: 4.0,
                wall_color: default_wall_color(),
                floor: floors[r % floors.len()],
                doorways,
                platforms: Vec::new(),
            }
        })
        .collect();
    let works: Vec<Work> = works
        .iter()
        .map(|(work, room)| {
            let mut work = work.clone();
            work.placement = Placement::Auto {
                rooms: vec![id(*room)],
            };
            work
        })
        .collect();
    // A spot on the first wall work of each of the first rooms; only the first casts shadows
    // (WebGL2 allows one shadow-casting light).
    let mut spots = Vec::new();
    for r in 0..m.min(SPOTS).min(MAX_SPOT_LIGHTS) {
        let room_id = id(r);
        if let Some(work) = works.iter().find(|w| {
            !matches!(w.kind, WorkKind::Sculpture { .. })
                && matches!(&w.placement, Placement::Auto { rooms } if rooms[0] == room_id)
        }) {
            spots.push(Spot {
                target: SpotTarget::Work(work.id.clone()),
                position: None,
                intensity: default_spot_intensity(),
                color: default_light_color(),
                angle: default_spot_angle(),
                shadows: spots.is_empty(),
            });
        }
    }
    Level {
        format: super::FORMAT_VERSION,
        exhibition: Exhibition {
            id: format!("generated-{}-{}-{}", spec.works, m, spec.seed),
            title: format!("Generated exhibition of {} works", spec.works),
            curator: "vernissage generate".into(),
            description: format!(
                "A synthetic exhibition for load tests: {} works in {m} rooms, seed {}.",
                spec.works, spec.seed
            ),
            allowed_origins: Vec::new(),
        },
        rooms,
        lights: Lights {
            ambient: Ambient {
                color: default_light_color(),
                brightness: 300.0,
            },
            directional: None,
            spots,
        },
        spawn: Spawn {
            room: id(0),
            position: (side / 2.0, side / 2.0),
            heading: 0.0,
        },
        works,
        market: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::check;

    fn errors(level: &Level) -> Vec<String> {
        let mut filled = level.clone();
        let mut found: Vec<String> = layout::fill(&mut filled)
            .into_iter()
            .chain(check::check(&filled, &Default::default()))
            .filter(|f| f.severity == check::Severity::Error)
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect();
        found.truncate(10);
        found
    }

    #[test]
    fn generated_levels_pass_the_checks() {
        for (works, rooms, placed) in [(1, None, false), (30, Some(1), true), (200, Some(5), false)]
        {
            let spec = Spec {
                works,
                rooms,
                seed: 3,
                placed,
            };
            let level = generate(&spec).unwrap();
            assert_eq!(level.works.len(), works);
            assert_eq!(
                level.works.iter().any(|w| w.placement.is_auto()),
                !placed,
                "{spec:?}"
            );
            assert_eq!(errors(&level), Vec::<String>::new(), "{spec:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_level() {
        let spec = Spec {
            works: 120,
            rooms: Some(3),
            seed: 9,
            placed: true,
        };
        assert_eq!(generate(&spec).unwrap(), generate(&spec).unwrap());
        let other = Spec { seed: 10, ..spec };
        assert_ne!(
            generate(&other).unwrap().works[0],
            generate(&Spec { seed: 9, ..other }).unwrap().works[0]
        );
    }

    #[test]
    fn impossible_requests_say_why() {
        let err = generate(&Spec {
            works: 0,
            rooms: None,
            seed: 0,
            placed: false,
        })
        .unwrap_err();
        assert!(err.contains("--works"), "{err}");
        let err = generate(&Spec {
            works: 10_000,
            rooms: Some(1),
            seed: 0,
            placed: false,
        })
        .unwrap_err();
        assert!(err.contains("--rooms"), "{err}");
    }
}
