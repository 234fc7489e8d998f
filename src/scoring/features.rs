//! Features of a work: curator-declared numbers, image statistics, engagement and comment
//! sentiment, standardised over the exhibition with missing values imputed by the mean.
//!
//! # The feature vector, in order
//!
//! 1. `curator.<name>`: every numeric feature any work of the level declares, names sorted.
//!    A work that does not declare one has it missing.
//! 2. Image statistics ([`IMAGE_FEATURES`], see [`ImageStats`]) from the work's texture. For a
//!    work without a texture's statistics: a sculpture's luminance and colourfulness come from
//!    its material colour and a text panel's from its paper (the colour that fills most of the
//!    panel); contrast, edge density and colour entropy of those, and everything of a picture
//!    whose texture has not been analysed, are missing. Callers that render text panels or
//!    sculpture thumbnails may pass real statistics for them; those win.
//! 3. Engagement ([`ENGAGEMENT_FEATURES`]) from cleaned events: `engagement.views` is
//!    `ln(1 + visits)` (dwell events), `engagement.mean_dwell` the mean visit in seconds,
//!    `engagement.likes` is `ln(1 + likes)` (visitors whose last like state is "liked"). A
//!    work with no visits, likes or comments yet has all three missing (it has no engagement
//!    yet, which is not the same as a measured zero); a work with likes but no visits has no
//!    mean dwell.
//! 4. [`SENTIMENT_FEATURE`]: the mean [`sentiment::score`] of the work's comments; missing
//!    without comments.
//!
//! # Standardisation and imputation
//!
//! [`FeatureTable::fit`] computes each feature's mean and population standard deviation over
//! the works it is fitted on (those with the value present) and stores `(x − mean) / std`; a
//! missing value becomes 0, the mean. A feature with fewer than two present values, or a
//! spread below [`MIN_STD`], keeps a standard deviation of 1 (it is then constant and carries
//! no information). The means and deviations are stored so that a saved model applies the
//! same transformation later ([`FeatureTable::with_stats`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::sentiment;
use crate::feedback::event::{FeedbackEvent, What};
use crate::gallery::pixels::Pixels;
use crate::level::schema::{Level, Rgb, Work, WorkKind};

/// Prefix of curator-declared feature names.
pub const CURATOR_PREFIX: &str = "curator.";
/// Names of the image statistics, in the order of [`ImageStats::to_array`].
pub const IMAGE_FEATURES: [&str; 5] = [
    "image.luminance",
    "image.contrast",
    "image.colourfulness",
    "image.edge_density",
    "image.colour_entropy",
];
/// Names of the engagement aggregates.
pub const ENGAGEMENT_FEATURES: [&str; 3] = [
    "engagement.views",
    "engagement.mean_dwell",
    "engagement.likes",
];
/// Name of the comment sentiment feature.
pub const SENTIMENT_FEATURE: &str = "comments.sentiment";

/// Image statistics are computed on a box-filtered copy at most this many pixels on its long
/// side, so they do not depend on the file's resolution and stay cheap for large photographs.
pub const STATS_MAX_SIDE: usize = 256;
/// A pixel is on an edge when its Sobel gradient magnitude of luma (0..1) is above this: a
/// sharp step of about 0.125 in luma (32 of 255 levels).
pub const EDGE_THRESHOLD: f64 = 0.5;
/// Levels per channel of the colour histogram (8 × 8 × 8 bins).
pub const COLOUR_LEVELS: usize = 8;
/// Spreads below this count as none.
pub const MIN_STD: f64 = 1e-9;

