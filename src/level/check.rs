//! Semantic checks of a parsed level: references, geometry, money, content and budgets.
//!
//! Each finding names the offending value by its field path (`works[3].placement.wall`); the
//! caller turns paths into line and column with [`super::locate::Locator`].

use std::collections::{BTreeMap, HashMap};

use super::assets::{check_asset_reference, gltf_triangles, sniff_image, unreadable};
use super::geometry::{
    self, CORNER_CLEARANCE, DOORWAY_CLEARANCE, WALL_THICKNESS, bounds, openings, wall_line,
};
use super::schema::{Level, Placement, SculptureSource, SpotTarget, WorkKind};
use crate::gallery::{generative, sculpture};

/// Budgets a level must respect on every platform (errors beyond them).
pub const MAX_TEXTURE_EDGE: u32 = 4096;
pub const MAX_TRIANGLES: u64 = 500_000;
pub const MAX_SPOT_LIGHTS: usize = 32;
pub const MAX_SHADOW_LIGHTS: usize = 8;
pub const MAX_PRICE: i64 = 1_000_000_000;
pub const MAX_EDITIONS: i64 = 1_000_000;
pub const MAX_TEXT_CHARS: usize = 4000;
/// What the web build (WebGL2, phones) handles well; beyond these a level gets warnings.
pub const WEB_TEXTURE_EDGE: u32 = 2048;
pub const WEB_SHADOW_LIGHTS: usize = 1;
pub const WEB_TRIANGLES: u64 = 150_000;
/// Triangles of the building itself per room (walls, floor, ceiling, lintels), roughly.
const ROOM_TRIANGLES: u64 = 200;
/// Triangles of one framed wall work (frame, mat, canvas, plaque).
const WALL_WORK_TRIANGLES: u64 = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located by field path.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub path: String,
    pub message: String,
}

/// The bytes of the asset files a level refers to, by path (or why they could not be read).
pub type AssetBytes = HashMap<String, Result<Vec<u8>, String>>;

/// Asset files a level refers to, with the field path of each reference.
pub fn referenced_assets(level: &Level) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, work) in level.works.iter().enumerate() {
        match &work.kind {
            WorkKind::Image { path } => out.push((path.clone(), format!("works[{i}].kind.path"))),
            WorkKind::Sculpture {
                source: SculptureSource::Gltf { path },
                ..
            } => out.push((path.clone(), format!("works[{i}].kind.source.path"))),
            _ => {}
        }
    }
    out
}

struct Checker<'a> {
    level: &'a Level,
    findings: Vec<Finding>,
}

impl Checker<'_> {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
        });
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        });
    }

    fn id(&mut self, path: String, id: &str) {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.starts_with('-');
        if !ok {
            self.error(
                path,
                format!(
                    "\"{id}\" is not a valid id: use 1 to 64 lowercase letters, digits and '-'"
                ),
            );
        }
    }

    fn not_empty(&mut self, path: String, value: &str) {
        if value.trim().is_empty() {
            self.error(path, "must not be empty");
        }
    }
}

/// Runs every semantic check. `assets` holds the bytes of [`referenced_assets`].
pub fn check(level: &Level, assets: &AssetBytes) -> Vec<Finding> {
    let mut c = Checker {
        level,
        findings: Vec::new(),
    };
    check_exhibition(&mut c);
    check_rooms(&mut c);
    check_platforms(&mut c);
    check_works(&mut c, assets);
    check_lights(&mut c);
    check_spawn(&mut c);
    check_market(&mut c);
    c.findings
}

/// Largest starting grant a level may give (whole tokens).
pub const MAX_STARTING_GRANT: i64 = 1_000_000_000;

/// Decodes `digits` hex digits into bytes, or `None`.
pub fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != N * 2 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

fn check_market(c: &mut Checker) {
    let market = c.level.market.clone();
    if !(0..=MAX_STARTING_GRANT).contains(&market.starting_grant) {
        c.error(
            "market.starting_grant",
            format!(
                "must be 0 to {MAX_STARTING_GRANT} tokens, not {}",
                market.starting_grant
            ),
        );
    }
    if let Some(key) = &market.curator_key {
        match decode_hex::<32>(key) {
            None => c.error(
                "market.curator_key",
                "must be an Ed25519 public key: 64 hex digits",
            ),
            Some(bytes) if ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_err() => {
                c.error("market.curator_key", "is not a valid Ed25519 public key")
            }
            Some(_) => {}
        }
    } else if !market.endorsements.is_empty() {
        c.warn(
            "market.endorsements",
            "endorsements without a curator_key are ignored",
        );
    }
    for (id, signature) in &market.endorsements {
        let path = format!("market.endorsements[\"{id}\"]");
        if !c.level.works.iter().any(|w| &w.id == id) {
            c.error(path.clone(), format!("no work has the id \"{id}\""));
        }
        if decode_hex::<64>(signature).is_none() {
            c.error(path, "must be a signature: 128 hex digits");
        }
    }
    if market.curator_key.is_some() {
        for work in &c.level.works {
            if !market.endorsements.contains_key(&work.id) {
                c.warn(
                    "market.endorsements",
                    format!(
                        "work \"{}\" has no curator endorsement and will not be for sale \
                         (run `vernissage ledger sign-level`)",
                        work.id
                    ),
                );
            }
        }
    }
}

