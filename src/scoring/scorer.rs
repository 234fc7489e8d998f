//! The whole pipeline: features, batch training at start-up (or a trusted saved model),
//! online steps for new ratings, and a score with confidence and explanation for every work.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::evaluate::{CrossValidation, cross_validate_exhibition};
use super::features::{
    CURATOR_PREFIX, FeatureTable, IMAGE_FEATURES, ImageStats, activity, content_features,
    raw_features, standardise,
};
use super::linear::{Dataset, TrainReport};
use super::model::{MAX_STARS, MIN_STARS, Model, ModelKind, ScoringSettings};
use super::persist::{self, FILE_NAME, MODEL_VERSION, Rejection, SavedModel};
use crate::feedback::event::{FeedbackEvent, What};
use crate::level::Level;
use crate::level::schema::Work;

/// One work's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkScore {
    pub work: String,
    /// The model's prediction in stars, clamped to 1..=5.
    pub predicted: f64,
    /// The model's output before clamping: for the linear model exactly
    /// [`Scores::baseline`] plus the sum of `contributions`.
    pub model_output: f64,
    /// Mean of the work's ratings, when rated.
    pub measured_mean: Option<f64>,
    pub ratings: usize,
    /// 0..1, see [`confidence`].
    pub confidence: f64,
    /// Each feature's contribution, largest magnitude first.
    pub contributions: Vec<(String, f64)>,
}

/// Scores of every work of an exhibition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Feature names, in the model's order.
    pub features: Vec<String>,
    pub model: ModelKind,
    /// The prediction for an average work (the linear model's intercept `θ0`).
    pub baseline: f64,
    /// In the level's order.
    pub per_work: Vec<WorkScore>,
    /// All ratings counted.
    pub ratings: usize,
    /// Cross-validated MSE of the model; `None` with fewer than two rated works.
    pub cv_mse: Option<f64>,
    /// Cross-validated MSE of always predicting the mean training rating.
    pub baseline_mse: Option<f64>,
}

/// How sure a score is, from the number of ratings `n`: `n / (n + k)` with `k` =
/// [`ScoringSettings::confidence_ratings`]. It is 0 for an unrated work (scored from its
/// features alone), one half at `k` ratings, 0.8 at `4k`, and approaches 1; it is the weight
/// a mean of `n` ratings gets against a prior worth `k` ratings. A non-positive `k` gives 1
/// for any rated work.
pub fn confidence(ratings: usize, k: f64) -> f64 {
    let n = ratings as f64;
    if k <= 0.0 {
        if ratings > 0 { 1.0 } else { 0.0 }
    } else {
        n / (n + k)
    }
}

/// What the model predicts for a work before anyone has seen it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Stars, clamped to 1..=5.
    pub predicted: f64,
    pub model_output: f64,
    /// The prediction for an average work.
    pub baseline: f64,
    /// Each feature's contribution, largest magnitude first: positive ones push it up.
    pub contributions: Vec<(String, f64)>,
    /// Ratings the model has learned from in this exhibition (0: it only knows the prior).
    pub ratings_learned: usize,
    /// The model's cross-validated root-mean-square error in stars: how far off a prediction
    /// for an unseen work typically is. `None` until at least two works have ratings.
    pub uncertainty: Option<f64>,
}

/// Where the model in use came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Trained in batch at start-up; `why` the saved model was not used.
    Trained { report: TrainReport, why: Rejection },
    /// A saved model that matched the current features, settings and data.
    Reloaded,
}

/// Scores of every work from the level, per-work image statistics (computed elsewhere from
/// the textures; works without any get what their kind allows, see
/// [`super::features`]) and cleaned events. Trains in batch; nothing is read or written.
pub fn score_exhibition(
    level: &Level,
    image_stats: &BTreeMap<String, ImageStats>,
    cleaned: &[FeedbackEvent],
    settings: &ScoringSettings,
) -> Scores {
    Scorer::start(level, image_stats, cleaned, settings, None).scores()
}

/// The scoring state of a running exhibition: start it once, feed it new ratings.
#[derive(Debug, Clone)]
pub struct Scorer {
    settings: ScoringSettings,
    table: FeatureTable,
    model: Model,
    index: HashMap<String, usize>,
    /// (work index, visitor) → stars: the visitor's current rating.
    stars: BTreeMap<(usize, String), u8>,
    /// Per work: number and sum of current ratings.
    tallies: Vec<(usize, f64)>,
    cross_validation: Option<CrossValidation>,
    origin: Origin,
    data: u64,
    batch_ratings: usize,
    online_steps: usize,
}