/// Statistics of a picture, each on a fixed scale.
///
/// All are computed from sRGB-encoded values scaled to 0..1; alpha is ignored.
/// - `luminance`: mean luma `Y' = 0.2126 R + 0.7152 G + 0.0722 B` (Rec. 709 weights), 0..1.
/// - `contrast`: RMS contrast, the standard deviation of luma, 0..0.5.
/// - `colourfulness`: after Hasler and Süsstrunk (2003), with opponent channels `rg = R − G`
///   and `yb = (R + G)/2 − B`: `√(σ_rg² + σ_yb²) + 0.3 · √(μ_rg² + μ_yb²)`; 0 for greys.
/// - `edge_density`: the share of interior pixels whose Sobel gradient magnitude of luma
///   exceeds [`EDGE_THRESHOLD`], 0..1.
/// - `colour_entropy`: Shannon entropy of the joint RGB histogram with [`COLOUR_LEVELS`] levels
///   per channel, divided by its maximum `log2(512)`, 0..1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImageStats {
    pub luminance: f64,
    pub contrast: f64,
    pub colourfulness: f64,
    pub edge_density: f64,
    pub colour_entropy: f64,
}

impl ImageStats {
    /// Statistics of a pixel buffer; `None` when it is empty or its length does not match.
    pub fn of(pixels: &Pixels) -> Option<ImageStats> {
        let (w, h, rgb) = downscaled(pixels)?;
        let n = rgb.len() as f64;
        let lumas: Vec<f64> = rgb.iter().map(|&c| luma(c)).collect();
        let (luminance, contrast) = mean_std(lumas.iter().copied());
        let (mean_rg, std_rg) = mean_std(rgb.iter().map(|c| c[0] - c[1]));
        let (mean_yb, std_yb) = mean_std(rgb.iter().map(|c| 0.5 * (c[0] + c[1]) - c[2]));
        let colourfulness = std_rg.hypot(std_yb) + 0.3 * mean_rg.hypot(mean_yb);

        let mut edges = 0usize;
        let mut interior = 0usize;
        for y in 1..h.saturating_sub(1) {
            let (up, here, down) = ((y - 1) * w, y * w, (y + 1) * w);
            for x in 1..w - 1 {
                let at = |row: usize, dx: usize| lumas[row + x + dx - 1];
                let gx = (at(up, 2) + 2.0 * at(here, 2) + at(down, 2))
                    - (at(up, 0) + 2.0 * at(here, 0) + at(down, 0));
                let gy = (at(down, 0) + 2.0 * at(down, 1) + at(down, 2))
                    - (at(up, 0) + 2.0 * at(up, 1) + at(up, 2));
                interior += 1;
                if gx.hypot(gy) > EDGE_THRESHOLD {
                    edges += 1;
                }
            }
        }
        let edge_density = if interior == 0 {
            0.0
        } else {
            edges as f64 / interior as f64
        };

        let mut histogram = vec![0u32; COLOUR_LEVELS.pow(3)];
        let level = |v: f64| ((v * COLOUR_LEVELS as f64) as usize).min(COLOUR_LEVELS - 1);
        for c in &rgb {
            let bin = (level(c[0]) * COLOUR_LEVELS + level(c[1])) * COLOUR_LEVELS + level(c[2]);
            histogram[bin] += 1;
        }
        let entropy: f64 = histogram
            .iter()
            .filter(|&&count| count > 0)
            .map(|&count| {
                let p = f64::from(count) / n;
                -p * p.log2()
            })
            .sum();
        let colour_entropy = entropy / (histogram.len() as f64).log2();
        Some(ImageStats {
            luminance,
            contrast,
            colourfulness,
            edge_density,
            colour_entropy,
        })
    }

    /// The statistics in the order of [`IMAGE_FEATURES`].
    pub fn to_array(&self) -> [f64; 5] {
        [
            self.luminance,
            self.contrast,
            self.colourfulness,
            self.edge_density,
            self.colour_entropy,
        ]
    }
}

/// Rec. 709 luma of sRGB-encoded components in 0..1.
pub fn luma(rgb: [f64; 3]) -> f64 {
    0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
}

/// Colourfulness of a single flat colour (no spread: only the mean term).
pub fn flat_colourfulness(rgb: [f64; 3]) -> f64 {
    let rg = rgb[0] - rgb[1];
    let yb = 0.5 * (rgb[0] + rgb[1]) - rgb[2];
    0.3 * rg.hypot(yb)
}

fn unit_rgb(colour: Rgb) -> [f64; 3] {
    colour.0.map(|c| f64::from(c) / 255.0)
}