fn check_exhibition(c: &mut Checker) {
    let e = &c.level.exhibition;
    c.id("exhibition.id".into(), &e.id.clone());
    let (title, curator) = (e.title.clone(), e.curator.clone());
    c.not_empty("exhibition.title".into(), &title);
    c.not_empty("exhibition.curator".into(), &curator);
    let origins = e.allowed_origins.clone();
    for (i, origin) in origins.iter().enumerate() {
        if let Err(why) = crate::net::policy::normalize_origin(origin) {
            c.error(format!("exhibition.allowed_origins[{i}]"), why);
        }
    }
}

fn room_index(level: &Level, id: &str) -> Option<usize> {
    level.rooms.iter().position(|r| r.id == id)
}

fn check_rooms(c: &mut Checker) {
    let level = c.level;
    if level.rooms.is_empty() {
        c.error("rooms", "an exhibition needs at least one room");
    }
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, room) in level.rooms.iter().enumerate() {
        c.id(format!("rooms[{i}].id"), &room.id);
        if let Some(j) = first.get(room.id.as_str()) {
            c.error(
                format!("rooms[{i}].id"),
                format!(
                    "duplicate room id \"{}\" (first used by rooms[{j}])",
                    room.id
                ),
            );
        } else {
            first.insert(&room.id, i);
        }
        let (w, d) = room.size;
        if !(1.0..=200.0).contains(&w) || !(1.0..=200.0).contains(&d) {
            c.error(
                format!("rooms[{i}].size"),
                format!("a room must be 1 to 200 m on each side, not {w} × {d}"),
            );
        }
        if !room.origin.0.is_finite()
            || !room.origin.1.is_finite()
            || room.origin.0.abs() > 10_000.0
            || room.origin.1.abs() > 10_000.0
        {
            c.error(
                format!("rooms[{i}].origin"),
                "the origin must be finite and within 10 km of (0, 0)",
            );
        }
        if !(2.2..=20.0).contains(&room.wall_height) {
            c.error(
                format!("rooms[{i}].wall_height"),
                format!("must be 2.2 to 20 m, not {}", room.wall_height),
            );
        }
        for (j, other) in level.rooms.iter().enumerate().take(i) {
            let [ax0, az0, ax1, az1] = bounds(room);
            let [bx0, bz0, bx1, bz1] = bounds(other);
            let overlap_x = ax0.max(bx0) < ax1.min(bx1) - 1e-3;
            let overlap_z = az0.max(bz0) < az1.min(bz1) - 1e-3;
            if overlap_x && overlap_z {
                c.error(
                    format!("rooms[{i}].origin"),
                    format!(
                        "room \"{}\" overlaps room \"{}\" (rooms[{j}])",
                        room.id, other.id
                    ),
                );
            }
        }
        for (k, door) in room.doorways.iter().enumerate() {
            let path = format!("rooms[{i}].doorways[{k}]");
            let Some(other_index) = room_index(level, &door.to) else {
                c.error(
                    format!("{path}.to"),
                    format!("unknown room \"{}\"", door.to),
                );
                continue;
            };
            if other_index == i {
                c.error(
                    format!("{path}.to"),
                    "a doorway cannot lead into its own room",
                );
                continue;
            }
            let other = &level.rooms[other_index];
            if !(0.8..=6.0).contains(&door.width) {
                c.error(
                    format!("{path}.width"),
                    format!("must be 0.8 to 6 m, not {}", door.width),
                );
            }
            let max_height = room.wall_height.min(other.wall_height) - 0.1;
            if !(2.0..=max_height).contains(&door.height) {
                c.error(
                    format!("{path}.height"),
                    format!(
                        "must be 2 m to the lower wall height less 0.1 m ({max_height:.2} m), not {}",
                        door.height
                    ),
                );
            }
            let line = wall_line(room, door.wall);
            let other_line = wall_line(other, door.wall.opposite());
            if line.depth_of(other_line.start).abs() > 1e-3 {
                c.error(
                    format!("{path}.wall"),
                    format!(
                        "rooms \"{}\" and \"{}\" do not share the {} wall of \"{}\"",
                        room.id, other.id, door.wall, room.id
                    ),
                );
                continue;
            }
            // The shared stretch of wall, in this wall's offsets.
            let a = line.offset_of(other_line.start);
            let b = line.offset_of(other_line.point(other_line.length));
            let lo = a.min(b).max(0.0);
            let hi = a.max(b).min(line.length);
            let (d0, d1) = (
                door.offset - door.width / 2.0,
                door.offset + door.width / 2.0,
            );
            // The same opening declared from both sides (or twice) would be cut twice.
            let here = wall_line(room, door.wall);
            let centre = here.point(door.offset);
            for (oi, other_room) in level.rooms.iter().enumerate() {
                for (ok, other_door) in other_room.doorways.iter().enumerate() {
                    if (oi, ok) >= (i, k) {
                        continue;
                    }
                    let joins_same = (oi == i && other_door.to == door.to)
                        || (other_room.id == door.to && other_door.to == room.id);
                    if !joins_same {
                        continue;
                    }
                    let line2 = wall_line(other_room, other_door.wall);
                    let c2 = line2.point(other_door.offset);
                    let apart = ((c2[0] - centre[0]).powi(2) + (c2[1] - centre[1]).powi(2)).sqrt();
                    if apart < (door.width + other_door.width) / 2.0 {
                        c.error(
                            path.clone(),
                            format!(
                                "this doorway overlaps rooms[{oi}].doorways[{ok}]: declare each doorway once, on either room"
                            ),
                        );
                    }
                }
            }
            if hi - lo <= 0.0 {
                c.error(
                    format!("{path}.wall"),
                    format!(
                        "rooms \"{}\" and \"{}\" do not share the {} wall of \"{}\"",
                        room.id, other.id, door.wall, room.id
                    ),
                );
            } else if d0 < lo + WALL_THICKNESS + CORNER_CLEARANCE
                || d1 > hi - WALL_THICKNESS - CORNER_CLEARANCE
            {
                c.error(
                    format!("{path}.offset"),
                    format!(
                        "the doorway ({d0:.2} to {d1:.2} m along the wall) must lie within the \
                         stretch shared with \"{}\" ({lo:.2} to {hi:.2} m), 0.25 m from its ends",
                        other.id
                    ),
                );
            }
        }
    }
}