impl Scorer {
    /// Uses `saved` when it matches the current features, settings and data (see
    /// [`super::persist`]); otherwise trains in batch on every rating in `cleaned` and
    /// cross-validates.
    pub fn start(
        level: &Level,
        image_stats: &BTreeMap<String, ImageStats>,
        cleaned: &[FeedbackEvent],
        settings: &ScoringSettings,
        saved: Option<&SavedModel>,
    ) -> Scorer {
        let act = activity(level, cleaned);
        let raw = raw_features(level, image_stats, &act, |_| true);
        let data = persist::fingerprint(&raw, &act);
        let usable = match saved {
            None => Err(Rejection::Missing),
            Some(s) => s.check(&raw.names, settings, data).map(|()| s),
        };
        let reloaded = usable.as_ref().ok().and_then(|s| {
            FeatureTable::with_stats(&raw, &s.means, &s.stds)
                .map(|table| (table, s.model.clone(), s.cross_validation))
        });
        let (table, model, cross_validation, origin) = match (reloaded, usable) {
            (Some((table, model, cv)), _) => (table, model, cv, Origin::Reloaded),
            (None, usable) => {
                let why = usable.err().unwrap_or(Rejection::Malformed);
                let table = FeatureTable::fit(&raw, |_| true);
                let mut dataset = Dataset::new(table.dims());
                for (w, a) in act.iter().enumerate() {
                    dataset.push_group(table.row(w), &a.targets());
                }
                let (model, report) = Model::train_new(&dataset, settings);
                let cv = cross_validate_exhibition(level, image_stats, &act, settings);
                (table, model, cv, Origin::Trained { report, why })
            }
        };
        let mut index = HashMap::new();
        for (i, work) in level.works.iter().enumerate() {
            index.entry(work.id.clone()).or_insert(i);
        }
        let mut scorer = Scorer {
            settings: settings.clone(),
            table,
            model,
            index,
            stars: BTreeMap::new(),
            tallies: vec![(0, 0.0); level.works.len()],
            cross_validation,
            origin,
            data,
            batch_ratings: act.iter().map(|a| a.ratings.len()).sum(),
            online_steps: 0,
        };
        for event in cleaned {
            if let What::Rating { work, stars } = &event.what {
                scorer.record(work, &event.visitor, *stars);
            }
        }
        scorer
    }

    /// [`Scorer::start`] with the saved model of the exhibition's data directory `dir`; a
    /// freshly trained model is saved there. The second value is the outcome of saving (`Ok`
    /// also when nothing needed saving).
    pub fn start_in(
        dir: &Path,
        level: &Level,
        image_stats: &BTreeMap<String, ImageStats>,
        cleaned: &[FeedbackEvent],
        settings: &ScoringSettings,
    ) -> (Scorer, std::io::Result<()>) {
        let path = dir.join(FILE_NAME);
        let loaded = persist::load(&path);
        let mut scorer = Scorer::start(level, image_stats, cleaned, settings, loaded.as_ref().ok());
        if let (Err(why), Origin::Trained { why: reason, .. }) = (loaded, &mut scorer.origin) {
            // Name the real reason (e.g. an unreadable file) rather than "missing".
            *reason = why;
        }
        let saved = match scorer.origin {
            Origin::Trained { .. } => persist::save(&path, &scorer.to_saved()),
            Origin::Reloaded => Ok(()),
        };
        (scorer, saved)
    }

    /// Counts a rating; the work's index, or `None` for an unknown work or stars out of range.
    fn record(&mut self, work: &str, visitor: &str, stars: u8) -> Option<usize> {
        if !(1..=5).contains(&stars) {
            return None;
        }
        let w = *self.index.get(work)?;
        let tally = &mut self.tallies[w];
        if let Some(old) = self.stars.insert((w, visitor.to_string()), stars) {
            tally.0 -= 1;
            tally.1 -= f64::from(old);
        }
        tally.0 += 1;
        tally.1 += f64::from(stars);
        Some(w)
    }