/// Mean and population standard deviation (two passes over the values).
fn mean_std(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (sum, count) = values
        .clone()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if count == 0 {
        return (0.0, 0.0);
    }
    let mean = sum / count as f64;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / count as f64;
    (mean, var.sqrt())
}

/// The picture box-filtered down to at most [`STATS_MAX_SIDE`] on its long side, as 0..1 RGB.
fn downscaled(pixels: &Pixels) -> Option<(usize, usize, Vec<[f64; 3]>)> {
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    if w == 0 || h == 0 || pixels.rgba.len() != w * h * 4 {
        return None;
    }
    let step = w.max(h).div_ceil(STATS_MAX_SIDE).max(1);
    let (ow, oh) = (w.div_ceil(step), h.div_ceil(step));
    let mut sums = vec![[0u32; 4]; ow * oh];
    for (y, row) in pixels.rgba.chunks_exact(w * 4).enumerate() {
        let out_row = (y / step) * ow;
        for (x, px) in row.chunks_exact(4).enumerate() {
            let cell = &mut sums[out_row + x / step];
            cell[0] += u32::from(px[0]);
            cell[1] += u32::from(px[1]);
            cell[2] += u32::from(px[2]);
            cell[3] += 1;
        }
    }
    let rgb = sums
        .iter()
        .map(|s| {
            let scale = 1.0 / (255.0 * f64::from(s[3]));
            [
                f64::from(s[0]) * scale,
                f64::from(s[1]) * scale,
                f64::from(s[2]) * scale,
            ]
        })
        .collect();
    Some((ow, oh, rgb))
}

/// The image features of a work: its texture's statistics when given, otherwise what its
/// kind allows (see the module documentation); `None` is missing.
pub fn content_features(work: &Work, stats: Option<&ImageStats>) -> [Option<f64>; 5] {
    if let Some(stats) = stats {
        return stats.to_array().map(|v| v.is_finite().then_some(v));
    }
    let flat = |colour: Rgb| {
        let rgb = unit_rgb(colour);
        [
            Some(luma(rgb)),
            None,
            Some(flat_colourfulness(rgb)),
            None,
            None,
        ]
    };
    match &work.kind {
        WorkKind::Sculpture { color, .. } => flat(*color),
        WorkKind::Text { paper, .. } => flat(*paper),
        WorkKind::Image { .. } | WorkKind::Generative { .. } => [None; 5],
    }
}

/// What visitors did about one work, from cleaned events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkActivity {
    /// Dwell events.
    pub views: u32,
    /// Their total seconds.
    pub dwell_seconds: f64,
    /// Visitors whose last like state is "liked".
    pub likes: u32,
    pub comments: u32,
    /// Sum of the comments' sentiment scores.
    pub sentiment_sum: f64,
    /// Stars, one per visitor (their last rating), ordered by visitor id.
    pub ratings: Vec<u8>,
}

impl WorkActivity {
    /// Whether anyone engaged with the work at all (visited, liked or commented).
    pub fn has_engagement(&self) -> bool {
        self.views > 0 || self.likes > 0 || self.comments > 0
    }

    /// Mean stars, when rated.
    pub fn mean_rating(&self) -> Option<f64> {
        (!self.ratings.is_empty()).then(|| {
            self.ratings.iter().map(|&s| f64::from(s)).sum::<f64>() / self.ratings.len() as f64
        })
    }

    /// Ratings as numbers.
    pub fn targets(&self) -> Vec<f64> {
        self.ratings.iter().map(|&s| f64::from(s)).collect()
    }
}

