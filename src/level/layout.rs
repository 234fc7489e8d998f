//! The layout step: places the works a level leaves to it ([`Placement::Auto`]).
//!
//! Pictures, generative works and text panels are hung on the walls of the listed rooms at eye
//! height, evenly spaced, clear of corners, doorways, other works and whatever stands in front of
//! a wall (platforms, ramps, plinths). Sculptures stand on a grid of plinths on the floor, clear
//! of doorways, platforms, the spawn point and each other. The step is pure and deterministic:
//! the same level always gets the same placements, and a filled level passes every check in
//! [`super::check`] that concerns placements.
//!
//! [`super::check`] (through `level::check` and `level::read_level`) runs this step first, so
//! the game, `vernissage validate` and everything downstream only see concrete placements.

use std::collections::BTreeMap;

use super::check::{Finding, Severity, plinth_radius};
use super::geometry::{self, DOORWAY_CLEARANCE, WALL_THICKNESS, openings, wall_line};
use super::schema::{Level, Placement, Wall, WorkKind, default_hang_height, default_plinth_height};

/// Clear wall between two hung works, frame to frame, metres.
pub const WALL_GAP: f32 = 0.6;
/// Clear wall between a corner (the room's footprint corner) and the nearest frame. The checks
/// need 0.25 m (0.1 m of side wall and 0.15 m of clearance).
pub const CORNER_MARGIN: f32 = 0.4;
/// Clear wall on either side of a doorway. The checks need 0.3 m.
pub const DOORWAY_MARGIN: f32 = DOORWAY_CLEARANCE + 0.1;
/// A wall gets no works behind anything (platform, ramp, plinth) standing closer to it than this.
pub const OBSTACLE_REACH: f32 = 1.2;
/// Walking space between two plinths, edge to edge (the checks need 1 m).
pub const WALK_SPACE: f32 = 1.2;
/// Preferred floor between a plinth's edge and the room's footprint edge, so visitors can pass
/// between plinths and the works on the walls.
pub const PLINTH_WALL_SPACE: f32 = 1.5;
/// The least floor between a plinth's edge and the footprint edge (the checks need 0.6 m).
const MIN_PLINTH_WALL_SPACE: f32 = 0.7;
/// Depth of the clear floor in front of a doorway where no plinth stands (the checks need 1.5 m).
pub const DOORWAY_APPROACH: f32 = 2.0;
/// Extra floor kept clear beside a doorway's approach, around platforms and ramps.
const SIDE_SPACE: f32 = 0.3;
/// Clear floor around the spawn point (the checks need 0.4 m).
const SPAWN_SPACE: f32 = 1.0;
/// Safety against rounding placements to millimetres.
const EPS: f32 = 0.01;

/// Replaces every [`Placement::Auto`] of `level` with a concrete placement. Works that do not fit
/// keep `Auto` and are reported as errors naming the work (and so are unknown rooms in an
/// `Auto(rooms: [...])` list); a level without `Auto` placements is left as it is.
pub fn fill(level: &mut Level) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut walls: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut floors: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, work) in level.works.iter().enumerate() {
        let Placement::Auto { rooms } = &work.placement else {
            continue;
        };
        let Some(listed) = resolve_rooms(level, i, rooms, &mut findings) else {
            continue;
        };
        // A size out of range is reported by the checks; there is nothing sensible to place.
        let (w, h) = work.size;
        if !((0.05..=20.0).contains(&w) && (0.05..=20.0).contains(&h)) {
            continue;
        }
        if matches!(work.kind, WorkKind::Sculpture { .. }) {
            floors.push((i, listed));
        } else {
            walls.push((i, listed));
        }
    }
    if walls.is_empty() && floors.is_empty() {
        return findings;
    }
    let mut placed: Vec<(usize, Placement)> = Vec::new();
    hang(level, &walls, &mut placed, &mut findings);
    stand(level, &floors, &mut placed, &mut findings);
    for (i, placement) in placed {
        level.works[i].placement = placement;
    }
    findings
}