    /// A new event while the game runs. A rating is counted (replacing the visitor's earlier
    /// rating of the work) and the model takes one online step on it; returns whether it
    /// did. Other events change nothing until the next start-up: the features stay as they
    /// were standardised.
    pub fn observe(&mut self, event: &FeedbackEvent) -> bool {
        let What::Rating { work, stars } = &event.what else {
            return false;
        };
        let Some(w) = self.record(work, &event.visitor, *stars) else {
            return false;
        };
        self.model
            .online_step(self.table.row(w), f64::from(*stars), &self.settings);
        self.online_steps += 1;
        true
    }

    /// The current score of every work.
    pub fn scores(&self) -> Scores {
        let names = &self.table.names;
        let per_work = (0..self.table.len())
            .map(|w| {
                let x = self.table.row(w);
                let output = self.model.predict(x);
                let (n, sum) = self.tallies[w];
                WorkScore {
                    work: self.table.works[w].clone(),
                    predicted: output.clamp(MIN_STARS, MAX_STARS),
                    model_output: output,
                    measured_mean: (n > 0).then(|| sum / n as f64),
                    ratings: n,
                    confidence: confidence(n, self.settings.confidence_ratings),
                    contributions: self.model.contributions(x, names),
                }
            })
            .collect();
        Scores {
            features: names.clone(),
            model: self.model.kind(),
            baseline: self.model.baseline(),
            per_work,
            ratings: self.tallies.iter().map(|t| t.0).sum(),
            cv_mse: self.cross_validation.map(|cv| cv.model_mse),
            baseline_mse: self.cross_validation.map(|cv| cv.baseline_mse),
        }
    }

    /// The score the model predicts for a work that is not in the exhibition (a studio
    /// candidate) from what it is alone: its curator features (none, for a candidate) and the
    /// image statistics of its content; engagement and sentiment are missing, as for a work
    /// nobody has seen, and take the exhibition's mean. Nobody has rated it, so its confidence
    /// is 0; [`Prediction::uncertainty`] is the model's typical error on unseen works.
    pub fn predict_new(&self, work: &Work, stats: Option<&ImageStats>) -> Prediction {
        let content = content_features(work, stats);
        let raw: Vec<Option<f64>> = self
            .table
            .names
            .iter()
            .map(|name| {
                if let Some(curator) = name.strip_prefix(CURATOR_PREFIX) {
                    return work
                        .features
                        .get(curator)
                        .copied()
                        .filter(|v| v.is_finite());
                }
                IMAGE_FEATURES
                    .iter()
                    .position(|f| f == name)
                    .and_then(|i| content[i])
            })
            .collect();
        let mut x = vec![0.0; raw.len()];
        standardise(&raw, &self.table.means, &self.table.stds, &mut x);
        let output = self.model.predict(&x);
        Prediction {
            predicted: output.clamp(MIN_STARS, MAX_STARS),
            model_output: output,
            baseline: self.model.baseline(),
            contributions: self.model.contributions(&x, &self.table.names),
            ratings_learned: self.tallies.iter().map(|t| t.0).sum(),
            uncertainty: self.cross_validation.map(|cv| cv.model_mse.max(0.0).sqrt()),
        }
    }

    /// What to save: model, statistics, version, settings, data fingerprint.
    pub fn to_saved(&self) -> SavedModel {
        SavedModel {
            version: MODEL_VERSION,
            features: self.table.names.clone(),
            means: self.table.means.clone(),
            stds: self.table.stds.clone(),
            model: self.model.clone(),
            settings: self.settings.clone(),
            data: self.data,
            ratings: self.batch_ratings,
            online_steps: self.online_steps,
            cross_validation: self.cross_validation,
        }
    }

    /// Saves the current model (online steps included) in the data directory `dir`.
    pub fn save_in(&self, dir: &Path) -> std::io::Result<()> {
        persist::save(&dir.join(FILE_NAME), &self.to_saved())
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn table(&self) -> &FeatureTable {
        &self.table
    }

    pub fn cross_validation(&self) -> Option<CrossValidation> {
        self.cross_validation
    }

    pub fn online_steps(&self) -> usize {
        self.online_steps
    }
}

#[cfg(test)]
mod tests {
    use super::super::evaluate::tests::{event, wide_level};
    use super::super::features::{ENGAGEMENT_FEATURES, SENTIMENT_FEATURE};
    use super::super::linear::testing::Draw;
    use super::*;

    fn small() -> Level {
        crate::level::parse(include_bytes!("../../levels/small.ron")).expect("small level")
    }