/// Per-work activity, in the level's order. Events about other works are ignored. Expects
/// cleaned events; should a visitor's rating or like of a work appear more than once anyway,
/// the last one in the slice counts.
pub fn activity(level: &Level, cleaned: &[FeedbackEvent]) -> Vec<WorkActivity> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, work) in level.works.iter().enumerate() {
        index.entry(work.id.as_str()).or_insert(i);
    }
    let mut out = vec![WorkActivity::default(); level.works.len()];
    let mut ratings: BTreeMap<(usize, &str), u8> = BTreeMap::new();
    let mut likes: BTreeMap<(usize, &str), bool> = BTreeMap::new();
    for event in cleaned {
        let Some(&w) = event.what.work().and_then(|id| index.get(id)) else {
            continue;
        };
        let a = &mut out[w];
        match &event.what {
            What::Dwell { seconds, .. } if seconds.is_finite() => {
                a.views += 1;
                a.dwell_seconds += seconds;
            }
            What::Comment { text, .. } => {
                a.comments += 1;
                a.sentiment_sum += sentiment::score(text);
            }
            What::Rating { stars, .. } if (1..=5).contains(stars) => {
                ratings.insert((w, event.visitor.as_str()), *stars);
            }
            What::Like { liked, .. } => {
                likes.insert((w, event.visitor.as_str()), *liked);
            }
            _ => {}
        }
    }
    for ((w, _), stars) in ratings {
        out[w].ratings.push(stars);
    }
    for ((w, _), liked) in likes {
        out[w].likes += u32::from(liked);
    }
    out
}

/// Feature values before standardisation; `None` is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFeatures {
    pub names: Vec<String>,
    /// Work ids, in the level's order.
    pub works: Vec<String>,
    /// `works.len() × names.len()`, row-major.
    pub values: Vec<Option<f64>>,
}

impl RawFeatures {
    pub fn dims(&self) -> usize {
        self.names.len()
    }

    pub fn row(&self, work: usize) -> &[Option<f64>] {
        let d = self.dims();
        &self.values[work * d..(work + 1) * d]
    }
}

/// The feature names a level gives: its curator features, then the fixed ones.
pub fn feature_names(level: &Level) -> Vec<String> {
    let curator: BTreeSet<&str> = level
        .works
        .iter()
        .flat_map(|w| w.features.keys().map(String::as_str))
        .collect();
    curator
        .into_iter()
        .map(|name| format!("{CURATOR_PREFIX}{name}"))
        .chain(IMAGE_FEATURES.iter().map(|s| s.to_string()))
        .chain(ENGAGEMENT_FEATURES.iter().map(|s| s.to_string()))
        .chain(std::iter::once(SENTIMENT_FEATURE.to_string()))
        .collect()
}

/// Raw features of every work. Event-derived features (engagement, sentiment) are used only
/// for works where `use_events(work index)` holds; the others have them missing, as a work
/// nobody has seen (cross-validation hides a test fold's events this way).
pub fn raw_features(
    level: &Level,
    image_stats: &BTreeMap<String, ImageStats>,
    activity: &[WorkActivity],
    use_events: impl Fn(usize) -> bool,
) -> RawFeatures {
    let names = feature_names(level);
    let curator: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_prefix(CURATOR_PREFIX))
        .collect();
    let mut values = Vec::with_capacity(level.works.len() * names.len());
    let none = WorkActivity::default();
    for (i, work) in level.works.iter().enumerate() {
        for name in &curator {
            values.push(work.features.get(*name).copied().filter(|v| v.is_finite()));
        }
        values.extend(content_features(work, image_stats.get(&work.id)));
        let a = match activity.get(i) {
            Some(a) if use_events(i) => a,
            _ => &none,
        };
        if a.has_engagement() {
            values.push(Some(f64::from(a.views).ln_1p()));
            values.push((a.views > 0).then(|| a.dwell_seconds / f64::from(a.views)));
            values.push(Some(f64::from(a.likes).ln_1p()));
        } else {
            values.extend([None, None, None]);
        }
        values.push((a.comments > 0).then(|| a.sentiment_sum / f64::from(a.comments)));
    }
    RawFeatures {
        names,
        works: level.works.iter().map(|w| w.id.clone()).collect(),
        values,
    }
}

/// Standardised features of every work with the statistics used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureTable {
    pub names: Vec<String>,
    pub works: Vec<String>,
    /// `works.len() × names.len()`, row-major, standardised; missing values are 0.
    pub rows: Vec<f64>,
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
}

