//! "For you": content-based recommendations of works a visitor has not seen yet, from the
//! standardised content features of the works they rated and liked.
//!
//! A visitor's taste profile is the weighted mean of the feature rows of the works they
//! reacted to: a rating weighs `stars − 3` (so 5 stars pulls towards a work, 1 star pushes
//! away, 3 is indifferent) and a standing like adds 1. Unseen works are ranked by the cosine
//! similarity of their row to that profile; ties, and visitors without any ratings or likes
//! (cold start), fall back to the model's predicted score. Only content features count
//! (curator numbers and image statistics): engagement and comment sentiment describe how
//! others reacted, not what the work is.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::features::{CURATOR_PREFIX, FeatureTable, IMAGE_FEATURES};
use super::scorer::Scores;
use crate::feedback::event::{FeedbackEvent, What};

/// One recommended work and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub work: String,
    /// A short phrase for the visitor, e.g. "colourful like works you rated highly".
    pub reason: String,
    /// Cosine similarity to the visitor's profile, −1..1 (0 on cold start).
    pub affinity: f64,
}

/// Similarities closer than this count as a tie (broken by the predicted score).
const TIE: f64 = 1e-9;

/// Up to `count` works for `visitor`, best first. See the module documentation.
pub fn recommend(
    table: &FeatureTable,
    scores: &Scores,
    events: &[FeedbackEvent],
    visitor: &str,
    count: usize,
) -> Vec<Recommendation> {
    let content: Vec<usize> = (0..table.dims())
        .filter(|&j| is_content_feature(&table.names[j]))
        .collect();
    let (weights, seen) = visitor_weights(events, visitor);

    // The taste profile over the content features.
    let mut profile = vec![0.0; content.len()];
    // The side of each feature the visitor's favourites are on, for the reason's wording.
    let mut liked = vec![0.0; content.len()];
    let mut total = 0.0;
    for (work, weight) in &weights {
        let Some(i) = table.works.iter().position(|w| w == work) else {
            continue;
        };
        let row = table.row(i);
        for (k, &j) in content.iter().enumerate() {
            profile[k] += weight * row[j];
            if *weight > 0.0 {
                liked[k] += weight * row[j];
            }
        }
        total += weight.abs();
    }
    let cold = total == 0.0 || norm(&profile) < 1e-12;
    if !cold {
        profile.iter_mut().for_each(|p| *p /= total);
    }

    let predicted = |work: &str| {
        scores
            .per_work
            .iter()
            .find(|s| s.work == work)
            .map_or(f64::NEG_INFINITY, |s| s.predicted)
    };
    let mut candidates: Vec<Recommendation> = table
        .works
        .iter()
        .enumerate()
        .filter(|(_, work)| !seen.contains(work.as_str()))
        .map(|(i, work)| {
            let row: Vec<f64> = content.iter().map(|&j| table.row(i)[j]).collect();
            if cold {
                return Recommendation {
                    work: work.clone(),
                    reason: "highly rated by other visitors".into(),
                    affinity: 0.0,
                };
            }
            let affinity = cosine(&profile, &row);
            let reason = reason(&table.names, &content, &profile, &liked, &row);
            Recommendation {
                work: work.clone(),
                reason,
                affinity,
            }
        })
        .collect();
    candidates.sort_by(|a, b| {
        let by_affinity = if (a.affinity - b.affinity).abs() <= TIE {
            Ordering::Equal
        } else {
            b.affinity.total_cmp(&a.affinity)
        };
        by_affinity
            .then_with(|| predicted(&b.work).total_cmp(&predicted(&a.work)))
            .then_with(|| a.work.cmp(&b.work))
    });
    candidates.truncate(count);
    candidates
}

/// Whether a feature describes the work itself (curator numbers, image statistics).
pub fn is_content_feature(name: &str) -> bool {
    name.starts_with(CURATOR_PREFIX) || IMAGE_FEATURES.contains(&name)
}

