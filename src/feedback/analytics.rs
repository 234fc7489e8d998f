//! Curator analytics: per-work statistics, merging kiosks' logs, CSV export and a floor-plan
//! heat map of where visitors stood.
//!
//! Everything here takes events that went through [`super::clean::clean`] and is pure and
//! deterministic: the same inputs give the same numbers, text and pixels.

use std::collections::{HashMap, HashSet};

use super::clean::compare_order;
use super::event::{FeedbackEvent, What};
use crate::gallery::pixels::Pixels;
use crate::gallery::typeset::{Align, Block, TextStyle, Typesetter};
use crate::level::Level;
use crate::level::geometry::{Opening, bounds, openings, placement_pose, room_at, wall_line};
use crate::level::schema::{Placement, Wall};

/// What visitors made of one work.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkStats {
    pub work: String,
    pub title: String,
    /// Visits: the number of dwell events.
    pub views: u32,
    /// Mean dwell time of those visits in seconds; 0 without visits.
    pub mean_dwell: f64,
    /// How many ratings gave 1, 2, 3, 4 and 5 stars.
    pub ratings: [u32; 5],
    /// Mean stars, when rated at all.
    pub mean_rating: Option<f64>,
    /// Visitors whose last like state is "liked".
    pub likes: u32,
    pub comments: u32,
}

/// Statistics for every work of the level, in the level's order. Events about works the level
/// does not have are ignored. Expects cleaned events (one rating per visitor and work); likes
/// are counted per visitor from their last like event either way.
pub fn work_stats(level: &Level, cleaned: &[FeedbackEvent]) -> Vec<WorkStats> {
    let mut stats: Vec<WorkStats> = level
        .works
        .iter()
        .map(|w| WorkStats {
            work: w.id.clone(),
            title: w.title.clone(),
            views: 0,
            mean_dwell: 0.0,
            ratings: [0; 5],
            mean_rating: None,
            likes: 0,
            comments: 0,
        })
        .collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, w) in level.works.iter().enumerate() {
        index.entry(w.id.as_str()).or_insert(i);
    }
    let mut dwell_sum = vec![0.0_f64; stats.len()];
    // (work, visitor) -> index of that visitor's latest like event.
    let mut last_like: HashMap<(usize, &str), usize> = HashMap::new();
    for (i, event) in cleaned.iter().enumerate() {
        let Some(&w) = event.what.work().and_then(|id| index.get(id)) else {
            continue;
        };
        let s = &mut stats[w];
        match &event.what {
            What::Dwell { seconds, .. } => {
                s.views += 1;
                dwell_sum[w] += seconds;
            }
            What::Rating { stars, .. } => {
                if (1..=5).contains(stars) {
                    s.ratings[usize::from(*stars - 1)] += 1;
                }
            }
            What::Comment { .. } => s.comments += 1,
            What::Like { .. } => {
                last_like
                    .entry((w, event.visitor.as_str()))
                    .and_modify(|best| {
                        if compare_order(&cleaned[*best], *best, event, i).is_lt() {
                            *best = i;
                        }
                    })
                    .or_insert(i);
            }
            What::Position { .. } => {}
        }
    }
    for (&(w, _), &i) in &last_like {
        if matches!(cleaned[i].what, What::Like { liked: true, .. }) {
            stats[w].likes += 1;
        }
    }
    for (s, sum) in stats.iter_mut().zip(dwell_sum) {
        if s.views > 0 {
            s.mean_dwell = sum / f64::from(s.views);
        }
        let count: u32 = s.ratings.iter().sum();
        if count > 0 {
            let stars: u32 = (1..=5u32).zip(s.ratings).map(|(n, c)| n * c).sum();
            s.mean_rating = Some(f64::from(stars) / f64::from(count));
        }
    }
    stats
}

/// The union of several data folders' events (kiosks' logs), one event per `id` (the first one
/// met, going through the sets in order), ordered by `(time_ms, id)`.
pub fn merge(sets: Vec<Vec<FeedbackEvent>>) -> Vec<FeedbackEvent> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut all: Vec<FeedbackEvent> = Vec::new();
    for event in sets.into_iter().flatten() {
        if !seen.contains(&event.id) {
            seen.insert(event.id.clone());
            all.push(event);
        }
    }
    all.sort_by(|a, b| a.time_ms.cmp(&b.time_ms).then_with(|| a.id.cmp(&b.id)));
    all
}

/// The header of [`works_csv`].
pub const CSV_HEADER: &str = "work,title,views,mean_dwell_seconds,rating_1,rating_2,rating_3,rating_4,rating_5,mean_rating,likes,comments";

/// One CSV row per work after [`CSV_HEADER`], lines ending in `'\n'`. Text fields are quoted as
/// RFC 4180 says (when they hold a comma, a quote or a line break; quotes doubled); means have
/// three decimals; `mean_rating` is empty for an unrated work.
pub fn works_csv(stats: &[WorkStats]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for s in stats {
        let [r1, r2, r3, r4, r5] = s.ratings;
        let mean_rating = s.mean_rating.map_or(String::new(), |m| format!("{m:.3}"));
        out.push_str(&format!(
            "{},{},{},{:.3},{r1},{r2},{r3},{r4},{r5},{mean_rating},{},{}\n",
            csv_field(&s.work),
            csv_field(&s.title),
            s.views,
            s.mean_dwell,
            s.likes,
            s.comments,
        ));
    }
    out
}