    fn rating(visitor: usize, t: u64, work: &str, stars: u8) -> FeedbackEvent {
        event(
            visitor,
            t,
            What::Rating {
                work: work.into(),
                stars,
            },
        )
    }

    /// Visitors rate all but the last work: stars follow craft plus noise; they also visit,
    /// like and comment.
    fn feedback(level: &Level, visitors: usize, seed: u64) -> Vec<FeedbackEvent> {
        let mut draw = Draw::new(seed);
        let mut events = Vec::new();
        let mut t = 0;
        let rated = level.works.len() - 1;
        for v in 0..visitors {
            for work in &level.works[..rated] {
                let craft = work.features.get("craft").copied().unwrap_or(0.5);
                let stars = (1.0 + 4.0 * craft + 0.7 * draw.normal())
                    .round()
                    .clamp(1.0, 5.0);
                t += 1;
                events.push(rating(v, t, &work.id, stars as u8));
                if v % 3 == 0 {
                    t += 1;
                    events.push(event(
                        v,
                        t,
                        What::Dwell {
                            work: work.id.clone(),
                            seconds: 5.0 + 20.0 * draw.unit(),
                        },
                    ));
                }
                if v % 7 == 0 && stars >= 4.0 {
                    t += 1;
                    events.push(event(
                        v,
                        t,
                        What::Like {
                            work: work.id.clone(),
                            liked: true,
                        },
                    ));
                }
                if v % 11 == 0 {
                    t += 1;
                    let text = if stars >= 4.0 {
                        "Beautiful"
                    } else {
                        "Rather dull"
                    };
                    events.push(event(
                        v,
                        t,
                        What::Comment {
                            work: work.id.clone(),
                            text: text.into(),
                        },
                    ));
                }
            }
        }
        events
    }

    #[test]
    fn every_work_gets_an_explained_score() {
        let level = small();
        let events = feedback(&level, 60, 1);
        let settings = ScoringSettings::default();
        let scores = score_exhibition(&level, &BTreeMap::new(), &events, &settings);
        assert_eq!(scores.per_work.len(), level.works.len());
        assert_eq!(scores.model, ModelKind::Linear);
        assert_eq!(scores.ratings, 60 * (level.works.len() - 1));
        for (s, work) in scores.per_work.iter().zip(&level.works) {
            assert_eq!(s.work, work.id);
            assert!((MIN_STARS..=MAX_STARS).contains(&s.predicted));
            assert_eq!(s.predicted, s.model_output.clamp(MIN_STARS, MAX_STARS));
            // The explanation adds up and is ranked by magnitude.
            let sum: f64 = s.contributions.iter().map(|(_, v)| v).sum();
            assert!((scores.baseline + sum - s.model_output).abs() < 1e-9);
            assert!(
                s.contributions
                    .windows(2)
                    .all(|p| p[0].1.abs() >= p[1].1.abs())
            );
            assert_eq!(s.contributions.len(), scores.features.len());
        }
        // Rated works: measured means and a confidence of 60 / 65.
        let first = &scores.per_work[0];
        assert_eq!(first.ratings, 60);
        assert!((first.confidence - 60.0 / 65.0).abs() < 1e-12);
        let mean = events
            .iter()
            .filter_map(|e| match &e.what {
                What::Rating { work, stars } if *work == first.work => Some(f64::from(*stars)),
                _ => None,
            })
            .sum::<f64>()
            / 60.0;
        assert!((first.measured_mean.unwrap() - mean).abs() < 1e-12);
        // The unrated work is scored from its content alone: no confidence, and its
        // event-derived features are imputed (contribute nothing).
        let last = scores.per_work.last().unwrap();
        assert_eq!(
            (last.ratings, last.measured_mean, last.confidence),
            (0, None, 0.0)
        );
        for (name, value) in &last.contributions {
            if ENGAGEMENT_FEATURES.contains(&name.as_str()) || name == SENTIMENT_FEATURE {
                assert_eq!(*value, 0.0, "{name}");
            }
        }
        // Craft drives the ratings, so the model leans on it and ranks by it.
        let crafty = scores
            .per_work
            .iter()
            .zip(&level.works)
            .max_by(|a, b| a.1.features["craft"].total_cmp(&b.1.features["craft"]))
            .unwrap()
            .0;
        let plain = scores
            .per_work
            .iter()
            .zip(&level.works)
            .min_by(|a, b| a.1.features["craft"].total_cmp(&b.1.features["craft"]))
            .unwrap()
            .0;
        assert!(crafty.predicted > plain.predicted);
        let (cv, base) = (scores.cv_mse.unwrap(), scores.baseline_mse.unwrap());
        assert!(cv.is_finite() && base.is_finite());
        // Deterministic.
        assert_eq!(
            scores,
            score_exhibition(&level, &BTreeMap::new(), &events, &settings)
        );
    }