/// Each reacted-to work's profile weight (latest rating's `stars − 3`, plus 1 for a standing
/// like), and every work the visitor has seen (dwelt at, rated or liked).
fn visitor_weights(
    events: &[FeedbackEvent],
    visitor: &str,
) -> (BTreeMap<String, f64>, BTreeSet<String>) {
    let mut ratings: BTreeMap<&str, u8> = BTreeMap::new();
    let mut likes: BTreeMap<&str, bool> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for event in events.iter().filter(|e| e.visitor == visitor) {
        match &event.what {
            What::Rating { work, stars } => {
                ratings.insert(work, *stars);
            }
            What::Like { work, liked } => {
                likes.insert(work, *liked);
            }
            What::Dwell { .. } => {}
            _ => continue,
        }
        if let Some(work) = event.what.work() {
            seen.insert(work.to_string());
        }
    }
    let mut weights: BTreeMap<String, f64> = BTreeMap::new();
    for (work, stars) in ratings {
        *weights.entry(work.to_string()).or_default() += f64::from(stars) - 3.0;
    }
    for (work, liked) in likes {
        if liked {
            *weights.entry(work.to_string()).or_default() += 1.0;
        }
    }
    weights.retain(|_, w| *w != 0.0);
    (weights, seen)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Cosine similarity; 0 when either vector is (nearly) zero.
fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (norm(a), norm(b));
    if na < 1e-12 || nb < 1e-12 {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (na * nb)
}

/// Names the feature that contributes most to the similarity (profile and work agreeing in
/// sign and strength): "colourful like works you rated highly", or "muted, unlike works you
/// rated low" when it is the visitor's dislikes that point there.
fn reason(
    names: &[String],
    content: &[usize],
    profile: &[f64],
    liked: &[f64],
    row: &[f64],
) -> String {
    let best = profile
        .iter()
        .zip(row)
        .enumerate()
        .map(|(k, (p, x))| (k, p * x))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((k, shared)) if shared > 0.0 => {
            let word = feature_word(&names[content[k]], row[k] > 0.0);
            if liked[k] * row[k] > 0.0 {
                format!("{word} like works you rated highly")
            } else {
                format!("{word}, unlike works you rated low")
            }
        }
        _ => "something different from what you have seen".into(),
    }
}