/// A CSV field, quoted when it needs to be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Cell edge used when [`heat_map`] is given a cell size that is not a positive number.
pub const DEFAULT_CELL: f32 = 0.5;
/// The grid has at most this many cells along either side; cells grow to fit.
pub const MAX_GRID_SIDE: usize = 2048;

/// Position samples counted on a grid over the building's bounding box.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    /// Cell edge in metres.
    pub cell: f32,
    /// (x, z) of the grid's north-west corner.
    pub origin: [f32; 2],
    /// Cells along +X.
    pub width: usize,
    /// Cells along +Z (row 0 is the northernmost).
    pub height: usize,
    /// Row-major, `width * height` counts.
    pub counts: Vec<u32>,
}

impl HeatMap {
    /// (column, row) of the cell holding the plan point, if it lies on the grid. Points on the
    /// grid's south or east edge belong to the last cell.
    pub fn cell_of(&self, x: f32, z: f32) -> Option<(usize, usize)> {
        if !(x.is_finite() && z.is_finite()) || self.width == 0 || self.height == 0 {
            return None;
        }
        let fx = (x - self.origin[0]) / self.cell;
        let fz = (z - self.origin[1]) / self.cell;
        let (w, h) = (self.width as f32, self.height as f32);
        // A hair of tolerance so that a point on the far edge is not lost to rounding.
        if fx < 0.0 || fz < 0.0 || fx > w + 1e-3 || fz > h + 1e-3 {
            return None;
        }
        Some((
            (fx as usize).min(self.width - 1),
            (fz as usize).min(self.height - 1),
        ))
    }

    /// The count of a cell (0 off the grid).
    pub fn count(&self, column: usize, row: usize) -> u32 {
        if column < self.width && row < self.height {
            self.counts[row * self.width + column]
        } else {
            0
        }
    }

    /// The largest count.
    pub fn max_count(&self) -> u32 {
        self.counts.iter().copied().max().unwrap_or(0)
    }

    /// All samples counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }
}

/// Bins the position events on a grid of `cell`-metre squares over the bounding box of all
/// rooms. Samples outside every room (or not finite) are ignored. A level without rooms gives
/// an empty grid.
pub fn heat_map(level: &Level, events: &[FeedbackEvent], cell: f32) -> HeatMap {
    let mut cell = if cell.is_finite() && cell > 0.0 {
        cell
    } else {
        DEFAULT_CELL
    };
    let Some([x0, z0, x1, z1]) = building_box(level) else {
        return HeatMap {
            cell,
            origin: [0.0, 0.0],
            width: 0,
            height: 0,
            counts: Vec::new(),
        };
    };
    let longest = (x1 - x0).max(z1 - z0);
    if longest / cell > MAX_GRID_SIDE as f32 {
        cell = longest / MAX_GRID_SIDE as f32;
    }
    let side = |extent: f32| ((extent / cell).ceil() as usize).clamp(1, MAX_GRID_SIDE);
    let mut map = HeatMap {
        cell,
        origin: [x0, z0],
        width: side(x1 - x0),
        height: side(z1 - z0),
        counts: Vec::new(),
    };
    map.counts = vec![0; map.width * map.height];
    for event in events {
        let What::Position { x, z } = event.what else {
            continue;
        };
        if room_at(level, [x, z]).is_none() {
            continue;
        }
        if let Some((column, row)) = map.cell_of(x, z) {
            let c = &mut map.counts[row * map.width + column];
            *c = c.saturating_add(1);
        }
    }
    map
}

/// `[x0, z0, x1, z1]` around every room with a finite footprint, if there is one.
fn building_box(level: &Level) -> Option<[f32; 4]> {
    level
        .rooms
        .iter()
        .map(bounds)
        .filter(|b| b.iter().all(|v| v.is_finite()) && b[2] >= b[0] && b[3] >= b[1])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

// --- Rendering -------------------------------------------------------------------------------

/// Scale used when [`render_heat_map`] is given one that is not a positive number.
pub const DEFAULT_PIXELS_PER_METRE: f32 = 20.0;
/// Neither side of a rendered heat map is larger than this; the scale shrinks to fit.
pub const MAX_IMAGE_SIDE: u32 = 8192;

type Rgb = [f32; 3];

const fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    [r as f32 / 255.0, g as f32 / 255.0, b as f32 / 255.0]
}

const PAPER: Rgb = rgb(255, 255, 255);
const FLOOR: Rgb = rgb(232, 232, 230);
const WALL: Rgb = rgb(48, 48, 50);
const WORK: Rgb = rgb(28, 52, 96);
const LABEL: Rgb = rgb(90, 90, 94);
const CAPTION: Rgb = rgb(60, 60, 64);

/// The heat ramp: (position on the log scale, colour, opacity). Transparent at nothing,
/// through yellow and orange to red at the busiest cell.
const RAMP: [(f32, Rgb, f32); 5] = [
    (0.0, rgb(255, 236, 120), 0.0),
    (0.2, rgb(255, 226, 80), 0.38),
    (0.5, rgb(253, 160, 40), 0.72),
    (0.8, rgb(234, 84, 30), 0.85),
    (1.0, rgb(190, 20, 30), 0.92),
];