/// The framed rectangle of a wall work in its wall's (offset, height) coordinates:
/// `[left, bottom, right, top]`.
fn wall_rect(work: &super::schema::Work) -> Option<[f32; 4]> {
    match &work.placement {
        Placement::Wall { offset, height, .. } => {
            let (w, h) = work.framed_size();
            Some([
                offset - w / 2.0,
                height - h / 2.0,
                offset + w / 2.0,
                height + h / 2.0,
            ])
        }
        Placement::Plinth { .. } | Placement::Auto { .. } => None,
    }
}

fn check_platforms(c: &mut Checker) {
    let level = c.level;
    for (i, room) in level.rooms.iter().enumerate() {
        let [rx0, rz0, rx1, rz1] = bounds(room);
        let inner = [
            rx0 + WALL_THICKNESS,
            rz0 + WALL_THICKNESS,
            rx1 - WALL_THICKNESS,
            rz1 - WALL_THICKNESS,
        ];
        for (k, platform) in room.platforms.iter().enumerate() {
            let p = format!("rooms[{i}].platforms[{k}]");
            let (w, d) = platform.size;
            if !(w >= 0.5 && d >= 0.5 && w <= 200.0 && d <= 200.0) {
                c.error(
                    format!("{p}.size"),
                    format!("each side must be 0.5 to 200 m, not {w} × {d}"),
                );
                continue;
            }
            if !(0.05..=1.5).contains(&platform.height) {
                c.error(
                    format!("{p}.height"),
                    format!("must be 0.05 to 1.5 m, not {}", platform.height),
                );
                continue;
            }
            let headroom = room.wall_height - platform.height;
            if headroom < 2.05 {
                c.error(
                    format!("{p}.height"),
                    format!(
                        "the platform leaves {headroom:.2} m under the ceiling; visitors need 2.05 m"
                    ),
                );
            }
            let mut rects = vec![(
                format!("{p}.position"),
                geometry::platform_rect(room, platform),
            )];
            match &platform.ramp {
                None if platform.height > geometry::MAX_STEP => {
                    c.error(
                        format!("{p}.height"),
                        format!(
                            "a platform {} m high needs a ramp: visitors step up at most {} m",
                            platform.height,
                            geometry::MAX_STEP
                        ),
                    );
                }
                Some(ramp) => {
                    let degrees = platform.height.atan2(ramp.length).to_degrees();
                    if ramp.length.is_nan()
                        || ramp.length <= 0.0
                        || degrees > geometry::MAX_RAMP_DEGREES
                    {
                        c.error(
                            format!("{p}.ramp.length"),
                            format!(
                                "the ramp is too steep ({degrees:.1}°); at most {}° can be walked: make it at least {:.2} m long",
                                geometry::MAX_RAMP_DEGREES,
                                platform.height / geometry::MAX_RAMP_DEGREES.to_radians().tan()
                            ),
                        );
                    }
                    if let Some((rect, _)) = geometry::ramp_rect(room, platform) {
                        rects.push((format!("{p}.ramp"), rect));
                    }
                }
                None => {}
            }
            for (j, earlier) in room.platforms.iter().enumerate().take(k) {
                let mut theirs = vec![geometry::platform_rect(room, earlier)];
                theirs.extend(geometry::ramp_rect(room, earlier).map(|(r, _)| r));
                if rects
                    .iter()
                    .any(|(_, mine)| theirs.iter().any(|t| geometry::rects_overlap(*mine, *t)))
                {
                    c.error(
                        format!("{p}.position"),
                        format!("it overlaps rooms[{i}].platforms[{j}] or its ramp"),
                    );
                }
            }
            for (j, earlier) in room.platforms.iter().enumerate().take(k) {
                let mut theirs = vec![geometry::platform_rect(room, earlier)];
                theirs.extend(geometry::ramp_rect(room, earlier).map(|(r, _)| r));
                if rects
                    .iter()
                    .any(|(_, mine)| theirs.iter().any(|t| geometry::rects_overlap(*mine, *t)))
                {
                    c.error(
                        format!("{p}.position"),
                        format!("it overlaps rooms[{i}].platforms[{j}] or its ramp"),
                    );
                }
            }
            for (path, rect) in &rects {
                let fits = rect[0] >= inner[0] - 1e-4
                    && rect[1] >= inner[1] - 1e-4
                    && rect[2] <= inner[2] + 1e-4
                    && rect[3] <= inner[3] + 1e-4;
                if !fits {
                    c.error(
                        path.clone(),
                        format!(
                            "it does not fit inside room \"{}\" (inside its walls)",
                            room.id
                        ),
                    );
                    continue;
                }
                for wall in super::schema::Wall::ALL {
                    let line = wall_line(room, wall);
                    for opening in openings(level, i, wall) {
                        let (o0, o1) = opening.span();
                        // The floor 1.2 m in front of a doorway stays clear.
                        let a = line.point(o0);
                        let b = line.point(o1);
                        let depth = 1.2;
                        let c0 = [a[0] + line.inward[0] * depth, a[1] + line.inward[1] * depth];
                        let c1 = [b[0] + line.inward[0] * depth, b[1] + line.inward[1] * depth];
                        let xs = [a[0], b[0], c0[0], c1[0]];
                        let zs = [a[1], b[1], c0[1], c1[1]];
                        let clear = [
                            xs.iter().cloned().fold(f32::MAX, f32::min),
                            zs.iter().cloned().fold(f32::MAX, f32::min),
                            xs.iter().cloned().fold(f32::MIN, f32::max),
                            zs.iter().cloned().fold(f32::MIN, f32::max),
                        ];
                        if geometry::rects_overlap(*rect, clear) {
                            c.error(
                                path.clone(),
                                format!(
                                    "it blocks the doorway to \"{}\" (keep 1.2 m clear in front of it)",
                                    level.rooms[opening.other_room].id
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn check_works(c: &mut Checker, assets: &AssetBytes) {
    let allowed_origins = &c.level.exhibition.allowed_origins.clone();
    let level = c.level;
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut triangles: u64 = ROOM_TRIANGLES * level.rooms.len() as u64;
    // Framed rectangles per (room, wall), to find overlaps.
    let mut hung: BTreeMap<(usize, super::schema::Wall), Vec<(usize, [f32; 4])>> = BTreeMap::new();
    let mut plinths: Vec<(usize, usize, [f32; 2], f32)> = Vec::new();

    for (i, work) in level.works.iter().enumerate() {
        let p = format!("works[{i}]");
        c.id(format!("{p}.id"), &work.id);
        if let Some(j) = first.get(work.id.as_str()) {
            c.error(
                format!("{p}.id"),
                format!(
                    "duplicate work id \"{}\" (first used by works[{j}])",
                    work.id
                ),
            );
        } else {
            first.insert(&work.id, i);
        }
        for (field, value) in [
            ("title", &work.title),
            ("artist", &work.artist),
            ("medium", &work.medium),
            ("license", &work.license),
        ] {
            c.not_empty(format!("{p}.{field}"), value);
        }
        if work.alt_text.trim().is_empty() {
            c.error(
                format!("{p}.alt_text"),
                "must not be empty: describe the work for visitors who cannot see it",
            );
        }
        let (w, h) = work.size;
        if !(0.05..=20.0).contains(&w) || !(0.05..=20.0).contains(&h) {
            c.error(
                format!("{p}.size"),
                format!("each side must be 0.05 to 20 m, not {w} × {h}"),
            );
        }
        if !(0.0..=0.5).contains(&work.frame.width) || !(0.0..=0.5).contains(&work.frame.mat) {
            c.error(
                format!("{p}.frame"),
                "frame width and mat must be 0 to 0.5 m",
            );
        }

        // Money.
        if work.price < 0 {
            c.error(
                format!("{p}.price"),
                format!("price {} is negative", work.price),
            );
        } else if work.price > MAX_PRICE {
            c.error(
                format!("{p}.price"),
                format!(
                    "price {} is absurd (more than {MAX_PRICE} tokens)",
                    work.price
                ),
            );
        }
        if work.editions < 1 {
            c.error(
                format!("{p}.editions"),
                format!("must be at least 1, not {}", work.editions),
            );
        } else if work.editions > MAX_EDITIONS {
            c.error(
                format!("{p}.editions"),
                format!(
                    "{} editions is absurd (more than {MAX_EDITIONS})",
                    work.editions
                ),
            );
        }
        if work.royalties.is_empty() {
            c.error(
                format!("{p}.royalties"),
                "needs at least one share (usually the artist's)",
            );
        } else {
            let mut sum = 0.0;
            let mut valid = true;
            for (k, share) in work.royalties.iter().enumerate() {
                if !(share.percent > 0.0 && share.percent <= 100.0) {
                    c.error(
                        format!("{p}.royalties[{k}].percent"),
                        format!("must be more than 0 and at most 100, not {}", share.percent),
                    );
                    valid = false;
                }
                if valid && ((share.percent * 100.0).round() - share.percent * 100.0).abs() > 1e-6 {
                    c.error(
                        format!("{p}.royalties[{k}].percent"),
                        format!(
                            "{} has more than two decimals (shares are whole hundredths of a percent)",
                            share.percent
                        ),
                    );
                }
                if share.recipient.trim().is_empty() {
                    c.error(format!("{p}.royalties[{k}].recipient"), "must not be empty");
                }
                sum += share.percent;
            }
            if valid && (sum - 100.0).abs() > 1e-6 {
                c.error(
                    format!("{p}.royalties"),
                    format!(
                        "royalty shares add up to {}%, not 100%",
                        round_for_display(sum)
                    ),
                );
            }
        }
        if !(0.0..=50.0).contains(&work.resale_royalty)
            || ((work.resale_royalty * 100.0).round() - work.resale_royalty * 100.0).abs() > 1e-6
        {
            c.error(
                format!("{p}.resale_royalty"),
                format!(
                    "must be 0 to 50 percent in hundredths, not {}",
                    work.resale_royalty
                ),
            );
        }
        for (name, value) in &work.features {
            if !value.is_finite() {
                c.error(
                    format!("{p}.features[\"{name}\"]"),
                    "must be a finite number",
                );
            }
        }

        // Content.
        match &work.kind {
            WorkKind::Image { path } => {
                let field = format!("{p}.kind.path");
                if let Err(e) = check_asset_reference(path, allowed_origins) {
                    c.error(field, e);
                } else {
                    match assets.get(path) {
                        Some(Ok(bytes)) => match sniff_image(bytes) {
                            Ok(info) => {
                                let edge = info.width.max(info.height);
                                if edge > MAX_TEXTURE_EDGE {
                                    c.error(
                                        field,
                                        format!(
                                            "texture \"{path}\" is {}×{}; the limit is {MAX_TEXTURE_EDGE}×{MAX_TEXTURE_EDGE}",
                                            info.width, info.height
                                        ),
                                    );
                                } else if edge > WEB_TEXTURE_EDGE {
                                    c.warn(
                                        field,
                                        format!(
                                            "texture \"{path}\" is {}×{}; phones and WebGL2 handle at most {WEB_TEXTURE_EDGE}×{WEB_TEXTURE_EDGE}, so the web build scales it down",
                                            info.width, info.height
                                        ),
                                    );
                                }
                            }
                            Err(why) => c.error(field, format!("\"{path}\": {why}")),
                        },
                        Some(Err(why)) => c.error(field, unreadable(path, why)),
                        None => c.error(field, format!("asset file \"{path}\" was not read")),
                    }
                }
                triangles += WALL_WORK_TRIANGLES;
            }
            WorkKind::Generative {
                algorithm,
                params,
                resolution,
                ..
            } => {
                match generative::params(algorithm) {
                    None => c.error(
                        format!("{p}.kind.algorithm"),
                        format!(
                            "unknown generative algorithm \"{algorithm}\"; known: {}",
                            generative::ALGORITHMS.join(", ")
                        ),
                    ),
                    Some(specs) => {
                        check_param_map(c, &format!("{p}.kind.params"), algorithm, specs, params)
                    }
                }
                if !(16..=WEB_TEXTURE_EDGE).contains(resolution) {
                    c.error(
                        format!("{p}.kind.resolution"),
                        format!("must be 16 to {WEB_TEXTURE_EDGE} pixels, not {resolution}"),
                    );
                }
                triangles += WALL_WORK_TRIANGLES;
            }
            WorkKind::Sculpture {
                source,
                metallic,
                roughness,
                ..
            } => {
                if !(0.0..=1.0).contains(metallic) {
                    c.error(
                        format!("{p}.kind.metallic"),
                        format!("must be 0 to 1, not {metallic}"),
                    );
                }
                if !(0.0..=1.0).contains(roughness) {
                    c.error(
                        format!("{p}.kind.roughness"),
                        format!("must be 0 to 1, not {roughness}"),
                    );
                }
                match source {
                    SculptureSource::Procedural { shape, params } => {
                        match sculpture::params(shape) {
                            None => c.error(
                                format!("{p}.kind.source.shape"),
                                format!(
                                    "unknown sculpture shape \"{shape}\"; known: {}",
                                    sculpture::SHAPES.join(", ")
                                ),
                            ),
                            Some(specs) => {
                                let before = c.findings.len();
                                check_param_map(
                                    c,
                                    &format!("{p}.kind.source.params"),
                                    shape,
                                    specs,
                                    params,
                                );
                                if c.findings.len() == before
                                    && let Ok(n) = sculpture::estimate_triangles(shape, params)
                                {
                                    triangles += u64::from(n);
                                }
                            }
                        }
                    }
                    SculptureSource::Gltf { path } => {
                        let field = format!("{p}.kind.source.path");
                        if let Err(e) = check_asset_reference(path, allowed_origins) {
                            c.error(field, e);
                        } else if !(path.ends_with(".gltf") || path.ends_with(".glb")) {
                            c.error(field, format!("\"{path}\" must be a .gltf or .glb file"));
                        } else {
                            match assets.get(path) {
                                Some(Ok(bytes)) => match gltf_triangles(bytes) {
                                    Ok(n) => triangles = triangles.saturating_add(n),
                                    Err(why) => c.error(field, format!("\"{path}\": {why}")),
                                },
                                Some(Err(why)) => c.error(field, unreadable(path, why)),
                                None => {
                                    c.error(field, format!("asset file \"{path}\" was not read"))
                                }
                            }
                        }
                    }
                }
                triangles += 12;
            }
            WorkKind::Text { body, .. } => {
                if body.trim().is_empty() {
                    c.error(format!("{p}.kind.body"), "a text work needs text");
                } else if body.chars().count() > MAX_TEXT_CHARS {
                    c.error(
                        format!("{p}.kind.body"),
                        format!(
                            "{} characters do not fit a panel (at most {MAX_TEXT_CHARS})",
                            body.chars().count()
                        ),
                    );
                }
                triangles += WALL_WORK_TRIANGLES;
            }
        }

        // Placement. An `Auto` placement is left only where the layout step could not place
        // the work, and it has said why (see `super::layout::fill`, run before these checks).
        if work.placement.is_auto() {
            continue;
        }
        let Some(ri) = room_index(level, work.placement.room()) else {
            c.error(
                format!("{p}.placement.room"),
                format!("unknown room \"{}\"", work.placement.room()),
            );
            continue;
        };
        let room = &level.rooms[ri];
        let is_sculpture = matches!(work.kind, WorkKind::Sculpture { .. });
        match &work.placement {
            Placement::Wall {
                wall,
                offset,
                height,
                ..
            } => {
                if is_sculpture {
                    c.error(
                        format!("{p}.placement"),
                        "sculptures stand on plinths: use Plinth(...), not Wall(...)",
                    );
                    continue;
                }
                let Some(rect) = wall_rect(work) else {
                    continue;
                };
                let line = wall_line(room, *wall);
                let (fw, fh) = work.framed_size();
                // The wall slabs of the two side walls take WALL_THICKNESS at each end.
                let usable = line.length - 2.0 * WALL_THICKNESS;
                if rect[0] < WALL_THICKNESS + CORNER_CLEARANCE
                    || rect[2] > line.length - WALL_THICKNESS - CORNER_CLEARANCE
                    || !offset.is_finite()
                {
                    c.error(
                        format!("{p}.placement.offset"),
                        format!(
                            "the work (framed {fw:.2} m wide, centred at {offset} m) does not fit the {wall} wall of \"{}\" ({usable:.2} m usable, 0.15 m clear at each corner)",
                            room.id
                        ),
                    );
                    continue;
                }
                let top = room.wall_height - 0.2;
                if rect[1] < 0.3 || rect[3] > top || !height.is_finite() {
                    c.error(
                        format!("{p}.placement.height"),
                        format!(
                            "the work (framed {fh:.2} m high, centred {height} m up) must lie between 0.3 m and {top:.2} m above the floor"
                        ),
                    );
                    continue;
                }
                let mut blocked = false;
                for opening in openings(level, ri, *wall) {
                    let (o0, o1) = opening.span();
                    if rect[0] < o1 + DOORWAY_CLEARANCE && rect[2] > o0 - DOORWAY_CLEARANCE {
                        c.error(
                            format!("{p}.placement.offset"),
                            format!(
                                "the work overlaps the doorway to \"{}\" on the {wall} wall of \"{}\" (keep 0.3 m clear)",
                                level.rooms[opening.other_room].id, room.id
                            ),
                        );
                        blocked = true;
                        break;
                    }
                }
                if blocked {
                    continue;
                }
                let slot = hung.entry((ri, *wall)).or_default();
                if let Some((j, _)) = slot.iter().find(|(_, r)| {
                    rect[0] < r[2] && rect[2] > r[0] && rect[1] < r[3] && rect[3] > r[1]
                }) {
                    let other = &level.works[*j];
                    c.error(
                        format!("{p}.placement"),
                        format!(
                            "overlaps works[{j}] (\"{}\") on the {wall} wall of \"{}\"",
                            other.id, room.id
                        ),
                    );
                } else {
                    slot.push((i, rect));
                }
            }
            Placement::Plinth {
                position,
                plinth_height,
                ..
            } => {
                if !is_sculpture {
                    c.error(
                        format!("{p}.placement"),
                        format!(
                            "only sculptures stand on plinths: hang this {} work on a wall",
                            work.kind.name()
                        ),
                    );
                    continue;
                }
                if !(0.1..=2.0).contains(plinth_height) {
                    c.error(
                        format!("{p}.placement.plinth_height"),
                        format!("must be 0.1 to 2 m, not {plinth_height}"),
                    );
                }
                let radius = plinth_radius(work.size.0);
                let margin = radius + 0.6;
                let (x, z) = *position;
                if !(x >= margin
                    && z >= margin
                    && x <= room.size.0 - margin
                    && z <= room.size.1 - margin)
                {
                    c.error(
                        format!("{p}.placement.position"),
                        format!(
                            "the plinth at ({x}, {z}) must stand at least {margin:.2} m from every wall of \"{}\" ({:.2} × {:.2} m)",
                            room.id, room.size.0, room.size.1
                        ),
                    );
                    continue;
                }
                let world = [room.origin.0 + x, room.origin.1 + z];
                let mut fault = false;
                let footprint = [
                    world[0] - radius,
                    world[1] - radius,
                    world[0] + radius,
                    world[1] + radius,
                ];
                for (k, platform) in room.platforms.iter().enumerate() {
                    let mut rects = vec![geometry::platform_rect(room, platform)];
                    rects.extend(geometry::ramp_rect(room, platform).map(|(r, _)| r));
                    if rects.iter().any(|r| geometry::rects_overlap(*r, footprint)) {
                        c.error(
                            format!("{p}.placement.position"),
                            format!(
                                "the plinth stands on rooms[{ri}].platforms[{k}]: plinths stand on the floor"
                            ),
                        );
                        fault = true;
                    }
                }
                for wall in super::schema::Wall::ALL {
                    let line = wall_line(room, wall);
                    let depth = line.depth_of(world);
                    let along = line.offset_of(world);
                    for opening in openings(level, ri, wall) {
                        let (o0, o1) = opening.span();
                        if depth < 1.5 + radius && along > o0 - radius && along < o1 + radius {
                            c.error(
                                format!("{p}.placement.position"),
                                format!(
                                    "the plinth blocks the doorway to \"{}\" (keep 1.5 m clear in front of it)",
                                    level.rooms[opening.other_room].id
                                ),
                            );
                            fault = true;
                        }
                    }
                }
                if fault {
                    continue;
                }
                if let Some((j, _, _, _)) = plinths.iter().find(|(_, r, at, rad)| {
                    *r == ri && {
                        let dx = at[0] - world[0];
                        let dz = at[1] - world[1];
                        (dx * dx + dz * dz).sqrt() < rad + radius + 1.0
                    }
                }) {
                    c.error(
                        format!("{p}.placement.position"),
                        format!(
                            "the plinth is too close to the plinth of works[{j}] (\"{}\"): leave 1 m to walk between",
                            level.works[*j].id
                        ),
                    );
                } else {
                    plinths.push((i, ri, world, radius));
                }
            }
            Placement::Auto { .. } => {}
        }
    }
    if triangles > MAX_TRIANGLES {
        c.error(
            "works",
            format!("the level has about {triangles} triangles; the limit is {MAX_TRIANGLES}"),
        );
    } else if triangles > WEB_TRIANGLES {
        c.warn(
            "works",
            format!(
                "the level has about {triangles} triangles; phones manage about {WEB_TRIANGLES}"
            ),
        );
    }
}

/// Radius of the plinth under a sculpture whose footprint diameter is `diameter`.
pub fn plinth_radius(diameter: f32) -> f32 {
    diameter / 2.0 + 0.1
}

fn round_for_display(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn check_param_map(
    c: &mut Checker,
    base: &str,
    owner: &str,
    specs: &[generative::ParamSpec],
    params: &BTreeMap<String, f64>,
) {
    for (name, value) in params {
        let path = format!("{base}[\"{name}\"]");
        match specs.iter().find(|s| s.name == name) {
            None => {
                let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
                c.error(
                    path,
                    format!(
                        "unknown parameter \"{name}\" for \"{owner}\"; known: {}",
                        known.join(", ")
                    ),
                );
            }
            Some(spec) => {
                if !value.is_finite() || *value < spec.min || *value > spec.max {
                    c.error(
                        path,
                        format!("{value} is outside {} to {}", spec.min, spec.max),
                    );
                }
            }
        }
    }
}

fn check_lights(c: &mut Checker) {
    let level = c.level;
    let lights = &level.lights;
    if !(lights.ambient.brightness >= 0.0 && lights.ambient.brightness <= 10_000.0) {
        c.error(
            "lights.ambient.brightness",
            format!("must be 0 to 10000, not {}", lights.ambient.brightness),
        );
    }
    let mut shadows = 0;
    if let Some(sun) = &lights.directional {
        let (x, y, z) = sun.direction;
        if (x * x + y * y + z * z).is_nan() || x * x + y * y + z * z <= 1e-6 {
            c.error(
                "lights.directional.direction",
                "must not be the zero vector",
            );
        }
        if sun.illuminance.is_nan() || sun.illuminance < 0.0 {
            c.error("lights.directional.illuminance", "must not be negative");
        }
        if sun.shadows {
            shadows += 1;
        }
    }
    for (k, spot) in lights.spots.iter().enumerate() {
        let p = format!("lights.spots[{k}]");
        if let SpotTarget::Work(id) = &spot.target
            && !level.works.iter().any(|w| &w.id == id)
        {
            c.error(format!("{p}.target"), format!("unknown work \"{id}\""));
        }
        if !(1.0..=89.0).contains(&spot.angle) {
            c.error(
                format!("{p}.angle"),
                format!("must be 1 to 89 degrees, not {}", spot.angle),
            );
        }
        if !(spot.intensity >= 0.0 && spot.intensity <= 10_000_000.0) {
            c.error(
                format!("{p}.intensity"),
                format!("must be 0 to 10000000 lumens, not {}", spot.intensity),
            );
        }
        if let Some((x, _, z)) = spot.position
            && geometry::room_at(level, [x, z]).is_none()
        {
            c.error(
                format!("{p}.position"),
                "the light hangs outside every room",
            );
        }
        if spot.shadows {
            shadows += 1;
        }
    }
    if lights.spots.len() > MAX_SPOT_LIGHTS {
        c.error(
            "lights.spots",
            format!(
                "{} spot lights; the limit is {MAX_SPOT_LIGHTS}",
                lights.spots.len()
            ),
        );
    }
    if shadows > MAX_SHADOW_LIGHTS {
        c.error(
            "lights",
            format!("{shadows} lights cast shadows; the limit is {MAX_SHADOW_LIGHTS}"),
        );
    } else if shadows > WEB_SHADOW_LIGHTS {
        c.warn(
            "lights",
            format!(
                "{shadows} lights cast shadows; WebGL2 allows one, so in the browser only the spot nearest the visitor casts shadows"
            ),
        );
    }
}

fn check_spawn(c: &mut Checker) {
    let level = c.level;
    let spawn = &level.spawn;
    let Some(ri) = room_index(level, &spawn.room) else {
        c.error("spawn.room", format!("unknown room \"{}\"", spawn.room));
        return;
    };
    let room = &level.rooms[ri];
    let (x, z) = spawn.position;
    let m = WALL_THICKNESS + 0.4;
    if !(x >= m && z >= m && x <= room.size.0 - m && z <= room.size.1 - m) {
        c.error(
            "spawn.position",
            format!(
                "({x}, {z}) is not inside room \"{}\" with 0.4 m to spare from its walls",
                room.id
            ),
        );
        return;
    }
    let world = [room.origin.0 + x, room.origin.1 + z];
    for (k, platform) in room.platforms.iter().enumerate() {
        let mut rects = vec![geometry::platform_rect(room, platform)];
        rects.extend(geometry::ramp_rect(room, platform).map(|(r, _)| r));
        let margin = 0.4;
        if rects.iter().any(|r| {
            world[0] > r[0] - margin
                && world[0] < r[2] + margin
                && world[1] > r[1] - margin
                && world[1] < r[3] + margin
        }) {
            c.error(
                "spawn.position",
                format!(
                    "the visitor would start on or against rooms[{ri}].platforms[{k}]: start on the open floor"
                ),
            );
        }
    }
    for (i, work) in level.works.iter().enumerate() {
        if let Placement::Plinth {
            room: r, position, ..
        } = &work.placement
            && *r == room.id
        {
            let at = [room.origin.0 + position.0, room.origin.1 + position.1];
            let d = ((at[0] - world[0]).powi(2) + (at[1] - world[1]).powi(2)).sqrt();
            if d < plinth_radius(work.size.0) + 0.4 {
                c.error(
                    "spawn.position",
                    format!(
                        "the visitor would start inside the plinth of works[{i}] (\"{}\")",
                        work.id
                    ),
                );
            }
        }
    }
    if !spawn.heading.is_finite() {
        c.error("spawn.heading", "must be a finite number of degrees");
    }
}
