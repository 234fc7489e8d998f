//! Honest evaluation: k-fold cross-validated mean squared error next to the baseline that
//! always predicts the mean rating.
//!
//! Folds are split by work (all ratings of a work are in the same fold), so the model is
//! always tested on works it has never seen rated. For the exhibition
//! ([`cross_validate_exhibition`]) each fold also rebuilds the features as if the test works
//! were new: their event-derived features (engagement and comment sentiment) are computed
//! from the training folds' events only, which means they are missing and imputed, and the
//! standardisation statistics are fitted on the training works only. Nothing about a test
//! work's visitors reaches the model that predicts it.
//!
//! The baseline of a fold is the mean of its training ratings. Both errors are pooled over
//! every test rating of every fold: `MSE = Σ (y − prediction)² / number of test ratings`.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::features::{
    FeatureTable, ImageStats, RawFeatures, WorkActivity, activity, raw_features,
};
use super::linear::Dataset;
use super::model::{MAX_STARS, MIN_STARS, Model, ScoringSettings};
use crate::feedback::event::FeedbackEvent;
use crate::level::Level;

/// One split: group (work) indices to train on and to test on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// The outcome of cross-validation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    pub folds: usize,
    /// Test ratings over all folds (every rating is tested once).
    pub ratings: usize,
    pub model_mse: f64,
    pub baseline_mse: f64,
}