/// Colour and opacity of the heat at `t` in 0..=1.
fn ramp(t: f32) -> (Rgb, f32) {
    let t = t.clamp(0.0, 1.0);
    for pair in RAMP.windows(2) {
        let ((t0, c0, a0), (t1, c1, a1)) = (pair[0], pair[1]);
        if t <= t1 {
            let f = (t - t0) / (t1 - t0);
            let mix = |a: f32, b: f32| a + (b - a) * f;
            return (
                [mix(c0[0], c1[0]), mix(c0[1], c1[1]), mix(c0[2], c1[2])],
                mix(a0, a1),
            );
        }
    }
    (RAMP[4].1, RAMP[4].2)
}

/// An sRGB float canvas with anti-aliased drawing of the few shapes a floor plan needs.
struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<Rgb>,
}

impl Canvas {
    fn new(width: usize, height: usize, paper: Rgb) -> Canvas {
        Canvas {
            width,
            height,
            rgb: vec![paper; width * height],
        }
    }

    fn blend(&mut self, x: usize, y: usize, colour: Rgb, alpha: f32) {
        if x < self.width && y < self.height && alpha > 0.0 {
            let alpha = alpha.min(1.0);
            let p = &mut self.rgb[y * self.width + x];
            for k in 0..3 {
                p[k] += (colour[k] - p[k]) * alpha;
            }
        }
    }

    /// Pixel range `[floor(a), ceil(b))` clipped to `0..limit`.
    fn span(a: f32, b: f32, limit: usize) -> std::ops::Range<usize> {
        let lo = a.floor().max(0.0) as usize;
        let hi = (b.ceil().max(0.0) as usize).min(limit);
        lo.min(hi)..hi
    }

    /// An axis-aligned rectangle in pixel coordinates, edge pixels weighted by coverage.
    fn fill_rect(&mut self, [x0, y0, x1, y1]: [f32; 4], colour: Rgb, alpha: f32) {
        if !(x1 > x0 && y1 > y0) {
            return;
        }
        for y in Self::span(y0, y1, self.height) {
            let cy = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).max(0.0);
            for x in Self::span(x0, x1, self.width) {
                let cx = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).max(0.0);
                self.blend(x, y, colour, alpha * cx * cy);
            }
        }
    }

    /// A filled circle, its rim anti-aliased.
    fn fill_disc(&mut self, [cx, cy]: [f32; 2], radius: f32, colour: Rgb, alpha: f32) {
        for y in Self::span(cy - radius - 1.0, cy + radius + 1.0, self.height) {
            for x in Self::span(cx - radius - 1.0, cx + radius + 1.0, self.width) {
                let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                self.blend(x, y, colour, alpha * (radius - d + 0.5).clamp(0.0, 1.0));
            }
        }
    }

    /// A filled triangle, 4 × 4 samples per pixel.
    fn fill_triangle(&mut self, p: [[f32; 2]; 3], colour: Rgb) {
        let edge = |a: [f32; 2], b: [f32; 2], q: [f32; 2]| {
            (b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0])
        };
        let area = edge(p[0], p[1], p[2]);
        if area == 0.0 || !area.is_finite() {
            return;
        }
        let (xs, ys) = (p.map(|q| q[0]), p.map(|q| q[1]));
        let min = |v: [f32; 3]| v[0].min(v[1]).min(v[2]);
        let max = |v: [f32; 3]| v[0].max(v[1]).max(v[2]);
        for y in Self::span(min(ys), max(ys), self.height) {
            for x in Self::span(min(xs), max(xs), self.width) {
                let mut inside = 0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let q = [
                            x as f32 + (sx as f32 + 0.5) / 4.0,
                            y as f32 + (sy as f32 + 0.5) / 4.0,
                        ];
                        let w = [
                            edge(p[1], p[2], q),
                            edge(p[2], p[0], q),
                            edge(p[0], p[1], q),
                        ];
                        if w.iter().all(|&w| w * area >= 0.0) {
                            inside += 1;
                        }
                    }
                }
                self.blend(x, y, colour, inside as f32 / 16.0);
            }
        }
    }

    fn into_pixels(self) -> Pixels {
        let mut rgba = Vec::with_capacity(self.rgb.len() * 4);
        for p in self.rgb {
            for c in p {
                rgba.push((c.clamp(0.0, 1.0) * 255.0).round() as u8);
            }
            rgba.push(255);
        }
        Pixels {
            width: self.width as u32,
            height: self.height as u32,
            rgba,
        }
    }
}

/// Text drawn with the gallery's typesetter: rendered black on white, then laid onto the
/// canvas in `colour` with the ink's coverage as opacity.
struct Labels {
    typesetter: Option<Typesetter>,
}

impl Labels {
    fn width(&self, text: &str, size: f32) -> f32 {
        self.typesetter
            .as_ref()
            .map_or(0.0, |t| t.measure(text, size))
    }