    #[test]
    fn no_feedback_scores_neutrally() {
        let level = small();
        let scores = score_exhibition(&level, &BTreeMap::new(), &[], &ScoringSettings::default());
        assert_eq!((scores.cv_mse, scores.baseline_mse), (None, None));
        assert!(
            scores
                .per_work
                .iter()
                .all(|s| s.predicted == 3.0 && s.confidence == 0.0)
        );
    }

    #[test]
    fn confidence_grows_with_ratings() {
        assert_eq!(confidence(0, 5.0), 0.0);
        assert_eq!(confidence(5, 5.0), 0.5);
        assert_eq!(confidence(20, 5.0), 0.8);
        assert!((1..100).all(|n| confidence(n, 5.0) > confidence(n - 1, 5.0)));
        assert!(confidence(1_000_000, 5.0) < 1.0);
        assert_eq!((confidence(0, 0.0), confidence(1, 0.0)), (0.0, 1.0));
    }

    #[test]
    fn online_ratings_count_and_move_the_model() {
        let level = small();
        let events = feedback(&level, 20, 2);
        let settings = ScoringSettings::default();
        let mut scorer = Scorer::start(&level, &BTreeMap::new(), &events, &settings, None);
        let before = scorer.scores();
        let last = level.works.last().unwrap().id.clone();
        assert!(scorer.observe(&rating(900, 10_000, &last, 5)));
        assert!(!scorer.observe(&rating(900, 10_001, "nowhere", 5)));
        assert!(!scorer.observe(&event(900, 10_002, What::Position { x: 0.0, z: 0.0 })));
        let after = scorer.scores();
        let (b, a) = (
            before.per_work.last().unwrap(),
            after.per_work.last().unwrap(),
        );
        assert_eq!((a.ratings, a.measured_mean), (1, Some(5.0)));
        assert!(a.model_output > b.model_output);
        assert_eq!(after.ratings, before.ratings + 1);
        // The same visitor changes their mind: replaced, not added.
        assert!(scorer.observe(&rating(900, 10_003, &last, 1)));
        let again = scorer.scores();
        assert_eq!(again.per_work.last().unwrap().measured_mean, Some(1.0));
        assert_eq!(again.ratings, after.ratings);
        assert_eq!(scorer.online_steps(), 2);
        assert_eq!(scorer.to_saved().online_steps, 2);
    }