impl FeatureTable {
    /// Fits the standardisation on the rows where `fit_row(work index)` holds and applies it
    /// to every row.
    pub fn fit(raw: &RawFeatures, fit_row: impl Fn(usize) -> bool) -> FeatureTable {
        let d = raw.dims();
        let mut means = vec![0.0; d];
        let mut stds = vec![1.0; d];
        let fitted: Vec<usize> = (0..raw.works.len()).filter(|&i| fit_row(i)).collect();
        for j in 0..d {
            let present = fitted.iter().filter_map(|&i| raw.row(i)[j]);
            let (mean, std) = mean_std(present.clone());
            means[j] = mean;
            if present.count() >= 2 && std >= MIN_STD {
                stds[j] = std;
            }
        }
        Self::with_stats(raw, &means, &stds).expect("statistics of the right length")
    }

    /// Applies stored statistics; `None` when their lengths do not match the features.
    pub fn with_stats(raw: &RawFeatures, means: &[f64], stds: &[f64]) -> Option<FeatureTable> {
        let d = raw.dims();
        if means.len() != d || stds.len() != d {
            return None;
        }
        let mut table = FeatureTable {
            names: raw.names.clone(),
            works: raw.works.clone(),
            rows: vec![0.0; raw.values.len()],
            means: means.to_vec(),
            stds: stds.to_vec(),
        };
        for i in 0..raw.works.len() {
            let (source, target) = (raw.row(i), &mut table.rows[i * d..(i + 1) * d]);
            standardise(source, means, stds, target);
        }
        Some(table)
    }

    pub fn dims(&self) -> usize {
        self.names.len()
    }

    pub fn len(&self) -> usize {
        self.works.len()
    }

    pub fn is_empty(&self) -> bool {
        self.works.is_empty()
    }

    /// The standardised features of one work.
    pub fn row(&self, work: usize) -> &[f64] {
        let d = self.dims();
        &self.rows[work * d..(work + 1) * d]
    }
}