    /// Draws `text` with its top-left corner at (x, y); returns its width.
    fn draw(&self, canvas: &mut Canvas, text: &str, [x, y]: [f32; 2], size: f32, colour: Rgb) {
        let Some(typesetter) = &self.typesetter else {
            return;
        };
        let width = (typesetter.measure(text, size).ceil() as u32).saturating_add(4);
        let height = (size * 1.5).ceil() as u32;
        if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
            return;
        }
        let style = TextStyle {
            size_px: size,
            ink: [0, 0, 0],
            align: Align::Left,
            line_spacing: 1.2,
        };
        let ink = typesetter.render_blocks(
            &[Block::new(text, style)],
            width,
            height,
            [255, 255, 255],
            0,
        );
        let (ox, oy) = (x.round() as i64, y.round() as i64);
        for row in 0..height {
            for column in 0..width {
                let coverage = 1.0 - f32::from(ink.get(column, row)[1]) / 255.0;
                let (cx, cy) = (ox + i64::from(column), oy + i64::from(row));
                if coverage > 0.0 && cx >= 0 && cy >= 0 {
                    canvas.blend(cx as usize, cy as usize, colour, coverage);
                }
            }
        }
    }
}

/// A floor plan of the level with the heat map laid over it, north (−Z) up, at
/// `pixels_per_metre` (shrunk if the image would be larger than [`MAX_IMAGE_SIDE`]).
///
/// White paper; room floors light grey with their names in the north-west corner; the heat as
/// a smooth ramp from transparent through yellow and orange to red, on a log scale of the
/// counts (blurred within each room over about a cell, interpolated between cell centres, only
/// on floors); walls as dark lines, open at doorways; wall works as dark-blue bars just inside
/// their walls, as wide as the framed work, and plinth works as dots. North arrow at the top
/// right; below the plan a scale bar and the colour key with its range. Deterministic.
pub fn render_heat_map(level: &Level, map: &HeatMap, pixels_per_metre: f32) -> Pixels {
    let Some([bx0, bz0, bx1, bz1]) = building_box(level) else {
        return Pixels::filled(64, 64, [255, 255, 255, 255]);
    };
    let mut scale = if pixels_per_metre.is_finite() && pixels_per_metre > 0.0 {
        pixels_per_metre
    } else {
        DEFAULT_PIXELS_PER_METRE
    };
    let (bw, bh) = ((bx1 - bx0).max(0.01), (bz1 - bz0).max(0.01));
    if !(bw.is_finite() && bh.is_finite()) {
        return Pixels::filled(64, 64, [255, 255, 255, 255]);
    }
    let limit = (MAX_IMAGE_SIDE as f32) * 0.8;
    scale = scale.min(limit / bw).min(limit / bh);

    let text = (scale * 0.6).clamp(11.0, 22.0);
    let margin = (scale * 1.0).max(text * 2.0).round();
    let labels = Labels {
        typesetter: Typesetter::new().ok(),
    };
    let (plan_w, plan_h) = ((bw * scale).ceil(), (bh * scale).ceil());

    // The legend's layout: a scale bar on the left, the colour key on the right, its caption
    // beside the key when there is room and under it otherwise.
    let metres = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .rev()
        .find(|&m| m * scale <= plan_w * 0.3)
        .unwrap_or(1.0);
    let (sx0, sx1) = (margin, margin + metres * scale);
    let key_w = (plan_w * 0.35).clamp(60.0, 320.0);
    let key_x1 = plan_w + margin;
    let key_x0 = key_x1 - key_w;
    let key_h = (text * 0.8).round();
    let caption = format!(
        "position samples per {} m cell (smoothed), log scale",
        trim_float(map.cell)
    );
    let caption_size = text * 0.85;
    let caption_w = labels.width(&caption, caption_size);
    let caption_beside = key_x0 - caption_w - text > sx1 + 3.0 * text;
    let legend = (text * if caption_beside { 4.0 } else { 5.4 }).round();

    let width = (plan_w + 2.0 * margin) as usize;
    let height = (plan_h + 2.0 * margin + legend) as usize;
    let to_px = |x: f32, z: f32| [(x - bx0) * scale + margin, (z - bz0) * scale + margin];
    let to_world = |px: f32, py: f32| [(px - margin) / scale + bx0, (py - margin) / scale + bz0];
    let mut canvas = Canvas::new(width, height, PAPER);

    // Floors.
    for room in &level.rooms {
        let [x0, z0, x1, z1] = bounds(room);
        let [px0, py0] = to_px(x0, z0);
        let [px1, py1] = to_px(x1, z1);
        canvas.fill_rect([px0, py0, px1, py1], FLOOR, 1.0);
    }

    // Heat: counts smoothed within each room, log-scaled, bilinear between cell centres, only
    // where there is floor.
    let smoothed = smooth(level, map);
    let max = smoothed.iter().copied().fold(0.0_f32, f32::max);
    if max > 0.0 {
        let norm = (1.0 + max).ln();
        let level_of: Vec<f32> = smoothed.iter().map(|&c| (1.0 + c).ln() / norm).collect();
        let at = |c: isize, r: isize| {
            let c = c.clamp(0, map.width as isize - 1) as usize;
            let r = r.clamp(0, map.height as isize - 1) as usize;
            level_of[r * map.width + c]
        };
        for y in 0..height {
            for x in 0..width {
                let [wx, wz] = to_world(x as f32 + 0.5, y as f32 + 0.5);
                if room_at(level, [wx, wz]).is_none() {
                    continue;
                }
                let gx = (wx - map.origin[0]) / map.cell - 0.5;
                let gz = (wz - map.origin[1]) / map.cell - 0.5;
                let (c0, r0) = (gx.floor(), gz.floor());
                let (fx, fz) = (gx - c0, gz - r0);
                let (c0, r0) = (c0 as isize, r0 as isize);
                let top = at(c0, r0) * (1.0 - fx) + at(c0 + 1, r0) * fx;
                let bottom = at(c0, r0 + 1) * (1.0 - fx) + at(c0 + 1, r0 + 1) * fx;
                let t = top * (1.0 - fz) + bottom * fz;
                if t > 0.0 {
                    let (colour, alpha) = ramp(t);
                    canvas.blend(x, y, colour, alpha);
                }
            }
        }
    }

    // Walls, open at doorways. Each room draws its own four walls on its footprint edges.
    let wall_px = (0.15 * scale).max(2.0);
    for (index, room) in level.rooms.iter().enumerate() {
        for wall in Wall::ALL {
            let line = wall_line(room, wall);
            for (a, b) in solid_spans(line.length, &openings(level, index, wall)) {
                // Corners close: a wall's own ends reach half a line width past the corner.
                let grow = |at: f32, end: f32| if at == end { wall_px / 2.0 } else { 0.0 };
                let p = to_px(line.point(a)[0], line.point(a)[1]);
                let q = to_px(line.point(b)[0], line.point(b)[1]);
                let (ga, gb) = (grow(a, 0.0), grow(b, line.length));
                let (dx, dy) = (line.dir[0], line.dir[1]);
                let p = [p[0] - dx * ga, p[1] - dy * ga];
                let q = [q[0] + dx * gb, q[1] + dy * gb];
                let half = wall_px / 2.0;
                canvas.fill_rect(
                    [
                        p[0].min(q[0]) - if dx == 0.0 { half } else { 0.0 },
                        p[1].min(q[1]) - if dy == 0.0 { half } else { 0.0 },
                        p[0].max(q[0]) + if dx == 0.0 { half } else { 0.0 },
                        p[1].max(q[1]) + if dy == 0.0 { half } else { 0.0 },
                    ],
                    WALL,
                    1.0,
                );
            }
        }
    }

    // Works.
    for work in &level.works {
        let Some(pose) = placement_pose(level, &work.placement, work.size) else {
            continue;
        };
        let centre = to_px(pose.center[0], pose.center[2]);
        match &work.placement {
            Placement::Wall { .. } => {
                // A bar along the wall, as wide as the framed work, standing just clear of
                // the wall line on the room's side.
                let Some(edge) = wall_centre(level, &work.placement) else {
                    continue;
                };
                let half_len = (work.framed_size().0 / 2.0 * scale).max(2.0);
                let depth = (0.22 * scale).max(3.0);
                let [fx, fz] = pose.facing;
                let clear = wall_px / 2.0 + 1.0;
                let base = to_px(edge[0], edge[1]);
                let a = [base[0] + fx * clear, base[1] + fz * clear];
                let b = [a[0] + fx * depth, a[1] + fz * depth];
                let (hx, hy) = (fz.abs() * half_len, fx.abs() * half_len);
                canvas.fill_rect(
                    [
                        a[0].min(b[0]) - hx,
                        a[1].min(b[1]) - hy,
                        a[0].max(b[0]) + hx,
                        a[1].max(b[1]) + hy,
                    ],
                    WORK,
                    1.0,
                );
            }
            Placement::Plinth { .. } => {
                let r = (work.size.0 / 2.0 * scale).clamp(3.0, 0.35 * scale.max(8.6));
                canvas.fill_disc(centre, r + 1.5, PAPER, 1.0);
                canvas.fill_disc(centre, r, WORK, 1.0);
            }
            // Not placed (the layout step fills placements when a level is read).
            Placement::Auto { .. } => {}
        }
    }

    // Room names, in each room's north-west corner where they fit.
    let name_size = text;
    for room in &level.rooms {
        let name = if room.name.trim().is_empty() {
            room.id.as_str()
        } else {
            room.name.trim()
        };
        let [x0, z0, x1, _] = bounds(room);
        let [px0, py0] = to_px(x0, z0);
        let [px1, _] = to_px(x1, z0);
        let inset = wall_px + 0.35 * scale + 4.0;
        if labels.width(name, name_size) + 2.0 * inset <= px1 - px0 {
            labels.draw(
                &mut canvas,
                name,
                [px0 + inset, py0 + inset],
                name_size,
                LABEL,
            );
        }
    }

    // North arrow, top right.
    let arrow = (text * 0.9).max(8.0);
    let ax = width as f32 - margin * 0.5;
    let ay = margin * 0.25;
    canvas.fill_triangle(
        [
            [ax, ay],
            [ax - arrow * 0.45, ay + arrow],
            [ax + arrow * 0.45, ay + arrow],
        ],
        CAPTION,
    );
    let n_width = labels.width("N", text);
    labels.draw(
        &mut canvas,
        "N",
        [ax - n_width / 2.0 - 2.0, ay + arrow + 1.0],
        text,
        CAPTION,
    );

    // Scale bar, bottom left.
    let bar_y = plan_h + 2.0 * margin + text * 0.4;
    let tick = text * 0.5;
    canvas.fill_rect(
        [sx0, bar_y + tick - 1.0, sx1, bar_y + tick + 1.0],
        CAPTION,
        1.0,
    );
    canvas.fill_rect([sx0, bar_y, sx0 + 2.0, bar_y + tick + 1.0], CAPTION, 1.0);
    canvas.fill_rect([sx1 - 2.0, bar_y, sx1, bar_y + tick + 1.0], CAPTION, 1.0);
    labels.draw(
        &mut canvas,
        &format!("{metres} m"),
        [sx0, bar_y + tick + 3.0],
        text,
        CAPTION,
    );

    // Colour key, bottom right: the ramp over the floor colour, from nothing to the largest
    // (smoothed) count.
    for x in Canvas::span(key_x0, key_x1, width) {
        let column = [x as f32, bar_y, x as f32 + 1.0, bar_y + key_h];
        canvas.fill_rect(column, FLOOR, 1.0);
        let (colour, alpha) = ramp((x as f32 + 0.5 - key_x0) / key_w);
        canvas.fill_rect(column, colour, alpha);
    }
    let [kx0, ky0, kx1, ky1] = [key_x0, bar_y, key_x1, bar_y + key_h];
    for edge in [
        [kx0, ky0, kx1, ky0 + 1.0],
        [kx0, ky1 - 1.0, kx1, ky1],
        [kx0, ky0, kx0 + 1.0, ky1],
        [kx1 - 1.0, ky0, kx1, ky1],
    ] {
        canvas.fill_rect(edge, CAPTION, 1.0);
    }
    let under = bar_y + key_h + 2.0;
    labels.draw(&mut canvas, "0", [key_x0, under], text, CAPTION);
    let top = if max >= 10.0 {
        format!("{max:.0}")
    } else {
        format!("{max:.1}")
    };
    let top_w = labels.width(&top, text);
    labels.draw(
        &mut canvas,
        &top,
        [key_x1 - top_w - 3.0, under],
        text,
        CAPTION,
    );
    let caption_at = if caption_beside {
        [
            key_x0 - caption_w - text,
            bar_y + (key_h - caption_size * 1.3) / 2.0,
        ]
    } else {
        [(key_x1 - caption_w - 3.0).max(0.0), under + text * 1.4]
    };
    labels.draw(&mut canvas, &caption, caption_at, caption_size, CAPTION);

    canvas.into_pixels()
}