/// The room indices an `Auto` placement may use (every usable room for an empty list), or
/// `None` after reporting an unknown room.
fn resolve_rooms(
    level: &Level,
    work: usize,
    rooms: &[String],
    findings: &mut Vec<Finding>,
) -> Option<Vec<usize>> {
    if rooms.is_empty() {
        return Some(
            (0..level.rooms.len())
                .filter(|&r| usable(level, r))
                .collect(),
        );
    }
    let mut out: Vec<usize> = Vec::new();
    let mut ok = true;
    for (k, id) in rooms.iter().enumerate() {
        match level.rooms.iter().position(|r| &r.id == id) {
            Some(r) => {
                if !out.contains(&r) && usable(level, r) {
                    out.push(r);
                }
            }
            None => {
                findings.push(error(
                    format!("works[{work}].placement.rooms[{k}]"),
                    format!("unknown room \"{id}\""),
                ));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// Rooms whose geometry the checks accept (others are reported there, not filled).
fn usable(level: &Level, r: usize) -> bool {
    let room = &level.rooms[r];
    let (w, d) = room.size;
    (1.0..=200.0).contains(&w)
        && (1.0..=200.0).contains(&d)
        && room.origin.0.is_finite()
        && room.origin.1.is_finite()
        && (2.2..=20.0).contains(&room.wall_height)
}

fn error(path: String, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        path,
        message,
    }
}

fn mm(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn room_list(level: &Level, rooms: &[usize]) -> String {
    if rooms.is_empty() {
        return "(no room)".into();
    }
    rooms
        .iter()
        .map(|&r| level.rooms[r].id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Walls

/// A free stretch of one wall, in that wall's offsets, and the works given to it.
struct Stretch {
    room: usize,
    wall: Wall,
    start: f32,
    end: f32,
    /// (work index, framed width, centre height), left to right.
    items: Vec<(usize, f32, f32)>,
    widths: f32,
}

impl Stretch {
    fn len(&self) -> f32 {
        self.end - self.start
    }

    /// Whether one more work `width` wide fits, with [`WALL_GAP`] to its neighbour.
    fn fits(&self, width: f32) -> bool {
        self.widths + width + WALL_GAP * self.items.len() as f32 <= self.len()
    }

    /// Wall still free for new works, counting a gap after each.
    fn free(&self) -> f32 {
        (self.len() + WALL_GAP - self.widths - WALL_GAP * self.items.len() as f32).max(0.0)
    }

    /// Offsets of the items' centres: spread evenly, with equal space at both ends and between
    /// neighbours where the stretch allows, otherwise [`WALL_GAP`] between neighbours and the
    /// rest shared by the two ends.
    fn offsets(&self) -> Vec<f32> {
        let n = self.items.len() as f32;
        let spare = self.len() - self.widths;
        let even = spare / (n + 1.0);
        let (ends, between) = if even >= WALL_GAP {
            (even, even)
        } else {
            (((spare - WALL_GAP * (n - 1.0)) / 2.0).max(0.0), WALL_GAP)
        };
        let mut at = self.start + ends;
        self.items
            .iter()
            .map(|(_, width, _)| {
                let centre = at + width / 2.0;
                at += width + between;
                centre
            })
            .collect()
    }
}

/// Plan rectangles `[x0, z0, x1, z1]` of what stands on the floor of room `r` as the level
/// declares it: platforms, ramps and plinths.
fn obstacles(level: &Level, r: usize) -> Vec<[f32; 4]> {
    let room = &level.rooms[r];
    let mut out = Vec::new();
    for platform in &room.platforms {
        out.push(geometry::platform_rect(room, platform));
        out.extend(geometry::ramp_rect(room, platform).map(|(rect, _)| rect));
    }
    for work in &level.works {
        if let Placement::Plinth {
            room: id, position, ..
        } = &work.placement
            && *id == room.id
        {
            let radius = plinth_radius(work.size.0);
            let (x, z) = (room.origin.0 + position.0, room.origin.1 + position.1);
            out.push([x - radius, z - radius, x + radius, z + radius]);
        }
    }
    out
}

/// The free stretches of every wall of room `r`, walls in the order North, East, South, West.
fn stretches(
    level: &Level,
    r: usize,
    hung: &BTreeMap<(usize, Wall), Vec<(f32, f32)>>,
) -> Vec<Stretch> {
    let room = &level.rooms[r];
    let standing = obstacles(level, r);
    let mut out = Vec::new();
    for wall in Wall::ALL {
        let line = wall_line(room, wall);
        let mut blocked: Vec<(f32, f32)> = Vec::new();
        for opening in openings(level, r, wall) {
            let (a, b) = opening.span();
            blocked.push((a - DOORWAY_MARGIN, b + DOORWAY_MARGIN));
        }
        for (left, right) in hung.get(&(r, wall)).into_iter().flatten() {
            blocked.push((left - WALL_GAP, right + WALL_GAP));
        }
        for rect in &standing {
            let corners = [
                [rect[0], rect[1]],
                [rect[2], rect[1]],
                [rect[0], rect[3]],
                [rect[2], rect[3]],
            ];
            let depth = corners
                .iter()
                .map(|c| line.depth_of(*c))
                .fold(f32::INFINITY, f32::min);
            if depth < WALL_THICKNESS + OBSTACLE_REACH {
                let along = corners.map(|c| line.offset_of(c));
                let a = along.iter().copied().fold(f32::INFINITY, f32::min);
                let b = along.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                blocked.push((a - WALL_GAP / 2.0, b + WALL_GAP / 2.0));
            }
        }
        blocked.retain(|(a, b)| a.is_finite() && b.is_finite());
        blocked.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut cursor = CORNER_MARGIN;
        let end = line.length - CORNER_MARGIN;
        for (a, b) in blocked.into_iter().chain(std::iter::once((end, end))) {
            let stop = a.min(end);
            if stop - cursor > 0.05 {
                out.push(Stretch {
                    room: r,
                    wall,
                    start: cursor,
                    end: stop,
                    items: Vec::new(),
                    widths: 0.0,
                });
            }
            cursor = cursor.max(b);
        }
    }
    out
}

/// Height of the centre of a work `framed_height` high on a wall `wall_height` high: eye height
/// where it fits, otherwise as close to it as the floor and ceiling allow; `None` if too tall.
fn hang_height(wall_height: f32, framed_height: f32) -> Option<f32> {
    let low = 0.3 + framed_height / 2.0 + EPS;
    let high = wall_height - 0.2 - framed_height / 2.0 - EPS;
    (low <= high).then(|| mm(default_hang_height().clamp(low, high)))
}

/// Hangs the wall works: each group of works with the same rooms fills their free stretches in
/// order (rooms as listed, walls North, East, South, West, left to right), every stretch to the
/// same share of its length, so the works keep their order and spread over all the rooms.
fn hang(
    level: &Level,
    works: &[(usize, Vec<usize>)],
    placed: &mut Vec<(usize, Placement)>,
    findings: &mut Vec<Finding>,
) {
    if works.is_empty() {
        return;
    }
    // Framed spans of the works the level hangs itself, by (room, wall).
    let mut hung: BTreeMap<(usize, Wall), Vec<(f32, f32)>> = BTreeMap::new();
    for work in &level.works {
        if let Placement::Wall {
            room, wall, offset, ..
        } = &work.placement
            && let Some(r) = level.rooms.iter().position(|x| &x.id == room)
        {
            let (w, _) = work.framed_size();
            hung.entry((r, *wall))
                .or_default()
                .push((offset - w / 2.0, offset + w / 2.0));
        }
    }
    let mut all: Vec<Stretch> = Vec::new();
    let mut by_room: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut groups: Vec<(&[usize], Vec<usize>)> = Vec::new();
    let mut group_of: BTreeMap<&[usize], usize> = BTreeMap::new();
    for (i, rooms) in works {
        for &r in rooms {
            by_room.entry(r).or_insert_with(|| {
                let found = stretches(level, r, &hung);
                let ids = (all.len()..all.len() + found.len()).collect();
                all.extend(found);
                ids
            });
        }
        let g = *group_of.entry(rooms.as_slice()).or_insert_with(|| {
            groups.push((rooms.as_slice(), Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(*i);
    }

    for (rooms, members) in &groups {
        let ids: Vec<usize> = rooms.iter().flat_map(|r| by_room[r].clone()).collect();
        let heights: BTreeMap<usize, Vec<Option<f32>>> = rooms
            .iter()
            .map(|&r| {
                let wall_height = level.rooms[r].wall_height;
                let hs = members
                    .iter()
                    .map(|&i| hang_height(wall_height, level.works[i].framed_size().1))
                    .collect();
                (r, hs)
            })
            .collect();
        let need: f32 = members
            .iter()
            .map(|&i| level.works[i].framed_size().0 + WALL_GAP)
            .sum();
        let supply: f32 = ids.iter().map(|&s| all[s].free()).sum();
        let share = if supply > 0.0 {
            (need / supply).min(1.0)
        } else {
            1.0
        };
        // First pass: in order, each stretch filled to `share` of what it had free.
        let mut left_over: Vec<usize> = Vec::new();
        let mut at = 0;
        let mut capacity = ids.first().map_or(0.0, |&s| all[s].free());
        let mut used = 0.0;
        for (m, &i) in members.iter().enumerate() {
            let width = level.works[i].framed_size().0;
            loop {
                let Some(&s) = ids.get(at) else {
                    left_over.push(m);
                    break;
                };
                let stretch = &all[s];
                let height = heights[&stretch.room][m];
                let within_share = used + (width + WALL_GAP) / 2.0 <= share * capacity + 1e-3;
                if let Some(height) = height
                    && stretch.fits(width)
                    && within_share
                {
                    all[s].items.push((i, width, height));
                    all[s].widths += width;
                    used += width + WALL_GAP;
                    break;
                }
                at += 1;
                capacity += ids.get(at).map_or(0.0, |&s| all[s].free());
            }
        }
        // Second pass: whatever did not fit its turn goes wherever it still fits.
        for m in left_over {
            let i = members[m];
            let (width, tall) = level.works[i].framed_size();
            let spot = ids
                .iter()
                .copied()
                .find(|&s| heights[&all[s].room][m].is_some() && all[s].fits(width));
            match spot {
                Some(s) => {
                    let height = heights[&all[s].room][m].unwrap_or(default_hang_height());
                    all[s].items.push((i, width, height));
                    all[s].widths += width;
                }
                None => {
                    let id = &level.works[i].id;
                    let names = room_list(level, rooms);
                    let message = if rooms.iter().all(|r| heights[r][m].is_none())
                        && !rooms.is_empty()
                    {
                        format!(
                            "works[{i}] (\"{id}\", framed {width:.2} × {tall:.2} m) is too tall for the walls of {names}"
                        )
                    } else {
                        format!(
                            "no room left on the walls of {names} for works[{i}] (\"{id}\", framed {width:.2} × {tall:.2} m)"
                        )
                    };
                    findings.push(error(format!("works[{i}].placement"), message));
                }
            }
        }
    }

    for stretch in &all {
        let room = &level.rooms[stretch.room].id;
        for ((i, _, height), offset) in stretch.items.iter().zip(stretch.offsets()) {
            placed.push((
                *i,
                Placement::Wall {
                    room: room.clone(),
                    wall: stretch.wall,
                    offset: mm(offset),
                    height: *height,
                },
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Floors

/// Centres (room-relative) of the plinth grid of room `r` where a plinth of radius `radius`
/// may stand, nearest the room's centre first. The grid's pitch leaves [`WALK_SPACE`] between
/// plinths of that radius.
fn plinth_spots(level: &Level, r: usize, radius: f32) -> Vec<[f32; 2]> {
    let room = &level.rooms[r];
    let (w, d) = room.size;
    let pitch = 2.0 * radius + WALK_SPACE;
    let grid = |length: f32, margin: f32| -> Vec<f32> {
        let span = length - 2.0 * margin;
        if span.is_nan() || span < 0.0 {
            return Vec::new();
        }
        let n = ((span / pitch + 1e-4).floor() as usize + 1).min(1000);
        let first = length / 2.0 - (n - 1) as f32 * pitch / 2.0;
        (0..n).map(|k| first + k as f32 * pitch).collect()
    };
    let mut standing: Vec<[f32; 4]> = Vec::new();
    for platform in &room.platforms {
        standing.push(geometry::platform_rect(room, platform));
        standing.extend(geometry::ramp_rect(room, platform).map(|(rect, _)| rect));
    }
    let plinths: Vec<([f32; 2], f32)> = level
        .works
        .iter()
        .filter_map(|work| match &work.placement {
            Placement::Plinth {
                room: id, position, ..
            } if *id == room.id => Some((
                [room.origin.0 + position.0, room.origin.1 + position.1],
                plinth_radius(work.size.0),
            )),
            _ => None,
        })
        .collect();
    let doors: Vec<(geometry::WallLine, f32, f32)> = Wall::ALL
        .iter()
        .flat_map(|&wall| {
            let line = wall_line(room, wall);
            openings(level, r, wall).into_iter().map(move |o| {
                let (a, b) = o.span();
                (line, a, b)
            })
        })
        .collect();
    let spawn = (level.spawn.room == room.id).then_some([
        room.origin.0 + level.spawn.position.0,
        room.origin.1 + level.spawn.position.1,
    ]);
    let free = |p: [f32; 2]| -> bool {
        let world = [room.origin.0 + p[0], room.origin.1 + p[1]];
        let reach = radius + SIDE_SPACE;
        let footprint = [
            world[0] - reach,
            world[1] - reach,
            world[0] + reach,
            world[1] + reach,
        ];
        if standing
            .iter()
            .any(|s| geometry::rects_overlap(*s, footprint))
        {
            return false;
        }
        let in_doorway = doors.iter().any(|(line, a, b)| {
            let depth = line.depth_of(world);
            let along = line.offset_of(world);
            depth < DOORWAY_APPROACH + radius && along > a - reach && along < b + reach
        });
        if in_doorway {
            return false;
        }
        let apart = |q: [f32; 2]| ((q[0] - world[0]).powi(2) + (q[1] - world[1]).powi(2)).sqrt();
        if spawn.is_some_and(|s| apart(s) < radius + SPAWN_SPACE) {
            return false;
        }
        !plinths
            .iter()
            .any(|(q, other)| apart(*q) < radius + other + WALK_SPACE)
    };
    for space in [PLINTH_WALL_SPACE, MIN_PLINTH_WALL_SPACE] {
        let margin = radius + space;
        let (xs, zs) = (grid(w, margin), grid(d, margin));
        let mut spots: Vec<[f32; 2]> = zs
            .iter()
            .flat_map(|&z| xs.iter().map(move |&x| [mm(x), mm(z)]))
            .filter(|p| free(*p))
            .collect();
        if !spots.is_empty() {
            let centre = [w / 2.0, d / 2.0];
            let key = |p: &[f32; 2]| (p[0] - centre[0]).powi(2) + (p[1] - centre[1]).powi(2);
            spots.sort_by(|a, b| {
                key(a)
                    .total_cmp(&key(b))
                    .then(a[1].total_cmp(&b[1]))
                    .then(a[0].total_cmp(&b[0]))
            });
            return spots;
        }
    }
    Vec::new()
}

/// Stands the sculptures on plinths: each goes to the listed room whose grid is least full
/// (the first listed on a tie), on the free grid point nearest that room's centre.
fn stand(
    level: &Level,
    works: &[(usize, Vec<usize>)],
    placed: &mut Vec<(usize, Placement)>,
    findings: &mut Vec<Finding>,
) {
    if works.is_empty() {
        return;
    }
    // One grid pitch for the whole level, from the widest sculpture: the grids stay regular and
    // any two grid points are far enough apart for any two plinths.
    let radius = works
        .iter()
        .map(|(i, _)| plinth_radius(level.works[*i].size.0))
        .fold(0.0_f32, f32::max);
    let mut grids: BTreeMap<usize, (Vec<[f32; 2]>, usize)> = BTreeMap::new();
    for (i, rooms) in works {
        for &r in rooms {
            grids
                .entry(r)
                .or_insert_with(|| (plinth_spots(level, r, radius), 0));
        }
        // Least used share first: used_a / cap_a < used_b / cap_b, in integers.
        let best = rooms
            .iter()
            .copied()
            .filter(|r| {
                let (spots, used) = &grids[r];
                *used < spots.len()
            })
            .min_by(|a, b| {
                let (sa, ua) = &grids[a];
                let (sb, ub) = &grids[b];
                (ua * sb.len()).cmp(&(ub * sa.len()))
            });
        let work = &level.works[*i];
        let Some(r) = best else {
            findings.push(error(
                format!("works[{i}].placement"),
                format!(
                    "no room left on the floors of {} for works[{i}] (\"{}\", a sculpture {:.2} m across)",
                    room_list(level, rooms),
                    work.id,
                    work.size.0
                ),
            ));
            continue;
        };
        let (spots, used) = grids.get_mut(&r).expect("grid computed above");
        let [x, z] = spots[*used];
        *used += 1;
        let room = &level.rooms[r];
        let towards = [room.size.0 / 2.0 - x, room.size.1 / 2.0 - z];
        // Face the room's centre (rotation 0 faces south, +Z).
        let rotation = if towards[0].hypot(towards[1]) < 0.5 {
            0.0
        } else {
            towards[0]
                .atan2(towards[1])
                .to_degrees()
                .round()
                .rem_euclid(360.0)
        };
        placed.push((
            *i,
            Placement::Plinth {
                room: room.id.clone(),
                position: (x, z),
                rotation,
                plinth_height: default_plinth_height(),
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::check::{self, AssetBytes};
    use crate::level::schema::{
        Doorway, Exhibition, Floor, Frame, Platform, Ramp, Role, SculptureSource, Share, Spawn,
        Work, default_wall_color,
    };

    fn room(id: &str, origin: (f32, f32), size: (f32, f32)) -> crate::level::schema::Room {
        crate::level::schema::Room {
            id: id.into(),
            name: String::new(),
            origin,
            size,
            wall_height: 4.0,
            wall_color: default_wall_color(),
            floor: Floor::Oak,
            doorways: vec![],
            platforms: vec![],
        }
    }

    fn work(i: usize, size: (f32, f32), sculpture: bool, placement: Placement) -> Work {
        let kind = if sculpture {
            WorkKind::Sculpture {
                source: SculptureSource::Procedural {
                    shape: "twisted-column".into(),
                    params: Default::default(),
                },
                color: crate::level::schema::default_sculpture_color(),
                metallic: 0.0,
                roughness: 0.5,
            }
        } else {
            WorkKind::Generative {
                algorithm: "flow-field".into(),
                seed: i as u64,
                params: Default::default(),
                resolution: 64,
            }
        };
        Work {
            id: format!("w{i}"),
            title: format!("Work {i}"),
            artist: "A".into(),
            year: 2025,
            medium: "m".into(),
            description: String::new(),
            alt_text: "a".into(),
            license: "CC0".into(),
            kind,
            placement,
            size,
            frame: Frame::default(),
            price: 1,
            editions: 1,
            royalties: vec![Share {
                recipient: "A".into(),
                role: Role::Artist,
                percent: 100.0,
            }],
            resale_royalty: 10.0,
            features: Default::default(),
        }
    }

    fn auto() -> Placement {
        Placement::Auto { rooms: vec![] }
    }

    /// `hall` (12 × 8) with a doorway east into `annex` (6 × 6), which has a platform with a
    /// ramp along its north wall; one work hung by hand on hall's north wall and one plinth.
    fn level(wall_works: usize, sculptures: usize) -> Level {
        let mut hall = room("hall", (0.0, 0.0), (12.0, 8.0));
        hall.doorways.push(Doorway {
            wall: Wall::East,
            offset: 5.0,
            width: 1.8,
            height: 2.7,
            to: "annex".into(),
        });
        let mut annex = room("annex", (12.0, 2.0), (6.0, 6.0));
        annex.platforms.push(Platform {
            position: (0.5, 0.2),
            size: (3.0, 1.0),
            height: 0.4,
            ramp: Some(Ramp {
                side: Wall::East,
                length: 1.0,
            }),
        });
        let mut works = vec![
            work(
                0,
                (1.0, 0.8),
                false,
                Placement::Wall {
                    room: "hall".into(),
                    wall: Wall::North,
                    offset: 3.0,
                    height: 1.6,
                },
            ),
            work(
                1,
                (0.5, 0.8),
                true,
                Placement::Plinth {
                    room: "hall".into(),
                    position: (9.0, 4.0),
                    rotation: 0.0,
                    plinth_height: 0.9,
                },
            ),
        ];
        for k in 0..wall_works {
            let size = (0.4 + 0.1 * (k % 5) as f32, 0.5 + 0.1 * (k % 3) as f32);
            works.push(work(works.len(), size, false, auto()));
        }
        for k in 0..sculptures {
            let size = (0.3 + 0.1 * (k % 2) as f32, 0.6);
            works.push(work(works.len(), size, true, auto()));
        }
        Level {
            format: 1,
            exhibition: Exhibition {
                id: "x".into(),
                title: "x".into(),
                curator: "x".into(),
                description: String::new(),
                allowed_origins: Vec::new(),
            },
            rooms: vec![hall, annex],
            lights: Default::default(),
            spawn: Spawn {
                room: "hall".into(),
                position: (6.0, 7.0),
                heading: 0.0,
            },
            works,
            market: Default::default(),
        }
    }

    fn errors(level: &Level) -> Vec<String> {
        check::check(level, &AssetBytes::new())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect()
    }

    #[test]
    fn every_auto_work_is_placed_and_the_level_passes_the_checks() {
        let mut level = level(24, 5);
        let findings = fill(&mut level);
        assert!(findings.is_empty(), "{findings:?}");
        assert!(level.works.iter().all(|w| !w.placement.is_auto()));
        assert_eq!(errors(&level), Vec::<String>::new());
        // The explicit placements are untouched.
        let original = self::level(24, 5);
        assert_eq!(level.works[0], original.works[0]);
        assert_eq!(level.works[1], original.works[1]);
        // Both rooms got wall works: they are spread, not crammed into the first room.
        for id in ["hall", "annex"] {
            assert!(
                level
                    .works
                    .iter()
                    .any(|w| matches!(&w.placement, Placement::Wall { room, .. } if room == id)),
                "nothing hung in {id}"
            );
        }
    }

    #[test]
    fn wall_works_do_not_overlap_and_keep_their_distance() {
        let mut level = level(30, 0);
        assert!(fill(&mut level).is_empty());
        let mut spans: BTreeMap<(String, Wall), Vec<(f32, f32, f32)>> = BTreeMap::new();
        for work in &level.works {
            if let Placement::Wall {
                room,
                wall,
                offset,
                height,
            } = &work.placement
            {
                let (w, h) = work.framed_size();
                assert!(height - h / 2.0 >= 0.3 && height + h / 2.0 <= 4.0 - 0.2);
                spans.entry((room.clone(), *wall)).or_default().push((
                    offset - w / 2.0,
                    offset + w / 2.0,
                    *height,
                ));
            }
        }
        for ((room, wall), mut list) in spans {
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
            let length = match (room.as_str(), wall) {
                ("hall", Wall::North | Wall::South) => 12.0,
                ("hall", _) => 8.0,
                _ => 6.0,
            };
            assert!(list[0].0 >= 0.25, "{room} {wall}: {list:?}");
            assert!(
                list.last().unwrap().1 <= length - 0.25,
                "{room} {wall}: {list:?}"
            );
            for pair in list.windows(2) {
                // The explicit work on hall's north wall may sit closer, but never overlaps.
                assert!(pair[1].0 - pair[0].1 >= WALL_GAP - 1e-3 || pair[1].0 >= pair[0].1);
                assert!(pair[1].0 >= pair[0].1, "{room} {wall}: {list:?}");
            }
        }
    }

    #[test]
    fn auto_works_on_a_wall_are_evenly_spaced() {
        let mut level = level(0, 0);
        level.rooms.truncate(1);
        level.rooms[0].doorways.clear();
        level.works.clear();
        for k in 0..12 {
            level.works.push(work(k, (1.0, 1.0), false, auto()));
        }
        assert!(fill(&mut level).is_empty());
        let mut by_wall: BTreeMap<Wall, Vec<f32>> = BTreeMap::new();
        for work in &level.works {
            let Placement::Wall {
                wall,
                offset,
                height,
                ..
            } = &work.placement
            else {
                panic!("{:?}", work.placement);
            };
            assert_eq!(*height, 1.55);
            by_wall.entry(*wall).or_default().push(*offset);
        }
        // Spread over all four walls, in order: works 0.. on the north wall first.
        assert_eq!(by_wall.len(), 4, "{by_wall:?}");
        assert!(matches!(
            level.works[0].placement,
            Placement::Wall {
                wall: Wall::North,
                ..
            }
        ));
        for (wall, offsets) in by_wall {
            // 1.1 m framed works; equal space at the ends (beyond the corner margin) and
            // between neighbours.
            let length = if matches!(wall, Wall::North | Wall::South) {
                12.0
            } else {
                8.0
            };
            let mut edges = vec![CORNER_MARGIN];
            for o in &offsets {
                edges.push(o - 0.55);
                edges.push(o + 0.55);
            }
            edges.push(length - CORNER_MARGIN);
            let spaces: Vec<f32> = edges.chunks(2).map(|p| p[1] - p[0]).collect();
            for space in &spaces {
                assert!(
                    (space - spaces[0]).abs() < 2e-3,
                    "{wall}: {offsets:?} {spaces:?}"
                );
                assert!(*space >= WALL_GAP - 1e-3);
            }
        }
    }

    #[test]
    fn doorways_and_platforms_stay_clear() {
        let mut level = level(30, 6);
        let findings = fill(&mut level);
        assert!(findings.is_empty(), "{findings:?}");
        let auto_placed = &level.works[2..];
        for work in auto_placed {
            match &work.placement {
                Placement::Wall {
                    room, wall, offset, ..
                } => {
                    let r = level.rooms.iter().position(|x| &x.id == room).unwrap();
                    let (w, _) = work.framed_size();
                    for opening in openings(&level, r, *wall) {
                        let (a, b) = opening.span();
                        assert!(
                            offset + w / 2.0 <= a - DOORWAY_CLEARANCE
                                || offset - w / 2.0 >= b + DOORWAY_CLEARANCE,
                            "{} at {offset} blocks the doorway {a}..{b}",
                            work.id
                        );
                    }
                    // Nothing on annex's north wall behind the platform (x 12.5..15.5 + ramp).
                    if room == "annex" && *wall == Wall::North {
                        assert!(offset - w / 2.0 > 4.5, "{} behind the platform", work.id);
                    }
                }
                Placement::Plinth { room, position, .. } => {
                    let r = level.rooms.iter().find(|x| &x.id == room).unwrap();
                    let world = [r.origin.0 + position.0, r.origin.1 + position.1];
                    if room == "hall" {
                        // hall's doorway: east wall, z 4.1..5.9.
                        assert!(
                            !(world[0] > 12.0 - 1.5 - 0.4 && world[1] > 3.5 && world[1] < 6.5),
                            "{} in front of the doorway at {world:?}",
                            work.id
                        );
                    }
                }
                Placement::Auto { .. } => panic!("{} not placed", work.id),
            }
        }
        assert_eq!(errors(&level), Vec::<String>::new());
    }

    #[test]
    fn the_layout_is_deterministic_and_idempotent() {
        let mut a = level(25, 4);
        let mut b = level(25, 4);
        assert!(fill(&mut a).is_empty());
        assert!(fill(&mut b).is_empty());
        assert_eq!(a, b);
        let again = a.clone();
        assert!(fill(&mut a).is_empty());
        assert_eq!(a, again);
        // The shipped levels place everything themselves: nothing changes.
        let mut small = crate::level::parse(&std::fs::read("levels/small.ron").unwrap()).unwrap();
        let before = small.clone();
        assert!(fill(&mut small).is_empty());
        assert_eq!(small, before);
    }

    #[test]
    fn listed_rooms_are_respected() {
        let mut level = level(0, 0);
        for k in 0..6 {
            let i = level.works.len();
            level.works.push(work(
                i,
                (0.6, 0.6),
                k % 3 == 0,
                Placement::Auto {
                    rooms: vec!["annex".into()],
                },
            ));
        }
        assert!(fill(&mut level).is_empty());
        for work in &level.works[2..] {
            assert_eq!(work.placement.room(), "annex", "{:?}", work.placement);
        }
        assert_eq!(errors(&level), Vec::<String>::new());
    }

    #[test]
    fn too_many_works_are_an_error_naming_the_work() {
        let mut level = level(200, 0);
        let findings = fill(&mut level);
        assert!(!findings.is_empty());
        let first = &findings[0];
        assert_eq!(first.severity, Severity::Error);
        assert!(first.path.starts_with("works[") && first.path.ends_with("].placement"));
        assert!(
            first
                .message
                .starts_with("no room left on the walls of hall, annex for works["),
            "{}",
            first.message
        );
        // The works that did fit are placed, the rest stay Auto and are not checked twice.
        let unplaced = level.works.iter().filter(|w| w.placement.is_auto()).count();
        assert_eq!(unplaced, findings.len());
        assert_eq!(errors(&level), Vec::<String>::new());

        let mut crowded = self::level(0, 200);
        let findings = fill(&mut crowded);
        assert!(
            findings[0]
                .message
                .starts_with("no room left on the floors of hall, annex for works["),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn unknown_rooms_and_oversized_works_are_reported() {
        let mut level = level(0, 0);
        level.works.push(work(
            2,
            (0.5, 0.5),
            false,
            Placement::Auto {
                rooms: vec!["hall".into(), "attic".into()],
            },
        ));
        level.works.push(work(3, (1.0, 3.8), false, auto()));
        let findings = fill(&mut level);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].path, "works[2].placement.rooms[1]");
        assert!(findings[0].message.contains("unknown room \"attic\""));
        assert_eq!(findings[1].path, "works[3].placement");
        assert!(
            findings[1].message.contains("too tall"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn low_rooms_hang_works_lower() {
        let mut level = level(0, 0);
        level.rooms[1].wall_height = 2.3;
        level.rooms[1].platforms.clear();
        level.rooms[0].doorways[0].height = 2.1;
        level.works.push(work(
            2,
            (0.8, 1.4),
            false,
            Placement::Auto {
                rooms: vec!["annex".into()],
            },
        ));
        assert!(fill(&mut level).is_empty());
        let Placement::Wall { height, .. } = level.works[2].placement else {
            panic!("{:?}", level.works[2].placement);
        };
        // Framed 1.5 m high: the top at most 2.1 m up.
        assert!(height + 0.75 <= 2.1 && height - 0.75 >= 0.3, "{height}");
        assert_eq!(errors(&level), Vec::<String>::new());
    }
}

#[cfg(test)]
mod format_tests {
    use crate::level::{parse, read_level, schema::Placement, to_ron, to_ron_compact};

    /// levels/small.ron with its works' placements removed (or replaced by `replacement`).
    fn small_without_placements(replacement: &str) -> String {
        let text = std::fs::read_to_string("levels/small.ron").unwrap();
        text.lines()
            .map(|line| {
                if line.trim_start().starts_with("placement:") {
                    replacement.to_string()
                } else {
                    line.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn an_omitted_placement_is_auto_and_filled_when_read() {
        for replacement in [
            "",
            "placement: Auto(),",
            "placement: Auto(rooms: [\"studio\"]),",
        ] {
            let text = small_without_placements(replacement);
            let level = parse(text.as_bytes()).unwrap_or_else(|r| panic!("{:?}", r.diagnostics));
            assert!(level.works.iter().all(|w| w.placement.is_auto()));
            let report = read_level(text.as_bytes(), |path| {
                std::fs::read(path).map_err(|e| e.to_string())
            });
            let errors: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect();
            assert_eq!(errors, Vec::<String>::new(), "{replacement}");
            let filled = report.level.unwrap();
            assert!(filled.works.iter().all(|w| !w.placement.is_auto()));
            // Written back, the placements are concrete and read the same.
            let written = to_ron(&filled).unwrap();
            assert!(!written.contains("Auto"));
            assert_eq!(parse(written.as_bytes()).unwrap(), filled);
            let compact = to_ron_compact(&filled).unwrap();
            assert_eq!(parse(compact.as_bytes()).unwrap(), filled);
        }
    }

    #[test]
    fn fill_errors_are_located_at_the_work() {
        let text = small_without_placements("placement: Auto(rooms: [\"cellar\"]),");
        let report = read_level(text.as_bytes(), |path| {
            std::fs::read(path).map_err(|e| e.to_string())
        });
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.path == "works[0].placement.rooms[0]")
            .unwrap_or_else(|| panic!("{:?}", report.diagnostics));
        assert!(d.message.contains("unknown room \"cellar\""));
        let line = text.lines().nth(d.line - 1).unwrap();
        assert!(line.contains("cellar"), "{line}");
        assert!(matches!(
            report.level.unwrap().works[0].placement,
            Placement::Auto { .. }
        ));
    }

    #[test]
    fn written_levels_leave_defaults_out() {
        let level = parse(&std::fs::read("levels/small.ron").unwrap()).unwrap();
        let text = to_ron(&level).unwrap();
        assert!(!text.contains("endorsements"), "{text}");
        assert!(!text.contains("resale_royalty"), "{text}");
        assert_eq!(parse(text.as_bytes()).unwrap(), level);
    }
}