/// `(x − mean) / std` for present values, 0 (the mean) for missing ones.
pub fn standardise(raw: &[Option<f64>], means: &[f64], stds: &[f64], out: &mut [f64]) {
    for (((o, x), m), s) in out.iter_mut().zip(raw).zip(means).zip(stds) {
        *o = x.map_or(0.0, |x| (x - m) / s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::event::EVENT_SCHEMA;

    fn level() -> Level {
        crate::level::parse(include_bytes!("../../levels/small.ron")).expect("small level")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_flat_colour_has_no_spread() {
        let stats = ImageStats::of(&Pixels::filled(16, 9, [255, 0, 0, 255])).unwrap();
        assert!(close(stats.luminance, 0.2126));
        assert!(stats.contrast.abs() < 1e-12);
        assert_eq!(stats.edge_density, 0.0);
        assert_eq!(stats.colour_entropy, 0.0);
        // rg = 1, yb = 0.5: 0.3 · √1.25.
        assert!(close(stats.colourfulness, 0.3 * 1.25f64.sqrt()));
        assert!(close(
            stats.colourfulness,
            flat_colourfulness([1.0, 0.0, 0.0])
        ));
        let grey = ImageStats::of(&Pixels::filled(3, 3, [128, 128, 128, 255])).unwrap();
        assert!(grey.colourfulness.abs() < 1e-12);
    }

    #[test]
    fn half_black_half_white_worked_by_hand() {
        // 10 × 10, columns 0..5 black, 5..10 white.
        let mut p = Pixels::filled(10, 10, [0, 0, 0, 255]);
        for y in 0..10 {
            for x in 5..10 {
                p.set(x, y, [255, 255, 255, 255]);
            }
        }
        let s = ImageStats::of(&p).unwrap();
        assert!(close(s.luminance, 0.5));
        assert!(close(s.contrast, 0.5));
        assert!(close(s.colourfulness, 0.0));
        // Interior 8 × 8; columns 4 and 5 see the step (|gx| = 4): 16 of 64.
        assert!(close(s.edge_density, 0.25));
        // Two equally full bins: 1 bit of 9.
        assert!(close(s.colour_entropy, 1.0 / 9.0));
    }

    #[test]
    fn colourful_and_busy_pictures_score_higher() {
        let mut halves = Pixels::filled(8, 8, [255, 0, 0, 255]);
        let mut noise = Pixels::filled(64, 64, [0, 0, 0, 255]);
        for y in 0..8 {
            for x in 4..8 {
                halves.set(x, y, [0, 255, 0, 255]);
            }
        }
        let mut state = 12345u32;
        for y in 0..64 {
            for x in 0..64 {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let b = (state >> 16) as u8;
                noise.set(x, y, [b, b.wrapping_mul(7), b.wrapping_mul(13), 255]);
            }
        }
        let grey = ImageStats::of(&Pixels::filled(8, 8, [120, 120, 120, 255])).unwrap();
        let halves = ImageStats::of(&halves).unwrap();
        let noise = ImageStats::of(&noise).unwrap();
        assert!(halves.colourfulness > grey.colourfulness + 0.3);
        assert!(noise.edge_density > 0.5);
        assert!(noise.colour_entropy > 0.5 && noise.colour_entropy <= 1.0);
        assert!(noise.contrast > halves.contrast * 0.5);
    }

    #[test]
    fn large_pictures_are_box_filtered() {
        let big = ImageStats::of(&Pixels::filled(1000, 600, [10, 200, 30, 255])).unwrap();
        let small = ImageStats::of(&Pixels::filled(5, 3, [10, 200, 30, 255])).unwrap();
        assert!(close(big.luminance, small.luminance));
        assert!(close(big.colourfulness, small.colourfulness));
        let (w, h, _) = downscaled(&Pixels::filled(1000, 600, [0; 4])).unwrap();
        assert_eq!((w, h), (250, 150));
        let broken = Pixels {
            width: 2,
            height: 2,
            rgba: vec![0; 3],
        };
        assert_eq!(ImageStats::of(&broken), None);
        assert_eq!(ImageStats::of(&Pixels::filled(0, 4, [0; 4])), None);
        // Too small for an interior: no edges, still statistics.
        assert_eq!(
            ImageStats::of(&Pixels::filled(2, 1, [9; 4]))
                .unwrap()
                .edge_density,
            0.0
        );
    }

    fn ev(visitor: &str, n: u64, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: EVENT_SCHEMA,
            id: format!("{visitor}-{n}"),
            visitor: visitor.into(),
            time_ms: n,
            what,
        }
    }

    #[test]
    fn activity_and_raw_features() {
        let level = level();
        let first = level.works[0].id.clone();
        let events = vec![
            ev(
                "a",
                1,
                What::Dwell {
                    work: first.clone(),
                    seconds: 10.0,
                },
            ),
            ev(
                "b",
                2,
                What::Dwell {
                    work: first.clone(),
                    seconds: 20.0,
                },
            ),
            ev(
                "a",
                3,
                What::Like {
                    work: first.clone(),
                    liked: true,
                },
            ),
            ev(
                "b",
                4,
                What::Like {
                    work: first.clone(),
                    liked: true,
                },
            ),
            ev(
                "b",
                5,
                What::Like {
                    work: first.clone(),
                    liked: false,
                },
            ),
            ev(
                "a",
                6,
                What::Comment {
                    work: first.clone(),
                    text: "Lovely".into(),
                },
            ),
            ev(
                "a",
                7,
                What::Rating {
                    work: first.clone(),
                    stars: 4,
                },
            ),
            ev(
                "c",
                8,
                What::Rating {
                    work: first.clone(),
                    stars: 2,
                },
            ),
            ev(
                "c",
                9,
                What::Rating {
                    work: "nowhere".into(),
                    stars: 2,
                },
            ),
            ev("c", 10, What::Position { x: 1.0, z: 2.0 }),
        ];
        let act = activity(&level, &events);
        assert_eq!(act.len(), level.works.len());
        let a = &act[0];
        assert_eq!((a.views, a.likes, a.comments), (2, 1, 1));
        assert!(close(a.dwell_seconds, 30.0));
        assert_eq!(a.ratings, vec![4, 2]);
        assert_eq!(a.mean_rating(), Some(3.0));
        assert!(act[1..].iter().all(|a| a == &WorkActivity::default()));

        let raw = raw_features(&level, &BTreeMap::new(), &act, |_| true);
        let names = feature_names(&level);
        assert_eq!(raw.names, names);
        assert_eq!(
            &names[..3],
            [
                "curator.craft",
                "curator.emotional_weight",
                "curator.novelty"
            ]
        );
        let d = names.len();
        assert_eq!(d, 3 + 5 + 3 + 1);
        let row = raw.row(0);
        assert_eq!(row[0], level.works[0].features.get("craft").copied());
        // An image work without statistics: all five missing.
        assert_eq!(&row[3..8], &[None; 5]);
        assert!(close(row[8].unwrap(), 3f64.ln()));
        assert!(close(row[9].unwrap(), 15.0));
        assert!(close(row[10].unwrap(), 2f64.ln()));
        assert!(close(row[11].unwrap(), sentiment::score("Lovely")));
        // No engagement: missing, not zero.
        assert_eq!(&raw.row(1)[8..], &[None; 4]);
        // Hidden events: as if nobody had seen the work.
        let hidden = raw_features(&level, &BTreeMap::new(), &act, |i| i != 0);
        assert_eq!(&hidden.row(0)[8..], &[None; 4]);
        // Sculptures and text panels get luminance and colourfulness from their colours.
        for (i, work) in level.works.iter().enumerate() {
            let r = raw.row(i);
            match &work.kind {
                WorkKind::Sculpture { color, .. } => {
                    assert!(close(r[3].unwrap(), luma(unit_rgb(*color))));
                    assert!(r[5].is_some() && r[4].is_none());
                }
                WorkKind::Text { paper, .. } => {
                    assert!(close(r[3].unwrap(), luma(unit_rgb(*paper))));
                }
                _ => assert!(r[3].is_none()),
            }
        }
        // Given statistics win.
        let stats = ImageStats {
            luminance: 0.1,
            contrast: 0.2,
            colourfulness: 0.3,
            edge_density: 0.4,
            colour_entropy: 0.5,
        };
        let given: BTreeMap<String, ImageStats> = [(first, stats)].into_iter().collect();
        let raw = raw_features(&level, &given, &act, |_| true);
        assert_eq!(
            &raw.row(0)[3..8],
            &[Some(0.1), Some(0.2), Some(0.3), Some(0.4), Some(0.5)]
        );
    }

    #[test]
    fn standardisation_imputes_the_mean() {
        let raw = RawFeatures {
            names: vec!["a".into(), "b".into(), "c".into()],
            works: vec!["w0".into(), "w1".into(), "w2".into(), "w3".into()],
            values: vec![
                Some(1.0),
                Some(5.0),
                None,
                Some(3.0),
                None,
                None,
                Some(5.0),
                Some(5.0),
                Some(7.0),
                None,
                Some(5.0),
                None,
            ],
        };
        let table = FeatureTable::fit(&raw, |_| true);
        // a: 1, 3, 5 → mean 3, population std √(8/3).
        assert!(close(table.means[0], 3.0));
        assert!(close(table.stds[0], (8.0f64 / 3.0).sqrt()));
        assert!(close(table.row(0)[0], -2.0 / (8.0f64 / 3.0).sqrt()));
        assert_eq!(table.row(3)[0], 0.0);
        // b: constant, so std 1 and every value 0.
        assert_eq!(table.stds[1], 1.0);
        assert!((0..4).all(|i| table.row(i)[1] == 0.0));
        // c: a single value: mean 7, std 1.
        assert_eq!((table.means[2], table.stds[2]), (7.0, 1.0));
        // Fitting on part of the rows: statistics from those only.
        let part = FeatureTable::fit(&raw, |i| i < 2);
        assert!(close(part.means[0], 2.0));
        assert!(close(part.stds[0], 1.0));
        assert!(close(part.row(2)[0], 3.0));
        // Stored statistics reproduce the table.
        let again = FeatureTable::with_stats(&raw, &table.means, &table.stds).unwrap();
        assert_eq!(again, table);
        assert_eq!(FeatureTable::with_stats(&raw, &[0.0], &[1.0]), None);
    }
}