/// Splits `groups` into `k` folds (at most one per group, at least two): a seeded shuffle
/// dealt round-robin, so fold sizes differ by at most one. Each fold's `test` is one part
/// and its `train` all the others, both in ascending order. No folds for fewer than two
/// groups.
pub fn folds_by_group(groups: &[usize], k: usize, seed: u64) -> Vec<Fold> {
    if groups.len() < 2 {
        return Vec::new();
    }
    let k = k.clamp(2, groups.len());
    let mut order = groups.to_vec();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in (1..order.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let mut parts = vec![Vec::new(); k];
    for (i, g) in order.into_iter().enumerate() {
        parts[i % k].push(g);
    }
    for part in &mut parts {
        part.sort_unstable();
    }
    (0..k)
        .map(|f| {
            let mut train: Vec<usize> = parts
                .iter()
                .enumerate()
                .filter(|&(other, _)| other != f)
                .flat_map(|(_, p)| p.iter().copied())
                .collect();
            train.sort_unstable();
            Fold {
                train,
                test: parts[f].clone(),
            }
        })
        .collect()
}

/// k-fold cross-validation by group. `targets[g]` are group `g`'s ratings; groups without
/// any take no part. `fit_predict(fold)` trains on `fold.train` and returns one prediction
/// per group of `fold.test`, in that order; it must use nothing of the test groups' targets
/// (or events). `None` when fewer than two groups are rated.
pub fn cross_validate(
    targets: &[Vec<f64>],
    k: usize,
    seed: u64,
    mut fit_predict: impl FnMut(&Fold) -> Vec<f64>,
) -> Option<CrossValidation> {
    let rated: Vec<usize> = (0..targets.len())
        .filter(|&g| !targets[g].is_empty())
        .collect();
    let folds = folds_by_group(&rated, k, seed);
    if folds.is_empty() {
        return None;
    }
    let (mut model_sse, mut baseline_sse, mut count) = (0.0, 0.0, 0usize);
    for fold in &folds {
        let (sum, n) = fold
            .train
            .iter()
            .flat_map(|&g| &targets[g])
            .fold((0.0, 0usize), |(s, n), y| (s + y, n + 1));
        let mean = sum / n as f64;
        let predictions = fit_predict(fold);
        assert_eq!(
            predictions.len(),
            fold.test.len(),
            "one prediction per test group"
        );
        for (&g, p) in fold.test.iter().zip(predictions) {
            for y in &targets[g] {
                model_sse += (y - p) * (y - p);
                baseline_sse += (y - mean) * (y - mean);
                count += 1;
            }
        }
    }
    Some(CrossValidation {
        folds: folds.len(),
        ratings: count,
        model_mse: model_sse / count as f64,
        baseline_mse: baseline_sse / count as f64,
    })
}

/// The features one fold may see: event-derived features only for its training works, the
/// standardisation fitted on its training works only.
pub fn fold_features(
    level: &Level,
    image_stats: &BTreeMap<String, ImageStats>,
    activity: &[WorkActivity],
    fold: &Fold,
) -> (RawFeatures, FeatureTable) {
    let mut training = vec![false; level.works.len()];
    for &w in &fold.train {
        training[w] = true;
    }
    let raw = raw_features(level, image_stats, activity, |w| training[w]);
    let table = FeatureTable::fit(&raw, |w| training[w]);
    (raw, table)
}

/// Cross-validates the configured model on an exhibition (see the module documentation).
/// Predictions are clamped to the star scale, as shown to visitors.
pub fn cross_validate_exhibition(
    level: &Level,
    image_stats: &BTreeMap<String, ImageStats>,
    activity: &[WorkActivity],
    settings: &ScoringSettings,
) -> Option<CrossValidation> {
    let targets: Vec<Vec<f64>> = activity.iter().map(WorkActivity::targets).collect();
    cross_validate(&targets, settings.folds, settings.seed, |fold| {
        let (_, table) = fold_features(level, image_stats, activity, fold);
        let mut data = Dataset::new(table.dims());
        for &w in &fold.train {
            data.push_group(table.row(w), &targets[w]);
        }
        let (model, _) = Model::train_new(&data, settings);
        fold.test
            .iter()
            .map(|&w| model.predict(table.row(w)).clamp(MIN_STARS, MAX_STARS))
            .collect()
    })
}

/// [`cross_validate_exhibition`] from cleaned events.
pub fn evaluate_exhibition(
    level: &Level,
    image_stats: &BTreeMap<String, ImageStats>,
    cleaned: &[FeedbackEvent],
    settings: &ScoringSettings,
) -> Option<CrossValidation> {
    cross_validate_exhibition(level, image_stats, &activity(level, cleaned), settings)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::linear::testing::Draw;
    use super::super::linear::{BatchSettings, LinearModel, dot};
    use super::*;
    use crate::feedback::event::{EVENT_SCHEMA, What};

    /// Groups with random features and 1 to 4 ratings each from `target` plus noise.
    fn groups(
        n: usize,
        d: usize,
        seed: u64,
        target: impl Fn(&[f64]) -> f64,
        noise: f64,
    ) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let mut draw = Draw::new(seed);
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for _ in 0..n {
            let x: Vec<f64> = (0..d).map(|_| draw.normal()).collect();
            let count = 1 + (draw.unit() * 4.0) as usize;
            ys.push(
                (0..count)
                    .map(|_| target(&x) + noise * draw.normal())
                    .collect(),
            );
            xs.push(x);
        }
        (xs, ys)
    }

    fn linear_cv(xs: &[Vec<f64>], ys: &[Vec<f64>], seed: u64) -> CrossValidation {
        let settings = BatchSettings {
            learning_rate: 0.1,
            epochs: 5000,
            l2: 0.0,
            tolerance: 1e-10,
        };
        cross_validate(ys, 5, seed, |fold| {
            let mut data = Dataset::new(xs[0].len());
            for &g in &fold.train {
                data.push_group(&xs[g], &ys[g]);
            }
            let mut model = LinearModel::new(data.dims());
            model.train(&data, &settings);
            fold.test.iter().map(|&g| model.predict(&xs[g])).collect()
        })
        .unwrap()
    }

    #[test]
    fn folds_partition_the_groups() {
        let groups: Vec<usize> = (10..33).collect();
        let folds = folds_by_group(&groups, 5, 3);
        assert_eq!(folds.len(), 5);
        let mut tested: Vec<usize> = folds.iter().flat_map(|f| f.test.clone()).collect();
        tested.sort_unstable();
        assert_eq!(tested, groups);
        for f in &folds {
            assert!(f.test.len() == 4 || f.test.len() == 5);
            assert_eq!(f.train.len() + f.test.len(), groups.len());
            assert!(f.train.iter().all(|g| !f.test.contains(g)));
        }
        // Seeded: the same seed gives the same folds, another seed others.
        assert_eq!(folds, folds_by_group(&groups, 5, 3));
        assert_ne!(folds, folds_by_group(&groups, 5, 4));
        // k is limited by the groups; one group gives none.
        assert_eq!(folds_by_group(&[1, 2, 3], 10, 0).len(), 3);
        assert_eq!(folds_by_group(&[1, 2], 1, 0).len(), 2);
        assert!(folds_by_group(&[1], 5, 0).is_empty());
    }

    #[test]
    fn a_linear_signal_beats_the_mean_clearly() {
        let truth = [3.0, 0.6, -0.4, 0.3];
        let (xs, ys) = groups(200, 3, 1, |x| truth[0] + dot(&truth[1..], x), 0.3);
        let cv = linear_cv(&xs, &ys, 1);
        assert_eq!(cv.folds, 5);
        assert_eq!(cv.ratings, ys.iter().map(Vec::len).sum::<usize>());
        assert!(cv.model_mse < 0.3 * cv.baseline_mse, "{cv:?}");
        // Near the noise variance.
        assert!((cv.model_mse - 0.09).abs() < 0.03, "{cv:?}");
    }

    #[test]
    fn pure_noise_does_not_beat_the_mean() {
        for seed in 0..5 {
            let (xs, ys) = groups(150, 4, 100 + seed, |_| 3.0, 1.0);
            let cv = linear_cv(&xs, &ys, seed);
            assert!(
                cv.model_mse >= 0.95 * cv.baseline_mse,
                "seed {seed}: {cv:?}"
            );
        }
    }

    #[test]
    fn the_baseline_is_the_training_mean() {
        // Two groups: each fold trains on one and tests the other.
        let targets = vec![vec![1.0, 3.0], vec![5.0]];
        let cv = cross_validate(&targets, 2, 0, |fold| vec![0.0; fold.test.len()]).unwrap();
        // Test {0} against mean 5: (1−5)² + (3−5)² = 20; test {1} against mean 2: 9.
        assert!((cv.baseline_mse - 29.0 / 3.0).abs() < 1e-12);
        // Predicting 0: 1 + 9 + 25 = 35.
        assert!((cv.model_mse - 35.0 / 3.0).abs() < 1e-12);
        assert!(cross_validate(&[vec![1.0], vec![]], 5, 0, |_| vec![]).is_none());
    }

    /// A level of `n` picture works cloned from the small level, with curator features.
    pub(crate) fn wide_level(n: usize, feature: impl Fn(usize) -> f64) -> Level {
        let mut level =
            crate::level::parse(include_bytes!("../../levels/small.ron")).expect("small level");
        let template = level.works[0].clone();
        level.works = (0..n)
            .map(|i| {
                let mut w = template.clone();
                w.id = format!("w{i}");
                w.features = [("craft".to_string(), feature(i))].into_iter().collect();
                w
            })
            .collect();
        level
    }

    pub(crate) fn event(visitor: usize, n: u64, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: EVENT_SCHEMA,
            id: format!("v{visitor}-{n}"),
            visitor: format!("v{visitor}"),
            time_ms: n,
            what,
        }
    }

    #[test]
    fn test_works_engagement_comes_from_the_training_folds_only() {
        // Ratings follow likes exactly; the curator feature is noise. A model that saw test
        // works' likes would predict well; one that does not cannot.
        let n = 40;
        let mut draw = Draw::new(5);
        let noise: Vec<f64> = (0..n).map(|_| draw.normal()).collect();
        let level = wide_level(n, |i| noise[i]);
        let mut events = Vec::new();
        let mut t = 0;
        for w in 0..n {
            let likes = w % 5;
            for v in 0..6 {
                t += 1;
                events.push(event(
                    v,
                    t,
                    What::Dwell {
                        work: format!("w{w}"),
                        seconds: 10.0,
                    },
                ));
                if v < likes {
                    t += 1;
                    events.push(event(
                        v,
                        t,
                        What::Like {
                            work: format!("w{w}"),
                            liked: true,
                        },
                    ));
                }
                t += 1;
                events.push(event(
                    v,
                    t,
                    What::Rating {
                        work: format!("w{w}"),
                        stars: 1 + likes as u8,
                    },
                ));
            }
        }
        let act = activity(&level, &events);
        let settings = ScoringSettings::default();
        // In-sample the likes explain everything.
        let raw = raw_features(&level, &BTreeMap::new(), &act, |_| true);
        let table = FeatureTable::fit(&raw, |_| true);
        let mut data = Dataset::new(table.dims());
        for (w, a) in act.iter().enumerate() {
            data.push_group(table.row(w), &a.targets());
        }
        let (model, _) = Model::train_new(&data, &settings);
        let mean = data.mean_target().unwrap();
        let mut flat = LinearModel::new(data.dims());
        flat.theta[0] = mean;
        let (fit, spread) = (model.loss(&data, 0.0), flat.loss(&data, 0.0));
        assert!(fit < 0.2 * spread, "{fit} of {spread}");
        // Out of sample nothing of it may show.
        let cv = cross_validate_exhibition(&level, &BTreeMap::new(), &act, &settings).unwrap();
        assert!(cv.model_mse >= 0.9 * cv.baseline_mse, "{cv:?}");
        // And the fold's features really hide the test works' events.
        let folds = folds_by_group(&(0..n).collect::<Vec<_>>(), 5, settings.seed);
        let (raw, table) = fold_features(&level, &BTreeMap::new(), &act, &folds[0]);
        let likes = raw
            .names
            .iter()
            .position(|n| n == "engagement.likes")
            .unwrap();
        for &w in &folds[0].test {
            assert_eq!(raw.row(w)[likes], None);
            assert_eq!(table.row(w)[likes], 0.0);
        }
        let train_likes: Vec<f64> = folds[0]
            .train
            .iter()
            .map(|&w| raw.row(w)[likes].unwrap())
            .collect();
        let mean = train_likes.iter().sum::<f64>() / train_likes.len() as f64;
        assert!((table.means[likes] - mean).abs() < 1e-12);
    }
}