/// A plain word for a feature being high (`true`) or low.
fn feature_word(name: &str, high: bool) -> String {
    let pair = match name {
        "image.luminance" => ("bright", "dark"),
        "image.contrast" => ("high in contrast", "soft in contrast"),
        "image.colourfulness" => ("colourful", "muted"),
        "image.edge_density" => ("detailed", "calm"),
        "image.colour_entropy" => ("rich in colours", "sparing with colour"),
        other => {
            let label = other
                .strip_prefix(CURATOR_PREFIX)
                .unwrap_or(other)
                .replace('_', " ");
            return if high {
                format!("high in {label}")
            } else {
                format!("low in {label}")
            };
        }
    };
    if high { pair.0 } else { pair.1 }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::ModelKind;
    use crate::scoring::WorkScore;

    /// Works with (luminance, colourfulness) already standardised, plus an engagement column
    /// that must be ignored.
    fn table() -> FeatureTable {
        let works = [
            ("sun", 1.5, 0.2, 9.0),
            ("lamp", 1.2, -0.1, -9.0),
            ("noon", 1.0, 0.3, 0.0),
            ("night", -1.4, 0.1, 9.0),
            ("cave", -1.1, -0.2, 0.0),
            ("dusk", -0.9, 0.0, -9.0),
        ];
        FeatureTable {
            names: vec![
                "image.luminance".into(),
                "image.colourfulness".into(),
                "engagement.views".into(),
            ],
            works: works.iter().map(|w| w.0.to_string()).collect(),
            rows: works.iter().flat_map(|w| [w.1, w.2, w.3]).collect(),
            means: vec![0.0; 3],
            stds: vec![1.0; 3],
        }
    }

    fn scores(predicted: &[(&str, f64)]) -> Scores {
        Scores {
            features: vec![],
            model: ModelKind::Linear,
            baseline: 3.0,
            per_work: predicted
                .iter()
                .map(|(w, p)| WorkScore {
                    work: w.to_string(),
                    predicted: *p,
                    model_output: *p,
                    measured_mean: None,
                    ratings: 0,
                    confidence: 0.0,
                    contributions: vec![],
                })
                .collect(),
            ratings: 0,
            cv_mse: None,
            baseline_mse: None,
        }
    }

    fn default_scores() -> Scores {
        scores(&[
            ("sun", 3.0),
            ("lamp", 2.0),
            ("noon", 4.5),
            ("night", 3.5),
            ("cave", 1.5),
            ("dusk", 4.0),
        ])
    }

    fn event(visitor: &str, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: 1,
            id: format!("{visitor}-0"),
            visitor: visitor.into(),
            time_ms: 0,
            what,
        }
    }

    fn rate(visitor: &str, work: &str, stars: u8) -> FeedbackEvent {
        event(
            visitor,
            What::Rating {
                work: work.into(),
                stars,
            },
        )
    }

    fn works(recs: &[Recommendation]) -> Vec<&str> {
        recs.iter().map(|r| r.work.as_str()).collect()
    }

    #[test]
    fn seen_works_are_excluded_and_count_is_respected() {
        let events = vec![
            rate("me", "sun", 5),
            event(
                "me",
                What::Like {
                    work: "night".into(),
                    liked: false,
                },
            ),
            event(
                "me",
                What::Dwell {
                    work: "cave".into(),
                    seconds: 4.0,
                },
            ),
            // Someone else's visit hides nothing from me.
            rate("other", "lamp", 5),
        ];
        let recs = recommend(&table(), &default_scores(), &events, "me", 10);
        let listed = works(&recs);
        for seen in ["sun", "night", "cave"] {
            assert!(!listed.contains(&seen), "{seen} in {listed:?}");
        }
        assert_eq!(listed.len(), 3);
        assert_eq!(
            recommend(&table(), &default_scores(), &events, "me", 2).len(),
            2
        );
        assert!(recommend(&table(), &default_scores(), &events, "me", 0).is_empty());
    }

    #[test]
    fn recommendations_follow_the_visitors_ratings() {
        let loved = recommend(
            &table(),
            &default_scores(),
            &[rate("me", "sun", 5)],
            "me",
            2,
        );
        assert_eq!(works(&loved), vec!["noon", "lamp"]);
        assert!(loved[0].affinity > 0.9);
        assert_eq!(loved[0].reason, "bright like works you rated highly");

        let hated = recommend(
            &table(),
            &default_scores(),
            &[rate("me", "sun", 1)],
            "me",
            2,
        );
        assert_ne!(works(&loved), works(&hated));
        assert!(
            works(&hated)
                .iter()
                .all(|w| ["night", "cave", "dusk"].contains(w))
        );
        assert_eq!(works(&hated), vec!["cave", "dusk"]);
        assert_eq!(hated[0].reason, "dark, unlike works you rated low");
    }

    #[test]
    fn a_like_counts_towards_the_profile() {
        let events = [event(
            "me",
            What::Like {
                work: "night".into(),
                liked: true,
            },
        )];
        let recs = recommend(&table(), &default_scores(), &events, "me", 1);
        assert_eq!(works(&recs), vec!["dusk"]);
        assert_eq!(recs[0].reason, "dark like works you rated highly");
    }

    #[test]
    fn cold_start_ranks_by_predicted_score() {
        // Only a neutral rating and a dwell: no taste to go on.
        let events = [
            rate("me", "sun", 3),
            event(
                "me",
                What::Dwell {
                    work: "dusk".into(),
                    seconds: 3.0,
                },
            ),
        ];
        let recs = recommend(&table(), &default_scores(), &events, "me", 3);
        assert_eq!(works(&recs), vec!["noon", "night", "lamp"]);
        assert!(recs.iter().all(|r| r.affinity == 0.0));
        let fresh = recommend(&table(), &default_scores(), &[], "nobody", 6);
        assert_eq!(
            works(&fresh),
            vec!["noon", "dusk", "night", "sun", "lamp", "cave"]
        );
    }

    #[test]
    fn ties_are_broken_by_the_predicted_score() {
        let mut t = table();
        // "lamp" and "noon" become identical in content.
        let d = t.dims();
        t.rows[d..2 * d].copy_from_slice(&[1.0, 0.3, 0.0]);
        let events = [rate("me", "sun", 5)];
        let high_noon = recommend(&t, &default_scores(), &events, "me", 2);
        assert_eq!(works(&high_noon), vec!["noon", "lamp"]);
        let mut s = default_scores();
        s.per_work[1].predicted = 5.0;
        assert_eq!(
            works(&recommend(&t, &s, &events, "me", 2)),
            vec!["lamp", "noon"]
        );
    }

    #[test]
    fn only_content_features_count() {
        assert!(is_content_feature("curator.size"));
        assert!(is_content_feature("image.contrast"));
        assert!(!is_content_feature("engagement.likes"));
        assert!(!is_content_feature("comments.sentiment"));
        assert_eq!(
            feature_word("curator.palette_warmth", true),
            "high in palette warmth"
        );
    }
}