/// The counts blurred with a 5 × 5 binomial kernel (σ = 1 cell), each cell only with the cells
/// of its own room (by cell centre) and renormalised, so heat neither leaks through walls nor
/// fades along them. Cells outside every room are 0.
fn smooth(level: &Level, map: &HeatMap) -> Vec<f32> {
    let (w, h) = (map.width, map.height);
    if w == 0 || h == 0 || map.counts.len() != w * h {
        return vec![0.0; map.counts.len()];
    }
    let room_of: Vec<Option<usize>> = (0..w * h)
        .map(|i| {
            let x = map.origin[0] + ((i % w) as f32 + 0.5) * map.cell;
            let z = map.origin[1] + ((i / w) as f32 + 0.5) * map.cell;
            room_at(level, [x, z])
        })
        .collect();
    const KERNEL: [f32; 5] = [1.0, 4.0, 6.0, 4.0, 1.0];
    let mut out = vec![0.0; w * h];
    for row in 0..h {
        for column in 0..w {
            let i = row * w + column;
            let Some(room) = room_of[i] else {
                continue;
            };
            let (mut sum, mut weight) = (0.0_f32, 0.0_f32);
            for (dr, kr) in KERNEL.iter().enumerate() {
                let Some(r) = (row + dr).checked_sub(2).filter(|&r| r < h) else {
                    continue;
                };
                for (dc, kc) in KERNEL.iter().enumerate() {
                    let Some(c) = (column + dc).checked_sub(2).filter(|&c| c < w) else {
                        continue;
                    };
                    let j = r * w + c;
                    if room_of[j] == Some(room) {
                        sum += kr * kc * map.counts[j] as f32;
                        weight += kr * kc;
                    }
                }
            }
            out[i] = sum / weight;
        }
    }
    out
}