    #[test]
    fn the_saved_model_is_reloaded_only_when_it_matches() {
        let dir = std::env::temp_dir().join(format!("vernissage-scorer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let level = small();
        let events = feedback(&level, 15, 3);
        let settings = ScoringSettings::default();
        let stats = BTreeMap::new();

        let (first, saved) = Scorer::start_in(&dir, &level, &stats, &events, &settings);
        saved.unwrap();
        assert!(matches!(
            first.origin(),
            Origin::Trained {
                why: Rejection::Missing,
                ..
            }
        ));
        assert!(dir.join(FILE_NAME).exists());

        let (second, _) = Scorer::start_in(&dir, &level, &stats, &events, &settings);
        assert_eq!(second.origin(), &Origin::Reloaded);
        assert_eq!(second.scores(), first.scores());

        // Other settings: retrained (and saved again).
        let other = ScoringSettings {
            l2: 0.5,
            ..settings.clone()
        };
        let (third, _) = Scorer::start_in(&dir, &level, &stats, &events, &other);
        assert!(matches!(
            third.origin(),
            Origin::Trained {
                why: Rejection::Settings,
                ..
            }
        ));
        // New feedback since: retrained.
        let mut more = events.clone();
        more.push(rating(999, 1_000_000, &level.works[0].id, 1));
        let (fourth, _) = Scorer::start_in(&dir, &level, &stats, &more, &other);
        assert!(matches!(
            fourth.origin(),
            Origin::Trained {
                why: Rejection::Data,
                ..
            }
        ));
        // Other features (a curator feature added): retrained.
        let mut changed = level.clone();
        changed.works[0].features.insert("scale".into(), 2.0);
        let (fifth, _) = Scorer::start_in(&dir, &changed, &stats, &more, &other);
        assert!(matches!(
            fifth.origin(),
            Origin::Trained {
                why: Rejection::Features,
                ..
            }
        ));
        // A damaged file: retrained, with the reason.
        std::fs::write(dir.join(FILE_NAME), "(version: 1, broken").unwrap();
        let (sixth, _) = Scorer::start_in(&dir, &changed, &stats, &more, &other);
        assert!(matches!(
            sixth.origin(),
            Origin::Trained {
                why: Rejection::Unparsable(_),
                ..
            }
        ));
        // After online steps the saved model is not the batch result: retrained.
        let mut online = sixth;
        online.observe(&rating(5, 2_000_000, &level.works[1].id, 4));
        online.save_in(&dir).unwrap();
        let (seventh, _) = Scorer::start_in(&dir, &changed, &stats, &more, &other);
        assert!(matches!(
            seventh.origin(),
            Origin::Trained {
                why: Rejection::Data,
                ..
            }
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_new_work_is_predicted_like_an_unseen_work_of_the_exhibition() {
        let level = small();
        let events = feedback(&level, 40, 3);
        let settings = ScoringSettings::default();
        let scorer = Scorer::start(&level, &BTreeMap::new(), &events, &settings, None);
        let last = level.works.len() - 1;
        let scores = scorer.scores();
        let p = scorer.predict_new(&level.works[last], None);
        assert!((p.model_output - scores.per_work[last].model_output).abs() < 1e-9);
        assert_eq!(p.contributions, scores.per_work[last].contributions);
        assert!(p.uncertainty.is_some_and(|u| u > 0.0));
        assert!(p.ratings_learned > 0);
        // Other content predicts otherwise.
        let mut lighter = level.works[last].clone();
        lighter.features.insert("craft".into(), 0.99);
        assert_ne!(
            scorer.predict_new(&lighter, None).model_output,
            p.model_output
        );
        // Without ratings there is no error estimate: the prior is all the model knows.
        let fresh = Scorer::start(&level, &BTreeMap::new(), &[], &settings, None);
        let q = fresh.predict_new(&level.works[last], None);
        assert_eq!(q.ratings_learned, 0);
        assert!(q.uncertainty.is_none());
    }

    #[test]
    fn the_hidden_layer_option_scores_too() {
        let level = small();
        let events = feedback(&level, 30, 4);
        let settings = ScoringSettings {
            model: ModelKind::Hidden,
            epochs: 500,
            ..ScoringSettings::default()
        };
        let scores = score_exhibition(&level, &BTreeMap::new(), &events, &settings);
        assert_eq!(scores.model, ModelKind::Hidden);
        assert!(scores.per_work.iter().all(|s| s.predicted.is_finite()));
        assert!(scores.cv_mse.is_some());
        assert_eq!(
            scores,
            score_exhibition(&level, &BTreeMap::new(), &events, &settings)
        );
    }

    #[test]
    fn a_hundred_thousand_ratings_score_quickly() {
        // 50 works × 2 000 visitors = 100 000 ratings, plus visits and likes.
        let level = wide_level(50, |i| (i % 10) as f64 / 10.0);
        let mut draw = Draw::new(8);
        let mut events = Vec::with_capacity(130_000);
        let mut t = 0;
        for v in 0..2000 {
            for (w, work) in level.works.iter().enumerate() {
                let stars = (1.0 + (w % 10) as f64 * 0.4 + draw.normal())
                    .round()
                    .clamp(1.0, 5.0);
                t += 1;
                events.push(rating(v, t, &work.id, stars as u8));
                if v % 4 == 0 {
                    t += 1;
                    events.push(event(
                        v,
                        t,
                        What::Dwell {
                            work: work.id.clone(),
                            seconds: 3.0 + 10.0 * draw.unit(),
                        },
                    ));
                }
            }
        }
        let start = std::time::Instant::now();
        let scores = score_exhibition(
            &level,
            &BTreeMap::new(),
            &events,
            &ScoringSettings::default(),
        );
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!(scores.ratings, 100_000);
        assert!(elapsed < 30.0, "{elapsed} s");
        // The craft signal is real: the model beats the mean out of sample.
        assert!(scores.cv_mse.unwrap() < 0.8 * scores.baseline_mse.unwrap());
    }
}