/// The parts of `[0, length]` that are not doorway openings.
fn solid_spans(length: f32, openings: &[Opening]) -> Vec<(f32, f32)> {
    let mut spans = Vec::new();
    let mut at = 0.0_f32;
    let mut gaps: Vec<(f32, f32)> = openings.iter().map(Opening::span).collect();
    gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (a, b) in gaps {
        let (a, b) = (a.clamp(0.0, length), b.clamp(0.0, length));
        if a > at {
            spans.push((at, a));
        }
        at = at.max(b);
    }
    if at < length {
        spans.push((at, length));
    }
    spans
}

/// The plan point on a wall work's wall line (the footprint edge) behind its centre.
fn wall_centre(level: &Level, placement: &Placement) -> Option<[f32; 2]> {
    let Placement::Wall {
        room, wall, offset, ..
    } = placement
    else {
        return None;
    };
    let room = level.rooms.iter().find(|r| &r.id == room)?;
    Some(wall_line(room, *wall).point(*offset))
}

/// `0.5` as "0.5", `1.0` as "1".
fn trim_float(value: f32) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::event::EVENT_SCHEMA;

    fn ev(id: &str, time_ms: u64, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: EVENT_SCHEMA,
            id: id.into(),
            visitor: id.rsplit_once('-').map_or(id, |(v, _)| v).into(),
            time_ms,
            what,
        }
    }

    fn default_level() -> Level {
        let bytes = std::fs::read("levels/default.ron").unwrap();
        crate::level::parse(&bytes).unwrap()
    }

    /// A level with two works: "a" titled with a comma and quotes, "b".
    fn small_level() -> Level {
        let mut level = default_level();
        level.works.truncate(2);
        level.works[0].id = "a".into();
        level.works[0].title = "Dawn, \"first\" light".into();
        level.works[1].id = "b".into();
        level.works[1].title = "B".into();
        level
    }

    #[test]
    fn stats_of_a_small_hand_written_set() {
        let level = small_level();
        let rating = |work: &str, stars| What::Rating {
            work: work.into(),
            stars,
        };
        let like = |work: &str, liked| What::Like {
            work: work.into(),
            liked,
        };
        let events = vec![
            ev(
                "p-1",
                1,
                What::Dwell {
                    work: "a".into(),
                    seconds: 10.0,
                },
            ),
            ev(
                "q-1",
                2,
                What::Dwell {
                    work: "a".into(),
                    seconds: 20.0,
                },
            ),
            ev(
                "q-2",
                3,
                What::Dwell {
                    work: "a".into(),
                    seconds: 33.0,
                },
            ),
            ev("p-2", 4, rating("a", 5)),
            ev("q-3", 5, rating("a", 4)),
            ev("r-1", 6, rating("a", 4)),
            ev("p-3", 7, like("a", true)),
            ev("q-4", 8, like("a", false)),
            ev("r-2", 9, like("a", true)),
            ev(
                "p-4",
                10,
                What::Comment {
                    work: "a".into(),
                    text: "warm".into(),
                },
            ),
            ev(
                "p-5",
                11,
                What::Comment {
                    work: "zzz".into(),
                    text: "lost".into(),
                },
            ),
            ev("p-6", 12, What::Position { x: 1.0, z: 1.0 }),
        ];
        let stats = work_stats(&level, &events);
        assert_eq!(stats.len(), 2);
        let a = &stats[0];
        assert_eq!(
            (a.work.as_str(), a.views, a.likes, a.comments),
            ("a", 3, 2, 1)
        );
        assert!((a.mean_dwell - 21.0).abs() < 1e-12);
        assert_eq!(a.ratings, [0, 0, 0, 2, 1]);
        assert!((a.mean_rating.unwrap() - 13.0 / 3.0).abs() < 1e-12);
        let b = &stats[1];
        assert_eq!(
            (
                b.views,
                b.mean_dwell,
                b.ratings,
                b.mean_rating,
                b.likes,
                b.comments
            ),
            (0, 0.0, [0; 5], None, 0, 0)
        );
        // Uncleaned input: only each visitor's last like state counts.
        let flip = [
            ev("s-1", 1, like("b", true)),
            ev("s-2", 2, like("b", false)),
        ];
        assert_eq!(work_stats(&level, &flip)[1].likes, 0);
    }

    #[test]
    fn merge_counts_an_event_in_two_sets_once() {
        let shared = ev("k-3", 50, What::Position { x: 1.0, z: 2.0 });
        let kiosk_a = vec![
            ev("k-1", 90, What::Position { x: 0.0, z: 0.0 }),
            shared.clone(),
        ];
        let kiosk_b = vec![
            shared.clone(),
            ev("m-1", 50, What::Position { x: 3.0, z: 3.0 }),
        ];
        let merged = merge(vec![kiosk_a, kiosk_b, vec![]]);
        let ids: Vec<&str> = merged.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["k-3", "m-1", "k-1"]);
        assert!(merge(vec![]).is_empty());
    }

    #[test]
    fn heat_map_bins_a_known_point() {
        let level = default_level();
        // The default level spans x 0..30 and z -8..20.
        let events = vec![
            ev("h-1", 1, What::Position { x: 3.2, z: 4.9 }),
            ev("h-2", 2, What::Position { x: 3.4, z: 4.6 }),
            ev("h-3", 3, What::Position { x: 30.0, z: 20.0 }), // the far corner: last cell
            ev("h-4", 4, What::Position { x: 50.0, z: 4.0 }),  // outside the box
            ev("h-5", 5, What::Position { x: 2.0, z: 18.0 }),  // in the box, in no room
            ev(
                "h-6",
                6,
                What::Position {
                    x: f32::NAN,
                    z: 1.0,
                },
            ),
            ev(
                "h-7",
                7,
                What::Dwell {
                    work: "x".into(),
                    seconds: 3.0,
                },
            ),
        ];
        let map = heat_map(&level, &events, 0.5);
        assert_eq!(map.origin, [0.0, -8.0]);
        assert_eq!((map.width, map.height, map.cell), (60, 56, 0.5));
        assert_eq!(map.cell_of(3.2, 4.9), Some((6, 25)));
        // x 3.2 → column 6, z 4.9 → (4.9 + 8) / 0.5 = 25.8 → row 25.
        assert_eq!(map.count(6, 25), 2);
        assert_eq!(map.count(59, 55), 1);
        assert_eq!(map.total(), 3);
        assert_eq!(map.max_count(), 2);
        // A bad cell size falls back to the default.
        assert_eq!(heat_map(&level, &events, f32::NAN).cell, DEFAULT_CELL);
        assert_eq!(heat_map(&level, &events, 1e-9).width, MAX_GRID_SIDE);
    }

    #[test]
    fn csv_quotes_as_rfc_4180_says() {
        let level = small_level();
        let events = vec![
            ev(
                "p-1",
                1,
                What::Dwell {
                    work: "a".into(),
                    seconds: 2.0,
                },
            ),
            ev(
                "p-2",
                1,
                What::Dwell {
                    work: "a".into(),
                    seconds: 3.0,
                },
            ),
            ev(
                "p-3",
                1,
                What::Rating {
                    work: "a".into(),
                    stars: 3,
                },
            ),
            ev(
                "q-1",
                1,
                What::Rating {
                    work: "a".into(),
                    stars: 4,
                },
            ),
            ev(
                "q-2",
                1,
                What::Rating {
                    work: "a".into(),
                    stars: 4,
                },
            ),
        ];
        let mut stats = work_stats(&level, &events);
        stats[1].title = "line\nbreak".into();
        assert_eq!(
            works_csv(&stats),
            "work,title,views,mean_dwell_seconds,rating_1,rating_2,rating_3,rating_4,rating_5,mean_rating,likes,comments\n\
             a,\"Dawn, \"\"first\"\" light\",2,2.500,0,0,1,2,0,3.667,0,0\n\
             b,\"line\nbreak\",0,0.000,0,0,0,0,0,,0,0\n"
        );
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn spans_leave_gaps_at_openings() {
        let door = |center, width| Opening {
            center,
            width,
            height: 2.5,
            other_room: 0,
        };
        assert_eq!(solid_spans(10.0, &[]), [(0.0, 10.0)]);
        assert_eq!(
            solid_spans(10.0, &[door(7.0, 2.0), door(2.0, 2.0)]),
            [(0.0, 1.0), (3.0, 6.0), (8.0, 10.0)]
        );
        assert_eq!(solid_spans(10.0, &[door(0.5, 2.0)]), [(1.5, 10.0)]);
        assert_eq!(trim_float(0.5), "0.5");
        assert_eq!(trim_float(1.0), "1");
    }

    /// Visitors lingering in front of works and walking between rooms: a fixed, made-up
    /// sample for looking at the rendering.
    #[test]
    fn the_heat_map_renders_a_readable_plan() {
        let level = default_level();
        let events = synthetic_positions(&level, 3000);
        let map = heat_map(&level, &events, 0.5);
        assert!(map.total() > 0);
        let image = render_heat_map(&level, &map, 20.0);
        // Deterministic: the same input gives the same pixels.
        assert_eq!(image, render_heat_map(&level, &map, 20.0));
        assert!(image.width > 200 && image.height > 200);
        let mut warm = 0;
        let mut dark = 0;
        let mut light = 0;
        for px in image.rgba.chunks_exact(4) {
            let [r, g, b, _] = [px[0], px[1], px[2], px[3]];
            if r > 200 && g < 190 && b < 140 {
                warm += 1; // heat (orange to red)
            } else if r < 90 && g < 90 && b < 110 {
                dark += 1; // walls, works, text
            } else if r > 200 && g > 200 && b > 200 {
                light += 1; // paper and floors
            }
        }
        let total = image.rgba.len() / 4;
        assert!(warm > total / 200, "no visible heat: {warm} of {total}");
        assert!(dark > total / 400, "no walls drawn: {dark} of {total}");
        assert!(
            light > total / 4,
            "the plan is not on a light ground: {light} of {total}"
        );
    }

    fn synthetic_positions(level: &Level, count: usize) -> Vec<FeedbackEvent> {
        let mut state: u64 = 0x0123_4567_89AB_CDEF;
        let mut unit = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f32 / (1u64 << 53) as f32
        };
        let mut events = Vec::new();
        let mut n = 0;
        while events.len() < count {
            n += 1;
            let (x, z) = if unit() < 0.7 && !level.works.is_empty() {
                // Popularity falls off along the level's order, with noise.
                let pick = ((unit() * unit()) * level.works.len() as f32) as usize;
                let work = &level.works[pick.min(level.works.len() - 1)];
                let Some(pose) = placement_pose(level, &work.placement, work.size) else {
                    continue;
                };
                let back = 1.2 + unit() * 1.3;
                let side = (unit() - 0.5) * 1.6;
                let [fx, fz] = pose.facing;
                (
                    pose.center[0] + fx * back - fz * side,
                    pose.center[2] + fz * back + fx * side,
                )
            } else {
                let room =
                    &level.rooms[(unit() * level.rooms.len() as f32) as usize % level.rooms.len()];
                let [x0, z0, x1, z1] = bounds(room);
                (x0 + (x1 - x0) * unit(), z0 + (z1 - z0) * unit())
            };
            events.push(ev(&format!("s-{n}"), n as u64, What::Position { x, z }));
        }
        events
    }
}
